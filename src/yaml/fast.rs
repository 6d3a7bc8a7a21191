//! A quick reader for the YAML that specs are usually written in, with the full parser
//! behind it for everything else.
//!
//! saphyr-parser reads any YAML, at about 350 instructions a byte: on a large spec that is
//! a third of a build. Specs and engine descriptions keep to a small part of YAML: block
//! maps and lists, flow collections on one line, one-line plain and quoted scalars, `|`
//! literals and comments. This reader reads that part alone, byte by byte, and gives the
//! tree the full loader gives, spans included (a span's column counts characters, as the
//! parser's does). It answers `None` for anything it does not take, and for every text
//! with an error in it: anchors, tags, folded or multi-line scalars, document markers,
//! tabs, carriage returns, complex keys, duplicate or merge keys, deep nesting. Then
//! [`super::parse`] reads the text again with the full loader, which also words
//! every error, so this reader never needs to word one. Tests compare the two readers on
//! every YAML file in the repository and on generated documents.

use super::node::{Entry, MAX_DEPTH, Node, NodeKind, is_null_text};
use crate::source::{FileId, Span};

/// The tree of `text`, or `None` where the full loader must read it.
pub(super) fn parse(text: &str, file: FileId) -> Option<Node> {
    if !admissible(text) {
        return None;
    }
    let r = Reader { text, lines: lines(text)?, file, ascii: text.is_ascii() };
    let Some(first) = r.next_content(0) else {
        return Some(Node { span: Span::new(file, 1, 1), kind: NodeKind::Null });
    };
    let (node, next) = r.block_node(first, r.indent(first), -1, 0)?;
    r.next_content(next).is_none().then_some(node)
}

/// No tab, carriage return, control character or byte-order mark, and no character some
/// reader takes as a line break: the full loader handles (or rejects) those.
fn admissible(text: &str) -> bool {
    let bytes_ok = text.bytes().all(|b| b == b'\n' || (0x20..0x7f).contains(&b) || b >= 0x80);
    bytes_ok
        && (text.is_ascii()
            || !text.chars().any(|c| {
                matches!(c, '\u{80}'..='\u{9f}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}')
            }))
}

/// Each line's byte range (without its `\n`), or `None` when a line starts a document
/// marker or a directive.
fn lines(text: &str) -> Option<Vec<(usize, usize)>> {
    let mut out = Vec::with_capacity(text.len() / 24 + 1);
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            out.push((start, i));
            start = i + 1;
        }
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    let marker = |&(s, e): &(usize, usize)| {
        let l = &text.as_bytes()[s..e];
        l.starts_with(b"---") || l.starts_with(b"...") || l.starts_with(b"%")
    };
    (!out.iter().any(marker)).then_some(out)
}

/// Most levels of nesting read here; deeper documents go to the full loader.
const DEPTH: usize = MAX_DEPTH / 2;
/// Longest implicit key the full parser takes.
const MAX_KEY: usize = 1024;

struct Reader<'t> {
    text: &'t str,
    lines: Vec<(usize, usize)>,
    file: FileId,
    ascii: bool,
}

/// A line and a byte offset in it.
type At = (usize, usize);
/// A map key read: its text, its span and the offset of its `:`.
type Key = (String, Span, usize);

impl<'t> Reader<'t> {
    fn line(&self, l: usize) -> &'t [u8] {
        let (s, e) = self.lines[l];
        &self.text.as_bytes()[s..e]
    }

    fn str(&self, l: usize, from: usize, to: usize) -> &'t str {
        let (s, _) = self.lines[l];
        &self.text[s + from..s + to]
    }

    fn span(&self, (l, c): At) -> Span {
        let col = if self.ascii { c } else { self.str(l, 0, c).chars().count() };
        Span::new(self.file, l + 1, col + 1)
    }

    fn indent(&self, l: usize) -> usize {
        self.line(l).iter().take_while(|&&b| b == b' ').count()
    }

    /// Whether line `l` is blank or a comment.
    fn is_skip(&self, l: usize) -> bool {
        matches!(self.line(l).get(self.indent(l)), None | Some(b'#'))
    }

    /// The first line from `l` on that holds a value.
    fn next_content(&self, l: usize) -> Option<usize> {
        (l..self.lines.len()).find(|&i| !self.is_skip(i))
    }

    /// Whether a list entry's `-` is at `c` of line `l`.
    fn is_dash(&self, l: usize, c: usize) -> bool {
        let line = self.line(l);
        line.get(c) == Some(&b'-') && matches!(line.get(c + 1), None | Some(b' '))
    }

    fn skip_spaces(&self, l: usize, mut c: usize) -> usize {
        let line = self.line(l);
        while line.get(c) == Some(&b' ') {
            c += 1;
        }
        c
    }

    /// Whether the rest of line `l` from `c` is spaces and perhaps a comment.
    fn ends_line(&self, l: usize, c: usize) -> bool {
        let d = self.skip_spaces(l, c);
        let line = self.line(l);
        match line.get(d) {
            None => true,
            Some(b'#') => d > 0 && line[d - 1] == b' ',
            _ => false,
        }
    }

    /// The block value that starts at `c` of line `l`, inside a collection indented
    /// `parent`, and the line after it.
    fn block_node(&self, l: usize, c: usize, parent: isize, depth: usize) -> Option<(Node, usize)> {
        if depth > DEPTH {
            return None;
        }
        if self.is_dash(l, c) {
            return self.block_seq(l, c, false, depth);
        }
        match self.key(l, c, false) {
            Some(first) => self.block_map(l, c, first, depth),
            None => self.inline_value(l, c, parent, depth),
        }
    }

    /// A map whose `first` key is at `c` of line `l`; its other keys start lines at column `c`.
    fn block_map(&self, l0: usize, m: usize, first: Key, depth: usize) -> Option<(Node, usize)> {
        let mut entries = Vec::new();
        let (mut l, mut key) = (l0, Some(first));
        let next = loop {
            let (key, key_span, colon) = match key.take() {
                Some(k) => k,
                None => self.key(l, m, false)?,
            };
            if key == "<<" {
                return None;
            }
            let (value, after) = if self.ends_line(l, colon + 1) {
                self.value_below(l, colon, m, depth)?
            } else {
                self.inline_value(l, self.skip_spaces(l, colon + 1), m as isize, depth)?
            };
            entries.push(Entry { key, key_span, value });
            match self.next_content(after) {
                Some(n) if self.indent(n) == m && !self.is_dash(n, m) => l = n,
                Some(n) if self.indent(n) >= m => return None,
                _ => break after,
            }
        };
        if has_duplicates(&entries) {
            return None;
        }
        entries.shrink_to_fit();
        Some((Node::map(self.span((l0, m)), entries), next))
    }

    /// The value of a key whose line ends after its `:` (at `colon`): the block below it,
    /// a list at the key's own indentation, or null.
    fn value_below(&self, l: usize, colon: usize, m: usize, depth: usize) -> Option<(Node, usize)> {
        match self.next_content(l + 1) {
            Some(n) if self.indent(n) > m => self.block_node(n, self.indent(n), m as isize, depth + 1),
            Some(n) if self.indent(n) == m && self.is_dash(n, m) => self.block_seq(n, m, true, depth + 1),
            _ => Some((Node { span: self.span((l, colon)), kind: NodeKind::Null }, l + 1)),
        }
    }

    /// A list whose first `-` is at `d` of line `l0`. An indentless list (one at its key's
    /// indentation) starts where its first value does, as the parser has it.
    fn block_seq(&self, l0: usize, d: usize, indentless: bool, depth: usize) -> Option<(Node, usize)> {
        let mut items = Vec::new();
        let mut l = l0;
        let mut start = None;
        let next = loop {
            let (item, after) = if self.ends_line(l, d + 1) {
                match self.next_content(l + 1) {
                    Some(n) if self.indent(n) > d => self.block_node(n, self.indent(n), d as isize, depth + 1)?,
                    // A null entry is at the end of its line (after any comment), as the parser has it.
                    _ => (Node { span: self.span((l, self.line(l).len())), kind: NodeKind::Null }, l + 1),
                }
            } else {
                let c = self.skip_spaces(l, d + 1);
                if l == l0 {
                    start = Some((l, c));
                }
                match self.line(l)[c] {
                    b'|' if indentless && l == l0 => return None,
                    b'|' => self.block_scalar(l, c, d)?,
                    b'-' if indentless && l == l0 && self.is_dash(l, c) => return None,
                    _ => self.block_node(l, c, d as isize, depth + 1)?,
                }
            };
            items.push(item);
            match self.next_content(after) {
                Some(n) if self.indent(n) == d && self.is_dash(n, d) => l = n,
                _ => break after,
            }
        };
        let start = if indentless { start? } else { (l0, d) };
        items.shrink_to_fit();
        Some((Node { span: self.span(start), kind: NodeKind::Seq(items) }, next))
    }

    /// A value that fits on line `l` from `c` (a flow collection, a quoted or a plain
    /// scalar); no more-indented line may follow it, or it would continue on it.
    fn inline_value(&self, l: usize, c: usize, parent: isize, depth: usize) -> Option<(Node, usize)> {
        let line = self.line(l);
        let (node, end) = match line[c] {
            b'[' | b'{' => self.flow(l, c, depth)?,
            b'"' | b'\'' => self.quoted_node(l, c)?,
            b'|' => return self.block_scalar(l, c, usize::try_from(parent).ok()?),
            _ => {
                let end = plain_end(line, c, false)?;
                if matches!(line.get(end), Some(b':')) {
                    return None;
                }
                (self.plain(l, c, end, false)?, end)
            }
        };
        if !self.ends_line(l, end) {
            return None;
        }
        match self.next_content(l + 1) {
            Some(n) if self.indent(n) as isize > parent => None,
            _ => Some((node, l + 1)),
        }
    }

    /// A plain scalar from `c` to `end` (trailing spaces dropped): null when it spells null.
    fn plain(&self, l: usize, c: usize, end: usize, flow: bool) -> Option<Node> {
        let text = self.plain_text(l, c, end, flow)?;
        let kind =
            if is_null_text(text) { NodeKind::Null } else { NodeKind::Scalar { text: text.to_string(), plain: true } };
        Some(Node { span: self.span((l, c)), kind })
    }

    /// The text of a plain scalar from `c` to `end`, trailing spaces dropped; `None` when
    /// no plain scalar may start at `c`.
    fn plain_text(&self, l: usize, c: usize, end: usize, flow: bool) -> Option<&'t str> {
        let line = self.line(l);
        if end == c || !plain_first(line, c, flow) {
            return None;
        }
        let mut e = end;
        while line[e - 1] == b' ' {
            e -= 1;
        }
        Some(self.str(l, c, e))
    }

    /// The key at `c` of line `l`, plain or quoted, then `:` and a space (in a block map
    /// also the line's end): its text (a plain null is the empty key, as the full loader
    /// has it), its span and the offset of its `:`.
    fn key(&self, l: usize, c: usize, flow: bool) -> Option<Key> {
        let line = self.line(l);
        let (text, end) = match *line.get(c)? {
            b'"' | b'\'' => {
                let (text, end) = self.quoted(l, c)?;
                (text, self.skip_spaces(l, end))
            }
            _ => {
                let end = plain_end(line, c, flow)?;
                let text = self.plain_text(l, c, end, flow)?;
                (if is_null_text(text) { String::new() } else { text.to_string() }, end)
            }
        };
        let spaced = match line.get(end + 1) {
            None => !flow,
            Some(b) => *b == b' ',
        };
        (line.get(end) == Some(&b':') && spaced && end - c <= MAX_KEY).then(|| (text, self.span((l, c)), end))
    }

    /// A `|` literal (header at `c` of line `l`) inside a collection indented `parent`:
    /// clipped or stripped, with at least one line of text. Its span is its first text line.
    fn block_scalar(&self, l: usize, c: usize, parent: usize) -> Option<(Node, usize)> {
        let line = self.line(l);
        let mut h = c + 1;
        let strip = line.get(h) == Some(&b'-');
        if strip {
            h += 1;
        }
        if !matches!(line.get(h), None | Some(b' ')) || !self.ends_line(l, h) {
            return None;
        }
        let mut ci = None;
        let mut last = None;
        for i in l + 1..self.lines.len() {
            let text = self.line(i);
            if text.is_empty() {
                continue;
            }
            let ind = self.indent(i);
            if ind == text.len() {
                return None;
            }
            match ci {
                None if ind > parent => ci = Some(ind),
                Some(ci) if ind >= ci => {}
                _ => break,
            }
            last = Some(i);
        }
        let (ci, last) = (ci?, last?);
        let first = (l + 1..=last).find(|&i| !self.line(i).is_empty())?;
        let mut text = String::new();
        for i in l + 1..=last {
            let t = self.line(i);
            if !t.is_empty() {
                text.push_str(self.str(i, ci, t.len()));
            }
            if i < last {
                text.push('\n');
            }
        }
        if !strip {
            // The final line break is kept: the last line must have one.
            if self.lines[last].1 == self.text.len() {
                return None;
            }
            text.push('\n');
        }
        let kind = NodeKind::Scalar { text, plain: false };
        Some((Node { span: self.span((first, ci)), kind }, last + 1))
    }

    /// A one-line quoted scalar at `c`, and the offset after its closing quote.
    fn quoted_node(&self, l: usize, c: usize) -> Option<(Node, usize)> {
        let (text, end) = self.quoted(l, c)?;
        Some((Node { span: self.span((l, c)), kind: NodeKind::Scalar { text, plain: false } }, end))
    }

    /// The text of a one-line quoted scalar at `c`, and the offset after its closing quote.
    fn quoted(&self, l: usize, c: usize) -> Option<(String, usize)> {
        let line = self.line(l);
        let quote = line[c];
        let mut text = String::new();
        let mut i = c + 1;
        let mut run = i;
        loop {
            match *line.get(i)? {
                b'\'' if quote == b'\'' => {
                    text.push_str(self.str(l, run, i));
                    if line.get(i + 1) == Some(&b'\'') {
                        text.push('\'');
                        i += 2;
                        run = i;
                        continue;
                    }
                    break;
                }
                b'"' if quote == b'"' => {
                    text.push_str(self.str(l, run, i));
                    break;
                }
                b'\\' if quote == b'"' => {
                    text.push_str(self.str(l, run, i));
                    i = self.escape(l, i + 1, &mut text)?;
                    run = i;
                }
                _ => i += 1,
            }
        }
        Some((text, i + 1))
    }

    /// The escape after a `\` at `i` appended to `text`; the offset after it.
    fn escape(&self, l: usize, i: usize, text: &mut String) -> Option<usize> {
        let line = self.line(l);
        let simple = match *line.get(i)? {
            b'0' => '\0',
            b'a' => '\u{7}',
            b'b' => '\u{8}',
            b't' => '\t',
            b'n' => '\n',
            b'v' => '\u{b}',
            b'f' => '\u{c}',
            b'r' => '\r',
            b'e' => '\u{1b}',
            b' ' => ' ',
            b'"' => '"',
            b'/' => '/',
            b'\\' => '\\',
            b'N' => '\u{85}',
            b'_' => '\u{a0}',
            b'L' => '\u{2028}',
            b'P' => '\u{2029}',
            b'x' | b'u' | b'U' => {
                let digits = match line[i] {
                    b'x' => 2,
                    b'u' => 4,
                    _ => 8,
                };
                let hex = line.get(i + 1..i + 1 + digits)?;
                if !hex.iter().all(u8::is_ascii_hexdigit) {
                    return None;
                }
                let code = u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
                text.push(char::from_u32(code)?);
                return Some(i + 1 + digits);
            }
            _ => return None,
        };
        text.push(simple);
        Some(i + 1)
    }

    /// A flow collection that opens at `c` and closes on the same line; the offset after it.
    fn flow(&self, l: usize, c: usize, depth: usize) -> Option<(Node, usize)> {
        if depth > DEPTH {
            return None;
        }
        let line = self.line(l);
        let is_map = line[c] == b'{';
        let close = if is_map { b'}' } else { b']' };
        let mut items = Vec::new();
        let mut entries = Vec::new();
        let mut i = self.skip_spaces(l, c + 1);
        if line.get(i) == Some(&close) {
            i += 1;
        } else {
            loop {
                if is_map {
                    let (key, key_span, colon) = self.key(l, i, true)?;
                    let v = self.skip_spaces(l, colon + 1);
                    let (value, end) = self.flow_item(l, v, depth)?;
                    entries.push(Entry { key, key_span, value });
                    i = end;
                } else {
                    let (item, end) = self.flow_item(l, i, depth)?;
                    items.push(item);
                    i = end;
                }
                i = self.skip_spaces(l, i);
                match *line.get(i)? {
                    b',' => i = self.skip_spaces(l, i + 1),
                    b if b == close => break i += 1,
                    _ => return None,
                }
            }
        }
        let span = self.span((l, c));
        if is_map {
            if has_duplicates(&entries) {
                return None;
            }
            return Some((Node::map(span, entries), i));
        }
        Some((Node { span, kind: NodeKind::Seq(items) }, i))
    }

    /// A value inside a flow collection at `c`: a nested collection or a scalar.
    fn flow_item(&self, l: usize, c: usize, depth: usize) -> Option<(Node, usize)> {
        let line = self.line(l);
        match *line.get(c)? {
            b'[' | b'{' => self.flow(l, c, depth + 1),
            b'"' | b'\'' => self.quoted_node(l, c),
            _ => {
                let end = plain_end(line, c, true)?;
                // `[a: b]` is a one-pair map.
                if line.get(end) == Some(&b':') {
                    return None;
                }
                Some((self.plain(l, c, end, true)?, end))
            }
        }
    }
}

/// Where a plain scalar starting at `c` ends: at `: ` or a final `:`, at ` #`, at the line's
/// end, and in a flow collection also at `,[]{}` and at a `:` before one of those.
/// `None` for a comment inside a flow collection (it goes on past the line).
fn plain_end(line: &[u8], c: usize, flow: bool) -> Option<usize> {
    let mut i = c;
    while i < line.len() {
        match line[i] {
            b':' => {
                let next = line.get(i + 1).copied();
                if matches!(next, None | Some(b' ')) || (flow && matches!(next, Some(b',' | b'[' | b']' | b'{' | b'}')))
                {
                    return Some(i);
                }
            }
            b'#' if i > c && line[i - 1] == b' ' => return (!flow).then_some(i),
            b',' | b'[' | b']' | b'{' | b'}' if flow => return Some(i),
            _ => {}
        }
        i += 1;
    }
    (!flow).then_some(i)
}

/// Whether a plain scalar may start at `c`: not with an indicator, except `-`, `?` and
/// `:` before a character that may follow them.
fn plain_first(line: &[u8], c: usize, flow: bool) -> bool {
    match line[c] {
        b'-' | b'?' | b':' => match line.get(c + 1) {
            None | Some(b' ') => false,
            Some(b',' | b'[' | b']' | b'{' | b'}') => !flow,
            Some(_) => line[c] == b'-',
        },
        b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\'' | b'"' | b'%' | b'@'
        | b'`' | b' ' => false,
        _ => true,
    }
}

/// Whether two entries share a key (a small map is scanned, a large one sorted).
fn has_duplicates(entries: &[Entry]) -> bool {
    if entries.len() <= 16 {
        return entries.iter().enumerate().any(|(i, e)| entries[..i].iter().any(|f| f.key == e.key));
    }
    let mut keys: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
    keys.sort_unstable();
    keys.windows(2).any(|w| w[0] == w[1])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Whether the quick reader takes `text`; when it does, [`checked`] has compared it.
    fn takes(text: &str) -> bool {
        parse(text, 0).map(|n| super::super::checked(n, text, 0)).is_some()
    }

    /// The repository's YAML files (specs, overlays, bad specs, snapshots, templates).
    fn corpus() -> Vec<(String, String)> {
        let root = env!("CARGO_MANIFEST_DIR");
        walkdir::WalkDir::new(root)
            .into_iter()
            .filter_entry(|e| !matches!(e.file_name().to_str(), Some("target" | ".git")))
            .filter_map(Result::ok)
            .filter(|e| {
                let name = e.file_name().to_string_lossy();
                e.file_type().is_file() && [".yaml", ".yml", ".j2"].iter().any(|x| name.ends_with(x))
            })
            .filter_map(|e| Some((e.path().display().to_string(), std::fs::read_to_string(e.path()).ok()?)))
            .collect()
    }

    #[test]
    fn reads_every_bundled_spec_as_the_full_loader_does() {
        let files = corpus();
        assert!(files.len() > 100, "{}", files.len());
        let mut missed = Vec::new();
        for (path, text) in &files {
            if !takes(text) && path.contains("/platforms/") {
                missed.push(path.as_str());
            }
        }
        assert!(missed.is_empty(), "the quick reader passes these to the full loader: {missed:?}");
    }

    #[test]
    fn spans_and_values_of_each_form() {
        let text = "a:\n  b: 1\n  c:\n  d:\n    - x\n    -\n    - y: 1\n      z: \"q\"\ne:\n- 1\n- [a, \"b\", {c: d}]\n\
                    f: |\n  hi\n   there\n\ng: 'it''s' # c\nh: ~\n\u{e9}\u{e9}: \"\\u00e9\\t\"\nj: {k: \u{e9}, l: [\u{e9}]}\nlast:\n";
        let n = parse(text, 0).expect("the quick reader takes every form here");
        assert_eq!(Ok(&n), super::super::node::full(text, 0).as_ref());
        let at = |path: &[&str]| {
            let s = n.find(path);
            (s.line, s.col)
        };
        assert_eq!(at(&["a", "d", "2", "z"]), (8, 10));
        assert_eq!(at(&["e", "1", "2", "c"]), (11, 16));
        assert_eq!(at(&["f"]), (13, 3));
        assert_eq!(at(&["j", "l", "0"]), (19, 15));
        assert_eq!(n.get("g").and_then(Node::as_str), Some("it's"));
        assert_eq!(n.get("\u{e9}\u{e9}").and_then(Node::as_str), Some("\u{e9}\t"));
        assert!(n.get("h").is_some_and(Node::is_null) && n.get("last").is_some_and(Node::is_null));
    }

    #[test]
    fn leaves_the_rest_of_yaml_and_every_error_to_the_full_loader() {
        for text in [
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: >\n  folded\n",
            "a: |+\n  kept\n\n",
            "a: plain\n  continued\n",
            "a: \"two\n  lines\"\n",
            "---\na: 1\n",
            "a:\n\tb: 1\n",
            "a: 1\r\nb: 2\r\n",
            "? a\n: b\n",
            "a: 1\na: 2\n",
            "<<: {a: 1}\n",
            "a: [1,\n  2]\n",
            "a: b: c\n",
            "a: 1\n  b: 2\n",
            "- a\nb: 1\n",
            "a: {b}\n",
            "a: [b, ]\n",
            "a: \"\\q\"\n",
        ] {
            assert!(parse(text, 0).is_none(), "{text:?}");
        }
        // Implicit keys are at most 1024 characters long, in a block map and in a flow map.
        for text in [format!("{}: 1\n", "k".repeat(1025)), format!("a: {{{}: 1}}\n", "k".repeat(1025))] {
            assert!(parse(&text, 0).is_none(), "{text:?}");
        }
    }

    /// Pieces of YAML (some of them wrong) that documents are generated from.
    const KEYS: &[&str] = &["a", "b c", "\"q k\"", "'s'", "x-y", "~", "k:v", "n1", "on", "-d", "\u{e9}t\u{e9}"];
    const SCALARS: &[&str] = &[
        "1",
        "v",
        "a b",
        "\"x\"",
        "'y'",
        "\"a\\n\\\"b\\u00e9\"",
        "'it''s'",
        "~",
        "null",
        "a#b",
        "a #c",
        "http://h:1/p",
        "-1",
        "-",
        "[]",
        "{}",
        "[a, b]",
        "[ a , \"b\" ]",
        "{k: v, l: [1, 2]}",
        "{k: }",
        "[a: b]",
        "\u{e9}",
        "''",
        "\"\"",
        "a:b",
        ":a",
        "?a",
        "*a",
        "&a b",
        "!t x",
        "@x",
        "`x",
        "%x",
        "[a,b]",
        "{a:1}",
        "[a, [b, {c: d}]]",
        "x ",
    ];

    fn doc() -> impl Strategy<Value = String> {
        let line = prop_oneof![
            (0..6usize, prop::sample::select(KEYS), prop::sample::select(SCALARS))
                .prop_map(|(i, k, v)| format!("{}{k}: {v}", " ".repeat(i))),
            (0..6usize, prop::sample::select(KEYS)).prop_map(|(i, k)| format!("{}{k}:", " ".repeat(i))),
            (0..6usize, prop::sample::select(SCALARS)).prop_map(|(i, v)| format!("{}- {v}", " ".repeat(i))),
            (0..6usize, prop::sample::select(KEYS), prop::sample::select(SCALARS))
                .prop_map(|(i, k, v)| format!("{}- {k}: {v}", " ".repeat(i))),
            (0..6usize, prop::sample::select(&["", " ", "   ", " # c", "# c", "  #c"][..]))
                .prop_map(|(i, t)| format!("{}-{t}", " ".repeat(i))),
            (0..6usize, prop::sample::select(KEYS), prop::sample::select(&[" ", "   ", " # c", "#c"][..]))
                .prop_map(|(i, k, t)| format!("{}{k}:{t}", " ".repeat(i))),
            (0..6usize).prop_map(|i| format!("{}- - x", " ".repeat(i))),
            (0..6usize, prop::sample::select(KEYS), prop::sample::select(&["|", "|-", "| # c", "|2", ">"][..]))
                .prop_map(|(i, k, h)| format!("{}{k}: {h}", " ".repeat(i))),
            (0..8usize, prop::sample::select(SCALARS)).prop_map(|(i, v)| format!("{}{v}", " ".repeat(i))),
            (0..6usize).prop_map(|i| format!("{}# comment", " ".repeat(i))),
            // Spaces around the `:` and at the end, a comment after the value.
            (0..6usize, prop::sample::select(KEYS), 0..3usize, 1..3usize, prop::sample::select(SCALARS), 0..3usize)
                .prop_map(|(i, k, before, after, v, end)| {
                    let tail = ["", " ", " # c"][end];
                    format!("{}{k}{}:{}{v}{tail}", " ".repeat(i), " ".repeat(before), " ".repeat(after))
                }),
            (0..8usize, prop::sample::select(&["text", "# not a comment", "a: b", "- x", "  more", "\\"][..]))
                .prop_map(|(i, t)| format!("{}{t}", " ".repeat(i))),
            Just(String::new()),
            Just("   ".to_string()),
        ];
        (prop::collection::vec(line, 0..14), any::<bool>()).prop_map(|(lines, newline)| {
            let mut text = lines.join("\n");
            if newline {
                text.push('\n');
            }
            text
        })
    }

    /// The generated documents are not mostly left to the full loader: the quick reader
    /// takes most of those the full loader reads, so the comparison below compares trees.
    #[test]
    fn takes_most_generated_documents_that_are_yaml() {
        use proptest::strategy::ValueTree;
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        let (mut yaml, mut taken) = (0, 0);
        for _ in 0..2000 {
            let text = doc().new_tree(&mut runner).unwrap().current();
            yaml += usize::from(super::super::node::full(&text, 0).is_ok());
            taken += usize::from(takes(&text));
        }
        assert!(yaml > 200 && taken * 10 > yaml * 7, "{taken} of {yaml}");
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

        /// Whatever the quick reader takes, the full loader reads as the same tree.
        #[test]
        fn agrees_with_the_full_loader_on_generated_documents(text in doc()) {
            takes(&text);
        }

        /// ... and on the bundled files with a byte changed, added or taken out.
        #[test]
        fn agrees_with_the_full_loader_on_edited_files(
            pick in any::<prop::sample::Index>(),
            place in any::<prop::sample::Index>(),
            edit in 0..3u8,
            byte in prop::sample::select(&b" -:#'\"[]{},|>\n~&*!?x1"[..]),
        ) {
            let files = corpus_cache();
            let text = &files[pick.index(files.len())];
            let mut bytes = text.as_bytes().to_vec();
            if !bytes.is_empty() {
                let at = place.index(bytes.len());
                match edit {
                    0 => bytes[at] = byte,
                    1 => bytes.insert(at, byte),
                    _ => { bytes.remove(at); }
                }
            }
            if let Ok(edited) = String::from_utf8(bytes) {
                takes(&edited);
            }
        }
    }

    fn corpus_cache() -> &'static [String] {
        static FILES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
        FILES.get_or_init(|| corpus().into_iter().map(|(_, t)| t).filter(|t| t.len() < 20_000).collect())
    }
}
