//! The database engine catalog: minijinja templates (built into the binary from
//! `templates/engines/`, or added/overridden by a platform's own
//! `templates/engines/<engine>.yaml.j2`) that render to an [`Engine`] description,
//! which the expand stage turns into typed objects.

use crate::diag::{Diagnostic, Diagnostics};
use crate::source::{FileId, SourceMap, Span};
use crate::spec::{EnvValue, Probes, Resources, Short};
use crate::yaml::{self, de::from_node};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

const BUILTIN: &[(&str, &str)] = &[
    ("clickhouse", include_str!("../templates/engines/clickhouse.yaml.j2")),
    ("elasticsearch", include_str!("../templates/engines/elasticsearch.yaml.j2")),
    ("kafka", include_str!("../templates/engines/kafka.yaml.j2")),
    ("mariadb", include_str!("../templates/engines/mariadb.yaml.j2")),
    ("memcached", include_str!("../templates/engines/memcached.yaml.j2")),
    ("mongodb", include_str!("../templates/engines/mongodb.yaml.j2")),
    ("minio", include_str!("../templates/engines/minio.yaml.j2")),
    ("mysql", include_str!("../templates/engines/mysql.yaml.j2")),
    ("opensearch", include_str!("../templates/engines/opensearch.yaml.j2")),
    ("postgis", include_str!("../templates/engines/postgis.yaml.j2")),
    ("postgres", include_str!("../templates/engines/postgres.yaml.j2")),
    ("qdrant", include_str!("../templates/engines/qdrant.yaml.j2")),
    ("rabbitmq", include_str!("../templates/engines/rabbitmq.yaml.j2")),
    ("redis", include_str!("../templates/engines/redis.yaml.j2")),
    ("valkey", include_str!("../templates/engines/valkey.yaml.j2")),
];

/// What an engine needs to run, as rendered from its template.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Engine {
    pub image: String,
    pub port: EnginePort,
    #[serde(default)]
    pub extra_ports: BTreeMap<String, u16>,
    pub data_path: String,
    pub run_as_user: i64,
    pub fs_group: Option<i64>,
    #[serde(default)]
    pub writable: Vec<String>,
    /// Directories of the image the engine writes into (e.g. a config directory where it
    /// creates a keystore): each becomes a writable emptyDir that an init container first
    /// fills with the image's own files.
    #[serde(default)]
    pub seeded: Vec<String>,
    pub command: Option<Vec<String>>,
    /// Container args (to the image's entrypoint), before the database's own `args`.
    #[serde(default)]
    pub args: Vec<String>,
    /// Database options the template wires into the engine: `config_file`, `tls`.
    #[serde(default)]
    pub supports: Vec<String>,
    #[serde(default)]
    pub env: BTreeMap<String, Short<Box<EnvValue>>>,
    /// Keys the credentials Secret must hold.
    #[serde(default)]
    pub credential_keys: Vec<String>,
    /// What services read with env `{db: <name>, value: <fact>}`: host, port, user,
    /// password, database, url…; `{fact}` in a literal is that fact (see [`crate::wiring`]).
    #[serde(default)]
    pub connection: BTreeMap<String, Short<Box<EnvValue>>>,
    #[serde(default)]
    pub probes: Probes,
    /// Shell condition that holds once the database accepts connections (for init containers).
    pub wait: String,
    /// Image that runs `wait` (default: the engine image).
    pub wait_image: Option<String>,
    /// Shell lines that write one dump to `$BACKUP_FILE` plus a suffix. Each line is one
    /// command without a pipe: the POSIX `sh` of the images has no `pipefail`, and the
    /// backup script (`set -e`) must see the dump's own exit status.
    pub backup: Option<String>,
    pub resources: Resources,
    /// Default volume size.
    pub storage: String,
    /// `single` for an engine with one primary (StatefulSet replicas would be separate,
    /// unreplicated databases): `replicas` above 1 is refused. Absent: any number.
    pub replicas: Option<Replicas>,
    /// What to do instead of `replicas` above 1 on a `single` engine, e.g. an operator.
    pub replicated_by: Option<String>,
}

/// How many StatefulSet replicas an engine can serve as one database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Replicas {
    /// One primary: more pods are independent databases behind one Service.
    Single,
    /// The engine replicates between its pods by itself.
    Many,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnginePort {
    pub name: String,
    pub number: u16,
}

/// Variables a template sees.
#[derive(Debug)]
pub struct EngineVars<'a> {
    pub name: &'a str,
    pub version: Option<&'a str>,
    pub database: Option<&'a str>,
    pub credentials: &'a str,
    pub host: &'a str,
    pub port: Option<u16>,
    /// The database's `config_file`, if any.
    pub config_file: Option<&'a str>,
    /// Where the server certificate is mounted (tls.crt, tls.key), when `tls` is set.
    pub tls_dir: Option<&'a str>,
    /// The database's own `image:`, if it sets one (a template may adapt to a vendor build).
    pub image: Option<&'a str>,
    /// A stable id of this database: 22 base64url characters (16 bytes) derived from the
    /// platform and database names (Kafka's `CLUSTER_ID`).
    pub id: String,
}

impl<'a> EngineVars<'a> {
    /// The variables of a database `db` of platform `platform` that sets nothing but
    /// (maybe) its version: what an engine gives by default.
    pub fn bare(platform: &str, version: Option<&'a str>) -> EngineVars<'a> {
        EngineVars {
            name: "db",
            version,
            database: None,
            credentials: "db-credentials",
            host: "db",
            port: None,
            config_file: None,
            tls_dir: None,
            image: None,
            id: stable_id(platform, "db"),
        }
    }

    fn to_value(&self) -> minijinja::Value {
        use minijinja::Value;
        Value::from_pairs([
            ("name", Value::from(self.name)),
            ("version", Value::from(self.version)),
            ("database", Value::from(self.database)),
            ("credentials", Value::from(self.credentials)),
            ("host", Value::from(self.host)),
            ("port", Value::from(self.port)),
            ("config_file", Value::from(self.config_file)),
            ("tls_dir", Value::from(self.tls_dir)),
            ("image", Value::from(self.image)),
            ("id", Value::from(self.id.as_str())),
        ])
    }
}

/// [`EngineVars::id`]: the first 16 bytes of SHA-256 over `platform/name`, base64url
/// without padding.
pub fn stable_id(platform: &str, name: &str) -> String {
    use sha2::{Digest, Sha256};
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let digest = Sha256::digest(format!("{platform}/{name}").as_bytes());
    let bytes = &digest[..16];
    let mut bits: u32 = 0;
    let mut n = 0;
    let mut out = String::with_capacity(22);
    for b in bytes {
        bits = (bits << 8) | u32::from(*b);
        n += 8;
        while n >= 6 {
            n -= 6;
            out.push(char::from(ALPHABET[((bits >> n) & 63) as usize]));
        }
    }
    if n > 0 {
        out.push(char::from(ALPHABET[((bits << (6 - n)) & 63) as usize]));
    }
    out
}

/// Engine templates by name, with the path each came from.
pub struct Catalog {
    templates: BTreeMap<String, (PathBuf, String)>,
    /// The templates compiled so far, each on its first use (one with an error is never kept,
    /// so every database using it reports the error).
    compiled: Mutex<minijinja::Environment<'static>>,
}

impl Catalog {
    /// Built-in engines plus those in `<platform>/templates/engines/`.
    pub fn load(platform_dir: &Path) -> Result<Catalog, Diagnostics> {
        let mut templates: BTreeMap<String, (PathBuf, String)> = BUILTIN
            .iter()
            .map(|(n, t)| {
                (n.to_string(), (PathBuf::from(format!("<built-in>/templates/engines/{n}.yaml.j2")), t.to_string()))
            })
            .collect();
        let dir = platform_dir.join("templates").join("engines");
        let mut diags = Diagnostics::default();
        if let Err(d) = crate::confine::check(platform_dir, &dir) {
            diags.push(d);
        } else if let Ok(rd) = std::fs::read_dir(&dir) {
            let mut paths: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
            paths.sort();
            for p in paths {
                let Some(name) = p.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".yaml.j2")) else {
                    continue;
                };
                match crate::confine::check(platform_dir, &p)
                    .and_then(|()| crate::source::read_text(&p).map_err(Into::into))
                {
                    Ok(text) => {
                        templates.insert(name.to_string(), (p.clone(), text));
                    }
                    Err(e) => diags.push(e),
                }
            }
        }
        let mut env = minijinja::Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        if diags.is_empty() { Ok(Catalog { templates, compiled: Mutex::new(env) }) } else { Err(diags) }
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.templates.keys().map(String::as_str)
    }

    pub fn has(&self, engine: &str) -> bool {
        self.templates.contains_key(engine)
    }

    /// An engine's template: the path it came from and its text.
    pub fn template(&self, engine: &str) -> Option<(&Path, &str)> {
        self.templates.get(engine).map(|(p, t)| (p.as_path(), t.as_str()))
    }

    /// Whether the engine is the built-in one (not added or overridden by the platform).
    pub fn is_builtin(&self, engine: &str) -> bool {
        self.templates.get(engine).is_some_and(|(p, _)| p.starts_with("<built-in>"))
    }

    /// Renders an engine for one database. Errors point into the template file, at the
    /// template's own line (also for errors in the rendered YAML), and name `at`, the
    /// `engine:` that asked for it.
    pub fn render(
        &self,
        engine: &str,
        vars: &EngineVars,
        sources: &mut SourceMap,
        at: Span,
    ) -> Result<Engine, Diagnostic> {
        let (path, text) =
            self.templates.get(engine).unwrap_or_else(|| panic!("validate admits only catalog engines, got {engine}"));
        let mut env = self.compiled.lock().unwrap_or_else(PoisonError::into_inner);
        let name = path.display().to_string();
        let added =
            if env.get_template(&name).is_ok() { Ok(()) } else { env.add_template_owned(name.clone(), text.clone()) };
        let rendered = added
            .and_then(|()| env.get_template(&name).and_then(|t| t.render(vars.to_value())))
            .map_err(|e| template_error(&e, text, sources.add(path, text.clone()), vars.name).also(at))?;
        let file = sources.add(&PathBuf::from(format!("{name} (rendered for {})", vars.name)), rendered);
        let template = (path.as_path(), text.as_str());
        let node = match yaml::parse(&sources.file(file).text, file) {
            Ok(node) => node,
            Err(mut d) => {
                d.span = to_template_line(d.span, file, template, sources);
                d.message = format!("engine `{engine}` (rendered for `{}`): {}", vars.name, d.message);
                return Err(d.also(at));
            }
        };
        from_node::<Engine>(&node).map_err(|e| {
            let span = to_template_line(e.span, file, template, sources);
            let message = format!("engine `{engine}` (rendered for `{}`): {}", vars.name, e.message);
            let mut d = Diagnostic::new(span, message).also(at);
            d.help = e.help;
            d
        })
    }
}

/// A place in an engine's rendered text (`file`) moved to the template line that produced
/// it; other places as they are. Only errors need it, so the template is added to the
/// sources (and its lines matched with the rendered ones) here, not for every database.
fn to_template_line(
    span: Option<Span>,
    file: FileId,
    (path, text): (&Path, &str),
    sources: &mut SourceMap,
) -> Option<Span> {
    let s = span?;
    if s.file != file {
        return Some(s);
    }
    let line = crate::template_lines::map(text, &sources.file(file).text).get(s.line as usize - 1).copied().flatten();
    let Some(line) = line else { return Some(s) };
    let template = sources.add(path, text.to_string());
    Some(Span::new(template, line + 1, s.col as usize))
}

/// A template that does not render: at its line and column, naming an undefined variable.
fn template_error(e: &minijinja::Error, text: &str, file: crate::source::FileId, db: &str) -> Diagnostic {
    let line = e.line().unwrap_or(1);
    let col = e
        .range()
        .map_or(1, |r| text[..r.start.min(text.len())].rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1);
    let span = Span::new(file, line, col);
    let what = e.range().and_then(|r| text.get(r)).map(str::trim).filter(|w| !w.is_empty());
    if e.kind() == minijinja::ErrorKind::UndefinedError {
        let what = what.map_or("a value".to_string(), |w| format!("`{w}`"));
        return Diagnostic::at(span, format!("engine template (rendered for `{db}`): {what} is undefined"))
            .help("templates see: name, version, database, credentials, host, port, image, id (unset ones are none: write `version or \"16\"`)");
    }
    let detail = e.detail().map(|d| format!(": {d}")).unwrap_or_default();
    Diagnostic::at(span, format!("engine template (rendered for `{db}`): {}{detail}", e.kind()))
        .help("fix the engine template")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(version: Option<&str>) -> EngineVars<'_> {
        EngineVars::bare("shop", version)
    }

    #[test]
    fn every_builtin_engine_renders() {
        let cat = Catalog::load(Path::new("/nonexistent")).unwrap();
        let mut sm = SourceMap::default();
        for name in cat.names().map(str::to_string).collect::<Vec<_>>() {
            let e =
                cat.render(&name, &vars(None), &mut sm, Span::default()).unwrap_or_else(|d| panic!("{name}: {d:?}"));
            assert!(e.image.contains(':'), "{name}: {}", e.image);
            assert!(e.run_as_user > 0, "{name} must not run as root");
            // No built-in template configures replication between its pods.
            assert_eq!(e.replicas, Some(Replicas::Single), "{name}");
            assert!(e.replicated_by.is_some(), "{name} says what to use instead");
        }
    }

    #[test]
    fn added_engines_run_as_their_images_user_and_fail_a_failed_dump() {
        let cat = Catalog::load(Path::new("/nonexistent")).unwrap();
        let mut sm = SourceMap::default();
        let mut r = |n: &str| cat.render(n, &vars(None), &mut sm, Span::default()).unwrap();
        // (engine, image, uid, port, data path)
        for (name, image, uid, port, data) in [
            ("mysql", "mysql:8.4", 999, 3306, "/var/lib/mysql"),
            ("mariadb", "mariadb:11.4", 999, 3306, "/var/lib/mysql"),
            ("valkey", "valkey/valkey:8.0-alpine", 999, 6379, "/data"),
            ("memcached", "memcached:1.6-alpine", 11211, 11211, "/var/lib/memcached"),
            ("rabbitmq", "rabbitmq:3.13-management", 999, 5672, "/var/lib/rabbitmq"),
            ("kafka", "apache/kafka:4.1.0", 1000, 9092, "/var/lib/kafka/data"),
            ("elasticsearch", "elasticsearch:8.19.0", 1000, 9200, "/usr/share/elasticsearch/data"),
            ("opensearch", "opensearchproject/opensearch:2.19.1", 1000, 9200, "/usr/share/opensearch/data"),
            ("clickhouse", "clickhouse/clickhouse-server:25.8", 101, 8123, "/var/lib/clickhouse"),
            ("minio", "minio/minio:RELEASE.2025-04-22T22-12-26Z", 1000, 9000, "/data"),
        ] {
            let e = r(name);
            assert_eq!(
                (e.image.as_str(), e.run_as_user, e.port.number, e.data_path.as_str()),
                (image, uid, port, data)
            );
            assert!(e.probes.liveness.is_some() && e.probes.readiness.is_some(), "{name} has probes");
        }
        let mysql = r("mysql");
        assert!(mysql.backup.as_deref().unwrap().starts_with("set -o pipefail; "), "bash in the image: pipefail");
        assert_eq!(mysql.credential_keys, ["username", "password", "root-password", "database"]);
        let mariadb = r("mariadb").backup.unwrap();
        // dash has no pipefail: the dump goes to a file, and a failure exits non-zero.
        assert!(!mariadb.contains(" | ") && mariadb.contains("> \"$BACKUP_FILE.sql\" || { rm -f"), "{mariadb}");
        assert!(r("valkey").command.unwrap().join(" ").contains("--requirepass \"$VALKEY_PASSWORD\""));
        assert!(r("memcached").credential_keys.is_empty() && r("memcached").backup.is_none());
    }

    #[test]
    fn kafka_runs_kraft_on_one_node_advertised_on_the_headless_service() {
        let cat = Catalog::load(Path::new("/nonexistent")).unwrap();
        let mut sm = SourceMap::default();
        let e = cat.render("kafka", &vars(None), &mut sm, Span::default()).unwrap();
        let env = |k: &str| e.env[k].0.value.clone().unwrap_or_default();
        assert_eq!(env("KAFKA_PROCESS_ROLES"), "broker,controller");
        assert_eq!(env("KAFKA_ADVERTISED_LISTENERS"), "PLAINTEXT://db-0.db-headless:9092");
        assert_eq!(env("CLUSTER_ID"), stable_id("shop", "db"));
        assert_eq!(e.seeded, ["/opt/kafka/config"]);
        // A Confluent build keeps its image; its start script writes /etc/kafka instead.
        let cp = EngineVars { image: Some("confluentinc/cp-kafka:7.9.0"), ..vars(None) };
        assert_eq!(cat.render("kafka", &cp, &mut sm, Span::default()).unwrap().seeded, ["/etc/kafka"]);
    }

    #[test]
    fn search_engines_do_not_mmap_and_seed_their_config_directory() {
        let cat = Catalog::load(Path::new("/nonexistent")).unwrap();
        let mut sm = SourceMap::default();
        for (name, conf) in
            [("elasticsearch", "/usr/share/elasticsearch/config"), ("opensearch", "/usr/share/opensearch/config")]
        {
            let e = cat.render(name, &vars(None), &mut sm, Span::default()).unwrap();
            let env = |k: &str| e.env[k].0.value.clone().unwrap_or_default();
            assert_eq!((env("discovery.type"), env("node.store.allow_mmap")), ("single-node".into(), "false".into()));
            assert_eq!(e.seeded, [conf], "{name}");
            assert_eq!(e.credential_keys, ["password"], "{name}");
            assert!(e.backup.is_none(), "{name} has no dump tool in its image");
        }
    }

    #[test]
    fn stable_ids_are_16_bytes_of_base64url() {
        let id = stable_id("shop", "events");
        assert_eq!(id.len(), 22);
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'), "{id}");
        assert_eq!(id, stable_id("shop", "events"));
        assert_ne!(id, stable_id("shop", "kafka"));
        // 16 bytes: the last character carries 2 bits, so it is one of A, Q, g, w.
        assert!("AQgw".contains(id.chars().last().unwrap()), "{id}");
    }

    #[test]
    fn postgres_uid_follows_the_image_variant() {
        let cat = Catalog::load(Path::new("/nonexistent")).unwrap();
        let mut sm = SourceMap::default();
        let alpine = cat.render("postgres", &vars(Some("15-alpine")), &mut sm, Span::default()).unwrap();
        assert_eq!((alpine.image.as_str(), alpine.run_as_user), ("postgres:15-alpine", 70));
        let debian = cat.render("postgres", &vars(Some("14")), &mut sm, Span::default()).unwrap();
        assert_eq!(debian.run_as_user, 999);
    }
}
