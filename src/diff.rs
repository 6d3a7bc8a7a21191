//! Drift: compare the tree `genk8s build ENV -o DIR` would write with the tree in DIR.
//!
//! [`compare`] is pure (expected files and files on disk in, a [`Report`] out). It
//! reports per object what was added, removed or changed, naming each changed field
//! by its path with the old and new values (`Deployment/api: spec.replicas 3 → 5`),
//! and gives a unified diff per file. Items of lists of named maps (containers, env,
//! ports, volumes, …) are named in paths by their `name`
//! (`spec.template.spec.containers[api].env[LOG_LEVEL].value`), other list items by index.
//!
//! The rest reads DIR and renders the verdict for `genk8s diff` and `genk8s build --check`.

use crate::immutable::{self, Rejection};
use crate::yaml::emit::is_plain_safe;
use crate::yaml::node::Entry;
use crate::yaml::{Node, NodeKind, parse};
use crate::{Build, Error, emit};
use similar::{Algorithm, ChangeTag, DiffTag, TextDiff, capture_diff_slices};
use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal as _;
use std::path::{Path, PathBuf};

/// The files of a tree: file name → content.
pub type Files = BTreeMap<String, String>;

/// Field changes listed per object; the rest are counted.
const MAX_FIELDS: usize = 20;
/// Longest value shown in the summary, in characters.
const MAX_VALUE: usize = 60;
const ABSENT: &str = "(absent)";

/// One changed field: its path and its rendered values on disk (`old`) and in the build (`new`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldChange {
    pub path: String,
    pub old: Option<String>,
    pub new: Option<String>,
}

/// What differs in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// The build writes a file that is not on disk.
    Added,
    /// A file genk8s wrote is on disk and the build would delete it.
    Removed,
    /// Both exist and differ; the changed fields (none when only order, quoting or comments differ).
    Changed(Vec<FieldChange>),
    /// Both exist and differ, and one of them is not valid YAML (the reason).
    Unreadable(String),
}

/// One file that differs, with the object it holds (`Kind/name`, or the file name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub file: String,
    pub object: String,
    pub status: Status,
    /// Changes of fields the API server will not update in place.
    pub rejected: Vec<Rejection>,
}

/// The result of [`compare`].
#[derive(Debug, Clone)]
pub struct Report {
    /// The files that differ, by file name.
    pub changes: Vec<FileChange>,
    /// `no drift (N files)`, or a count line followed by one line per object or field.
    pub summary: String,
    /// A unified diff per differing file, from disk (`a/`) to the build (`b/`), without colour.
    pub unified: String,
    colored: String,
}

impl Report {
    pub fn is_drift(&self) -> bool {
        !self.changes.is_empty()
    }

    /// [`Report::unified`] with ANSI colours: removed lines red, added green, hunk headers cyan.
    pub fn unified_colored(&self) -> &str {
        &self.colored
    }
}

/// Compares the files a build would write (`expected`) with the files on disk (`actual`).
pub fn compare(expected: &Files, actual: &Files) -> Report {
    let mut changes = Vec::new();
    for (file, new) in expected {
        match actual.get(file) {
            Some(old) if old == new => {}
            Some(old) => changes.push(changed(file, old, new)),
            None => changes.push(FileChange {
                file: file.clone(),
                object: label(file, new),
                status: Status::Added,
                rejected: Vec::new(),
            }),
        }
    }
    for (file, old) in actual.iter().filter(|(f, _)| !expected.contains_key(*f)) {
        changes.push(FileChange {
            file: file.clone(),
            object: label(file, old),
            status: Status::Removed,
            rejected: Vec::new(),
        });
    }
    changes.sort_by(|a, b| a.file.cmp(&b.file));
    let texts: Vec<(&str, Option<&str>, Option<&str>)> = changes
        .iter()
        .map(|c| (c.file.as_str(), actual.get(&c.file).map(String::as_str), expected.get(&c.file).map(String::as_str)))
        .collect();
    Report {
        summary: summary(&changes, expected.len()),
        unified: unified(&texts, false),
        colored: unified(&texts, true),
        changes,
    }
}

fn changed(file: &str, old: &str, new: &str) -> FileChange {
    let mut rejected = Vec::new();
    let status = match (parse(old, 0), parse(new, 0)) {
        (Ok(a), Ok(b)) => {
            let mut fields = Vec::new();
            diff_node(&mut String::new(), &a, &b, &mut fields);
            rejected = immutable::check(&a, &b);
            Status::Changed(fields)
        }
        (Err(e), _) => Status::Unreadable(format!("not valid YAML on disk ({})", describe(&e))),
        (_, Err(e)) => Status::Unreadable(format!("the build is not valid YAML ({})", describe(&e))),
    };
    FileChange { file: file.to_string(), object: label(file, new), status, rejected }
}

fn describe(d: &crate::diag::Diagnostic) -> String {
    match d.span {
        Some(s) => format!("line {}: {}", s.line, d.message),
        None => d.message.clone(),
    }
}

/// `Kind/name` of the object in `text`, or the file name when it holds none.
fn label(file: &str, text: &str) -> String {
    let Ok(node) = parse(text, 0) else { return file.to_string() };
    let kind = node.get("kind").and_then(Node::as_str);
    let name = node.get("metadata").and_then(|m| m.get("name")).and_then(Node::as_str);
    match (kind, name) {
        (Some(k), Some(n)) => format!("{k}/{n}"),
        _ => file.to_string(),
    }
}

// ---------------------------------------------------------------------------
// Field paths
// ---------------------------------------------------------------------------

/// Appends to `out` every field that differs between `old` and `new`, below `path`.
fn diff_node(path: &mut String, old: &Node, new: &Node, out: &mut Vec<FieldChange>) {
    match (&old.kind, &new.kind) {
        (NodeKind::Map(a), NodeKind::Map(b)) => diff_maps(path, a, b, out),
        (NodeKind::Seq(a), NodeKind::Seq(b)) => match (names(a), names(b)) {
            (Some(na), Some(nb)) => diff_named(path, (a, &na), (b, &nb), out),
            _ => diff_indexed(path, a, b, out),
        },
        _ if canonical(old) == canonical(new) => {}
        _ => out.push(field(path, Some(old), Some(new))),
    }
}

fn diff_maps(path: &mut String, old: &[Entry], new: &[Entry], out: &mut Vec<FieldChange>) {
    for e in new {
        let old_value = old.iter().find(|o| o.key == e.key).map(|o| &o.value);
        at(path, &key_segment(&e.key), |path| match old_value {
            Some(o) => diff_node(path, o, &e.value, out),
            None => out.push(field(path, None, Some(&e.value))),
        });
    }
    for o in old.iter().filter(|o| !new.iter().any(|e| e.key == o.key)) {
        at(path, &key_segment(&o.key), |path| out.push(field(path, Some(&o.value), None)));
    }
}

/// The `name` of every item when all items are maps with distinct scalar names.
fn names(items: &[Node]) -> Option<Vec<&str>> {
    let names: Vec<&str> = items.iter().map(|i| i.get("name").and_then(Node::as_str)).collect::<Option<_>>()?;
    let distinct: BTreeSet<&&str> = names.iter().collect();
    (distinct.len() == names.len()).then_some(names)
}

type Named<'a> = (&'a [Node], &'a [&'a str]);

fn diff_named(path: &mut String, (old, old_names): Named, (new, new_names): Named, out: &mut Vec<FieldChange>) {
    for (item, name) in new.iter().zip(new_names) {
        let before = old_names.iter().position(|n| n == name).and_then(|i| old.get(i));
        at(path, &name_segment(name), |path| match before {
            Some(o) => diff_node(path, o, item, out),
            None => out.push(field(path, None, Some(item))),
        });
    }
    for (item, name) in old.iter().zip(old_names).filter(|(_, n)| !new_names.contains(n)) {
        at(path, &name_segment(name), |path| out.push(field(path, Some(item), None)));
    }
}

/// Lists without names: items are aligned by content first (so an insertion does not
/// shift every later item), then the unaligned ones are compared position by position.
fn diff_indexed(path: &mut String, old: &[Node], new: &[Node], out: &mut Vec<FieldChange>) {
    let a: Vec<String> = old.iter().map(canonical).collect();
    let b: Vec<String> = new.iter().map(canonical).collect();
    for op in capture_diff_slices(Algorithm::Myers, &a, &b) {
        let (tag, olds, news) = op.as_tag_tuple();
        if tag == DiffTag::Equal {
            continue;
        }
        for k in 0..olds.len().max(news.len()) {
            let o = if k < olds.len() { old.get(olds.start + k) } else { None };
            let n = if k < news.len() { new.get(news.start + k) } else { None };
            let index = if n.is_some() { news.start + k } else { olds.start + k };
            at(path, &format!("[{index}]"), |path| match (o, n) {
                (Some(o), Some(n)) => diff_node(path, o, n, out),
                (o, n) => out.push(field(path, o, n)),
            });
        }
    }
}

/// Runs `f` with `segment` appended to `path`, then restores `path`.
fn at(path: &mut String, segment: &str, f: impl FnOnce(&mut String)) {
    let len = path.len();
    if !path.is_empty() && !segment.starts_with('[') {
        path.push('.');
    }
    path.push_str(segment);
    f(path);
    path.truncate(len);
}

fn is_simple(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/'))
}

/// `replicas`, or `["app.kubernetes.io/name"]` for keys a dot would make ambiguous.
fn key_segment(key: &str) -> String {
    if is_simple(key) { key.to_string() } else { format!("[{key:?}]") }
}

/// `[api]`, or `["my name"]` for names a bracket, quote or space would make ambiguous.
fn name_segment(name: &str) -> String {
    if name.is_empty() || name.contains(['[', ']', '"']) || name.contains(char::is_whitespace) {
        format!("[{name:?}]")
    } else {
        format!("[{name}]")
    }
}

fn field(path: &str, old: Option<&Node>, new: Option<&Node>) -> FieldChange {
    let show = |n: &Node| shorten(&canonical(n));
    let path = if path.is_empty() { "(document)".to_string() } else { path.to_string() };
    FieldChange { path, old: old.map(show), new: new.map(show) }
}

/// One-line flow rendering that tells apart what a YAML reader would read differently:
/// `3` (a number) and `"3"` (a string) differ, `api` and `"api"` do not.
fn canonical(node: &Node) -> String {
    match &node.kind {
        NodeKind::Null => "null".to_string(),
        NodeKind::Scalar { text, plain } if *plain || is_plain_safe(text) => text.clone(),
        NodeKind::Scalar { text, .. } => format!("{text:?}"),
        NodeKind::Seq(items) => format!("[{}]", items.iter().map(canonical).collect::<Vec<_>>().join(", ")),
        NodeKind::Map(entries) => {
            let key = |k: &str| if is_plain_safe(k) { k.to_string() } else { format!("{k:?}") };
            let body: Vec<String> =
                entries.iter().map(|e| format!("{}: {}", key(&e.key), canonical(&e.value))).collect();
            format!("{{{}}}", body.join(", "))
        }
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= MAX_VALUE {
        return s.to_string();
    }
    let cut: String = s.chars().take(MAX_VALUE - 1).collect();
    format!("{cut}…")
}

// ---------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------

fn summary(changes: &[FileChange], files: usize) -> String {
    if changes.is_empty() {
        return format!("no drift ({files} files)\n");
    }
    let count = |f: fn(&Status) -> bool| changes.iter().filter(|c| f(&c.status)).count();
    let added = count(|s| matches!(s, Status::Added));
    let removed = count(|s| matches!(s, Status::Removed));
    let mut out = format!("drift: {added} added, {removed} removed, {} changed\n", changes.len() - added - removed);
    let mut ordered: Vec<&FileChange> = changes.iter().collect();
    ordered.sort_by_key(|c| match c.status {
        Status::Added => 0,
        Status::Removed => 1,
        Status::Changed(_) | Status::Unreadable(_) => 2,
    });
    for c in ordered {
        summary_lines(c, &mut out);
    }
    rejected_lines(changes, &mut out);
    out
}

/// One line per change `kubectl apply` would fail on, with what to do instead.
fn rejected_lines(changes: &[FileChange], out: &mut String) {
    let count: usize = changes.iter().map(|c| c.rejected.len()).sum();
    if count == 0 {
        return;
    }
    out.push_str(&format!("{count} change(s) the API server would reject (immutable fields):\n"));
    for c in changes {
        for r in &c.rejected {
            out.push_str(&format!("  rejected {}: {} {}\n", c.object, r.field, r.advice));
        }
    }
}

fn summary_lines(c: &FileChange, out: &mut String) {
    let object = &c.object;
    match &c.status {
        Status::Added => out.push_str(&format!("  added    {object} ({})\n", c.file)),
        Status::Removed => out.push_str(&format!("  removed  {object} ({})\n", c.file)),
        Status::Unreadable(why) => out.push_str(&format!("  changed  {object}: {why}\n")),
        Status::Changed(fields) if fields.is_empty() => {
            out.push_str(&format!("  changed  {object}: no field changed (order, quoting or comments differ)\n"));
        }
        Status::Changed(fields) => {
            for f in fields.iter().take(MAX_FIELDS) {
                let (old, new) = (f.old.as_deref().unwrap_or(ABSENT), f.new.as_deref().unwrap_or(ABSENT));
                out.push_str(&format!("  changed  {object}: {} {old} → {new}\n", f.path));
            }
            if fields.len() > MAX_FIELDS {
                out.push_str(&format!("  changed  {object}: … and {} more\n", fields.len() - MAX_FIELDS));
            }
        }
    }
}

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// Appends `line` (without its newline) in `color` when colouring, then a newline.
fn push_line(out: &mut String, color: Option<&str>, line: &str) {
    match color {
        Some(c) => out.push_str(&format!("{c}{line}{RESET}\n")),
        None => out.push_str(&format!("{line}\n")),
    }
}

/// Unified diffs of `(file, on disk, built)` triples.
fn unified(files: &[(&str, Option<&str>, Option<&str>)], color: bool) -> String {
    let paint = |c: &'static str| color.then_some(c);
    let mut out = String::new();
    for (file, old, new) in files {
        let a = if old.is_some() { format!("a/{file}") } else { "/dev/null".to_string() };
        let b = if new.is_some() { format!("b/{file}") } else { "/dev/null".to_string() };
        push_line(&mut out, paint(BOLD), &format!("--- {a}"));
        push_line(&mut out, paint(BOLD), &format!("+++ {b}"));
        let diff = TextDiff::from_lines(old.unwrap_or(""), new.unwrap_or(""));
        for hunk in diff.unified_diff().iter_hunks() {
            push_line(&mut out, paint(CYAN), &hunk.header().to_string());
            for change in hunk.iter_changes() {
                let (sign, c) = match change.tag() {
                    ChangeTag::Delete => ('-', paint(RED)),
                    ChangeTag::Insert => ('+', paint(GREEN)),
                    ChangeTag::Equal => (' ', None),
                };
                let text = change.value();
                push_line(&mut out, c, &format!("{sign}{}", text.strip_suffix('\n').unwrap_or(text)));
                if change.missing_newline() {
                    out.push_str("\\ No newline at end of file\n");
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Command line: reading trees and printing verdicts
// ---------------------------------------------------------------------------

/// `--color` of `genk8s diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when stdout is a terminal and NO_COLOR is not set
    Auto,
    /// Always colour
    Always,
    /// Never colour
    Never,
}

impl ColorChoice {
    pub fn enabled(self) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
    }
}

/// What to print of each report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    /// The summary only (`build --check`).
    Summary,
    /// The summary and the unified diff (`diff`).
    Full { color: bool },
}

/// What a successful run found: exit code 0 or 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing to report (exit 0).
    Clean,
    /// Findings: drift, or lint at or above the failure level (exit 1).
    Findings,
}

/// The verdict over one or more trees: the text to print and whether any drifted.
#[derive(Debug, Clone)]
pub struct Verdict {
    pub text: String,
    pub drift: bool,
}

impl Verdict {
    pub fn outcome(&self) -> Outcome {
        if self.drift { Outcome::Findings } else { Outcome::Clean }
    }
}

/// The trees `build -o OUT` writes: OUT, or with `--all` OUT/<env> for each environment
/// and OUT/cluster for the cluster-scoped objects they share.
pub fn expected_trees(mut builds: Vec<Build>, out: &Path, all: bool) -> Result<Vec<(PathBuf, Files)>, Error> {
    if !all {
        return Ok(builds
            .into_iter()
            .map(|b| (out.to_path_buf(), emit::tree(b.objects, &b.platform, &b.env)))
            .collect());
    }
    let shared = crate::cluster::split(&mut builds)?;
    let platform = builds.first().map(|b| b.platform.clone());
    let mut trees: Vec<(PathBuf, Files)> =
        builds.into_iter().map(|b| (out.join(&b.env), emit::tree(b.objects, &b.platform, &b.env))).collect();
    if let (false, Some(platform)) = (shared.is_empty(), platform) {
        trees.push((out.join(crate::cluster::TREE), emit::cluster_tree(shared, &platform)));
    }
    Ok(trees)
}

/// The files of `dir` a build of `expected` concerns: the files it would write and the
/// files the previous genk8s run wrote (listed in its kustomization.yaml). Other files
/// are not genk8s's and are left out. A missing `dir` is an empty tree.
pub fn read_tree(dir: &Path, expected: &Files) -> Result<Files, Error> {
    let owned = emit::owned_files(dir).map_err(Error::Output)?;
    let mut files = Files::new();
    for name in owned.iter().chain(expected.keys()) {
        let p = dir.join(name);
        match std::fs::read(&p) {
            Ok(bytes) => {
                // Valid UTF-8 (every file genk8s wrote) is taken as it is, not copied.
                let text =
                    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
                files.insert(name.clone(), text);
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::Output(format!("cannot read {}: {e}", p.display()))),
        }
    }
    Ok(files)
}

/// Compares every tree with its folder and renders the reports.
pub fn check_trees(trees: &[(PathBuf, Files)], show: Show) -> Result<Verdict, Error> {
    let mut verdict = Verdict { text: String::new(), drift: false };
    for (dir, expected) in trees {
        let report = compare(expected, &read_tree(dir, expected)?);
        verdict.drift |= report.is_drift();
        verdict.text.push_str(&format!("{}: {}", dir.display(), report.summary));
        match show {
            Show::Full { color } if report.is_drift() => {
                verdict.text.push('\n');
                verdict.text.push_str(if color { report.unified_colored() } else { &report.unified });
            }
            _ => {}
        }
    }
    Ok(verdict)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(items: &[(&str, &str)]) -> Files {
        items.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    fn deployment(replicas: &str, level: &str) -> String {
        format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: {replicas}\n  template:\n    spec:\n      containers:\n      - env:\n        - name: A\n          value: x\n        - name: LOG_LEVEL\n          value: {level}\n        name: api\n"
        )
    }

    fn fields(report: &Report) -> Vec<String> {
        report
            .changes
            .iter()
            .flat_map(|c| match &c.status {
                Status::Changed(f) => f
                    .iter()
                    .map(|f| {
                        format!(
                            "{} {} → {}",
                            f.path,
                            f.old.as_deref().unwrap_or(ABSENT),
                            f.new.as_deref().unwrap_or(ABSENT)
                        )
                    })
                    .collect(),
                s => vec![format!("{s:?}")],
            })
            .collect()
    }

    #[test]
    fn immutable_field_changes_are_reported_with_advice() {
        let job = |image: &str| {
            format!(
                "kind: Job\nmetadata: {{name: m}}\nspec:\n  template:\n    spec:\n      containers: [{{name: m, image: {image}}}]\n"
            )
        };
        let r = compare(&files(&[("job-m.yaml", &job("a:2"))]), &files(&[("job-m.yaml", &job("a:1"))]));
        assert_eq!(r.changes[0].rejected.len(), 1);
        assert!(
            r.summary.ends_with("1 change(s) the API server would reject (immutable fields):\n  rejected Job/m: spec.template cannot change once the object exists; delete the Job (or give it a new name) and apply again\n"),
            "{}",
            r.summary
        );
        let r = compare(
            &files(&[("deployment-api.yaml", &deployment("5", "x"))]),
            &files(&[("deployment-api.yaml", &deployment("3", "x"))]),
        );
        assert!(!r.summary.contains("reject"), "{}", r.summary);
    }

    #[test]
    fn identical_trees_are_no_drift() {
        let t = files(&[("deployment-api.yaml", &deployment("3", "info"))]);
        let r = compare(&t, &t);
        assert!(!r.is_drift());
        assert_eq!(r.summary, "no drift (1 files)\n");
        assert_eq!(r.unified, "");
    }

    #[test]
    fn names_changed_fields_with_old_and_new_values() {
        let disk = files(&[("deployment-api.yaml", &deployment("3", "info"))]);
        let built = files(&[("deployment-api.yaml", &deployment("5", "debug"))]);
        let r = compare(&built, &disk);
        assert!(r.is_drift());
        assert_eq!(
            fields(&r),
            ["spec.replicas 3 → 5", "spec.template.spec.containers[api].env[LOG_LEVEL].value info → debug"]
        );
        assert!(r.summary.starts_with("drift: 0 added, 0 removed, 1 changed\n"), "{}", r.summary);
        assert!(r.summary.contains("  changed  Deployment/api: spec.replicas 3 → 5\n"), "{}", r.summary);
    }

    #[test]
    fn added_and_removed_objects_and_named_items() {
        let disk = files(&[("service-old.yaml", "kind: Service\nmetadata: {name: old}\n")]);
        let built = files(&[("service-web.yaml", "kind: Service\nmetadata: {name: web}\n")]);
        let r = compare(&built, &disk);
        assert!(r.summary.contains("  added    Service/web (service-web.yaml)\n"), "{}", r.summary);
        assert!(r.summary.contains("  removed  Service/old (service-old.yaml)\n"), "{}", r.summary);
        assert!(r.unified.contains("--- /dev/null\n+++ b/service-web.yaml\n"), "{}", r.unified);
        assert!(r.unified.contains("--- a/service-old.yaml\n+++ /dev/null\n"), "{}", r.unified);

        let disk = files(&[("x.yaml", "ports: [{name: http, port: 80}, {name: old, port: 1}]\n")]);
        let built = files(&[("x.yaml", "ports: [{name: grpc, port: 90}, {name: http, port: 80}]\n")]);
        assert_eq!(
            fields(&compare(&built, &disk)),
            ["ports[grpc] (absent) → {name: grpc, port: 90}", "ports[old] {name: old, port: 1} → (absent)"]
        );
    }

    #[test]
    fn plain_lists_align_by_content_then_index() {
        let disk = files(&[("k.yaml", "resources:\n- a.yaml\n- c.yaml\n")]);
        let built = files(&[("k.yaml", "resources:\n- a.yaml\n- b.yaml\n- c.yaml\n")]);
        assert_eq!(fields(&compare(&built, &disk)), ["resources[1] (absent) → b.yaml"]);
        let disk = files(&[("k.yaml", "args: [--a, --b]\n")]);
        let built = files(&[("k.yaml", "args: [--a, --c]\n")]);
        assert_eq!(fields(&compare(&built, &disk)), ["args[1] --b → --c"]);
    }

    #[test]
    fn types_and_keys_are_told_apart() {
        let disk = files(&[("x.yaml", "a: 3\nb: api\nmetadata:\n  labels:\n    app.kubernetes.io/name: x\n")]);
        let built = files(&[("x.yaml", "a: \"3\"\nb: \"api\"\nmetadata:\n  labels:\n    app.kubernetes.io/name: y\n")]);
        assert_eq!(
            fields(&compare(&built, &disk)),
            ["a 3 → \"3\"", "metadata.labels[\"app.kubernetes.io/name\"] x → y"]
        );
        let disk = files(&[("x.yaml", "a: 1 # note\n")]);
        let built = files(&[("x.yaml", "a: 1\n")]);
        let r = compare(&built, &disk);
        assert!(r.summary.contains("x.yaml: no field changed"), "{}", r.summary);
    }

    #[test]
    fn broken_yaml_on_disk_is_drift_not_an_error() {
        let disk = files(&[("x.yaml", "a: [1\n")]);
        let built = files(&[("x.yaml", "a: [1]\n")]);
        let r = compare(&built, &disk);
        assert!(
            matches!(&r.changes[0].status, Status::Unreadable(why) if why.starts_with("not valid YAML on disk (line"))
        );
    }

    #[test]
    fn long_values_are_shortened_and_many_fields_counted() {
        let long = "x".repeat(200);
        let many: String = (0..30).map(|i| format!("k{i}: {i}\n")).collect();
        let disk = files(&[("x.yaml", &format!("v: a\n{many}"))]);
        let built = files(&[("x.yaml", &format!("v: {long}\n{}", many.replace(": ", ": 1")))]);
        let r = compare(&built, &disk);
        let first = r.summary.lines().nth(1).unwrap();
        assert!(first.ends_with('…') && first.chars().count() < 120, "{first}");
        assert!(r.summary.contains("x.yaml: … and 11 more\n"), "{}", r.summary);
    }

    #[test]
    fn colours_only_when_asked() {
        let disk = files(&[("x.yaml", "a: 1\nb: 2\n")]);
        let built = files(&[("x.yaml", "a: 1\nb: 3")]);
        let r = compare(&built, &disk);
        assert!(!r.unified.contains('\x1b'));
        assert_eq!(
            r.unified,
            "--- a/x.yaml\n+++ b/x.yaml\n@@ -1,2 +1,2 @@\n a: 1\n-b: 2\n+b: 3\n\\ No newline at end of file\n"
        );
        let c = r.unified_colored();
        assert!(c.contains("\x1b[36m@@ -1,2 +1,2 @@\x1b[0m\n"), "{c:?}");
        assert!(c.contains("\x1b[31m-b: 2\x1b[0m\n") && c.contains("\x1b[32m+b: 3\x1b[0m\n"), "{c:?}");
    }
}
