//! Ingresses of class `alb` (AWS Load Balancer Controller), on the bundled Flexdesk
//! platform: the HTTPS listener from `certificate_arn`, the HTTP → HTTPS redirect, and
//! the prod canary as one weighted forward action, read back from the emitted JSON.

use assert_cmd::Command;
use genk8s::yaml::{Node, NodeKind, parse};
use serde_json::Value;

fn objects(env: &str) -> Vec<Node> {
    let out = Command::cargo_bin("genk8s").unwrap().args(["build", env, "-p", "platforms/flexdesk"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    text.split("---\n").filter(|d| !d.trim().is_empty()).map(|d| parse(d, 0).unwrap()).collect()
}

fn text<'a>(n: &'a Node, p: &[&str]) -> Option<&'a str> {
    p.iter().try_fold(n, |n, k| n.get(k)).and_then(Node::as_str)
}

fn of_kind<'a>(objs: &'a [Node], kind: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
    objs.iter().filter(move |o| text(o, &["kind"]) == Some(kind))
}

fn seq(n: Option<&Node>) -> Vec<&Node> {
    match n.map(|n| &n.kind) {
        Some(NodeKind::Seq(v)) => v.iter().collect(),
        _ => Vec::new(),
    }
}

fn annotation<'a>(ing: &'a Node, key: &str) -> Option<&'a str> {
    ing.get("metadata").and_then(|m| m.get("annotations")).and_then(|a| a.get(key)).and_then(Node::as_str)
}

/// The Service ports (numbers) of Service `name`, if the build has it.
fn service_ports(objs: &[Node], name: &str) -> Option<Vec<String>> {
    let s = of_kind(objs, "Service").find(|s| text(s, &["metadata", "name"]) == Some(name))?;
    Some(
        seq(s.get("spec").and_then(|s| s.get("ports")))
            .iter()
            .filter_map(|p| text(p, &["port"]))
            .map(String::from)
            .collect(),
    )
}

/// The only backend of the only rule: (service name, port name).
fn backend(ing: &Node) -> (String, String) {
    let rule = seq(ing.get("spec").and_then(|s| s.get("rules")))[0];
    let path = seq(rule.get("http").and_then(|h| h.get("paths")))[0];
    let name = text(path, &["backend", "service", "name"]).unwrap().to_string();
    (name, text(path, &["backend", "service", "port", "name"]).unwrap().to_string())
}

#[test]
fn every_environment_listens_on_https_and_redirects_http() {
    for env in ["dev", "staging", "prod"] {
        let objs = objects(env);
        let ingresses: Vec<&Node> = of_kind(&objs, "Ingress").collect();
        assert_eq!(ingresses.len(), 1, "{env}: one Ingress, no nginx canary Ingress");
        let ing = ingresses[0];
        assert_eq!(text(ing, &["spec", "ingressClassName"]), Some("alb"));
        let arn = annotation(ing, "alb.ingress.kubernetes.io/certificate-arn").expect("a certificate");
        assert!(arn.starts_with("arn:aws:acm:af-south-1:"), "{arn}");
        let ports: Value =
            serde_json::from_str(annotation(ing, "alb.ingress.kubernetes.io/listen-ports").unwrap()).unwrap();
        let listeners: Vec<(String, u64)> = (ports.as_array().unwrap().iter())
            .flat_map(|p| p.as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_u64().unwrap())))
            .collect();
        assert_eq!(listeners, [("HTTP".to_string(), 80), ("HTTPS".to_string(), 443)], "{env}");
        // The redirect's port must be an HTTPS port of listen-ports (the controller's rule).
        let redirect: u64 = annotation(ing, "alb.ingress.kubernetes.io/ssl-redirect").unwrap().parse().unwrap();
        assert!(listeners.contains(&("HTTPS".to_string(), redirect)), "{env}: {redirect}");
        assert!(ing.get("spec").unwrap().get("tls").is_none(), "{env}: an ALB takes no cert-manager Secret");
    }
}

#[test]
fn the_prod_canary_is_a_weighted_forward_action_over_existing_services() {
    let objs = objects("prod");
    let ing = of_kind(&objs, "Ingress").next().unwrap();
    let (action, port) = backend(ing);
    assert_eq!(port, "use-annotation");
    let body =
        annotation(ing, &format!("alb.ingress.kubernetes.io/actions.{action}")).expect("the action of the backend");
    let body: Value = serde_json::from_str(body).unwrap();
    assert_eq!(body["type"], "forward");
    let groups = body["forwardConfig"]["targetGroups"].as_array().unwrap();
    let weights: Vec<i64> = groups.iter().map(|g| g["weight"].as_i64().unwrap()).collect();
    assert_eq!(weights.iter().sum::<i64>(), 100, "{body}");
    assert_eq!(weights, [90, 10], "the seed's 10% to the new track");
    for g in groups {
        let (name, port) = (g["serviceName"].as_str().unwrap(), g["servicePort"].as_str().unwrap());
        let ports = service_ports(&objs, name).unwrap_or_else(|| panic!("no Service {name}"));
        assert!(ports.iter().any(|p| p == port), "Service {name} has ports {ports:?}, not {port}");
    }
    assert_eq!(groups[1]["serviceName"], "flexdesk-backend-canary");
    let canary =
        of_kind(&objs, "Deployment").find(|d| text(d, &["metadata", "name"]) == Some("flexdesk-backend-canary"));
    assert!(canary.is_some(), "the canary track runs");
}

#[test]
fn without_a_canary_the_backend_is_the_service() {
    let objs = objects("dev");
    let ing = of_kind(&objs, "Ingress").next().unwrap();
    assert_eq!(backend(ing), ("flexdesk-backend-service".to_string(), "http".to_string()));
    let actions = ["metadata", "annotations"].iter().try_fold(ing, |n, k| n.get(k)).map(|a| match &a.kind {
        NodeKind::Map(m) => m.iter().filter(|e| e.key.contains("/actions.")).count(),
        _ => 0,
    });
    assert_eq!(actions, Some(0));
}

#[test]
fn a_forward_action_to_a_port_the_service_lost_is_gk023() {
    let t = tempfile::tempdir().unwrap();
    for f in ["platform.yaml", "environments/dev.yaml", "environments/staging.yaml", "environments/prod.yaml"] {
        std::fs::create_dir_all(t.path().join("environments")).unwrap();
        std::fs::copy(std::path::Path::new("platforms/flexdesk").join(f), t.path().join(f)).unwrap();
    }
    let lint = || {
        let out = Command::cargo_bin("genk8s").unwrap().args(["lint", "prod", "-p"]).arg(t.path()).output().unwrap();
        (out.status.code(), String::from_utf8(out.stdout).unwrap())
    };
    let (code, out) = lint();
    assert_eq!(code, Some(0), "{out}");
    assert!(out.ends_with("\n0 finding(s) at or above warning\n") && !out.contains("GK023"), "{out}");
    let prod = t.path().join("environments/prod.yaml");
    let patch = "patches:\n  Service/flexdesk-backend-canary:\n    json: [{op: replace, path: /spec/ports/0/port, value: 8080}]\n";
    std::fs::write(&prod, std::fs::read_to_string(&prod).unwrap() + patch).unwrap();
    let (code, out) = lint();
    assert_eq!(code, Some(1), "{out}");
    let line = "prod: Ingress/flexdesk-backend [GK023 error] `alb.ingress.kubernetes.io/actions.flexdesk-backend-weighted` forwards to port 80 of `flexdesk-backend-canary`, which does not serve it\n";
    assert!(out.contains(line), "{out}");
}
