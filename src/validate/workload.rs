//! Scheduling and scaling checks: resources, replicas, autoscaling, probes,
//! disruption budgets and tolerations.

use super::Checker;
use super::names::*;
use crate::diag::suggest;
use crate::quantity;
use crate::spec::{Autoscale, Probe, Resources, Service, Short};
use std::collections::BTreeMap;

impl Checker<'_> {
    /// Resources, replicas, rollout strategy, autoscaling and disruption budget of a service.
    pub(super) fn check_scaling(&mut self, name: &str, svc: &Service) {
        if let Some(r) = &svc.resources {
            self.check_resources(&["services", name, "resources"], r);
        }
        self.check_replicas(name, svc);
        self.check_strategy(name, svc);
        self.check_labels(&["services", name, "node_selector"], &svc.node_selector, true);
        self.check_tolerations(&["services", name, "tolerations"], &svc.tolerations);
        self.check_autoscale(name, svc);
        self.check_pdb(&["services", name, "pdb"], svc.pdb.as_ref());
        self.check_autoscale_pdb(name, svc);
    }

    /// `replicas` is not negative.
    fn check_replicas(&mut self, name: &str, svc: &Service) {
        if let Some(r) = svc.replicas
            && r < 0
        {
            self.svc_err(name, &["replicas"], "replicas cannot be negative".into(), "write 0 or more");
        }
    }

    /// `strategy`: a rolling update's max surge and max unavailable.
    fn check_strategy(&mut self, name: &str, svc: &Service) {
        if let Some(crate::spec::Strategy::Rolling { max_surge, max_unavailable }) = &svc.strategy {
            for (k, v) in [("max_surge", max_surge), ("max_unavailable", max_unavailable)] {
                if let Some(v) = v
                    && !is_int_or_percent(v)
                {
                    self.svc_err(
                        name,
                        &["strategy", "rolling", k],
                        format!("`{v}` is neither a count nor a percentage"),
                        "write e.g. 1 or 25%",
                    );
                }
            }
            let zero = |v: &Option<String>| v.as_deref().is_some_and(|v| v.trim_end_matches('%') == "0");
            if zero(max_surge) && zero(max_unavailable) {
                self.svc_err(
                    name,
                    &["strategy", "rolling", "max_unavailable"],
                    "max_surge and max_unavailable are both 0, so a rollout can never progress".into(),
                    "let one of them be above 0, e.g. max_surge: 1",
                );
            }
        }
    }

    /// `autoscale`: min and max replicas, utilization targets, pod metrics and scaling behaviour.
    fn check_autoscale(&mut self, name: &str, svc: &Service) {
        if let Some(a) = &svc.autoscale {
            if a.min < 1 {
                self.svc_err(
                    name,
                    &["autoscale", "min"],
                    format!("autoscale min is {}; it must be at least 1", a.min),
                    "write min: 1 or more",
                );
            }
            if a.max < a.min {
                self.svc_err(
                    name,
                    &["autoscale", "max"],
                    format!("autoscale max {} is below min {}", a.max, a.min),
                    "raise max or lower min",
                );
            }
            for (k, v) in [("cpu", a.cpu), ("memory", a.memory)] {
                if let Some(v) = v
                    && !(1..=1000).contains(&v)
                {
                    self.svc_err(
                        name,
                        &["autoscale", k],
                        format!("target utilization {v}% is out of range"),
                        "write a percentage of the request between 1 and 1000",
                    );
                }
            }
            if a.cpu.is_none() && a.memory.is_none() && a.pods.is_empty() {
                self.svc_err(
                    name,
                    &["autoscale"],
                    "autoscale has no metric".into(),
                    "set cpu:, memory: (target utilization %) or pods: {metric: target}",
                );
            }
            for (m, v) in &a.pods {
                if quantity::parse(v).is_none() {
                    self.svc_err(
                        name,
                        &["autoscale", "pods", m],
                        format!("`{v}` is not a quantity"),
                        "write the target average value, e.g. \"100\" or 500m",
                    );
                }
            }
            self.check_scale_behavior(name, a);
        }
    }

    /// Autoscale min stays above the disruption budget's min_available.
    fn check_autoscale_pdb(&mut self, name: &str, svc: &Service) {
        if let (Some(a), Some(min)) = (&svc.autoscale, svc.pdb.as_ref().and_then(|p| p.min_available.as_deref()))
            && let Ok(min) = min.parse::<i32>()
            && a.min <= min
        {
            self.svc_err(
                name,
                &["autoscale", "min"],
                format!("autoscale min {} is not above the disruption budget's min_available {min}", a.min),
                "at min replicas no pod could ever be evicted (node drains hang): raise min or lower min_available",
            );
        }
    }

    /// `autoscale.scale_up` and `scale_down`: select policy, stabilization window and policies.
    fn check_scale_behavior(&mut self, name: &str, a: &Autoscale) {
        for (dir, rules) in [("scale_up", &a.scale_up), ("scale_down", &a.scale_down)] {
            let Some(rules) = rules else { continue };
            if let Some(s) = &rules.select
                && !["Max", "Min", "Disabled"].contains(&s.as_str())
            {
                self.svc_err(
                    name,
                    &["autoscale", dir, "select"],
                    format!("unknown select policy `{s}`"),
                    "write Max, Min or Disabled",
                );
            }
            if let Some(w) = rules.window
                && !(0..=3600).contains(&w)
            {
                self.svc_err(
                    name,
                    &["autoscale", dir, "window"],
                    format!("stabilization window {w} is out of range; the window must be between 0 and 3600 seconds"),
                    "write e.g. window: 300",
                );
            }
            for (i, pol) in rules.policies.iter().enumerate() {
                let idx = i.to_string();
                if !(1..=1800).contains(&pol.period) {
                    self.svc_err(
                        name,
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
                        self.svc_err(
                            name,
                            &["autoscale", dir, "policies", &idx, k],
                            format!("policy {k} is {v}; it must be at least 1"),
                            "write a positive amount of change, e.g. {pods: 2, period: 60}",
                        );
                    }
                }
                if pol.percent.is_some() == pol.pods.is_some() {
                    self.svc_err(
                        name,
                        &["autoscale", dir, "policies", &idx],
                        "a scaling policy needs exactly one of percent: or pods:".into(),
                        "e.g. {percent: 100, period: 15}",
                    );
                }
            }
        }
    }

    pub(super) fn check_probe(
        &mut self,
        path: &[&str],
        pr: &Probe,
        ports: &BTreeMap<String, Short<crate::spec::PortSpec>>,
    ) {
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

    pub(super) fn check_resources(&mut self, path: &[&str], r: &Resources) {
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

    pub(super) fn check_pdb(&mut self, path: &[&str], pdb: Option<&crate::spec::Pdb>) {
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

    pub(super) fn check_tolerations(&mut self, base: &[&str], tolerations: &[crate::spec::Toleration]) {
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
}
