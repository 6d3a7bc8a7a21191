//! Checks of a service's probe headers and shutdown options.

use super::Checker;
use crate::spec::{Probe, Service};

/// Kubernetes' default `terminationGracePeriodSeconds`.
const DEFAULT_GRACE: i64 = 30;

/// An HTTP header name: one or more token characters (RFC 9110).
fn is_header_name(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c))
}

impl Checker<'_> {
    pub(super) fn check_lifecycle(&mut self, name: &str, svc: &Service) {
        let probes = [
            ("liveness", &svc.probes.liveness),
            ("readiness", &svc.probes.readiness),
            ("startup", &svc.probes.startup),
        ];
        for (kind, probe) in probes {
            if let Some(p) = probe {
                self.check_headers(name, kind, p);
            }
        }
        if let Some(s) = &svc.shutdown {
            let at = |f: &'static str| ["services", name, "shutdown", f];
            if s.grace.is_some_and(|g| g < 0) {
                self.err(&at("grace"), "the grace period cannot be negative", "write seconds, e.g. grace: 60");
            }
            if s.pre_stop.is_some() && s.sleep.is_some() {
                self.err(
                    &at("sleep"),
                    "`pre_stop` and `sleep` both set: a container has one preStop hook",
                    "keep one (put a sleep into the command if you need both)",
                );
            }
            if s.pre_stop.as_ref().is_some_and(Vec::is_empty) {
                self.err(
                    &at("pre_stop"),
                    "`pre_stop` is an empty command",
                    "write the command, e.g. [celery, control, shutdown]",
                );
            }
            let grace = s.grace.unwrap_or(DEFAULT_GRACE);
            if let Some(sleep) = s.sleep.filter(|t| *t < 1 || *t >= grace) {
                self.err(
                    &at("sleep"),
                    format!("a preStop sleep of {sleep}s with a grace period of {grace}s leaves the app no time to stop"),
                    "sleep at least 1 second and less than `grace` (the kubelet kills the pod when grace runs out, hook included)",
                );
            }
        }
    }

    fn check_headers(&mut self, name: &str, kind: &'static str, p: &Probe) {
        if p.headers.is_empty() {
            return;
        }
        let at = ["services", name, "probes", kind, "headers"];
        if p.http.is_none() {
            self.err(&at, "headers apply to `http` probes only", "remove `headers`, or probe with `http: <path>`");
        }
        for (h, v) in &p.headers {
            if !is_header_name(h) || v.contains(['\r', '\n']) {
                self.err(
                    &at,
                    format!("`{h}` is not a valid HTTP header"),
                    "write a header name such as Host, with a one-line value",
                );
            }
        }
    }
}
