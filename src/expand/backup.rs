//! A database's backup: `CronJob <db>-backup` running the engine's dump into
//! `PersistentVolumeClaim <db>-backup`, keeping the newest `keep` dumps.

use super::pod::{self, EnvVars, Pod, RunAs};
use super::{Ctx, Object, Sink, claim, non_empty};
use crate::spec::{Backup, Database, Map};
use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::{
    Container, EnvFromSource, EnvVar, PersistentVolumeClaimVolumeSource, SecretEnvSource, Volume, VolumeMount,
};

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
    // With a bucket, the dump runs first (an init container) and the copy is the Job's own
    // container: the Job succeeds only when both did.
    let (init, containers) = match &b.s3 {
        Some(s3) => (vec![container], vec![upload(name, s3, &engine.resources)]),
        None => (Vec::new(), vec![container]),
    };
    let pod = Pod {
        labels: labels.clone(),
        run_as: RunAs::engine(engine),
        restart: Some("OnFailure"),
        init,
        containers,
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

/// The engine's dump, written to `/backups/.incomplete/`, checked, moved beside the other
/// dumps, and only then removal of all but the newest `keep`.
///
/// The images' `/bin/sh` is dash (Debian, Ubuntu) or BusyBox ash (Alpine), so the script is
/// POSIX sh without `pipefail`: under `set -e` every line is one command whose exit status
/// counts, and engines dump straight to a file (no `dump | gzip`, whose status is gzip's).
/// A failed or empty dump exits non-zero (the Job fails, the alert fires) before the older
/// dumps are touched.
fn script(ctx: &Ctx, name: &str, b: &Backup) -> String {
    let engine = &ctx.v.engines[name];
    let dump = engine.backup.as_deref().expect("validated: backups need an engine backup command");
    let keep = b.keep.unwrap_or(7) + 1;
    format!(
        "set -eu
mkdir -p /backups/.incomplete
rm -f /backups/.incomplete/*
BACKUP_FILE=/backups/.incomplete/{name}-$(date -u +%Y%m%dT%H%M%SZ)
export BACKUP_FILE
{dump}
for f in \"$BACKUP_FILE\"*; do
  if [ ! -s \"$f\" ]; then echo \"backup of {name} failed: no dump or an empty one ($f)\" >&2; exit 1; fi
done
mv \"$BACKUP_FILE\"* /backups/
ls -1t /backups/{name}-* | tail -n +{keep} | xargs -r rm -f --
echo \"backup of {name}: $(ls -1t /backups/{name}-* | head -n 1)\"
"
    )
}

/// Default image of the copy to a bucket.
pub const AWS_CLI: &str = "amazon/aws-cli:2.22.0";

/// The container that copies the newest dump of `name` to the bucket, with the
/// credentials of the spec's Secret (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`).
fn upload(name: &str, s3: &crate::spec::BackupS3, resources: &crate::spec::Resources) -> Container {
    let endpoint = s3.endpoint.as_ref().map(|e| format!(" --endpoint-url '{e}'")).unwrap_or_default();
    let bucket = s3.bucket.trim_end_matches('/');
    let script = format!(
        "set -eu\nf=$(ls -1t /backups/{name}-* | head -n 1)\naws s3 cp --only-show-errors{endpoint} \"$f\" '{bucket}/'\"$(basename \"$f\")\"\necho \"copied $f to {bucket}/\"\n"
    );
    Container {
        command: Some(vec!["/bin/sh".into(), "-c".into(), script]),
        env: Some(vec![EnvVar { name: "HOME".into(), value: Some("/tmp".into()), ..EnvVar::default() }]),
        env_from: Some(vec![EnvFromSource {
            secret_ref: Some(SecretEnvSource { name: s3.secret.clone(), optional: None }),
            ..EnvFromSource::default()
        }]),
        resources: Some(pod::resources(None, resources, None)),
        volume_mounts: Some(vec![
            VolumeMount { name: "tmp".into(), mount_path: "/tmp".into(), ..VolumeMount::default() },
            VolumeMount {
                name: "backups".into(),
                mount_path: "/backups".into(),
                read_only: Some(true),
                ..VolumeMount::default()
            },
        ]),
        ..pod::container("upload", s3.image.clone().unwrap_or_else(|| AWS_CLI.to_string()))
    }
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
