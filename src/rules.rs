//! The lint rules genk8s knows: id, severity and what each checks. The checks
//! themselves are [`lint`](crate::lint)'s; [`validate`](crate::validate) uses the ids
//! to check `lint.ignore` suppressions.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// A lint rule: id, severity, and what it checks.
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
}

pub const RULES: &[Rule] = &[
    Rule {
        id: "GK001",
        severity: Severity::Error,
        summary: "every container sets cpu and memory requests and a memory limit",
    },
    Rule {
        id: "GK002",
        severity: Severity::Warning,
        summary: "containers behind a Service have readiness and liveness probes",
    },
    Rule {
        id: "GK003",
        severity: Severity::Warning,
        summary: "workloads with more than one replica have a PodDisruptionBudget",
    },
    Rule {
        id: "GK004",
        severity: Severity::Warning,
        summary: "workloads with more than one replica spread over nodes",
    },
    Rule { id: "GK005", severity: Severity::Info, summary: "containers set an explicit imagePullPolicy" },
    Rule {
        id: "GK006",
        severity: Severity::Error,
        summary: "every workload is selected by a NetworkPolicy of its own",
    },
    Rule { id: "GK007", severity: Severity::Warning, summary: "images are pinned (no `latest`, no missing tag)" },
    Rule { id: "GK008", severity: Severity::Error, summary: "pods do not share host namespaces or mount host paths" },
    Rule { id: "GK009", severity: Severity::Error, summary: "containers meet the restricted Pod Security profile" },
    Rule { id: "GK010", severity: Severity::Warning, summary: "containers have a read-only root filesystem" },
    Rule { id: "GK011", severity: Severity::Info, summary: "pods mount no service account token unless they need one" },
    Rule { id: "GK012", severity: Severity::Error, summary: "a PodDisruptionBudget does not block every eviction" },
    Rule {
        id: "GK013",
        severity: Severity::Warning,
        summary: "the spec and the objects use nothing the target Kubernetes version deprecates",
    },
    Rule {
        id: "GK014",
        severity: Severity::Error,
        summary: "the objects use nothing the target Kubernetes version removed",
    },
    Rule { id: "GK015", severity: Severity::Error, summary: "the NetworkPolicies allow every `uses` path" },
    Rule { id: "GK016", severity: Severity::Error, summary: "the NetworkPolicies allow DNS for every pod" },
    Rule {
        id: "GK017",
        severity: Severity::Error,
        summary: "exposed ports are reachable from the ingress controller or the gateway data plane, metrics ports from monitoring",
    },
    Rule {
        id: "GK018",
        severity: Severity::Warning,
        summary: "every host:port a service's configuration names is allowed by its NetworkPolicies",
    },
    Rule { id: "GK019", severity: Severity::Error, summary: "routes send traffic to Services and ports of the build" },
    Rule {
        id: "GK022",
        severity: Severity::Info,
        summary: "services on an image without a genk8s image profile say which user it runs as",
    },
    Rule {
        id: "GK023",
        severity: Severity::Error,
        summary: "ALB forward actions send traffic to Services and ports of the build",
    },
];
