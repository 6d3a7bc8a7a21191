//! The spanned YAML tree and its loader (built on saphyr-parser's event stream).

use crate::diag::Diagnostic;
pub use crate::source::MAX_BYTES;
use crate::source::{FileId, Span};
use saphyr_parser::{Event, Parser, ScalarStyle};
use std::collections::HashMap;

/// Deepest nesting of sequences and maps accepted.
pub const MAX_DEPTH: usize = 64;
/// Most values aliases may add to one document, which stops "billion laughs" alias
/// bombs in bounded time and memory (values written out are bounded by [`MAX_BYTES`]).
pub const MAX_NODES: usize = 1_000_000;

/// A YAML value with the place it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub span: Span,
    pub kind: NodeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Null,
    /// A scalar's text; `plain` is false when it was quoted or a block scalar.
    Scalar {
        text: String,
        plain: bool,
    },
    Seq(Vec<Node>),
    Map(Vec<Entry>),
}

/// A key/value pair of a mapping (keys are always scalars).
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

impl Node {
    pub fn map(span: Span, entries: Vec<Entry>) -> Node {
        Node { span, kind: NodeKind::Map(entries) }
    }

    pub fn str(span: Span, text: impl Into<String>) -> Node {
        Node { span, kind: NodeKind::Scalar { text: text.into(), plain: false } }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.kind, NodeKind::Null)
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    pub fn entries(&self) -> Option<&[Entry]> {
        match &self.kind {
            NodeKind::Map(e) => Some(e),
            _ => None,
        }
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()?.iter().find(|e| e.key == key).map(|e| &e.value)
    }

    /// The entry (with its key span) for `key`.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.entries()?.iter().find(|e| e.key == key)
    }

    /// What the value is, for messages ("a map", "a list", ...).
    pub fn describe(&self) -> &'static str {
        match self.kind {
            NodeKind::Null => "null",
            NodeKind::Scalar { .. } => "a scalar",
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a map",
        }
    }

    /// Follows a path of map keys and list indexes ("services", "api", "uses", "0")
    /// and returns the deepest node reached and the span of the last key found.
    pub fn find(&self, path: &[&str]) -> Span {
        let mut node = self;
        let mut span = self.span;
        for part in path {
            match &node.kind {
                NodeKind::Map(entries) => match entries.iter().find(|e| e.key == *part) {
                    Some(e) => {
                        span = if matches!(e.value.kind, NodeKind::Scalar { .. }) { e.value.span } else { e.key_span };
                        node = &e.value;
                    }
                    None => return span,
                },
                NodeKind::Seq(items) => match part.parse::<usize>().ok().and_then(|i| items.get(i)) {
                    Some(item) => {
                        span = item.span;
                        node = item;
                    }
                    None => return span,
                },
                _ => return span,
            }
        }
        span
    }
}

pub fn is_null_text(t: &str) -> bool {
    matches!(t, "" | "~" | "null" | "Null" | "NULL")
}

/// `text` read by saphyr-parser, the reader of all YAML (and the one that words errors).
pub(super) fn full(text: &str, file: FileId) -> Result<Node, Diagnostic> {
    Loader { file, anchors: HashMap::new(), count: 0 }.run(text)
}

struct Loader {
    file: FileId,
    anchors: HashMap<usize, (Node, usize)>,
    count: usize,
}

enum Frame {
    Seq(Span, usize, Vec<Node>),
    /// The keys of a large map (key → line), built once it has [`SCAN_KEYS`] entries, make the
    /// duplicate check constant-time; a small map's entries are scanned instead (no hashing).
    Map(Span, usize, Vec<Entry>, Option<(String, Span)>, Option<HashMap<String, u32>>),
}

/// Entries up to which a map's duplicate-key check scans the entries.
const SCAN_KEYS: usize = 16;

/// The line where `key` was first written in the map being read, if it was.
fn seen_at(entries: &[Entry], index: &mut Option<HashMap<String, u32>>, key: &str) -> Option<u32> {
    if index.is_none() && entries.len() >= SCAN_KEYS {
        *index = Some(entries.iter().map(|e| (e.key.clone(), e.key_span.line)).collect());
    }
    match index {
        Some(map) => map.get(key).copied(),
        None => entries.iter().find(|e| e.key == key).map(|e| e.key_span.line),
    }
}

impl Loader {
    fn span(&self, m: &saphyr_parser::Marker) -> Span {
        Span::new(self.file, m.line(), m.col() + 1)
    }

    fn run(mut self, text: &str) -> Result<Node, Diagnostic> {
        let mut stack: Vec<Frame> = Vec::new();
        let mut root: Option<Node> = None;
        let mut docs = 0;
        for ev in Parser::new_from_str(text) {
            let (ev, sp) = ev.map_err(|e| {
                let m = e.marker();
                let at = Span::new(self.file, m.line(), m.col() + 1);
                if e.info().contains("tab") {
                    return tab_error(text, at, e.info());
                }
                Diagnostic::at(at, format!("YAML syntax error: {}", e.info()))
                    .help("check the indentation and quoting on this line")
            })?;
            let here = self.span(&sp.start);
            let done: Option<(Node, usize)> = match ev {
                Event::DocumentStart(_) => {
                    docs += 1;
                    if docs > 1 {
                        return Err(Diagnostic::at(here, "a spec file holds one YAML document; found a second `---`")
                            .help("move the second document to its own file"));
                    }
                    None
                }
                Event::Scalar(v, style, anchor, tag) => {
                    check_tag(tag.as_deref(), here)?;
                    let text = v.into_owned();
                    let plain = style == ScalarStyle::Plain && tag.is_none();
                    let kind =
                        if plain && is_null_text(&text) { NodeKind::Null } else { NodeKind::Scalar { text, plain } };
                    Some((Node { span: here, kind }, anchor))
                }
                Event::Alias(id) => {
                    let (node, size) = self
                        .anchors
                        .get(&id)
                        .ok_or_else(|| Diagnostic::at(here, "alias refers to an unknown anchor"))?;
                    if self.count + size > MAX_NODES {
                        return Err(too_many(here));
                    }
                    self.count += size;
                    Some((node.clone(), 0))
                }
                Event::SequenceStart(anchor, tag) => {
                    check_tag(tag.as_deref(), here)?;
                    stack.push(Frame::Seq(here, anchor, Vec::new()));
                    None
                }
                Event::MappingStart(anchor, tag) => {
                    check_tag(tag.as_deref(), here)?;
                    stack.push(Frame::Map(here, anchor, Vec::new(), None, None));
                    None
                }
                Event::SequenceEnd => match stack.pop() {
                    // Exact-size vectors: the tree lives through validation, and doubling leaves up
                    // to half of each vector unused.
                    Some(Frame::Seq(span, anchor, mut items)) => {
                        items.shrink_to_fit();
                        Some((Node { span, kind: NodeKind::Seq(items) }, anchor))
                    }
                    _ => unreachable!("parser emitted an unbalanced sequence end"),
                },
                Event::MappingEnd => match stack.pop() {
                    Some(Frame::Map(span, anchor, mut entries, _, _)) => {
                        entries.shrink_to_fit();
                        Some((Node::map(span, entries), anchor))
                    }
                    _ => unreachable!("parser emitted an unbalanced mapping end"),
                },
                _ => None,
            };
            if stack.len() > MAX_DEPTH {
                return Err(Diagnostic::at(here, format!("nesting deeper than {MAX_DEPTH} levels"))
                    .help("flatten the structure; no genk8s field nests this deep"));
            }
            let Some((node, anchor)) = done else { continue };
            if anchor != 0 {
                self.anchors.insert(anchor, (node.clone(), count_nodes(&node)));
            }
            match stack.last_mut() {
                None => root = Some(node),
                Some(Frame::Seq(_, _, items)) => items.push(node),
                Some(Frame::Map(_, _, entries, pending, seen)) => match pending.take() {
                    None => {
                        let span = node.span;
                        let key = match node.kind {
                            NodeKind::Scalar { text, .. } => text,
                            NodeKind::Null => String::new(),
                            _ => {
                                return Err(Diagnostic::at(span, "map keys must be plain text")
                                    .help("write the key as a string"));
                            }
                        };
                        if key == "<<" {
                            return Err(Diagnostic::at(span, "YAML merge keys (`<<`) are not supported")
                                .help("write the values out, or put shared values in the base spec"));
                        }
                        if let Some(line) = seen_at(entries, seen, &key) {
                            return Err(Diagnostic::at(
                                span,
                                format!("duplicate key `{key}` (first written at line {line})"),
                            )
                            .help("remove one of the two"));
                        }
                        if let Some(index) = seen {
                            index.insert(key.clone(), span.line);
                        }
                        *pending = Some((key, span));
                    }
                    Some((key, key_span)) => entries.push(Entry { key, key_span, value: node }),
                },
            }
        }
        Ok(root.unwrap_or(Node { span: Span::new(self.file, 1, 1), kind: NodeKind::Null }))
    }
}

/// A syntax error about a tab, moved to the tab itself: the parser reports where the
/// token before it ended (often the line above), and a tab is hard to see.
fn tab_error(text: &str, at: Span, info: &str) -> Diagnostic {
    let lines = text.lines().enumerate().skip(at.line as usize - 1);
    for (i, line) in lines.take(3) {
        let from = if i + 1 == at.line as usize { at.col as usize - 1 } else { 0 };
        let indent = |col: usize| line.chars().take(col).all(|c| c == ' ' || c == '\t');
        let Some((col, _)) = line.chars().enumerate().find(|(j, c)| *c == '\t' && (*j >= from || indent(*j))) else {
            continue;
        };
        let here = Span::new(at.file, i + 1, col + 1);
        if indent(col) {
            return Diagnostic::at(here, "a tab in the indentation; YAML indents with spaces only")
                .help("replace the tab with spaces");
        }
        return Diagnostic::at(here, format!("YAML syntax error: {info}"))
            .help("replace the tab with a space, or quote the value");
    }
    Diagnostic::at(at, format!("YAML syntax error: {info}")).help("check the indentation and quoting on this line")
}

/// Tags genk8s understands: the core schema's (`!!str`, `!!map`, …) and the non-specific `!`.
/// Any other tag (`!foo`, `!Ref`) would be silently dropped, so it is an error.
fn check_tag(tag: Option<&saphyr_parser::Tag>, at: Span) -> Result<(), Diagnostic> {
    const CORE: [&str; 7] = ["str", "int", "float", "bool", "null", "map", "seq"];
    match tag {
        None => Ok(()),
        Some(t) if t.is_yaml_core_schema() && CORE.contains(&t.suffix.as_str()) => Ok(()),
        Some(t) if matches!(t.handle.as_str(), "" | "!") && matches!(t.suffix.as_str(), "" | "!") => Ok(()),
        Some(t) => Err(Diagnostic::at(at, format!("unknown YAML tag `{t}`"))
            .help("remove the tag: genk8s reads plain YAML values (a tag such as !!str is the most it understands)")),
    }
}

fn too_many(at: Span) -> Diagnostic {
    Diagnostic::at(at, format!("aliases expand this document by more than {MAX_NODES} values"))
        .help("remove the aliases that repeat large parts of the document")
}

fn count_nodes(n: &Node) -> usize {
    match &n.kind {
        NodeKind::Seq(items) => 1 + items.iter().map(count_nodes).sum::<usize>(),
        NodeKind::Map(entries) => 1 + entries.iter().map(|e| count_nodes(&e.value)).sum::<usize>(),
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;

    #[test]
    fn keeps_positions_and_quoting() {
        let n = parse("a:\n  b: on\n  c: \"on\"\nd: [1, ~]\n", 0).unwrap();
        let b = n.get("a").unwrap().get("b").unwrap();
        assert_eq!((b.span.line, b.span.col), (2, 6));
        assert_eq!(b.kind, NodeKind::Scalar { text: "on".into(), plain: true });
        let c = n.get("a").unwrap().get("c").unwrap();
        assert_eq!(c.kind, NodeKind::Scalar { text: "on".into(), plain: false });
        match &n.get("d").unwrap().kind {
            NodeKind::Seq(items) => assert!(items[1].is_null()),
            k => panic!("{k:?}"),
        }
    }

    #[test]
    fn rejects_duplicates_syntax_and_bombs() {
        let e = parse("a: 1\na: 2\n", 0).unwrap_err();
        assert!(e.message.contains("duplicate key `a`"));
        assert_eq!(e.span.unwrap().line, 2);
        let e = parse("a: [1, 2\nb: 3\n", 0).unwrap_err();
        assert!(e.message.starts_with("YAML syntax error"), "{}", e.message);
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let p = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let e = parse(&bomb, 0).unwrap_err();
        assert!(e.message.contains("aliases expand this document by more than"), "{}", e.message);
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(parse(&deep, 0).unwrap_err().message.contains("nesting deeper"));
    }

    #[test]
    fn a_tab_in_the_indentation_is_reported_at_the_tab() {
        for (text, line, col) in
            [("a:\n  b: 1\n\tc: 2\n", 3, 1), ("a:\n  b: 1\n  \t  c: 2\n", 3, 3), ("a:\n\tb: 1\n", 2, 1)]
        {
            let e = parse(text, 0).unwrap_err();
            assert_eq!(e.message, "a tab in the indentation; YAML indents with spaces only", "{text:?}");
            assert_eq!(e.span.map(|s| (s.line, s.col)), Some((line, col)), "{text:?}");
        }
    }

    #[test]
    fn refuses_unknown_tags_and_keeps_core_ones() {
        let e = parse("a: !foo bar\n", 0).unwrap_err();
        assert_eq!(e.message, "unknown YAML tag `!foo`");
        assert_eq!(e.span.map(|s| (s.line, s.col)), Some((1, 4)));
        let e = parse("a: !Ref\n  b: 1\n", 0).unwrap_err();
        assert_eq!(e.message, "unknown YAML tag `!Ref`");
        let n = parse("a: !!str 8080\nb: ! x\nc: !!map {d: 1}\n", 0).unwrap();
        assert_eq!(n.get("a").and_then(Node::as_str), Some("8080"));
        assert_eq!(n.get("b").and_then(Node::as_str), Some("x"));
    }

    #[test]
    fn find_follows_paths() {
        let n = parse("services:\n  api:\n    uses: [db, cache]\n", 0).unwrap();
        let s = n.find(&["services", "api", "uses", "1"]);
        assert_eq!((s.line, s.col), (3, 16));
    }
}
