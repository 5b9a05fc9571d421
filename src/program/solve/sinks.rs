//! What the HTTP libraries do, as the solver needs it: which calls send a request (and where their URL
//! and verb are), which build a client with a base URL, which build a request object sent later, and
//! which only format or join strings. Libraries are recognised by their dotted path as imported
//! (`requests.post`, `axios.create`, `Illuminate.Support.Facades.Http.post`) or by the client value a
//! receiver evaluates to; a verb on an unknown receiver counts only with an absolute V1 URL.
use super::eval::{Found, FrameRef, Solver};
use super::value::{Client, Join, Piece, ReqObj, Tmpl, Val, join};
use crate::method::Method;
use crate::program::facts::{Arg, CallExpr, Expr};
use std::rc::Rc;

/// How a sink's URL and verb are read from the call.
#[derive(Debug, Clone)]
pub enum Shape {
    /// URL in an argument (first positional or one of the named ones); the verb fixed by the call's name
    /// or read from an options argument (`fetch(url, { method })`, `wp_remote_request(url, ['method'=>…])`).
    Url {
        verb: Option<Method>,
        options_arg: Option<usize>,
    },
    /// `request(method, url, …)`.
    MethodThenUrl,
    /// `exchange(url, HttpMethod.PUT, …)` (Spring RestTemplate).
    UrlThenMethod,
    /// One configuration object (`axios({ method, url })`, `$.ajax`, n8n `httpRequest(options)`), at
    /// this positional index; `axios(url, config)` is also accepted.
    Config(usize),
    /// Node's `https.request(options | url)`.
    NodeHttp(Option<Method>),
    /// PHP cURL: `curl_init($url)`, `curl_setopt($h, CURLOPT_URL, $url)`, `curl_setopt_array`.
    PhpCurl,
    /// Command-line clients: `curl`, `wget`, `http`/`https` (HTTPie).
    Cli(&'static str),
    /// A request object built earlier is sent (`client.Do(req)`, `http.request(req)`).
    Send,
}

#[derive(Debug, Clone)]
pub struct SinkCall {
    pub shape: Shape,
    pub label: String,
    pub client: Option<Rc<Client>>,
    /// Only a URL that is already absolute and V1 counts (unknown receiver).
    pub weak: bool,
}

const VERBS: [(&str, Method); 6] = [
    ("get", Method::Get),
    ("post", Method::Post),
    ("put", Method::Put),
    ("patch", Method::Patch),
    ("delete", Method::Delete),
    ("del", Method::Delete),
];

/// The verb a client method's name says: `post`, `PostAsync`, `postForObject`, `getJSON`, `get_response`.
pub fn verb_of_method(m: &str) -> Option<Method> {
    let l = m.to_ascii_lowercase();
    let l = l.split('_').next().unwrap_or(&l);
    let mut s: &str = l;
    for suffix in [
        "async",
        "asjson",
        "fromjson",
        "string",
        "forobject",
        "forentity",
        "json",
        "form",
        "stream",
        "bytes",
        "raw",
    ] {
        s = s.strip_suffix(suffix).unwrap_or(s);
        s = s.strip_suffix("async").unwrap_or(s);
    }
    VERBS.iter().find(|(n, _)| *n == s).map(|(_, m)| *m)
}

/// The verb a wrapper's name implies (`get`, `fetchContacts`, `create`, `update` → PUT, `remove`).
pub fn verb_implied_by_name(name: &str) -> Option<Method> {
    let l = name.trim_start_matches('_').to_ascii_lowercase();
    let starts = |p: &str| l.starts_with(p);
    if starts("get")
        || starts("fetch")
        || starts("list")
        || starts("find")
        || starts("search")
        || starts("lookup")
        || starts("show")
        || starts("read")
        || starts("all")
    {
        Some(Method::Get)
    } else if starts("post")
        || starts("create")
        || starts("add")
        || starts("insert")
        || starts("store")
        || starts("send")
    {
        Some(Method::Post)
    } else if starts("put") || starts("update") || starts("replace") || starts("upsert") {
        Some(Method::Put)
    } else if starts("patch") {
        Some(Method::Patch)
    } else if starts("delete") || starts("remove") || starts("destroy") || starts("del") {
        Some(Method::Delete)
    } else {
        None
    }
}

/// The last two segments of a library path, as a person would write the call (`http.post`).
fn short_path(path: &str) -> String {
    let s = segs(path.trim_start_matches("?."));
    s[s.len().saturating_sub(2)..].join(".")
}

fn segs(path: &str) -> Vec<&str> {
    path.split('.').filter(|s| !s.is_empty()).collect()
}

const HTTP_LIBS: [&str; 22] = [
    "axios",
    "got",
    "ky",
    "superagent",
    "needle",
    "requests",
    "httpx",
    "Http",
    "HTTParty",
    "RestClient",
    "Faraday",
    "Excon",
    "Typhoeus",
    "http",
    "https",
    "$",
    "jQuery",
    "aiohttp",
    "urllib3",
    "node-fetch",
    "treq",
    "grequests",
];

/// A call on a library path that sends a request.
pub fn lib_sink(path: &str, recv: Option<&Val>, new_object: bool) -> Option<SinkCall> {
    if new_object {
        // Constructing a client or a request object sends nothing.
        return None;
    }
    let s = segs(path);
    let last = *s.last()?;
    let sink = |shape: Shape, weak: bool| {
        Some(SinkCall {
            shape,
            label: format!("{}()", short_path(path)),
            client: None,
            weak,
        })
    };
    if s.len() == 1 {
        return match last {
            "fetch" | "node-fetch" | "cross-fetch" | "isomorphic-fetch" | "ofetch" | "$fetch" => {
                sink(
                    Shape::Url {
                        verb: None,
                        options_arg: Some(1),
                    },
                    false,
                )
            }
            "axios" | "request" | "got" | "ky" | "needle" => sink(Shape::Config(0), false),
            "curl_init" | "curl_setopt" | "curl_setopt_array" => sink(Shape::PhpCurl, false),
            "wp_remote_get" | "wp_safe_remote_get" => sink(
                Shape::Url {
                    verb: Some(Method::Get),
                    options_arg: Some(1),
                },
                false,
            ),
            "wp_remote_post" | "wp_safe_remote_post" => sink(
                Shape::Url {
                    verb: Some(Method::Post),
                    options_arg: Some(1),
                },
                false,
            ),
            "wp_remote_request" | "wp_safe_remote_request" => sink(
                Shape::Url {
                    verb: None,
                    options_arg: Some(1),
                },
                false,
            ),
            "file_get_contents" | "fopen" | "urlopen" | "open" => sink(
                Shape::Url {
                    verb: Some(Method::Get),
                    options_arg: None,
                },
                true,
            ),
            "curl" => sink(Shape::Cli("curl"), false),
            "wget" => sink(Shape::Cli("wget"), false),
            "http" | "https" | "xh" => sink(Shape::Cli("httpie"), false),
            "Invoke-RestMethod" | "Invoke-WebRequest" | "irm" | "iwr" => {
                sink(Shape::Cli("pwsh"), false)
            }
            _ => None,
        };
    }
    let lib_known = s[..s.len() - 1].iter().any(|x| HTTP_LIBS.contains(x))
        || s.first().is_some_and(|x| x.ends_with("fetch"));
    let n8n = s.iter().any(|x| {
        matches!(
            *x,
            "httpRequest"
                | "requestWithAuthentication"
                | "httpRequestWithAuthentication"
                | "requestOAuth2"
        )
    }) || (s.len() >= 2 && s[s.len() - 2] == "helpers" && last == "request");
    if n8n {
        let idx = if last == "call" || last == "apply" {
            2
        } else if s
            .iter()
            .any(|x| x.contains("WithAuthentication") || *x == "requestOAuth2")
        {
            1
        } else {
            0
        };
        return sink(Shape::Config(idx), false);
    }
    let prev = s.len().checked_sub(2).map(|i| s[i]).unwrap_or("");
    // Node's `https.request(options)` / `http.get(url)` (not Dart's `package:http`, not a client).
    if s.len() == 2 && matches!(prev, "https" | "http") && matches!(last, "request" | "get") {
        return sink(
            Shape::NodeHttp((last == "get").then_some(Method::Get)),
            false,
        );
    }
    if matches!(last, "ajax") && matches!(prev, "$" | "jQuery") {
        return sink(Shape::Config(0), false);
    }
    if matches!(last, "getJSON") && matches!(prev, "$" | "jQuery") {
        return sink(
            Shape::Url {
                verb: Some(Method::Get),
                options_arg: None,
            },
            false,
        );
    }
    if (prev == "Net" || prev == "HTTP")
        && matches!(last, "get" | "get_response" | "post" | "post_form")
    {
        let verb = if last.starts_with("post") {
            Method::Post
        } else {
            Method::Get
        };
        return sink(
            Shape::Url {
                verb: Some(verb),
                options_arg: None,
            },
            false,
        );
    }
    if matches!(last, "request" | "send" | "run_request" | "requestAsync") && lib_known {
        return sink(Shape::MethodThenUrl, false);
    }
    if let Some(v) = verb_of_method(last) {
        let weak = !lib_known || matches!(recv, Some(Val::Unknown));
        return sink(
            Shape::Url {
                verb: Some(v),
                options_arg: None,
            },
            weak,
        );
    }
    if last == "exchange" {
        return sink(Shape::UrlThenMethod, true);
    }
    if matches!(
        last,
        "Do" | "send"
            | "SendAsync"
            | "execute"
            | "Execute"
            | "ExecuteAsync"
            | "request"
            | "urlopen"
            | "fetch"
    ) {
        return sink(Shape::Send, true);
    }
    None
}

/// A method called on a client value that sends a request.
pub fn client_sink(c: &Rc<Client>, m: &str) -> Option<SinkCall> {
    let label = if m.is_empty() {
        format!("{}()", c.lib)
    } else {
        format!("{}.{m}()", c.lib)
    };
    let mk = |shape: Shape| {
        Some(SinkCall {
            shape,
            label: label.clone(),
            client: Some(c.clone()),
            weak: false,
        })
    };
    if m.is_empty() {
        // The client called as a function: `api({ url })`, `api('/x', { method })`.
        return mk(Shape::Config(0));
    }
    if let Some(v) = verb_of_method(m) {
        return mk(Shape::Url {
            verb: Some(v),
            options_arg: None,
        });
    }
    match m {
        "request" | "requestAsync" | "send" | "run_request" | "fetch" => {
            if c.lib == "axios" || c.lib == "got" || c.lib == "ky" {
                mk(Shape::Config(0))
            } else {
                mk(Shape::MethodThenUrl)
            }
        }
        "exchange" => mk(Shape::UrlThenMethod),
        "Do" | "SendAsync" | "execute" | "Execute" | "ExecuteAsync" => mk(Shape::Send),
        _ => None,
    }
}

/// A declared type that is an HTTP client (`GuzzleHttp\Client`, `HttpClient`, `Dio`, `httpx.Client`).
pub fn client_type(ty: &str) -> Option<Client> {
    let t = ty
        .trim_start_matches(['\\', '?'])
        .trim_end_matches(['?', '!']);
    let last = t.rsplit(['\\', '.', ':']).next().unwrap_or(t);
    let lib = match last {
        "Client" if t.contains("Guzzle") => "guzzle",
        "ClientInterface" => "guzzle",
        "HttpClient" | "IHttpClientFactory" => "dotnet",
        "Dio" => "dio",
        "AsyncClient" if t.contains("httpx") => "httpx",
        "Client" if t.contains("httpx") => "httpx",
        "Session" if t.contains("requests") => "requests",
        "ClientSession" => "aiohttp",
        "AxiosInstance" => "axios",
        "RestTemplate" => "resttemplate",
        "WebClient" => "webclient",
        "OkHttpClient" => "okhttp",
        "RestClient" => "restsharp",
        _ => return None,
    };
    Some(Client {
        lib,
        base: None,
        join: Join::Slash,
        origin: None,
    })
}

fn arg<'c>(ce: &'c CallExpr, pos: usize, names: &[&str]) -> Option<&'c Expr> {
    if let Some(a) = ce
        .args
        .iter()
        .find(|a| a.name.as_deref().is_some_and(|n| names.contains(&n)))
    {
        return Some(&a.value);
    }
    ce.args
        .iter()
        .filter(|a| a.name.is_none() && !a.spread)
        .nth(pos)
        .map(|a| &a.value)
}

fn first_str(solver: &Solver, e: Option<&Expr>, fr: &FrameRef) -> Vec<Tmpl> {
    match e {
        Some(e) => solver.strings(e, fr),
        None => Vec::new(),
    }
}

/// Values of the field `k` of an object argument.
fn field(solver: &Solver, objs: &[Val], keys: &[&str]) -> Vec<Val> {
    let mut out = Vec::new();
    for o in objs {
        for k in keys {
            for v in solver.attr_of(o, k) {
                if !matches!(v, Val::Unknown) {
                    out.push(v);
                }
            }
        }
    }
    out
}

fn tmpls(vals: Vec<Val>) -> Vec<Tmpl> {
    vals.into_iter()
        .filter_map(|v| match v {
            Val::Str(t) => Some(t),
            Val::Lib(p) => super::eval::enum_verb(&p).map(Tmpl::lit),
            _ => None,
        })
        .collect()
}

/// The value of a library call: string helpers, client constructors, request objects.
pub fn lib_value(
    solver: &Solver,
    path: &str,
    recv: Option<&Val>,
    ce: &CallExpr,
    fr: &FrameRef,
) -> Vec<Val> {
    let s = segs(path);
    let last = s.last().copied().unwrap_or("");
    let prev = s.len().checked_sub(2).map(|i| s[i]).unwrap_or("");
    let at = format!("{}:{}", solver.ix.units[fr.unit].path, ce.line);
    let a0 = || first_str(solver, arg(ce, 0, &[]), fr);
    let a1 = || first_str(solver, arg(ce, 1, &[]), fr);
    let objs = |i: usize| -> Vec<Val> {
        ce.args
            .iter()
            .filter(|a| a.name.is_none())
            .nth(i)
            .map(|a| solver.eval(&a.value, fr))
            .unwrap_or_default()
    };
    let named_obj = || -> Val {
        Val::Obj(
            Rc::new(
                ce.args
                    .iter()
                    .filter_map(|a| a.name.clone().map(|n| (n, a.value.clone())))
                    .collect(),
            ),
            fr.clone(),
        )
    };
    let client = |lib: &'static str, base: Vec<Tmpl>, join: Join| -> Vec<Val> {
        let origin = Some(format!("{at} {}", path.trim_start_matches("?.")));
        if base.is_empty() {
            return vec![Val::Client(Rc::new(Client {
                lib,
                base: None,
                join,
                origin,
            }))];
        }
        base.into_iter()
            .map(|b| {
                Val::Client(Rc::new(Client {
                    lib,
                    base: Some(b),
                    join,
                    origin: origin.clone(),
                }))
            })
            .collect()
    };
    // Strings.
    if prev == "str" || matches!(recv, Some(Val::Str(_))) {
        let Some(Val::Str(r)) = recv else {
            return vec![Val::Unknown];
        };
        return match last {
            "format" => vec![Val::Str(format_braces(solver, r, ce, fr))],
            "upper" | "toUpperCase" | "upcase" | "ToUpper" | "toUpper" | "uppercase" => {
                vec![Val::Str(map_lits(r, |l| l.to_ascii_uppercase()))]
            }
            "lower" | "toLowerCase" | "downcase" | "ToLower" | "toLower" | "lowercase" => {
                vec![Val::Str(map_lits(r, |l| l.to_ascii_lowercase()))]
            }
            "strip" | "rstrip" | "trim" | "trimEnd" | "TrimEnd" | "Trim" | "freeze"
            | "toString" | "ToString" | "to_s" | "chomp" | "encode" | "decode" | "replace"
            | "concat" => {
                if last == "concat" {
                    let mut t = r.clone();
                    for a in &ce.args {
                        if let Some(x) = solver.strings(&a.value, fr).into_iter().next() {
                            t.append(&x);
                        }
                    }
                    return vec![Val::Str(t)];
                }
                vec![Val::Str(r.clone())]
            }
            _ => vec![Val::Unknown],
        };
    }
    match (prev, last) {
        (_, "sprintf" | "Sprintf" | "vsprintf" | "format" | "Format" | "printf")
            if matches!(prev, "" | "fmt" | "String" | "string" | "str") =>
        {
            let t = a0();
            let Some(t) = t.into_iter().next() else {
                return vec![Val::Unknown];
            };
            return vec![Val::Str(format_printf(
                solver,
                &t,
                &ce.args[1.min(ce.args.len())..],
                fr,
            ))];
        }
        (_, "strtoupper" | "strtolower" | "upper" | "lower" | "ucfirst") if prev.is_empty() => {
            let up = last.contains("upper");
            return a0()
                .into_iter()
                .map(|t| {
                    Val::Str(map_lits(&t, |l| {
                        if up {
                            l.to_ascii_uppercase()
                        } else {
                            l.to_ascii_lowercase()
                        }
                    }))
                })
                .collect();
        }
        (
            _,
            "trim" | "rtrim" | "ltrim" | "strval" | "String" | "str" | "encodeURI" | "URI" | "Uri"
            | "parse" | "create" | "URL" | "Url" | "freeze" | "tostring" | "NewString",
        ) if matches!(
            prev,
            "" | "Uri" | "URI" | "url" | "URL" | "parse" | "urlparse" | "String"
        ) && !(last == "create" && prev.is_empty())
            && !(last == "URL" && ce.args.len() >= 2) =>
        {
            return a0().into_iter().map(Val::Str).collect();
        }
        (_, "URL") | ("url", "resolve") | ("URI", "join") | (_, "urljoin") => {
            // `new URL(path, base)`; `urljoin(base, path)`; `URI.join(base, path)`; `url.resolve(base, path)`.
            let named = |pos: usize, names: &[&str]| first_str(solver, arg(ce, pos, names), fr);
            let (base, rel) = if last == "URL" {
                (a1(), a0())
            } else {
                (named(0, &["base"]), named(1, &["url"]))
            };
            let mut out = Vec::new();
            for b in &base {
                for r in &rel {
                    out.push(Val::Str(join(b, r, Join::Rfc3986)));
                }
            }
            return if out.is_empty() {
                vec![Val::Unknown]
            } else {
                out
            };
        }
        ("path" | "posix" | "posixpath", "join") | ("os.path", "join") => {
            let mut t = Tmpl::default();
            for (i, a) in ce.args.iter().enumerate() {
                let x = solver
                    .strings(&a.value, fr)
                    .into_iter()
                    .next()
                    .unwrap_or_default();
                if i > 0 {
                    t = join(&t, &x, Join::Slash);
                } else {
                    t = x;
                }
            }
            return vec![Val::Str(t)];
        }
        ("Uri", "https" | "http") => {
            let mut t = Tmpl::lit(&format!("{last}://"));
            if let Some(h) = a0().into_iter().next() {
                t.append(&h);
            }
            if let Some(p) = a1().into_iter().next() {
                t.append(&p);
            }
            return vec![Val::Str(t)];
        }
        ("axios", "create") => {
            return client(
                "axios",
                tmpls(field(solver, &objs(0), &["baseURL", "baseUrl"])),
                Join::Slash,
            );
        }
        ("got" | "ky", "extend" | "create") => {
            return client(
                "got",
                tmpls(field(solver, &objs(0), &["prefixUrl", "prefixURL"])),
                Join::Slash,
            );
        }
        ("httpx", "Client" | "AsyncClient") => {
            return client(
                "httpx",
                first_str(solver, arg(ce, usize::MAX, &["base_url"]), fr),
                Join::Slash,
            );
        }
        ("requests", "Session" | "session") => return client("requests", Vec::new(), Join::Slash),
        ("aiohttp", "ClientSession") => {
            return client(
                "aiohttp",
                first_str(solver, arg(ce, 0, &["base_url"]), fr),
                Join::Rfc3986,
            );
        }
        ("Faraday", "new") | ("", "Faraday") => {
            let mut b = first_str(solver, arg(ce, 0, &["url"]), fr);
            b.retain(|t| !t.render().starts_with('{'));
            if b.is_empty() {
                b = tmpls(field(solver, &objs(0), &["url"]));
            }
            // Faraday treats its base path as a directory (adds the trailing slash), then resolves.
            for t in &mut b {
                if !t.render().ends_with('/') {
                    t.append(&Tmpl::lit("/"));
                }
            }
            return client("faraday", b, Join::Rfc3986);
        }
        ("Http", "baseUrl") => return client("laravel-http", a0(), Join::Slash),
        ("Http", _)
            if !matches!(
                last,
                "get" | "post" | "put" | "patch" | "delete" | "head" | "send"
            ) =>
        {
            return client("laravel-http", Vec::new(), Join::Slash);
        }
        ("resty", "New") => return client("resty", Vec::new(), Join::Slash),
        ("HTTP", "new" | "start") if s.contains(&"Net") => {
            let host = a0();
            let base = host
                .into_iter()
                .map(|h| {
                    let mut t = Tmpl::lit("https://");
                    t.append(&h);
                    t
                })
                .collect();
            return client("net-http", base, Join::Rfc3986);
        }
        (_, "NewRequest" | "NewRequestWithContext") => {
            let shift = usize::from(last == "NewRequestWithContext");
            let method = first_str(solver, arg(ce, shift, &[]), fr);
            let url = first_str(solver, arg(ce, shift + 1, &[]), fr);
            return reqs(url, method_of(&method), &at, "http.NewRequest");
        }
        ("requests", "Request") => {
            let m = first_str(solver, arg(ce, 0, &["method"]), fr);
            let url = first_str(solver, arg(ce, 1, &["url"]), fr);
            return reqs(url, method_of(&m), &at, "requests.Request");
        }
        (_, "Request")
            if matches!(
                solver.ix.lang(fr.unit),
                crate::scan::lang::Lang::Php | crate::scan::lang::Lang::Dart
            ) =>
        {
            // Guzzle PSR-7 `new Request('POST', $uri)`, Dart `http.Request('POST', uri)`.
            let m = first_str(solver, arg(ce, 0, &["method"]), fr);
            return reqs(a1(), method_of(&m), &at, "Request");
        }
        ("request" | "urllib", "Request") | ("", "Request")
            if !ce.new_object
                || solver.ix.lang(fr.unit) == crate::scan::lang::Lang::Python
                || solver.ix.lang(fr.unit) == crate::scan::lang::Lang::JavaScript
                || solver.ix.lang(fr.unit) == crate::scan::lang::Lang::TypeScript =>
        {
            let url = a0();
            let m = first_str(solver, arg(ce, usize::MAX, &["method"]), fr);
            let mut method = method_of(&m);
            if method.is_none()
                && (arg(ce, 1, &["data"]).is_some())
                && solver.ix.lang(fr.unit) == crate::scan::lang::Lang::Python
            {
                method = Some((Method::Post, "urllib Request with data".into()));
            }
            if method.is_none() && solver.ix.lang(fr.unit) == crate::scan::lang::Lang::Python {
                method = Some((Method::Get, "default GET of urllib Request".into()));
            }
            if solver.ix.lang(fr.unit) != crate::scan::lang::Lang::Python {
                let opts = objs(1);
                let m = tmpls(field(solver, &opts, &["method"]));
                method = method_of(&m).or(Some((Method::Get, "default GET of Request".into())));
            }
            return reqs(url, method, &at, "Request");
        }
        ("HTTP", "Get" | "Post" | "Put" | "Patch" | "Delete" | "Head") if s.contains(&"Net") => {
            let v = verb_of_method(last);
            return reqs(
                a0(),
                v.map(|m| (m, format!("Net::HTTP::{last}"))),
                &at,
                "Net::HTTP request",
            );
        }
        (_, "Get" | "Post" | "Put" | "Patch" | "Delete")
            if ce.new_object && s.contains(&"HTTP") =>
        {
            let v = verb_of_method(last);
            return reqs(
                a0(),
                v.map(|m| (m, format!("Net::HTTP::{last}"))),
                &at,
                "Net::HTTP request",
            );
        }
        (_, "new")
            if matches!(prev, "Get" | "Post" | "Put" | "Patch" | "Delete")
                && s.contains(&"HTTP") =>
        {
            let v = verb_of_method(prev);
            return reqs(
                a0(),
                v.map(|m| (m, format!("Net::HTTP::{prev}"))),
                &at,
                "Net::HTTP request",
            );
        }
        (_, "HttpRequestMessage") => {
            let m = first_str(solver, arg(ce, 0, &[]), fr);
            let m: Vec<Tmpl> = m
                .into_iter()
                .map(|t| {
                    Tmpl::lit(
                        t.render()
                            .rsplit(['.', '{'])
                            .next()
                            .unwrap_or("")
                            .trim_end_matches('}'),
                    )
                })
                .collect();
            return reqs(a1(), method_of(&m), &at, "HttpRequestMessage");
        }
        (_, "RestRequest") => {
            let m = first_str(solver, arg(ce, 1, &["method"]), fr);
            let m: Vec<Tmpl> = m
                .into_iter()
                .map(|t| {
                    Tmpl::lit(
                        t.render()
                            .rsplit(['.', '{'])
                            .next()
                            .unwrap_or("")
                            .trim_end_matches('}'),
                    )
                })
                .collect();
            return reqs(
                a0(),
                method_of(&m).or(Some((Method::Get, "default GET of RestRequest".into()))),
                &at,
                "RestRequest",
            );
        }
        ("Request", "Builder") | ("HttpRequest", "newBuilder") => {
            // OkHttp and java.net.http builders send GET unless a verb method says otherwise.
            let url = a0().into_iter().next().unwrap_or_default();
            return vec![Val::Req(Rc::new(ReqObj {
                url,
                method: Some((Method::Get, "default GET of the request builder".into())),
                origin: format!("{at} request builder"),
            }))];
        }
        (_, "HttpMethod") => return a0().into_iter().map(Val::Str).collect(),
        (_, "Dio") => {
            let mut b = tmpls(field(solver, &objs(0), &["baseUrl"]));
            if b.is_empty() {
                b = first_str(solver, arg(ce, usize::MAX, &["baseUrl"]), fr);
            }
            return client("dio", b, Join::Slash);
        }
        (_, "HttpClient") if ce.new_object || prev.is_empty() => {
            let base = first_str(solver, arg(ce, usize::MAX, &["BaseAddress"]), fr);
            return client("dotnet", base, Join::Rfc3986);
        }
        (_, "RestClient") if ce.new_object => {
            let mut base = first_str(solver, arg(ce, 0, &["baseUrl", "BaseUrl"]), fr);
            base.retain(|t| !t.render().starts_with('{'));
            return client("restsharp", base, Join::Slash);
        }
        (_, "Client") if ce.new_object || s.contains(&"GuzzleHttp") => {
            let base = tmpls(field(solver, &objs(0), &["base_uri", "base_url"]));
            if !base.is_empty() || s.contains(&"GuzzleHttp") || ce.new_object {
                return client("guzzle", base, Join::Rfc3986);
            }
        }
        (_, "OkHttpClient") | ("HttpClient", "newHttpClient") | ("http", "Client") => {
            return client("http-client", Vec::new(), Join::Slash);
        }
        ("WebClient", "create") => return client("webclient", a0(), Join::Slash),
        _ => {}
    }
    // An unknown constructor or function with only named arguments (`BaseOptions(baseUrl: x)`): keep
    // them as an object so a client constructor receiving it can read them.
    if !ce.args.is_empty() && ce.args.iter().all(|a| a.name.is_some()) {
        return vec![named_obj()];
    }
    // Request builders (OkHttp, java.net.http): `.url(x)`, `.uri(x)`, `.post(b)`, `.build()`.
    if let Some(Val::Req(r)) = recv {
        let mut r = (**r).clone();
        match last {
            "url" | "uri" | "Url" => {
                if let Some(t) = a0().into_iter().next() {
                    r.url = t;
                }
            }
            _ => {
                if let Some(v) = verb_of_method(last) {
                    r.method = Some((v, format!("request builder .{last}()")));
                } else if last == "method" {
                    r.method = method_of(&a0());
                }
            }
        }
        return vec![Val::Req(Rc::new(r))];
    }
    vec![Val::Unknown]
}

fn reqs(url: Vec<Tmpl>, method: Option<(Method, String)>, at: &str, what: &str) -> Vec<Val> {
    if url.is_empty() {
        return vec![Val::Unknown];
    }
    url.into_iter()
        .map(|u| {
            Val::Req(Rc::new(ReqObj {
                url: u,
                method: method.clone(),
                origin: format!("{at} {what}"),
            }))
        })
        .collect()
}

/// What a method call on a client returns: a request-site call returns a response (unknown); fluent
/// configuration returns the client, possibly with a new base URL.
pub fn client_method_value(
    solver: &Solver,
    c: &Rc<Client>,
    m: &str,
    ce: &CallExpr,
    fr: &FrameRef,
) -> Vec<Val> {
    if matches!(
        m,
        "newCall" | "prepare_request" | "prepareRequest" | "build" | "prepare"
    ) {
        // Prepares a request object for a later send (OkHttp `newCall`, requests `prepare_request`).
        if let Some(a) = ce.args.first() {
            let v: Vec<Val> = solver
                .eval(&a.value, fr)
                .into_iter()
                .filter(|v| matches!(v, Val::Req(_)))
                .collect();
            if !v.is_empty() {
                return v;
            }
        }
    }
    if verb_of_method(m).is_some() || matches!(m, "request" | "send" | "Do" | "execute") {
        return vec![Val::Unknown];
    }
    if matches!(
        m,
        "SetBaseURL"
            | "SetHostURL"
            | "baseUrl"
            | "baseURL"
            | "base_url"
            | "withBaseUrl"
            | "SetBaseUrl"
    ) {
        let base = first_str(solver, arg(ce, 0, &[]), fr);
        return base
            .into_iter()
            .map(|b| {
                Val::Client(Rc::new(Client {
                    lib: c.lib,
                    base: Some(b),
                    join: c.join,
                    origin: Some(format!("{}:{} {m}", solver.ix.units[fr.unit].path, ce.line)),
                }))
            })
            .collect();
    }
    vec![Val::Client(c.clone())]
}

fn map_lits(t: &Tmpl, f: impl Fn(&str) -> String) -> Tmpl {
    Tmpl {
        pieces: t
            .pieces
            .iter()
            .map(|p| match p {
                Piece::Lit(l) => Piece::Lit(f(l)),
                p => p.clone(),
            })
            .collect(),
        trail: t.trail.clone(),
    }
}

/// `"…{}…{0}…{name}…".format(a, b, name=c)`.
fn format_braces(solver: &Solver, t: &Tmpl, ce: &CallExpr, fr: &FrameRef) -> Tmpl {
    let mut out = Tmpl {
        pieces: Vec::new(),
        trail: t.trail.clone(),
    };
    let mut auto = 0;
    for p in &t.pieces {
        let Piece::Lit(l) = p else {
            out.pieces.push(p.clone());
            continue;
        };
        let mut rest = l.as_str();
        while let Some(i) = rest.find('{') {
            if rest[i..].starts_with("{{") {
                out.append(&Tmpl::lit(&rest[..i + 1]));
                rest = &rest[i + 2..];
                continue;
            }
            let Some(j) = rest[i..].find('}') else { break };
            out.append(&Tmpl::lit(&rest[..i]));
            let key = rest[i + 1..i + j].split([':', '!']).next().unwrap_or("");
            let e = if key.is_empty() {
                auto += 1;
                arg(ce, auto - 1, &[])
            } else if let Ok(n) = key.parse::<usize>() {
                arg(ce, n, &[])
            } else {
                ce.args
                    .iter()
                    .find(|a| a.name.as_deref() == Some(key))
                    .map(|a| &a.value)
            };
            let v = match e {
                Some(e) => solver
                    .strings(e, fr)
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| Tmpl::hole(key)),
                None => Tmpl::hole(if key.is_empty() { "param" } else { key }),
            };
            out.append(&v);
            rest = &rest[i + j + 1..];
        }
        out.append(&Tmpl::lit(rest));
    }
    out
}

/// `sprintf("%s/contacts/%d", a, b)` (also `%v`, `{0}` for .NET `string.Format`).
fn format_printf(solver: &Solver, t: &Tmpl, args: &[Arg], fr: &FrameRef) -> Tmpl {
    let mut out = Tmpl {
        pieces: Vec::new(),
        trail: t.trail.clone(),
    };
    let mut next = 0;
    let val = |i: usize| -> Tmpl {
        args.get(i)
            .and_then(|a| solver.strings(&a.value, fr).into_iter().next())
            .unwrap_or_else(|| Tmpl::hole("param"))
    };
    for p in &t.pieces {
        let Piece::Lit(l) = p else {
            out.pieces.push(p.clone());
            continue;
        };
        let b = l.as_bytes();
        let mut last = 0;
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' && i + 1 < b.len() {
                if b[i + 1] == b'%' {
                    out.append(&Tmpl::lit(&l[last..i + 1]));
                    i += 2;
                    last = i;
                    continue;
                }
                let mut j = i + 1;
                while j < b.len()
                    && (b[j].is_ascii_digit() || matches!(b[j], b'.' | b'-' | b'+' | b'$'))
                {
                    j += 1;
                }
                if j < b.len() && b[j].is_ascii_alphabetic() {
                    out.append(&Tmpl::lit(&l[last..i]));
                    out.append(&val(next));
                    next += 1;
                    i = j + 1;
                    last = i;
                    continue;
                }
            } else if b[i] == b'{'
                && i + 1 < b.len()
                && b[i + 1].is_ascii_digit()
                && let Some(k) = l[i..].find('}')
            {
                let n: usize = l[i + 1..i + k]
                    .split([':', ','])
                    .next()
                    .unwrap_or("")
                    .parse()
                    .unwrap_or(0);
                out.append(&Tmpl::lit(&l[last..i]));
                out.append(&val(n));
                i += k + 1;
                last = i;
                continue;
            }
            i += 1;
        }
        out.append(&Tmpl::lit(&l[last..]));
    }
    out
}

/// A verb from string alternatives (`'post'`, `"PUT"`, `HttpMethod.Post`).
fn method_of(alts: &[Tmpl]) -> Option<(Method, String)> {
    for t in alts {
        if let Some(l) = t.literal() {
            let word = l.rsplit(['.', ':']).next().unwrap_or(&l).trim();
            if let Some(m) = Method::parse(&word.to_ascii_uppercase()) {
                return Some((m, format!("argument '{}'", word.to_ascii_uppercase())));
            }
        }
    }
    None
}

/// Verbs from string alternatives, with the "open" flag when one depends on an unbound parameter.
fn methods_from(alts: &[Tmpl], how: &str) -> (Vec<(Method, String)>, bool) {
    let mut out: Vec<(Method, String)> = Vec::new();
    let mut open = false;
    for t in alts {
        if t.has_params() {
            open = true;
            continue;
        }
        if let Some(l) = t.literal() {
            let word = l
                .rsplit(['.', ':'])
                .next()
                .unwrap_or(&l)
                .trim()
                .to_ascii_uppercase();
            if let Some(m) = Method::parse(&word)
                && !out.iter().any(|(x, _)| *x == m)
            {
                out.push((m, format!("{how} {word}")));
            }
        }
    }
    (out, open)
}

fn found(
    url: Tmpl,
    methods: (Vec<(Method, String)>, bool),
    join_note: Option<&'static str>,
) -> Found {
    Found {
        url,
        methods: methods.0,
        method_open: methods.1,
        chain: Vec::new(),
        join_note,
    }
}

fn with_base(c: Option<&Rc<Client>>, url: Tmpl) -> (Tmpl, Option<&'static str>) {
    match c.and_then(|c| c.base.as_ref().map(|b| (c, b))) {
        Some((c, b)) if !super::value::is_absolute(&url.render()) => {
            let mut t = join(b, &url, c.join);
            if let Some(o) = &c.origin {
                t.push_trail(o.clone());
            }
            (t, Some(c.join.describe()))
        }
        _ => (url, None),
    }
}

/// The requests a sink call sends.
pub fn evaluate(solver: &Solver, sc: &SinkCall, ce: &CallExpr, fr: &FrameRef) -> Vec<Found> {
    let client = sc.client.as_ref();
    let mut out = Vec::new();
    match &sc.shape {
        Shape::Url { verb, options_arg } => {
            let url_e = arg(
                ce,
                0,
                &["url", "uri", "path", "endpoint", "requestUri", "requestUrl"],
            );
            let mut alts = url_e.map(|e| solver.eval(e, fr)).unwrap_or_default();
            if alts.is_empty() {
                // `requests.get(**kw)` / `fetch()` without a URL argument.
                return out;
            }
            alts.truncate(8);
            for v in alts {
                match v {
                    Val::Req(r) => {
                        let (url, note) = with_base(client, r.url.clone());
                        let m = r.method.clone().map(|m| vec![m]).unwrap_or_default();
                        let mut f = found(url, (m, false), note);
                        f.chain.push(r.origin.clone());
                        out.push(f);
                    }
                    Val::Str(t) => {
                        let (url, note) = with_base(client, t);
                        let methods = match (verb, options_arg) {
                            (Some(v), _) => (vec![(*v, format!("call {}", sc.label))], false),
                            (None, Some(i)) => {
                                let opts = ce
                                    .args
                                    .iter()
                                    .filter(|a| a.name.is_none())
                                    .nth(*i)
                                    .map(|a| solver.eval(&a.value, fr))
                                    .unwrap_or_default();
                                let m = tmpls(field(solver, &opts, &["method", "type"]));
                                let (ms, open) = methods_from(&m, "option method");
                                if ms.is_empty() && !open {
                                    (
                                        vec![(Method::Get, format!("default GET of {}", sc.label))],
                                        false,
                                    )
                                } else {
                                    (ms, open)
                                }
                            }
                            (None, None) => (Vec::new(), false),
                        };
                        out.push(found(url, methods, note));
                    }
                    _ => {}
                }
            }
        }
        Shape::MethodThenUrl => {
            let first = arg(ce, 0, &["method", "verb"])
                .map(|e| solver.eval(e, fr))
                .unwrap_or_default();
            // `request({ method, url })` on libraries that also take one object.
            if first.iter().any(|v| matches!(v, Val::Obj(..))) {
                return evaluate(
                    solver,
                    &SinkCall {
                        shape: Shape::Config(0),
                        ..sc.clone()
                    },
                    ce,
                    fr,
                );
            }
            if first.iter().any(|v| matches!(v, Val::Req(_))) {
                return evaluate(
                    solver,
                    &SinkCall {
                        shape: Shape::Send,
                        ..sc.clone()
                    },
                    ce,
                    fr,
                );
            }
            let m = tmpls(first);
            let methods = methods_from(&m, "argument");
            let url_e = ce
                .args
                .iter()
                .find(|a| {
                    a.name
                        .as_deref()
                        .is_some_and(|n| matches!(n, "url" | "uri" | "path"))
                })
                .map(|a| &a.value)
                .or_else(|| arg(ce, 1, &[]));
            for t in first_str(solver, url_e, fr) {
                let (url, note) = with_base(client, t);
                out.push(found(url, methods.clone(), note));
            }
        }
        Shape::UrlThenMethod => {
            let m = tmpls(
                arg(ce, 1, &["method"])
                    .map(|e| solver.eval(e, fr))
                    .unwrap_or_default(),
            );
            let methods = methods_from(&m, "argument");
            for t in first_str(solver, arg(ce, 0, &["url"]), fr) {
                let (url, note) = with_base(client, t);
                out.push(found(url, methods.clone(), note));
            }
        }
        Shape::Config(i) => {
            let i = *i;
            let a = ce
                .args
                .iter()
                .filter(|a| a.name.is_none())
                .nth(i)
                .map(|a| solver.eval(&a.value, fr))
                .unwrap_or_default();
            let (objs, url_strs): (Vec<Val>, Vec<Tmpl>) = {
                let mut o = Vec::new();
                let mut u = Vec::new();
                for v in a {
                    match v {
                        Val::Str(t) => u.push(t),
                        Val::Obj(..) => o.push(v),
                        _ => {}
                    }
                }
                (o, u)
            };
            let (objs, urls) = if url_strs.is_empty() {
                let urls = tmpls(field(solver, &objs, &["url", "uri"]));
                let bases = tmpls(field(solver, &objs, &["baseURL", "baseUrl"]));
                let urls = if bases.is_empty() {
                    urls
                } else {
                    let mut v = Vec::new();
                    for b in &bases {
                        for u in &urls {
                            v.push(join(b, u, Join::Slash));
                        }
                    }
                    v
                };
                (objs, urls)
            } else {
                // `axios(url, config)`.
                let cfg = ce
                    .args
                    .iter()
                    .filter(|a| a.name.is_none())
                    .nth(i + 1)
                    .map(|a| solver.eval(&a.value, fr))
                    .unwrap_or_default();
                (cfg, url_strs)
            };
            let m = tmpls(field(solver, &objs, &["method", "type"]));
            let (ms, open) = methods_from(&m, "option method");
            let methods = if ms.is_empty() && !open {
                (
                    vec![(Method::Get, format!("default GET of {}", sc.label))],
                    false,
                )
            } else {
                (ms, open)
            };
            for t in urls {
                let (url, note) = with_base(client, t);
                out.push(found(url, methods.clone(), note));
            }
        }
        Shape::NodeHttp(verb) => {
            let a = ce
                .args
                .iter()
                .find(|a| a.name.is_none())
                .map(|a| solver.eval(&a.value, fr))
                .unwrap_or_default();
            for v in a {
                match v {
                    Val::Str(t) => out.push(found(
                        t,
                        (
                            vec![(
                                verb.unwrap_or(Method::Get),
                                format!("default GET of {}", sc.label),
                            )],
                            false,
                        ),
                        None,
                    )),
                    Val::Obj(..) => {
                        let objs = [v];
                        let hosts = tmpls(field(solver, &objs, &["hostname", "host"]));
                        let paths = tmpls(field(solver, &objs, &["path"]));
                        let m = tmpls(field(solver, &objs, &["method"]));
                        let (ms, open) = methods_from(&m, "option method");
                        let methods = if ms.is_empty() && !open {
                            (
                                vec![(
                                    verb.unwrap_or(Method::Get),
                                    format!("default GET of {}", sc.label),
                                )],
                                false,
                            )
                        } else {
                            (ms, open)
                        };
                        for h in &hosts {
                            for p in &paths {
                                let mut t = Tmpl::lit("https://");
                                t.append(h);
                                t.append(p);
                                out.push(found(t, methods.clone(), None));
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        Shape::PhpCurl => out.extend(php_curl(solver, ce, fr)),
        Shape::Cli(tool) => out.extend(cli(solver, tool, ce, fr)),
        Shape::Send => {
            for a in &ce.args {
                for v in solver.eval(&a.value, fr) {
                    if let Val::Req(r) = v {
                        let (url, note) = with_base(client, r.url.clone());
                        let mut f = found(
                            url,
                            (r.method.clone().map(|m| vec![m]).unwrap_or_default(), false),
                            note,
                        );
                        f.chain.push(r.origin.clone());
                        out.push(f);
                    }
                }
            }
        }
    }
    if sc.weak {
        out.retain(|f| super::value::v1_split(&f.url.render()).is_some());
    }
    out
}

fn php_curl(solver: &Solver, ce: &CallExpr, fr: &FrameRef) -> Vec<Found> {
    let name = match &ce.callee {
        Expr::Name(n) => n.as_str(),
        _ => "",
    };
    let url_e: Option<&Expr> = match name {
        "curl_init" => arg(ce, 0, &[]),
        "curl_setopt" => match (arg(ce, 1, &[]), arg(ce, 2, &[])) {
            (Some(Expr::Name(k)), v) if k == "CURLOPT_URL" => v,
            _ => None,
        },
        "curl_setopt_array" => match arg(ce, 1, &[]) {
            Some(Expr::Object(fields)) => fields
                .iter()
                .find(|(k, _)| k == "CURLOPT_URL")
                .map(|(_, v)| v),
            _ => None,
        },
        _ => None,
    };
    let Some(url_e) = url_e else {
        return Vec::new();
    };
    // The verb is set on the handle by other calls of the same function.
    let facts = solver.ix.facts(fr.unit);
    let mut custom: Vec<Tmpl> = Vec::new();
    let mut post = false;
    let mut opts: Vec<(String, &Expr)> = Vec::new();
    for &i in solver.ix.calls_in(fr.unit, fr.func) {
        let c = &facts.calls[i].call;
        match &c.callee {
            Expr::Name(n) if n == "curl_setopt" => {
                if let (Some(Expr::Name(k)), Some(v)) = (arg(c, 1, &[]), arg(c, 2, &[])) {
                    opts.push((k.clone(), v));
                }
            }
            Expr::Name(n) if n == "curl_setopt_array" => {
                if let Some(Expr::Object(fields)) = arg(c, 1, &[]) {
                    for (k, v) in fields {
                        opts.push((k.clone(), v));
                    }
                }
            }
            _ => {}
        }
    }
    for (k, v) in opts {
        match k.as_str() {
            "CURLOPT_CUSTOMREQUEST" => custom.extend(solver.strings(v, fr)),
            "CURLOPT_POST" | "CURLOPT_POSTFIELDS" => post = true,
            _ => {}
        }
    }
    let methods = if !custom.is_empty() {
        methods_from(&custom, "CURLOPT_CUSTOMREQUEST")
    } else if post {
        (vec![(Method::Post, "CURLOPT_POST".into())], false)
    } else {
        (vec![(Method::Get, "default GET of curl".into())], false)
    };
    solver
        .strings(url_e, fr)
        .into_iter()
        .map(|t| found(t, methods.clone(), None))
        .collect()
}

/// curl / wget / HTTPie / PowerShell words: the URL is the first word that is not a flag or a flag's value.
fn cli(solver: &Solver, tool: &str, ce: &CallExpr, fr: &FrameRef) -> Vec<Found> {
    // Named arguments (PowerShell `-Uri x -Method Post`) come back as a flag word and its value.
    let mut words: Vec<Tmpl> = Vec::new();
    for a in &ce.args {
        if let Some(n) = &a.name {
            words.push(Tmpl::lit(&format!("-{n}")));
        }
        words.push(
            solver
                .strings(&a.value, fr)
                .into_iter()
                .next()
                .unwrap_or_default(),
        );
    }
    let with_value = [
        "-H",
        "--header",
        "-u",
        "--user",
        "-o",
        "--output",
        "-A",
        "--user-agent",
        "-e",
        "--referer",
        "-b",
        "--cookie",
        "-c",
        "--cookie-jar",
        "-w",
        "--write-out",
        "-m",
        "--max-time",
        "--connect-timeout",
        "-K",
        "--config",
        "--cacert",
        "--cert",
        "-x",
        "--proxy",
        "-r",
        "--range",
        "--retry",
        "-O",
        "--output-document",
        "--header=",
        "-Headers",
        "-Body",
        "-ContentType",
        "-OutFile",
    ];
    let data = [
        "-d",
        "--data",
        "--data-raw",
        "--data-binary",
        "--data-urlencode",
        "-F",
        "--form",
        "--json",
        "-T",
        "--upload-file",
        "--post-data",
        "--post-file",
    ];
    let mut method: Option<(Method, String)> = None;
    let mut has_data = false;
    let mut url: Option<Tmpl> = None;
    let mut i = 0;
    let lit = |t: &Tmpl| t.literal().unwrap_or_default();
    while i < words.len() {
        let w = lit(&words[i]);
        if tool == "httpie"
            && url.is_none()
            && method.is_none()
            && Method::parse(&w.to_ascii_uppercase()).is_some()
            && !w.contains('/')
        {
            method = Method::parse(&w.to_ascii_uppercase()).map(|m| (m, format!("httpie {w}")));
            i += 1;
            continue;
        }
        if w == "-X" || w == "--request" || w.eq_ignore_ascii_case("-Method") {
            if let Some(m) = words
                .get(i + 1)
                .map(lit)
                .and_then(|m| Method::parse(&m.to_ascii_uppercase()))
            {
                method = Some((m, format!("{tool} {w} {}", m.as_str())));
            }
            i += 2;
            continue;
        }
        if let Some(m) = w
            .strip_prefix("-X")
            .filter(|m| !m.is_empty())
            .or_else(|| w.strip_prefix("--method="))
        {
            if let Some(m) = Method::parse(&m.to_ascii_uppercase()) {
                method = Some((m, format!("{tool} -X {}", m.as_str())));
            }
            i += 1;
            continue;
        }
        if w == "--url" || w.eq_ignore_ascii_case("-Uri") {
            url = words.get(i + 1).cloned();
            i += 2;
            continue;
        }
        if tool == "pwsh" && w.starts_with('-') {
            i += 2; // every named PowerShell parameter carries its value
            continue;
        }
        if data
            .iter()
            .any(|d| w == *d || w.starts_with(&format!("{d}=")))
        {
            has_data = true;
            i += if w.contains('=') { 1 } else { 2 };
            continue;
        }
        if with_value.contains(&w.as_str()) {
            i += 2;
            continue;
        }
        if w.starts_with('-') && !w.is_empty() {
            i += 1;
            continue;
        }
        if url.is_none() {
            url = Some(words[i].clone());
        }
        i += 1;
    }
    let Some(url) = url else { return Vec::new() };
    let methods = match method {
        Some(m) => vec![m],
        None if has_data => vec![(Method::Post, format!("{tool} with a request body"))],
        None => vec![(Method::Get, format!("default GET of {tool}"))],
    };
    vec![found(url, (methods, false), None)]
}
