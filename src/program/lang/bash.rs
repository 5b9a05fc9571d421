//! Shell extractor (tree-sitter-bash; also used for .zsh/.ksh, Dockerfile, Makefile snippets).
//!
//! Modelling choices the solver relies on:
//! - Every simple command is a call: callee `Name(command word)`, each following word a positional
//!   argument (flags stay `Str("-X")`; curl/wget words are not interpreted here). `"$@"` / `$*` are spread
//!   arguments `Name("@")`.
//! - Functions get params `"1"`..`"N"` for the highest positional `$N` their body reads, plus a rest param
//!   `"@"` when the body reads `$@` / `$*`.
//! - `$X` / `${X}` is `Name(X)` when `X` is assigned anywhere in the file (or is a positional parameter),
//!   else `Env{X}`; `${X:-d}` / `${X-d}` / `${X:=d}` give `Choice([Name(X), d])` or `Env{X, d}`.
//!   `${X%suffix}` / `${X%%suffix}` are read as `X` (suffix strips such as a trailing `/`).
//! - Assignments bind in the current function (Function scope) or the module at top level; `export`
//!   marks them exported. `x=$(cmd …)` binds `x` to `Call(cmd …)` (the last command of the substitution).
//! - Inside a function, an unredirected `echo words…` / `printf fmt args…` that is not piped is a return of
//!   the function (`echo` → the words joined by spaces, `printf` → `Call(sprintf, [fmt, args…])`): shell
//!   functions return their output, and `$(url_for 1)` is a call of that function.
//! - `source f` / `. f` → Import (module as written, local "").
//! - Heredoc bodies are skipped.
use super::{Builder, MAX_DEPTH, column, concat, end_line, line, named_children, text};
use crate::program::facts::{Arg, Binding, CallExpr, Expr, FileFacts, Function, Import, Param};
use std::collections::HashSet;
use tree_sitter::Node;

pub fn extract(src: &str, tree: &tree_sitter::Tree) -> FileFacts {
    let root = tree.root_node();
    let mut x = Sh {
        src,
        b: Builder::new(),
        assigned: assigned_names(root, src),
    };
    x.block(root, 0);
    x.b.finish()
}

/// Every variable name assigned somewhere in the file (assignments, `for` variables, `read`, `printf -v`).
fn assigned_names(root: Node, src: &str) -> HashSet<String> {
    let mut out = HashSet::new();
    let mut c = root.walk();
    loop {
        let n = c.node();
        match n.kind() {
            "variable_assignment" => {
                if let Some(name) = n.child_by_field_name("name") {
                    let name = match name.kind() {
                        "subscript" => name.child_by_field_name("name").unwrap_or(name),
                        _ => name,
                    };
                    out.insert(text(name, src).to_string());
                }
            }
            "for_statement" => {
                if let Some(v) = n.child_by_field_name("variable") {
                    out.insert(text(v, src).to_string());
                }
            }
            "command" => {
                let cmd = n.child_by_field_name("name").map_or("", |c| text(c, src));
                let words: Vec<&str> = {
                    let mut w = n.walk();
                    n.children_by_field_name("argument", &mut w)
                        .map(|a| text(a, src))
                        .collect()
                };
                match cmd {
                    "read" => out.extend(
                        words
                            .iter()
                            .filter(|w| !w.starts_with('-') && is_name(w))
                            .map(|w| w.to_string()),
                    ),
                    "printf" => {
                        if let Some(i) = words.iter().position(|w| *w == "-v")
                            && let Some(v) = words.get(i + 1)
                        {
                            out.insert(v.to_string());
                        }
                    }
                    _ => {}
                }
            }
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
                return out;
            }
        }
    }
}

fn is_name(w: &str) -> bool {
    !w.is_empty()
        && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !w.starts_with(|c: char| c.is_ascii_digit())
}

/// Highest positional parameter `$N` / `${N}` read in a function body and whether `$@` / `$*` is read
/// (nested function definitions excluded).
fn positional_usage(body: Node, src: &str) -> (usize, bool) {
    let mut max = 0;
    let mut rest = false;
    let mut stack = vec![body];
    while let Some(n) = stack.pop() {
        match n.kind() {
            "function_definition" if n.id() != body.id() => continue,
            "variable_name" => {
                if let Ok(i) = text(n, src).parse::<usize>() {
                    let parent = n.parent().map_or("", |p| p.kind());
                    if matches!(parent, "simple_expansion" | "expansion") && i <= 64 {
                        max = max.max(i);
                    }
                }
            }
            "special_variable_name" => {
                if matches!(text(n, src), "@" | "*") {
                    rest = true;
                }
            }
            _ => {}
        }
        let mut c = n.walk();
        stack.extend(n.children(&mut c));
    }
    (max, rest)
}

/// Unquoted word: a backslash escapes the next character; backslash-newline disappears.
fn decode_word(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('\n') | None => {}
                Some(n) => out.push(n),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Double-quoted text: `\"`, `\\`, `\$`, `` \` `` escape; backslash-newline disappears; other backslashes stay.
fn decode_dq(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.peek() {
                Some('"') | Some('\\') | Some('$') | Some('`') => {
                    if let Some(n) = it.next() {
                        out.push(n);
                    }
                }
                Some('\n') => {
                    it.next();
                }
                _ => out.push(c),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `$'…'` content: C escapes.
fn decode_ansi_c(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('e') | Some('E') => out.push('\x1b'),
            Some('0') => out.push('\0'),
            Some(o) => out.push(o),
            None => out.push('\\'),
        }
    }
    out
}

struct Sh<'s> {
    src: &'s str,
    b: Builder,
    assigned: HashSet<String>,
}

impl<'s> Sh<'s> {
    fn t(&self, n: Node) -> &'s str {
        text(n, self.src)
    }

    /// Statements of a block-like node, each its own statement.
    fn block(&mut self, n: Node, d: usize) {
        if d > MAX_DEPTH {
            return;
        }
        for c in named_children(n) {
            self.stmt(c, d + 1);
        }
    }

    fn stmt(&mut self, n: Node, d: usize) {
        if matches!(n.kind(), "comment" | "heredoc_body") {
            return;
        }
        self.b.begin_stmt(line(n));
        self.node(n, d);
        self.b.end_stmt();
    }

    /// Walks a statement; returns its value when it is a command (for `$(…)`).
    fn node(&mut self, n: Node, d: usize) -> Expr {
        if d > MAX_DEPTH {
            return Expr::Unknown;
        }
        match n.kind() {
            "command" => self.command(n, d),
            "pipeline" | "list" => {
                let mut v = Expr::Unknown;
                for c in named_children(n) {
                    v = self.node(c, d + 1);
                }
                v
            }
            "redirected_statement" => {
                let mut v = Expr::Unknown;
                if let Some(b) = n.child_by_field_name("body") {
                    v = self.node(b, d + 1);
                }
                for r in named_children(n) {
                    if r.kind() == "heredoc_redirect" {
                        for c in named_children(r) {
                            if !matches!(
                                c.kind(),
                                "heredoc_body" | "heredoc_start" | "heredoc_end" | "file_redirect"
                            ) {
                                self.node(c, d + 1);
                            }
                        }
                    }
                }
                v
            }
            "variable_assignment" => {
                self.assign(n, false, d);
                Expr::Unknown
            }
            "variable_assignments" => {
                for c in named_children(n) {
                    self.assign(c, false, d);
                }
                Expr::Unknown
            }
            "declaration_command" => {
                let kw = n.child(0).map_or("", |c| self.t(c));
                let mut exported = kw == "export";
                for c in named_children(n) {
                    match c.kind() {
                        "variable_assignment" => self.assign(c, exported, d),
                        "word" if self.t(c).starts_with('-') && self.t(c).contains('x') => {
                            exported = true
                        }
                        _ => {}
                    }
                }
                Expr::Unknown
            }
            "function_definition" => {
                self.function(n, d);
                Expr::Unknown
            }
            "program"
            | "compound_statement"
            | "do_group"
            | "subshell"
            | "else_clause"
            | "elif_clause"
            | "if_statement"
            | "while_statement"
            | "case_item"
            | "c_style_for_statement" => {
                for c in named_children(n) {
                    match c.kind() {
                        "compound_statement" | "do_group" | "subshell" | "else_clause"
                        | "elif_clause" | "case_item" => {
                            self.node(c, d + 1);
                        }
                        _ if n.kind() == "case_item"
                            && n.child_by_field_name("value") == Some(c) =>
                        {
                            self.word(c, d + 1);
                        }
                        _ => self.stmt(c, d + 1),
                    }
                }
                Expr::Unknown
            }
            "for_statement" => {
                let var = n
                    .child_by_field_name("variable")
                    .map(|v| self.t(v).to_string());
                let mut w = n.walk();
                let values: Vec<Node> = n.children_by_field_name("value", &mut w).collect();
                for v in values {
                    let e = self.word(v, d + 1);
                    if let Some(var) = &var {
                        let scope = self.b.local_scope();
                        self.b.bind(scope, var.clone(), e, line(n));
                    }
                }
                if let Some(b) = n.child_by_field_name("body") {
                    self.node(b, d + 1);
                }
                Expr::Unknown
            }
            "case_statement" => {
                if let Some(v) = n.child_by_field_name("value") {
                    self.word(v, d + 1);
                }
                for c in named_children(n) {
                    if c.kind() == "case_item" {
                        self.node(c, d + 1);
                    }
                }
                Expr::Unknown
            }
            "negated_command" | "test_command" => {
                for c in named_children(n) {
                    self.node(c, d + 1);
                }
                Expr::Unknown
            }
            "comment" | "heredoc_body" | "unset_command" => Expr::Unknown,
            "ERROR" => {
                for c in named_children(n) {
                    self.stmt(c, d + 1);
                }
                Expr::Unknown
            }
            // Expressions in test commands / arithmetic: walk for command substitutions.
            _ => {
                self.word(n, d);
                Expr::Unknown
            }
        }
    }

    fn function(&mut self, n: Node, d: usize) {
        let name = n
            .child_by_field_name("name")
            .map_or("", |c| self.t(c))
            .to_string();
        let body = n.child_by_field_name("body");
        let (max, rest) = body.map_or((0, false), |b| positional_usage(b, self.src));
        let mut params: Vec<Param> = (1..=max)
            .map(|i| Param {
                name: i.to_string(),
                ty: None,
                default: None,
                rest: false,
                fields: Vec::new(),
            })
            .collect();
        if rest {
            params.push(Param {
                name: "@".into(),
                ty: None,
                default: None,
                rest: true,
                fields: Vec::new(),
            });
        }
        self.b.begin_fn(
            Function {
                name,
                class: None,
                parent: None,
                params,
                is_constructor: false,
                is_static: false,
                returns: Vec::new(),
                line: line(n),
                end_line: end_line(n),
            },
            false,
        );
        if let Some(b) = body {
            match b.kind() {
                "compound_statement" | "subshell" => self.block(b, d + 1),
                _ => self.stmt(b, d + 1),
            }
        }
        self.b.end_fn();
    }

    fn assign(&mut self, n: Node, exported: bool, d: usize) {
        let Some(name_node) = n.child_by_field_name("name") else {
            return;
        };
        let name = match name_node.kind() {
            "subscript" => {
                let base = name_node
                    .child_by_field_name("name")
                    .map_or("", |c| self.t(c))
                    .to_string();
                match name_node
                    .child_by_field_name("index")
                    .map(|i| self.word(i, d + 1))
                {
                    Some(Expr::Str(k)) => format!("{base}.{k}"),
                    _ => return,
                }
            }
            _ => self.t(name_node).to_string(),
        };
        let mut v = n
            .child_by_field_name("value")
            .map_or(Expr::Str(String::new()), |c| self.word(c, d + 1));
        let op_plus = n
            .child_by_field_name("value")
            .and_then(|v| self.src.get(name_node.end_byte()..v.start_byte()))
            .is_some_and(|between| between.starts_with("+="));
        if op_plus {
            v = concat(vec![Expr::Name(name.clone()), v]);
        }
        let scope = self.b.local_scope();
        self.b.push_binding(Binding {
            scope,
            name,
            value: v,
            line: line(n),
            ty: None,
            exported,
        });
    }

    fn command(&mut self, n: Node, d: usize) -> Expr {
        // Prefix assignments (`FOO=bar cmd`) only set the command's environment: walk their values.
        for c in named_children(n) {
            if c.kind() == "variable_assignment"
                && let Some(v) = c.child_by_field_name("value")
            {
                self.word(v, d + 1);
            }
        }
        let name_node = n.child_by_field_name("name");
        let callee = match name_node.and_then(|c| c.named_child(0)) {
            Some(w) => match self.word(w, d + 1) {
                Expr::Str(s) => Expr::Name(s),
                other => other,
            },
            None => Expr::Unknown,
        };
        let arg_nodes: Vec<Node> = {
            let mut w = n.walk();
            n.children_by_field_name("argument", &mut w).collect()
        };
        let args: Vec<Arg> = arg_nodes
            .iter()
            .map(|a| {
                let value = self.word(*a, d + 1);
                let spread = value == Expr::Name("@".into());
                Arg {
                    name: None,
                    value,
                    spread,
                }
            })
            .collect();
        let cmd = match &callee {
            Expr::Name(s) => s.as_str(),
            _ => "",
        };
        if matches!(cmd, "source" | ".")
            && let (Some(a), Some(an)) = (args.first(), arg_nodes.first())
        {
            let module = match &a.value {
                Expr::Str(s) => s.clone(),
                _ => self
                    .t(*an)
                    .trim_matches(|c| c == '"' || c == '\'')
                    .to_string(),
            };
            self.b.facts.imports.push(Import {
                module,
                local: String::new(),
                name: None,
                line: line(n),
            });
            return Expr::Unknown;
        }
        if cmd == "printf" {
            if let Some(i) = args.iter().position(|a| a.value == Expr::Str("-v".into())) {
                if let Some(Expr::Str(var)) = args.get(i + 1).map(|a| &a.value) {
                    let v = self.sprintf(&args[(i + 2).min(args.len())..], n);
                    let scope = self.b.local_scope();
                    self.b.bind(scope, var.clone(), v, line(n));
                }
            } else if self.returns_output(n) {
                let v = self.sprintf(&args, n);
                self.b.ret(v);
            }
        }
        if cmd == "echo" && self.returns_output(n) {
            let words: Vec<Expr> = args
                .iter()
                .map(|a| a.value.clone())
                .skip_while(|v| matches!(v, Expr::Str(s) if s.starts_with('-') && s.len() > 1))
                .collect();
            let mut parts = Vec::new();
            for (i, w) in words.into_iter().enumerate() {
                if i > 0 {
                    parts.push(Expr::Str(" ".into()));
                }
                parts.push(w);
            }
            self.b.ret(concat(parts));
        }
        let ce = CallExpr {
            callee,
            args,
            new_object: false,
            line: line(n),
            column: column(n, self.src),
            end_line: end_line(n),
        };
        self.b.call(ce.clone());
        Expr::Call(Box::new(ce))
    }

    /// Whether a command's output is the enclosing function's output: inside a function, not redirected,
    /// not piped into another command, not inside `$(…)`.
    fn returns_output(&self, n: Node) -> bool {
        if self.b.current_fn() == 0 {
            return false;
        }
        let mut p = n.parent();
        while let Some(x) = p {
            match x.kind() {
                "redirected_statement"
                | "pipeline"
                | "command_substitution"
                | "process_substitution" => return false,
                "function_definition" => return true,
                _ => {}
            }
            p = x.parent();
        }
        false
    }

    fn sprintf(&self, args: &[Arg], n: Node) -> Expr {
        if args.len() == 1 {
            return args[0].value.clone();
        }
        Expr::Call(Box::new(CallExpr {
            callee: Expr::Name("sprintf".into()),
            args: args.to_vec(),
            new_object: false,
            line: line(n),
            column: column(n, self.src),
            end_line: end_line(n),
        }))
    }

    /// A variable read by name.
    fn var(&self, name: &str) -> Expr {
        match name {
            "@" | "*" => Expr::Name("@".into()),
            "0" | "?" | "#" | "$" | "!" | "-" | "_" | "" => Expr::Unknown,
            n if n.chars().all(|c| c.is_ascii_digit()) => Expr::Name(n.to_string()),
            n if self.assigned.contains(n) => Expr::Name(n.to_string()),
            n => Expr::Env {
                name: n.to_string(),
                default: None,
            },
        }
    }

    /// Literal text and named children of `n` within `[from, to)`, in order.
    fn parts(&mut self, n: Node, from: usize, to: usize, dq: bool, d: usize) -> Expr {
        let lit = |s: &str| Expr::Str(if dq { decode_dq(s) } else { decode_word(s) });
        let mut parts = Vec::new();
        let mut pos = from;
        for c in named_children(n) {
            if c.start_byte() < from || c.end_byte() > to {
                continue;
            }
            if c.start_byte() > pos {
                parts.push(lit(self.src.get(pos..c.start_byte()).unwrap_or("")));
            }
            parts.push(self.word(c, d + 1));
            pos = c.end_byte();
        }
        if to > pos {
            parts.push(lit(self.src.get(pos..to).unwrap_or("")));
        }
        concat(parts)
    }

    /// The value of a word (argument, assignment value, expansion default).
    fn word(&mut self, n: Node, d: usize) -> Expr {
        if d > MAX_DEPTH {
            return Expr::Unknown;
        }
        match n.kind() {
            "word" | "number" if n.named_child_count() == 0 => Expr::Str(decode_word(self.t(n))),
            "string_content" => Expr::Str(decode_dq(self.t(n))),
            "raw_string" => {
                let t = self.t(n);
                Expr::Str(
                    t.strip_prefix('\'')
                        .unwrap_or(t)
                        .strip_suffix('\'')
                        .unwrap_or(t)
                        .to_string(),
                )
            }
            "ansi_c_string" => {
                let t = self.t(n);
                let inner = t
                    .strip_prefix("$'")
                    .and_then(|t| t.strip_suffix('\''))
                    .unwrap_or(t);
                Expr::Str(decode_ansi_c(inner))
            }
            "string" => {
                let (s, e) = (n.start_byte(), n.end_byte());
                let t = self.t(n);
                let from = if t.starts_with('"') { s + 1 } else { s };
                let to = if t.len() > 1 && t.ends_with('"') {
                    e - 1
                } else {
                    e
                };
                self.parts(n, from, to.max(from), true, d)
            }
            "translated_string" => named_children(n)
                .first()
                .map_or(Expr::Unknown, |c| self.word(*c, d + 1)),
            "concatenation" => self.parts(n, n.start_byte(), n.end_byte(), false, d),
            "simple_expansion" => match n.named_child(0) {
                Some(v) => self.var(self.t(v)),
                None => Expr::Unknown,
            },
            "expansion" => self.expansion(n, d),
            "command_substitution" => {
                let mut v = Expr::Unknown;
                for c in named_children(n) {
                    if c.kind() != "file_redirect" {
                        v = self.node(c, d + 1);
                    }
                }
                v
            }
            "array" => {
                let items = named_children(n)
                    .into_iter()
                    .enumerate()
                    .map(|(i, c)| (i.to_string(), self.word(c, d + 1)))
                    .collect();
                Expr::Object(items)
            }
            "variable_name" => self.var(self.t(n)),
            "heredoc_body" | "comment" => Expr::Unknown,
            "command"
            | "pipeline"
            | "list"
            | "redirected_statement"
            | "subshell"
            | "compound_statement"
            | "process_substitution" => {
                if n.kind() == "process_substitution" {
                    for s in named_children(n) {
                        self.node(s, d + 1);
                    }
                } else {
                    self.node(n, d + 1);
                }
                Expr::Unknown
            }
            _ => {
                // Arithmetic, brace expressions, test expressions: walk for command substitutions.
                for c in named_children(n) {
                    self.word(c, d + 1);
                }
                Expr::Unknown
            }
        }
    }

    /// `${X}`, `${X:-d}`, `${X-d}`, `${X:=d}`, `${X%/}`, `${#X}`, `${arr[k]}`.
    fn expansion(&mut self, n: Node, d: usize) -> Expr {
        let mut c = n.walk();
        let kids: Vec<Node> = n.children(&mut c).collect();
        let Some(vi) = kids.iter().position(|k| {
            matches!(
                k.kind(),
                "variable_name" | "special_variable_name" | "subscript"
            )
        }) else {
            self.walk_named(n, d);
            return Expr::Unknown;
        };
        // `${#X}`, `${!X}`: length / indirection.
        if kids[..vi].iter().any(|k| k.kind() != "${") {
            self.walk_named(n, d);
            return Expr::Unknown;
        }
        let v = kids[vi];
        let base = match v.kind() {
            "subscript" => {
                let arr = v
                    .child_by_field_name("name")
                    .map_or(Expr::Unknown, |a| self.var(self.t(a)));
                match v.child_by_field_name("index").map(|i| self.word(i, d + 1)) {
                    Some(Expr::Str(k)) if k == "@" || k == "*" => Expr::Unknown,
                    Some(Expr::Str(k)) => Expr::Attr(Box::new(arr), k),
                    Some(k) => Expr::Index(Box::new(arr), Box::new(k)),
                    None => Expr::Unknown,
                }
            }
            _ => self.var(self.t(v)),
        };
        let close = kids
            .iter()
            .rposition(|k| k.kind() == "}")
            .map_or(n.end_byte(), |i| kids[i].start_byte());
        let Some(op) = kids.get(vi + 1).filter(|k| k.kind() != "}") else {
            return base;
        };
        let op_kind = if op.is_named() { "" } else { op.kind() };
        match op_kind {
            ":-" | "-" | ":=" | "=" => {
                let default = self.parts(n, op.end_byte(), close.max(op.end_byte()), false, d);
                match base {
                    Expr::Env { name, .. } => Expr::Env {
                        name,
                        default: Some(Box::new(default)),
                    },
                    Expr::Unknown => Expr::Unknown,
                    b => Expr::Choice(vec![b, default]),
                }
            }
            "%" | "%%" | ":?" | "?" => {
                self.walk_named(n, d);
                base
            }
            _ => {
                self.walk_named(n, d);
                Expr::Unknown
            }
        }
    }

    fn walk_named(&mut self, n: Node, d: usize) {
        for c in named_children(n) {
            if matches!(
                c.kind(),
                "command_substitution" | "string" | "concatenation"
            ) {
                self.word(c, d + 1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::program::facts::*;
    use crate::program::lang::testkit::{name as n, pos, s};
    use crate::program::parse::facts;
    use crate::scan::lang::Lang;

    fn f(src: &str) -> FileFacts {
        facts(Lang::Shell, "t.sh", src).expect("parsed")
    }

    fn env(x: &str, d: Option<Expr>) -> Expr {
        Expr::Env {
            name: x.into(),
            default: d.map(Box::new),
        }
    }
    fn cat(v: Vec<Expr>) -> Expr {
        Expr::Concat(v)
    }
    fn binding<'a>(f: &'a FileFacts, name: &str) -> &'a Binding {
        f.bindings
            .iter()
            .find(|b| b.name == name)
            .unwrap_or_else(|| panic!("no binding {name}: {:#?}", f.bindings))
    }
    fn calls_to<'a>(f: &'a FileFacts, cmd: &str) -> Vec<&'a Call> {
        f.calls.iter().filter(|c| c.call.callee == n(cmd)).collect()
    }
    fn func<'a>(f: &'a FileFacts, name: &str) -> (usize, &'a Function) {
        f.functions
            .iter()
            .enumerate()
            .find(|(_, x)| x.name == name)
            .unwrap_or_else(|| panic!("no fn {name}"))
    }
    fn param_names(fun: &Function) -> Vec<(&str, bool)> {
        fun.params
            .iter()
            .map(|p| (p.name.as_str(), p.rest))
            .collect()
    }

    #[test]
    fn request_wrapper_function() {
        let src = "BASE_URL=\"https://rest.gohighlevel.com/v1\"\ncall_api() {\n  curl -s -X \"$1\" \"$BASE_URL$2\" -H \"Authorization: Bearer $GHL_KEY\" \"$@\"\n}\ncall_api GET /contacts/ --data-raw '{\"a\":1}'\n";
        let f = f(src);
        let (id, fun) = func(&f, "call_api");
        assert_eq!(
            param_names(fun),
            vec![("1", false), ("2", false), ("@", true)]
        );
        let curl = calls_to(&f, "curl");
        assert_eq!(curl.len(), 1);
        assert_eq!(curl[0].func, id);
        assert_eq!(
            curl[0].call.args,
            vec![
                pos(s("-s")),
                pos(s("-X")),
                pos(n("1")),
                pos(cat(vec![n("BASE_URL"), n("2")])),
                pos(s("-H")),
                pos(cat(vec![s("Authorization: Bearer "), env("GHL_KEY", None)])),
                Arg {
                    name: None,
                    value: n("@"),
                    spread: true
                },
            ]
        );
        let use_ = calls_to(&f, "call_api");
        assert_eq!(use_[0].func, 0);
        assert_eq!(
            use_[0].call.args,
            vec![
                pos(s("GET")),
                pos(s("/contacts/")),
                pos(s("--data-raw")),
                pos(s("{\"a\":1}"))
            ]
        );
        assert_eq!(binding(&f, "BASE_URL").scope, Scope::Module);
        assert_eq!(
            binding(&f, "BASE_URL").value,
            s("https://rest.gohighlevel.com/v1")
        );
    }

    #[test]
    fn function_keyword_and_braced_positionals() {
        let f = f("function get_contact {\n  local id=${3}\n  wget \"$API/contacts/${id}\"\n}\n");
        let (id, fun) = func(&f, "get_contact");
        assert_eq!(
            param_names(fun),
            vec![("1", false), ("2", false), ("3", false)]
        );
        let b = binding(&f, "id");
        assert_eq!((b.scope, &b.value), (Scope::Function(id), &n("3")));
        let w = calls_to(&f, "wget");
        assert_eq!(
            w[0].call.args,
            vec![pos(cat(vec![env("API", None), s("/contacts/"), n("id")]))]
        );
    }

    #[test]
    fn assignments_and_env_defaults() {
        let src = "A=\"${GHL_URL:-https://rest.gohighlevel.com/v1}\"\nB=${A-'x'}\nexport TOKEN=abc\nreadonly R=1\ndeclare D=\"$HOME/x\"\nC=${A:-\"d/$R\"}\nE=${E_SET%/}\nE_SET=1\nF+=/more\nG=${#A}\n";
        let f = f(src);
        assert_eq!(
            binding(&f, "A").value,
            env("GHL_URL", Some(s("https://rest.gohighlevel.com/v1")))
        );
        assert_eq!(binding(&f, "B").value, Expr::Choice(vec![n("A"), s("x")]));
        let t = binding(&f, "TOKEN");
        assert!(t.exported);
        assert_eq!(t.value, s("abc"));
        assert!(!binding(&f, "R").exported);
        assert_eq!(
            binding(&f, "D").value,
            cat(vec![env("HOME", None), s("/x")])
        );
        assert_eq!(
            binding(&f, "C").value,
            Expr::Choice(vec![n("A"), cat(vec![s("d/"), n("R")])])
        );
        assert_eq!(binding(&f, "E").value, n("E_SET"));
        assert_eq!(binding(&f, "F").value, cat(vec![n("F"), s("/more")]));
        assert_eq!(binding(&f, "G").value, Expr::Unknown);
    }

    #[test]
    fn command_substitution_binds_call() {
        let src = "resp=$(curl -s \"$BASE/contacts/\" | jq -r '.id')\nraw=`curl -s $BASE`\nx=$(http GET \"$BASE\")\n";
        let f = f(src);
        let curl = calls_to(&f, "curl");
        assert_eq!(curl.len(), 2);
        assert_eq!(
            curl[0].call.args[1],
            pos(cat(vec![env("BASE", None), s("/contacts/")]))
        );
        let jq = calls_to(&f, "jq");
        assert_eq!(
            binding(&f, "resp").value,
            Expr::Call(Box::new(jq[0].call.clone()))
        );
        assert_eq!(
            binding(&f, "raw").value,
            Expr::Call(Box::new(curl[1].call.clone()))
        );
        let http = calls_to(&f, "http");
        assert_eq!(
            binding(&f, "x").value,
            Expr::Call(Box::new(http[0].call.clone()))
        );
        assert_eq!(http[0].stmt_line, 3);
    }

    #[test]
    fn line_continuation_is_one_call() {
        let src = "echo start\ncurl -X POST \\\n  \"$URL\" \\\n  -d @body.json\n";
        let f = f(src);
        let c = calls_to(&f, "curl");
        assert_eq!(c.len(), 1);
        assert_eq!(
            (c[0].call.line, c[0].call.end_line, c[0].stmt_line),
            (2, 4, 2)
        );
        assert_eq!(
            c[0].call.args,
            vec![
                pos(s("-X")),
                pos(s("POST")),
                pos(env("URL", None)),
                pos(s("-d")),
                pos(s("@body.json"))
            ]
        );
    }

    #[test]
    fn lists_pipelines_and_heredocs() {
        let src = "cd /tmp && curl -s \"$U\" || echo fail\ncat <<EOF | curl -d @- \"$U\"\n{\"url\": \"$(nope)\"}\nEOF\nif curl -sf \"$U\"; then\n  echo ok\nfi\nfor ep in contacts tasks; do\n  curl \"$U/$ep\"\ndone\n";
        let f = f(src);
        let cmds: Vec<String> = f
            .calls
            .iter()
            .map(|c| match &c.call.callee {
                Expr::Name(x) => format!("{x}@{}", c.stmt_line),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(
            cmds,
            vec![
                "cd@1", "curl@1", "echo@1", "cat@2", "curl@2", "curl@5", "echo@6", "curl@9"
            ]
        );
        let eps: Vec<&Expr> = f
            .bindings
            .iter()
            .filter(|b| b.name == "ep")
            .map(|b| &b.value)
            .collect();
        assert_eq!(eps, vec![&s("contacts"), &s("tasks")]);
        assert_eq!(
            calls_to(&f, "curl")[3].call.args,
            vec![pos(cat(vec![env("U", None), s("/"), n("ep")]))]
        );
    }

    #[test]
    fn imports() {
        let f = f("source ./lib.sh\n. \"$DIR/config.sh\"\nsource lib/common.bash\n");
        let m: Vec<(&str, &str, usize)> = f
            .imports
            .iter()
            .map(|i| (i.module.as_str(), i.local.as_str(), i.line))
            .collect();
        assert_eq!(
            m,
            vec![
                ("./lib.sh", "", 1),
                ("$DIR/config.sh", "", 2),
                ("lib/common.bash", "", 3)
            ]
        );
        assert!(f.calls.is_empty());
    }

    #[test]
    fn echo_and_printf_are_function_outputs() {
        let src = "url_for() {\n  echo \"$BASE/contacts/$1\"\n}\nfmt() { printf '%s/v1/%s' \"$HOST\" \"$1\"; }\nquiet() { echo hi >&2; echo x | tr x y; }\nprintf -v P '%s/x' \"$HOST\"\ncurl \"$(url_for 7)\"\n";
        let f = f(src);
        assert_eq!(
            func(&f, "url_for").1.returns,
            vec![cat(vec![env("BASE", None), s("/contacts/"), n("1")])]
        );
        let Expr::Call(p) = &func(&f, "fmt").1.returns[0] else {
            panic!()
        };
        assert_eq!(p.callee, n("sprintf"));
        assert_eq!(
            p.args,
            vec![pos(s("%s/v1/%s")), pos(env("HOST", None)), pos(n("1"))]
        );
        assert!(func(&f, "quiet").1.returns.is_empty());
        let Expr::Call(pv) = &binding(&f, "P").value else {
            panic!()
        };
        assert_eq!(pv.args, vec![pos(s("%s/x")), pos(env("HOST", None))]);
        let uf = calls_to(&f, "url_for");
        assert_eq!(uf[0].call.args, vec![pos(s("7"))]);
        assert_eq!(
            calls_to(&f, "curl")[0].call.args,
            vec![pos(Expr::Call(Box::new(uf[0].call.clone())))]
        );
    }

    #[test]
    fn quoting_forms() {
        let src =
            "x=\"a\\\"b\\$c\" y='r\\aw' z=$'t\\tn' w=foo\\ bar v=pre\"$Q\"post arr=(one \"two\")\n";
        let f = f(src);
        assert_eq!(binding(&f, "x").value, s("a\"b$c"));
        assert_eq!(binding(&f, "y").value, s("r\\aw"));
        assert_eq!(binding(&f, "z").value, s("t\tn"));
        assert_eq!(binding(&f, "w").value, s("foo bar"));
        assert_eq!(
            binding(&f, "v").value,
            cat(vec![s("pre"), env("Q", None), s("post")])
        );
        assert_eq!(
            binding(&f, "arr").value,
            Expr::Object(vec![("0".into(), s("one")), ("1".into(), s("two"))])
        );
    }

    #[test]
    fn read_and_assignment_inside_function_scope() {
        let src = "read -r TOKEN\nsetup() {\n  URL=\"https://x/v1\"\n}\ncurl -H \"Authorization: $TOKEN\" \"$URL\" \"$1\"\n";
        let f = f(src);
        let (id, _) = func(&f, "setup");
        assert_eq!(binding(&f, "URL").scope, Scope::Function(id));
        assert_eq!(
            calls_to(&f, "curl")[0].call.args,
            vec![
                pos(s("-H")),
                pos(cat(vec![s("Authorization: "), n("TOKEN")])),
                pos(n("URL")),
                pos(n("1"))
            ]
        );
    }

    #[test]
    fn deep_nesting_does_not_panic() {
        f(&format!(
            "x={}1{}\n",
            "$(echo ".repeat(5000),
            ")".repeat(5000)
        ));
        f(&format!("{}true{}\n", "( ".repeat(5000), " )".repeat(5000)));
        f(&format!(
            "{}true;{}\n",
            "{ ".repeat(5000),
            " }".repeat(5000)
        ));
        f(&format!(
            "echo {}x{}\n",
            "\"${A:-".repeat(3000),
            "}\"".repeat(3000)
        ));
        f("f() { curl \"$(\n");
        f("if then fi ${ $( ` <<E\n");
    }
}
