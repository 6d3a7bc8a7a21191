//! Label selectors as the API server defines them: every `matchLabels` pair and every
//! `matchExpressions` requirement must hold; an empty selector selects everything.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use std::collections::BTreeMap;

/// Labels of a pod or namespace.
pub type Labels = BTreeMap<String, String>;

/// Whether `selector` selects an object with `labels`.
pub fn matches(selector: &LabelSelector, labels: &Labels) -> bool {
    let pairs = selector.match_labels.iter().flatten().all(|(k, v)| labels.get(k) == Some(v));
    pairs
        && selector.match_expressions.iter().flatten().all(|e| {
            let values = e.values.as_deref().unwrap_or_default();
            let value = labels.get(&e.key);
            match e.operator.as_str() {
                "In" => value.is_some_and(|v| values.contains(v)),
                "NotIn" => value.is_none_or(|v| !values.contains(v)),
                "Exists" => value.is_some(),
                "DoesNotExist" => value.is_none(),
                // The API server refuses any other operator; a selector it would refuse selects nothing.
                _ => false,
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelectorRequirement;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn expr(key: &str, op: &str, values: &[&str]) -> LabelSelector {
        LabelSelector {
            match_expressions: Some(vec![LabelSelectorRequirement {
                key: key.into(),
                operator: op.into(),
                values: Some(values.iter().map(|v| v.to_string()).collect()),
            }]),
            match_labels: None,
        }
    }

    #[test]
    fn empty_selector_selects_everything() {
        assert!(matches(&LabelSelector::default(), &labels(&[])));
        assert!(matches(&LabelSelector::default(), &labels(&[("a", "b")])));
    }

    #[test]
    fn match_labels_needs_every_pair() {
        let sel =
            LabelSelector { match_labels: Some(labels(&[("app", "api"), ("tier", "web")])), ..Default::default() };
        assert!(matches(&sel, &labels(&[("app", "api"), ("tier", "web"), ("x", "y")])));
        assert!(!matches(&sel, &labels(&[("app", "api")])));
        assert!(!matches(&sel, &labels(&[("app", "api"), ("tier", "db")])));
    }

    #[test]
    fn expressions_follow_the_api_semantics() {
        let pod = labels(&[("env", "prod")]);
        assert!(matches(&expr("env", "In", &["dev", "prod"]), &pod));
        assert!(!matches(&expr("env", "In", &["dev"]), &pod));
        assert!(matches(&expr("env", "NotIn", &["dev"]), &pod));
        assert!(!matches(&expr("env", "NotIn", &["prod"]), &pod));
        assert!(matches(&expr("team", "NotIn", &["a"]), &pod), "NotIn holds when the key is absent");
        assert!(matches(&expr("env", "Exists", &[]), &pod));
        assert!(!matches(&expr("team", "Exists", &[]), &pod));
        assert!(matches(&expr("team", "DoesNotExist", &[]), &pod));
        assert!(!matches(&expr("env", "Bogus", &[]), &pod));
    }
}
