//! `deploy:` and the older `cpus`, `mem_limit`, `mem_reservation` and `scale` →
//! resources, replicas and GPUs.

use super::conv::{Conv, string_list};
use super::plan::Plan;
use super::values;
use crate::yaml::node::Entry;
use crate::yaml::{Node, NodeKind};
use serde_json::{Map, Value, json};

/// Requests given when Compose sets only a limit (lowered to the limit when it is smaller).
const DEFAULT_CPU_REQUEST: &str = "100m";
const DEFAULT_MEMORY_REQUEST: &str = "128Mi";

/// What `deploy:` and the older fields say.
#[derive(Default)]
pub(super) struct Deploy<'n> {
    pub(super) cpu: Option<String>,
    pub(super) memory: Option<String>,
    pub(super) replicas: Option<i64>,
    pub(super) gpu: Option<u64>,
    /// `deploy.labels`, which become annotations.
    pub(super) labels: Option<&'n Entry>,
}

impl Deploy<'_> {
    /// The genk8s `resources:` map, when cpu or memory is set.
    pub(super) fn resources(&self) -> Option<Value> {
        let mut res = Map::new();
        if let Some(c) = &self.cpu {
            res.insert("cpu".into(), json!(c));
        }
        if let Some(m) = &self.memory {
            res.insert("memory".into(), json!(m));
        }
        (!res.is_empty()).then_some(Value::Object(res))
    }
}

/// CPU and memory requests and limits as read so far: a later field wins.
#[derive(Default)]
struct Quantities {
    cpu_req: Option<String>,
    cpu_lim: Option<String>,
    mem_req: Option<String>,
    mem_lim: Option<String>,
}

impl Quantities {
    fn set(&mut self, cpu: bool, limit: bool, q: Option<String>) {
        let slot = match (cpu, limit) {
            (true, true) => &mut self.cpu_lim,
            (true, false) => &mut self.cpu_req,
            (false, true) => &mut self.mem_lim,
            (false, false) => &mut self.mem_req,
        };
        *slot = q.or(slot.take());
    }
}

impl Conv<'_> {
    /// `cpus`/`memory` limits and reservations (`deploy.resources` and the older fields),
    /// replicas and GPUs.
    pub(super) fn deploy<'n>(&mut self, p: &Plan<'n>) -> Deploy<'n> {
        let mut d = Deploy::default();
        let mut q = Quantities::default();
        for (key, is_cpu, is_limit) in
            [("cpus", true, true), ("mem_limit", false, true), ("mem_reservation", false, false)]
        {
            if let Some(n) = p.node.get(key) {
                let f = if is_cpu { values::cpu_quantity } else { values::memory_quantity };
                let v = self.quantity(n, p.path(key), f);
                q.set(is_cpu, is_limit, v);
            }
        }
        if let Some(n) = p.node.get("scale").and_then(Node::as_str) {
            d.replicas = n.parse().ok().filter(|r: &i64| *r >= 0);
        }
        if let Some(dep) = p.node.entry("deploy") {
            for e in dep.value.entries().unwrap_or_default() {
                let path = format!("{}.{}", p.path("deploy"), e.key);
                match e.key.as_str() {
                    "replicas" => match e.value.as_str().and_then(|s| s.parse::<i64>().ok()) {
                        Some(r) if r >= 0 => d.replicas = Some(r),
                        _ => self.warn(e.value.span, path, "replicas must be a whole number; ignored"),
                    },
                    "resources" => self.resources(&e.value, &path, &mut q, &mut d.gpu),
                    "labels" => d.labels = Some(e),
                    "mode" => {
                        if e.value.as_str() == Some("global") {
                            self.warn(e.key_span, path, "not converted: global mode runs one container per node; genk8s runs a Deployment (set replicas:)");
                        }
                    }
                    "placement" => self.warn(
                        e.key_span,
                        path,
                        "not converted: use node_selector: and tolerations: in the genk8s spec",
                    ),
                    "update_config" | "rollback_config" => self.warn(
                        e.key_span,
                        path,
                        "not converted: genk8s rolls out with maxSurge 25% and maxUnavailable 0 (see strategy:)",
                    ),
                    "restart_policy" => {
                        self.warn(e.key_span, path, "not converted: a Deployment always restarts its containers")
                    }
                    "endpoint_mode" => {
                        self.warn(e.key_span, path, "not converted: the Kubernetes Service balances over ready pods")
                    }
                    _ => self.warn(
                        e.key_span,
                        path,
                        "not converted: genk8s import knows replicas, resources, labels and mode only",
                    ),
                }
            }
        }
        d.cpu = request_limit(q.cpu_req, q.cpu_lim, DEFAULT_CPU_REQUEST);
        d.memory = request_limit(q.mem_req, q.mem_lim, DEFAULT_MEMORY_REQUEST);
        d
    }

    /// `deploy.resources`: `limits` and `reservations` of cpus, memory and (reserved) GPUs.
    fn resources(&mut self, n: &Node, path: &str, q: &mut Quantities, gpu: &mut Option<u64>) {
        for part in n.entries().unwrap_or_default() {
            let ppath = format!("{path}.{}", part.key);
            let limit = match part.key.as_str() {
                "limits" => true,
                "reservations" => false,
                _ => {
                    self.warn(part.key_span, ppath, "unknown resources field; ignored");
                    continue;
                }
            };
            for r in part.value.entries().unwrap_or_default() {
                let rpath = format!("{ppath}.{}", r.key);
                match r.key.as_str() {
                    "cpus" => {
                        let v = self.quantity(&r.value, rpath, values::cpu_quantity);
                        q.set(true, limit, v);
                    }
                    "memory" => {
                        let v = self.quantity(&r.value, rpath, values::memory_quantity);
                        q.set(false, limit, v);
                    }
                    "devices" if !limit => *gpu = self.gpus(&r.value, &rpath).or(*gpu),
                    "pids" => self.warn(r.key_span, rpath, "not converted: genk8s has no pid limit field"),
                    _ => self.warn(r.key_span, rpath, "not converted: genk8s sets cpu, memory and GPUs only"),
                }
            }
        }
    }

    /// A CPU or memory quantity in genk8s form; a value it cannot read is reported.
    fn quantity(&mut self, n: &Node, path: String, f: fn(&str) -> Option<String>) -> Option<String> {
        let text = n.as_str()?;
        let q = f(text);
        if q.is_none() {
            self.warn(n.span, path, format!("`{text}` is not a size genk8s import understands; ignored"));
        }
        q
    }

    /// `deploy.resources.reservations.devices` asking for NVIDIA GPUs.
    fn gpus(&mut self, n: &Node, path: &str) -> Option<u64> {
        let NodeKind::Seq(items) = &n.kind else { return None };
        let mut total = 0u64;
        for (i, item) in items.iter().enumerate() {
            let caps = string_list(item.get("capabilities"));
            let driver = item.get("driver").and_then(Node::as_str).unwrap_or("nvidia");
            if !caps.iter().any(|c| c == "gpu") || driver != "nvidia" {
                self.warn(
                    item.span,
                    format!("{path}[{i}]"),
                    "not converted: only NVIDIA GPUs (capabilities: [gpu]) map to gpu:",
                );
                continue;
            }
            match item.get("count").and_then(Node::as_str) {
                Some("all") => {
                    self.warn(item.span, format!("{path}[{i}]"), "`count: all` became gpu: 1 (Kubernetes requests a fixed number); raise it if the node has more");
                    total += 1;
                }
                Some(c) => total += c.parse::<u64>().unwrap_or(1),
                None => {
                    let ids = string_list(item.get("device_ids")).len() as u64;
                    total += ids.max(1);
                }
            }
        }
        (total > 0).then_some(total)
    }
}

/// Resource request and limit (`request/limit`), given either or both.
fn request_limit(req: Option<String>, lim: Option<String>, default_request: &str) -> Option<String> {
    let q = |s: &str| crate::quantity::parse(s).unwrap_or(0.0);
    match (req, lim) {
        (Some(r), Some(l)) if q(&r) <= q(&l) => Some(format!("{r}/{l}")),
        (Some(_), Some(l)) => Some(format!("{l}/{l}")),
        (Some(r), None) => Some(r),
        (None, Some(l)) => {
            let r = if q(default_request) <= q(&l) { default_request.to_string() } else { l.clone() };
            Some(format!("{r}/{l}"))
        }
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources() {
        assert_eq!(request_limit(Some("250m".into()), Some("1".into()), "100m").as_deref(), Some("250m/1"));
        assert_eq!(request_limit(None, Some("2".into()), "100m").as_deref(), Some("100m/2"));
        assert_eq!(request_limit(None, Some("50m".into()), "100m").as_deref(), Some("50m/50m"));
        assert_eq!(request_limit(Some("2".into()), Some("1".into()), "100m").as_deref(), Some("1/1"));
        assert_eq!(request_limit(Some("64Mi".into()), None, "128Mi").as_deref(), Some("64Mi"));
    }
}
