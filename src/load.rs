//! Stage 1, load: read a platform folder into spanned YAML trees.
//!
//! Layout: `platform.yaml` (the base), `environments/<env>.yaml` (one overlay per
//! environment; the file name is the environment name), and optionally
//! `templates/engines/<engine>.yaml.j2` (engines added to or overriding the catalog)
//! and any files referenced with `from:`.

use crate::diag::{Diagnostic, Diagnostics};
use crate::source::{SourceMap, Span};
use crate::yaml::{self, Node};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const BASE_FILE: &str = "platform.yaml";
pub const ENV_DIR: &str = "environments";

/// A platform folder as read from disk.
#[derive(Debug)]
pub struct Loaded {
    pub dir: PathBuf,
    pub base: Node,
    /// Environment name → its overlay, sorted by name.
    pub envs: BTreeMap<String, Node>,
}

/// Reads the folder; every file that fails to read or parse is reported.
pub fn load(dir: &Path, sources: &mut SourceMap) -> Result<Loaded, Diagnostics> {
    let mut diags = Diagnostics::default();
    let base_path = dir.join(BASE_FILE);
    let base = match read_inside(dir, &base_path, sources).and_then(|n| require_map(n, true)) {
        Ok(n) => Some(n),
        Err(d) => {
            diags.push(d);
            None
        }
    };
    let mut envs = BTreeMap::new();
    for (name, path) in env_files(dir, &mut diags) {
        match read_inside(dir, &path, sources).and_then(|n| require_map(n, false)) {
            Ok(n) => {
                envs.insert(name, n);
            }
            Err(d) => diags.push(d),
        }
    }
    if base.is_some() && envs.is_empty() && diags.is_empty() {
        diags.push(
            Diagnostic::new(None, format!("{} has no environments", dir.display()))
                .help(format!("add {}/<env>.yaml, e.g. {}/dev.yaml holding `namespace: my-app-dev`", ENV_DIR, ENV_DIR)),
        );
    }
    match base {
        Some(base) if diags.is_empty() => Ok(Loaded { dir: dir.to_path_buf(), base, envs }),
        _ => {
            diags.sort();
            Err(diags)
        }
    }
}

/// Environment names and overlay paths, sorted by name (independent of directory listing order).
fn env_files(dir: &Path, diags: &mut Diagnostics) -> Vec<(String, PathBuf)> {
    let env_dir = dir.join(ENV_DIR);
    if let Err(d) = crate::confine::check(dir, &env_dir) {
        diags.push(d);
        return Vec::new();
    }
    let Ok(read) = std::fs::read_dir(&env_dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in read.flatten() {
        let path = entry.path();
        let Some(ext) = path.extension().and_then(|e| e.to_str()) else {
            continue;
        };
        if ext != "yaml" && ext != "yml" {
            continue;
        }
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if !crate::validate::is_dns_label(stem) {
            diags.push(
                Diagnostic::new(None, format!("{}: `{stem}` is not a valid environment name", path.display()))
                    .help("name environment files with lowercase letters, digits and '-', e.g. prod.yaml"),
            );
            continue;
        }
        if out.iter().any(|(n, _): &(String, PathBuf)| n == stem) {
            diags.push(Diagnostic::new(
                None,
                format!("environment `{stem}` is defined by both {stem}.yaml and {stem}.yml"),
            ));
            continue;
        }
        out.push((stem.to_string(), path));
    }
    out.sort();
    out
}

/// A spec file must hold a map (an overlay may also be empty).
fn require_map(n: Node, base: bool) -> Result<Node, Diagnostic> {
    match n.kind {
        crate::yaml::NodeKind::Map(_) => Ok(n),
        crate::yaml::NodeKind::Null if !base => Ok(n),
        crate::yaml::NodeKind::Null => Err(Diagnostic::at(n.span, "platform.yaml is empty")
            .help("start with `platform: <name>` followed by services: and databases:")),
        _ => Err(Diagnostic::at(n.span, format!("expected a map of spec fields, found {}", n.describe())).help(
            if base {
                "start with `platform: <name>`"
            } else {
                "write the fields that differ in this environment, e.g. `namespace: my-app-prod`"
            },
        )),
    }
}

/// [`read_yaml`] of a file that must resolve inside the platform folder `dir`.
fn read_inside(dir: &Path, path: &Path, sources: &mut SourceMap) -> Result<Node, Diagnostic> {
    crate::confine::check(dir, path)?;
    read_yaml(path, sources)
}

/// Reads and parses one YAML file, registering it for diagnostics.
pub fn read_yaml(path: &Path, sources: &mut SourceMap) -> Result<Node, Diagnostic> {
    let text = read_text(path)?;
    let id = sources.add(path, text);
    yaml::parse(&sources.file(id).text, id)
}

/// Reads a UTF-8 file, turning I/O failures into a diagnostic.
pub fn read_text(path: &Path) -> Result<String, Diagnostic> {
    // Check before reading: a device or FIFO would never end, a huge file would exhaust memory.
    if let Ok(meta) = std::fs::metadata(path) {
        if !meta.is_file() {
            return Err(Diagnostic::new(None, format!("{} is not a regular file", path.display())));
        }
        if meta.len() > yaml::node::MAX_BYTES as u64 {
            return Err(Diagnostic::new(
                None,
                format!(
                    "{} is {} bytes; genk8s reads files up to {} bytes",
                    path.display(),
                    meta.len(),
                    yaml::node::MAX_BYTES
                ),
            ));
        }
    }
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::new(None, format!("cannot read {}: {e}", path.display())).help(if path.ends_with(BASE_FILE) {
            "run genk8s in a platform folder (one holding platform.yaml) or pass one with -p DIR"
        } else {
            "check the path"
        })
    })?;
    if bytes.len() > yaml::node::MAX_BYTES {
        return Err(Diagnostic::new(
            None,
            format!(
                "{} is {} bytes; genk8s reads files up to {} bytes",
                path.display(),
                bytes.len(),
                yaml::node::MAX_BYTES
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|e| not_utf8(path, e.as_bytes(), e.utf8_error().valid_up_to()))
}

/// "FILE:LINE:COL: not UTF-8 text", at the first byte that is not UTF-8.
fn not_utf8(path: &Path, bytes: &[u8], offset: usize) -> Diagnostic {
    let before = String::from_utf8_lossy(&bytes[..offset]);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Diagnostic::new(None, format!("{}:{line}:{col}: not UTF-8 text (byte 0x{:02x})", path.display(), bytes[offset]))
        .help("save the file as UTF-8")
}

/// Span of the first line of a file, for whole-file problems.
pub fn file_start(node: &Node) -> Span {
    Span { line: 1, col: 1, ..node.span }
}

#[cfg(test)]
mod utf8_tests {
    #[test]
    fn invalid_utf8_is_located_by_line_and_column() {
        let d = super::not_utf8(std::path::Path::new("p.yaml"), b"a: 1\nb: \xc3\xa9\xff\n", 10);
        assert_eq!(d.message, "p.yaml:2:5: not UTF-8 text (byte 0xff)");
    }
}
