//! Monitoring: a ServiceMonitor per service with `metrics`; alerts and dashboards: a
//! PrometheusRule with default alerts per workload (pods not ready, restart loops, a high
//! 5xx ratio where metrics exist) plus the user's rules, and a Grafana dashboard ConfigMap
//! (label `grafana_dashboard: "1"`) with panels for every service and database.

use super::{Ctx, Object, Sink};
use crate::crd::{
    AlertRule, Endpoint, PrometheusRule, PrometheusRuleSpec, RuleGroup, ServiceMonitor, ServiceMonitorSpec,
};
use crate::spec::{Database, Map, Metrics, Service};
use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde_json::{Value, json};

/// The Prometheus Operator ServiceMonitor of service `name`, scraping `port`.
pub fn service_monitor(ctx: &Ctx, name: &str, labels: &Map, port: &str, m: &Metrics) -> Object {
    let mut labels = labels.clone();
    labels.extend(ctx.v.spec.monitoring.labels.clone());
    Object::new(ServiceMonitor {
        metadata: ctx.meta(name, labels, &Map::new()),
        spec: ServiceMonitorSpec {
            selector: LabelSelector { match_labels: Some(ctx.selector(name)), ..LabelSelector::default() },
            endpoints: vec![Endpoint {
                port: port.to_string(),
                path: m.path.clone().unwrap_or_else(|| "/metrics".into()),
                interval: m.interval.clone().unwrap_or_else(|| "30s".into()),
            }],
        },
    })
}

/// Whether the environment gets alerts and a dashboard.
pub fn enabled(ctx: &Ctx) -> bool {
    let m = &ctx.v.spec.monitoring;
    m.alerts.unwrap_or(!m.rules.is_empty() || ctx.v.spec.services.values().any(|s| s.metrics.is_some()))
}

fn rule(alert: String, expr: String, for_: &str, severity: &str, summary: String) -> AlertRule {
    AlertRule {
        alert,
        expr,
        for_: for_.to_string(),
        labels: Map::from([("severity".to_string(), severity.to_string())]),
        annotations: Map::from([("summary".to_string(), summary)]),
    }
}

/// `api-gateway` → `ApiGateway`, for alert names.
fn camel(name: &str) -> String {
    name.split(['-', '.'])
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

pub fn expand(ctx: &Ctx, out: &mut dyn Sink) {
    if !enabled(ctx) {
        return;
    }
    let spec = &ctx.v.spec;
    let mut groups: Vec<RuleGroup> = spec.services.iter().map(|(name, svc)| service_rules(ctx, name, svc)).collect();
    let databases = spec.databases.iter().filter(|(_, d)| d.external.is_none());
    groups.extend(databases.map(|(name, db)| database_rules(ctx, name, db)));
    groups.extend(custom_rules(ctx));
    // The labels the Prometheus' ruleSelector matches (kube-prometheus-stack: `release`).
    let mut labels = ctx.platform_labels();
    labels.extend(spec.monitoring.labels.clone());
    out.push(Object::new(PrometheusRule {
        metadata: ctx.meta(format!("{}-alerts", spec.platform), labels, &Map::new()),
        spec: PrometheusRuleSpec { groups },
    }));
    out.push(dashboard_config_map(ctx));
}

/// Pods not ready (a job: its run failed), restart loops, and a high 5xx ratio when the
/// service has metrics.
fn service_rules(ctx: &Ctx, name: &str, svc: &Service) -> RuleGroup {
    let ns = &ctx.v.namespace;
    let first = super::workload_alerts::alert(ns, name, svc.kind)
        .map(|a| rule(format!("{}{}", camel(name), a.suffix), a.expr, a.for_, a.severity, a.summary));
    let mut rules = vec![
        first.unwrap_or_else(|| rule(
            format!("{}PodsNotReady", camel(name)),
            format!(
                "kube_deployment_status_replicas_available{{namespace=\"{ns}\",deployment=\"{name}\"}} < kube_deployment_spec_replicas{{namespace=\"{ns}\",deployment=\"{name}\"}}"
            ),
            "10m",
            "warning",
            format!("{name} in {ns} has had fewer ready pods than desired for 10 minutes"),
        )),
        restarts(ns, name),
    ];
    if svc.metrics.is_some() {
        let sel = format!("namespace=\"{ns}\",service=\"{name}\"");
        rules.push(rule(
            format!("{}High5xxRate", camel(name)),
            format!(
                "sum(rate(http_requests_total{{{sel},status=~\"5..\"}}[5m])) / sum(rate(http_requests_total{{{sel}}}[5m])) > 0.05"
            ),
            "5m",
            "critical",
            format!("more than 5% of {name}'s requests in {ns} fail with 5xx"),
        ));
    }
    RuleGroup { name: format!("{name}.rules"), rules }
}

/// An in-cluster database not ready, and restart loops.
fn database_rules(ctx: &Ctx, name: &str, db: &Database) -> RuleGroup {
    let ns = &ctx.v.namespace;
    let rules = vec![
        rule(
            format!("{}NotReady", camel(name)),
            format!(
                "kube_statefulset_status_replicas_ready{{namespace=\"{ns}\",statefulset=\"{name}\"}} < kube_statefulset_replicas{{namespace=\"{ns}\",statefulset=\"{name}\"}}"
            ),
            "5m",
            "critical",
            format!("database {name} ({}) in {ns} is not ready", db.engine),
        ),
        restarts(ns, name),
    ];
    let mut rules = rules;
    if db.backup.is_some() {
        rules.push(backup_failed(ns, name));
    }
    RuleGroup { name: format!("{name}.rules"), rules }
}

/// The backup CronJob's last scheduled run has not succeeded (it failed, or is still
/// running) for an hour, or it has run and never succeeded (kube-state-metrics series).
fn backup_failed(ns: &str, db: &str) -> crate::crd::AlertRule {
    let job = super::backup::backup_name(db);
    let sel = format!("namespace=\"{ns}\",cronjob=\"{job}\"");
    rule(
        format!("{}BackupFailed", camel(db)),
        format!(
            "(kube_cronjob_status_last_schedule_time{{{sel}}} > kube_cronjob_status_last_successful_time{{{sel}}}) or (kube_cronjob_status_last_schedule_time{{{sel}}} unless kube_cronjob_status_last_successful_time{{{sel}}})"
        ),
        "1h",
        "critical",
        format!(
            "the last backup of {db} in {ns} has not succeeded (kubectl -n {ns} logs job/<latest {job} job>); older dumps were kept"
        ),
    )
}

/// The spec's own `monitoring.rules`, as one group.
fn custom_rules(ctx: &Ctx) -> Option<RuleGroup> {
    let spec = &ctx.v.spec;
    if spec.monitoring.rules.is_empty() {
        return None;
    }
    let rules = spec
        .monitoring
        .rules
        .iter()
        .map(|(name, a)| {
            rule(
                name.clone(),
                a.expr.clone(),
                a.for_.as_deref().unwrap_or("5m"),
                a.severity.as_deref().unwrap_or("warning"),
                a.summary.clone(),
            )
        })
        .collect();
    Some(RuleGroup { name: format!("{}.custom.rules", spec.platform), rules })
}

/// `ConfigMap <platform>-dashboard`, labelled for Grafana's sidecar to load, in the
/// namespace `monitoring.dashboard.namespace` names (default the platform's).
fn dashboard_config_map(ctx: &Ctx) -> Object {
    let platform = &ctx.v.spec.platform;
    let dash = ctx.v.spec.monitoring.dashboard.as_ref();
    let mut labels = ctx.platform_labels();
    labels.insert("grafana_dashboard".into(), "1".into());
    labels.extend(dash.map(|d| d.labels.clone()).unwrap_or_default());
    let json = serde_json::to_string_pretty(&dashboard(ctx)).expect("dashboards are JSON") + "\n";
    let mut metadata = ctx.meta(format!("{platform}-dashboard"), labels, &Map::new());
    if let Some(ns) = dash.and_then(|d| d.namespace.clone()) {
        metadata.namespace = Some(ns);
    }
    Object::new(ConfigMap {
        metadata,
        data: Some(Map::from([(format!("{platform}.json"), json)])),
        ..ConfigMap::default()
    })
}

fn restarts(ns: &str, name: &str) -> AlertRule {
    rule(
        format!("{}RestartLoop", camel(name)),
        format!("increase(kube_pod_container_status_restarts_total{{namespace=\"{ns}\",pod=~\"{name}-.*\"}}[15m]) > 3"),
        "0m",
        "warning",
        format!("a {name} container in {ns} restarted more than 3 times in 15 minutes"),
    )
}

fn panel(id: usize, title: String, expr: String, unit: &str) -> Value {
    let (x, y) = ((id % 2) * 12, (id / 2) * 8);
    json!({
        "id": id + 1,
        "title": title,
        "type": "timeseries",
        "gridPos": {"h": 8, "w": 12, "x": x, "y": y},
        "fieldConfig": {"defaults": {"unit": unit}},
        "targets": [{"expr": expr, "legendFormat": "{{pod}}"}]
    })
}

fn dashboard(ctx: &Ctx) -> Value {
    let ns = &ctx.v.namespace;
    let mut panels = Vec::new();
    let workloads = ctx
        .v
        .spec
        .services
        .keys()
        .chain(ctx.v.spec.databases.iter().filter(|(_, d)| d.external.is_none()).map(|(n, _)| n));
    for name in workloads {
        let pods = format!("namespace=\"{ns}\",pod=~\"{name}-.*\",container!=\"\"");
        panels.push(panel(
            panels.len(),
            format!("{name}: CPU"),
            format!("sum by (pod) (rate(container_cpu_usage_seconds_total{{{pods}}}[5m]))"),
            "cores",
        ));
        panels.push(panel(
            panels.len(),
            format!("{name}: memory"),
            format!("sum by (pod) (container_memory_working_set_bytes{{{pods}}})"),
            "bytes",
        ));
        if ctx.v.spec.services.get(name).is_some_and(|s| s.metrics.is_some()) {
            panels.push(panel(
                panels.len(),
                format!("{name}: requests by status"),
                format!("sum by (status) (rate(http_requests_total{{namespace=\"{ns}\",service=\"{name}\"}}[5m]))"),
                "reqps",
            ));
        }
    }
    // The spec's own panels, after the default ones, by title.
    for (title, expr) in ctx.v.spec.monitoring.dashboard.iter().flat_map(|d| &d.panels) {
        let mut p = panel(panels.len(), title.clone(), expr.clone(), "short");
        p["targets"][0].as_object_mut().map(|t| t.shift_remove("legendFormat"));
        panels.push(p);
    }
    json!({
        "title": format!("{} ({})", ctx.v.spec.platform, ctx.v.env),
        "uid": format!("genk8s-{}", ctx.v.namespace).chars().take(40).collect::<String>(),
        "tags": ["genk8s", ctx.v.spec.platform],
        "timezone": "browser",
        "schemaVersion": 39,
        "refresh": "30s",
        "time": {"from": "now-1h", "to": "now"},
        "panels": panels
    })
}
