//! Ruby extractor (tree-sitter-ruby).
//!
//! Modelling choices the solver relies on:
//! - `module M` is a class named `M` with no bases (so `def self.x` in a module is a static method of `M`);
//!   constants assigned directly in a module body are bound in the module's class scope AND at
//!   [`Scope::Module`] (Ruby resolves bare constants lexically, so nested classes see them by name).
//! - `include X` / `extend X` / `prepend X` in a class body add `X` to the class's bases (`HTTParty`).
//! - Class-body macro calls (`base_uri '…'`, `headers '…' => '…'`) are calls of the enclosing function
//!   (0 at top level) and also bind the class members `base_uri` / `headers` to their first argument.
//! - `@x` / `@@x` → `Attr(SelfRef, "x")`; `self.class` → `SelfRef`; `x.freeze` / `x.to_s` / `x.dup` → `x`.
//! - A method call with a receiver, no arguments, no parentheses and no block (`uri.host`) is recorded as a
//!   call but its value is `Attr(receiver, name)` (attribute readers look the same in Ruby).
//! - Blocks, `lambda {}` / `proc {}` / `->(){}` are functions; a block is passed as the last positional
//!   argument `Func(id)` of its call.
//! - Trailing `k: v` / `:k => v` pairs are named arguments; when any key is not a symbol
//!   (`'Version' => '…'`) the pairs form one positional `Object` argument (the trailing hash).
use super::{Builder, MAX_DEPTH, column, concat, end_line, line, named_children, text};
use crate::program::facts::{
    Arg, CallExpr, Class, ClassId, Expr, FileFacts, FnId, Function, Import, Param, Scope,
};
use std::collections::{HashMap, HashSet};
use tree_sitter::Node;

pub fn extract(src: &str, tree: &tree_sitter::Tree) -> FileFacts {
    let root = tree.root_node();
    let mut x = Rb {
        src,
        b: Builder::new(),
        heredocs: pair_heredocs(root),
        ctx: Vec::new(),
        methods: Vec::new(),
        singleton: false,
        locals: Vec::new(),
        attrs: HashMap::new(),
    };
    x.body(root, false, 0);
    x.b.finish()
}

/// Maps each heredoc beginning (by start byte) to its body: bodies follow in the order of their beginnings.
fn pair_heredocs(root: Node<'_>) -> HashMap<usize, Node<'_>> {
    let mut begins = Vec::new();
    let mut bodies = Vec::new();
    let mut c = root.walk();
    loop {
        let n = c.node();
        match n.kind() {
            "heredoc_beginning" => begins.push(n.start_byte()),
            "heredoc_body" => bodies.push(n),
            _ => {}
        }
        if c.goto_first_child() {
            continue;
        }
        loop {
            if c.goto_next_sibling() {
                break;
            }
            if !c.goto_parent() {
                return begins.into_iter().zip(bodies).collect();
            }
        }
    }
}

struct ClassCtx {
    id: ClassId,
    /// The function that was current when the class opened (its body runs there).
    fn_id: FnId,
    module: bool,
}

struct Rb<'s, 't> {
    src: &'s str,
    b: Builder,
    heredocs: HashMap<usize, Node<'t>>,
    ctx: Vec<ClassCtx>,
    /// Names of the enclosing methods (for `super`).
    methods: Vec<String>,
    /// Inside `class << self`.
    singleton: bool,
    /// Local names per open function; `true` marks a method (a scope gate: blocks see their parents'
    /// locals, methods do not).
    locals: Vec<(HashSet<String>, bool)>,
    /// `attr_reader` / `attr_accessor` names per class: a bare read of one inside a method that has no
    /// such local is `Attr(SelfRef, name)`.
    attrs: HashMap<ClassId, HashSet<String>>,
}

fn choice(vals: Vec<Expr>) -> Expr {
    let mut out: Vec<Expr> = Vec::new();
    for v in vals {
        let items = match v {
            Expr::Choice(c) => c,
            o => vec![o],
        };
        for it in items {
            if !out.contains(&it) {
                out.push(it);
            }
        }
    }
    match out.len() {
        0 => Expr::Unknown,
        1 => out.pop().unwrap_or(Expr::Unknown),
        _ => Expr::Choice(out),
    }
}

/// Decodes a Ruby double-quoted escape sequence (`\n`, `\u{41}`, `\x41`, `\"`, line continuation).
fn decode_escape(s: &str) -> String {
    let body = s.strip_prefix('\\').unwrap_or(s);
    let mut it = body.chars();
    let Some(c) = it.next() else {
        return String::new();
    };
    let rest: String = it.collect();
    match c {
        'n' => "\n".into(),
        't' => "\t".into(),
        'r' => "\r".into(),
        '0' => "\0".into(),
        's' => " ".into(),
        'e' => "\x1b".into(),
        'a' => "\x07".into(),
        'b' => "\x08".into(),
        'f' => "\x0c".into(),
        'v' => "\x0b".into(),
        '\n' => String::new(),
        'u' => {
            let hex = rest.trim_start_matches('{').trim_end_matches('}');
            hex.split_whitespace()
                .filter_map(|h| u32::from_str_radix(h, 16).ok().and_then(char::from_u32))
                .collect()
        }
        'x' => u32::from_str_radix(&rest, 16)
            .ok()
            .and_then(char::from_u32)
            .map(String::from)
            .unwrap_or_default(),
        other => {
            let mut o = String::from(other);
            o.push_str(&rest);
            o
        }
    }
}

/// Single-quoted string content: only `\\` and `\'` are escapes.
fn decode_single(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\\' && matches!(it.peek(), Some('\\') | Some('\'')) {
            if let Some(n) = it.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `a` → (local, "a"), `Attr(SelfRef, "x")` → (member, "x"), `Attr(Name(cfg), "api")` → (local, "cfg.api").
fn path_of(e: &Expr) -> Option<(bool, String)> {
    match e {
        Expr::Name(n) => Some((false, n.clone())),
        Expr::Attr(inner, k) => match inner.as_ref() {
            Expr::SelfRef => Some((true, k.clone())),
            other => path_of(other).map(|(m, p)| (m, format!("{p}.{k}"))),
        },
        _ => None,
    }
}

fn is_symbol_key(k: Node) -> bool {
    matches!(k.kind(), "hash_key_symbol" | "simple_symbol")
}

impl<'s, 't> Rb<'s, 't> {
    fn t(&self, n: Node) -> &'s str {
        text(n, self.src)
    }

    // ----- statements -----

    /// Walks the statements of a body node. Returns the value of its last statement, `None` when the body
    /// is empty or its last statement leaves it (`return`, `next`, `break`). With `tail`, that value is a
    /// return of the current function (Ruby's implicit return).
    fn body(&mut self, n: Node<'t>, tail: bool, d: usize) -> Option<Expr> {
        if d > MAX_DEPTH {
            return Some(Expr::Unknown);
        }
        let kids: Vec<Node<'t>> = named_children(n)
            .into_iter()
            .filter(|c| !matches!(c.kind(), "comment" | "heredoc_body" | "empty_statement"))
            .collect();
        let last = kids
            .iter()
            .rposition(|c| !matches!(c.kind(), "rescue" | "else" | "ensure"));
        let mut val = None;
        for (i, k) in kids.iter().enumerate() {
            match k.kind() {
                "rescue" => {
                    if let Some(e) = k.child_by_field_name("exceptions") {
                        self.expr(e, d + 1);
                    }
                    if let Some(v) = k.child_by_field_name("variable") {
                        for c in named_children(v) {
                            self.assign_to(c, Expr::Unknown, line(c), d + 1);
                        }
                    }
                    if let Some(b) = k.child_by_field_name("body") {
                        self.body(b, false, d + 1);
                    }
                    continue;
                }
                "else" | "ensure" => {
                    self.body(*k, false, d + 1);
                    continue;
                }
                _ => {}
            }
            let v = self.stmt(*k, d + 1);
            if Some(i) == last {
                val = match k.kind() {
                    "return" | "next" | "break" | "redo" | "retry" => None,
                    _ => Some(v),
                };
            }
        }
        if tail
            && let Some(v) = &val
            && *v != Expr::Unknown
        {
            self.b.ret(v.clone());
        }
        val
    }

    fn stmt(&mut self, n: Node<'t>, d: usize) -> Expr {
        self.b.begin_stmt(line(n));
        let v = self.expr(n, d);
        self.b.end_stmt();
        v
    }

    fn walk_children(&mut self, n: Node<'t>, d: usize) {
        for c in named_children(n) {
            self.expr(c, d + 1);
        }
    }

    // ----- expressions -----

    fn expr(&mut self, n: Node<'t>, d: usize) -> Expr {
        if d > MAX_DEPTH {
            return Expr::Unknown;
        }
        match n.kind() {
            "string" | "delimited_symbol" | "bare_string" | "bare_symbol" => self.string(n, d),
            "heredoc_beginning" => self.heredoc(n, d),
            "simple_symbol" => Expr::Str(self.t(n).trim_start_matches(':').to_string()),
            "hash_key_symbol" => Expr::Str(self.t(n).to_string()),
            "integer" | "float" | "true" | "false" | "rational" | "complex" => {
                Expr::Str(self.t(n).to_string())
            }
            "character" => Expr::Str(self.t(n).trim_start_matches('?').to_string()),
            "identifier" => self.ident(n),
            "constant" => Expr::Name(self.t(n).to_string()),
            "self" => Expr::SelfRef,
            "super" => self.super_call(n, Vec::new(), n),
            "instance_variable" | "class_variable" => Expr::Attr(
                Box::new(Expr::SelfRef),
                self.t(n).trim_start_matches('@').into(),
            ),
            "global_variable" => Expr::Name(self.t(n).trim_start_matches('$').to_string()),
            "call" => self.call(n, d),
            "element_reference" => self.element_reference(n, d),
            "assignment" => self.assignment(n, d),
            "operator_assignment" => self.operator_assignment(n, d),
            "binary" => self.binary(n, d),
            "if" | "unless" | "elsif" => self.if_expr(n, d),
            "array" => self.array(n, d),
            "hash" => self.hash(n, d),
            "parenthesized_statements"
            | "begin"
            | "then"
            | "else"
            | "do"
            | "block_body"
            | "body_statement"
            | "ensure"
            | "begin_block"
            | "end_block" => self.body(n, false, d + 1).unwrap_or(Expr::Unknown),
            _ => self.expr_other(n, d),
        }
    }

    /// The less common expression kinds, kept out of [`Rb::expr`] so its stack frame stays small (deeply
    /// nested input recurses through it).
    #[inline(never)]
    fn expr_other(&mut self, n: Node<'t>, d: usize) -> Expr {
        match n.kind() {
            "chained_string" => {
                let parts = named_children(n)
                    .into_iter()
                    .map(|c| self.expr(c, d + 1))
                    .collect();
                concat(parts)
            }
            "scope_resolution" => {
                let name = n
                    .child_by_field_name("name")
                    .map(|c| self.t(c).to_string())
                    .unwrap_or_default();
                match n.child_by_field_name("scope") {
                    Some(s) => Expr::Attr(Box::new(self.expr(s, d + 1)), name),
                    None => Expr::Name(name),
                }
            }
            "conditional" => {
                if let Some(c) = n.child_by_field_name("condition") {
                    self.expr(c, d + 1);
                }
                let a = n
                    .child_by_field_name("consequence")
                    .map_or(Expr::Unknown, |c| self.expr(c, d + 1));
                let b = n
                    .child_by_field_name("alternative")
                    .map_or(Expr::Unknown, |c| self.expr(c, d + 1));
                choice(vec![a, b])
            }
            "rescue_modifier" => {
                let a = n
                    .child_by_field_name("body")
                    .map_or(Expr::Unknown, |c| self.expr(c, d + 1));
                let b = match n.child_by_field_name("handler") {
                    Some(h) if h.kind() != "nil" => self.expr(h, d + 1),
                    _ => return a,
                };
                choice(vec![a, b])
            }
            "if_modifier" | "unless_modifier" => {
                if let Some(c) = n.child_by_field_name("condition") {
                    self.expr(c, d + 1);
                }
                n.child_by_field_name("body")
                    .map_or(Expr::Unknown, |c| self.expr(c, d + 1))
            }
            "case" | "case_match" => {
                if let Some(v) = n.child_by_field_name("value") {
                    self.expr(v, d + 1);
                }
                let mut vals = Vec::new();
                for c in named_children(n) {
                    match c.kind() {
                        "when" | "in_clause" => {
                            for f in ["pattern", "guard"] {
                                if let Some(p) = c.child_by_field_name(f) {
                                    self.expr(p, d + 1);
                                }
                            }
                            if let Some(b) = c.child_by_field_name("body") {
                                vals.extend(self.body(b, false, d + 1));
                            }
                        }
                        "else" => vals.extend(self.body(c, false, d + 1)),
                        _ => {}
                    }
                }
                choice(vals)
            }
            "while" | "until" | "for" | "while_modifier" | "until_modifier" => {
                let pattern = n.child_by_field_name("pattern");
                for c in named_children(n) {
                    if Some(c) == pattern {
                        self.assign_to(c, Expr::Unknown, line(c), d + 1);
                    } else if c.kind() == "do" {
                        self.body(c, false, d + 1);
                    } else {
                        self.expr(c, d + 1);
                    }
                }
                Expr::Unknown
            }
            "string_array" | "symbol_array" => {
                let mut items = Vec::new();
                for (i, c) in named_children(n).into_iter().enumerate() {
                    items.push((i.to_string(), self.expr(c, d + 1)));
                }
                Expr::Object(items)
            }
            "lambda" => Expr::Func(self.lambda(n, "", d)),
            "method" => {
                self.method(n, false, d);
                Expr::Unknown
            }
            "singleton_method" => {
                self.method(n, true, d);
                Expr::Unknown
            }
            "class" => {
                self.class(n, false, d);
                Expr::Unknown
            }
            "module" => {
                self.class(n, true, d);
                Expr::Unknown
            }
            "singleton_class" => {
                let saved = std::mem::replace(&mut self.singleton, true);
                if let Some(b) = n.child_by_field_name("body") {
                    self.body(b, false, d + 1);
                }
                self.singleton = saved;
                Expr::Unknown
            }
            "return" | "next" => {
                let vals: Vec<Expr> = named_children(n)
                    .into_iter()
                    .flat_map(named_children)
                    .map(|c| self.expr(c, d + 1))
                    .collect();
                match vals.len() {
                    0 => {}
                    1 => self.b.ret(vals.into_iter().next().unwrap_or(Expr::Unknown)),
                    _ => self.b.ret(Expr::Unknown),
                }
                Expr::Unknown
            }
            "unary" => {
                let op = n.child_by_field_name("operand");
                match op {
                    Some(o) if matches!(o.kind(), "integer" | "float") => {
                        Expr::Str(self.t(n).to_string())
                    }
                    Some(o) => {
                        self.expr(o, d + 1);
                        Expr::Unknown
                    }
                    None => Expr::Unknown,
                }
            }
            "interpolation" => {
                let kids: Vec<Node<'t>> = named_children(n)
                    .into_iter()
                    .filter(|c| c.kind() != "comment")
                    .collect();
                let mut v = Expr::Str(String::new());
                for c in kids {
                    v = self.expr(c, d + 1);
                }
                v
            }
            "splat_argument" | "hash_splat_argument" | "block_argument" => named_children(n)
                .first()
                .map_or(Expr::Unknown, |c| self.expr(*c, d + 1)),
            "subshell" => {
                // Backticks / %x(): a shell command; recorded as a call of "`" with the command string.
                let cmd = self.string(n, d);
                let ce = CallExpr {
                    callee: Expr::Name("`".into()),
                    args: vec![Arg {
                        name: None,
                        value: cmd,
                        spread: false,
                    }],
                    new_object: false,
                    line: line(n),
                    column: column(n, self.src),
                    end_line: end_line(n),
                };
                self.b.call(ce.clone());
                Expr::Call(Box::new(ce))
            }
            "nil" | "comment" | "empty_statement" | "uninterpreted" | "heredoc_body" => {
                Expr::Unknown
            }
            "ERROR" => {
                for c in named_children(n) {
                    self.stmt(c, d + 1);
                }
                Expr::Unknown
            }
            _ => {
                self.walk_children(n, d);
                Expr::Unknown
            }
        }
    }

    fn string(&mut self, n: Node<'t>, d: usize) -> Expr {
        let raw = {
            let t = self.t(n);
            t.starts_with('\'') || t.starts_with("%q") || t.starts_with(":'")
        };
        let mut parts = Vec::new();
        for c in named_children(n) {
            match c.kind() {
                "string_content" | "heredoc_content" => {
                    let t = self.t(c);
                    parts.push(Expr::Str(if raw {
                        decode_single(t)
                    } else {
                        t.to_string()
                    }));
                }
                "escape_sequence" => parts.push(Expr::Str(decode_escape(self.t(c)))),
                "interpolation" => parts.push(self.expr(c, d + 1)),
                "heredoc_end" => {}
                _ => parts.push(self.expr(c, d + 1)),
            }
        }
        concat(parts)
    }

    fn heredoc(&mut self, n: Node<'t>, d: usize) -> Expr {
        let Some(body) = self.heredocs.get(&n.start_byte()).copied() else {
            return Expr::Unknown;
        };
        let squiggly = self.t(n).starts_with("<<~");
        let raw = self.t(n).contains('\'');
        let mut parts = Vec::new();
        for c in named_children(body) {
            match c.kind() {
                "heredoc_content" => parts.push(Expr::Str(self.t(c).to_string())),
                "escape_sequence" if !raw => parts.push(Expr::Str(decode_escape(self.t(c)))),
                "escape_sequence" => parts.push(Expr::Str(self.t(c).to_string())),
                "interpolation" => parts.push(self.expr(c, d + 1)),
                _ => {}
            }
        }
        if let Some(Expr::Str(s)) = parts.first_mut()
            && let Some(rest) = s.strip_prefix('\n')
        {
            *s = rest.to_string();
        }
        if squiggly {
            // Common indentation of the non-blank body lines (the end marker excluded).
            let end = named_children(body)
                .into_iter()
                .find(|c| c.kind() == "heredoc_end")
                .map_or(body.end_byte(), |e| e.start_byte());
            let raw_body = self.src.get(body.start_byte()..end).unwrap_or("");
            let indent = raw_body
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
                .min()
                .unwrap_or(0);
            let mut at_start = true;
            let mut removed = 0;
            for p in parts.iter_mut() {
                match p {
                    Expr::Str(s) => {
                        let mut o = String::with_capacity(s.len());
                        for ch in s.chars() {
                            if at_start && removed < indent && (ch == ' ' || ch == '\t') {
                                removed += 1;
                                continue;
                            }
                            at_start = ch == '\n';
                            if at_start {
                                removed = 0;
                            }
                            o.push(ch);
                        }
                        *s = o;
                    }
                    _ => at_start = false,
                }
            }
        }
        concat(parts)
    }

    fn if_expr(&mut self, n: Node<'t>, d: usize) -> Expr {
        if let Some(c) = n.child_by_field_name("condition") {
            self.expr(c, d + 1);
        }
        let mut vals = Vec::new();
        if let Some(c) = n.child_by_field_name("consequence") {
            vals.extend(self.body(c, false, d + 1));
        }
        if let Some(a) = n.child_by_field_name("alternative") {
            match a.kind() {
                "elsif" => vals.push(self.if_expr(a, d + 1)),
                _ => vals.extend(self.body(a, false, d + 1)),
            }
        }
        choice(vals)
    }

    fn array(&mut self, n: Node<'t>, d: usize) -> Expr {
        let mut items = Vec::new();
        for (i, c) in named_children(n).into_iter().enumerate() {
            if c.kind() == "pair" {
                if let Some((k, v)) = self.pair(c, d) {
                    items.push((k, v));
                }
            } else {
                items.push((i.to_string(), self.expr(c, d + 1)));
            }
        }
        Expr::Object(items)
    }

    fn hash(&mut self, n: Node<'t>, d: usize) -> Expr {
        let mut items = Vec::new();
        for c in named_children(n) {
            if c.kind() == "pair" {
                if let Some(kv) = self.pair(c, d) {
                    items.push(kv);
                }
            } else {
                self.expr(c, d + 1);
            }
        }
        Expr::Object(items)
    }

    /// A `key => value` / `key: value` pair with a literal key (the value is walked either way).
    fn pair(&mut self, n: Node<'t>, d: usize) -> Option<(String, Expr)> {
        let k = n.child_by_field_name("key")?;
        let key = match k.kind() {
            "hash_key_symbol" | "simple_symbol" | "string" | "delimited_symbol" | "integer" => {
                match self.expr(k, d + 1) {
                    Expr::Str(s) => Some(s),
                    _ => None,
                }
            }
            _ => {
                self.expr(k, d + 1);
                None
            }
        };
        let v = n
            .child_by_field_name("value")
            .map_or(Expr::Unknown, |v| self.expr(v, d + 1));
        key.map(|k| (k, v))
    }

    fn binary(&mut self, n: Node<'t>, d: usize) -> Expr {
        let op = n.child_by_field_name("operator").map_or("", |o| self.t(o));
        let (Some(l), Some(r)) = (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
        ) else {
            self.walk_children(n, d);
            return Expr::Unknown;
        };
        let lv = self.expr(l, d + 1);
        let rv = self.expr(r, d + 1);
        let numeric = |k: &str| matches!(k, "integer" | "float");
        match op {
            "+" | "<<" if !numeric(l.kind()) && !numeric(r.kind()) => concat(vec![lv, rv]),
            "%" if matches!(l.kind(), "string" | "chained_string" | "heredoc_beginning") => {
                let mut args = vec![Arg {
                    name: None,
                    value: lv,
                    spread: false,
                }];
                match rv {
                    Expr::Object(items) if r.kind() == "array" => {
                        args.extend(items.into_iter().map(|(_, v)| Arg {
                            name: None,
                            value: v,
                            spread: false,
                        }))
                    }
                    v => args.push(Arg {
                        name: None,
                        value: v,
                        spread: false,
                    }),
                }
                Expr::Call(Box::new(CallExpr {
                    callee: Expr::Name("sprintf".into()),
                    args,
                    new_object: false,
                    line: line(n),
                    column: column(n, self.src),
                    end_line: end_line(n),
                }))
            }
            "||" | "or" => match lv {
                Expr::Env {
                    name,
                    default: None,
                } => Expr::Env {
                    name,
                    default: Some(Box::new(rv)),
                },
                lv => choice(vec![lv, rv]),
            },
            _ => Expr::Unknown,
        }
    }

    fn element_reference(&mut self, n: Node<'t>, d: usize) -> Expr {
        let Some(obj) = n.child_by_field_name("object") else {
            self.walk_children(n, d);
            return Expr::Unknown;
        };
        let idx: Vec<Node<'t>> = named_children(n)
            .into_iter()
            .filter(|c| c.id() != obj.id() && !matches!(c.kind(), "block" | "do_block"))
            .collect();
        let is_env = self.t(obj).trim_start_matches("::") == "ENV";
        let ov = if is_env {
            Expr::Name("ENV".into())
        } else {
            self.expr(obj, d + 1)
        };
        let keys: Vec<(Node<'t>, Expr)> = idx.iter().map(|c| (*c, self.expr(*c, d + 1))).collect();
        if let Some(b) = n.child_by_field_name("block") {
            self.expr(b, d + 1);
        }
        if keys.len() != 1 {
            return Expr::Unknown;
        }
        let (kn, kv) = keys.into_iter().next().unwrap_or((obj, Expr::Unknown));
        let literal = matches!(
            kn.kind(),
            "string" | "simple_symbol" | "integer" | "delimited_symbol"
        );
        match kv {
            Expr::Str(k) if is_env => Expr::Env {
                name: k,
                default: None,
            },
            Expr::Str(k) if literal => Expr::Attr(Box::new(ov), k),
            kv => Expr::Index(Box::new(ov), Box::new(kv)),
        }
    }

    fn ident(&self, n: Node) -> Expr {
        let name = self.t(n);
        if !self.locals.is_empty()
            && !self.is_local(name)
            && let Some(c) = self.b.current_class()
            && self.attrs.get(&c).is_some_and(|a| a.contains(name))
        {
            return Expr::Attr(Box::new(Expr::SelfRef), name.to_string());
        }
        Expr::Name(name.to_string())
    }

    fn is_local(&self, name: &str) -> bool {
        for (set, gate) in self.locals.iter().rev() {
            if set.contains(name) {
                return true;
            }
            if *gate {
                break;
            }
        }
        false
    }

    fn declare_local(&mut self, name: &str) {
        if let Some((set, _)) = self.locals.last_mut() {
            set.insert(name.to_string());
        }
    }

    // ----- assignments -----

    fn assignment(&mut self, n: Node<'t>, d: usize) -> Expr {
        let (Some(l), Some(r)) = (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
        ) else {
            self.walk_children(n, d);
            return Expr::Unknown;
        };
        if l.kind() == "left_assignment_list" {
            let rights: Vec<Expr> = if r.kind() == "right_assignment_list" {
                named_children(r)
                    .into_iter()
                    .map(|c| match c.kind() {
                        "splat_argument" => {
                            self.expr(c, d + 1);
                            Expr::Unknown
                        }
                        _ => self.expr(c, d + 1),
                    })
                    .collect()
            } else {
                self.expr(r, d + 1);
                Vec::new()
            };
            for (i, c) in named_children(l).into_iter().enumerate() {
                let v = rights.get(i).cloned().unwrap_or(Expr::Unknown);
                self.assign_to(c, v, line(n), d + 1);
            }
            return Expr::Unknown;
        }
        let v = self.expr(r, d + 1);
        self.assign_to(l, v.clone(), line(n), d + 1);
        v
    }

    fn operator_assignment(&mut self, n: Node<'t>, d: usize) -> Expr {
        let op = n.child_by_field_name("operator").map_or("", |o| self.t(o));
        let (Some(l), Some(r)) = (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
        ) else {
            self.walk_children(n, d);
            return Expr::Unknown;
        };
        let rv = self.expr(r, d + 1);
        let v = match op {
            "||=" => rv,
            "+=" | "<<=" => {
                let lv = self.expr(l, d + 1);
                concat(vec![lv, rv])
            }
            _ => return Expr::Unknown,
        };
        self.assign_to(l, v.clone(), line(n), d + 1);
        v
    }

    fn assign_to(&mut self, l: Node<'t>, v: Expr, ln: usize, d: usize) {
        if d > MAX_DEPTH {
            return;
        }
        match l.kind() {
            "identifier" => {
                let name = self.t(l).to_string();
                self.declare_local(&name);
                self.name_fn(&v, &name);
                let scope = self.b.local_scope();
                self.b.bind(scope, name, v, ln);
            }
            "instance_variable" | "class_variable" => {
                let name = self.t(l).trim_start_matches('@').to_string();
                self.name_fn(&v, &name);
                let scope = self.b.member_scope();
                self.b.bind(scope, name, v, ln);
            }
            "global_variable" => {
                let name = self.t(l).trim_start_matches('$').to_string();
                self.b.bind(Scope::Module, name, v, ln);
            }
            "constant" => {
                let name = self.t(l).to_string();
                self.name_fn(&v, &name);
                let mut scopes = Vec::new();
                match self.ctx.last() {
                    Some(c) => {
                        scopes.push(Scope::Class(c.id));
                        if c.module {
                            scopes.push(Scope::Module);
                        }
                    }
                    None => scopes.push(Scope::Module),
                }
                for scope in scopes {
                    self.b.push_binding(crate::program::facts::Binding {
                        scope,
                        name: name.clone(),
                        value: v.clone(),
                        line: ln,
                        ty: None,
                        exported: true,
                    });
                }
            }
            "scope_resolution" | "call" | "element_reference" => {
                let target = match l.kind() {
                    "call" => match (
                        l.child_by_field_name("receiver"),
                        l.child_by_field_name("method"),
                    ) {
                        (Some(r), Some(m)) => {
                            let rv = self.expr(r, d + 1);
                            Expr::Attr(Box::new(rv), self.t(m).to_string())
                        }
                        _ => Expr::Unknown,
                    },
                    _ => self.expr(l, d + 1),
                };
                match path_of(&target) {
                    Some((true, p)) => {
                        let scope = self.b.member_scope();
                        self.b.bind(scope, p, v, ln);
                    }
                    Some((false, p)) if l.kind() == "scope_resolution" => {
                        self.b.push_binding(crate::program::facts::Binding {
                            scope: Scope::Module,
                            name: p,
                            value: v,
                            line: ln,
                            ty: None,
                            exported: true,
                        });
                    }
                    Some((false, p)) => {
                        let scope = self.b.local_scope();
                        self.b.bind(scope, p, v, ln);
                    }
                    None => {}
                }
            }
            "destructured_left_assignment" | "left_assignment_list" => {
                for c in named_children(l) {
                    self.assign_to(c, Expr::Unknown, ln, d + 1);
                }
            }
            "rest_assignment" => {
                for c in named_children(l) {
                    self.assign_to(c, Expr::Unknown, ln, d + 1);
                }
            }
            _ => {}
        }
    }

    /// A lambda assigned to a name takes that name.
    fn name_fn(&mut self, v: &Expr, name: &str) {
        if let Expr::Func(id) = v
            && let Some(f) = self.b.facts.functions.get_mut(*id)
            && f.name.is_empty()
        {
            f.name = name.to_string();
        }
    }

    // ----- calls -----

    fn args(&mut self, list: Option<Node<'t>>, d: usize) -> Vec<Arg> {
        let Some(list) = list else {
            return Vec::new();
        };
        let kids = named_children(list);
        let pairs: Vec<Node<'t>> = kids
            .iter()
            .copied()
            .filter(|c| c.kind() == "pair")
            .collect();
        let all_symbols = pairs.iter().all(|p| {
            p.child_by_field_name("key").is_some_and(|k| {
                is_symbol_key(k)
                    || p.child_by_field_name("value").is_some_and(|v| {
                        !self
                            .src
                            .get(k.end_byte()..v.start_byte())
                            .unwrap_or("")
                            .contains("=>")
                    })
            })
        });
        let mut out = Vec::new();
        let mut hash_at: Option<usize> = None;
        let mut hash = Vec::new();
        for c in kids {
            match c.kind() {
                "comment" => {}
                "pair" => {
                    let kv = self.pair(c, d);
                    if all_symbols {
                        if let Some((k, v)) = kv {
                            out.push(Arg {
                                name: Some(k),
                                value: v,
                                spread: false,
                            });
                        }
                    } else {
                        hash_at.get_or_insert(out.len());
                        hash.extend(kv);
                    }
                }
                "splat_argument" | "hash_splat_argument" => {
                    let v = self.expr(c, d + 1);
                    out.push(Arg {
                        name: None,
                        value: v,
                        spread: true,
                    });
                }
                "forward_argument" => out.push(Arg {
                    name: None,
                    value: Expr::Name("...".into()),
                    spread: true,
                }),
                _ => {
                    let v = self.expr(c, d + 1);
                    out.push(Arg {
                        name: None,
                        value: v,
                        spread: false,
                    });
                }
            }
        }
        if let Some(at) = hash_at {
            out.insert(
                at.min(out.len()),
                Arg {
                    name: None,
                    value: Expr::Object(hash),
                    spread: false,
                },
            );
        }
        out
    }

    fn in_class_body(&self) -> Option<ClassId> {
        self.ctx
            .last()
            .filter(|c| c.fn_id == self.b.current_fn())
            .map(|c| c.id)
    }

    fn super_call(&mut self, n: Node<'t>, args: Vec<Arg>, end: Node<'t>) -> Expr {
        let callee = match self.methods.last() {
            Some(m) => Expr::Attr(Box::new(Expr::SuperRef), m.clone()),
            None => Expr::SuperRef,
        };
        let ce = CallExpr {
            callee,
            args,
            new_object: false,
            line: line(n),
            column: column(n, self.src),
            end_line: end_line(end),
        };
        self.b.call(ce.clone());
        Expr::Call(Box::new(ce))
    }

    fn call(&mut self, n: Node<'t>, d: usize) -> Expr {
        // Calls recurse through several large frames: they count double against MAX_DEPTH.
        let d = d + 1;
        let recv = n.child_by_field_name("receiver");
        let meth = n.child_by_field_name("method");
        let mname = meth.map_or("", |m| self.t(m));
        let args_node = n.child_by_field_name("arguments");
        let block = n.child_by_field_name("block");
        let recv_text = recv.map_or("", |r| self.t(r));

        if let Some(r) = recv
            && args_node.is_none()
            && block.is_none()
        {
            if r.kind() == "self" && mname == "class" {
                return Expr::SelfRef;
            }
            if matches!(mname, "freeze" | "to_s" | "to_str" | "dup" | "itself") {
                return self.expr(r, d + 1);
            }
        }
        // lambda { } / proc { } / Proc.new { }
        if args_node.is_none()
            && let Some(bl) = block
            && ((recv.is_none() && matches!(mname, "lambda" | "proc"))
                || (recv_text == "Proc" && mname == "new"))
        {
            return Expr::Func(self.block_fn(bl, "", false, d));
        }

        let end_node = if block.is_some() {
            args_node.or(meth).unwrap_or(n)
        } else {
            n
        };
        let (callee, new_object) = match (recv, meth) {
            (_, Some(m)) if m.kind() == "super" => {
                let args = self.args(args_node, d);
                let mut args = args;
                if let Some(bl) = block {
                    let id = self.block_fn(bl, "", false, d);
                    args.push(Arg {
                        name: None,
                        value: Expr::Func(id),
                        spread: false,
                    });
                }
                return self.super_call(n, args, end_node);
            }
            (Some(r), _) => {
                let rv = if recv_text.trim_start_matches("::") == "ENV" {
                    Expr::Name("ENV".into())
                } else {
                    self.expr(r, d + 1)
                };
                match mname {
                    "new" => (rv, true),
                    "" => (Expr::Attr(Box::new(rv), "call".into()), false),
                    m => (Expr::Attr(Box::new(rv), m.to_string()), false),
                }
            }
            (None, _) => (Expr::Name(mname.to_string()), false),
        };
        let mut args = self.args(args_node, d);

        // require / require_relative / load with a literal path → Import.
        if recv.is_none()
            && matches!(mname, "require" | "require_relative" | "load")
            && args.len() == 1
            && block.is_none()
            && let Expr::Str(m) = &args[0].value
        {
            self.b.facts.imports.push(Import {
                module: m.clone(),
                local: String::new(),
                name: None,
                line: line(n),
            });
            return Expr::Unknown;
        }

        let mut block_ret = None;
        if let Some(bl) = block {
            let (name, method) = match (recv, mname, args.first().map(|a| &a.value)) {
                (None, "define_method", Some(Expr::Str(s))) => (s.clone(), true),
                _ => (String::new(), false),
            };
            let id = self.block_fn(bl, &name, method, d);
            block_ret = self
                .b
                .facts
                .functions
                .get(id)
                .and_then(|f| f.returns.first().cloned());
            args.push(Arg {
                name: None,
                value: Expr::Func(id),
                spread: false,
            });
        }

        // Class-body macros.
        if recv.is_none()
            && let Some(cid) = self.in_class_body()
        {
            match mname {
                "base_uri" | "headers" => {
                    if let Some(a) = args.first() {
                        let v = a.value.clone();
                        self.b.bind(Scope::Class(cid), mname, v, line(n));
                    }
                }
                "attr_reader" | "attr_accessor" => {
                    let names: Vec<String> = args
                        .iter()
                        .filter_map(|a| match &a.value {
                            Expr::Str(s) => Some(s.clone()),
                            _ => None,
                        })
                        .collect();
                    self.attrs.entry(cid).or_default().extend(names);
                }
                "include" | "extend" | "prepend" => {
                    let names: Vec<String> = args_node
                        .map(named_children)
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|c| matches!(c.kind(), "constant" | "scope_resolution"))
                        .map(|c| self.t(c).to_string())
                        .collect();
                    if let Some(c) = self.b.facts.classes.get_mut(cid) {
                        c.bases.extend(names);
                    }
                }
                _ => {}
            }
        }

        let ce = CallExpr {
            callee: callee.clone(),
            args,
            new_object,
            line: line(n),
            column: column(n, self.src),
            end_line: end_line(end_node),
        };
        self.b.call(ce.clone());

        // ENV.fetch('X', d) / ENV.fetch('X') { d }
        if recv_text.trim_start_matches("::") == "ENV"
            && mname == "fetch"
            && let Some(Expr::Str(name)) = ce.args.first().map(|a| &a.value)
        {
            let default = match ce.args.get(1) {
                Some(a) if block.is_none() => match &a.value {
                    Expr::Unknown => None,
                    v => Some(Box::new(v.clone())),
                },
                _ => block_ret.map(Box::new),
            };
            return Expr::Env {
                name: name.clone(),
                default,
            };
        }
        if recv.is_some() && args_node.is_none() && block.is_none() && !new_object {
            return callee;
        }
        Expr::Call(Box::new(ce))
    }

    // ----- definitions -----

    fn params(&mut self, list: Node<'t>, d: usize) -> Vec<Param> {
        let mut out = Vec::new();
        for c in named_children(list) {
            let name_of = |s: &Self, c: Node| {
                c.child_by_field_name("name")
                    .map(|n| s.t(n).to_string())
                    .unwrap_or_default()
            };
            let p = |name: String, default: Option<Expr>, rest: bool| Param {
                name,
                ty: None,
                default,
                rest,
                fields: Vec::new(),
            };
            match c.kind() {
                "identifier" => out.push(p(self.t(c).to_string(), None, false)),
                "optional_parameter" | "keyword_parameter" => {
                    self.b.begin_stmt(line(c));
                    let def = c.child_by_field_name("value").map(|v| self.expr(v, d + 1));
                    self.b.end_stmt();
                    out.push(p(name_of(self, c), def, false));
                }
                "splat_parameter" | "hash_splat_parameter" => {
                    let name = name_of(self, c);
                    if !name.is_empty() {
                        out.push(p(name, None, true));
                    }
                }
                "block_parameter" => {
                    let name = name_of(self, c);
                    if !name.is_empty() {
                        out.push(p(name, None, false));
                    }
                }
                "forward_parameter" => out.push(p("...".into(), None, true)),
                "destructured_parameter" => {
                    let mut fields = Vec::new();
                    let mut stack = vec![c];
                    while let Some(x) = stack.pop() {
                        for k in named_children(x) {
                            if k.kind() == "identifier" {
                                fields.push(self.t(k).to_string());
                            } else if fields.len() < 64 {
                                stack.push(k);
                            }
                        }
                    }
                    let mut q = p(String::new(), None, false);
                    q.fields = fields;
                    out.push(q);
                }
                _ => {}
            }
        }
        out
    }

    fn new_fn(name: &str, n: Node) -> Function {
        Function {
            name: name.to_string(),
            class: None,
            parent: None,
            params: Vec::new(),
            is_constructor: false,
            is_static: false,
            returns: Vec::new(),
            line: line(n),
            end_line: end_line(n),
        }
    }

    fn set_params(&mut self, id: FnId, params: Vec<Param>) {
        for p in &params {
            self.declare_local(&p.name);
            for f in &p.fields {
                self.declare_local(f);
            }
        }
        if let Some(f) = self.b.facts.functions.get_mut(id) {
            f.params.extend(params);
        }
    }

    fn method(&mut self, n: Node<'t>, is_static: bool, d: usize) -> FnId {
        let name = n
            .child_by_field_name("name")
            .map_or("", |c| self.t(c))
            .to_string();
        let mut f = Self::new_fn(&name, n);
        f.is_static = is_static || self.singleton;
        f.is_constructor = name == "initialize" && !f.is_static;
        let tail = !f.is_constructor;
        let id = self.b.begin_fn(f, true);
        self.locals.push((HashSet::new(), true));
        self.methods.push(name);
        let saved = std::mem::replace(&mut self.singleton, false);
        if d <= MAX_DEPTH {
            if let Some(ps) = n.child_by_field_name("parameters") {
                let params = self.params(ps, d);
                self.set_params(id, params);
            }
            if let Some(b) = n.child_by_field_name("body") {
                if b.kind() == "body_statement" {
                    self.body(b, tail, d + 1);
                } else {
                    let v = self.stmt(b, d + 1);
                    if tail && v != Expr::Unknown {
                        self.b.ret(v);
                    }
                }
            }
        }
        self.singleton = saved;
        self.methods.pop();
        self.locals.pop();
        self.b.end_fn();
        id
    }

    /// A `{ |x| … }` / `do |x| … end` block as a function.
    fn block_fn(&mut self, n: Node<'t>, name: &str, method: bool, d: usize) -> FnId {
        let id = self.b.begin_fn(Self::new_fn(name, n), method);
        self.locals.push((HashSet::new(), false));
        if method {
            self.methods.push(name.to_string());
        }
        if d <= MAX_DEPTH {
            if let Some(ps) = n.child_by_field_name("parameters") {
                let params = self.params(ps, d);
                self.set_params(id, params);
            }
            if let Some(b) = n.child_by_field_name("body") {
                self.body(b, true, d + 1);
            }
        }
        if method {
            self.methods.pop();
        }
        self.locals.pop();
        self.b.end_fn();
        id
    }

    fn lambda(&mut self, n: Node<'t>, name: &str, d: usize) -> FnId {
        let id = self.b.begin_fn(Self::new_fn(name, n), false);
        self.locals.push((HashSet::new(), false));
        if d <= MAX_DEPTH {
            if let Some(ps) = n.child_by_field_name("parameters") {
                let params = self.params(ps, d);
                self.set_params(id, params);
            }
            if let Some(bl) = n.child_by_field_name("body") {
                if let Some(ps) = bl.child_by_field_name("parameters") {
                    let params = self.params(ps, d);
                    self.set_params(id, params);
                }
                if let Some(b) = bl.child_by_field_name("body") {
                    self.body(b, true, d + 1);
                }
            }
        }
        self.locals.pop();
        self.b.end_fn();
        id
    }

    fn class(&mut self, n: Node<'t>, module: bool, d: usize) {
        let name = n
            .child_by_field_name("name")
            .map_or("", |c| self.t(c))
            .rsplit("::")
            .next()
            .unwrap_or("")
            .to_string();
        let bases = n
            .child_by_field_name("superclass")
            .map(|s| {
                named_children(s)
                    .into_iter()
                    .map(|c| self.t(c).to_string())
                    .collect()
            })
            .unwrap_or_default();
        let id = self.b.begin_class(Class {
            name,
            bases,
            line: line(n),
        });
        self.ctx.push(ClassCtx {
            id,
            fn_id: self.b.current_fn(),
            module,
        });
        let saved = std::mem::replace(&mut self.singleton, false);
        if let Some(b) = n.child_by_field_name("body") {
            self.body(b, false, d + 1);
        }
        self.singleton = saved;
        self.ctx.pop();
        self.b.end_class();
    }
}

#[cfg(test)]
mod tests {
    use crate::program::facts::*;
    use crate::program::lang::testkit::{attr, kw as named, name as n, pos, s};
    use crate::program::parse::facts;
    use crate::scan::lang::Lang;

    fn f(src: &str) -> FileFacts {
        facts(Lang::Ruby, "t.rb", src).expect("parsed")
    }
    fn me(k: &str) -> Expr {
        attr(Expr::SelfRef, k)
    }
    fn binding<'a>(f: &'a FileFacts, name: &str) -> &'a Binding {
        f.bindings
            .iter()
            .find(|b| b.name == name)
            .unwrap_or_else(|| panic!("no binding {name}: {:#?}", f.bindings))
    }
    fn call_to<'a>(f: &'a FileFacts, callee: &Expr) -> &'a Call {
        f.calls
            .iter()
            .find(|c| &c.call.callee == callee)
            .unwrap_or_else(|| panic!("no call {callee:?}: {:#?}", f.calls))
    }
    fn func<'a>(f: &'a FileFacts, name: &str) -> (usize, &'a Function) {
        f.functions
            .iter()
            .enumerate()
            .find(|(_, x)| x.name == name)
            .unwrap_or_else(|| panic!("no fn {name}"))
    }

    #[test]
    fn imports() {
        let f = f(
            "require 'httparty'\nrequire_relative \"../lib/config\"\nload 'x.rb'\nrequire name\n",
        );
        let mods: Vec<(&str, &str, Option<String>, usize)> = f
            .imports
            .iter()
            .map(|i| (i.module.as_str(), i.local.as_str(), i.name.clone(), i.line))
            .collect();
        assert_eq!(
            mods,
            vec![
                ("httparty", "", None, 1),
                ("../lib/config", "", None, 2),
                ("x.rb", "", None, 3)
            ]
        );
        // A non-literal require stays a call.
        assert_eq!(call_to(&f, &n("require")).call.args, vec![pos(n("name"))]);
    }

    #[test]
    fn request_wrapper_method() {
        let src = "class Api\n  def request(method, path, body = nil, **opts)\n    HTTParty.send(method, \"#{BASE}#{path}\", body: body.to_json, headers: headers)\n  end\nend\n";
        let f = f(src);
        let (id, m) = func(&f, "request");
        assert_eq!(m.class, Some(0));
        let names: Vec<(&str, bool)> = m.params.iter().map(|p| (p.name.as_str(), p.rest)).collect();
        assert_eq!(
            names,
            vec![
                ("method", false),
                ("path", false),
                ("body", false),
                ("opts", true)
            ]
        );
        let c = call_to(&f, &attr(n("HTTParty"), "send"));
        assert_eq!(c.func, id);
        assert_eq!(
            c.call.args,
            vec![
                pos(n("method")),
                pos(Expr::Concat(vec![n("BASE"), n("path")])),
                named("body", attr(n("body"), "to_json")),
                named("headers", n("headers")),
            ]
        );
        assert_eq!(m.returns, vec![Expr::Call(Box::new(c.call.clone()))]);
    }

    #[test]
    fn client_built_in_constructor() {
        let src = r##"module Ghl
  class Client < Base
    BASE = 'https://rest.gohighlevel.com/v1'.freeze
    def initialize(key)
      @key = key
      @conn = Faraday.new(url: BASE) do |f|
        f.headers['Authorization'] = "Bearer #{@key}"
      end
    end
    def get(path) = @conn.get(path)
    def contact_url(id)
      "#{self.class::BASE}/contacts/#{id}"
    end
    def self.build
      Ghl::Client::BASE
    end
  end
end
"##;
        let f = f(src);
        assert_eq!(f.classes[0].name, "Ghl");
        assert_eq!(f.classes[1].name, "Client");
        assert_eq!(f.classes[1].bases, vec!["Base".to_string()]);
        let base = binding(&f, "BASE");
        assert_eq!(base.scope, Scope::Class(1));
        assert_eq!(base.value, s("https://rest.gohighlevel.com/v1"));
        let (ctor, init) = func(&f, "initialize");
        assert!(init.is_constructor);
        assert_eq!(binding(&f, "key").scope, Scope::Class(1));
        let conn = binding(&f, "conn");
        assert_eq!(conn.scope, Scope::Class(1));
        let Expr::Call(c) = &conn.value else {
            panic!("{:?}", conn.value)
        };
        assert_eq!(c.callee, n("Faraday"));
        assert!(c.new_object);
        assert_eq!(c.args[0], named("url", n("BASE")));
        let Expr::Func(blk) = c.args[1].value else {
            panic!()
        };
        assert_eq!(f.functions[blk].parent, Some(ctor));
        assert_eq!(f.functions[blk].params[0].name, "f");
        let auth = binding(&f, "f.headers.Authorization");
        assert_eq!(auth.scope, Scope::Function(blk));
        assert_eq!(auth.value, Expr::Concat(vec![s("Bearer "), me("key")]));
        let (get_id, get) = func(&f, "get");
        let call = call_to(&f, &attr(me("conn"), "get"));
        assert_eq!(call.func, get_id);
        assert_eq!(call.call.args, vec![pos(n("path"))]);
        assert_eq!(get.returns, vec![Expr::Call(Box::new(call.call.clone()))]);
        assert_eq!(
            func(&f, "contact_url").1.returns,
            vec![Expr::Concat(vec![me("BASE"), s("/contacts/"), n("id")])]
        );
        let build = func(&f, "build").1;
        assert!(build.is_static);
        assert_eq!(build.returns, vec![attr(attr(n("Ghl"), "Client"), "BASE")]);
    }

    #[test]
    fn module_constants_and_static_methods() {
        let f = f(
            "module Api\n  URL = 'https://x/v1'\n  def self.get(p)\n    RestClient.get(URL + p)\n  end\n  class << self\n    def post(p); end\n  end\nend\nTOP = 1\n",
        );
        let scopes: Vec<Scope> = f
            .bindings
            .iter()
            .filter(|b| b.name == "URL")
            .map(|b| b.scope)
            .collect();
        assert_eq!(scopes, vec![Scope::Class(0), Scope::Module]);
        assert_eq!(binding(&f, "TOP").scope, Scope::Module);
        assert!(binding(&f, "TOP").exported);
        let g = func(&f, "get").1;
        assert!(g.is_static);
        assert_eq!(g.class, Some(0));
        assert!(func(&f, "post").1.is_static);
        let c = call_to(&f, &attr(n("RestClient"), "get"));
        assert_eq!(c.call.args, vec![pos(Expr::Concat(vec![n("URL"), n("p")]))]);
    }

    #[test]
    fn httparty_class_macros() {
        let src = "class Ghl\n  include HTTParty\n  base_uri ENV.fetch('GHL_URL', 'https://rest.gohighlevel.com/v1')\n  headers 'Version' => '2021-07-28', 'Accept' => 'application/json'\n  def self.contacts(q)\n    get '/contacts', query: q\n  end\n  def tasks\n    self.class.get(\"/tasks\")\n  end\nend\n";
        let f = f(src);
        assert_eq!(f.classes[0].bases, vec!["HTTParty".to_string()]);
        let bu = binding(&f, "base_uri");
        assert_eq!(bu.scope, Scope::Class(0));
        assert_eq!(
            bu.value,
            Expr::Env {
                name: "GHL_URL".into(),
                default: Some(Box::new(s("https://rest.gohighlevel.com/v1")))
            }
        );
        assert_eq!(
            binding(&f, "headers").value,
            Expr::Object(vec![
                ("Version".into(), s("2021-07-28")),
                ("Accept".into(), s("application/json"))
            ])
        );
        let mac = call_to(&f, &n("base_uri"));
        assert_eq!(mac.func, 0);
        let (cid, _) = func(&f, "contacts");
        let g = call_to(&f, &n("get"));
        assert_eq!(g.func, cid);
        assert_eq!(
            g.call.args,
            vec![pos(s("/contacts")), named("query", n("q"))]
        );
        let t = call_to(&f, &me("get"));
        assert_eq!(t.call.args, vec![pos(s("/tasks"))]);
    }

    #[test]
    fn net_http_and_clients() {
        let src = r##"uri = URI("#{BASE}/contacts")
req = Net::HTTP::Post.new(uri)
req['Version'] = '2021-07-28'
res = Net::HTTP.start(uri.host, uri.port, use_ssl: true) { |http| http.request(req) }
u = URI.join(BASE, 'x')
RestClient.post(url, body, 'Authorization' => "Bearer #{t}")
"##;
        let f = f(src);
        assert_eq!(
            binding(&f, "uri").value,
            Expr::Call(Box::new(CallExpr {
                callee: n("URI"),
                args: vec![pos(Expr::Concat(vec![n("BASE"), s("/contacts")]))],
                new_object: false,
                line: 1,
                column: 7,
                end_line: 1,
            }))
        );
        let post = call_to(&f, &attr(attr(n("Net"), "HTTP"), "Post"));
        assert!(post.call.new_object);
        assert_eq!(post.call.args, vec![pos(n("uri"))]);
        assert_eq!(binding(&f, "req.Version").value, s("2021-07-28"));
        let start = call_to(&f, &attr(attr(n("Net"), "HTTP"), "start"));
        assert_eq!(start.call.args[0], pos(attr(n("uri"), "host")));
        assert_eq!(start.call.args[2], named("use_ssl", s("true")));
        let rq = call_to(&f, &attr(n("http"), "request"));
        assert_ne!(rq.func, 0);
        assert_eq!(
            call_to(&f, &attr(n("URI"), "join")).call.args,
            vec![pos(n("BASE")), pos(s("x"))]
        );
        let rc = call_to(&f, &attr(n("RestClient"), "post"));
        assert_eq!(
            rc.call.args,
            vec![
                pos(n("url")),
                pos(n("body")),
                pos(Expr::Object(vec![(
                    "Authorization".into(),
                    Expr::Concat(vec![s("Bearer "), n("t")])
                )]))
            ]
        );
    }

    #[test]
    fn strings() {
        let src = "a = \"#{BASE}/contacts/#{id}\"\nb = 'x\\'y' + c\nc = \"a\" \"b#{d}\"\nd = <<~EOS\n  line #{x}\n    indented\\t\nEOS\ne = :post\nf = %w[a b]\ng = { 'k' => v, url: x, :m => 1 }\nh = 'https://%s/v1' % host\ni = \"%s/%s\" % [a, b]\nj = \"q\\n\"\nk = url << '/x'\n";
        let f = f(src);
        assert_eq!(
            binding(&f, "a").value,
            Expr::Concat(vec![n("BASE"), s("/contacts/"), n("id")])
        );
        assert_eq!(binding(&f, "b").value, Expr::Concat(vec![s("x'y"), n("c")]));
        assert_eq!(binding(&f, "c").value, Expr::Concat(vec![s("ab"), n("d")]));
        assert_eq!(
            binding(&f, "d").value,
            Expr::Concat(vec![s("line "), n("x"), s("\n  indented\t\n")])
        );
        assert_eq!(binding(&f, "e").value, s("post"));
        assert_eq!(
            binding(&f, "f").value,
            Expr::Object(vec![("0".into(), s("a")), ("1".into(), s("b"))])
        );
        assert_eq!(
            binding(&f, "g").value,
            Expr::Object(vec![
                ("k".into(), n("v")),
                ("url".into(), n("x")),
                ("m".into(), s("1"))
            ])
        );
        let Expr::Call(h) = &binding(&f, "h").value else {
            panic!()
        };
        assert_eq!(h.callee, n("sprintf"));
        assert_eq!(h.args, vec![pos(s("https://%s/v1")), pos(n("host"))]);
        let Expr::Call(i) = &binding(&f, "i").value else {
            panic!()
        };
        assert_eq!(i.args, vec![pos(s("%s/%s")), pos(n("a")), pos(n("b"))]);
        assert_eq!(binding(&f, "j").value, s("q\n"));
        assert_eq!(
            binding(&f, "k").value,
            Expr::Concat(vec![n("url"), s("/x")])
        );
    }

    #[test]
    fn env_defaults() {
        let src = "a = ENV['A']\nb = ENV.fetch('B', 'https://b')\nc = ENV.fetch('C') { 'https://c' }\nd = ENV['D'] || 'https://d'\ne = ENV.fetch('E')\nf = x || 'y'\ng = c ? 'p' : 'q'\n";
        let f = f(src);
        let env = |name: &str, d: Option<&str>| Expr::Env {
            name: name.into(),
            default: d.map(|d| Box::new(s(d))),
        };
        assert_eq!(binding(&f, "a").value, env("A", None));
        assert_eq!(binding(&f, "b").value, env("B", Some("https://b")));
        assert_eq!(binding(&f, "c").value, env("C", Some("https://c")));
        assert_eq!(binding(&f, "d").value, env("D", Some("https://d")));
        assert_eq!(binding(&f, "e").value, env("E", None));
        assert_eq!(binding(&f, "f").value, Expr::Choice(vec![n("x"), s("y")]));
        assert_eq!(binding(&f, "g").value, Expr::Choice(vec![s("p"), s("q")]));
    }

    #[test]
    fn call_chain_and_statement_lines() {
        let src = "x = 1\nres = conn\n  .post('/contacts') do |req|\n    req.body = payload.to_json\n  end\n  .body\nHTTParty.get(\n  url,\n  headers: h\n)\n";
        let f = f(src);
        let post = call_to(&f, &attr(n("conn"), "post"));
        assert_eq!(
            (post.call.line, post.call.column, post.stmt_line),
            (2, 7, 2)
        );
        assert_eq!(post.call.end_line, 3);
        let Expr::Func(blk) = post.call.args[1].value else {
            panic!()
        };
        assert_eq!(binding(&f, "req.body").scope, Scope::Function(blk));
        assert_eq!(
            binding(&f, "res").value,
            attr(Expr::Call(Box::new(post.call.clone())), "body")
        );
        let g = call_to(&f, &attr(n("HTTParty"), "get"));
        assert_eq!((g.call.line, g.call.end_line, g.stmt_line), (7, 10, 7));
        assert_eq!(g.call.args, vec![pos(n("url")), named("headers", n("h"))]);
        // Chain a.b(1).c(2) gives two calls, the outer one on Attr(Call(inner), "c").
        let f2 = f_chain();
        assert_eq!(f2.calls.len(), 2);
        assert_eq!(
            f2.calls[1].call.callee,
            attr(Expr::Call(Box::new(f2.calls[0].call.clone())), "c")
        );
    }

    fn f_chain() -> FileFacts {
        f("a.b(1).c(2)\n")
    }

    #[test]
    fn closures_and_factories() {
        let src = "def make_client(base)\n  ->(path) { HTTParty.get(base + path) }\nend\nfetcher = lambda do |p|\n  Net::HTTP.get(URI(p))\nend\nclass A\n  define_method(:fetch) { |x| get(x) }\nend\n";
        let f = f(src);
        let (mk, m) = func(&f, "make_client");
        let Some(Expr::Func(l)) = m.returns.first() else {
            panic!("{:?}", m.returns)
        };
        assert_eq!(f.functions[*l].parent, Some(mk));
        assert_eq!(f.functions[*l].params[0].name, "path");
        let g = call_to(&f, &attr(n("HTTParty"), "get"));
        assert_eq!(g.func, *l);
        assert_eq!(
            g.call.args,
            vec![pos(Expr::Concat(vec![n("base"), n("path")]))]
        );
        let (fid, fe) = func(&f, "fetcher");
        assert_eq!(binding(&f, "fetcher").value, Expr::Func(fid));
        assert_eq!(fe.params[0].name, "p");
        let (did, d) = func(&f, "fetch");
        assert_eq!(d.class, Some(0));
        assert_eq!(call_to(&f, &n("get")).func, did);
    }

    #[test]
    fn implicit_returns_and_memo() {
        let src = "def conn\n  @conn ||= Faraday.new(url: base)\nend\ndef url(x)\n  if x\n    'a'\n  else\n    return 'b'\n  end\nend\ndef base\n  super\nend\n";
        let f = f(src);
        let memo = binding(&f, "conn");
        assert_eq!(memo.scope, Scope::Module);
        let Expr::Call(c) = &memo.value else { panic!() };
        assert!(c.new_object);
        assert_eq!(func(&f, "conn").1.returns, vec![memo.value.clone()]);
        assert_eq!(func(&f, "url").1.returns, vec![s("b"), s("a")]);
        assert_eq!(call_to(&f, &attr(Expr::SuperRef, "base")).call.args, vec![]);
    }

    #[test]
    fn attr_readers_are_members() {
        let src = "class Client\n  attr_reader :base_url, :key\n  def initialize(base_url = DEFAULT, key:)\n    @base_url = base_url\n    @key = key\n  end\n  def get(path)\n    items.each { |key| x(key) }\n    HTTParty.get(\"#{base_url}#{path}\", headers: { 'Authorization' => \"Bearer #{key}\" })\n  end\nend\n";
        let f = f(src);
        assert_eq!(binding(&f, "base_url").value, n("base_url"));
        let g = call_to(&f, &attr(n("HTTParty"), "get"));
        assert_eq!(
            g.call.args,
            vec![
                pos(Expr::Concat(vec![me("base_url"), n("path")])),
                named(
                    "headers",
                    Expr::Object(vec![(
                        "Authorization".into(),
                        Expr::Concat(vec![s("Bearer "), me("key")])
                    )])
                ),
            ]
        );
        // A block parameter shadows the reader.
        assert_eq!(call_to(&f, &n("x")).call.args, vec![pos(n("key"))]);
    }

    #[test]
    fn params_of_all_kinds() {
        let f = f("def m(a, b = 'x', *r, k:, kw: URL, **o, &blk); end\n");
        let m = func(&f, "m").1;
        let got: Vec<(&str, Option<Expr>, bool)> = m
            .params
            .iter()
            .map(|p| (p.name.as_str(), p.default.clone(), p.rest))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a", None, false),
                ("b", Some(s("x")), false),
                ("r", None, true),
                ("k", None, false),
                ("kw", Some(n("URL")), false),
                ("o", None, true),
                ("blk", None, false),
            ]
        );
    }

    #[test]
    fn deep_nesting_does_not_panic() {
        let deep = format!("x = {}1{}\n", "(".repeat(5000), ")".repeat(5000));
        let f1 = f(&deep);
        assert_eq!(f1.functions.len(), 1);
        let arr = format!("y = {}{}\n", "[".repeat(5000), "]".repeat(5000));
        f(&arr);
        let calls = format!("{}1{}\n", "foo(".repeat(3000), ")".repeat(3000));
        f(&calls);
        let blocks = "a { ".repeat(2000) + &"}".repeat(2000);
        f(&blocks);
        f("class < def ( \"#{ \n <<~X\n");
    }
}
