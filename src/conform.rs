//! Hand-written objects checked against their kind: a generated object after its `patches`,
//! and each of `objects`, must still read as the built-in kind it names (k8s-openapi's typed
//! struct for its apiVersion and kind), with every value of the type the API defines and no
//! field the API does not define. Custom resources, and API versions k8s-openapi does not
//! serve, are not checked.
//!
//! The object is written as pretty JSON (one value a line) and read back as its typed struct,
//! so a type error's line names the field at fault; a field the struct does not keep is
//! found by comparing the object with the struct written out again.

use k8s_openapi::Resource;
use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    ConfigMap, LimitRange, Namespace, PersistentVolumeClaim, Pod, ResourceQuota, Secret, Service, ServiceAccount,
};
use k8s_openapi::api::networking::v1::{Ingress, IngressClass, NetworkPolicy};
use k8s_openapi::api::policy::v1::PodDisruptionBudget;
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::api::storage::v1::StorageClass;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// One step of a path into an object: a map key or a list index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// What is wrong with an object, at which path of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub path: Vec<Seg>,
    pub what: What,
    pub message: String,
    pub help: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum What {
    /// The last key of the path is no field of the kind.
    Unknown,
    /// The map at the path lacks this required field.
    Missing(String),
    /// The value at the path is not of the field's type.
    Type,
}

/// Reads pretty JSON as the typed kind and writes it out again, or says where reading stopped.
type Reader = fn(&str) -> Result<Value, Stop>;

/// Where (1-based line of the pretty JSON) and why reading stopped.
struct Stop {
    line: usize,
    message: String,
}

fn read<T: DeserializeOwned + Serialize>(text: &str) -> Result<Value, Stop> {
    let typed: T = serde_json::from_str(text).map_err(|e| {
        let message = e.to_string();
        let message = message.rsplit_once(" at line ").map_or(message.as_str(), |(m, _)| m).to_string();
        Stop { line: e.line(), message }
    })?;
    Ok(serde_json::to_value(typed).expect("k8s-openapi types serialize to JSON"))
}

macro_rules! readers {
    ($($ty:ty),* $(,)?) => {
        /// The reader of the built-in kind `kind` at `api_version`, if k8s-openapi has it.
        fn reader(api_version: &str, kind: &str) -> Option<Reader> {
            $(
                if api_version == <$ty as Resource>::API_VERSION && kind == <$ty as Resource>::KIND {
                    return Some(read::<$ty>);
                }
            )*
            None
        }
    };
}

readers!(
    Namespace,
    ResourceQuota,
    LimitRange,
    ServiceAccount,
    ConfigMap,
    Secret,
    Service,
    PersistentVolumeClaim,
    Pod,
    Deployment,
    StatefulSet,
    DaemonSet,
    ReplicaSet,
    Job,
    CronJob,
    PodDisruptionBudget,
    HorizontalPodAutoscaler,
    Ingress,
    IngressClass,
    NetworkPolicy,
    Role,
    RoleBinding,
    ClusterRole,
    ClusterRoleBinding,
    StorageClass,
    PriorityClass,
);

/// Whether the kind of `value` is one this module checks.
pub fn is_checked(value: &Value) -> bool {
    matches!((value["apiVersion"].as_str(), value["kind"].as_str()), (Some(a), Some(k)) if reader(a, k).is_some())
}

/// The first problem of `value` as an object of the kind it names; `Ok` for kinds not checked.
/// A number where the API takes a quantity (`cpu: 1`) is accepted, as the API server does.
pub fn check(value: &Value) -> Result<(), Fault> {
    let (Some(api), Some(kind)) = (value["apiVersion"].as_str(), value["kind"].as_str()) else {
        return Ok(());
    };
    let Some(read) = reader(api, kind) else {
        return Ok(());
    };
    let mut value = value.clone();
    loop {
        let text = serde_json::to_string_pretty(&value).expect("JSON values serialize");
        match read(&text) {
            Ok(round) => return differs(&value, &round, &mut Vec::new()).map_or(Ok(()), |f| Err(f.fault(kind))),
            Err(stop) => {
                let path = line_paths(&value).get(stop.line.saturating_sub(1)).cloned().unwrap_or_default();
                if stop.message.ends_with("expected Quantity") && quantity_as_text(&mut value, &path) {
                    continue;
                }
                return Err(wrong(kind, path, stop.message));
            }
        }
    }
}

/// Turns the number at `path` into its text, as the API server reads a quantity.
fn quantity_as_text(value: &mut Value, path: &[Seg]) -> bool {
    let mut at = value;
    for seg in path {
        let next = match (seg, at) {
            (Seg::Key(k), Value::Object(m)) => m.get_mut(k),
            (Seg::Index(i), Value::Array(a)) => a.get_mut(*i),
            _ => None,
        };
        let Some(next) = next else { return false };
        at = next;
    }
    match at {
        Value::Number(n) => {
            *at = Value::String(n.to_string());
            true
        }
        _ => false,
    }
}

fn wrong(kind: &str, path: Vec<Seg>, message: String) -> Fault {
    let at = if path.is_empty() { kind.to_string() } else { format!("`{}` of {kind}", dotted(&path)) };
    let help = if message.starts_with("invalid type: integer") && message.ends_with("expected a string") {
        "quote the value (`\"8000\"`): the API takes text here".to_string()
    } else {
        format!("write the value as `kubectl explain {}` describes it", explain(kind, &path))
    };
    Fault { message: format!("{at}: {message}"), help, path, what: What::Type }
}

/// A key the typed kind did not keep (unknown), or one it added (a required field, which
/// k8s-openapi fills with its default when it is missing).
struct Difference {
    path: Vec<Seg>,
    missing: Option<String>,
}

impl Difference {
    fn fault(self, kind: &str) -> Fault {
        let Difference { path, missing } = self;
        match missing {
            None => Fault {
                message: format!("`{}` is not a field of {kind}", dotted(&path)),
                help: format!(
                    "check the spelling and the level against `kubectl explain {}`",
                    explain(kind, &path[..path.len() - 1])
                ),
                path,
                what: What::Unknown,
            },
            Some(field) => Fault {
                message: match path.is_empty() {
                    true => format!("{kind} lacks the required field `{field}`"),
                    false => format!("`{}` of {kind} lacks the required field `{field}`", dotted(&path)),
                },
                help: format!(
                    "keep or write it: the API requires it (see `kubectl explain {}.{field}`)",
                    explain(kind, &path)
                ),
                path,
                what: What::Missing(field),
            },
        }
    }
}

/// The first difference between `value` and `round`, its typed reading written out again:
/// a key `value` has (not null) that `round` lacks, or the reverse.
fn differs(value: &Value, round: &Value, path: &mut Vec<Seg>) -> Option<Difference> {
    match (value, round) {
        (Value::Object(m), Value::Object(r)) => {
            for (k, v) in m.iter().filter(|(_, v)| !v.is_null()) {
                path.push(Seg::Key(k.clone()));
                let found = match r.get(k) {
                    None => Some(Difference { path: path.clone(), missing: None }),
                    Some(rv) => differs(v, rv, path),
                };
                path.pop();
                if found.is_some() {
                    return found;
                }
            }
            let missing = r.keys().find(|k| m.get(*k).is_none_or(Value::is_null));
            missing.map(|k| Difference { path: path.clone(), missing: Some(k.clone()) })
        }
        (Value::Array(a), Value::Array(r)) if a.len() == r.len() => {
            a.iter().zip(r).enumerate().find_map(|(i, (v, rv))| {
                path.push(Seg::Index(i));
                let found = differs(v, rv, path);
                path.pop();
                found
            })
        }
        _ => None,
    }
}

/// The path each line of `serde_json::to_string_pretty(value)` writes: a value's line, or
/// the closing bracket of a map or list (its own path).
fn line_paths(value: &Value) -> Vec<Vec<Seg>> {
    fn walk(v: &Value, path: &mut Vec<Seg>, out: &mut Vec<Vec<Seg>>) {
        let children: Vec<(Seg, &Value)> = match v {
            Value::Object(m) => m.iter().map(|(k, v)| (Seg::Key(k.clone()), v)).collect(),
            Value::Array(a) => a.iter().enumerate().map(|(i, v)| (Seg::Index(i), v)).collect(),
            _ => Vec::new(),
        };
        if children.is_empty() {
            return;
        }
        for (seg, child) in children {
            path.push(seg);
            out.push(path.clone());
            walk(child, path, out);
            path.pop();
        }
        out.push(path.clone());
    }
    let mut out = vec![Vec::new()];
    walk(value, &mut Vec::new(), &mut out);
    out
}

/// `spec.template.spec.containers[0].image`
pub fn dotted(path: &[Seg]) -> String {
    let mut out = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) if out.is_empty() => out.push_str(k),
            Seg::Key(k) => {
                out.push('.');
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// `deployment.spec.template.spec.containers`: the argument of `kubectl explain`.
fn explain(kind: &str, path: &[Seg]) -> String {
    let keys = path.iter().filter_map(|s| match s {
        Seg::Key(k) => Some(k.as_str()),
        Seg::Index(_) => None,
    });
    std::iter::once(kind.to_lowercase().as_str()).chain(keys).collect::<Vec<_>>().join(".")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment() -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api"},
            "spec": {"selector": {"matchLabels": {"app": "api"}}, "template": {"spec": {"containers": [
                {"name": "api", "image": "x:1", "resources": {"limits": {"cpu": "1"}}}]}}}})
    }

    fn key(k: &str) -> Seg {
        Seg::Key(k.to_string())
    }

    #[test]
    fn a_valid_object_and_unchecked_kinds_pass() {
        assert_eq!(check(&deployment()), Ok(()));
        assert_eq!(check(&json!({"apiVersion": "example.com/v1", "kind": "Widget", "spec": {"any": 1}})), Ok(()));
        assert!(!is_checked(&json!({"apiVersion": "apps/v1beta1", "kind": "Deployment"})));
        assert!(is_checked(&deployment()));
    }

    #[test]
    fn an_unknown_field_is_named_with_its_path() {
        let mut d = deployment();
        d["spec"]["template"]["spec"]["containers"][0]["imagePullPolicyy"] = json!("Always");
        let f = check(&d).unwrap_err();
        assert_eq!(f.message, "`spec.template.spec.containers[0].imagePullPolicyy` is not a field of Deployment");
        assert_eq!(
            f.help,
            "check the spelling and the level against `kubectl explain deployment.spec.template.spec.containers`"
        );
        assert_eq!(f.path.last(), Some(&key("imagePullPolicyy")));
    }

    #[test]
    fn a_wrong_type_is_named_at_its_field() {
        let mut d = deployment();
        d["spec"]["replicas"] = json!("three");
        let f = check(&d).unwrap_err();
        assert_eq!(f.path, vec![key("spec"), key("replicas")]);
        assert_eq!(f.message, "`spec.replicas` of Deployment: invalid type: string \"three\", expected i32");
        let mut d = deployment();
        d["spec"]["template"]["spec"]["containers"][0]["image"] = json!(8000);
        assert!(check(&d).unwrap_err().help.starts_with("quote the value"));
    }

    #[test]
    fn a_missing_required_field_is_named_at_its_parent() {
        let mut d = deployment();
        d["spec"].as_object_mut().unwrap().shift_remove("selector");
        let f = check(&d).unwrap_err();
        assert_eq!(f.path, vec![key("spec")]);
        assert_eq!(f.message, "`spec` of Deployment lacks the required field `selector`");
        assert_eq!(f.what, What::Missing("selector".into()));
    }

    #[test]
    fn numbers_are_quantities_as_the_api_server_reads_them_and_nulls_are_no_fields() {
        let mut d = deployment();
        d["spec"]["template"]["spec"]["containers"][0]["resources"] = json!({"limits": {"cpu": 1, "memory": 2}});
        d["spec"]["paused"] = Value::Null;
        assert_eq!(check(&d), Ok(()));
    }

    #[test]
    fn line_paths_follow_the_pretty_printer() {
        let v = json!({"a": {"b": [1, {}], "c": []}, "d": 2});
        let text = serde_json::to_string_pretty(&v).unwrap();
        let paths = line_paths(&v);
        assert_eq!(paths.len(), text.lines().count(), "{text}");
        assert_eq!(paths[3], vec![key("a"), key("b"), Seg::Index(0)]);
        assert_eq!(dotted(&paths[3]), "a.b[0]");
        assert_eq!(text.lines().nth(3).unwrap().trim(), "1,");
    }
}
