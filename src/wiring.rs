//! Connection wiring: what a service's environment becomes once its references to
//! databases (`{db: postgres, value: url}`), endpoints (`{endpoint: smtp, value: host}`)
//! and observability agents (`observability:`) are resolved, as the ordered list of plain
//! variables (literal, Secret key, ConfigMap key, downward API) its container gets.
//!
//! A database's facts come from its engine template's `connection:` map. A fact that
//! holds a Secret value (a password) is never inlined: a URL built from it refers to it as
//! `$(VAR)`, and Kubernetes expands `$(VAR)` only from variables listed *before* it, so
//! every variable a value depends on is placed ahead of it (a variable of the spec that
//! reads the same fact, else `GENK8S_<DB>_<FACT>`).

use crate::catalog::Engine;
use crate::spec::{Datadog, Endpoint, EnvValue, Observability, Otel, Platform, Service, Short};
use std::collections::{BTreeMap, BTreeSet};

/// One container variable as the cluster receives it.
pub type Var = (String, EnvValue);

/// The facts an endpoint offers to `{endpoint: NAME, value: FACT}`.
pub const ENDPOINT_FACTS: [&str; 3] = ["host", "port", "url"];

/// Datadog's node agent ports: APM traces (TCP) and DogStatsD (UDP).
pub const DATADOG_APM_PORT: u16 = 8126;
pub const DATADOG_STATSD_PORT: u16 = 8125;

/// Label keys of Datadog's unified service tagging.
pub const DD_ENV: &str = "tags.datadoghq.com/env";
pub const DD_SERVICE: &str = "tags.datadoghq.com/service";
pub const DD_VERSION: &str = "tags.datadoghq.com/version";

/// Port a URL scheme implies when the URL names none.
pub fn scheme_port(scheme: &str) -> Option<u16> {
    Some(match scheme {
        "http" | "ws" => 80,
        "https" | "wss" | "grpcs" => 443,
        "smtp" => 25,
        "smtps" => 465,
        "submission" => 587,
        "ldap" => 389,
        "ldaps" => 636,
        "amqp" => 5672,
        "amqps" => 5671,
        "grpc" => 4317,
        _ => return None,
    })
}

/// Host and port of a URL (`https://s3.eu-west-1.amazonaws.com`, `http://otel:4317/v1`).
pub fn url_host_port(url: &str) -> Result<(String, u16), String> {
    let (scheme, rest) = url.split_once("://").ok_or_else(|| format!("`{url}` is not a URL (scheme://host[:port])"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.ends_with(']') || authority.starts_with('[') => {
            (h, Some(p.parse::<u16>().ok().filter(|p| *p > 0).ok_or_else(|| format!("`{p}` is not a port"))?))
        }
        _ => (authority, None),
    };
    if host.is_empty() {
        return Err(format!("`{url}` names no host"));
    }
    let port = port
        .or_else(|| scheme_port(&scheme.to_ascii_lowercase()))
        .ok_or_else(|| format!("`{url}` names no port and scheme `{scheme}` has no default one"))?;
    Ok((host.trim_start_matches('[').trim_end_matches(']').to_string(), port))
}

/// An endpoint's host, port and URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointFacts {
    pub host: String,
    pub port: u16,
    pub url: Option<String>,
}

impl EndpointFacts {
    pub fn of(e: &Endpoint) -> Result<EndpointFacts, String> {
        let from_url = e.url.as_deref().map(url_host_port).transpose()?;
        let host = e.host.clone().or_else(|| from_url.as_ref().map(|(h, _)| h.clone()));
        let port = e.port.or_else(|| from_url.as_ref().map(|(_, p)| *p));
        match (host, port) {
            (Some(host), Some(port)) => Ok(EndpointFacts { host, port, url: e.url.clone() }),
            (None, _) => Err("an endpoint needs host: or url:".into()),
            (Some(_), None) => Err("an endpoint with host: needs port: (or a url:)".into()),
        }
    }

    /// The value of fact `fact` (host, port or url), if the endpoint has it.
    pub fn get(&self, fact: &str) -> Option<String> {
        match fact {
            "host" => Some(self.host.clone()),
            "port" => Some(self.port.to_string()),
            "url" => self.url.clone(),
            _ => None,
        }
    }
}

/// The databases and endpoints a service's env reads that its `uses` does not list: an
/// env reference implies the use (so the NetworkPolicies open the path).
pub fn implied_uses(svc: &Service) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in svc.env.values() {
        for target in [&v.db, &v.endpoint].into_iter().flatten() {
            if !svc.uses.contains(target) && !out.contains(target) {
                out.push(target.clone());
            }
        }
    }
    out
}

/// The `{name}` placeholders of a fact's text, in order.
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        let Some(j) = rest[i..].find('}') else { break };
        out.push(&rest[i + 1..i + j]);
        rest = &rest[i + j + 1..];
    }
    out
}

/// The variable that carries a non-literal fact of database `db` when no variable of the
/// spec reads it: `GENK8S_<DB>_<FACT>`.
pub fn helper_name(db: &str, fact: &str) -> String {
    let up = |s: &str| s.to_ascii_uppercase().replace(['-', '.'], "_");
    format!("GENK8S_{}_{}", up(db), up(fact))
}

/// The effective agents of a service: the platform's, each replaced by the service's own,
/// none with `enabled: false`.
pub fn agents(spec: &Platform, svc: &Service) -> Option<Observability> {
    let own = svc.observability.as_ref();
    if own.and_then(|o| o.enabled) == Some(false) {
        return None;
    }
    let base = spec.observability.clone().unwrap_or_default();
    let o = Observability {
        enabled: None,
        service: own.and_then(|o| o.service.clone()),
        datadog: own.and_then(|o| o.datadog.clone()).or(base.datadog),
        otel: own.and_then(|o| o.otel.clone()).or(base.otel),
    };
    (o.datadog.is_some() || o.otel.is_some()).then_some(o)
}

/// The Datadog unified service tags of one track's pods (env, service, version).
pub fn datadog_labels(spec: &Platform, env: &str, name: &str, svc: &Service, image: &str) -> BTreeMap<String, String> {
    let Some(a) = agents(spec, svc) else { return BTreeMap::new() };
    let Some(dd) = &a.datadog else { return BTreeMap::new() };
    let mut l = BTreeMap::from([
        (DD_ENV.to_string(), dd.env.clone().unwrap_or_else(|| env.to_string())),
        (DD_SERVICE.to_string(), a.service.clone().unwrap_or_else(|| name.to_string())),
    ]);
    if let Some(tag) = crate::spec::image_tag(image).filter(|t| t.len() <= 63) {
        l.insert(DD_VERSION.to_string(), tag.to_string());
    }
    l
}

fn literal(s: impl Into<String>) -> Short<Box<EnvValue>> {
    Short(Box::new(EnvValue { value: Some(s.into()), ..EnvValue::default() }))
}

fn field(path: &str) -> Short<Box<EnvValue>> {
    Short(Box::new(EnvValue { field: Some(path.to_string()), ..EnvValue::default() }))
}

/// Variable holding the pod's version label, for values that name it with `$(…)`.
const VERSION_VAR: &str = "GENK8S_SERVICE_VERSION";

/// The agents' variables (the spec's own `env` overrides any of them).
fn agent_env(spec: &Platform, env: &str, name: &str, svc: &Service) -> BTreeMap<String, Short<Box<EnvValue>>> {
    let mut out = BTreeMap::new();
    let Some(a) = agents(spec, svc) else { return out };
    let service = a.service.clone().unwrap_or_else(|| name.to_string());
    if let Some(dd) = &a.datadog {
        datadog_env(dd, &mut out);
    }
    if let Some(otel) = &a.otel {
        otel_env(spec, env, otel, &service, &mut out);
    }
    out
}

fn datadog_env(dd: &Datadog, out: &mut BTreeMap<String, Short<Box<EnvValue>>>) {
    out.insert("DD_AGENT_HOST".into(), field("status.hostIP"));
    for (var, label) in [("DD_ENV", DD_ENV), ("DD_SERVICE", DD_SERVICE), ("DD_VERSION", DD_VERSION)] {
        out.insert(var.into(), field(&format!("metadata.labels['{label}']")));
    }
    if let Some(p) = dd.apm_port.filter(|p| *p != DATADOG_APM_PORT) {
        out.insert("DD_TRACE_AGENT_PORT".into(), literal(p.to_string()));
    }
    if let Some(p) = dd.statsd_port.filter(|p| *p != DATADOG_STATSD_PORT) {
        out.insert("DD_DOGSTATSD_PORT".into(), literal(p.to_string()));
    }
}

fn otel_env(spec: &Platform, env: &str, otel: &Otel, service: &str, out: &mut BTreeMap<String, Short<Box<EnvValue>>>) {
    out.insert("OTEL_EXPORTER_OTLP_ENDPOINT".into(), literal(&otel.endpoint));
    if let Some(p) = &otel.protocol {
        out.insert("OTEL_EXPORTER_OTLP_PROTOCOL".into(), literal(p));
    }
    out.insert("OTEL_SERVICE_NAME".into(), literal(service));
    let mut attrs = BTreeMap::from([
        ("deployment.environment.name".to_string(), escape(env)),
        ("service.namespace".to_string(), escape(&spec.platform)),
        ("service.version".to_string(), format!("$({VERSION_VAR})")),
    ]);
    attrs.extend(otel.attributes.iter().map(|(k, v)| (k.clone(), escape(v))));
    let text: Vec<String> = attrs.iter().map(|(k, v)| format!("{k}={v}")).collect();
    out.insert("OTEL_RESOURCE_ATTRIBUTES".into(), literal(text.join(",")));
}

/// A literal as a value Kubernetes expands: `$` written as `$$`.
fn escape(s: &str) -> String {
    s.replace('$', "$$")
}

/// The ordered container environment of service `name`: the agents' variables and the
/// spec's `env` (which wins), by name, each variable a value refers to with `$(…)` placed
/// before it. Expects a validated spec (every reference resolves).
pub fn service_env(
    spec: &Platform,
    engines: &BTreeMap<String, Engine>,
    env: &str,
    name: &str,
    svc: &Service,
) -> Vec<Var> {
    let mut all = agent_env(spec, env, name, svc);
    all.extend(svc.env.iter().map(|(k, v)| (k.clone(), v.clone())));
    let mut r = Resolver { spec, engines, env: &all, out: Vec::new(), done: BTreeSet::new() };
    for (k, v) in &all {
        r.var(k, v);
    }
    r.out
}

struct Resolver<'a> {
    spec: &'a Platform,
    engines: &'a BTreeMap<String, Engine>,
    env: &'a BTreeMap<String, Short<Box<EnvValue>>>,
    out: Vec<Var>,
    done: BTreeSet<String>,
}

impl Resolver<'_> {
    fn emit(&mut self, name: &str, value: EnvValue) {
        if self.done.insert(name.to_string()) {
            self.out.push((name.to_string(), value));
        }
    }

    /// One variable of the spec (or an agent's), after whatever it depends on.
    fn var(&mut self, name: &str, v: &EnvValue) {
        if self.done.contains(name) {
            return;
        }
        let value = match (&v.db, &v.endpoint, &v.value) {
            (Some(db), _, Some(fact)) => self.db_fact(db, fact),
            (_, Some(ep), Some(fact)) => {
                let facts = self.spec.endpoints.get(ep).and_then(|e| EndpointFacts::of(e).ok());
                EnvValue { value: facts.and_then(|f| f.get(fact)), ..EnvValue::default() }
            }
            _ => v.clone(),
        };
        if value.value.as_deref().is_some_and(|t| t.contains(&format!("$({VERSION_VAR})"))) {
            self.emit(VERSION_VAR, *field("metadata.labels['app.kubernetes.io/version']").0);
        }
        self.emit(name, value);
    }

    /// Fact `fact` of database `db`: a literal (its `{…}` placeholders filled in, a Secret
    /// value as `$(VAR)` of a variable emitted first) or the fact's own source.
    fn db_fact(&mut self, db: &str, fact: &str) -> EnvValue {
        let Some(facts) = self.engines.get(db).map(|e| &e.connection) else { return EnvValue::default() };
        let Some(v) = facts.get(fact) else { return EnvValue::default() };
        let Some(text) = &v.value else { return (*v.0).clone() };
        let mut filled = String::new();
        let mut rest = text.as_str();
        while let Some(i) = rest.find('{') {
            let Some(j) = rest[i..].find('}') else { break };
            filled.push_str(&escape(&rest[..i]));
            let part = &rest[i + 1..i + j];
            match facts.get(part) {
                Some(p) if p.value.is_some() => filled.push_str(&escape(p.value.as_deref().unwrap_or_default())),
                Some(p) => {
                    let var = self.carrier(db, part, &p.0);
                    filled.push_str(&format!("$({var})"));
                }
                None => filled.push_str(&rest[i..=i + j]),
            }
            rest = &rest[i + j + 1..];
        }
        filled.push_str(&escape(rest));
        EnvValue { value: Some(filled), ..EnvValue::default() }
    }

    /// The variable that carries fact `fact` of `db` (the spec's own, or a helper), emitted.
    fn carrier(&mut self, db: &str, fact: &str, source: &EnvValue) -> String {
        let own = self.env.iter().find(|(_, v)| v.db.as_deref() == Some(db) && v.value.as_deref() == Some(fact));
        let name = own.map_or_else(|| helper_name(db, fact), |(k, _)| k.clone());
        self.emit(&name, source.clone());
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_give_host_and_port_or_the_scheme_default() {
        assert_eq!(url_host_port("https://s3.eu-west-1.amazonaws.com"), Ok(("s3.eu-west-1.amazonaws.com".into(), 443)));
        assert_eq!(url_host_port("http://otel.obs:4318/v1/traces"), Ok(("otel.obs".into(), 4318)));
        assert_eq!(url_host_port("smtp://u@mail.example.com"), Ok(("mail.example.com".into(), 25)));
        assert_eq!(url_host_port("http://[fd00::1]:8080"), Ok(("fd00::1".into(), 8080)));
        assert!(url_host_port("mail.example.com:587").is_err());
        assert!(url_host_port("foo://x").is_err());
        assert!(url_host_port("https://x:99999").is_err());
    }

    #[test]
    fn placeholders_and_helper_names() {
        assert_eq!(
            placeholders("postgresql://{user}:{password}@{host}:{port}/{database}"),
            ["user", "password", "host", "port", "database"]
        );
        assert_eq!(helper_name("web-pg", "password"), "GENK8S_WEB_PG_PASSWORD");
    }

    fn parse<T: serde::de::DeserializeOwned>(yaml: &str) -> T {
        crate::yaml::de::from_node(&crate::yaml::parse(yaml, 0).unwrap()).unwrap()
    }

    fn engine() -> Engine {
        parse(concat!(
            "{image: pg, port: {name: pg, number: 5432}, data_path: /d, run_as_user: 1, wait: 'true', resources: {}, storage: 1Gi,\n",
            " connection: {host: pg, port: '5432', database: 'a$b', user: {secret: pg-credentials, key: username},\n",
            "  password: {secret: pg-credentials, key: password}, url: 'postgresql://{user}:{password}@{host}:{port}/{database}'}}"
        ))
    }

    fn names(vars: &[Var]) -> Vec<&str> {
        vars.iter().map(|(k, _)| k.as_str()).collect()
    }

    #[test]
    fn what_a_url_refers_to_comes_first_and_literals_are_escaped() {
        let spec: Platform = parse("platform: p\nservices: {}\n");
        let engines = BTreeMap::from([("pg".to_string(), engine())]);
        let svc: Service = parse("image: a:1\nenv: {A_URL: {db: pg, value: url}, Z_PASS: {db: pg, value: password}}\n");
        let vars = service_env(&spec, &engines, "dev", "api", &svc);
        // Z_PASS carries the URL's password, so it moves before A_URL; the user has a helper.
        assert_eq!(names(&vars), ["GENK8S_PG_USER", "Z_PASS", "A_URL"]);
        assert_eq!(vars[2].1.value.as_deref(), Some("postgresql://$(GENK8S_PG_USER):$(Z_PASS)@pg:5432/a$$b"));
        assert_eq!(vars[1].1.secret.as_deref(), Some("pg-credentials"));
        assert_eq!(implied_uses(&svc), ["pg"]);
    }

    #[test]
    fn the_spec_env_wins_over_an_agent_and_a_service_can_turn_agents_off() {
        let spec: Platform = parse("platform: p\nobservability: {otel: {endpoint: 'http://c:4317'}}\nservices: {}\n");
        let svc: Service = parse("image: a:1\nenv: {OTEL_SERVICE_NAME: mine}\n");
        let vars = service_env(&spec, &BTreeMap::new(), "dev", "api", &svc);
        let get = |k: &str| vars.iter().find(|(n, _)| n == k).and_then(|(_, v)| v.value.clone());
        assert_eq!(get("OTEL_SERVICE_NAME").as_deref(), Some("mine"));
        let pos = |k: &str| vars.iter().position(|(n, _)| n == k);
        assert!(pos("GENK8S_SERVICE_VERSION") < pos("OTEL_RESOURCE_ATTRIBUTES"), "{vars:?}");
        let off: Service = parse("image: a:1\nobservability: {enabled: false}\n");
        assert!(service_env(&spec, &BTreeMap::new(), "dev", "api", &off).is_empty());
        assert!(datadog_labels(&spec, "dev", "api", &off, "a:1").is_empty());
    }

    #[test]
    fn endpoint_facts_from_host_and_port_or_from_the_url() {
        let smtp = Endpoint { host: Some("smtp.example.com".into()), port: Some(587), ..Endpoint::default() };
        let f = EndpointFacts::of(&smtp).unwrap();
        assert_eq!(
            (f.get("host").unwrap(), f.get("port").unwrap(), f.get("url")),
            ("smtp.example.com".into(), "587".into(), None)
        );
        let s3 = Endpoint { url: Some("https://s3.amazonaws.com".into()), ..Endpoint::default() };
        assert_eq!(EndpointFacts::of(&s3).unwrap().port, 443);
        assert!(EndpointFacts::of(&Endpoint { host: Some("x".into()), ..Endpoint::default() }).is_err());
        assert!(EndpointFacts::of(&Endpoint::default()).is_err());
    }
}
