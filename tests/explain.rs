//! `genk8s explain`: merged values with the file:line:col they came from.

use assert_cmd::Command;

const BASE: &str = "platform: e
services:
  api:
    image: x/api:1
    ports: {http: 8080}
    replicas: 3
    autoscale: {min: 3, max: 6, cpu: 70}
  web:
    image: x/web:1
    replicas: 2
";

fn explain(args: &[&str]) -> (i32, String, String) {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join("environments")).unwrap();
    std::fs::write(t.path().join("platform.yaml"), BASE).unwrap();
    std::fs::write(
        t.path().join("environments/dev.yaml"),
        "namespace: e-dev\nservices:\n  api: {replicas: 1, autoscale: null}\n",
    )
    .unwrap();
    std::fs::write(t.path().join("environments/prod.yaml"), "services:\n  web: {replicas: 5}\n").unwrap();
    let out = Command::cargo_bin("genk8s").unwrap().arg("explain").args(args).arg("-p").arg(t.path()).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn a_value_names_the_file_that_set_it() {
    let (code, out, _) = explain(&["dev", "services.api.replicas"]);
    assert_eq!(code, 0);
    assert_eq!(out, "services.api.replicas: 1    # environments/dev.yaml:3:19\n");
    let (_, out, _) = explain(&["prod", "services.api.autoscale.min"]);
    assert_eq!(out, "services.api.autoscale.min: 3    # platform.yaml:7:22\n");
    let (_, out, _) = explain(&["prod", "services.web.replicas"]);
    assert_eq!(out, "services.web.replicas: 5    # environments/prod.yaml:2:19\n");
}

#[test]
fn unset_values_show_the_default_and_typos_a_suggestion() {
    let (code, out, _) = explain(&["prod", "services.web.run_as_user"]);
    assert_eq!(code, 0);
    assert_eq!(out, "services.web.run_as_user: not set in the base or the environment; genk8s default: 10001\n");
    let (code, _, err) = explain(&["prod", "services.web.replica"]);
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `replicas`?"), "{err}");
    let (code, _, err) = explain(&["qa"]);
    assert_eq!(code, 2);
    assert!(err.contains("environments: dev, prod"), "{err}");
}

#[test]
fn the_whole_spec_is_annotated_and_deleted_values_are_gone() {
    let (code, out, _) = explain(&["dev"]);
    assert_eq!(code, 0);
    assert!(out.starts_with("platform: e    # platform.yaml:1:11\n"), "{out}");
    assert!(out.contains("namespace: e-dev    # environments/dev.yaml:1:12"), "{out}");
    assert!(!out.contains("autoscale"), "autoscale: null in dev removes it: {out}");
    let (_, out, _) = explain(&["prod"]);
    assert!(out.contains("    autoscale:\n      min: 3    # platform.yaml:7:22"), "{out}");
}

#[test]
fn unset_fields_answer_the_default_that_applies_and_ignored_values_say_so() {
    let (code, out, _) = explain(&["prod", "services.api.replicas"]);
    assert_eq!(code, 0);
    assert_eq!(
        out,
        "services.api.replicas: 3    # platform.yaml:6:15 (ignored: autoscale is set, so the HorizontalPodAutoscaler owns replicas, starting at autoscale.min)\n"
    );
    let (_, out, _) = explain(&["dev", "services.api.replicas"]);
    assert_eq!(out, "services.api.replicas: 1    # environments/dev.yaml:3:19\n", "dev deletes autoscale");
    let (_, out, _) = explain(&["prod", "services.web.probes.liveness.period"]);
    assert_eq!(
        out,
        "services.web.probes.liveness.period: not set in the base or the environment; genk8s default: 10 (Kubernetes' default)\n"
    );
    let (code, _, err) = explain(&["prod", "services.wbe.probes.liveness.period"]);
    assert_eq!(code, 2, "a service that does not exist has no defaults");
    assert!(err.contains("did you mean `web`?"), "{err}");
}

#[test]
fn database_defaults_come_from_its_engine() {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join("environments")).unwrap();
    std::fs::write(t.path().join("platform.yaml"), "platform: e\ndatabases:\n  db: {engine: redis}\n").unwrap();
    std::fs::write(t.path().join("environments/dev.yaml"), "").unwrap();
    let run = |path: &str| {
        let out =
            Command::cargo_bin("genk8s").unwrap().args(["explain", "dev", path, "-p"]).arg(t.path()).output().unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    assert_eq!(
        run("databases.db.storage"),
        "databases.db.storage: not set in the base or the environment; genk8s default: size 5Gi (engine `redis`), the cluster's default StorageClass\n"
    );
    assert_eq!(
        run("databases.db.version"),
        "databases.db.version: not set in the base or the environment; genk8s default: 7-alpine (engine `redis`)\n"
    );
}
