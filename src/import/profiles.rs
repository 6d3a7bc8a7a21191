//! Image profiles applied to imported services: a service on a well-known image
//! ([`crate::images`]) gets that image's user, the directories it writes and a probe,
//! written out as explicit spec settings (what Compose set wins). A service on an
//! unknown image gets a warning that says what genk8s assumed and how to change it.

use super::conv::Conv;
use super::plan::Plan;
use crate::images::{Check, ImageProfile};
use serde_json::{Map, Value, json};

/// genk8s' default user for images without a profile.
const DEFAULT_UID: i64 = 10001;

impl Conv<'_> {
    /// Applies the image's profile to a converted service (`out`), or warns when there is none.
    pub(super) fn apply_profile(&mut self, p: &Plan, out: &mut Map<String, Value>) {
        let Some(image) = p.image.as_deref() else { return };
        let Some(prof) = crate::images::profile(image) else {
            let user = if out.contains_key("run_as_user") {
                String::new()
            } else {
                format!("runs as uid {DEFAULT_UID} (set run_as_user: to the image's user), ")
            };
            self.warn(p.key_span("image"), p.path("image"), format!("`{image}` is not an image genk8s knows: it {user}with a read-only root filesystem where only /tmp is writable; if it writes elsewhere at start, list those directories under writable: (or mount a volume there)"));
            return;
        };
        let mut said: Vec<String> = Vec::new();
        if prof.uid > 0 && !out.contains_key("run_as_user") {
            out.insert("run_as_user".into(), json!(prof.uid));
            said.push(format!("uid {}", prof.uid));
            if let Some(g) = prof.gid.filter(|g| *g > 0) {
                out.insert("run_as_group".into(), json!(g));
                out.insert("fs_group".into(), json!(g));
                said.push(format!("group {g}"));
            }
        }
        for (k, v) in prof.env {
            let env = out.entry("env").or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(env) = env
                && !env.contains_key(*k)
            {
                env.insert((*k).to_string(), json!(v));
                said.push(format!("{k}={v}"));
            }
        }
        let added = add_writable(prof, out);
        if !added.is_empty() {
            said.push(format!("writable {}", added.join(", ")));
        }
        if !out.contains_key("probes")
            && let Some(probes) = probes_for(prof, out.get("ports"))
        {
            out.insert("probes".into(), probes);
            said.push("probes".into());
        }
        if said.is_empty() && prof.note.is_empty() {
            return;
        }
        let mut msg = format!(
            "image profile `{}`: {}",
            prof.repos[0],
            if said.is_empty() { "nothing to add".to_string() } else { said.join("; ") }
        );
        if !prof.note.is_empty() {
            msg.push_str(&format!(" ({})", prof.note));
        }
        self.note(p.key_span("image"), p.path("image"), msg);
        reorder(out);
    }
}

/// Adds the profile's writable directories that nothing else mounts; returns those added.
fn add_writable(prof: &ImageProfile, out: &mut Map<String, Value>) -> Vec<String> {
    let mut taken: Vec<String> = vec!["/tmp".into()];
    for key in ["files", "mounts"] {
        if let Some(Value::Object(m)) = out.get(key) {
            taken.extend(m.keys().cloned());
        }
    }
    if let Some(Value::Object(vols)) = out.get("volumes") {
        taken.extend(vols.values().filter_map(|v| v.get("path").and_then(Value::as_str)).map(str::to_string));
    }
    let mut writable: Vec<Value> = match out.get("writable") {
        Some(Value::Array(w)) => w.clone(),
        _ => Vec::new(),
    };
    let mut added = Vec::new();
    for w in prof.writable {
        let clash =
            taken.iter().any(|t| t.trim_end_matches('/') == *w) || writable.iter().any(|x| x.as_str() == Some(w));
        if !clash {
            writable.push(json!(w));
            added.push(w.to_string());
        }
    }
    if !writable.is_empty() {
        out.insert("writable".into(), Value::Array(writable));
    }
    added
}

/// Liveness and readiness probes from the profile, on the service's port of that number
/// (else its first port).
fn probes_for(prof: &ImageProfile, ports: Option<&Value>) -> Option<Value> {
    let ports = ports?.as_object()?;
    let main = prof.ports[0].1;
    let name = ports
        .iter()
        .find(|(_, v)| {
            v.as_u64() == Some(u64::from(main)) || v.get("container").and_then(Value::as_u64) == Some(u64::from(main))
        })
        .or_else(|| ports.iter().find(|(_, v)| v.is_number()))
        .map(|(k, _)| k.clone())?;
    let (live, ready) = match prof.check? {
        Check::Http(path) => (json!({"http": path, "port": name}), json!({"http": path, "port": name})),
        Check::Tcp => (json!({"tcp": name}), json!({"tcp": name})),
    };
    let mut live = live;
    live["initial_delay"] = json!(20);
    live["period"] = json!(10);
    let mut ready = ready;
    ready["period"] = json!(5);
    Some(json!({"liveness": live, "readiness": ready}))
}

/// The order genk8s specs are written in.
pub(super) const ORDER: &[&str] = &[
    "image",
    "command",
    "args",
    "ports",
    "env",
    "files",
    "mounts",
    "volumes",
    "writable",
    "probes",
    "resources",
    "replicas",
    "gpu",
    "uses",
    "migrate",
    "node_selector",
    "run_as_user",
    "run_as_group",
    "fs_group",
    "annotations",
    "pod_annotations",
];

fn reorder(out: &mut Map<String, Value>) {
    let mut sorted = Map::new();
    for k in ORDER {
        if let Some(v) = out.remove(*k) {
            sorted.insert((*k).to_string(), v);
        }
    }
    sorted.append(out);
    *out = sorted;
}
