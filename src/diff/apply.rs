//! `diff --apply`: the one path that writes into the user's tree.
//!
//! The tree may be controlled by someone else, and another run (or an editor) may write at the same time,
//! so every file is held to the same rules, all checked before the first write:
//! - it lies inside the canonical root: no `..`, no directory symlink leading out of the root (even when
//!   the scan followed it), and the file itself is not a symlink (replacing it would drop the link,
//!   writing through it could leave the tree);
//! - it still has the content the findings were made from (the scan's content hash), checked again right
//!   before the atomic rename;
//! - it is writable (a read-only file is refused, not replaced) and its backup path does not exist;
//! - the new content is written in the file's encoding (see `source`) with its permissions, to a temp file
//!   in the same directory, then renamed over it.
//!
//! An exclusive advisory lock on the root directory is held for the whole apply: a second run on the same
//! tree fails at once instead of interleaving. When a run stops early, the error lists exactly the files
//! and backups written.
use super::FilePatch;
use crate::report::visible;
use anyhow::{Context, Result, bail};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Component, Path, PathBuf};

/// What an apply wrote.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Files replaced, by finding path.
    pub written: Vec<String>,
    /// Backups created (`X.orig`), by path.
    pub backups: Vec<String>,
}

impl Applied {
    /// For the error of a run that stopped early.
    fn describe(&self) -> String {
        if self.written.is_empty() && self.backups.is_empty() {
            return "no file was written".into();
        }
        let list = |v: &[String]| {
            v.iter()
                .map(|s| visible(s).into_owned())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut parts = vec![if self.written.is_empty() {
            "no file was rewritten".to_string()
        } else {
            format!("already written: {}", list(&self.written))
        }];
        if !self.backups.is_empty() {
            parts.push(format!("backups written: {}", list(&self.backups)));
        }
        parts.join("; ")
    }
}

/// Writes every patch under `root` (the PATH given to diff: a directory, or the one file patched).
pub fn apply(patches: &[FilePatch], root: &Path, backup: bool) -> Result<Applied> {
    let root = Root::new(root)?;
    let _lock = Lock::take(root.lock_dir())?;
    for p in patches {
        check(p, &root, backup)
            .with_context(|| format!("{} refused: no file was written", visible(&p.path)))?;
    }
    let mut done = Applied::default();
    for p in patches {
        if let Err(e) = write_one(p, &root, backup, &mut done) {
            return Err(e.context(format!(
                "stopped at {} ({})",
                visible(&p.path),
                done.describe()
            )));
        }
    }
    Ok(done)
}

/// The root as given and as resolved.
struct Root {
    given: PathBuf,
    canon: PathBuf,
    is_file: bool,
}

impl Root {
    fn new(given: &Path) -> Result<Root> {
        let canon = fs::canonicalize(given)
            .with_context(|| format!("resolving the root {}", visible(&given.to_string_lossy())))?;
        Ok(Root {
            given: given.to_path_buf(),
            is_file: !canon.is_dir(),
            canon,
        })
    }

    fn lock_dir(&self) -> &Path {
        if self.is_file {
            self.canon.parent().unwrap_or(Path::new("/"))
        } else {
            &self.canon
        }
    }
}

/// Refuses a target that is not a regular file inside the root, reached without leaving it.
fn confine(p: &FilePatch, root: &Root) -> Result<fs::Metadata> {
    let shown = visible(&p.path);
    if root.is_file {
        if p.abs != root.given {
            bail!("{shown} is not the file diff was given");
        }
    } else {
        let rel = Path::new(&p.path);
        if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
            bail!("{shown} is not a plain path below the root: not written");
        }
        let mut cur = root.given.clone();
        let parts: Vec<_> = rel.components().collect();
        for c in &parts[..parts.len().saturating_sub(1)] {
            cur.push(c);
            let meta = fs::symlink_metadata(&cur)
                .with_context(|| format!("reading {}", visible(&cur.to_string_lossy())))?;
            if meta.file_type().is_symlink() {
                let target = fs::canonicalize(&cur).ok();
                if !target.is_some_and(|t| t.starts_with(&root.canon)) {
                    bail!(
                        "{shown}: {} is a symlink leading outside the root: not written through",
                        visible(
                            &cur.strip_prefix(&root.given)
                                .unwrap_or(&cur)
                                .to_string_lossy()
                        )
                    );
                }
            }
        }
        if p.abs != root.given.join(rel) {
            bail!("{shown} is not where the scan found it: not written");
        }
    }
    let meta = fs::symlink_metadata(&p.abs).with_context(|| format!("reading {shown}"))?;
    if meta.file_type().is_symlink() {
        bail!("{shown} is a symlink: not written through (edit its target by hand)");
    }
    if !meta.is_file() {
        bail!("{shown} is not a regular file: not written");
    }
    // The directory the temp file and the rename go to, resolved: the last word on "inside the root".
    let dir = p.abs.parent().unwrap_or(Path::new("."));
    let dir = fs::canonicalize(if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    })
    .with_context(|| format!("resolving the directory of {shown}"))?;
    if !dir.starts_with(root.lock_dir()) {
        bail!("{shown} resolves outside the root: not written");
    }
    Ok(meta)
}

/// The file's current bytes, refused unless they are the bytes the findings were made from.
fn read_unchanged(p: &FilePatch) -> Result<Vec<u8>> {
    let now = fs::read(&p.abs).with_context(|| format!("re-reading {}", visible(&p.path)))?;
    if crate::scan::walk::content_hash(&now) != p.before_hash {
        bail!(
            "{} changed since it was scanned: not applied (run diff again)",
            visible(&p.path)
        );
    }
    Ok(now)
}

fn backup_path(abs: &Path) -> PathBuf {
    let mut name = abs.file_name().unwrap_or_default().to_os_string();
    name.push(".orig");
    abs.with_file_name(name)
}

/// Everything that can be known before writing: confinement, permissions, content, backup path.
fn check(p: &FilePatch, root: &Root, backup: bool) -> Result<()> {
    let meta = confine(p, root)?;
    let shown = visible(&p.path);
    // `readonly` sees the mode bits; opening for writing (nothing is truncated) also sees ownership and
    // ACLs. Either way the rename would replace a file its owner protected.
    if meta.permissions().readonly() || fs::OpenOptions::new().write(true).open(&p.abs).is_err() {
        bail!("{shown} is read-only: not replaced (make it writable to apply)");
    }
    read_unchanged(p)?;
    if backup {
        let orig = backup_path(&p.abs);
        if fs::symlink_metadata(&orig).is_ok() {
            bail!(
                "the backup {} already exists: not overwritten",
                visible(&orig.to_string_lossy())
            );
        }
    }
    Ok(())
}

fn write_one(p: &FilePatch, root: &Root, backup: bool, done: &mut Applied) -> Result<()> {
    let shown = visible(&p.path);
    let meta = confine(p, root)?;
    let before = read_unchanged(p)?;
    if backup {
        let orig = backup_path(&p.abs);
        // `create_new` fails on any existing entry, a symlink included: nothing is overwritten or
        // written through.
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&orig)
            .with_context(|| {
                format!(
                    "writing the backup {}: it already exists or cannot be created (not overwritten)",
                    visible(&orig.to_string_lossy())
                )
            })?;
        done.backups.push(format!("{}.orig", p.path));
        f.write_all(&before)
            .and_then(|()| f.sync_all())
            .with_context(|| format!("writing a backup of {shown}"))?;
    }
    let dir = p.abs.parent().unwrap_or(Path::new("."));
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".ghl-migrate-")
        .tempfile_in(dir)
        .with_context(|| format!("creating a temp file next to {shown}"))?;
    tmp.write_all(&p.encoding.encode(&p.after))
        .and_then(|()| tmp.as_file().sync_all())
        .with_context(|| format!("writing the new {shown}"))?;
    fs::set_permissions(tmp.path(), meta.permissions())
        .with_context(|| format!("keeping the permissions of {shown}"))?;
    // Last checks, immediately before the rename: still inside the root, still the scanned content.
    confine(p, root)?;
    read_unchanged(p)?;
    tmp.persist(&p.abs)
        .with_context(|| format!("replacing {shown}"))?;
    done.written.push(p.path.clone());
    Ok(())
}

/// The exclusive lock held for a whole apply. On Unix the root directory's own handle is locked (nothing
/// is added to the tree); elsewhere a `.ghl-migrate.lock` file, removed afterwards.
struct Lock {
    _file: File,
    remove: Option<PathBuf>,
}

impl Lock {
    fn take(dir: &Path) -> Result<Lock> {
        let shown = visible(&dir.to_string_lossy()).into_owned();
        #[cfg(unix)]
        let (file, remove) = (
            File::open(dir).with_context(|| format!("opening {shown} to lock it"))?,
            None,
        );
        #[cfg(not(unix))]
        let (file, remove) = {
            let path = dir.join(".ghl-migrate.lock");
            let f = fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .with_context(|| format!("creating the lock file in {shown}"))?;
            (f, Some(path))
        };
        match file.try_lock() {
            Ok(()) => Ok(Lock {
                _file: file,
                remove,
            }),
            Err(fs::TryLockError::WouldBlock) => bail!(
                "another `ghl-migrate diff --apply` is writing to {shown}: run again when it has finished (no file was written)"
            ),
            Err(fs::TryLockError::Error(e)) => Err(e).with_context(|| format!("locking {shown}")),
        }
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        if let Some(p) = &self.remove {
            let _ = fs::remove_file(p);
        }
    }
}
