//! Helpers the integration tests share: a platform folder with a dev overlay, and its build
//! read back with genk8s's own YAML loader. Each test crate uses a subset of them.
#![allow(dead_code)]

use assert_cmd::Command;
use genk8s::yaml::{Node, NodeKind, parse};
use std::path::Path;

/// `platform.yaml` with `base` and an overlay `environments/dev.yaml` setting the namespace.
pub fn write(dir: &Path, base: &str) {
    std::fs::create_dir_all(dir.join("environments")).unwrap();
    std::fs::write(dir.join("platform.yaml"), base).unwrap();
    std::fs::write(dir.join("environments/dev.yaml"), "namespace: t-dev\n").unwrap();
}

/// The objects of `genk8s build dev -p DIR`, which must succeed.
pub fn build(dir: &Path) -> Vec<Node> {
    let out = Command::cargo_bin("genk8s").unwrap().args(["build", "dev", "-p"]).arg(dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    text.split("---\n").filter(|d| !d.trim().is_empty()).map(|d| parse(d, 0).unwrap()).collect()
}

/// The object of `kind` named `name` among `objs`; panics when there is none.
pub fn find<'a>(objs: &'a [Node], kind: &str, name: &str) -> &'a Node {
    objs.iter()
        .find(|o| o.get("kind").and_then(Node::as_str) == Some(kind) && text(o, &["metadata", "name"]) == Some(name))
        .unwrap_or_else(|| panic!("no {kind}/{name}"))
}

/// The node at a path of map keys and list indexes.
pub fn at<'a>(n: &'a Node, p: &[&str]) -> Option<&'a Node> {
    p.iter().try_fold(n, |n, k| match (&n.kind, k.parse::<usize>()) {
        (NodeKind::Seq(v), Ok(i)) => v.get(i),
        _ => n.get(k),
    })
}

/// The scalar at a path.
pub fn text<'a>(n: &'a Node, p: &[&str]) -> Option<&'a str> {
    at(n, p).and_then(Node::as_str)
}

/// The items of the list at a path (none when it is not a list).
pub fn items<'a>(n: &'a Node, p: &[&str]) -> Vec<&'a Node> {
    match at(n, p).map(|n| &n.kind) {
        Some(NodeKind::Seq(v)) => v.iter().collect(),
        _ => Vec::new(),
    }
}

/// The rows of the README table that follows `heading`, each split into trimmed cells
/// (backticks removed), header and separator rows skipped.
pub fn readme_table(heading: &str) -> Vec<Vec<String>> {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme.find(heading).unwrap_or_else(|| panic!("README has {heading}"));
    readme[start..]
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2)
        .map(|l| l.trim_matches('|').split('|').map(|c| c.trim().trim_matches('`').to_string()).collect())
        .collect()
}
