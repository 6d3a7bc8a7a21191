//! CIDR blocks (`10.0.0.0/8`, `::/0`) and the addresses they contain.

use std::net::IpAddr;

/// A parsed CIDR block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    pub addr: IpAddr,
    pub prefix: u8,
}

/// Address ranges that are not on the public internet (private, shared, link-local, loopback).
const NOT_PUBLIC: &[&str] = &[
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
    "169.254.0.0/16",
    "127.0.0.0/8",
    "fc00::/7",
    "fe80::/10",
    "::1/128",
];

impl Cidr {
    pub fn parse(text: &str) -> Option<Cidr> {
        let (addr, prefix) = text.split_once('/')?;
        let addr: IpAddr = addr.parse().ok()?;
        let prefix: u8 = prefix.parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        (prefix <= max).then_some(Cidr { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let shift = |bits: u32| if u32::from(self.prefix) >= bits { 0 } else { bits - u32::from(self.prefix) };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let s = shift(32);
                s == 32 || (u32::from(net) >> s) == (u32::from(ip) >> s)
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let s = shift(128);
                s == 128 || (u128::from(net) >> s) == (u128::from(ip) >> s)
            }
            _ => false,
        }
    }

    /// Whether the block covers all of `other`.
    pub fn covers(&self, other: &Cidr) -> bool {
        self.prefix <= other.prefix && self.contains(other.addr)
    }

    /// Whether the block holds every public address of its family (`0.0.0.0/0`, `::/0`).
    pub fn is_everything(&self) -> bool {
        self.prefix == 0
    }
}

/// Whether `cidr` minus `except` still holds every public address: what an address outside
/// the cluster, known only by a host name, needs in order to be certainly allowed.
pub fn holds_every_public_address(cidr: &Cidr, except: &[Cidr]) -> bool {
    let private: Vec<Cidr> = NOT_PUBLIC.iter().filter_map(|c| Cidr::parse(c)).collect();
    cidr.is_everything() && except.iter().all(|e| private.iter().any(|p| p.covers(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn blocks_contain_their_addresses_only() {
        let c = Cidr::parse("10.20.0.0/16").unwrap();
        assert!(c.contains(ip("10.20.255.1")));
        assert!(!c.contains(ip("10.21.0.1")));
        assert!(!c.contains(ip("::1")));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(Cidr::parse("2001:db8::/32").unwrap().contains(ip("2001:db8::5")));
        assert!(Cidr::parse("1.2.3.4/32").unwrap().contains(ip("1.2.3.4")));
        assert_eq!(Cidr::parse("1.2.3.4/33"), None);
        assert_eq!(Cidr::parse("1.2.3.4"), None);
    }

    #[test]
    fn every_public_address_survives_private_exceptions_only() {
        let all = Cidr::parse("0.0.0.0/0").unwrap();
        let private = [Cidr::parse("10.0.0.0/8").unwrap(), Cidr::parse("192.168.1.0/24").unwrap()];
        assert!(holds_every_public_address(&all, &private));
        assert!(!holds_every_public_address(&all, &[Cidr::parse("8.8.8.0/24").unwrap()]));
        assert!(!holds_every_public_address(&Cidr::parse("10.0.0.0/8").unwrap(), &[]));
    }
}
