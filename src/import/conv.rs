//! The Compose conversion's state and choices, and the small readers of Compose
//! values every part of the conversion uses.

use super::{Finding, Level};
use crate::source::{SourceMap, Span};
use crate::yaml::{Node, NodeKind};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Choices of the command line.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// Platform name (default: the Compose `name:` or the Compose file's folder name).
    pub name: Option<String>,
    /// Compose profiles to include (`*` for all); services in no profile are always included.
    pub profiles: Vec<String>,
}

/// The conversion's state: where it reads files, and what it has found so far.
pub(super) struct Conv<'a> {
    /// Where relative paths (env files, configs) are read.
    pub(super) dir: &'a Path,
    /// `dir` as shown in messages.
    pub(super) display_dir: &'a Path,
    /// Env files read are added here, so findings can point into them.
    pub(super) sources: &'a mut SourceMap,
    /// The project's variables (environment and env files).
    pub(super) vars: &'a super::interpolate::Vars,
    pub(super) findings: Vec<Finding>,
    /// Secrets the cluster must hold, with their keys.
    pub(super) secrets: BTreeMap<String, BTreeSet<String>>,
    /// Project files copied into the platform folder: (path there, text).
    pub(super) copies: Vec<(String, String)>,
}

impl Conv<'_> {
    fn push(&mut self, level: Level, span: Span, path: impl Into<String>, message: impl Into<String>) {
        self.findings.push(Finding { level, span, path: path.into(), message: message.into() });
    }

    pub(super) fn warn(&mut self, span: Span, path: impl Into<String>, message: impl Into<String>) {
        self.push(Level::Warning, span, path, message);
    }

    pub(super) fn note(&mut self, span: Span, path: impl Into<String>, message: impl Into<String>) {
        self.push(Level::Note, span, path, message);
    }
}

/// Size given to every named volume: Compose volumes have no size.
pub const DEFAULT_VOLUME_SIZE: &str = "1Gi";

/// One secret value shared across the project: the variable that names it and its
/// key in the shared Secret (see `shared`).
pub(super) struct Atom {
    pub(super) value: String,
    pub(super) var: String,
    pub(super) key: String,
}

/// A scalar or a list of scalars as strings (`profiles: [a, b]`, `env_file: .env`).
pub(super) fn string_list(n: Option<&Node>) -> Vec<String> {
    match n.map(|n| &n.kind) {
        Some(NodeKind::Scalar { text, .. }) => vec![text.clone()],
        Some(NodeKind::Seq(items)) => items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

pub(super) fn is_true(n: Option<&Node>) -> bool {
    n.and_then(Node::as_str).is_some_and(|s| s == "true")
}
