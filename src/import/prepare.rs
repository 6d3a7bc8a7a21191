//! One Compose file before merging: `x-*` extension fields dropped, then every
//! scalar interpolated with the project's variables.

use super::interpolate::{Vars, interpolate};
use super::{Finding, Level};
use crate::diag::Diagnostic;
use crate::yaml::node::Entry;
use crate::yaml::{Node, NodeKind};

/// Interpolates every scalar below `node`; unset variables are warnings, a missing
/// required variable (`${VAR:?message}`) is an error at its place.
pub(super) fn interpolate_tree(
    node: &mut Node,
    path: &str,
    vars: &Vars,
    findings: &mut Vec<Finding>,
) -> Result<(), Diagnostic> {
    let span = node.span;
    match &mut node.kind {
        NodeKind::Scalar { text, .. } => {
            if text.contains('$') {
                let mut unset = Vec::new();
                *text = interpolate(text, vars, &mut unset).map_err(|e| {
                    Diagnostic::at(span, format!("{path}: {e}"))
                        .help("set the variable in the environment, in .env beside the Compose file, or in a file passed with --env-file")
                })?;
                for message in unset {
                    findings.push(Finding { level: Level::Warning, span, path: path.to_string(), message });
                }
            }
        }
        NodeKind::Seq(items) => {
            for (i, it) in items.iter_mut().enumerate() {
                interpolate_tree(it, &format!("{path}[{i}]"), vars, findings)?;
            }
        }
        NodeKind::Map(entries) => {
            for e in entries {
                let p = join(path, &e.key);
                interpolate_tree(&mut e.value, &p, vars, findings)?;
            }
        }
        NodeKind::Null => {}
    }
    Ok(())
}

/// Removes `x-*` extension fields from the top level and from every service.
pub(super) fn strip_extensions(root: Node) -> Node {
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

pub(super) fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}
