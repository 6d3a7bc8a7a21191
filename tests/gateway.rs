//! Gateway API exposure, run through the binary: the Gateway genk8s writes (a TLS
//! listener per host, the HTTP → HTTPS redirect), routes with their matches and filters,
//! backend weights of rollouts, network paths to the gateway and to ACME solvers, and
//! host conflicts. Output is read back as JSON values so assertions look at structure.

use assert_cmd::Command;
use genk8s::yaml::{Node, NodeKind, parse};
use serde_json::{Value, json};

mod common;
use common::write;

fn to_json(n: &Node) -> Value {
    match &n.kind {
        NodeKind::Null => Value::Null,
        NodeKind::Scalar { text, plain } => match (plain, text.parse::<i64>()) {
            (true, Ok(i)) => json!(i),
            _ => json!(text),
        },
        NodeKind::Seq(v) => Value::Array(v.iter().map(to_json).collect()),
        NodeKind::Map(e) => Value::Object(e.iter().map(|e| (e.key.clone(), to_json(&e.value))).collect()),
    }
}

fn run(base: &str) -> std::process::Output {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), base);
    Command::cargo_bin("genk8s").unwrap().args(["build", "dev", "-p"]).arg(t.path()).output().unwrap()
}

fn build(base: &str) -> Vec<Value> {
    let out = run(base);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    text.split("---\n").filter(|d| !d.trim().is_empty()).map(|d| to_json(&parse(d, 0).unwrap())).collect()
}

fn fail(base: &str) -> String {
    let out = run(base);
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(out.stdout.is_empty());
    String::from_utf8(out.stderr).unwrap()
}

fn find<'a>(objs: &'a [Value], kind: &str, name: &str) -> &'a Value {
    objs.iter()
        .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind}/{name}"))
}

fn has(objs: &[Value], kind: &str, name: &str) -> bool {
    objs.iter().any(|o| o["kind"] == kind && o["metadata"]["name"] == name)
}

const GATEWAY: &str = r#"
platform: shop
domain: shop.example.com
issuers:
  letsencrypt: {email: ops@example.com}
gateway:
  class: eg
  issuer: letsencrypt
  data_plane_namespace: envoy-gateway-system
services:
"#;

const WEB: &str = r#"
  web:
    image: x/web:1
    ports: {http: {container: 8080, service: 80}, metrics: 9000}
    route:
      hosts: ["@", www]
      response_headers: {X-Frame-Options: DENY, Strict-Transport-Security: max-age=31536000}
      timeout: 30s
"#;

#[test]
fn a_written_gateway_has_a_tls_listener_per_host_and_redirects_http() {
    let api = "  api:\n    image: x/api:1\n    ports: {http: 8000}\n    route: {hosts: [api, www], path: /v1, headers: {x-tenant: a}}\n";
    let objs = build(&format!("{GATEWAY}{WEB}{api}"));
    let gw = find(&objs, "Gateway", "shop");
    assert_eq!(gw["apiVersion"], "gateway.networking.k8s.io/v1");
    assert_eq!(gw["metadata"]["annotations"]["cert-manager.io/cluster-issuer"], "letsencrypt");
    assert_eq!(gw["spec"]["gatewayClassName"], "eg");
    let listeners = gw["spec"]["listeners"].as_array().unwrap();
    assert_eq!(listeners[0], json!({"name": "http", "port": 80, "protocol": "HTTP"}));
    let https: Vec<(&str, &str)> = listeners[1..]
        .iter()
        .map(|l| {
            assert_eq!((l["protocol"].as_str(), l["port"].as_i64()), (Some("HTTPS"), Some(443)));
            assert_eq!(l["tls"]["mode"], "Terminate");
            (l["hostname"].as_str().unwrap(), l["tls"]["certificateRefs"][0]["name"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        https,
        [
            ("api.shop.example.com", "api-shop-example-com-tls"),
            ("shop.example.com", "shop-example-com-tls"),
            ("www.shop.example.com", "www-shop-example-com-tls"),
        ],
        "one listener and one certificate per host, a host two services share listed once"
    );
    let redirect = find(&objs, "HTTPRoute", "shop-https-redirect");
    assert_eq!(redirect["spec"]["parentRefs"][0]["sectionName"], "http");
    assert_eq!(
        redirect["spec"]["rules"][0]["filters"][0],
        json!({"type": "RequestRedirect", "requestRedirect": {"scheme": "https", "statusCode": 301}})
    );
    let web = find(&objs, "HTTPRoute", "web");
    let sections: Vec<&Value> =
        web["spec"]["parentRefs"].as_array().unwrap().iter().map(|p| &p["sectionName"]).collect();
    assert_eq!(
        sections,
        [&json!("https-shop.example.com"), &json!("https-www.shop.example.com")],
        "HTTPS listeners only"
    );
    let issuer = find(&objs, "ClusterIssuer", "letsencrypt");
    let solver = &issuer["spec"]["acme"]["solvers"][0]["http01"]["gatewayHTTPRoute"]["parentRefs"][0];
    assert_eq!(
        (&solver["name"], &solver["namespace"], &solver["sectionName"]),
        (&json!("shop"), &serde_json::Value::Null, &json!("http")),
        "the Certificate's namespace, which is the Gateway's"
    );
    let api = find(&objs, "HTTPRoute", "api");
    let m = &api["spec"]["rules"][0]["matches"][0];
    assert_eq!(m["path"], json!({"type": "PathPrefix", "value": "/v1"}));
    assert_eq!(m["headers"], json!([{"type": "Exact", "name": "x-tenant", "value": "a"}]));
}

#[test]
fn route_filters_and_timeouts_become_the_rule_of_an_http_route() {
    let objs = build(&format!("{GATEWAY}{WEB}"));
    let rule = &find(&objs, "HTTPRoute", "web")["spec"]["rules"][0];
    assert_eq!(rule["timeouts"], json!({"request": "30s"}));
    assert_eq!(rule["backendRefs"], json!([{"name": "web", "port": 80, "weight": 100}]), "the Service port");
    let set = &rule["filters"][0]["responseHeaderModifier"]["set"];
    assert_eq!(
        set,
        &json!([{"name": "Strict-Transport-Security", "value": "max-age=31536000"}, {"name": "X-Frame-Options", "value": "DENY"}])
    );
    let redirect = "  old:\n    image: x/old:1\n    ports: {http: 80}\n    route: {hosts: [old], path: /docs, redirect: {hostname: docs.example.com, path: /, status: 301}}\n";
    let rewrite = "  api:\n    image: x/api:1\n    ports: {http: 80}\n    route: {hosts: [api], path: /api, method: POST, rewrite: {path: /}}\n";
    let objs = build(&format!("{GATEWAY}{redirect}{rewrite}"));
    let old = &find(&objs, "HTTPRoute", "old")["spec"]["rules"][0];
    assert_eq!(
        old["filters"][0],
        json!({"type": "RequestRedirect", "requestRedirect": {"hostname": "docs.example.com", "path": {"type": "ReplacePrefixMatch", "replacePrefixMatch": "/"}, "statusCode": 301}})
    );
    assert!(old.get("backendRefs").is_none(), "a redirect forwards nothing");
    let api = &find(&objs, "HTTPRoute", "api")["spec"]["rules"][0];
    assert_eq!(api["matches"][0]["method"], "POST");
    assert_eq!(api["filters"][0]["type"], "URLRewrite");
    assert_eq!(api["filters"][0]["urlRewrite"]["path"]["replacePrefixMatch"], "/");
}

#[test]
fn rollout_weights_add_up_and_the_idle_track_can_scale_to_zero() {
    let canary = format!("{GATEWAY}{WEB}    rollout: {{canary: {{weight: 15, tag: '2'}}}}\n");
    let objs = build(&canary);
    let backends = find(&objs, "HTTPRoute", "web")["spec"]["rules"][0]["backendRefs"].as_array().unwrap().clone();
    let weights: Vec<(&str, i64)> =
        backends.iter().map(|b| (b["name"].as_str().unwrap(), b["weight"].as_i64().unwrap())).collect();
    assert_eq!(weights, [("web", 85), ("web-canary", 15)]);
    assert!(!has(&objs, "Ingress", "web-canary"), "no nginx annotations needed");
    let bg = format!(
        "{GATEWAY}{WEB}    rollout: {{blue_green: {{live: green, idle_replicas: 0}}}}\n    autoscale: {{min: 5, max: 10, cpu: 70}}\n"
    );
    let objs = build(&bg);
    let backends = &find(&objs, "HTTPRoute", "web")["spec"]["rules"][0]["backendRefs"];
    assert_eq!(backends[0]["name"], "web");
    assert_eq!(backends[1]["name"], "web-preview");
    assert_eq!(backends[0]["weight"].as_i64().unwrap() + backends[1]["weight"].as_i64().unwrap(), 100);
    let preview = &find(&objs, "HTTPRoute", "web")["spec"]["rules"][1];
    assert_eq!(
        preview["matches"][0]["headers"],
        json!([{"type": "Exact", "name": "x-genk8s-preview", "value": "true"}])
    );
    assert_eq!(
        preview["backendRefs"],
        json!([{"name": "web-preview", "port": 80, "weight": 100}]),
        "the idle colour, on request"
    );
    assert_eq!(find(&objs, "Deployment", "web-blue")["spec"]["replicas"], 0, "the idle colour scaled to zero");
    assert!(find(&objs, "Deployment", "web-green")["spec"].get("replicas").is_none(), "the live colour is autoscaled");
    assert!(has(&objs, "HorizontalPodAutoscaler", "web-green") && !has(&objs, "HorizontalPodAutoscaler", "web-blue"));
}

fn ingress_from(policy: &Value) -> Vec<(Value, Value)> {
    let rules = policy["spec"]["ingress"].as_array().cloned().unwrap_or_default();
    rules.iter().map(|r| (r["from"].clone(), r["ports"].clone())).collect()
}

fn from_namespace(ns: &str) -> Value {
    json!([{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": ns}}}])
}

#[test]
fn network_policies_admit_the_data_plane_on_the_routed_port_and_acme_solvers() {
    let objs = build(&format!("{GATEWAY}{WEB}"));
    let web = find(&objs, "NetworkPolicy", "web");
    assert_eq!(
        ingress_from(web),
        [(from_namespace("envoy-gateway-system"), json!([{"port": 8080, "protocol": "TCP"}]))],
        "the routed port only, not metrics"
    );
    let solvers = find(&objs, "NetworkPolicy", "acme-http01-solver");
    assert_eq!(solvers["spec"]["podSelector"]["matchLabels"], json!({"acme.cert-manager.io/http01-solver": "true"}));
    assert_eq!(solvers["spec"]["policyTypes"], json!(["Ingress"]));
    assert_eq!(
        ingress_from(solvers),
        [(from_namespace("envoy-gateway-system"), json!([{"port": 8089, "protocol": "TCP"}]))]
    );
}

#[test]
fn acme_solvers_are_reachable_for_tls_ingresses_too() {
    let base = "platform: t\ndomain: t.example.com\ningress: {class: nginx, issuer: le}\nservices:\n  web:\n    image: x/web:1\n    ports: {http: 80}\n    ingress: {hosts: [www]}\n";
    let objs = build(base);
    let solvers = find(&objs, "NetworkPolicy", "acme-http01-solver");
    assert_eq!(ingress_from(solvers), [(from_namespace("ingress-nginx"), json!([{"port": 8089, "protocol": "TCP"}]))]);
    // An ALB with a cert-manager issuer is refused (an ALB serves ACM certificates only:
    // tests/bad/683), so no ALB ingress asks for an HTTP-01 solver.
    let dns_only = format!("{base}issuers:\n  le: {{email: a@b.c, cloudflare: {{secret: cf, key: token}}}}\n");
    assert!(!has(&build(&dns_only), "NetworkPolicy", "acme-http01-solver"), "dns01 needs no path");
    let plain = "platform: t\ndomain: t.example.com\nservices:\n  web:\n    image: x/web:1\n    ports: {http: 80}\n    ingress: {hosts: [www]}\n";
    assert!(!has(&build(plain), "NetworkPolicy", "acme-http01-solver"), "no TLS, no solver");
}

#[test]
fn an_existing_gateway_is_referenced_not_written() {
    let base = "platform: t\ndomain: t.example.com\ngateway: {existing: {name: shared, namespace: infra, section: https}}\nservices:\n  api:\n    image: x/api:1\n    ports: {grpc: 9090}\n    route: {hosts: [api], method: shop.Cart/Add}\n";
    let objs = build(base);
    assert!(!objs.iter().any(|o| o["kind"] == "Gateway"));
    assert!(!has(&objs, "NetworkPolicy", "acme-http01-solver"), "the Gateway's owner handles its certificates");
    let route = find(&objs, "GRPCRoute", "api");
    assert_eq!(
        route["spec"]["parentRefs"],
        json!([{"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "shared", "namespace": "infra", "sectionName": "https"}])
    );
    assert_eq!(
        route["spec"]["rules"][0]["matches"][0]["method"],
        json!({"type": "Exact", "service": "shop.Cart", "method": "Add"})
    );
    assert_eq!(
        ingress_from(find(&objs, "NetworkPolicy", "api")),
        [(from_namespace("infra"), json!([{"port": 9090, "protocol": "TCP"}]))]
    );
}

#[test]
fn two_services_on_one_host_and_path_are_refused_at_both_places() {
    let other = "  blog:\n    image: x/blog:1\n    ports: {http: 80}\n    ingress: {hosts: [www]}\n";
    let err = fail(&format!("{GATEWAY}{WEB}{other}"));
    assert!(err.contains("platform.yaml:16:20: `www.shop.example.com/` is already routed to service `blog`"), "{err}");
    assert!(err.contains("platform.yaml:22:23: `www.shop.example.com/` is also claimed by service `web`"), "{err}");
    let headed =
        "  beta:\n    image: x/beta:1\n    ports: {http: 80}\n    route: {hosts: [www], headers: {x-beta: '1'}}\n";
    build(&format!("{GATEWAY}{WEB}{headed}"));
}

#[test]
fn route_mistakes_are_located_with_what_to_write() {
    let err = fail(
        "platform: t\ndomain: t.io\nservices:\n  a:\n    image: x/a:1\n    ports: {http: 80}\n    route: {hosts: [a], path_type: Prefix, method: FETCH}\n",
    );
    assert!(err.contains("a route needs the platform's gateway"), "{err}");
    assert!(err.contains("unknown path type `Prefix`") && err.contains("write PathPrefix or Exact"), "{err}");
    assert!(err.contains("`FETCH` is not an HTTP method"), "{err}");
    let err = fail(&format!(
        "{GATEWAY}  g:\n    image: x/g:1\n    ports: {{grpc: 9090}}\n    route: {{hosts: [g], path: /x, timeout: 5s}}\n"
    ));
    assert!(err.contains("a gRPC route (its port is named grpc) has no `path`"), "{err}");
    assert!(err.contains("has no `timeout`"), "{err}");
    let err = fail("platform: t\ngateway: {class: eg}\nservices: {}\n");
    assert!(err.contains("data-plane namespace is not known") && err.contains("data_plane_namespace"), "{err}");
    let err = fail(&format!(
        "{GATEWAY}  x:\n    image: x/x:1\n    ports: {{http: 80}}\n    route: {{hosts: [x], path_type: Exact, path: /a, rewrite: {{path: /b}}}}\n"
    ));
    assert!(err.contains("this route matches an exact path"), "{err}");
}

#[test]
fn one_cluster_issuer_serves_the_gateway_of_every_environment() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        "platform: shop\ndomain: shop.example.com\nissuers: {le: {email: ops@example.com}}\n\
         gateway: {class: eg, issuer: le, data_plane_namespace: envoy-gateway-system}\nservices:\n  web:\n    image: x/web:1\n    ports: {http: 3000}\n\
         \x20   route: {hosts: [www]}\n",
    );
    std::fs::write(t.path().join("environments/prod.yaml"), "namespace: shop\n").unwrap();
    let out = t.path().join("deploy");
    let run =
        Command::cargo_bin("genk8s").unwrap().args(["build", "--all", "-p"]).arg(t.path()).arg("-o").arg(&out).output();
    let run = run.unwrap();
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let issuer = std::fs::read_to_string(out.join("cluster/clusterissuer-le.yaml")).unwrap();
    assert!(issuer.contains("sectionName: http") && !issuer.contains("namespace:"), "{issuer}");
}
