//! `genk8s graph ENV`: services, databases, jobs, external endpoints, and the hosts with
//! the Ingresses and routes that serve them, with the network paths that the emitted
//! NetworkPolicies allow, as Mermaid or DOT.
//!
//! Nodes come from the spec (names, ports, engines) and from the routing objects; a host →
//! route edge is what the object says (`https`/`http`), a route → service edge (the Service,
//! port and weight) is drawn only where the NetworkPolicy evaluator ([`crate::netpol`]),
//! run over the objects `build` writes, lets the door's source reach that Service.

use crate::expand::Object;
use crate::netpol::doors::Door;
use crate::netpol::paths::{End, Outside, Path};
use crate::netpol::{Cluster, data_plane_namespace, entrances, outside_namespaces};
use crate::validate::Valid;
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
    Route,
    Outside,
}

struct Graph {
    nodes: Vec<(String, String, Shape)>,
    edges: Vec<(String, String, String)>,
}

fn id(prefix: &str, name: &str) -> String {
    let clean: String = name.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    format!("{prefix}_{clean}")
}

/// The node of one end of a path: its id, label and shape.
fn node(v: &Valid, c: &Cluster, end: &End) -> (String, String, Shape) {
    let spec = &v.spec;
    match end {
        End::Workload(name) => {
            if let Some(svc) = spec.services.get(name) {
                let ports: Vec<String> = svc.ports.values().map(|p| p.container.to_string()).collect();
                let label =
                    if ports.is_empty() { format!("{name} (worker)") } else { format!("{name} :{}", ports.join(",")) };
                (id("svc", name), label, Shape::Service)
            } else if let (Some(db), Some(e)) = (spec.databases.get(name), v.engines.get(name)) {
                (id("db", name), format!("{name} ({}) :{}", db.engine, e.port.number), Shape::Database)
            } else {
                let kind = c.pods.iter().find(|p| &p.workload == name).map_or("Job", |p| p.kind.as_str());
                (id("job", name), format!("{name} ({kind})"), Shape::Service)
            }
        }
        End::External(name) => match (spec.databases.get(name), v.engines.get(name)) {
            (Some(db), Some(e)) => {
                let x = db.external.as_ref();
                let host = x.map_or(name.as_str(), |x| x.host.as_str());
                let port = x.and_then(|x| x.port).unwrap_or(e.port.number);
                (id("db", name), format!("{name} ({}, external {host}:{port})", db.engine), Shape::External)
            }
            _ => (id("ext", name), name.clone(), Shape::External),
        },
        End::Dns => ("dns".into(), "DNS (kube-system/kube-dns)".into(), Shape::Outside),
        End::Internet => ("internet".into(), "any address".into(), Shape::Outside),
        End::Block(cidr) => (id("net", cidr), cidr.clone(), Shape::Outside),
        End::Namespace(ns) => (id("ns", ns), format!("namespace {ns}"), Shape::Outside),
    }
}

/// Host → route (labelled with the scheme) and route → the workloads behind each backend
/// its source reaches (labelled `service:port`, with the weight where the object has one).
fn draw_door(v: &Valid, c: &Cluster, door: &Door, g: &mut Graph) {
    let (host, label) = match door.host.as_str() {
        "*" => ("host_any".to_string(), "any host".to_string()),
        h => (id("host", h), h.to_string()),
    };
    let route = id(&format!("route_{}", door.kind.to_ascii_lowercase()), &door.name);
    g.nodes.push((host.clone(), label, Shape::Host));
    g.nodes.push((route.clone(), format!("{} {}", door.kind, door.name), Shape::Route));
    g.edges.push((host, route.clone(), door.scheme.unwrap_or("gateway").to_string()));
    let Some(source) = entrances(v).peer(&door.source) else { return };
    for b in &door.backends {
        let (Some(port), Some(s)) = (b.port, c.service(&door.namespace, &b.service)) else { continue };
        if c.reaches_service(&source, &door.namespace, &b.service, port) != Some(true) {
            continue;
        }
        let label = match b.weight {
            Some(w) => format!("{}:{port} weight {w}", b.service),
            None => format!("{}:{port}", b.service),
        };
        for w in c.backends(s) {
            let to = node(v, c, &End::Workload(w.workload.clone()));
            g.edges.push((route.clone(), to.0.clone(), label.clone()));
            g.nodes.push(to);
        }
    }
}

fn model(v: &Valid, objects: &[Object]) -> Graph {
    let c = Cluster::from_objects(objects);
    let (controller, monitoring) = outside_namespaces(v);
    let external_ports = v
        .spec
        .databases
        .iter()
        .filter_map(|(n, d)| Some((n.clone(), d.external.as_ref()?.port.unwrap_or(v.engines.get(n)?.port.number))))
        .collect();
    let namespaces = [Some(controller), Some(monitoring), data_plane_namespace(v)].into_iter().flatten().collect();
    let outside = Outside { namespaces, external_ports };
    let paths: Vec<Path> = c.paths(&outside);
    let mut g = Graph { nodes: Vec::new(), edges: Vec::new() };
    // Every workload and external database is drawn, reachable or not.
    let names =
        v.spec.services.keys().chain(v.spec.databases.keys().filter(|d| v.spec.databases[*d].external.is_none()));
    for name in names.chain(c.pods.iter().map(|p| &p.workload)) {
        g.nodes.push(node(v, &c, &End::Workload(name.clone())));
    }
    for (name, _) in v.spec.databases.iter().filter(|(_, d)| d.external.is_some()) {
        g.nodes.push(node(v, &c, &End::External(name.clone())));
    }
    // Endpoints and agents the services are wired to, each edge on the ports the policies allow.
    for t in crate::netpol::wired::targets(v) {
        let ports = crate::netpol::wired::reached(&c, &t);
        if !ports.is_empty() {
            let label = ports.iter().map(ToString::to_string).collect::<Vec<_>>().join(",");
            g.edges.push((id("svc", &t.workload), t.id.clone(), label));
        }
        g.nodes.push((t.id, t.label, Shape::External));
    }
    for p in &paths {
        let (from, to) = (node(v, &c, &p.from), node(v, &c, &p.to));
        g.edges.push((from.0.clone(), to.0.clone(), p.ports.join(",")));
        g.nodes.push(from);
        g.nodes.push(to);
    }
    for door in c.doors() {
        draw_door(v, &c, &door, &mut g);
    }
    g.nodes.sort_by(|a, b| a.0.cmp(&b.0));
    g.nodes.dedup_by(|a, b| a.0 == b.0);
    g.edges.sort();
    g.edges.dedup();
    g
}

/// The graph of `objects` (the environment's build) as text in the chosen format.
pub fn render(v: &Valid, objects: &[Object], format: Format) -> String {
    let g = model(v, objects);
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
                    Shape::Route => ("[[\"", "\"]]"),
                    Shape::Outside => ("{{\"", "\"}}"),
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
                    Shape::Route => "component",
                    Shape::Outside => "hexagon",
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::netpol::bundled_prod as platform;

    #[test]
    fn edges_follow_the_policies_not_the_spec() {
        let (v, mut objects) = platform("ai-workflow-engine");
        let before = render(&v, &objects, Format::Mermaid);
        assert!(before.contains("  svc_webui -->|tcp/8000| svc_api\n"), "{before}");
        // Drop webui's egress rules (DNS and api) from its policy: the spec still says `uses: [api]`.
        let policy = objects.iter_mut().find(|o| o.kind == "NetworkPolicy" && o.name == "webui").expect("webui policy");
        policy.value_mut()["spec"]["egress"] = serde_json::json!([]);
        let after = render(&v, &objects, Format::Mermaid);
        assert!(!after.contains("svc_webui -->"), "{after}");
        assert!(after.contains("  svc_api -->|tcp/11434| svc_ollama\n"), "{after}");
        // Without any NetworkPolicy every pod reaches every port of every other pod.
        objects.retain(|o| o.kind != "NetworkPolicy");
        let open = render(&v, &objects, Format::Mermaid);
        assert!(open.contains("  svc_webui -->|tcp/5432| db_postgres\n"), "{open}");
    }

    #[test]
    fn route_hosts_are_drawn_and_their_backends_only_where_the_data_plane_reaches() {
        let (v, mut objects) = platform("ai-workflow-engine");
        let g = render(&v, &objects, Format::Mermaid);
        assert!(g.contains("  host_aiwfe_com((\"aiwfe.com\"))\n"), "{g}");
        assert!(g.contains("  route_httproute_webui[[\"HTTPRoute webui\"]]\n"), "{g}");
        assert!(g.contains("  host_aiwfe_com -->|https| route_httproute_webui\n"), "{g}");
        assert!(g.contains("  route_httproute_webui -->|webui:3000 weight 100| svc_webui\n"), "{g}");
        assert!(g.contains("  host_any -->|http| route_httproute_ai_workflow_engine_https_redirect\n"), "{g}");
        assert!(g.contains("  ns_envoy_gateway_system -->|tcp/3000| svc_webui\n"), "{g}");
        // webui admits nothing now: the route is still drawn, its backend edge is not.
        let policy = objects.iter_mut().find(|o| o.kind == "NetworkPolicy" && o.name == "webui").expect("webui policy");
        policy.value_mut()["spec"]["ingress"] = serde_json::json!([]);
        let blocked = render(&v, &objects, Format::Mermaid);
        assert!(blocked.contains("  host_aiwfe_com -->|https| route_httproute_webui\n"), "{blocked}");
        assert!(!blocked.contains("route_httproute_webui -->"), "{blocked}");
        let dot = render(&v, &objects, Format::Dot);
        assert!(dot.contains("  route_httproute_api [label=\"HTTPRoute api\", shape=component];\n"), "{dot}");
        assert!(dot.contains("  route_httproute_api -> svc_api [label=\"api:8000 weight 100\"];\n"), "{dot}");
    }

    #[test]
    fn jobs_external_egress_and_dns_are_drawn() {
        let (v, objects) = platform("ai-imutis");
        let g = render(&v, &objects, Format::Mermaid);
        assert!(g.contains("  job_postgres_backup -->|tcp/5432| db_postgres\n"), "{g}");
        assert!(g.contains("  svc_api -->|tcp/443,tcp/6443| internet\n"), "sentry, firebase and the API server: {g}");
        // The OpenTelemetry collector is wired (observability.otel) to its namespace's pods only.
        assert!(g.contains("  agent_otel[/\"OpenTelemetry collector jaeger-collector.observability:4317\"/]\n"), "{g}");
        assert!(g.contains("  svc_api -->|tcp/4317| agent_otel\n"), "{g}");
        assert!(g.contains("  svc_api -->|tcp/53,udp/53| dns\n"), "{g}");
        assert!(g.contains("  ns_monitoring -->|tcp/8000| svc_api\n"), "{g}");
    }
}
