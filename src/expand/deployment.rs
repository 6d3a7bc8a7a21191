//! A service's Deployments: one per rollout track (see [`super::rollout`]), each with its
//! HorizontalPodAutoscaler when the track is autoscaled.

use super::autoscaler::autoscaler;
use super::pod::{self, Pod};
use super::{Ctx, Object, Sink, VERSION, int_or_string, rollout};
use crate::spec::{Map, Service, Strategy};
use k8s_openapi::api::apps::v1::{Deployment, DeploymentSpec, DeploymentStrategy, RollingUpdateDeployment};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

/// Every Deployment of service `name`, running `pod` (labels, images and spreading are
/// set per track).
pub fn expand(ctx: &Ctx, name: &str, svc: &Service, labels: &Map, pod: &Pod, out: &mut dyn Sink) {
    let strategy = strategy(svc);
    let order = super::migration::sync_order(ctx, svc);
    for track in rollout::tracks(name, svc) {
        let mut dep_labels = labels.clone();
        dep_labels.extend(crate::wiring::datadog_labels(&ctx.v.spec, &ctx.v.env, name, svc, &track.image));
        if let Some(t) = track.label {
            dep_labels.insert(rollout::TRACK.into(), t.into());
        }
        out.push(deployment(
            ctx,
            name,
            svc,
            &dep_labels,
            track_pod(ctx, name, svc, labels, pod, &track),
            &track,
            &strategy,
        ));
        if let (true, Some(a)) = (track.autoscaled, &svc.autoscale) {
            out.push(autoscaler(ctx, &track.deployment, &dep_labels, a, &order));
        }
    }
}

/// `a`, then `b` over it.
fn with(a: &Map, b: &Map) -> Map {
    a.iter().chain(b).map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// Replicas the service runs with at least (for its PodDisruptionBudget and spreading).
pub fn min_replicas(svc: &Service) -> i32 {
    svc.autoscale.as_ref().map_or(svc.replicas.unwrap_or(1), |a| a.min)
}

fn deployment(
    ctx: &Ctx,
    name: &str,
    svc: &Service,
    labels: &Map,
    pod: Pod,
    track: &rollout::Track,
    strategy: &DeploymentStrategy,
) -> Object {
    Object::new(Deployment {
        metadata: ctx.meta(
            track.deployment.clone(),
            labels.clone(),
            &with(&svc.annotations, &super::migration::sync_order(ctx, svc)),
        ),
        spec: Some(DeploymentSpec {
            replicas: match (track.replicas, track.autoscaled) {
                (Some(r), _) => Some(r),
                (None, true) => None,
                (None, false) => Some(svc.replicas.unwrap_or(1)),
            },
            revision_history_limit: Some(5),
            selector: LabelSelector {
                match_labels: Some(track_selector(ctx, name, track)),
                ..LabelSelector::default()
            },
            strategy: Some(strategy.clone()),
            template: pod::template(pod),
            ..DeploymentSpec::default()
        }),
        ..Deployment::default()
    })
}

/// The labels that select one track's pods.
fn track_selector(ctx: &Ctx, name: &str, track: &rollout::Track) -> Map {
    let mut selector = ctx.selector(name);
    if let Some(t) = track.label {
        selector.insert(rollout::TRACK.into(), t.into());
    }
    selector
}

/// The service's pod as one track runs it: the track's labels and image, spread over
/// nodes when the track runs more than one replica.
fn track_pod(ctx: &Ctx, name: &str, svc: &Service, labels: &Map, pod: &Pod, track: &rollout::Track) -> Pod {
    let selector = track_selector(ctx, name, track);
    let mut pod = pod.clone();
    pod.labels = svc.pod_labels.clone();
    pod.labels.extend(labels.clone());
    pod.labels.extend(selector.clone());
    if let Some(tag) = crate::spec::image_tag(&track.image).filter(|t| t.len() <= 63) {
        pod.labels.insert(VERSION.into(), tag.to_string());
    }
    pod.labels.extend(crate::wiring::datadog_labels(&ctx.v.spec, &ctx.v.env, name, svc, &track.image));
    pod.annotations = svc.pod_annotations.clone();
    // The track's image runs the app and, unless migrate names its own, the migration.
    let image = svc.image_ref();
    for c in pod.containers.iter_mut().chain(pod.init.iter_mut()) {
        if c.image.as_deref() == Some(image.as_str()) {
            c.image = Some(track.image.clone());
        }
    }
    let replicas = track.replicas.unwrap_or(min_replicas(svc));
    if replicas > 1 || (track.autoscaled && svc.autoscale.as_ref().is_some_and(|a| a.max > 1)) {
        pod.spread = Some(selector);
    }
    pod
}

/// `Recreate` when asked, or when one pod at a time cannot roll (a single-attach volume,
/// a scarce GPU); otherwise a rolling update (`maxSurge: 25%`, `maxUnavailable: 0`).
fn strategy(svc: &Service) -> DeploymentStrategy {
    let recreate = DeploymentStrategy { type_: Some("Recreate".into()), rolling_update: None };
    match &svc.strategy {
        Some(Strategy::Recreate) => recreate,
        None if !svc.volumes.is_empty() || svc.gpu.is_some_and(|g| g > 0) => recreate,
        Some(Strategy::Rolling { max_surge, max_unavailable }) => {
            rolling(max_surge.as_deref(), max_unavailable.as_deref())
        }
        None => rolling(None, None),
    }
}

fn rolling(surge: Option<&str>, unavailable: Option<&str>) -> DeploymentStrategy {
    DeploymentStrategy {
        type_: Some("RollingUpdate".into()),
        rolling_update: Some(RollingUpdateDeployment {
            max_surge: Some(int_or_string(surge.unwrap_or("25%"))),
            max_unavailable: Some(int_or_string(unavailable.unwrap_or("0"))),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

    fn service(yaml: &str) -> Service {
        crate::yaml::de::from_node(&crate::yaml::parse(yaml, 0).unwrap()).unwrap()
    }

    fn rolling_values(s: &DeploymentStrategy) -> (Option<IntOrString>, Option<IntOrString>) {
        let r = s.rolling_update.clone().expect("a rolling update");
        (r.max_surge, r.max_unavailable)
    }

    #[test]
    fn rolls_one_extra_pod_at_a_time_by_default() {
        let s = strategy(&service("image: a\n"));
        assert_eq!(s.type_.as_deref(), Some("RollingUpdate"));
        assert_eq!(rolling_values(&s), (Some(IntOrString::String("25%".into())), Some(IntOrString::Int(0))));
    }

    #[test]
    fn recreates_gpu_services_unless_told_to_roll() {
        assert_eq!(strategy(&service("image: a\ngpu: 1\n")).type_.as_deref(), Some("Recreate"));
        assert!(strategy(&service("image: a\ngpu: 1\n")).rolling_update.is_none());
        let told = strategy(&service("image: a\ngpu: 1\nstrategy: {rolling: {max_surge: '1'}}\n"));
        assert_eq!(rolling_values(&told), (Some(IntOrString::Int(1)), Some(IntOrString::Int(0))));
        assert_eq!(strategy(&service("image: a\nstrategy: recreate\n")).type_.as_deref(), Some("Recreate"));
    }
}
