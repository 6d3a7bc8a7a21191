//! A service of kind `daemon_set`: one pod per node (a log shipper, a node agent), rolled
//! one node at a time, with its `host_paths` mounted read-only from the node.

use super::pod::{self, Pod};
use super::{Ctx, Object, workload_job};
use crate::spec::{Map, Service};
use k8s_openapi::api::apps::v1::{DaemonSet, DaemonSetSpec, DaemonSetUpdateStrategy, RollingUpdateDaemonSet};
use k8s_openapi::api::core::v1::{HostPathVolumeSource, Volume};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// `DaemonSet <svc>` running `pod` on every node its placement allows.
pub fn daemon_set(ctx: &Ctx, name: &str, svc: &Service, labels: &Map, mut pod: Pod) -> Object {
    for (i, path) in svc.host_paths.iter().enumerate() {
        let vname = format!("host-{i}");
        pod.volumes.push(Volume {
            name: vname.clone(),
            host_path: Some(HostPathVolumeSource { path: path.clone(), type_: Some("Directory".into()) }),
            ..Volume::default()
        });
        let app = &mut pod.containers[0];
        app.volume_mounts.get_or_insert_with(Vec::new).push(super::mounts::read_only(vname, path));
    }
    Object::new(DaemonSet {
        metadata: ctx.meta(name, labels.clone(), &svc.annotations),
        spec: Some(DaemonSetSpec {
            revision_history_limit: Some(5),
            selector: LabelSelector { match_labels: Some(ctx.selector(name)), ..LabelSelector::default() },
            update_strategy: Some(DaemonSetUpdateStrategy {
                type_: Some("RollingUpdate".into()),
                rolling_update: Some(RollingUpdateDaemonSet {
                    max_unavailable: Some(IntOrString::Int(1)),
                    max_surge: Some(IntOrString::Int(0)),
                }),
            }),
            template: pod::template(workload_job::own_pod(svc, labels, pod)),
            ..DaemonSetSpec::default()
        }),
        ..DaemonSet::default()
    })
}
