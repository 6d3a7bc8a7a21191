//! Property tests: the output depends on what a spec says, never on how it is written.
//!
//! A small random platform (services from a name pool with ports, env maps, `uses`
//! between them, databases, a shared config, an overlay per environment) is written
//! out twice with different layouts: map key order, service and database order,
//! `uses` order, flow or block style, quoting, indentation, comments, and the order
//! and extension of the environment files on disk. `genk8s build dev` of both folders
//! must give byte-identical streams.

use proptest::prelude::*;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use tempfile::TempDir;

// ---------------------------------------------------------------------------
// A tiny YAML model and a writer with a layout chosen by a seed
// ---------------------------------------------------------------------------

#[derive(Clone, Debug)]
enum Y {
    Str(String),
    /// A map: its order is free, the writer shuffles it.
    Map(Vec<(String, Y)>),
    /// A list whose order does not matter (`uses`): the writer shuffles it.
    Set(Vec<String>),
}

fn s(v: impl Into<String>) -> Y {
    Y::Str(v.into())
}

/// Deterministic layout choices (xorshift64*), so a failing case can be replayed.
struct Layout {
    state: u64,
    indent: usize,
}

impl Layout {
    fn new(seed: u64) -> Layout {
        let mut l = Layout { state: seed | 1, indent: 2 };
        l.indent = 2 + l.below(3) as usize;
        l
    }

    fn next(&mut self) -> u64 {
        self.state ^= self.state >> 12;
        self.state ^= self.state << 25;
        self.state ^= self.state >> 27;
        self.state.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn coin(&mut self) -> bool {
        self.below(2) == 0
    }

    fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = self.below(i as u64 + 1) as usize;
            v.swap(i, j);
        }
    }
}

/// Text that reads back as the same string whether written plain or quoted.
fn plain_ok(t: &str) -> bool {
    !t.is_empty()
        && !matches!(t, "~" | "null" | "Null" | "NULL")
        && t.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '/' | '-' | '_'))
        && !t.starts_with(['-', '.', '/'])
}

fn quoted(t: &str) -> String {
    let mut out = String::from("\"");
    for c in t.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

fn scalar(t: &str, l: &mut Layout) -> String {
    if plain_ok(t) && l.coin() {
        t.to_string()
    } else if !t.contains(['\'', '\n']) && l.coin() {
        format!("'{t}'")
    } else {
        quoted(t)
    }
}

fn key(t: &str, l: &mut Layout) -> String {
    if plain_ok(t) { t.to_string() } else { scalar(t, l) }
}

fn flat(y: &Y) -> bool {
    match y {
        Y::Str(_) => true,
        Y::Set(_) => true,
        Y::Map(e) => e.iter().all(|(_, v)| matches!(v, Y::Str(_))),
    }
}

fn flow(y: &Y, l: &mut Layout) -> String {
    match y {
        Y::Str(t) => scalar(t, l),
        Y::Set(items) => {
            let mut items = items.clone();
            l.shuffle(&mut items);
            let parts: Vec<String> = items.iter().map(|i| scalar(i, l)).collect();
            format!("[{}]", parts.join(", "))
        }
        Y::Map(entries) => {
            let mut entries = entries.clone();
            l.shuffle(&mut entries);
            let parts: Vec<String> = entries.iter().map(|(k, v)| format!("{}: {}", key(k, l), flow(v, l))).collect();
            format!("{{{}}}", parts.join(", "))
        }
    }
}

/// Writes the entries of a map at `depth`, one per line, in a shuffled order.
fn block(entries: &[(String, Y)], depth: usize, l: &mut Layout, out: &mut String) {
    let mut entries = entries.to_vec();
    l.shuffle(&mut entries);
    let pad = " ".repeat(depth * l.indent);
    for (k, v) in &entries {
        if l.below(8) == 0 {
            out.push_str(&format!("{pad}# {k}\n"));
        }
        let k = key(k, l);
        match v {
            Y::Map(e) if e.is_empty() => out.push_str(&format!("{pad}{k}: {{}}\n")),
            Y::Map(e) if !(flat(v) && l.coin()) => {
                out.push_str(&format!("{pad}{k}:\n"));
                block(e, depth + 1, l, out);
            }
            Y::Set(items) if !items.is_empty() && l.coin() => {
                let mut items = items.clone();
                l.shuffle(&mut items);
                out.push_str(&format!("{pad}{k}:\n"));
                for i in &items {
                    out.push_str(&format!("{pad}{}- {}\n", " ".repeat(l.indent), scalar(i, l)));
                }
            }
            _ => out.push_str(&format!("{pad}{k}: {}\n", flow(v, l))),
        }
    }
}

fn document(root: &Y, seed: u64) -> String {
    let mut l = Layout::new(seed);
    let mut out = String::new();
    if l.coin() {
        out.push_str("# generated by tests/props.rs\n");
    }
    match root {
        Y::Map(e) if e.is_empty() => out.push_str("{}\n"),
        Y::Map(e) => block(e, 0, &mut l, &mut out),
        other => out.push_str(&format!("{}\n", flow(other, &mut l))),
    }
    out
}

// ---------------------------------------------------------------------------
// Random platforms
// ---------------------------------------------------------------------------

const SERVICES: &[&str] = &["api", "web", "worker", "auth", "search", "billing"];
const PORT_NAMES: &[&str] = &["http", "grpc", "metrics", "admin"];
const ENV_NAMES: &[&str] = &["LOG_LEVEL", "PORT", "DEBUG", "VERSION", "REGION", "MODE", "GREETING"];
const ENV_VALUES: &[&str] =
    &["info", "8000", "on", "off", "yes", "0755", "1.10", "null", "~", "", "a b", "x: y", "#hash", "two\nlines", "é"];
const DATABASES: &[(&str, &str)] =
    &[("db", "postgres"), ("cache", "redis"), ("docs", "mongodb"), ("vectors", "qdrant")];
const CONFIG_KEYS: &[&str] = &["LOG_LEVEL", "FEATURE_X", "app.yaml"];

#[derive(Clone, Debug)]
enum Env {
    Literal(String),
    Secret(String),
    Config(String),
    Field,
}

#[derive(Clone, Debug)]
struct Svc {
    ports: BTreeMap<String, u16>,
    env: BTreeMap<String, Env>,
    /// Indexes into the platform's services and databases; resolved by `Spec::targets`.
    uses: Vec<usize>,
    replicas: Option<u8>,
    cpu: Option<u16>,
}

#[derive(Clone, Debug)]
struct Spec {
    services: BTreeMap<String, Svc>,
    databases: Vec<(String, String)>,
    config: BTreeMap<String, String>,
    /// Overlay of `dev`: namespace, and per-service replicas and env overrides.
    dev_namespace: bool,
    dev_replicas: BTreeMap<String, u8>,
    dev_env: BTreeMap<String, (String, String)>,
    other_envs: Vec<(String, bool)>,
}

fn env_value() -> impl Strategy<Value = Env> {
    prop_oneof![
        4 => prop::sample::select(ENV_VALUES).prop_map(|v| Env::Literal(v.to_string())),
        1 => prop::sample::select(&["token", "password"][..]).prop_map(|k| Env::Secret(k.to_string())),
        1 => prop::sample::select(CONFIG_KEYS).prop_map(|k| Env::Config(k.to_string())),
        1 => Just(Env::Field),
    ]
}

fn service() -> impl Strategy<Value = Svc> {
    (
        prop::collection::btree_map(prop::sample::select(PORT_NAMES).prop_map(str::to_string), 1024u16..=65535, 0..3),
        prop::collection::btree_map(prop::sample::select(ENV_NAMES).prop_map(str::to_string), env_value(), 0..5),
        prop::collection::vec(0usize..16, 0..4),
        prop::option::of(1u8..5),
        prop::option::of(50u16..2000),
    )
        .prop_map(|(mut ports, env, uses, replicas, cpu)| {
            // Each port number once: two names on one number is a different (invalid) spec.
            let mut seen = Vec::new();
            ports.retain(|_, n| {
                let new = !seen.contains(n);
                seen.push(*n);
                new
            });
            Svc { ports, env, uses, replicas, cpu }
        })
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::sample::subsequence(SERVICES, 1..=4),
        prop::collection::vec(service(), 4),
        prop::sample::subsequence(DATABASES, 0..=3),
        prop::collection::btree_map(
            prop::sample::select(CONFIG_KEYS).prop_map(str::to_string),
            prop::sample::select(ENV_VALUES).prop_map(str::to_string),
            0..3,
        ),
        any::<bool>(),
        prop::collection::vec((0usize..4, 1u8..6), 0..3),
        prop::collection::vec((0usize..4, prop::sample::select(ENV_NAMES), prop::sample::select(ENV_VALUES)), 0..3),
        prop::sample::subsequence(&["staging", "prod", "qa"][..], 0..=3),
        prop::collection::vec(any::<bool>(), 3),
    )
        .prop_map(|(names, svcs, dbs, config, dev_namespace, reps, envs, others, yml)| {
            let services: BTreeMap<String, Svc> = names.iter().zip(svcs).map(|(n, s)| (n.to_string(), s)).collect();
            let pick = |i: usize| names[i % names.len()].to_string();
            Spec {
                dev_replicas: reps.into_iter().map(|(i, r)| (pick(i), r)).collect(),
                dev_env: envs.into_iter().map(|(i, k, v)| (pick(i), (k.to_string(), v.to_string()))).collect(),
                services,
                databases: dbs.iter().map(|(n, e)| (n.to_string(), e.to_string())).collect(),
                config,
                dev_namespace,
                other_envs: others.iter().zip(yml).map(|(n, y)| (n.to_string(), y)).collect(),
            }
        })
}

impl Spec {
    /// What service `name` uses: services with ports and databases, never itself, each once.
    fn targets(&self, name: &str, svc: &Svc) -> Vec<String> {
        let mut all: Vec<String> = self
            .services
            .iter()
            .filter(|(n, s)| n.as_str() != name && !s.ports.is_empty())
            .map(|(n, _)| n.clone())
            .collect();
        all.extend(self.databases.iter().map(|(n, _)| n.clone()));
        let mut out: Vec<String> = Vec::new();
        if all.is_empty() {
            return out;
        }
        for i in &svc.uses {
            let t = &all[i % all.len()];
            if !out.contains(t) {
                out.push(t.clone());
            }
        }
        out
    }

    fn base(&self) -> Y {
        let mut services = Vec::new();
        for (name, svc) in &self.services {
            let mut f = vec![("image".to_string(), s(format!("ghcr.io/acme/{name}:1.0")))];
            if !svc.ports.is_empty() {
                let ports = svc.ports.iter().map(|(k, v)| (k.clone(), s(v.to_string()))).collect();
                f.push(("ports".into(), Y::Map(ports)));
            }
            let mut env = Vec::new();
            for (k, v) in &svc.env {
                let v = match v {
                    Env::Literal(t) => s(t.clone()),
                    Env::Secret(key) => {
                        Y::Map(vec![("secret".into(), s(format!("{name}-secrets"))), ("key".into(), s(key.clone()))])
                    }
                    Env::Config(key) if self.config.contains_key(key) => {
                        Y::Map(vec![("config".into(), s("shared")), ("key".into(), s(key.clone()))])
                    }
                    Env::Config(_) | Env::Field => Y::Map(vec![("field".into(), s("metadata.name"))]),
                };
                env.push((k.clone(), v));
            }
            if !env.is_empty() {
                f.push(("env".into(), Y::Map(env)));
            }
            let uses = self.targets(name, svc);
            if !uses.is_empty() {
                f.push(("uses".into(), Y::Set(uses)));
            }
            if let Some(r) = svc.replicas {
                f.push(("replicas".into(), s(r.to_string())));
            }
            if let Some(c) = svc.cpu {
                f.push(("resources".into(), Y::Map(vec![("cpu".into(), s(format!("{c}m")))])));
            }
            services.push((name.clone(), Y::Map(f)));
        }
        let mut top = vec![("platform".to_string(), s("demo")), ("services".to_string(), Y::Map(services))];
        if !self.databases.is_empty() {
            let dbs = self.databases.iter().map(|(n, e)| (n.clone(), Y::Map(vec![("engine".into(), s(e.clone()))])));
            top.push(("databases".into(), Y::Map(dbs.collect())));
        }
        if !self.config.is_empty() {
            let data = self.config.iter().map(|(k, v)| (k.clone(), s(v.clone()))).collect();
            top.push(("configs".into(), Y::Map(vec![("shared".into(), Y::Map(vec![("data".into(), Y::Map(data))]))])));
        }
        Y::Map(top)
    }

    fn dev(&self) -> Y {
        let mut per: BTreeMap<String, Vec<(String, Y)>> = BTreeMap::new();
        for (svc, r) in &self.dev_replicas {
            per.entry(svc.clone()).or_default().push(("replicas".into(), s(r.to_string())));
        }
        for (svc, (k, v)) in &self.dev_env {
            per.entry(svc.clone()).or_default().push(("env".into(), Y::Map(vec![(k.clone(), s(v.clone()))])));
        }
        let mut top = Vec::new();
        if self.dev_namespace {
            top.push(("namespace".to_string(), s("demo-development")));
        }
        if !per.is_empty() {
            top.push(("services".into(), Y::Map(per.into_iter().map(|(k, v)| (k, Y::Map(v))).collect())));
        }
        Y::Map(top)
    }
}

// ---------------------------------------------------------------------------
// Writing and building
// ---------------------------------------------------------------------------

/// Writes the spec into a new folder with the layout of `seed`; environment files are
/// created in a seed-dependent order (so the directory listing order differs too).
fn write(spec: &Spec, seed: u64) -> TempDir {
    let t = TempDir::new().unwrap();
    let dir = t.path();
    fs::write(dir.join("platform.yaml"), document(&spec.base(), seed)).unwrap();
    fs::create_dir(dir.join("environments")).unwrap();
    let mut files: Vec<(String, String)> = vec![("dev.yaml".into(), document(&spec.dev(), seed ^ 0x9E37_79B9))];
    for (i, (name, yml)) in spec.other_envs.iter().enumerate() {
        let ext = if *yml { "yml" } else { "yaml" };
        let overlay = Y::Map(vec![("namespace".into(), s(format!("demo-{name}")))]);
        files.push((format!("{name}.{ext}"), document(&overlay, seed.wrapping_add(i as u64))));
    }
    Layout::new(seed).shuffle(&mut files);
    for (name, text) in files {
        fs::write(dir.join("environments").join(name), text).unwrap();
    }
    t
}

fn build(dir: &Path) -> String {
    match genk8s::build(dir, Some("dev")) {
        Ok(builds) => {
            assert_eq!(builds.len(), 1);
            genk8s::emit::stream(&builds[0].objects)
        }
        Err(e) => {
            let platform = fs::read_to_string(dir.join("platform.yaml")).unwrap_or_default();
            let dev = fs::read_to_string(dir.join("environments/dev.yaml")).unwrap_or_default();
            panic!("generated spec does not build:\n{e}\n--- platform.yaml ---\n{platform}--- dev.yaml ---\n{dev}")
        }
    }
}

proptest! {
    // Each case builds two folders in-process (a few milliseconds each); 64 cases run
    // in well under 20 s on 2 cores, including shrinking time on a failure.
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn output_does_not_depend_on_key_order_layout_or_file_order(spec in spec(), a in any::<u64>(), b in any::<u64>()) {
        let one = write(&spec, a);
        let two = write(&spec, b);
        let first = build(one.path());
        let second = build(two.path());
        prop_assert!(first == second, "streams differ for layouts {a} and {b}\n{}", first_difference(&first, &second));
        // The generator is meaningful: one Deployment per service, one StatefulSet per database.
        prop_assert_eq!(first.matches("\nkind: Deployment\n").count(), spec.services.len());
        prop_assert_eq!(first.matches("\nkind: StatefulSet\n").count(), spec.databases.len());
    }

    #[test]
    fn building_twice_from_the_same_folder_is_identical(spec in spec(), a in any::<u64>()) {
        let one = write(&spec, a);
        prop_assert_eq!(build(one.path()), build(one.path()));
    }
}

fn first_difference(a: &str, b: &str) -> String {
    let (la, lb): (Vec<&str>, Vec<&str>) = (a.lines().collect(), b.lines().collect());
    let i = la.iter().zip(&lb).position(|(x, y)| x != y).unwrap_or(la.len().min(lb.len()));
    format!("first difference at line {}: {:?} vs {:?}", i + 1, la.get(i), lb.get(i))
}
