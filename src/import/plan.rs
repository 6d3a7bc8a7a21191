//! Pass 1: which Compose services are imported, under which genk8s names, and
//! which of them become catalog databases.

use super::conv::{Conv, Options, string_list};
use super::values::{self, PortMapping};
use crate::diag::Diagnostic;
use crate::source::Span;
use crate::yaml::node::Entry;
use crate::yaml::{Node, NodeKind};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Compose services left out by their profiles → those profiles.
pub(super) type Excluded = BTreeMap<String, Vec<String>>;

/// A container port and the name genk8s gives it.
pub(super) struct NamedPort {
    pub(super) name: String,
    pub(super) m: PortMapping,
}

/// One Compose service chosen for import.
pub(super) struct Plan<'n> {
    /// The name in the Compose file.
    pub(super) cname: String,
    /// The genk8s name (a DNS label).
    pub(super) name: String,
    pub(super) node: &'n Node,
    pub(super) span: Span,
    pub(super) image: Option<String>,
    /// Catalog engine, when the service becomes a database.
    pub(super) engine: Option<&'static str>,
    /// A vendor build of the engine: its image is kept.
    pub(super) vendor: bool,
    pub(super) ports: Vec<NamedPort>,
    /// Other names it answers to in Compose (`container_name`, `hostname`, network aliases).
    pub(super) aliases: Vec<String>,
}

impl Plan<'_> {
    pub(super) fn path(&self, rest: &str) -> String {
        if rest.is_empty() { format!("services.{}", self.cname) } else { format!("services.{}.{rest}", self.cname) }
    }

    pub(super) fn key_span(&self, key: &str) -> Span {
        self.node.entry(key).map_or(self.span, |e| e.key_span)
    }

    /// Whether other services can connect to it (a database, or a service with ports).
    pub(super) fn reachable(&self) -> bool {
        self.engine.is_some() || !self.ports.is_empty()
    }

    /// Every host name other services may use for it: its Compose name and aliases.
    pub(super) fn hosts(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.cname.as_str()).chain(self.aliases.iter().map(String::as_str))
    }
}

/// What every service's conversion may look at.
pub(super) struct Context<'a, 'n> {
    pub(super) plans: &'a [Plan<'n>],
    pub(super) excluded: &'a Excluded,
    /// Named volume → the Compose services that mount it.
    pub(super) named_users: &'a BTreeMap<String, Vec<String>>,
    /// The whole Compose file (its top-level `volumes:` and `configs:`).
    pub(super) root: &'n Node,
    /// Secret values shared across the project.
    pub(super) atoms: &'a [super::conv::Atom],
    /// Dependent → one-shot service run as its migrate: step.
    pub(super) folded: &'a BTreeMap<String, String>,
}

impl Context<'_, '_> {
    pub(super) fn plan(&self, cname: &str) -> Option<&Plan<'_>> {
        self.plans.iter().find(|p| p.cname == cname)
    }

    /// The other Compose services that mount named volume `v`, when there are any.
    pub(super) fn shared_with(&self, v: &str, cname: &str) -> Option<String> {
        let users = self.named_users.get(v).filter(|u| u.len() > 1)?;
        let others: Vec<&str> = users.iter().filter(|u| **u != cname).map(String::as_str).collect();
        Some(others.join(", "))
    }
}

impl Conv<'_> {
    /// The services to import, in Compose order, and those left out by their profiles.
    pub(super) fn plan<'n>(
        &mut self,
        services: &'n Entry,
        opts: &Options,
    ) -> Result<(Vec<Plan<'n>>, Excluded), Diagnostic> {
        let Some(service_entries) = services.value.entries() else {
            return Err(Diagnostic::at(services.key_span, "`services` must be a map of name: definition"));
        };
        let catalog = crate::catalog::Catalog::load(Path::new("/nonexistent")).ok();
        let has_engine = |e: &str| catalog.as_ref().is_some_and(|cat| cat.has(e));

        let mut plans: Vec<Plan> = Vec::new();
        let mut excluded = Excluded::new();
        let mut taken: BTreeSet<String> = BTreeSet::new();
        for e in service_entries {
            let path = format!("services.{}", e.key);
            if !matches!(e.value.kind, NodeKind::Map(_)) {
                self.warn(e.key_span, &path, format!("a service must be a map, found {}; skipped", e.value.describe()));
                continue;
            }
            let profiles = string_list(e.value.get("profiles"));
            if !profiles.is_empty() && !opts.profiles.iter().any(|p| p == "*" || profiles.contains(p)) {
                let list = profiles.join(", ");
                self.note(
                    e.value.entry("profiles").map_or(e.key_span, |p| p.key_span),
                    format!("{path}.profiles"),
                    format!(
                        "skipped: only in profile{} {list} (pass --profile {} to import it)",
                        if profiles.len() == 1 { "" } else { "s" },
                        profiles[0]
                    ),
                );
                excluded.insert(e.key.clone(), profiles);
                continue;
            }
            let mut name = service_name(&e.key);
            if taken.contains(&name) {
                let mut i = 2;
                while taken.contains(&format!("{name}-{i}")) {
                    i += 1;
                }
                name = format!("{name}-{i}");
            }
            taken.insert(name.clone());
            if name != e.key {
                self.note(e.key_span, &path, format!("renamed to `{name}` (Kubernetes names are DNS labels); host names `{}` in environment values are rewritten", e.key));
            }
            let image =
                e.value.get("image").and_then(Node::as_str).filter(|s| !s.trim().is_empty()).map(str::to_string);
            let repo = image.as_deref().map(values::parse_image).map(|r| r.repo);
            let official = repo.as_deref().and_then(values::engine_for);
            let vendor = repo.as_deref().and_then(values::vendor_engine).filter(|_| official.is_none());
            let engine = official.or(vendor).filter(|eng| has_engine(eng));
            // Ports are named by `ports` once every service is planned.
            plans.push(Plan {
                cname: e.key.clone(),
                name,
                node: &e.value,
                span: e.key_span,
                image,
                engine,
                vendor: vendor.is_some(),
                ports: Vec::new(),
                aliases: aliases(&e.value, &e.key),
            });
        }
        if plans.is_empty() {
            let help = if excluded.is_empty() {
                "add services to the Compose file".to_string()
            } else {
                let all: BTreeSet<&String> = excluded.values().flatten().collect();
                format!(
                    "every service is in a profile; pass --profile NAME (profiles: {}) or --profile '*'",
                    all.into_iter().cloned().collect::<Vec<_>>().join(", ")
                )
            };
            return Err(Diagnostic::at(services.key_span, "no services to import").help(help));
        }
        Ok((plans, excluded))
    }
}

/// `container_name`, `hostname` and network aliases: names other containers may reach it by.
fn aliases(svc: &Node, cname: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for k in ["container_name", "hostname"] {
        out.extend(svc.get(k).and_then(Node::as_str).map(str::to_string));
    }
    for net in svc.get("networks").and_then(Node::entries).unwrap_or_default() {
        out.extend(string_list(net.value.get("aliases")));
    }
    out.retain(|a| !a.is_empty() && a != cname);
    out.sort();
    out.dedup();
    out
}

/// A Compose service name as a genk8s service name (DNS label starting with a letter).
fn service_name(cname: &str) -> String {
    let n = values::dns_label(cname, 52);
    if n.starts_with(|c: char| c.is_ascii_lowercase()) { n } else { values::dns_label(&format!("svc-{n}"), 52) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(service_name("Web_App"), "web-app");
        assert_eq!(service_name("1st"), "svc-1st");
    }
}
