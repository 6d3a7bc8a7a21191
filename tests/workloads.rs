//! Workload kinds besides a Deployment, native sidecars, a migration's own settings and a
//! database's own files: each test builds a spec with the binary and checks what the
//! cluster would run (pod restart policies, init container order, the Pod Security level
//! of the namespace, the engine's flags).

use assert_cmd::Command;
use genk8s::yaml::Node;

mod common;
use common::{at, find, items, text, write};

fn build(base: &str) -> Vec<Node> {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), base);
    std::fs::create_dir_all(t.path().join("files")).unwrap();
    std::fs::write(t.path().join("files/postgresql.conf"), "listen_addresses = '*'\nmax_connections = 50\n").unwrap();
    common::build(t.path())
}

/// stderr of a build that must fail with exit code 2.
fn refused(base: &str) -> String {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), base);
    let out = Command::cargo_bin("genk8s").unwrap().args(["build", "dev", "-p"]).arg(t.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", String::from_utf8_lossy(&out.stdout));
    assert!(out.stdout.is_empty());
    String::from_utf8(out.stderr).unwrap()
}

fn kind_named<'a>(objs: &'a [Node], kind: &str, prefix: &str) -> Vec<&'a Node> {
    objs.iter()
        .filter(|o| {
            o.get("kind").and_then(Node::as_str) == Some(kind)
                && text(o, &["metadata", "name"]).is_some_and(|n| n.starts_with(prefix))
        })
        .collect()
}

fn strings(n: &Node, p: &[&str]) -> Vec<String> {
    items(n, p).iter().filter_map(|i| i.as_str()).map(str::to_string).collect()
}

fn restricted(c: &Node) -> bool {
    text(c, &["securityContext", "runAsNonRoot"]) == Some("true")
        && text(c, &["securityContext", "allowPrivilegeEscalation"]) == Some("false")
        && text(c, &["securityContext", "readOnlyRootFilesystem"]) == Some("true")
        && strings(c, &["securityContext", "capabilities", "drop"]) == ["ALL"]
}

const SIDECAR: &str = "platform: t\nservices:\n  api:\n    image: x/api:1\n    ports: {http: 8080}\n\
    \x20   uses: [db]\n    writable: [/var/log/app]\n    migrate: {command: [migrate]}\n\
    \x20   sidecars:\n      shipper:\n        image: fluent/fluent-bit:3.2.2\n        shared: [/var/log/app]\n\
    \x20       ports: {admin: 2020}\n        probes: {readiness: {http: /api/v1/health}}\n\
    \x20       resources: {cpu: 20m, memory: 32Mi}\ndatabases:\n  db: {engine: postgres}\n";

#[test]
fn a_sidecar_is_an_always_restarting_init_container_that_starts_first_and_shares_the_log_dir() {
    let objs = build(SIDECAR);
    let pod = at(find(&objs, "Deployment", "api"), &["spec", "template", "spec"]).unwrap();
    let init = items(pod, &["initContainers"]);
    let names: Vec<_> = init.iter().filter_map(|c| text(c, &["name"])).collect();
    assert_eq!(names, ["shipper", "wait-for-db", "wait-for-migration"], "the sidecar runs before the waits");
    let sc = init[0];
    assert_eq!(text(sc, &["restartPolicy"]), Some("Always"));
    assert!(init[1..].iter().all(|c| text(c, &["restartPolicy"]).is_none()), "ordinary init containers run once");
    assert!(restricted(sc));
    assert_eq!(text(sc, &["resources", "requests", "cpu"]), Some("20m"));
    assert_eq!(text(sc, &["resources", "limits", "memory"]), Some("32Mi"), "memory limit defaults to the request");
    assert_eq!(text(sc, &["readinessProbe", "httpGet", "port"]), Some("admin"), "probes its own port");
    let app = &items(pod, &["containers"])[0];
    let volume_at = |c: &Node, path: &str| {
        items(c, &["volumeMounts"])
            .into_iter()
            .find(|m| text(m, &["mountPath"]) == Some(path))
            .and_then(|m| text(m, &["name"]).map(str::to_string))
    };
    let shared = volume_at(app, "/var/log/app").expect("the app mounts its log dir");
    assert_eq!(volume_at(sc, "/var/log/app"), Some(shared.clone()), "the same emptyDir");
    let vol = items(pod, &["volumes"]).into_iter().find(|v| text(v, &["name"]) == Some(&shared)).unwrap();
    assert!(at(vol, &["emptyDir"]).is_some());
    let job = kind_named(&objs, "Job", "api-migrate-")[0];
    let job_init: Vec<_> =
        items(job, &["spec", "template", "spec", "initContainers"]).iter().filter_map(|c| text(c, &["name"])).collect();
    assert_eq!(job_init, ["shipper", "wait-for-db"], "the migration pod has the app's sidecars");
}

#[test]
fn a_sidecar_shares_only_what_the_app_mounts_writable() {
    let err = refused(&SIDECAR.replace("shared: [/var/log/app]", "shared: [/var/log/other]"));
    assert!(err.contains("error: "), "{err}");
    assert!(err.contains("`/var/log/other` is not a writable directory or volume of `api`"), "{err}");
    let err = refused(&SIDECAR.replace("{admin: 2020}", "{http: 2020}"));
    assert!(err.contains("port name `http` is the app's too"), "{err}");
}

const JOBS: &str = "platform: t\nservices:\n  report:\n    kind: cron_job\n    image: x/report:1\n\
    \x20   command: [report]\n    uses: [db]\n    egress: [{host: smtp.example.com, ports: [587]}]\n\
    \x20   job: {schedule: \"0 3 * * *\", time_zone: Europe/Berlin, concurrency: Replace, backoff_limit: 2, \
    active_deadline: 600, ttl_after_finished: 3600, restart: OnFailure}\n\
    \x20 reindex:\n    kind: job\n    image: x/reindex:1\n    uses: [db]\n\
    databases:\n  db: {engine: postgres}\n";

#[test]
fn a_cron_job_runs_its_pod_on_schedule_within_its_limits() {
    let objs = build(JOBS);
    let cj = find(&objs, "CronJob", "report");
    assert_eq!(text(cj, &["spec", "schedule"]), Some("0 3 * * *"));
    assert_eq!(text(cj, &["spec", "timeZone"]), Some("Europe/Berlin"));
    assert_eq!(text(cj, &["spec", "concurrencyPolicy"]), Some("Replace"));
    let job = at(cj, &["spec", "jobTemplate", "spec"]).unwrap();
    assert_eq!(text(job, &["backoffLimit"]), Some("2"));
    assert_eq!(text(job, &["activeDeadlineSeconds"]), Some("600"));
    assert_eq!(text(job, &["ttlSecondsAfterFinished"]), Some("3600"));
    assert_eq!(text(job, &["template", "spec", "restartPolicy"]), Some("OnFailure"));
    assert!(text(job, &["podReplacementPolicy"]).is_none(), "only with restartPolicy Never");
    let c = &items(job, &["template", "spec", "containers"])[0];
    assert!(restricted(c));
    assert_eq!(text(job, &["template", "spec", "initContainers", "0", "name"]), Some("wait-for-db"));
    // Its NetworkPolicy selects the job's pods and lets them reach what the spec says only.
    let np = find(&objs, "NetworkPolicy", "report");
    let sel = at(np, &["spec", "podSelector", "matchLabels"]).unwrap();
    assert_eq!(
        text(sel, &["app.kubernetes.io/name"]),
        text(job, &["template", "metadata", "labels", "app.kubernetes.io/name"])
    );
    let ports: Vec<_> = items(np, &["spec", "egress"])
        .iter()
        .flat_map(|r| items(r, &["ports"]))
        .filter_map(|p| text(p, &["port"]).map(str::to_string))
        .collect();
    assert!(ports.contains(&"587".to_string()) && ports.contains(&"5432".to_string()), "{ports:?}");
    assert!(at(np, &["spec", "ingress"]).is_none(), "nothing connects to a job");
    let db = find(&objs, "NetworkPolicy", "db");
    let from: Vec<_> = items(db, &["spec", "ingress", "0", "from"])
        .iter()
        .filter_map(|p| text(p, &["podSelector", "matchLabels", "app.kubernetes.io/name"]).map(str::to_string))
        .collect();
    assert_eq!(from, ["reindex", "report"], "the database admits both jobs");
}

#[test]
fn a_job_is_named_by_its_spec_so_a_change_is_a_new_job_that_never_restarts_in_place() {
    let objs = build(JOBS);
    let jobs = kind_named(&objs, "Job", "reindex-");
    assert_eq!(jobs.len(), 1);
    let name = text(jobs[0], &["metadata", "name"]).unwrap().to_string();
    assert_eq!(name.len(), "reindex-".len() + 10, "{name}");
    let spec = at(jobs[0], &["spec"]).unwrap();
    assert_eq!(text(spec, &["template", "spec", "restartPolicy"]), Some("Never"));
    assert_eq!(text(spec, &["podReplacementPolicy"]), Some("Failed"));
    assert_eq!(text(spec, &["backoffLimit"]), Some("3"));
    let again = build(JOBS);
    assert_eq!(text(kind_named(&again, "Job", "reindex-")[0], &["metadata", "name"]), Some(name.as_str()));
    let changed = build(&JOBS.replace("x/reindex:1", "x/reindex:2"));
    let new = text(kind_named(&changed, "Job", "reindex-")[0], &["metadata", "name"]).unwrap();
    assert_ne!(new, name, "a new image is a new Job (its pod template is immutable)");
}

#[test]
fn job_kinds_refuse_what_only_a_deployment_has_and_a_cron_job_needs_a_valid_schedule() {
    let err = refused(
        "platform: t\nservices:\n  r:\n    kind: job\n    image: x/r:1\n    replicas: 2\n    ports: {http: 80}\n",
    );
    assert!(err.contains("`replicas` does not apply to a job"), "{err}");
    assert!(err.contains("`ports` does not apply to a job"), "{err}");
    let err = refused("platform: t\nservices:\n  r:\n    kind: cron_job\n    image: x/r:1\n");
    assert!(err.contains("a cron_job needs a schedule"), "{err}");
    let err = refused(&JOBS.replace("0 3 * * *", "0 25 * * *"));
    assert!(
        err.contains(":9:21: `0 25 * * *`: the hour field `25` is out of range"),
        "the cron validator, at the value: {err}"
    );
}

const DAEMON: &str = "platform: t\npod_security: privileged\nservices:\n  shipper:\n    kind: daemon_set\n\
    \x20   image: fluent/fluent-bit:3.2.2\n    host_paths: [/var/log]\n    run_as_group: 0\n\
    \x20   tolerations: [{operator: Exists}]\n    egress: [{host: es.example.com, ports: [9200]}]\n";

#[test]
fn a_daemon_set_reads_node_logs_read_only_in_a_namespace_that_admits_host_paths() {
    let objs = build(DAEMON);
    let ns = find(&objs, "Namespace", "t-dev");
    let label = |m: &str| text(ns, &["metadata", "labels", &format!("pod-security.kubernetes.io/{m}")]);
    assert_eq!(
        (label("enforce"), label("audit"), label("warn")),
        (Some("privileged"), Some("restricted"), Some("restricted"))
    );
    let ds = find(&objs, "DaemonSet", "shipper");
    assert_eq!(text(ds, &["spec", "updateStrategy", "rollingUpdate", "maxUnavailable"]), Some("1"));
    let pod = at(ds, &["spec", "template", "spec"]).unwrap();
    let host = items(pod, &["volumes"]).into_iter().find(|v| at(v, &["hostPath"]).is_some()).unwrap();
    assert_eq!(text(host, &["hostPath", "path"]), Some("/var/log"));
    let c = &items(pod, &["containers"])[0];
    assert!(restricted(c), "everything but the volume stays restricted");
    assert_eq!(text(pod, &["securityContext", "runAsGroup"]), Some("0"), "group root reads the 0640 log files");
    let m = items(c, &["volumeMounts"]).into_iter().find(|m| text(m, &["mountPath"]) == Some("/var/log")).unwrap();
    assert_eq!(text(m, &["readOnly"]), Some("true"));
    assert_eq!(text(pod, &["tolerations", "0", "operator"]), Some("Exists"));
    assert!(kind_named(&objs, "NetworkPolicy", "shipper").len() == 1);
}

#[test]
fn host_paths_need_a_daemon_set_and_a_privileged_namespace() {
    let err = refused(&DAEMON.replace("pod_security: privileged\n", ""));
    assert!(
        err.contains(":6:5: the `restricted` Pod Security profile the namespace enforces refuses hostPath volumes"),
        "{err}"
    );
    assert!(err.contains("set `pod_security: privileged`"), "{err}");
    let err = refused(&DAEMON.replace("kind: daemon_set", "kind: deployment"));
    assert!(err.contains("`host_paths` apply to a daemon_set only, not to a deployment"), "{err}");
}

#[test]
fn a_migration_has_its_own_env_over_the_apps_and_its_own_retries() {
    let objs = build(
        "platform: t\nservices:\n  api:\n    image: x/api:1\n    env: {LOG: info, DB_NAME: app}\n\
         \x20   migrate: {image: x/migrate:1, env: {DB_HOST: db-service, LOG: debug}, backoff_limit: 6}\n",
    );
    let job = kind_named(&objs, "Job", "api-migrate-")[0];
    assert_eq!(text(job, &["spec", "backoffLimit"]), Some("6"));
    let c = &items(job, &["spec", "template", "spec", "containers"])[0];
    let env: Vec<_> = items(c, &["env"])
        .iter()
        .map(|e| (text(e, &["name"]).unwrap().to_string(), text(e, &["value"]).unwrap().to_string()))
        .collect();
    let pairs: Vec<(&str, &str)> = env.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    // The app's order (a `$(VAR)` expands only to an earlier variable), LOG replaced where it
    // stands, then the migration's own.
    assert_eq!(pairs, [("DB_NAME", "app"), ("LOG", "debug"), ("DB_HOST", "db-service")]);
    let app = &items(find(&objs, "Deployment", "api"), &["spec", "template", "spec", "containers"])[0];
    let app_env: Vec<_> = items(app, &["env"]).iter().filter_map(|e| text(e, &["value"])).collect();
    assert_eq!(app_env, ["app", "info"], "the app keeps its own values");
}

const DATABASES: &str = "platform: t\ndatabases:\n  pg:\n    engine: postgres\n\
    \x20   files: {/etc/postgresql/postgresql.conf: {from: files/postgresql.conf}}\n\
    \x20   config_file: /etc/postgresql/postgresql.conf\n    tls: {secret: pg-tls}\n\
    \x20 cache:\n    engine: redis\n\
    \x20   files: {/etc/redis/redis.conf: \"maxmemory-policy allkeys-lru\\n\", /etc/redis/scripts/limit.lua: \"return 1\\n\"}\n\
    \x20   config_file: /etc/redis/redis.conf\n";

#[test]
fn a_database_starts_with_its_config_file_and_serves_tls_from_its_secret() {
    let objs = build(DATABASES);
    let pod = at(find(&objs, "StatefulSet", "pg"), &["spec", "template", "spec"]).unwrap();
    let c = &items(pod, &["containers"])[0];
    assert_eq!(
        strings(c, &["args"]),
        [
            "-c",
            "config_file=/etc/postgresql/postgresql.conf",
            "-c",
            "ssl=on",
            "-c",
            "ssl_cert_file=/etc/tls/tls.crt",
            "-c",
            "ssl_key_file=/etc/tls/tls.key"
        ]
    );
    let mount = |path: &str| items(c, &["volumeMounts"]).into_iter().find(|m| text(m, &["mountPath"]) == Some(path));
    assert_eq!(text(mount("/etc/postgresql/postgresql.conf").unwrap(), &["subPath"]), Some("postgresql.conf"));
    assert_eq!(text(mount("/etc/tls").unwrap(), &["readOnly"]), Some("true"));
    let tls = items(pod, &["volumes"]).into_iter().find(|v| text(v, &["name"]) == Some("tls")).unwrap();
    assert_eq!(text(tls, &["secret", "secretName"]), Some("pg-tls"));
    assert_eq!(text(tls, &["secret", "defaultMode"]), Some("416"), "0640: PostgreSQL refuses a key others can read");
    let cm = kind_named(&objs, "ConfigMap", "pg-files-")[0];
    assert_eq!(text(cm, &["data", "postgresql.conf"]), Some("listen_addresses = '*'\nmax_connections = 50\n"));
    let redis = &items(find(&objs, "StatefulSet", "cache"), &["spec", "template", "spec", "containers"])[0];
    assert!(strings(redis, &["command"])[2].starts_with("exec redis-server /etc/redis/redis.conf --appendonly yes"));
    let cm = kind_named(&objs, "ConfigMap", "cache-files-")[0];
    assert_eq!(text(cm, &["data", "limit.lua"]), Some("return 1\n"));
}

#[test]
fn a_config_file_must_be_mounted_and_tls_needs_an_engine_that_takes_it() {
    let err = refused("platform: t\ndatabases:\n  pg:\n    engine: postgres\n    config_file: /etc/pg.conf\n");
    assert!(err.contains("`/etc/pg.conf` is neither one of the database's files nor under one of its mounts"), "{err}");
    let err = refused("platform: t\ndatabases:\n  c:\n    engine: redis\n    tls: {secret: c-tls}\n");
    assert!(err.contains("engine `redis` does not take `tls`"), "{err}");
}

#[test]
fn the_secrets_listing_names_what_sidecars_migrations_and_databases_read() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        "platform: t\nservices:\n  api:\n    image: x/api:1\n    migrate: {command: [migrate], env: {TOKEN: {secret: migrate-token, key: token}}}\n\
         \x20   sidecars:\n      proxy:\n        image: x/proxy:1\n        mounts: {/etc/proxy: {secret: proxy-creds}}\n\
         databases:\n  pg: {engine: postgres, tls: {secret: pg-tls}, mounts: {/etc/extra: {secret: pg-extra, items: {a.conf: a.conf}}}}\n",
    );
    let out = Command::cargo_bin("genk8s").unwrap().args(["secrets", "dev", "-p"]).arg(t.path()).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let row = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("{name}: {text}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(row("migrate-token"), "migrate-token t-dev token api");
    assert_eq!(row("proxy-creds"), "proxy-creds t-dev (all keys: read whole) api");
    assert_eq!(row("pg-tls"), "pg-tls t-dev tls.crt, tls.key pg");
    assert_eq!(row("pg-extra"), "pg-extra t-dev a.conf pg");
}

/// The Industriverse seed's Fluent Bit, kept as an example beside the bundled platforms (its
/// hostPath volumes are outside the restricted profile they all meet): every environment
/// builds, the namespace admits it, and its ClusterRoleBinding names that environment's
/// ServiceAccount.
#[test]
fn the_node_logging_example_builds_in_a_privileged_namespace_of_its_own() {
    for (env, ns) in [
        ("dev", "workflow-automation-logging-dev"),
        ("staging", "workflow-automation-logging-staging"),
        ("prod", "workflow-automation-logging"),
    ] {
        let out = Command::cargo_bin("genk8s")
            .unwrap()
            .args(["build", env, "-p", "examples/workflow-automation-logging"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{env}: {}", String::from_utf8_lossy(&out.stderr));
        let stream = String::from_utf8(out.stdout).unwrap();
        let objs: Vec<Node> = stream
            .split("---\n")
            .filter(|d| !d.trim().is_empty())
            .map(|d| genk8s::yaml::parse(d, 0).unwrap())
            .collect();
        let namespace = find(&objs, "Namespace", ns);
        assert_eq!(text(namespace, &["metadata", "labels", "pod-security.kubernetes.io/enforce"]), Some("privileged"));
        let ds = find(&objs, "DaemonSet", "fluent-bit");
        assert_eq!(text(ds, &["metadata", "namespace"]), Some(ns));
        let binding = objs.iter().find(|o| o.get("kind").and_then(Node::as_str) == Some("ClusterRoleBinding")).unwrap();
        assert_eq!(text(binding, &["subjects", "0", "namespace"]), Some(ns), "{env}");
    }
}

#[test]
fn alerts_watch_each_kind_with_its_own_metrics() {
    let objs = build(&format!("monitoring: {{alerts: true}}\n{}", JOBS.replace("  reindex:", DAEMON_SERVICE)));
    let rule = find(&objs, "PrometheusRule", "t-alerts");
    let alerts: Vec<(String, String)> = items(rule, &["spec", "groups"])
        .iter()
        .flat_map(|g| items(g, &["rules"]))
        .map(|r| (text(r, &["alert"]).unwrap().to_string(), text(r, &["expr"]).unwrap().to_string()))
        .collect();
    let expr = |a: &str| {
        alerts.iter().find(|(n, _)| n == a).map(|(_, e)| e.as_str()).unwrap_or_else(|| panic!("{a}: {alerts:?}"))
    };
    assert!(
        expr("ReportFailed")
            .contains("kube_cronjob_status_last_successful_time{namespace=\"t-dev\",cronjob=\"report\"}")
    );
    assert!(expr("ReindexFailed").contains("kube_job_failed{namespace=\"t-dev\",job_name=~\"reindex-[0-9a-f]{10}\""));
    assert!(
        expr("NodeLogsPodsNotReady")
            .contains("kube_daemonset_status_number_ready{namespace=\"t-dev\",daemonset=\"node-logs\"}")
    );
    assert!(
        !alerts.iter().any(|(_, e)| e.contains("kube_deployment") && e.contains("report")),
        "no Deployment metrics for a cron job"
    );
}

/// A daemon set without host paths (the namespace stays restricted), then the reindex job.
const DAEMON_SERVICE: &str = "  node-logs:\n    kind: daemon_set\n    image: x/agent:1\n  reindex:";

#[test]
fn a_sidecar_on_latest_is_refused_in_production_only() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), &SIDECAR.replace("fluent/fluent-bit:3.2.2", "fluent/fluent-bit:latest"));
    std::fs::write(t.path().join("environments/prod.yaml"), "namespace: t-prod\n").unwrap();
    let run =
        |env: &str| Command::cargo_bin("genk8s").unwrap().args(["build", env, "-p"]).arg(t.path()).output().unwrap();
    assert!(run("dev").status.success());
    let prod = run("prod");
    assert_eq!(prod.status.code(), Some(2));
    let err = String::from_utf8(prod.stderr).unwrap();
    assert!(
        err.contains(":11:16: image `fluent/fluent-bit:latest` uses the `latest` tag in environment `prod`"),
        "{err}"
    );
}
