//! Stage 2, merge: lay an environment overlay over the base.
//!
//! Rules:
//! - maps deep-merge key by key;
//! - lists whose items are all maps with a `name` key merge item by item by name
//!   (new names are appended);
//! - any other value (scalars, other lists) is replaced by the overlay's;
//! - an explicit `null` in the overlay deletes the key from the result.
//!
//! Every node keeps the span of the file it came from, so the merged tree records
//! the provenance of each value.

use crate::source::Span;
use crate::yaml::node::{Entry, Node, NodeKind};

/// The base with one environment applied.
#[derive(Debug, Clone)]
pub struct Merged {
    pub env: String,
    pub node: Node,
    /// Base values the overlay deleted with `null`, so an error about the missing
    /// value can point at the overlay line that removed it.
    pub deleted: Vec<Deleted>,
}

/// `key: null` in an overlay that removed the base's `key` from the map at `map`.
#[derive(Debug, Clone, PartialEq)]
pub struct Deleted {
    /// Span of the base map the key was removed from (the merged map keeps it).
    pub map: Span,
    pub key: String,
    /// The overlay's `key:`.
    pub at: Span,
    /// The overlay's key of the map itself (the merged entry takes its span).
    pub holder: Option<Span>,
}

pub fn merge_env(base: &Node, env: &str, overlay: &Node) -> Merged {
    merge_env_owned(base.clone(), env, overlay)
}

/// [`merge_env`] taking the base (for the last environment a run merges).
pub fn merge_env_owned(base: Node, env: &str, overlay: &Node) -> Merged {
    let mut deleted = Vec::new();
    deletions(&base, overlay, None, &mut deleted);
    Merged { env: env.to_string(), node: strip_nulls(merge_owned(base, overlay)), deleted }
}

fn deletions(base: &Node, over: &Node, holder: Option<Span>, out: &mut Vec<Deleted>) {
    let (NodeKind::Map(b), NodeKind::Map(o)) = (&base.kind, &over.kind) else { return };
    for oe in o {
        let Some(be) = b.iter().find(|be| be.key == oe.key) else { continue };
        if oe.value.is_null() && !be.value.is_null() {
            out.push(Deleted { map: base.span, key: oe.key.clone(), at: oe.key_span, holder });
        } else {
            deletions(&be.value, &oe.value, Some(oe.key_span), out);
        }
    }
}

/// Moves "missing field `x`" errors from the base map to the overlay's `x: null` that deleted x.
pub fn blame_deletions(diags: &mut crate::diag::Diagnostics, deleted: &[Deleted]) {
    for d in &mut diags.items {
        let Some(field) =
            d.message.strip_prefix("missing field `").and_then(|r| r.strip_suffix('`')).map(str::to_string)
        else {
            continue;
        };
        if let Some(del) =
            deleted.iter().find(|del| del.key == field && (Some(del.map) == d.span || del.holder == d.span))
        {
            d.message = format!("missing field `{field}`: this environment deletes it with `{field}: null`");
            d.help =
                Some(format!("`{field}` is required: remove `{field}: null` from the overlay, or give it a value"));
            d.span = Some(del.at);
        }
    }
}

/// Overlay entries under `services`, `databases` or `configs` that the base lacks
/// must be complete definitions (a service with an `image`, a database with an
/// `engine`): a typo in an overlay must not silently add a half-defined item.
pub fn check_additions(base: &Node, over: &Node) -> Vec<crate::diag::Diagnostic> {
    let mut out = Vec::new();
    for (section, required, what) in
        [("services", "image", "service"), ("databases", "engine", "database"), ("configs", "", "config")]
    {
        let Some(entries) = over.get(section).and_then(Node::entries) else { continue };
        let known: Vec<&str> = base
            .get(section)
            .and_then(Node::entries)
            .map(|e| e.iter().map(|e| e.key.as_str()).collect())
            .unwrap_or_default();
        for e in entries {
            if known.contains(&e.key.as_str())
                || e.value.is_null()
                || (!required.is_empty() && e.value.get(required).is_some())
            {
                continue;
            }
            let help = match crate::diag::suggest(&e.key, known.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None if required.is_empty() => format!("define the {what} in platform.yaml"),
                None => format!(
                    "to add a {what} only in this environment, give it a full definition including `{required}:`"
                ),
            };
            out.push(
                crate::diag::Diagnostic::at(e.key_span, format!("the base defines no {what} `{}`", e.key)).help(help),
            );
        }
    }
    out
}

/// Merges `over` onto `base`.
pub fn merge(base: &Node, over: &Node) -> Node {
    merge_owned(base.clone(), over)
}

/// Merges `over` onto `base`, reusing the base's nodes (no copy of the values the overlay
/// leaves alone: the base of a large platform is as large as its output).
pub fn merge_owned(base: Node, over: &Node) -> Node {
    let Node { span, kind } = base;
    match (kind, &over.kind) {
        (kind, NodeKind::Null) if !matches!(kind, NodeKind::Null) => Node { span, kind },
        (NodeKind::Map(b), NodeKind::Map(o)) => {
            let added: Vec<Entry> =
                o.iter().filter(|oe| !oe.value.is_null() && !b.iter().any(|be| be.key == oe.key)).cloned().collect();
            let mut out: Vec<Entry> = Vec::with_capacity(b.len() + added.len());
            for be in b {
                match o.iter().find(|oe| oe.key == be.key) {
                    Some(oe) if oe.value.is_null() => {}
                    Some(oe) => {
                        out.push(Entry { key: be.key, key_span: oe.key_span, value: merge_owned(be.value, &oe.value) })
                    }
                    None => out.push(be),
                }
            }
            out.extend(added);
            Node::map(span, out)
        }
        (NodeKind::Seq(b), NodeKind::Seq(o)) if is_named_list(&b) && is_named_list(o) => {
            let added: Vec<Node> =
                o.iter().filter(|oi| !b.iter().any(|bi| item_name(bi) == item_name(oi))).cloned().collect();
            let mut out: Vec<Node> = Vec::with_capacity(b.len() + added.len());
            for bi in b {
                match o.iter().find(|oi| item_name(oi) == item_name(&bi)) {
                    Some(oi) => out.push(merge_owned(bi, oi)),
                    None => out.push(bi),
                }
            }
            out.extend(added);
            Node { span: over.span, kind: NodeKind::Seq(out) }
        }
        _ => over.clone(),
    }
}

fn item_name(n: &Node) -> Option<&str> {
    n.get("name").and_then(Node::as_str)
}

fn is_named_list(items: &[Node]) -> bool {
    !items.is_empty() && items.iter().all(|i| item_name(i).is_some())
}

/// Removes map entries whose value is null (in the base, `key: ~` means "not set").
fn strip_nulls(node: Node) -> Node {
    match node.kind {
        NodeKind::Map(entries) => Node::map(
            node.span,
            entries
                .into_iter()
                .filter(|e| !e.value.is_null())
                .map(|e| Entry { value: strip_nulls(e.value), ..e })
                .collect(),
        ),
        NodeKind::Seq(items) => {
            Node { span: node.span, kind: NodeKind::Seq(items.into_iter().map(strip_nulls).collect()) }
        }
        _ => node,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;

    fn m(base: &str, over: &str) -> Node {
        merge_env(&parse(base, 0).unwrap(), "x", &parse(over, 1).unwrap()).node
    }

    #[test]
    fn maps_deep_merge_and_scalars_replace() {
        let n = m("a: {b: 1, c: 2}\nd: x\n", "a: {c: 3, e: 4}\n");
        let a = n.get("a").unwrap();
        assert_eq!(a.get("b").unwrap().as_str(), Some("1"));
        assert_eq!(a.get("c").unwrap().as_str(), Some("3"));
        assert_eq!(a.get("c").unwrap().span.file, 1, "value records the overlay as its origin");
        assert_eq!(a.get("e").unwrap().as_str(), Some("4"));
        assert_eq!(n.get("d").unwrap().as_str(), Some("x"));
    }

    #[test]
    fn overlay_additions_need_full_definitions() {
        let base = parse("services: {api: {image: a}}\ndatabases: {db: {engine: postgres}}\n", 0).unwrap();
        let over =
            parse("services: {apii: {replicas: 2}, extra: {image: b}}\ndatabases: {cache: {engine: redis}}\n", 1)
                .unwrap();
        let d = check_additions(&base, &over);
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].message, "the base defines no service `apii`");
        assert_eq!(d[0].help.as_deref(), Some("did you mean `api`?"));
        assert_eq!(d[0].span.map(|s| (s.file, s.line, s.col)), Some((1, 1, 12)));
    }

    #[test]
    fn deletions_are_recorded_with_the_overlay_place() {
        let base = parse("s:\n  api:\n    image: x\n    n: 1\n", 0).unwrap();
        let over = parse("s:\n  api:\n    image: null\n", 1).unwrap();
        let merged = merge_env(&base, "dev", &over);
        assert_eq!(merged.deleted.len(), 1);
        let d = &merged.deleted[0];
        assert_eq!((d.key.as_str(), d.at.file, d.at.line, d.at.col), ("image", 1, 3, 5));
        assert_eq!(d.map, base.get("s").and_then(|s| s.get("api")).map(|n| n.span).unwrap());
    }

    #[test]
    fn null_deletes() {
        let n = m("a: {b: 1, c: 2}\n", "a: {b: null}\n");
        assert!(n.get("a").unwrap().get("b").is_none());
        let n = m("a: {b: 1}\n", "a: ~\n");
        assert!(n.get("a").is_none());
    }

    #[test]
    fn named_lists_merge_by_name_other_lists_replace() {
        let n = m("l: [{name: a, v: 1}, {name: b, v: 2}]\nk: [1, 2]\n", "l: [{name: b, v: 3}, {name: c}]\nk: [3]\n");
        let NodeKind::Seq(items) = &n.get("l").unwrap().kind else { panic!() };
        let got: Vec<_> = items.iter().map(|i| (item_name(i).unwrap(), i.get("v").and_then(Node::as_str))).collect();
        assert_eq!(got, vec![("a", Some("1")), ("b", Some("3")), ("c", None)]);
        let NodeKind::Seq(k) = &n.get("k").unwrap().kind else { panic!() };
        assert_eq!(k.len(), 1);
    }
}
