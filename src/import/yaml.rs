//! Reading Compose YAML: `crate::yaml::parse` plus YAML merge keys (`<<`).
//!
//! The spec loader refuses `<<` on purpose (a platform spec has overlays instead),
//! but Compose files use `<<: *defaults` all the time. Rather than loading YAML a
//! second way, this module finds the merge keys with saphyr-parser's event stream
//! (only plain `<<` scalars in key position are merge keys; a quoted `"<<"` is an
//! ordinary key), swaps each for a two-character placeholder of the same length
//! that occurs nowhere in the text (so every line and column stays exact), parses
//! the result with [`crate::yaml::parse`] (same limits on size, depth and alias
//! expansion, same spans), and then resolves the placeholders on the [`Node`] tree
//! with YAML 1.1 merge semantics: keys written in the map win over merged ones,
//! and in `<<: [*a, *b]` earlier maps win over later ones.

use crate::diag::Diagnostic;
use crate::source::FileId;
use crate::yaml::node::Entry;
use crate::yaml::{Node, NodeKind};
use saphyr_parser::{Event, Parser, ScalarStyle};

/// Placeholders for `<<`: two ASCII characters, a valid plain key in block and flow
/// context. The first one that appears nowhere in the text is used.
const PLACEHOLDERS: &[&str] = &["<~", "<^", "<%", "<;", "<=", "<+", "<|", "<."];

/// Parses one Compose YAML document, resolving merge keys.
pub fn parse(text: &str, file: FileId) -> Result<Node, Diagnostic> {
    let merges = match merge_key_offsets(text) {
        Ok(m) => m,
        // Let the real loader report the syntax error with its own wording.
        Err(()) => return crate::yaml::parse(text, file),
    };
    if merges.is_empty() {
        return crate::yaml::parse(text, file);
    }
    let Some(ph) = PLACEHOLDERS.iter().copied().find(|p| !text.contains(p)) else {
        return Err(Diagnostic::new(None, "cannot resolve YAML merge keys in this file (no free placeholder)")
            .help("write the merged values out instead of `<<: *anchor`"));
    };
    let mut rewritten = String::with_capacity(text.len());
    let mut last = 0;
    for at in merges {
        rewritten.push_str(&text[last..at]);
        rewritten.push_str(ph);
        last = at + 2;
    }
    rewritten.push_str(&text[last..]);
    let node = crate::yaml::parse(&rewritten, file).map_err(|mut d| {
        if d.message.contains(&format!("duplicate key `{ph}`")) {
            d.message = "a map holds two merge keys (`<<`)".into();
            d.help = Some("merge several maps with one key: `<<: [*first, *second]`".into());
        }
        d.message = d.message.replace(ph, "<<");
        d
    })?;
    resolve(node, ph)
}

/// Byte offsets of every plain `<<` scalar used as a mapping key.
fn merge_key_offsets(text: &str) -> Result<Vec<usize>, ()> {
    // Each open collection: for a map, whether the next complete node is a key.
    enum Frame {
        Seq,
        Map { next_is_key: bool },
    }
    let mut stack: Vec<Frame> = Vec::new();
    // (character index, byte offset); merge keys come in document order.
    let mut chars = text.char_indices().enumerate();
    let mut out = Vec::new();
    for ev in Parser::new_from_str(text) {
        let (ev, span) = ev.map_err(|_| ())?;
        // A node that completes here (a scalar, an alias, or a collection end)
        // takes a key or value slot of the enclosing map.
        let (completes, merge_key) = match ev {
            Event::Scalar(ref v, style, _, ref tag) => {
                let is_key = matches!(stack.last(), Some(Frame::Map { next_is_key: true }));
                (true, is_key && style == ScalarStyle::Plain && tag.is_none() && v == "<<")
            }
            Event::Alias(_) => (true, false),
            Event::SequenceStart(..) => {
                stack.push(Frame::Seq);
                (false, false)
            }
            Event::MappingStart(..) => {
                stack.push(Frame::Map { next_is_key: true });
                (false, false)
            }
            Event::SequenceEnd | Event::MappingEnd => {
                stack.pop();
                (true, false)
            }
            _ => (false, false),
        };
        if merge_key {
            // Marker indexes count characters; find the byte offset.
            let target = span.start.index();
            let at = loop {
                match chars.next() {
                    Some((i, (b, _))) if i == target => break b,
                    Some(_) => {}
                    None => return Err(()),
                }
            };
            if text.get(at..at + 2) != Some("<<") {
                return Err(());
            }
            out.push(at);
        }
        if completes && let Some(Frame::Map { next_is_key }) = stack.last_mut() {
            *next_is_key = !*next_is_key;
        }
    }
    Ok(out)
}

/// Replaces every placeholder entry by the entries it merges.
fn resolve(node: Node, ph: &str) -> Result<Node, Diagnostic> {
    match node.kind {
        NodeKind::Seq(items) => Ok(Node {
            span: node.span,
            kind: NodeKind::Seq(items.into_iter().map(|n| resolve(n, ph)).collect::<Result<_, _>>()?),
        }),
        NodeKind::Map(entries) => {
            let entries: Vec<Entry> = entries
                .into_iter()
                .map(|e| Ok(Entry { value: resolve(e.value, ph)?, ..e }))
                .collect::<Result<_, Diagnostic>>()?;
            if !entries.iter().any(|e| e.key == ph) {
                return Ok(Node::map(node.span, entries));
            }
            let explicit: Vec<String> = entries.iter().filter(|e| e.key != ph).map(|e| e.key.clone()).collect();
            let mut out: Vec<Entry> = Vec::new();
            for e in entries {
                if e.key != ph {
                    out.push(e);
                    continue;
                }
                let sources: Vec<&Node> = match &e.value.kind {
                    NodeKind::Map(_) => vec![&e.value],
                    NodeKind::Seq(items) if items.iter().all(|i| matches!(i.kind, NodeKind::Map(_))) => {
                        items.iter().collect()
                    }
                    _ => {
                        return Err(Diagnostic::at(
                            e.key_span,
                            format!("a merge key (`<<`) needs a map or a list of maps, found {}", e.value.describe()),
                        )
                        .help("write `<<: *anchor` where the anchor names a map"));
                    }
                };
                for src in sources {
                    for se in src.entries().unwrap_or_default() {
                        if !explicit.contains(&se.key) && !out.iter().any(|o| o.key == se.key) {
                            out.push(se.clone());
                        }
                    }
                }
            }
            Ok(Node::map(node.span, out))
        }
        _ => Ok(node),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: &Node) -> Vec<(&str, &str)> {
        n.entries().unwrap().iter().map(|e| (e.key.as_str(), e.value.as_str().unwrap_or("?"))).collect()
    }

    #[test]
    fn merges_with_local_keys_winning_and_keeps_positions() {
        let text = "x-base: &base\n  image: app:1\n  restart: always\nservices:\n  web:\n    <<: *base\n    restart: \"no\"\n    tty: on\n";
        let n = parse(text, 0).unwrap();
        let web = n.get("services").unwrap().get("web").unwrap();
        assert_eq!(keys(web), [("image", "app:1"), ("restart", "no"), ("tty", "on")]);
        let tty = web.get("tty").unwrap();
        assert_eq!((tty.span.line, tty.span.col), (8, 10), "columns after the merge key are unchanged");
        let image = web.get("image").unwrap();
        assert_eq!(image.span.line, 2, "merged values point at the anchor");
    }

    #[test]
    fn merges_lists_of_maps_in_order_and_nested_merges() {
        let text = "a: &a {p: 1, q: 1}\nb: &b {<<: *a, q: 2, r: 2}\nc: {<<: [*b, {s: 3, p: 9}], t: 4}\n";
        let n = parse(text, 0).unwrap();
        assert_eq!(keys(n.get("b").unwrap()), [("p", "1"), ("q", "2"), ("r", "2")]);
        assert_eq!(keys(n.get("c").unwrap()), [("p", "1"), ("q", "2"), ("r", "2"), ("s", "3"), ("t", "4")]);
    }

    #[test]
    fn quoted_merge_key_and_values_are_not_merges() {
        // A quoted "<<" key is refused by the spec loader as before; `<<` as a value is text.
        let n = parse("a: <<\nb: [<<]\n", 0).unwrap();
        assert_eq!(n.get("a").unwrap().as_str(), Some("<<"));
        assert!(parse("\"<<\": 1\n", 0).is_err());
    }

    #[test]
    fn bad_merges_are_errors_with_places() {
        let e = parse("a: &a 1\nb:\n  <<: *a\n", 0).unwrap_err();
        assert!(e.message.contains("needs a map"), "{}", e.message);
        assert_eq!(e.span.unwrap().line, 3);
        let e = parse("a: &a {x: 1}\nb:\n  <<: *a\n  <<: *a\n", 0).unwrap_err();
        assert!(e.message.contains("two merge keys"), "{}", e.message);
    }

    #[test]
    fn non_ascii_text_before_the_merge_key() {
        let text = "x: &x {é: ü}\ny: {<<: *x, z: ö}\n";
        let n = parse(text, 0).unwrap();
        assert_eq!(keys(n.get("y").unwrap()), [("é", "ü"), ("z", "ö")]);
    }
}
