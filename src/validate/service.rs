//! Checks of one service: identity, image, security, ports, env, files and volumes.

use super::Checker;
use super::names::*;
use crate::diag::suggest;
use crate::quantity;
use crate::spec::{EnvValue, Platform, Service, Short, Source};

impl Checker<'_> {
    /// Every check of one service, in turn.
    pub(super) fn check_service(&mut self, spec: &Platform, name: &str, svc: &Service) {
        self.check_service_name(name);
        self.check_image(name, svc);
        self.check_component(name, svc);
        self.check_user_ids(name, svc);
        self.check_ports(name, svc);
        self.check_env_and_mounts(spec, name, svc);
        self.check_file_paths(&["services", name], &svc.files);
        self.check_volumes(name, svc);
        self.check_mount_paths(name, svc);
        self.check_probes(name, svc);
        self.check_scaling(name, svc);
        self.check_exposure(spec, name, svc);
    }

    /// The name is a DNS-1035 label of at most 52 characters (its objects derive their names from it).
    fn check_service_name(&mut self, name: &str) {
        if !is_dns1035_label(name) || name.len() > 52 {
            self.svc_err(
                name,
                &[],
                format!("service name `{name}` must be a DNS label starting with a letter, at most 52 characters"),
                "use lowercase letters, digits and '-'",
            );
        }
    }

    /// `image` and `tag`: a reference with a valid, pinned tag (never `latest` in production).
    fn check_image(&mut self, name: &str, svc: &Service) {
        if !is_image_ref(&svc.image) {
            self.svc_err(
                name,
                &["image"],
                format!("`{}` is not an image reference", svc.image),
                "write registry/name:tag, e.g. ghcr.io/acme/api:1.4.2",
            );
        }
        if let Some(t) = &svc.tag
            && !is_image_tag(t)
        {
            self.svc_err(
                name,
                &["tag"],
                format!("`{t}` is not a valid image tag"),
                "tags hold letters, digits, '_', '.' and '-', at most 128",
            );
        }
        let image = svc.image_ref();
        let at: &[&str] = if svc.tag.is_some() { &["tag"] } else { &["image"] };
        match crate::spec::image_tag(&image) {
            None if !image.contains('@') => self.svc_err(
                name,
                at,
                format!("image `{image}` has no tag"),
                "pin a version (name:1.4.2) or a digest (name@sha256:...) so every rollout runs the same code",
            ),
            Some("latest") if self.production => self.svc_err(
                name,
                at,
                format!("image `{image}` uses the `latest` tag in environment `{}`", self.env),
                "pin a version in production, e.g. set tag: 1.4.2 in this environment's file",
            ),
            _ => {}
        }
    }

    /// `component` is a label value.
    fn check_component(&mut self, name: &str, svc: &Service) {
        if let Some(c) = &svc.component
            && (c.is_empty() || !is_label_value(c))
        {
            self.svc_err(
                name,
                &["component"],
                format!("component `{c}` is not a valid label value"),
                "up to 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric, e.g. backend",
            );
        }
    }

    /// `run_as_user`, `run_as_group` and `fs_group`: non-root, within 0..2147483647.
    fn check_user_ids(&mut self, name: &str, svc: &Service) {
        if svc.run_as_user == Some(0) {
            self.svc_err(
                name,
                &["run_as_user"],
                "run_as_user 0 is root; the restricted profile needs a non-zero user".into(),
                "write the image's non-root user id, e.g. run_as_user: 10001 (the default when left out)",
            );
        }
        for (k, v) in [("run_as_user", svc.run_as_user), ("run_as_group", svc.run_as_group), ("fs_group", svc.fs_group)]
        {
            if let Some(v) = v
                && !(0..=i64::from(i32::MAX)).contains(&v)
            {
                let what = if v < 0 { "cannot be negative" } else { "is above 2147483647" };
                self.svc_err(
                    name,
                    &[k],
                    format!("{k} {what}"),
                    "write a numeric id between 0 and 2147483647, e.g. 10001",
                );
            }
        }
    }

    /// `ports`: names, non-zero numbers, and each Service port number once per protocol.
    fn check_ports(&mut self, name: &str, svc: &Service) {
        let mut service_ports: Vec<(u16, crate::spec::Protocol, &str)> = Vec::new();
        for (pname, port) in &svc.ports {
            let number = port.service.unwrap_or(port.container);
            let proto = port.protocol.unwrap_or(crate::spec::Protocol::TCP);
            if let Some((_, _, first)) = service_ports.iter().find(|(n, p, _)| (*n, *p) == (number, proto)) {
                self.svc_err(name,
                    &["ports", pname],
                    format!("ports `{first}` and `{pname}` both use {number}/{proto:?}"),
                    "a Service port number is used once per protocol: give one a different service: number, or remove it",
                );
            } else if number != 0 {
                service_ports.push((number, proto, pname));
            }
            if !is_port_name(pname) {
                self.svc_err(name,
                    &["ports", pname],
                    format!("port name `{pname}` is not valid"),
                    "port names are at most 15 lowercase letters, digits and '-', with at least one letter (e.g. http, grpc, metrics)",
                );
            }
            if port.container == 0 || port.service == Some(0) {
                self.svc_err(
                    name,
                    &["ports", pname],
                    "port 0 is not a valid port".into(),
                    "write a port between 1 and 65535",
                );
            }
        }
    }

    /// `env`, `env_from` and `mounts`: what each reads, and absolute mount paths.
    fn check_env_and_mounts(&mut self, spec: &Platform, name: &str, svc: &Service) {
        for (k, v) in &svc.env {
            self.check_env(&["services", name], k, v, spec);
        }
        for (i, s) in svc.env_from.iter().enumerate() {
            let idx = i.to_string();
            self.check_source(&["services", name, "env_from", &idx], s, spec);
            if !s.items.is_empty() {
                self.err(
                    &["services", name, "env_from", &idx, "items"],
                    "items select keys of a mount, not of env_from",
                    "read single keys with env: {NAME: {secret: …, key: …}}",
                );
            }
        }
        for (path, s) in &svc.mounts {
            if !path.starts_with('/') {
                self.svc_err(
                    name,
                    &["mounts", path],
                    format!("mount path `{path}` is not absolute"),
                    "start it with /",
                );
            }
            self.check_source(&["services", name, "mounts", path], s, spec);
            self.check_items(&["services", name, "mounts", path], s);
        }
    }

    /// `files`: absolute paths ending in a file name.
    pub(super) fn check_file_paths<T>(&mut self, at: &[&str], files: &std::collections::BTreeMap<String, T>) {
        for path in files.keys() {
            let file_name = path.rsplit('/').next().unwrap_or_default();
            if !path.starts_with('/') || !is_config_key(file_name) {
                self.err(
                    &[at, &["files", path.as_str()]].concat(),
                    format!(
                        "file path `{path}` must be absolute and end in a file name of letters, digits, '-', '_' or '.'"
                    ),
                    "e.g. /etc/app/config.yaml",
                );
            }
        }
    }

    /// `volumes`: names, absolute paths, sizes, storage classes and access modes.
    fn check_volumes(&mut self, name: &str, svc: &Service) {
        for (vname, vol) in &svc.volumes {
            if !is_dns_label(vname) {
                self.svc_err(
                    name,
                    &["volumes", vname],
                    format!("volume name `{vname}` is not a DNS label"),
                    "use lowercase letters, digits and '-'",
                );
            }
            if !vol.path.starts_with('/') {
                self.svc_err(
                    name,
                    &["volumes", vname, "path"],
                    format!("volume path `{}` is not absolute", vol.path),
                    "start it with /",
                );
            }
            if quantity::parse(&vol.size).is_none() {
                self.svc_err(
                    name,
                    &["volumes", vname, "size"],
                    format!("`{}` is not a storage quantity", vol.size),
                    &quantity::hint(&vol.size),
                );
            }
            if let Some(class) = &vol.class {
                self.check_storage_class(&["services", name, "volumes", vname, "class"], class);
            }
            if let Some(a) = &vol.access
                && !["ReadWriteOnce", "ReadWriteMany", "ReadOnlyMany", "ReadWriteOncePod"].contains(&a.as_str())
            {
                self.svc_err(
                    name,
                    &["volumes", vname, "access"],
                    format!("unknown access mode `{a}`"),
                    "write ReadWriteOnce, ReadWriteMany, ReadOnlyMany or ReadWriteOncePod",
                );
            }
        }
    }

    /// No path is mounted twice (`/tmp` is always mounted); `writable` paths are absolute.
    fn check_mount_paths(&mut self, name: &str, svc: &Service) {
        // Every mountPath of the container, in the order expand mounts them; the API
        // rejects a pod whose container mounts two volumes at one path.
        let mut mounted: Vec<(&str, String)> = vec![("/tmp", "the built-in writable /tmp".to_string())];
        let writable: Vec<(Vec<String>, &str, String)> = svc
            .writable
            .iter()
            .enumerate()
            .map(|(i, w)| (vec!["writable".into(), i.to_string()], w.as_str(), "writable".into()))
            .collect();
        let sources = writable
            .into_iter()
            .chain(svc.volumes.iter().map(|(v, vol)| {
                (vec!["volumes".into(), v.clone(), "path".into()], vol.path.as_str(), format!("volumes.{v}"))
            }))
            .chain(svc.mounts.keys().map(|p| (vec!["mounts".into(), p.clone()], p.as_str(), "mounts".into())))
            .chain(svc.files.keys().map(|p| (vec!["files".into(), p.clone()], p.as_str(), "files".into())));
        for (rest, path, origin) in sources {
            let clean = path.trim_end_matches('/');
            let clean = if clean.is_empty() { path } else { clean };
            match mounted.iter().find(|(p, _)| *p == clean) {
                // Writable paths are de-duplicated (with /tmp too) when expanded.
                Some((_, first)) if origin == "writable" && (first == "writable" || clean == "/tmp") => {}
                Some((_, _)) if clean == "/tmp" => {
                    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
                    self.svc_err(
                        name,
                        &rest,
                        "`/tmp` is already mounted (writable emptyDir)".into(),
                        "every service already has a writable /tmp; mount this elsewhere, e.g. /etc/app, or remove it",
                    );
                }
                Some((_, first)) => {
                    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
                    self.svc_err(
                        name,
                        &rest,
                        format!("`{clean}` is mounted twice ({first} and {origin})"),
                        "a container mounts one volume per path: change one of the paths",
                    );
                }
                None => mounted.push((clean, origin)),
            }
        }
        for w in &svc.writable {
            if !w.starts_with('/') {
                self.svc_err(name, &["writable"], format!("writable path `{w}` is not absolute"), "start it with /");
            }
        }
    }

    /// `probes`: liveness, readiness and startup.
    fn check_probes(&mut self, name: &str, svc: &Service) {
        for (kind, probe) in
            [("liveness", &svc.probes.liveness), ("readiness", &svc.probes.readiness), ("startup", &svc.probes.startup)]
        {
            if let Some(pr) = probe {
                self.check_probe(&["services", name, "probes", kind], pr, &svc.ports);
            }
        }
    }

    /// One env variable: a valid name, no secret written in the spec, and its source.
    pub(super) fn check_env(&mut self, base: &[&str], k: &str, v: &Short<Box<EnvValue>>, spec: &Platform) {
        let mut path = base.to_vec();
        path.extend(["env", k]);
        if k.is_empty() || k.contains('=') || k.chars().any(|c| c.is_control() || c.is_whitespace()) {
            self.err(
                &path,
                format!("`{k}` is not a valid environment variable name"),
                "use letters, digits and '_', e.g. LOG_LEVEL",
            );
        }
        if v.db.is_some() || v.endpoint.is_some() {
            self.check_env_ref(path, k, v, spec);
            return;
        }
        if let Some(value) = &v.value
            && looks_secret(k)
            && !value.is_empty()
            // A path or a $(VAR) reference names where the secret is, not the secret.
            && !value.starts_with('/')
            && !value.starts_with("$(")
        {
            self.err(
                &path,
                format!("`{k}` looks like a secret but its value is written in the spec"),
                format!("reference a Secret instead: {k}: {{secret: <name>, key: <key>}} (for local development, put the value under dev_secrets: in environments/dev.yaml)"),
            );
        }
        self.check_env_source(path, k, v, spec);
    }

    /// Where an env value comes from: exactly one of value, secret, config or field, each naming
    /// something that exists (a key, a valid Secret name, a downward API field, a config and its key).
    fn check_env_source(&mut self, mut path: Vec<&str>, k: &str, v: &Short<Box<EnvValue>>, spec: &Platform) {
        let sources = [v.value.is_some(), v.secret.is_some(), v.config.is_some(), v.field.is_some()];
        if sources.iter().filter(|b| **b).count() != 1 {
            self.err(
                &path,
                format!("env `{k}` needs exactly one of value, secret, config or field"),
                "e.g. {secret: api-secrets, key: token}",
            );
        } else if (v.secret.is_some() || v.config.is_some()) && v.key.is_none() {
            self.err(
                &path,
                format!("env `{k}` reads a Secret or ConfigMap but names no key"),
                "add key: <key in that Secret/ConfigMap>",
            );
        } else if let Some(sec) = &v.secret
            && !is_dns_subdomain(sec)
        {
            path.push("secret");
            self.err(
                &path,
                format!("secret name `{sec}` is not valid"),
                "use lowercase letters, digits, '-' and '.', e.g. api-secrets",
            );
        } else if let Some(f) = &v.field
            && !is_field_path(f)
        {
            path.push("field");
            let help = match suggest(f, FIELD_PATHS.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!(
                    "known: {}, metadata.labels['<key>'], metadata.annotations['<key>']",
                    FIELD_PATHS.join(", ")
                ),
            };
            self.err(&path, format!("`{f}` is not a downward API field"), help);
        } else if let Some(c) = &v.config
            && !spec.configs.contains_key(c)
        {
            self.err(&path, format!("config `{c}` is not defined"), known("configs", spec.configs.keys()));
        } else if let (Some(c), Some(key)) = (&v.config, &v.key)
            && let Some(cfg) = spec.configs.get(c)
            && !cfg.data.contains_key(key)
            && !cfg.files.contains_key(key)
        {
            self.err(
                &path,
                format!("config `{c}` has no key `{key}`"),
                known("keys", cfg.data.keys().chain(cfg.files.keys())),
            );
        }
    }

    pub(super) fn check_source(&mut self, path: &[&str], s: &Source, spec: &Platform) {
        match (&s.config, &s.secret) {
            (Some(c), None) => {
                if !spec.configs.contains_key(c) {
                    let help = match suggest(c, spec.configs.keys().map(String::as_str)) {
                        Some(x) => format!("did you mean `{x}`?"),
                        None => known("configs", spec.configs.keys()),
                    };
                    self.err(path, format!("config `{c}` is not defined"), help);
                }
            }
            (None, Some(sec)) => {
                if !is_dns_subdomain(sec) {
                    self.err(
                        path,
                        format!("secret name `{sec}` is not valid"),
                        "use lowercase letters, digits, '-' and '.'",
                    );
                }
            }
            _ => self.err(path, "write exactly one of config: or secret:", "e.g. {secret: api-secrets}"),
        }
    }
}
