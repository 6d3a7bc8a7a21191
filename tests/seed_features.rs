//! What the seed systems need written down: Service names other systems depend on, TLS
//! secret names, unhashed configs, image pull secrets, Namespace-only metadata, per-key
//! mounts, zone spreading and affinity, and per-engine replica limits. Each test builds a
//! spec with the binary and reads the objects back with genk8s's own YAML loader.

use assert_cmd::Command;
use genk8s::yaml::{Node, parse};

mod common;
use common::{at, find, items, text, write};

fn build(base: &str) -> Vec<Node> {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), base);
    let out = Command::cargo_bin("genk8s").unwrap().args(["build", "dev", "-p"]).arg(t.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    text.split("---\n").filter(|d| !d.trim().is_empty()).map(|d| parse(d, 0).unwrap()).collect()
}

fn has(objs: &[Node], kind: &str, name: &str) -> bool {
    objs.iter()
        .any(|o| o.get("kind").and_then(Node::as_str) == Some(kind) && text(o, &["metadata", "name"]) == Some(name))
}

fn pod(o: &Node) -> &Node {
    at(o, &["spec", "template", "spec"]).expect("a pod template")
}

#[test]
fn service_names_other_systems_depend_on_are_what_clients_reach() {
    let objs = build(
        "platform: t\ndomain: t.example.com\ningress: {issuer: le}\nissuers: {le: {email: a@b.c}}\n\
         services:\n  api:\n    image: x/api:1\n    ports: {http: 8080}\n    service_name: workflow-api-service\n\
         \x20   uses: [db]\n    ingress: {hosts: [api], tls_secret: wildcard-tls}\n\
         databases:\n  db: {engine: postgres, service_name: workflow-db-service}\n",
    );
    assert!(has(&objs, "Service", "workflow-api-service") && !has(&objs, "Service", "api"));
    assert!(has(&objs, "Service", "workflow-db-service") && !has(&objs, "Service", "db"));
    assert!(has(&objs, "Service", "db-headless"), "the StatefulSet's own Service keeps its name");
    let ing = find(&objs, "Ingress", "api");
    let backend = &["spec", "rules", "0", "http", "paths", "0", "backend", "service", "name"];
    assert_eq!(text(ing, backend), Some("workflow-api-service"));
    assert_eq!(text(ing, &["spec", "tls", "0", "secretName"]), Some("wildcard-tls"));
    // The wait-for init container and the backup address the database by its Service name.
    let wait = items(pod(find(&objs, "Deployment", "api")), &["initContainers"])[0];
    let cmd = text(wait, &["command", "2"]).unwrap();
    assert!(cmd.contains("pg_isready -h workflow-db-service -p 5432"), "{cmd}");
    // NetworkPolicies select pods, whose labels keep the workload's name.
    let np = find(&objs, "NetworkPolicy", "db");
    assert_eq!(
        text(np, &["spec", "ingress", "0", "from", "0", "podSelector", "matchLabels", "app.kubernetes.io/name"]),
        Some("api")
    );
}

#[test]
fn an_unhashed_config_keeps_its_name_everywhere_it_is_read() {
    let objs = build(
        "platform: t\nconfigs:\n  shared: {hashed: false, data: {A: b}}\n  own: {data: {A: b}}\n\
         services:\n  api:\n    image: x/api:1\n    env: {A: {config: shared, key: A}}\n\
         \x20   mounts: {/etc/shared: {config: shared}, /etc/own: {config: own}}\n",
    );
    assert!(has(&objs, "ConfigMap", "shared"));
    let own = objs.iter().filter_map(|o| text(o, &["metadata", "name"])).find(|n| n.starts_with("own-")).unwrap();
    assert_eq!(own.len(), "own-".len() + 10, "hashed by default: {own}");
    let c = &items(pod(find(&objs, "Deployment", "api")), &["containers"])[0];
    assert_eq!(text(c, &["env", "0", "valueFrom", "configMapKeyRef", "name"]), Some("shared"));
}

#[test]
fn pull_secrets_namespace_metadata_and_per_key_mounts() {
    let objs = build(
        "platform: t\nimage_pull_secrets: [regcred]\nnamespace_labels: {team: data}\n\
         namespace_annotations: {owner: data@example.com}\n\
         services:\n  api:\n    image: x/api:1\n    image_pull_secrets: [extra, regcred]\n\
         \x20   mounts: {/etc/tls: {secret: api-tls, items: {tls.crt: server.crt, tls.key: private/server.key}}}\n\
         databases:\n  db: {engine: redis}\n",
    );
    let names = |o: &Node| {
        items(pod(o), &["imagePullSecrets"])
            .iter()
            .filter_map(|r| text(r, &["name"]))
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    assert_eq!(names(find(&objs, "Deployment", "api")), ["regcred", "extra"]);
    assert_eq!(names(find(&objs, "StatefulSet", "db")), ["regcred"]);
    let ns = find(&objs, "Namespace", "t-dev");
    assert_eq!(text(ns, &["metadata", "labels", "team"]), Some("data"));
    assert_eq!(text(ns, &["metadata", "annotations", "owner"]), Some("data@example.com"));
    assert_eq!(text(ns, &["metadata", "labels", "pod-security.kubernetes.io/enforce"]), Some("restricted"));
    let dep = find(&objs, "Deployment", "api");
    assert!(text(dep, &["metadata", "labels", "team"]).is_none(), "namespace labels stay on the Namespace");
    let vol = items(pod(dep), &["volumes"]).into_iter().find(|v| at(v, &["secret"]).is_some()).unwrap();
    let keys: Vec<_> =
        items(vol, &["secret", "items"]).iter().map(|i| (text(i, &["key"]), text(i, &["path"]))).collect();
    assert_eq!(keys, [(Some("tls.crt"), Some("server.crt")), (Some("tls.key"), Some("private/server.key"))]);
}

#[test]
fn services_spread_over_zones_and_databases_are_placed_by_affinity() {
    let objs = build(
        "platform: t\nservices:\n  api:\n    image: x/api:1\n    replicas: 2\n    spread: [zone, node]\n\
         \x20   affinity: {avoid: [api], avoid_by: zone}\n\
         databases:\n  db:\n    engine: postgres\n\
         \x20   affinity: {nodes: {workload-type: [database]}, prefer_nodes: {disk: [ssd, nvme]}, avoid: [api]}\n",
    );
    let api = pod(find(&objs, "Deployment", "api"));
    let keys: Vec<_> = items(api, &["topologySpreadConstraints"]).iter().map(|c| text(c, &["topologyKey"])).collect();
    assert_eq!(keys, [Some("topology.kubernetes.io/zone"), Some("kubernetes.io/hostname")]);
    let anti = &["affinity", "podAntiAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "0"];
    let term = at(api, anti).unwrap();
    assert_eq!(text(term, &["topologyKey"]), Some("topology.kubernetes.io/zone"));
    assert_eq!(text(term, &["labelSelector", "matchLabels", "app.kubernetes.io/name"]), Some("api"));
    let db = pod(find(&objs, "StatefulSet", "db"));
    let req = &[
        "affinity",
        "nodeAffinity",
        "requiredDuringSchedulingIgnoredDuringExecution",
        "nodeSelectorTerms",
        "0",
        "matchExpressions",
        "0",
    ];
    let req = at(db, req).unwrap();
    assert_eq!(
        (text(req, &["key"]), text(req, &["operator"]), text(req, &["values", "0"])),
        (Some("workload-type"), Some("In"), Some("database"))
    );
    let pref = &["affinity", "nodeAffinity", "preferredDuringSchedulingIgnoredDuringExecution", "0"];
    assert_eq!(items(at(db, pref).unwrap(), &["preference", "matchExpressions", "0", "values"]).len(), 2);
    assert_eq!(text(at(db, anti).unwrap(), &["topologyKey"]), Some("kubernetes.io/hostname"));
    assert!(at(db, &["topologySpreadConstraints"]).is_none(), "one replica: nothing to spread");
}

#[test]
fn an_engine_that_replicates_itself_may_run_several_replicas() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "platform: t\ndatabases:\n  kv: {engine: etcd, replicas: 3, spread: zone}\n");
    std::fs::create_dir_all(t.path().join("templates/engines")).unwrap();
    std::fs::write(
        t.path().join("templates/engines/etcd.yaml.j2"),
        "image: \"quay.io/coreos/etcd:v3.5.17\"\nport: {name: client, number: 2379}\ndata_path: /var/lib/etcd\n\
         run_as_user: 1001\nwait: \"true\"\nresources: {cpu: 100m, memory: 256Mi}\nstorage: 1Gi\nreplicas: many\n",
    )
    .unwrap();
    let out = Command::cargo_bin("genk8s").unwrap().args(["build", "dev", "-p"]).arg(t.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text_out = String::from_utf8(out.stdout).unwrap();
    let objs: Vec<Node> =
        text_out.split("---\n").filter(|d| !d.trim().is_empty()).map(|d| parse(d, 0).unwrap()).collect();
    let sts = find(&objs, "StatefulSet", "kv");
    assert_eq!(text(sts, &["spec", "replicas"]), Some("3"));
    assert_eq!(text(pod(sts), &["topologySpreadConstraints", "0", "topologyKey"]), Some("topology.kubernetes.io/zone"));
}

const PATCHED: &str = "platform: t\nservices:\n  api:\n    image: x/api:1\n    ports: {http: 8080}\n\
    patches:\n  Deployment/api:\n    merge: {spec: {minReadySeconds: 10, template: {metadata: {annotations: {a: \"1\"}}}}}\n\
    \x20 Service/api:\n    json: [{op: add, path: /spec/sessionAffinity, value: ClientIP}, {op: remove, path: /spec/ports/0/protocol}]\n\
    objects:\n  ConfigMap/extra:\n    apiVersion: v1\n    kind: ConfigMap\n    metadata: {name: extra, namespace: t-dev}\n\
    \x20   data: {enabled: \"true\"}\n";

#[test]
fn patches_change_generated_objects_and_objects_are_added_verbatim() {
    let objs = build(PATCHED);
    let dep = find(&objs, "Deployment", "api");
    assert_eq!(text(dep, &["spec", "minReadySeconds"]), Some("10"));
    assert_eq!(text(dep, &["spec", "template", "metadata", "annotations", "a"]), Some("1"));
    assert!(
        at(dep, &["spec", "template", "metadata", "labels"]).is_some(),
        "a merge patch keeps what it does not name"
    );
    let svc = find(&objs, "Service", "api");
    assert_eq!(text(svc, &["spec", "sessionAffinity"]), Some("ClientIP"));
    assert!(at(svc, &["spec", "ports", "0", "protocol"]).is_none());
    assert_eq!(text(find(&objs, "ConfigMap", "extra"), &["data", "enabled"]), Some("true"));
}

#[test]
fn patched_and_added_objects_that_are_valid_for_their_kind_build_as_written() {
    // A number is a quantity to the API server (`cpu: 1`), a custom resource is not checked,
    // and a patch may remove what the kind does not require.
    let objs = build(
        "platform: t\nservices:\n  api:\n    image: x/api:1\n    ports: {http: 8080}\n\
         patches:\n  Deployment/api:\n    merge: {spec: {template: {spec: {containers: [{name: api, image: x/api:1, \
         resources: {limits: {cpu: 1, memory: 256Mi}}}]}}}}\n\
         \x20 Service/api:\n    json: [{op: remove, path: /spec/type}]\n\
         objects:\n  Widget/w:\n    apiVersion: example.com/v1\n    kind: Widget\n    metadata: {name: w}\n    spec: {any: [1]}\n",
    );
    let dep = find(&objs, "Deployment", "api");
    assert_eq!(text(dep, &["spec", "template", "spec", "containers", "0", "resources", "limits", "cpu"]), Some("1"));
    assert!(at(find(&objs, "Service", "api"), &["spec", "type"]).is_none());
    assert_eq!(text(find(&objs, "Widget", "w"), &["spec", "any", "0"]), Some("1"));
}

#[test]
fn a_patch_in_an_overlay_changes_that_environment_and_diff_shows_it() {
    let t = tempfile::tempdir().unwrap();
    let base = "platform: t\nservices:\n  api:\n    image: x/api:1\n    ports: {http: 8080}\n";
    write(t.path(), base);
    let out = t.path().join("out");
    let run =
        |args: &[&str]| Command::cargo_bin("genk8s").unwrap().args(args).arg("-p").arg(t.path()).output().unwrap();
    assert!(run(&["build", "dev", "-o", out.to_str().unwrap()]).status.success());
    std::fs::write(
        t.path().join("environments/dev.yaml"),
        "namespace: t-dev\npatches:\n  Deployment/api: {merge: {spec: {minReadySeconds: 30}}}\n",
    )
    .unwrap();
    let diff = run(&["diff", "dev", out.to_str().unwrap(), "--color", "never"]);
    assert_eq!(diff.status.code(), Some(1), "{}", String::from_utf8_lossy(&diff.stderr));
    let shown = String::from_utf8(diff.stdout).unwrap();
    assert!(shown.contains("minReadySeconds"), "{shown}");
}

#[test]
fn a_mount_with_items_needs_only_those_keys_of_its_secret() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        "platform: t\nservices:\n  api:\n    image: x/api:1\n\
         \x20   mounts: {/etc/tls: {secret: api-tls, items: {tls.crt: server.crt, tls.key: server.key}}, /etc/all: {secret: other}}\n",
    );
    let out = Command::cargo_bin("genk8s").unwrap().args(["secrets", "dev", "-p"]).arg(t.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let table = String::from_utf8(out.stdout).unwrap();
    let row =
        |s: &str| table.lines().find(|l| l.starts_with(s)).unwrap_or_else(|| panic!("no {s} in {table}")).to_string();
    assert!(row("api-tls ").contains("tls.crt, tls.key"), "{table}");
    assert!(!row("api-tls ").contains("all keys"), "{table}");
    assert!(row("other ").contains("(all keys: read whole)"), "{table}");
}
