//! Checks of `files:` entries (of configs, services and databases): each holds its text
//! (`content:`) or names a file inside the platform folder (`from:`).

use super::Checker;
use crate::spec::{FileSource, Platform};
use std::path::{Component, Path};

/// Every `files:` entry of the spec, with its path in the spec.
pub(super) fn file_sources(spec: &Platform) -> impl Iterator<Item = (Vec<&str>, &FileSource)> {
    let configs = spec.configs.iter().flat_map(|(n, cfg)| {
        cfg.files.iter().map(move |(k, f)| (vec!["configs", n.as_str(), "files", k.as_str()], &**f))
    });
    let services = spec.services.iter().flat_map(|(n, svc)| {
        svc.files.iter().map(move |(k, f)| (vec!["services", n.as_str(), "files", k.as_str()], &**f))
    });
    let databases = spec.databases.iter().flat_map(|(n, db)| {
        db.files.iter().map(move |(k, f)| (vec!["databases", n.as_str(), "files", k.as_str()], &**f))
    });
    configs.chain(services).chain(databases)
}

/// A `from:` path that leaves the platform folder (absolute, or with `..`).
pub(super) fn leaves_platform(from: &str) -> bool {
    Path::new(from).is_absolute() || Path::new(from).components().any(|c| matches!(c, Component::ParentDir))
}

impl Checker<'_> {
    /// Each `files:` entry has exactly one of `content:` and `from:`, and `from:` stays inside the platform folder.
    pub(super) fn check_file_sources(&mut self, spec: &Platform) {
        for (path, f) in file_sources(spec) {
            match (&f.content, &f.from) {
                (Some(_), None) => {}
                (None, Some(from)) if leaves_platform(from) => self.err(
                    &path.iter().copied().chain(["from"]).collect::<Vec<_>>(),
                    format!("`{from}` is outside the platform folder"),
                    "from: paths are relative to the platform folder and stay inside it (no leading / and no ..)",
                ),
                (None, Some(_)) => {}
                _ => self.err(
                    &path,
                    "a file needs exactly one of content: or from:",
                    "write the text directly, or {from: files/app.conf}",
                ),
            }
        }
    }
}
