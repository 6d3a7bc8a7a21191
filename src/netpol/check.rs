//! Checks that the emitted NetworkPolicies allow what the spec asks for, run by `lint`:
//!
//! - GK015: every `uses` path (and each migration Job's and backup's path to its database);
//! - GK016: DNS for every pod;
//! - GK017: each Ingress route from the ingress controller (any address for an ALB), and each
//!   ServiceMonitor's port from the monitoring namespace;
//! - GK018: every host:port that a service's own configuration names (env values, the config
//!   data it reads, `*_HOST`/`*_PORT` pairs), reported at the value with the fix.

pub use super::finding::Finding;
use super::finding::pods_of;
use super::paths::{DNS_PORTS, dns, ingress_source, routes};
use super::{Cluster, Peer, Pod, Port, outside_namespaces};
use crate::expand::Object;
use crate::validate::Valid;
use serde_json::Value;

/// Every check on the objects of one environment.
pub fn check(v: &Valid, objects: &[Object]) -> Vec<Finding> {
    let c = Cluster::from_objects(objects);
    let mut out = Vec::new();
    uses(v, &c, &mut out);
    dns_for_every_pod(&c, &mut out);
    exposure(v, &c, &mut out);
    metrics(v, &c, objects, &mut out);
    configured_endpoints(v, &c, &mut out);
    out
}

/// The ports of Service `name` that `from` cannot reach (for a Service without ports, `port`).
fn blocked(c: &Cluster, from: &Pod, ns: &str, name: &str, port: Option<u16>) -> Vec<u16> {
    let Some(s) = c.service(ns, name) else { return Vec::new() };
    let ports: Vec<u16> =
        if s.ports.is_empty() { port.into_iter().collect() } else { s.ports.iter().map(|p| p.port).collect() };
    let peer = Peer::Pod(from.pod.clone());
    ports.into_iter().filter(|p| c.reaches_service(&peer, ns, name, *p) != Some(true)).collect()
}

fn uses(v: &Valid, c: &Cluster, out: &mut Vec<Finding>) {
    let spec = &v.spec;
    let db_port = |d: &str| {
        let db = spec.databases.get(d)?;
        Some(db.external.as_ref().and_then(|x| x.port).unwrap_or(v.engines.get(d)?.port.number))
    };
    let mut asks: Vec<(String, String)> = Vec::new();
    for (name, svc) in &spec.services {
        asks.extend(svc.uses.iter().map(|u| (name.clone(), u.clone())));
        // README: the migration Job `<svc>-migrate-…` reaches the databases its service uses.
        let dbs = svc.uses.iter().filter(|u| spec.databases.contains_key(*u));
        asks.extend(dbs.map(|u| (format!("{name}-migrate"), u.clone())));
    }
    // README: the backup CronJob `<db>-backup` connects to its database.
    asks.extend(
        spec.databases.iter().filter(|(_, d)| d.backup.is_some()).map(|(n, _)| (format!("{n}-backup"), n.clone())),
    );
    for (from, to) in asks {
        for pod in pods_of(c, &from) {
            let ports = blocked(c, pod, &v.namespace, &to, db_port(&to));
            if !ports.is_empty() {
                out.push(Finding {
                    workload: from.clone(),
                    object: pod.object.clone(),
                    rule: "GK015",
                    message: format!(
                        "{from} uses {to}, but the NetworkPolicies block {from} → Service {to} on port(s) {}",
                        join(&ports)
                    ),
                });
            }
        }
    }
}

fn join(ports: &[u16]) -> String {
    ports.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")
}

fn dns_for_every_pod(c: &Cluster, out: &mut Vec<Finding>) {
    for pod in &c.pods {
        let from = Peer::Pod(pod.pod.clone());
        let missing: Vec<String> =
            DNS_PORTS.iter().filter(|p| !c.allows(&from, &dns(), **p)).map(Port::to_string).collect();
        if !missing.is_empty() {
            out.push(Finding {
                workload: pod.workload.clone(),
                object: pod.object.clone(),
                rule: "GK016",
                message: format!(
                    "no DNS: the NetworkPolicies block {} to kube-dns in kube-system",
                    missing.join(" and ")
                ),
            });
        }
    }
}

fn exposure(v: &Valid, c: &Cluster, out: &mut Vec<Finding>) {
    let (controller, _) = outside_namespaces(v);
    for ing in &c.ingresses {
        let ns = ing.metadata.namespace.as_deref().unwrap_or("default");
        let name = ing.metadata.name.clone().unwrap_or_default();
        let source = ingress_source(ing, &controller);
        for (host, _, b) in routes(ing) {
            let Some(port) = c.backend_port(ns, &b) else { continue };
            if c.reaches_service(&source, ns, &b.name, port) != Some(true) {
                let from = match source {
                    Peer::Internet => "the load balancer (any address)".to_string(),
                    _ => format!("the ingress controller's namespace {controller}"),
                };
                out.push(Finding {
                    workload: b.name.clone(),
                    object: format!("Ingress/{name}"),
                    rule: "GK017",
                    message: format!("{host} routes to Service {}:{port}, which {from} cannot reach", b.name),
                });
            }
        }
    }
}

fn metrics(v: &Valid, c: &Cluster, objects: &[Object], out: &mut Vec<Finding>) {
    let (_, monitoring) = outside_namespaces(v);
    let prometheus = Peer::pod(&monitoring, &[]);
    for sm in objects.iter().filter(|o| o.kind == "ServiceMonitor") {
        let ns = sm.namespace.as_deref().unwrap_or("default");
        let sel = sm.value().pointer("/spec/selector/matchLabels").and_then(Value::as_object);
        let ports = sm.value().pointer("/spec/endpoints").and_then(Value::as_array).into_iter().flatten();
        let names: Vec<&str> = ports.filter_map(|e| e.get("port").and_then(Value::as_str)).collect();
        let selected = c.services.iter().filter(|s| {
            s.namespace == ns
                && sel.is_some_and(|m| m.iter().all(|(k, v)| s.labels.get(k).map(String::as_str) == v.as_str()))
        });
        for s in selected {
            for p in s.ports.iter().filter(|p| p.name.as_deref().is_some_and(|n| names.contains(&n))) {
                if c.reaches_service(&prometheus, ns, &s.name, p.port) != Some(true) {
                    out.push(Finding {
                        workload: s.name.clone(),
                        object: format!("ServiceMonitor/{}", sm.name),
                        rule: "GK017",
                        message: format!(
                            "Prometheus in namespace {monitoring} cannot scrape Service {}:{}",
                            s.name, p.port
                        ),
                    });
                }
            }
        }
    }
}

use super::configured::configured_endpoints;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netpol::bundled_prod as platform;

    fn policy<'a>(objects: &'a mut [Object], name: &str) -> &'a mut Value {
        objects.iter_mut().find(|o| o.kind == "NetworkPolicy" && o.name == name).expect("policy").value_mut()
    }

    fn rules(findings: &[Finding]) -> Vec<(&str, &str)> {
        findings.iter().map(|f| (f.rule, f.object.as_str())).collect()
    }

    #[test]
    fn the_generated_policies_allow_what_the_spec_asks_for() {
        let (v, objects) = platform("ai-workflow-engine");
        assert_eq!(check(&v, &objects), Vec::new());
    }

    #[test]
    fn a_blocked_use_ingress_route_and_scrape_are_found() {
        let (v, mut objects) = platform("ai-workflow-engine");
        policy(&mut objects, "api")["spec"]["ingress"] = serde_json::json!([]);
        let f = check(&v, &objects);
        let found = rules(&f);
        assert!(found.contains(&("GK015", "Deployment/webui")), "{f:#?}");
        assert!(found.contains(&("GK017", "ServiceMonitor/api")), "{f:#?}");
        assert!(
            f.iter()
                .any(|x| x.message
                    == "webui uses api, but the NetworkPolicies block webui → Service api on port(s) 8000"),
            "{f:#?}"
        );
        assert!(!found.iter().any(|(r, _)| *r == "GK016"), "{f:#?}");
    }

    #[test]
    fn blocked_dns_and_a_blocked_backup_are_found() {
        let (v, mut objects) = platform("ai-imutis");
        let egress = policy(&mut objects, "postgres-backup")["spec"]["egress"].as_array_mut().expect("egress");
        egress.remove(0);
        let f = check(&v, &objects);
        assert!(rules(&f).contains(&("GK016", "CronJob/postgres-backup")), "{f:#?}");
        let (v, mut objects) = platform("ai-imutis");
        policy(&mut objects, "postgres")["spec"]["ingress"] = serde_json::json!([]);
        let f = check(&v, &objects);
        assert!(rules(&f).contains(&("GK015", "CronJob/postgres-backup")), "{f:#?}");
        assert!(rules(&f).contains(&("GK015", "Deployment/api")), "{f:#?}");
    }
}
