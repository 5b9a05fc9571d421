//! Dart extractor (tree-sitter-dart): imports, classes (with mixins and interfaces), fields, constructors
//! (initializer lists, `this.x` parameters, factories), getters, methods, closures, string interpolation,
//! cascades, maps and lists, env reads (`Platform.environment`, `dotenv`, `String.fromEnvironment`), and
//! every call with its named arguments.
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
    ex.items(tree.root_node());
    ex.b.finish()
}

/// What the extractor knows about an enclosing class while walking it.
struct ClassCtx {
    name: String,
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

const SIG_KINDS: &[&str] = &[
    "function_signature",
    "getter_signature",
    "setter_signature",
    "constructor_signature",
    "constant_constructor_signature",
    "factory_constructor_signature",
    "redirecting_factory_constructor_signature",
    "operator_signature",
];

fn is_stmt_kind(k: &str) -> bool {
    k.ends_with("_statement")
        || matches!(
            k,
            "block"
                | "local_variable_declaration"
                | "local_function_declaration"
                | "switch_block"
                | "switch_statement_case"
                | "switch_statement_default"
                | "catch_clause"
                | "finally_clause"
                | "pattern_variable_declaration"
        )
}

/// Children that can hold an expression: named nodes plus the `this` / `super` keywords (which the
/// grammar exposes as anonymous nodes in some positions).
fn value_children(n: Node) -> Vec<Node> {
    let mut c = n.walk();
    n.children(&mut c)
        .filter(|k| k.is_named() || matches!(k.kind(), "this" | "super"))
        .filter(|k| {
            !matches!(
                k.kind(),
                "comment" | "documentation_comment" | "block_comment"
            )
        })
        .collect()
}

fn all_children(n: Node) -> Vec<Node> {
    let mut c = n.walk();
    n.children(&mut c).collect()
}

fn has_token(n: Node, tok: &str) -> bool {
    all_children(n)
        .iter()
        .any(|c| !c.is_named() && c.kind() == tok)
}

/// A declared type without generics and nullability (`Future<http.Response>?` → `Future`).
fn norm_type(s: &str) -> String {
    let s = s.split('<').next().unwrap_or("");
    s.trim().trim_end_matches('?').trim().to_string()
}

/// `a.b.C` → `Attr(Attr(Name(a), b), C)`.
fn dotted_expr(s: &str) -> Expr {
    let mut parts = s.split('.').map(str::trim);
    let mut e = Expr::Name(parts.next().unwrap_or("").to_string());
    for p in parts {
        e = Expr::Attr(Box::new(e), p.to_string());
    }
    e
}

/// Decodes one Dart escape sequence (`\n`, `\x41`, `\u{1F600}`, `\$`).
fn unescape(s: &str) -> String {
    let body = s.strip_prefix('\\').unwrap_or(s);
    let mut chars = body.chars();
    let Some(c) = chars.next() else {
        return String::new();
    };
    let rest: String = chars.collect();
    match c {
        'n' => "\n".into(),
        'r' => "\r".into(),
        't' => "\t".into(),
        'b' => "\u{8}".into(),
        'f' => "\u{c}".into(),
        'v' => "\u{b}".into(),
        'x' | 'u' => {
            let hex = rest.trim_start_matches('{').trim_end_matches('}');
            u32::from_str_radix(hex, 16)
                .ok()
                .and_then(char::from_u32)
                .map_or_else(|| s.to_string(), |ch| ch.to_string())
        }
        other => {
            let mut o = other.to_string();
            o.push_str(&rest);
            o
        }
    }
}

/// The dotted path of a name / attribute chain (`cfg.api`), with whether it is rooted at `this`.
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

fn str_of(e: &Expr) -> Option<&str> {
    match e {
        Expr::Str(s) => Some(s),
        _ => None,
    }
}

fn named_arg<'a>(args: &'a [Arg], name: &str) -> Option<&'a Expr> {
    args.iter()
        .find(|a| a.name.as_deref() == Some(name))
        .map(|a| &a.value)
}

fn is_dotenv(e: &Expr) -> bool {
    matches!(e, Expr::Name(n) if n.to_ascii_lowercase().contains("dotenv"))
        || matches!(e, Expr::Call(c) if matches!(&c.callee, Expr::Name(n) if n == "DotEnv"))
}

/// `Platform.environment` / `io.Platform.environment` / `dotenv.env`.
fn is_env_map(e: &Expr) -> bool {
    match e {
        Expr::Attr(inner, k) if k == "environment" => match inner.as_ref() {
            Expr::Name(n) => n == "Platform",
            Expr::Attr(_, n) => n == "Platform",
            _ => false,
        },
        Expr::Attr(inner, k) if k == "env" => is_dotenv(inner),
        _ => false,
    }
}

/// Env reads written as calls: `String.fromEnvironment('X', defaultValue: d)`,
/// `dotenv.get('X', fallback: d)`, `dotenv.maybeGet('X')`.
fn env_call(ce: &CallExpr) -> Option<Expr> {
    let Expr::Attr(recv, method) = &ce.callee else {
        return None;
    };
    let first = ce.args.iter().find(|a| a.name.is_none())?;
    let name = str_of(&first.value)?.to_string();
    let default = match (recv.as_ref(), method.as_str()) {
        (Expr::Name(t), "fromEnvironment") if matches!(t.as_str(), "String" | "bool" | "int") => {
            named_arg(&ce.args, "defaultValue")
        }
        (r, "get" | "maybeGet") if is_dotenv(r) => named_arg(&ce.args, "fallback"),
        (r, "get") if is_env_map(r) => None,
        _ => return None,
    };
    Some(Expr::Env {
        name,
        default: default.map(|d| Box::new(d.clone())),
    })
}

impl<'s> Ex<'s> {
    fn t(&self, n: Node) -> &'s str {
        text(n, self.src)
    }

    // ---------------------------------------------------------------- top level

    fn items(&mut self, root: Node) {
        for c in named_children(root) {
            self.item(c, 0);
        }
    }

    fn item(&mut self, n: Node, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match n.kind() {
            "import_or_export" => {
                for c in named_children(n) {
                    self.item(c, depth + 1);
                }
            }
            "library_import" => {
                for c in named_children(n) {
                    if c.kind() == "import_specification" {
                        self.import(c, true);
                    }
                }
            }
            "import_specification" => self.import(n, true),
            "library_export" | "part_directive" => self.import(n, false),
            "top_level_variable_declaration" => {
                self.b.begin_stmt(line(n));
                self.var_decls(n, Scope::Module, true);
                self.b.end_stmt();
            }
            "function_declaration"
            | "getter_declaration"
            | "setter_declaration"
            | "external_function_declaration"
            | "external_getter_declaration"
            | "external_setter_declaration" => self.function(n, &[], false),
            "class_declaration"
            | "mixin_declaration"
            | "extension_declaration"
            | "enum_declaration"
            | "extension_type_declaration"
            | "mixin_application_class" => self.class(n),
            "annotation" => self.annotation(n),
            "comment"
            | "documentation_comment"
            | "block_comment"
            | "script_tag"
            | "library_name"
            | "part_of_directive"
            | "type_alias" => {}
            k if is_stmt_kind(k) => self.stmt(n),
            "ERROR" => {
                for c in named_children(n) {
                    self.item(c, depth + 1);
                }
            }
            _ => {
                self.b.begin_stmt(line(n));
                self.expr(n);
                self.b.end_stmt();
            }
        }
    }

    fn import(&mut self, n: Node, is_import: bool) {
        let Some(uri) = n.child_by_field_name("uri") else {
            return;
        };
        let module = match self.string_in(uri) {
            Some(m) => m,
            None => return,
        };
        let local = if is_import {
            n.child_by_field_name("alias")
                .map(|a| self.t(a).to_string())
                .unwrap_or_default()
        } else {
            String::new()
        };
        self.b.facts.imports.push(Import {
            module,
            local,
            name: None,
            line: line(n),
        });
    }

    /// The literal text of the first string literal under `n` (import URIs).
    fn string_in(&mut self, n: Node) -> Option<String> {
        if n.kind() == "string_literal" {
            return match self.string(n) {
                Expr::Str(s) => Some(s),
                _ => None,
            };
        }
        named_children(n)
            .into_iter()
            .find_map(|c| self.string_in_depth(c, 0))
    }

    fn string_in_depth(&mut self, n: Node, depth: usize) -> Option<String> {
        if depth > 8 {
            return None;
        }
        if n.kind() == "string_literal" {
            return match self.string(n) {
                Expr::Str(s) => Some(s),
                _ => None,
            };
        }
        named_children(n)
            .into_iter()
            .find_map(|c| self.string_in_depth(c, depth + 1))
    }

    // ---------------------------------------------------------------- classes

    fn class(&mut self, n: Node) {
        let name = n
            .child_by_field_name("name")
            .or_else(|| {
                named_children(n)
                    .into_iter()
                    .find(|c| c.kind() == "identifier")
            })
            .map(|x| self.t(x).to_string())
            .unwrap_or_default();
        let mut bases = Vec::new();
        for c in all_children(n) {
            match c.kind() {
                "superclass" => {
                    for s in named_children(c) {
                        match s.kind() {
                            "type" | "type_identifier" => bases.push(norm_type(self.t(s))),
                            "mixins" => {
                                for m in named_children(s) {
                                    bases.push(norm_type(self.t(m)));
                                }
                            }
                            _ => {}
                        }
                    }
                }
                "interfaces" | "mixins" => {
                    for s in named_children(c) {
                        bases.push(norm_type(self.t(s)));
                    }
                }
                "mixin_application" => {
                    for s in named_children(c) {
                        match s.kind() {
                            "mixins" | "interfaces" => {
                                for m in named_children(s) {
                                    bases.push(norm_type(self.t(m)));
                                }
                            }
                            _ => bases.push(norm_type(self.t(s))),
                        }
                    }
                }
                "type" if n.kind() == "mixin_declaration" => bases.push(norm_type(self.t(c))),
                _ => {}
            }
        }
        bases.retain(|b| !b.is_empty());
        let body = n.child_by_field_name("body");
        let mut fields = HashSet::new();
        if let Some(body) = body {
            self.collect_fields(body, &mut fields);
        }
        self.b.begin_class(Class {
            name: name.clone(),
            bases,
            line: line(n),
        });
        self.classes.push(ClassCtx { name, fields });
        for c in named_children(n) {
            if c.kind() == "annotation" {
                self.annotation(c);
            }
        }
        if let Some(body) = body {
            for m in named_children(body) {
                match m.kind() {
                    "member_declaration" => self.member(m),
                    "enum_entry" => {
                        self.b.begin_stmt(line(m));
                        self.scan(m);
                        self.b.end_stmt();
                    }
                    "comment" | "documentation_comment" | "block_comment" => {}
                    _ => self.member(m),
                }
            }
        }
        self.classes.pop();
        self.b.end_class();
    }

    fn collect_fields(&self, body: Node, out: &mut HashSet<String>) {
        for m in named_children(body) {
            for d in named_children(m) {
                if d.kind() != "declaration" {
                    continue;
                }
                for l in named_children(d) {
                    if matches!(
                        l.kind(),
                        "static_final_declaration_list" | "initialized_identifier_list"
                    ) {
                        for i in named_children(l) {
                            if let Some(nm) = i.child_by_field_name("name") {
                                out.insert(self.t(nm).to_string());
                            }
                        }
                    }
                }
            }
        }
    }

    fn member(&mut self, m: Node) {
        let mut annotations: Vec<Node> = Vec::new();
        let mut target = None;
        for c in named_children(m) {
            match c.kind() {
                "annotation" => annotations.push(c),
                "declaration" | "method_declaration" => target = Some(c),
                _ => {}
            }
        }
        let Some(d) = target.or(if m.kind() == "member_declaration" {
            None
        } else {
            Some(m)
        }) else {
            return;
        };
        let is_fields = named_children(d).iter().any(|c| {
            matches!(
                c.kind(),
                "static_final_declaration_list" | "initialized_identifier_list"
            )
        });
        if is_fields {
            for a in annotations {
                self.annotation(a);
            }
            self.b.begin_stmt(line(d));
            let scope = self.b.member_scope();
            self.var_decls(d, scope, true);
            self.b.end_stmt();
        } else {
            self.function(d, &annotations, true);
        }
    }

    // ---------------------------------------------------------------- declarations

    /// Variable declarations under `n` (`top_level_variable_declaration`, a class `declaration`, an
    /// `initialized_variable_declaration`).
    fn var_decls(&mut self, n: Node, scope: Scope, exportable: bool) {
        let ty = named_children(n)
            .into_iter()
            .find(|c| c.kind() == "type")
            .map(|c| norm_type(self.t(c)));
        let mut decls: Vec<(Node, Option<Node>)> = Vec::new();
        if let Some(nm) = n.child_by_field_name("name") {
            decls.push((nm, n.child_by_field_name("value")));
        }
        for c in named_children(n) {
            match c.kind() {
                "static_final_declaration_list" | "initialized_identifier_list" => {
                    for i in named_children(c) {
                        if let Some(nm) = i.child_by_field_name("name") {
                            decls.push((nm, i.child_by_field_name("value")));
                        }
                    }
                }
                "initialized_identifier" | "static_final_declaration" => {
                    if let Some(nm) = c.child_by_field_name("name") {
                        decls.push((nm, c.child_by_field_name("value")));
                    }
                }
                _ => {}
            }
        }
        for (nm, value) in decls {
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
            let value = match value {
                Some(v) => self.named_value(v, &name, recv),
                None => Expr::Unknown,
            };
            self.b.push_binding(Binding {
                scope,
                name: name.clone(),
                value,
                line: line(nm),
                ty: ty.clone(),
                exported: exportable && !name.starts_with('_'),
            });
        }
    }

    /// A value bound to `name`: a closure gets the name, a cascade's assignments bind paths under `recv`.
    fn named_value(&mut self, v: Node, name: &str, recv: Expr) -> Expr {
        match v.kind() {
            "function_expression" => {
                let id = self.lambda(v, name);
                Expr::Func(id)
            }
            "cascade" => self.cascade(v, Some(recv)),
            _ => self.expr(v),
        }
    }

    // ---------------------------------------------------------------- functions

    /// A function-like declaration: `function_declaration`, a class `method_declaration` or bodiless
    /// `declaration`, getters, setters, constructors, factories.
    fn function(&mut self, d: Node, outer_annotations: &[Node], method: bool) {
        let mut annotations: Vec<Node> = outer_annotations.to_vec();
        let mut sig: Option<Node> = None;
        let mut initializers: Vec<Node> = Vec::new();
        let mut body: Option<Node> = None;
        let mut is_static = false;
        let mut holders = vec![d];
        let mut i = 0;
        while i < holders.len() {
            let h = holders[i];
            i += 1;
            for c in all_children(h) {
                match c.kind() {
                    "static" if !c.is_named() => is_static = true,
                    "annotation" => annotations.push(c),
                    "method_signature" => holders.push(c),
                    "function_body" => body = Some(c),
                    "initializers" | "redirection" => initializers.push(c),
                    k if SIG_KINDS.contains(&k) && sig.is_none() => sig = Some(c),
                    _ => {}
                }
            }
        }
        let Some(sig) = sig else {
            // Nothing recognisable: still record the calls inside.
            self.b.begin_stmt(line(d));
            self.scan(d);
            self.b.end_stmt();
            return;
        };
        let kind = sig.kind();
        let is_ctor = matches!(
            kind,
            "constructor_signature"
                | "constant_constructor_signature"
                | "factory_constructor_signature"
                | "redirecting_factory_constructor_signature"
        );
        let class_name = self.classes.last().map(|c| c.name.clone());
        let name = if is_ctor {
            class_name.clone().unwrap_or_else(|| {
                sig.child_by_field_name("name")
                    .map(|n| self.t(n).to_string())
                    .unwrap_or_default()
            })
        } else {
            sig.child_by_field_name("name")
                .map(|n| self.t(n).to_string())
                .unwrap_or_default()
        };
        let is_getter = kind == "getter_signature";
        let id = self.b.begin_fn(
            Function {
                name: name.clone(),
                class: None,
                parent: None,
                params: Vec::new(),
                is_constructor: is_ctor,
                is_static,
                returns: Vec::new(),
                line: line(sig),
                end_line: end_line(d),
            },
            method,
        );
        self.locals.push(HashSet::new());
        self.b.begin_stmt(line(sig));
        for a in &annotations {
            self.annotation(*a);
        }
        if let Some(params) = sig.child_by_field_name("parameters") {
            let ps = self.params(params);
            self.b.facts.functions[id].params = ps;
        }
        self.b.end_stmt();
        for init in initializers {
            self.initializers(init);
        }
        if let Some(body) = body {
            self.body(body);
        }
        self.locals.pop();
        self.b.end_fn();
        if is_getter {
            let scope = if method && !self.classes.is_empty() {
                self.b.member_scope()
            } else {
                self.b.local_scope()
            };
            self.b.push_binding(Binding {
                scope,
                name: name.clone(),
                value: Expr::Func(id),
                line: line(sig),
                ty: None,
                exported: !name.starts_with('_'),
            });
        }
    }

    fn params(&mut self, list: Node) -> Vec<Param> {
        let mut out = Vec::new();
        self.params_into(list, &mut out, 0);
        out
    }

    fn params_into(&mut self, list: Node, out: &mut Vec<Param>, depth: usize) {
        if depth > 4 {
            return;
        }
        let mut after_eq = false;
        for c in all_children(list) {
            match c.kind() {
                "formal_parameter" => {
                    if let Some(p) = self.param(c) {
                        out.push(p);
                    }
                    after_eq = false;
                }
                "optional_formal_parameters" => self.params_into(c, out, depth + 1),
                "=" | ":" if !c.is_named() => after_eq = true,
                _ if after_eq && (c.is_named() || matches!(c.kind(), "this" | "super")) => {
                    let v = self.expr(c);
                    if let Some(p) = out.last_mut() {
                        p.default = Some(v);
                    }
                    after_eq = false;
                }
                _ => {}
            }
        }
    }

    fn param(&mut self, p: Node) -> Option<Param> {
        let mut ty = None;
        let mut name = p.child_by_field_name("name").map(|n| self.t(n).to_string());
        let mut field = false;
        for c in named_children(p) {
            match c.kind() {
                "type" => ty = Some(norm_type(self.t(c))),
                "annotation" => self.annotation(c),
                "field_formal_parameter" | "super_formal_parameter" => {
                    name = c.child_by_field_name("name").map(|n| self.t(n).to_string());
                    field = c.kind() == "field_formal_parameter";
                    if let Some(t) = named_children(c).into_iter().find(|x| x.kind() == "type") {
                        ty = Some(norm_type(self.t(t)));
                    }
                }
                _ => {}
            }
        }
        let name = name?;
        if let Some(f) = self.locals.last_mut() {
            f.insert(name.clone());
        }
        if field {
            let ty_for_field = ty.clone();
            self.b.push_binding(Binding {
                scope: self.b.member_scope(),
                name: name.clone(),
                value: Expr::Name(name.clone()),
                line: line(p),
                ty: ty_for_field,
                exported: false,
            });
        }
        Some(Param {
            name,
            ty,
            default: None,
            rest: false,
            fields: Vec::new(),
        })
    }

    /// `: dio = Dio(…), super(x)` and `: this.named(…)`.
    fn initializers(&mut self, n: Node) {
        if n.kind() == "redirection" {
            self.b.begin_stmt(line(n));
            self.ctor_call(n, Expr::SelfRef);
            self.b.end_stmt();
            return;
        }
        for e in named_children(n) {
            self.b.begin_stmt(line(e));
            let kids = all_children(e);
            if let Some(fi) = kids.iter().find(|c| c.kind() == "field_initializer") {
                if let (Some(nm), Some(v)) = (
                    fi.child_by_field_name("name"),
                    fi.child_by_field_name("value"),
                ) {
                    let name = self.t(nm).to_string();
                    let recv = Expr::Attr(Box::new(Expr::SelfRef), name.clone());
                    let value = self.named_value(v, &name, recv);
                    let scope = self.b.member_scope();
                    self.b.bind(scope, name, value, line(*fi));
                }
            } else if kids.iter().any(|c| c.kind() == "super") {
                self.ctor_call(e, Expr::SuperRef);
            } else if kids.iter().any(|c| c.kind() == "this") {
                self.ctor_call(e, Expr::SelfRef);
            } else {
                self.scan(e);
            }
            self.b.end_stmt();
        }
    }

    /// `super(…)` / `super.named(…)` / `this.named(…)` in an initializer list.
    fn ctor_call(&mut self, n: Node, base: Expr) {
        let Some(args_node) = named_children(n)
            .into_iter()
            .find(|c| c.kind() == "arguments")
        else {
            return;
        };
        let callee = match named_children(n)
            .into_iter()
            .find(|c| c.kind() == "identifier")
        {
            Some(i) => Expr::Attr(Box::new(base), self.t(i).to_string()),
            None => base,
        };
        let idx = self.b.facts.calls.len();
        let args = self.args(args_node);
        self.record(
            idx,
            CallExpr {
                callee,
                args,
                new_object: false,
                line: line(n),
                column: column(n, self.src),
                end_line: end_line(n),
            },
        );
    }

    fn body(&mut self, body: Node) {
        let kids = all_children(body);
        if let Some(pos) = kids.iter().position(|c| c.kind() == "=>") {
            if let Some(e) = kids[pos + 1..]
                .iter()
                .find(|c| c.is_named() || matches!(c.kind(), "this" | "super"))
            {
                self.b.begin_stmt(line(*e));
                let v = self.expr(*e);
                self.b.ret(v);
                self.b.end_stmt();
            }
            return;
        }
        for c in named_children(body) {
            if c.kind() == "block" {
                self.stmt(c);
            }
        }
    }

    /// A closure; returns its id.
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
        if let Some(params) = n.child_by_field_name("parameters") {
            let ps = self.params(params);
            self.b.facts.functions[id].params = ps;
        }
        if let Some(body) = n.child_by_field_name("body") {
            self.body(body);
        }
        self.locals.pop();
        self.b.end_fn();
        id
    }

    /// `@GET('/x')` → a call named `@GET` in the current function.
    fn annotation(&mut self, a: Node) {
        let name = a
            .child_by_field_name("name")
            .map(|n| self.t(n).to_string())
            .unwrap_or_default();
        let idx = self.b.facts.calls.len();
        let args = match named_children(a)
            .into_iter()
            .find(|c| c.kind() == "annotation_arguments" || c.kind() == "arguments")
        {
            Some(args) => self.args(args),
            None => Vec::new(),
        };
        self.record(
            idx,
            CallExpr {
                callee: Expr::Name(format!("@{name}")),
                args,
                new_object: false,
                line: line(a),
                column: column(a, self.src),
                end_line: end_line(a),
            },
        );
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
            "comment" | "documentation_comment" | "block_comment" | "empty_statement" => {}
            "local_variable_declaration" => {
                self.b.begin_stmt(line(n));
                for c in named_children(n) {
                    if c.kind() == "initialized_variable_declaration" {
                        let scope = self.b.local_scope();
                        self.var_decls(c, scope, false);
                    } else {
                        self.expr(c);
                    }
                }
                self.b.end_stmt();
            }
            "local_function_declaration" => {
                self.b.begin_stmt(line(n));
                let sig = named_children(n)
                    .into_iter()
                    .find(|c| c.kind() == "function_signature");
                let name = sig
                    .and_then(|s| s.child_by_field_name("name"))
                    .map(|x| self.t(x).to_string());
                let before = self.b.facts.functions.len();
                self.function(n, &[], false);
                if let Some(name) = name
                    && self.b.facts.functions.len() > before
                {
                    if let Some(f) = self.locals.last_mut() {
                        f.insert(name.clone());
                    }
                    let scope = self.b.local_scope();
                    self.b.bind(scope, name, Expr::Func(before), line(n));
                }
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
            } else if matches!(k, "type" | "type_arguments" | "label" | "annotation") {
                if k == "annotation" {
                    self.annotation(c);
                }
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
            "identifier" | "identifier_dollar_escaped" => Expr::Name(self.t(n).to_string()),
            "this" => Expr::SelfRef,
            "super" => Expr::SuperRef,
            "string_literal" => self.string(n),
            "decimal_integer_literal"
            | "hex_integer_literal"
            | "decimal_floating_point_literal"
            | "true"
            | "false" => Expr::Str(self.t(n).to_string()),
            "null_literal" | "symbol_literal" => Expr::Unknown,
            "parenthesized_expression"
            | "type_cast_expression"
            | "await_expression"
            | "null_assertion_expression" => self.first_value(n),
            "unary_expression" => {
                let kids = value_children(n);
                if kids.len() == 1 && kids[0].kind() == "await_expression" {
                    self.expr(kids[0])
                } else {
                    self.scan(n);
                    Expr::Unknown
                }
            }
            "member_expression" | "null_aware_member_expression" => {
                let obj = match n.child_by_field_name("object") {
                    Some(o) => self.expr(o),
                    None => Expr::Unknown,
                };
                match n.child_by_field_name("property") {
                    Some(p) => Expr::Attr(Box::new(obj), self.t(p).to_string()),
                    None => Expr::Unknown,
                }
            }
            "index_expression" | "null_aware_index_expression" => {
                let obj = match n.child_by_field_name("object") {
                    Some(o) => self.expr(o),
                    None => Expr::Unknown,
                };
                let idx = match n.child_by_field_name("index") {
                    Some(i) => self.expr(i),
                    None => Expr::Unknown,
                };
                self.index(obj, idx)
            }
            "assignable_expression" => self.assignable(n),
            "call_expression" => self.call(n),
            "new_expression" | "const_object_expression" | "constructor_invocation" => {
                self.new_call(n)
            }
            "instantiation_expression" => match n.child_by_field_name("function") {
                Some(f) => self.expr(f),
                None => Expr::Unknown,
            },
            "function_expression" => {
                let id = self.lambda(n, "");
                Expr::Func(id)
            }
            "assignment_expression" => self.assignment(n),
            "if_null_expression" | "logical_or_expression" => {
                let kids = value_children(n);
                let vals: Vec<Expr> = kids.into_iter().map(|k| self.expr(k)).collect();
                choice(vals)
            }
            "conditional_expression" => {
                let cons = n.child_by_field_name("consequence");
                let alt = n.child_by_field_name("alternative");
                if let Some(cond) = value_children(n).into_iter().next()
                    && Some(cond) != cons
                {
                    self.expr(cond);
                }
                let a = cons.map_or(Expr::Unknown, |c| self.expr(c));
                let b = alt.map_or(Expr::Unknown, |c| self.expr(c));
                Expr::Choice(vec![a, b])
            }
            "additive_expression" => {
                let plus = n
                    .child_by_field_name("operator")
                    .is_some_and(|o| self.t(o).trim() == "+");
                let kids: Vec<Node> = value_children(n)
                    .into_iter()
                    .filter(|k| k.kind() != "additive_operator")
                    .collect();
                let vals: Vec<Expr> = kids.into_iter().map(|k| self.expr(k)).collect();
                if plus && vals.len() == 2 {
                    concat(vals)
                } else {
                    Expr::Unknown
                }
            }
            "list_literal" => {
                let mut items = Vec::new();
                for c in value_children(n) {
                    if c.kind() == "type_arguments" {
                        continue;
                    }
                    let plain =
                        !matches!(c.kind(), "spread_element" | "if_element" | "for_element");
                    let v = self.expr(c);
                    if plain {
                        items.push((items.len().to_string(), v));
                    }
                }
                Expr::Object(items)
            }
            "set_or_map_literal" => {
                let mut items = Vec::new();
                for c in value_children(n) {
                    match c.kind() {
                        "type_arguments" => {}
                        "map_element" | "null_aware_map_element" => {
                            let k = c.child_by_field_name("key").map(|k| self.expr(k));
                            let v = c
                                .child_by_field_name("value")
                                .map_or(Expr::Unknown, |v| self.expr(v));
                            if let Some(Expr::Str(k)) = k {
                                items.push((k, v));
                            }
                        }
                        "spread_element" | "if_element" | "for_element" => {
                            self.expr(c);
                        }
                        _ => {
                            let v = self.expr(c);
                            items.push((items.len().to_string(), v));
                        }
                    }
                }
                Expr::Object(items)
            }
            "cascade" => self.cascade(n, None),
            _ => {
                self.scan(n);
                Expr::Unknown
            }
        }
    }

    fn index(&mut self, obj: Expr, idx: Expr) -> Expr {
        match idx {
            Expr::Str(k) => {
                if is_env_map(&obj) {
                    Expr::Env {
                        name: k,
                        default: None,
                    }
                } else {
                    Expr::Attr(Box::new(obj), k)
                }
            }
            other => Expr::Index(Box::new(obj), Box::new(other)),
        }
    }

    /// The left side of an assignment (`x`, `this.x`, `a.b`, `cfg['k']`).
    fn assignable(&mut self, n: Node) -> Expr {
        let obj = n.child_by_field_name("object");
        let prop = n.child_by_field_name("property");
        let idx = n.child_by_field_name("index");
        match (obj, prop, idx) {
            (Some(o), Some(p), _) => {
                let o = self.expr(o);
                Expr::Attr(Box::new(o), self.t(p).to_string())
            }
            (Some(o), None, Some(i)) => {
                let o = self.expr(o);
                let i = self.expr(i);
                self.index(o, i)
            }
            _ => self.first_value(n),
        }
    }

    fn is_local(&self, name: &str) -> bool {
        self.locals.iter().skip(1).any(|f| f.contains(name))
    }

    /// Where an assignment to `target` binds, and under which name.
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
                    self.named_value(r, &leaf, target.clone())
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
        for c in value_children(n) {
            match c.kind() {
                "annotation_open_paren" | "comment" => {}
                "named_argument" => {
                    let kids = value_children(c);
                    let name = kids
                        .iter()
                        .find(|k| k.kind() == "label")
                        .and_then(|l| named_children(*l).into_iter().next())
                        .map(|i| self.t(i).to_string());
                    let value = match kids.iter().rfind(|k| k.kind() != "label") {
                        Some(v) => self.expr(*v),
                        None => Expr::Unknown,
                    };
                    out.push(Arg {
                        name,
                        value,
                        spread: false,
                    });
                }
                _ => {
                    let value = self.expr(c);
                    out.push(Arg {
                        name: None,
                        value,
                        spread: false,
                    });
                }
            }
        }
        out
    }

    /// Records a call so that it lands at `idx` (before the calls nested in it: source order).
    fn record(&mut self, idx: usize, ce: CallExpr) {
        self.b.call(ce);
        if let Some(c) = self.b.facts.calls.pop() {
            let i = idx.min(self.b.facts.calls.len());
            self.b.facts.calls.insert(i, c);
        }
    }

    fn call(&mut self, n: Node) -> Expr {
        let idx = self.b.facts.calls.len();
        let callee = match n.child_by_field_name("function") {
            Some(f) => self.expr(f),
            None => Expr::Unknown,
        };
        let args = match n.child_by_field_name("arguments") {
            Some(a) => self.args(a),
            None => Vec::new(),
        };
        self.finish_call(idx, n, callee, args, false)
    }

    fn finish_call(
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
        self.record(idx, ce.clone());
        env.unwrap_or(Expr::Call(Box::new(ce)))
    }

    /// `new X.named(…)`, `const X(…)`, `X<T>.named(…)`.
    fn new_call(&mut self, n: Node) -> Expr {
        let idx = self.b.facts.calls.len();
        let mut ty = n
            .child_by_field_name("type")
            .map(|t| norm_type(self.t(t)))
            .unwrap_or_default();
        if n.kind() == "constructor_invocation" {
            // `type` is only the leading identifier there; the constructor name follows.
            if let Some(c) = n.child_by_field_name("constructor") {
                ty = format!("{ty}.{}", self.t(c));
            }
        } else if let Some(c) = n.child_by_field_name("constructor") {
            ty = format!("{ty}.{}", self.t(c));
        }
        let args = match n.child_by_field_name("arguments") {
            Some(a) => self.args(a),
            None => Vec::new(),
        };
        let new_object = n.kind() != "constructor_invocation";
        self.finish_call(idx, n, dotted_expr(&ty), args, new_object)
    }

    /// `target..a = v..b(x)`: the value is the target; sections are calls on / assignments to `recv`
    /// (the name the cascade is assigned to, else the target itself).
    fn cascade(&mut self, n: Node, recv: Option<Expr>) -> Expr {
        let kids = value_children(n);
        let Some(first) = kids.first() else {
            return Expr::Unknown;
        };
        let target = self.expr(*first);
        let recv = recv.unwrap_or_else(|| target.clone());
        for s in kids.iter().skip(1) {
            if s.kind() != "cascade_section" {
                self.expr(*s);
                continue;
            }
            let parts = all_children(*s);
            let sel = parts
                .iter()
                .find(|c| c.is_named() && c.kind().starts_with("cascade_"));
            let Some(sel) = sel else {
                self.scan(*s);
                continue;
            };
            let selected = self.cascade_sel(*sel, &recv, 0);
            if let Some(eq) = parts
                .iter()
                .position(|c| !c.is_named() && c.kind().ends_with('='))
            {
                let op = parts[eq].kind();
                let value_node = parts[eq + 1..]
                    .iter()
                    .find(|c| c.is_named() || matches!(c.kind(), "this" | "super"));
                let value = match value_node {
                    Some(v) => self.expr(*v),
                    None => Expr::Unknown,
                };
                if let Some((scope, name)) = self.target_of(&selected) {
                    let bound = match op {
                        "=" => value,
                        "+=" => concat(vec![selected.clone(), value]),
                        _ => Expr::Unknown,
                    };
                    self.b.bind(scope, name, bound, line(*s));
                }
            }
        }
        target
    }

    /// One cascade selector applied to `recv`.
    fn cascade_sel(&mut self, s: Node, recv: &Expr, depth: usize) -> Expr {
        if depth > 16 {
            return Expr::Unknown;
        }
        match s.kind() {
            "cascade_selector" => {
                let kids = value_children(s);
                match kids.first() {
                    Some(i) if i.kind() == "identifier" && !has_token(s, "[") => {
                        Expr::Attr(Box::new(recv.clone()), self.t(*i).to_string())
                    }
                    Some(i) => {
                        let k = self.expr(*i);
                        self.index(recv.clone(), k)
                    }
                    None => Expr::Unknown,
                }
            }
            "cascade_member_expression" | "cascade_null_aware_member_expression" => {
                let obj = match s.child_by_field_name("object") {
                    Some(o) => self.cascade_sel(o, recv, depth + 1),
                    None => recv.clone(),
                };
                match s.child_by_field_name("property") {
                    Some(p) => Expr::Attr(Box::new(obj), self.t(p).to_string()),
                    None => Expr::Unknown,
                }
            }
            "cascade_index_expression" | "cascade_null_aware_index_expression" => {
                let obj = match s.child_by_field_name("object") {
                    Some(o) => self.cascade_sel(o, recv, depth + 1),
                    None => recv.clone(),
                };
                let i = match s.child_by_field_name("index") {
                    Some(i) => self.expr(i),
                    None => Expr::Unknown,
                };
                self.index(obj, i)
            }
            "cascade_null_assertion_expression" => match s.child_by_field_name("value") {
                Some(v) => self.cascade_sel(v, recv, depth + 1),
                None => recv.clone(),
            },
            "cascade_call_expression" => {
                let idx = self.b.facts.calls.len();
                let callee = if let Some(f) = s.child_by_field_name("function") {
                    self.cascade_sel(f, recv, depth + 1)
                } else if let Some(p) = s.child_by_field_name("property") {
                    Expr::Attr(Box::new(recv.clone()), self.t(p).to_string())
                } else {
                    Expr::Unknown
                };
                let args = match s.child_by_field_name("arguments") {
                    Some(a) => self.args(a),
                    None => Vec::new(),
                };
                self.finish_call(idx, s, callee, args, false)
            }
            _ => {
                self.scan(s);
                Expr::Unknown
            }
        }
    }

    // ---------------------------------------------------------------- strings

    fn string(&mut self, n: Node) -> Expr {
        let parts: Vec<Expr> = named_children(n)
            .into_iter()
            .map(|p| self.string_piece(p))
            .collect();
        concat(parts)
    }

    fn string_piece(&mut self, p: Node) -> Expr {
        let raw = p.kind().starts_with("raw_");
        let multi = p.kind().ends_with("_multiple");
        let kids = all_children(p);
        if kids.len() < 2 || kids[0].is_named() {
            return Expr::Str(super::unquote(self.t(p)).to_string());
        }
        let last = kids[kids.len() - 1];
        let (inner, end) = if last.is_named() {
            (&kids[1..], p.end_byte())
        } else {
            (&kids[1..kids.len() - 1], last.start_byte())
        };
        let mut pos = kids[0].end_byte();
        let mut parts = Vec::new();
        for c in inner {
            if c.start_byte() > pos {
                parts.push(Expr::Str(
                    self.src.get(pos..c.start_byte()).unwrap_or("").to_string(),
                ));
            }
            match c.kind() {
                "template_substitution" => {
                    let v = match value_children(*c).into_iter().next() {
                        Some(x) => self.expr(x),
                        None => Expr::Unknown,
                    };
                    parts.push(v);
                }
                "escape_sequence" if !raw => parts.push(Expr::Str(unescape(self.t(*c)))),
                _ => parts.push(Expr::Str(self.t(*c).to_string())),
            }
            pos = c.end_byte().max(pos);
        }
        if end > pos {
            parts.push(Expr::Str(self.src.get(pos..end).unwrap_or("").to_string()));
        }
        if multi && let Some(Expr::Str(s)) = parts.first_mut() {
            // A newline right after the opening triple quote is not part of the string.
            let trimmed = s.trim_start_matches([' ', '\t']);
            if let Some(rest) = trimmed
                .strip_prefix("\r\n")
                .or_else(|| trimmed.strip_prefix('\n'))
            {
                *s = rest.to_string();
            }
        }
        concat(parts)
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

#[cfg(test)]
mod tests {
    use crate::program::facts::*;
    use crate::program::lang::testkit::{attr, kw as named, name as n, pos, s};
    use crate::scan::lang::Lang;

    fn facts(src: &str) -> FileFacts {
        crate::program::parse::facts(Lang::Dart, "t.dart", src).expect("parsed")
    }
    fn bind<'a>(f: &'a FileFacts, name: &str) -> &'a Binding {
        f.bindings
            .iter()
            .find(|b| b.name == name)
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
    fn call(callee: Expr, args: Vec<Arg>) -> Expr {
        Expr::Call(Box::new(CallExpr {
            callee,
            args,
            new_object: false,
            line: 0,
            column: 0,
            end_line: 0,
        }))
    }
    /// Zeroes positions inside an expression so tests can compare shapes.
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

    #[test]
    fn imports() {
        let f = facts(
            "import 'package:http/http.dart' as http;\nimport 'dart:convert';\n\
             import 'config.dart' show Config hide Other;\nimport 'package:dio/dio.dart' deferred as dio;\n\
             export 'src/api.dart';\npart 'api.g.dart';\n",
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
                ("package:http/http.dart", "http", None, 1),
                ("dart:convert", "", None, 2),
                ("config.dart", "", None, 3),
                ("package:dio/dio.dart", "dio", None, 4),
                ("src/api.dart", "", None, 5),
                ("api.g.dart", "", None, 6),
            ]
        );
    }

    #[test]
    fn request_wrapper_with_class_constant() {
        let src = "import 'package:http/http.dart' as http;
class Settings {
  static const String baseUrl = 'https://rest.gohighlevel.com/v1';
}
class Api {
  final String token;
  Api(this.token);
  Future<http.Response> request(String path, {Map<String, String>? headers}) async {
    return await http.get(Uri.parse('${Settings.baseUrl}$path'), headers: headers);
  }
  Future<http.Response> contacts() => request('/contacts/');
}
";
        let f = facts(src);
        assert_eq!(f.classes.len(), 2);
        let b = bind(&f, "baseUrl");
        assert_eq!(b.scope, Scope::Class(0));
        assert_eq!(b.value, s("https://rest.gohighlevel.com/v1"));
        assert_eq!(b.ty.as_deref(), Some("String"));
        assert!(b.exported);
        let (id, req) = func(&f, "request");
        assert_eq!(req.class, Some(1));
        let ps: Vec<(&str, Option<&str>)> = req
            .params
            .iter()
            .map(|p| (p.name.as_str(), p.ty.as_deref()))
            .collect();
        assert_eq!(ps, vec![("path", Some("String")), ("headers", Some("Map"))]);
        let get = call_to(&f, &attr(n("http"), "get"));
        assert_eq!(get.func, id);
        assert_eq!(get.stmt_line, 9);
        assert_eq!(
            shape(&Expr::Call(Box::new(get.call.clone()))),
            call(
                attr(n("http"), "get"),
                vec![
                    pos(call(
                        attr(n("Uri"), "parse"),
                        vec![pos(Expr::Concat(vec![
                            attr(n("Settings"), "baseUrl"),
                            n("path")
                        ]))]
                    )),
                    named("headers", n("headers")),
                ]
            )
        );
        // `this.token` parameter binds the field.
        let (ctor_id, ctor) = func(&f, "Api");
        assert!(ctor.is_constructor);
        assert_eq!(ctor.params[0].name, "token");
        let tb: Vec<&Binding> = f.bindings.iter().filter(|b| b.name == "token").collect();
        assert_eq!(tb[1].value, n("token"));
        assert_eq!(tb[1].scope, Scope::Class(1));
        let _ = ctor_id;
        // Arrow body returns the call.
        let (cid, contacts) = func(&f, "contacts");
        assert_eq!(
            contacts.returns.iter().map(shape).collect::<Vec<_>>(),
            vec![call(n("request"), vec![pos(s("/contacts/"))])]
        );
        assert_eq!(call_to(&f, &n("request")).func, cid);
    }

    #[test]
    fn client_built_in_constructor() {
        let src = "class Crm {
  final Dio _dio;
  late Dio other;
  Crm(String base) : _dio = Dio(BaseOptions(baseUrl: base, headers: {'Version': '2021-07-28'})) {
    other = Dio()..options.baseUrl = base;
  }
  Crm.v1() : this('https://rest.gohighlevel.com/v1');
  Future<Response> list() => _dio.get('/contacts/', queryParameters: {'limit': 10});
}
";
        let f = facts(src);
        let dio: Vec<&Binding> = f.bindings.iter().filter(|b| b.name == "_dio").collect();
        assert_eq!(dio[0].value, Expr::Unknown);
        assert_eq!(dio[0].ty.as_deref(), Some("Dio"));
        assert!(!dio[0].exported);
        assert_eq!(dio[1].scope, Scope::Class(0));
        assert_eq!(
            shape(&dio[1].value),
            call(
                n("Dio"),
                vec![pos(call(
                    n("BaseOptions"),
                    vec![
                        named("baseUrl", n("base")),
                        named(
                            "headers",
                            Expr::Object(vec![("Version".into(), s("2021-07-28"))])
                        )
                    ]
                ))]
            )
        );
        // Bare field assignment in the body goes to the class; the cascade binds a path under it.
        let other: Vec<&Binding> = f.bindings.iter().filter(|b| b.name == "other").collect();
        assert_eq!(other[1].scope, Scope::Class(0));
        assert_eq!(shape(&other[1].value), call(n("Dio"), vec![]));
        let ob = bind(&f, "other.options.baseUrl");
        assert_eq!((ob.scope, &ob.value), (Scope::Class(0), &n("base")));
        let ctors: Vec<&Function> = f.functions.iter().filter(|x| x.is_constructor).collect();
        assert_eq!(ctors.len(), 2);
        assert!(ctors.iter().all(|c| c.name == "Crm" && c.class == Some(0)));
        let redirect = call_to(&f, &Expr::SelfRef);
        assert_eq!(
            redirect.call.args,
            vec![pos(s("https://rest.gohighlevel.com/v1"))]
        );
        assert_eq!(redirect.func, 2);
    }

    #[test]
    fn strings() {
        let src = r#"const a = 'x' "y"
  'z';
const b = r'raw\n$x';
const c = "tab\t\$dollar \u0041";
const d = '''
line1
$a''';
final e = base + '/v1/' + id.toString();
final g = 'k=${cfg.key}&v=$v.x';
"#;
        let f = facts(src);
        assert_eq!(bind(&f, "a").value, s("xyz"));
        assert_eq!(bind(&f, "b").value, s("raw\\n$x"));
        assert_eq!(bind(&f, "c").value, s("tab\t$dollar A"));
        assert_eq!(
            bind(&f, "d").value,
            Expr::Concat(vec![s("line1\n"), n("a")])
        );
        assert_eq!(
            shape(&bind(&f, "e").value),
            Expr::Concat(vec![
                n("base"),
                s("/v1/"),
                call(attr(n("id"), "toString"), vec![])
            ])
        );
        assert_eq!(
            bind(&f, "g").value,
            Expr::Concat(vec![
                s("k="),
                attr(n("cfg"), "key"),
                s("&v="),
                n("v"),
                s(".x")
            ])
        );
    }

    #[test]
    fn env_reads() {
        let src = "final a = Platform.environment['GHL_BASE'] ?? 'https://rest.gohighlevel.com/v1';
final b = dotenv.env['GHL_KEY']!;
final c = dotenv.get('GHL_URL', fallback: 'https://x');
const d = String.fromEnvironment('API', defaultValue: 'https://y');
const e = const String.fromEnvironment('API2');
final g = other ?? 'z';
";
        let f = facts(src);
        let env = |name: &str, d: Option<&str>| Expr::Env {
            name: name.into(),
            default: d.map(|d| Box::new(s(d))),
        };
        assert_eq!(
            bind(&f, "a").value,
            env("GHL_BASE", Some("https://rest.gohighlevel.com/v1"))
        );
        assert_eq!(bind(&f, "b").value, env("GHL_KEY", None));
        assert_eq!(bind(&f, "c").value, env("GHL_URL", Some("https://x")));
        assert_eq!(bind(&f, "d").value, env("API", Some("https://y")));
        assert_eq!(bind(&f, "e").value, env("API2", None));
        assert_eq!(bind(&f, "g").value, Expr::Choice(vec![n("other"), s("z")]));
    }

    #[test]
    fn chain_and_multiline_statement() {
        let src = "void main() async {
  final r = await http
      .post(
        Uri.parse(url),
        headers: {'Authorization': 'Bearer $key'},
        body: jsonEncode({'a': [1, 'two']}),
      );
  api.client().contacts.list().then((v) => print(v));
}
";
        let f = facts(src);
        let post = call_to(&f, &attr(n("http"), "post"));
        assert_eq!(
            (post.stmt_line, post.call.line, post.call.column),
            (2, 2, 19)
        );
        assert_eq!(post.call.end_line, 7);
        assert_eq!(
            post.call.args[1],
            named(
                "headers",
                Expr::Object(vec![(
                    "Authorization".into(),
                    Expr::Concat(vec![s("Bearer "), n("key")])
                )])
            )
        );
        let enc = call_to(&f, &n("jsonEncode"));
        assert_eq!(enc.stmt_line, 2);
        assert_eq!(
            enc.call.args[0].value,
            Expr::Object(vec![(
                "a".into(),
                Expr::Object(vec![("0".into(), s("1")), ("1".into(), s("two"))])
            )])
        );
        // Chain: outer call first (source order), callee built on the inner call.
        let names: Vec<String> = f
            .calls
            .iter()
            .filter(|c| c.call.line == 8)
            .map(|c| match &c.call.callee {
                Expr::Attr(_, k) => k.clone(),
                Expr::Name(k) => k.clone(),
                _ => "?".into(),
            })
            .collect();
        assert_eq!(names, vec!["then", "list", "client", "print"]);
        let inner = call(attr(n("api"), "client"), vec![]);
        let list = call(attr(attr(inner, "contacts"), "list"), vec![]);
        let then = call_to(&f, &attr(list, "then"));
        assert_eq!((then.call.line, then.call.column), (8, 3));
        assert!(matches!(then.call.args[0].value, Expr::Func(_)));
    }

    #[test]
    fn closure_from_factory_and_getter() {
        let src = "typedef Getter = Future<Response> Function(String);
Getter makeGetter(String base) {
  return (String path) => http.get(Uri.parse(base + path));
}
class Cfg {
  String get baseUrl => 'https://rest.gohighlevel.com/v1';
  static Cfg create() => Cfg();
}
";
        let f = facts(src);
        let (mk, _) = func(&f, "makeGetter");
        let (lid, lam) = f
            .functions
            .iter()
            .enumerate()
            .find(|(_, x)| x.name.is_empty() && x.parent == Some(mk))
            .expect("lambda");
        assert_eq!(f.functions[mk].returns, vec![Expr::Func(lid)]);
        assert_eq!(lam.params[0].name, "path");
        assert_eq!(call_to(&f, &attr(n("http"), "get")).func, lid);
        let (gid, g) = func(&f, "baseUrl");
        assert_eq!(g.returns, vec![s("https://rest.gohighlevel.com/v1")]);
        let gb = bind(&f, "baseUrl");
        assert_eq!((gb.scope, &gb.value), (Scope::Class(0), &Expr::Func(gid)));
        assert!(func(&f, "create").1.is_static);
    }

    #[test]
    fn retrofit_annotations() {
        let src = "@RestApi(baseUrl: 'https://rest.gohighlevel.com/v1')
abstract class ContactsClient {
  factory ContactsClient(Dio dio, {String baseUrl}) = _ContactsClient;
  @GET('/contacts/{id}')
  Future<Contact> getContact(@Path('id') String id);
}
";
        let f = facts(src);
        let (gid, _) = func(&f, "getContact");
        let get = call_to(&f, &n("@GET"));
        assert_eq!(get.func, gid);
        assert_eq!(get.call.args, vec![pos(s("/contacts/{id}"))]);
        assert_eq!(call_to(&f, &n("@Path")).func, gid);
        let api = call_to(&f, &n("@RestApi"));
        assert_eq!(
            api.call.args,
            vec![named("baseUrl", s("https://rest.gohighlevel.com/v1"))]
        );
    }

    #[test]
    fn bindings_of_locals_keys_and_new() {
        let src = "void f() {
  var a = 1, b = 'x';
  cfg['api'] = 'v';
  this.client = new http.Client();
  url += '/more';
  final r = http.Request('POST', Uri.parse(u))..headers.addAll(h)..body = jsonEncode(m);
}
";
        let f = facts(src);
        let fid = func(&f, "f").0;
        assert_eq!(bind(&f, "b").value, s("x"));
        assert_eq!(bind(&f, "b").scope, Scope::Function(fid));
        assert_eq!(bind(&f, "cfg.api").value, s("v"));
        let c = bind(&f, "client");
        assert_eq!(c.scope, Scope::Module);
        match &c.value {
            Expr::Call(ce) => {
                assert!(ce.new_object);
                assert_eq!(ce.callee, attr(n("http"), "Client"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            bind(&f, "url").value,
            Expr::Concat(vec![n("url"), s("/more")])
        );
        let add = call_to(&f, &attr(attr(n("r"), "headers"), "addAll"));
        assert_eq!(add.call.args, vec![pos(n("h"))]);
        assert_eq!(
            shape(&bind(&f, "r.body").value),
            call(n("jsonEncode"), vec![pos(n("m"))])
        );
    }

    #[test]
    fn deep_nesting_does_not_panic() {
        let mut src = String::from("final x = ");
        src.push_str(&"(".repeat(5000));
        src.push('1');
        src.push_str(&")".repeat(5000));
        src.push_str(";\nfinal y = ");
        src.push_str(&"[".repeat(5000));
        src.push_str(&"]".repeat(5000));
        src.push_str(";\nfinal z = ");
        src.push_str(&"f(".repeat(3000));
        src.push_str(&")".repeat(3000));
        src.push_str(";\n");
        let f = facts(&src);
        assert!(f.bindings.iter().any(|b| b.name == "x"));
        let _ = facts("class { void ( => ; } '''");
        let nested = format!("{}{}", "class A { ".repeat(3000), "}".repeat(3000));
        let _ = facts(&nested);
        let lambdas = format!("var f = {}1;", "(x) => ".repeat(3000));
        let _ = facts(&lambdas);
        let blocks = format!("void f() {}{}", "{ ".repeat(5000), "}".repeat(5000));
        let _ = facts(&blocks);
        let strs = format!("var s = {}'x'{};", "'${".repeat(2000), "}'".repeat(2000));
        let _ = facts(&strs);
    }
}
