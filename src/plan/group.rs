//! Grouping findings into the units a team migrates: a project (nearest manifest), an export file, or what
//! `ghl-migrate.yaml` says.
use super::config::PlanConfig;
use crate::scan::finding::{Context, Finding};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

/// Files whose directory is a project root.
const MANIFESTS: &[&str] = &[
    "package.json",
    "composer.json",
    "pyproject.toml",
    "setup.py",
    "setup.cfg",
    "requirements.txt",
    "Pipfile",
    "Cargo.toml",
    "go.mod",
    "pom.xml",
    "build.gradle",
    "build.gradle.kts",
    "Gemfile",
    "pubspec.yaml",
    "deno.json",
    "deno.jsonc",
    "mix.exs",
    "Package.swift",
    "serverless.yml",
    "supabase",
    ".git",
];

/// One unit's identity and how it was found.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unit {
    pub id: String,
    pub name: String,
    /// Directory or file, relative to the scanned root ("." for the root).
    pub root: String,
    /// `project`, `export`, `directory`, `n8n_node`, `configured`.
    pub kind: &'static str,
    /// Index into the config's integrations, when configured.
    pub config: Option<usize>,
    /// The repository, when the plan spans several (`plan --from`): `root` is then `repo:root`.
    pub repository: Option<String>,
}

/// Assigns each finding (by index) to a unit.
pub fn group(
    findings: &[Finding],
    scan_root: Option<&Path>,
    cfg: &PlanConfig,
) -> BTreeMap<Unit, Vec<usize>> {
    let globs: Vec<(usize, globset::GlobSet)> = cfg
        .integrations
        .iter()
        .enumerate()
        .filter_map(|(i, ic)| {
            let mut b = globset::GlobSetBuilder::new();
            for p in &ic.paths {
                b.add(globset::Glob::new(p).ok()?);
                // `dir` also means everything below it.
                if !p.contains('*') {
                    b.add(globset::Glob::new(&format!("{}/**", p.trim_end_matches('/'))).ok()?);
                }
            }
            Some((i, b.build().ok()?))
        })
        .collect();
    let mut cache: HashMap<String, Option<String>> = HashMap::new();
    // A tree without any manifest is one code base: its folders are not one integration each.
    let no_manifest = findings
        .iter()
        .all(|f| project_root(in_repository(f).1, scan_root, &mut cache).is_none());
    let mut out: BTreeMap<Unit, Vec<usize>> = BTreeMap::new();
    for (i, f) in findings.iter().enumerate() {
        let (repo, rel) = in_repository(f);
        let unit = if let Some((ci, _)) = globs.iter().find(|(_, g)| g.is_match(rel)) {
            let name = cfg.integrations[*ci].name.clone();
            Unit {
                id: slug(&name),
                name,
                root: cfg.integrations[*ci].paths.join(", "),
                kind: "configured",
                config: Some(*ci),
                repository: None,
            }
        } else if f.context == Context::Export {
            let name = rel.rsplit('/').next().unwrap_or(rel).to_string();
            Unit {
                id: slug(rel),
                name,
                root: rel.to_string(),
                kind: "export",
                config: None,
                repository: None,
            }
        } else {
            match project_root(rel, scan_root, &mut cache) {
                Some(root) => {
                    let name = if root == "." {
                        root_name(scan_root)
                    } else {
                        root.rsplit('/').next().unwrap_or(&root).to_string()
                    };
                    Unit {
                        id: slug(&root_or_name(&root, &name)),
                        name,
                        root,
                        kind: "project",
                        config: None,
                        repository: None,
                    }
                }
                None if n8n_node_dir(rel, scan_root).is_some() => {
                    let dir = n8n_node_dir(rel, scan_root).unwrap_or_default();
                    let name = dir.rsplit('/').next().unwrap_or(&dir).to_string();
                    Unit {
                        id: slug(&dir),
                        name,
                        root: dir,
                        kind: "n8n_node",
                        config: None,
                        repository: None,
                    }
                }
                None => {
                    let top = rel
                        .split('/')
                        .next()
                        .filter(|_| rel.contains('/') && !no_manifest)
                        .unwrap_or(".")
                        .to_string();
                    let name = if top == "." {
                        root_name(scan_root)
                    } else {
                        top.clone()
                    };
                    Unit {
                        id: slug(&root_or_name(&top, &name)),
                        name,
                        root: top,
                        kind: "directory",
                        config: None,
                        repository: None,
                    }
                }
            }
        };
        let unit = match repo {
            Some(r) => in_repo_unit(unit, r),
            None => unit,
        };
        out.entry(unit).or_default().push(i);
    }
    out
}

/// A finding's repository (in a plan across several) and its path within it: paths there are shown as
/// `repo:path` (see `plan::build`).
fn in_repository(f: &Finding) -> (Option<&str>, &str) {
    match f.repository.as_deref() {
        Some(r) => (
            Some(r),
            f.path
                .strip_prefix(r)
                .and_then(|p| p.strip_prefix(':'))
                .unwrap_or(&f.path),
        ),
        None => (None, &f.path),
    }
}

/// A unit of repository `repo`: the repository's own root is the integration named after it (id: the
/// repository's slug); anything below is `repo/…`.
fn in_repo_unit(u: Unit, repo: &str) -> Unit {
    let whole = u.root == "." && u.config.is_none();
    Unit {
        id: if whole {
            slug(repo)
        } else {
            format!("{}/{}", slug(repo), u.id)
        },
        name: if whole {
            repo.to_string()
        } else {
            format!("{repo}/{}", u.name)
        },
        root: crate::reports::qualify(repo, &u.root),
        repository: Some(repo.to_string()),
        ..u
    }
}

/// The n8n node folder holding `rel` (`…/nodes/<Name>`, with a `description/` folder or a
/// `<Name>.node.ts|js` file): one node is one integration whatever its version subfolders.
fn n8n_node_dir(rel: &str, scan_root: Option<&Path>) -> Option<String> {
    let root = scan_root.filter(|r| r.is_dir())?;
    let parts: Vec<&str> = rel.split('/').collect();
    let at = parts.iter().rposition(|p| *p == "nodes")?;
    let name = parts.get(at + 1).filter(|_| parts.len() > at + 2)?;
    let dir = parts[..=at + 1].join("/");
    let abs = root.join(&dir);
    let is_node = abs.join("description").is_dir()
        || ["ts", "js"]
            .iter()
            .any(|x| abs.join(format!("{name}.node.{x}")).is_file());
    is_node.then_some(dir)
}

fn root_or_name(root: &str, name: &str) -> String {
    if root == "." {
        name.to_string()
    } else {
        root.to_string()
    }
}

fn root_name(scan_root: Option<&Path>) -> String {
    scan_root
        .and_then(|r| std::fs::canonicalize(r).ok())
        .and_then(|r| r.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "root".into())
}

/// Nearest directory above `rel` (inside the scanned root) holding a manifest; `"."` for the root itself.
fn project_root(
    rel: &str,
    scan_root: Option<&Path>,
    cache: &mut HashMap<String, Option<String>>,
) -> Option<String> {
    let root = scan_root?;
    let mut dir = rel.rfind('/').map_or("", |i| &rel[..i]).to_string();
    let mut visited = Vec::new();
    let found = loop {
        if let Some(hit) = cache.get(&dir) {
            break hit.clone();
        }
        visited.push(dir.clone());
        let abs: PathBuf = if dir.is_empty() {
            root.to_path_buf()
        } else {
            root.join(&dir)
        };
        if MANIFESTS.iter().any(|m| abs.join(m).exists()) || has_csproj(&abs) {
            break Some(if dir.is_empty() {
                ".".to_string()
            } else {
                dir.clone()
            });
        }
        if dir.is_empty() {
            break None;
        }
        dir = dir
            .rfind('/')
            .map_or(String::new(), |i| dir[..i].to_string());
    };
    for v in visited {
        cache.insert(v, found.clone());
    }
    found
}

fn has_csproj(dir: &Path) -> bool {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten().any(|e| {
                e.path()
                    .extension()
                    .is_some_and(|x| x == "csproj" || x == "sln")
            })
        })
        .unwrap_or(false)
}

/// A stable, readable id: `agency-tools`, `exports-n8n-lead-json`.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let t = out.trim_end_matches('-').to_string();
    if t.is_empty() { "root".into() } else { t }
}
