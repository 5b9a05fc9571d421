//! The tree-wide solver: from the facts of every parsed file to the V1 requests they send, each at the
//! statement that sends it (or calls the wrapper that does), with its verb and a trail saying where the
//! base URL, the path and the verb came from.
pub mod eval;
pub mod index;
pub mod sinks;
pub mod value;

use crate::method::Method;
use eval::Solver;
use index::Index;
pub use index::Unit;
use std::collections::{HashMap, HashSet};

/// One V1 request site.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub stmt_line: usize,
    pub host: String,
    /// Path and query after the host, holes written `{name}`.
    pub rest: String,
    /// The host is V2 (such requests matter when their path is still a V1 one: half-migrated).
    pub v2: bool,
    /// Verbs (several when a condition chooses), each with how it was found.
    pub methods: Vec<(Method, String)>,
    /// Where the base, the path and the verb came from, nearest the definition first.
    pub trail: Vec<String>,
    /// The URL depends on a parameter no caller in the tree supplies.
    pub open_param: bool,
    pub join_note: Option<&'static str>,
    /// First and last line of the function whose body holds the site (the file for top-level code).
    pub scope: (usize, usize),
}

/// Solves the whole tree. `env` holds values of environment variables found in configuration files
/// (`name → (value, "path:line")`).
pub fn solve(units: &[Unit], env: HashMap<String, (String, String)>) -> Vec<Request> {
    let ix = Index::new(units);
    let mut solver = Solver::new(&ix);
    solver.env = env;
    // Pass 1: every call site evaluated on its own; calls to user functions are recorded, so a wrapper
    // whose requests depend on its parameters is known to have callers.
    let mut per_site: Vec<(usize, usize, Vec<eval::Found>)> = Vec::new();
    for (u, unit) in units.iter().enumerate() {
        for (ci, call) in unit.facts.calls.iter().enumerate() {
            solver.reset_budget();
            let fr = solver.unbound(u, call.func);
            let found = solver.requests_at(u, ci, &fr);
            if !found.is_empty() {
                per_site.push((u, ci, found));
            }
        }
    }
    // A wrapper's open request is the callers' to report only when a caller's evaluation reached it.
    let called: HashSet<(usize, usize)> = solver
        .called
        .borrow()
        .iter()
        .filter(|&&(u, f)| {
            f > ix.facts(u).functions.len() || solver.delivered.borrow().contains(&(u, f))
        })
        .copied()
        .collect();
    let mut out = Vec::new();
    for (u, ci, found) in per_site {
        let unit = &units[u];
        let call = &unit.facts.calls[ci];
        for f in found {
            let rendered = f.url.render();
            let (host, rest, v2) = match value::v1_split(&rendered) {
                Some((h, r)) => (h, r, false),
                None => match value::v2_split(&rendered) {
                    Some((h, r)) => (h, r, true),
                    None => continue,
                },
            };
            let params: Vec<(usize, usize)> = f
                .url
                .pieces
                .iter()
                .filter_map(|p| match p {
                    value::Piece::Param(pu, pf, _) => Some((*pu, *pf)),
                    _ => None,
                })
                .collect();
            // A request whose URL waits for a caller is reported at the callers, unless there are none.
            let open_param = eval::wants_caller(&f);
            if open_param
                && params
                    .iter()
                    .any(|p| called.contains(p) || is_ctor_of_instantiated(&ix, &called, *p))
            {
                continue;
            }
            let mut trail = f.url.trail.clone();
            trail.extend(f.chain.iter().cloned());
            trail.dedup();
            out.push(Request {
                path: unit.path.clone(),
                line: call.call.line,
                column: call.call.column,
                end_line: call.call.end_line,
                stmt_line: call.stmt_line,
                host,
                rest,
                v2,
                methods: f.methods,
                trail,
                open_param,
                join_note: f.join_note,
                scope: {
                    let func = &unit.facts.functions[call.func];
                    (func.line, func.end_line)
                },
            });
        }
    }
    out.sort_by(|a, b| {
        (&a.path, a.line, a.column, &a.rest).cmp(&(&b.path, b.line, b.column, &b.rest))
    });
    out.dedup_by(|a, b| {
        a.path == b.path
            && a.line == b.line
            && a.column == b.column
            && a.rest == b.rest
            && a.methods == b.methods
    });
    out
}

/// The names through which files `fresh` (indexes into `units`) hand a V1 value to other files:
/// module-level names bound to a V1 URL, a client on one or an object holding one; functions and
/// classes whose code sends a request to a V1 host. Linking other files by these names (rather than by
/// every name a file defines) keeps generic names from making every file a candidate.
pub fn v1_names(units: &[Unit], fresh: &[usize]) -> Vec<(usize, String)> {
    let ix = Index::new(units);
    let solver = Solver::new(&ix);
    let mut out = Vec::new();
    let mut memo: HashMap<(usize, usize), bool> = HashMap::new();
    for &u in fresh {
        let facts = &units[u].facts;
        let module = solver.unbound(u, 0);
        for b in facts.bindings.iter() {
            if b.scope != crate::program::facts::Scope::Module {
                continue;
            }
            solver.reset_budget();
            if solver
                .eval(&b.value, &module)
                .iter()
                .any(|v| carries_v1(&solver, v, 2))
            {
                out.push((u, b.name.clone()));
            }
        }
        for (ci, call) in facts.calls.iter().enumerate() {
            solver.reset_budget();
            let fr = solver.unbound(u, call.func);
            let v1 = solver
                .requests_at(u, ci, &fr)
                .iter()
                .any(|f| value::v1_split(&f.url.render()).is_some());
            if !v1 {
                continue;
            }
            // The outermost named function holding the call, and its class.
            let mut f = call.func;
            while let Some(p) = facts.functions[f].parent.filter(|&p| p != 0) {
                f = p;
            }
            let func = &facts.functions[f];
            if f != 0 && !func.name.is_empty() {
                out.push((u, func.name.clone()));
            }
            if let Some(c) = func.class {
                out.push((u, facts.classes[c].name.clone()));
            }
            if f == 0 {
                out.push((u, String::new()));
            }
        }
        for (c, class) in facts.classes.iter().enumerate() {
            // A class hands on V1 when it or an ancestor does (`class Tags extends Resource`).
            let carries = std::iter::once((u, c))
                .chain(solver.ancestors(u, c))
                .take(8)
                .any(|(cu, cc)| class_carries(&solver, &mut memo, cu, cc));
            if carries {
                out.push((u, class.name.clone()));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether a class's members hold a V1 value or its methods send a request to a V1 host.
fn class_carries(
    solver: &Solver,
    memo: &mut HashMap<(usize, usize), bool>,
    u: usize,
    c: usize,
) -> bool {
    if let Some(&b) = memo.get(&(u, c)) {
        return b;
    }
    memo.insert((u, c), false);
    let facts = solver.ix.facts(u);
    let class = value::Val::Class(u, c);
    // By name, once: `attr_of` evaluates every assignment of a member, and a member assigned in many
    // methods (`items = …` in each handler) is otherwise evaluated whole once per assignment.
    let names: std::collections::BTreeSet<&str> = facts
        .bindings
        .iter()
        .filter(|b| b.scope == crate::program::facts::Scope::Class(c))
        .map(|b| b.name.as_str())
        .collect();
    let members = names.into_iter().any(|name| {
        solver.reset_budget();
        solver
            .attr_of(&class, name)
            .iter()
            .any(|v| carries_v1(solver, v, 1))
    });
    let sends = members
        || facts.calls.iter().enumerate().any(|(ci, call)| {
            facts.functions[call.func].class == Some(c) && {
                solver.reset_budget();
                let fr = solver.unbound(u, call.func);
                solver
                    .requests_at(u, ci, &fr)
                    .iter()
                    .any(|f| value::v1_split(&f.url.render()).is_some())
            }
        });
    memo.insert((u, c), sends);
    sends
}

fn carries_v1(solver: &Solver, v: &value::Val, depth: usize) -> bool {
    match v {
        value::Val::Str(t) => value::v1_split(&t.render()).is_some(),
        value::Val::Client(c) => c
            .base
            .as_ref()
            .is_some_and(|b| value::v1_split(&b.render()).is_some()),
        value::Val::Obj(fields, _) if depth > 0 => fields.iter().any(|(k, _)| {
            solver
                .attr_of(v, k)
                .iter()
                .any(|x| carries_v1(solver, x, depth - 1))
        }),
        _ => false,
    }
}

fn is_ctor_of_instantiated(
    ix: &Index,
    called: &HashSet<(usize, usize)>,
    (u, f): (usize, usize),
) -> bool {
    let func = &ix.facts(u).functions[f];
    func.is_constructor
        && func
            .class
            .is_some_and(|c| called.contains(&(u, usize::MAX - c)))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::scan::lang::Lang;
    use std::path::Path;

    /// Parses synthetic files (path, source) and solves them.
    pub fn solve_files(files: &[(&str, &str)]) -> Vec<Request> {
        let units: Vec<Unit> = files
            .iter()
            .filter_map(|(p, src)| {
                let lang = Lang::detect(Path::new(p), src.as_bytes())?;
                Some(Unit {
                    path: p.to_string(),
                    lang,
                    facts: crate::program::parse::facts(lang, p, src)?,
                })
            })
            .collect();
        if std::env::var("GHL_DEBUG_FACTS").is_ok() {
            for u in &units {
                eprintln!("{u:#?}");
            }
        }
        solve(&units, HashMap::new())
    }

    /// `(line, methods, rest)` per request.
    pub fn sites(files: &[(&str, &str)]) -> Vec<(usize, String, String)> {
        solve_files(files)
            .into_iter()
            .map(|r| {
                let m: Vec<&str> = r.methods.iter().map(|m| m.0.as_str()).collect();
                (r.line, m.join("|"), r.rest)
            })
            .collect()
    }

    #[test]
    fn python_wrapper_attribute_and_format() {
        let py = r#"import requests
BASE = "https://rest.gohighlevel.com/v1"

class GHL:
    def __init__(self, key, root=BASE):
        self.key = key
        self.root = root
        self.tasks_url = self.root + "/contacts/{}/tasks"

    def _request(self, endpoint, method="GET", data=None):
        url = f"{self.root}/{endpoint}"
        return requests.request(method, url, json=data)

    def get_contact(self, cid):
        return self._request(f"contacts/{cid}")

    def create_contact(self, body):
        return self._request("contacts/", method="POST", data=body)

    def add_task(self, cid, t):
        return requests.post(url=self.tasks_url.format(cid), json=t)
"#;
        assert_eq!(
            sites(&[("ghl.py", py)]),
            [
                (15, "GET".into(), "/v1/contacts/{cid}".into()),
                (18, "POST".into(), "/v1/contacts/".into()),
                (21, "POST".into(), "/v1/contacts/{cid}/tasks".into()),
            ]
        );
    }
}

#[cfg(test)]
mod debug_tests {
    #[test]
    #[ignore]
    fn dump() {
        let dir = std::env::var("GHL_DUMP_DIR").unwrap();
        let files: Vec<(String, String)> = walkdir::WalkDir::new(&dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file() && !e.path().ends_with("expected.calls"))
            .map(|e| {
                (
                    e.path()
                        .strip_prefix(&dir)
                        .unwrap()
                        .to_string_lossy()
                        .to_string(),
                    std::fs::read_to_string(e.path()).unwrap(),
                )
            })
            .collect();
        let refs: Vec<(&str, &str)> = files
            .iter()
            .map(|(a, b)| (a.as_str(), b.as_str()))
            .collect();
        for r in super::tests::solve_files(&refs) {
            eprintln!("{r:?}");
        }
    }
}
