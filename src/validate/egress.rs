//! Addresses the spec gives for traffic leaving the pod network: the API server's
//! (`api_server:`) and a declared host's (`egress: [{host, cidrs}]`).

use super::Checker;
use crate::spec::Platform;

/// `10.0.0.0/16`, `10.0.0.1/32`, `fd00::/8`: an address and a prefix length that fits it.
pub(super) fn is_cidr(c: &str) -> bool {
    c.split_once('/').is_some_and(|(ip, bits)| {
        let max = if ip.contains(':') { 128 } else { 32 };
        ip.parse::<std::net::IpAddr>().is_ok() && bits.parse::<u8>().is_ok_and(|b| b <= max)
    })
}

impl Checker<'_> {
    /// The API server's addresses and ports, and every host's addresses.
    pub(super) fn check_egress_addresses(&mut self, spec: &Platform) {
        if let Some(api) = &spec.api_server {
            if api.cidrs.is_empty() {
                self.err(
                    &["api_server", "cidrs"],
                    "api_server needs at least one CIDR",
                    "list the API server's addresses, e.g. cidrs: [10.0.0.1/32] (leave api_server out to allow any address)",
                );
            }
            self.check_cidrs(&["api_server", "cidrs"], &api.cidrs);
            if api.ports.as_ref().is_some_and(|p| p.is_empty() || p.contains(&0)) {
                self.err(&["api_server", "ports"], "api_server ports must be 1-65535", "e.g. ports: [443]");
            }
        }
        for (name, svc) in &spec.services {
            for (i, e) in svc.egress.iter().enumerate() {
                let idx = i.to_string();
                if !e.cidrs.is_empty() && e.host.is_none() {
                    self.err(
                        &["services", name, "egress", &idx, "cidrs"],
                        "cidrs: lists a host's addresses and needs host:",
                        "write {host: api.example.com, cidrs: [...], ports: [443]}, or one {cidr: ..., ports: [...]} per address",
                    );
                }
                self.check_cidrs(&["services", name, "egress", &idx, "cidrs"], &e.cidrs);
            }
        }
    }

    pub(super) fn check_cidrs(&mut self, base: &[&str], cidrs: &[String]) {
        for (i, c) in cidrs.iter().enumerate() {
            if !is_cidr(c) {
                let idx = i.to_string();
                let at: Vec<&str> = base.iter().copied().chain([idx.as_str()]).collect();
                self.err(&at, format!("`{c}` is not a CIDR"), "write an address and prefix length, e.g. 10.0.0.1/32");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn cidrs() {
        assert!(super::is_cidr("10.0.0.1/32") && super::is_cidr("fd00::/8"));
        assert!(!super::is_cidr("10.0.0.1") && !super::is_cidr("10.0.0.1/33") && !super::is_cidr("host/8"));
    }
}
