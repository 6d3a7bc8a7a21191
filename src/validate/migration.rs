//! Checks of a service's migration: an init-container migration (`job: false`) runs in
//! every pod that starts, so it is only allowed where at most one pod runs at a time.

use super::Checker;
use crate::spec::Service;

impl Checker<'_> {
    pub(super) fn check_migration(&mut self, name: &str, svc: &Service) {
        let Some(m) = &svc.migrate else { return };
        if m.as_job() {
            return;
        }
        let replicas = svc.replicas.unwrap_or(1);
        if svc.autoscale.is_some() || replicas > 1 {
            let pods =
                if svc.autoscale.is_some() { "autoscaled pods".to_string() } else { format!("{replicas} replicas") };
            self.err(
                &["services", name, "migrate", "job"],
                format!("with `job: false` each of the {pods} of `{name}` runs the migration, all at the same time"),
                "remove `job: false`: the migration then runs once, as a Job the pods wait for",
            );
        }
    }
}
