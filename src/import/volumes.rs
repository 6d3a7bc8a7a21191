//! `volumes:` and `tmpfs:` → a service's genk8s volumes (one claim each) and
//! writable paths, or a database's storage.

use super::conv::{Conv, is_true};
use super::plan::{Context, Plan};
use super::values;
use crate::source::Span;
use crate::yaml::{Node, NodeKind};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

pub(super) use super::conv::DEFAULT_VOLUME_SIZE;

enum MountKind {
    Named(String),
    Bind(String),
    Anonymous,
    Tmpfs,
    Other(String),
}

pub(super) struct Mount {
    kind: MountKind,
    pub(super) target: String,
    pub(super) read_only: bool,
    subpath: bool,
    pub(super) span: Span,
    pub(super) path: String,
}

impl Conv<'_> {
    /// Named volume → the Compose services that mount it (nothing is reported).
    pub(super) fn named_users(&mut self, plans: &[Plan]) -> BTreeMap<String, Vec<String>> {
        let mut named_users: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for p in plans {
            let n = self.findings.len();
            let mounts = self.mounts(p);
            self.findings.truncate(n);
            for m in mounts {
                if let MountKind::Named(v) = &m.kind
                    && !named_users.get(v).is_some_and(|u| u.contains(&p.cname))
                {
                    named_users.entry(v.clone()).or_default().push(p.cname.clone());
                }
            }
        }
        named_users
    }

    /// Mounts of `volumes:` and `tmpfs:`.
    fn mounts(&mut self, p: &Plan) -> Vec<Mount> {
        let mut out = Vec::new();
        if let Some(entry) = p.node.entry("volumes") {
            match &entry.value.kind {
                NodeKind::Seq(items) => {
                    for (i, item) in items.iter().enumerate() {
                        out.extend(self.volume(item, p.path(&format!("volumes[{i}]"))));
                    }
                }
                NodeKind::Null => {}
                _ => self.warn(entry.key_span, p.path("volumes"), "expected a list; ignored"),
            }
        }
        if let Some(entry) = p.node.entry("tmpfs") {
            let items: Vec<(String, Span)> = match &entry.value.kind {
                NodeKind::Scalar { text, .. } => vec![(text.clone(), entry.value.span)],
                NodeKind::Seq(items) => {
                    items.iter().filter_map(|i| i.as_str().map(|s| (s.to_string(), i.span))).collect()
                }
                _ => Vec::new(),
            };
            for (t, span) in items {
                let target = t.split(':').next().unwrap_or_default().to_string();
                out.push(Mount {
                    kind: MountKind::Tmpfs,
                    target,
                    read_only: false,
                    subpath: false,
                    span,
                    path: p.path("tmpfs"),
                });
            }
        }
        out
    }

    /// One item of `volumes:`, short (`[SOURCE:]TARGET[:MODE]`) or long syntax.
    fn volume(&mut self, item: &Node, path: String) -> Option<Mount> {
        match &item.kind {
            NodeKind::Scalar { text, .. } => {
                let parts: Vec<&str> = text.split(':').collect();
                let (source, target, mode) = match parts.as_slice() {
                    [t] => (None, *t, ""),
                    [s, t] => (Some(*s), *t, ""),
                    [s, t, m] => (Some(*s), *t, *m),
                    _ => {
                        self.warn(item.span, path, "expected [SOURCE:]TARGET[:MODE]; skipped");
                        return None;
                    }
                };
                let kind = match source {
                    None => MountKind::Anonymous,
                    Some(s) if s.starts_with(['.', '/', '~', '$']) || s.contains('/') => MountKind::Bind(s.to_string()),
                    Some(s) => MountKind::Named(s.to_string()),
                };
                let read_only = mode.split(',').any(|m| m == "ro");
                Some(Mount { kind, target: target.to_string(), read_only, subpath: false, span: item.span, path })
            }
            NodeKind::Map(_) => {
                let ty = item.get("type").and_then(Node::as_str).unwrap_or("volume");
                let source = item.get("source").and_then(Node::as_str).filter(|s| !s.is_empty());
                let Some(target) = item.get("target").and_then(Node::as_str) else {
                    self.warn(item.span, path, "a long-syntax volume needs target:; skipped");
                    return None;
                };
                let kind = match (ty, source) {
                    ("volume", Some(s)) => MountKind::Named(s.to_string()),
                    ("volume", None) => MountKind::Anonymous,
                    ("bind", s) => MountKind::Bind(s.unwrap_or_default().to_string()),
                    ("tmpfs", _) => MountKind::Tmpfs,
                    (other, _) => MountKind::Other(other.to_string()),
                };
                Some(Mount {
                    kind,
                    target: target.to_string(),
                    read_only: is_true(item.get("read_only")),
                    subpath: item.get("volume").and_then(|v| v.get("subpath")).is_some(),
                    span: item.span,
                    path,
                })
            }
            _ => {
                self.warn(item.span, path, format!("expected a volume, found {}; skipped", item.describe()));
                None
            }
        }
    }

    /// A service's genk8s `volumes:` (named volumes) and `writable:` paths (anonymous and tmpfs).
    pub(super) fn service_volumes(
        &mut self,
        p: &Plan,
        ctx: &Context,
        files: &mut Map<String, Value>,
    ) -> (Map<String, Value>, Vec<String>) {
        let top = ctx.root.get("volumes");
        let mut volumes = Map::new();
        let mut writable: Vec<String> = Vec::new();
        for m in self.mounts(p) {
            if !m.target.starts_with('/') {
                self.warn(m.span, m.path, format!("target `{}` is not an absolute path; skipped", m.target));
                continue;
            }
            match &m.kind {
                MountKind::Named(v) => {
                    let max = 62usize.saturating_sub(p.name.len()).max(1);
                    let mut vname = values::dns_label(v, max);
                    if vname.is_empty() {
                        vname = "data".into();
                    }
                    if volumes.contains_key(&vname) {
                        self.warn(
                            m.span,
                            m.path,
                            format!("volume `{v}` is mounted twice: only the first mount is kept"),
                        );
                        continue;
                    }
                    volumes.insert(vname.clone(), json!({"path": m.target, "size": DEFAULT_VOLUME_SIZE}));
                    let mut msg = format!(
                        "named volume `{v}` became PersistentVolumeClaim `{}-{vname}` of {DEFAULT_VOLUME_SIZE} (Compose volumes have no size)",
                        p.name
                    );
                    if m.read_only {
                        msg.push_str("; it is mounted read-write (genk8s volumes have no read-only flag)");
                    }
                    if m.subpath {
                        msg.push_str("; the subpath is not kept");
                    }
                    self.note(m.span, &m.path, msg);
                    if let Some(others) = ctx.shared_with(v, &p.cname) {
                        self.warn(m.span, m.path, format!("volume `{v}` is shared with {others}: each service now gets its own claim, so they no longer see each other's files"));
                    }
                    if let Some(top) = top.and_then(|t| t.get(v)) {
                        if is_true(top.get("external")) {
                            self.warn(m.span, p.path("volumes"), format!("volume `{v}` is external in Compose: the new claim starts empty; copy its data over"));
                        }
                    } else if top.and_then(|t| t.entry(v)).is_none() {
                        self.note(
                            m.span,
                            p.path("volumes"),
                            format!("volume `{v}` is not declared under the top-level volumes:"),
                        );
                    }
                }
                MountKind::Bind(src) => {
                    let bm =
                        super::binds::Mount { target: &m.target, read_only: m.read_only, span: m.span, path: &m.path };
                    self.bind(p, &bm, src, super::binds::BindOut { files, volumes: &mut volumes });
                    if !volumes.is_empty() {
                        self.warn(
                            m.span,
                            m.path,
                            "not converted: a database has one data volume, at the engine's data path",
                        );
                    }
                }
                MountKind::Anonymous | MountKind::Tmpfs => {
                    if !writable.contains(&m.target) && m.target != "/tmp" {
                        writable.push(m.target.clone());
                    }
                }
                MountKind::Other(t) => self.warn(m.span, m.path, format!("volume type `{t}` not converted")),
            }
        }
        if let Some(e) = p.node.entry("shm_size") {
            writable.push("/dev/shm".into());
            self.note(e.key_span, p.path("shm_size"), "became a writable /dev/shm (an emptyDir without the 64 MiB limit); it is disk-backed, not memory: genk8s writable paths have no medium or size");
        }
        (volumes, writable)
    }

    /// The text of the project files a service bind-mounts (nothing is reported), for host names in them.
    pub(super) fn bound_texts(&mut self, p: &Plan) -> Vec<String> {
        let n = self.findings.len();
        let mounts = self.mounts(p);
        self.findings.truncate(n);
        let mut out = Vec::new();
        for m in mounts {
            let MountKind::Bind(src) = &m.kind else { continue };
            let Ok((full, _)) = super::project::inside(self.dir, src) else { continue };
            let paths: Vec<std::path::PathBuf> = if full.is_dir() {
                std::fs::read_dir(&full)
                    .map(|rd| rd.flatten().map(|e| e.path()).filter(|p| p.is_file()).take(20).collect())
                    .unwrap_or_default()
            } else {
                vec![full]
            };
            out.extend(paths.iter().filter_map(|f| crate::source::read_text(f).ok()).filter(|t| t.len() <= 256 * 1024));
        }
        out
    }

    /// A database's `storage:`: its first named volume (Compose has no size, so the default).
    /// A database without one still gets storage; that is said, and nothing is returned.
    /// Bind-mounted project files (config, init scripts) go to `files`.
    pub(super) fn database_storage(
        &mut self,
        p: &Plan,
        ctx: &Context,
        files: &mut serde_json::Map<String, Value>,
    ) -> Option<Value> {
        let mut storage = None;
        let mounts = self.mounts(p);
        // A bind-mounted data directory is the storage only where no named volume is.
        let named = mounts.iter().any(|m| matches!(m.kind, MountKind::Named(_)));
        for m in mounts {
            match &m.kind {
                MountKind::Named(v) if storage.is_none() => {
                    storage = Some(json!({"size": DEFAULT_VOLUME_SIZE}));
                    self.note(m.span, m.path, format!("named volume `{v}` became the database's storage ({DEFAULT_VOLUME_SIZE}: Compose volumes have no size; set storage.size)"));
                    if let Some(others) = ctx.shared_with(v, &p.cname) {
                        self.warn(m.span, p.path("volumes"), format!("volume `{v}` is also mounted by {others}: the database's storage is its own"));
                    }
                }
                MountKind::Bind(src)
                    if super::project::inside(self.dir, src).is_ok_and(|(full, _)| {
                        full.is_file() || (m.read_only && full.is_dir())
                    }) =>
                {
                    let bm =
                        super::binds::Mount { target: &m.target, read_only: m.read_only, span: m.span, path: &m.path };
                    let mut volumes = serde_json::Map::new();
                    self.bind(p, &bm, src, super::binds::BindOut { files, volumes: &mut volumes });
                }
                MountKind::Bind(src)
                    if !named && storage.is_none() && !m.read_only && !m.target.contains("docker-entrypoint") =>
                {
                    storage = Some(json!({"size": DEFAULT_VOLUME_SIZE}));
                    self.warn(m.span, m.path, format!("bind-mounted data directory `{src}` became the database's storage ({DEFAULT_VOLUME_SIZE}, set storage.size) that starts empty: copy its contents over if it holds data"));
                }
                MountKind::Bind(src) => self.warn(m.span, m.path, format!("bind mount of `{src}` not converted: pods cannot see the Compose host's files (a database takes config files and init scripts, mounted read-only; data goes to its storage)")),
                _ => self.warn(m.span, m.path, "not converted: a database has one data volume, at the engine's data path"),
            }
        }
        if storage.is_none() {
            self.note(p.span, p.path(""), "had no named volume (its data did not outlive the container): it gets persistent storage of the engine's default size");
        }
        storage
    }
}
