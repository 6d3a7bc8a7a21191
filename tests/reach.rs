//! Property: over random platforms, the emitted NetworkPolicies allow exactly what the spec
//! asks for, judged by the NetworkPolicy evaluator (`genk8s::netpol`), one side at a time.
//!
//! A pod's egress is allowed exactly to: DNS (kube-dns, UDP and TCP 53); the pods of what it
//! uses, on their ports; any address on a port its spec declares with `egress: {host:}`, on an
//! external database's port it uses, and on 443/6443 with `access:`; an address of a declared
//! CIDR on that CIDR's ports. A pod's ingress is allowed exactly from: the pods that use it, on
//! its ports; the ingress controller's namespace on the exposed port (any source for an ALB);
//! the monitoring namespace on the metrics port. Migration Jobs use their service's databases;
//! backups use their database. An endpoint a service uses (in `uses` or through an env
//! reference) opens its port to any address, or to its `cidrs`; the Datadog agent opens TCP
//! 8126 and UDP 8125 to the nodes' CIDR for every service. Nothing else, and every `uses`
//! edge reaches its Service.

use genk8s::netpol::{Cluster, Peer, Port, Proto};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::net::IpAddr;

const SERVICES: &[&str] = &["api", "web", "worker", "auth"];
const DATABASES: &[(&str, &str)] =
    &[("db", "postgres"), ("cache", "redis"), ("docs", "mongodb"), ("vectors", "qdrant")];
const EGRESS_PORTS: &[u16] = &[443, 8443, 9200, 5432];
/// Endpoints: name, port, second octet of its CIDR (10.N.0.0/16) if it declares one.
const ENDPOINTS: &[(&str, u16, Option<u8>)] = &[("smtp", 587, None), ("s3", 443, Some(5)), ("idp", 8443, Some(6))];
/// Second octet of the nodes' CIDR the Datadog agent is reached in.
const NODES: u8 = 9;

#[derive(Clone, Debug)]
struct Svc {
    ports: Vec<u16>,
    uses: Vec<usize>,
    /// (ALB?, index of the exposed port)
    ingress: Option<(bool, usize)>,
    metrics: Option<usize>,
    hosts: Vec<u16>,
    cidrs: Vec<(u8, u16)>,
    access: bool,
    migrate_job: bool,
    /// Endpoints (indexes into ENDPOINTS) in `uses`, and one read through env.
    endpoints: Vec<usize>,
    endpoint_env: Option<usize>,
}

#[derive(Clone, Debug)]
struct Db {
    backup: bool,
    external: Option<u16>,
}

#[derive(Clone, Debug)]
struct Spec {
    services: BTreeMap<String, Svc>,
    databases: BTreeMap<String, (String, Db)>,
    controller: Option<String>,
    monitoring: Option<String>,
    datadog: bool,
}

fn svc() -> impl Strategy<Value = Svc> {
    (
        prop::collection::btree_set(1024u16..9000, 0..3),
        prop::collection::vec(0usize..8, 0..4),
        prop::option::of((any::<bool>(), 0usize..3)),
        prop::option::of(0usize..3),
        prop::collection::vec(prop::sample::select(EGRESS_PORTS), 0..2),
        prop::collection::vec((1u8..4, prop::sample::select(EGRESS_PORTS)), 0..2),
        any::<bool>(),
        any::<bool>(),
        (prop::collection::vec(0usize..3, 0..2), prop::option::of(0usize..3)),
    )
        .prop_map(
            |(ports, uses, ingress, metrics, hosts, cidrs, access, migrate_job, (endpoints, endpoint_env))| Svc {
                ports: ports.into_iter().collect(),
                uses,
                ingress,
                metrics,
                hosts,
                cidrs,
                access,
                migrate_job,
                endpoints,
                endpoint_env,
            },
        )
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::sample::subsequence(SERVICES, 1..=4),
        prop::collection::vec(svc(), 4),
        prop::sample::subsequence(DATABASES, 0..=3),
        prop::collection::vec((any::<bool>(), prop::option::of(1000u16..2000)), 4),
        prop::option::of(Just("edge".to_string())),
        prop::option::of(Just("observability".to_string())),
        any::<bool>(),
    )
        .prop_map(|(names, svcs, dbs, db_opts, controller, monitoring, datadog)| {
            let services = names.iter().zip(svcs).map(|(n, s)| (n.to_string(), s)).collect();
            let databases = dbs
                .iter()
                .zip(db_opts)
                .map(|((n, e), (backup, external))| {
                    (
                        n.to_string(), // qdrant has no dump tool in the catalog; external databases are backed up by their provider.
                        (e.to_string(), Db { backup: backup && external.is_none() && *e != "qdrant", external }),
                    )
                })
                .collect();
            Spec { services, databases, controller, monitoring, datadog }
        })
}

impl Spec {
    /// What a service uses: other services with ports and databases, each once.
    fn uses(&self, name: &str) -> Vec<String> {
        let mut all: Vec<String> =
            self.services.iter().filter(|(n, s)| *n != name && !s.ports.is_empty()).map(|(n, _)| n.clone()).collect();
        all.extend(self.databases.keys().cloned());
        let mut out: Vec<String> = Vec::new();
        for i in &self.services[name].uses {
            if let Some(t) = all.get(i % all.len().max(1))
                && !out.contains(t)
            {
                out.push(t.clone());
            }
        }
        out.sort();
        out
    }

    /// The endpoints a service reaches: those in `uses` and the one its env reads.
    fn endpoints(&self, name: &str) -> BTreeSet<usize> {
        let s = &self.services[name];
        s.endpoints.iter().copied().chain(s.endpoint_env).collect()
    }

    fn yaml(&self) -> String {
        let mut y = String::from("platform: demo\ndomain: demo.example.com\n");
        if let Some(c) = &self.controller {
            let _ = writeln!(y, "ingress: {{controller_namespace: {c}}}");
        }
        if let Some(m) = &self.monitoring {
            let _ = writeln!(y, "monitoring: {{namespace: {m}}}");
        }
        y.push_str("endpoints:\n");
        for (name, port, cidr) in ENDPOINTS {
            let cidrs = cidr.map(|n| format!(", cidrs: [10.{n}.0.0/16]")).unwrap_or_default();
            let _ = writeln!(y, "  {name}: {{host: {name}.example.com, port: {port}{cidrs}}}");
        }
        if self.datadog {
            let _ = writeln!(y, "observability: {{datadog: {{node_cidrs: [10.{NODES}.0.0/16]}}}}");
        }
        y.push_str("services:\n");
        for (name, s) in &self.services {
            let _ = writeln!(y, "  {name}:\n    image: ghcr.io/acme/{name}:1.0");
            if !s.ports.is_empty() {
                let ports: Vec<String> = s.ports.iter().enumerate().map(|(i, p)| format!("p{i}: {p}")).collect();
                let _ = writeln!(y, "    ports: {{{}}}", ports.join(", "));
            }
            let mut uses = self.uses(name);
            uses.extend(s.endpoints.iter().map(|i| ENDPOINTS[*i].0.to_string()));
            uses.dedup();
            if !uses.is_empty() {
                let _ = writeln!(y, "    uses: [{}]", uses.join(", "));
            }
            if let Some(i) = s.endpoint_env {
                let _ = writeln!(y, "    env: {{ENDPOINT_HOST: {{endpoint: {}, value: host}}}}", ENDPOINTS[i].0);
            }
            if let (Some((alb, i)), false) = (s.ingress, s.ports.is_empty()) {
                let class = if alb { "alb" } else { "nginx" };
                let _ = writeln!(y, "    ingress: {{hosts: [{name}], class: {class}, port: p{}}}", i % s.ports.len());
            }
            if let (Some(i), false) = (s.metrics, s.ports.is_empty()) {
                let _ = writeln!(y, "    metrics: {{port: p{}}}", i % s.ports.len());
            }
            let mut egress: Vec<String> =
                s.hosts.iter().map(|p| format!("{{host: out.example.com, ports: [{p}]}}")).collect();
            egress.extend(s.cidrs.iter().map(|(n, p)| format!("{{cidr: 10.{n}.0.0/16, ports: [{p}]}}")));
            if !egress.is_empty() {
                let _ = writeln!(y, "    egress: [{}]", egress.join(", "));
            }
            if s.access {
                y.push_str("    access: [\"get configmaps\"]\n");
            }
            if s.migrate_job {
                y.push_str("    migrate: {command: [migrate], job: true}\n");
            }
        }
        if !self.databases.is_empty() {
            y.push_str("databases:\n");
        }
        for (name, (engine, db)) in &self.databases {
            let _ = writeln!(y, "  {name}:\n    engine: {engine}");
            if db.backup {
                y.push_str("    backup: {schedule: \"0 2 * * *\", keep: 3}\n");
            }
            if let Some(p) = db.external {
                let _ = writeln!(y, "    external: {{host: {name}.example.com, port: {p}}}");
            }
        }
        y
    }
}

/// What the spec asks for, per workload of the built platform.
struct Asked {
    /// In-cluster workloads each workload uses.
    uses: BTreeMap<String, BTreeSet<String>>,
    /// Ports each workload may send to any address on.
    anywhere: BTreeMap<String, BTreeSet<u16>>,
    /// (CIDR second octet, port) each workload may send to.
    cidrs: BTreeMap<String, BTreeSet<(u8, u16)>>,
    /// Services that reach the Datadog agent (TCP 8126, UDP 8125 in the nodes' CIDR).
    agent: BTreeSet<String>,
    /// Exposed port and whether any source may connect (ALB).
    exposed: BTreeMap<String, (u16, bool)>,
    metrics: BTreeMap<String, u16>,
}

fn asked(spec: &Spec) -> Asked {
    let mut a = Asked {
        uses: BTreeMap::new(),
        anywhere: BTreeMap::new(),
        cidrs: BTreeMap::new(),
        agent: BTreeSet::new(),
        exposed: BTreeMap::new(),
        metrics: BTreeMap::new(),
    };
    let external = |u: &str| spec.databases.get(u).and_then(|(_, d)| d.external);
    for (name, s) in &spec.services {
        let uses = spec.uses(name);
        let inside: BTreeSet<String> = uses.iter().filter(|u| external(u).is_none()).cloned().collect();
        let mut any: BTreeSet<u16> = s.hosts.iter().copied().collect();
        any.extend(uses.iter().filter_map(|u| external(u)));
        // API access, and the migration gate (app pods wait on the Job through the API server).
        if s.access || s.migrate_job {
            any.extend([443, 6443]);
        }
        if s.migrate_job {
            let dbs = |u: &&String| spec.databases.contains_key(u.as_str());
            a.uses.insert(format!("{name}-migrate"), inside.iter().filter(dbs).cloned().collect());
            let ext = uses.iter().filter(|u| spec.databases.contains_key(u.as_str())).filter_map(|u| external(u));
            a.anywhere.insert(format!("{name}-migrate"), ext.collect());
        }
        let mut cidrs: BTreeSet<(u8, u16)> = s.cidrs.iter().copied().collect();
        for (_, port, cidr) in spec.endpoints(name).into_iter().map(|i| ENDPOINTS[i]) {
            match cidr {
                Some(n) => cidrs.insert((n, port)),
                None => any.insert(port),
            };
        }
        if spec.datadog {
            a.agent.insert(name.clone());
        }
        a.uses.insert(name.clone(), inside);
        a.anywhere.insert(name.clone(), any);
        a.cidrs.insert(name.clone(), cidrs);
        if let (Some((alb, i)), false) = (s.ingress, s.ports.is_empty()) {
            a.exposed.insert(name.clone(), (s.ports[i % s.ports.len()], alb));
        }
        if let (Some(i), false) = (s.metrics, s.ports.is_empty()) {
            a.metrics.insert(name.clone(), s.ports[i % s.ports.len()]);
        }
    }
    for (name, _) in spec.databases.iter().filter(|(_, (_, d))| d.backup) {
        a.uses.insert(format!("{name}-backup"), BTreeSet::from([name.clone()]));
    }
    a
}

fn tcp_ports(p: &Peer) -> Vec<u16> {
    match p {
        Peer::Pod(pod) => pod.ports.iter().filter(|c| c.proto == Proto::Tcp).map(|c| c.number).collect(),
        _ => Vec::new(),
    }
}

/// The egress the spec asks for from workload `w` to `to` on `port`.
fn egress_asked(a: &Asked, w: &str, to: &(Option<String>, Peer), port: Port) -> bool {
    let dns = matches!(&to.1, Peer::Pod(p) if p.namespace == "kube-system") && port.number == 53;
    let tcp = port.proto == Proto::Tcp;
    let used = to.0.as_ref().is_some_and(|t| a.uses.get(w).is_some_and(|u| u.contains(t)))
        && tcp
        && tcp_ports(&to.1).contains(&port.number);
    let anywhere = tcp && a.anywhere.get(w).is_some_and(|p| p.contains(&port.number));
    let cidr = match &to.1 {
        Peer::Address(IpAddr::V4(ip)) => {
            tcp && a.cidrs.get(w).is_some_and(|c| c.contains(&(ip.octets()[1], port.number))) && ip.octets()[0] == 10
        }
        _ => false,
    };
    let agent = a.agent.contains(w)
        && matches!(&to.1, Peer::Address(IpAddr::V4(ip)) if ip.octets()[..2] == [10, NODES])
        && (port == Port::tcp(8126) || port == Port { proto: Proto::Udp, number: 8125 });
    dns || used || anywhere || cidr || agent
}

/// The ingress the spec asks for to workload `w` from `from` on `port`.
fn ingress_asked(a: &Asked, w: &str, own: &[u16], from: &(Option<String>, Peer), port: Port, ns: (&str, &str)) -> bool {
    let tcp = port.proto == Proto::Tcp;
    let user = from.0.as_ref().is_some_and(|f| a.uses.get(f).is_some_and(|u| u.contains(w)))
        && tcp
        && own.contains(&port.number);
    let in_ns = |n: &str| matches!(&from.1, Peer::Pod(p) if p.namespace == n);
    let exposed = a.exposed.get(w).is_some_and(|(p, alb)| tcp && *p == port.number && (*alb || in_ns(ns.0)));
    let scraped = a.metrics.get(w).is_some_and(|p| tcp && *p == port.number && in_ns(ns.1));
    user || exposed || scraped
}

fn check(spec: &Spec) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("environments")).unwrap();
    std::fs::write(dir.path().join("platform.yaml"), spec.yaml()).unwrap();
    std::fs::write(dir.path().join("environments/dev.yaml"), "namespace: demo-dev\n").unwrap();
    let v = match genk8s::check(dir.path(), Some("dev")) {
        Ok(mut v) => v.remove(0),
        Err(e) => return Err(TestCaseError::fail(format!("{e}\n{}", spec.yaml()))),
    };
    let objects = genk8s::expand::expand(&v);
    let c = Cluster::from_objects(&objects);
    let a = asked(spec);
    let ns =
        (spec.controller.as_deref().unwrap_or("ingress-nginx"), spec.monitoring.as_deref().unwrap_or("monitoring"));
    let mut peers: Vec<(Option<String>, Peer)> =
        c.pods.iter().map(|p| (Some(p.workload.clone()), Peer::Pod(p.pod.clone()))).collect();
    peers.push((None, Peer::pod("kube-system", &[("k8s-app", "kube-dns")])));
    peers.push((None, Peer::pod(ns.0, &[])));
    peers.push((None, Peer::pod(ns.1, &[])));
    peers.push((None, Peer::pod("elsewhere", &[("app", "x")])));
    peers.push((None, Peer::Internet));
    for n in [1, 2, 3, 5, 6, NODES] {
        peers.push((None, Peer::Address(IpAddr::from([10, n, 0, 7]))));
    }
    let mut probe: BTreeSet<u16> = [53, 443, 6443, 1, 8443, 9200, 5432, 587, 8125, 8126].into_iter().collect();
    probe.extend(c.pods.iter().flat_map(|p| p.pod.ports.iter().map(|c| c.number)));
    probe.extend(spec.databases.values().filter_map(|(_, d)| d.external));
    let ports: Vec<Port> = probe.iter().flat_map(|n| [Port::tcp(*n), Port { proto: Proto::Udp, number: *n }]).collect();
    for p in &c.pods {
        let me = Peer::Pod(p.pod.clone());
        for to in peers.iter().filter(|t| t.0.as_deref() != Some(p.workload.as_str())) {
            for port in &ports {
                let (got, want) = (c.egress_allows(&me, &to.1, *port), egress_asked(&a, &p.workload, to, *port));
                prop_assert_eq!(got, want, "egress {} -> {:?} {}\n{}", p.workload, to, port, spec.yaml());
            }
        }
        let own = tcp_ports(&me);
        for from in peers.iter().filter(|f| f.0.as_deref() != Some(p.workload.as_str())) {
            for port in &ports {
                let (got, want) =
                    (c.ingress_allows(&from.1, &me, *port), ingress_asked(&a, &p.workload, &own, from, *port, ns));
                prop_assert_eq!(got, want, "ingress {:?} -> {} {}\n{}", from, p.workload, port, spec.yaml());
            }
        }
    }
    // Every `uses` edge reaches every port of the Service it uses.
    for (name, uses) in &a.uses {
        for pod in c.pods.iter().filter(|p| &p.workload == name) {
            for u in uses {
                let s = c.service(&v.namespace, u).expect("a used workload has a Service");
                for sp in &s.ports {
                    let reach = c.reaches_service(&Peer::Pod(pod.pod.clone()), &v.namespace, u, sp.port);
                    prop_assert_eq!(reach, Some(true), "{} uses {} port {}\n{}", name, u, sp.port, spec.yaml());
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn the_policies_allow_exactly_what_the_spec_asks_for(spec in spec()) {
        check(&spec)?;
    }
}
