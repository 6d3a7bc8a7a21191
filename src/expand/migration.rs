//! A service's migration: a container run before the app, either as a Job of its own
//! (the default) that the app's pods wait for, or, with `job: false`, as an init container
//! of its pods.
//!
//! The Job runs one pod at a time (one completion, parallelism 1, a replacement only once a
//! failed pod has terminated) and its name hashes its whole spec, so each version of the
//! migration runs once. The app's pods carry a [`gate`] init container that waits until the
//! Job of their own version has completed: with `kubectl apply -k`, Argo CD or Flux alike,
//! no pod of a new version starts before its migration has finished, while the old pods
//! keep serving. Under Argo CD ([`sync_order`]) the service's Deployments also wait, in a
//! later sync wave, for the Job to complete.

use super::pod::{self, Pod, RunAs};
use super::{Ctx, Object, hashed_name};
use crate::spec::{Map, Migrate, Service};
use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::{
    ConfigMapProjection, Container, DownwardAPIProjection, DownwardAPIVolumeFile, EnvVar, KeyToPath,
    ObjectFieldSelector, ProjectedVolumeSource, ServiceAccountTokenProjection, Volume, VolumeMount, VolumeProjection,
};
use std::collections::BTreeMap;

/// Name of the migration Job's pods (and NetworkPolicy) of a service.
pub fn migrate_name(name: &str) -> String {
    format!("{name}-migrate")
}

/// The migration container: the app's image (unless `migrate` names one), environment
/// (with the migration's own `env` over it), resources and mounts, running the migration command.
pub fn container(ctx: &Ctx, m: &Migrate, app: &Container) -> Container {
    Container {
        command: m.command.clone(),
        env: super::non_empty(layered_env(app.env.as_deref().unwrap_or_default(), pod::env(ctx, &m.env))),
        env_from: app.env_from.clone(),
        resources: app.resources.clone(),
        volume_mounts: app.volume_mounts.clone(),
        ..pod::container("migrate", m.image.clone().or_else(|| app.image.clone()).unwrap_or_default())
    }
}

/// The app's variables in the app's order (a `$(VAR)` reference expands only to a variable
/// listed before it, and wiring placed them so), each the migration sets replaced where it
/// stands, then the migration's other variables.
fn layered_env(app: &[EnvVar], own: Vec<EnvVar>) -> Vec<EnvVar> {
    let mut env: Vec<EnvVar> = app.to_vec();
    for var in own {
        match env.iter_mut().find(|e| e.name == var.name) {
            Some(slot) => *slot = var,
            None => env.push(var),
        }
    }
    env
}

/// Retries of a migration that sets no `backoff_limit`.
pub const DEFAULT_BACKOFF: i32 = 4;

/// A Job that runs the migration once per image and command (Jobs are immutable, so a
/// change gives a new name), after waiting for the databases like the app does.
pub fn job(
    ctx: &Ctx,
    name: &str,
    svc: &Service,
    run_as: RunAs,
    migrate: Container,
    waits: &[Container],
    volumes: &[Volume],
) -> Object {
    let job = migrate_name(name);
    let labels = ctx.labels(&job, "migration");
    // The migration reports to Datadog as its service, at the version it migrates to.
    let mut pod_labels = labels.clone();
    let image = migrate.image.clone().unwrap_or_default();
    pod_labels.extend(crate::wiring::datadog_labels(&ctx.v.spec, &ctx.v.env, name, svc, &image));
    let pod = Pod {
        labels: pod_labels,
        run_as,
        restart: Some("Never"),
        init: waits.to_vec(),
        containers: vec![migrate],
        volumes: volumes.to_vec(),
        node_selector: svc.node_selector.clone(),
        image_pull_secrets: ctx.pull_secrets(&svc.image_pull_secrets),
        ..Pod::default()
    };
    let spec = JobSpec {
        backoff_limit: Some(svc.migrate.as_ref().and_then(|m| m.backoff_limit).unwrap_or(DEFAULT_BACKOFF)),
        completions: Some(1),
        parallelism: Some(1),
        pod_replacement_policy: Some("Failed".into()),
        template: pod::template(pod),
        ..JobSpec::default()
    };
    Object::new(Job {
        metadata: ctx.meta(job_name(&job, &spec), labels, &Map::new()),
        spec: Some(spec),
        ..Job::default()
    })
}

/// Argo CD's sync wave annotation: lower waves are applied first, and a wave is applied only
/// once every resource of the waves before it is synced and healthy.
pub const SYNC_WAVE: &str = "argocd.argoproj.io/sync-wave";

/// Annotations of the objects of service `svc` whose health needs its new pods (its
/// Deployments, autoscalers and PodDisruptionBudget): under Argo CD, sync wave 1 when the
/// service has a migration Job, so Argo CD applies them only once the Job (wave 0) is
/// healthy, i.e. complete. Nothing for other tools (their objects are the same).
pub fn sync_order(ctx: &Ctx, svc: &Service) -> Map {
    let migrates = svc.migrate.as_deref().is_some_and(Migrate::as_job);
    if migrates && ctx.v.spec.deploy_tool.as_deref() == Some("argocd") {
        Map::from([(SYNC_WAVE.to_string(), "1".to_string())])
    } else {
        Map::new()
    }
}

/// Image of the gate: the Kubernetes project's kubectl (entrypoint `kubectl`, no shell).
pub const GATE_IMAGE: &str = "registry.k8s.io/kubectl:v1.35.0";
const TOKEN_VOLUME: &str = "migration-gate-token";
const TOKEN_PATH: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// Name of the Role and RoleBinding that let a service's pods read their migration Job.
pub fn gate_name(name: &str) -> String {
    format!("{name}-migration-gate")
}

/// Init container of the app's pods: waits until Job `job` has completed. It fails after
/// 10 minutes and the kubelet starts it again, so a failed or slow migration holds the
/// rollout (the old pods keep serving) until the Job completes.
pub fn gate(job: &str) -> Container {
    Container {
        args: Some(
            ["wait", "--for=condition=complete", &format!("job/{job}"), "--timeout=10m"].map(String::from).to_vec(),
        ),
        env: Some(vec![EnvVar { name: "HOME".into(), value: Some("/tmp".into()), ..EnvVar::default() }]),
        resources: Some(pod::resources(None, &pod::helper_resources(), None)),
        volume_mounts: Some(vec![
            VolumeMount { name: "tmp".into(), mount_path: "/tmp".into(), ..VolumeMount::default() },
            VolumeMount {
                name: TOKEN_VOLUME.into(),
                mount_path: TOKEN_PATH.into(),
                read_only: Some(true),
                ..VolumeMount::default()
            },
        ]),
        ..pod::container("wait-for-migration", GATE_IMAGE)
    }
}

/// The API token, CA and namespace for the gate only: the pod itself mounts no token, so
/// the app container never holds one.
pub fn gate_token_volume() -> Volume {
    let file = |path: &str, field: &str| DownwardAPIVolumeFile {
        path: path.into(),
        field_ref: Some(ObjectFieldSelector { field_path: field.into(), ..ObjectFieldSelector::default() }),
        ..DownwardAPIVolumeFile::default()
    };
    Volume {
        name: TOKEN_VOLUME.into(),
        projected: Some(ProjectedVolumeSource {
            sources: Some(vec![
                VolumeProjection {
                    service_account_token: Some(ServiceAccountTokenProjection {
                        path: "token".into(),
                        expiration_seconds: Some(3607),
                        ..ServiceAccountTokenProjection::default()
                    }),
                    ..VolumeProjection::default()
                },
                VolumeProjection {
                    config_map: Some(ConfigMapProjection {
                        name: "kube-root-ca.crt".into(),
                        items: Some(vec![KeyToPath { key: "ca.crt".into(), path: "ca.crt".into(), mode: None }]),
                        ..ConfigMapProjection::default()
                    }),
                    ..VolumeProjection::default()
                },
                VolumeProjection {
                    downward_api: Some(DownwardAPIProjection {
                        items: Some(vec![file("namespace", "metadata.namespace")]),
                    }),
                    ..VolumeProjection::default()
                },
            ]),
            ..ProjectedVolumeSource::default()
        }),
        ..Volume::default()
    }
}

/// `<base>-<hash of the whole Job spec>`, within the 63 characters of a label value. A
/// Job's pod template cannot change in place, so every edit of it (image, command,
/// environment, mounts, resources, waits) must give a new name, never a changed Job under
/// an old one: the hash covers the serialized spec, not a chosen few fields.
pub fn job_name(job: &str, spec: &JobSpec) -> String {
    let serialized = serde_json::to_string(spec).expect("k8s-openapi types serialize to JSON");
    let full = hashed_name(job, &BTreeMap::from([(String::new(), serialized)]));
    let hash = &full[full.len() - 10..];
    let base: String = job.chars().take(52).collect();
    format!("{base}-{hash}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::api::core::v1::EnvVar;

    fn spec(image: &str, command: &[&str], env: &[(&str, &str)]) -> JobSpec {
        let c = Container {
            command: Some(command.iter().map(|s| s.to_string()).collect()),
            env: Some(
                env.iter()
                    .map(|(k, v)| EnvVar { name: (*k).into(), value: Some((*v).into()), ..EnvVar::default() })
                    .collect(),
            ),
            ..pod::container("migrate", image)
        };
        JobSpec { template: pod::template(Pod { containers: vec![c], ..Pod::default() }), ..JobSpec::default() }
    }

    #[test]
    fn job_name_changes_with_anything_in_the_spec() {
        let a = job_name("api-migrate", &spec("x/api:1", &["migrate", "up"], &[]));
        assert_eq!(a, job_name("api-migrate", &spec("x/api:1", &["migrate", "up"], &[])));
        assert_ne!(a, job_name("api-migrate", &spec("x/api:2", &["migrate", "up"], &[])));
        assert_ne!(a, job_name("api-migrate", &spec("x/api:1", &["migrate", "down"], &[])));
        // An environment edit changes the pod template, which a Job cannot take in place.
        assert_ne!(a, job_name("api-migrate", &spec("x/api:1", &["migrate", "up"], &[("LOG", "debug")])));
        let mut limited = spec("x/api:1", &["migrate", "up"], &[]);
        limited.backoff_limit = Some(1);
        assert_ne!(a, job_name("api-migrate", &limited));
        assert_ne!(job_name("j", &spec("i", &["a b"], &[])), job_name("j", &spec("i", &["a", "b"], &[])));
        assert!(a.starts_with("api-migrate-") && a.len() == "api-migrate-".len() + 10, "{a}");
    }

    #[test]
    fn job_name_fits_a_label_value() {
        let long = "s".repeat(70);
        let name = job_name(&migrate_name(&long), &spec("i", &["m"], &[]));
        assert_eq!(name.len(), 63, "{name}");
    }
}
