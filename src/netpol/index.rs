//! Lookups the evaluator makes per query, indexed once per [`Cluster`]: a Service by
//! namespace and name, the pods a label pair names, and the policies whose pod selector
//! could select a pod. Each index only narrows the candidates; the full selector match
//! still decides, so an answer is the one a scan of every object gives.

use super::Cluster;
use std::collections::HashMap;

/// A label `key=value` in a namespace.
type Pair = (String, String, String);

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
        self.services.get(&(namespace.to_string(), name.to_string())).copied()
    }

    /// Services of `namespace` labelled `key=value`, in Service order.
    pub fn services_with(&self, namespace: &str, key: &str, value: &str) -> &[usize] {
        self.services_labeled.get(&pair(namespace, key, value)).map_or(&[], Vec::as_slice)
    }

    /// Pods of `namespace` carrying `key=value`, in pod order.
    pub fn pods_with(&self, namespace: &str, key: &str, value: &str) -> &[usize] {
        self.pods.get(&pair(namespace, key, value)).map_or(&[], Vec::as_slice)
    }

    /// The pods of `workload`, in pod order.
    pub fn pods_of(&self, workload: &str) -> &[usize] {
        self.workloads.get(workload).map_or(&[], Vec::as_slice)
    }

    /// Pods of any namespace carrying `key=value`, in pod order.
    pub fn pods_with_in_any(&self, key: &str, value: &str) -> &[usize] {
        self.pods_any_ns.get(&(key.to_string(), value.to_string())).map_or(&[], Vec::as_slice)
    }

    /// Policies that may select a pod of `namespace` with `labels`, in policy order.
    pub fn policies_for<'a>(
        &self,
        namespace: &str,
        labels: impl Iterator<Item = (&'a String, &'a String)>,
    ) -> Vec<usize> {
        let mut out: Vec<usize> = self.policies_any.get(namespace).cloned().unwrap_or_default();
        for (k, v) in labels {
            out.extend(self.policies.get(&pair(namespace, k, v)).into_iter().flatten());
        }
        out.sort_unstable();
        out.dedup();
        out
    }
}
