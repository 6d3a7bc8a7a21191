//! `healthcheck:` → exec liveness and readiness probes; TCP probes where genk8s's
//! default probe would pick a port that is not TCP.

use super::conv::{Conv, is_true};
use super::plan::{NamedPort, Plan};
use super::values;
use crate::yaml::NodeKind;
use crate::yaml::node::Entry;
use serde_json::{Map, Value, json};

impl Conv<'_> {
    /// Docker healthcheck → exec liveness and readiness probes.
    pub(super) fn probes(&mut self, p: &Plan, entry: &Entry) -> Option<Value> {
        let path = p.path("healthcheck");
        let hc = &entry.value;
        if is_true(hc.get("disable")) {
            self.note(entry.key_span, path, "disabled in Compose: no probes written (genk8s adds TCP probes on the first port of services with ports)");
            return None;
        }
        let Some(test) = hc.entry("test") else {
            self.note(
                entry.key_span,
                path,
                "has no test (Compose then uses the image's HEALTHCHECK, which genk8s cannot see): no probes written",
            );
            return None;
        };
        let exec = self.probe_command(test, &path)?;
        let mut timing = Map::new();
        let mut liveness_delay = None;
        for e in hc.entries().unwrap_or_default() {
            let fpath = format!("{path}.{}", e.key);
            let text = e.value.as_str().unwrap_or_default();
            let dur = |c: &mut Self| {
                let d = values::parse_duration(text);
                if d.is_none() {
                    c.warn(e.value.span, fpath.clone(), format!("`{text}` is not a duration; ignored"));
                }
                d
            };
            match e.key.as_str() {
                "test" | "disable" => {}
                "interval" | "timeout" => {
                    if let Some(d) = dur(self) {
                        let field = if e.key == "interval" { "period" } else { "timeout" };
                        timing.insert(field.into(), json!(values::seconds(d, 1)));
                    }
                }
                "retries" => match text.parse::<i64>() {
                    Ok(r) => {
                        timing.insert("failure_threshold".into(), json!(r.max(1)));
                    }
                    Err(_) => self.warn(e.value.span, fpath, "retries must be a whole number; ignored"),
                },
                "start_period" => {
                    if let Some(d) = dur(self) {
                        liveness_delay = Some(values::seconds(d, 0));
                    }
                }
                "start_interval" => self.note(e.key_span, fpath, "not converted: Kubernetes probes keep one period"),
                _ => self.warn(e.key_span, fpath, "unknown healthcheck field; ignored"),
            }
        }
        let probe = |delay: Option<i64>| {
            let mut m = Map::new();
            m.insert("exec".into(), json!(exec));
            if let Some(d) = delay.filter(|d| *d > 0) {
                m.insert("initial_delay".into(), json!(d));
            }
            m.extend(timing.clone());
            Value::Object(m)
        };
        Some(json!({"liveness": probe(liveness_delay), "readiness": probe(None)}))
    }

    /// The exec command of a healthcheck `test:` (a string runs through the shell);
    /// `None` when there is none to run.
    fn probe_command(&mut self, test: &Entry, path: &str) -> Option<Vec<String>> {
        let exec: Vec<String> = match &test.value.kind {
            NodeKind::Scalar { text, .. } if text.trim().is_empty() => Vec::new(),
            NodeKind::Scalar { text, .. } => vec!["/bin/sh".into(), "-c".into(), text.clone()],
            NodeKind::Seq(items) => {
                let words: Vec<String> = items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect();
                match words.first().map(String::as_str) {
                    Some("NONE") => {
                        self.note(test.key_span, format!("{path}.test"), "NONE disables the check: no probes written");
                        return None;
                    }
                    Some("CMD") => words[1..].to_vec(),
                    Some("CMD-SHELL") => vec!["/bin/sh".into(), "-c".into(), words[1..].join(" ")],
                    _ => {
                        self.warn(
                            test.value.span,
                            format!("{path}.test"),
                            "a test list must start with CMD, CMD-SHELL or NONE; no probes written",
                        );
                        return None;
                    }
                }
            }
            _ => Vec::new(),
        };
        if exec.is_empty() || exec.iter().all(|w| w.trim().is_empty()) {
            self.warn(test.key_span, format!("{path}.test"), "the test is empty; no probes written");
            return None;
        }
        Some(exec)
    }

    /// genk8s probes a service without probes over TCP on its first port (by name);
    /// when that port is UDP or SCTP, probe the first TCP port instead, or say so.
    pub(super) fn default_probes(&mut self, p: &Plan) -> Option<Value> {
        let mut ports: Vec<&NamedPort> = p.ports.iter().collect();
        ports.sort_by(|a, b| a.name.cmp(&b.name));
        let first = ports.first()?;
        if first.m.protocol == "tcp" {
            return None;
        }
        match ports.iter().find(|np| np.m.protocol == "tcp") {
            Some(tcp) => {
                self.note(
                    p.key_span("ports"),
                    p.path("ports"),
                    format!("TCP probes on port `{}` written (the first port, `{}`, is not TCP)", tcp.name, first.name),
                );
                Some(json!({
                    "liveness": {"tcp": tcp.name, "initial_delay": 10, "period": 10},
                    "readiness": {"tcp": tcp.name, "period": 5},
                }))
            }
            None => {
                self.warn(
                    p.key_span("ports"),
                    p.path("ports"),
                    format!("no TCP port and no healthcheck: genk8s's default TCP probe on `{}` cannot succeed; add probes: (e.g. an exec probe)", first.name),
                );
                None
            }
        }
    }
}
