//! Whether a connection is allowed: the egress of its source and the ingress of its
//! destination, each the union of the rules of the policies that select the pod.

use super::ip::{Cidr, holds_every_public_address};
use super::selector::matches;
use super::{Cluster, Peer, PodRef, Port, Proto};
use k8s_openapi::api::networking::v1::{NetworkPolicyPeer, NetworkPolicyPort, NetworkPolicySpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Ingress,
    Egress,
}

/// Whether a policy governs `d`: as `policyTypes` says, or by default Ingress always and
/// Egress when it has egress rules.
fn governs(spec: &NetworkPolicySpec, d: Direction) -> bool {
    match spec.policy_types.as_deref() {
        Some(types) if !types.is_empty() => types.iter().any(|t| match d {
            Direction::Ingress => t == "Ingress",
            Direction::Egress => t == "Egress",
        }),
        _ => d == Direction::Ingress || spec.egress.as_ref().is_some_and(|e| !e.is_empty()),
    }
}

/// Whether `port` of `p` (a policy port) covers `port` on destination `to`.
fn port_matches(p: &NetworkPolicyPort, port: Port, to: &Peer) -> bool {
    if Proto::parse(p.protocol.as_deref()) != port.proto {
        return false;
    }
    match &p.port {
        None => true,
        Some(IntOrString::Int(n)) => {
            let end = p.end_port.unwrap_or(*n);
            (*n..=end).contains(&i32::from(port.number))
        }
        Some(IntOrString::String(name)) => match to {
            Peer::Pod(pod) => pod
                .ports
                .iter()
                .any(|c| c.name.as_deref() == Some(name) && c.proto == port.proto && c.number == port.number),
            _ => false,
        },
    }
}

fn ports_match(ports: Option<&[NetworkPolicyPort]>, port: Port, to: &Peer) -> bool {
    match ports {
        None | Some([]) => true,
        Some(ps) => ps.iter().any(|p| port_matches(p, port, to)),
    }
}

fn block_matches(cidr: &str, except: &[String], other: &Peer) -> bool {
    let Some(cidr) = Cidr::parse(cidr) else { return false };
    let except: Vec<Cidr> = except.iter().filter_map(|e| Cidr::parse(e)).collect();
    match other {
        Peer::Address(ip) => cidr.contains(*ip) && !except.iter().any(|e| e.contains(*ip)),
        Peer::Internet => holds_every_public_address(&cidr, &except),
        Peer::Pod(_) => false,
    }
}

impl Cluster<'_> {
    /// Whether `peer` (in a policy of namespace `ns`) matches `other`.
    fn peer_matches(&self, peer: &NetworkPolicyPeer, ns: &str, other: &Peer) -> bool {
        if let Some(b) = &peer.ip_block {
            return block_matches(&b.cidr, b.except.as_deref().unwrap_or_default(), other);
        }
        let Peer::Pod(pod) = other else { return false };
        let in_namespace = match &peer.namespace_selector {
            Some(sel) => matches(sel, &self.namespace_labels(&pod.namespace)),
            None => pod.namespace == ns,
        };
        let pod_ok = peer.pod_selector.as_ref().is_none_or(|sel| matches(sel, &pod.labels));
        in_namespace && pod_ok && (peer.namespace_selector.is_some() || peer.pod_selector.is_some())
    }

    fn peers_match(&self, peers: Option<&[NetworkPolicyPeer]>, ns: &str, other: &Peer) -> bool {
        match peers {
            None | Some([]) => true,
            Some(ps) => ps.iter().any(|p| self.peer_matches(p, ns, other)),
        }
    }

    /// The policies that select `pod` for direction `d`.
    fn selecting<'a>(
        &'a self,
        pod: &'a PodRef,
        d: Direction,
    ) -> impl Iterator<Item = (&'a str, &'a NetworkPolicySpec)> {
        let candidates = self.index().policies_for(&pod.namespace, pod.labels.iter());
        candidates.into_iter().filter_map(move |i| {
            let (ns, p) = &self.policies[i];
            let spec = p.spec.as_ref()?;
            let selects = *ns == pod.namespace && spec.pod_selector.as_ref().is_none_or(|s| matches(s, &pod.labels));
            (selects && governs(spec, d)).then_some((ns.as_str(), spec))
        })
    }

    /// The pods (indexes into `pods`, in order) that `pod`'s egress rules could let it reach:
    /// those a rule's pod selector names by its first label. `None` when any pod may be
    /// reachable: no egress policy selects `pod`, a rule has no `to`, or a peer selects
    /// without labels. Only a narrowing: [`Cluster::allows`] still decides each pair.
    pub(super) fn egress_pod_candidates(&self, pod: &PodRef) -> Option<Vec<usize>> {
        let mut out = Vec::new();
        let mut selected = false;
        for (ns, spec) in self.selecting(pod, Direction::Egress) {
            selected = true;
            for rule in spec.egress.iter().flatten() {
                let peers = rule.to.as_deref().filter(|p| !p.is_empty())?;
                // An ipBlock never matches a pod (see `block_matches`).
                for peer in peers.iter().filter(|p| p.ip_block.is_none()) {
                    let labels = peer.pod_selector.as_ref().and_then(|s| s.match_labels.as_ref());
                    let (k, v) = labels.and_then(|m| m.iter().next())?;
                    match peer.namespace_selector {
                        None => out.extend_from_slice(self.index().pods_with(ns, k, v)),
                        Some(_) => out.extend_from_slice(self.index().pods_with_in_any(k, v)),
                    }
                }
            }
        }
        if !selected {
            return None;
        }
        out.sort_unstable();
        out.dedup();
        Some(out)
    }

    /// Whether `from` may send to `to` on `port` as far as `from`'s egress policies go.
    pub fn egress_allows(&self, from: &Peer, to: &Peer, port: Port) -> bool {
        let Peer::Pod(pod) = from else { return true };
        let mut selected = false;
        for (ns, spec) in self.selecting(pod, Direction::Egress) {
            selected = true;
            let rules = spec.egress.iter().flatten();
            if rules
                .into_iter()
                .any(|r| self.peers_match(r.to.as_deref(), ns, to) && ports_match(r.ports.as_deref(), port, to))
            {
                return true;
            }
        }
        !selected
    }

    /// Whether `to` admits `from` on `port` as far as `to`'s ingress policies go.
    pub fn ingress_allows(&self, from: &Peer, to: &Peer, port: Port) -> bool {
        let Peer::Pod(pod) = to else { return true };
        let mut selected = false;
        for (ns, spec) in self.selecting(pod, Direction::Ingress) {
            selected = true;
            let rules = spec.ingress.iter().flatten();
            if rules
                .into_iter()
                .any(|r| self.peers_match(r.from.as_deref(), ns, from) && ports_match(r.ports.as_deref(), port, to))
            {
                return true;
            }
        }
        !selected
    }

    /// Whether a connection from `from` to `to` on `port` is allowed: egress and ingress.
    pub fn allows(&self, from: &Peer, to: &Peer, port: Port) -> bool {
        self.egress_allows(from, to, port) && self.ingress_allows(from, to, port)
    }

    /// Whether `from` reaches Service `name` of `namespace` on its port `port`: every pod
    /// it selects on the target port (a name resolved per pod), or the host an ExternalName
    /// Service names (on `port`, whatever its ports). `None` when there is no such Service or port.
    pub fn reaches_service(&self, from: &Peer, namespace: &str, name: &str, port: u16) -> Option<bool> {
        let s = self.service(namespace, name)?;
        if let Some(host) = &s.external_name {
            // A DNS alias: clients connect to the host on whatever port they use.
            let proto = s.ports.iter().find(|p| p.port == port).map_or(Proto::Tcp, |p| p.proto);
            let to = host.parse().map_or(Peer::Internet, Peer::Address);
            return Some(self.egress_allows(from, &to, Port { proto, number: port }));
        }
        let sp = s.ports.iter().find(|p| p.port == port)?;
        let mut any = false;
        for b in self.backends(s) {
            let to = Peer::Pod(b.pod.clone());
            let target = match &sp.target {
                IntOrString::Int(n) => u16::try_from(*n).ok(),
                IntOrString::String(tn) => {
                    b.pod.ports.iter().find(|c| c.name.as_deref() == Some(tn) && c.proto == sp.proto).map(|c| c.number)
                }
            };
            let Some(target) = target else { return Some(false) };
            if !self.allows(from, &to, Port { proto: sp.proto, number: target }) {
                return Some(false);
            }
            any = true;
        }
        Some(any)
    }
}

#[cfg(test)]
mod tests;
