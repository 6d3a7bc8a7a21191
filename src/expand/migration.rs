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
        image_pull_secrets: ctx.pull_secrets(&svc.image_pull_secrets),
        ..Pod::default()
    };
    Object::new(Job {
        metadata: ctx.meta(job_name(&job, &pod.containers), labels, &Map::new()),
        spec: Some(JobSpec { backoff_limit: Some(4), template: pod::template(pod), ..JobSpec::default() }),
        ..Job::default()
    })
}

/// `<base>-<hash of the images and commands>`, within the 63 characters of a label value.
fn job_name(job: &str, containers: &[Container]) -> String {
    let fingerprint: BTreeMap<String, String> = containers
        .iter()
        .map(|c| (c.image.clone().unwrap_or_default(), c.command.clone().unwrap_or_default().join("\u{1f}")))
        .collect();
    let full = hashed_name(job, &fingerprint);
    let hash = &full[full.len() - 10..];
    let base: String = job.chars().take(52).collect();
    format!("{base}-{hash}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn migrate(image: &str, command: &[&str]) -> Vec<Container> {
        let c = Container {
            command: Some(command.iter().map(|s| s.to_string()).collect()),
            ..pod::container("migrate", image)
        };
        vec![c]
    }

    #[test]
    fn job_name_changes_with_image_or_command_only() {
        let a = job_name("api-migrate", &migrate("x/api:1", &["migrate", "up"]));
        assert_eq!(a, job_name("api-migrate", &migrate("x/api:1", &["migrate", "up"])));
        assert_ne!(a, job_name("api-migrate", &migrate("x/api:2", &["migrate", "up"])));
        assert_ne!(a, job_name("api-migrate", &migrate("x/api:1", &["migrate", "down"])));
        // The separator keeps ["a b"] and ["a", "b"] apart.
        assert_ne!(job_name("j", &migrate("i", &["a b"])), job_name("j", &migrate("i", &["a", "b"])));
        assert!(a.starts_with("api-migrate-") && a.len() == "api-migrate-".len() + 10, "{a}");
    }

    #[test]
    fn job_name_fits_a_label_value() {
        let long = "s".repeat(70);
        let name = job_name(&migrate_name(&long), &migrate("i", &["m"]));
        assert_eq!(name.len(), 63, "{name}");
    }
}
