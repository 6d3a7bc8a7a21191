//! ConfigMaps with hashed names (`<name>-<hash>`: the name changes exactly when the content
//! does, so pods roll): the platform's `configs`, and a service's or database's `files`.

use super::{Ctx, Object, Sink, file_content, hashed_name, non_empty_map};
use crate::spec::{FileSource, Map, Short};
use k8s_openapi::api::core::v1::{ConfigMap, ConfigMapVolumeSource, Volume, VolumeMount};
use std::collections::BTreeMap;

/// Files by absolute path, as `files:` writes them.
pub type Files = BTreeMap<String, Short<FileSource>>;

/// `ConfigMap <name>-<hash>` per platform config; records each hashed name in `ctx`.
pub fn configs(ctx: &mut Ctx, out: &mut dyn Sink) {
    let v = ctx.v;
    for (name, cfg) in &v.spec.configs {
        let mut data = cfg.data.clone();
        for (k, f) in &cfg.files {
            data.insert(k.clone(), file_content(v, f));
        }
        let cm_name = if cfg.hashed == Some(false) { name.clone() } else { hashed_name(name, &data) };
        ctx.config_names.insert(name.clone(), cm_name.clone());
        out.push(config_map(ctx, cm_name, ctx.labels(name, "config"), non_empty_map(data)));
    }
}

/// `ConfigMap <name>-files-<hash>` holding a service's or a database's `files`, and the
/// volume and mounts (one file each) that put them at their paths.
pub fn files(
    ctx: &Ctx,
    name: &str,
    files: &Files,
    labels: &Map,
    out: &mut dyn Sink,
) -> (Vec<Volume>, Vec<VolumeMount>) {
    if files.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let data: BTreeMap<String, String> =
        files.iter().map(|(path, f)| (file_key(path), file_content(ctx.v, f))).collect();
    let cm = hashed_name(&format!("{name}-files"), &data);
    let volume = Volume {
        name: "files".into(),
        config_map: Some(ConfigMapVolumeSource { name: cm.clone(), ..ConfigMapVolumeSource::default() }),
        ..Volume::default()
    };
    let mounts = files
        .keys()
        .map(|path| VolumeMount {
            name: "files".into(),
            mount_path: path.clone(),
            sub_path: Some(file_key(path)),
            read_only: Some(true),
            ..VolumeMount::default()
        })
        .collect();
    out.push(config_map(ctx, cm, labels.clone(), Some(data)));
    (vec![volume], mounts)
}

fn config_map(ctx: &Ctx, name: String, labels: Map, data: Option<BTreeMap<String, String>>) -> Object {
    Object::new(ConfigMap { metadata: ctx.meta(name, labels, &Map::new()), data, ..ConfigMap::default() })
}

/// ConfigMap key for a mounted file: its file name.
fn file_key(path: &str) -> String {
    path.rsplit('/').next().unwrap_or(path).to_string()
}
