//! Stage 3, validate: check the merged spec as a whole (the `check_*` of each
//! module beside this one), then resolve what the expand stage needs (`resolve`:
//! file contents, rendered engines). Every problem is collected, each with the
//! file:line:col of the value at fault.

#![warn(clippy::too_many_lines)] // clippy.toml: at most 80 lines per function

mod alb;
mod apply;
pub(crate) mod cluster;
mod cron;
mod database;
mod database_files;
mod egress;
mod exposure;
mod files;
mod gateway;
mod image;
mod kinds;
mod lifecycle;
mod migration;
mod names;
mod origin;
mod placement;
mod platform;
mod resolve;
mod security;
mod service;
mod sidecars;
mod wiring;
mod workload;

use crate::catalog::{Catalog, Engine};
use crate::diag::{Diagnostic, Diagnostics, suggest};
use crate::merge::Merged;
use crate::source::SourceMap;
use crate::spec::Platform;
use crate::yaml::{Node, de::from_node};
use std::collections::BTreeMap;
use std::path::Path;

pub use crate::names::{is_dns_label, is_duration, is_int_or_percent, is_production, looks_secret, resolve_host};
pub use cron::{CronError, check as check_cron};
pub use origin::Origin;
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
    /// Risky but accepted values, each rendered as `warning: FILE:LINE:COL: …`.
    pub warnings: Vec<String>,
    /// Where each value was written (for checks on the expanded objects).
    pub origin: Origin,
    /// `patches`, applied to the generated objects.
    pub patches: Vec<crate::patch::Patch>,
    /// `objects`, added verbatim.
    pub objects: Vec<crate::patch::Extra>,
}

pub fn validate(merged: &Merged, dir: &Path, catalog: &Catalog, sources: &mut SourceMap) -> Result<Valid, Diagnostics> {
    let mut spec = typed(&merged.node).map_err(|mut d| {
        crate::merge::blame_deletions(&mut d, &merged.deleted);
        d
    })?;
    // Image profiles fill what the spec leaves unset, before any check looks at it.
    crate::image_defaults::apply(&mut spec, &merged.node);
    let mut c = Checker {
        root: &merged.node,
        env: &merged.env,
        storage_classes: spec.storage_classes.keys().cloned().collect(),
        issuers: spec.issuers.keys().cloned().collect(),
        catalog,
        production: spec.production.unwrap_or_else(|| is_production(&merged.env)),
        diags: Diagnostics::default(),
    };
    let namespace = spec.namespace.clone().unwrap_or_else(|| format!("{}-{}", spec.platform, merged.env));
    c.check_platform(&spec, &namespace);
    let warnings = cluster::check(&spec, &merged.node, sources, &mut c.diags);
    c.check_security(&spec, &namespace);
    c.check_apply(&spec);
    c.check_egress_addresses(&spec);
    c.check_endpoints(&spec);
    c.check_observability(&spec);
    c.check_monitoring_wiring(&spec);
    spec.services.iter().for_each(|(name, svc)| c.check_migration(name, svc));
    spec.services.iter().for_each(|(name, svc)| c.check_lifecycle(name, svc));
    c.check_pod_security(&spec);
    for (name, svc) in &spec.services {
        c.check_kind(&spec, name, svc);
        c.check_sidecars(&spec, name, svc);
        c.check_migrate_settings(&spec, name, svc);
    }
    for (name, db) in &spec.databases {
        c.check_database_files(&spec, name, db);
    }
    // What expand needs: the contents of `from:` files and each database's rendered engine.
    let files = c.read_files(&spec, dir);
    let engines = c.render_engines(&spec, sources);
    c.check_wired_facts(&spec, &engines);
    let (patches, objects) = crate::patch::read(&merged.node).unwrap_or_else(|d| {
        c.diags.items.extend(d);
        Default::default()
    });
    if c.diags.is_empty() {
        // README: an env reference to a database or endpoint adds it to `uses`.
        for svc in spec.services.values_mut() {
            let implied = crate::wiring::implied_uses(svc);
            svc.uses.extend(implied);
        }
        let origin = Origin::new(&merged.node, sources);
        Ok(Valid { env: merged.env.clone(), namespace, spec, engines, files, warnings, origin, patches, objects })
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
    /// The engines databases may use.
    catalog: &'a Catalog,
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

    /// [`err`](Self::err) at `services.<name>.<rest…>`.
    pub(super) fn svc_err(&mut self, name: &str, rest: &[&str], msg: String, help: &str) {
        let mut path = vec!["services", name];
        path.extend_from_slice(rest);
        self.err(&path, msg, help.to_string());
    }
}
