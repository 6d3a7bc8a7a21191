//! `genk8s secrets ENV`: the Secrets (and keys) the cluster must hold before the
//! environment can run. genk8s references Secrets by name and key and never
//! writes their values, so this listing is what an operator provisions
//! (by hand, sealed-secrets, or an external secret store).

use crate::validate::Valid;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// What the environment needs of one Secret.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Need {
    /// Keys read individually.
    pub keys: BTreeSet<String>,
    /// Read whole (envFrom or a mounted directory): every key becomes visible.
    pub whole: bool,
    /// Workloads (or issuers) that read it.
    pub users: BTreeSet<String>,
    /// Namespace, when not the environment's own (cert-manager's for DNS tokens).
    pub namespace: Option<String>,
}

/// Secrets by name.
pub fn needs(v: &Valid) -> BTreeMap<String, Need> {
    let mut out: BTreeMap<String, Need> = BTreeMap::new();
    let mut add = |secret: &str, key: Option<&str>, user: &str| {
        let n = out.entry(secret.to_string()).or_default();
        match key {
            Some(k) => {
                n.keys.insert(k.to_string());
            }
            None => n.whole = true,
        }
        n.users.insert(user.to_string());
    };
    for (name, svc) in &v.spec.services {
        for (_, e) in crate::wiring::service_env(&v.spec, &v.engines, &v.env, name, svc) {
            if let (Some(s), Some(k)) = (&e.secret, &e.key) {
                add(s, Some(k), name);
            }
        }
        for src in svc.env_from.iter().chain(svc.mounts.values()) {
            let Some(s) = &src.secret else { continue };
            // A mount with `items` reads just those keys.
            if src.items.is_empty() {
                add(s, None, name);
            }
            for k in src.items.keys() {
                add(s, Some(k), name);
            }
        }
    }
    // An external database runs nowhere in the cluster: its credentials are the apps' business.
    for (name, _) in v.spec.databases.iter().filter(|(_, db)| db.external.is_none()) {
        for e in v.engines[name].env.values() {
            if let (Some(s), Some(k)) = (&e.secret, &e.key) {
                add(s, Some(k), name);
            }
        }
    }
    for (name, iss) in &v.spec.issuers {
        if let Some(cf) = &iss.cloudflare {
            let n = out.entry(cf.secret.clone()).or_default();
            n.keys.insert(cf.key.clone());
            n.users.insert(format!("ClusterIssuer/{name}"));
            n.namespace = Some("cert-manager".into());
        }
    }
    out
}

/// A table: secret, namespace, keys, users.
pub fn render(v: &Valid) -> String {
    let mut rows = vec![["SECRET".to_string(), "NAMESPACE".into(), "KEYS".into(), "USED BY".into()]];
    for (name, n) in needs(v) {
        let mut keys: Vec<String> = n.keys.into_iter().collect();
        if n.whole {
            keys.push("(all keys: read whole)".into());
        }
        rows.push([
            name,
            n.namespace.unwrap_or_else(|| v.namespace.clone()),
            keys.join(", "),
            n.users.into_iter().collect::<Vec<_>>().join(", "),
        ]);
    }
    let widths: Vec<usize> = (0..4).map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for r in rows {
        let line = format!(
            "{:w0$}  {:w1$}  {:w2$}  {}",
            r[0],
            r[1],
            r[2],
            r[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
        let _ = writeln!(out, "{}", line.trim_end());
    }
    out
}
