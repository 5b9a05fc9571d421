//! Following values through programs: which files the program model parses, and how the requests it
//! finds become findings beside the line extractor's (the program model is authoritative for a request
//! it explains; the line extractor's findings stay for everything else).
use super::extract::{apply_rule, snippet};
use super::finding::{Confidence, Context, Finding, Kind};
use super::lang::Lang;
use super::secrets;
use super::{file_stem, parent_dir};
use crate::pathmatch::normalize;
use crate::program::solve::{Request, Unit};
use crate::rules::RuleSet;
use std::collections::{HashMap, HashSet};

/// A parsed file and its text (kept for snippets).
pub struct Parsed {
    pub unit: Unit,
    pub src: String,
}

/// Every parsed file: their facts (what the solver reads) and texts (for snippets), index for index.
#[derive(Default)]
pub struct Program {
    pub units: Vec<Unit>,
    pub srcs: Vec<String>,
}

impl Program {
    pub fn push(&mut self, p: Parsed) {
        self.units.push(p.unit);
        self.srcs.push(p.src);
    }

    pub fn is_empty(&self) -> bool {
        self.units.is_empty()
    }
}

/// Whether the program model reads this file's language.
pub fn modelled(lang: Lang, rel: &str) -> bool {
    crate::program::parse::supported(lang, rel)
}

/// Parses one file: its own language and the scripts it embeds (none when the language is not
/// modelled, the file is too big or the parse ran out of time: the line extractor's findings stand
/// alone then).
pub fn parse(lang: Lang, rel: &str, src: &str) -> Vec<Parsed> {
    crate::program::parse::facts_all(lang, rel, src)
        .into_iter()
        .map(|(lang, facts)| Parsed {
            unit: Unit {
                path: rel.to_string(),
                lang,
                facts,
            },
            src: src.to_string(),
        })
        .collect()
}

/// Languages whose files see the names of their package (directory) without an import.
pub fn package_scoped(l: Lang) -> bool {
    // PHP too: a PSR-4 namespace is a directory, and its classes see each other without `use`.
    matches!(
        l,
        Lang::Go | Lang::Java | Lang::Kotlin | Lang::CSharp | Lang::Dart | Lang::Php
    )
}

/// What a file must mention to be linked to the parsed files: the names through which the fresh
/// ones hand on a V1 value ([`crate::program::solve::v1_names`]), and the module stems of the files
/// defining them: a distinctive name links by itself (in a language that can refer to it); a generic
/// one only with an import of the defining module.
pub fn needles(units: &[Unit], fresh: &[usize]) -> Needles {
    let mut strong = HashSet::new();
    let mut weak = HashSet::new();
    let mut handing = HashSet::new();
    for (u, name) in crate::program::solve::v1_names(units, fresh) {
        handing.insert(u);
        let n = name.rsplit('.').next().unwrap_or(&name);
        if n.len() < 3 || !n.chars().all(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        if is_generic(n) {
            // A generic name links only through an import of its module: the stem is the needle.
            weak.insert(n.to_string());
            let stem = file_stem(&units[u].path);
            if stem.len() >= 3 {
                weak.insert(stem.to_string());
            }
        } else {
            strong.insert((units[u].lang, n.to_string()));
        }
    }
    let mut s: Vec<(Lang, String)> = strong.into_iter().collect();
    let mut w: Vec<String> = weak.into_iter().collect();
    s.sort_by(|a, b| (a.0.name(), &a.1).cmp(&(b.0.name(), &b.1)));
    w.sort();
    let mut handing: Vec<usize> = handing.into_iter().collect();
    handing.sort();
    Needles {
        strong: s,
        weak: w,
        handing,
    }
}

/// What links files to the parsed ones in one round.
pub struct Needles {
    /// Distinctive names, with the language defining each: they link by themselves.
    pub strong: Vec<(Lang, String)>,
    /// Generic names and the stems of their modules: they link with an import of the module.
    pub weak: Vec<String>,
    /// The parsed files handing a V1 value on: only their modules and packages link.
    pub handing: Vec<usize>,
}

/// The dotted path of the YAML key on `line` (1-based): `ghl:` / `  base-url: …` → `ghl.base-url`, found
/// by walking up to the keys of smaller indentation (Spring `@Value("${ghl.base-url}")` names it so).
pub fn yaml_key_path(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let key_of = |l: &str| -> Option<(usize, String)> {
        let indent = l.len() - l.trim_start().len();
        let t = l.trim_start().trim_start_matches("- ");
        let (k, _) = t.split_once(':')?;
        let k = k.trim().trim_matches(['"', '\'']);
        (!k.is_empty() && !k.starts_with('#') && !k.contains(' ')).then(|| (indent, k.to_string()))
    };
    let (mut indent, leaf) = key_of(lines.get(line.checked_sub(1)?)?)?;
    let mut path = vec![leaf];
    for l in lines[..line - 1].iter().rev() {
        if indent == 0 {
            break;
        }
        if let Some((i, k)) = key_of(l)
            && i < indent
        {
            path.push(k);
            indent = i;
        }
    }
    path.reverse();
    Some(path.join("."))
}

/// Which files to link to the parsed ones in one round: built from the names the fresh files hand a
/// V1 value through, matched on raw bytes (an Aho-Corasick search, before any decoding or parsing).
pub struct Links {
    /// Distinctive names, by the language that defines them (`None`: settings, which any language reads).
    strong: Vec<(Option<Lang>, Literals)>,
    weak: Literals,
    /// Module stems (and directory names, for `index`/`__init__` modules) of the parsed files: a
    /// generic name links only when one of them is imported.
    stems: aho_corasick::AhoCorasick,
    /// `(directory, language)` of parsed files in package-scoped languages.
    packages: HashSet<(String, &'static str)>,
    /// Parsed files as modules are named: path without extension (and without a trailing
    /// `/index`, `/__init__`, `/mod`).
    modules: HashSet<String>,
}

impl Links {
    /// Links from configuration alone (no code names a HighLevel host): code naming one of these
    /// settings (`${ghl.base-url}`, `GHL_BASE_URL`) is read by the program model.
    pub fn from_settings(names: Vec<String>) -> Option<Links> {
        let strong: Vec<String> = names
            .into_iter()
            .filter(|n| super::names::is_distinctive(&super::names::canonical(n)))
            .collect();
        if strong.is_empty() {
            return None;
        }
        Some(Links {
            strong: vec![(None, Literals::new(&strong))],
            weak: Literals::None,
            stems: fast_ac(&[]),
            packages: HashSet::new(),
            modules: HashSet::new(),
        })
    }

    /// `None` when the fresh files hand nothing on.
    pub fn new(program: &Program, fresh: &[usize]) -> Option<Links> {
        let Needles {
            strong,
            weak,
            handing,
        } = needles(&program.units, fresh);
        if std::env::var_os("GHL_DEBUG_PROGRAM").is_some() {
            eprintln!("link needles: {strong:?} / {weak:?}");
        }
        if strong.is_empty() && weak.is_empty() {
            return None;
        }
        // Only the files handing a V1 value on: importing (or sharing a package with) a parsed file
        // that hands nothing on links nothing.
        let handing: Vec<&Unit> = handing.iter().map(|&u| &program.units[u]).collect();
        let mut stems: Vec<String> = handing
            .iter()
            .flat_map(|u| {
                let s = file_stem(&u.path).to_string();
                let d = parent_dir(&u.path)
                    .rsplit('/')
                    .next()
                    .unwrap_or("")
                    .to_string();
                [s, d]
            })
            .filter(|s| s.len() >= 2)
            .collect();
        stems.sort();
        stems.dedup();
        let packages = handing
            .iter()
            .filter(|u| package_scoped(u.lang))
            .map(|u| (parent_dir(&u.path).to_string(), u.lang.name()))
            .collect();
        let modules = handing
            .iter()
            .flat_map(|u| {
                let p = u.path.rsplit_once('.').map_or(u.path.as_str(), |(p, _)| p);
                let d = ["/index", "/__init__", "/mod"]
                    .iter()
                    .find_map(|s| p.strip_suffix(s))
                    .map(str::to_string);
                std::iter::once(p.to_string()).chain(d)
            })
            .collect();
        // One searcher per defining language: a name a Python module hands on is not looked for in
        // JavaScript (it could not be imported there).
        let mut by_lang: Vec<(Option<Lang>, Vec<String>)> = Vec::new();
        for (lang, name) in strong {
            match by_lang.iter_mut().find(|(l, _)| *l == Some(lang)) {
                Some((_, names)) => names.push(name),
                None => by_lang.push((Some(lang), vec![name])),
            }
        }
        Some(Links {
            modules,
            strong: by_lang
                .into_iter()
                .map(|(lang, names)| (lang, Literals::new(&names)))
                .collect(),
            weak: Literals::new(&weak),
            stems: fast_ac(&stems),
            packages,
        })
    }

    /// The modelled language of a file these links bring in, if they do.
    pub fn links(&self, path: &std::path::Path, rel: &str, bytes: &[u8]) -> Option<Lang> {
        if third_party(rel) {
            return None;
        }
        let l = Lang::detect(path, b"").filter(|&l| modelled(l, rel))?;
        let same_package = package_scoped(l)
            && self
                .packages
                .contains(&(parent_dir(rel).to_string(), l.name()));
        let linked = same_package
            || self.strong.iter().any(|(defined_in, names)| {
                defined_in.is_none_or(|d| crate::program::solve::index::may_refer(l, d))
                    && names.is_match(bytes, Some(l))
            })
            || (self.weak.is_match(bytes, None) && self.imports_a_module(rel, bytes));
        linked.then_some(l)
    }
}

impl Links {
    /// An import line names one of the parsed files (`import … from './ghl'`, `require('../lib/ghl')`,
    /// `from crm.client import`, `use App\Ghl\Client;`, `include 'ghl.php'`, `source ./env.sh`): a module
    /// of the same stem elsewhere (every n8n node has its own `GenericFunctions`) does not count. Lines
    /// are looked at only where a stem occurs, so a file is never searched with import patterns whole.
    fn imports_a_module(&self, rel: &str, bytes: &[u8]) -> bool {
        for m in self
            .stems
            .find_iter(bytes)
            .filter(|m| super::names::import_position(bytes, m.start()))
            .take(64)
        {
            let start = memchr::memrchr(b'\n', &bytes[..m.start()]).map_or(0, |i| i + 1);
            let end = memchr::memchr(b'\n', &bytes[m.end()..]).map_or(bytes.len(), |i| m.end() + i);
            let line = &bytes[start..end];
            if super::names::may_import(line)
                && self.names_a_parsed_module(rel, &String::from_utf8_lossy(line))
            {
                return true;
            }
        }
        false
    }
}

/// A set of literal needles, searched the fastest way for its size: a few needles each with its own
/// SIMD substring finder (which starts from the needle's rarest bytes, so a common first letter does
/// not slow it down), more of them with one Aho-Corasick automaton.
enum Literals {
    None,
    Few(Vec<memchr::memmem::Finder<'static>>),
    Many(aho_corasick::AhoCorasick),
}

impl Literals {
    fn new(needles: &[String]) -> Literals {
        match needles.len() {
            0 => Literals::None,
            1..=6 => Literals::Few(
                needles
                    .iter()
                    .map(|n| memchr::memmem::Finder::new(n.as_bytes()).into_owned())
                    .collect(),
            ),
            _ => Literals::Many(fast_ac(needles)),
        }
    }

    /// Whether a needle occurs as a whole identifier (`sync` is not found in `async`), and, when the
    /// file's language is given, not on a comment line (a doc comment naming a constant is no use of it).
    fn is_match(&self, bytes: &[u8], lang: Option<Lang>) -> bool {
        let word = |start: usize, end: usize| {
            let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
            (start == 0 || !ident(bytes[start - 1]))
                && (end >= bytes.len() || !ident(bytes[end]))
                && !lang.is_some_and(|l| l.comment_line_at(bytes, start))
        };
        match self {
            Literals::None => false,
            Literals::Few(f) => f.iter().any(|f| {
                let n = f.needle().len();
                f.find_iter(bytes).take(256).any(|i| word(i, i + n))
            }),
            Literals::Many(ac) => ac
                .find_iter(bytes)
                .take(256)
                .any(|m| word(m.start(), m.end())),
        }
    }
}

/// A literal searcher that stays on the SIMD (Teddy) path: leftmost-first semantics, as only "is there
/// a match" and match positions are asked.
fn fast_ac(needles: &[String]) -> aho_corasick::AhoCorasick {
    aho_corasick::AhoCorasickBuilder::new()
        .match_kind(aho_corasick::MatchKind::LeftmostFirst)
        .build(needles)
        .expect("literal needles")
}

impl Links {
    /// A module reference on the line resolves to a parsed file: relative (`./x`, `../lib/x`) from the
    /// importing file's directory, or absolute / dotted / namespaced as a path suffix.
    fn names_a_parsed_module(&self, rel: &str, line: &str) -> bool {
        let from = parent_dir(rel);
        let tokens = line.split(|c: char| {
            !(c.is_alphanumeric() || matches!(c, '_' | '.' | '/' | '\\' | '-' | '@' | ':'))
        });
        for t in tokens.filter(|t| t.len() >= 2) {
            let t = t.trim_end_matches(';');
            let relative = t.starts_with("./") || t.starts_with("../");
            let candidate = if relative {
                let mut parts: Vec<&str> = if from.is_empty() {
                    Vec::new()
                } else {
                    from.split('/').collect()
                };
                let mut ok = true;
                for seg in t.split('/') {
                    match seg {
                        "" | "." => {}
                        ".." => ok &= parts.pop().is_some(),
                        s => parts.push(s),
                    }
                }
                if !ok {
                    continue;
                }
                without_extension(&parts.join("/")).to_string()
            } else {
                // `App\Crm\Tags`, `lib/ghl.php`, `crm.client` (Python), `ghl.sh`.
                let t = without_extension(t.trim_start_matches(['\\', '/', '.']));
                let last = t.rsplit(['\\', '.']).next().unwrap_or(t);
                if t.contains('\\')
                    || (t.contains('.') && last.starts_with(|c: char| c.is_ascii_uppercase()))
                {
                    // A namespaced class (`use App\Crm\Tags;`, `import com.acme.GhlClient;`): the
                    // namespace maps to a directory by the project's autoload rules, the class to its file.
                    last.to_string()
                } else if !t.contains('/') {
                    t.replace('.', "/")
                } else {
                    t.to_string()
                }
            };
            if candidate.is_empty() {
                continue;
            }
            let candidate = candidate.to_ascii_lowercase();
            let suffix = format!("/{candidate}");
            let hit = self.modules.iter().any(|m| {
                let m = m.to_ascii_lowercase();
                if relative {
                    m == candidate
                } else {
                    m == candidate || m.ends_with(&suffix)
                }
            });
            if hit {
                return true;
            }
        }
        false
    }
}

/// A module path without its source-file extension (`lib/ghl.php` → `lib/ghl`).
fn without_extension(p: &str) -> &str {
    match p.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && matches!(
                    ext,
                    "js" | "mjs"
                        | "cjs"
                        | "jsx"
                        | "ts"
                        | "tsx"
                        | "py"
                        | "php"
                        | "inc"
                        | "rb"
                        | "sh"
                        | "bash"
                        | "ps1"
                        | "go"
                        | "java"
                        | "kt"
                        | "cs"
                        | "dart"
                ) =>
        {
            stem
        }
        _ => p,
    }
}

/// Third-party code installed into the tree (`node_modules`, `site-packages`, `vendor`) never imports
/// the project's modules: it is not linked to them.
pub fn third_party(rel: &str) -> bool {
    rel.split('/').any(|d| {
        matches!(
            d,
            "node_modules"
                | "site-packages"
                | "dist-packages"
                | "vendor"
                | "bower_components"
                | ".venv"
        )
    })
}

/// Any name but a distinctive one (`GHL_BASE`, `HighLevelClient`) can be defined by other modules too
/// (`versionDescription` is exported by every n8n node): it links only through an import of its module.
fn is_generic(n: &str) -> bool {
    !super::names::is_distinctive(&super::names::canonical(n))
}

/// A finding of the program model, with the lines of the function that sends it.
pub struct Followed {
    pub finding: Finding,
    pub scope: (usize, usize),
}

/// The findings of the program model's requests.
pub fn findings(reqs: Vec<Request>, program: &Program, rules: &RuleSet) -> Vec<Followed> {
    let by_path: HashMap<&str, (&Unit, &String)> = program
        .units
        .iter()
        .zip(&program.srcs)
        .map(|(u, s)| (u.path.as_str(), (u, s)))
        .collect();
    // Line starts per file, built once: a file with many requests stays linear.
    let mut line_index: HashMap<&str, super::lines::LineIndex> = HashMap::new();
    let mut line_secrets: HashMap<(&str, usize), secrets::Scrubber> = HashMap::new();
    let mut out = Vec::new();
    for r in reqs {
        let Some(&(unit, src)) = by_path.get(r.path.as_str()) else {
            continue;
        };
        let li = line_index
            .entry(unit.path.as_str())
            .or_insert_with(|| super::lines::LineIndex::new(src));
        // The window around the request, not the whole line: many requests on one minified line stay
        // linear. The window is cut at token boundaries before anything is redacted.
        // The keys are found on the whole line, once per line: a key known by its use (`Bearer …`) may
        // sit in the window while what tells its use does not.
        let line_text = li.text(r.line);
        let scrubber = line_secrets
            .entry((unit.path.as_str(), r.line))
            .or_insert_with(|| line_scrubber(line_text));
        let at = li.offset(r.line, r.column) - li.line_start(r.line);
        let shown = snippet(&scrubber.scrub(super::extract::around(line_text, at)));
        let alts: Vec<Option<&(crate::method::Method, String)>> = if r.methods.is_empty() {
            vec![None]
        } else {
            r.methods.iter().map(Some).collect()
        };
        for m in alts {
            let mut f = Finding::new(Kind::Call, &r.path, r.line, r.column, Context::Code);
            f.end_line = (r.end_line > r.line).then_some(r.end_line);
            f.method = m.map(|x| x.0);
            f.method_source = m.map(|x| x.1.clone());
            f.host = Some(r.host.clone());
            f.trail = r.trail.clone();
            f.base_source = r.trail.first().map(|t| match r.join_note {
                Some(j) => format!("{t} ({j})"),
                None => t.clone(),
            });
            f.lang = Some(unit.lang.name());
            f.snippet = shown.clone();
            f.confidence = if r.open_param {
                Confidence::Medium
            } else {
                Confidence::High
            };
            // The path as sent: a join that lost `/v1` (RFC 3986 on a base without a trailing slash) is
            // an unknown endpoint on the V1 host, not the V1 endpoint it resembles.
            let rest = if r.rest.is_empty() {
                "/".to_string()
            } else if let Some(tail) = r.rest.strip_prefix("/v1{") {
                // `BASE + path` with a base ending in `/v1` and a path from a parameter.
                format!("/v1/{{{tail}")
            } else {
                r.rest.clone()
            };
            if r.v2 {
                if !super::half_migrated::mark(rules, &mut f, &rest) {
                    continue;
                }
            } else {
                apply_rule(rules, &mut f, &normalize(&rest));
            }
            if r.open_param {
                let note = "the path comes from a parameter no caller in the scanned tree supplies";
                f.note = Some(match f.note.take() {
                    Some(n) => format!("{n}; {note}"),
                    None => note.to_string(),
                });
            }
            out.push(Followed {
                finding: f,
                scope: r.scope,
            });
        }
    }
    out
}

/// Every key on a line (the same detectors as everywhere), to scrub from the snippets of its requests
/// before the line redactor runs.
fn line_scrubber(line: &str) -> secrets::Scrubber {
    let raw: Vec<String> = secrets::find(line, true)
        .iter()
        .flat_map(|h| h.raw(line).map(str::to_string))
        .collect();
    secrets::Scrubber::new(&raw)
}

/// What the parsed files say about lines the line extractor reported as calls.
#[derive(Default)]
pub struct Lines {
    /// Lines of logging and printing calls (`console.log(url)`, `print(url)`, `echo`): never requests.
    logs: HashMap<String, Vec<(usize, usize)>>,
    /// Lines assigning a URL to a name (`LEGACY = "https://…/v1/contacts"`).
    bound: HashSet<(String, usize)>,
    parsed: HashSet<String>,
}

const LOGGERS: [&str; 32] = [
    "log",
    "info",
    "warn",
    "warning",
    "error",
    "debug",
    "trace",
    "print",
    "println",
    "printf",
    "echo",
    "error_log",
    "var_dump",
    "print_r",
    "puts",
    "pp",
    "p",
    "Write-Host",
    "Write-Output",
    "Write-Verbose",
    "Write-Warning",
    "Println",
    "Printf",
    "Print",
    "WriteLine",
    "Write",
    "debugPrint",
    "alert",
    "exception",
    "critical",
    "fatal",
    "dump",
];

/// Collects [`Lines`] from the parsed files.
pub fn lines(program: &Program) -> Lines {
    use crate::program::facts::Expr;
    let mut out = Lines::default();
    for unit in &program.units {
        let f = &unit.facts;
        out.parsed.insert(unit.path.clone());
        for c in &f.calls {
            let name = match &c.call.callee {
                Expr::Name(n) | Expr::Attr(_, n) => n.as_str(),
                _ => "",
            };
            if LOGGERS.contains(&name) {
                out.logs
                    .entry(unit.path.clone())
                    .or_default()
                    .push((c.call.line, c.call.end_line.max(c.call.line)));
            }
        }
        for b in &f.bindings {
            if !matches!(b.value, Expr::Call(_) | Expr::Unknown | Expr::Func(_)) {
                out.bound.insert((unit.path.clone(), b.line));
            }
        }
    }
    out
}

/// Adds the program model's findings to the line extractor's, which stay for everything the program
/// model does not explain. A line-extractor call inside the same call expression, or for the same
/// endpoint written earlier in the same function (the URL built before the statement that sends it),
/// is the same request: the program model's finding replaces it, at the send, keeping where the URL is
/// written (what `diff` rewrites). In parsed files, a line-extractor "call" that is a logging statement
/// becomes a mention, and one that only assigns a URL no request was found to send becomes a base URL.
pub fn merge(existing: &mut Vec<Finding>, new: Vec<Followed>, lines: &Lines) {
    let mut drop: HashSet<usize> = HashSet::new();
    let mut added: Vec<Finding> = Vec::new();
    // The line extractor's code calls by file, in written order: each new finding looks only at the
    // calls of its own file within the lines that can match, and skips those already taken.
    let mut calls_by_path: HashMap<&str, FileCalls> = HashMap::new();
    for (i, e) in existing.iter().enumerate() {
        if e.kind == Kind::Call && e.context == Context::Code {
            calls_by_path
                .entry(e.path.as_str())
                .or_default()
                .calls
                .push((e.line, i, endpoint_key(&e.v1_path)));
        }
    }
    for fc in calls_by_path.values_mut() {
        fc.calls.sort_by_key(|c| (c.0, c.1));
        fc.next_live = (0..=fc.calls.len()).collect();
    }
    for Followed {
        finding: mut nf,
        scope,
    } in new
    {
        let end = nf.end_line.unwrap_or(nf.line);
        if let Some(fc) = calls_by_path.get_mut(nf.path.as_str()) {
            let (key, at, rule) = (endpoint_key(&nf.v1_path), nf.line, nf.rule.clone());
            let lo = scope.0.min(nf.line);
            let a = fc.calls.partition_point(|c| c.0 < lo);
            let b = fc.calls.partition_point(|c| c.0 <= end);
            // The line extractor's call at this very statement, when there is one, is this request; only
            // without one does an earlier line with the same endpoint (the URL assigned before it is sent)
            // stand for it. Otherwise two sends of one endpoint would both point at the first.
            let own = (a..b).any(|j| fc.calls[j].0 >= at && fc.calls[j].0 <= end);
            let matches = |&(line, i, ref k): &(usize, usize, String)| {
                let e = &existing[i];
                let same_call = line >= at && line <= end;
                let same_endpoint =
                    e.v1_path.is_some() && (*k == key || (e.rule.is_some() && e.rule == rule));
                same_call || (!own && same_endpoint && line >= scope.0 && line < at)
            };
            // A call another request already took still tells this one where its URL is written.
            let first = (a..b).find(|&j| matches(&fc.calls[j]));
            if let Some(j) = first
                && drop.contains(&fc.calls[j].1)
            {
                take(&mut nf, &existing[fc.calls[j].1], end);
            }
            let mut j = fc.live(a);
            while j < b {
                if matches(&fc.calls[j]) {
                    let i = fc.calls[j].1;
                    drop.insert(i);
                    take(&mut nf, &existing[i], end);
                    fc.next_live[j] = j + 1;
                }
                j = fc.live(j + 1);
            }
        }
        added.push(nf);
    }
    // Lines that are steps of a found request's trail are explained by it.
    let steps: HashSet<String> = added
        .iter()
        .flat_map(|f| f.trail.iter())
        .filter_map(|t| t.split_whitespace().next().map(str::to_string))
        .collect();
    for (i, e) in existing.iter_mut().enumerate() {
        if e.kind != Kind::Call || e.context != Context::Code || !lines.parsed.contains(&e.path) {
            continue;
        }
        if drop.contains(&i) {
            continue;
        }
        if steps.contains(&format!("{}:{}", e.path, e.line)) {
            drop.insert(i);
        } else if lines
            .logs
            .get(&e.path)
            .is_some_and(|v| v.iter().any(|&(a, b)| a <= e.line && e.line <= b))
        {
            e.kind = Kind::Mention;
            e.note = Some("a V1 URL in a logging or printing statement, not a request".into());
        } else if lines.bound.contains(&(e.path.clone(), e.line)) {
            e.kind = Kind::BaseUrl;
            e.note = Some(
                "a V1 URL assigned to a name; no request sending it was found (check where it is used)"
                    .into(),
            );
        }
    }
    let mut i = 0;
    existing.retain(|_| {
        let keep = !drop.contains(&i);
        i += 1;
        keep
    });
    existing.extend(added);
}

/// The line extractor's code calls of one file, sorted by (line, index), with a skip list over the calls
/// no request has taken yet.
#[derive(Default)]
struct FileCalls {
    /// (line, index in the findings, endpoint key).
    calls: Vec<(usize, usize, String)>,
    /// `next_live[j]` leads to the first call at or after `j` not yet taken (`calls.len()` at the end).
    next_live: Vec<usize>,
}

impl FileCalls {
    /// The first call at or after `j` not yet taken (path-halving, so repeated skips stay cheap).
    fn live(&mut self, mut j: usize) -> usize {
        while self.next_live[j] != j {
            let n = self.next_live[self.next_live[j]];
            self.next_live[j] = n;
            j = n;
        }
        j
    }
}

/// A request found by the program model takes over a line-extractor call: where the URL is written, and
/// what the line extractor knew better.
fn take(nf: &mut Finding, e: &Finding, end: usize) {
    let same_call = e.line >= nf.line && e.line <= end;
    let at = (e.line, e.column);
    match nf.written {
        None => nf.written = Some(at),
        Some(w) if w != at && !nf.also_written.contains(&at) && e.rule == nf.rule => {
            nf.also_written.push(at);
        }
        Some(_) => {}
    }
    // What the line extractor knew about an endpoint no rule names (a made-up `/v2` path on the V1
    // host) is more specific than "unknown".
    if nf.rule.is_none() && e.rule.is_none() && e.note.is_some() && same_call {
        nf.note = e.note.clone();
        nf.category = nf.category.or(e.category);
    }
    if nf.base_source.is_none() || e.base_source.is_some() {
        nf.base_source = e.base_source.clone().or(nf.base_source.take());
    }
}

/// A V1 path compared loosely: case, a trailing slash and parameter names do not matter.
fn endpoint_key(p: &Option<String>) -> String {
    let p = p.as_deref().unwrap_or("").to_ascii_lowercase();
    let p = p.split('?').next().unwrap_or("").trim_end_matches('/');
    p.split('/')
        .map(|s| {
            if s.starts_with('{') || s.starts_with(':') {
                "{}"
            } else {
                s
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_keys_get_their_dotted_path() {
        let y = "server:\n  port: 8080\nghl:\n  api:\n    base-url: https://x\n  timeout: 5\n";
        assert_eq!(yaml_key_path(y, 5).as_deref(), Some("ghl.api.base-url"));
        assert_eq!(yaml_key_path(y, 6).as_deref(), Some("ghl.timeout"));
        assert_eq!(yaml_key_path(y, 2).as_deref(), Some("server.port"));
        assert_eq!(yaml_key_path(y, 99), None);
    }

    #[test]
    fn needles_match_whole_identifiers_only() {
        let l = Literals::new(&["sync".to_string()]);
        assert!(!l.is_match(b"async function f() {}", None));
        assert!(l.is_match(b"import { sync } from './sync'", None));
        let many: Vec<String> = (0..10).map(|i| format!("name{i}")).collect();
        let l = Literals::new(&many);
        assert!(!l.is_match(b"surname10x", None));
        assert!(l.is_match(b"call(name7)", None));
    }

    #[test]
    fn needles_on_comment_lines_do_not_count() {
        let l = Literals::new(&["HighLevelRoot".to_string()]);
        let js = Some(Lang::JavaScript);
        assert!(!l.is_match(b"// reads HighLevelRoot\n/**\n * HighLevelRoot\n */\n", js));
        assert!(l.is_match(
            b"// reads it\nfetch(HighLevelRoot + '/x') // HighLevelRoot\n",
            js
        ));
        // A `//` inside a string before the name does not make a comment.
        assert!(l.is_match(b"const u = 'https://x/' + HighLevelRoot;\n", js));
        // `#` starts a comment in Python, not in JavaScript (private fields).
        assert!(!l.is_match(b"# HighLevelRoot\n", Some(Lang::Python)));
        assert!(l.is_match(b"  #root = HighLevelRoot;\n", js));
        assert!(l.is_match(b"#[attr] HighLevelRoot\n", Some(Lang::Php)));
    }
}
