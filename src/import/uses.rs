//! A service's `uses:` (what its NetworkPolicies let it reach): the targets of
//! `depends_on` and `links`, and the services named as hosts in its environment,
//! whose names are rewritten there when the import renamed them.

use super::conv::Conv;
use super::env::EnvItem;
use super::plan::{Context, Plan};
use crate::source::Span;
use crate::yaml::NodeKind;
use std::collections::BTreeSet;

impl Conv<'_> {
    /// `uses:` of a service; rewrites renamed hosts in `env` on the way.
    pub(super) fn uses(&mut self, p: &Plan, ctx: &Context, env: &mut [EnvItem]) -> BTreeSet<String> {
        let mut uses: BTreeSet<String> = BTreeSet::new();
        for (target, span, path) in self.depends(p) {
            self.use_target(p, ctx, &target, span, &path, &mut uses);
        }
        for item in env {
            let Some(value) = item.value.as_mut() else { continue };
            for t in ctx.plans {
                if t.cname == p.cname {
                    continue;
                }
                let mut named = false;
                for h in t.hosts() {
                    if mentions_host(value, &item.key, h) {
                        named = true;
                        if h != t.name {
                            *value = replace_host(value, &item.key, h, &t.name);
                        }
                    }
                }
                if named && t.engine == Some("kafka") {
                    let old = value.clone();
                    *value = one_kafka_listener(value, &t.name);
                    if *value != old {
                        self.note(item.span, item.path.clone(), format!("`{}` listens on 9092 only (the kafka engine's one listener, advertised as `{0}-0.{0}-headless:9092`): the port is now 9092", t.name));
                    }
                }
                if named && t.reachable() && uses.insert(t.name.clone()) {
                    self.note(item.span, item.path.clone(), format!("names `{}` as a host: added to uses (genk8s NetworkPolicies let a service reach only what it uses)", t.name));
                }
            }
        }
        // Commands and bind-mounted files name hosts too (they are not rewritten).
        let texts: Vec<(String, String)> =
            self.texts(p).into_iter().filter(|(k, _)| k.is_empty() || k.starts_with('#')).collect();
        for t in ctx.plans.iter().filter(|t| t.cname != p.cname && t.reachable()) {
            let named = t.hosts().any(|h| texts.iter().any(|(k, v)| mentions_host(v, k, h)));
            if named && uses.insert(t.name.clone()) {
                self.note(
                    p.span,
                    p.path(""),
                    format!("its command or a bind-mounted file names `{}` as a host: added to uses", t.name),
                );
            }
        }
        uses
    }

    /// Dependencies from `depends_on` and `links`: (compose name, span, path).
    pub(super) fn depends(&mut self, p: &Plan) -> Vec<(String, Span, String)> {
        let mut out = Vec::new();
        for key in ["depends_on", "links"] {
            let Some(entry) = p.node.entry(key) else { continue };
            match &entry.value.kind {
                NodeKind::Seq(items) => {
                    for (i, item) in items.iter().enumerate() {
                        if let Some(t) = item.as_str() {
                            let target = if key == "links" { t.split(':').next().unwrap_or(t) } else { t };
                            out.push((target.to_string(), item.span, p.path(&format!("{key}[{i}]"))));
                        }
                    }
                }
                NodeKind::Map(entries) => {
                    for e in entries {
                        out.push((e.key.clone(), e.key_span, format!("{}.{}", p.path(key), e.key)));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Adds a dependency target to `uses` when something can connect to it.
    fn use_target(
        &mut self,
        p: &Plan,
        ctx: &Context,
        target: &str,
        span: Span,
        path: &str,
        uses: &mut BTreeSet<String>,
    ) {
        if target == p.cname || ctx.folded.get(&p.cname).is_some_and(|s| s == target) {
            return;
        }
        match ctx.plan(target) {
            Some(t) if t.reachable() => {
                uses.insert(t.name.clone());
            }
            Some(t) => self.note(
                span,
                path,
                format!("`{}` has no ports, so nothing connects to it: not added to uses (Kubernetes does not order start-up)", t.name),
            ),
            None if ctx.excluded.contains_key(target) => {
                self.note(span, path, format!("`{target}` is in a profile that was not imported: not added to uses"))
            }
            None => self.warn(span, path, format!("`{target}` is not a service of this Compose file")),
        }
    }
}

/// Variable names whose value is a host name.
pub(super) fn is_host_key(key: &str) -> bool {
    let k = key.to_ascii_uppercase();
    [
        "HOST", "HOSTNAME", "HOSTS", "SERVER", "SERVERS", "ADDR", "ADDRESS", "ENDPOINT", "URL", "URI", "DSN", "BROKER",
        "BROKERS", "NODES",
    ]
    .iter()
    .any(|s| k == *s || k.ends_with(&format!("_{s}")))
}

/// Byte ranges where `host` appears as a host name in an environment value:
/// after `//` or `@`, before `:<port>`, or as a whole word of a host-named variable.
pub(super) fn host_matches(value: &str, key: &str, host: &str) -> Vec<usize> {
    let host_key = is_host_key(key);
    let mut out = Vec::new();
    for (i, _) in value.match_indices(host) {
        let prev = value[..i].chars().next_back();
        let rest = &value[i + host.len()..];
        let next = rest.chars().next();
        let before_ok = prev.is_none_or(|c| matches!(c, '/' | '@' | ',' | ' ' | ';' | '='));
        let after_ok = next.is_none_or(|c| matches!(c, ':' | '/' | ',' | ' ' | ';' | '?'));
        let port_follows = rest.strip_prefix(':').is_some_and(|r| r.starts_with(|c: char| c.is_ascii_digit()));
        let strong = value[..i].ends_with("//") || prev == Some('@') || port_follows;
        let word = host_key && prev.is_none_or(|c| matches!(c, ',' | ' ' | ';' | '='));
        if before_ok && after_ok && (strong || word) {
            out.push(i);
        }
    }
    out
}

pub(super) fn mentions_host(value: &str, key: &str, host: &str) -> bool {
    !host.is_empty() && !host_matches(value, key, host).is_empty()
}

fn replace_host(value: &str, key: &str, from: &str, to: &str) -> String {
    let mut out = String::new();
    let mut last = 0;
    for i in host_matches(value, key, from) {
        out.push_str(&value[last..i]);
        out.push_str(to);
        last = i + from.len();
    }
    out.push_str(&value[last..]);
    out
}

/// `host:PORT` in a value, with every port other than 9092 replaced by 9092 (Compose Kafka
/// setups often have an internal listener on another port, e.g. `broker:29092`).
fn one_kafka_listener(value: &str, host: &str) -> String {
    let needle = format!("{host}:");
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find(&needle) {
        let prev = rest[..i].chars().last().or_else(|| out.chars().last());
        let boundary = prev.is_none_or(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')));
        out.push_str(&rest[..i + needle.len()]);
        rest = &rest[i + needle.len()..];
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if boundary && digits > 0 && &rest[..digits] != "9092" {
            out.push_str("9092");
            rest = &rest[digits..];
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kafka_clients_use_the_one_listener() {
        assert_eq!(one_kafka_listener("broker:29092,other:9093", "broker"), "broker:9092,other:9093");
        assert_eq!(one_kafka_listener("PLAINTEXT://broker:29092", "broker"), "PLAINTEXT://broker:9092");
        assert_eq!(one_kafka_listener("mybroker:29092 broker:9092", "broker"), "mybroker:29092 broker:9092");
    }

    #[test]
    fn hosts_in_values() {
        assert!(mentions_host("postgres://u:p@db:5432/app", "DATABASE_URL", "db"));
        assert!(mentions_host("redis://cache:6379/0", "X", "cache"));
        assert!(mentions_host("db", "DB_HOST", "db"));
        assert!(mentions_host("api:8080", "UPSTREAM", "api"));
        assert!(!mentions_host("worker", "MODE", "worker"));
        assert!(!mentions_host("http://api.example.com", "API_URL", "api"));
        assert!(!mentions_host("dbx:5432", "X", "db"));
        assert_eq!(
            replace_host("postgres://my_db:5432/my_db", "DATABASE_URL", "my_db", "my-db"),
            "postgres://my-db:5432/my_db"
        );
    }
}
