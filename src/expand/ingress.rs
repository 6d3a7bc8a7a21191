//! Ingresses of exposed services: one routing the service's hosts, and for a canary
//! rollout either a second one with nginx's `canary-weight`, or (class `alb`) a weighted
//! forward action of the AWS Load Balancer Controller on the one Ingress.

use super::{Ctx, Object, Sink, alb};
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
    let port =
        ing.port.clone().or_else(|| svc.ports.keys().next().cloned()).expect("validated: exposed services have ports");
    let to = |service: &str| backend(service, Some(port.clone()));
    let main = super::service_name(name, svc);
    let canary = svc.rollout.as_ref().and_then(|r| r.canary.as_ref());
    match canary {
        Some(c) if class(ctx, ing).as_deref() == Some("alb") => {
            let p = &svc.ports[&port];
            let canary_svc = format!("{name}-canary");
            let action = alb::action_name(name);
            let (key, body) =
                alb::canary_action(&action, main, &canary_svc, p.service.unwrap_or(p.container), c.weight);
            let via_action = backend(&action, Some(alb::USE_ANNOTATION.into()));
            out.push(ingress(ctx, name, svc, labels, ing, &Map::from([(key, body)]), via_action));
        }
        Some(c) => {
            out.push(ingress(ctx, name, svc, labels, ing, &Map::new(), to(main)));
            let annotations = Map::from([
                (CANARY.to_string(), "true".to_string()),
                ("nginx.ingress.kubernetes.io/canary-weight".to_string(), c.weight.to_string()),
            ]);
            let canary = format!("{name}-canary");
            out.push(ingress(ctx, &canary, svc, labels, ing, &annotations, to(&canary)));
        }
        None => out.push(ingress(ctx, name, svc, labels, ing, &Map::new(), to(main))),
    }
}

/// The ingress class of a service's ingress: its own, else the platform's.
fn class(ctx: &Ctx, ing: &crate::spec::Ingress) -> Option<String> {
    ing.class.clone().or_else(|| ctx.v.spec.ingress.class.clone())
}

/// A backend: Service `name` on the port named `port`.
fn backend(name: &str, port: Option<String>) -> IngressServiceBackend {
    IngressServiceBackend { name: name.into(), port: Some(ServiceBackendPort { name: port, number: None }) }
}

/// An Ingress `name` routing the service's hosts to `to`.
fn ingress(
    ctx: &Ctx,
    name: &str,
    svc: &Service,
    labels: &Map,
    ing: &crate::spec::Ingress,
    extra: &Map,
    to: IngressServiceBackend,
) -> Object {
    let defaults = &ctx.v.spec.ingress;
    let issuer = ing.issuer.clone().or_else(|| defaults.issuer.clone());
    let tls = ing.tls.unwrap_or(issuer.is_some());
    let class = class(ctx, ing);
    let annotations = annotations(ctx, svc, ing, class.as_deref(), issuer.filter(|_| tls), extra);
    let hosts: Vec<String> = ing
        .hosts
        .iter()
        .map(|h| resolve_host(h, ctx.v.spec.domain.as_deref()).expect("validated: hosts resolve"))
        .collect();
    let path = HTTPIngressPath {
        path: Some(ing.path.clone().unwrap_or_else(|| "/".into())),
        path_type: ing.path_type.clone().unwrap_or_else(|| "Prefix".into()),
        backend: IngressBackend { service: Some(to), ..IngressBackend::default() },
    };
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
                let secret = ing.tls_secret.clone().unwrap_or_else(|| format!("{}-tls", labels[super::NAME]));
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
        let certificate = ing.certificate_arn.as_deref().or(ctx.v.spec.ingress.certificate_arn.as_deref());
        annotations.extend(alb::annotations(svc, certificate));
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
