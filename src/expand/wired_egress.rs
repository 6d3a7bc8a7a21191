//! Egress a service gets from wiring: to each endpoint it uses (its `cidrs`, else any
//! address: a NetworkPolicy cannot name a host), to the Datadog node agent (the nodes'
//! `node_cidrs`, else any address, on the APM and DogStatsD ports: the node's address is no
//! pod, so no pod selector can match it) and to the OpenTelemetry collector (the pods of
//! its `namespace`, else any address, on the endpoint's port).

use super::Ctx;
use crate::spec::{Map, Service};
use crate::wiring::{DATADOG_APM_PORT, DATADOG_STATSD_PORT, EndpointFacts, agents, url_host_port};
use k8s_openapi::api::networking::v1::{IPBlock, NetworkPolicyEgressRule, NetworkPolicyPeer, NetworkPolicyPort};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

fn port(number: u16, protocol: &str) -> NetworkPolicyPort {
    NetworkPolicyPort {
        port: Some(IntOrString::Int(i32::from(number))),
        protocol: Some(protocol.into()),
        end_port: None,
    }
}

/// The CIDRs as ipBlock peers, or `None` (any address) when there are none.
fn blocks(cidrs: &[String]) -> Option<Vec<NetworkPolicyPeer>> {
    (!cidrs.is_empty()).then(|| {
        cidrs
            .iter()
            .map(|c| NetworkPolicyPeer {
                ip_block: Some(IPBlock { cidr: c.clone(), except: None }),
                ..NetworkPolicyPeer::default()
            })
            .collect()
    })
}

/// Every wired egress rule of service `svc`, endpoints (by name) first, then the agents.
pub fn rules(ctx: &Ctx, svc: &Service) -> Vec<NetworkPolicyEgressRule> {
    let spec = &ctx.v.spec;
    let mut used: Vec<&String> = svc.uses.iter().filter(|u| spec.endpoints.contains_key(*u)).collect();
    used.sort();
    used.dedup();
    let mut out: Vec<NetworkPolicyEgressRule> = used
        .into_iter()
        .filter_map(|u| {
            let e = &spec.endpoints[u];
            let facts = EndpointFacts::of(e).ok()?;
            Some(NetworkPolicyEgressRule { to: blocks(&e.cidrs), ports: Some(vec![port(facts.port, "TCP")]) })
        })
        .collect();
    let Some(a) = agents(spec, svc) else { return out };
    if let Some(dd) = &a.datadog {
        let ports = vec![
            port(dd.apm_port.unwrap_or(DATADOG_APM_PORT), "TCP"),
            port(dd.statsd_port.unwrap_or(DATADOG_STATSD_PORT), "UDP"),
        ];
        out.push(NetworkPolicyEgressRule { to: blocks(&dd.node_cidrs), ports: Some(ports) });
    }
    if let Some(otel) = &a.otel
        && let Ok((_, p)) = url_host_port(&otel.endpoint)
    {
        let to = otel.namespace.as_ref().map(|ns| {
            let labels = Map::from([("kubernetes.io/metadata.name".to_string(), ns.clone())]);
            vec![NetworkPolicyPeer {
                namespace_selector: Some(LabelSelector { match_labels: Some(labels), ..LabelSelector::default() }),
                ..NetworkPolicyPeer::default()
            }]
        });
        out.push(NetworkPolicyEgressRule { to, ports: Some(vec![port(p, "TCP")]) });
    }
    out
}
