//! Writing a kustomize tree to OUT so that OUT is always one whole build.
//!
//! A build takes an exclusive lock beside OUT (`.OUT.genk8s.lock`), removes staging
//! folders that killed builds left behind, writes the whole new tree into a sibling
//! staging folder (`.OUT.genk8s-stage-<pid>`), carries over the files in OUT that
//! genk8s did not write (hard links), and then swaps the staging folder with OUT in
//! one step (`renameat2(RENAME_EXCHANGE)` on Linux); several trees (`build --all`) are all
//! staged before the first is swapped. Where the file system cannot
//! exchange, OUT is moved aside and the new tree renamed in its place: OUT is then
//! briefly absent, never mixed, and a build killed in between is undone by the next.
//! OUT stays a plain folder, so committed trees are plain files in git.

use crate::emit;
use std::collections::{BTreeMap, BTreeSet};
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

const LOCK_SUFFIX: &str = ".genk8s.lock";
const STAGE: &str = ".genk8s-stage-";
const OLD: &str = ".genk8s-old-";
/// Staging folders of genk8s versions before the swap: inside OUT, and beside a fresh OUT.
const LEGACY_INSIDE: &str = ".genk8s-staging-";

/// Set by the integration tests: print a line and sleep this many milliseconds once the
/// new tree is staged and before it is swapped in, so a test can kill the build there.
const TEST_PAUSE: &str = "GENK8S_TEST_PAUSE_BEFORE_SWAP";

fn io_err(what: &str, p: &Path, e: io::Error) -> String {
    format!("cannot {what} {}: {e}", p.display())
}

/// OUT's folder and name, with symlinks resolved (a symlinked OUT has its target swapped).
#[derive(Debug, Clone)]
struct Target {
    parent: PathBuf,
    name: String,
}

impl Target {
    fn resolve(dir: &Path) -> Result<Target, String> {
        let dir = match fs::canonicalize(dir) {
            Ok(real) => real,
            Err(_) => {
                let parent = dir.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
                fs::create_dir_all(parent).map_err(|e| io_err("create", parent, e))?;
                let parent = fs::canonicalize(parent).map_err(|e| io_err("resolve", parent, e))?;
                match dir.file_name() {
                    Some(n) => parent.join(n),
                    None => return Err(format!("{} cannot be an output folder", dir.display())),
                }
            }
        };
        match (dir.parent(), dir.file_name()) {
            (Some(parent), Some(name)) => {
                Ok(Target { parent: parent.to_path_buf(), name: name.to_string_lossy().into_owned() })
            }
            _ => Err(format!("{} cannot be an output folder: genk8s swaps OUT with a folder beside it", dir.display())),
        }
    }

    fn out(&self) -> PathBuf {
        self.parent.join(&self.name)
    }

    fn sibling(&self, infix: &str, pid: u32) -> PathBuf {
        self.parent.join(format!(".{}{infix}{pid}", self.name))
    }
}

/// An exclusive lock on one OUT, held until dropped; the lock file is removed on drop.
#[derive(Debug)]
pub struct Lock {
    target: Target,
    path: PathBuf,
    file: Option<File>,
}

impl Lock {
    /// Locks `dir` against other genk8s builds; an error when one holds it already.
    pub fn acquire(dir: &Path) -> Result<Lock, String> {
        let target = Target::resolve(dir)?;
        let path = target.parent.join(format!(".{}{LOCK_SUFFIX}", target.name));
        loop {
            let mut file = fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(|e| io_err("create the lock file", &path, e))?;
            match file.try_lock() {
                Ok(()) => {}
                Err(fs::TryLockError::WouldBlock) => return Err(held_by_other(dir, &path)),
                Err(fs::TryLockError::Error(e)) => return Err(io_err("lock", &path, e)),
            }
            // A holder that finished removed the file it locked: lock the file now at `path`.
            if same_file(&file, &path) {
                use std::io::Write;
                file.set_len(0).and_then(|()| writeln!(file, "{}", std::process::id())).ok();
                return Ok(Lock { target, path, file: Some(file) });
            }
        }
    }
}

fn held_by_other(dir: &Path, lock: &Path) -> String {
    let pid = fs::read_to_string(lock).unwrap_or_default();
    let pid = pid.trim();
    let by = if pid.is_empty() { String::new() } else { format!(" (pid {pid})") };
    format!(
        "{} is being written by another genk8s build{by}; wait for it to finish (lock {})",
        dir.display(),
        lock.display()
    )
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, path: &Path) -> bool {
    path.exists()
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Remove while still holding it, so the next build never locks a file about to vanish.
        let _ = fs::remove_file(&self.path);
        self.file.take();
    }
}

/// Removes what killed builds left beside OUT; puts back an OUT moved aside by a build
/// killed between the two renames of the fallback swap. Under the lock, every staging
/// folder of this OUT is stale: only the lock holder creates them.
fn clean_stale(t: &Target) -> Result<(), String> {
    let Ok(read) = fs::read_dir(&t.parent) else {
        return Ok(());
    };
    let prefix = |infix: &str| format!(".{}{infix}", t.name);
    let (stage, old, legacy) = (prefix(STAGE), prefix(OLD), prefix(LEGACY_INSIDE));
    let mut entries: Vec<(String, PathBuf)> =
        read.flatten().map(|e| (e.file_name().to_string_lossy().into_owned(), e.path())).collect();
    entries.sort();
    for (name, path) in entries {
        if name.starts_with(&old) && !t.out().exists() {
            fs::rename(&path, t.out()).map_err(|e| io_err("restore", &t.out(), e))?;
        } else if name.starts_with(&stage) || name.starts_with(&old) || name.starts_with(&legacy) {
            fs::remove_dir_all(&path).map_err(|e| io_err("remove the stale staging folder", &path, e))?;
        }
    }
    Ok(())
}

/// Writes `files` as the tree at the locked OUT. Nothing in OUT changes until the swap;
/// a failure before it leaves OUT as it was. Files genk8s did not write stay in OUT.
pub fn write_tree(lock: Lock, files: &BTreeMap<String, String>) -> Result<(), String> {
    swap_all(vec![stage(lock, files)?])
}

/// A tree written into its staging folder beside OUT, not yet in place; it holds OUT's
/// lock. Dropped without [`swap_all`], its folder is removed and OUT is unchanged.
#[derive(Debug)]
pub struct Staged {
    stage: PathBuf,
    lock: Lock,
}

impl Drop for Staged {
    fn drop(&mut self) {
        // After a swap the staging path holds the previous tree; after a failure, the partial one.
        let _ = fs::remove_dir_all(&self.stage);
    }
}

/// Writes `files` into a staging folder beside the locked OUT, leaving OUT as it was
/// (and refusing an OUT whose kustomization.yaml genk8s did not write).
pub fn stage(lock: Lock, files: &BTreeMap<String, String>) -> Result<Staged, String> {
    let t = &lock.target;
    let out = t.out();
    clean_stale(t)?;
    let owned = emit::check_tree(&out, files)?;
    let stage = t.sibling(STAGE, std::process::id());
    fs::create_dir(&stage).map_err(|e| io_err("create", &stage, e))?;
    let staged = Staged { stage, lock };
    stage_tree(&out, &staged.stage, files, &owned)?;
    Ok(staged)
}

/// Puts every staged tree at its OUT, in order, once all of them are staged. A tree
/// swaps in one step; a failure stops before the next tree (each OUT stays one whole build).
pub fn swap_all(staged: Vec<Staged>) -> Result<(), String> {
    test_pause();
    for s in &staged {
        swap(&s.lock.target, &s.stage)?;
    }
    Ok(())
}

fn stage_tree(out: &Path, stage: &Path, files: &BTreeMap<String, String>, owned: &[String]) -> Result<(), String> {
    for (name, content) in files {
        let p = stage.join(name);
        // No fsync: the swap gives readers one whole build, and a tree is regenerated from the spec.
        fs::write(&p, content).map_err(|e| io_err("write", &p, e))?;
    }
    let Ok(meta) = fs::metadata(out) else {
        return Ok(());
    };
    if !meta.is_dir() {
        return Err(format!("{} exists and is not a folder; choose another -o folder", out.display()));
    }
    fs::set_permissions(stage, meta.permissions()).map_err(|e| io_err("set permissions of", stage, e))?;
    let skip: BTreeSet<&str> = owned.iter().chain(files.keys()).map(String::as_str).collect();
    for entry in fs::read_dir(out).map_err(|e| io_err("read", out, e))?.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if !skip.contains(name.as_str()) && !name.starts_with(LEGACY_INSIDE) {
            carry(&entry.path(), &stage.join(&name))?;
        }
    }
    Ok(())
}

/// Copies a file genk8s did not write into the new tree: a hard link for a file, the
/// same target for a symlink, folders entry by entry.
fn carry(from: &Path, to: &Path) -> Result<(), String> {
    let meta = fs::symlink_metadata(from).map_err(|e| io_err("read", from, e))?;
    let ty = meta.file_type();
    if ty.is_symlink() {
        let target = fs::read_link(from).map_err(|e| io_err("read", from, e))?;
        return symlink(&target, to).map_err(|e| io_err("keep", from, e));
    }
    if ty.is_dir() {
        fs::create_dir(to).map_err(|e| io_err("keep", from, e))?;
        fs::set_permissions(to, meta.permissions()).map_err(|e| io_err("keep", from, e))?;
        for entry in fs::read_dir(from).map_err(|e| io_err("read", from, e))?.flatten() {
            carry(&entry.path(), &to.join(entry.file_name()))?;
        }
        return Ok(());
    }
    if !ty.is_file() {
        return Err(format!("{} is not a file or folder; move it out of the output folder", from.display()));
    }
    fs::hard_link(from, to).or_else(|_| fs::copy(from, to).map(|_| ())).map_err(|e| io_err("keep", from, e))
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

#[cfg(not(unix))]
fn symlink(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

fn test_pause() {
    if let Some(ms) = std::env::var(TEST_PAUSE).ok().and_then(|v| v.parse::<u64>().ok()) {
        eprintln!("genk8s: test pause before swap");
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

/// Puts the staged tree at OUT in one step; the previous tree ends up at `stage`.
fn swap(t: &Target, stage: &Path) -> Result<(), String> {
    let out = t.out();
    if !out.exists() {
        return fs::rename(stage, &out).map_err(|e| io_err("move into place", &out, e));
    }
    match exchange(stage, &out) {
        Ok(()) => return Ok(()),
        Err(e) if mount_point(&e) => {
            return Err(format!(
                "cannot swap in the new tree at {}: it is a mount point ({e}); mount its parent folder instead",
                out.display()
            ));
        }
        Err(e) if !exchange_unsupported(&e) => return Err(io_err("swap in the new tree at", &out, e)),
        Err(_) => {}
    }
    swap_by_renames(t, stage)
}

/// The fallback: OUT moved aside, the staged tree renamed in, the previous tree to `stage`.
fn swap_by_renames(t: &Target, stage: &Path) -> Result<(), String> {
    let out = t.out();
    let old = t.sibling(OLD, std::process::id());
    fs::rename(&out, &old).map_err(|e| io_err("move aside", &out, e))?;
    if let Err(e) = fs::rename(stage, &out) {
        let _ = fs::rename(&old, &out);
        return Err(io_err("move into place", &out, e));
    }
    fs::rename(&old, stage).map_err(|e| io_err("move away the previous tree", &old, e))
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let a = CString::new(a.as_os_str().as_bytes())?;
    let b = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are NUL-terminated paths that live across the call; renameat2 only reads them.
    let r = unsafe { libc::renameat2(libc::AT_FDCWD, a.as_ptr(), libc::AT_FDCWD, b.as_ptr(), libc::RENAME_EXCHANGE) };
    if r == 0 { Ok(()) } else { Err(io::Error::last_os_error()) }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> io::Result<()> {
    Err(io::ErrorKind::Unsupported.into())
}

/// OUT sits on another file system than its folder, or is busy as a mount point.
fn mount_point(e: &io::Error) -> bool {
    matches!(e.kind(), io::ErrorKind::CrossesDevices | io::ErrorKind::ResourceBusy)
}

/// The kernel or file system cannot exchange (old kernel, some network and FUSE file systems).
fn exchange_unsupported(e: &io::Error) -> bool {
    #[cfg(target_os = "linux")]
    if matches!(e.raw_os_error(), Some(libc::EINVAL | libc::ENOSYS | libc::EOPNOTSUPP)) {
        return true;
    }
    e.kind() == io::ErrorKind::Unsupported
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emit::{Rendered, tree};

    fn files(names: &[&str]) -> BTreeMap<String, String> {
        let objs: Vec<Rendered> = names
            .iter()
            .map(|n| Rendered { kind: "Deployment".into(), namespace: None, name: (*n).into(), text: format!("{n}\n") })
            .collect();
        tree(objs, "p", "dev")
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> =
            fs::read_dir(dir).unwrap().flatten().map(|e| e.file_name().into_string().unwrap()).collect();
        v.sort();
        v
    }

    fn write(dir: &Path, f: &BTreeMap<String, String>) -> Result<(), String> {
        write_tree(Lock::acquire(dir)?, f)
    }

    #[test]
    fn rewrites_own_files_keeps_foreign_and_leaves_nothing_beside() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("out");
        write(&dir, &files(&["a", "b"])).unwrap();
        fs::write(dir.join("NOTES.md"), "mine").unwrap();
        fs::create_dir(dir.join("docs")).unwrap();
        fs::write(dir.join("docs/x.txt"), "x").unwrap();
        write(&dir, &files(&["a"])).unwrap();
        assert_eq!(names(&dir), ["NOTES.md", "deployment-a.yaml", "docs", "kustomization.yaml"]);
        assert_eq!(fs::read_to_string(dir.join("NOTES.md")).unwrap(), "mine");
        assert_eq!(fs::read_to_string(dir.join("docs/x.txt")).unwrap(), "x");
        assert_eq!(names(t.path()), ["out"], "no lock file or staging folder left beside OUT");
    }

    #[test]
    fn second_writer_is_refused_while_locked() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("out");
        let held = Lock::acquire(&dir).unwrap();
        let err = Lock::acquire(&dir).unwrap_err();
        assert!(err.contains("is being written by another genk8s build"), "{err}");
        assert!(err.contains(&format!("(pid {})", std::process::id())), "{err}");
        drop(held);
        write(&dir, &files(&["a"])).unwrap();
    }

    #[test]
    fn stale_staging_is_removed_and_moved_aside_tree_restored() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("out");
        write(&dir, &files(&["a"])).unwrap();
        fs::create_dir(t.path().join(".out.genk8s-stage-99999")).unwrap();
        fs::create_dir(t.path().join(".out.genk8s-staging-99998")).unwrap();
        fs::create_dir(dir.join(".genk8s-staging-99996")).unwrap();
        write(&dir, &files(&["b"])).unwrap();
        assert_eq!(names(t.path()), ["out"]);
        assert_eq!(names(&dir), ["deployment-b.yaml", "kustomization.yaml"], "older versions' staging inside OUT");
        // A build killed between the fallback's two renames: OUT is aside, nothing at OUT.
        fs::write(dir.join("NOTES.md"), "mine").unwrap();
        fs::rename(&dir, t.path().join(".out.genk8s-old-99997")).unwrap();
        write(&dir, &files(&["c"])).unwrap();
        assert_eq!(names(&dir), ["NOTES.md", "deployment-c.yaml", "kustomization.yaml"]);
        assert_eq!(names(t.path()), ["out"]);
    }

    #[test]
    fn fallback_swap_by_renames_leaves_the_previous_tree_at_stage() {
        let t = tempfile::tempdir().unwrap();
        let dir = t.path().join("out");
        write(&dir, &files(&["a"])).unwrap();
        let target = Target::resolve(&dir).unwrap();
        let stage = target.sibling(STAGE, 1);
        fs::create_dir(&stage).unwrap();
        fs::write(stage.join("new.yaml"), "n").unwrap();
        swap_by_renames(&target, &stage).unwrap();
        assert_eq!(names(&dir), ["new.yaml"]);
        assert_eq!(names(&stage), ["deployment-a.yaml", "kustomization.yaml"]);
        assert_eq!(names(t.path()), [".out.genk8s-stage-1", "out"]);
    }

    #[test]
    fn refuses_foreign_kustomization_and_changes_nothing() {
        let t = tempfile::tempdir().unwrap();
        fs::create_dir(t.path().join("out")).unwrap();
        fs::write(t.path().join("out/kustomization.yaml"), "resources: []\n").unwrap();
        let err = write(&t.path().join("out"), &files(&["a"])).unwrap_err();
        assert!(err.contains("not written by genk8s"), "{err}");
        assert_eq!(names(&t.path().join("out")), ["kustomization.yaml"]);
        assert_eq!(names(t.path()), ["out"]);
    }

    #[test]
    fn symlinked_out_keeps_its_link_and_swaps_the_target() {
        let t = tempfile::tempdir().unwrap();
        let real = t.path().join("real");
        write(&real, &files(&["a"])).unwrap();
        symlink(&real, &t.path().join("link")).unwrap();
        write(&t.path().join("link"), &files(&["b"])).unwrap();
        assert!(fs::symlink_metadata(t.path().join("link")).unwrap().file_type().is_symlink());
        assert_eq!(names(&real), ["deployment-b.yaml", "kustomization.yaml"]);
    }
}
