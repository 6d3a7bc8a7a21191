//! What the import does with a field the build writes differently: carry it
//! through the escape hatch (a JSON patch operation on the built object, under
//! `patches:`), or report it when genk8s differs on purpose — its own selectors,
//! names and labels, the restricted security profile, the database engine's pod,
//! cluster state — and say why.

use crate::yaml::{Node, NodeKind};

/// Labels and annotations that describe the tool that wrote the input.
const TOOL_KEYS: &[&str] = &["app.kubernetes.io/managed-by", "helm.sh/chart", "heritage", "chart", "release"];

/// Whether an init container named so runs the app's migrations (the spec's `migrate:`).
pub fn is_migration(name: &str) -> bool {
    name.contains("migrat")
}

/// Whether a label or annotation key only describes the tool that wrote the input.
pub fn is_tool_key(key: &str) -> bool {
    TOOL_KEYS.contains(&key) || key.starts_with("meta.helm.sh/")
}

/// Fields the API server writes: cluster state, never part of a spec.
const CLUSTER_STATE: &[&str] = &[
    "status",
    "metadata.uid",
    "metadata.resourceVersion",
    "metadata.generation",
    "metadata.creationTimestamp",
    "metadata.managedFields",
    "metadata.selfLink",
];

/// Why genk8s writes `path` differently on purpose (so the field is reported, not
/// patched), or `None` when a patch should carry the input's value. `kind` is the
/// built object's kind, `input_kind` the input's.
pub fn deliberate(kind: &str, input_kind: &str, path: &str, input: &Node, out: Option<&Node>) -> Option<String> {
    let shown = out.map(short);
    let segments: Vec<&str> = path.split('.').collect();
    if CLUSTER_STATE.iter().any(|c| path == *c || path.starts_with(&format!("{c}."))) {
        return Some("cluster state the API server writes; not part of a spec".into());
    }
    if segments.iter().any(|s| matches!(strip_index(s), "selector" | "labelSelector" | "podSelector")) {
        return Some("genk8s selects pods by app.kubernetes.io/name and part-of (a live Deployment's selector cannot change: delete it with --cascade=orphan, then apply)".into());
    }
    if path == "metadata.name" {
        return Some(format!("genk8s names it {}", shown.unwrap_or_default()));
    }
    if path == "metadata.namespace" {
        return Some(format!("the environment's namespace is {}", shown.unwrap_or_default()));
    }
    if kind != input_kind {
        return Some(format!("the input's {input_kind} is built as a {kind}"));
    }
    if path == "spec.replicas" && out.is_none() {
        return Some("the HorizontalPodAutoscaler owns the replicas (genk8s writes none beside an autoscaler)".into());
    }
    if let Some(why) = metadata_key(path, out) {
        return Some(why);
    }
    if kind == "StatefulSet" && !is_metadata(path) {
        return Some("the database engine's template writes the database's pod (the spec sets its version, storage, resources, env and args)".into());
    }
    pod_field(path, input, shown)
}

/// `containers[x]` → `containers`.
fn strip_index(s: &str) -> &str {
    s.split('[').next().unwrap_or(s)
}

fn is_metadata(path: &str) -> bool {
    ["metadata.labels", "metadata.annotations", "spec.template.metadata.labels", "spec.template.metadata.annotations"]
        .iter()
        .any(|p| path.starts_with(p))
}

/// A label or annotation genk8s writes its own way.
fn metadata_key(path: &str, out: Option<&Node>) -> Option<String> {
    let (_, key) = ["labels.", "annotations."].iter().find_map(|m| path.split_once(m))?;
    if is_tool_key(key) {
        return Some(
            "describes the tool that wrote the input (genk8s writes app.kubernetes.io/managed-by: genk8s)".into(),
        );
    }
    if key.starts_with("checksum/") {
        return Some("genk8s rolls pods through content-hashed config names instead of checksum annotations".into());
    }
    if key == "kubernetes.io/ingress.class" {
        return Some("deprecated annotation; genk8s writes spec.ingressClassName".into());
    }
    if key.starts_with("app.kubernetes.io/") && out.is_some() {
        return Some(format!("genk8s writes its own {key}: {}", out.map(short).unwrap_or_default()));
    }
    None
}

/// A pod field genk8s writes on purpose: names, its own init containers, the security profile.
fn pod_field(path: &str, input: &Node, shown: Option<String>) -> Option<String> {
    let last = path.rsplit('.').next().unwrap_or(path);
    let parent = path.rsplit_once('.').map(|(p, _)| p.rsplit('.').next().unwrap_or(p)).unwrap_or("");
    if last == "name" && shown.is_some() {
        match strip_index(parent) {
            "containers" => {
                return Some(format!("genk8s names the container after the service ({})", shown.unwrap_or_default()));
            }
            "volumes" | "volumeMounts" => {
                return Some(format!("genk8s names the volume {}", shown.unwrap_or_default()));
            }
            _ => {}
        }
    }
    if let Some((_, rest)) = path.split_once("initContainers[") {
        let name = rest.split(']').next().unwrap_or_default();
        if name.starts_with("wait-for-") {
            return Some("genk8s writes its own wait-for init container for each database in uses".into());
        }
        if is_migration(name) {
            return Some(
                "the spec's migrate: step runs it as a Job (<service>-migrate-<hash>) the pods wait for".into(),
            );
        }
    }
    if path.ends_with("http01.ingress.class") {
        return Some("genk8s writes ingressClassName (cert-manager refuses class beside it)".into());
    }
    let _ = input;
    if path.contains("securityContext") && shown.is_some() {
        return Some(format!("genk8s keeps the restricted Pod Security profile ({})", shown.unwrap_or_default()));
    }
    None
}

/// A value as shown in a message.
pub fn short(n: &Node) -> String {
    let s = match &n.kind {
        NodeKind::Scalar { text, .. } => text.clone(),
        NodeKind::Null => "null".into(),
        NodeKind::Seq(items) => format!("a list of {}", items.len()),
        NodeKind::Map(_) => "a map".into(),
    };
    let s = s.replace('\n', " ");
    if s.chars().count() > 60 { format!("{}…", s.chars().take(60).collect::<String>()) } else { s }
}
