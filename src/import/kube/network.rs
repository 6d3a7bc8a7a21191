//! NetworkPolicies as `uses` and `egress`: genk8s derives its own policies from
//! them (and from ports, ingress and metrics), so a policy is compared as a whole.

use super::read::at;
use super::recognise::{Fate, Rec, int, items, labels};
use crate::yaml::Node;
use serde_json::{Value, json};

impl Rec<'_> {
    pub fn network_policies(&mut self) {
        for i in self.of_kind("NetworkPolicy") {
            let node = &self.docs[i].node;
            let sel = labels(at(node, &["spec", "podSelector", "matchLabels"]));
            let Some(owner) = self.workload_selected(&sel) else { continue };
            let mut uses = Vec::new();
            let mut egress = Vec::new();
            for rule in items(at(node, &["spec", "egress"])) {
                let ports: Vec<i64> =
                    items(rule.get("ports")).iter().filter_map(|p| int(p.get("port"))).filter(|p| *p != 53).collect();
                let to = items(rule.get("to"));
                let peers: Vec<String> = to
                    .iter()
                    .filter_map(|peer| self.workload_selected(&labels(at(peer, &["podSelector", "matchLabels"]))))
                    .collect();
                let cidrs: Vec<&str> =
                    to.iter().filter_map(|p| at(p, &["ipBlock", "cidr"]).and_then(Node::as_str)).collect();
                uses.extend(peers.into_iter().filter(|p| *p != owner));
                if ports.is_empty() {
                    continue;
                }
                if to.is_empty() {
                    egress.push(json!({"cidr": "0.0.0.0/0", "ports": ports}));
                }
                for c in cidrs {
                    egress.push(json!({"cidr": c, "ports": ports}));
                }
            }
            uses.sort();
            uses.dedup();
            let section =
                if self.spec.get("services").and_then(|s| s.get(&owner)).is_some() { "services" } else { "databases" };
            if let Some(Value::Object(entry)) = self.section(section).get_mut(&owner) {
                if !uses.is_empty() && section == "services" {
                    entry.insert("uses".into(), json!(uses));
                }
                if !egress.is_empty() && section == "services" {
                    entry.insert("egress".into(), Value::Array(egress));
                }
            }
            self.settle(
                i,
                Fate::Derived(format!(
                    "genk8s derives the NetworkPolicies of `{owner}` from uses, egress, ports, ingress and metrics (default deny, DNS allowed)"
                )),
            );
        }
    }
}
