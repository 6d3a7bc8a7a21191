//! One tree of manifests per environment (`--env dev=DIR --env prod=DIR`): each is
//! imported on its own (and its patches found), then the base keeps what every
//! environment shares and each overlay only what differs, by the merge rules
//! (maps deep-merge, other values replace, `null` deletes).

use super::{Imported, Options, read_all, recheck, recognise, render, report, stage, summary, write_files};
use crate::Error;
use crate::source::{FileId, SourceMap};
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};

/// Imports each environment's tree, then writes the base and the overlays to `out`.
pub fn import_envs(envs: &[(String, PathBuf)], out: Option<&Path>, opts: &Options) -> Result<(), Error> {
    let mut sources = SourceMap::default();
    let name = opts.name.clone().or_else(|| common_parent(envs));
    let mut runs = Vec::new();
    for (env, dir) in envs {
        let first = sources.paths().count();
        let docs = read_all(std::slice::from_ref(dir), &mut sources)?;
        let rec = recognise::recognise(&docs);
        let o = Options { name: name.clone(), env: env.clone(), verify: opts.verify };
        let imported = super::imported(&docs, &rec, std::slice::from_ref(dir), &o);
        let fates = rec.fates.clone();
        drop(rec);
        runs.push((env.clone(), docs, fates, imported, first..sources.paths().count()));
    }
    let platform = runs[0].3.platform.clone();
    let out: PathBuf = out.map_or_else(|| PathBuf::from(&platform), Path::to_path_buf);
    let scratch = std::env::temp_dir().join(format!("genk8s-import-{}", std::process::id()));
    let mut stderr = String::new();
    let mut staged = Vec::new();
    for (env, docs, fates, imported, ids) in &runs {
        let dir = scratch.join(env);
        let _ = std::fs::remove_dir_all(&dir);
        let s = stage(imported.clone(), docs, fates, &dir, env, &sources);
        let _ = std::fs::remove_dir_all(&dir);
        let s = s?;
        stderr.push_str(&super::findings_text(&s.imported.findings, &sources));
        if let Err(e) = &s.tally {
            stderr.push_str(&format!("warning: environment {env} does not build yet:\n{e}\n"));
        }
        staged.push((env.clone(), s, ids.clone()));
    }
    let _ = std::fs::remove_dir_all(&scratch);
    let specs: Vec<(String, Imported)> = staged.iter().map(|(e, s, _)| (e.clone(), s.imported.clone())).collect();
    let files = factor_files(&specs, &sources);
    super::refuse_existing(&out, &files)?;
    write_files(&out, &files)?;
    for ((env, s, ids), (_, docs, fates, _, _)) in staged.iter().zip(&runs) {
        let Ok(tally) = &s.tally else { continue };
        stderr.push_str(&report(tally, &sources));
        stderr.push_str(&recheck(&out, env, docs, fates, &s.changed, tally));
        let inputs: Vec<&str> = ids.clone().map(|id| sources.file(id as FileId).text.as_str()).collect();
        stderr.push_str(&summary(tally, docs, env, &inputs, &files));
    }
    eprint!("{stderr}");
    if opts.verify {
        for (env, docs, fates, _, _) in &runs {
            super::print_verify(&out, env, docs, fates);
        }
    }
    Ok(())
}

/// The env folders' common parent's name (`deploy` for deploy/dev and deploy/prod).
fn common_parent(envs: &[(String, PathBuf)]) -> Option<String> {
    let abs = std::fs::canonicalize(&envs.first()?.1).ok()?;
    abs.parent()?.file_name()?.to_str().map(str::to_string)
}

/// The platform folder: platform.yaml with what every environment shares, an overlay per
/// environment with the rest, and every environment's copied files (renamed per
/// environment where two environments hold one path with different contents).
fn factor_files(specs: &[(String, Imported)], sources: &SourceMap) -> Vec<(PathBuf, String)> {
    let mut specs: Vec<(String, Imported)> = specs.to_vec();
    let mut copies: Vec<(String, String)> = Vec::new();
    for (env, imp) in &mut specs {
        for (path, text) in imp.copies.clone() {
            match copies.iter().find(|(p, _)| *p == path) {
                Some((_, t)) if *t == text => {}
                Some(_) => {
                    let renamed = path.replacen("files/", &format!("files/{env}/"), 1);
                    rename_from(&mut imp.rec_spec, &path, &renamed);
                    copies.push((renamed, text));
                }
                None => copies.push((path, text)),
            }
        }
    }
    let values: Vec<Value> = specs.iter().map(|(_, i)| Value::Object(i.rec_spec.clone())).collect();
    let base = common(&values.iter().collect::<Vec<_>>()).unwrap_or_else(|| json!({}));
    let mut first = specs[0].1.clone();
    first.rec_spec = base.as_object().cloned().unwrap_or_default();
    first.copies = copies;
    first.findings = specs.iter().flat_map(|(_, i)| i.findings.clone()).collect();
    for (_, i) in &specs[1..] {
        for (s, keys) in &i.secrets {
            first.secrets.entry(s.clone()).or_default().extend(keys.iter().cloned());
        }
    }
    let mut files = render(&first, &specs[0].0, sources);
    files.retain(|(p, _)| !p.starts_with(crate::load::ENV_DIR));
    for ((env, imp), v) in specs.iter().zip(&values) {
        let mut overlay = match diff(v, &base) {
            Some(Value::Object(m)) => m,
            _ => Map::new(),
        };
        overlay.insert("namespace".into(), json!(imp.namespace));
        let mut text = format!("# Environment {env}: what differs from platform.yaml.\n");
        crate::yaml::emit::emit_compact(&Value::Object(overlay), 100, &mut text);
        files.push((Path::new(crate::load::ENV_DIR).join(format!("{env}.yaml")), text));
    }
    files
}

/// Rewrites every `from: <old>` of a spec to `<new>`.
fn rename_from(v: &mut Map<String, Value>, old: &str, new: &str) {
    for (k, x) in v.iter_mut() {
        match x {
            Value::String(s) if k == "from" && s == old => *s = new.to_string(),
            Value::Object(m) => rename_from(m, old, new),
            _ => {}
        }
    }
}

/// What every value shares: maps key by key, anything else when all are equal.
pub fn common(values: &[&Value]) -> Option<Value> {
    let first = values.first()?;
    if let Value::Object(m) = first
        && values.iter().all(|v| v.is_object())
    {
        let mut out = Map::new();
        for (k, v) in m {
            // Every environment has it: what they share, or (values differing) the first
            // one's, so the base's entry is whole and the overlays set their own.
            let Some(children) = values.iter().map(|x| x.get(k)).collect::<Option<Vec<&Value>>>() else { continue };
            out.insert(k.clone(), common(&children).unwrap_or_else(|| v.clone()));
        }
        return Some(Value::Object(out));
    }
    values.iter().all(|v| v == first).then(|| (*first).clone())
}

/// What `env` changes on `base`: an overlay (maps deep, `null` deletes, the rest replaces).
pub fn diff(env: &Value, base: &Value) -> Option<Value> {
    match (env, base) {
        (Value::Object(e), Value::Object(b)) => {
            let mut out = Map::new();
            for (k, v) in e {
                match b.get(k) {
                    None => {
                        out.insert(k.clone(), v.clone());
                    }
                    Some(bv) => {
                        if let Some(d) = diff(v, bv) {
                            out.insert(k.clone(), d);
                        }
                    }
                }
            }
            for k in b.keys().filter(|k| !e.contains_key(*k)) {
                out.insert(k.clone(), Value::Null);
            }
            (!out.is_empty()).then_some(Value::Object(out))
        }
        _ => (env != base).then(|| env.clone()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_base_holds_what_all_share_and_overlays_the_rest() {
        let dev =
            json!({"services": {"api": {"image": "a:1", "replicas": 1, "env": {"X": "1"}}, "debug": {"image": "d:1"}}});
        let prod = json!({"services": {"api": {"image": "a:2", "replicas": 3, "env": {"X": "1"}}}});
        let base = common(&[&dev, &prod]).unwrap();
        // The base keeps a whole api (the first environment's values where they differ).
        assert_eq!(base, json!({"services": {"api": {"image": "a:1", "replicas": 1, "env": {"X": "1"}}}}));
        assert_eq!(diff(&dev, &base), Some(json!({"services": {"debug": {"image": "d:1"}}})));
        assert_eq!(diff(&prod, &base), Some(json!({"services": {"api": {"image": "a:2", "replicas": 3}}})));
        let mut merged = base.clone();
        crate::patch::merge(&mut merged, &diff(&prod, &base).unwrap());
        assert_eq!(merged, prod);
    }
}
