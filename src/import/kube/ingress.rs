//! Ingresses as the `ingress:` of the services they route to. An Ingress that
//! routes to several services becomes one per service (genk8s writes an Ingress
//! per service), so it is compared as a whole rather than field by field.

use super::read::at;
use super::recognise::{Fate, Rec, items, labels};
use crate::yaml::Node;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

/// A service's hosts and its first path (path, pathType).
type Routes = (Vec<String>, Option<(String, String)>);

/// Annotations the spec expresses with its own fields.
const NATIVE: &[&str] = &["kubernetes.io/ingress.class", "cert-manager.io/cluster-issuer"];

impl Rec<'_> {
    /// Folds every Ingress into the services its rules route to.
    pub fn ingresses(&mut self, service_of: &BTreeMap<String, String>) {
        for i in self.of_kind("Ingress") {
            let node = &self.docs[i].node;
            let mut by_service: BTreeMap<String, Routes> = BTreeMap::new();
            let mut unknown = false;
            for rule in items(at(node, &["spec", "rules"])) {
                let host = rule.get("host").and_then(Node::as_str).unwrap_or("@").to_string();
                for p in items(at(rule, &["http", "paths"])) {
                    let backend = at(p, &["backend", "service", "name"]).and_then(Node::as_str).unwrap_or_default();
                    let Some(svc) = service_of.get(backend) else {
                        unknown = true;
                        continue;
                    };
                    let e = by_service.entry(svc.clone()).or_default();
                    if !e.0.contains(&host) {
                        e.0.push(host.clone());
                    }
                    let path = p.get("path").and_then(Node::as_str).unwrap_or("/").to_string();
                    let kind = p.get("pathType").and_then(Node::as_str).unwrap_or("Prefix").to_string();
                    e.1.get_or_insert((path, kind));
                }
            }
            if by_service.is_empty() || unknown {
                continue;
            }
            let common = self.ingress_common(i);
            let names: Vec<String> = by_service.keys().cloned().collect();
            for (svc, (hosts, path)) in by_service {
                let mut ing = common.clone();
                ing.insert("hosts".into(), json!(hosts));
                if let Some((path, kind)) = path {
                    if path != "/" {
                        ing.insert("path".into(), json!(path));
                    }
                    if kind != "Prefix" {
                        ing.insert("path_type".into(), json!(kind));
                    }
                }
                if let Some(Value::Object(s)) = self.section("services").get_mut(&svc) {
                    s.insert("ingress".into(), Value::Object(ing));
                }
            }
            let fate = if names.len() == 1 {
                Fate::Native("Ingress".into(), names[0].clone())
            } else {
                Fate::Derived(format!("split into one Ingress per service: {}", names.join(", ")))
            };
            self.settle(i, fate);
        }
    }

    /// Class, issuer, TLS secret and the other annotations of Ingress `i`.
    fn ingress_common(&mut self, i: usize) -> Map<String, Value> {
        let docs = self.docs;
        let d = &docs[i];
        let ann = labels(at(&d.node, &["metadata", "annotations"]));
        let mut ing = Map::new();
        let class =
            d.str_at(&["spec", "ingressClassName"]).or(ann.get("kubernetes.io/ingress.class").map(String::as_str));
        if let Some(c) = class {
            ing.insert("class".into(), json!(c));
        }
        match ann.get("cert-manager.io/cluster-issuer") {
            Some(issuer) => {
                ing.insert("issuer".into(), json!(issuer));
            }
            // Without an issuer TLS is off unless the Ingress names a certificate Secret.
            None if at(&d.node, &["spec", "tls"]).is_some() => {
                ing.insert("tls".into(), json!(true));
            }
            None => {}
        }
        if let Some(s) =
            items(at(&d.node, &["spec", "tls"])).first().and_then(|t| t.get("secretName")).and_then(Node::as_str)
        {
            ing.insert("tls_secret".into(), json!(s));
        }
        let mut rest = Map::new();
        for (k, v) in ann.into_iter().filter(|(k, _)| !NATIVE.contains(&k.as_str())) {
            if let Some(why) = refused(&k) {
                let span = at(&d.node, &["metadata", "annotations"])
                    .and_then(|a| a.entry(&k))
                    .map_or(d.span(), |e| e.key_span);
                self.warn(span, format!("{}.metadata.annotations.{k}", d.key()), why);
                continue;
            }
            rest.insert(k, json!(v));
        }
        if !rest.is_empty() {
            ing.insert("annotations".into(), Value::Object(rest));
        }
        ing
    }
}

/// Why the spec refuses an annotation ingress-nginx does not read (or refuses).
fn refused(key: &str) -> Option<String> {
    use crate::validate::cluster::{NGINX, NGINX_ANNOTATIONS, NGINX_SNIPPETS};
    let name = key.strip_prefix(NGINX)?;
    if NGINX_SNIPPETS.contains(&name) {
        Some("a snippet annotation, which ingress-nginx refuses by default; left out".into())
    } else if !NGINX_ANNOTATIONS.contains(&name) {
        Some("ingress-nginx has no such annotation (it is ignored); left out".into())
    } else {
        None
    }
}
