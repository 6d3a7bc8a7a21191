//! Fields the API server will not change in place.
//!
//! `kubectl apply` of a changed object is an update; for the fields in [`RULES`] the API
//! server refuses that update ("field is immutable"), so the apply fails half-way. [`check`]
//! compares an object as it is on disk (what the cluster was given last) with what a build
//! would write and names each such field with what to do instead. `genk8s diff` and
//! `genk8s build --check` report them.

use crate::yaml::{Node, NodeKind};

/// How a field may not change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    /// Not at all, once the object exists.
    Any,
    /// A storage quantity may grow (with an expandable class) but never shrink.
    Shrink,
    /// A Service's type may not become ExternalName: the live object keeps the cluster IP
    /// the API server allocated, which an ExternalName Service must not have.
    ToExternalName,
    /// Data of a ConfigMap or Secret marked `immutable: true` in the old object.
    WhenMarkedImmutable,
}

/// One immutable field of a kind.
struct Rule {
    kind: &'static str,
    path: &'static [&'static str],
    change: Change,
    /// What to do instead.
    fix: &'static str,
}

const RECREATE: &str = "delete the object and apply again";
const ORPHAN: &str = "delete it with `kubectl delete --cascade=orphan` (its pods keep running) and apply again";
const NEW_JOB: &str = "delete the Job (or give it a new name) and apply again";
const NEW_CLAIM: &str = "create a claim under a new name and copy the data, or keep the old value";

/// The immutable fields genk8s output can carry, per kind.
const RULES: &[Rule] = &[
    Rule { kind: "Job", path: &["spec", "template"], change: Change::Any, fix: NEW_JOB },
    Rule { kind: "Job", path: &["spec", "selector"], change: Change::Any, fix: NEW_JOB },
    Rule { kind: "Deployment", path: &["spec", "selector"], change: Change::Any, fix: ORPHAN },
    Rule { kind: "DaemonSet", path: &["spec", "selector"], change: Change::Any, fix: ORPHAN },
    Rule { kind: "StatefulSet", path: &["spec", "selector"], change: Change::Any, fix: ORPHAN },
    Rule { kind: "StatefulSet", path: &["spec", "serviceName"], change: Change::Any, fix: ORPHAN },
    Rule { kind: "StatefulSet", path: &["spec", "volumeClaimTemplates"], change: Change::Any, fix: ORPHAN },
    Rule { kind: "StatefulSet", path: &["spec", "podManagementPolicy"], change: Change::Any, fix: ORPHAN },
    Rule { kind: "PersistentVolumeClaim", path: &["spec", "storageClassName"], change: Change::Any, fix: NEW_CLAIM },
    Rule { kind: "PersistentVolumeClaim", path: &["spec", "accessModes"], change: Change::Any, fix: NEW_CLAIM },
    Rule { kind: "PersistentVolumeClaim", path: &["spec", "volumeMode"], change: Change::Any, fix: NEW_CLAIM },
    Rule {
        kind: "PersistentVolumeClaim",
        path: &["spec", "resources", "requests", "storage"],
        change: Change::Shrink,
        fix: NEW_CLAIM,
    },
    Rule { kind: "Service", path: &["spec", "clusterIP"], change: Change::Any, fix: RECREATE },
    Rule { kind: "Service", path: &["spec", "type"], change: Change::ToExternalName, fix: RECREATE },
    Rule { kind: "StorageClass", path: &["provisioner"], change: Change::Any, fix: RECREATE },
    Rule { kind: "StorageClass", path: &["parameters"], change: Change::Any, fix: RECREATE },
    Rule { kind: "StorageClass", path: &["reclaimPolicy"], change: Change::Any, fix: RECREATE },
    Rule { kind: "StorageClass", path: &["volumeBindingMode"], change: Change::Any, fix: RECREATE },
    Rule { kind: "RoleBinding", path: &["roleRef"], change: Change::Any, fix: RECREATE },
    Rule { kind: "ClusterRoleBinding", path: &["roleRef"], change: Change::Any, fix: RECREATE },
    Rule { kind: "ConfigMap", path: &["data"], change: Change::WhenMarkedImmutable, fix: RECREATE },
    Rule { kind: "Secret", path: &["data"], change: Change::WhenMarkedImmutable, fix: RECREATE },
];

/// A change the API server would reject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    /// The field's path, such as `spec.template`.
    pub field: String,
    /// Why it is rejected and what to do instead.
    pub advice: String,
}

/// Every change from `old` (on disk) to `new` (the build) of one object that the API server
/// would refuse as an update. Objects of different kinds are not compared.
pub fn check(old: &Node, new: &Node) -> Vec<Rejection> {
    let kind = new.get("kind").and_then(Node::as_str);
    if kind.is_none() || kind != old.get("kind").and_then(Node::as_str) {
        return Vec::new();
    }
    RULES
        .iter()
        .filter(|r| Some(r.kind) == kind)
        .filter_map(|r| {
            let (a, b) = (at(old, r.path), at(new, r.path));
            rejected(r.change, old, a, b)
                .map(|why| Rejection { field: r.path.join("."), advice: format!("{why}; {}", r.fix) })
        })
        .collect()
}

/// Why the change of one field from `a` to `b` is rejected, or `None` when it is not.
fn rejected(change: Change, old: &Node, a: Option<&Node>, b: Option<&Node>) -> Option<String> {
    if same(a, b) {
        return None;
    }
    match change {
        Change::Any => Some("cannot change once the object exists".to_string()),
        Change::Shrink => {
            let size = |n: Option<&Node>| n.and_then(Node::as_str).and_then(crate::quantity::parse);
            match (size(a), size(b)) {
                (Some(x), Some(y)) if y < x => Some("a claim cannot shrink".to_string()),
                _ => None,
            }
        }
        Change::ToExternalName => (b.and_then(Node::as_str) == Some("ExternalName"))
            .then(|| "the live Service keeps its cluster IP, which an ExternalName Service must not have".to_string()),
        Change::WhenMarkedImmutable => (old.get("immutable").and_then(Node::as_str) == Some("true"))
            .then(|| "the object is marked `immutable: true`".to_string()),
    }
}

fn at<'a>(n: &'a Node, path: &[&str]) -> Option<&'a Node> {
    path.iter().try_fold(n, |n, k| n.get(k)).filter(|n| !matches!(n.kind, NodeKind::Null))
}

/// Equal as values: map key order, quoting style and positions do not matter.
fn same(a: Option<&Node>, b: Option<&Node>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => equal(a, b),
        _ => false,
    }
}

fn equal(a: &Node, b: &Node) -> bool {
    match (&a.kind, &b.kind) {
        (NodeKind::Null, NodeKind::Null) => true,
        (NodeKind::Scalar { text: x, .. }, NodeKind::Scalar { text: y, .. }) => x == y,
        (NodeKind::Seq(x), NodeKind::Seq(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q)),
        (NodeKind::Map(x), NodeKind::Map(y)) => {
            x.len() == y.len() && x.iter().all(|e| b.get(&e.key).is_some_and(|v| equal(&e.value, v)))
        }
        _ => false,
    }
}

/// The table of [`RULES`] as Markdown rows (kind, field, what to do), for the README.
pub fn table() -> String {
    RULES.iter().map(|r| format!("| {} | `{}` | {} |\n", r.kind, r.path.join("."), r.fix)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;

    fn rejections(old: &str, new: &str) -> Vec<String> {
        check(&parse(old, 0).unwrap(), &parse(new, 0).unwrap()).into_iter().map(|r| r.field).collect()
    }

    #[test]
    fn a_job_template_change_is_rejected() {
        let job = |image: &str| {
            format!(
                "kind: Job\nspec:\n  backoffLimit: 4\n  template:\n    spec:\n      containers: [{{name: m, image: {image}}}]\n"
            )
        };
        assert_eq!(rejections(&job("a:1"), &job("a:2")), ["spec.template"]);
        assert!(rejections(&job("a:1"), &job("a:1")).is_empty());
        let reordered =
            "kind: Job\nspec:\n  template:\n    spec:\n      containers: [{image: a:1, name: m}]\n  backoffLimit: 4\n";
        assert!(rejections(&job("a:1"), reordered).is_empty(), "key order and layout are no change");
    }

    #[test]
    fn selectors_claims_and_service_names_are_fixed() {
        let sts = |svc: &str, sel: &str| {
            format!(
                "kind: StatefulSet\nspec:\n  serviceName: {svc}\n  selector: {{matchLabels: {{a: {sel}}}}}\n  replicas: 1\n"
            )
        };
        assert_eq!(rejections(&sts("db", "x"), &sts("db2", "y")), ["spec.selector", "spec.serviceName"]);
        let dep = |sel: &str, r: u8| {
            format!("kind: Deployment\nspec:\n  replicas: {r}\n  selector: {{matchLabels: {{a: {sel}}}}}\n")
        };
        assert!(rejections(&dep("x", 1), &dep("x", 3)).is_empty(), "replicas change in place");
        assert_eq!(rejections(&dep("x", 1), &dep("y", 1)), ["spec.selector"]);
        assert!(rejections(&dep("x", 1), &sts("db", "y")).is_empty(), "different kinds are not compared");
    }

    #[test]
    fn a_claim_may_grow_but_not_shrink_or_change_class() {
        let pvc = |size: &str, class: &str| {
            format!(
                "kind: PersistentVolumeClaim\nspec:\n  storageClassName: {class}\n  resources: {{requests: {{storage: {size}}}}}\n"
            )
        };
        assert!(rejections(&pvc("10Gi", "ssd"), &pvc("20Gi", "ssd")).is_empty());
        assert_eq!(rejections(&pvc("10Gi", "ssd"), &pvc("9Gi", "ssd")), ["spec.resources.requests.storage"]);
        assert_eq!(rejections(&pvc("1Gi", "ssd"), &pvc("1024Mi", "hdd")), ["spec.storageClassName"]);
    }

    #[test]
    fn services_keep_their_cluster_ip() {
        let svc = |extra: &str| format!("kind: Service\nspec:\n  ports: [{{port: 80}}]\n{extra}");
        assert_eq!(rejections(&svc(""), &svc("  clusterIP: None\n")), ["spec.clusterIP"]);
        assert_eq!(rejections(&svc(""), &svc("  type: ExternalName\n")), ["spec.type"]);
        assert!(rejections(&svc("  type: ExternalName\n"), &svc("")).is_empty(), "the server allocates an IP");
        assert!(rejections(&svc(""), &svc("  type: NodePort\n")).is_empty());
    }

    #[test]
    fn immutable_config_data_and_role_refs() {
        let cm = |imm: &str, v: &str| format!("kind: ConfigMap\n{imm}data: {{a: {v}}}\n");
        assert!(rejections(&cm("", "1"), &cm("", "2")).is_empty());
        assert_eq!(rejections(&cm("immutable: true\n", "1"), &cm("immutable: true\n", "2")), ["data"]);
        let rb = |role: &str| format!("kind: RoleBinding\nroleRef: {{kind: Role, name: {role}}}\n");
        assert_eq!(rejections(&rb("a"), &rb("b")), ["roleRef"]);
    }

    #[test]
    fn advice_names_what_to_do() {
        let old = parse("kind: Deployment\nspec: {selector: {matchLabels: {a: x}}}\n", 0).unwrap();
        let new = parse("kind: Deployment\nspec: {selector: {matchLabels: {a: y}}}\n", 0).unwrap();
        let r = &check(&old, &new)[0];
        assert_eq!(
            r.advice,
            "cannot change once the object exists; delete it with `kubectl delete --cascade=orphan` (its pods keep running) and apply again"
        );
        assert!(table().contains("| PersistentVolumeClaim | `spec.resources.requests.storage` | "));
    }
}
