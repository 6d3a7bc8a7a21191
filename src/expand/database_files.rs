//! A database's own files: `files` (a ConfigMap `<db>-files-<hash>`, so the StatefulSet
//! rolls when one changes), `mounts` of configs and Secrets, and the server certificate
//! of `tls` at [`TLS_DIR`](crate::spec::TLS_DIR), readable by the engine's group only (PostgreSQL refuses a key
//! that others can read).

use super::{Ctx, Sink, config_map, mounts};
use crate::spec::{Database, Map, TLS_DIR};
use k8s_openapi::api::core::v1::{SecretVolumeSource, Volume, VolumeMount};

/// Mode of the certificate files: owner root, group the pod's fsGroup (the engine's user).
const KEY_MODE: i32 = 0o640;

/// The volumes and the engine container's mounts of database `name`'s files.
pub fn volumes(
    ctx: &Ctx,
    name: &str,
    db: &Database,
    labels: &Map,
    out: &mut dyn Sink,
) -> (Vec<Volume>, Vec<VolumeMount>) {
    let (mut volumes, mut mounts) = config_map::files(ctx, name, &db.files, labels, out);
    let (mv, mm) = mounts::sources(ctx, "mount", &db.mounts);
    volumes.extend(mv);
    mounts.extend(mm);
    if let Some(tls) = &db.tls {
        volumes.push(Volume {
            name: "tls".into(),
            secret: Some(SecretVolumeSource {
                secret_name: Some(tls.secret.clone()),
                default_mode: Some(KEY_MODE),
                ..SecretVolumeSource::default()
            }),
            ..Volume::default()
        });
        mounts.push(mounts::read_only("tls".into(), TLS_DIR));
    }
    (volumes, mounts)
}
