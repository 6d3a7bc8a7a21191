//! Stage 3, validate: check the merged spec as a whole and resolve what the
//! expand stage needs (engine descriptions, file contents). Every problem is
//! collected, each with the file:line:col of the value at fault.

mod apply;
mod database;
mod egress;
mod exposure;
mod image;
mod names;
mod platform;
mod security;
mod service;
mod workload;

use crate::catalog::{Catalog, Engine, EngineVars};
use crate::diag::{Diagnostic, Diagnostics, suggest};
use crate::merge::Merged;
use crate::source::SourceMap;
use crate::spec::{FileSource, Platform};
use crate::yaml::{Node, de::from_node};
use std::collections::BTreeMap;
use std::path::Path;

pub use names::{is_cron, is_dns_label, is_duration, is_int_or_percent, is_production, looks_secret, resolve_host};
pub use security::{is_system_namespace, warnings};

/// A spec that passed every check, with everything expand needs resolved.
#[derive(Debug)]
pub struct Valid {
    pub env: String,
    pub namespace: String,
    pub spec: Platform,
    /// Rendered engine of each database, by database name.
    pub engines: BTreeMap<String, Engine>,
    /// Contents of files referenced with `from:`, by the path as written.
    pub files: BTreeMap<String, String>,
}

pub fn validate(merged: &Merged, dir: &Path, catalog: &Catalog, sources: &mut SourceMap) -> Result<Valid, Diagnostics> {
    let spec = typed(&merged.node).map_err(|mut d| {
        crate::merge::blame_deletions(&mut d, &merged.deleted);
        d
    })?;
    let mut c = Checker {
        root: &merged.node,
        env: &merged.env,
        storage_classes: spec.storage_classes.keys().cloned().collect(),
        issuers: spec.issuers.keys().cloned().collect(),
        production: spec.production.unwrap_or_else(|| is_production(&merged.env)),
        diags: Diagnostics::default(),
    };
    let namespace = spec.namespace.clone().unwrap_or_else(|| format!("{}-{}", spec.platform, merged.env));
    c.check_platform(&spec, &namespace);
    c.check_security(&spec, &namespace);
    c.check_apply(&spec);
    c.check_egress_addresses(&spec);
    let mut files = BTreeMap::new();
    c.read_files(&spec, dir, &mut files);
    let mut engines = BTreeMap::new();
    for (name, db) in &spec.databases {
        if !catalog.has(&db.engine) {
            let known: Vec<&str> = catalog.names().collect();
            let help = match suggest(&db.engine, known.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!(
                    "catalog engines: {}; or add templates/engines/{}.yaml.j2 to the platform",
                    known.join(", "),
                    db.engine
                ),
            };
            c.err(&["databases", name, "engine"], format!("unknown database engine `{}`", db.engine), help);
            continue;
        }
        let credentials = db.credentials.clone().unwrap_or_else(|| format!("{name}-credentials"));
        let host = db.external.as_ref().map_or(name.as_str(), |e| e.host.as_str());
        let vars = EngineVars {
            name,
            version: db.version.as_deref(),
            database: db.database.as_deref(),
            credentials: &credentials,
            host,
            port: db.external.as_ref().and_then(|e| e.port),
        };
        let at = merged.node.find(&["databases", name, "engine"]);
        match catalog.render(&db.engine, &vars, sources, at) {
            Ok(e) => {
                if db.backup.is_some() && e.backup.is_none() {
                    c.err(
                        &["databases", name, "backup"],
                        format!("engine `{}` has no backup command", db.engine),
                        "remove backup:, or add `backup:` to the engine template",
                    );
                }
                engines.insert(name.clone(), e);
            }
            Err(d) => c.diags.push(d),
        }
    }
    if c.diags.is_empty() {
        Ok(Valid { env: merged.env.clone(), namespace, spec, engines, files })
    } else {
        c.diags.sort();
        Err(c.diags)
    }
}

fn to_diag(e: crate::yaml::de::Error) -> Diagnostic {
    // Every u16 of the spec is a port number: say so, as the short form `http: 70000` does.
    if let Some(n) = e.message.strip_prefix("invalid value: integer `").and_then(|r| r.strip_suffix("`, expected u16"))
    {
        return Diagnostic::new(e.span, format!("expected a port number (1-65535), found `{n}`"))
            .help("write a port between 1 and 65535");
    }
    let mut d = Diagnostic::new(e.span, e.message);
    d.help = e.help;
    d
}

/// Reads the typed spec, deserializing each service, database and config on its own
/// so that a type error in one does not hide the errors in the others.
fn typed(root: &Node) -> Result<Platform, Diagnostics> {
    use crate::yaml::NodeKind;
    const SECTIONS: [&str; 3] = ["services", "databases", "configs"];
    let mut diags = Diagnostics::default();
    let top = match &root.kind {
        NodeKind::Map(entries) => {
            Node::map(root.span, entries.iter().filter(|e| !SECTIONS.contains(&e.key.as_str())).cloned().collect())
        }
        _ => root.clone(),
    };
    let spec: Option<Platform> = from_node(&top).map_err(|e| diags.push(to_diag(e))).ok();
    fn section<T: serde::de::DeserializeOwned>(root: &Node, key: &str, diags: &mut Diagnostics) -> BTreeMap<String, T> {
        let mut out = BTreeMap::new();
        let Some(entry) = root.entry(key) else { return out };
        let Some(entries) = entry.value.entries() else {
            diags.push(Diagnostic::at(entry.key_span, format!("`{key}` must be a map of name: definition")));
            return out;
        };
        for e in entries {
            match from_node::<T>(&e.value) {
                Ok(v) => {
                    out.insert(e.key.clone(), v);
                }
                Err(err) => diags.push(to_diag(err.at_least(e.key_span))),
            }
        }
        out
    }
    let services = section(root, "services", &mut diags);
    let databases = section(root, "databases", &mut diags);
    let configs = section(root, "configs", &mut diags);
    match spec {
        Some(spec) if diags.is_empty() => Ok(Platform { services, databases, configs, ..spec }),
        _ => {
            diags.sort();
            Err(diags)
        }
    }
}

struct Checker<'a> {
    root: &'a Node,
    env: &'a str,
    /// StorageClass and ClusterIssuer names the platform declares (for typo detection).
    storage_classes: Vec<String>,
    issuers: Vec<String>,
    /// Production rules apply (`production:`, or by default the environment's name).
    production: bool,
    diags: Diagnostics,
}

impl Checker<'_> {
    /// A reference to a cluster object the platform may or may not declare: names the cluster
    /// provides are fine, but one a typo away from a declared name is almost surely that name.
    pub(super) fn check_declared(&mut self, path: &[&str], what: &str, name: &str, declared: &[String]) {
        if declared.iter().any(|d| d == name) {
            return;
        }
        if let Some(close) = suggest(name, declared.iter().map(String::as_str)) {
            self.err(
                path,
                format!("{what} `{name}` is not declared by this platform"),
                format!(
                    "did you mean `{close}`? (names the cluster provides are fine when they resemble no declared one)"
                ),
            );
        }
    }

    pub(super) fn err(&mut self, path: &[&str], message: impl Into<String>, help: impl Into<String>) {
        let span = self.root.find(path);
        self.diags.push(Diagnostic::at(span, message).help(help));
    }

    pub(super) fn read_files(&mut self, spec: &Platform, dir: &Path, out: &mut BTreeMap<String, String>) {
        let mut check = |c: &mut Self, path: Vec<&str>, f: &FileSource| match (&f.content, &f.from) {
            (Some(_), None) => {}
            (None, Some(from))
                if Path::new(from).is_absolute()
                    || Path::new(from).components().any(|c| matches!(c, std::path::Component::ParentDir)) =>
            {
                c.err(
                    &path.iter().copied().chain(["from"]).collect::<Vec<_>>(),
                    format!("`{from}` is outside the platform folder"),
                    "from: paths are relative to the platform folder and stay inside it (no leading / and no ..)",
                )
            }
            (None, Some(from)) => {
                let at: Vec<&str> = path.iter().copied().chain(["from"]).collect();
                if !crate::confine::inside(dir, &dir.join(from)) {
                    c.err(&at, crate::confine::message(&format!("`{from}`")), crate::confine::HELP);
                } else if !out.contains_key(from) {
                    match crate::load::read_text(&dir.join(from)) {
                        Ok(t) => {
                            out.insert(from.clone(), t);
                        }
                        Err(d) => c.err(&at, d.message, "paths in from: are relative to the platform folder"),
                    }
                }
            }
            _ => c.err(
                &path,
                "a file needs exactly one of content: or from:",
                "write the text directly, or {from: files/app.conf}",
            ),
        };
        for (n, cfg) in &spec.configs {
            for (k, f) in &cfg.files {
                check(self, vec!["configs", n, "files", k], f);
            }
        }
        for (n, svc) in &spec.services {
            for (k, f) in &svc.files {
                check(self, vec!["services", n, "files", k], f);
            }
        }
    }
}
