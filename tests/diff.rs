//! `genk8s diff` and `genk8s build --check`: run the binary on a small platform,
//! write its tree, change the spec or the tree, and check the verdict.

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const PLATFORM: &str = "\
platform: demo
services:
  api:
    image: ghcr.io/acme/api:1.0
    ports: {http: 8080}
    replicas: 3
    env: {LOG_LEVEL: info, MODE: fast}
  worker:
    image: ghcr.io/acme/worker:1.0
";

/// A platform folder (environments dev and prod) and an output folder beside it.
struct Fixture {
    tmp: TempDir,
}

impl Fixture {
    fn new() -> Fixture {
        let tmp = TempDir::new().unwrap();
        fs::create_dir_all(tmp.path().join("spec/environments")).unwrap();
        fs::write(tmp.path().join("spec/platform.yaml"), PLATFORM).unwrap();
        fs::write(tmp.path().join("spec/environments/dev.yaml"), "services: {api: {replicas: 1}}\n").unwrap();
        fs::write(tmp.path().join("spec/environments/prod.yaml"), "namespace: demo-prod\n").unwrap();
        Fixture { tmp }
    }

    fn spec(&self) -> PathBuf {
        self.tmp.path().join("spec")
    }

    fn out(&self) -> PathBuf {
        self.tmp.path().join("out")
    }

    /// Rewrites platform.yaml with `from` replaced by `to`.
    fn edit(&self, from: &str, to: &str) {
        let p = self.spec().join("platform.yaml");
        let text = fs::read_to_string(&p).unwrap();
        assert!(text.contains(from), "platform.yaml has no {from:?}");
        fs::write(&p, text.replacen(from, to, 1)).unwrap();
    }

    /// Runs genk8s with `args` followed by `-p SPEC`; returns (exit code, stdout).
    fn run(&self, args: &[&str]) -> (i32, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_genk8s")).args(args).arg("-p").arg(self.spec()).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        let code = out.status.code().unwrap();
        assert!(code == 2 || stderr.is_empty(), "unexpected stderr: {stderr}");
        (code, String::from_utf8(out.stdout).unwrap())
    }

    /// `genk8s build prod -o OUT`, which must succeed.
    fn write_prod(&self) {
        assert_eq!(self.run(&["build", "prod", "-o", &path(&self.out())]).0, 0);
    }

    /// `genk8s diff prod OUT [extra…]`.
    fn diff_prod(&self, extra: &[&str]) -> (i32, String) {
        let out = path(&self.out());
        let mut args = vec!["diff", "prod", out.as_str()];
        args.extend(extra);
        self.run(&args)
    }
}

fn path(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

/// Every file directly in `dir`, name → content.
fn snapshot(dir: &Path) -> BTreeMap<String, String> {
    let Ok(entries) = fs::read_dir(dir) else { return BTreeMap::new() };
    entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), fs::read_to_string(&p).unwrap()))
        .collect()
}

#[test]
fn identical_tree_is_no_drift() {
    let f = Fixture::new();
    f.write_prod();
    let (code, out) = f.diff_prod(&[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(": no drift ("), "{out}");
    assert!(!out.contains("@@"), "no unified diff when nothing differs: {out}");
}

#[test]
fn changed_field_is_named_with_old_and_new_values_and_nothing_is_written() {
    let f = Fixture::new();
    f.write_prod();
    f.edit("replicas: 3", "replicas: 5");
    let before = snapshot(&f.out());
    let (code, out) = f.diff_prod(&[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("drift: 0 added, 0 removed, 1 changed"), "{out}");
    assert!(out.contains("Deployment/api: spec.replicas 3 → 5\n"), "{out}");
    assert!(out.contains("--- a/deployment-api.yaml\n+++ b/deployment-api.yaml\n@@ "), "{out}");
    assert!(out.contains("\n-  replicas: 3\n+  replicas: 5\n"), "{out}");
    assert_eq!(snapshot(&f.out()), before, "diff writes nothing");
}

#[test]
fn nested_list_items_are_named_in_the_path() {
    let f = Fixture::new();
    f.write_prod();
    f.edit("LOG_LEVEL: info", "LOG_LEVEL: debug");
    let (code, out) = f.diff_prod(&[]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("Deployment/api: spec.template.spec.containers[api].env[LOG_LEVEL].value info → debug\n"),
        "{out}"
    );
}

#[test]
fn added_and_removed_objects() {
    let f = Fixture::new();
    f.write_prod();
    // Add a service `web` and remove the service `worker`.
    f.edit(
        "  worker:\n    image: ghcr.io/acme/worker:1.0\n",
        "  web:\n    image: ghcr.io/acme/web:1.0\n    ports: {http: 3000}\n",
    );
    let (code, out) = f.diff_prod(&[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("  added    Deployment/web (deployment-web.yaml)\n"), "{out}");
    assert!(out.contains("  added    Service/web (service-web.yaml)\n"), "{out}");
    assert!(out.contains("  removed  Deployment/worker (deployment-worker.yaml)\n"), "{out}");
    assert!(out.contains("--- /dev/null\n+++ b/service-web.yaml\n"), "{out}");
    assert!(out.contains("--- a/deployment-worker.yaml\n+++ /dev/null\n"), "{out}");
    // Added objects come before removed ones, removed before changed.
    let added = out.find("  added ").unwrap();
    let removed = out.find("  removed ").unwrap();
    let changed = out.find("  changed ").unwrap();
    assert!(added < removed && removed < changed, "{out}");
}

#[test]
fn stale_owned_file_is_drift_until_build_removes_it() {
    let f = Fixture::new();
    f.write_prod();
    // A file a previous genk8s run wrote (listed in its kustomization.yaml) that this build does not produce.
    let kz = f.out().join("kustomization.yaml");
    fs::write(&kz, fs::read_to_string(&kz).unwrap() + "- configmap-old.yaml\n").unwrap();
    fs::write(f.out().join("configmap-old.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: old\n").unwrap();
    let (code, out) = f.diff_prod(&[]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("  removed  ConfigMap/old (configmap-old.yaml)\n"), "{out}");
    assert!(f.out().join("configmap-old.yaml").exists(), "diff removes nothing");
    f.write_prod();
    assert!(!f.out().join("configmap-old.yaml").exists());
    assert_eq!(f.diff_prod(&[]).0, 0);
}

#[test]
fn files_genk8s_did_not_write_are_not_drift() {
    let f = Fixture::new();
    f.write_prod();
    fs::write(f.out().join("NOTES.md"), "mine\n").unwrap();
    fs::write(f.out().join("extra.yaml"), "kind: ConfigMap\nmetadata: {name: extra}\n").unwrap();
    let (code, out) = f.diff_prod(&[]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("no drift"), "{out}");
    assert!(!out.contains("extra") && !out.contains("NOTES"), "{out}");
}

#[test]
fn colour_follows_the_terminal_and_the_flag() {
    let f = Fixture::new();
    f.write_prod();
    f.edit("replicas: 3", "replicas: 5");
    for flags in [&[][..], &["--color", "auto"], &["--color", "never"]] {
        let (code, out) = f.diff_prod(flags);
        assert_eq!(code, 1);
        assert!(!out.contains("\x1b["), "no colour when piped ({flags:?}): {out:?}");
    }
    let (code, out) = f.diff_prod(&["--color", "always"]);
    assert_eq!(code, 1);
    assert!(out.contains("\x1b[31m-  replicas: 3\x1b[0m\n"), "removed lines red: {out:?}");
    assert!(out.contains("\x1b[32m+  replicas: 5\x1b[0m\n"), "added lines green: {out:?}");
    assert!(out.contains("\x1b[36m@@ "), "hunk headers cyan: {out:?}");
    assert!(!out.lines().next().unwrap().contains('\x1b'), "the summary stays plain: {out:?}");
}

#[test]
fn all_compares_every_environment_with_its_folder() {
    let f = Fixture::new();
    let out = path(&f.out());
    assert_eq!(f.run(&["build", "--all", "-o", &out]).0, 0);
    let (code, text) = f.run(&["diff", "--all", &out]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(text.matches("no drift").count(), 2, "{text}");

    fs::write(f.spec().join("environments/prod.yaml"), "namespace: demo-prod\nservices: {api: {replicas: 4}}\n")
        .unwrap();
    let (code, text) = f.run(&["diff", "--all", &out]);
    assert_eq!(code, 1, "{text}");
    let dev = format!("{}: no drift", f.out().join("dev").display());
    let prod = format!("{}: drift: 0 added, 0 removed, 1 changed", f.out().join("prod").display());
    assert!(text.contains(&dev) && text.contains(&prod), "{text}");
    assert!(text.contains("Deployment/api: spec.replicas 3 → 4\n"), "{text}");
}

#[test]
fn build_check_gives_the_verdict_without_writing() {
    let f = Fixture::new();
    let out = path(&f.out());
    // Nothing written yet: everything would be added, and --check creates nothing.
    let (code, text) = f.run(&["build", "prod", "-o", &out, "--check"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("  added    Deployment/api (deployment-api.yaml)\n"), "{text}");
    assert!(!f.out().exists(), "--check writes nothing");

    f.write_prod();
    let (code, text) = f.run(&["build", "prod", "-o", &out, "--check"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("no drift"), "{text}");

    f.edit("replicas: 3", "replicas: 5");
    let before = snapshot(&f.out());
    let (code, text) = f.run(&["build", "prod", "-o", &out, "--check"]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("Deployment/api: spec.replicas 3 → 5\n"), "{text}");
    assert!(!text.contains("@@"), "--check prints the summary only: {text}");
    assert_eq!(snapshot(&f.out()), before, "--check writes nothing");

    let (code, text) = f.run(&["build", "--all", "-o", &out, "--check"]);
    assert_eq!(code, 1, "{text}");
    assert!(!f.out().join("dev").exists(), "--all --check writes nothing");
}

#[test]
fn bad_input_exits_2() {
    let f = Fixture::new();
    let out = path(&f.out());
    assert_eq!(f.run(&["diff", "nope", &out]).0, 2, "unknown environment");
    assert_eq!(f.run(&["diff", "prod"]).0, 2, "DIR is required");
    assert_eq!(f.run(&["diff", "prod", &out, "--color", "sometimes"]).0, 2);
    assert_eq!(f.run(&["build", "prod", "--check"]).0, 2, "--check needs -o");
    fs::create_dir_all(f.out()).unwrap();
    fs::write(f.out().join("kustomization.yaml"), "resources: []\n").unwrap();
    assert_eq!(f.run(&["diff", "prod", &out]).0, 2, "a kustomization.yaml genk8s did not write");
}
