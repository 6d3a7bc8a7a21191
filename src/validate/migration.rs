//! Checks of migrations: an init-container migration (`job: false`) runs in every pod
//! that starts, so it is only allowed where at most one pod runs at a time; and the
//! platform's `deploy_tool`, which decides how the migration Job is ordered.

use super::Checker;
use crate::spec::{Platform, Service};

/// The tools genk8s knows how to order a migration for.
pub const DEPLOY_TOOLS: [&str; 3] = ["kubectl", "argocd", "flux"];

impl Checker<'_> {
    /// `deploy_tool`: one of [`DEPLOY_TOOLS`].
    pub(super) fn check_deploy_tool(&mut self, spec: &Platform) {
        if let Some(tool) = spec.deploy_tool.as_deref().filter(|t| !DEPLOY_TOOLS.contains(t)) {
            let hint = crate::diag::suggest(tool, DEPLOY_TOOLS.iter().copied())
                .map(|s| format!("did you mean `{s}`? "))
                .unwrap_or_default();
            self.err(
                &["deploy_tool"],
                format!("unknown deploy tool `{tool}`"),
                format!("{hint}write kubectl (kubectl apply -k, the default), argocd or flux"),
            );
        }
    }

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
