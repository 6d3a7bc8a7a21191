//! The front doors of the platform, as the emitted objects describe them: each host an
//! Ingress, HTTPRoute or GRPCRoute serves, the Services it sends that host's traffic to
//! (with their weights), and where that traffic comes from (the ingress controller, an ALB,
//! the gateway's data plane). Read from the objects alone, independently of `expand`.
//!
//! Weights: a route's `backendRefs[].weight` (1 when unset, as the Gateway API says); an
//! nginx canary Ingress's `canary-weight`; an AWS Load Balancer Controller forward action
//! (`alb.ingress.kubernetes.io/actions.<name>`, the backend's port `use-annotation`) names
//! its target groups with theirs.

use super::{Cluster, Peer};
use k8s_openapi::api::networking::v1::Ingress;
use serde_json::Value;
use std::collections::BTreeSet;

/// Prefix of an AWS Load Balancer Controller action annotation (`actions.<service name>`).
pub const ALB_ACTIONS: &str = "alb.ingress.kubernetes.io/actions.";
/// The backend port that tells the AWS Load Balancer Controller to read the action annotation.
pub const USE_ANNOTATION: &str = "use-annotation";
const ALB_CERTIFICATE: &str = "alb.ingress.kubernetes.io/certificate-arn";
const ALB_LISTEN_PORTS: &str = "alb.ingress.kubernetes.io/listen-ports";
const CANARY_WEIGHT: &str = "nginx.ingress.kubernetes.io/canary-weight";

/// A Service a door sends traffic to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Backend {
    pub service: String,
    /// The Service port (`None` when the object names one the Service does not have).
    pub port: Option<u16>,
    /// The backend's weight, where the object gives one.
    pub weight: Option<i64>,
}

/// Who connects to a door's backends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The ingress controller's pods (their namespace).
    Controller,
    /// An AWS ALB, which connects from the VPC straight to the pod addresses.
    LoadBalancer,
    /// The gateway's proxies (the data-plane namespace).
    DataPlane,
}

/// One host of one routing object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Door {
    pub host: String,
    /// `https` or `http`; `None` for a route whose Gateway is not among the objects.
    pub scheme: Option<&'static str>,
    /// Ingress, HTTPRoute or GRPCRoute.
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub source: Source,
    pub backends: Vec<Backend>,
}

/// Namespaces of the peers a door's traffic comes from: the ingress controller's and the
/// gateway's data plane (`None` when the platform has no gateway).
#[derive(Debug, Clone, Default)]
pub struct Entrances {
    pub controller: String,
    pub data_plane: Option<String>,
}

impl Entrances {
    /// The peer that connects to a door's backends, if it is known.
    pub fn peer(&self, source: &Source) -> Option<Peer> {
        match source {
            Source::Controller => Some(Peer::pod(&self.controller, &[])),
            Source::LoadBalancer => Some(Peer::Internet),
            Source::DataPlane => self.data_plane.as_deref().map(|ns| Peer::pod(ns, &[])),
        }
    }
}

fn str_of<'a>(v: &'a Value, pointer: &str) -> Option<&'a str> {
    v.pointer(pointer).and_then(Value::as_str)
}

impl Cluster<'_> {
    /// Every door of the objects: each Ingress rule's host and each route's host names.
    pub fn doors(&self) -> Vec<Door> {
        let mut out: Vec<Door> = self.ingresses.iter().flat_map(|i| self.ingress_doors(i)).collect();
        out.extend(self.routes.iter().flat_map(|r| self.route_doors(r)));
        out
    }

    /// The port number of Service `service` named by `port` (a number, or a port name).
    fn service_port(&self, namespace: &str, service: &str, port: &str) -> Option<u16> {
        port.parse().ok().or_else(|| {
            let s = self.service(namespace, service)?;
            s.ports.iter().find(|p| p.name.as_deref() == Some(port)).map(|p| p.port)
        })
    }

    fn ingress_doors(&self, ing: &Ingress) -> Vec<Door> {
        let ns = ing.metadata.namespace.clone().unwrap_or_else(|| "default".into());
        let annotations = ing.metadata.annotations.clone().unwrap_or_default();
        let Some(spec) = &ing.spec else { return Vec::new() };
        let alb = spec.ingress_class_name.as_deref() == Some("alb");
        let canary = annotations.get(CANARY_WEIGHT).and_then(|w| w.parse::<i64>().ok());
        let tls: BTreeSet<&str> =
            spec.tls.iter().flatten().flat_map(|t| t.hosts.iter().flatten()).map(String::as_str).collect();
        // An ALB with an ACM certificate serves every host over HTTPS.
        let alb_https = alb
            && (annotations.contains_key(ALB_CERTIFICATE)
                || annotations.get(ALB_LISTEN_PORTS).is_some_and(|p| p.contains("HTTPS")));
        let mut out = Vec::new();
        for r in spec.rules.iter().flatten() {
            let host = r.host.clone().unwrap_or_else(|| "*".into());
            let mut backends = Vec::new();
            for b in r.http.iter().flat_map(|h| &h.paths).filter_map(|p| p.backend.service.as_ref()) {
                let port = b.port.as_ref();
                if port.and_then(|p| p.name.as_deref()) == Some(USE_ANNOTATION) {
                    let action = annotations.get(&format!("{ALB_ACTIONS}{}", b.name));
                    backends.extend(action.map(|a| self.alb_targets(&ns, a)).unwrap_or_default());
                    continue;
                }
                let number = port.and_then(|p| p.number).and_then(|n| u16::try_from(n).ok());
                let named = port.and_then(|p| p.name.as_deref()).and_then(|n| self.service_port(&ns, &b.name, n));
                backends.push(Backend { service: b.name.clone(), port: number.or(named), weight: canary });
            }
            out.push(Door {
                scheme: Some(if alb_https || tls.contains(host.as_str()) { "https" } else { "http" }),
                host,
                kind: "Ingress".into(),
                name: ing.metadata.name.clone().unwrap_or_default(),
                namespace: ns.clone(),
                source: if alb { Source::LoadBalancer } else { Source::Controller },
                backends,
            });
        }
        out
    }

    /// The target groups of an ALB forward action (`forwardConfig.targetGroups`).
    fn alb_targets(&self, ns: &str, action: &str) -> Vec<Backend> {
        let Ok(action) = serde_json::from_str::<Value>(action) else { return Vec::new() };
        let groups = action.pointer("/forwardConfig/targetGroups").and_then(Value::as_array);
        (groups.into_iter().flatten())
            .filter_map(|g| {
                let service = str_of(g, "/serviceName")?.to_string();
                let port = match g.get("servicePort") {
                    Some(Value::Number(n)) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
                    Some(Value::String(p)) => self.service_port(ns, &service, p),
                    _ => None,
                };
                Some(Backend { port, weight: g.get("weight").and_then(Value::as_i64), service })
            })
            .collect()
    }

    fn route_doors(&self, route: &Value) -> Vec<Door> {
        let ns = str_of(route, "/metadata/namespace").unwrap_or("default").to_string();
        let mut backends = Vec::new();
        for rule in route.pointer("/spec/rules").and_then(Value::as_array).into_iter().flatten() {
            for b in rule.get("backendRefs").and_then(Value::as_array).into_iter().flatten() {
                let service = str_of(b, "/name").unwrap_or_default().to_string();
                let port = b.get("port").and_then(Value::as_u64).and_then(|p| u16::try_from(p).ok());
                backends.push(Backend {
                    service,
                    port,
                    weight: Some(b.get("weight").and_then(Value::as_i64).unwrap_or(1)),
                });
            }
        }
        let hosts = route.pointer("/spec/hostnames").and_then(Value::as_array);
        let hosts: Vec<String> = (hosts.into_iter().flatten()).filter_map(Value::as_str).map(str::to_string).collect();
        let hosts = if hosts.is_empty() { vec!["*".to_string()] } else { hosts };
        let scheme = self.route_scheme(route, &ns);
        (hosts.into_iter())
            .map(|host| Door {
                host,
                scheme,
                kind: str_of(route, "/kind").unwrap_or_default().to_string(),
                name: str_of(route, "/metadata/name").unwrap_or_default().to_string(),
                namespace: ns.clone(),
                source: Source::DataPlane,
                backends: backends.clone(),
            })
            .collect()
    }

    /// `https` when a listener the route attaches to terminates TLS, `http` when they all
    /// serve plain HTTP, `None` when none of them is among the objects.
    fn route_scheme(&self, route: &Value, ns: &str) -> Option<&'static str> {
        let parents = route.pointer("/spec/parentRefs").and_then(Value::as_array).into_iter().flatten();
        let mut protocols = BTreeSet::new();
        for p in parents {
            let gateway = (str_of(p, "/namespace").unwrap_or(ns), str_of(p, "/name").unwrap_or_default());
            let section = str_of(p, "/sectionName");
            let listeners = self.listeners.iter().filter(|l| (l.namespace.as_str(), l.gateway.as_str()) == gateway);
            protocols.extend(listeners.filter(|l| section.is_none_or(|s| s == l.name)).map(|l| l.protocol.clone()));
        }
        match () {
            () if protocols.iter().any(|p| p == "HTTPS") => Some("https"),
            () if !protocols.is_empty() => Some("http"),
            () => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cluster(values: &[Value]) -> Cluster<'static> {
        Cluster::from_values(values)
    }

    fn service(name: &str, port: u16) -> Value {
        json!({"kind": "Service", "metadata": {"name": name, "namespace": "n"},
               "spec": {"selector": {"app": name}, "ports": [{"name": "http", "port": port}]}})
    }

    #[test]
    fn alb_actions_name_their_target_groups_and_weights() {
        let action = json!({"type": "forward", "forwardConfig": {"targetGroups": [
            {"serviceName": "web", "servicePort": "80", "weight": 90},
            {"serviceName": "web-canary", "servicePort": "http", "weight": 10}]}});
        let ing = json!({"kind": "Ingress", "metadata": {"name": "web", "namespace": "n",
            "annotations": {"alb.ingress.kubernetes.io/actions.web-weighted": action.to_string(),
                "alb.ingress.kubernetes.io/certificate-arn": "arn:aws:acm:r:123456789012:certificate/c"}},
            "spec": {"ingressClassName": "alb", "rules": [{"host": "a.example",
              "http": {"paths": [{"path": "/", "pathType": "Prefix",
                "backend": {"service": {"name": "web-weighted", "port": {"name": "use-annotation"}}}}]}}]}});
        let doors = cluster(&[service("web", 80), service("web-canary", 8080), ing]).doors();
        assert_eq!(doors.len(), 1);
        let d = &doors[0];
        assert_eq!((d.host.as_str(), d.scheme, &d.source), ("a.example", Some("https"), &Source::LoadBalancer));
        assert_eq!(
            d.backends,
            [
                Backend { service: "web".into(), port: Some(80), weight: Some(90) },
                Backend { service: "web-canary".into(), port: Some(8080), weight: Some(10) },
            ]
        );
    }

    #[test]
    fn routes_take_their_scheme_from_the_listeners_they_attach_to() {
        let gw = json!({"kind": "Gateway", "metadata": {"name": "g", "namespace": "n"}, "spec": {"listeners": [
            {"name": "http", "port": 80, "protocol": "HTTP"},
            {"name": "https-a.example", "hostname": "a.example", "port": 443, "protocol": "HTTPS"}]}});
        let route = |section: &str| {
            json!({"kind": "HTTPRoute", "metadata": {"name": "web", "namespace": "n"}, "spec": {
                "parentRefs": [{"name": "g", "sectionName": section}], "hostnames": ["a.example"],
                "rules": [{"backendRefs": [{"name": "web", "port": 80}]}]}})
        };
        let doors = cluster(&[gw.clone(), route("https-a.example")]).doors();
        assert_eq!((doors[0].scheme, &doors[0].source), (Some("https"), &Source::DataPlane));
        assert_eq!(doors[0].backends, [Backend { service: "web".into(), port: Some(80), weight: Some(1) }]);
        assert_eq!(cluster(&[gw, route("http")]).doors()[0].scheme, Some("http"));
        assert_eq!(cluster(&[route("https-a.example")]).doors()[0].scheme, None, "an existing Gateway");
    }
}
