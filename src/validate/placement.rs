//! Checks of what places, names and pulls a workload: `spread`, `affinity`,
//! `service_name`, `image_pull_secrets`, mount `items` and the Namespace's own labels.

use super::Checker;
use super::names::*;
use crate::spec::{Affinity, Platform, Source, Spread};
use std::collections::BTreeMap;

impl Checker<'_> {
    /// Placement and naming of service or database `name` (`kind` is `services` or `databases`).
    pub(super) fn check_placement(
        &mut self,
        spec: &Platform,
        kind: &str,
        name: &str,
        spread: Option<&Spread>,
        affinity: Option<&Affinity>,
    ) {
        if let Some(s) = spread {
            for (i, key) in s.keys().iter().enumerate() {
                if !is_label_key(key) {
                    let idx = i.to_string();
                    let path: Vec<&str> = match s {
                        Spread::One(_) => vec![kind, name, "spread"],
                        Spread::Keys(_) => vec![kind, name, "spread", &idx],
                    };
                    self.err(
                        &path,
                        format!("`{key}` is not a topology key"),
                        "write zone, node, region or a node label key such as topology.kubernetes.io/zone",
                    );
                }
            }
        }
        let Some(a) = affinity else { return };
        self.check_node_terms(&[kind, name, "affinity", "nodes"], &a.nodes);
        self.check_node_terms(&[kind, name, "affinity", "prefer_nodes"], &a.prefer_nodes);
        let workloads: Vec<String> = spec.services.keys().chain(spec.databases.keys()).cloned().collect();
        for (i, w) in a.avoid.iter().enumerate() {
            if !workloads.contains(w) {
                let help = match crate::diag::suggest(w, workloads.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "name a service or database of this platform (or this one itself)".to_string(),
                };
                let idx = i.to_string();
                self.err(
                    &[kind, name, "affinity", "avoid", &idx],
                    format!("`{w}` is not a service or database of this platform"),
                    help,
                );
            }
        }
        if let Some(k) = &a.avoid_by
            && !is_label_key(crate::spec::topology_key(k))
        {
            self.err(
                &[kind, name, "affinity", "avoid_by"],
                format!("`{k}` is not a topology key"),
                "write node or zone",
            );
        }
    }

    /// Node label keys and at least one value each.
    fn check_node_terms(&mut self, path: &[&str], terms: &BTreeMap<String, Vec<String>>) {
        for (k, values) in terms {
            let mut p = path.to_vec();
            p.push(k);
            if !is_label_key(k) {
                self.err(&p, format!("`{k}` is not a node label key"), "e.g. topology.kubernetes.io/zone");
            } else if values.is_empty() {
                self.err(&p, format!("`{k}` lists no values"), "list the values a node may have, e.g. [database]");
            }
        }
    }

    /// `service_name` of a workload: a DNS-1035 label (what a Service name must be).
    pub(super) fn check_service_name_override(&mut self, kind: &str, name: &str, service_name: Option<&str>) {
        if let Some(s) = service_name
            && (!is_dns1035_label(s) || s.len() > 63)
        {
            self.err(
                &[kind, name, "service_name"],
                format!("Service name `{s}` must be a DNS label starting with a letter, at most 63 characters"),
                "use lowercase letters, digits and '-', e.g. workflow-db-service",
            );
        }
    }

    /// Image pull secrets are Secret names.
    pub(super) fn check_pull_secrets(&mut self, path: &[&str], secrets: &[String]) {
        for (i, s) in secrets.iter().enumerate() {
            if !is_dns_subdomain(s) {
                let idx = i.to_string();
                let mut p = path.to_vec();
                p.push(&idx);
                self.err(&p, format!("secret name `{s}` is not valid"), "use lowercase letters, digits, '-' and '.'");
            }
        }
    }

    /// `items` of a mount: relative paths without `..`.
    pub(super) fn check_items(&mut self, path: &[&str], s: &Source) {
        for (key, to) in &s.items {
            let mut p = path.to_vec();
            p.extend(["items", key.as_str()]);
            if !is_config_key(key) {
                self.err(&p, format!("`{key}` is not a key"), "keys hold letters, digits, '-', '_' and '.'");
            }
            if to.is_empty() || to.starts_with('/') || to.split('/').any(|c| c == ".." || c.is_empty()) {
                self.err(
                    &p,
                    format!("`{to}` must be a path relative to the mount, without `..`"),
                    "e.g. tls.crt or certs/server.crt",
                );
            }
        }
    }

    /// `namespace_labels` and `namespace_annotations`; the Pod Security labels stay genk8s's.
    pub(super) fn check_namespace_meta(&mut self, spec: &Platform) {
        self.check_labels(&["namespace_labels"], &spec.namespace_labels, true);
        self.check_labels(&["namespace_annotations"], &spec.namespace_annotations, false);
        for k in spec.namespace_labels.keys().filter(|k| k.starts_with("pod-security.kubernetes.io/")) {
            self.err(
                &["namespace_labels", k],
                format!("`{k}` is set by genk8s: every namespace enforces the restricted profile"),
                "remove it; pods that need more than restricted belong in a namespace genk8s does not manage",
            );
        }
        self.check_pull_secrets(&["image_pull_secrets"], &spec.image_pull_secrets);
    }
}
