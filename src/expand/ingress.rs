//! Ingresses of exposed services: one routing the service's hosts, and for a canary
//! rollout a second one with nginx's `canary-weight`.

use super::{Ctx, NAME, Object, Sink};
use crate::spec::{Map, Service};
use crate::validate::resolve_host;
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule, IngressServiceBackend, IngressSpec,
    IngressTLS, ServiceBackendPort,
};

const CANARY: &str = "nginx.ingress.kubernetes.io/canary";

/// The Ingress of service `name`, and its canary's.
pub fn expand(ctx: &Ctx, name: &str, svc: &Service, labels: &Map, out: &mut dyn Sink) {
    let Some(ing) = &svc.ingress else { return };
    out.push(ingress(ctx, name, svc, labels, ing, &Map::new()));
    if let Some(c) = svc.rollout.as_ref().and_then(|r| r.canary.as_ref()) {
        let annotations = Map::from([
            (CANARY.to_string(), "true".to_string()),
            ("nginx.ingress.kubernetes.io/canary-weight".to_string(), c.weight.to_string()),
        ]);
        out.push(ingress(ctx, &format!("{name}-canary"), svc, labels, ing, &annotations));
    }
}

/// An Ingress `name` routing the service's hosts to its Service (`service_name` for the main one).
fn ingress(ctx: &Ctx, name: &str, svc: &Service, labels: &Map, ing: &crate::spec::Ingress, extra: &Map) -> Object {
    let defaults = &ctx.v.spec.ingress;
    let issuer = ing.issuer.clone().or_else(|| defaults.issuer.clone());
    let tls = ing.tls.unwrap_or(issuer.is_some());
    let class = ing.class.clone().or_else(|| defaults.class.clone());
    let annotations = annotations(ctx, svc, ing, class.as_deref(), issuer.filter(|_| tls), extra);
    let hosts: Vec<String> = ing
        .hosts
        .iter()
        .map(|h| resolve_host(h, ctx.v.spec.domain.as_deref()).expect("validated: hosts resolve"))
        .collect();
    // The main Ingress routes to the service's Service (`service_name`), a canary's to its own.
    let backend = if name == labels[NAME] { super::service_name(name, svc) } else { name };
    let path = path(backend, svc, ing);
    Object::new(Ingress {
        metadata: ctx.meta(name, labels.clone(), &annotations),
        spec: Some(IngressSpec {
            ingress_class_name: class,
            rules: Some(
                hosts
                    .iter()
                    .map(|h| IngressRule {
                        host: Some(h.clone()),
                        http: Some(HTTPIngressRuleValue { paths: vec![path.clone()] }),
                    })
                    .collect(),
            ),
            // One certificate per service: a canary Ingress reuses the service's secret.
            tls: tls.then(|| {
                let secret = ing.tls_secret.clone().unwrap_or_else(|| format!("{}-tls", labels[NAME]));
                vec![IngressTLS { hosts: Some(hosts.clone()), secret_name: Some(secret) }]
            }),
            ..IngressSpec::default()
        }),
        ..Ingress::default()
    })
}

/// Annotations: the ALB controller's, the platform's and the service's, cert-manager's
/// issuer when TLS is on, then `extra`.
fn annotations(
    ctx: &Ctx,
    svc: &Service,
    ing: &crate::spec::Ingress,
    class: Option<&str>,
    tls_issuer: Option<String>,
    extra: &Map,
) -> Map {
    let mut annotations = Map::new();
    if class == Some("alb") {
        // The AWS Load Balancer Controller: route to pod IPs (what the NetworkPolicy admits)
        // and health-check the path the readiness probe already checks.
        annotations.insert("alb.ingress.kubernetes.io/target-type".into(), "ip".into());
        let probe = svc.probes.readiness.as_ref().or(svc.probes.liveness.as_ref());
        if let Some(path) = probe.and_then(|p| p.http.clone()) {
            annotations.insert("alb.ingress.kubernetes.io/healthcheck-path".into(), path);
        }
    }
    annotations.extend(ctx.v.spec.ingress.annotations.clone());
    annotations.extend(ing.annotations.clone());
    // A canary Ingress shares the service's certificate; asking cert-manager twice would make
    // two Certificates fight over one Secret.
    if let (false, Some(issuer)) = (extra.contains_key(CANARY), tls_issuer) {
        annotations.insert("cert-manager.io/cluster-issuer".into(), issuer);
    }
    annotations.extend(extra.clone());
    annotations
}

/// The path every host routes to the Service `backend`.
fn path(backend: &str, svc: &Service, ing: &crate::spec::Ingress) -> HTTPIngressPath {
    let port =
        ing.port.clone().or_else(|| svc.ports.keys().next().cloned()).expect("validated: exposed services have ports");
    HTTPIngressPath {
        path: Some(ing.path.clone().unwrap_or_else(|| "/".into())),
        path_type: ing.path_type.clone().unwrap_or_else(|| "Prefix".into()),
        backend: IngressBackend {
            service: Some(IngressServiceBackend {
                name: backend.into(),
                port: Some(ServiceBackendPort { name: Some(port), number: None }),
            }),
            ..IngressBackend::default()
        },
    }
}
