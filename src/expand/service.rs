//! A service: Deployment, Service, ConfigMap for files, PVCs, ServiceAccount,
//! HorizontalPodAutoscaler, PodDisruptionBudget and Ingress.

use super::pod::{self, container_security, pod_security};
use super::{Ctx, Object, Sink, VERSION, file_content, hashed_name, non_empty, non_empty_map};
use super::{rbac, rollout};
use crate::crd::{Endpoint, ServiceMonitor, ServiceMonitorSpec};
use crate::spec::{Map, Pdb, Service, Strategy};
use crate::validate::{is_int_or_percent, resolve_host};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, DeploymentStrategy, RollingUpdateDeployment};
use k8s_openapi::api::autoscaling::v2 as hpa;
use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::{
    ConfigMap, ConfigMapEnvSource, ConfigMapVolumeSource, Container, ContainerPort, EnvFromSource,
    PersistentVolumeClaim, PersistentVolumeClaimSpec, PersistentVolumeClaimVolumeSource, PodSpec, PodTemplateSpec,
    SecretEnvSource, SecretVolumeSource, Service as KService, ServiceAccount, ServicePort, ServiceSpec,
    TopologySpreadConstraint, Volume, VolumeMount, VolumeResourceRequirements,
};
use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule, IngressServiceBackend, IngressSpec,
    IngressTLS, ServiceBackendPort,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

/// Default non-root identity for application pods that set none.
pub const DEFAULT_UID: i64 = 10001;

pub fn int_or_string(v: &str) -> IntOrString {
    match v.parse::<i32>() {
        Ok(n) if is_int_or_percent(v) => IntOrString::Int(n),
        _ => IntOrString::String(v.to_string()),
    }
}

/// Replicas the workload runs with at least (for PDB and spreading).
pub fn min_replicas(svc: &Service) -> i32 {
    svc.autoscale.as_ref().map_or(svc.replicas.unwrap_or(1), |a| a.min)
}

pub fn expand(ctx: &Ctx, name: &str, svc: &Service, out: &mut dyn Sink) {
    let component = svc.component.as_deref().unwrap_or("service");
    let labels = ctx.labels(name, component);
    let selector = ctx.selector(name);
    let image = svc.image_ref();
    let mut volumes: Vec<Volume> = Vec::new();
    let mut mounts: Vec<VolumeMount> = Vec::new();

    let (wv, wm) = pod::writable_dirs(&svc.writable);
    volumes.extend(wv);
    mounts.extend(wm);

    if !svc.files.is_empty() {
        let data: BTreeMap<String, String> =
            svc.files.iter().map(|(path, f)| (file_key(path), file_content(ctx.v, f))).collect();
        let cm = hashed_name(&format!("{name}-files"), &data);
        volumes.push(Volume {
            name: "files".into(),
            config_map: Some(ConfigMapVolumeSource { name: cm.clone(), ..ConfigMapVolumeSource::default() }),
            ..Volume::default()
        });
        for path in svc.files.keys() {
            mounts.push(VolumeMount {
                name: "files".into(),
                mount_path: path.clone(),
                sub_path: Some(file_key(path)),
                read_only: Some(true),
                ..VolumeMount::default()
            });
        }
        out.push(Object::new(ConfigMap {
            metadata: ctx.meta(cm, labels.clone(), &Map::new()),
            data: Some(data),
            ..ConfigMap::default()
        }));
    }
    for (i, (path, src)) in svc.mounts.iter().enumerate() {
        let vname = format!("mount-{i}");
        volumes.push(Volume {
            name: vname.clone(),
            config_map: src.config.as_ref().map(|c| ConfigMapVolumeSource {
                name: ctx.config_names[c].clone(),
                ..ConfigMapVolumeSource::default()
            }),
            secret: src
                .secret
                .as_ref()
                .map(|s| SecretVolumeSource { secret_name: Some(s.clone()), ..SecretVolumeSource::default() }),
            ..Volume::default()
        });
        mounts.push(VolumeMount {
            name: vname,
            mount_path: path.clone(),
            read_only: Some(true),
            ..VolumeMount::default()
        });
    }
    for (vname, vol) in &svc.volumes {
        let claim = format!("{name}-{vname}");
        out.push(Object::new(claim_of(
            ctx.meta(claim.clone(), labels.clone(), &Map::new()),
            &vol.size,
            vol.class.clone(),
            vol.access.as_deref(),
        )));
        volumes.push(Volume {
            name: format!("vol-{vname}"),
            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource { claim_name: claim, read_only: None }),
            ..Volume::default()
        });
        mounts.push(VolumeMount {
            name: format!("vol-{vname}"),
            mount_path: vol.path.clone(),
            ..VolumeMount::default()
        });
    }

    let env = pod::env(ctx, &svc.env);
    let env_from: Vec<EnvFromSource> = svc
        .env_from
        .iter()
        .map(|s| EnvFromSource {
            config_map_ref: s
                .config
                .as_ref()
                .map(|c| ConfigMapEnvSource { name: ctx.config_names[c].clone(), optional: None }),
            secret_ref: s.secret.as_ref().map(|n| SecretEnvSource { name: n.clone(), optional: None }),
            prefix: None,
        })
        .collect();
    let ports: Vec<ContainerPort> = svc
        .ports
        .iter()
        .map(|(pname, p)| ContainerPort {
            name: Some(pname.clone()),
            container_port: i32::from(p.container),
            protocol: Some(format!("{:?}", p.protocol.unwrap_or(crate::spec::Protocol::TCP))),
            ..ContainerPort::default()
        })
        .collect();
    let first_port = svc.ports.keys().next().map(String::as_str);
    // A TCP socket probe cannot check a UDP port.
    let first_tcp = svc
        .ports
        .iter()
        .find(|(_, p)| p.protocol.is_none_or(|pr| pr == crate::spec::Protocol::TCP))
        .map(|(n, _)| n.as_str());
    let (liveness, readiness) = match (&svc.probes.liveness, &svc.probes.readiness, first_tcp) {
        // A service that serves traffic gets TCP probes on its first TCP port unless it declares its own.
        (None, None, Some(p)) => (
            Some(crate::spec::Probe {
                tcp: Some(p.to_string()),
                initial_delay: Some(10),
                period: Some(10),
                ..Default::default()
            }),
            Some(crate::spec::Probe { tcp: Some(p.to_string()), period: Some(5), ..Default::default() }),
        ),
        (l, r, _) => (l.clone(), r.clone()),
    };
    let resources = pod::resources(svc.resources.as_ref(), &pod::default_resources(), svc.gpu);
    let main = Container {
        name: name.to_string(),
        image: Some(image.clone()),
        image_pull_policy: Some("IfNotPresent".into()),
        command: svc.command.clone(),
        args: svc.args.clone(),
        ports: non_empty(ports),
        env: non_empty(env.clone()),
        env_from: non_empty(env_from.clone()),
        resources: Some(resources.clone()),
        liveness_probe: liveness.as_ref().map(|p| pod::probe(p, first_port)),
        readiness_probe: readiness.as_ref().map(|p| pod::probe(p, first_port)),
        startup_probe: svc.probes.startup.as_ref().map(|p| pod::probe(p, first_port)),
        security_context: Some(container_security()),
        volume_mounts: non_empty(mounts.clone()),
        ..Container::default()
    };
    // `uses` is a set: its order in the spec does not reach the output.
    let mut waits: Vec<&String> =
        svc.uses.iter().filter(|u| ctx.v.spec.databases.get(*u).is_some_and(|d| d.external.is_none())).collect();
    waits.sort();
    let mut init: Vec<Container> = waits.into_iter().map(|db| pod::wait_for(ctx, db)).collect();
    let mut migrate_job = None;
    if let Some(m) = &svc.migrate {
        let target = if m.job { migrate_job.insert(Vec::new()) } else { &mut init };
        target.push(Container {
            name: "migrate".into(),
            image: Some(m.image.clone().unwrap_or_else(|| image.clone())),
            image_pull_policy: Some("IfNotPresent".into()),
            command: m.command.clone(),
            env: non_empty(env),
            env_from: non_empty(env_from),
            resources: Some(resources),
            security_context: Some(container_security()),
            volume_mounts: non_empty(mounts),
            ..Container::default()
        });
    }

    if let Some(containers) = migrate_job {
        out.push(migration_job(ctx, name, svc, containers, &init, &volumes));
    }

    // API access needs an identity of its own and its token in the pod.
    let needs_api = !svc.access.is_empty();
    let sa = svc
        .service_account
        .as_ref()
        .map(|s| s.0.clone())
        .or_else(|| needs_api.then(|| crate::spec::ServiceAccount { create: true, ..Default::default() }));
    let sa_name = sa.as_ref().map(|s| s.name.clone().unwrap_or_else(|| name.to_string()));
    let token = needs_api || sa.as_ref().is_some_and(|s| s.token);
    if let (Some(sa), Some(sa_name)) = (&sa, &sa_name)
        && sa.create
    {
        out.push(Object::new(ServiceAccount {
            metadata: ctx.meta(sa_name.clone(), labels.clone(), &sa.annotations),
            automount_service_account_token: Some(token),
            ..ServiceAccount::default()
        }));
    }
    if let (true, Some(sa_name)) = (needs_api, &sa_name) {
        rbac::expand(ctx, name, sa_name, &svc.access, &labels, out);
    }

    let replicas = min_replicas(svc);
    let uid = svc.run_as_user.unwrap_or(DEFAULT_UID);
    let gid = svc.run_as_group.unwrap_or(uid);
    let strategy = match &svc.strategy {
        Some(Strategy::Recreate) => DeploymentStrategy { type_: Some("Recreate".into()), rolling_update: None },
        // One pod at a time cannot roll with a single-attach volume or a scarce GPU.
        None if !svc.volumes.is_empty() || svc.gpu.is_some_and(|g| g > 0) => {
            DeploymentStrategy { type_: Some("Recreate".into()), rolling_update: None }
        }
        Some(Strategy::Rolling { max_surge, max_unavailable }) => {
            rolling(max_surge.as_deref(), max_unavailable.as_deref())
        }
        None => rolling(None, None),
    };
    let pod = PodSpec {
        automount_service_account_token: Some(token),
        service_account_name: sa_name,
        security_context: Some(pod_security(uid, gid, svc.fs_group.unwrap_or(gid))),
        init_containers: non_empty(init),
        containers: vec![main],
        volumes: non_empty(volumes),
        node_selector: non_empty_map(svc.node_selector.clone()),
        tolerations: pod::tolerations(&svc.tolerations, svc.gpu.is_some_and(|g| g > 0)),
        ..PodSpec::default()
    };
    for track in rollout::tracks(name, svc) {
        let mut track_selector = selector.clone();
        if let Some(t) = track.label {
            track_selector.insert(rollout::TRACK.into(), t.into());
        }
        let mut pod_labels = svc.pod_labels.clone();
        pod_labels.extend(labels.clone());
        pod_labels.extend(track_selector.clone());
        if let Some(tag) = crate::spec::image_tag(&track.image).filter(|t| t.len() <= 63) {
            pod_labels.insert(VERSION.into(), tag.to_string());
        }
        let mut pod = pod.clone();
        // The track's image runs the app and, unless migrate names its own, the migration.
        for c in pod.containers.iter_mut().chain(pod.init_containers.iter_mut().flatten()) {
            if c.image.as_deref() == Some(image.as_str()) {
                c.image = Some(track.image.clone());
            }
        }
        let track_replicas = track.replicas.unwrap_or(replicas);
        if track_replicas > 1 || (track.autoscaled && svc.autoscale.as_ref().is_some_and(|a| a.max > 1)) {
            pod.topology_spread_constraints = Some(vec![TopologySpreadConstraint {
                max_skew: 1,
                topology_key: "kubernetes.io/hostname".into(),
                when_unsatisfiable: "ScheduleAnyway".into(),
                label_selector: Some(LabelSelector {
                    match_labels: Some(track_selector.clone()),
                    ..LabelSelector::default()
                }),
                ..TopologySpreadConstraint::default()
            }]);
        }
        let mut dep_labels = labels.clone();
        if let Some(t) = track.label {
            dep_labels.insert(rollout::TRACK.into(), t.into());
        }
        out.push(Object::new(Deployment {
            metadata: ctx.meta(track.deployment.clone(), dep_labels.clone(), &svc.annotations),
            spec: Some(DeploymentSpec {
                replicas: match (track.replicas, track.autoscaled) {
                    (Some(r), _) => Some(r),
                    (None, true) => None,
                    (None, false) => Some(svc.replicas.unwrap_or(1)),
                },
                revision_history_limit: Some(5),
                selector: LabelSelector { match_labels: Some(track_selector), ..LabelSelector::default() },
                strategy: Some(strategy.clone()),
                template: PodTemplateSpec {
                    metadata: Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                        labels: Some(pod_labels),
                        annotations: non_empty_map(svc.pod_annotations.clone()),
                        ..Default::default()
                    }),
                    spec: Some(pod),
                },
                ..DeploymentSpec::default()
            }),
            ..Deployment::default()
        }));
        if let (true, Some(a)) = (track.autoscaled, &svc.autoscale) {
            out.push(autoscaler(ctx, &track.deployment, &dep_labels, a));
        }
    }

    if !svc.ports.is_empty() {
        let mut live = selector.clone();
        if let Some(t) = rollout::live(svc) {
            live.insert(rollout::TRACK.into(), t.into());
        }
        out.push(service_object(ctx, name, svc, &labels, live));
        if let Some((second, track)) = rollout::second_service(name, svc) {
            let mut sel = selector.clone();
            sel.insert(rollout::TRACK.into(), track.into());
            out.push(service_object(ctx, &second, svc, &labels, sel));
        }
    }

    if let Some(pdb) = disruption_budget(ctx, name, &labels, svc.pdb.as_ref(), replicas) {
        out.push(pdb);
    }
    if let Some(ing) = &svc.ingress {
        out.push(ingress(ctx, name, name, svc, &labels, ing, &Map::new()));
        if let Some(c) = svc.rollout.as_ref().and_then(|r| r.canary.as_ref()) {
            let canary = format!("{name}-canary");
            let annotations = Map::from([
                ("nginx.ingress.kubernetes.io/canary".to_string(), "true".to_string()),
                ("nginx.ingress.kubernetes.io/canary-weight".to_string(), c.weight.to_string()),
            ]);
            out.push(ingress(ctx, &canary, &canary, svc, &labels, ing, &annotations));
        }
    }
    if let Some(m) = &svc.metrics {
        out.push(Object::new(ServiceMonitor {
            metadata: ctx.meta(name, labels.clone(), &Map::new()),
            spec: ServiceMonitorSpec {
                selector: LabelSelector { match_labels: Some(selector), ..LabelSelector::default() },
                endpoints: vec![Endpoint {
                    port: metrics_port(svc, m).to_string(),
                    path: m.path.clone().unwrap_or_else(|| "/metrics".into()),
                    interval: m.interval.clone().unwrap_or_else(|| "30s".into()),
                }],
            },
        }));
    }
}

/// The port Prometheus scrapes: `metrics.port` or the first port.
pub fn metrics_port<'a>(svc: &'a Service, m: &'a crate::spec::Metrics) -> &'a str {
    m.port.as_deref().or_else(|| svc.ports.keys().next().map(String::as_str)).expect("validated: metrics need a port")
}

/// ConfigMap key for a mounted file: its file name.
fn file_key(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_string()
}

fn rolling(surge: Option<&str>, unavailable: Option<&str>) -> DeploymentStrategy {
    DeploymentStrategy {
        type_: Some("RollingUpdate".into()),
        rolling_update: Some(RollingUpdateDeployment {
            max_surge: Some(int_or_string(surge.unwrap_or("25%"))),
            max_unavailable: Some(int_or_string(unavailable.unwrap_or("0"))),
        }),
    }
}

/// A PersistentVolumeClaim (ReadWriteOnce unless `access` says otherwise).
pub fn claim_of(
    metadata: ObjectMeta,
    size: &str,
    class: Option<String>,
    access: Option<&str>,
) -> PersistentVolumeClaim {
    PersistentVolumeClaim {
        metadata,
        spec: Some(PersistentVolumeClaimSpec {
            access_modes: Some(vec![access.unwrap_or("ReadWriteOnce").to_string()]),
            storage_class_name: class,
            resources: Some(VolumeResourceRequirements {
                requests: Some(BTreeMap::from([("storage".to_string(), Quantity(size.to_string()))])),
                ..VolumeResourceRequirements::default()
            }),
            ..PersistentVolumeClaimSpec::default()
        }),
        ..PersistentVolumeClaim::default()
    }
}

/// The PodDisruptionBudget of a workload: the spec's, or `maxUnavailable: 1` when it runs
/// more than one replica.
pub fn disruption_budget(ctx: &Ctx, name: &str, labels: &Map, spec: Option<&Pdb>, replicas: i32) -> Option<Object> {
    let (min, max) = match spec {
        Some(p) => (p.min_available.as_deref(), p.max_unavailable.as_deref()),
        None if replicas > 1 => (None, Some("1")),
        None => return None,
    };
    Some(Object::new(PodDisruptionBudget {
        metadata: ctx.meta(name, labels.clone(), &Map::new()),
        spec: Some(PodDisruptionBudgetSpec {
            min_available: min.map(int_or_string),
            max_unavailable: max.map(int_or_string),
            selector: Some(LabelSelector { match_labels: Some(ctx.selector(name)), ..LabelSelector::default() }),
            ..PodDisruptionBudgetSpec::default()
        }),
        ..PodDisruptionBudget::default()
    }))
}

fn autoscaler(ctx: &Ctx, name: &str, labels: &Map, a: &crate::spec::Autoscale) -> Object {
    let mut metrics = Vec::new();
    for (res, target) in [("cpu", a.cpu), ("memory", a.memory)] {
        if let Some(t) = target {
            metrics.push(hpa::MetricSpec {
                type_: "Resource".into(),
                resource: Some(hpa::ResourceMetricSource {
                    name: res.into(),
                    target: hpa::MetricTarget {
                        type_: "Utilization".into(),
                        average_utilization: Some(t),
                        ..Default::default()
                    },
                }),
                ..Default::default()
            });
        }
    }
    for (metric, value) in &a.pods {
        metrics.push(hpa::MetricSpec {
            type_: "Pods".into(),
            pods: Some(hpa::PodsMetricSource {
                metric: hpa::MetricIdentifier { name: metric.clone(), selector: None },
                target: hpa::MetricTarget {
                    type_: "AverageValue".into(),
                    average_value: Some(Quantity(value.clone())),
                    ..Default::default()
                },
            }),
            ..Default::default()
        });
    }
    let rules = |r: &Option<crate::spec::ScaleRules>| {
        r.as_ref().map(|r| hpa::HPAScalingRules {
            stabilization_window_seconds: r.window,
            select_policy: r.select.clone(),
            policies: non_empty(
                r.policies
                    .iter()
                    .map(|p| hpa::HPAScalingPolicy {
                        type_: if p.percent.is_some() { "Percent".into() } else { "Pods".into() },
                        value: p.percent.or(p.pods).unwrap_or(1),
                        period_seconds: p.period,
                    })
                    .collect(),
            ),
            ..Default::default()
        })
    };
    let behavior = (a.scale_up.is_some() || a.scale_down.is_some()).then(|| hpa::HorizontalPodAutoscalerBehavior {
        scale_up: rules(&a.scale_up),
        scale_down: rules(&a.scale_down),
    });
    Object::new(hpa::HorizontalPodAutoscaler {
        metadata: ctx.meta(name, labels.clone(), &Map::new()),
        spec: Some(hpa::HorizontalPodAutoscalerSpec {
            scale_target_ref: hpa::CrossVersionObjectReference {
                api_version: Some("apps/v1".into()),
                kind: "Deployment".into(),
                name: name.into(),
            },
            min_replicas: Some(a.min),
            max_replicas: a.max,
            metrics: Some(metrics),
            behavior,
        }),
        ..Default::default()
    })
}

/// Name of the migration Job's pods (and NetworkPolicy) of a service.
pub fn migrate_name(name: &str) -> String {
    format!("{name}-migrate")
}

/// A Job that runs the migration once per image and command (Jobs are immutable, so a
/// change gives a new name), after waiting for the databases like the app does.
fn migration_job(
    ctx: &Ctx,
    name: &str,
    svc: &Service,
    containers: Vec<Container>,
    waits: &[Container],
    volumes: &[Volume],
) -> Object {
    let job = migrate_name(name);
    let fingerprint: BTreeMap<String, String> = containers
        .iter()
        .map(|c| (c.image.clone().unwrap_or_default(), c.command.clone().unwrap_or_default().join("\u{1f}")))
        .collect();
    let full = hashed_name(&job, &fingerprint);
    let hash = &full[full.len() - 10..];
    let base: String = job.chars().take(52).collect();
    let labels = ctx.labels(&job, "migration");
    let uid = svc.run_as_user.unwrap_or(DEFAULT_UID);
    let gid = svc.run_as_group.unwrap_or(uid);
    Object::new(Job {
        metadata: ctx.meta(format!("{base}-{hash}"), labels.clone(), &Map::new()),
        spec: Some(JobSpec {
            backoff_limit: Some(4),
            template: PodTemplateSpec {
                metadata: Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                    labels: Some(labels),
                    ..Default::default()
                }),
                spec: Some(PodSpec {
                    restart_policy: Some("Never".into()),
                    automount_service_account_token: Some(false),
                    security_context: Some(pod_security(uid, gid, svc.fs_group.unwrap_or(gid))),
                    init_containers: non_empty(waits.to_vec()),
                    containers,
                    volumes: non_empty(volumes.to_vec()),
                    node_selector: non_empty_map(svc.node_selector.clone()),
                    ..PodSpec::default()
                }),
            },
            ..JobSpec::default()
        }),
        ..Job::default()
    })
}

/// The ClusterIP Service of a service (or of one of its rollout tracks).
fn service_object(ctx: &Ctx, name: &str, svc: &Service, labels: &Map, selector: Map) -> Object {
    Object::new(KService {
        metadata: ctx.meta(name, labels.clone(), &Map::new()),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".into()),
            selector: Some(selector),
            ports: Some(
                svc.ports
                    .iter()
                    .map(|(pname, p)| ServicePort {
                        name: Some(pname.clone()),
                        port: i32::from(p.service.unwrap_or(p.container)),
                        target_port: Some(IntOrString::String(pname.clone())),
                        protocol: Some(format!("{:?}", p.protocol.unwrap_or(crate::spec::Protocol::TCP))),
                        ..ServicePort::default()
                    })
                    .collect(),
            ),
            ..ServiceSpec::default()
        }),
        ..KService::default()
    })
}

/// An Ingress `name` routing the service's hosts to the Service `backend`.
fn ingress(
    ctx: &Ctx,
    name: &str,
    backend: &str,
    svc: &Service,
    labels: &Map,
    ing: &crate::spec::Ingress,
    extra: &Map,
) -> Object {
    let defaults = &ctx.v.spec.ingress;
    let issuer = ing.issuer.clone().or_else(|| defaults.issuer.clone());
    let tls = ing.tls.unwrap_or(issuer.is_some());
    let class = ing.class.clone().or_else(|| defaults.class.clone());
    let mut annotations = Map::new();
    if class.as_deref() == Some("alb") {
        // The AWS Load Balancer Controller: route to pod IPs (what the NetworkPolicy admits)
        // and health-check the path the readiness probe already checks.
        annotations.insert("alb.ingress.kubernetes.io/target-type".into(), "ip".into());
        let probe = svc.probes.readiness.as_ref().or(svc.probes.liveness.as_ref());
        if let Some(path) = probe.and_then(|p| p.http.clone()) {
            annotations.insert("alb.ingress.kubernetes.io/healthcheck-path".into(), path);
        }
    }
    annotations.extend(defaults.annotations.clone());
    annotations.extend(ing.annotations.clone());
    // A canary Ingress shares the service's certificate; asking cert-manager twice would make
    // two Certificates fight over one Secret.
    let canary = extra.contains_key("nginx.ingress.kubernetes.io/canary");
    if let (true, false, Some(issuer)) = (tls, canary, &issuer) {
        annotations.insert("cert-manager.io/cluster-issuer".into(), issuer.clone());
    }
    annotations.extend(extra.clone());
    let port =
        ing.port.clone().or_else(|| svc.ports.keys().next().cloned()).expect("validated: exposed services have ports");
    let hosts: Vec<String> = ing
        .hosts
        .iter()
        .map(|h| resolve_host(h, ctx.v.spec.domain.as_deref()).expect("validated: hosts resolve"))
        .collect();
    let path = HTTPIngressPath {
        path: Some(ing.path.clone().unwrap_or_else(|| "/".into())),
        path_type: ing.path_type.clone().unwrap_or_else(|| "Prefix".into()),
        backend: IngressBackend {
            service: Some(IngressServiceBackend {
                name: backend.into(),
                port: Some(ServiceBackendPort { name: Some(port), number: None }),
            }),
            ..IngressBackend::default()
        },
    };
    Object::new(Ingress {
        metadata: ctx.meta(name, labels.clone(), &annotations),
        spec: Some(IngressSpec {
            ingress_class_name: class,
            rules: Some(
                hosts
                    .iter()
                    .map(|h| IngressRule {
                        host: Some(h.clone()),
                        http: Some(HTTPIngressRuleValue { paths: vec![path.clone()] }),
                    })
                    .collect(),
            ),
            // One certificate per service: a canary Ingress reuses the service's secret.
            tls: tls.then(|| {
                vec![IngressTLS {
                    hosts: Some(hosts.clone()),
                    secret_name: Some(format!("{}-tls", labels[super::NAME])),
                }]
            }),
            ..IngressSpec::default()
        }),
        ..Ingress::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_override_keeps_registry_port() {
        let mut s: Service =
            crate::yaml::de::from_node(&crate::yaml::parse("image: reg:5000/a/b:1\n", 0).unwrap()).unwrap();
        s.tag = Some("2".into());
        assert_eq!(s.image_ref(), "reg:5000/a/b:2");
        s.image = "reg:5000/a/b".into();
        assert_eq!(s.image_ref(), "reg:5000/a/b:2");
        assert_eq!(crate::spec::image_tag("reg:5000/a/b:3@sha256:x"), Some("3"));
        assert_eq!(crate::spec::image_tag("reg:5000/a/b"), None);
        assert_eq!(crate::spec::image_tag("postgres@sha256:abc"), None);
    }
}
