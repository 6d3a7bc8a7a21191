//! A Compose service → a genk8s service: the image, then each part in its own
//! module, put together in the order genk8s specs are written.

use super::conv::Conv;
use super::databases::DbCredential;
use super::plan::{Context, Plan};
use super::ports::{ports_spec, published_route};
use super::values;
use crate::yaml::node::Entry;
use serde_json::{Map, Value, json};

/// Where build-only services point until a real image is pushed.
pub fn placeholder_image(name: &str) -> String {
    format!("replace-me/{name}:0.0.0-placeholder")
}

impl Conv<'_> {
    /// Converts a service; also returns whether its image is pinned to a version.
    pub(super) fn service(&mut self, p: &Plan, ctx: &Context, db_creds: &[DbCredential]) -> (Value, bool) {
        let (image, pinned) = self.service_image(p);
        let command = self.command(p, "entrypoint");
        let args = self.command(p, "command");
        // `uses` first: it rewrites renamed hosts in the environment, and a secret
        // equal to a database's password is read from that database's Secret only if used.
        let mut env = self.env(p);
        let mut uses = self.uses(p, ctx, &mut env);
        let one_shot = self.one_shot_uses(p, ctx, &mut uses);
        let env = self.service_env(p, env, &uses, db_creds, ctx.atoms);
        let mut files = Map::new();
        let (volumes, writable) = self.service_volumes(p, ctx, &mut files);

        // Everything else, field by field.
        let mut probes = None;
        let mut annotations = Map::new();
        let mut pod_annotations = Map::new();
        let mut mounts = Map::new();
        let mut node_selector = Map::new();
        let (mut run_as_user, mut run_as_group) = (None, None);
        for e in p.node.entries().unwrap_or_default() {
            let path = p.path(&e.key);
            match e.key.as_str() {
                "image" | "build" | "command" | "entrypoint" | "ports" | "expose" | "environment" | "env_file"
                | "volumes" | "tmpfs" | "depends_on" | "links" | "deploy" | "cpus" | "mem_limit"
                | "mem_reservation" | "scale" | "shm_size" => {}
                "healthcheck" => probes = self.probes(p, e),
                "labels" => self.annotations(&e.value, &path, &mut annotations),
                "annotations" => self.annotations(&e.value, &path, &mut pod_annotations),
                "user" => (run_as_user, run_as_group) = self.user(e, path),
                "platform" => self.platform_selector(e, path, &mut node_selector),
                "secrets" => self.compose_secrets(p, e, &mut mounts),
                "configs" => self.compose_configs(p, e, ctx, &mut files),
                _ => self.common(p, e),
            }
        }
        if probes.is_none() {
            probes = self.default_probes(p);
        }
        let dep = self.deploy(p);
        if let Some(labels) = dep.labels {
            self.annotations(&labels.value, &p.path("deploy.labels"), &mut annotations);
        }

        let object = |m: Map<String, Value>| (!m.is_empty()).then_some(Value::Object(m));
        let mut out = Map::new();
        for (key, value) in [
            ("image", Some(json!(image))),
            ("command", command.map(|c| json!(c))),
            ("args", args.map(|a| json!(a))),
            ("ports", object(ports_spec(&p.ports))),
            ("route", published_route(&p.name, &p.ports)),
            ("env", object(env)),
            ("files", object(files)),
            ("mounts", object(mounts)),
            ("volumes", object(volumes)),
            ("writable", (!writable.is_empty()).then(|| json!(writable))),
            ("probes", probes),
            ("resources", dep.resources()),
            ("replicas", dep.replicas.map(|r| json!(r))),
            ("gpu", dep.gpu.map(|g| json!(g))),
            ("uses", (!uses.is_empty()).then(|| json!(uses))),
            ("migrate", one_shot.map(|s| self.migrate_step(p, s, &image))),
            ("node_selector", object(node_selector)),
            ("run_as_user", run_as_user.map(|u| json!(u))),
            ("run_as_group", run_as_group.map(|g| json!(g))),
            ("annotations", object(annotations)),
            ("pod_annotations", object(pod_annotations)),
        ] {
            if let Some(v) = value {
                out.insert(key.into(), v);
            }
        }
        if p.node.get("image").is_some() {
            self.apply_profile(p, &mut out);
        }
        self.hide_atoms(p, ctx.atoms, &mut out);
        (Value::Object(out), pinned)
    }

    /// `platform: os/arch` → node selector labels.
    fn platform_selector(&mut self, e: &Entry, path: String, node_selector: &mut Map<String, Value>) {
        let parts: Vec<&str> = e.value.as_str().unwrap_or_default().split('/').collect();
        match parts.as_slice() {
            [os, arch, ..] if !os.is_empty() && !arch.is_empty() => {
                node_selector.insert("kubernetes.io/os".into(), json!(os));
                node_selector.insert("kubernetes.io/arch".into(), json!(arch));
            }
            _ => self.warn(e.value.span, path, "expected os/arch (e.g. linux/amd64); ignored"),
        }
    }

    /// The one-shot service run as this one's migrate: step, if any; what it reaches is
    /// added to `uses` (the step runs in this service's pods).
    fn one_shot_uses<'c>(
        &mut self,
        p: &Plan,
        ctx: &'c Context,
        uses: &mut std::collections::BTreeSet<String>,
    ) -> Option<&'c Plan<'c>> {
        let s = ctx.folded.get(&p.cname).and_then(|s| ctx.plan(s))?;
        let n = self.findings.len();
        let mut s_env = self.env(s);
        let s_uses = self.uses(s, ctx, &mut s_env);
        self.findings.truncate(n);
        uses.extend(s_uses.into_iter().filter(|u| *u != p.name));
        Some(s)
    }

    /// The image to run (a placeholder for build-only services), `:latest` added
    /// where Compose would pull it; and whether it is pinned to a version.
    fn service_image(&mut self, p: &Plan) -> (String, bool) {
        let image = match &p.image {
            Some(i) => {
                if p.node.get("build").is_some() {
                    self.note(
                        p.key_span("build"),
                        p.path("build"),
                        format!(
                            "not kept: the cluster pulls `{i}`; build and push it to a registry the cluster can reach"
                        ),
                    );
                }
                i.clone()
            }
            None => {
                let ph = placeholder_image(&p.name);
                if p.node.get("build").is_some() {
                    self.warn(p.key_span("build"), p.path("build"), format!("build-only service: the image is a placeholder, `{ph}`; build and push the image, then set image:"));
                } else {
                    self.warn(
                        p.span,
                        p.path(""),
                        format!("has neither image nor build: the image is a placeholder, `{ph}`"),
                    );
                }
                ph
            }
        };
        let r = values::parse_image(&image);
        let (image, pinned) = match r.tag.as_deref() {
            None if r.digest => (image, true),
            None => {
                let image = image.trim_end_matches(':');
                self.warn(p.key_span("image"), p.path("image"), format!("`{image}` has no tag (Compose pulls latest): written as `{image}:latest`; pin a version, production environments refuse latest"));
                (format!("{image}:latest"), false)
            }
            Some("latest") => {
                self.warn(
                    p.key_span("image"),
                    p.path("image"),
                    "uses the latest tag: pin a version; production environments refuse latest",
                );
                (image, false)
            }
            Some(_) => (image, true),
        };
        if let Some(what) = values::stateful_without_engine(&r.repo) {
            self.warn(p.key_span("image"), p.path("image"), format!("{what} has no genk8s catalog engine: kept as a service (a Deployment, not a StatefulSet); add templates/engines/<engine>.yaml.j2 to run it as a database"));
        }
        (image, pinned)
    }

    /// `user: UID[:GID]` → run_as_user and run_as_group; genk8s pods run as a non-root numeric id.
    fn user(&mut self, e: &Entry, path: String) -> (Option<i64>, Option<i64>) {
        let u = e.value.as_str().unwrap_or_default();
        let (uid, gid) = u.split_once(':').map_or((u, None), |(a, b)| (a, Some(b)));
        match uid.parse::<i64>() {
            Ok(0) => self.warn(
                e.key_span,
                path,
                "runs as root in Compose: genk8s pods run as a non-root user (10001 unless run_as_user: is set)",
            ),
            Ok(n) if n > 0 => {
                let group = match gid.map(str::parse::<i64>) {
                    Some(Ok(g)) if g > 0 => Some(g),
                    Some(_) => {
                        self.warn(e.value.span, path, "the group is not a non-zero number: not kept");
                        None
                    }
                    None => None,
                };
                return (Some(n), group);
            }
            Ok(_) => self.warn(e.value.span, path, "not a valid user id: not kept"),
            Err(_) => self.warn(
                e.key_span,
                path,
                format!("`{u}` is a user name: Kubernetes needs a numeric id (set run_as_user:); genk8s runs as 10001"),
            ),
        }
        (None, None)
    }
}
