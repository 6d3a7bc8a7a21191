//! Lint rule GK023 for Ingresses of class `alb` (dispatched from [`crate::lint`]): a
//! backend whose port is `use-annotation` has its action annotation, the action is JSON
//! the AWS Load Balancer Controller reads, and a forward action's target groups are
//! Services of the build on ports they serve, not all at weight 0.

use crate::expand::Object;
use k8s_openapi::api::networking::v1::Ingress;
use serde_json::Value;
use std::collections::BTreeMap;

const ACTIONS: &str = "alb.ingress.kubernetes.io/actions.";

/// Service name → its ports (number, name).
type Ports<'a> = BTreeMap<&'a str, Vec<(i64, Option<&'a str>)>>;

/// Pushes a GK023 finding for each ALB action that goes nowhere.
pub fn check(objects: &[Object], push: &mut dyn FnMut(&Object, &'static str, String)) {
    let alb = |o: &Object| o.kind == "Ingress" && ingress_class(o) == Some("alb");
    // Services are read only when an ALB Ingress names them.
    if !objects.iter().any(alb) {
        return;
    }
    let ports: Ports = (objects.iter().filter(|o| o.kind == "Service"))
        .map(|o| (o.name.as_str(), crate::lint_routes::service_ports(o)))
        .collect();
    let albs = objects.iter().filter(|o| alb(o));
    for ing in albs {
        let rules = ing.value().pointer("/spec/rules").and_then(Value::as_array).into_iter().flatten();
        let paths = rules.flat_map(|r| r.pointer("/http/paths").and_then(Value::as_array).into_iter().flatten());
        let mut seen = Vec::new();
        for b in paths.filter_map(|p| p.pointer("/backend/service")) {
            let name = b.get("name").and_then(Value::as_str).unwrap_or_default();
            if b.pointer("/port/name").and_then(Value::as_str) != Some("use-annotation") || seen.contains(&name) {
                continue;
            }
            seen.push(name);
            for message in action_problems(ing, name, &ports) {
                push(ing, "GK023", message);
            }
        }
    }
}

/// An Ingress's `spec.ingressClassName`, from the typed object while it has one (lint does
/// not build the JSON form of every Ingress to find the few of class `alb`).
pub(crate) fn ingress_class(o: &Object) -> Option<&str> {
    match o.typed::<Ingress>() {
        Some(i) => i.spec.as_ref()?.ingress_class_name.as_deref(),
        None => o.value().pointer("/spec/ingressClassName")?.as_str(),
    }
}

/// What is wrong with the action `name` of Ingress `ing`.
fn action_problems(ing: &Object, name: &str, ports: &Ports) -> Vec<String> {
    let key = format!("{ACTIONS}{name}");
    let Some(text) = ing.value().pointer("/metadata/annotations").and_then(|a| a.get(&key)).and_then(Value::as_str)
    else {
        return vec![format!("backend `{name}` has port use-annotation, but the Ingress has no `{key}`")];
    };
    let Ok(action) = serde_json::from_str::<Value>(text) else {
        return vec![format!("`{key}` is not JSON")];
    };
    if action.get("type").and_then(Value::as_str) != Some("forward") {
        return Vec::new();
    }
    let groups = action.pointer("/forwardConfig/targetGroups").and_then(Value::as_array).map_or(&[][..], Vec::as_slice);
    let mut out = Vec::new();
    for g in groups {
        let service = g.get("serviceName").and_then(Value::as_str).unwrap_or_default();
        let port = match g.get("servicePort") {
            Some(Value::String(s)) => s.clone(),
            Some(v) => v.to_string(),
            None => String::new(),
        };
        match ports.get(service) {
            None => out.push(format!("`{key}` forwards to `{service}`, which is not a Service of this build")),
            Some(p) if !p.iter().any(|(n, name)| n.to_string() == port || *name == Some(port.as_str())) => {
                out.push(format!("`{key}` forwards to port {port} of `{service}`, which does not serve it"));
            }
            Some(_) => {}
        }
    }
    let total: i64 = groups.iter().map(|g| g.get("weight").and_then(Value::as_i64).unwrap_or(1)).sum();
    if !groups.is_empty() && total == 0 {
        out.push(format!("`{key}` gives every target group weight 0, so the ALB answers 503 to every request"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(kind: &str, name: &str, value: Value) -> Object {
        Object::from_value(kind.into(), name.into(), None, value)
    }

    fn findings(action: Option<Value>) -> Vec<String> {
        let services = ["web", "web-canary"]
            .map(|n| obj("Service", n, json!({"spec": {"ports": [{"name": "http", "port": 80}]}})));
        let annotations = match action {
            Some(a) => json!({"alb.ingress.kubernetes.io/actions.web-weighted": a.to_string()}),
            None => json!({}),
        };
        let ing = obj(
            "Ingress",
            "web",
            json!({"metadata": {"annotations": annotations}, "spec": {"ingressClassName": "alb",
            "rules": [{"host": "a", "http": {"paths": [{"backend": {"service": {"name": "web-weighted", "port": {"name": "use-annotation"}}}}]}}]}}),
        );
        let mut out = Vec::new();
        let mut objects = services.to_vec();
        objects.push(ing);
        check(&objects, &mut |_, id, m| out.push(format!("{id} {m}")));
        out
    }

    fn forward(groups: Value) -> Option<Value> {
        Some(json!({"type": "forward", "forwardConfig": {"targetGroups": groups}}))
    }

    #[test]
    fn actions_must_exist_and_forward_to_served_ports_with_weight() {
        let good = json!([{"serviceName": "web", "servicePort": "80", "weight": 90},
                          {"serviceName": "web-canary", "servicePort": "http", "weight": 10}]);
        assert_eq!(findings(forward(good)), Vec::<String>::new());
        assert_eq!(
            findings(None),
            [
                "GK023 backend `web-weighted` has port use-annotation, but the Ingress has no `alb.ingress.kubernetes.io/actions.web-weighted`"
            ]
        );
        let bad = json!([{"serviceName": "web", "servicePort": "8080", "weight": 0},
                         {"serviceName": "gone", "servicePort": "80", "weight": 0}]);
        assert_eq!(
            findings(forward(bad)),
            [
                "GK023 `alb.ingress.kubernetes.io/actions.web-weighted` forwards to port 8080 of `web`, which does not serve it",
                "GK023 `alb.ingress.kubernetes.io/actions.web-weighted` forwards to `gone`, which is not a Service of this build",
                "GK023 `alb.ingress.kubernetes.io/actions.web-weighted` gives every target group weight 0, so the ALB answers 503 to every request",
            ]
        );
    }
}
