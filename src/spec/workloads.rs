//! Spec types of the workload kinds besides a Deployment (DaemonSet, Job, CronJob), of
//! native sidecars, and of a database's own files and TLS.

use super::{EnvValue, Probes, Resources, Short, Source};
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;

/// What a service runs as: a Deployment (the default), a DaemonSet (one pod per node), a
/// Job (runs to completion once per version of its spec) or a CronJob (on a schedule).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    #[default]
    Deployment,
    DaemonSet,
    Job,
    CronJob,
}

impl Kind {
    /// The spelling in the spec.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Deployment => "deployment",
            Kind::DaemonSet => "daemon_set",
            Kind::Job => "job",
            Kind::CronJob => "cron_job",
        }
    }

    /// A Job or a CronJob: pods that run to completion.
    pub fn runs_to_completion(self) -> bool {
        matches!(self, Kind::Job | Kind::CronJob)
    }
}

/// How a `job` or `cron_job` runs: its schedule (cron_job only) and the Job's limits.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JobSettings {
    /// Cron schedule of a `cron_job` (five fields, or @daily, …), as for backups.
    pub schedule: Option<String>,
    /// IANA time zone of the schedule, e.g. Europe/Berlin (default: the controller's, UTC).
    pub time_zone: Option<String>,
    /// A `cron_job`'s run while the last one still runs: Forbid (the default), Allow or Replace.
    pub concurrency: Option<String>,
    /// Retries before the Job fails (backoffLimit, default 3).
    pub backoff_limit: Option<i32>,
    /// Seconds a run may take before it is stopped and failed (activeDeadlineSeconds).
    pub active_deadline: Option<i64>,
    /// Seconds a finished Job is kept before it is deleted (ttlSecondsAfterFinished).
    pub ttl_after_finished: Option<i32>,
    /// Never (the default: a failed pod is replaced by a new one) or OnFailure (restarted in place).
    pub restart: Option<String>,
}

/// A native sidecar: an init container with `restartPolicy: Always` that starts before
/// the app, runs beside it, and stops after it (a log shipper, a proxy, an agent).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sidecar {
    pub image: String,
    pub command: Option<Vec<String>>,
    pub args: Option<Vec<String>>,
    /// Named container ports, for a sidecar that serves (a proxy).
    #[serde(default)]
    pub ports: BTreeMap<String, u16>,
    #[serde(default)]
    pub env: BTreeMap<String, Short<Box<EnvValue>>>,
    /// Directories mounted read-only from a shared config or an existing Secret.
    #[serde(default)]
    pub mounts: BTreeMap<String, Source>,
    /// Paths of the app's `writable` directories and `volumes` this sidecar mounts too
    /// (e.g. the log directory a shipper reads).
    #[serde(default)]
    pub shared: Vec<String>,
    /// Probes of a sidecar that serves; a port name refers to the sidecar's own `ports`.
    #[serde(default)]
    pub probes: Probes,
    /// Default 50m CPU, 64Mi/128Mi memory.
    pub resources: Option<Resources>,
}

/// Where a database's `tls` Secret is mounted (tls.crt, tls.key): the engine template's `tls_dir`.
pub const TLS_DIR: &str = "/etc/tls";

/// A database's server certificate: a `kubernetes.io/tls` Secret (tls.crt, tls.key),
/// mounted at /etc/tls and switched on in the engine.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DatabaseTls {
    pub secret: String,
}

/// Default resources of a sidecar that sets none.
pub fn sidecar_resources() -> Resources {
    Resources { cpu: Some("50m".into()), memory: Some("64Mi/128Mi".into()), ephemeral_storage: None }
}

/// Labels a namespace level may take (`pod_security`).
pub const POD_SECURITY_LEVELS: [&str; 3] = ["restricted", "baseline", "privileged"];
