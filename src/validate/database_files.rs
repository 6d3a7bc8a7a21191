//! Checks of a database's own files: `files` and `mounts` paths, the `config_file` the
//! engine starts with, and the `tls` Secret; none of them on an external database.

use super::Checker;
use super::names::*;
use crate::spec::{Database, Platform};

/// A path safe to hand to an engine's command line: absolute, of plain path characters.
fn is_plain_path(p: &str) -> bool {
    p.starts_with('/')
        && !p.split('/').any(|c| c == "..")
        && p.chars().all(|c| c.is_ascii_alphanumeric() || "/._-".contains(c))
}

impl Checker<'_> {
    pub(super) fn check_database_files(&mut self, spec: &Platform, name: &str, db: &Database) {
        if db.external.is_some() {
            for (field, set) in [
                ("files", !db.files.is_empty()),
                ("mounts", !db.mounts.is_empty()),
                ("config_file", db.config_file.is_some()),
                ("tls", db.tls.is_some()),
            ] {
                if set {
                    self.err(
                        &["databases", name, field],
                        format!("`{field}` does not apply to an external database"),
                        "configure the database where it runs, or remove it",
                    );
                }
            }
            return;
        }
        self.check_file_paths(&["databases", name], &db.files);
        for (path, s) in &db.mounts {
            if !path.starts_with('/') {
                self.err(
                    &["databases", name, "mounts", path],
                    format!("mount path `{path}` is not absolute"),
                    "start it with /",
                );
            }
            self.check_source(&["databases", name, "mounts", path], s, spec);
        }
        self.check_config_file(name, db);
        if let Some(t) = &db.tls
            && !is_dns_subdomain(&t.secret)
        {
            self.err(
                &["databases", name, "tls", "secret"],
                format!("secret name `{}` is not valid", t.secret),
                "use lowercase letters, digits, '-' and '.', e.g. postgres-tls",
            );
        }
    }

    /// `config_file` is a plain path of `files`, or one under a `mounts` directory.
    fn check_config_file(&mut self, name: &str, db: &Database) {
        let Some(cf) = &db.config_file else { return };
        let under_mount = db
            .mounts
            .keys()
            .any(|m| cf.strip_prefix(m.trim_end_matches('/')).is_some_and(|r| r.starts_with('/') && r.len() > 1));
        if !is_plain_path(cf) {
            self.err(
                &["databases", name, "config_file"],
                format!("`{cf}` is not an absolute path of letters, digits, '/', '.', '_' and '-'"),
                "e.g. /etc/postgresql/postgresql.conf",
            );
        } else if !db.files.contains_key(cf) && !under_mount {
            self.err(
                &["databases", name, "config_file"],
                format!("`{cf}` is neither one of the database's files nor under one of its mounts"),
                format!("add it under files: ({cf}: {{from: files/…}}), or mount its directory under mounts:"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_plain_path;

    #[test]
    fn config_file_paths_are_safe_on_a_command_line() {
        assert!(is_plain_path("/etc/postgresql/postgresql.conf"));
        assert!(is_plain_path("/etc/redis/redis-7.conf"));
        for bad in ["etc/redis.conf", "/etc/../passwd", "/etc/redis.conf; rm -rf /", "/etc/it's.conf", "/etc/a b"] {
            assert!(!is_plain_path(bad), "{bad}");
        }
    }
}
