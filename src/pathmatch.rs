//! Turning a path as code writes it into segments, and finding the rule for it.
//!
//! Code writes the same endpoint in many ways: `/v1/contacts/${id}`, `'/contacts/' . $id`,
//! `/contacts/{{contactId}}`, `f"/contacts/{cid}/tasks"`, `:id`, `%s`, with or without a trailing slash
//! or a query string. [`normalize`] reduces all of them to literal segments and placeholders;
//! [`PathMatcher`] is a segment trie over the rule templates (one walk per lookup, literal segments
//! preferred over parameters, so `/v1/contacts/lookup` beats `/v1/contacts/{id}`).
use crate::method::Method;
use std::collections::HashMap;
use std::fmt;

/// One path segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A literal segment, lower-cased.
    Lit(String),
    /// A segment built at run time (a variable, an expression, a template parameter).
    Param,
}

/// A path reduced to segments. `/v1/contacts/${id}?x=1` → `[v1, contacts, *]`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NormalizedPath {
    pub segments: Vec<Seg>,
    /// The written path had a query string or fragment (dropped).
    pub had_query: bool,
}

impl NormalizedPath {
    /// The first segment, if it is a literal.
    pub fn first_literal(&self) -> Option<&str> {
        match self.segments.first() {
            Some(Seg::Lit(s)) => Some(s),
            _ => None,
        }
    }

    /// Prefix `/v1` (for paths written relative to a base URL that ends in `/v1`).
    pub fn with_v1_prefix(&self) -> NormalizedPath {
        let mut segments = vec![Seg::Lit("v1".into())];
        segments.extend(self.segments.iter().cloned());
        NormalizedPath {
            segments,
            had_query: self.had_query,
        }
    }
}

impl fmt::Display for NormalizedPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.segments.is_empty() {
            return f.write_str("/");
        }
        for s in &self.segments {
            match s {
                Seg::Lit(l) => write!(f, "/{l}")?,
                Seg::Param => f.write_str("/{}")?,
            }
        }
        Ok(())
    }
}

/// Stands in for any run-time part of a path once it has been recognised.
const HOLE: char = '\u{1}';

/// Reduces a path or URL, as written in code, to segments. See the module docs for the forms understood.
pub fn normalize(raw: &str) -> NormalizedPath {
    let masked = mask_placeholders(strip_string_prefix(raw.trim_start()));
    let mut s = masked
        .trim()
        .trim_matches(|c: char| matches!(c, '\'' | '"' | '`'))
        .trim();
    // Drop scheme and host.
    if let Some(i) = s.find("://") {
        // The host ends at the path, or at a query/fragment when there is no path.
        s = &s[i + 3..];
        s = s.find(['/', '?', '#']).map_or("", |j| &s[j..]);
    } else if let Some(rest) = s.strip_prefix("//") {
        s = rest.find(['/', '?', '#']).map_or("", |j| &rest[j..]);
    } else if !s.starts_with('/') {
        // A bare host such as `rest.gohighlevel.com/v1/contacts`.
        let first = s.split('/').next().unwrap_or("");
        if looks_like_host(first) {
            s = &s[first.len()..];
        }
    }
    let mut had_query = false;
    if let Some(i) = s.find(['?', '#']) {
        had_query = true;
        s = &s[..i];
    }
    let segments = s
        .split('/')
        .map(str::trim)
        .filter(|seg| !seg.is_empty())
        .map(|seg| {
            // A query written into the path (`startDate=…&endDate=…`) stays literal, so that it is seen
            // for what it is rather than taken for an id.
            let query_like = seg.contains('=')
                && !seg.starts_with(['=', '{', '$', ':'])
                && seg
                    .chars()
                    .all(|c| is_literal_char(c) || c == '=' || c == '&' || c == HOLE);
            if !query_like
                && (seg.starts_with(':') || seg == "*" || !seg.chars().all(is_literal_char))
            {
                Seg::Param
            } else if query_like {
                // Holes (`\u{1}` from templates, `${x}`, `{x}`) read as `{}`.
                let shown: String = seg
                    .replace('\u{1}', "{}")
                    .chars()
                    .filter(|c| !c.is_control())
                    .collect();
                Seg::Lit(shown.to_ascii_lowercase())
            } else {
                Seg::Lit(seg.to_ascii_lowercase())
            }
        })
        .collect();
    NormalizedPath {
        segments,
        had_query,
    }
}

/// Drops a language's string-literal prefix: Python `f"…"`/`rb"…"`, C# `$"…"`/`@"…"`/`$@"…"`.
fn strip_string_prefix(s: &str) -> &str {
    let quote_at = s.find(['"', '\'']).unwrap_or(0);
    let prefix = &s[..quote_at];
    let is_prefix = (1..=2).contains(&prefix.len())
        && prefix
            .chars()
            .all(|c| matches!(c, 'f' | 'F' | 'r' | 'R' | 'b' | 'B' | 'u' | 'U' | '@' | '$'));
    if is_prefix { &s[quote_at..] } else { s }
}

fn is_literal_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '~' | '%')
}

fn looks_like_host(s: &str) -> bool {
    let host = s.split(':').next().unwrap_or("");
    host.contains('.')
        && host
            .split('.')
            .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && host
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.chars().all(|c| c.is_ascii_alphabetic()))
}

/// Replaces template placeholders and interpolations with [`HOLE`] so that `/`, `?` and `#` inside them
/// do not split or cut the path.
fn mask_placeholders(raw: &str) -> String {
    let b: Vec<char> = raw.chars().collect();
    let mut out = String::with_capacity(raw.len());
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        match c {
            // ${expr}  #{expr}  {{expr}}  {expr}
            '$' | '#' if next == Some('{') => {
                i = skip_braced(&b, i + 1);
                out.push(HOLE);
            }
            '{' => {
                i = skip_braced(&b, i);
                out.push(HOLE);
            }
            // $name, $obj->prop, $arr['k'], $this.x (PHP, shell, Dart, Perl)
            '$' if next.is_some_and(|n| n.is_alphabetic() || n == '_') => {
                i += 1;
                loop {
                    while i < b.len() && (b[i].is_alphanumeric() || b[i] == '_') {
                        i += 1;
                    }
                    if i + 1 < b.len() && b[i] == '-' && b[i + 1] == '>' {
                        i += 2;
                    } else if i < b.len() && b[i] == '[' {
                        while i < b.len() && b[i] != ']' {
                            i += 1;
                        }
                        i = (i + 1).min(b.len());
                    } else {
                        break;
                    }
                }
                out.push(HOLE);
            }
            // printf-style: %s %d %v %(name)s — but keep percent-encoding such as %20.
            '%' => {
                let hex2 = matches!((next, b.get(i + 2)), (Some(x), Some(y)) if x.is_ascii_hexdigit() && y.is_ascii_hexdigit());
                if next == Some('(') {
                    while i < b.len() && b[i] != ')' {
                        i += 1;
                    }
                    i = (i + 2).min(b.len());
                    out.push(HOLE);
                } else if !hex2 && next.is_some_and(|n| "sdifvquxXo@".contains(n)) {
                    i += 2;
                    out.push(HOLE);
                } else {
                    out.push(c);
                    i += 1;
                }
            }
            // <contactId> in docs
            '<' => {
                let close = b[i..].iter().position(|&x| x == '>');
                match close {
                    Some(k)
                        if k > 1
                            && b[i + 1..i + k]
                                .iter()
                                .all(|x| x.is_alphanumeric() || *x == '_' || *x == '-') =>
                    {
                        i += k + 1;
                        out.push(HOLE);
                    }
                    _ => {
                        out.push(c);
                        i += 1;
                    }
                }
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// From an opening `{` at `start`, returns the index after its matching `}` (or the end).
fn skip_braced(b: &[char], start: usize) -> usize {
    let mut depth = 0usize;
    let mut i = start;
    while i < b.len() {
        match b[i] {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    return i + 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// Parses a rule template (`/v1/contacts/{contactId}/`) into segments.
pub fn template_segments(template: &str) -> Vec<Seg> {
    template
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| {
            if s.starts_with('{') {
                Seg::Param
            } else {
                Seg::Lit(s.to_ascii_lowercase())
            }
        })
        .collect()
}

#[derive(Default)]
struct Node {
    lit: HashMap<String, usize>,
    param: Option<usize>,
    /// (V1 method, rule index) of templates ending here.
    ends: Vec<(Method, usize)>,
}

/// What a lookup found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Exactly one rule.
    Rule(usize),
    /// The path matches, but the method is unknown and several rules share the path.
    Ambiguous(Vec<usize>),
    /// The path matches rules, none with this method.
    MethodMismatch(Vec<usize>),
    /// No rule template matches the path.
    NoPath,
}

/// A segment trie over V1 rule templates.
pub struct PathMatcher {
    nodes: Vec<Node>,
}

impl PathMatcher {
    /// Builds the trie from (rule index, V1 method, V1 template).
    pub fn new<'a>(templates: impl IntoIterator<Item = (usize, Method, &'a str)>) -> PathMatcher {
        let mut m = PathMatcher {
            nodes: vec![Node::default()],
        };
        for (idx, method, tpl) in templates {
            let mut n = 0;
            for seg in template_segments(tpl) {
                n = match seg {
                    Seg::Lit(l) => match m.nodes[n].lit.get(&l) {
                        Some(&c) => c,
                        None => {
                            m.nodes.push(Node::default());
                            let c = m.nodes.len() - 1;
                            m.nodes[n].lit.insert(l, c);
                            c
                        }
                    },
                    Seg::Param => match m.nodes[n].param {
                        Some(c) => c,
                        None => {
                            m.nodes.push(Node::default());
                            let c = m.nodes.len() - 1;
                            m.nodes[n].param = Some(c);
                            c
                        }
                    },
                };
            }
            m.nodes[n].ends.push((method, idx));
        }
        m
    }

    /// Terminal nodes matching `path`, most specific first (literal segments before parameters,
    /// compared left to right).
    fn matches(&self, path: &NormalizedPath) -> Vec<usize> {
        let mut out = Vec::new();
        self.walk(0, &path.segments, &mut out);
        out
    }

    fn walk(&self, n: usize, rest: &[Seg], out: &mut Vec<usize>) {
        let node = &self.nodes[n];
        let Some((first, tail)) = rest.split_first() else {
            if !node.ends.is_empty() {
                out.push(n);
            }
            return;
        };
        if let Seg::Lit(l) = first
            && let Some(&c) = node.lit.get(l)
        {
            self.walk(c, tail, out);
        }
        if let Some(c) = node.param {
            self.walk(c, tail, out);
        }
    }

    /// Terminal nodes reachable when a dynamic segment may also stand for a literal one
    /// (`/v1/calendars/${type}` could be `teams` or `services`).
    fn wildcard_matches(&self, n: usize, rest: &[Seg], out: &mut Vec<usize>) {
        let node = &self.nodes[n];
        let Some((first, tail)) = rest.split_first() else {
            if !node.ends.is_empty() {
                out.push(n);
            }
            return;
        };
        match first {
            Seg::Lit(l) => {
                if let Some(&c) = node.lit.get(l) {
                    self.wildcard_matches(c, tail, out);
                }
            }
            Seg::Param => {
                for &c in node.lit.values() {
                    self.wildcard_matches(c, tail, out);
                }
            }
        }
        if let Some(c) = node.param {
            self.wildcard_matches(c, tail, out);
        }
    }

    /// Finds the rule for `method` (None when the code does not say) and `path`.
    pub fn lookup(&self, method: Option<Method>, path: &NormalizedPath) -> Lookup {
        let found = self.matches(path);
        let Some(&best) = found.first() else {
            // A dynamic segment where V1 has only literal ones: say which rules it could be.
            let mut wild = Vec::new();
            self.wildcard_matches(0, &path.segments, &mut wild);
            let mut ids: Vec<usize> = wild
                .iter()
                .flat_map(|&n| self.nodes[n].ends.iter())
                .filter(|(m, _)| method.is_none_or(|want| *m == want || *m == Method::Any))
                .map(|&(_, i)| i)
                .collect();
            ids.sort_unstable();
            ids.dedup();
            return if ids.is_empty() {
                Lookup::NoPath
            } else {
                Lookup::Ambiguous(ids)
            };
        };
        match method {
            Some(m) => {
                for &n in &found {
                    let ends = &self.nodes[n].ends;
                    if let Some(&(_, idx)) = ends.iter().find(|(rm, _)| *rm == m) {
                        return Lookup::Rule(idx);
                    }
                    if let Some(&(_, idx)) = ends.iter().find(|(rm, _)| *rm == Method::Any) {
                        return Lookup::Rule(idx);
                    }
                }
                Lookup::MethodMismatch(self.nodes[best].ends.iter().map(|&(_, i)| i).collect())
            }
            None => {
                let ends = &self.nodes[best].ends;
                if ends.len() == 1 {
                    Lookup::Rule(ends[0].1)
                } else {
                    Lookup::Ambiguous(ends.iter().map(|&(_, i)| i).collect())
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::RuleSet;

    fn segs(p: &str) -> String {
        normalize(p).to_string()
    }

    #[test]
    fn normalises_the_ways_code_writes_paths() {
        let cases = [
            ("/v1/contacts/", "/v1/contacts"),
            ("/v1/contacts", "/v1/contacts"),
            (
                "https://rest.gohighlevel.com/v1/contacts/?limit=20",
                "/v1/contacts",
            ),
            (
                "http://rest.gohighlevel.com/v1/contacts/lookup?email=a@b.c",
                "/v1/contacts/lookup",
            ),
            ("rest.gohighlevel.com/v1/pipelines/", "/v1/pipelines"),
            ("//rest.gohighlevel.com/v1/tags", "/v1/tags"),
            ("/v1/contacts/${id}", "/v1/contacts/{}"),
            (
                "/v1/contacts/${contact.id}/tasks/${task?.id ?? 'x'}",
                "/v1/contacts/{}/tasks/{}",
            ),
            (
                "`/v1/contacts/${encodeURIComponent(id)}/notes/`",
                "/v1/contacts/{}/notes",
            ),
            ("'/contacts/' . $id", "/contacts/{}"),
            ("'/contacts/' . $id . '/notes/'", "/contacts/{}/notes"),
            (
                "\"/contacts/\" + contactId + \"/tasks\"",
                "/contacts/{}/tasks",
            ),
            ("/contacts/{{contactId}}", "/contacts/{}"),
            (
                "{{baseUrl}}/v1/contacts/{{ $json.id }}",
                "/{}/v1/contacts/{}",
            ),
            ("f\"/contacts/{cid}/tasks\"", "/contacts/{}/tasks"),
            ("$\"/v1/contacts/{id}/notes\"", "/v1/contacts/{}/notes"),
            ("@\"/v1/contacts/\"", "/v1/contacts"),
            ("/contacts/{cid}/tasks", "/contacts/{}/tasks"),
            (
                "/contacts/:contactId/tasks/:taskId",
                "/contacts/{}/tasks/{}",
            ),
            ("/v1/contacts/%s", "/v1/contacts/{}"),
            ("/v1/contacts/%(contact_id)s/notes", "/v1/contacts/{}/notes"),
            ("/v1/contacts/%d", "/v1/contacts/{}"),
            ("/v1/contacts/a%20b", "/v1/contacts/a%20b"),
            ("/v1/contacts/$contactId/notes", "/v1/contacts/{}/notes"),
            ("/v1/contacts/$this->contactId", "/v1/contacts/{}"),
            ("/v1/contacts/{$contact['id']}", "/v1/contacts/{}"),
            ("/v1/contacts/#{contact_id}/tasks", "/v1/contacts/{}/tasks"),
            ("/v1/contacts/<contactId>", "/v1/contacts/{}"),
            ("/v1/contacts/abc123XYZ", "/v1/contacts/abc123xyz"),
            ("/V1/Contacts/", "/v1/contacts"),
            ("/v1//contacts//", "/v1/contacts"),
            ("/v1/contacts/${a/b}?x=${y}", "/v1/contacts/{}"),
            ("/v1/contacts#frag", "/v1/contacts"),
            ("/v1/contacts/*", "/v1/contacts/{}"),
            ("   /v1/contacts  ", "/v1/contacts"),
            (
                "=https://rest.gohighlevel.com/v1/contacts/{{$json.contact_id}}",
                "/v1/contacts/{}",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(segs(input), want, "input {input:?}");
        }
    }

    #[test]
    fn query_is_reported() {
        assert!(normalize("/v1/contacts?x=1").had_query);
        assert!(!normalize("/v1/contacts").had_query);
        assert!(normalize("https://rest.gohighlevel.com?x=1").had_query);
    }

    fn lookup(method: Option<Method>, path: &str) -> Option<String> {
        let rs = RuleSet::embedded();
        match rs.matcher().lookup(method, &normalize(path)) {
            Lookup::Rule(i) => Some(rs.at(i).id.clone()),
            _ => None,
        }
    }

    #[test]
    fn finds_rules_for_real_shapes() {
        let g = Some(Method::Get);
        let p = Some(Method::Post);
        let u = Some(Method::Put);
        let d = Some(Method::Delete);
        let cases: &[(Option<Method>, &str, &str)] = &[
            (g, "/v1/contacts/", "contacts.list"),
            (
                g,
                "https://rest.gohighlevel.com/v1/contacts?limit=100&query=x",
                "contacts.list",
            ),
            (p, "/v1/contacts", "contacts.create"),
            (g, "/v1/contacts/lookup?email=x", "contacts.lookup"),
            (g, "/v1/contacts/${id}", "contacts.get"),
            (u, "/v1/contacts/' . $contact_id . '", "contacts.update"),
            (d, "/v1/contacts/{{contactId}}", "contacts.delete"),
            (g, "/v1/contacts/abc123def456ghi789/tasks/", "tasks.list"),
            (p, "/v1/contacts/${id}/tasks", "tasks.create"),
            (u, "/v1/contacts/:cid/tasks/:tid/status", "tasks.status"),
            (p, "/v1/contacts/{cid}/tags/", "contacts.tags.add"),
            (d, "/v1/contacts/{cid}/tags", "contacts.tags.remove"),
            (
                d,
                "/v1/contacts/%s/campaigns/remove-all",
                "contacts.campaigns.remove_all",
            ),
            (
                d,
                "/v1/contacts/%s/campaigns/%s",
                "contacts.campaigns.remove",
            ),
            (p, "/v1/contacts/$id/workflow/$wf", "contacts.workflow.add"),
            (g, "/v1/pipelines/", "pipelines.list"),
            (
                g,
                "/v1/pipelines/${pipelineId}/opportunities?limit=20",
                "opportunities.list",
            ),
            (
                p,
                "/v1/pipelines/${pipelineId}/opportunities/",
                "opportunities.create",
            ),
            (
                u,
                "/v1/pipelines/${p}/opportunities/${o}/status",
                "opportunities.status",
            ),
            (g, "/v1/custom-values/", "custom_values.list"),
            (g, "/v1/calendars/teams", "calendars.teams.list"),
            (
                g,
                "/v1/calendars/check-slug-availability/my-slug",
                "calendars.teams.check_slug",
            ),
            (
                g,
                "/v1/appointments/slots?calendarId=x",
                "appointments.slots",
            ),
            (g, "/v1/appointments/${id}", "appointments.get"),
            (g, "/v1/users/location", "users.location"),
            (g, "/v1/users/lookup?email=x", "users.lookup"),
            (g, "/v1/users/${id}", "users.get"),
            (g, "/v1/locations/lookup?email=x", "locations.lookup"),
            (
                g,
                "/v1/locations/me?includeWhiteLabelUrl=true",
                "locations.me",
            ),
            (
                u,
                "/v1/locations/${id}/load-snapshot/${snap}",
                "locations.load_snapshot",
            ),
            (g, "/v1/saas/locations", "saas.locations"),
            (g, "/v1/funnels/?includeDomainId=true", "funnels.list"),
            (g, "/v1/funnels/${f}/pages/", "funnels.pages.list"),
            (
                p,
                "/v1/conversations/messages",
                "conversations.messages.send",
            ),
            (p, "/v1/workflows/trigger", "workflows.trigger_body"),
            (g, "/v1/workflows/${id}", "workflows.get"),
            (p, "/v1/emails", "emails.any"),
            (
                g,
                "/v1/locations/${id}/custom-fields",
                "locations.subresource",
            ),
        ];
        for (m, path, want) in cases {
            assert_eq!(lookup(*m, path).as_deref(), Some(*want), "{m:?} {path}");
        }
    }

    #[test]
    fn unknown_method_picks_the_only_rule_or_reports_ambiguity() {
        let rs = RuleSet::embedded();
        let m = rs.matcher();
        assert!(matches!(
            m.lookup(None, &normalize("/v1/contacts/lookup")),
            Lookup::Rule(_)
        ));
        match m.lookup(None, &normalize("/v1/contacts/${id}")) {
            Lookup::Ambiguous(v) => assert_eq!(v.len(), 3),
            other => panic!("{other:?}"),
        }
        assert_eq!(m.lookup(None, &normalize("/v1/nope")), Lookup::NoPath);
        // A dynamic segment standing where V1 has literal ones.
        match m.lookup(Some(Method::Get), &normalize("/v1/calendars/${type}")) {
            Lookup::Ambiguous(v) => {
                let ids: Vec<&str> = v.iter().map(|&i| rs.at(i).id.as_str()).collect();
                assert!(
                    ids.contains(&"calendars.teams.list")
                        && ids.contains(&"calendars.services.list"),
                    "{ids:?}"
                );
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            m.lookup(Some(Method::Patch), &normalize("/v1/contacts/x")),
            Lookup::MethodMismatch(_)
        ));
        // A dynamic segment matches only a parameter, never a literal.
        assert_eq!(
            lookup(Some(Method::Get), "/v1/contacts/${what}").as_deref(),
            Some("contacts.get")
        );
    }
}
