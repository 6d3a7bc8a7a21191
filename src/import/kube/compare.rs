//! The proof of an import: every field of every input object is compared with the
//! object genk8s builds from the imported spec. A field is native when the build
//! writes the same value at the same place, carried when the escape hatch
//! (`objects:`) holds it, and reported otherwise, with why.

use super::read::Doc;
use super::recognise::Fate;
use crate::source::Span;
use crate::yaml::{Node, NodeKind};
use std::collections::{BTreeMap, BTreeSet};

/// A field (or a whole subtree) of the input the build does not reproduce.
#[derive(Debug, Clone, PartialEq)]
pub struct Residue {
    pub span: Span,
    /// `Kind/name` of the input object.
    pub object: String,
    /// Field path inside it (`spec.template.spec.containers[api].image`).
    pub path: String,
    /// Input fields (leaves) it covers.
    pub leaves: usize,
    pub why: String,
}

/// How many input fields each way reached the build.
#[derive(Debug, Default)]
pub struct Tally {
    pub native: usize,
    pub carried: usize,
    pub reported: usize,
    pub residue: Vec<Residue>,
}

/// The built objects by (kind, name), and every named container port's number.
pub struct Built {
    pub objects: BTreeMap<(String, String), Node>,
    pub ports: BTreeMap<String, BTreeSet<String>>,
}

impl Built {
    pub fn new(objects: BTreeMap<(String, String), Node>) -> Built {
        let mut ports = BTreeMap::new();
        for o in objects.values() {
            collect_ports(o, &mut ports);
        }
        Built { objects, ports }
    }

    /// The object genk8s built for (kind, name); a config's name carries a content hash.
    fn find(&self, kind: &str, name: &str) -> Option<&Node> {
        self.objects.get(&(kind.to_string(), name.to_string())).or_else(|| {
            (kind == "ConfigMap")
                .then(|| self.objects.iter().find(|((k, n), _)| k == kind && hashed_name(n, name)).map(|(_, o)| o))?
        })
    }
}

/// `name-<10 hex digits>`, the name genk8s gives config `name`.
fn hashed_name(built: &str, name: &str) -> bool {
    built
        .strip_prefix(name)
        .and_then(|r| r.strip_prefix('-'))
        .is_some_and(|h| h.len() == 10 && h.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn collect_ports(n: &Node, out: &mut BTreeMap<String, BTreeSet<String>>) {
    match &n.kind {
        NodeKind::Map(es) => {
            for number in ["containerPort", "port"] {
                if let (Some(name), Some(num)) =
                    (n.get("name").and_then(Node::as_str), n.get(number).and_then(Node::as_str))
                {
                    out.entry(name.to_string()).or_default().insert(num.to_string());
                }
            }
            es.iter().for_each(|e| collect_ports(&e.value, out));
        }
        NodeKind::Seq(items) => items.iter().for_each(|i| collect_ports(i, out)),
        _ => {}
    }
}

/// Compares every input object with what became of it.
pub fn compare(docs: &[Doc], fates: &[Option<Fate>], built: &Built) -> Tally {
    let mut t = Tally::default();
    for (d, fate) in docs.iter().zip(fates) {
        let leaves = count(&d.node);
        match fate.as_ref().unwrap_or(&Fate::Verbatim) {
            Fate::Verbatim => t.carried += leaves,
            Fate::Derived(why) | Fate::Reported(why) => {
                t.reported += leaves;
                t.residue.push(Residue {
                    span: d.span(),
                    object: d.key(),
                    path: String::new(),
                    leaves,
                    why: why.clone(),
                });
            }
            Fate::Native(kind, name) => match built.find(kind, name) {
                Some(out) => Walk { t: &mut t, doc: d, built }.node(&d.node, Some(out), &mut String::new()),
                None => {
                    t.reported += leaves;
                    let why = format!("the build has no {kind}/{name} to compare it with");
                    t.residue.push(Residue { span: d.span(), object: d.key(), path: String::new(), leaves, why });
                }
            },
        }
    }
    t
}

/// Leaves (scalars, nulls, empty collections) of a tree.
pub fn count(n: &Node) -> usize {
    match &n.kind {
        NodeKind::Map(es) if !es.is_empty() => es.iter().map(|e| count(&e.value)).sum(),
        NodeKind::Seq(items) if !items.is_empty() => items.iter().map(count).sum(),
        _ => 1,
    }
}

struct Walk<'a> {
    t: &'a mut Tally,
    doc: &'a Doc,
    built: &'a Built,
}

impl Walk<'_> {
    fn node(&mut self, input: &Node, out: Option<&Node>, path: &mut String) {
        match (&input.kind, out.map(|o| &o.kind)) {
            (NodeKind::Map(es), Some(NodeKind::Map(_))) if !es.is_empty() => {
                for e in es {
                    let len = path.len();
                    push_key(path, &e.key);
                    let at = if matches!(e.value.kind, NodeKind::Map(_) | NodeKind::Seq(_)) {
                        e.key_span
                    } else {
                        e.value.span
                    };
                    let sub = out.and_then(|o| o.get(&e.key));
                    if sub.is_none() {
                        self.differs(at, path, &e.value, None);
                    } else {
                        self.node(&e.value, sub, path);
                    }
                    path.truncate(len);
                }
            }
            (NodeKind::Seq(items), Some(NodeKind::Seq(outs))) if !items.is_empty() => self.seq(items, outs, path),
            (NodeKind::Scalar { text, .. }, Some(NodeKind::Scalar { text: o, .. })) if self.same(text, o) => {
                self.t.native += 1
            }
            (NodeKind::Null, Some(NodeKind::Null)) => self.t.native += 1,
            (NodeKind::Map(a), Some(NodeKind::Map(b))) if a.is_empty() && b.is_empty() => self.t.native += 1,
            _ => self.differs(input.span, path, input, out),
        }
    }

    /// List items matched by `name` (or `mountPath`), else by position; a one-item list
    /// matches the other's only item.
    fn seq(&mut self, items: &[Node], outs: &[Node], path: &mut String) {
        let key =
            ["mountPath", "name"].into_iter().find(|k| items.iter().all(|i| i.get(k).and_then(Node::as_str).is_some()));
        for (idx, item) in items.iter().enumerate() {
            let len = path.len();
            let matched = match key {
                Some(k) => {
                    let v = item.get(k).and_then(Node::as_str);
                    path.push_str(&format!("[{}]", v.unwrap_or_default()));
                    outs.iter()
                        .find(|o| o.get(k).and_then(Node::as_str) == v)
                        .or_else(|| outs.iter().find(|o| self.same_source(item, o)))
                        .or((items.len() == 1 && outs.len() == 1).then(|| &outs[0]))
                }
                None => {
                    path.push_str(&format!("[{idx}]"));
                    outs.get(idx)
                }
            };
            match matched {
                Some(o) => self.node(item, Some(o), path),
                None => self.differs(item.span, path, item, None),
            }
            path.truncate(len);
        }
    }

    /// Equal scalars, a port number and the name genk8s gave that port, or a config's
    /// name and the hashed name genk8s gave it.
    fn same(&self, input: &str, out: &str) -> bool {
        input == out
            || self.built.ports.get(out).is_some_and(|nums| nums.contains(input))
            || (hashed_name(out, input) && self.built.find("ConfigMap", input).is_some())
    }

    /// Two volumes of one ConfigMap, Secret or claim (genk8s names volumes its own way).
    fn same_source(&self, a: &Node, b: &Node) -> bool {
        let source = |n: &Node| -> Option<(&'static str, String)> {
            for (kind, key) in [("configMap", "name"), ("secret", "secretName"), ("persistentVolumeClaim", "claimName")]
            {
                if let Some(v) = n.get(kind).and_then(|s| s.get(key)).and_then(Node::as_str) {
                    return Some((kind, v.to_string()));
                }
            }
            None
        };
        match (source(a), source(b)) {
            (Some((ka, va)), Some((kb, vb))) => ka == kb && self.same(&va, &vb),
            _ => false,
        }
    }

    fn differs(&mut self, span: Span, path: &str, input: &Node, out: Option<&Node>) {
        let leaves = count(input);
        self.t.reported += leaves;
        let why = why(path, out);
        self.t.residue.push(Residue { span, object: self.doc.key(), path: path.to_string(), leaves, why });
    }
}

fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

/// Why the build differs at `path`.
fn why(path: &str, out: Option<&Node>) -> String {
    let shown = out.map(short);
    if path.contains("selector") {
        return "genk8s selects pods by app.kubernetes.io/name and part-of (a live object's selector cannot change: delete it with --cascade=orphan, then apply)".into();
    }
    if path == "spec.replicas" && out.is_none() {
        return "the HorizontalPodAutoscaler owns the replicas (genk8s writes none beside an autoscaler)".into();
    }
    if path == "metadata.name" {
        return format!("genk8s names it {}", shown.unwrap_or_default());
    }
    match shown {
        Some(s) => format!("genk8s writes {s}"),
        None => "genk8s does not write this field".into(),
    }
}

fn short(n: &Node) -> String {
    let s = match &n.kind {
        NodeKind::Scalar { text, .. } => text.clone(),
        NodeKind::Null => "null".into(),
        NodeKind::Seq(items) => format!("a list of {}", items.len()),
        NodeKind::Map(_) => "a map".into(),
    };
    let s = s.replace('\n', " ");
    if s.chars().count() > 60 { format!("{}…", s.chars().take(60).collect::<String>()) } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_config_names() {
        assert!(hashed_name("app-config-c858c7debe", "app-config"));
        assert!(!hashed_name("app-config-other", "app-config"));
    }
}
