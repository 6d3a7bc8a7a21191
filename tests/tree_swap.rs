//! `build -o OUT` under faults: a build killed (SIGKILL) while it writes, and builds
//! racing into one OUT, must leave OUT exactly one whole build — its
//! kustomization.yaml, every file it lists, and nothing of another build.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use tempfile::TempDir;

const PAUSE: &str = "GENK8S_TEST_PAUSE_BEFORE_SWAP";

/// A platform of `n` services named `<prefix>1..`; `a1` is in both specs with other images.
fn platform(dir: &Path, prefix: &str, n: usize) -> PathBuf {
    let mut text = format!("platform: demo\nservices:\n  a1:\n    image: ghcr.io/acme/{prefix}:1.0\n");
    for i in 2..=n {
        text.push_str(&format!("  {prefix}{i}:\n    image: ghcr.io/acme/{prefix}{i}:1.0\n    ports: {{http: 8080}}\n"));
    }
    let p = dir.join(prefix);
    fs::create_dir_all(p.join("environments")).unwrap();
    fs::write(p.join("platform.yaml"), text).unwrap();
    fs::write(p.join("environments/dev.yaml"), "{}\n").unwrap();
    p
}

fn build(spec: &Path, out: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_genk8s"));
    c.args(["build", "dev", "-p"]).arg(spec).arg("-o").arg(out).env_remove(PAUSE);
    c
}

/// Every file of a folder, name → content (no sub-folders in these trees).
fn read_tree(dir: &Path) -> BTreeMap<String, String> {
    fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| (e.file_name().into_string().unwrap(), fs::read_to_string(e.path()).unwrap()))
        .collect()
}

struct Fixture {
    _work: TempDir,
    specs: [PathBuf; 2],
    /// The tree of each spec, built alone into a fresh folder.
    trees: [BTreeMap<String, String>; 2],
    out: PathBuf,
}

fn fixture() -> Fixture {
    let work = TempDir::new().unwrap();
    let specs = [platform(work.path(), "x", 8), platform(work.path(), "y", 12)];
    let trees = [0, 1].map(|i| {
        let dir = work.path().join(format!("alone{i}"));
        assert!(build(&specs[i], &dir).status().unwrap().success());
        read_tree(&dir)
    });
    assert_ne!(trees[0]["deployment-a1.yaml"], trees[1]["deployment-a1.yaml"]);
    let out = work.path().join("deploy/out");
    Fixture { _work: work, specs, trees, out }
}

impl Fixture {
    /// OUT holds exactly one of the two builds, plus the foreign file NOTES.md when given.
    fn assert_one_whole_build(&self, foreign: bool) -> usize {
        let mut got = read_tree(&self.out);
        if foreign {
            assert_eq!(got.remove("NOTES.md").as_deref(), Some("kept\n"), "the foreign file is kept");
        }
        let kz = &got["kustomization.yaml"];
        for f in kz.lines().filter_map(|l| l.strip_prefix("- ")) {
            assert!(got.contains_key(f), "{f} is listed but missing");
        }
        match self.trees.iter().position(|t| *t == got) {
            Some(i) => i,
            None => panic!("OUT is not one whole build: {:?}", got.keys().collect::<Vec<_>>()),
        }
    }

    /// Entries beside OUT (lock file, staging folders).
    fn beside(&self) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(self.out.parent().unwrap())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().into_string().unwrap())
            .collect();
        v.sort();
        v
    }
}

/// Starts a build that pauses before its swap and waits until it has reached the pause.
fn paused(f: &Fixture, spec: usize) -> Child {
    let mut child = build(&f.specs[spec], &f.out).env(PAUSE, "20000").stderr(Stdio::piped()).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap()).read_line(&mut line).unwrap();
    assert_eq!(line, "genk8s: test pause before swap\n");
    child
}

#[test]
fn a_build_killed_before_its_swap_leaves_the_previous_build_and_is_cleaned_up() {
    let f = fixture();
    assert!(build(&f.specs[0], &f.out).status().unwrap().success());
    fs::write(f.out.join("NOTES.md"), "kept\n").unwrap();

    let mut child = paused(&f, 1);
    // Staged and locked: a second writer is refused with exit 2.
    let second = build(&f.specs[0], &f.out).output().unwrap();
    assert_eq!(second.status.code(), Some(2));
    let err = String::from_utf8_lossy(&second.stderr);
    assert!(err.contains("is being written by another genk8s build"), "{err}");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    assert_eq!(f.assert_one_whole_build(true), 0, "the killed build changed nothing");
    let left = f.beside();
    assert!(left.iter().any(|n| n.starts_with(".out.genk8s-stage-")), "the killed build's staging folder: {left:?}");

    assert!(build(&f.specs[1], &f.out).status().unwrap().success());
    assert_eq!(f.assert_one_whole_build(true), 1);
    assert_eq!(f.beside(), ["out"], "stale staging folder and lock file are gone");
}

#[test]
fn builds_killed_at_any_moment_leave_one_whole_build() {
    let f = fixture();
    assert!(build(&f.specs[0], &f.out).status().unwrap().success());
    fs::write(f.out.join("NOTES.md"), "kept\n").unwrap();
    for delay_ms in (0..40).step_by(2) {
        let spec = delay_ms / 2 % 2;
        let mut child = build(&f.specs[spec], &f.out).stderr(Stdio::null()).spawn().unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms as u64));
        let _ = child.kill();
        child.wait().unwrap();
        f.assert_one_whole_build(true);
    }
    assert!(build(&f.specs[0], &f.out).status().unwrap().success());
    assert_eq!(f.assert_one_whole_build(true), 0);
    assert_eq!(f.beside(), ["out"]);
}

#[test]
fn concurrent_builds_either_win_the_lock_or_fail_clearly() {
    let f = fixture();
    for round in 0..4 {
        let children: Vec<Child> =
            (0..3).map(|i| build(&f.specs[(i + round) % 2], &f.out).stderr(Stdio::piped()).spawn().unwrap()).collect();
        let mut won = 0;
        for c in children {
            let o = c.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&o.stderr);
            match o.status.code() {
                Some(0) => won += 1,
                Some(2) => assert!(err.contains("is being written by another genk8s build"), "{err}"),
                other => panic!("exit {other:?}: {err}"),
            }
        }
        assert!(won >= 1, "round {round}: no build succeeded");
        f.assert_one_whole_build(false);
        assert_eq!(f.beside(), ["out"]);
    }
}
