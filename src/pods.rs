//! The pod template of an object that owns pods, read from the typed object while it has
//! one and from its JSON form otherwise (a patched or adopted object), so lint and the
//! NetworkPolicy evaluator read both the same way.

use crate::expand::Object;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use serde::Deserialize as _;
use serde_json::Value;
use std::borrow::Cow;

/// A typed workload's kind and pod template (`None` when its spec has none); `None` when
/// the object is not a typed workload.
pub fn typed_template(o: &Object) -> Option<(&'static str, Option<&PodTemplateSpec>)> {
    (o.typed::<Deployment>().map(|d| ("Deployment", d.spec.as_ref().map(|s| &s.template))))
        .or_else(|| o.typed::<StatefulSet>().map(|s| ("StatefulSet", s.spec.as_ref().map(|s| &s.template))))
        .or_else(|| o.typed::<DaemonSet>().map(|d| ("DaemonSet", d.spec.as_ref().map(|s| &s.template))))
        .or_else(|| o.typed::<Job>().map(|j| ("Job", j.spec.as_ref().map(|s| &s.template))))
        .or_else(|| {
            let cron = o.typed::<CronJob>()?;
            Some(("CronJob", cron.spec.as_ref().and_then(|s| s.job_template.spec.as_ref()).map(|s| &s.template)))
        })
}

/// The pod template in the JSON form of an object of `kind` (`None` also when it does not
/// read as one: a patched object was checked against its schema before, so it does).
pub fn template_of_value(kind: &str, v: &Value) -> Option<PodTemplateSpec> {
    let path: &[&str] = match kind {
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "Job" => &["spec", "template"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template"],
        _ => return None,
    };
    // Deserializing from a borrowed value copies no subtree it does not keep.
    PodTemplateSpec::deserialize(path.iter().try_fold(v, |v, k| v.get(k))?).ok()
}

/// The pod template of `o`, borrowed from the typed object or read from its JSON form.
pub fn template(o: &Object) -> Option<Cow<'_, PodTemplateSpec>> {
    match typed_template(o) {
        Some((_, t)) => t.map(Cow::Borrowed),
        None => template_of_value(&o.kind, o.value()).map(Cow::Owned),
    }
}

/// The `spec.replicas` of a Deployment or StatefulSet (typed or JSON); `None` when unset or
/// for a workload without replicas.
pub fn replicas(o: &Object) -> Option<i64> {
    if let Some(d) = o.typed::<Deployment>() {
        return d.spec.as_ref()?.replicas.map(i64::from);
    }
    if let Some(s) = o.typed::<StatefulSet>() {
        return s.spec.as_ref()?.replicas.map(i64::from);
    }
    if typed_template(o).is_some() {
        return None;
    }
    o.value().get("spec")?.get("replicas")?.as_i64()
}
