//! Inferring the HTTP method of a request from the code around its URL, and saying how.
//!
//! Order of evidence: (1) the verb of the call the URL is an argument of (`requests.post(`, `axios.put(`,
//! `Http::delete(`, `client.PostAsync(`); (2) an explicit method in the same request (`method: 'PUT'`,
//! `CURLOPT_CUSTOMREQUEST`, `curl -X`, `Method.Post`, `http.NewRequest("PUT"`) within a window of lines
//! that ends at the next URL; (3) the call that later receives the variable the URL was assigned to;
//! (4) the default of a call that implies GET (`fetch(url)`, `curl url`, `file_get_contents`, `urlopen`).
//! Otherwise the method is unknown (`None`): never a guess presented as fact.
use crate::method::Method;
use crate::scan::lines::{LineIndex, floor_char_boundary};
use regex::Regex;
use std::sync::OnceLock;

/// The method and how it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inferred {
    pub method: Method,
    pub source: String,
}

/// Lines after the URL that may still belong to the same request (curl_setopt chains, option objects).
const WINDOW_LINES: usize = 12;
/// Lines after an assignment in which the variable's use is looked for.
const VAR_LINES: usize = 30;

/// The call whose argument the URL is, looking through URL wrappers and format macros
/// (`http.post(Uri.parse('…'))`, `client.get(format!("…"))`, `fetch(new URL('…'))`).
#[allow(clippy::type_complexity)]
/// A called name and what it says of the method (see [`verb_of`]).
type CallVerb = (String, Option<(Option<Method>, &'static str)>);

fn enclosing_call(before: &str) -> Option<CallVerb> {
    let mut text = before;
    for _ in 0..3 {
        let c = verb_re().captures(text)?;
        let name = call_name(&c);
        let verb = verb_of(&name);
        let last = name
            .rsplit(['.', ':', '>'])
            .next()
            .unwrap_or(&name)
            .to_ascii_lowercase();
        let wrapper = matches!(
            last.as_str(),
            "parse"
                | "create"
                | "uri"
                | "url"
                | "format"
                | "sprintf"
                | "join"
                | "urljoin"
                | "tostring"
                | "concat"
                | "encodeuri"
                | "of"
        );
        if verb.is_some() || !wrapper {
            return Some((name, verb));
        }
        text = &text[..c.get(1).unwrap().start()];
        text = text
            .trim_end_matches([' ', '\t', '\n'])
            .trim_end_matches("new")
            .trim_end();
    }
    None
}

/// `axios({ url: … })`, `axios($, { headers, url: … })`, `request({ uri: … })`: the URL is the `url` of a
/// config object passed to a neutral call; its method comes from a `method` key or the call's default GET.
fn config_object_call(before: &str) -> Option<CallVerb> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        // One level of nested braces before `url:` (e.g. `headers: {…}` first).
        Regex::new(r#"([A-Za-z_$][\w$]*(?:\s*\.\s*[A-Za-z_$][\w$]*)*)\s*\(\s*(?:[A-Za-z_$][\w$.]*\s*,\s*)?\{(?:[^{};]|\{[^{};]*\})*\b(?:url|uri)['"]?\s*:\s*$"#).unwrap()
    });
    let c = re.captures(before)?;
    let name = call_name(&c);
    let verb = verb_of(&name)?;
    // Only neutral calls: `client.post({ url })` style is not a config object API.
    verb.0.is_none().then_some((name, Some(verb)))
}

/// The called name of a `verb_re` match, whitespace removed (`requests .post` → `requests.post`).
fn call_name(c: &regex::Captures) -> String {
    c.get(1)
        .map_or(String::new(), |m| m.as_str().split_whitespace().collect())
}

fn verb_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // The identifier (with its receiver chain) whose `(` opens the call holding the URL, optionally after
    // one earlier argument, and a base expression concatenated in front of the literal (`BASE + '/x'`).
    RE.get_or_init(|| {
        Regex::new(r#"([A-Za-z_$][\w$]*(?:\s*(?:\.|->|::|\?\.)\s*[A-Za-z_$][\w$]*)*)!?\s*(?:<[^<>()]*>)?\s*[(\[]\s*(?:(?:['"][A-Za-z]+['"]|[A-Za-z_$][\w$.:]*)\s*,\s*)?(?:await\s+)?(?:[A-Za-z_$][\w$.\->\[\]'"()]*\s*(?:\+|\.|\.\.)\s*)?$"#).unwrap()
    })
}

fn explicit_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r#"(?i)(?:"#,
            r#"(?P<kv>\bmethod['"]?\s*(?:=>|:|=|,)\s*[(\[]?\s*(?:[\w.]*?\.)?['"]?(?P<m1>get|post|put|patch|delete)\b)"#,
            r#"|(?P<custom>CURLOPT_CUSTOMREQUEST['"]?\s*(?:,|=>)\s*['"](?P<m2>\w+))"#,
            r#"|(?P<curlpost>CURLOPT_POST['"]?\s*(?:,|=>)\s*(?:true|1)\b)"#,
            r#"|(?P<curlput>CURLOPT_PUT['"]?\s*(?:,|=>)\s*(?:true|1)\b)"#,
            r#"|(?P<curlx>(?:\s|^)(?:-X\s*|--request[\s=]+)['"]?(?P<m3>get|post|put|patch|delete)\b)"#,
            r#"|(?P<enum>\b(?:HttpMethod|Method|RequestMethod|HTTPMethod|reqwest::Method|http\.Method)\s*(?:\.|::)\s*(?P<m4>get|post|put|patch|delete)\b)"#,
            r#"|(?P<gomethod>\bhttp\.Method(?P<m5>Get|Post|Put|Patch|Delete)\b)"#,
            r#"|(?P<newreq>(?:NewRequest(?:WithContext)?\s*\(\s*(?:ctx\s*,\s*)?|\.request\s*\(\s*|Request\s*\(\s*|HttpRequestMessage\s*\(\s*)['"](?P<m6>get|post|put|patch|delete)['"])"#,
            r#"|(?P<httpie>\bhttps?\s+(?P<m7>GET|POST|PUT|PATCH|DELETE)\s)"#,
            r#"|(?P<wget>--method[\s=]+['"]?(?P<m8>get|post|put|patch|delete)\b)"#,
            r#"|(?P<builder>(?-i:\.(?P<m10>GET|POST|PUT|PATCH|DELETE)\s*\())"#,
            r#"|(?P<arg>(?-i:['"](?P<m9>GET|POST|PUT|PATCH|DELETE)['"])\s*,\s*$)"#,
            r#")"#
        ))
        .unwrap()
    })
}

fn curl_data_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"(?:\s|^)(?:-d|--data(?:-raw|-binary|-urlencode)?|--json|-F|--form)(?:\s|=|$)"#,
        )
        .unwrap()
    })
}

/// Maps a call name such as `requests.post`, `PostAsJsonAsync`, `wp_remote_get` to a verb, or a
/// neutral call that defaults to GET.
fn verb_of(call: &str) -> Option<(Option<Method>, &'static str)> {
    let last = call
        .rsplit(['.', '>', ':', '?', ' '])
        .next()
        .unwrap_or(call)
        .trim();
    let l = last.to_ascii_lowercase();
    let core = l
        .trim_end_matches("async")
        .trim_end_matches("asjson")
        .trim_end_matches("json")
        .trim_start_matches("wp_remote_")
        .trim_start_matches("wp_safe_remote_")
        .trim_start_matches("http")
        .trim_start_matches('_');
    let m = match core {
        "get" | "getstring" | "getstream" | "getbytearray" | "getfromjson" => Some(Method::Get),
        "post" | "postform" => Some(Method::Post),
        "put" => Some(Method::Put),
        "patch" => Some(Method::Patch),
        "delete" | "del" | "destroy" => Some(Method::Delete),
        _ => None,
    };
    if m.is_some() {
        return Some((m, "call"));
    }
    let neutral = matches!(
        l.as_str(),
        "fetch"
            | "axios"
            | "request"
            | "needle"
            | "superagent"
            | "http_get"
            | "file_get_contents"
            | "urlopen"
            | "curl_init"
            | "curl"
            | "open"
            | "get_contents"
            | "ky"
            | "got"
            | "$fetch"
            | "ofetch"
            | "wget"
            | "httpget"
    );
    neutral.then_some((None, "default"))
}

/// Infers the method of the request whose URL literal spans `start..end` in `src`.
pub fn infer(
    li: &LineIndex,
    start: usize,
    end: usize,
    next_url: Option<usize>,
) -> Option<Inferred> {
    let src = li.src();
    let line_start = line_start_near(src, start);
    // Up to 3 lines before, for calls written across lines (`requests.post(\n    url`).
    let before_start = nth_line_start_back(src, line_start, 3);
    let before = strip_literal_open(&src[before_start..start]);
    let before_stmt = statement_tail(before);
    let window_end = window_end(src, end, WINDOW_LINES, next_url);
    let after = &src[end..window_end];

    let mut neutral: Option<&'static str> = None;
    let mut neutral_name = String::new();
    let call = enclosing_call(before_stmt).or_else(|| config_object_call(before));
    if let Some((name, verb)) = call {
        match verb {
            Some((Some(m), _)) => {
                return Some(Inferred {
                    method: m,
                    source: format!("call {name}()"),
                });
            }
            Some((None, kind)) => {
                neutral = Some(kind);
                neutral_name = name;
            }
            None => {}
        }
    }
    // Explicit method in the statement before the URL (e.g. `axios({ method: 'put', url: … })`) or after.
    let stmt_before = &before[before.len() - before_stmt.len()..];
    if let Some(i) = explicit_in(stmt_before, true).or_else(|| explicit_in(after, false)) {
        return Some(i);
    }
    // curl with data and no -X is a POST; plain curl is a GET.
    let line_end = line_end_near(src, end);
    let cmd_line = &src[line_start..line_end];
    if is_curl_command(cmd_line) {
        if curl_data_re().is_match(cmd_line)
            || curl_data_re().is_match(continued_lines(src, line_end))
        {
            return Some(Inferred {
                method: Method::Post,
                source: "curl with a body (-d/--data) and no -X".into(),
            });
        }
        return Some(Inferred {
            method: Method::Get,
            source: "curl default GET".into(),
        });
    }
    // The URL assigned to a variable, used later in a call.
    if let Some(var) = assigned_var(stmt_before)
        && let Some(i) = follow_variable(li, end, &var, next_url)
    {
        return Some(i);
    }
    if neutral.is_some() {
        return Some(Inferred {
            method: Method::Get,
            source: format!("default GET of {neutral_name}()"),
        });
    }
    None
}

/// Drops an opening quote and string prefix (`"`, `f"`, `$"`, `` ` ``) left at the end of `before`, for
/// callers that point at the literal's content rather than its start.
fn strip_literal_open(before: &str) -> &str {
    let t = before.trim_end_matches(['"', '\'', '`']);
    if t.len() == before.len() {
        return before;
    }
    let p = t.trim_end_matches(['f', 'F', 'r', 'R', 'b', 'B', '$', '@']);
    let stripped = t.len() - p.len();
    if stripped > 0 && stripped <= 2 && p.ends_with(|c: char| !(c.is_alphanumeric() || c == '_')) {
        p
    } else {
        t
    }
}

/// An explicit method in `text`; `before_url` allows the `'GET', <url>` argument form, which only makes sense
/// right before the URL (after it, it would belong to the next request).
fn explicit_in(text: &str, before_url: bool) -> Option<Inferred> {
    let c = explicit_re()
        .captures_iter(text)
        .find(|c| before_url || c.name("arg").is_none())?;
    let m = ["m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8", "m9", "m10"]
        .iter()
        .find_map(|g| c.name(g))
        .map(|m| m.as_str());
    let (method, how) = if c.name("curlpost").is_some() {
        (Method::Post, "CURLOPT_POST")
    } else if c.name("curlput").is_some() {
        (Method::Put, "CURLOPT_PUT")
    } else {
        let how = if c.name("kv").is_some() {
            "method option"
        } else if c.name("custom").is_some() {
            "CURLOPT_CUSTOMREQUEST"
        } else if c.name("curlx").is_some() {
            "curl -X"
        } else if c.name("enum").is_some() || c.name("gomethod").is_some() {
            "method constant"
        } else if c.name("newreq").is_some() {
            "request constructor"
        } else if c.name("wget").is_some() {
            "wget --method"
        } else if c.name("builder").is_some() {
            "request builder"
        } else if c.name("arg").is_some() {
            "method argument"
        } else {
            "httpie"
        };
        (Method::parse(m?)?, how)
    };
    Some(Inferred {
        method,
        source: format!("{how} {method}"),
    })
}

fn is_curl_command(line: &str) -> bool {
    let t = line
        .trim_start()
        .trim_start_matches(['$', '>', ' ', '!', '`']);
    t.starts_with("curl ")
        || line.contains(" curl ")
        || line.contains("`curl ")
        || line.contains("(curl ")
}

/// The shell lines continued with `\` after `line_end`.
fn continued_lines(src: &str, line_end: usize) -> &str {
    let mut end = line_end;
    let mut prev_line = &src[line_start_near(src, line_end)..line_end];
    let mut n = 0;
    while prev_line.trim_end().ends_with('\\') && end < src.len() && n < 30 {
        let next_end = line_end_near(src, end + 1);
        prev_line = &src[end + 1..next_end];
        end = next_end;
        n += 1;
    }
    &src[line_end..end]
}

/// The part of `before` that belongs to the current statement.
fn statement_tail(before: &str) -> &str {
    let cut = before.rfind([';', '}']).map_or(0, |i| i + 1);
    // A blank line also ends a statement.
    let blank = before.rfind("\n\n").map_or(0, |i| i + 2);
    &before[cut.max(blank)..]
}

/// How far inference looks along one line, in bytes: a minified file is one huge line, and each request
/// must cost its neighbourhood, not its line (many requests on one line would be quadratic).
const LINE_REACH: usize = 4096;

/// The start of the line holding `at`, or `LINE_REACH` bytes before `at` on a longer line.
fn line_start_near(src: &str, at: usize) -> usize {
    let floor = floor_char_boundary(src, at.saturating_sub(LINE_REACH));
    src[floor..at].rfind('\n').map_or(floor, |i| floor + i + 1)
}

/// The end of the line holding `at` (before its `\n`), or `LINE_REACH` bytes after `at` on a longer line.
fn line_end_near(src: &str, at: usize) -> usize {
    let ceil = floor_char_boundary(src, (at + LINE_REACH).min(src.len()));
    src[at..ceil].find('\n').map_or(ceil, |i| at + i)
}

fn nth_line_start_back(src: &str, from: usize, n: usize) -> usize {
    let mut i = from;
    for _ in 0..n {
        if i == 0 {
            break;
        }
        i = line_start_near(src, i - 1);
    }
    i
}

/// The end of `lines` lines after `from`, at most `limit` bytes on (each line searched only that far).
fn lines_end(src: &str, from: usize, lines: usize, limit: usize) -> Option<usize> {
    let cap = floor_char_boundary(src, from.saturating_add(limit).min(src.len()));
    let mut end = from;
    for _ in 0..lines {
        match memchr::memchr(b'\n', &src.as_bytes()[end.min(cap)..cap]) {
            Some(i) => end += i + 1,
            None => return None,
        }
    }
    Some(end)
}

fn window_end(src: &str, from: usize, lines: usize, next_url: Option<usize>) -> usize {
    let end = lines_end(src, from, lines, 4096).unwrap_or(src.len());
    // Bounded in bytes too: a minified file is one huge line.
    let end = next_url
        .map_or(end, |n| end.min(n.max(from)))
        .min(from + 4096)
        .min(src.len());
    let end = crate::scan::lines::floor_char_boundary(src, end);
    // Stop at a blank line: the request is over.
    src[from..end]
        .find("\n\n")
        .or_else(|| src[from..end].find("\n\r\n"))
        .map_or(end, |i| from + i)
}

fn assign_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // `name = …`, `name := …`, `let name: T = …`, `$name = …`, `self.url = …`, where `…` (the rest of the
    // statement before the literal: a base expression and `+`, a template start) holds no other `=`.
    RE.get_or_init(|| {
        Regex::new(
            r#"((?:\$|@)?[A-Za-z_][\w]*(?:(?:\.|->)[A-Za-z_][\w]*)*)\s*(?::\s*[\w<>\[\]?, &']+)?\s*(?::=|=|<-)\s*[^=;{}]*$"#,
        )
        .unwrap()
    })
}

/// The variable the URL literal is assigned to: `url = "…"`, `url = self.base + "…"`, `$u = "…" . $id`.
pub fn assigned_var(stmt_before: &str) -> Option<String> {
    let c = assign_re().captures(stmt_before)?;
    let whole = c.get(0)?.as_str();
    // Not a comparison or an arrow (`==`, `!=`, `<=`, `>=`, `=>`).
    let eq = whole.find(['=', '<'])?;
    let next = whole[eq + 1..].chars().next();
    if matches!(next, Some('=' | '>')) || (eq > 0 && whole[..eq].ends_with(['!', '<', '>'])) {
        return None;
    }
    let name = c.get(1)?.as_str();
    if matches!(name, "return" | "if" | "while" | "const" | "let" | "var") {
        return None;
    }
    // Follow the last segment: `self.url` is used as `self.url`, found by its last name.
    Some(name.rsplit(['.', '>']).next().unwrap_or(name).to_string())
}

fn follow_variable(
    li: &LineIndex,
    from: usize,
    var: &str,
    next_url: Option<usize>,
) -> Option<Inferred> {
    let src = li.src();
    let end = window_end_no_blank(src, from, VAR_LINES, next_url);
    let region = &src[from..end];
    // Uses of the variable as a whole name (a substring search: this runs once per request, and a
    // pattern compiled per call cost more than the rest of the scan on big files).
    let uses = memchr::memmem::find_iter(region.as_bytes(), var.as_bytes()).filter(|&i| {
        let word = |c: char| c.is_alphanumeric() || c == '_';
        !region[..i]
            .chars()
            .next_back()
            .is_some_and(|c| word(c) || c == '$')
            && !region[i + var.len()..].chars().next().is_some_and(word)
    });
    for i in uses {
        let abs = from + i;
        let line_start = line_start_near(src, abs);
        let before = statement_tail(strip_literal_open(
            &src[nth_line_start_back(src, line_start, 1)..abs],
        ));
        let line = li.line(abs);
        let after_end = window_end(src, abs, WINDOW_LINES, next_url);
        let at = |mut i: Inferred| {
            i.source = format!("{} (request at line {line})", i.source);
            i
        };
        if let Some(c) = verb_re().captures(before) {
            let name = call_name(&c);
            match verb_of(&name) {
                Some((Some(m), _)) => {
                    return Some(Inferred {
                        method: m,
                        source: format!("call {name}({var}) at line {line}"),
                    });
                }
                Some((None, _)) => {
                    if let Some(i) = explicit_in(before, true)
                        .or_else(|| explicit_in(&src[abs..after_end], false))
                    {
                        return Some(at(i));
                    }
                    return Some(Inferred {
                        method: Method::Get,
                        source: format!("default GET of {name}({var}) at line {line}"),
                    });
                }
                None => {
                    if let Some(i) = explicit_in(before, true) {
                        return Some(at(i));
                    }
                }
            }
        }
        // `helper.call(this, 'GET', url)`, or `curl_setopt($ch, CURLOPT_URL, $url)` with the method set
        // nearby.
        if let Some(i) =
            explicit_in(before, true).or_else(|| explicit_in(&src[abs..after_end], false))
        {
            return Some(at(i));
        }
    }
    None
}

fn window_end_no_blank(src: &str, from: usize, lines: usize, next_url: Option<usize>) -> usize {
    let Some(end) = lines_end(src, from, lines, 8192) else {
        let end = src.len().min(next_url.unwrap_or(usize::MAX).max(from));
        return floor_char_boundary(src, end.min(from + 8192));
    };
    let end = next_url
        .map_or(end, |n| end.min(n.max(from)))
        .min(from + 8192)
        .min(src.len());
    crate::scan::lines::floor_char_boundary(src, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Infers at the literal holding `needle` (from its opening quote, as the scanner calls it).
    fn infer_at(src: &str, needle: &str) -> Option<(Method, String)> {
        let inner = src.find(needle).unwrap();
        let mut start = if src[..inner].ends_with(['"', '\'', '`']) {
            inner - 1
        } else {
            inner
        };
        if src[..start].ends_with(['f', '$', '@'])
            && !src[..start - 1].ends_with(|c: char| c.is_alphanumeric())
        {
            start -= 1;
        }
        infer(&LineIndex::new(src), start, start + needle.len(), None).map(|i| (i.method, i.source))
    }

    #[test]
    fn call_verbs() {
        let cases = [
            ("r = requests.post(\"URL\", json=body)", Method::Post),
            ("await axios.put(`URL`, data)", Method::Put),
            ("$res = Http::withToken($k)->delete('URL');", Method::Delete),
            (
                "var r = await client.PostAsJsonAsync(\"URL\", body);",
                Method::Post,
            ),
            ("resp, err := http.Get(\"URL\")", Method::Get),
            ("$r = wp_remote_post('URL', $args);", Method::Post),
            ("response = HTTParty.patch(\"URL\", body: b)", Method::Patch),
            ("final r = await dio.get(\n  'URL',\n);", Method::Get),
            ("self.session.delete(\n    f\"URL\"\n)", Method::Delete),
            ("requests.post(BASE + \"URL\", json=body)", Method::Post),
            ("return http.post(Uri.parse('URL'), body: b);", Method::Post),
            ("client().get(format!(\"URL\")).send()", Method::Get),
            ("$r = $http->put($this->base . 'URL');", Method::Put),
        ];
        for (src, want) in cases {
            assert_eq!(infer_at(src, "URL").map(|x| x.0), Some(want), "{src}");
        }
    }

    #[test]
    fn config_object_calls() {
        let cases = [
            (
                "return await axios($, {\n  url: `URL`,\n  params: { q },\n})",
                Some(Method::Get),
            ),
            (
                "axios({ headers: { A: 1 }, url: 'URL' })",
                Some(Method::Get),
            ),
            (
                "axios({ url: 'URL', method: 'patch' })",
                Some(Method::Patch),
            ),
            (
                "request({ uri: \"URL\", json: true }, cb)",
                Some(Method::Get),
            ),
            ("const opts = { url: 'URL' }", None),
        ];
        for (src, want) in cases {
            assert_eq!(infer_at(src, "URL").map(|x| x.0), want, "{src}");
        }
    }

    #[test]
    fn explicit_methods() {
        let cases = [
            (
                "fetch(`URL`, { method: 'PUT', headers })",
                Method::Put,
                "method option",
            ),
            (
                "axios({ method: \"delete\", url: 'URL' })",
                Method::Delete,
                "method option",
            ),
            (
                "$ch = curl_init(\"URL\");\ncurl_setopt($ch, CURLOPT_RETURNTRANSFER, true);\ncurl_setopt($ch, CURLOPT_HTTPHEADER, $h);\n\n",
                Method::Get,
                "default GET",
            ),
            (
                "$ch = curl_init(\"URL\");\ncurl_setopt($ch, CURLOPT_RETURNTRANSFER, 1);\ncurl_setopt($ch, CURLOPT_HTTPHEADER, $h);\ncurl_setopt($ch, CURLOPT_CUSTOMREQUEST, \"PUT\");",
                Method::Put,
                "CURLOPT_CUSTOMREQUEST",
            ),
            (
                "$ch = curl_init('URL');\ncurl_setopt($ch, CURLOPT_POST, true);",
                Method::Post,
                "CURLOPT_POST",
            ),
            (
                "curl -s -X DELETE \"URL\" -H \"Authorization: Bearer $K\"",
                Method::Delete,
                "curl -X",
            ),
            (
                "curl -s \"URL\" \\\n  -H 'Content-Type: application/json' \\\n  -d '{\"a\":1}'",
                Method::Post,
                "curl with a body",
            ),
            ("curl \"URL\"", Method::Get, "curl default GET"),
            (
                "var req = new RestRequest(\"URL\", Method.Post);",
                Method::Post,
                "method constant",
            ),
            (
                "req, _ := http.NewRequest(\"PATCH\", \"URL\", body)",
                Method::Patch,
                "request constructor",
            ),
            (
                "req, _ := http.NewRequest(http.MethodPut, base+\"URL\", body)",
                Method::Put,
                "method constant",
            ),
            (
                "let r = client.request(reqwest::Method::PUT, \"URL\")",
                Method::Put,
                "method constant",
            ),
        ];
        for (src, want, how) in cases {
            let got = infer_at(src, "URL");
            assert_eq!(got.as_ref().map(|x| x.0), Some(want), "{src}: {got:?}");
            assert!(got.unwrap().1.contains(how), "{src}");
        }
    }

    #[test]
    fn variable_followed_to_its_call() {
        let src = "url = \"URL\"\nheaders = {'Authorization': f'Bearer {k}'}\n\n\nresp = requests.put(url, headers=headers)\n";
        let (m, how) = infer_at(src, "URL").unwrap();
        assert_eq!(m, Method::Put);
        assert!(how.contains("requests.put(url) at line 5"), "{how}");
        let py = "url = self.endpoint+\"URL\"\n\ntry:\n    payload = {}\n    response = requests.request(\"POST\", url, headers=h, data=payload)\n";
        assert_eq!(infer_at(py, "URL").map(|x| x.0), Some(Method::Post));
        let js = "const r = await ghlRequest('PUT', `URL`, body);";
        assert_eq!(infer_at(js, "URL").map(|x| x.0), Some(Method::Put));
        let js2 = "return this.call(\"DELETE\", `URL`);";
        assert_eq!(
            infer_at(js2, "URL").map(|x| (x.0, x.1.contains("method argument"))),
            Some((Method::Delete, true))
        );
        let php = "$url = \"URL\";\n$ch = curl_init();\ncurl_setopt($ch, CURLOPT_URL, $url);\ncurl_setopt($ch, CURLOPT_CUSTOMREQUEST, 'DELETE');\n";
        assert_eq!(infer_at(php, "URL").unwrap().0, Method::Delete);
    }

    #[test]
    fn unknown_stays_unknown() {
        assert_eq!(
            infer_at("const BASE = 'URL';\nmodule.exports = { BASE };", "URL"),
            None
        );
        assert_eq!(infer_at("doRequest(method, 'URL')", "URL"), None);
    }
}
