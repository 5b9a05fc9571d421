//! Rust sources are read with `syn`: every string literal, including those inside `format!`/`concat!`
//! and other macro invocations, with `format!` placeholders turned into interpolation parts.
use super::lexer::{Part, StrLit};
use super::lines::LineIndex;
use proc_macro2::{TokenStream, TokenTree};
use syn::visit::Visit;

/// Macros whose first string argument is a format string (`{}` / `{name}` are placeholders).
const FORMAT_MACROS: &[&str] = &[
    "format",
    "print",
    "println",
    "eprint",
    "eprintln",
    "write",
    "writeln",
    "format_args",
    "panic",
    "anyhow",
    "bail",
    "ensure",
    "error",
    "warn",
    "info",
    "debug",
    "trace",
    "concat",
];

/// Deeper bracket nesting is not handed to `syn`, whose parser and visitor recurse once (or more) per
/// level: 100 000 nested `{` overflow even the main thread's stack, let alone a walker thread's 2 MiB.
/// Real code stays far below this; the lexer (iterative) reads such files instead.
pub const MAX_NESTING: usize = 48;

/// String literals of a Rust file, or `None` when it does not parse or nests deeper than [`MAX_NESTING`]
/// (the caller falls back to the lexer).
pub fn strings(src: &str) -> Option<Vec<StrLit>> {
    if max_nesting(src) > MAX_NESTING {
        return None;
    }
    let out = collect(src);
    // proc-macro2 keeps every parsed file's line table in a thread-local source map with 32-bit offsets:
    // without this, memory grows with the Rust code a thread has parsed, and offsets wrap past 4 GiB.
    // No span outlives `collect` (string literals are kept as byte offsets).
    proc_macro2::extra::invalidate_current_thread_spans();
    out
}

/// The deepest bracket nesting (`(`, `[`, `{`), counting brackets inside strings and comments too.
pub fn max_nesting(src: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    for b in src.bytes() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

fn collect(src: &str) -> Option<Vec<StrLit>> {
    let file = syn::parse_file(src).ok()?;
    let li = LineIndex::new(src);
    let mut v = Collector {
        li: &li,
        out: Vec::new(),
    };
    v.visit_file(&file);
    v.out.sort_by_key(|s| s.start);
    v.out.dedup_by_key(|s| s.start);
    Some(v.out)
}

struct Collector<'a> {
    li: &'a LineIndex<'a>,
    out: Vec<StrLit>,
}

impl Collector<'_> {
    fn push(&mut self, span: proc_macro2::Span, value: String, format: bool) {
        let (s, e) = (span.start(), span.end());
        let start = self.li.offset(s.line, s.column + 1);
        let end = self.li.offset(e.line, e.column + 1).max(start);
        let body = start + 1;
        let parts = if format {
            split_format(&value, body)
        } else {
            vec![Part::Text {
                off: body,
                text: value,
            }]
        };
        self.out.push(StrLit { start, end, parts });
    }

    fn tokens(&mut self, ts: TokenStream, format: bool) {
        let mut first_lit = format;
        for tt in ts {
            match tt {
                TokenTree::Literal(lit) => {
                    if let Ok(s) = syn::parse_str::<syn::LitStr>(&lit.to_string()) {
                        self.push(lit.span(), s.value(), first_lit);
                        first_lit = false;
                    }
                }
                TokenTree::Group(g) => self.tokens(g.stream(), false),
                _ => {}
            }
        }
    }
}

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_lit_str(&mut self, l: &'ast syn::LitStr) {
        self.push(l.span(), l.value(), false);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        let name = m
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        self.tokens(
            m.tokens.clone(),
            FORMAT_MACROS.contains(&name.as_str()) && name != "concat",
        );
    }
}

/// `"{}/contacts/{id}"` → text and interpolation parts; `{{`/`}}` are literal braces.
fn split_format(s: &str, off: usize) -> Vec<Part> {
    let mut parts = Vec::new();
    let mut text = String::new();
    let mut chars = s.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' if chars.peek().map(|p| p.1) == Some('{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek().map(|p| p.1) == Some('}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                if !text.is_empty() {
                    parts.push(Part::Text {
                        off,
                        text: std::mem::take(&mut text),
                    });
                }
                let mut expr = String::new();
                for (_, c) in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                    expr.push(c);
                }
                let name = expr.split(':').next().unwrap_or("").trim().to_string();
                parts.push(Part::Interp {
                    off: off + i,
                    expr: name,
                });
            }
            _ => text.push(c),
        }
    }
    if !text.is_empty() {
        parts.push(Part::Text { off, text });
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs `f` on a thread with a walker thread's stack (the `ignore` crate's workers get 2 MiB).
    fn on_walker_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(f)
            .unwrap()
            .join()
            .unwrap()
    }

    #[test]
    fn deep_nesting_falls_back_instead_of_overflowing_the_stack() {
        // Found by fuzzing (fuzz target `source`): 100 000 nested braces overflowed syn's recursion.
        let deep = |n: usize| {
            format!(
                "fn f() {}let u = \"https://rest.gohighlevel.com/v1/tags/\";{}",
                "{".repeat(n),
                "}".repeat(n)
            )
        };
        let hostile = deep(100_000);
        assert!(on_walker_stack(move || strings(&hostile)).is_none());
        // At the limit syn still reads it, even unoptimised on a walker's stack.
        let edge = deep(MAX_NESTING - 1);
        let lits = on_walker_stack(move || strings(&edge)).unwrap();
        assert_eq!(lits.len(), 1);
        // Mixed brackets count as one nesting.
        assert_eq!(max_nesting("([{}])[]"), 3);
        assert_eq!(max_nesting(")))((("), 3);
    }

    #[test]
    fn spans_are_released_between_files() {
        // The thread-local source map is cleared after each file: offsets stay right file after file.
        let src = "const A: &str = \"https://rest.gohighlevel.com/v1\";\n";
        let first = strings(src).unwrap();
        for _ in 0..1000 {
            let again = strings(src).unwrap();
            assert_eq!(again[0].start, first[0].start);
            assert_eq!(again[0].end, first[0].end);
        }
    }

    #[test]
    fn literals_consts_and_macros() {
        let src = r#"
const GHL_BASE: &str = "https://rest.gohighlevel.com/v1";
fn f(id: &str) -> String {
    let a = format!("{}/contacts/{}", GHL_BASE, id);
    let b = format!("{GHL_BASE}/pipelines/{{x}}");
    let c = concat!("https://rest.gohighlevel.com", "/v1/tags/");
    a
}
"#;
        let lits = strings(src).unwrap();
        let t: Vec<String> = lits.iter().map(StrLit::template).collect();
        assert_eq!(
            t,
            vec![
                "https://rest.gohighlevel.com/v1",
                "{}/contacts/{}",
                "{}/pipelines/{x}",
                "https://rest.gohighlevel.com",
                "/v1/tags/"
            ]
        );
        let li = LineIndex::new(src);
        assert_eq!(li.line(lits[1].start), 4);
        assert_eq!(&src[lits[0].start..lits[0].start + 9], "\"https://");
    }

    #[test]
    fn invalid_rust_is_none() {
        assert!(strings("fn (").is_none());
    }
}
