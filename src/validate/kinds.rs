//! Checks of a service's workload kind (deployment, daemon_set, job, cron_job): the fields
//! that apply to it, a job's schedule and limits, a daemon set's host paths and the Pod
//! Security level they need, and a migration's own settings.

use super::Checker;
use crate::spec::{JobSettings, Kind, POD_SECURITY_LEVELS, Platform, Service};

/// Fields that belong to a Deployment (scaling, rollout, exposure): `(name, set?)`.
fn deployment_fields(svc: &Service) -> [(&'static str, bool); 8] {
    [
        ("spread", svc.spread.is_some()),
        ("replicas", svc.replicas.is_some()),
        ("autoscale", svc.autoscale.is_some()),
        ("strategy", svc.strategy.is_some()),
        ("rollout", svc.rollout.is_some()),
        ("pdb", svc.pdb.is_some()),
        ("ingress", svc.ingress.is_some()),
        ("route", svc.route.is_some()),
    ]
}

/// Fields of a long-running pod that a run-to-completion pod has no use for.
fn serving_fields(svc: &Service) -> [(&'static str, bool); 4] {
    [
        ("ports", !svc.ports.is_empty()),
        ("probes", svc.probes.liveness.is_some() || svc.probes.readiness.is_some() || svc.probes.startup.is_some()),
        ("metrics", svc.metrics.is_some()),
        ("migrate", svc.migrate.is_some()),
    ]
}

impl Checker<'_> {
    /// The kind's fields, its job settings and host paths; the namespace's Pod Security level.
    pub(super) fn check_kind(&mut self, spec: &Platform, name: &str, svc: &Service) {
        let kind = svc.kind.as_str();
        let why = match svc.kind {
            Kind::Deployment => "",
            Kind::DaemonSet => "a daemon_set runs one pod per node its placement allows",
            Kind::Job | Kind::CronJob => "its pod runs to completion, unexposed",
        };
        let mut misplaced: Vec<&str> = Vec::new();
        if svc.kind != Kind::Deployment {
            misplaced.extend(deployment_fields(svc).iter().filter(|(_, set)| *set).map(|(f, _)| *f));
        }
        if svc.kind.runs_to_completion() {
            misplaced.extend(serving_fields(svc).iter().filter(|(_, set)| *set).map(|(f, _)| *f));
        } else if svc.kind == Kind::DaemonSet && svc.migrate.is_some() {
            misplaced.push("migrate");
        }
        for field in misplaced {
            self.svc_err(name, &[field], format!("`{field}` does not apply to a {kind}"), &format!("remove it: {why}"));
        }
        self.check_job_settings(name, svc);
        self.check_host_paths(spec, name, svc);
    }

    /// `job:` only on a job or cron_job; a cron_job's schedule; the limits' values.
    fn check_job_settings(&mut self, name: &str, svc: &Service) {
        let Some(j) = &svc.job else {
            if svc.kind == Kind::CronJob {
                self.svc_err(
                    name,
                    &["kind"],
                    "a cron_job needs a schedule".into(),
                    "add job: {schedule: \"0 3 * * *\"} (minute hour day month weekday)",
                );
            }
            return;
        };
        if !svc.kind.runs_to_completion() {
            let msg = format!("`job` applies to kind job or cron_job, not to a {}", svc.kind.as_str());
            self.svc_err(
                name,
                &["job"],
                msg,
                "set kind: job (runs once per version) or kind: cron_job, or remove job:",
            );
            return;
        }
        match (&j.schedule, svc.kind) {
            (None, Kind::CronJob) => self.svc_err(
                name,
                &["job"],
                "a cron_job needs a schedule".into(),
                "add schedule: \"0 3 * * *\" (minute hour day month weekday)",
            ),
            (Some(s), Kind::CronJob) => {
                if let Err(e) = super::check_cron(s) {
                    self.svc_err(name, &["job", "schedule"], e.message, &e.help);
                }
            }
            (Some(_), _) => self.svc_err(
                name,
                &["job", "schedule"],
                "a job runs once per version of its spec; a schedule makes it a cron_job".into(),
                "write kind: cron_job, or remove schedule",
            ),
            (None, _) => {}
        }
        self.check_job_limits(name, svc.kind, j);
    }

    /// `concurrency`, `time_zone` (cron_job only), `restart` and the numeric limits.
    fn check_job_limits(&mut self, name: &str, kind: Kind, j: &JobSettings) {
        let at = |f: &'static str| ["services", name, "job", f];
        for (field, set) in [("concurrency", j.concurrency.is_some()), ("time_zone", j.time_zone.is_some())] {
            if set && kind != Kind::CronJob {
                self.err(
                    &at(field),
                    format!("`{field}` applies to a cron_job only"),
                    "remove it, or write kind: cron_job",
                );
            }
        }
        if let Some(c) = j.concurrency.as_deref().filter(|c| !["Allow", "Forbid", "Replace"].contains(c)) {
            self.err(
                &at("concurrency"),
                format!("`{c}` is not a concurrency policy"),
                "write Forbid (the default), Allow or Replace",
            );
        }
        if let Some(tz) = j.time_zone.as_deref().filter(|tz| !is_time_zone(tz)) {
            self.err(
                &at("time_zone"),
                format!("`{tz}` is not a time zone name"),
                "write an IANA name such as Europe/Berlin or Etc/UTC",
            );
        }
        if let Some(r) = j.restart.as_deref().filter(|r| !["Never", "OnFailure"].contains(r)) {
            self.err(
                &at("restart"),
                format!("a job's pods cannot restart `{r}`"),
                "write Never (the default: a new pod per retry) or OnFailure",
            );
        }
        let negative = [
            ("backoff_limit", j.backoff_limit.map(i64::from), 0),
            ("ttl_after_finished", j.ttl_after_finished.map(i64::from), 0),
            ("active_deadline", j.active_deadline, 1),
        ];
        for (field, value, min) in negative {
            if let Some(v) = value.filter(|v| *v < min) {
                self.err(
                    &at(field),
                    format!("{field} is {v}; it must be at least {min}"),
                    "write a number of seconds (or retries)",
                );
            }
        }
    }

    /// `host_paths` only on a daemon_set, absolute and clean, in a namespace that admits them.
    fn check_host_paths(&mut self, spec: &Platform, name: &str, svc: &Service) {
        if svc.host_paths.is_empty() {
            return;
        }
        if svc.kind != Kind::DaemonSet {
            self.svc_err(
                name,
                &["host_paths"],
                format!("`host_paths` apply to a daemon_set only, not to a {}", svc.kind.as_str()),
                "write kind: daemon_set for a node agent, or mount a volume instead",
            );
            return;
        }
        for (i, p) in svc.host_paths.iter().enumerate() {
            if !p.starts_with('/') || p == "/" || p.split('/').any(|c| c == "..") {
                self.svc_err(
                    name,
                    &["host_paths", &i.to_string()],
                    format!("host path `{p}` must be an absolute directory below / without `..`"),
                    "e.g. /var/log",
                );
            }
        }
        let mounted: Vec<&str> = ["/tmp"]
            .into_iter()
            .chain(svc.writable.iter().map(String::as_str))
            .chain(svc.volumes.values().map(|v| v.path.as_str()))
            .chain(svc.mounts.keys().chain(svc.files.keys()).map(String::as_str))
            .collect();
        for (i, p) in svc.host_paths.iter().enumerate() {
            if mounted.contains(&p.trim_end_matches('/')) {
                self.svc_err(
                    name,
                    &["host_paths", &i.to_string()],
                    format!("`{p}` is mounted twice (host_paths and the container's other mounts)"),
                    "a container mounts one volume per path: remove one of them",
                );
            }
        }
        let level = spec.pod_security.as_deref().unwrap_or("restricted");
        if level != "privileged" {
            self.svc_err(
                name,
                &["host_paths"],
                format!("the `{level}` Pod Security profile the namespace enforces refuses hostPath volumes"),
                "set `pod_security: privileged` (baseline refuses hostPath too); run node agents in a platform of their own, so the apps' namespace stays restricted",
            );
        }
    }

    /// `pod_security` is a Pod Security Standards level.
    pub(super) fn check_pod_security(&mut self, spec: &Platform) {
        if let Some(l) = spec.pod_security.as_deref().filter(|l| !POD_SECURITY_LEVELS.contains(l)) {
            self.err(
                &["pod_security"],
                format!("`{l}` is not a Pod Security level"),
                "write restricted (the default), baseline or privileged",
            );
        }
    }

    /// A migration's own `env` and `backoff_limit`.
    pub(super) fn check_migrate_settings(&mut self, spec: &Platform, name: &str, svc: &Service) {
        let Some(m) = &svc.migrate else { return };
        for (k, v) in &m.env {
            self.check_env(&["services", name, "migrate"], k, v, spec);
        }
        if let Some(b) = m.backoff_limit.filter(|b| *b < 0) {
            self.err(
                &["services", name, "migrate", "backoff_limit"],
                format!("backoff_limit is {b}; it must be at least 0"),
                "write the number of retries, e.g. 4",
            );
        }
    }
}

/// An IANA time zone name as the CronJob controller takes it: `Area/Location` words or `UTC`.
fn is_time_zone(tz: &str) -> bool {
    !tz.is_empty()
        && tz.len() <= 64
        && !tz.starts_with('/')
        && !tz.split('/').any(|p| p.is_empty() || p == "." || p == "..")
        && tz.chars().all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c))
}

#[cfg(test)]
mod tests {
    use super::is_time_zone;

    #[test]
    fn time_zones() {
        for tz in ["UTC", "Europe/Berlin", "America/Argentina/Buenos_Aires", "Etc/GMT+2"] {
            assert!(is_time_zone(tz), "{tz}");
        }
        for tz in ["", "/etc/localtime", "Europe/../x", "CET ", "Europe//Berlin"] {
            assert!(!is_time_zone(tz), "{tz}");
        }
    }
}
