//! genk8s: compile a compact platform spec into Kubernetes manifests.
//!
//! The pipeline has one module per stage and a named type between stages:
//! [`load`] (`Loaded`) → [`merge`] (`Merged`) → [`validate`] (`Valid`) →
//! [`expand`] (`Vec<Object>`) → [`emit`] (a stream or a tree).

pub mod catalog;
pub mod cli;
pub mod collide;
pub mod confine;
pub mod crd;
pub mod diag;
pub mod diff;
pub mod emit;
pub mod expand;
pub mod explain;
pub mod graph;
pub mod import;
pub mod lint;
pub mod load;
pub mod merge;
pub mod names;
pub mod output;
pub mod patch;
pub mod quantity;
pub mod rules;
pub mod scaffold;
pub mod schema;
pub mod secrets;
pub mod source;
pub mod spec;
pub mod target;
pub mod validate;
pub mod yaml;

use diag::Diagnostics;
use source::SourceMap;
use std::path::Path;

/// Why a run failed. Every variant is the user's to fix and maps to exit code 2.
#[derive(Debug)]
pub enum Error {
    /// Problems in the spec, rendered with file:line:col and source lines.
    Spec(String),
    /// A bad command line (unknown environment, conflicting flags).
    Usage(String),
    /// The output could not be written.
    Output(String),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::Spec(s) => f.write_str(s.trim_end()),
            Error::Usage(s) | Error::Output(s) => write!(f, "error: {s}"),
        }
    }
}

impl std::error::Error for Error {}

/// The objects of one environment, sorted for emission.
pub struct Build {
    pub platform: String,
    pub env: String,
    pub objects: Vec<emit::Rendered>,
    /// Spec warnings (`warning: FILE:LINE:COL: …`), printed on stderr by `build`.
    pub warnings: Vec<String>,
}

fn spec_error(diags: Diagnostics, sources: &SourceMap) -> Error {
    Error::Spec(diags.render(sources))
}

/// The usage error for an environment the platform does not have, with a suggestion.
fn unknown_env(dir: &Path, env: &str, loaded: &load::Loaded) -> Error {
    let names: Vec<&str> = loaded.envs.keys().map(String::as_str).collect();
    let hint = diag::suggest(env, names.iter().copied()).map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default();
    Error::Usage(format!("no environment `{env}` in {}{hint}; environments: {}", dir.display(), names.join(", ")))
}

/// Environment names of the platform in `dir`, sorted.
pub fn envs(dir: &Path) -> Result<Vec<String>, Error> {
    let mut sources = SourceMap::default();
    let loaded = load::load(dir, &mut sources).map_err(|d| spec_error(d, &sources))?;
    Ok(loaded.envs.into_keys().collect())
}

/// Loads, merges and validates the given environments (all when `only` is `None`).
/// Either every environment is valid or nothing is returned.
pub fn check(dir: &Path, only: Option<&str>) -> Result<Vec<validate::Valid>, Error> {
    let mut sources = SourceMap::default();
    let loaded = load::load(dir, &mut sources).map_err(|d| spec_error(d, &sources))?;
    let catalog = catalog::Catalog::load(dir).map_err(|d| spec_error(d, &sources))?;
    if let Some(env) = only
        && !loaded.envs.contains_key(env)
    {
        return Err(unknown_env(dir, env, &loaded));
    }
    let mut all = Diagnostics::default();
    let mut warnings = Diagnostics::default();
    let mut valid = Vec::new();
    for (env, overlay) in &loaded.envs {
        if only.is_some_and(|o| o != env) {
            continue;
        }
        let additions = merge::check_additions(&loaded.base, overlay);
        if !additions.is_empty() {
            all.items.extend(additions);
            continue;
        }
        let merged = merge::merge_env(&loaded.base, env, overlay);
        match validate::validate(&merged, dir, &catalog, &mut sources) {
            Ok(v) => {
                let mut keys = collide::Keys::default();
                let patch_problems = expand::expand_checked(&v, &mut keys);
                if !patch_problems.is_empty() {
                    all.items.extend(patch_problems);
                    continue;
                }
                let clashes = collide::check(&v, &keys, &merged.node, &sources);
                if !clashes.is_empty() {
                    all.items.extend(clashes);
                    continue;
                }
                warnings.items.extend(validate::warnings(&v, &merged.node));
                valid.push(v);
            }
            Err(d) => all.items.extend(d.items),
        }
    }
    if all.is_empty() {
        // Warnings never fail a run; one in the base is shown once, not once per environment.
        warnings.sort();
        let _ = std::io::Write::write_all(&mut std::io::stderr(), warnings.render_warnings(&sources).as_bytes());
        Ok(valid)
    } else {
        all.sort();
        Err(spec_error(all, &sources))
    }
}

/// The merged spec of one environment, as text annotated with where each value came from.
pub fn explain(dir: &Path, env: &str, path: Option<&str>) -> Result<String, Error> {
    let mut sources = SourceMap::default();
    let loaded = load::load(dir, &mut sources).map_err(|d| spec_error(d, &sources))?;
    let Some(overlay) = loaded.envs.get(env) else {
        return Err(unknown_env(dir, env, &loaded));
    };
    let merged = merge::merge_env(&loaded.base, env, overlay);
    explain::render(&merged.node, path, &sources, dir).map_err(Error::Usage)
}

/// Builds the given environments (all of them when `only` is `None`).
/// Either every environment builds or nothing is returned.
pub fn build(dir: &Path, only: Option<&str>) -> Result<Vec<Build>, Error> {
    Ok(check(dir, only)?
        .into_iter()
        .map(|v| {
            let mut objects: Vec<emit::Rendered> = Vec::new();
            expand::expand_into(&v, &mut objects);
            emit::sort(&mut objects);
            Build { platform: v.spec.platform.clone(), env: v.env.clone(), objects, warnings: v.warnings }
        })
        .collect())
}
