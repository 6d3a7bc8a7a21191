//! Kubernetes Services: the ClusterIP Service of a service or database, a database's
//! headless Service, and the ExternalName Service of an external database.

use super::{Ctx, Object};
use crate::spec::Map;
use k8s_openapi::api::core::v1::{Service, ServicePort, ServiceSpec};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

/// A port that targets the container port of the same name.
pub fn port(name: &str, port: u16, protocol: String) -> ServicePort {
    ServicePort {
        name: Some(name.to_string()),
        port: i32::from(port),
        target_port: Some(IntOrString::String(name.to_string())),
        protocol: Some(protocol),
        ..ServicePort::default()
    }
}

/// A ClusterIP Service `name` sending `ports` to the pods `selector` picks.
pub fn cluster_ip(ctx: &Ctx, name: &str, labels: &Map, selector: Map, ports: Vec<ServicePort>) -> Object {
    Object::new(Service {
        metadata: ctx.meta(name, labels.clone(), &Map::new()),
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".into()),
            selector: Some(selector),
            ports: Some(ports),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    })
}

/// A headless Service `name` (stable per-pod DNS names for a StatefulSet), ready or not.
pub fn headless(ctx: &Ctx, name: &str, labels: &Map, selector: Map, ports: Vec<ServicePort>) -> Object {
    Object::new(Service {
        metadata: ctx.meta(name, labels.clone(), &Map::new()),
        spec: Some(ServiceSpec {
            cluster_ip: Some("None".into()),
            publish_not_ready_addresses: Some(true),
            selector: Some(selector),
            ports: Some(ports),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    })
}

/// A Service `name` that is a DNS alias (CNAME) of `host`.
pub fn external_name(ctx: &Ctx, name: &str, labels: Map, host: &str) -> Object {
    Object::new(Service {
        metadata: ctx.meta(name, labels, &Map::new()),
        spec: Some(ServiceSpec {
            type_: Some("ExternalName".into()),
            external_name: Some(host.to_string()),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    })
}
