//! Projects: what bounds the second pass when one tree holds many projects (a folder of client
//! repositories, a vendored set of packages).
//!
//! Code refers to another file's definitions through its own project: a relative import, a package of
//! its own workspace, a module on its own path. A project is the outermost directory below a scan root
//! that holds a package manifest (`package.json`, `pyproject.toml`, `go.mod`, `pom.xml`, a `*.csproj`,
//! an installed `*.dist-info` …) or a repository (`.git`, which the walk reports as it leaves it out),
//! so a monorepo's workspace is one project with all its packages. Pass 2
//! and the linking rounds read a candidate file only when its project holds V1 evidence (a V1 base URL,
//! a setting holding one, or a parsed V1 request), or when either side belongs to no project: files
//! outside every project may reach into any, and evidence outside every project may be read by any.
//! Without this, one generic name defined in one project made every file of every other project a
//! candidate.
use std::collections::HashSet;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// Files whose directory is a project's root.
const MANIFESTS: &[&str] = &[
    // A linked worktree's or a submodule's `.git` is a file.
    ".git",
    "package.json",
    "deno.json",
    "deno.jsonc",
    "pnpm-workspace.yaml",
    "lerna.json",
    "nx.json",
    "composer.json",
    "go.mod",
    "go.work",
    "Cargo.toml",
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "Pipfile",
    "requirements.txt",
    "Gemfile",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "settings.gradle",
    "settings.gradle.kts",
    "mix.exs",
    "pubspec.yaml",
    "Package.swift",
];

/// Extensions of manifest files (`app.csproj`, `tool.gemspec`).
const MANIFEST_EXTENSIONS: &[&str] = &["csproj", "vbproj", "fsproj", "sln", "gemspec"];

/// Extensions of directories that mark an installed Python distribution's root.
const MANIFEST_DIR_EXTENSIONS: &[&str] = &["dist-info", "egg-info"];

/// Whether a walked entry named `name` makes its parent directory a project root.
pub fn is_manifest(name: &OsStr, is_dir: bool) -> bool {
    let Some(name) = name.to_str() else {
        return false;
    };
    let ext = Path::new(name).extension().and_then(OsStr::to_str);
    if is_dir {
        return ext.is_some_and(|e| MANIFEST_DIR_EXTENSIONS.contains(&e));
    }
    MANIFESTS.contains(&name) || ext.is_some_and(|e| MANIFEST_EXTENSIONS.contains(&e))
}

/// The project roots a walk met, and which of them hold V1 evidence.
#[derive(Debug, Default)]
pub struct Projects {
    roots: Vec<PathBuf>,
    /// Directories holding a manifest (as the walk spelt them, below their scan root).
    manifest_dirs: HashSet<PathBuf>,
    /// Projects holding evidence (`None`: evidence outside every project, so every file may link).
    evidence: HashSet<Option<PathBuf>>,
}

impl Projects {
    /// The projects of a walk of `roots` that met manifests in `manifest_dirs` and found V1 evidence
    /// in the files at `evidence`.
    pub fn new(roots: &[PathBuf], manifest_dirs: HashSet<PathBuf>, evidence: &[PathBuf]) -> Self {
        let mut p = Projects {
            roots: roots.to_vec(),
            manifest_dirs,
            evidence: HashSet::new(),
        };
        p.evidence = evidence
            .iter()
            .map(|e| p.project_of(e).map(Path::to_path_buf))
            .collect();
        p
    }

    /// The project `path` belongs to: its outermost ancestor below (or at) its scan root holding a
    /// manifest; `None` outside every project.
    pub fn project_of<'p>(&self, path: &'p Path) -> Option<&'p Path> {
        if self.manifest_dirs.is_empty() {
            return None;
        }
        let root = self.roots.iter().find(|r| path.starts_with(r))?;
        let mut outermost = None;
        for dir in path.ancestors().skip(1) {
            if self.manifest_dirs.contains(dir) {
                outermost = Some(dir);
            }
            if dir == root.as_path() {
                break;
            }
        }
        outermost
    }

    /// Whether the file at `path` may refer to some V1 evidence: it is outside every project, its
    /// project holds evidence, or some evidence is outside every project.
    pub fn may_link(&self, path: &Path) -> bool {
        if self.evidence.contains(&None) {
            return true;
        }
        match self.project_of(path) {
            None => true,
            Some(project) => self.evidence.contains(&Some(project.to_path_buf())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn projects(manifests: &[&str], evidence: &[&str]) -> Projects {
        let dirs = manifests
            .iter()
            .map(|m| {
                let path = Path::new(m);
                assert!(is_manifest(path.file_name().unwrap(), m.ends_with("-info")));
                path.parent().unwrap().to_path_buf()
            })
            .collect();
        let evidence: Vec<PathBuf> = evidence.iter().map(PathBuf::from).collect();
        Projects::new(&[PathBuf::from("t")], dirs, &evidence)
    }

    #[test]
    fn manifests_by_name_extension_and_installed_distribution() {
        assert!(is_manifest(OsStr::new("package.json"), false));
        assert!(is_manifest(OsStr::new("Api.csproj"), false));
        assert!(is_manifest(OsStr::new("django-5.2.dist-info"), true));
        assert!(!is_manifest(OsStr::new("package.json"), true));
        assert!(!is_manifest(OsStr::new("django-5.2.dist-info"), false));
        assert!(!is_manifest(OsStr::new("index.js"), false));
    }

    #[test]
    fn the_outermost_manifest_below_the_root_is_the_project() {
        let p = projects(
            &[
                "t/ws/package.json",
                "t/ws/packages/api/package.json",
                "t/other/go.mod",
                "t/py/django-5.2.dist-info",
            ],
            &[],
        );
        let of = |f| p.project_of(Path::new(f));
        assert_eq!(of("t/ws/packages/api/src/a.js"), Some(Path::new("t/ws")));
        assert_eq!(of("t/other/main.go"), Some(Path::new("t/other")));
        assert_eq!(of("t/py/django/urls.py"), Some(Path::new("t/py")));
        assert_eq!(of("t/scripts/run.js"), None);
        assert_eq!(of("t/top.js"), None);
        assert_eq!(of("elsewhere/a.js"), None);
    }

    #[test]
    fn a_manifest_at_the_root_makes_one_project() {
        let p = projects(&["t/package.json", "t/sub/package.json"], &["t/sub/ghl.js"]);
        assert!(p.may_link(Path::new("t/lib/x.js")));
    }

    #[test]
    fn files_link_within_their_project_or_outside_every_project() {
        let p = projects(
            &["t/a/package.json", "t/b/package.json"],
            &["t/a/src/ghl.js"],
        );
        assert!(p.may_link(Path::new("t/a/src/use.js")));
        assert!(!p.may_link(Path::new("t/b/src/use.js")));
        assert!(p.may_link(Path::new("t/scripts/use.js")));
        // Evidence outside every project: any file may read it.
        let p = projects(
            &["t/a/package.json", "t/b/package.json"],
            &["t/a/src/ghl.js", "t/.env"],
        );
        assert!(p.may_link(Path::new("t/b/src/use.js")));
    }

    #[test]
    fn no_manifest_means_no_bound() {
        let p = projects(&[], &["t/a/ghl.js"]);
        assert!(p.may_link(Path::new("t/b/x.js")));
    }
}
