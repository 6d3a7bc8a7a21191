//! `genk8s import kubernetes`: runs the binary on the manifests of the seed
//! documents (tests/fixtures/kube/<seed>/, extracted from their YAML blocks) and
//! checks that the imported platform builds, that every input field is accounted
//! for (native, carried or reported with its place), and that no Secret value is copied.

use assert_cmd::Command;
use std::fs;
use std::path::Path;
use tempfile::TempDir;

mod common;

/// The seeds' manifests, and one in the shape of `helm template` output.
const SEEDS: &[&str] = &["ai-workflow-engine", "workflow-automation", "flexdesk", "helm-web"];

fn genk8s() -> Command {
    Command::new(env!("CARGO_BIN_EXE_genk8s"))
}

/// Imports `tests/fixtures/kube/<seed>` into a new folder; returns it and stderr.
fn import(seed: &str) -> (TempDir, String) {
    let tmp = TempDir::new().unwrap();
    let out = genk8s()
        .args(["import", "kubernetes", &format!("tests/fixtures/kube/{seed}"), "-o"])
        .arg(tmp.path().join("p"))
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{seed}: {stderr}");
    (tmp, stderr)
}

/// The numbers of the summary line: (total, native, carried, reported).
fn tally(stderr: &str) -> (usize, usize, usize, usize) {
    let line = stderr.lines().find(|l| l.starts_with("imported ")).expect("a summary line");
    let num = |after: &str| -> usize {
        let rest = &line[line.find(after).unwrap_or_else(|| panic!("{after} in {line}")) + after.len()..];
        rest.split(|c: char| !c.is_ascii_digit()).next().unwrap().parse().unwrap()
    };
    let total: usize = line.split(": ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
    (total, num("fields: "), num("native, "), num("carried (objects/patches), "))
}

#[test]
fn every_seed_imports_into_a_platform_that_builds() {
    for seed in SEEDS {
        let (tmp, stderr) = import(seed);
        assert!(!stderr.contains("does not build"), "{seed}: {stderr}");
        let dir = tmp.path().join("p");
        let built = genk8s().args(["build", "imported", "-p"]).arg(&dir).output().unwrap();
        assert!(built.status.success(), "{seed}: {}", String::from_utf8_lossy(&built.stderr));
        let (total, native, carried, reported) = tally(&stderr);
        assert_eq!(native + carried + reported, total, "{seed}: {stderr}");
        assert!(native * 2 > total, "{seed}: most fields should be native: {stderr}");
        // What the patches carry is there when the platform is built again.
        if stderr.contains("\ncarried: ") {
            assert!(stderr.contains("\nverified: "), "{seed}: {stderr}");
        }
        // Every reported field is named with the place it was written.
        for l in stderr.lines().filter(|l| l.starts_with("reported: ")) {
            assert!(l.contains(&format!("tests/fixtures/kube/{seed}/")), "{l}");
        }
    }
}

#[test]
fn flexdesk_becomes_one_service_with_its_objects_folded_in() {
    let (tmp, stderr) = import("flexdesk");
    let spec = fs::read_to_string(tmp.path().join("p/platform.yaml")).unwrap();
    let node = genk8s::yaml::parse(&spec, 0).unwrap();
    let svc = node.get("services").and_then(|s| s.get("flexdesk-backend")).expect("the service");
    let get = |path: &[&str]| path.iter().try_fold(svc, |n, k| n.get(k)).and_then(|n| n.as_str()).map(str::to_string);
    assert_eq!(get(&["service_name"]).as_deref(), Some("flexdesk-backend-service"));
    assert_eq!(get(&["ports", "http", "service"]).as_deref(), Some("80"));
    assert_eq!(get(&["autoscale", "max"]).as_deref(), Some("10"));
    assert_eq!(get(&["pdb", "min_available"]).as_deref(), Some("2"));
    assert_eq!(get(&["metrics", "path"]).as_deref(), Some("/api/v2/metrics"));
    assert_eq!(get(&["probes", "startup", "failure_threshold"]).as_deref(), Some("30"));
    assert_eq!(get(&["ingress", "hosts"]), None, "a list, not a scalar");
    // The class every Ingress shares is the platform's.
    assert_eq!(node.get("ingress").and_then(|i| i.get("class")).and_then(|c| c.as_str()), Some("alb"));
    // The Secret is a reference: its name is listed, its values are nowhere.
    assert!(spec.contains("flexdesk-secrets: DB_CONNECTION_STRING, JWT_SECRET, REDIS_PASSWORD"), "{spec}");
    assert!(!spec.contains("base64-encoded"), "{spec}");
    assert!(
        stderr.contains("reported: tests/fixtures/kube/flexdesk/01-secret.yaml:3:1: Secret/flexdesk-secrets: values are never copied"),
        "{stderr}"
    );
    let secrets = genk8s().args(["secrets", "imported", "-p"]).arg(tmp.path().join("p")).output().unwrap();
    assert!(String::from_utf8_lossy(&secrets.stdout).contains("flexdesk-secrets"));
}

#[test]
fn databases_keep_engine_version_storage_and_their_service() {
    let (tmp, _) = import("ai-workflow-engine");
    let spec = genk8s::yaml::parse(&fs::read_to_string(tmp.path().join("p/platform.yaml")).unwrap(), 0).unwrap();
    let db = spec.get("databases").and_then(|d| d.get("postgres")).expect("database postgres");
    let s = |k: &[&str]| k.iter().try_fold(db, |n, k| n.get(k)).and_then(|n| n.as_str()).map(str::to_string);
    assert_eq!(s(&["engine"]).as_deref(), Some("postgres"));
    assert_eq!(s(&["version"]).as_deref(), Some("15-alpine"));
    assert_eq!(s(&["storage", "size"]).as_deref(), Some("50Gi"));
    assert_eq!(s(&["storage", "class"]).as_deref(), Some("ai-workflow-engine-ssd"));
    assert_eq!(s(&["resources", "memory"]).as_deref(), Some("1Gi/4Gi"));
    // The uses of the api come from its NetworkPolicy.
    let uses = spec.get("services").and_then(|s| s.get("api")).and_then(|a| a.get("uses")).expect("uses of api");
    assert!(format!("{uses:?}").contains("postgres"));
    assert!(Path::new(&tmp.path().join("p/environments/imported.yaml")).is_file());
}

#[test]
fn a_document_without_kind_is_refused_at_its_line() {
    let tmp = TempDir::new().unwrap();
    fs::write(tmp.path().join("a.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nfoo: bar\n")
        .unwrap();
    let out = genk8s()
        .args(["import", "kubernetes"])
        .arg(tmp.path().join("a.yaml"))
        .arg("-o")
        .arg(tmp.path().join("p"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("a.yaml:5:1: this document has no apiVersion or kind"), "{stderr}");
    assert!(!tmp.path().join("p").exists());
    let _ = common::write;
}

#[test]
fn helm_output_keeps_its_release_label_and_reports_what_only_helm_reads() {
    let (tmp, stderr) = import("helm-web");
    let spec = fs::read_to_string(tmp.path().join("p/platform.yaml")).unwrap();
    let node = genk8s::yaml::parse(&spec, 0).unwrap();
    // The label every object shares is the platform's; helm's own are not carried.
    let labels = node.get("labels").expect("platform labels");
    assert_eq!(labels.get("app.kubernetes.io/instance").and_then(|v| v.as_str()), Some("shop"));
    assert!(!spec.contains("helm.sh/chart"), "{spec}");
    assert!(
        stderr
            .contains("rendered.yaml:8:20: ServiceAccount/shop-web.metadata.labels.helm.sh/chart: describes the tool"),
        "{stderr}"
    );
    assert!(
        stderr.contains(".metadata.annotations.checksum/config: genk8s rolls pods through content-hashed config names"),
        "{stderr}"
    );
    // The StatefulSet of the redis image is a database; its Service keeps its name.
    let db = node.get("databases").and_then(|d| d.get("shop-redis")).expect("database");
    assert_eq!(db.get("engine").and_then(|v| v.as_str()), Some("redis"));
    // The emptyDir mounted at /var/cache/web is genk8s's writable directory, not a patched-in volume.
    assert!(!spec.contains("/spec/template/spec/volumes/-"), "{spec}");
    // The session key is a reference; its base64 value is nowhere in the platform.
    assert!(!spec.contains("c3VwZXItc2VjcmV0"), "{spec}");
    assert!(fs::read_dir(tmp.path().join("p/files/shop-web")).unwrap().count() == 1);
}

#[test]
fn a_kustomize_folder_is_built_with_kubectl_and_imported() {
    let tmp = TempDir::new().unwrap();
    let out = genk8s()
        .args(["import", "kubernetes", "tests/fixtures/kube/kustomize/overlays/prod", "--name", "shop", "-o"])
        .arg(tmp.path().join("p"))
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    // Findings point into what kubectl kustomize printed.
    assert!(stderr.contains("tests/fixtures/kube/kustomize/overlays/prod (kubectl kustomize):"), "{stderr}");
    let spec = genk8s::yaml::parse(&fs::read_to_string(tmp.path().join("p/platform.yaml")).unwrap(), 0).unwrap();
    let api = spec.get("services").and_then(|s| s.get("api")).expect("service api");
    // The overlay's image tag and replicas, not the base's.
    assert_eq!(api.get("image").and_then(|v| v.as_str()), Some("ghcr.io/acme/api:1.4.2"));
    assert_eq!(api.get("replicas").and_then(|v| v.as_str()), Some("3"));
    let env = fs::read_to_string(tmp.path().join("p/environments/imported.yaml")).unwrap();
    assert!(env.contains("namespace: shop-prod"), "{env}");
}

#[test]
fn one_tree_per_environment_becomes_a_base_and_overlays_that_build() {
    let tmp = TempDir::new().unwrap();
    let p = tmp.path().join("p");
    let out = genk8s()
        .args([
            "import",
            "kubernetes",
            "--env",
            "dev=tests/fixtures/kube/envs/dev",
            "--env",
            "prod=tests/fixtures/kube/envs/prod",
        ])
        .arg("-o")
        .arg(&p)
        .output()
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stderr.matches("\nverified: ").count(), 2, "{stderr}");
    let base = fs::read_to_string(p.join("platform.yaml")).unwrap();
    let prod = fs::read_to_string(p.join("environments/prod.yaml")).unwrap();
    let dev = fs::read_to_string(p.join("environments/dev.yaml")).unwrap();
    // What both share is in the base once; what differs is in the overlay only.
    assert!(base.contains("FEATURE_X"), "{base}");
    assert!(!prod.contains("FEATURE_X") && !prod.contains("postgres"), "{prod}");
    assert!(prod.contains("image: ghcr.io/acme/web:2.1.0") && prod.contains("pdb:"), "{prod}");
    assert!(prod.contains("namespace: shop-prod") && dev.contains("namespace: shop-dev"), "{dev}");
    // Each environment builds to its own tree's values.
    for (env, image) in [("dev", "web:2.2.0-rc1"), ("prod", "web:2.1.0")] {
        let built = genk8s().args(["build", env, "-p"]).arg(&p).output().unwrap();
        assert!(built.status.success(), "{env}: {}", String::from_utf8_lossy(&built.stderr));
        assert!(String::from_utf8_lossy(&built.stdout).contains(image), "{env}");
    }
}

#[test]
fn an_env_without_a_path_is_a_usage_error() {
    let out = genk8s().args(["import", "kubernetes", "--env", "prod"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not NAME=PATH"));
}

#[test]
fn verify_shows_the_build_against_the_input_with_field_paths() {
    let tmp = TempDir::new().unwrap();
    let out = genk8s()
        .args(["import", "kubernetes", "tests/fixtures/kube/flexdesk", "--verify", "-o"])
        .arg(tmp.path().join("p"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8(out.stdout).unwrap();
    // What genk8s adds: its policies and the restricted security context.
    assert!(stdout.contains("  added    NetworkPolicy/default-deny (networkpolicy-default-deny.yaml)"), "{stdout}");
    assert!(stdout.contains("  changed  Deployment/flexdesk-backend: spec.template.spec.containers[flexdesk-backend].securityContext (absent) → {allowPrivilegeEscalation: false"), "{stdout}");
    // What differs, under the build's name for a renamed object.
    assert!(
        stdout.contains(
            "  changed  HorizontalPodAutoscaler/flexdesk-backend: metadata.name flexdesk-hpa → flexdesk-backend"
        ),
        "{stdout}"
    );
    // The input's policy, derived into genk8s's own, and the Secret, never copied.
    assert!(stdout.contains("  removed  NetworkPolicy/flexdesk-netpol"), "{stdout}");
    assert!(stdout.contains("  removed  Secret/flexdesk-secrets"), "{stdout}");
}

/// The README's section on this command.
fn readme_section() -> String {
    let readme = fs::read_to_string("README.md").unwrap();
    let start = readme.find("## Importing Kubernetes manifests").expect("README has the section");
    let end = start + readme[start..].find("\n## Lint").unwrap();
    readme[start..end].to_string()
}

#[test]
fn the_readme_example_is_what_the_import_writes() {
    let section = readme_section();
    let start = section.find("```yaml\n").unwrap() + "```yaml\n".len();
    let shown = &section[start..start + section[start..].find("```").unwrap()];
    let (tmp, _) = import("flexdesk");
    let written = fs::read_to_string(tmp.path().join("p/platform.yaml")).unwrap();
    assert_eq!(&written[written.find("platform:").unwrap()..], shown);
}

#[test]
fn the_readme_table_is_what_the_import_measures() {
    let section = readme_section();
    for seed in SEEDS {
        let row = section
            .lines()
            .find(|l| l.starts_with(&format!("| {seed} ")))
            .unwrap_or_else(|| panic!("a row for {seed}"));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        let (_, stderr) = import(seed);
        let (total, native, carried, reported) = tally(&stderr);
        assert_eq!(
            cells[3..7],
            [total.to_string(), native.to_string(), carried.to_string(), reported.to_string()],
            "{seed}: {row}"
        );
        let line = stderr.lines().find(|l| l.starts_with("imported ")).unwrap();
        let sizes = cells[7].split(" (").next().unwrap().replace(" / ", " line for ");
        let spec_lines = sizes.split(' ').next().unwrap();
        assert!(
            line.contains(&format!("spec {spec_lines} lines for {} input lines", sizes.rsplit(' ').next().unwrap())),
            "{seed}: {line} vs {row}"
        );
    }
}

#[test]
fn the_import_is_deterministic() {
    let read = |dir: &Path| -> Vec<(String, String)> {
        let mut files = Vec::new();
        for sub in ["", "environments"] {
            for e in fs::read_dir(dir.join(sub)).unwrap().flatten().filter(|e| e.path().is_file()) {
                files.push((e.file_name().to_string_lossy().to_string(), fs::read_to_string(e.path()).unwrap()));
            }
        }
        files.sort();
        files
    };
    for seed in ["ai-workflow-engine", "helm-web"] {
        let (a, err_a) = import(seed);
        let (b, err_b) = import(seed);
        assert_eq!(err_a, err_b, "{seed}");
        assert_eq!(read(&a.path().join("p")), read(&b.path().join("p")), "{seed}");
    }
}
