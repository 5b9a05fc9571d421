//! Per-file extraction: from one file's text to findings, the names it gives to HighLevel base URLs, and
//! the calls whose base is defined in another file (resolved once the whole tree is read).
use super::finding::{Confidence, Context, Finding, Kind, V2Ref};
use super::lang::{Lang, Role};
use super::lexer::{self, Lexed, Part, StrLit};
use super::lines::LineIndex;
use super::url::{self, HostKind};
use super::{method, names, secrets};
use crate::pathmatch::{Lookup, NormalizedPath, Seg, normalize};
use crate::rules::RuleSet;

/// What a name is bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BaseValue {
    /// A V1 base URL; `has_v1` when it already ends in `/v1`.
    V1 { host: String, has_v1: bool },
    /// A V2 base URL: paths under it are not V1.
    V2,
    /// Anything else.
    Other,
}

/// A name bound to a value somewhere in the tree.
#[derive(Debug, Clone)]
pub struct Def {
    /// Canonical name ([`names::canonical`]).
    pub key: String,
    pub name: String,
    pub value: BaseValue,
    pub path: String,
    pub line: usize,
    /// Defined in source code (not in .env/YAML config).
    pub in_code: bool,
}

impl Def {
    /// The base is a V1 one.
    pub fn is_v1(&self) -> bool {
        matches!(self.value, BaseValue::V1 { .. })
    }

    /// A V1 client configured in code (`axios.create({ baseURL })`): what bare request options
    /// (`{ url: '/contacts' }`) below it resolve against.
    pub fn configures_v1_client(&self) -> bool {
        self.in_code && names::is_base_key(&self.key) && self.is_v1()
    }
}

/// A call whose base URL is a name not defined in its own file.
#[derive(Debug, Clone)]
pub struct Pending {
    pub finding: Finding,
    /// Canonical name of the base expression (`${BASE}/x`) or the client receiver (`api.get('/x')`).
    pub key: String,
    pub name: String,
    pub via_receiver: bool,
    /// The written path after the base.
    pub rest: String,
    /// The base expression reads an env var / config setting (links to `.env` and config files).
    pub env_ref: bool,
    /// Module stems the file imports (see [`names::imports`]): links to the files defining names.
    pub imports: std::sync::Arc<Vec<String>>,
    /// The language declares package-level names visible across files of a directory (Go, Java, C#…).
    pub package_scope: bool,
}

#[derive(Debug, Default)]
pub struct FileScan {
    pub findings: Vec<Finding>,
    pub defs: Vec<Def>,
    pub pending: Vec<Pending>,
    /// Code reading credential settings (`process.env.GHL_API_KEY`), linked to their config later.
    pub reads: Vec<super::settings::Read>,
    /// Inline suppressions (`ghl-migrate: ignore[…] why`), applied once every finding is known.
    pub inline: Vec<super::markers::Inline>,
}

/// Languages whose files see package-level names of their directory without an import (Go, Java,
/// C#…): a call there may use a base defined in a neighbouring file.
pub fn package_scoped(lang: Lang) -> bool {
    matches!(
        lang,
        Lang::Go
            | Lang::Java
            | Lang::Kotlin
            | Lang::CSharp
            | Lang::Swift
            | Lang::Rust
            | Lang::CFamily
    )
}

/// Extracts everything from one file. `rel` is the path shown in reports.
pub fn extract(rel: &str, src: &str, lang: Lang, rules: &RuleSet) -> FileScan {
    let li = LineIndex::new(src);
    let imports = std::sync::Arc::new(if lang.role() == Role::Code {
        names::imports(src)
    } else {
        Vec::new()
    });
    let mut cx = Cx {
        imports,
        rel,
        src,
        lang,
        rules,
        li,
        out: FileScan::default(),
        v1_base_in_file: false,
        defs: DefIndex::default(),
    };
    match lang.role() {
        Role::Docs => cx.docs(),
        Role::Config if matches!(lang, Lang::Env | Lang::Ini | Lang::Toml | Lang::Yaml) => {
            cx.config_lines()
        }
        _ => {
            let lexed = cx.lex();
            cx.code(&lexed);
            if lang.role() == Role::Code {
                super::platform::check(rel, src, &cx.li, lang.name(), &mut cx.out.findings);
                if matches!(lang, Lang::JavaScript | Lang::TypeScript) {
                    super::pipedream::check(rel, src, &cx.li, lang.name(), &mut cx.out.findings);
                }
            }
        }
    }
    super::prose::demote(&mut cx.out.findings, &cx.li);
    // Every kind of file can hold markers and suppressions (`#`, `//`, `<!-- -->` comments).
    cx.out.inline = super::markers::find(rel, src, &cx.li, lang.name(), &mut cx.out.findings);
    let raw = cx.secrets();
    if lang.role() == Role::Config {
        cx.credential_settings();
    } else if lang.role() == Role::Code {
        cx.out.reads = super::settings::reads(rel, src);
    }
    pit_with_v1(&mut cx.out.findings);
    // A key recognised by use may also appear elsewhere on a line in a form the line redactor does not
    // know: scrub every raw value found in this file from every snippet (still whole lines here), then cut.
    let scrubber = secrets::Scrubber::new(&raw);
    let finish = |f: &mut Finding| f.snippet = truncate(&scrubber.scrub(&f.snippet));
    cx.out.findings.iter_mut().for_each(finish);
    cx.out
        .pending
        .iter_mut()
        .for_each(|p| finish(&mut p.finding));
    cx.out
}

struct Cx<'a> {
    rel: &'a str,
    src: &'a str,
    lang: Lang,
    rules: &'a RuleSet,
    li: LineIndex<'a>,
    out: FileScan,
    v1_base_in_file: bool,
    imports: std::sync::Arc<Vec<String>>,
    /// `out.defs` by name, so that each reference costs a lookup, not a pass over every definition
    /// (a minified bundle defines thousands).
    defs: DefIndex,
}

/// Indices of a file's definitions: by canonical name, each list ordered by line (ties in the order
/// found), plus what relative paths ask of all of them.
#[derive(Default)]
struct DefIndex {
    by_key: std::collections::HashMap<String, Vec<usize>>,
    /// The first V1 base defined.
    first_v1: Option<usize>,
    /// Some client base that is not V1 is defined (a relative path then belongs to it).
    other_base: bool,
}

/// One string literal seen as a request candidate.
struct Lit<'l> {
    lit: &'l StrLit,
    template: String,
}

impl<'l> Lit<'l> {
    fn all(strings: &'l [StrLit]) -> Vec<Lit<'l>> {
        strings
            .iter()
            .map(|l| Lit {
                lit: l,
                template: l.template(),
            })
            .collect()
    }
}

impl<'a> Cx<'a> {
    /// Languages whose top-level names are shared by every file of a directory (package).
    fn package_scope(&self) -> bool {
        package_scoped(self.lang)
    }

    /// Records a definition (every definition goes through here, to keep the index whole).
    fn add_def(&mut self, d: Def) {
        let i = self.out.defs.len();
        let v1 = matches!(d.value, BaseValue::V1 { .. });
        if v1 && self.defs.first_v1.is_none() {
            self.defs.first_v1 = Some(i);
        }
        if !v1 && names::is_base_key(&d.key) {
            self.defs.other_base = true;
        }
        let list = self.defs.by_key.entry(d.key.clone()).or_default();
        let defs = &self.out.defs;
        let at = list.partition_point(|&j| defs[j].line <= d.line);
        list.insert(at, i);
        self.out.defs.push(d);
    }

    /// The definition of `key` nearest before `line` (the first of that line), else the first after it.
    fn nearest_def(&self, key: &str, line: usize) -> Option<&Def> {
        let list = self.defs.by_key.get(key)?;
        let defs = &self.out.defs;
        let after = list.partition_point(|&j| defs[j].line <= line);
        let pick = match after.checked_sub(1) {
            Some(b) => {
                let l = defs[list[b]].line;
                list[list.partition_point(|&j| defs[j].line < l)]
            }
            None => *list.get(after)?,
        };
        Some(&defs[pick])
    }

    /// The last definition of `key` at or before `line`.
    fn last_def_before(&self, key: &str, line: usize) -> Option<&Def> {
        let list = self.defs.by_key.get(key)?;
        let defs = &self.out.defs;
        let after = list.partition_point(|&j| defs[j].line <= line);
        Some(&defs[list[after.checked_sub(1)?]])
    }

    fn lex(&self) -> Lexed {
        let mut lexed = lexer::lex(self.src, self.lang);
        if self.lang == Lang::Rust
            && let Some(strings) = super::rust_syn::strings(self.src)
        {
            lexed.strings = strings;
        }
        lexed
    }

    fn base_context(&self) -> Context {
        match self.lang.role() {
            Role::Code => Context::Code,
            Role::Config | Role::Data => Context::Config,
            Role::Docs => Context::Docs,
        }
    }

    fn finding(&self, kind: Kind, off: usize, context: Context) -> Finding {
        let line = self.li.line(off);
        let mut f = Finding::new(kind, self.rel, line, self.li.column(off), context);
        // The window around the finding, redacted; cut to length once the file's secrets are known (see
        // `extract`). Never the whole of a long line: each finding costs its window, not its line.
        let at = off.saturating_sub(self.li.line_start(line));
        f.snippet = secrets::redact_line(around(self.li.text(line), at).trim());
        f.lang = Some(self.lang.name());
        f
    }

    fn code(&mut self, lexed: &Lexed) {
        let lits = Lit::all(&lexed.strings);
        // Names first: a base defined below its use in the same file still resolves.
        for l in &lits {
            self.define(l);
        }
        // Literals that may start another request: the method window of one request ends at the next.
        let candidates: Vec<usize> = lits
            .iter()
            .filter(|l| {
                let t = l.template.trim_start_matches('=');
                t.contains('/')
                    && (t.contains("highlevel")
                        || t.contains("leadconnector")
                        || t.contains("/v1")
                        || t.starts_with('/')
                        || t.starts_with("{}/")
                        || t.starts_with("%s/"))
            })
            .map(|l| l.lit.start)
            .collect();
        for l in &lits {
            let next = candidates
                .get(candidates.partition_point(|&s| s <= l.lit.end))
                .copied();
            self.literal(l, next, &lexed.strings);
        }
        self.comments(lexed);
        if self.lang == Lang::Shell {
            // Shell passes URLs as bare words (`curl https://…`): read what no literal or comment covers.
            let covered: Vec<(usize, usize)> = lexed
                .strings
                .iter()
                .map(|s| (s.start, s.end))
                .chain(lexed.comments.iter().map(|c| (c.start, c.end)))
                .collect();
            self.text_region_except(0, self.src.len(), Context::Code, &covered);
        }
    }

    /// Commented-out code is read as code (its literals, concatenations and methods), reported with
    /// context `comment`; URLs in prose comments are found as text.
    fn comments(&mut self, lexed: &Lexed) {
        if lexed.comments.is_empty() {
            return;
        }
        let masked = mask_outside_comments(self.src, lexed);
        let inner = lexer::lex(&masked, self.lang);
        let lits = Lit::all(&inner.strings);
        let before = self.out.findings.len();
        for l in &lits {
            self.literal(l, None, &inner.strings);
        }
        for f in &mut self.out.findings[before..] {
            f.context = Context::Comment;
        }
        let covered: Vec<(usize, usize)> = inner.strings.iter().map(|s| (s.start, s.end)).collect();
        for c in &lexed.comments {
            self.text_region_except(c.start, c.end, Context::Comment, &covered);
        }
    }

    /// Records the names a literal is bound to, with what it means.
    fn define(&mut self, l: &Lit) {
        let before = self.before(l.lit.start, 400);
        let names = names::names_before(before);
        // JSON data files hold unrelated settings side by side: their keys do not bind names for code.
        if names.is_empty() || self.lang.role() == Role::Data {
            return;
        }
        let value = match l.lit.parts.as_slice() {
            // `"${GHL_BASE_URL:-https://rest.gohighlevel.com/v1}"`: the default is the value.
            [Part::Interp { expr, .. }] => {
                base_value(expr.split_once(":-").map_or(expr.as_str(), |(_, d)| d))
            }
            _ => base_value(&l.template),
        };
        if matches!(value, BaseValue::V1 { .. }) {
            self.v1_base_in_file = true;
        }
        let line = self.li.line(l.lit.start);
        for n in names {
            self.add_def(Def {
                key: names::canonical(&n),
                name: n,
                value: value.clone(),
                path: self.rel.to_string(),
                line,
                in_code: true,
            });
        }
    }

    fn before(&self, off: usize, max: usize) -> &'a str {
        let start = super::lines::floor_char_boundary(self.src, off.saturating_sub(max));
        &self.src[start..off]
    }

    fn literal(&mut self, l: &Lit, next_url: Option<usize>, all: &[StrLit]) {
        let t = &l.template;
        let hits = url::find_urls(t);
        if !hits.is_empty() {
            for h in hits {
                self.url_in_literal(l, &h, next_url, all);
            }
            return;
        }
        if !(t.contains('/') || t.starts_with('{')) {
            return;
        }
        // `${BASE}/contacts`, `{self.base}/x`, `$base/x`: the base is the leading interpolation.
        if let Some(Part::Interp { expr, .. }) = l.lit.parts.first() {
            let rest = t.strip_prefix("{}").unwrap_or(t);
            if let Some(h) = url::find_urls(expr).into_iter().next() {
                // `${process.env.X || 'https://rest.gohighlevel.com/v1'}/contacts`
                let path = format!("{}{}", h.rest, rest);
                if h.kind == HostKind::V1 && url::is_bare_base(&path) {
                    let mut f = self.base_url_finding(
                        l.lit.text_off(),
                        self.base_context(),
                        &h.host,
                        &path,
                    );
                    f.note = Some("V1 base URL as the default of a setting".into());
                    self.out.findings.push(f);
                } else if h.kind == HostKind::V1 {
                    self.call(
                        l,
                        &h.host,
                        &path,
                        "default value in the expression".into(),
                        Confidence::High,
                        next_url,
                    );
                }
                return;
            }
            let expr = if expr.is_empty() {
                names::first_format_arg(&self.src[l.lit.end..]).unwrap_or_default()
            } else {
                expr.clone()
            };
            // `${GHL_API}${path}` inside `function ghl(path)`: a request helper on a named V1 base.
            if rest == "{}" && self.helper_on_named_base(l, &expr) {
                return;
            }
            self.via_name(l, &expr, rest, false, next_url);
            return;
        }
        // `%s/contacts` or `{}/contacts` filled by the first format argument.
        if t.starts_with("%s/") || t.starts_with("{}/") {
            if let Some(expr) = names::first_format_arg(&self.src[l.lit.end..]) {
                self.via_name(l, &expr, &t[2..], false, next_url);
            }
            return;
        }
        let before = self.before(l.lit.start, 300);
        let rest = format!(
            "{}{}",
            t.trim_start().trim_start_matches('='),
            continuation(self.src, l.lit.end, all)
        );
        if let Some(expr) = names::prefix_expr(before) {
            self.via_name(l, &expr, &rest, false, next_url);
            return;
        }
        // A bare relative path: a request only when a client, helper or base in scope is V1.
        // n8n expressions start with `=`.
        let trimmed = t.trim_start().trim_start_matches('=');
        // Data files (JSON) hold many unrelated APIs side by side: no relative-path guessing there.
        let receiver = names::receiver(before);
        // `_http.GetAsync("contacts/")` against a BaseAddress ending in `/`: relative without a slash.
        let slashless = receiver.is_some()
            && trimmed
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_lowercase());
        if self.lang.role() != Role::Code
            || !(trimmed.starts_with('/') || trimmed.starts_with("v1/") || slashless)
            || names::is_route_definition(before)
        {
            return;
        }
        if !looks_like_api_path(self.rules, &rest) {
            return;
        }
        let target = receiver.or_else(|| names::called_function(before));
        if target.as_deref().is_some_and(names::is_router) {
            return;
        }
        // A named receiver or helper resolves by name (here, or in a linked file); the file's own V1 base
        // only stands in for calls that name no client at all.
        if let Some(r) = &target {
            self.via_name(l, r, &rest, true, next_url);
        } else if self.v1_base_in_file && (is_call_argument(before) || is_url_key(before)) {
            let base = self.defs.first_v1.and_then(|i| {
                let d = &self.out.defs[i];
                match &d.value {
                    BaseValue::V1 { host, has_v1 } => Some((host.clone(), *has_v1, d.line)),
                    _ => None,
                }
            });
            if let Some((host, has_v1, line)) = base {
                let path = join_base(has_v1, &rest);
                let how =
                    format!("relative path in a file whose V1 base URL is defined at line {line}");
                self.call(l, &host, &path, how, Confidence::Medium, next_url);
            }
        } else if (is_url_key(before) || is_call_argument(before)) && !self.defs.other_base {
            // A request option such as `{ method: 'POST', url: '/contacts' }` whose client is configured
            // elsewhere in the package: resolved against a V1 base defined in an enclosing directory.
            let mut f = self.finding(Kind::Call, l.lit.start, self.base_context());
            self.infer_method(&mut f, l, next_url);
            f.confidence = Confidence::Low;
            self.out.pending.push(Pending {
                finding: f,
                key: ANY_BASE.into(),
                name: String::new(),
                via_receiver: true,
                rest,
                env_ref: false,
                imports: self.imports.clone(),
                package_scope: self.package_scope(),
            });
        }
    }

    /// Resolves `name` (a base expression or a client receiver) in this file, or leaves it pending.
    fn via_name(
        &mut self,
        l: &Lit,
        expr: &str,
        rest: &str,
        via_receiver: bool,
        next_url: Option<usize>,
    ) {
        let Some(name) = names::referenced_name(expr) else {
            return;
        };
        // Behind a named base any path counts (an unknown endpoint is still V1); a client receiver
        // needs a path that V1 knows, or every `x.get('/y')` in the file would be a candidate.
        let path_like = rest.trim_start().starts_with('/')
            || rest.trim_start().starts_with('?')
            || (via_receiver
                && rest
                    .trim_start()
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_lowercase()));
        if !path_like || (via_receiver && !looks_like_api_path(self.rules, rest)) {
            return;
        }
        let key = names::canonical(&name);
        let line = self.li.line(l.lit.start);
        let local = self.nearest_def(&key, line);
        match local.map(|d| (d.value.clone(), d.line, d.name.clone())) {
            Some((BaseValue::V1 { host, has_v1 }, dline, dname)) => {
                let path = join_base(has_v1, rest);
                let what = if via_receiver { "client" } else { "base" };
                self.call(
                    l,
                    &host,
                    &path,
                    format!("{what} {dname} defined at line {dline}"),
                    Confidence::High,
                    next_url,
                );
            }
            Some(_) => {}
            None => {
                let mut f = self.finding(Kind::Call, l.lit.start, self.base_context());
                self.infer_method(&mut f, l, next_url);
                f.confidence = Confidence::Medium;
                self.out.pending.push(Pending {
                    finding: f,
                    key,
                    name,
                    via_receiver,
                    rest: rest.to_string(),
                    env_ref: names::is_env_reference(expr),
                    imports: self.imports.clone(),
                    package_scope: self.package_scope(),
                });
            }
        }
    }

    fn infer_method(&self, f: &mut Finding, l: &Lit, next_url: Option<usize>) {
        if let Some(i) = method::infer(&self.li, l.lit.start, l.lit.end, next_url) {
            f.method = Some(i.method);
            f.method_source = Some(i.source);
        }
    }

    /// A V1 request at literal `l` to `host` + `path`.
    fn call(
        &mut self,
        l: &Lit,
        host: &str,
        path: &str,
        base_source: String,
        confidence: Confidence,
        next_url: Option<usize>,
    ) {
        let mut f = self.finding(Kind::Call, l.lit.text_off(), self.base_context());
        self.infer_method(&mut f, l, next_url);
        f.host = Some(host.to_string());
        f.base_source = Some(base_source);
        f.confidence = confidence;
        let p = normalize(path);
        self.finish_v1_call(&mut f, &p);
        self.out.findings.push(f);
    }

    fn finish_v1_call(&self, f: &mut Finding, p: &NormalizedPath) {
        match p.first_literal() {
            Some("v1") => apply_rule(self.rules, f, p),
            Some("v2") => {
                f.v1_path = Some(p.to_string());
                f.note =
                    Some("V1 host with a made-up /v2 path: this has never worked (404)".into());
            }
            _ => {
                f.v1_path = Some(p.to_string());
                f.note = Some("V1 host without the /v1 prefix".into());
            }
        }
    }

    fn url_in_literal(
        &mut self,
        l: &Lit,
        h: &url::UrlHit,
        next_url: Option<usize>,
        all: &[StrLit],
    ) {
        let off = l.lit.text_off() + offset_in_template(l.lit, h.start);
        let ctx = self.base_context();
        match h.kind {
            HostKind::V1 => {
                let mut rest = h.rest.clone();
                // The URL runs to the end of the literal: what is concatenated after it is more path.
                if h.end == l.template.len() {
                    let cont = continuation(self.src, l.lit.end, all);
                    if url::is_bare_base(&rest) {
                        if !cont.is_empty() && cont != "{}" {
                            rest = join_base(url::base_has_v1(&rest), &cont);
                        }
                    } else if !rest.contains(['?', '#']) {
                        rest.push_str(&cont);
                    }
                }
                // `${BASE}${path}` inside `function ghlRequest(method, path)`: a request helper.
                let full = format!("{}{}", h.rest, &l.template[h.end..]);
                let dynamic = full.trim_end_matches("{}");
                if full != dynamic && url::is_bare_base(dynamic) {
                    self.request_helper(l, off, ctx, h, dynamic);
                    return;
                }
                if url::is_bare_base(&rest) {
                    let mut f = self.base_url_finding(off, ctx, &h.host, &rest);
                    let names = names::names_before(self.before(l.lit.start, 400));
                    f.note = Some(match names.first() {
                        Some(n) => format!("V1 base URL bound to {n}"),
                        None => "V1 base URL".into(),
                    });
                    self.out.findings.push(f);
                } else {
                    let mut f = self.finding(Kind::Call, off, ctx);
                    self.infer_method(&mut f, l, next_url);
                    f.host = Some(h.host.clone());
                    let p = normalize(&rest);
                    self.finish_v1_call(&mut f, &p);
                    self.out.findings.push(f);
                }
            }
            HostKind::V2 => {
                // A V2 request helper shadows same-named V1 helpers elsewhere.
                let full = format!("{}{}", h.rest, &l.template[h.end..]);
                let dynamic = full.trim_end_matches("{}");
                if full != dynamic
                    && url::is_bare_base(dynamic)
                    && let Some(name) = self.helper_name(l)
                {
                    let line = self.li.line(off);
                    self.add_def(Def {
                        key: names::canonical(&name),
                        name,
                        value: BaseValue::V2,
                        path: self.rel.to_string(),
                        line,
                        in_code: true,
                    });
                }
                self.mention(off, ctx, h)
            }
            _ => self.mention(off, ctx, h),
        }
    }

    /// A V1 base URL followed only by a parameter of the enclosing function: the function is a request
    /// helper, and calls to it (`helper('GET', '/contacts')`) are V1 calls.
    fn request_helper(
        &mut self,
        l: &Lit,
        off: usize,
        ctx: Context,
        h: &url::UrlHit,
        base_rest: &str,
    ) {
        let helper = self.helper_name(l);
        let mut f = self.base_url_finding(off, ctx, &h.host, base_rest);
        f.note = Some(match &helper {
            Some(name) => format!("V1 base URL of the request helper {name}()"),
            None => "V1 base URL with a dynamic path".into(),
        });
        self.out.findings.push(f);
        self.v1_base_in_file = true;
        if let Some(name) = helper {
            let value = BaseValue::V1 {
                host: h.host.clone(),
                has_v1: url::base_has_v1(base_rest),
            };
            let line = self.li.line(off);
            self.add_def(Def {
                key: names::canonical(&name),
                name,
                value,
                path: self.rel.to_string(),
                line,
                in_code: true,
            });
        }
    }

    /// `${BASE}${path}` where BASE is a V1 base defined earlier in this file and `path` a parameter of the
    /// enclosing function: that function is a request helper (calls to it resolve like calls to a client).
    fn helper_on_named_base(&mut self, l: &Lit, expr: &str) -> bool {
        let Some(base) = names::referenced_name(expr) else {
            return false;
        };
        let key = names::canonical(&base);
        let line = self.li.line(l.lit.start);
        let value = self.last_def_before(&key, line).map(|d| d.value.clone());
        let Some(value @ BaseValue::V1 { .. }) = value else {
            return false;
        };
        let Some(helper) = self.helper_name(l) else {
            return false;
        };
        self.add_def(Def {
            key: names::canonical(&helper),
            name: helper,
            value,
            path: self.rel.to_string(),
            line,
            in_code: true,
        });
        true
    }

    /// The function whose parameter fills the literal's trailing interpolation (`${path}`).
    fn helper_name(&self, l: &Lit) -> Option<String> {
        let param = l.lit.parts.iter().rev().find_map(|p| match p {
            Part::Interp { expr, .. } => {
                Some(expr.trim().trim_start_matches(['$', '@']).to_string())
            }
            Part::Text { .. } => None,
        })?;
        if !param.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return None;
        }
        names::enclosing_function(self.before(l.lit.start, 6000), &param)
    }

    /// A V1 base URL finding; `rest` is what follows the host (`/v1`, `/` or nothing).
    fn base_url_finding(&self, off: usize, ctx: Context, host: &str, rest: &str) -> Finding {
        let mut f = self.finding(Kind::BaseUrl, off, ctx);
        f.host = Some(host.to_string());
        f.v1_path = Some(if url::base_has_v1(rest) {
            "/v1".into()
        } else {
            "/".into()
        });
        f
    }

    fn mention(&mut self, off: usize, ctx: Context, h: &url::UrlHit) {
        let note = match h.kind {
            HostKind::V2 if url::base_has_v1(&h.rest) && !url::is_bare_base(&h.rest) => {
                "V2 host with a V1-style /v1 path: a broken V2 call (V2 paths have no /v1 prefix)"
            }
            HostKind::Docs => "HighLevel API documentation link",
            HostKind::Suspicious => "api.gohighlevel.com is neither the V1 nor the V2 API host",
            _ => return,
        };
        let mut f = self.finding(Kind::Mention, off, ctx);
        f.host = Some(h.host.clone());
        f.note = Some(note.into());
        f.confidence = Confidence::Low;
        self.out.findings.push(f);
    }

    /// URLs in comments and docs: reported with that context, method from the text when it says so.
    fn text_region(&mut self, start: usize, end: usize, ctx: Context) {
        self.text_region_except(start, end, ctx, &[]);
    }

    fn text_region_except(
        &mut self,
        start: usize,
        end: usize,
        ctx: Context,
        covered: &[(usize, usize)],
    ) {
        let text = &self.src[start..end];
        for h in url::find_urls(text) {
            let off = start + h.start;
            if covered.iter().any(|&(s, e)| s <= off && off < e) {
                continue;
            }
            match h.kind {
                HostKind::V1 if url::is_bare_base(&h.rest) => {
                    let mut f = self.base_url_finding(off, ctx, &h.host, &h.rest);
                    f.note = Some("V1 base URL".into());
                    self.out.findings.push(f);
                }
                HostKind::V1 => {
                    let mut f = self.finding(Kind::Call, off, ctx);
                    f.host = Some(h.host.clone());
                    if let Some(i) = method::infer(&self.li, off, start + h.end, None) {
                        f.method = Some(i.method);
                        f.method_source = Some(i.source);
                    }
                    self.finish_v1_call(&mut f, &normalize(&h.rest));
                    self.out.findings.push(f);
                }
                _ => self.mention(off, ctx, &h),
            }
        }
    }

    fn docs(&mut self) {
        self.text_region(0, self.src.len(), Context::Docs);
    }

    /// `.env`, YAML, TOML, INI: every value on every line (quoted or not); names bind to keys.
    /// Names the setting of each key found in config, and reports credential settings with no key value.
    fn credential_settings(&mut self) {
        let mut off = 0;
        for raw in self.src.split_inclusive('\n') {
            let line_off = off;
            off += raw.len();
            let t = raw.trim_end_matches(['\n', '\r']).trim_start();
            if t.starts_with('#') || t.starts_with(';') || t.starts_with("//") {
                continue;
            }
            let Some(key) = config_key(t) else { continue };
            let value = t
                .split_once(['=', ':'])
                .map_or("", |(_, v)| v.split(" #").next().unwrap_or(v));
            if let Some(id) = super::settings::location_setting(&key, value) {
                let line = self
                    .li
                    .line(line_off + (raw.len() - raw.trim_start().len()));
                let mut f = Finding::new(Kind::Mention, self.rel, line, 1, Context::Config);
                f.category = Some(super::settings::LOCATION);
                f.confidence = Confidence::Medium;
                f.setting = Some(key.clone());
                f.snippet = super::secrets::redact_line(t);
                f.note = Some(format!("`{key}` names location {id}"));
                f.location_id = Some(id.to_string());
                self.out.findings.push(f);
                continue;
            }
            let Some(name) = super::settings::credential_name(&key) else {
                continue;
            };
            let line = self
                .li
                .line(line_off + (raw.len() - raw.trim_start().len()));
            let mut has_key = false;
            for f in self
                .out
                .findings
                .iter_mut()
                .filter(|f| f.kind == Kind::Credential && f.line == line)
            {
                f.setting = Some(name.to_string());
                has_key = true;
            }
            let v = value.trim().trim_matches(['"', '\'']);
            let v1 = self.v1_base_in_file
                || self
                    .out
                    .findings
                    .iter()
                    .any(|f| f.host.is_some() && matches!(f.kind, Kind::Call | Kind::BaseUrl));
            // An opaque value under a credential setting (`LEADCONNECTOR_TOKEN=…`): a key by use.
            if !has_key
                && crate::redact::shapes::is_opaque(v)
                && let Some(credential) = crate::credential::classify_by_use(v, v1)
                && let Some(at) = raw.find(v).map(|i| line_off + i)
            {
                crate::redact::remember(v);
                let mut f = self.finding(Kind::Credential, at, Context::Config);
                f.confidence = Confidence::Medium;
                f.note = Some(format!("the value of the credential setting `{name}`"));
                f.setting = Some(name.to_string());
                f.credential = Some(credential);
                self.out.findings.push(f);
                has_key = true;
            }
            if !has_key {
                let at = line_off + raw.find(name).unwrap_or(0);
                let snippet = super::secrets::redact_line(t);
                self.out.findings.push(super::settings::finding(
                    self.rel,
                    line,
                    self.li.column(at),
                    name,
                    snippet,
                ));
            }
        }
    }

    fn config_lines(&mut self) {
        let mut prev_key: Option<String> = None;
        let mut off = 0;
        for raw in self.src.split_inclusive('\n') {
            let line = raw.trim_end_matches(['\n', '\r']);
            let t = line.trim_start();
            let line_off = off;
            off += raw.len();
            if t.starts_with('#') || t.starts_with(';') || t.starts_with("//") {
                self.text_region(line_off, line_off + line.len(), Context::Comment);
                continue;
            }
            let key = config_key(t);
            for h in url::find_urls(line) {
                let at = line_off + h.start;
                if h.kind != HostKind::V1 {
                    if h.kind == HostKind::V2 {
                        for n in key.iter().chain(prev_key.iter()) {
                            self.add_def(Def {
                                key: names::canonical(n),
                                name: n.clone(),
                                value: BaseValue::V2,
                                path: self.rel.into(),
                                line: self.li.line(at),
                                in_code: false,
                            });
                        }
                    }
                    self.mention(at, Context::Config, &h);
                    continue;
                }
                let bound = key.clone().or_else(|| prev_key.clone());
                if url::is_bare_base(&h.rest) {
                    self.v1_base_in_file = true;
                    let mut f = self.base_url_finding(at, Context::Config, &h.host, &h.rest);
                    f.note = Some(match &bound {
                        Some(k) => format!("V1 base URL bound to {k}"),
                        None => "V1 base URL".into(),
                    });
                    self.out.findings.push(f);
                    if let Some(k) = bound {
                        let value = BaseValue::V1 {
                            host: h.host.clone(),
                            has_v1: url::base_has_v1(&h.rest),
                        };
                        self.add_def(Def {
                            key: names::canonical(&k),
                            name: k,
                            value,
                            path: self.rel.into(),
                            line: self.li.line(at),
                            in_code: false,
                        });
                    }
                } else {
                    let mut f = self.finding(Kind::Call, at, Context::Config);
                    f.host = Some(h.host.clone());
                    self.finish_v1_call(&mut f, &normalize(&h.rest));
                    self.out.findings.push(f);
                }
            }
            // `- key: GHL_BASE_URL` followed by `  value: …` (render.yaml, k8s env lists).
            prev_key = t
                .strip_prefix("- key:")
                .or_else(|| t.strip_prefix("- name:"))
                .or_else(|| t.strip_prefix("key:"))
                .or_else(|| t.strip_prefix("name:"))
                .map(|k| k.trim().trim_matches(['"', '\'']).to_string());
        }
    }

    /// Credential findings; returns the raw values found (kept only to scrub snippets, never stored).
    fn secrets(&mut self) -> Vec<String> {
        let v1 = self
            .out
            .findings
            .iter()
            .any(|f| f.host.is_some() && matches!(f.kind, Kind::Call | Kind::BaseUrl))
            || self
                .out
                .pending
                .iter()
                .any(|p| p.finding.kind == Kind::Call)
            || self.v1_base_in_file;
        let comments: Vec<(usize, usize)> =
            if self.lang.role() == Role::Code || self.lang == Lang::Json {
                self.lex()
                    .comments
                    .iter()
                    .map(|c| (c.start, c.end))
                    .collect()
            } else {
                Vec::new()
            };
        let mut raw = Vec::new();
        for hit in secrets::find(self.src, v1) {
            let in_comment = comments
                .iter()
                .any(|&(s, e)| s <= hit.start && hit.start < e)
                || (matches!(self.lang.role(), Role::Config) && {
                    let ls = self.li.line_start(self.li.line(hit.start));
                    self.src[ls..hit.start].trim_start().starts_with('#')
                });
            let ctx = if in_comment {
                Context::Comment
            } else {
                self.base_context()
            };
            let mut f = self.finding(Kind::Credential, hit.start, ctx);
            f.confidence = if hit.by_use {
                Confidence::Medium
            } else {
                Confidence::High
            };
            if hit.by_use {
                f.note = Some("recognised by use: sent as a bearer/key next to V1 usage".into());
            }
            raw.extend(hit.raw(self.src).map(str::to_string));
            f.credential = Some(hit.credential);
            self.out.findings.push(f);
        }
        raw
    }
}

/// The source with everything but comment bodies blanked (newlines kept) and comment markers removed, so
/// that commented-out code can be lexed as code at its real offsets.
fn mask_outside_comments(src: &str, lexed: &Lexed) -> String {
    let mut out: Vec<u8> = src
        .bytes()
        .map(|b| if b == b'\n' { b'\n' } else { b' ' })
        .collect();
    for c in &lexed.comments {
        out[c.start..c.end].copy_from_slice(&src.as_bytes()[c.start..c.end]);
        // Drop the markers: `//`, `#`, `/*`, `*/`, `<!--`, leading `*` on block lines.
        let mut at_line_start = true;
        let mut i = c.start;
        while i < c.end {
            let b = out[i];
            if at_line_start && (b == b' ' || b == b'\t') {
                i += 1;
                continue;
            }
            if at_line_start {
                while i < c.end && matches!(out[i], b'/' | b'*' | b'#' | b'!' | b'<' | b'-') {
                    out[i] = b' ';
                    i += 1;
                }
                at_line_start = false;
                continue;
            }
            if b == b'\n' {
                at_line_start = true;
            } else if b == b'*' && i + 1 < c.end && out[i + 1] == b'/' {
                out[i] = b' ';
                out[i + 1] = b' ';
            }
            i += 1;
        }
    }
    // Only ASCII bytes were replaced by spaces, and whole comment ranges copied back: still UTF-8 except
    // where a multi-byte character straddled a blanked range, which lossy conversion repairs.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// Byte offset in the literal's source of position `idx` of its template.
fn offset_in_template(lit: &StrLit, idx: usize) -> usize {
    let mut t = 0;
    for p in &lit.parts {
        let (len, off) = match p {
            Part::Text { off, text } => (text.len(), *off),
            Part::Interp { off, .. } => (2, *off),
        };
        if idx < t + len {
            return off + (idx - t) - lit.text_off();
        }
        t += len;
    }
    0
}

/// What a bound literal means as a base.
fn base_value(template: &str) -> BaseValue {
    match url::find_urls(template).into_iter().next() {
        Some(h) if h.kind == HostKind::V1 && url::is_bare_base(&h.rest) && h.start <= 8 => {
            BaseValue::V1 {
                host: h.host,
                has_v1: url::base_has_v1(&h.rest),
            }
        }
        Some(h) if h.kind == HostKind::V2 && h.start <= 8 => BaseValue::V2,
        _ => BaseValue::Other,
    }
}

/// `base` + `rest`, inserting `/v1` when the base lacks it and the path does not start with it.
pub fn join_base(base_has_v1: bool, rest: &str) -> String {
    let r = rest.trim_start();
    let r = if r.starts_with('/') || r.starts_with('{') {
        r.to_string()
    } else {
        format!("/{r}")
    };
    let starts_v1 = r.to_ascii_lowercase().starts_with("/v1/") || r.eq_ignore_ascii_case("/v1");
    if base_has_v1 || starts_v1 {
        if base_has_v1 && !starts_v1 {
            format!("/v1{r}")
        } else {
            r
        }
    } else {
        format!("/v1{r}")
    }
}

/// A relative path is worth resolving only if it (or it under `/v1`) names a V1 endpoint.
fn looks_like_api_path(rules: &RuleSet, rest: &str) -> bool {
    let p = normalize(rest);
    if p.segments.is_empty() {
        return false;
    }
    let p = if p.first_literal() == Some("v1") {
        p
    } else {
        p.with_v1_prefix()
    };
    p.segments.get(1).is_some_and(|s| matches!(s, Seg::Lit(_)))
        && rules.matcher().lookup(None, &p) != Lookup::NoPath
}

/// Pending key meaning "any V1 base defined in an enclosing directory".
pub const ANY_BASE: &str = "*";

/// The literal is an argument of a call.
pub fn is_call_argument(before: &str) -> bool {
    let t = before.trim_end();
    t.ends_with('(') || t.ends_with(',')
}

/// The literal is the value of a `url` / `path` / `endpoint` / `uri` option.
pub fn is_url_key(before: &str) -> bool {
    let t = before
        .trim_end()
        .trim_end_matches(['=', '>', ':', ' '])
        .trim_end_matches(['"', '\'']);
    let l = t.to_ascii_lowercase();
    ["url", "path", "endpoint", "uri", "resource"]
        .iter()
        .any(|k| l.ends_with(k) && !l[..l.len() - k.len()].ends_with(|c: char| c.is_alphanumeric()))
}

/// The text concatenated after a literal: `"/contacts/" + id + "/notes"` → `{}/notes` (holes for
/// expressions, text for literals). Stops at anything else.
fn continuation(src: &str, end: usize, all: &[StrLit]) -> String {
    let mut out = String::new();
    let mut i = end;
    for _ in 0..8 {
        let rest = &src[i..];
        let ws = rest.len() - rest.trim_start().len();
        let r = rest.trim_start();
        let op = ["..", "+", ".", "<>"].iter().find(|op| {
            r.starts_with(**op)
                && !r.starts_with("...")
                && !(**op == "." && r[1..].starts_with(|c: char| c.is_alphabetic()))
        });
        let Some(op) = op else { break };
        let after_op = i + ws + op.len();
        let r2 = &src[after_op..];
        let ws2 = r2.len() - r2.trim_start().len();
        let at = after_op + ws2;
        if let Ok(k) = all.binary_search_by_key(&at, |s| s.start) {
            let next = &all[k];
            out.push_str(&next.template());
            i = next.end;
            continue;
        }
        // An expression: identifier chain or call, up to the next operator or delimiter.
        let expr_len = src[at..]
            .char_indices()
            .find(|&(_, c)| matches!(c, '+' | ';' | ',' | ')' | '\n' | '}' | ']'))
            .map_or(src.len() - at, |(k, _)| k);
        let expr = src[at..at + expr_len].trim_end();
        if expr.is_empty() || expr.contains(['"', '\'', '`']) || expr.len() > 80 {
            break;
        }
        // PHP `$id . '/notes'` : the expression ends before ` . `.
        let expr_end = expr.find(" . ").map_or(expr.len(), |k| k);
        out.push_str("{}");
        i = at + expr_end;
    }
    out
}

/// The line as shown in reports: trimmed, secrets redacted, at most 200 characters.
pub fn snippet(line: &str) -> String {
    // Redact the whole line first: a truncated key would no longer look like a key.
    truncate(&secrets::redact_line(line.trim()))
}

/// A V2 PIT next to a V1 base URL in the same file: V1 answers a PIT with "Api key is invalid".
fn pit_with_v1(findings: &mut Vec<Finding>) {
    let live = |f: &&Finding| !matches!(f.context, Context::Comment | Context::Docs);
    let v1 = findings
        .iter()
        .filter(live)
        .any(|f| matches!(f.kind, Kind::BaseUrl | Kind::Call));
    let pits: Vec<Finding> = findings
        .iter()
        .filter(live)
        .filter(|f| {
            f.credential
                .as_ref()
                .is_some_and(|c| c.kind == crate::credential::CredentialKind::V2Pit)
        })
        .cloned()
        .collect();
    if !v1 {
        return;
    }
    for p in pits {
        let mut m = p.clone();
        m.kind = Kind::Mention;
        m.credential = None;
        m.category = Some("credential_mismatch");
        m.confidence = Confidence::Medium;
        m.note = Some("a V2 Private Integration Token configured next to a V1 base URL: V1 rejects PITs (\"Api key is invalid\") — point this at services.leadconnectorhq.com".into());
        findings.push(m);
    }
}

/// For very long lines (minified files): the part around byte `at`, widened to token boundaries so no key
/// is cut in half (a half key would escape the redactor's patterns; `redact_line` also catches a JWT cut
/// short). Costs the window, not the line, so many findings on one line stay linear.
pub fn around(line: &str, at: usize) -> &str {
    const MAX: usize = 2000;
    if line.len() <= MAX {
        return line;
    }
    let at = super::lines::floor_char_boundary(line, at.min(line.len()));
    let is_sep = |c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '"' | '\'' | '`' | ',' | ';' | '(' | ')' | '{' | '}' | '<' | '>'
            )
    };
    let mut start = super::lines::floor_char_boundary(line, at.saturating_sub(MAX / 4));
    while start > 0 && !line[..start].ends_with(is_sep) && at - start < MAX {
        start = super::lines::floor_char_boundary(line, start - 1);
    }
    let mut end = super::lines::floor_char_boundary(line, (at + MAX / 2).min(line.len()));
    while end < line.len() && !line[end..].starts_with(is_sep) && end - at < MAX * 2 {
        end = super::lines::floor_char_boundary(line, end + 1)
            .max(end + 1)
            .min(line.len());
        while !line.is_char_boundary(end) {
            end += 1;
        }
    }
    &line[start..end]
}

/// At most 200 characters, marked with `…` when cut.
fn truncate(s: &str) -> String {
    if s.chars().count() > 200 {
        s.chars().take(200).chain("…".chars()).collect()
    } else {
        s.to_string()
    }
}

/// The key on a config line: `KEY=value`, `key: value`, `key = "value"`, `export KEY=…`.
fn config_key(line: &str) -> Option<String> {
    let t = line
        .trim_start()
        .trim_start_matches("export ")
        .trim_start_matches("- ");
    let end = t.find(['=', ':'])?;
    let k = t[..end].trim().trim_matches(['"', '\'']);
    (!k.is_empty()
        && k.chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.')))
    .then(|| k.rsplit('.').next().unwrap_or(k).to_string())
}

/// Fills rule, v1_path and v2 of a call from its V1 path (or notes why no rule matched).
pub fn apply_rule(rules: &RuleSet, f: &mut Finding, path: &NormalizedPath) {
    // A segment holding `=` or `&` is a query written into the path (`/appointments/startDate=…&…`, an
    // upstream bug): it may fit a rule's `{param}` by accident, but it is not that endpoint.
    let query_in_path = path.segments.iter().any(|s| match s {
        crate::pathmatch::Seg::Lit(l) => l.contains(['=', '&']),
        _ => false,
    });
    if query_in_path {
        f.v1_path = Some(path.to_string());
        f.note = Some(
            "unknown V1 endpoint: a path segment holds `=` or `&` (a query written into the path), so it matches no rule for certain".into(),
        );
        return;
    }
    let (idx, note) = match rules.matcher().lookup(f.method, path) {
        Lookup::Rule(i) => (Some(i), None),
        Lookup::Ambiguous(v) => {
            let ids: Vec<&str> = v.iter().map(|&i| rules.at(i).id.as_str()).collect();
            (
                None,
                Some(format!(
                    "method unknown; the path matches {}",
                    ids.join(", ")
                )),
            )
        }
        Lookup::MethodMismatch(v) => {
            let ms: Vec<String> = v
                .iter()
                .map(|&i| rules.at(i).v1.method.to_string())
                .collect();
            (
                None,
                Some(format!("V1 documents this path only for {}", ms.join(", "))),
            )
        }
        Lookup::NoPath => (
            None,
            Some("unknown V1 endpoint (not in the rule table)".into()),
        ),
    };
    match idx {
        Some(i) => {
            let r = rules.at(i);
            f.already_broken = r.already_broken.clone();
            f.rule = Some(r.id.clone());
            f.v1_path = Some(r.v1.path.clone());
            f.v2 = r.v2.as_ref().map(|t| V2Ref {
                method: t.method,
                path: t.path.clone(),
                scopes: t.scopes.clone(),
                version: t.version.clone(),
            });
        }
        None => {
            f.v1_path = Some(path.to_string());
            f.note = note;
        }
    }
}

/// Finishes a pending call once the tree-wide resolver found its base definition.
pub fn finish_pending(rules: &RuleSet, p: &Pending, def: &Def) -> Option<Finding> {
    let BaseValue::V1 { host, has_v1 } = &def.value else {
        return None;
    };
    let mut f = p.finding.clone();
    f.host = Some(host.clone());
    let what = if p.via_receiver { "client" } else { "base" };
    f.base_source = Some(format!(
        "{what} {} defined in {}:{}",
        def.name, def.path, def.line
    ));
    apply_rule(rules, &mut f, &normalize(&join_base(*has_v1, &p.rest)));
    Some(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calls(src: &str, lang: Lang) -> Vec<(usize, Option<String>)> {
        extract("t", src, lang, &RuleSet::embedded())
            .findings
            .into_iter()
            .filter(|f| f.kind == Kind::Call)
            .map(|f| (f.line, f.rule))
            .collect()
    }

    #[test]
    fn helper_interpolating_a_named_v1_base_makes_its_calls_v1_calls() {
        let ts = r#"const GHL_API = "https://rest.gohighlevel.com/v1";
async function ghl(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${GHL_API}${path}`, { method, body: JSON.stringify(body) });
}
await ghl("POST", "/contacts/", { email });
await ghl("GET", `/contacts/${id}`);
"#;
        assert_eq!(
            calls(ts, Lang::TypeScript),
            [
                (5, Some("contacts.create".to_string())),
                (6, Some("contacts.get".to_string()))
            ]
        );
        let py = "BASE = 'https://rest.gohighlevel.com/v1'\n\ndef ghl(method, path):\n    return requests.request(method, f\"{BASE}{path}\")\n\nghl('DELETE', '/contacts/abc')\n";
        assert_eq!(
            calls(py, Lang::Python),
            [(6, Some("contacts.delete".to_string()))]
        );
    }

    #[test]
    fn helper_on_a_v2_or_unrelated_base_stays_quiet() {
        for base in [
            "https://services.leadconnectorhq.com",
            "https://api.example.com/v1",
        ] {
            let js = format!(
                "const API = '{base}';\nfunction call(method, path) {{ return fetch(`${{API}}${{path}}`, {{ method }}); }}\ncall('GET', '/contacts/');\n"
            );
            assert!(calls(&js, Lang::JavaScript).is_empty(), "{base}");
        }
    }
}
