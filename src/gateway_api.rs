//! Typed structs for the Gateway API kinds genk8s emits (`gateway.networking.k8s.io/v1`:
//! Gateway, HTTPRoute, GRPCRoute), with the field names of the Gateway API v1 reference.
//! Like [`crate::crd`]'s kinds they implement the `k8s_openapi` traits, so they go
//! through the same expand and emit code as built-in kinds.

use crate::crd::custom_resource;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

/// The API group and version of every kind here.
pub const GROUP: &str = "gateway.networking.k8s.io";

/// gateway.networking.k8s.io/v1 Gateway.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Gateway {
    pub metadata: ObjectMeta,
    pub spec: GatewaySpec,
}
custom_resource!(Gateway, crate::crd::GATEWAY, k8s_openapi::NamespaceResourceScope);

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GatewaySpec {
    pub gateway_class_name: String,
    pub listeners: Vec<Listener>,
}

/// One listener: a port, a protocol and (for HTTPS) the certificate of its host name.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Listener {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    pub port: i32,
    /// HTTP or HTTPS.
    pub protocol: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tls: Option<ListenerTls>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_routes: Option<AllowedRoutes>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ListenerTls {
    /// Terminate.
    pub mode: String,
    pub certificate_refs: Vec<SecretObjectReference>,
}

/// A Secret holding a certificate (kind Secret of the core group).
#[derive(Debug, Clone, Default, Serialize)]
pub struct SecretObjectReference {
    pub group: String,
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct AllowedRoutes {
    pub namespaces: RouteNamespaces,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RouteNamespaces {
    /// Same, All or Selector.
    pub from: String,
}

/// gateway.networking.k8s.io/v1 HTTPRoute.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HttpRoute {
    pub metadata: ObjectMeta,
    pub spec: HttpRouteSpec,
}
custom_resource!(HttpRoute, crate::crd::HTTP_ROUTE, k8s_openapi::NamespaceResourceScope);

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteSpec {
    pub parent_refs: Vec<ParentReference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hostnames: Vec<String>,
    pub rules: Vec<HttpRouteRule>,
}

pub use crate::crd::ParentReference;

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteRule {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<HttpRouteMatch>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<HttpRouteFilter>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub backend_refs: Vec<BackendRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeouts: Option<HttpRouteTimeouts>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct HttpRouteMatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<HttpPathMatch>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<HeaderMatch>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct HttpPathMatch {
    /// PathPrefix or Exact.
    #[serde(rename = "type")]
    pub type_: String,
    pub value: String,
}

/// An exact match on a request header (HTTPRoute and GRPCRoute alike).
#[derive(Debug, Clone, Default, Serialize)]
pub struct HeaderMatch {
    #[serde(rename = "type")]
    pub type_: String,
    pub name: String,
    pub value: String,
}

/// One filter; `type_` names which of the other fields is set.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRouteFilter {
    #[serde(rename = "type")]
    pub type_: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_header_modifier: Option<HeaderModifier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_redirect: Option<RequestRedirect>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url_rewrite: Option<UrlRewrite>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct HeaderModifier {
    pub set: Vec<HttpHeader>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct HttpHeader {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestRedirect {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<PathModifier>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<i32>,
    /// 301 or 302.
    pub status_code: i32,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct UrlRewrite {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<PathModifier>,
}

/// A path rewrite: the matched prefix replaced (`ReplacePrefixMatch`).
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PathModifier {
    #[serde(rename = "type")]
    pub type_: String,
    pub replace_prefix_match: String,
}

/// A Service and port traffic goes to, with its share (`weight`) of the rule's traffic.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BackendRef {
    pub name: String,
    pub port: i32,
    pub weight: i32,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct HttpRouteTimeouts {
    pub request: String,
}

/// gateway.networking.k8s.io/v1 GRPCRoute.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GrpcRoute {
    pub metadata: ObjectMeta,
    pub spec: GrpcRouteSpec,
}
custom_resource!(GrpcRoute, crate::crd::GRPC_ROUTE, k8s_openapi::NamespaceResourceScope);

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GrpcRouteSpec {
    pub parent_refs: Vec<ParentReference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hostnames: Vec<String>,
    pub rules: Vec<GrpcRouteRule>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GrpcRouteRule {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<GrpcRouteMatch>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<GrpcRouteFilter>,
    pub backend_refs: Vec<BackendRef>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct GrpcRouteMatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<GrpcMethodMatch>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<HeaderMatch>,
}

/// `service/method` of a gRPC call, matched exactly (either part may be left out).
#[derive(Debug, Clone, Default, Serialize)]
pub struct GrpcMethodMatch {
    #[serde(rename = "type")]
    pub type_: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GrpcRouteFilter {
    #[serde(rename = "type")]
    pub type_: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response_header_modifier: Option<HeaderModifier>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use k8s_openapi::Resource;

    #[test]
    fn structs_take_their_row() {
        assert_eq!((Gateway::API_VERSION, Gateway::KIND), (crate::crd::GATEWAY.api_version, "Gateway"));
        assert_eq!((HttpRoute::API_VERSION, HttpRoute::KIND), (crate::crd::HTTP_ROUTE.api_version, "HTTPRoute"));
        assert_eq!((GrpcRoute::API_VERSION, GrpcRoute::KIND), (crate::crd::GRPC_ROUTE.api_version, "GRPCRoute"));
    }
}
