//! Read-only directory mounts from a platform config (ConfigMap) or an existing Secret,
//! for services, their sidecars and databases alike.

use super::{Ctx, non_empty};
use crate::spec::{Map, Source};
use k8s_openapi::api::core::v1::{ConfigMapVolumeSource, KeyToPath, SecretVolumeSource, Volume, VolumeMount};
use std::collections::BTreeMap;

/// A volume `<prefix>-<i>` per mount (in path order) and its read-only mount.
pub fn sources(ctx: &Ctx, prefix: &str, mounts: &BTreeMap<String, Source>) -> (Vec<Volume>, Vec<VolumeMount>) {
    mounts
        .iter()
        .enumerate()
        .map(|(i, (path, src))| {
            let vname = format!("{prefix}-{i}");
            let volume = Volume {
                name: vname.clone(),
                config_map: src.config.as_ref().map(|c| ConfigMapVolumeSource {
                    name: ctx.config_names[c].clone(),
                    items: key_paths(&src.items),
                    ..ConfigMapVolumeSource::default()
                }),
                secret: src.secret.as_ref().map(|s| SecretVolumeSource {
                    secret_name: Some(s.clone()),
                    items: key_paths(&src.items),
                    ..SecretVolumeSource::default()
                }),
                ..Volume::default()
            };
            (volume, read_only(vname, path))
        })
        .unzip()
}

/// A read-only mount of volume `name` at `path`.
pub fn read_only(name: String, path: &str) -> VolumeMount {
    VolumeMount { name, mount_path: path.to_string(), read_only: Some(true), ..VolumeMount::default() }
}

/// `items` of a mount: each key at its path, sorted by key.
fn key_paths(items: &Map) -> Option<Vec<KeyToPath>> {
    non_empty(items.iter().map(|(k, p)| KeyToPath { key: k.clone(), path: p.clone(), mode: None }).collect())
}
