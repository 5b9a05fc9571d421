//! The V1 → V2 rule table: one rule per V1 endpoint (method + path template), saying where it goes in V2,
//! which scopes it needs, and what else a developer must change. Rules are YAML data under `rules/`,
//! compiled into the binary; `--rules DIR` replaces them with a user's own directory.
mod check;
pub(crate) mod load;
mod model;

pub use check::check;
pub use load::{Diagnostic, LoadError, Severity, load_dir, load_embedded, parse_files};
pub use model::*;

use crate::pathmatch::PathMatcher;
use std::collections::HashMap;

/// A loaded, indexed rule table.
pub struct RuleSet {
    rules: Vec<Rule>,
    by_id: HashMap<String, usize>,
    matcher: PathMatcher,
    /// Where the rules came from ("embedded" or a directory), for reports.
    pub origin: String,
}

impl RuleSet {
    /// Builds the index and path matcher over already validated rules.
    pub fn new(rules: Vec<Rule>, origin: impl Into<String>) -> RuleSet {
        let by_id = rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        let matcher = PathMatcher::new(
            rules
                .iter()
                .enumerate()
                .map(|(i, r)| (i, r.v1.method, r.v1.path.as_str())),
        );
        RuleSet {
            rules,
            by_id,
            matcher,
            origin: origin.into(),
        }
    }

    /// The rule table compiled into the binary.
    pub fn embedded() -> RuleSet {
        let rules = load_embedded().expect("embedded rules are valid (checked by tests)");
        RuleSet::new(rules, "embedded")
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.by_id.get(id).map(|&i| &self.rules[i])
    }

    pub fn matcher(&self) -> &PathMatcher {
        &self.matcher
    }

    /// Index → rule, for matcher results.
    pub fn at(&self, index: usize) -> &Rule {
        &self.rules[index]
    }
}
