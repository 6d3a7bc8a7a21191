//! Security checks that let a build through: an intended wildcard, and the warning on
//! access to every Secret (printed once, whatever the number of environments).

use assert_cmd::Command;
use std::fs;
use tempfile::TempDir;

fn platform(access: &str) -> TempDir {
    let t = TempDir::new().unwrap();
    fs::create_dir_all(t.path().join("environments")).unwrap();
    let spec = format!("platform: demo\nservices:\n  api:\n    image: ghcr.io/acme/api:1.0\n{access}");
    fs::write(t.path().join("platform.yaml"), spec).unwrap();
    fs::write(t.path().join("environments/dev.yaml"), "{}\n").unwrap();
    fs::write(t.path().join("environments/prod.yaml"), "{}\n").unwrap();
    t
}

fn build(t: &TempDir, env: &[&str]) -> (String, String) {
    let out = Command::cargo_bin("genk8s").unwrap().arg("build").args(env).arg("-p").arg(t.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    (String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn an_intended_wildcard_builds_its_role() {
    let t = platform(
        "    access: [\"* *\"]\n    access_wildcards: {\"* *\": \"operator: manages every object of its namespace\"}\n",
    );
    let (stream, stderr) = build(&t, &["dev"]);
    assert_eq!(stderr, "");
    assert!(stream.contains("kind: Role\n"), "{stream}");
    assert!(stream.contains("  resources:\n  - \"*\"\n  verbs:\n  - \"*\"\n"), "{stream}");
}

#[test]
fn access_to_every_secret_is_a_warning_shown_once() {
    let t = platform("    access: [\"get,list secrets\", \"get secrets/app-token\"]\n");
    let out = TempDir::new().unwrap();
    let (_, stderr) = build(&t, &["--all", "-o", out.path().to_str().unwrap()]);
    assert!(out.path().join("prod/role-api.yaml").is_file(), "both environments are built");
    let path = t.path().join("platform.yaml");
    assert_eq!(
        stderr,
        format!(
            "warning: {}:5:14: access `get,list secrets` covers every Secret in the namespace, the database credentials of every service included\n  |\n5 |     access: [\"get,list secrets\", \"get secrets/app-token\"]\n  |              ^\n  help: name the Secret the service needs, e.g. `get secrets/app-token`\n",
            path.display()
        )
    );
    let t = platform("    access: [\"get secrets/app-token\"]\n");
    assert_eq!(build(&t, &["dev"]).1, "", "a named Secret is least privilege");
}
