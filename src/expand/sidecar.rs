//! Native sidecars (Kubernetes 1.33+): init containers with `restartPolicy: Always`, which
//! start before the app's other init containers and the app, run beside it, and are
//! stopped after it (in a Job's pod too, so the Job still completes). Each is a
//! restricted container with resources, probes when it serves, and the app's volumes it
//! shares.

use super::pod;
use super::{Ctx, mounts, non_empty};
use crate::spec::{Service, Sidecar, sidecar_resources};
use k8s_openapi::api::core::v1::{Container, ContainerPort, Volume, VolumeMount};

/// The sidecar containers of a service (by name) and the volumes their own mounts add.
/// `app_mounts` are the app container's, which `shared` paths pick from.
pub fn containers(ctx: &Ctx, svc: &Service, app_mounts: &[VolumeMount]) -> (Vec<Container>, Vec<Volume>) {
    let mut volumes = Vec::new();
    let containers = svc
        .sidecars
        .iter()
        .map(|(name, sc)| {
            let (own_volumes, own_mounts) = mounts::sources(ctx, &format!("{name}-mount"), &sc.mounts);
            volumes.extend(own_volumes);
            container(ctx, name, sc, shared(sc, app_mounts).chain(own_mounts).collect())
        })
        .collect();
    (containers, volumes)
}

/// `/tmp` (the pod's) and the app's mounts at the `shared` paths, as the app mounts them.
fn shared<'a>(sc: &'a Sidecar, app_mounts: &'a [VolumeMount]) -> impl Iterator<Item = VolumeMount> + 'a {
    app_mounts.iter().filter(|m| m.mount_path == "/tmp" || sc.shared.contains(&m.mount_path)).cloned()
}

fn container(ctx: &Ctx, name: &str, sc: &Sidecar, mounts: Vec<VolumeMount>) -> Container {
    let first_port = sc.ports.keys().next().map(String::as_str);
    let ports = sc
        .ports
        .iter()
        .map(|(n, p)| ContainerPort {
            name: Some(n.clone()),
            container_port: i32::from(*p),
            protocol: Some("TCP".into()),
            ..ContainerPort::default()
        })
        .collect();
    Container {
        restart_policy: Some("Always".into()),
        command: sc.command.clone(),
        args: sc.args.clone(),
        ports: non_empty(ports),
        env: non_empty(pod::env(ctx, &sc.env)),
        resources: Some(pod::resources(sc.resources.as_ref(), &sidecar_resources(), None)),
        liveness_probe: sc.probes.liveness.as_ref().map(|p| pod::probe(p, first_port)),
        readiness_probe: sc.probes.readiness.as_ref().map(|p| pod::probe(p, first_port)),
        startup_probe: sc.probes.startup.as_ref().map(|p| pod::probe(p, first_port)),
        volume_mounts: non_empty(mounts),
        ..pod::container(name, sc.image.clone())
    }
}
