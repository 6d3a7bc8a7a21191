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
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{Container, PodSpec, PodTemplateSpec};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::Value;
use std::borrow::Cow;
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

/// Whether the per-pod rules read objects of `kind`.
fn owns_pods(kind: &str) -> bool {
    matches!(kind, "Deployment" | "StatefulSet" | "DaemonSet" | "Job" | "CronJob")
}

/// Workload name of an object (its `app.kubernetes.io/name` label).
fn workload(o: &Object) -> Option<&str> {
    o.label(NAME)
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
    pdbs: Index<'a, Selecting<'a>>,
    /// NetworkPolicies by `spec.podSelector.matchLabels`.
    policies: Index<'a, Selecting<'a>>,
    /// Pods each PodDisruptionBudget (by name) selects over all tracks, autoscaled at their minimum.
    budget_pods: BTreeMap<&'a str, i64>,
}

/// One object that owns pods: its pod template (typed, or read from a patched object's JSON
/// form), pod labels and (minimum) replicas.
struct Pod<'a> {
    o: &'a Object,
    template: Cow<'a, PodTemplateSpec>,
    labels: Option<Value>,
    replicas: i64,
}

impl<'a> Pod<'a> {
    fn spec(&self) -> &PodSpec {
        self.template.spec.as_ref().expect("pod() keeps only templates with a pod spec")
    }

    /// Init and regular containers, with their names.
    fn containers(&self) -> impl Iterator<Item = (&str, &Container)> {
        let spec = self.spec();
        spec.init_containers.iter().flatten().chain(&spec.containers).map(|c| (c.name.as_str(), c))
    }

    /// A Deployment or StatefulSet (the workloads that serve and scale).
    fn is_long_running(&self) -> bool {
        self.o.kind == "Deployment" || self.o.kind == "StatefulSet"
    }

    /// PodDisruptionBudgets selecting these pods.
    fn budgets(&self, around: &Around<'a>) -> Vec<&'a Selecting<'a>> {
        around.pdbs.selecting(self.labels.as_ref())
    }
}

/// What the rules read of a PodDisruptionBudget or NetworkPolicy: its `matchLabels` (and a
/// budget's `minAvailable` and `maxUnavailable`), taken from the typed object while it has
/// one, so lint does not build the JSON form of every object.
struct Selecting<'a> {
    o: &'a Object,
    selector: Option<Value>,
    min: Option<Value>,
    max: Option<Value>,
}

impl<'a> Selecting<'a> {
    fn budget(o: &'a Object) -> Self {
        let Some(spec) = o.typed::<PodDisruptionBudget>().map(|b| b.spec.as_ref()) else {
            let at = |field: &str| s(o.value(), &["spec", field]).cloned();
            let selector = s(o.value(), &["spec", "selector", "matchLabels"]).cloned();
            return Selecting { o, selector, min: at("minAvailable"), max: at("maxUnavailable") };
        };
        Selecting {
            o,
            selector: match_labels(spec.and_then(|s| s.selector.as_ref())),
            min: spec.and_then(|s| s.min_available.as_ref()).map(int_or_string),
            max: spec.and_then(|s| s.max_unavailable.as_ref()).map(int_or_string),
        }
    }

    fn policy(o: &'a Object) -> Self {
        let selector = match o.typed::<NetworkPolicy>() {
            Some(p) => match_labels(p.spec.as_ref().and_then(|s| s.pod_selector.as_ref())),
            None => s(o.value(), &["spec", "podSelector", "matchLabels"]).cloned(),
        };
        Selecting { o, selector, min: None, max: None }
    }
}

/// A selector's `matchLabels` in its JSON form.
fn match_labels(selector: Option<&LabelSelector>) -> Option<Value> {
    selector?.match_labels.as_ref().map(labels_value)
}

/// Labels in their JSON form (what [`Index`] matches).
fn labels_value(labels: &BTreeMap<String, String>) -> Value {
    Value::Object(labels.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect())
}

fn int_or_string(v: &IntOrString) -> Value {
    match v {
        IntOrString::Int(n) => Value::from(*n),
        IntOrString::String(text) => Value::from(text.as_str()),
    }
}

/// An autoscaler's target and minimum replicas.
fn hpa_minimum(o: &Object) -> Option<(&str, i64)> {
    if let Some(h) = o.typed::<HorizontalPodAutoscaler>() {
        let spec = h.spec.as_ref()?;
        return Some((spec.scale_target_ref.name.as_str(), i64::from(spec.min_replicas?)));
    }
    Some((
        s(o.value(), &["spec", "scaleTargetRef", "name"])?.as_str()?,
        s(o.value(), &["spec", "minReplicas"])?.as_i64()?,
    ))
}

/// Lints the objects of one environment.
pub fn lint(v: &Valid, objects: &[Object]) -> Report {
    // JSON forms are built only for the objects GK013/GK014, GK019 and GK023 read (Services
    // when the target deprecates one of their fields, routes and ALB Ingresses). The
    // NetworkPolicy evaluator (about a third of the work) runs beside the other rules.
    let (evaluated, mut raw) = crate::par::join(|| crate::netpol::check::check(v, objects), || object_rules(objects));
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

/// A finding before suppressions: workload, rule, object (`Kind/name`) and message.
type Raw = (Option<String>, &'static str, String, String);

/// Finding `msg` of rule `id` on object `o`.
fn raw(o: &Object, id: &'static str, msg: String) -> Raw {
    (workload(o).map(str::to_string), id, format!("{}/{}", o.kind, o.name), msg)
}

/// The per-pod rules' findings (GK001-GK012), then GK019's and GK023's. The per-pod rules
/// read the typed objects (`Pod`, `Selecting`, `hpa_minimum`), and the JSON form only of an
/// object that has no other (a patched one).
fn object_rules(objects: &[Object]) -> Vec<Raw> {
    let of_kind = |k: &'static str| objects.iter().filter(move |o| o.kind == k);
    let budgets: Vec<Selecting> = of_kind("PodDisruptionBudget").map(Selecting::budget).collect();
    let policies: Vec<Selecting> = of_kind("NetworkPolicy").map(Selecting::policy).collect();
    let mut around = Around {
        served: of_kind("Service").filter_map(|o| workload(o)).collect(),
        pdbs: Index::new(&budgets, |b| b.selector.as_ref()),
        policies: Index::new(&policies, |p| p.selector.as_ref()),
        budget_pods: BTreeMap::new(),
    };
    let hpa_min: BTreeMap<&str, i64> = of_kind("HorizontalPodAutoscaler").filter_map(hpa_minimum).collect();
    let pods: Vec<Pod> = objects.iter().filter_map(|o| pod(o, &hpa_min)).collect();
    // A budget counts every pod it selects: a canary's or a second track's too.
    let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
    for p in pods.iter().filter(|p| p.is_long_running()) {
        for b in p.budgets(&around) {
            *counts.entry(b.o.name.as_str()).or_default() += p.replicas;
        }
    }
    around.budget_pods = counts;
    let mut out: Vec<Raw> = Vec::new();
    for pod in pods {
        for (id, check) in CHECKS {
            for (o, msg) in check(&around, &pod) {
                out.push(raw(o, id, msg));
            }
        }
    }
    // GK019: each route's backends are Services and ports of the build.
    crate::lint_routes::check(objects, &mut |o: &Object, id: &'static str, msg: String| {
        out.push(raw(o, id, msg));
    });
    // GK023: each ALB action a backend names exists and forwards to Services and ports of the build.
    crate::lint_alb::check(objects, &mut |o: &Object, id: &'static str, msg: String| {
        out.push(raw(o, id, msg));
    });
    out
}

/// Rules checked over all objects (by [`version_findings`], [`spec_warnings`] and the
/// NetworkPolicy evaluator), not per pod.
#[cfg(test)]
const OBJECT_RULES: [&str; 9] = ["GK013", "GK014", "GK015", "GK016", "GK017", "GK018", "GK019", "GK022", "GK023"];

/// GK013/GK014: what the objects use that the target Kubernetes version deprecates or removed,
/// as (workload, rule, object, message).
fn version_findings(v: &Valid, objects: &[Object]) -> Vec<Raw> {
    let target = crate::target::of(v.spec.kubernetes.as_deref());
    let mut out = Vec::new();
    for o in objects.iter().filter(|o| crate::target::concerns(target, &o.kind)) {
        for (removed, message) in crate::target::findings(target, &o.kind, o.value()) {
            let id = if removed { "GK014" } else { "GK013" };
            out.push(raw(o, id, message));
        }
    }
    out
}

/// GK022: a service on an image genk8s has no profile for, that does not say its user: what
/// genk8s assumed, and how to change it.
fn unprofiled_images(v: &Valid) -> Vec<Raw> {
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
    if !owns_pods(&o.kind) {
        return None;
    }
    let template = crate::pods::template(o).filter(|t| t.spec.is_some())?;
    let labels = template.metadata.as_ref().and_then(|m| m.labels.as_ref()).map(labels_value);
    let replicas = hpa_min.get(o.name.as_str()).copied().or_else(|| crate::pods::replicas(o)).unwrap_or(1);
    Some(Pod { o, template, labels, replicas })
}

/// Findings and suppressed findings (by `lint.ignore`), sorted and without repeats.
fn report(raw: Vec<Raw>, ignores: &BTreeMap<(String, String), String>) -> Report {
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
            let res = c.resources.as_ref();
            let has = |m: Option<&BTreeMap<String, Quantity>>, k: &str| m.is_some_and(|m| m.contains_key(k));
            let (requests, limits) = (res.and_then(|r| r.requests.as_ref()), res.and_then(|r| r.limits.as_ref()));
            !(has(requests, "cpu") && has(requests, "memory") && has(limits, "memory"))
        })
        .map(|(name, _)| (pod.o, format!("container {name} lacks cpu/memory requests or a memory limit")))
        .collect()
}

/// GK002: readiness and liveness probes on the containers of a workload with a Service.
fn probes_behind_service<'a>(around: &Around<'a>, pod: &Pod<'a>) -> Vec<(&'a Object, String)> {
    if !pod.is_long_running() || !around.served.contains(workload(pod.o).unwrap_or(&pod.o.name)) {
        return Vec::new();
    }
    (pod.spec().containers.iter())
        .filter(|c| c.readiness_probe.is_none() || c.liveness_probe.is_none())
        .map(|c| (pod.o, format!("container {} serves traffic without readiness and liveness probes", c.name)))
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
        || pod.spec().topology_spread_constraints.is_some()
        || pod.spec().affinity.as_ref().is_some_and(|a| a.pod_anti_affinity.is_some())
    {
        return Vec::new();
    }
    vec![(pod.o, format!("{} replicas and no topology spread or anti-affinity", pod.replicas))]
}

/// GK005: an explicit imagePullPolicy on every container.
fn explicit_pull_policy<'a>(_: &Around<'a>, pod: &Pod<'a>) -> Vec<(&'a Object, String)> {
    pod.containers()
        .filter(|(_, c)| c.image_pull_policy.is_none())
        .map(|(name, _)| (pod.o, format!("container {name} leaves imagePullPolicy to the cluster default")))
        .collect()
}

/// GK006: a NetworkPolicy other than the default deny selects the pods.
fn own_network_policy<'a>(around: &Around<'a>, pod: &Pod<'a>) -> Vec<(&'a Object, String)> {
    let own = around.policies.selecting(pod.labels.as_ref()).iter().any(|p| p.o.name != "default-deny");
    if own { Vec::new() } else { vec![(pod.o, "no NetworkPolicy selects these pods (only the default deny)".into())] }
}

/// GK007: every image has a tag (or a digest) other than `latest`.
fn pinned_images<'a>(_: &Around<'a>, pod: &Pod<'a>) -> Vec<(&'a Object, String)> {
    let mut out = Vec::new();
    for (name, c) in pod.containers() {
        let image = c.image.as_deref().unwrap_or_default();
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
    let spec = pod.spec();
    let mut out: Vec<(&Object, String)> =
        [("hostNetwork", spec.host_network), ("hostPID", spec.host_pid), ("hostIPC", spec.host_ipc)]
            .into_iter()
            .filter(|(_, on)| *on == Some(true))
            .map(|(flag, _)| (pod.o, format!("{flag} is on")))
            .collect();
    if spec.volumes.iter().flatten().any(|v| v.host_path.is_some()) {
        out.push((pod.o, "mounts a hostPath volume".into()));
    }
    out
}

/// GK009: every container meets the restricted Pod Security profile (non-root, no
/// privilege escalation, all capabilities dropped, a seccomp profile).
fn restricted_profile<'a>(_: &Around<'a>, pod: &Pod<'a>) -> Vec<(&'a Object, String)> {
    let pod_sc = pod.spec().security_context.as_ref();
    pod.containers()
        .filter(|(_, c)| {
            let sc = c.security_context.as_ref();
            // The container's setting, else the pod's.
            let non_root = sc.and_then(|x| x.run_as_non_root).or_else(|| pod_sc.and_then(|x| x.run_as_non_root));
            let seccomp = (sc.and_then(|x| x.seccomp_profile.as_ref()))
                .or_else(|| pod_sc.and_then(|x| x.seccomp_profile.as_ref()))
                .map(|p| p.type_.as_str());
            let drops = sc.and_then(|x| x.capabilities.as_ref()).and_then(|c| c.drop.as_ref());
            non_root != Some(true)
                || sc.and_then(|x| x.allow_privilege_escalation) != Some(false)
                || !drops.is_some_and(|d| d.iter().any(|d| d == "ALL"))
                || !matches!(seccomp, Some("RuntimeDefault" | "Localhost"))
        })
        .map(|(name, _)| (pod.o, format!("container {name} does not meet the restricted profile")))
        .collect()
}

/// GK010: every container has a read-only root filesystem.
fn read_only_root<'a>(_: &Around<'a>, pod: &Pod<'a>) -> Vec<(&'a Object, String)> {
    pod.containers()
        .filter(|(_, c)| c.security_context.as_ref().and_then(|x| x.read_only_root_filesystem) != Some(true))
        .map(|(name, _)| (pod.o, format!("container {name} has a writable root filesystem")))
        .collect()
}

/// GK011: no default service account token unless the pod has its own account.
fn no_default_token<'a>(_: &Around<'a>, pod: &Pod<'a>) -> Vec<(&'a Object, String)> {
    if pod.spec().automount_service_account_token != Some(false) && pod.spec().service_account_name.is_none() {
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
        .filter(|b| {
            let (min, max) = (b.min.as_ref(), b.max.as_ref());
            max.is_some_and(|m| m == 0 || m == "0%")
                || min.and_then(Value::as_i64).is_some_and(|m| m >= pods_of(b.o))
                || min.is_some_and(|m| m == "100%")
        })
        .map(|b| {
            let n = pods_of(b.o);
            (b.o, format!("with {n} replica(s) this budget allows no voluntary eviction (node drains hang)"))
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

    /// The typed readings of pod templates, budgets, policies, autoscalers, Ingress classes and
    /// Service ports are the readings of the same objects' JSON forms.
    #[test]
    fn typed_readings_are_the_json_readings() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut read = BTreeMap::<String, usize>::new();
        for platform in ["platforms/ai-workflow-engine", "platforms/workflow-automation"] {
            for (_, objects) in crate::check_expanded(&dir.join(platform), None).expect("a bundled platform checks") {
                for o in &objects {
                    let json =
                        Object::from_value(o.kind.clone(), o.name.clone(), o.namespace.clone(), o.value().clone());
                    let parts = |x: Selecting| (x.selector, x.min, x.max);
                    let same = match o.kind.as_str() {
                        "PodDisruptionBudget" if o.typed::<PodDisruptionBudget>().is_some() => {
                            parts(Selecting::budget(o)) == parts(Selecting::budget(&json))
                        }
                        "NetworkPolicy" if o.typed::<NetworkPolicy>().is_some() => {
                            parts(Selecting::policy(o)) == parts(Selecting::policy(&json))
                        }
                        "HorizontalPodAutoscaler" if o.typed::<HorizontalPodAutoscaler>().is_some() => {
                            hpa_minimum(o) == hpa_minimum(&json)
                        }
                        kind if owns_pods(kind) && crate::pods::typed_template(o).is_some() => {
                            let reading = |p: Option<Pod>| p.map(|p| (p.template.into_owned(), p.labels, p.replicas));
                            reading(pod(o, &BTreeMap::new())) == reading(pod(&json, &BTreeMap::new()))
                        }
                        "Service" if o.typed::<k8s_openapi::api::core::v1::Service>().is_some() => {
                            crate::lint_routes::service_ports(o) == crate::lint_routes::service_ports(&json)
                        }
                        "Ingress" if o.typed::<k8s_openapi::api::networking::v1::Ingress>().is_some() => {
                            crate::lint_alb::ingress_class(o) == crate::lint_alb::ingress_class(&json)
                        }
                        _ => continue,
                    };
                    assert!(same, "{}/{} reads differently typed and as JSON", o.kind, o.name);
                    *read.entry(o.kind.clone()).or_default() += 1;
                }
            }
        }
        let kinds =
            ["CronJob", "Deployment", "HorizontalPodAutoscaler", "Ingress", "Job", "NetworkPolicy", "StatefulSet"];
        let kinds = kinds.iter().chain(&["PodDisruptionBudget", "Service"]);
        assert!(kinds.into_iter().all(|k| read.contains_key(*k)), "every typed reading was exercised: {read:?}");
    }

    #[test]
    fn every_rule_has_one_check() {
        let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        // GK013/GK014 look at every object (and the spec's warnings), not at pods.
        let mut checked: Vec<&str> = CHECKS.iter().map(|(id, _)| *id).collect();
        checked.extend(OBJECT_RULES);
        assert_eq!(ids, checked);
    }
}
