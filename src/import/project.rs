//! The Compose project: every file given on the command line merged in order
//! (Compose merge rules, [`super::merge`]), each read, stripped of `x-*` fields and
//! interpolated first, with `include:` and `extends:` resolved. Paths written in an
//! included or extended file are relative to that file; they are rewritten relative
//! to the project folder (the first file's folder), outside which nothing is read.

use super::Finding;
use super::interpolate::Vars;
use super::merge::{merge_root, merge_service};
use super::prepare::{interpolate_tree, strip_extensions};
use crate::diag::Diagnostic;
use crate::source::{SourceMap, Span};
use crate::yaml::node::Entry;
use crate::yaml::{Node, NodeKind};
use std::path::{Component, Path, PathBuf};

/// Deepest chain of `include:` and `extends: {file:}` followed.
const MAX_DEPTH: usize = 16;

/// Reads the files of one Compose project.
pub(super) struct Loader<'a> {
    /// The project folder (the first Compose file's folder).
    pub(super) dir: &'a Path,
    pub(super) vars: &'a Vars,
    pub(super) sources: &'a mut SourceMap,
    pub(super) findings: Vec<Finding>,
    depth: usize,
}

impl<'a> Loader<'a> {
    pub(super) fn new(dir: &'a Path, vars: &'a Vars, sources: &'a mut SourceMap) -> Self {
        Loader { dir, vars, sources, findings: Vec::new(), depth: 0 }
    }

    /// Loads and merges the Compose files (paths as given on the command line).
    pub(super) fn load(&mut self, files: &[PathBuf]) -> Result<Node, Diagnostic> {
        let mut acc: Option<Node> = None;
        for f in files {
            let rel = relative_to(f, self.dir);
            let node = self.load_file(f, rel.parent().unwrap_or(Path::new("")), None)?;
            acc = Some(match acc {
                None => node,
                Some(base) => merge_root(base, node),
            });
        }
        acc.ok_or_else(|| Diagnostic::new(None, "no Compose file given"))
    }

    /// One file: parsed, interpolated, its paths rebased onto the project folder
    /// (`rel_dir` is its folder relative to the project), then `include` and `extends`.
    fn load_file(&mut self, full: &Path, rel_dir: &Path, at: Option<Span>) -> Result<Node, Diagnostic> {
        if self.depth > MAX_DEPTH {
            return Err(Diagnostic::new(
                at,
                format!("`include:` or `extends:` nest deeper than {MAX_DEPTH} files (a cycle?)"),
            )
            .help("check that no Compose file includes or extends itself"));
        }
        let text = crate::source::read_text(full).map_err(|e| {
            let d: Diagnostic = e.into();
            Diagnostic { span: at.or(d.span), ..d }
        })?;
        let id = self.sources.add(full, text);
        let root = super::yaml::parse(&self.sources.file(id).text, id)?;
        if !matches!(root.kind, NodeKind::Map(_)) {
            return Err(Diagnostic::at(
                root.span,
                format!("expected a Compose file (a map with services:), found {}", root.describe()),
            )
            .help("pass the docker-compose.yml (or compose.yaml) of the project"));
        }
        let mut root = strip_extensions(root);
        interpolate_tree(&mut root, "", self.vars, &mut self.findings)?;
        if !rel_dir.as_os_str().is_empty() {
            rebase(&mut root, rel_dir);
        }
        self.depth += 1;
        let r = self.include(&mut root).and_then(|()| self.extends(&mut root));
        self.depth -= 1;
        r?;
        Ok(root)
    }

    /// A path written in the project (relative to its folder) → the file to read,
    /// refused when it leaves the project folder.
    pub(super) fn file(&self, rel: &str, at: Span) -> Result<(PathBuf, PathBuf), Diagnostic> {
        inside(self.dir, rel).map_err(|m| {
            Diagnostic::at(at, m).help("Compose files, env files and configs are read only inside the project folder")
        })
    }

    /// `include:` → the included files' resources, added to this file's (a name defined twice is an error).
    fn include(&mut self, root: &mut Node) -> Result<(), Diagnostic> {
        let NodeKind::Map(entries) = &mut root.kind else { return Ok(()) };
        let Some(i) = entries.iter().position(|e| e.key == "include") else { return Ok(()) };
        let inc = entries.remove(i);
        let items: Vec<Node> = match inc.value.kind {
            NodeKind::Seq(items) => items,
            NodeKind::Null => Vec::new(),
            _ => vec![inc.value],
        };
        for item in items {
            let paths: Vec<(String, Span)> = match &item.kind {
                NodeKind::Scalar { text, .. } => vec![(text.clone(), item.span)],
                NodeKind::Map(_) => {
                    for e in item.entries().unwrap_or_default() {
                        if e.key != "path" {
                            self.findings.push(Finding {
                                level: super::Level::Warning,
                                span: e.key_span,
                                path: format!("include.{}", e.key),
                                message: "not supported by genk8s import: the included file is read with this project's folder and variables".into(),
                            });
                        }
                    }
                    super::conv::string_list(item.get("path")).into_iter().map(|p| (p, item.span)).collect()
                }
                _ => Vec::new(),
            };
            let mut included: Option<Node> = None;
            for (p, span) in paths {
                let (full, rel) = self.file(&p, span)?;
                let n = self.load_file(&full, rel.parent().unwrap_or(Path::new("")), Some(span))?;
                included = Some(match included {
                    None => n,
                    Some(b) => merge_root(b, n),
                });
            }
            if let Some(n) = included {
                add_resources(root, n, item.span)?;
            }
        }
        Ok(())
    }

    /// Resolves `extends:` of every service of `root`.
    fn extends(&mut self, root: &mut Node) -> Result<(), Diagnostic> {
        let Some(services) = root.get("services").and_then(Node::entries).map(<[Entry]>::to_vec) else { return Ok(()) };
        let mut resolved = Vec::new();
        for s in &services {
            if s.value.get("extends").is_some() {
                let v = self.extended(&services, &s.key, &mut Vec::new())?;
                resolved.push((s.key.clone(), v));
            }
        }
        let NodeKind::Map(top) = &mut root.kind else { return Ok(()) };
        let Some(NodeKind::Map(entries)) = top.iter_mut().find(|e| e.key == "services").map(|e| &mut e.value.kind)
        else {
            return Ok(());
        };
        for (name, v) in resolved {
            if let Some(e) = entries.iter_mut().find(|e| e.key == name) {
                e.value = v;
            }
        }
        Ok(())
    }

    /// Service `name` with its `extends:` chain merged in.
    fn extended(&mut self, services: &[Entry], name: &str, stack: &mut Vec<String>) -> Result<Node, Diagnostic> {
        let e = services.iter().find(|e| e.key == name).expect("callers pass a defined service");
        let Some(ext) = e.value.entry("extends") else { return Ok(e.value.clone()) };
        let (base_name, file) = match &ext.value.kind {
            NodeKind::Scalar { text, .. } => (text.clone(), None),
            NodeKind::Map(_) => (
                ext.value.get("service").and_then(Node::as_str).unwrap_or_default().to_string(),
                ext.value.get("file").and_then(Node::as_str).map(str::to_string),
            ),
            _ => return Err(Diagnostic::at(ext.key_span, "`extends` needs a service name or {service, file}")),
        };
        if stack.iter().any(|s| s == name) {
            return Err(Diagnostic::at(
                ext.key_span,
                format!("services.{name}.extends: a cycle ({} → {name})", stack.join(" → ")),
            )
            .help("a service cannot extend itself, directly or through others"));
        }
        stack.push(name.to_string());
        let base = match file {
            None => match services.iter().any(|s| s.key == base_name) {
                true => self.extended(services, &base_name, stack)?,
                false => return Err(missing_base(ext, name, &base_name, None)),
            },
            Some(f) => {
                let (full, rel) = self.file(&f, ext.value.span)?;
                let other = self.load_file(&full, rel.parent().unwrap_or(Path::new("")), Some(ext.value.span))?;
                match other.get("services").and_then(|s| s.get(&base_name)) {
                    Some(b) => b.clone(),
                    None => return Err(missing_base(ext, name, &base_name, Some(&f))),
                }
            }
        };
        stack.pop();
        let mut own = e.value.clone();
        if let NodeKind::Map(es) = &mut own.kind {
            es.retain(|x| x.key != "extends");
        }
        Ok(merge_service(base, own))
    }
}

fn missing_base(ext: &Entry, name: &str, base: &str, file: Option<&str>) -> Diagnostic {
    let place = file.map_or_else(|| "this file".to_string(), |f| format!("`{f}`"));
    Diagnostic::at(ext.key_span, format!("services.{name}.extends: `{base}` is not a service of {place}"))
        .help("name a service defined there")
}

/// Adds the top-level resources of an included file; a name already defined is an error.
fn add_resources(root: &mut Node, included: Node, at: Span) -> Result<(), Diagnostic> {
    let NodeKind::Map(inc) = included.kind else { return Ok(()) };
    let NodeKind::Map(entries) = &mut root.kind else { return Ok(()) };
    for section in inc {
        if !matches!(section.key.as_str(), "services" | "volumes" | "networks" | "configs" | "secrets") {
            continue;
        }
        let NodeKind::Map(items) = section.value.kind else { continue };
        let target = match entries.iter().position(|e| e.key == section.key) {
            Some(i) => i,
            None => {
                entries.push(Entry {
                    key: section.key.clone(),
                    key_span: section.key_span,
                    value: Node::map(section.value.span, Vec::new()),
                });
                entries.len() - 1
            }
        };
        let NodeKind::Map(existing) = &mut entries[target].value.kind else { continue };
        for item in items {
            if let Some(dup) = existing.iter().find(|e| e.key == item.key) {
                return Err(Diagnostic::at(
                    dup.key_span,
                    format!("{}.{} is also defined by an included file", section.key, item.key),
                )
                .help(format!(
                    "Compose refuses a name defined twice; rename one (included at {}:{})",
                    at.line, at.col
                )));
            }
            existing.push(item);
        }
    }
    Ok(())
}

/// `path` relative to `dir` when it is below it (lexically), else as given.
fn relative_to(path: &Path, dir: &Path) -> PathBuf {
    path.strip_prefix(dir).map_or_else(|_| path.file_name().map(PathBuf::from).unwrap_or_default(), Path::to_path_buf)
}

/// Lexically normalized `rel` (no `.`; `..` removes a component), or None when it leaves its root.
fn normalize(rel: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in rel.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::Normal(n) => out.push(n),
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// The file `rel` of project folder `dir`, and its normalized relative path; an
/// error when it is absolute or leaves the folder (also through a symlink).
pub(super) fn inside(dir: &Path, rel: &str) -> Result<(PathBuf, PathBuf), String> {
    let outside = || format!("`{rel}` is outside the Compose project folder; genk8s import does not read it");
    let norm = normalize(Path::new(rel)).ok_or_else(outside)?;
    let full = dir.join(&norm);
    if let (Ok(real), Ok(root)) = (std::fs::canonicalize(&full), std::fs::canonicalize(dir))
        && !real.starts_with(&root)
    {
        return Err(outside());
    }
    Ok((full, norm))
}

/// Rewrites the relative paths of a file in folder `prefix` (relative to the project)
/// so they are relative to the project folder.
fn rebase(root: &mut Node, prefix: &Path) {
    let re = |s: &str| -> String {
        if s.starts_with('/') || s.starts_with('~') {
            return s.to_string();
        }
        let joined = prefix.join(s);
        let n = normalize(&joined).unwrap_or(joined);
        format!("./{}", n.display())
    };
    let NodeKind::Map(entries) = &mut root.kind else { return };
    for e in entries.iter_mut() {
        match e.key.as_str() {
            "include" => map_strings(&mut e.value, &re, &["path"]),
            "configs" | "secrets" | "volumes" => {
                if let NodeKind::Map(items) = &mut e.value.kind {
                    for it in items {
                        map_field(&mut it.value, "file", &re);
                    }
                }
            }
            "services" => {
                if let NodeKind::Map(svcs) = &mut e.value.kind {
                    for s in svcs {
                        rebase_service(&mut s.value, &re);
                    }
                }
            }
            _ => {}
        }
    }
}

fn rebase_service(svc: &mut Node, re: &dyn Fn(&str) -> String) {
    let NodeKind::Map(fields) = &mut svc.kind else { return };
    for f in fields {
        match f.key.as_str() {
            "env_file" => map_strings(&mut f.value, re, &["path"]),
            "extends" => map_field(&mut f.value, "file", re),
            "volumes" => {
                if let NodeKind::Seq(items) = &mut f.value.kind {
                    for it in items {
                        let bind = it.get("type").and_then(Node::as_str) == Some("bind");
                        match &mut it.kind {
                            NodeKind::Scalar { text, .. } => {
                                if let Some((src, rest)) = text.split_once(':')
                                    && (src.starts_with('.') || (src.contains('/') && !src.starts_with('/')))
                                {
                                    *text = format!("{}:{rest}", re(src));
                                }
                            }
                            NodeKind::Map(_) if bind => map_field(it, "source", re),
                            _ => {}
                        }
                    }
                }
            }
            _ => {}
        }
    }
}

/// Applies `re` to a scalar, to each scalar of a list, and to `keys` of maps in it.
fn map_strings(n: &mut Node, re: &dyn Fn(&str) -> String, keys: &[&str]) {
    match &mut n.kind {
        NodeKind::Scalar { text, .. } => *text = re(text),
        NodeKind::Seq(items) => items.iter_mut().for_each(|i| map_strings(i, re, keys)),
        NodeKind::Map(es) => {
            for e in es.iter_mut().filter(|e| keys.contains(&e.key.as_str())) {
                map_strings(&mut e.value, re, &[]);
            }
        }
        NodeKind::Null => {}
    }
}

fn map_field(n: &mut Node, key: &str, re: &dyn Fn(&str) -> String) {
    if let NodeKind::Map(es) = &mut n.kind
        && let Some(e) = es.iter_mut().find(|e| e.key == key)
        && let NodeKind::Scalar { text, .. } = &mut e.value.kind
    {
        *text = re(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_stay_inside_the_project() {
        let dir = std::env::temp_dir();
        assert!(inside(&dir, "a/../b.env").is_ok());
        assert!(inside(&dir, "../etc/passwd").is_err());
        assert!(inside(&dir, "/etc/passwd").is_err());
        assert_eq!(normalize(Path::new("./x/./y/../z")), Some(PathBuf::from("x/z")));
    }

    #[test]
    fn included_paths_are_rebased() {
        let mut n = crate::yaml::parse(
            "services:\n  a:\n    env_file: [a.env, {path: ../b.env}]\n    volumes: ['./conf:/etc/x', 'data:/d', '/abs:/y']\nconfigs:\n  c: {file: ./c.conf}\n",
            0,
        )
        .unwrap();
        rebase(&mut n, Path::new("sub"));
        let a = n.get("services").unwrap().get("a").unwrap();
        let envs = a.get("env_file").unwrap();
        assert_eq!(node_text(envs), "./sub/a.env ./b.env");
        assert_eq!(node_text(a.get("volumes").unwrap()), "./sub/conf:/etc/x data:/d /abs:/y");
        assert_eq!(n.get("configs").unwrap().get("c").unwrap().get("file").unwrap().as_str(), Some("./sub/c.conf"));
    }

    fn node_text(n: &Node) -> String {
        match &n.kind {
            NodeKind::Seq(items) => items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map_or_else(|| i.get("path").and_then(Node::as_str).unwrap_or("?").to_string(), str::to_string)
                })
                .collect::<Vec<_>>()
                .join(" "),
            _ => n.as_str().unwrap_or("?").to_string(),
        }
    }
}
