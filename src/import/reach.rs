//! Reachability: a Compose service that another one reaches — by `depends_on` or
//! `links`, or by its name as a host in an environment value or a command
//! (`http://api:8080`, `redis:6379`, `API_HOST=api` with `API_PORT=8080`) — needs a
//! Kubernetes Service, so it needs a port even when Compose publishes none. The port
//! comes from the references (`host:port`, a URL scheme's default port, a
//! `*_HOST`/`*_PORT` pair), else from the image's profile ([`crate::images`]); when
//! nothing says which port, a warning asks for one.

use super::conv::Conv;
use super::plan::Plan;
use super::ports::{Mapping, name_ports};
use super::uses::{host_matches, is_host_key};
use super::values::PortMapping;
use crate::yaml::{Node, NodeKind};
use std::collections::BTreeSet;

/// The name given to words of bind-mounted files.
const FILE: &str = "#file";

/// (variable or field name, value) pairs of a service in which host names may appear.
type Texts = Vec<(String, String)>;

impl Conv<'_> {
    /// Gives a port to every reached service that has none.
    pub(super) fn reach(&mut self, plans: &mut [Plan]) {
        let texts: Vec<Texts> = plans.iter().map(|p| self.texts(p)).collect();
        let depends: Vec<Vec<String>> = plans.iter().map(|p| self.server_depends(p)).collect();
        for t in 0..plans.len() {
            if plans[t].engine.is_some() || !plans[t].ports.is_empty() {
                continue;
            }
            let hosts: Vec<String> = plans[t].hosts().map(str::to_string).collect();
            let mut by: BTreeSet<String> = BTreeSet::new();
            let mut ports: Vec<(u16, String)> = Vec::new();
            for (s, tx) in texts.iter().enumerate().filter(|(s, _)| *s != t) {
                if depends[s].iter().any(|d| hosts.contains(d)) {
                    by.insert(plans[s].cname.clone());
                }
                for h in &hosts {
                    for (port, why) in references(tx, h) {
                        by.insert(plans[s].cname.clone());
                        if let Some(port) = port
                            && !ports.iter().any(|(p, _)| *p == port)
                        {
                            ports.push((port, format!("{why} of `{}`", plans[s].cname)));
                        }
                    }
                }
            }
            if by.is_empty() {
                continue;
            }
            self.give_port(&mut plans[t], &by, ports);
        }
    }

    fn give_port(&mut self, p: &mut Plan, by: &BTreeSet<String>, mut ports: Vec<(u16, String)>) {
        let who = by.iter().map(|b| format!("`{b}`")).collect::<Vec<_>>().join(", ");
        let profile = p.image.as_deref().and_then(crate::images::profile);
        if ports.is_empty()
            && let Some(prof) = profile
        {
            ports.push((prof.ports[0].1, format!("the default port of image `{}`", prof.repos[0])));
        }
        if ports.is_empty() {
            self.warn(p.span, p.path(""), format!("reached by {who}, but neither ports:, expose:, an address with a port nor a known image says which port it listens on: it gets no Kubernetes Service; add `expose: [\"PORT\"]` to the Compose service (or ports: to the imported one)"));
            return;
        }
        let mappings: Vec<Mapping> = ports
            .iter()
            .map(|(port, _)| {
                let name = profile.and_then(|pr| pr.ports.iter().find(|(_, n)| n == port)).map(|(n, _)| n.to_string());
                (PortMapping { container: *port, protocol: "tcp".into(), published: None, host_ip: None }, name)
            })
            .collect();
        p.ports = name_ports(mappings);
        let list = ports.iter().map(|(port, why)| format!("{port} (from {why})")).collect::<Vec<_>>().join(", ");
        self.note(
            p.span,
            p.path(""),
            format!("has no ports in Compose but is reached by {who}: it gets a Kubernetes Service on port {list}"),
        );
    }

    /// Environment values and command words of a service (nothing is reported).
    pub(super) fn texts(&mut self, p: &Plan) -> Texts {
        let n = self.findings.len();
        let mut out: Texts = self.env(p).into_iter().filter_map(|e| e.value.map(|v| (e.key, v))).collect();
        self.findings.truncate(n);
        for key in ["command", "entrypoint"] {
            match p.node.get(key).map(|n| &n.kind) {
                Some(NodeKind::Scalar { text, .. }) => {
                    out.extend(text.split_whitespace().map(|w| (String::new(), w.to_string())))
                }
                Some(NodeKind::Seq(items)) => out.extend(
                    items
                        .iter()
                        .filter_map(Node::as_str)
                        .flat_map(|s| s.split_whitespace().map(|w| (String::new(), w.to_string())).collect::<Vec<_>>()),
                ),
                _ => {}
            }
        }
        for text in self.bound_texts(p) {
            out.extend(text.split_whitespace().map(|w| {
                (FILE.to_string(), w.trim_matches(|c| matches!(c, '"' | '\'' | ';' | '<' | '>')).to_string())
            }));
        }
        out
    }

    /// Compose names of the services this one waits for as servers (not one-shot jobs).
    fn server_depends(&mut self, p: &Plan) -> Vec<String> {
        let n = self.findings.len();
        let deps = self.depends(p);
        self.findings.truncate(n);
        deps.into_iter()
            .map(|(t, _, _)| t)
            .filter(|t| {
                let cond = p.node.get("depends_on").and_then(|d| d.get(t)).and_then(|c| c.get("condition"));
                cond.and_then(Node::as_str) != Some("service_completed_successfully")
            })
            .collect()
    }
}

/// Where `host` is named in `texts`: for each place, the port it gives (if any) and what names it.
fn references(texts: &Texts, host: &str) -> Vec<(Option<u16>, String)> {
    let mut out = Vec::new();
    for (key, value) in texts {
        for i in host_matches(value, key, host) {
            let what = match key.as_str() {
                "" => "the command".to_string(),
                FILE => "a bind-mounted file".to_string(),
                k => format!("`{k}`"),
            };
            let port = port_after(&value[i + host.len()..])
                .or_else(|| scheme_port(&value[..i]))
                .or_else(|| pair_port(texts, key));
            out.push((port, what));
        }
    }
    out
}

/// `:8080` right after the host.
fn port_after(rest: &str) -> Option<u16> {
    let digits: String = rest.strip_prefix(':')?.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok().filter(|p| *p > 0)
}

/// The default port of the URL scheme before `//host`.
fn scheme_port(before: &str) -> Option<u16> {
    // Skip `user:password@` between `//` and the host.
    let before = match before.rfind("//") {
        Some(j) if before.ends_with('@') && !before[j + 2..].contains('/') => &before[..j + 2],
        _ => before,
    };
    let scheme = before.strip_suffix("//")?.strip_suffix(':')?;
    let scheme = scheme.rsplit(|c: char| !(c.is_ascii_alphanumeric() || c == '+')).next()?.to_ascii_lowercase();
    let base = scheme.split('+').next().unwrap_or(&scheme);
    Some(match base {
        "http" | "ws" => 80,
        "https" | "wss" => 443,
        "postgres" | "postgresql" => 5432,
        "mysql" | "mariadb" => 3306,
        "redis" | "valkey" => 6379,
        "rediss" => 6380,
        "mongodb" => 27017,
        "amqp" => 5672,
        "amqps" => 5671,
        "nats" => 4222,
        "memcached" => 11211,
        "smtp" => 25,
        "ldap" => 389,
        "grpc" => 50051,
        _ => return None,
    })
}

/// `X_PORT` beside `X_HOST` (also `_HOSTNAME`, `_SERVER`, `_ADDR`, `_ADDRESS`).
fn pair_port(texts: &Texts, key: &str) -> Option<u16> {
    if !is_host_key(key) {
        return None;
    }
    let k = key.to_ascii_uppercase();
    let prefix = ["_HOSTNAME", "_HOST", "_SERVER", "_ADDRESS", "_ADDR"].iter().find_map(|s| k.strip_suffix(s))?;
    let want = format!("{prefix}_PORT");
    texts
        .iter()
        .find(|(k2, _)| k2.to_ascii_uppercase() == want)
        .and_then(|(_, v)| v.trim().parse().ok())
        .filter(|p| *p > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(pairs: &[(&str, &str)]) -> Texts {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn ports_from_addresses_urls_and_pairs() {
        let ports = |tx: &Texts, h: &str| references(tx, h).into_iter().map(|(p, _)| p).collect::<Vec<_>>();
        assert_eq!(ports(&t(&[("API_URL", "http://api:8080/v1")]), "api"), [Some(8080)]);
        assert_eq!(ports(&t(&[("API_URL", "http://api/v1")]), "api"), [Some(80)]);
        assert_eq!(ports(&t(&[("DATABASE_URL", "postgresql+asyncpg://u:p@db/app")]), "db"), [Some(5432)]);
        assert_eq!(ports(&t(&[("BROKER", "kafka:9092")]), "kafka"), [Some(9092)]);
        assert_eq!(ports(&t(&[("SEARCH_HOST", "search"), ("SEARCH_PORT", "7700")]), "search"), [Some(7700)]);
        assert_eq!(ports(&t(&[("SEARCH_HOST", "search")]), "search"), [None]);
        assert_eq!(ports(&t(&[("", "--upstream=http://auth:9999")]), "auth"), [Some(9999)]);
        assert!(ports(&t(&[("MODE", "worker")]), "worker").is_empty());
    }
}
