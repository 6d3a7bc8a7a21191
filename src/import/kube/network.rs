//! NetworkPolicies as `uses` and `egress`: genk8s derives its own policies from
//! them (and from ports, ingress and metrics), so a policy is compared as a whole.

use super::read::at;
use super::recognise::{Fate, Rec, int, items, labels};
use crate::yaml::Node;
use serde_json::{Value, json};

impl Rec<'_> {
    /// Workloads no NetworkPolicy of the input selects: they could reach anything.
    fn unpoliced(&mut self, owners: &[String]) {
        let docs = self.docs;
        for (i, d) in docs.iter().enumerate() {
            let Some(Fate::Native(kind, name)) = &self.fates[i] else { continue };
            if kind == "Deployment" && !owners.contains(name) {
                let msg = "no NetworkPolicy of the input selects it, so its pods could reach anything; genk8s allows only the paths its uses, egress, ports and ingress name (uses are derived from its env and the database credentials it reads: check them)";
                self.note(d.span(), d.key(), msg);
            }
        }
    }

    /// Each database's credentials Secret, with the database.
    fn credentials(&self) -> Vec<(String, String)> {
        let Some(Value::Object(dbs)) = self.spec.get("databases") else { return Vec::new() };
        dbs.iter()
            .map(|(db, d)| {
                let c = d
                    .get("credentials")
                    .and_then(Value::as_str)
                    .map_or_else(|| format!("{db}-credentials"), str::to_string);
                (c, db.clone())
            })
            .collect()
    }

    /// A service whose env names another's Service (`http://api:8000`, `redis:6379`, a
    /// bare host name), or reads a database's credentials, uses it: genk8s denies every
    /// path `uses` does not name.
    pub fn uses_from_env(&mut self) {
        let service_of = self.service_of.clone();
        let credentials = self.credentials();
        let Some(Value::Object(services)) = self.spec.get_mut("services") else { return };
        for (name, svc) in services.iter_mut() {
            let Some(svc) = svc.as_object_mut() else { continue };
            let values: Vec<String> = svc
                .get("env")
                .and_then(Value::as_object)
                .map(|env| env.values().filter_map(Value::as_str).map(str::to_string).collect())
                .unwrap_or_default();
            let mut uses: Vec<String> = svc
                .get("uses")
                .and_then(Value::as_array)
                .map(|u| u.iter().filter_map(Value::as_str).map(str::to_string).collect())
                .unwrap_or_default();
            let read: Vec<String> = svc
                .get("env")
                .and_then(Value::as_object)
                .map(|env| {
                    env.values().filter_map(|v| v.get("secret")).filter_map(Value::as_str).map(str::to_string).collect()
                })
                .unwrap_or_default();
            let by_host = values.iter().filter_map(|v| service_of.get(host_of(v)));
            let by_secret = read.iter().filter_map(|s| credentials.iter().find(|(c, _)| c == s).map(|(_, db)| db));
            for target in by_host.chain(by_secret) {
                if target != name && !uses.contains(target) {
                    uses.push(target.clone());
                }
            }
            if !uses.is_empty() {
                uses.sort();
                svc.insert("uses".into(), json!(uses));
            }
        }
    }

    pub fn network_policies(&mut self) {
        let owners = self.policies();
        self.unpoliced(&owners);
    }

    /// Folds each NetworkPolicy into its workload's `uses` and `egress`; the workloads they select.
    fn policies(&mut self) -> Vec<String> {
        let mut owners = Vec::new();
        for i in self.of_kind("NetworkPolicy") {
            let node = &self.docs[i].node;
            let sel = labels(at(node, &["spec", "podSelector", "matchLabels"]));
            let Some(owner) = self.workload_selected(&sel) else { continue };
            owners.push(owner.clone());
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
        owners
    }
}

/// The host a value names: a URL's, a `host:port`'s, or the value itself.
fn host_of(v: &str) -> &str {
    let rest = v.split_once("://").map_or(v, |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    let host = rest.split(['/', ':', '?']).next().unwrap_or(rest);
    host.strip_suffix(".svc.cluster.local").map_or(host, |h| h.split('.').next().unwrap_or(h))
}

#[cfg(test)]
mod tests {
    use super::host_of;

    #[test]
    fn hosts_of_urls_and_addresses() {
        assert_eq!(host_of("http://api:8000"), "api");
        assert_eq!(host_of("postgres://u:p@db:5432/app"), "db");
        assert_eq!(host_of("redis:6379"), "redis");
        assert_eq!(host_of("api.shop.svc.cluster.local"), "api");
        assert_eq!(host_of("production"), "production");
    }
}
