//! Image profiles ([`crate::images`]) as defaults of every spec, hand-written or imported:
//! a service on a well-known image gets that image's user, the directories it writes, its
//! ports, a probe and the environment it needs under a read-only root, wherever the merged
//! spec (base and overlay) leaves them unset. Resolved before the checks (validate), so
//! checks, expand and `explain` see the same values; writing a field (even `writable: []`
//! or `probes: {}`) replaces the profile's.

use crate::images::{Check, ImageProfile};
use crate::spec::{EnvValue, Platform, PortSpec, Probe, Probes, Service, Short};
use crate::yaml::Node;
use std::collections::BTreeMap;

/// What a profile gives one service, each part only where the spec leaves it unset.
#[derive(Debug)]
pub struct Given {
    pub profile: &'static ImageProfile,
    /// `run_as_user`, and the group for `run_as_group` and `fs_group` (unless set).
    pub user: Option<(i64, Option<i64>)>,
    pub writable: Vec<&'static str>,
    pub ports: Vec<(&'static str, u16)>,
    /// The profile's check, on this port (by name).
    pub probe: Option<(Check, String)>,
    pub env: Vec<(&'static str, &'static str)>,
}

impl Given {
    /// `(image profile `nginx`)`: where these defaults come from.
    pub fn origin(&self) -> String {
        format!("(image profile `{}`)", self.profile.repos[0])
    }
}

/// The defaults the profile of a service's image gives it (`svc`: its merged spec node),
/// if the image has a profile.
pub fn given(svc: &Node) -> Option<Given> {
    let prof = crate::images::profile(svc.get("image")?.as_str()?)?;
    let set = |k: &str| svc.get(k).is_some();
    let user = (!set("run_as_user") && prof.uid > 0).then(|| (prof.uid, prof.gid.filter(|g| *g > 0)));
    let writable = if set("writable") {
        Vec::new()
    } else {
        let taken = taken_paths(svc);
        prof.writable.iter().copied().filter(|w| !taken.iter().any(|t| t.trim_end_matches('/') == *w)).collect()
    };
    let (ports, named): (Vec<(&'static str, u16)>, BTreeMap<String, u16>) = match svc.get("ports") {
        Some(p) => (Vec::new(), port_numbers(p)),
        None => (prof.ports.to_vec(), prof.ports.iter().map(|(n, p)| (n.to_string(), *p)).collect()),
    };
    // On the port with the profile's main number, else the first (as genk8s orders ports: by name).
    let main = prof.ports[0].1;
    let probe_port = named.iter().find(|(_, n)| **n == main).or_else(|| named.iter().next()).map(|(n, _)| n.clone());
    let probe = prof.check.filter(|_| !set("probes")).zip(probe_port);
    let env = prof.env.iter().copied().filter(|(k, _)| svc.get("env").and_then(|e| e.get(k)).is_none()).collect();
    Some(Given { profile: prof, user, writable, ports, probe, env })
}

/// Mount paths a service's `files`, `mounts` and `volumes` already take.
fn taken_paths(svc: &Node) -> Vec<String> {
    let mut taken = vec!["/tmp".to_string()];
    for key in ["files", "mounts"] {
        taken.extend(svc.get(key).and_then(Node::entries).unwrap_or_default().iter().map(|e| e.key.clone()));
    }
    let volumes = svc.get("volumes").and_then(Node::entries).unwrap_or_default();
    taken.extend(volumes.iter().filter_map(|v| v.value.get("path")?.as_str().map(str::to_string)));
    taken
}

/// A `ports:` map's container port numbers by name (short `http: 80` or `{container: 80}`).
fn port_numbers(ports: &Node) -> BTreeMap<String, u16> {
    let number = |n: &Node| n.as_str().or_else(|| n.get("container")?.as_str())?.parse::<u16>().ok();
    ports.entries().unwrap_or_default().iter().filter_map(|e| Some((e.key.clone(), number(&e.value)?))).collect()
}

/// The probes of a profile's check on port `port`: liveness after 20 s every 10 s, readiness every 5 s.
pub fn probes(check: Check, port: &str) -> Probes {
    let probe = |initial_delay, period| {
        let mut p = Probe { initial_delay, period: Some(period), ..Probe::default() };
        match check {
            Check::Http(path) => {
                p.http = Some(path.to_string());
                p.port = Some(port.to_string());
            }
            Check::Tcp => p.tcp = Some(port.to_string()),
        }
        p
    };
    Probes { liveness: Some(probe(Some(20), 10)), readiness: Some(probe(None, 5)), startup: None }
}

/// Fills each service's unset fields from its image's profile (`merged`: the merged spec).
pub fn apply(spec: &mut Platform, merged: &Node) {
    // Each service's node by walking the map once (a lookup by name per service would scan
    // the services map, quadratic in their number).
    for e in merged.get("services").and_then(Node::entries).unwrap_or_default() {
        if let (Some(svc), Some(g)) = (spec.services.get_mut(&e.key), given(&e.value)) {
            fill(svc, &g);
        }
    }
}

fn fill(svc: &mut Service, g: &Given) {
    if let Some((uid, gid)) = g.user {
        svc.run_as_user = Some(uid);
        if let Some(gid) = gid {
            svc.run_as_group.get_or_insert(gid);
            svc.fs_group.get_or_insert(gid);
        }
    }
    svc.writable.extend(g.writable.iter().map(|w| w.to_string()));
    for (n, p) in &g.ports {
        svc.ports.insert(n.to_string(), Short(PortSpec { container: *p, service: None, protocol: None }));
    }
    if let Some((check, port)) = &g.probe {
        svc.probes = probes(*check, port);
    }
    for (k, v) in &g.env {
        svc.env.insert(k.to_string(), Short(Box::new(EnvValue { value: Some(v.to_string()), ..EnvValue::default() })));
    }
}

/// What `explain` says for each path a profile fills: the value and the profile, by dotted path.
pub fn explained(merged: &Node) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in merged.get("services").and_then(Node::entries).unwrap_or_default() {
        let Some(g) = given(&e.value) else { continue };
        let from = g.origin();
        let mut put = |field: &str, value: String| {
            out.insert(format!("services.{}.{field}", e.key), format!("{value} {from}"));
        };
        if let Some((uid, gid)) = g.user {
            put("run_as_user", uid.to_string());
            for f in ["run_as_group", "fs_group"] {
                put(f, gid.unwrap_or(uid).to_string());
            }
        }
        if !g.writable.is_empty() {
            put("writable", format!("[{}]", g.writable.join(", ")));
        }
        if !g.ports.is_empty() {
            let list: Vec<String> = g.ports.iter().map(|(n, p)| format!("{n}: {p}")).collect();
            put("ports", format!("{{{}}}", list.join(", ")));
            g.ports.iter().for_each(|(n, p)| put(&format!("ports.{n}"), p.to_string()));
        }
        if let Some((check, port)) = &g.probe {
            let what = match check {
                Check::Http(path) => format!("http {path} on port {port}"),
                Check::Tcp => format!("tcp on port {port}"),
            };
            put("probes", format!("liveness and readiness: {what}"));
            put("probes.liveness", format!("{what}, initial_delay 20, period 10"));
            put("probes.readiness", format!("{what}, period 5"));
        }
        g.env.iter().for_each(|(k, v)| put(&format!("env.{k}"), v.to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn svc(text: &str) -> Node {
        crate::yaml::parse(text, 0).unwrap()
    }

    #[test]
    fn a_profile_fills_what_the_spec_leaves_unset() {
        let g = given(&svc("image: kong:3.7\n")).unwrap();
        assert_eq!(g.user, Some((1000, Some(1000))));
        assert_eq!(g.writable, ["/kong_prefix"]);
        assert_eq!(g.ports.first(), Some(&("proxy", 8000)));
        assert_eq!(g.probe, Some((Check::Tcp, "proxy".to_string())));
        assert_eq!(g.env, [("KONG_PREFIX", "/kong_prefix")]);
    }

    #[test]
    fn what_the_spec_writes_wins() {
        let g = given(&svc(
            "image: grafana/grafana:11.1.0\nrun_as_user: 1234\nports: {web: 3000, admin: {container: 9000}}\nwritable: []\n",
        ))
        .unwrap();
        assert_eq!((g.user, g.writable.len(), g.ports.len()), (None, 0, 0));
        // The probe goes to the spec's port with the image's number.
        assert_eq!(g.probe, Some((Check::Http("/api/health"), "web".to_string())));
        let g = given(&svc("image: grafana/grafana:11.1.0\nprobes: {}\nvolumes: {data: {path: /var/lib/grafana/}}\n"))
            .unwrap();
        assert_eq!((g.probe, g.writable.len()), (None, 0), "probes: {{}} and a volume there replace the profile's");
        assert!(given(&svc("image: ghcr.io/acme/app:1\n")).is_none());
    }

    #[test]
    fn explain_names_the_profile() {
        let merged = svc("services:\n  gw: {image: kong:3.7, ports: {http: 8000}}\n");
        let e = explained(&merged);
        assert_eq!(e["services.gw.run_as_user"], "1000 (image profile `kong`)");
        assert_eq!(e["services.gw.probes.readiness"], "tcp on port http, period 5 (image profile `kong`)");
        assert!(!e.contains_key("services.gw.ports"), "set in the spec");
    }
}
