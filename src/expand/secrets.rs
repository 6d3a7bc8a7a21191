//! Secrets without plaintext: ExternalSecrets for every Secret the environment
//! reads when a store is declared, and development-only Secrets from `dev_secrets`
//! (validation refuses them in production).

use super::{Ctx, Object, Sink};
use crate::crd::{ExternalSecret, ExternalSecretData, ExternalSecretSpec, RemoteRef, StoreRef, Target};
use crate::spec::Map;
use k8s_openapi::api::core::v1::Secret;

pub fn expand(ctx: &Ctx, out: &mut dyn Sink) {
    let spec = &ctx.v.spec;
    for (name, data) in &spec.dev_secrets {
        let mut labels = ctx.platform_labels();
        labels.insert("genk8s.io/dev-only".into(), "true".into());
        out.push(Object::new(Secret {
            metadata: ctx.meta(name.clone(), labels, &Map::new()),
            type_: Some("Opaque".into()),
            string_data: Some(data.clone()),
            ..Secret::default()
        }));
    }
    let Some(store) = &spec.secret_store else { return };
    for (name, need) in crate::secrets::needs(ctx.v) {
        // cert-manager's DNS token lives in cert-manager's namespace; it is provisioned there.
        if need.namespace.is_some() || spec.dev_secrets.contains_key(&name) {
            continue;
        }
        let remote = format!("{}{name}", store.prefix);
        let data: Vec<ExternalSecretData> = need
            .keys
            .iter()
            .map(|k| ExternalSecretData {
                secret_key: k.clone(),
                remote_ref: RemoteRef { key: remote.clone(), property: Some(k.clone()) },
            })
            .collect();
        out.push(Object::new(ExternalSecret {
            metadata: ctx.meta(name.clone(), ctx.platform_labels(), &Map::new()),
            spec: ExternalSecretSpec {
                refresh_interval: store.refresh.clone().unwrap_or_else(|| "1h".into()),
                secret_store_ref: StoreRef {
                    name: store.name.clone(),
                    kind: store.kind.clone().unwrap_or_else(|| "ClusterSecretStore".into()),
                },
                target: Target { name: name.clone(), creation_policy: "Owner".into() },
                data: (!need.whole).then_some(data),
                data_from: need
                    .whole
                    .then(|| vec![crate::crd::DataFrom { extract: RemoteRef { key: remote, property: None } }]),
            },
        }));
    }
}
