//! Names that code gives to values, and the names by which it refers to them: the glue for resolving a
//! base URL defined in one place (a constant, class field, env default, client option, config key) and
//! used in another.
use regex::Regex;
use std::sync::OnceLock;

/// Canonical form of a name for matching across languages and config: lower-case, without `_`/`-`, so
/// `GHL_BASE_URL`, `ghlBaseUrl` and `ghl-base-url` meet.
pub fn canonical(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The expression reads an environment variable or config setting (`process.env.X`, `os.getenv("X")`,
/// `${X}` in shell, `env('X')`): a link to `.env`/config files rather than to code.
pub fn is_env_reference(expr: &str) -> bool {
    let e = expr.trim();
    env_re().is_match(e)
        || (e
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            && e.len() > 2)
        || e.contains(":-")
}

/// Names that can only mean HighLevel (`GHL_BASE_URL`, `highLevelApi`, `leadConnectorBase`): safe to join
/// across files without an import linking them.
pub fn is_distinctive(canonical_name: &str) -> bool {
    ["ghl", "highlevel", "leadconnector"]
        .iter()
        .any(|w| canonical_name.contains(w))
}

fn import_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r#"(?m)(?:\bfrom\s*['"]([^'"\n]+)['"]"#,
            r#"|\bimport\s*\(?\s*['"]([^'"\n]+)['"]"#,
            r#"|\b(?:require|require_once|include|include_once|require_relative|load)\s*\(?\s*(?:__DIR__\s*\.\s*|dirname\(__FILE__\)\s*\.\s*)?['"]([^'"\n]+)['"]"#,
            r#"|^\s*from\s+([\w.]+)\s+import\s+([\w, ()*]+)"#,
            r#"|^\s*import\s+([\w.]+)"#,
            r#"|^\s*use\s+([\w\\:]+)"#,
            r#"|^\s*(?:source|\.)\s+['"]?([^'"\s;]+))"#
        ))
        .unwrap()
    })
}

/// The modules a file imports, as lower-case stems (`'./lib/ghl.js'` → `ghl`, `from .config import X` →
/// `config`, `use App\Services\Ghl;` → `ghl`), to link a name to the file that defines it.
pub fn imports(src: &str) -> Vec<String> {
    let mut out = Vec::new();
    for c in import_re().captures_iter(src) {
        for g in c.iter().skip(1).flatten() {
            for part in g.as_str().split(',') {
                let part = part.trim().trim_matches(['(', ')', ' ']);
                let last = part.rsplit(['/', '.', '\\', ':']).find(|s| {
                    !s.is_empty()
                        && !matches!(
                            *s,
                            "js" | "ts"
                                | "mjs"
                                | "cjs"
                                | "php"
                                | "py"
                                | "rb"
                                | "sh"
                                | "jsx"
                                | "tsx"
                        )
                });
                if let Some(l) = last {
                    out.push(l.to_ascii_lowercase());
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Whether a line may hold an import (a keyword of one of the forms [`imports`] reads): a cheap check
/// before the pattern, for lines found by a module name.
pub fn may_import(line: &[u8]) -> bool {
    static KEYWORDS: OnceLock<Vec<memchr::memmem::Finder<'static>>> = OnceLock::new();
    KEYWORDS
        .get_or_init(|| {
            [
                "import", "require", "from ", "include", "use ", "source ", "load", ". ",
            ]
            .iter()
            .map(|k| memchr::memmem::Finder::new(k.as_bytes()).into_owned())
            .collect()
        })
        .iter()
        .any(|k| k.find(line).is_some())
}

/// Whether a module name found at `bytes[start..]` sits where an import names a module: after a path
/// or package separator or a quote (`'./lib'`, `crm.client`, `App\Ghl`, `package:api/…`), in a list
/// (`import (a, api)`, `{Client, Api}`), or right after an import keyword (`import api`, `from api
/// import`, `source env.sh`). Anywhere else (`the index of`) it is a word, not an import: the line is
/// not looked at.
pub fn import_position(bytes: &[u8], start: usize) -> bool {
    let mut i = start;
    if i > 0
        && matches!(
            bytes[i - 1],
            b'/' | b'\'' | b'"' | b'\\' | b'.' | b':' | b'`'
        )
    {
        return true;
    }
    while i > 0 && matches!(bytes[i - 1], b' ' | b'\t') {
        i -= 1;
    }
    if i == 0 || matches!(bytes[i - 1], b',' | b'(' | b'{' | b'.') {
        return true;
    }
    let end = i;
    while i > 0 && (bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_') {
        i -= 1;
    }
    matches!(
        &bytes[i..end],
        b"import"
            | b"from"
            | b"use"
            | b"using"
            | b"require"
            | b"require_relative"
            | b"require_once"
            | b"include"
            | b"include_once"
            | b"load"
            | b"source"
    )
}

fn env_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r#"(?:process\.env|import\.meta\.env|Deno\.env\.get|os\.environ(?:\.get)?|os\.getenv|getenv|\benv|ENV(?:\.fetch)?|\$_ENV|\$_SERVER|System\.getenv|Environment\.GetEnvironmentVariable|std::env::var|env::var|Platform\.environment|dotenv\.env|config)"#,
            r#"\s*(?:\.\s*([A-Za-z_][\w]*)|[\[(]\s*['"]([\w.:-]+)['"])"#
        ))
        .unwrap()
    })
}

/// The name an expression refers to: `process.env.GHL_URL` → `GHL_URL`, `os.getenv("X")` → `X`,
/// `this.baseUrl` → `baseUrl`, `$this->base_url` → `base_url`, `config('services.ghl.url')` → `url`,
/// `self.BASE` → `BASE`. Shell defaults (`X:-default`) keep only `X`.
pub fn referenced_name(expr: &str) -> Option<String> {
    let e = expr.trim();
    let e = e
        .split(":-")
        .next()
        .unwrap_or(e)
        .split(" || ")
        .next()
        .unwrap_or(e)
        .split(" ?? ")
        .next()
        .unwrap_or(e)
        .trim();
    if let Some(c) = env_re().captures(e) {
        let n = c.get(1).or(c.get(2))?.as_str();
        return Some(n.rsplit('.').next().unwrap_or(n).to_string());
    }
    let last = e
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .rfind(|s| !s.is_empty() && !s.chars().next().unwrap().is_ascii_digit())?;
    if matches!(
        last,
        "this" | "self" | "env" | "process" | "config" | "settings"
    ) {
        return None;
    }
    Some(last.to_string())
}

fn assign_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r#"(?:^|[\s;{(,\[])(?:export\s+)?(?:(?:public|private|protected|internal|static|readonly|final|const|let|var|val|my|our|def|String|string|str|static\s+readonly|late|global)\s+)*"#,
            r#"((?:\$|@{1,2})?[A-Za-z_][\w]*(?:(?:\.|->|::)[A-Za-z_][\w]*)*)"#,
            r#"\s*(?::\s*[\w<>\[\]?, &']+)?\s*(?:=|:=|\?\?=|\|\|=)\s*(?:f|\$|@|r)?\s*$"#
        ))
        .unwrap()
    })
}

fn key_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"['"]?([A-Za-z_][\w.-]*)['"]?\s*(?:=>|:)\s*(?:f|\$|@|r)?\s*$"#).unwrap()
    })
}

fn define_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| Regex::new(r#"\bdefine\s*\(\s*['"](\w+)['"]\s*,\s*$"#).unwrap())
}

fn env_default_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"(?:process\.env\.(\w+)\s*(?:\|\||\?\?)|(?:os\.getenv|os\.environ\.get|getenv|env|ENV\.fetch|Environment\.GetEnvironmentVariable|System\.getenv|config)\s*\(\s*['"]([\w.]+)['"]\s*(?:\)\s*(?:\?\?|\|\||or|\?:)|,)|Deno\.env\.get\(\s*['"](\w+)['"]\s*\)\s*(?:\?\?|\|\|))\s*$"#,
        )
        .unwrap()
    })
}

fn client_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"((?:\$|@)?[A-Za-z_][\w]*(?:(?:\.|->)[A-Za-z_][\w]*)*)\s*(?::[^=\n]*)?(?:=|:=|\|\|=|\?\?=)\s*(?:await\s+)?(?:new\s+)?[\w$.:\\]+\s*[({]\s*(?:\{|\[|array\s*\(|new\s+\w+\s*\{|\w+\s*\(\s*)?[^;]*$"#).unwrap()
    })
}

const BASE_KEYS: &[&str] = &[
    "baseurl",
    "baseuri",
    "baseaddress",
    "base",
    "url",
    "endpoint",
    "host",
    "apiurl",
    "apibase",
    "baseapi",
    "apiendpoint",
    "server",
    "prefixurl",
    "apihost",
];

/// A name that configures a client's base URL (`baseURL`, `base_uri`, `BaseAddress`, `host`, …).
pub fn is_base_key(canonical_name: &str) -> bool {
    matches!(
        canonical_name,
        "baseurl"
            | "baseuri"
            | "baseaddress"
            | "apibase"
            | "apiurl"
            | "baseapi"
            | "apihost"
            | "apibaseurl"
    )
}

/// The names a string literal is bound to, from the code just before it: the assigned variable, the object
/// key, a `define()` name, an env var whose default it is, and the client created with it as base URL.
pub fn names_before(before: &str) -> Vec<String> {
    // `BaseAddress = new Uri("…")`, `URI.create("…")`, `Uri.parse('…')`: the wrapper does not change the name.
    let before = url_wrapper_re()
        .find(before)
        .map_or(before, |m| &before[..m.start()]);
    let stmt_start = before.rfind([';', '\n']).map_or(0, |i| i + 1);
    let line = &before[stmt_start..];
    let mut out = Vec::new();
    let mut key = None;
    if let Some(c) = define_re().captures(line) {
        out.push(c[1].to_string());
    }
    if let Some(c) = env_default_re().captures(line) {
        let n = c.get(1).or(c.get(2)).or(c.get(3)).unwrap().as_str();
        out.push(n.rsplit('.').next().unwrap_or(n).to_string());
        // `const X = process.env.Y || '…'` also binds X; `baseURL: process.env.Y || '…'` binds the key.
        let head = &line[..c.get(0).unwrap().start()];
        if let Some(a) = assign_re().captures(head) {
            out.push(last_segment(&a[1]));
        } else if let Some(k) = key_re().captures(head) {
            key = Some(last_segment(&k[1]));
        }
    } else if let Some(c) = assign_re().captures(line) {
        out.push(last_segment(&c[1]));
    } else if let Some(c) = key_re().captures(line) {
        key = Some(last_segment(&c[1]));
    }
    // `BaseAddress = …` in an object initializer names a client option like a key does.
    if key.is_none()
        && let Some(last) = out.last()
        && BASE_KEYS.contains(&canonical(last).as_str())
        && canonical(last) != "url"
    {
        key = out.pop();
    }
    if let Some(key) = key {
        let is_base_key = BASE_KEYS.contains(&canonical(&key).as_str());
        out.push(key);
        if is_base_key {
            // The client this option configures: `const api = axios.create({ baseURL: … })`.
            let window_start =
                crate::scan::lines::floor_char_boundary(before, before.len().saturating_sub(400));
            if let Some(c) = client_re().captures(&before[window_start..]) {
                out.push(last_segment(&c[1]));
            }
        }
    }
    out.retain(|n| !n.is_empty());
    out.dedup();
    out
}

fn url_wrapper_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"(?:new\s+)?(?:Uri|URI|URL|Url)(?:\.(?:create|parse))?\s*\(\s*$"#).unwrap()
    })
}

fn last_segment(name: &str) -> String {
    name.rsplit(['.', '>', ':'])
        .next()
        .unwrap_or(name)
        .trim_start_matches(['$', '@'])
        .to_string()
}

fn prefix_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r#"(?:"#,
            r#"(?P<id>(?:\$|@{1,2})?[A-Za-z_][\w]*(?:\s*(?:\.|->|::|\?\.)\s*[A-Za-z_$][\w]*|\[\s*['"]?[\w.-]+['"]?\s*\]|\(\s*['"][\w.:-]+['"]\s*(?:,[^()]*)?\))*)\s*(?:\+|\.|\.\.|<>)\s*"#,
            r#"|(?:urljoin|URI\.join|url_join|urlJoin|join|resolve)\s*\(\s*(?P<id2>[\w$.\->\[\]'"]+)\s*,\s*"#,
            r#")$"#
        ))
        .unwrap()
    })
}

/// The expression concatenated in front of a literal (`BASE_URL + "/x"`, `$this->base . '/x'`,
/// `urljoin(BASE, "/x")`), if any.
pub fn prefix_expr(before: &str) -> Option<String> {
    let tail_start =
        crate::scan::lines::floor_char_boundary(before, before.len().saturating_sub(200));
    let c = prefix_re().captures(&before[tail_start..])?;
    let id = c.name("id").or(c.name("id2"))?.as_str();
    // `"a" . "b"` in PHP, `x.y` in JS: a keyword or number is not a base.
    if matches!(
        id,
        "return" | "await" | "echo" | "print" | "yield" | "in" | "of" | "else"
    ) {
        return None;
    }
    Some(id.split_whitespace().collect())
}

fn receiver_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"(?i)((?:\$|@)?[A-Za-z_][\w]*)\s*(?:\.|->|::|\?\.)\s*(?:get|post|put|patch|delete|del|request|fetch|send|call|head|_get|_post|_put|_delete|_request|http_get|http_post|make_request|api_request)\w*\s*(?:<[^<>]*>)?\s*\(\s*(?:['"][A-Za-z]+['"]\s*,\s*)?$"#).unwrap()
    })
}

/// The object a request method is called on, for `api.get('/x')`, `$this->client->post('/x')`.
pub fn receiver(before: &str) -> Option<String> {
    let tail_start =
        crate::scan::lines::floor_char_boundary(before, before.len().saturating_sub(200));
    let c = receiver_re().captures(&before[tail_start..])?;
    Some(c[1].trim_start_matches(['$', '@']).to_string())
}

fn called_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r#"([A-Za-z_$][\w$]*)\s*(?:\.\s*(?:call|apply)\s*)?\(\s*(?:[^(),;{}]{1,40},\s*){0,3}$"#,
        )
        .unwrap()
    })
}

/// The plain function a literal is an argument of: `ghlRequest('GET', '/contacts')`,
/// `highLevelApiRequest.call(this, 'GET', '/pipelines')`.
pub fn called_function(before: &str) -> Option<String> {
    let tail_start =
        crate::scan::lines::floor_char_boundary(before, before.len().saturating_sub(200));
    let c = called_re().captures(&before[tail_start..])?;
    let name = c[1].trim_start_matches('$').to_string();
    let generic = matches!(
        name.as_str(),
        "if" | "for"
            | "while"
            | "switch"
            | "return"
            | "require"
            | "import"
            | "include"
            | "print"
            | "println"
            | "log"
            | "console"
            | "t"
            | "i18n"
            | "translate"
            | "__"
            | "_"
            | "assert"
            | "expect"
            | "describe"
            | "it"
            | "test"
    );
    (!generic).then_some(name)
}

fn fn_header_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(concat!(
            r#"(?m)(?:function\s+(?P<a>[A-Za-z_$][\w$]*)\s*\((?P<ap>[^)]*)\)"#,
            r#"|def\s+(?P<b>[A-Za-z_]\w*)\s*\((?P<bp>[^)]*)\)"#,
            r#"|func\s+(?:\([^)]*\)\s*)?(?P<c>[A-Za-z_]\w*)\s*\((?P<cp>[^)]*)\)"#,
            r#"|fn\s+(?P<d>[A-Za-z_]\w*)\s*(?:<[^>]*>)?\s*\((?P<dp>[^)]*)\)"#,
            r#"|(?P<e>[A-Za-z_$][\w$]*)\s*[:=]\s*(?:async\s+)?(?:function\s*)?\((?P<ep>[^)]*)\)\s*(?:=>|\{)"#,
            r#"|^[ \t]*(?:(?:public|private|protected|static|async|override|final|virtual|internal)\s+)*(?:[\w<>\[\],?]+\s+)?(?P<f>[A-Za-z_$][\w$]*)\s*(?:<[^<>()]*>)?\s*\((?P<fp>[^)]*)\)\s*(?::\s*[\w<>\[\]|?, .]+)?\s*\{)"#,
        ))
        .unwrap()
    })
}

/// The function, defined in `before` (the text up to a literal), that takes `param` as a parameter:
/// the request helper in `function ghlRequest(method, path) { … `${BASE}${path}` … }`.
pub fn enclosing_function(before: &str, param: &str) -> Option<String> {
    let start = crate::scan::lines::floor_char_boundary(before, before.len().saturating_sub(6000));
    let text = &before[start..];
    let word = Regex::new(&format!(
        r"(?:^|[^\w$]){}(?:[^\w$]|$)",
        regex::escape(param)
    ))
    .ok()?;
    let mut found = None;
    for c in fn_header_re().captures_iter(text) {
        let pairs = [
            ("a", "ap"),
            ("b", "bp"),
            ("c", "cp"),
            ("d", "dp"),
            ("e", "ep"),
            ("f", "fp"),
        ];
        for (n, p) in pairs {
            if let (Some(name), Some(params)) = (c.name(n), c.name(p)) {
                let name = name.as_str();
                if word.is_match(params.as_str())
                    && !matches!(
                        name,
                        "if" | "for" | "while" | "switch" | "catch" | "function"
                    )
                {
                    found = Some(name.to_string());
                }
            }
        }
    }
    found
}

/// Receivers that define routes rather than send requests (`app.get('/contacts', handler)`).
pub fn is_router(receiver: &str) -> bool {
    matches!(
        receiver.to_ascii_lowercase().as_str(),
        "app"
            | "router"
            | "routes"
            | "route"
            | "server"
            | "fastify"
            | "express"
            | "bp"
            | "blueprint"
            | "mux"
            | "r"
            | "e"
            | "g"
            | "api_router"
            | "apirouter"
            | "hono"
            | "v1"
            | "group"
    )
}

fn route_decorator_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"(?i)(?:@[\w.]*(?:route|get|post|put|patch|delete|mapping|api_view|path)\w*\s*\(\s*|\[\s*(?:Http\w+|Route)\s*\(\s*|Route::\w+\s*\(\s*|register_rest_route\s*\(\s*['"][^'"]*['"]\s*,\s*)$"#).unwrap()
    })
}

/// The literal is a route path in a framework decorator or route registration, not a request.
pub fn is_route_definition(before: &str) -> bool {
    let tail_start =
        crate::scan::lines::floor_char_boundary(before, before.len().saturating_sub(120));
    route_decorator_re().is_match(&before[tail_start..])
}

fn after_arg_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(r#"^\s*(?:\)\s*)?(?:\.format\s*\(|%\s*\(?|,)\s*((?:\$|@)?[A-Za-z_][\w]*(?:(?:\.|->|::)[A-Za-z_][\w]*|\[\s*['"]?[\w.-]+['"]?\s*\]|\(\s*['"][\w.:-]+['"]\s*\))*)"#).unwrap()
    })
}

/// For `"%s/contacts" % BASE`, `"{}/x".format(BASE)`, `Sprintf("%s/x", base)`, `format!("{}/x", BASE)`:
/// the expression filling the leading placeholder.
pub fn first_format_arg(after: &str) -> Option<String> {
    let head = &after[..crate::scan::lines::floor_char_boundary(after, after.len().min(200))];
    Some(after_arg_re().captures(head)?[1].to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn referenced_names() {
        let cases = [
            ("process.env.GHL_BASE_URL", "GHL_BASE_URL"),
            ("os.getenv(\"GHL_URL\", \"x\")", "GHL_URL"),
            ("os.environ['GHL_URL']", "GHL_URL"),
            ("env('GHL_URL')", "GHL_URL"),
            ("this.baseUrl", "baseUrl"),
            ("$this->base_url", "base_url"),
            ("self.BASE", "BASE"),
            ("config('services.ghl.url')", "url"),
            ("GHL_BASE:-https://x", "GHL_BASE"),
            ("BASE_URL", "BASE_URL"),
            ("Deno.env.get(\"GHL_API\")", "GHL_API"),
        ];
        for (e, want) in cases {
            assert_eq!(referenced_name(e).as_deref(), Some(want), "{e}");
        }
        assert_eq!(canonical("GHL_BASE_URL"), canonical("ghlBaseUrl"));
        assert!(
            is_distinctive(&canonical("GHL_BASE_URL")) && !is_distinctive(&canonical("BASE_URL"))
        );
        assert!(
            is_env_reference("process.env.BASE_URL")
                && is_env_reference("BASE_URL")
                && !is_env_reference("this.base")
        );
    }

    #[test]
    fn import_stems() {
        let src = "import { BASE } from './config';\nconst ghl = require('../lib/ghl.js');\nfrom .settings import GHL_URL, other\nimport requests\nrequire_once __DIR__ . '/includes/api.php';\nuse App\\Services\\HighLevel;\nsource ./env.sh\n";
        let got = imports(src);
        for want in [
            "config",
            "ghl",
            "settings",
            "ghl_url",
            "other",
            "requests",
            "api",
            "highlevel",
            "env",
        ] {
            assert!(got.contains(&want.to_string()), "{want} not in {got:?}");
        }
    }

    #[test]
    fn names_bound_to_literals() {
        let cases: &[(&str, &[&str])] = &[
            ("const GHL_BASE = ", &["GHL_BASE"]),
            ("export const API_URL: string = ", &["API_URL"]),
            ("    BASE_URL = ", &["BASE_URL"]),
            ("  private readonly baseUrl = ", &["baseUrl"]),
            ("$this->base = ", &["base"]),
            ("define('GHL_API_BASE', ", &["GHL_API_BASE"]),
            (
                "const base = process.env.GHL_BASE_URL || ",
                &["GHL_BASE_URL", "base"],
            ),
            ("base = os.getenv(\"GHL_URL\", ", &["GHL_URL", "base"]),
            ("'url' => env('GHL_URL', ", &["GHL_URL", "url"]),
            (
                "const ghl = axios.create({\n  baseURL: process.env.GHL_BASE_URL || ",
                &["GHL_BASE_URL", "baseURL", "ghl"],
            ),
            (
                "const api = axios.create({\n  baseURL: ",
                &["baseURL", "api"],
            ),
            (
                "$client = new Client([\n    'base_uri' => ",
                &["base_uri", "client"],
            ),
            (
                "        self.client = httpx.Client(base_url=",
                &["base_url", "client"],
            ),
            ("const GHL_BASE: &str = ", &["GHL_BASE"]),
            ("BASE_URL := ", &["BASE_URL"]),
            ("  ghl_base_url: ", &["ghl_base_url"]),
            (
                "    private readonly HttpClient _http = new HttpClient { BaseAddress = new Uri(",
                &["BaseAddress", "_http"],
            ),
            (
                "  def self.faraday\n    @faraday ||= Faraday.new(url: ",
                &["url", "faraday"],
            ),
        ];
        for (before, want) in cases {
            assert_eq!(
                names_before(before),
                want.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
                "{before:?}"
            );
        }
    }

    #[test]
    fn prefixes_and_receivers() {
        assert_eq!(
            prefix_expr("const u = BASE_URL + ").as_deref(),
            Some("BASE_URL")
        );
        assert_eq!(
            prefix_expr("$u = $this->baseUrl . ").as_deref(),
            Some("$this->baseUrl")
        );
        assert_eq!(
            prefix_expr("url = urljoin(settings.GHL_BASE, ").as_deref(),
            Some("settings.GHL_BASE")
        );
        assert_eq!(
            prefix_expr("u = os.environ['GHL_URL'] + ").as_deref(),
            Some("os.environ['GHL_URL']")
        );
        assert_eq!(prefix_expr("return ").as_deref(), None);
        assert_eq!(receiver("const r = await api.get(").as_deref(), Some("api"));
        assert_eq!(receiver("$this->client->post(").as_deref(), Some("client"));
        assert_eq!(
            receiver("this.http.request('GET', ").as_deref(),
            Some("http")
        );
        assert!(is_router("app"));
        assert!(is_route_definition("@app.route("));
        assert!(is_route_definition("[HttpGet("));
        assert_eq!(first_format_arg(" % BASE_URL").as_deref(), Some("BASE_URL"));
        assert_eq!(
            first_format_arg(".format(self.base, cid)").as_deref(),
            Some("self.base")
        );
        assert_eq!(
            first_format_arg(", baseURL, id)").as_deref(),
            Some("baseURL")
        );
    }
}
