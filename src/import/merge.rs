//! Compose merge rules, for several `-f` files and for `extends`: maps merge key by
//! key (the later file wins), `environment`, `labels`, `annotations`, `depends_on`
//! and `sysctls` merge by name whichever syntax each side uses, `volumes` merge by
//! target and service `secrets`/`configs` by source, `command`, `entrypoint` and
//! `healthcheck.test` are replaced, and other lists are appended without duplicates.

use crate::yaml::node::Entry;
use crate::yaml::{Node, NodeKind};

/// Fields that are maps in either syntax (`- KEY=VALUE` lists or maps).
const MAP_LIKE: &[&str] = &["environment", "labels", "annotations", "depends_on", "sysctls"];

/// Merges a whole Compose file `over` onto `base`.
pub(super) fn merge_root(base: Node, over: Node) -> Node {
    merge(base, over, "")
}

/// Merges service definition `over` onto `base` (also for `extends`).
pub(super) fn merge_service(base: Node, over: Node) -> Node {
    merge(base, over, "service")
}

fn merge(base: Node, over: Node, key: &str) -> Node {
    let span = over.span;
    if MAP_LIKE.contains(&key) && (is_seq(&base) || is_seq(&over)) {
        return merge(to_map(base, key), to_map(over, key), key);
    }
    match (base.kind, over.kind) {
        (NodeKind::Map(b), NodeKind::Map(o)) => {
            let child_of_services = key == "services";
            let mut out = b;
            for e in o {
                match out.iter().position(|x| x.key == e.key) {
                    Some(i) => {
                        let old = out.remove(i);
                        // A `depends_on: [db]` entry (null) keeps the condition written elsewhere.
                        let value = if key == "depends_on" && e.value.is_null() {
                            old.value
                        } else {
                            let child = if child_of_services { "service" } else { e.key.as_str() };
                            merge(old.value, e.value, child)
                        };
                        out.insert(i, Entry { value, ..e });
                    }
                    None => out.push(e),
                }
            }
            Node::map(span, out)
        }
        (NodeKind::Seq(b), NodeKind::Seq(o)) => Node { span, kind: NodeKind::Seq(merge_seq(b, o, key)) },
        (_, kind) => Node { span, kind },
    }
}

fn merge_seq(base: Vec<Node>, over: Vec<Node>, key: &str) -> Vec<Node> {
    if matches!(key, "command" | "entrypoint" | "test") {
        return over;
    }
    let identity: fn(&Node) -> String = match key {
        "volumes" => volume_target,
        "secrets" | "configs" => source_name,
        _ => canon,
    };
    let mut out = base;
    for n in over {
        let id = identity(&n);
        match out.iter().position(|x| identity(x) == id) {
            Some(i) => out[i] = n,
            None => out.push(n),
        }
    }
    out
}

fn is_seq(n: &Node) -> bool {
    matches!(n.kind, NodeKind::Seq(_))
}

/// `- KEY=VALUE` / `- KEY` / `- db` items as a map (`depends_on` items have no value).
fn to_map(n: Node, key: &str) -> Node {
    let NodeKind::Seq(items) = n.kind else { return n };
    let entries = items
        .into_iter()
        .filter_map(|i| {
            let text = i.as_str()?.to_string();
            let sep = if key == "depends_on" { None } else { text.split_once('=') };
            Some(match sep {
                Some((k, v)) => Entry { key: k.to_string(), key_span: i.span, value: Node::str(i.span, v) },
                None => Entry { key: text, key_span: i.span, value: Node { span: i.span, kind: NodeKind::Null } },
            })
        })
        .collect();
    Node::map(n.span, entries)
}

/// The container path of a `volumes:` item (short or long syntax).
fn volume_target(n: &Node) -> String {
    match &n.kind {
        NodeKind::Scalar { text, .. } => {
            let parts: Vec<&str> = text.split(':').collect();
            parts.get(1).or(parts.first()).map(|s| s.to_string()).unwrap_or_default()
        }
        _ => n.get("target").and_then(Node::as_str).map_or_else(|| canon(n), str::to_string),
    }
}

fn source_name(n: &Node) -> String {
    match &n.kind {
        NodeKind::Scalar { text, .. } => text.clone(),
        _ => n.get("source").and_then(Node::as_str).map_or_else(|| canon(n), str::to_string),
    }
}

/// A node's content without its places, to compare list items.
fn canon(n: &Node) -> String {
    match &n.kind {
        NodeKind::Null => "~".into(),
        NodeKind::Scalar { text, .. } => format!("{text:?}"),
        NodeKind::Seq(items) => format!("[{}]", items.iter().map(canon).collect::<Vec<_>>().join(",")),
        NodeKind::Map(es) => {
            format!(
                "{{{}}}",
                es.iter().map(|e| format!("{:?}:{}", e.key, canon(&e.value))).collect::<Vec<_>>().join(",")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Node {
        crate::yaml::parse(s, 0).unwrap()
    }

    fn yaml(n: &Node) -> String {
        canon(n)
    }

    #[test]
    fn later_files_win_and_lists_follow_compose_rules() {
        let base = parse(
            "services:\n  web:\n    image: a:1\n    command: [x, y]\n    environment: [A=1, B=2]\n    ports: ['80']\n    volumes: ['./a:/etc/a', 'data:/data']\n    depends_on: {db: {condition: service_healthy}}\n",
        );
        let over = parse(
            "services:\n  web:\n    image: a:2\n    command: [z]\n    environment: {B: '3', C: '4'}\n    ports: ['80', '443']\n    volumes: ['./b:/etc/a']\n    depends_on: [db, cache]\n  db: {image: postgres:16}\n",
        );
        let m = merge_root(base, over);
        let web = m.get("services").unwrap().get("web").unwrap();
        assert_eq!(web.get("image").unwrap().as_str(), Some("a:2"));
        assert_eq!(yaml(web.get("command").unwrap()), r#"["z"]"#);
        assert_eq!(yaml(web.get("environment").unwrap()), r#"{"A":"1","B":"3","C":"4"}"#);
        assert_eq!(yaml(web.get("ports").unwrap()), r#"["80","443"]"#);
        assert_eq!(yaml(web.get("volumes").unwrap()), r#"["./b:/etc/a","data:/data"]"#);
        assert_eq!(yaml(web.get("depends_on").unwrap()), r#"{"db":{"condition":"service_healthy"},"cache":~}"#);
        assert!(m.get("services").unwrap().get("db").is_some());
    }

    #[test]
    fn healthcheck_test_is_replaced_and_other_fields_kept() {
        let base = parse("healthcheck: {test: [CMD, a], interval: 5s}\nexpose: ['1']\n");
        let over = parse("healthcheck: {test: [CMD, b]}\nexpose: ['2']\n");
        let m = merge_service(base, over);
        assert_eq!(yaml(&m), r#"{"healthcheck":{"test":["CMD","b"],"interval":"5s"},"expose":["1","2"]}"#);
    }
}
