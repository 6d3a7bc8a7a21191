//! Service fields genk8s has no equivalent for: dropped silently, or reported with the reason.

use super::conv::Conv;
use super::plan::Plan;
use crate::yaml::node::Entry;

/// Fields with nothing to say: dropped without a message.
const SILENT: &[&str] = &["version", "profiles", "read_only", "cap_drop", "stdin_open", "tty"];

impl Conv<'_> {
    /// Fields handled the same way for services and databases (or not at all).
    pub(super) fn common(&mut self, p: &Plan, e: &Entry) {
        let path = p.path(&e.key);
        if SILENT.contains(&e.key.as_str()) {
            return;
        }
        if e.key == "restart" {
            match e.value.as_str() {
                Some("no") => {
                    self.warn(e.key_span, path, "`no` is not kept: a Deployment always restarts its containers")
                }
                Some(s) if s.starts_with("on-failure") => {
                    self.note(e.key_span, path, "a Deployment restarts containers on every exit, not only on failure")
                }
                _ => {}
            }
            return;
        }
        match unsupported_reason(&e.key) {
            Some(reason) => self.warn(e.key_span, path, reason),
            None => self.warn(e.key_span, path, "not a Compose service field genk8s import knows; ignored"),
        }
    }
}

/// Fields genk8s has no equivalent for, with the reason.
fn unsupported_reason(key: &str) -> Option<&'static str> {
    Some(match key {
        "network_mode" => {
            "not converted: every pod has its own network namespace; genk8s NetworkPolicies follow `uses`"
        }
        "networks" => "not converted: the services of a platform share its namespace; NetworkPolicies follow `uses`",
        "privileged" => {
            "not converted: genk8s pods meet the restricted Pod Security profile (no privileged containers)"
        }
        "cap_add" => "not converted: genk8s drops all capabilities (restricted Pod Security profile)",
        "security_opt" => "not converted: genk8s sets seccomp RuntimeDefault and no privilege escalation",
        "devices" => "not converted: no host devices under the restricted profile (NVIDIA GPUs: set gpu:)",
        "pid" | "ipc" | "uts" | "userns_mode" | "cgroup" | "cgroup_parent" => {
            "not converted: host namespaces and cgroups are not allowed for restricted pods"
        }
        "hostname" | "domainname" => {
            "not converted: Kubernetes names pods; other services reach this one by its Service name"
        }
        "container_name" => "not converted: Kubernetes names pods; other services reach this one by its service name",
        "extra_hosts" | "dns" | "dns_search" | "dns_opt" => "not converted: genk8s has no field for pod DNS settings",
        "working_dir" => "not converted: genk8s has no working-directory field; the image's WORKDIR applies",
        "stop_grace_period" | "stop_signal" => "not converted: Kubernetes sends SIGTERM and waits 30s",
        "sysctls" | "ulimits" | "oom_kill_disable" | "oom_score_adj" | "mem_swappiness" | "memswap_limit"
        | "pids_limit" | "cpu_shares" | "cpu_quota" | "cpu_period" | "cpu_rt_runtime" | "cpu_rt_period" | "cpuset"
        | "cpu_count" | "cpu_percent" | "blkio_config" | "storage_opt" => {
            "not converted: genk8s has no field for this kernel setting"
        }
        "logging" => "not converted: the cluster's log collection reads container stdout and stderr",
        "pull_policy" => "not converted: Kubernetes pulls by its own policy (IfNotPresent for pinned tags)",
        "external_links" | "volumes_from" | "links_from" => "not converted: no equivalent in Kubernetes",
        "extends" => "not supported: write the service out in full, or share fields with `<<: *anchor`",
        "init" => "not converted: no init process is added; the app runs as PID 1",
        "develop" | "attach" | "post_start" | "pre_stop" | "mac_address" | "isolation" | "runtime"
        | "credential_spec" | "group_add" | "label_file" | "models" | "provider" | "use_api_socket" | "gpus" => {
            "not converted: genk8s has no equivalent"
        }
        _ => return None,
    })
}
