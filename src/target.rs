//! The Kubernetes versions genk8s writes for, and what each of them deprecates or removes.
//!
//! Objects are built from k8s-openapi with the feature of the oldest supported minor, so no
//! field newer than it can be written and every supported minor accepts the output. The
//! platform's `kubernetes:` setting picks the minor the checks hold the spec and the
//! objects to: validation refuses a minor outside [`SUPPORTED`], and lint reports every
//! [`CHANGES`] row that applies at the target (GK013 for a deprecation, GK014 for a removal).

use serde_json::Value;
use std::fmt;

/// A Kubernetes minor version of the 1.x line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Minor(pub u32);

impl fmt::Display for Minor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "1.{}", self.0)
    }
}

/// The minors in upstream support (late 2026), oldest first.
pub const SUPPORTED: [Minor; 3] = [Minor(35), Minor(36), Minor(37)];

/// The target when the platform sets none: the oldest supported minor.
pub const DEFAULT: Minor = SUPPORTED[0];

/// Reads `1.36` (or `v1.36`); `None` for anything that is not a 1.x minor.
pub fn parse(text: &str) -> Option<Minor> {
    let rest = text.strip_prefix('v').unwrap_or(text).strip_prefix("1.")?;
    if rest.is_empty() || rest.len() > 3 || !rest.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    rest.parse().ok().map(Minor)
}

/// The target of a platform: its `kubernetes:` setting, or [`DEFAULT`].
/// Validation has refused unsupported values, so an unreadable one cannot reach here.
pub fn of(setting: Option<&str>) -> Minor {
    setting.and_then(parse).unwrap_or(DEFAULT)
}

/// A field or kind that a Kubernetes minor deprecated (and maybe removed).
pub struct Change {
    /// The kind of object the field belongs to.
    pub kind: &'static str,
    /// Path of the field inside the object; empty when the whole kind is meant.
    pub field: &'static [&'static str],
    pub deprecated: Minor,
    pub removed: Option<Minor>,
    /// What to use instead.
    pub instead: &'static str,
}

/// Every deprecation or removal genk8s knows of that can reach a supported minor. genk8s
/// writes none of these today; the rows keep lint honest when a builder starts to.
pub const CHANGES: &[Change] = &[
    Change {
        kind: "Service",
        field: &["spec", "externalIPs"],
        deprecated: Minor(36),
        removed: None,
        instead: "a LoadBalancer Service or a Gateway",
    },
    Change {
        kind: "Endpoints",
        field: &[],
        deprecated: Minor(33),
        removed: None,
        instead: "EndpointSlice (discovery.k8s.io/v1)",
    },
];

impl Change {
    fn name(&self) -> String {
        if self.field.is_empty() { format!("{} (v1)", self.kind) } else { self.field.join(".") }
    }

    /// Whether an object of `kind` holding `value` uses this field.
    fn used_by(&self, kind: &str, value: &Value) -> bool {
        kind == self.kind && self.field.iter().try_fold(value, |v, k| v.get(k)).is_some()
    }
}

/// Whether `target` deprecates or removed anything of `kind` (so [`findings`] can skip the
/// object without reading it).
pub fn concerns(target: Minor, kind: &str) -> bool {
    CHANGES.iter().any(|c| c.deprecated <= target && c.kind == kind)
}

/// What one object uses that `target` deprecates or removed: (removed?, message).
pub fn findings(target: Minor, kind: &str, value: &Value) -> Vec<(bool, String)> {
    let mut out = Vec::new();
    for c in CHANGES.iter().filter(|c| c.deprecated <= target && c.used_by(kind, value)) {
        match c.removed {
            Some(r) if r <= target => {
                out.push((true, format!("{} was removed in Kubernetes {r}; use {}", c.name(), c.instead)))
            }
            _ => out.push((
                false,
                format!("{} is deprecated since Kubernetes {}; use {}", c.name(), c.deprecated, c.instead),
            )),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_minors() {
        assert_eq!(parse("1.36"), Some(Minor(36)));
        assert_eq!(parse("v1.37"), Some(Minor(37)));
        for bad in ["1", "1.", "2.1", "1.36.0", "1.x", "", "1.1000"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        assert_eq!(of(None), Minor(35));
        assert_eq!(Minor(36).to_string(), "1.36");
    }

    #[test]
    fn external_ips_are_deprecated_from_1_36_only() {
        let svc = json!({"spec": {"externalIPs": ["1.2.3.4"], "ports": []}});
        assert!(findings(Minor(35), "Service", &svc).is_empty());
        let at36 = findings(Minor(36), "Service", &svc);
        assert_eq!(
            at36,
            vec![(
                false,
                "spec.externalIPs is deprecated since Kubernetes 1.36; use a LoadBalancer Service or a Gateway".into()
            )]
        );
        assert!(findings(Minor(37), "Service", &json!({"spec": {"ports": []}})).is_empty());
        assert!(findings(Minor(37), "Deployment", &svc).is_empty());
    }

    #[test]
    fn whole_kinds_match_any_object_of_the_kind() {
        let found = findings(Minor(35), "Endpoints", &json!({"subsets": []}));
        assert_eq!(found.len(), 1);
        assert!(found[0].1.starts_with("Endpoints (v1) is deprecated since Kubernetes 1.33"), "{found:?}");
    }
}
