//! What expand needs beyond the typed spec, resolved once the checks have run:
//! the contents of `from:` files and each database's rendered engine. A file that
//! cannot be read or an engine template that does not render is reported here.

use super::Checker;
use super::files::{file_sources, leaves_platform};
use crate::catalog::{Engine, EngineVars, Replicas};
use crate::source::SourceMap;
use crate::spec::{Database, Platform};
use std::collections::BTreeMap;
use std::path::Path;

impl Checker<'_> {
    /// Contents of the `from:` files (inside the platform folder), by the path as written.
    pub(super) fn read_files(&mut self, spec: &Platform, dir: &Path) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (path, f) in file_sources(spec) {
            let (None, Some(from)) = (&f.content, &f.from) else { continue };
            if leaves_platform(from) || out.contains_key(from) {
                continue;
            }
            let at: Vec<&str> = path.iter().copied().chain(["from"]).collect();
            if !crate::confine::inside(dir, &dir.join(from)) {
                self.err(&at, crate::confine::message(&format!("`{from}`")), crate::confine::HELP);
                continue;
            }
            match crate::source::read_text(&dir.join(from)) {
                Ok(t) => {
                    out.insert(from.clone(), t);
                }
                Err(e) => self.err(&at, e.to_string(), "paths in from: are relative to the platform folder"),
            }
        }
        out
    }

    /// The engine of each database whose engine the catalog has, rendered for it.
    pub(super) fn render_engines(&mut self, spec: &Platform, sources: &mut SourceMap) -> BTreeMap<String, Engine> {
        let mut engines = BTreeMap::new();
        for (name, db) in spec.databases.iter().filter(|(_, db)| self.catalog.has(&db.engine)) {
            let credentials = db.credentials.clone().unwrap_or_else(|| format!("{name}-credentials"));
            let service = db.service_name.as_deref().unwrap_or(name);
            let host = db.external.as_ref().map_or(service, |e| e.host.as_str());
            let vars = EngineVars {
                name,
                version: db.version.as_deref(),
                database: db.database.as_deref(),
                credentials: &credentials,
                host,
                port: db.external.as_ref().and_then(|e| e.port),
                config_file: db.config_file.as_deref(),
                tls_dir: db.tls.as_ref().map(|_| crate::spec::TLS_DIR),
                image: db.image.as_deref().filter(|i| !i.is_empty()),
                id: crate::catalog::stable_id(&spec.platform, name),
            };
            let at = self.root.find(&["databases", name, "engine"]);
            match self.catalog.render(&db.engine, &vars, sources, at) {
                Ok(e) => {
                    self.check_engine_backup(name, db, &e);
                    self.check_engine_replicas(name, db, &e);
                    self.check_engine_supports(name, db, &e);
                    engines.insert(name.clone(), e);
                }
                Err(d) => self.diags.push(d),
            }
        }
        engines
    }

    /// `replicas` above 1 only on an engine that replicates between its pods: on a
    /// single-primary engine they would be separate databases behind one Service.
    fn check_engine_replicas(&mut self, name: &str, db: &Database, engine: &Engine) {
        let Some(n) = db.replicas.filter(|n| *n > 1) else { return };
        if engine.replicas != Some(Replicas::Single) || db.external.is_some() {
            return;
        }
        let instead =
            engine.replicated_by.as_deref().unwrap_or("an operator that replicates it, or an external database");
        self.err(
            &["databases", name, "replicas"],
            format!(
                "engine `{}` runs a single primary: {n} replicas would be {n} separate, unreplicated databases behind one Service",
                db.engine
            ),
            format!("write `replicas: 1`; for a replicated database use {instead}"),
        );
    }

    /// A database with `backup:` needs an engine with a backup command.
    fn check_engine_backup(&mut self, name: &str, db: &Database, engine: &Engine) {
        if db.backup.is_some() && engine.backup.is_none() {
            self.err(
                &["databases", name, "backup"],
                format!("engine `{}` has no backup command", db.engine),
                "remove backup:, or add `backup:` to the engine template",
            );
        }
    }

    /// `config_file` and `tls` only on an engine whose template wires them in.
    fn check_engine_supports(&mut self, name: &str, db: &Database, engine: &Engine) {
        for (option, set) in [("config_file", db.config_file.is_some()), ("tls", db.tls.is_some())] {
            if set && !engine.supports.iter().any(|s| s == option) {
                self.err(
                    &["databases", name, option],
                    format!("engine `{}` does not take `{option}`", db.engine),
                    format!(
                        "mount the file with files: and pass its flag in args:, or add `supports: [{option}]` to the engine template and use the `{option}` variable there"
                    ),
                );
            }
        }
    }
}
