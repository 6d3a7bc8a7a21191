//! Deterministic YAML emitter for JSON-shaped values.
//!
//! Every reader must see the same data: a string is written plain only when no
//! YAML 1.1 or 1.2 reader could take it for anything else; otherwise it is
//! double-quoted. Multi-line strings become block literals.

use serde_json::Value;
use std::fmt::Write as _;

/// Appends `value` as a YAML document body (no `---`) to `out`.
pub fn emit(value: &Value, out: &mut String) {
    match value {
        Value::Object(m) if !m.is_empty() => write_map(m, 0, out),
        Value::Array(a) if !a.is_empty() => write_seq(a, 0, out),
        other => {
            write_inline(other, 0, out);
            out.push('\n');
        }
    }
}

pub(super) fn indent(n: usize, out: &mut String) {
    for _ in 0..n {
        out.push(' ');
    }
}

fn write_map(m: &serde_json::Map<String, Value>, ind: usize, out: &mut String) {
    for (k, v) in m {
        indent(ind, out);
        write_str_inline(k, out);
        out.push(':');
        write_after_key(v, ind, out);
    }
}

fn write_seq(a: &[Value], ind: usize, out: &mut String) {
    for v in a {
        indent(ind, out);
        out.push('-');
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
                    write_str_inline(k, out);
                    out.push(':');
                    write_after_key(val, ind + 2, out);
                }
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push('\n');
                write_seq(inner, ind + 2, out);
            }
            other => {
                out.push(' ');
                write_inline(other, ind + 2, out);
                out.push('\n');
            }
        }
    }
}

/// Writes what follows `key:` for a value nested at indentation `ind`.
fn write_after_key(v: &Value, ind: usize, out: &mut String) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            write_map(m, ind + 2, out);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            write_seq(a, ind, out);
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
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || is_special_break(c) => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
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
    PLAIN[usize::from(first)] & FIRST != 0
        && bytes.iter().all(|&b| PLAIN[usize::from(b)] & ANY != 0)
        && !s.ends_with(':')
        && !(s.len() <= 5 && RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s)))
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
