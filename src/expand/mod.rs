//! Stage 4, expand: turn a validated spec into typed Kubernetes objects.
//!
//! Everything here builds `k8s-openapi` structs; the only conversion to a generic
//! value happens in [`Object::value`], when something asks for it (a build writes
//! typed objects straight to text).
//!
//! Each object kind has one builder, in a module named for it; [`pod`] builds every pod.
//! No function here is longer than `clippy.toml`'s `too-many-lines-threshold`.
#![warn(clippy::too_many_lines)]

mod alb;
mod autoscaler;
mod backup;
mod budget;
mod claim;
mod config_map;
mod daemon_set;
mod database;
mod database_files;
mod deployment;
mod egress;
mod gateway;
mod ingress;
mod migration;
mod monitoring;
mod mounts;
mod network;
mod patched;
mod platform;
mod pod;
mod rbac;
mod rollout;
mod route;
mod secrets;
mod service;
mod service_account;
mod service_object;
mod sidecar;
mod wired_egress;
mod workload_alerts;
mod workload_job;

use crate::spec::Map;
use crate::validate::Valid;
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// One finished Kubernetes object, ready for emission: the typed object as built, or its
/// JSON form once something asked for it (a patch, a verbatim object, or a check with no
/// typed reading of what it looks at, such as GK019 on a route's rules). Emission
/// writes the typed object straight to text ([`crate::yaml::ser`]), the same text the
/// JSON form gives.
pub struct Object {
    pub kind: String,
    pub name: String,
    pub namespace: Option<String>,
    value: std::sync::OnceLock<serde_json::Value>,
    /// Absent once the JSON form may have been changed ([`Object::value_mut`]).
    typed: Option<Box<dyn Typed>>,
}

/// A typed object that can render itself.
trait Typed: Send + Sync {
    fn to_value(&self) -> serde_json::Value;
    fn emit(&self, out: &mut String);
    fn meta(&self) -> &ObjectMeta;
    fn any(&self) -> &dyn std::any::Any;
}

impl<T: k8s_openapi::Resource + k8s_openapi::Metadata<Ty = ObjectMeta> + Serialize + Send + Sync + 'static> Typed
    for T
{
    fn to_value(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).expect("k8s-openapi types serialize to JSON");
        if let serde_json::Value::Object(m) = &mut value {
            // Built-in kinds serialize these themselves; the typed CRDs in crate::crd do not.
            m.insert("apiVersion".into(), T::API_VERSION.into());
            m.insert("kind".into(), T::KIND.into());
        }
        head_first(value)
    }

    fn emit(&self, out: &mut String) {
        crate::yaml::ser::object(self, T::API_VERSION, T::KIND, out);
    }

    fn meta(&self) -> &ObjectMeta {
        self.metadata()
    }

    fn any(&self) -> &dyn std::any::Any {
        self
    }
}

impl Object {
    pub fn new<
        T: k8s_openapi::Resource + k8s_openapi::Metadata<Ty = ObjectMeta> + Serialize + Send + Sync + 'static,
    >(
        t: T,
    ) -> Object {
        let md = t.metadata();
        let name = md.name.clone().expect("every expanded object is given a name");
        let namespace = md.namespace.clone();
        Object {
            kind: T::KIND.to_string(),
            name,
            namespace,
            value: std::sync::OnceLock::new(),
            typed: Some(Box::new(t)),
        }
    }

    /// An object given as its JSON form.
    pub fn from_value(kind: String, name: String, namespace: Option<String>, value: serde_json::Value) -> Object {
        Object { kind, name, namespace, value: std::sync::OnceLock::from(value), typed: None }
    }

    /// The JSON form (apiVersion, kind and metadata first).
    pub fn value(&self) -> &serde_json::Value {
        self.value.get_or_init(|| self.typed.as_ref().expect("an object is typed or has its value").to_value())
    }

    /// The JSON form, to change: from now on the object is emitted from it.
    pub fn value_mut(&mut self) -> &mut serde_json::Value {
        self.value();
        self.typed = None;
        self.value.get_mut().expect("value() sets it")
    }

    /// The typed object, while its JSON form has not been changed (`None` for an object
    /// given as JSON, a patched one, or one of another type).
    pub fn typed<T: 'static>(&self) -> Option<&T> {
        self.typed.as_ref()?.any().downcast_ref::<T>()
    }

    /// The value of label `key`, read without building the JSON form.
    pub fn label(&self, key: &str) -> Option<&str> {
        match (self.value.get(), &self.typed) {
            (None, Some(t)) => t.meta().labels.as_ref()?.get(key).map(String::as_str),
            _ => self.value()["metadata"]["labels"][key].as_str(),
        }
    }

    /// Appends the object as a YAML document body (no `---`).
    pub fn emit(&self, out: &mut String) {
        match (self.value.get(), &self.typed) {
            (None, Some(t)) => t.emit(out),
            _ => crate::yaml::emit::emit(self.value(), out),
        }
    }
}

impl Clone for Object {
    fn clone(&self) -> Object {
        Object::from_value(self.kind.clone(), self.name.clone(), self.namespace.clone(), self.value().clone())
    }
}

impl std::fmt::Debug for Object {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Object")
            .field("kind", &self.kind)
            .field("name", &self.name)
            .field("namespace", &self.namespace)
            .field("value", self.value())
            .finish()
    }
}

/// Puts apiVersion, kind and metadata first, the order people read manifests in.
fn head_first(v: serde_json::Value) -> serde_json::Value {
    let serde_json::Value::Object(mut m) = v else {
        return v;
    };
    let mut out = serde_json::Map::with_capacity(m.len());
    for k in ["apiVersion", "kind", "metadata"] {
        if let Some(x) = m.shift_remove(k) {
            out.insert(k.to_string(), x);
        }
    }
    out.extend(m);
    serde_json::Value::Object(out)
}

/// Shared facts about the environment being expanded.
pub struct Ctx<'a> {
    pub v: &'a Valid,
    /// Hashed ConfigMap name of each platform config.
    pub config_names: BTreeMap<String, String>,
}

pub use service::DEFAULT_UID;

pub const NAME: &str = "app.kubernetes.io/name";
pub const PART_OF: &str = "app.kubernetes.io/part-of";
pub const COMPONENT: &str = "app.kubernetes.io/component";
pub const MANAGED_BY: &str = "app.kubernetes.io/managed-by";
pub const VERSION: &str = "app.kubernetes.io/version";
/// The environment an object belongs to: what `kubectl apply --prune -l` selects on.
pub const ENVIRONMENT: &str = "genk8s.io/environment";

impl Ctx<'_> {
    /// Labels that select a workload's pods: stable across environments and versions.
    pub fn selector(&self, name: &str) -> Map {
        Map::from([(NAME.to_string(), name.to_string()), (PART_OF.to_string(), self.v.spec.platform.clone())])
    }

    /// Recommended labels for an object belonging to workload `name`.
    pub fn labels(&self, name: &str, component: &str) -> Map {
        let mut l = self.v.spec.labels.clone();
        l.extend(self.selector(name));
        l.insert(COMPONENT.to_string(), component.to_string());
        l.insert(MANAGED_BY.to_string(), "genk8s".to_string());
        l.insert(ENVIRONMENT.to_string(), self.v.env.clone());
        l
    }

    pub fn meta(&self, name: impl Into<String>, labels: Map, extra_annotations: &Map) -> ObjectMeta {
        let mut annotations = self.v.spec.annotations.clone();
        annotations.extend(extra_annotations.clone());
        ObjectMeta {
            name: Some(name.into()),
            namespace: Some(self.v.namespace.clone()),
            labels: non_empty_map(labels),
            annotations: non_empty_map(annotations),
            ..ObjectMeta::default()
        }
    }

    /// The platform's image pull secrets, then a workload's own, each once.
    pub fn pull_secrets(&self, own: &[String]) -> Vec<String> {
        let mut all = self.v.spec.image_pull_secrets.clone();
        for s in own {
            if !all.contains(s) {
                all.push(s.clone());
            }
        }
        all
    }

    /// Labels for objects that belong to the environment as a whole.
    pub fn platform_labels(&self) -> Map {
        let mut l = self.cluster_labels();
        l.insert(ENVIRONMENT.to_string(), self.v.env.clone());
        l
    }

    /// Labels for cluster-scoped objects (StorageClass, ClusterIssuer), which every
    /// environment shares: the platform's, without an environment.
    pub fn cluster_labels(&self) -> Map {
        let mut l = self.v.spec.labels.clone();
        l.insert(PART_OF.to_string(), self.v.spec.platform.clone());
        l.insert(MANAGED_BY.to_string(), "genk8s".to_string());
        l
    }
}

/// The name of service `name`'s Service: `service_name`, or the service's own.
pub fn service_name<'a>(name: &'a str, svc: &'a crate::spec::Service) -> &'a str {
    svc.service_name.as_deref().unwrap_or(name)
}

pub fn non_empty<T>(v: Vec<T>) -> Option<Vec<T>> {
    if v.is_empty() { None } else { Some(v) }
}

pub fn non_empty_map(m: Map) -> Option<Map> {
    if m.is_empty() { None } else { Some(m) }
}

/// `"3"` as a number, `"25%"` (or anything else) as a string.
pub fn int_or_string(v: &str) -> IntOrString {
    match v.parse::<i32>() {
        Ok(n) if crate::validate::is_int_or_percent(v) => IntOrString::Int(n),
        _ => IntOrString::String(v.to_string()),
    }
}

/// `<base>-<10 hex digits of sha256(data)>`: the name changes exactly when the data does.
pub fn hashed_name(base: &str, data: &BTreeMap<String, String>) -> String {
    let mut h = Sha256::new();
    for (k, v) in data {
        h.update((k.len() as u64).to_le_bytes());
        h.update(k.as_bytes());
        h.update((v.len() as u64).to_le_bytes());
        h.update(v.as_bytes());
    }
    let digest = h.finalize();
    let hex: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
    format!("{base}-{hex}")
}

/// Where expanded objects go: collected whole (lint), or rendered at once so a
/// large platform never holds every object's tree in memory (build).
pub trait Sink {
    fn push(&mut self, o: Object);
}

/// Objects keep their typed form (the evaluator reads it without JSON); the JSON form is
/// built once, on a consumer's first read.
impl Sink for Vec<Object> {
    fn push(&mut self, o: Object) {
        Vec::push(self, o);
    }
}

/// Builds every object of the environment.
pub fn expand(v: &Valid) -> Vec<Object> {
    let mut objects = Vec::new();
    expand_into(v, &mut objects);
    objects
}

/// Builds every object of the environment into `objects` (patched; `check` has already
/// refused patches that do not apply).
pub fn expand_into(v: &Valid, objects: &mut dyn Sink) {
    let _ = expand_checked(v, objects);
}

/// Builds every object into `out` with `patches` applied and `objects` added after;
/// returns a problem for each patch that matches no object or does not apply.
pub fn expand_checked(v: &Valid, out: &mut dyn Sink) -> Vec<crate::diag::Diagnostic> {
    let mut sink = patched::Patched::new(&v.patches, out);
    let ctx = head(v, &mut sink);
    for (name, svc) in &v.spec.services {
        service::expand(&ctx, name, svc, &mut sink);
    }
    tail(&ctx, &mut sink);
    sink.problems()
}

/// [`expand_checked`] with the services expanded in threads ([`crate::par`]), each run of
/// services into a sink of its own from `make`. Returns the sinks in the order one thread
/// makes the objects (the platform's first objects, each run of services, then databases,
/// policies and the rest) and the problems, as [`expand_checked`] finds them.
pub fn expand_split<S: Sink + Send>(v: &Valid, make: impl Fn() -> S + Sync) -> (Vec<S>, Vec<crate::diag::Diagnostic>) {
    let mut first = make();
    let mut found = patched::Found::new(&v.patches);
    let ctx = {
        let mut sink = patched::Patched::new(&v.patches, &mut first);
        let ctx = head(v, &mut sink);
        found.add(sink);
        ctx
    };
    let services: Vec<(&String, &crate::spec::Service)> = v.spec.services.iter().map(|(n, s)| (n, &**s)).collect();
    // More runs than threads, so a thread that finishes early takes another.
    let runs = crate::par::chunks(&services, crate::par::threads() * 4);
    let expanded = crate::par::map(runs, |run| {
        let mut out = make();
        let mut sink = patched::Patched::new(&v.patches, &mut out);
        for (name, svc) in run {
            service::expand(&ctx, name, svc, &mut sink);
        }
        (sink.into_found(), out)
    });
    let mut sinks = vec![first];
    for (f, out) in expanded {
        found.merge(f);
        sinks.push(out);
    }
    let mut last = make();
    let mut sink = patched::Patched::new(&v.patches, &mut last);
    tail(&ctx, &mut sink);
    found.add(sink);
    sinks.push(last);
    (sinks, found.problems(&v.patches))
}

/// The objects before the services': the namespace, the platform's, configs, gateway.
fn head<'v>(v: &'v Valid, objects: &mut dyn Sink) -> Ctx<'v> {
    let mut ctx = Ctx { v, config_names: BTreeMap::new() };
    objects.push(namespace(&ctx));
    platform::expand(&ctx, objects);
    config_map::configs(&mut ctx, objects);
    gateway::expand(&ctx, objects);
    ctx
}

/// The objects after the services': databases, network, monitoring, secrets, then `objects`.
fn tail(ctx: &Ctx, objects: &mut patched::Patched) {
    for (name, db) in &ctx.v.spec.databases {
        database::expand(ctx, name, db, objects);
    }
    network::expand(ctx, objects);
    monitoring::expand(ctx, objects);
    secrets::expand(ctx, objects);
    for o in &ctx.v.objects {
        objects.push_extra(o);
    }
}

pub fn file_content(v: &Valid, f: &crate::spec::FileSource) -> String {
    match (&f.content, &f.from) {
        (Some(c), _) => c.clone(),
        (None, Some(from)) => v.files.get(from).cloned().expect("validate reads every from: file"),
        (None, None) => unreachable!("validate requires content or from"),
    }
}

fn namespace(ctx: &Ctx) -> Object {
    let mut labels = ctx.v.spec.namespace_labels.clone();
    labels.extend(ctx.platform_labels());
    labels.insert("genk8s.io/environment".to_string(), ctx.v.env.clone());
    // Every pod genk8s writes meets the restricted profile, but for the hostPath volumes of
    // a daemon set, which a namespace enforcing `privileged` (`pod_security`) admits;
    // audit and warn stay restricted, so anything else that strays from it still shows.
    let enforce = ctx.v.spec.pod_security.as_deref().unwrap_or("restricted");
    for (mode, level) in [("enforce", enforce), ("audit", "restricted"), ("warn", "restricted")] {
        labels.insert(format!("pod-security.kubernetes.io/{mode}"), level.to_string());
    }
    Object::new(Namespace {
        metadata: ObjectMeta {
            name: Some(ctx.v.namespace.clone()),
            labels: Some(labels),
            annotations: non_empty_map(
                ctx.v.spec.annotations.clone().into_iter().chain(ctx.v.spec.namespace_annotations.clone()).collect(),
            ),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn int_or_string_keeps_numbers_numeric_and_percentages_text() {
        assert_eq!(int_or_string("3"), IntOrString::Int(3));
        assert_eq!(int_or_string("25%"), IntOrString::String("25%".into()));
        assert_eq!(int_or_string("-1"), IntOrString::String("-1".into()));
    }
}
