//! The last pass over the recognised spec: leave out what the spec's defaults
//! already say, and lift what every service shares to the platform.

use serde_json::{Map, Value};

/// cert-manager's ACME server genk8s uses when `server:` is not set.
const DEFAULT_ACME: &str = "https://acme-v02.api.letsencrypt.org/directory";

pub fn tidy(spec: &mut Map<String, Value>) {
    if let Some(Value::Object(services)) = spec.get_mut("services") {
        for svc in services.values_mut().filter_map(Value::as_object_mut) {
            if svc.contains_key("autoscale") {
                svc.remove("replicas");
            }
        }
    }
    if let Some(Value::Object(issuers)) = spec.get_mut("issuers") {
        for iss in issuers.values_mut().filter_map(Value::as_object_mut) {
            if iss.get("server").and_then(Value::as_str) == Some(DEFAULT_ACME) {
                iss.remove("server");
            }
        }
    }
    lift_ingress(spec);
}

/// An ingress `class` and `issuer` every exposed service shares become the platform's `ingress:`.
fn lift_ingress(spec: &mut Map<String, Value>) {
    let Some(Value::Object(services)) = spec.get("services") else { return };
    let ingresses: Vec<&Map<String, Value>> =
        services.values().filter_map(|s| s.get("ingress")).filter_map(Value::as_object).collect();
    if ingresses.is_empty() {
        return;
    }
    let mut lifted = Map::new();
    for key in ["class", "issuer"] {
        let first = ingresses[0].get(key);
        if first.is_some() && ingresses.iter().all(|i| i.get(key) == first) {
            lifted.insert(key.to_string(), first.cloned().unwrap_or(Value::Null));
        }
    }
    if lifted.is_empty() {
        return;
    }
    if let Some(Value::Object(services)) = spec.get_mut("services") {
        for ing in services.values_mut().filter_map(|s| s.get_mut("ingress")).filter_map(Value::as_object_mut) {
            for k in lifted.keys() {
                ing.remove(k);
            }
        }
    }
    spec.insert("ingress".into(), Value::Object(lifted));
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn shared_ingress_settings_are_lifted_and_defaults_left_out() {
        let mut spec = json!({
            "services": {
                "a": {"replicas": 3, "autoscale": {"min": 3, "max": 5}, "ingress": {"class": "nginx", "issuer": "le", "hosts": ["a.x"]}},
                "b": {"replicas": 2, "ingress": {"class": "nginx", "issuer": "other", "hosts": ["b.x"]}},
            },
            "issuers": {"le": {"email": "a@b.c", "server": DEFAULT_ACME}},
        });
        tidy(spec.as_object_mut().unwrap());
        assert_eq!(spec["ingress"], json!({"class": "nginx"}));
        assert_eq!(
            spec["services"]["a"],
            json!({"autoscale": {"min": 3, "max": 5}, "ingress": {"issuer": "le", "hosts": ["a.x"]}})
        );
        assert_eq!(spec["services"]["b"]["replicas"], json!(2));
        assert_eq!(spec["issuers"]["le"], json!({"email": "a@b.c"}));
    }
}
