//! Checks against what a current cluster runs: the target Kubernetes version, storage
//! provisioners that Kubernetes removed, and ingress-nginx annotations the controller does
//! not define or refuses. Errors where the cluster would reject or silently ignore a value;
//! warnings (returned, rendered with their location) where the value only is risky.

use crate::diag::{Diagnostic, Diagnostics, suggest};
use crate::source::SourceMap;
use crate::spec::{Map, Platform};
use crate::target;
use crate::yaml::Node;

/// In-tree volume provisioners that Kubernetes removed, and the CSI driver replacing each.
pub const REMOVED_PROVISIONERS: &[(&str, &str)] = &[
    ("kubernetes.io/aws-ebs", "ebs.csi.aws.com"),
    ("kubernetes.io/gce-pd", "pd.csi.storage.gke.io"),
    ("kubernetes.io/azure-disk", "disk.csi.azure.com"),
    ("kubernetes.io/azure-file", "file.csi.azure.com"),
    ("kubernetes.io/cinder", "cinder.csi.openstack.org"),
    ("kubernetes.io/vsphere-volume", "csi.vsphere.vmware.com"),
];

/// The prefix of ingress-nginx's annotations.
pub const NGINX: &str = "nginx.ingress.kubernetes.io/";

/// Every annotation (without the prefix) that ingress-nginx reads, from its annotation
/// reference and its annotation parsers, as its source stood at its retirement (March 2026).
pub const NGINX_ANNOTATIONS: &[&str] = &[
    "affinity",
    "affinity-canary-behavior",
    "affinity-mode",
    "allowlist-source-range",
    "app-root",
    "auth-always-set-cookie",
    "auth-cache-duration",
    "auth-cache-key",
    "auth-keepalive",
    "auth-keepalive-requests",
    "auth-keepalive-share-vars",
    "auth-keepalive-timeout",
    "auth-method",
    "auth-proxy-set-headers",
    "auth-realm",
    "auth-request-redirect",
    "auth-response-headers",
    "auth-secret",
    "auth-secret-type",
    "auth-signin",
    "auth-signin-redirect-param",
    "auth-snippet",
    "auth-tls-error-page",
    "auth-tls-match-cn",
    "auth-tls-pass-certificate-to-upstream",
    "auth-tls-secret",
    "auth-tls-verify-client",
    "auth-tls-verify-depth",
    "auth-type",
    "auth-url",
    "backend-protocol",
    "canary",
    "canary-by-cookie",
    "canary-by-header",
    "canary-by-header-pattern",
    "canary-by-header-value",
    "canary-weight",
    "canary-weight-total",
    "client-body-buffer-size",
    "configuration-snippet",
    "connection-proxy-header",
    "cors-allow-credentials",
    "cors-allow-headers",
    "cors-allow-methods",
    "cors-allow-origin",
    "cors-expose-headers",
    "cors-max-age",
    "custom-headers",
    "custom-http-errors",
    "default-backend",
    "denylist-source-range",
    "disable-proxy-intercept-errors",
    "enable-access-log",
    "enable-cors",
    "enable-global-auth",
    "enable-modsecurity",
    "enable-opentelemetry",
    "enable-owasp-core-rules",
    "enable-rewrite-log",
    "fastcgi-index",
    "fastcgi-params-configmap",
    "force-ssl-redirect",
    "from-to-www-redirect",
    "http2-push-preload",
    "limit-allowlist",
    "limit-burst-multiplier",
    "limit-connections",
    "limit-rate",
    "limit-rate-after",
    "limit-rpm",
    "limit-rps",
    "limit-whitelist",
    "load-balance",
    "mirror-host",
    "mirror-request-body",
    "mirror-target",
    "modsecurity-snippet",
    "modsecurity-transaction-id",
    "opentelemetry-operation-name",
    "opentelemetry-trust-incoming-span",
    "permanent-redirect",
    "permanent-redirect-code",
    "preserve-trailing-slash",
    "proxy-body-size",
    "proxy-buffer-size",
    "proxy-buffering",
    "proxy-buffers-number",
    "proxy-busy-buffers-size",
    "proxy-connect-timeout",
    "proxy-cookie-domain",
    "proxy-cookie-path",
    "proxy-http-version",
    "proxy-max-temp-file-size",
    "proxy-next-upstream",
    "proxy-next-upstream-timeout",
    "proxy-next-upstream-tries",
    "proxy-read-timeout",
    "proxy-redirect-from",
    "proxy-redirect-to",
    "proxy-request-buffering",
    "proxy-send-timeout",
    "proxy-ssl-ciphers",
    "proxy-ssl-name",
    "proxy-ssl-protocols",
    "proxy-ssl-secret",
    "proxy-ssl-server-name",
    "proxy-ssl-verify",
    "proxy-ssl-verify-depth",
    "relative-redirects",
    "rewrite-target",
    "satisfy",
    "server-alias",
    "server-snippet",
    "service-upstream",
    "session-cookie-change-on-failure",
    "session-cookie-conditional-samesite-none",
    "session-cookie-domain",
    "session-cookie-expires",
    "session-cookie-max-age",
    "session-cookie-name",
    "session-cookie-path",
    "session-cookie-samesite",
    "session-cookie-secure",
    "ssl-ciphers",
    "ssl-passthrough",
    "ssl-prefer-server-ciphers",
    "ssl-redirect",
    "stream-snippet",
    "temporal-redirect",
    "temporal-redirect-code",
    "upstream-hash-by",
    "upstream-hash-by-subset",
    "upstream-hash-by-subset-size",
    "upstream-vhost",
    "use-port-in-redirects",
    "use-regex",
    "whitelist-source-range",
    "x-forwarded-prefix",
];

/// Names that look like ingress-nginx annotations but are not, with what to write instead
/// (for those no spelling suggestion finds).
const NGINX_LOOKALIKES: &[(&str, &str)] = &[
    ("rate-limit", "ingress-nginx limits with limit-rps (per second), limit-rpm (per minute) or limit-connections"),
    ("rate-limit-window", "ingress-nginx has no window setting: limit-rpm counts per minute, limit-rps per second"),
];

/// Snippet annotations: raw nginx configuration, which ingress-nginx refuses by default.
pub const NGINX_SNIPPETS: &[&str] =
    &["auth-snippet", "configuration-snippet", "modsecurity-snippet", "server-snippet", "stream-snippet"];

/// Runs every cluster check; errors go to `diags`, warnings come back rendered.
pub fn check(spec: &Platform, root: &Node, sources: &SourceMap, diags: &mut Diagnostics) -> Vec<String> {
    let mut warnings = Diagnostics::default();
    check_target_version(spec, root, diags);
    check_provisioners(spec, root, diags);
    for (path, map) in ingress_annotations(spec) {
        check_nginx_annotations(root, &path, map, diags);
        warnings.items.extend(check_ingress_class_annotation(root, &path, map));
    }
    warnings.sort();
    warnings.items.iter().map(|w| w.render_warning(sources)).collect()
}

/// Every map of Ingress annotations in the spec, with its path.
fn ingress_annotations(spec: &Platform) -> Vec<(Vec<&str>, &Map)> {
    let mut out = vec![(vec!["ingress", "annotations"], &spec.ingress.annotations)];
    for (name, svc) in &spec.services {
        if let Some(ing) = &svc.ingress {
            out.push((vec!["services", name.as_str(), "ingress", "annotations"], &ing.annotations));
        }
    }
    out
}

/// Where the key `key` of the map at `path` is written (the key, not its value).
fn key_span(root: &Node, path: &[&str], key: &str) -> crate::source::Span {
    let map = path.iter().try_fold(root, |n, k| n.get(k));
    match map.and_then(|m| m.entry(key)) {
        Some(e) => e.key_span,
        None => root.find(path),
    }
}

/// `kubernetes:` names a supported minor.
fn check_target_version(spec: &Platform, root: &Node, diags: &mut Diagnostics) {
    let Some(text) = spec.kubernetes.as_deref() else { return };
    let [a, b, c] = target::SUPPORTED;
    let help =
        format!("write {a}, {b} or {c} (the minors in upstream support); without `kubernetes:` the target is {a}");
    let message = match target::parse(text) {
        None => format!("`{text}` is not a Kubernetes minor version such as {}", target::DEFAULT),
        Some(m) if target::SUPPORTED.contains(&m) => return,
        Some(m) => format!("Kubernetes {m} is not supported"),
    };
    diags.push(Diagnostic::at(root.find(&["kubernetes"]), message).help(help));
}

/// StorageClasses name a provisioner the cluster still has.
fn check_provisioners(spec: &Platform, root: &Node, diags: &mut Diagnostics) {
    for (name, sc) in &spec.storage_classes {
        if let Some((_, csi)) = REMOVED_PROVISIONERS.iter().find(|(p, _)| *p == sc.provisioner) {
            diags.push(
                Diagnostic::at(
                    root.find(&["storage_classes", name, "provisioner"]),
                    format!("the in-tree provisioner `{}` was removed from Kubernetes", sc.provisioner),
                )
                .help(format!(
                    "write `provisioner: {csi}` (its CSI driver, which must be installed); claims of this class would stay Pending"
                )),
            );
        }
    }
}

/// Annotations under `nginx.ingress.kubernetes.io/` are ones ingress-nginx reads, and no snippets.
fn check_nginx_annotations(root: &Node, path: &[&str], map: &Map, diags: &mut Diagnostics) {
    for key in map.keys() {
        let Some(name) = key.strip_prefix(NGINX) else { continue };
        let at = key_span(root, path, key);
        if NGINX_SNIPPETS.contains(&name) {
            diags.push(Diagnostic::at(at, format!("`{key}` is a snippet annotation, which ingress-nginx refuses by default")).help(
                "snippets are off by default since ingress-nginx 1.9 (CVE-2021-25742) and its admission webhook rejects the \
                 Ingress: use the annotation made for the setting, or send headers from the application \
                 (controller-wide: add-headers in the controller's ConfigMap)",
            ));
        } else if !NGINX_ANNOTATIONS.contains(&name) {
            let help = match NGINX_LOOKALIKES.iter().find(|(n, _)| *n == name) {
                Some((_, hint)) => (*hint).to_string(),
                None => match suggest(name, NGINX_ANNOTATIONS.iter().copied()) {
                    Some(s) => format!("did you mean `{NGINX}{s}`?"),
                    None => "remove it, or write one of the annotations ingress-nginx documents".into(),
                },
            };
            diags.push(
                Diagnostic::at(at, format!("ingress-nginx has no annotation `{key}`: it would be ignored")).help(help),
            );
        }
    }
}

/// The `kubernetes.io/ingress.class` annotation is deprecated in favour of `ingressClassName`.
fn check_ingress_class_annotation(root: &Node, path: &[&str], map: &Map) -> Option<Diagnostic> {
    const KEY: &str = "kubernetes.io/ingress.class";
    map.contains_key(KEY).then(|| {
        Diagnostic::at(key_span(root, path, KEY), format!("the annotation `{KEY}` is deprecated"))
            .help("set `class:` under ingress instead: genk8s writes it as spec.ingressClassName")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotation_table_is_sorted_and_holds_the_rate_limits() {
        let mut sorted = NGINX_ANNOTATIONS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, NGINX_ANNOTATIONS, "keep NGINX_ANNOTATIONS sorted and free of repeats");
        for real in ["limit-rps", "limit-rpm", "limit-connections", "ssl-redirect", "canary-weight"] {
            assert!(NGINX_ANNOTATIONS.contains(&real), "{real}");
        }
        for (fake, _) in NGINX_LOOKALIKES {
            assert!(!NGINX_ANNOTATIONS.contains(fake), "{fake}");
        }
        assert!(NGINX_SNIPPETS.iter().all(|s| NGINX_ANNOTATIONS.contains(s)));
    }

    #[test]
    fn typos_get_the_real_name() {
        assert_eq!(suggest("limt-rps", NGINX_ANNOTATIONS.iter().copied()), Some("limit-rps"));
        assert_eq!(suggest("ssl-redirct", NGINX_ANNOTATIONS.iter().copied()), Some("ssl-redirect"));
    }

    #[test]
    fn every_removed_provisioner_maps_to_a_csi_driver() {
        for (old, new) in REMOVED_PROVISIONERS {
            assert!(old.starts_with("kubernetes.io/"), "{old}");
            assert!(!new.starts_with("kubernetes.io/") && new.contains('.'), "{new}");
        }
    }
}
