//! Pure predicates on names, keys, images and schedules: the Kubernetes and
//! genk8s naming rules that load, validate, expand and import share.

/// RFC 1123 label: lowercase alphanumerics and '-', starting and ending alphanumeric, at most 63.
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// RFC 1035 label (Service names): a DNS label that starts with a letter.
pub fn is_dns1035_label(s: &str) -> bool {
    is_dns_label(s) && s.starts_with(|c: char| c.is_ascii_lowercase())
}

/// RFC 1123 subdomain: dot-separated labels, at most 253.
pub fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns_label)
}

/// IANA service name (port names): at most 15, lowercase alphanumerics and '-', with a letter.
pub fn is_port_name(s: &str) -> bool {
    is_dns_label(s) && s.len() <= 15 && !s.contains("--") && s.chars().any(|c| c.is_ascii_lowercase())
}

pub fn is_config_key(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Label/annotation key: optional DNS-subdomain prefix and a name of at most 63 characters.
pub fn is_label_key(k: &str) -> bool {
    let (prefix, name) = match k.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    prefix.is_none_or(is_dns_subdomain)
        && !name.is_empty()
        && name.len() <= 63
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

pub fn is_label_value(v: &str) -> bool {
    v.is_empty() || (v.len() <= 63 && is_label_key(v) && !v.contains('/'))
}

/// Image tag: letters, digits, '_', '.' and '-', not starting with '.' or '-', at most 128.
pub fn is_image_tag(t: &str) -> bool {
    !t.is_empty()
        && t.len() <= 128
        && t.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && !t.starts_with(['.', '-'])
}

/// An image reference genk8s can pass on: non-empty, without whitespace.
pub fn is_image_ref(i: &str) -> bool {
    !i.trim().is_empty() && !i.contains(char::is_whitespace)
}

/// Downward API fields an environment variable may read (`fieldRef.fieldPath`).
pub const FIELD_PATHS: &[&str] = &[
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
];

pub fn is_field_path(f: &str) -> bool {
    if FIELD_PATHS.contains(&f) {
        return true;
    }
    ["metadata.labels['", "metadata.annotations['"]
        .iter()
        .any(|p| f.strip_prefix(p).and_then(|r| r.strip_suffix("']")).is_some_and(is_label_key))
}

/// Environment variable names whose values are credentials.
pub fn looks_secret(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY", "CREDENTIALS"]
        .iter()
        .any(|w| n.ends_with(w) || n.contains(&format!("{w}_")))
        && !n.ends_with("_FILE")
        && !n.ends_with("_PATH")
}

/// Environments held to production rules (no `latest` images).
pub fn is_production(env: &str) -> bool {
    matches!(env, "prod" | "production") || env.starts_with("prod-")
}

/// Prometheus duration: a number and a unit (ms, s, m, h, d, w, y), e.g. `15s` or `1m30s`.
pub fn is_duration(v: &str) -> bool {
    let mut rest = v;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        let unit = ["ms", "s", "m", "h", "d", "w", "y"].iter().find(|u| rest.starts_with(**u));
        match unit {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
}

pub fn is_int_or_percent(v: &str) -> bool {
    let digits = v.strip_suffix('%').unwrap_or(v);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

/// `api` + domain `example.com` → `api.example.com`; `@` → the domain; full names stay.
pub fn resolve_host(h: &str, domain: Option<&str>) -> Option<String> {
    if h == "@" {
        return domain.map(str::to_string);
    }
    if h.contains('.') {
        return Some(h.to_string());
    }
    domain.map(|d| format!("{h}.{d}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_dns_label("api-v2"));
        assert!(!is_dns_label("Api"));
        assert!(!is_dns_label("-a"));
        assert!(!is_dns_label(&"a".repeat(64)));
        assert!(is_port_name("http"));
        assert!(!is_port_name("8080"));
        assert!(!is_port_name("a-very-long-port-name"));
        assert!(is_label_key("app.kubernetes.io/name"));
        assert!(!is_label_key("bad key"));
        assert_eq!(resolve_host("api", Some("x.com")).as_deref(), Some("api.x.com"));
        assert_eq!(resolve_host("@", Some("x.com")).as_deref(), Some("x.com"));
        assert_eq!(resolve_host("api", None), None);
        assert!(is_duration("15s") && is_duration("1m30s") && is_duration("500ms"));
        assert!(!is_duration("15") && !is_duration("s") && !is_duration("1x"));
        assert!(is_field_path("metadata.name") && is_field_path("metadata.labels['app.kubernetes.io/name']"));
        assert!(!is_field_path("metadata.nme") && !is_field_path("metadata.labels['bad key']"));
        assert!(is_image_tag("16-alpine") && !is_image_tag("16 alpine") && !is_image_tag("-x"));
        assert!(is_image_ref("ghcr.io/acme/migrate:1.0") && !is_image_ref("ghcr.io/acme/migrate 1.0"));
    }
}
