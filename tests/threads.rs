//! Builds in one thread and in many (`GENK8S_THREADS`) write the same bytes: environments
//! and runs of services are built in threads, and nothing in the output may depend on
//! which finished first.

mod common;

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::Path;

fn genk8s(threads: &str) -> Command {
    let mut c = Command::cargo_bin("genk8s").unwrap();
    c.env("GENK8S_THREADS", threads);
    c
}

/// Every file under `dir`, by its path relative to `dir`.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            out.insert(rel, std::fs::read(e.path()).unwrap());
        }
    }
    out
}

/// The stream of `build ENV` and the trees of `build --all -o` (or, when genk8s refuses
/// that, its exit code and message), with `threads` threads.
type Trees = Result<BTreeMap<String, Vec<u8>>, (Option<i32>, Vec<u8>)>;

fn outputs(platform: &Path, env: &str, threads: &str) -> (Vec<u8>, Trees) {
    let stream = genk8s(threads).args(["build", env, "-p"]).arg(platform).output().unwrap();
    assert!(stream.status.success(), "{}", String::from_utf8_lossy(&stream.stderr));
    let t = tempfile::tempdir().unwrap();
    let out = t.path().join("out");
    let all = genk8s(threads).args(["build", "--all", "-p"]).arg(platform).arg("-o").arg(&out).output().unwrap();
    if !all.status.success() {
        return (stream.stdout, Err((all.status.code(), all.stderr)));
    }
    (stream.stdout, Ok(files(&out)))
}

#[test]
fn bundled_platforms_build_the_same_bytes_in_one_thread_and_in_many() {
    for entry in std::fs::read_dir("platforms").unwrap() {
        let dir = entry.unwrap().path();
        let (one_stream, one_trees) = outputs(&dir, "prod", "1");
        let (many_stream, many_trees) = outputs(&dir, "prod", "7");
        assert!(one_stream.len() > 1000, "{}: something was built", dir.display());
        assert!(one_stream == many_stream, "{}: the stream differs between 1 and 7 threads", dir.display());
        match (one_trees, many_trees) {
            (Ok(one), Ok(many)) => {
                assert!(one.len() > 3, "{}", dir.display());
                assert_eq!(one.keys().collect::<Vec<_>>(), many.keys().collect::<Vec<_>>(), "{}", dir.display());
                for (name, bytes) in &one {
                    assert!(bytes == &many[name], "{}: {name} differs between 1 and 7 threads", dir.display());
                }
            }
            // Some bundled platforms define a cluster-scoped object per environment: refused alike.
            (Err(one), Err(many)) => assert_eq!(one, many, "{}", dir.display()),
            (one, many) => panic!("{}: 1 thread: {:?}, 7 threads: {:?}", dir.display(), one.is_ok(), many.is_ok()),
        }
    }
}

/// Forty services (so runs of services go to different threads), one database, and
/// patches on objects of services at both ends, which every run must see applied once.
fn many_services(dir: &Path) {
    let mut base = String::from("platform: many\ndatabases:\n  db: {engine: postgres}\nservices:\n");
    for i in 0..40 {
        base.push_str(&format!(
            "  s{i:02}: {{image: registry.example.com/s{i:02}:1.0.0, ports: {{http: 8080}}, uses: [db], replicas: 2}}\n"
        ));
    }
    base.push_str("patches:\n  Deployment/s00: {merge: {spec: {revisionHistoryLimit: 3}}}\n");
    base.push_str("  Deployment/s39: {merge: {spec: {revisionHistoryLimit: 4}}}\n");
    common::write(dir, &base);
}

#[test]
fn many_services_with_patches_build_the_same_bytes_in_one_thread_and_in_many() {
    let t = tempfile::tempdir().unwrap();
    many_services(t.path());
    let (one_stream, one_trees) = outputs(t.path(), "dev", "1");
    let text = String::from_utf8(one_stream.clone()).unwrap();
    assert_eq!(text.matches("revisionHistoryLimit: 3\n").count(), 1, "the first service's patch applied once");
    assert_eq!(text.matches("revisionHistoryLimit: 4\n").count(), 1, "the last service's patch applied once");
    assert_eq!(text.matches("\nkind: Deployment\n").count(), 40);
    for threads in ["2", "3", "16"] {
        let (stream, trees) = outputs(t.path(), "dev", threads);
        assert!(stream == one_stream, "the stream differs between 1 and {threads} threads");
        assert!(trees == one_trees, "the trees differ between 1 and {threads} threads");
    }
}

#[test]
fn a_patch_that_matches_nothing_is_the_same_error_in_one_thread_and_in_many() {
    let t = tempfile::tempdir().unwrap();
    many_services(t.path());
    let base = std::fs::read_to_string(t.path().join("platform.yaml")).unwrap();
    std::fs::write(t.path().join("platform.yaml"), base + "  Deployment/nope: {merge: {spec: {paused: true}}}\n")
        .unwrap();
    let run = |threads: &str| genk8s(threads).args(["build", "dev", "-p"]).arg(t.path()).output().unwrap();
    let (one, many) = (run("1"), run("5"));
    assert_eq!(one.status.code(), Some(2));
    assert_eq!(many.status.code(), Some(2));
    let err = String::from_utf8_lossy(&one.stderr);
    assert!(err.contains("patch `Deployment/nope` matches no generated object"), "{err}");
    assert_eq!(one.stderr, many.stderr);
}

/// `lint` runs the NetworkPolicy evaluator beside the other rules: its report is the same in
/// one thread and in many, on every bundled platform (findings and suppressions included).
#[test]
fn lint_reports_the_same_in_one_thread_and_in_many() {
    for entry in std::fs::read_dir("platforms").unwrap() {
        let dir = entry.unwrap().path();
        let run = |threads: &str| genk8s(threads).args(["lint", "prod", "-p"]).arg(&dir).output().unwrap();
        let (one, many) = (run("1"), run("4"));
        let text = String::from_utf8_lossy(&one.stdout);
        assert!(text.contains("finding(s) at or above"), "{}: {text}", dir.display());
        assert_eq!(one.status.code(), many.status.code(), "{}", dir.display());
        assert!(one.stdout == many.stdout, "{}: the report differs between 1 and 4 threads", dir.display());
    }
}
