//! The committed JSON Schemas under schema/ match what `genk8s schema` prints,
//! and every bundled platform validates against its own shape.
//! Regenerate with: GENK8S_BLESS=1 cargo test --test schema

use assert_cmd::Command;

fn schema(args: &[&str]) -> String {
    let out = Command::cargo_bin("genk8s").unwrap().arg("schema").args(args).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn committed_schemas_are_in_sync() {
    for (file, args) in [("schema/platform.schema.json", &[][..]), ("schema/overlay.schema.json", &["--overlay"][..])] {
        let actual = schema(args);
        if std::env::var_os("GENK8S_BLESS").is_some() {
            std::fs::write(file, &actual).unwrap();
        }
        let committed = std::fs::read_to_string(file).unwrap_or_default();
        assert!(committed == actual, "{file} is stale: run GENK8S_BLESS=1 cargo test --test schema");
    }
}

#[test]
fn schema_describes_the_spec() {
    let s: serde_json::Value = serde_json::from_str(&schema(&[])).unwrap();
    assert_eq!(s["required"], serde_json::json!(["platform"]));
    let service = &s["$defs"]["Service"];
    assert_eq!(service["additionalProperties"], serde_json::json!(false), "unknown fields are flagged in editors");
    for field in ["image", "ports", "env", "probes", "autoscale", "ingress", "uses", "metrics"] {
        assert!(service["properties"][field].is_object(), "Service.{field} is documented");
    }
    assert!(s["$defs"]["Database"]["properties"]["engine"].is_object());
    let overlay: serde_json::Value = serde_json::from_str(&schema(&["--overlay"])).unwrap();
    assert!(overlay["$defs"]["Service"].get("required").is_none(), "overlays require nothing");
}

#[test]
fn completions_and_man_page_come_from_the_cli_definition() {
    let out = Command::cargo_bin("genk8s").unwrap().args(["completions", "bash"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success() && text.contains("genk8s") && text.contains("build") && text.contains("envs"));
    let out = Command::cargo_bin("genk8s").unwrap().arg("man").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success() && text.starts_with(".ie") && text.contains("genk8s"),
        "{}",
        &text[..100.min(text.len())]
    );
}
