//! The README's full spec example must stay a valid platform that builds.

use assert_cmd::Command;

mod common;

fn readme_example() -> String {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let start = readme.find("## Spec reference").expect("README has a spec reference");
    let body = &readme[start..];
    let open = body.find("```yaml\n").expect("spec reference has a yaml example") + "```yaml\n".len();
    let close = body[open..].find("```").unwrap();
    body[open..open + close].to_string()
}

/// A platform folder holding the README's example spec, the file it reads and a prod overlay.
fn readme_example_platform() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("environments")).unwrap();
    std::fs::create_dir_all(dir.path().join("files")).unwrap();
    std::fs::write(dir.path().join("platform.yaml"), readme_example()).unwrap();
    std::fs::write(dir.path().join("files/rules.json"), "{\"rules\": []}\n").unwrap();
    std::fs::write(dir.path().join("environments/prod.yaml"), "services: {api: {tag: 1.4.4}}\n").unwrap();
    dir
}

#[test]
fn readme_spec_example_builds_with_every_documented_object() {
    let dir = readme_example_platform();
    let out = Command::cargo_bin("genk8s").unwrap().args(["build", "prod", "-p"]).arg(dir.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "README example fails to build: {stderr}");
    let text = String::from_utf8(out.stdout).unwrap();
    for kind in [
        "kind: Namespace",
        "kind: ConfigMap",
        "kind: ServiceAccount",
        "kind: PersistentVolumeClaim",
        "kind: Deployment",
        "kind: StatefulSet",
        "kind: Service",
        "kind: HorizontalPodAutoscaler",
        "kind: PodDisruptionBudget",
        "kind: Ingress",
        "kind: Gateway",
        "kind: HTTPRoute",
        "kind: NetworkPolicy",
        "type: ExternalName",
    ] {
        assert!(text.contains(kind), "README example output lacks {kind}");
    }
    assert!(text.contains("image: ghcr.io/acme/api:1.4.4"), "overlay tag override applied");
    assert!(text.contains("namespace: shop-prod"), "namespace from the base spec");
}

#[test]
fn readme_addon_table_matches_the_code() {
    let rows = common::readme_table("### Add-on APIs");
    let code: Vec<Vec<String>> = genk8s::crd::ADDONS
        .iter()
        .map(|a| [a.project, a.kind, a.api_version, a.since].iter().map(|s| s.to_string()).collect())
        .collect();
    assert_eq!(rows, code, "README \"Add-on APIs\" and crd::ADDONS differ");
}

#[test]
fn readme_lists_every_lint_rule() {
    let rows = common::readme_table("| rule | severity | checks |");
    let ids: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    let code: Vec<&str> = genk8s::lint::RULES.iter().map(|r| r.id).collect();
    assert_eq!(ids, code);
    for (row, rule) in rows.iter().zip(genk8s::lint::RULES) {
        assert_eq!(row[1], rule.severity.to_string(), "{}", rule.id);
    }
}

/// The example has an autoscaled api (min 3) with a canary under one budget (min_available 2):
/// the budget covers both tracks, so it allows evictions and GK012 must not fire.
#[test]
fn readme_spec_example_lints_clean() {
    let dir = readme_example_platform();
    let out = Command::cargo_bin("genk8s").unwrap().args(["lint", "prod", "-p"]).arg(dir.path()).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "README example has lint findings: {stdout}");
    assert!(stdout.contains("0 finding(s)"), "{stdout}");
}

#[test]
fn readme_graph_is_the_graph_of_its_platform() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let section = &readme[readme.find("\n## Graph\n").expect("a Graph section")..];
    let start = section.find("```mermaid\n").expect("a mermaid block") + "```mermaid\n".len();
    let block = &section[start..start + section[start..].find("```\n").expect("the block ends")];
    let out = Command::cargo_bin("genk8s")
        .unwrap()
        .args(["graph", "prod", "-p", "platforms/ai-workflow-engine"])
        .output()
        .unwrap();
    assert_eq!(block, String::from_utf8(out.stdout).unwrap(), "regenerate the README's graph");
}

/// Every field of an engine template (`catalog::Engine`, read from its source) has a row in
/// the README's field table.
#[test]
fn readme_documents_every_engine_template_field() {
    let rows = common::readme_table("The fields of an engine template");
    let documented: Vec<&str> = rows.iter().flat_map(|r| r[0].split(", ")).map(|f| f.trim_matches('`')).collect();
    let source = std::fs::read_to_string("src/catalog.rs").unwrap();
    let body = source.split("pub struct Engine {").nth(1).and_then(|b| b.split("\n}").next()).unwrap();
    let fields: Vec<&str> = body.lines().filter_map(|l| l.trim().strip_prefix("pub ")?.split(':').next()).collect();
    assert!(fields.len() > 15 && fields.contains(&"seeded"), "{fields:?}");
    for f in fields {
        assert!(documented.contains(&f), "engine field `{f}` has no row in the README (rows: {documented:?})");
    }
}
