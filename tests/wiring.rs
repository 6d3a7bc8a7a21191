//! Connection wiring, checked as the cluster would run it: the container env of a service
//! that reads `{db: …, value: url}` expands (Kubernetes' `$(VAR)` rule: only variables listed
//! earlier) into a working URL from the Secret keys the database's own pods read; endpoint and
//! agent egress is what the NetworkPolicy evaluator (`graph`, `lint`) allows, and nothing more.

use assert_cmd::Command;
use genk8s::yaml::{Node, NodeKind};
use std::collections::BTreeMap;
use std::path::Path;

mod common;
use common::{at, build, find, text, write};

fn items(n: Option<&Node>) -> Vec<&Node> {
    match n.map(|n| &n.kind) {
        Some(NodeKind::Seq(v)) => v.iter().collect(),
        _ => Vec::new(),
    }
}

/// The env list of the first container of a workload's pod template.
fn env(workload: &Node) -> Vec<&Node> {
    let c = items(at(workload, &["spec", "template", "spec", "containers"]));
    items(c[0].get("env"))
}

/// (Secret, key) of every secretKeyRef of an env list.
fn secret_refs(env: &[&Node]) -> Vec<(String, String)> {
    env.iter()
        .filter_map(|e| {
            let r = at(e, &["valueFrom", "secretKeyRef"])?;
            Some((text(r, &["name"])?.to_string(), text(r, &["key"])?.to_string()))
        })
        .collect()
}

/// Kubernetes' dependent expansion: `$$` is `$`, `$(NAME)` the value of a variable defined
/// earlier in the list, any other `$(NAME)` stays as written.
fn expand(value: &str, earlier: &BTreeMap<String, String>) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix('$') {
            out.push('$');
            rest = r;
        } else if let Some(inner) = after.strip_prefix('(')
            && let Some(j) = inner.find(')')
            && let Some(v) = earlier.get(&inner[..j])
        {
            out.push_str(v);
            rest = &inner[j + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out + rest
}

/// The container's variables as the kubelet resolves them, in order, with Secret values
/// from `secrets` (a reference to a key not in `secrets` fails the test).
fn resolve(env: &[&Node], secrets: &BTreeMap<(String, String), String>) -> BTreeMap<String, String> {
    let mut seen = BTreeMap::new();
    for e in env {
        let name = text(e, &["name"]).unwrap().to_string();
        let value = if let Some(v) = text(e, &["value"]) {
            expand(v, &seen)
        } else if let Some(r) = at(e, &["valueFrom", "secretKeyRef"]) {
            let k = (text(r, &["name"]).unwrap().to_string(), text(r, &["key"]).unwrap().to_string());
            secrets.get(&k).unwrap_or_else(|| panic!("{name} reads {k:?}, which the database's pods do not")).clone()
        } else {
            format!("<{}>", text(e, &["valueFrom", "fieldRef", "fieldPath"]).unwrap_or("?"))
        };
        seen.insert(name, value);
    }
    seen
}

const SHOP: &str = "platform: shop
endpoints:
  smtp: {host: smtp.example.com, port: 587}
  s3: {url: https://s3.eu-west-1.amazonaws.com, cidrs: [52.95.0.0/16]}
services:
  api:
    image: ghcr.io/acme/api:1.4.2
    ports: {http: 8080}
    uses: [smtp]
    env:
      DATABASE_URL: {db: pg, value: url}
      DB_PASSWORD: {db: pg, value: password}
      CACHE_URL: {db: cache, value: url}
      MQ_URL: {db: mq, value: url}
      DOCS_URL: {db: docs, value: url}
      S3_ENDPOINT: {endpoint: s3, value: url}
      SMTP_HOST: {endpoint: smtp, value: host}
      SMTP_PORT: {endpoint: smtp, value: port}
  web:
    image: ghcr.io/acme/web:2.0.1
    ports: {http: 3000}
    uses: [api]
databases:
  pg: {engine: postgres, database: shop}
  cache: {engine: redis}
  mq: {engine: rabbitmq}
  docs: {engine: mongodb, database: docs}
";

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("genk8s").unwrap().args(args).arg("-p").arg(dir).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn a_database_url_expands_from_the_secret_keys_the_database_reads() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), SHOP);
    let objs = build(t.path());
    // What the cluster holds: fake values for every key the databases' own pods read.
    let mut secrets = BTreeMap::new();
    for db in ["pg", "cache", "mq", "docs"] {
        for (s, k) in secret_refs(&env(find(&objs, "StatefulSet", db))) {
            secrets.insert((s, k.clone()), format!("{db}-{k}"));
        }
    }
    let api = env(find(&objs, "Deployment", "api"));
    let vars = resolve(&api, &secrets);
    assert_eq!(vars["DATABASE_URL"], "postgresql://pg-username:pg-password@pg:5432/shop");
    assert_eq!(vars["DB_PASSWORD"], "pg-password");
    assert_eq!(vars["CACHE_URL"], "redis://:cache-password@cache:6379");
    assert_eq!(vars["MQ_URL"], "amqp://mq-username:mq-password@mq:5672");
    assert_eq!(vars["DOCS_URL"], "mongodb://docs-username:docs-password@docs:27017/docs?authSource=admin");
    assert_eq!(vars["S3_ENDPOINT"], "https://s3.eu-west-1.amazonaws.com");
    assert_eq!((vars["SMTP_HOST"].as_str(), vars["SMTP_PORT"].as_str()), ("smtp.example.com", "587"));
    // No password is written into a value: only Secret references carry them.
    for e in &api {
        assert!(!text(e, &["value"]).unwrap_or_default().contains("password"), "{e:?}");
    }
    // The spec's own DB_PASSWORD carries the URL's password: no second variable for it.
    let names: Vec<&str> = api.iter().filter_map(|e| text(e, &["name"])).collect();
    assert!(!names.contains(&"GENK8S_PG_PASSWORD"), "{names:?}");
    assert!(names.contains(&"GENK8S_PG_USER"), "{names:?}");
}

#[test]
fn a_reference_is_a_use_and_secrets_lists_the_service_as_a_reader() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), SHOP);
    let objs = build(t.path());
    // api lists only smtp in uses; its env references add the databases and s3.
    let pg = find(&objs, "NetworkPolicy", "pg");
    let from: Vec<&str> = items(at(pg, &["spec", "ingress"]))
        .iter()
        .flat_map(|r| items(r.get("from")))
        .filter_map(|p| text(p, &["podSelector", "matchLabels", "app.kubernetes.io/name"]))
        .collect();
    assert_eq!(from, ["api"]);
    let inits = items(at(find(&objs, "Deployment", "api"), &["spec", "template", "spec", "initContainers"]));
    let waits: Vec<&str> = inits.iter().filter_map(|c| text(c, &["name"])).collect();
    assert!(waits.iter().any(|w| w.contains("pg")), "api waits for pg: {waits:?}");
    let (code, out, _) = run(t.path(), &["secrets", "dev"]);
    assert_eq!(code, 0);
    let pg_line = out.lines().find(|l| l.starts_with("pg-credentials")).unwrap_or_else(|| panic!("{out}"));
    assert!(pg_line.contains("password, username") && pg_line.contains("api"), "{pg_line}");
}

#[test]
fn the_evaluator_allows_each_endpoint_to_its_users_only_and_on_its_port_only() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), SHOP);
    let (code, g, err) = run(t.path(), &["graph", "dev"]);
    assert_eq!(code, 0, "{err}");
    assert!(g.contains("  endpoint_smtp[/\"smtp (endpoint smtp.example.com:587)\"/]\n"), "{g}");
    assert!(g.contains("  svc_api -->|tcp/587| endpoint_smtp\n"), "{g}");
    assert!(g.contains("  svc_api -->|tcp/443| endpoint_s3\n"), "{g}");
    // s3 goes to its CIDR only; smtp (no addresses) to any address on 587, and nothing else.
    assert!(g.contains("  svc_api -->|tcp/443| net_52_95_0_0_16\n"), "{g}");
    assert!(g.contains("  svc_api -->|tcp/587| internet\n"), "{g}");
    assert!(!g.contains("svc_web --> endpoint") && !g.contains("svc_web -->|tcp/587"), "{g}");
    let (code, out, err) = run(t.path(), &["lint", "dev"]);
    assert_eq!(code, 0, "GK015 finds every wired path open: {out}{err}");
}

#[test]
fn an_overlay_moves_an_endpoint_for_one_environment() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), SHOP);
    std::fs::write(
        t.path().join("environments/dev.yaml"),
        "namespace: t-dev\nendpoints: {smtp: {host: mailpit, port: 1025}}\n",
    )
    .unwrap();
    let objs = build(t.path());
    let vars = resolve(&env(find(&objs, "Deployment", "web")), &BTreeMap::new());
    assert!(vars.is_empty() || !vars.contains_key("SMTP_HOST"));
    let api = env(find(&objs, "Deployment", "api"));
    let host = api.iter().find(|e| text(e, &["name"]) == Some("SMTP_HOST")).and_then(|e| text(e, &["value"]));
    assert_eq!(host, Some("mailpit"));
    let policy = find(&objs, "NetworkPolicy", "api");
    let ports: Vec<&str> = items(at(policy, &["spec", "egress"]))
        .iter()
        .flat_map(|r| items(r.get("ports")))
        .filter_map(|p| text(p, &["port"]))
        .collect();
    assert!(ports.contains(&"1025") && !ports.contains(&"587"), "{ports:?}");
}

const AGENTS: &str = "platform: shop
observability:
  datadog: {node_cidrs: [10.0.0.0/16]}
  otel: {endpoint: \"http://otel-collector.observability:4317\", namespace: observability, attributes: {team: payments}}
monitoring:
  alerts: true
  labels: {release: kube-prometheus-stack}
  dashboard: {namespace: monitoring, panels: {\"queue depth\": \"sum(queue_depth)\"}}
services:
  api:
    image: ghcr.io/acme/api:1.4.2
    ports: {http: 8080}
    metrics: {}
    observability: {service: shop-api}
  batch:
    image: ghcr.io/acme/batch:3.0.0
    observability: {enabled: false}
";

#[test]
fn agents_get_their_env_labels_and_egress_and_a_service_can_opt_out() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), AGENTS);
    let objs = build(t.path());
    let api = find(&objs, "Deployment", "api");
    let labels = at(api, &["spec", "template", "metadata", "labels"]).unwrap();
    let label = |k: &str| labels.get(k).and_then(Node::as_str);
    assert_eq!(
        (label("tags.datadoghq.com/env"), label("tags.datadoghq.com/service"), label("tags.datadoghq.com/version")),
        (Some("dev"), Some("shop-api"), Some("1.4.2"))
    );
    let e = env(api);
    let host = e.iter().find(|v| text(v, &["name"]) == Some("DD_AGENT_HOST")).unwrap();
    assert_eq!(text(host, &["valueFrom", "fieldRef", "fieldPath"]), Some("status.hostIP"));
    // The pod's labels, as the downward API gives them, fill the tags and the OTel version.
    let mut fields = BTreeMap::new();
    for (k, v) in labels.entries().unwrap().iter().map(|x| (x.key.clone(), x.value.as_str().unwrap().to_string())) {
        fields.insert(format!("<metadata.labels['{k}']>"), v);
    }
    let vars: BTreeMap<String, String> =
        resolve(&e, &BTreeMap::new()).into_iter().map(|(k, v)| (k, fields.get(&v).cloned().unwrap_or(v))).collect();
    assert_eq!(
        (vars["DD_ENV"].as_str(), vars["DD_SERVICE"].as_str(), vars["DD_VERSION"].as_str()),
        ("dev", "shop-api", "1.4.2")
    );
    assert_eq!(vars["OTEL_SERVICE_NAME"], "shop-api");
    assert_eq!(vars["OTEL_EXPORTER_OTLP_ENDPOINT"], "http://otel-collector.observability:4317");
    let attrs = expand(
        text(e.iter().find(|v| text(v, &["name"]) == Some("OTEL_RESOURCE_ATTRIBUTES")).unwrap(), &["value"]).unwrap(),
        &BTreeMap::from([("GENK8S_SERVICE_VERSION".to_string(), "1.4.2".to_string())]),
    );
    assert_eq!(attrs, "deployment.environment.name=dev,service.namespace=shop,service.version=1.4.2,team=payments");
    let (code, g, _) = run(t.path(), &["graph", "dev"]);
    assert_eq!(code, 0);
    assert!(g.contains("  svc_api -->|tcp/8126,udp/8125| agent_datadog\n"), "{g}");
    assert!(g.contains("  svc_api -->|tcp/4317| agent_otel\n"), "{g}");
    assert!(!g.contains("svc_api -->|tcp/4317| internet") && !g.contains("svc_batch -->|tcp/8126"), "{g}");
    let batch = find(&objs, "Deployment", "batch");
    assert!(env(batch).is_empty(), "batch opted out");
    assert!(text(batch, &["spec", "template", "metadata", "labels", "tags.datadoghq.com/env"]).is_none());
}

#[test]
fn monitoring_objects_carry_the_release_label_and_the_dashboard_goes_where_grafana_looks() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), AGENTS);
    let objs = build(t.path());
    for (kind, name) in [("ServiceMonitor", "api"), ("PrometheusRule", "shop-alerts")] {
        assert_eq!(text(find(&objs, kind, name), &["metadata", "labels", "release"]), Some("kube-prometheus-stack"));
    }
    let dash = find(&objs, "ConfigMap", "shop-dashboard");
    assert_eq!(text(dash, &["metadata", "namespace"]), Some("monitoring"));
    let json = text(dash, &["data", "shop.json"]).unwrap();
    assert!(json.contains("\"title\": \"queue depth\"") && json.contains("sum(queue_depth)"), "{json}");
}

#[test]
fn lint_reads_the_collector_endpoint_and_finds_it_blocked_without_its_egress() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), AGENTS);
    let (code, out, err) = run(t.path(), &["lint", "dev"]);
    assert_eq!(code, 0, "wired agents lint clean: {out}{err}");
    // A patch that drops the collector rule: GK015 (wired agent) and GK018 (the endpoint value) see it.
    let spec = AGENTS.replace(
        "services:\n",
        "patches:\n  NetworkPolicy/api:\n    json: [{op: remove, path: /spec/egress/2}]\nservices:\n",
    );
    write(t.path(), &spec);
    let (code, out, _) = run(t.path(), &["lint", "dev"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("[GK015 error] api is wired to OpenTelemetry collector otel-collector.observability:4317, but the NetworkPolicies block it on tcp/4317"), "{out}");
    assert!(
        out.contains("[GK018 warning]")
            && out.contains("platform.yaml:4:20: OTEL_EXPORTER_OTLP_ENDPOINT names otel-collector.observability:4317"),
        "{out}"
    );
}

#[test]
fn a_migration_job_reports_to_datadog_as_its_service() {
    let t = tempfile::tempdir().unwrap();
    let spec = AGENTS.replace("    observability: {service: shop-api}\n", "    migrate: {command: [migrate]}\n");
    write(t.path(), &spec);
    let objs = build(t.path());
    let job = objs.iter().find(|o| o.get("kind").and_then(Node::as_str) == Some("Job")).expect("the migration Job");
    let labels = at(job, &["spec", "template", "metadata", "labels"]).unwrap();
    assert_eq!(labels.get("tags.datadoghq.com/service").and_then(Node::as_str), Some("api"));
    assert_eq!(labels.get("tags.datadoghq.com/version").and_then(Node::as_str), Some("1.4.2"));
    let e = env(job);
    assert!(e.iter().any(|v| text(v, &["name"]) == Some("DD_AGENT_HOST")), "the app's env: {e:?}");
}

/// Every container of every bundled platform's output (apps, sidecars, init containers,
/// migration Jobs, backups): a `$(VAR)` in an env value names a variable listed before it in
/// the same list, the only ones Kubernetes expands (else the text stays as written).
#[test]
fn every_env_reference_in_the_bundled_output_names_an_earlier_variable() {
    let mut checked = 0;
    for entry in std::fs::read_dir("snapshots").unwrap() {
        let dir = entry.unwrap().path();
        for env_file in ["dev.yaml", "staging.yaml", "prod.yaml"] {
            let text = std::fs::read_to_string(dir.join(env_file)).unwrap();
            for doc in text.split("---\n").filter(|d| !d.trim().is_empty()) {
                let obj = genk8s::yaml::parse(doc, 0).unwrap();
                let mut lists = Vec::new();
                containers_env(&obj, &mut lists);
                for list in lists {
                    let mut earlier: Vec<&str> = Vec::new();
                    for var in list {
                        let name = text_of(var, "name");
                        for reference in references(text_of(var, "value")) {
                            assert!(
                                earlier.contains(&reference.as_str()),
                                "{}/{env_file}: {name} uses $({reference}), which is not listed before it",
                                dir.display()
                            );
                            checked += 1;
                        }
                        earlier.push(name);
                    }
                }
            }
        }
    }
    assert!(checked > 0, "the bundled output has wired URLs to check");
}

fn text_of<'a>(n: &'a Node, key: &str) -> &'a str {
    n.get(key).and_then(Node::as_str).unwrap_or_default()
}

/// The `env` lists of every container and init container anywhere under `n`.
fn containers_env<'a>(n: &'a Node, out: &mut Vec<Vec<&'a Node>>) {
    match &n.kind {
        NodeKind::Map(m) => {
            for e in m {
                if e.key == "containers" || e.key == "initContainers" {
                    for c in items(Some(&e.value)) {
                        out.push(items(c.get("env")));
                    }
                } else {
                    containers_env(&e.value, out);
                }
            }
        }
        NodeKind::Seq(v) => v.iter().for_each(|i| containers_env(i, out)),
        _ => {}
    }
}

/// The names in `$(NAME)` references of `value` (`$$(` is an escape, not a reference).
fn references(value: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(i) = rest.find("$(") {
        if rest[..i].ends_with('$') {
            rest = &rest[i + 2..];
            continue;
        }
        let after = &rest[i + 2..];
        let Some(end) = after.find(')') else { break };
        out.push(after[..end].to_string());
        rest = &after[end..];
    }
    out
}
