//! The platform spec as typed Rust: what `platform.yaml` and each
//! `environments/<env>.yaml` may contain, after the overlay has been merged.
//!
//! Field names are snake_case. Maps keyed by name (services, databases, ports,
//! env) are `BTreeMap`s, so the order they were written in never reaches the output.

use schemars::JsonSchema;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, Visitor, value::MapAccessDeserializer};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Deref;

mod workloads;
pub use workloads::{DatabaseTls, JobSettings, Kind, POD_SECURITY_LEVELS, Sidecar, TLS_DIR, sidecar_resources};

pub type Map = BTreeMap<String, String>;

/// A value that may be written as a short string or as its full map form.
#[derive(Debug, Clone, PartialEq)]
pub struct Short<T>(pub T);

impl<T> Deref for Short<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: JsonSchema> JsonSchema for Short<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        format!("Short{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "anyOf": [{ "type": "string" }, generator.subschema_for::<T>()] })
    }
}

/// The meaning of the short string form of a spec value.
pub trait FromShort: Sized {
    fn from_short(s: &str) -> Result<Self, String>;
}

/// A boxed value reads its short form as the value does (env values are boxed: a map of
/// one small entry would otherwise hold room for eleven full-size ones).
impl<T: FromShort> FromShort for Box<T> {
    fn from_short(s: &str) -> Result<Self, String> {
        T::from_short(s).map(Box::new)
    }
}

impl<'de, T: Deserialize<'de> + FromShort> Deserialize<'de> for Short<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de> + FromShort> Visitor<'de> for V<T> {
            type Value = Short<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("text or a map")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Short<T>, E> {
                T::from_short(s).map(Short).map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, m: A) -> Result<Short<T>, A::Error> {
                T::deserialize(MapAccessDeserializer::new(m)).map(Short)
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// The tag of an image reference (`reg:5000/a/b:1.2@sha256:…` → `1.2`), if it has one.
pub fn image_tag(image: &str) -> Option<&str> {
    let name = image.split('@').next().unwrap_or(image);
    let last = name.rsplit('/').next()?;
    last.split_once(':').map(|(_, t)| t)
}

/// The whole platform (base merged with one environment).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Platform {
    /// Platform name: `app.kubernetes.io/part-of` and the default namespace prefix.
    pub platform: String,
    /// Namespace of the environment (default `<platform>-<env>`).
    pub namespace: Option<String>,
    /// Kubernetes minor the checks hold the output to: 1.35, 1.36 or 1.37 (default 1.35,
    /// the oldest in upstream support). The output itself is valid on all three.
    pub kubernetes: Option<String>,
    /// Base domain; ingress hosts without a dot are prefixed to it, `@` is the domain itself.
    pub domain: Option<String>,
    #[serde(default)]
    pub labels: Map,
    #[serde(default)]
    pub annotations: Map,
    /// Labels on the Namespace only (e.g. what a policy engine or an operator selects on).
    #[serde(default)]
    pub namespace_labels: Map,
    /// Annotations on the Namespace only.
    #[serde(default)]
    pub namespace_annotations: Map,
    /// Pod Security level the Namespace enforces: restricted (the default), baseline or
    /// privileged (needed by a `daemon_set` with `host_paths`); audit and warn stay restricted.
    pub pod_security: Option<String>,
    /// Secrets (kubernetes.io/dockerconfigjson) every pod pulls its images with.
    #[serde(default)]
    pub image_pull_secrets: Vec<String>,
    #[serde(default)]
    pub ingress: IngressDefaults,
    /// Gateway API exposure: the Gateway every service's `route` attaches to.
    pub gateway: Option<Gateway>,
    #[serde(default)]
    pub configs: BTreeMap<String, ConfigSpec>,
    #[serde(default)]
    pub services: BTreeMap<String, Box<Service>>,
    #[serde(default)]
    pub databases: BTreeMap<String, Database>,
    /// StorageClasses to create (cluster-scoped), by name.
    #[serde(default)]
    pub storage_classes: BTreeMap<String, StorageClass>,
    /// cert-manager ACME ClusterIssuers to create, by name.
    #[serde(default)]
    pub issuers: BTreeMap<String, Issuer>,
    /// ResourceQuota `hard` limits for the namespace (e.g. `requests.cpu: "20"`).
    #[serde(default)]
    pub quota: Map,
    /// LimitRange defaults and bounds for containers in the namespace.
    pub limits: Option<Limits>,
    #[serde(default)]
    pub monitoring: MonitoringDefaults,
    /// Named services outside the platform (SMTP, S3, an OAuth issuer), declared once:
    /// services reach one with `uses: [smtp]` or an env reference `{endpoint: smtp, value: host}`.
    #[serde(default)]
    pub endpoints: BTreeMap<String, Endpoint>,
    /// Observability agents every service reports to (Datadog, OpenTelemetry); a service's
    /// own `observability` overrides it.
    pub observability: Option<Observability>,
    /// An External Secrets Operator store: every Secret the platform reads becomes an ExternalSecret.
    pub secret_store: Option<SecretStore>,
    /// Development-only Secret values (Secret name → key → value), refused in production
    /// environments. Put them in environments/dev.yaml, never in the base.
    #[serde(default)]
    pub dev_secrets: BTreeMap<String, Map>,
    /// Addresses of the Kubernetes API server, for the egress of services with `access:`
    /// (default: any address on ports 443 and 6443).
    pub api_server: Option<ApiServer>,
    /// What applies the output: kubectl (`kubectl apply -k`, the default), argocd or flux.
    /// With argocd, the Deployments (and their autoscalers and budgets) of services with a
    /// migration Job sync in wave 1, after the Job has completed (see "Migrations gate the rollout").
    pub deploy_tool: Option<String>,
    /// Hold this environment to production rules: no `latest` images, no dev_secrets.
    /// Default: true for environments named prod, production or prod-*, else false.
    pub production: Option<bool>,
    /// Changes to generated objects, applied after expansion, keyed `Kind/name`:
    /// `{merge: {…}}` (a JSON merge patch) or `{json: [{op: add, path: /spec/x, value: …}]}`
    /// (a JSON patch). Put one in an overlay for that environment only.
    #[serde(default)]
    pub patches: BTreeMap<String, serde_json::Value>,
    /// Objects added as written, keyed `Kind/name` (apiVersion, kind and metadata.name required).
    #[serde(default)]
    pub objects: BTreeMap<String, serde_json::Value>,
}

/// Where the External Secrets Operator reads secret values.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretStore {
    /// Name of the (Cluster)SecretStore.
    pub name: String,
    /// ClusterSecretStore (default) or SecretStore.
    pub kind: Option<String>,
    /// Prefix of remote keys: the remote key of Secret `db-credentials` is `<prefix>db-credentials`.
    #[serde(default)]
    pub prefix: String,
    /// Refresh interval (default 1h).
    pub refresh: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StorageClass {
    pub provisioner: String,
    #[serde(default)]
    pub parameters: Map,
    /// Retain or Delete (default Delete).
    pub reclaim: Option<String>,
    /// Immediate or WaitForFirstConsumer (default WaitForFirstConsumer).
    pub binding: Option<String>,
    /// allowVolumeExpansion (default true).
    pub expansion: Option<bool>,
}

/// An ACME issuer: `http01` through the ingress class, and/or `dns01` through Cloudflare.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Issuer {
    pub email: String,
    /// ACME directory (default Let's Encrypt production).
    pub server: Option<String>,
    pub http01: Option<Http01>,
    pub cloudflare: Option<Cloudflare>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Http01 {
    /// Ingress class that serves the challenge (default: the platform's ingress class).
    pub class: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cloudflare {
    pub email: Option<String>,
    /// Secret (in cert-manager's namespace) holding the API token.
    pub secret: String,
    pub key: String,
}

/// LimitRange for containers: `default` limits, `default_request`, `max`, `min`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    #[serde(default)]
    pub default: Map,
    #[serde(default)]
    pub default_request: Map,
    #[serde(default)]
    pub max: Map,
    #[serde(default)]
    pub min: Map,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MonitoringDefaults {
    /// Namespace Prometheus scrapes from (network policies admit it; default `monitoring`).
    pub namespace: Option<String>,
    /// Emit the PrometheusRule with default alerts and the Grafana dashboard
    /// (default: on when any service has `metrics`).
    pub alerts: Option<bool>,
    /// Extra alerts by name.
    #[serde(default)]
    pub rules: BTreeMap<String, AlertSpec>,
    /// Labels on every ServiceMonitor and the PrometheusRule, for the selectors of the
    /// Prometheus that should load them (kube-prometheus-stack: `{release: <its Helm release>}`).
    #[serde(default)]
    pub labels: Map,
    /// The Grafana dashboard ConfigMap: its namespace and extra panels.
    pub dashboard: Option<Dashboard>,
}

/// Where the Grafana dashboard goes and what it shows besides the default panels.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Dashboard {
    /// Namespace of the ConfigMap (default: the platform's), e.g. the one Grafana's
    /// dashboard sidecar watches.
    pub namespace: Option<String>,
    /// Labels of the ConfigMap besides `grafana_dashboard: "1"`.
    #[serde(default)]
    pub labels: Map,
    /// Extra panels: title → PromQL expression (a time series each).
    #[serde(default)]
    pub panels: Map,
}

/// An external endpoint: `{host: smtp.example.com, port: 587}` or `{url: https://…}`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Endpoint {
    /// Host name or address (default: the host of `url`).
    pub host: Option<String>,
    /// Port (default: the port of `url`, or its scheme's: https 443, http 80, smtp 25, …).
    pub port: Option<u16>,
    /// The endpoint as a URL; read with `{endpoint: NAME, value: url}`.
    pub url: Option<String>,
    /// The endpoint's addresses: egress goes only to these instead of any address.
    #[serde(default)]
    pub cidrs: Vec<String>,
}

/// Agents a service reports to. At the platform level, every service's default; in a
/// service, each agent given replaces the platform's, and `enabled: false` turns all off.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Observability {
    /// `false` in a service: no agent env, labels or egress for it.
    pub enabled: Option<bool>,
    /// Service name reported to the agents (default: the service's name).
    pub service: Option<String>,
    pub datadog: Option<Datadog>,
    pub otel: Option<Otel>,
}

/// The Datadog node agent (DaemonSet with host ports): traces to 8126/TCP, DogStatsD to
/// 8125/UDP on the node's address.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Datadog {
    /// The nodes' addresses (CIDRs): egress to the agent goes only there. Default: any
    /// address on the agent's ports (a node IP is no pod, so no pod selector matches it).
    #[serde(default)]
    pub node_cidrs: Vec<String>,
    /// `DD_ENV` (default: the environment's name).
    pub env: Option<String>,
    /// APM port (default 8126).
    pub apm_port: Option<u16>,
    /// DogStatsD port (default 8125).
    pub statsd_port: Option<u16>,
}

/// An OpenTelemetry collector that receives OTLP.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Otel {
    /// `OTEL_EXPORTER_OTLP_ENDPOINT`, e.g. `http://otel-collector.observability:4317`.
    pub endpoint: String,
    /// `OTEL_EXPORTER_OTLP_PROTOCOL`: grpc, http/protobuf or http/json (default: the SDK's).
    pub protocol: Option<String>,
    /// Namespace the collector runs in: egress goes to its pods only (default: any address
    /// on the endpoint's port).
    pub namespace: Option<String>,
    /// Extra `OTEL_RESOURCE_ATTRIBUTES`, besides service.namespace, service.version and
    /// deployment.environment.name.
    #[serde(default)]
    pub attributes: Map,
}

/// A user alert: PromQL expression, how long it must hold, severity and summary.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AlertSpec {
    pub expr: String,
    /// Duration it must hold (default 5m).
    #[serde(rename = "for")]
    pub for_: Option<String>,
    /// critical, warning or info (default warning).
    pub severity: Option<String>,
    pub summary: String,
}

/// Prometheus scraping of a service through a ServiceMonitor.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Metrics {
    /// Port name (default: the first port).
    pub port: Option<String>,
    /// Default /metrics.
    pub path: Option<String>,
    /// Default 30s.
    pub interval: Option<String>,
}

/// Platform-wide ingress settings every exposed service starts from.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IngressDefaults {
    /// `ingressClassName` (nginx, alb, traefik...).
    pub class: Option<String>,
    /// cert-manager ClusterIssuer used for TLS.
    pub issuer: Option<String>,
    /// Namespace the ingress controller runs in (network policies admit it).
    pub controller_namespace: Option<String>,
    /// With class alb: the ACM certificate(s) (ARN, comma-separated for several) the ALB's
    /// HTTPS listener presents; genk8s then listens on 80 and 443 and redirects HTTP to HTTPS.
    pub certificate_arn: Option<String>,
    #[serde(default)]
    pub annotations: Map,
}

/// The platform's Gateway: an existing one (`existing`), or one genk8s writes (`class`),
/// with an HTTPS listener per routed host when `issuer` is set.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Gateway {
    /// A Gateway someone else runs: routes attach to it, genk8s writes no Gateway.
    pub existing: Option<GatewayRef>,
    /// `gatewayClassName` of the Gateway genk8s writes (eg, istio, cilium, nginx...).
    pub class: Option<String>,
    /// Name of the Gateway genk8s writes (default: the platform name).
    pub name: Option<String>,
    /// cert-manager ClusterIssuer: an HTTPS listener per host with its own certificate,
    /// and HTTP redirected to HTTPS.
    pub issuer: Option<String>,
    /// Namespace the controller's proxies (the data plane) run in; NetworkPolicies admit it
    /// on the routed ports (default: the existing Gateway's namespace).
    pub data_plane_namespace: Option<String>,
    #[serde(default)]
    pub annotations: Map,
}

/// An existing Gateway: `name`, its `namespace` (default: the platform's) and the
/// listener (`section`) routes attach to (default: every listener whose host matches).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GatewayRef {
    pub name: String,
    pub namespace: Option<String>,
    pub section: Option<String>,
}

/// Exposure through the platform's Gateway: an HTTPRoute (a GRPCRoute when the port is
/// named `grpc` or `grpc-*`) for the service's hosts.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Hosts, resolved against `domain` as ingress hosts are.
    pub hosts: Vec<String>,
    /// Path matched (default /).
    pub path: Option<String>,
    /// PathPrefix (default) or Exact.
    pub path_type: Option<String>,
    /// Port name to route to (default: the first port).
    pub port: Option<String>,
    /// Request headers that must match exactly (name: value).
    #[serde(default)]
    pub headers: Map,
    /// HTTP method that must match (GET, POST...); for gRPC `service/method` or `service`.
    pub method: Option<String>,
    /// Whole-request timeout, e.g. 30s.
    pub timeout: Option<String>,
    /// Headers set on every response (e.g. security headers).
    #[serde(default)]
    pub response_headers: Map,
    /// Answer with a redirect instead of forwarding.
    pub redirect: Option<Redirect>,
    /// Rewrite the host name or the matched path prefix before forwarding.
    pub rewrite: Option<Rewrite>,
}

/// An HTTP redirect: any of scheme, host name, port and path prefix replaced.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Redirect {
    pub scheme: Option<String>,
    pub hostname: Option<String>,
    pub port: Option<u16>,
    /// Replaces the matched path prefix.
    pub path: Option<String>,
    /// 301 or 302 (default 302).
    pub status: Option<u16>,
}

/// A rewrite before forwarding: host name and/or the matched path prefix.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rewrite {
    pub hostname: Option<String>,
    /// Replaces the matched path prefix, e.g. `/` for `path: /api`.
    pub path: Option<String>,
}

impl Route {
    /// The port name routed to: `port` or the service's first port.
    pub fn port_name<'a>(&'a self, svc: &'a Service) -> Option<&'a str> {
        self.port.as_deref().or_else(|| svc.ports.keys().next().map(String::as_str))
    }

    /// A gRPC route: its port is named `grpc` or `grpc-*`.
    pub fn is_grpc(&self, svc: &Service) -> bool {
        self.port_name(svc).is_some_and(|p| p == "grpc" || p.starts_with("grpc-"))
    }
}

/// A shared ConfigMap: literal keys and file contents.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigSpec {
    /// `false`: the ConfigMap keeps the plain name (for configs read from outside genk8s);
    /// pods then do not roll when it changes. Default true: `<name>-<hash>`.
    pub hashed: Option<bool>,
    #[serde(default)]
    pub data: Map,
    #[serde(default)]
    pub files: BTreeMap<String, Short<FileSource>>,
}

/// Content of a config file: inline text, or `{from: path}` relative to the platform folder.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FileSource {
    pub content: Option<String>,
    pub from: Option<String>,
}

impl FromShort for FileSource {
    fn from_short(s: &str) -> Result<Self, String> {
        Ok(FileSource { content: Some(s.to_string()), from: None })
    }
}

/// An application workload: a Deployment and what goes with it.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Deployment (default), daemon_set, job or cron_job.
    #[serde(default)]
    pub kind: Kind,
    pub image: String,
    /// Replaces the tag of `image` (handy in environment overlays).
    pub tag: Option<String>,
    /// `app.kubernetes.io/component` (default `service`).
    pub component: Option<String>,
    pub command: Option<Vec<String>>,
    pub args: Option<Vec<String>>,
    #[serde(default)]
    pub ports: BTreeMap<String, Short<PortSpec>>,
    #[serde(default)]
    pub env: BTreeMap<String, Short<Box<EnvValue>>>,
    #[serde(default)]
    pub env_from: Vec<Source>,
    /// Files mounted read-only at an absolute path, from a generated ConfigMap.
    #[serde(default)]
    pub files: BTreeMap<String, Short<FileSource>>,
    /// Directories mounted from a shared config or an existing Secret.
    #[serde(default)]
    pub mounts: BTreeMap<String, Source>,
    /// Persistent volumes (PersistentVolumeClaims) by name.
    #[serde(default)]
    pub volumes: BTreeMap<String, Volume>,
    /// Extra writable directories (emptyDir); `/tmp` is always writable.
    #[serde(default)]
    pub writable: Vec<String>,
    #[serde(default)]
    pub probes: Probes,
    pub resources: Option<Resources>,
    pub replicas: Option<i32>,
    pub strategy: Option<Strategy>,
    pub autoscale: Option<Box<Autoscale>>,
    pub pdb: Option<Pdb>,
    pub ingress: Option<Box<Ingress>>,
    /// Exposure through the platform's `gateway` (instead of `ingress`).
    pub route: Option<Box<Route>>,
    pub metrics: Option<Box<Metrics>>,
    pub rollout: Option<Box<Rollout>>,
    /// Destinations outside the platform this service calls (third-party APIs, on-premises
    /// systems): each opens egress to those ports, to a CIDR or, for a host name (which a
    /// NetworkPolicy cannot name), to any address.
    #[serde(default)]
    pub egress: Vec<Egress>,
    /// Kubernetes API access as `VERBS RESOURCE[.GROUP][/NAME]`, e.g. `get,list,watch configmaps`,
    /// `create jobs.batch`, `get secrets/app-token`: a Role, a RoleBinding and a ServiceAccount
    /// (with its token mounted) follow.
    #[serde(default)]
    pub access: Vec<String>,
    /// Wildcard `access` entries (`*` as verb, resource or group) that are intended, each
    /// exactly as written in `access` with the reason, e.g.
    /// `{"* *": "operator: manages every object of its namespace"}`. Any other wildcard is refused.
    #[serde(default)]
    pub access_wildcards: Map,
    pub lint: Option<LintSpec>,
    /// Services, databases and endpoints this one talks to (an env reference to a database
    /// or endpoint adds it).
    #[serde(default)]
    pub uses: Vec<String>,
    /// Agents this service reports to, replacing the platform's `observability` per agent.
    pub observability: Option<Box<Observability>>,
    /// A command run before the app starts (same image and env), e.g. migrations.
    pub migrate: Option<Box<Migrate>>,
    /// Of a `job` or `cron_job`: its schedule and limits.
    pub job: Option<Box<JobSettings>>,
    /// Of a `daemon_set`: node directories mounted read-only at the same path (hostPath),
    /// e.g. /var/log for a log shipper. Needs `pod_security: privileged`.
    #[serde(default)]
    pub host_paths: Vec<String>,
    /// Native sidecars by name: init containers with `restartPolicy: Always`.
    #[serde(default)]
    pub sidecars: BTreeMap<String, Sidecar>,
    /// Termination grace period and pre-stop hook.
    pub shutdown: Option<Box<Shutdown>>,
    /// Number of `nvidia.com/gpu` devices.
    pub gpu: Option<u32>,
    #[serde(default)]
    pub node_selector: Map,
    #[serde(default)]
    pub tolerations: Vec<Toleration>,
    /// Topology keys the replicas spread over: `zone`, `node` (the default) or label keys.
    pub spread: Option<Spread>,
    /// Node affinity and anti-affinity to other workloads' pods.
    pub affinity: Option<Affinity>,
    /// Name of the Service (default: the service's name), for clients that expect one.
    pub service_name: Option<String>,
    /// Secrets to pull this service's images with, besides the platform's.
    #[serde(default)]
    pub image_pull_secrets: Vec<String>,
    pub service_account: Option<Short<ServiceAccount>>,
    pub run_as_user: Option<i64>,
    pub run_as_group: Option<i64>,
    pub fs_group: Option<i64>,
    #[serde(default)]
    pub pod_labels: Map,
    #[serde(default)]
    pub pod_annotations: Map,
    #[serde(default)]
    pub labels: Map,
    #[serde(default)]
    pub annotations: Map,
}

impl Service {
    /// The image with the `tag` override applied.
    pub fn image_ref(&self) -> String {
        let Some(tag) = &self.tag else { return self.image.clone() };
        let name = self.image.split('@').next().unwrap_or(&self.image);
        let repo = match name.rfind(':') {
            Some(i) if !name[i..].contains('/') => &name[..i],
            _ => name,
        };
        format!("{repo}:{tag}")
    }
}

/// Progressive delivery: exactly one of `blue_green` or `canary`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rollout {
    pub blue_green: Option<BlueGreen>,
    pub canary: Option<Canary>,
}

/// Two tracks, `<svc>-blue` and `<svc>-green`; the Service sends traffic to `live`,
/// `<svc>-preview` to the other one. Switching is one value: `live: green`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BlueGreen {
    /// blue or green.
    pub live: String,
    /// Image tag of the blue track (default: the service's).
    pub blue: Option<String>,
    /// Image tag of the green track (default: the service's).
    pub green: Option<String>,
    /// Fixed replicas of the idle track, e.g. 0 to scale it to zero (default: as the live
    /// track, autoscaled alike).
    pub idle_replicas: Option<i32>,
}

/// A `<svc>-canary` track with its own image tag that receives `weight` percent of the
/// traffic (a backend weight of the service's route, or nginx canary annotations of its
/// ingress); the Service keeps the stable track.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Canary {
    pub weight: u8,
    pub tag: String,
    /// Default 1.
    pub replicas: Option<i32>,
}

/// Where the API server listens: `{cidrs: [10.0.0.1/32], ports: [443]}`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApiServer {
    /// Addresses (CIDRs) of the API server endpoints.
    pub cidrs: Vec<String>,
    /// Default [443, 6443].
    pub ports: Option<Vec<u16>>,
}

/// `{host: api.sentry.io, ports: [443]}` or `{cidr: 10.20.0.0/16, ports: [5432]}`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Egress {
    pub host: Option<String>,
    pub cidr: Option<String>,
    /// With `host`: the host's addresses; egress goes only to these instead of any address.
    #[serde(default)]
    pub cidrs: Vec<String>,
    pub ports: Vec<u16>,
}

/// One parsed `access` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub verbs: Vec<String>,
    pub group: String,
    pub resource: String,
    pub name: Option<String>,
}

/// Verbs a Role rule may grant.
pub const VERBS: &[&str] = &["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection", "*"];

impl Access {
    /// Parses `get,list configmaps`, `create jobs.batch`, `get secrets/app-token`.
    pub fn parse(s: &str) -> Result<Access, String> {
        let (verbs, target) = s.trim().split_once(' ').ok_or_else(|| format!("`{s}` needs verbs and a resource"))?;
        let verbs: Vec<String> = verbs.split(',').map(|v| v.trim().to_string()).collect();
        if let Some(bad) = verbs.iter().find(|v| !VERBS.contains(&v.as_str())) {
            return Err(format!("unknown verb `{bad}`"));
        }
        let (res, name) = match target.trim().split_once('/') {
            Some((r, n)) => (r, Some(n.to_string())),
            None => (target.trim(), None),
        };
        let (resource, group) = res.split_once('.').unwrap_or((res, ""));
        if resource.is_empty() || !resource.chars().all(|c| c.is_ascii_lowercase() || c == '*') {
            return Err(format!("`{res}` is not a resource (plural, lowercase: pods, configmaps, jobs.batch)"));
        }
        Ok(Access { verbs, group: group.to_string(), resource: resource.to_string(), name })
    }
}

/// A named port: `http: 8080` or `http: {container: 8080, service: 80, protocol: TCP}`.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PortSpec {
    pub container: u16,
    pub service: Option<u16>,
    pub protocol: Option<Protocol>,
}

impl FromShort for PortSpec {
    fn from_short(s: &str) -> Result<Self, String> {
        match s.parse::<u16>() {
            Ok(p) => Ok(PortSpec { container: p, service: None, protocol: None }),
            Err(_) => Err(format!("expected a port number (1-65535), found `{s}`")),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum Protocol {
    TCP,
    UDP,
    SCTP,
}

/// An environment variable: a literal, or `{secret: NAME, key: KEY}`, `{config: NAME, key: KEY}`,
/// `{field: PATH}`, or a connection fact: `{db: NAME, value: url}`, `{endpoint: NAME, value: host}`.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvValue {
    /// The literal value; with `db` or `endpoint`, the fact to read (host, port, url, …).
    pub value: Option<String>,
    /// A database of the platform whose connection fact `value` names.
    pub db: Option<String>,
    /// An endpoint of the platform whose fact (host, port, url) `value` names.
    pub endpoint: Option<String>,
    pub secret: Option<String>,
    pub config: Option<String>,
    pub key: Option<String>,
    pub field: Option<String>,
}

impl FromShort for EnvValue {
    fn from_short(s: &str) -> Result<Self, String> {
        Ok(EnvValue { value: Some(s.to_string()), ..EnvValue::default() })
    }
}

/// A ConfigMap (`config:`, one of the platform's `configs`) or an existing Secret (`secret:`).
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    pub config: Option<String>,
    pub secret: Option<String>,
    /// In `mounts` only: mount just these keys, each at a path relative to the mount
    /// (`{tls.crt: server.crt}`); default every key under its own name.
    #[serde(default)]
    pub items: Map,
}

/// `spread: zone`, or a list of topology keys (`[zone, node]`, `[topology.kubernetes.io/zone]`).
/// `zone` is `topology.kubernetes.io/zone`, `node` is `kubernetes.io/hostname`.
#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Spread {
    One(String),
    Keys(Vec<String>),
}

impl Spread {
    /// The topology label keys, aliases resolved, in the order written.
    pub fn keys(&self) -> Vec<String> {
        let keys = match self {
            Spread::One(k) => std::slice::from_ref(k),
            Spread::Keys(k) => k.as_slice(),
        };
        keys.iter().map(|k| topology_key(k).to_string()).collect()
    }
}

/// `zone` and `node` (or `hostname`) as the well-known label keys; other keys as written.
pub fn topology_key(k: &str) -> &str {
    match k {
        "zone" => "topology.kubernetes.io/zone",
        "region" => "topology.kubernetes.io/region",
        "node" | "hostname" => "kubernetes.io/hostname",
        other => other,
    }
}

/// Where pods may run: on nodes with these labels, and away from other workloads' pods.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Affinity {
    /// Required node labels: label key → the values allowed (operator In).
    #[serde(default)]
    pub nodes: BTreeMap<String, Vec<String>>,
    /// Preferred node labels (weight 100), same form as `nodes`.
    #[serde(default)]
    pub prefer_nodes: BTreeMap<String, Vec<String>>,
    /// Services or databases (or this workload itself: one pod per topology domain) whose
    /// pods this one's never share a node with.
    #[serde(default)]
    pub avoid: Vec<String>,
    /// The domain `avoid` applies to: `node` (default), `zone` or a label key.
    pub avoid_by: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Volume {
    pub path: String,
    pub size: String,
    pub class: Option<String>,
    /// ReadWriteOnce (default), ReadWriteMany, ReadOnlyMany, ReadWriteOncePod.
    pub access: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Probes {
    pub liveness: Option<Probe>,
    pub readiness: Option<Probe>,
    pub startup: Option<Probe>,
}

/// One probe: exactly one of `http` (a path), `tcp` (a port name) or `exec` (a command).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Probe {
    pub http: Option<String>,
    pub tcp: Option<String>,
    pub exec: Option<Vec<String>>,
    /// Port name for `http` (default: the service's first port).
    pub port: Option<String>,
    pub initial_delay: Option<i32>,
    pub period: Option<i32>,
    pub timeout: Option<i32>,
    pub failure_threshold: Option<i32>,
    pub success_threshold: Option<i32>,
    /// Headers of an `http` probe, e.g. `{Host: api.example.com}` for an app that checks the
    /// Host header (Django's ALLOWED_HOSTS refuses the pod IP the kubelet sends otherwise).
    #[serde(default)]
    pub headers: Map,
}

/// How a service's pods stop: the grace period and what runs before SIGTERM.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Shutdown {
    /// Seconds between the stop request and SIGKILL (`terminationGracePeriodSeconds`,
    /// Kubernetes' default 30), pre-stop hook included.
    pub grace: Option<i64>,
    /// A command run in the app container before it gets SIGTERM (preStop exec), e.g. a
    /// worker's "stop taking jobs".
    pub pre_stop: Option<Vec<String>>,
    /// Or: seconds to wait before SIGTERM (preStop sleep), so endpoints drop the pod first.
    pub sleep: Option<i64>,
}

/// `cpu: 250m/1`, `memory: 512Mi/2Gi`: request, then an optional limit after `/`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    pub cpu: Option<String>,
    pub memory: Option<String>,
    #[serde(rename = "ephemeral-storage")]
    pub ephemeral_storage: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Strategy {
    Recreate,
    Rolling { max_surge: Option<String>, max_unavailable: Option<String> },
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Autoscale {
    pub min: i32,
    pub max: i32,
    /// Target average CPU utilization, percent of the request.
    pub cpu: Option<i32>,
    /// Target average memory utilization, percent of the request.
    pub memory: Option<i32>,
    /// Custom per-pod metrics: metric name → target average value.
    #[serde(default)]
    pub pods: Map,
    #[serde(default)]
    pub scale_up: Option<ScaleRules>,
    #[serde(default)]
    pub scale_down: Option<ScaleRules>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScaleRules {
    /// Stabilization window in seconds.
    pub window: Option<i32>,
    /// Max, Min or Disabled.
    pub select: Option<String>,
    #[serde(default)]
    pub policies: Vec<ScalePolicy>,
}

/// `{percent: 10, period: 60}` or `{pods: 4, period: 15}`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScalePolicy {
    pub percent: Option<i32>,
    pub pods: Option<i32>,
    pub period: i32,
}

/// PodDisruptionBudget: one of `min_available` / `max_unavailable` (a count or a percentage).
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pdb {
    pub min_available: Option<String>,
    pub max_unavailable: Option<String>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Ingress {
    pub hosts: Vec<String>,
    pub path: Option<String>,
    /// Prefix (default), Exact or ImplementationSpecific.
    pub path_type: Option<String>,
    /// Port name to route to (default: the first port).
    pub port: Option<String>,
    pub class: Option<String>,
    pub issuer: Option<String>,
    /// TLS through the issuer (default: on when an issuer is set).
    pub tls: Option<bool>,
    /// Name of the TLS Secret (default `<service>-tls`), e.g. one a certificate already fills.
    pub tls_secret: Option<String>,
    /// With class alb: the ACM certificate(s) of the HTTPS listener (overrides the platform's).
    pub certificate_arn: Option<String>,
    #[serde(default)]
    pub annotations: Map,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Migrate {
    /// Defaults to the image's own entrypoint.
    pub command: Option<Vec<String>>,
    /// Defaults to the service's image.
    pub image: Option<String>,
    /// Run as a Job `<svc>-migrate-<hash of its spec>` that the app's pods wait for (the
    /// default), or with `false` as an init container of every pod (only for a service
    /// that never runs more than one pod).
    pub job: Option<bool>,
    /// Variables of the migration only, over the app's (same forms as `env`).
    #[serde(default)]
    pub env: BTreeMap<String, Short<Box<EnvValue>>>,
    /// Retries of the migration Job before it fails (default 4).
    pub backoff_limit: Option<i32>,
}

impl Migrate {
    /// Whether the migration runs as a Job that gates the rollout.
    pub fn as_job(&self) -> bool {
        self.job.unwrap_or(true)
    }
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Toleration {
    pub key: Option<String>,
    pub operator: Option<String>,
    pub value: Option<String>,
    pub effect: Option<String>,
}

/// `service_account: NAME` uses an existing account; the map form creates one.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceAccount {
    pub name: Option<String>,
    #[serde(default)]
    pub create: bool,
    /// Mount the API token into pods (off by default).
    #[serde(default)]
    pub token: bool,
    #[serde(default)]
    pub annotations: Map,
}

impl FromShort for ServiceAccount {
    fn from_short(s: &str) -> Result<Self, String> {
        Ok(ServiceAccount { name: Some(s.to_string()), ..ServiceAccount::default() })
    }
}

/// A database from the engine catalog, or an external one.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Database {
    /// Catalog engine: postgres, postgis, mongodb, redis, qdrant, or one in the platform's `templates/engines/`.
    pub engine: String,
    /// Image tag of the engine's default image.
    pub version: Option<String>,
    /// Full image reference, replacing the engine's image.
    pub image: Option<String>,
    /// A database outside the cluster: no workload, an ExternalName Service when `host` is a name.
    pub external: Option<External>,
    pub storage: Option<Storage>,
    pub resources: Option<Resources>,
    pub replicas: Option<i32>,
    /// Secret holding the credentials (default `<name>-credentials`).
    pub credentials: Option<String>,
    /// Name of the database to create, where the engine has one.
    pub database: Option<String>,
    #[serde(default)]
    pub args: Vec<String>,
    #[serde(default)]
    pub env: Map,
    /// Files mounted read-only at absolute paths (a generated ConfigMap `<db>-files-<hash>`),
    /// e.g. postgresql.conf, redis.conf or Lua scripts.
    #[serde(default)]
    pub files: BTreeMap<String, Short<FileSource>>,
    /// Directories mounted read-only from a shared config or an existing Secret.
    #[serde(default)]
    pub mounts: BTreeMap<String, Source>,
    /// The engine's main configuration file (a path of `files` or under `mounts`): the
    /// engine starts with it (postgres `-c config_file=`, `redis-server <file>`).
    pub config_file: Option<String>,
    /// Server certificate from a `kubernetes.io/tls` Secret, mounted at /etc/tls and
    /// switched on in the engine (postgres `ssl=on`).
    pub tls: Option<DatabaseTls>,
    #[serde(default)]
    pub node_selector: Map,
    #[serde(default)]
    pub tolerations: Vec<Toleration>,
    /// Topology keys the replicas spread over: `zone`, `node` or label keys.
    pub spread: Option<Spread>,
    /// Node affinity and anti-affinity to other workloads' pods.
    pub affinity: Option<Affinity>,
    /// Name of the client Service (default: the database's name); dependants connect to it.
    pub service_name: Option<String>,
    pub pdb: Option<Pdb>,
    pub backup: Option<Backup>,
    pub lint: Option<LintSpec>,
}

/// `lint: {ignore: {GK004: "reason"}}`: silence lint rules for this workload, with a reason.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LintSpec {
    #[serde(default)]
    pub ignore: Map,
}

/// A scheduled dump with the engine's own tool into a volume of its own.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Backup {
    /// Cron schedule (five fields), e.g. "0 2 * * *".
    pub schedule: String,
    /// Number of dumps kept (default 7).
    pub keep: Option<u32>,
    /// Size of the backup volume (default: the database's storage size).
    pub size: Option<String>,
    pub class: Option<String>,
    /// Also copy each good dump to an S3-compatible bucket.
    pub s3: Option<BackupS3>,
}

/// Where a backup is copied off the cluster: an S3 (or S3-compatible) bucket.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BackupS3 {
    /// `s3://bucket/prefix`: each dump is copied under it by its file name.
    pub bucket: String,
    /// Endpoint of an S3-compatible store (MinIO, R2, …), e.g. `https://minio.example.com:9000`.
    pub endpoint: Option<String>,
    /// Secret holding `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (and optionally `AWS_REGION`).
    pub secret: String,
    /// Image with the `aws` CLI (default amazon/aws-cli).
    pub image: Option<String>,
}

impl BackupS3 {
    /// The port the upload connects to: the endpoint's, else 443.
    pub fn port(&self) -> u16 {
        let rest = self.endpoint.as_deref().map(|e| e.split_once("://").map_or(e, |(_, r)| r)).unwrap_or("");
        let host = rest.split('/').next().unwrap_or("");
        let default = if self.endpoint.as_deref().is_some_and(|e| e.starts_with("http://")) { 80 } else { 443 };
        host.rsplit_once(':').and_then(|(_, p)| p.parse().ok()).unwrap_or(default)
    }
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct External {
    pub host: String,
    pub port: Option<u16>,
}

#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    pub size: String,
    pub class: Option<String>,
}
