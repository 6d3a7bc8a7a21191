//! Values genk8s could write out but the API server (or the container runtime) would
//! refuse at apply time, caught at build time at the value that causes them:
//!
//! - a rolling update's `max_unavailable` above 100% (the API allows a surge above 100%);
//! - a disruption budget's percentage above 100%, or a `min_available` count above the
//!   replicas there are (the budget could never be met);
//! - a Secret key an environment variable reads that Kubernetes refuses as a key
//!   (valid keys are `[-._a-zA-Z0-9]+`);
//! - image references outside the reference grammar ([`super::image`]).

use super::Checker;
use super::image;
use super::names::{is_config_key, is_image_ref};
use crate::spec::{Database, Pdb, Platform, Service, Strategy};

/// The number of a percentage such as `120%`.
fn percent(v: &str) -> Option<u64> {
    v.strip_suffix('%')?.parse().ok()
}

impl Checker<'_> {
    /// Every apply-time check, over every service and database.
    pub(super) fn check_apply(&mut self, spec: &Platform) {
        for (name, svc) in &spec.services {
            self.check_rolling_limit(name, svc);
            if svc.autoscale.is_none() {
                self.check_budget(&["services", name], svc.pdb.as_ref(), svc.replicas.unwrap_or(1), "service");
            }
            self.check_secret_keys(name, svc);
            self.check_service_images(name, svc);
        }
        for (name, db) in &spec.databases {
            self.check_database_apply(name, db);
        }
    }

    /// `max_unavailable` over 100% is refused by the API server.
    fn check_rolling_limit(&mut self, name: &str, svc: &Service) {
        let Some(Strategy::Rolling { max_unavailable: Some(v), .. }) = &svc.strategy else { return };
        if let Some(p) = percent(v).filter(|p| *p > 100) {
            self.err(
                &["services", name, "strategy", "rolling", "max_unavailable"],
                format!("max_unavailable {p}% is more than 100%"),
                "write at most 100% (or a pod count)",
            );
        }
    }

    /// A budget percentage over 100% is refused; a `min_available` above the replicas never holds.
    fn check_budget(&mut self, base: &[&str], pdb: Option<&Pdb>, replicas: i32, what: &str) {
        let Some(pdb) = pdb else { return };
        for (field, v) in [("min_available", &pdb.min_available), ("max_unavailable", &pdb.max_unavailable)] {
            let Some(v) = v else { continue };
            let at: Vec<&str> = base.iter().copied().chain(["pdb", field]).collect();
            if let Some(p) = percent(v).filter(|p| *p > 100) {
                self.err(&at, format!("{field} {p}% is more than 100%"), "write at most 100% (or a pod count)");
            } else if field == "min_available"
                && let Ok(n) = v.parse::<i64>()
                && replicas > 0
                && n > i64::from(replicas)
            {
                self.err(
                    &at,
                    format!("min_available {n} is more than the {replicas} replica(s) of this {what}"),
                    format!("the budget could never be met and no pod could be evicted: write at most {replicas}, or raise replicas"),
                );
            }
        }
    }

    /// Keys of Secrets read through `env` must be valid Secret keys.
    fn check_secret_keys(&mut self, name: &str, svc: &Service) {
        for (var, v) in &svc.env {
            let (Some(_), Some(key)) = (&v.secret, &v.key) else { continue };
            if !is_config_key(key) {
                self.err(
                    &["services", name, "env", var, "key"],
                    format!("`{}` is not a valid Secret key", image::shorten(key)),
                    "Secret keys may hold only letters, digits, '-', '_' and '.' (e.g. api-token)",
                );
            }
        }
    }

    fn check_service_images(&mut self, name: &str, svc: &Service) {
        self.check_image_reference(&["services", name, "image"], &svc.image);
        if let Some(i) = svc.migrate.as_ref().and_then(|m| m.image.as_ref()) {
            self.check_image_reference(&["services", name, "migrate", "image"], i);
        }
    }

    fn check_database_apply(&mut self, name: &str, db: &Database) {
        if db.external.is_none() {
            self.check_budget(&["databases", name], db.pdb.as_ref(), db.replicas.unwrap_or(1), "database");
        }
        if let Some(i) = &db.image {
            self.check_image_reference(&["databases", name, "image"], i);
        }
    }

    /// Whitespace and emptiness are reported by the section's own checks; this is the grammar.
    fn check_image_reference(&mut self, path: &[&str], reference: &str) {
        if !is_image_ref(reference) {
            return;
        }
        if let Some(why) = image::problem(reference) {
            self.err(
                path,
                format!("`{}` is not a valid image reference: {why}", image::shorten(reference)),
                "write [registry[:port]/]repository[:tag][@digest], the repository in lowercase, e.g. ghcr.io/acme/api:1.4.2",
            );
        }
    }
}
