//! `genk8s lint ENV`: best-practice checks on the generated objects (in the
//! spirit of kube-score, kube-linter and Polaris), with rule ids, severities and
//! per-workload suppressions that must give a reason:
//!
//! ```yaml
//! services:
//!   api:
//!     lint: {ignore: {GK004: "single-node cluster, spreading is impossible"}}
//! ```

use crate::expand::{NAME, Object};
use crate::validate::Valid;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// A lint rule: id, severity, and what it checks.
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
}

pub const RULES: &[Rule] = &[
    Rule {
        id: "GK001",
        severity: Severity::Error,
        summary: "every container sets cpu and memory requests and a memory limit",
    },
    Rule {
        id: "GK002",
        severity: Severity::Warning,
        summary: "containers behind a Service have readiness and liveness probes",
    },
    Rule {
        id: "GK003",
        severity: Severity::Warning,
        summary: "workloads with more than one replica have a PodDisruptionBudget",
    },
    Rule {
        id: "GK004",
        severity: Severity::Warning,
        summary: "workloads with more than one replica spread over nodes",
    },
    Rule { id: "GK005", severity: Severity::Info, summary: "containers set an explicit imagePullPolicy" },
    Rule {
        id: "GK006",
        severity: Severity::Error,
        summary: "every workload is selected by a NetworkPolicy of its own",
    },
    Rule { id: "GK007", severity: Severity::Warning, summary: "images are pinned (no `latest`, no missing tag)" },
    Rule { id: "GK008", severity: Severity::Error, summary: "pods do not share host namespaces or mount host paths" },
    Rule { id: "GK009", severity: Severity::Error, summary: "containers meet the restricted Pod Security profile" },
    Rule { id: "GK010", severity: Severity::Warning, summary: "containers have a read-only root filesystem" },
    Rule { id: "GK011", severity: Severity::Info, summary: "pods mount no service account token unless they need one" },
    Rule { id: "GK012", severity: Severity::Error, summary: "a PodDisruptionBudget does not block every eviction" },
];

fn rule(id: &str) -> &'static Rule {
    RULES.iter().find(|r| r.id == id).expect("every finding names a listed rule")
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    pub object: String,
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{} {}] {}", self.object, self.rule, self.severity, self.message)
    }
}

/// The outcome of linting one environment.
#[derive(Debug, Default)]
pub struct Report {
    pub findings: Vec<Finding>,
    /// Findings silenced by a suppression in the spec (object, rule, reason).
    pub suppressed: Vec<(String, &'static str, String)>,
}

fn s<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |v, k| v.get(k))
}

fn arr<'a>(v: &'a Value, path: &[&str]) -> &'a [Value] {
    s(v, path).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

fn pod_spec(o: &Object) -> Option<&Value> {
    match o.kind.as_str() {
        "Deployment" | "StatefulSet" | "DaemonSet" | "Job" => s(&o.value, &["spec", "template", "spec"]),
        "CronJob" => s(&o.value, &["spec", "jobTemplate", "spec", "template", "spec"]),
        _ => None,
    }
}

/// Workload name of an object (its `app.kubernetes.io/name` label).
fn workload(o: &Object) -> Option<&str> {
    s(&o.value, &["metadata", "labels", NAME]).and_then(Value::as_str)
}

fn selects(selector: Option<&Value>, labels: Option<&Value>) -> bool {
    let (Some(sel), Some(labels)) = (selector.and_then(Value::as_object), labels) else { return false };
    !sel.is_empty() && sel.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// Replicas of every Deployment and StatefulSet whose pods the budget selects (autoscaled ones at their minimum).
fn budget_pods(pdb: &Object, objects: &[Object], hpa_min: &BTreeMap<&str, i64>) -> i64 {
    let selector = s(&pdb.value, &["spec", "selector", "matchLabels"]);
    objects
        .iter()
        .filter(|o| matches!(o.kind.as_str(), "Deployment" | "StatefulSet"))
        .filter(|o| selects(selector, s(&o.value, &["spec", "template", "metadata", "labels"])))
        .map(|o| {
            hpa_min
                .get(o.name.as_str())
                .copied()
                .or_else(|| s(&o.value, &["spec", "replicas"]).and_then(Value::as_i64))
                .unwrap_or(1)
        })
        .sum()
}

/// Whether a budget over `pods` pods lets no pod be evicted.
fn blocks_eviction(pdb: &Object, pods: i64) -> bool {
    let min = s(&pdb.value, &["spec", "minAvailable"]);
    let max = s(&pdb.value, &["spec", "maxUnavailable"]);
    max.is_some_and(|m| m == 0 || m == "0%")
        || min.and_then(Value::as_i64).is_some_and(|m| m >= pods)
        || min.is_some_and(|m| m == "100%")
}

/// Lints the objects of one environment.
pub fn lint(v: &Valid, objects: &[Object]) -> Report {
    let mut raw: Vec<(Option<String>, &'static str, String, String)> = Vec::new();
    let mut push = |o: &Object, id: &'static str, msg: String| {
        raw.push((workload(o).map(str::to_string), id, format!("{}/{}", o.kind, o.name), msg));
    };
    let of_kind = |k: &'static str| objects.iter().filter(move |o| o.kind == k);
    let served: BTreeSet<&str> = of_kind("Service").filter_map(|o| workload(o)).collect();
    let pdbs: Vec<&Object> = of_kind("PodDisruptionBudget").collect();
    let policies: Vec<&Object> = of_kind("NetworkPolicy").collect();
    let hpa_min: BTreeMap<&str, i64> = of_kind("HorizontalPodAutoscaler")
        .filter_map(|o| {
            Some((
                s(&o.value, &["spec", "scaleTargetRef", "name"])?.as_str()?,
                s(&o.value, &["spec", "minReplicas"])?.as_i64()?,
            ))
        })
        .collect();

    for o in objects {
        let Some(ps) = pod_spec(o) else { continue };
        let pod_labels = s(&o.value, &["spec", "template", "metadata", "labels"])
            .or_else(|| s(&o.value, &["spec", "jobTemplate", "spec", "template", "metadata", "labels"]));
        let replicas = hpa_min
            .get(o.name.as_str())
            .copied()
            .or_else(|| s(&o.value, &["spec", "replicas"]).and_then(Value::as_i64))
            .unwrap_or(1);
        for flag in ["hostNetwork", "hostPID", "hostIPC"] {
            if ps.get(flag).and_then(Value::as_bool) == Some(true) {
                push(o, "GK008", format!("{flag} is on"));
            }
        }
        if arr(ps, &["volumes"]).iter().any(|v| v.get("hostPath").is_some()) {
            push(o, "GK008", "mounts a hostPath volume".into());
        }
        if ps.get("automountServiceAccountToken").and_then(Value::as_bool) != Some(false)
            && ps.get("serviceAccountName").is_none()
        {
            push(o, "GK011", "mounts the default service account token".into());
        }
        let pod_sc = ps.get("securityContext");
        let containers = arr(ps, &["initContainers"]).iter().chain(arr(ps, &["containers"]));
        for c in containers {
            let name = c.get("name").and_then(Value::as_str).unwrap_or("?");
            let res = |p: &[&str]| s(c, p).is_some();
            if !(res(&["resources", "requests", "cpu"])
                && res(&["resources", "requests", "memory"])
                && res(&["resources", "limits", "memory"]))
            {
                push(o, "GK001", format!("container {name} lacks cpu/memory requests or a memory limit"));
            }
            if c.get("imagePullPolicy").is_none() {
                push(o, "GK005", format!("container {name} leaves imagePullPolicy to the cluster default"));
            }
            let image = c.get("image").and_then(Value::as_str).unwrap_or_default();
            match crate::spec::image_tag(image) {
                None if !image.contains('@') => push(o, "GK007", format!("container {name} image {image} has no tag")),
                Some("latest") => push(o, "GK007", format!("container {name} image {image} uses latest")),
                _ => {}
            }
            let sc = c.get("securityContext");
            let flag = |k: &str| sc.and_then(|x| x.get(k)).or_else(|| pod_sc.and_then(|x| x.get(k)));
            let drops_all = arr(c, &["securityContext", "capabilities", "drop"]).iter().any(|d| d == "ALL");
            let seccomp = flag("seccompProfile").and_then(|p| p.get("type")).and_then(Value::as_str);
            if flag("runAsNonRoot").and_then(Value::as_bool) != Some(true)
                || sc.and_then(|x| x.get("allowPrivilegeEscalation")).and_then(Value::as_bool) != Some(false)
                || !drops_all
                || !matches!(seccomp, Some("RuntimeDefault" | "Localhost"))
            {
                push(o, "GK009", format!("container {name} does not meet the restricted profile"));
            }
            if sc.and_then(|x| x.get("readOnlyRootFilesystem")).and_then(Value::as_bool) != Some(true) {
                push(o, "GK010", format!("container {name} has a writable root filesystem"));
            }
        }
        if o.kind == "Deployment" || o.kind == "StatefulSet" {
            let wl = workload(o).unwrap_or(&o.name);
            if served.contains(wl) {
                for c in arr(ps, &["containers"]) {
                    if c.get("readinessProbe").is_none() || c.get("livenessProbe").is_none() {
                        let name = c.get("name").and_then(Value::as_str).unwrap_or("?");
                        push(
                            o,
                            "GK002",
                            format!("container {name} serves traffic without readiness and liveness probes"),
                        );
                    }
                }
            }
            if replicas > 1 {
                if !pdbs.iter().any(|p| selects(s(&p.value, &["spec", "selector", "matchLabels"]), pod_labels)) {
                    push(o, "GK003", format!("{replicas} replicas and no PodDisruptionBudget"));
                }
                if ps.get("topologySpreadConstraints").is_none() && s(ps, &["affinity", "podAntiAffinity"]).is_none() {
                    push(o, "GK004", format!("{replicas} replicas and no topology spread or anti-affinity"));
                }
            }
            for p in pdbs.iter().filter(|p| selects(s(&p.value, &["spec", "selector", "matchLabels"]), pod_labels)) {
                // A budget counts every pod it selects: a canary's or a second track's too.
                let pods = budget_pods(p, objects, &hpa_min);
                if blocks_eviction(p, pods) {
                    push(
                        p,
                        "GK012",
                        format!("with {pods} replica(s) this budget allows no voluntary eviction (node drains hang)"),
                    );
                }
            }
        }
        let own = policies.iter().any(|p| {
            p.name != "default-deny" && selects(s(&p.value, &["spec", "podSelector", "matchLabels"]), pod_labels)
        });
        if !own {
            push(o, "GK006", "no NetworkPolicy selects these pods (only the default deny)".into());
        }
    }

    let ignores = suppressions(v);
    let mut report = Report::default();
    for (wl, id, object, message) in raw {
        match wl.as_deref().and_then(|w| ignores.get(&(w.to_string(), id.to_string()))) {
            Some(reason) => report.suppressed.push((object, id, reason.clone())),
            None => report.findings.push(Finding { object, rule: id, severity: rule(id).severity, message }),
        }
    }
    report.findings.sort();
    report.findings.dedup();
    report.suppressed.sort();
    report.suppressed.dedup();
    report
}

/// (workload, rule) → reason, from `lint.ignore` of services and databases.
fn suppressions(v: &Valid) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    let services = v.spec.services.iter().map(|(n, s)| (n, &s.lint));
    let databases = v.spec.databases.iter().map(|(n, d)| (n, &d.lint));
    for (name, lint) in services.chain(databases) {
        for (id, reason) in lint.iter().flat_map(|l| l.ignore.iter()) {
            out.insert((name.clone(), id.clone()), reason.clone());
        }
    }
    out
}
