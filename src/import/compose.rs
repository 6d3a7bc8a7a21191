//! Docker Compose → genk8s platform spec.
//!
//! The Compose file is read with [`super::yaml::parse`] (the spec loader plus merge
//! keys), `x-*` extension fields are dropped (their anchors have been expanded by
//! then), variables are interpolated, and each service becomes a genk8s service or,
//! for official database images the catalog has an engine for, a database. Every
//! field that cannot be carried over is reported as a [`Finding`] at its place in
//! the Compose file.

use super::interpolate::{interpolate, parse_dotenv};
use super::values::{self, PortMapping};
use super::{Finding, Level};
use crate::source::{SourceMap, Span};
use crate::yaml::node::Entry;
use crate::yaml::{Node, NodeKind};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Choices of the command line.
#[derive(Debug, Default, Clone)]
pub struct Options {
    /// Platform name (default: the Compose `name:` or the Compose file's folder name).
    pub name: Option<String>,
    /// Compose profiles to include (`*` for all); services in no profile are always included.
    pub profiles: Vec<String>,
}

/// Size given to every named volume: Compose volumes have no size.
pub const DEFAULT_VOLUME_SIZE: &str = "1Gi";

/// Where build-only services point until a real image is pushed.
pub fn placeholder_image(name: &str) -> String {
    format!("replace-me/{name}:0.0.0-placeholder")
}

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
}

/// Converts a parsed Compose file. `display_dir` is the Compose file's folder as
/// shown in messages; `dir` is where relative paths (env files, configs) are read.
pub fn convert(
    root: Node,
    dir: &Path,
    display_dir: &Path,
    default_name: &str,
    opts: &Options,
    sources: &mut SourceMap,
) -> Result<Imported, crate::diag::Diagnostic> {
    use crate::diag::Diagnostic;
    if !matches!(root.kind, NodeKind::Map(_)) {
        return Err(Diagnostic::at(
            root.span,
            format!("expected a Compose file (a map with services:), found {}", root.describe()),
        )
        .help("pass the docker-compose.yml (or compose.yaml) of the project"));
    }
    let mut c = Conv { dir, display_dir, sources, findings: Vec::new(), secrets: BTreeMap::new() };
    let mut root = strip_extensions(root);
    c.interpolate_tree(&mut root, "");
    let root = root;

    for e in root.entries().unwrap_or_default() {
        match e.key.as_str() {
            "services" | "volumes" | "secrets" | "configs" | "name" | "version" => {}
            "networks" => {
                if e.value.entries().is_some_and(|v| !v.is_empty()) {
                    c.note(e.key_span, "networks", "not converted: the services of a platform share its namespace, and genk8s NetworkPolicies let a service reach only what it `uses`");
                }
            }
            "include" => c.warn(
                e.key_span,
                "include",
                "not supported: genk8s import reads one Compose file; merge the included files into it first",
            ),
            k => c.warn(e.key_span, k, "not a Compose top-level field genk8s import knows; ignored"),
        }
    }
    let Some(services_entry) = root.entry("services") else {
        return Err(Diagnostic::at(root.span, "the Compose file has no `services:`")
            .help("genk8s import converts the services of a Compose file"));
    };
    let Some(service_entries) = services_entry.value.entries() else {
        return Err(Diagnostic::at(services_entry.key_span, "`services` must be a map of name: definition"));
    };

    let platform = {
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
    };

    let catalog = crate::catalog::Catalog::load(Path::new("/nonexistent")).ok();
    let has_engine = |e: &str| catalog.as_ref().is_some_and(|cat| cat.has(e));

    // Pass 1: which services, their names, kinds and ports.
    let mut plans: Vec<Plan> = Vec::new();
    let mut excluded: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut taken: BTreeSet<String> = BTreeSet::new();
    for e in service_entries {
        let path = format!("services.{}", e.key);
        if !matches!(e.value.kind, NodeKind::Map(_)) {
            c.warn(e.key_span, &path, format!("a service must be a map, found {}; skipped", e.value.describe()));
            continue;
        }
        let profiles = string_list(e.value.get("profiles"));
        if !profiles.is_empty() && !opts.profiles.iter().any(|p| p == "*" || profiles.contains(p)) {
            let list = profiles.join(", ");
            c.note(
                e.value.entry("profiles").map_or(e.key_span, |p| p.key_span),
                format!("{path}.profiles"),
                format!(
                    "skipped: only in profile{} {list} (pass --profile {} to import it)",
                    if profiles.len() == 1 { "" } else { "s" },
                    profiles[0]
                ),
            );
            excluded.insert(e.key.clone(), profiles);
            continue;
        }
        let mut name = service_name(&e.key);
        if taken.contains(&name) {
            let mut i = 2;
            while taken.contains(&format!("{name}-{i}")) {
                i += 1;
            }
            name = format!("{name}-{i}");
        }
        taken.insert(name.clone());
        if name != e.key {
            c.note(e.key_span, &path, format!("renamed to `{name}` (Kubernetes names are DNS labels); host names `{}` in environment values are rewritten", e.key));
        }
        let image = e.value.get("image").and_then(Node::as_str).filter(|s| !s.trim().is_empty()).map(str::to_string);
        let engine = image
            .as_deref()
            .map(values::parse_image)
            .and_then(|r| values::engine_for(&r.repo))
            .filter(|eng| has_engine(eng));
        let mut plan =
            Plan { cname: e.key.clone(), name, node: &e.value, span: e.key_span, image, engine, ports: Vec::new() };
        if plan.engine.is_none() {
            plan.ports = c.ports(&plan);
        }
        plans.push(plan);
    }
    if plans.is_empty() {
        let help = if excluded.is_empty() {
            "add services to the Compose file".to_string()
        } else {
            let all: BTreeSet<&String> = excluded.values().flatten().collect();
            format!(
                "every service is in a profile; pass --profile NAME (profiles: {}) or --profile '*'",
                all.into_iter().cloned().collect::<Vec<_>>().join(", ")
            )
        };
        return Err(Diagnostic::at(services_entry.key_span, "no services to import").help(help));
    }

    let volumes_top = root.get("volumes");
    let mut named_users: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for p in &plans {
        for m in c.mounts_quiet(p) {
            if let MountKind::Named(v) = &m.kind
                && !named_users.get(v).is_some_and(|u| u.contains(&p.cname))
            {
                named_users.entry(v.clone()).or_default().push(p.cname.clone());
            }
        }
    }
    let ctx = Context { plans: &plans, excluded: &excluded, volumes_top, named_users: &named_users, root: &root };

    // Pass 2a: databases first, so services can reference their credentials.
    let mut db_out: BTreeMap<String, Value> = BTreeMap::new();
    let mut db_creds: Vec<DbCredential> = Vec::new();
    for p in plans.iter().filter(|p| p.engine.is_some()) {
        let v = c.database(p, &ctx, &mut db_creds);
        db_out.insert(p.name.clone(), v);
    }
    // Pass 2b: services.
    let mut svc_out: BTreeMap<String, Value> = BTreeMap::new();
    let mut unpinned = Vec::new();
    for p in plans.iter().filter(|p| p.engine.is_none()) {
        let (v, pinned) = c.service(p, &ctx, &db_creds);
        if !pinned {
            unpinned.push(p.name.clone());
        }
        svc_out.insert(p.name.clone(), v);
    }

    let mut spec = Map::new();
    spec.insert("platform".into(), json!(platform));
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
    })
}

/// One Compose service chosen for import.
struct Plan<'n> {
    /// The name in the Compose file.
    cname: String,
    /// The genk8s name (a DNS label).
    name: String,
    node: &'n Node,
    span: Span,
    image: Option<String>,
    /// Catalog engine, when the service becomes a database.
    engine: Option<&'static str>,
    ports: Vec<NamedPort>,
}

impl Plan<'_> {
    fn path(&self, rest: &str) -> String {
        if rest.is_empty() { format!("services.{}", self.cname) } else { format!("services.{}.{rest}", self.cname) }
    }

    fn key_span(&self, key: &str) -> Span {
        self.node.entry(key).map_or(self.span, |e| e.key_span)
    }
}

struct NamedPort {
    name: String,
    m: PortMapping,
}

/// What every service's conversion may look at.
struct Context<'a, 'n> {
    plans: &'a [Plan<'n>],
    excluded: &'a BTreeMap<String, Vec<String>>,
    volumes_top: Option<&'n Node>,
    /// Named volume → the Compose services that mount it.
    named_users: &'a BTreeMap<String, Vec<String>>,
    root: &'n Node,
}

impl Context<'_, '_> {
    fn plan(&self, cname: &str) -> Option<&Plan<'_>> {
        self.plans.iter().find(|p| p.cname == cname)
    }
}

/// A literal credential of a database (to let services reference its Secret instead).
struct DbCredential {
    db: String,
    key: &'static str,
    value: String,
}

struct EnvItem {
    key: String,
    value: Option<String>,
    span: Span,
    path: String,
}

enum MountKind {
    Named(String),
    Bind(String),
    Anonymous,
    Tmpfs,
    Other(String),
}

struct Mount {
    kind: MountKind,
    target: String,
    read_only: bool,
    subpath: bool,
    span: Span,
    path: String,
}

struct Conv<'a> {
    dir: &'a Path,
    display_dir: &'a Path,
    sources: &'a mut SourceMap,
    findings: Vec<Finding>,
    secrets: BTreeMap<String, BTreeSet<String>>,
}

/// Removes `x-*` extension fields from the top level and from every service.
fn strip_extensions(root: Node) -> Node {
    let NodeKind::Map(entries) = root.kind else { return root };
    let entries = entries
        .into_iter()
        .filter(|e| !e.key.starts_with("x-"))
        .map(|e| {
            if e.key != "services" {
                return e;
            }
            let NodeKind::Map(svcs) = e.value.kind else { return e };
            let svcs = svcs
                .into_iter()
                .map(|s| match s.value.kind {
                    NodeKind::Map(fields) => Entry {
                        value: Node::map(
                            s.value.span,
                            fields.into_iter().filter(|f| !f.key.starts_with("x-")).collect(),
                        ),
                        ..s
                    },
                    _ => s,
                })
                .collect();
            Entry { value: Node { span: e.value.span, kind: NodeKind::Map(svcs) }, ..e }
        })
        .collect();
    Node::map(root.span, entries)
}

/// A Compose service name as a genk8s service name (DNS label starting with a letter).
fn service_name(cname: &str) -> String {
    let n = values::dns_label(cname, 52);
    if n.starts_with(|c: char| c.is_ascii_lowercase()) { n } else { values::dns_label(&format!("svc-{n}"), 52) }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

/// A scalar or a list of scalars as strings (`profiles: [a, b]`, `env_file: .env`).
fn string_list(n: Option<&Node>) -> Vec<String> {
    match n.map(|n| &n.kind) {
        Some(NodeKind::Scalar { text, .. }) => vec![text.clone()],
        Some(NodeKind::Seq(items)) => items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

fn is_true(n: Option<&Node>) -> bool {
    n.and_then(Node::as_str).is_some_and(|s| s == "true")
}

/// Well-known port numbers and the name genk8s gives them.
fn port_name_for(container: u16, protocol: &str) -> String {
    if protocol == "tcp" {
        match container {
            80 | 3000 | 4000 | 5000 | 8000 | 8080 | 8081 | 8888 | 1337 | 4200 | 5173 => return "http".into(),
            443 | 8443 => return "https".into(),
            50051 => return "grpc".into(),
            _ => {}
        }
    }
    format!("{protocol}-{container}")
}

fn is_port_name(s: &str) -> bool {
    crate::validate::is_dns_label(s) && s.len() <= 15 && !s.contains("--") && s.chars().any(|c| c.is_ascii_lowercase())
}

/// Resource request and limit (`request/limit`), given either or both.
fn request_limit(req: Option<String>, lim: Option<String>, default_request: &str) -> Option<String> {
    let q = |s: &str| crate::quantity::parse(s).unwrap_or(0.0);
    match (req, lim) {
        (Some(r), Some(l)) if q(&r) <= q(&l) => Some(format!("{r}/{l}")),
        (Some(_), Some(l)) => Some(format!("{l}/{l}")),
        (Some(r), None) => Some(r),
        (None, Some(l)) => {
            let r = if q(default_request) <= q(&l) { default_request.to_string() } else { l.clone() };
            Some(format!("{r}/{l}"))
        }
        (None, None) => None,
    }
}

/// Fields with nothing to say: dropped without a message.
const SILENT: &[&str] = &["version", "profiles", "read_only", "cap_drop", "stdin_open", "tty"];

/// Fields genk8s has no equivalent for, with the reason.
fn unsupported_reason(key: &str) -> Option<&'static str> {
    Some(match key {
        "network_mode" => {
            "not converted: every pod has its own network namespace; genk8s NetworkPolicies follow `uses`"
        }
        "networks" => "not converted: the services of a platform share its namespace; NetworkPolicies follow `uses`",
        "privileged" => {
            "not converted: genk8s pods meet the restricted Pod Security profile (no privileged containers)"
        }
        "cap_add" => "not converted: genk8s drops all capabilities (restricted Pod Security profile)",
        "security_opt" => "not converted: genk8s sets seccomp RuntimeDefault and no privilege escalation",
        "devices" => "not converted: no host devices under the restricted profile (NVIDIA GPUs: set gpu:)",
        "pid" | "ipc" | "uts" | "userns_mode" | "cgroup" | "cgroup_parent" => {
            "not converted: host namespaces and cgroups are not allowed for restricted pods"
        }
        "hostname" | "domainname" => {
            "not converted: Kubernetes names pods; other services reach this one by its Service name"
        }
        "container_name" => "not converted: Kubernetes names pods; other services reach this one by its service name",
        "extra_hosts" | "dns" | "dns_search" | "dns_opt" => "not converted: genk8s has no field for pod DNS settings",
        "working_dir" => "not converted: genk8s has no working-directory field; the image's WORKDIR applies",
        "stop_grace_period" | "stop_signal" => "not converted: Kubernetes sends SIGTERM and waits 30s",
        "sysctls" | "ulimits" | "shm_size" | "oom_kill_disable" | "oom_score_adj" | "mem_swappiness"
        | "memswap_limit" | "pids_limit" | "cpu_shares" | "cpu_quota" | "cpu_period" | "cpu_rt_runtime"
        | "cpu_rt_period" | "cpuset" | "cpu_count" | "cpu_percent" | "blkio_config" | "storage_opt" => {
            "not converted: genk8s has no field for this kernel setting"
        }
        "logging" => "not converted: the cluster's log collection reads container stdout and stderr",
        "pull_policy" => "not converted: Kubernetes pulls by its own policy (IfNotPresent for pinned tags)",
        "external_links" | "volumes_from" | "links_from" => "not converted: no equivalent in Kubernetes",
        "extends" => "not supported: write the service out in full, or share fields with `<<: *anchor`",
        "init" => "not converted: no init process is added; the app runs as PID 1",
        "develop" | "attach" | "post_start" | "pre_stop" | "mac_address" | "isolation" | "runtime"
        | "credential_spec" | "group_add" | "label_file" | "models" | "provider" | "use_api_socket" | "gpus" => {
            "not converted: genk8s has no equivalent"
        }
        _ => return None,
    })
}

impl Conv<'_> {
    fn push(&mut self, level: Level, span: Span, path: impl Into<String>, message: impl Into<String>) {
        self.findings.push(Finding { level, span, path: path.into(), message: message.into() });
    }

    fn warn(&mut self, span: Span, path: impl Into<String>, message: impl Into<String>) {
        self.push(Level::Warning, span, path, message);
    }

    fn note(&mut self, span: Span, path: impl Into<String>, message: impl Into<String>) {
        self.push(Level::Note, span, path, message);
    }

    fn interpolate_tree(&mut self, node: &mut Node, path: &str) {
        let span = node.span;
        match &mut node.kind {
            NodeKind::Scalar { text, .. } => {
                if text.contains('$') {
                    let mut unset = Vec::new();
                    *text = interpolate(text, &mut unset);
                    for m in unset {
                        self.warn(span, path, m);
                    }
                }
            }
            NodeKind::Seq(items) => {
                for (i, it) in items.iter_mut().enumerate() {
                    self.interpolate_tree(it, &format!("{path}[{i}]"));
                }
            }
            NodeKind::Map(entries) => {
                for e in entries {
                    let p = join(path, &e.key);
                    self.interpolate_tree(&mut e.value, &p);
                }
            }
            NodeKind::Null => {}
        }
    }

    /// Ports of `ports:` and `expose:`, named and deduplicated by container port and protocol.
    fn ports(&mut self, p: &Plan) -> Vec<NamedPort> {
        let mut mappings: Vec<(PortMapping, Option<String>)> = Vec::new();
        let mut published: Vec<String> = Vec::new();
        for key in ["ports", "expose"] {
            let Some(entry) = p.node.entry(key) else { continue };
            let items: Vec<&Node> = match &entry.value.kind {
                NodeKind::Seq(items) => items.iter().collect(),
                NodeKind::Null => Vec::new(),
                _ => {
                    self.warn(
                        entry.key_span,
                        p.path(key),
                        format!("expected a list, found {}; ignored", entry.value.describe()),
                    );
                    continue;
                }
            };
            for (i, item) in items.into_iter().enumerate() {
                let path = p.path(&format!("{key}[{i}]"));
                let parsed: Result<Vec<(PortMapping, Option<String>)>, String> = match &item.kind {
                    NodeKind::Scalar { text, .. } => {
                        values::parse_short_port(text).map(|v| v.into_iter().map(|m| (m, None)).collect())
                    }
                    NodeKind::Map(_) => self.long_port(item, &path),
                    _ => Err(format!("expected a port, found {}", item.describe())),
                };
                match parsed {
                    Ok(ms) => {
                        for (mut m, name) in ms {
                            if key == "expose" {
                                m.published = None;
                            }
                            if let Some(pb) = &m.published {
                                let ip = match &m.host_ip {
                                    Some(ip) if ip.contains(':') => format!("[{ip}]:"),
                                    Some(ip) => format!("{ip}:"),
                                    None => String::new(),
                                };
                                let proto =
                                    if m.protocol == "tcp" { String::new() } else { format!("/{}", m.protocol) };
                                published.push(format!("{ip}{pb}→{}{proto}", m.container));
                            }
                            if !mappings.iter().any(|(x, _)| x.container == m.container && x.protocol == m.protocol) {
                                mappings.push((m, name));
                            }
                        }
                    }
                    Err(e) => self.warn(item.span, path, format!("{e}; port skipped")),
                }
            }
        }
        if !published.is_empty() {
            let first = mappings.first().map(|(m, _)| m.container).unwrap_or_default();
            self.note(
                p.key_span("ports"),
                p.path("ports"),
                format!(
                    "host port mappings ({}) are not kept: inside the cluster other services reach `{}` on its container ports (e.g. {}:{first}); add `ingress:` to expose it outside",
                    published.join(", "),
                    p.name,
                    p.name
                ),
            );
        }
        let mut out: Vec<NamedPort> = Vec::new();
        for (m, explicit) in mappings {
            let wanted =
                explicit.filter(|n| is_port_name(n)).unwrap_or_else(|| port_name_for(m.container, &m.protocol));
            let name = if out.iter().any(|o| o.name == wanted) {
                let alt = format!("{wanted}-{}", m.container);
                if is_port_name(&alt) && !out.iter().any(|o| o.name == alt) {
                    alt
                } else {
                    format!("{}-{}", m.protocol, m.container)
                }
            } else {
                wanted
            };
            out.push(NamedPort { name, m });
        }
        out
    }

    /// Long port syntax: `{target, published, host_ip, protocol, mode, name, app_protocol}`.
    fn long_port(&mut self, item: &Node, path: &str) -> Result<Vec<(PortMapping, Option<String>)>, String> {
        let target = item.get("target").and_then(Node::as_str).ok_or("a long-syntax port needs target:")?;
        let containers = values::port_range(target)?;
        let protocol = item.get("protocol").and_then(Node::as_str).unwrap_or("tcp").to_ascii_lowercase();
        if !["tcp", "udp", "sctp"].contains(&protocol.as_str()) {
            return Err(format!("unknown protocol `{protocol}` (tcp, udp or sctp)"));
        }
        let published = item.get("published").and_then(Node::as_str).filter(|s| !s.is_empty()).map(str::to_string);
        let host_ip = item.get("host_ip").and_then(Node::as_str).map(str::to_string);
        let name = item.get("name").and_then(Node::as_str).map(str::to_ascii_lowercase);
        for e in item.entries().unwrap_or_default() {
            match e.key.as_str() {
                "target" | "published" | "host_ip" | "protocol" | "name" => {}
                "mode" => {
                    if e.value.as_str() == Some("host") {
                        self.note(
                            e.key_span,
                            format!("{path}.mode"),
                            "host mode publishing is not kept (no host ports in genk8s)",
                        );
                    }
                }
                "app_protocol" => {}
                k => self.warn(e.key_span, format!("{path}.{k}"), "unknown port field; ignored"),
            }
        }
        Ok(containers
            .into_iter()
            .map(|c| {
                (
                    PortMapping {
                        container: c,
                        protocol: protocol.clone(),
                        published: published.clone(),
                        host_ip: host_ip.clone(),
                    },
                    name.clone(),
                )
            })
            .collect())
    }

    /// Mounts of `volumes:` and `tmpfs:` without reporting anything.
    fn mounts_quiet(&mut self, p: &Plan) -> Vec<Mount> {
        let n = self.findings.len();
        let m = self.mounts(p);
        self.findings.truncate(n);
        m
    }

    fn mounts(&mut self, p: &Plan) -> Vec<Mount> {
        let mut out = Vec::new();
        if let Some(entry) = p.node.entry("volumes") {
            match &entry.value.kind {
                NodeKind::Seq(items) => {
                    for (i, item) in items.iter().enumerate() {
                        let path = p.path(&format!("volumes[{i}]"));
                        match &item.kind {
                            NodeKind::Scalar { text, .. } => {
                                let parts: Vec<&str> = text.split(':').collect();
                                let (source, target, mode) = match parts.as_slice() {
                                    [t] => (None, *t, ""),
                                    [s, t] => (Some(*s), *t, ""),
                                    [s, t, m] => (Some(*s), *t, *m),
                                    _ => {
                                        self.warn(item.span, path, "expected [SOURCE:]TARGET[:MODE]; skipped");
                                        continue;
                                    }
                                };
                                let kind = match source {
                                    None => MountKind::Anonymous,
                                    Some(s) if s.starts_with(['.', '/', '~', '$']) || s.contains('/') => {
                                        MountKind::Bind(s.to_string())
                                    }
                                    Some(s) => MountKind::Named(s.to_string()),
                                };
                                let read_only = mode.split(',').any(|m| m == "ro");
                                out.push(Mount {
                                    kind,
                                    target: target.to_string(),
                                    read_only,
                                    subpath: false,
                                    span: item.span,
                                    path,
                                });
                            }
                            NodeKind::Map(_) => {
                                let ty = item.get("type").and_then(Node::as_str).unwrap_or("volume");
                                let source = item.get("source").and_then(Node::as_str).filter(|s| !s.is_empty());
                                let Some(target) = item.get("target").and_then(Node::as_str) else {
                                    self.warn(item.span, path, "a long-syntax volume needs target:; skipped");
                                    continue;
                                };
                                let kind = match (ty, source) {
                                    ("volume", Some(s)) => MountKind::Named(s.to_string()),
                                    ("volume", None) => MountKind::Anonymous,
                                    ("bind", s) => MountKind::Bind(s.unwrap_or_default().to_string()),
                                    ("tmpfs", _) => MountKind::Tmpfs,
                                    (other, _) => MountKind::Other(other.to_string()),
                                };
                                let subpath = item.get("volume").and_then(|v| v.get("subpath")).is_some();
                                out.push(Mount {
                                    kind,
                                    target: target.to_string(),
                                    read_only: is_true(item.get("read_only")),
                                    subpath,
                                    span: item.span,
                                    path,
                                });
                            }
                            _ => self.warn(
                                item.span,
                                path,
                                format!("expected a volume, found {}; skipped", item.describe()),
                            ),
                        }
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

    /// The environment of a service: `env_file` entries, then `environment`, later ones winning.
    fn env(&mut self, p: &Plan) -> Vec<EnvItem> {
        let mut out: Vec<EnvItem> = Vec::new();
        let put = |out: &mut Vec<EnvItem>, item: EnvItem| match out.iter_mut().find(|e| e.key == item.key) {
            Some(e) => *e = item,
            None => out.push(item),
        };
        if let Some(entry) = p.node.entry("env_file") {
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
                let full = self.dir.join(&f);
                let shown: PathBuf = self.display_dir.join(&f);
                match crate::load::read_text(&full) {
                    Ok(text) => {
                        let entries = parse_dotenv(&text);
                        let id = self.sources.add(&shown, text);
                        for d in entries {
                            let span = Span::new(id, d.line, d.col);
                            let path = format!("{}.{}", p.path("env_file"), d.key);
                            for m in d.unset {
                                self.warn(span, &path, m);
                            }
                            put(&mut out, EnvItem { key: d.key, value: d.value, span, path });
                        }
                    }
                    Err(e) if required => {
                        self.warn(span, p.path("env_file"), format!("{}; its variables are missing", e.message))
                    }
                    Err(_) => {}
                }
            }
        }
        if let Some(entry) = p.node.entry("environment") {
            match &entry.value.kind {
                NodeKind::Seq(items) => {
                    for item in items {
                        let Some(text) = item.as_str() else { continue };
                        let (key, value) = match text.split_once('=') {
                            Some((k, v)) => (k.to_string(), Some(v.to_string())),
                            None => (text.to_string(), None),
                        };
                        let path = format!("{}.{key}", p.path("environment"));
                        put(&mut out, EnvItem { key, value, span: item.span, path });
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
                        put(&mut out, EnvItem { key: e.key.clone(), value, span: e.key_span, path });
                    }
                }
                NodeKind::Null => {}
                _ => self.warn(entry.key_span, p.path("environment"), "expected a list or a map; ignored"),
            }
        }
        out.retain(|e| {
            if e.value.is_none() {
                self.findings.push(Finding {
                    level: Level::Warning,
                    span: e.span,
                    path: e.path.clone(),
                    message: format!("`{}` takes its value from the environment of `docker compose`, which genk8s import does not read; skipped", e.key),
                });
                return false;
            }
            let bad = e.key.is_empty() || e.key.contains('=') || e.key.chars().any(|c| c.is_control() || c.is_whitespace());
            if bad {
                self.findings.push(Finding { level: Level::Warning, span: e.span, path: e.path.clone(), message: format!("`{}` is not a valid variable name; skipped", e.key) });
            }
            !bad
        });
        out
    }

    /// `cpus`/`memory` limits and reservations (`deploy.resources` and the older fields),
    /// replicas and GPUs.
    fn deploy<'n>(&mut self, p: &Plan<'n>, cpu_default: &str, mem_default: &str) -> Deploy<'n> {
        let mut d = Deploy::default();
        let (mut cpu_req, mut cpu_lim, mut mem_req, mut mem_lim) = (None, None, None, None);
        let quantity = |c: &mut Self, n: &Node, path: String, f: fn(&str) -> Option<String>| -> Option<String> {
            let text = n.as_str()?;
            let q = f(text);
            if q.is_none() {
                c.warn(n.span, path, format!("`{text}` is not a size genk8s import understands; ignored"));
            }
            q
        };
        for (key, slot_is_cpu, is_limit) in
            [("cpus", true, true), ("mem_limit", false, true), ("mem_reservation", false, false)]
        {
            if let Some(n) = p.node.get(key) {
                let f = if slot_is_cpu { values::cpu_quantity } else { values::memory_quantity };
                let q = quantity(self, n, p.path(key), f);
                match (slot_is_cpu, is_limit) {
                    (true, _) => cpu_lim = q.or(cpu_lim),
                    (false, true) => mem_lim = q.or(mem_lim),
                    (false, false) => mem_req = q.or(mem_req),
                }
            }
        }
        if let Some(n) = p.node.get("scale").and_then(Node::as_str) {
            d.replicas = n.parse().ok().filter(|r: &i64| *r >= 0);
        }
        if let Some(dep) = p.node.entry("deploy") {
            for e in dep.value.entries().unwrap_or_default() {
                let path = format!("{}.{}", p.path("deploy"), e.key);
                match e.key.as_str() {
                    "replicas" => match e.value.as_str().and_then(|s| s.parse::<i64>().ok()) {
                        Some(r) if r >= 0 => d.replicas = Some(r),
                        _ => self.warn(e.value.span, path, "replicas must be a whole number; ignored"),
                    },
                    "resources" => {
                        for part in e.value.entries().unwrap_or_default() {
                            let ppath = format!("{path}.{}", part.key);
                            let limit = match part.key.as_str() {
                                "limits" => true,
                                "reservations" => false,
                                _ => {
                                    self.warn(part.key_span, ppath, "unknown resources field; ignored");
                                    continue;
                                }
                            };
                            for r in part.value.entries().unwrap_or_default() {
                                let rpath = format!("{ppath}.{}", r.key);
                                match r.key.as_str() {
                                    "cpus" => {
                                        let q = quantity(self, &r.value, rpath, values::cpu_quantity);
                                        if limit { cpu_lim = q.or(cpu_lim) } else { cpu_req = q.or(cpu_req) }
                                    }
                                    "memory" => {
                                        let q = quantity(self, &r.value, rpath, values::memory_quantity);
                                        if limit { mem_lim = q.or(mem_lim) } else { mem_req = q.or(mem_req) }
                                    }
                                    "devices" if !limit => d.gpu = self.gpus(&r.value, &rpath).or(d.gpu),
                                    "pids" => {
                                        self.warn(r.key_span, rpath, "not converted: genk8s has no pid limit field")
                                    }
                                    _ => self.warn(
                                        r.key_span,
                                        rpath,
                                        "not converted: genk8s sets cpu, memory and GPUs only",
                                    ),
                                }
                            }
                        }
                    }
                    "labels" => d.labels = Some(e),
                    "mode" => {
                        if e.value.as_str() == Some("global") {
                            self.warn(e.key_span, path, "not converted: global mode runs one container per node; genk8s runs a Deployment (set replicas:)");
                        }
                    }
                    "placement" => self.warn(
                        e.key_span,
                        path,
                        "not converted: use node_selector: and tolerations: in the genk8s spec",
                    ),
                    "update_config" | "rollback_config" => self.warn(
                        e.key_span,
                        path,
                        "not converted: genk8s rolls out with maxSurge 25% and maxUnavailable 0 (see strategy:)",
                    ),
                    "restart_policy" => {
                        self.warn(e.key_span, path, "not converted: a Deployment always restarts its containers")
                    }
                    "endpoint_mode" => {
                        self.warn(e.key_span, path, "not converted: the Kubernetes Service balances over ready pods")
                    }
                    _ => self.warn(
                        e.key_span,
                        path,
                        "not converted: genk8s import knows replicas, resources, labels and mode only",
                    ),
                }
            }
        }
        d.cpu = request_limit(cpu_req, cpu_lim, cpu_default);
        d.memory = request_limit(mem_req, mem_lim, mem_default);
        d
    }

    /// `deploy.resources.reservations.devices` asking for NVIDIA GPUs.
    fn gpus(&mut self, n: &Node, path: &str) -> Option<u64> {
        let NodeKind::Seq(items) = &n.kind else { return None };
        let mut total = 0u64;
        for (i, item) in items.iter().enumerate() {
            let caps = string_list(item.get("capabilities"));
            let driver = item.get("driver").and_then(Node::as_str).unwrap_or("nvidia");
            if !caps.iter().any(|c| c == "gpu") || driver != "nvidia" {
                self.warn(
                    item.span,
                    format!("{path}[{i}]"),
                    "not converted: only NVIDIA GPUs (capabilities: [gpu]) map to gpu:",
                );
                continue;
            }
            match item.get("count").and_then(Node::as_str) {
                Some("all") => {
                    self.warn(item.span, format!("{path}[{i}]"), "`count: all` became gpu: 1 (Kubernetes requests a fixed number); raise it if the node has more");
                    total += 1;
                }
                Some(c) => total += c.parse::<u64>().unwrap_or(1),
                None => {
                    let ids = string_list(item.get("device_ids")).len() as u64;
                    total += ids.max(1);
                }
            }
        }
        (total > 0).then_some(total)
    }

    /// Docker healthcheck → exec liveness and readiness probes.
    fn probes(&mut self, p: &Plan, entry: &Entry) -> Option<Value> {
        let path = p.path("healthcheck");
        let hc = &entry.value;
        if is_true(hc.get("disable")) {
            self.note(entry.key_span, path, "disabled in Compose: no probes written (genk8s adds TCP probes on the first port of services with ports)");
            return None;
        }
        let Some(test) = hc.entry("test") else {
            self.note(
                entry.key_span,
                path,
                "has no test (Compose then uses the image's HEALTHCHECK, which genk8s cannot see): no probes written",
            );
            return None;
        };
        let exec: Vec<String> = match &test.value.kind {
            NodeKind::Scalar { text, .. } if text.trim().is_empty() => Vec::new(),
            NodeKind::Scalar { text, .. } => vec!["/bin/sh".into(), "-c".into(), text.clone()],
            NodeKind::Seq(items) => {
                let words: Vec<String> = items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect();
                match words.first().map(String::as_str) {
                    Some("NONE") => {
                        self.note(test.key_span, format!("{path}.test"), "NONE disables the check: no probes written");
                        return None;
                    }
                    Some("CMD") => words[1..].to_vec(),
                    Some("CMD-SHELL") => vec!["/bin/sh".into(), "-c".into(), words[1..].join(" ")],
                    _ => {
                        self.warn(
                            test.value.span,
                            format!("{path}.test"),
                            "a test list must start with CMD, CMD-SHELL or NONE; no probes written",
                        );
                        return None;
                    }
                }
            }
            _ => Vec::new(),
        };
        if exec.is_empty() || exec.iter().all(|w| w.trim().is_empty()) {
            self.warn(test.key_span, format!("{path}.test"), "the test is empty; no probes written");
            return None;
        }
        let mut timing = Map::new();
        let mut liveness_delay = None;
        for e in hc.entries().unwrap_or_default() {
            let fpath = format!("{path}.{}", e.key);
            let text = e.value.as_str().unwrap_or_default();
            let dur = |c: &mut Self| {
                let d = values::parse_duration(text);
                if d.is_none() {
                    c.warn(e.value.span, fpath.clone(), format!("`{text}` is not a duration; ignored"));
                }
                d
            };
            match e.key.as_str() {
                "test" | "disable" => {}
                "interval" => {
                    if let Some(d) = dur(self) {
                        timing.insert("period".into(), json!(values::seconds(d, 1)));
                    }
                }
                "timeout" => {
                    if let Some(d) = dur(self) {
                        timing.insert("timeout".into(), json!(values::seconds(d, 1)));
                    }
                }
                "retries" => match text.parse::<i64>() {
                    Ok(r) => {
                        timing.insert("failure_threshold".into(), json!(r.max(1)));
                    }
                    Err(_) => self.warn(e.value.span, fpath, "retries must be a whole number; ignored"),
                },
                "start_period" => {
                    if let Some(d) = dur(self) {
                        liveness_delay = Some(values::seconds(d, 0));
                    }
                }
                "start_interval" => self.note(e.key_span, fpath, "not converted: Kubernetes probes keep one period"),
                _ => self.warn(e.key_span, fpath, "unknown healthcheck field; ignored"),
            }
        }
        let probe = |delay: Option<i64>| {
            let mut m = Map::new();
            m.insert("exec".into(), json!(exec));
            if let Some(d) = delay.filter(|d| *d > 0) {
                m.insert("initial_delay".into(), json!(d));
            }
            m.extend(timing.clone());
            Value::Object(m)
        };
        Some(json!({"liveness": probe(liveness_delay), "readiness": probe(None)}))
    }

    /// `entrypoint` or `command`: a list is kept; a string is split like a shell would,
    /// or run through `/bin/sh -c` when it holds shell operators.
    fn command(&mut self, p: &Plan, key: &str) -> Option<Vec<String>> {
        let entry = p.node.entry(key)?;
        let words = match &entry.value.kind {
            NodeKind::Seq(items) => items.iter().map(|i| i.as_str().unwrap_or_default().to_string()).collect(),
            NodeKind::Scalar { text, .. } => match values::shell_split(text) {
                Some(w) => w,
                None => {
                    self.note(entry.value.span, p.path(key), "holds shell syntax: runs through /bin/sh -c");
                    vec!["/bin/sh".into(), "-c".into(), text.clone()]
                }
            },
            _ => Vec::new(),
        };
        if words.is_empty() {
            if key == "entrypoint" {
                self.warn(
                    entry.key_span,
                    p.path(key),
                    "an empty entrypoint cannot be expressed: Kubernetes then uses the image's ENTRYPOINT",
                );
            }
            return None;
        }
        Some(words.iter().map(|w| values::escape_k8s_refs(w)).collect())
    }

    /// Dependencies from `depends_on` and `links`: (compose name, span, path).
    fn depends(&mut self, p: &Plan) -> Vec<(String, Span, String)> {
        let mut out = Vec::new();
        for key in ["depends_on", "links"] {
            let Some(entry) = p.node.entry(key) else { continue };
            match &entry.value.kind {
                NodeKind::Seq(items) => {
                    for (i, item) in items.iter().enumerate() {
                        if let Some(t) = item.as_str() {
                            let target = if key == "links" { t.split(':').next().unwrap_or(t) } else { t };
                            out.push((target.to_string(), item.span, p.path(&format!("{key}[{i}]"))));
                        }
                    }
                }
                NodeKind::Map(entries) => {
                    for e in entries {
                        out.push((e.key.clone(), e.key_span, format!("{}.{}", p.path(key), e.key)));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Fields handled the same way for services and databases (or not at all).
    fn common(&mut self, p: &Plan, e: &Entry) {
        let path = p.path(&e.key);
        if SILENT.contains(&e.key.as_str()) {
            return;
        }
        if e.key == "restart" {
            match e.value.as_str() {
                Some("no") => {
                    self.warn(e.key_span, path, "`no` is not kept: a Deployment always restarts its containers")
                }
                Some(s) if s.starts_with("on-failure") => {
                    self.note(e.key_span, path, "a Deployment restarts containers on every exit, not only on failure")
                }
                _ => {}
            }
            return;
        }
        match unsupported_reason(&e.key) {
            Some(reason) => self.warn(e.key_span, path, reason),
            None => self.warn(e.key_span, path, "not a Compose service field genk8s import knows; ignored"),
        }
    }

    fn database(&mut self, p: &Plan, ctx: &Context, creds: &mut Vec<DbCredential>) -> Value {
        let engine = p.engine.unwrap_or_default();
        let image = p.image.clone().unwrap_or_default();
        let r = values::parse_image(&image);
        let mut out = Map::new();
        out.insert("engine".into(), json!(engine));
        match r.tag.as_deref() {
            Some(t) if t != "latest" && values::is_tag(t) => {
                out.insert("version".into(), json!(t));
            }
            _ => self.note(
                p.key_span("image"),
                p.path("image"),
                format!("`{image}` names no version: the {engine} engine's pinned default version is used"),
            ),
        }
        if r.digest {
            self.note(
                p.key_span("image"),
                p.path("image"),
                "the digest is not kept: genk8s pins the engine image by tag",
            );
        }
        let secret = format!("{}-credentials", p.name);
        let mut keys: Vec<&str> = match engine {
            "postgres" | "postgis" => vec!["username", "password"],
            "mongodb" => vec!["username", "password"],
            "redis" => vec!["password"],
            "qdrant" => vec!["api-key"],
            _ => vec![],
        };
        // Environment: credentials go to the Secret, known settings are consumed, the rest stays.
        let mut env = Map::new();
        let mut database: Option<String> = None;
        let mut user: Option<String> = None;
        for item in self.env(p) {
            let value = item.value.clone().unwrap_or_default();
            let consumed: Option<(&'static str, bool)> = match (engine, item.key.as_str()) {
                ("postgres" | "postgis", "POSTGRES_PASSWORD") | ("mongodb", "MONGO_INITDB_ROOT_PASSWORD") => {
                    Some(("password", true))
                }
                ("qdrant", "QDRANT__SERVICE__API_KEY") => Some(("api-key", true)),
                ("postgres" | "postgis", "POSTGRES_USER") | ("mongodb", "MONGO_INITDB_ROOT_USERNAME") => {
                    user = Some(value.clone());
                    Some(("username", false))
                }
                ("postgres" | "postgis", "POSTGRES_DB") | ("mongodb", "MONGO_INITDB_DATABASE") => {
                    database = Some(value.clone());
                    continue;
                }
                ("postgres" | "postgis", "PGDATA") => {
                    self.note(item.span, item.path, "not kept: the engine sets its own data directory");
                    continue;
                }
                ("postgres" | "postgis", "POSTGRES_HOST_AUTH_METHOD") => {
                    self.warn(
                        item.span,
                        item.path,
                        "not kept: genk8s databases always require the password from their credentials Secret",
                    );
                    continue;
                }
                (_, k) if k.ends_with("_FILE") => {
                    self.warn(item.span, item.path, format!("not kept: credentials come from Secret `{secret}`"));
                    continue;
                }
                _ => None,
            };
            if let Some((key, is_secret)) = consumed {
                if is_secret && !value.is_empty() {
                    creds.push(DbCredential { db: p.name.clone(), key, value: value.clone() });
                }
                self.note(
                    item.span,
                    item.path,
                    format!(
                        "now read from Secret `{secret}` key `{key}`{}",
                        if is_secret { " (the value is not copied)" } else { "" }
                    ),
                );
                continue;
            }
            if values::is_secret_key(&item.key) || values::has_url_credentials(&value) {
                self.warn(item.span, item.path, "not kept: database env cannot reference a Secret, and secret values are never copied into the spec");
                continue;
            }
            env.insert(item.key, json!(value));
        }
        if matches!(engine, "postgres" | "postgis") {
            // The image's own default: POSTGRES_DB falls back to POSTGRES_USER, then `postgres`.
            let db = database.clone().or(user).filter(|d| !d.is_empty()).unwrap_or_else(|| "postgres".into());
            if is_database_name(&db) {
                out.insert("database".into(), json!(db));
            } else {
                self.warn(p.span, p.path("environment"), format!("database name `{db}` not kept: genk8s import writes names of letters, digits, `_` and `-` (set database:)"));
            }
        } else if let Some(db) = database.filter(|d| !d.is_empty()) {
            if is_database_name(&db) {
                out.insert("database".into(), json!(db));
            } else {
                self.warn(p.span, p.path("environment"), format!("database name `{db}` not kept: genk8s import writes names of letters, digits, `_` and `-` (set database:)"));
            }
        }
        // Storage: the named volume (at the data path, or the first one).
        let mounts = self.mounts(p);
        let mut storage_done = false;
        for m in mounts {
            match &m.kind {
                MountKind::Named(v) if !storage_done => {
                    storage_done = true;
                    out.insert("storage".into(), json!({"size": DEFAULT_VOLUME_SIZE}));
                    self.note(m.span, m.path, format!("named volume `{v}` became the database's storage ({DEFAULT_VOLUME_SIZE}: Compose volumes have no size; set storage.size)"));
                    if let Some(users) = ctx.named_users.get(v).filter(|u| u.len() > 1) {
                        let others: Vec<&str> = users.iter().filter(|u| **u != p.cname).map(String::as_str).collect();
                        self.warn(m.span, p.path("volumes"), format!("volume `{v}` is also mounted by {}: the database's storage is its own", others.join(", ")));
                    }
                }
                MountKind::Bind(src) => self.warn(m.span, m.path, format!("bind mount of `{src}` not converted: pods cannot see the Compose host's files (init scripts: run them from a service's migrate: command)")),
                _ => self.warn(m.span, m.path, "not converted: a database has one data volume, at the engine's data path"),
            }
        }
        if !storage_done {
            self.note(p.span, p.path(""), "had no named volume (its data did not outlive the container): it gets persistent storage of the engine's default size");
        }
        let dep = self.deploy(p, "100m", "128Mi");
        let mut res = Map::new();
        if let Some(c) = dep.cpu {
            res.insert("cpu".into(), json!(c));
        }
        if let Some(m) = dep.memory {
            res.insert("memory".into(), json!(m));
        }
        if !res.is_empty() {
            out.insert("resources".into(), Value::Object(res));
        }
        if let Some(r) = dep.replicas.filter(|r| *r > 1) {
            self.warn(
                p.key_span("deploy"),
                p.path("deploy.replicas"),
                format!("{r} replicas of a database are independent copies, not replication: kept at 1"),
            );
        }
        if !env.is_empty() {
            out.insert("env".into(), Value::Object(env));
        }
        if out.get("database").is_none() && matches!(engine, "postgres" | "postgis") {
            keys.push("database");
        }
        self.secrets.entry(secret.clone()).or_default().extend(keys.iter().map(|k| k.to_string()));
        let mut msg = format!(
            "runs as catalog database `{engine}` (a StatefulSet); it reads its credentials from Secret `{secret}` (keys {})",
            keys.join(", ")
        );
        if engine == "redis" {
            msg.push_str("; clients must now send that password");
        }
        self.note(p.key_span("image"), p.path("image"), msg);

        for e in p.node.entries().unwrap_or_default() {
            let path = p.path(&e.key);
            match e.key.as_str() {
                "image" | "environment" | "env_file" | "volumes" | "tmpfs" | "deploy" | "cpus" | "mem_limit" | "mem_reservation" | "scale" | "depends_on" | "links" => {}
                "ports" | "expose" => self.note(
                    e.key_span,
                    path,
                    format!("not kept: clients reach the database at `{}` on its engine's port", p.name),
                ),
                "healthcheck" => self.note(e.key_span, path, "not kept: the engine has its own liveness and readiness probes"),
                "command" | "entrypoint" => self.warn(e.key_span, path, format!("not kept: the {engine} engine runs its own command (change it in templates/engines/{engine}.yaml.j2)")),
                "user" => self.note(e.key_span, path, "not kept: the engine runs as its image's own user"),
                "build" => self.note(e.key_span, path, "not kept: the engine's official image is used"),
                "labels" | "annotations" => self.warn(e.key_span, path, "not converted: genk8s databases have no labels or annotations field"),
                "secrets" | "configs" => self.warn(e.key_span, path, "not converted: database files come from the engine template"),
                "platform" => self.warn(e.key_span, path, "not converted: use node_selector: on the database"),
                _ => self.common(p, e),
            }
        }
        Value::Object(out)
    }

    /// Converts a service; also returns whether its image is pinned to a version.
    fn service(&mut self, p: &Plan, ctx: &Context, db_creds: &[DbCredential]) -> (Value, bool) {
        let mut out = Map::new();
        // Image.
        let image = match &p.image {
            Some(i) => {
                if p.node.get("build").is_some() {
                    self.note(
                        p.key_span("build"),
                        p.path("build"),
                        format!(
                            "not kept: the cluster pulls `{i}`; build and push it to a registry the cluster can reach"
                        ),
                    );
                }
                i.clone()
            }
            None => {
                let ph = placeholder_image(&p.name);
                if p.node.get("build").is_some() {
                    self.warn(p.key_span("build"), p.path("build"), format!("build-only service: the image is a placeholder, `{ph}`; build and push the image, then set image:"));
                } else {
                    self.warn(
                        p.span,
                        p.path(""),
                        format!("has neither image nor build: the image is a placeholder, `{ph}`"),
                    );
                }
                ph
            }
        };
        let r = values::parse_image(&image);
        let (image, pinned) = match r.tag.as_deref() {
            None if r.digest => (image, true),
            None => {
                let image = image.trim_end_matches(':');
                self.warn(p.key_span("image"), p.path("image"), format!("`{image}` has no tag (Compose pulls latest): written as `{image}:latest`; pin a version, production environments refuse latest"));
                (format!("{image}:latest"), false)
            }
            Some("latest") => {
                self.warn(
                    p.key_span("image"),
                    p.path("image"),
                    "uses the latest tag: pin a version; production environments refuse latest",
                );
                (image, false)
            }
            Some(_) => (image, true),
        };
        if let Some(what) = values::stateful_without_engine(&r.repo) {
            self.warn(p.key_span("image"), p.path("image"), format!("{what} has no genk8s catalog engine: kept as a service (a Deployment, not a StatefulSet); add templates/engines/<engine>.yaml.j2 to run it as a database"));
        }
        out.insert("image".into(), json!(image));

        let mut f = ServiceFields {
            command: self.command(p, "entrypoint"),
            args: self.command(p, "command"),
            ..ServiceFields::default()
        };

        // Uses: dependencies, then hosts named in the environment.
        let mut uses: BTreeSet<String> = BTreeSet::new();
        for (target, span, path) in self.depends(p) {
            self.use_target(p, ctx, &target, span, &path, &mut uses);
        }
        let mut env = self.env(p);
        for item in &mut env {
            let Some(value) = item.value.as_mut() else { continue };
            for t in ctx.plans {
                if t.cname == p.cname || !mentions_host(value, &item.key, &t.cname) {
                    continue;
                }
                if t.cname != t.name {
                    *value = replace_host(value, &item.key, &t.cname, &t.name);
                }
                let reachable = t.engine.is_some() || !t.ports.is_empty();
                if reachable && uses.insert(t.name.clone()) {
                    self.note(item.span, item.path.clone(), format!("names `{}` as a host: added to uses (genk8s NetworkPolicies let a service reach only what it uses)", t.name));
                }
            }
        }
        // Environment: secrets by reference, the rest literal.
        let mut env_out = Map::new();
        let own_secret = format!("{}-secrets", p.name);
        let mut moved: Vec<String> = Vec::new();
        let mut first_secret_span = None;
        for item in env {
            let value = item.value.unwrap_or_default();
            if values::is_secret_key(&item.key) || values::has_url_credentials(&value) {
                let linked: Vec<&DbCredential> =
                    db_creds.iter().filter(|c| !value.is_empty() && c.value == value && uses.contains(&c.db)).collect();
                let reference = if let [c] = linked.as_slice() {
                    let s = format!("{}-credentials", c.db);
                    self.note(
                        item.span,
                        item.path,
                        format!(
                            "the value is the password of database `{}`: read from Secret `{s}` key `{}`",
                            c.db, c.key
                        ),
                    );
                    json!({"secret": s, "key": c.key})
                } else {
                    let key = values::secret_key(&item.key);
                    self.secrets.entry(own_secret.clone()).or_default().insert(key.clone());
                    moved.push(item.key.clone());
                    first_secret_span.get_or_insert(item.span);
                    json!({"secret": own_secret, "key": key})
                };
                env_out.insert(item.key, reference);
            } else {
                env_out.insert(item.key, json!(values::escape_k8s_refs(&value)));
            }
        }
        if let Some(span) = first_secret_span {
            self.note(span, p.path("environment"), format!("secret values ({}) are not copied: they are read from Secret `{own_secret}`, which the cluster must hold", moved.join(", ")));
        }

        // Volumes and mounts.
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
                        self.warn(m.span, m.path, format!("volume `{v}` is mounted twice: only the first mount is kept"));
                        continue;
                    }
                    volumes.insert(vname.clone(), json!({"path": m.target, "size": DEFAULT_VOLUME_SIZE}));
                    let mut msg = format!("named volume `{v}` became PersistentVolumeClaim `{}-{vname}` of {DEFAULT_VOLUME_SIZE} (Compose volumes have no size)", p.name);
                    if m.read_only {
                        msg.push_str("; it is mounted read-write (genk8s volumes have no read-only flag)");
                    }
                    if m.subpath {
                        msg.push_str("; the subpath is not kept");
                    }
                    self.note(m.span, &m.path, msg);
                    if let Some(users) = ctx.named_users.get(v).filter(|u| u.len() > 1) {
                        let others: Vec<&str> = users.iter().filter(|u| **u != p.cname).map(String::as_str).collect();
                        self.warn(m.span, m.path, format!("volume `{v}` is shared with {}: each service now gets its own claim, so they no longer see each other's files", others.join(", ")));
                    }
                    if let Some(top) = ctx.volumes_top.and_then(|t| t.get(v)) {
                        if is_true(top.get("external")) {
                            self.warn(m.span, p.path("volumes"), format!("volume `{v}` is external in Compose: the new claim starts empty; copy its data over"));
                        }
                    } else if ctx.volumes_top.and_then(|t| t.entry(v)).is_none() {
                        self.note(m.span, p.path("volumes"), format!("volume `{v}` is not declared under the top-level volumes:"));
                    }
                }
                MountKind::Bind(src) => self.warn(
                    m.span,
                    m.path,
                    format!("bind mount of `{src}` not converted: pods cannot see the Compose host's files; put config files under files: (a ConfigMap) or into the image"),
                ),
                MountKind::Anonymous | MountKind::Tmpfs => {
                    if !writable.contains(&m.target) && m.target != "/tmp" {
                        writable.push(m.target.clone());
                    }
                }
                MountKind::Other(t) => self.warn(m.span, m.path, format!("volume type `{t}` not converted")),
            }
        }

        // Everything else, field by field.
        let mut probes = None;
        let mut annotations = Map::new();
        let mut pod_annotations = Map::new();
        let mut files = Map::new();
        let mut mounts = Map::new();
        let mut node_selector = Map::new();
        for e in p.node.entries().unwrap_or_default() {
            let path = p.path(&e.key);
            match e.key.as_str() {
                "image" | "build" | "command" | "entrypoint" | "ports" | "expose" | "environment" | "env_file"
                | "volumes" | "tmpfs" | "depends_on" | "links" | "deploy" | "cpus" | "mem_limit"
                | "mem_reservation" | "scale" => {}
                "healthcheck" => probes = self.probes(p, e),
                "labels" => self.annotations(&e.value, &path, &mut annotations),
                "annotations" => self.annotations(&e.value, &path, &mut pod_annotations),
                "user" => {
                    let u = e.value.as_str().unwrap_or_default();
                    let (uid, gid) = u.split_once(':').map_or((u, None), |(a, b)| (a, Some(b)));
                    match uid.parse::<i64>() {
                        Ok(0) => self.warn(e.key_span, path, "runs as root in Compose: genk8s pods run as a non-root user (10001 unless run_as_user: is set)"),
                        Ok(n) if n > 0 => {
                            f.run_as_user = Some(n);
                            match gid.map(str::parse::<i64>) {
                                Some(Ok(g)) if g > 0 => f.run_as_group = Some(g),
                                Some(_) => self.warn(e.value.span, path, "the group is not a non-zero number: not kept"),
                                None => {}
                            }
                        }
                        Ok(_) => self.warn(e.value.span, path, "not a valid user id: not kept"),
                        Err(_) => self.warn(e.key_span, path, format!("`{u}` is a user name: Kubernetes needs a numeric id (set run_as_user:); genk8s runs as 10001")),
                    }
                }
                "platform" => {
                    let parts: Vec<&str> = e.value.as_str().unwrap_or_default().split('/').collect();
                    match parts.as_slice() {
                        [os, arch, ..] if !os.is_empty() && !arch.is_empty() => {
                            node_selector.insert("kubernetes.io/os".into(), json!(os));
                            node_selector.insert("kubernetes.io/arch".into(), json!(arch));
                        }
                        _ => self.warn(e.value.span, path, "expected os/arch (e.g. linux/amd64); ignored"),
                    }
                }
                "secrets" => self.compose_secrets(p, e, &mut mounts),
                "configs" => self.compose_configs(p, e, ctx, &mut files),
                _ => self.common(p, e),
            }
        }
        if probes.is_none() {
            probes = self.default_probes(p);
        }
        let dep = self.deploy(p, "100m", "128Mi");
        if let Some(labels) = dep.labels {
            self.annotations(&labels.value, &p.path("deploy.labels"), &mut annotations);
        }

        if let Some(c) = f.command {
            out.insert("command".into(), json!(c));
        }
        if let Some(a) = f.args {
            out.insert("args".into(), json!(a));
        }
        if !p.ports.is_empty() {
            let ports: Map<String, Value> = p
                .ports
                .iter()
                .map(|np| {
                    let v = if np.m.protocol == "tcp" {
                        json!(np.m.container)
                    } else {
                        json!({"container": np.m.container, "protocol": np.m.protocol.to_ascii_uppercase()})
                    };
                    (np.name.clone(), v)
                })
                .collect();
            out.insert("ports".into(), Value::Object(ports));
        }
        if !env_out.is_empty() {
            out.insert("env".into(), Value::Object(env_out));
        }
        if !files.is_empty() {
            out.insert("files".into(), Value::Object(files));
        }
        if !mounts.is_empty() {
            out.insert("mounts".into(), Value::Object(mounts));
        }
        if !volumes.is_empty() {
            out.insert("volumes".into(), Value::Object(volumes));
        }
        if !writable.is_empty() {
            out.insert("writable".into(), json!(writable));
        }
        if let Some(pr) = probes {
            out.insert("probes".into(), pr);
        }
        let mut res = Map::new();
        if let Some(c) = dep.cpu {
            res.insert("cpu".into(), json!(c));
        }
        if let Some(m) = dep.memory {
            res.insert("memory".into(), json!(m));
        }
        if !res.is_empty() {
            out.insert("resources".into(), Value::Object(res));
        }
        if let Some(r) = dep.replicas {
            out.insert("replicas".into(), json!(r));
        }
        if let Some(g) = dep.gpu {
            out.insert("gpu".into(), json!(g));
        }
        if !uses.is_empty() {
            out.insert("uses".into(), json!(uses));
        }
        if !node_selector.is_empty() {
            out.insert("node_selector".into(), Value::Object(node_selector));
        }
        if let Some(u) = f.run_as_user {
            out.insert("run_as_user".into(), json!(u));
        }
        if let Some(g) = f.run_as_group {
            out.insert("run_as_group".into(), json!(g));
        }
        if !annotations.is_empty() {
            out.insert("annotations".into(), Value::Object(annotations));
        }
        if !pod_annotations.is_empty() {
            out.insert("pod_annotations".into(), Value::Object(pod_annotations));
        }
        (Value::Object(out), pinned)
    }

    /// genk8s probes a service without probes over TCP on its first port (by name);
    /// when that port is UDP or SCTP, probe the first TCP port instead, or say so.
    fn default_probes(&mut self, p: &Plan) -> Option<Value> {
        let mut ports: Vec<&NamedPort> = p.ports.iter().collect();
        ports.sort_by(|a, b| a.name.cmp(&b.name));
        let first = ports.first()?;
        if first.m.protocol == "tcp" {
            return None;
        }
        match ports.iter().find(|np| np.m.protocol == "tcp") {
            Some(tcp) => {
                self.note(
                    p.key_span("ports"),
                    p.path("ports"),
                    format!("TCP probes on port `{}` written (the first port, `{}`, is not TCP)", tcp.name, first.name),
                );
                Some(json!({
                    "liveness": {"tcp": tcp.name, "initial_delay": 10, "period": 10},
                    "readiness": {"tcp": tcp.name, "period": 5},
                }))
            }
            None => {
                self.warn(
                    p.key_span("ports"),
                    p.path("ports"),
                    format!("no TCP port and no healthcheck: genk8s's default TCP probe on `{}` cannot succeed; add probes: (e.g. an exec probe)", first.name),
                );
                None
            }
        }
    }

    /// Adds a dependency target to `uses` when something can connect to it.
    fn use_target(
        &mut self,
        p: &Plan,
        ctx: &Context,
        target: &str,
        span: Span,
        path: &str,
        uses: &mut BTreeSet<String>,
    ) {
        if target == p.cname {
            return;
        }
        match ctx.plan(target) {
            Some(t) if t.engine.is_some() || !t.ports.is_empty() => {
                uses.insert(t.name.clone());
            }
            Some(t) => self.note(
                span,
                path,
                format!("`{}` has no ports, so nothing connects to it: not added to uses (Kubernetes does not order start-up)", t.name),
            ),
            None if ctx.excluded.contains_key(target) => {
                self.note(span, path, format!("`{target}` is in a profile that was not imported: not added to uses"))
            }
            None => self.warn(span, path, format!("`{target}` is not a service of this Compose file")),
        }
    }

    /// Compose labels and annotations → genk8s annotations (values are free text there).
    fn annotations(&mut self, n: &Node, path: &str, out: &mut Map<String, Value>) {
        let pairs: Vec<(String, String, Span)> = match &n.kind {
            NodeKind::Map(entries) => entries
                .iter()
                .map(|e| (e.key.clone(), e.value.as_str().unwrap_or_default().to_string(), e.key_span))
                .collect(),
            NodeKind::Seq(items) => items
                .iter()
                .filter_map(|i| {
                    let t = i.as_str()?;
                    let (k, v) = t.split_once('=').unwrap_or((t, ""));
                    Some((k.to_string(), v.to_string(), i.span))
                })
                .collect(),
            _ => Vec::new(),
        };
        for (k, v, span) in pairs {
            if is_annotation_key(&k) {
                out.insert(k, json!(v));
            } else {
                self.warn(span, format!("{path}.{k}"), "not a valid Kubernetes annotation key; not kept");
            }
        }
    }

    /// Compose secrets (files in /run/secrets) → a mount of one Kubernetes Secret.
    fn compose_secrets(&mut self, p: &Plan, e: &Entry, mounts: &mut Map<String, Value>) {
        let NodeKind::Seq(items) = &e.value.kind else { return };
        let secret = format!("{}-secret-files", p.name);
        let mut keys = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let path = p.path(&format!("secrets[{i}]"));
            let (source, target) = match &item.kind {
                NodeKind::Scalar { text, .. } => (text.clone(), None),
                NodeKind::Map(_) => (
                    item.get("source").and_then(Node::as_str).unwrap_or_default().to_string(),
                    item.get("target").and_then(Node::as_str).map(str::to_string),
                ),
                _ => continue,
            };
            let file = match target {
                None => source.clone(),
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
            if file.is_empty() || !file.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
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
    fn compose_configs(&mut self, p: &Plan, e: &Entry, ctx: &Context, files: &mut Map<String, Value>) {
        let NodeKind::Seq(items) = &e.value.kind else { return };
        let top = ctx.root.get("configs");
        for (i, item) in items.iter().enumerate() {
            let path = p.path(&format!("configs[{i}]"));
            let (source, target) = match &item.kind {
                NodeKind::Scalar { text, .. } => (text.clone(), None),
                NodeKind::Map(_) => (
                    item.get("source").and_then(Node::as_str).unwrap_or_default().to_string(),
                    item.get("target").and_then(Node::as_str).map(str::to_string),
                ),
                _ => continue,
            };
            let target = target.unwrap_or_else(|| format!("/{source}"));
            let name_ok = target.starts_with('/')
                && target.rsplit('/').next().is_some_and(|f| {
                    !f.is_empty() && f.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                });
            if !name_ok {
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
                    match crate::load::read_text(&self.dir.join(f)) {
                        Ok(t) if t.len() <= 256 * 1024 => Some(t),
                        Ok(_) => {
                            self.warn(item.span, &path, format!("config file `{f}` is over 256 KiB; not converted"));
                            continue;
                        }
                        Err(err) => {
                            self.warn(item.span, &path, format!("{}; not converted", err.message));
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

#[derive(Default)]
struct ServiceFields {
    command: Option<Vec<String>>,
    args: Option<Vec<String>>,
    run_as_user: Option<i64>,
    run_as_group: Option<i64>,
}

#[derive(Default)]
struct Deploy<'n> {
    cpu: Option<String>,
    memory: Option<String>,
    replicas: Option<i64>,
    gpu: Option<u64>,
    labels: Option<&'n Entry>,
}

fn is_database_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 63 && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
}

/// Annotation key: optional DNS-subdomain prefix and a name of at most 63 characters.
fn is_annotation_key(k: &str) -> bool {
    let (prefix, name) = match k.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    prefix.is_none_or(|p| p.len() <= 253 && p.split('.').all(crate::validate::is_dns_label))
        && !name.is_empty()
        && name.len() <= 63
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

/// Variable names whose value is a host name.
fn is_host_key(key: &str) -> bool {
    let k = key.to_ascii_uppercase();
    [
        "HOST", "HOSTNAME", "HOSTS", "SERVER", "SERVERS", "ADDR", "ADDRESS", "ENDPOINT", "URL", "URI", "DSN", "BROKER",
        "BROKERS", "NODES",
    ]
    .iter()
    .any(|s| k == *s || k.ends_with(&format!("_{s}")))
}

/// Byte ranges where `host` appears as a host name in an environment value:
/// after `//` or `@`, before `:<port>`, or as a whole word of a host-named variable.
fn host_matches(value: &str, key: &str, host: &str) -> Vec<usize> {
    let host_key = is_host_key(key);
    let mut out = Vec::new();
    for (i, _) in value.match_indices(host) {
        let prev = value[..i].chars().next_back();
        let rest = &value[i + host.len()..];
        let next = rest.chars().next();
        let before_ok = prev.is_none_or(|c| matches!(c, '/' | '@' | ',' | ' ' | ';' | '='));
        let after_ok = next.is_none_or(|c| matches!(c, ':' | '/' | ',' | ' ' | ';' | '?'));
        let port_follows = rest.strip_prefix(':').is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()));
        let strong = value[..i].ends_with("//") || prev == Some('@') || port_follows;
        let word = host_key && prev.is_none_or(|c| matches!(c, ',' | ' ' | ';' | '='));
        if before_ok && after_ok && (strong || word) {
            out.push(i);
        }
    }
    out
}

fn mentions_host(value: &str, key: &str, host: &str) -> bool {
    !host.is_empty() && !host_matches(value, key, host).is_empty()
}

fn replace_host(value: &str, key: &str, from: &str, to: &str) -> String {
    let mut out = String::new();
    let mut last = 0;
    for i in host_matches(value, key, from) {
        out.push_str(&value[last..i]);
        out.push_str(to);
        last = i + from.len();
    }
    out.push_str(&value[last..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_in_values() {
        assert!(mentions_host("postgres://u:p@db:5432/app", "DATABASE_URL", "db"));
        assert!(mentions_host("redis://cache:6379/0", "X", "cache"));
        assert!(mentions_host("db", "DB_HOST", "db"));
        assert!(mentions_host("api:8080", "UPSTREAM", "api"));
        assert!(!mentions_host("worker", "MODE", "worker"));
        assert!(!mentions_host("http://api.example.com", "API_URL", "api"));
        assert!(!mentions_host("dbx:5432", "X", "db"));
        assert_eq!(
            replace_host("postgres://my_db:5432/my_db", "DATABASE_URL", "my_db", "my-db"),
            "postgres://my-db:5432/my_db"
        );
    }

    #[test]
    fn resources() {
        assert_eq!(request_limit(Some("250m".into()), Some("1".into()), "100m").as_deref(), Some("250m/1"));
        assert_eq!(request_limit(None, Some("2".into()), "100m").as_deref(), Some("100m/2"));
        assert_eq!(request_limit(None, Some("50m".into()), "100m").as_deref(), Some("50m/50m"));
        assert_eq!(request_limit(Some("2".into()), Some("1".into()), "100m").as_deref(), Some("1/1"));
        assert_eq!(request_limit(Some("64Mi".into()), None, "128Mi").as_deref(), Some("64Mi"));
    }

    #[test]
    fn names() {
        assert_eq!(service_name("Web_App"), "web-app");
        assert_eq!(service_name("1st"), "svc-1st");
        assert_eq!(port_name_for(8080, "tcp"), "http");
        assert_eq!(port_name_for(53, "udp"), "udp-53");
    }
}
