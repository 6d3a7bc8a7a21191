//! The scripts beside the binary do what the README says: `fuzz/seed.sh` writes seeds,
//! `bench/compact` refuses to print a table of zeros.

use std::process::Command;

#[test]
fn fuzz_seed_writes_a_seed_per_platform_and_overlay() {
    let t = tempfile::tempdir().unwrap();
    let out = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/seed.sh"))
        .env("FUZZ_CORPUS", t.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "seed.sh failed: {stdout}{}", String::from_utf8_lossy(&out.stderr));
    for target in ["load_merge", "pipeline"] {
        let seeds: Vec<_> = std::fs::read_dir(t.path().join(target)).unwrap().map(|e| e.unwrap().path()).collect();
        assert!(seeds.len() >= 200, "{target}: only {} seeds", seeds.len());
        let dev =
            seeds.iter().find(|p| p.ends_with("seed-ai-workflow-engine-dev_yaml")).expect("a bundled platform seed");
        let bytes = std::fs::read(dev).unwrap();
        let nul = bytes.iter().position(|b| *b == 0).expect("base and overlay are split by a NUL byte");
        assert!(bytes[..nul].starts_with(b"# yaml-language-server") || bytes[..nul].starts_with(b"platform:"));
        assert!(stdout.contains(&format!("{target}: {} seeds", seeds.len())), "{stdout}");
    }
}

#[test]
fn bench_compact_fails_clearly_without_its_seed_folder() {
    let out = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/bench/compact"))
        .arg("/nonexistent/seeds")
        .output()
        .expect("bench/compact runs (python3)");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "no table is printed");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("seed folder /nonexistent/seeds does not exist"), "{err}");
}

/// The README says: `kubectl kustomize OUT` yields the stream's objects, but in kustomize's
/// order (kinds outside its list by API group) and its own formatting, not the stream's.
#[test]
fn kubectl_kustomize_yields_the_streams_documents_in_its_own_order() {
    let t = tempfile::tempdir().unwrap();
    let platform = concat!(env!("CARGO_MANIFEST_DIR"), "/platforms/ai-workflow-engine");
    let genk8s = env!("CARGO_BIN_EXE_genk8s");
    let tree = Command::new(genk8s).args(["build", "prod", "-p", platform, "-o"]).arg(t.path().join("out")).output();
    assert!(tree.unwrap().status.success());
    let stream = Command::new(genk8s).args(["build", "prod", "-p", platform]).output().unwrap();
    let kz = Command::new("kubectl").arg("kustomize").arg(t.path().join("out")).output().expect("kubectl is installed");
    assert!(kz.status.success(), "{}", String::from_utf8_lossy(&kz.stderr));
    // Each document's identity: its kind and its metadata name (the first `  name:` line).
    let docs = |text: &[u8]| -> Vec<String> {
        String::from_utf8_lossy(text)
            .split("---\n")
            .filter(|d| !d.trim().is_empty())
            .map(|d| {
                let kind = d.lines().find(|l| l.starts_with("kind: ")).unwrap_or_default();
                let md = &d[d.find("\nmetadata:\n").unwrap_or(0)..];
                let name = md.lines().find(|l| l.starts_with("  name: ")).unwrap_or_default();
                format!("{kind} {}", name.trim())
            })
            .collect()
    };
    let (ours, theirs) = (docs(&stream.stdout), docs(&kz.stdout));
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_ne!(ours, theirs, "the orders differ (if kustomize now agrees, update the README)");
    assert!(ours.len() > 10, "a whole platform: {ours:?}");
    assert_eq!(sorted(ours), sorted(theirs), "the same objects");
}
