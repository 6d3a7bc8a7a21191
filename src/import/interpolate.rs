//! Compose variable interpolation and `env_file` parsing.
//!
//! The import never reads the process environment or a `.env` file: output must not
//! depend on the shell that ran it, and must not pick up someone's local secrets.
//! Every variable is therefore unset: `${VAR:-default}` and `${VAR-default}` give
//! the default, `${VAR}`, `$VAR`, `${VAR:?msg}` and `${VAR:+alt}` give the empty
//! string and a warning, and `$$` is a literal `$`.

/// Interpolates `s`; each unset variable adds a message to `unset`.
pub fn interpolate(s: &str, unset: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix('$') {
            out.push('$');
            rest = r;
        } else if let Some(body) = after.strip_prefix('{') {
            match closing_brace(body) {
                Some(end) => {
                    out.push_str(&braced(&body[..end], unset));
                    rest = &body[end + 1..];
                }
                None => {
                    unset.push(format!("unterminated `${{` in `{}`; kept as written", short(s)));
                    out.push_str(&rest[i..]);
                    rest = "";
                }
            }
        } else {
            let n = name_len(after);
            if n == 0 {
                out.push('$');
                rest = after;
            } else {
                unset.push(not_set(&after[..n]));
                rest = &after[n..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn short(s: &str) -> String {
    if s.chars().count() > 40 { s.chars().take(37).collect::<String>() + "..." } else { s.to_string() }
}

fn not_set(name: &str) -> String {
    format!(
        "variable `{name}` is not set (genk8s import reads neither the environment nor .env files); used an empty string"
    )
}

/// Length of the variable name at the start of `s`.
fn name_len(s: &str) -> usize {
    let mut n = 0;
    for (i, c) in s.char_indices() {
        let ok = c == '_' || c.is_ascii_alphabetic() || (i > 0 && c.is_ascii_digit());
        if !ok {
            break;
        }
        n = i + c.len_utf8();
    }
    n
}

/// Index of the `}` closing a `${`, with nested `${...}` inside defaults.
fn closing_brace(body: &str) -> Option<usize> {
    let mut depth = 1;
    let bytes = body.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' && bytes.get(i + 1) == Some(&b'{') {
            depth += 1;
            i += 2;
            continue;
        }
        if bytes[i] == b'}' {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
        i += 1;
    }
    None
}

/// The value of `${inner}` with every variable unset.
fn braced(inner: &str, unset: &mut Vec<String>) -> String {
    let n = name_len(inner);
    let (name, op) = (&inner[..n], &inner[n..]);
    if n == 0 {
        unset.push(format!("`${{{}}}` is not a valid variable reference; used an empty string", short(inner)));
        return String::new();
    }
    if op.is_empty() {
        unset.push(not_set(name));
        return String::new();
    }
    for p in [":-", "-"] {
        if let Some(default) = op.strip_prefix(p) {
            return interpolate(default, unset);
        }
    }
    for p in [":?", "?"] {
        if op.starts_with(p) {
            unset.push(format!(
                "required variable `{name}` is not set (genk8s import reads neither the environment nor .env files); used an empty string"
            ));
            return String::new();
        }
    }
    for p in [":+", "+"] {
        if op.starts_with(p) {
            unset.push(not_set(name));
            return String::new();
        }
    }
    unset.push(format!("`${{{}}}` is not a valid variable reference; used an empty string", short(inner)));
    String::new()
}

/// One `KEY=VALUE` line of an env file (`value` is `None` for a bare `KEY`).
#[derive(Debug, PartialEq)]
pub struct DotenvEntry {
    pub key: String,
    pub value: Option<String>,
    /// 1-based line and column of the key.
    pub line: usize,
    pub col: usize,
    /// Messages about unset variables in the value.
    pub unset: Vec<String>,
}

/// Parses an env file the way Compose does: `#` comments, optional `export `,
/// `KEY=value` with single quotes (literal), double quotes (escapes, may span
/// lines) or none (trailing ` # comment` removed); values are interpolated
/// except in single quotes.
pub fn parse_dotenv(text: &str) -> Vec<DotenvEntry> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let raw = lines[i];
        let line_no = i + 1;
        i += 1;
        let trimmed = raw.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let mut col = raw.len() - trimmed.len() + 1;
        let mut body = trimmed;
        if let Some(b) = body.strip_prefix("export ") {
            let b2 = b.trim_start();
            col += body.len() - b2.len();
            body = b2;
        }
        let Some(eq) = body.find('=') else {
            out.push(DotenvEntry { key: body.trim().to_string(), value: None, line: line_no, col, unset: vec![] });
            continue;
        };
        let key = body[..eq].trim().to_string();
        let val = body[eq + 1..].trim_start();
        let mut unset = Vec::new();
        let value = if let Some(v) = val.strip_prefix('\'') {
            let (text, consumed) = quoted(v, &lines[i..], '\'');
            i += consumed;
            text
        } else if let Some(v) = val.strip_prefix('"') {
            let (text, consumed) = quoted(v, &lines[i..], '"');
            i += consumed;
            interpolate(&unescape(&text), &mut unset)
        } else {
            let v = match val.find(" #").or_else(|| val.find("\t#")) {
                Some(c) => &val[..c],
                None => val,
            };
            interpolate(v.trim_end(), &mut unset)
        };
        out.push(DotenvEntry { key, value: Some(value), line: line_no, col, unset });
    }
    out
}

/// The text up to the closing quote (on this or following lines) and the
/// number of following lines consumed.
fn quoted(first: &str, more: &[&str], q: char) -> (String, usize) {
    let mut text = String::new();
    let mut consumed = 0;
    let mut cur = first;
    loop {
        let mut escaped = false;
        for (idx, c) in cur.char_indices() {
            if q == '"' && c == '\\' && !escaped {
                escaped = true;
                continue;
            }
            if c == q && !escaped {
                text.push_str(&cur[..idx]);
                return (text, consumed);
            }
            escaped = false;
        }
        text.push_str(cur);
        match more.get(consumed) {
            Some(next) => {
                text.push('\n');
                cur = next;
                consumed += 1;
            }
            // Unterminated: keep what there is.
            None => return (text, consumed),
        }
    }
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some(o) => out.push(o),
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn i(s: &str) -> (String, usize) {
        let mut u = Vec::new();
        let out = interpolate(s, &mut u);
        (out, u.len())
    }

    #[test]
    fn defaults_escapes_and_unset() {
        assert_eq!(i("${PORT:-8080}"), ("8080".into(), 0));
        assert_eq!(i("${PORT-80}/x"), ("80/x".into(), 0));
        assert_eq!(i("a${HOST}b"), ("ab".into(), 1));
        assert_eq!(i("$HOST:$PORT"), (":".into(), 2));
        assert_eq!(i("$$HOME and $ 5"), ("$HOME and $ 5".into(), 0));
        assert_eq!(i("${A:-${B:-x}}y"), ("xy".into(), 0));
        assert_eq!(i("${A:-${B}}"), ("".into(), 1));
        assert_eq!(i("${TOKEN:?set it}"), ("".into(), 1));
        assert_eq!(i("${X:+on}"), ("".into(), 1));
        assert_eq!(i("${9X}"), ("".into(), 1));
        assert_eq!(i("${OPEN"), ("${OPEN".into(), 1));
        assert_eq!(i("postgres://u:${PW:-p@ss}@db/x"), ("postgres://u:p@ss@db/x".into(), 0));
    }

    #[test]
    fn env_files() {
        let text =
            "# c\n\nexport A=1\nB = two words # note\nC='lit ${X}'\nD=\"q\\n${Y:-y}\"\nE\nF=\"multi\nline\"\nG=\n";
        let e = parse_dotenv(text);
        let kv: Vec<(&str, Option<&str>)> = e.iter().map(|d| (d.key.as_str(), d.value.as_deref())).collect();
        assert_eq!(
            kv,
            [
                ("A", Some("1")),
                ("B", Some("two words")),
                ("C", Some("lit ${X}")),
                ("D", Some("q\ny")),
                ("E", None),
                ("F", Some("multi\nline")),
                ("G", Some("")),
            ]
        );
        assert_eq!((e[0].line, e[0].col), (3, 8));
        assert_eq!(e[1].line, 4);
        assert_eq!(e[6].line, 10, "line numbers continue after a multi-line value");
    }
}
