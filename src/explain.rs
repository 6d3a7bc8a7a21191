//! `genk8s explain ENV [PATH]`: the merged spec of an environment, every value
//! annotated with the file:line:col it came from (base, overlay, or a genk8s
//! default), to answer "why is replicas 5 in prod?".

use crate::source::{SourceMap, Span};
use crate::yaml::emit::is_plain_safe;
use crate::yaml::{Node, NodeKind};
use std::fmt::Write as _;
use std::path::Path;

/// Defaults genk8s applies when a value is not written, for the paths people ask about.
const DEFAULTS: &[(&str, &str)] = &[
    ("namespace", "<platform>-<env>"),
    ("kubernetes", "1.35 (the oldest minor in upstream support; 1.36 and 1.37 are accepted too)"),
    ("production", "true for environments named prod, production or prod-*, else false"),
    ("services.*.replicas", "1 (no Deployment replicas when autoscale is set: the HPA owns them)"),
    ("services.*.resources.cpu", "100m"),
    ("services.*.resources.memory", "128Mi/256Mi"),
    ("services.*.strategy", "rolling: {max_surge: 25%, max_unavailable: 0}; recreate with volumes or GPUs"),
    ("services.*.probes", "tcp liveness and readiness on the first port, when the service has ports"),
    (
        "services.*.probes.liveness",
        "tcp on the first TCP port, initial_delay 10, period 10 (when the service has ports and no probes)",
    ),
    ("services.*.probes.readiness", "tcp on the first TCP port, period 5 (when the service has ports and no probes)"),
    ("services.*.probes.startup", "none"),
    ("services.*.probes.*.port", "the service's first port"),
    ("services.*.probes.*.initial_delay", "0 (Kubernetes' default; 10 for the automatic liveness probe)"),
    ("services.*.probes.readiness.period", "5 for the automatic readiness probe, else 10 (Kubernetes' default)"),
    ("services.*.probes.*.period", "10 (Kubernetes' default)"),
    ("services.*.probes.*.timeout", "1 (Kubernetes' default)"),
    ("services.*.probes.*.failure_threshold", "3 (Kubernetes' default)"),
    ("services.*.probes.*.success_threshold", "1 (Kubernetes' default)"),
    ("services.*.component", "service"),
    ("services.*.command", "the image's entrypoint"),
    ("services.*.args", "the image's command"),
    ("services.*.run_as_group", "run_as_user"),
    ("services.*.fs_group", "run_as_user"),
    ("services.*.service_account", "none: the namespace's default account, no token mounted"),
    ("services.*.metrics.port", "the service's first port"),
    ("services.*.ingress.port", "the service's first port"),
    ("services.*.ingress.class", "ingress.class"),
    ("services.*.ingress.issuer", "ingress.issuer"),
    ("services.*.migrate.image", "the service's image"),
    ("services.*.migrate.job", "false (an init container)"),
    ("services.*.autoscale.cpu", "none (no CPU target) unless no other metric is set"),
    (
        "services.*.uses",
        "[] (no network path to other services or databases), plus the databases and endpoints env reads",
    ),
    ("services.*.observability", "the platform's observability"),
    ("services.*.observability.service", "the service's name"),
    ("observability.datadog.env", "the environment's name"),
    ("observability.datadog.node_cidrs", "[] (the agent's ports to any address)"),
    ("observability.datadog.apm_port", "8126"),
    ("observability.datadog.statsd_port", "8125"),
    ("observability.otel.namespace", "none (the endpoint's port to any address)"),
    ("endpoints.*.port", "the url's port, or its scheme's"),
    ("endpoints.*.host", "the url's host"),
    ("monitoring.labels", "none (kube-prometheus-stack selects release: <its Helm release>)"),
    ("monitoring.dashboard.namespace", "the platform's namespace"),
    ("services.*.egress", "[] (DNS only, besides uses)"),
    ("services.*.pdb", "max_unavailable: 1 when replicas > 1"),
    ("services.*.run_as_user", "10001"),
    ("services.*.ingress.path", "/"),
    ("services.*.ingress.path_type", "Prefix"),
    ("services.*.ingress.tls", "on when an issuer is set"),
    ("services.*.metrics.path", "/metrics"),
    ("services.*.metrics.interval", "30s"),
    ("databases.*.replicas", "1"),
    ("databases.*.credentials", "<name>-credentials"),
    ("databases.*.version", "the engine's default tag (see README: Database engine catalog)"),
    ("databases.*.storage.size", "the engine's default size"),
    ("databases.*.storage", "the engine's default size, the cluster's default StorageClass"),
    ("databases.*.storage.class", "the cluster's default StorageClass"),
    ("databases.*.backup.size", "the database's storage size"),
    ("databases.*.pdb", "max_unavailable: 1 when replicas > 1"),
    ("databases.*.backup.keep", "7"),
    ("ingress.controller_namespace", "ingress-nginx"),
    ("monitoring.namespace", "monitoring"),
];

fn default_for(path: &[&str]) -> Option<&'static str> {
    DEFAULTS.iter().find_map(|(pattern, value)| {
        let parts: Vec<&str> = pattern.split('.').collect();
        (parts.len() == path.len() && parts.iter().zip(path).all(|(p, x)| *p == "*" || p == x)).then_some(*value)
    })
}

fn location(sources: &SourceMap, root: &Path, span: Span) -> String {
    let file = &sources.file(span.file).path;
    let shown = file.strip_prefix(root).unwrap_or(file);
    format!("{}:{}:{}", shown.display(), span.line, span.col)
}

fn scalar(text: &str) -> String {
    if is_plain_safe(text) { text.to_string() } else { format!("{text:?}") }
}

fn write_node(out: &mut String, n: &Node, indent: usize, sources: &SourceMap, root: &Path) {
    let pad = " ".repeat(indent);
    match &n.kind {
        NodeKind::Map(entries) => {
            for e in entries {
                match &e.value.kind {
                    NodeKind::Map(_) | NodeKind::Seq(_) => {
                        let _ = writeln!(out, "{pad}{}:", scalar(&e.key));
                        write_node(out, &e.value, indent + 2, sources, root);
                    }
                    _ => {
                        let _ = writeln!(
                            out,
                            "{pad}{}: {}    # {}",
                            scalar(&e.key),
                            leaf(&e.value),
                            location(sources, root, e.value.span)
                        );
                    }
                }
            }
        }
        NodeKind::Seq(items) => {
            for item in items {
                match &item.kind {
                    NodeKind::Map(_) | NodeKind::Seq(_) => {
                        let _ = writeln!(out, "{pad}-");
                        write_node(out, item, indent + 2, sources, root);
                    }
                    _ => {
                        let _ = writeln!(out, "{pad}- {}    # {}", leaf(item), location(sources, root, item.span));
                    }
                }
            }
        }
        _ => {
            let _ = writeln!(out, "{pad}{}    # {}", leaf(n), location(sources, root, n.span));
        }
    }
}

fn leaf(n: &Node) -> String {
    match &n.kind {
        NodeKind::Scalar { text, .. } if text.contains('\n') => format!("{:?}", text),
        // Shown as written: a plain `8000` stays plain, a quoted "on" stays quoted.
        NodeKind::Scalar { text, plain: true } => text.clone(),
        NodeKind::Scalar { text, .. } => format!("{text:?}"),
        _ => "null".into(),
    }
}

/// Defaults that depend on a database's engine, by path: what its template renders
/// for that database (storage size, image and tag, resources).
pub fn engine_defaults(merged: &Node, catalog: &crate::catalog::Catalog, sources: &mut SourceMap) -> Concrete {
    let mut out = Concrete::new();
    for e in merged.get("databases").and_then(Node::entries).unwrap_or_default() {
        let name = e.key.as_str();
        let text = |k: &str| e.value.get(k).and_then(Node::as_str);
        let Some(engine) = text("engine").filter(|en| catalog.has(en)) else { continue };
        let credentials = text("credentials").map_or_else(|| format!("{name}-credentials"), str::to_string);
        let vars = crate::catalog::EngineVars {
            name,
            version: text("version"),
            database: text("database"),
            credentials: &credentials,
            host: name,
            port: None,
            config_file: text("config_file"),
            tls_dir: e.value.get("tls").map(|_| crate::spec::TLS_DIR),
            image: text("image"),
            id: crate::catalog::stable_id(merged.get("platform").and_then(Node::as_str).unwrap_or_default(), name),
        };
        let Ok(en) = catalog.render(engine, &vars, sources, e.key_span) else { continue };
        let from = format!("(engine `{engine}`)");
        let at = |f: &str| format!("databases.{name}.{f}");
        out.insert(at("storage.size"), format!("{} {from}", en.storage));
        out.insert(at("storage"), format!("size {} {from}, the cluster's default StorageClass", en.storage));
        out.insert(at("image"), format!("{} {from}", en.image));
        if let Some(tag) = crate::spec::image_tag(&en.image) {
            out.insert(at("version"), format!("{tag} {from}"));
        }
        for (k, v) in [("cpu", &en.resources.cpu), ("memory", &en.resources.memory)] {
            if let Some(v) = v {
                out.insert(at(&format!("resources.{k}")), format!("{v} {from}"));
            }
        }
    }
    out
}

/// Defaults computed for this platform, by dotted path.
pub type Concrete = std::collections::BTreeMap<String, String>;

/// Why a value that is set has no effect, if it has none.
fn ignored(merged: &Node, parts: &[&str]) -> Option<&'static str> {
    match parts {
        ["services", name, "replicas"] if merged.get("services")?.get(name)?.get("autoscale").is_some() => {
            Some("ignored: autoscale is set, so the HorizontalPodAutoscaler owns replicas, starting at autoscale.min")
        }
        _ => None,
    }
}

/// Renders the merged spec, or the part at `path` (dot-separated, e.g. `services.api.replicas`).
pub fn render(
    merged: &Node,
    path: Option<&str>,
    sources: &SourceMap,
    root: &Path,
    concrete: &Concrete,
) -> Result<String, String> {
    let mut out = String::new();
    let Some(path) = path.filter(|p| !p.is_empty()) else {
        write_node(&mut out, merged, 0, sources, root);
        return Ok(out);
    };
    let parts: Vec<&str> = path.split('.').collect();
    let mut node = merged;
    for (i, part) in parts.iter().enumerate() {
        let next = match &node.kind {
            NodeKind::Map(_) => node.get(part),
            NodeKind::Seq(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => {
                let known: Vec<&str> =
                    node.entries().map(|e| e.iter().map(|e| e.key.as_str()).collect()).unwrap_or_default();
                let default = concrete.get(path).map(String::as_str).or_else(|| default_for(&parts));
                return match default {
                    // Also when a map above it is unset (probes of a service without probes:),
                    // but not under a service or database that does not exist.
                    Some(d) if i == parts.len() - 1 || i >= 2 => {
                        Ok(format!("{path}: not set in the base or the environment; genk8s default: {d}\n"))
                    }
                    _ => {
                        let hint = crate::diag::suggest(part, known.iter().copied())
                            .map(|s| format!(" (did you mean `{s}`?)"))
                            .unwrap_or_default();
                        Err(format!("`{path}`: `{part}` is not set{hint}; here: {}", known.join(", ")))
                    }
                };
            }
        }
    }
    match &node.kind {
        NodeKind::Map(_) | NodeKind::Seq(_) => {
            let _ = writeln!(out, "{path}:");
            write_node(&mut out, node, 2, sources, root);
        }
        _ => {
            let note = ignored(merged, &parts).map(|w| format!(" ({w})")).unwrap_or_default();
            let _ = writeln!(out, "{path}: {}    # {}{note}", leaf(node), location(sources, root, node.span));
        }
    }
    Ok(out)
}
