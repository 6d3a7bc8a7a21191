//! Compose `secrets:` (files in /run/secrets) → a mounted Kubernetes Secret, and
//! `configs:` with `content:` or `file:` → genk8s `files:` (a ConfigMap).

use super::conv::Conv;
use super::plan::{Context, Plan};
use crate::yaml::node::Entry;
use crate::yaml::{Node, NodeKind};
use serde_json::{Map, Value, json};

/// Largest config file copied into `files:`.
const MAX_CONFIG_FILE: usize = 256 * 1024;

impl Conv<'_> {
    /// Compose secrets (files in /run/secrets) → a mount of one Kubernetes Secret.
    pub(super) fn compose_secrets(&mut self, p: &Plan, e: &Entry, mounts: &mut Map<String, Value>) {
        let NodeKind::Seq(items) = &e.value.kind else { return };
        let secret = format!("{}-secret-files", p.name);
        let mut keys = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let path = p.path(&format!("secrets[{i}]"));
            let Some((source, target)) = source_target(item) else { continue };
            let file = match target {
                None => source,
                Some(t) => {
                    match t.strip_prefix("/run/secrets/") {
                        Some(f) => f.to_string(),
                        None if !t.contains('/') => t,
                        None => {
                            self.warn(item.span, path, format!("target `{t}` is outside /run/secrets: not converted (mount the Secret with mounts:)"));
                            continue;
                        }
                    }
                }
            };
            if !is_file_name(&file) {
                self.warn(item.span, path, format!("`{file}` cannot be a Secret key; not converted"));
                continue;
            }
            keys.push(file);
        }
        if keys.is_empty() {
            return;
        }
        mounts.insert("/run/secrets".into(), json!({"secret": secret}));
        self.secrets.entry(secret.clone()).or_default().extend(keys.iter().cloned());
        self.note(
            e.key_span,
            p.path("secrets"),
            format!(
                "mounted at /run/secrets from Secret `{secret}` (keys {}: the files' contents are not copied)",
                keys.join(", ")
            ),
        );
    }

    /// Compose configs with `content:` or `file:` → genk8s `files:` (a ConfigMap).
    pub(super) fn compose_configs(&mut self, p: &Plan, e: &Entry, ctx: &Context, files: &mut Map<String, Value>) {
        let NodeKind::Seq(items) = &e.value.kind else { return };
        let top = ctx.root.get("configs");
        for (i, item) in items.iter().enumerate() {
            let path = p.path(&format!("configs[{i}]"));
            let Some((source, target)) = source_target(item) else { continue };
            let target = target.unwrap_or_else(|| format!("/{source}"));
            if !(target.starts_with('/') && target.rsplit('/').next().is_some_and(is_file_name)) {
                self.warn(
                    item.span,
                    path,
                    format!("target `{target}` is not an absolute path ending in a simple file name; not converted"),
                );
                continue;
            }
            let def = top.and_then(|t| t.get(&source));
            let content = match def {
                Some(d) if d.get("content").is_some() => d.get("content").and_then(Node::as_str).map(str::to_string),
                Some(d) if d.get("file").is_some() => {
                    let f = d.get("file").and_then(Node::as_str).unwrap_or_default();
                    let read = super::project::inside(self.dir, f)
                        .and_then(|(full, _)| crate::source::read_text(&full).map_err(|e| e.to_string()));
                    match read {
                        Ok(t) if t.len() <= MAX_CONFIG_FILE => Some(t),
                        Ok(_) => {
                            self.warn(item.span, &path, format!("config file `{f}` is over 256 KiB; not converted"));
                            continue;
                        }
                        Err(err) => {
                            self.warn(item.span, &path, format!("{err}; not converted"));
                            continue;
                        }
                    }
                }
                _ => None,
            };
            match content {
                Some(text) => {
                    files.insert(target.clone(), json!(text));
                    self.note(item.span, path, format!("config `{source}` became a file at {target} (a ConfigMap)"));
                }
                None => self.warn(
                    item.span,
                    path,
                    format!("config `{source}` has no content: or file: at the top level; not converted"),
                ),
            }
        }
    }
}

/// `source` and optional `target` of a `secrets:` or `configs:` item (short or long syntax).
fn source_target(item: &Node) -> Option<(String, Option<String>)> {
    match &item.kind {
        NodeKind::Scalar { text, .. } => Some((text.clone(), None)),
        NodeKind::Map(_) => Some((
            item.get("source").and_then(Node::as_str).unwrap_or_default().to_string(),
            item.get("target").and_then(Node::as_str).map(str::to_string),
        )),
        _ => None,
    }
}

/// A file name that can be a Secret or ConfigMap key: letters, digits, `-`, `_` and `.`.
fn is_file_name(f: &str) -> bool {
    !f.is_empty() && f.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}
