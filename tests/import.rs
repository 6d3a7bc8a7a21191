//! `genk8s import compose`: runs the binary on the Compose fixtures under
//! tests/compose/ and checks the platform it writes (values, secrets, warnings),
//! and that the platform builds.

use assert_cmd::Command;
use genk8s::yaml::{Node, NodeKind};
use std::fs;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

fn genk8s() -> Command {
    Command::new(env!("CARGO_BIN_EXE_genk8s"))
}

/// Every fixture: folder and Compose file name.
const FIXTURES: &[(&str, &str)] = &[
    ("shop", "docker-compose.yml"),
    ("anchors", "docker-compose.yml"),
    ("ports", "docker-compose.yml"),
    ("healthchecks", "docker-compose.yml"),
    ("legacy", "docker-compose.yml"),
    ("ai-stack", "compose.yaml"),
    ("names", "docker-compose.yml"),
    ("project", "compose.yaml"),
    ("selfhosted", "docker-compose.yml"),
    ("lamp", "docker-compose.yml"),
    ("streams", "docker-compose.yml"),
    ("confluent", "compose.yaml"),
];

fn fixture(name: &str) -> String {
    let file = FIXTURES.iter().find(|(d, _)| *d == name).map(|(_, f)| *f).unwrap();
    format!("tests/compose/{name}/{file}")
}

/// An imported platform: its folder, parsed platform.yaml and the import's stderr.
struct Imported {
    _tmp: TempDir,
    dir: PathBuf,
    spec: Node,
    stderr: String,
}

impl Imported {
    /// The scalar at a path of keys (panics with the path when missing).
    fn at(&self, path: &[&str]) -> String {
        let node = node_at(&self.spec, path).unwrap_or_else(|| panic!("no {path:?} in\n{}", self.text()));
        node.as_str().unwrap_or_else(|| panic!("{path:?} is not a scalar")).to_string()
    }

    fn has(&self, path: &[&str]) -> bool {
        node_at(&self.spec, path).is_some()
    }

    /// The scalars of a list at a path.
    fn list(&self, path: &[&str]) -> Vec<String> {
        match node_at(&self.spec, path).map(|n| &n.kind) {
            Some(NodeKind::Seq(items)) => items.iter().map(|i| i.as_str().unwrap_or("?").to_string()).collect(),
            other => panic!("{path:?} is not a list: {other:?}"),
        }
    }

    fn keys(&self, path: &[&str]) -> Vec<String> {
        node_at(&self.spec, path)
            .and_then(Node::entries)
            .unwrap_or_else(|| panic!("{path:?} is not a map"))
            .iter()
            .map(|e| e.key.clone())
            .collect()
    }

    fn text(&self) -> String {
        fs::read_to_string(self.dir.join("platform.yaml")).unwrap()
    }

    /// Asserts that stderr holds a line starting with `prefix` and containing `rest`.
    fn warns(&self, prefix: &str, rest: &str) {
        assert!(
            self.stderr.lines().any(|l| l.starts_with(prefix) && l.contains(rest)),
            "no line `{prefix}…{rest}…` in stderr:\n{}",
            self.stderr
        );
    }

    /// Every file of the output folder, concatenated.
    fn all_output(&self) -> String {
        let mut out = String::new();
        for e in walk(&self.dir) {
            out.push_str(&fs::read_to_string(e).unwrap());
        }
        out
    }

    fn assert_nowhere(&self, secret: &str) {
        assert!(!self.all_output().contains(secret), "`{secret}` was copied into the output");
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn node_at<'a>(n: &'a Node, path: &[&str]) -> Option<&'a Node> {
    let mut cur = n;
    for p in path {
        cur = match &cur.kind {
            NodeKind::Seq(items) => items.get(p.parse::<usize>().ok()?)?,
            _ => cur.get(p)?,
        };
    }
    Some(cur)
}

/// Imports a fixture into a new folder (exit 0 expected) and parses the result.
fn import(name: &str, extra: &[&str]) -> Imported {
    let tmp = TempDir::new().unwrap();
    let dir = tmp.path().join("out");
    // The import reads the process environment as Compose does: start from an empty one.
    let out = genk8s()
        .env_clear()
        .args(["import", "compose", &fixture(name), "-o"])
        .arg(&dir)
        .args(extra)
        .assert()
        .code(0)
        .get_output()
        .clone();
    let stderr = String::from_utf8(out.stderr).unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("platform.yaml") && stdout.contains("prod.yaml"), "written files listed: {stdout}");
    let text = fs::read_to_string(dir.join("platform.yaml")).unwrap();
    let spec = genk8s::yaml::parse(&text, 0).unwrap_or_else(|e| panic!("platform.yaml does not parse: {e:?}\n{text}"));
    Imported { _tmp: tmp, dir, spec, stderr }
}

/// `genk8s build ENV -p DIR`: exit code and stderr.
fn build(dir: &Path, env: &str) -> (i32, String) {
    let out = genk8s().args(["build", env, "-p"]).arg(dir).output().unwrap();
    (out.status.code().unwrap_or(-1), String::from_utf8(out.stderr).unwrap())
}

fn builds(dir: &Path, env: &str) -> String {
    let out = genk8s().args(["build", env, "-p"]).arg(dir).assert().code(0).stderr("").get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

#[test]
fn every_fixture_imports_and_builds_in_every_environment() {
    for (name, _) in FIXTURES {
        let imp = import(name, &[]);
        for env in ["dev", "staging"] {
            let (code, err) = build(&imp.dir, env);
            assert_eq!(code, 0, "{name}: genk8s build {env} failed:\n{err}\n{}", imp.text());
        }
        let (code, err) = build(&imp.dir, "prod");
        if *name == "legacy" {
            // `mailer` has no tag: production refuses it until it is pinned, and the import says so.
            assert_eq!(code, 2, "{name}: prod must refuse the unpinned image");
            assert!(err.contains("ghcr.io/acme/mailer:latest"), "{err}");
            imp.warns("warning: the imported platform does not build in every environment yet", "");
            let prod = fs::read_to_string(imp.dir.join("environments/prod.yaml")).unwrap();
            assert!(prod.contains("#   mailer: {tag: 1.2.3}"), "{prod}");
        } else {
            assert_eq!(code, 0, "{name}: genk8s build prod failed:\n{err}");
            assert!(!imp.stderr.contains("does not build"), "{name}: {}", imp.stderr);
        }
        for env in ["dev", "staging", "prod"] {
            let text = fs::read_to_string(imp.dir.join(format!("environments/{env}.yaml"))).unwrap();
            assert!(text.contains(&format!("namespace: {}-{env}", imp.at(&["platform"]))), "{text}");
        }
        assert!(imp.text().starts_with("# genk8s platform imported from "), "header comment");
    }
}

#[test]
fn web_app_with_postgres_and_redis() {
    let imp = import("shop", &[]);
    let file = fixture("shop");
    assert_eq!(imp.at(&["platform"]), "shop", "the Compose `name:`");
    assert_eq!(imp.at(&["services", "web", "image"]), "ghcr.io/acme/shop-web:2.3.1");
    assert_eq!(imp.at(&["services", "web", "ports", "http"]), "8000");
    assert_eq!(imp.list(&["services", "web", "uses"]), ["db", "redis"]);
    assert_eq!(
        imp.list(&["services", "web", "args"]),
        ["gunicorn", "shop.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
    );
    // Healthcheck → exec probes with the Compose timing.
    let live = ["services", "web", "probes", "liveness"];
    assert_eq!(
        imp.list(&[&live[..], &["exec"]].concat()),
        ["/bin/sh", "-c", "curl -fsS http://localhost:8000/healthz || exit 1"]
    );
    assert_eq!(imp.at(&[&live[..], &["period"]].concat()), "15");
    assert_eq!(imp.at(&[&live[..], &["timeout"]].concat()), "5");
    assert_eq!(imp.at(&[&live[..], &["failure_threshold"]].concat()), "5");
    assert_eq!(imp.at(&[&live[..], &["initial_delay"]].concat()), "30");
    assert!(!imp.has(&["services", "web", "probes", "readiness", "initial_delay"]));
    // Secrets by reference; the DB password the web shares with the database reads the database's Secret;
    // values web and worker both hold are one key of the shared Secret.
    assert_eq!(imp.at(&["services", "web", "env", "DATABASE_URL", "secret"]), "shared-secrets");
    assert_eq!(imp.at(&["services", "worker", "env", "DATABASE_URL", "secret"]), "shared-secrets");
    assert_eq!(imp.at(&["services", "web", "env", "DATABASE_URL", "key"]), "database-url");
    assert_eq!(imp.at(&["services", "web", "env", "SECRET_KEY", "key"]), "secret-key");
    assert_eq!(imp.at(&["services", "web", "env", "DB_PASSWORD", "secret"]), "db-credentials");
    assert_eq!(imp.at(&["services", "web", "env", "DB_PASSWORD", "key"]), "password");
    assert_eq!(imp.at(&["services", "web", "env", "REDIS_URL"]), "redis://redis:6379/0");
    assert_eq!(imp.at(&["services", "web", "env", "DEBUG"]), "false");
    imp.assert_nowhere("s3cr3t-db-pass");
    imp.assert_nowhere("django-insecure-k3y");
    // Worker: no ports, deploy resources and replicas.
    assert!(!imp.has(&["services", "worker", "ports"]));
    assert_eq!(imp.at(&["services", "worker", "resources", "cpu"]), "250m/1500m");
    assert_eq!(imp.at(&["services", "worker", "resources", "memory"]), "256Mi/1Gi");
    assert_eq!(imp.at(&["services", "worker", "replicas"]), "2");
    assert_eq!(imp.list(&["services", "worker", "uses"]), ["db", "redis", "web"]);
    // Databases from the catalog.
    assert_eq!(imp.at(&["databases", "db", "engine"]), "postgres");
    assert_eq!(imp.at(&["databases", "db", "version"]), "16-alpine");
    assert_eq!(imp.at(&["databases", "db", "database"]), "shop");
    assert_eq!(imp.at(&["databases", "db", "storage", "size"]), "1Gi");
    assert!(!imp.has(&["databases", "db", "env"]), "credentials are not copied into env");
    assert_eq!(imp.at(&["databases", "redis", "engine"]), "redis");
    assert_eq!(imp.at(&["databases", "redis", "version"]), "7-alpine");
    assert!(!imp.has(&["services", "db"]) && !imp.has(&["services", "redis"]));
    imp.warns(&format!("warning: {file}:67:5: services.redis.command: "), "the redis engine runs its own command");
    imp.warns(&format!("note: {file}:13:7: services.web.environment.DATABASE_URL: "), "Secret `shared-secrets`");
    // The header lists the Secrets; the stream shows the wait for the database.
    let text = imp.text();
    assert!(text.contains("#   shared-secrets: database-url, secret-key"), "{text}");
    assert!(text.contains("#   db-credentials: password, username"), "{text}");
    let stream = builds(&imp.dir, "dev");
    assert!(stream.contains("name: shared-secrets") && stream.contains("name: db-credentials"));
    assert!(stream.contains("kind: StatefulSet"));
}

#[test]
fn anchors_merge_keys_extension_fields_and_profiles() {
    let imp = import("anchors", &[]);
    let file = fixture("anchors");
    // `<<: *app` brought image and environment; the service's own keys win.
    assert_eq!(imp.at(&["services", "api", "image"]), "registry.example.com/tasks/app:1.8.0");
    assert_eq!(imp.at(&["services", "scheduler", "image"]), "registry.example.com/tasks/app:1.8.0");
    assert_eq!(imp.at(&["services", "api", "env", "LOG_LEVEL"]), "debug");
    assert_eq!(imp.at(&["services", "scheduler", "env", "LOG_LEVEL"]), "info");
    assert_eq!(imp.list(&["services", "scheduler", "args"]), ["./bin/scheduler", "--interval=60s"]);
    // Long port syntax with a name.
    assert_eq!(imp.at(&["services", "api", "ports", "web"]), "8080");
    // The queue URL holds a password from ${RABBIT_PASSWORD:-...}: a Secret reference.
    assert_eq!(imp.at(&["services", "api", "env", "QUEUE_URL", "secret"]), "api-secrets");
    imp.assert_nowhere("guest-pass-123");
    // uses: depends_on (map form) for api; the queue URL's host for scheduler.
    assert_eq!(imp.list(&["services", "api", "uses"]), ["rabbitmq"]);
    assert_eq!(imp.list(&["services", "scheduler", "uses"]), ["rabbitmq"]);
    imp.warns(&format!("note: {file}:14:5: services.scheduler.environment.QUEUE_URL: "), "added to uses");
    // x- fields are not services or fields; profiles are skipped by default.
    assert_eq!(imp.keys(&["services"]), ["api", "scheduler"]);
    assert_eq!(imp.at(&["databases", "rabbitmq", "engine"]), "rabbitmq");
    assert!(!imp.text().contains("x-owner") && !imp.text().contains("platform-team"));
    imp.warns(&format!("note: {file}:48:5: services.flower.profiles: "), "pass --profile debug");
    // Anchored values report where the anchor was written, for each service.
    imp.warns(&format!("warning: {file}:11:3: services.api.logging: "), "log collection");
    imp.warns(&format!("warning: {file}:11:3: services.scheduler.logging: "), "log collection");
    imp.warns(&format!("warning: {file}:15:16: services.api.environment.API_TOKEN: "), "`API_TOKEN` is not set");
    imp.warns(&format!("note: {file}:39:5: services.rabbitmq.image: "), "catalog database `rabbitmq`");

    let all = import("anchors", &["--profile", "debug"]);
    assert_eq!(all.keys(&["services"]), ["api", "scheduler", "flower", "mailhog"]);
    assert_eq!(all.list(&["services", "flower", "uses"]), ["rabbitmq"]);
    let dev = import("anchors", &["--profile", "dev", "--name", "Tasks"]);
    assert_eq!(dev.keys(&["services"]), ["api", "scheduler", "mailhog"]);
    assert_eq!(dev.at(&["platform"]), "tasks");
    let star = import("anchors", &["--profile", "*"]);
    assert_eq!(star.keys(&["services"]).len() + star.keys(&["databases"]).len(), 5);
}

#[test]
fn port_syntaxes_and_interpolation() {
    let imp = import("ports", &[]);
    let file = fixture("ports");
    // ${NGINX_VERSION:-...} and ${BACKEND_TAG:-...} take their defaults.
    assert_eq!(imp.at(&["services", "gateway", "image"]), "nginxinc/nginx-unprivileged:1.27-alpine");
    assert_eq!(imp.at(&["services", "backend", "image"]), "ghcr.io/acme/backend:3.2.0");
    // "${HTTP_PORT:-8080}:8080", "127.0.0.1:8443:8443" and the long syntax: container ports.
    assert_eq!(imp.keys(&["services", "gateway", "ports"]), ["http", "https", "tcp-9113"]);
    assert_eq!(imp.at(&["services", "gateway", "ports", "tcp-9113"]), "9113");
    // expose and an unpublished port, deduplicated.
    assert_eq!(imp.keys(&["services", "backend", "ports"]), ["http", "tcp-9229"]);
    // UDP and TCP on the same number; IPv6 host address; a UDP range.
    assert_eq!(imp.at(&["services", "dns", "ports", "udp-53", "container"]), "53");
    assert_eq!(imp.at(&["services", "dns", "ports", "udp-53", "protocol"]), "UDP");
    assert_eq!(imp.at(&["services", "dns", "ports", "tcp-53"]), "53");
    assert_eq!(imp.at(&["services", "dns", "ports", "tcp-9153"]), "9153");
    assert_eq!(imp.keys(&["services", "streams", "ports"]), ["udp-10000", "udp-10001", "udp-10002", "udp-10003"]);
    imp.warns(&format!("warning: {file}:40:5: services.streams.ports: "), "no TCP port and no healthcheck");
    imp.warns(&format!("note: {file}:33:5: services.dns.ports: "), "[::1]:9153→9153");
    // Interpolation in the environment: defaults, `$$`, unset variables.
    assert_eq!(imp.at(&["services", "backend", "env", "PORT"]), "3000");
    assert_eq!(imp.at(&["services", "backend", "env", "PRICE_FORMAT"]), "$0.00");
    assert_eq!(imp.at(&["services", "backend", "env", "PUBLIC_URL"]), "https:///app");
    assert_eq!(imp.at(&["services", "backend", "env", "SESSION_SECRET", "secret"]), "backend-secrets");
    assert!(!imp.has(&["services", "backend", "env", "HOME_DIR"]));
    imp.assert_nowhere("dev-session-secret");
    imp.warns(&format!("warning: {file}:25:9: services.backend.environment[2]: "), "`PUBLIC_HOST` is not set");
    imp.warns(
        &format!("warning: {file}:28:9: services.backend.environment.HOME_DIR: "),
        "set neither there nor in the env files",
    );
    imp.warns(&format!("note: {file}:5:5: services.gateway.ports: "), "8080→8080, 127.0.0.1:8443→8443");
    assert_eq!(imp.list(&["services", "gateway", "uses"]), ["backend"]);
    // A port published on every address is exposed through the platform's gateway.
    assert_eq!(imp.list(&["services", "gateway", "route", "hosts"]), ["gateway"]);
    assert_eq!(imp.at(&["services", "gateway", "route", "port"]), "http");
    assert!(!imp.has(&["services", "backend", "route"]), "expose: is not published");
    assert!(!imp.has(&["services", "dns", "route"]), "53/tcp is published, and not HTTP");
    assert_eq!(imp.at(&["gateway", "class"]), "eg");
    assert_eq!(imp.at(&["domain"]), "example.com");
}

#[test]
fn env_files_healthchecks_and_commands() {
    let imp = import("healthchecks", &[]);
    let file = fixture("healthchecks");
    // env_file entries, overridden by environment.
    assert_eq!(imp.at(&["services", "api", "env", "APP_ENV"]), "production");
    assert_eq!(imp.at(&["services", "api", "env", "FEATURE_FLAGS"]), "search,export");
    assert_eq!(imp.at(&["services", "api", "env", "UPLOAD_DIR"]), "/var/lib/notes/uploads");
    assert_eq!(imp.at(&["services", "api", "env", "LOG_LEVEL"]), "warn");
    assert_eq!(imp.at(&["services", "api", "env", "NOTES_DB_PASSWORD", "key"]), "notes-db-password");
    assert_eq!(imp.at(&["services", "api", "env", "JWT_SECRET", "secret"]), "api-secrets");
    imp.assert_nowhere("env-file-pa");
    imp.assert_nowhere("jwt-secret-from-file");
    assert_eq!(imp.at(&["services", "web", "env", "API_URL"]), "http://api:8080");
    imp.warns(
        "note: tests/compose/healthchecks/api.env:4:1: services.api.environment: ",
        "NOTES_DB_PASSWORD, JWT_SECRET",
    );
    // entrypoint → command, command string → args split like a shell.
    assert_eq!(imp.list(&["services", "api", "command"]), ["/app/notes"]);
    assert_eq!(
        imp.list(&["services", "api", "args"]),
        ["serve", "--port", "8080", "--config", "/etc/notes/notes config.yaml"]
    );
    assert_eq!(imp.list(&["services", "jobs", "args"]), ["sh", "-c", "sleep 5 && /app/notes jobs"]);
    assert_eq!(imp.list(&["services", "cron", "args"]), ["/bin/sh", "-c", "/app/notes cron >> /tmp/cron.log 2>&1"]);
    // CMD: exec as written; 1m30s → 90; start_period only delays liveness.
    assert_eq!(imp.list(&["services", "api", "probes", "readiness", "exec"]), ["/app/notes", "health"]);
    assert_eq!(imp.at(&["services", "api", "probes", "liveness", "period"]), "90");
    assert_eq!(imp.at(&["services", "api", "probes", "liveness", "initial_delay"]), "40");
    assert_eq!(imp.at(&["services", "api", "probes", "liveness", "failure_threshold"]), "3");
    // A string test is CMD-SHELL.
    assert_eq!(
        imp.list(&["services", "web", "probes", "liveness", "exec"]),
        ["/bin/sh", "-c", "wget -qO- http://localhost:3000/ >/dev/null"]
    );
    // disable: true, no test, and NONE: no probes, and a note each.
    for s in ["jobs", "cron", "search"] {
        assert!(!imp.has(&["services", s, "probes"]), "{s}");
    }
    imp.warns(&format!("note: {file}:34:5: services.jobs.healthcheck: "), "disabled");
    imp.warns(&format!("note: {file}:40:5: services.cron.healthcheck: "), "has no test");
    imp.warns(&format!("note: {file}:47:7: services.search.healthcheck.test: "), "NONE");
    imp.warns(&format!("note: {file}:20:7: services.api.healthcheck.start_interval: "), "not converted");
    let stream = builds(&imp.dir, "prod");
    assert!(stream.contains("periodSeconds: 90"), "probe timing reaches the Deployment");
}

#[test]
fn build_only_service_bind_mounts_and_images_without_engine() {
    let imp = import("legacy", &[]);
    let file = fixture("legacy");
    assert_eq!(imp.at(&["services", "app", "image"]), "replace-me/app:0.0.0-placeholder");
    imp.warns(&format!("warning: {file}:6:5: services.app.build: "), "build-only service");
    // Bind mounts are listed; the named volume, anonymous volume and tmpfs are converted.
    imp.warns(&format!("warning: {file}:11:9: services.app.volumes[0]: "), "bind mount of `./app/src` not converted");
    imp.warns(&format!("warning: {file}:12:9: services.app.volumes[1]: "), "bind mount of `./php.ini` not converted");
    assert_eq!(imp.at(&["services", "app", "volumes", "uploads", "path"]), "/var/www/html/uploads");
    assert_eq!(imp.at(&["services", "app", "volumes", "uploads", "size"]), "1Gi");
    assert_eq!(imp.list(&["services", "app", "writable"]), ["/var/cache/app", "/run"]);
    // Host-level settings: one warning each, with the reason.
    for (line, key, reason) in [
        (22, "network_mode", "own network namespace"),
        (23, "privileged", "restricted Pod Security profile"),
        (24, "cap_add", "drops all capabilities"),
        (26, "working_dir", "WORKDIR"),
        (27, "extra_hosts", "DNS"),
        (28, "container_name", "Kubernetes names pods"),
        (35, "stop_grace_period", "SIGTERM"),
    ] {
        imp.warns(&format!("warning: {file}:{line}:5: services.app.{key}: "), reason);
    }
    imp.warns(&format!("warning: {file}:31:7: services.app.labels.bad key!: "), "annotation key");
    assert_eq!(imp.at(&["services", "app", "annotations", "com.example.team"]), "web");
    // user, cpus, mem_limit and platform.
    assert_eq!(imp.at(&["services", "app", "run_as_user"]), "1000");
    assert_eq!(imp.at(&["services", "app", "run_as_group"]), "1000");
    assert_eq!(imp.at(&["services", "app", "resources", "cpu"]), "100m/500m");
    assert_eq!(imp.at(&["services", "app", "resources", "memory"]), "128Mi/512Mi");
    assert_eq!(imp.at(&["services", "app", "node_selector", "kubernetes.io/arch"]), "amd64");
    // depends_on: targets with ports only; mailer (no ports) is noted.
    assert_eq!(imp.list(&["services", "app", "uses"]), ["memcached", "mysql"]);
    imp.warns(&format!("note: {file}:21:36: services.app.depends_on[2]: "), "`mailer` has no ports");
    // mysql and memcached are catalog engines.
    assert_eq!(imp.at(&["databases", "mysql", "engine"]), "mysql");
    assert_eq!(imp.at(&["databases", "mysql", "version"]), "8.0");
    assert_eq!(imp.at(&["databases", "mysql", "database"]), "legacy");
    assert_eq!(imp.at(&["databases", "memcached", "engine"]), "memcached");
    imp.warns(&format!("note: {file}:43:5: services.mysql.image: "), "catalog database `mysql`");
    imp.warns(&format!("warning: {file}:55:5: services.memcached.ulimits: "), "not converted");
    imp.warns(&format!("warning: {file}:38:5: services.mailer.image: "), "has no tag");
    imp.warns(&format!("warning: {file}:39:5: services.mailer.restart: "), "always restarts");
    imp.warns(&format!("warning: {file}:40:5: services.mailer.user: "), "numeric id");
    assert_eq!(imp.at(&["services", "mailer", "image"]), "ghcr.io/acme/mailer:latest");
    imp.assert_nowhere("legacy-mysql-pw");
    imp.assert_nowhere("legacy-root-pw");
    // The warnings are also listed at the top of platform.yaml.
    assert!(imp.text().contains(&format!("#   {file}:22:5: services.app.network_mode: not converted")));
}

#[test]
fn mongo_qdrant_and_gpu() {
    let imp = import("ai-stack", &[]);
    assert_eq!(imp.at(&["platform"]), "ai-stack", "the Compose file's folder name");
    assert_eq!(imp.at(&["databases", "mongo", "engine"]), "mongodb");
    assert_eq!(imp.at(&["databases", "mongo", "version"]), "7.0");
    assert_eq!(imp.at(&["databases", "mongo", "database"]), "rag");
    assert_eq!(imp.at(&["databases", "qdrant", "engine"]), "qdrant");
    assert_eq!(imp.at(&["databases", "qdrant", "version"]), "v1.12.4");
    assert_eq!(imp.at(&["databases", "qdrant", "env", "QDRANT__LOG_LEVEL"]), "INFO");
    assert_eq!(imp.at(&["databases", "qdrant", "storage", "size"]), "1Gi");
    // depends_on map form (required: false included), plus hosts named in env.
    assert_eq!(imp.list(&["services", "api", "uses"]), ["mongo", "ollama", "qdrant"]);
    // Values equal to a used database's credentials read that database's Secret.
    assert_eq!(imp.at(&["services", "api", "env", "MONGO_PASSWORD", "secret"]), "mongo-credentials");
    assert_eq!(imp.at(&["services", "api", "env", "QDRANT_API_KEY", "secret"]), "qdrant-credentials");
    assert_eq!(imp.at(&["services", "api", "env", "QDRANT_API_KEY", "key"]), "api-key");
    assert_eq!(imp.at(&["services", "api", "env", "MONGO_URL", "secret"]), "api-secrets");
    assert_eq!(imp.at(&["services", "api", "env", "OPENAI_API_KEY", "key"]), "openai-api-key");
    assert_eq!(imp.at(&["services", "api", "resources", "memory"]), "128Mi/2Gi");
    assert_eq!(imp.at(&["services", "ollama", "gpu"]), "1");
    assert_eq!(imp.at(&["services", "ollama", "volumes", "ollama", "path"]), "/root/.ollama");
    for s in ["mongo-root-pw", "qdrant-api-key-42", "sk-test-openai-key"] {
        imp.assert_nowhere(s);
    }
    let stream = builds(&imp.dir, "dev");
    assert!(stream.contains("nvidia.com/gpu"));
    assert!(stream.contains("image: qdrant/qdrant:v1.12.4-unprivileged"));
}

#[test]
fn names_secrets_configs_and_shared_volumes() {
    let imp = import("names", &[]);
    let file = fixture("names");
    assert_eq!(imp.at(&["platform"]), "billing-suite");
    assert_eq!(imp.keys(&["services"]), ["billing-api", "report-worker"]);
    assert_eq!(imp.keys(&["databases"]), ["billing-db"]);
    assert_eq!(imp.at(&["databases", "billing-db", "engine"]), "postgis");
    imp.warns(&format!("note: {file}:4:3: services.Billing_API: "), "renamed to `billing-api`");
    // Host names in env follow the rename; a dotted host is not the service.
    assert_eq!(imp.at(&["services", "billing-api", "env", "DB_HOST"]), "billing-db");
    assert_eq!(imp.at(&["services", "billing-api", "env", "DB_URL"]), "postgresql://billing-db:5432/billing");
    assert_eq!(imp.at(&["services", "billing-api", "env", "REPORTS_URL"]), "http://report_worker.internal/x");
    assert_eq!(imp.list(&["services", "billing-api", "uses"]), ["billing-db"]);
    // Compose secrets: one Secret mounted at /run/secrets; configs: files.
    assert_eq!(imp.at(&["services", "billing-api", "mounts", "/run/secrets", "secret"]), "billing-api-secret-files");
    imp.warns(&format!("warning: {file}:15:9: services.Billing_API.secrets[2]: "), "outside /run/secrets");
    assert_eq!(
        imp.at(&["services", "billing-api", "files", "/etc/billing/app.yaml"]),
        "currency: EUR\ninvoice_prefix: BIL-\n"
    );
    assert_eq!(imp.at(&["services", "billing-api", "files", "/inline_config"]), "mode: inline\n");
    // A named volume shared by two services: a claim each, and a warning.
    imp.warns(&format!("warning: {file}:22:9: services.Billing_API.volumes[0]: "), "shared with report_worker");
    assert_eq!(imp.list(&["services", "report-worker", "writable"]), ["/var/tmp"]);
    imp.warns(
        &format!("warning: {file}:36:7: services.billing_db.environment.POSTGRES_HOST_AUTH_METHOD: "),
        "not kept",
    );
    let out = genk8s().args(["build", "dev", "-p"]).arg(&imp.dir).assert().code(0).get_output().clone();
    let stream = String::from_utf8(out.stdout).unwrap();
    assert!(stream.contains("name: billing-api-shared") && stream.contains("name: report-worker-shared"));
}

#[test]
fn never_overwrites_and_defaults_to_a_folder_named_after_the_project() {
    let tmp = TempDir::new().unwrap();
    let compose = fs::canonicalize("tests/compose/shop/docker-compose.yml").unwrap();
    genk8s().current_dir(tmp.path()).args(["import", "compose"]).arg(&compose).assert().code(0);
    let platform = tmp.path().join("shop/platform.yaml");
    let before = fs::read_to_string(&platform).unwrap();
    builds(&tmp.path().join("shop"), "dev");
    // A second run stops before writing anything.
    let out = genk8s().current_dir(tmp.path()).args(["import", "compose"]).arg(&compose).assert().code(2);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(err.contains("already exist") && err.contains("never overwrites"), "{err}");
    assert_eq!(fs::read_to_string(&platform).unwrap(), before);
    // An environment file alone is enough to refuse.
    let other = tmp.path().join("other");
    fs::create_dir_all(other.join("environments")).unwrap();
    fs::write(other.join("environments/dev.yaml"), "namespace: mine\n").unwrap();
    genk8s().current_dir(tmp.path()).args(["import", "compose"]).arg(&compose).args(["-o", "other"]).assert().code(2);
    assert!(!other.join("platform.yaml").exists());
    assert_eq!(fs::read_to_string(other.join("environments/dev.yaml")).unwrap(), "namespace: mine\n");
}

#[test]
fn output_is_deterministic() {
    let a = import("anchors", &[]);
    let b = import("anchors", &[]);
    let norm = |i: &Imported| i.text().replace(i.dir.to_str().unwrap(), "OUT");
    assert_eq!(norm(&a), norm(&b));
}

#[test]
fn bad_input_is_an_error_with_a_place_and_writes_nothing() {
    let tmp = TempDir::new().unwrap();
    let cases: &[(&str, &str)] = &[
        ("services:\n  web:\n    image: [a\n", "YAML syntax error"),
        ("version: '3'\n", "no `services:`"),
        ("services:\n  web:\n    <<: 5\n", "merge key (`<<`) needs a map"),
        ("services:\n  dbg: {image: x:1, profiles: [debug]}\n", "--profile"),
        ("- a\n", "expected a Compose file"),
        (
            "services:\n  web: {image: \"app:${TAG:?pin TAG}\"}\n",
            "c5.yml:2:16: services.web.image: required variable `TAG` is not set: pin TAG",
        ),
        ("services:\n  web: {image: x:1, env_file: ../../etc/passwd}\n", "outside the Compose project folder"),
        ("include: [../elsewhere.yml]\nservices: {}\n", "outside the Compose project folder"),
        ("services:\n  a: {image: x:1, extends: b}\n  b: {image: x:1, extends: a}\n", "a cycle"),
    ];
    for (i, (text, expected)) in cases.iter().enumerate() {
        let file = tmp.path().join(format!("c{i}.yml"));
        fs::write(&file, text).unwrap();
        let out_dir = tmp.path().join(format!("out{i}"));
        let out = genk8s().env_clear().args(["import", "compose"]).arg(&file).arg("-o").arg(&out_dir).assert();
        let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
        if *expected == "outside the Compose project folder" && i == 6 {
            // An env file outside the project is a warning; the import goes on.
            assert!(err.contains(expected), "case {i}: {err}");
            continue;
        }
        out.code(2);
        assert!(err.contains(expected), "case {i}: {err}");
        assert!(err.contains(&format!("c{i}.yml:")), "case {i} names the file: {err}");
        assert!(!out_dir.exists(), "case {i} wrote something");
    }
    let missing = genk8s().args(["import", "compose", "no/such/compose.yml"]).assert().code(2);
    assert!(String::from_utf8_lossy(&missing.get_output().stderr).contains("cannot read no/such/compose.yml"));
}

#[test]
fn help_documents_the_defaults() {
    let out = genk8s().args(["import", "compose", "--help"]).assert().code(0);
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    assert!(text.contains("./<platform name>"), "{text}");
    assert!(text.contains("never overwrites"), "{text}");
    assert!(text.contains("--profile"), "{text}");
}

#[test]
fn dotenv_env_file_process_environment_include_extends_and_several_files() {
    let imp = import("project", &["-f", "tests/compose/project/compose.prod.yaml"]);
    // `.env` beside the Compose file is read; `${REGISTRY:?..}` is satisfied by it.
    assert_eq!(imp.at(&["services", "web", "image"]), "ghcr.io/acme/web:2.4.1");
    assert_eq!(imp.at(&["services", "worker", "image"]), "ghcr.io/acme/worker:2.4.1");
    // The volume name comes from .env, not an empty string.
    assert_eq!(imp.keys(&["services", "web", "volumes"]), ["app-data"]);
    // `${WORKERS-4}`: set but empty in .env, so empty; `${MODE:-web}`: unset, so the default.
    assert_eq!(imp.at(&["services", "web", "env", "WORKERS"]), "");
    assert_eq!(imp.at(&["services", "web", "env", "MODE"]), "web");
    // List merge keys and merge keys in the environment.
    assert_eq!(imp.at(&["services", "web", "env", "TZ"]), "UTC");
    // extends with file: brings env_file, expose and the healthcheck of common.yaml.
    assert_eq!(imp.at(&["services", "web", "env", "FROM_COMMON"]), "yes");
    assert_eq!(imp.at(&["services", "web", "ports", "http"]), "8080");
    assert!(imp.has(&["services", "web", "probes", "readiness", "exec"]));
    // extends in the same file: worker is web (before the override file) with its own MODE.
    assert_eq!(imp.at(&["services", "worker", "env", "MODE"]), "worker");
    assert_eq!(imp.at(&["services", "worker", "env", "LOG_LEVEL"]), "debug");
    // The second file is merged onto the first (its environment wins, deploy is added).
    assert_eq!(imp.at(&["services", "web", "env", "LOG_LEVEL"]), "warn");
    assert_eq!(imp.at(&["services", "web", "replicas"]), "3");
    // include: the included file's env_file is read relative to the included file.
    assert_eq!(imp.at(&["databases", "cache", "engine"]), "redis");
    assert_eq!(imp.at(&["databases", "cache", "env", "CACHE_NOTE"]), "from-sub");
    imp.warns("note: tests/compose/project/sub/infra.yaml:3:5: services.cache.image: ", "catalog database `redis`");
    builds(&imp.dir, "prod");

    // --env-file replaces .env; the process environment wins over both.
    let tmp = TempDir::new().unwrap();
    let out = genk8s()
        .env_clear()
        .env("APP_TAG", "3.0.0")
        .args([
            "import",
            "compose",
            "tests/compose/project/compose.yaml",
            "--env-file",
            "tests/compose/project/other.env",
            "-o",
        ])
        .arg(tmp.path().join("o"))
        .assert()
        .code(0);
    drop(out);
    let text = fs::read_to_string(tmp.path().join("o/platform.yaml")).unwrap();
    assert!(text.contains("image: registry.example.com/acme/web:3.0.0"), "{text}");
    assert!(text.contains("other-data:"), "{text}");
    assert!(text.contains("LOG_LEVEL: info"), "LOG_LEVEL is not in other.env: {text}");
}

/// The objects of a YAML stream.
fn objects(stream: &str) -> Vec<Node> {
    stream.split("---\n").filter(|d| !d.trim().is_empty()).map(|d| genk8s::yaml::parse(d, 0).unwrap()).collect()
}

fn find<'a>(objs: &'a [Node], kind: &str, name: &str) -> Option<&'a Node> {
    objs.iter().find(|o| {
        o.get("kind").and_then(Node::as_str) == Some(kind)
            && node_at(o, &["metadata", "name"]).and_then(Node::as_str) == Some(name)
    })
}

fn items(n: Option<&Node>) -> &[Node] {
    match n.map(|n| &n.kind) {
        Some(NodeKind::Seq(items)) => items,
        _ => &[],
    }
}

fn selects(rule: &Node, list: &str, name: &str) -> bool {
    items(rule.get(list)).iter().any(|peer| {
        node_at(peer, &["podSelector", "matchLabels", "app.kubernetes.io/name"]).and_then(Node::as_str) == Some(name)
    })
}

fn allows_port(rule: &Node, port: &str) -> bool {
    items(rule.get("ports")).iter().any(|p| p.get("port").and_then(Node::as_str) == Some(port))
}

/// `from` reaches `to` on `port`: a Service `to` with that target port, `to`'s
/// NetworkPolicy admits `from` on it and `from`'s lets it out to `to`.
fn assert_reaches(objs: &[Node], from: &str, to: &str, port: &str) {
    let svc = find(objs, "Service", to).unwrap_or_else(|| panic!("no Service `{to}` (reached by `{from}`)"));
    let targets: Vec<&str> =
        items(node_at(svc, &["spec", "ports"])).iter().filter_map(|p| p.get("port").and_then(Node::as_str)).collect();
    assert!(targets.contains(&port), "Service `{to}` has ports {targets:?}, not {port}");
    let np = find(objs, "NetworkPolicy", to).unwrap_or_else(|| panic!("no NetworkPolicy `{to}`"));
    let ingress = items(node_at(np, &["spec", "ingress"]));
    assert!(
        ingress.iter().any(|r| selects(r, "from", from) && allows_port(r, port)),
        "NetworkPolicy `{to}` does not admit `{from}` on {port}"
    );
    let np = find(objs, "NetworkPolicy", from).unwrap_or_else(|| panic!("no NetworkPolicy `{from}`"));
    let egress = items(node_at(np, &["spec", "egress"]));
    assert!(
        egress.iter().any(|r| selects(r, "to", to) && allows_port(r, port)),
        "`{from}` may not connect to `{to}` on {port}"
    );
}

#[test]
fn internal_services_without_ports_are_reachable_through_services_and_policies() {
    let imp = import("selfhosted", &[]);
    let objs = objects(&builds(&imp.dir, "dev"));
    for (from, to, port) in [
        // Found in a bind-mounted gateway config (url: http://auth:9999/ ...).
        ("gateway", "auth", "9999"),
        ("gateway", "rest", "3000"),
        ("gateway", "realtime", "4000"),
        // Database URLs and a DB_HOST/DB_PORT pair.
        ("auth", "db", "5432"),
        ("rest", "db", "5432"),
        ("realtime", "db", "5432"),
        // An amqp:// URL, a CACHE_HOST/CACHE_PORT pair, http URLs with ports.
        ("worker", "queue", "5672"),
        ("worker", "cache", "6379"),
        ("worker", "search", "7700"),
        ("worker", "events", "8088"),
        ("events", "analytics", "8123"),
        // proxy_pass in an nginx config file.
        ("web", "gateway", "8000"),
    ] {
        assert_reaches(&objs, from, to, port);
    }
    // Reached only by depends_on, with nothing that says on which port: a warning.
    let file = fixture("selfhosted");
    imp.warns(&format!("warning: {file}:105:3: services.notifier: "), "reached by `worker`");
    assert!(find(&objs, "Service", "notifier").is_none());
}

#[test]
fn bind_mounts_become_files_and_volumes_and_secrets_are_shared_not_copied() {
    let imp = import("selfhosted", &[]);
    let file = fixture("selfhosted");
    // A bind-mounted file is copied into the platform and mounted from a ConfigMap.
    let from = imp.at(&["services", "gateway", "files", "/home/kong/kong.yml", "from"]);
    assert_eq!(from, "files/gateway/volumes/kong/kong.yml");
    let copied = fs::read_to_string(imp.dir.join(&from)).unwrap();
    assert_eq!(copied, fs::read_to_string("tests/compose/selfhosted/volumes/kong/kong.yml").unwrap());
    // A database (ClickHouse) keeps its bind-mounted config file, and Postgres its init script.
    assert!(imp.has(&["databases", "analytics", "files", "/etc/clickhouse-server/config.d/custom.xml"]));
    assert!(imp.has(&["databases", "db", "files", "/docker-entrypoint-initdb.d/init.sql"]));
    // A bind-mounted data directory becomes its storage, with a warning.
    assert_eq!(imp.at(&["databases", "analytics", "storage", "size"]), "1Gi");
    imp.warns(&format!("warning: {file}:103:9: services.analytics.volumes[1]: "), "starts empty");
    // tmpfs becomes writable paths.
    assert_eq!(
        imp.list(&["services", "web", "writable"]).first().map(String::as_str),
        Some("/var/cache/nginx/client_temp")
    );
    // The server's `--requirepass` and its client stay linked: the client reads the engine's Secret.
    assert_eq!(imp.at(&["databases", "cache", "engine"]), "valkey");
    assert_eq!(imp.at(&["services", "worker", "env", "CACHE_PASSWORD", "secret"]), "cache-credentials");
    assert_eq!(imp.at(&["services", "worker", "env", "CACHE_PASSWORD", "key"]), "password");
    // A secret value in a command becomes $(VAR) read from the shared Secret, as the queue's own does.
    assert_eq!(imp.list(&["services", "notifier", "args"]), ["notify", "--queue-password=$(MQ_PASSWORD)"]);
    assert_eq!(imp.at(&["services", "notifier", "env", "MQ_PASSWORD", "secret"]), "shared-secrets");
    assert_eq!(imp.at(&["services", "notifier", "env", "MQ_PASSWORD", "key"]), "mq-password");
    imp.warns(
        &format!("note: {file}:83:7: services.queue.environment.RABBITMQ_DEFAULT_PASS: "),
        "Secret `queue-credentials` key `password`",
    );
    for (svc, var) in [("auth", "JWT_SECRET"), ("rest", "PGRST_JWT_SECRET"), ("realtime", "API_JWT_SECRET")] {
        assert_eq!(imp.at(&["services", svc, "env", var, "key"]), "jwt-secret", "{svc}");
    }
    for secret in ["fixture-postgres-password", "fixture-jwt-secret", "fixture-cache-password", "fixture-mq-password"] {
        imp.assert_nowhere(secret);
    }
}

#[test]
fn mysql_mariadb_valkey_memcached_and_vendor_postgres_become_engines() {
    let imp = import("lamp", &[]);
    for (db, engine) in [
        ("mariadb", "mariadb"),
        ("mysql", "mysql"),
        ("memcached", "memcached"),
        ("cache", "valkey"),
        ("vectors", "postgres"),
    ] {
        assert_eq!(imp.at(&["databases", db, "engine"]), engine, "{db}");
    }
    // A vendor build keeps its image.
    assert_eq!(imp.at(&["databases", "vectors", "image"]), "pgvector/pgvector:pg16");
    assert_eq!(imp.at(&["databases", "mariadb", "database"]), "wordpress");
    // The client's password is the server's: it reads the database's Secret.
    assert_eq!(imp.at(&["services", "wordpress", "env", "WORDPRESS_DB_PASSWORD", "secret"]), "mariadb-credentials");
    for s in ["root-password-1", "mysql-root-password", "reports-password", "vectors-password", "wp-db-password"] {
        imp.assert_nowhere(s);
    }
    let objs = objects(&builds(&imp.dir, "prod"));
    assert_reaches(&objs, "wordpress", "mariadb", "3306");
    assert_reaches(&objs, "wordpress", "memcached", "11211");
    assert_reaches(&objs, "reports", "mysql", "3306");
    assert_reaches(&objs, "reports", "vectors", "5432");
    let sts = find(&objs, "StatefulSet", "mariadb").expect("mariadb runs as a StatefulSet");
    let sc = node_at(sts, &["spec", "template", "spec", "securityContext"]).unwrap();
    assert_eq!(sc.get("runAsUser").and_then(Node::as_str), Some("999"));
    let vectors = find(&objs, "StatefulSet", "vectors").unwrap();
    let image = node_at(vectors, &["spec", "template", "spec", "containers", "0", "image"]).and_then(Node::as_str);
    assert_eq!(image, Some("pgvector/pgvector:pg16"));
}

#[test]
fn image_profiles_set_user_writable_paths_and_probes_and_unknown_images_are_warned() {
    let imp = import("selfhosted", &[]);
    let file = fixture("selfhosted");
    // kong: its user, a writable prefix it is told to use, a probe on its proxy port.
    assert_eq!(imp.at(&["services", "gateway", "run_as_user"]), "1000");
    assert_eq!(imp.at(&["services", "gateway", "env", "KONG_PREFIX"]), "/kong_prefix");
    assert_eq!(imp.list(&["services", "gateway", "writable"]), ["/kong_prefix"]);
    assert_eq!(imp.at(&["services", "gateway", "probes", "readiness", "tcp"]), "http");
    // nginx: uid 101 and its cache and pid directories, after the Compose tmpfs.
    assert_eq!(imp.at(&["services", "web", "run_as_user"]), "101");
    assert_eq!(imp.at(&["services", "web", "fs_group"]), "101");
    assert_eq!(
        imp.list(&["services", "web", "writable"]),
        ["/var/cache/nginx/client_temp", "/var/cache/nginx", "/var/run"]
    );
    // RabbitMQ and ClickHouse are catalog engines: StatefulSets with their user and credentials Secret.
    assert_eq!(imp.at(&["databases", "queue", "engine"]), "rabbitmq");
    assert_eq!(imp.at(&["databases", "analytics", "engine"]), "clickhouse");
    imp.warns(&format!("note: {file}:17:5: services.gateway.image: "), "image profile `kong`");
    // An unknown image: what was assumed and how to change it.
    imp.warns(&format!("warning: {file}:31:5: services.auth.image: "), "runs as uid 10001 (set run_as_user:");
    assert!(!imp.has(&["services", "auth", "run_as_user"]));
    // Every profile builds.
    let objs = objects(&builds(&imp.dir, "prod"));
    let dep = find(&objs, "Deployment", "gateway").unwrap();
    let sc = node_at(dep, &["spec", "template", "spec", "securityContext"]).unwrap();
    assert_eq!(sc.get("runAsUser").and_then(Node::as_str), Some("1000"));
}

#[test]
fn one_shot_services_become_migrate_steps_of_their_dependents() {
    let imp = import("selfhosted", &[]);
    let file = fixture("selfhosted");
    // `migrate` (restart: "no", awaited with service_completed_successfully) is no Deployment...
    assert!(!imp.has(&["services", "migrate"]));
    imp.warns(&format!("note: {file}:130:3: services.migrate: "), "migrate: step of `auth`");
    // ...but the migrate: step of auth, with its image and command; auth may reach what it reaches.
    assert_eq!(imp.at(&["services", "auth", "migrate", "image"]), "ghcr.io/acme/migrate:1.4.0");
    assert_eq!(imp.list(&["services", "auth", "migrate", "command"]), ["migrate", "up"]);
    assert!(imp.list(&["services", "auth", "uses"]).contains(&"db".to_string()));
    imp.warns(&format!("warning: {file}:134:5: services.migrate.environment: "), "lacks DATABASE_URL");
    let objs = objects(&builds(&imp.dir, "dev"));
    // Migrations run as a Job (one pod, once per version) that auth's pods wait for.
    let job =
        objs.iter().find(|o| node_at(o, &["kind"]).and_then(Node::as_str) == Some("Job")).expect("the migration Job");
    let containers = items(node_at(job, &["spec", "template", "spec", "containers"]));
    assert!(
        containers.iter().any(|c| c.get("image").and_then(Node::as_str) == Some("ghcr.io/acme/migrate:1.4.0")),
        "the migration Job runs the migrate image"
    );
    let dep = find(&objs, "Deployment", "auth").unwrap();
    let inits = items(node_at(dep, &["spec", "template", "spec", "initContainers"]));
    assert!(
        inits.iter().any(|c| c.get("name").and_then(Node::as_str) == Some("wait-for-migration")),
        "auth waits for the migration before it starts"
    );
    assert!(find(&objs, "Deployment", "migrate").is_none());
}

#[test]
fn a_plain_word_password_is_not_mistaken_for_the_host_or_user_of_the_same_name() {
    let tmp = TempDir::new().unwrap();
    let proj = tmp.path().join("proj");
    fs::create_dir_all(&proj).unwrap();
    fs::write(proj.join(".env"), "POSTGRES_PASSWORD=postgres\n").unwrap();
    fs::write(
        proj.join("compose.yaml"),
        "services:\n  api:\n    image: ghcr.io/acme/api:1.0.0\n    command: [serve, --db-user, postgres]\n    environment:\n      DB_HOST: postgres\n      DB_PASSWORD: ${POSTGRES_PASSWORD}\n  postgres:\n    image: postgres:16\n    environment:\n      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    genk8s()
        .env_clear()
        .args(["import", "compose"])
        .arg(proj.join("compose.yaml"))
        .arg("-o")
        .arg(&out)
        .assert()
        .code(0);
    let text = fs::read_to_string(out.join("platform.yaml")).unwrap();
    let spec = genk8s::yaml::parse(&text, 0).unwrap();
    let at = |path: &[&str]| node_at(&spec, path).and_then(Node::as_str).map(str::to_string);
    assert_eq!(at(&["services", "api", "env", "DB_HOST"]).as_deref(), Some("postgres"), "{text}");
    assert_eq!(at(&["services", "api", "args", "2"]).as_deref(), Some("postgres"), "{text}");
    assert_eq!(
        at(&["services", "api", "env", "DB_PASSWORD", "secret"]).as_deref(),
        Some("postgres-credentials"),
        "{text}"
    );
}

/// Every `from → to:port` path, judged by genk8s's NetworkPolicy evaluator on the objects
/// of ENV: a Service `to` with that port whose every pod each pod of `from` may reach.
fn assert_paths(dir: &Path, env: &str, paths: &[(&str, &str, u16)]) {
    use genk8s::netpol::{Cluster, Peer};
    let v = genk8s::check(dir, Some(env)).unwrap_or_else(|e| panic!("{e}")).remove(0);
    let objects = genk8s::expand::expand(&v);
    let c = Cluster::from_objects(&objects);
    for (from, to, port) in paths {
        let pods: Vec<_> = c.pods.iter().filter(|p| p.workload == *from).collect();
        assert!(!pods.is_empty(), "no pods of `{from}`");
        for p in pods {
            let reach = c.reaches_service(&Peer::Pod(p.pod.clone()), &v.namespace, to, *port);
            assert_eq!(
                reach,
                Some(true),
                "{} may not reach Service `{to}` on {port} (None: no such Service or port)",
                p.object
            );
        }
    }
}

#[test]
fn kafka_opensearch_clickhouse_and_minio_become_engines_that_their_clients_reach() {
    let imp = import("streams", &[]);
    let file = fixture("streams");
    for (db, engine) in
        [("kafka", "kafka"), ("opensearch", "opensearch"), ("analytics", "clickhouse"), ("minio", "minio")]
    {
        assert_eq!(imp.at(&["databases", db, "engine"]), engine, "{db}");
        assert_eq!(imp.at(&["databases", db, "storage", "size"]), "1Gi", "{db}: its named volume");
    }
    // Kafka: the tag is kept; the engine owns the KRaft settings, other settings stay.
    assert_eq!(imp.at(&["databases", "kafka", "version"]), "3.9.0");
    assert_eq!(
        imp.keys(&["databases", "kafka", "env"]),
        ["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "KAFKA_NUM_PARTITIONS"]
    );
    imp.warns(&format!("note: {file}:14:7: services.kafka.environment.KAFKA_ADVERTISED_LISTENERS: "), "not kept");
    // OpenSearch: the admin password moves to the Secret; memory locking cannot be kept.
    imp.warns(
        &format!("note: {file}:62:9: services.opensearch.environment.OPENSEARCH_INITIAL_ADMIN_PASSWORD: "),
        "Secret `opensearch-credentials` key `password`",
    );
    imp.warns(&format!("warning: {file}:60:9: services.opensearch.environment.bootstrap.memory_lock: "), "IPC_LOCK");
    // ClickHouse: its database, and the bind-mounted XML config as database files.
    assert_eq!(imp.at(&["databases", "analytics", "database"]), "events");
    assert_eq!(
        imp.keys(&["databases", "analytics", "files"]),
        ["/etc/clickhouse-server/config.d/storage.xml", "/etc/clickhouse-server/users.d/profiles.xml"]
    );
    let copied = fs::read_to_string(imp.dir.join(imp.at(&[
        "databases",
        "analytics",
        "files",
        "/etc/clickhouse-server/config.d/storage.xml",
        "from",
    ])))
    .unwrap();
    assert!(copied.contains("<max_server_memory_usage_to_ram_ratio>"), "{copied}");
    // MinIO: `server /data` is what the engine runs; the bucket set-up is archiver's migrate: step.
    imp.warns(&format!("note: {file}:95:5: services.minio.command: "), "minio server /data");
    assert_eq!(imp.at(&["services", "archiver", "migrate", "image"]), "minio/mc:RELEASE.2024-10-08T09-37-26Z");
    assert_eq!(imp.at(&["services", "archiver", "env", "AWS_SECRET_ACCESS_KEY", "secret"]), "minio-credentials");
    // The dashboards' image profile.
    assert_eq!(imp.at(&["services", "dashboards", "run_as_user"]), "1000");
    assert_eq!(imp.list(&["services", "dashboards", "writable"]), ["/usr/share/opensearch-dashboards/data"]);
    for s in ["fixture-Opensearch-Pw1!", "fixture-clickhouse-password", "fixture-minio-password"] {
        imp.assert_nowhere(s);
    }
    let paths = [
        ("ingest", "kafka", 9092),
        // Consumers without ports, by depends_on or a host in their environment.
        ("indexer", "kafka", 9092),
        ("archiver", "kafka", 9092),
        // After bootstrapping, clients connect to the broker's advertised pod name.
        ("indexer", "kafka-headless", 9092),
        ("archiver", "kafka-headless", 9092),
        ("indexer", "opensearch", 9200),
        ("dashboards", "opensearch", 9200),
        ("indexer", "analytics", 8123),
        ("archiver", "minio", 9000),
    ];
    for env in ["dev", "prod"] {
        assert_paths(&imp.dir, env, &paths);
    }
    let objs = objects(&builds(&imp.dir, "prod"));
    // The migration Job (the bucket set-up) reaches MinIO as archiver does.
    let job =
        objs.iter().find(|o| o.get("kind").and_then(Node::as_str) == Some("Job")).expect("archiver's migration Job");
    let job_name = node_at(job, &["metadata", "name"]).and_then(Node::as_str).unwrap().to_string();
    assert!(job_name.starts_with("archiver-"), "{job_name}");
    // Search engines get their config directory copied writable before they start.
    let sts = find(&objs, "StatefulSet", "opensearch").unwrap();
    let init = items(node_at(sts, &["spec", "template", "spec", "initContainers"]));
    let seed = init
        .iter()
        .find(|c| c.get("name").and_then(Node::as_str) == Some("seed-writable-dirs"))
        .expect("a seed container");
    assert_eq!(seed.get("image").and_then(Node::as_str), Some("opensearchproject/opensearch:2.17.1"));
    let env = items(node_at(sts, &["spec", "template", "spec", "containers", "0", "env"]));
    let mmap = env.iter().find(|e| e.get("name").and_then(Node::as_str) == Some("node.store.allow_mmap"));
    assert_eq!(mmap.and_then(|e| e.get("value")).and_then(Node::as_str), Some("false"));
    // ClickHouse's XML config is mounted read-only, file by file, from the database's ConfigMap.
    let ch = find(&objs, "StatefulSet", "analytics").unwrap();
    let mounts = items(node_at(ch, &["spec", "template", "spec", "containers", "0", "volumeMounts"]));
    let xml = mounts
        .iter()
        .find(|m| m.get("mountPath").and_then(Node::as_str) == Some("/etc/clickhouse-server/config.d/storage.xml"))
        .expect("the config file is mounted");
    assert_eq!(xml.get("readOnly").and_then(Node::as_str), Some("true"));
    let volumes = items(node_at(ch, &["spec", "template", "spec", "volumes"]));
    let cm = volumes
        .iter()
        .find(|v| v.get("name").and_then(Node::as_str) == xml.get("name").and_then(Node::as_str))
        .and_then(|v| node_at(v, &["configMap", "name"]))
        .and_then(Node::as_str)
        .expect("from a ConfigMap");
    assert!(cm.starts_with("analytics-files-") && find(&objs, "ConfigMap", cm).is_some(), "{cm}");
    let kafka = find(&objs, "StatefulSet", "kafka").unwrap();
    let env = items(node_at(kafka, &["spec", "template", "spec", "containers", "0", "env"]));
    let adv = env.iter().find(|e| e.get("name").and_then(Node::as_str) == Some("KAFKA_ADVERTISED_LISTENERS"));
    assert_eq!(
        adv.and_then(|e| e.get("value")).and_then(Node::as_str),
        Some("PLAINTEXT://kafka-0.kafka-headless:9092")
    );
}

#[test]
fn a_confluent_build_keeps_its_image_bitnami_kafka_takes_the_engines_and_clients_use_the_one_listener() {
    let imp = import("confluent", &[]);
    let file = fixture("confluent");
    assert_eq!(imp.at(&["databases", "broker", "engine"]), "kafka");
    assert_eq!(imp.at(&["databases", "broker", "image"]), "confluentinc/cp-kafka:7.7.1");
    assert_eq!(imp.keys(&["databases", "broker", "env"]), ["KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "KAFKA_JMX_PORT"]);
    // Bitnami's broker: the engine's image, its KAFKA_CFG_ settings under the Apache names.
    assert!(!imp.has(&["databases", "legacy-queue", "image"]) && !imp.has(&["databases", "legacy-queue", "version"]));
    assert_eq!(imp.keys(&["databases", "legacy-queue", "env"]), ["KAFKA_AUTO_CREATE_TOPICS_ENABLE"]);
    // The internal listener port becomes the engine's one listener.
    assert_eq!(imp.at(&["services", "consumer", "env", "BOOTSTRAP_SERVERS"]), "broker:9092");
    imp.warns(&format!("note: {file}:59:7: services.consumer.environment.BOOTSTRAP_SERVERS: "), "listens on 9092 only");
    // Elasticsearch: the password in the Secret, and clients told to sign in.
    imp.warns(&format!("note: {file}:38:5: services.es.image: "), "clients must now sign in as `elastic`");
    assert_eq!(imp.at(&["services", "consumer", "env", "ES_PASSWORD", "secret"]), "es-credentials");
    imp.assert_nowhere("fixture-elastic-password");
    assert_eq!(imp.at(&["services", "kibana", "run_as_user"]), "1000");
    let paths = [
        ("consumer", "broker", 9092),
        ("consumer", "broker-headless", 9092),
        ("consumer", "legacy-queue", 9092),
        ("consumer", "es", 9200),
        ("kibana", "es", 9200),
    ];
    assert_paths(&imp.dir, "prod", &paths);
    let objs = objects(&builds(&imp.dir, "prod"));
    // The Confluent image's start script writes /etc/kafka: that is the seeded directory.
    let sts = find(&objs, "StatefulSet", "broker").unwrap();
    let mounts = items(node_at(sts, &["spec", "template", "spec", "containers", "0", "volumeMounts"]));
    let paths: Vec<&str> = mounts.iter().filter_map(|m| m.get("mountPath").and_then(Node::as_str)).collect();
    assert!(paths.contains(&"/etc/kafka") && paths.contains(&"/var/lib/kafka/data"), "{paths:?}");
    let image = node_at(sts, &["spec", "template", "spec", "containers", "0", "image"]).and_then(Node::as_str);
    assert_eq!(image, Some("confluentinc/cp-kafka:7.7.1"));
}
