//! Host and port pairs that configuration values name: URLs (`http://x:4317`, with the
//! scheme's default port), whole values of the form `host:port` (or a comma-separated list
//! of them), and `<PREFIX>_HOST` / `<PREFIX>_PORT` variable pairs.

/// Port a URL scheme implies when the URL names none.
fn default_port(scheme: &str) -> Option<u16> {
    Some(match scheme {
        "http" | "ws" => 80,
        "https" | "wss" | "grpcs" => 443,
        "postgres" | "postgresql" => 5432,
        "redis" | "rediss" => 6379,
        "mongodb" => 27017,
        "amqp" => 5672,
        "amqps" => 5671,
        "nats" => 4222,
        "mysql" => 3306,
        _ => return None,
    })
}

/// A DNS name or an IPv4 address as written in configuration.
fn is_host(h: &str) -> bool {
    h.starts_with(|c: char| c.is_ascii_alphanumeric())
        && h.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && h.chars().any(|c| c.is_ascii_alphabetic() || c == '.')
}

/// `host:port`, `host` (with a default), or `[v6]:port`.
fn host_port(text: &str, default: Option<u16>) -> Option<(String, u16)> {
    if let Some(rest) = text.strip_prefix('[') {
        let (ip, after) = rest.split_once(']')?;
        let port = match after.strip_prefix(':') {
            Some(p) => p.parse().ok()?,
            None => default?,
        };
        return Some((ip.to_string(), port));
    }
    let (host, port) = match text.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().ok().filter(|p| *p > 0)?),
        None => (text, default?),
    };
    is_host(host).then(|| (host.to_ascii_lowercase(), port))
}

/// The endpoints of the URLs in `value`.
fn urls(value: &str) -> Vec<(String, u16)> {
    let mut out = Vec::new();
    let mut rest = value;
    while let Some(i) = rest.find("://") {
        let scheme_start =
            rest[..i].rfind(|c: char| !(c.is_ascii_alphanumeric() || "+.-".contains(c))).map_or(0, |j| j + 1);
        let scheme = rest[scheme_start..i].to_ascii_lowercase();
        let after = &rest[i + 3..];
        let end = after.find(|c: char| "/?#\"' \t\n;".contains(c)).unwrap_or(after.len());
        let authority = &after[..end];
        let hosts = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let default = default_port(scheme.split('+').next().unwrap_or_default());
        out.extend(hosts.split(',').filter_map(|h| host_port(h, default)));
        rest = &after[end..];
    }
    out
}

/// The endpoints a value names: its URLs, or the whole value as `host:port[,host:port…]`.
pub fn in_value(value: &str) -> Vec<(String, u16)> {
    let value = value.trim();
    if value.contains("://") {
        return urls(value);
    }
    let parts: Vec<Option<(String, u16)>> =
        value.split(',').map(|p| Some(p.trim()).filter(|p| p.contains(':')).and_then(|p| host_port(p, None))).collect();
    if parts.iter().all(Option::is_some) { parts.into_iter().flatten().collect() } else { Vec::new() }
}

/// `(index of the HOST variable, host, port)` for each `<P>_HOST` with a numeric `<P>_PORT`.
pub fn pairs(vars: &[(String, String)]) -> Vec<(usize, String, u16)> {
    let mut out = Vec::new();
    for (i, (key, host)) in vars.iter().enumerate() {
        let Some(prefix) = key.strip_suffix("_HOST") else { continue };
        let port_key = format!("{prefix}_PORT");
        let port = vars.iter().find(|(k, _)| *k == port_key).and_then(|(_, p)| p.trim().parse::<u16>().ok());
        if let Some(port) = port.filter(|p| *p > 0)
            && is_host(host.trim())
        {
            out.push((i, host.trim().to_ascii_lowercase(), port));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(h: &str, p: u16) -> (String, u16) {
        (h.to_string(), p)
    }

    #[test]
    fn urls_name_their_host_and_port_or_the_scheme_default() {
        assert_eq!(
            in_value("http://jaeger-collector.observability:4317"),
            vec![e("jaeger-collector.observability", 4317)]
        );
        assert_eq!(in_value("https://api.stripe.com/v1/charges"), vec![e("api.stripe.com", 443)]);
        assert_eq!(in_value("postgresql+asyncpg://u:p@postgres/app"), vec![e("postgres", 5432)]);
        assert_eq!(in_value("mongodb://a:1,b:2/db?replicaSet=rs"), vec![e("a", 1), e("b", 2)]);
        assert_eq!(in_value("see http://[::1]:8080/x and ws://Ws-Host"), vec![e("::1", 8080), e("ws-host", 80)]);
        assert_eq!(in_value("foo://x/y"), vec![], "no port and no known default");
    }

    #[test]
    fn whole_values_of_host_port_count_prose_does_not() {
        assert_eq!(in_value("kafka-0:9092, kafka-1:9092"), vec![e("kafka-0", 9092), e("kafka-1", 9092)]);
        assert_eq!(in_value("10.0.0.5:5432"), vec![e("10.0.0.5", 5432)]);
        assert_eq!(in_value("12:30"), vec![], "a time");
        assert_eq!(in_value("wait 5s then connect to db:5432"), vec![]);
        assert_eq!(in_value("db:0"), vec![]);
        assert_eq!(in_value("json"), vec![]);
    }

    #[test]
    fn host_and_port_variables_pair_up_by_prefix() {
        let vars: Vec<(String, String)> =
            [("REDIS_HOST", "cache"), ("REDIS_PORT", "6379"), ("SMTP_HOST", "mail"), ("X_PORT", "1")]
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        assert_eq!(pairs(&vars), vec![(0, "cache".to_string(), 6379)], "SMTP_HOST has no SMTP_PORT");
    }
}
