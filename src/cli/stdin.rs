//! `scan -`: standard input as one file. The scan pipeline reads files by path (size checks, the
//! prefilter, hashes, the program model), so the input is written once into a private temporary folder
//! at the path `--stdin-name` gives; the language, the context (`tests/…` is test code) and every
//! finding path then come from that name.
use anyhow::{Context, Result, bail};
use std::path::{Component, Path, PathBuf};

/// Standard input written out; the folder is removed when this is dropped.
pub struct StdinFile {
    dir: tempfile::TempDir,
    name: String,
}

impl StdinFile {
    /// The root to scan: the private folder.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    /// The path findings carry, as `--stdin-name` gave it (made relative).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `listener` told paths relative to the private folder (what the user named), not inside it.
    pub fn explain_relative(&self, listener: crate::scan::Explain) -> crate::scan::Explain {
        let root = self.dir.path().to_path_buf();
        crate::scan::Explain(std::sync::Arc::new(move |path, why| {
            (listener.0)(path.strip_prefix(&root).unwrap_or(path), why)
        }))
    }
}

/// Reads standard input (at most `max` bytes: a pipe has no size to check first) and writes it at
/// `name` inside a private folder. A name whose language cannot be told is refused: the scan would
/// skip the file and report a green gate for input it never read.
pub fn materialize(name: &str, max: u64) -> Result<StdinFile> {
    let bytes = crate::limits::read_bounded(
        std::io::stdin().lock(),
        max,
        "standard input (see --max-filesize)",
    )?;
    let rel = relative(name);
    let head = &bytes[..bytes.len().min(128)];
    if crate::scan::lang::Lang::detect(&rel, head).is_none() {
        bail!(
            "standard input: cannot tell its language from the name {:?}; give one with \
             --stdin-name (e.g. --stdin-name app.js)",
            rel.display().to_string()
        );
    }
    let dir = tempfile::Builder::new()
        .prefix("ghl-migrate-stdin")
        .tempdir()
        .context("creating a temporary folder for standard input")?;
    let path = dir.path().join(&rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .context("creating a temporary folder for standard input")?;
    }
    std::fs::write(&path, &bytes).context("writing standard input to a temporary file")?;
    Ok(StdinFile {
        dir,
        name: rel.to_string_lossy().replace('\\', "/"),
    })
}

/// `name` reduced to its plain components (no root, `.` or `..`): it must stay inside the folder.
fn relative(name: &str) -> PathBuf {
    let rel: PathBuf = Path::new(name)
        .components()
        .filter_map(|c| match c {
            Component::Normal(p) => Some(p),
            _ => None,
        })
        .collect();
    if rel.as_os_str().is_empty() {
        PathBuf::from("<stdin>")
    } else {
        rel
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stdin_name_cannot_escape_the_private_folder() {
        assert_eq!(relative("../../etc/x.py"), PathBuf::from("etc/x.py"));
        assert_eq!(relative("/abs/app.js"), PathBuf::from("abs/app.js"));
        assert_eq!(relative("./src/a.ts"), PathBuf::from("src/a.ts"));
        assert_eq!(relative(".."), PathBuf::from("<stdin>"));
    }
}
