//! Where a call's V1 path is written when it is not on the call's own line, and the edits made there.
//!
//! `scan` reports a request at the statement that sends it, but its path is often written elsewhere: on a
//! later line of that statement (`requests.get(\n    f"{BASE}/slots?…"`), on the line that built the URL
//! before the send (`url = …`, `new HttpRequestMessage(…)`, `URI("#{BASE}/contacts/…")`), in two pieces
//! (`url = BASE + '/contacts/' + id` then `url += '/tags/'`), in an attribute or constant the trail went
//! through (`self.tasks_url = self.root + "/contacts/{}/tasks"`), or at a wrapper's call site another
//! finding owns. [`locate`] finds those lines from the finding's statement and trail, nearest first;
//! [`settle`] decides across the scan which of them change: a line holding the path of several calls
//! changes only when every one of them moves to the same text, and never when one of them stays V1.
//! Otherwise each call stays V1 with a marker naming where its path is written.
use super::bases::{self, At, Bases, CallFate, FileText};
use super::rewrite;
use crate::rules::RuleSet;
use crate::scan::finding::{Context, Finding, Kind};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// A path in more pieces than this is assembled too far from the call to rewrite with confidence.
const MAX_SITE_LINES: usize = 2;
/// Continuation lines of one statement searched for its path.
const MAX_STATEMENT_LINES: usize = 20;

/// Where one call's V1 path pieces are written, away from its own line.
#[derive(Debug, Clone)]
pub struct Site {
    /// The lines holding its pieces, in order: where, their text, and their text with V2's pieces in
    /// (the same text when the V2 path cannot be written: `maps` false).
    pub lines: Vec<(At, String, String)>,
    /// The V2 path can be written there (parameters map one to one, the verb stays).
    pub maps: bool,
    /// The line is another call's own line: that call's rewrite changes it.
    pub own_line_of: Option<usize>,
    /// Why the lines must not change at all (a key next to them).
    pub refused: Option<String>,
}

impl Site {
    fn places(&self) -> String {
        self.lines
            .iter()
            .map(|(a, _, _)| format!("{}:{}", a.0, a.1))
            .collect::<Vec<_>>()
            .join(" and ")
    }
}

/// The sites found for a scan's calls (by finding index).
#[derive(Debug, Default)]
pub struct Located {
    sites: HashMap<usize, Site>,
    /// Calls `settle` found it cannot move after all (a line their value passes through must stay).
    vetoed: BTreeSet<usize>,
}

impl Located {
    /// Call `i`'s path is written elsewhere, in a form V2's path can be written in.
    pub fn maps(&self, i: usize) -> bool {
        self.sites
            .get(&i)
            .is_some_and(|s| s.maps && s.refused.is_none())
    }

    /// Call `i` turned out not to move (`settle` blocked it): the bases are decided again without it.
    /// Returns whether that changes anything.
    pub fn refuse(&mut self, i: usize, why: &str) -> bool {
        if let Some(s) = self.sites.get_mut(&i)
            && s.refused.is_none()
            && s.maps
        {
            s.refused = Some(why.to_string());
        }
        self.vetoed.insert(i)
    }

    /// Call `i` cannot move, whatever its own line says.
    pub fn vetoed(&self, i: usize) -> bool {
        self.vetoed.contains(&i)
    }

    /// The texts of the lines holding call `i`'s path elsewhere (where its base may be named too).
    pub fn site_texts(&self, i: usize) -> Vec<&str> {
        self.sites.get(&i).map_or(Vec::new(), |s| {
            s.lines.iter().map(|(_, t, _)| t.as_str()).collect()
        })
    }
}

/// The V1 and V2 literal pieces of a rule's path (V1's twice when V2's cannot be written in its place).
fn pieces(f: &Finding, rule: &crate::rules::Rule) -> (Vec<String>, Vec<String>, bool) {
    let v1 = rewrite::literal_pieces(&rule.v1.path, true);
    match &rule.v2 {
        Some(v2) if rewrite::path_maps(rule, v2) && rewrite::method_same(f, rule, v2) => {
            (v1, rewrite::literal_pieces(&v2.path, false), true)
        }
        _ => (v1.clone(), v1, false),
    }
}

/// The 1-based line `n` of file `path`, without its line ending.
fn line_at<'a>(files: &BTreeMap<&str, FileText<'a>>, path: &str, n: usize) -> Option<&'a str> {
    let index = &files.get(path)?.index;
    (n >= 1 && n <= index.line_count()).then(|| index.text(n))
}

/// Finds, for every call in code whose path is not on its own line, where it is written.
pub fn locate(findings: &[Finding], rules: &RuleSet, files: &BTreeMap<&str, FileText>) -> Located {
    let calls = || {
        findings.iter().enumerate().filter(|(_, f)| {
            f.kind == Kind::Call && !matches!(f.context, Context::Comment | Context::Docs)
        })
    };
    let own: HashMap<At, usize> = calls()
        .map(|(i, f)| ((f.path.clone(), f.written.map_or(f.line, |w| w.0)), i))
        .collect();
    let mut out = Located::default();
    for (i, f) in calls() {
        let Some(rule) = f.rule.as_deref().and_then(|r| rules.get(r)) else {
            continue;
        };
        let (v1, v2, maps) = pieces(f, rule);
        if v1.is_empty() {
            continue;
        }
        let (written, col) = f.written.unwrap_or((f.line, f.column));
        let Some(own_text) = line_at(files, &f.path, written) else {
            continue;
        };
        if rewrite::replace_run(own_text, &v1, &v2, col, 0).1 == v1.len() {
            continue; // on its own line: rewritten there
        }
        if let Some(mut site) = find_site(f, written, &v1, &v2, files) {
            site.maps = maps;
            if let [(at, _, _)] = site.lines.as_slice() {
                site.own_line_of = own.get(at).copied().filter(|&j| j != i);
            } else if site
                .lines
                .iter()
                .any(|(at, _, _)| own.get(at).is_some_and(|&j| j != i))
            {
                continue;
            }
            site.refused = site
                .lines
                .iter()
                .any(|((p, l), _, _)| {
                    files
                        .get(p.as_str())
                        .is_some_and(|t| t.secrets.contains(&(l - 1)) || t.secrets.contains(l))
                })
                .then(|| "next to a key (a patch would print it)".to_string());
            out.sites.insert(i, site);
        }
    }
    out
}

/// The lines holding the pieces `v1`: one line of the statement or its trail (nearest first), else two
/// lines of the trail and the call in order (definition first).
fn find_site(
    f: &Finding,
    written: usize,
    v1: &[String],
    v2: &[String],
    files: &BTreeMap<&str, FileText>,
) -> Option<Site> {
    let last = f
        .end_line
        .unwrap_or(written)
        .min(written + MAX_STATEMENT_LINES);
    let statement: Vec<At> = (written + 1..=last).map(|l| (f.path.clone(), l)).collect();
    let trail: Vec<At> = bases::steps(f)
        .into_iter()
        .map(|(p, l, _)| (p, l))
        .filter(|a| !(a.0 == f.path && a.1 == written))
        .collect();
    let text_of = |a: &At| line_at(files, &a.0, a.1);
    let mut seen = BTreeSet::new();
    for at in statement.iter().chain(trail.iter().rev()) {
        if !seen.insert(at.clone()) {
            continue;
        }
        let Some(text) = text_of(at) else { continue };
        let (new, n) = rewrite::replace_run(text, v1, v2, 1, 0);
        if n == v1.len() {
            return Some(Site {
                lines: vec![(at.clone(), text.to_string(), new)],
                maps: false,
                own_line_of: None,
                refused: None,
            });
        }
    }
    // Pieces over several lines, in the order the value was built: the trail, then the call's own line
    // (`CONTACTS + cid + "/tasks/"`).
    let mut lines = Vec::new();
    let mut matched = 0;
    for at in trail
        .iter()
        .chain(std::iter::once(&(f.path.clone(), written)))
    {
        let Some(text) = text_of(at) else { continue };
        let (new, n) = rewrite::replace_run(text, v1, v2, 1, matched);
        if n > 0 {
            lines.push((at.clone(), text.to_string(), new));
            matched += n;
            if matched == v1.len() {
                break;
            }
        }
    }
    (matched == v1.len() && lines.len() <= MAX_SITE_LINES).then_some(Site {
        lines,
        maps: false,
        own_line_of: None,
        refused: None,
    })
}

/// What happens to a call whose path is written elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathFate {
    /// Its path lines changed to V2's (or already are); `repointed` when its base was pointed at the V2
    /// twin there too.
    Moved { repointed: bool },
    /// It stays V1 because its base does: nothing changes.
    Stays,
    /// It cannot move: why, naming where its path is written.
    Blocked(String),
}

/// The path edits for a scan.
#[derive(Debug, Default)]
pub struct PathEdits {
    fates: HashMap<usize, PathFate>,
    /// New text by file and 1-based line.
    edits: HashMap<String, BTreeMap<usize, String>>,
    /// Names to add to a one-line import, by file: `(name, V2 name)`.
    imports: HashMap<String, Vec<(String, String)>>,
}

impl PathEdits {
    pub fn of_call(&self, i: usize) -> Option<&PathFate> {
        self.fates.get(&i)
    }

    pub fn edits_in(&self, path: &str) -> Option<&BTreeMap<usize, String>> {
        self.edits.get(path)
    }

    pub fn imports_in(&self, path: &str) -> &[(String, String)] {
        self.imports.get(path).map_or(&[], Vec::as_slice)
    }

    /// Files that get a path edit but may have no finding of their own.
    /// The calls that cannot move, with why: `(finding index, why)`.
    pub fn blocked(&self) -> impl Iterator<Item = (usize, &str)> {
        self.fates.iter().filter_map(|(&i, f)| match f {
            PathFate::Blocked(w) => Some((i, w.as_str())),
            _ => None,
        })
    }
}

/// Decides which path lines change, once the bases' fates are known.
pub fn settle(
    located: &Located,
    bases: &Bases,
    findings: &[Finding],
    rules: &RuleSet,
    in_scope: &dyn Fn(usize) -> bool,
    files: &BTreeMap<&str, FileText>,
) -> PathEdits {
    let mut out = PathEdits::default();
    // What each moving call wants each line to become; calls that do not move want it unchanged.
    let mut wanted: BTreeMap<At, Vec<(usize, String)>> = BTreeMap::new();
    let mut blocked: BTreeMap<usize, String> = BTreeMap::new();
    let mut pending_imports: Vec<(usize, String, (String, String))> = Vec::new();
    let mut sites: Vec<(&usize, &Site)> = located.sites.iter().collect();
    sites.sort_by_key(|(i, _)| **i);
    for &(&i, site) in &sites {
        let f = &findings[i];
        let fate = bases.of_call(i);
        let mut texts: Vec<String> = site.lines.iter().map(|l| l.2.clone()).collect();
        let at = site.places();
        let why = match &site.refused {
            // Refused in an earlier round: already says where.
            Some(r) if r.starts_with("its path is written") => Some(r.clone()),
            Some(r) => Some(format!("its path is written at {at}: {r}")),
            None if !in_scope(i) => Some(format!(
                "its path is written at {at}: left out by --rule/--path"
            )),
            None if !site.maps => Some(format!(
                "its path is written at {at}: its V2 path cannot be written there"
            )),
            None => None,
        };
        let mut repointed = false;
        let mut fate_now = match (&why, fate) {
            (Some(w), _) => PathFate::Blocked(w.clone()),
            (None, Some(CallFate::Keep(_))) => PathFate::Stays,
            (None, _) => PathFate::Moved { repointed: false },
        };
        if let (
            PathFate::Moved { .. },
            Some(CallFate::Repoint {
                ident,
                v2_ident,
                holder,
                ..
            }),
        ) = (&fate_now, fate)
        {
            for (t, (at, _, _)) in texts.iter_mut().zip(&site.lines) {
                if let Some(r) = bases::repoint(t, ident, v2_ident) {
                    *t = r;
                    repointed = true;
                    if &at.0 != holder {
                        pending_imports.push((i, at.0.clone(), (ident.clone(), v2_ident.clone())));
                    }
                }
            }
            let own = line_at(files, &f.path, f.written.map_or(f.line, |w| w.0));
            fate_now = if repointed || own.is_some_and(|l| bases::find_word(l, ident, 0).is_some())
            {
                PathFate::Moved { repointed }
            } else {
                PathFate::Blocked(format!(
                    "its path is written at {} and neither that nor its own line names `{ident}`: point it at a V2 base by hand",
                    site.places()
                ))
            };
        }
        if fate == Some(&CallFate::Move) {
            for t in &mut texts {
                if let Some(s) = strip_v1(t) {
                    *t = s;
                }
            }
        }
        if let PathFate::Blocked(w) = &fate_now {
            blocked.insert(i, w.clone());
        }
        out.fates.insert(i, fate_now);
        match site.own_line_of {
            None => {
                for ((at, _, _), t) in site.lines.iter().zip(texts) {
                    wanted.entry(at.clone()).or_default().push((i, t));
                }
            }
            // The call owning the line rewrites it: this one moves only along with it, to the same path.
            Some(j) => {
                let g = &findings[j];
                let same_path = rule_of(g, rules).map(|r| pieces(g, r))
                    == rule_of(f, rules).map(|r| pieces(f, r));
                let with_it = in_scope(j) && bases.of_call(j) == fate;
                let moves_with_it = same_path && with_it;
                if !moves_with_it && !blocked.contains_key(&i) {
                    blocked.insert(
                        i,
                        format!(
                            "its path is written at {} for {} too, which {}: rewrite by hand",
                            site.places(),
                            describe(g),
                            if same_path {
                                "does not move the same way"
                            } else {
                                "needs another V2 path"
                            }
                        ),
                    );
                }
            }
        }
    }
    // The V1 prefix added on its own along the trail (`V1 = Host + "/v1"`) goes when the base moves.
    for (i, f) in findings.iter().enumerate() {
        if bases.of_call(i) != Some(&CallFate::Move) || !in_scope(i) {
            continue;
        }
        let own_site: Vec<&At> = located
            .sites
            .get(&i)
            .map_or(Vec::new(), |s| s.lines.iter().map(|l| &l.0).collect());
        for (p, l, _) in bases::steps(f) {
            let at = (p, l);
            if own_site.contains(&&at) {
                continue;
            }
            if let Some(t) = line_at(files, &at.0, at.1).and_then(strip_v1) {
                let wants = wanted.entry(at).or_default();
                if !wants.iter().any(|(j, _)| *j == i) {
                    wants.push((i, t));
                }
            }
        }
    }
    let original = |at: &At| line_at(files, &at.0, at.1).unwrap_or("").to_string();
    // Calls whose value only passes through a changed line (`CONTACTS = ROOT + 'contacts/'` repointed for
    // one call, used by another) own it too: they accept the change only when it is the same repoint of
    // their own base, or the `/v1` strip of their moving base; otherwise they want it unchanged.
    let mut passing: BTreeMap<At, Vec<usize>> = BTreeMap::new();
    for (j, g) in findings.iter().enumerate() {
        if g.kind != Kind::Call || matches!(g.context, Context::Comment | Context::Docs) {
            continue;
        }
        for (p, l, _) in bases::steps(g) {
            let at = (p, l);
            if wanted
                .get(&at)
                .is_some_and(|w| !w.iter().any(|(i, _)| *i == j))
            {
                passing.entry(at).or_default().push(j);
            }
        }
    }
    for (at, js) in passing {
        let orig = original(&at);
        let Some(wants) = wanted.get_mut(&at) else {
            continue;
        };
        for j in js {
            let accepts = |t: &String| match bases.of_call(j) {
                Some(CallFate::Move) => strip_v1(&orig).as_ref() == Some(t),
                Some(CallFate::Repoint {
                    ident, v2_ident, ..
                }) => bases::repoint(&orig, ident, v2_ident).as_ref() == Some(t),
                _ => false,
            };
            let t = wants
                .iter()
                .map(|(_, t)| t)
                .find(|t| accepts(t))
                .cloned()
                .unwrap_or_else(|| orig.clone());
            wants.push((j, t));
        }
    }
    // A line changes only when every call whose path it holds wants the same text; a call that cannot
    // have its way stays V1 everywhere, which may in turn block the others on its lines.
    loop {
        let mut newly = Vec::new();
        for (at, wants) in &wanted {
            let orig = original(at);
            let want = |i: &usize, t: &String| {
                if blocked.contains_key(i) || matches!(out.fates.get(i), Some(PathFate::Stays)) {
                    orig.clone()
                } else {
                    t.clone()
                }
            };
            let first = want(&wants[0].0, &wants[0].1);
            if wants.iter().all(|(i, t)| want(i, t) == first) {
                continue;
            }
            for (i, t) in wants {
                if !blocked.contains_key(i) && want(i, t) != orig {
                    let others: Vec<String> = wants
                        .iter()
                        .filter(|(j, _)| j != i)
                        .map(|(j, _)| describe(&findings[*j]))
                        .collect();
                    newly.push((
                        *i,
                        format!(
                            "its path is written at {}:{} together with that of {}: rewrite by hand",
                            at.0,
                            at.1,
                            others.join(", ")
                        ),
                    ));
                }
            }
        }
        if newly.is_empty() {
            break;
        }
        blocked.extend(newly);
    }
    for (at, wants) in &wanted {
        let Some((_, t)) = wants.iter().find(|(i, _)| {
            !blocked.contains_key(i)
                && matches!(out.fates.get(i), None | Some(PathFate::Moved { .. }))
        }) else {
            continue;
        };
        if *t != original(at) {
            out.edits
                .entry(at.0.clone())
                .or_default()
                .insert(at.1, t.clone());
        }
    }
    for (i, path, names) in pending_imports {
        if !blocked.contains_key(&i) {
            let v = out.imports.entry(path).or_default();
            if !v.contains(&names) {
                v.push(names);
            }
        }
    }
    for (i, why) in blocked {
        out.fates.insert(i, PathFate::Blocked(why));
    }
    out
}

/// `Host + "/v1"` → `Host + ""`, `f"{HOST}/v1/"` → `f"{HOST}/"`: a `/v1` that starts a string or follows
/// an interpolation, on a line that builds a base. `None` when there is none.
fn strip_v1(line: &str) -> Option<String> {
    static RE: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let re =
        RE.get_or_init(|| regex::Regex::new(r#"(['"`}])/v1(/?)(['"`])"#).expect("static regex"));
    re.is_match(line)
        .then(|| re.replace_all(line, "$1$2$3").into_owned())
}

fn rule_of<'r>(f: &Finding, rules: &'r RuleSet) -> Option<&'r crate::rules::Rule> {
    f.rule.as_deref().and_then(|r| rules.get(r))
}

/// `contacts.get (sync.py:12)`.
fn describe(f: &Finding) -> String {
    format!(
        "{} ({}:{})",
        f.rule.as_deref().unwrap_or("an unknown endpoint"),
        f.path,
        f.line
    )
}
