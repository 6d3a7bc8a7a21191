//! Deterministic YAML emitter for JSON-shaped values.
//!
//! Every reader must see the same data: a string is written plain only when no
//! YAML 1.1 or 1.2 reader could take it for anything else; otherwise it is
//! double-quoted. Multi-line strings become block literals.

use serde_json::Value;
use std::fmt::Write as _;

/// Appends `value` as a YAML document body (no `---`) to `out`.
pub fn emit(value: &Value, out: &mut String) {
    emit_with(value, Width(0), out);
}

/// As [`emit`], but a map or list whose flow form (`{a: 1, b: [x, y]}`) keeps its
/// line within `width` characters is written in flow style: for specs people read
/// and edit (`genk8s import`), not for generated manifests.
pub fn emit_compact(value: &Value, width: usize, out: &mut String) {
    emit_with(value, Width(width), out);
}

/// Widest line a flow collection may make; 0: always block style.
#[derive(Clone, Copy)]
struct Width(usize);

impl Width {
    /// The flow form of `v` when it fits after `used` characters of its line.
    fn flow(self, v: &Value, used: usize) -> Option<String> {
        if self.0 == 0
            || !matches!(v, Value::Object(m) if !m.is_empty()) && !matches!(v, Value::Array(a) if !a.is_empty())
        {
            return None;
        }
        let mut s = String::new();
        write_flow(v, &mut s).then_some(())?;
        (used + s.len() <= self.0).then_some(s)
    }
}

/// Writes `v` in flow style; false when it holds a multi-line string.
fn write_flow(v: &Value, out: &mut String) -> bool {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('{');
            for (i, (k, val)) in m.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_flow_str(k, out);
                out.push_str(": ");
                if !write_flow(val, out) {
                    return false;
                }
            }
            out.push('}');
            true
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('[');
            for (i, val) in a.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                if !write_flow(val, out) {
                    return false;
                }
            }
            out.push(']');
            true
        }
        Value::String(s) if s.contains('\n') => false,
        Value::String(s) => {
            write_flow_str(s, out);
            true
        }
        other => {
            write_inline(other, 0, out);
            true
        }
    }
}

/// A string in flow context: plain only without flow indicators.
fn write_flow_str(s: &str, out: &mut String) {
    if s.contains([',', '[', ']', '{', '}']) && is_plain_safe(s) {
        write_quoted(s, out);
    } else {
        write_str_inline(s, out);
    }
}

fn emit_with(value: &Value, w: Width, out: &mut String) {
    match value {
        Value::Object(m) if !m.is_empty() => write_map(m, 0, w, out),
        Value::Array(a) if !a.is_empty() => write_seq(a, 0, w, out),
        other => {
            write_inline(other, 0, out);
            out.push('\n');
        }
    }
}

pub(super) fn indent(n: usize, out: &mut String) {
    const SPACES: &str = "                                ";
    let mut n = n;
    while n > SPACES.len() {
        out.push_str(SPACES);
        n -= SPACES.len();
    }
    out.push_str(&SPACES[..n]);
}

fn write_map(m: &serde_json::Map<String, Value>, ind: usize, w: Width, out: &mut String) {
    for (k, v) in m {
        indent(ind, out);
        let start = out.len();
        write_str_inline(k, out);
        out.push(':');
        let used = ind + out.len() - start + 1;
        write_after_key(v, ind, used, w, out);
    }
}

fn write_seq(a: &[Value], ind: usize, w: Width, out: &mut String) {
    for v in a {
        indent(ind, out);
        out.push('-');
        if let Some(flow) = w.flow(v, ind + 2) {
            out.push(' ');
            out.push_str(&flow);
            out.push('\n');
            continue;
        }
        match v {
            Value::Object(m) if !m.is_empty() => {
                // First key on the dash line, the rest aligned under it.
                out.push(' ');
                let mut first = true;
                for (k, val) in m {
                    if !first {
                        indent(ind + 2, out);
                    }
                    first = false;
                    let start = out.len();
                    write_str_inline(k, out);
                    out.push(':');
                    let used = ind + 2 + out.len() - start + 1;
                    write_after_key(val, ind + 2, used, w, out);
                }
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                write_seq(inner, ind + 2, w, out);
            }
            other => {
                out.push(' ');
                write_inline(other, ind + 2, out);
                out.push('\n');
            }
        }
    }
}

/// Writes what follows `key:` for a value nested at indentation `ind`; `used` is
/// the width of the line so far.
fn write_after_key(v: &Value, ind: usize, used: usize, w: Width, out: &mut String) {
    if let Some(flow) = w.flow(v, used) {
        out.push(' ');
        out.push_str(&flow);
        out.push('\n');
        return;
    }
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            write_map(m, ind + 2, w, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            write_seq(a, ind, w, out);
        }
        other => {
            out.push(' ');
            write_inline(other, ind + 2, out);
            out.push('\n');
        }
    }
}

/// Scalars and empty collections; `ind` is the indentation for block literal lines.
fn write_inline(v: &Value, ind: usize, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_string(s, ind, out),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

/// A string as a block literal (lines at `ind`) when it is one, else inline.
pub(super) fn write_string(s: &str, ind: usize, out: &mut String) {
    if is_block_literal(s) {
        write_block(s, ind, out);
    } else {
        write_str_inline(s, out);
    }
}

fn is_block_literal(s: &str) -> bool {
    s.contains('\n')
        && !s.trim_end_matches('\n').is_empty()
        && s.chars().all(|c| c == '\n' || c == '\t' || !(c.is_control() || is_special_break(c)))
}

fn write_block(s: &str, ind: usize, out: &mut String) {
    out.push('|');
    if s.starts_with(' ') || s.starts_with('\n') {
        out.push('2');
    }
    let body = s.trim_end_matches('\n');
    let trailing = s.len() - body.len();
    match trailing {
        0 => out.push('-'),
        1 => {}
        _ => out.push('+'),
    }
    for line in s.split('\n').take(body.split('\n').count() + trailing.saturating_sub(1)) {
        out.push('\n');
        if !line.is_empty() {
            indent(ind, out);
            out.push_str(line);
        }
    }
}

pub(super) fn write_str_inline(s: &str, out: &mut String) {
    if is_plain_safe(s) {
        out.push_str(s);
        return;
    }
    write_quoted(s, out);
}

fn write_quoted(s: &str, out: &mut String) {
    out.push('"');
    // Runs of characters that need no escape are copied whole.
    let mut run = 0;
    for (i, c) in s.char_indices() {
        let escape = match c {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\t' => "\\t",
            '\r' => "\\r",
            c if c.is_control() || is_special_break(c) => "",
            _ => continue,
        };
        out.push_str(&s[run..i]);
        run = i + c.len_utf8();
        if escape.is_empty() {
            let _ = write!(out, "\\u{:04x}", c as u32);
        } else {
            out.push_str(escape);
        }
    }
    out.push_str(&s[run..]);
    out.push('"');
}

/// Characters some readers treat as line breaks or byte-order marks.
fn is_special_break(c: char) -> bool {
    matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}' | '\u{85}')
}

/// Words that some YAML reader (1.1 or 1.2) resolves to a boolean or null.
const RESERVED: &[&str] = &["y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"];

/// Bytes of a plain string: [`ANY`] where any byte may be, [`FIRST`] where the first may.
/// A leading digit, sign or dot may start a number, timestamp or sexagesimal in YAML 1.1,
/// so the first byte is a letter, `/` or `_`. Every other byte (a space, a quote, a
/// flow or comment indicator, any byte of a non-ASCII character) asks for quotes.
const PLAIN: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphabetic() || c == b'/' || c == b'_' {
            t[b] = ANY | FIRST;
        } else if c.is_ascii_digit() || matches!(c, b'-' | b'.' | b':' | b'@' | b'+' | b'=') {
            t[b] = ANY;
        }
        b += 1;
    }
    t
};
const ANY: u8 = 1;
const FIRST: u8 = 2;

/// True when `s` can be written unquoted and every YAML reader reads it back as this string.
pub fn is_plain_safe(s: &str) -> bool {
    let bytes = s.as_bytes();
    let Some(&first) = bytes.first() else {
        return false;
    };
    // No space is allowed, so no `: ` either; a final `:` would read as a key.
    PLAIN[usize::from(first)] & FIRST != 0 && all_plain(bytes) && !s.ends_with(':') && !is_reserved(bytes)
}

/// Whether every byte may be in a plain string: eight bytes' table entries at a time, and'ed
/// without a branch per byte (this check runs for every key and string written).
fn all_plain(bytes: &[u8]) -> bool {
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let at = |i: usize| PLAIN[usize::from(c[i])];
        if at(0) & at(1) & at(2) & at(3) & at(4) & at(5) & at(6) & at(7) & ANY == 0 {
            return false;
        }
    }
    chunks.remainder().iter().fold(ANY, |acc, &b| acc & PLAIN[usize::from(b)]) & ANY != 0
}

/// Whether `s` is one of [`RESERVED`] in any case (without a scan of the list: every one is
/// at most five bytes, and most keys and values are longer or differ in the first byte).
fn is_reserved(s: &[u8]) -> bool {
    if s.len() > 5 || !matches!(s[0] | 0x20, b'y' | b'n' | b'o' | b't' | b'f' | b'~') {
        return false;
    }
    RESERVED.iter().any(|r| r.as_bytes().eq_ignore_ascii_case(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn y(v: Value) -> String {
        let mut s = String::new();
        emit(&v, &mut s);
        s
    }

    /// A parsed document as JSON: plain `true`, `null` and integers typed, the rest text.
    fn typed(n: &crate::yaml::Node) -> Value {
        use crate::yaml::NodeKind;
        match &n.kind {
            NodeKind::Null => Value::Null,
            NodeKind::Scalar { text, plain: true } if text == "true" => Value::Bool(true),
            NodeKind::Scalar { text, plain: true } if text.parse::<i64>().is_ok() => {
                json!(text.parse::<i64>().unwrap())
            }
            NodeKind::Scalar { text, .. } => json!(text),
            NodeKind::Seq(items) => Value::Array(items.iter().map(typed).collect()),
            NodeKind::Map(es) => Value::Object(es.iter().map(|e| (e.key.clone(), typed(&e.value))).collect()),
        }
    }

    #[test]
    fn compact_output_is_flow_where_it_fits_and_reads_back_the_same() {
        let v = serde_json::json!({
            "resources": {"cpu": "500m/2", "memory": "1Gi/4Gi"},
            "hosts": ["a.example.com", "b,c", "{x}"],
            "ports": {"http": 8000, "grpc": {"container": 9090, "service": "90"}},
            "long": ["aaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbb", "cccccccccccccccccccccccccc", "dddddddddddddddd"],
            "text": {"file": "line 1\nline 2\n"},
            "items": [{"a": 1, "b": [true, null]}, "on"],
        });
        let mut out = String::new();
        emit_compact(&v, 60, &mut out);
        assert!(out.contains("resources: {cpu: \"500m/2\", memory: \"1Gi/4Gi\"}\n"), "{out}");
        assert!(out.contains("hosts: [a.example.com, \"b,c\", \"{x}\"]\n"), "{out}");
        assert!(out.contains("text:\n  file: |\n"), "{out}");
        assert!(out.lines().all(|l| l.len() <= 60), "{out}");
        assert_eq!(typed(&crate::yaml::parse(&out, 0).unwrap()), v);
    }

    #[test]
    fn all_plain_agrees_with_a_byte_by_byte_check_at_every_length_and_place() {
        let byte_by_byte = |b: &[u8]| b.iter().all(|&c| PLAIN[usize::from(c)] & ANY != 0);
        for len in 0..=20 {
            for bad in [None, Some(b' '), Some(b'"'), Some(b'#'), Some(0xc3)] {
                for at in 0..len.max(1) {
                    let mut s = vec![b'a'; len];
                    if let (Some(b), true) = (bad, at < len) {
                        s[at] = b;
                    }
                    assert_eq!(all_plain(&s), byte_by_byte(&s), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn quotes_what_yaml_1_1_would_retype() {
        for s in [
            "on", "No", "y", "~", "null", "0755", "1e3", "0x1F", "12:30", "", " x", "a: b", "-x", "true", "8080", ".5",
            "x:",
        ] {
            assert!(!is_plain_safe(s), "{s} must be quoted");
        }
        for s in
            ["nginx", "app.kubernetes.io/name", "postgres:15-alpine", "/health", "Prefix", "ai_workflow_engine/api"]
        {
            assert!(is_plain_safe(s), "{s} may be plain");
        }
    }

    /// The definition the byte table implements, one character at a time.
    fn plain_by_chars(s: &str) -> bool {
        let Some(first) = s.chars().next() else { return false };
        (first.is_ascii_alphabetic() || first == '/' || first == '_')
            && !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s))
            && !s.ends_with(':')
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | ':' | '@' | '+' | '='))
            && !s.contains(": ")
    }

    #[test]
    fn byte_table_agrees_with_the_definition() {
        let alphabet =
            ["a", "Z", "0", "-", "_", ".", "/", ":", "@", "+", "=", " ", "#", "\"", "é", "~", "\t", "ON", "no"];
        let mut words: Vec<String> = vec![String::new()];
        for _ in 0..3 {
            let longer: Vec<String> =
                words.iter().flat_map(|w| alphabet.iter().map(move |c| format!("{w}{c}"))).collect();
            words.extend(longer);
        }
        words.extend(["yes", "Off", "TRUE", "null", "nullx", "a: b", "x\u{85}y"].map(String::from));
        for w in &words {
            assert_eq!(is_plain_safe(w), plain_by_chars(w), "{w:?}");
        }
    }

    #[test]
    fn nested_structures_and_literals() {
        let v = json!({"a": {"b": [1, {"c": "on", "d": []}], "e": "x\ny\n"}, "f": ["p", ["q"]], "g": "l1\nl2"});
        assert_eq!(
            y(v),
            "a:\n  b:\n  - 1\n  - c: \"on\"\n    d: []\n  e: |\n    x\n    y\nf:\n- p\n-\n  - q\ng: |-\n  l1\n  l2\n"
        );
    }

    #[test]
    fn block_literals_keep_trailing_newlines_and_leading_spaces() {
        assert_eq!(y(json!({"k": "a\n\n"})), "k: |+\n  a\n\n");
        assert_eq!(y(json!({"k": "  a\nb\n"})), "k: |2\n    a\n  b\n");
        assert_eq!(y(json!({"k": "a\n\nb\n"})), "k: |\n  a\n\n  b\n");
        assert_eq!(y(json!({"k": "\n"})), "k: \"\\n\"\n", "only line breaks: quoted, not an empty block");
    }
}
