//! The database engine catalog: minijinja templates (built into the binary from
//! `templates/engines/`, or added/overridden by a platform's own
//! `templates/engines/<engine>.yaml.j2`) that render to an [`Engine`] description,
//! which the expand stage turns into typed objects.

use crate::diag::{Diagnostic, Diagnostics};
use crate::source::{SourceMap, Span};
use crate::spec::{EnvValue, Probes, Resources, Short};
use crate::yaml::{self, de::from_node};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

const BUILTIN: &[(&str, &str)] = &[
    ("mariadb", include_str!("../templates/engines/mariadb.yaml.j2")),
    ("memcached", include_str!("../templates/engines/memcached.yaml.j2")),
    ("mongodb", include_str!("../templates/engines/mongodb.yaml.j2")),
    ("mysql", include_str!("../templates/engines/mysql.yaml.j2")),
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
    pub command: Option<Vec<String>>,
    #[serde(default)]
    pub env: BTreeMap<String, Short<EnvValue>>,
    /// Keys the credentials Secret must hold.
    #[serde(default)]
    pub credential_keys: Vec<String>,
    /// What services read with env `{db: <name>, value: <fact>}`: host, port, user,
    /// password, database, url…; `{fact}` in a literal is that fact (see [`crate::wiring`]).
    #[serde(default)]
    pub connection: BTreeMap<String, Short<EnvValue>>,
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
}

impl EngineVars<'_> {
    fn to_value(&self) -> minijinja::Value {
        use minijinja::Value;
        Value::from_pairs([
            ("name", Value::from(self.name)),
            ("version", Value::from(self.version)),
            ("database", Value::from(self.database)),
            ("credentials", Value::from(self.credentials)),
            ("host", Value::from(self.host)),
            ("port", Value::from(self.port)),
        ])
    }
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
        let template = sources.add(path, text.clone());
        let added =
            if env.get_template(&name).is_ok() { Ok(()) } else { env.add_template_owned(name.clone(), text.clone()) };
        let rendered = added
            .and_then(|()| env.get_template(&name).and_then(|t| t.render(vars.to_value())))
            .map_err(|e| template_error(&e, text, template, vars.name).also(at))?;
        let file = sources.add(&PathBuf::from(format!("{name} (rendered for {})", vars.name)), rendered);
        let rendered = &sources.file(file).text;
        let lines = crate::template_lines::map(text, rendered);
        // A place in the rendered text, moved to the template line that produced it.
        let back = |span: Option<Span>| match span {
            Some(s) if s.file == file => match lines.get(s.line as usize - 1).copied().flatten() {
                Some(l) => Some(Span::new(template, l + 1, s.col as usize)),
                None => Some(s),
            },
            other => other,
        };
        let node = yaml::parse(rendered, file).map_err(|mut d| {
            d.span = back(d.span);
            d.message = format!("engine `{engine}` (rendered for `{}`): {}", vars.name, d.message);
            d.also(at)
        })?;
        from_node::<Engine>(&node).map_err(|e| {
            let mut d = Diagnostic::new(
                back(e.span),
                format!("engine `{engine}` (rendered for `{}`): {}", vars.name, e.message),
            )
            .also(at);
            d.help = e.help;
            d
        })
    }
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
            .help("templates see: name, version, database, credentials, host, port (unset ones are none: write `version or \"16\"`)");
    }
    let detail = e.detail().map(|d| format!(": {d}")).unwrap_or_default();
    Diagnostic::at(span, format!("engine template (rendered for `{db}`): {}{detail}", e.kind()))
        .help("fix the engine template")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars<'a>(version: Option<&'a str>) -> EngineVars<'a> {
        EngineVars { name: "db", version, database: None, credentials: "db-credentials", host: "db", port: None }
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
    fn postgres_uid_follows_the_image_variant() {
        let cat = Catalog::load(Path::new("/nonexistent")).unwrap();
        let mut sm = SourceMap::default();
        let alpine = cat.render("postgres", &vars(Some("15-alpine")), &mut sm, Span::default()).unwrap();
        assert_eq!((alpine.image.as_str(), alpine.run_as_user), ("postgres:15-alpine", 70));
        let debian = cat.render("postgres", &vars(Some("14")), &mut sm, Span::default()).unwrap();
        assert_eq!(debian.run_as_user, 999);
    }
}
