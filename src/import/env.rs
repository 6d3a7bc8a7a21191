//! `env_file:` and `environment:` → a service's environment, with secret-looking
//! values turned into Secret references (never copied).

use super::conv::Conv;
use super::databases::{DbCredential, credentials_secret};
use super::interpolate::parse_dotenv;
use super::plan::Plan;
use super::values;
use crate::source::Span;
use crate::yaml::{Node, NodeKind};
use serde_json::{Map, Value, json};
use std::collections::BTreeSet;
use std::path::PathBuf;

/// One variable, where it was set.
pub(super) struct EnvItem {
    pub(super) key: String,
    pub(super) value: Option<String>,
    pub(super) span: Span,
    pub(super) path: String,
}

/// Sets a variable: a later one replaces an earlier one in place.
fn put(out: &mut Vec<EnvItem>, item: EnvItem) {
    match out.iter_mut().find(|e| e.key == item.key) {
        Some(e) => *e = item,
        None => out.push(item),
    }
}

impl Conv<'_> {
    /// The environment of a service: `env_file` entries, then `environment`, later ones winning.
    pub(super) fn env(&mut self, p: &Plan) -> Vec<EnvItem> {
        let mut out: Vec<EnvItem> = Vec::new();
        self.env_files(p, &mut out);
        self.environment(p, &mut out);
        for e in out.iter_mut().filter(|e| e.value.is_none()) {
            e.value = self.vars.get(&e.key).map(str::to_string);
        }
        out.retain(|e| {
            if e.value.is_none() {
                self.warn(e.span, e.path.clone(), format!("`{}` takes its value from the environment of `docker compose`, and it is set neither there nor in the env files; skipped", e.key));
                return false;
            }
            let bad = e.key.is_empty() || e.key.contains('=') || e.key.chars().any(|c| c.is_control() || c.is_whitespace());
            if bad {
                self.warn(e.span, e.path.clone(), format!("`{}` is not a valid variable name; skipped", e.key));
            }
            !bad
        });
        out
    }

    fn env_files(&mut self, p: &Plan, out: &mut Vec<EnvItem>) {
        let Some(entry) = p.node.entry("env_file") else { return };
        let files: Vec<(String, bool, Span)> = match &entry.value.kind {
            NodeKind::Scalar { text, .. } => vec![(text.clone(), true, entry.value.span)],
            NodeKind::Seq(items) => items
                .iter()
                .filter_map(|i| match &i.kind {
                    NodeKind::Scalar { text, .. } => Some((text.clone(), true, i.span)),
                    NodeKind::Map(_) => i.get("path").and_then(Node::as_str).map(|path| {
                        (path.to_string(), i.get("required").and_then(Node::as_str) != Some("false"), i.span)
                    }),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        for (f, required, span) in files {
            let full = match super::project::inside(self.dir, &f) {
                Ok((full, _)) => full,
                Err(m) => {
                    self.warn(span, p.path("env_file"), format!("{m}; its variables are missing"));
                    continue;
                }
            };
            let shown: PathBuf = self.display_dir.join(&f);
            match crate::source::read_text(&full) {
                Ok(text) => {
                    let entries = parse_dotenv(&text, self.vars);
                    let id = self.sources.add(&shown, text);
                    for d in entries {
                        let span = Span::new(id, d.line, d.col);
                        let path = format!("{}.{}", p.path("env_file"), d.key);
                        for m in d.unset {
                            self.warn(span, &path, m);
                        }
                        put(out, EnvItem { key: d.key, value: d.value, span, path });
                    }
                }
                Err(e) if required => self.warn(span, p.path("env_file"), format!("{e}; its variables are missing")),
                Err(_) => {}
            }
        }
    }

    fn environment(&mut self, p: &Plan, out: &mut Vec<EnvItem>) {
        let Some(entry) = p.node.entry("environment") else { return };
        match &entry.value.kind {
            NodeKind::Seq(items) => {
                for item in items {
                    let Some(text) = item.as_str() else { continue };
                    let (key, value) = match text.split_once('=') {
                        Some((k, v)) => (k.to_string(), Some(v.to_string())),
                        None => (text.to_string(), None),
                    };
                    let path = format!("{}.{key}", p.path("environment"));
                    put(out, EnvItem { key, value, span: item.span, path });
                }
            }
            NodeKind::Map(entries) => {
                for e in entries {
                    let path = format!("{}.{}", p.path("environment"), e.key);
                    let value = match &e.value.kind {
                        NodeKind::Scalar { text, .. } => Some(text.clone()),
                        NodeKind::Null => None,
                        _ => {
                            self.warn(
                                e.key_span,
                                path,
                                format!("expected a value, found {}; skipped", e.value.describe()),
                            );
                            continue;
                        }
                    };
                    put(out, EnvItem { key: e.key.clone(), value, span: e.key_span, path });
                }
            }
            NodeKind::Null => {}
            _ => self.warn(entry.key_span, p.path("environment"), "expected a list or a map; ignored"),
        }
    }

    /// A service's genk8s `env:`: secrets by reference (to a used database's credentials
    /// when the value is one, else to the service's own Secret), the rest literal.
    pub(super) fn service_env(
        &mut self,
        p: &Plan,
        env: Vec<EnvItem>,
        uses: &BTreeSet<String>,
        db_creds: &[DbCredential],
        atoms: &[super::conv::Atom],
    ) -> Map<String, Value> {
        let mut env_out = Map::new();
        let own_secret = format!("{}-secrets", p.name);
        let mut moved: Vec<String> = Vec::new();
        let mut first_secret_span = None;
        for item in env {
            let value = item.value.unwrap_or_default();
            let holds_atom = atoms.iter().any(|a| value.contains(&a.value));
            if !values::is_secret(&item.key, &value) && !holds_atom {
                env_out.insert(item.key, json!(values::escape_k8s_refs(&value)));
                continue;
            }
            let linked: Vec<&DbCredential> =
                db_creds.iter().filter(|c| !value.is_empty() && c.value == value && uses.contains(&c.db)).collect();
            let reference = if let [c] = linked.as_slice() {
                let s = credentials_secret(&c.db);
                self.note(
                    item.span,
                    item.path,
                    format!("the value is the password of database `{}`: read from Secret `{s}` key `{}`", c.db, c.key),
                );
                json!({"secret": s, "key": c.key})
            } else if let Some((reference, key)) = self.shared_ref(atoms, &value) {
                self.note(
                    item.span,
                    item.path,
                    format!(
                        "the value is shared with other services: read from Secret `{}` key `{key}`",
                        super::shared::SHARED_SECRET
                    ),
                );
                reference
            } else {
                let key = values::secret_key(&item.key);
                self.secrets.entry(own_secret.clone()).or_default().insert(key.clone());
                moved.push(item.key.clone());
                first_secret_span.get_or_insert(item.span);
                json!({"secret": own_secret, "key": key})
            };
            env_out.insert(item.key, reference);
        }
        if let Some(span) = first_secret_span {
            self.note(span, p.path("environment"), format!("secret values ({}) are not copied: they are read from Secret `{own_secret}`, which the cluster must hold", moved.join(", ")));
        }
        env_out
    }
}
