//! `genk8s lint ENV`: best-practice checks on the generated objects (in the
//! spirit of kube-score, kube-linter and Polaris), with rule ids, severities and
//! per-workload suppressions that must give a reason:
//!
//! ```yaml
//! services:
//!   api:
//!     lint: {ignore: {GK004: "single-node cluster, spreading is impossible"}}
//! ```

#![warn(clippy::too_many_lines)] // clippy.toml: at most 80 lines per function

use crate::expand::{NAME, Object};
use crate::selectors::Index;
use crate::validate::Valid;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

pub use crate::rules::{RULES, Rule, Severity};

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
        "Deployment" | "StatefulSet" | "DaemonSet" | "Job" => s(o.value(), &["spec", "template", "spec"]),
        "CronJob" => s(o.value(), &["spec", "jobTemplate", "spec", "template", "spec"]),
        _ => None,
    }
}

/// Workload name of an object (its `app.kubernetes.io/name` label).
fn workload(o: &Object) -> Option<&str> {
    s(o.value(), &["metadata", "labels", NAME]).and_then(Value::as_str)
}

/// A check: the findings of one rule on one pod-owning object, each with the object
/// it is reported on (the workload, or a PodDisruptionBudget selecting it).
type Check = for<'a> fn(&Around<'a>, &Pod<'a>) -> Vec<(&'a Object, String)>;

/// The check of each rule in [`RULES`], by id.
const CHECKS: &[(&str, Check)] = &[
    ("GK001", requests_and_limits),
    ("GK002", probes_behind_service),
    ("GK003", budget_for_replicas),
    ("GK004", spread_for_replicas),
    ("GK005", explicit_pull_policy),
    ("GK006", own_network_policy),
    ("GK007", pinned_images),
    ("GK008", no_host_namespaces),
    ("GK009", restricted_profile),
    ("GK010", read_only_root),
    ("GK011", no_default_token),
    ("GK012", budget_allows_eviction),
];

/// The objects of the environment a check may look at besides the workload.
struct Around<'a> {
    /// Workloads with a Service.
    served: BTreeSet<&'a str>,
    /// PodDisruptionBudgets by `spec.selector.matchLabels`.
    pdbs: Index<'a, Object>,
    /// NetworkPolicies by `spec.podSelector.matchLabels`.
    policies: Index<'a, Object>,
    /// Pods each PodDisruptionBudget (by name) selects over all tracks, autoscaled at their minimum.
    budget_pods: BTreeMap<&'a str, i64>,
}

/// One object that owns pods: its pod spec, pod labels and (minimum) replicas.
struct Pod<'a> {
    o: &'a Object,
    spec: &'a Value,
    labels: Option<&'a Value>,
    replicas: i64,
}

impl<'a> Pod<'a> {
    /// Init and regular containers, with their names.
    fn containers(&self) -> impl Iterator<Item = (&'a str, &'a Value)> + use<'a> {
        arr(self.spec, &["initContainers"]).iter().chain(arr(self.spec, &["containers"])).map(container_name)
    }

    /// A Deployment or StatefulSet (the workloads that serve and scale).
    fn is_long_running(&self) -> bool {
        self.o.kind == "Deployment" || self.o.kind == "StatefulSet"
    }

    /// PodDisruptionBudgets selecting these pods.
    fn budgets(&self, around: &Around<'a>) -> Vec<&'a Object> {
        around.pdbs.selecting(self.labels)
    }
}

fn container_name(c: &Value) -> (&str, &Value) {
    (c.get("name").and_then(Value::as_str).unwrap_or("?"), c)
}

/// Lints the objects of one environment.
pub fn lint(v: &Valid, objects: &mut [Object]) -> Report {
    // GK015-GK018 first: the evaluator reads the typed objects; the rules below read the JSON
    // form, so each object then keeps only that (not both, which would double lint's memory).
    let evaluated = crate::netpol::check::check(v, objects);
    crate::par::map(crate::par::chunks_mut(objects, crate::par::threads() * 4), |run: &mut [Object]| {
        for o in run {
            o.value_mut();
        }
    });
    let objects: &[Object] = objects;
    let of_kind = |k: &'static str| objects.iter().filter(move |o| o.kind == k);
    let around = Around {
        served: of_kind("Service").filter_map(|o| workload(o)).collect(),
        pdbs: Index::new(of_kind("PodDisruptionBudget"), |o| s(o.value(), &["spec", "selector", "matchLabels"])),
        policies: Index::new(of_kind("NetworkPolicy"), |o| s(o.value(), &["spec", "podSelector", "matchLabels"])),
        budget_pods: BTreeMap::new(),
    };
    let hpa_min: BTreeMap<&str, i64> = of_kind("HorizontalPodAutoscaler")
        .filter_map(|o| {
            Some((
                s(o.value(), &["spec", "scaleTargetRef", "name"])?.as_str()?,
                s(o.value(), &["spec", "minReplicas"])?.as_i64()?,
            ))
        })
        .collect();
    let pods: Vec<Pod> = objects.iter().filter_map(|o| pod(o, &hpa_min)).collect();
    // A budget counts every pod it selects: a canary's or a second track's too.
    let mut around = around;
    let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
    for p in pods.iter().filter(|p| p.is_long_running()) {
        for b in p.budgets(&around) {
            *counts.entry(b.name.as_str()).or_default() += p.replicas;
        }
    }
    around.budget_pods = counts;
    let mut raw: Vec<(Option<String>, &'static str, String, String)> = Vec::new();
    for pod in pods {
        for (id, check) in CHECKS {
            for (o, msg) in check(&around, &pod) {
                raw.push((workload(o).map(str::to_string), id, format!("{}/{}", o.kind, o.name), msg));
            }
        }
    }
    // GK019: each route's backends are Services and ports of the build.
    crate::lint_routes::check(objects, &mut |o: &Object, id: &'static str, msg: String| {
        raw.push((workload(o).map(str::to_string), id, format!("{}/{}", o.kind, o.name), msg));
    });
    // GK023: each ALB action a backend names exists and forwards to Services and ports of the build.
    crate::lint_alb::check(objects, &mut |o: &Object, id: &'static str, msg: String| {
        raw.push((workload(o).map(str::to_string), id, format!("{}/{}", o.kind, o.name), msg));
    });
    // GK015-GK018: what the NetworkPolicies allow, by the evaluator in crate::netpol.
    for f in evaluated {
        raw.push((Some(f.workload), f.rule, f.object, f.message));
    }
    raw.extend(version_findings(v, objects));
    raw.extend(unprofiled_images(v));
    let mut report = report(raw, &suppressions(v));
    report.findings.extend(spec_warnings(v));
    report.findings.sort();
    report.findings.dedup();
    report
}

/// Rules checked over all objects (by [`version_findings`], [`spec_warnings`] and the
/// NetworkPolicy evaluator), not per pod.
#[cfg(test)]
const OBJECT_RULES: [&str; 9] = ["GK013", "GK014", "GK015", "GK016", "GK017", "GK018", "GK019", "GK022", "GK023"];

/// GK013/GK014: what the objects use that the target Kubernetes version deprecates or removed,
/// as (workload, rule, object, message).
fn version_findings(v: &Valid, objects: &[Object]) -> Vec<(Option<String>, &'static str, String, String)> {
    let target = crate::target::of(v.spec.kubernetes.as_deref());
    let mut out = Vec::new();
    for o in objects.iter().filter(|o| crate::target::concerns(target, &o.kind)) {
        for (removed, message) in crate::target::findings(target, &o.kind, o.value()) {
            let id = if removed { "GK014" } else { "GK013" };
            out.push((workload(o).map(str::to_string), id, format!("{}/{}", o.kind, o.name), message));
        }
    }
    out
}

/// GK022: a service on an image genk8s has no profile for, that does not say its user: what
/// genk8s assumed, and how to change it.
fn unprofiled_images(v: &Valid) -> Vec<(Option<String>, &'static str, String, String)> {
    let uid = crate::expand::DEFAULT_UID;
    v.spec
        .services
        .iter()
        .filter(|(_, s)| s.run_as_user.is_none() && crate::images::profile(&s.image).is_none())
        .map(|(name, s)| {
            let message = format!("`{}` has no genk8s image profile: genk8s assumed it runs as uid {uid} with a read-only root filesystem where only /tmp (and writable:) can be written; if the image needs another user or writes elsewhere, set run_as_user: and writable: (or mount a volume there). `genk8s catalog` lists the profiled images", s.image);
            (Some(name.clone()), "GK022", format!("Deployment/{name}"), message)
        })
        .collect()
}

/// GK013 for the risky values validation found in the spec (object `spec`, message with the
/// file:line:col): not tied to one workload, so never suppressed.
fn spec_warnings(v: &Valid) -> Vec<Finding> {
    let message = |w: &String| w.strip_prefix("warning: ").unwrap_or(w).to_string();
    v.warnings
        .iter()
        .map(|w| Finding {
            object: "spec".into(),
            rule: "GK013",
            severity: rule("GK013").severity,
            message: message(w),
        })
        .collect()
}

/// The pods of an object that has them; replicas are the autoscaler's minimum when there is one.
fn pod<'a>(o: &'a Object, hpa_min: &BTreeMap<&str, i64>) -> Option<Pod<'a>> {
    let spec = pod_spec(o)?;
    let labels = s(o.value(), &["spec", "template", "metadata", "labels"])
        .or_else(|| s(o.value(), &["spec", "jobTemplate", "spec", "template", "metadata", "labels"]));
    let replicas = hpa_min
        .get(o.name.as_str())
        .copied()
        .or_else(|| s(o.value(), &["spec", "replicas"]).and_then(Value::as_i64))
        .unwrap_or(1);
    Some(Pod { o, spec, labels, replicas })
}

/// Findings and suppressed findings (by `lint.ignore`), sorted and without repeats.
fn report(
    raw: Vec<(Option<String>, &'static str, String, String)>,
    ignores: &BTreeMap<(String, String), String>,
) -> Report {
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

/// GK001: cpu and memory requests and a memory limit on every container.
fn requests_and_limits<'a>(_: &Around<'a>, pod: &Pod<'a>) -> Vec<(&'a Object, String)> {
    pod.containers()
        .filter(|(_, c)| {
            let res = |p: &[&str]| s(c, p).is_some();
            !(res(&["resources", "requests", "cpu"])
                && res(&["resources", "requests", "memory"])
                && res(&["resources", "limits", "memory"]))
        })
        .map(|(name, _)| (pod.o, format!("container {name} lacks cpu/memory requests or a memory limit")))
        .collect()
}

/// GK002: readiness and liveness probes on the containers of a workload with a Service.
fn probes_behind_service<'a>(around: &Around<'a>, pod: &Pod<'a>) -> Vec<(&'a Object, String)> {
    if !pod.is_long_running() || !around.served.contains(workload(pod.o).unwrap_or(&pod.o.name)) {
        return Vec::new();
    }
    arr(pod.spec, &["containers"])
        .iter()
        .map(container_name)
        .filter(|(_, c)| c.get("readinessProbe").is_none() || c.get("livenessProbe").is_none())
        .map(|(name, _)| (pod.o, format!("container {name} serves traffic without readiness and liveness probes")))
        .collect()
}

/// GK003: a PodDisruptionBudget for a workload with more than one replica.
fn budget_for_replicas<'a>(around: &Around<'a>, pod: &Pod<'a>) -> Vec<(&'a Object, String)> {
    if !pod.is_long_running() || pod.replicas <= 1 || !pod.budgets(around).is_empty() {
        return Vec::new();
    }
    vec![(pod.o, format!("{} replicas and no PodDisruptionBudget", pod.replicas))]
}

/// GK004: topology spread or pod anti-affinity for a workload with more than one replica.
fn spread_for_replicas<'a>(_: &Around<'a>, pod: &Pod<'a>) -> Vec<(&'a Object, String)> {
    if !pod.is_long_running()
        || pod.replicas <= 1
        || pod.spec.get("topologySpreadConstraints").is_some()
        || s(pod.spec, &["affinity", "podAntiAffinity"]).is_some()
    {
        return Vec::new();
    }
    vec![(pod.o, format!("{} replicas and no topology spread or anti-affinity", pod.replicas))]
}

/// GK005: an explicit imagePullPolicy on every container.
fn explicit_pull_policy<'a>(_: &Around<'a>, pod: &Pod<'a>) -> Vec<(&'a Object, String)> {
    pod.containers()
        .filter(|(_, c)| c.get("imagePullPolicy").is_none())
        .map(|(name, _)| (pod.o, format!("container {name} leaves imagePullPolicy to the cluster default")))
        .collect()
}

/// GK006: a NetworkPolicy other than the default deny selects the pods.
fn own_network_policy<'a>(around: &Around<'a>, pod: &Pod<'a>) -> Vec<(&'a Object, String)> {
    let own = around.policies.selecting(pod.labels).iter().any(|p| p.name != "default-deny");
    if own { Vec::new() } else { vec![(pod.o, "no NetworkPolicy selects these pods (only the default deny)".into())] }
}

/// GK007: every image has a tag (or a digest) other than `latest`.
fn pinned_images<'a>(_: &Around<'a>, pod: &Pod<'a>) -> Vec<(&'a Object, String)> {
    let mut out = Vec::new();
    for (name, c) in pod.containers() {
        let image = c.get("image").and_then(Value::as_str).unwrap_or_default();
        match crate::spec::image_tag(image) {
            None if !image.contains('@') => out.push((pod.o, format!("container {name} image {image} has no tag"))),
            Some("latest") => out.push((pod.o, format!("container {name} image {image} uses latest"))),
            _ => {}
        }
    }
    out
}

/// GK008: no host network, PID or IPC namespace, and no hostPath volume.
fn no_host_namespaces<'a>(_: &Around<'a>, pod: &Pod<'a>) -> Vec<(&'a Object, String)> {
    let mut out: Vec<(&Object, String)> = ["hostNetwork", "hostPID", "hostIPC"]
        .into_iter()
        .filter(|flag| pod.spec.get(flag).and_then(Value::as_bool) == Some(true))
        .map(|flag| (pod.o, format!("{flag} is on")))
        .collect();
    if arr(pod.spec, &["volumes"]).iter().any(|v| v.get("hostPath").is_some()) {
        out.push((pod.o, "mounts a hostPath volume".into()));
    }
    out
}

/// GK009: every container meets the restricted Pod Security profile (non-root, no
/// privilege escalation, all capabilities dropped, a seccomp profile).
fn restricted_profile<'a>(_: &Around<'a>, pod: &Pod<'a>) -> Vec<(&'a Object, String)> {
    let pod_sc = pod.spec.get("securityContext");
    pod.containers()
        .filter(|(_, c)| {
            let sc = c.get("securityContext");
            let flag = |k: &str| sc.and_then(|x| x.get(k)).or_else(|| pod_sc.and_then(|x| x.get(k)));
            let drops_all = arr(c, &["securityContext", "capabilities", "drop"]).iter().any(|d| d == "ALL");
            let seccomp = flag("seccompProfile").and_then(|p| p.get("type")).and_then(Value::as_str);
            flag("runAsNonRoot").and_then(Value::as_bool) != Some(true)
                || sc.and_then(|x| x.get("allowPrivilegeEscalation")).and_then(Value::as_bool) != Some(false)
                || !drops_all
                || !matches!(seccomp, Some("RuntimeDefault" | "Localhost"))
        })
        .map(|(name, _)| (pod.o, format!("container {name} does not meet the restricted profile")))
        .collect()
}

/// GK010: every container has a read-only root filesystem.
fn read_only_root<'a>(_: &Around<'a>, pod: &Pod<'a>) -> Vec<(&'a Object, String)> {
    pod.containers()
        .filter(|(_, c)| s(c, &["securityContext", "readOnlyRootFilesystem"]).and_then(Value::as_bool) != Some(true))
        .map(|(name, _)| (pod.o, format!("container {name} has a writable root filesystem")))
        .collect()
}

/// GK011: no default service account token unless the pod has its own account.
fn no_default_token<'a>(_: &Around<'a>, pod: &Pod<'a>) -> Vec<(&'a Object, String)> {
    if pod.spec.get("automountServiceAccountToken").and_then(Value::as_bool) != Some(false)
        && pod.spec.get("serviceAccountName").is_none()
    {
        return vec![(pod.o, "mounts the default service account token".into())];
    }
    Vec::new()
}

/// GK012: no PodDisruptionBudget of the workload forbids every voluntary eviction.
fn budget_allows_eviction<'a>(around: &Around<'a>, pod: &Pod<'a>) -> Vec<(&'a Object, String)> {
    if !pod.is_long_running() {
        return Vec::new();
    }
    let pods_of = |p: &Object| around.budget_pods.get(p.name.as_str()).copied().unwrap_or(pod.replicas);
    pod.budgets(around)
        .into_iter()
        .filter(|p| {
            let min = s(p.value(), &["spec", "minAvailable"]);
            let max = s(p.value(), &["spec", "maxUnavailable"]);
            max.is_some_and(|m| m == 0 || m == "0%")
                || min.and_then(Value::as_i64).is_some_and(|m| m >= pods_of(p))
                || min.is_some_and(|m| m == "100%")
        })
        .map(|p| {
            let n = pods_of(p);
            (p, format!("with {n} replica(s) this budget allows no voluntary eviction (node drains hang)"))
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_has_one_check() {
        let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        // GK013/GK014 look at every object (and the spec's warnings), not at pods.
        let mut checked: Vec<&str> = CHECKS.iter().map(|(id, _)| *id).collect();
        checked.extend(OBJECT_RULES);
        assert_eq!(ids, checked);
    }
}
