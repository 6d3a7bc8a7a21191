//! What the AWS Load Balancer Controller reads from an Ingress of class `alb`: pod IPs as
//! targets and the readiness path as the health check; with `certificate_arn`, an HTTPS
//! listener beside HTTP and every HTTP request redirected to HTTPS; for a canary, one
//! forward action that splits the traffic between the stable and canary Services by weight.
//!
//! Annotation names and shapes are the controller's (its `annotations` guide and the
//! weighted target groups of its blue/green guide): `listen-ports` is a JSON list of
//! `{"PROTOCOL": port}`, `ssl-redirect` names an HTTPS port of it, and a backend whose port
//! is `use-annotation` takes its action from `actions.<backend name>`.

use crate::spec::{Map, Service};
use serde_json::json;

pub const PREFIX: &str = "alb.ingress.kubernetes.io/";
pub const CERTIFICATE_ARN: &str = "alb.ingress.kubernetes.io/certificate-arn";
pub const LISTEN_PORTS: &str = "alb.ingress.kubernetes.io/listen-ports";
pub const SSL_REDIRECT: &str = "alb.ingress.kubernetes.io/ssl-redirect";
/// The backend port name that points the controller at the action annotation.
pub const USE_ANNOTATION: &str = "use-annotation";
const HTTPS_PORT: u16 = 443;

/// The controller's defaults genk8s sets (each unless the spec sets it): target type `ip`
/// (the pod IPs the NetworkPolicy admits) and the readiness probe's path as health check;
/// with a certificate, the two listeners and the redirect.
pub fn annotations(svc: &Service, certificate_arn: Option<&str>) -> Map {
    let mut out = Map::new();
    out.insert(format!("{PREFIX}target-type"), "ip".into());
    let probe = svc.probes.readiness.as_ref().or(svc.probes.liveness.as_ref());
    if let Some(path) = probe.and_then(|p| p.http.clone()) {
        out.insert(format!("{PREFIX}healthcheck-path"), path);
    }
    if let Some(arn) = certificate_arn {
        out.insert(CERTIFICATE_ARN.into(), arn.into());
        out.insert(LISTEN_PORTS.into(), json!([{"HTTP": 80}, {"HTTPS": HTTPS_PORT}]).to_string());
        out.insert(SSL_REDIRECT.into(), HTTPS_PORT.to_string());
    }
    out
}

/// The name of a canary's forward action, which the Ingress backend names in place of a Service.
pub fn action_name(name: &str) -> String {
    format!("{name}-weighted")
}

/// The annotation of the canary's forward action: `stable` gets `100 - weight`, `canary`
/// `weight`, both on Service port `port`.
pub fn canary_action(action: &str, stable: &str, canary: &str, port: u16, weight: u8) -> (String, String) {
    let group =
        |service: &str, weight: u8| json!({"serviceName": service, "servicePort": port.to_string(), "weight": weight});
    let body = json!({
        "type": "forward",
        "forwardConfig": {"targetGroups": [group(stable, 100 - weight), group(canary, weight)]},
    });
    (format!("{PREFIX}actions.{action}"), body.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    #[test]
    fn the_canary_action_splits_100_between_the_two_services() {
        let (key, body) = canary_action("web-weighted", "web", "web-canary", 80, 10);
        assert_eq!(key, "alb.ingress.kubernetes.io/actions.web-weighted");
        let v: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(v["type"], "forward");
        let groups = v["forwardConfig"]["targetGroups"].as_array().unwrap();
        let got: Vec<(&str, &str, i64)> = groups
            .iter()
            .map(|g| {
                (g["serviceName"].as_str().unwrap(), g["servicePort"].as_str().unwrap(), g["weight"].as_i64().unwrap())
            })
            .collect();
        assert_eq!(got, [("web", "80", 90), ("web-canary", "80", 10)]);
    }
}
