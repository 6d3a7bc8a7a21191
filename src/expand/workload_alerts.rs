//! The "not working" alert of a service that is not a Deployment: a daemon set with nodes
//! whose pod is not ready, a job whose run failed, a cron job whose last run did not succeed.

use crate::spec::Kind;

/// One alert, named `<Name><suffix>` by the monitoring module, which writes it.
#[derive(Debug)]
pub struct Alert {
    pub suffix: &'static str,
    pub expr: String,
    pub for_: &'static str,
    pub severity: &'static str,
    pub summary: String,
}

/// The alert for `kind`, or `None` for a Deployment (whose alert is the monitoring module's).
pub fn alert(ns: &str, name: &str, kind: Kind) -> Option<Alert> {
    match kind {
        Kind::Deployment => None,
        Kind::DaemonSet => {
            let sel = format!("namespace=\"{ns}\",daemonset=\"{name}\"");
            Some(Alert {
                suffix: "PodsNotReady",
                expr: format!(
                    "kube_daemonset_status_number_ready{{{sel}}} < kube_daemonset_status_desired_number_scheduled{{{sel}}}"
                ),
                for_: "10m",
                severity: "warning",
                summary: format!("{name} in {ns} has had nodes without a ready pod for 10 minutes"),
            })
        }
        Kind::Job => Some(Alert {
            suffix: "Failed",
            expr: format!(
                "kube_job_failed{{namespace=\"{ns}\",job_name=~\"{name}-[0-9a-f]{{10}}\",condition=\"true\"}} > 0"
            ),
            for_: "0m",
            severity: "critical",
            summary: format!("the Job of {name} in {ns} failed (kubectl -n {ns} logs job/<its {name}-… job>)"),
        }),
        Kind::CronJob => {
            let sel = format!("namespace=\"{ns}\",cronjob=\"{name}\"");
            Some(Alert {
                suffix: "Failed",
                expr: format!(
                    "(kube_cronjob_status_last_schedule_time{{{sel}}} > kube_cronjob_status_last_successful_time{{{sel}}}) or (kube_cronjob_status_last_schedule_time{{{sel}}} unless kube_cronjob_status_last_successful_time{{{sel}}})"
                ),
                for_: "1h",
                severity: "warning",
                summary: format!("the last scheduled run of {name} in {ns} has not succeeded"),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_is_watched_with_its_own_metrics() {
        assert!(alert("ns", "api", Kind::Deployment).is_none());
        let ds = alert("ns", "log-shipper", Kind::DaemonSet).unwrap();
        assert_eq!((ds.suffix, ds.for_), ("PodsNotReady", "10m"));
        assert!(
            ds.expr
                .contains("kube_daemonset_status_desired_number_scheduled{namespace=\"ns\",daemonset=\"log-shipper\"}")
        );
        let job = alert("ns", "reindex", Kind::Job).unwrap();
        assert!(job.expr.contains("job_name=~\"reindex-[0-9a-f]{10}\""), "{}", job.expr);
        let cron = alert("ns", "report", Kind::CronJob).unwrap();
        assert!(cron.expr.contains("cronjob=\"report\""));
    }
}
