//! Target clusters: the `kubernetes:` setting, spec warnings on build and lint, and the
//! bundled platforms on what current clusters run (errors are pinned in tests/bad/).

use assert_cmd::Command;
use std::path::Path;

fn platform(dir: &Path, base: &str) {
    std::fs::create_dir_all(dir.join("environments")).unwrap();
    std::fs::write(dir.join("platform.yaml"), base).unwrap();
    std::fs::write(dir.join("environments/dev.yaml"), "namespace: c-dev\n").unwrap();
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("genk8s").unwrap().args(args).arg("-p").arg(dir).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

const SPEC: &str = "platform: c
domain: c.example.com
ingress: {class: nginx}
services:
  api:
    image: x/api:1.0
    ports: {http: 8080}
    ingress:
      hosts: [api]
      annotations: {kubernetes.io/ingress.class: nginx}
";

#[test]
fn a_deprecated_annotation_warns_on_build_and_fails_lint() {
    let t = tempfile::tempdir().unwrap();
    platform(t.path(), SPEC);
    let (code, out, err) = run(t.path(), &["build", "dev"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("kind: Ingress"), "{out}");
    let file = t.path().join("platform.yaml");
    let warning = format!(
        "warning: {}:10:21: the annotation `kubernetes.io/ingress.class` is deprecated \
         (set `class:` under ingress instead: genk8s writes it as spec.ingressClassName)",
        file.display()
    );
    assert_eq!(err.trim_end(), warning);

    let (code, out, _) = run(t.path(), &["lint", "dev"]);
    assert_eq!(code, 1, "{out}");
    let finding = format!("dev: spec [GK013 warning] {}", warning.trim_start_matches("warning: "));
    assert!(out.lines().any(|l| l == finding), "{out}");
    let (code, _, _) = run(t.path(), &["lint", "dev", "--fail-on", "error"]);
    assert_eq!(code, 0);
}

#[test]
fn every_supported_target_gives_the_same_output() {
    let t = tempfile::tempdir().unwrap();
    let spec = "platform: c\nservices:\n  api: {image: x/api:1.0, ports: {http: 8080}}\n";
    platform(t.path(), spec);
    let (code, default, err) = run(t.path(), &["build", "dev"]);
    assert_eq!(code, 0, "{err}");
    for minor in ["1.35", "1.36", "1.37"] {
        platform(t.path(), &format!("{spec}kubernetes: \"{minor}\"\n"));
        let (code, out, err) = run(t.path(), &["build", "dev"]);
        assert_eq!((code, err.as_str()), (0, ""), "{minor}");
        assert_eq!(out, default, "{minor}");
        let (code, out, _) = run(t.path(), &["explain", "dev", "kubernetes"]);
        assert_eq!(code, 0);
        assert!(out.contains(minor), "{out}");
    }
}

#[test]
fn overlays_set_the_target_and_explain_shows_the_default() {
    let t = tempfile::tempdir().unwrap();
    platform(t.path(), "platform: c\nservices:\n  api: {image: x/api:1.0, ports: {http: 8080}}\n");
    let (code, out, _) = run(t.path(), &["explain", "dev", "kubernetes"]);
    assert_eq!(code, 0);
    assert!(out.contains("genk8s default: 1.35"), "{out}");
    std::fs::write(t.path().join("environments/dev.yaml"), "namespace: c-dev\nkubernetes: \"1.33\"\n").unwrap();
    let (code, out, err) = run(t.path(), &["build", "dev"]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("dev.yaml:2:13: Kubernetes 1.33 is not supported"), "{err}");
}

#[test]
fn bundled_platforms_keep_what_current_clusters_do() {
    let awe = std::fs::read_to_string("snapshots/ai-workflow-engine/prod.yaml").unwrap();
    assert!(awe.contains("provisioner: ebs.csi.aws.com") && !awe.contains("kubernetes.io/aws-ebs"));
    // The seed's nginx Ingress became a Gateway; no annotation ingress-nginx lacks is left.
    assert!(awe.contains("kind: Gateway\n") && !awe.contains("/rate-limit"));
    let imutis = std::fs::read_to_string("snapshots/ai-imutis/prod.yaml").unwrap();
    assert!(!imutis.contains("snippet"), "ai-imutis still writes a snippet annotation");
    // The API's NetworkPolicy lets it reach the OTLP endpoint its env names (observability.otel).
    let api_policy = imutis
        .split("---\n")
        .find(|d| d.contains("kind: NetworkPolicy") && d.contains("name: api\n"))
        .expect("ai-imutis has a NetworkPolicy for the api");
    assert!(api_policy.contains("port: 4317"), "{api_policy}");
    assert!(imutis.contains(
        "- name: OTEL_EXPORTER_OTLP_ENDPOINT\n          value: http://jaeger-collector.observability:4317\n"
    ));
}
