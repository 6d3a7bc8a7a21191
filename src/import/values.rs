//! Small parsers for Compose values: ports, durations, CPU and memory sizes,
//! shell-like command strings, image references, names and secret-looking keys.

/// One container port of a Compose `ports:` or `expose:` item.
#[derive(Debug, Clone, PartialEq)]
pub struct PortMapping {
    pub container: u16,
    /// `tcp`, `udp` or `sctp`.
    pub protocol: String,
    /// The host port (or range), when published.
    pub published: Option<String>,
    pub host_ip: Option<String>,
}

/// Most ports one range may expand to.
pub const MAX_RANGE: u32 = 100;

/// Parses the short syntax: `3000`, `3000-3005`, `8080:80`, `127.0.0.1:8080:80/udp`,
/// `127.0.0.1::5000`, `[::1]:6000:6000`, `9090-9091:8080-8081`.
pub fn parse_short_port(s: &str) -> Result<Vec<PortMapping>, String> {
    let s = s.trim();
    let (spec, protocol) = match s.rsplit_once('/') {
        Some((a, p)) => (a, p.to_ascii_lowercase()),
        None => (s, "tcp".to_string()),
    };
    if !["tcp", "udp", "sctp"].contains(&protocol.as_str()) {
        return Err(format!("unknown protocol `{protocol}` (tcp, udp or sctp)"));
    }
    let (host_ip, rest) = if let Some(r) = spec.strip_prefix('[') {
        let (ip, after) = r.split_once(']').ok_or("unclosed `[` in an IPv6 address")?;
        (Some(ip.to_string()), after.strip_prefix(':').ok_or("expected `:` after the IPv6 address")?)
    } else {
        (None, spec)
    };
    let parts: Vec<&str> = rest.split(':').collect();
    let (ip, published, container) = match parts.as_slice() {
        [c] => (host_ip, None, *c),
        [p, c] => (host_ip, Some(*p), *c),
        [ip, p, c] if host_ip.is_none() => (Some(ip.to_string()), Some(*p), *c),
        _ => return Err("expected [HOST_IP:][HOST_PORT:]CONTAINER_PORT[/PROTOCOL]".into()),
    };
    let containers = port_range(container)?;
    let published = published.filter(|p| !p.is_empty());
    let pub_ports = match published {
        Some(p) => Some(port_range(p)?),
        None => None,
    };
    Ok(containers
        .iter()
        .enumerate()
        .map(|(i, c)| PortMapping {
            container: *c,
            protocol: protocol.clone(),
            published: match &pub_ports {
                Some(ps) if ps.len() == containers.len() => Some(ps[i].to_string()),
                Some(_) => published.map(str::to_string),
                None => None,
            },
            host_ip: ip.clone(),
        })
        .collect())
}

/// `8080` or `3000-3005`.
pub fn port_range(s: &str) -> Result<Vec<u16>, String> {
    let port = |t: &str| -> Result<u16, String> {
        match t.trim().parse::<u16>() {
            Ok(p) if p > 0 => Ok(p),
            _ => Err(format!("`{t}` is not a port number (1-65535)")),
        }
    };
    match s.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (port(a)?, port(b)?);
            if b < a {
                return Err(format!("port range `{s}` ends before it starts"));
            }
            if u32::from(b - a) >= MAX_RANGE {
                return Err(format!("port range `{s}` has more than {MAX_RANGE} ports"));
            }
            Ok((a..=b).collect())
        }
        None => Ok(vec![port(s)?]),
    }
}

/// A Go-style duration (`1m30s`, `10s`, `500ms`, `1.5h`) in seconds; a bare number is seconds.
pub fn parse_duration(s: &str) -> Option<f64> {
    let s = s.trim();
    if let Ok(n) = s.parse::<f64>() {
        return (n >= 0.0).then_some(n);
    }
    let mut rest = s;
    let mut total = 0.0;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let n = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(rest.len());
        let num: f64 = rest[..n].parse().ok()?;
        rest = &rest[n..];
        let (unit, scale) =
            [("ns", 1e-9), ("us", 1e-6), ("µs", 1e-6), ("ms", 1e-3), ("s", 1.0), ("m", 60.0), ("h", 3600.0)]
                .into_iter()
                .find(|(u, _)| rest.starts_with(u) && !(*u == "m" && rest.starts_with("ms")))?;
        rest = &rest[unit.len()..];
        total += num * scale;
    }
    Some(total)
}

/// Whole seconds, rounded up, at least `min`.
pub fn seconds(d: f64, min: i64) -> i64 {
    (d.ceil() as i64).max(min)
}

/// Compose `cpus` (`0.5`, `2`) as a Kubernetes quantity (`500m`, `2`).
pub fn cpu_quantity(s: &str) -> Option<String> {
    let v: f64 = s.trim().parse().ok()?;
    if v <= 0.0 || !v.is_finite() {
        return None;
    }
    let milli = ((v * 1000.0).round() as u64).max(1);
    Some(if milli.is_multiple_of(1000) { (milli / 1000).to_string() } else { format!("{milli}m") })
}

/// Compose byte sizes (`512m`, `1g`, `1.5GB`, `2048k`, `100000`) as a binary
/// Kubernetes quantity (`512Mi`, `1Gi`, `1536Mi`, `2Mi`, `100000`).
pub fn memory_quantity(s: &str) -> Option<String> {
    let t = s.trim().to_ascii_lowercase();
    let n = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let num: f64 = t[..n].parse().ok()?;
    let mult: f64 = match t[n..].trim() {
        "" | "b" => 1.0,
        "k" | "kb" | "ki" | "kib" => 1024.0,
        "m" | "mb" | "mi" | "mib" => 1024.0 * 1024.0,
        "g" | "gb" | "gi" | "gib" => 1024.0 * 1024.0 * 1024.0,
        "t" | "tb" | "ti" | "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    let bytes = (num * mult).round() as u64;
    if bytes == 0 {
        return None;
    }
    for (suffix, unit) in [("Ti", 1u64 << 40), ("Gi", 1 << 30), ("Mi", 1 << 20), ("Ki", 1 << 10)] {
        if bytes.is_multiple_of(unit) {
            return Some(format!("{}{suffix}", bytes / unit));
        }
    }
    Some(bytes.to_string())
}

/// Splits a command string the way a POSIX shell splits words (quotes and
/// backslashes). `None` when quotes are unbalanced or the string holds shell
/// operators (`|`, `&`, `;`, `<`, `>`, `(`, `)`, `` ` ``, `$(`) outside quotes:
/// such a command needs `/bin/sh -c`.
pub fn shell_split(s: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '\'' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => cur.push(c),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => match chars.next()? {
                            c @ ('"' | '\\' | '$' | '`') => cur.push(c),
                            '\n' => {}
                            c => {
                                cur.push('\\');
                                cur.push(c);
                            }
                        },
                        '`' => return None,
                        '$' if chars.peek() == Some(&'(') => return None,
                        c => cur.push(c),
                    }
                }
            }
            '\\' => {
                in_word = true;
                match chars.next() {
                    Some('\n') | None => {}
                    Some(c) => cur.push(c),
                }
            }
            '|' | '&' | ';' | '<' | '>' | '(' | ')' | '`' => return None,
            '$' if chars.peek() == Some(&'(') => return None,
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Some(words)
}

/// Kubernetes expands `$(VAR)` in command, args and env values; `$$(` keeps the text literal.
pub fn escape_k8s_refs(s: &str) -> String {
    s.replace("$(", "$$(")
}

/// An image reference split into repository (normalized: no `docker.io/`, no
/// `library/`, lowercase), tag and whether it has a digest.
#[derive(Debug, PartialEq)]
pub struct ImageRef {
    pub repo: String,
    pub tag: Option<String>,
    pub digest: bool,
}

pub fn parse_image(image: &str) -> ImageRef {
    let (name, digest) = match image.split_once('@') {
        Some((n, _)) => (n, true),
        None => (image, false),
    };
    let (repo, tag) = match name.rsplit_once(':') {
        Some((r, "")) => (r, None),
        Some((r, t)) if !t.contains('/') => (r, Some(t.to_string())),
        _ => (name, None),
    };
    let mut repo = repo.to_ascii_lowercase();
    for prefix in ["docker.io/", "index.docker.io/", "registry-1.docker.io/", "registry.hub.docker.com/"] {
        if let Some(r) = repo.strip_prefix(prefix) {
            repo = r.to_string();
        }
    }
    if let Some(r) = repo.strip_prefix("library/") {
        repo = r.to_string();
    }
    ImageRef { repo, tag, digest }
}

/// The catalog engine an official image runs as, if genk8s has it.
pub fn engine_for(repo: &str) -> Option<&'static str> {
    match repo {
        "postgres" => Some("postgres"),
        "postgis/postgis" => Some("postgis"),
        "mongo" => Some("mongodb"),
        "redis" => Some("redis"),
        "qdrant/qdrant" => Some("qdrant"),
        "mysql" | "mysql/mysql-server" => Some("mysql"),
        "mariadb" => Some("mariadb"),
        "valkey/valkey" => Some("valkey"),
        "memcached" => Some("memcached"),
        "rabbitmq" => Some("rabbitmq"),
        // Bitnami's Kafka runs as the engine with the Apache image (its own variables,
        // paths and user differ; its free images are no longer published).
        "apache/kafka" | "bitnami/kafka" => Some("kafka"),
        "elasticsearch" | "elasticsearch/elasticsearch" | "docker.elastic.co/elasticsearch/elasticsearch" => {
            Some("elasticsearch")
        }
        "opensearchproject/opensearch" => Some("opensearch"),
        "clickhouse/clickhouse-server" | "clickhouse" | "yandex/clickhouse-server" => Some("clickhouse"),
        "minio/minio" | "quay.io/minio/minio" => Some("minio"),
        _ => None,
    }
}

/// The engine a vendor build of a database is compatible with (its image is kept):
/// Postgres builds with extensions (supabase/postgres, pgvector, TimescaleDB, an
/// app's own `…/postgres` image). Bitnami images are not: they use their own
/// variables, paths and user.
pub fn vendor_engine(repo: &str) -> Option<&'static str> {
    if repo.starts_with("bitnami/") {
        return None;
    }
    // Confluent's builds read the Apache image's variables.
    if matches!(repo, "confluentinc/cp-kafka" | "confluentinc/cp-server") {
        return Some("kafka");
    }
    let last = repo.rsplit('/').next().unwrap_or(repo);
    let postgres = ["supabase/postgres", "pgvector/pgvector", "ankane/pgvector", "tensorchord/pgvecto-rs"]
        .contains(&repo)
        || last.starts_with("timescaledb")
        || {
            let words: Vec<&str> = last.split(['-', '_', '.']).collect();
            let tools = ["exporter", "meta", "backup", "admin", "operator", "rest", "proxy", "pooler", "client"];
            words.iter().any(|w| matches!(*w, "postgres" | "postgresql")) && !words.iter().any(|w| tools.contains(w))
        };
    postgres.then_some("postgres")
}

/// Stateful images genk8s has no catalog engine for (they stay services).
pub fn stateful_without_engine(repo: &str) -> Option<&'static str> {
    let last = repo.rsplit('/').next().unwrap_or(repo);
    Some(match last {
        "mysql" | "mysql-server" => "MySQL",
        "mariadb" => "MariaDB",
        "rabbitmq" => "RabbitMQ",
        "elasticsearch" => "Elasticsearch",
        "opensearch" => "OpenSearch",
        "memcached" => "Memcached",
        "kafka" | "cp-kafka" => "Kafka",
        "zookeeper" | "cp-zookeeper" => "ZooKeeper",
        "cassandra" => "Cassandra",
        "clickhouse-server" | "clickhouse" => "ClickHouse",
        "influxdb" => "InfluxDB",
        "neo4j" => "Neo4j",
        "couchdb" => "CouchDB",
        "etcd" => "etcd",
        "minio" => "MinIO",
        "nats" => "NATS",
        "valkey" => "Valkey",
        "keydb" => "KeyDB",
        "postgresql" | "timescaledb" | "pgvector" => "PostgreSQL (not the official image)",
        "redis-stack" | "redis-stack-server" => "Redis Stack",
        "mongodb" => "MongoDB (not the official image)",
        "weaviate" | "milvus" | "chroma" => "a vector database",
        _ => return None,
    })
}

/// Image tags: letters, digits, `_`, `.` and `-`, at most 128.
pub fn is_tag(t: &str) -> bool {
    !t.is_empty() && t.len() <= 128 && t.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// Lowercase DNS label of at most `max` characters (`_`, `.` and spaces become `-`).
pub fn dns_label(s: &str, max: usize) -> String {
    let mut out: String = s
        .chars()
        .filter_map(|c| match c {
            'a'..='z' | '0'..='9' | '-' => Some(c),
            'A'..='Z' => Some(c.to_ascii_lowercase()),
            '_' | '.' | ' ' => Some('-'),
            _ => None,
        })
        .collect();
    while out.contains("--") {
        out = out.replace("--", "-");
    }
    let mut out = out.trim_matches('-').to_string();
    out.truncate(max);
    out.trim_end_matches('-').to_string()
}

/// A Secret key from an environment variable name: `DB_PASSWORD` → `db-password`.
pub fn secret_key(env: &str) -> String {
    let k: String =
        env.chars().map(|c| if c.is_ascii_alphanumeric() || c == '.' { c.to_ascii_lowercase() } else { '-' }).collect();
    let k = k.trim_matches('-').to_string();
    if k.is_empty() { "value".into() } else { k }
}

/// Secret-looking: by the variable's name, or a URL with a password in the value.
pub fn is_secret(key: &str, value: &str) -> bool {
    is_secret_key(key) || has_url_credentials(value)
}

/// Environment variable names whose values are secrets.
pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_uppercase();
    let parts: Vec<&str> = k.split(['_', '-', '.']).collect();
    let last = parts.last().copied().unwrap_or("");
    k.contains("PASSWORD")
        || k.contains("PASSWD")
        || k.contains("SECRET")
        || k.contains("PRIVATE_KEY")
        || k.contains("API_KEY")
        || k.contains("APIKEY")
        || k.contains("ACCESS_KEY")
        || k == "DATABASE_URL"
        || ["PASS", "PWD", "TOKEN", "KEY", "DSN", "CREDENTIALS", "AUTH"].contains(&last)
}

/// True when a value holds a URL with a password (`scheme://user:pass@host`).
pub fn has_url_credentials(v: &str) -> bool {
    let mut rest = v;
    while let Some(i) = rest.find("://") {
        let after = &rest[i + 3..];
        let authority = &after[..after.find(['/', '?', '#', ' ', ',']).unwrap_or(after.len())];
        if let Some((userinfo, _)) = authority.rsplit_once('@')
            && userinfo.contains(':')
        {
            return true;
        }
        rest = after;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pm(c: u16, p: &str, published: Option<&str>, ip: Option<&str>) -> PortMapping {
        PortMapping {
            container: c,
            protocol: p.into(),
            published: published.map(Into::into),
            host_ip: ip.map(Into::into),
        }
    }

    #[test]
    fn short_ports() {
        assert_eq!(parse_short_port("80").unwrap(), [pm(80, "tcp", None, None)]);
        assert_eq!(parse_short_port("8080:80").unwrap(), [pm(80, "tcp", Some("8080"), None)]);
        assert_eq!(
            parse_short_port("127.0.0.1:5353:53/UDP").unwrap(),
            [pm(53, "udp", Some("5353"), Some("127.0.0.1"))]
        );
        assert_eq!(parse_short_port("127.0.0.1::5000").unwrap(), [pm(5000, "tcp", None, Some("127.0.0.1"))]);
        assert_eq!(parse_short_port("[::1]:6000:6001").unwrap(), [pm(6001, "tcp", Some("6000"), Some("::1"))]);
        assert_eq!(
            parse_short_port("9090-9091:8080-8081").unwrap(),
            [pm(8080, "tcp", Some("9090"), None), pm(8081, "tcp", Some("9091"), None)]
        );
        assert_eq!(parse_short_port("3000-3002").unwrap().len(), 3);
        assert!(parse_short_port("80/xtp").is_err());
        assert!(parse_short_port("0").is_err());
        assert!(parse_short_port("http").is_err());
        assert!(parse_short_port("1-60000").is_err());
    }

    #[test]
    fn durations_and_sizes() {
        assert_eq!(parse_duration("1m30s"), Some(90.0));
        assert_eq!(parse_duration("500ms"), Some(0.5));
        assert_eq!(parse_duration("1.5h"), Some(5400.0));
        assert_eq!(parse_duration("10"), Some(10.0));
        assert_eq!(parse_duration("10x"), None);
        assert_eq!(seconds(0.5, 1), 1);
        assert_eq!(cpu_quantity("0.5").as_deref(), Some("500m"));
        assert_eq!(cpu_quantity("2").as_deref(), Some("2"));
        assert_eq!(cpu_quantity("0.25").as_deref(), Some("250m"));
        assert_eq!(cpu_quantity("-1"), None);
        assert_eq!(memory_quantity("512M").as_deref(), Some("512Mi"));
        assert_eq!(memory_quantity("1.5g").as_deref(), Some("1536Mi"));
        assert_eq!(memory_quantity("1GB").as_deref(), Some("1Gi"));
        assert_eq!(memory_quantity("100000").as_deref(), Some("100000"));
        assert_eq!(memory_quantity("lots"), None);
    }

    #[test]
    fn commands() {
        assert_eq!(shell_split("npm run start").unwrap(), ["npm", "run", "start"]);
        assert_eq!(shell_split(r#"sh -c "echo \"hi\" $HOME""#).unwrap(), ["sh", "-c", r#"echo "hi" $HOME"#]);
        assert_eq!(shell_split("a 'b c' d\\ e").unwrap(), ["a", "b c", "d e"]);
        assert_eq!(shell_split("a '' b").unwrap(), ["a", "", "b"]);
        assert_eq!(shell_split("a && b"), None);
        assert_eq!(shell_split("echo $(date)"), None);
        assert_eq!(shell_split("echo 'x"), None);
        assert_eq!(escape_k8s_refs("echo $(date) $HOME"), "echo $$(date) $HOME");
    }

    #[test]
    fn images_and_names() {
        assert_eq!(
            parse_image("docker.io/library/postgres:16-alpine"),
            ImageRef { repo: "postgres".into(), tag: Some("16-alpine".into()), digest: false }
        );
        assert_eq!(parse_image("localhost:5000/app").tag, None);
        assert_eq!(parse_image("app:").tag, None, "an interpolated empty tag");
        assert_eq!(parse_image("localhost:5000/app:1").tag.as_deref(), Some("1"));
        assert!(parse_image("redis@sha256:abc").digest);
        assert_eq!(engine_for(&parse_image("mongo:7").repo), Some("mongodb"));
        for vendor in
            ["supabase/postgres", "pgvector/pgvector", "timescale/timescaledb-ha", "ghcr.io/immich-app/postgres"]
        {
            assert_eq!(vendor_engine(vendor), Some("postgres"), "{vendor}");
        }
        for other in [
            "bitnami/postgresql",
            "supabase/postgres-meta",
            "prometheuscommunity/postgres-exporter",
            "postgrest/postgrest",
        ] {
            assert_eq!(vendor_engine(other), None, "{other}");
        }
        assert_eq!(stateful_without_engine("bitnami/mysql"), Some("MySQL"));
        for (image, engine) in [
            ("confluentinc/cp-kafka:7.9.0", None),
            ("bitnami/kafka:3.7", Some("kafka")),
            ("docker.elastic.co/elasticsearch/elasticsearch:8.15.0", Some("elasticsearch")),
            ("opensearchproject/opensearch:2", Some("opensearch")),
            ("clickhouse/clickhouse-server:24.8", Some("clickhouse")),
            ("quay.io/minio/minio", Some("minio")),
        ] {
            assert_eq!(engine_for(&parse_image(image).repo), engine, "{image}");
        }
        assert_eq!(vendor_engine("confluentinc/cp-kafka"), Some("kafka"));
        assert_eq!(dns_label("My_App.v2", 63), "my-app-v2");
        assert_eq!(dns_label("__x__", 63), "x");
        assert_eq!(secret_key("DB_PASSWORD"), "db-password");
    }

    #[test]
    fn secrets() {
        for k in [
            "DB_PASSWORD",
            "SECRET_KEY_BASE",
            "API_TOKEN",
            "STRIPE_KEY",
            "MYSQL_ROOT_PASSWD",
            "SENTRY_DSN",
            "DATABASE_URL",
            "SMTP_PASS",
            "AWS_SECRET_ACCESS_KEY",
            "OPENAI_API_KEY",
        ] {
            assert!(is_secret_key(k), "{k}");
        }
        for k in ["DB_HOST", "PORT", "KEYCLOAK_URL", "LOG_LEVEL", "NODE_ENV", "PASSWORD_MIN_LENGTH_HINT_X"] {
            assert!(!is_secret_key(k) || k.contains("PASSWORD"), "{k}");
        }
        assert!(has_url_credentials("postgres://app:pw@db:5432/app"));
        assert!(has_url_credentials("redis://:pw@cache:6379/0"));
        assert!(!has_url_credentials("postgres://app@db/app"));
        assert!(!has_url_credentials("http://api:8080/path?a=b@c"));
    }
}
