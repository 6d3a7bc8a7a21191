//! `--verify`: the build of the imported platform against the input, through the
//! object-aware diff of `genk8s diff` (field paths, list items by name). Input objects
//! the spec renamed are compared under the build's name, so the diff shows what
//! genk8s adds (security context, probes, policies), what it writes differently, and
//! which input objects have no counterpart (those whose fields were reported).

use super::compare::Built;
use super::read::Doc;
use super::recognise::Fate;
use crate::diff::Files;
use crate::emit::Rendered;
use std::path::Path;

/// The diff's summary for environment `env` of the platform in `out`.
pub fn verify(out: &Path, env: &str, docs: &[Doc], fates: &[Option<Fate>]) -> Result<String, String> {
    let builds = crate::build(out, Some(env)).map_err(|e| e.to_string())?;
    let rendered: Vec<&Rendered> = builds.iter().flat_map(|b| &b.objects).collect();
    let expected: Files = rendered.iter().map(|o| (crate::emit::file_name(o), o.text.clone())).collect();
    let nodes = rendered
        .iter()
        .filter_map(|o| crate::yaml::parse(&o.text, 0).ok().map(|n| ((o.kind.clone(), o.name.clone()), n)))
        .collect();
    let built = Built::new(nodes);
    let mut actual = Files::new();
    for (d, fate) in docs.iter().zip(fates) {
        let (kind, name) = match fate {
            Some(Fate::Native(k, n)) => (k.clone(), built.find(k, n).map_or(n.clone(), |(b, _)| b.to_string())),
            _ => (d.kind.clone(), d.name.clone()),
        };
        let mut text = String::new();
        crate::yaml::emit::emit(&crate::patch::value(&d.node), &mut text);
        let file = format!("{}-{name}.yaml", kind.to_ascii_lowercase());
        actual.entry(file).or_insert(text);
    }
    let report = crate::diff::compare(&expected, &actual);
    Ok(format!(
        "environment {env}: the build against the input (changed: input → build; added: only genk8s writes it; removed: only in the input)\n{}",
        report.summary
    ))
}
