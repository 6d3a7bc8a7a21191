//! A database's backup: `CronJob <db>-backup` running the engine's dump into
//! `PersistentVolumeClaim <db>-backup`, keeping the newest `keep` dumps.

use super::pod::{self, EnvVars, Pod, RunAs};
use super::{Ctx, Object, Sink, claim, non_empty};
use crate::spec::{Backup, Database, Map};
use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{Container, PersistentVolumeClaimVolumeSource, Volume, VolumeMount};

/// Name of the backup workload of a database (its CronJob, PVC and pods).
pub fn backup_name(db: &str) -> String {
    format!("{db}-backup")
}

/// The backup claim and CronJob of database `name`, which runs `image` with `env`.
pub fn expand(ctx: &Ctx, name: &str, db: &Database, b: &Backup, image: &str, env: &EnvVars, out: &mut dyn Sink) {
    let job = backup_name(name);
    let labels = ctx.labels(&job, "backup");
    out.push(backup_claim(ctx, name, db, b, &labels));
    let engine = &ctx.v.engines[name];
    let (mut volumes, mut mounts) = pod::writable_dirs(&[]);
    volumes.push(Volume {
        name: "backups".into(),
        persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource { claim_name: job.clone(), read_only: None }),
        ..Default::default()
    });
    mounts.push(VolumeMount { name: "backups".into(), mount_path: "/backups".into(), ..VolumeMount::default() });
    let container = Container {
        command: Some(vec!["/bin/sh".into(), "-c".into(), script(ctx, name, b)]),
        env: non_empty(pod::env(ctx, env)),
        resources: Some(pod::resources(None, &engine.resources, None)),
        volume_mounts: Some(mounts),
        ..pod::container("backup", image)
    };
    let pod = Pod {
        labels: labels.clone(),
        run_as: RunAs::engine(engine),
        restart: Some("OnFailure"),
        containers: vec![container],
        volumes,
        image_pull_secrets: ctx.pull_secrets(&[]),
        ..Pod::default()
    };
    out.push(cron_job(ctx, &job, labels, b, pod));
}

/// The claim the dumps go to: the backup's size and class, or the database's.
fn backup_claim(ctx: &Ctx, name: &str, db: &Database, b: &Backup, labels: &Map) -> Object {
    let engine = &ctx.v.engines[name];
    let size = b
        .size
        .clone()
        .or_else(|| db.storage.as_ref().map(|s| s.size.clone()))
        .unwrap_or_else(|| engine.storage.clone());
    let class = b.class.clone().or_else(|| db.storage.as_ref().and_then(|s| s.class.clone()));
    Object::new(claim::claim(ctx.meta(backup_name(name), labels.clone(), &Map::new()), &size, class, None))
}

/// The engine's dump into a timestamped file, then removal of all but the newest `keep`.
fn script(ctx: &Ctx, name: &str, b: &Backup) -> String {
    let engine = &ctx.v.engines[name];
    format!(
        "set -eu\nBACKUP_FILE=/backups/{name}-$(date -u +%Y%m%dT%H%M%SZ)\nexport BACKUP_FILE\n{}\nls -1t /backups/{name}-* | tail -n +{} | xargs -r rm -f --\n",
        engine.backup.as_deref().expect("validated: backups need an engine backup command"),
        b.keep.unwrap_or(7) + 1
    )
}

/// One dump at a time (`concurrencyPolicy: Forbid`), on the backup's schedule.
fn cron_job(ctx: &Ctx, job: &str, labels: Map, b: &Backup, pod: Pod) -> Object {
    Object::new(CronJob {
        metadata: ctx.meta(job, labels, &Map::new()),
        spec: Some(CronJobSpec {
            schedule: b.schedule.clone(),
            concurrency_policy: Some("Forbid".into()),
            successful_jobs_history_limit: Some(3),
            failed_jobs_history_limit: Some(3),
            job_template: JobTemplateSpec {
                metadata: None,
                spec: Some(JobSpec { backoff_limit: Some(2), template: pod::template(pod), ..JobSpec::default() }),
            },
            ..CronJobSpec::default()
        }),
        ..CronJob::default()
    })
}
