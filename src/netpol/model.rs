//! The cluster as the emitted objects describe it: pods (from pod templates), Services,
//! NetworkPolicies, Namespaces, and the Ingresses, routes and Gateway listeners that bring
//! traffic to Services.

use super::{Labels, PodRef, Proto};
use crate::expand::Object;
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::api::networking::v1::{Ingress, NetworkPolicy};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde_json::Value;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// A container port of a pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerPort {
    pub name: Option<String>,
    pub number: u16,
    pub proto: Proto,
}

/// The pods of one workload object (every replica has the template's labels and ports).
#[derive(Debug, Clone)]
pub struct Pod {
    /// `Kind/name` of the object whose template made the pod.
    pub object: String,
    pub kind: String,
    /// The pods' `app.kubernetes.io/name` label, else the object's name.
    pub workload: String,
    pub pod: std::sync::Arc<PodRef>,
}

/// A port of a Service and where it sends traffic.
#[derive(Debug, Clone)]
pub struct ServicePort {
    pub name: Option<String>,
    pub port: u16,
    pub target: IntOrString,
    pub proto: Proto,
}

/// A Service: the pods it selects (or the host it names) and its ports.
#[derive(Debug, Clone)]
pub struct Service {
    pub name: String,
    pub namespace: String,
    /// The Service's own labels (what a ServiceMonitor selects).
    pub labels: Labels,
    pub selector: Option<Labels>,
    pub external_name: Option<String>,
    pub ports: Vec<ServicePort>,
}

/// Everything of the emitted objects that decides what connects to what. NetworkPolicies
/// and Ingresses are borrowed from the typed objects they come from (owned when read from
/// JSON forms).
#[derive(Debug, Clone, Default)]
pub struct Cluster<'o> {
    pub pods: Vec<Pod>,
    pub services: Vec<Service>,
    /// NetworkPolicies with their namespace.
    pub policies: Vec<(String, Cow<'o, NetworkPolicy>)>,
    /// Labels of the Namespaces the objects define.
    pub namespaces: BTreeMap<String, Labels>,
    pub ingresses: Vec<Cow<'o, Ingress>>,
    /// HTTPRoutes and GRPCRoutes, as written.
    pub routes: Vec<Value>,
    /// Listeners of the Gateways among the objects.
    pub listeners: Vec<Listener>,
    /// Built on first use, from the objects above (which do not change after).
    index: std::sync::OnceLock<super::index::Index>,
}

/// One listener of a Gateway: what its routes are served over.
#[derive(Debug, Clone)]
pub struct Listener {
    pub namespace: String,
    pub gateway: String,
    pub name: String,
    /// HTTP, HTTPS, …
    pub protocol: String,
}

fn listeners(name: &str, namespace: &str, v: &Value) -> Vec<Listener> {
    let all = v.pointer("/spec/listeners").and_then(Value::as_array).into_iter().flatten();
    all.map(|l| Listener {
        namespace: namespace.to_string(),
        gateway: name.to_string(),
        name: l.get("name").and_then(Value::as_str).unwrap_or_default().to_string(),
        protocol: l.get("protocol").and_then(Value::as_str).unwrap_or_default().to_string(),
    })
    .collect()
}

/// Reads `v` as `T` in place (deserializing from a borrowed value copies no subtree).
fn typed<T: serde::de::DeserializeOwned>(v: &Value) -> Option<T> {
    T::deserialize(v).ok()
}

fn pod(kind: &str, name: &str, namespace: &str, t: &PodTemplateSpec) -> Pod {
    let labels: Labels = t.metadata.as_ref().and_then(|m| m.labels.clone()).unwrap_or_default();
    let spec = t.spec.as_ref();
    let containers = spec.into_iter().flat_map(|s| s.containers.iter().chain(s.init_containers.iter().flatten()));
    let ports = containers
        .flat_map(|c| c.ports.iter().flatten())
        .filter_map(|p| {
            Some(ContainerPort {
                name: p.name.clone(),
                number: u16::try_from(p.container_port).ok()?,
                proto: Proto::parse(p.protocol.as_deref()),
            })
        })
        .collect();
    let workload = labels.get(crate::expand::NAME).cloned().unwrap_or_else(|| name.to_string());
    Pod {
        object: format!("{kind}/{name}"),
        kind: kind.to_string(),
        workload,
        pod: std::sync::Arc::new(PodRef { namespace: namespace.to_string(), labels, ports }),
    }
}

fn service(name: &str, namespace: &str, s: &k8s_openapi::api::core::v1::Service) -> Option<Service> {
    let spec = s.spec.as_ref()?;
    let ports = spec
        .ports
        .iter()
        .flatten()
        .filter_map(|p| {
            let port = u16::try_from(p.port).ok()?;
            Some(ServicePort {
                name: p.name.clone(),
                port,
                target: p.target_port.clone().unwrap_or(IntOrString::Int(p.port)),
                proto: Proto::parse(p.protocol.as_deref()),
            })
        })
        .collect();
    Some(Service {
        name: name.to_string(),
        namespace: namespace.to_string(),
        labels: s.metadata.labels.clone().unwrap_or_default(),
        selector: spec.selector.clone().filter(|s| !s.is_empty()),
        external_name: spec.external_name.clone().filter(|_| spec.type_.as_deref() == Some("ExternalName")),
        ports,
    })
}

/// Whether [`Cluster::add_value`] reads objects of `kind` (the others are skipped without
/// building their JSON form).
fn reads(kind: &str) -> bool {
    matches!(
        kind,
        "Namespace"
            | "Service"
            | "NetworkPolicy"
            | "Ingress"
            | "HTTPRoute"
            | "GRPCRoute"
            | "Gateway"
            | "Deployment"
            | "StatefulSet"
            | "DaemonSet"
            | "ReplicaSet"
            | "Job"
            | "CronJob"
    )
}

impl<'o> Cluster<'o> {
    pub fn from_objects(objects: &'o [Object]) -> Cluster<'o> {
        let mut c = Cluster::default();
        for o in objects.iter().filter(|o| reads(&o.kind)) {
            if !c.add_typed(o) {
                c.add_value(o.value());
            }
        }
        c
    }

    /// Reads a typed workload, Service, NetworkPolicy, Ingress or Namespace as
    /// [`Cluster::add_value`] reads its JSON form, without building it; `false` for any
    /// other object.
    fn add_typed(&mut self, o: &'o Object) -> bool {
        use k8s_openapi::api::core::v1 as core;
        let ns = o.namespace.as_deref().unwrap_or("default");
        if let Some((kind, t)) = crate::pods::typed_template(o) {
            self.pods.extend(t.map(|t| pod(kind, &o.name, ns, t)));
        } else if let Some(s) = o.typed::<core::Service>() {
            self.services.extend(service(&o.name, ns, s));
        } else if let Some(p) = o.typed::<NetworkPolicy>() {
            self.policies.push((ns.to_string(), Cow::Borrowed(p)));
        } else if let Some(i) = o.typed::<Ingress>() {
            self.ingresses.push(Cow::Borrowed(i));
        } else if let Some(n) = o.typed::<core::Namespace>() {
            self.namespaces.insert(o.name.clone(), n.metadata.labels.clone().unwrap_or_default());
        } else {
            return false;
        }
        true
    }

    /// Reads objects given as JSON values (`kind`, `metadata`, `spec`).
    pub fn from_values<'a>(values: impl IntoIterator<Item = &'a Value>) -> Cluster<'o> {
        let mut c = Cluster::default();
        for v in values {
            c.add_value(v);
        }
        c
    }

    /// Adds one object given as its JSON form.
    fn add_value(&mut self, v: &Value) {
        let kind = v.get("kind").and_then(Value::as_str).unwrap_or_default();
        let meta = v.get("metadata");
        let name = meta.and_then(|m| m.get("name")).and_then(Value::as_str).unwrap_or_default();
        let namespace = meta.and_then(|m| m.get("namespace")).and_then(Value::as_str).unwrap_or("default");
        match kind {
            "Namespace" => {
                let labels = meta.and_then(|m| m.get("labels")).and_then(typed).unwrap_or_default();
                self.namespaces.insert(name.to_string(), labels);
            }
            "Service" => self.services.extend(typed(v).and_then(|s| service(name, namespace, &s))),
            "NetworkPolicy" => self.policies.extend(typed(v).map(|p| (namespace.to_string(), Cow::Owned(p)))),
            "Ingress" => self.ingresses.extend(typed(v).map(Cow::Owned)),
            "HTTPRoute" | "GRPCRoute" => self.routes.push(v.clone()),
            "Gateway" => self.listeners.extend(listeners(name, namespace, v)),
            _ => self.pods.extend(crate::pods::template_of_value(kind, v).map(|t| pod(kind, name, namespace, &t))),
        }
    }

    pub(super) fn index(&self) -> &super::index::Index {
        self.index.get_or_init(|| super::index::Index::new(self))
    }

    /// The Service `name` of `namespace`.
    pub fn service(&self, namespace: &str, name: &str) -> Option<&Service> {
        self.index().service(namespace, name).map(|i| &self.services[i])
    }

    /// The pods a Service selects.
    pub fn backends<'a>(&'a self, s: &'a Service) -> impl Iterator<Item = &'a Pod> + 'a {
        // Candidates: the pods carrying the selector's first label; each must match it all.
        let first = s.selector.as_ref().and_then(|sel| sel.iter().next());
        let candidates = first.map_or(&[][..], |(k, v)| self.index().pods_with(&s.namespace, k, v));
        candidates.iter().map(|&i| &self.pods[i]).filter(move |p| {
            s.selector.as_ref().is_some_and(|sel| sel.iter().all(|(k, v)| p.pod.labels.get(k) == Some(v)))
        })
    }

    /// Labels of a namespace: those its Namespace object gives, and the name label the API server sets.
    pub fn namespace_labels(&self, namespace: &str) -> Labels {
        let mut labels = self.namespaces.get(namespace).cloned().unwrap_or_default();
        labels.insert("kubernetes.io/metadata.name".to_string(), namespace.to_string());
        labels
    }
}

#[cfg(test)]
mod typed_tests {
    use super::*;

    /// The typed reading of workloads, Services, NetworkPolicies, Ingresses and Namespaces is
    /// the JSON reading.
    #[test]
    fn typed_objects_read_as_their_json_form() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut typed_deployments = 0;
        for platform in
            ["platforms/ai-workflow-engine", "platforms/workflow-automation", "examples/workflow-automation-logging"]
        {
            for (_, objects) in crate::check_expanded(&dir.join(platform), None).expect("a bundled platform checks") {
                typed_deployments +=
                    objects.iter().filter(|o| o.typed::<k8s_openapi::api::apps::v1::Deployment>().is_some()).count();
                let typed = format!("{:?}", Cluster::from_objects(&objects));
                let json = format!("{:?}", Cluster::from_values(objects.iter().map(Object::value)));
                assert_eq!(typed, json, "{platform}");
            }
        }
        assert!(typed_deployments > 0, "the typed reading was exercised");
    }
}
