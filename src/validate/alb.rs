//! Ingresses of class `alb` (the AWS Load Balancer Controller): the ACM certificate of
//! the HTTPS listener (`certificate_arn`), the annotations genk8s writes from it, and the
//! cert-manager TLS an ALB cannot serve.

use super::Checker;
use crate::spec::{Ingress, Platform};

/// Annotations genk8s writes from `certificate_arn` (the controller's names).
const FROM_CERTIFICATE: [&str; 3] = [
    "alb.ingress.kubernetes.io/certificate-arn",
    "alb.ingress.kubernetes.io/listen-ports",
    "alb.ingress.kubernetes.io/ssl-redirect",
];

/// `arn:<partition>:acm:<region>:<12-digit account>:certificate/<id>`.
fn is_acm_certificate(arn: &str) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [arn_, partition, service, region, account, resource] = parts[..] else { return false };
    let id = resource.strip_prefix("certificate/").unwrap_or_default();
    arn_ == "arn"
        && partition.starts_with("aws")
        && service == "acm"
        && !region.is_empty()
        && region.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && !id.is_empty()
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

impl Checker<'_> {
    /// `certificate_arn` at `path`: one or more ACM certificate ARNs, comma-separated.
    fn check_certificate_arn(&mut self, path: &[&str], arns: &str) {
        if let Some(bad) = arns.split(',').find(|a| !is_acm_certificate(a)) {
            self.err(
                path,
                format!("`{bad}` is not an ACM certificate ARN"),
                "write arn:aws:acm:<region>:<account>:certificate/<id> (several separated by commas, no spaces)",
            );
        }
    }

    /// The platform's `ingress.certificate_arn`: an ARN, and only beside class alb.
    pub(super) fn check_alb_defaults(&mut self, spec: &Platform) {
        let Some(arns) = &spec.ingress.certificate_arn else { return };
        self.check_certificate_arn(&["ingress", "certificate_arn"], arns);
        if let Some(class) = spec.ingress.class.as_deref().filter(|c| *c != "alb") {
            self.err(
                &["ingress", "certificate_arn"],
                format!("certificate_arn is read by the AWS Load Balancer Controller, but the platform's ingress class is `{class}`"),
                "set class: alb, or remove certificate_arn (other controllers take TLS from issuer: or tls_secret:)",
            );
        }
    }

    /// A service's ingress: `certificate_arn` only with class alb; on an ALB, no cert-manager
    /// issuer and no hand-written annotation of those genk8s derives from the certificate.
    pub(super) fn check_alb_ingress(&mut self, spec: &Platform, name: &str, ing: &Ingress) {
        let class = ing.class.as_deref().or(spec.ingress.class.as_deref());
        if let Some(arns) = &ing.certificate_arn {
            self.check_certificate_arn(&["services", name, "ingress", "certificate_arn"], arns);
            if class != Some("alb") {
                let has = class
                    .map_or("no class (the cluster's default IngressClass)".to_string(), |c| format!("class `{c}`"));
                self.svc_err(
                    name,
                    &["ingress", "certificate_arn"],
                    format!("certificate_arn is read by the AWS Load Balancer Controller, but this ingress has {has}"),
                    "set class: alb, or remove certificate_arn (other controllers take TLS from issuer: or tls_secret:)",
                );
            }
        }
        if class != Some("alb") {
            return;
        }
        let (own, platform) = (ing.issuer.as_deref(), spec.ingress.issuer.as_deref());
        if let (Some(issuer), false) = (own.or(platform), ing.tls == Some(false)) {
            let at: Vec<&str> =
                if own.is_some() { vec!["services", name, "ingress", "issuer"] } else { vec!["ingress", "issuer"] };
            self.err(
                &at,
                format!("an ALB serves only ACM certificates, not the cert-manager Secret issuer `{issuer}` would fill (service `{name}`)"),
                "remove issuer: and set certificate_arn: to the ACM certificate of these hosts",
            );
        }
        if ing.certificate_arn.is_none() && spec.ingress.certificate_arn.is_none() {
            return;
        }
        let written = [
            (vec!["ingress", "annotations"], &spec.ingress.annotations),
            (vec!["services", name, "ingress", "annotations"], &ing.annotations),
        ];
        for (base, annotations) in written {
            for key in FROM_CERTIFICATE.iter().filter(|k| annotations.contains_key(**k)) {
                let mut at = base.clone();
                at.push(key);
                self.err(
                    &at,
                    format!("`{key}` is written from certificate_arn (service `{name}`)"),
                    "remove the annotation: with certificate_arn the ALB listens on HTTP 80 and HTTPS 443 and redirects HTTP to HTTPS",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_acm_certificate;

    #[test]
    fn acm_certificate_arns() {
        assert!(is_acm_certificate(
            "arn:aws:acm:af-south-1:123456789012:certificate/5b3c1c6e-1f2a-4c3b-9d8e-7f6a5b4c3d2e"
        ));
        assert!(is_acm_certificate("arn:aws-cn:acm:cn-north-1:123456789012:certificate/abc"));
        for bad in [
            "arn:aws:iam::123456789012:server-certificate/x",
            "arn:aws:acm:af-south-1:1234:certificate/x",
            "arn:aws:acm:af-south-1:123456789012:certificate/",
            "arn:aws:acm::123456789012:certificate/x",
            "acm:af-south-1:123456789012:certificate/x",
        ] {
            assert!(!is_acm_certificate(bad), "{bad}");
        }
    }
}
