//! Which input object becomes which part of the spec. The recognition walks the
//! objects once by kind: workloads first (services and databases, with the objects
//! that select them), then platform-wide objects; whatever is left is carried
//! verbatim. Every object ends with a [`Fate`], so nothing is dropped unseen.

use super::read::{Doc, at};
use crate::import::{Finding, Level};
use crate::source::Span;
use crate::yaml::{Node, NodeKind};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};

/// What became of one input object.
#[derive(Debug, Clone, PartialEq)]
pub enum Fate {
    /// The spec expresses it; its fields are compared with this generated object (kind, name).
    Native(String, String),
    /// The spec expresses it as a whole (a NetworkPolicy's paths become `uses`), not field by field.
    Derived(String),
    /// Carried as written under `objects:`.
    Verbatim,
    /// Not carried: why (a Secret's values are never copied).
    Reported(String),
}

/// The recognition's state.
pub struct Rec<'d> {
    pub docs: &'d [Doc],
    pub fates: Vec<Option<Fate>>,
    pub findings: Vec<Finding>,
    /// Secrets the cluster must hold, with their keys.
    pub secrets: BTreeMap<String, BTreeSet<String>>,
    /// `platform.yaml` (without `platform:`, which the caller adds).
    pub spec: Map<String, Value>,
    /// The namespace the platform's objects live in (the input's most common one).
    pub namespace: Option<String>,
    /// Files written beside the spec (`files/<config>/<key>`): (path, text).
    pub copies: Vec<(String, String)>,
    /// Pod labels of each workload made a service or database, by its genk8s name.
    pub workloads: Vec<(String, BTreeMap<String, String>)>,
    /// Kubernetes Service name → the genk8s service or database behind it.
    pub service_of: BTreeMap<String, String>,
}

impl<'d> Rec<'d> {
    pub fn new(docs: &'d [Doc]) -> Rec<'d> {
        let namespace = main_namespace(docs);
        Rec {
            docs,
            fates: vec![None; docs.len()],
            findings: Vec::new(),
            secrets: BTreeMap::new(),
            spec: Map::new(),
            namespace,
            copies: Vec::new(),
            workloads: Vec::new(),
            service_of: BTreeMap::new(),
        }
    }

    pub fn warn(&mut self, span: Span, path: impl Into<String>, message: impl Into<String>) {
        self.findings.push(Finding { level: Level::Warning, span, path: path.into(), message: message.into() });
    }

    pub fn note(&mut self, span: Span, path: impl Into<String>, message: impl Into<String>) {
        self.findings.push(Finding { level: Level::Note, span, path: path.into(), message: message.into() });
    }

    /// Records what became of object `i` (the first decision stands).
    pub fn settle(&mut self, i: usize, fate: Fate) {
        if self.fates[i].is_none() {
            self.fates[i] = Some(fate);
        }
    }

    pub fn open(&self, i: usize) -> bool {
        self.fates[i].is_none()
    }

    /// Objects of a kind not yet settled, with their index, in the main namespace.
    pub fn of_kind(&self, kind: &str) -> Vec<usize> {
        (0..self.docs.len())
            .filter(|&i| self.open(i) && self.docs[i].kind == kind && self.in_main(&self.docs[i]))
            .collect()
    }

    /// Objects of a cluster-wide kind not yet settled.
    pub fn cluster_kind(&self, kind: &str) -> Vec<usize> {
        (0..self.docs.len()).filter(|&i| self.open(i) && self.docs[i].kind == kind).collect()
    }

    /// Whether the object lives in the platform's namespace (or names none).
    pub fn in_main(&self, d: &Doc) -> bool {
        d.namespace.is_none() || d.namespace == self.namespace
    }

    /// The map under `key` of the spec, created on first use.
    pub fn section(&mut self, key: &str) -> &mut Map<String, Value> {
        let v = self.spec.entry(key.to_string()).or_insert_with(|| Value::Object(Map::new()));
        if !v.is_object() {
            *v = Value::Object(Map::new());
        }
        v.as_object_mut().expect("an object")
    }

    /// Whether the input holds ConfigMap `name` in the platform's namespace (a config of the spec).
    pub fn has_config(&self, name: &str) -> bool {
        self.docs.iter().any(|d| d.kind == "ConfigMap" && d.name == name && self.in_main(d))
    }

    /// Records a Secret key the cluster must hold.
    pub fn secret(&mut self, name: &str, key: Option<&str>) {
        let keys = self.secrets.entry(name.to_string()).or_default();
        keys.extend(key.map(str::to_string));
    }

    /// The genk8s workload whose pods carry every label of `selector`.
    pub fn workload_selected(&self, selector: &BTreeMap<String, String>) -> Option<String> {
        if selector.is_empty() {
            return None;
        }
        self.workloads.iter().find(|(_, labels)| subset(selector, labels)).map(|(n, _)| n.clone())
    }
}

/// The namespace most objects name (ties: the first named).
fn main_namespace(docs: &[Doc]) -> Option<String> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for d in docs.iter().filter(|d| d.kind != "Namespace") {
        if let Some(ns) = &d.namespace {
            match counts.iter_mut().find(|(n, _)| n == ns) {
                Some((_, c)) => *c += 1,
                None => counts.push((ns.clone(), 1)),
            }
        }
    }
    let best = counts.iter().map(|(_, c)| *c).max()?;
    counts.into_iter().find(|(_, c)| *c == best).map(|(n, _)| n)
}

impl Rec<'_> {
    /// A label every object the spec expresses carries with one value (helm's
    /// `app.kubernetes.io/instance`) becomes the platform's `labels:`.
    fn shared_labels(&mut self) {
        let native: Vec<&Doc> = self
            .docs
            .iter()
            .zip(&self.fates)
            .filter(|(_, f)| matches!(f, Some(Fate::Native(..))))
            .map(|(d, _)| d)
            .collect();
        let Some(first) = native.first() else { return };
        let mut shared = labels(at(&first.node, &["metadata", "labels"]));
        for d in &native[1..] {
            let l = labels(at(&d.node, &["metadata", "labels"]));
            shared.retain(|k, v| l.get(k) == Some(v));
        }
        let own = [
            "app.kubernetes.io/name",
            "app.kubernetes.io/component",
            "app.kubernetes.io/part-of",
            "app.kubernetes.io/version",
        ];
        shared.retain(|k, _| !own.contains(&k.as_str()) && !super::residue::is_tool_key(k));
        if !shared.is_empty() {
            self.spec.insert("labels".into(), serde_json::json!(shared));
        }
    }
}

/// A map of scalars (labels, a selector's matchLabels).
pub fn labels(n: Option<&Node>) -> BTreeMap<String, String> {
    n.and_then(Node::entries)
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e.value.as_str().map(|v| (e.key.clone(), v.to_string())))
        .collect()
}

/// Whether every pair of `sel` is in `labels`.
pub fn subset(sel: &BTreeMap<String, String>, labels: &BTreeMap<String, String>) -> bool {
    sel.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// A scalar as a JSON string.
pub fn text(n: Option<&Node>) -> Option<Value> {
    n.and_then(Node::as_str).map(|s| Value::String(s.to_string()))
}

/// A scalar as an integer.
pub fn int(n: Option<&Node>) -> Option<i64> {
    n.and_then(Node::as_str).and_then(|s| s.trim().parse().ok())
}

/// A list of scalars.
pub fn strings(n: Option<&Node>) -> Option<Vec<String>> {
    match &n?.kind {
        NodeKind::Seq(items) => items.iter().map(|i| i.as_str().map(str::to_string)).collect(),
        _ => None,
    }
}

/// The items of a list (none when it is not a list).
pub fn items(n: Option<&Node>) -> &[Node] {
    match n.map(|n| &n.kind) {
        Some(NodeKind::Seq(items)) => items,
        _ => &[],
    }
}

/// The pod template's labels of a workload.
pub fn pod_labels(d: &Doc) -> BTreeMap<String, String> {
    labels(at(&d.node, &["spec", "template", "metadata", "labels"]))
}

/// Labels genk8s writes itself (or that only describe the tool that wrote the input).
pub fn tool_label(key: &str) -> bool {
    key.starts_with("app.kubernetes.io/")
        || key.starts_with("helm.sh/")
        || key == "heritage"
        || key == "chart"
        || key == "release"
}

/// Runs every recogniser; objects left over are carried verbatim.
pub fn recognise(docs: &[Doc]) -> Rec<'_> {
    let mut rec = Rec::new(docs);
    rec.databases();
    rec.services();
    rec.network_policies();
    rec.uses_from_env();
    rec.backups();
    rec.platform_objects();
    rec.shared_labels();
    for (i, d) in docs.iter().enumerate() {
        if rec.open(i) {
            let why = if rec.in_main(d) {
                format!("genk8s has no spec field for a {}; carried verbatim under objects", d.kind)
            } else {
                format!(
                    "in namespace {}, not the platform's {}; carried verbatim under objects",
                    d.namespace.as_deref().unwrap_or("-"),
                    rec.namespace.as_deref().unwrap_or("-")
                )
            };
            rec.note(d.span(), d.key(), why);
            rec.settle(i, Fate::Verbatim);
        }
    }
    rec
}
