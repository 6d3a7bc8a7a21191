//! `genk8s import kubernetes`: a platform from existing manifests.
//!
//! The manifests are read with the spanned YAML layer ([`read`]), recognised as
//! services, databases, configs, secret references and platform settings
//! ([`recognise`] and the modules beside it), written as a platform folder, built,
//! and every input field is compared with the build ([`compare`]): the summary says
//! how many fields the spec expresses natively, how many the escape hatch carries
//! (`objects:`, and the JSON patches [`compare::patches`] writes, checked by a second
//! build), and each other one is reported with its file:line:col and why
//! ([`residue`]). `envs` factors one tree per environment into a base and overlays;
//! `verify` prints the build against the input with `genk8s diff`'s object diff.

pub mod compare;
mod database;
mod envs;
mod ingress;
mod network;
mod platform;
mod pod;
pub mod read;
pub mod recognise;
mod residue;
mod service;
mod size;
mod tidy;
mod verify;

use super::{Finding, Level, comment, plural, write_files};
use crate::Error;
use crate::source::{FileId, SourceMap};
use read::Doc;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Choices of the command line.
#[derive(Debug, Clone)]
pub struct Options {
    pub name: Option<String>,
    /// The environment the input is written as.
    pub env: String,
    /// Print the object-aware diff of the build against the input.
    pub verify: bool,
}

/// The import's result, before it is written.
#[derive(Clone)]
struct Imported {
    platform: String,
    rec_spec: Map<String, Value>,
    namespace: String,
    findings: Vec<Finding>,
    secrets: BTreeMap<String, std::collections::BTreeSet<String>>,
    copies: Vec<(String, String)>,
}

/// Reads every manifest of `paths`.
fn read_all(paths: &[PathBuf], sources: &mut SourceMap) -> Result<Vec<Doc>, Error> {
    let mut docs = Vec::new();
    for input in read::files(paths)? {
        let mut d = match input {
            read::Input::File(f) => read::read_file(&f, sources).map_err(|d| super::spec_error(d, sources))?,
            read::Input::Kustomize(dir) => read::read_kustomize(&dir, sources)?,
        };
        docs.append(&mut d);
    }
    if docs.is_empty() {
        return Err(Error::Usage("no Kubernetes objects found in the given paths (files ending .yaml or .yml)".into()));
    }
    Ok(docs)
}

/// Runs `genk8s import kubernetes`: the manifests of `paths` as one environment, or
/// one tree per environment (`envs`) as a base and overlays.
pub fn import(paths: &[PathBuf], envs: &[(String, PathBuf)], out: Option<&Path>, opts: &Options) -> Result<(), Error> {
    if !envs.is_empty() {
        return envs::import_envs(envs, out, opts);
    }
    let mut sources = SourceMap::default();
    let docs = read_all(paths, &mut sources)?;
    let rec = recognise::recognise(&docs);
    let imported = imported(&docs, &rec, paths, opts);
    let out: PathBuf = out.map_or_else(|| PathBuf::from(&imported.platform), Path::to_path_buf);
    refuse_existing(&out, &render(&imported, &opts.env, &sources))?;
    let staged = stage(imported, &docs, &rec.fates, &out, &opts.env, &sources)?;
    let mut stderr = findings_text(&staged.imported.findings, &sources);
    match &staged.tally {
        Err(e) => stderr.push_str(&format!("warning: the imported platform does not build yet:\n{e}\n")),
        Ok(tally) => {
            stderr.push_str(&report(tally, &sources));
            stderr.push_str(&recheck(&out, &opts.env, &docs, &rec.fates, &staged.changed, tally));
            let inputs: Vec<&str> =
                (0..sources.paths().count()).map(|id| sources.file(id as FileId).text.as_str()).collect();
            stderr.push_str(&summary(tally, &docs, &opts.env, &inputs, &staged.files));
        }
    }
    eprint!("{stderr}");
    if opts.verify {
        print_verify(&out, &opts.env, &docs, &rec.fates);
    }
    Ok(())
}

/// An environment written, built and compared with its input; its patches in place.
struct Staged {
    imported: Imported,
    files: Vec<(PathBuf, String)>,
    tally: Result<compare::Tally, String>,
    /// Input places the import changed on purpose, with why.
    changed: BTreeMap<crate::source::Span, String>,
}

/// Writes `imported` as a platform in `dir`, builds environment `env`, compares it with
/// the input, and rewrites platform.yaml with the patches that carry what differs.
fn stage(
    mut imported: Imported,
    docs: &[Doc],
    fates: &[Option<recognise::Fate>],
    dir: &Path,
    env: &str,
    sources: &SourceMap,
) -> Result<Staged, Error> {
    let mut files = render(&imported, env, sources);
    write_files(dir, &files)?;
    let changed: BTreeMap<crate::source::Span, String> =
        imported.findings.iter().filter(|f| f.level == Level::Warning).map(|f| (f.span, f.message.clone())).collect();
    let mut tally = build_and_compare(dir, env, docs, fates, &changed);
    if let Ok(t) = &mut tally {
        let patches = compare::patches(&t.residue);
        if !patches.is_empty() {
            imported.rec_spec.insert("patches".into(), Value::Object(patches));
            files = render(&imported, env, sources);
            rewrite_base(dir, &files)?;
            if let Err(e) = crate::build(dir, Some(env)) {
                // Patches that would break the build are not written: their fields are reported.
                imported.rec_spec.remove("patches");
                files = render(&imported, env, sources);
                rewrite_base(dir, &files)?;
                let why = format!(
                    "a patch carrying it would not apply ({})",
                    e.to_string().lines().next().unwrap_or_default()
                );
                uncarry(t, &why);
            }
        }
    }
    Ok(Staged { imported, files, tally, changed })
}

fn rewrite_base(dir: &Path, files: &[(PathBuf, String)]) -> Result<(), Error> {
    let base = dir.join(crate::load::BASE_FILE);
    std::fs::write(&base, &files[0].1).map_err(|e| Error::Output(format!("cannot write {}: {e}", base.display())))
}

/// Every carried field of `t` reported instead, with `why`.
fn uncarry(t: &mut compare::Tally, why: &str) {
    for r in t.residue.iter_mut().filter(|r| r.carry.is_some()) {
        r.carry = None;
        r.why = why.to_string();
        t.carried -= r.leaves;
        t.reported += r.leaves;
    }
}

/// `--verify`'s diff on stdout (a build failure was reported already).
fn print_verify(out: &Path, env: &str, docs: &[Doc], fates: &[Option<recognise::Fate>]) {
    if let Ok(text) = verify::verify(out, env, docs, fates) {
        print!("{text}");
    }
}

fn findings_text(findings: &[Finding], sources: &SourceMap) -> String {
    findings.iter().map(|f| format!("{}\n", f.render(sources))).collect()
}

/// The platform to write: the recognised spec, verbatim objects, findings sorted.
fn imported(docs: &[Doc], rec: &recognise::Rec, paths: &[PathBuf], opts: &Options) -> Imported {
    let platform = opts.name.clone().unwrap_or_else(|| default_name(paths));
    let platform = crate::import::values::dns_label(&platform, 40);
    let namespace = rec.namespace.clone().unwrap_or_else(|| format!("{platform}-{}", opts.env));
    let mut spec = rec.spec.clone();
    tidy::tidy(&mut spec);
    let objects: Map<String, Value> = docs
        .iter()
        .zip(&rec.fates)
        .filter(|(_, f)| matches!(f, Some(recognise::Fate::Verbatim)))
        .map(|(d, _)| (d.key(), crate::patch::value(&d.node)))
        .collect();
    if !objects.is_empty() {
        spec.insert("objects".into(), Value::Object(objects));
    }
    let mut findings = rec.findings.clone();
    findings.sort_by(|a, b| (a.span, &a.path).cmp(&(b.span, &b.path)));
    Imported { platform, rec_spec: spec, namespace, findings, secrets: rec.secrets.clone(), copies: rec.copies.clone() }
}

/// Builds the written platform and compares every input field with the build.
fn build_and_compare(
    out: &Path,
    env: &str,
    docs: &[Doc],
    fates: &[Option<recognise::Fate>],
    changed: &BTreeMap<crate::source::Span, String>,
) -> Result<compare::Tally, String> {
    let builds = crate::build(out, Some(env)).map_err(|e| e.to_string().replace("; nothing was written", ""))?;
    let mut objects = BTreeMap::new();
    for o in builds.iter().flat_map(|b| &b.objects) {
        if let Ok(n) = crate::yaml::parse(&o.text, 0) {
            objects.insert((o.kind.clone(), o.name.clone()), n);
        }
    }
    Ok(compare::compare(docs, fates, &compare::Built::new(objects), changed))
}

/// Builds again with the patches and checks that every carried field is now as in the input.
fn recheck(
    out: &Path,
    env: &str,
    docs: &[Doc],
    fates: &[Option<recognise::Fate>],
    changed: &BTreeMap<crate::source::Span, String>,
    first: &compare::Tally,
) -> String {
    if first.residue.iter().all(|r| r.carry.is_none()) {
        return String::new();
    }
    match build_and_compare(out, env, docs, fates, changed) {
        Err(e) => format!("warning: the platform does not build with the patches the import wrote:\n{e}\n"),
        Ok(second) => {
            let left: Vec<&compare::Residue> = second.residue.iter().filter(|r| r.carry.is_some()).collect();
            if left.is_empty() {
                "verified: built again with its patches, the platform writes every carried field as the input does\n"
                    .into()
            } else {
                let list: Vec<String> = left.iter().map(|r| format!("{}.{}", r.object, r.path)).collect();
                format!(
                    "warning: {} carried field(s) still differ after the patches: {}\n",
                    left.len(),
                    list.join(", ")
                )
            }
        }
    }
}

/// One line per field the build does not write as the input does.
fn report(tally: &compare::Tally, sources: &SourceMap) -> String {
    let mut s = String::new();
    for r in &tally.residue {
        let path = if r.path.is_empty() { String::new() } else { format!(".{}", r.path) };
        let n = if r.leaves == 1 { String::new() } else { format!(" ({} fields)", r.leaves) };
        let how = if r.carry.is_some() { "carried" } else { "reported" };
        s.push_str(&format!("{how}: {}: {}{path}: {}{n}\n", sources.locate(r.span), r.object, r.why));
    }
    s
}

/// The closing line: fields native, carried and reported, and the spec's size against the input's.
fn summary(tally: &compare::Tally, docs: &[Doc], env: &str, input: &[&str], files: &[(PathBuf, String)]) -> String {
    let total = tally.native + tally.carried + tally.reported;
    let spec: Vec<&str> = files.iter().filter(|(p, _)| !p.starts_with("files")).map(|(_, t)| t.as_str()).collect();
    let (i, s) = (
        input.iter().map(|t| size::structure_lines(t)).sum::<usize>(),
        spec.iter().map(|t| size::structure_lines(t)).sum::<usize>(),
    );
    format!(
        "imported {} object{} as environment {env}: {total} input field{}: {} native, {} carried (objects/patches), {} reported; \
         spec {s} line{} for {i} input line{} ({:.2}; YAML structure: no blank lines, comments or block-scalar contents)\n",
        docs.len(),
        plural(docs.len()),
        plural(total),
        tally.native,
        tally.carried,
        tally.reported,
        plural(s),
        plural(i),
        s as f64 / i.max(1) as f64,
    )
}

fn refuse_existing(out: &Path, files: &[(PathBuf, String)]) -> Result<(), Error> {
    let existing: Vec<String> =
        files.iter().map(|(p, _)| out.join(p)).filter(|p| p.exists()).map(|p| p.display().to_string()).collect();
    if existing.is_empty() {
        return Ok(());
    }
    Err(Error::Usage(format!(
        "{} already exist{}; genk8s import never overwrites a platform (choose another folder with -o DIR)",
        existing.join(", "),
        if existing.len() == 1 { "s" } else { "" }
    )))
}

/// The first path's folder name (a file's folder), the default platform name.
fn default_name(paths: &[PathBuf]) -> String {
    let first = paths.first().map(PathBuf::as_path).unwrap_or(Path::new("."));
    let abs = std::fs::canonicalize(first).unwrap_or_else(|_| first.to_path_buf());
    let dir = if abs.is_dir() { abs.as_path() } else { abs.parent().unwrap_or(&abs) };
    dir.file_name().and_then(|n| n.to_str()).unwrap_or("app").to_string()
}

/// `platform.yaml`, the environment overlay and the copied config files.
fn render(imported: &Imported, env: &str, sources: &SourceMap) -> Vec<(PathBuf, String)> {
    let mut text =
        "# genk8s platform imported by `genk8s import kubernetes`.\n# Review it before deploying.\n".to_string();
    if !imported.secrets.is_empty() {
        text.push_str("#\n# Secrets the cluster must hold (no secret value was copied):\n");
        for (s, keys) in &imported.secrets {
            text.push_str(&format!("#   {s}: {}\n", keys.iter().cloned().collect::<Vec<_>>().join(", ")));
        }
    }
    let warnings: Vec<&Finding> = imported.findings.iter().filter(|f| f.level == Level::Warning).collect();
    if !warnings.is_empty() {
        text.push_str("#\n# Changed on import:\n");
        for f in warnings {
            text.push_str(&format!("#   {}: {}: {}\n", sources.locate(f.span), f.path, comment(&f.message)));
        }
    }
    text.push('\n');
    let mut spec = Map::new();
    spec.insert("platform".into(), json!(imported.platform));
    spec.extend(imported.rec_spec.clone());
    crate::yaml::emit::emit_compact(&Value::Object(spec), 100, &mut text);
    let mut files = vec![(PathBuf::from(crate::load::BASE_FILE), text)];
    files.extend(imported.copies.iter().map(|(p, t)| (PathBuf::from(p), t.clone())));
    let mut overlay = format!("# Environment {env}: the imported manifests' namespace.\n");
    crate::yaml::emit::emit(&json!({"namespace": imported.namespace}), &mut overlay);
    files.push((Path::new(crate::load::ENV_DIR).join(format!("{env}.yaml")), overlay));
    files
}
