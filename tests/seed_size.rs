//! Spec size against the seeds: each bundled platform's spec (platform.yaml and the
//! overlays; files under `files/` are data and not counted) stays at most one fifth of the
//! Kubernetes YAML its seed document writes by hand, and the README's "Compact specs" table
//! says what these counts are.
//!
//! The seed documents are not in this repository. They are looked for in `GENK8S_SEEDS`,
//! else in `shared/seeds` beside the clone or one level further up; a
//! fresh clone without them (CI may be one) checks the spec side against the seed counts the
//! README's table records.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

mod common;

/// Each bundled platform and the number its seed document's file name starts with.
const SEEDS: [(&str, &str); 5] = [
    ("ai-workflow-engine", "000"),
    ("workflow-automation", "001"),
    ("ai-imutis", "002"),
    ("mime-server", "003"),
    ("flexdesk", "004"),
];

fn seeds_dir() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        std::env::var_os("GENK8S_SEEDS").map(PathBuf::from),
        Some(root.join("../shared/seeds")),
        Some(root.join("../../shared/seeds")),
    ];
    let found = candidates.into_iter().flatten().find(|d| d.is_dir());
    if found.is_none() {
        eprintln!("seed documents not found (set GENK8S_SEEDS): checking the spec side only");
    }
    found
}

fn seed_text(dir: &Path, number: &str) -> String {
    let file = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(&format!("{number}_"))))
        .unwrap_or_else(|| panic!("{} lacks seed {number}_*.txt", dir.display()));
    String::from_utf8_lossy(&std::fs::read(file).unwrap()).into_owned()
}

/// Non-blank lines of the ```yaml (or ```yml) blocks that hold Kubernetes objects
/// (`apiVersion:` or `kind:`); comments count, since the seed wrote them by hand.
fn seed_manifest_lines(text: &str) -> usize {
    yaml_blocks(text)
        .iter()
        .filter(|b| b.iter().any(|l| l.contains("apiVersion:") || l.contains("kind:")))
        .map(Vec::len)
        .sum()
}

/// Non-blank lines of every ```yaml block, manifests or not (Helm values, CI workflows, notes).
fn seed_yaml_lines(text: &str) -> usize {
    yaml_blocks(text).iter().map(Vec::len).sum()
}

fn yaml_blocks(text: &str) -> Vec<Vec<&str>> {
    let mut blocks = Vec::new();
    let mut open: Option<Vec<&str>> = None;
    for line in text.lines() {
        let fence = line.trim_start();
        match &mut open {
            None if fence == "```yaml" || fence == "```yml" => open = Some(Vec::new()),
            Some(_) if fence.starts_with("```") => blocks.extend(open.take()),
            Some(b) if !line.trim().is_empty() => b.push(line),
            _ => {}
        }
    }
    blocks
}

/// Non-blank, non-comment lines of platform.yaml and environments/*.yaml.
fn spec_lines(platform: &Path) -> usize {
    let mut files = vec![platform.join("platform.yaml")];
    let mut envs: Vec<PathBuf> =
        std::fs::read_dir(platform.join("environments")).unwrap().map(|e| e.unwrap().path()).collect();
    envs.sort();
    files.extend(envs.into_iter().filter(|p| p.extension().is_some_and(|e| e == "yaml")));
    files.iter().map(|f| code_lines(&std::fs::read_to_string(f).unwrap())).sum()
}

fn code_lines(text: &str) -> usize {
    text.lines().filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')).count()
}

fn prod_output_lines(platform: &Path) -> usize {
    let out = Command::cargo_bin("genk8s").unwrap().args(["build", "prod", "-p"]).arg(platform).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().filter(|l| !l.trim().is_empty()).count()
}

/// The README's "Compact specs" rows: platform, seed manifest lines, spec lines, ratio, seed
/// YAML lines of every block.
fn readme_rows() -> Vec<Vec<String>> {
    common::readme_table("### Compact specs")
}

#[test]
fn each_seed_platform_spec_is_at_most_a_fifth_of_its_seeds_yaml_and_the_readme_says_so() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let seeds = seeds_dir();
    let rows = readme_rows();
    assert_eq!(rows.len(), SEEDS.len(), "one README row per seed platform: {rows:?}");
    for (platform, number) in SEEDS {
        let row = rows.iter().find(|r| r[0] == platform).unwrap_or_else(|| panic!("README row for {platform}"));
        let dir = root.join("platforms").join(platform);
        let spec = spec_lines(&dir);
        assert_eq!(row[2], spec.to_string(), "{platform}: README spec lines");
        assert!(prod_output_lines(&dir) > spec * 5, "{platform}: the output is many times the spec");
        let documented: usize = row[1].parse().unwrap_or_else(|_| panic!("{platform}: seed lines `{}`", row[1]));
        if let Some(seeds) = &seeds {
            let text = seed_text(seeds, number);
            assert_eq!(documented, seed_manifest_lines(&text), "{platform}: README seed manifest lines");
            assert_eq!(row[4], seed_yaml_lines(&text).to_string(), "{platform}: README seed yaml lines");
        }
        if documented == 0 {
            assert!(row[3].starts_with("n/a"), "{platform}: no manifests in the seed, so no ratio");
            continue;
        }
        assert!(spec * 5 <= documented, "{platform}: spec {spec} lines is over a fifth of the seed's {documented}");
        assert_eq!(row[3], format!("{:.2}", spec as f64 / documented as f64), "{platform}: README ratio");
    }
}

#[test]
fn yaml_blocks_are_the_fenced_yaml_and_manifests_are_those_with_objects() {
    let text = "intro\n```yaml\napiVersion: v1\nkind: ConfigMap\n\n# note\n```\n```bash\nkubectl get pods\n```\n  ```yaml\n  - a list\n  ```\n```yml\nkind: Secret\n```\n";
    assert_eq!(seed_yaml_lines(text), 5);
    assert_eq!(seed_manifest_lines(text), 4);
    assert_eq!(code_lines("a: 1\n\n# c\n  # d\nb: 2 # e\n"), 2);
}
