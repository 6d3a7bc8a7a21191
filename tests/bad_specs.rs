//! The bad-spec corpus: every folder `tests/bad/<NNN-name>/` is a platform that
//! `genk8s build dev` must refuse with exit code 2, an empty stdout, and the
//! `error:` / `help:` lines of its `expected.txt` (in that order) on stderr.
//!
//! Each case runs with its folder as the current directory and `-p .`, so paths
//! print as `./platform.yaml`; stderr is normalised (`./` dropped) before comparing.
//!
//! `GENK8S_BLESS=1 cargo test --test bad_specs` rewrites every `expected.txt` from
//! the actual output (only `error:` and `help:` lines), so changes to messages are
//! reviewed in `git diff`. Blessing still requires exit code 2 and an empty stdout.
//!
//! `tests/bad/pending/` holds inputs genk8s currently accepts although it should
//! not (missing validations); they are not run here. When a validation lands,
//! move the case up into `tests/bad/` with the next number and bless it.

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

const EXPECTED: &str = "expected.txt";
const MIN_CASES: usize = 60;

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("bad")
}

/// Case folders, sorted: every directory whose name starts with a digit (so `pending/` is skipped).
fn cases() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = fs::read_dir(corpus_dir())
        .expect("tests/bad exists")
        .map(|e| e.expect("readable corpus entry").path())
        .filter(|p| {
            p.is_dir()
                && p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with(|c: char| c.is_ascii_digit()))
        })
        .collect();
    out.sort();
    out
}

/// Drops the `./` the binary prints before paths when run with `-p .`.
fn normalise(line: &str) -> String {
    line.replace("error: ./", "error: ").replace(" ./", " ")
}

/// The lines worth pinning: diagnostics and their help, without source excerpts.
fn message_lines(stderr: &str) -> Vec<String> {
    stderr.lines().map(normalise).filter(|l| l.starts_with("error: ") || l.starts_with("  help: ")).collect()
}

struct Outcome {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(case: &Path) -> Outcome {
    let out = Command::new(env!("CARGO_BIN_EXE_genk8s"))
        .args(["build", "dev", "-p", "."])
        .current_dir(case)
        .env_remove("GENK8S_BLESS")
        .timeout(Duration::from_secs(60))
        .output()
        .expect("genk8s runs");
    Outcome {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Checks one case; returns a description of every way it failed.
fn check(case: &Path, bless: bool) -> Vec<String> {
    let mut problems = Vec::new();
    let o = run(case);
    if o.code != Some(2) {
        problems.push(format!("exit code {:?}, expected 2", o.code));
    }
    if !o.stdout.is_empty() {
        problems.push(format!("stdout is not empty:\n{}", o.stdout));
    }
    let actual = message_lines(&o.stderr);
    if actual.is_empty() {
        problems.push("stderr has no `error:` line".to_string());
    }
    let path = case.join(EXPECTED);
    if bless {
        if problems.is_empty() {
            fs::write(&path, actual.join("\n") + "\n").expect("expected.txt is writable");
        }
        return problems.into_iter().map(|p| format!("{p}\n--- stderr ---\n{}", o.stderr)).collect();
    }
    let Ok(expected) = fs::read_to_string(&path) else {
        problems.push(format!("no {EXPECTED}; run GENK8S_BLESS=1 cargo test --test bad_specs and review it"));
        return problems;
    };
    let expected: Vec<&str> = expected.lines().filter(|l| !l.trim().is_empty()).collect();
    if !expected.first().is_some_and(|l| l.starts_with("error: ")) {
        problems.push(format!("{EXPECTED} must start with an `error:` line"));
    }
    // Every expected line must appear as a whole stderr line, in the expected order.
    let stderr: Vec<String> = o.stderr.lines().map(normalise).collect();
    let mut from = 0;
    for want in &expected {
        match stderr[from..].iter().position(|l| l == want) {
            Some(i) => from += i + 1,
            None => {
                let anywhere = stderr.iter().any(|l| l == want);
                problems.push(format!(
                    "{} line not found{}: {want}",
                    EXPECTED,
                    if anywhere { " in order" } else { "" }
                ));
            }
        }
    }
    if !problems.is_empty() {
        problems.push(format!("--- stderr ---\n{}", o.stderr));
    }
    problems
}

#[test]
fn every_bad_spec_is_refused_with_its_expected_message() {
    let bless = std::env::var_os("GENK8S_BLESS").is_some_and(|v| v == "1");
    let cases = cases();
    assert!(cases.len() >= MIN_CASES, "the corpus has {} cases; expected at least {MIN_CASES}", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let problems = check(case, bless);
        if !problems.is_empty() {
            let name = case.file_name().unwrap_or_default().to_string_lossy();
            failures.push(format!("== tests/bad/{name}\n{}", problems.join("\n")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} bad specs failed{}:\n\n{}",
        failures.len(),
        cases.len(),
        if bless { " (not blessed)" } else { "" },
        failures.join("\n\n")
    );
}

#[test]
fn case_folders_are_numbered_uniquely_and_hold_a_platform() {
    let mut numbers = std::collections::BTreeSet::new();
    for case in cases() {
        let name = case.file_name().unwrap_or_default().to_string_lossy().into_owned();
        let (num, rest) = name.split_once('-').unwrap_or((&name, ""));
        assert!(num.chars().all(|c| c.is_ascii_digit()) && !rest.is_empty(), "name `{name}` is not NNN-short-name");
        assert!(numbers.insert(num.to_string()), "number {num} is used twice ({name})");
        assert!(
            case.join("platform.yaml").is_file() || case.join("environments").is_dir(),
            "{name} has neither platform.yaml nor environments/"
        );
    }
}
