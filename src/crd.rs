//! Typed structs for the custom resources genk8s emits (cert-manager, Prometheus
//! Operator, External Secrets Operator). They implement the same `k8s_openapi` traits
//! as built-in kinds so they go through the same expand and emit code.
//!
//! [`ADDONS`] is the one table of add-on APIs genk8s writes: each struct takes its
//! group, version, kind and plural from its row, and the README's add-on table is
//! tested against it.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use serde::Serialize;

/// An add-on API that genk8s writes, and the oldest add-on release that serves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddOn {
    /// The project that defines the custom resource, as the README names it.
    pub project: &'static str,
    pub kind: &'static str,
    pub group: &'static str,
    pub version: &'static str,
    /// `group/version`, as emitted.
    pub api_version: &'static str,
    pub plural: &'static str,
    /// The oldest release of the add-on that serves `api_version`.
    pub since: &'static str,
}

pub const CLUSTER_ISSUER: AddOn = AddOn {
    project: "cert-manager",
    kind: "ClusterIssuer",
    group: "cert-manager.io",
    version: "v1",
    api_version: "cert-manager.io/v1",
    plural: "clusterissuers",
    since: "v1.0.0",
};
pub const SERVICE_MONITOR: AddOn = AddOn {
    project: "Prometheus Operator",
    kind: "ServiceMonitor",
    group: "monitoring.coreos.com",
    version: "v1",
    api_version: "monitoring.coreos.com/v1",
    plural: "servicemonitors",
    since: "v0.12.0",
};
pub const PROMETHEUS_RULE: AddOn = AddOn {
    project: "Prometheus Operator",
    kind: "PrometheusRule",
    group: "monitoring.coreos.com",
    version: "v1",
    api_version: "monitoring.coreos.com/v1",
    plural: "prometheusrules",
    since: "v0.20.0",
};
pub const EXTERNAL_SECRET: AddOn = AddOn {
    project: "External Secrets Operator",
    kind: "ExternalSecret",
    group: "external-secrets.io",
    version: "v1",
    api_version: "external-secrets.io/v1",
    plural: "externalsecrets",
    since: "v0.16.2",
};

/// Every add-on API genk8s writes, in the README's order.
pub const GATEWAY: AddOn = AddOn {
    project: "Gateway API",
    kind: "Gateway",
    group: "gateway.networking.k8s.io",
    version: "v1",
    api_version: "gateway.networking.k8s.io/v1",
    plural: "gateways",
    since: "v1.0.0",
};
pub const HTTP_ROUTE: AddOn = AddOn {
    project: "Gateway API",
    kind: "HTTPRoute",
    group: "gateway.networking.k8s.io",
    version: "v1",
    api_version: "gateway.networking.k8s.io/v1",
    plural: "httproutes",
    since: "v1.0.0",
};
pub const GRPC_ROUTE: AddOn = AddOn {
    project: "Gateway API",
    kind: "GRPCRoute",
    group: "gateway.networking.k8s.io",
    version: "v1",
    api_version: "gateway.networking.k8s.io/v1",
    plural: "grpcroutes",
    since: "v1.1.0",
};

pub const ADDONS: &[AddOn] =
    &[CLUSTER_ISSUER, SERVICE_MONITOR, PROMETHEUS_RULE, EXTERNAL_SECRET, GATEWAY, HTTP_ROUTE, GRPC_ROUTE];

macro_rules! custom_resource {
    ($ty:ident, $addon:expr, $scope:ty) => {
        impl k8s_openapi::Resource for $ty {
            const API_VERSION: &'static str = $addon.api_version;
            const GROUP: &'static str = $addon.group;
            const KIND: &'static str = $addon.kind;
            const VERSION: &'static str = $addon.version;
            const URL_PATH_SEGMENT: &'static str = $addon.plural;
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
custom_resource!(ClusterIssuer, CLUSTER_ISSUER, k8s_openapi::ClusterResourceScope);

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

/// The Gateway (and listener) a route attaches to.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ParentReference {
    pub group: String,
    pub kind: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub section_name: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Http01GatewayRoute {
    pub parent_refs: Vec<ParentReference>,
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
custom_resource!(ServiceMonitor, SERVICE_MONITOR, k8s_openapi::NamespaceResourceScope);

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
custom_resource!(PrometheusRule, PROMETHEUS_RULE, k8s_openapi::NamespaceResourceScope);

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

/// external-secrets.io/v1 ExternalSecret (ESO stopped serving v1beta1 in v0.17.0).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ExternalSecret {
    pub metadata: ObjectMeta,
    pub spec: ExternalSecretSpec,
}
custom_resource!(ExternalSecret, EXTERNAL_SECRET, k8s_openapi::NamespaceResourceScope);

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

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::Resource;

    #[test]
    fn api_version_is_group_and_version() {
        for a in ADDONS {
            assert_eq!(a.api_version, format!("{}/{}", a.group, a.version), "{}", a.kind);
        }
    }

    #[test]
    fn structs_take_their_row() {
        let rows = [
            (ClusterIssuer::API_VERSION, ClusterIssuer::KIND),
            (ServiceMonitor::API_VERSION, ServiceMonitor::KIND),
            (PrometheusRule::API_VERSION, PrometheusRule::KIND),
            (ExternalSecret::API_VERSION, ExternalSecret::KIND),
        ];
        // The Gateway API rows are checked beside their structs (crate::gateway_api).
        let table: Vec<(&str, &str)> = ADDONS[..rows.len()].iter().map(|a| (a.api_version, a.kind)).collect();
        assert_eq!(table, rows);
        assert_eq!(ExternalSecret::API_VERSION, "external-secrets.io/v1");
    }
}
