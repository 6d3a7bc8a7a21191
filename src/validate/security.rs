//! Security checks: a platform never takes over a namespace the cluster itself uses,
//! and never grants API access wider than the spec asks for in so many words.
//!
//! - The platform namespace may not be `default` or start with `kube-` (Kubernetes
//!   reserves the prefix: kube-system, kube-public, kube-node-lease). genk8s owns its
//!   namespace: it labels it `restricted` and puts a default-deny NetworkPolicy over it.
//! - An `access` entry with `*` as verb, resource or group is refused unless the
//!   service lists it, with a reason, under `access_wildcards`.
//! - An `access` entry that covers every Secret of the namespace (`secrets` without
//!   a name) is a warning: it reaches the database credentials of every service.

use super::{Checker, Valid};
use crate::diag::Diagnostic;
use crate::spec::{Access, Platform, Service};
use crate::yaml::Node;

/// Namespaces the cluster runs on or hands to everyone; a platform may not take them over.
pub fn is_system_namespace(ns: &str) -> bool {
    ns == "default" || ns.starts_with("kube-")
}

/// Where `access` grants a wildcard, in words; `None` for an entry without one.
fn wildcard(a: &Access) -> Option<String> {
    let mut parts = Vec::new();
    if a.verbs.iter().any(|v| v == "*") {
        parts.push("every verb");
    }
    if a.resource.contains('*') {
        parts.push("every resource (Secrets included)");
    }
    if a.group.contains('*') {
        parts.push("every API group");
    }
    (!parts.is_empty()).then(|| parts.join(" on "))
}

impl Checker<'_> {
    /// The platform namespace, and every service's API access.
    pub(super) fn check_security(&mut self, spec: &Platform, namespace: &str) {
        if is_system_namespace(namespace) {
            let path: &[&str] = if spec.namespace.is_some() { &["namespace"] } else { &["platform"] };
            self.err(
                path,
                format!("namespace `{namespace}` belongs to the cluster; genk8s would relabel it and deny its traffic"),
                format!(
                    "give the platform a namespace of its own, e.g. `namespace: {}-{}` (default and kube-* are refused)",
                    spec.platform, self.env
                ),
            );
        }
        for (name, svc) in &spec.services {
            self.check_wildcards(name, svc);
        }
    }

    fn check_wildcards(&mut self, name: &str, svc: &Service) {
        for (i, entry) in svc.access.iter().enumerate() {
            let Some(what) = Access::parse(entry).ok().as_ref().and_then(wildcard) else { continue };
            if !svc.access_wildcards.contains_key(entry) {
                self.err(
                    &["services", name, "access", &i.to_string()],
                    format!("access `{entry}` is a wildcard: it grants {what}"),
                    format!(
                        "list the verbs and resources the service needs, e.g. `get,list,watch configmaps`; if the wildcard is intended, add access_wildcards: {{\"{entry}\": \"<why>\"}}"
                    ),
                );
            }
        }
        for (entry, why) in &svc.access_wildcards {
            let path = ["services", name, "access_wildcards", entry.as_str()];
            let help = "list here only wildcard entries of this service's access, exactly as written, or remove it";
            if !svc.access.iter().any(|a| a == entry) {
                self.err(&path, format!("access_wildcards names `{entry}`, which access does not list"), help);
            } else if Access::parse(entry).ok().as_ref().and_then(wildcard).is_none() {
                self.err(&path, format!("access_wildcards names `{entry}`, which is not a wildcard"), help);
            } else if why.trim().is_empty() {
                self.err(
                    &path,
                    format!("access_wildcards `{entry}` gives no reason"),
                    "say why the wildcard is needed",
                );
            }
        }
    }
}

/// Warnings of a valid spec: access that covers every Secret of the namespace.
pub fn warnings(v: &Valid, root: &Node) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (name, svc) in &v.spec.services {
        for (i, entry) in svc.access.iter().enumerate() {
            let Ok(a) = Access::parse(entry) else { continue };
            if a.resource == "secrets" && a.group.is_empty() && a.name.is_none() {
                out.push(
                    Diagnostic::at(
                        root.find(&["services", name, "access", &i.to_string()]),
                        format!(
                            "access `{entry}` covers every Secret in the namespace, the database credentials of every service included"
                        ),
                    )
                    .help("name the Secret the service needs, e.g. `get secrets/app-token`"),
                );
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_namespaces() {
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] {
            assert!(is_system_namespace(ns), "{ns}");
        }
        for ns in ["shop-prod", "kubeflow", "my-default"] {
            assert!(!is_system_namespace(ns), "{ns}");
        }
    }

    #[test]
    fn wildcards_in_words() {
        let w = |s: &str| wildcard(&Access::parse(s).unwrap());
        assert_eq!(w("* *").as_deref(), Some("every verb on every resource (Secrets included)"));
        assert_eq!(w("get *").as_deref(), Some("every resource (Secrets included)"));
        assert_eq!(w("* configmaps").as_deref(), Some("every verb"));
        assert_eq!(w("get deployments.*").as_deref(), Some("every API group"));
        assert_eq!(w("get,list configmaps"), None);
        assert_eq!(w("get secrets/app-token"), None);
    }
}
