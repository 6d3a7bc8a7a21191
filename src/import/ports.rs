//! `ports:` and `expose:` → named container ports (host ports are not kept).

use super::conv::Conv;
use super::plan::{NamedPort, Plan};
use super::values::{self, PortMapping};
use crate::names::is_port_name;
use crate::yaml::{Node, NodeKind};
use serde_json::{Map, Value, json};

/// Exposure of a service Compose publishes on every host address: a route through the
/// platform's gateway (`<service>.<domain>`) to the first such HTTP port (one named http*).
pub(super) fn published_route(service: &str, ports: &[NamedPort]) -> Option<Value> {
    let public = |m: &PortMapping| m.host_ip.as_deref().is_none_or(|ip| ip == "0.0.0.0" || ip == "::");
    let p = ports.iter().find(|p| p.m.published.is_some() && p.name.starts_with("http") && public(&p.m))?;
    Some(json!({"hosts": [service], "port": p.name}))
}

/// A mapping and the name its long syntax asked for.
pub(super) type Mapping = (PortMapping, Option<String>);

impl Conv<'_> {
    /// Ports of `ports:` and `expose:`, named and deduplicated by container port and protocol.
    pub(super) fn ports(&mut self, p: &Plan) -> Vec<NamedPort> {
        let mut mappings: Vec<Mapping> = Vec::new();
        let mut published: Vec<String> = Vec::new();
        for key in ["ports", "expose"] {
            let Some(entry) = p.node.entry(key) else { continue };
            let items: Vec<&Node> = match &entry.value.kind {
                NodeKind::Seq(items) => items.iter().collect(),
                NodeKind::Null => Vec::new(),
                _ => {
                    self.warn(
                        entry.key_span,
                        p.path(key),
                        format!("expected a list, found {}; ignored", entry.value.describe()),
                    );
                    continue;
                }
            };
            for (i, item) in items.into_iter().enumerate() {
                let path = p.path(&format!("{key}[{i}]"));
                let parsed: Result<Vec<Mapping>, String> = match &item.kind {
                    NodeKind::Scalar { text, .. } => {
                        values::parse_short_port(text).map(|v| v.into_iter().map(|m| (m, None)).collect())
                    }
                    NodeKind::Map(_) => self.long_port(item, &path),
                    _ => Err(format!("expected a port, found {}", item.describe())),
                };
                match parsed {
                    Ok(ms) => {
                        for (mut m, name) in ms {
                            if key == "expose" {
                                m.published = None;
                            }
                            if let Some(pb) = &m.published {
                                published.push(format!("{}{pb}→{}{}", host_ip(&m), m.container, protocol_suffix(&m)));
                            }
                            if !mappings.iter().any(|(x, _)| x.container == m.container && x.protocol == m.protocol) {
                                mappings.push((m, name));
                            }
                        }
                    }
                    Err(e) => self.warn(item.span, path, format!("{e}; port skipped")),
                }
            }
        }
        if !published.is_empty() {
            let first = mappings.first().map(|(m, _)| m.container).unwrap_or_default();
            self.note(
                p.key_span("ports"),
                p.path("ports"),
                format!(
                    "host port mappings ({}) are not kept: inside the cluster other services reach `{}` on its container ports (e.g. {}:{first}); an HTTP port published on every address is exposed as `route:` through the platform's gateway",
                    published.join(", "),
                    p.name,
                    p.name
                ),
            );
        }
        name_ports(mappings)
    }

    /// Long port syntax: `{target, published, host_ip, protocol, mode, name, app_protocol}`.
    fn long_port(&mut self, item: &Node, path: &str) -> Result<Vec<Mapping>, String> {
        let target = item.get("target").and_then(Node::as_str).ok_or("a long-syntax port needs target:")?;
        let containers = values::port_range(target)?;
        let protocol = item.get("protocol").and_then(Node::as_str).unwrap_or("tcp").to_ascii_lowercase();
        if !["tcp", "udp", "sctp"].contains(&protocol.as_str()) {
            return Err(format!("unknown protocol `{protocol}` (tcp, udp or sctp)"));
        }
        let published = item.get("published").and_then(Node::as_str).filter(|s| !s.is_empty()).map(str::to_string);
        let host_ip = item.get("host_ip").and_then(Node::as_str).map(str::to_string);
        let name = item.get("name").and_then(Node::as_str).map(str::to_ascii_lowercase);
        for e in item.entries().unwrap_or_default() {
            match e.key.as_str() {
                "target" | "published" | "host_ip" | "protocol" | "name" | "app_protocol" => {}
                "mode" => {
                    if e.value.as_str() == Some("host") {
                        self.note(
                            e.key_span,
                            format!("{path}.mode"),
                            "host mode publishing is not kept (no host ports in genk8s)",
                        );
                    }
                }
                k => self.warn(e.key_span, format!("{path}.{k}"), "unknown port field; ignored"),
            }
        }
        Ok(containers
            .into_iter()
            .map(|c| {
                (
                    PortMapping {
                        container: c,
                        protocol: protocol.clone(),
                        published: published.clone(),
                        host_ip: host_ip.clone(),
                    },
                    name.clone(),
                )
            })
            .collect())
    }
}

/// `127.0.0.1:` or `[::1]:` before a published port, as the message shows it.
fn host_ip(m: &PortMapping) -> String {
    match &m.host_ip {
        Some(ip) if ip.contains(':') => format!("[{ip}]:"),
        Some(ip) => format!("{ip}:"),
        None => String::new(),
    }
}

fn protocol_suffix(m: &PortMapping) -> String {
    if m.protocol == "tcp" { String::new() } else { format!("/{}", m.protocol) }
}

/// Names each port: the long syntax's name when it is a valid port name, else a
/// well-known name, made unique with the port number or protocol.
pub(super) fn name_ports(mappings: Vec<Mapping>) -> Vec<NamedPort> {
    let mut out: Vec<NamedPort> = Vec::new();
    for (m, explicit) in mappings {
        let wanted = explicit.filter(|n| is_port_name(n)).unwrap_or_else(|| port_name_for(m.container, &m.protocol));
        let name = if out.iter().any(|o| o.name == wanted) {
            let alt = format!("{wanted}-{}", m.container);
            if is_port_name(&alt) && !out.iter().any(|o| o.name == alt) {
                alt
            } else {
                format!("{}-{}", m.protocol, m.container)
            }
        } else {
            wanted
        };
        out.push(NamedPort { name, m });
    }
    out
}

/// The genk8s `ports:` map: a TCP port as its number, others with their protocol.
pub(super) fn ports_spec(ports: &[NamedPort]) -> Map<String, Value> {
    ports
        .iter()
        .map(|np| {
            let v = if np.m.protocol == "tcp" {
                json!(np.m.container)
            } else {
                json!({"container": np.m.container, "protocol": np.m.protocol.to_ascii_uppercase()})
            };
            (np.name.clone(), v)
        })
        .collect()
}

/// Well-known port numbers and the name genk8s gives them.
fn port_name_for(container: u16, protocol: &str) -> String {
    if protocol == "tcp" {
        match container {
            80 | 3000 | 4000 | 5000 | 8000 | 8080 | 8081 | 8888 | 1337 | 4200 | 5173 => return "http".into(),
            443 | 8443 => return "https".into(),
            50051 => return "grpc".into(),
            _ => {}
        }
    }
    format!("{protocol}-{container}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(port_name_for(8080, "tcp"), "http");
        assert_eq!(port_name_for(53, "udp"), "udp-53");
    }
}
