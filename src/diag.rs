//! Diagnostics: problems the user can fix, each tied to a place in a spec file.

use crate::source::{ReadError, SourceMap, Span};
use std::fmt::Write as _;

/// One problem in the user's input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Where the problem is; `None` for problems with no single place (a missing file).
    pub span: Option<Span>,
    /// What is wrong.
    pub message: String,
    /// What to write instead.
    pub help: Option<String>,
    /// The other place of a problem that has two (a duplicate), named after the message.
    pub also: Option<Span>,
}

impl Diagnostic {
    pub fn new(span: Option<Span>, message: impl Into<String>) -> Diagnostic {
        Diagnostic { span, message: message.into(), help: None, also: None }
    }

    pub fn at(span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Some(span), message)
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// One line `warning: FILE:LINE:COL: message (help)`, for problems that do not stop a run.
    pub fn render_warning(&self, sources: &SourceMap) -> String {
        let at = self.span.map(|s| format!("{}: ", sources.locate(s))).unwrap_or_default();
        let help = self.help.as_ref().map(|h| format!(" ({h})")).unwrap_or_default();
        format!("warning: {at}{}{help}", self.message)
    }

    /// Names a second place involved (the first definition of a duplicate).
    pub fn also(mut self, span: Span) -> Diagnostic {
        self.also = Some(span);
        self
    }
}

/// A file that could not be read, with no place in a spec file.
impl From<ReadError> for Diagnostic {
    fn from(e: ReadError) -> Diagnostic {
        let help = match e {
            ReadError::Io(..) => Some("check the path"),
            ReadError::NotUtf8(..) => Some("save the file as UTF-8"),
            _ => None,
        };
        let d = Diagnostic::new(None, e.to_string());
        match help {
            Some(h) => d.help(h),
            None => d,
        }
    }
}

/// Every problem found by a run, reported together.
#[derive(Debug, Default)]
pub struct Diagnostics {
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Sorts by location (file, line, column) and drops exact repeats.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| (a.span, &a.message).cmp(&(b.span, &b.message)));
        self.items.dedup();
    }

    /// Renders every problem with its source line and a caret under the column.
    pub fn render(&self, sources: &SourceMap) -> String {
        let mut out = self.render_as("error", sources);
        let n = self.items.len();
        let _ = writeln!(out, "{} problem{} found; nothing was written", n, if n == 1 { "" } else { "s" });
        out
    }

    /// Renders warnings: as [`Diagnostics::render`], each line `warning:`, no summary.
    pub fn render_warnings(&self, sources: &SourceMap) -> String {
        self.render_as("warning", sources)
    }

    fn render_as(&self, label: &str, sources: &SourceMap) -> String {
        let mut out = String::new();
        for d in &self.items {
            match d.span {
                Some(span) => {
                    let also = d.also.map(|a| format!(" (see also {})", sources.locate(a))).unwrap_or_default();
                    let _ = writeln!(out, "{label}: {}: {}{also}", sources.locate(span), d.message);
                    if let Some(line) = sources.line(span) {
                        let num = span.line.to_string();
                        let pad = " ".repeat(num.len());
                        let (line, caret_pad) = excerpt(line, span.col as usize);
                        let _ = writeln!(out, "{pad} |");
                        let _ = writeln!(out, "{num} | {line}");
                        let _ = writeln!(out, "{pad} | {caret_pad}^");
                    }
                }
                None => {
                    let _ = writeln!(out, "{label}: {}", d.message);
                }
            }
            if let Some(h) = &d.help {
                let _ = writeln!(out, "  help: {h}");
            }
        }
        out
    }
}

/// One diagnostic per problem across the environments of a run: problems that differ
/// only in the environment's name are folded into one, and when the run covers several
/// environments each diagnostic names the ones it occurs in.
pub fn fold_envs(items: Vec<(String, Diagnostic)>, envs: usize) -> Vec<Diagnostic> {
    if envs <= 1 {
        return items.into_iter().map(|(_, d)| d).collect();
    }
    let mut groups: Vec<(Diagnostic, Diagnostic, Vec<String>)> = Vec::new();
    let mut index: std::collections::HashMap<(Option<Span>, String, Option<String>), usize> = Default::default();
    for (env, d) in items {
        let generic = Diagnostic {
            span: d.span,
            message: generic(&d.message, &env),
            help: d.help.as_deref().map(|h| generic(h, &env)),
            also: d.also,
        };
        let key = (generic.span, generic.message.clone(), generic.help.clone());
        match index.get(&key) {
            Some(&i) if groups[i].2.contains(&env) => {}
            Some(&i) => groups[i].2.push(env),
            None => {
                index.insert(key, groups.len());
                groups.push((d, generic, vec![env]));
            }
        }
    }
    groups
        .into_iter()
        .map(|(one, generic, envs)| {
            if envs.len() == 1 && one.message != generic.message {
                return one; // it names its environment already
            }
            let (mut d, label) = if envs.len() == 1 { (one, "environment") } else { (generic, "environments") };
            d.message = format!("{} ({label} {})", d.message, envs.join(", "));
            d
        })
        .collect()
}

/// `text` with every whole-word occurrence of the environment name written `<env>`.
fn generic(text: &str, env: &str) -> String {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(env) {
        let before = rest[..i].chars().next_back().or(out.chars().next_back());
        let after = rest[i + env.len()..].chars().next();
        out.push_str(&rest[..i]);
        if before.is_some_and(word) || after.is_some_and(word) {
            out.push_str(env);
        } else {
            out.push_str("<env>");
        }
        rest = &rest[i + env.len()..];
    }
    out.push_str(rest);
    out
}

/// Longest source line shown whole; longer ones are cut to a window around the column.
const LINE_MAX: usize = 200;

/// The line as shown (a window with `…` on a cut side when it is long) and the
/// padding that puts a caret under column `col` (tabs kept, so the caret lines up).
fn excerpt(line: &str, col: usize) -> (String, String) {
    let chars: Vec<char> = line.chars().collect();
    let (start, end) = if chars.len() <= LINE_MAX {
        (0, chars.len())
    } else {
        let start = col.saturating_sub(1 + LINE_MAX / 2).min(chars.len() - LINE_MAX);
        (start, start + LINE_MAX)
    };
    let lead = if start > 0 { "…" } else { "" };
    let tail = if end < chars.len() { "…" } else { "" };
    let shown: String = chars[start..end].iter().collect();
    let pad: String = lead
        .chars()
        .map(|_| ' ')
        .chain(chars[start..(col - 1).clamp(start, end)].iter().map(|c| if *c == '\t' { '\t' } else { ' ' }))
        .collect();
    (format!("{lead}{shown}{tail}"), pad)
}

/// Levenshtein distance, for "did you mean" suggestions.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The closest candidate to `word`, if it is close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(2) && *d < c.len())
        .min()
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(suggest("imgae", ["image", "ports", "env"]), Some("image"));
        assert_eq!(suggest("replics", ["replicas", "resources"]), Some("replicas"));
        assert_eq!(suggest("zzz", ["image", "ports"]), None);
    }

    #[test]
    fn one_problem_of_several_environments_is_reported_once_naming_them() {
        let at = Some(Span::new(0, 3, 5));
        let d = |msg: &str| Diagnostic::new(at, msg);
        let items = vec![
            ("dev".to_string(), d("namespace `demo-dev` is taken")),
            ("prod".to_string(), d("namespace `demo-prod` is taken")),
            ("prod".to_string(), d("only here")),
            ("prod".to_string(), d("`latest` in prod")),
            ("devx".to_string(), d("namespace `demo-devx` is taken")),
        ];
        let out = fold_envs(items, 3);
        let msgs: Vec<&str> = out.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            msgs,
            [
                "namespace `demo-<env>` is taken (environments dev, prod, devx)",
                "only here (environment prod)",
                "`latest` in prod"
            ]
        );
        assert_eq!(generic("devices of dev and dev-1", "dev"), "devices of <env> and <env>-1");
        let single = fold_envs(vec![("dev".into(), d("x in dev"))], 1);
        assert_eq!(single[0].message, "x in dev");
    }

    #[test]
    fn long_lines_show_a_window_around_the_column() {
        let line = format!("image: {}X{}", "a".repeat(500), "b".repeat(500));
        let (shown, pad) = excerpt(&line, 508);
        assert_eq!(shown.chars().count(), LINE_MAX + 2, "{shown}");
        assert!(shown.starts_with('…') && shown.ends_with('…'));
        assert_eq!(shown.chars().nth(pad.chars().count()), Some('X'));
        let (shown, pad) = excerpt("a:\tb", 4);
        assert_eq!((shown.as_str(), pad.as_str()), ("a:\tb", "  \t"));
    }

    #[test]
    fn renders_line_and_caret() {
        let mut sm = SourceMap::default();
        let f = sm.add(std::path::Path::new("p.yaml"), "a: 1\nbad: x\n".into());
        let mut ds = Diagnostics::default();
        ds.push(Diagnostic::at(Span::new(f, 2, 6), "wrong").help("write y"));
        let text = ds.render(&sm);
        assert!(text.contains("error: p.yaml:2:6: wrong"), "{text}");
        assert!(text.contains("2 | bad: x\n  |      ^"), "{text}");
        assert!(text.contains("help: write y"), "{text}");
        assert!(text.contains("1 problem found; nothing was written"), "{text}");
    }

    #[test]
    fn renders_a_warning_on_one_line() {
        let mut sm = SourceMap::default();
        let f = sm.add(std::path::Path::new("p.yaml"), "a: 1\n".into());
        let w = Diagnostic::at(Span::new(f, 1, 4), "risky").help("write b");
        assert_eq!(w.render_warning(&sm), "warning: p.yaml:1:4: risky (write b)");
    }
}
