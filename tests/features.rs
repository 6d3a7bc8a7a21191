//! Behaviour of derived objects: network paths from `uses`, monitoring, storage
//! classes, issuers, and engines added by a platform. Output is read back with
//! genk8s's own YAML loader so assertions look at structure, not text.

use assert_cmd::Command;
use genk8s::yaml::{Node, NodeKind};
use std::path::Path;

mod common;
use common::{build, find, write};

fn fail(dir: &Path) -> String {
    let out = Command::cargo_bin("genk8s").unwrap().args(["build", "dev", "-p"]).arg(dir).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    String::from_utf8(out.stderr).unwrap()
}

fn path<'a>(n: &'a Node, p: &[&str]) -> Option<&'a str> {
    p.iter().try_fold(n, |n, k| n.get(k)).and_then(Node::as_str)
}

fn items(n: Option<&Node>) -> Vec<&Node> {
    match n.map(|n| &n.kind) {
        Some(NodeKind::Seq(v)) => v.iter().collect(),
        _ => Vec::new(),
    }
}

/// Names selected by the podSelectors of a list of peers.
fn peer_names(rules: Option<&Node>, key: &str) -> Vec<String> {
    items(rules)
        .iter()
        .flat_map(|r| items(r.get(key)))
        .filter_map(|p| path(p, &["podSelector", "matchLabels", "app.kubernetes.io/name"]).map(str::to_string))
        .collect()
}

const APP: &str = r#"
platform: t
services:
  api:
    image: x/api:1
    ports: {http: 8080}
    metrics: {interval: 15s}
    uses: [db]
  web:
    image: x/web:1
    ports: {http: 3000}
    uses: [api]
databases:
  db: {engine: postgres}
"#;

#[test]
fn a_workload_that_does_not_use_a_database_has_no_path_to_it() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), APP);
    let objs = build(t.path());
    let db = find(&objs, "NetworkPolicy", "db");
    assert_eq!(peer_names(db.get("spec").and_then(|s| s.get("ingress")), "from"), ["api"], "only api may reach db");
    let web = find(&objs, "NetworkPolicy", "web");
    let web_egress = peer_names(web.get("spec").and_then(|s| s.get("egress")), "to");
    assert_eq!(web_egress, ["api"], "web reaches api and nothing else in the namespace");
    let api = find(&objs, "NetworkPolicy", "api");
    assert_eq!(peer_names(api.get("spec").and_then(|s| s.get("egress")), "to"), ["db"]);
    let deny = find(&objs, "NetworkPolicy", "default-deny");
    assert_eq!(items(deny.get("spec").and_then(|s| s.get("policyTypes"))).len(), 2);
}

#[test]
fn metrics_become_a_service_monitor_and_an_ingress_rule_from_monitoring() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), APP);
    let objs = build(t.path());
    let sm = find(&objs, "ServiceMonitor", "api");
    assert_eq!(path(sm, &["apiVersion"]), Some("monitoring.coreos.com/v1"));
    let ep = items(sm.get("spec").and_then(|s| s.get("endpoints")))[0];
    assert_eq!(
        (path(ep, &["port"]), path(ep, &["path"]), path(ep, &["interval"])),
        (Some("http"), Some("/metrics"), Some("15s"))
    );
    let np = find(&objs, "NetworkPolicy", "api");
    let from_monitoring = items(np.get("spec").and_then(|s| s.get("ingress"))).into_iter().any(|r| {
        items(r.get("from")).iter().any(|p| {
            path(p, &["namespaceSelector", "matchLabels", "kubernetes.io/metadata.name"]) == Some("monitoring")
        })
    });
    assert!(from_monitoring);
    assert!(
        objs.iter()
            .all(|o| !(path(o, &["kind"]) == Some("ServiceMonitor") && path(o, &["metadata", "name"]) == Some("web")))
    );
}

#[test]
fn storage_classes_and_issuers_are_typed_objects() {
    let t = tempfile::tempdir().unwrap();
    let spec = format!(
        "{APP}storage_classes:\n  fast: {{provisioner: ebs.csi.aws.com, parameters: {{type: gp3}}, reclaim: Retain}}\n\
         issuers:\n  le: {{email: a@b.c, cloudflare: {{secret: cf, key: token}}, http01: {{class: nginx}}}}\n"
    );
    write(t.path(), &spec);
    let objs = build(t.path());
    let sc = find(&objs, "StorageClass", "fast");
    assert_eq!(path(sc, &["reclaimPolicy"]), Some("Retain"));
    assert_eq!(path(sc, &["volumeBindingMode"]), Some("WaitForFirstConsumer"));
    assert_eq!(path(sc, &["parameters", "type"]), Some("gp3"));
    assert!(sc.get("metadata").unwrap().get("namespace").is_none(), "cluster-scoped");
    let iss = find(&objs, "ClusterIssuer", "le");
    let solvers = items(iss.get("spec").and_then(|s| s.get("acme")).and_then(|a| a.get("solvers")));
    assert_eq!(path(solvers[0], &["http01", "ingress", "ingressClassName"]), Some("nginx"));
    assert_eq!(path(solvers[1], &["dns01", "cloudflare", "apiTokenSecretRef", "key"]), Some("token"));
}

#[test]
fn a_platform_can_add_an_engine() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "platform: t\ndatabases:\n  events: {engine: clickhouse, version: \"24.8\"}\n");
    std::fs::create_dir_all(t.path().join("templates/engines")).unwrap();
    std::fs::write(
        t.path().join("templates/engines/clickhouse.yaml.j2"),
        "image: \"clickhouse/clickhouse-server:{{ version }}\"\nport: {name: http, number: 8123}\ndata_path: /var/lib/clickhouse\n\
         run_as_user: 101\nprobes: {readiness: {http: /ping}}\nwait: \"wget -q -O- http://{{ host }}:{{ port }}/ping\"\n\
         resources: {cpu: 500m, memory: 1Gi}\nstorage: 20Gi\n",
    )
    .unwrap();
    let objs = build(t.path());
    let sts = find(&objs, "StatefulSet", "events");
    let spec = sts.get("spec").unwrap().get("template").unwrap().get("spec").unwrap();
    assert_eq!(path(spec, &["securityContext", "runAsUser"]), Some("101"));
    assert_eq!(path(items(spec.get("containers"))[0], &["image"]), Some("clickhouse/clickhouse-server:24.8"));
}

#[test]
fn an_engine_template_with_an_undefined_variable_is_an_error_naming_the_template() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "platform: t\ndatabases:\n  events: {engine: clickhouse}\n");
    std::fs::create_dir_all(t.path().join("templates/engines")).unwrap();
    std::fs::write(t.path().join("templates/engines/clickhouse.yaml.j2"), "image: \"{{ imagee }}\"\n").unwrap();
    let err = fail(t.path());
    assert!(err.contains("platform.yaml:3:20"), "{err}");
    assert!(err.contains("clickhouse.yaml.j2:1"), "{err}");
    assert!(err.contains("undefined"), "{err}");
}

#[test]
fn bad_metrics_interval_is_located() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), &APP.replace("interval: 15s", "interval: 15"));
    let err = fail(t.path());
    assert!(err.contains("platform.yaml:7:25: `15` is not a duration"), "{err}");
}

#[test]
fn database_backups_are_cronjobs_with_the_engine_dump_and_a_network_path() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        &APP.replace("db: {engine: postgres}", "db: {engine: postgres, backup: {schedule: \"0 2 * * *\", keep: 3}}"),
    );
    let objs = build(t.path());
    let cj = find(&objs, "CronJob", "db-backup");
    assert_eq!(path(cj, &["spec", "schedule"]), Some("0 2 * * *"));
    assert_eq!(path(cj, &["spec", "concurrencyPolicy"]), Some("Forbid"));
    let pod = cj.get("spec").unwrap().get("jobTemplate").unwrap().get("spec").unwrap().get("template").unwrap();
    let c = items(pod.get("spec").unwrap().get("containers"))[0];
    let script = items(c.get("command"))[2].as_str().unwrap();
    assert!(script.contains("pg_dump -h db -p 5432"), "{script}");
    assert!(script.contains("tail -n +4"), "keeps 3 dumps: {script}");
    assert_eq!(path(pod, &["spec", "securityContext", "runAsUser"]), Some("70"));
    find(&objs, "PersistentVolumeClaim", "db-backup");
    let db = find(&objs, "NetworkPolicy", "db");
    assert_eq!(peer_names(db.get("spec").and_then(|s| s.get("ingress")), "from"), ["api", "db-backup"]);
}

#[test]
fn overlay_typo_does_not_add_a_service() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), APP);
    std::fs::write(t.path().join("environments/dev.yaml"), "services:\n  apii: {replicas: 2}\n").unwrap();
    let err = fail(t.path());
    assert!(err.contains("dev.yaml:2:3: the base defines no service `apii`"), "{err}");
    assert!(err.contains("did you mean `api`?"), "{err}");
}

#[test]
fn secrets_lists_every_secret_and_key_the_environment_reads() {
    let t = tempfile::tempdir().unwrap();
    let spec = APP.replace(
        "    uses: [db]\n",
        "    uses: [db]\n    env: {TOKEN: {secret: api-keys, key: token}}\n    env_from: [{secret: api-env}]\n",
    );
    write(t.path(), &spec);
    let out = Command::cargo_bin("genk8s").unwrap().args(["secrets", "dev", "-p"]).arg(t.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<Vec<&str>> =
        text.lines().skip(1).map(|l| l.split("  ").map(str::trim).filter(|c| !c.is_empty()).collect()).collect();
    assert_eq!(
        rows,
        vec![
            vec!["api-env", "t-dev", "(all keys: read whole)", "api"],
            vec!["api-keys", "t-dev", "token", "api"],
            vec!["db-credentials", "t-dev", "database, password, username", "db"],
        ],
        "{text}"
    );
    assert!(!text.contains("value"), "never prints values");
}

#[test]
fn images_need_a_tag_and_prod_refuses_latest() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), &APP.replace("image: x/web:1", "image: x/web"));
    let err = fail(t.path());
    assert!(err.contains("platform.yaml:10:12: image `x/web` has no tag"), "{err}");

    let t = tempfile::tempdir().unwrap();
    write(t.path(), &APP.replace("image: x/web:1", "image: x/web:latest"));
    build(t.path());
    std::fs::write(t.path().join("environments/prod.yaml"), "namespace: t-prod\n").unwrap();
    let out = Command::cargo_bin("genk8s").unwrap().args(["build", "prod", "-p"]).arg(t.path()).output().unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(err.contains("image `x/web:latest` uses the `latest` tag in environment `prod`"), "{err}");
    std::fs::write(t.path().join("environments/prod.yaml"), "namespace: t-prod\nservices: {web: {tag: \"2.0\"}}\n")
        .unwrap();
    let out = Command::cargo_bin("genk8s").unwrap().args(["build", "prod", "-p"]).arg(t.path()).output().unwrap();
    assert!(out.status.success(), "a pinned tag in the prod overlay fixes it");
    assert!(String::from_utf8(out.stdout).unwrap().contains("image: x/web:2.0"));
}

#[test]
fn default_probes_use_the_first_tcp_port_never_a_udp_one() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        "platform: t\nservices:\n  dns:\n    image: x/dns:1\n    ports: {a-dns: {container: 53, protocol: UDP}, b-metrics: 9153}\n  syslog:\n    image: x/s:1\n    ports: {log: {container: 514, protocol: UDP}}\n",
    );
    let objs = build(t.path());
    let c = |name: &str| {
        let d = find(&objs, "Deployment", name);
        items(d.get("spec").unwrap().get("template").unwrap().get("spec").unwrap().get("containers"))[0].clone()
    };
    assert_eq!(path(&c("dns"), &["readinessProbe", "tcpSocket", "port"]), Some("b-metrics"));
    assert!(c("syslog").get("readinessProbe").is_none(), "no TCP port, no default TCP probe");
}

#[test]
fn monitoring_gives_default_alerts_user_rules_and_a_grafana_dashboard() {
    let t = tempfile::tempdir().unwrap();
    let spec = format!(
        "{APP}monitoring:\n  rules:\n    QueueBacklog: {{expr: \"queue_depth > 1000\", for: 10m, severity: critical, summary: queue is backing up}}\n"
    );
    write(t.path(), &spec);
    let objs = build(t.path());
    let rule = find(&objs, "PrometheusRule", "t-alerts");
    let groups = items(rule.get("spec").and_then(|s| s.get("groups")));
    let names: Vec<&str> = groups.iter().filter_map(|g| path(g, &["name"])).collect();
    assert_eq!(names, ["api.rules", "web.rules", "db.rules", "t.custom.rules"]);
    let alerts = |g: &Node| -> Vec<String> {
        items(g.get("rules")).iter().filter_map(|r| path(r, &["alert"]).map(str::to_string)).collect()
    };
    assert_eq!(alerts(groups[0]), ["ApiPodsNotReady", "ApiRestartLoop", "ApiHigh5xxRate"], "5xx only with metrics");
    assert_eq!(alerts(groups[1]), ["WebPodsNotReady", "WebRestartLoop"]);
    assert_eq!(alerts(groups[2]), ["DbNotReady", "DbRestartLoop"]);
    let custom = items(groups[3].get("rules"))[0];
    assert_eq!(path(custom, &["for"]), Some("10m"));
    assert_eq!(path(custom, &["labels", "severity"]), Some("critical"));
    let dash = find(&objs, "ConfigMap", "t-dashboard");
    assert_eq!(path(dash, &["metadata", "labels", "grafana_dashboard"]), Some("1"));
    let json: serde_json::Value = serde_json::from_str(path(dash, &["data", "t.json"]).unwrap()).unwrap();
    let titles: Vec<&str> = json["panels"].as_array().unwrap().iter().filter_map(|p| p["title"].as_str()).collect();
    assert!(titles.contains(&"api: requests by status") && titles.contains(&"db: memory"), "{titles:?}");
    assert!(!titles.contains(&"web: requests by status"), "web has no metrics");
}

#[test]
fn access_gives_a_role_binding_service_account_token_and_api_egress() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        &APP.replace("    uses: [db]\n", "    uses: [db]\n    access: [\"get,list configmaps\", \"watch configmaps\", \"create jobs.batch\", \"get secrets/app-token\"]\n"),
    );
    let objs = build(t.path());
    let role = find(&objs, "Role", "api");
    let rules = items(role.get("rules"));
    let summary: Vec<String> = rules
        .iter()
        .map(|r| {
            let list = |k: &str| items(r.get(k)).iter().filter_map(|n| n.as_str()).collect::<Vec<_>>().join(",");
            format!("{}|{}|{}|{}", list("apiGroups"), list("resources"), list("resourceNames"), list("verbs"))
        })
        .collect();
    assert_eq!(summary, ["|configmaps||get,list,watch", "|secrets|app-token|get", "batch|jobs||create"]);
    let rb = find(&objs, "RoleBinding", "api");
    assert_eq!(path(rb, &["roleRef", "name"]), Some("api"));
    assert_eq!(path(items(rb.get("subjects"))[0], &["name"]), Some("api"));
    let sa = find(&objs, "ServiceAccount", "api");
    assert_eq!(path(sa, &["automountServiceAccountToken"]), Some("true"));
    let dep = find(&objs, "Deployment", "api");
    assert_eq!(path(dep, &["spec", "template", "spec", "serviceAccountName"]), Some("api"));
    let np = find(&objs, "NetworkPolicy", "api");
    let api_egress = items(np.get("spec").and_then(|s| s.get("egress")))
        .into_iter()
        .any(|r| r.get("to").is_none() && items(r.get("ports")).iter().any(|p| path(p, &["port"]) == Some("443")));
    assert!(api_egress, "egress to the API server");
    let web = find(&objs, "Deployment", "web");
    assert_eq!(path(web, &["spec", "template", "spec", "automountServiceAccountToken"]), Some("false"));
}

#[test]
fn blue_green_runs_two_tracks_and_one_value_switches_the_service() {
    let t = tempfile::tempdir().unwrap();
    let spec = APP.replace(
        "    metrics: {interval: 15s}\n",
        "    autoscale: {min: 2, max: 4, cpu: 70}\n    rollout: {blue_green: {live: blue, green: \"2\"}}\n",
    );
    write(t.path(), &spec);
    let objs = build(t.path());
    let image = |d: &Node| {
        path(
            items(d.get("spec").unwrap().get("template").unwrap().get("spec").unwrap().get("containers"))[0],
            &["image"],
        )
        .unwrap()
        .to_string()
    };
    let blue = find(&objs, "Deployment", "api-blue");
    let green = find(&objs, "Deployment", "api-green");
    assert_eq!((image(blue), image(green)), ("x/api:1".to_string(), "x/api:2".to_string()));
    assert_eq!(path(blue, &["spec", "selector", "matchLabels", "genk8s.io/track"]), Some("blue"));
    assert_eq!(path(find(&objs, "Service", "api"), &["spec", "selector", "genk8s.io/track"]), Some("blue"));
    assert_eq!(path(find(&objs, "Service", "api-preview"), &["spec", "selector", "genk8s.io/track"]), Some("green"));
    assert_eq!(
        path(find(&objs, "HorizontalPodAutoscaler", "api-green"), &["spec", "scaleTargetRef", "name"]),
        Some("api-green")
    );
    assert!(
        !objs.iter().any(|o| path(o, &["kind"]) == Some("Deployment") && path(o, &["metadata", "name"]) == Some("api"))
    );

    write(t.path(), &spec.replace("live: blue", "live: green"));
    let switched = build(t.path());
    assert_eq!(path(find(&switched, "Service", "api"), &["spec", "selector", "genk8s.io/track"]), Some("green"));
    assert_eq!(find(&switched, "Deployment", "api-blue"), blue, "switching touches only the Services");
}

#[test]
fn canary_gets_its_own_track_service_and_weighted_ingress() {
    let t = tempfile::tempdir().unwrap();
    let spec = APP.replace(
        "    metrics: {interval: 15s}\n",
        "    ingress: {hosts: [api.example.com], class: nginx, issuer: le}\n    rollout: {canary: {weight: 10, tag: \"2\"}}\n",
    );
    write(t.path(), &spec);
    let objs = build(t.path());
    assert_eq!(path(find(&objs, "Deployment", "api-canary"), &["spec", "replicas"]), Some("1"));
    assert_eq!(path(find(&objs, "Service", "api"), &["spec", "selector", "genk8s.io/track"]), Some("stable"));
    assert_eq!(path(find(&objs, "Service", "api-canary"), &["spec", "selector", "genk8s.io/track"]), Some("canary"));
    let ing = find(&objs, "Ingress", "api-canary");
    assert_eq!(path(ing, &["metadata", "annotations", "nginx.ingress.kubernetes.io/canary-weight"]), Some("10"));
    assert!(
        path(ing, &["metadata", "annotations", "cert-manager.io/cluster-issuer"]).is_none(),
        "one certificate per host"
    );
    let rule = items(ing.get("spec").unwrap().get("rules"))[0];
    let backend = items(rule.get("http").unwrap().get("paths"))[0];
    assert_eq!(path(backend, &["backend", "service", "name"]), Some("api-canary"));
    assert_eq!(
        path(find(&objs, "Ingress", "api"), &["metadata", "annotations", "cert-manager.io/cluster-issuer"]),
        Some("le")
    );

    write(t.path(), &spec.replace(", class: nginx", ", class: traefik"));
    let err = fail(t.path());
    assert!(
        err.contains("canary weights are backend weights of a route, or annotations of an nginx or alb ingress"),
        "{err}"
    );
}

#[test]
fn secret_store_gives_external_secrets_for_every_secret_read() {
    let t = tempfile::tempdir().unwrap();
    let spec = APP.replace(
        "    uses: [db]\n",
        "    uses: [db]\n    env: {TOKEN: {secret: api-keys, key: token}}\n    env_from: [{secret: api-env}]\n",
    ) + "secret_store: {name: vault, prefix: shop/}\n";
    write(t.path(), &spec);
    let objs = build(t.path());
    let keys = find(&objs, "ExternalSecret", "api-keys");
    assert_eq!(path(keys, &["apiVersion"]), Some("external-secrets.io/v1"));
    assert_eq!(path(keys, &["spec", "secretStoreRef", "kind"]), Some("ClusterSecretStore"));
    assert_eq!(path(keys, &["spec", "target", "name"]), Some("api-keys"));
    let d = items(keys.get("spec").unwrap().get("data"))[0];
    assert_eq!(
        (path(d, &["secretKey"]), path(d, &["remoteRef", "key"]), path(d, &["remoteRef", "property"])),
        (Some("token"), Some("shop/api-keys"), Some("token"))
    );
    let whole = find(&objs, "ExternalSecret", "api-env");
    assert_eq!(path(items(whole.get("spec").unwrap().get("dataFrom"))[0], &["extract", "key"]), Some("shop/api-env"));
    let creds = find(&objs, "ExternalSecret", "db-credentials");
    assert_eq!(items(creds.get("spec").unwrap().get("data")).len(), 3, "database, password, username");
}

#[test]
fn literal_secrets_are_refused_and_dev_secrets_stay_out_of_production() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        &APP.replace(
            "    uses: [db]\n",
            "    uses: [db]\n    env: {DB_PASSWORD: hunter2, TLS_KEY_PATH: /etc/tls/key}\n",
        ),
    );
    let err = fail(t.path());
    assert!(err.contains("`DB_PASSWORD` looks like a secret but its value is written in the spec"), "{err}");
    assert!(err.contains("1 problem found"), "a path is not a secret: {err}");

    let t = tempfile::tempdir().unwrap();
    write(t.path(), APP);
    std::fs::write(
        t.path().join("environments/dev.yaml"),
        "namespace: t-dev\ndev_secrets: {db-credentials: {username: app, password: dev-only, database: app}}\n",
    )
    .unwrap();
    std::fs::write(t.path().join("environments/prod.yaml"), "namespace: t-prod\n").unwrap();
    let objs = build(t.path());
    let s = find(&objs, "Secret", "db-credentials");
    assert_eq!(path(s, &["stringData", "password"]), Some("dev-only"));
    assert_eq!(path(s, &["metadata", "labels", "genk8s.io/dev-only"]), Some("true"));
    let out = Command::cargo_bin("genk8s").unwrap().args(["build", "prod", "-p"]).arg(t.path()).output().unwrap();
    assert!(out.status.success());
    assert!(!String::from_utf8(out.stdout).unwrap().contains("dev-only"), "dev values never reach prod");
    std::fs::write(t.path().join("environments/prod.yaml"), "namespace: t-prod\ndev_secrets: {x: {k: v}}\n").unwrap();
    let out = Command::cargo_bin("genk8s").unwrap().args(["build", "prod", "-p"]).arg(t.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("dev_secrets are development-only values"));
}

#[test]
fn from_files_stay_inside_the_platform_folder() {
    for (from, message) in [
        ("/etc/passwd", "`/etc/passwd` is outside the platform folder"),
        ("../secret.txt", "`../secret.txt` is outside the platform folder"),
        ("files", "files is not a regular file"),
    ] {
        let t = tempfile::tempdir().unwrap();
        write(t.path(), &format!("platform: t\nconfigs:\n  c: {{files: {{a.txt: {{from: \"{from}\"}}}}}}\n"));
        std::fs::create_dir_all(t.path().join("files")).unwrap();
        let err = fail(t.path());
        assert!(err.contains(message), "{from}: {err}");
    }
}

#[cfg(unix)]
#[test]
fn from_symlinks_that_stay_inside_the_folder_are_read_and_others_refused() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), "platform: t\nconfigs:\n  c: {files: {a.txt: {from: files/link}}}\n");
    std::fs::create_dir_all(t.path().join("files/real")).unwrap();
    std::fs::write(t.path().join("files/real/a.txt"), "inside\n").unwrap();
    std::os::unix::fs::symlink("real/a.txt", t.path().join("files/link")).unwrap();
    let objs = build(t.path());
    let cm = objs.iter().find(|o| path(o, &["kind"]) == Some("ConfigMap")).expect("the config's ConfigMap");
    assert_eq!(path(cm, &["data", "a.txt"]), Some("inside\n"));
    std::fs::remove_file(t.path().join("files/link")).unwrap();
    std::os::unix::fs::symlink(t.path().join("environments/dev.yaml"), t.path().join("files/link")).unwrap();
    assert!(build(t.path()).iter().any(|o| path(o, &["kind"]) == Some("ConfigMap")), "a link to any file inside");
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret"), "s\n").unwrap();
    std::fs::remove_file(t.path().join("files/link")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("secret"), t.path().join("files/link")).unwrap();
    let err = fail(t.path());
    assert!(err.contains("platform.yaml:3:29: `files/link` goes through a symbolic link that leads outside"), "{err}");
}

#[test]
fn migrations_can_run_as_a_job_named_after_image_and_command() {
    let t = tempfile::tempdir().unwrap();
    let spec = APP.replace("    uses: [db]\n", "    uses: [db]\n    migrate: {command: [migrate, up], job: true}\n");
    write(t.path(), &spec);
    let objs = build(t.path());
    let jobs: Vec<&Node> = objs.iter().filter(|o| path(o, &["kind"]) == Some("Job")).collect();
    assert_eq!(jobs.len(), 1);
    let name = path(jobs[0], &["metadata", "name"]).unwrap().to_string();
    assert!(name.starts_with("api-migrate-") && name.len() == "api-migrate-".len() + 10, "{name}");
    let pod = jobs[0].get("spec").unwrap().get("template").unwrap().get("spec").unwrap();
    assert_eq!(path(pod, &["restartPolicy"]), Some("Never"));
    assert_eq!(path(items(pod.get("initContainers"))[0], &["name"]), Some("wait-for-db"));
    assert_eq!(path(items(pod.get("containers"))[0], &["image"]), Some("x/api:1"));
    let dep = find(&objs, "Deployment", "api");
    let init: Vec<&str> =
        items(dep.get("spec").unwrap().get("template").unwrap().get("spec").unwrap().get("initContainers"))
            .iter()
            .filter_map(|c| path(c, &["name"]))
            .collect();
    assert_eq!(init, ["wait-for-db", "wait-for-migration"], "no migrate init container when it runs as a Job");
    let db = find(&objs, "NetworkPolicy", "db");
    assert_eq!(peer_names(db.get("spec").and_then(|s| s.get("ingress")), "from"), ["api", "api-migrate"]);

    write(t.path(), &spec.replace("[migrate, up]", "[migrate, up, --all]"));
    let again = build(t.path());
    let renamed = again.iter().find(|o| path(o, &["kind"]) == Some("Job")).unwrap();
    assert_ne!(path(renamed, &["metadata", "name"]), Some(name.as_str()), "a new command is a new Job");
}

#[test]
fn declared_egress_opens_exactly_those_ports() {
    let t = tempfile::tempdir().unwrap();
    let spec = APP.replace(
        "    uses: [db]\n",
        "    uses: [db]\n    egress: [{host: api.stripe.com, ports: [443]}, {cidr: 10.20.0.0/16, ports: [5432, 5433]}]\n",
    );
    write(t.path(), &spec);
    let objs = build(t.path());
    let np = find(&objs, "NetworkPolicy", "api");
    let rules = items(np.get("spec").and_then(|s| s.get("egress")));
    let ports = |r: &Node| {
        items(r.get("ports")).iter().filter_map(|p| path(p, &["port"]).map(str::to_string)).collect::<Vec<_>>()
    };
    let any_443 = rules.iter().any(|r| r.get("to").is_none() && ports(r) == ["443"]);
    assert!(any_443, "a host name opens its port to any address");
    let cidr = rules
        .iter()
        .find(|r| items(r.get("to")).iter().any(|p| path(p, &["ipBlock", "cidr"]) == Some("10.20.0.0/16")))
        .expect("CIDR rule");
    assert_eq!(ports(cidr), ["5432", "5433"]);
    let web = find(&objs, "NetworkPolicy", "web");
    assert!(
        !items(web.get("spec").and_then(|s| s.get("egress"))).iter().any(|r| ports(r).contains(&"443".to_string()))
    );
}
