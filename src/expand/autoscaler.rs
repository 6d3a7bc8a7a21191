//! HorizontalPodAutoscalers (autoscaling/v2) for autoscaled Deployments.

use super::{Ctx, Object, non_empty};
use crate::spec::{Autoscale, Map, ScaleRules};
use k8s_openapi::api::autoscaling::v2 as hpa;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

/// The autoscaler of Deployment `name`.
pub fn autoscaler(ctx: &Ctx, name: &str, labels: &Map, a: &Autoscale, annotations: &Map) -> Object {
    let behavior = (a.scale_up.is_some() || a.scale_down.is_some()).then(|| hpa::HorizontalPodAutoscalerBehavior {
        scale_up: scaling_rules(a.scale_up.as_ref()),
        scale_down: scaling_rules(a.scale_down.as_ref()),
    });
    Object::new(hpa::HorizontalPodAutoscaler {
        metadata: ctx.meta(name, labels.clone(), annotations),
        spec: Some(hpa::HorizontalPodAutoscalerSpec {
            scale_target_ref: hpa::CrossVersionObjectReference {
                api_version: Some("apps/v1".into()),
                kind: "Deployment".into(),
                name: name.into(),
            },
            min_replicas: Some(a.min),
            max_replicas: a.max,
            metrics: Some(metrics(a)),
            behavior,
        }),
        ..Default::default()
    })
}

/// Resource utilization targets (cpu, memory), then per-pod metric averages.
fn metrics(a: &Autoscale) -> Vec<hpa::MetricSpec> {
    let resources = [("cpu", a.cpu), ("memory", a.memory)].into_iter().filter_map(|(res, target)| {
        Some(hpa::MetricSpec {
            type_: "Resource".into(),
            resource: Some(hpa::ResourceMetricSource {
                name: res.into(),
                target: hpa::MetricTarget {
                    type_: "Utilization".into(),
                    average_utilization: Some(target?),
                    ..Default::default()
                },
            }),
            ..Default::default()
        })
    });
    let pods = a.pods.iter().map(|(metric, value)| hpa::MetricSpec {
        type_: "Pods".into(),
        pods: Some(hpa::PodsMetricSource {
            metric: hpa::MetricIdentifier { name: metric.clone(), selector: None },
            target: hpa::MetricTarget {
                type_: "AverageValue".into(),
                average_value: Some(Quantity(value.clone())),
                ..Default::default()
            },
        }),
        ..Default::default()
    });
    resources.chain(pods).collect()
}

fn scaling_rules(r: Option<&ScaleRules>) -> Option<hpa::HPAScalingRules> {
    r.map(|r| hpa::HPAScalingRules {
        stabilization_window_seconds: r.window,
        select_policy: r.select.clone(),
        policies: non_empty(
            r.policies
                .iter()
                .map(|p| hpa::HPAScalingPolicy {
                    type_: if p.percent.is_some() { "Percent".into() } else { "Pods".into() },
                    value: p.percent.or(p.pods).unwrap_or(1),
                    period_seconds: p.period,
                })
                .collect(),
        ),
        ..Default::default()
    })
}
