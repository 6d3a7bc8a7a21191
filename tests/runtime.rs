//! What the API server, the kubelet and the cluster do with the output across edits:
//! immutable fields, migration Jobs, backups, pruning labels, probes and shutdown.
//! Output is read back with genk8s's own YAML loader.

use assert_cmd::Command;
use genk8s::yaml::{Node, parse};
use std::path::Path;

fn write(dir: &Path, base: &str) {
    std::fs::create_dir_all(dir.join("environments")).unwrap();
    std::fs::write(dir.join("platform.yaml"), base).unwrap();
    std::fs::write(dir.join("environments/dev.yaml"), "namespace: t-dev\n").unwrap();
}

fn build(dir: &Path) -> Vec<Node> {
    let out = Command::cargo_bin("genk8s").unwrap().args(["build", "dev", "-p"]).arg(dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    text.split("---\n").filter(|d| !d.trim().is_empty()).map(|d| parse(d, 0).unwrap()).collect()
}

fn of_kind<'a>(objs: &'a [Node], kind: &str) -> Vec<&'a Node> {
    objs.iter().filter(|o| path(o, &["kind"]) == Some(kind)).collect()
}

fn path<'a>(n: &'a Node, p: &[&str]) -> Option<&'a str> {
    p.iter().try_fold(n, |n, k| n.get(k)).and_then(Node::as_str)
}

const APP: &str = r#"
platform: t
services:
  api:
    image: x/api:1
    ports: {http: 8080}
    env: {LOG_LEVEL: info}
    uses: [db]
    migrate: {command: [migrate, up], job: true}
databases:
  db: {engine: postgres}
"#;

fn job_name(objs: &[Node]) -> String {
    let jobs = of_kind(objs, "Job");
    assert_eq!(jobs.len(), 1);
    path(jobs[0], &["metadata", "name"]).unwrap().to_string()
}

#[test]
fn any_edit_of_the_migration_pod_gives_a_new_job_name() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), APP);
    let first = job_name(&build(t.path()));
    assert_eq!(first, job_name(&build(t.path())), "the same spec keeps its Job");
    for edit in [
        APP.replace("LOG_LEVEL: info", "LOG_LEVEL: debug"),
        APP.replace("ports: {http: 8080}", "ports: {http: 8080}\n    resources: {cpu: 1, memory: 1Gi}"),
        APP.replace("uses: [db]", "uses: [db, cache]")
            .replace("databases:\n", "databases:\n  cache: {engine: redis}\n"),
    ] {
        write(t.path(), &edit);
        assert_ne!(job_name(&build(t.path())), first, "a changed pod template is a new Job:\n{edit}");
    }
}

fn genk8s(args: &[&str], dir: &Path) -> (Option<i32>, String) {
    let out = Command::cargo_bin("genk8s").unwrap().args(args).arg("-p").arg(dir).output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

#[test]
fn diff_and_check_name_changes_the_api_server_would_reject() {
    let t = tempfile::tempdir().unwrap();
    let (plat, deploy) = (t.path().join("p"), t.path().join("deploy"));
    let base =
        APP.replace("    env: {LOG_LEVEL: info}\n", "    volumes: {data: {path: /data, size: 10Gi, class: ssd}}\n");
    write(&plat, &base);
    let (code, _) = genk8s(&["build", "dev", "-o", deploy.to_str().unwrap()], &plat);
    assert_eq!(code, Some(0));
    write(&plat, &base.replace("size: 10Gi, class: ssd", "size: 5Gi, class: standard"));
    let (code, out) = genk8s(&["diff", "dev", deploy.to_str().unwrap(), "--color", "never"], &plat);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("2 change(s) the API server would reject (immutable fields):\n"), "{out}");
    assert!(out.contains("  rejected PersistentVolumeClaim/api-data: spec.storageClassName cannot change once the object exists; create a claim under a new name and copy the data, or keep the old value\n"), "{out}");
    assert!(
        out.contains(
            "  rejected PersistentVolumeClaim/api-data: spec.resources.requests.storage a claim cannot shrink;"
        ),
        "{out}"
    );
    let (code, out) = genk8s(&["build", "dev", "-o", deploy.to_str().unwrap(), "--check"], &plat);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("rejected PersistentVolumeClaim/api-data: spec.storageClassName"), "{out}");

    write(&plat, &base.replace("size: 10Gi", "size: 20Gi"));
    let (code, out) = genk8s(&["diff", "dev", deploy.to_str().unwrap(), "--color", "never"], &plat);
    assert_eq!(code, Some(1), "{out}");
    assert!(!out.contains("rejected"), "a claim may grow: {out}");
}

#[test]
fn the_readme_lists_every_immutable_field() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    assert!(readme.contains(&genk8s::immutable::table()), "README's immutable field table is out of date");
}
