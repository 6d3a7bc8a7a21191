//! `entrypoint:` → genk8s `command:`, `command:` → `args:`.

use super::conv::Conv;
use super::plan::Plan;
use super::values;
use crate::yaml::NodeKind;

impl Conv<'_> {
    /// `entrypoint` or `command`: a list is kept; a string is split like a shell would,
    /// or run through `/bin/sh -c` when it holds shell operators.
    pub(super) fn command(&mut self, p: &Plan, key: &str) -> Option<Vec<String>> {
        let entry = p.node.entry(key)?;
        let words = match &entry.value.kind {
            NodeKind::Seq(items) => items.iter().map(|i| i.as_str().unwrap_or_default().to_string()).collect(),
            NodeKind::Scalar { text, .. } => match values::shell_split(text) {
                Some(w) => w,
                None => {
                    self.note(entry.value.span, p.path(key), "holds shell syntax: runs through /bin/sh -c");
                    vec!["/bin/sh".into(), "-c".into(), text.clone()]
                }
            },
            _ => Vec::new(),
        };
        if words.is_empty() {
            if key == "entrypoint" {
                self.warn(
                    entry.key_span,
                    p.path(key),
                    "an empty entrypoint cannot be expressed: Kubernetes then uses the image's ENTRYPOINT",
                );
            }
            return None;
        }
        Some(words.iter().map(|w| values::escape_k8s_refs(w)).collect())
    }
}
