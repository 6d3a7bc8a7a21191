//! Where each value of a validated spec was written, for checks that run after expand
//! and still report `file:line:col`.

use crate::source::SourceMap;
use crate::yaml::Node;
use std::path::PathBuf;

/// The merged spec tree (every node keeps its span) and the paths of the files it came from.
#[derive(Debug, Clone)]
pub struct Origin {
    root: Node,
    paths: Vec<PathBuf>,
}

impl Origin {
    pub fn new(root: &Node, sources: &SourceMap) -> Origin {
        Origin { root: root.clone(), paths: sources.paths().map(PathBuf::from).collect() }
    }

    /// `file:line:col` of the value at `path` (or of its nearest written parent).
    pub fn locate(&self, path: &[&str]) -> String {
        let span = self.root.find(path);
        let file = self.paths.get(span.file as usize).map(|p| p.display().to_string()).unwrap_or_default();
        format!("{file}:{}:{}", span.line, span.col)
    }
}
