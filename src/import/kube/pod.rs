//! The pod of a service: user and group, mounts from ConfigMaps, Secrets and
//! claims, emptyDirs, scheduling, service account and pull secrets.

use super::read::{Doc, at};
use super::recognise::{Fate, Rec, int, items, labels, text};
use crate::yaml::Node;
use serde_json::{Map, Value, json};

impl Rec<'_> {
    pub fn pod(&mut self, d: &Doc, c: &Node, name: &str, svc: &mut Map<String, Value>) {
        let Some(spec) = at(&d.node, &["spec", "template", "spec"]) else { return };
        for (k, to) in [("runAsUser", "run_as_user"), ("runAsGroup", "run_as_group"), ("fsGroup", "fs_group")] {
            let v = int(at(c, &["securityContext", k])).or_else(|| int(at(spec, &["securityContext", k])));
            if let Some(v) = v.filter(|v| *v > 0) {
                svc.insert(to.into(), json!(v));
            }
        }
        self.volumes(spec, c, name, svc);
        let ns = labels(spec.get("nodeSelector"));
        if !ns.is_empty() {
            svc.insert("node_selector".into(), json!(ns));
        }
        if let Some(t) = spec.get("tolerations") {
            svc.insert("tolerations".into(), crate::patch::value(t));
        }
        let pulls: Vec<Value> =
            items(spec.get("imagePullSecrets")).iter().filter_map(|s| text(s.get("name"))).collect();
        if !pulls.is_empty() {
            svc.insert("image_pull_secrets".into(), Value::Array(pulls));
        }
        if let Some(sa) = spec.get("serviceAccountName").and_then(Node::as_str) {
            self.service_account(sa, svc);
        }
        if let Some(g) = int(spec.get("terminationGracePeriodSeconds")) {
            svc.insert("shutdown".into(), json!({"grace": g}));
        }
    }

    /// `serviceAccountName`: created by the spec when the input holds the ServiceAccount.
    fn service_account(&mut self, sa: &str, svc: &mut Map<String, Value>) {
        let found = self.of_kind("ServiceAccount").into_iter().find(|&j| self.docs[j].name == sa);
        match found {
            Some(j) => {
                let mut m = Map::new();
                m.insert("name".into(), json!(sa));
                m.insert("create".into(), json!(true));
                let ann = labels(at(&self.docs[j].node, &["metadata", "annotations"]));
                if !ann.is_empty() {
                    m.insert("annotations".into(), json!(ann));
                }
                svc.insert("service_account".into(), Value::Object(m));
                self.settle(j, Fate::Native("ServiceAccount".into(), sa.to_string()));
            }
            None => {
                svc.insert("service_account".into(), json!(sa));
            }
        }
    }

    /// Mounts of the main container, by the volume they mount.
    fn volumes(&mut self, spec: &Node, c: &Node, name: &str, svc: &mut Map<String, Value>) {
        let (mut mounts, mut claims, mut writable) = (Map::new(), Map::new(), Vec::new());
        for m in items(c.get("volumeMounts")) {
            let (Some(vname), Some(path)) =
                (m.get("name").and_then(Node::as_str), m.get("mountPath").and_then(Node::as_str))
            else {
                continue;
            };
            if m.get("subPath").is_some() || path == "/tmp" {
                continue;
            }
            let Some(v) =
                items(spec.get("volumes")).iter().find(|v| v.get("name").and_then(Node::as_str) == Some(vname))
            else {
                continue;
            };
            if let Some(cm) = at(v, &["configMap", "name"]).and_then(Node::as_str) {
                if !self.has_config(cm) {
                    continue;
                }
                mounts.insert(path.into(), json!({"config": cm}));
            } else if let Some(s) = at(v, &["secret", "secretName"]).and_then(Node::as_str) {
                self.secret(s, None);
                mounts.insert(path.into(), json!({"secret": s}));
            } else if v.get("emptyDir").is_some() {
                writable.push(json!(path));
            } else if let Some(claim) = at(v, &["persistentVolumeClaim", "claimName"]).and_then(Node::as_str) {
                let vol = self.claim(claim, name, vname, path);
                claims.insert(crate::import::values::dns_label(vname, 20), vol);
            }
        }
        for (k, m) in
            [("mounts", Value::Object(mounts)), ("volumes", Value::Object(claims)), ("writable", json!(writable))]
        {
            let empty = m.as_object().is_some_and(Map::is_empty) || m.as_array().is_some_and(Vec::is_empty);
            if !empty {
                svc.insert(k.into(), m);
            }
        }
    }

    /// A claim a service mounts, from the input's PersistentVolumeClaim when it has one.
    fn claim(&mut self, claim: &str, svc: &str, vname: &str, path: &str) -> Value {
        let mut v = Map::new();
        v.insert("path".into(), json!(path));
        let found = self.of_kind("PersistentVolumeClaim").into_iter().find(|&j| self.docs[j].name == claim);
        let size = found.and_then(|j| at(&self.docs[j].node, &["spec", "resources", "requests", "storage"]));
        v.insert("size".into(), json!(size.and_then(Node::as_str).unwrap_or("1Gi")));
        if let Some(j) = found {
            let spec = at(&self.docs[j].node, &["spec"]);
            if let Some(class) = spec.and_then(|s| text(s.get("storageClassName"))) {
                v.insert("class".into(), class);
            }
            if let Some(mode) = spec.and_then(|s| items(s.get("accessModes")).first()).and_then(Node::as_str) {
                v.insert("access".into(), json!(mode));
            }
            let label = crate::import::values::dns_label(vname, 20);
            self.settle(j, Fate::Native("PersistentVolumeClaim".into(), format!("{svc}-{label}")));
        }
        Value::Object(v)
    }
}
