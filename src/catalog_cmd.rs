//! `genk8s catalog`: what the catalog holds, from the binary itself (engine templates are
//! compiled in) plus a platform's own `templates/engines/`: the database engines and the
//! image profiles, one engine's template to copy, or one image's profile.

use crate::catalog::{Catalog, Engine, EngineVars};
use crate::images::{Check, ImageProfile, PROFILES};
use crate::source::{SourceMap, Span};
use std::fmt::Write as _;

/// Renders an engine for a database named `db` with no settings (its defaults).
fn defaults(cat: &Catalog, name: &str) -> Result<Engine, String> {
    let vars = EngineVars::bare("example", None);
    let mut sources = SourceMap::default();
    cat.render(name, &vars, &mut sources, Span::default()).map_err(|d| format!("engine `{name}`: {}", d.message))
}

/// Rows padded to the widest cell of each column but the last.
fn table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> =
        (0..cols).map(|c| rows.iter().filter_map(|r| r.get(c)).map(|s| s.chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for r in rows {
        let mut line = String::from(" ");
        for (c, cell) in r.iter().enumerate() {
            let pad = if c + 1 == r.len() { 0 } else { widths[c] - cell.chars().count() + 2 };
            let _ = write!(line, " {cell}{}", " ".repeat(pad));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn ports_of(e: &Engine) -> String {
    let mut p = vec![format!("{} {}", e.port.name, e.port.number)];
    p.extend(e.extra_ports.iter().map(|(n, n2)| format!("{n} {n2}")));
    p.join(", ")
}

/// Every engine (with its default image, user, ports and whether it has a backup) and every
/// image profile.
pub fn list(cat: &Catalog) -> Result<String, String> {
    let mut rows = Vec::new();
    for name in cat.names() {
        let e = defaults(cat, name)?;
        let from = if cat.is_builtin(name) { "built-in" } else { "this platform" };
        rows.push(vec![
            name.to_string(),
            e.image.clone(),
            format!("uid {}", e.run_as_user),
            ports_of(&e),
            format!("backup: {}", if e.backup.is_some() { "yes" } else { "no" }),
            from.to_string(),
        ]);
    }
    let mut out = String::from(
        "Database engines (`databases: {NAME: {engine: ENGINE}}`; `genk8s catalog engine ENGINE` prints its template):\n",
    );
    out.push_str(&table(&rows));
    out.push_str("\nImage profiles (defaults of services on these images: user, probe, ports; `genk8s catalog image IMAGE` shows one and the repositories it covers):\n");
    let rows: Vec<Vec<String>> = PROFILES
        .iter()
        .map(|p| {
            let ports: Vec<String> = p.ports.iter().map(|(n, x)| format!("{n} {x}")).collect();
            vec![p.repos[0].to_string(), user(p), check(p), ports.join(", ")]
        })
        .collect();
    out.push_str(&table(&rows));
    out.push_str("\nOther images run as uid 10001 with a read-only root where only /tmp is writable (lint GK022).\n");
    Ok(out)
}

fn user(p: &ImageProfile) -> String {
    if p.uid > 0 { format!("uid {}", p.uid) } else { "root (not applied: uid 10001)".into() }
}

fn check(p: &ImageProfile) -> String {
    match p.check {
        Some(Check::Http(path)) => format!("http {path}"),
        Some(Check::Tcp) => "tcp".into(),
        None => "none".into(),
    }
}

/// One engine's template, to copy to `<platform>/templates/engines/<engine>.yaml.j2`.
pub fn engine(cat: &Catalog, name: &str) -> Result<String, String> {
    let Some((path, text)) = cat.template(name) else {
        let hint = crate::diag::suggest(name, cat.names()).map(|s| format!("did you mean `{s}`? ")).unwrap_or_default();
        return Err(format!("no engine `{name}`; {hint}engines: {}", cat.names().collect::<Vec<_>>().join(", ")));
    };
    let mut out = format!(
        "# {} — copy it to <platform>/templates/engines/{name}.yaml.j2 to change it (fields: README, Database engine catalog)\n",
        path.display()
    );
    out.push_str(text);
    if !text.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

/// The profile of one image: what a service on it gets unless its spec says otherwise.
pub fn image(image: &str) -> Result<String, String> {
    let Some(p) = crate::images::profile(image) else {
        return Err(format!(
            "`{image}` has no image profile: a service on it runs as uid 10001 with a read-only root where only /tmp is writable; set run_as_user:, writable:, ports: and probes: in its spec"
        ));
    };
    let mut out = format!("image profile `{}` (repositories: {})\n", p.repos[0], p.repos.join(", "));
    let gid = p.gid.filter(|g| *g > 0).map(|g| format!(", run_as_group and fs_group {g}")).unwrap_or_default();
    let _ = writeln!(out, "  run_as_user: {}{gid}", if p.uid > 0 { p.uid.to_string() } else { user(p) });
    let _ = writeln!(out, "  writable: [{}]", p.writable.join(", "));
    let ports: Vec<String> = p.ports.iter().map(|(n, x)| format!("{n}: {x}")).collect();
    let _ = writeln!(out, "  ports: {{{}}}  (when the spec sets no ports)", ports.join(", "));
    let _ = writeln!(out, "  probes: {}", check(p));
    for (k, v) in p.env {
        let _ = writeln!(out, "  env: {k}={v}");
    }
    if !p.note.is_empty() {
        let _ = writeln!(out, "  note: {}", p.note);
    }
    out.push_str("Each applies where the service's spec (base and overlay) does not set that field.\n");
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn lists_every_engine_and_profile() {
        let cat = Catalog::load(Path::new("/nonexistent")).unwrap();
        let text = list(&cat).unwrap();
        for name in cat.names() {
            assert!(text.lines().any(|l| l.trim_start().starts_with(&format!("{name} "))), "{name}: {text}");
        }
        assert!(text.contains("apache/kafka:4.1.0") && text.contains("opensearchproject/opensearch-dashboards"));
        assert!(engine(&cat, "rabbitmq").unwrap().contains("replicated_by:"));
        assert!(engine(&cat, "rabitmq").unwrap_err().contains("did you mean `rabbitmq`?"));
        assert!(image("quay.io/keycloak/keycloak:25.0").unwrap().contains("run_as_user: 1000"));
        assert!(image("ghcr.io/acme/app:1").unwrap_err().contains("uid 10001"));
    }
}
