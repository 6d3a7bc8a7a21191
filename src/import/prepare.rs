//! The Compose tree before conversion: `x-*` extension fields dropped, variables interpolated.

use super::conv::Conv;
use super::interpolate::interpolate;
use crate::yaml::node::Entry;
use crate::yaml::{Node, NodeKind};

impl Conv<'_> {
    /// Drops extension fields, then interpolates every scalar (reporting unset variables).
    pub(super) fn prepare(&mut self, root: Node) -> Node {
        let mut root = strip_extensions(root);
        self.interpolate_tree(&mut root, "");
        root
    }

    fn interpolate_tree(&mut self, node: &mut Node, path: &str) {
        let span = node.span;
        match &mut node.kind {
            NodeKind::Scalar { text, .. } => {
                if text.contains('$') {
                    let mut unset = Vec::new();
                    *text = interpolate(text, &mut unset);
                    for m in unset {
                        self.warn(span, path, m);
                    }
                }
            }
            NodeKind::Seq(items) => {
                for (i, it) in items.iter_mut().enumerate() {
                    self.interpolate_tree(it, &format!("{path}[{i}]"));
                }
            }
            NodeKind::Map(entries) => {
                for e in entries {
                    let p = join(path, &e.key);
                    self.interpolate_tree(&mut e.value, &p);
                }
            }
            NodeKind::Null => {}
        }
    }
}

/// Removes `x-*` extension fields from the top level and from every service.
fn strip_extensions(root: Node) -> Node {
    let NodeKind::Map(entries) = root.kind else { return root };
    let entries = entries
        .into_iter()
        .filter(|e| !e.key.starts_with("x-"))
        .map(|e| {
            if e.key != "services" {
                return e;
            }
            let NodeKind::Map(svcs) = e.value.kind else { return e };
            let svcs = svcs
                .into_iter()
                .map(|s| match s.value.kind {
                    NodeKind::Map(fields) => Entry {
                        value: Node::map(
                            s.value.span,
                            fields.into_iter().filter(|f| !f.key.starts_with("x-")).collect(),
                        ),
                        ..s
                    },
                    _ => s,
                })
                .collect();
            Entry { value: Node { span: e.value.span, kind: NodeKind::Map(svcs) }, ..e }
        })
        .collect();
    Node::map(root.span, entries)
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}
