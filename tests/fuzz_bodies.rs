//! The fuzz targets' bodies (`genk8s::fuzzing`, called by `fuzz/fuzz_targets/*`) run over the
//! seeds `fuzz/seed.sh` would write — every bundled platform and bad-spec case with each of
//! its overlays — and over every prefix cut of the bundled seeds at 32 points, so a change
//! that breaks a target's code or makes it panic fails here, not only in a nightly fuzz run.

use genk8s::fuzzing;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

/// Each case folder's base joined with each of its overlays (or an empty one).
fn seeds(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root).unwrap().map(|e| e.unwrap().path()).collect();
    dirs.sort();
    let mut out = Vec::new();
    for dir in dirs {
        let Ok(base) = std::fs::read(dir.join("platform.yaml")) else { continue };
        let mut envs: Vec<PathBuf> = match std::fs::read_dir(dir.join("environments")) {
            Ok(rd) => rd.map(|e| e.unwrap().path()).filter(|p| p.is_file()).collect(),
            Err(_) => Vec::new(),
        };
        envs.sort();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        if envs.is_empty() {
            out.push((name.clone(), fuzzing::join(&base, b"")));
        }
        for env in envs {
            let overlay = std::fs::read(&env).unwrap_or_default();
            let label = format!("{name}/{}", env.file_name().unwrap().to_string_lossy());
            out.push((label, fuzzing::join(&base, &overlay)));
        }
    }
    out
}

fn root(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// Runs both bodies on `data`; returns whether the pipeline built it, or the panic.
fn run(data: &[u8]) -> Result<bool, String> {
    catch_unwind(AssertUnwindSafe(|| {
        fuzzing::load_merge(data);
        fuzzing::pipeline(data)
    }))
    .map_err(|e| {
        e.downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default()
    })
}

#[test]
fn the_fuzz_bodies_build_the_bundled_platforms_and_reject_the_bad_cases_without_panicking() {
    let bundled = seeds(&root("platforms"));
    assert!(bundled.len() >= 15, "{} bundled seeds", bundled.len());
    let mut built = 0;
    let mut panics = Vec::new();
    for (name, data) in &bundled {
        match run(data) {
            Ok(true) => built += 1,
            Ok(false) => {}
            Err(p) => panics.push(format!("{name}: {p}")),
        }
    }
    // A platform whose spec reads files (`from:`) is skipped by the pipeline body; the rest build.
    assert!(built >= 5, "only {built} of {} bundled seeds built through the fuzz pipeline", bundled.len());
    let bad = seeds(&root("tests/bad"));
    assert!(bad.len() >= 300, "{} bad-spec seeds", bad.len());
    for (name, data) in &bad {
        if let Err(p) = run(data) {
            panics.push(format!("tests/bad/{name}: {p}"));
        }
    }
    assert!(panics.is_empty(), "the fuzz bodies panicked:\n{}", panics.join("\n"));
}

#[test]
fn every_cut_of_a_bundled_seed_is_an_error_or_a_build_never_a_panic() {
    let mut panics = Vec::new();
    let mut rejected = 0;
    for (name, data) in seeds(&root("platforms")) {
        for i in 1..32 {
            let cut = data.len() * i / 32;
            match run(&data[..cut]) {
                Ok(false) => rejected += 1,
                Ok(true) => {}
                Err(p) => panics.push(format!("{name} cut at byte {cut}: {p}")),
            }
        }
    }
    assert!(panics.is_empty(), "the fuzz bodies panicked:\n{}", panics.join("\n"));
    assert!(rejected > 0, "no cut was rejected: the pipeline body does not validate");
}
