//! Checks that the emitted NetworkPolicies allow what the spec asks for, run by `lint`:
//!
//! - GK015: every `uses` path (and each migration Job's and backup's path to its database),
//!   and every endpoint and observability agent a service is wired to, on each of its ports;
//! - GK016: DNS for every pod;
//! - GK017: each Ingress backend from the ingress controller (any address for an ALB), each
//!   HTTPRoute and GRPCRoute backend from the gateway's data plane, and each ServiceMonitor's
//!   port from the monitoring namespace;
//! - GK018: every host:port that a service's own configuration names (env values, the config
//!   data it reads, `*_HOST`/`*_PORT` pairs), reported at the value with the fix.

use super::doors::Source;
pub use super::finding::Finding;
use super::finding::pods_of;
use super::paths::{DNS_PORTS, dns};
use super::{Cluster, Peer, Pod, Port, outside_namespaces};
use crate::expand::Object;
use crate::validate::Valid;
use serde_json::Value;

/// Every check on the objects of one environment.
pub fn check(v: &Valid, objects: &[Object]) -> Vec<Finding> {
    let c = Cluster::from_objects(objects);
    let mut out = Vec::new();
    uses(v, &c, &mut out);
    wired(v, &c, &mut out);
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
        asks.extend(svc.uses.iter().filter(|u| !spec.endpoints.contains_key(*u)).map(|u| (name.clone(), u.clone())));
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

/// Each wired target (endpoint, agent) reachable on every port it listens on.
fn wired(v: &Valid, c: &Cluster, out: &mut Vec<Finding>) {
    for t in super::wired::targets(v) {
        let reached = super::wired::reached(c, &t);
        let blocked: Vec<String> = t.ports.iter().filter(|p| !reached.contains(p)).map(ToString::to_string).collect();
        let Some(pod) = pods_of(c, &t.workload).next() else { continue };
        if !blocked.is_empty() {
            out.push(Finding {
                workload: t.workload.clone(),
                object: pod.object.clone(),
                rule: "GK015",
                message: format!(
                    "{} is wired to {}, but the NetworkPolicies block it on {}",
                    t.workload,
                    t.label,
                    blocked.join(", ")
                ),
            });
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

/// GK017 for the doors: every backend port of every Ingress (any address for an ALB) and
/// every HTTPRoute and GRPCRoute (the gateway's data-plane namespace) is reachable.
fn exposure(v: &Valid, c: &Cluster, out: &mut Vec<Finding>) {
    let entrances = super::entrances(v);
    for door in c.doors() {
        let Some(source) = entrances.peer(&door.source) else { continue };
        for b in &door.backends {
            let Some(port) = b.port else { continue };
            if c.reaches_service(&source, &door.namespace, &b.service, port) == Some(true) {
                continue;
            }
            let from = match door.source {
                Source::LoadBalancer => "the load balancer (any address)".to_string(),
                Source::Controller => format!("the ingress controller's namespace {}", entrances.controller),
                Source::DataPlane => {
                    format!("the gateway's data plane (namespace {})", entrances.data_plane.as_deref().unwrap_or(""))
                }
            };
            // Suppressions name workloads: the pods behind the Service, else the Service.
            let s = c.service(&door.namespace, &b.service);
            let workload = s.and_then(|s| c.backends(s).next()).map_or(&b.service, |p| &p.workload);
            let finding = Finding {
                workload: workload.clone(),
                object: format!("{}/{}", door.kind, door.name),
                rule: "GK017",
                message: format!("{} routes to Service {}:{port}, which {from} cannot reach", door.host, b.service),
            };
            // A backend named by several rules of one route is one finding.
            if !out.contains(&finding) {
                out.push(finding);
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
        // Candidates: the Services carrying the selector's first label (every one for an empty
        // selector); the whole selector still decides.
        let first = sel.and_then(|m| m.iter().next()).map(|(k, v)| (k.as_str(), v.as_str().unwrap_or_default()));
        let candidates: Box<dyn Iterator<Item = &super::Service>> = match first {
            Some((k, v)) => Box::new(c.index().services_with(ns, k, v).iter().map(|i| &c.services[*i])),
            None => Box::new(c.services.iter()),
        };
        let selected = candidates.filter(|s| {
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
        assert!(found.contains(&("GK015", "Deployment/webui-blue")), "{f:#?}");
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
    fn a_route_backend_the_data_plane_cannot_reach_is_found() {
        let (v, mut objects) = platform("ai-workflow-engine");
        policy(&mut objects, "webui")["spec"]["ingress"] = serde_json::json!([]);
        let f = check(&v, &objects);
        let gk017: Vec<(&str, &str, &str)> = f
            .iter()
            .filter(|x| x.rule == "GK017")
            .map(|x| (x.object.as_str(), x.workload.as_str(), x.message.as_str()))
            .collect();
        // prod's webui is blue-green: the live and the preview Service are both behind the route.
        let blocked = |svc: &str| {
            format!(
                "aiwfe.com routes to Service {svc}:3000, which the gateway's data plane (namespace envoy-gateway-system) cannot reach"
            )
        };
        let (live, preview) = (blocked("webui"), blocked("webui-preview"));
        assert_eq!(
            gk017,
            vec![("HTTPRoute/webui", "webui", live.as_str()), ("HTTPRoute/webui", "webui", preview.as_str())],
            "{f:#?}"
        );
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
