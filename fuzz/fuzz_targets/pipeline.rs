//! Arbitrary bytes → the whole pipeline for one environment: parse, merge, validate
//! (with the built-in engine catalog), expand, sort, and emit both a stream and a tree.
//! Must never panic: bad input is a diagnostic, good input is YAML.

#![no_main]

#[path = "common.rs"]
mod common;

use genk8s::catalog::Catalog;
use genk8s::yaml::{Node, NodeKind};
use genk8s::{emit, expand, merge, validate, yaml};
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;

thread_local! {
    /// An empty platform folder: the catalog holds the built-in engines only.
    static DIR: PathBuf = {
        let d = std::env::temp_dir().join(format!("genk8s-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("temp dir");
        d
    };
    static CATALOG: Catalog = DIR.with(|d| Catalog::load(d).unwrap_or_else(|_| panic!("built-in catalog loads")));
}

/// `from:` reads a file from disk; a fuzzer must not read /dev/zero or block on a FIFO.
fn reads_files(n: &Node) -> bool {
    match &n.kind {
        NodeKind::Map(entries) => entries.iter().any(|e| e.key == "from" || reads_files(&e.value)),
        NodeKind::Seq(items) => items.iter().any(reads_files),
        _ => false,
    }
}

fuzz_target!(|data: &[u8]| {
    let (base_text, overlay_text) = common::split(data);
    let mut sm = common::sources(&base_text, &overlay_text);
    let (Ok(base), Ok(overlay)) = (yaml::parse(&base_text, 0), yaml::parse(&overlay_text, 1)) else {
        return;
    };
    let additions = merge::check_additions(&base, &overlay);
    if !additions.is_empty() {
        common::render(additions, &sm);
        return;
    }
    let merged = merge::merge_env(&base, "dev", &overlay);
    if reads_files(&merged.node) {
        return;
    }
    let result = DIR.with(|dir| CATALOG.with(|catalog| validate::validate(&merged, dir, catalog, &mut sm)));
    match result {
        Ok(valid) => {
            let mut objects: Vec<emit::Rendered> = Vec::new();
            expand::expand_into(&valid, &mut objects);
            emit::sort(&mut objects);
            let stream = emit::stream(&objects);
            assert!(objects.is_empty() || stream.starts_with("---\n"));
            let tree = emit::tree(&objects, &valid.spec.platform, &valid.env);
            assert!(tree.contains_key("kustomization.yaml"));
        }
        Err(d) => common::render(d.items, &sm),
    }
});
