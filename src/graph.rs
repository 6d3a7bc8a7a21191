//! `genk8s graph ENV`: services, databases, external endpoints and ingress and route hosts,
//! with the network paths the generated NetworkPolicies allow, as Mermaid or DOT.

use crate::validate::{Valid, resolve_host};
use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Mermaid,
    Dot,
}

enum Shape {
    Service,
    Database,
    External,
    Host,
}

struct Graph {
    nodes: Vec<(String, String, Shape)>,
    edges: Vec<(String, String, String)>,
}

fn id(prefix: &str, name: &str) -> String {
    let clean: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    format!("{prefix}_{clean}")
}

fn model(v: &Valid) -> Graph {
    let spec = &v.spec;
    let mut g = Graph { nodes: Vec::new(), edges: Vec::new() };
    for (name, svc) in &spec.services {
        let ports: Vec<String> = svc.ports.values().map(|p| p.container.to_string()).collect();
        let label = if ports.is_empty() { format!("{name} (worker)") } else { format!("{name} :{}", ports.join(",")) };
        g.nodes.push((id("svc", name), label, Shape::Service));
        if let Some(ing) = &svc.ingress {
            let tls = ing.tls.unwrap_or(ing.issuer.is_some() || spec.ingress.issuer.is_some());
            let scheme = if tls { "https" } else { "http" };
            for h in &ing.hosts {
                let host = resolve_host(h, spec.domain.as_deref()).unwrap_or_else(|| h.clone());
                g.nodes.push((id("host", &host), host.clone(), Shape::Host));
                g.edges.push((id("host", &host), id("svc", name), scheme.into()));
            }
        }
        route_edges(v, name, svc, &mut g);
    }
    for (name, db) in &spec.databases {
        let e = &v.engines[name];
        match &db.external {
            Some(x) => g.nodes.push((
                id("db", name),
                format!("{name} ({}, external {}:{})", db.engine, x.host, x.port.unwrap_or(e.port.number)),
                Shape::External,
            )),
            None => {
                g.nodes.push((id("db", name), format!("{name} ({}) :{}", db.engine, e.port.number), Shape::Database))
            }
        }
    }
    for (name, svc) in &spec.services {
        let mut uses = svc.uses.clone();
        uses.sort();
        for u in uses {
            let (target, port) = match spec.databases.get(&u) {
                Some(db) => {
                    (id("db", &u), db.external.as_ref().and_then(|x| x.port).unwrap_or(v.engines[&u].port.number))
                }
                None => (id("svc", &u), spec.services[&u].ports.values().next().map_or(0, |p| p.container)),
            };
            g.edges.push((id("svc", name), target, format!("tcp/{port}")));
        }
    }
    g.nodes.sort_by(|a, b| a.0.cmp(&b.0));
    g.nodes.dedup_by(|a, b| a.0 == b.0);
    g.edges.sort();
    g.edges.dedup();
    g
}

/// Hosts a service's gateway route serves, each with an edge to the service labelled with
/// the scheme (`grpc` for a gRPC route) and, for a canary, the share of the stable track.
fn route_edges(v: &Valid, name: &str, svc: &crate::spec::Service, g: &mut Graph) {
    let Some(r) = &svc.route else { return };
    let tls = v.spec.gateway.as_ref().is_some_and(|gw| gw.issuer.is_some());
    let mut label = (if r.is_grpc(svc) {
        "grpc"
    } else if tls {
        "https"
    } else {
        "http"
    })
    .to_string();
    if let Some(c) = svc.rollout.as_ref().and_then(|r| r.canary.as_ref()) {
        label = format!("{label} {}% + {}% canary", 100 - u16::from(c.weight), c.weight);
    }
    for h in &r.hosts {
        let host = resolve_host(h, v.spec.domain.as_deref()).unwrap_or_else(|| h.clone());
        g.nodes.push((id("host", &host), host.clone(), Shape::Host));
        g.edges.push((id("host", &host), id("svc", name), label.clone()));
    }
}

/// The graph as text in the chosen format.
pub fn render(v: &Valid, format: Format) -> String {
    let g = model(v);
    let mut out = String::new();
    match format {
        Format::Mermaid => {
            let _ = writeln!(out, "flowchart LR");
            for (id, label, shape) in &g.nodes {
                let (open, close) = match shape {
                    Shape::Service => ("[\"", "\"]"),
                    Shape::Database => ("[(\"", "\")]"),
                    Shape::External => ("[/\"", "\"/]"),
                    Shape::Host => ("((\"", "\"))"),
                };
                let _ = writeln!(out, "  {id}{open}{label}{close}");
            }
            for (from, to, label) in &g.edges {
                let _ = writeln!(out, "  {from} -->|{label}| {to}");
            }
        }
        Format::Dot => {
            let _ = writeln!(out, "digraph \"{}\" {{\n  rankdir=LR;", v.namespace);
            for (id, label, shape) in &g.nodes {
                let shape = match shape {
                    Shape::Service => "box",
                    Shape::Database => "cylinder",
                    Shape::External => "parallelogram",
                    Shape::Host => "ellipse",
                };
                let _ = writeln!(out, "  {id} [label=\"{label}\", shape={shape}];");
            }
            for (from, to, label) in &g.edges {
                let _ = writeln!(out, "  {from} -> {to} [label=\"{label}\"];");
            }
            out.push_str("}\n");
        }
    }
    out
}
