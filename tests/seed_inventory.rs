//! `docs/seeds.md`, the item-by-item inventory of the seed systems, kept honest: each seed
//! platform has a section whose counts line matches its table; every spec field a row names
//! is set in that platform or has a default (`genk8s explain` answers for it) and is a field
//! of the README's spec reference; every object a row names is in the platform's snapshot.

use genk8s::yaml::{Node, NodeKind, parse};
use std::collections::BTreeSet;
use std::path::Path;

const PLATFORMS: [&str; 5] = ["ai-workflow-engine", "workflow-automation", "ai-imutis", "mime-server", "flexdesk"];
const STATUSES: [&str; 3] = ["expressed", "different", "pending"];
/// Spec maps whose keys are names the user chooses (services, ports, env variables, …).
const NAMED: [&str; 14] = [
    "services",
    "databases",
    "configs",
    "storage_classes",
    "issuers",
    "patches",
    "objects",
    "ports",
    "env",
    "volumes",
    "mounts",
    "files",
    "rules",
    "pods",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

struct Row {
    item: String,
    status: String,
    spec: Vec<String>,
    output: Vec<String>,
    note: String,
}

struct Section {
    platform: String,
    counts: String,
    rows: Vec<Row>,
}

/// The backticked words of a table cell.
fn ticked(cell: &str) -> Vec<String> {
    cell.split('`').skip(1).step_by(2).map(str::to_string).collect()
}

fn sections() -> Vec<Section> {
    let doc = std::fs::read_to_string(root().join("docs/seeds.md")).expect("docs/seeds.md");
    let mut out: Vec<Section> = Vec::new();
    for line in doc.lines() {
        if let Some(title) = line.strip_prefix("## ").filter(|t| t.starts_with(|c: char| c.is_ascii_digit())) {
            let platform = ticked(title).into_iter().find_map(|t| t.strip_prefix("platforms/").map(str::to_string));
            let platform = platform.unwrap_or_else(|| panic!("`{title}` names no `platforms/…`"));
            out.push(Section { platform, counts: String::new(), rows: Vec::new() });
        } else if let Some(s) = out.last_mut() {
            if line.starts_with("Items: ") {
                s.counts = line.to_string();
            } else if line.starts_with("| ") && !line.starts_with("| seed item |") {
                let cells: Vec<String> =
                    line.replace("\\|", "¦").trim_matches('|').split('|').map(|c| c.trim().replace('¦', "|")).collect();
                assert_eq!(cells.len(), 5, "{}: a row has 5 cells: {line}", s.platform);
                let [item, status, spec, output, note] = <[String; 5]>::try_from(cells).unwrap();
                s.rows.push(Row { item, status, spec: ticked(&spec), output: ticked(&output), note });
            }
        }
    }
    out
}

/// `path@env` (prod without `@`).
fn at_env(token: &str) -> (&str, &str) {
    token.split_once('@').unwrap_or((token, "prod"))
}

fn readme_reference() -> Node {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let body = &readme[readme.find("## Spec reference").expect("README has a spec reference")..];
    let open = body.find("```yaml\n").unwrap() + "```yaml\n".len();
    let close = body[open..].find("```").unwrap();
    parse(&uncommented(&body[open..open + close]), 0)
        .unwrap_or_else(|e| panic!("the README's spec example parses: {e:?}"))
}

/// The spec example with its commented-out fields (`# key: value` written where the field
/// would go, e.g. `# certificate_arn:` beside `class: nginx`) written in: they are documented
/// alternatives. A comment indented past the field above it (prose continuing that field, such
/// as `# schedule: minute 0-59, …`) or naming a key its block already has stays a comment.
fn uncommented(example: &str) -> String {
    let lines: Vec<&str> = example.lines().collect();
    let indent = |l: &str| l.len() - l.trim_start().len();
    let real = |l: &&str| !l.trim().is_empty() && !l.trim_start().starts_with('#');
    let has_key = |at: usize, width: usize, key: &str| {
        let block = |l: &&&str| !real(l) || indent(l) >= width;
        let before = lines[..at].iter().rev().take_while(block);
        let after = lines[at + 1..].iter().take_while(block);
        before.chain(after).any(|l| real(l) && indent(l) == width && l.trim_start().starts_with(&format!("{key}:")))
    };
    let out = lines.iter().enumerate().map(|(at, line)| {
        let width = indent(line);
        let field = line.trim_start().strip_prefix("# ").filter(|rest| {
            let key = rest.split_once(": ").map_or("", |(k, _)| k);
            let named = !key.is_empty() && key.chars().all(|c| c.is_ascii_lowercase() || c == '_');
            let above = lines[..at].iter().rev().find(|l| real(l)).map_or(0, |l| indent(l));
            width <= above && named && !has_key(at, width, key)
        });
        field.map_or_else(|| line.to_string(), |rest| format!("{}{rest}", &line[..width]))
    });
    out.collect::<Vec<_>>().join("\n")
}

/// Whether `path` is a field of the README's spec example; a name under a [`NAMED`] map
/// matches any name written there.
fn field_of_reference(reference: &Node, path: &str) -> bool {
    fn walk(node: &Node, path: &[&str], parent: Option<&str>) -> bool {
        let Some((first, rest)) = path.split_first() else { return true };
        let Some(entries) = node.entries() else { return false };
        if parent.is_some_and(|p| NAMED.contains(&p)) {
            return entries.iter().any(|e| walk(&e.value, rest, Some(&e.key)));
        }
        entries.iter().any(|e| e.key == *first && walk(&e.value, rest, Some(first)))
    }
    let parts: Vec<&str> = path.split('.').collect();
    walk(reference, &parts, None)
}

/// What `genk8s explain ENV PATH` says: the value set or its default, or that it is neither.
fn explains(platform: &Path, env: &str, path: &str) -> Result<(), String> {
    genk8s::explain(platform, env, Some(path)).map(drop).map_err(|e| e.to_string())
}

/// `Kind/name` of every object in a snapshot.
fn snapshot_objects(platform: &str, env: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(root().join("snapshots").join(platform).join(format!("{env}.yaml"))).unwrap();
    text.split("---\n")
        .filter(|d| !d.trim().is_empty())
        .map(|d| parse(d, 0).unwrap())
        .map(|o| {
            let name = o.get("metadata").and_then(|m| m.get("name")).and_then(Node::as_str).unwrap_or_default();
            format!("{}/{name}", o.get("kind").and_then(Node::as_str).unwrap_or_default())
        })
        .collect()
}

fn counts_line(rows: &[Row]) -> String {
    let n = |s: &str| rows.iter().filter(|r| r.status.split_whitespace().next() == Some(s)).count();
    format!(
        "Items: {} — expressed {}, different {}, pending {}.",
        rows.len(),
        n("expressed"),
        n("different"),
        n("pending")
    )
}

#[test]
fn every_seed_platform_has_an_inventory_whose_counts_match_its_rows() {
    let sections = sections();
    let named: Vec<&str> = sections.iter().map(|s| s.platform.as_str()).collect();
    assert_eq!(named, PLATFORMS, "one section per seed platform, in seed order");
    for s in &sections {
        assert_eq!(s.counts, counts_line(&s.rows), "{}: the counts line", s.platform);
        for r in &s.rows {
            assert!(STATUSES.contains(&r.status.as_str()), "{}: `{}` has status `{}`", s.platform, r.item, r.status);
            if r.status != "expressed" {
                assert!(!r.note.is_empty(), "{}: `{}` says why ({}) in its note", s.platform, r.item, r.status);
            }
            if r.status == "pending" {
                assert!(
                    r.spec.is_empty() && r.output.is_empty(),
                    "{}: pending `{}` claims no output",
                    s.platform,
                    r.item
                );
            }
        }
    }
}

#[test]
fn every_spec_field_named_is_set_or_defaulted_and_in_the_readme_reference() {
    let reference = readme_reference();
    let mut problems = Vec::new();
    for s in sections() {
        let dir = root().join("platforms").join(&s.platform);
        let tokens: BTreeSet<&String> = s.rows.iter().flat_map(|r| &r.spec).collect();
        for token in tokens {
            let (path, env) = at_env(token);
            if !field_of_reference(&reference, path) {
                problems.push(format!("{}: `{path}` is not a field of the README's spec reference", s.platform));
            }
            if let Err(e) = explains(&dir, env, path) {
                problems.push(format!("{}: `{token}`: {e}", s.platform));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_object_named_is_in_the_snapshot() {
    let mut problems = Vec::new();
    let mut snapshots = std::collections::BTreeMap::new();
    for s in sections() {
        for token in s.rows.iter().flat_map(|r| &r.output) {
            let (object, env) = at_env(token);
            let objects = snapshots
                .entry((s.platform.clone(), env.to_string()))
                .or_insert_with(|| snapshot_objects(&s.platform, env));
            let found = match object.strip_suffix('*') {
                Some(prefix) => objects.iter().any(|o| o.starts_with(prefix)),
                None => objects.contains(object),
            };
            if !found {
                problems.push(format!("{}: `{token}` is not in snapshots/{}/{env}.yaml", s.platform, s.platform));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn reference_paths_match_names_anywhere_a_name_is_chosen() {
    let reference = parse(
        "services:\n  api:\n    ports: {http: 8080}\n    probes: {liveness: {http: /}}\nquota: {pods: \"1\"}\n",
        0,
    )
    .unwrap();
    assert!(field_of_reference(&reference, "services.web.ports.grpc"));
    assert!(field_of_reference(&reference, "services.web.probes.liveness"));
    assert!(field_of_reference(&reference, "quota"));
    assert!(!field_of_reference(&reference, "services.web.probe"));
    assert!(!field_of_reference(&reference, "service.api"));
    assert!(matches!(reference.kind, NodeKind::Map(_)));
}
