//! Integration tests: run the real `genk8s` binary on small platform folders
//! written into temporary directories.

use assert_cmd::Command;
use predicates::prelude::*;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn genk8s() -> Command {
    Command::new(env!("CARGO_BIN_EXE_genk8s"))
}

/// Writes `platform.yaml` and `environments/<env>.yaml` into `dir`.
fn write_spec(dir: &Path, platform: &str, envs: &[(&str, &str)]) {
    fs::create_dir_all(dir.join("environments")).unwrap();
    fs::write(dir.join("platform.yaml"), platform).unwrap();
    for (env, text) in envs {
        fs::write(dir.join("environments").join(format!("{env}.yaml")), text).unwrap();
    }
}

/// A new temporary platform folder.
fn spec(platform: &str, envs: &[(&str, &str)]) -> TempDir {
    let t = TempDir::new().unwrap();
    write_spec(t.path(), platform, envs);
    t
}

fn p(dir: &Path) -> &str {
    dir.to_str().unwrap()
}

/// Runs `genk8s build ENV -p DIR`, expects exit 0 and an empty stderr, returns stdout.
fn build_stream(dir: &Path, env: &str) -> String {
    let out = genk8s().args(["build", env, "-p", p(dir)]).assert().code(0).stderr("").get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

/// Runs a command that must fail with exit code 2; returns its stderr.
fn fails(args: &[&str]) -> String {
    let out = genk8s().args(args).assert().code(2).stdout("").get_output().stderr.clone();
    String::from_utf8(out).unwrap()
}

/// Splits a `---`-separated stream into its documents (each without the `---` line).
fn docs(stream: &str) -> Vec<String> {
    assert!(stream.starts_with("---\n"), "stream must begin with `---`: {stream}");
    let mut out: Vec<String> = Vec::new();
    for line in stream.split_inclusive('\n') {
        if line == "---\n" {
            out.push(String::new());
        } else {
            out.last_mut().unwrap().push_str(line);
        }
    }
    out
}

fn kind_of(doc: &str) -> &str {
    doc.lines().find_map(|l| l.strip_prefix("kind: ")).unwrap_or_else(|| panic!("no top-level kind in:\n{doc}"))
}

/// `metadata.name`: the first two-space-indented `name:` after `metadata:`.
fn name_of(doc: &str) -> &str {
    doc.lines()
        .skip_while(|l| *l != "metadata:")
        .find_map(|l| l.strip_prefix("  name: "))
        .unwrap_or_else(|| panic!("no metadata.name in:\n{doc}"))
}

fn find_doc<'a>(docs: &'a [String], kind: &str, name: &str) -> Option<&'a str> {
    docs.iter().map(String::as_str).find(|d| kind_of(d) == kind && name_of(d) == name)
}

fn doc<'a>(docs: &'a [String], kind: &str, name: &str) -> &'a str {
    find_doc(docs, kind, name).unwrap_or_else(|| {
        let have: Vec<String> = docs.iter().map(|d| format!("{}/{}", kind_of(d), name_of(d))).collect();
        panic!("no {kind}/{name} in stream; have {have:?}")
    })
}

/// The trimmed line that follows `- name: NAME` in a container's env list.
fn env_line<'a>(doc: &'a str, name: &str) -> &'a str {
    let key = format!("- name: {name}");
    let mut lines = doc.lines();
    lines.find(|l| l.trim() == key).unwrap_or_else(|| panic!("no env `{name}` in:\n{doc}"));
    lines.next().unwrap().trim()
}

/// Every file under `dir` (recursively), relative path → bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for e in fs::read_dir(dir).unwrap() {
            let path = e.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_path_buf();
                out.insert(rel, fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Names of the entries directly in `dir`, sorted.
fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    v
}

/// The `resources:` list of a kustomization.yaml.
fn kustomization_resources(text: &str) -> Vec<String> {
    text.lines()
        .skip_while(|l| *l != "resources:")
        .skip(1)
        .map_while(|l| l.strip_prefix("- "))
        .map(str::to_string)
        .collect()
}

// ---------------------------------------------------------------------------
// Specs used by several tests
// ---------------------------------------------------------------------------

/// Two services: `a` (ports, autoscaled) and `b` (no ports, 2 replicas).
const AB: &str = "\
platform: demo
services:
  a:
    image: ghcr.io/acme/a:1.0
    ports: {http: 8080}
    resources: {cpu: 250m, memory: 256Mi/512Mi}
    autoscale: {min: 1, max: 3, cpu: 70}
  b:
    image: ghcr.io/acme/b:1.0
    replicas: 2
";

/// A richer platform: configs, ingress, a database, `uses`, labels, an overlay.
const SHOP: &str = "\
platform: shop
domain: shop.example.com
labels: {team: core, tier: gold}
annotations: {owner: alice, cost-center: \"42\"}
ingress:
  class: nginx
  issuer: le
  annotations: {a.example.com/x: \"1\", b.example.com/y: \"2\"}
configs:
  common:
    data: {LOG_LEVEL: info, REGION: eu}
services:
  api:
    image: ghcr.io/acme/api:1.0
    ports: {http: 8080, metrics: 9090}
    env: {B: \"2\", A: \"1\", C: {secret: api-secrets, key: token}}
    env_from: [{config: common}]
    resources: {cpu: 250m, memory: 256Mi/512Mi}
    node_selector: {disk: ssd, zone: a}
    pod_labels: {x: \"1\", w: \"2\"}
    uses: [cache, db]
    ingress: {hosts: [api]}
  cache:
    image: redis-like:1
    ports: {tcp: 6379}
  web:
    image: ghcr.io/acme/web:1.0
    ports: {http: 3000}
    uses: [api]
databases:
  db: {engine: postgres, version: \"16\", storage: {size: 1Gi}}
";

const SHOP_PROD: &str = "\
services:
  api: {replicas: 2, env: {D: x, A: \"0\"}}
  web: {replicas: 3}
";

/// SHOP with every map written in a different key order.
const SHOP_REORDERED: &str = "\
databases:
  db: {storage: {size: 1Gi}, version: \"16\", engine: postgres}
services:
  web:
    uses: [api]
    ports: {http: 3000}
    image: ghcr.io/acme/web:1.0
  cache:
    ports: {tcp: 6379}
    image: redis-like:1
  api:
    ingress: {hosts: [api]}
    uses: [cache, db]
    pod_labels: {w: \"2\", x: \"1\"}
    node_selector: {zone: a, disk: ssd}
    resources: {memory: 256Mi/512Mi, cpu: 250m}
    env_from: [{config: common}]
    env: {C: {key: token, secret: api-secrets}, A: \"1\", B: \"2\"}
    ports: {metrics: 9090, http: 8080}
    image: ghcr.io/acme/api:1.0
configs:
  common:
    data: {REGION: eu, LOG_LEVEL: info}
ingress:
  annotations: {b.example.com/y: \"2\", a.example.com/x: \"1\"}
  issuer: le
  class: nginx
annotations: {cost-center: \"42\", owner: alice}
labels: {tier: gold, team: core}
domain: shop.example.com
platform: shop
";

const SHOP_PROD_REORDERED: &str = "\
services:
  web: {replicas: 3}
  api: {env: {A: \"0\", D: x}, replicas: 2}
";

// ---------------------------------------------------------------------------
// 1. envs
// ---------------------------------------------------------------------------

#[test]
fn envs_prints_sorted_names_one_a_line() {
    // Written out of order, with a .yml overlay and a non-YAML file that is not an environment.
    let t = spec(AB, &[("staging", "{}\n"), ("prod", "{}\n"), ("dev", "{}\n")]);
    fs::write(t.path().join("environments/qa.yml"), "{}\n").unwrap();
    fs::write(t.path().join("environments/README.md"), "notes\n").unwrap();
    genk8s().args(["envs", "-p", p(t.path())]).assert().code(0).stdout("dev\nprod\nqa\nstaging\n").stderr("");
}

#[test]
fn envs_without_platform_yaml_exits_2_naming_the_file() {
    let t = TempDir::new().unwrap();
    let err = fails(&["envs", "-p", p(t.path())]);
    let want = format!("cannot read {}", t.path().join("platform.yaml").display());
    assert!(err.contains(&want), "{err}");
    assert!(err.contains("1 problem found; nothing was written"), "{err}");
}

#[test]
fn envs_rejects_an_invalid_environment_file_name() {
    let t = spec(AB, &[("dev", "{}\n"), ("Prod", "{}\n")]);
    let err = fails(&["envs", "-p", p(t.path())]);
    assert!(err.contains("`Prod` is not a valid environment name"), "{err}");
}

// ---------------------------------------------------------------------------
// 2. build: stream shape and secure defaults
// ---------------------------------------------------------------------------

#[test]
fn build_stream_starts_with_namespace_and_deployment_is_hardened() {
    let t = spec(AB, &[("dev", "{}\n")]);
    let out = build_stream(t.path(), "dev");
    assert!(out.starts_with("---\napiVersion: v1\nkind: Namespace\n"), "{out}");
    let docs = docs(&out);
    assert_eq!(kind_of(&docs[0]), "Namespace");
    assert_eq!(name_of(&docs[0]), "demo-dev", "default namespace is <platform>-<env>");
    assert_eq!(docs.iter().filter(|d| kind_of(d) == "Namespace").count(), 1);
    // Every other object lives in that namespace.
    for d in &docs[1..] {
        assert!(d.contains("\n  namespace: demo-dev\n"), "{d}");
    }

    let dep = doc(&docs, "Deployment", "a");
    assert!(dep.starts_with("apiVersion: apps/v1\nkind: Deployment\n"), "{dep}");
    // Container security context.
    assert!(
        dep.contains(
            "\
        securityContext:
          allowPrivilegeEscalation: false
          capabilities:
            drop:
            - ALL
          privileged: false
          readOnlyRootFilesystem: true
          runAsNonRoot: true
          seccompProfile:
            type: RuntimeDefault
"
        ),
        "{dep}"
    );
    // Pod security context.
    assert!(dep.contains("      securityContext:\n        fsGroup: 10001\n"), "{dep}");
    assert!(dep.contains("        runAsNonRoot: true\n        runAsUser: 10001\n        seccompProfile:\n          type: RuntimeDefault\n"), "{dep}");
    // Resources from `cpu: 250m, memory: 256Mi/512Mi`: requests cpu+memory, memory limit only.
    assert!(
        dep.contains(
            "\
        resources:
          limits:
            memory: \"512Mi\"
          requests:
            cpu: \"250m\"
            memory: \"256Mi\"
"
        ),
        "{dep}"
    );
    assert!(dep.contains("automountServiceAccountToken: false"), "{dep}");
    assert!(dep.contains("- mountPath: /tmp\n"), "/tmp is writable: {dep}");

    // A service with no resources gets defaults of the same shape.
    let dep_b = doc(&docs, "Deployment", "b");
    assert!(dep_b.contains("          runAsNonRoot: true\n"), "{dep_b}");
    assert!(dep_b.contains("          readOnlyRootFilesystem: true\n"), "{dep_b}");
    let res = dep_b.split("        resources:\n").nth(1).expect("resources present");
    let res: String =
        res.lines().take_while(|l| l.starts_with("          ")).map(|l| format!("{}\n", l.trim())).collect();
    assert!(res.starts_with("limits:\nmemory: "), "{res}");
    assert!(res.contains("requests:\ncpu: "), "{res}");
    assert!(res.contains("\nmemory: "), "{res}");
}

#[test]
fn build_orders_objects_by_kind_then_name() {
    let t = spec(SHOP, &[("prod", SHOP_PROD)]);
    let out = build_stream(t.path(), "prod");
    let kinds: Vec<String> = docs(&out).iter().map(|d| kind_of(d).to_string()).collect();
    let pos = |k: &str| kinds.iter().position(|x| x == k).unwrap();
    assert_eq!(pos("Namespace"), 0);
    assert!(pos("ConfigMap") < pos("Service"), "{kinds:?}");
    assert!(pos("Service") < pos("Deployment"), "{kinds:?}");
    assert!(pos("Deployment") < pos("StatefulSet"), "{kinds:?}");
    let deployments: Vec<String> =
        docs(&out).iter().filter(|d| kind_of(d) == "Deployment").map(|d| name_of(d).to_string()).collect();
    assert_eq!(deployments, ["api", "cache", "web"]);
}

// ---------------------------------------------------------------------------
// 3. Determinism
// ---------------------------------------------------------------------------

#[test]
fn output_is_byte_identical_across_runs_and_key_orders() {
    let a = spec(SHOP, &[("prod", SHOP_PROD)]);
    let b = spec(SHOP_REORDERED, &[("prod", SHOP_PROD_REORDERED)]);
    let first = build_stream(a.path(), "prod");
    let second = build_stream(a.path(), "prod");
    assert_eq!(first, second, "two runs differ");
    let reordered = build_stream(b.path(), "prod");
    assert_eq!(first, reordered, "same content written in another key order gives other bytes");
    // The overlay was applied (not a trivially equal empty build).
    let docs = docs(&first);
    let api = doc(&docs, "Deployment", "api");
    assert!(api.contains("\n  replicas: 2\n"), "{api}");
    assert_eq!(env_line(api, "A"), "value: \"0\"");
    assert_eq!(env_line(api, "D"), "value: x");

    // The trees are identical too.
    let out = TempDir::new().unwrap();
    for (i, dir) in [a.path(), b.path()].iter().enumerate() {
        genk8s().args(["build", "prod", "-p", p(dir), "-o"]).arg(out.path().join(i.to_string())).assert().code(0);
    }
    assert_eq!(snapshot(&out.path().join("0")), snapshot(&out.path().join("1")));
}

// ---------------------------------------------------------------------------
// 4. YAML 1.1 look-alikes and block literals
// ---------------------------------------------------------------------------

#[test]
fn yaml11_lookalikes_are_double_quoted_and_multiline_text_is_a_block_literal() {
    let platform = "\
platform: demo
configs:
  app:
    data:
      script: \"echo one\\necho two\"
      NO: \"no\"
services:
  a:
    image: ghcr.io/acme/a:1.0
    env:
      FLAG: \"on\"
      NOPE: \"no\"
      MODE: \"0755\"
      NUM: \"1e3\"
      TILDE: \"~\"
      BARE_ON: on
      BARE_PORT: 8080
      BARE_TRUE: true
      CLOCK: \"12:30\"
      PLAIN: hello
    files:
      /etc/app/config.txt: |
        line one
        line two
";
    let t = spec(platform, &[("dev", "{}\n")]);
    let out = build_stream(t.path(), "dev");
    let docs = docs(&out);
    let dep = doc(&docs, "Deployment", "a");
    for (name, want) in [
        ("FLAG", "value: \"on\""),
        ("NOPE", "value: \"no\""),
        ("MODE", "value: \"0755\""),
        ("NUM", "value: \"1e3\""),
        ("TILDE", "value: \"~\""),
        // Unquoted in the spec: still text, never a YAML 1.1 boolean or a number.
        ("BARE_ON", "value: \"on\""),
        ("BARE_PORT", "value: \"8080\""),
        ("BARE_TRUE", "value: \"true\""),
        ("CLOCK", "value: \"12:30\""),
        ("PLAIN", "value: hello"),
    ] {
        assert_eq!(env_line(dep, name), want, "env {name}");
    }

    // The service's file: a generated ConfigMap holding a block literal.
    let files_cm = docs
        .iter()
        .find(|d| kind_of(d) == "ConfigMap" && name_of(d).starts_with("a-files-"))
        .unwrap_or_else(|| panic!("no a-files ConfigMap in {out}"));
    assert!(files_cm.ends_with("data:\n  config.txt: |\n    line one\n    line two\n"), "{files_cm}");
    // The shared config: a key that YAML 1.1 reads as false, and text without a final newline.
    let app_cm = docs
        .iter()
        .find(|d| kind_of(d) == "ConfigMap" && name_of(d).starts_with("app-"))
        .unwrap_or_else(|| panic!("no app ConfigMap in {out}"));
    assert!(app_cm.ends_with("data:\n  \"NO\": \"no\"\n  script: |-\n    echo one\n    echo two\n"), "{app_cm}");
}

// ---------------------------------------------------------------------------
// 5. Kustomize tree
// ---------------------------------------------------------------------------

#[test]
fn out_tree_lists_every_file_and_kubectl_kustomize_builds_it() {
    let t = spec(SHOP, &[("prod", SHOP_PROD)]);
    let stream = build_stream(t.path(), "prod");
    let work = TempDir::new().unwrap();
    let out = work.path().join("nested/out");
    genk8s().args(["build", "prod", "-p", p(t.path()), "-o", p(&out)]).assert().code(0).stdout("").stderr("");

    let kz = fs::read_to_string(out.join("kustomization.yaml")).unwrap();
    assert!(kz.starts_with("# Generated by genk8s; do not edit."), "{kz}");
    assert!(kz.contains("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n"), "{kz}");
    let resources = kustomization_resources(&kz);
    let mut listed = resources.clone();
    listed.push("kustomization.yaml".into());
    listed.sort();
    assert_eq!(entries(&out), listed, "kustomization.yaml lists every file, and nothing else is there");
    assert_eq!(resources[0], "namespace-shop-prod.yaml");
    assert!(resources.contains(&"deployment-api.yaml".to_string()));
    assert!(resources.contains(&"statefulset-db.yaml".to_string()));

    // The files, in kustomization order, are exactly the stream's documents.
    let joined: String =
        resources.iter().map(|f| format!("---\n{}", fs::read_to_string(out.join(f)).unwrap())).collect();
    assert_eq!(joined, stream);

    let kubectl = std::process::Command::new("kubectl")
        .arg("kustomize")
        .arg(&out)
        .output()
        .expect("kubectl must be installed to run this test");
    let built = String::from_utf8(kubectl.stdout).unwrap();
    assert!(kubectl.status.success(), "kubectl kustomize failed: {}", String::from_utf8_lossy(&kubectl.stderr));
    // kustomize separates documents with `---` lines (none before the first).
    let kustomize_docs = built.lines().filter(|l| *l == "---").count() + 1;
    assert_eq!(kustomize_docs, docs(&stream).len());
    assert_eq!(kustomize_docs, resources.len());
    assert!(built.contains("kind: StatefulSet"), "{built}");
}

// ---------------------------------------------------------------------------
// 6. --all
// ---------------------------------------------------------------------------

#[test]
fn build_all_writes_one_tree_per_environment() {
    let t = spec(SHOP, &[("prod", SHOP_PROD), ("dev", "{}\n"), ("staging", "namespace: shop-stg\n")]);
    let work = TempDir::new().unwrap();
    let all = work.path().join("all");
    genk8s().args(["build", "--all", "-p", p(t.path()), "-o", p(&all)]).assert().code(0).stdout("").stderr("");
    assert_eq!(entries(&all), ["dev", "prod", "staging"]);
    for (env, ns) in [("dev", "shop-dev"), ("prod", "shop-prod"), ("staging", "shop-stg")] {
        let kz = fs::read_to_string(all.join(env).join("kustomization.yaml")).unwrap();
        assert!(kz.contains(&format!("# Platform shop, environment {env}:")), "{kz}");
        assert_eq!(kustomization_resources(&kz)[0], format!("namespace-{ns}.yaml"));
        // Same bytes as building that environment alone.
        let single = work.path().join(format!("single-{env}"));
        genk8s().args(["build", env, "-p", p(t.path()), "-o", p(&single)]).assert().code(0);
        assert_eq!(snapshot(&all.join(env)), snapshot(&single), "env {env}");
    }
}

// ---------------------------------------------------------------------------
// 7. Stale files
// ---------------------------------------------------------------------------

#[test]
fn rebuild_removes_stale_generated_files_and_keeps_user_files() {
    let t = spec(AB, &[("dev", "{}\n")]);
    let work = TempDir::new().unwrap();
    let out = work.path().join("out");
    genk8s().args(["build", "dev", "-p", p(t.path()), "-o", p(&out)]).assert().code(0);
    assert!(out.join("deployment-b.yaml").is_file());
    assert!(out.join("networkpolicy-b.yaml").is_file());
    let notes = "# My notes\nkeep me\n";
    fs::write(out.join("NOTES.md"), notes).unwrap();

    // Remove service b.
    let without_b = AB.split("  b:\n").next().unwrap();
    fs::write(t.path().join("platform.yaml"), without_b).unwrap();
    genk8s().args(["build", "dev", "-p", p(t.path()), "-o", p(&out)]).assert().code(0).stderr("");

    assert!(!out.join("deployment-b.yaml").exists(), "stale deployment-b.yaml left behind");
    assert!(!out.join("networkpolicy-b.yaml").exists(), "stale networkpolicy-b.yaml left behind");
    assert!(out.join("deployment-a.yaml").is_file());
    assert_eq!(fs::read_to_string(out.join("NOTES.md")).unwrap(), notes);
    let kz = fs::read_to_string(out.join("kustomization.yaml")).unwrap();
    let resources = kustomization_resources(&kz);
    assert!(!resources.iter().any(|r| r.ends_with("-b.yaml")), "{kz}");
    let mut expected = resources.clone();
    expected.push("NOTES.md".into());
    expected.push("kustomization.yaml".into());
    expected.sort();
    assert_eq!(entries(&out), expected, "no staging leftovers, nothing else");
    assert_eq!(entries(work.path()), ["out"], "no staging folder next to OUT");
}

// ---------------------------------------------------------------------------
// 8. Bad input
// ---------------------------------------------------------------------------

/// Builds `platform` (env `dev` = `{}`) and expects exit 2; returns (dir, stderr).
fn bad_platform(platform: &str) -> (TempDir, String) {
    let t = spec(platform, &[("dev", "{}\n")]);
    let err = fails(&["build", "dev", "-p", p(t.path())]);
    (t, err)
}

fn loc(t: &TempDir, file: &str, line: u32, col: u32) -> String {
    format!("{}:{line}:{col}: ", t.path().join(file).display())
}

#[test]
fn unknown_field_is_located_and_suggests_the_right_name() {
    let (t, err) = bad_platform("platform: demo\nservices:\n  a:\n    imgae: ghcr.io/acme/a:1.0\n");
    assert!(err.starts_with(&format!("error: {}unknown field `imgae`\n", loc(&t, "platform.yaml", 4, 5))), "{err}");
    assert!(err.contains("4 |     imgae: ghcr.io/acme/a:1.0\n  |     ^\n"), "caret under the column: {err}");
    assert!(err.contains("help: did you mean `image`?"), "{err}");
    assert!(err.ends_with("1 problem found; nothing was written\n"), "{err}");
}

#[test]
fn invalid_quantity_is_located_and_suggests_binary_units() {
    let (t, err) = bad_platform(
        "platform: demo\nservices:\n  a:\n    image: nginx:1\n    resources: {cpu: 100m, memory: 512mb}\n",
    );
    assert!(err.contains(&format!("{}`512mb` is not a memory quantity", loc(&t, "platform.yaml", 5, 36))), "{err}");
    assert!(err.contains("512Mi"), "{err}");
}

#[test]
fn uses_of_an_unknown_service_is_located() {
    let (t, err) = bad_platform(
        "\
platform: demo
services:
  api:
    image: nginx:1
    ports: {http: 80}
    uses: [cahce]
  cache:
    image: redis:7
    ports: {tcp: 6379}
",
    );
    assert!(
        err.contains(&format!(
            "{}`cahce` is not a service or database of this platform",
            loc(&t, "platform.yaml", 6, 12)
        )),
        "{err}"
    );
    assert!(err.contains("did you mean `cache`?"), "{err}");
}

#[test]
fn yaml_syntax_error_is_located() {
    let (t, err) = bad_platform("platform: demo\nservices:\n  a:\n    image: nginx:1\n   bad: 1\n");
    assert!(err.contains(&format!("{}YAML syntax error", loc(&t, "platform.yaml", 5, 4))), "{err}");
    let (t, err) = bad_platform("platform: demo\nservices:\n  a:\n    image: \"nginx:1\n");
    assert!(err.contains(&format!("{}YAML syntax error", loc(&t, "platform.yaml", 4, 12))), "{err}");
}

#[test]
fn errors_in_an_overlay_name_the_overlay_file() {
    let t = spec(
        "platform: demo\nservices:\n  a:\n    image: nginx:1\n",
        &[("dev", "services:\n  a:\n    replicsa: 2\n    uses: [nope]\n")],
    );
    let err = fails(&["build", "dev", "-p", p(t.path())]);
    assert!(err.contains(&format!("{}unknown field `replicsa`", loc(&t, "environments/dev.yaml", 3, 5))), "{err}");
    assert!(err.contains("did you mean `replicas`?"), "{err}");

    fs::write(t.path().join("environments/dev.yaml"), "services:\n  a:\n    replicas: lots\n").unwrap();
    let err = fails(&["build", "dev", "-p", p(t.path())]);
    assert!(
        err.contains(&format!("{}expected an integer, found `lots`", loc(&t, "environments/dev.yaml", 3, 15))),
        "{err}"
    );
}

#[test]
fn several_problems_are_reported_together_in_order() {
    let (t, err) = bad_platform(
        "\
platform: demo
services:
  a:
    image: nginx:1
    ports: {http: 80}
    resources: {memory: 1GB}
    uses: [zzz]
",
    );
    let q = err.find(&loc(&t, "platform.yaml", 6, 25)).unwrap_or_else(|| panic!("{err}"));
    let u = err.find(&loc(&t, "platform.yaml", 7, 12)).unwrap_or_else(|| panic!("{err}"));
    assert!(q < u, "sorted by line: {err}");
    assert!(err.contains("write `1Gi`"), "{err}");
    assert!(err.ends_with("2 problems found; nothing was written\n"), "{err}");
}

#[test]
fn bad_input_with_out_does_not_create_out() {
    let t = spec("platform: demo\nservices:\n  a:\n    imgae: nginx:1\n", &[("dev", "{}\n"), ("prod", "{}\n")]);
    let work = TempDir::new().unwrap();
    let out = work.path().join("out");
    fails(&["build", "dev", "-p", p(t.path()), "-o", p(&out)]);
    fails(&["build", "--all", "-p", p(t.path()), "-o", p(&out)]);
    assert!(!out.exists(), "OUT created despite bad input");
    assert!(entries(work.path()).is_empty(), "{:?}", entries(work.path()));
}

#[test]
fn bad_input_leaves_an_existing_out_byte_identical() {
    let t = spec(AB, &[("dev", "{}\n"), ("prod", "{}\n")]);
    let work = TempDir::new().unwrap();
    let out = work.path().join("out");
    let all = work.path().join("all");
    genk8s().args(["build", "dev", "-p", p(t.path()), "-o", p(&out)]).assert().code(0);
    genk8s().args(["build", "--all", "-p", p(t.path()), "-o", p(&all)]).assert().code(0);
    fs::write(out.join("NOTES.md"), "mine\n").unwrap();
    let before_out = snapshot(&out);
    let before_all = snapshot(&all);

    // Break only the prod overlay: dev still builds, but --all must write nothing.
    fs::write(t.path().join("environments/prod.yaml"), "services:\n  a: {resources: {memory: 512mb}}\n").unwrap();
    fails(&["build", "--all", "-p", p(t.path()), "-o", p(&all)]);
    assert_eq!(snapshot(&all), before_all);

    // Break the base: a single-env build into an existing tree writes nothing.
    let broken = AB.replace("image: ghcr.io/acme/b:1.0", "imgae: ghcr.io/acme/b:1.0");
    fs::write(t.path().join("platform.yaml"), broken).unwrap();
    fails(&["build", "dev", "-p", p(t.path()), "-o", p(&out)]);
    assert_eq!(snapshot(&out), before_out);
    assert_eq!(entries(work.path()), ["all", "out"]);
}

// ---------------------------------------------------------------------------
// 9. Overlay merge
// ---------------------------------------------------------------------------

#[test]
fn overlay_replicas_apply_to_that_environment_only() {
    let t =
        spec(AB, &[("dev", "{}\n"), ("prod", "services:\n  b: {replicas: 5}\n"), ("staging", "namespace: demo-stg\n")]);
    for (env, want) in [("dev", 2), ("prod", 5), ("staging", 2)] {
        let out = build_stream(t.path(), env);
        let docs = docs(&out);
        let dep = doc(&docs, "Deployment", "b");
        let replicas: Vec<&str> = dep.lines().filter(|l| l.starts_with("  replicas: ")).collect();
        assert_eq!(replicas, [format!("  replicas: {want}")], "env {env}: {dep}");
    }
}

#[test]
fn overlay_null_removes_the_base_autoscaler() {
    let t = spec(AB, &[("dev", "{}\n"), ("prod", "services:\n  a: {autoscale: null, replicas: 4}\n")]);
    let dev = build_stream(t.path(), "dev");
    let dev_docs = docs(&dev);
    let hpa = doc(&dev_docs, "HorizontalPodAutoscaler", "a");
    assert!(hpa.contains("  maxReplicas: 3\n"), "{hpa}");
    assert!(hpa.contains("  minReplicas: 1\n"), "{hpa}");
    assert!(hpa.contains("  scaleTargetRef:\n    apiVersion: apps/v1\n    kind: Deployment\n    name: a\n"), "{hpa}");
    // An autoscaled Deployment leaves replicas to the HPA.
    assert!(!doc(&dev_docs, "Deployment", "a").contains("\n  replicas:"), "{dev}");

    let prod = build_stream(t.path(), "prod");
    let prod_docs = docs(&prod);
    assert!(!prod_docs.iter().any(|d| kind_of(d) == "HorizontalPodAutoscaler"), "{prod}");
    assert!(doc(&prod_docs, "Deployment", "a").contains("\n  replicas: 4\n"), "{prod}");
}

// ---------------------------------------------------------------------------
// 10. Command-line errors
// ---------------------------------------------------------------------------

#[test]
fn unknown_environment_exits_2_and_lists_environments() {
    let t = spec(AB, &[("dev", "{}\n"), ("prod", "{}\n"), ("staging", "{}\n")]);
    let err = fails(&["build", "stagin", "-p", p(t.path())]);
    assert!(err.starts_with("error: no environment `stagin` in "), "{err}");
    assert!(err.contains("did you mean `staging`?"), "{err}");
    assert!(err.contains("environments: dev, prod, staging"), "{err}");

    // With -o nothing is created either.
    let work = TempDir::new().unwrap();
    let out = work.path().join("out");
    fails(&["build", "qa", "-p", p(t.path()), "-o", p(&out)]);
    assert!(!out.exists());
}

#[test]
fn build_without_env_or_all_is_a_usage_error() {
    let t = spec(AB, &[("dev", "{}\n")]);
    genk8s().args(["build", "-p", p(t.path())]).assert().code(2).stdout("").stderr(
        predicate::str::contains("the following required arguments were not provided")
            .and(predicate::str::contains("<ENV>"))
            .and(predicate::str::contains("Usage: genk8s build")),
    );
}

#[test]
fn conflicting_or_incomplete_flags_are_usage_errors() {
    let t = spec(AB, &[("dev", "{}\n")]);
    let work = TempDir::new().unwrap();
    let out = work.path().join("out");
    // --all needs -o.
    let err = fails(&["build", "--all", "-p", p(t.path())]);
    assert!(err.contains("--out <OUT>"), "{err}");
    // An environment and --all together.
    let err = fails(&["build", "dev", "--all", "-p", p(t.path()), "-o", p(&out)]);
    assert!(err.contains("cannot be used with '--all'"), "{err}");
    assert!(!out.exists());
    // Unknown subcommand.
    genk8s()
        .arg("deploy")
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::starts_with("error: unrecognized subcommand 'deploy'"));
}

// ---------------------------------------------------------------------------
// 11. A kustomization.yaml genk8s did not write
// ---------------------------------------------------------------------------

#[test]
fn foreign_kustomization_is_refused_and_left_untouched() {
    let t = spec(AB, &[("dev", "{}\n")]);
    let work = TempDir::new().unwrap();
    let out = work.path().join("out");
    fs::create_dir_all(&out).unwrap();
    fs::write(out.join("kustomization.yaml"), "resources:\n- mine.yaml\n").unwrap();
    fs::write(out.join("mine.yaml"), "kind: ConfigMap\n").unwrap();
    let before = snapshot(&out);
    let err = fails(&["build", "dev", "-p", p(t.path()), "-o", p(&out)]);
    assert!(
        err.contains(&format!(
            "{} was not written by genk8s; refusing to replace it",
            out.join("kustomization.yaml").display()
        )),
        "{err}"
    );
    assert_eq!(snapshot(&out), before);
    assert_eq!(entries(&out), ["kustomization.yaml", "mine.yaml"]);
}

#[test]
fn foreign_kustomization_in_one_env_stops_build_all_before_writing() {
    let t = spec(AB, &[("dev", "{}\n"), ("prod", "{}\n")]);
    let work = TempDir::new().unwrap();
    let all = work.path().join("all");
    fs::create_dir_all(all.join("prod")).unwrap();
    fs::write(all.join("prod/kustomization.yaml"), "resources: []\n").unwrap();
    let err = fails(&["build", "--all", "-p", p(t.path()), "-o", p(&all)]);
    assert!(err.contains("was not written by genk8s"), "{err}");
    assert_eq!(entries(&all), ["prod"], "dev must not be written");
    assert_eq!(fs::read_to_string(all.join("prod/kustomization.yaml")).unwrap(), "resources: []\n");
}

// ---------------------------------------------------------------------------
// Bugs found (ignored so the suite stays green; see the report)
// ---------------------------------------------------------------------------

#[test]

fn platform_yaml_that_is_not_a_map_is_rejected() {
    let t = spec("- platform: x\n", &[("dev", "platform: y\n")]);
    let err = fails(&["build", "dev", "-p", p(t.path())]);
    assert!(err.contains(&loc(&t, "platform.yaml", 1, 1)), "the error must name platform.yaml: {err}");
}

#[test]

fn empty_platform_yaml_error_names_platform_yaml() {
    let t = spec("", &[("dev", "namespace: demo-dev\n")]);
    let err = fails(&["build", "dev", "-p", p(t.path())]);
    assert!(err.contains(&loc(&t, "platform.yaml", 1, 1)), "{err}");
    assert!(!err.contains("environments/dev.yaml"), "{err}");
}

#[test]

fn single_newline_value_round_trips() {
    let t = spec("platform: demo\nconfigs:\n  c:\n    data: {nl: \"\\n\", two: \"\\n\\n\"}\n", &[("dev", "{}\n")]);
    let out = build_stream(t.path(), "dev");
    let docs = docs(&out);
    let cm = docs.iter().find(|d| kind_of(d) == "ConfigMap").unwrap_or_else(|| panic!("{out}"));
    // `|2` with clip chomping and no content lines is the empty string; "\n" needs `|+` or quotes.
    assert!(!cm.contains("  nl: |2\n"), "{cm}");
    assert!(cm.contains("  nl: \"\\n\"\n") || cm.contains("  nl: |2+\n\n"), "{cm}");
}

#[test]

fn duplicate_uses_do_not_duplicate_init_containers() {
    let t = spec(
        "\
platform: demo
services:
  a:
    image: nginx:1
    ports: {http: 80}
    uses: [pg, pg]
databases:
  pg: {engine: postgres}
",
        &[("dev", "{}\n")],
    );
    let assert = genk8s().args(["build", "dev", "-p", p(t.path())]).assert();
    let out = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    let stderr = String::from_utf8(assert.get_output().stderr.clone()).unwrap();
    // Either reject the duplicate (exit 2, located) or emit the init container once.
    if assert.get_output().status.code() == Some(2) {
        assert!(stderr.contains(&loc(&t, "platform.yaml", 6, 16)), "{stderr}");
    } else {
        assert_eq!(assert.get_output().status.code(), Some(0), "{stderr}");
        let docs = docs(&out);
        let dep = doc(&docs, "Deployment", "a");
        assert_eq!(dep.matches("name: wait-for-pg\n").count(), 1, "{dep}");
    }
}

#[test]

fn user_file_with_a_generated_name_is_not_overwritten() {
    let t = spec(AB, &[("dev", "{}\n")]);
    let work = TempDir::new().unwrap();
    let out = work.path().join("out");
    genk8s().args(["build", "dev", "-p", p(t.path()), "-o", p(&out)]).assert().code(0);
    fs::write(out.join("deployment-c.yaml"), "mine\n").unwrap();
    let with_c = format!("{AB}  c:\n    image: ghcr.io/acme/c:1.0\n");
    fs::write(t.path().join("platform.yaml"), with_c).unwrap();
    let err = fails(&["build", "dev", "-p", p(t.path()), "-o", p(&out)]);
    assert!(err.contains("deployment-c.yaml"), "{err}");
    assert_eq!(fs::read_to_string(out.join("deployment-c.yaml")).unwrap(), "mine\n");
}

#[test]

fn missing_platform_help_names_only_existing_commands() {
    let t = TempDir::new().unwrap();
    let err = fails(&["envs", "-p", p(t.path())]);
    if err.contains("genk8s init") {
        genk8s().args(["init", "--help"]).assert().code(0);
    }
}

#[test]
fn every_bundled_platform_writes_all_its_environments_and_one_cluster_tree() {
    for platform in fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("platforms")).unwrap() {
        let platform = platform.unwrap().path();
        let t = TempDir::new().unwrap();
        let out = t.path().join("deploy");
        genk8s().args(["build", "--all", "-p", p(&platform), "-o", p(&out)]).assert().code(0);
        assert!(out.join("prod/kustomization.yaml").is_file(), "{}", platform.display());
    }
}
