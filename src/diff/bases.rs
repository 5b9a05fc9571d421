//! Which base URLs `diff` may move to V2, decided across the whole scan before any file is rewritten.
//!
//! Bases are grouped with the calls built on them (a call may rest on several: a setting, its default in
//! code, the client made from it). A group moves in place only when every call in it moves. When some
//! cannot (unknown endpoint, parameters that move, a verb that changes, a call left out by `--rule` or
//! `--path`), the definition each movable call names on its line (`BASE_URL`, `self.base`, the client
//! `ghl`) gets a V2 twin right after it, in the same scope and style, with the settings it reads renamed
//! (`GHL_BASE_URL` → `GHL_BASE_URL_V2`, added beside the setting in `.env` files); only the calls that
//! move are pointed at the twin. Where the code does not allow a safe twin, the call stays V1 with a
//! marker. The invariant: a rewrite never sends a V1 path to the V2 host nor a V2 path to the V1 host.
use super::rewrite;
use crate::rules::RuleSet;
use crate::scan::finding::{Context, Finding, Kind};
use crate::scan::lang::Lang;
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

/// Where something is defined: `(path, 1-based line)`.
pub type At = (String, usize);

/// What happens to one call built on a base.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallFate {
    /// Every call on its bases moves: the bases move in place, the call's path is rewritten.
    Move,
    /// The call moves to the V2 twin of `ident` (defined in `holder`); `version_set` when the twin
    /// already sends the call's `Version` header.
    Repoint {
        ident: String,
        v2_ident: String,
        holder: String,
        version_set: bool,
    },
    /// The call stays V1 (why it could not move, when it could have).
    Keep(String),
}

/// What happens to one base URL definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaseFate {
    Move,
    /// A V2 twin was added beside it; it stays for the calls that stay V1.
    Twinned,
    Stay(String),
}

/// The decisions for one scan.
#[derive(Default)]
pub struct Bases {
    calls: HashMap<usize, CallFate>,
    bases: HashMap<At, BaseFate>,
    /// Per file: text to insert after a 1-based line (the twins), and marker notes for them.
    twins: HashMap<String, BTreeMap<usize, Twin>>,
    /// `Version` values to add to the headers of a client every moving call of a group is built on:
    /// file → 1-based line → value.
    headers: HashMap<String, BTreeMap<usize, String>>,
    /// Calls whose `Version` header those shared headers send.
    versioned: BTreeSet<usize>,
}

/// A V2 twin to insert after a definition.
#[derive(Debug, Clone, Default)]
pub struct Twin {
    /// The first line of the definition it copies (1-based).
    pub start: usize,
    /// The twin's lines, each ending with `\n`.
    pub text: String,
    /// A note for a marker above the definition (a `Version` conflict).
    pub note: Option<String>,
    /// The definition itself is replaced (only moving calls rest on it) instead of getting a twin.
    pub replace: bool,
}

impl Bases {
    /// The fate of call `i` (by finding index), when it rests on a base URL `diff` knows.
    pub fn of_call(&self, i: usize) -> Option<&CallFate> {
        self.calls.get(&i)
    }

    /// The fate of the base defined at `path:line`.
    pub fn of_base(&self, path: &str, line: usize) -> Option<&BaseFate> {
        self.bases.get(&(path.to_string(), line))
    }

    /// The twins to insert in `path`, by the 1-based line they follow.
    pub fn twins_in(&self, path: &str) -> Option<&BTreeMap<usize, Twin>> {
        self.twins.get(path)
    }

    /// Header lines in `path` that get a `Version` for the calls built on them.
    pub fn headers_in(&self, path: &str) -> Option<&BTreeMap<usize, String>> {
        self.headers.get(path)
    }

    /// Call `i`'s `Version` header is sent by the client it is built on.
    pub fn versioned(&self, i: usize) -> bool {
        self.versioned.contains(&i)
    }
}

/// One step of a call's trail: `config.js:14 baseUrl` → `("config.js", 14, "baseUrl")`.
pub fn step(t: &str) -> Option<(String, usize, String)> {
    let (loc, name) = t.rsplit_once(' ')?;
    let (path, line) = loc.rsplit_once(':')?;
    Some((path.to_string(), line.parse().ok()?, name.to_string()))
}

/// The steps a call's base came through, definition first: its trail (without the call itself), or the
/// resolver's `base NAME defined at line N` / `… defined in PATH:LINE`.
pub fn steps(f: &Finding) -> Vec<(String, usize, String)> {
    let mut out: Vec<_> = f
        .trail
        .iter()
        .take(f.trail.len().saturating_sub(1))
        .filter_map(|t| step(t))
        .collect();
    if let Some(d) = base_def(f)
        && !out.iter().any(|s| s.0 == d.0 && s.1 == d.1)
    {
        out.push(d);
    }
    out
}

/// The base definition named by the resolver's note (`base BASE defined at line 2`).
pub fn base_def(f: &Finding) -> Option<(String, usize, String)> {
    let s = f.base_source.as_deref()?;
    let rest = s
        .strip_prefix("base ")
        .or_else(|| s.strip_prefix("client "))?;
    let digits = |t: &str| -> Option<usize> {
        t.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .ok()
    };
    if let Some((name, n)) = rest.split_once(" defined at line ") {
        return Some((f.path.clone(), digits(n)?, name.to_string()));
    }
    let (name, loc) = rest.split_once(" defined in ")?;
    let (path, line) = loc.rsplit_once(':')?;
    Some((path.to_string(), digits(line)?, name.to_string()))
}

/// One file as `diff` read it.
pub struct FileText<'a> {
    pub text: &'a str,
    pub lang: Lang,
    pub index: crate::scan::lines::LineIndex<'a>,
    /// 0-based lines holding a key: never changed nor shown.
    pub secrets: &'a BTreeSet<usize>,
}

/// The setting a config line defines (see [`crate::scan::settings::config_key`]).
fn setting_name(line: &str) -> Option<&str> {
    crate::scan::settings::config_key(line)
}

/// Decides every base's and call's fate. `in_scope(i)` says whether finding `i` is rewritten at all (the
/// filters); `files` holds the text of every file in scope.
pub fn decide(
    findings: &[Finding],
    rules: &RuleSet,
    in_scope: &dyn Fn(usize) -> bool,
    files: &BTreeMap<&str, FileText>,
    located: &super::paths::Located,
) -> Bases {
    let base_at: BTreeMap<At, usize> = findings
        .iter()
        .enumerate()
        .filter(|(_, f)| f.kind == Kind::BaseUrl)
        .map(|(i, f)| ((f.path.clone(), f.line), i))
        .collect();
    // Config files defining the same setting in one folder (`.env`, `.env.example`) change together.
    let mut settings: BTreeMap<(String, String), Vec<At>> = BTreeMap::new();
    for (at, _) in base_at.iter() {
        let Some(file) = files.get(at.0.as_str()) else {
            continue;
        };
        if !is_config(file.lang) {
            continue;
        }
        if let Some(name) = line_of(file.text, at.1).and_then(setting_name) {
            settings
                .entry((crate::scan::parent_dir(&at.0).to_string(), name.to_string()))
                .or_default()
                .push(at.clone());
        }
    }
    let config_alias = |at: &At| -> Vec<At> {
        let name = files
            .get(at.0.as_str())
            .filter(|f| is_config(f.lang))
            .and_then(|f| line_of(f.text, at.1))
            .and_then(setting_name);
        name.and_then(|n| {
            settings.get(&(crate::scan::parent_dir(&at.0).to_string(), n.to_string()))
        })
        .cloned()
        .unwrap_or_else(|| vec![at.clone()])
    };
    // Each call with the bases it rests on.
    let mut deps: BTreeMap<usize, BTreeSet<At>> = BTreeMap::new();
    for (i, f) in findings.iter().enumerate() {
        if f.kind != Kind::Call || matches!(f.context, Context::Comment | Context::Docs) {
            continue;
        }
        // A step is a base itself, or a definition whose statement holds one (`const ghl =
        // axios.create({` with `baseURL: '…'` on a later line).
        let on: BTreeSet<At> = steps(f)
            .into_iter()
            .flat_map(|(p, l, _)| {
                let end = files
                    .get(p.as_str())
                    .and_then(|t| block_at(t.text, l))
                    .map_or(l, |b| *b.end());
                base_at
                    .range((p.clone(), l)..=(p, end))
                    .map(|(at, _)| at.clone())
                    .collect::<Vec<_>>()
            })
            .chain(env_defaults(f, &base_at, files))
            .flat_map(|at| config_alias(&at))
            .collect();
        if !on.is_empty() {
            deps.insert(i, on);
        }
    }
    // Groups: bases joined by the calls resting on them.
    let mut group_of: BTreeMap<At, usize> = BTreeMap::new();
    let mut groups: Vec<(BTreeSet<At>, BTreeSet<usize>)> = Vec::new();
    for (&i, on) in &deps {
        let mut hit: BTreeSet<usize> = on.iter().filter_map(|a| group_of.get(a).copied()).collect();
        let g = match hit.pop_first() {
            Some(g) => g,
            None => {
                groups.push(Default::default());
                groups.len() - 1
            }
        };
        for other in hit {
            let (b, c) = std::mem::take(&mut groups[other]);
            for a in &b {
                group_of.insert(a.clone(), g);
            }
            groups[g].0.extend(b);
            groups[g].1.extend(c);
        }
        for a in on {
            group_of.insert(a.clone(), g);
        }
        groups[g].0.extend(on.iter().cloned());
        groups[g].1.insert(i);
    }
    let mut out = Bases::default();
    for (bases, calls) in groups.into_iter().filter(|g| !g.1.is_empty()) {
        let all_in_scope = bases.iter().all(|a| in_scope(base_at[a]));
        let movable: BTreeSet<usize> = calls
            .iter()
            .copied()
            .filter(|&i| {
                in_scope(i)
                    && !located.vetoed(i)
                    && (migrates(&findings[i], rules, files) || located.maps(i))
            })
            .collect();
        if all_in_scope && movable.len() == calls.len() {
            out.calls.extend(calls.iter().map(|&i| (i, CallFate::Move)));
            out.bases
                .extend(bases.iter().map(|a| (a.clone(), BaseFate::Move)));
            shared_headers(&mut out, findings, rules, files, &calls);
            continue;
        }
        let place = |a: &At| format!("{}:{}", a.0, a.1);
        let shared = format!(
            "its base URL ({}) is shared with calls that stay on V1",
            bases.iter().map(place).collect::<Vec<_>>().join(", ")
        );
        if movable.is_empty() {
            out.calls.extend(
                calls
                    .iter()
                    .map(|&i| (i, CallFate::Keep("no call on its base can move yet".into()))),
            );
            out.bases.extend(bases.iter().map(|a| {
                (
                    a.clone(),
                    BaseFate::Stay("kept on V1: no call built on it can move to V2 yet".into()),
                )
            }));
            continue;
        }
        twin_group(
            &mut out, findings, rules, files, located, &bases, &calls, &movable, &shared,
        );
    }
    out
}

/// Bases that read the setting a call's URL falls back from (`default of env GHL_API_BASE` in its trail,
/// which names no place): the base lines naming that setting (`apiBase: process.env.GHL_API_BASE ?? …`,
/// `GHL_API_BASE=…` in `.env`).
fn env_defaults(
    f: &Finding,
    base_at: &BTreeMap<At, usize>,
    files: &BTreeMap<&str, FileText>,
) -> Vec<At> {
    let names: Vec<&str> = f
        .trail
        .iter()
        .filter_map(|t| t.strip_prefix("default of env "))
        .collect();
    if names.is_empty() {
        return Vec::new();
    }
    base_at
        .keys()
        .filter(|(p, l)| {
            files
                .get(p.as_str())
                .and_then(|t| line_of(t.text, *l))
                .is_some_and(|line| names.iter().any(|n| find_word(line, n, 0).is_some()))
        })
        .cloned()
        .collect()
}

/// The headers of the client a whole moving group is built on (`axios.create({ baseURL, headers: {
/// Authorization: … } })` in another file): when every call's trail reaches the same header line and the
/// calls agree on the `Version` value, that line sends it for all of them.
fn shared_headers(
    out: &mut Bases,
    findings: &[Finding],
    rules: &RuleSet,
    files: &BTreeMap<&str, FileText>,
    calls: &BTreeSet<usize>,
) {
    let mut line: Option<At> = None;
    let mut version: Option<String> = None;
    for &i in calls {
        let f = &findings[i];
        let Some(v) = f
            .rule
            .as_deref()
            .and_then(|r| rules.get(r))
            .and_then(|r| r.v2.as_ref())
            .map(|v| v.version.clone())
        else {
            return;
        };
        // The nearest header line along the trail, in the block of a definition it went through.
        let found = steps(f).into_iter().rev().find_map(|(p, l, _)| {
            let file = files.get(p.as_str())?;
            let block = block_at(file.text, l)?;
            block
                .clone()
                .find(|&n| {
                    !file.secrets.contains(&(n - 1))
                        && !file.secrets.contains(&n)
                        && line_of(file.text, n).is_some_and(|t| {
                            rewrite::add_version_header(t, file.lang, "x").is_some()
                        })
                })
                .map(|n| (p, n))
        });
        let Some(at) = found else { return };
        if line.get_or_insert_with(|| at.clone()) != &at
            || version.get_or_insert_with(|| v.clone()) != &v
        {
            return;
        }
    }
    if let (Some((path, n)), Some(v)) = (line, version) {
        out.headers.entry(path).or_default().insert(n, v);
        out.versioned.extend(calls.iter().copied());
    }
}

fn is_config(lang: Lang) -> bool {
    lang.role() == crate::scan::lang::Role::Config
}

/// A group where some calls move and some stay: twins for the definitions the movable calls name.
#[allow(clippy::too_many_arguments)]
fn twin_group(
    out: &mut Bases,
    findings: &[Finding],
    rules: &RuleSet,
    files: &BTreeMap<&str, FileText>,
    located: &super::paths::Located,
    bases: &BTreeSet<At>,
    calls: &BTreeSet<usize>,
    movable: &BTreeSet<usize>,
    shared: &str,
) {
    // Settings the bases come from (`.env` names): twins read `NAME_V2` instead.
    let renames: Vec<(String, String)> = bases
        .iter()
        .filter_map(|a| {
            let f = files.get(a.0.as_str()).filter(|f| is_config(f.lang))?;
            let n = setting_name(line_of(f.text, a.1)?)?;
            Some((n.to_string(), v2_name(n, f.lang)))
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    // Holder definition → (its block, twin text, calls repointed to it).
    let mut holders: BTreeMap<At, (std::ops::RangeInclusive<usize>, String, String, Vec<usize>)> =
        BTreeMap::new();
    // Calls made directly to a request helper that joins the base: (call, helper, base definition, base
    // name read in the helper).
    let mut via_helper: Vec<ViaHelper> = Vec::new();
    for &i in calls {
        if !movable.contains(&i) {
            out.calls
                .insert(i, CallFate::Keep("its own change needs a human".into()));
            continue;
        }
        let f = &findings[i];
        match holder(f, files, &located.site_texts(i), &renames) {
            Ok((at, block, ident, text)) => {
                holders
                    .entry(at)
                    .or_insert_with(|| (block, text, ident, Vec::new()))
                    .3
                    .push(i);
            }
            Err(why) => match helper_base(f, files, &renames) {
                Some((h, (at, block, ident, text))) => {
                    holders
                        .entry(at.clone())
                        .or_insert_with(|| (block, text, ident.clone(), Vec::new()));
                    via_helper.push((i, h, at, ident));
                }
                None => {
                    out.calls
                        .insert(i, CallFate::Keep(format!("{shared}, and {why}")));
                }
            },
        }
    }
    // The name each twinned base got (in place: its own).
    let mut twin_names: BTreeMap<At, String> = BTreeMap::new();
    let mut renamed_used = BTreeSet::new();
    let mut covered: Vec<(String, std::ops::RangeInclusive<usize>)> = Vec::new();
    for (at, (block, mut text, ident, users)) in holders {
        let file = &files[at.0.as_str()];
        let lang = file.lang;
        // A value injected from configuration has no default in code: its V2 setting must be written
        // beside every V1 one, or the twin would start empty.
        let block_text = line_of_range(file.text, &block);
        if injects(block_text) && !settings_twinnable(bases, files, &renames, block_text) {
            for &i in &users {
                out.calls.insert(
                    i,
                    CallFate::Keep(format!(
                        "{shared}, and its configuration setting cannot get a V2 sibling beside it: add one by hand"
                    )),
                );
            }
            continue;
        }
        // A definition only moving calls rest on moves in place (settings renamed); others get a twin.
        let in_place = calls.iter().all(|i| {
            users.contains(i)
                || !steps(&findings[*i])
                    .iter()
                    .any(|s| s.0 == at.0 && s.1 == at.1)
        });
        let v2_ident = if in_place {
            ident.clone()
        } else {
            v2_name(&ident, lang)
        };
        if in_place {
            match twin_text(
                line_of_range(file.text, &block),
                &ident,
                &ident,
                &renames,
                lang,
            ) {
                Some(t) => text = t,
                None => continue,
            }
        }
        for (n, _) in renames.iter().filter(|(n, _)| {
            find_word(line_of_range(files[at.0.as_str()].text, &block), n, 0).is_some()
        }) {
            renamed_used.insert(n.clone());
        }
        // The twin sends the `Version` its calls share; calls needing different ones get a marker.
        let versions: BTreeMap<String, Vec<String>> =
            users.iter().fold(BTreeMap::new(), |mut m, &i| {
                let f = &findings[i];
                if let Some(v2) = f
                    .rule
                    .as_deref()
                    .and_then(|r| rules.get(r))
                    .and_then(|r| r.v2.as_ref())
                {
                    m.entry(v2.version.clone())
                        .or_insert_with(Vec::new)
                        .push(format!(
                            "{} ({}:{})",
                            f.rule.as_deref().unwrap_or(""),
                            f.path,
                            f.line
                        ));
                }
                m
            });
        let mut note = None;
        let mut version_set = false;
        if versions.len() == 1 {
            let v = versions.keys().next().cloned().unwrap_or_default();
            if let Some(t) = with_version_header(&text, lang, &v) {
                text = t;
                version_set = true;
            }
        } else if versions.len() > 1 {
            note = Some(format!(
                "V2 needs a different `Version` header per request on `{v2_ident}`: {}; set it per request",
                versions
                    .iter()
                    .map(|(v, c)| format!("`{v}` for {}", c.join(", ")))
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
        for &i in &users {
            out.calls.insert(
                i,
                CallFate::Repoint {
                    ident: ident.clone(),
                    v2_ident: v2_ident.clone(),
                    holder: at.0.clone(),
                    version_set,
                },
            );
        }
        out.twins.entry(at.0.clone()).or_default().insert(
            *block.end(),
            Twin {
                start: *block.start(),
                text,
                note,
                replace: in_place,
            },
        );
        twin_names.insert(at.clone(), v2_ident.clone());
        covered.push((at.0.clone(), block));
    }
    helper_twins(out, findings, rules, files, via_helper, &twin_names, shared);
    // Settings the twins read: `NAME_V2` beside `NAME` in each config file of the group.
    for a in bases {
        let twinned = covered.iter().any(|(p, r)| p == &a.0 && r.contains(&a.1));
        let config_twin = files
            .get(a.0.as_str())
            .filter(|f| is_config(f.lang))
            .and_then(|f| {
                let line = line_of(f.text, a.1)?;
                let n = setting_name(line)?;
                if !renamed_used.contains(n) {
                    return None;
                }
                config_twin(line, n, &v2_name(n, f.lang))
            });
        let fate = if let Some(text) = config_twin {
            out.twins.entry(a.0.clone()).or_default().insert(
                a.1,
                Twin {
                    start: a.1,
                    text,
                    note: None,
                    replace: false,
                },
            );
            BaseFate::Twinned
        } else if twinned {
            BaseFate::Twinned
        } else {
            BaseFate::Stay("kept on V1 for the calls built on it that stay V1".into())
        };
        out.bases.insert(a.clone(), fate);
    }
}

/// A call made directly to a request helper: (the call, the helper, the base definition the helper reads,
/// the name it reads it by).
type ViaHelper = (usize, super::helpers::Helper, At, String);

/// For a call that names no base but calls a request helper directly: the helper, and the base definition
/// the helper reads (found as for a call that names it, from the helper's own text).
#[allow(clippy::type_complexity)]
fn helper_base(
    f: &Finding,
    files: &BTreeMap<&str, FileText>,
    renames: &[(String, String)],
) -> Option<(
    super::helpers::Helper,
    (At, std::ops::RangeInclusive<usize>, String, String),
)> {
    let h = super::helpers::direct_helper(f, files)?;
    // Looked up as if the helper's first line made the call: reachability is the helper's.
    let mut from_helper = f.clone();
    from_helper.path = h.path.clone();
    from_helper.line = h.span.start;
    from_helper.written = None;
    let base = holder(&from_helper, files, &[h.text.as_str()], renames).ok()?;
    Some((h, base))
}

/// V2 twins of request helpers, right after each helper, reading the V2 twin of their base; the calls
/// made directly to them call the twin. A helper whose base was not twinned, whose twin name is taken,
/// or that sits where another twin goes leaves its calls on V1 with a marker.
fn helper_twins(
    out: &mut Bases,
    findings: &[Finding],
    rules: &RuleSet,
    files: &BTreeMap<&str, FileText>,
    via_helper: Vec<ViaHelper>,
    twin_names: &BTreeMap<At, String>,
    shared: &str,
) {
    let mut by_helper: BTreeMap<(String, usize), Vec<ViaHelper>> = BTreeMap::new();
    for v in via_helper {
        by_helper
            .entry((v.1.path.clone(), v.1.span.start))
            .or_default()
            .push(v);
    }
    for ((path, _), users) in by_helper {
        let (_, h, at, base) = &users[0];
        let Some(file) = files.get(path.as_str()) else {
            continue;
        };
        let v2_name = v2_name(&h.span.name, file.lang);
        let keep = |out: &mut Bases, why: &str| {
            for (i, ..) in &users {
                out.calls
                    .insert(*i, CallFate::Keep(format!("{shared}, and {why}")));
            }
        };
        let text = match twin_names.get(at) {
            Some(base_v2) if base_v2 != base => {
                super::helpers::twin_text(h, &v2_name, base, base_v2)
            }
            _ => None,
        };
        let Some(mut text) = text else {
            keep(
                out,
                "its request helper's base cannot be given a V2 twin: add one by hand",
            );
            continue;
        };
        if find_word(file.text, &v2_name, 0).is_some()
            || out
                .twins
                .get(&path)
                .is_some_and(|t| t.contains_key(&h.span.end))
        {
            keep(
                out,
                &format!(
                    "a V2 twin of `{}()` cannot be added (`{v2_name}` is taken): add one by hand",
                    h.span.name
                ),
            );
            continue;
        }
        // The twin sends the `Version` its callers agree on.
        let versions: BTreeSet<String> = users
            .iter()
            .filter_map(|(i, ..)| {
                let f = &findings[*i];
                f.rule
                    .as_deref()
                    .and_then(|r| rules.get(r))
                    .and_then(|r| r.v2.as_ref())
                    .map(|v| v.version.clone())
            })
            .collect();
        let mut version_set = false;
        if let [v] = versions.iter().collect::<Vec<_>>().as_slice()
            && let Some(t) = with_version_header(&text, file.lang, v)
        {
            text = t;
            version_set = true;
        }
        // One blank line between the helper and its twin.
        let eol = if file.text.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        };
        out.twins.entry(path.clone()).or_default().insert(
            h.span.end,
            Twin {
                start: h.span.start,
                text: format!("{eol}{text}"),
                note: None,
                replace: false,
            },
        );
        for (i, ..) in &users {
            out.calls.insert(
                *i,
                CallFate::Repoint {
                    ident: h.span.name.clone(),
                    v2_ident: v2_name.clone(),
                    holder: path.clone(),
                    version_set,
                },
            );
        }
    }
}

/// The lines `range` (1-based, inclusive) of `text`.
pub fn line_of_range<'a>(text: &'a str, range: &std::ops::RangeInclusive<usize>) -> &'a str {
    let mut start = None;
    let mut end = text.len();
    let mut pos = 0;
    for (n, l) in text.split_inclusive('\n').enumerate() {
        if n + 1 == *range.start() {
            start = Some(pos);
        }
        pos += l.len();
        if n + 1 == *range.end() {
            end = pos;
            break;
        }
    }
    start.map_or("", |s| &text[s..end])
}

/// The definition a movable call names on its line, searched from the nearest step of its trail back to
/// the base: `(where, its lines, the name, the V2 twin's text)`.
#[allow(clippy::type_complexity)]
fn holder(
    f: &Finding,
    files: &BTreeMap<&str, FileText>,
    site_texts: &[&str],
    renames: &[(String, String)],
) -> Result<(At, std::ops::RangeInclusive<usize>, String, String), String> {
    let written = f.written.map_or(f.line, |w| w.0);
    let call_text = files
        .get(f.path.as_str())
        .and_then(|t| line_of(t.text, written))
        .unwrap_or("");
    let wrappers = wrappers_on(f);
    let through;
    let mut why = if wrappers.is_empty() {
        "this call does not name its base on its line: point it at a V2 base by hand"
    } else {
        through = format!(
            "it reaches its base through {wrappers}, which the calls that stay use too: give that helper a V2 twin by hand, or point this call at a V2 base"
        );
        through.as_str()
    };
    for (path, line, name) in steps(f).into_iter().rev() {
        if path == f.path && line == written {
            continue;
        }
        let Some(file) = files.get(path.as_str()) else {
            continue;
        };
        if is_config(file.lang) {
            continue;
        }
        let Some(def) = line_of(file.text, line) else {
            continue;
        };
        let injected = injected_field(file.text, line, &name);
        let Some(ident) = defining_ident(def, &name, file.lang).or(injected.as_ref().map(|i| i.1))
        else {
            continue;
        };
        // The call names it on its own line, or where its path is written (`url = f"{BASE}/…"`).
        if find_word(call_text, ident, 0).is_none()
            && !site_texts.iter().any(|t| find_word(t, ident, 0).is_some())
        {
            continue;
        }
        if path != f.path && !reachable(file.lang, files, f, written, &path, ident) {
            why = "its import could not be extended: point it at a V2 base by hand";
            continue;
        }
        let Some(block) = injected
            .as_ref()
            .map(|i| i.0..=line)
            .or_else(|| block_at(file.text, line))
        else {
            why = "the definition it names does not end within a few lines: add a V2 base by hand";
            continue;
        };
        let v2_ident = v2_name(ident, file.lang);
        if find_word(file.text, &v2_ident, 0).is_some() {
            why = "a V2 twin's name is already taken: point it at a V2 base by hand";
            continue;
        }
        match twin_text(
            line_of_range(file.text, &block),
            ident,
            &v2_ident,
            renames,
            file.lang,
        ) {
            Some(text) => return Ok(((path, line), block, ident.to_string(), text)),
            None => {
                why = "a V2 base cannot be added beside its definition safely: add one by hand";
            }
        }
    }
    Err(why.to_string())
}

/// The request helpers a call goes through before its base is joined, as
/// `` `get()` → `_request()` (crm/base.py:18) ``: its trail's function steps from the call itself on,
/// without the final send; empty when the call sends directly.
fn wrappers_on(f: &Finding) -> String {
    let funcs: Vec<(String, usize, String)> = f
        .trail
        .iter()
        .filter_map(|t| step(t))
        .filter(|s| s.2.ends_with("()"))
        .collect();
    let Some(own) = funcs.iter().position(|s| s.0 == f.path && s.1 == f.line) else {
        return String::new();
    };
    // The call itself is the final send: no helper in between.
    if own + 1 >= funcs.len() {
        return String::new();
    }
    let inner = funcs
        .get(own + 1..funcs.len().saturating_sub(1))
        .unwrap_or_default();
    std::iter::once(format!("`{}`", funcs[own].2))
        .chain(inner.iter().map(|(p, l, n)| format!("`{n}` ({p}:{l})")))
        .collect::<Vec<_>>()
        .join(" → ")
}

/// A field whose value a framework injects from configuration (`@Value("${ghl.base-url}")` on the line
/// above `private String baseUrl;`, or on the same line in Kotlin): `(first line of the annotation, the
/// field's name)`.
fn injected_field<'a>(text: &'a str, line: usize, name: &str) -> Option<(usize, &'a str)> {
    static FIELD: OnceLock<Regex> = OnceLock::new();
    let field = FIELD.get_or_init(|| {
        Regex::new(r"^\s*(?:@\w+\([^)]*\)\s*)?(?:(?:private|public|protected|internal|final|static|lateinit|var|val|readonly)\s+)*(?:[\w.<>?\[\]]+\s+)?([A-Za-z_]\w*)\s*(?::\s*[\w.<>?]+)?\s*;?\s*$")
            .expect("static regex")
    });
    let def = line_of(text, line)?;
    let ident = field.captures(def)?.get(1)?;
    let ident = &def[ident.start()..ident.end()];
    if ident != last_ident(name) {
        return None;
    }
    if injects(def) {
        return Some((line, ident));
    }
    let above = line_of(text, line.checked_sub(1)?)?;
    (annotation(above) && injects(above)).then_some((line - 1, ident))
}

/// Every config base whose setting `block` reads (renamed to its V2 name) can get its V2 line beside it.
fn settings_twinnable(
    bases: &BTreeSet<At>,
    files: &BTreeMap<&str, FileText>,
    renames: &[(String, String)],
    block: &str,
) -> bool {
    let read: Vec<&(String, String)> = renames
        .iter()
        .filter(|(n, _)| find_word(block, n, 0).is_some())
        .collect();
    !read.is_empty()
        && bases.iter().all(|a| {
            let Some(f) = files.get(a.0.as_str()).filter(|f| is_config(f.lang)) else {
                return true;
            };
            let Some(line) = line_of(f.text, a.1) else {
                return false;
            };
            read.iter().all(|(n, v2)| {
                setting_name(line) != Some(n.as_str()) || config_twin(line, n, v2).is_some()
            })
        })
}

/// An annotation line (`@Value(…)`, `[ConfigurationKeyName("…")]`).
fn annotation(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('@') || (t.starts_with('[') && t.trim_end().ends_with(']'))
}

/// An annotation that injects a configuration value (`@Value("${…}")`, `@Property(name = "…")`).
fn injects(line: &str) -> bool {
    line.contains("@Value(") || line.contains("@Property(") || line.contains("@ConfigProperty(")
}

/// Whether a call in another file reaches `ident`: the same package (Go), a qualified name on the call
/// line (`config.BASE`, `Config::BASE`), or a one-line import that can be extended.
fn reachable(
    lang: Lang,
    files: &BTreeMap<&str, FileText>,
    f: &Finding,
    written: usize,
    def_path: &str,
    ident: &str,
) -> bool {
    if lang == Lang::Go && crate::scan::parent_dir(def_path) == crate::scan::parent_dir(&f.path) {
        return true;
    }
    let text = files.get(f.path.as_str()).map_or("", |t| t.text);
    imported_or_qualified(text, written, ident)
}

/// The identifier a definition line gives: the step's own name, or the variable a client constructor is
/// assigned to (`const ghl = axios.create({`).
fn defining_ident<'a>(def: &'a str, name: &'a str, lang: Lang) -> Option<&'a str> {
    let ident = last_ident(name);
    if !ident.is_empty() && defines(def, ident, lang) {
        return Some(ident);
    }
    static LHS: OnceLock<Regex> = OnceLock::new();
    let lhs = LHS.get_or_init(|| {
        Regex::new(
            r"^\s*(?:(?:export|const|let|var|final|val|my|private|public|protected|static|readonly|internal)\s+)*(?:[A-Za-z_][\w.<>\[\]?]*\s+)?(?:self\.|this\.|@|\$this->|\$)?([A-Za-z_]\w*)\s*(?::\s*[\w.<>]+\s*)?(?:\|\|)?=\s*(?:new\b|[A-Za-z_][\w.:\\]*\s*\()",
        )
        .expect("static regex")
    });
    let m = lhs.captures(def)?.get(1)?;
    Some(&def[m.start()..m.end()])
}

/// Whether `line` defines `ident`: `ident` (after a declaration keyword or `self.`/`this.`/`$`) followed
/// by an assignment, or a key in a literal where extra keys are harmless, or `define('ident', …)`.
fn defines(line: &str, ident: &str, lang: Lang) -> bool {
    static DEF: OnceLock<Regex> = OnceLock::new();
    let Some(at) = find_word(line, ident, 0) else {
        return false;
    };
    let before = line[..at].trim_end_matches(['\'', '"']);
    let after = &line[at + ident.len()..];
    let def = DEF.get_or_init(|| {
        Regex::new(r#"^(['"]?)(?:\s*:\s*[^'"`()=;{}:]+|\s+[\w.\[\]*]+)?\s*(=|:=|:|=>|,)"#)
            .expect("static regex")
    });
    let Some(c) = def.captures(after) else {
        return false;
    };
    let op = &c[2];
    if op == "=" && after[c.get(2).map_or(0, |m| m.end())..].starts_with('=') {
        return false; // a comparison
    }
    if op == ":"
        && !matches!(
            lang,
            Lang::JavaScript | Lang::Python | Lang::Ruby | Lang::Yaml | Lang::Php
        )
    {
        return false;
    }
    if op == "," {
        return before.trim_end().ends_with("define(");
    }
    // Only declarations, attributes and keys at the start of the statement.
    let lead = before.trim_start();
    lead.is_empty()
        || lead.ends_with("self.")
        || lead.ends_with("this.")
        || lead.ends_with("$this->")
        || lead.ends_with('@')
        || lead.ends_with('$')
        || lead.split_whitespace().all(|w| {
            DECL.contains(&w)
                || w.chars()
                    .all(|c| c.is_alphanumeric() || "<>[]?&'_".contains(c))
        })
}

/// Words that may precede a declared name (`private static final String BASE = …`).
const DECL: &[&str] = &[
    "export",
    "const",
    "let",
    "var",
    "final",
    "val",
    "my",
    "our",
    "private",
    "public",
    "protected",
    "static",
    "readonly",
    "internal",
    "late",
];

/// The lines from `start` (1-based) to where its brackets close, at most 40 lines.
fn block_at(text: &str, start: usize) -> Option<std::ops::RangeInclusive<usize>> {
    let mut depth = 0i32;
    for (k, line) in text
        .split_inclusive('\n')
        .skip(start - 1)
        .take(40)
        .enumerate()
    {
        depth += bracket_delta(line)?;
        if depth < 0 {
            return None;
        }
        if depth == 0 && !continues(line) {
            return Some(start..=start + k);
        }
    }
    None
}

/// A statement line that goes on to the next one: it ends with an operator (`API_BASE =`, `BASE +`,
/// `??`, `||`, `.`) or a line continuation. Comments are not stripped: a line ending in one ends there.
fn continues(line: &str) -> bool {
    let code = code_only(line).unwrap_or_default();
    let t = code.trim_end();
    ["=", "+", ".", "\\", "||", "&&", "??", "?"]
        .iter()
        .any(|op| t.ends_with(op))
        && !t.ends_with("=>")
}

/// The change in bracket depth over one line, outside string literals; `None` when a string does not
/// end on the line (a multi-line literal: not copied).
pub fn bracket_delta(line: &str) -> Option<i32> {
    let code = code_only(line)?;
    Some(code.chars().fold(0, |d, c| match c {
        '(' | '[' | '{' => d + 1,
        ')' | ']' | '}' => d - 1,
        _ => d,
    }))
}

/// The line with string literals' contents removed (quotes kept); `None` when a string does not end on
/// the line.
pub fn code_only(line: &str) -> Option<String> {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in line.chars() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
                out.push(c);
            }
            continue;
        }
        if matches!(c, '\'' | '"' | '`') {
            quote = Some(c);
        }
        out.push(c);
    }
    quote.is_none().then_some(out)
}

/// A first line that cannot be copied alone: a keyword argument or an initializer's member
/// (`base_url="…",`, `BaseAddress = new Uri("…"),`: a new one breaks the call), or a second statement
/// after the definition (`BASE = '…'; KEY = k`).
fn not_a_statement(first: &str, single_line: bool) -> bool {
    static MORE: OnceLock<Regex> = OnceLock::new();
    let Some(code) = code_only(first) else {
        return true;
    };
    let code = code.trim_end();
    let more = MORE.get_or_init(|| Regex::new(r";\s*[^\s/#]").expect("static regex"));
    let keyed = code.contains(':') || code.contains("=>");
    (single_line && code.ends_with(',') && !keyed) || more.is_match(code)
}

/// The V2 twin of a definition block: the name renamed on its first line, the settings it reads
/// renamed, every V1 host swapped for V2's. `None` when the copy would not reach V2 (no V1 host and no
/// renamed setting) or would read a setting nobody renamed (a fallback like `env.X || 'https://…'`).
fn twin_text(
    block: &str,
    ident: &str,
    v2_ident: &str,
    renames: &[(String, String)],
    lang: Lang,
) -> Option<String> {
    static ENVISH: OnceLock<Regex> = OnceLock::new();
    let first_end = block.find('\n').map_or(block.len(), |i| i + 1);
    let first = &block[..first_end];
    if !defines(first, ident, lang) && !block.contains('\n') {
        // A one-line definition that does not define `ident` as a name: a client constructor's line.
        defining_ident(first, ident, lang).filter(|d| *d == ident)?;
    }
    if not_a_statement(first, !block.trim_end().contains('\n')) {
        return None;
    }
    // The name where the block first writes it (after an annotation that injects the value).
    let at = if annotation(first) {
        first_end + find_word(&block[first_end..], ident, 0)?
    } else {
        find_word(first, ident, 0)?
    };
    let mut text = format!("{}{v2_ident}{}", &block[..at], &block[at + ident.len()..]);
    let mut renamed = false;
    // Settings read where the V1 base is written (`process.env.X || 'https://rest…'`, `${X:-https://rest…}`):
    // a twin reads `X_V2`, which falls back to the V2 default until someone sets it, instead of a value
    // that may hold the V1 base. Other settings (the token's) are left alone.
    let mut renames = renames.to_vec();
    for n in block
        .lines()
        .filter(|l| rewrite::v1_host_match(l).is_some())
        .flat_map(env_reads)
    {
        if !renames.iter().any(|(a, _)| a == n) {
            renames.push((n.to_string(), v2_name(n, Lang::Env)));
        }
    }
    for (from, to) in &renames {
        if let Some(t) = replace_words(&text, from, to) {
            text = t;
            renamed = true;
        }
    }
    let hosted = rewrite::rewrite_host(&text);
    let moved = hosted != text;
    let envish = ENVISH.get_or_init(|| {
        Regex::new(r"(?i)env|getenv|setting|config|option|\|\||\?\?|\?:|:-").expect("static regex")
    });
    if !moved && !renamed {
        return None;
    }
    if !renamed && envish.is_match(block) {
        return None;
    }
    let mut hosted = hosted;
    if !hosted.ends_with('\n') {
        hosted.push('\n');
    }
    Some(hosted)
}

/// The names of environment settings a block of code reads, in every language's usual forms.
fn env_reads(block: &str) -> Vec<&str> {
    static ENV: OnceLock<Regex> = OnceLock::new();
    let re = ENV.get_or_init(|| {
        Regex::new(
            r#"(?:process\.env\.|import\.meta\.env\.)([A-Za-z_]\w*)|(?:getenv|Getenv|GetEnvironmentVariable|fromEnvironment|environ\.get|ENV\.fetch|\benv)\(\s*['"]([A-Za-z_]\w*)['"]|(?:process\.env|environ|ENV|\$_ENV|\$_SERVER|environment)\[\s*['"]([A-Za-z_]\w*)['"]\s*\]|\$\{([A-Za-z_]\w*):?[-=]"#,
        )
        .expect("static regex")
    });
    re.captures_iter(block)
        .filter_map(|c| c.iter().skip(1).flatten().next().map(|m| m.as_str()))
        .collect()
}

/// Adds the `Version` header to the first line of `text` that builds headers.
fn with_version_header(text: &str, lang: Lang, version: &str) -> Option<String> {
    let mut lines: Vec<String> = text.split_inclusive('\n').map(str::to_string).collect();
    for l in lines.iter_mut() {
        if let Some(new) = rewrite::add_version_header(l, lang, version) {
            *l = new;
            return Some(lines.concat());
        }
    }
    None
}

/// Whether a call moves: its own text can be rewritten to its V2 path (or already is it).
fn migrates(f: &Finding, rules: &RuleSet, files: &BTreeMap<&str, FileText>) -> bool {
    let Some(rule) = f.rule.as_deref().and_then(|r| rules.get(r)) else {
        return false;
    };
    let Some(v2) = &rule.v2 else { return false };
    let Some(file) = files.get(f.path.as_str()) else {
        return false;
    };
    // Its URL where the call line points, and wherever else it is written (`if` branches).
    std::iter::once(f.written.unwrap_or((f.line, f.column)))
        .chain(f.also_written.iter().copied())
        .all(|(line, col)| {
            line_of(file.text, line).is_some_and(|text| {
                rewrite::rewrite_url_text(text, col, f, rule, v2).path_rewritten
            })
        })
}

/// The 1-based line `n` of `text`, with its line ending.
fn line_of(text: &str, n: usize) -> Option<&str> {
    text.split_inclusive('\n').nth(n.checked_sub(1)?)
}

/// `self.base` → `base`, `Config::ENDPOINT` → `ENDPOINT`, `$this->url` → `url`.
fn last_ident(name: &str) -> &str {
    let tail = name.rsplit(['.', ':', '>', '$']).next().unwrap_or(name);
    if !tail.is_empty() && tail.chars().all(is_ident_char) {
        tail
    } else {
        ""
    }
}

fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The twin's name in the definition's own style: `BASE_URL` → `BASE_URL_V2`, `base_url` → `base_url_v2`,
/// `baseUrl` → `baseUrlV2`, `ghl` → `ghlV2` in camel-case languages and `ghl_v2` in the others.
pub fn v2_name(ident: &str, lang: Lang) -> String {
    if ident.contains('-') {
        return format!("{ident}-v2"); // `base-url` (YAML, .properties)
    }
    let core = ident.trim_start_matches('_');
    let has_lower = core.chars().any(|c| c.is_ascii_lowercase());
    let has_upper = core.chars().any(|c| c.is_ascii_uppercase());
    let camel_lang = matches!(
        lang,
        Lang::JavaScript
            | Lang::TypeScript
            | Lang::Java
            | Lang::Kotlin
            | Lang::Dart
            | Lang::CSharp
            | Lang::Go
            | Lang::Swift
    );
    if !has_lower {
        format!("{ident}_V2")
    } else if core.contains('_') || !(has_upper || camel_lang) {
        format!("{ident}_v2")
    } else {
        format!("{ident}V2")
    }
}

/// The byte offset of `word` as a whole identifier in `text` from `from` on.
/// `text` with every whole-word `from` replaced by `to`, or `None` when there is none.
pub fn replace_words(text: &str, from: &str, to: &str) -> Option<String> {
    let mut out = text.to_string();
    let mut pos = 0;
    let mut any = false;
    while let Some(i) = find_word(&out, from, pos) {
        out = format!("{}{to}{}", &out[..i], &out[i + from.len()..]);
        pos = i + to.len();
        any = true;
    }
    any.then_some(out)
}

pub fn find_word(text: &str, word: &str, from: usize) -> Option<usize> {
    let mut pos = from;
    while let Some(i) = text.get(pos..)?.find(word) {
        let at = pos + i;
        let end = at + word.len();
        // A hyphenated setting name (`base-url`) does not end at a hyphen (`base-url-v2`).
        let part = |c: char| is_ident_char(c) || (c == '-' && word.contains('-'));
        let before = text[..at].chars().next_back();
        let after = text[end..].chars().next();
        if !before.is_some_and(part) && !after.is_some_and(part) {
            return Some(at);
        }
        pos = end;
    }
    None
}

/// A config line's V2 twin: `GHL_BASE_URL=https://rest…/v1` → `GHL_BASE_URL_V2=https://services…`.
pub fn config_twin(line: &str, name: &str, v2_name: &str) -> Option<String> {
    if setting_name(line) != Some(name) {
        return None;
    }
    // A JSON member with no comma after it is the object's last: a sibling after it would not parse.
    let t = line.trim();
    if t.starts_with('"') && t.contains("\":") && !t.ends_with(',') {
        return None;
    }
    rewrite::v1_host_match(line)?;
    let at = find_word(line, name, 0)?;
    let renamed = format!("{}{v2_name}{}", &line[..at], &line[at + name.len()..]);
    let mut out = rewrite::rewrite_host(&renamed);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    Some(out)
}

/// Whether a file using a base defined elsewhere reaches `ident` through a qualified name on the call
/// line (`config.BASE`, `Config::BASE`, `self.base`) or a one-line import that can be extended.
fn imported_or_qualified(text: &str, call_line: usize, ident: &str) -> bool {
    let line = line_of(text, call_line).unwrap_or("");
    if let Some(at) = find_word(line, ident, 0)
        && (line[..at].ends_with('.') || line[..at].ends_with("::") || line[..at].ends_with("->"))
    {
        return true;
    }
    import_line(text, ident).is_some()
}

/// The 0-based index of a one-line import that names `ident` (`import { A } from`, `from m import A`,
/// `const { A } = require(…)`).
pub fn import_line(text: &str, ident: &str) -> Option<usize> {
    static IMPORT: OnceLock<Regex> = OnceLock::new();
    let re = IMPORT.get_or_init(|| {
        Regex::new(
            r#"^\s*(?:import\s*(?:type\s*)?\{[^}]*\}\s*from\b|from\s+\S+\s+import\s+[^(]*$|(?:const|let|var)\s*\{[^}]*\}\s*=\s*require\()"#,
        )
        .expect("static regex")
    });
    text.lines()
        .position(|l| re.is_match(l) && find_word(l, ident, 0).is_some())
}

/// `import { A } from …` → `import { A, A_V2 } from …` (0-based line index in `lines`).
pub fn extend_import(line: &str, ident: &str, v2_name: &str) -> Option<String> {
    if find_word(line, v2_name, 0).is_some() {
        return None;
    }
    let at = find_word(line, ident, 0)?;
    let end = at + ident.len();
    // `A as B` imports: leave them (the alias is what the code uses).
    if line[end..].trim_start().starts_with("as ") {
        return None;
    }
    Some(format!("{}, {v2_name}{}", &line[..end], &line[end..]))
}

/// The call line with its reference to the base renamed to the V2 sibling.
pub fn repoint(line: &str, ident: &str, v2_name: &str) -> Option<String> {
    let at = find_word(line, ident, 0)?;
    Some(format!(
        "{}{v2_name}{}",
        &line[..at],
        &line[at + ident.len()..]
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The twin of the definition starting on the first line of `text`, as `holder` builds it.
    fn twin(text: &str, name: &str, lang: Lang, renames: &[(&str, &str)]) -> Option<String> {
        let renames: Vec<(String, String)> = renames
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let def = line_of(text, 1)?;
        let ident = defining_ident(def, name, lang)?;
        let block = block_at(text, 1)?;
        twin_text(
            line_of_range(text, &block),
            ident,
            &v2_name(ident, lang),
            &renames,
            lang,
        )
    }

    #[test]
    fn v2_names_follow_the_definition_style() {
        assert_eq!(v2_name("BASE_URL", Lang::Python), "BASE_URL_V2");
        assert_eq!(v2_name("base_url", Lang::Python), "base_url_v2");
        assert_eq!(v2_name("base", Lang::Python), "base_v2");
        assert_eq!(v2_name("ghl", Lang::JavaScript), "ghlV2");
        assert_eq!(v2_name("baseUrl", Lang::JavaScript), "baseUrlV2");
        assert_eq!(v2_name("Endpoint", Lang::CSharp), "EndpointV2");
        assert_eq!(v2_name("_http", Lang::CSharp), "_httpV2");
    }

    #[test]
    fn twins_copy_plain_definitions_in_their_style() {
        let t = |l: &str, id: &str, lang| twin(l, id, lang, &[]);
        assert_eq!(
            t(
                "BASE_URL = \"https://rest.gohighlevel.com/v1\"\n",
                "BASE_URL",
                Lang::Python
            )
            .as_deref(),
            Some("BASE_URL_V2 = \"https://services.leadconnectorhq.com\"\n")
        );
        assert_eq!(
            t(
                "        self.base = 'https://rest.gohighlevel.com/v1/'\r\n",
                "self.base",
                Lang::Python
            )
            .as_deref(),
            Some("        self.base_v2 = 'https://services.leadconnectorhq.com/'\r\n")
        );
        assert_eq!(
            t(
                "    const ENDPOINT = 'https://rest.gohighlevel.com/v1/';\n",
                "ENDPOINT",
                Lang::Php
            )
            .as_deref(),
            Some("    const ENDPOINT_V2 = 'https://services.leadconnectorhq.com/';\n")
        );
        assert_eq!(
            t(
                "define('GHL_URL', 'https://rest.gohighlevel.com/v1');\n",
                "GHL_URL",
                Lang::Php
            )
            .as_deref(),
            Some("define('GHL_URL_V2', 'https://services.leadconnectorhq.com');\n")
        );
        assert_eq!(
            t(
                "const GHL_BASE: &str = \"https://rest.gohighlevel.com/v1\";\n",
                "GHL_BASE",
                Lang::Rust
            )
            .as_deref(),
            Some("const GHL_BASE_V2: &str = \"https://services.leadconnectorhq.com\";\n")
        );
        assert_eq!(
            t(
                "    private static final String BASE = \"https://rest.gohighlevel.com/v1\";\n",
                "BASE",
                Lang::Java
            )
            .as_deref(),
            Some(
                "    private static final String BASE_V2 = \"https://services.leadconnectorhq.com\";\n"
            )
        );
    }

    #[test]
    fn clients_built_on_the_base_get_a_twin_client() {
        let line = "const api = axios.create({ baseURL: 'https://rest.gohighlevel.com/v1', headers: { Authorization: `Bearer ${k}` } });\n";
        assert_eq!(
            twin(line, "axios.create", Lang::JavaScript, &[]).as_deref(),
            Some(
                "const apiV2 = axios.create({ baseURL: 'https://services.leadconnectorhq.com', headers: { Authorization: `Bearer ${k}` } });\n"
            )
        );
        // Over several lines, reading a setting that gets a V2 twin too.
        let block = "const ghl = axios.create({\n  baseURL: process.env.GHL_BASE_URL || 'https://rest.gohighlevel.com/v1',\n  timeout: 15000,\n});\nfoo();\n";
        assert_eq!(
            twin(
                block,
                "axios.create",
                Lang::JavaScript,
                &[("GHL_BASE_URL", "GHL_BASE_URL_V2")]
            )
            .as_deref(),
            Some(
                "const ghlV2 = axios.create({\n  baseURL: process.env.GHL_BASE_URL_V2 || 'https://services.leadconnectorhq.com',\n  timeout: 15000,\n});\n"
            )
        );
        // Env reads are renamed even when no config file in the tree defines them.
        assert_eq!(
            twin(
                "BASE = os.getenv('GHL_BASE', 'https://rest.gohighlevel.com/v1')\n",
                "BASE",
                Lang::Python,
                &[]
            )
            .as_deref(),
            Some("BASE_V2 = os.getenv('GHL_BASE_V2', 'https://services.leadconnectorhq.com')\n")
        );
        assert_eq!(
            twin(
                "API=\"${GHL_API:-https://rest.gohighlevel.com/v1}\"\n",
                "API",
                Lang::Shell,
                &[]
            )
            .as_deref(),
            Some("API_V2=\"${GHL_API_V2:-https://services.leadconnectorhq.com}\"\n")
        );
        let cs = "    private readonly HttpClient _http = new HttpClient { BaseAddress = new Uri(\"https://rest.gohighlevel.com/v1/\") };\n";
        assert_eq!(
            twin(cs, "_http", Lang::CSharp, &[]).as_deref(),
            Some(
                "    private readonly HttpClient _httpV2 = new HttpClient { BaseAddress = new Uri(\"https://services.leadconnectorhq.com/\") };\n"
            )
        );
    }

    #[test]
    fn twins_refuse_what_a_copy_would_break() {
        let t = |l: &str, id: &str, lang| twin(l, id, lang, &[]);
        // A setting read some other way than the usual env forms: the copy would read the V1 value.
        assert_eq!(
            t(
                "BASE = settings.get('ghl.base', 'https://rest.gohighlevel.com/v1')\n",
                "BASE",
                Lang::Python
            ),
            None
        );
        // A keyword argument and an initializer member.
        assert_eq!(
            t(
                "    base_url=\"https://rest.gohighlevel.com/v1\",\n",
                "base_url",
                Lang::Python
            ),
            None
        );
        assert_eq!(
            t(
                "    BaseAddress = new Uri(\"https://rest.gohighlevel.com/v1/\"),\n",
                "BaseAddress",
                Lang::CSharp
            ),
            None
        );
        // A typed object's field.
        assert_eq!(
            t(
                "  baseUrl: 'https://rest.gohighlevel.com/v1',\n",
                "baseUrl",
                Lang::TypeScript
            ),
            None
        );
        // Two statements on the line.
        assert_eq!(
            t(
                "BASE = 'https://rest.gohighlevel.com/v1'; KEY = k\n",
                "BASE",
                Lang::Python
            ),
            None
        );
        // A statement that never ends within the window.
        let open = format!(
            "client = httpx.Client(base_url='https://rest.gohighlevel.com/v1',\n{}",
            "  x,\n".repeat(60)
        );
        assert_eq!(t(&open, "client", Lang::Python), None);
    }

    #[test]
    fn config_settings_get_a_twin_line() {
        assert_eq!(
            config_twin(
                "GHL_BASE_URL=https://rest.gohighlevel.com/v1\n",
                "GHL_BASE_URL",
                "GHL_BASE_URL_V2"
            )
            .as_deref(),
            Some("GHL_BASE_URL_V2=https://services.leadconnectorhq.com\n")
        );
        assert_eq!(
            config_twin(
                "OTHER=https://rest.gohighlevel.com/v1\n",
                "GHL_BASE_URL",
                "X"
            ),
            None
        );
    }

    #[test]
    fn imports_and_references_are_extended_by_whole_word() {
        assert_eq!(
            extend_import(
                "import { GHL_BASE } from './config';",
                "GHL_BASE",
                "GHL_BASE_V2"
            )
            .as_deref(),
            Some("import { GHL_BASE, GHL_BASE_V2 } from './config';")
        );
        assert_eq!(
            repoint(
                "fetch(`${GHL_BASE}/contacts/${GHL_BASE_URL}`)",
                "GHL_BASE",
                "GHL_BASE_V2"
            )
            .as_deref(),
            Some("fetch(`${GHL_BASE_V2}/contacts/${GHL_BASE_URL}`)")
        );
        assert_eq!(
            import_line("x\nfrom config import BASE_URL, KEY\n", "BASE_URL"),
            Some(1)
        );
        assert_eq!(
            import_line("import {\n  BASE_URL,\n} from './c'\n", "BASE_URL"),
            None
        );
    }

    #[test]
    fn steps_come_from_trails_and_resolver_notes() {
        let mut f = Finding::new(Kind::Call, "use.js", 3, 1, Context::Code);
        f.trail = vec![
            "lib/config.js:12 GHL_BASE".into(),
            "use.js:3 fetch()".into(),
        ];
        assert_eq!(
            steps(&f),
            vec![("lib/config.js".into(), 12, "GHL_BASE".into())]
        );
        f.trail.clear();
        f.base_source = Some("base BASE_URL defined at line 2".into());
        assert_eq!(steps(&f), vec![("use.js".into(), 2, "BASE_URL".into())]);
        f.base_source = Some("client api defined in src/c.js:7".into());
        assert_eq!(steps(&f), vec![("src/c.js".into(), 7, "api".into())]);
    }
}
