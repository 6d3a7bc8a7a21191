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
    /// Port the gateway's route sends traffic to, admitted from the data-plane namespace.
    routed: Option<u16>,
    /// Port Prometheus scrapes, admitted from the monitoring namespace.
    metrics: Option<u16>,
    ingress_class: Option<String>,
    /// External endpoint (port) for an external database: reachable only by egress.
    external: Option<u16>,
    /// Talks to the Kubernetes API (has `access`).
    api: bool,
    /// Declared destinations outside the platform: CIDR (None: any address) and ports.
    outside: Vec<(Option<String>, Vec<u16>)>,
    /// Endpoints and observability agents it reaches (see [`super::wired_egress`]).
    wired: Vec<NetworkPolicyEgressRule>,
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

fn namespace_peer(name: &str) -> NetworkPolicyPeer {
    NetworkPolicyPeer { namespace_selector: Some(namespace(name)), ..NetworkPolicyPeer::default() }
}

fn namespace(name: &str) -> LabelSelector {
    LabelSelector {
        match_labels: Some(Map::from([("kubernetes.io/metadata.name".to_string(), name.to_string())])),
        ..LabelSelector::default()
    }
}

pub fn expand(ctx: &Ctx, out: &mut dyn Sink) {
    let workloads = workloads(ctx);
    out.push(default_deny(ctx));
    if let Some(solvers) = acme_solvers(ctx) {
        out.push(solvers);
    }
    // Who uses each workload, built once (a scan per workload would be quadratic).
    let mut users_of: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (user, w) in &workloads {
        for u in &w.uses {
            users_of.entry(u.as_str()).or_default().push(user.as_str());
        }
    }
    for (name, w) in workloads.iter().filter(|(_, w)| w.external.is_none()) {
        let users: &[&str] = users_of.get(name.as_str()).map_or(&[], Vec::as_slice);
        out.push(Object::new(NetworkPolicy {
            metadata: ctx.meta(name.to_string(), ctx.labels(name, "network-policy"), &Map::new()),
            spec: Some(NetworkPolicySpec {
                pod_selector: Some(LabelSelector {
                    match_labels: Some(ctx.selector(name)),
                    ..LabelSelector::default()
                }),
                policy_types: Some(vec!["Ingress".into(), "Egress".into()]),
                ingress: super::non_empty(ingress(ctx, w, users)),
                egress: Some(egress(ctx, w, &workloads)),
            }),
        }));
    }
}

/// Every workload with pods (services, databases, migration Jobs, backup CronJobs) and
/// every external database, by name.
fn workloads(ctx: &Ctx) -> BTreeMap<String, Workload> {
    let spec = &ctx.v.spec;
    let mut workloads: BTreeMap<String, Workload> = BTreeMap::new();
    for (name, svc) in &spec.services {
        workloads.insert(name.clone(), service(ctx, svc));
    }
    for (name, db) in &spec.databases {
        let e = &ctx.v.engines[name];
        let mut ports = vec![(e.port.number, "TCP".to_string())];
        ports.extend(e.extra_ports.values().map(|p| (*p, "TCP".to_string())));
        let external = db.external.as_ref().map(|x| x.port.unwrap_or(e.port.number));
        workloads.insert(name.clone(), Workload { ports, external, ..Workload::default() });
    }
    // Migration Jobs reach what their service uses.
    for (name, svc) in
        spec.services.iter().filter(|(_, s)| s.migrate.as_deref().is_some_and(crate::spec::Migrate::as_job))
    {
        let uses = svc.uses.iter().filter(|u| spec.databases.contains_key(*u)).cloned().collect();
        let w = Workload { uses, ..Workload::default() };
        workloads.insert(super::migration::migrate_name(name), w);
    }
    // Backup jobs connect to their database like any other user of it.
    for (name, db) in &spec.databases {
        if let Some(b) = &db.backup {
            // A copy to a bucket reaches it on its port (its address is not known here).
            let outside = b.s3.iter().map(|s3| (None, vec![s3.port()])).collect();
            let w = Workload { uses: vec![name.clone()], outside, ..Workload::default() };
            workloads.insert(super::backup::backup_name(name), w);
        }
    }
    workloads
}

/// A service: its ports, what it uses, how it is exposed and what it reaches outside.
fn service(ctx: &Ctx, svc: &crate::spec::Service) -> Workload {
    let ports = svc
        .ports
        .values()
        .map(|p| (p.container, format!("{:?}", p.protocol.unwrap_or(crate::spec::Protocol::TCP))))
        .collect();
    let exposed = svc.ingress.as_ref().map(|i| {
        let port = i.port.as_ref().or_else(|| svc.ports.keys().next()).expect("validated: exposed services have ports");
        svc.ports[port].container
    });
    let routed = svc
        .route
        .as_ref()
        .map(|r| svc.ports[r.port_name(svc).expect("validated: routed services have ports")].container);
    let ingress_class = svc.ingress.as_ref().and_then(|i| i.class.clone()).or_else(|| ctx.v.spec.ingress.class.clone());
    let metrics = svc.metrics.as_ref().map(|m| svc.ports[super::service::metrics_port(svc, m)].container);
    // Endpoints are reached by egress rules of their own, not as workloads.
    let mut uses: Vec<String> = svc.uses.iter().filter(|u| !ctx.v.spec.endpoints.contains_key(*u)).cloned().collect();
    uses.sort();
    uses.dedup();
    Workload {
        ports,
        uses,
        exposed,
        routed,
        metrics,
        ingress_class,
        external: None,
        // The migration gate asks the API server whether the Job has completed.
        api: !svc.access.is_empty() || svc.migrate.as_deref().is_some_and(crate::spec::Migrate::as_job),
        outside: svc.egress.iter().flat_map(super::egress::targets).collect(),
        wired: super::wired_egress::rules(ctx, svc),
    }
}

/// Nothing in, nothing out, unless a workload's own policy allows it.
fn default_deny(ctx: &Ctx) -> Object {
    Object::new(NetworkPolicy {
        metadata: ctx.meta("default-deny", ctx.platform_labels(), &Map::new()),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector::default()),
            policy_types: Some(vec!["Ingress".into(), "Egress".into()]),
            ..NetworkPolicySpec::default()
        }),
    })
}

/// Namespace the gateway's proxies run in: `data_plane_namespace`, or the existing
/// Gateway's namespace.
fn data_plane_namespace(ctx: &Ctx) -> String {
    let gw = ctx.v.spec.gateway.as_ref().expect("validated: routes need a gateway");
    (gw.data_plane_namespace.clone())
        .or_else(|| gw.existing.as_ref().and_then(|e| e.namespace.clone()))
        .expect("validated: the data-plane namespace is known")
}

/// Label cert-manager puts on its HTTP-01 solver pods (which listen on 8089).
pub const ACME_SOLVER: &str = "acme.cert-manager.io/http01-solver";
const ACME_SOLVER_PORT: u16 = 8089;

/// Whether certificates from `issuer` may be solved over HTTP-01 (all but a declared
/// issuer with only Cloudflare dns01).
fn http01(ctx: &Ctx, issuer: &str) -> bool {
    ctx.v.spec.issuers.get(issuer).is_none_or(|i| i.http01.is_some() || i.cloudflare.is_none())
}

/// Under the default deny, cert-manager's HTTP-01 solver pods in this namespace must be
/// reachable by whoever forwards the challenge: the ingress controller (any source for an
/// ALB) for TLS ingresses, the gateway's data plane for the Gateway genk8s writes.
fn acme_solvers(ctx: &Ctx) -> Option<Object> {
    let spec = &ctx.v.spec;
    let mut from: Vec<String> = Vec::new();
    let mut anywhere = false;
    for svc in spec.services.values() {
        let Some(ing) = &svc.ingress else { continue };
        let issuer = ing.issuer.as_ref().or(spec.ingress.issuer.as_ref());
        if !issuer.is_some_and(|i| ing.tls.unwrap_or(true) && http01(ctx, i)) {
            continue;
        }
        match ing.class.as_ref().or(spec.ingress.class.as_ref()).map(String::as_str) {
            Some("alb") => anywhere = true,
            _ => from
                .push(spec.ingress.controller_namespace.clone().unwrap_or_else(|| DEFAULT_CONTROLLER_NAMESPACE.into())),
        }
    }
    if let Some(gw) = &spec.gateway
        && gw.existing.is_none()
        && gw.issuer.as_deref().is_some_and(|i| http01(ctx, i))
        && spec.services.values().any(|s| s.route.is_some())
    {
        from.push(data_plane_namespace(ctx));
    }
    from.sort();
    from.dedup();
    if from.is_empty() && !anywhere {
        return None;
    }
    let solver = Map::from([(ACME_SOLVER.to_string(), "true".to_string())]);
    Some(Object::new(NetworkPolicy {
        metadata: ctx.meta("acme-http01-solver", ctx.platform_labels(), &Map::new()),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector { match_labels: Some(solver), ..LabelSelector::default() }),
            policy_types: Some(vec!["Ingress".into()]),
            ingress: Some(vec![NetworkPolicyIngressRule {
                from: (!anywhere).then(|| from.iter().map(|ns| namespace_peer(ns)).collect()),
                ports: Some(vec![tcp(ACME_SOLVER_PORT, "TCP")]),
            }]),
            egress: None,
        }),
    }))
}

/// Who may connect: the workload's users on its ports, the ingress controller (or, for
/// an ALB, any source) on the exposed port, and Prometheus on the metrics port.
fn ingress(ctx: &Ctx, w: &Workload, users: &[&str]) -> Vec<NetworkPolicyIngressRule> {
    let spec = &ctx.v.spec;
    let mut ingress = Vec::new();
    if !users.is_empty() && !w.ports.is_empty() {
        ingress.push(NetworkPolicyIngressRule {
            from: Some(users.iter().map(|u| pods(ctx, u)).collect()),
            ports: Some(w.ports.iter().map(|(p, proto)| tcp(*p, proto)).collect()),
        });
    }
    if let Some(port) = w.exposed {
        let controller_ns = spec.ingress.controller_namespace.as_deref().unwrap_or(DEFAULT_CONTROLLER_NAMESPACE);
        // An AWS ALB (target-type ip) connects straight from the VPC, not from a controller pod.
        let from = (w.ingress_class.as_deref() != Some("alb")).then(|| vec![namespace_peer(controller_ns)]);
        ingress.push(NetworkPolicyIngressRule { from, ports: Some(vec![tcp(port, "TCP")]) });
    }
    if let Some(port) = w.routed {
        ingress.push(NetworkPolicyIngressRule {
            from: Some(vec![namespace_peer(&data_plane_namespace(ctx))]),
            ports: Some(vec![tcp(port, "TCP")]),
        });
    }
    if let Some(port) = w.metrics {
        let monitoring = spec.monitoring.namespace.as_deref().unwrap_or(DEFAULT_MONITORING_NAMESPACE);
        ingress.push(NetworkPolicyIngressRule {
            from: Some(vec![namespace_peer(monitoring)]),
            ports: Some(vec![tcp(port, "TCP")]),
        });
    }
    ingress
}

/// Where the workload may connect: DNS, its declared outside destinations, the API server
/// when it has access, and what it uses.
fn egress(ctx: &Ctx, w: &Workload, workloads: &BTreeMap<String, Workload>) -> Vec<NetworkPolicyEgressRule> {
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
    egress.extend(w.wired.iter().cloned());
    if w.api {
        // The API server is outside the pod network (its address is the cluster's own).
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
    egress
}
