//! A service: its pod (app container, waits for databases, migration), then one builder
//! per object it becomes, in the order of the README's table "What each part becomes".

use super::pod::{self, Pod, RunAs};
use super::{Ctx, Sink, budget, claim, config_map, deployment, ingress, migration, monitoring, mounts, non_empty};
use super::{daemon_set, rollout, route, service_account, service_object, sidecar, workload_job};
use crate::spec::{Kind, Map, Protocol, Service};
use k8s_openapi::api::core::v1::{
    ConfigMapEnvSource, Container, ContainerPort, EnvFromSource, ExecAction, Lifecycle, LifecycleHandler,
    PersistentVolumeClaimVolumeSource, SecretEnvSource, SleepAction, Volume, VolumeMount,
};

/// Default non-root identity for application pods that set none.
pub const DEFAULT_UID: i64 = 10001;

/// The port Prometheus scrapes: `metrics.port` or the first port.
pub fn metrics_port<'a>(svc: &'a Service, m: &'a crate::spec::Metrics) -> &'a str {
    m.port.as_deref().or_else(|| svc.ports.keys().next().map(String::as_str)).expect("validated: metrics need a port")
}

/// Every object of service `name`: the files ConfigMap and claims (with the pod's volumes),
/// the migration Job, ServiceAccount and API access, Deployments with their autoscalers,
/// Services, PodDisruptionBudget, Ingresses or route and ServiceMonitor. (Its NetworkPolicy is
/// [`super::network`]'s, which sees every workload at once.)
pub fn expand(ctx: &Ctx, name: &str, svc: &Service, out: &mut dyn Sink) {
    let labels = ctx.labels(name, svc.component.as_deref().unwrap_or("service"));
    let (mut volumes, mounts) = volumes(ctx, name, svc, &labels, out);
    let (sidecars, sidecar_volumes) = sidecar::containers(ctx, svc, &mounts);
    volumes.extend(sidecar_volumes);
    let app = app_container(ctx, name, svc, mounts);
    let (init, gate) = init_containers(ctx, name, svc, &app, sidecars, &volumes, out);
    if gate.is_some() {
        volumes.push(migration::gate_token_volume());
    }
    let identity = service_account::expand(ctx, name, svc, &labels, gate.as_deref(), out);
    let pod = Pod {
        run_as: run_as(svc),
        service_account: identity.name,
        token: identity.token,
        init,
        containers: vec![app],
        volumes,
        node_selector: svc.node_selector.clone(),
        tolerations: pod::tolerations(&svc.tolerations, svc.gpu.is_some_and(|g| g > 0)),
        grace_seconds: svc.shutdown.as_ref().and_then(|s| s.grace),
        spread_keys: svc.spread.as_ref().map(crate::spec::Spread::keys).unwrap_or_default(),
        affinity: pod::affinity(ctx, svc.affinity.as_ref()),
        image_pull_secrets: ctx.pull_secrets(&svc.image_pull_secrets),
        ..Pod::default()
    };
    match svc.kind {
        Kind::Deployment => serving(ctx, name, svc, &labels, &pod, out),
        Kind::DaemonSet => {
            out.push(daemon_set::daemon_set(ctx, name, svc, &labels, pod));
            services(ctx, name, svc, &labels, out);
            metrics(ctx, name, svc, &labels, out);
        }
        Kind::Job => out.push(workload_job::job(ctx, name, svc, &labels, pod)),
        Kind::CronJob => out.push(workload_job::cron_job(ctx, name, svc, &labels, pod)),
    }
}

/// A Deployment's objects: Deployments, Services, PodDisruptionBudget, Ingresses or
/// route, and ServiceMonitor.
fn serving(ctx: &Ctx, name: &str, svc: &Service, labels: &Map, pod: &Pod, out: &mut dyn Sink) {
    deployment::expand(ctx, name, svc, labels, pod, out);
    services(ctx, name, svc, labels, out);
    let order = migration::sync_order(ctx, svc);
    if let Some(pdb) =
        budget::disruption_budget(ctx, name, labels, svc.pdb.as_ref(), deployment::min_replicas(svc), &order)
    {
        out.push(pdb);
    }
    ingress::expand(ctx, name, svc, labels, out);
    route::expand(ctx, name, svc, labels, out);
    metrics(ctx, name, svc, labels, out);
}

fn metrics(ctx: &Ctx, name: &str, svc: &Service, labels: &Map, out: &mut dyn Sink) {
    if let Some(m) = &svc.metrics {
        out.push(monitoring::service_monitor(ctx, name, labels, metrics_port(svc, m), m));
    }
}

fn run_as(svc: &Service) -> RunAs {
    let user = svc.run_as_user.unwrap_or(DEFAULT_UID);
    let group = svc.run_as_group.unwrap_or(user);
    RunAs { user, group, fs_group: svc.fs_group.unwrap_or(group) }
}

/// The pod's volumes and the app's mounts: emptyDirs for writable paths, the `files`
/// ConfigMap, `mounts` of configs and secrets, and a PersistentVolumeClaim per volume.
fn volumes(ctx: &Ctx, name: &str, svc: &Service, labels: &Map, out: &mut dyn Sink) -> (Vec<Volume>, Vec<VolumeMount>) {
    let (mut volumes, mut mounts) = pod::writable_dirs(&svc.writable);
    let (fv, fm) = config_map::files(ctx, name, &svc.files, labels, out);
    volumes.extend(fv);
    mounts.extend(fm);
    let (mv, mm) = mounts::sources(ctx, "mount", &svc.mounts);
    volumes.extend(mv);
    mounts.extend(mm);
    for (vname, vol) in &svc.volumes {
        let claim = format!("{name}-{vname}");
        let metadata = ctx.meta(claim.clone(), labels.clone(), &Map::new());
        out.push(super::Object::new(claim::claim(metadata, &vol.size, vol.class.clone(), vol.access.as_deref())));
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
    (volumes, mounts)
}

/// The app's container: image, command, ports, environment, resources, probes, mounts.
fn app_container(ctx: &Ctx, name: &str, svc: &Service, mounts: Vec<VolumeMount>) -> Container {
    let first_port = svc.ports.keys().next().map(String::as_str);
    let (liveness, readiness) = default_probes(svc);
    Container {
        command: svc.command.clone(),
        args: svc.args.clone(),
        ports: non_empty(container_ports(svc)),
        env: non_empty(pod::env_list(
            ctx,
            crate::wiring::service_env(&ctx.v.spec, &ctx.v.engines, &ctx.v.env, name, svc).iter().map(|(k, v)| (k, v)),
        )),
        env_from: non_empty(env_from(ctx, svc)),
        resources: Some(pod::resources(svc.resources.as_ref(), &pod::default_resources(), svc.gpu)),
        liveness_probe: liveness.as_ref().map(|p| pod::probe(p, first_port)),
        readiness_probe: readiness.as_ref().map(|p| pod::probe(p, first_port)),
        startup_probe: svc.probes.startup.as_ref().map(|p| pod::probe(p, first_port)),
        volume_mounts: non_empty(mounts),
        lifecycle: svc.shutdown.as_deref().and_then(pre_stop),
        ..pod::container(name, svc.image_ref())
    }
}

/// The app's preStop hook: the spec's command, or a sleep.
fn pre_stop(s: &crate::spec::Shutdown) -> Option<Lifecycle> {
    let handler = match (&s.pre_stop, s.sleep) {
        (Some(cmd), _) => {
            LifecycleHandler { exec: Some(ExecAction { command: Some(cmd.clone()) }), ..Default::default() }
        }
        (None, Some(seconds)) => LifecycleHandler { sleep: Some(SleepAction { seconds }), ..Default::default() },
        (None, None) => return None,
    };
    Some(Lifecycle { pre_stop: Some(handler), ..Lifecycle::default() })
}

fn container_ports(svc: &Service) -> Vec<ContainerPort> {
    svc.ports
        .iter()
        .map(|(pname, p)| ContainerPort {
            name: Some(pname.clone()),
            container_port: i32::from(p.container),
            protocol: Some(format!("{:?}", p.protocol.unwrap_or(Protocol::TCP))),
            ..ContainerPort::default()
        })
        .collect()
}

fn env_from(ctx: &Ctx, svc: &Service) -> Vec<EnvFromSource> {
    svc.env_from
        .iter()
        .map(|s| EnvFromSource {
            config_map_ref: s
                .config
                .as_ref()
                .map(|c| ConfigMapEnvSource { name: ctx.config_names[c].clone(), optional: None }),
            secret_ref: s.secret.as_ref().map(|n| SecretEnvSource { name: n.clone(), optional: None }),
            prefix: None,
        })
        .collect()
}

/// Liveness and readiness probes: the spec's, or, for a service that serves traffic and
/// declares neither, TCP probes on its first TCP port (a socket probe cannot check UDP).
fn default_probes(svc: &Service) -> (Option<crate::spec::Probe>, Option<crate::spec::Probe>) {
    let first_tcp =
        svc.ports.iter().find(|(_, p)| p.protocol.is_none_or(|pr| pr == Protocol::TCP)).map(|(n, _)| n.as_str());
    match (&svc.probes.liveness, &svc.probes.readiness, first_tcp) {
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
    }
}

/// The pod's init containers: the native sidecars, waits for databases, then the
/// migration, or, when it runs as a Job of its own (pushed to `out`, with the sidecars and
/// waits the app has), a gate that waits until that Job has completed. Returns them and
/// the gating Job's name.
fn init_containers(
    ctx: &Ctx,
    name: &str,
    svc: &Service,
    app: &Container,
    sidecars: Vec<Container>,
    volumes: &[Volume],
    out: &mut dyn Sink,
) -> (Vec<Container>, Option<String>) {
    let mut init = sidecars;
    init.extend(waits(ctx, svc));
    match &svc.migrate {
        Some(m) if m.as_job() => {
            let migrate = migration::container(ctx, m, app);
            let job = migration::job(ctx, name, svc, run_as(svc), migrate, &init, volumes);
            let job_name = job.name.clone();
            out.push(job);
            init.push(migration::gate(&job_name));
            return (init, Some(job_name));
        }
        Some(m) => init.push(migration::container(ctx, m, app)),
        None => {}
    }
    (init, None)
}

/// Init containers that wait for each in-cluster database the service uses, by name
/// (`uses` is a set: its order in the spec does not reach the output).
fn waits(ctx: &Ctx, svc: &Service) -> Vec<Container> {
    let mut waits: Vec<&String> =
        svc.uses.iter().filter(|u| ctx.v.spec.databases.get(*u).is_some_and(|d| d.external.is_none())).collect();
    waits.sort();
    waits.into_iter().map(|db| pod::wait_for(ctx, db)).collect()
}

/// `Service <svc>` when the service has ports (selecting the live track), and the
/// rollout's second Service (`<svc>-preview` or `<svc>-canary`).
fn services(ctx: &Ctx, name: &str, svc: &Service, labels: &Map, out: &mut dyn Sink) {
    if svc.ports.is_empty() {
        return;
    }
    let ports = || {
        svc.ports
            .iter()
            .map(|(pname, p)| {
                let protocol = format!("{:?}", p.protocol.unwrap_or(Protocol::TCP));
                service_object::port(pname, p.service.unwrap_or(p.container), protocol)
            })
            .collect()
    };
    let selecting = |track: Option<&str>| {
        let mut selector = ctx.selector(name);
        if let Some(t) = track {
            selector.insert(rollout::TRACK.into(), t.into());
        }
        selector
    };
    let main = super::service_name(name, svc);
    out.push(service_object::cluster_ip(ctx, main, labels, selecting(rollout::live(svc)), ports()));
    if let Some((second, track)) = rollout::second_service(name, svc) {
        out.push(service_object::cluster_ip(ctx, &second, labels, selecting(Some(track)), ports()));
    }
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
