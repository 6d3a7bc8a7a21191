//! Typed structs for the custom resources genk8s emits (cert-manager, Prometheus
//! Operator). They implement the same `k8s_openapi` traits as built-in kinds so
//! they go through the same expand and emit code.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde::Serialize;

macro_rules! custom_resource {
    ($ty:ident, $group:literal, $version:literal, $kind:literal, $plural:literal, $scope:ty) => {
        impl k8s_openapi::Resource for $ty {
            const API_VERSION: &'static str = concat!($group, "/", $version);
            const GROUP: &'static str = $group;
            const KIND: &'static str = $kind;
            const VERSION: &'static str = $version;
            const URL_PATH_SEGMENT: &'static str = $plural;
            type Scope = $scope;
        }
        impl k8s_openapi::Metadata for $ty {
            type Ty = ObjectMeta;
            fn metadata(&self) -> &ObjectMeta {
                &self.metadata
            }
            fn metadata_mut(&mut self) -> &mut ObjectMeta {
                &mut self.metadata
            }
        }
    };
}
pub(crate) use custom_resource;

/// cert-manager.io/v1 ClusterIssuer (ACME only).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ClusterIssuer {
    pub metadata: ObjectMeta,
    pub spec: IssuerSpec,
}
custom_resource!(
    ClusterIssuer,
    "cert-manager.io",
    "v1",
    "ClusterIssuer",
    "clusterissuers",
    k8s_openapi::ClusterResourceScope
);

#[derive(Debug, Clone, Default, Serialize)]
pub struct IssuerSpec {
    pub acme: Acme,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Acme {
    pub server: String,
    pub email: String,
    pub private_key_secret_ref: SecretRef,
    pub solvers: Vec<Solver>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct SecretRef {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Solver {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http01: Option<Http01>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns01: Option<Dns01>,
}

/// An HTTP-01 solver: through an Ingress class, or through a Gateway's listener.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Http01 {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ingress: Option<Http01Ingress>,
    #[serde(rename = "gatewayHTTPRoute", skip_serializing_if = "Option::is_none")]
    pub gateway_http_route: Option<Http01GatewayRoute>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Http01GatewayRoute {
    pub parent_refs: Vec<crate::gateway_api::ParentReference>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Http01Ingress {
    pub ingress_class_name: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Dns01 {
    pub cloudflare: Cloudflare,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cloudflare {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    pub api_token_secret_ref: SecretRef,
}

/// monitoring.coreos.com/v1 ServiceMonitor.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ServiceMonitor {
    pub metadata: ObjectMeta,
    pub spec: ServiceMonitorSpec,
}
custom_resource!(
    ServiceMonitor,
    "monitoring.coreos.com",
    "v1",
    "ServiceMonitor",
    "servicemonitors",
    k8s_openapi::NamespaceResourceScope
);

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceMonitorSpec {
    pub selector: LabelSelector,
    pub endpoints: Vec<Endpoint>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Endpoint {
    pub port: String,
    pub path: String,
    pub interval: String,
}

/// monitoring.coreos.com/v1 PrometheusRule.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PrometheusRule {
    pub metadata: ObjectMeta,
    pub spec: PrometheusRuleSpec,
}
custom_resource!(
    PrometheusRule,
    "monitoring.coreos.com",
    "v1",
    "PrometheusRule",
    "prometheusrules",
    k8s_openapi::NamespaceResourceScope
);

#[derive(Debug, Clone, Default, Serialize)]
pub struct PrometheusRuleSpec {
    pub groups: Vec<RuleGroup>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RuleGroup {
    pub name: String,
    pub rules: Vec<AlertRule>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct AlertRule {
    pub alert: String,
    pub expr: String,
    #[serde(rename = "for")]
    pub for_: String,
    pub labels: std::collections::BTreeMap<String, String>,
    pub annotations: std::collections::BTreeMap<String, String>,
}

/// external-secrets.io/v1beta1 ExternalSecret.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExternalSecret {
    pub metadata: ObjectMeta,
    pub spec: ExternalSecretSpec,
}
custom_resource!(
    ExternalSecret,
    "external-secrets.io",
    "v1beta1",
    "ExternalSecret",
    "externalsecrets",
    k8s_openapi::NamespaceResourceScope
);

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecretSpec {
    pub refresh_interval: String,
    pub secret_store_ref: StoreRef,
    pub target: Target,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Vec<ExternalSecretData>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_from: Option<Vec<DataFrom>>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct StoreRef {
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    pub name: String,
    pub creation_policy: String,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExternalSecretData {
    pub secret_key: String,
    pub remote_ref: RemoteRef,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RemoteRef {
    pub key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub property: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct DataFrom {
    pub extract: RemoteRef,
}
