//! A database: a StatefulSet with a headless and a client Service and a volume
//! claim template, or, for an external database, an ExternalName Service.

use super::pod::{self, container_security, pod_security};
use super::service::{claim_of, disruption_budget};
use super::{Ctx, Object, Sink, non_empty, non_empty_map};
use crate::spec::{Database, Map};
use k8s_openapi::api::apps::v1::{StatefulSet, StatefulSetSpec};
use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{
    Container, ContainerPort, PodSpec, PodTemplateSpec, Service, ServicePort, ServiceSpec, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use std::collections::BTreeMap;

pub fn expand(ctx: &Ctx, name: &str, db: &Database, out: &mut dyn Sink) {
    let engine = &ctx.v.engines[name];
    let labels = ctx.labels(name, "database");
    let selector = ctx.selector(name);
    let mut ports: Vec<(String, u16)> = vec![(engine.port.name.clone(), engine.port.number)];
    ports.extend(engine.extra_ports.iter().map(|(n, p)| (n.clone(), *p)));

    if let Some(ext) = &db.external {
        if ext.host.parse::<std::net::IpAddr>().is_err() {
            out.push(Object::new(Service {
                metadata: ctx.meta(name, labels, &Map::new()),
                spec: Some(ServiceSpec {
                    type_: Some("ExternalName".into()),
                    external_name: Some(ext.host.clone()),
                    ..ServiceSpec::default()
                }),
                ..Service::default()
            }));
        }
        return;
    }

    let service_ports: Vec<ServicePort> = ports
        .iter()
        .map(|(n, p)| ServicePort {
            name: Some(n.clone()),
            port: i32::from(*p),
            target_port: Some(IntOrString::String(n.clone())),
            protocol: Some("TCP".into()),
            ..ServicePort::default()
        })
        .collect();
    let headless = format!("{name}-headless");
    out.push(Object::new(Service {
        metadata: ctx.meta(headless.clone(), labels.clone(), &Map::new()),
        spec: Some(ServiceSpec {
            cluster_ip: Some("None".into()),
            publish_not_ready_addresses: Some(true),
            selector: Some(selector.clone()),
            ports: Some(service_ports.clone()),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }));
    out.push(Object::new(Service {
        metadata: ctx.meta(name, labels.clone(), &Map::new()),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".into()),
            selector: Some(selector.clone()),
            ports: Some(service_ports),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }));

    let mut env = engine.env.clone();
    for (k, v) in &db.env {
        env.insert(
            k.clone(),
            crate::spec::Short(crate::spec::EnvValue { value: Some(v.clone()), ..Default::default() }),
        );
    }
    let (mut volumes, mut mounts) = pod::writable_dirs(&engine.writable);
    mounts.push(VolumeMount { name: "data".into(), mount_path: engine.data_path.clone(), ..VolumeMount::default() });
    volumes.sort_by(|a, b| a.name.cmp(&b.name));
    let first_port = Some(engine.port.name.as_str());
    let mut image = db.image.clone().unwrap_or_else(|| engine.image.clone());
    if image.is_empty() {
        image.clone_from(&engine.image);
    }
    let replicas = db.replicas.unwrap_or(1);
    let container = Container {
        name: db.engine.clone(),
        image: Some(image.clone()),
        image_pull_policy: Some("IfNotPresent".into()),
        command: engine.command.clone(),
        args: non_empty(db.args.clone()),
        ports: Some(
            ports
                .iter()
                .map(|(n, p)| ContainerPort {
                    name: Some(n.clone()),
                    container_port: i32::from(*p),
                    protocol: Some("TCP".into()),
                    ..ContainerPort::default()
                })
                .collect(),
        ),
        env: non_empty(pod::env(ctx, &env)),
        resources: Some(pod::resources(db.resources.as_ref(), &engine.resources, None)),
        liveness_probe: engine.probes.liveness.as_ref().map(|p| pod::probe(p, first_port)),
        readiness_probe: engine.probes.readiness.as_ref().map(|p| pod::probe(p, first_port)),
        startup_probe: engine.probes.startup.as_ref().map(|p| pod::probe(p, first_port)),
        security_context: Some(container_security()),
        volume_mounts: Some(mounts),
        ..Container::default()
    };
    let storage = db.storage.as_ref();
    let uid = engine.run_as_user;
    out.push(Object::new(StatefulSet {
        metadata: ctx.meta(name, labels.clone(), &Map::new()),
        spec: Some(StatefulSetSpec {
            service_name: Some(headless),
            replicas: Some(replicas),
            revision_history_limit: Some(5),
            selector: LabelSelector { match_labels: Some(selector.clone()), ..LabelSelector::default() },
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta { labels: Some(labels.clone()), ..ObjectMeta::default() }),
                spec: Some(PodSpec {
                    automount_service_account_token: Some(false),
                    security_context: Some(pod_security(uid, uid, engine.fs_group.unwrap_or(uid))),
                    containers: vec![container],
                    volumes: non_empty(volumes),
                    node_selector: non_empty_map(db.node_selector.clone()),
                    tolerations: pod::tolerations(&db.tolerations, false),
                    termination_grace_period_seconds: Some(60),
                    ..PodSpec::default()
                }),
            },
            volume_claim_templates: Some(vec![claim_of(
                ObjectMeta { name: Some("data".into()), labels: Some(selector.clone()), ..ObjectMeta::default() },
                storage.map_or(&engine.storage, |s| &s.size),
                storage.and_then(|s| s.class.clone()),
                None,
            )]),
            ..StatefulSetSpec::default()
        }),
        ..StatefulSet::default()
    }));
    if let Some(pdb) = disruption_budget(ctx, name, &labels, db.pdb.as_ref(), replicas) {
        out.push(pdb);
    }
    if let Some(b) = &db.backup {
        backup(ctx, name, db, b, &image, &env, out);
    }
}

/// Name of the backup workload of a database (its CronJob, PVC and pods).
pub fn backup_name(db: &str) -> String {
    format!("{db}-backup")
}

/// A CronJob that dumps the database with the engine's tool into its own volume,
/// keeping the newest `keep` dumps.
fn backup(
    ctx: &Ctx,
    name: &str,
    db: &Database,
    b: &crate::spec::Backup,
    image: &str,
    env: &BTreeMap<String, crate::spec::Short<crate::spec::EnvValue>>,
    out: &mut dyn Sink,
) {
    let engine = &ctx.v.engines[name];
    let job = backup_name(name);
    let labels = ctx.labels(&job, "backup");
    let size = b
        .size
        .clone()
        .or_else(|| db.storage.as_ref().map(|s| s.size.clone()))
        .unwrap_or_else(|| engine.storage.clone());
    out.push(Object::new(claim_of(
        ctx.meta(job.clone(), labels.clone(), &Map::new()),
        &size,
        b.class.clone().or_else(|| db.storage.as_ref().and_then(|s| s.class.clone())),
        None,
    )));
    let keep = b.keep.unwrap_or(7);
    let script = format!(
        "set -eu\nBACKUP_FILE=/backups/{name}-$(date -u +%Y%m%dT%H%M%SZ)\nexport BACKUP_FILE\n{}\nls -1t /backups/{name}-* | tail -n +{} | xargs -r rm -f --\n",
        engine.backup.as_deref().expect("validated: backups need an engine backup command"),
        keep + 1
    );
    let (mut volumes, mut mounts) = pod::writable_dirs(&[]);
    volumes.push(k8s_openapi::api::core::v1::Volume {
        name: "backups".into(),
        persistent_volume_claim: Some(k8s_openapi::api::core::v1::PersistentVolumeClaimVolumeSource {
            claim_name: job.clone(),
            read_only: None,
        }),
        ..Default::default()
    });
    mounts.push(VolumeMount { name: "backups".into(), mount_path: "/backups".into(), ..VolumeMount::default() });
    let uid = engine.run_as_user;
    out.push(Object::new(CronJob {
        metadata: ctx.meta(job.clone(), labels.clone(), &Map::new()),
        spec: Some(CronJobSpec {
            schedule: b.schedule.clone(),
            concurrency_policy: Some("Forbid".into()),
            successful_jobs_history_limit: Some(3),
            failed_jobs_history_limit: Some(3),
            job_template: JobTemplateSpec {
                metadata: None,
                spec: Some(JobSpec {
                    backoff_limit: Some(2),
                    template: PodTemplateSpec {
                        metadata: Some(ObjectMeta { labels: Some(labels), ..ObjectMeta::default() }),
                        spec: Some(PodSpec {
                            restart_policy: Some("OnFailure".into()),
                            automount_service_account_token: Some(false),
                            security_context: Some(pod_security(uid, uid, engine.fs_group.unwrap_or(uid))),
                            containers: vec![Container {
                                name: "backup".into(),
                                image: Some(image.to_string()),
                                image_pull_policy: Some("IfNotPresent".into()),
                                command: Some(vec!["/bin/sh".into(), "-c".into(), script]),
                                env: non_empty(pod::env(ctx, env)),
                                resources: Some(pod::resources(None, &engine.resources, None)),
                                security_context: Some(container_security()),
                                volume_mounts: Some(mounts),
                                ..Container::default()
                            }],
                            volumes: Some(volumes),
                            ..PodSpec::default()
                        }),
                    },
                    ..JobSpec::default()
                }),
            },
            ..CronJobSpec::default()
        }),
        ..CronJob::default()
    }));
}
