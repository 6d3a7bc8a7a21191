//! `genk8s explain ENV [PATH]`: the merged spec of an environment, every value
//! annotated with the file:line:col it came from (base, overlay, or a genk8s
//! default), to answer "why is replicas 5 in prod?".

use crate::source::{SourceMap, Span};
use crate::yaml::emit::is_plain_safe;
use crate::yaml::{Node, NodeKind};
use std::fmt::Write as _;
use std::path::Path;

/// Defaults genk8s applies when a value is not written, for the paths people ask about.
const DEFAULTS: &[(&str, &str)] = &[
    ("namespace", "<platform>-<env>"),
    ("kubernetes", "1.35 (the oldest minor in upstream support; 1.36 and 1.37 are accepted too)"),
    ("services.*.replicas", "1 (no Deployment replicas when autoscale is set: the HPA owns them)"),
    ("services.*.resources.cpu", "100m"),
    ("services.*.resources.memory", "128Mi/256Mi"),
    ("services.*.strategy", "rolling: {max_surge: 25%, max_unavailable: 0}; recreate with volumes or GPUs"),
    ("services.*.probes", "tcp liveness and readiness on the first port, when the service has ports"),
    ("services.*.pdb", "max_unavailable: 1 when replicas > 1"),
    ("services.*.run_as_user", "10001"),
    ("services.*.ingress.path", "/"),
    ("services.*.ingress.path_type", "Prefix"),
    ("services.*.ingress.tls", "on when an issuer is set"),
    ("services.*.metrics.path", "/metrics"),
    ("services.*.metrics.interval", "30s"),
    ("databases.*.replicas", "1"),
    ("databases.*.credentials", "<name>-credentials"),
    ("databases.*.version", "the engine's default tag (see README: Database engine catalog)"),
    ("databases.*.storage.size", "the engine's default size"),
    ("databases.*.backup.keep", "7"),
    ("ingress.controller_namespace", "ingress-nginx"),
    ("monitoring.namespace", "monitoring"),
];

fn default_for(path: &[&str]) -> Option<&'static str> {
    DEFAULTS.iter().find_map(|(pattern, value)| {
        let parts: Vec<&str> = pattern.split('.').collect();
        (parts.len() == path.len() && parts.iter().zip(path).all(|(p, x)| *p == "*" || p == x)).then_some(*value)
    })
}

fn location(sources: &SourceMap, root: &Path, span: Span) -> String {
    let file = &sources.file(span.file).path;
    let shown = file.strip_prefix(root).unwrap_or(file);
    format!("{}:{}:{}", shown.display(), span.line, span.col)
}

fn scalar(text: &str) -> String {
    if is_plain_safe(text) { text.to_string() } else { format!("{text:?}") }
}

fn write_node(out: &mut String, n: &Node, indent: usize, sources: &SourceMap, root: &Path) {
    let pad = " ".repeat(indent);
    match &n.kind {
        NodeKind::Map(entries) => {
            for e in entries {
                match &e.value.kind {
                    NodeKind::Map(_) | NodeKind::Seq(_) => {
                        let _ = writeln!(out, "{pad}{}:", scalar(&e.key));
                        write_node(out, &e.value, indent + 2, sources, root);
                    }
                    _ => {
                        let _ = writeln!(
                            out,
                            "{pad}{}: {}    # {}",
                            scalar(&e.key),
                            leaf(&e.value),
                            location(sources, root, e.value.span)
                        );
                    }
                }
            }
        }
        NodeKind::Seq(items) => {
            for item in items {
                match &item.kind {
                    NodeKind::Map(_) | NodeKind::Seq(_) => {
                        let _ = writeln!(out, "{pad}-");
                        write_node(out, item, indent + 2, sources, root);
                    }
                    _ => {
                        let _ = writeln!(out, "{pad}- {}    # {}", leaf(item), location(sources, root, item.span));
                    }
                }
            }
        }
        _ => {
            let _ = writeln!(out, "{pad}{}    # {}", leaf(n), location(sources, root, n.span));
        }
    }
}

fn leaf(n: &Node) -> String {
    match &n.kind {
        NodeKind::Scalar { text, .. } if text.contains('\n') => format!("{:?}", text),
        // Shown as written: a plain `8000` stays plain, a quoted "on" stays quoted.
        NodeKind::Scalar { text, plain: true } => text.clone(),
        NodeKind::Scalar { text, .. } => format!("{text:?}"),
        _ => "null".into(),
    }
}

/// Renders the merged spec, or the part at `path` (dot-separated, e.g. `services.api.replicas`).
pub fn render(merged: &Node, path: Option<&str>, sources: &SourceMap, root: &Path) -> Result<String, String> {
    let mut out = String::new();
    let Some(path) = path.filter(|p| !p.is_empty()) else {
        write_node(&mut out, merged, 0, sources, root);
        return Ok(out);
    };
    let parts: Vec<&str> = path.split('.').collect();
    let mut node = merged;
    for (i, part) in parts.iter().enumerate() {
        let next = match &node.kind {
            NodeKind::Map(_) => node.get(part),
            NodeKind::Seq(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => {
                let known: Vec<&str> =
                    node.entries().map(|e| e.iter().map(|e| e.key.as_str()).collect()).unwrap_or_default();
                return match default_for(&parts) {
                    Some(d) if i == parts.len() - 1 => {
                        Ok(format!("{path}: not set in the base or the environment; genk8s default: {d}\n"))
                    }
                    _ => {
                        let hint = crate::diag::suggest(part, known.iter().copied())
                            .map(|s| format!(" (did you mean `{s}`?)"))
                            .unwrap_or_default();
                        Err(format!("`{path}`: `{part}` is not set{hint}; here: {}", known.join(", ")))
                    }
                };
            }
        }
    }
    match &node.kind {
        NodeKind::Map(_) | NodeKind::Seq(_) => {
            let _ = writeln!(out, "{path}:");
            write_node(&mut out, node, 2, sources, root);
        }
        _ => {
            let _ = writeln!(out, "{path}: {}    # {}", leaf(node), location(sources, root, node.span));
        }
    }
    Ok(out)
}
