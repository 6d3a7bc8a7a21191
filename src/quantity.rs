//! Kubernetes resource quantities (`250m`, `1.5`, `512Mi`, `10Gi`, `1e3`).

const SUFFIXES: &[(&str, f64)] = &[
    ("Ki", 1024.0),
    ("Mi", 1048576.0),
    ("Gi", 1073741824.0),
    ("Ti", 1099511627776.0),
    ("Pi", 1125899906842624.0),
    ("Ei", 1152921504606846976.0),
    ("n", 1e-9),
    ("u", 1e-6),
    ("m", 1e-3),
    ("k", 1e3),
    ("M", 1e6),
    ("G", 1e9),
    ("T", 1e12),
    ("P", 1e15),
    ("E", 1e18),
];

/// The value of a quantity, or `None` when it is not valid Kubernetes syntax.
pub fn parse(q: &str) -> Option<f64> {
    let (num, mult) = SUFFIXES.iter().find_map(|(s, m)| q.strip_suffix(s).map(|n| (n, *m))).unwrap_or((q, 1.0));
    let (mantissa, exp) = match num.find(['e', 'E']) {
        Some(i) if mult == 1.0 => (&num[..i], num[i + 1..].parse::<i32>().ok()?),
        _ => (num, 0),
    };
    let digits = mantissa.strip_prefix('+').unwrap_or(mantissa);
    if digits.is_empty() || digits.starts_with('.') || digits.ends_with('.') {
        return None;
    }
    if !digits.chars().all(|c| c.is_ascii_digit() || c == '.') || digits.matches('.').count() > 1 {
        return None;
    }
    Some(digits.parse::<f64>().ok()? * 10f64.powi(exp) * mult)
}

/// A hint for a near-miss such as `512mb` or `1GB`.
pub fn hint(q: &str) -> String {
    let compact: String = q.chars().filter(|c| !c.is_whitespace()).collect();
    if compact != q && parse(&compact).is_some() {
        return format!("write `{compact}` (no spaces)");
    }
    let lower = compact.to_ascii_lowercase();
    for (bad, good) in [("kb", "Ki"), ("mb", "Mi"), ("gb", "Gi"), ("tb", "Ti")] {
        if let Some(n) = lower.strip_suffix(bad) {
            return format!("write `{n}{good}` (binary units are Ki, Mi, Gi, Ti)");
        }
    }
    "write a Kubernetes quantity such as 250m, 1, 512Mi or 10Gi".to_string()
}

/// Splits `request/limit` (limit optional).
pub fn split(s: &str) -> (&str, Option<&str>) {
    match s.split_once('/') {
        Some((r, l)) => (r.trim(), Some(l.trim())),
        None => (s.trim(), None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_valid_and_rejects_invalid() {
        assert_eq!(parse("250m"), Some(0.25));
        assert_eq!(parse("2"), Some(2.0));
        assert_eq!(parse("512Mi"), Some(536870912.0));
        assert_eq!(parse("1e3"), Some(1000.0));
        assert_eq!(parse("1.5Gi"), Some(1.5 * 1073741824.0));
        for bad in ["512mb", "1GB", "", "Mi", "1.2.3", "abc", ".5", "-1"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        assert!(hint("512mb").contains("512Mi"));
        assert!(hint("10 GB").contains("`10Gi`"));
        assert!(hint("512 Mi").contains("`512Mi`"));
    }
}
