//! Lookups the evaluator makes per query, indexed once per [`Cluster`]: a Service by
//! namespace and name, the pods a label pair names, and the policies whose pod selector
//! could select a pod. Each index only narrows the candidates; the full selector match
//! still decides, so an answer is the one a scan of every object gives.

use super::Cluster;
use hashbrown::{Equivalent, HashMap};

/// A label `key=value` in a namespace.
type Pair = (String, String, String);

/// A [`Pair`] or another key of owned strings, borrowed for a lookup. It hashes as the
/// owned key does (a tuple's fields in order, each as its `str`), so no String is built
/// per query.
struct Borrowed<'a, const N: usize>([&'a str; N]);

impl<const N: usize> std::hash::Hash for Borrowed<'_, N> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // Field by field, as a tuple does (an array would write its length first).
        for s in self.0 {
            s.hash(state);
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Index {
    services: HashMap<(String, String), usize>,
    /// Services by each label they carry, in Service order.
    services_labeled: HashMap<Pair, Vec<usize>>,
    /// Pods by each label they carry, in pod order.
    pods: HashMap<Pair, Vec<usize>>,
    /// Pods by workload, in pod order.
    workloads: HashMap<String, Vec<usize>>,
    /// Pods of every namespace by each label they carry, in pod order.
    pods_any_ns: HashMap<(String, String), Vec<usize>>,
    /// Policies whose selector requires a label pair, filed under one such pair.
    policies: HashMap<Pair, Vec<usize>>,
    /// Policies of a namespace whose selector requires no label pair (empty selector,
    /// expressions only): candidates for every pod there.
    policies_any: HashMap<String, Vec<usize>>,
}

impl Equivalent<Pair> for Borrowed<'_, 3> {
    fn equivalent(&self, (a, b, c): &Pair) -> bool {
        self.0 == [a.as_str(), b.as_str(), c.as_str()]
    }
}

impl Equivalent<(String, String)> for Borrowed<'_, 2> {
    fn equivalent(&self, (a, b): &(String, String)) -> bool {
        self.0 == [a.as_str(), b.as_str()]
    }
}

fn pair(ns: &str, k: &str, v: &str) -> Pair {
    (ns.to_string(), k.to_string(), v.to_string())
}

impl Index {
    pub fn new(c: &Cluster) -> Index {
        let mut ix = Index::default();
        for (i, s) in c.services.iter().enumerate() {
            ix.services.entry((s.namespace.clone(), s.name.clone())).or_insert(i);
            for (k, v) in &s.labels {
                ix.services_labeled.entry(pair(&s.namespace, k, v)).or_default().push(i);
            }
        }
        for (i, p) in c.pods.iter().enumerate() {
            ix.workloads.entry(p.workload.clone()).or_default().push(i);
            for (k, v) in &p.pod.labels {
                ix.pods.entry(pair(&p.pod.namespace, k, v)).or_default().push(i);
                ix.pods_any_ns.entry((k.clone(), v.clone())).or_default().push(i);
            }
        }
        for (i, (ns, p)) in c.policies.iter().enumerate() {
            let required = p.spec.as_ref().and_then(|s| s.pod_selector.as_ref()).and_then(|s| s.match_labels.as_ref());
            match required.and_then(|m| m.iter().next()) {
                Some((k, v)) => ix.policies.entry(pair(ns, k, v)).or_default().push(i),
                None => ix.policies_any.entry(ns.clone()).or_default().push(i),
            }
        }
        ix
    }

    pub fn service(&self, namespace: &str, name: &str) -> Option<usize> {
        self.services.get(&Borrowed([namespace, name])).copied()
    }

    /// Services of `namespace` labelled `key=value`, in Service order.
    pub fn services_with(&self, namespace: &str, key: &str, value: &str) -> &[usize] {
        self.services_labeled.get(&Borrowed([namespace, key, value])).map_or(&[], Vec::as_slice)
    }

    /// Pods of `namespace` carrying `key=value`, in pod order.
    pub fn pods_with(&self, namespace: &str, key: &str, value: &str) -> &[usize] {
        self.pods.get(&Borrowed([namespace, key, value])).map_or(&[], Vec::as_slice)
    }

    /// The pods of `workload`, in pod order.
    pub fn pods_of(&self, workload: &str) -> &[usize] {
        self.workloads.get(workload).map_or(&[], Vec::as_slice)
    }

    /// Pods of any namespace carrying `key=value`, in pod order.
    pub fn pods_with_in_any(&self, key: &str, value: &str) -> &[usize] {
        self.pods_any_ns.get(&Borrowed([key, value])).map_or(&[], Vec::as_slice)
    }

    /// Policies that may select a pod of `namespace` with `labels`, in policy order.
    pub fn policies_for<'a>(
        &self,
        namespace: &str,
        labels: impl Iterator<Item = (&'a String, &'a String)>,
    ) -> Vec<usize> {
        let mut out: Vec<usize> = self.policies_any.get(namespace).cloned().unwrap_or_default();
        for (k, v) in labels {
            out.extend(self.policies.get(&Borrowed([namespace, k.as_str(), v.as_str()])).into_iter().flatten());
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    #[test]
    fn a_borrowed_key_hashes_and_compares_as_the_owned_one() {
        let h = hashbrown::DefaultHashBuilder::default();
        let owned = pair("ns", "app", "api");
        assert_eq!(h.hash_one(&owned), h.hash_one(Borrowed(["ns", "app", "api"])));
        assert_ne!(h.hash_one(&owned), h.hash_one(Borrowed(["nsa", "pp", "api"])));
        assert!(Borrowed(["ns", "app", "api"]).equivalent(&owned));
        let two = ("app".to_string(), "api".to_string());
        assert_eq!(h.hash_one(&two), h.hash_one(Borrowed(["app", "api"])));
        let mut m: HashMap<Pair, u8> = HashMap::new();
        m.insert(owned, 1);
        assert_eq!(m.get(&Borrowed(["ns", "app", "api"])), Some(&1));
        assert_eq!(m.get(&Borrowed(["ns", "app", "web"])), None);
    }
}
