//! What services reach through wiring, as the evaluator sees it: each endpoint a service
//! uses (its `cidrs`, else a public address, on its port), the Datadog node agent (an
//! address in `node_cidrs`, else a public one, on the APM and DogStatsD ports) and the
//! OpenTelemetry collector (a pod of its `namespace`, else a public address). The targets
//! come from the spec; whether each is reached comes only from the NetworkPolicies.

use super::{Cluster, Peer, Port, Proto};
use crate::validate::Valid;
use crate::wiring::{DATADOG_APM_PORT, DATADOG_STATSD_PORT, EndpointFacts, agents, url_host_port};

/// Something outside the platform a service is wired to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The service that reaches it.
    pub workload: String,
    /// Graph node id and label.
    pub id: String,
    pub label: String,
    /// Where a connection to it goes, and on which ports.
    pub peer: Peer,
    pub ports: Vec<Port>,
}

/// The first address of the first CIDR (what an ipBlock of it admits), else a public address.
fn peer_of(cidrs: &[String]) -> Peer {
    cidrs.first().and_then(|c| c.split('/').next()?.parse().ok()).map_or(Peer::Internet, Peer::Address)
}

/// Every wired target of every service of `v`.
pub fn targets(v: &Valid) -> Vec<Target> {
    let mut out = Vec::new();
    for (name, svc) in &v.spec.services {
        let mut t = |id: String, label: String, peer: Peer, ports: Vec<Port>| {
            out.push(Target { workload: name.clone(), id, label, peer, ports });
        };
        for (ep, e) in v.spec.endpoints.iter().filter(|(ep, _)| svc.uses.contains(ep)) {
            let Ok(f) = EndpointFacts::of(e) else { continue };
            t(
                format!("endpoint_{ep}"),
                format!("{ep} (endpoint {}:{})", f.host, f.port),
                peer_of(&e.cidrs),
                vec![Port::tcp(f.port)],
            );
        }
        let Some(a) = agents(&v.spec, svc) else { continue };
        if let Some(dd) = &a.datadog {
            let ports = vec![
                Port::tcp(dd.apm_port.unwrap_or(DATADOG_APM_PORT)),
                Port { proto: Proto::Udp, number: dd.statsd_port.unwrap_or(DATADOG_STATSD_PORT) },
            ];
            t("agent_datadog".into(), "Datadog node agent (node address)".into(), peer_of(&dd.node_cidrs), ports);
        }
        if let Some(otel) = &a.otel
            && let Ok((host, port)) = url_host_port(&otel.endpoint)
        {
            let peer = otel.namespace.as_deref().map_or(Peer::Internet, |ns| Peer::pod(ns, &[]));
            t("agent_otel".into(), format!("OpenTelemetry collector {host}:{port}"), peer, vec![Port::tcp(port)]);
        }
    }
    out
}

/// Kinds whose pods run a service itself, whatever its `kind:` (its migration and backup pods
/// are workloads of their own names).
const SERVICE_KINDS: [&str; 4] = ["Deployment", "DaemonSet", "Job", "CronJob"];

/// The ports of `t` on which every pod of its workload may connect to it.
pub fn reached(c: &Cluster, t: &Target) -> Vec<Port> {
    let pods: Vec<_> =
        c.pods.iter().filter(|p| p.workload == t.workload && SERVICE_KINDS.contains(&p.kind.as_str())).collect();
    t.ports
        .iter()
        .copied()
        .filter(|port| !pods.is_empty() && pods.iter().all(|p| c.allows(&Peer::Pod(p.pod.clone()), &t.peer, *port)))
        .collect()
}
