//! Docker Compose → genk8s platform spec.
//!
//! The Compose files are read, interpolated and merged by [`super::project`] (with
//! [`super::yaml::parse`], the spec loader plus merge keys), and each service becomes a genk8s service or,
//! for official database images the catalog has an engine for, a database. Every
//! field that cannot be carried over is reported as a [`Finding`] at its place in
//! the Compose file.
//!
//! This module runs the conversion; its state (`Conv`) is in `conv`, and the work on
//! each part of a service is an `impl Conv` block of its own module beside this one:
//! `plan` (which services, their names
//! and kinds), `ports`, `env`, `uses`, `volumes`, `health`, `commands`, `deploy`,
//! `annotations`, `files` (Compose secrets and configs), `fields` (fields without an
//! equivalent), `databases` and `service`.

use super::Finding;
use super::conv::Conv;
pub use super::conv::Options;
use super::plan::Context;
use super::values;
use crate::diag::Diagnostic;
use crate::source::SourceMap;
use crate::yaml::{Node, NodeKind};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The converted platform.
#[derive(Debug)]
pub struct Imported {
    pub platform: String,
    /// The content of `platform.yaml`.
    pub spec: Value,
    pub findings: Vec<Finding>,
    /// Names of the services and databases written, in Compose order.
    pub services: Vec<String>,
    pub databases: Vec<String>,
    /// Services whose image is not pinned (`latest` or no tag): production refuses them.
    pub unpinned: Vec<String>,
    /// Secrets the cluster must hold, with their keys.
    pub secrets: BTreeMap<String, BTreeSet<String>>,
    /// Project files copied into the platform folder: (path there, text).
    pub copies: Vec<(String, String)>,
}

/// Converts a parsed Compose file. `display_dir` is the Compose file's folder as
/// shown in messages; `dir` is where relative paths (env files, configs) are read.
pub fn convert(
    root: Node,
    dir: &Path,
    display_dir: &Path,
    default_name: &str,
    opts: &Options,
    vars: &super::interpolate::Vars,
    sources: &mut SourceMap,
) -> Result<Imported, Diagnostic> {
    if !matches!(root.kind, NodeKind::Map(_)) {
        return Err(Diagnostic::at(
            root.span,
            format!("expected a Compose file (a map with services:), found {}", root.describe()),
        )
        .help("pass the docker-compose.yml (or compose.yaml) of the project"));
    }
    let mut c =
        Conv { dir, display_dir, sources, vars, findings: Vec::new(), secrets: BTreeMap::new(), copies: Vec::new() };
    c.top_level(&root);
    let Some(services_entry) = root.entry("services") else {
        return Err(Diagnostic::at(root.span, "the Compose file has no `services:`")
            .help("genk8s import converts the services of a Compose file"));
    };
    let platform = platform_name(opts, &root, default_name);

    // Pass 1: which services, their names, kinds and ports.
    let (mut plans, excluded) = c.plan(services_entry, opts)?;
    for p in plans.iter_mut().filter(|p| p.engine.is_none()) {
        p.ports = c.ports(p);
    }
    c.reach(&mut plans);
    let named_users = c.named_users(&plans);
    let atoms = c.atoms(&plans);
    let folded = c.fold_one_shots(&plans);
    let ctx = Context {
        plans: &plans,
        excluded: &excluded,
        named_users: &named_users,
        root: &root,
        atoms: &atoms,
        folded: &folded,
    };

    // Pass 2a: databases first, so services can reference their credentials.
    let mut db_out: BTreeMap<String, Value> = BTreeMap::new();
    let mut db_creds = Vec::new();
    for p in plans.iter().filter(|p| p.engine.is_some()) {
        let v = c.database(p, &ctx, &mut db_creds);
        db_out.insert(p.name.clone(), v);
    }
    // Pass 2b: services.
    let mut svc_out: BTreeMap<String, Value> = BTreeMap::new();
    let mut unpinned = Vec::new();
    for p in plans.iter().filter(|p| p.engine.is_none() && !folded.values().any(|s| *s == p.cname)) {
        let (v, pinned) = c.service(p, &ctx, &db_creds);
        if !pinned {
            unpinned.push(p.name.clone());
        }
        svc_out.insert(p.name.clone(), v);
    }

    let mut spec = Map::new();
    spec.insert("platform".into(), json!(platform));
    if svc_out.values().any(|s| s.get("route").is_some()) {
        // Published ports become routes: hosts `<service>.example.com` until domain: is set.
        spec.insert("domain".into(), json!("example.com"));
        spec.insert("gateway".into(), json!({"class": "eg", "data_plane_namespace": "envoy-gateway-system"}));
    }
    let order = |out: &mut BTreeMap<String, Value>| -> Map<String, Value> {
        plans.iter().filter_map(|p| out.remove(&p.name).map(|v| (p.name.clone(), v))).collect()
    };
    let services = order(&mut svc_out);
    let databases = order(&mut db_out);
    let (service_names, database_names) = (services.keys().cloned().collect(), databases.keys().cloned().collect());
    if !services.is_empty() {
        spec.insert("services".into(), Value::Object(services));
    }
    if !databases.is_empty() {
        spec.insert("databases".into(), Value::Object(databases));
    }
    let mut findings = c.findings;
    findings.sort_by(|a, b| (a.span, &a.path, &a.message).cmp(&(b.span, &b.path, &b.message)));
    findings.dedup_by(|a, b| a.span == b.span && a.path == b.path && a.message == b.message);
    Ok(Imported {
        platform,
        spec: Value::Object(spec),
        findings,
        services: service_names,
        databases: database_names,
        unpinned,
        secrets: c.secrets,
        copies: c.copies,
    })
}

/// `--name`, else the Compose `name:`, else the folder name, as a DNS label starting with a letter.
fn platform_name(opts: &Options, root: &Node, default_name: &str) -> String {
    let raw = opts
        .name
        .clone()
        .or_else(|| root.get("name").and_then(Node::as_str).map(str::to_string))
        .unwrap_or_else(|| default_name.to_string());
    let mut p = values::dns_label(&raw, 40);
    if p.is_empty() || !p.starts_with(|ch: char| ch.is_ascii_lowercase()) {
        p = values::dns_label(&format!("app-{p}"), 40);
    }
    p
}

impl Conv<'_> {
    /// Top-level fields other than `services:`.
    fn top_level(&mut self, root: &Node) {
        for e in root.entries().unwrap_or_default() {
            match e.key.as_str() {
                "services" | "volumes" | "secrets" | "configs" | "name" | "version" => {}
                "networks" => {
                    if e.value.entries().is_some_and(|v| !v.is_empty()) {
                        self.note(e.key_span, "networks", "not converted: the services of a platform share its namespace, and genk8s NetworkPolicies let a service reach only what it `uses`");
                    }
                }
                k => self.warn(e.key_span, k, "not a Compose top-level field genk8s import knows; ignored"),
            }
        }
    }
}
