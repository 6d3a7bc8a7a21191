//! Checks of connection wiring: env references to databases and endpoints
//! (`{db: postgres, value: url}`), the platform's `endpoints`, the `observability` agents
//! and the monitoring labels. Facts are checked against the rendered engines, once they
//! are known.

use super::Checker;
use super::names::*;
use crate::catalog::Engine;
use crate::diag::suggest;
use crate::spec::{EnvValue, Observability, Platform, Short};
use crate::wiring::{ENDPOINT_FACTS, EndpointFacts, placeholders, url_host_port};
use std::collections::BTreeMap;

/// OTLP protocols the SDKs accept in `OTEL_EXPORTER_OTLP_PROTOCOL`.
const OTLP_PROTOCOLS: [&str; 3] = ["grpc", "http/protobuf", "http/json"];

fn did_you_mean<'a>(word: &str, what: &str, names: impl Iterator<Item = &'a String> + Clone) -> String {
    match suggest(word, names.clone().map(String::as_str)) {
        Some(s) => format!("did you mean `{s}`?"),
        None => known(what, names),
    }
}

impl Checker<'_> {
    /// An env variable that reads a database or an endpoint: exactly one of them, the fact
    /// named in `value`, nothing else, and a target the platform declares.
    pub(super) fn check_env_ref(&mut self, path: Vec<&str>, k: &str, v: &Short<Box<EnvValue>>, spec: &Platform) {
        let (kind, target) = match (&v.db, &v.endpoint) {
            (Some(d), None) => ("database", d),
            (None, Some(e)) => ("endpoint", e),
            _ => {
                let help = "write {db: <database>, value: url} or {endpoint: <endpoint>, value: host}";
                return self.err(&path, format!("env `{k}` names both a database and an endpoint"), help);
            }
        };
        let field = if v.db.is_some() { "db" } else { "endpoint" };
        if v.secret.is_some() || v.config.is_some() || v.field.is_some() || v.key.is_some() {
            let help =
                format!("write {{{field}: {target}, value: <fact>}} alone, or read the Secret or config directly");
            return self.err(
                &path,
                format!("env `{k}` reads {kind} `{target}`: secret, config, field and key do not go with {field}"),
                help,
            );
        }
        let mut at = path.clone();
        at.push(field);
        let names: Vec<&String> =
            if v.db.is_some() { spec.databases.keys().collect() } else { spec.endpoints.keys().collect() };
        if !names.contains(&target) {
            let help = did_you_mean(target, &format!("{kind}s"), names.iter().copied());
            let article = if kind == "endpoint" { "an" } else { "a" };
            return self.err(&at, format!("`{target}` is not {article} {kind} of this platform"), help);
        }
        if v.value.is_none() {
            let facts =
                if v.db.is_some() { "url, host, port, user, password or database" } else { "host, port or url" };
            self.err(
                &path,
                format!("env `{k}` reads {kind} `{target}` but names no fact"),
                format!("add value: <fact> ({facts})"),
            );
        }
    }

    /// Each `{db:, value:}` names a fact of its database's engine, each `{endpoint:, value:}`
    /// one its endpoint has; names starting `GENK8S_` are left to genk8s.
    pub(super) fn check_wired_facts(&mut self, spec: &Platform, engines: &BTreeMap<String, Engine>) {
        for (name, svc) in &spec.services {
            for (k, v) in &svc.env {
                let base = ["services", name.as_str(), "env", k.as_str()];
                if k.starts_with("GENK8S_") && v.db.is_none() {
                    self.err(
                        &base,
                        format!("`{k}`: names starting with GENK8S_ are the variables genk8s declares"),
                        "rename the variable",
                    );
                }
                let (Some(fact), Some(db)) = (&v.value, &v.db) else {
                    self.check_endpoint_fact(&base, v, spec);
                    continue;
                };
                let Some(e) = engines.get(db) else { continue };
                let engine = &spec.databases[db].engine;
                let at: Vec<&str> = base.iter().copied().chain(["value"]).collect();
                if let Some(f) = e.connection.get(fact) {
                    let text = f.value.as_deref().unwrap_or_default();
                    if let Some(bad) = placeholders(text).into_iter().find(|p| !e.connection.contains_key(*p)) {
                        let help = format!(
                            "in the engine template {engine}.yaml.j2, name one of its connection facts in {{…}}"
                        );
                        self.err(&at, format!("connection fact `{fact}` of engine `{engine}` refers to `{{{bad}}}`, which the engine does not declare"), help);
                    }
                    continue;
                }
                if e.connection.is_empty() {
                    let help = format!(
                        "add a `connection:` map to the engine template {engine}.yaml.j2 (see the engine catalog in the README)"
                    );
                    self.err(&at, format!("engine `{engine}` of database `{db}` declares no connection facts"), help);
                } else {
                    let offers: Vec<&str> = e.connection.keys().map(String::as_str).collect();
                    let help = match suggest(fact, offers.iter().copied()) {
                        Some(s) => format!("did you mean `{s}`? (it offers {})", offers.join(", ")),
                        None => format!("it offers {}", offers.join(", ")),
                    };
                    self.err(
                        &at,
                        format!("engine `{engine}` of database `{db}` has no connection fact `{fact}`"),
                        help,
                    );
                }
            }
        }
    }

    fn check_endpoint_fact(&mut self, base: &[&str], v: &EnvValue, spec: &Platform) {
        let (Some(fact), Some(ep)) = (&v.value, &v.endpoint) else { return };
        let Some(facts) = spec.endpoints.get(ep).and_then(|e| EndpointFacts::of(e).ok()) else { return };
        let at: Vec<&str> = base.iter().copied().chain(["value"]).collect();
        if !ENDPOINT_FACTS.contains(&fact.as_str()) {
            let help = match suggest(fact, ENDPOINT_FACTS) {
                Some(s) => format!("did you mean `{s}`? (endpoints offer host, port and url)"),
                None => "endpoints offer host, port and url".to_string(),
            };
            self.err(&at, format!("endpoint `{ep}` has no fact `{fact}`"), help);
        } else if facts.get(fact).is_none() {
            self.err(
                &at,
                format!("endpoint `{ep}` has no url: it is declared by host and port"),
                format!("read host and port, or declare url: under endpoints.{ep}"),
            );
        }
    }

    /// `endpoints`: names that are no service's or database's, a host and port (or a URL
    /// that gives them), addresses that are CIDRs.
    pub(super) fn check_endpoints(&mut self, spec: &Platform) {
        for (name, e) in &spec.endpoints {
            let at = ["endpoints", name.as_str()];
            if !is_dns_label(name) {
                self.err(
                    &at,
                    format!("endpoint name `{name}` is not a DNS label"),
                    "use lowercase letters, digits and '-', e.g. smtp",
                );
            } else if spec.services.contains_key(name) || spec.databases.contains_key(name) {
                self.err(
                    &at,
                    format!("endpoint `{name}` has the name of a service or database of this platform"),
                    "give the endpoint another name: `uses` could not tell them apart",
                );
            }
            if let Err(msg) = EndpointFacts::of(e) {
                let field = if e.url.is_some() && e.host.is_none() { "url" } else { "host" };
                let mut p = at.to_vec();
                if e.url.is_some() || e.host.is_some() {
                    p.push(field);
                }
                self.err(
                    &p,
                    msg,
                    "e.g. {host: smtp.example.com, port: 587} or {url: https://s3.eu-west-1.amazonaws.com}",
                );
            }
            self.check_cidrs(&["endpoints", name, "cidrs"], &e.cidrs);
        }
    }

    /// The platform's and each service's `observability`.
    pub(super) fn check_observability(&mut self, spec: &Platform) {
        if let Some(o) = &spec.observability {
            if o.enabled.is_some() || o.service.is_some() {
                let what = if o.enabled.is_some() { "enabled" } else { "service" };
                self.err(
                    &["observability", what],
                    format!("`{what}` belongs in a service's observability"),
                    "set it under services.<name>.observability",
                );
            }
            self.check_agents(&["observability"], o);
        }
        for (name, svc) in &spec.services {
            if let Some(o) = &svc.observability {
                self.check_agents(&["services", name, "observability"], o);
            }
        }
    }

    fn check_agents(&mut self, base: &[&str], o: &Observability) {
        let at = |rest: &[&'static str]| -> Vec<String> { base.iter().chain(rest).map(|s| s.to_string()).collect() };
        let mut problems: Vec<(Vec<String>, String, &str)> = Vec::new();
        if let Some(otel) = &o.otel {
            if let Err(msg) = url_host_port(&otel.endpoint) {
                problems.push((
                    at(&["otel", "endpoint"]),
                    msg,
                    "write the collector's OTLP URL, e.g. http://otel-collector.observability:4317",
                ));
            }
            if let Some(proto) = otel.protocol.as_deref().filter(|p| !OTLP_PROTOCOLS.contains(p)) {
                problems.push((
                    at(&["otel", "protocol"]),
                    format!("`{proto}` is not an OTLP protocol"),
                    "write grpc, http/protobuf or http/json",
                ));
            }
            if let Some(ns) = otel.namespace.as_deref().filter(|n| !is_dns_label(n)) {
                problems.push((
                    at(&["otel", "namespace"]),
                    format!("`{ns}` is not a namespace name"),
                    "use lowercase letters, digits and '-', e.g. observability",
                ));
            }
        }
        if let Some(dd) = &o.datadog {
            for (field, port) in [("apm_port", dd.apm_port), ("statsd_port", dd.statsd_port)] {
                if port == Some(0) {
                    problems.push((
                        at(&["datadog", field]),
                        "port 0 is not a valid port".into(),
                        "write a port between 1 and 65535",
                    ));
                }
            }
            let p = at(&["datadog", "node_cidrs"]);
            self.check_cidrs(&p.iter().map(String::as_str).collect::<Vec<_>>(), &dd.node_cidrs);
        }
        for (path, msg, help) in problems {
            self.err(&path.iter().map(String::as_str).collect::<Vec<_>>(), msg, help);
        }
    }

    /// `monitoring.labels` and the dashboard's namespace and labels.
    pub(super) fn check_monitoring_wiring(&mut self, spec: &Platform) {
        let m = &spec.monitoring;
        let dash = m.dashboard.as_ref();
        let maps = [
            (vec!["monitoring", "labels"], Some(&m.labels)),
            (vec!["monitoring", "dashboard", "labels"], dash.map(|d| &d.labels)),
        ];
        for (base, labels) in maps {
            for (k, v) in labels.into_iter().flatten() {
                let at: Vec<&str> = base.iter().copied().chain([k.as_str()]).collect();
                if !is_label_key(k) {
                    self.err(&at, format!("`{k}` is not a label key"), "e.g. release");
                } else if !is_label_value(v) {
                    self.err(
                        &at,
                        format!("`{v}` is not a label value"),
                        "at most 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric",
                    );
                }
            }
        }
        if let Some(ns) = dash.and_then(|d| d.namespace.as_deref()).filter(|n| !is_dns_label(n)) {
            self.err(
                &["monitoring", "dashboard", "namespace"],
                format!("`{ns}` is not a namespace name"),
                "use lowercase letters, digits and '-', e.g. monitoring",
            );
        }
    }
}
