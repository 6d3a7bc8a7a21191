//! What the network will allow: a NetworkPolicy evaluator over the emitted objects, with
//! the semantics a CNI applies, written without reference to the code that generates the
//! policies (`expand::network`), so each can check the other.
//!
//! - A policy selects the pods of its own namespace that its `podSelector` matches.
//! - `policyTypes` says which directions it governs; when omitted, Ingress always and
//!   Egress when the policy has egress rules.
//! - A pod no policy selects for a direction is open in that direction; a selected pod
//!   admits exactly what some rule of some selecting policy allows (their union).
//! - Peers: `podSelector` (the policy's namespace), `namespaceSelector` (with an optional
//!   `podSelector`), `ipBlock` minus `except` (addresses outside the pod network; pod
//!   addresses are never taken to be in an ipBlock).
//! - Ports: numbers, `endPort` ranges, names resolved against the destination pod's
//!   container ports; protocol TCP unless given.
//! - A connection from A to B needs A's egress and B's ingress.
//!
//! Pods are read from the pod templates of Deployments, StatefulSets, DaemonSets, Jobs and
//! CronJobs; Services map their ports to target ports on the pods they select.

pub mod check;
mod configured;
pub mod doors;
pub mod endpoints;
mod eval;
mod finding;
mod index;
pub mod ip;
mod model;
pub mod paths;
pub mod selector;
pub mod wired;

pub use model::{Cluster, ContainerPort, Listener, Pod, Service, ServicePort};
pub use selector::Labels;

use std::fmt;
use std::net::IpAddr;

/// A transport protocol of a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Proto {
    Tcp,
    Udp,
    Sctp,
}

impl Proto {
    /// The protocol a policy, Service or container names (TCP when none is named).
    pub fn parse(text: Option<&str>) -> Proto {
        match text {
            Some("UDP") => Proto::Udp,
            Some("SCTP") => Proto::Sctp,
            _ => Proto::Tcp,
        }
    }
}

impl fmt::Display for Proto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
            Proto::Sctp => "sctp",
        })
    }
}

/// A destination port number and its protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Port {
    pub proto: Proto,
    pub number: u16,
}

impl Port {
    pub fn tcp(number: u16) -> Port {
        Port { proto: Proto::Tcp, number }
    }
}

impl fmt::Display for Port {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.proto, self.number)
    }
}

/// A pod as the network sees it: its namespace, labels and named container ports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodRef {
    pub namespace: String,
    pub labels: Labels,
    pub ports: Vec<ContainerPort>,
}

/// One end of a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peer {
    /// A pod of the cluster (of this platform, or one of another namespace whose labels are known
    /// or taken to be none). Shared: the evaluator names the same pod in many queries.
    Pod(std::sync::Arc<PodRef>),
    /// An address outside the pod network.
    Address(IpAddr),
    /// Some public address, known only by a host name.
    Internet,
}

impl Peer {
    /// A pod of namespace `namespace` with `labels` and no named ports.
    pub fn pod(namespace: &str, labels: &[(&str, &str)]) -> Peer {
        Peer::Pod(std::sync::Arc::new(PodRef {
            namespace: namespace.to_string(),
            labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            ports: Vec::new(),
        }))
    }
}

/// Namespace the ingress controller runs in when the spec names none (the README's default).
pub const CONTROLLER_NAMESPACE: &str = "ingress-nginx";

/// Namespace Prometheus runs in when the spec names none (the README's default).
pub const MONITORING_NAMESPACE: &str = "monitoring";

/// The ingress controller's and Prometheus's namespaces of an environment.
pub fn outside_namespaces(v: &crate::validate::Valid) -> (String, String) {
    let controller = v.spec.ingress.controller_namespace.clone().unwrap_or_else(|| CONTROLLER_NAMESPACE.into());
    let monitoring = v.spec.monitoring.namespace.clone().unwrap_or_else(|| MONITORING_NAMESPACE.into());
    (controller, monitoring)
}

/// Namespace the gateway's proxies run in: `gateway.data_plane_namespace`, else the existing
/// Gateway's namespace (the README's rule); `None` without a gateway.
pub fn data_plane_namespace(v: &crate::validate::Valid) -> Option<String> {
    let gw = v.spec.gateway.as_ref()?;
    gw.data_plane_namespace.clone().or_else(|| gw.existing.as_ref().and_then(|e| e.namespace.clone()))
}

/// Where the traffic of the environment's doors comes from.
pub fn entrances(v: &crate::validate::Valid) -> doors::Entrances {
    doors::Entrances { controller: outside_namespaces(v).0, data_plane: data_plane_namespace(v) }
}

/// A bundled platform's prod environment and its objects, for tests that evaluate real output.
#[cfg(test)]
pub(crate) fn bundled_prod(name: &str) -> (crate::validate::Valid, Vec<crate::expand::Object>) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("platforms").join(name);
    crate::check_expanded(&dir, Some("prod")).expect("bundled platform builds").remove(0)
}
