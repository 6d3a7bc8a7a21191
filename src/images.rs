//! Image profiles: what well-known container images need to run under genk8s'
//! defaults (a non-root user, a read-only root filesystem): the user they run as,
//! the directories they write at start, their ports and a probe, as documented by
//! each image. `genk8s import compose` writes these as explicit spec settings;
//! images not listed get genk8s' defaults (uid 10001, read-only root, `/tmp` only).

/// How to tell that a container is up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// HTTP GET on this path, on the profile's first port.
    Http(&'static str),
    /// A TCP connection to the first port.
    Tcp,
}

/// What one image needs.
#[derive(Debug, Clone, Copy)]
pub struct ImageProfile {
    /// Repositories it matches, without registry host (`docker.io`, `quay.io`, ...) or `library/`.
    pub repos: &'static [&'static str],
    /// The user (and group) the image is built to run as.
    pub uid: i64,
    pub gid: Option<i64>,
    /// Directories it writes to (read-only root otherwise); data directories included.
    pub writable: &'static [&'static str],
    /// Ports it listens on by default, named; the first is the main one.
    pub ports: &'static [(&'static str, u16)],
    pub check: Option<Check>,
    /// Environment the image needs under a read-only root (set unless Compose sets it).
    pub env: &'static [(&'static str, &'static str)],
    /// Anything else worth knowing, said once when the profile is applied.
    pub note: &'static str,
}

const fn p(
    repos: &'static [&'static str],
    uid: i64,
    gid: Option<i64>,
    writable: &'static [&'static str],
    ports: &'static [(&'static str, u16)],
    check: Option<Check>,
    note: &'static str,
) -> ImageProfile {
    ImageProfile { repos, uid, gid, writable, ports, check, env: &[], note }
}

use Check::{Http, Tcp};

/// The profiles, one per image family.
pub const PROFILES: &[ImageProfile] = &[
    p(
        &["nginx"],
        101,
        Some(101),
        &["/var/cache/nginx", "/var/run"],
        &[("http", 80)],
        Some(Tcp),
        "the official nginx image listens on port 80; if the cluster does not let non-root processes bind it, use nginxinc/nginx-unprivileged (port 8080)",
    ),
    p(&["nginxinc/nginx-unprivileged"], 101, Some(101), &["/var/cache/nginx"], &[("http", 8080)], Some(Tcp), ""),
    p(
        &["httpd"],
        33,
        Some(33),
        &["/usr/local/apache2/logs"],
        &[("http", 80)],
        Some(Tcp),
        "httpd listens on port 80; set `Listen 8080` if the cluster does not let non-root processes bind it",
    ),
    p(&["caddy"], 1000, Some(1000), &["/data", "/config"], &[("http", 80), ("https", 443)], Some(Tcp), ""),
    ImageProfile {
        env: &[("KONG_PREFIX", "/kong_prefix")],
        ..p(
            &["kong", "kong/kong-gateway"],
            1000,
            Some(1000),
            &["/kong_prefix"],
            &[("proxy", 8000), ("admin", 8001), ("proxy-tls", 8443), ("admin-tls", 8444)],
            Some(Tcp),
            "",
        )
    },
    p(
        &["traefik"],
        65532,
        Some(65532),
        &[],
        &[("web", 80), ("dashboard", 8080)],
        Some(Tcp),
        "traefik's entrypoints below 1024 need the cluster to let non-root processes bind them; prefer :8000/:8443",
    ),
    p(&["haproxy"], 99, Some(99), &["/var/lib/haproxy"], &[("http", 80)], Some(Tcp), ""),
    p(&["envoyproxy/envoy"], 101, Some(101), &[], &[("http", 10000), ("admin", 9901)], Some(Tcp), ""),
    p(
        &["grafana/grafana", "grafana/grafana-oss", "grafana/grafana-enterprise"],
        472,
        Some(0),
        &["/var/lib/grafana"],
        &[("http", 3000)],
        Some(Http("/api/health")),
        "",
    ),
    p(&["prom/prometheus"], 65534, Some(65534), &["/prometheus"], &[("http", 9090)], Some(Http("/-/ready")), ""),
    p(&["prom/alertmanager"], 65534, Some(65534), &["/alertmanager"], &[("http", 9093)], Some(Http("/-/ready")), ""),
    p(
        &["prom/node-exporter", "prom/blackbox-exporter", "prom/pushgateway"],
        65534,
        Some(65534),
        &[],
        &[("http", 9100)],
        Some(Tcp),
        "",
    ),
    p(&["grafana/loki"], 10001, Some(10001), &["/loki"], &[("http", 3100)], Some(Http("/ready")), ""),
    p(
        &["grafana/tempo"],
        10001,
        Some(10001),
        &["/var/tempo"],
        &[("http", 3200), ("otlp-grpc", 4317), ("otlp-http", 4318)],
        Some(Http("/ready")),
        "",
    ),
    p(
        &["grafana/promtail", "grafana/alloy"],
        0,
        None,
        &[],
        &[("http", 9080)],
        None,
        "reads the host's logs: in a cluster run the log agent as a DaemonSet outside this platform",
    ),
    p(
        &["jaegertracing/all-in-one", "jaegertracing/jaeger"],
        10001,
        Some(10001),
        &[],
        &[("ui", 16686), ("otlp-grpc", 4317), ("otlp-http", 4318), ("collector", 14268)],
        Some(Http("/")),
        "",
    ),
    p(
        &["otel/opentelemetry-collector", "otel/opentelemetry-collector-contrib"],
        10001,
        Some(10001),
        &[],
        &[("otlp-grpc", 4317), ("otlp-http", 4318)],
        Some(Tcp),
        "",
    ),
    p(&["timberio/vector"], 0, None, &["/var/lib/vector"], &[("api", 8686)], Some(Tcp), ""),
    p(&["rabbitmq"], 999, Some(999), &["/var/lib/rabbitmq"], &[("amqp", 5672), ("management", 15672)], Some(Tcp), ""),
    p(
        &["bitnami/rabbitmq"],
        1001,
        Some(1001),
        &["/bitnami/rabbitmq", "/opt/bitnami/rabbitmq/var"],
        &[("amqp", 5672), ("management", 15672)],
        Some(Tcp),
        "",
    ),
    p(
        &["apache/kafka", "apache/kafka-native"],
        1000,
        Some(1000),
        &["/var/lib/kafka/data", "/mnt/shared/config"],
        &[("kafka", 9092)],
        Some(Tcp),
        "",
    ),
    p(
        &["bitnami/kafka"],
        1001,
        Some(1001),
        &["/bitnami/kafka", "/opt/bitnami/kafka/logs"],
        &[("kafka", 9092)],
        Some(Tcp),
        "",
    ),
    p(
        &["confluentinc/cp-kafka", "confluentinc/cp-server"],
        1000,
        Some(1000),
        &["/var/lib/kafka/data", "/etc/kafka/secrets"],
        &[("kafka", 9092)],
        Some(Tcp),
        "",
    ),
    p(
        &["confluentinc/cp-zookeeper", "zookeeper", "bitnami/zookeeper"],
        1000,
        Some(1000),
        &["/var/lib/zookeeper/data", "/var/lib/zookeeper/log", "/data", "/datalog"],
        &[("client", 2181)],
        Some(Tcp),
        "",
    ),
    p(&["confluentinc/cp-schema-registry"], 1000, Some(1000), &[], &[("http", 8081)], Some(Tcp), ""),
    p(
        &["redpandadata/redpanda", "vectorized/redpanda"],
        101,
        Some(101),
        &["/var/lib/redpanda/data"],
        &[("kafka", 9092), ("admin", 9644)],
        Some(Tcp),
        "",
    ),
    p(
        &["elasticsearch", "elasticsearch/elasticsearch"],
        1000,
        Some(0),
        &["/usr/share/elasticsearch/data", "/usr/share/elasticsearch/logs"],
        &[("http", 9200), ("transport", 9300)],
        Some(Tcp),
        "Elasticsearch writes its keystore and TLS files into its config directory at first start: with security on, create them beforehand and mount them under files:",
    ),
    p(&["kibana/kibana", "kibana"], 1000, Some(0), &["/usr/share/kibana/data"], &[("http", 5601)], Some(Tcp), ""),
    p(
        &["opensearchproject/opensearch"],
        1000,
        Some(1000),
        &["/usr/share/opensearch/data", "/usr/share/opensearch/logs"],
        &[("http", 9200), ("transport", 9300), ("metrics", 9600)],
        Some(Tcp),
        "",
    ),
    p(
        &["opensearchproject/opensearch-dashboards"],
        1000,
        Some(1000),
        &["/usr/share/opensearch-dashboards/data"],
        &[("http", 5601)],
        Some(Tcp),
        "",
    ),
    p(
        &["clickhouse/clickhouse-server", "yandex/clickhouse-server", "clickhouse"],
        101,
        Some(101),
        &["/var/lib/clickhouse", "/var/log/clickhouse-server", "/etc/clickhouse-server/users.d"],
        &[("http", 8123), ("native", 9000), ("interserver", 9009)],
        Some(Http("/ping")),
        "",
    ),
    p(
        &["minio/minio", "bitnami/minio"],
        1000,
        Some(1000),
        &["/data"],
        &[("api", 9000), ("console", 9001)],
        Some(Http("/minio/health/live")),
        "",
    ),
    p(
        &["keycloak/keycloak", "bitnami/keycloak"],
        1000,
        Some(0),
        &["/opt/keycloak/data"],
        &[("http", 8080), ("management", 9000)],
        Some(Tcp),
        "",
    ),
    p(
        &["mattermost/mattermost-team-edition", "mattermost/mattermost-enterprise-edition"],
        2000,
        Some(2000),
        &[
            "/mattermost/config",
            "/mattermost/data",
            "/mattermost/logs",
            "/mattermost/plugins",
            "/mattermost/client/plugins",
            "/mattermost/bleve-indexes",
        ],
        &[("http", 8065)],
        Some(Http("/api/v4/system/ping")),
        "",
    ),
    p(
        &["gitea/gitea"],
        1000,
        Some(1000),
        &["/data", "/var/lib/gitea", "/etc/gitea"],
        &[("http", 3000), ("ssh", 2222)],
        Some(Http("/api/healthz")),
        "use a `-rootless` tag: the default gitea image starts as root",
    ),
    p(&["n8nio/n8n"], 1000, Some(1000), &["/home/node/.n8n"], &[("http", 5678)], Some(Http("/healthz")), ""),
    p(&["ghost"], 1000, Some(1000), &["/var/lib/ghost/content"], &[("http", 2368)], Some(Tcp), ""),
    p(&["nodered/node-red"], 1000, Some(1000), &["/data"], &[("http", 1880)], Some(Tcp), ""),
    p(&["dpage/pgadmin4"], 5050, Some(5050), &["/var/lib/pgadmin"], &[("http", 80)], Some(Tcp), ""),
    p(&["adminer"], 1000, Some(1000), &[], &[("http", 8080)], Some(Tcp), ""),
    p(&["mailhog/mailhog", "axllent/mailpit"], 1000, Some(1000), &[], &[("smtp", 1025), ("http", 8025)], Some(Tcp), ""),
    p(&["nats"], 1000, Some(1000), &[], &[("client", 4222), ("monitor", 8222)], Some(Tcp), ""),
    p(&["hashicorp/vault"], 100, Some(1000), &["/vault/file", "/vault/logs"], &[("http", 8200)], Some(Tcp), ""),
    p(&["hashicorp/consul"], 100, Some(1000), &["/consul/data"], &[("http", 8500)], Some(Tcp), ""),
    p(&["temporalio/auto-setup", "temporalio/server"], 1000, Some(1000), &[], &[("frontend", 7233)], Some(Tcp), ""),
    p(&["temporalio/ui"], 1000, Some(1000), &[], &[("http", 8080)], Some(Tcp), ""),
    p(&["postgrest/postgrest"], 1000, Some(1000), &[], &[("http", 3000)], Some(Tcp), ""),
    p(&["darthsim/imgproxy"], 999, Some(999), &[], &[("http", 8080)], Some(Http("/health")), ""),
    // The image starts as root with HOME=/root (mode 700: no other user reaches /root/.ollama).
    ImageProfile {
        env: &[("HOME", "/tmp")],
        ..p(
            &["ollama/ollama"],
            1000,
            Some(1000),
            &[],
            &[("http", 11434)],
            Some(Tcp),
            "models go to $HOME/.ollama/models: mount a volume and set OLLAMA_MODELS to keep them",
        )
    },
    p(&["registry"], 1000, Some(1000), &["/var/lib/registry"], &[("http", 5000)], Some(Tcp), ""),
    p(&["memcached"], 11211, Some(11211), &[], &[("memcached", 11211)], Some(Tcp), ""),
    p(&["mysql", "mariadb"], 999, Some(999), &["/var/lib/mysql", "/var/run/mysqld"], &[("mysql", 3306)], Some(Tcp), ""),
    p(&["valkey/valkey", "bitnami/valkey"], 999, Some(999), &["/data"], &[("redis", 6379)], Some(Tcp), ""),
];

/// The repository of an image reference, without tag, digest, registry host or `library/`.
pub fn repository(image: &str) -> String {
    let name = image.split('@').next().unwrap_or(image);
    let name = match name.rsplit_once(':') {
        Some((r, t)) if !t.contains('/') => r,
        _ => name,
    };
    let mut parts: Vec<&str> = name.split('/').collect();
    if parts.len() > 1 && (parts[0].contains('.') || parts[0].contains(':') || parts[0] == "localhost") {
        parts.remove(0);
    }
    if parts.len() > 1 && parts[0] == "library" {
        parts.remove(0);
    }
    parts.join("/").to_ascii_lowercase()
}

/// The profile of an image, if it is a known one.
pub fn profile(image: &str) -> Option<&'static ImageProfile> {
    let repo = repository(image);
    PROFILES.iter().find(|p| p.repos.contains(&repo.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories_without_registry_and_tag() {
        assert_eq!(repository("nginx:1.27-alpine"), "nginx");
        assert_eq!(repository("docker.io/library/nginx@sha256:abc"), "nginx");
        assert_eq!(repository("quay.io/keycloak/keycloak:25.0"), "keycloak/keycloak");
        assert_eq!(repository("docker.elastic.co/elasticsearch/elasticsearch:8.15.0"), "elasticsearch/elasticsearch");
        assert_eq!(repository("localhost:5000/app"), "app");
    }

    #[test]
    fn profiles_are_found_and_sane() {
        assert_eq!(profile("kong:3.7").map(|p| p.uid), Some(1000));
        assert_eq!(profile("grafana/grafana-oss:11.1.0").map(|p| p.ports[0].1), Some(3000));
        assert!(profile("ghcr.io/acme/app:1").is_none());
        for p in PROFILES {
            assert!(!p.ports.is_empty(), "{:?} has a port", p.repos);
            assert!(p.writable.iter().all(|w| w.starts_with('/')), "{:?}", p.repos);
            assert!(p.ports.iter().all(|(n, _)| crate::names::is_port_name(n)), "{:?}", p.repos);
            for r in p.repos {
                assert_eq!(PROFILES.iter().filter(|q| q.repos.contains(r)).count(), 1, "{r} is listed once");
            }
        }
    }
}
