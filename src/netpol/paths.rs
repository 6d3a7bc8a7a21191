//! Every path the policies allow that involves the platform's pods: between them, to DNS,
//! to addresses outside the pod network, to ExternalName Services and from other namespaces.

use super::{Cluster, Peer, Port, Proto};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::{BTreeMap, BTreeSet};

/// The cluster DNS as NetworkPolicies see it: the kube-dns pods of kube-system.
pub fn dns() -> Peer {
    Peer::pod("kube-system", &[("k8s-app", "kube-dns")])
}

/// The DNS ports, both of which a resolver uses.
pub const DNS_PORTS: [Port; 2] = [Port { proto: Proto::Udp, number: 53 }, Port { proto: Proto::Tcp, number: 53 }];

/// One end of a drawn path.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum End {
    /// The pods of a workload (`app.kubernetes.io/name`) of the platform.
    Workload(String),
    Dns,
    /// Any public address (a rule with no `to`, or `0.0.0.0/0`).
    Internet,
    /// An ipBlock's CIDR.
    Block(String),
    /// Pods of another namespace (the ingress controller's, Prometheus's).
    Namespace(String),
    /// An ExternalName Service (a host outside the cluster).
    External(String),
}

/// What the objects alone do not say: the namespaces outside the platform whose pods
/// connect in (their labels taken to be none) and the port each ExternalName Service's host
/// listens on. The hosts that Ingresses and routes serve are [`Cluster::doors`].
#[derive(Debug, Clone, Default)]
pub struct Outside {
    pub namespaces: Vec<String>,
    pub external_ports: BTreeMap<String, u16>,
}

/// An allowed path and the ports (or `*` for every port) it is allowed on.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Path {
    pub from: End,
    pub to: End,
    pub ports: Vec<String>,
}

impl Cluster<'_> {
    /// Every allowed path involving the platform's pods.
    pub fn paths(&self, o: &Outside) -> Vec<Path> {
        let mut found: BTreeMap<(End, End), BTreeSet<String>> = BTreeMap::new();
        let mut add = |from: End, to: End, port: String| {
            found.entry((from, to)).or_default().insert(port);
        };
        let external_names: Vec<&super::Service> = self.services.iter().filter(|s| s.external_name.is_some()).collect();
        for a in &self.pods {
            let from = Peer::Pod(a.pod.clone());
            // The pods a's egress could reach, not every pod: a pair outside them is denied.
            let reachable: Box<dyn Iterator<Item = &super::Pod>> = match self.egress_pod_candidates(&a.pod) {
                Some(ix) => Box::new(ix.into_iter().map(|i| &self.pods[i])),
                None => Box::new(self.pods.iter()),
            };
            for b in reachable.filter(|b| b.workload != a.workload) {
                let to = Peer::Pod(b.pod.clone());
                for c in &b.pod.ports {
                    let port = Port { proto: c.proto, number: c.number };
                    if self.allows(&from, &to, port) {
                        add(End::Workload(a.workload.clone()), End::Workload(b.workload.clone()), port.to_string());
                    }
                }
            }
            for port in DNS_PORTS.into_iter().filter(|p| self.allows(&from, &dns(), *p)) {
                add(End::Workload(a.workload.clone()), End::Dns, port.to_string());
            }
            for (to, port) in self.external_egress(&a.pod) {
                add(End::Workload(a.workload.clone()), to, port);
            }
            for s in &external_names {
                let ports = s.ports.iter().map(|p| p.port).chain(o.external_ports.get(&s.name).copied());
                for p in ports.filter(|p| self.reaches_service(&from, &s.namespace, &s.name, *p) == Some(true)) {
                    add(End::Workload(a.workload.clone()), End::External(s.name.clone()), Port::tcp(p).to_string());
                }
            }
            for ns in &o.namespaces {
                let peer = Peer::pod(ns, &[]);
                for c in &a.pod.ports {
                    let port = Port { proto: c.proto, number: c.number };
                    if self.allows(&peer, &from, port) {
                        add(End::Namespace(ns.to_string()), End::Workload(a.workload.clone()), port.to_string());
                    }
                }
            }
        }
        found.into_iter().map(|((from, to), ports)| Path { from, to, ports: ports.into_iter().collect() }).collect()
    }

    /// Destinations outside the pod network that `pod`'s egress rules name, with each
    /// port the evaluator confirms (`proto/*` for every port).
    fn external_egress(&self, pod: &std::sync::Arc<super::PodRef>) -> Vec<(End, String)> {
        let from = Peer::Pod(pod.clone());
        let mut out = Vec::new();
        // The policies that may select the pod (the index narrows; the selector decides), in order.
        let candidates = self.index().policies_for(&pod.namespace, pod.labels.iter());
        for (_, p) in candidates.into_iter().map(|i| &self.policies[i]).filter(|(ns, _)| *ns == pod.namespace) {
            let Some(spec) = &p.spec else { continue };
            if !spec.pod_selector.as_ref().is_none_or(|s| super::selector::matches(s, &pod.labels)) {
                continue;
            }
            for rule in spec.egress.iter().flatten() {
                let targets: Vec<(End, Peer)> = match rule.to.as_deref() {
                    None | Some([]) => vec![(End::Internet, Peer::Internet)],
                    Some(peers) => peers
                        .iter()
                        .filter_map(|p| p.ip_block.as_ref())
                        .filter_map(|b| {
                            let c = super::ip::Cidr::parse(&b.cidr)?;
                            let end = if c.is_everything() { End::Internet } else { End::Block(b.cidr.clone()) };
                            Some((end, if c.is_everything() { Peer::Internet } else { Peer::Address(c.addr) }))
                        })
                        .collect(),
                };
                let ports: Vec<(Port, String)> = match rule.ports.as_deref() {
                    None | Some([]) => vec![(Port::tcp(1), "tcp/*".into())],
                    Some(ps) => ps
                        .iter()
                        .filter_map(|p| {
                            let proto = Proto::parse(p.protocol.as_deref());
                            match (&p.port, p.end_port) {
                                (None, _) => Some((Port { proto, number: 1 }, format!("{proto}/*"))),
                                (Some(IntOrString::Int(n)), end) => {
                                    let number = u16::try_from(*n).ok()?;
                                    let text = end.map_or(format!("{proto}/{n}"), |e| format!("{proto}/{n}-{e}"));
                                    Some((Port { proto, number }, text))
                                }
                                (Some(IntOrString::String(_)), _) => None,
                            }
                        })
                        .collect(),
                };
                for (end, peer) in &targets {
                    for (port, text) in &ports {
                        if self.egress_allows(&from, peer, *port) {
                            out.push((end.clone(), text.clone()));
                        }
                    }
                }
            }
        }
        out
    }
}
