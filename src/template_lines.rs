//! Which template line produced each line of a rendered engine template, so errors
//! in the rendered YAML point at the template's own lines (comments, `{% set %}` and
//! other tag-only lines render to nothing and would shift every line after them).
//!
//! Each template line becomes a pattern: its literal text, with every `{{ … }}`,
//! `{% … %}` and `{# … #}` (also those spanning lines) as a wildcard. Rendered lines are
//! matched in order against the patterns that have literal text; a rendered line that
//! matches none keeps its own number.

/// Marks where a tag stood in a pattern.
const HOLE: char = '\u{1}';

/// Template lines with tags replaced by [`HOLE`] (line breaks inside tags kept).
fn patterns(template: &str) -> Vec<String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(i) = rest.find(['{']) {
        let (open, close) = match rest[i..].get(..2) {
            Some("{{") => ("{{", "}}"),
            Some("{%") => ("{%", "%}"),
            Some("{#") => ("{#", "#}"),
            _ => {
                out.push_str(&rest[..=i]);
                rest = &rest[i + 1..];
                continue;
            }
        };
        out.push_str(&rest[..i]);
        let body = &rest[i + open.len()..];
        let end = body.find(close).map_or(body.len(), |e| e + close.len());
        out.push(HOLE);
        for _ in body[..end].matches('\n') {
            out.push('\n');
            out.push(HOLE);
        }
        rest = &body[end..];
    }
    out.push_str(rest);
    out.lines().map(str::to_string).collect()
}

/// Whether `line` could have come from `pattern` (its literal pieces, in order).
fn matches(pattern: &str, line: &str) -> bool {
    let pieces: Vec<&str> = pattern.split(HOLE).collect();
    let (first, last) = (pieces[0], pieces[pieces.len() - 1]);
    if pieces.len() == 1 {
        return pattern == line;
    }
    let Some(mut rest) = line.strip_prefix(first) else { return false };
    for p in &pieces[1..pieces.len() - 1] {
        match rest.find(p) {
            Some(i) => rest = &rest[i + p.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

/// For each 0-based rendered line, the 0-based template line that produced it, if found.
pub fn map(template: &str, rendered: &str) -> Vec<Option<usize>> {
    let pats = patterns(template);
    let literal = |p: &str| p.chars().any(|c| c != HOLE && !c.is_whitespace());
    let mut next = 0;
    rendered
        .lines()
        .map(|line| {
            let found = (next..pats.len()).find(|&j| literal(&pats[j]) && matches(&pats[j], line));
            if let Some(j) = found {
                next = j + 1;
            }
            found
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_lines_map_back_past_comments_and_tags() {
        let template = "{#- two\n    comment lines -#}\n{%- set tag = version or \"1\" %}\nimage: \"kv:{{ tag }}\"\nport: {name: kv, number: \"x{{ tag }}\"}\n{% if x %}\nonly: yes\n{% endif %}\nlast: 1\n";
        let rendered = "image: \"kv:1\"\nport: {name: kv, number: \"x1\"}\nlast: 1\n";
        assert_eq!(map(template, rendered), vec![Some(3), Some(4), Some(8)]);
        assert_eq!(map("a: 1\n", "b: 2\n"), vec![None]);
    }
}
