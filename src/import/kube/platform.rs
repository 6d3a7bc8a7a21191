//! Platform-wide objects: the Namespace, StorageClasses, cert-manager
//! ClusterIssuers, ResourceQuota and LimitRange, ConfigMaps (configs) and Secrets
//! (references only: their values are never copied).

use super::read::at;
use super::recognise::{Fate, Rec, items, labels, text};
use crate::yaml::Node;
use serde_json::{Map, Value, json};

use crate::validate::cluster::REMOVED_PROVISIONERS as IN_TREE;

impl Rec<'_> {
    pub fn platform_objects(&mut self) {
        self.namespace_object();
        self.storage_classes();
        self.issuers();
        self.configs();
        self.secrets_objects();
        if let Some(i) = self.of_kind("ResourceQuota").into_iter().next() {
            let hard = labels(at(&self.docs[i].node, &["spec", "hard"]));
            self.spec.insert("quota".into(), json!(hard));
            self.settle(i, Fate::Native("ResourceQuota".into(), "quota".into()));
        }
        self.limit_range();
    }

    fn namespace_object(&mut self) {
        let Some(ns) = self.namespace.clone() else { return };
        let Some(i) =
            (0..self.docs.len()).find(|&i| self.open(i) && self.docs[i].kind == "Namespace" && self.docs[i].name == ns)
        else {
            return;
        };
        let node = &self.docs[i].node;
        let l = labels(at(node, &["metadata", "labels"]));
        let l: Map<String, Value> = l
            .into_iter()
            .filter(|(k, _)| !k.starts_with("pod-security.kubernetes.io/"))
            .map(|(k, v)| (k, json!(v)))
            .collect();
        if !l.is_empty() {
            self.spec.insert("namespace_labels".into(), Value::Object(l));
        }
        let a = labels(at(node, &["metadata", "annotations"]));
        if !a.is_empty() {
            self.spec.insert("namespace_annotations".into(), json!(a));
        }
        self.settle(i, Fate::Native("Namespace".into(), ns));
    }

    fn storage_classes(&mut self) {
        let docs = self.docs;
        for i in self.cluster_kind("StorageClass") {
            let d = &docs[i];
            let mut sc = Map::new();
            let provisioner = d.str_at(&["provisioner"]).unwrap_or_default().to_string();
            let csi = IN_TREE.iter().find(|(old, _)| *old == provisioner).map(|(_, new)| *new);
            if let Some(new) = csi {
                let span = d.node.get("provisioner").map_or(d.span(), |n| n.span);
                self.warn(
                    span,
                    format!("{}.provisioner", d.key()),
                    format!(
                        "the in-tree {provisioner} plugin is removed from Kubernetes; written as its CSI driver {new}"
                    ),
                );
            }
            sc.insert("provisioner".into(), json!(csi.unwrap_or(&provisioner)));
            let params = labels(d.node.get("parameters"));
            if !params.is_empty() {
                sc.insert("parameters".into(), json!(params));
            }
            for (k, to) in [("reclaimPolicy", "reclaim"), ("volumeBindingMode", "binding")] {
                if let Some(v) = text(d.node.get(k)) {
                    sc.insert(to.into(), v);
                }
            }
            if let Some(v) = d.str_at(&["allowVolumeExpansion"]) {
                sc.insert("expansion".into(), json!(v == "true"));
            }
            let name = d.name.clone();
            self.section("storage_classes").insert(name.clone(), Value::Object(sc));
            self.settle(i, Fate::Native("StorageClass".into(), name));
        }
    }

    fn issuers(&mut self) {
        let docs = self.docs;
        for i in self.cluster_kind("ClusterIssuer") {
            let d = &docs[i];
            let Some(acme) = at(&d.node, &["spec", "acme"]) else { continue };
            let mut iss = Map::new();
            for k in ["email", "server"] {
                if let Some(v) = text(acme.get(k)) {
                    iss.insert(k.into(), v);
                }
            }
            for s in items(acme.get("solvers")) {
                if let Some(h) = s.get("http01") {
                    let class = at(h, &["ingress", "class"]).or(at(h, &["ingress", "ingressClassName"]));
                    iss.insert(
                        "http01".into(),
                        class.and_then(Node::as_str).map_or(json!({}), |c| json!({"class": c})),
                    );
                } else if let Some(cf) = at(s, &["dns01", "cloudflare"]) {
                    let mut m = Map::new();
                    if let Some(e) = text(cf.get("email")) {
                        m.insert("email".into(), e);
                    }
                    if let Some(r) = cf.get("apiTokenSecretRef") {
                        m.insert("secret".into(), text(r.get("name")).unwrap_or(Value::Null));
                        m.insert("key".into(), text(r.get("key")).unwrap_or(Value::Null));
                    }
                    iss.insert("cloudflare".into(), Value::Object(m));
                }
            }
            let name = d.name.clone();
            self.section("issuers").insert(name.clone(), Value::Object(iss));
            self.settle(i, Fate::Native("ClusterIssuer".into(), name));
        }
    }

    fn limit_range(&mut self) {
        let Some(i) = self.of_kind("LimitRange").into_iter().next() else { return };
        let Some(item) = items(at(&self.docs[i].node, &["spec", "limits"]))
            .iter()
            .find(|l| l.get("type").and_then(Node::as_str) == Some("Container"))
        else {
            return;
        };
        let mut m = Map::new();
        for (k, to) in [("default", "default"), ("defaultRequest", "default_request"), ("max", "max"), ("min", "min")] {
            let v = labels(item.get(k));
            if !v.is_empty() {
                m.insert(to.into(), json!(v));
            }
        }
        self.spec.insert("limits".into(), Value::Object(m));
        self.settle(i, Fate::Native("LimitRange".into(), "limits".into()));
    }

    /// ConfigMaps of the platform's namespace: one-line values as `data`, files under `files/`.
    fn configs(&mut self) {
        let docs = self.docs;
        for i in self.of_kind("ConfigMap") {
            let d = &docs[i];
            let name = d.name.clone();
            let (mut data, mut files) = (Map::new(), Map::new());
            for e in d.node.get("data").and_then(Node::entries).unwrap_or_default() {
                let v = e.value.as_str().unwrap_or_default();
                if v.contains('\n') {
                    let path = format!("files/{name}/{}", e.key);
                    self.copies.push((path.clone(), v.to_string()));
                    files.insert(e.key.clone(), json!({"from": path}));
                } else {
                    data.insert(e.key.clone(), json!(v));
                }
            }
            let mut cfg = Map::new();
            if !data.is_empty() {
                cfg.insert("data".into(), Value::Object(data));
            }
            if !files.is_empty() {
                cfg.insert("files".into(), Value::Object(files));
            }
            self.section("configs").insert(name.clone(), Value::Object(cfg));
            self.settle(i, Fate::Native("ConfigMap".into(), name));
        }
    }

    /// Secrets: their names and keys are recorded; their values are never copied.
    fn secrets_objects(&mut self) {
        let docs = self.docs;
        for i in self.of_kind("Secret") {
            let d = &docs[i];
            let name = d.name.clone();
            let mut keys = Vec::new();
            for k in ["data", "stringData"] {
                keys.extend(d.node.get(k).and_then(Node::entries).unwrap_or_default().iter().map(|e| e.key.clone()));
            }
            for k in &keys {
                self.secret(&name, Some(k));
            }
            let why = format!(
                "values are never copied: the cluster must hold Secret {name} with keys {} (genk8s secrets lists it where the platform reads it)",
                keys.join(", ")
            );
            self.settle(i, Fate::Reported(why));
        }
    }
}
