//! Where each value of a validated spec was written, for checks that run after expand
//! and still report `file:line:col`.

use crate::source::SourceMap;
use crate::yaml::Node;
use crate::yaml::node::Entry;
use std::path::PathBuf;

/// The parts of the merged spec tree that checks after expand locate values in (every
/// node keeps its span), and the paths of the files they came from. Only those parts are
/// kept: the whole tree is as large as the rendered output, and it would stay in memory
/// through expansion.
#[derive(Debug, Clone)]
pub struct Origin {
    root: Node,
    paths: Vec<PathBuf>,
}

/// The subtrees kept, as paths of map keys where `*` is every key: the environment of
/// each service and where an OTel endpoint or a config value is written (GK018 names them).
const KEPT: &[&[&str]] =
    &[&["configs"], &["observability"], &["services", "*", "env"], &["services", "*", "observability"]];

/// `node` with only the subtrees `paths` reach (each path relative to `node`).
fn prune(node: &Node, paths: &[&[&str]]) -> Node {
    if paths.iter().any(|p| p.is_empty()) {
        return node.clone();
    }
    let Some(entries) = node.entries() else {
        return Node { span: node.span, kind: crate::yaml::NodeKind::Null };
    };
    let kept = entries
        .iter()
        .filter_map(|e| {
            let below: Vec<&[&str]> = paths.iter().filter(|p| p[0] == "*" || p[0] == e.key).map(|p| &p[1..]).collect();
            (!below.is_empty()).then(|| Entry {
                key: e.key.clone(),
                key_span: e.key_span,
                value: prune(&e.value, &below),
            })
        })
        .collect();
    Node::map(node.span, kept)
}

impl Origin {
    pub fn new(root: &Node, sources: &SourceMap) -> Origin {
        Origin { root: prune(root, KEPT), paths: sources.paths().map(PathBuf::from).collect() }
    }

    /// `file:line:col` of the value at `path` (or of its nearest written parent).
    pub fn locate(&self, path: &[&str]) -> String {
        let span = self.root.find(path);
        let file = self.paths.get(span.file as usize).map(|p| p.display().to_string()).unwrap_or_default();
        format!("{file}:{}:{}", span.line, span.col)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn keeps_the_located_subtrees_with_their_spans_and_drops_the_rest() {
        let text = "platform: p\nservices:\n  api:\n    image: a:1\n    env:\n      URL: http://x:80\n    observability:\n      otel: {endpoint: http://c:4317}\nconfigs:\n  c:\n    data: {K: v}\n";
        let root = crate::yaml::parse(text, 0).unwrap();
        let mut sm = SourceMap::default();
        sm.add(Path::new("platform.yaml"), text.to_string());
        let o = Origin::new(&root, &sm);
        assert_eq!(o.locate(&["services", "api", "env", "URL"]), "platform.yaml:6:12");
        assert_eq!(o.locate(&["services", "api", "observability", "otel", "endpoint"]), "platform.yaml:8:24");
        assert_eq!(o.locate(&["configs", "c", "data", "K"]), "platform.yaml:11:15");
        assert!(o.root.get("platform").is_none(), "unlocated values are not kept");
        assert!(o.root.get("services").and_then(|s| s.get("api")).and_then(|a| a.get("image")).is_none());
    }
}
