//! Compose `labels:` (also `deploy.labels`) and `annotations:` → genk8s annotations.

use super::conv::Conv;
use crate::source::Span;
use crate::yaml::{Node, NodeKind};
use serde_json::{Map, Value, json};

impl Conv<'_> {
    /// Compose labels and annotations → genk8s annotations (values are free text there).
    pub(super) fn annotations(&mut self, n: &Node, path: &str, out: &mut Map<String, Value>) {
        let pairs: Vec<(String, String, Span)> = match &n.kind {
            NodeKind::Map(entries) => entries
                .iter()
                .map(|e| (e.key.clone(), e.value.as_str().unwrap_or_default().to_string(), e.key_span))
                .collect(),
            NodeKind::Seq(items) => items
                .iter()
                .filter_map(|i| {
                    let t = i.as_str()?;
                    let (k, v) = t.split_once('=').unwrap_or((t, ""));
                    Some((k.to_string(), v.to_string(), i.span))
                })
                .collect(),
            _ => Vec::new(),
        };
        for (k, v, span) in pairs {
            if is_annotation_key(&k) {
                out.insert(k, json!(v));
            } else {
                self.warn(span, format!("{path}.{k}"), "not a valid Kubernetes annotation key; not kept");
            }
        }
    }
}

/// Annotation key: optional DNS-subdomain prefix and a name of at most 63 characters.
fn is_annotation_key(k: &str) -> bool {
    let (prefix, name) = match k.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    prefix.is_none_or(crate::names::is_dns_subdomain)
        && !name.is_empty()
        && name.len() <= 63
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}
