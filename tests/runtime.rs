//! What the API server, the kubelet and the cluster do with the output across edits:
//! immutable fields, migration Jobs, backups, pruning labels, probes and shutdown.
//! Output is read back with genk8s's own YAML loader.

use assert_cmd::Command;
use genk8s::yaml::{Node, parse};
use std::path::Path;

mod common;
use common::{build, find, write};

fn of_kind<'a>(objs: &'a [Node], kind: &str) -> Vec<&'a Node> {
    objs.iter().filter(|o| path(o, &["kind"]) == Some(kind)).collect()
}

fn path<'a>(n: &'a Node, p: &[&str]) -> Option<&'a str> {
    p.iter().try_fold(n, |n, k| n.get(k)).and_then(Node::as_str)
}

const APP: &str = r#"
platform: t
services:
  api:
    image: x/api:1
    ports: {http: 8080}
    env: {LOG_LEVEL: info}
    uses: [db]
    migrate: {command: [migrate, up], job: true}
databases:
  db: {engine: postgres}
"#;

fn job_name(objs: &[Node]) -> String {
    let jobs = of_kind(objs, "Job");
    assert_eq!(jobs.len(), 1);
    path(jobs[0], &["metadata", "name"]).unwrap().to_string()
}

#[test]
fn any_edit_of_the_migration_pod_gives_a_new_job_name() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), APP);
    let first = job_name(&build(t.path()));
    assert_eq!(first, job_name(&build(t.path())), "the same spec keeps its Job");
    for edit in [
        APP.replace("LOG_LEVEL: info", "LOG_LEVEL: debug"),
        APP.replace("ports: {http: 8080}", "ports: {http: 8080}\n    resources: {cpu: 1, memory: 1Gi}"),
        APP.replace("uses: [db]", "uses: [db, cache]")
            .replace("databases:\n", "databases:\n  cache: {engine: redis}\n"),
    ] {
        write(t.path(), &edit);
        assert_ne!(job_name(&build(t.path())), first, "a changed pod template is a new Job:\n{edit}");
    }
}

fn genk8s(args: &[&str], dir: &Path) -> (Option<i32>, String) {
    let out = Command::cargo_bin("genk8s").unwrap().args(args).arg("-p").arg(dir).output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr))
}

#[test]
fn diff_and_check_name_changes_the_api_server_would_reject() {
    let t = tempfile::tempdir().unwrap();
    let (plat, deploy) = (t.path().join("p"), t.path().join("deploy"));
    let base =
        APP.replace("    env: {LOG_LEVEL: info}\n", "    volumes: {data: {path: /data, size: 10Gi, class: ssd}}\n");
    write(&plat, &base);
    let (code, _) = genk8s(&["build", "dev", "-o", deploy.to_str().unwrap()], &plat);
    assert_eq!(code, Some(0));
    write(&plat, &base.replace("size: 10Gi, class: ssd", "size: 5Gi, class: standard"));
    let (code, out) = genk8s(&["diff", "dev", deploy.to_str().unwrap(), "--color", "never"], &plat);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("2 change(s) the API server would reject (immutable fields):\n"), "{out}");
    assert!(out.contains("  rejected PersistentVolumeClaim/api-data: spec.storageClassName cannot change once the object exists; create a claim under a new name and copy the data, or keep the old value\n"), "{out}");
    assert!(
        out.contains(
            "  rejected PersistentVolumeClaim/api-data: spec.resources.requests.storage a claim cannot shrink;"
        ),
        "{out}"
    );
    let (code, out) = genk8s(&["build", "dev", "-o", deploy.to_str().unwrap(), "--check"], &plat);
    assert_eq!(code, Some(1), "{out}");
    assert!(out.contains("rejected PersistentVolumeClaim/api-data: spec.storageClassName"), "{out}");

    write(&plat, &base.replace("size: 10Gi", "size: 20Gi"));
    let (code, out) = genk8s(&["diff", "dev", deploy.to_str().unwrap(), "--color", "never"], &plat);
    assert_eq!(code, Some(1), "{out}");
    assert!(!out.contains("rejected"), "a claim may grow: {out}");
}

#[test]
fn the_readme_lists_every_immutable_field() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    assert!(readme.contains(&genk8s::immutable::table()), "README's immutable field table is out of date");
}

fn items(n: Option<&Node>) -> Vec<&Node> {
    match n.map(|n| &n.kind) {
        Some(genk8s::yaml::NodeKind::Seq(v)) => v.iter().collect(),
        _ => Vec::new(),
    }
}

fn get<'a>(n: &'a Node, p: &[&str]) -> &'a Node {
    p.iter().fold(n, |n, k| n.get(k).unwrap_or_else(|| panic!("no {k} in {p:?}")))
}

/// The backup CronJob's script for a postgres database keeping 2 dumps.
fn backup_script() -> String {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        &APP.replace("db: {engine: postgres}", "db: {engine: postgres, backup: {schedule: \"0 2 * * *\", keep: 2}}"),
    );
    let objs = build(t.path());
    let cj = of_kind(&objs, "CronJob")[0];
    let c = items(get(cj, &["spec", "jobTemplate", "spec", "template", "spec"]).get("containers"))[0];
    items(c.get("command"))[2].as_str().unwrap().to_string()
}

/// Runs the backup script with POSIX `sh` (dash here, as in the Debian-based images), with
/// `/backups` moved to a temporary folder and `pg_dump` replaced by `fake` (a shell body).
fn run_backup(script: &str, fake: &str, old_dumps: &[&str]) -> (bool, Vec<String>, String) {
    let t = tempfile::tempdir().unwrap();
    let (backups, bin) = (t.path().join("backups"), t.path().join("bin"));
    std::fs::create_dir_all(&backups).unwrap();
    std::fs::create_dir_all(&bin).unwrap();
    for (i, d) in old_dumps.iter().enumerate() {
        std::fs::write(backups.join(d), "old dump").unwrap();
        let age = std::time::SystemTime::now() - std::time::Duration::from_secs(3600 * (i as u64 + 1));
        std::fs::File::options().write(true).open(backups.join(d)).unwrap().set_modified(age).unwrap();
    }
    let fake_dump = bin.join("pg_dump");
    std::fs::write(&fake_dump, format!("#!/bin/sh\n{fake}\n")).unwrap();
    std::fs::set_permissions(&fake_dump, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let script = script.replace("/backups", backups.to_str().unwrap());
    let out = std::process::Command::new("/bin/sh")
        .args(["-c", &script])
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("POSTGRES_PASSWORD", "p")
        .env("POSTGRES_USER", "u")
        .env("POSTGRES_DB", "d")
        .output()
        .unwrap();
    let mut left: Vec<String> =
        std::fs::read_dir(&backups).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    left.sort();
    (out.status.success(), left, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// The value after `-f` in the fake's arguments is where the dump goes.
const WRITE_DUMP: &str = r#"while [ "$1" != "-f" ]; do shift; done; echo "dump" > "$2""#;

#[test]
fn a_failed_dump_fails_the_job_and_keeps_the_older_dumps() {
    let script = backup_script();
    let old = ["db-20260101T020000Z.sql.gz", "db-20260102T020000Z.sql.gz"];
    let (ok, left, err) = run_backup(&script, &format!("{WRITE_DUMP}; echo 'connection refused' >&2; exit 1"), &old);
    assert!(!ok, "a failing pg_dump must fail the Job: {err}");
    assert_eq!(left, [".incomplete", old[0], old[1]], "older dumps kept, the partial one set apart: {err}");

    let (ok, left, err) = run_backup(&script, "exit 0", &old);
    assert!(!ok && err.contains("backup of db failed: no dump or an empty one"), "no dump written: {err}");
    assert_eq!(left, [".incomplete", old[0], old[1]]);

    let (ok, left, err) = run_backup(&script, r#"while [ "$1" != "-f" ]; do shift; done; : > "$2""#, &old);
    assert!(!ok && err.contains("an empty one"), "an empty dump is a failure: {err}");
    assert_eq!(left.len(), 3, "{left:?}");

    let (ok, left, err) = run_backup(&script, WRITE_DUMP, &old);
    assert!(ok, "{err}");
    assert_eq!(left.len(), 3, "keep: 2 leaves the new dump and the newest old one: {left:?}");
    assert!(left.contains(&old[0].to_string()) && !left.contains(&old[1].to_string()), "{left:?}");
}

#[test]
fn a_failed_backup_raises_an_alert() {
    let t = tempfile::tempdir().unwrap();
    let spec = APP.replace("db: {engine: postgres}", "db: {engine: postgres, backup: {schedule: \"0 2 * * *\"}}");
    write(t.path(), &format!("{spec}monitoring: {{alerts: true}}\n"));
    let objs = build(t.path());
    let rule = of_kind(&objs, "PrometheusRule")[0];
    let alerts: Vec<&Node> =
        items(get(rule, &["spec"]).get("groups")).into_iter().flat_map(|g| items(g.get("rules"))).collect();
    let failed = alerts.iter().find(|a| path(a, &["alert"]) == Some("DbBackupFailed")).expect("a backup alert");
    let expr = path(failed, &["expr"]).unwrap();
    assert!(
        expr.contains(r#"kube_cronjob_status_last_successful_time{namespace="t-dev",cronjob="db-backup"}"#),
        "{expr}"
    );
    assert_eq!(path(failed, &["labels", "severity"]), Some("critical"));
    assert!(!alerts.iter().any(|a| path(a, &["alert"]) == Some("ApiBackupFailed")), "only databases with backups");
}

fn names(list: Option<&Node>) -> Vec<&str> {
    items(list).into_iter().filter_map(|c| path(c, &["name"])).collect()
}

#[test]
fn app_pods_wait_for_the_migration_job_of_their_own_version() {
    let t = tempfile::tempdir().unwrap();
    // No `job:`: the Job is the default.
    write(t.path(), &APP.replace(", job: true}", "}"));
    let objs = build(t.path());
    let job_name = job_name(&objs);
    let job = find(&objs, "Job", &job_name);
    assert_eq!(path(job, &["spec", "parallelism"]), Some("1"));
    assert_eq!(path(job, &["spec", "completions"]), Some("1"));
    assert_eq!(
        path(job, &["spec", "podReplacementPolicy"]),
        Some("Failed"),
        "a retry only after the failed pod is gone"
    );

    let pod = get(find(&objs, "Deployment", "api"), &["spec", "template", "spec"]);
    assert_eq!(names(pod.get("initContainers")), ["wait-for-db", "wait-for-migration"]);
    assert!(!names(pod.get("initContainers")).contains(&"migrate"), "the replicas do not migrate");
    let gate = items(pod.get("initContainers"))[1];
    let args: Vec<&str> = items(gate.get("args")).into_iter().filter_map(Node::as_str).collect();
    assert_eq!(args, ["wait", "--for=condition=complete", &format!("job/{job_name}"), "--timeout=10m"]);
    assert_eq!(names(gate.get("volumeMounts")), ["tmp", "migration-gate-token"]);
    let app = items(pod.get("containers"))[0];
    assert!(!names(app.get("volumeMounts")).contains(&"migration-gate-token"), "the app holds no token");
    assert_eq!(path(pod, &["automountServiceAccountToken"]), Some("false"));
    assert_eq!(path(pod, &["serviceAccountName"]), Some("api"));

    let role = find(&objs, "Role", "api-migration-gate");
    let rule = items(role.get("rules"))[0];
    assert_eq!(items(rule.get("resourceNames"))[0].as_str(), Some(job_name.as_str()), "reads only its own Job");
    let verbs: Vec<&str> = items(rule.get("verbs")).into_iter().filter_map(Node::as_str).collect();
    assert_eq!(verbs, ["get", "list", "watch"]);
    let binding = find(&objs, "RoleBinding", "api-migration-gate");
    assert_eq!(path(items(binding.get("subjects"))[0], &["name"]), Some("api"));
    find(&objs, "ServiceAccount", "api");
    let np = find(&objs, "NetworkPolicy", "api");
    let api_port = items(get(np, &["spec"]).get("egress"))
        .into_iter()
        .any(|r| r.get("to").is_none() && items(r.get("ports")).iter().any(|p| path(p, &["port"]) == Some("443")));
    assert!(api_port, "the gate reaches the API server");
}

const SHARED: &str = r#"
platform: t
storage_classes:
  ssd: {provisioner: ebs.csi.aws.com}
services:
  api:
    image: x/api:1
    ports: {http: 8080}
    volumes: {data: {path: /data, size: 1Gi, class: ssd}}
"#;

fn two_envs(dir: &Path, base: &str, prod: &str) {
    write(dir, base);
    std::fs::write(dir.join("environments/prod.yaml"), prod).unwrap();
}

fn label<'a>(o: &'a Node, key: &str) -> Option<&'a str> {
    o.get("metadata").and_then(|m| m.get("labels")).and_then(|l| l.get(key)).and_then(Node::as_str)
}

#[test]
fn cluster_scoped_objects_are_written_once_and_the_rest_carry_their_environment() {
    let t = tempfile::tempdir().unwrap();
    let (plat, out) = (t.path().join("p"), t.path().join("deploy"));
    two_envs(&plat, SHARED, "namespace: t-prod\n");
    let (code, err) = genk8s(&["build", "--all", "-o", out.to_str().unwrap()], &plat);
    assert_eq!(code, Some(0), "{err}");
    let sc = std::fs::read_to_string(out.join("cluster/storageclass-ssd.yaml")).unwrap();
    let sc = parse(&sc, 0).unwrap();
    assert_eq!(label(&sc, "genk8s.io/environment"), None, "shared by every environment");
    assert_eq!(label(&sc, "app.kubernetes.io/part-of"), Some("t"));
    for env in ["dev", "prod"] {
        let dir = out.join(env);
        assert!(!dir.join("storageclass-ssd.yaml").exists(), "{env} tree holds no shared object");
        let kz = std::fs::read_to_string(dir.join("kustomization.yaml")).unwrap();
        for file in kz.lines().filter_map(|l| l.strip_prefix("- ")) {
            let o = parse(&std::fs::read_to_string(dir.join(file)).unwrap(), 0).unwrap();
            assert_eq!(label(&o, "genk8s.io/environment"), Some(env), "{env}/{file}");
            assert_eq!(label(&o, "app.kubernetes.io/part-of"), Some("t"), "{env}/{file}");
        }
    }
    let (code, report) = genk8s(&["diff", "--all", out.to_str().unwrap()], &plat);
    assert_eq!(code, Some(0), "{report}");
    assert!(report.contains("cluster: no drift (2 files)"), "{report}");

    // dev is built and staged before prod shows the clash: every tree stays as it was and
    // no staging folder is left beside any of them.
    let before = every_file(&out);
    two_envs(&plat, SHARED, "namespace: t-prod\nstorage_classes: {ssd: {reclaim: Retain}}\n");
    let (code, err) = genk8s(&["build", "--all", "-o", out.to_str().unwrap()], &plat);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("StorageClass/ssd differs between environments `dev` and `prod`"), "{err}");
    assert_eq!(every_file(&out), before, "a failed --all build changes no tree");
}

/// Every file under `dir` (relative path → content), hidden ones included.
fn every_file(dir: &std::path::Path) -> std::collections::BTreeMap<String, String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            (rel, std::fs::read_to_string(e.path()).unwrap())
        })
        .collect()
}

#[test]
fn probes_send_headers_and_workers_stop_gracefully() {
    let t = tempfile::tempdir().unwrap();
    write(
        t.path(),
        r#"
platform: t
services:
  web:
    image: x/django:1
    ports: {http: 8000}
    probes:
      liveness: {http: /healthz, headers: {Host: web.example.com}}
      readiness: {http: /ready, headers: {Host: web.example.com, X-Probe: kubelet}}
    shutdown: {sleep: 5}
  worker:
    image: x/worker:1
    shutdown: {grace: 120, pre_stop: [celery, control, shutdown]}
"#,
    );
    let objs = build(t.path());
    let web = get(find(&objs, "Deployment", "web"), &["spec", "template", "spec"]);
    let app = items(web.get("containers"))[0];
    let headers = |probe: &str| -> Vec<(String, String)> {
        items(get(app, &[probe, "httpGet"]).get("httpHeaders"))
            .into_iter()
            .map(|h| (path(h, &["name"]).unwrap().to_string(), path(h, &["value"]).unwrap().to_string()))
            .collect()
    };
    assert_eq!(headers("livenessProbe"), [("Host".to_string(), "web.example.com".to_string())]);
    assert_eq!(headers("readinessProbe").len(), 2);
    assert_eq!(path(app, &["lifecycle", "preStop", "sleep", "seconds"]), Some("5"));
    assert_eq!(path(web, &["terminationGracePeriodSeconds"]), None, "Kubernetes' default unless set");

    let worker = get(find(&objs, "Deployment", "worker"), &["spec", "template", "spec"]);
    assert_eq!(path(worker, &["terminationGracePeriodSeconds"]), Some("120"));
    let hook = items(get(items(worker.get("containers"))[0], &["lifecycle", "preStop", "exec"]).get("command"));
    assert_eq!(hook.iter().filter_map(|n| n.as_str()).collect::<Vec<_>>(), ["celery", "control", "shutdown"]);
}

#[test]
fn a_backup_can_be_copied_to_an_s3_bucket_after_a_good_dump() {
    let t = tempfile::tempdir().unwrap();
    let s3 = "s3: {bucket: s3://backups/shop, endpoint: \"https://minio.example.com:9000\", secret: backup-s3}";
    write(
        t.path(),
        &APP.replace(
            "db: {engine: postgres}",
            &format!("db: {{engine: postgres, backup: {{schedule: \"0 2 * * *\", {s3}}}}}"),
        ),
    );
    let objs = build(t.path());
    let pod = get(find(&objs, "CronJob", "db-backup"), &["spec", "jobTemplate", "spec", "template", "spec"]);
    assert_eq!(names(pod.get("initContainers")), ["backup"], "the dump runs first");
    assert_eq!(names(pod.get("containers")), ["upload"], "the copy runs only after a good dump");
    let upload = items(pod.get("containers"))[0];
    assert_eq!(path(items(upload.get("envFrom"))[0], &["secretRef", "name"]), Some("backup-s3"));
    let script = items(upload.get("command"))[2].as_str().unwrap();
    assert!(
        script.contains("--endpoint-url 'https://minio.example.com:9000'") && script.contains("'s3://backups/shop/'"),
        "{script}"
    );
    let np = find(&objs, "NetworkPolicy", "db-backup");
    let to_bucket = items(get(np, &["spec"]).get("egress"))
        .into_iter()
        .any(|r| items(r.get("ports")).iter().any(|p| path(p, &["port"]) == Some("9000")));
    assert!(to_bucket, "the backup reaches the bucket's port");

    write(
        t.path(),
        &APP.replace(
            "db: {engine: postgres}",
            "db: {engine: postgres, backup: {schedule: \"0 2 * * *\", s3: {bucket: backups, secret: s}}}",
        ),
    );
    let (code, err) = genk8s(&["build", "dev"], t.path());
    assert_eq!(code, Some(2));
    assert!(err.contains("`backups` is not an S3 URL"), "{err}");
}

#[test]
fn the_bucket_port_comes_from_the_endpoint() {
    let s3 = |endpoint: Option<&str>| genk8s::spec::BackupS3 {
        bucket: "s3://b".into(),
        endpoint: endpoint.map(Into::into),
        secret: "s".into(),
        image: None,
    };
    assert_eq!(s3(None).port(), 443);
    assert_eq!(s3(Some("https://minio.local:9000/")).port(), 9000);
    assert_eq!(s3(Some("http://minio.local")).port(), 80);
    assert_eq!(s3(Some("https://r2.example.com")).port(), 443);
}

/// `APP` with an autoscaled, budgeted api and a `web` without a migration, applied by `tool`.
fn with_tool(tool: Option<&str>) -> String {
    let app = APP
        .replace(
            "    migrate:",
            "    autoscale: {min: 2, max: 4, cpu: 70}\n    pdb: {min_available: \"1\"}\n    migrate:",
        )
        .replace("databases:\n", "  web:\n    image: x/web:1\n    ports: {http: 3000}\ndatabases:\n");
    match tool {
        Some(t) => format!("deploy_tool: {t}\n{app}"),
        None => app,
    }
}

fn annotation<'a>(o: &'a Node, key: &str) -> Option<&'a str> {
    o.get("metadata").and_then(|m| m.get("annotations")).and_then(|a| a.get(key)).and_then(Node::as_str)
}

#[test]
fn argo_cd_syncs_a_migrating_service_after_its_job_and_flux_and_kubectl_rely_on_the_gate() {
    let t = tempfile::tempdir().unwrap();
    write(t.path(), &with_tool(None));
    let (_, kubectl) = genk8s(&["build", "dev"], t.path());
    assert!(!kubectl.contains("argocd.argoproj.io"), "{kubectl}");
    write(t.path(), &with_tool(Some("kubectl")));
    assert_eq!(genk8s(&["build", "dev"], t.path()).1, kubectl, "kubectl is the default");
    // Flux's kustomize-controller has no hooks or waves: the same objects, ordered by the gate.
    write(t.path(), &with_tool(Some("flux")));
    assert_eq!(genk8s(&["build", "dev"], t.path()).1, kubectl);

    write(t.path(), &with_tool(Some("argocd")));
    let objs = build(t.path());
    const WAVE: &str = "argocd.argoproj.io/sync-wave";
    for (kind, name) in [("Deployment", "api"), ("HorizontalPodAutoscaler", "api"), ("PodDisruptionBudget", "api")] {
        assert_eq!(annotation(find(&objs, kind, name), WAVE), Some("1"), "{kind}/{name} waits for wave 0");
    }
    let job = find(&objs, "Job", &job_name(&objs));
    assert_eq!(annotation(job, WAVE), None, "the Job is in wave 0, with the ConfigMaps and Secrets it reads");
    assert_eq!(annotation(job, "argocd.argoproj.io/hook"), None, "a plain resource: not re-run on every sync");
    assert_eq!(annotation(find(&objs, "Deployment", "web"), WAVE), None, "web has no migration");
    let pod = get(find(&objs, "Deployment", "api"), &["spec", "template", "spec"]);
    assert!(names(pod.get("initContainers")).contains(&"wait-for-migration"), "the gate stays (kubectl apply -k)");
    // Only the wave annotations differ from the kubectl build.
    let (_, argocd) = genk8s(&["build", "dev"], t.path());
    let stripped: String = argocd.lines().filter(|l| !l.contains(WAVE)).map(|l| format!("{l}\n")).collect();
    let kubectl_without_empty: String = kubectl.lines().map(|l| format!("{l}\n")).collect();
    assert_eq!(
        stripped.replace("  annotations:\n  labels:", "  labels:"),
        kubectl_without_empty.replace("  annotations:\n  labels:", "  labels:")
    );
}
