//! The bodies of the fuzz targets under `fuzz/`: arbitrary bytes through the pipeline, which
//! must never panic. They live in the library so the normal build compiles them and
//! `tests/fuzz_bodies.rs` runs them over the seed corpus; the cargo-fuzz targets only call them.
//!
//! The input format: the base (`platform.yaml`), a NUL byte, then the overlay
//! (`environments/dev.yaml`); without a NUL the overlay is empty.

use crate::catalog::Catalog;
use crate::diag::{Diagnostic, Diagnostics};
use crate::source::SourceMap;
use crate::spec::Platform;
use crate::yaml::{self, Node, NodeKind};
use crate::{emit, expand, merge, validate};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Splits `data` at its first NUL byte into base and overlay text. Invalid UTF-8 is
/// replaced, so every input reaches the YAML parser.
pub fn split(data: &[u8]) -> (String, String) {
    let (base, overlay) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    (String::from_utf8_lossy(base).into_owned(), String::from_utf8_lossy(overlay).into_owned())
}

/// Joins a base and an overlay into one fuzz input (the inverse of [`split`]).
pub fn join(base: &[u8], overlay: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(base.len() + overlay.len() + 1);
    v.extend_from_slice(base);
    v.push(0);
    v.extend_from_slice(overlay);
    v
}

fn sources(base: &str, overlay: &str) -> SourceMap {
    let mut sm = SourceMap::default();
    sm.add(Path::new("platform.yaml"), base.to_string());
    sm.add(Path::new("environments/dev.yaml"), overlay.to_string());
    sm
}

/// Renders diagnostics with source lines and carets: this must not panic either.
fn render(items: Vec<Diagnostic>, sm: &SourceMap) {
    let mut d = Diagnostics { items };
    d.sort();
    let text = d.render(sm);
    assert!(text.ends_with("nothing was written\n"), "a rendered error ends with the no-write line: {text}");
}

fn de_diag(e: yaml::de::Error) -> Diagnostic {
    let mut d = Diagnostic::new(e.span, e.message);
    d.help = e.help;
    d
}

/// Parse base and overlay, merge, and read the typed `Platform`; render every problem.
pub fn load_merge(data: &[u8]) {
    let (base_text, overlay_text) = split(data);
    let sm = sources(&base_text, &overlay_text);
    let (base, overlay) = match (yaml::parse(&base_text, 0), yaml::parse(&overlay_text, 1)) {
        (Ok(b), Ok(o)) => (b, o),
        (b, o) => {
            render(b.err().into_iter().chain(o.err()).collect(), &sm);
            return;
        }
    };
    let additions = merge::check_additions(&base, &overlay);
    if !additions.is_empty() {
        render(additions, &sm);
    }
    let merged = merge::merge_env(&base, "dev", &overlay);
    if let Err(e) = yaml::de::from_node::<Platform>(&merged.node) {
        render(vec![de_diag(e)], &sm);
    }
}

/// An empty platform folder, so the catalog holds the built-in engines only.
fn empty_dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("genk8s-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("a temporary folder for the fuzz catalog");
        d
    })
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::load(empty_dir()).unwrap_or_else(|_| panic!("the built-in catalog loads")))
}

/// `from:` reads a file from disk; a fuzzer must not read /dev/zero or block on a FIFO.
fn reads_files(n: &Node) -> bool {
    match &n.kind {
        NodeKind::Map(entries) => entries.iter().any(|e| e.key == "from" || reads_files(&e.value)),
        NodeKind::Seq(items) => items.iter().any(reads_files),
        _ => false,
    }
}

/// The whole pipeline for one environment: parse, merge, validate (built-in engines),
/// expand, sort, and emit a stream and a tree. Returns whether the input built.
pub fn pipeline(data: &[u8]) -> bool {
    let (base_text, overlay_text) = split(data);
    let mut sm = sources(&base_text, &overlay_text);
    let (Ok(base), Ok(overlay)) = (yaml::parse(&base_text, 0), yaml::parse(&overlay_text, 1)) else {
        return false;
    };
    let additions = merge::check_additions(&base, &overlay);
    if !additions.is_empty() {
        render(additions, &sm);
        return false;
    }
    let merged = merge::merge_env(&base, "dev", &overlay);
    if reads_files(&merged.node) {
        return false;
    }
    match validate::validate(&merged, empty_dir(), catalog(), &mut sm) {
        Ok(valid) => {
            let mut objects: Vec<emit::Rendered> = Vec::new();
            expand::expand_into(&valid, &mut objects);
            emit::sort(&mut objects);
            let stream = emit::stream(&objects);
            assert!(objects.is_empty() || stream.starts_with("---\n"), "a stream starts with a document marker");
            let tree = emit::tree(objects, &valid.spec.platform, &valid.env);
            assert!(tree.contains_key("kustomization.yaml"), "a tree has a kustomization.yaml");
            true
        }
        Err(d) => {
            render(d.items, &sm);
            false
        }
    }
}
