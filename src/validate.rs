//! Stage 3, validate: check the merged spec as a whole and resolve what the
//! expand stage needs (engine descriptions, file contents). Every problem is
//! collected, each with the file:line:col of the value at fault.

use crate::catalog::{Catalog, Engine, EngineVars};
use crate::diag::{Diagnostic, Diagnostics, suggest};
use crate::merge::Merged;
use crate::quantity;
use crate::source::SourceMap;
use crate::spec::{EnvValue, FileSource, Platform, Probe, Resources, Service, Short, Source};
use crate::yaml::{Node, de::from_node};
use std::collections::BTreeMap;
use std::path::Path;

/// A spec that passed every check, with everything expand needs resolved.
#[derive(Debug)]
pub struct Valid {
    pub env: String,
    pub namespace: String,
    pub spec: Platform,
    /// Rendered engine of each database, by database name.
    pub engines: BTreeMap<String, Engine>,
    /// Contents of files referenced with `from:`, by the path as written.
    pub files: BTreeMap<String, String>,
}

pub fn validate(merged: &Merged, dir: &Path, catalog: &Catalog, sources: &mut SourceMap) -> Result<Valid, Diagnostics> {
    let spec = typed(&merged.node)?;
    let mut c = Checker { root: &merged.node, env: &merged.env, diags: Diagnostics::default() };
    let namespace = spec.namespace.clone().unwrap_or_else(|| format!("{}-{}", spec.platform, merged.env));
    c.check_platform(&spec, &namespace);
    let mut files = BTreeMap::new();
    c.read_files(&spec, dir, &mut files);
    let mut engines = BTreeMap::new();
    for (name, db) in &spec.databases {
        if !catalog.has(&db.engine) {
            let known: Vec<&str> = catalog.names().collect();
            let help = match suggest(&db.engine, known.iter().copied()) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!(
                    "catalog engines: {}; or add templates/engines/{}.yaml.j2 to the platform",
                    known.join(", "),
                    db.engine
                ),
            };
            c.err(&["databases", name, "engine"], format!("unknown database engine `{}`", db.engine), help);
            continue;
        }
        let credentials = db.credentials.clone().unwrap_or_else(|| format!("{name}-credentials"));
        let host = db.external.as_ref().map_or(name.as_str(), |e| e.host.as_str());
        let vars = EngineVars {
            name,
            version: db.version.as_deref(),
            database: db.database.as_deref(),
            credentials: &credentials,
            host,
            port: db.external.as_ref().and_then(|e| e.port),
        };
        let at = merged.node.find(&["databases", name, "engine"]);
        // The port is known only after a first render; render again so `wait` sees it.
        match catalog.render(&db.engine, &vars, sources, at) {
            Ok(first) => {
                let vars = EngineVars { port: Some(vars.port.unwrap_or(first.port.number)), ..vars };
                match catalog.render(&db.engine, &vars, sources, at) {
                    Ok(e) => {
                        if db.backup.is_some() && e.backup.is_none() {
                            c.err(
                                &["databases", name, "backup"],
                                format!("engine `{}` has no backup command", db.engine),
                                "remove backup:, or add `backup:` to the engine template",
                            );
                        }
                        engines.insert(name.clone(), e);
                    }
                    Err(d) => c.diags.push(d),
                }
            }
            Err(d) => c.diags.push(d),
        }
    }
    if c.diags.is_empty() {
        Ok(Valid { env: merged.env.clone(), namespace, spec, engines, files })
    } else {
        c.diags.sort();
        Err(c.diags)
    }
}

fn to_diag(e: crate::yaml::de::Error) -> Diagnostic {
    // Every u16 of the spec is a port number: say so, as the short form `http: 70000` does.
    if let Some(n) = e.message.strip_prefix("invalid value: integer `").and_then(|r| r.strip_suffix("`, expected u16"))
    {
        return Diagnostic::new(e.span, format!("expected a port number (1-65535), found `{n}`"))
            .help("write a port between 1 and 65535");
    }
    let mut d = Diagnostic::new(e.span, e.message);
    d.help = e.help;
    d
}

/// Reads the typed spec, deserializing each service, database and config on its own
/// so that a type error in one does not hide the errors in the others.
fn typed(root: &Node) -> Result<Platform, Diagnostics> {
    use crate::yaml::NodeKind;
    const SECTIONS: [&str; 3] = ["services", "databases", "configs"];
    let mut diags = Diagnostics::default();
    let top = match &root.kind {
        NodeKind::Map(entries) => {
            Node::map(root.span, entries.iter().filter(|e| !SECTIONS.contains(&e.key.as_str())).cloned().collect())
        }
        _ => root.clone(),
    };
    let spec: Option<Platform> = from_node(&top).map_err(|e| diags.push(to_diag(e))).ok();
    fn section<T: serde::de::DeserializeOwned>(root: &Node, key: &str, diags: &mut Diagnostics) -> BTreeMap<String, T> {
        let mut out = BTreeMap::new();
        let Some(entry) = root.entry(key) else { return out };
        let Some(entries) = entry.value.entries() else {
            diags.push(Diagnostic::at(entry.key_span, format!("`{key}` must be a map of name: definition")));
            return out;
        };
        for e in entries {
            match from_node::<T>(&e.value) {
                Ok(v) => {
                    out.insert(e.key.clone(), v);
                }
                Err(err) => diags.push(to_diag(err.at_least(e.key_span))),
            }
        }
        out
    }
    let services = section(root, "services", &mut diags);
    let databases = section(root, "databases", &mut diags);
    let configs = section(root, "configs", &mut diags);
    match spec {
        Some(spec) if diags.is_empty() => Ok(Platform { services, databases, configs, ..spec }),
        _ => {
            diags.sort();
            Err(diags)
        }
    }
}

struct Checker<'a> {
    root: &'a Node,
    env: &'a str,
    diags: Diagnostics,
}

/// RFC 1123 label: lowercase alphanumerics and '-', starting and ending alphanumeric, at most 63.
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// RFC 1035 label (Service names): a DNS label that starts with a letter.
fn is_dns1035_label(s: &str) -> bool {
    is_dns_label(s) && s.starts_with(|c: char| c.is_ascii_lowercase())
}

/// RFC 1123 subdomain: dot-separated labels, at most 253.
fn is_dns_subdomain(s: &str) -> bool {
    s.len() <= 253 && s.split('.').all(is_dns_label)
}

/// IANA service name (port names): at most 15, lowercase alphanumerics and '-', with a letter.
fn is_port_name(s: &str) -> bool {
    is_dns_label(s) && s.len() <= 15 && !s.contains("--") && s.chars().any(|c| c.is_ascii_lowercase())
}

fn is_config_key(s: &str) -> bool {
    !s.is_empty() && s.len() <= 253 && s.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Label/annotation key: optional DNS-subdomain prefix and a name of at most 63 characters.
fn is_label_key(k: &str) -> bool {
    let (prefix, name) = match k.rsplit_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    prefix.is_none_or(is_dns_subdomain)
        && !name.is_empty()
        && name.len() <= 63
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.ends_with(|c: char| c.is_ascii_alphanumeric())
}

fn is_label_value(v: &str) -> bool {
    v.is_empty() || (v.len() <= 63 && is_label_key(v) && !v.contains('/'))
}

/// Image tag: letters, digits, '_', '.' and '-', not starting with '.' or '-', at most 128.
fn is_image_tag(t: &str) -> bool {
    !t.is_empty()
        && t.len() <= 128
        && t.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && !t.starts_with(['.', '-'])
}

/// An image reference genk8s can pass on: non-empty, without whitespace.
fn is_image_ref(i: &str) -> bool {
    !i.trim().is_empty() && !i.contains(char::is_whitespace)
}

/// Downward API fields an environment variable may read (`fieldRef.fieldPath`).
const FIELD_PATHS: &[&str] = &[
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
];

fn is_field_path(f: &str) -> bool {
    if FIELD_PATHS.contains(&f) {
        return true;
    }
    ["metadata.labels['", "metadata.annotations['"]
        .iter()
        .any(|p| f.strip_prefix(p).and_then(|r| r.strip_suffix("']")).is_some_and(is_label_key))
}

impl Checker<'_> {
    fn err(&mut self, path: &[&str], message: impl Into<String>, help: impl Into<String>) {
        let span = self.root.find(path);
        self.diags.push(Diagnostic::at(span, message).help(help));
    }

    fn check_platform(&mut self, spec: &Platform, namespace: &str) {
        if !is_dns_label(&spec.platform) {
            self.err(
                &["platform"],
                format!("platform name `{}` is not a DNS label", spec.platform),
                "use lowercase letters, digits and '-', at most 63 characters",
            );
        }
        if !is_dns_label(namespace) {
            let path: &[&str] = if spec.namespace.is_some() { &["namespace"] } else { &["platform"] };
            self.err(
                path,
                format!("namespace `{namespace}` is not a DNS label"),
                "set `namespace:` in the environment file to lowercase letters, digits and '-', at most 63 characters",
            );
        }
        if let Some(d) = &spec.domain
            && !is_dns_subdomain(d)
        {
            self.err(
                &["domain"],
                format!("domain `{d}` is not a valid DNS name"),
                "write a lowercase host name such as example.com",
            );
        }
        self.check_labels(&["labels"], &spec.labels, true);
        self.check_labels(&["annotations"], &spec.annotations, false);
        self.check_labels(&["ingress", "annotations"], &spec.ingress.annotations, false);
        self.check_ingress_refs(&["ingress"], spec.ingress.class.as_deref(), spec.ingress.issuer.as_deref());
        for (path, ns) in [
            (["ingress", "controller_namespace"], &spec.ingress.controller_namespace),
            (["monitoring", "namespace"], &spec.monitoring.namespace),
        ] {
            if let Some(ns) = ns
                && !is_dns_label(ns)
            {
                self.err(
                    &path,
                    format!("namespace `{ns}` is not a DNS label"),
                    "write the namespace's name: lowercase letters, digits and '-', at most 63 characters",
                );
            }
        }
        for (name, cfg) in &spec.configs {
            if !is_dns_label(name) {
                self.err(
                    &["configs", name],
                    format!("config name `{name}` is not a DNS label"),
                    "use lowercase letters, digits and '-'",
                );
            }
            for k in cfg.data.keys().chain(cfg.files.keys()) {
                if !is_config_key(k) {
                    self.err(
                        &["configs", name],
                        format!("config key `{k}` may hold only letters, digits, '-', '_' and '.'"),
                        "rename the key",
                    );
                }
            }
            for k in cfg.files.keys().filter(|k| cfg.data.contains_key(*k)) {
                self.err(
                    &["configs", name, "files", k],
                    format!("key `{k}` is defined in both data: and files:"),
                    "a ConfigMap key holds one value: keep it in data: or in files:, or rename one",
                );
            }
        }
        for (name, sc) in &spec.storage_classes {
            if !is_dns_subdomain(name) {
                self.err(
                    &["storage_classes", name],
                    format!("storage class name `{name}` is not valid"),
                    "use lowercase letters, digits, '-' and '.'",
                );
            }
            if sc.provisioner.is_empty() {
                self.err(&["storage_classes", name, "provisioner"], "provisioner is empty", "e.g. ebs.csi.aws.com");
            }
            if let Some(r) = &sc.reclaim
                && r != "Retain"
                && r != "Delete"
            {
                self.err(
                    &["storage_classes", name, "reclaim"],
                    format!("unknown reclaim policy `{r}`"),
                    "write Retain or Delete",
                );
            }
            if let Some(b) = &sc.binding
                && b != "Immediate"
                && b != "WaitForFirstConsumer"
            {
                self.err(
                    &["storage_classes", name, "binding"],
                    format!("unknown binding mode `{b}`"),
                    "write Immediate or WaitForFirstConsumer",
                );
            }
        }
        for (name, iss) in &spec.issuers {
            if !is_dns_subdomain(name) {
                self.err(
                    &["issuers", name],
                    format!("issuer name `{name}` is not valid"),
                    "use lowercase letters, digits, '-' and '.'",
                );
            }
            if !iss.email.contains('@') {
                self.err(
                    &["issuers", name, "email"],
                    format!("`{}` is not an email address", iss.email),
                    "ACME needs a contact address for expiry notices",
                );
            }
            if let Some(srv) = &iss.server
                && !srv.starts_with("https://")
            {
                self.err(
                    &["issuers", name, "server"],
                    format!("ACME server `{srv}` is not an https URL"),
                    "e.g. https://acme-staging-v02.api.letsencrypt.org/directory",
                );
            }
            if let Some(class) = iss.http01.as_ref().and_then(|h| h.class.as_ref())
                && !is_dns_subdomain(class)
            {
                self.err(
                    &["issuers", name, "http01", "class"],
                    format!("ingress class `{class}` is not valid"),
                    "write the IngressClass name: lowercase letters, digits, '-' and '.', e.g. nginx",
                );
            }
            if let Some(cf) = &iss.cloudflare {
                if !is_dns_subdomain(&cf.secret) {
                    self.err(
                        &["issuers", name, "cloudflare", "secret"],
                        format!("secret name `{}` is not valid", cf.secret),
                        "use lowercase letters, digits, '-' and '.', e.g. cloudflare-api-token",
                    );
                }
                if !is_config_key(&cf.key) {
                    self.err(
                        &["issuers", name, "cloudflare", "key"],
                        format!("secret key `{}` may hold only letters, digits, '-', '_' and '.'", cf.key),
                        "write the key of the token in that Secret, e.g. api-token",
                    );
                }
            }
            if iss.http01.is_some()
                && iss.cloudflare.is_none()
                && iss.http01.as_ref().and_then(|h| h.class.as_ref()).is_none()
                && spec.ingress.class.is_none()
            {
                self.err(
                    &["issuers", name, "http01"],
                    "http01 needs an ingress class",
                    "set http01: {class: nginx} or the platform's ingress.class",
                );
            }
        }
        for (path, map) in [("quota", &spec.quota)] {
            for (k, v) in map {
                if quantity::parse(v).is_none() {
                    self.err(&[path, k], format!("`{v}` is not a quantity"), quantity::hint(v));
                }
            }
        }
        if let Some(l) = &spec.limits {
            for (part, map) in
                [("default", &l.default), ("default_request", &l.default_request), ("max", &l.max), ("min", &l.min)]
            {
                for (k, v) in map {
                    if quantity::parse(v).is_none() {
                        self.err(&["limits", part, k], format!("`{v}` is not a quantity"), quantity::hint(v));
                    }
                }
            }
        }
        if !spec.dev_secrets.is_empty() && is_production(self.env) {
            self.err(
                &["dev_secrets"],
                format!("dev_secrets are development-only values and environment `{}` is production", self.env),
                "keep dev_secrets in non-production overlays; production Secrets come from the cluster or secret_store",
            );
        }
        for (name, data) in &spec.dev_secrets {
            if !is_dns_subdomain(name) {
                self.err(
                    &["dev_secrets", name],
                    format!("secret name `{name}` is not valid"),
                    "use lowercase letters, digits, '-' and '.'",
                );
            }
            for k in data.keys() {
                if !is_config_key(k) {
                    self.err(
                        &["dev_secrets", name, k],
                        format!("secret key `{k}` may hold only letters, digits, '-', '_' and '.'"),
                        "rename the key",
                    );
                }
            }
        }
        if let Some(store) = &spec.secret_store {
            if let Some(k) = &store.kind
                && k != "ClusterSecretStore"
                && k != "SecretStore"
            {
                self.err(
                    &["secret_store", "kind"],
                    format!("unknown store kind `{k}`"),
                    "write ClusterSecretStore or SecretStore",
                );
            }
            if let Some(r) = &store.refresh
                && !is_duration(r)
            {
                self.err(&["secret_store", "refresh"], format!("`{r}` is not a duration"), "write e.g. 1h");
            }
        }
        for (name, a) in &spec.monitoring.rules {
            let p = ["monitoring", "rules", name.as_str()];
            if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                self.err(
                    &p,
                    format!("alert name `{name}` may hold only letters, digits and '_'"),
                    "e.g. QueueBacklogHigh",
                );
            }
            if a.expr.trim().is_empty() {
                self.err(&p, "alert expr is empty", "write a PromQL expression, e.g. queue_depth > 1000");
            }
            if let Some(f) = &a.for_
                && !is_duration(f)
            {
                self.err(&p, format!("`{f}` is not a duration"), "write e.g. 5m");
            }
            if let Some(s) = &a.severity
                && !["critical", "warning", "info"].contains(&s.as_str())
            {
                self.err(&p, format!("unknown severity `{s}`"), "write critical, warning or info");
            }
        }
        for name in spec.services.keys() {
            if spec.databases.contains_key(name) {
                self.err(
                    &["databases", name],
                    format!("`{name}` is both a service and a database"),
                    "rename one of them: they would share a Service name",
                );
            }
        }
        for (name, svc) in &spec.services {
            self.check_service(spec, name, svc);
            self.check_lint(&["services", name, "lint", "ignore"], svc.lint.as_ref());
        }
        self.check_routes(spec);
        for (name, db) in &spec.databases {
            self.check_lint(&["databases", name, "lint", "ignore"], db.lint.as_ref());
        }
        for (name, db) in &spec.databases {
            let at = |f: &'static str| ["databases", name.as_str(), f];
            if !is_dns1035_label(name) || name.len() > 52 {
                self.err(&["databases", name], format!("database name `{name}` must be a DNS label starting with a letter, at most 52 characters"), "use lowercase letters, digits and '-' (its StatefulSet pods and Services derive their names from it)");
            }
            if let Some(v) = &db.version
                && !is_image_tag(v)
            {
                self.err(
                    &at("version"),
                    format!("`{v}` is not a valid image tag"),
                    "tags hold letters, digits, '_', '.' and '-', at most 128, e.g. 16-alpine",
                );
            }
            if let Some(i) = &db.image
                && !is_image_ref(i)
            {
                self.err(
                    &at("image"),
                    format!("`{i}` is not an image reference"),
                    "write registry/name:tag, e.g. docker.io/library/postgres:16",
                );
            }
            if let Some(c) = &db.credentials
                && !is_dns_subdomain(c)
            {
                self.err(
                    &at("credentials"),
                    format!("secret name `{c}` is not valid"),
                    "use lowercase letters, digits, '-' and '.', e.g. db-credentials",
                );
            }
            for (p, class) in [
                (["databases", name.as_str(), "storage", "class"], db.storage.as_ref().and_then(|s| s.class.as_ref())),
                (["databases", name.as_str(), "backup", "class"], db.backup.as_ref().and_then(|b| b.class.as_ref())),
            ] {
                if let Some(class) = class {
                    self.check_storage_class(&p, class);
                }
            }
            self.check_labels(&["databases", name, "node_selector"], &db.node_selector, true);
            self.check_tolerations(&["databases", name, "tolerations"], &db.tolerations);
            if let Some(r) = &db.resources {
                self.check_resources(&["databases", name, "resources"], r);
            }
            if let Some(s) = &db.storage
                && quantity::parse(&s.size).is_none()
            {
                self.err(
                    &["databases", name, "storage", "size"],
                    format!("`{}` is not a storage quantity", s.size),
                    quantity::hint(&s.size),
                );
            }
            if let Some(r) = db.replicas
                && r < 0
            {
                self.err(&at("replicas"), "replicas cannot be negative", "write 0 or more");
            }
            if let Some(e) = &db.external {
                if !is_dns_subdomain(&e.host) && e.host.parse::<std::net::IpAddr>().is_err() {
                    self.err(
                        &["databases", name, "external", "host"],
                        format!("`{}` is not a host name or IP address", e.host),
                        "write the database's DNS name or IP",
                    );
                }
                if e.port == Some(0) {
                    self.err(
                        &["databases", name, "external", "port"],
                        "port 0 is not a valid port",
                        "write a port between 1 and 65535",
                    );
                }
            }
            self.check_pdb(&["databases", name, "pdb"], db.pdb.as_ref());
            if let Some(b) = &db.backup {
                if !is_cron(&b.schedule) {
                    self.err(
                        &["databases", name, "backup", "schedule"],
                        format!("`{}` is not a cron schedule", b.schedule),
                        "write five fields: minute hour day-of-month month day-of-week, e.g. \"0 2 * * *\"",
                    );
                }
                if b.keep == Some(0) {
                    self.err(&["databases", name, "backup", "keep"], "keep must be at least 1", "e.g. keep: 7");
                }
                if let Some(sz) = &b.size
                    && quantity::parse(sz).is_none()
                {
                    self.err(
                        &["databases", name, "backup", "size"],
                        format!("`{sz}` is not a storage quantity"),
                        quantity::hint(sz),
                    );
                }
                if db.external.is_some() {
                    self.err(
                        &["databases", name, "backup"],
                        "genk8s backs up only databases it runs",
                        "back up an external database with its provider's tools",
                    );
                }
                if name.len() > 45 {
                    self.err(&["databases", name, "backup"], format!("database name `{name}` is too long for a backup CronJob (`{name}-backup` must be at most 52 characters)"), "shorten the database name");
                }
            }
        }
    }

    fn check_storage_class(&mut self, path: &[&str], class: &str) {
        if !is_dns_subdomain(class) {
            self.err(
                path,
                format!("storage class name `{class}` is not valid"),
                "write the StorageClass name: lowercase letters, digits, '-' and '.', e.g. fast-ssd",
            );
        }
    }

    /// `class:` and `issuer:` of an ingress (or the platform's ingress defaults).
    fn check_ingress_refs(&mut self, base: &[&str], class: Option<&str>, issuer: Option<&str>) {
        if let Some(c) = class
            && !is_dns_subdomain(c)
        {
            let mut p = base.to_vec();
            p.push("class");
            self.err(
                &p,
                format!("ingress class `{c}` is not valid"),
                "write the IngressClass name: lowercase letters, digits, '-' and '.', e.g. nginx",
            );
        }
        if let Some(i) = issuer
            && !is_dns_subdomain(i)
        {
            let mut p = base.to_vec();
            p.push("issuer");
            self.err(
                &p,
                format!("issuer name `{i}` is not valid"),
                "write the ClusterIssuer name: lowercase letters, digits, '-' and '.', e.g. letsencrypt",
            );
        }
    }

    fn check_tolerations(&mut self, base: &[&str], tolerations: &[crate::spec::Toleration]) {
        const EFFECTS: [&str; 3] = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
        for (i, t) in tolerations.iter().enumerate() {
            let idx = i.to_string();
            let at = |f: &'static str| {
                let mut p = base.to_vec();
                p.extend([idx.as_str(), f]);
                p
            };
            if let Some(k) = &t.key
                && !is_label_key(k)
            {
                self.err(
                    &at("key"),
                    format!("`{k}` is not a valid taint key"),
                    "write [prefix/]name: name up to 63 letters, digits, '-', '_' or '.'",
                );
            }
            match t.operator.as_deref() {
                None | Some("Equal") => {
                    if t.key.is_none() {
                        self.err(
                            &at("key"),
                            "a toleration with operator Equal needs a key".to_string(),
                            "add key:, or write operator: Exists to tolerate every taint",
                        );
                    }
                }
                Some("Exists") => {
                    if t.value.as_deref().is_some_and(|v| !v.is_empty()) {
                        self.err(
                            &at("value"),
                            "a toleration with operator Exists takes no value".to_string(),
                            "remove value:, or write operator: Equal",
                        );
                    }
                }
                Some(op) => {
                    self.err(&at("operator"), format!("unknown toleration operator `{op}`"), "write Equal or Exists")
                }
            }
            if let Some(v) = &t.value
                && !is_label_value(v)
            {
                self.err(
                    &at("value"),
                    format!("toleration value `{v}` is not valid"),
                    "up to 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric",
                );
            }
            if let Some(e) = &t.effect
                && !e.is_empty()
                && !EFFECTS.contains(&e.as_str())
            {
                let help = match suggest(e, EFFECTS) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "write NoSchedule, PreferNoSchedule or NoExecute (or leave it out for all)".to_string(),
                };
                self.err(&at("effect"), format!("unknown toleration effect `{e}`"), help);
            }
        }
    }

    /// Two services may not claim the same host and path: the ingress controller would pick one.
    fn check_routes(&mut self, spec: &Platform) {
        let mut routes: BTreeMap<(String, String), &str> = BTreeMap::new();
        for (name, svc) in &spec.services {
            let Some(ing) = &svc.ingress else { continue };
            let path = ing.path.clone().unwrap_or_else(|| "/".into());
            for (i, h) in ing.hosts.iter().enumerate() {
                let Some(host) = resolve_host(h, spec.domain.as_deref()) else { continue };
                match routes.get(&(host.clone(), path.clone())) {
                    Some(other) => {
                        let idx = i.to_string();
                        self.err(
                            &["services", name, "ingress", "hosts", &idx],
                            format!("`{host}{path}` is already routed to service `{other}`"),
                            "give one of them another host or path",
                        );
                    }
                    None => {
                        routes.insert((host, path.clone()), name);
                    }
                }
            }
        }
    }

    fn check_lint(&mut self, path: &[&str], lint: Option<&crate::spec::LintSpec>) {
        for (id, reason) in lint.iter().flat_map(|l| l.ignore.iter()) {
            let mut p = path.to_vec();
            p.push(id);
            if !crate::lint::RULES.iter().any(|r| r.id == id) {
                let ids: Vec<&str> = crate::lint::RULES.iter().map(|r| r.id).collect();
                self.err(&p, format!("unknown lint rule `{id}`"), format!("rules: {}", ids.join(", ")));
            } else if reason.trim().is_empty() {
                self.err(&p, format!("suppression of {id} gives no reason"), "say why the rule does not apply here");
            }
        }
    }

    fn check_labels(&mut self, path: &[&str], map: &BTreeMap<String, String>, values_too: bool) {
        for (k, v) in map {
            let mut p = path.to_vec();
            p.push(k);
            if !is_label_key(k) {
                self.err(
                    &p,
                    format!("`{k}` is not a valid label or annotation key"),
                    "write [prefix/]name: name up to 63 letters, digits, '-', '_' or '.'",
                );
            }
            if values_too && !is_label_value(v) {
                self.err(
                    &p,
                    format!("label value `{v}` is not valid"),
                    "up to 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric",
                );
            }
        }
    }

    fn check_service(&mut self, spec: &Platform, name: &str, svc: &Service) {
        let base = ["services", name];
        let err = |c: &mut Self, rest: &[&str], msg: String, help: &str| {
            let mut path: Vec<&str> = base.to_vec();
            path.extend_from_slice(rest);
            c.err(&path, msg, help.to_string());
        };
        if !is_dns1035_label(name) || name.len() > 52 {
            err(
                self,
                &[],
                format!("service name `{name}` must be a DNS label starting with a letter, at most 52 characters"),
                "use lowercase letters, digits and '-'",
            );
        }
        if !is_image_ref(&svc.image) {
            err(
                self,
                &["image"],
                format!("`{}` is not an image reference", svc.image),
                "write registry/name:tag, e.g. ghcr.io/acme/api:1.4.2",
            );
        }
        if let Some(t) = &svc.tag
            && !is_image_tag(t)
        {
            err(
                self,
                &["tag"],
                format!("`{t}` is not a valid image tag"),
                "tags hold letters, digits, '_', '.' and '-', at most 128",
            );
        }
        let image = svc.image_ref();
        let at: &[&str] = if svc.tag.is_some() { &["tag"] } else { &["image"] };
        match crate::spec::image_tag(&image) {
            None if !image.contains('@') => err(
                self,
                at,
                format!("image `{image}` has no tag"),
                "pin a version (name:1.4.2) or a digest (name@sha256:...) so every rollout runs the same code",
            ),
            Some("latest") if is_production(self.env) => err(
                self,
                at,
                format!("image `{image}` uses the `latest` tag in environment `{}`", self.env),
                "pin a version in production, e.g. set tag: 1.4.2 in this environment's file",
            ),
            _ => {}
        }
        if let Some(c) = &svc.component
            && (c.is_empty() || !is_label_value(c))
        {
            err(
                self,
                &["component"],
                format!("component `{c}` is not a valid label value"),
                "up to 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric, e.g. backend",
            );
        }
        if svc.run_as_user == Some(0) {
            err(
                self,
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
                err(self, &[k], format!("{k} {what}"), "write a numeric id between 0 and 2147483647, e.g. 10001");
            }
        }
        let mut service_ports: Vec<(u16, crate::spec::Protocol, &str)> = Vec::new();
        for (pname, port) in &svc.ports {
            let number = port.service.unwrap_or(port.container);
            let proto = port.protocol.unwrap_or(crate::spec::Protocol::TCP);
            if let Some((_, _, first)) = service_ports.iter().find(|(n, p, _)| (*n, *p) == (number, proto)) {
                err(
                    self,
                    &["ports", pname],
                    format!("ports `{first}` and `{pname}` both use {number}/{proto:?}"),
                    "a Service port number is used once per protocol: give one a different service: number, or remove it",
                );
            } else if number != 0 {
                service_ports.push((number, proto, pname));
            }
            if !is_port_name(pname) {
                err(
                    self,
                    &["ports", pname],
                    format!("port name `{pname}` is not valid"),
                    "port names are at most 15 lowercase letters, digits and '-', with at least one letter (e.g. http, grpc, metrics)",
                );
            }
            if port.container == 0 || port.service == Some(0) {
                err(self, &["ports", pname], "port 0 is not a valid port".into(), "write a port between 1 and 65535");
            }
        }
        for (k, v) in &svc.env {
            self.check_env(&base, k, v, spec);
        }
        for (i, s) in svc.env_from.iter().enumerate() {
            let idx = i.to_string();
            self.check_source(&["services", name, "env_from", &idx], s, spec);
        }
        for (path, s) in &svc.mounts {
            if !path.starts_with('/') {
                err(self, &["mounts", path], format!("mount path `{path}` is not absolute"), "start it with /");
            }
            self.check_source(&["services", name, "mounts", path], s, spec);
        }
        for path in svc.files.keys() {
            let file_name = path.rsplit('/').next().unwrap_or_default();
            if !path.starts_with('/') || !is_config_key(file_name) {
                err(
                    self,
                    &["files", path],
                    format!(
                        "file path `{path}` must be absolute and end in a file name of letters, digits, '-', '_' or '.'"
                    ),
                    "e.g. /etc/app/config.yaml",
                );
            }
        }
        for (vname, vol) in &svc.volumes {
            if !is_dns_label(vname) {
                err(
                    self,
                    &["volumes", vname],
                    format!("volume name `{vname}` is not a DNS label"),
                    "use lowercase letters, digits and '-'",
                );
            }
            if !vol.path.starts_with('/') {
                err(
                    self,
                    &["volumes", vname, "path"],
                    format!("volume path `{}` is not absolute", vol.path),
                    "start it with /",
                );
            }
            if quantity::parse(&vol.size).is_none() {
                err(
                    self,
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
                err(
                    self,
                    &["volumes", vname, "access"],
                    format!("unknown access mode `{a}`"),
                    "write ReadWriteOnce, ReadWriteMany, ReadOnlyMany or ReadWriteOncePod",
                );
            }
        }
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
                    err(
                        self,
                        &rest,
                        "`/tmp` is already mounted (writable emptyDir)".into(),
                        "every service already has a writable /tmp; mount this elsewhere, e.g. /etc/app, or remove it",
                    );
                }
                Some((_, first)) => {
                    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
                    err(
                        self,
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
                err(self, &["writable"], format!("writable path `{w}` is not absolute"), "start it with /");
            }
        }
        for (kind, probe) in
            [("liveness", &svc.probes.liveness), ("readiness", &svc.probes.readiness), ("startup", &svc.probes.startup)]
        {
            if let Some(pr) = probe {
                self.check_probe(&["services", name, "probes", kind], pr, &svc.ports);
            }
        }
        if let Some(r) = &svc.resources {
            self.check_resources(&["services", name, "resources"], r);
        }
        if let Some(r) = svc.replicas
            && r < 0
        {
            err(self, &["replicas"], "replicas cannot be negative".into(), "write 0 or more");
        }
        if let Some(crate::spec::Strategy::Rolling { max_surge, max_unavailable }) = &svc.strategy {
            for (k, v) in [("max_surge", max_surge), ("max_unavailable", max_unavailable)] {
                if let Some(v) = v
                    && !is_int_or_percent(v)
                {
                    err(
                        self,
                        &["strategy", "rolling", k],
                        format!("`{v}` is neither a count nor a percentage"),
                        "write e.g. 1 or 25%",
                    );
                }
            }
            let zero = |v: &Option<String>| v.as_deref().is_some_and(|v| v.trim_end_matches('%') == "0");
            if zero(max_surge) && zero(max_unavailable) {
                err(
                    self,
                    &["strategy", "rolling", "max_unavailable"],
                    "max_surge and max_unavailable are both 0, so a rollout can never progress".into(),
                    "let one of them be above 0, e.g. max_surge: 1",
                );
            }
        }
        self.check_labels(&["services", name, "node_selector"], &svc.node_selector, true);
        self.check_tolerations(&["services", name, "tolerations"], &svc.tolerations);
        if let Some(a) = &svc.autoscale {
            if a.min < 1 {
                err(
                    self,
                    &["autoscale", "min"],
                    format!("autoscale min is {}; it must be at least 1", a.min),
                    "write min: 1 or more",
                );
            }
            if a.max < a.min {
                err(
                    self,
                    &["autoscale", "max"],
                    format!("autoscale max {} is below min {}", a.max, a.min),
                    "raise max or lower min",
                );
            }
            for (k, v) in [("cpu", a.cpu), ("memory", a.memory)] {
                if let Some(v) = v
                    && !(1..=1000).contains(&v)
                {
                    err(
                        self,
                        &["autoscale", k],
                        format!("target utilization {v}% is out of range"),
                        "write a percentage of the request between 1 and 1000",
                    );
                }
            }
            if a.cpu.is_none() && a.memory.is_none() && a.pods.is_empty() {
                err(
                    self,
                    &["autoscale"],
                    "autoscale has no metric".into(),
                    "set cpu:, memory: (target utilization %) or pods: {metric: target}",
                );
            }
            for (m, v) in &a.pods {
                if quantity::parse(v).is_none() {
                    err(
                        self,
                        &["autoscale", "pods", m],
                        format!("`{v}` is not a quantity"),
                        "write the target average value, e.g. \"100\" or 500m",
                    );
                }
            }
            for (dir, rules) in [("scale_up", &a.scale_up), ("scale_down", &a.scale_down)] {
                let Some(rules) = rules else { continue };
                if let Some(s) = &rules.select
                    && !["Max", "Min", "Disabled"].contains(&s.as_str())
                {
                    err(
                        self,
                        &["autoscale", dir, "select"],
                        format!("unknown select policy `{s}`"),
                        "write Max, Min or Disabled",
                    );
                }
                if let Some(w) = rules.window
                    && !(0..=3600).contains(&w)
                {
                    err(
                        self,
                        &["autoscale", dir, "window"],
                        format!(
                            "stabilization window {w} is out of range; the window must be between 0 and 3600 seconds"
                        ),
                        "write e.g. window: 300",
                    );
                }
                for (i, pol) in rules.policies.iter().enumerate() {
                    let idx = i.to_string();
                    if !(1..=1800).contains(&pol.period) {
                        err(
                            self,
                            &["autoscale", dir, "policies", &idx, "period"],
                            format!(
                                "policy period {} is out of range; the period must be between 1 and 1800 seconds",
                                pol.period
                            ),
                            "write e.g. period: 60",
                        );
                    }
                    for (k, v) in [("percent", pol.percent), ("pods", pol.pods)] {
                        if let Some(v) = v
                            && v < 1
                        {
                            err(
                                self,
                                &["autoscale", dir, "policies", &idx, k],
                                format!("policy {k} is {v}; it must be at least 1"),
                                "write a positive amount of change, e.g. {pods: 2, period: 60}",
                            );
                        }
                    }
                    if pol.percent.is_some() == pol.pods.is_some() {
                        err(
                            self,
                            &["autoscale", dir, "policies", &idx],
                            "a scaling policy needs exactly one of percent: or pods:".into(),
                            "e.g. {percent: 100, period: 15}",
                        );
                    }
                }
            }
        }
        self.check_pdb(&["services", name, "pdb"], svc.pdb.as_ref());
        if let (Some(a), Some(min)) = (&svc.autoscale, svc.pdb.as_ref().and_then(|p| p.min_available.as_deref()))
            && let Ok(min) = min.parse::<i32>()
            && a.min <= min
        {
            err(
                self,
                &["autoscale", "min"],
                format!("autoscale min {} is not above the disruption budget's min_available {min}", a.min),
                "at min replicas no pod could ever be evicted (node drains hang): raise min or lower min_available",
            );
        }
        if let Some(ing) = &svc.ingress {
            if svc.ports.is_empty() {
                err(
                    self,
                    &["ingress"],
                    format!("service `{name}` has no ports to expose"),
                    "add ports: {http: 8080} or remove ingress",
                );
            }
            if ing.hosts.is_empty() {
                err(
                    self,
                    &["ingress", "hosts"],
                    "ingress needs at least one host".into(),
                    "add hosts: [app.example.com]",
                );
            }
            for (i, h) in ing.hosts.iter().enumerate() {
                let full = resolve_host(h, spec.domain.as_deref());
                let idx = i.to_string();
                match full {
                    Some(f) if is_dns_subdomain(f.trim_start_matches("*.")) => {}
                    Some(f) => err(
                        self,
                        &["ingress", "hosts", &idx],
                        format!("`{f}` is not a valid host name"),
                        "write a lowercase DNS name",
                    ),
                    None => err(
                        self,
                        &["ingress", "hosts", &idx],
                        format!("host `{h}` needs the platform `domain`"),
                        "set domain: in the environment, or write the full host name",
                    ),
                }
            }
            if let Some(port) = &ing.port
                && !svc.ports.contains_key(port)
            {
                err(
                    self,
                    &["ingress", "port"],
                    format!("ingress port `{port}` is not one of the service's ports"),
                    &known("ports", svc.ports.keys()),
                );
            }
            if let Some(path) = &ing.path
                && !path.starts_with('/')
            {
                err(self, &["ingress", "path"], format!("ingress path `{path}` must start with /"), "e.g. /api");
            }
            if let Some(pt) = &ing.path_type
                && !["Prefix", "Exact", "ImplementationSpecific"].contains(&pt.as_str())
            {
                err(
                    self,
                    &["ingress", "path_type"],
                    format!("unknown path type `{pt}`"),
                    "write Prefix, Exact or ImplementationSpecific",
                );
            }
            if ing.tls == Some(true) && ing.issuer.is_none() && spec.ingress.issuer.is_none() {
                err(
                    self,
                    &["ingress", "tls"],
                    "tls is on but no certificate issuer is set".into(),
                    "set issuer: (a cert-manager ClusterIssuer) here or under the platform's ingress:",
                );
            }
            self.check_labels(&["services", name, "ingress", "annotations"], &ing.annotations, false);
            self.check_ingress_refs(&["services", name, "ingress"], ing.class.as_deref(), ing.issuer.as_deref());
        }
        if let Some(m) = &svc.metrics {
            match &m.port {
                Some(port) if !svc.ports.contains_key(port) => err(
                    self,
                    &["metrics", "port"],
                    format!("metrics port `{port}` is not one of the service's ports"),
                    &known("ports", svc.ports.keys()),
                ),
                None if svc.ports.is_empty() => err(
                    self,
                    &["metrics"],
                    "metrics are scraped through the Service, and this service has no ports".into(),
                    "add ports: {metrics: 9090}",
                ),
                _ => {}
            }
            if let Some(p) = &m.path
                && !p.starts_with('/')
            {
                err(self, &["metrics", "path"], format!("metrics path `{p}` must start with /"), "e.g. /metrics");
            }
            if let Some(i) = &m.interval
                && !is_duration(i)
            {
                err(self, &["metrics", "interval"], format!("`{i}` is not a duration"), "write e.g. 15s, 1m or 500ms");
            }
        }
        for (i, u) in svc.uses.iter().enumerate() {
            let idx = i.to_string();
            if svc.uses[..i].contains(u) {
                err(self, &["uses", &idx], format!("`{u}` is listed twice in uses"), "remove the repeat");
            } else if u == name {
                err(self, &["uses", &idx], format!("service `{name}` lists itself in uses"), "remove it");
            } else if !spec.services.contains_key(u) && !spec.databases.contains_key(u) {
                let cands: Vec<&str> = spec.services.keys().chain(spec.databases.keys()).map(String::as_str).collect();
                let help = match suggest(u, cands.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => known("services and databases", cands.iter()),
                };
                err(self, &["uses", &idx], format!("`{u}` is not a service or database of this platform"), &help);
            } else if let Some(s) = spec.services.get(u)
                && s.ports.is_empty()
            {
                err(
                    self,
                    &["uses", &idx],
                    format!("`{u}` has no ports, so nothing can connect to it"),
                    "give it ports: or remove it from uses",
                );
            }
        }
        if let Some(i) = svc.migrate.as_ref().and_then(|m| m.image.as_ref())
            && !is_image_ref(i)
        {
            err(
                self,
                &["migrate", "image"],
                format!("`{i}` is not an image reference"),
                "write registry/name:tag, e.g. ghcr.io/acme/migrate:1.0",
            );
        }
        if let Some(m) = &svc.migrate
            && (m.command.as_ref().is_some_and(Vec::is_empty) || (m.command.is_none() && m.image.is_none()))
        {
            err(
                self,
                &["migrate", "command"],
                "migrate command is empty".into(),
                "e.g. command: [python, -m, alembic, upgrade, head]",
            );
        }
        if let Some(r) = &svc.rollout {
            match (&r.blue_green, &r.canary) {
                (Some(bg), None) => {
                    if bg.live != "blue" && bg.live != "green" {
                        err(
                            self,
                            &["rollout", "blue_green", "live"],
                            format!("live track `{}` is neither blue nor green", bg.live),
                            "write live: blue or live: green",
                        );
                    }
                }
                (None, Some(c)) => {
                    if c.weight > 100 {
                        err(
                            self,
                            &["rollout", "canary", "weight"],
                            format!("canary weight {} is above 100", c.weight),
                            "write a percentage of traffic, 0 to 100",
                        );
                    }
                    let class = svc.ingress.as_ref().and_then(|i| i.class.as_deref()).or(spec.ingress.class.as_deref());
                    if svc.ingress.is_none() || class != Some("nginx") {
                        err(
                            self,
                            &["rollout", "canary"],
                            "canary weights are set through the nginx ingress controller".into(),
                            "give the service an ingress with class nginx, or use blue_green",
                        );
                    }
                }
                _ => err(
                    self,
                    &["rollout"],
                    "a rollout needs exactly one of blue_green or canary".into(),
                    "e.g. rollout: {blue_green: {live: blue}}",
                ),
            }
            if name.len() > 45 {
                err(
                    self,
                    &["rollout"],
                    format!("service name `{name}` is too long for rollout tracks (`{name}-preview`)"),
                    "shorten the service name to 45 characters",
                );
            }
        }
        for (i, a) in svc.access.iter().enumerate() {
            if let Err(e) = crate::spec::Access::parse(a) {
                let idx = i.to_string();
                err(
                    self,
                    &["access", &idx],
                    e,
                    "write VERBS RESOURCE[.GROUP][/NAME], e.g. `get,list,watch configmaps`",
                );
            }
        }
        if let Some(sa) = &svc.service_account
            && let Some(n) = &sa.name
            && !is_dns_subdomain(n)
        {
            err(
                self,
                &["service_account"],
                format!("service account name `{n}` is not valid"),
                "use lowercase letters, digits, '-' and '.'",
            );
        }
        self.check_labels(&["services", name, "labels"], &svc.labels, true);
        self.check_labels(&["services", name, "pod_labels"], &svc.pod_labels, true);
        self.check_labels(&["services", name, "annotations"], &svc.annotations, false);
        self.check_labels(&["services", name, "pod_annotations"], &svc.pod_annotations, false);
    }

    fn check_env(&mut self, base: &[&str], k: &str, v: &Short<EnvValue>, spec: &Platform) {
        let mut path = base.to_vec();
        path.extend(["env", k]);
        if k.is_empty() || k.contains('=') || k.chars().any(|c| c.is_control() || c.is_whitespace()) {
            self.err(
                &path,
                format!("`{k}` is not a valid environment variable name"),
                "use letters, digits and '_', e.g. LOG_LEVEL",
            );
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

    fn check_source(&mut self, path: &[&str], s: &Source, spec: &Platform) {
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

    fn check_probe(&mut self, path: &[&str], pr: &Probe, ports: &BTreeMap<String, Short<crate::spec::PortSpec>>) {
        let kinds = [pr.http.is_some(), pr.tcp.is_some(), pr.exec.is_some()];
        if kinds.iter().filter(|b| **b).count() != 1 {
            self.err(
                path,
                "a probe needs exactly one of http:, tcp: or exec:",
                "e.g. {http: /healthz} or {tcp: http} or {exec: [pg_isready]}",
            );
            return;
        }
        if let Some(h) = &pr.http
            && !h.starts_with('/')
        {
            let mut p = path.to_vec();
            p.push("http");
            self.err(&p, format!("probe path `{h}` must start with /"), "e.g. http: /healthz");
        }
        let port = pr.tcp.as_ref().or(pr.port.as_ref());
        if let Some(port) = port {
            if !ports.contains_key(port) && port.parse::<u16>().is_err() {
                let mut p = path.to_vec();
                p.push(if pr.tcp.is_some() { "tcp" } else { "port" });
                self.err(
                    &p,
                    format!("probe port `{port}` is not one of the service's ports"),
                    known("ports", ports.keys()),
                );
            }
        } else if pr.http.is_some() && ports.is_empty() {
            self.err(
                path,
                "an http probe needs a port, and this service has none",
                "add ports: or set port: on the probe",
            );
        }
        if let Some(e) = &pr.exec
            && e.is_empty()
        {
            self.err(path, "exec probe command is empty", "e.g. exec: [cat, /tmp/healthy]");
        }
        for (k, v) in [
            ("initial_delay", pr.initial_delay),
            ("period", pr.period),
            ("timeout", pr.timeout),
            ("failure_threshold", pr.failure_threshold),
            ("success_threshold", pr.success_threshold),
        ] {
            if let Some(v) = v
                && (v < 0 || (k != "initial_delay" && v < 1))
            {
                let mut p = path.to_vec();
                p.push(k);
                self.err(
                    &p,
                    format!("{k} is {v}; it must be at least {}", if k == "initial_delay" { 0 } else { 1 }),
                    "write a positive number of seconds (or attempts)",
                );
            }
        }
    }

    fn check_resources(&mut self, path: &[&str], r: &Resources) {
        for (k, v) in [("cpu", &r.cpu), ("memory", &r.memory), ("ephemeral-storage", &r.ephemeral_storage)] {
            let Some(v) = v else { continue };
            let mut p = path.to_vec();
            p.push(k);
            let (req, lim) = quantity::split(v);
            let rq = quantity::parse(req);
            let lq = lim.map(quantity::parse);
            match (rq, lq) {
                (None, _) => self.err(&p, format!("`{req}` is not a {k} quantity"), quantity::hint(req)),
                (_, Some(None)) => self.err(
                    &p,
                    format!("`{}` is not a {k} quantity", lim.unwrap_or_default()),
                    quantity::hint(lim.unwrap_or_default()),
                ),
                (Some(a), Some(Some(b))) if a > b => self.err(
                    &p,
                    format!("{k} request {req} is above its limit {}", lim.unwrap_or_default()),
                    "write request/limit with the request not above the limit",
                ),
                _ => {}
            }
        }
    }

    fn check_pdb(&mut self, path: &[&str], pdb: Option<&crate::spec::Pdb>) {
        let Some(pdb) = pdb else { return };
        if pdb.min_available.is_some() == pdb.max_unavailable.is_some() {
            self.err(
                path,
                "a disruption budget needs exactly one of min_available or max_unavailable",
                "e.g. pdb: {min_available: 2}",
            );
        }
        for v in [&pdb.min_available, &pdb.max_unavailable].into_iter().flatten() {
            if !is_int_or_percent(v) {
                self.err(path, format!("`{v}` is neither a count nor a percentage"), "write e.g. 2 or 50%");
            }
        }
    }

    fn read_files(&mut self, spec: &Platform, dir: &Path, out: &mut BTreeMap<String, String>) {
        let mut check = |c: &mut Self, path: Vec<&str>, f: &FileSource| match (&f.content, &f.from) {
            (Some(_), None) => {}
            (None, Some(from))
                if Path::new(from).is_absolute()
                    || Path::new(from).components().any(|c| matches!(c, std::path::Component::ParentDir)) =>
            {
                c.err(
                    &path,
                    format!("`{from}` is outside the platform folder"),
                    "from: paths are relative to the platform folder and stay inside it (no leading / and no ..)",
                )
            }
            (None, Some(from)) => {
                if !out.contains_key(from) {
                    match crate::load::read_text(&dir.join(from)) {
                        Ok(t) => {
                            out.insert(from.clone(), t);
                        }
                        Err(d) => c.err(&path, d.message, "paths in from: are relative to the platform folder"),
                    }
                }
            }
            _ => c.err(
                &path,
                "a file needs exactly one of content: or from:",
                "write the text directly, or {from: files/app.conf}",
            ),
        };
        for (n, cfg) in &spec.configs {
            for (k, f) in &cfg.files {
                check(self, vec!["configs", n, "files", k], f);
            }
        }
        for (n, svc) in &spec.services {
            for (k, f) in &svc.files {
                check(self, vec!["services", n, "files", k], f);
            }
        }
    }
}

/// Environment variable names whose values are credentials.
pub fn looks_secret(name: &str) -> bool {
    let n = name.to_ascii_uppercase();
    ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY", "CREDENTIALS"]
        .iter()
        .any(|w| n.ends_with(w) || n.contains(&format!("{w}_")))
        && !n.ends_with("_FILE")
        && !n.ends_with("_PATH")
}

/// Environments held to production rules (no `latest` images).
pub fn is_production(env: &str) -> bool {
    matches!(env, "prod" | "production") || env.starts_with("prod-")
}

/// A five-field cron schedule (or an @-macro such as @daily).
pub fn is_cron(s: &str) -> bool {
    if s.starts_with('@') {
        return ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"].contains(&s);
    }
    let fields: Vec<&str> = s.split_whitespace().collect();
    fields.len() == 5
        && fields
            .iter()
            .all(|f| f.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '*' | '/' | ',' | '-' | '?')))
}

/// Prometheus duration: a number and a unit (ms, s, m, h, d, w, y), e.g. `15s` or `1m30s`.
pub fn is_duration(v: &str) -> bool {
    let mut rest = v;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        let unit = ["ms", "s", "m", "h", "d", "w", "y"].iter().find(|u| rest.starts_with(**u));
        match unit {
            Some(u) => rest = &rest[u.len()..],
            None => return false,
        }
    }
    true
}

pub fn is_int_or_percent(v: &str) -> bool {
    let digits = v.strip_suffix('%').unwrap_or(v);
    !digits.is_empty() && digits.chars().all(|c| c.is_ascii_digit())
}

/// `api` + domain `example.com` → `api.example.com`; `@` → the domain; full names stay.
pub fn resolve_host(h: &str, domain: Option<&str>) -> Option<String> {
    if h == "@" {
        return domain.map(str::to_string);
    }
    if h.contains('.') {
        return Some(h.to_string());
    }
    domain.map(|d| format!("{h}.{d}"))
}

fn known<'a>(what: &str, names: impl Iterator<Item = &'a (impl AsRef<str> + 'a + ?Sized)>) -> String {
    let v: Vec<&str> = names.map(AsRef::as_ref).collect();
    if v.is_empty() { format!("there are no {what} defined") } else { format!("known {what}: {}", v.join(", ")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(is_dns_label("api-v2"));
        assert!(!is_dns_label("Api"));
        assert!(!is_dns_label("-a"));
        assert!(!is_dns_label(&"a".repeat(64)));
        assert!(is_port_name("http"));
        assert!(!is_port_name("8080"));
        assert!(!is_port_name("a-very-long-port-name"));
        assert!(is_label_key("app.kubernetes.io/name"));
        assert!(!is_label_key("bad key"));
        assert_eq!(resolve_host("api", Some("x.com")).as_deref(), Some("api.x.com"));
        assert_eq!(resolve_host("@", Some("x.com")).as_deref(), Some("x.com"));
        assert_eq!(resolve_host("api", None), None);
        assert!(is_duration("15s") && is_duration("1m30s") && is_duration("500ms"));
        assert!(!is_duration("15") && !is_duration("s") && !is_duration("1x"));
        assert!(is_cron("0 2 * * *") && is_cron("*/15 * * * 1-5") && is_cron("@daily"));
        assert!(!is_cron("0 2 * *") && !is_cron("daily") && !is_cron("0 2 * * * *"));
        assert!(is_field_path("metadata.name") && is_field_path("metadata.labels['app.kubernetes.io/name']"));
        assert!(!is_field_path("metadata.nme") && !is_field_path("metadata.labels['bad key']"));
        assert!(is_image_tag("16-alpine") && !is_image_tag("16 alpine") && !is_image_tag("-x"));
        assert!(is_image_ref("ghcr.io/acme/migrate:1.0") && !is_image_ref("ghcr.io/acme/migrate 1.0"));
    }
}
