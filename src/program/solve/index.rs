//! Tree-wide indexes over the facts of every parsed file: names per scope, classes, methods, and import
//! resolution (a module specifier to the file that defines it). Everything is resolved by path or by
//! package, never by a bare name another module also defines.
use crate::program::facts::{ClassId, FileFacts, FnId, Scope};
use crate::scan::lang::Lang;
use std::cell::RefCell;
use std::collections::HashMap;

/// One parsed file.
#[derive(Debug)]
pub struct Unit {
    /// Path relative to the scanned root, `/` separators.
    pub path: String,
    pub lang: Lang,
    pub facts: FileFacts,
}

#[derive(Default)]
struct UnitIndex {
    module_names: HashMap<String, Vec<usize>>,
    class_members: HashMap<(ClassId, String), Vec<usize>>,
    fn_locals: HashMap<(FnId, String), Vec<usize>>,
    methods: HashMap<(ClassId, String), Vec<FnId>>,
    top_fns: HashMap<String, Vec<FnId>>,
    classes: HashMap<String, ClassId>,
    calls_in_fn: HashMap<FnId, Vec<usize>>,
}

pub struct Index<'a> {
    pub units: &'a [Unit],
    per: Vec<UnitIndex>,
    by_path: HashMap<&'a str, usize>,
    /// Classes by name across the tree (for namespace/package resolution and unique-name fallbacks).
    classes_by_name: HashMap<String, Vec<(usize, ClassId)>>,
    fns_by_name: HashMap<String, Vec<(usize, FnId)>>,
    /// Exported module-level bindings by name (PHP `define`, globals).
    exported_by_name: HashMap<String, Vec<(usize, usize)>>,
    /// Resolved module specifiers, per importing unit (looked up without copying the specifier: the
    /// solver asks the same few thousands of times).
    modules: RefCell<Vec<HashMap<String, Option<usize>>>>,
}

/// Languages whose files can import one another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Js,
    Python,
    Php,
    Ruby,
    Shell,
    Go,
    Jvm,
    CSharp,
    Dart,
    Other,
}

impl Family {
    /// Names are global or loaded by name (PHP autoload, Ruby require, sourced shell scripts).
    fn global_names(self) -> bool {
        matches!(self, Family::Php | Family::Ruby | Family::Shell)
    }

    /// Names are shared by the files of a package (directory) without imports.
    fn package_scoped(self) -> bool {
        matches!(self, Family::Go | Family::Jvm | Family::CSharp)
    }
}

fn family(l: Lang) -> Family {
    match l {
        Lang::JavaScript | Lang::TypeScript => Family::Js,
        Lang::Python => Family::Python,
        Lang::Php => Family::Php,
        Lang::Ruby => Family::Ruby,
        Lang::Shell => Family::Shell,
        Lang::Go => Family::Go,
        Lang::Java | Lang::Kotlin => Family::Jvm,
        Lang::CSharp => Family::CSharp,
        Lang::Dart => Family::Dart,
        _ => Family::Other,
    }
}

/// Whether code in a file of language `from` can name a binding defined in language `to`: within a
/// language family (JavaScript and TypeScript, Java and Kotlin …), and JavaScript also from the scripts
/// HTML and PHP pages embed. Other languages reach a value only through configuration or the
/// environment, which are linked by setting name.
pub fn may_refer(from: Lang, to: Lang) -> bool {
    let (f, t) = (family(from), family(to));
    f == t || (t == Family::Js && matches!(from, Lang::Html | Lang::Php))
}

pub fn dir_of(p: &str) -> &str {
    p.rfind('/').map_or("", |i| &p[..i])
}

/// `a/b` + `../c/./d` → `a/c/d` (None when it climbs above the root).
fn join_path(dir: &str, rel: &str) -> Option<String> {
    let mut parts: Vec<&str> = if dir.is_empty() {
        Vec::new()
    } else {
        dir.split('/').collect()
    };
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

impl<'a> Index<'a> {
    pub fn new(units: &'a [Unit]) -> Index<'a> {
        let mut per = Vec::with_capacity(units.len());
        let mut classes_by_name: HashMap<String, Vec<(usize, ClassId)>> = HashMap::new();
        let mut fns_by_name: HashMap<String, Vec<(usize, FnId)>> = HashMap::new();
        let mut exported_by_name: HashMap<String, Vec<(usize, usize)>> = HashMap::new();
        for (u, unit) in units.iter().enumerate() {
            let f = &unit.facts;
            let mut ix = UnitIndex::default();
            for (i, b) in f.bindings.iter().enumerate() {
                match b.scope {
                    Scope::Module => {
                        ix.module_names.entry(b.name.clone()).or_default().push(i);
                        if b.exported || unit.lang == Lang::Php || unit.lang == Lang::Shell {
                            exported_by_name
                                .entry(b.name.clone())
                                .or_default()
                                .push((u, i));
                        }
                    }
                    Scope::Class(c) => ix
                        .class_members
                        .entry((c, b.name.clone()))
                        .or_default()
                        .push(i),
                    Scope::Function(fid) => ix
                        .fn_locals
                        .entry((fid, b.name.clone()))
                        .or_default()
                        .push(i),
                }
            }
            for (c, class) in f.classes.iter().enumerate() {
                ix.classes.entry(class.name.clone()).or_insert(c);
                classes_by_name
                    .entry(class.name.clone())
                    .or_default()
                    .push((u, c));
            }
            for (id, func) in f.functions.iter().enumerate().skip(1) {
                match func.class {
                    Some(c) if func.parent == Some(0) || is_method_parent(f, func.parent) => {
                        ix.methods
                            .entry((c, func.name.clone()))
                            .or_default()
                            .push(id);
                    }
                    None if func.parent == Some(0) && !func.name.is_empty() => {
                        ix.top_fns.entry(func.name.clone()).or_default().push(id);
                        fns_by_name
                            .entry(func.name.clone())
                            .or_default()
                            .push((u, id));
                    }
                    _ => {}
                }
            }
            for (i, c) in f.calls.iter().enumerate() {
                ix.calls_in_fn.entry(c.func).or_default().push(i);
            }
            per.push(ix);
        }
        // A file parsed twice (a PHP template and its scripts) is found by path as its own language.
        let mut by_path = HashMap::new();
        for (i, u) in units.iter().enumerate() {
            by_path.entry(u.path.as_str()).or_insert(i);
        }
        Index {
            units,
            per,
            by_path,
            classes_by_name,
            fns_by_name,
            exported_by_name,
            modules: RefCell::new(vec![HashMap::new(); units.len()]),
        }
    }

    pub fn facts(&self, u: usize) -> &'a FileFacts {
        &self.units[u].facts
    }

    pub fn module_bindings(&self, u: usize, name: &str) -> &[usize] {
        self.per[u]
            .module_names
            .get(name)
            .map_or(&[], |v| v.as_slice())
    }

    pub fn member_bindings(&self, u: usize, c: ClassId, name: &str) -> &[usize] {
        self.per[u]
            .class_members
            .get(&(c, name.to_string()))
            .map_or(&[], |v| v.as_slice())
    }

    pub fn local_bindings(&self, u: usize, f: FnId, name: &str) -> &[usize] {
        self.per[u]
            .fn_locals
            .get(&(f, name.to_string()))
            .map_or(&[], |v| v.as_slice())
    }

    pub fn methods(&self, u: usize, c: ClassId, name: &str) -> &[FnId] {
        self.per[u]
            .methods
            .get(&(c, name.to_string()))
            .map_or(&[], |v| v.as_slice())
    }

    pub fn top_fns(&self, u: usize, name: &str) -> &[FnId] {
        self.per[u].top_fns.get(name).map_or(&[], |v| v.as_slice())
    }

    pub fn class_in(&self, u: usize, name: &str) -> Option<ClassId> {
        self.per[u].classes.get(name).copied()
    }

    pub fn calls_in(&self, u: usize, f: FnId) -> &[usize] {
        self.per[u]
            .calls_in_fn
            .get(&f)
            .map_or(&[], |v| v.as_slice())
    }

    /// Exported module-level names of other files that every file of the language sees (PHP `define`,
    /// shell variables of sourced scripts): only when exactly one file of the same family defines it.
    pub fn unique_global(&self, from: usize, name: &str) -> Option<(usize, usize)> {
        let fam = family(self.units[from].lang);
        let v: Vec<&(usize, usize)> = self
            .exported_by_name
            .get(name)?
            .iter()
            .filter(|(u, _)| family(self.units[*u].lang) == fam)
            .collect();
        let first = **v.first()?;
        v.iter().all(|(u, _)| *u == first.0).then_some(first)
    }

    /// A global function (PHP, shell) defined in exactly one file of the family.
    pub fn unique_global_fn(&self, from: usize, name: &str) -> Option<(usize, FnId)> {
        let fam = family(self.units[from].lang);
        if !matches!(fam, Family::Php | Family::Shell) {
            return None;
        }
        let v: Vec<&(usize, FnId)> = self
            .fns_by_name
            .get(name)?
            .iter()
            .filter(|(u, _)| family(self.units[*u].lang) == fam)
            .collect();
        (v.len() == 1).then(|| *v[0])
    }

    /// Resolves a class name as seen from `from`: this file, its imports, its package/namespace, then a
    /// name defined exactly once in the language family (PHP autoload, same-namespace Java/C#/Go/Dart).
    pub fn class_named(&self, from: usize, name: &str) -> Option<(usize, ClassId)> {
        let name = name
            .trim_start_matches(['\\', '?'])
            .trim_end_matches(['?', '!']);
        let short = name.rsplit(['\\', '.', ':']).next().unwrap_or(name);
        let short = short.split('<').next().unwrap_or(short);
        if let Some(c) = self.class_in(from, short) {
            return Some((from, c));
        }
        let f = self.facts(from);
        for imp in &f.imports {
            let bound = imp.local == short
                || (imp.local.is_empty()
                    && imp.name.is_none()
                    && self.resolve_module(from, &imp.module).is_some());
            if !bound {
                continue;
            }
            if let Some(u) = self.resolve_module(from, &imp.module) {
                let wanted = if imp.local == short {
                    imp.name.as_deref().unwrap_or(short)
                } else {
                    short
                };
                if let Some(c) = self.class_in(u, wanted) {
                    return Some((u, c));
                }
            }
            // Namespaced imports (`use App\Api;`, `import com.x.Api;`): the class of that name in the
            // package the import names.
            if imp.local == short {
                let wanted = imp.name.as_deref().unwrap_or(short);
                let pkg = imp
                    .module
                    .rsplit_once(['\\', '.'])
                    .map_or("", |(p, _)| p)
                    .trim_start_matches('\\');
                if let Some(hit) = self.class_in_package(from, wanted, Some(pkg)) {
                    return Some(hit);
                }
            }
        }
        let fam = family(self.units[from].lang);
        let same_family: Vec<(usize, ClassId)> = self
            .classes_by_name
            .get(short)
            .into_iter()
            .flatten()
            .copied()
            .filter(|(u, _)| family(self.units[*u].lang) == fam)
            .collect();
        // Same package / namespace / directory.
        let pkg = f.package.as_deref();
        if let Some(hit) = same_family.iter().find(|(u, _)| {
            let g = self.facts(*u);
            (pkg.is_some() && g.package.as_deref() == pkg)
                || ((fam.package_scoped() || fam == Family::Dart)
                    && dir_of(&self.units[*u].path) == dir_of(&self.units[from].path))
        }) {
            return Some(*hit);
        }
        // PHP and Ruby load classes by name (autoload / require): a name defined once is that class.
        if matches!(fam, Family::Php | Family::Ruby) && same_family.len() == 1 {
            return Some(same_family[0]);
        }
        None
    }

    fn class_in_package(
        &self,
        from: usize,
        name: &str,
        pkg: Option<&str>,
    ) -> Option<(usize, ClassId)> {
        let fam = family(self.units[from].lang);
        self.classes_by_name
            .get(name)?
            .iter()
            .copied()
            .find(|(u, _)| {
                family(self.units[*u].lang) == fam
                    && self
                        .facts(*u)
                        .package
                        .as_deref()
                        .map(|p| p.trim_start_matches('\\'))
                        == pkg
            })
    }

    /// The file a module specifier names, from file `from`; `None` for libraries and unresolvable ones.
    pub fn resolve_module(&self, from: usize, spec: &str) -> Option<usize> {
        if let Some(hit) = self.modules.borrow().get(from)?.get(spec) {
            return *hit;
        }
        let hit = self.resolve_uncached(from, spec);
        self.modules.borrow_mut()[from].insert(spec.to_string(), hit);
        hit
    }

    fn resolve_uncached(&self, from: usize, spec: &str) -> Option<usize> {
        let unit = &self.units[from];
        let dir = dir_of(&unit.path);
        let fam = family(unit.lang);
        let exts: &[&str] = match fam {
            Family::Js => &[
                "",
                ".js",
                ".ts",
                ".tsx",
                ".jsx",
                ".mjs",
                ".cjs",
                "/index.js",
                "/index.ts",
                "/index.tsx",
                "/index.mjs",
            ],
            Family::Python => &[".py", "/__init__.py"],
            Family::Php => &["", ".php"],
            Family::Ruby => &["", ".rb"],
            Family::Shell => &["", ".sh", ".bash", ".ps1"],
            _ => &[""],
        };
        let rel_candidates: Vec<String> = match fam {
            Family::Python => {
                // `.client` → ./client ; `..config` → ../config ; `app.settings` → app/settings
                let dots = spec.len() - spec.trim_start_matches('.').len();
                let rest = spec[dots..].replace('.', "/");
                if dots > 0 {
                    let mut d = dir.to_string();
                    for _ in 1..dots {
                        d = dir_of(&d).to_string();
                    }
                    join_path(&d, &rest).into_iter().collect()
                } else {
                    // Absolute: relative to any ancestor of the importer (the package root is unknown).
                    let mut v = Vec::new();
                    let mut d = dir;
                    loop {
                        if let Some(p) = join_path(d, &rest) {
                            v.push(p);
                        }
                        if d.is_empty() {
                            break;
                        }
                        d = dir_of(d);
                    }
                    v
                }
            }
            _ => {
                // `source "$(dirname "$0")/env.sh"`, `require __DIR__ . '/x.php'`: the literal tail.
                let spec = match spec.rfind([')', '}']) {
                    Some(i) if spec.contains('$') => spec[i + 1..].trim_matches(['"', '\'', ' ']),
                    _ => spec,
                };
                let s = spec
                    .trim_start_matches("package:")
                    .trim_start_matches("__DIR__")
                    .trim_start_matches("dirname(__FILE__)");
                let mut v = Vec::new();
                if (s.starts_with('.') || fam.global_names())
                    && let Some(p) = join_path(dir, s.trim_start_matches('/'))
                {
                    v.push(p);
                }
                if fam.global_names() || fam == Family::Dart || s.starts_with('/') {
                    // Include paths relative to the root or any ancestor.
                    let mut d = dir;
                    loop {
                        if let Some(p) = join_path(d, s.trim_start_matches('/')) {
                            v.push(p);
                        }
                        if d.is_empty() {
                            break;
                        }
                        d = dir_of(d);
                    }
                }
                v
            }
        };
        for base in &rel_candidates {
            for e in exts {
                if let Some(&u) = self.by_path.get(format!("{base}{e}").as_str())
                    && u != from
                {
                    return Some(u);
                }
            }
        }
        // Dart `package:name/path.dart` and Go/JVM package paths: match by path suffix.
        if fam == Family::Dart {
            let tail = spec.trim_start_matches("package:");
            let tail = tail.split_once('/').map_or(tail, |(_, t)| t);
            return self.by_suffix(from, tail);
        }
        None
    }

    fn by_suffix(&self, from: usize, tail: &str) -> Option<usize> {
        let want = format!("/{tail}");
        let mut hits: Vec<usize> = self
            .units
            .iter()
            .enumerate()
            .filter(|(i, u)| *i != from && (u.path.ends_with(&want) || u.path == tail))
            .map(|(i, _)| i)
            .collect();
        hits.sort_by_key(|&i| {
            std::cmp::Reverse(shared_dirs(&self.units[i].path, &self.units[from].path))
        });
        hits.first().copied()
    }

    /// Files of the same Go package / Java-Kotlin-C# package (same directory or same declared package).
    pub fn package_peers(&self, from: usize) -> Vec<usize> {
        let fam = family(self.units[from].lang);
        if !fam.package_scoped() {
            return Vec::new();
        }
        let dir = dir_of(&self.units[from].path);
        let pkg = self.facts(from).package.as_deref();
        (0..self.units.len())
            .filter(|&u| {
                u != from
                    && family(self.units[u].lang) == fam
                    && (dir_of(&self.units[u].path) == dir
                        || (fam != Family::Go
                            && pkg.is_some()
                            && self.facts(u).package.as_deref() == pkg))
            })
            .collect()
    }

    pub fn lang(&self, u: usize) -> Lang {
        self.units[u].lang
    }
}

fn is_method_parent(f: &FileFacts, parent: Option<FnId>) -> bool {
    // A method of a class nested in a function, or a class body modelled as a pseudo-function.
    parent.is_some_and(|p| f.functions.get(p).is_some_and(|pf| pf.class.is_none()))
}

fn shared_dirs(a: &str, b: &str) -> usize {
    dir_of(a)
        .split('/')
        .zip(dir_of(b).split('/'))
        .take_while(|(x, y)| x == y)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_join_without_escaping_the_root() {
        assert_eq!(join_path("a/b", "../c/./d").as_deref(), Some("a/c/d"));
        assert_eq!(join_path("", "../x"), None);
        assert_eq!(join_path("a", "./x.js").as_deref(), Some("a/x.js"));
    }
}
