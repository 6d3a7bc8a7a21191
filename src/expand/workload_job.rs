//! A service of kind `job` or `cron_job`: a Job named `<svc>-<hash of its spec>` (a Job's
//! pod template cannot change in place, so each version of the spec is a new Job that runs
//! once), or a CronJob `<svc>` running that Job on its schedule.

use super::pod::{self, Pod};
use super::{Ctx, Object, VERSION, migration};
use crate::spec::{JobSettings, Map, Service};
use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, Job, JobSpec, JobTemplateSpec};

/// Retries of a user Job that sets no `backoff_limit`.
pub const DEFAULT_BACKOFF: i32 = 3;

/// The service's pod with its own labels and annotations: `pod_labels`, the service's
/// labels and the image's version.
pub fn own_pod(svc: &Service, labels: &Map, mut pod: Pod) -> Pod {
    pod.labels = svc.pod_labels.clone();
    pod.labels.extend(labels.clone());
    if let Some(tag) = crate::spec::image_tag(&svc.image_ref()).filter(|t| t.len() <= 63) {
        pod.labels.insert(VERSION.into(), tag.to_string());
    }
    pod.annotations = svc.pod_annotations.clone();
    pod
}

/// The Job's spec: one pod at a time, restarted as `restart` says, within the limits.
fn job_spec(svc: &Service, labels: &Map, mut pod: Pod) -> JobSpec {
    let settings = svc.job.clone().unwrap_or_default();
    let restart = restart(&settings);
    pod.restart = Some(restart);
    JobSpec {
        backoff_limit: Some(settings.backoff_limit.unwrap_or(DEFAULT_BACKOFF)),
        active_deadline_seconds: settings.active_deadline,
        ttl_seconds_after_finished: settings.ttl_after_finished,
        completions: Some(1),
        parallelism: Some(1),
        // A replacement starts only once the failed pod has terminated (never two at once).
        pod_replacement_policy: (restart == "Never").then(|| "Failed".into()),
        template: pod::template(own_pod(svc, labels, pod)),
        ..JobSpec::default()
    }
}

fn restart(s: &JobSettings) -> &'static str {
    match s.restart.as_deref() {
        Some("OnFailure") => "OnFailure",
        _ => "Never",
    }
}

/// `Job <svc>-<hash>` of a service of kind `job`.
pub fn job(ctx: &Ctx, name: &str, svc: &Service, labels: &Map, pod: Pod) -> Object {
    let spec = job_spec(svc, labels, pod);
    Object::new(Job {
        metadata: ctx.meta(migration::job_name(name, &spec), labels.clone(), &svc.annotations),
        spec: Some(spec),
        ..Job::default()
    })
}

/// `CronJob <svc>` of a service of kind `cron_job` (one run at a time unless told otherwise).
pub fn cron_job(ctx: &Ctx, name: &str, svc: &Service, labels: &Map, pod: Pod) -> Object {
    let settings = svc.job.clone().unwrap_or_default();
    Object::new(CronJob {
        metadata: ctx.meta(name, labels.clone(), &svc.annotations),
        spec: Some(CronJobSpec {
            schedule: settings.schedule.clone().expect("validated: a cron_job has a schedule"),
            time_zone: settings.time_zone.clone(),
            concurrency_policy: Some(settings.concurrency.clone().unwrap_or_else(|| "Forbid".into())),
            successful_jobs_history_limit: Some(3),
            failed_jobs_history_limit: Some(3),
            job_template: JobTemplateSpec { metadata: None, spec: Some(job_spec(svc, labels, pod)) },
            ..CronJobSpec::default()
        }),
        ..CronJob::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(yaml: &str) -> Service {
        crate::yaml::de::from_node(&crate::yaml::parse(yaml, 0).unwrap()).unwrap()
    }

    #[test]
    fn a_job_pod_never_restarts_in_place_unless_told_and_never_runs_twice_at_once() {
        let svc = service("kind: job\nimage: x/j:1\n");
        let spec = job_spec(&svc, &Map::new(), Pod::default());
        let pod = spec.template.spec.unwrap();
        assert_eq!(pod.restart_policy.as_deref(), Some("Never"));
        assert_eq!(spec.pod_replacement_policy.as_deref(), Some("Failed"));
        assert_eq!((spec.backoff_limit, spec.completions, spec.parallelism), (Some(DEFAULT_BACKOFF), Some(1), Some(1)));
        let svc =
            service("kind: job\nimage: x/j:1\njob: {restart: OnFailure, backoff_limit: 0, active_deadline: 60}\n");
        let spec = job_spec(&svc, &Map::new(), Pod::default());
        assert_eq!(spec.template.spec.unwrap().restart_policy.as_deref(), Some("OnFailure"));
        assert_eq!((spec.pod_replacement_policy, spec.backoff_limit), (None, Some(0)));
        assert_eq!(spec.active_deadline_seconds, Some(60));
    }

    #[test]
    fn own_pod_labels_carry_the_version_and_pod_labels() {
        let svc = service("kind: job\nimage: x/j:2.1\npod_labels: {team: data}\n");
        let pod = own_pod(&svc, &Map::from([("a".to_string(), "b".to_string())]), Pod::default());
        assert_eq!(pod.labels.get(VERSION).map(String::as_str), Some("2.1"));
        assert_eq!(pod.labels.get("team").map(String::as_str), Some("data"));
        assert_eq!(pod.labels.get("a").map(String::as_str), Some("b"));
    }
}
