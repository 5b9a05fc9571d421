//! PHP extractor (tree-sitter-php, `LANGUAGE_PHP`): files may mix HTML `text` with `<?php` sections; only
//! the PHP parts carry facts.
//!
//! Conventions specific to PHP:
//! - Names in expressions drop a leading `\` (`new \GuzzleHttp\Client` → `Name("GuzzleHttp\\Client")`,
//!   `\curl_init($u)` → `Name("curl_init")`), so they read like the `use` imports' modules. Class bases and
//!   declared types stay as written (minus a nullable `?`).
//! - `$this`, `self::`, `static::` → `SelfRef`; `parent::` → `SuperRef`; `$GLOBALS['x']` → `Name("x")`.
//! - `||` / `or` / `&&` yield booleans in PHP, so they are `Unknown`; `??` and `?:` are choices (with the
//!   env-default fold).
//! - `$x = require 'cfg.php'` is an import with local `x` (the file's top-level `return` is function 0's
//!   return); a bare `require`/`include` has local "".
use super::{Builder, MAX_DEPTH, concat, end_line, line, named_children, text};
use crate::program::facts::{
    Arg, Binding, CallExpr, Class, Expr, FileFacts, FnId, Function, Import, Param, Scope,
};
use tree_sitter::Node;

pub fn extract(src: &str, tree: &tree_sitter::Tree) -> FileFacts {
    let mut x = Ex {
        src,
        b: Builder::new(),
        depth: 0,
        wide: src
            .bytes()
            .enumerate()
            .filter(|(_, b)| b & 0xC0 == 0x80)
            .map(|(i, _)| i)
            .collect(),
    };
    x.stmt(tree.root_node());
    let mut facts = x.b.finish();
    // Nested calls are recorded before the call that encloses them; restore source order.
    // (Stable: a chain's inner call, which starts at the same place, stays first.)
    facts.calls.sort_by_key(|c| (c.call.line, c.call.column));
    facts
}

struct Ex<'s> {
    src: &'s str,
    b: Builder,
    depth: usize,
    /// Byte offsets of UTF-8 continuation bytes, to turn byte columns into character columns without
    /// rescanning long lines (minified input).
    wide: Vec<usize>,
}

fn is_expr(kind: &str) -> bool {
    matches!(
        kind,
        "assignment_expression"
            | "augmented_assignment_expression"
            | "binary_expression"
            | "cast_expression"
            | "clone_expression"
            | "conditional_expression"
            | "error_suppression_expression"
            | "include_expression"
            | "include_once_expression"
            | "match_expression"
            | "reference_assignment_expression"
            | "require_expression"
            | "require_once_expression"
            | "unary_op_expression"
            | "yield_expression"
            | "anonymous_function"
            | "array_creation_expression"
            | "arrow_function"
            | "class_constant_access_expression"
            | "dynamic_variable_name"
            | "function_call_expression"
            | "member_access_expression"
            | "member_call_expression"
            | "name"
            | "nullsafe_member_access_expression"
            | "nullsafe_member_call_expression"
            | "object_creation_expression"
            | "parenthesized_expression"
            | "print_intrinsic"
            | "qualified_name"
            | "relative_name"
            | "scoped_call_expression"
            | "scoped_property_access_expression"
            | "shell_command_expression"
            | "subscript_expression"
            | "throw_expression"
            | "update_expression"
            | "variable_name"
            | "boolean"
            | "encapsed_string"
            | "float"
            | "heredoc"
            | "integer"
            | "nowdoc"
            | "null"
            | "string"
            | "sequence_expression"
            | "by_ref"
            | "list_literal"
    )
}

fn is_include(kind: &str) -> bool {
    matches!(
        kind,
        "include_expression"
            | "include_once_expression"
            | "require_expression"
            | "require_once_expression"
    )
}

/// `Choice` of the parts, nested choices flattened.
fn choice(parts: Vec<Expr>) -> Expr {
    let mut out = Vec::new();
    for p in parts {
        match p {
            Expr::Choice(v) => out.extend(v),
            p => out.push(p),
        }
    }
    Expr::Choice(out)
}

/// `a ?? b` / `a ?: b`: an env read without a default takes `b` as its default.
fn fold_default(l: Expr, r: Expr) -> Expr {
    match l {
        Expr::Env {
            name,
            default: None,
        } => Expr::Env {
            name,
            default: Some(Box::new(r)),
        },
        l => choice(vec![l, r]),
    }
}

/// Decodes one escape sequence of a double-quoted string or heredoc; unknown ones stay as written.
fn unescape(s: &str) -> String {
    let Some(rest) = s.strip_prefix('\\') else {
        return s.to_string();
    };
    match rest {
        "n" => "\n".into(),
        "t" => "\t".into(),
        "r" => "\r".into(),
        "v" => "\x0b".into(),
        "e" => "\x1b".into(),
        "f" => "\x0c".into(),
        "\\" => "\\".into(),
        "$" => "$".into(),
        "\"" => "\"".into(),
        "'" => "'".into(),
        _ => {
            let code = if let Some(h) = rest.strip_prefix('x') {
                u32::from_str_radix(h, 16).ok()
            } else if let Some(u) = rest.strip_prefix("u{").and_then(|u| u.strip_suffix('}')) {
                u32::from_str_radix(u, 16).ok()
            } else if !rest.is_empty() && rest.bytes().all(|b| (b'0'..=b'7').contains(&b)) {
                u32::from_str_radix(rest, 8).ok()
            } else {
                None
            };
            code.and_then(char::from_u32)
                .map_or_else(|| s.to_string(), |c| c.to_string())
        }
    }
}

/// The literal tail of an include path: `__DIR__ . '/config.php'` → `/config.php`.
fn literal_tail(e: &Expr) -> Option<String> {
    match e {
        Expr::Str(s) => Some(s.clone()),
        Expr::Concat(parts) => match parts.last() {
            Some(Expr::Str(s)) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// `(is_self, dotted path)` of an assignment target.
fn target_path(e: &Expr) -> Option<(bool, String)> {
    match e {
        Expr::Name(n) => Some((false, n.clone())),
        Expr::SelfRef => Some((true, String::new())),
        Expr::Attr(b, k) => {
            let (s, p) = target_path(b)?;
            Some((
                s,
                if p.is_empty() {
                    k.clone()
                } else {
                    format!("{p}.{k}")
                },
            ))
        }
        _ => None,
    }
}

fn strip_ns(s: &str) -> &str {
    s.strip_prefix('\\').unwrap_or(s)
}

fn is_trivia(n: Node) -> bool {
    n.kind() == "comment" || n.is_extra()
}

impl<'s> Ex<'s> {
    fn t(&self, n: Node) -> &'s str {
        text(n, self.src)
    }

    /// Name of a `variable_name` node without its `$`.
    fn var_name(&self, n: Node) -> String {
        self.t(n).trim_start_matches('$').to_string()
    }

    fn type_text(&self, n: Node) -> String {
        self.t(n).trim_start_matches('?').to_string()
    }

    fn visibility(&self, n: Node) -> Option<&'s str> {
        named_children(n)
            .into_iter()
            .find(|c| c.kind() == "visibility_modifier")
            .map(|c| self.t(c))
    }

    fn has_child(n: Node, kind: &str) -> bool {
        named_children(n).iter().any(|c| c.kind() == kind)
    }

    // ---- statements ------------------------------------------------------------------------------

    fn stmt(&mut self, n: Node) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        self.depth += 1;
        self.stmt_inner(n);
        self.depth -= 1;
    }

    fn stmt_inner(&mut self, n: Node) {
        match n.kind() {
            "text"
            | "php_tag"
            | "php_end_tag"
            | "text_interpolation"
            | "comment"
            | "empty_statement"
            | "global_declaration"
            | "goto_statement"
            | "named_label_statement"
            | "break_statement"
            | "continue_statement"
            | "declare_directive"
            | "attribute_list"
            | "use_instead_of_clause" => {}
            "namespace_definition" => {
                if let Some(name) = n.child_by_field_name("name")
                    && self.b.facts.package.is_none()
                {
                    self.b.facts.package = Some(self.t(name).to_string());
                }
                if let Some(body) = n.child_by_field_name("body") {
                    self.stmt(body);
                }
            }
            "namespace_use_declaration" => self.use_decl(n),
            "function_definition" => {
                self.function(n, None, false);
            }
            "method_declaration" => {
                self.function(n, None, true);
            }
            "class_declaration"
            | "interface_declaration"
            | "trait_declaration"
            | "enum_declaration" => self.class(n),
            "const_declaration" => self.consts(n),
            "property_declaration" => self.property(n),
            "use_declaration" => self.trait_use(n),
            "enum_case" => {
                if let Some(name) = n.child_by_field_name("name") {
                    self.b.begin_stmt(line(n));
                    let value = n
                        .child_by_field_name("value")
                        .map_or(Expr::Unknown, |v| self.expr(v));
                    self.b.end_stmt();
                    let name = self.t(name).to_string();
                    self.b.push_binding(Binding {
                        scope: self.b.member_scope(),
                        name,
                        value,
                        line: line(n),
                        ty: None,
                        exported: true,
                    });
                }
            }
            "function_static_declaration" => {
                self.b.begin_stmt(line(n));
                for d in named_children(n) {
                    if d.kind() != "static_variable_declaration" {
                        continue;
                    }
                    let Some(name) = d.child_by_field_name("name") else {
                        continue;
                    };
                    let name = self.var_name(name);
                    let value = match d.child_by_field_name("value") {
                        Some(v) => self.expr_named(v, &name),
                        None => Expr::Unknown,
                    };
                    let scope = self.b.local_scope();
                    self.b.bind(scope, name, value, line(d));
                }
                self.b.end_stmt();
            }
            "return_statement" => {
                self.b.begin_stmt(line(n));
                if let Some(c) = named_children(n).into_iter().find(|c| !is_trivia(*c)) {
                    let e = self.expr(c);
                    self.b.ret(e);
                }
                self.b.end_stmt();
            }
            k if is_expr(k) => {
                self.b.begin_stmt(line(n));
                self.expr(n);
                self.b.end_stmt();
            }
            _ => {
                // Any other statement (if/while/for/foreach/try/switch/echo/expression_statement/ERROR…):
                // its expressions belong to it, nested statements to themselves.
                self.b.begin_stmt(line(n));
                self.walk_children(n);
                self.b.end_stmt();
            }
        }
    }

    /// Visits the named children of a node: expressions are evaluated (recording their calls), anything
    /// else is treated as a statement.
    fn walk_children(&mut self, n: Node) {
        for c in named_children(n) {
            if is_expr(c.kind()) {
                self.expr(c);
            } else {
                self.stmt(c);
            }
        }
    }

    fn use_decl(&mut self, n: Node) {
        let prefix = named_children(n)
            .into_iter()
            .find(|c| c.kind() == "namespace_name")
            .map(|p| strip_ns(self.t(p)).to_string());
        let mut clauses: Vec<Node> = named_children(n)
            .into_iter()
            .filter(|c| c.kind() == "namespace_use_clause")
            .collect();
        if let Some(g) = n.child_by_field_name("body") {
            clauses.extend(
                named_children(g)
                    .into_iter()
                    .filter(|c| c.kind() == "namespace_use_clause"),
            );
        }
        for c in clauses {
            let alias = c.child_by_field_name("alias");
            let Some(target) = named_children(c).into_iter().find(|x| {
                matches!(x.kind(), "name" | "qualified_name" | "relative_name")
                    && Some(x.id()) != alias.map(|a| a.id())
            }) else {
                continue;
            };
            let written = strip_ns(self.t(target));
            let module = match &prefix {
                Some(p) => format!("{p}\\{written}"),
                None => written.to_string(),
            };
            let last = module.rsplit('\\').next().unwrap_or("").to_string();
            let local = alias.map_or_else(|| last.clone(), |a| self.t(a).to_string());
            self.b.facts.imports.push(Import {
                module,
                local,
                name: Some(last),
                line: line(c),
            });
        }
    }

    fn class(&mut self, n: Node) {
        let name = n
            .child_by_field_name("name")
            .map_or_else(String::new, |x| self.t(x).to_string());
        self.class_body(n, name);
    }

    fn class_body(&mut self, n: Node, name: String) {
        let mut bases = Vec::new();
        for c in named_children(n) {
            if matches!(c.kind(), "base_clause" | "class_interface_clause") {
                for b in named_children(c) {
                    if matches!(b.kind(), "name" | "qualified_name" | "relative_name") {
                        bases.push(self.t(b).to_string());
                    }
                }
            }
        }
        self.b.begin_class(Class {
            name,
            bases,
            line: line(n),
        });
        if let Some(body) = n.child_by_field_name("body") {
            for c in named_children(body) {
                self.stmt(c);
            }
        }
        self.b.end_class();
    }

    /// `use SomeTrait;` inside a class: the trait's members become the class's, so it counts as a base.
    fn trait_use(&mut self, n: Node) {
        let Some(cid) = self.b.current_class() else {
            return;
        };
        for c in named_children(n) {
            if matches!(c.kind(), "name" | "qualified_name" | "relative_name") {
                let t = self.t(c).to_string();
                self.b.facts.classes[cid].bases.push(t);
            }
        }
    }

    fn consts(&mut self, n: Node) {
        let exported = !matches!(self.visibility(n), Some("private" | "protected"));
        let ty = n.child_by_field_name("type").map(|t| self.type_text(t));
        for el in named_children(n) {
            if el.kind() != "const_element" {
                continue;
            }
            let kids: Vec<Node> = named_children(el)
                .into_iter()
                .filter(|c| !is_trivia(*c))
                .collect();
            let Some(name) = kids.first().filter(|k| k.kind() == "name") else {
                continue;
            };
            let name = self.t(*name).to_string();
            self.b.begin_stmt(line(el));
            let value = match kids.get(1) {
                Some(v) => self.expr_named(*v, &name),
                None => Expr::Unknown,
            };
            self.b.end_stmt();
            self.b.push_binding(Binding {
                scope: self.b.member_scope(),
                name,
                value,
                line: line(el),
                ty: ty.clone(),
                exported,
            });
        }
    }

    fn property(&mut self, n: Node) {
        let exported = !matches!(self.visibility(n), Some("private" | "protected"));
        let ty = n.child_by_field_name("type").map(|t| self.type_text(t));
        for el in named_children(n) {
            if el.kind() != "property_element" {
                continue;
            }
            let Some(name) = el.child_by_field_name("name") else {
                continue;
            };
            let name = self.var_name(name);
            self.b.begin_stmt(line(el));
            let value = match el.child_by_field_name("default_value") {
                Some(v) => self.expr_named(v, &name),
                None => Expr::Unknown,
            };
            self.b.end_stmt();
            self.b.push_binding(Binding {
                scope: self.b.member_scope(),
                name,
                value,
                line: line(el),
                ty: ty.clone(),
                exported,
            });
        }
    }

    // ---- functions -------------------------------------------------------------------------------

    /// A function definition, method, closure or arrow function; `name` overrides the declared name
    /// (the variable or key an anonymous function is assigned to).
    fn function(&mut self, n: Node, name: Option<&str>, method: bool) -> FnId {
        let name = match name {
            Some(x) => x.to_string(),
            None => n
                .child_by_field_name("name")
                .map_or_else(String::new, |x| self.t(x).to_string()),
        };
        let is_static = n.child_by_field_name("static_modifier").is_some()
            || Self::has_child(n, "static_modifier");
        let is_constructor = method && name.eq_ignore_ascii_case("__construct");
        let id = self.b.begin_fn(
            Function {
                name,
                class: None,
                parent: None,
                params: Vec::new(),
                is_constructor,
                is_static,
                returns: Vec::new(),
                line: line(n),
                end_line: end_line(n),
            },
            method,
        );
        if let Some(ps) = n.child_by_field_name("parameters") {
            self.b.begin_stmt(line(ps));
            for p in named_children(ps) {
                self.param(p, id);
            }
            self.b.end_stmt();
        }
        if let Some(body) = n.child_by_field_name("body") {
            if n.kind() == "arrow_function" {
                self.b.begin_stmt(line(body));
                let e = self.expr(body);
                self.b.end_stmt();
                self.b.ret(e);
            } else {
                self.stmt(body);
            }
        }
        self.b.end_fn();
        id
    }

    fn param(&mut self, p: Node, f: FnId) {
        let kind = p.kind();
        if !matches!(
            kind,
            "simple_parameter" | "variadic_parameter" | "property_promotion_parameter"
        ) {
            return;
        }
        let Some(name_node) = p.child_by_field_name("name") else {
            return;
        };
        let name = self.var_name(name_node).trim_start_matches('&').to_string();
        let name = name.trim_start_matches('$').to_string();
        let ty = p.child_by_field_name("type").map(|t| self.type_text(t));
        let default = p.child_by_field_name("default_value").map(|d| self.expr(d));
        self.b.facts.functions[f].params.push(Param {
            name: name.clone(),
            ty: ty.clone(),
            default,
            rest: kind == "variadic_parameter",
            fields: Vec::new(),
        });
        if kind == "property_promotion_parameter" {
            let vis = p.child_by_field_name("visibility").map(|v| self.t(v));
            self.b.push_binding(Binding {
                scope: self.b.member_scope(),
                name: name.clone(),
                value: Expr::Name(name),
                line: line(p),
                ty,
                exported: !matches!(vis, Some("private" | "protected")),
            });
        }
    }

    // ---- expressions -----------------------------------------------------------------------------

    fn expr(&mut self, n: Node) -> Expr {
        if self.depth >= MAX_DEPTH {
            return Expr::Unknown;
        }
        self.depth += 1;
        let e = self.expr_inner(n);
        self.depth -= 1;
        e
    }

    /// An expression assigned to `name`: an anonymous function there is named after it.
    fn expr_named(&mut self, n: Node, name: &str) -> Expr {
        if matches!(n.kind(), "anonymous_function" | "arrow_function") && self.depth < MAX_DEPTH {
            self.depth += 1;
            let id = self.function(n, Some(name), false);
            self.depth -= 1;
            Expr::Func(id)
        } else {
            self.expr(n)
        }
    }

    fn first_named(n: Node) -> Option<Node> {
        named_children(n).into_iter().find(|c| !is_trivia(*c))
    }

    fn expr_inner(&mut self, n: Node) -> Expr {
        match n.kind() {
            "parenthesized_expression" | "error_suppression_expression" | "by_ref" => {
                match Self::first_named(n) {
                    Some(c) => self.expr(c),
                    None => Expr::Unknown,
                }
            }
            "clone_expression" => {
                let kids: Vec<Node> = named_children(n)
                    .into_iter()
                    .filter(|c| !is_trivia(*c))
                    .collect();
                let mut out = Expr::Unknown;
                for (i, c) in kids.iter().enumerate() {
                    let e = if is_expr(c.kind()) {
                        self.expr(*c)
                    } else {
                        self.stmt(*c);
                        Expr::Unknown
                    };
                    if i == 0 {
                        out = e;
                    }
                }
                out
            }
            "cast_expression" => match n.child_by_field_name("value") {
                Some(v) => self.expr(v),
                None => Expr::Unknown,
            },
            "string" => self.interpolated(n, 0),
            "encapsed_string" => self.interpolated(n, 0),
            "heredoc" => {
                let indent = n
                    .child_by_field_name("end_tag")
                    .map_or(0, |e| self.heredoc_indent(e));
                match n.child_by_field_name("value") {
                    Some(body) => self.interpolated(body, indent),
                    None => Expr::Str(String::new()),
                }
            }
            "nowdoc" => {
                let indent = n
                    .child_by_field_name("end_tag")
                    .map_or(0, |e| self.heredoc_indent(e));
                match n.child_by_field_name("value") {
                    Some(body) => {
                        let raw = self.t(body);
                        let raw = raw.strip_prefix('\n').unwrap_or(raw);
                        Expr::Str(dedent(raw, indent, &mut true))
                    }
                    None => Expr::Str(String::new()),
                }
            }
            "integer" | "float" | "boolean" => Expr::Str(self.t(n).to_string()),
            "variable_name" => self.variable(n),
            "name" => self.name_expr(self.t(n)),
            "qualified_name" | "relative_name" => Expr::Name(strip_ns(self.t(n)).to_string()),
            "relative_scope" => self.name_expr(self.t(n)),
            "dynamic_variable_name" => {
                // `${x}` inside a string reads `$x`; `$$x` is not expressible.
                let kids = named_children(n);
                match kids.as_slice() {
                    [one] if one.kind() == "name" => Expr::Name(self.t(*one).to_string()),
                    _ => {
                        self.walk_children(n);
                        Expr::Unknown
                    }
                }
            }
            "class_constant_access_expression" => {
                let kids: Vec<Node> = named_children(n)
                    .into_iter()
                    .filter(|c| !is_trivia(*c))
                    .collect();
                match kids.as_slice() {
                    [scope, .., name] if kids.len() >= 2 => {
                        let s = self.scope_expr(*scope);
                        Expr::Attr(Box::new(s), self.t(*name).to_string())
                    }
                    _ => Expr::Unknown,
                }
            }
            "scoped_property_access_expression" => {
                let scope = n.child_by_field_name("scope");
                let name = n.child_by_field_name("name");
                match (scope, name) {
                    (Some(s), Some(nm)) => {
                        let s = self.scope_expr(s);
                        if nm.kind() == "variable_name" {
                            Expr::Attr(Box::new(s), self.var_name(nm))
                        } else {
                            let k = self.expr(nm);
                            Expr::Index(Box::new(s), Box::new(k))
                        }
                    }
                    _ => Expr::Unknown,
                }
            }
            "member_access_expression" | "nullsafe_member_access_expression" => {
                let obj = match n.child_by_field_name("object") {
                    Some(o) => self.expr(o),
                    None => Expr::Unknown,
                };
                match n.child_by_field_name("name") {
                    Some(nm) => self.member(obj, nm),
                    None => Expr::Unknown,
                }
            }
            "subscript_expression" => self.subscript(n),
            "function_call_expression"
            | "member_call_expression"
            | "nullsafe_member_call_expression"
            | "scoped_call_expression"
            | "object_creation_expression" => self.call(n),
            "array_creation_expression" => self.array(n),
            "binary_expression" => {
                let l = match n.child_by_field_name("left") {
                    Some(x) => self.expr(x),
                    None => Expr::Unknown,
                };
                let r = match n.child_by_field_name("right") {
                    Some(x) => self.expr(x),
                    None => Expr::Unknown,
                };
                match n.child_by_field_name("operator").map(|o| o.kind()) {
                    Some(".") => concat(vec![l, r]),
                    Some("??") => fold_default(l, r),
                    _ => Expr::Unknown,
                }
            }
            "conditional_expression" => {
                let cond = match n.child_by_field_name("condition") {
                    Some(x) => self.expr(x),
                    None => Expr::Unknown,
                };
                let body = n.child_by_field_name("body").map(|b| self.expr(b));
                let alt = match n.child_by_field_name("alternative") {
                    Some(x) => self.expr(x),
                    None => Expr::Unknown,
                };
                match body {
                    None => fold_default(cond, alt),
                    // `getenv('X') ? getenv('X') : 'd'`
                    Some(b) if b == cond && matches!(b, Expr::Env { default: None, .. }) => {
                        fold_default(b, alt)
                    }
                    Some(b) => choice(vec![b, alt]),
                }
            }
            "assignment_expression" | "reference_assignment_expression" => self.assign(n),
            "augmented_assignment_expression" => self.augmented(n),
            "anonymous_function" | "arrow_function" => Expr::Func(self.function(n, None, false)),
            k if is_include(k) => {
                self.include(n, "");
                Expr::Unknown
            }
            "match_expression" => {
                let mut arms = Vec::new();
                if let Some(c) = n.child_by_field_name("condition") {
                    self.expr(c);
                }
                if let Some(block) = n.child_by_field_name("body") {
                    for arm in named_children(block) {
                        if let Some(c) = arm.child_by_field_name("conditional_expressions") {
                            self.walk_children(c);
                        }
                        if let Some(r) = arm.child_by_field_name("return_expression") {
                            arms.push(self.expr(r));
                        }
                    }
                }
                if arms.is_empty() {
                    Expr::Unknown
                } else {
                    choice(arms)
                }
            }
            "unary_op_expression" => {
                let arg = n.child_by_field_name("argument");
                let op = n.child_by_field_name("operator").map(|o| o.kind());
                match (op, arg) {
                    (Some("-" | "+"), Some(a)) if matches!(a.kind(), "integer" | "float") => {
                        Expr::Str(self.t(n).replace(char::is_whitespace, ""))
                    }
                    _ => {
                        self.walk_children(n);
                        Expr::Unknown
                    }
                }
            }
            "sequence_expression" => {
                let mut last = Expr::Unknown;
                for c in named_children(n) {
                    if is_expr(c.kind()) {
                        last = self.expr(c);
                    }
                }
                last
            }
            "anonymous_class" => {
                self.class_body(n, String::new());
                Expr::Unknown
            }
            _ => {
                // null, yield, throw, print, ++/--, shell commands, list(), ERROR: only their calls.
                self.walk_children(n);
                Expr::Unknown
            }
        }
    }

    fn name_expr(&self, s: &str) -> Expr {
        match s.to_ascii_lowercase().as_str() {
            "self" | "static" => Expr::SelfRef,
            "parent" => Expr::SuperRef,
            _ => Expr::Name(strip_ns(s).to_string()),
        }
    }

    fn variable(&self, n: Node) -> Expr {
        let v = self.var_name(n);
        if v == "this" {
            Expr::SelfRef
        } else {
            Expr::Name(v)
        }
    }

    /// The left side of `::`.
    fn scope_expr(&mut self, n: Node) -> Expr {
        match n.kind() {
            "relative_scope" | "name" => self.name_expr(self.t(n)),
            _ => self.expr(n),
        }
    }

    /// `obj->name`: a literal member name gives `Attr`, a variable or expression one `Index`.
    fn member(&mut self, obj: Expr, name: Node) -> Expr {
        match name.kind() {
            "name" => Expr::Attr(Box::new(obj), self.t(name).to_string()),
            _ => {
                let k = self.expr(name);
                match k {
                    Expr::Str(s) => Expr::Attr(Box::new(obj), s),
                    k => Expr::Index(Box::new(obj), Box::new(k)),
                }
            }
        }
    }

    fn subscript(&mut self, n: Node) -> Expr {
        let kids: Vec<Node> = named_children(n)
            .into_iter()
            .filter(|c| !is_trivia(*c))
            .collect();
        let Some(obj_node) = kids.first().copied() else {
            return Expr::Unknown;
        };
        let idx_node = kids.get(1).copied();
        let superglobal = (obj_node.kind() == "variable_name")
            .then(|| self.var_name(obj_node))
            .filter(|v| matches!(v.as_str(), "_ENV" | "_SERVER" | "GLOBALS"));
        let obj = self.expr(obj_node);
        let Some(idx_node) = idx_node else {
            return Expr::Unknown;
        };
        // `"$a[key]"`: an unquoted key inside a string is a literal.
        let in_string = n
            .parent()
            .is_some_and(|p| matches!(p.kind(), "encapsed_string" | "heredoc_body"));
        let idx = if in_string && idx_node.kind() == "name" {
            Expr::Str(self.t(idx_node).to_string())
        } else {
            self.expr(idx_node)
        };
        match (superglobal.as_deref(), idx) {
            (Some("GLOBALS"), Expr::Str(s)) => Expr::Name(s),
            (Some(_), Expr::Str(s)) => Expr::Env {
                name: s,
                default: None,
            },
            (_, Expr::Str(s)) => Expr::Attr(Box::new(obj), s),
            (_, idx) => Expr::Index(Box::new(obj), Box::new(idx)),
        }
    }

    /// Literal parts of a string, heredoc body or interpolated string; bytes between children (which the
    /// grammar drops in heredocs) are literal text.
    fn interpolated(&mut self, n: Node, indent: usize) -> Expr {
        let single = n.kind() == "string";
        let mut parts = Vec::new();
        let mut first = true;
        let mut line_start = true;
        let mut c = n.walk();
        let children: Vec<Node> = n.children(&mut c).collect();
        let heredoc = n.kind() == "heredoc_body";
        let mut cursor = match children.first() {
            Some(f) if !heredoc => f.start_byte(),
            _ => n.start_byte(),
        };
        let push_lit = |parts: &mut Vec<Expr>, s: &str, first: &mut bool, ls: &mut bool| {
            let s = if heredoc && *first {
                s.strip_prefix('\n').unwrap_or(s)
            } else {
                s
            };
            *first = false;
            let s = if heredoc {
                dedent(s, indent, ls)
            } else {
                s.to_string()
            };
            parts.push(Expr::Str(s));
        };
        for ch in children {
            if ch.start_byte() > cursor {
                let gap = self.src.get(cursor..ch.start_byte()).unwrap_or("");
                push_lit(&mut parts, gap, &mut first, &mut line_start);
            }
            cursor = cursor.max(ch.end_byte());
            match ch.kind() {
                "string_content" | "nowdoc_string" => {
                    push_lit(&mut parts, self.t(ch), &mut first, &mut line_start)
                }
                "escape_sequence" => {
                    let e = self.t(ch);
                    let s = if single {
                        match e {
                            "\\\\" => "\\".to_string(),
                            "\\'" => "'".to_string(),
                            e => e.to_string(),
                        }
                    } else {
                        unescape(e)
                    };
                    push_lit(&mut parts, &s, &mut first, &mut line_start);
                }
                _ if !ch.is_named() || is_trivia(ch) => {}
                _ => {
                    first = false;
                    line_start = false;
                    let e = self.expr(ch);
                    parts.push(e);
                }
            }
        }
        if heredoc && n.end_byte() > cursor {
            let gap = self.src.get(cursor..n.end_byte()).unwrap_or("");
            let gap = gap.strip_suffix('\n').unwrap_or(gap);
            push_lit(&mut parts, gap, &mut first, &mut line_start);
        }
        concat(parts)
    }

    /// Indentation of a heredoc's closing marker (PHP 7.3 strips it from every body line).
    fn heredoc_indent(&self, end: Node) -> usize {
        let start = end.start_byte();
        let ls = self.src[..start].rfind('\n').map_or(0, |i| i + 1);
        let pre = self.src.get(ls..start).unwrap_or("");
        if pre.chars().all(|c| c == ' ' || c == '\t') {
            pre.chars().count()
        } else {
            0
        }
    }

    fn array(&mut self, n: Node) -> Expr {
        let mut items = Vec::new();
        let mut pos = 0usize;
        for el in named_children(n) {
            if el.kind() != "array_element_initializer" {
                continue;
            }
            let kids: Vec<Node> = named_children(el)
                .into_iter()
                .filter(|c| !is_trivia(*c))
                .collect();
            let mut c = el.walk();
            let keyed = el.children(&mut c).any(|x| x.kind() == "=>");
            match kids.as_slice() {
                [k, v, ..] if keyed => {
                    let key = self.key_text(*k);
                    if let Ok(i) = key.parse::<usize>() {
                        pos = pos.max(i.saturating_add(1));
                    }
                    let value = self.expr_named(*v, &key);
                    items.push((key, value));
                }
                [v] if v.kind() == "variadic_unpacking" => {
                    self.walk_children(*v);
                }
                [v, ..] => {
                    let value = self.expr(*v);
                    items.push((pos.to_string(), value));
                    pos = pos.saturating_add(1);
                }
                [] => {}
            }
        }
        Expr::Object(items)
    }

    /// Key of an array entry: a literal's value, a constant's name (`CURLOPT_URL`), else the source text.
    fn key_text(&mut self, k: Node) -> String {
        match self.expr(k) {
            Expr::Str(s) | Expr::Name(s) => s,
            _ => self.t(k).to_string(),
        }
    }

    fn args(&mut self, n: Option<Node>) -> Vec<Arg> {
        let mut out = Vec::new();
        let Some(n) = n else {
            return out;
        };
        for a in named_children(n) {
            if a.kind() != "argument" {
                continue;
            }
            let name = a.child_by_field_name("name");
            let Some(v) = named_children(a).into_iter().rev().find(|c| {
                !is_trivia(*c)
                    && c.kind() != "reference_modifier"
                    && Some(c.id()) != name.map(|x| x.id())
            }) else {
                continue;
            };
            let (value, spread) = if v.kind() == "variadic_unpacking" {
                let e = match Self::first_named(v) {
                    Some(x) => self.expr(x),
                    None => Expr::Unknown,
                };
                (e, true)
            } else {
                (self.expr(v), false)
            };
            out.push(Arg {
                name: name.map(|x| self.t(x).to_string()),
                value,
                spread,
            });
        }
        out
    }

    fn call(&mut self, n: Node) -> Expr {
        let mut args_node = n.child_by_field_name("arguments");
        let mut new_object = false;
        let callee = match n.kind() {
            "function_call_expression" => match n.child_by_field_name("function") {
                Some(f) => self.expr(f),
                None => Expr::Unknown,
            },
            "member_call_expression" | "nullsafe_member_call_expression" => {
                let obj = match n.child_by_field_name("object") {
                    Some(o) => self.expr(o),
                    None => Expr::Unknown,
                };
                match n.child_by_field_name("name") {
                    Some(nm) => self.member(obj, nm),
                    None => Expr::Unknown,
                }
            }
            "scoped_call_expression" => {
                let s = match n.child_by_field_name("scope") {
                    Some(s) => self.scope_expr(s),
                    None => Expr::Unknown,
                };
                match n.child_by_field_name("name") {
                    Some(nm) => self.member(s, nm),
                    None => Expr::Unknown,
                }
            }
            _ => {
                // object_creation_expression
                new_object = true;
                let kids: Vec<Node> = named_children(n)
                    .into_iter()
                    .filter(|c| !is_trivia(*c))
                    .collect();
                args_node = kids.iter().copied().find(|c| c.kind() == "arguments");
                match kids.iter().copied().find(|c| c.kind() != "arguments") {
                    Some(c) if c.kind() == "anonymous_class" => {
                        args_node = named_children(c)
                            .into_iter()
                            .find(|x| x.kind() == "arguments");
                        self.class_body(c, String::new());
                        Expr::Unknown
                    }
                    Some(c) if c.kind() == "name" => self.name_expr(self.t(c)),
                    Some(c) => self.expr(c),
                    None => Expr::Unknown,
                }
            }
        };
        let args = self.args(args_node);
        let ce = CallExpr {
            callee,
            args,
            new_object,
            line: line(n),
            column: self.column(n),
            end_line: end_line(n),
        };
        self.b.call(ce.clone());
        if let Some(e) = self.special_call(&ce) {
            return e;
        }
        Expr::Call(Box::new(ce))
    }

    /// Env reads (`getenv`, Laravel `env()` / `Env::get`) and `define()`.
    fn special_call(&mut self, ce: &CallExpr) -> Option<Expr> {
        if ce.new_object {
            return None;
        }
        let fname = match &ce.callee {
            Expr::Name(n) => n.to_ascii_lowercase(),
            Expr::Attr(b, m) if matches!(&**b, Expr::Name(c) if c == "Env" || c.ends_with("\\Env")) =>
            {
                format!("env::{}", m.to_ascii_lowercase())
            }
            _ => return None,
        };
        let positional: Vec<&Arg> = ce.args.iter().filter(|a| a.name.is_none()).collect();
        let first = match positional.first().map(|a| &a.value) {
            Some(Expr::Str(s)) => s.clone(),
            _ => return None,
        };
        match fname.as_str() {
            "getenv" => Some(Expr::Env {
                name: first,
                default: None,
            }),
            "env" | "env::get" => Some(Expr::Env {
                name: first,
                default: positional.get(1).map(|a| Box::new(a.value.clone())),
            }),
            "define" => {
                let value = positional.get(1).map_or(Expr::Unknown, |a| a.value.clone());
                self.b.push_binding(Binding {
                    scope: Scope::Module,
                    name: first,
                    value,
                    line: ce.line,
                    ty: None,
                    exported: true,
                });
                None
            }
            _ => None,
        }
    }

    fn include(&mut self, n: Node, local: &str) {
        let Some(arg) = Self::first_named(n) else {
            return;
        };
        let e = self.expr(arg);
        if let Some(module) = literal_tail(&e).filter(|m| !m.is_empty()) {
            self.b.facts.imports.push(Import {
                module,
                local: local.to_string(),
                name: None,
                line: line(n),
            });
        }
    }

    fn assign(&mut self, n: Node) -> Expr {
        let (Some(left), Some(right)) = (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
        ) else {
            self.walk_children(n);
            return Expr::Unknown;
        };
        if left.kind() == "list_literal" {
            let v = self.expr(right);
            self.destructure(left, v.clone(), line(n));
            return v;
        }
        if left.kind() == "variable_name" && is_include(right.kind()) {
            let name = self.var_name(left);
            self.include(right, &name);
            return Expr::Unknown;
        }
        let target = self.expr(left);
        let fname = match &target {
            Expr::Name(s) | Expr::Attr(_, s) => s.clone(),
            _ => String::new(),
        };
        let v = self.expr_named(right, &fname);
        self.bind_target(&target, v.clone(), line(n));
        v
    }

    fn augmented(&mut self, n: Node) -> Expr {
        let target = match n.child_by_field_name("left") {
            Some(l) => self.expr(l),
            None => Expr::Unknown,
        };
        let r = match n.child_by_field_name("right") {
            Some(x) => self.expr(x),
            None => Expr::Unknown,
        };
        let value = match n.child_by_field_name("operator").map(|o| o.kind()) {
            Some(".=") => concat(vec![target.clone(), r]),
            Some("??=") => fold_default(target.clone(), r),
            _ => Expr::Unknown,
        };
        self.bind_target(&target, value.clone(), line(n));
        value
    }

    /// 1-based character column of a node (same result as `lang::column`, in O(log n)).
    fn column(&self, n: Node) -> usize {
        let start = n.start_byte();
        let line_start = start.saturating_sub(n.start_position().column);
        let wide = self.wide.partition_point(|&i| i < start)
            - self.wide.partition_point(|&i| i < line_start);
        (start - line_start).saturating_sub(wide) + 1
    }

    fn bind_target(&mut self, target: &Expr, value: Expr, line: usize) {
        match target_path(target) {
            Some((_, p)) if p.is_empty() => {}
            Some((true, p)) => {
                let scope = self.b.member_scope();
                self.b.bind(scope, p, value, line);
            }
            Some((false, p)) => {
                // Top-level variables are PHP globals: visible to the files that include this one.
                let scope = self.b.local_scope();
                let exported = scope == Scope::Module && self.b.current_class().is_none();
                self.b.push_binding(Binding {
                    scope,
                    name: p,
                    value,
                    line,
                    ty: None,
                    exported,
                });
            }
            None => {}
        }
    }

    /// `[$a, 'k' => $b] = $v` / `list($a, $b) = $v` → `a = v[0]`, `b = v['k']`.
    fn destructure(&mut self, list: Node, base: Expr, line: usize) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        self.depth += 1;
        let mut items: Vec<Vec<Node>> = vec![Vec::new()];
        let mut c = list.walk();
        for ch in list.children(&mut c) {
            match ch.kind() {
                "," => items.push(Vec::new()),
                "=>" => {
                    if let Some(last) = items.last_mut() {
                        last.push(ch);
                    }
                }
                _ if ch.is_named() && !is_trivia(ch) => {
                    if let Some(last) = items.last_mut() {
                        last.push(ch);
                    }
                }
                _ => {}
            }
        }
        let mut pos = 0usize;
        for item in items {
            let (key, target) = match item.as_slice() {
                [k, arrow, v] if arrow.kind() == "=>" => (self.key_text(*k), *v),
                [v] => {
                    let k = pos.to_string();
                    pos += 1;
                    (k, *v)
                }
                [] => {
                    pos += 1;
                    continue;
                }
                _ => continue,
            };
            let value = Expr::Attr(Box::new(base.clone()), key);
            let target = if target.kind() == "by_ref" {
                match Self::first_named(target) {
                    Some(t) => t,
                    None => continue,
                }
            } else {
                target
            };
            if target.kind() == "list_literal" {
                self.destructure(target, value, line);
            } else {
                let t = self.expr(target);
                self.bind_target(&t, value, line);
            }
        }
        self.depth -= 1;
    }
}

/// Strips up to `indent` leading blanks from each line of a heredoc part; `line_start` carries whether
/// the part begins a line.
fn dedent(s: &str, indent: usize, line_start: &mut bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut skipped = 0usize;
    for ch in s.chars() {
        if *line_start && skipped < indent && (ch == ' ' || ch == '\t') {
            skipped += 1;
            continue;
        }
        *line_start = false;
        out.push(ch);
        if ch == '\n' {
            *line_start = true;
            skipped = 0;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::program::facts::{Arg, CallExpr, Expr, FileFacts, Import, Scope};
    use crate::program::lang::testkit::{attr, name as n, pos, s};
    use crate::scan::lang::Lang;

    fn facts(src: &str) -> FileFacts {
        crate::program::parse::facts(Lang::Php, "t.php", src).expect("parsed")
    }

    fn obj(items: &[(&str, Expr)]) -> Expr {
        Expr::Object(
            items
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }

    /// The value of the only binding named `name` in `scope`.
    fn binding(f: &FileFacts, scope: Scope, name: &str) -> Expr {
        let found: Vec<_> = f
            .bindings
            .iter()
            .filter(|b| b.scope == scope && b.name == name)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "bindings named {name} in {scope:?}: {:?}",
            f.bindings
        );
        found[0].value.clone()
    }

    fn func(f: &FileFacts, name: &str) -> usize {
        f.functions
            .iter()
            .position(|x| x.name == name)
            .unwrap_or_else(|| panic!("no function {name}"))
    }

    /// Calls whose callee is `callee`.
    fn calls_to<'f>(f: &'f FileFacts, callee: &Expr) -> Vec<&'f crate::program::facts::Call> {
        f.calls
            .iter()
            .filter(|c| &c.call.callee == callee)
            .collect()
    }

    #[test]
    fn request_wrapper_method() {
        let f = facts(
            r#"<?php
class Api {
    const ROOT = 'contacts/';
    public function send(string $verb, $uri, array $o = []) {
        return $this->client->request(strtoupper($verb), $uri, $o);
    }
    public function create($c) {
        return $this->send('post', self::ROOT, ['json' => $c]);
    }
}
"#,
        );
        let send = func(&f, "send");
        assert_eq!(f.functions[send].class, Some(0));
        let ps: Vec<_> = f.functions[send]
            .params
            .iter()
            .map(|p| (p.name.as_str(), p.ty.clone(), p.default.clone()))
            .collect();
        assert_eq!(
            ps,
            vec![
                ("verb", Some("string".to_string()), None),
                ("uri", None, None),
                ("o", Some("array".to_string()), Some(obj(&[]))),
            ]
        );
        let req = calls_to(&f, &attr(attr(Expr::SelfRef, "client"), "request"));
        assert_eq!(req.len(), 1);
        assert_eq!(req[0].func, send);
        let upper = CallExpr {
            callee: n("strtoupper"),
            args: vec![pos(n("verb"))],
            new_object: false,
            line: 5,
            column: 39,
            end_line: 5,
        };
        assert_eq!(
            req[0].call.args,
            vec![pos(Expr::Call(Box::new(upper))), pos(n("uri")), pos(n("o"))]
        );
        assert_eq!(f.functions[send].returns.len(), 1);
        let create = func(&f, "create");
        let c = calls_to(&f, &attr(Expr::SelfRef, "send"));
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].func, create);
        assert_eq!(
            c[0].call.args,
            vec![
                pos(s("post")),
                pos(attr(Expr::SelfRef, "ROOT")),
                pos(obj(&[("json", n("c"))])),
            ]
        );
        assert_eq!(binding(&f, Scope::Class(0), "ROOT"), s("contacts/"));
        assert_eq!(f.calls.len(), 3);
    }

    #[test]
    fn client_built_in_constructor() {
        let f = facts(
            r#"<?php
namespace App\Services;

use GuzzleHttp\Client;

class Ghl extends \App\Api implements HasClient
{
    private Client $client;
    protected static $version = 'v1';

    public function __construct(private CrmClient $crm, protected string $base = self::BASE)
    {
        parent::__construct();
        $this->client = new Client(['base_uri' => 'https://rest.gohighlevel.com/v1/', 'timeout' => 5]);
        $this->other = new \GuzzleHttp\Client;
    }

    public static function make(): static
    {
        return new static(new CrmClient());
    }

    public function contacts()
    {
        return $this->client->get('contacts/');
    }
}
"#,
        );
        assert_eq!(f.package.as_deref(), Some("App\\Services"));
        assert_eq!(f.classes.len(), 1);
        assert_eq!(f.classes[0].name, "Ghl");
        assert_eq!(f.classes[0].bases, vec!["\\App\\Api", "HasClient"]);
        let ctor = func(&f, "__construct");
        assert!(f.functions[ctor].is_constructor);
        assert_eq!(f.functions[ctor].class, Some(0));
        let p = &f.functions[ctor].params;
        assert_eq!(p.len(), 2);
        assert_eq!(
            (p[0].name.as_str(), p[0].ty.as_deref()),
            ("crm", Some("CrmClient"))
        );
        assert_eq!(p[1].ty.as_deref(), Some("string"));
        assert_eq!(p[1].default, Some(attr(Expr::SelfRef, "BASE")));
        // Typed property without a value, then the constructor's assignment.
        let client: Vec<_> = f
            .bindings
            .iter()
            .filter(|b| b.scope == Scope::Class(0) && b.name == "client")
            .collect();
        assert_eq!(client.len(), 2);
        assert_eq!(client[0].ty.as_deref(), Some("Client"));
        assert_eq!(client[0].value, Expr::Unknown);
        assert!(!client[0].exported);
        assert_eq!(
            client[1].value,
            Expr::Call(Box::new(CallExpr {
                callee: n("Client"),
                args: vec![pos(obj(&[
                    ("base_uri", s("https://rest.gohighlevel.com/v1/")),
                    ("timeout", s("5")),
                ]))],
                new_object: true,
                line: 14,
                column: 25,
                end_line: 14,
            }))
        );
        assert_eq!(client[1].line, 14);
        // Promoted constructor properties.
        assert_eq!(binding(&f, Scope::Class(0), "crm"), n("crm"));
        assert_eq!(binding(&f, Scope::Class(0), "base"), n("base"));
        assert_eq!(binding(&f, Scope::Class(0), "version"), s("v1"));
        let other = binding(&f, Scope::Class(0), "other");
        let Expr::Call(c) = other else {
            panic!("{other:?}")
        };
        assert_eq!(
            (c.callee.clone(), c.new_object, c.args.len()),
            (n("GuzzleHttp\\Client"), true, 0)
        );
        // parent::__construct
        assert_eq!(calls_to(&f, &attr(Expr::SuperRef, "__construct")).len(), 1);
        // static factory
        let make = func(&f, "make");
        assert!(f.functions[make].is_static);
        let ns = calls_to(&f, &Expr::SelfRef);
        assert_eq!(ns.len(), 1);
        assert!(ns[0].call.new_object);
        // used in another method
        let get = calls_to(&f, &attr(attr(Expr::SelfRef, "client"), "get"));
        assert_eq!(get.len(), 1);
        assert_eq!(get[0].func, func(&f, "contacts"));
        assert_eq!(get[0].call.args, vec![pos(s("contacts/"))]);
        assert_eq!(
            f.imports,
            vec![Import {
                module: "GuzzleHttp\\Client".into(),
                local: "Client".into(),
                name: Some("Client".into()),
                line: 4,
            }]
        );
    }

    #[test]
    fn constants_and_attributes_build_url() {
        let f = facts(
            r#"<?php
define('GHL_API', 'https://rest.gohighlevel.com/v1');
const VERSION = 'v1';
class Contacts {
    const ROOT = 'contacts/';
    private const SECRET = 'x';
    protected $base = GHL_API . '/';
    public function url($id) {
        $url = $this->base . self::ROOT . $id;
        $url .= '/tasks';
        $full = static::ROOT . Api::ROOT . parent::ROOT . self::$path;
        return $url;
    }
}
"#,
        );
        let def = &f.bindings[0];
        assert_eq!(
            (
                def.scope,
                def.name.as_str(),
                def.value.clone(),
                def.exported
            ),
            (
                Scope::Module,
                "GHL_API",
                s("https://rest.gohighlevel.com/v1"),
                true
            )
        );
        assert_eq!(binding(&f, Scope::Module, "VERSION"), s("v1"));
        let c = Scope::Class(0);
        assert_eq!(binding(&f, c, "ROOT"), s("contacts/"));
        assert!(f.bindings.iter().any(|b| b.name == "ROOT" && b.exported));
        assert!(f.bindings.iter().any(|b| b.name == "SECRET" && !b.exported));
        assert_eq!(
            binding(&f, c, "base"),
            Expr::Concat(vec![n("GHL_API"), s("/")])
        );
        let m = Scope::Function(func(&f, "url"));
        let urls: Vec<_> = f
            .bindings
            .iter()
            .filter(|b| b.scope == m && b.name == "url")
            .map(|b| b.value.clone())
            .collect();
        assert_eq!(
            urls,
            vec![
                Expr::Concat(vec![
                    attr(Expr::SelfRef, "base"),
                    attr(Expr::SelfRef, "ROOT"),
                    n("id")
                ]),
                Expr::Concat(vec![n("url"), s("/tasks")]),
            ]
        );
        assert_eq!(
            binding(&f, m, "full"),
            Expr::Concat(vec![
                attr(Expr::SelfRef, "ROOT"),
                attr(n("Api"), "ROOT"),
                attr(Expr::SuperRef, "ROOT"),
                attr(Expr::SelfRef, "path"),
            ])
        );
        assert_eq!(f.functions[func(&f, "url")].returns, vec![n("url")]);
    }

    #[test]
    fn strings_interpolation_and_concat() {
        let f = facts(
            "<?php\n\
             $a = 'it\\'s \\\\ \\n raw';\n\
             $b = \"GET {$base}/contacts/$id?x={$this->cfg['k']}&y=${y}&z=$arr[key]&w=$o->p\\t\";\n\
             $c = $base . '/v1/' . $path;\n\
             $d = sprintf('%s/contacts/%s', $base, $id);\n\
             $e = <<<EOT\n    {$base}/v1\n      next $x\n    EOT;\n\
             $g = <<<'EOT'\nraw $x\nEOT;\n\
             $h = \"\";\n\
             $i = \"\\x41\\u{1F600}\\$x\";\n",
        );
        let m = Scope::Module;
        assert_eq!(binding(&f, m, "a"), s("it's \\ \\n raw"));
        assert_eq!(
            binding(&f, m, "b"),
            Expr::Concat(vec![
                s("GET "),
                n("base"),
                s("/contacts/"),
                n("id"),
                s("?x="),
                attr(attr(Expr::SelfRef, "cfg"), "k"),
                s("&y="),
                n("y"),
                s("&z="),
                attr(n("arr"), "key"),
                s("&w="),
                attr(n("o"), "p"),
                s("\t"),
            ])
        );
        assert_eq!(
            binding(&f, m, "c"),
            Expr::Concat(vec![n("base"), s("/v1/"), n("path")])
        );
        let Expr::Call(d) = binding(&f, m, "d") else {
            panic!()
        };
        assert_eq!(d.callee, n("sprintf"));
        assert_eq!(
            d.args,
            vec![pos(s("%s/contacts/%s")), pos(n("base")), pos(n("id"))]
        );
        assert_eq!(
            binding(&f, m, "e"),
            Expr::Concat(vec![n("base"), s("/v1\n  next "), n("x")])
        );
        assert_eq!(binding(&f, m, "g"), s("raw $x"));
        assert_eq!(binding(&f, m, "h"), s(""));
        assert_eq!(binding(&f, m, "i"), s("A\u{1F600}$x"));
    }

    #[test]
    fn env_reads_and_defaults() {
        let f = facts(
            r#"<?php
$a = getenv('GHL_URL') ?: 'https://rest.gohighlevel.com/v1';
$b = $_ENV['GHL_KEY'] ?? 'k';
$c = env('GHL_BASE', 'https://x');
$d = $_SERVER['HOST'];
$e = getenv('A') ? getenv('A') : 'fallback';
$f = \getenv('B');
$g = $flag ? 'a' : 'b';
$h = $x ?? $y ?? 'z';
"#,
        );
        let m = Scope::Module;
        let env = |name: &str, d: Option<Expr>| Expr::Env {
            name: name.into(),
            default: d.map(Box::new),
        };
        assert_eq!(
            binding(&f, m, "a"),
            env("GHL_URL", Some(s("https://rest.gohighlevel.com/v1")))
        );
        assert_eq!(binding(&f, m, "b"), env("GHL_KEY", Some(s("k"))));
        assert_eq!(binding(&f, m, "c"), env("GHL_BASE", Some(s("https://x"))));
        assert_eq!(binding(&f, m, "d"), env("HOST", None));
        assert_eq!(binding(&f, m, "e"), env("A", Some(s("fallback"))));
        assert_eq!(binding(&f, m, "f"), env("B", None));
        assert_eq!(binding(&f, m, "g"), Expr::Choice(vec![s("a"), s("b")]));
        assert_eq!(
            binding(&f, m, "h"),
            Expr::Choice(vec![n("x"), n("y"), s("z")])
        );
    }

    #[test]
    fn imports_of_each_form() {
        let f = facts(
            r#"<html><body>
<?php
namespace App;
use App\Http\Api;
use App\Http\Api as Base, \Other\Thing;
use App\Models\{User, Post as P};
use function App\helpers\call_api;
require_once __DIR__ . '/config.php';
include 'x.php';
require('lib/api.php');
include_once(dirname(__FILE__) . "/inc/ghl.php");
$cfg = require __DIR__ . '/settings.php';
require $dynamic;
?>
</body></html>
"#,
        );
        let imp = |m: &str, l: &str, nm: Option<&str>, line: usize| Import {
            module: m.into(),
            local: l.into(),
            name: nm.map(Into::into),
            line,
        };
        assert_eq!(
            f.imports,
            vec![
                imp("App\\Http\\Api", "Api", Some("Api"), 4),
                imp("App\\Http\\Api", "Base", Some("Api"), 5),
                imp("Other\\Thing", "Thing", Some("Thing"), 5),
                imp("App\\Models\\User", "User", Some("User"), 6),
                imp("App\\Models\\Post", "P", Some("Post"), 6),
                imp("App\\helpers\\call_api", "call_api", Some("call_api"), 7),
                imp("/config.php", "", None, 8),
                imp("x.php", "", None, 9),
                imp("lib/api.php", "", None, 10),
                imp("/inc/ghl.php", "", None, 11),
                imp("/settings.php", "cfg", None, 12),
            ]
        );
        assert!(f.bindings.iter().all(|b| b.name != "cfg"));
        assert_eq!(f.package.as_deref(), Some("App"));
    }

    #[test]
    fn call_chain_and_stmt_line() {
        let f = facts(
            r#"<?php
function go($url, $data) {
    $response = Http::withHeaders([
        'Authorization' => 'Bearer ' . $key,
    ])
        ->post($url, $data);
    return $x?->y->z();
}
"#,
        );
        let go = func(&f, "go");
        let with = CallExpr {
            callee: attr(n("Http"), "withHeaders"),
            args: vec![pos(obj(&[(
                "Authorization",
                Expr::Concat(vec![s("Bearer "), n("key")]),
            )]))],
            new_object: false,
            line: 3,
            column: 17,
            end_line: 5,
        };
        let post = CallExpr {
            callee: attr(Expr::Call(Box::new(with.clone())), "post"),
            args: vec![pos(n("url")), pos(n("data"))],
            new_object: false,
            line: 3,
            column: 17,
            end_line: 6,
        };
        let posts = calls_to(&f, &post.callee);
        assert_eq!(posts.len(), 1);
        assert_eq!(posts[0].call, post);
        assert_eq!(posts[0].stmt_line, 3);
        assert_eq!(posts[0].func, go);
        assert_eq!(calls_to(&f, &with.callee)[0].stmt_line, 3);
        assert_eq!(
            binding(&f, Scope::Function(go), "response"),
            Expr::Call(Box::new(post))
        );
        let z = calls_to(&f, &attr(attr(n("x"), "y"), "z"));
        assert_eq!((z.len(), z[0].stmt_line), (1, 7));
        assert_eq!(f.calls.len(), 3);
        // Source order: the chain's calls (same start) before the later one.
        assert_eq!(f.calls[2].call.line, 7);
    }

    #[test]
    fn named_args_spread_and_http_functions() {
        let f = facts(
            r#"<?php
$client->call(uri: 'contacts/', method: 'GET');
wp_remote_post($url, ['method' => 'PUT', 'headers' => $h]);
$ch = curl_init($url);
curl_setopt($ch, CURLOPT_URL, $url);
curl_setopt_array($ch, [CURLOPT_URL => $u, CURLOPT_CUSTOMREQUEST => 'PUT', CURLOPT_RETURNTRANSFER => true]);
$ctx = stream_context_create(['http' => ['method' => 'POST', 'header' => "Content-Type: application/json\r\n"]]);
$body = file_get_contents($url, false, $ctx);
$list = array('a', 'b', 'k' => 'v', 'c');
$this->request(...$args);
"#,
        );
        let call = calls_to(&f, &attr(n("client"), "call"));
        assert_eq!(
            call[0].call.args,
            vec![
                Arg {
                    name: Some("uri".into()),
                    value: s("contacts/"),
                    spread: false
                },
                Arg {
                    name: Some("method".into()),
                    value: s("GET"),
                    spread: false
                },
            ]
        );
        assert_eq!(
            calls_to(&f, &n("wp_remote_post"))[0].call.args,
            vec![
                pos(n("url")),
                pos(obj(&[("method", s("PUT")), ("headers", n("h"))]))
            ]
        );
        assert!(
            matches!(binding(&f, Scope::Module, "ch"), Expr::Call(c) if c.callee == n("curl_init"))
        );
        assert_eq!(
            calls_to(&f, &n("curl_setopt"))[0].call.args,
            vec![pos(n("ch")), pos(n("CURLOPT_URL")), pos(n("url"))]
        );
        assert_eq!(
            calls_to(&f, &n("curl_setopt_array"))[0].call.args[1].value,
            obj(&[
                ("CURLOPT_URL", n("u")),
                ("CURLOPT_CUSTOMREQUEST", s("PUT")),
                ("CURLOPT_RETURNTRANSFER", s("true")),
            ])
        );
        assert_eq!(
            calls_to(&f, &n("stream_context_create"))[0].call.args[0].value,
            obj(&[(
                "http",
                obj(&[
                    ("method", s("POST")),
                    ("header", s("Content-Type: application/json\r\n"))
                ])
            )])
        );
        assert_eq!(
            calls_to(&f, &n("file_get_contents"))[0].call.args,
            vec![pos(n("url")), pos(s("false")), pos(n("ctx"))]
        );
        assert_eq!(
            binding(&f, Scope::Module, "list"),
            obj(&[("0", s("a")), ("1", s("b")), ("k", s("v")), ("2", s("c"))])
        );
        assert_eq!(
            calls_to(&f, &attr(Expr::SelfRef, "request"))[0].call.args,
            vec![Arg {
                name: None,
                value: n("args"),
                spread: true
            }]
        );
    }

    #[test]
    fn closures_and_arrows_from_factory() {
        let f = facts(
            r#"<?php
function factory($base, string ...$rest) {
    $get = function ($path) use ($base) {
        return Http::get($base . $path);
    };
    $handlers = ['post' => fn($p, $d = []) => Http::post($base . $p, $d)];
    return static fn($x) => $get($x);
}
"#,
        );
        let fac = func(&f, "factory");
        let p = &f.functions[fac].params;
        assert_eq!(
            (p[1].name.as_str(), p[1].rest, p[1].ty.as_deref()),
            ("rest", true, Some("string"))
        );
        let get = func(&f, "get");
        assert_eq!(f.functions[get].parent, Some(fac));
        assert_eq!(f.functions[get].params[0].name, "path");
        assert_eq!(binding(&f, Scope::Function(fac), "get"), Expr::Func(get));
        let post = func(&f, "post");
        assert_eq!(f.functions[post].parent, Some(fac));
        assert_eq!(f.functions[post].params[1].default, Some(obj(&[])));
        assert_eq!(
            binding(&f, Scope::Function(fac), "handlers"),
            obj(&[("post", Expr::Func(post))])
        );
        let Expr::Call(pc) = &f.functions[post].returns[0] else {
            panic!()
        };
        assert_eq!(pc.callee, attr(n("Http"), "post"));
        let hget = calls_to(&f, &attr(n("Http"), "get"));
        assert_eq!(hget[0].func, get);
        assert_eq!(
            hget[0].call.args,
            vec![pos(Expr::Concat(vec![n("base"), n("path")]))]
        );
        // The returned arrow.
        let rets = &f.functions[fac].returns;
        assert_eq!(rets.len(), 1);
        let Expr::Func(arrow) = rets[0] else {
            panic!("{rets:?}")
        };
        assert!(f.functions[arrow].is_static);
        assert_eq!(f.functions[arrow].parent, Some(fac));
        assert_eq!(f.functions[arrow].name, "");
        let Expr::Call(c) = &f.functions[arrow].returns[0] else {
            panic!()
        };
        assert_eq!(c.callee, n("get"));
    }

    #[test]
    fn interfaces_traits_abstract_and_destructuring() {
        let f = facts(
            r#"<?php
interface Client extends Base { public function send(string $m, ?Uri $u = null); }
trait UsesApi { protected $root = 'https://x/v1'; }
abstract class Svc { use UsesApi, Other; abstract protected function path(): string; }
enum Ep: string { case Contacts = 'contacts/'; }
[$a, , [$c]] = $cfg;
['k' => $b] = $cfg;
list('url' => $u) = $opts;
$cfg['api']['base'] = 'https://x';
$this->opts['url'] = 'v';
$x = $y = 'both';
"#,
        );
        let names: Vec<_> = f
            .classes
            .iter()
            .map(|c| (c.name.as_str(), c.bases.clone()))
            .collect();
        assert_eq!(
            names,
            vec![
                ("Client", vec!["Base".to_string()]),
                ("UsesApi", vec![]),
                ("Svc", vec!["UsesApi".to_string(), "Other".to_string()]),
                ("Ep", vec![]),
            ]
        );
        let send = func(&f, "send");
        assert_eq!(f.functions[send].class, Some(0));
        assert_eq!(f.functions[send].params[1].ty.as_deref(), Some("Uri"));
        assert_eq!(f.functions[func(&f, "path")].class, Some(2));
        assert_eq!(binding(&f, Scope::Class(1), "root"), s("https://x/v1"));
        assert_eq!(binding(&f, Scope::Class(3), "Contacts"), s("contacts/"));
        let m = Scope::Module;
        assert_eq!(binding(&f, m, "a"), attr(n("cfg"), "0"));
        assert_eq!(binding(&f, m, "b"), attr(n("cfg"), "k"));
        assert_eq!(binding(&f, m, "c"), attr(attr(n("cfg"), "2"), "0"));
        assert_eq!(binding(&f, m, "u"), attr(n("opts"), "url"));
        assert_eq!(binding(&f, m, "cfg.api.base"), s("https://x"));
        assert_eq!(binding(&f, m, "opts.url"), s("v"));
        assert_eq!(binding(&f, m, "x"), s("both"));
        assert_eq!(binding(&f, m, "y"), s("both"));
    }

    #[test]
    fn html_sections_and_control_flow() {
        let f = facts(
            r#"<!doctype html>
<p><?= htmlspecialchars($title) ?></p>
<?php if ($ok): ?>
  <b><?php echo fetch_it('a'); ?></b>
<?php endif; ?>
<?php
foreach ($items as $i) {
    try {
        $r = $api->get("items/$i");
    } catch (Exception $e) {
        log_it($e);
    }
}
"#,
        );
        let callees: Vec<_> = f
            .calls
            .iter()
            .map(|c| (c.call.callee.clone(), c.stmt_line))
            .collect();
        assert_eq!(
            callees,
            vec![
                (n("htmlspecialchars"), 2),
                (n("fetch_it"), 4),
                (attr(n("api"), "get"), 9),
                (n("log_it"), 11),
            ]
        );
        assert_eq!(
            binding(&f, Scope::Module, "r"),
            Expr::Call(Box::new(CallExpr {
                callee: attr(n("api"), "get"),
                args: vec![pos(Expr::Concat(vec![s("items/"), n("i")]))],
                new_object: false,
                line: 9,
                column: 14,
                end_line: 9,
            }))
        );
    }

    #[test]
    fn columns_count_characters_and_globals_are_exported() {
        let src = "<?php\n$é = 'ü'; $u = fetch('ö'); function f() { $l = g(); }\n";
        let f = facts(src);
        // Characters, not bytes: `$é = 'ü'; $u = ` is 15 characters (17 bytes).
        assert_eq!(f.calls[0].call.column, 16);
        assert_eq!(f.calls[1].call.column, 48);
        let line2 = src.lines().nth(1).unwrap_or("");
        let byte = line2.find("fetch").unwrap_or(0);
        assert_eq!(line2[..byte].chars().count() + 1, 16);
        let g = f
            .bindings
            .iter()
            .find(|b| b.name == "é")
            .map(|b| b.exported);
        assert_eq!(g, Some(true));
        let u = f
            .bindings
            .iter()
            .find(|b| b.name == "u")
            .map(|b| b.exported);
        assert_eq!(u, Some(true));
        let l = f
            .bindings
            .iter()
            .find(|b| b.name == "l")
            .map(|b| b.exported);
        assert_eq!(l, Some(false));
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 5000;
        let mut src = String::from("<?php\n$x = ");
        src.push_str(&"(".repeat(depth));
        src.push_str("f(1)");
        src.push_str(&")".repeat(depth));
        src.push_str(";\n$y = ");
        src.push_str(&"[".repeat(depth));
        src.push_str(&"]".repeat(depth));
        src.push_str(";\n$z = 'a'");
        src.push_str(&" . 'a'".repeat(depth));
        src.push_str(";\n");
        src.push_str(&"if ($a) {".repeat(depth));
        src.push_str(&"}".repeat(depth));
        src.push_str("\n$w = g(");
        src.push_str(&"h(".repeat(depth));
        src.push_str(&")".repeat(depth + 1));
        src.push_str(";\n$tail = 'ok';\n");
        let f = facts(&src);
        assert_eq!(binding(&f, Scope::Module, "x"), Expr::Unknown);
        assert_eq!(binding(&f, Scope::Module, "tail"), s("ok"));
    }

    #[test]
    fn broken_input_does_not_panic() {
        for src in [
            "<?php $x = ;",
            "<?php class { function ( { $this->a = new ; }",
            "<?php $a = \"{$",
            "<?php $h = <<<EOT\nabc",
            "<?php use ;\nrequire;\ndefine();\ngetenv();\n[$a, => ] = 1;",
            "<?php $x = fetch('a'; $y = 'b';",
            "<?php\u{0} $x = 'é' . \"\\u{110000}\\x\";",
            "",
            "plain html only",
        ] {
            let _ = facts(src);
        }
        let f = facts("<?php $x = fetch('a'; $y = 'b';");
        assert!(f.bindings.iter().any(|b| b.name == "y"));
    }
}
