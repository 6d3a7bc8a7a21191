//! A service's identity: the ServiceAccount it runs as (made when `create: true`, or when
//! it needs API access) and, for `access`, the Role and RoleBinding of [`super::rbac`].

use super::{Ctx, Object, Sink, rbac};
use crate::spec::{Map, Service};
use k8s_openapi::api::core::v1::ServiceAccount;

/// Who the service's pods run as.
pub struct Identity {
    /// The ServiceAccount's name; `None`: the namespace's default.
    pub name: Option<String>,
    /// Whether the pods mount its API token.
    pub token: bool,
}

/// The service's ServiceAccount and API access; returns who its pods run as. A migration
/// `gate` (the Job's name) needs an identity of its own that may read that Job.
pub fn expand(ctx: &Ctx, name: &str, svc: &Service, labels: &Map, gate: Option<&str>, out: &mut dyn Sink) -> Identity {
    // API access needs an identity of its own and its token in the pod.
    let needs_api = !svc.access.is_empty();
    let sa = svc.service_account.as_ref().map(|s| s.0.clone()).or_else(|| {
        (needs_api || gate.is_some()).then(|| crate::spec::ServiceAccount { create: true, ..Default::default() })
    });
    let sa_name = sa.as_ref().map(|s| s.name.clone().unwrap_or_else(|| name.to_string()));
    let token = needs_api || sa.as_ref().is_some_and(|s| s.token);
    if let (Some(sa), Some(sa_name)) = (&sa, &sa_name)
        && sa.create
    {
        out.push(service_account(ctx, sa_name, labels, &sa.annotations, token));
    }
    if let (true, Some(sa_name)) = (needs_api, &sa_name) {
        rbac::expand(ctx, name, sa_name, &svc.access, labels, out);
    }
    if let (Some(job), Some(sa_name)) = (gate, &sa_name) {
        let access = [format!("get,list,watch jobs.batch/{job}")];
        rbac::expand(ctx, &super::migration::gate_name(name), sa_name, &access, labels, out);
    }
    Identity { name: sa_name, token }
}

fn service_account(ctx: &Ctx, name: &str, labels: &Map, annotations: &Map, token: bool) -> Object {
    Object::new(ServiceAccount {
        metadata: ctx.meta(name, labels.clone(), annotations),
        automount_service_account_token: Some(token),
        ..ServiceAccount::default()
    })
}
