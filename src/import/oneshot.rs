//! One-shot services — `restart: "no"` with a command, or waited for with `condition:
//! service_completed_successfully` — do not become Deployments that restart forever:
//! each becomes the `migrate:` step (an init container) of the first service that
//! waits for it, with its image and command; the services it reaches are added to
//! that service's `uses` so the step can reach them. A one-shot service nobody waits
//! for has no genk8s form: it stays a Deployment, and a warning says so.

use super::conv::Conv;
use super::plan::Plan;
use crate::yaml::{Node, NodeKind};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Dependent (Compose name) → the one-shot service folded into it.
pub(super) type Folded = BTreeMap<String, String>;

fn is_one_shot(p: &Plan, plans: &[Plan]) -> bool {
    // `restart: "no"` is Compose's default too: it marks a one-shot task only with a command of its own.
    let has_command = p.node.get("command").is_some() || p.node.get("entrypoint").is_some();
    let restart_no = p.node.get("restart").and_then(Node::as_str) == Some("no") && has_command;
    let awaited = plans.iter().any(|d| condition(d, &p.cname) == Some("service_completed_successfully"));
    p.engine.is_none() && p.ports.is_empty() && (restart_no || awaited)
}

/// The `condition:` with which `d` depends on `target`.
fn condition<'n>(d: &'n Plan, target: &str) -> Option<&'n str> {
    d.node.get("depends_on")?.get(target)?.get("condition").and_then(Node::as_str)
}

fn depends_on(d: &Plan, target: &str) -> bool {
    match d.node.get("depends_on").map(|n| &n.kind) {
        Some(NodeKind::Seq(items)) => items.iter().any(|i| i.as_str() == Some(target)),
        Some(NodeKind::Map(_)) => d.node.get("depends_on").and_then(|n| n.entry(target)).is_some(),
        _ => false,
    }
}

impl Conv<'_> {
    /// Which one-shot services fold into which dependents (reported here).
    pub(super) fn fold_one_shots(&mut self, plans: &[Plan]) -> Folded {
        let mut folded = Folded::new();
        for s in plans.iter().filter(|s| is_one_shot(s, plans)) {
            let deps: Vec<&Plan> =
                plans.iter().filter(|d| d.cname != s.cname && d.engine.is_none() && depends_on(d, &s.cname)).collect();
            let Some(first) = deps.iter().find(|d| !folded.contains_key(&d.cname) && !is_one_shot(d, plans)) else {
                self.warn(s.span, s.path(""), "a one-shot service (restart: \"no\") that no service waits for: it stays a Deployment, which restarts it after it exits; run it as a Job yourself, or make it the migrate: of the service that needs it");
                continue;
            };
            folded.insert(first.cname.clone(), s.cname.clone());
            let mut msg = format!(
                "a one-shot service: it runs as the migrate: step of `{}` (an init container, before it starts) instead of a Deployment",
                first.name
            );
            let others: Vec<&str> = deps.iter().filter(|d| d.cname != first.cname).map(|d| d.name.as_str()).collect();
            if !others.is_empty() {
                msg.push_str(&format!("; {} also waited for it, and now start without waiting", others.join(", ")));
            }
            self.note(s.span, s.path(""), msg);
        }
        folded
    }

    /// The `migrate:` of dependent `d` running one-shot `s`, with the services `s` uses.
    pub(super) fn migrate_step(&mut self, d: &Plan, s: &Plan, d_image: &str) -> Value {
        let entry = self.command(s, "entrypoint");
        let args = self.command(s, "command");
        let mut m = serde_json::Map::new();
        let command: Option<Vec<String>> = match (entry, args) {
            (Some(mut e), Some(a)) => {
                e.extend(a);
                Some(e)
            }
            (Some(e), None) => Some(e),
            (None, Some(a)) => {
                self.note(s.key_span("command"), s.path("command"), format!("became the command of `{}`'s migrate: step, which replaces the image's ENTRYPOINT: if the image has one, put it first", d.name));
                Some(a)
            }
            (None, None) => None,
        };
        if let Some(c) = command {
            m.insert("command".into(), json!(c));
        }
        let mut image = s.image.clone().unwrap_or_else(|| super::service::placeholder_image(&s.name));
        let r = super::values::parse_image(&image);
        if r.tag.is_none() && !r.digest {
            image = format!("{}:latest", image.trim_end_matches(':'));
            self.warn(
                s.key_span("image"),
                s.path("image"),
                format!("`{image}` is not pinned: pin a version, production environments refuse latest"),
            );
        }
        if image != d_image {
            m.insert("image".into(), json!(image));
        }
        let own: Vec<String> = self.env(s).into_iter().map(|e| e.key).collect();
        let theirs: Vec<String> = self.env(d).into_iter().map(|e| e.key).collect();
        let missing: Vec<&String> = own.iter().filter(|k| !theirs.contains(k)).collect();
        if !missing.is_empty() {
            let list = missing.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ");
            self.warn(
                s.key_span("environment"),
                s.path("environment"),
                format!(
                    "the migrate: step runs with the environment of `{}`, which lacks {list}: add them to `{}`'s env",
                    d.name, d.name
                ),
            );
        }
        Value::Object(m)
    }
}
