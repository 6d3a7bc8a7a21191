//! Platform-level checks: names, configs, storage classes, issuers, quota,
//! limits, secrets, monitoring rules; each service and database in turn.

use super::Checker;
use super::names::*;
use crate::quantity;
use crate::spec::{Issuer, Platform};
use std::collections::BTreeMap;

impl Checker<'_> {
    /// Every check of the spec: the platform-wide ones, then each service, the routes
    /// between them, and each database.
    pub(super) fn check_platform(&mut self, spec: &Platform, namespace: &str) {
        self.check_platform_names(spec, namespace);
        self.check_labels(&["labels"], &spec.labels, true);
        self.check_labels(&["annotations"], &spec.annotations, false);
        self.check_namespace_meta(spec);
        self.check_labels(&["ingress", "annotations"], &spec.ingress.annotations, false);
        self.check_ingress_refs(&["ingress"], spec.ingress.class.as_deref(), spec.ingress.issuer.as_deref());
        self.check_alb_defaults(spec);
        self.check_deploy_tool(spec);
        if let Some(gw) = &spec.gateway {
            self.check_gateway(gw);
        }
        self.check_namespace_refs(spec);
        self.check_configs(spec);
        self.check_storage_classes(spec);
        self.check_issuers(spec);
        self.check_quota_and_limits(spec);
        self.check_dev_secrets(spec);
        self.check_secret_store(spec);
        self.check_alert_rules(spec);
        self.check_name_clash(spec);
        self.check_file_sources(spec);
        for (name, svc) in &spec.services {
            self.check_service(spec, name, svc);
            self.check_placement(spec, "services", name, svc.spread.as_ref(), svc.affinity.as_ref());
            self.check_service_name_override("services", name, svc.service_name.as_deref());
            self.check_pull_secrets(&["services", name, "image_pull_secrets"], &svc.image_pull_secrets);
            self.check_lint(&["services", name, "lint", "ignore"], svc.lint.as_ref());
        }
        self.check_routes(spec);
        for (name, db) in &spec.databases {
            self.check_lint(&["databases", name, "lint", "ignore"], db.lint.as_ref());
        }
        for (name, db) in &spec.databases {
            self.check_database(name, db);
            self.check_placement(spec, "databases", name, db.spread.as_ref(), db.affinity.as_ref());
            self.check_service_name_override("databases", name, db.service_name.as_deref());
        }
    }

    /// `platform`, the namespace and `domain` are DNS names.
    fn check_platform_names(&mut self, spec: &Platform, namespace: &str) {
        if !is_dns_label(&spec.platform) {
            self.err(
                &["platform"],
                format!("platform name `{}` is not a DNS label", spec.platform),
                "use lowercase letters, digits and '-', at most 63 characters",
            );
        }
        if !is_dns_label(namespace) {
            let path: &[&str] = if spec.namespace.is_some() { &["namespace"] } else { &["platform"] };
            self.err(
                path,
                format!("namespace `{namespace}` is not a DNS label"),
                "set `namespace:` in the environment file to lowercase letters, digits and '-', at most 63 characters",
            );
        }
        if let Some(d) = &spec.domain
            && !is_dns_subdomain(d)
        {
            self.err(
                &["domain"],
                format!("domain `{d}` is not a valid DNS name"),
                "write a lowercase host name such as example.com",
            );
        }
    }

    /// The ingress controller's and Prometheus' namespaces are DNS labels.
    fn check_namespace_refs(&mut self, spec: &Platform) {
        for (path, ns) in [
            (["ingress", "controller_namespace"], &spec.ingress.controller_namespace),
            (["monitoring", "namespace"], &spec.monitoring.namespace),
        ] {
            if let Some(ns) = ns
                && !is_dns_label(ns)
            {
                self.err(
                    &path,
                    format!("namespace `{ns}` is not a DNS label"),
                    "write the namespace's name: lowercase letters, digits and '-', at most 63 characters",
                );
            }
        }
    }

    /// `configs`: names, keys, and no key in both `data:` and `files:`.
    fn check_configs(&mut self, spec: &Platform) {
        for (name, cfg) in &spec.configs {
            if !is_dns_label(name) {
                self.err(
                    &["configs", name],
                    format!("config name `{name}` is not a DNS label"),
                    "use lowercase letters, digits and '-'",
                );
            }
            for k in cfg.data.keys().chain(cfg.files.keys()) {
                if !is_config_key(k) {
                    self.err(
                        &["configs", name],
                        format!("config key `{k}` may hold only letters, digits, '-', '_' and '.'"),
                        "rename the key",
                    );
                }
            }
            for k in cfg.files.keys().filter(|k| cfg.data.contains_key(*k)) {
                self.err(
                    &["configs", name, "files", k],
                    format!("key `{k}` is defined in both data: and files:"),
                    "a ConfigMap key holds one value: keep it in data: or in files:, or rename one",
                );
            }
        }
    }

    /// `storage_classes`: names, provisioner, reclaim policy and binding mode.
    fn check_storage_classes(&mut self, spec: &Platform) {
        for (name, sc) in &spec.storage_classes {
            if !is_dns_subdomain(name) {
                self.err(
                    &["storage_classes", name],
                    format!("storage class name `{name}` is not valid"),
                    "use lowercase letters, digits, '-' and '.'",
                );
            }
            if sc.provisioner.is_empty() {
                self.err(&["storage_classes", name, "provisioner"], "provisioner is empty", "e.g. ebs.csi.aws.com");
            }
            if let Some(r) = &sc.reclaim
                && r != "Retain"
                && r != "Delete"
            {
                self.err(
                    &["storage_classes", name, "reclaim"],
                    format!("unknown reclaim policy `{r}`"),
                    "write Retain or Delete",
                );
            }
            if let Some(b) = &sc.binding
                && b != "Immediate"
                && b != "WaitForFirstConsumer"
            {
                self.err(
                    &["storage_classes", name, "binding"],
                    format!("unknown binding mode `{b}`"),
                    "write Immediate or WaitForFirstConsumer",
                );
            }
        }
    }

    /// `issuers`: names, ACME email and server, and the solver's ingress class or DNS token.
    fn check_issuers(&mut self, spec: &Platform) {
        for (name, iss) in &spec.issuers {
            self.check_issuer(spec, name, iss);
        }
    }

    /// One issuer: name, ACME email and server, and its http01 ingress class or Cloudflare token.
    fn check_issuer(&mut self, spec: &Platform, name: &str, iss: &Issuer) {
        if !is_dns_subdomain(name) {
            self.err(
                &["issuers", name],
                format!("issuer name `{name}` is not valid"),
                "use lowercase letters, digits, '-' and '.'",
            );
        }
        if !iss.email.contains('@') {
            self.err(
                &["issuers", name, "email"],
                format!("`{}` is not an email address", iss.email),
                "ACME needs a contact address for expiry notices",
            );
        }
        if let Some(srv) = &iss.server
            && !srv.starts_with("https://")
        {
            self.err(
                &["issuers", name, "server"],
                format!("ACME server `{srv}` is not an https URL"),
                "e.g. https://acme-staging-v02.api.letsencrypt.org/directory",
            );
        }
        if let Some(class) = iss.http01.as_ref().and_then(|h| h.class.as_ref())
            && !is_dns_subdomain(class)
        {
            self.err(
                &["issuers", name, "http01", "class"],
                format!("ingress class `{class}` is not valid"),
                "write the IngressClass name: lowercase letters, digits, '-' and '.', e.g. nginx",
            );
        }
        if let Some(cf) = &iss.cloudflare {
            if !is_dns_subdomain(&cf.secret) {
                self.err(
                    &["issuers", name, "cloudflare", "secret"],
                    format!("secret name `{}` is not valid", cf.secret),
                    "use lowercase letters, digits, '-' and '.', e.g. cloudflare-api-token",
                );
            }
            if !is_config_key(&cf.key) {
                self.err(
                    &["issuers", name, "cloudflare", "key"],
                    format!("secret key `{}` may hold only letters, digits, '-', '_' and '.'", cf.key),
                    "write the key of the token in that Secret, e.g. api-token",
                );
            }
        }
        if iss.http01.is_some()
            && iss.cloudflare.is_none()
            && iss.http01.as_ref().and_then(|h| h.class.as_ref()).is_none()
            && spec.ingress.class.is_none()
            && spec.gateway.as_ref().is_none_or(|g| g.existing.is_some())
        {
            self.err(
                &["issuers", name, "http01"],
                "http01 needs an ingress class or a Gateway genk8s writes",
                "set http01: {class: nginx}, the platform's ingress.class, or gateway: {class: ...}",
            );
        }
    }

    /// `quota` and `limits` hold quantities.
    fn check_quota_and_limits(&mut self, spec: &Platform) {
        for (path, map) in [("quota", &spec.quota)] {
            for (k, v) in map {
                if quantity::parse(v).is_none() {
                    self.err(&[path, k], format!("`{v}` is not a quantity"), quantity::hint(v));
                }
            }
        }
        if let Some(l) = &spec.limits {
            for (part, map) in
                [("default", &l.default), ("default_request", &l.default_request), ("max", &l.max), ("min", &l.min)]
            {
                for (k, v) in map {
                    if quantity::parse(v).is_none() {
                        self.err(&["limits", part, k], format!("`{v}` is not a quantity"), quantity::hint(v));
                    }
                }
            }
        }
    }

    /// `dev_secrets`: not in production, valid Secret names and keys.
    fn check_dev_secrets(&mut self, spec: &Platform) {
        if !spec.dev_secrets.is_empty() && self.production {
            self.err(
                &["dev_secrets"],
                format!("dev_secrets are development-only values and environment `{}` is production", self.env),
                "keep dev_secrets in non-production overlays; production Secrets come from the cluster or secret_store",
            );
        }
        for (name, data) in &spec.dev_secrets {
            if !is_dns_subdomain(name) {
                self.err(
                    &["dev_secrets", name],
                    format!("secret name `{name}` is not valid"),
                    "use lowercase letters, digits, '-' and '.'",
                );
            }
            for k in data.keys() {
                if !is_config_key(k) {
                    self.err(
                        &["dev_secrets", name, k],
                        format!("secret key `{k}` may hold only letters, digits, '-', '_' and '.'"),
                        "rename the key",
                    );
                }
            }
        }
    }

    /// `secret_store`: store kind and refresh interval.
    fn check_secret_store(&mut self, spec: &Platform) {
        if let Some(store) = &spec.secret_store {
            if let Some(k) = &store.kind
                && k != "ClusterSecretStore"
                && k != "SecretStore"
            {
                self.err(
                    &["secret_store", "kind"],
                    format!("unknown store kind `{k}`"),
                    "write ClusterSecretStore or SecretStore",
                );
            }
            if let Some(r) = &store.refresh
                && !is_duration(r)
            {
                self.err(&["secret_store", "refresh"], format!("`{r}` is not a duration"), "write e.g. 1h");
            }
        }
    }

    /// `monitoring.rules`: alert names, expressions, durations and severities.
    fn check_alert_rules(&mut self, spec: &Platform) {
        for (name, a) in &spec.monitoring.rules {
            let p = ["monitoring", "rules", name.as_str()];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                self.err(
                    &p,
                    format!("alert name `{name}` may hold only letters, digits and '_'"),
                    "e.g. QueueBacklogHigh",
                );
            }
            if a.expr.trim().is_empty() {
                self.err(&p, "alert expr is empty", "write a PromQL expression, e.g. queue_depth > 1000");
            }
            if let Some(f) = &a.for_
                && !is_duration(f)
            {
                self.err(&p, format!("`{f}` is not a duration"), "write e.g. 5m");
            }
            if let Some(s) = &a.severity
                && !["critical", "warning", "info"].contains(&s.as_str())
            {
                self.err(&p, format!("unknown severity `{s}`"), "write critical, warning or info");
            }
        }
    }

    /// No name is both a service and a database.
    fn check_name_clash(&mut self, spec: &Platform) {
        for name in spec.services.keys() {
            if spec.databases.contains_key(name) {
                self.err(
                    &["databases", name],
                    format!("`{name}` is both a service and a database"),
                    "rename one of them: they would share a Service name",
                );
            }
        }
    }

    pub(super) fn check_storage_class(&mut self, path: &[&str], class: &str) {
        let declared = self.storage_classes.clone();
        self.check_declared(path, "storage class", class, &declared);
        if !is_dns_subdomain(class) {
            self.err(
                path,
                format!("storage class name `{class}` is not valid"),
                "write the StorageClass name: lowercase letters, digits, '-' and '.', e.g. fast-ssd",
            );
        }
    }

    pub(super) fn check_labels(&mut self, path: &[&str], map: &BTreeMap<String, String>, values_too: bool) {
        for (k, v) in map {
            let mut p = path.to_vec();
            p.push(k);
            if !is_label_key(k) {
                self.err(
                    &p,
                    format!("`{k}` is not a valid label or annotation key"),
                    "write [prefix/]name: name up to 63 letters, digits, '-', '_' or '.'",
                );
            }
            if values_too && !is_label_value(v) {
                self.err(
                    &p,
                    format!("label value `{v}` is not valid"),
                    "up to 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric",
                );
            }
        }
    }

    pub(super) fn check_lint(&mut self, path: &[&str], lint: Option<&crate::spec::LintSpec>) {
        for (id, reason) in lint.iter().flat_map(|l| l.ignore.iter()) {
            let mut p = path.to_vec();
            p.push(id);
            if !crate::rules::RULES.iter().any(|r| r.id == id) {
                let ids: Vec<&str> = crate::rules::RULES.iter().map(|r| r.id).collect();
                self.err(&p, format!("unknown lint rule `{id}`"), format!("rules: {}", ids.join(", ")));
            } else if reason.trim().is_empty() {
                self.err(&p, format!("suppression of {id} gives no reason"), "say why the rule does not apply here");
            }
        }
    }
}
