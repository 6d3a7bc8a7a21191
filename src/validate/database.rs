//! Checks of one database.

use super::Checker;
use super::names::*;
use crate::diag::suggest;
use crate::quantity;
use crate::spec::Database;

impl Checker<'_> {
    /// Every check of one database, in turn.
    pub(super) fn check_database(&mut self, name: &str, db: &Database) {
        self.check_database_name(name);
        self.check_engine(name, db);
        self.check_database_image(name, db);
        self.check_database_classes(name, db);
        self.check_file_paths(&["databases", name], &db.files);
        self.check_labels(&["databases", name, "node_selector"], &db.node_selector, true);
        self.check_tolerations(&["databases", name, "tolerations"], &db.tolerations);
        if let Some(r) = &db.resources {
            self.check_resources(&["databases", name, "resources"], r);
        }
        self.check_database_size(name, db);
        self.check_external(name, db);
        self.check_pdb(&["databases", name, "pdb"], db.pdb.as_ref());
        self.check_backup(name, db);
    }

    /// The name is a DNS-1035 label of at most 52 characters.
    fn check_database_name(&mut self, name: &str) {
        if !is_dns1035_label(name) || name.len() > 52 {
            self.err(
                &["databases", name],
                format!("database name `{name}` must be a DNS label starting with a letter, at most 52 characters"),
                "use lowercase letters, digits and '-' (its StatefulSet pods and Services derive their names from it)",
            );
        }
    }

    /// `version` is an image tag, `image` an image reference, `credentials` a Secret name.
    fn check_database_image(&mut self, name: &str, db: &Database) {
        if let Some(v) = &db.version
            && !is_image_tag(v)
        {
            self.err(
                &["databases", name, "version"],
                format!("`{v}` is not a valid image tag"),
                "tags hold letters, digits, '_', '.' and '-', at most 128, e.g. 16-alpine",
            );
        }
        if let Some(i) = &db.image
            && !is_image_ref(i)
        {
            self.err(
                &["databases", name, "image"],
                format!("`{i}` is not an image reference"),
                "write registry/name:tag, e.g. docker.io/library/postgres:16",
            );
        }
        if let Some(c) = &db.credentials
            && !is_dns_subdomain(c)
        {
            self.err(
                &["databases", name, "credentials"],
                format!("secret name `{c}` is not valid"),
                "use lowercase letters, digits, '-' and '.', e.g. db-credentials",
            );
        }
    }

    /// The storage classes of `storage` and `backup`.
    fn check_database_classes(&mut self, name: &str, db: &Database) {
        for (p, class) in [
            (["databases", name, "storage", "class"], db.storage.as_ref().and_then(|s| s.class.as_ref())),
            (["databases", name, "backup", "class"], db.backup.as_ref().and_then(|b| b.class.as_ref())),
        ] {
            if let Some(class) = class {
                self.check_storage_class(&p, class);
            }
        }
    }

    /// `storage.size` is a quantity; `replicas` is not negative.
    fn check_database_size(&mut self, name: &str, db: &Database) {
        if let Some(s) = &db.storage
            && quantity::parse(&s.size).is_none()
        {
            self.err(
                &["databases", name, "storage", "size"],
                format!("`{}` is not a storage quantity", s.size),
                quantity::hint(&s.size),
            );
        }
        if let Some(r) = db.replicas
            && r < 0
        {
            self.err(&["databases", name, "replicas"], "replicas cannot be negative", "write 0 or more");
        }
    }

    /// `external`: a host name or IP address, and a non-zero port.
    fn check_external(&mut self, name: &str, db: &Database) {
        if let Some(e) = &db.external {
            if !is_dns_subdomain(&e.host) && e.host.parse::<std::net::IpAddr>().is_err() {
                self.err(
                    &["databases", name, "external", "host"],
                    format!("`{}` is not a host name or IP address", e.host),
                    "write the database's DNS name or IP",
                );
            }
            if e.port == Some(0) {
                self.err(
                    &["databases", name, "external", "port"],
                    "port 0 is not a valid port",
                    "write a port between 1 and 65535",
                );
            }
        }
    }

    /// `backup`: schedule, `keep`, size and name length; only for databases genk8s runs.
    fn check_backup(&mut self, name: &str, db: &Database) {
        if let Some(b) = &db.backup {
            if let Err(e) = super::check_cron(&b.schedule) {
                self.err(&["databases", name, "backup", "schedule"], e.message, e.help);
            }
            if let Some(s3) = &b.s3 {
                self.check_backup_s3(name, s3);
            }
            if b.keep == Some(0) {
                self.err(&["databases", name, "backup", "keep"], "keep must be at least 1", "e.g. keep: 7");
            }
            if let Some(sz) = &b.size
                && quantity::parse(sz).is_none()
            {
                self.err(
                    &["databases", name, "backup", "size"],
                    format!("`{sz}` is not a storage quantity"),
                    quantity::hint(sz),
                );
            }
            if db.external.is_some() {
                self.err(
                    &["databases", name, "backup"],
                    "genk8s backs up only databases it runs",
                    "back up an external database with its provider's tools",
                );
            }
            if name.len() > 45 {
                self.err(&["databases", name, "backup"], format!("database name `{name}` is too long for a backup CronJob (`{name}-backup` must be at most 52 characters)"), "shorten the database name");
            }
        }
    }

    /// `engine` is one the catalog (or the platform's templates/engines/) has.
    fn check_engine(&mut self, name: &str, db: &Database) {
        if self.catalog.has(&db.engine) {
            return;
        }
        let known: Vec<&str> = self.catalog.names().collect();
        let help = match suggest(&db.engine, known.iter().copied()) {
            Some(s) => format!("did you mean `{s}`?"),
            None => format!(
                "catalog engines: {}; or add templates/engines/{}.yaml.j2 to the platform",
                known.join(", "),
                db.engine
            ),
        };
        self.err(&["databases", name, "engine"], format!("unknown database engine `{}`", db.engine), help);
    }
}

impl Checker<'_> {
    fn check_backup_s3(&mut self, name: &str, s3: &crate::spec::BackupS3) {
        let at = |f: &'static str| ["databases", name, "backup", "s3", f];
        if !s3.bucket.strip_prefix("s3://").is_some_and(|b| !b.is_empty() && !b.starts_with('/')) {
            self.err(&at("bucket"), format!("`{}` is not an S3 URL", s3.bucket), "write s3://<bucket>/<prefix>");
        }
        if s3.endpoint.as_deref().is_some_and(|e| !e.starts_with("https://") && !e.starts_with("http://")) {
            self.err(&at("endpoint"), "the endpoint must be an http(s) URL", "e.g. https://minio.example.com:9000");
        }
        if !is_dns_label(&s3.secret) {
            self.err(
                &at("secret"),
                format!("`{}` is not a Secret name", s3.secret),
                "write the name of a Secret in the namespace",
            );
        }
    }
}
