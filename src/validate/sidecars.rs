//! Checks of a service's native sidecars: names, images, environment, mounts, the app
//! paths they share, ports, probes and resources.

use super::Checker;
use super::names::*;
use crate::spec::{Platform, PortSpec, Service, Short, Sidecar};
use std::collections::BTreeMap;

/// The app container's mount paths a sidecar may share: `/tmp`, `writable` and volume paths.
fn shareable(svc: &Service) -> Vec<&str> {
    let mut paths = vec!["/tmp"];
    paths.extend(svc.writable.iter().map(String::as_str));
    paths.extend(svc.volumes.values().map(|v| v.path.as_str()));
    paths
}

impl Checker<'_> {
    pub(super) fn check_sidecars(&mut self, spec: &Platform, name: &str, svc: &Service) {
        for (sc_name, sc) in &svc.sidecars {
            let base = ["services", name, "sidecars", sc_name.as_str()];
            if !is_dns_label(sc_name)
                || sc_name.len() > 40
                || sc_name == name
                || sc_name.starts_with("wait-for-")
                || sc_name == "migrate"
            {
                self.err(
                    &base,
                    format!("sidecar name `{sc_name}` must be a DNS label of at most 40 characters, unlike the app's and genk8s's containers"),
                    "e.g. log-shipper or proxy (not the service's name, migrate or wait-for-*)",
                );
            }
            if !is_image_ref(&sc.image) || crate::spec::image_tag(&sc.image).is_none() && !sc.image.contains('@') {
                let at: Vec<&str> = base.iter().copied().chain(["image"]).collect();
                self.err(
                    &at,
                    format!("`{}` is not a pinned image reference", sc.image),
                    "write registry/name:tag, e.g. fluent/fluent-bit:3.2.2",
                );
            }
            if self.production && crate::spec::image_tag(&sc.image) == Some("latest") {
                let at: Vec<&str> = base.iter().copied().chain(["image"]).collect();
                let env = self.env;
                self.err(
                    &at,
                    format!("image `{}` uses the `latest` tag in environment `{env}`", sc.image),
                    "pin a version in production, e.g. fluent/fluent-bit:3.2.2",
                );
            }
            for (k, v) in &sc.env {
                self.check_env(&base, k, v, spec);
            }
            for (path, s) in &sc.mounts {
                let at: Vec<&str> = base.iter().copied().chain(["mounts", path.as_str()]).collect();
                if !path.starts_with('/') {
                    self.err(&at, format!("mount path `{path}` is not absolute"), "start it with /");
                } else if path.trim_end_matches('/') == "/tmp" || sc.shared.contains(path) {
                    self.err(
                        &at,
                        format!("`{path}` is mounted twice (mounts and /tmp or shared)"),
                        "a container mounts one volume per path: mount this elsewhere, e.g. /etc/<sidecar>",
                    );
                }
                self.check_source(&at, s, spec);
            }
            self.check_shared(name, svc, sc_name, sc);
            self.check_sidecar_ports(&base, svc, sc);
            if let Some(r) = &sc.resources {
                self.check_resources(&base.iter().copied().chain(["resources"]).collect::<Vec<_>>(), r);
            }
        }
    }

    /// Each `shared` path is one the app mounts writable (an emptyDir or a volume).
    fn check_shared(&mut self, name: &str, svc: &Service, sc_name: &str, sc: &Sidecar) {
        let shareable = shareable(svc);
        for (i, p) in sc.shared.iter().enumerate() {
            if !shareable.contains(&p.as_str()) {
                self.err(
                    &["services", name, "sidecars", sc_name, "shared", &i.to_string()],
                    format!("`{p}` is not a writable directory or volume of `{name}`"),
                    "list it under the service's writable: (an emptyDir both containers mount), or name a volumes: path",
                );
            }
        }
    }

    /// Port names and numbers, and probes against the sidecar's own ports.
    fn check_sidecar_ports(&mut self, base: &[&str], svc: &Service, sc: &Sidecar) {
        for (pname, p) in &sc.ports {
            let at: Vec<&str> = base.iter().copied().chain(["ports", pname.as_str()]).collect();
            if !is_port_name(pname) || *p == 0 {
                self.err(
                    &at,
                    format!("port `{pname}: {p}` is not a named port"),
                    "port names are at most 15 lowercase letters, digits and '-'; numbers 1-65535",
                );
            } else if svc.ports.contains_key(pname) {
                self.err(
                    &at,
                    format!("port name `{pname}` is the app's too"),
                    "each named port of a pod has its own name: rename the sidecar's, e.g. admin",
                );
            }
        }
        let ports: BTreeMap<String, Short<PortSpec>> = sc
            .ports
            .iter()
            .map(|(n, p)| (n.clone(), Short(PortSpec { container: *p, service: None, protocol: None })))
            .collect();
        for (kind, probe) in
            [("liveness", &sc.probes.liveness), ("readiness", &sc.probes.readiness), ("startup", &sc.probes.startup)]
        {
            if let Some(pr) = probe {
                let at: Vec<&str> = base.iter().copied().chain(["probes", kind]).collect();
                self.check_probe(&at, pr, &ports);
            }
        }
    }
}
