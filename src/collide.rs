//! Objects that would overwrite each other at apply time: after expand, two objects
//! with one (kind, namespace, name) are an error, reported at the spec entry that
//! produced one of them and naming the entry that produced the other.
//!
//! Spec entries are told apart by the `app.kubernetes.io/name` label every workload's
//! objects carry (a service, a database, a database's backup, a config). Entries derive
//! names of their own (`<db>-headless`, `<svc>-preview`, `<svc>-canary`, `<db>-backup`,
//! `<svc>-<volume>`), so an entry named like one of them collides with it.

use crate::diag::Diagnostic;
use crate::expand::{NAME, Object, Sink};
use crate::source::{SourceMap, Span};
use crate::validate::Valid;
use crate::yaml::Node;
use std::collections::{BTreeMap, HashMap};

/// (kind, namespace, name) of an object.
type Key = (String, Option<String>, String);

/// Which spec entry an object belongs to, as its labels say.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Mark {
    name: Option<String>,
    config: bool,
}

/// A sink that keeps only each object's key and owner marks, never its tree.
#[derive(Default)]
pub struct Keys {
    seen: HashMap<Key, Mark>,
    /// Keys seen twice, with both marks, in the order they were found.
    dups: Vec<(Key, Mark, Mark)>,
}

impl Sink for Keys {
    fn push(&mut self, o: Object) {
        self.note(&o);
    }
}

impl Keys {
    /// Notes `o`'s kind, namespace and name (a second object with all three is a clash).
    pub fn note(&mut self, o: &Object) {
        let mark = Mark {
            name: o.label(NAME).map(str::to_string),
            config: o.kind == "ConfigMap" && o.label(crate::expand::COMPONENT) == Some("config"),
        };
        self.add((o.kind.clone(), o.namespace.clone(), o.name.clone()), mark);
    }

    /// The keys of `objects`, as noting each in turn gives, without hashing every key: the
    /// keys are sorted (borrowed), and only objects that share one are noted.
    pub fn of(objects: &[Object]) -> Keys {
        let key = |i: usize| {
            let o = &objects[i];
            (o.kind.as_str(), o.namespace.as_deref(), o.name.as_str())
        };
        let mut order: Vec<usize> = (0..objects.len()).collect();
        order.sort_by(|&a, &b| key(a).cmp(&key(b)).then(a.cmp(&b)));
        let mut shared: Vec<usize> = Vec::new();
        for run in order.chunk_by(|&a, &b| key(a) == key(b)).filter(|r| r.len() > 1) {
            shared.extend_from_slice(run);
        }
        shared.sort_unstable();
        let mut keys = Keys::default();
        for i in shared {
            keys.note(&objects[i]);
        }
        keys
    }

    fn add(&mut self, key: Key, mark: Mark) {
        match self.seen.get(&key) {
            Some(first) => self.dups.push((key, first.clone(), mark)),
            None => {
                self.seen.insert(key, mark);
            }
        }
    }
}

/// A spec entry that produces objects: its path in the merged spec and how to name it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Owner {
    path: Vec<String>,
    what: String,
}

/// Every entry that stamps its objects with an `app.kubernetes.io/name`, by that name.
fn owners(v: &Valid) -> BTreeMap<String, Vec<Owner>> {
    let mut out: BTreeMap<String, Vec<Owner>> = BTreeMap::new();
    let mut add =
        |label: String, path: Vec<String>, what: String| out.entry(label).or_default().push(Owner { path, what });
    for name in v.spec.services.keys() {
        add(name.clone(), vec!["services".into(), name.clone()], format!("service `{name}`"));
    }
    for (name, db) in &v.spec.databases {
        add(name.clone(), vec!["databases".into(), name.clone()], format!("database `{name}`"));
        if db.backup.is_some() {
            add(
                format!("{name}-backup"),
                vec!["databases".into(), name.clone(), "backup".into()],
                format!("the backup of database `{name}`"),
            );
        }
    }
    out
}

/// The owner of an object with `mark`; `nth` picks among entries sharing one label.
fn owner_of(v: &Valid, owners: &BTreeMap<String, Vec<Owner>>, key: &Key, mark: &Mark, nth: usize) -> Owner {
    let Some(label) = &mark.name else {
        return Owner { path: Vec::new(), what: "the platform".into() };
    };
    if mark.config && v.spec.configs.contains_key(label) {
        return Owner { path: vec!["configs".into(), label.clone()], what: format!("config `{label}`") };
    }
    match owners.get(label) {
        Some(list) => refine(v, list[nth.min(list.len() - 1)].clone(), key),
        None => Owner { path: Vec::new(), what: format!("the platform ({} `{}`)", key.0, key.2) },
    }
}

/// Whether two spec entries would own objects of one name (a service beside a database's
/// backup of that name), before any object is compared.
pub fn owners_clash(v: &Valid) -> bool {
    owners(v).values().any(|l| l.len() > 1)
}

/// One error per pair of entries whose objects collide, naming every kind involved.
pub fn check(v: &Valid, keys: &Keys, root: &Node, sources: &SourceMap) -> Vec<Diagnostic> {
    let owners = owners(v);
    let mut pairs: BTreeMap<(Owner, Owner), Vec<String>> = BTreeMap::new();
    // Entries sharing a name label share pod selectors (and one NetworkPolicy).
    for (label, list) in owners.iter().filter(|(_, l)| l.len() > 1) {
        let pair = ordered(root, list[0].clone(), list[1].clone());
        pairs.entry(pair).or_default().push(format!(
            "pods labelled {NAME}={label} (each one's Service and NetworkPolicy would select the other's pods)"
        ));
    }
    for (key, first, second) in &keys.dups {
        let a = owner_of(v, &owners, key, first, 0);
        let b = owner_of(v, &owners, key, second, usize::from(first == second));
        let objects = pairs.entry(ordered(root, a, b)).or_default();
        let object = format!("{} `{}`", key.0, key.2);
        if !objects.contains(&object) {
            objects.push(object);
        }
    }
    pairs
        .into_iter()
        .map(|((a, b), objects)| {
            let objects = objects.join(", ");
            if a == b {
                return Diagnostic::at(span_of(root, &a), format!("{} produces two objects named {objects}", a.what))
                    .help("rename the entry or the part of it that repeats the name");
            }
            Diagnostic::at(
                span_of(root, &b),
                format!(
                    "{} and {} (at {}) both produce {objects}",
                    b.what,
                    a.what,
                    sources.locate(span_of(root, &a))
                ),
            )
            .help(
                "rename one of them: applied, one object overwrites the other (genk8s derives <db>-headless, <db>-backup, <service>-preview, <service>-canary and <service>-<volume>)",
            )
        })
        .collect()
}

/// A pair of owners in file order, so each collision is reported at the later entry.
fn ordered(root: &Node, a: Owner, b: Owner) -> (Owner, Owner) {
    if span_of(root, &a) <= span_of(root, &b) { (a, b) } else { (b, a) }
}

/// Narrows a service's path to the part that derived the object's name: a volume's
/// claim (`<service>-<volume>`) or a rollout's `-preview`/`-canary`/`-blue`/`-green`.
fn refine(v: &Valid, mut owner: Owner, key: &Key) -> Owner {
    let [section, name] = owner.path.as_slice() else { return owner };
    let Some(svc) = v.spec.services.get(name).filter(|_| section == "services") else { return owner };
    let Some(rest) = key.2.strip_prefix(name.as_str()).and_then(|r| r.strip_prefix('-')) else { return owner };
    if key.0 == "PersistentVolumeClaim" && svc.volumes.contains_key(rest) {
        owner.path.extend(["volumes".to_string(), rest.to_string()]);
    } else if svc.rollout.is_some() && ["preview", "canary", "blue", "green"].contains(&rest) {
        owner.path.push("rollout".into());
    }
    owner
}

fn span_of(root: &Node, o: &Owner) -> Span {
    let path: Vec<&str> = o.path.iter().map(String::as_str).collect();
    root.find(&path)
}

#[cfg(test)]
mod keys_tests {
    use super::*;
    use serde_json::json;

    /// [`Keys::of`] finds the clashes, in the order and with the marks, that noting every
    /// object in turn finds.
    #[test]
    fn keys_of_objects_are_the_keys_noted_one_by_one() {
        let o = |kind: &str, ns: Option<&str>, name: &str, owner: &str| {
            let value = json!({"metadata": {"name": name, "labels": {NAME: owner}}});
            Object::from_value(kind.into(), name.into(), ns.map(str::to_string), value)
        };
        let objects = vec![
            o("Service", Some("a"), "api", "api"),
            o("Deployment", Some("a"), "api", "api"),
            o("Service", Some("a"), "api", "api-2"),
            o("Service", None, "api", "x"),
            o("ConfigMap", Some("a"), "cfg", "cfg"),
            o("Service", Some("a"), "api", "api-3"),
            o("ConfigMap", Some("a"), "cfg", "other"),
            o("Service", Some("b"), "api", "api"),
        ];
        let mut noted = Keys::default();
        for x in &objects {
            noted.note(x);
        }
        let of = Keys::of(&objects);
        assert_eq!(of.dups.len(), 3);
        assert_eq!(of.dups, noted.dups);
    }
}
