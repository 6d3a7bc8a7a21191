//! The platform's Gateway (when genk8s writes it): an HTTP listener, an HTTPS listener
//! per routed host with its certificate from cert-manager, and the HTTPRoute that
//! redirects HTTP to HTTPS. Also where routes attach ([`parent_refs`]).

use super::{Ctx, Object, Sink};
use crate::gateway_api::{
    Gateway, GatewaySpec, HttpRoute, HttpRouteFilter, HttpRouteRule, HttpRouteSpec, Listener, ListenerTls,
    ParentReference, RequestRedirect, SecretObjectReference,
};
use crate::spec::Map;
use crate::validate::resolve_host;
use std::collections::BTreeSet;

/// Name of the listener for plain HTTP.
pub const HTTP_LISTENER: &str = "http";

/// The Gateway genk8s writes, or `None` when routes attach to an existing one.
fn written<'a>(ctx: &Ctx<'a>) -> Option<&'a crate::spec::Gateway> {
    ctx.v.spec.gateway.as_ref().filter(|g| g.existing.is_none())
}

/// Name of the platform's Gateway (written or existing).
pub fn name(ctx: &Ctx) -> String {
    let gw = ctx.v.spec.gateway.as_ref().expect("validated: routes need a gateway");
    match &gw.existing {
        Some(e) => e.name.clone(),
        None => gw.name.clone().unwrap_or_else(|| ctx.v.spec.platform.clone()),
    }
}

/// The HTTPS listener of `host`: `https-api.example.com` (`*` spelled `wildcard`).
pub fn listener_name(host: &str) -> String {
    format!("https-{}", host.replace('*', "wildcard"))
}

/// The certificate Secret of `host`: `api-example-com-tls`.
fn secret_name(host: &str) -> String {
    format!("{}-tls", host.replace('*', "wildcard").replace('.', "-"))
}

fn parent(name: String, namespace: Option<String>, section: Option<String>) -> ParentReference {
    ParentReference {
        group: crate::gateway_api::GROUP.into(),
        kind: "Gateway".into(),
        name,
        namespace,
        section_name: section,
    }
}

/// Where a route for `hosts` attaches: the existing Gateway (its `section`, if named), or
/// the written Gateway's HTTPS listener of each host (its HTTP listener only redirects),
/// or its HTTP listener when it has no certificates.
pub fn parent_refs(ctx: &Ctx, hosts: &[String]) -> Vec<ParentReference> {
    let gw = ctx.v.spec.gateway.as_ref().expect("validated: routes need a gateway");
    match (&gw.existing, &gw.issuer) {
        (Some(e), _) => vec![parent(e.name.clone(), e.namespace.clone(), e.section.clone())],
        (None, Some(_)) => hosts.iter().map(|h| parent(name(ctx), None, Some(listener_name(h)))).collect(),
        (None, None) => vec![parent(name(ctx), None, Some(HTTP_LISTENER.into()))],
    }
}

/// The written Gateway's HTTP listener, for cert-manager's HTTP-01 solver routes. They are
/// created in the namespace of the Certificate, which is the Gateway's, so the reference
/// names no namespace: the ClusterIssuer is then the same in every environment, as the
/// one object a cluster holds must be (`build --all -o`).
pub fn http_listener(ctx: &Ctx) -> ParentReference {
    parent(name(ctx), None, Some(HTTP_LISTENER.into()))
}

/// Every host a service routes, resolved against `domain`, sorted and unique.
pub fn routed_hosts(ctx: &Ctx) -> Vec<String> {
    let domain = ctx.v.spec.domain.as_deref();
    let hosts: BTreeSet<String> = (ctx.v.spec.services.values())
        .filter_map(|s| s.route.as_ref())
        .flat_map(|r| r.hosts.iter().map(|h| resolve_host(h, domain).expect("validated: hosts resolve")))
        .collect();
    hosts.into_iter().collect()
}

/// The Gateway and, with certificates, the HTTP → HTTPS redirect.
pub fn expand(ctx: &Ctx, out: &mut dyn Sink) {
    let Some(gw) = written(ctx) else { return };
    let mut listeners =
        vec![Listener { name: HTTP_LISTENER.into(), port: 80, protocol: "HTTP".into(), ..Listener::default() }];
    if gw.issuer.is_some() {
        listeners.extend(routed_hosts(ctx).into_iter().map(|h| Listener {
            name: listener_name(&h),
            port: 443,
            protocol: "HTTPS".into(),
            tls: Some(ListenerTls {
                mode: "Terminate".into(),
                certificate_refs: vec![SecretObjectReference {
                    group: String::new(),
                    kind: "Secret".into(),
                    name: secret_name(&h),
                }],
            }),
            hostname: Some(h),
            allowed_routes: None,
        }));
    }
    let mut annotations = gw.annotations.clone();
    if let Some(issuer) = &gw.issuer {
        // cert-manager's gateway-shim issues a Certificate for each HTTPS listener.
        annotations.insert("cert-manager.io/cluster-issuer".into(), issuer.clone());
    }
    out.push(Object::new(Gateway {
        metadata: ctx.meta(name(ctx), ctx.platform_labels(), &annotations),
        spec: GatewaySpec { gateway_class_name: gw.class.clone().expect("validated: class or existing"), listeners },
    }));
    if gw.issuer.is_some() {
        out.push(https_redirect(ctx));
    }
}

/// `<gateway>-https-redirect`: every plain HTTP request answered with a 301 to HTTPS.
/// (cert-manager's HTTP-01 solver routes match an exact path, so they take precedence.)
fn https_redirect(ctx: &Ctx) -> Object {
    let gw = name(ctx);
    Object::new(HttpRoute {
        metadata: ctx.meta(format!("{gw}-https-redirect"), ctx.platform_labels(), &Map::new()),
        spec: HttpRouteSpec {
            parent_refs: vec![parent(gw, None, Some(HTTP_LISTENER.into()))],
            hostnames: Vec::new(),
            rules: vec![HttpRouteRule {
                filters: vec![HttpRouteFilter {
                    type_: "RequestRedirect".into(),
                    request_redirect: Some(RequestRedirect {
                        scheme: Some("https".into()),
                        status_code: 301,
                        ..RequestRedirect::default()
                    }),
                    ..HttpRouteFilter::default()
                }],
                ..HttpRouteRule::default()
            }],
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listener_and_secret_names_are_dns_names_of_the_host() {
        assert_eq!(listener_name("api.example.com"), "https-api.example.com");
        assert_eq!(listener_name("*.example.com"), "https-wildcard.example.com");
        assert_eq!(secret_name("api.example.com"), "api-example-com-tls");
        assert_eq!(secret_name("*.example.com"), "wildcard-example-com-tls");
    }
}
