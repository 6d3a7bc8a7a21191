//! genk8s: compile a compact platform spec into Kubernetes manifests.
//!
//! The pipeline has one module per stage and a named type between stages:
//! [`load`] (`Loaded`) → [`merge`] (`Merged`) → [`validate`] (`Valid`) →
//! [`expand`] (`Vec<Object>`) → [`emit`] (a stream or a tree).

mod alloc;
pub mod catalog;
pub mod catalog_cmd;
pub mod cli;
pub mod cluster;
pub mod collide;
pub mod confine;
pub mod conform;
pub mod crd;
pub mod diag;
pub mod diff;
pub mod emit;
pub mod expand;
pub mod explain;
#[doc(hidden)]
pub mod fuzzing;
pub mod gateway_api;
pub mod graph;
pub mod image_defaults;
pub mod images;
pub mod immutable;
pub mod import;
pub mod lint;
pub mod lint_alb;
pub mod lint_routes;
pub mod load;
pub mod merge;
pub mod names;
pub mod netpol;
pub mod output;
pub mod par;
pub mod patch;
pub mod pods;
pub mod quantity;
pub mod rules;
pub mod scaffold;
pub mod schema;
pub mod secrets;
pub mod selectors;
pub mod source;
pub mod spec;
pub mod target;
pub mod template_lines;
pub mod validate;
pub mod wiring;
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

pub(crate) fn spec_error(diags: Diagnostics, sources: &SourceMap) -> Error {
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
    each_valid(dir, only, |v, merged, sources| {
        let mut keys = collide::Keys::default();
        let patch_problems = expand::expand_checked(&v, &mut keys);
        if !patch_problems.is_empty() {
            return Err(patch_problems);
        }
        clash_free(v, &keys, &merged, sources)
    })
}

/// As [`check`], with the objects of each environment: the expansion that checked the
/// names and patches is the one handed on (to `lint` and `graph`), not a second one. The
/// services are expanded in threads as for a build, and the objects kept in the order one
/// thread makes them.
pub fn check_expanded(dir: &Path, only: Option<&str>) -> Result<Vec<(validate::Valid, Vec<expand::Object>)>, Error> {
    each_valid(dir, only, |v, merged, sources| {
        let (runs, patch_problems) = expand::expand_split(&v, Vec::<expand::Object>::new);
        if !patch_problems.is_empty() {
            return Err(patch_problems);
        }
        let objects: Vec<expand::Object> = runs.into_iter().flatten().collect();
        let keys = collide::Keys::of(&objects);
        clash_free(v, &keys, &merged, sources).map(|v| (v, objects))
    })
}

/// `v` when no two of its objects (whose `keys` were noted) share a kind, namespace and name.
fn clash_free(
    v: validate::Valid,
    keys: &collide::Keys,
    merged: &merge::Merged,
    sources: &SourceMap,
) -> Result<validate::Valid, Vec<diag::Diagnostic>> {
    let clashes = collide::check(&v, keys, &merged.node, sources);
    if clashes.is_empty() { Ok(v) } else { Err(clashes) }
}

/// Loads, merges and validates the selected environments and hands each valid one to
/// `then` with its merged tree (which `then` may drop early) and the sources; `then` may still
/// find problems. Problems of every environment are reported
/// together; one that several environments share is reported once, naming them.
fn each_valid<T>(
    dir: &Path,
    only: Option<&str>,
    mut then: impl FnMut(validate::Valid, merge::Merged, &SourceMap) -> Result<T, Vec<diag::Diagnostic>>,
) -> Result<Vec<T>, Error> {
    let mut sources = SourceMap::default();
    let loaded = load::load(dir, &mut sources).map_err(|d| spec_error(d, &sources))?;
    let catalog = catalog::Catalog::load(dir).map_err(|d| spec_error(d, &sources))?;
    if let Some(env) = only
        && !loaded.envs.contains_key(env)
    {
        return Err(unknown_env(dir, env, &loaded));
    }
    let mut all: Vec<(String, diag::Diagnostic)> = Vec::new();
    let mut warnings = Diagnostics::default();
    let mut done = Vec::new();
    let load::Loaded { base, envs: overlays, .. } = loaded;
    let selected: Vec<(&String, &yaml::Node)> = overlays.iter().filter(|(e, _)| only.is_none_or(|o| o == *e)).collect();
    let envs = selected.len();
    // The last environment takes the base rather than a copy of it (it is as large as the output).
    let mut base = Some(base);
    for (i, (env, overlay)) in selected.into_iter().enumerate() {
        let Some(b) = base.as_ref() else { unreachable!("only the last environment takes the base") };
        let additions = merge::check_additions(b, overlay);
        if !additions.is_empty() {
            all.extend(additions.into_iter().map(|d| (env.clone(), d)));
            continue;
        }
        let merged = if i + 1 == envs {
            merge::merge_env_owned(base.take().expect("the base is here until the last environment"), env, overlay)
        } else {
            merge::merge_env(b, env, overlay)
        };
        let result = validate::validate(&merged, dir, &catalog, &mut sources).map_err(|d| d.items).and_then(|v| {
            let w = validate::warnings(&v, &merged.node);
            then(v, merged, &sources).map(|t| (t, w))
        });
        match result {
            Ok((t, w)) => {
                warnings.items.extend(w);
                done.push(t);
            }
            Err(d) => all.extend(d.into_iter().map(|d| (env.clone(), d))),
        }
    }
    if all.is_empty() {
        // Warnings never fail a run; one in the base is shown once, not once per environment.
        warnings.sort();
        let _ = std::io::Write::write_all(&mut std::io::stderr(), warnings.render_warnings(&sources).as_bytes());
        Ok(done)
    } else {
        let mut all = Diagnostics { items: diag::fold_envs(all, envs) };
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
    let catalog = catalog::Catalog::load(dir).map_err(|d| spec_error(d, &sources))?;
    let mut concrete = explain::engine_defaults(&merged.node, &catalog, &mut sources);
    concrete.extend(image_defaults::explained(&merged.node));
    explain::render(&merged.node, path, &sources, dir, &concrete).map_err(Error::Usage)
}

/// Builds the given environments (all of them when `only` is `None`).
/// Either every environment builds or nothing is returned. Objects are expanded once,
/// rendered as they come while their names are checked for collisions, after the spec
/// trees are dropped (so they never share memory with the rendered text); a collision,
/// rare, is then reported by [`check`], which knows where each entry was written.
/// Environments, and runs of services within one, are built in threads ([`par`]); the
/// objects are sorted after, so the output does not depend on which finished first.
pub fn build(dir: &Path, only: Option<&str>) -> Result<Vec<Build>, Error> {
    let valid = each_valid(dir, only, |v, _, _| Ok(v))?;
    alloc::release_freed();
    let builds: Option<Vec<Build>> = par::map(valid, |v| build_one(&v)).into_iter().collect();
    builds.ok_or_else(|| build_problems(dir, only))
}

/// As [`build`], handing each environment's build to `take` as soon as it is made and
/// dropping it after, so only one environment's objects are held at a time (`build -o`
/// stages each tree as it comes). Every environment is still checked and every problem
/// reported as by [`build`], so `take` must leave nothing final before this returns `Ok`
/// (an environment that fails its checks does not stop later ones being built). Once a
/// build is refused or `take` fails, no further build is made.
pub fn build_each(
    dir: &Path,
    only: Option<&str>,
    mut take: impl FnMut(Build) -> Result<(), Error>,
) -> Result<(), Error> {
    let mut taken: Result<(), Error> = Ok(());
    let mut broken = false;
    each_valid(dir, only, |v, merged, _| {
        // The merged spec tree (as large as the output) is not held while the objects are made.
        drop(merged);
        alloc::release_freed();
        if taken.is_ok() && !broken {
            match build_one(&v) {
                Some(b) => taken = take(b),
                None => broken = true,
            }
        }
        Ok(())
    })?;
    if broken {
        return Err(build_problems(dir, only));
    }
    taken
}

/// What [`check`] reports for a build that [`build_one`] refused.
fn build_problems(dir: &Path, only: Option<&str>) -> Error {
    check(dir, only).err().unwrap_or_else(|| {
        Error::Spec("error: a patch does not apply, or two generated objects share a kind, namespace and name".into())
    })
}

/// One environment's objects, rendered and sorted; `None` when a patch does not apply or
/// two objects collide (for [`check`] to report). Collisions are found in the sorted objects
/// (equal kind, namespace and name sort next to each other), so no set of keys is kept.
fn build_one(v: &validate::Valid) -> Option<Build> {
    let (sinks, patch_problems) = expand::expand_split(v, Vec::<emit::Rendered>::new);
    let mut objects = Vec::with_capacity(sinks.iter().map(Vec::len).sum());
    for sink in sinks {
        objects.extend(sink);
    }
    if !patch_problems.is_empty() || collide::owners_clash(v) {
        return None;
    }
    emit::sort(&mut objects);
    let same =
        |a: &emit::Rendered, b: &emit::Rendered| (&a.kind, &a.namespace, &a.name) == (&b.kind, &b.namespace, &b.name);
    if objects.windows(2).any(|w| same(&w[0], &w[1])) {
        return None;
    }
    Some(Build { platform: v.spec.platform.clone(), env: v.env.clone(), objects, warnings: v.warnings.clone() })
}
