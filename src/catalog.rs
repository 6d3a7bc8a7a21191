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

const BUILTIN: &[(&str, &str)] = &[
    ("mongodb", include_str!("../templates/engines/mongodb.yaml.j2")),
    ("postgis", include_str!("../templates/engines/postgis.yaml.j2")),
    ("postgres", include_str!("../templates/engines/postgres.yaml.j2")),
    ("qdrant", include_str!("../templates/engines/qdrant.yaml.j2")),
    ("redis", include_str!("../templates/engines/redis.yaml.j2")),
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
    #[serde(default)]
    pub probes: Probes,
    /// Shell condition that holds once the database accepts connections (for init containers).
    pub wait: String,
    /// Image that runs `wait` (default: the engine image).
    pub wait_image: Option<String>,
    /// Shell command that writes one dump to the file named by `$BACKUP_FILE`.
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
        if diags.is_empty() { Ok(Catalog { templates }) } else { Err(diags) }
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.templates.keys().map(String::as_str)
    }

    pub fn has(&self, engine: &str) -> bool {
        self.templates.contains_key(engine)
    }

    /// Renders an engine for one database. Errors point into the template (or its rendering).
    pub fn render(
        &self,
        engine: &str,
        vars: &EngineVars,
        sources: &mut SourceMap,
        at: Span,
    ) -> Result<Engine, Diagnostic> {
        let (path, text) =
            self.templates.get(engine).unwrap_or_else(|| panic!("validate admits only catalog engines, got {engine}"));
        let mut env = minijinja::Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        let name = path.display().to_string();
        let rendered = env
            .add_template(&name, text)
            .and_then(|()| env.get_template(&name).and_then(|t| t.render(vars.to_value())))
            .map_err(|e| {
                let line = e.line().unwrap_or(1);
                Diagnostic::at(at, format!("engine template {}:{}: {}", name, line, e))
                    .help("fix the engine template (a variable it uses may be missing)")
            })?;
        let file = sources.add(&PathBuf::from(format!("{name} (rendered for {})", vars.name)), rendered);
        let node = yaml::parse(&sources.file(file).text, file)?;
        from_node::<Engine>(&node).map_err(|e| {
            let mut d = Diagnostic::new(e.span, format!("engine `{engine}`: {}", e.message));
            d.help = e.help;
            d
        })
    }
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
    fn postgres_uid_follows_the_image_variant() {
        let cat = Catalog::load(Path::new("/nonexistent")).unwrap();
        let mut sm = SourceMap::default();
        let alpine = cat.render("postgres", &vars(Some("15-alpine")), &mut sm, Span::default()).unwrap();
        assert_eq!((alpine.image.as_str(), alpine.run_as_user), ("postgres:15-alpine", 70));
        let debian = cat.render("postgres", &vars(Some("14")), &mut sm, Span::default()).unwrap();
        assert_eq!(debian.run_as_user, 999);
    }
}
