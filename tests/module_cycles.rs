//! The crate's modules form no import cycle.
//!
//! Every `crate::…` and `super::…` path in `src/` (a `use` or an inline path, test
//! modules included) is an edge from the file's module to the module it names. An
//! edge counts between the two sibling modules under their nearest common parent, so
//! `validate::names` → `load` is `validate` → `load`, and `import::plan` →
//! `import::ports` is an edge inside `import`; a module using its own parent or
//! children is no edge. The test fails, listing each cycle and the lines that make
//! it, when the edges of any parent form a cycle.
//!
//! `cargo test --test module_cycles -- --nocapture` also prints the edge count.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

type Module = Vec<String>;

/// Module path of a source file: `src/lib.rs` → [], `src/a/mod.rs` and `src/a.rs` → [a].
fn module_of(rel: &Path) -> Option<Module> {
    let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
    let last = parts.pop()?;
    let stem = last.strip_suffix(".rs")?;
    match stem {
        "lib" if parts.is_empty() => {}
        "main" if parts.is_empty() => return None,
        "mod" => {}
        s => parts.push(s.to_string()),
    }
    Some(parts)
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

/// The line without a `//` comment (a `//` right after `:` is a URL inside a string).
fn code(line: &str) -> &str {
    let b = line.as_bytes();
    let mut i = 0;
    while i + 1 < b.len() {
        if b[i] == b'/' && b[i + 1] == b'/' && (i == 0 || b[i - 1] != b':') {
            return &line[..i];
        }
        i += 1;
    }
    line
}

fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Expands the path starting at `s` (after `crate::` or `super::`) into the paths it
/// names, `a::{b, c::d}` → [a::b, a::c::d]. Returns the paths and the bytes read.
fn paths_at(s: &[u8]) -> (Vec<Vec<String>>, usize) {
    let mut prefix: Vec<String> = Vec::new();
    let mut i = 0;
    loop {
        while i < s.len() && s[i].is_ascii_whitespace() {
            i += 1;
        }
        if i < s.len() && s[i] == b'{' {
            i += 1;
            let mut out = Vec::new();
            loop {
                while i < s.len() && (s[i].is_ascii_whitespace() || s[i] == b',') {
                    i += 1;
                }
                if i >= s.len() || s[i] == b'}' {
                    return (out, i + 1);
                }
                let (inner, n) = paths_at(&s[i..]);
                i += n.max(1);
                for p in inner {
                    out.push(prefix.iter().cloned().chain(p).collect());
                }
            }
        }
        let start = i;
        while i < s.len() && is_ident(s[i]) {
            i += 1;
        }
        if start == i {
            if s.get(i) == Some(&b'*') {
                i += 1;
            }
            return (vec![prefix], i);
        }
        let word = String::from_utf8_lossy(&s[start..i]).into_owned();
        if word != "self" {
            prefix.push(word);
        }
        if s[i..].starts_with(b"::") {
            i += 2;
        } else {
            // `as alias` and the rest of the item end the path.
            return (vec![prefix], i);
        }
    }
}

/// Every module path named in `text`, resolved from `module`.
fn references(module: &Module, text: &str) -> Vec<(Vec<String>, usize)> {
    let mut code_text = String::new();
    let mut line_of = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let c = code(line);
        line_of.extend(std::iter::repeat_n(n + 1, c.len() + 1));
        code_text.push_str(c);
        code_text.push('\n');
    }
    let b = code_text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let boundary = i == 0 || !(is_ident(b[i - 1]) || b[i - 1] == b':');
        let root: Option<Module> = if !boundary {
            None
        } else if b[i..].starts_with(b"crate::") {
            i += "crate::".len();
            Some(Vec::new())
        } else if b[i..].starts_with(b"super::") {
            let mut m = module.clone();
            while b[i..].starts_with(b"super::") {
                m.pop();
                i += "super::".len();
            }
            Some(m)
        } else {
            None
        };
        match root {
            Some(root) => {
                let line = line_of[i];
                let (paths, n) = paths_at(&b[i..]);
                for p in paths {
                    out.push((root.iter().cloned().chain(p).collect(), line));
                }
                i += n.max(1);
            }
            None => i += 1,
        }
    }
    out
}

/// The longest prefix of `path` that is a module.
fn resolve(path: &[String], modules: &BTreeSet<Module>) -> Module {
    (0..=path.len()).rev().map(|n| path[..n].to_vec()).find(|m| modules.contains(m)).unwrap_or_default()
}

/// Edges between sibling modules: (from, to) → where (file:line) each comes from.
type Edges = BTreeMap<(Module, Module), Vec<String>>;

fn edges() -> Edges {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let files: Vec<(Module, PathBuf)> =
        files.into_iter().filter_map(|f| module_of(f.strip_prefix(&src).unwrap()).map(|m| (m, f))).collect();
    let modules: BTreeSet<Module> = files.iter().map(|(m, _)| m.clone()).collect();
    let mut edges = Edges::new();
    for (module, file) in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (path, line) in references(module, &text) {
            let target = resolve(&path, &modules);
            let common = module.iter().zip(&target).take_while(|(a, b)| a == b).count();
            if common == module.len() || common == target.len() {
                continue; // the module itself, an ancestor or a descendant
            }
            let from = module[..=common].to_vec();
            let to = target[..=common].to_vec();
            let at = format!("src/{}:{line} {}", file.strip_prefix(&src).unwrap().display(), path.join("::"));
            edges.entry((from, to)).or_default().push(at);
        }
    }
    edges
}

/// Strongly connected components with more than one module (Tarjan).
fn cycles(edges: &Edges) -> Vec<Vec<Module>> {
    let mut next: BTreeMap<&Module, Vec<&Module>> = BTreeMap::new();
    for (a, b) in edges.keys() {
        next.entry(a).or_default().push(b);
        next.entry(b).or_default();
    }
    struct State<'a> {
        next: &'a BTreeMap<&'a Module, Vec<&'a Module>>,
        index: BTreeMap<&'a Module, usize>,
        low: BTreeMap<&'a Module, usize>,
        stack: Vec<&'a Module>,
        on_stack: BTreeSet<&'a Module>,
        out: Vec<Vec<Module>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a Module) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        s.on_stack.insert(v);
        for &w in &s.next[v] {
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on_stack.contains(w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut scc = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on_stack.remove(w);
                scc.push(w.clone());
                if w == v {
                    break;
                }
            }
            if scc.len() > 1 {
                scc.sort();
                s.out.push(scc);
            }
        }
    }
    let mut s = State {
        next: &next,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in next.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out.sort();
    s.out
}

#[test]
fn no_import_cycles() {
    let edges = edges();
    let found = cycles(&edges);
    println!("{} module edges, {} cycles", edges.len(), found.len());
    let mut report = String::new();
    for scc in &found {
        let names: Vec<String> = scc.iter().map(|m| m.join("::")).collect();
        report.push_str(&format!("cycle: {}\n", names.join(" <-> ")));
        for ((a, b), at) in &edges {
            if scc.contains(a) && scc.contains(b) {
                report.push_str(&format!("  {} -> {}: {}\n", a.join("::"), b.join("::"), at.join(", ")));
            }
        }
    }
    assert!(found.is_empty(), "import cycles between modules:\n{report}");
}

#[test]
fn finds_a_cycle_and_resolves_paths() {
    let modules: BTreeSet<Module> =
        [vec![], vec!["a".to_string()], vec!["a".into(), "b".into()], vec!["c".into()]].into_iter().collect();
    let refs =
        references(&vec!["a".into(), "b".into()], "use super::{x, b::y};\nuse crate::c::{self, D};\n// crate::e\n");
    let resolved: Vec<Module> = refs.iter().map(|(p, _)| resolve(p, &modules)).collect();
    assert_eq!(resolved, vec![vec!["a".to_string()], vec!["a".into(), "b".into()], vec!["c".into()], vec!["c".into()]]);
    let mut e = Edges::new();
    e.insert((vec!["a".into()], vec!["c".into()]), vec![]);
    e.insert((vec!["c".into()], vec!["a".into()]), vec![]);
    e.insert((vec!["c".into()], vec!["d".into()]), vec![]);
    assert_eq!(cycles(&e), vec![vec![vec!["a".to_string()], vec!["c".to_string()]]]);
}
