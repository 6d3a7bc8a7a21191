//! Bind mounts: a file of the project becomes a genk8s file (its text is copied to
//! `files/<service>/` in the platform folder, mounted read-only from a ConfigMap); a
//! read-only directory of small text files becomes one file each; any other
//! directory becomes a persistent volume that starts empty (said in a warning). Paths
//! outside the project folder (host paths, the Docker socket) are not converted.

use super::conv::Conv;
use super::conv::DEFAULT_VOLUME_SIZE;
use super::plan::Plan;
use super::project::inside;
use super::values;
use crate::source::Span;
use serde_json::{Map, Value, json};
use std::path::{Path, PathBuf};

/// Largest file copied into the platform.
const MAX_FILE: usize = 256 * 1024;
/// Most files a read-only directory may hold to be copied file by file.
const MAX_DIR_FILES: usize = 20;

/// A bind mount: where it goes in the container, and where it was written.
pub(super) struct Mount<'a> {
    pub(super) target: &'a str,
    pub(super) read_only: bool,
    pub(super) span: Span,
    pub(super) path: &'a str,
}

/// Whether a bind mount that does not exist yet (Compose creates it) holds data.
fn looks_like_data(src: &str, target: &str) -> bool {
    let words = ["data", "db", "storage", "/var/lib/", "log", "upload", "media", "cache", "backup", "volume", "state"];
    let both = format!("{} {}", src.to_ascii_lowercase(), target.to_ascii_lowercase());
    words.iter().any(|w| both.contains(w))
}

/// Files (not dotfiles such as .gitkeep) in a directory and below it, up to 100.
fn visible_files(dir: &Path) -> usize {
    let mut n = 0;
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let hidden = e.file_name().to_str().is_some_and(|s| s.starts_with('.'));
            let path = e.path();
            if path.is_dir() {
                todo.push(path);
            } else if !hidden {
                n += 1;
            }
            if n >= 100 {
                return n;
            }
        }
    }
    n
}

/// Where a bind mount's files went.
pub(super) struct BindOut<'m> {
    pub(super) files: &'m mut Map<String, Value>,
    pub(super) volumes: &'m mut Map<String, Value>,
}

impl Conv<'_> {
    /// Converts one bind mount of `src` (as written in Compose) at `m.target`.
    pub(super) fn bind(&mut self, p: &Plan, m: &Mount, src: &str, out: BindOut) {
        let (full, rel) = match inside(self.dir, src) {
            Ok(x) => x,
            Err(why) => {
                self.warn(m.span, m.path, format!("bind mount not converted: {why} (pods cannot see the Compose host's files; put what it needs into the image or under files:)"));
                return;
            }
        };
        if full.is_file() {
            match self.copy_file(p, &full, &rel) {
                Ok(from) => {
                    out.files.insert(m.target.to_string(), json!({"from": from}));
                    let rw = if m.read_only { "" } else { " (read-only now: a ConfigMap)" };
                    self.note(
                        m.span,
                        m.path,
                        format!("bind-mounted file `{src}` was copied to {from} and is mounted at {}{rw}", m.target),
                    );
                }
                Err(why) => self.warn(m.span, m.path, format!("bind-mounted file `{src}` not converted: {why}")),
            }
            return;
        }
        if !full.exists() && !looks_like_data(src, m.target) {
            self.warn(m.span, m.path, format!("bind mount of `{src}` not converted: it does not exist in the project folder (pods cannot see the Compose host's files; put config files under files: or into the image)"));
            return;
        }
        if m.read_only && full.is_dir() && self.copy_dir(p, m, src, &full, &rel, out.files) {
            return;
        }
        let content = visible_files(&full);
        if content > 0 {
            self.warn(m.span, m.path, format!("bind mount of directory `{src}` ({content} files: source code or content) not converted: an empty volume there would hide what the image holds; build the files into the image, or mount config files read-only (:ro) to have them copied under files:"));
            return;
        }
        let max = 62usize.saturating_sub(p.name.len()).max(1);
        let mut vname = values::dns_label(rel.file_name().and_then(|n| n.to_str()).unwrap_or("data"), max);
        if vname.is_empty() || out.volumes.contains_key(&vname) {
            vname = values::dns_label(&format!("bind-{}", out.volumes.len() + 1), max);
        }
        out.volumes.insert(vname.clone(), json!({"path": m.target, "size": DEFAULT_VOLUME_SIZE}));
        self.warn(m.span, m.path, format!("bind-mounted data directory `{src}` became volume `{vname}` (PersistentVolumeClaim `{}-{vname}` of {DEFAULT_VOLUME_SIZE}) that starts empty: copy its contents over if the service needs them", p.name));
    }

    /// A read-only directory of a few small text files → one genk8s file each.
    fn copy_dir(
        &mut self,
        p: &Plan,
        m: &Mount,
        src: &str,
        full: &Path,
        rel: &Path,
        files: &mut Map<String, Value>,
    ) -> bool {
        let Ok(rd) = std::fs::read_dir(full) else { return false };
        let mut names: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
        names.sort();
        if names.is_empty() || names.len() > MAX_DIR_FILES || !names.iter().all(|n| n.is_file()) {
            return false;
        }
        let mut copied = Vec::new();
        for n in &names {
            let Some(fname) = n.file_name().and_then(|f| f.to_str()) else { return false };
            match self.copy_file(p, n, &rel.join(fname)) {
                Ok(from) => copied.push((format!("{}/{fname}", m.target.trim_end_matches('/')), from)),
                Err(_) => return false,
            }
        }
        for (target, from) in copied {
            files.insert(target, json!({"from": from}));
        }
        self.note(
            m.span,
            m.path,
            format!(
                "the {} files of read-only directory `{src}` were copied under files/{}/ and are mounted in {}",
                names.len(),
                p.name,
                m.target
            ),
        );
        true
    }

    /// Copies a project file to `files/<service>/<path>`; returns the `from:` path.
    fn copy_file(&mut self, p: &Plan, full: &Path, rel: &Path) -> Result<String, String> {
        let text = crate::source::read_text(full).map_err(|e| e.to_string())?;
        if text.len() > MAX_FILE {
            return Err(format!("it is over {} KiB; put it into the image", MAX_FILE / 1024));
        }
        let flat: String = rel
            .to_string_lossy()
            .trim_start_matches("./")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '/') { c } else { '-' })
            .collect();
        let from = format!("files/{}/{flat}", p.name);
        if !self.copies.iter().any(|(f, _)| *f == from) {
            self.copies.push((from.clone(), text));
        }
        Ok(from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_directories_and_content_directories() {
        assert!(looks_like_data("./volumes/db/data", "/var/lib/postgresql/data"));
        assert!(looks_like_data("./uploads", "/app/public/uploads"));
        assert!(!looks_like_data("./app/src", "/var/www/html"));
        let t = tempfile::TempDir::new().unwrap();
        std::fs::write(t.path().join(".gitkeep"), "").unwrap();
        assert_eq!(visible_files(t.path()), 0, "a kept empty directory is data");
        std::fs::create_dir(t.path().join("src")).unwrap();
        std::fs::write(t.path().join("src/main.py"), "print(1)").unwrap();
        assert_eq!(visible_files(t.path()), 1);
    }
}
