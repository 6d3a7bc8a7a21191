//! A service's migration: a container run before the app, either as an init container of
//! its pods or, with `migrate.job`, as a Job of its own.

use super::pod::{self, Pod, RunAs};
use super::{Ctx, Object, hashed_name};
use crate::spec::{Map, Migrate, Service};
use k8s_openapi::api::batch::v1::{Job, JobSpec};
use k8s_openapi::api::core::v1::{Container, Volume};
use std::collections::BTreeMap;

/// Name of the migration Job's pods (and NetworkPolicy) of a service.
pub fn migrate_name(name: &str) -> String {
    format!("{name}-migrate")
}

/// The migration container: the app's image (unless `migrate` names one), environment,
/// resources and mounts, running the migration command.
pub fn container(m: &Migrate, app: &Container) -> Container {
    Container {
        command: m.command.clone(),
        env: app.env.clone(),
        env_from: app.env_from.clone(),
        resources: app.resources.clone(),
        volume_mounts: app.volume_mounts.clone(),
        ..pod::container("migrate", m.image.clone().or_else(|| app.image.clone()).unwrap_or_default())
    }
}

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
    let pod = Pod {
        labels: labels.clone(),
        run_as,
        restart: Some("Never"),
        init: waits.to_vec(),
        containers: vec![migrate],
        volumes: volumes.to_vec(),
        node_selector: svc.node_selector.clone(),
        ..Pod::default()
    };
    let spec = JobSpec { backoff_limit: Some(4), template: pod::template(pod), ..JobSpec::default() };
    Object::new(Job {
        metadata: ctx.meta(job_name(&job, &spec), labels, &Map::new()),
        spec: Some(spec),
        ..Job::default()
    })
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
