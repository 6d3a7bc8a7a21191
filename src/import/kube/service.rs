//! A Deployment as a genk8s service: its main container (image, command, env,
//! resources, probes, ports), its pod (user, mounts, scheduling), and the objects
//! that select it (Service, HorizontalPodAutoscaler, PodDisruptionBudget, Ingress,
//! ServiceMonitor) folded into the same entry.

use super::read::{Doc, at};
use super::recognise::{Fate, Rec, int, items, labels, pod_labels, strings, subset, text, tool_label};
use crate::import::values::dns_label;
use crate::yaml::Node;
use serde_json::{Map, Value, json};

/// A container port and the name genk8s gives it.
pub struct Port {
    pub name: String,
    pub number: u16,
}

impl Rec<'_> {
    /// Every Deployment not taken as a database becomes a service.
    pub fn services(&mut self) {
        for i in self.of_kind("Deployment") {
            let name = dns_label(&self.docs[i].name, 52);
            let labels = pod_labels(&self.docs[i]);
            self.workloads.push((name, labels));
        }
        for i in self.of_kind("Deployment") {
            let svc = self.service(i);
            let name = dns_label(&self.docs[i].name, 52);
            self.section("services").insert(name.clone(), Value::Object(svc));
            self.settle(i, Fate::Native("Deployment".into(), name));
        }
        let service_of = self.service_of.clone();
        self.ingresses(&service_of);
    }

    /// The main container: the one named as the workload, else the first.
    pub fn main_container<'n>(&self, d: &'n Doc) -> Option<&'n Node> {
        let containers = items(at(&d.node, &["spec", "template", "spec", "containers"]));
        containers.iter().find(|c| c.get("name").and_then(Node::as_str) == Some(&d.name)).or(containers.first())
    }

    fn service(&mut self, i: usize) -> Map<String, Value> {
        let d = &self.docs[i];
        let name = dns_label(&d.name, 52);
        let mut svc = Map::new();
        let Some(c) = self.main_container(d) else {
            self.warn(d.span(), d.key(), "a Deployment without containers");
            svc.insert("image".into(), json!("placeholder.invalid/none:0"));
            return svc;
        };
        for (from, to) in [("image", "image"), ("command", "command"), ("args", "args")] {
            if let Some(v) = c.get(from) {
                svc.insert(to.into(), crate::patch::value(v));
            }
        }
        if let Some(comp) = d.str_at(&["metadata", "labels", "app.kubernetes.io/component"]) {
            svc.insert("component".into(), json!(comp));
        }
        if let Some(r) = int(at(&d.node, &["spec", "replicas"])) {
            svc.insert("replicas".into(), json!(r));
        }
        if let Some(m) = migration(d, c) {
            svc.insert("migrate".into(), m);
        }
        let ports = self.ports(i, c, &name, &mut svc);
        self.container(c, &ports, &mut svc);
        self.pod(d, c, &name, &mut svc);
        self.metadata(d, &mut svc);
        self.autoscaler(&name, d, &mut svc);
        self.budget(&name, d, &mut svc);
        self.monitor(&name, d, &ports, &mut svc);
        svc
    }

    /// Container ports, named, and the Service that selects the pods.
    fn ports(&mut self, i: usize, c: &Node, name: &str, svc: &mut Map<String, Value>) -> Vec<Port> {
        let pod = pod_labels(&self.docs[i]);
        let service = self.of_kind("Service").into_iter().find(|&j| {
            let sel = labels(at(&self.docs[j].node, &["spec", "selector"]));
            !sel.is_empty() && subset(&sel, &pod)
        });
        let svc_ports: Vec<&Node> =
            service.map(|j| items(at(&self.docs[j].node, &["spec", "ports"])).iter().collect()).unwrap_or_default();
        let declared = items(c.get("ports"));
        let mut ports = Vec::new();
        let mut spec_ports = Map::new();
        for (k, p) in declared.iter().enumerate() {
            let Some(number) = int(p.get("containerPort")).and_then(|n| u16::try_from(n).ok()) else { continue };
            let exposed = svc_ports.iter().find(|sp| target_number(sp, p) == Some(number));
            let pname = p
                .get("name")
                .and_then(Node::as_str)
                .or_else(|| exposed.and_then(|sp| sp.get("name")).and_then(Node::as_str))
                .map(|n| dns_label(n, 15))
                .unwrap_or_else(|| if k == 0 { "http".into() } else { format!("port-{number}") });
            let service_port = exposed.and_then(|sp| int(sp.get("port")));
            let entry = match service_port {
                Some(sp) if sp != i64::from(number) => json!({"container": number, "service": sp}),
                _ => json!(number),
            };
            spec_ports.insert(pname.clone(), entry);
            ports.push(Port { name: pname, number });
        }
        for sp in &svc_ports {
            // A Service targets a port the container does not declare: the app listens there.
            let Some(number) = int(sp.get("targetPort").or(sp.get("port"))).and_then(|n| u16::try_from(n).ok()) else {
                continue;
            };
            if ports.iter().any(|p: &Port| p.number == number) {
                continue;
            }
            let pname = sp.get("name").and_then(Node::as_str).map_or_else(
                || if ports.is_empty() { "http".to_string() } else { format!("port-{number}") },
                |n| dns_label(n, 15),
            );
            let service_port = int(sp.get("port")).filter(|p| *p != i64::from(number));
            spec_ports.insert(
                pname.clone(),
                service_port.map_or(json!(number), |p| json!({"container": number, "service": p})),
            );
            ports.push(Port { name: pname, number });
        }
        if !spec_ports.is_empty() {
            svc.insert("ports".into(), Value::Object(spec_ports));
        }
        if let Some(j) = service {
            let sname = self.docs[j].name.clone();
            if sname != name {
                svc.insert("service_name".into(), json!(sname));
            }
            self.service_of.insert(sname.clone(), name.to_string());
            self.settle(j, Fate::Native("Service".into(), sname));
        }
        ports
    }

    /// Env, env_from, resources and probes of the main container.
    fn container(&mut self, c: &Node, ports: &[Port], svc: &mut Map<String, Value>) {
        let env = self.env(c.get("env"));
        if !env.is_empty() {
            svc.insert("env".into(), Value::Object(env));
        }
        let from = self.env_from(c.get("envFrom"));
        if !from.is_empty() {
            svc.insert("env_from".into(), Value::Array(from));
        }
        if let Some(r) = resources(c.get("resources")) {
            svc.insert("resources".into(), r);
        }
        let mut probes = Map::new();
        for (k, to) in [("livenessProbe", "liveness"), ("readinessProbe", "readiness"), ("startupProbe", "startup")] {
            if let Some(p) = c.get(k).and_then(|p| probe(p, ports)) {
                probes.insert(to.into(), p);
            }
        }
        if !probes.is_empty() {
            svc.insert("probes".into(), Value::Object(probes));
        }
    }

    /// `env:` entries: literals and references (Secrets by name and key, never values).
    pub fn env(&mut self, env: Option<&Node>) -> Map<String, Value> {
        let mut out = Map::new();
        for e in items(env) {
            let Some(name) = e.get("name").and_then(Node::as_str) else { continue };
            let v = if let Some(v) = e.get("value") {
                json!(v.as_str().unwrap_or_default())
            } else if let Some(r) = at(e, &["valueFrom", "secretKeyRef"]) {
                let (s, k) = (r.get("name").and_then(Node::as_str), r.get("key").and_then(Node::as_str));
                let (Some(s), Some(k)) = (s, k) else { continue };
                self.secret(s, Some(k));
                json!({"secret": s, "key": k})
            } else if let Some(r) = at(e, &["valueFrom", "configMapKeyRef"])
                && r.get("name").and_then(Node::as_str).is_some_and(|c| self.has_config(c))
            {
                json!({"config": text(r.get("name")), "key": text(r.get("key"))})
            } else if let Some(f) = at(e, &["valueFrom", "fieldRef", "fieldPath"]).and_then(Node::as_str) {
                json!({"field": f})
            } else {
                continue;
            };
            out.insert(name.to_string(), v);
        }
        out
    }

    fn env_from(&mut self, n: Option<&Node>) -> Vec<Value> {
        let mut out = Vec::new();
        for e in items(n) {
            if let Some(c) = at(e, &["configMapRef", "name"]).and_then(Node::as_str) {
                if !self.has_config(c) {
                    continue;
                }
                out.push(json!({"config": c}));
            } else if let Some(s) = at(e, &["secretRef", "name"]).and_then(Node::as_str) {
                self.secret(s, None);
                out.push(json!({"secret": s}));
            }
        }
        out
    }

    /// Labels and annotations genk8s does not write itself.
    fn metadata(&mut self, d: &Doc, svc: &mut Map<String, Value>) {
        for (path, key) in [
            (&["metadata", "labels"][..], "labels"),
            (&["metadata", "annotations"][..], "annotations"),
            (&["spec", "template", "metadata", "labels"][..], "pod_labels"),
            (&["spec", "template", "metadata", "annotations"][..], "pod_annotations"),
        ] {
            let m: Map<String, Value> = labels(at(&d.node, path))
                .into_iter()
                .filter(|(k, _)| !tool_label(k) && !k.starts_with("checksum/") && !k.starts_with("meta.helm.sh/"))
                .map(|(k, v)| (k, json!(v)))
                .collect();
            if !m.is_empty() {
                svc.insert(key.into(), Value::Object(m));
            }
        }
    }

    fn autoscaler(&mut self, name: &str, d: &Doc, svc: &mut Map<String, Value>) {
        let Some(j) = self.of_kind("HorizontalPodAutoscaler").into_iter().find(|&j| {
            let h = &self.docs[j];
            h.str_at(&["spec", "scaleTargetRef", "name"]) == Some(&d.name)
        }) else {
            return;
        };
        let spec = at(&self.docs[j].node, &["spec"]);
        let mut a = Map::new();
        a.insert("min".into(), json!(int(spec.and_then(|s| s.get("minReplicas"))).unwrap_or(1)));
        a.insert("max".into(), json!(int(spec.and_then(|s| s.get("maxReplicas"))).unwrap_or(1)));
        let mut pods = Map::new();
        for m in items(spec.and_then(|s| s.get("metrics"))) {
            match m.get("type").and_then(Node::as_str) {
                Some("Resource") => {
                    let rname = at(m, &["resource", "name"]).and_then(Node::as_str).unwrap_or_default();
                    if let Some(u) = int(at(m, &["resource", "target", "averageUtilization"])) {
                        a.insert(rname.to_string(), json!(u));
                    }
                }
                Some("Pods") => {
                    let mname = at(m, &["pods", "metric", "name"]).and_then(Node::as_str).unwrap_or_default();
                    if let Some(v) = at(m, &["pods", "target", "averageValue"]).and_then(Node::as_str) {
                        pods.insert(mname.to_string(), json!(v));
                    }
                }
                _ => {}
            }
        }
        if !pods.is_empty() {
            a.insert("pods".into(), Value::Object(pods));
        }
        for (k, to) in [("scaleUp", "scale_up"), ("scaleDown", "scale_down")] {
            if let Some(b) = spec.and_then(|s| at(s, &["behavior", k])) {
                a.insert(to.into(), scale_rules(b));
            }
        }
        svc.insert("autoscale".into(), Value::Object(a));
        self.settle(j, Fate::Native("HorizontalPodAutoscaler".into(), name.to_string()));
    }

    fn budget(&mut self, name: &str, d: &Doc, svc: &mut Map<String, Value>) {
        let pod = pod_labels(d);
        let Some(j) = self.of_kind("PodDisruptionBudget").into_iter().find(|&j| {
            let sel = labels(at(&self.docs[j].node, &["spec", "selector", "matchLabels"]));
            !sel.is_empty() && subset(&sel, &pod)
        }) else {
            return;
        };
        let spec = at(&self.docs[j].node, &["spec"]);
        let mut p = Map::new();
        for (k, to) in [("minAvailable", "min_available"), ("maxUnavailable", "max_unavailable")] {
            if let Some(v) = spec.and_then(|s| s.get(k)).and_then(Node::as_str) {
                p.insert(to.into(), json!(v));
            }
        }
        svc.insert("pdb".into(), Value::Object(p));
        self.settle(j, Fate::Native("PodDisruptionBudget".into(), name.to_string()));
    }

    fn monitor(&mut self, name: &str, d: &Doc, ports: &[Port], svc: &mut Map<String, Value>) {
        let pod = pod_labels(d);
        let Some(j) = self.of_kind("ServiceMonitor").into_iter().find(|&j| {
            let sel = labels(at(&self.docs[j].node, &["spec", "selector", "matchLabels"]));
            !sel.is_empty() && subset(&sel, &pod)
        }) else {
            return;
        };
        let ep = items(at(&self.docs[j].node, &["spec", "endpoints"])).first();
        let mut m = Map::new();
        if let Some(port) = ep.and_then(|e| e.get("port")).and_then(Node::as_str)
            && ports.iter().any(|p| p.name == port)
        {
            m.insert("port".into(), json!(port));
        }
        for k in ["path", "interval"] {
            if let Some(v) = ep.and_then(|e| text(e.get(k))) {
                m.insert(k.into(), v);
            }
        }
        svc.insert("metrics".into(), Value::Object(m));
        self.settle(j, Fate::Native("ServiceMonitor".into(), name.to_string()));
    }
}

/// The first migration init container as `migrate:` (its image only when it is not the app's).
fn migration(d: &Doc, main: &Node) -> Option<Value> {
    let inits = items(at(&d.node, &["spec", "template", "spec", "initContainers"]));
    let m = inits.iter().find(|c| c.get("name").and_then(Node::as_str).is_some_and(super::residue::is_migration))?;
    let mut command = strings(m.get("command")).unwrap_or_default();
    command.extend(strings(m.get("args")).unwrap_or_default());
    if command.is_empty() {
        return None;
    }
    let mut out = Map::new();
    out.insert("command".into(), json!(command));
    let image = m.get("image").and_then(Node::as_str);
    if image.is_some() && image != main.get("image").and_then(Node::as_str) {
        out.insert("image".into(), json!(image));
    }
    Some(Value::Object(out))
}

/// The container port a Service port targets (by number or by the container port's name).
fn target_number(sp: &Node, container_port: &Node) -> Option<u16> {
    let target = sp.get("targetPort").or(sp.get("port"))?.as_str()?;
    let number = int(container_port.get("containerPort")).and_then(|n| u16::try_from(n).ok())?;
    let named = container_port.get("name").and_then(Node::as_str) == Some(target);
    (named || target.parse::<u16>().ok() == Some(number)).then_some(number)
}

/// `resources:` as `cpu: request/limit`, `memory: request/limit`.
pub fn resources(r: Option<&Node>) -> Option<Value> {
    let r = r?;
    let mut out = Map::new();
    for k in ["cpu", "memory"] {
        let req = at(r, &["requests", k]).and_then(Node::as_str);
        let lim = at(r, &["limits", k]).and_then(Node::as_str);
        let v = match (req, lim) {
            (Some(a), Some(b)) => format!("{a}/{b}"),
            (Some(a), None) => a.to_string(),
            (None, Some(b)) => format!("{b}/{b}"),
            (None, None) => continue,
        };
        out.insert(k.into(), json!(v));
    }
    (!out.is_empty()).then_some(Value::Object(out))
}

/// A probe in the spec's shape (http path, tcp port name or exec command, and timings).
fn probe(p: &Node, ports: &[Port]) -> Option<Value> {
    let port_name = |n: Option<&Node>| -> Option<String> {
        let t = n?.as_str()?;
        ports.iter().find(|p| p.name == t || t.parse::<u16>().ok() == Some(p.number)).map(|p| p.name.clone())
    };
    let mut out = Map::new();
    if let Some(h) = p.get("httpGet") {
        out.insert("http".into(), json!(h.get("path").and_then(Node::as_str).unwrap_or("/")));
        let port = port_name(h.get("port"))?;
        if ports.first().is_none_or(|f| f.name != port) {
            out.insert("port".into(), json!(port));
        }
        let headers: Map<String, Value> = items(h.get("httpHeaders"))
            .iter()
            .filter_map(|x| Some((x.get("name")?.as_str()?.to_string(), json!(x.get("value")?.as_str()?))))
            .collect();
        if !headers.is_empty() {
            out.insert("headers".into(), Value::Object(headers));
        }
    } else if let Some(t) = p.get("tcpSocket") {
        out.insert("tcp".into(), json!(port_name(t.get("port"))?));
    } else if let Some(cmd) = strings(at(p, &["exec", "command"])) {
        out.insert("exec".into(), json!(cmd));
    } else {
        return None;
    }
    for (k, to) in [
        ("initialDelaySeconds", "initial_delay"),
        ("periodSeconds", "period"),
        ("timeoutSeconds", "timeout"),
        ("failureThreshold", "failure_threshold"),
        ("successThreshold", "success_threshold"),
    ] {
        if let Some(v) = int(p.get(k)) {
            out.insert(to.into(), json!(v));
        }
    }
    Some(Value::Object(out))
}

/// An HPA behavior (`scaleUp`/`scaleDown`) as `{window, select, policies}`.
fn scale_rules(b: &Node) -> Value {
    let mut out = Map::new();
    if let Some(w) = int(b.get("stabilizationWindowSeconds")) {
        out.insert("window".into(), json!(w));
    }
    if let Some(s) = text(b.get("selectPolicy")) {
        out.insert("select".into(), s);
    }
    let policies: Vec<Value> = items(b.get("policies"))
        .iter()
        .filter_map(|p| {
            let kind = match p.get("type").and_then(Node::as_str)? {
                "Percent" => "percent",
                "Pods" => "pods",
                _ => return None,
            };
            Some(json!({kind: int(p.get("value"))?, "period": int(p.get("periodSeconds"))?}))
        })
        .collect();
    if !policies.is_empty() {
        out.insert("policies".into(), Value::Array(policies));
    }
    Value::Object(out)
}
