//! The platform folder is the boundary of what genk8s reads: platform.yaml, the
//! overlays, engine templates and `from:` files must all resolve, symbolic links
//! followed, to a path inside the (resolved) platform folder. A link that leads out,
//! or to nothing, is refused with one message either way, so an error never tells
//! whether some file outside the folder exists.

use crate::diag::Diagnostic;
use std::path::Path;

/// What to change when a file is refused.
pub const HELP: &str =
    "genk8s reads only files inside the platform folder; put the file itself there, or link only to files inside it";

/// The message for a refused path, shown as `shown`.
pub fn message(shown: &str) -> String {
    format!("{shown} goes through a symbolic link that leads outside the platform folder or to nothing")
}

/// Whether reading `path` stays inside `root` once symbolic links are resolved. A path
/// that does not exist and goes through no link counts as inside: reading it reports it.
pub fn inside(root: &Path, path: &Path) -> bool {
    let Ok(root) = std::fs::canonicalize(root) else {
        return true;
    };
    for ancestor in path.ancestors().filter(|a| !a.as_os_str().is_empty()) {
        match std::fs::canonicalize(ancestor) {
            Ok(real) => return real.starts_with(&root),
            // A dangling link: where it points is not ours to tell.
            Err(_) if std::fs::symlink_metadata(ancestor).is_ok_and(|m| m.file_type().is_symlink()) => return false,
            Err(_) => {}
        }
    }
    true
}

/// [`inside`] as a whole-file diagnostic (platform.yaml, overlays, templates).
pub fn check(root: &Path, path: &Path) -> Result<(), Diagnostic> {
    if inside(root, path) {
        Ok(())
    } else {
        Err(Diagnostic::new(None, message(&path.display().to_string())).help(HELP))
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn links_out_of_the_folder_or_to_nothing_are_outside() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("p");
        std::fs::create_dir_all(root.join("files")).unwrap();
        std::fs::write(root.join("files/a.txt"), "a").unwrap();
        std::fs::write(t.path().join("secret"), "s").unwrap();
        symlink(root.join("files/a.txt"), root.join("files/in")).unwrap();
        symlink(t.path().join("secret"), root.join("files/out")).unwrap();
        symlink(t.path(), root.join("up")).unwrap();
        symlink(t.path().join("nothing"), root.join("dangling")).unwrap();
        assert!(inside(&root, &root.join("files/a.txt")));
        assert!(inside(&root, &root.join("files/in")));
        assert!(inside(&root, &root.join("files/missing.txt")), "a missing file is read, and reported, as usual");
        assert!(!inside(&root, &root.join("files/out")));
        assert!(!inside(&root, &root.join("up/secret")));
        assert!(!inside(&root, &root.join("up/no-such-file")), "no hint whether it exists");
        assert!(!inside(&root, &root.join("dangling")));
        assert!(!inside(&root, &root.join("dangling/x")));
    }

    #[test]
    fn a_linked_platform_folder_is_its_target() {
        let t = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(t.path().join("real")).unwrap();
        std::fs::write(t.path().join("real/platform.yaml"), "platform: x\n").unwrap();
        symlink(t.path().join("real"), t.path().join("link")).unwrap();
        let root = t.path().join("link");
        assert!(check(&root, &root.join("platform.yaml")).is_ok());
    }
}
