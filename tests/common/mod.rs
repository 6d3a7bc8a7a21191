//! Helpers the integration tests share: a platform folder with a dev overlay, and its build
//! read back with genk8s's own YAML loader. Each test crate uses a subset of them.
#![allow(dead_code)]

use assert_cmd::Command;
use genk8s::yaml::{Node, parse};
use std::path::Path;

/// `platform.yaml` with `base` and an overlay `environments/dev.yaml` setting the namespace.
pub fn write(dir: &Path, base: &str) {
    std::fs::create_dir_all(dir.join("environments")).unwrap();
    std::fs::write(dir.join("platform.yaml"), base).unwrap();
    std::fs::write(dir.join("environments/dev.yaml"), "namespace: t-dev\n").unwrap();
}

/// The objects of `genk8s build dev -p DIR`, which must succeed.
pub fn build(dir: &Path) -> Vec<Node> {
    let out = Command::cargo_bin("genk8s").unwrap().args(["build", "dev", "-p"]).arg(dir).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    text.split("---\n").filter(|d| !d.trim().is_empty()).map(|d| parse(d, 0).unwrap()).collect()
}
