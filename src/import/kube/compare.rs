//! The proof of an import: every field of every input object is compared with the
//! object genk8s builds from the imported spec. A field is native when the build
//! writes the same value at the same place; carried when the escape hatch holds it
//! (the object verbatim under `objects:`, or a JSON patch operation under `patches:`
//! that [`patches`] writes from the [`Op`] found here); and reported
//! otherwise, with why.

use super::read::Doc;
use super::recognise::Fate;
use super::residue::{deliberate, short};
use crate::source::Span;
use crate::yaml::{Node, NodeKind};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// A JSON patch operation that makes the built object carry an input field.
#[derive(Debug, Clone, PartialEq)]
pub struct Op {
    /// `add` (a map member, or `/-` to append) or `replace` (a list item).
    pub op: &'static str,
    pub pointer: String,
    pub value: Value,
}

/// A field (or a whole subtree) of the input the build does not write as is.
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
    /// The patch that carries it (`Kind/name` of the built object and the operation),
    /// or `None` when it is reported.
    pub carry: Option<(String, Op)>,
}

/// How many input fields each way reached the build.
#[derive(Debug, Default)]
pub struct Tally {
    pub native: usize,
    pub carried: usize,
    pub reported: usize,
    pub residue: Vec<Residue>,
}

/// The built objects by (kind, name), and every named port's numbers.
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

    /// The object genk8s built for (kind, name) and its name; a config's name carries a content hash.
    pub fn find(&self, kind: &str, name: &str) -> Option<(&str, &Node)> {
        self.objects
            .iter()
            .find(|((k, n), _)| k == kind && (n == name || (kind == "ConfigMap" && hashed_name(n, name))))
            .map(|((_, n), o)| (n.as_str(), o))
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

/// `patches:` of the spec: the carried operations grouped by built object.
pub fn patches(residue: &[Residue]) -> serde_json::Map<String, Value> {
    let mut by_target = serde_json::Map::new();
    for (target, op) in residue.iter().filter_map(|r| r.carry.as_ref()) {
        let entry = by_target.entry(target.clone()).or_insert_with(|| serde_json::json!({"json": []}));
        if let Some(Value::Array(ops)) = entry.get_mut("json") {
            ops.push(serde_json::json!({"op": op.op, "path": op.pointer, "value": op.value}));
        }
    }
    by_target
}

/// Volume names of the input and of the build that are mounted at the same path.
fn volume_renames(input: &Node, out: &Node) -> BTreeMap<String, String> {
    fn mounts(n: &Node, acc: &mut Vec<(String, String)>) {
        match &n.kind {
            NodeKind::Map(es) => {
                if let (Some(name), Some(path)) =
                    (n.get("name").and_then(Node::as_str), n.get("mountPath").and_then(Node::as_str))
                {
                    acc.push((path.to_string(), name.to_string()));
                }
                es.iter().for_each(|e| mounts(&e.value, acc));
            }
            NodeKind::Seq(items) => items.iter().for_each(|i| mounts(i, acc)),
            _ => {}
        }
    }
    let (mut a, mut b) = (Vec::new(), Vec::new());
    mounts(input, &mut a);
    mounts(out, &mut b);
    a.into_iter()
        .filter_map(|(path, name)| b.iter().find(|(p, _)| *p == path).map(|(_, n)| (name, n.clone())))
        .collect()
}

impl Tally {
    /// Reports the whole input object `d` (its `leaves` fields), for `why`.
    fn report_whole(&mut self, d: &Doc, leaves: usize, why: String) {
        self.reported += leaves;
        self.residue.push(Residue { span: d.span(), object: d.key(), path: String::new(), leaves, why, carry: None });
    }
}

/// Compares every input object with what became of it.
pub fn compare(docs: &[Doc], fates: &[Option<Fate>], built: &Built, changed: &BTreeMap<Span, String>) -> Tally {
    let mut t = Tally::default();
    for (d, fate) in docs.iter().zip(fates) {
        let leaves = count(&d.node);
        match fate.as_ref().unwrap_or(&Fate::Verbatim) {
            Fate::Verbatim => match built.find(&d.kind, &d.name) {
                Some(_) => t.carried += leaves,
                None => t.report_whole(d, leaves, format!("carried under objects, but the build has no {}", d.key())),
            },
            Fate::Derived(why) | Fate::Reported(why) => t.report_whole(d, leaves, why.clone()),
            Fate::Native(kind, name) => match built.find(kind, name) {
                Some((built_name, out)) => {
                    let target = format!("{kind}/{built_name}");
                    let renames = volume_renames(&d.node, out);
                    let mut w = Walk { t: &mut t, doc: d, built, target, kind, changed, renames };
                    w.node(&d.node, out, &mut String::new(), &mut String::new());
                }
                None => t.report_whole(d, leaves, format!("the build has no {kind}/{name} to compare it with")),
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
    /// `Kind/name` of the built object (the patch key).
    target: String,
    /// Kind of the built object.
    kind: &'a str,
    /// Input places the import changed on purpose (its warnings), with why.
    changed: &'a BTreeMap<Span, String>,
    /// Input volume name → the built one, found through mounts at the same path.
    renames: BTreeMap<String, String>,
}

impl Walk<'_> {
    /// Compares `input` with `out`; `path` is the input's field path, `ptr` the
    /// JSON pointer of `out` in the built object.
    fn node(&mut self, input: &Node, out: &Node, path: &mut String, ptr: &mut String) {
        match (&input.kind, &out.kind) {
            (NodeKind::Map(es), NodeKind::Map(_)) if !es.is_empty() => {
                for e in es {
                    let (len, plen) = (path.len(), ptr.len());
                    push_key(path, &e.key);
                    ptr.push('/');
                    ptr.push_str(&e.key.replace('~', "~0").replace('/', "~1"));
                    let span = if is_collection(&e.value) { e.key_span } else { e.value.span };
                    match out.get(&e.key) {
                        Some(sub) => self.node(&e.value, sub, path, ptr),
                        // A backend port by number, where genk8s names it.
                        None if e.key == "number"
                            && out
                                .get("name")
                                .and_then(Node::as_str)
                                .zip(e.value.as_str())
                                .is_some_and(|(n, v)| self.same(v, n)) =>
                        {
                            self.t.native += 1;
                        }
                        None => self.differs(span, path, &e.value, None, Some(("add", ptr.clone()))),
                    }
                    path.truncate(len);
                    ptr.truncate(plen);
                }
            }
            (NodeKind::Seq(items), NodeKind::Seq(outs))
                if items.iter().all(|i| matches!(i.kind, NodeKind::Map(_))) && !items.is_empty() =>
            {
                self.seq(items, outs, path, ptr);
            }
            (NodeKind::Seq(a), NodeKind::Seq(b))
                if a.len() == b.len() && a.iter().zip(b).all(|(x, y)| self.equal(x, y)) =>
            {
                self.t.native += count(input);
            }
            (NodeKind::Scalar { text, .. }, NodeKind::Scalar { text: o, .. }) if self.same(text, o) => {
                self.t.native += 1
            }
            (NodeKind::Null, NodeKind::Null) => self.t.native += 1,
            (NodeKind::Map(a), NodeKind::Map(b)) if a.is_empty() && b.is_empty() => self.t.native += 1,
            _ => {
                let op =
                    if ptr.rsplit('/').next().is_some_and(|s| s.parse::<usize>().is_ok()) { "replace" } else { "add" };
                self.differs(input.span, path, input, Some(out), Some((op, ptr.clone())));
            }
        }
    }

    /// List items matched by `mountPath` or `name`, by the volume source, by content,
    /// or (one item each side) with each other; unmatched ones are appended.
    fn seq(&mut self, items: &[Node], outs: &[Node], path: &mut String, ptr: &mut String) {
        let key =
            ["mountPath", "name"].into_iter().find(|k| items.iter().all(|i| i.get(k).and_then(Node::as_str).is_some()));
        let mut used = vec![false; outs.len()];
        let volumes = path.ends_with("volumes");
        for (idx, item) in items.iter().enumerate() {
            let (len, plen) = (path.len(), ptr.len());
            let label = key.and_then(|k| item.get(k)).and_then(Node::as_str).map_or(idx.to_string(), str::to_string);
            path.push_str(&format!("[{label}]"));
            let free = |j: usize| !used[j];
            let matched = (0..outs.len())
                .filter(|&j| free(j))
                .find(|&j| {
                    key.is_some_and(|k| {
                        let want = item.get(k).and_then(Node::as_str);
                        let renamed = want.and_then(|w| self.renames.get(w)).map(String::as_str);
                        let have = outs[j].get(k).and_then(Node::as_str);
                        have == want || (volumes && have.is_some() && have == renamed)
                    })
                })
                .or_else(|| (0..outs.len()).filter(|&j| free(j)).find(|&j| self.same_source(item, &outs[j])))
                .or_else(|| (0..outs.len()).filter(|&j| free(j)).find(|&j| self.equal(item, &outs[j])))
                .or_else(|| {
                    (key.is_none())
                        .then(|| (0..outs.len()).filter(|&j| free(j)).find(|&j| same_keys(item, &outs[j])))
                        .flatten()
                })
                .or_else(|| (items.len() == 1 && outs.len() == 1).then_some(0));
            match matched {
                Some(j) => {
                    used[j] = true;
                    ptr.push_str(&format!("/{j}"));
                    self.node(item, &outs[j], path, ptr);
                }
                None => {
                    ptr.push_str("/-");
                    self.differs(item.span, path, item, None, Some(("add", ptr.clone())));
                }
            }
            path.truncate(len);
            ptr.truncate(plen);
        }
    }

    /// Whole-tree equality under [`Walk::same`].
    fn equal(&self, a: &Node, b: &Node) -> bool {
        match (&a.kind, &b.kind) {
            (NodeKind::Scalar { text, .. }, NodeKind::Scalar { text: o, .. }) => self.same(text, o),
            (NodeKind::Seq(x), NodeKind::Seq(y)) => {
                x.len() == y.len() && x.iter().zip(y).all(|(p, q)| self.equal(p, q))
            }
            (NodeKind::Map(x), NodeKind::Map(_)) => {
                x.iter().all(|e| b.get(&e.key).is_some_and(|v| self.equal(&e.value, v)))
            }
            (NodeKind::Null, NodeKind::Null) => true,
            _ => false,
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

    /// A map the build lacks, entry by entry: deliberate ones reported, the rest one `add`.
    fn split(&mut self, span: Span, path: &str, es: &[crate::yaml::node::Entry], pointer: &str) {
        let mut carried = serde_json::Map::new();
        for e in es {
            let sub = format!("{path}.{}", e.key);
            match deliberate(self.kind, &self.doc.kind, &sub, &e.value, None) {
                Some(why) => {
                    let leaves = count(&e.value);
                    self.t.reported += leaves;
                    let at = if is_collection(&e.value) { e.key_span } else { e.value.span };
                    self.t.residue.push(Residue {
                        span: at,
                        object: self.doc.key(),
                        path: sub,
                        leaves,
                        why,
                        carry: None,
                    });
                }
                None => {
                    carried.insert(e.key.clone(), crate::patch::value(&e.value));
                }
            }
        }
        if carried.is_empty() {
            return;
        }
        let leaves: usize = es.iter().filter(|e| carried.contains_key(&e.key)).map(|e| count(&e.value)).sum();
        self.t.carried += leaves;
        let op = Op { op: "add", pointer: pointer.to_string(), value: Value::Object(carried) };
        let why = "genk8s does not write it; added by a patch".to_string();
        self.t.residue.push(Residue {
            span,
            object: self.doc.key(),
            path: path.to_string(),
            leaves,
            why,
            carry: Some((self.target.clone(), op)),
        });
    }

    /// A difference: carried by a patch operation unless it is one genk8s makes on purpose.
    fn differs(
        &mut self,
        span: Span,
        path: &str,
        input: &Node,
        out: Option<&Node>,
        op: Option<(&'static str, String)>,
    ) {
        let leaves = count(input);
        let mut reason =
            self.changed.get(&span).cloned().or_else(|| deliberate(self.kind, &self.doc.kind, path, input, out));
        if reason.is_none() && self.kind == "ConfigMap" && self.target != self.doc.key() {
            reason = Some(format!(
                "{} carries a content hash, which no patch can address for long; set it in the config",
                self.target
            ));
        }
        // A map the build lacks: carry what genk8s does not write on purpose, report the rest.
        if let (None, Some(es), Some((_, pointer))) = (&reason, input.entries(), &op)
            && out.is_none()
            && es
                .iter()
                .any(|e| deliberate(self.kind, &self.doc.kind, &format!("{path}.{}", e.key), &e.value, None).is_some())
        {
            let pointer = pointer.clone();
            return self.split(span, path, es, &pointer);
        }
        let (why, carry) = match (reason, op) {
            (None, Some((op, pointer))) => {
                self.t.carried += leaves;
                let why = match out {
                    Some(o) => format!("genk8s writes {}; patched to the input's value", short(o)),
                    None => "genk8s does not write it; added by a patch".to_string(),
                };
                (why, Some((self.target.clone(), Op { op, pointer, value: crate::patch::value(input) })))
            }
            (reason, _) => {
                self.t.reported += leaves;
                (reason.unwrap_or_else(|| "genk8s does not write it".into()), None)
            }
        };
        self.t.residue.push(Residue { span, object: self.doc.key(), path: path.to_string(), leaves, why, carry });
    }
}

fn is_collection(n: &Node) -> bool {
    matches!(n.kind, NodeKind::Map(_) | NodeKind::Seq(_))
}

/// Maps with the same keys (two env sources of one kind, two metrics of one type).
fn same_keys(a: &Node, b: &Node) -> bool {
    let keys = |n: &Node| n.entries().map(|es| es.iter().map(|e| e.key.clone()).collect::<BTreeSet<_>>());
    keys(a).is_some() && keys(a) == keys(b)
}

fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
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
