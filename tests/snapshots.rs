//! Golden output: every platform under platforms/ and every environment it has,
//! built by the binary and compared byte for byte with snapshots/<platform>/<env>.yaml.
//!
//! Regenerate after an intended change with:
//!     GENK8S_BLESS=1 cargo test --test snapshots
//! and review the diff with `git diff snapshots/`.

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn genk8s(args: &[&str]) -> String {
    let out = Command::cargo_bin("genk8s").unwrap().args(args).output().unwrap();
    assert!(out.status.success(), "genk8s {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// A stream as `<kind>-<name>.yaml` → document, the shape `genk8s::diff::compare` reads.
fn by_object(stream: &str) -> BTreeMap<String, String> {
    stream
        .split("---\n")
        .filter(|d| !d.trim().is_empty())
        .map(|doc| {
            let field = |prefix: &str| doc.lines().find_map(|l| l.strip_prefix(prefix)).unwrap_or("?").to_string();
            (format!("{}-{}.yaml", field("kind: ").to_ascii_lowercase(), field("  name: ")), doc.to_string())
        })
        .collect()
}

fn platforms() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> =
        std::fs::read_dir("platforms").unwrap().flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    v.sort();
    v
}

#[test]
fn every_platform_environment_matches_its_snapshot() {
    let bless = std::env::var_os("GENK8S_BLESS").is_some();
    let mut failures = Vec::new();
    let mut checked = 0;
    for dir in platforms() {
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let p = dir.to_string_lossy().to_string();
        for env in genk8s(&["envs", "-p", &p]).lines() {
            let actual = genk8s(&["build", env, "-p", &p]);
            let path = Path::new("snapshots").join(&name).join(format!("{env}.yaml"));
            checked += 1;
            if bless {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &actual).unwrap();
                continue;
            }
            let expected = std::fs::read_to_string(&path).unwrap_or_default();
            if expected != actual {
                // The same object-aware comparison `genk8s diff` uses, then the text diff.
                let report = genk8s::diff::compare(&by_object(&actual), &by_object(&expected));
                let text = similar::TextDiff::from_lines(&expected, &actual)
                    .unified_diff()
                    .context_radius(2)
                    .header(&path.display().to_string(), "genk8s output")
                    .to_string();
                let text: Vec<&str> = text.lines().take(40).collect();
                failures.push(format!("{}{}", report.summary, text.join("\n")));
            }
        }
    }
    assert!(checked >= 15, "expected the five seed platforms with three environments each, checked {checked}");
    assert!(
        failures.is_empty(),
        "output differs from snapshots (GENK8S_BLESS=1 to accept):\n{}",
        failures.join("\n\n")
    );
}

#[test]
fn no_snapshot_without_a_platform_environment() {
    for dir in std::fs::read_dir("snapshots").unwrap().flatten() {
        let platform = Path::new("platforms").join(dir.file_name());
        for f in std::fs::read_dir(dir.path()).unwrap().flatten() {
            let env = f.path().file_stem().unwrap().to_string_lossy().to_string();
            assert!(
                platform.join("environments").join(format!("{env}.yaml")).exists(),
                "stale snapshot {}",
                f.path().display()
            );
        }
    }
}

#[test]
fn seed_platforms_have_dev_staging_prod() {
    for name in ["ai-workflow-engine", "workflow-automation", "ai-imutis", "mime-server", "flexdesk"] {
        let p = format!("platforms/{name}");
        assert_eq!(genk8s(&["envs", "-p", &p]), "dev\nprod\nstaging\n", "{name}");
    }
}
