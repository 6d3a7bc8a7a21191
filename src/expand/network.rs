//! Least-privilege NetworkPolicies derived from `uses`: a default deny for the
//! namespace, and per workload an allow-list of exactly the paths the spec declares.

use super::{Ctx, Object, Sink};
use crate::spec::Map;
use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort,
    NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

/// Namespace Prometheus runs in when the spec names none.
pub const DEFAULT_MONITORING_NAMESPACE: &str = "monitoring";

/// Namespace the ingress controller runs in when the spec names none.
pub const DEFAULT_CONTROLLER_NAMESPACE: &str = "ingress-nginx";

#[derive(Default)]
struct Workload {
    ports: Vec<(u16, String)>,
    uses: Vec<String>,
    exposed: Option<u16>,
    /// Port Prometheus scrapes, admitted from the monitoring namespace.
    metrics: Option<u16>,
    ingress_class: Option<String>,
    /// External endpoint (port) for an external database: reachable only by egress.
    external: Option<u16>,
    /// Talks to the Kubernetes API (has `access`).
    api: bool,
    /// Declared destinations outside the platform: CIDR (None: any address) and ports.
    outside: Vec<(Option<String>, Vec<u16>)>,
}

fn tcp(port: u16, protocol: &str) -> NetworkPolicyPort {
    NetworkPolicyPort { port: Some(IntOrString::Int(i32::from(port))), protocol: Some(protocol.into()), end_port: None }
}

fn pods(ctx: &Ctx, name: &str) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        pod_selector: Some(LabelSelector { match_labels: Some(ctx.selector(name)), ..LabelSelector::default() }),
        ..NetworkPolicyPeer::default()
    }
}

fn namespace(name: &str) -> LabelSelector {
    LabelSelector {
        match_labels: Some(Map::from([("kubernetes.io/metadata.name".to_string(), name.to_string())])),
        ..LabelSelector::default()
    }
}

pub fn expand(ctx: &Ctx, out: &mut dyn Sink) {
    let spec = &ctx.v.spec;
    let mut workloads: BTreeMap<String, Workload> = BTreeMap::new();
    for (name, svc) in &spec.services {
        let ports = svc
            .ports
            .values()
            .map(|p| (p.container, format!("{:?}", p.protocol.unwrap_or(crate::spec::Protocol::TCP))))
            .collect();
        let exposed = svc.ingress.as_ref().map(|i| {
            let port =
                i.port.as_ref().or_else(|| svc.ports.keys().next()).expect("validated: exposed services have ports");
            svc.ports[port].container
        });
        let ingress_class = svc.ingress.as_ref().and_then(|i| i.class.clone()).or_else(|| spec.ingress.class.clone());
        let metrics = svc.metrics.as_ref().map(|m| svc.ports[super::service::metrics_port(svc, m)].container);
        let mut uses = svc.uses.clone();
        uses.sort();
        uses.dedup();
        workloads.insert(
            name.clone(),
            Workload {
                ports,
                uses,
                exposed,
                metrics,
                ingress_class,
                external: None,
                api: !svc.access.is_empty(),
                outside: svc.egress.iter().flat_map(super::egress::targets).collect(),
            },
        );
    }
    for (name, db) in &spec.databases {
        let e = &ctx.v.engines[name];
        let mut ports = vec![(e.port.number, "TCP".to_string())];
        ports.extend(e.extra_ports.values().map(|p| (*p, "TCP".to_string())));
        let external = db.external.as_ref().map(|x| x.port.unwrap_or(e.port.number));
        workloads.insert(name.clone(), Workload { ports, external, ..Workload::default() });
    }

    // Migration Jobs reach what their service uses.
    for (name, svc) in spec.services.iter().filter(|(_, s)| s.migrate.as_ref().is_some_and(|m| m.job)) {
        let uses = svc.uses.iter().filter(|u| spec.databases.contains_key(*u)).cloned().collect();
        let w = Workload { uses, ..Workload::default() };
        workloads.insert(super::service::migrate_name(name), w);
    }
    // Backup jobs connect to their database like any other user of it.
    for (name, db) in &spec.databases {
        if db.backup.is_some() {
            let w = Workload { uses: vec![name.clone()], ..Workload::default() };
            workloads.insert(super::database::backup_name(name), w);
        }
    }

    out.push(Object::new(NetworkPolicy {
        metadata: ctx.meta("default-deny", ctx.platform_labels(), &Map::new()),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector::default()),
            policy_types: Some(vec!["Ingress".into(), "Egress".into()]),
            ..NetworkPolicySpec::default()
        }),
    }));

    // Who uses each workload, built once (a scan per workload would be quadratic).
    let mut users_of: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (user, w) in &workloads {
        for u in &w.uses {
            users_of.entry(u.as_str()).or_default().push(user.as_str());
        }
    }
    let controller_ns = spec.ingress.controller_namespace.as_deref().unwrap_or(DEFAULT_CONTROLLER_NAMESPACE);
    for (name, w) in &workloads {
        if w.external.is_some() {
            continue;
        }
        let mut ingress = Vec::new();
        let users: &[&str] = users_of.get(name.as_str()).map_or(&[], Vec::as_slice);
        if !users.is_empty() && !w.ports.is_empty() {
            ingress.push(NetworkPolicyIngressRule {
                from: Some(users.iter().map(|u| pods(ctx, u)).collect()),
                ports: Some(w.ports.iter().map(|(p, proto)| tcp(*p, proto)).collect()),
            });
        }
        if let Some(port) = w.exposed {
            // An AWS ALB (target-type ip) connects straight from the VPC, not from a controller pod.
            let from = (w.ingress_class.as_deref() != Some("alb")).then(|| {
                vec![NetworkPolicyPeer {
                    namespace_selector: Some(namespace(controller_ns)),
                    ..NetworkPolicyPeer::default()
                }]
            });
            ingress.push(NetworkPolicyIngressRule { from, ports: Some(vec![tcp(port, "TCP")]) });
        }
        if let Some(port) = w.metrics {
            let monitoring = spec.monitoring.namespace.as_deref().unwrap_or(DEFAULT_MONITORING_NAMESPACE);
            ingress.push(NetworkPolicyIngressRule {
                from: Some(vec![NetworkPolicyPeer {
                    namespace_selector: Some(namespace(monitoring)),
                    ..NetworkPolicyPeer::default()
                }]),
                ports: Some(vec![tcp(port, "TCP")]),
            });
        }
        let mut egress = vec![NetworkPolicyEgressRule {
            to: Some(vec![NetworkPolicyPeer {
                namespace_selector: Some(namespace("kube-system")),
                pod_selector: Some(LabelSelector {
                    match_labels: Some(Map::from([("k8s-app".to_string(), "kube-dns".to_string())])),
                    ..LabelSelector::default()
                }),
                ..NetworkPolicyPeer::default()
            }]),
            ports: Some(vec![tcp(53, "UDP"), tcp(53, "TCP")]),
        }];
        for (cidr, ports) in &w.outside {
            egress.push(NetworkPolicyEgressRule {
                to: cidr.as_ref().map(|c| {
                    vec![NetworkPolicyPeer {
                        ip_block: Some(IPBlock { cidr: c.clone(), except: None }),
                        ..NetworkPolicyPeer::default()
                    }]
                }),
                ports: Some(ports.iter().map(|p| tcp(*p, "TCP")).collect()),
            });
        }
        if w.api {
            // The API server is outside the pod network: to the addresses the spec names, else any.
            egress.push(super::egress::api_server(ctx.v.spec.api_server.as_ref()));
        }
        for u in &w.uses {
            let target = &workloads[u.as_str()];
            match target.external {
                // Outside the cluster: allow the port to any address (its IP is not known here).
                Some(port) => egress.push(NetworkPolicyEgressRule { to: None, ports: Some(vec![tcp(port, "TCP")]) }),
                None => egress.push(NetworkPolicyEgressRule {
                    to: Some(vec![pods(ctx, u)]),
                    ports: Some(target.ports.iter().map(|(p, proto)| tcp(*p, proto)).collect()),
                }),
            }
        }
        out.push(Object::new(NetworkPolicy {
            metadata: ctx.meta(name.to_string(), ctx.labels(name, "network-policy"), &Map::new()),
            spec: Some(NetworkPolicySpec {
                pod_selector: Some(LabelSelector {
                    match_labels: Some(ctx.selector(name)),
                    ..LabelSelector::default()
                }),
                policy_types: Some(vec!["Ingress".into(), "Egress".into()]),
                ingress: super::non_empty(ingress),
                egress: Some(egress),
            }),
        }));
    }
}
