//! The grammar of container image references (as the distribution project's
//! `reference` package defines it, which container runtimes and registries follow):
//!
//! ```text
//! reference  := name [ ":" tag ] [ "@" digest ]
//! name       := [ domain "/" ] path            (at most 255 characters)
//! domain     := host [ ":" port ]              (the first part, when it has '.' or ':', is localhost, or has capitals)
//! host       := label ( "." label )* | "[" ipv6 "]"     label := [a-zA-Z0-9] ( [a-zA-Z0-9-]* [a-zA-Z0-9] )?
//! path       := component ( "/" component )*   component := [a-z0-9]+ ( separator [a-z0-9]+ )*
//! separator  := "." | "_" | "__" | "-"+
//! tag        := [A-Za-z0-9_] [A-Za-z0-9_.-]{0,127}
//! digest     := algorithm ":" [0-9a-fA-F]{32,}   algorithm := [A-Za-z][A-Za-z0-9]* ( [+._-] [A-Za-z][A-Za-z0-9]* )*
//! ```

/// Longest repository name (domain and path) a reference may have.
pub const NAME_MAX: usize = 255;

/// Why `reference` is not a valid image reference, or `None` when it is one.
pub fn problem(reference: &str) -> Option<String> {
    let (rest, digest) = match reference.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (reference, None),
    };
    if let Some(d) = digest
        && !is_digest(d)
    {
        return Some("the digest after `@` is not ALGORITHM:HEX (e.g. sha256: and 64 hex digits)".into());
    }
    let (name, tag) = match rest.rfind(':') {
        Some(i) if !rest[i..].contains('/') => (&rest[..i], Some(&rest[i + 1..])),
        _ => (rest, None),
    };
    if name.len() > NAME_MAX {
        return Some(format!("the repository name is {} characters long; at most {NAME_MAX} are allowed", name.len()));
    }
    if let Some(t) = tag
        && !is_tag(t)
    {
        return Some(
            "the tag may hold letters, digits, '_', '.' and '-' (at most 128, not starting with '.' or '-')".into(),
        );
    }
    let mut parts: Vec<&str> = name.split('/').collect();
    let first = parts[0];
    if parts.len() > 1
        && (first.contains(['.', ':']) || first == "localhost" || first.chars().any(|c| c.is_ascii_uppercase()))
    {
        if !is_domain(first) {
            return Some(format!("`{}` is not a registry host[:port]", shorten(first)));
        }
        parts.remove(0);
    }
    match parts.iter().find(|p| !is_component(p)) {
        Some(&"") => Some("the repository path has an empty part (`//`, or a leading or trailing `/`)".into()),
        Some(p) if p.chars().any(|c| c.is_ascii_uppercase()) => {
            Some(format!("repository path `{}` has capital letters; repository paths are lowercase", shorten(p)))
        }
        Some(p) => Some(format!(
            "repository path part `{}` may hold only lowercase letters and digits, joined by '.', '_', '__' or '-'",
            shorten(p)
        )),
        None => None,
    }
}

/// The first 40 characters of a long value, for messages.
pub fn shorten(s: &str) -> String {
    match s.char_indices().nth(40) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

fn is_tag(t: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    t.len() <= 128 && t.starts_with(word) && t.chars().all(|c| word(c) || matches!(c, '.' | '-'))
}

fn is_digest(d: &str) -> bool {
    let Some((algo, hex)) = d.split_once(':') else { return false };
    let algo_ok = algo
        .split(['+', '.', '_', '-'])
        .all(|c| c.starts_with(|c: char| c.is_ascii_alphabetic()) && c.chars().all(|c| c.is_ascii_alphanumeric()));
    algo_ok && hex.len() >= 32 && hex.chars().all(|c| c.is_ascii_hexdigit())
}

fn is_domain(d: &str) -> bool {
    let (host, port) = match d.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(':') && !p.contains(']') => (h, Some(p)),
        _ => (d, None),
    };
    if port.is_some_and(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit())) {
        return false;
    }
    if let Some(v6) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return v6.parse::<std::net::Ipv6Addr>().is_ok();
    }
    host.split('.').all(|l| {
        !l.is_empty()
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    })
}

/// `[a-z0-9]+ (separator [a-z0-9]+)*` with separators `.`, `_`, `__` and runs of `-`.
fn is_component(p: &str) -> bool {
    let b = p.as_bytes();
    let alnum = |c: u8| c.is_ascii_lowercase() || c.is_ascii_digit();
    let mut i = 0;
    loop {
        let start = i;
        while i < b.len() && alnum(b[i]) {
            i += 1;
        }
        if i == start {
            return false;
        }
        if i == b.len() {
            return true;
        }
        let sep = i;
        match b[i] {
            b'.' => i += 1,
            b'_' => i += if b.get(i + 1) == Some(&b'_') { 2 } else { 1 },
            b'-' => {
                while i < b.len() && b[i] == b'-' {
                    i += 1;
                }
            }
            _ => return false,
        }
        if i == sep {
            return false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_references_of_every_shape() {
        for ok in [
            "nginx",
            "nginx:1.27-alpine",
            "library/nginx",
            "ghcr.io/acme/api:1.4.2",
            "localhost:5000/team/app__x:dev",
            "registry.local/postgres:16-alpine",
            "my-registry.example.com:443/a/b/c---d.e_f",
            "[::1]:5000/app:1",
            "postgres@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
            "ghcr.io/acme/api:1.0@sha256:0123456789abcdef0123456789abcdef",
        ] {
            assert_eq!(problem(ok), None, "{ok}");
        }
    }

    #[test]
    fn refuses_what_a_runtime_refuses() {
        let cases = [
            ("ghcr.io/Acme/api:1.0", "capital letters"),
            ("api:-1", "the tag may hold"),
            ("ghcr.io//api", "empty part"),
            ("ghcr.io/acme/api-:1", "may hold only lowercase"),
            ("ghcr.io/acme/a..b", "may hold only lowercase"),
            ("api@sha256:xyz", "the digest"),
            ("bad_host.io:x/app", "not a registry host"),
            ("ghcr.io/acme/api/", "empty part"),
        ];
        for (bad, want) in cases {
            let p = problem(bad).unwrap_or_default();
            assert!(p.contains(want), "{bad}: {p}");
        }
        let long = format!("ghcr.io/{}", "a".repeat(300));
        assert!(problem(&long).unwrap_or_default().contains("308 characters long; at most 255"));
        assert!(problem(&format!("a:{}", "1".repeat(129))).is_some());
    }
}
