//! Every pod genk8s runs (services, databases, backup CronJobs, migration Jobs) is built
//! here: its template, the restricted security profile, probes, resources, environment
//! variables and wait-for-dependency init containers.

use super::{Ctx, non_empty, non_empty_map};
use crate::catalog::Engine;
use crate::quantity;
use crate::spec::{Affinity, EnvValue, Map, Probe, Resources, Short, Toleration};
use k8s_openapi::api::core::v1::{
    Affinity as KAffinity, Capabilities, ConfigMapKeySelector, Container, EmptyDirVolumeSource, EnvVar, EnvVarSource,
    ExecAction, HTTPGetAction, HTTPHeader, LocalObjectReference, NodeAffinity, NodeSelector, NodeSelectorRequirement,
    NodeSelectorTerm, ObjectFieldSelector, PodAffinityTerm, PodAntiAffinity, PodSecurityContext, PodSpec,
    PodTemplateSpec, PreferredSchedulingTerm, Probe as KProbe, ResourceRequirements, SeccompProfile, SecretKeySelector,
    SecurityContext, TCPSocketAction, TopologySpreadConstraint, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

/// The numeric identity a pod runs as.
#[derive(Debug, Clone, Copy, Default)]
pub struct RunAs {
    pub user: i64,
    pub group: i64,
    pub fs_group: i64,
}

impl RunAs {
    /// The identity a database engine's image runs as.
    pub fn engine(engine: &Engine) -> RunAs {
        let uid = engine.run_as_user;
        RunAs { user: uid, group: uid, fs_group: engine.fs_group.unwrap_or(uid) }
    }
}

/// Environment variables by name, as the spec writes them.
pub type EnvVars = BTreeMap<String, Short<Box<EnvValue>>>;

/// What one pod is made of; [`template`] adds what every pod shares.
#[derive(Debug, Clone, Default)]
pub struct Pod {
    pub labels: Map,
    pub annotations: Map,
    pub run_as: RunAs,
    /// `Never` or `OnFailure` for Jobs; unset for long-running pods.
    pub restart: Option<&'static str>,
    pub service_account: Option<String>,
    /// Whether the API token is mounted (`automountServiceAccountToken`).
    pub token: bool,
    pub init: Vec<Container>,
    pub containers: Vec<Container>,
    pub volumes: Vec<Volume>,
    pub node_selector: Map,
    pub tolerations: Option<Vec<k8s_openapi::api::core::v1::Toleration>>,
    /// Spread the pods selected by these labels over nodes.
    pub spread: Option<Map>,
    /// Topology keys to spread over (default: nodes).
    pub spread_keys: Vec<String>,
    pub affinity: Option<KAffinity>,
    /// Secrets the kubelet pulls images with.
    pub image_pull_secrets: Vec<String>,
    pub grace_seconds: Option<i64>,
}

/// The pod template of a Deployment, StatefulSet, Job or CronJob.
pub fn template(p: Pod) -> PodTemplateSpec {
    PodTemplateSpec {
        metadata: Some(ObjectMeta {
            labels: Some(p.labels),
            annotations: non_empty_map(p.annotations),
            ..ObjectMeta::default()
        }),
        spec: Some(PodSpec {
            restart_policy: p.restart.map(Into::into),
            automount_service_account_token: Some(p.token),
            service_account_name: p.service_account,
            security_context: Some(pod_security(p.run_as)),
            init_containers: non_empty(p.init),
            containers: p.containers,
            volumes: non_empty(p.volumes),
            node_selector: non_empty_map(p.node_selector),
            tolerations: p.tolerations,
            topology_spread_constraints: p.spread.map(|labels| spread(labels, &p.spread_keys)),
            affinity: p.affinity,
            image_pull_secrets: non_empty(
                p.image_pull_secrets.into_iter().map(|name| LocalObjectReference { name }).collect(),
            ),
            termination_grace_period_seconds: p.grace_seconds,
            ..PodSpec::default()
        }),
    }
}

/// One constraint per topology key (nodes when none is given), each preferring a skew of
/// one but never blocking scheduling when a domain is down.
fn spread(labels: Map, keys: &[String]) -> Vec<TopologySpreadConstraint> {
    let node = [crate::spec::topology_key("node").to_string()];
    let keys = if keys.is_empty() { &node[..] } else { keys };
    keys.iter()
        .map(|key| TopologySpreadConstraint {
            max_skew: 1,
            topology_key: key.clone(),
            when_unsatisfiable: "ScheduleAnyway".into(),
            label_selector: Some(LabelSelector { match_labels: Some(labels.clone()), ..LabelSelector::default() }),
            ..TopologySpreadConstraint::default()
        })
        .collect()
}

/// Required and preferred node affinity, and required anti-affinity to the pods of the
/// workloads in `avoid` (selected as `ctx.selector` selects them).
pub fn affinity(ctx: &Ctx, a: Option<&Affinity>) -> Option<KAffinity> {
    let a = a?;
    let node_affinity = node_affinity(a);
    let pod_anti_affinity = anti_affinity(ctx, a);
    (node_affinity.is_some() || pod_anti_affinity.is_some()).then_some(KAffinity {
        node_affinity,
        pod_anti_affinity,
        pod_affinity: None,
    })
}

/// `nodes` as the required term, `prefer_nodes` as one preferred term of weight 100.
fn node_affinity(a: &Affinity) -> Option<NodeAffinity> {
    let term = |m: &BTreeMap<String, Vec<String>>| NodeSelectorTerm {
        match_expressions: non_empty(
            m.iter()
                .map(|(k, v)| NodeSelectorRequirement {
                    key: k.clone(),
                    operator: "In".into(),
                    values: Some(v.clone()),
                })
                .collect(),
        ),
        match_fields: None,
    };
    let required = (!a.nodes.is_empty()).then(|| NodeSelector { node_selector_terms: vec![term(&a.nodes)] });
    let preferred = (!a.prefer_nodes.is_empty())
        .then(|| vec![PreferredSchedulingTerm { weight: 100, preference: term(&a.prefer_nodes) }]);
    (required.is_some() || preferred.is_some()).then_some(NodeAffinity {
        required_during_scheduling_ignored_during_execution: required,
        preferred_during_scheduling_ignored_during_execution: preferred,
    })
}

/// One required term per workload in `avoid` (sorted, once each), per `avoid_by` domain.
fn anti_affinity(ctx: &Ctx, a: &Affinity) -> Option<PodAntiAffinity> {
    let key = crate::spec::topology_key(a.avoid_by.as_deref().unwrap_or("node")).to_string();
    let mut avoid = a.avoid.clone();
    avoid.sort();
    avoid.dedup();
    let terms = avoid
        .iter()
        .map(|w| PodAffinityTerm {
            label_selector: Some(LabelSelector { match_labels: Some(ctx.selector(w)), ..LabelSelector::default() }),
            topology_key: key.clone(),
            ..PodAffinityTerm::default()
        })
        .collect();
    non_empty(terms).map(|terms| PodAntiAffinity {
        required_during_scheduling_ignored_during_execution: Some(terms),
        preferred_during_scheduling_ignored_during_execution: None,
    })
}

/// A container with what all of them share: the image pulled if not present and the
/// restricted security context.
pub fn container(name: impl Into<String>, image: impl Into<String>) -> Container {
    Container {
        name: name.into(),
        image: Some(image.into()),
        image_pull_policy: Some("IfNotPresent".into()),
        security_context: Some(container_security()),
        ..Container::default()
    }
}

/// Pod-level part of the Pod Security Standards "restricted" profile.
fn pod_security(run_as: RunAs) -> PodSecurityContext {
    PodSecurityContext {
        run_as_non_root: Some(true),
        run_as_user: Some(run_as.user),
        run_as_group: Some(run_as.group),
        fs_group: Some(run_as.fs_group),
        fs_group_change_policy: Some("OnRootMismatch".into()),
        seccomp_profile: Some(SeccompProfile { type_: "RuntimeDefault".into(), ..SeccompProfile::default() }),
        ..PodSecurityContext::default()
    }
}

/// Container-level part of the restricted profile, with a read-only root filesystem.
fn container_security() -> SecurityContext {
    SecurityContext {
        allow_privilege_escalation: Some(false),
        capabilities: Some(Capabilities { drop: Some(vec!["ALL".into()]), add: None }),
        privileged: Some(false),
        read_only_root_filesystem: Some(true),
        run_as_non_root: Some(true),
        seccomp_profile: Some(SeccompProfile { type_: "RuntimeDefault".into(), ..SeccompProfile::default() }),
        ..SecurityContext::default()
    }
}

/// Requests and limits: user values over defaults; the memory limit defaults to the request.
pub fn resources(user: Option<&Resources>, default: &Resources, gpu: Option<u32>) -> ResourceRequirements {
    let mut requests = BTreeMap::new();
    let mut limits = BTreeMap::new();
    let pick = |u: Option<&String>, d: &Option<String>| u.cloned().or_else(|| d.clone());
    let u = user.cloned().unwrap_or_default();
    for (key, val) in [
        ("cpu", pick(u.cpu.as_ref(), &default.cpu)),
        ("memory", pick(u.memory.as_ref(), &default.memory)),
        ("ephemeral-storage", pick(u.ephemeral_storage.as_ref(), &default.ephemeral_storage)),
    ] {
        let Some(val) = val else { continue };
        let (req, lim) = quantity::split(&val);
        requests.insert(key.to_string(), Quantity(req.to_string()));
        match (lim, key) {
            (Some(l), _) => {
                limits.insert(key.to_string(), Quantity(l.to_string()));
            }
            (None, "memory") => {
                limits.insert(key.to_string(), Quantity(req.to_string()));
            }
            _ => {}
        }
    }
    if let Some(n) = gpu.filter(|n| *n > 0) {
        requests.insert("nvidia.com/gpu".into(), Quantity(n.to_string()));
        limits.insert("nvidia.com/gpu".into(), Quantity(n.to_string()));
    }
    ResourceRequirements { requests: Some(requests), limits: Some(limits), ..ResourceRequirements::default() }
}

/// Defaults for a service container that sets no resources.
pub fn default_resources() -> Resources {
    Resources { cpu: Some("100m".into()), memory: Some("128Mi/256Mi".into()), ephemeral_storage: None }
}

/// Defaults for small helper containers (waits, migrations inherit the app's).
pub fn helper_resources() -> Resources {
    Resources { cpu: Some("10m".into()), memory: Some("32Mi/64Mi".into()), ephemeral_storage: None }
}

fn port_ref(p: &str) -> IntOrString {
    match p.parse::<i32>() {
        Ok(n) => IntOrString::Int(n),
        Err(_) => IntOrString::String(p.to_string()),
    }
}

/// A typed probe; `default_port` is the workload's first port name.
pub fn probe(p: &Probe, default_port: Option<&str>) -> KProbe {
    let port = p.port.as_deref().or(default_port).unwrap_or("http");
    KProbe {
        http_get: p.http.as_ref().map(|path| HTTPGetAction {
            path: Some(path.clone()),
            port: port_ref(port),
            http_headers: non_empty(
                p.headers.iter().map(|(name, value)| HTTPHeader { name: name.clone(), value: value.clone() }).collect(),
            ),
            ..HTTPGetAction::default()
        }),
        tcp_socket: p.tcp.as_ref().map(|t| TCPSocketAction { port: port_ref(t), ..TCPSocketAction::default() }),
        exec: p.exec.as_ref().map(|c| ExecAction { command: Some(c.clone()) }),
        initial_delay_seconds: p.initial_delay,
        period_seconds: p.period,
        timeout_seconds: p.timeout,
        failure_threshold: p.failure_threshold,
        success_threshold: p.success_threshold,
        ..KProbe::default()
    }
}

/// Environment variables, sorted by name.
pub fn env(ctx: &Ctx, vars: &EnvVars) -> Vec<EnvVar> {
    env_list(ctx, vars.iter().map(|(k, v)| (k, &*v.0)))
}

/// Environment variables in the order given (a `$(VAR)` in a value names an earlier one).
pub fn env_list<'a>(ctx: &Ctx, vars: impl IntoIterator<Item = (&'a String, &'a EnvValue)>) -> Vec<EnvVar> {
    vars.into_iter()
        .map(|(name, v)| {
            let value_from = if let Some(secret) = &v.secret {
                Some(EnvVarSource {
                    secret_key_ref: Some(SecretKeySelector {
                        name: secret.clone(),
                        key: v.key.clone().expect("validated: secret env has a key"),
                        optional: None,
                    }),
                    ..EnvVarSource::default()
                })
            } else if let Some(cfg) = &v.config {
                Some(EnvVarSource {
                    config_map_key_ref: Some(ConfigMapKeySelector {
                        name: ctx.config_names.get(cfg).cloned().unwrap_or_else(|| cfg.clone()),
                        key: v.key.clone().expect("validated: config env has a key"),
                        optional: None,
                    }),
                    ..EnvVarSource::default()
                })
            } else {
                v.field.as_ref().map(|f| EnvVarSource {
                    field_ref: Some(ObjectFieldSelector { field_path: f.clone(), api_version: None }),
                    ..EnvVarSource::default()
                })
            };
            EnvVar { name: name.clone(), value: v.value.clone(), value_from }
        })
        .collect()
}

/// An emptyDir volume and its mount, for a path the container must write to.
pub fn writable(name: String, path: &str) -> (Volume, VolumeMount) {
    (
        Volume { name: name.clone(), empty_dir: Some(EmptyDirVolumeSource::default()), ..Volume::default() },
        VolumeMount { name, mount_path: path.to_string(), ..VolumeMount::default() },
    )
}

/// `/tmp` plus the extra writable paths, as emptyDirs (sorted, de-duplicated).
pub fn writable_dirs(paths: &[String]) -> (Vec<Volume>, Vec<VolumeMount>) {
    let mut all: Vec<&str> = vec!["/tmp"];
    all.extend(paths.iter().map(String::as_str));
    all.sort();
    all.dedup();
    all.into_iter()
        .enumerate()
        .map(|(i, p)| writable(if p == "/tmp" { "tmp".to_string() } else { format!("writable-{i}") }, p))
        .unzip()
}

/// Init container that waits until a database accepts connections.
pub fn wait_for(ctx: &Ctx, db: &str) -> Container {
    let engine = &ctx.v.engines[db];
    let image = engine.wait_image.clone().unwrap_or_else(|| {
        let spec = &ctx.v.spec.databases[db];
        spec.image.clone().unwrap_or_else(|| engine.image.clone())
    });
    Container {
        command: Some(vec![
            "/bin/sh".into(),
            "-c".into(),
            format!("until {}; do echo waiting for {db}; sleep 2; done", engine.wait),
        ]),
        resources: Some(resources(None, &helper_resources(), None)),
        ..container(format!("wait-for-{db}"), image)
    }
}

pub fn tolerations(t: &[Toleration], gpu: bool) -> Option<Vec<k8s_openapi::api::core::v1::Toleration>> {
    let mut out: Vec<_> = t
        .iter()
        .map(|t| k8s_openapi::api::core::v1::Toleration {
            key: t.key.clone(),
            operator: t.operator.clone(),
            value: t.value.clone(),
            effect: t.effect.clone(),
            ..Default::default()
        })
        .collect();
    if gpu && !t.iter().any(|t| t.key.as_deref() == Some("nvidia.com/gpu")) {
        out.push(k8s_openapi::api::core::v1::Toleration {
            key: Some("nvidia.com/gpu".into()),
            operator: Some("Exists".into()),
            effect: Some("NoSchedule".into()),
            ..Default::default()
        });
    }
    non_empty(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_pod_gets_the_restricted_profile_and_no_token_unless_asked() {
        let run_as = RunAs { user: 5, group: 6, fs_group: 7 };
        let t = template(Pod { run_as, containers: vec![container("c", "i")], ..Pod::default() });
        let spec = t.spec.unwrap();
        let sc = spec.security_context.unwrap();
        assert_eq!(
            (sc.run_as_non_root, sc.run_as_user, sc.run_as_group, sc.fs_group),
            (Some(true), Some(5), Some(6), Some(7))
        );
        assert_eq!(sc.seccomp_profile.unwrap().type_, "RuntimeDefault");
        assert_eq!(spec.automount_service_account_token, Some(false));
        assert!(spec.init_containers.is_none() && spec.volumes.is_none() && spec.topology_spread_constraints.is_none());
        let c = container_security();
        assert_eq!(spec.containers[0].security_context, Some(c.clone()));
        assert_eq!((c.allow_privilege_escalation, c.read_only_root_filesystem), (Some(false), Some(true)));
        assert_eq!(c.capabilities.unwrap().drop, Some(vec!["ALL".to_string()]));
    }

    #[test]
    fn spread_selects_the_given_labels_over_nodes() {
        let labels = Map::from([("app".to_string(), "a".to_string())]);
        let t = template(Pod { spread: Some(labels.clone()), ..Pod::default() });
        let spread = t.spec.unwrap().topology_spread_constraints.unwrap();
        assert_eq!(spread.len(), 1);
        assert_eq!(spread[0].topology_key, "kubernetes.io/hostname");
        assert_eq!(spread[0].label_selector.as_ref().unwrap().match_labels, Some(labels.clone()));
        let keys = vec!["topology.kubernetes.io/zone".to_string(), "kubernetes.io/hostname".to_string()];
        let t = template(Pod { spread: Some(labels), spread_keys: keys.clone(), ..Pod::default() });
        let spread = t.spec.unwrap().topology_spread_constraints.unwrap();
        assert_eq!(spread.iter().map(|c| c.topology_key.clone()).collect::<Vec<_>>(), keys);
    }
}
