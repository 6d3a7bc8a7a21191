//! Gateway API exposure: the platform's `gateway` and each service's `route`.
//! Host resolution and the one-service-per-host-and-path rule are shared with ingress
//! ([`Checker::check_host`], [`Checker::check_routes`]).

use super::Checker;
use super::names::*;
use crate::spec::{Gateway, Platform, Route, Service};

/// HTTP methods an HTTPRoute may match.
const METHODS: &[&str] = &["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"];

/// A header name: an HTTP token (letters, digits and `!#$%&'*+-.^_|~` and backquote).
fn is_header_name(h: &str) -> bool {
    !h.is_empty() && h.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

impl Checker<'_> {
    /// The platform's `gateway`: an existing one or one genk8s writes, never both; the
    /// namespaces it names; its issuer.
    pub(super) fn check_gateway(&mut self, gw: &Gateway) {
        self.check_gateway_kind(gw);
        let namespaces = [
            (vec!["gateway", "existing", "namespace"], gw.existing.as_ref().and_then(|e| e.namespace.as_deref())),
            (vec!["gateway", "data_plane_namespace"], gw.data_plane_namespace.as_deref()),
        ];
        for (path, ns) in namespaces {
            if let Some(ns) = ns.filter(|ns| !is_dns_label(ns)) {
                self.err(
                    &path,
                    format!("namespace `{ns}` is not a DNS label"),
                    "write the namespace's name: lowercase letters, digits and '-'",
                );
            }
        }
        if gw.data_plane_namespace.is_none() && gw.existing.as_ref().and_then(|e| e.namespace.as_ref()).is_none() {
            self.err(
                &["gateway"],
                "the gateway's data-plane namespace is not known, so NetworkPolicies cannot admit its proxies",
                "set data_plane_namespace: the namespace your controller runs its proxies in (envoy-gateway-system for Envoy Gateway, the Gateway's own for Istio and NGINX Gateway Fabric)",
            );
        }
        if let Some(i) = &gw.issuer {
            let declared = self.issuers.clone();
            self.check_declared(&["gateway", "issuer"], "issuer", i, &declared);
            if !is_dns_subdomain(i) {
                self.err(
                    &["gateway", "issuer"],
                    format!("issuer name `{i}` is not valid"),
                    "write the ClusterIssuer name, e.g. letsencrypt",
                );
            }
        }
        self.check_labels(&["gateway", "annotations"], &gw.annotations, false);
    }

    /// `existing` (a reference: no name or issuer of its own) or `class` (a Gateway written).
    fn check_gateway_kind(&mut self, gw: &Gateway) {
        match (&gw.existing, &gw.class) {
            (Some(_), Some(_)) | (None, None) => self.err(
                &["gateway"],
                "a gateway needs exactly one of existing: or class:",
                "existing: {name: shared, namespace: infra} to attach to a Gateway, or class: eg to have one written",
            ),
            (Some(e), None) => {
                if !is_dns_subdomain(&e.name) {
                    self.err(
                        &["gateway", "existing", "name"],
                        format!("`{}` is not a Gateway name", e.name),
                        "write the Gateway's metadata.name",
                    );
                }
                if let Some(s) = e.section.as_deref().filter(|s| !is_dns_subdomain(s)) {
                    self.err(
                        &["gateway", "existing", "section"],
                        format!("`{s}` is not a listener name"),
                        "write the listener's name, e.g. https",
                    );
                }
                for (field, set) in [("issuer", gw.issuer.is_some()), ("name", gw.name.is_some())] {
                    if set {
                        self.err(
                            &["gateway", field],
                            format!("`{field}` is for a Gateway genk8s writes, and this one exists"),
                            "remove it: the existing Gateway's owner sets its name and certificates",
                        );
                    }
                }
            }
            (None, Some(c)) => {
                if !is_dns_subdomain(c) {
                    self.err(
                        &["gateway", "class"],
                        format!("gateway class `{c}` is not valid"),
                        "write the GatewayClass name, e.g. eg",
                    );
                }
                if let Some(n) = gw.name.as_deref().filter(|n| !is_dns_subdomain(n)) {
                    self.err(
                        &["gateway", "name"],
                        format!("`{n}` is not a Gateway name"),
                        "use lowercase letters, digits, '-' and '.'",
                    );
                }
            }
        }
    }

    /// A service's `route`: it needs the platform's gateway and a port, and its matches
    /// and filters must be ones its kind (HTTPRoute or GRPCRoute) has.
    pub(super) fn check_route(&mut self, spec: &Platform, name: &str, svc: &Service, route: &Route) {
        let at = |rest: &[&str]| -> Vec<String> {
            ["services", name, "route"].iter().chain(rest).map(|s| s.to_string()).collect()
        };
        let err = |c: &mut Self, rest: &[&str], msg: String, help: &str| {
            let p = at(rest);
            c.err(&p.iter().map(String::as_str).collect::<Vec<_>>(), msg, help.to_string());
        };
        if spec.gateway.is_none() {
            err(
                self,
                &[],
                "a route needs the platform's gateway".into(),
                "add gateway: {class: eg, data_plane_namespace: envoy-gateway-system} (or existing:) at the top level",
            );
        }
        if svc.ingress.is_some() {
            err(
                self,
                &[],
                format!("service `{name}` has both ingress and route"),
                "expose it one way: keep route (Gateway API) or ingress",
            );
        }
        if svc.ports.is_empty() {
            err(
                self,
                &[],
                format!("service `{name}` has no ports to route to"),
                "add ports: {http: 8080} or remove route",
            );
        }
        if route.hosts.is_empty() {
            err(self, &["hosts"], "a route needs at least one host".into(), "add hosts: [app.example.com]");
        }
        for (i, h) in route.hosts.iter().enumerate() {
            self.check_host(spec, &["services", name, "route", "hosts", &i.to_string()], h);
        }
        if let Some(port) = route.port.as_ref().filter(|p| !svc.ports.contains_key(*p)) {
            err(
                self,
                &["port"],
                format!("route port `{port}` is not one of the service's ports"),
                &known("ports", svc.ports.keys()),
            );
        }
        for (k, which) in route
            .headers
            .keys()
            .map(|k| (k, "headers"))
            .chain(route.response_headers.keys().map(|k| (k, "response_headers")))
        {
            if !is_header_name(k) {
                err(
                    self,
                    &[which, k],
                    format!("`{k}` is not an HTTP header name"),
                    "letters, digits and - (e.g. X-Frame-Options)",
                );
            }
        }
        if route.is_grpc(svc) {
            self.check_grpc_route(name, route);
        } else {
            self.check_http_route(name, route);
        }
    }

    /// What only an HTTPRoute has: paths, methods, timeouts, redirects and rewrites.
    fn check_http_route(&mut self, name: &str, route: &Route) {
        let base = ["services", name, "route"];
        let p = |rest: &[&'static str]| -> Vec<&str> { base.iter().copied().chain(rest.iter().copied()).collect() };
        if let Some(path) = route.path.as_ref().filter(|p| !p.starts_with('/')) {
            self.err(&p(&["path"]), format!("route path `{path}` must start with /"), "e.g. /api");
        }
        let prefix = match route.path_type.as_deref() {
            None | Some("PathPrefix") => true,
            Some("Exact") => false,
            Some(pt) => {
                self.err(&p(&["path_type"]), format!("unknown path type `{pt}`"), "write PathPrefix or Exact");
                true
            }
        };
        if let Some(m) = route.method.as_ref().filter(|m| !METHODS.contains(&m.as_str())) {
            self.err(
                &p(&["method"]),
                format!("`{m}` is not an HTTP method"),
                format!("write one of {}", METHODS.join(", ")),
            );
        }
        if let Some(t) = route.timeout.as_ref().filter(|t| !is_duration(t)) {
            self.err(&p(&["timeout"]), format!("`{t}` is not a duration"), "write e.g. 30s, 1m or 500ms");
        }
        if route.redirect.is_some() && route.rewrite.is_some() {
            self.err(
                &p(&["rewrite"]),
                "a route either redirects or rewrites, not both",
                "remove redirect: or rewrite:",
            );
        }
        let paths = [
            (["redirect", "path"], route.redirect.as_ref().and_then(|r| r.path.as_ref())),
            (["rewrite", "path"], route.rewrite.as_ref().and_then(|r| r.path.as_ref())),
        ];
        for (rest, path) in paths {
            let Some(path) = path else { continue };
            if !path.starts_with('/') {
                self.err(&p(&rest), format!("`{path}` must start with /"), "e.g. / or /v2");
            } else if !prefix {
                self.err(
                    &p(&rest),
                    "the path prefix is replaced, and this route matches an exact path",
                    "use path_type: PathPrefix, or leave path out here",
                );
            }
        }
        if let Some(r) = &route.redirect {
            if let Some(s) = r.scheme.as_deref().filter(|s| *s != "http" && *s != "https") {
                self.err(&p(&["redirect", "scheme"]), format!("unknown scheme `{s}`"), "write http or https");
            }
            if let Some(s) = r.status.filter(|s| *s != 301 && *s != 302) {
                self.err(
                    &p(&["redirect", "status"]),
                    format!("redirect status {s} is not 301 or 302"),
                    "write 301 (permanent) or 302 (temporary)",
                );
            }
            if r.port == Some(0) {
                self.err(
                    &p(&["redirect", "port"]),
                    "redirect port 0 is not a port",
                    "write a port between 1 and 65535",
                );
            }
            if let Some(h) = r.hostname.as_ref().filter(|h| !is_dns_subdomain(h)) {
                self.err(
                    &p(&["redirect", "hostname"]),
                    format!("`{h}` is not a host name"),
                    "write a lowercase DNS name",
                );
            }
        }
        if let Some(h) = route.rewrite.as_ref().and_then(|r| r.hostname.as_ref()).filter(|h| !is_dns_subdomain(h)) {
            self.err(&p(&["rewrite", "hostname"]), format!("`{h}` is not a host name"), "write a lowercase DNS name");
        }
    }

    /// A GRPCRoute matches services and methods, not paths, and has no redirects,
    /// rewrites or timeouts.
    fn check_grpc_route(&mut self, name: &str, route: &Route) {
        let unsupported = [
            ("path", route.path.is_some()),
            ("path_type", route.path_type.is_some()),
            ("timeout", route.timeout.is_some()),
            ("redirect", route.redirect.is_some()),
            ("rewrite", route.rewrite.is_some()),
        ];
        for (field, _) in unsupported.into_iter().filter(|(_, set)| *set) {
            self.err(
                &["services", name, "route", field],
                format!("a gRPC route (its port is named grpc) has no `{field}`"),
                "match gRPC calls with method: package.Service/Method, or route an HTTP port",
            );
        }
        if let Some(m) = &route.method {
            let (service, method) = m.split_once('/').unwrap_or((m, ""));
            let ok = |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.');
            if service.is_empty() || !ok(service) || !ok(method) {
                self.err(
                    &["services", name, "route", "method"],
                    format!("`{m}` is not a gRPC service or method"),
                    "write package.Service or package.Service/Method",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_names_are_tokens() {
        assert!(is_header_name("X-Frame-Options") && is_header_name("x_custom"));
        assert!(!is_header_name("X Frame") && !is_header_name("") && !is_header_name("a:b"));
    }
}
