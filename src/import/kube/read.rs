//! Reading Kubernetes manifests: files and folders of multi-document YAML, each
//! document parsed with the project's spanned YAML layer so every finding can
//! name the file, line and column of the input.

use crate::diag::Diagnostic;
use crate::source::{SourceMap, Span};
use crate::yaml::Node;
use std::path::{Path, PathBuf};

/// One object of the input.
#[derive(Debug, Clone)]
pub struct Doc {
    pub node: Node,
    pub api_version: String,
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    /// The `# Source: chart/templates/x.yaml` comment `helm template` writes, if any.
    pub helm_source: Option<String>,
}

impl Doc {
    /// `Kind/name`, the key of `objects:` and `patches:`.
    pub fn key(&self) -> String {
        format!("{}/{}", self.kind, self.name)
    }

    pub fn span(&self) -> Span {
        self.node.entry("kind").map_or(self.node.span, |e| e.key_span)
    }

    /// The scalar at a path of map keys.
    pub fn str_at(&self, path: &[&str]) -> Option<&str> {
        at(&self.node, path).and_then(Node::as_str)
    }
}

/// The node at a path of map keys.
pub fn at<'n>(node: &'n Node, path: &[&str]) -> Option<&'n Node> {
    path.iter().try_fold(node, |n, k| n.get(k))
}

/// Where manifests come from: a file, or a kustomize folder built with `kubectl kustomize`.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    File(PathBuf),
    Kustomize(PathBuf),
}

/// A folder holding a kustomization (built with `kubectl kustomize`, not read file by file).
fn is_kustomization(dir: &Path) -> bool {
    ["kustomization.yaml", "kustomization.yml", "Kustomization"].iter().any(|f| dir.join(f).is_file())
}

/// Every `.yaml`/`.yml` file of the given paths (folders walked in name order), and
/// every kustomize folder among them.
pub fn files(paths: &[PathBuf]) -> Result<Vec<Input>, crate::Error> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out)?;
        } else if p.is_file() {
            out.push(Input::File(p.clone()));
        } else {
            return Err(crate::Error::Usage(format!("{} is neither a file nor a folder", p.display())));
        }
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<Input>) -> Result<(), crate::Error> {
    if is_kustomization(dir) {
        out.push(Input::Kustomize(dir.to_path_buf()));
        return Ok(());
    }
    let entries =
        std::fs::read_dir(dir).map_err(|e| crate::Error::Usage(format!("cannot read {}: {e}", dir.display())))?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            walk(&p, out)?;
        } else if p.extension().and_then(|e| e.to_str()).is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(Input::File(p));
        }
    }
    Ok(())
}

/// The objects `kubectl kustomize DIR` prints, as if read from `DIR (kubectl kustomize)`:
/// findings point at the lines of that output.
pub fn read_kustomize(dir: &Path, sources: &mut SourceMap) -> Result<Vec<Doc>, crate::Error> {
    let run = std::process::Command::new("kubectl").arg("kustomize").arg(dir).output().map_err(|e| {
        crate::Error::Usage(format!(
            "{} is a kustomize folder, and running `kubectl kustomize` failed: {e} (is kubectl installed?)",
            dir.display()
        ))
    })?;
    if !run.status.success() {
        return Err(crate::Error::Usage(format!(
            "kubectl kustomize {} failed:\n{}",
            dir.display(),
            String::from_utf8_lossy(&run.stderr).trim_end()
        )));
    }
    let text = String::from_utf8(run.stdout).map_err(|_| {
        crate::Error::Usage(format!("kubectl kustomize {} printed text that is not UTF-8", dir.display()))
    })?;
    let shown = PathBuf::from(format!("{} (kubectl kustomize)", dir.display()));
    read_text(&shown, text, sources).map_err(|d| {
        let mut ds = crate::diag::Diagnostics::default();
        ds.push(d);
        crate::Error::Spec(ds.render(sources))
    })
}

/// Reads and parses every document of `path`. Empty documents are skipped; a
/// `List` (what `kubectl get -o yaml` prints) is unpacked into its items.
pub fn read_file(path: &Path, sources: &mut SourceMap) -> Result<Vec<Doc>, Diagnostic> {
    let text = crate::source::read_text(path).map_err(Diagnostic::from)?;
    read_text(path, text, sources)
}

/// Parses the documents of `text` (read from `path`).
pub fn read_text(path: &Path, text: String, sources: &mut SourceMap) -> Result<Vec<Doc>, Diagnostic> {
    let id = sources.add(path, text.clone());
    let mut docs = Vec::new();
    for (start, body, helm_source) in documents(&text) {
        // Blank lines before the document keep every line number exact.
        let padded = format!("{}{body}", "\n".repeat(start));
        let node = crate::yaml::parse(&padded, id)?;
        if node.is_null() {
            continue;
        }
        if node.get("kind").and_then(Node::as_str) == Some("List") {
            if let Some(crate::yaml::NodeKind::Seq(items)) = node.get("items").map(|n| &n.kind) {
                for item in items {
                    docs.push(doc(item.clone(), helm_source.clone())?);
                }
            }
            continue;
        }
        docs.push(doc(node, helm_source)?);
    }
    Ok(docs)
}

fn doc(node: Node, helm_source: Option<String>) -> Result<Doc, Diagnostic> {
    if node.entries().is_none() {
        return Err(Diagnostic::at(
            node.span,
            format!("expected a Kubernetes object (a map), found {}", node.describe()),
        )
        .help("each YAML document must hold one object with apiVersion, kind and metadata.name"));
    }
    let field = |k: &str| node.get(k).and_then(Node::as_str).map(str::to_string);
    let meta = |k: &str| at(&node, &["metadata", k]).and_then(Node::as_str).map(str::to_string);
    let (Some(api_version), Some(kind)) = (field("apiVersion"), field("kind")) else {
        return Err(Diagnostic::at(node.span, "this document has no apiVersion or kind")
            .help("each YAML document must hold one Kubernetes object with apiVersion, kind and metadata.name"));
    };
    let Some(name) = meta("name") else {
        return Err(Diagnostic::at(
            node.entry("kind").map_or(node.span, |e| e.value.span),
            format!("this {kind} has no metadata.name"),
        )
        .help("give the object a name (generateName is not supported)"));
    };
    let namespace = meta("namespace");
    Ok(Doc { node, api_version, kind, name, namespace, helm_source })
}

/// The documents of a multi-document stream: (lines before the body, body, the
/// `# Source:` comment in the document's leading comments).
fn documents(text: &str) -> Vec<(usize, String, Option<String>)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut body = String::new();
    let mut source = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed.starts_with("--- ") || trimmed == "..." {
            out.push((start, std::mem::take(&mut body), source.take()));
            start = i + 1;
            continue;
        }
        if let Some(s) = trimmed.strip_prefix("# Source: ") {
            source.get_or_insert_with(|| s.trim().to_string());
        }
        body.push_str(line);
        body.push('\n');
    }
    out.push((start, body, source));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_keep_their_lines() {
        let text = "# Source: web/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata: {name: a}\n---\n\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n".to_string();
        let mut sources = SourceMap::default();
        let docs = read_text(Path::new("x.yaml"), text, &mut sources).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].helm_source.as_deref(), Some("web/templates/svc.yaml"));
        assert_eq!(docs[1].key(), "ConfigMap/b");
        assert_eq!(docs[1].span().line, 9);
        assert_eq!(at(&docs[1].node, &["metadata", "name"]).unwrap().span.line, 11);
    }

    #[test]
    fn a_document_without_kind_is_an_error_at_it() {
        let mut sources = SourceMap::default();
        let e = read_text(Path::new("x.yaml"), "a: 1\n---\nfoo: bar\n".into(), &mut sources).unwrap_err();
        assert!(e.message.contains("no apiVersion or kind"), "{}", e.message);
    }
}
