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

type Needs = BTreeMap<String, Need>;

/// `user` reads `key` of `secret` (the whole Secret when `None`).
fn add(out: &mut Needs, secret: &str, key: Option<&str>, user: &str) {
    let n = out.entry(secret.to_string()).or_default();
    match key {
        Some(k) => {
            n.keys.insert(k.to_string());
        }
        None => n.whole = true,
    }
    n.users.insert(user.to_string());
}

/// `user` reads the Secret of an env_from or a mount, whole or (with `items`) those keys.
fn add_source(out: &mut Needs, src: &crate::spec::Source, user: &str) {
    let Some(s) = &src.secret else { return };
    if src.items.is_empty() {
        add(out, s, None, user);
    }
    for k in src.items.keys() {
        add(out, s, Some(k), user);
    }
}

/// Secrets by name.
pub fn needs(v: &Valid) -> BTreeMap<String, Need> {
    let mut out: Needs = BTreeMap::new();
    for (name, svc) in &v.spec.services {
        for (_, e) in crate::wiring::service_env(&v.spec, &v.engines, &v.env, name, svc) {
            if let (Some(s), Some(k)) = (&e.secret, &e.key) {
                add(&mut out, s, Some(k), name);
            }
        }
        // Its migration's and its sidecars' own variables too.
        let own = svc.migrate.iter().flat_map(|m| m.env.values());
        for e in own.chain(svc.sidecars.values().flat_map(|s| s.env.values())) {
            if let (Some(s), Some(k)) = (&e.secret, &e.key) {
                add(&mut out, s, Some(k), name);
            }
        }
        let sources = svc.env_from.iter().chain(svc.mounts.values());
        for src in sources.chain(svc.sidecars.values().flat_map(|s| s.mounts.values())) {
            add_source(&mut out, src, name);
        }
    }
    // An external database runs nowhere in the cluster: its credentials are the apps' business.
    for (name, db) in v.spec.databases.iter().filter(|(_, db)| db.external.is_none()) {
        for e in v.engines[name].env.values() {
            if let (Some(s), Some(k)) = (&e.secret, &e.key) {
                add(&mut out, s, Some(k), name);
            }
        }
        for src in db.mounts.values() {
            add_source(&mut out, src, name);
        }
        if let Some(tls) = &db.tls {
            add(&mut out, &tls.secret, Some("tls.crt"), name);
            add(&mut out, &tls.secret, Some("tls.key"), name);
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
