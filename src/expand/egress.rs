//! Egress to addresses outside the pod network: declared hosts and CIDRs, and the
//! Kubernetes API server. Without addresses in the spec, a rule allows its ports to any
//! address (a host name cannot be put in a NetworkPolicy); with them, only to those.

use crate::spec::{ApiServer, Egress};
use k8s_openapi::api::networking::v1::{IPBlock, NetworkPolicyEgressRule, NetworkPolicyPeer, NetworkPolicyPort};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// Ports the API server is reached on when the spec does not say.
pub const API_PORTS: [u16; 2] = [443, 6443];

/// (CIDR, ports) of one `egress:` entry: its `cidr`, each of a host's `cidrs`, or any address (`None`).
pub fn targets(e: &Egress) -> Vec<(Option<String>, Vec<u16>)> {
    match (&e.cidr, e.cidrs.is_empty()) {
        (Some(c), _) => vec![(Some(c.clone()), e.ports.clone())],
        (None, true) => vec![(None, e.ports.clone())],
        (None, false) => e.cidrs.iter().map(|c| (Some(c.clone()), e.ports.clone())).collect(),
    }
}

/// The rule for services with `access:`: to the API server's addresses when known.
pub fn api_server(api: Option<&ApiServer>) -> NetworkPolicyEgressRule {
    let ports = api.and_then(|a| a.ports.clone()).unwrap_or_else(|| API_PORTS.to_vec());
    let to = api.filter(|a| !a.cidrs.is_empty()).map(|a| {
        a.cidrs
            .iter()
            .map(|c| NetworkPolicyPeer {
                ip_block: Some(IPBlock { cidr: c.clone(), except: None }),
                ..Default::default()
            })
            .collect()
    });
    NetworkPolicyEgressRule {
        to,
        ports: Some(
            ports
                .into_iter()
                .map(|p| NetworkPolicyPort {
                    port: Some(IntOrString::Int(i32::from(p))),
                    protocol: Some("TCP".into()),
                    end_port: None,
                })
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_addresses_replace_any_address() {
        let any = api_server(None);
        assert!(any.to.is_none());
        assert_eq!(any.ports.as_ref().map(Vec::len), Some(2));
        let api = ApiServer { cidrs: vec!["10.0.0.1/32".into()], ports: Some(vec![443]) };
        let rule = api_server(Some(&api));
        let to = rule.to.unwrap();
        assert_eq!(to[0].ip_block.as_ref().map(|b| b.cidr.as_str()), Some("10.0.0.1/32"));
        assert_eq!(rule.ports.map(|p| p.len()), Some(1));
        let host = Egress {
            host: Some("api.stripe.com".into()),
            cidr: None,
            cidrs: vec!["1.2.3.0/24".into(), "5.6.7.8/32".into()],
            ports: vec![443],
        };
        assert_eq!(targets(&host).len(), 2);
        assert_eq!(targets(&Egress { cidrs: vec![], ..host })[0].0, None);
    }
}
