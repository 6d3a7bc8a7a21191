//! Workloads running a catalog engine's image (postgres, mongo, redis, qdrant, …)
//! as genk8s databases: engine, version, storage, resources, credentials.

use super::read::{Doc, at};
use super::recognise::{Fate, Rec, int, items, labels, pod_labels, subset};
use super::service::resources;
use crate::import::values::{dns_label, engine_for, parse_image, vendor_engine};
use crate::yaml::Node;
use serde_json::{Map, Value, json};

/// Env variables whose Secret is the engine's credentials Secret.
const PASSWORD_VARS: &[&str] = &["POSTGRES_PASSWORD", "MONGO_INITDB_ROOT_PASSWORD", "MYSQL_PASSWORD", "REDIS_PASSWORD"];

impl Rec<'_> {
    /// StatefulSets and Deployments of catalog engine images become databases.
    pub fn databases(&mut self) {
        let catalog = crate::catalog::Catalog::load(std::path::Path::new("/nonexistent")).ok();
        for kind in ["StatefulSet", "Deployment"] {
            for i in self.of_kind(kind) {
                let d = &self.docs[i];
                let Some(image) = self.main_container(d).and_then(|c| c.get("image")).and_then(Node::as_str) else {
                    continue;
                };
                let r = parse_image(image);
                let official = engine_for(&r.repo);
                let engine = official.or(vendor_engine(&r.repo)).filter(|e| catalog.as_ref().is_some_and(|c| c.has(e)));
                let Some(engine) = engine else { continue };
                let db = self.database(i, engine, official.is_none());
                let name = dns_label(&self.docs[i].name, 52);
                self.workloads.push((name.clone(), pod_labels(&self.docs[i])));
                self.section("databases").insert(name.clone(), Value::Object(db));
                let fate = if kind == "StatefulSet" {
                    Fate::Native("StatefulSet".into(), name)
                } else {
                    Fate::Derived(format!(
                        "database `{name}` runs as StatefulSet {name} with the {engine} engine's pod"
                    ))
                };
                self.settle(i, fate);
            }
        }
    }

    fn database(&mut self, i: usize, engine: &str, vendor: bool) -> Map<String, Value> {
        let d = &self.docs[i];
        let name = dns_label(&d.name, 52);
        let c = self.main_container(d).expect("checked by the caller");
        let image = c.get("image").and_then(Node::as_str).unwrap_or_default();
        let mut db = Map::new();
        db.insert("engine".into(), json!(engine));
        if vendor {
            db.insert("image".into(), json!(image));
        } else if let Some(tag) = parse_image(image).tag {
            db.insert("version".into(), json!(tag));
        }
        if let Some(r) = resources(c.get("resources")) {
            db.insert("resources".into(), r);
        }
        for e in items(c.get("env")) {
            let var = e.get("name").and_then(Node::as_str).unwrap_or_default();
            if let Some(s) = at(e, &["valueFrom", "secretKeyRef", "name"]).and_then(Node::as_str) {
                self.secret(s, at(e, &["valueFrom", "secretKeyRef", "key"]).and_then(Node::as_str));
                if PASSWORD_VARS.contains(&var) && s != format!("{name}-credentials") {
                    db.insert("credentials".into(), json!(s));
                }
            } else if matches!(var, "POSTGRES_DB" | "MONGO_INITDB_DATABASE" | "MYSQL_DATABASE")
                && let Some(v) = e.get("value").and_then(Node::as_str)
            {
                db.insert("database".into(), json!(v));
            }
        }
        if let Some(storage) = self.storage(d, c, &name) {
            db.insert("storage".into(), storage);
        }
        let pod = pod_labels(d);
        if let Some(j) = self.of_kind("Service").into_iter().find(|&j| {
            let sel = labels(at(&self.docs[j].node, &["spec", "selector"]));
            !sel.is_empty() && subset(&sel, &pod) && self.docs[j].str_at(&["spec", "clusterIP"]) != Some("None")
        }) {
            let sname = self.docs[j].name.clone();
            if sname != name {
                db.insert("service_name".into(), json!(sname));
            }
            self.service_of.insert(sname.clone(), name.clone());
            self.settle(j, Fate::Native("Service".into(), sname));
        }
        if let Some(r) = int(at(&d.node, &["spec", "replicas"])).filter(|r| *r > 1) {
            self.warn(d.span(), format!("{}.spec.replicas", d.key()), format!("{r} replicas of {engine} would be unreplicated copies; the database runs one (use an operator for replication)"));
        }
        db
    }

    /// The data volume: a volumeClaimTemplate, or the claim the pod mounts.
    fn storage(&mut self, d: &Doc, c: &Node, db: &str) -> Option<Value> {
        let template = items(at(&d.node, &["spec", "volumeClaimTemplates"])).first();
        let spec = match template {
            Some(t) => t.get("spec"),
            None => {
                let vols = items(at(&d.node, &["spec", "template", "spec", "volumes"]));
                let claim = items(c.get("volumeMounts")).iter().find_map(|m| {
                    let v = vols.iter().find(|v| v.get("name").map(Node::as_str) == m.get("name").map(Node::as_str))?;
                    at(v, &["persistentVolumeClaim", "claimName"]).and_then(Node::as_str)
                })?;
                let j = self.of_kind("PersistentVolumeClaim").into_iter().find(|&j| self.docs[j].name == claim)?;
                self.settle(
                    j,
                    Fate::Derived(format!(
                        "the data volume of database `{db}` (a volumeClaimTemplate of its StatefulSet)"
                    )),
                );
                at(&self.docs[j].node, &["spec"])
            }
        }?;
        let mut s = Map::new();
        if let Some(size) = at(spec, &["resources", "requests", "storage"]).and_then(Node::as_str) {
            s.insert("size".into(), json!(size));
        }
        if let Some(class) = spec.get("storageClassName").and_then(Node::as_str) {
            s.insert("class".into(), json!(class));
        }
        (!s.is_empty()).then_some(Value::Object(s))
    }

    /// CronJobs running an engine's dump tool against a database become its `backup:`.
    pub fn backups(&mut self) {
        for i in self.of_kind("CronJob") {
            let d = &self.docs[i];
            let Some(schedule) = d.str_at(&["spec", "schedule"]).map(str::to_string) else { continue };
            let containers = items(at(&d.node, &["spec", "jobTemplate", "spec", "template", "spec", "containers"]));
            let script: String = containers
                .iter()
                .flat_map(|c| items(c.get("command")).iter().chain(items(c.get("args"))))
                .filter_map(Node::as_str)
                .collect::<Vec<_>>()
                .join(" ");
            if !["pg_dump", "mongodump", "redis-cli"].iter().any(|t| script.contains(t)) {
                continue;
            }
            let target = self
                .service_of
                .iter()
                .find(|(svc, _)| script.split(|c: char| c.is_whitespace() || c == '=').any(|w| w == svc.as_str()));
            let Some((_, db)) = target.map(|(s, db)| (s.clone(), db.clone())) else { continue };
            let Some(Value::Object(entry)) = self.section("databases").get_mut(&db) else { continue };
            entry.insert("backup".into(), json!({"schedule": schedule}));
            self.settle(
                i,
                Fate::Derived(format!(
                    "the backup of database `{db}`: CronJob {db}-backup with the engine's dump tool"
                )),
            );
        }
    }
}
