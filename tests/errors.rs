//! Errors that point at the right place and say it once: runs of the binary over
//! several environments, where one mistake in the base must be reported once.

use assert_cmd::Command;

fn platform(base: &str, envs: &[(&str, &str)]) -> tempfile::TempDir {
    let t = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(t.path().join("environments")).unwrap();
    std::fs::write(t.path().join("platform.yaml"), base).unwrap();
    for (env, text) in envs {
        std::fs::write(t.path().join(format!("environments/{env}.yaml")), text).unwrap();
    }
    t
}

fn build_all(t: &tempfile::TempDir) -> (Option<i32>, String) {
    let out = Command::cargo_bin("genk8s")
        .unwrap()
        .args(["build", "--all", "-p"])
        .arg(t.path())
        .arg("-o")
        .arg(t.path().join("out"))
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}

fn errors(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.starts_with("error: ")).collect()
}

#[test]
fn a_mistake_in_the_base_is_reported_once_naming_the_environments() {
    let base = "platform: demo\nnamespace: kube-system\nservices:\n  api:\n    image: ghcr.io/acme/api:latest\n    uses: [dbb]\n";
    let t = platform(base, &[("dev", ""), ("staging", ""), ("prod", "")]);
    let (code, err) = build_all(&t);
    assert_eq!(code, Some(2));
    let p = t.path().join("platform.yaml").display().to_string();
    assert_eq!(
        errors(&err),
        [
            format!(
                "error: {p}:2:12: namespace `kube-system` belongs to the cluster; genk8s would relabel it and deny its traffic (environments dev, prod, staging)"
            ),
            format!("error: {p}:5:12: image `ghcr.io/acme/api:latest` uses the `latest` tag in environment `prod`"),
            format!(
                "error: {p}:6:12: `dbb` is not a service or database of this platform (environments dev, prod, staging)"
            ),
        ]
    );
    assert!(err.contains("e.g. `namespace: demo-<env>`"), "the help is written for every environment: {err}");
    assert!(err.ends_with("3 problems found; nothing was written\n"), "{err}");
    assert!(!t.path().join("out").exists());
}

#[test]
fn a_mistake_in_some_environments_names_only_those() {
    let base = "platform: demo\nservices:\n  api:\n    image: ghcr.io/acme/api:1.0\n";
    let over = "services:\n  api:\n    replicas: 2\n    pdb: {min_available: 3}\n";
    let t = platform(base, &[("dev", ""), ("staging", over), ("prod", "")]);
    let (code, err) = build_all(&t);
    assert_eq!(code, Some(2));
    let e = errors(&err);
    assert_eq!(e.len(), 1, "{err}");
    assert!(
        e[0].ends_with(
            "staging.yaml:4:26: min_available 3 is more than the 2 replica(s) of this service (environment staging)"
        ),
        "{err}"
    );
}

#[test]
fn a_single_environment_run_adds_no_environment_names() {
    let base = "platform: demo\nservices:\n  api:\n    image: ghcr.io/acme/api:1.0\n    uses: [dbb]\n";
    let t = platform(base, &[("dev", ""), ("prod", "")]);
    let out = Command::cargo_bin("genk8s").unwrap().args(["build", "dev", "-p"]).arg(t.path()).output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(errors(&err)[0].ends_with("`dbb` is not a service or database of this platform"), "{err}");
}

#[test]
fn production_rules_follow_the_setting_and_default_from_the_name() {
    let base = "platform: demo\nservices:\n  api:\n    image: ghcr.io/acme/api:latest\n";
    let t = platform(base, &[("dev", ""), ("live", "production: true\n"), ("prod", "production: false\n")]);
    let (code, err) = build_all(&t);
    assert_eq!(code, Some(2));
    assert_eq!(errors(&err).len(), 1, "{err}");
    assert!(
        errors(&err)[0].ends_with("image `ghcr.io/acme/api:latest` uses the `latest` tag in environment `live`"),
        "{err}"
    );
    let t = platform(base, &[("prod", ""), ("prod-eu", "")]);
    let (code, err) = build_all(&t);
    assert_eq!(code, Some(2));
    assert_eq!(
        errors(&err),
        [format!(
            "error: {}:4:12: image `ghcr.io/acme/api:latest` uses the `latest` tag in environment `<env>` (environments prod, prod-eu)",
            t.path().join("platform.yaml").display()
        )],
        "prod and prod-* are production by default, and one base problem is reported once"
    );
}

/// Egress to the API server and to declared hosts goes to the addresses the spec names.
#[test]
fn api_server_and_host_addresses_narrow_egress() {
    let base = "platform: demo\napi_server: {cidrs: [10.0.0.1/32], ports: [443]}\nservices:\n  operator:\n    image: ghcr.io/acme/operator:1.0\n    access: [\"get,list configmaps\"]\n    egress: [{host: api.stripe.com, cidrs: [3.18.12.0/24], ports: [443]}]\n";
    let t = platform(base, &[("dev", "")]);
    let out = Command::cargo_bin("genk8s").unwrap().args(["build", "dev", "-p"]).arg(t.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let policy =
        text.split("---\n").find(|d| d.contains("kind: NetworkPolicy") && d.contains("name: operator\n")).unwrap();
    assert!(
        policy.contains(
            "  - ports:\n    - port: 443\n      protocol: TCP\n    to:\n    - ipBlock:\n        cidr: \"10.0.0.1/32\"\n"
        ),
        "{policy}"
    );
    assert!(policy.contains("    to:\n    - ipBlock:\n        cidr: \"3.18.12.0/24\"\n"), "{policy}");
    assert!(!policy.contains("port: 6443"), "the spec's ports replace the default: {policy}");
    assert_eq!(policy.matches("ipBlock").count(), 2, "no rule to any address is left: {policy}");
}
