//! PodDisruptionBudgets, for services and databases alike.

use super::{Ctx, Object, int_or_string};
use crate::spec::{Map, Pdb};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

/// The PodDisruptionBudget of a workload: the spec's, or `maxUnavailable: 1` when it runs
/// more than one replica.
/// `annotations` go on the budget (a service's sync order, see [`super::migration::sync_order`]).
pub fn disruption_budget(
    ctx: &Ctx,
    name: &str,
    labels: &Map,
    spec: Option<&Pdb>,
    replicas: i32,
    annotations: &Map,
) -> Option<Object> {
    let (min, max) = match spec {
        Some(p) => (p.min_available.as_deref(), p.max_unavailable.as_deref()),
        None if replicas > 1 => (None, Some("1")),
        None => return None,
    };
    Some(Object::new(PodDisruptionBudget {
        metadata: ctx.meta(name, labels.clone(), annotations),
        spec: Some(PodDisruptionBudgetSpec {
            min_available: min.map(int_or_string),
            max_unavailable: max.map(int_or_string),
            selector: Some(LabelSelector { match_labels: Some(ctx.selector(name)), ..LabelSelector::default() }),
            ..PodDisruptionBudgetSpec::default()
        }),
        ..PodDisruptionBudget::default()
    }))
}
