//! `genk8s import`: write a genk8s platform folder from another format.
//!
//! From Docker Compose ([`compose`]): the import reads the Compose file,
//! converts what has a genk8s equivalent, reports every field it could not carry
//! over (file:line:col and a reason), writes `platform.yaml` and
//! `environments/{dev,staging,prod}.yaml`, and then checks that the new platform
//! builds. From Kubernetes manifests ([`kube`]): the objects are recognised as
//! services, databases and platform settings, and every input field is compared
//! with the build (native, carried by `patches:`/`objects:`, or reported).

#![warn(clippy::too_many_lines)] // clippy.toml: at most 80 lines per function

pub mod compose;
pub mod interpolate;
pub mod kube;
pub mod values;
pub mod yaml;

// The parts of the Compose conversion: each adds methods to `conv::Conv`.
mod annotations;
mod binds;
mod commands;
mod conv;
mod databases;
mod deploy;
mod env;
mod fields;
mod files;
mod health;
mod merge;
mod oneshot;
mod plan;
mod ports;
mod prepare;
mod profiles;
mod project;
mod reach;
mod service;
mod shared;
mod uses;
mod volumes;

use crate::Error;
use crate::diag::Diagnostics;
use crate::source::{SourceMap, Span};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Something in the Compose file that was not carried over, or changed meaning.
    Warning,
    /// A decision the import made that the user should know about.
    Note,
}

/// One thing the import has to say about a place in the input.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub level: Level,
    pub span: Span,
    /// Dotted path of the field in the Compose file (`services.web.network_mode`).
    pub path: String,
    pub message: String,
}

impl Finding {
    /// `warning: docker-compose.yml:12:5: services.web.network_mode: <reason>`.
    pub fn render(&self, sources: &SourceMap) -> String {
        let level = match self.level {
            Level::Warning => "warning",
            Level::Note => "note",
        };
        let path = if self.path.is_empty() { String::new() } else { format!("{}: ", self.path) };
        format!("{level}: {}: {path}{}", sources.locate(self.span), self.message)
    }
}

/// Environments written by the import, each with its own namespace.
pub const ENVIRONMENTS: [&str; 3] = ["dev", "staging", "prod"];

#[derive(clap::Subcommand, Debug)]
pub enum ImportCommand {
    /// Convert a Docker Compose file into a genk8s platform folder
    #[command(
        long_about = "Convert a Docker Compose file into a genk8s platform folder: DIR/platform.yaml and \
DIR/environments/{dev,staging,prod}.yaml.\n\n\
Services become genk8s services; postgres (and vendor builds), postgis, mongo, redis, valkey, mysql, mariadb, \
memcached and qdrant images become catalog databases. Every service another one reaches (depends_on, or its name \
as a host in env values, commands and bind-mounted files) gets a Kubernetes Service and a place in `uses`; \
well-known images get their user, writable directories and probes; one-shot services become migrate: steps. Secret-looking environment values (*_PASSWORD, *_SECRET, *_TOKEN, *_KEY, *_DSN, URLs \
with credentials) become Secret references and are never copied. ${VAR:-default} takes the default: the import \
Several files merge in order as with `docker compose -f a.yml -f b.yml`; `include:` and `extends:` are followed \
(inside the project folder only). Variables are interpolated as Compose does: from the process environment, \
over `.env` beside the first file (or the files given with --env-file); `${VAR:?message}` stops the import when \
VAR is unset. Every field that could not be converted is reported on stderr as `warning: FILE:LINE:COL: PATH: reason` and listed at the top of \
platform.yaml.\n\n\
The import never overwrites: it stops if DIR already holds platform.yaml or an environment file. It exits 0 \
when the platform was written (then run `genk8s build dev -p DIR`), 2 on bad input.",
        after_help = "Examples:\n  genk8s import compose docker-compose.yml                # writes ./<platform name>/\n  genk8s import compose deploy/compose.yaml -o platform   # writes ./platform/\n  genk8s import compose docker-compose.yml --profile debug --name shop"
    )]
    Compose {
        /// The Compose file (docker-compose.yml, compose.yaml, ...); more files are merged onto it in order
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
        /// Another Compose file merged onto the previous ones (as `docker compose -f`; repeatable)
        #[arg(short = 'f', long = "file", value_name = "FILE")]
        more: Vec<PathBuf>,
        /// Read variables from this file instead of the project's .env (repeatable; later files win)
        #[arg(long = "env-file", value_name = "FILE")]
        env_files: Vec<PathBuf>,
        /// Folder to write [default: ./<platform name>, under the current directory]
        #[arg(short = 'o', long = "out", value_name = "DIR")]
        out: Option<PathBuf>,
        /// Platform name [default: the Compose `name:`, else the Compose file's folder name, as a DNS label]
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// Also import the services of this Compose profile (repeatable; '*' for every profile)
        #[arg(long = "profile", value_name = "PROFILE")]
        profiles: Vec<String>,
    },
    /// Turn existing Kubernetes manifests into a genk8s platform folder
    #[command(
        long_about = "Turn existing Kubernetes manifests (files or folders of multi-document YAML, such as \
hand-written manifests or `helm template` output) into a genk8s platform folder: DIR/platform.yaml, \
DIR/environments/ENV.yaml and config files under DIR/files/.\n\n\
Deployments with their Services, Ingresses, HPAs, PDBs, ServiceMonitors and ServiceAccounts become services; \
StatefulSets (and Deployments) of catalog engine images become databases, backup CronJobs their `backup:`; \
NetworkPolicies become `uses` and `egress`; ConfigMaps become configs; Secrets become references (their values \
are never copied); Namespace labels, StorageClasses, cert-manager ClusterIssuers, ResourceQuota and LimitRange \
become platform settings. Other objects are carried verbatim under `objects:`.\n\n\
The import then builds the platform and compares every field of the input with the build: it prints each field \
the build does not reproduce (`reported: FILE:LINE:COL: Kind/name.path: why`) and a summary of how many fields \
are native, carried and reported. It never overwrites; it exits 0 when the platform was written, 2 on bad input.",
        after_help = "Examples:\n  genk8s import kubernetes k8s/ -o platforms/shop\n  genk8s import kubernetes deployment.yaml service.yaml --name shop"
    )]
    Kubernetes {
        /// Manifest files or folders (folders are read recursively: *.yaml, *.yml; a folder with a
        /// kustomization.yaml is built with `kubectl kustomize`)
        #[arg(value_name = "PATH", required_unless_present = "envs", conflicts_with = "envs")]
        paths: Vec<PathBuf>,
        /// One tree per environment, NAME=PATH (repeatable): the base holds what all share, each overlay the rest
        #[arg(long = "env", value_name = "NAME=PATH", value_parser = env_tree)]
        envs: Vec<(String, PathBuf)>,
        /// Folder to write [default: ./<platform name>]
        #[arg(short = 'o', long = "out", value_name = "DIR")]
        out: Option<PathBuf>,
        /// Platform name [default: the first path's folder name, as a DNS label]
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// Environment the manifests are written as (environments/ENV.yaml)
        #[arg(long = "env-name", value_name = "ENV", default_value = "imported")]
        env: String,
        /// Print the build against the input with `genk8s diff`'s object-aware diff (stdout)
        #[arg(long)]
        verify: bool,
    },
}

/// Runs an import command.
pub fn run(cmd: ImportCommand) -> Result<(), Error> {
    match cmd {
        ImportCommand::Compose { mut files, more, env_files, out, name, profiles } => {
            files.extend(more);
            import_compose(&files, &env_files, out.as_deref(), &conv::Options { name, profiles })
        }
        ImportCommand::Kubernetes { paths, envs, out, name, env, verify } => {
            kube::import(&paths, &envs, out.as_deref(), &kube::Options { name, env, verify })
        }
    }
}

/// `--env NAME=PATH`: an environment name (a DNS label) and its tree.
fn env_tree(s: &str) -> Result<(String, PathBuf), String> {
    let (name, path) =
        s.split_once('=').ok_or_else(|| format!("`{s}` is not NAME=PATH (e.g. --env prod=deploy/prod)"))?;
    if values::dns_label(name, 63) != name || name.is_empty() {
        return Err(format!("environment name `{name}` must be a DNS label (lowercase letters, digits, '-')"));
    }
    Ok((name.to_string(), PathBuf::from(path)))
}

fn spec_error(d: crate::diag::Diagnostic, sources: &SourceMap) -> Error {
    let mut ds = Diagnostics::default();
    ds.push(d);
    Error::Spec(ds.render(sources))
}

/// The Compose file's folder name (the default project name).
fn folder_name(file: &Path) -> String {
    let abs = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    abs.parent().and_then(Path::file_name).and_then(|n| n.to_str()).unwrap_or("app").to_string()
}

/// The project's variables: the env files (`.env` beside the Compose file unless
/// `--env-file` names others), then the process environment over them, as Compose reads them.
fn project_vars(
    dir: &Path,
    env_files: &[PathBuf],
    sources: &mut SourceMap,
    findings: &mut Vec<Finding>,
) -> Result<interpolate::Vars, Error> {
    let default_env = dir.join(".env");
    let files: Vec<PathBuf> = if env_files.is_empty() {
        if default_env.is_file() { vec![default_env] } else { Vec::new() }
    } else {
        env_files.to_vec()
    };
    let mut vars = interpolate::Vars::default();
    for f in files {
        let text = crate::source::read_text(&f).map_err(|e| spec_error(e.into(), sources))?;
        let mut seen = vars.clone();
        set_process_env(&mut seen);
        let entries = interpolate::parse_dotenv(&text, &seen);
        let id = sources.add(&f, text);
        for d in entries {
            let span = Span::new(id, d.line, d.col);
            for message in d.unset {
                findings.push(Finding { level: Level::Warning, span, path: d.key.clone(), message });
            }
            if let Some(v) = d.value {
                vars.set(d.key, v, f.display().to_string());
            }
        }
    }
    set_process_env(&mut vars);
    Ok(vars)
}

/// The process environment's variables (those that are UTF-8) over `vars`.
fn set_process_env(vars: &mut interpolate::Vars) {
    for (k, v) in std::env::vars_os() {
        if let (Some(k), Some(v)) = (k.to_str(), v.to_str()) {
            vars.set(k, v, "the environment");
        }
    }
}

fn import_compose(
    compose_files: &[PathBuf],
    env_files: &[PathBuf],
    out: Option<&Path>,
    opts: &conv::Options,
) -> Result<(), Error> {
    let file = compose_files.first().map(PathBuf::as_path).unwrap_or(Path::new("docker-compose.yml"));
    let mut sources = SourceMap::default();
    let dir = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut findings = Vec::new();
    let vars = project_vars(dir, env_files, &mut sources, &mut findings)?;
    let mut loader = project::Loader::new(dir, &vars, &mut sources);
    let loaded = loader.load(compose_files);
    findings.append(&mut loader.findings);
    let root = loaded.map_err(|d| spec_error(d, &sources))?;
    let mut imported = compose::convert(root, dir, dir, &folder_name(file), opts, &vars, &mut sources)
        .map_err(|d| spec_error(d, &sources))?;
    imported.findings.extend(findings);
    imported.findings.sort_by(|a, b| (a.span, &a.path, &a.message).cmp(&(b.span, &b.path, &b.message)));
    imported.findings.dedup_by(|a, b| a.span == b.span && a.path == b.path && a.message == b.message);
    let out: PathBuf = out.map_or_else(|| PathBuf::from(&imported.platform), Path::to_path_buf);

    let files = render(&imported, file, &out, &sources);
    let existing: Vec<String> =
        files.iter().map(|(p, _)| out.join(p)).filter(|p| p.exists()).map(|p| p.display().to_string()).collect();
    if !existing.is_empty() {
        return Err(Error::Usage(format!(
            "{} already exist{}; genk8s import never overwrites a platform (choose another folder with -o DIR)",
            existing.join(", "),
            if existing.len() == 1 { "s" } else { "" }
        )));
    }

    let mut stderr = String::new();
    for f in &imported.findings {
        stderr.push_str(&f.render(&sources));
        stderr.push('\n');
    }
    for name in
        ["docker-compose.override.yml", "docker-compose.override.yaml", "compose.override.yml", "compose.override.yaml"]
    {
        if dir.join(name).exists() && !compose_files.iter().any(|f| f.ends_with(name)) {
            stderr.push_str(&format!(
                "note: {}: Compose would also read this override file; to merge it, name it too: genk8s import compose {} {}\n",
                dir.join(name).display(),
                file.display(),
                dir.join(name).display()
            ));
        }
    }
    write_files(&out, &files)?;

    let warnings = imported.findings.iter().filter(|f| f.level == Level::Warning).count();
    let notes = imported.findings.len() - warnings;
    stderr.push_str(&format!(
        "imported {} service{} and {} database{} into {} ({warnings} warning{}, {notes} note{})\n",
        imported.services.len(),
        plural(imported.services.len()),
        imported.databases.len(),
        plural(imported.databases.len()),
        out.display(),
        plural(warnings),
        plural(notes),
    ));
    if let Err(e) = crate::check(&out, None) {
        let e = e.to_string().replace("; nothing was written", "");
        stderr.push_str(&format!("warning: the imported platform does not build in every environment yet:\n{e}\n"));
    } else if !imported.secrets.is_empty() {
        stderr.push_str(&format!(
            "next: create the Secrets it reads (genk8s secrets dev -p {0}), then genk8s build dev -p {0}\n",
            out.display()
        ));
    }
    eprint!("{stderr}");
    let mut stdout = std::io::stdout().lock();
    for (p, _) in &files {
        let _ = writeln!(stdout, "{}", out.join(p).display());
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Comment lines hold one line each.
fn comment(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// The files of the platform folder, relative to it, with their contents.
fn render(imported: &compose::Imported, file: &Path, out: &Path, sources: &SourceMap) -> Vec<(PathBuf, String)> {
    let mut platform = format!(
        "# genk8s platform imported from {} by `genk8s import compose`.\n# Review it before deploying.\n",
        comment(&file.display().to_string())
    );
    if !imported.secrets.is_empty() {
        platform.push_str("#\n# Secrets the cluster must hold (no secret value was copied from Compose):\n");
        for (s, keys) in &imported.secrets {
            platform.push_str(&format!("#   {s}: {}\n", keys.iter().cloned().collect::<Vec<_>>().join(", ")));
        }
        platform.push_str(&format!(
            "# `genk8s secrets dev -p {}` lists them with their namespaces.\n",
            comment(&out.display().to_string())
        ));
    }
    let warnings: Vec<&Finding> = imported.findings.iter().filter(|f| f.level == Level::Warning).collect();
    if !warnings.is_empty() {
        platform.push_str("#\n# Not converted or changed (the import's warnings):\n");
        for f in warnings {
            let path = if f.path.is_empty() { String::new() } else { format!("{}: ", f.path) };
            platform.push_str(&format!("#   {}: {path}{}\n", sources.locate(f.span), comment(&f.message)));
        }
    }
    platform.push('\n');
    crate::yaml::emit::emit(&imported.spec, &mut platform);

    let mut files = vec![(PathBuf::from(crate::load::BASE_FILE), platform)];
    files.extend(imported.copies.iter().map(|(p, t)| (PathBuf::from(p), t.clone())));
    for env in ENVIRONMENTS {
        let mut text = format!("# Environment {env}: only what differs from platform.yaml.\n");
        if crate::names::is_production(env) && !imported.unpinned.is_empty() {
            text.push_str("# Production refuses images without a pinned version; pin these, e.g.:\n# services:\n");
            for s in &imported.unpinned {
                text.push_str(&format!("#   {s}: {{tag: 1.2.3}}\n"));
            }
        }
        let mut m = serde_json::Map::new();
        m.insert("namespace".into(), serde_json::json!(format!("{}-{env}", imported.platform)));
        crate::yaml::emit::emit(&serde_json::Value::Object(m), &mut text);
        files.push((Path::new(crate::load::ENV_DIR).join(format!("{env}.yaml")), text));
    }
    files
}

/// Writes every file, each created new (an existing file is never replaced).
fn write_files(out: &Path, files: &[(PathBuf, String)]) -> Result<(), Error> {
    for (rel, text) in files {
        let path = out.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Error::Output(format!("cannot create {}: {e}", parent.display())))?;
        }
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| Error::Output(format!("cannot create {}: {e}", path.display())))?;
        f.write_all(text.as_bytes()).map_err(|e| Error::Output(format!("cannot write {}: {e}", path.display())))?;
    }
    Ok(())
}
