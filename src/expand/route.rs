//! Routes of services behind the platform's gateway: an HTTPRoute, or a GRPCRoute for a
//! gRPC port, with the service's matches and filters, and backend weights that split
//! traffic between rollout tracks the same way for every controller.

use super::{Ctx, Object, Sink, gateway};
use crate::gateway_api::{
    BackendRef, GrpcMethodMatch, GrpcRoute, GrpcRouteFilter, GrpcRouteMatch, GrpcRouteRule, GrpcRouteSpec, HeaderMatch,
    HeaderModifier, HttpHeader, HttpPathMatch, HttpRoute, HttpRouteFilter, HttpRouteMatch, HttpRouteRule,
    HttpRouteSpec, HttpRouteTimeouts, PathModifier, RequestRedirect, UrlRewrite,
};
use crate::spec::{Map, Route, Service};
use crate::validate::resolve_host;

/// The route of service `name`, if it has one.
pub fn expand(ctx: &Ctx, name: &str, svc: &Service, labels: &Map, out: &mut dyn Sink) {
    let Some(route) = svc.route.as_deref() else { return };
    let hosts: Vec<String> = (route.hosts.iter())
        .map(|h| resolve_host(h, ctx.v.spec.domain.as_deref()).expect("validated: hosts resolve"))
        .collect();
    let parent_refs = gateway::parent_refs(ctx, &hosts);
    let metadata = ctx.meta(name, labels.clone(), &Map::new());
    let mut rules = vec![(route.clone(), backends(name, svc, route))];
    if let Some(preview) = preview(name, svc, route) {
        rules.push(preview);
    }
    if route.is_grpc(svc) {
        let rules = (rules.into_iter())
            .map(|(r, backend_refs)| GrpcRouteRule {
                matches: grpc_matches(&r),
                filters: grpc_filters(&r),
                backend_refs,
            })
            .collect();
        let spec = GrpcRouteSpec { parent_refs, hostnames: hosts, rules };
        out.push(Object::new(GrpcRoute { metadata, spec }));
    } else {
        let rules = (rules.into_iter())
            .map(|(r, backends)| HttpRouteRule {
                matches: vec![http_match(&r)],
                filters: http_filters(&r),
                // A redirect answers the request itself: nothing is forwarded.
                backend_refs: if r.redirect.is_some() { Vec::new() } else { backends },
                timeouts: r.timeout.clone().map(|request| HttpRouteTimeouts { request }),
            })
            .collect();
        let spec = HttpRouteSpec { parent_refs, hostnames: hosts, rules };
        out.push(Object::new(HttpRoute { metadata, spec }));
    }
}

/// Header that sends a request of a blue-green service to its idle colour.
pub const PREVIEW_HEADER: &str = "x-genk8s-preview";

/// For blue-green, a second rule: the same match with `x-genk8s-preview: "true"` goes to
/// `<svc>-preview` (more header matches take precedence), so the idle colour can be tried
/// through the gateway before `live` switches.
fn preview(name: &str, svc: &Service, route: &Route) -> Option<(Route, Vec<BackendRef>)> {
    svc.rollout.as_ref()?.blue_green.as_ref()?;
    if route.redirect.is_some() {
        return None;
    }
    let mut r = route.clone();
    r.headers.insert(PREVIEW_HEADER.into(), "true".into());
    let port = backends(name, svc, route)[0].port;
    Some((r, vec![BackendRef { name: format!("{name}-preview"), port, weight: 100 }]))
}

/// The Services traffic goes to, with weights that add up to 100: the service alone; the
/// stable Service and `<svc>-canary` (the canary's weight); or, for blue-green, the live
/// Service and `<svc>-preview` at 0 (switched by `live`, which re-points both).
pub fn backends(name: &str, svc: &Service, route: &Route) -> Vec<BackendRef> {
    let pname = route.port_name(svc).expect("validated: routed services have ports");
    let p = &svc.ports[pname];
    let port = i32::from(p.service.unwrap_or(p.container));
    let backend = |name: String, weight: i32| BackendRef { name, port, weight };
    let rollout = svc.rollout.as_ref();
    match (rollout.and_then(|r| r.canary.as_ref()), rollout.and_then(|r| r.blue_green.as_ref())) {
        (Some(c), _) => {
            let w = i32::from(c.weight);
            vec![backend(name.to_string(), 100 - w), backend(format!("{name}-canary"), w)]
        }
        (None, Some(_)) => vec![backend(name.to_string(), 100), backend(format!("{name}-preview"), 0)],
        (None, None) => vec![backend(name.to_string(), 100)],
    }
}

fn headers(m: &Map) -> Vec<HeaderMatch> {
    m.iter().map(|(k, v)| HeaderMatch { type_: "Exact".into(), name: k.clone(), value: v.clone() }).collect()
}

fn http_match(route: &Route) -> HttpRouteMatch {
    HttpRouteMatch {
        path: Some(HttpPathMatch {
            type_: route.path_type.clone().unwrap_or_else(|| "PathPrefix".into()),
            value: route.path.clone().unwrap_or_else(|| "/".into()),
        }),
        headers: headers(&route.headers),
        method: route.method.clone(),
    }
}

fn response_headers(route: &Route) -> Option<HeaderModifier> {
    (!route.response_headers.is_empty()).then(|| HeaderModifier {
        set: (route.response_headers.iter()).map(|(k, v)| HttpHeader { name: k.clone(), value: v.clone() }).collect(),
    })
}

fn prefix(path: &Option<String>) -> Option<PathModifier> {
    path.as_ref().map(|p| PathModifier { type_: "ReplacePrefixMatch".into(), replace_prefix_match: p.clone() })
}

/// Response headers, then the redirect or the rewrite.
fn http_filters(route: &Route) -> Vec<HttpRouteFilter> {
    let mut filters = Vec::new();
    if let Some(m) = response_headers(route) {
        filters.push(HttpRouteFilter {
            type_: "ResponseHeaderModifier".into(),
            response_header_modifier: Some(m),
            ..HttpRouteFilter::default()
        });
    }
    if let Some(r) = &route.redirect {
        filters.push(HttpRouteFilter {
            type_: "RequestRedirect".into(),
            request_redirect: Some(RequestRedirect {
                scheme: r.scheme.clone(),
                hostname: r.hostname.clone(),
                path: prefix(&r.path),
                port: r.port.map(i32::from),
                status_code: i32::from(r.status.unwrap_or(302)),
            }),
            ..HttpRouteFilter::default()
        });
    }
    if let Some(r) = &route.rewrite {
        filters.push(HttpRouteFilter {
            type_: "URLRewrite".into(),
            url_rewrite: Some(UrlRewrite { hostname: r.hostname.clone(), path: prefix(&r.path) }),
            ..HttpRouteFilter::default()
        });
    }
    filters
}

fn grpc_matches(route: &Route) -> Vec<GrpcRouteMatch> {
    let method = route.method.as_ref().map(|m| {
        let (service, method) = m.split_once('/').map_or((m.as_str(), None), |(s, m)| (s, Some(m.to_string())));
        GrpcMethodMatch { type_: "Exact".into(), service: Some(service.to_string()), method }
    });
    if method.is_none() && route.headers.is_empty() {
        return Vec::new();
    }
    vec![GrpcRouteMatch { method, headers: headers(&route.headers) }]
}

fn grpc_filters(route: &Route) -> Vec<GrpcRouteFilter> {
    response_headers(route)
        .map(|m| GrpcRouteFilter { type_: "ResponseHeaderModifier".into(), response_header_modifier: Some(m) })
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(yaml: &str) -> Service {
        crate::yaml::de::from_node(&crate::yaml::parse(yaml, 0).unwrap()).unwrap()
    }

    fn weights(yaml: &str) -> Vec<(String, i32)> {
        let svc = service(yaml);
        backends("web", &svc, svc.route.as_ref().unwrap()).into_iter().map(|b| (b.name, b.weight)).collect()
    }

    #[test]
    fn canary_and_blue_green_weights_add_up_to_100() {
        let base = "image: a:1\nports: {http: {container: 8080, service: 80}}\nroute: {hosts: [w]}\n";
        assert_eq!(weights(base), [("web".to_string(), 100)]);
        let canary = weights(&format!("{base}rollout: {{canary: {{weight: 10, tag: '2'}}}}\n"));
        assert_eq!(canary, [("web".to_string(), 90), ("web-canary".to_string(), 10)]);
        let bg = weights(&format!("{base}rollout: {{blue_green: {{live: green}}}}\n"));
        let bg_svc = service(&format!("{base}rollout: {{blue_green: {{live: green}}}}\n"));
        let (r, to) = preview("web", &bg_svc, bg_svc.route.as_ref().unwrap()).expect("a preview rule");
        assert_eq!(r.headers.get(PREVIEW_HEADER).map(String::as_str), Some("true"));
        assert_eq!((to[0].name.as_str(), to[0].weight, to[0].port), ("web-preview", 100, 80));
        assert!(preview("web", &service(base), service(base).route.as_ref().unwrap()).is_none());
        assert_eq!(bg, [("web".to_string(), 100), ("web-preview".to_string(), 0)]);
        for w in [canary, bg] {
            assert_eq!(w.iter().map(|(_, w)| w).sum::<i32>(), 100);
        }
        let svc = service(base);
        assert_eq!(backends("web", &svc, svc.route.as_ref().unwrap())[0].port, 80, "the Service port, not the pod's");
    }

    #[test]
    fn grpc_methods_split_into_service_and_method() {
        let r = Route { method: Some("shop.Cart/Add".into()), ..Route::default() };
        let m = grpc_matches(&r).remove(0).method.unwrap();
        assert_eq!((m.service.as_deref(), m.method.as_deref()), (Some("shop.Cart"), Some("Add")));
        assert!(grpc_matches(&Route::default()).is_empty(), "no match: every call");
    }
}
