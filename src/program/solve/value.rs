//! Abstract values the solver computes: string templates with holes, HTTP clients, request objects,
//! instances, classes, modules and closures.
use super::eval::FrameRef;
use crate::method::Method;
use crate::program::facts::{ClassId, Expr, FnId};
use std::rc::Rc;

/// Most alternatives kept for one expression (a `Choice`, several assignments, a cartesian product).
pub const MAX_ALTERNATIVES: usize = 8;

/// One piece of a string template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Lit(String),
    /// A part whose value is not known (a runtime value, an id); rendered `{name}`.
    Hole(String),
    /// A parameter of a function that was evaluated without a caller: the value comes from each call
    /// site. `(unit, function, name)`.
    Param(usize, FnId, String),
}

/// A string built from pieces, with the trail of definitions it came through.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tmpl {
    pub pieces: Vec<Piece>,
    pub trail: Vec<String>,
}

/// Longest trail kept on a value (the steps nearest the request are the useful ones).
const MAX_TRAIL: usize = 6;

impl Tmpl {
    pub fn lit(s: &str) -> Tmpl {
        Tmpl {
            pieces: vec![Piece::Lit(s.to_string())],
            trail: Vec::new(),
        }
    }

    pub fn hole(name: &str) -> Tmpl {
        Tmpl {
            pieces: vec![Piece::Hole(name.to_string())],
            trail: Vec::new(),
        }
    }

    /// The template with holes written `{name}` (parameters too).
    pub fn render(&self) -> String {
        let mut s = String::new();
        for p in &self.pieces {
            match p {
                Piece::Lit(l) => s.push_str(l),
                Piece::Hole(h) | Piece::Param(_, _, h) => {
                    s.push('{');
                    s.push_str(clean_hole(h));
                    s.push('}');
                }
            }
        }
        s
    }

    /// The literal text, when the template has no holes.
    pub fn literal(&self) -> Option<String> {
        let mut s = String::new();
        for p in &self.pieces {
            match p {
                Piece::Lit(l) => s.push_str(l),
                _ => return None,
            }
        }
        Some(s)
    }

    pub fn has_params(&self) -> bool {
        self.pieces.iter().any(|p| matches!(p, Piece::Param(..)))
    }

    pub fn append(&mut self, other: &Tmpl) {
        for p in &other.pieces {
            match (self.pieces.last_mut(), p) {
                (Some(Piece::Lit(a)), Piece::Lit(b)) => a.push_str(b),
                (_, p) => self.pieces.push(p.clone()),
            }
        }
        for t in &other.trail {
            self.push_trail(t.clone());
        }
    }

    pub fn push_trail(&mut self, step: String) {
        if !self.trail.contains(&step) {
            self.trail.push(step);
            if self.trail.len() > MAX_TRAIL {
                self.trail.remove(0);
            }
        }
    }

    /// Leading literal text (up to the first hole).
    pub fn head(&self) -> &str {
        match self.pieces.first() {
            Some(Piece::Lit(l)) => l,
            _ => "",
        }
    }
}

/// A hole name fit for a path template: `self.contact_id` → `contact_id`, `$id` → `id`.
fn clean_hole(h: &str) -> &str {
    let h = h.trim_start_matches(['$', '@']);
    let h = h.rsplit(['.', '>', ':']).next().unwrap_or(h);
    if h.is_empty() { "param" } else { h }
}

/// How a client joins its base URL and a request path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Join {
    /// One slash between base and path (axios `baseURL`, httpx `base_url`, Laravel `baseUrl`, Dio).
    Slash,
    /// RFC 3986 reference resolution (Guzzle `base_uri`, Faraday, .NET `BaseAddress`, Retrofit, `urljoin`,
    /// `new URL(path, base)`): a base without a trailing slash loses its last segment, a path starting
    /// with `/` replaces the base path.
    Rfc3986,
}

impl Join {
    pub fn describe(self) -> &'static str {
        match self {
            Join::Slash => "joined with one '/'",
            Join::Rfc3986 => "resolved per RFC 3986",
        }
    }
}

/// An HTTP client object (a library module or an instance configured with a base URL).
#[derive(Debug, Clone, PartialEq)]
pub struct Client {
    /// Library family (`axios`, `guzzle`, `requests`, `httpx`, `laravel-http`, `faraday`, `curl`, …).
    pub lib: &'static str,
    pub base: Option<Tmpl>,
    pub join: Join,
    /// Where the client was configured (`ghl.js:10 axios.create`).
    pub origin: Option<String>,
}

/// A request object built before it is sent (`http.NewRequest`, `new Request(url)`,
/// `Net::HTTP::Post.new(uri)`, `new HttpRequestMessage(…)`, `new RestRequest(…)`).
#[derive(Debug, Clone, PartialEq)]
pub struct ReqObj {
    pub url: Tmpl,
    pub method: Option<(Method, String)>,
    pub origin: String,
}

/// An instance of a class of the scanned code.
#[derive(Debug, Clone)]
pub struct Instance {
    pub unit: usize,
    pub class: ClassId,
    /// Constructor arguments, when the construction site is known.
    pub args: Option<Rc<Vec<ArgVal>>>,
}

/// An evaluated argument.
#[derive(Debug, Clone)]
pub struct ArgVal {
    pub name: Option<String>,
    pub vals: Vec<Val>,
}

#[derive(Debug, Clone)]
pub enum Val {
    Str(Tmpl),
    /// An object literal, its fields evaluated on access in the frame that wrote it.
    Obj(Rc<Vec<(String, Expr)>>, FrameRef),
    Client(Rc<Client>),
    Req(Rc<ReqObj>),
    Instance(Rc<Instance>),
    Class(usize, ClassId),
    Module(usize),
    /// A function value, with the frame it closes over.
    Func(usize, FnId, Option<FrameRef>),
    /// A library name that is not a known client (`os`, `json`, a package not in the tree).
    Lib(Rc<str>),
    Unknown,
}

impl Val {
    pub fn as_tmpl(&self) -> Option<&Tmpl> {
        match self {
            Val::Str(t) => Some(t),
            _ => None,
        }
    }
}

/// Which V1 host a rendered URL starts with, and the rest after the host.
pub fn v1_split(url: &str) -> Option<(String, String)> {
    split_host(url, &["rest.gohighlevel.com", "rest.leadconnectorhq.com"])
}

/// `(host, rest)` for a URL on the V2 host (`services.leadconnectorhq.com`).
pub fn v2_split(url: &str) -> Option<(String, String)> {
    split_host(url, &["services.leadconnectorhq.com"])
}

fn split_host(url: &str, hosts: &[&str]) -> Option<(String, String)> {
    let lower = url.to_ascii_lowercase();
    let after_scheme = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"))
        .or_else(|| lower.strip_prefix("//"))?;
    for &host in hosts {
        if let Some(rest) = after_scheme.strip_prefix(host) {
            let skip = url.len() - rest.len();
            let rest = &url[skip..];
            let rest = rest.strip_prefix(":443").unwrap_or(rest);
            if rest.is_empty() || rest.starts_with(['/', '?', '#']) {
                return Some((host.to_string(), rest.to_string()));
            }
        }
    }
    None
}

/// Whether a rendered URL is on a V2 (or any non-V1) absolute host.
pub fn is_absolute(url: &str) -> bool {
    let l = url.trim_start().to_ascii_lowercase();
    l.starts_with("http://") || l.starts_with("https://") || l.starts_with("//")
}

/// Joins a client base and a request path per the client's rule.
pub fn join(base: &Tmpl, path: &Tmpl, how: Join) -> Tmpl {
    let rendered = path.render();
    if is_absolute(&rendered) {
        return path.clone();
    }
    let mut out = base.clone();
    match how {
        Join::Slash => {
            trim_end_slash(&mut out);
            let mut p = path.clone();
            trim_start_slash(&mut p);
            if !p.pieces.is_empty() && !p.render().starts_with(['?', '#']) {
                out.append(&Tmpl::lit("/"));
            }
            out.append(&p);
        }
        Join::Rfc3986 => {
            if rendered.starts_with('/') {
                // Replaces the whole base path: keep scheme and host only.
                let b = base.render();
                let host_end = b
                    .find("//")
                    .and_then(|i| b[i + 2..].find('/').map(|j| i + 2 + j))
                    .unwrap_or(b.len());
                out = Tmpl {
                    pieces: vec![Piece::Lit(b[..host_end].to_string())],
                    trail: base.trail.clone(),
                };
                out.append(path);
            } else if rendered.starts_with(['?', '#']) || rendered.is_empty() {
                out.append(path);
            } else {
                // Drop the base's last segment unless it ends with '/'.
                let b = base.render();
                if !b.ends_with('/') {
                    let scheme_end = b.find("//").map_or(0, |i| i + 2);
                    let cut = b[scheme_end..].rfind('/').map(|i| scheme_end + i + 1);
                    out = Tmpl {
                        pieces: vec![Piece::Lit(match cut {
                            Some(c) => b[..c].to_string(),
                            None => format!("{b}/"),
                        })],
                        trail: base.trail.clone(),
                    };
                }
                out.append(path);
            }
        }
    }
    out
}

fn trim_end_slash(t: &mut Tmpl) {
    if let Some(Piece::Lit(l)) = t.pieces.last_mut() {
        while l.ends_with('/') {
            l.pop();
        }
    }
}

fn trim_start_slash(t: &mut Tmpl) {
    if let Some(Piece::Lit(l)) = t.pieces.first_mut() {
        let n = l.len() - l.trim_start_matches('/').len();
        l.drain(..n);
        if l.is_empty() {
            t.pieces.remove(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_follow_each_library_rule() {
        let b = Tmpl::lit("https://rest.gohighlevel.com/v1/");
        let b2 = Tmpl::lit("https://rest.gohighlevel.com/v1");
        let p = Tmpl::lit("contacts/");
        let abs = Tmpl::lit("/contacts/");
        assert_eq!(
            join(&b, &p, Join::Rfc3986).render(),
            "https://rest.gohighlevel.com/v1/contacts/"
        );
        assert_eq!(
            join(&b2, &p, Join::Rfc3986).render(),
            "https://rest.gohighlevel.com/contacts/"
        );
        assert_eq!(
            join(&b, &abs, Join::Rfc3986).render(),
            "https://rest.gohighlevel.com/contacts/"
        );
        assert_eq!(
            join(&b2, &abs, Join::Slash).render(),
            "https://rest.gohighlevel.com/v1/contacts/"
        );
        assert_eq!(
            join(&b, &abs, Join::Slash).render(),
            "https://rest.gohighlevel.com/v1/contacts/"
        );
        assert_eq!(
            join(&b2, &p, Join::Slash).render(),
            "https://rest.gohighlevel.com/v1/contacts/"
        );
        let full = Tmpl::lit("https://services.leadconnectorhq.com/contacts/");
        assert_eq!(join(&b, &full, Join::Slash), full);
    }

    #[test]
    fn v1_hosts_are_split_from_the_path() {
        assert_eq!(
            v1_split("https://rest.gohighlevel.com/v1/contacts/{id}"),
            Some(("rest.gohighlevel.com".into(), "/v1/contacts/{id}".into()))
        );
        assert_eq!(
            v1_split("https://services.leadconnectorhq.com/contacts"),
            None
        );
        assert_eq!(v1_split("https://rest.gohighlevel.com.evil.io/v1"), None);
        assert_eq!(
            v1_split("//REST.LeadConnectorHQ.com"),
            Some(("rest.leadconnectorhq.com".into(), String::new()))
        );
    }
}
