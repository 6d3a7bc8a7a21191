//! The evaluator on hand-written policies whose answers are known from the API's documentation.

use super::super::{Cluster, Peer, Port, Proto};
use serde_json::{Value, json};
use std::net::IpAddr;

fn policy(ns: &str, name: &str, spec: Value) -> Value {
    json!({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
           "metadata": {"name": name, "namespace": ns}, "spec": spec})
}

fn deployment(ns: &str, name: &str, ports: Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": ns},
           "spec": {"selector": {"matchLabels": {"app": name}}, "template": {
               "metadata": {"labels": {"app": name}},
               "spec": {"containers": [{"name": name, "image": "x:1", "ports": ports}]}}}})
}

fn cluster(objects: &[Value]) -> Cluster<'static> {
    Cluster::from_values(objects)
}

fn pod_of(c: &Cluster, name: &str) -> Peer {
    Peer::Pod(c.pods.iter().find(|p| p.workload == name).expect("pod").pod.clone())
}

fn ip(s: &str) -> Peer {
    Peer::Address(s.parse::<IpAddr>().unwrap())
}

fn deny_all(ns: &str) -> Value {
    policy(ns, "deny", json!({"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}))
}

#[test]
fn without_policies_everything_is_open() {
    let c = cluster(&[deployment("a", "web", json!([])), deployment("a", "api", json!([]))]);
    assert!(c.allows(&pod_of(&c, "web"), &pod_of(&c, "api"), Port::tcp(1)));
    assert!(c.allows(&pod_of(&c, "web"), &Peer::Internet, Port::tcp(443)));
}

#[test]
fn deny_all_blocks_both_directions_and_only_in_its_namespace() {
    let c = cluster(&[
        deployment("a", "web", json!([])),
        deployment("a", "api", json!([])),
        deployment("b", "other", json!([])),
        deny_all("a"),
    ]);
    let (web, api, other) = (pod_of(&c, "web"), pod_of(&c, "api"), pod_of(&c, "other"));
    assert!(!c.allows(&web, &api, Port::tcp(80)));
    assert!(!c.egress_allows(&web, &Peer::Internet, Port::tcp(443)));
    assert!(!c.ingress_allows(&other, &api, Port::tcp(80)));
    assert!(c.ingress_allows(&web, &other, Port::tcp(80)), "namespace b has no policy: its pods admit everything");
    assert!(!c.allows(&web, &other, Port::tcp(80)), "but web may not send");
    assert!(c.allows(&other, &ip("8.8.8.8"), Port::tcp(53)));
}

#[test]
fn allow_by_label_needs_egress_and_ingress() {
    let ingress = policy(
        "a",
        "api",
        json!({"podSelector": {"matchLabels": {"app": "api"}}, "policyTypes": ["Ingress"],
        "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "web"}}}], "ports": [{"port": 8080}]}]}),
    );
    let egress = policy(
        "a",
        "web",
        json!({"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"],
        "egress": [{"to": [{"podSelector": {"matchExpressions": [{"key": "app", "operator": "In", "values": ["api"]}]}}]}]}),
    );
    let objs = [
        deployment("a", "web", json!([])),
        deployment("a", "api", json!([])),
        deployment("a", "db", json!([])),
        deny_all("a"),
        ingress,
        egress,
    ];
    let c = cluster(&objs);
    let (web, api, db) = (pod_of(&c, "web"), pod_of(&c, "api"), pod_of(&c, "db"));
    assert!(c.allows(&web, &api, Port::tcp(8080)));
    assert!(!c.allows(&web, &api, Port::tcp(8081)), "other port");
    assert!(!c.allows(&web, &api, Port { proto: Proto::Udp, number: 8080 }), "the protocol defaults to TCP");
    assert!(!c.allows(&db, &api, Port::tcp(8080)), "db has no egress rule");
    assert!(!c.allows(&web, &db, Port::tcp(8080)), "db admits nobody");
    // Without web's egress rule, api's ingress alone does not make the connection.
    let c = cluster(&objs[..5]);
    assert!(c.ingress_allows(&pod_of(&c, "web"), &pod_of(&c, "api"), Port::tcp(8080)));
    assert!(!c.allows(&pod_of(&c, "web"), &pod_of(&c, "api"), Port::tcp(8080)));
}

#[test]
fn named_ports_resolve_against_the_destination_pod() {
    let p = policy(
        "a",
        "api",
        json!({"podSelector": {"matchLabels": {"app": "api"}},
        "ingress": [{"ports": [{"port": "http"}]}]}),
    );
    let e = policy(
        "a",
        "web",
        json!({"podSelector": {"matchLabels": {"app": "web"}},
        "egress": [{"ports": [{"port": "http"}]}]}),
    );
    let objs = [
        deployment("a", "web", json!([{"name": "http", "containerPort": 3000}])),
        deployment(
            "a",
            "api",
            json!([{"name": "http", "containerPort": 8000}, {"name": "admin", "containerPort": 9000}]),
        ),
        p,
        e,
    ];
    let c = cluster(&objs);
    let (web, api) = (pod_of(&c, "web"), pod_of(&c, "api"));
    assert!(c.allows(&web, &api, Port::tcp(8000)));
    assert!(!c.allows(&web, &api, Port::tcp(3000)), "web's own http port is not api's");
    assert!(!c.allows(&web, &api, Port::tcp(9000)));
    assert!(!c.egress_allows(&web, &Peer::Internet, Port::tcp(8000)), "a name never matches outside the pod network");
    // The policy without policyTypes governs ingress only; web's has egress rules, so it governs egress too.
    assert!(c.egress_allows(&api, &Peer::Internet, Port::tcp(1)));
}

#[test]
fn port_ranges_include_both_ends() {
    let p = policy(
        "a",
        "w",
        json!({"podSelector": {}, "policyTypes": ["Egress"],
        "egress": [{"ports": [{"port": 32000, "endPort": 32010, "protocol": "UDP"}]}]}),
    );
    let c = cluster(&[deployment("a", "w", json!([])), p]);
    let w = pod_of(&c, "w");
    for (n, ok) in [(31999, false), (32000, true), (32005, true), (32010, true), (32011, false)] {
        assert_eq!(c.egress_allows(&w, &Peer::Internet, Port { proto: Proto::Udp, number: n }), ok, "{n}");
    }
    assert!(!c.egress_allows(&w, &Peer::Internet, Port::tcp(32000)));
}

#[test]
fn ip_blocks_allow_their_addresses_minus_the_exceptions() {
    let p = policy(
        "a",
        "w",
        json!({"podSelector": {}, "policyTypes": ["Egress"], "egress": [
        {"to": [{"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}], "ports": [{"port": 5432}]},
        {"to": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["169.254.169.254/32"]}}], "ports": [{"port": 443}]}]}),
    );
    let c = cluster(&[deployment("a", "w", json!([])), deployment("a", "v", json!([])), p]);
    let w = pod_of(&c, "w");
    assert!(c.egress_allows(&w, &ip("10.2.3.4"), Port::tcp(5432)));
    assert!(!c.egress_allows(&w, &ip("10.1.3.4"), Port::tcp(5432)), "excepted");
    assert!(!c.egress_allows(&w, &ip("11.0.0.1"), Port::tcp(5432)));
    assert!(!c.egress_allows(&w, &Peer::Internet, Port::tcp(5432)), "a host name may resolve outside 10/8");
    assert!(c.egress_allows(&w, &Peer::Internet, Port::tcp(443)), "only a link-local address is excepted");
    assert!(!c.egress_allows(&w, &ip("169.254.169.254"), Port::tcp(443)));
    assert!(!c.egress_allows(&w, &pod_of(&c, "v"), Port::tcp(443)), "pod addresses are not taken to be in an ipBlock");
}

#[test]
fn namespace_selectors_match_the_name_label_and_combine_with_pod_selectors() {
    let p = policy(
        "app",
        "api",
        json!({"podSelector": {"matchLabels": {"app": "api"}}, "policyTypes": ["Ingress"], "ingress": [
        {"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}], "ports": [{"port": 9090}]},
        {"from": [{"namespaceSelector": {"matchLabels": {"team": "edge"}}, "podSelector": {"matchLabels": {"app": "proxy"}}}]}]}),
    );
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "edge", "labels": {"team": "edge"}}});
    let c = cluster(&[deployment("app", "api", json!([])), p, ns]);
    let api = pod_of(&c, "api");
    assert!(c.allows(&Peer::pod("monitoring", &[]), &api, Port::tcp(9090)));
    assert!(!c.allows(&Peer::pod("monitoring", &[]), &api, Port::tcp(8000)));
    assert!(!c.allows(&Peer::pod("other", &[]), &api, Port::tcp(9090)));
    assert!(c.allows(&Peer::pod("edge", &[("app", "proxy")]), &api, Port::tcp(1)), "both selectors hold");
    assert!(!c.allows(&Peer::pod("edge", &[("app", "other")]), &api, Port::tcp(1)), "the pod selector fails");
    assert!(!c.allows(&Peer::pod("app", &[("app", "proxy")]), &api, Port::tcp(1)), "the namespace selector fails");
    assert!(!c.allows(&ip("1.2.3.4"), &api, Port::tcp(9090)), "namespace selectors match pods only");
}

#[test]
fn policies_add_up() {
    let a = policy(
        "a",
        "one",
        json!({"podSelector": {"matchLabels": {"app": "api"}}, "ingress": [{"ports": [{"port": 1}]}]}),
    );
    let b = policy(
        "a",
        "two",
        json!({"podSelector": {"matchLabels": {"app": "api"}}, "ingress": [{"ports": [{"port": 2}]}]}),
    );
    let c = cluster(&[deployment("a", "api", json!([])), a, b]);
    let api = pod_of(&c, "api");
    assert!(c.allows(&Peer::Internet, &api, Port::tcp(1)));
    assert!(c.allows(&Peer::Internet, &api, Port::tcp(2)));
    assert!(!c.allows(&Peer::Internet, &api, Port::tcp(3)));
}

#[test]
fn services_send_to_their_target_ports() {
    let svc = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api", "namespace": "a"},
        "spec": {"selector": {"app": "api"}, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}});
    let ext = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "rds", "namespace": "a"},
        "spec": {"type": "ExternalName", "externalName": "db.example.com", "ports": [{"port": 5432}]}});
    let p = policy(
        "a",
        "api",
        json!({"podSelector": {"matchLabels": {"app": "api"}}, "ingress": [{"ports": [{"port": 8000}]}]}),
    );
    let e = policy(
        "a",
        "web",
        json!({"podSelector": {"matchLabels": {"app": "web"}}, "egress": [{"ports": [{"port": 8000}]}]}),
    );
    let objs = [
        deployment("a", "web", json!([])),
        deployment("a", "api", json!([{"name": "http", "containerPort": 8000}])),
        svc,
        ext,
        p,
        e,
    ];
    let c = cluster(&objs);
    let web = pod_of(&c, "web");
    assert_eq!(c.reaches_service(&web, "a", "api", 80), Some(true));
    assert_eq!(c.reaches_service(&web, "a", "api", 8000), None, "not a port of the Service");
    assert_eq!(c.reaches_service(&web, "a", "nope", 80), None);
    assert_eq!(c.reaches_service(&web, "a", "rds", 5432), Some(false), "web's egress allows 8000 only");
    assert_eq!(c.reaches_service(&pod_of(&c, "api"), "a", "rds", 5432), Some(true), "api's egress is open");
    assert_eq!(
        c.reaches_service(&web, "a", "rds", 8000),
        Some(true),
        "an ExternalName Service is an alias for every port"
    );
}

/// The candidates narrow, never decide: every pod a pod may reach on some port is among them.
#[test]
fn egress_candidates_hold_every_pod_the_policies_let_a_pod_reach() {
    let port = |n: u16| json!([{"containerPort": n}]);
    let objects = [
        deny_all("a"),
        deny_all("b"),
        deployment("a", "web", port(80)),
        deployment("a", "api", port(8080)),
        deployment("a", "db", port(5432)),
        deployment("b", "metrics", port(9090)),
        deployment("b", "other", port(9090)),
        policy(
            "a",
            "web-out",
            json!({"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"],
            "egress": [{"to": [{"podSelector": {"matchLabels": {"app": "api"}}}, {"ipBlock": {"cidr": "10.0.0.0/8"}}]},
                       {"to": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "metrics"}}}]}]}),
        ),
        policy(
            "a",
            "api-out",
            json!({"podSelector": {"matchLabels": {"app": "api"}}, "policyTypes": ["Egress"],
            "egress": [{"to": [{"podSelector": {}}]}]}),
        ),
        policy("a", "in", json!({"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{}]})),
        policy("b", "in", json!({"podSelector": {}, "policyTypes": ["Ingress"], "ingress": [{}]})),
    ];
    let c = cluster(&objects);
    let name = |i: usize| c.pods[i].workload.clone();
    let web = c.pods.iter().find(|p| p.workload == "web").unwrap();
    let got: Vec<String> =
        c.egress_pod_candidates(&web.pod).expect("web's egress names pods").into_iter().map(name).collect();
    assert_eq!(got, ["api", "metrics"], "by label, in its namespace and through a namespace selector");
    let api = c.pods.iter().find(|p| p.workload == "api").unwrap();
    assert_eq!(c.egress_pod_candidates(&api.pod), None, "an empty pod selector may reach any pod");
    for a in &c.pods {
        let from = Peer::Pod(a.pod.clone());
        let Some(candidates) = c.egress_pod_candidates(&a.pod) else { continue };
        for (i, b) in c.pods.iter().enumerate() {
            for p in &b.pod.ports {
                if c.allows(&from, &Peer::Pod(b.pod.clone()), Port { proto: p.proto, number: p.number }) {
                    assert!(candidates.contains(&i), "{} reaches {} but is not a candidate", a.workload, b.workload);
                }
            }
        }
    }
}
