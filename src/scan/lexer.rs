//! A small, table-driven lexer per language family: it finds string literals (with their interpolations)
//! and comments, which is all the scanner needs from code. It never fails: unterminated constructs run to
//! the end of the file, so hostile or truncated input still yields what can be read.
use super::lang::Lang;

/// A piece of a string literal: literal text or an interpolated expression (`${x}`, `{x}`, `$x`, `#{x}`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Literal text starting at byte offset `off` of the source (JSON-style `\/` already unescaped).
    Text { off: usize, text: String },
    /// An interpolation; `expr` is its source text without the delimiters.
    Interp { off: usize, expr: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StrLit {
    /// Byte range of the whole literal, delimiters and prefix included.
    pub start: usize,
    pub end: usize,
    pub parts: Vec<Part>,
}

impl StrLit {
    /// The literal's text with every interpolation replaced by `{}`.
    pub fn template(&self) -> String {
        let mut s = String::new();
        for p in &self.parts {
            match p {
                Part::Text { text, .. } => s.push_str(text),
                Part::Interp { .. } => s.push_str("{}"),
            }
        }
        s
    }

    /// The plain text when the literal has no interpolation.
    pub fn plain(&self) -> Option<String> {
        match self.parts.as_slice() {
            [] => Some(String::new()),
            [Part::Text { text, .. }] => Some(text.clone()),
            _ => None,
        }
    }

    /// Offset of the first text part (for positioning findings).
    pub fn text_off(&self) -> usize {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Text { off, .. } | Part::Interp { off, .. } => *off,
            })
            .next()
            .unwrap_or(self.start)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comment {
    pub start: usize,
    pub end: usize,
}

#[derive(Debug, Default)]
pub struct Lexed {
    pub strings: Vec<StrLit>,
    pub comments: Vec<Comment>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Interp {
    None,
    /// `${expr}` only (JS templates).
    DollarBrace,
    /// `$name`, `${expr}`, `{$expr}` (PHP, shell, Dart, Kotlin, Groovy, Perl).
    DollarVar,
    /// `#{expr}` (Ruby, CoffeeScript).
    HashBrace,
    /// `{expr}` (Python f-strings, C# `$"…"`).
    Brace,
    /// `\(expr)` (Swift).
    Paren,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Single {
    /// A string with the given interpolation and backslash escapes.
    Str(Interp),
    /// No escapes except `\'`-free raw text (shell).
    Raw,
    /// A character literal (C, Java, Rust, Go, C#); otherwise `'` is code (Rust lifetimes).
    Char,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Backtick {
    Code,
    Template,
    Raw,
}

struct Syntax {
    line: &'static [&'static str],
    block: &'static [(&'static str, &'static str)],
    double: Interp,
    single: Single,
    backtick: Backtick,
    triple: bool,
    /// Python-style prefixes (`f`, `r`, `b`, `rb`, …) and C#'s `$`/`@`, Rust's `r#"…"#`, Dart's `r'…'`.
    prefixes: bool,
    heredoc: bool,
    /// `#` starts a comment only at the start of a word (shell).
    hash_word_start: bool,
}

fn syntax(lang: Lang) -> Syntax {
    let c_like = Syntax {
        line: &["//"],
        block: &[("/*", "*/")],
        double: Interp::None,
        single: Single::Char,
        backtick: Backtick::Code,
        triple: false,
        prefixes: false,
        heredoc: false,
        hash_word_start: false,
    };
    match lang {
        Lang::JavaScript | Lang::TypeScript => Syntax {
            single: Single::Str(Interp::None),
            backtick: Backtick::Template,
            ..c_like
        },
        Lang::Python => Syntax {
            line: &["#"],
            block: &[],
            single: Single::Str(Interp::None),
            triple: true,
            prefixes: true,
            ..c_like
        },
        Lang::Php => Syntax {
            line: &["//", "#"],
            double: Interp::DollarVar,
            single: Single::Str(Interp::None),
            heredoc: true,
            ..c_like
        },
        Lang::Ruby => Syntax {
            line: &["#"],
            block: &[("=begin", "=end")],
            double: Interp::HashBrace,
            single: Single::Str(Interp::None),
            backtick: Backtick::Code,
            heredoc: true,
            ..c_like
        },
        Lang::Shell => Syntax {
            line: &["#"],
            block: &[],
            double: Interp::DollarVar,
            single: Single::Raw,
            heredoc: true,
            hash_word_start: true,
            ..c_like
        },
        Lang::Go => Syntax {
            backtick: Backtick::Raw,
            ..c_like
        },
        Lang::Java => Syntax {
            triple: true,
            ..c_like
        },
        Lang::Kotlin => Syntax {
            double: Interp::DollarVar,
            triple: true,
            ..c_like
        },
        Lang::CSharp => Syntax {
            prefixes: true,
            triple: true,
            ..c_like
        },
        Lang::Dart => Syntax {
            double: Interp::DollarVar,
            single: Single::Str(Interp::DollarVar),
            triple: true,
            prefixes: true,
            ..c_like
        },
        Lang::Rust => Syntax {
            prefixes: true,
            ..c_like
        },
        Lang::Swift => Syntax {
            double: Interp::Paren,
            triple: true,
            ..c_like
        },
        Lang::CFamily => c_like,
        Lang::Json => Syntax {
            line: &[],
            block: &[],
            single: Single::Str(Interp::None),
            ..c_like
        },
        Lang::Yaml | Lang::Toml | Lang::Env | Lang::Ini => Syntax {
            line: &["#"],
            block: &[],
            double: Interp::DollarVar,
            single: Single::Raw,
            hash_word_start: true,
            ..c_like
        },
        Lang::Xml | Lang::Html => Syntax {
            line: &[],
            block: &[("<!--", "-->")],
            single: Single::Str(Interp::None),
            ..c_like
        },
        Lang::Markdown | Lang::Text => Syntax {
            line: &[],
            block: &[],
            single: Single::Raw,
            ..c_like
        },
    }
}

/// Lexes `src` as `lang`.
pub fn lex(src: &str, lang: Lang) -> Lexed {
    Lexer {
        s: src.as_bytes(),
        src,
        i: 0,
        syn: syntax(lang),
        out: Lexed::default(),
    }
    .run()
}

struct Lexer<'a> {
    s: &'a [u8],
    src: &'a str,
    i: usize,
    syn: Syntax,
    out: Lexed,
}

impl Lexer<'_> {
    fn at(&self, pat: &str) -> bool {
        self.s[self.i..].starts_with(pat.as_bytes())
    }

    fn run(mut self) -> Lexed {
        while self.i < self.s.len() {
            if self.comment() || self.string() {
                continue;
            }
            self.i += 1;
        }
        self.out
    }

    fn comment(&mut self) -> bool {
        for &(open, close) in self.syn.block {
            if self.at(open) {
                let start = self.i;
                let body = self.i + open.len();
                let end =
                    find(self.s, body, close.as_bytes()).map_or(self.s.len(), |e| e + close.len());
                self.out.comments.push(Comment { start, end });
                self.i = end;
                return true;
            }
        }
        for &l in self.syn.line {
            if self.at(l) {
                if l == "#" && self.syn.hash_word_start && self.i > 0 {
                    let prev = self.s[self.i - 1];
                    if !prev.is_ascii_whitespace() && prev != b';' {
                        return false;
                    }
                }
                // `#!` shebang and `#{` interpolation outside strings are not comments in our languages.
                if l == "#"
                    && self.s.get(self.i + 1) == Some(&b'{')
                    && self.syn.double == Interp::HashBrace
                {
                    return false;
                }
                let start = self.i;
                let end =
                    memchr::memchr(b'\n', &self.s[self.i..]).map_or(self.s.len(), |e| self.i + e);
                self.out.comments.push(Comment { start, end });
                self.i = end;
                return true;
            }
        }
        false
    }

    fn string(&mut self) -> bool {
        let start = self.i;
        let c = self.s[self.i];
        // Prefixed literals: f"…", rb'…', $"…", @"…", $@"…", r#"…"#, r'…'.
        if self.syn.prefixes && (c.is_ascii_alphabetic() || c == b'$' || c == b'@') {
            let prev_ident = start > 0
                && (self.s[start - 1].is_ascii_alphanumeric() || self.s[start - 1] == b'_');
            if !prev_ident {
                let mut j = self.i;
                while j < self.s.len()
                    && j - start < 3
                    && matches!(
                        self.s[j],
                        b'f' | b'F' | b'r' | b'R' | b'b' | b'B' | b'u' | b'U' | b'$' | b'@'
                    )
                {
                    j += 1;
                }
                if j > start && j < self.s.len() {
                    let prefix = &self.src[start..j].to_ascii_lowercase();
                    let q = self.s[j];
                    if prefix == "r" && q == b'#' {
                        return self.rust_raw(start, j);
                    }
                    if q == b'"' || q == b'\'' {
                        let raw = prefix.contains('r') || prefix.contains('@');
                        let interp = if prefix.contains('f') || prefix.contains('$') {
                            Interp::Brace
                        } else {
                            Interp::None
                        };
                        let interp = if interp == Interp::None && !raw {
                            self.quote_interp(q)
                        } else {
                            interp
                        };
                        if q == b'\''
                            && matches!(self.syn.single, Single::Char)
                            && !prefix.contains('f')
                        {
                            return false;
                        }
                        self.i = j;
                        return self.quoted(start, q, interp, raw);
                    }
                }
            }
            return false;
        }
        match c {
            b'"' => self.quoted(start, b'"', self.syn.double, false),
            b'\'' => match self.syn.single {
                Single::Str(interp) => self.quoted(start, b'\'', interp, false),
                Single::Raw => self.quoted(start, b'\'', Interp::None, true),
                Single::Char => self.char_lit(),
            },
            b'`' => match self.syn.backtick {
                Backtick::Template => self.quoted(start, b'`', Interp::DollarBrace, false),
                Backtick::Raw => self.quoted(start, b'`', Interp::None, true),
                Backtick::Code => false,
            },
            b'<' if self.syn.heredoc && self.at("<<") => self.heredoc(),
            _ => false,
        }
    }

    fn quote_interp(&self, q: u8) -> Interp {
        match q {
            b'"' => self.syn.double,
            _ => match self.syn.single {
                Single::Str(i) => i,
                _ => Interp::None,
            },
        }
    }

    fn char_lit(&mut self) -> bool {
        // 'x' or '\n' or '\u{..}' — otherwise a lifetime or an apostrophe in code.
        let rest = &self.s[self.i + 1..];
        let len = if rest.first() == Some(&b'\\') {
            rest.iter().skip(1).position(|&b| b == b'\'').map(|p| p + 2)
        } else {
            let ch_len = self.src[self.i + 1..]
                .chars()
                .next()
                .map_or(1, char::len_utf8);
            (rest.get(ch_len) == Some(&b'\'')).then_some(ch_len)
        };
        match len {
            Some(l) if l <= 12 => {
                self.i += l + 2;
                true
            }
            _ => false,
        }
    }

    fn rust_raw(&mut self, start: usize, hash_at: usize) -> bool {
        let mut j = hash_at;
        while j < self.s.len() && self.s[j] == b'#' {
            j += 1;
        }
        if self.s.get(j) != Some(&b'"') {
            return false;
        }
        let hashes = j - hash_at;
        let mut close = vec![b'"'];
        close.extend(std::iter::repeat_n(b'#', hashes));
        let body = j + 1;
        let end_body = find(self.s, body, &close).unwrap_or(self.s.len());
        let text = self.src[body..end_body].to_string();
        self.out.strings.push(StrLit {
            start,
            end: (end_body + close.len()).min(self.s.len()),
            parts: vec![Part::Text { off: body, text }],
        });
        self.i = (end_body + close.len()).min(self.s.len());
        true
    }

    fn heredoc(&mut self) -> bool {
        // <<<EOT / <<<'EOT' / <<<"EOT" (PHP), <<EOF / <<-EOF / <<'EOF' (shell), <<~EOS (Ruby)
        let start = self.i;
        let mut j = self.i + 2;
        while j < self.s.len() && matches!(self.s[j], b'<' | b'-' | b'~' | b' ') {
            j += 1;
        }
        let quoted = matches!(self.s.get(j), Some(b'\'' | b'"'));
        if quoted {
            j += 1;
        }
        let id_start = j;
        while j < self.s.len() && (self.s[j].is_ascii_alphanumeric() || self.s[j] == b'_') {
            j += 1;
        }
        if j == id_start || j - id_start > 40 {
            return false;
        }
        let ident = self.src[id_start..j].to_string();
        let Some(nl) = memchr::memchr(b'\n', &self.s[j..]).map(|p| j + p + 1) else {
            return false;
        };
        // The terminator is the identifier alone on a line (leading whitespace allowed).
        let mut k = nl;
        let mut body_end = self.s.len();
        let mut end = self.s.len();
        while k < self.s.len() {
            let line_end = memchr::memchr(b'\n', &self.s[k..]).map_or(self.s.len(), |p| k + p);
            let line = self.src[k..line_end].trim();
            if line == ident || line.trim_end_matches(';') == ident {
                body_end = k;
                end = line_end;
                break;
            }
            k = line_end + 1;
        }
        let interp = if quoted && self.s[id_start - 1] == b'\'' {
            Interp::None
        } else {
            self.syn.double
        };
        let parts = split_interp(self.src, nl, body_end, interp);
        self.out.strings.push(StrLit { start, end, parts });
        self.i = end;
        true
    }

    /// A quoted literal opening at `self.i` with quote `q` (tripled when the language allows).
    fn quoted(&mut self, start: usize, q: u8, interp: Interp, raw: bool) -> bool {
        let triple = self.syn.triple && self.s[self.i..].starts_with(&[q, q, q]) && q != b'`';
        let open = if triple { 3 } else { 1 };
        let body = self.i + open;
        let mut j = body;
        let mut depth = 0usize;
        let body_end;
        loop {
            if j >= self.s.len() {
                body_end = self.s.len();
                break;
            }
            let b = self.s[j];
            if b == b'\\' && !raw {
                j += 2;
                continue;
            }
            // Skip over interpolations so quotes inside them do not end the string.
            if depth == 0
                && interp != Interp::None
                && let Some(close) = interp_open(self.s, j, interp)
            {
                j = close;
                continue;
            }
            if b == q && (!triple || self.s[j..].starts_with(&[q, q, q])) {
                body_end = j;
                break;
            }
            if b == b'\n'
                && !triple
                && q != b'`'
                && !raw
                && matches!(q, b'\'' | b'"')
                && self.syn.line.contains(&"//")
            {
                // An unterminated single-line string in a C-like language: stop at the line end.
                body_end = j;
                break;
            }
            depth = 0;
            j += 1;
        }
        let end = (body_end + if body_end < self.s.len() { open } else { 0 }).min(self.s.len());
        let parts = if raw {
            vec![Part::Text {
                off: body,
                text: self.src[body..body_end].to_string(),
            }]
        } else {
            split_interp(self.src, body, body_end, interp)
        };
        self.out.strings.push(StrLit { start, end, parts });
        self.i = end.max(start + 1);
        true
    }
}

/// If an interpolation opens at `j`, the index just after it closes.
fn interp_open(s: &[u8], j: usize, interp: Interp) -> Option<usize> {
    let b = s[j];
    let next = s.get(j + 1).copied();
    match interp {
        Interp::DollarBrace if b == b'$' && next == Some(b'{') => Some(close_brace(s, j + 1)),
        Interp::HashBrace if b == b'#' && next == Some(b'{') => Some(close_brace(s, j + 1)),
        Interp::DollarVar if b == b'$' && next == Some(b'{') => Some(close_brace(s, j + 1)),
        Interp::DollarVar if b == b'{' && next == Some(b'$') => Some(close_brace(s, j)),
        Interp::DollarVar
            if b == b'$' && next.is_some_and(|n| n.is_ascii_alphabetic() || n == b'_') =>
        {
            let mut k = j + 1;
            loop {
                while k < s.len() && (s[k].is_ascii_alphanumeric() || s[k] == b'_') {
                    k += 1;
                }
                if s[k..].starts_with(b"->")
                    && s.get(k + 2).is_some_and(|c| c.is_ascii_alphabetic())
                {
                    k += 2;
                } else if s.get(k) == Some(&b'[') && s[k..].iter().take(40).any(|&c| c == b']') {
                    k += s[k..].iter().position(|&c| c == b']').unwrap() + 1;
                } else {
                    break;
                }
            }
            Some(k)
        }
        Interp::Brace if b == b'{' => {
            if next == Some(b'{') {
                None // `{{` is an escaped brace in f-strings and C# interpolation
            } else {
                Some(close_brace(s, j))
            }
        }
        Interp::Paren if b == b'\\' && next == Some(b'(') => {
            let mut depth = 0;
            let mut k = j + 1;
            while k < s.len() {
                match s[k] {
                    b'(' => depth += 1,
                    b')' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(k + 1);
                        }
                    }
                    _ => {}
                }
                k += 1;
            }
            Some(s.len())
        }
        _ => None,
    }
}

fn close_brace(s: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    let mut k = open;
    while k < s.len() {
        match s[k] {
            b'{' => depth += 1,
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return k + 1;
                }
            }
            b'\n' if depth > 0 && k > open + 400 => return k,
            _ => {}
        }
        k += 1;
    }
    s.len()
}

/// Splits a literal's body into text and interpolation parts.
fn split_interp(src: &str, body: usize, end: usize, interp: Interp) -> Vec<Part> {
    let s = src.as_bytes();
    let mut parts = Vec::new();
    let mut text_start = body;
    let mut j = body;
    let push_text = |parts: &mut Vec<Part>, a: usize, b: usize| {
        if b > a {
            let t = &src[a..b];
            let t = if t.contains("\\/") {
                t.replace("\\/", "/")
            } else {
                t.to_string()
            };
            parts.push(Part::Text { off: a, text: t });
        }
    };
    while j < end {
        if s[j] == b'\\' && interp != Interp::Paren {
            j += 2;
            continue;
        }
        if interp != Interp::None
            && let Some(close) = interp_open(s, j, interp)
        {
            let close = close.min(end);
            push_text(&mut parts, text_start, j);
            let expr = src[j..close]
                .trim_start_matches(['$', '#', '\\'])
                .trim_start_matches(['{', '('])
                .trim_end_matches(['}', ')']);
            parts.push(Part::Interp {
                off: j,
                expr: expr.trim_start_matches('$').to_string(),
            });
            j = close;
            text_start = j;
            continue;
        }
        j += 1;
    }
    push_text(&mut parts, text_start, end.min(s.len()));
    parts
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    if from >= hay.len() {
        return None;
    }
    memchr::memmem::find(&hay[from..], needle).map(|p| from + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn templates(src: &str, lang: Lang) -> Vec<String> {
        lex(src, lang)
            .strings
            .iter()
            .map(StrLit::template)
            .collect()
    }

    #[test]
    fn js_strings_templates_and_comments() {
        let src = "const a = 'x'; // https://rest.gohighlevel.com/v1/a\nconst b = `${BASE}/contacts/${id}`; /* c */ const c = \"d\\\"e\";";
        let l = lex(src, Lang::JavaScript);
        assert_eq!(
            templates(src, Lang::JavaScript),
            vec!["x", "{}/contacts/{}", "d\\\"e"]
        );
        assert_eq!(l.comments.len(), 2);
        match &l.strings[1].parts[0] {
            Part::Interp { expr, .. } => assert_eq!(expr, "BASE"),
            p => panic!("{p:?}"),
        }
    }

    #[test]
    fn python_prefixes_and_triples() {
        let src =
            "u = f\"{self.base}/contacts/{cid}\"\n# note\nd = '''multi\nline'''\nr = rb'raw\\d'";
        assert_eq!(
            templates(src, Lang::Python),
            vec!["{}/contacts/{}", "multi\nline", "raw\\d"]
        );
    }

    #[test]
    fn php_interpolation_and_heredoc() {
        let src = "<?php $u = \"$base/contacts/{$id}/notes\"; $v = 'a' . $x; # c\n$h = <<<EOT\nGET https://rest.gohighlevel.com/v1/tags/\nEOT;\n";
        assert_eq!(
            templates(src, Lang::Php),
            vec![
                "{}/contacts/{}/notes",
                "a",
                "GET https://rest.gohighlevel.com/v1/tags/\n"
            ]
        );
    }

    #[test]
    fn shell_words_and_comments() {
        let src = "curl -X PUT \"$BASE_URL/v1/contacts/${ID}\" # trailing\necho a#b 'single $x'";
        let l = lex(src, Lang::Shell);
        assert_eq!(
            templates(src, Lang::Shell),
            vec!["{}/v1/contacts/{}", "single $x"]
        );
        assert_eq!(l.comments.len(), 1);
    }

    #[test]
    fn csharp_dart_rust_go() {
        assert_eq!(
            templates(
                "var u = $\"{Base}/v1/contacts/{id}\"; var c = 'x';",
                Lang::CSharp
            ),
            vec!["{}/v1/contacts/{}"]
        );
        assert_eq!(
            templates("final u = '$base/contacts/${c.id}';", Lang::Dart),
            vec!["{}/contacts/{}"]
        );
        assert_eq!(
            templates(
                "fn f<'a>(x: &'a str) { let u = r#\"/v1/\"x\"#; let c = 'c'; }",
                Lang::Rust
            ),
            vec!["/v1/\"x"]
        );
        assert_eq!(
            templates("u := `https://rest.gohighlevel.com/v1/`", Lang::Go),
            vec!["https://rest.gohighlevel.com/v1/"]
        );
    }

    #[test]
    fn unterminated_input_never_panics() {
        for src in [
            "\"abc",
            "`${",
            "'''",
            "/* x",
            "<<<EOT\nabc",
            "$\"{",
            "r#\"x",
            "f'{",
            "\\",
            "'\\",
            "\"\\",
        ] {
            for lang in [
                Lang::JavaScript,
                Lang::Python,
                Lang::Php,
                Lang::Shell,
                Lang::CSharp,
                Lang::Rust,
                Lang::Ruby,
                Lang::Dart,
                Lang::Swift,
            ] {
                let _ = lex(src, lang);
            }
        }
    }

    #[test]
    fn json_escaped_slashes() {
        assert_eq!(
            templates(
                r#"{"u":"https:\/\/rest.gohighlevel.com\/v1\/contacts"}"#,
                Lang::Json
            )[1],
            "https://rest.gohighlevel.com/v1/contacts"
        );
    }
}
