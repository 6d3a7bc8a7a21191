//! Lint rule GK019 for Gateway API routes (dispatched from [`crate::lint`]): every
//! HTTPRoute and GRPCRoute sends its traffic to Services of the build, on ports they
//! serve, and not all of a rule's weights are 0.

use crate::expand::Object;
use k8s_openapi::api::core::v1::Service;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

/// Pushes a GK019 finding for each route backend that goes nowhere.
pub fn check(objects: &[Object], push: &mut dyn FnMut(&Object, &'static str, String)) {
    // Services are read only when a route names them.
    if !objects.iter().any(|o| o.kind == "HTTPRoute" || o.kind == "GRPCRoute") {
        return;
    }
    let ports: BTreeMap<&str, BTreeSet<i64>> = (objects.iter().filter(|o| o.kind == "Service"))
        .map(|o| (o.name.as_str(), service_ports(o).into_iter().map(|(port, _)| port).collect()))
        .collect();
    for route in objects.iter().filter(|o| o.kind == "HTTPRoute" || o.kind == "GRPCRoute") {
        let rules = route.value().pointer("/spec/rules").and_then(Value::as_array).into_iter().flatten();
        for (i, rule) in rules.enumerate() {
            let Some(backends) = rule.get("backendRefs").and_then(Value::as_array) else { continue };
            for b in backends {
                let name = b.get("name").and_then(Value::as_str).unwrap_or_default();
                let port = b.get("port").and_then(Value::as_i64).unwrap_or_default();
                match ports.get(name) {
                    None => push(
                        route,
                        "GK019",
                        format!("rule {i} sends traffic to `{name}`, which is not a Service of this build"),
                    ),
                    Some(p) if !p.contains(&port) => push(
                        route,
                        "GK019",
                        format!("rule {i} sends traffic to port {port} of `{name}`, which does not serve it"),
                    ),
                    Some(_) => {}
                }
            }
            let total: i64 = backends.iter().map(|b| b.get("weight").and_then(Value::as_i64).unwrap_or(1)).sum();
            if !backends.is_empty() && total == 0 {
                push(
                    route,
                    "GK019",
                    format!("rule {i} gives every backend weight 0, so it answers 500 to every request"),
                );
            }
        }
    }
}

/// A Service's ports (number, name), from the typed object while it has one (so a route
/// does not make lint build the JSON form of every Service).
pub(crate) fn service_ports(o: &Object) -> Vec<(i64, Option<&str>)> {
    if let Some(s) = o.typed::<Service>() {
        let ports = s.spec.as_ref().and_then(|s| s.ports.as_ref()).into_iter().flatten();
        return ports.map(|p| (i64::from(p.port), p.name.as_deref())).collect();
    }
    (o.value().pointer("/spec/ports").and_then(Value::as_array).into_iter().flatten())
        .filter_map(|p| Some((p.get("port")?.as_i64()?, p.get("name").and_then(Value::as_str))))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(kind: &str, name: &str, value: Value) -> Object {
        Object::from_value(kind.into(), name.into(), None, value)
    }

    #[test]
    fn backends_must_exist_serve_the_port_and_carry_weight() {
        let svc = obj("Service", "web", json!({"spec": {"ports": [{"port": 80}]}}));
        let route = |backends: Value| obj("HTTPRoute", "web", json!({"spec": {"rules": [{"backendRefs": backends}]}}));
        let findings = |r: Object| {
            let mut out = Vec::new();
            check(&[svc.clone(), r], &mut |_, id, m| out.push(format!("{id} {m}")));
            out
        };
        assert!(findings(route(json!([{"name": "web", "port": 80, "weight": 100}]))).is_empty());
        assert_eq!(
            findings(route(
                json!([{"name": "web", "port": 8080, "weight": 90}, {"name": "gone", "port": 80, "weight": 10}])
            )),
            [
                "GK019 rule 0 sends traffic to port 8080 of `web`, which does not serve it",
                "GK019 rule 0 sends traffic to `gone`, which is not a Service of this build"
            ]
        );
        assert_eq!(
            findings(route(json!([{"name": "web", "port": 80, "weight": 0}]))),
            ["GK019 rule 0 gives every backend weight 0, so it answers 500 to every request"]
        );
    }
}
