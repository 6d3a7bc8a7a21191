//! Platform-wide objects: StorageClasses, cert-manager ClusterIssuers, the
//! namespace's ResourceQuota and LimitRange.

use super::{Ctx, Object, Sink, non_empty_map};
use crate::crd::{
    Acme, Cloudflare, ClusterIssuer, Dns01, Http01, Http01GatewayRoute, Http01Ingress, IssuerSpec, SecretRef, Solver,
};
use crate::spec::Map;
use k8s_openapi::api::core::v1::{LimitRange, LimitRangeItem, LimitRangeSpec, ResourceQuota, ResourceQuotaSpec};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use std::collections::BTreeMap;

/// Let's Encrypt's production ACME directory.
pub const LETSENCRYPT: &str = "https://acme-v02.api.letsencrypt.org/directory";

fn cluster_meta(ctx: &Ctx, name: &str) -> ObjectMeta {
    ObjectMeta {
        name: Some(name.to_string()),
        labels: Some(ctx.cluster_labels()),
        annotations: non_empty_map(ctx.v.spec.annotations.clone()),
        ..ObjectMeta::default()
    }
}

fn quantities(m: &Map) -> Option<BTreeMap<String, Quantity>> {
    (!m.is_empty()).then(|| m.iter().map(|(k, v)| (k.clone(), Quantity(v.clone()))).collect())
}

pub fn expand(ctx: &Ctx, out: &mut dyn Sink) {
    let spec = &ctx.v.spec;
    for (name, sc) in &spec.storage_classes {
        out.push(storage_class(ctx, name, sc));
    }
    for (name, iss) in &spec.issuers {
        out.push(cluster_issuer(ctx, name, iss));
    }
    if !spec.quota.is_empty() {
        out.push(Object::new(ResourceQuota {
            metadata: ctx.meta("quota", ctx.platform_labels(), &Map::new()),
            spec: Some(ResourceQuotaSpec { hard: quantities(&spec.quota), ..ResourceQuotaSpec::default() }),
            ..ResourceQuota::default()
        }));
    }
    if let Some(l) = &spec.limits {
        out.push(limit_range(ctx, l));
    }
}

fn storage_class(ctx: &Ctx, name: &str, sc: &crate::spec::StorageClass) -> Object {
    Object::new(StorageClass {
        metadata: cluster_meta(ctx, name),
        provisioner: sc.provisioner.clone(),
        parameters: non_empty_map(sc.parameters.clone()),
        reclaim_policy: Some(sc.reclaim.clone().unwrap_or_else(|| "Delete".into())),
        volume_binding_mode: Some(sc.binding.clone().unwrap_or_else(|| "WaitForFirstConsumer".into())),
        allow_volume_expansion: Some(sc.expansion.unwrap_or(true)),
        ..StorageClass::default()
    })
}

/// An ACME ClusterIssuer solving http01 (unless only Cloudflare dns01 is configured)
/// and/or Cloudflare dns01.
fn cluster_issuer(ctx: &Ctx, name: &str, iss: &crate::spec::Issuer) -> Object {
    let mut solvers = Vec::new();
    if iss.http01.is_some() || iss.cloudflare.is_none() {
        let class = iss.http01.as_ref().and_then(|h| h.class.clone());
        // Without an ingress class named here, the Gateway genk8s writes serves the
        // challenge on its HTTP listener.
        let gateway = ctx.v.spec.gateway.as_ref().filter(|g| class.is_none() && g.existing.is_none());
        let http01 = match gateway {
            Some(_) => Http01 {
                ingress: None,
                gateway_http_route: Some(Http01GatewayRoute { parent_refs: vec![super::gateway::http_listener(ctx)] }),
            },
            None => Http01 {
                ingress: Some(Http01Ingress {
                    ingress_class_name: (class.or_else(|| ctx.v.spec.ingress.class.clone()))
                        .unwrap_or_else(|| "nginx".into()),
                }),
                gateway_http_route: None,
            },
        };
        solvers.push(Solver { http01: Some(http01), dns01: None });
    }
    if let Some(cf) = &iss.cloudflare {
        solvers.push(Solver {
            http01: None,
            dns01: Some(Dns01 {
                cloudflare: Cloudflare {
                    email: cf.email.clone(),
                    api_token_secret_ref: SecretRef { name: cf.secret.clone(), key: Some(cf.key.clone()) },
                },
            }),
        });
    }
    Object::new(ClusterIssuer {
        metadata: cluster_meta(ctx, name),
        spec: IssuerSpec {
            acme: Acme {
                server: iss.server.clone().unwrap_or_else(|| LETSENCRYPT.into()),
                email: iss.email.clone(),
                private_key_secret_ref: SecretRef { name: format!("{name}-account-key"), key: None },
                solvers,
            },
        },
    })
}

fn limit_range(ctx: &Ctx, l: &crate::spec::Limits) -> Object {
    Object::new(LimitRange {
        metadata: ctx.meta("limits", ctx.platform_labels(), &Map::new()),
        spec: Some(LimitRangeSpec {
            limits: vec![LimitRangeItem {
                type_: "Container".into(),
                default: quantities(&l.default),
                default_request: quantities(&l.default_request),
                max: quantities(&l.max),
                min: quantities(&l.min),
                ..LimitRangeItem::default()
            }],
        }),
    })
}
