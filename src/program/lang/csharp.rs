//! C# extractor (tree-sitter-c-sharp): namespaces, `using` directives, classes / records / interfaces /
//! structs with their bases and primary constructors, fields, constants, properties (auto, expression-bodied,
//! with accessor bodies), constructors with `: base(…)`, methods, local functions, lambdas, attributes
//! (Refit `[Get("/x")]` → a call `@Get` in the method), interpolated / verbatim / raw strings, object
//! initializers (named arguments), `Environment.GetEnvironmentVariable`, and every invocation.
use std::collections::HashSet;

use super::{Builder, MAX_DEPTH, column, concat, end_line, line, named_children, text};
use crate::program::facts::{
    Arg, Binding, CallExpr, Class, Expr, FileFacts, Function, Import, Param, Scope,
};
use tree_sitter::Node;

pub fn extract(src: &str, tree: &tree_sitter::Tree) -> FileFacts {
    let mut ex = Ex {
        src,
        b: Builder::new(),
        depth: 0,
        classes: Vec::new(),
        locals: vec![HashSet::new()],
    };
    ex.items(tree.root_node(), 0);
    ex.b.finish()
}

struct ClassCtx {
    name: String,
    /// Fields and properties declared in the class body.
    fields: HashSet<String>,
}

struct Ex<'s> {
    src: &'s str,
    b: Builder,
    depth: usize,
    classes: Vec<ClassCtx>,
    /// Names declared (params and locals) per open function, innermost last.
    locals: Vec<HashSet<String>>,
}

fn is_stmt_kind(k: &str) -> bool {
    k.ends_with("_statement")
        || matches!(
            k,
            "block"
                | "switch_section"
                | "switch_body"
                | "catch_clause"
                | "finally_clause"
                | "global_statement"
        )
}

fn is_type_decl(k: &str) -> bool {
    matches!(
        k,
        "class_declaration"
            | "struct_declaration"
            | "record_declaration"
            | "record_struct_declaration"
            | "interface_declaration"
            | "enum_declaration"
    )
}

/// Children that can hold a value: named nodes plus `this` / `base` (anonymous in some positions).
fn value_children(n: Node) -> Vec<Node> {
    let mut c = n.walk();
    n.children(&mut c)
        .filter(|k| k.is_named() || matches!(k.kind(), "this" | "base"))
        .filter(|k| k.kind() != "comment")
        .collect()
}

fn all_children(n: Node) -> Vec<Node> {
    let mut c = n.walk();
    n.children(&mut c).collect()
}

/// The value after `=` in a declarator / parameter / attribute argument.
fn after_eq(n: Node) -> Option<Node> {
    let kids = all_children(n);
    let pos = kids.iter().position(|c| !c.is_named() && c.kind() == "=")?;
    kids[pos + 1..]
        .iter()
        .copied()
        .find(|c| c.is_named() || matches!(c.kind(), "this" | "base"))
}

/// A declared type without generics, nullability or array ranks (`Task<Contact>?` → `Task`).
fn norm_type(s: &str) -> String {
    let s = s.split('<').next().unwrap_or("");
    s.trim()
        .trim_end_matches("[]")
        .trim_end_matches('?')
        .trim()
        .to_string()
}

/// `A.B.C` → `Attr(Attr(Name(A), B), C)`.
fn dotted_expr(s: &str) -> Expr {
    let mut parts = s.split('.').map(str::trim);
    let mut e = Expr::Name(parts.next().unwrap_or("").to_string());
    for p in parts {
        e = Expr::Attr(Box::new(e), p.to_string());
    }
    e
}

/// Decodes C# escapes in a regular string (`\n`, `\"`, `\u0041`, `\x41`).
fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some(e) = it.next() else {
            out.push('\\');
            break;
        };
        match e {
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            '0' => out.push('\0'),
            'a' => out.push('\u{7}'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'v' => out.push('\u{b}'),
            'u' | 'U' | 'x' => {
                let max = match e {
                    'u' => 4,
                    'U' => 8,
                    _ => 4,
                };
                let hex = super::take_hex(&mut it, max);
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => {
                        out.push('\\');
                        out.push(e);
                        out.push_str(&hex);
                    }
                }
            }
            other => out.push(other),
        }
    }
    out
}

fn path_of(e: &Expr) -> Option<(bool, String)> {
    match e {
        Expr::Name(n) => Some((false, n.clone())),
        Expr::SelfRef => Some((true, String::new())),
        Expr::Attr(inner, k) => {
            let (selfish, p) = path_of(inner)?;
            Some((
                selfish,
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

/// `Environment.GetEnvironmentVariable("X")` / `System.Environment.GetEnvironmentVariable("X")`.
fn env_call(ce: &CallExpr) -> Option<Expr> {
    let Expr::Attr(recv, m) = &ce.callee else {
        return None;
    };
    if m != "GetEnvironmentVariable" {
        return None;
    }
    let env_type = match recv.as_ref() {
        Expr::Name(n) => n == "Environment",
        Expr::Attr(_, n) => n == "Environment",
        _ => false,
    };
    if !env_type {
        return None;
    }
    match ce.args.first().map(|a| &a.value) {
        Some(Expr::Str(name)) => Some(Expr::Env {
            name: name.clone(),
            default: None,
        }),
        _ => None,
    }
}

/// `a ?? b` / `a || b`: an env read without default takes the other side as its default.
fn choice(vals: Vec<Expr>) -> Expr {
    let mut vals = vals;
    if vals.len() == 2
        && let Expr::Env { default: None, .. } = &vals[0]
    {
        let d = vals.pop().unwrap_or(Expr::Unknown);
        if let Some(Expr::Env { name, .. }) = vals.pop() {
            return Expr::Env {
                name,
                default: Some(Box::new(d)),
            };
        }
        return Expr::Unknown;
    }
    Expr::Choice(vals)
}

fn has_modifier(n: Node, src: &str, m: &str) -> bool {
    all_children(n)
        .iter()
        .any(|c| c.kind() == "modifier" && text(*c, src).trim() == m)
}

impl<'s> Ex<'s> {
    fn t(&self, n: Node) -> &'s str {
        text(n, self.src)
    }

    // ---------------------------------------------------------------- top level

    fn items(&mut self, n: Node, depth: usize) {
        for c in named_children(n) {
            self.item(c, depth);
        }
    }

    fn item(&mut self, n: Node, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match n.kind() {
            "using_directive" => self.using(n),
            "file_scoped_namespace_declaration" | "namespace_declaration" => {
                if let Some(name) = n.child_by_field_name("name") {
                    let name = self.t(name).to_string();
                    match &mut self.b.facts.package {
                        None => self.b.facts.package = Some(name),
                        Some(p) if n.parent().is_some_and(|p| p.kind() == "declaration_list") => {
                            // A namespace nested in another one.
                            if !p.ends_with(&name) {
                                *p = format!("{p}.{name}");
                            }
                        }
                        Some(_) => {}
                    }
                }
                if let Some(body) = n.child_by_field_name("body") {
                    self.items(body, depth + 1);
                }
            }
            "declaration_list" | "ERROR" | "preproc_if" | "preproc_else" | "preproc_elif" => {
                self.items(n, depth + 1)
            }
            k if is_type_decl(k) => self.class(n),
            "global_statement" => {
                for c in named_children(n) {
                    self.stmt(c);
                }
            }
            "attribute_list" => self.attributes(n),
            "comment" | "extern_alias_directive" | "delegate_declaration" => {}
            "field_declaration" | "property_declaration" | "event_field_declaration" => {
                self.member(n)
            }
            "method_declaration" | "constructor_declaration" | "local_function_statement" => {
                self.member(n)
            }
            k if is_stmt_kind(k) => self.stmt(n),
            _ => {
                self.b.begin_stmt(line(n));
                self.scan(n);
                self.b.end_stmt();
            }
        }
    }

    fn using(&mut self, n: Node) {
        let alias = n.child_by_field_name("name");
        let target = named_children(n)
            .into_iter()
            .filter(|c| Some(*c) != alias)
            .find(|c| {
                matches!(
                    c.kind(),
                    "identifier" | "qualified_name" | "alias_qualified_name" | "generic_name"
                )
            });
        let Some(target) = target else {
            return;
        };
        let module = self.t(target).split_whitespace().collect::<String>();
        let local = alias.map(|a| self.t(a).to_string()).unwrap_or_default();
        self.b.facts.imports.push(Import {
            module,
            local,
            name: None,
            line: line(n),
        });
    }

    // ---------------------------------------------------------------- classes

    fn class(&mut self, n: Node) {
        if self.depth > MAX_DEPTH {
            return;
        }
        self.depth += 1;
        self.class_inner(n);
        self.depth -= 1;
    }

    fn class_inner(&mut self, n: Node) {
        let name = n
            .child_by_field_name("name")
            .map(|x| self.t(x).to_string())
            .unwrap_or_default();
        let kids = named_children(n);
        let mut bases = Vec::new();
        let mut base_call: Option<Node> = None;
        for c in &kids {
            if c.kind() == "base_list" {
                for b in named_children(*c) {
                    match b.kind() {
                        "primary_constructor_base_type" => {
                            if let Some(t) = b.child_by_field_name("type") {
                                bases.push(norm_type(self.t(t)));
                            }
                            base_call = Some(b);
                        }
                        // `class Svc(…) : Base(args)`: the arguments follow the base type.
                        "argument_list" => base_call = Some(*c),
                        "comment" => {}
                        _ => bases.push(norm_type(self.t(b))),
                    }
                }
            }
        }
        bases.retain(|b| !b.is_empty());
        let body = n.child_by_field_name("body");
        let mut fields = HashSet::new();
        if let Some(body) = body {
            for m in named_children(body) {
                match m.kind() {
                    "field_declaration" | "event_field_declaration" => {
                        for vd in named_children(m) {
                            if vd.kind() == "variable_declaration" {
                                for d in named_children(vd) {
                                    if let Some(nm) = d.child_by_field_name("name") {
                                        fields.insert(self.t(nm).to_string());
                                    }
                                }
                            }
                        }
                    }
                    "property_declaration" => {
                        if let Some(nm) = m.child_by_field_name("name") {
                            fields.insert(self.t(nm).to_string());
                        }
                    }
                    _ => {}
                }
            }
        }
        let primary = kids.iter().copied().find(|c| c.kind() == "parameter_list");
        if let Some(p) = primary {
            for c in named_children(p) {
                if let Some(nm) = c.child_by_field_name("name") {
                    fields.insert(self.t(nm).to_string());
                }
            }
        }
        self.b.begin_class(Class {
            name: name.clone(),
            bases,
            line: line(n),
        });
        self.classes.push(ClassCtx {
            name: name.clone(),
            fields,
        });
        for c in &kids {
            if c.kind() == "attribute_list" {
                self.attributes(*c);
            }
        }
        if primary.is_some() || base_call.is_some() {
            self.primary_ctor(n, &name, primary, base_call);
        }
        if let Some(body) = body {
            for m in named_children(body) {
                match m.kind() {
                    k if is_type_decl(k) => self.class(m),
                    "enum_member_declaration" => {
                        self.b.begin_stmt(line(m));
                        self.scan(m);
                        self.b.end_stmt();
                    }
                    "comment" => {}
                    _ => self.member(m),
                }
            }
        }
        self.classes.pop();
        self.b.end_class();
    }

    /// `class Svc(HttpClient http, string baseUrl) : Base(http)` / `record Opts(string BaseUrl)`:
    /// a constructor whose parameters become members.
    fn primary_ctor(&mut self, n: Node, name: &str, params: Option<Node>, base_call: Option<Node>) {
        let end = params.map_or(line(n), end_line);
        let id = self.b.begin_fn(
            Function {
                name: name.to_string(),
                class: None,
                parent: None,
                params: Vec::new(),
                is_constructor: true,
                is_static: false,
                returns: Vec::new(),
                line: params.map_or(line(n), line),
                end_line: end,
            },
            true,
        );
        self.locals.push(HashSet::new());
        self.b
            .begin_stmt(params.or(base_call).map_or(line(n), line));
        if let Some(p) = params {
            let ps = self.params(p);
            let scope = self.b.member_scope();
            for p in &ps {
                self.b.push_binding(Binding {
                    scope,
                    name: p.name.clone(),
                    value: Expr::Name(p.name.clone()),
                    line: line(n),
                    ty: p.ty.clone(),
                    exported: false,
                });
            }
            self.b.facts.functions[id].params = ps;
        }
        if let Some(bc) = base_call
            && let Some(args) = named_children(bc)
                .into_iter()
                .find(|c| c.kind() == "argument_list")
        {
            let idx = self.b.facts.calls.len();
            let args = self.args(args);
            self.record(idx, bc, Expr::SuperRef, args, false);
        }
        self.b.end_stmt();
        self.locals.pop();
        self.b.end_fn();
    }

    fn member(&mut self, m: Node) {
        match m.kind() {
            "field_declaration" | "event_field_declaration" => {
                for c in named_children(m) {
                    if c.kind() == "attribute_list" {
                        self.attributes(c);
                    }
                }
                let exported =
                    has_modifier(m, self.src, "public") || has_modifier(m, self.src, "internal");
                self.b.begin_stmt(line(m));
                for vd in named_children(m) {
                    if vd.kind() == "variable_declaration" {
                        let scope = self.b.member_scope();
                        self.var_decl(vd, scope, exported);
                    }
                }
                self.b.end_stmt();
            }
            "property_declaration" => self.property(m),
            "method_declaration"
            | "constructor_declaration"
            | "local_function_statement"
            | "destructor_declaration"
            | "operator_declaration"
            | "conversion_operator_declaration" => {
                self.function(m, true);
            }
            k if is_type_decl(k) => self.class(m),
            _ => {
                self.b.begin_stmt(line(m));
                self.scan(m);
                self.b.end_stmt();
            }
        }
    }

    fn property(&mut self, m: Node) {
        let name = m
            .child_by_field_name("name")
            .map(|x| self.t(x).to_string())
            .unwrap_or_default();
        let ty = m.child_by_field_name("type").map(|t| norm_type(self.t(t)));
        let exported = has_modifier(m, self.src, "public") || has_modifier(m, self.src, "internal");
        let is_static = has_modifier(m, self.src, "static");
        for c in named_children(m) {
            if c.kind() == "attribute_list" {
                self.attributes(c);
            }
        }
        self.b.begin_stmt(line(m));
        let scope = self.b.member_scope();
        let mut bound = false;
        if let Some(v) = m.child_by_field_name("value") {
            let value = if v.kind() == "arrow_expression_clause" {
                // `string Url => $"…";` — a getter.
                let id = self.accessor_fn(&name, m, Some(v), is_static);
                Expr::Func(id)
            } else {
                let recv = Expr::Attr(Box::new(Expr::SelfRef), name.clone());
                self.named_value(v, &name, recv, ty.as_deref())
            };
            self.b.push_binding(Binding {
                scope,
                name: name.clone(),
                value,
                line: line(m),
                ty: ty.clone(),
                exported,
            });
            bound = true;
        }
        if let Some(acc) = m.child_by_field_name("accessors") {
            for a in named_children(acc) {
                if a.kind() != "accessor_declaration" {
                    continue;
                }
                for c in named_children(a) {
                    if c.kind() == "attribute_list" {
                        self.attributes(c);
                    }
                }
                let Some(body) = a.child_by_field_name("body") else {
                    continue;
                };
                let getter = a
                    .child_by_field_name("name")
                    .is_some_and(|k| self.t(k) == "get");
                let id = self.accessor_fn(&name, a, Some(body), is_static);
                if getter && !bound {
                    self.b.push_binding(Binding {
                        scope,
                        name: name.clone(),
                        value: Expr::Func(id),
                        line: line(a),
                        ty: ty.clone(),
                        exported,
                    });
                    bound = true;
                }
            }
        }
        if !bound {
            self.b.push_binding(Binding {
                scope,
                name,
                value: Expr::Unknown,
                line: line(m),
                ty,
                exported,
            });
        }
        self.b.end_stmt();
    }

    /// A property accessor (or expression-bodied property) as a method named after the property.
    fn accessor_fn(&mut self, name: &str, n: Node, body: Option<Node>, is_static: bool) -> usize {
        let id = self.b.begin_fn(
            Function {
                name: name.to_string(),
                class: None,
                parent: None,
                params: Vec::new(),
                is_constructor: false,
                is_static,
                returns: Vec::new(),
                line: line(n),
                end_line: end_line(n),
            },
            true,
        );
        self.locals.push(HashSet::new());
        if let Some(b) = body {
            self.body(b);
        }
        self.locals.pop();
        self.b.end_fn();
        id
    }

    // ---------------------------------------------------------------- declarations

    fn var_decl(&mut self, vd: Node, scope: Scope, exported: bool) {
        let ty = vd
            .child_by_field_name("type")
            .map(|t| self.t(t))
            .filter(|t| *t != "var")
            .map(norm_type);
        for d in named_children(vd) {
            if d.kind() != "variable_declarator" {
                continue;
            }
            let Some(nm) = d.child_by_field_name("name") else {
                continue;
            };
            let name = self.t(nm).to_string();
            if let Scope::Function(_) = scope
                && let Some(f) = self.locals.last_mut()
            {
                f.insert(name.clone());
            }
            let recv = match scope {
                Scope::Class(_) => Expr::Attr(Box::new(Expr::SelfRef), name.clone()),
                _ => Expr::Name(name.clone()),
            };
            let value = match after_eq(d) {
                Some(v) => self.named_value(v, &name, recv, ty.as_deref()),
                None => Expr::Unknown,
            };
            self.b.push_binding(Binding {
                scope,
                name,
                value,
                line: line(nm),
                ty: ty.clone(),
                exported,
            });
        }
    }

    /// A value bound to `name`: lambdas take the name; `new()` takes the declared type.
    fn named_value(&mut self, v: Node, name: &str, _recv: Expr, ty: Option<&str>) -> Expr {
        match v.kind() {
            "lambda_expression" | "anonymous_method_expression" => Expr::Func(self.lambda(v, name)),
            "implicit_object_creation_expression" => self.new_call(v, ty),
            _ => self.expr(v),
        }
    }

    // ---------------------------------------------------------------- functions

    fn function(&mut self, d: Node, method: bool) {
        let is_ctor = d.kind() == "constructor_declaration";
        let name = if is_ctor {
            self.classes.last().map(|c| c.name.clone())
        } else {
            None
        }
        .or_else(|| d.child_by_field_name("name").map(|n| self.t(n).to_string()))
        .unwrap_or_default();
        let is_static = has_modifier(d, self.src, "static");
        let local = d.kind() == "local_function_statement";
        let id = self.b.begin_fn(
            Function {
                name: name.clone(),
                class: None,
                parent: None,
                params: Vec::new(),
                is_constructor: is_ctor,
                is_static,
                returns: Vec::new(),
                line: d.child_by_field_name("name").map_or(line(d), line),
                end_line: end_line(d),
            },
            method && !local,
        );
        self.locals.push(HashSet::new());
        self.b.begin_stmt(line(d));
        for c in named_children(d) {
            if c.kind() == "attribute_list" {
                self.attributes(c);
            }
        }
        if let Some(p) = d.child_by_field_name("parameters") {
            let ps = self.params(p);
            self.b.facts.functions[id].params = ps;
        }
        for c in all_children(d) {
            if c.kind() == "constructor_initializer" {
                let base = if all_children(c).iter().any(|k| k.kind() == "base") {
                    Expr::SuperRef
                } else {
                    Expr::SelfRef
                };
                if let Some(args) = named_children(c)
                    .into_iter()
                    .find(|k| k.kind() == "argument_list")
                {
                    let idx = self.b.facts.calls.len();
                    let args = self.args(args);
                    self.record(idx, c, base, args, false);
                }
            }
        }
        self.b.end_stmt();
        if let Some(body) = d.child_by_field_name("body") {
            self.body(body);
        }
        self.locals.pop();
        self.b.end_fn();
        if local {
            if let Some(f) = self.locals.last_mut() {
                f.insert(name.clone());
            }
            let scope = self.b.local_scope();
            self.b.bind(scope, name, Expr::Func(id), line(d));
        }
    }

    fn params(&mut self, list: Node) -> Vec<Param> {
        let mut out = Vec::new();
        match list.kind() {
            "implicit_parameter" | "identifier" => {
                out.push(Param {
                    name: self.t(list).to_string(),
                    ty: None,
                    default: None,
                    rest: false,
                    fields: Vec::new(),
                });
            }
            _ => {
                let mut rest = false;
                let mut rest_ty: Option<String> = None;
                for c in all_children(list) {
                    match c.kind() {
                        "parameter" => {
                            for a in named_children(c) {
                                if a.kind() == "attribute_list" {
                                    self.attributes(a);
                                }
                            }
                            let Some(nm) = c.child_by_field_name("name") else {
                                continue;
                            };
                            let default = after_eq(c).map(|v| self.expr(v));
                            out.push(Param {
                                name: self.t(nm).to_string(),
                                ty: c.child_by_field_name("type").map(|t| norm_type(self.t(t))),
                                default,
                                rest: has_modifier_token(c, "params"),
                                fields: Vec::new(),
                            });
                        }
                        // `params string[] rest` is flattened into the list by the grammar.
                        "params" if !c.is_named() => rest = true,
                        "attribute_list" => self.attributes(c),
                        "identifier" if rest => {
                            out.push(Param {
                                name: self.t(c).to_string(),
                                ty: rest_ty.take(),
                                default: None,
                                rest: true,
                                fields: Vec::new(),
                            });
                            rest = false;
                        }
                        _ if rest && c.is_named() => rest_ty = Some(norm_type(self.t(c))),
                        _ => {}
                    }
                }
            }
        }
        if let Some(f) = self.locals.last_mut() {
            for p in &out {
                f.insert(p.name.clone());
            }
        }
        out
    }

    fn body(&mut self, body: Node) {
        match body.kind() {
            "arrow_expression_clause" => {
                if let Some(e) = value_children(body).into_iter().next() {
                    self.b.begin_stmt(line(e));
                    let v = self.expr(e);
                    self.b.ret(v);
                    self.b.end_stmt();
                }
            }
            "block" => self.stmt(body),
            _ => {
                // A lambda's expression body.
                self.b.begin_stmt(line(body));
                let v = self.expr(body);
                self.b.ret(v);
                self.b.end_stmt();
            }
        }
    }

    fn lambda(&mut self, n: Node, name: &str) -> usize {
        let id = self.b.begin_fn(
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
            },
            false,
        );
        self.locals.push(HashSet::new());
        let params = n.child_by_field_name("parameters").or_else(|| {
            named_children(n)
                .into_iter()
                .find(|c| c.kind() == "parameter_list")
        });
        if let Some(p) = params {
            let ps = self.params(p);
            self.b.facts.functions[id].params = ps;
        }
        let body = n
            .child_by_field_name("body")
            .or_else(|| named_children(n).into_iter().find(|c| c.kind() == "block"));
        if let Some(b) = body {
            self.body(b);
        }
        self.locals.pop();
        self.b.end_fn();
        id
    }

    /// `[Get("/x"), Headers("A: b")]` → calls `@Get`, `@Headers` in the current function.
    fn attributes(&mut self, list: Node) {
        for a in named_children(list) {
            if a.kind() != "attribute" {
                continue;
            }
            let name = a
                .child_by_field_name("name")
                .map(|n| self.t(n))
                .unwrap_or("");
            let name = name.rsplit('.').next().unwrap_or(name).to_string();
            let idx = self.b.facts.calls.len();
            let mut args = Vec::new();
            if let Some(al) = named_children(a)
                .into_iter()
                .find(|c| c.kind() == "attribute_argument_list")
            {
                for arg in named_children(al) {
                    if arg.kind() != "attribute_argument" {
                        continue;
                    }
                    let an = arg.child_by_field_name("name");
                    let value = match value_children(arg).into_iter().rfind(|c| Some(*c) != an) {
                        Some(v) => self.expr(v),
                        None => Expr::Unknown,
                    };
                    args.push(Arg {
                        name: an.map(|x| self.t(x).to_string()),
                        value,
                        spread: false,
                    });
                }
            }
            self.record(idx, a, Expr::Name(format!("@{name}")), args, false);
        }
    }

    // ---------------------------------------------------------------- statements

    fn stmt(&mut self, n: Node) {
        if self.depth > MAX_DEPTH {
            return;
        }
        self.depth += 1;
        self.stmt_inner(n);
        self.depth -= 1;
    }

    fn stmt_inner(&mut self, n: Node) {
        match n.kind() {
            "block" => {
                for c in named_children(n) {
                    self.stmt(c);
                }
            }
            "comment" | "empty_statement" => {}
            "local_declaration_statement" => {
                self.b.begin_stmt(line(n));
                for c in named_children(n) {
                    if c.kind() == "variable_declaration" {
                        let scope = self.b.local_scope();
                        self.var_decl(c, scope, false);
                    } else {
                        self.expr(c);
                    }
                }
                self.b.end_stmt();
            }
            "local_function_statement" => {
                self.b.begin_stmt(line(n));
                self.function(n, false);
                self.b.end_stmt();
            }
            "expression_statement" => {
                self.b.begin_stmt(line(n));
                for c in value_children(n) {
                    self.expr(c);
                }
                self.b.end_stmt();
            }
            "return_statement" => {
                self.b.begin_stmt(line(n));
                if let Some(c) = value_children(n).into_iter().next() {
                    let v = self.expr(c);
                    self.b.ret(v);
                }
                self.b.end_stmt();
            }
            k if is_type_decl(k) => self.class(n),
            _ => {
                self.b.begin_stmt(line(n));
                self.scan(n);
                self.b.end_stmt();
            }
        }
    }

    /// Walks children of a node not modelled further, recording the calls and closures inside.
    fn scan(&mut self, n: Node) {
        for c in value_children(n) {
            let k = c.kind();
            if is_stmt_kind(k) {
                self.stmt(c);
            } else if k == "variable_declaration" {
                let scope = self.b.local_scope();
                self.var_decl(c, scope, false);
            } else if k == "attribute_list" {
                self.attributes(c);
            } else if matches!(
                k,
                "modifier"
                    | "predefined_type"
                    | "type_argument_list"
                    | "type_parameter_list"
                    | "array_type"
                    | "nullable_type"
                    | "implicit_type"
            ) {
            } else {
                self.expr(c);
            }
        }
    }

    // ---------------------------------------------------------------- expressions

    fn expr(&mut self, n: Node) -> Expr {
        if self.depth > MAX_DEPTH {
            return Expr::Unknown;
        }
        self.depth += 1;
        let e = self.expr_inner(n);
        self.depth -= 1;
        e
    }

    fn first_value(&mut self, n: Node) -> Expr {
        match value_children(n).into_iter().next() {
            Some(c) => self.expr(c),
            None => Expr::Unknown,
        }
    }

    fn expr_inner(&mut self, n: Node) -> Expr {
        match n.kind() {
            "identifier" | "predefined_type" => Expr::Name(self.t(n).to_string()),
            "generic_name" => match named_children(n).into_iter().next() {
                Some(i) => Expr::Name(self.t(i).to_string()),
                None => Expr::Unknown,
            },
            "qualified_name" | "alias_qualified_name" => dotted_expr(
                &self
                    .t(n)
                    .replace("::", ".")
                    .replace(char::is_whitespace, ""),
            ),
            "this" => Expr::SelfRef,
            "base" => Expr::SuperRef,
            "string_literal" => self.string_literal(n),
            "verbatim_string_literal" => {
                let t = self.t(n);
                let inner = t
                    .strip_prefix('@')
                    .unwrap_or(t)
                    .strip_prefix('"')
                    .unwrap_or(t);
                let inner = inner.strip_suffix('"').unwrap_or(inner);
                Expr::Str(inner.replace("\"\"", "\""))
            }
            "raw_string_literal" => {
                let content: String = named_children(n)
                    .into_iter()
                    .filter(|c| c.kind() == "raw_string_content")
                    .map(|c| self.t(c))
                    .collect();
                Expr::Str(content)
            }
            "character_literal" => {
                let t = self.t(n);
                Expr::Str(unescape(super::unquote(t)))
            }
            "integer_literal" | "real_literal" | "boolean_literal" => {
                Expr::Str(self.t(n).to_string())
            }
            "null_literal" => Expr::Unknown,
            "interpolated_string_expression" => self.interpolated(n),
            "parenthesized_expression" | "await_expression" | "checked_expression" => {
                self.first_value(n)
            }
            "cast_expression" => match n.child_by_field_name("value") {
                Some(v) => self.expr(v),
                None => Expr::Unknown,
            },
            "as_expression" => match n.child_by_field_name("left") {
                Some(v) => self.expr(v),
                None => Expr::Unknown,
            },
            "postfix_unary_expression" => {
                // `x!` (null-forgiving) is the value; `i++` is not a string.
                let bang = all_children(n).iter().any(|c| c.kind() == "!");
                let v = self.first_value(n);
                if bang { v } else { Expr::Unknown }
            }
            "member_access_expression" => {
                let obj = match n.child_by_field_name("expression") {
                    Some(o) => self.expr(o),
                    None => Expr::Unknown,
                };
                match n.child_by_field_name("name") {
                    Some(p) => Expr::Attr(Box::new(obj), self.simple_name(p)),
                    None => Expr::Unknown,
                }
            }
            "conditional_access_expression" => {
                let kids = value_children(n);
                let cond = n.child_by_field_name("condition").or(kids.first().copied());
                let obj = match cond {
                    Some(c) => self.expr(c),
                    None => Expr::Unknown,
                };
                match kids.iter().find(|c| Some(**c) != cond) {
                    Some(b) if b.kind() == "member_binding_expression" => {
                        match b.child_by_field_name("name") {
                            Some(p) => Expr::Attr(Box::new(obj), self.simple_name(p)),
                            None => Expr::Unknown,
                        }
                    }
                    Some(b) if b.kind() == "element_binding_expression" => {
                        let key = self.subscript(*b);
                        self.index(obj, key)
                    }
                    Some(b) => {
                        self.expr(*b);
                        Expr::Unknown
                    }
                    None => obj,
                }
            }
            "element_access_expression" => {
                let obj = match n.child_by_field_name("expression") {
                    Some(o) => self.expr(o),
                    None => Expr::Unknown,
                };
                let key = match n.child_by_field_name("subscript") {
                    Some(s) => self.subscript(s),
                    None => Expr::Unknown,
                };
                self.index(obj, key)
            }
            "invocation_expression" => self.invocation(n),
            "object_creation_expression" | "implicit_object_creation_expression" => {
                self.new_call(n, None)
            }
            "anonymous_object_creation_expression" => self.anon_object(n),
            "initializer_expression" => {
                let items = self.initializer_items(n);
                Expr::Object(
                    items
                        .into_iter()
                        .enumerate()
                        .map(|(i, a)| (a.name.unwrap_or_else(|| i.to_string()), a.value))
                        .collect(),
                )
            }
            "array_creation_expression"
            | "implicit_array_creation_expression"
            | "collection_expression" => {
                let mut items = Vec::new();
                for c in value_children(n) {
                    match c.kind() {
                        "initializer_expression" => {
                            for v in value_children(c) {
                                let e = self.expr(v);
                                items.push((items.len().to_string(), e));
                            }
                        }
                        "expression_element" => {
                            let e = self.first_value(c);
                            items.push((items.len().to_string(), e));
                        }
                        "array_type" | "predefined_type" | "identifier" | "generic_name" => {}
                        _ => {
                            self.expr(c);
                        }
                    }
                }
                Expr::Object(items)
            }
            "lambda_expression" | "anonymous_method_expression" => Expr::Func(self.lambda(n, "")),
            "assignment_expression" => self.assignment(n),
            "binary_expression" => {
                let op = n
                    .child_by_field_name("operator")
                    .map(|o| self.t(o).trim().to_string())
                    .unwrap_or_default();
                let l = n.child_by_field_name("left").map(|x| self.expr(x));
                let r = n.child_by_field_name("right").map(|x| self.expr(x));
                let (Some(l), Some(r)) = (l, r) else {
                    return Expr::Unknown;
                };
                match op.as_str() {
                    "+" => concat(vec![l, r]),
                    "??" | "||" => choice(vec![l, r]),
                    _ => Expr::Unknown,
                }
            }
            "conditional_expression" => {
                if let Some(c) = n.child_by_field_name("condition") {
                    self.expr(c);
                }
                let a = n
                    .child_by_field_name("consequence")
                    .map_or(Expr::Unknown, |c| self.expr(c));
                let b = n
                    .child_by_field_name("alternative")
                    .map_or(Expr::Unknown, |c| self.expr(c));
                Expr::Choice(vec![a, b])
            }
            "declaration_expression"
            | "typeof_expression"
            | "default_expression"
            | "sizeof_expression" => Expr::Unknown,
            _ => {
                self.scan(n);
                Expr::Unknown
            }
        }
    }

    /// `Name` / `Name<T>` → `Name`.
    fn simple_name(&self, n: Node) -> String {
        if n.kind() == "generic_name"
            && let Some(i) = named_children(n).into_iter().next()
        {
            return self.t(i).to_string();
        }
        self.t(n).to_string()
    }

    /// The key of `[k]` (first argument).
    fn subscript(&mut self, s: Node) -> Expr {
        let args = self.args(s);
        match args.len() {
            1 => args.into_iter().next().map_or(Expr::Unknown, |a| a.value),
            _ => Expr::Unknown,
        }
    }

    fn index(&mut self, obj: Expr, key: Expr) -> Expr {
        match key {
            Expr::Str(k) => Expr::Attr(Box::new(obj), k),
            other => Expr::Index(Box::new(obj), Box::new(other)),
        }
    }

    fn is_local(&self, name: &str) -> bool {
        self.locals.iter().skip(1).any(|f| f.contains(name))
    }

    fn target_of(&self, target: &Expr) -> Option<(Scope, String)> {
        let (selfish, path) = path_of(target)?;
        if path.is_empty() {
            return None;
        }
        if selfish {
            return Some((self.b.member_scope(), path));
        }
        let root = path.split('.').next().unwrap_or("");
        let field =
            self.classes.last().is_some_and(|c| c.fields.contains(root)) && !self.is_local(root);
        if field {
            Some((self.b.member_scope(), path))
        } else {
            Some((self.b.local_scope(), path))
        }
    }

    fn assignment(&mut self, n: Node) -> Expr {
        let target = match n.child_by_field_name("left") {
            Some(l) => self.expr(l),
            None => Expr::Unknown,
        };
        let op = n
            .child_by_field_name("operator")
            .map(|o| self.t(o).trim().to_string())
            .unwrap_or_default();
        let dest = self.target_of(&target);
        let value = match n.child_by_field_name("right") {
            Some(r) => match &dest {
                Some((_, name)) if op == "=" => {
                    let leaf = name.rsplit('.').next().unwrap_or(name).to_string();
                    self.named_value(r, &leaf, target.clone(), None)
                }
                _ => self.expr(r),
            },
            None => Expr::Unknown,
        };
        let bound = match op.as_str() {
            "=" => value.clone(),
            "+=" => concat(vec![target.clone(), value.clone()]),
            "??=" => choice(vec![target.clone(), value.clone()]),
            _ => Expr::Unknown,
        };
        if let Some((scope, name)) = dest {
            self.b.bind(scope, name, bound, line(n));
        }
        value
    }

    fn args(&mut self, n: Node) -> Vec<Arg> {
        let mut out = Vec::new();
        for c in named_children(n) {
            if c.kind() != "argument" {
                continue;
            }
            let an = c.child_by_field_name("name");
            let value = match value_children(c).into_iter().rfind(|k| Some(*k) != an) {
                Some(v) => self.expr(v),
                None => Expr::Unknown,
            };
            out.push(Arg {
                name: an.map(|x| self.t(x).to_string()),
                value,
                spread: false,
            });
        }
        out
    }

    /// Records a call so that it lands at `idx` (before the calls nested in it: source order) and
    /// returns it as a value.
    fn record(
        &mut self,
        idx: usize,
        n: Node,
        callee: Expr,
        args: Vec<Arg>,
        new_object: bool,
    ) -> Expr {
        let ce = CallExpr {
            callee,
            args,
            new_object,
            line: line(n),
            column: column(n, self.src),
            end_line: end_line(n),
        };
        let env = env_call(&ce);
        self.b.call(ce.clone());
        if let Some(c) = self.b.facts.calls.pop() {
            let i = idx.min(self.b.facts.calls.len());
            self.b.facts.calls.insert(i, c);
        }
        env.unwrap_or(Expr::Call(Box::new(ce)))
    }

    fn invocation(&mut self, n: Node) -> Expr {
        let idx = self.b.facts.calls.len();
        let callee = match n.child_by_field_name("function") {
            Some(f) => self.expr(f),
            None => Expr::Unknown,
        };
        let args = match n.child_by_field_name("arguments") {
            Some(a) => self.args(a),
            None => Vec::new(),
        };
        self.record(idx, n, callee, args, false)
    }

    /// `new T(args) { A = x, B = y }` → callee `T`, positional args then one named arg per initializer
    /// assignment; `new()` takes the declared type when known.
    fn new_call(&mut self, n: Node, ty: Option<&str>) -> Expr {
        let idx = self.b.facts.calls.len();
        let callee = match n.child_by_field_name("type") {
            Some(t) => dotted_expr(&norm_type(self.t(t))),
            None => match ty {
                Some(t) if !t.is_empty() => dotted_expr(t),
                _ => Expr::Unknown,
            },
        };
        let mut args = match n.child_by_field_name("arguments").or_else(|| {
            named_children(n)
                .into_iter()
                .find(|c| c.kind() == "argument_list")
        }) {
            Some(a) => self.args(a),
            None => Vec::new(),
        };
        let init = n.child_by_field_name("initializer").or_else(|| {
            named_children(n)
                .into_iter()
                .find(|c| c.kind() == "initializer_expression")
        });
        if let Some(init) = init {
            args.extend(self.initializer_items(init));
        }
        self.record(idx, n, callee, args, true)
    }

    /// Items of `{ A = x, ["k"] = v, { "k2", v2 }, item }`: named for assignments and pairs.
    fn initializer_items(&mut self, init: Node) -> Vec<Arg> {
        let mut out = Vec::new();
        for c in value_children(init) {
            match c.kind() {
                "assignment_expression" => {
                    let left = c.child_by_field_name("left");
                    let name = match left {
                        Some(l) if l.kind() == "identifier" => Some(self.t(l).to_string()),
                        Some(l) if l.kind() == "element_binding_expression" => {
                            match self.subscript(l) {
                                Expr::Str(k) => Some(k),
                                _ => None,
                            }
                        }
                        _ => None,
                    };
                    let value = match c.child_by_field_name("right") {
                        Some(r) => self.expr(r),
                        None => Expr::Unknown,
                    };
                    out.push(Arg {
                        name,
                        value,
                        spread: false,
                    });
                }
                "initializer_expression" => {
                    let kids = value_children(c);
                    if kids.len() == 2 {
                        let k = self.expr(kids[0]);
                        let v = self.expr(kids[1]);
                        match k {
                            Expr::Str(k) => out.push(Arg {
                                name: Some(k),
                                value: v,
                                spread: false,
                            }),
                            _ => out.push(Arg {
                                name: None,
                                value: Expr::Object(vec![("0".into(), k), ("1".into(), v)]),
                                spread: false,
                            }),
                        }
                    } else {
                        let v = self.expr(c);
                        out.push(Arg {
                            name: None,
                            value: v,
                            spread: false,
                        });
                    }
                }
                _ => {
                    let v = self.expr(c);
                    out.push(Arg {
                        name: None,
                        value: v,
                        spread: false,
                    });
                }
            }
        }
        out
    }

    /// `new { a = 1, x.B }` → `Object{a: 1, B: x.B}`.
    fn anon_object(&mut self, n: Node) -> Expr {
        let kids = all_children(n);
        let mut items = Vec::new();
        let mut i = 0;
        while i < kids.len() {
            let c = kids[i];
            if !(c.is_named() || matches!(c.kind(), "this" | "base")) || c.kind() == "comment" {
                i += 1;
                continue;
            }
            let next_eq = kids.get(i + 1).is_some_and(|k| k.kind() == "=");
            if next_eq && c.kind() == "identifier" {
                let key = self.t(c).to_string();
                let v = match kids.get(i + 2) {
                    Some(v) => self.expr(*v),
                    None => Expr::Unknown,
                };
                items.push((key, v));
                i += 3;
            } else {
                let v = self.expr(c);
                let key = match &v {
                    Expr::Name(k) | Expr::Attr(_, k) => k.clone(),
                    _ => items.len().to_string(),
                };
                items.push((key, v));
                i += 1;
            }
        }
        Expr::Object(items)
    }

    // ---------------------------------------------------------------- strings

    fn string_literal(&mut self, n: Node) -> Expr {
        let mut parts = Vec::new();
        for c in named_children(n) {
            match c.kind() {
                "string_literal_content" => parts.push(Expr::Str(self.t(c).to_string())),
                "escape_sequence" => parts.push(Expr::Str(unescape(self.t(c)))),
                _ => {}
            }
        }
        if parts.is_empty() {
            return Expr::Str(String::new());
        }
        concat(parts)
    }

    /// `$"…{x}…"`, `$@"…"`, `$"""…"""`.
    fn interpolated(&mut self, n: Node) -> Expr {
        let start = named_children(n)
            .into_iter()
            .find(|c| c.kind() == "interpolation_start")
            .map(|c| self.t(c).to_string())
            .unwrap_or_default();
        let verbatim = start.contains('@');
        let raw = named_children(n)
            .iter()
            .any(|c| c.kind() == "interpolation_quote");
        let mut parts = Vec::new();
        for c in named_children(n) {
            match c.kind() {
                "string_content" => {
                    let t = self.t(c);
                    let s = if raw {
                        t.to_string()
                    } else {
                        let s = t.replace("{{", "{").replace("}}", "}");
                        if verbatim { s.replace("\"\"", "\"") } else { s }
                    };
                    parts.push(Expr::Str(s));
                }
                "escape_sequence" => {
                    let t = self.t(c);
                    parts.push(Expr::Str(match t {
                        "{{" => "{".into(),
                        "}}" => "}".into(),
                        _ if verbatim || raw => t.to_string(),
                        _ => unescape(t),
                    }));
                }
                "interpolation" => {
                    let inner = value_children(c).into_iter().find(|k| {
                        !matches!(
                            k.kind(),
                            "interpolation_brace"
                                | "interpolation_format_clause"
                                | "interpolation_alignment_clause"
                        )
                    });
                    parts.push(match inner {
                        Some(e) => self.expr(e),
                        None => Expr::Unknown,
                    });
                }
                _ => {}
            }
        }
        concat(parts)
    }
}

fn has_modifier_token(n: Node, tok: &str) -> bool {
    all_children(n).iter().any(|c| c.kind() == tok)
}

#[cfg(test)]
mod tests {
    use crate::program::facts::*;
    use crate::program::lang::testkit::{attr, kw as named, name as n, pos, s};
    use crate::scan::lang::Lang;

    fn facts(src: &str) -> FileFacts {
        crate::program::parse::facts(Lang::CSharp, "t.cs", src).expect("parsed")
    }
    fn call(callee: Expr, args: Vec<Arg>, new_object: bool) -> Expr {
        Expr::Call(Box::new(CallExpr {
            callee,
            args,
            new_object,
            line: 0,
            column: 0,
            end_line: 0,
        }))
    }
    /// Zeroes positions inside an expression so tests compare shapes.
    fn shape(e: &Expr) -> Expr {
        match e {
            Expr::Call(c) => Expr::Call(Box::new(CallExpr {
                callee: shape(&c.callee),
                args: c
                    .args
                    .iter()
                    .map(|a| Arg {
                        name: a.name.clone(),
                        value: shape(&a.value),
                        spread: a.spread,
                    })
                    .collect(),
                new_object: c.new_object,
                line: 0,
                column: 0,
                end_line: 0,
            })),
            Expr::Attr(a, k) => Expr::Attr(Box::new(shape(a)), k.clone()),
            Expr::Concat(v) => Expr::Concat(v.iter().map(shape).collect()),
            Expr::Choice(v) => Expr::Choice(v.iter().map(shape).collect()),
            Expr::Object(v) => Expr::Object(v.iter().map(|(k, x)| (k.clone(), shape(x))).collect()),
            other => other.clone(),
        }
    }
    fn binds<'a>(f: &'a FileFacts, name: &str) -> Vec<&'a Binding> {
        f.bindings.iter().filter(|b| b.name == name).collect()
    }
    fn bind<'a>(f: &'a FileFacts, name: &str) -> &'a Binding {
        binds(f, name)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no binding {name}: {:#?}", f.bindings))
    }
    fn func<'a>(f: &'a FileFacts, name: &str) -> (usize, &'a Function) {
        f.functions
            .iter()
            .enumerate()
            .find(|(_, x)| x.name == name)
            .unwrap_or_else(|| panic!("no function {name}"))
    }
    fn call_to<'a>(f: &'a FileFacts, callee: &Expr) -> &'a Call {
        f.calls
            .iter()
            .find(|c| shape(&c.call.callee) == shape(callee))
            .unwrap_or_else(|| panic!("no call to {callee:?}: {:#?}", f.calls))
    }

    #[test]
    fn imports_and_namespaces() {
        let f = facts(
            "using System;\nusing System.Net.Http;\nusing Json = Newtonsoft.Json;\nusing static System.Math;\n\
             global using Refit;\nnamespace Acme.Crm;\nclass A {}\n",
        );
        let got: Vec<(&str, &str, Option<&str>, usize)> = f
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
            got,
            vec![
                ("System", "", None, 1),
                ("System.Net.Http", "", None, 2),
                ("Newtonsoft.Json", "Json", None, 3),
                ("System.Math", "", None, 4),
                ("Refit", "", None, 5),
            ]
        );
        assert_eq!(f.package.as_deref(), Some("Acme.Crm"));
        let g =
            facts("namespace App.Services\n{\n    using System.Text;\n    public class B {}\n}\n");
        assert_eq!(g.package.as_deref(), Some("App.Services"));
        assert_eq!(g.imports[0].module, "System.Text");
        assert_eq!(g.classes[0].name, "B");
    }

    #[test]
    fn refit_attributes() {
        let src = "[Headers(\"Version: 2021-07-28\")]
public interface IContactsApi
{
    [Get(\"/contacts/{id}\")]
    Task<Contact> GetContact(string id, [Header(\"Authorization\")] string auth);

    [Post(\"/contacts/\")]
    Task Create([Body] Contact c);
}
";
        let f = facts(src);
        let (gid, g) = func(&f, "GetContact");
        assert_eq!(g.class, Some(0));
        let get = call_to(&f, &n("@Get"));
        assert_eq!(get.func, gid);
        assert_eq!(get.call.args, vec![pos(s("/contacts/{id}"))]);
        assert_eq!(call_to(&f, &n("@Header")).func, gid);
        let (cid, _) = func(&f, "Create");
        assert_eq!(call_to(&f, &n("@Post")).func, cid);
        assert_eq!(call_to(&f, &n("@Body")).call.args, vec![]);
        assert_eq!(call_to(&f, &n("@Headers")).func, 0);
        assert_eq!(f.classes[0].name, "IContactsApi");
    }

    #[test]
    fn client_field_assigned_in_constructor_and_wrapper() {
        let src = "public class GhlClient : ApiBase, IGhlClient
{
    private const string Base = \"https://rest.gohighlevel.com/v1\";
    private readonly HttpClient _http;
    public string ApiKey { get; set; } = \"k\";

    public GhlClient(HttpClient http) : base(http)
    {
        _http = http;
        _http.BaseAddress = new Uri(Base);
    }

    public async Task<string> Request(string path, HttpMethod method)
    {
        var msg = new HttpRequestMessage(method, $\"{Base}{path}\");
        var res = await _http.SendAsync(msg);
        return await res.Content.ReadAsStringAsync();
    }

    public Task<Contact?> GetContact(string id) => _http.GetFromJsonAsync<Contact>($\"contacts/{id}\");
}
";
        let f = facts(src);
        assert_eq!(f.classes[0].bases, vec!["ApiBase", "IGhlClient"]);
        let base = bind(&f, "Base");
        assert_eq!(
            (base.scope, &base.value),
            (Scope::Class(0), &s("https://rest.gohighlevel.com/v1"))
        );
        assert!(!base.exported);
        let http = binds(&f, "_http");
        assert_eq!(http[0].value, Expr::Unknown);
        assert_eq!(http[0].ty.as_deref(), Some("HttpClient"));
        assert_eq!(
            (http[1].scope, &http[1].value),
            (Scope::Class(0), &n("http"))
        );
        let ba = bind(&f, "_http.BaseAddress");
        assert_eq!(ba.scope, Scope::Class(0));
        assert_eq!(shape(&ba.value), call(n("Uri"), vec![pos(n("Base"))], true));
        let key = bind(&f, "ApiKey");
        assert_eq!((&key.value, key.exported), (&s("k"), true));
        let (ctor_id, ctor) = func(&f, "GhlClient");
        assert!(ctor.is_constructor);
        let sup = call_to(&f, &Expr::SuperRef);
        assert_eq!(
            (sup.func, sup.call.args.clone()),
            (ctor_id, vec![pos(n("http"))])
        );
        let (rid, req) = func(&f, "Request");
        let ps: Vec<(&str, Option<&str>)> = req
            .params
            .iter()
            .map(|p| (p.name.as_str(), p.ty.as_deref()))
            .collect();
        assert_eq!(
            ps,
            vec![("path", Some("string")), ("method", Some("HttpMethod"))]
        );
        let msg = call_to(&f, &n("HttpRequestMessage"));
        assert!(msg.call.new_object);
        assert_eq!(msg.func, rid);
        assert_eq!(
            msg.call.args,
            vec![
                pos(n("method")),
                pos(Expr::Concat(vec![n("Base"), n("path")]))
            ]
        );
        let send = call_to(&f, &attr(n("_http"), "SendAsync"));
        assert_eq!(send.call.args, vec![pos(n("msg"))]);
        let (gid, g) = func(&f, "GetContact");
        let gj = call_to(&f, &attr(n("_http"), "GetFromJsonAsync"));
        assert_eq!(gj.func, gid);
        assert_eq!(
            g.returns.iter().map(shape).collect::<Vec<_>>(),
            vec![call(
                attr(n("_http"), "GetFromJsonAsync"),
                vec![pos(Expr::Concat(vec![s("contacts/"), n("id")]))],
                false
            )]
        );
    }

    #[test]
    fn object_initializers() {
        let src = "class A {
    void M() {
        var c = new HttpClient { BaseAddress = new Uri(\"https://rest.gohighlevel.com/v1/\") };
        var h = new Dictionary<string, string> { { \"Authorization\", $\"Bearer {key}\" }, [\"Version\"] = \"v\" };
        var r = new RestRequest(\"contacts\", Method.Post) { Timeout = 5 };
        var o = new { name = \"x\", Email = email };
        HttpClient p = new();
    }
}
";
        let f = facts(src);
        assert_eq!(
            shape(&bind(&f, "c").value),
            call(
                n("HttpClient"),
                vec![named(
                    "BaseAddress",
                    call(
                        n("Uri"),
                        vec![pos(s("https://rest.gohighlevel.com/v1/"))],
                        true
                    )
                )],
                true
            )
        );
        assert_eq!(
            shape(&bind(&f, "h").value),
            call(
                n("Dictionary"),
                vec![
                    named("Authorization", Expr::Concat(vec![s("Bearer "), n("key")])),
                    named("Version", s("v")),
                ],
                true
            )
        );
        assert_eq!(
            shape(&bind(&f, "r").value),
            call(
                n("RestRequest"),
                vec![
                    pos(s("contacts")),
                    pos(attr(n("Method"), "Post")),
                    named("Timeout", s("5"))
                ],
                true
            )
        );
        assert_eq!(
            bind(&f, "o").value,
            Expr::Object(vec![("name".into(), s("x")), ("Email".into(), n("email"))])
        );
        assert_eq!(
            shape(&bind(&f, "p").value),
            call(n("HttpClient"), vec![], true)
        );
    }

    #[test]
    fn strings() {
        let src = r#"class S {
    const string A = "tab\t\"q\" \u0041";
    const string B = @"C:\x""y";
    string C = $"{{lit}} {Base}/contacts/{id:D2}?x={y,5}";
    string D = $@"{Base}\v1";
    string E = """raw "q" text""";
    string F = Base + "/v1/" + Path;
    string G = $"""{Base}/r""";
}
"#;
        let f = facts(src);
        assert_eq!(bind(&f, "A").value, s("tab\t\"q\" A"));
        assert_eq!(bind(&f, "B").value, s("C:\\x\"y"));
        assert_eq!(
            bind(&f, "C").value,
            Expr::Concat(vec![
                s("{lit} "),
                n("Base"),
                s("/contacts/"),
                n("id"),
                s("?x="),
                n("y")
            ])
        );
        assert_eq!(
            bind(&f, "D").value,
            Expr::Concat(vec![n("Base"), s("\\v1")])
        );
        assert_eq!(bind(&f, "E").value, s("raw \"q\" text"));
        assert_eq!(
            bind(&f, "F").value,
            Expr::Concat(vec![n("Base"), s("/v1/"), n("Path")])
        );
        assert_eq!(bind(&f, "G").value, Expr::Concat(vec![n("Base"), s("/r")]));
    }

    #[test]
    fn env_config_and_choice() {
        let src = "class Cfg {
    static readonly string Base = Environment.GetEnvironmentVariable(\"GHL_BASE\") ?? \"https://rest.gohighlevel.com/v1\";
    string Key = System.Environment.GetEnvironmentVariable(\"GHL_KEY\");
    Cfg(IConfiguration configuration) {
        this.Url = configuration[\"Ghl:BaseUrl\"] ?? \"https://x\";
        var t = flag ? \"a\" : \"b\";
    }
    public string Url { get; set; }
}
";
        let f = facts(src);
        assert_eq!(
            bind(&f, "Base").value,
            Expr::Env {
                name: "GHL_BASE".into(),
                default: Some(Box::new(s("https://rest.gohighlevel.com/v1")))
            }
        );
        assert_eq!(
            bind(&f, "Key").value,
            Expr::Env {
                name: "GHL_KEY".into(),
                default: None
            }
        );
        let url = binds(&f, "Url");
        assert_eq!(url[0].scope, Scope::Class(0));
        assert_eq!(
            url[0].value,
            Expr::Choice(vec![
                attr(n("configuration"), "Ghl:BaseUrl"),
                s("https://x")
            ])
        );
        assert_eq!(
            (url[1].value.clone(), url[1].ty.as_deref()),
            (Expr::Unknown, Some("string"))
        );
        assert_eq!(bind(&f, "t").value, Expr::Choice(vec![s("a"), s("b")]));
    }

    #[test]
    fn chains_named_args_and_statement_lines() {
        let src = "class R {
    async Task Run() {
        var response = await client
            .PostAsync(
                url,
                content);
        var body = client.Execute(new RestRequest(\"contacts\", Method.Get)).Content.Trim();
        Foo(timeout: 5, name: n);
    }
}
";
        let f = facts(src);
        let post = call_to(&f, &attr(n("client"), "PostAsync"));
        assert_eq!(
            (
                post.stmt_line,
                post.call.line,
                post.call.column,
                post.call.end_line
            ),
            (3, 3, 30, 6)
        );
        let lines: Vec<String> = f
            .calls
            .iter()
            .filter(|c| c.call.line == 7)
            .map(|c| match &c.call.callee {
                Expr::Attr(_, k) | Expr::Name(k) => k.clone(),
                _ => "?".into(),
            })
            .collect();
        assert_eq!(lines, vec!["Trim", "Execute", "RestRequest"]);
        let trim = call_to(
            &f,
            &attr(
                attr(
                    call(
                        attr(n("client"), "Execute"),
                        vec![pos(call(
                            n("RestRequest"),
                            vec![pos(s("contacts")), pos(attr(n("Method"), "Get"))],
                            true,
                        ))],
                        false,
                    ),
                    "Content",
                ),
                "Trim",
            ),
        );
        assert_eq!(trim.stmt_line, 7);
        let foo = call_to(&f, &n("Foo"));
        assert_eq!(
            foo.call.args,
            vec![named("timeout", s("5")), named("name", n("n"))]
        );
    }

    #[test]
    fn lambdas_properties_and_primary_constructors() {
        let src = "public class Svc(HttpClient http, string baseUrl) : Base(http)
{
    public string ContactsUrl => $\"{baseUrl}/contacts\";
    public string Other { get { return baseUrl + \"/x\"; } }
    public Func<string, Task<string>> Make(string root)
    {
        return p => http.GetStringAsync(root + p);
    }
    public void Register(IServiceCollection services) =>
        services.AddHttpClient<IGhl, Ghl>(c => c.BaseAddress = new Uri(\"https://rest.gohighlevel.com/v1\"));
    public static int Sum(params int[] xs) => 0;
}
public record Options(string BaseUrl, string ApiKey);
";
        let f = facts(src);
        let (pid, pc) = func(&f, "Svc");
        assert!(pc.is_constructor);
        assert_eq!(
            pc.params
                .iter()
                .map(|p| p.name.as_str())
                .collect::<Vec<_>>(),
            vec!["http", "baseUrl"]
        );
        let bu = bind(&f, "baseUrl");
        assert_eq!((bu.scope, &bu.value), (Scope::Class(0), &n("baseUrl")));
        assert_eq!(call_to(&f, &Expr::SuperRef).func, pid);
        let (cid, cu) = func(&f, "ContactsUrl");
        assert_eq!(
            cu.returns,
            vec![Expr::Concat(vec![n("baseUrl"), s("/contacts")])]
        );
        assert_eq!(bind(&f, "ContactsUrl").value, Expr::Func(cid));
        let (oid, o) = func(&f, "Other");
        assert_eq!(o.returns, vec![Expr::Concat(vec![n("baseUrl"), s("/x")])]);
        assert_eq!(bind(&f, "Other").value, Expr::Func(oid));
        let (mid, m) = func(&f, "Make");
        let Some(Expr::Func(lid)) = m.returns.first() else {
            panic!("{:?}", m.returns)
        };
        assert_eq!(f.functions[*lid].parent, Some(mid));
        assert_eq!(f.functions[*lid].params[0].name, "p");
        assert_eq!(call_to(&f, &attr(n("http"), "GetStringAsync")).func, *lid);
        let add = call_to(&f, &attr(n("services"), "AddHttpClient"));
        let Expr::Func(cb) = add.call.args[0].value else {
            panic!()
        };
        let ba = bind(&f, "c.BaseAddress");
        assert_eq!(ba.scope, Scope::Function(cb));
        let (_, sum) = func(&f, "Sum");
        assert!(sum.is_static);
        assert_eq!(
            (sum.params[0].name.as_str(), sum.params[0].rest),
            ("xs", true)
        );
        let (_, opts) = func(&f, "Options");
        assert!(opts.is_constructor);
        assert_eq!(bind(&f, "ApiKey").scope, Scope::Class(1));
    }

    #[test]
    fn deep_nesting_does_not_panic() {
        let mut src = String::from("class D { object x = ");
        src.push_str(&"(".repeat(5000));
        src.push('1');
        src.push_str(&")".repeat(5000));
        src.push_str("; object y = ");
        src.push_str(&"F(".repeat(3000));
        src.push_str(&")".repeat(3000));
        src.push_str("; string z = ");
        src.push_str(&"\"a\" + ".repeat(5000));
        src.push_str("\"b\"; }\n");
        let f = facts(&src);
        assert!(f.bindings.iter().any(|b| b.name == "x"));
        let _ = facts("class { void ( => ; } $\"{");
        let nested = format!("{}{}", "class A { ".repeat(3000), "}".repeat(3000));
        assert!(!facts(&nested).classes.is_empty());
        let ns = format!("{}{}", "namespace N { ".repeat(3000), "}".repeat(3000));
        let _ = facts(&ns);
        let lambdas = format!("var f = {}1;", "x => ".repeat(3000));
        let _ = facts(&lambdas);
        let _ = facts("namespace ; using ; [Get( class X : { }");
    }
}
