//! Compose variable interpolation and `env_file` parsing.
//!
//! Variables come from [`Vars`]: the process environment, over the project's env
//! files (`.env` beside the Compose file, or those given with `--env-file`), as
//! `docker compose` reads them. `${VAR:-default}` gives the default when VAR is
//! unset or empty, `${VAR-default}` only when unset, `${VAR:+alt}` / `${VAR+alt}`
//! the alternative when set, `${VAR:?message}` / `${VAR?message}` are errors when
//! VAR is unset (or empty, with the colon), and `$$` is a literal `$`. An unset
//! `${VAR}` or `$VAR` gives the empty string and a warning, as Compose does.

use std::collections::BTreeMap;

/// The variables interpolation sees, each with where it came from.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    map: BTreeMap<String, (String, String)>,
}

impl Vars {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.map.get(name).map(|(v, _)| v.as_str())
    }

    /// Where a variable was set (`the environment`, `.env`), for messages.
    pub fn origin(&self, name: &str) -> Option<&str> {
        self.map.get(name).map(|(_, o)| o.as_str())
    }

    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>, origin: impl Into<String>) {
        self.map.insert(name.into(), (value.into(), origin.into()));
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Variables whose names look secret, with their values.
    pub fn secret_looking(&self) -> Vec<(String, String)> {
        self.map
            .iter()
            .filter(|(k, (v, _))| !v.is_empty() && super::values::is_secret_key(k))
            .map(|(k, (v, _))| (k.clone(), v.clone()))
            .collect()
    }
}

/// Interpolates `s`; each unset variable adds a message to `unset`. A required
/// variable that is not set (`${VAR:?message}`) is an error with its message.
pub fn interpolate(s: &str, vars: &Vars, unset: &mut Vec<String>) -> Result<String, String> {
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
                    out.push_str(&braced(&body[..end], vars, unset)?);
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
                match vars.get(&after[..n]) {
                    Some(v) => out.push_str(v),
                    None => unset.push(not_set(&after[..n])),
                }
                rest = &after[n..];
            }
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn short(s: &str) -> String {
    if s.chars().count() > 40 { s.chars().take(37).collect::<String>() + "..." } else { s.to_string() }
}

fn not_set(name: &str) -> String {
    format!(
        "variable `{name}` is not set (neither in the environment nor in the env files); used an empty string (set it in .env or pass --env-file)"
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

/// The value of `${inner}`.
fn braced(inner: &str, vars: &Vars, unset: &mut Vec<String>) -> Result<String, String> {
    let n = name_len(inner);
    let (name, op) = (&inner[..n], &inner[n..]);
    if n == 0 {
        unset.push(format!("`${{{}}}` is not a valid variable reference; used an empty string", short(inner)));
        return Ok(String::new());
    }
    let value = vars.get(name);
    let set_nonempty = value.is_some_and(|v| !v.is_empty());
    if op.is_empty() {
        if value.is_none() {
            unset.push(not_set(name));
        }
        return Ok(value.unwrap_or_default().to_string());
    }
    // (operator, whether it also treats an empty value as unset)
    for (p, colon) in [(":-", true), ("-", false)] {
        if let Some(default) = op.strip_prefix(p) {
            let use_value = if colon { set_nonempty } else { value.is_some() };
            return if use_value {
                Ok(value.unwrap_or_default().to_string())
            } else {
                interpolate(default, vars, unset)
            };
        }
    }
    for (p, colon) in [(":?", true), ("?", false)] {
        if let Some(message) = op.strip_prefix(p) {
            let ok = if colon { set_nonempty } else { value.is_some() };
            if ok {
                return Ok(value.unwrap_or_default().to_string());
            }
            let mut ignored = Vec::new();
            let message = interpolate(message, vars, &mut ignored).unwrap_or_else(|_| message.to_string());
            let what = if colon && value.is_some() { "is empty" } else { "is not set" };
            return Err(if message.is_empty() {
                format!("required variable `{name}` {what}")
            } else {
                format!("required variable `{name}` {what}: {message}")
            });
        }
    }
    for (p, colon) in [(":+", true), ("+", false)] {
        if let Some(alt) = op.strip_prefix(p) {
            let use_alt = if colon { set_nonempty } else { value.is_some() };
            return if use_alt { interpolate(alt, vars, unset) } else { Ok(String::new()) };
        }
    }
    unset.push(format!("`${{{}}}` is not a valid variable reference; used an empty string", short(inner)));
    Ok(String::new())
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
/// except in single quotes, with `vars` and the entries above them.
pub fn parse_dotenv(text: &str, vars: &Vars) -> Vec<DotenvEntry> {
    let mut local = vars.clone();
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
            expand(&unescape(&text), &local, &mut unset)
        } else {
            let v = match val.find(" #").or_else(|| val.find("\t#")) {
                Some(c) => &val[..c],
                None => val,
            };
            expand(v.trim_end(), &local, &mut unset)
        };
        local.set(key.clone(), value.clone(), "env file");
        out.push(DotenvEntry { key, value: Some(value), line: line_no, col, unset });
    }
    out
}

/// Interpolation in an env file: a missing required variable is reported, not fatal.
fn expand(s: &str, vars: &Vars, unset: &mut Vec<String>) -> String {
    interpolate(s, vars, unset).unwrap_or_else(|e| {
        unset.push(format!("{e}; used an empty string"));
        String::new()
    })
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
        let out = interpolate(s, &Vars::default(), &mut u).unwrap_or_else(|e| format!("error: {e}"));
        (out, u.len())
    }

    fn with(vars: &[(&str, &str)], s: &str) -> Result<String, String> {
        let mut v = Vars::default();
        for (k, val) in vars {
            v.set(*k, *val, "test");
        }
        interpolate(s, &v, &mut Vec::new())
    }

    #[test]
    fn set_variables_and_their_operators() {
        let vars = [("TAG", "1.2"), ("EMPTY", "")];
        assert_eq!(with(&vars, "app:${TAG}").unwrap(), "app:1.2");
        assert_eq!(with(&vars, "app:$TAG-x").unwrap(), "app:1.2-x");
        assert_eq!(with(&vars, "${TAG:-9}|${EMPTY:-d}|${EMPTY-d}|${NONE-d}").unwrap(), "1.2|d||d");
        assert_eq!(with(&vars, "${TAG:+on}|${EMPTY:+on}|${EMPTY+on}|${NONE+on}").unwrap(), "on||on|");
        assert_eq!(with(&vars, "${EMPTY?x}").unwrap(), "");
        assert_eq!(
            with(&vars, "${NONE:?set NONE in .env}").unwrap_err(),
            "required variable `NONE` is not set: set NONE in .env"
        );
        assert_eq!(with(&vars, "${EMPTY:?}").unwrap_err(), "required variable `EMPTY` is empty");
        assert_eq!(with(&vars, "${NONE?}").unwrap_err(), "required variable `NONE` is not set");
        assert_eq!(with(&vars, "$${TAG}").unwrap(), "${TAG}");
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
        assert_eq!(i("${TOKEN:?set it}"), ("error: required variable `TOKEN` is not set: set it".into(), 0));
        assert_eq!(i("${X:+on}"), ("".into(), 0));
        assert_eq!(i("${9X}"), ("".into(), 1));
        assert_eq!(i("${OPEN"), ("${OPEN".into(), 1));
        assert_eq!(i("postgres://u:${PW:-p@ss}@db/x"), ("postgres://u:p@ss@db/x".into(), 0));
    }

    #[test]
    fn env_files() {
        let text =
            "# c\n\nexport A=1\nB = two words # note\nC='lit ${X}'\nD=\"q\\n${Y:-y}\"\nE\nF=\"multi\nline\"\nG=\n";
        let e = parse_dotenv(text, &Vars::default());
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
        let e = parse_dotenv("A=1\nB=${A}-${OUT}\n", &{
            let mut v = Vars::default();
            v.set("OUT", "o", "test");
            v
        });
        assert_eq!(e[1].value.as_deref(), Some("1-o"), "later entries see earlier ones");
    }
}
