//! Services with an official database image the catalog has an engine for
//! (postgres, postgis, mongo, redis, qdrant) → genk8s catalog databases, whose
//! credentials move to a Secret.

use super::conv::Conv;
use super::plan::{Context, Plan};
use super::values;
use serde_json::{Map, Value, json};

/// A literal credential of a database (to let services reference its Secret instead).
pub(super) struct DbCredential {
    pub(super) db: String,
    pub(super) key: &'static str,
    pub(super) value: String,
}

/// The Secret a catalog database reads its credentials from.
pub(super) fn credentials_secret(db: &str) -> String {
    format!("{db}-credentials")
}

impl Conv<'_> {
    pub(super) fn database(&mut self, p: &Plan, ctx: &Context, creds: &mut Vec<DbCredential>) -> Value {
        let engine = p.engine.unwrap_or_default();
        let image = p.image.clone().unwrap_or_default();
        let mut out = Map::new();
        out.insert("engine".into(), json!(engine));
        self.database_image(p, engine, &image, &mut out);
        let secret = credentials_secret(&p.name);
        let mut keys: Vec<&str> = match engine {
            "postgres" | "postgis" | "mongodb" | "rabbitmq" => vec!["username", "password"],
            "mysql" | "mariadb" => vec!["username", "password", "root-password"],
            "redis" | "valkey" => vec!["password"],
            "qdrant" => vec!["api-key"],
            "elasticsearch" | "opensearch" => vec!["password"],
            "clickhouse" | "minio" => vec!["username", "password"],
            _ => vec![],
        };
        let (env, database) = self.database_env(p, engine, &secret, creds);
        if let Some(pass) = requirepass(p.node).filter(|_| matches!(engine, "redis" | "valkey")) {
            creds.push(DbCredential { db: p.name.clone(), key: "password", value: pass });
        }
        if let Some(db) = database {
            if is_database_name(&db) {
                out.insert("database".into(), json!(db));
            } else {
                self.warn(p.span, p.path("environment"), format!("database name `{db}` not kept: genk8s import writes names of letters, digits, `_` and `-` (set database:)"));
            }
        }
        let mut files = Map::new();
        if let Some(storage) = self.database_storage(p, ctx, &mut files) {
            out.insert("storage".into(), storage);
        }
        if !files.is_empty() {
            out.insert("files".into(), Value::Object(files));
        }
        let dep = self.deploy(p);
        if let Some(res) = dep.resources() {
            out.insert("resources".into(), res);
        }
        if let Some(r) = dep.replicas.filter(|r| *r > 1) {
            self.warn(
                p.key_span("deploy"),
                p.path("deploy.replicas"),
                format!("{r} replicas of a database are independent copies, not replication: kept at 1"),
            );
        }
        if !env.is_empty() {
            out.insert("env".into(), Value::Object(env));
        }
        if out.get("database").is_none() && matches!(engine, "postgres" | "postgis" | "mysql" | "mariadb") {
            keys.push("database");
        }
        let mut msg = if keys.is_empty() {
            format!("runs as catalog database `{engine}` (a StatefulSet)")
        } else {
            self.secrets.entry(secret.clone()).or_default().extend(keys.iter().map(|k| k.to_string()));
            format!(
                "runs as catalog database `{engine}` (a StatefulSet); it reads its credentials from Secret `{secret}` (keys {})",
                keys.join(", ")
            )
        };
        if matches!(engine, "redis" | "valkey") {
            msg.push_str("; clients must now send that password");
        }
        if let Some(user) = match engine {
            "elasticsearch" => Some("elastic"),
            "opensearch" => Some("admin"),
            _ => None,
        } {
            msg.push_str(&format!("; security is on: clients must now sign in as `{user}` with that password"));
        }
        self.note(p.key_span("image"), p.path("image"), msg);
        self.database_fields(p, engine);
        Value::Object(out)
    }

    /// `image:` (vendor builds) and `version:` of a database from its Compose image.
    fn database_image(&mut self, p: &Plan, engine: &str, image: &str, out: &mut Map<String, Value>) {
        let r = values::parse_image(image);
        if r.repo.starts_with("bitnami/") {
            let msg = format!(
                "`{}` runs as the {engine} engine with the engine's image (Bitnami's variables, paths and user differ; `KAFKA_CFG_*` settings become `KAFKA_*`), at the engine's pinned default version",
                r.repo
            );
            self.note(p.key_span("image"), p.path("image"), msg);
            return;
        }
        if p.vendor {
            out.insert("image".into(), json!(image));
            self.note(p.key_span("image"), p.path("image"), format!("`{}` is a build of {engine}: it runs as the {engine} engine with its own image kept (the engine's user, data path and probes apply; if the image differs, override templates/engines/{engine}.yaml.j2 in the platform)", r.repo));
        }
        match r.tag.as_deref() {
            Some(t) if t != "latest" && values::is_tag(t) => {
                out.insert("version".into(), json!(t));
            }
            _ => self.note(
                p.key_span("image"),
                p.path("image"),
                format!("`{image}` names no version: the {engine} engine's pinned default version is used"),
            ),
        }
        if r.digest {
            self.note(
                p.key_span("image"),
                p.path("image"),
                "the digest is not kept: genk8s pins the engine image by tag",
            );
        }
    }

    /// The environment of a database: credentials go to the Secret, known settings are
    /// consumed, the rest stays. Also returns the database name the environment sets
    /// (for postgres, the image's own default when it sets none).
    fn database_env(
        &mut self,
        p: &Plan,
        engine: &str,
        secret: &str,
        creds: &mut Vec<DbCredential>,
    ) -> (Map<String, Value>, Option<String>) {
        let mut env = Map::new();
        let mut database: Option<String> = None;
        let mut user: Option<String> = None;
        for item in self.env(p) {
            let value = item.value.clone().unwrap_or_default();
            let consumed = match role(engine, &item.key) {
                Role::Credential(key, hidden) => {
                    if !hidden {
                        user = Some(value.clone());
                    }
                    Some((key, hidden))
                }
                Role::Database => {
                    database = Some(value.clone());
                    continue;
                }
                Role::Dropped(level_warn, why) => {
                    let why = why.replace("{secret}", secret);
                    if level_warn {
                        self.warn(item.span, item.path, why);
                    } else {
                        self.note(item.span, item.path, why);
                    }
                    continue;
                }
                Role::Renamed(to) => {
                    self.note(item.span, item.path, format!("kept as `{to}` (the engine image's name for it)"));
                    env.insert(to, json!(value));
                    continue;
                }
                Role::Kept => None,
            };
            if let Some((key, hidden)) = consumed {
                if hidden && !value.is_empty() {
                    creds.push(DbCredential { db: p.name.clone(), key, value: value.clone() });
                }
                self.note(
                    item.span,
                    item.path,
                    format!(
                        "now read from Secret `{secret}` key `{key}`{}",
                        if hidden { " (the value is not copied)" } else { "" }
                    ),
                );
                continue;
            }
            if values::is_secret(&item.key, &value) {
                self.warn(item.span, item.path, "not kept: database env cannot reference a Secret, and secret values are never copied into the spec");
                continue;
            }
            env.insert(item.key, json!(value));
        }
        let database = if matches!(engine, "postgres" | "postgis") {
            // The image's own default: POSTGRES_DB falls back to POSTGRES_USER, then `postgres`.
            Some(database.or(user).filter(|d| !d.is_empty()).unwrap_or_else(|| "postgres".into()))
        } else {
            database.filter(|d| !d.is_empty())
        };
        (env, database)
    }

    /// The other fields of a database service: kept by the engine, or not converted.
    fn database_fields(&mut self, p: &Plan, engine: &str) {
        for e in p.node.entries().unwrap_or_default() {
            let path = p.path(&e.key);
            match e.key.as_str() {
                "image" | "environment" | "env_file" | "volumes" | "tmpfs" | "deploy" | "cpus" | "mem_limit" | "mem_reservation" | "scale" | "depends_on" | "links" => {}
                "ports" | "expose" => self.note(
                    e.key_span,
                    path,
                    format!("not kept: clients reach the database at `{}` on its engine's port", p.name),
                ),
                "healthcheck" => self.note(e.key_span, path, "not kept: the engine has its own liveness and readiness probes"),
                "command" if engine == "minio" && command_words(&e.value).first().is_some_and(|w| w == "server") => {
                    self.note(e.key_span, path, "not kept: the minio engine runs `minio server /data` itself, with the console on :9001");
                }
                "command" | "entrypoint" => self.warn(e.key_span, path, format!("not kept: the {engine} engine runs its own command (change it in templates/engines/{engine}.yaml.j2)")),
                "user" => self.note(e.key_span, path, "not kept: the engine runs as its image's own user"),
                "build" => self.note(e.key_span, path, "not kept: the engine's official image is used"),
                "labels" | "annotations" => self.warn(e.key_span, path, "not converted: genk8s databases have no labels or annotations field"),
                "secrets" | "configs" => self.warn(e.key_span, path, "not converted: database files come from the engine template"),
                "platform" => self.warn(e.key_span, path, "not converted: use node_selector: on the database"),
                _ => self.common(p, e),
            }
        }
    }
}

/// The words of a command (string or list form).
fn command_words(cmd: &crate::yaml::Node) -> Vec<String> {
    match &cmd.kind {
        crate::yaml::NodeKind::Scalar { text, .. } => text.split_whitespace().map(str::to_string).collect(),
        crate::yaml::NodeKind::Seq(items) => items
            .iter()
            .filter_map(|i| i.as_str())
            .flat_map(|s| s.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .collect(),
        _ => Vec::new(),
    }
}

/// The password of `--requirepass PASS` in a Redis-style command (string or list form).
fn requirepass(svc: &crate::yaml::Node) -> Option<String> {
    let words = command_words(svc.get("command")?);
    let i = words.iter().position(|w| w == "--requirepass")?;
    words.get(i + 1).map(|w| w.trim_matches(['"', '\'']).to_string()).filter(|w| !w.is_empty() && !w.starts_with('$'))
}

/// What a database's environment variable is to its engine.
enum Role {
    /// A credential, moved to the Secret under this key (true: the value is secret).
    Credential(&'static str, bool),
    /// The name of the database to create.
    Database,
    /// Not kept: (a warning rather than a note, why; `{secret}` names the Secret).
    Dropped(bool, &'static str),
    /// Kept under another name.
    Renamed(String),
    Kept,
}

fn role(engine: &str, key: &str) -> Role {
    if let Some(r) = search_or_store_role(engine, key) {
        return r;
    }
    let pg = matches!(engine, "postgres" | "postgis");
    let my = matches!(engine, "mysql" | "mariadb");
    match key {
        "POSTGRES_PASSWORD" if pg => Role::Credential("password", true),
        "MONGO_INITDB_ROOT_PASSWORD" if engine == "mongodb" => Role::Credential("password", true),
        "QDRANT__SERVICE__API_KEY" if engine == "qdrant" => Role::Credential("api-key", true),
        "MYSQL_ROOT_PASSWORD" | "MARIADB_ROOT_PASSWORD" if my => Role::Credential("root-password", true),
        "MYSQL_PASSWORD" | "MARIADB_PASSWORD" if my => Role::Credential("password", true),
        "MYSQL_USER" | "MARIADB_USER" if my => Role::Credential("username", false),
        "POSTGRES_USER" if pg => Role::Credential("username", false),
        "MONGO_INITDB_ROOT_USERNAME" if engine == "mongodb" => Role::Credential("username", false),
        "RABBITMQ_DEFAULT_USER" if engine == "rabbitmq" => Role::Credential("username", false),
        "RABBITMQ_DEFAULT_PASS" if engine == "rabbitmq" => Role::Credential("password", true),
        "MYSQL_DATABASE" | "MARIADB_DATABASE" if my => Role::Database,
        "POSTGRES_DB" if pg => Role::Database,
        "MONGO_INITDB_DATABASE" if engine == "mongodb" => Role::Database,
        "MYSQL_ALLOW_EMPTY_PASSWORD"
        | "MARIADB_ALLOW_EMPTY_ROOT_PASSWORD"
        | "MYSQL_RANDOM_ROOT_PASSWORD"
        | "MARIADB_RANDOM_ROOT_PASSWORD"
            if my =>
        {
            Role::Dropped(true, "not kept: genk8s databases always use the passwords of their credentials Secret")
        }
        "PGDATA" if pg => Role::Dropped(false, "not kept: the engine sets its own data directory"),
        "POSTGRES_HOST_AUTH_METHOD" if pg => {
            Role::Dropped(true, "not kept: genk8s databases always require the password from their credentials Secret")
        }
        k if k.ends_with("_FILE") => Role::Dropped(true, "not kept: credentials come from Secret `{secret}`"),
        _ => Role::Kept,
    }
}

/// The roles of Kafka's, Elasticsearch's, OpenSearch's, ClickHouse's and MinIO's variables.
fn search_or_store_role(engine: &str, key: &str) -> Option<Role> {
    const KRAFT: &str = "not kept: the kafka engine sets it (one KRaft node that is controller and broker, advertised on its headless Service name)";
    const DISCOVERY: &str = "not kept: the engine runs one node with single-node discovery";
    Some(match (engine, key) {
        ("kafka", k) if k.starts_with("KAFKA_CFG_") => {
            let to = format!("KAFKA_{}", &k["KAFKA_CFG_".len()..]);
            return Some(if is_kraft_setting(&to) { Role::Dropped(false, KRAFT) } else { Role::Renamed(to) });
        }
        ("kafka", k) if is_kraft_setting(k) => Role::Dropped(false, KRAFT),
        ("kafka", "KAFKA_ZOOKEEPER_CONNECT") => {
            Role::Dropped(true, "not kept: the kafka engine runs in KRaft mode, without ZooKeeper")
        }
        ("kafka", "ALLOW_PLAINTEXT_LISTENER" | "KAFKA_KRAFT_CLUSTER_ID" | "KAFKA_ENABLE_KRAFT") => {
            Role::Dropped(false, KRAFT)
        }
        ("elasticsearch", "ELASTIC_PASSWORD") => Role::Credential("password", true),
        ("opensearch", "OPENSEARCH_INITIAL_ADMIN_PASSWORD") => Role::Credential("password", true),
        (
            "elasticsearch" | "opensearch",
            "discovery.type"
            | "discovery.seed_hosts"
            | "cluster.initial_master_nodes"
            | "cluster.initial_cluster_manager_nodes",
        ) => Role::Dropped(false, DISCOVERY),
        ("elasticsearch" | "opensearch", "bootstrap.memory_lock") => Role::Dropped(
            true,
            "not kept: locking memory needs IPC_LOCK, which the restricted profile forbids (the engine does not mmap its store instead)",
        ),
        ("clickhouse", "CLICKHOUSE_USER") => Role::Credential("username", false),
        ("clickhouse", "CLICKHOUSE_PASSWORD") => Role::Credential("password", true),
        ("clickhouse", "CLICKHOUSE_DB") => Role::Database,
        ("minio", "MINIO_ROOT_USER" | "MINIO_ACCESS_KEY") => Role::Credential("username", false),
        ("minio", "MINIO_ROOT_PASSWORD" | "MINIO_SECRET_KEY") => Role::Credential("password", true),
        _ => return None,
    })
}

/// Kafka settings the engine's single KRaft node owns (`CLUSTER_ID` included).
fn is_kraft_setting(k: &str) -> bool {
    matches!(
        k,
        "CLUSTER_ID"
            | "KAFKA_NODE_ID"
            | "KAFKA_BROKER_ID"
            | "KAFKA_PROCESS_ROLES"
            | "KAFKA_LISTENERS"
            | "KAFKA_ADVERTISED_LISTENERS"
            | "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP"
            | "KAFKA_CONTROLLER_LISTENER_NAMES"
            | "KAFKA_INTER_BROKER_LISTENER_NAME"
            | "KAFKA_CONTROLLER_QUORUM_VOTERS"
            | "KAFKA_LOG_DIRS"
    )
}

fn is_database_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 63 && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'))
}
