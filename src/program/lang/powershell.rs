//! PowerShell extractor (`.ps1` / `.psm1`): functions (`function Name { param(...) }`, `function Name($a)`,
//! script blocks, class methods), classes, assignments (`$x = …`, `$script:x`, `$this.x`, `$cfg.a.b`),
//! dot-sourcing / `Import-Module` / `using module` as imports, and every command, method call and static
//! call as a call. Commands keep their parameters as named arguments (`-Uri $u` → `Uri`), switches get
//! `Str("true")`, splatting `@params` is a spread argument.
//!
//! The grammar does not know PowerShell 7's `??` operator; when the tree has errors and the source holds
//! `??` outside strings and comments, the source is re-parsed with `??` replaced by `||` (same length, so
//! positions are unchanged) and `a || b` is read as a choice with the env default folded in.
use super::{MAX_DEPTH, column, concat, end_line, line, named_children, text};
use crate::program::facts::{
    Arg, CallExpr, Class, Expr, FileFacts, Function, Import, Param, Scope,
};
use tree_sitter::Node;

pub fn extract(src: &str, tree: &tree_sitter::Tree) -> FileFacts {
    if tree.root_node().has_error()
        && let Some(patched) = patch_coalesce(src)
    {
        let mut parser = tree_sitter::Parser::new();
        if parser
            .set_language(&tree_sitter_powershell::LANGUAGE.into())
            .is_ok()
        {
            #[allow(deprecated)]
            parser.set_timeout_micros(2_000_000);
            if let Some(t) = parser.parse(&patched, None) {
                return Walker::new(&patched).run(&t);
            }
        }
    }
    Walker::new(src).run(tree)
}

/// Replaces `??` (and `??=`) outside strings and comments with `||` (`= ` padded), keeping byte offsets.
/// `None` when there is nothing to replace.
fn patch_coalesce(src: &str) -> Option<String> {
    if !src.contains("??") {
        return None;
    }
    let b = src.as_bytes();
    let mut out = b.to_vec();
    let mut changed = false;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'<' if b.get(i + 1) == Some(&b'#') => {
                i += 2;
                while i + 1 < b.len() && !(b[i] == b'#' && b[i + 1] == b'>') {
                    i += 1;
                }
                i += 2;
            }
            b'\'' => {
                i += 1;
                while i < b.len() && b[i] != b'\'' {
                    i += 1;
                }
                i += 1;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'`' {
                        i += 1;
                    }
                    i += 1;
                }
                i += 1;
            }
            b'`' => i += 2,
            b'?' if b.get(i + 1) == Some(&b'?') => {
                if b.get(i + 2) == Some(&b'=') {
                    out[i] = b' ';
                    out[i + 1] = b' ';
                    i += 3;
                } else {
                    out[i] = b'|';
                    out[i + 1] = b'|';
                    i += 2;
                }
                changed = true;
            }
            _ => i += 1,
        }
    }
    if !changed {
        return None;
    }
    String::from_utf8(out).ok()
}

/// Single-child wrapper kinds of the expression grammar.
const WRAPPERS: &[&str] = &[
    "logical_expression",
    "bitwise_expression",
    "comparison_expression",
    "additive_expression",
    "multiplicative_expression",
    "format_expression",
    "range_expression",
    "array_literal_expression",
    "unary_expression",
    "argument_expression",
    "logical_argument_expression",
    "bitwise_argument_expression",
    "comparison_argument_expression",
    "additive_argument_expression",
    "multiplicative_argument_expression",
    "format_argument_expression",
    "range_argument_expression",
    "left_assignment_expression",
    "key_expression",
    "string_literal",
    "integer_literal",
    "member_name",
    "pipeline_chain",
    "script_parameter_default",
];

/// Common switch parameters (never take a value), so a following word stays positional. A switch
/// given a value explicitly (`-UseBasicParsing:$false`) is still read as `name: value`.
fn is_switch(p: &str) -> bool {
    const SWITCHES: &[&str] = &[
        "usebasicparsing",
        "skipcertificatecheck",
        "usedefaultcredentials",
        "passthru",
        "disablekeepalive",
        "allowunencryptedauthentication",
        "skipheadervalidation",
        "skiphttperrorcheck",
        "nonewline",
        "compress",
        "ashashtable",
        "force",
        "verbose",
    ];
    SWITCHES.contains(&p.to_ascii_lowercase().as_str())
}

/// Cmdlets whose output is not a value of the function.
fn is_output_free(cmd: &str) -> bool {
    let c = cmd.to_ascii_lowercase();
    (c.starts_with("write-") && c != "write-output")
        || matches!(
            c.as_str(),
            "out-null" | "out-host" | "out-file" | "set-content" | "add-content" | "start-sleep"
        )
}

struct Walker<'s> {
    src: &'s str,
    b: super::Builder,
    depth: usize,
}

impl<'s> Walker<'s> {
    fn new(src: &'s str) -> Self {
        Walker {
            src,
            b: super::Builder::new(),
            depth: 0,
        }
    }

    fn run(mut self, tree: &tree_sitter::Tree) -> FileFacts {
        let root = tree.root_node();
        for c in named_children(root) {
            if c.kind() == "param_block" {
                let params = self.params(Some(c));
                for p in &params {
                    if let Some(d) = &p.default {
                        self.b
                            .bind(Scope::Module, p.name.clone(), d.clone(), line(c));
                    }
                }
                self.b.facts.functions[0].params = params;
            } else {
                self.visit(c);
            }
        }
        self.b.finish()
    }

    fn t(&self, n: Node) -> &'s str {
        text(n, self.src)
    }

    /// Descends through single-child wrapper nodes without recursion.
    fn unwrap<'t>(&self, mut n: Node<'t>) -> Node<'t> {
        while WRAPPERS.contains(&n.kind()) && n.named_child_count() == 1 && n.child_count() == 1 {
            match n.named_child(0) {
                Some(c) => n = c,
                None => break,
            }
        }
        n
    }

    // ---------------------------------------------------------------- statements

    fn visit(&mut self, n: Node) {
        if self.depth > MAX_DEPTH {
            return;
        }
        self.depth += 1;
        match n.kind() {
            "pipeline" => {
                self.b.begin_stmt(line(n));
                let v = self.pipeline(n);
                self.implicit_return(n, v);
                self.b.end_stmt();
            }
            "function_statement" => self.function(n),
            "class_statement" => self.class(n),
            "flow_control_statement" => {
                self.b.begin_stmt(line(n));
                let is_return = n
                    .child(0)
                    .is_some_and(|k| self.t(k).eq_ignore_ascii_case("return"));
                for c in named_children(n) {
                    if c.kind() == "pipeline" {
                        let v = self.pipeline(c);
                        if is_return && self.b.current_fn() != 0 {
                            self.b.ret(v);
                        }
                    } else {
                        self.visit(c);
                    }
                }
                self.b.end_stmt();
            }
            "comment" => {}
            _ => {
                for c in named_children(n) {
                    self.visit(c);
                }
            }
        }
        self.depth -= 1;
    }

    /// A bare expression / command statement in a function body is its output.
    fn implicit_return(&mut self, n: Node, v: Expr) {
        if self.b.current_fn() == 0 || v == Expr::Unknown {
            return;
        }
        if n.named_child(0)
            .is_some_and(|c| c.kind() == "assignment_expression")
        {
            return;
        }
        let v = match v {
            Expr::Call(ce) => match &ce.callee {
                Expr::Name(c) if c.eq_ignore_ascii_case("write-output") => {
                    match ce.args.iter().find(|a| a.name.is_none()) {
                        Some(a) => a.value.clone(),
                        None => return,
                    }
                }
                Expr::Name(c) if is_output_free(c) => return,
                _ => Expr::Call(ce),
            },
            v => v,
        };
        self.b.ret(v);
    }

    fn statement_list(&mut self, n: Node) {
        for c in named_children(n) {
            self.visit(c);
        }
    }

    /// Walks a `script_block` (param block + body); returns its params.
    fn script_block_params(&mut self, sb: Option<Node>) -> Vec<Param> {
        let pb = sb.and_then(|s| {
            named_children(s)
                .into_iter()
                .find(|c| c.kind() == "param_block")
        });
        self.params(pb)
    }

    fn params(&mut self, n: Option<Node>) -> Vec<Param> {
        let Some(n) = n else { return Vec::new() };
        let mut out = Vec::new();
        let list = if n.kind() == "parameter_list" {
            Some(n)
        } else {
            named_children(n)
                .into_iter()
                .find(|c| c.kind() == "parameter_list")
        };
        let Some(list) = list else { return out };
        for p in named_children(list) {
            if p.kind() != "script_parameter" {
                continue;
            }
            let mut name = String::new();
            let mut ty = None;
            let mut default = None;
            for c in named_children(p) {
                match c.kind() {
                    "variable" => name = var_name(self.t(c)).1,
                    "attribute_list" => {
                        for a in named_children(c) {
                            if let Some(tl) =
                                a.named_child(0).filter(|x| x.kind() == "type_literal")
                            {
                                ty = Some(type_text(self.t(tl)));
                            }
                        }
                    }
                    "script_parameter_default" => {
                        default = c.named_child(0).map(|v| self.expr(v));
                    }
                    _ => {}
                }
            }
            if !name.is_empty() {
                out.push(Param {
                    name,
                    ty,
                    default,
                    rest: false,
                    fields: Vec::new(),
                });
            }
        }
        out
    }

    fn function(&mut self, n: Node) {
        let kids = named_children(n);
        let name = kids
            .iter()
            .find(|c| c.kind() == "function_name")
            .map(|c| var_name(self.t(*c)).1)
            .unwrap_or_default();
        let decl = kids
            .iter()
            .find(|c| c.kind() == "function_parameter_declaration")
            .copied();
        let sb = kids.iter().find(|c| c.kind() == "script_block").copied();
        let mut params = self.params(decl);
        params.extend(self.script_block_params(sb));
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
        if let Some(sb) = sb {
            self.script_body(sb);
        }
        self.b.end_fn();
    }

    /// The statements of a script block (skipping its param block).
    fn script_body(&mut self, sb: Node) {
        for c in named_children(sb) {
            if c.kind() != "param_block" {
                self.visit(c);
            }
        }
    }

    fn class(&mut self, n: Node) {
        let names: Vec<String> = named_children(n)
            .into_iter()
            .filter(|c| c.kind() == "simple_name")
            .map(|c| self.t(c).to_string())
            .collect();
        let Some((name, bases)) = names.split_first() else {
            return;
        };
        let name = name.clone();
        let cid = self.b.begin_class(Class {
            name: name.clone(),
            bases: bases.to_vec(),
            line: line(n),
        });
        for c in named_children(n) {
            match c.kind() {
                "class_property_definition" => {
                    let mut pname = String::new();
                    let mut ty = None;
                    let mut value = Expr::Unknown;
                    for k in named_children(c) {
                        match k.kind() {
                            "variable" => pname = var_name(self.t(k)).1,
                            "type_literal" => ty = Some(type_text(self.t(k))),
                            "attribute" | "class_attribute" | "comment" => {}
                            _ => {
                                self.b.begin_stmt(line(c));
                                value = self.expr(k);
                                self.b.end_stmt();
                            }
                        }
                    }
                    if !pname.is_empty() {
                        self.b.push_binding(crate::program::facts::Binding {
                            scope: Scope::Class(cid),
                            name: pname,
                            value,
                            line: line(c),
                            ty,
                            exported: false,
                        });
                    }
                }
                "class_method_definition" => self.method(c, &name),
                _ => {}
            }
        }
        self.b.end_class();
    }

    fn method(&mut self, n: Node, class_name: &str) {
        let mut name = String::new();
        let mut params = Vec::new();
        let mut is_static = false;
        let mut body = None;
        for c in named_children(n) {
            match c.kind() {
                "simple_name" => name = self.t(c).to_string(),
                "class_attribute" => is_static |= self.t(c).eq_ignore_ascii_case("static"),
                "class_method_parameter_list" => {
                    for p in named_children(c) {
                        let mut pn = String::new();
                        let mut ty = None;
                        for k in named_children(p) {
                            match k.kind() {
                                "variable" => pn = var_name(self.t(k)).1,
                                "type_literal" => ty = Some(type_text(self.t(k))),
                                _ => {}
                            }
                        }
                        if !pn.is_empty() {
                            params.push(Param {
                                name: pn,
                                ty,
                                default: None,
                                rest: false,
                                fields: Vec::new(),
                            });
                        }
                    }
                }
                "script_block" => body = Some(c),
                _ => {}
            }
        }
        let is_constructor = name.eq_ignore_ascii_case(class_name);
        self.b.begin_fn(
            Function {
                name,
                class: None,
                parent: None,
                params,
                is_constructor,
                is_static,
                returns: Vec::new(),
                line: line(n),
                end_line: end_line(n),
            },
            true,
        );
        if let Some(sb) = body {
            self.script_body(sb);
        }
        self.b.end_fn();
    }

    // ---------------------------------------------------------------- pipelines and commands

    /// Value of a pipeline (assignments are recorded and yield `Unknown`).
    fn pipeline(&mut self, n: Node) -> Expr {
        if self.depth > MAX_DEPTH {
            return Expr::Unknown;
        }
        self.depth += 1;
        let v = self.pipeline_inner(n);
        self.depth -= 1;
        v
    }

    fn pipeline_inner(&mut self, n: Node) -> Expr {
        let kids = named_children(n);
        if let Some(a) = kids.iter().find(|c| c.kind() == "assignment_expression") {
            self.assignment(*a);
            return Expr::Unknown;
        }
        let mut values = Vec::new();
        let mut or_chain = false;
        for c in kids {
            match c.kind() {
                "pipeline_chain" => values.push(self.chain(c)),
                "pipeline_chain_tail" => or_chain |= self.t(c) == "||",
                "comment" => {}
                _ => {
                    self.visit(c);
                }
            }
        }
        if values.len() > 1 && or_chain {
            return choice(values);
        }
        values.pop().unwrap_or(Expr::Unknown)
    }

    /// A pipeline chain `a | cmd | cmd`: the last element's value.
    fn chain(&mut self, n: Node) -> Expr {
        let mut last = Expr::Unknown;
        for c in named_children(n) {
            match c.kind() {
                "command" => last = self.command(c),
                "redirections" | "verbatim_command_argument" | "comment" => {}
                _ => last = self.expr(c),
            }
        }
        last
    }

    fn command(&mut self, n: Node) -> Expr {
        let mut callee = Expr::Unknown;
        let mut cmd = String::new();
        let mut dot_source = false;
        let mut args: Vec<Arg> = Vec::new();
        let mut pending: Option<String> = None;
        let mut after_comma = false;
        let mut c = n.walk();
        let children: Vec<Node> = n.children(&mut c).collect();
        for ch in children {
            match ch.kind() {
                "command_invokation_operator" | "." | "&" => dot_source = self.t(ch) == ".",
                "command_name" => {
                    cmd = self.t(ch).to_string();
                    callee = Expr::Name(cmd.clone());
                }
                "command_name_expr" => {
                    let inner = ch.named_child(0);
                    match inner {
                        Some(i) if matches!(i.kind(), "command_name" | "path_command_name") => {
                            cmd = self.t(i).to_string();
                            callee = Expr::Name(cmd.clone());
                        }
                        Some(i) => {
                            callee = self.expr(i);
                            if let Expr::Str(s) = &callee {
                                cmd = s.clone();
                            }
                        }
                        None => {}
                    }
                }
                "command_elements" => {
                    let mut wc = ch.walk();
                    let elems: Vec<Node> = ch.children(&mut wc).collect();
                    for e in elems {
                        match e.kind() {
                            "command_argument_sep" | "comment" | "redirection" | "stop_parsing" => {
                            }
                            "," => after_comma = true,
                            "command_parameter" => {
                                if let Some(p) = pending.take() {
                                    args.push(named(p, Expr::Str("true".into())));
                                }
                                let t = self.t(e).trim_start_matches('-');
                                if let Some((k, v)) = t.split_once('=') {
                                    args.push(named(k.to_string(), Expr::Str(unquote_str(v))));
                                } else if is_switch(t) {
                                    args.push(named(t.to_string(), Expr::Str("true".into())));
                                } else if !t.is_empty() {
                                    pending = Some(t.trim_end_matches(':').to_string());
                                }
                                after_comma = false;
                            }
                            "argument_list" => {
                                // `cmd $x(...)`: evaluate for nested calls only.
                                self.expr(e);
                            }
                            _ if e.is_named() => {
                                let (value, spread) = self.command_arg(e);
                                if after_comma && let Some(last) = args.last_mut() {
                                    let prev = std::mem::replace(&mut last.value, Expr::Unknown);
                                    last.value = push_item(prev, value);
                                    after_comma = false;
                                    continue;
                                }
                                after_comma = false;
                                match pending.take() {
                                    Some(p) => args.push(named(p, value)),
                                    None => args.push(Arg {
                                        name: None,
                                        value,
                                        spread,
                                    }),
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        if let Some(p) = pending.take() {
            args.push(named(p, Expr::Str("true".into())));
        }
        let lc = cmd.to_ascii_lowercase();
        // Imports: dot-sourcing, Import-Module, using module.
        if dot_source || lc == "import-module" || lc == "ipmo" || lc == "using" {
            let target = if dot_source {
                Some(Expr::Str(cmd.clone()))
                    .filter(|_| !cmd.is_empty())
                    .or(match &callee {
                        Expr::Str(_) | Expr::Concat(_) => Some(callee.clone()),
                        _ => None,
                    })
            } else {
                args.iter()
                    .filter(|a| {
                        a.name.is_none()
                            || a.name
                                .as_deref()
                                .is_some_and(|x| x.eq_ignore_ascii_case("name"))
                    })
                    .map(|a| a.value.clone())
                    .find(|v| {
                        !(lc == "using"
                            && matches!(v, Expr::Str(s) if s.eq_ignore_ascii_case("module")))
                    })
            };
            if let Some(m) = target.and_then(|t| module_path(&t)) {
                self.b.facts.imports.push(Import {
                    module: m,
                    local: String::new(),
                    name: None,
                    line: line(n),
                });
                if lc == "using" || dot_source {
                    return Expr::Unknown;
                }
            }
        }
        let mut new_object = false;
        if lc == "new-object" {
            let ty = args
                .iter()
                .position(|a| {
                    a.name.is_none()
                        || a.name
                            .as_deref()
                            .is_some_and(|x| x.eq_ignore_ascii_case("typename"))
                })
                .map(|i| args.remove(i).value);
            if let Some(Expr::Str(ty)) = ty {
                callee = Expr::Name(ty);
                new_object = true;
            } else if let Some(v) = ty {
                args.insert(
                    0,
                    Arg {
                        name: None,
                        value: v,
                        spread: false,
                    },
                );
            }
        }
        let ce = CallExpr {
            callee,
            args,
            new_object,
            line: line(n),
            column: column(n, self.src),
            end_line: end_line(n),
        };
        self.b.call(ce.clone());
        Expr::Call(Box::new(ce))
    }

    /// A command argument: a bare word (with `$var` expansion), or an expression; `@splat` is a spread.
    fn command_arg(&mut self, e: Node) -> (Expr, bool) {
        if e.kind() == "generic_token" {
            return (self.bare_word(self.t(e)), false);
        }
        let inner = self.unwrap(e);
        if inner.kind() == "variable" && self.t(inner).starts_with('@') {
            return (self.var_expr(self.t(inner)), true);
        }
        (self.expr(e), false)
    }

    /// A bare command word: `$name` / `${name}` expand, the rest is literal.
    fn bare_word(&self, w: &str) -> Expr {
        if !w.contains('$') {
            return Expr::Str(decode_backticks(w));
        }
        let mut parts = Vec::new();
        let mut lit = String::new();
        let mut rest = w;
        while let Some(i) = rest.find('$') {
            lit.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            let (var, used) = if let Some(b) = after.strip_prefix('{') {
                match b.find('}') {
                    Some(j) => (Some(&b[..j]), j + 2),
                    None => (None, 0),
                }
            } else {
                let j = after
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
                    .unwrap_or(after.len());
                let v = after[..j].trim_end_matches(':');
                if v.is_empty() {
                    (None, 0)
                } else {
                    (Some(v), v.len())
                }
            };
            match var {
                Some(v) => {
                    parts.push(Expr::Str(decode_backticks(&std::mem::take(&mut lit))));
                    parts.push(self.var_expr(&format!("${v}")));
                    rest = &after[used..];
                }
                None => {
                    lit.push('$');
                    rest = after;
                }
            }
        }
        lit.push_str(rest);
        parts.push(Expr::Str(decode_backticks(&lit)));
        concat(parts)
    }

    // ---------------------------------------------------------------- assignments

    fn assignment(&mut self, n: Node) {
        let kids = named_children(n);
        let Some(left) = kids.first().copied() else {
            return;
        };
        let op = kids
            .iter()
            .find(|c| c.kind() == "assignement_operator")
            .map(|c| self.t(*c).to_string())
            .unwrap_or_default();
        let value_node = n.child_by_field_name("value");
        let value = match value_node {
            Some(v) if v.kind() == "pipeline" => self.pipeline(v),
            Some(v) => {
                self.visit(v);
                Expr::Unknown
            }
            None => Expr::Unknown,
        };
        let mut target = self.unwrap(left);
        let mut ty = None;
        if target.kind() == "expression_with_unary_operator"
            && let Some(cast) = target
                .named_child(0)
                .filter(|c| c.kind() == "cast_expression")
        {
            if let Some(tl) = cast.named_child(0).filter(|c| c.kind() == "type_literal") {
                ty = Some(type_text(self.t(tl)));
            }
            if let Some(inner) = cast.named_child(1) {
                target = self.unwrap(inner);
            }
        }
        let (scope, name) = match target.kind() {
            "variable" => {
                let (prefix, name) = var_name(self.t(target));
                match prefix.as_deref() {
                    Some("env") => return,
                    Some("script" | "global") => (Scope::Module, name),
                    _ => (self.b.local_scope(), name),
                }
            }
            "member_access" | "element_access" => {
                let e = self.expr(target);
                match e {
                    Expr::Attr(base, attr) if *base == Expr::SelfRef => {
                        (self.b.member_scope(), attr)
                    }
                    e => match dotted(&e) {
                        Some(d) => (self.b.local_scope(), d),
                        None => return,
                    },
                }
            }
            _ => return,
        };
        if name.is_empty() {
            return;
        }
        let value = match op.as_str() {
            "=" => value,
            "+=" => concat(vec![name_for(&scope, &name), value]),
            _ => Expr::Unknown,
        };
        self.b.push_binding(crate::program::facts::Binding {
            scope,
            name,
            value,
            line: line(n),
            ty,
            exported: false,
        });
    }

    // ---------------------------------------------------------------- expressions

    fn expr(&mut self, n: Node) -> Expr {
        if self.depth > MAX_DEPTH {
            return Expr::Unknown;
        }
        self.depth += 1;
        let n = self.unwrap(n);
        let v = self.expr_inner(n);
        self.depth -= 1;
        v
    }

    fn expr_inner(&mut self, n: Node) -> Expr {
        let kind = n.kind().replace("_argument_expression", "_expression");
        match kind.as_str() {
            "variable" | "braced_variable" => self.var_expr(self.t(n)),
            "expandable_string_literal" | "expandable_here_string_literal" => self.interpolated(n),
            "verbatim_string_characters" => {
                let t = self.t(n);
                let inner = t.get(1..t.len().saturating_sub(1)).unwrap_or("");
                Expr::Str(inner.replace("''", "'"))
            }
            "verbatim_here_string_characters" => {
                let t = self.t(n);
                let body = t.split_once('\n').map_or("", |x| x.1);
                let body = body.rsplit_once('\n').map_or("", |x| x.0);
                Expr::Str(body.trim_end_matches('\r').to_string())
            }
            "decimal_integer_literal"
            | "hexadecimal_integer_literal"
            | "real_literal"
            | "simple_name"
            | "generic_token" => Expr::Str(self.t(n).to_string()),
            "parenthesized_expression" => match n.named_child(0) {
                Some(p) if p.kind() == "pipeline" => self.pipeline(p),
                Some(p) => self.expr(p),
                None => Expr::Unknown,
            },
            "sub_expression" | "array_expression" => self.sub_expression(n),
            "hash_literal_expression" => self.hash(n),
            "script_block_expression" => self.script_block_expr(n),
            "type_literal" => Expr::Name(type_text(self.t(n))),
            "member_access" => self.member_access(n),
            "element_access" => {
                let kids = named_children(n);
                let recv = kids.first().map_or(Expr::Unknown, |c| self.expr(*c));
                let key = kids.get(1).map_or(Expr::Unknown, |c| self.expr(*c));
                match key {
                    Expr::Str(k) => Expr::Attr(Box::new(recv), k),
                    k => Expr::Index(Box::new(recv), Box::new(k)),
                }
            }
            "invokation_expression" => self.invocation(n),
            "expression_with_unary_operator" => {
                let kids = named_children(n);
                match kids.first() {
                    Some(c) if c.kind() == "cast_expression" => {
                        let inner = named_children(*c);
                        match inner.get(1) {
                            Some(i) => self.expr(*i),
                            None => Expr::Unknown,
                        }
                    }
                    _ => {
                        for c in kids {
                            self.expr(c);
                        }
                        Expr::Unknown
                    }
                }
            }
            "array_literal_expression" => {
                let items: Vec<Expr> = named_children(n)
                    .into_iter()
                    .map(|c| self.expr(c))
                    .collect();
                Expr::Object(
                    items
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| (i.to_string(), v))
                        .collect(),
                )
            }
            "additive_expression" => {
                let kids = named_children(n);
                let op = n.child(1).map(|c| self.t(c)).unwrap_or("");
                let l = kids.first().map_or(Expr::Unknown, |c| self.expr(*c));
                let r = kids.get(1).map_or(Expr::Unknown, |c| self.expr(*c));
                if op == "+" {
                    concat(vec![l, r])
                } else {
                    Expr::Unknown
                }
            }
            "format_expression" => {
                let kids = named_children(n);
                let template = kids.first().map_or(Expr::Unknown, |c| self.expr(*c));
                let mut args = vec![Arg {
                    name: None,
                    value: template,
                    spread: false,
                }];
                if let Some(r) = kids.get(2) {
                    let r = self.unwrap(*r);
                    if r.kind() == "array_literal_expression" {
                        for c in named_children(r) {
                            let value = self.expr(c);
                            args.push(Arg {
                                name: None,
                                value,
                                spread: false,
                            });
                        }
                    } else {
                        let value = self.expr(r);
                        args.push(Arg {
                            name: None,
                            value,
                            spread: false,
                        });
                    }
                }
                let ce = CallExpr {
                    callee: Expr::Name("format".into()),
                    args,
                    new_object: false,
                    line: line(n),
                    column: column(n, self.src),
                    end_line: end_line(n),
                };
                self.b.call(ce.clone());
                Expr::Call(Box::new(ce))
            }
            "pipeline" => self.pipeline(n),
            "command" => self.command(n),
            "statement_list" => {
                self.statement_list(n);
                Expr::Unknown
            }
            _ => {
                for c in named_children(n) {
                    if matches!(
                        c.kind(),
                        "pipeline" | "statement_list" | "function_statement"
                    ) {
                        self.visit(c);
                    } else {
                        self.expr(c);
                    }
                }
                Expr::Unknown
            }
        }
    }

    /// `$(…)` / `@(…)`: the value of a single pipeline, else the statements are walked.
    fn sub_expression(&mut self, n: Node) -> Expr {
        let Some(list) = named_children(n)
            .into_iter()
            .find(|c| c.kind() == "statement_list")
        else {
            return if n.kind() == "array_expression" {
                Expr::Object(Vec::new())
            } else {
                Expr::Unknown
            };
        };
        let stmts = named_children(list);
        if let [one] = stmts.as_slice()
            && one.kind() == "pipeline"
        {
            return self.pipeline(*one);
        }
        self.statement_list(list);
        Expr::Unknown
    }

    fn hash(&mut self, n: Node) -> Expr {
        let mut out = Vec::new();
        let Some(body) = named_children(n)
            .into_iter()
            .find(|c| c.kind() == "hash_literal_body")
        else {
            return Expr::Object(out);
        };
        for e in named_children(body) {
            if e.kind() != "hash_entry" {
                continue;
            }
            let kids = named_children(e);
            let Some(k) = kids.iter().find(|c| c.kind() == "key_expression") else {
                continue;
            };
            let key = match self.expr(*k) {
                Expr::Str(s) => s,
                _ => self.t(*k).to_string(),
            };
            let value = match kids
                .iter()
                .find(|c| c.kind() != "key_expression" && c.kind() != "comment")
            {
                Some(v) if v.kind() == "pipeline" => self.pipeline(*v),
                Some(v) => {
                    self.visit(*v);
                    Expr::Unknown
                }
                None => Expr::Unknown,
            };
            out.push((key, value));
        }
        Expr::Object(out)
    }

    fn script_block_expr(&mut self, n: Node) -> Expr {
        let kids = named_children(n);
        let mut params = self.params(kids.iter().find(|c| c.kind() == "param_block").copied());
        let sb = kids.iter().find(|c| c.kind() == "script_block").copied();
        params.extend(self.script_block_params(sb));
        let id = self.b.begin_fn(
            Function {
                name: String::new(),
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
        if let Some(sb) = sb {
            self.script_body(sb);
        }
        self.b.end_fn();
        Expr::Func(id)
    }

    fn member_access(&mut self, n: Node) -> Expr {
        let kids = named_children(n);
        let recv = match kids.first() {
            Some(r) => self.expr(*r),
            None => return Expr::Unknown,
        };
        let Some(m) = kids.get(1) else {
            return Expr::Unknown;
        };
        match self.member(*m) {
            Some(name) => Expr::Attr(Box::new(recv), name),
            None => Expr::Unknown,
        }
    }

    /// A member name: literal names / strings give the name.
    fn member(&mut self, m: Node) -> Option<String> {
        let inner = self.unwrap(m);
        match inner.kind() {
            "simple_name" => Some(self.t(inner).to_string()),
            _ => match self.expr(inner) {
                Expr::Str(s) => Some(s),
                _ => None,
            },
        }
    }

    fn invocation(&mut self, n: Node) -> Expr {
        let kids = named_children(n);
        let Some(recv_node) = kids.first().copied() else {
            return Expr::Unknown;
        };
        if recv_node.kind() == "invokation_foreach_expression" {
            for c in named_children(recv_node) {
                self.expr(c);
            }
            return Expr::Unknown;
        }
        let recv_inner = self.unwrap(recv_node);
        let recv = self.expr(recv_node);
        let member = kids
            .get(1)
            .and_then(|m| self.member(*m))
            .unwrap_or_default();
        let args: Vec<Arg> = match kids.iter().find(|c| c.kind() == "argument_list") {
            Some(al) => {
                let list = named_children(*al)
                    .into_iter()
                    .find(|c| c.kind() == "argument_expression_list");
                list.map(named_children)
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|c| c.kind() != "comment")
                    .map(|c| Arg {
                        name: None,
                        value: self.expr(c),
                        spread: false,
                    })
                    .collect()
            }
            None => Vec::new(),
        };
        let is_type = recv_inner.kind() == "type_literal";
        let (callee, new_object) = if is_type && member.eq_ignore_ascii_case("new") {
            (recv.clone(), true)
        } else {
            (Expr::Attr(Box::new(recv.clone()), member.clone()), false)
        };
        let ce = CallExpr {
            callee,
            args,
            new_object,
            line: line(n),
            column: column(n, self.src),
            end_line: end_line(n),
        };
        self.b.call(ce.clone());
        if is_type
            && member.eq_ignore_ascii_case("GetEnvironmentVariable")
            && matches!(&recv, Expr::Name(t) if t.eq_ignore_ascii_case("Environment") || t.eq_ignore_ascii_case("System.Environment"))
            && let Some(Arg {
                value: Expr::Str(name),
                ..
            }) = ce.args.first()
        {
            return Expr::Env {
                name: name.clone(),
                default: None,
            };
        }
        Expr::Call(Box::new(ce))
    }

    /// `"…$x…$($e)…"` and expandable here-strings → concatenation.
    fn interpolated(&mut self, n: Node) -> Expr {
        let t = self.t(n);
        let start = n.start_byte();
        let here = n.kind() == "expandable_here_string_literal";
        // Content bounds (absolute byte offsets).
        let (open, close) = if here {
            let o = t.find('\n').map_or(t.len(), |i| i + 1);
            let c = t.rfind('\n').unwrap_or(t.len());
            let c = if t[..c].ends_with('\r') { c - 1 } else { c };
            (start + o, start + c.max(o))
        } else {
            (
                start + 1.min(t.len()),
                start + t.len().saturating_sub(1).max(1.min(t.len())),
            )
        };
        let mut parts = Vec::new();
        let mut pos = open;
        for c in named_children(n) {
            if !matches!(c.kind(), "variable" | "sub_expression") {
                continue;
            }
            if c.start_byte() < pos || c.end_byte() > close {
                continue;
            }
            let lit = self.src.get(pos..c.start_byte()).unwrap_or("");
            parts.push(Expr::Str(decode_string(lit, here)));
            parts.push(self.expr(c));
            pos = c.end_byte();
        }
        let lit = self.src.get(pos..close).unwrap_or("");
        parts.push(Expr::Str(decode_string(lit, here)));
        concat(parts)
    }

    fn var_expr(&self, raw: &str) -> Expr {
        let (prefix, name) = var_name(raw);
        if prefix.as_deref() == Some("env") {
            return Expr::Env {
                name,
                default: None,
            };
        }
        match name.to_ascii_lowercase().as_str() {
            "this" => Expr::SelfRef,
            "true" => Expr::Str("true".into()),
            "false" => Expr::Str("false".into()),
            "null" | "" => Expr::Unknown,
            _ => Expr::Name(name),
        }
    }
}

/// `$script:X` → (Some("script"), "X"); `${env:X}` → (Some("env"), "X"); `@splat` → (None, "splat").
/// Scope prefixes are lower-cased.
fn var_name(raw: &str) -> (Option<String>, String) {
    let s = raw.trim_start_matches(['$', '@']);
    let s = s
        .strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .unwrap_or(s);
    match s.split_once(':') {
        Some((p, n)) => (Some(p.to_ascii_lowercase()), n.to_string()),
        None => (None, s.to_string()),
    }
}

/// `[System.Net.Http.HttpClient]` → `System.Net.Http.HttpClient`.
fn type_text(t: &str) -> String {
    t.trim()
        .trim_start_matches('[')
        .trim_end_matches(']')
        .trim()
        .to_string()
}

fn named(name: String, value: Expr) -> Arg {
    Arg {
        name: Some(name),
        value,
        spread: false,
    }
}

fn unquote_str(v: &str) -> String {
    super::unquote(v).to_string()
}

/// Adds an item to a comma list argument (`-Headers a, b`).
fn push_item(prev: Expr, item: Expr) -> Expr {
    let mut items = match prev {
        Expr::Object(v) if v.iter().enumerate().all(|(i, (k, _))| *k == i.to_string()) => v,
        other => vec![("0".to_string(), other)],
    };
    items.push((items.len().to_string(), item));
    Expr::Object(items)
}

/// `a || b` (also `??` after the re-parse): a choice; an env read first takes the rest as its default.
fn choice(values: Vec<Expr>) -> Expr {
    let mut it = values.into_iter();
    let Some(first) = it.next() else {
        return Expr::Unknown;
    };
    let rest: Vec<Expr> = it.collect();
    match first {
        Expr::Env {
            name,
            default: None,
        } if !rest.is_empty() => {
            let d = if rest.len() == 1 {
                rest.into_iter().next().unwrap_or(Expr::Unknown)
            } else {
                choice(rest)
            };
            Expr::Env {
                name,
                default: Some(Box::new(d)),
            }
        }
        first => {
            let mut v = vec![first];
            for r in rest {
                match r {
                    Expr::Choice(inner) => v.extend(inner),
                    r => v.push(r),
                }
            }
            Expr::Choice(v)
        }
    }
}

/// A binding target as a value expression (for `+=`).
fn name_for(_scope: &Scope, name: &str) -> Expr {
    let mut parts = name.split('.');
    let mut e = Expr::Name(parts.next().unwrap_or("").to_string());
    for p in parts {
        e = Expr::Attr(Box::new(e), p.to_string());
    }
    e
}

/// `Attr(Attr(Name(cfg), a), b)` → `cfg.a.b`.
fn dotted(e: &Expr) -> Option<String> {
    match e {
        Expr::Name(n) => Some(n.clone()),
        Expr::Attr(b, k) => dotted(b).map(|d| format!("{d}.{k}")),
        _ => None,
    }
}

/// The module path of an import target: `$PSScriptRoot\lib\api.ps1` → `./lib/api.ps1`.
fn module_path(e: &Expr) -> Option<String> {
    let s = match e {
        Expr::Str(s) => s.clone(),
        Expr::Concat(parts) => match parts.as_slice() {
            [Expr::Name(root), Expr::Str(rest)] if root.eq_ignore_ascii_case("PSScriptRoot") => {
                format!(".{rest}")
            }
            _ => return None,
        },
        _ => return None,
    };
    let s = s.replace('\\', "/");
    if s.is_empty() { None } else { Some(s) }
}

fn decode_backticks(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '`' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('\n') => {}
            Some(o) => out.push(o),
            None => {}
        }
    }
    out
}

fn decode_string(s: &str, here: bool) -> String {
    let s = decode_backticks(s);
    if here { s } else { s.replace("\"\"", "\"") }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::facts::{Binding, Call};
    use crate::program::lang::testkit::{name as n, s};
    use crate::scan::lang::Lang;

    fn facts(src: &str) -> FileFacts {
        crate::program::parse::facts(Lang::Shell, "t.ps1", src).expect("parsed")
    }

    fn binding<'f>(f: &'f FileFacts, name: &str) -> &'f Binding {
        f.bindings
            .iter()
            .find(|b| b.name == name)
            .unwrap_or_else(|| panic!("no binding {name}: {:#?}", f.bindings))
    }

    fn calls_to<'f>(f: &'f FileFacts, callee: &str) -> Vec<&'f Call> {
        f.calls
            .iter()
            .filter(|c| c.call.callee == Expr::Name(callee.into()))
            .collect()
    }

    fn arg(name: &str, value: Expr) -> Arg {
        named(name.into(), value)
    }
    fn pos(value: Expr) -> Arg {
        Arg {
            name: None,
            value,
            spread: false,
        }
    }

    #[test]
    fn wrapper_function_called_named_and_positional() {
        let src = r#"$Base = "https://rest.gohighlevel.com/v1"
function Invoke-Ghl($Method, $Path) {
    Invoke-RestMethod -Uri "$Base$Path" -Method $Method -Headers $h -UseBasicParsing
}
Invoke-Ghl -Method POST -Path "/contacts/"
Invoke-Ghl GET "/contacts/$id"
function script:Get-Url { "$Base/users/" }
Invoke-WebRequest -UseBasicParsing "$Base/tags/" -SkipCertificateCheck:$false
"#;
        let f = facts(src);
        let func = &f.functions[1];
        assert_eq!(func.name, "Invoke-Ghl");
        assert_eq!(func.parent, Some(0));
        let names: Vec<&str> = func.params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Method", "Path"]);
        let irm = calls_to(&f, "Invoke-RestMethod");
        assert_eq!(irm.len(), 1);
        assert_eq!(irm[0].func, 1);
        assert_eq!(
            (irm[0].call.line, irm[0].call.column, irm[0].stmt_line),
            (3, 5, 3)
        );
        assert_eq!(
            irm[0].call.args,
            vec![
                arg("Uri", Expr::Concat(vec![n("Base"), n("Path")])),
                arg("Method", n("Method")),
                arg("Headers", n("h")),
                arg("UseBasicParsing", s("true")),
            ]
        );
        // The wrapper's output is the request.
        assert_eq!(
            func.returns,
            vec![Expr::Call(Box::new(irm[0].call.clone()))]
        );
        let w = calls_to(&f, "Invoke-Ghl");
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].func, 0);
        assert_eq!(
            w[0].call.args,
            vec![arg("Method", s("POST")), arg("Path", s("/contacts/"))]
        );
        assert_eq!(
            w[1].call.args,
            vec![
                pos(s("GET")),
                pos(Expr::Concat(vec![s("/contacts/"), n("id")]))
            ]
        );
        assert_eq!(
            binding(&f, "Base").value,
            s("https://rest.gohighlevel.com/v1")
        );
        assert_eq!(binding(&f, "Base").scope, Scope::Module);
    }

    #[test]
    fn param_block_types_and_defaults() {
        let src = r#"function Get-Contacts {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true)][string]$LocationId,
        [int]$Limit = 20,
        $Base = "https://rest.gohighlevel.com/v1"
    )
    $url = "$Base/contacts/?locationId=$LocationId&limit=$Limit"
    return $url
}
"#;
        let f = facts(src);
        let func = &f.functions[1];
        assert_eq!(func.name, "Get-Contacts");
        assert_eq!(
            func.params,
            vec![
                Param {
                    name: "LocationId".into(),
                    ty: Some("string".into()),
                    default: None,
                    rest: false,
                    fields: vec![]
                },
                Param {
                    name: "Limit".into(),
                    ty: Some("int".into()),
                    default: Some(s("20")),
                    rest: false,
                    fields: vec![]
                },
                Param {
                    name: "Base".into(),
                    ty: None,
                    default: Some(s("https://rest.gohighlevel.com/v1")),
                    rest: false,
                    fields: vec![]
                },
            ]
        );
        let b = binding(&f, "url");
        assert_eq!(b.scope, Scope::Function(1));
        assert_eq!(
            b.value,
            Expr::Concat(vec![
                n("Base"),
                s("/contacts/?locationId="),
                n("LocationId"),
                s("&limit="),
                n("Limit")
            ])
        );
        assert_eq!(func.returns, vec![n("url")]);
    }

    #[test]
    fn env_reads_and_defaults() {
        let src = r#"$subUrl = $env:GHL_URL ?? "https://rest.gohighlevel.com/v1/locations/"
$script:Key = $env:GHL_KEY
$global:Alt = ${env:GHL_ALT}
$k = [Environment]::GetEnvironmentVariable("GHL_TOKEN")
$q = "what??"
$o = $env:A || 'b'
"#;
        let f = facts(src);
        assert_eq!(
            binding(&f, "subUrl").value,
            Expr::Env {
                name: "GHL_URL".into(),
                default: Some(Box::new(s("https://rest.gohighlevel.com/v1/locations/")))
            }
        );
        let key = binding(&f, "Key");
        assert_eq!(key.scope, Scope::Module);
        assert_eq!(
            key.value,
            Expr::Env {
                name: "GHL_KEY".into(),
                default: None
            }
        );
        assert_eq!(
            binding(&f, "Alt").value,
            Expr::Env {
                name: "GHL_ALT".into(),
                default: None
            }
        );
        assert_eq!(
            binding(&f, "k").value,
            Expr::Env {
                name: "GHL_TOKEN".into(),
                default: None
            }
        );
        // `??` inside a string is left alone.
        assert_eq!(binding(&f, "q").value, s("what??"));
        assert_eq!(
            binding(&f, "o").value,
            Expr::Env {
                name: "A".into(),
                default: Some(Box::new(s("b")))
            }
        );
    }

    #[test]
    fn coalesce_inside_function_keeps_scope_and_lines() {
        let src = "function F {\n  $u = $env:U ?? \"https://x\"\n  Invoke-RestMethod -Uri $u\n}\n";
        let f = facts(src);
        let b = binding(&f, "u");
        assert_eq!(b.scope, Scope::Function(1));
        assert_eq!(b.line, 2);
        let c = calls_to(&f, "Invoke-RestMethod");
        assert_eq!((c[0].call.line, c[0].call.column), (3, 3));
    }

    #[test]
    fn string_forms() {
        let src = r#"$a = "${Base}/x/$($cfg.Id)/y" + 'lit''s'
$b = "{0}/contacts/{1}" -f $base, $id
$c = @"
{ "name": "$Name", "tab": "`t" }
"@
$d = @'
raw $x
'@
$e = "say ""hi"" `$notvar $obj.Prop"
"#;
        let f = facts(src);
        assert_eq!(
            binding(&f, "a").value,
            Expr::Concat(vec![
                n("Base"),
                s("/x/"),
                Expr::Attr(Box::new(n("cfg")), "Id".into()),
                s("/ylit's")
            ])
        );
        let fmt = CallExpr {
            callee: n("format"),
            args: vec![pos(s("{0}/contacts/{1}")), pos(n("base")), pos(n("id"))],
            new_object: false,
            line: 2,
            column: 6,
            end_line: 2,
        };
        assert_eq!(binding(&f, "b").value, Expr::Call(Box::new(fmt.clone())));
        assert_eq!(calls_to(&f, "format")[0].call, fmt);
        assert_eq!(
            binding(&f, "c").value,
            Expr::Concat(vec![
                s("{ \"name\": \""),
                n("Name"),
                s("\", \"tab\": \"\t\" }")
            ])
        );
        assert_eq!(binding(&f, "d").value, s("raw $x"));
        assert_eq!(
            binding(&f, "e").value,
            Expr::Concat(vec![s("say \"hi\" $notvar "), n("obj"), s(".Prop")])
        );
    }

    #[test]
    fn hashtable_splat_and_bare_words() {
        let src = r#"$h = @{ "Authorization" = "Bearer $Key"; Version = "2021-07-28" }
$params = @{
    Uri    = "$BaseUrl/contacts/"
    Method = 'Post'
}
Invoke-RestMethod @params -ContentType "application/json"
curl.exe -X GET https://rest.gohighlevel.com/v1/tags/$tagId -H "Authorization: Bearer $Key"
"#;
        let f = facts(src);
        assert_eq!(
            binding(&f, "h").value,
            Expr::Object(vec![
                (
                    "Authorization".into(),
                    Expr::Concat(vec![s("Bearer "), n("Key")])
                ),
                ("Version".into(), s("2021-07-28")),
            ])
        );
        assert_eq!(
            binding(&f, "params").value,
            Expr::Object(vec![
                (
                    "Uri".into(),
                    Expr::Concat(vec![n("BaseUrl"), s("/contacts/")])
                ),
                ("Method".into(), s("Post")),
            ])
        );
        let irm = calls_to(&f, "Invoke-RestMethod");
        assert_eq!(
            irm[0].call.args,
            vec![
                Arg {
                    name: None,
                    value: n("params"),
                    spread: true
                },
                arg("ContentType", s("application/json")),
            ]
        );
        let curl = calls_to(&f, "curl.exe");
        assert_eq!(
            curl[0].call.args,
            vec![
                arg("X", s("GET")),
                pos(Expr::Concat(vec![
                    s("https://rest.gohighlevel.com/v1/tags/"),
                    n("tagId")
                ])),
                arg(
                    "H",
                    Expr::Concat(vec![s("Authorization: Bearer "), n("Key")])
                ),
            ]
        );
    }

    #[test]
    fn multiline_backtick_command_and_assignment() {
        let src = "Write-Host \"start\"\n$response = Invoke-RestMethod `\n    -Uri $url `\n    -Method Get `\n    -Headers $h\nInvoke-WebRequest `\n  -Uri $u\n";
        let f = facts(src);
        let irm = calls_to(&f, "Invoke-RestMethod");
        assert_eq!(irm.len(), 1);
        assert_eq!(
            (irm[0].call.line, irm[0].call.column, irm[0].call.end_line),
            (2, 13, 5)
        );
        assert_eq!(irm[0].stmt_line, 2);
        assert_eq!(
            irm[0].call.args,
            vec![
                arg("Uri", n("url")),
                arg("Method", s("Get")),
                arg("Headers", n("h"))
            ]
        );
        let r = binding(&f, "response");
        assert_eq!(r.value, Expr::Call(Box::new(irm[0].call.clone())));
        let iwr = calls_to(&f, "Invoke-WebRequest");
        assert_eq!((iwr[0].call.line, iwr[0].stmt_line), (6, 6));
        assert_eq!(
            calls_to(&f, "Write-Host")[0].call.args,
            vec![pos(s("start"))]
        );
    }

    #[test]
    fn class_with_client_built_in_constructor() {
        let src = r#"class GhlClient : BaseClient {
    [string]$Base = "https://rest.gohighlevel.com/v1"
    hidden [hashtable]$Headers
    GhlClient([string]$key) {
        $this.Headers = @{ Authorization = "Bearer $key" }
        $this.Http = [System.Net.Http.HttpClient]::new()
    }
    [object] GetContact([string]$id) {
        return $this.Http.GetAsync("$($this.Base)/contacts/$id").Result
    }
    static [string] Version() { return "2021-07-28" }
}
"#;
        let f = facts(src);
        assert_eq!(
            f.classes,
            vec![Class {
                name: "GhlClient".into(),
                bases: vec!["BaseClient".into()],
                line: 1
            }]
        );
        let base = f.bindings.iter().find(|b| b.name == "Base").unwrap();
        assert_eq!(base.scope, Scope::Class(0));
        assert_eq!(base.ty.as_deref(), Some("string"));
        assert_eq!(base.value, s("https://rest.gohighlevel.com/v1"));
        let hdr: Vec<&Binding> = f.bindings.iter().filter(|b| b.name == "Headers").collect();
        assert_eq!(hdr.len(), 2);
        assert_eq!(
            (hdr[0].value.clone(), hdr[0].ty.as_deref()),
            (Expr::Unknown, Some("hashtable"))
        );
        assert_eq!(hdr[1].scope, Scope::Class(0));
        let http = binding(&f, "Http");
        assert_eq!(http.scope, Scope::Class(0));
        let ctor = &f.functions[1];
        assert!(ctor.is_constructor);
        assert_eq!(ctor.class, Some(0));
        let new = CallExpr {
            callee: n("System.Net.Http.HttpClient"),
            args: vec![],
            new_object: true,
            line: 6,
            column: 22,
            end_line: 6,
        };
        assert_eq!(http.value, Expr::Call(Box::new(new)));
        let get = &f.functions[2];
        assert_eq!(get.name, "GetContact");
        assert_eq!(get.params[0].ty.as_deref(), Some("string"));
        let call = f
            .calls
            .iter()
            .find(|c| matches!(&c.call.callee, Expr::Attr(_, m) if m == "GetAsync"))
            .unwrap();
        assert_eq!(call.func, 2);
        assert_eq!(
            call.call.callee,
            Expr::Attr(
                Box::new(Expr::Attr(Box::new(Expr::SelfRef), "Http".into())),
                "GetAsync".into()
            )
        );
        assert_eq!(
            call.call.args,
            vec![pos(Expr::Concat(vec![
                Expr::Attr(Box::new(Expr::SelfRef), "Base".into()),
                s("/contacts/"),
                n("id")
            ]))]
        );
        assert_eq!(
            get.returns,
            vec![Expr::Attr(
                Box::new(Expr::Call(Box::new(call.call.clone()))),
                "Result".into()
            )]
        );
        assert!(f.functions[3].is_static);
        assert_eq!(f.functions[3].returns, vec![s("2021-07-28")]);
    }

    #[test]
    fn objects_static_calls_pipelines_and_keyed_assignments() {
        let src = r#"$wc = New-Object -TypeName System.Net.WebClient
$wc.Headers.Add("Authorization", "Bearer $k")
$u = [Uri]::new($x)
$json = $payload | ConvertTo-Json -Depth 5
$cfg.api.base = "https://rest.gohighlevel.com/v1"
$cfg["key"] = 'k'
$url = "https://rest.gohighlevel.com/v1"
$url += "/opportunities/"
$f = { param($p) Invoke-WebRequest $p }
"#;
        let f = facts(src);
        assert_eq!(
            binding(&f, "wc").value,
            Expr::Call(Box::new(CallExpr {
                callee: n("System.Net.WebClient"),
                args: vec![],
                new_object: true,
                line: 1,
                column: 7,
                end_line: 1
            }))
        );
        let add = f
            .calls
            .iter()
            .find(|c| matches!(&c.call.callee, Expr::Attr(_, m) if m == "Add"))
            .unwrap();
        assert_eq!(
            add.call.callee,
            Expr::Attr(
                Box::new(Expr::Attr(Box::new(n("wc")), "Headers".into())),
                "Add".into()
            )
        );
        assert_eq!(
            binding(&f, "u").value,
            Expr::Call(Box::new(CallExpr {
                callee: n("Uri"),
                args: vec![pos(n("x"))],
                new_object: true,
                line: 3,
                column: 6,
                end_line: 3
            }))
        );
        match &binding(&f, "json").value {
            Expr::Call(c) => {
                assert_eq!(c.callee, n("ConvertTo-Json"));
                assert_eq!(c.args, vec![arg("Depth", s("5"))]);
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            binding(&f, "cfg.api.base").value,
            s("https://rest.gohighlevel.com/v1")
        );
        assert_eq!(binding(&f, "cfg.key").value, s("k"));
        let urls: Vec<&Expr> = f
            .bindings
            .iter()
            .filter(|b| b.name == "url")
            .map(|b| &b.value)
            .collect();
        assert_eq!(
            urls,
            vec![
                &s("https://rest.gohighlevel.com/v1"),
                &Expr::Concat(vec![n("url"), s("/opportunities/")])
            ]
        );
        let fb = binding(&f, "f");
        let Expr::Func(id) = fb.value else {
            panic!("{:?}", fb.value)
        };
        assert_eq!(f.functions[id].params[0].name, "p");
        let iwr = calls_to(&f, "Invoke-WebRequest");
        assert_eq!(iwr[0].func, id);
        assert_eq!(iwr[0].call.args, vec![pos(n("p"))]);
    }

    #[test]
    fn imports_and_script_params() {
        let src = r#"param([string]$ApiKey = $env:GHL_API_KEY)
. "$PSScriptRoot\lib\common.ps1"
. ./config.ps1
Import-Module ./GhlTools.psm1
"#;
        let f = facts(src);
        let mods: Vec<(&str, &str, Option<&str>, usize)> = f
            .imports
            .iter()
            .map(|i| {
                (
                    i.module.as_str(),
                    i.local.as_str(),
                    i.name.as_deref(),
                    i.line,
                )
            })
            .collect();
        assert_eq!(
            mods,
            vec![
                ("./lib/common.ps1", "", None, 2),
                ("./config.ps1", "", None, 3),
                ("./GhlTools.psm1", "", None, 4)
            ]
        );
        assert_eq!(f.functions[0].params[0].name, "ApiKey");
        assert_eq!(
            binding(&f, "ApiKey").value,
            Expr::Env {
                name: "GHL_API_KEY".into(),
                default: None
            }
        );
    }

    #[test]
    fn deep_nesting_does_not_panic() {
        let depth = 5000;
        let src = format!("$x = {}1{}\n", "(".repeat(depth), ")".repeat(depth));
        let _ = facts(&src);
        let src = format!(
            "$y = {}'a'{}\n",
            "@{ k = ".repeat(depth),
            " }".repeat(depth)
        );
        let _ = facts(&src);
        let src = format!(
            "{}Invoke-RestMethod -Uri $u{}\n",
            "if ($a) { ".repeat(depth),
            " }".repeat(depth)
        );
        let _ = facts(&src);
        let src = format!("$z = \"{}\"\n", "$(\"".repeat(depth));
        let _ = facts(&src);
        let src = format!("$w = $a{}\n", ".b($c".repeat(depth));
        let _ = facts(&src);
    }

    #[test]
    fn broken_input_still_yields_calls() {
        let src = "function ( {\n$u = \"https://rest.gohighlevel.com/v1/x\"\nInvoke-RestMethod -Uri $u\n} } ) @{ ]\n`\n\"unterminated";
        let f = facts(src);
        assert!(f.calls.iter().all(|c| c.call.line >= 1));
    }
}
