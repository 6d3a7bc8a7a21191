//! How a service is reached and what it reaches: ingress, routes, metrics,
//! uses, migrations, rollout and access.

use super::Checker;
use super::names::*;
use crate::diag::suggest;
use crate::spec::{Platform, Service};
use std::collections::BTreeMap;

impl Checker<'_> {
    /// Ingress, metrics, dependencies, migrations, rollout and access of a service.
    pub(super) fn check_exposure(&mut self, spec: &Platform, name: &str, svc: &Service) {
        self.check_ingress(spec, name, svc);
        if let Some(route) = &svc.route {
            self.check_route(spec, name, svc, route);
        }
        self.check_metrics(name, svc);
        self.check_uses(spec, name, svc);
        self.check_migrate(name, svc);
        self.check_rollout(spec, name, svc);
        self.check_egress(name, svc);
        self.check_access_and_account(name, svc);
        self.check_labels(&["services", name, "labels"], &svc.labels, true);
        self.check_labels(&["services", name, "pod_labels"], &svc.pod_labels, true);
        self.check_labels(&["services", name, "annotations"], &svc.annotations, false);
        self.check_labels(&["services", name, "pod_annotations"], &svc.pod_annotations, false);
    }

    /// `ingress`: ports to expose, hosts, port, path, path type, TLS issuer, annotations.
    fn check_ingress(&mut self, spec: &Platform, name: &str, svc: &Service) {
        if let Some(ing) = &svc.ingress {
            if svc.ports.is_empty() {
                self.svc_err(
                    name,
                    &["ingress"],
                    format!("service `{name}` has no ports to expose"),
                    "add ports: {http: 8080} or remove ingress",
                );
            }
            if ing.hosts.is_empty() {
                self.svc_err(
                    name,
                    &["ingress", "hosts"],
                    "ingress needs at least one host".into(),
                    "add hosts: [app.example.com]",
                );
            }
            for (i, h) in ing.hosts.iter().enumerate() {
                self.check_host(spec, &["services", name, "ingress", "hosts", &i.to_string()], h);
            }
            if let Some(port) = &ing.port
                && !svc.ports.contains_key(port)
            {
                self.svc_err(
                    name,
                    &["ingress", "port"],
                    format!("ingress port `{port}` is not one of the service's ports"),
                    &known("ports", svc.ports.keys()),
                );
            }
            if let Some(path) = &ing.path
                && !path.starts_with('/')
            {
                self.svc_err(
                    name,
                    &["ingress", "path"],
                    format!("ingress path `{path}` must start with /"),
                    "e.g. /api",
                );
            }
            if let Some(pt) = &ing.path_type
                && !["Prefix", "Exact", "ImplementationSpecific"].contains(&pt.as_str())
            {
                self.svc_err(
                    name,
                    &["ingress", "path_type"],
                    format!("unknown path type `{pt}`"),
                    "write Prefix, Exact or ImplementationSpecific",
                );
            }
            // A chosen tls_secret may be one the cluster already holds: no issuer needed.
            if ing.tls == Some(true)
                && ing.issuer.is_none()
                && spec.ingress.issuer.is_none()
                && ing.tls_secret.is_none()
            {
                self.svc_err(
                    name,
                    &["ingress", "tls"],
                    "tls is on but no certificate issuer is set".into(),
                    "set issuer: (a cert-manager ClusterIssuer) here or under the platform's ingress:, or tls_secret: a Secret the cluster holds",
                );
            }
            if let Some(s) = ing.tls_secret.as_deref().filter(|s| !is_dns_subdomain(s)) {
                self.svc_err(
                    name,
                    &["ingress", "tls_secret"],
                    format!("secret name `{s}` is not valid"),
                    "use lowercase letters, digits, '-' and '.', e.g. flexdesk-tls",
                );
            }
            self.check_labels(&["services", name, "ingress", "annotations"], &ing.annotations, false);
            self.check_ingress_refs(&["services", name, "ingress"], ing.class.as_deref(), ing.issuer.as_deref());
            self.check_alb_ingress(spec, name, ing);
        }
    }

    /// `metrics`: a port of the service, path and scrape interval.
    fn check_metrics(&mut self, name: &str, svc: &Service) {
        if let Some(m) = &svc.metrics {
            match &m.port {
                Some(port) if !svc.ports.contains_key(port) => self.svc_err(
                    name,
                    &["metrics", "port"],
                    format!("metrics port `{port}` is not one of the service's ports"),
                    &known("ports", svc.ports.keys()),
                ),
                None if svc.ports.is_empty() => self.svc_err(
                    name,
                    &["metrics"],
                    "metrics are scraped through the Service, and this service has no ports".into(),
                    "add ports: {metrics: 9090}",
                ),
                _ => {}
            }
            if let Some(p) = &m.path
                && !p.starts_with('/')
            {
                self.svc_err(
                    name,
                    &["metrics", "path"],
                    format!("metrics path `{p}` must start with /"),
                    "e.g. /metrics",
                );
            }
            if let Some(i) = &m.interval
                && !is_duration(i)
            {
                self.svc_err(
                    name,
                    &["metrics", "interval"],
                    format!("`{i}` is not a duration"),
                    "write e.g. 15s, 1m or 500ms",
                );
            }
        }
    }

    /// `uses`: each a different service (with ports) or database of the platform, listed once.
    fn check_uses(&mut self, spec: &Platform, name: &str, svc: &Service) {
        for (i, u) in svc.uses.iter().enumerate() {
            let idx = i.to_string();
            if svc.uses[..i].contains(u) {
                self.svc_err(name, &["uses", &idx], format!("`{u}` is listed twice in uses"), "remove the repeat");
            } else if u == name {
                self.svc_err(name, &["uses", &idx], format!("service `{name}` lists itself in uses"), "remove it");
            } else if !spec.services.contains_key(u)
                && !spec.databases.contains_key(u)
                && !spec.endpoints.contains_key(u)
            {
                let cands: Vec<&str> = spec
                    .services
                    .keys()
                    .chain(spec.databases.keys())
                    .chain(spec.endpoints.keys())
                    .map(String::as_str)
                    .collect();
                let what = if spec.endpoints.is_empty() {
                    "services and databases"
                } else {
                    "services, databases and endpoints"
                };
                let help = match suggest(u, cands.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => known(what, cands.iter()),
                };
                let msg = if spec.endpoints.is_empty() {
                    format!("`{u}` is not a service or database of this platform")
                } else {
                    format!("`{u}` is not a service, database or endpoint of this platform")
                };
                self.svc_err(name, &["uses", &idx], msg, &help);
            } else if let Some(s) = spec.services.get(u)
                && s.ports.is_empty()
            {
                self.svc_err(
                    name,
                    &["uses", &idx],
                    format!("`{u}` has no ports, so nothing can connect to it"),
                    "give it ports: or remove it from uses",
                );
            }
        }
    }

    /// `migrate`: image reference and a command.
    fn check_migrate(&mut self, name: &str, svc: &Service) {
        if let Some(i) = svc.migrate.as_ref().and_then(|m| m.image.as_ref())
            && !is_image_ref(i)
        {
            self.svc_err(
                name,
                &["migrate", "image"],
                format!("`{i}` is not an image reference"),
                "write registry/name:tag, e.g. ghcr.io/acme/migrate:1.0",
            );
        }
        if let Some(m) = &svc.migrate
            && (m.command.as_ref().is_some_and(Vec::is_empty) || (m.command.is_none() && m.image.is_none()))
        {
            self.svc_err(
                name,
                &["migrate", "command"],
                "migrate command is empty".into(),
                "e.g. command: [python, -m, alembic, upgrade, head]",
            );
        }
    }

    /// `rollout`: one of blue_green (live track) or canary (weight; a route, or an nginx or alb
    /// ingress); name length.
    fn check_rollout(&mut self, spec: &Platform, name: &str, svc: &Service) {
        if let Some(r) = &svc.rollout {
            match (&r.blue_green, &r.canary) {
                (Some(bg), None) => {
                    if bg.live != "blue" && bg.live != "green" {
                        self.svc_err(
                            name,
                            &["rollout", "blue_green", "live"],
                            format!("live track `{}` is neither blue nor green", bg.live),
                            "write live: blue or live: green",
                        );
                    }
                }
                (None, Some(c)) => {
                    if c.weight > 100 {
                        self.svc_err(
                            name,
                            &["rollout", "canary", "weight"],
                            format!("canary weight {} is above 100", c.weight),
                            "write a percentage of traffic, 0 to 100",
                        );
                    }
                    let class = svc.ingress.as_ref().and_then(|i| i.class.as_deref()).or(spec.ingress.class.as_deref());
                    if svc.route.is_none() && (svc.ingress.is_none() || !matches!(class, Some("nginx" | "alb"))) {
                        self.svc_err(
                            name,
                            &["rollout", "canary"],
                            "canary weights are backend weights of a route, or annotations of an nginx or alb ingress".into(),
                            "give the service a route: through the platform's gateway (any controller), or an ingress with class nginx or alb",
                        );
                    }
                }
                _ => self.svc_err(
                    name,
                    &["rollout"],
                    "a rollout needs exactly one of blue_green or canary".into(),
                    "e.g. rollout: {blue_green: {live: blue}}",
                ),
            }
            if name.len() > 45 {
                self.svc_err(
                    name,
                    &["rollout"],
                    format!("service name `{name}` is too long for rollout tracks (`{name}-preview`)"),
                    "shorten the service name to 45 characters",
                );
            }
        }
    }

    /// `egress`: each a host or a CIDR, with ports.
    fn check_egress(&mut self, name: &str, svc: &Service) {
        for (i, e) in svc.egress.iter().enumerate() {
            let idx = i.to_string();
            let cidr_ok = |c: &str| {
                c.split_once('/').is_some_and(|(ip, bits)| {
                    let max = if ip.contains(':') { 128 } else { 32 };
                    ip.parse::<std::net::IpAddr>().is_ok() && bits.parse::<u8>().is_ok_and(|b| b <= max)
                })
            };
            match (&e.host, &e.cidr) {
                (Some(h), None) if !is_dns_subdomain(h) => self.svc_err(
                    name,
                    &["egress", &idx],
                    format!("`{h}` is not a host name"),
                    "write a DNS name, e.g. api.stripe.com",
                ),
                (None, Some(c)) if !cidr_ok(c) => self.svc_err(
                    name,
                    &["egress", &idx],
                    format!("`{c}` is not a CIDR"),
                    "write an address and prefix length, e.g. 10.20.0.0/16",
                ),
                (Some(_), None) | (None, Some(_)) => {}
                _ => self.svc_err(
                    name,
                    &["egress", &idx],
                    "egress needs exactly one of host: or cidr:".into(),
                    "e.g. {host: api.stripe.com, ports: [443]}",
                ),
            }
            if e.ports.is_empty() || e.ports.contains(&0) {
                self.svc_err(
                    name,
                    &["egress", &idx],
                    "egress needs ports between 1 and 65535".into(),
                    "e.g. ports: [443]",
                );
            }
        }
    }

    /// `access` rules parse; `service_account.name` is a valid name.
    fn check_access_and_account(&mut self, name: &str, svc: &Service) {
        for (i, a) in svc.access.iter().enumerate() {
            if let Err(e) = crate::spec::Access::parse(a) {
                let idx = i.to_string();
                self.svc_err(
                    name,
                    &["access", &idx],
                    e,
                    "write VERBS RESOURCE[.GROUP][/NAME], e.g. `get,list,watch configmaps`",
                );
            }
        }
        if let Some(sa) = &svc.service_account
            && let Some(n) = &sa.name
            && !is_dns_subdomain(n)
        {
            self.svc_err(
                name,
                &["service_account"],
                format!("service account name `{n}` is not valid"),
                "use lowercase letters, digits, '-' and '.'",
            );
        }
    }

    /// `class:` and `issuer:` of an ingress (or the platform's ingress defaults).
    pub(super) fn check_ingress_refs(&mut self, base: &[&str], class: Option<&str>, issuer: Option<&str>) {
        if let Some(c) = class
            && !is_dns_subdomain(c)
        {
            let mut p = base.to_vec();
            p.push("class");
            self.err(
                &p,
                format!("ingress class `{c}` is not valid"),
                "write the IngressClass name: lowercase letters, digits, '-' and '.', e.g. nginx",
            );
        }
        if let Some(i) = issuer {
            let mut p = base.to_vec();
            p.push("issuer");
            let declared = self.issuers.clone();
            self.check_declared(&p, "issuer", i, &declared);
        }
        if let Some(i) = issuer
            && !is_dns_subdomain(i)
        {
            let mut p = base.to_vec();
            p.push("issuer");
            self.err(
                &p,
                format!("issuer name `{i}` is not valid"),
                "write the ClusterIssuer name: lowercase letters, digits, '-' and '.', e.g. letsencrypt",
            );
        }
    }

    /// A host of an ingress or a route: resolved against `domain`, a valid DNS name.
    pub(super) fn check_host(&mut self, spec: &Platform, path: &[&str], h: &str) {
        match resolve_host(h, spec.domain.as_deref()) {
            Some(f) if is_dns_subdomain(f.trim_start_matches("*.")) => {}
            Some(f) => self.err(path, format!("`{f}` is not a valid host name"), "write a lowercase DNS name"),
            None => self.err(
                path,
                format!("host `{h}` needs the platform `domain`"),
                "set domain: in the environment, or write the full host name",
            ),
        }
    }

    /// Two services may not claim the same host and path (with the same header and method
    /// matches), through ingress or route alike: the controller would pick one. Both
    /// places are reported, each naming the other service.
    pub(super) fn check_routes(&mut self, spec: &Platform) {
        let mut claims: BTreeMap<(String, String, String), (&str, &str, usize)> = BTreeMap::new();
        for (name, svc) in &spec.services {
            let (kind, hosts, path, qualifiers) = match (&svc.ingress, &svc.route) {
                (Some(ing), _) => ("ingress", &ing.hosts, ing.path.clone(), String::new()),
                (None, Some(r)) => {
                    let qualified = r.method.is_some() || !r.headers.is_empty();
                    let q = if qualified { format!("{:?} {:?}", r.method, r.headers) } else { String::new() };
                    ("route", &r.hosts, r.path.clone(), q)
                }
                (None, None) => continue,
            };
            let path = path.unwrap_or_else(|| "/".into());
            for (i, h) in hosts.iter().enumerate() {
                let Some(host) = resolve_host(h, spec.domain.as_deref()) else { continue };
                let key = (host.clone(), path.clone(), qualifiers.clone());
                match claims.get(&key) {
                    Some(&(other, other_kind, j)) => {
                        self.err(
                            &["services", name, kind, "hosts", &i.to_string()],
                            format!("`{host}{path}` is already routed to service `{other}`"),
                            "give one of them another host or path",
                        );
                        self.err(
                            &["services", other, other_kind, "hosts", &j.to_string()],
                            format!("`{host}{path}` is also claimed by service `{name}`"),
                            "give one of them another host or path",
                        );
                    }
                    None => {
                        claims.insert(key, (name, kind, i));
                    }
                }
            }
        }
    }
}
