//! GK018: every endpoint a service's own configuration names (literal env values, the
//! config data it reads through `env` and `env_from`, `*_HOST`/`*_PORT` pairs) is allowed by
//! the service's NetworkPolicies, or is reported at the value with the fix.
//!
//! Host names resolve as a pod's resolver would: `svc`, `svc.ns`, `svc.ns.svc[.cluster.local]`
//! are Services (a two-label name may also be a public host: either is enough); other names
//! are public hosts, known by no address (only an egress to every public address allows them).

use super::finding::{Finding, pods_of};
use super::{Cluster, Peer, Port, endpoints};
use crate::spec::Service;
use crate::validate::Valid;
use std::net::IpAddr;

/// One variable of a service's environment and where its value was written.
struct Var {
    key: String,
    value: String,
    path: Vec<String>,
}

/// The service's environment as its containers see it (`env` over `env_from`).
fn vars(v: &Valid, name: &str, svc: &Service) -> Vec<Var> {
    let mut out: Vec<Var> = Vec::new();
    let mut set = |key: &str, value: &str, path: Vec<&str>| {
        out.retain(|x| x.key != key);
        out.push(Var { key: key.into(), value: value.into(), path: path.into_iter().map(String::from).collect() });
    };
    for c in svc.env_from.iter().filter_map(|s| s.config.as_deref()) {
        for (k, val) in v.spec.configs.get(c).map(|c| &c.data).into_iter().flatten() {
            set(k, val, vec!["configs", c, "data", k]);
        }
    }
    // The collector endpoint `observability.otel` sets, where it is written (the spec's env wins).
    if let Some(otel) = crate::wiring::agents(&v.spec, svc).and_then(|a| a.otel) {
        let own = svc.observability.as_ref().is_some_and(|o| o.otel.is_some());
        let at = if own {
            vec!["services", name, "observability", "otel", "endpoint"]
        } else {
            vec!["observability", "otel", "endpoint"]
        };
        set("OTEL_EXPORTER_OTLP_ENDPOINT", &otel.endpoint, at);
    }
    // A database or endpoint reference reads as the value it resolves to (a URL, a host).
    let wired: std::collections::BTreeMap<String, crate::spec::EnvValue> =
        crate::wiring::service_env(&v.spec, &v.engines, &v.env, name, svc).into_iter().collect();
    for (k, e) in &svc.env {
        let resolved = (e.db.is_some() || e.endpoint.is_some()).then(|| wired.get(k).and_then(|w| w.value.as_ref()));
        match (resolved.map_or(e.value.as_ref(), |r| r), &e.config, &e.key) {
            (Some(val), _, _) => set(k, val, vec!["services", name, "env", k]),
            (None, Some(c), Some(key)) => {
                if let Some(val) = v.spec.configs.get(c).and_then(|c| c.data.get(key)) {
                    set(k, val, vec!["configs", c, "data", key]);
                }
            }
            _ => {}
        }
    }
    out
}

/// Where a host may lead: alternatives, any one of which being allowed is enough.
enum Target {
    Service {
        namespace: String,
        name: String,
    },
    /// A pod of another namespace whose Service genk8s does not know.
    Namespace(String),
    Address(IpAddr),
    Internet,
    /// A single-label name that no Service of the namespace has.
    Missing,
}

fn resolve(host: &str, own: &str, c: &Cluster) -> Vec<Target> {
    let host = host.trim_end_matches('.');
    if let Ok(ip) = host.parse::<IpAddr>() {
        return if ip.is_loopback() || ip.is_unspecified() { Vec::new() } else { vec![Target::Address(ip)] };
    }
    if host == "localhost" {
        return Vec::new();
    }
    let short = host.strip_suffix(".cluster.local").unwrap_or(host);
    let (short, cluster) = short.strip_suffix(".svc").map_or((short, false), |s| (s, true));
    let labels: Vec<&str> = short.split('.').collect();
    let service = |namespace: &str, name: &str| match c.service(namespace, name) {
        Some(_) => Target::Service { namespace: namespace.into(), name: name.into() },
        None if namespace == own => Target::Missing,
        None => Target::Namespace(namespace.into()),
    };
    match labels.as_slice() {
        [name] => vec![service(own, name)],
        [name, ns] if cluster => vec![service(ns, name)],
        [name, ns] => vec![service(ns, name), Target::Internet],
        _ => vec![Target::Internet],
    }
}

/// The addresses the spec gives for `host` (a used endpoint's or an `egress:` entry's
/// `cidrs`): a connection to the host goes to one of them.
fn declared_addresses(v: &Valid, svc: &Service, host: &str) -> Option<Vec<Target>> {
    let endpoint = v
        .spec
        .endpoints
        .iter()
        .filter(|(n, _)| svc.uses.contains(n))
        .map(|(_, e)| e)
        .find(|e| crate::wiring::EndpointFacts::of(e).is_ok_and(|f| f.host.eq_ignore_ascii_case(host)));
    let cidrs = endpoint.map(|e| &e.cidrs).or_else(|| {
        svc.egress.iter().find(|e| e.host.as_deref().is_some_and(|h| h.eq_ignore_ascii_case(host))).map(|e| &e.cidrs)
    })?;
    let ips: Vec<Target> =
        cidrs.iter().filter_map(|c| c.split('/').next()?.parse().ok()).map(Target::Address).collect();
    (!ips.is_empty()).then_some(ips)
}

/// Whether `from` reaches `t` on `port` (`None`: a Service without that port).
fn allowed(c: &Cluster, from: &Peer, t: &Target, port: u16) -> Option<bool> {
    match t {
        Target::Service { namespace, name } => c.reaches_service(from, namespace, name, port),
        Target::Namespace(ns) => Some(c.allows(from, &Peer::pod(ns, &[]), Port::tcp(port))),
        Target::Address(ip) => Some(c.egress_allows(from, &Peer::Address(*ip), Port::tcp(port))),
        Target::Internet => Some(c.egress_allows(from, &Peer::Internet, Port::tcp(port))),
        Target::Missing => Some(false),
    }
}

/// What to write so the service may connect.
fn fix(v: &Valid, svc: &str, targets: &[Target], host: &str, port: u16) -> String {
    let own = |n: &str| v.spec.services.contains_key(n) || v.spec.databases.contains_key(n);
    match targets.first() {
        Some(Target::Service { namespace, name }) if *namespace == v.namespace && own(name) => {
            format!("add `{name}` to services.{svc}.uses")
        }
        Some(Target::Missing) => "name a service or database of this platform, or a host outside the cluster".into(),
        Some(Target::Address(ip)) => {
            format!("declare it: `egress: [{{cidr: {ip}/32, ports: [{port}]}}]` under services.{svc}")
        }
        _ => format!("declare it: `egress: [{{host: {host}, ports: [{port}]}}]` under services.{svc}"),
    }
}

pub(super) fn configured_endpoints(v: &Valid, c: &Cluster, out: &mut Vec<Finding>) {
    for (name, svc) in &v.spec.services {
        let vars = vars(v, name, svc);
        let pairs: Vec<(usize, String, u16)> =
            endpoints::pairs(&vars.iter().map(|x| (x.key.clone(), x.value.clone())).collect::<Vec<_>>());
        let named = vars
            .iter()
            .enumerate()
            .flat_map(|(i, x)| endpoints::in_value(&x.value).into_iter().map(move |(h, p)| (i, h, p)));
        for (i, host, port) in named.chain(pairs) {
            let targets = declared_addresses(v, svc, &host).unwrap_or_else(|| resolve(&host, &v.namespace, c));
            let Some(pod) = pods_of(c, name).find(|p| {
                let from = Peer::Pod(p.pod.clone());
                !targets.is_empty() && !targets.iter().any(|t| allowed(c, &from, t, port) == Some(true))
            }) else {
                continue;
            };
            let var = &vars[i];
            let path: Vec<&str> = var.path.iter().map(String::as_str).collect();
            let why = match targets.first() {
                Some(t @ Target::Service { name: s, .. })
                    if allowed(c, &Peer::Pod(pod.pod.clone()), t, port).is_none() =>
                {
                    format!("Service {s} has no port {port}")
                }
                Some(Target::Missing) => format!("but no Service `{host}` exists in namespace {}", v.namespace),
                _ => format!("which the NetworkPolicies of {name} do not allow"),
            };
            out.push(Finding {
                workload: name.clone(),
                object: pod.object.clone(),
                rule: "GK018",
                message: format!(
                    "{}: {} names {host}:{port}, {why}; {}",
                    v.origin.locate(&path),
                    var.key,
                    fix(v, name, &targets, &host, port)
                ),
            });
        }
    }
}
