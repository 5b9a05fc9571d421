//! JavaScript / TypeScript / TSX extractor. The TypeScript grammars are a superset of the JavaScript one
//! (type annotations, parameter properties, `as`, non-null `!`, enums, interfaces and type aliases), so
//! one walker serves all three; TypeScript-only nodes are simply absent from JavaScript trees.
//!
//! Module-system conventions:
//! - `import x from './a'`, `import * as m from`, `const x = require('./a')`, `import x = require('./a')`,
//!   `const m = await import('./m')` → imports with `name: None`; named imports and destructured
//!   requires → `name: Some(..)`; a bare `require('./x')` / `import './x'` / `export * from` → `local: ""`.
//! - `export default …` binds `default` (exported); `module.exports = …` binds `module.exports` and
//!   `module.exports.x = …` / `exports.x = …` bind `module.exports.x` (exported, module scope).
use super::{Builder, MAX_DEPTH, concat, end_line, line, named_children, text};
use crate::program::facts::{
    Arg, Binding, CallExpr, Class, Expr, FileFacts, FnId, Function, Import, Param, Scope,
};
use tree_sitter::Node;

pub fn extract(src: &str, tree: &tree_sitter::Tree) -> FileFacts {
    let mut ex = Ex {
        src,
        b: Builder::new(),
        depth: 0,
        exports: Vec::new(),
        continuation: src
            .bytes()
            .enumerate()
            .filter(|(_, b)| b & 0xC0 == 0x80)
            .map(|(i, _)| i)
            .collect(),
    };
    ex.visit(tree.root_node());
    let Ex { b, exports, .. } = ex;
    let mut facts = b.finish();
    for name in exports {
        for bnd in facts.bindings.iter_mut() {
            if bnd.scope == Scope::Module && bnd.name == name {
                bnd.exported = true;
            }
        }
    }
    facts.calls.sort_by_key(|c| (c.call.line, c.call.column));
    facts
}

struct Ex<'s> {
    src: &'s str,
    b: Builder,
    depth: usize,
    /// Names listed in `export { a, b }` (marked exported once the whole file is read).
    exports: Vec<String>,
    /// Byte offsets of UTF-8 continuation bytes, so that a character column costs two binary searches
    /// instead of a scan of the line (minified bundles are one line of megabytes).
    continuation: Vec<usize>,
}

/// Where an assignment target is rooted.
enum Root {
    This,
    Name(String),
}

/// A module reference by `require('m')` / `import('m')`, optionally with a member taken from it.
struct ModRef {
    module: String,
    name: Option<String>,
}

fn is_comment(n: Node) -> bool {
    matches!(n.kind(), "comment" | "html_comment")
}

/// Named, non-comment children.
fn kids(n: Node) -> Vec<Node> {
    named_children(n)
        .into_iter()
        .filter(|c| !is_comment(*c))
        .collect()
}

/// Whether a node has an anonymous child token of this kind (`static`, `get`, `default`, `readonly`).
fn has_token(n: Node, tok: &str) -> bool {
    let mut c = n.walk();
    n.children(&mut c)
        .any(|ch| !ch.is_named() && ch.kind() == tok)
}

/// Decodes a JavaScript escape sequence (`\n`, `\x41`, `\u0041`, `\u{1F600}`, line continuation).
fn decode_escapes(s: &str) -> String {
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
            't' => out.push('\t'),
            'r' => out.push('\r'),
            'b' => out.push('\u{8}'),
            'f' => out.push('\u{c}'),
            'v' => out.push('\u{b}'),
            '0' => out.push('\0'),
            '\n' => {}
            '\r' => {
                if it.peek() == Some(&'\n') {
                    it.next();
                }
            }
            'x' => {
                let h: String = it.by_ref().take(2).collect();
                match u32::from_str_radix(&h, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => {
                        out.push_str("\\x");
                        out.push_str(&h);
                    }
                }
            }
            'u' => {
                let h: String = if it.peek() == Some(&'{') {
                    it.next();
                    let mut h = String::new();
                    for ch in it.by_ref() {
                        if ch == '}' {
                            break;
                        }
                        h.push(ch);
                    }
                    h
                } else {
                    it.by_ref().take(4).collect()
                };
                match u32::from_str_radix(&h, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => {
                        out.push_str("\\u");
                        out.push_str(&h);
                    }
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// A declared type as written, without the leading `:`, generic arguments, or `| null` / `| undefined`.
fn type_text(n: Node, src: &str) -> Option<String> {
    let t = text(n, src).trim().trim_start_matches(':').trim();
    let t = t.strip_prefix("readonly ").unwrap_or(t).trim();
    let parts: Vec<&str> = if t.contains('<') || t.contains('(') || t.contains('{') {
        vec![t]
    } else {
        t.split('|')
            .map(str::trim)
            .filter(|p| !p.is_empty() && *p != "null" && *p != "undefined")
            .collect()
    };
    let one = if parts.len() == 1 { parts[0] } else { t };
    let one = match one.find('<') {
        Some(i) if i > 0 => &one[..i],
        _ => one,
    };
    let one = one.trim();
    (!one.is_empty()).then(|| one.to_string())
}

/// `a || b` / `a ?? b` / destructuring defaults: an env read takes the right side as its default,
/// anything else becomes a choice.
fn fold_or(l: Expr, r: Expr) -> Expr {
    match l {
        Expr::Env {
            name,
            default: None,
        } => Expr::Env {
            name,
            default: Some(Box::new(r)),
        },
        Expr::Env {
            name,
            default: Some(d),
        } => Expr::Env {
            name,
            default: Some(Box::new(fold_or(*d, r))),
        },
        l => choice(vec![l, r]),
    }
}

/// A flattened choice.
fn choice(items: Vec<Expr>) -> Expr {
    let mut out = Vec::new();
    for it in items {
        match it {
            Expr::Choice(v) => out.extend(v),
            other => out.push(other),
        }
    }
    Expr::Choice(out)
}

/// Member access; `process.env.X` and `import.meta.env.X` become env reads.
fn attr(obj: Expr, prop: &str) -> Expr {
    if let Expr::Attr(base, env) = &obj
        && env == "env"
        && matches!(base.as_ref(), Expr::Name(n) if n == "process" || n == "import.meta")
    {
        return Expr::Env {
            name: prop.to_string(),
            default: None,
        };
    }
    Expr::Attr(Box::new(obj), prop.to_string())
}

impl<'s> Ex<'s> {
    fn t(&self, n: Node) -> &'s str {
        text(n, self.src)
    }

    /// 1-based column in characters of a node's start (same result as [`super::column`]).
    fn col(&self, n: Node) -> usize {
        let start = n.start_byte();
        let line_start = start.saturating_sub(n.start_position().column);
        let before = |x: usize| self.continuation.partition_point(|&i| i < x);
        let multi = before(start) - before(line_start);
        n.start_position().column - multi + 1
    }

    fn stmt(&mut self, n: Node, f: impl FnOnce(&mut Self)) {
        self.b.begin_stmt(line(n));
        f(self);
        self.b.end_stmt();
    }

    fn walk_children(&mut self, n: Node) {
        for c in kids(n) {
            self.visit(c);
        }
    }

    fn push_binding(
        &mut self,
        scope: Scope,
        name: &str,
        value: Expr,
        line: usize,
        ty: Option<String>,
        exported: bool,
    ) {
        self.b.push_binding(Binding {
            scope,
            name: name.to_string(),
            value,
            line,
            ty,
            exported,
        });
    }

    fn import(&mut self, module: &str, local: &str, name: Option<String>, line: usize) {
        self.b.facts.imports.push(Import {
            module: module.to_string(),
            local: local.to_string(),
            name,
            line,
        });
    }

    // ---------------------------------------------------------------- statements

    fn visit(&mut self, n: Node) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        self.depth += 1;
        self.visit_inner(n);
        self.depth -= 1;
    }

    fn visit_inner(&mut self, n: Node) {
        match n.kind() {
            "comment" | "html_comment" | "hash_bang_line" | "empty_statement" => {}
            "program" | "statement_block" => self.walk_children(n),
            "expression_statement" => self.stmt(n, |s| {
                for c in kids(n) {
                    s.expr_statement(c);
                }
            }),
            "lexical_declaration" | "variable_declaration" | "using_declaration" => {
                self.stmt(n, |s| s.declaration(n, false))
            }
            "import_statement" => self.stmt(n, |s| s.import_statement(n)),
            "export_statement" => self.stmt(n, |s| s.export_statement(n)),
            "function_declaration" | "generator_function_declaration" => {
                self.stmt(n, |s| s.function_declaration(n, false))
            }
            "class_declaration" | "abstract_class_declaration" => self.stmt(n, |s| {
                s.class(n, None);
            }),
            "return_statement" => self.stmt(n, |s| {
                for c in kids(n) {
                    let e = s.expr(c);
                    s.b.ret(e);
                }
            }),
            "enum_declaration" => self.stmt(n, |s| s.enum_declaration(n, false)),
            "interface_declaration"
            | "type_alias_declaration"
            | "function_signature"
            | "ambient_declaration"
            | "import_alias"
            | "debugger_statement"
            | "break_statement"
            | "continue_statement" => {}
            "internal_module" | "module" => self.stmt(n, |s| {
                if let Some(body) = n.child_by_field_name("body") {
                    s.walk_children(body);
                }
            }),
            k if k.ends_with("_statement") => self.stmt(n, |s| s.walk_children(n)),
            _ => {
                self.expr(n);
            }
        }
    }

    /// An expression used as a statement: a bare `require('./x')` / `import('./x')` is an import.
    fn expr_statement(&mut self, n: Node) {
        let inner = self.unwrap(n);
        if inner.kind() == "call_expression"
            && let Some(m) = self.module_ref(inner)
            && m.name.is_none()
        {
            self.import(&m.module, "", None, line(n));
            return;
        }
        self.expr(n);
    }

    /// `await x`, `(x)`, `x as T`, `x!` → x.
    fn unwrap(&self, mut n: Node<'s>) -> Node<'s> {
        for _ in 0..MAX_DEPTH {
            match n.kind() {
                "await_expression"
                | "parenthesized_expression"
                | "as_expression"
                | "satisfies_expression"
                | "non_null_expression" => match kids(n).first() {
                    Some(c) => n = *c,
                    None => return n,
                },
                _ => return n,
            }
        }
        n
    }

    /// `require('m')`, `import('m')`, `require('m').x` (after unwrapping `await`/parentheses).
    fn module_ref(&self, n: Node) -> Option<ModRef> {
        let n = self.unwrap(n);
        match n.kind() {
            "call_expression" => {
                let f = n.child_by_field_name("function")?;
                let is_loader =
                    f.kind() == "import" || (f.kind() == "identifier" && self.t(f) == "require");
                if !is_loader {
                    return None;
                }
                let args = n.child_by_field_name("arguments")?;
                if args.kind() != "arguments" {
                    return None;
                }
                let first = *kids(args).first()?;
                if first.kind() != "string" {
                    return None;
                }
                Some(ModRef {
                    module: self.string(first),
                    name: None,
                })
            }
            "member_expression" => {
                let obj = self.unwrap(n.child_by_field_name("object")?);
                let prop = n.child_by_field_name("property")?;
                if obj.kind() != "call_expression" {
                    return None;
                }
                let m = self.module_ref(obj)?;
                if m.name.is_some() {
                    return None;
                }
                let p = self.t(prop);
                Some(ModRef {
                    module: m.module,
                    name: (p != "default").then(|| p.to_string()),
                })
            }
            _ => None,
        }
    }

    fn declaration(&mut self, n: Node, exported: bool) {
        for d in kids(n) {
            if d.kind() != "variable_declarator" {
                self.visit(d);
                continue;
            }
            let Some(name) = d.child_by_field_name("name") else {
                continue;
            };
            let ty = d
                .child_by_field_name("type")
                .and_then(|t| type_text(t, self.src));
            let scope = self.b.local_scope();
            let ln = line(d);
            let Some(value) = d.child_by_field_name("value") else {
                if ty.is_some() && name.kind() == "identifier" {
                    let nm = self.t(name);
                    self.push_binding(scope, nm, Expr::Unknown, ln, ty, exported);
                }
                continue;
            };
            if self.import_declarator(name, value, ln) {
                continue;
            }
            if name.kind() == "identifier" {
                let nm = self.t(name);
                let v = self.expr_h(value, Some(nm), false);
                self.push_binding(scope, nm, v, ln, ty, exported);
            } else {
                let v = self.expr(value);
                self.destructure(name, v, scope, ln, exported);
            }
        }
    }

    /// `const x = require('m')`, `const { a, b: c } = require('m')`, `const m = await import('m')`.
    fn import_declarator(&mut self, name: Node, value: Node, ln: usize) -> bool {
        let Some(m) = self.module_ref(value) else {
            return false;
        };
        match name.kind() {
            "identifier" => {
                let local = self.t(name);
                self.import(&m.module, local, m.name, ln);
                true
            }
            "object_pattern" if m.name.is_none() => {
                for p in kids(name) {
                    match p.kind() {
                        "shorthand_property_identifier_pattern" => {
                            let l = self.t(p);
                            self.import(&m.module, l, Some(l.to_string()), ln);
                        }
                        "pair_pattern" => {
                            let key = p.child_by_field_name("key").and_then(|k| self.key(k));
                            let mut v = p.child_by_field_name("value");
                            if let Some(x) = v
                                && x.kind() == "assignment_pattern"
                            {
                                v = x.child_by_field_name("left");
                            }
                            if let (Some(k), Some(v)) = (key, v)
                                && v.kind() == "identifier"
                            {
                                let l = self.t(v);
                                self.import(&m.module, l, Some(k), ln);
                            }
                        }
                        "object_assignment_pattern" => {
                            if let Some(l) = p.child_by_field_name("left")
                                && l.kind() == "shorthand_property_identifier_pattern"
                            {
                                let l = self.t(l);
                                self.import(&m.module, l, Some(l.to_string()), ln);
                            }
                        }
                        "rest_pattern" => {
                            if let Some(i) = kids(p).first() {
                                let l = self.t(*i);
                                self.import(&m.module, l, None, ln);
                            }
                        }
                        _ => {}
                    }
                }
                true
            }
            _ => false,
        }
    }

    /// Binds the names of a destructuring pattern to members of `value`.
    fn destructure(&mut self, pat: Node, value: Expr, scope: Scope, ln: usize, exported: bool) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        self.depth += 1;
        match pat.kind() {
            "identifier" | "shorthand_property_identifier_pattern" => {
                let nm = self.t(pat);
                self.push_binding(scope, nm, value, ln, None, exported);
            }
            "object_pattern" => {
                for p in kids(pat) {
                    match p.kind() {
                        "shorthand_property_identifier_pattern" => {
                            let nm = self.t(p);
                            let v = attr(value.clone(), nm);
                            self.push_binding(scope, nm, v, ln, None, exported);
                        }
                        "pair_pattern" => {
                            let key = p.child_by_field_name("key").and_then(|k| self.key(k));
                            if let (Some(k), Some(v)) = (key, p.child_by_field_name("value")) {
                                self.destructure(v, attr(value.clone(), &k), scope, ln, exported);
                            }
                        }
                        "object_assignment_pattern" => {
                            if let (Some(l), Some(r)) = (
                                p.child_by_field_name("left"),
                                p.child_by_field_name("right"),
                            ) {
                                let d = self.expr(r);
                                let base = if l.kind() == "shorthand_property_identifier_pattern" {
                                    attr(value.clone(), self.t(l))
                                } else {
                                    value.clone()
                                };
                                self.destructure(l, fold_or(base, d), scope, ln, exported);
                            }
                        }
                        "rest_pattern" => {
                            if let Some(i) = kids(p).first() {
                                self.destructure(*i, value.clone(), scope, ln, exported);
                            }
                        }
                        _ => {}
                    }
                }
            }
            "array_pattern" => {
                for (i, p) in kids(pat).into_iter().enumerate() {
                    if p.kind() == "rest_pattern" {
                        continue;
                    }
                    let v = Expr::Attr(Box::new(value.clone()), i.to_string());
                    self.destructure(p, v, scope, ln, exported);
                }
            }
            "assignment_pattern" => {
                if let (Some(l), Some(r)) = (
                    pat.child_by_field_name("left"),
                    pat.child_by_field_name("right"),
                ) {
                    let d = self.expr(r);
                    self.destructure(l, fold_or(value, d), scope, ln, exported);
                }
            }
            "rest_pattern" => {
                if let Some(i) = kids(pat).first() {
                    self.destructure(*i, value, scope, ln, exported);
                }
            }
            _ => {
                // Member targets in destructuring assignments (`({ a: this.x } = o)`).
                if let Some((root, path)) = self.lhs_path(pat) {
                    self.bind_path(root, path, value, ln);
                }
            }
        }
        self.depth -= 1;
    }

    fn import_statement(&mut self, n: Node) {
        let ln = line(n);
        let module = n
            .child_by_field_name("source")
            .map(|s| self.string(s))
            .unwrap_or_default();
        let mut any = false;
        for c in kids(n) {
            match c.kind() {
                "import_clause" => {
                    for part in kids(c) {
                        match part.kind() {
                            "identifier" => {
                                let l = self.t(part);
                                self.import(&module, l, None, ln);
                                any = true;
                            }
                            "namespace_import" => {
                                if let Some(i) = kids(part).first() {
                                    let l = self.t(*i);
                                    self.import(&module, l, None, ln);
                                    any = true;
                                }
                            }
                            "named_imports" => {
                                for spec in kids(part) {
                                    if spec.kind() != "import_specifier" {
                                        continue;
                                    }
                                    let Some(nm) = spec.child_by_field_name("name") else {
                                        continue;
                                    };
                                    let name = self.key(nm).unwrap_or_default();
                                    let local = spec
                                        .child_by_field_name("alias")
                                        .map(|a| self.t(a).to_string())
                                        .unwrap_or_else(|| name.clone());
                                    self.import(&module, &local, Some(name), ln);
                                    any = true;
                                }
                            }
                            _ => {}
                        }
                    }
                }
                "import_require_clause" => {
                    let m = c
                        .child_by_field_name("source")
                        .map(|s| self.string(s))
                        .unwrap_or_default();
                    if let Some(i) = kids(c).into_iter().find(|k| k.kind() == "identifier") {
                        let l = self.t(i);
                        self.import(&m, l, None, ln);
                        any = true;
                    }
                }
                _ => {}
            }
        }
        if !any && !module.is_empty() {
            self.import(&module, "", None, ln);
        }
    }

    fn export_statement(&mut self, n: Node) {
        let ln = line(n);
        let source = n.child_by_field_name("source").map(|s| self.string(s));
        let is_default = has_token(n, "default");
        for d in kids(n).into_iter().filter(|c| c.kind() == "decorator") {
            self.walk_children(d);
        }
        if has_token(n, "=") {
            // TypeScript `export = x`.
            if let Some(v) = kids(n).into_iter().last() {
                let e = self.expr(v);
                self.push_binding(Scope::Module, "module.exports", e, ln, None, true);
            }
            return;
        }
        if let Some(decl) = n.child_by_field_name("declaration") {
            if is_default {
                self.export_default(decl, ln);
                return;
            }
            match decl.kind() {
                "lexical_declaration" | "variable_declaration" => self.declaration(decl, true),
                "function_declaration" | "generator_function_declaration" => {
                    self.function_declaration(decl, true)
                }
                "enum_declaration" => self.enum_declaration(decl, true),
                "class_declaration" | "abstract_class_declaration" => {
                    self.class(decl, None);
                }
                _ => self.visit(decl),
            }
            return;
        }
        if let Some(v) = n.child_by_field_name("value") {
            self.export_default(v, ln);
            return;
        }
        for c in kids(n) {
            match c.kind() {
                "export_clause" => {
                    for spec in kids(c) {
                        if spec.kind() != "export_specifier" {
                            continue;
                        }
                        let Some(name) = spec.child_by_field_name("name").and_then(|k| self.key(k))
                        else {
                            continue;
                        };
                        let alias = spec.child_by_field_name("alias").and_then(|k| self.key(k));
                        match &source {
                            Some(m) => {
                                let local = alias.unwrap_or_else(|| name.clone());
                                self.import(m, &local, Some(name), ln);
                            }
                            None => match alias {
                                Some(a) if a != name => {
                                    self.push_binding(
                                        Scope::Module,
                                        &a,
                                        Expr::Name(name),
                                        ln,
                                        None,
                                        true,
                                    );
                                }
                                _ => self.exports.push(name),
                            },
                        }
                    }
                }
                "namespace_export" => {
                    if let (Some(m), Some(i)) = (&source, kids(c).first()) {
                        let l = self.key(*i).unwrap_or_default();
                        self.import(m, &l, None, ln);
                    }
                }
                "decorator" => {}
                _ if is_default => {
                    self.export_default(c, ln);
                    return;
                }
                _ => {}
            }
        }
        if let Some(m) = &source
            && !kids(n)
                .iter()
                .any(|c| matches!(c.kind(), "export_clause" | "namespace_export"))
        {
            // `export * from './m'`
            self.import(m, "", None, ln);
        }
    }

    /// `export default <function | class | expression>` binds `default`.
    fn export_default(&mut self, v: Node, ln: usize) {
        let value = match v.kind() {
            "function_declaration"
            | "generator_function_declaration"
            | "function_expression"
            | "function"
            | "generator_function"
            | "arrow_function" => {
                let own = v.child_by_field_name("name").map(|x| self.t(x).to_string());
                let name = own.clone().unwrap_or_else(|| "default".to_string());
                let id = self.function(v, &name, false, false, false);
                if let Some(own) = own {
                    let scope = self.b.local_scope();
                    self.push_binding(scope, &own, Expr::Func(id), ln, None, true);
                }
                Expr::Func(id)
            }
            "class" | "class_declaration" | "abstract_class_declaration" => {
                let name = self.class(v, Some("default"));
                Expr::Name(name)
            }
            _ => self.expr_h(v, Some("default"), false),
        };
        self.push_binding(Scope::Module, "default", value, ln, None, true);
    }

    fn function_declaration(&mut self, n: Node, exported: bool) {
        let name = n
            .child_by_field_name("name")
            .map(|x| self.t(x))
            .unwrap_or("");
        let id = self.function(n, name, false, false, false);
        if !name.is_empty() {
            let scope = self.b.local_scope();
            self.push_binding(scope, name, Expr::Func(id), line(n), None, exported);
        }
    }

    fn enum_declaration(&mut self, n: Node, exported: bool) {
        let Some(name) = n.child_by_field_name("name") else {
            return;
        };
        let name = self.t(name);
        let mut members = Vec::new();
        if let Some(body) = n.child_by_field_name("body") {
            for m in kids(body) {
                match m.kind() {
                    "enum_assignment" => {
                        let k = m.child_by_field_name("name").and_then(|k| self.key(k));
                        let v = m
                            .child_by_field_name("value")
                            .map_or(Expr::Unknown, |v| self.expr(v));
                        if let Some(k) = k {
                            members.push((k, v));
                        }
                    }
                    _ => {
                        if let Some(k) = self.key(m) {
                            members.push((k, Expr::Unknown));
                        }
                    }
                }
            }
        }
        let scope = self.b.local_scope();
        self.push_binding(scope, name, Expr::Object(members), line(n), None, exported);
    }

    // ---------------------------------------------------------------- functions and classes

    /// Extracts a function / arrow / method: params, body, returns. Returns its id.
    fn function(
        &mut self,
        n: Node,
        name: &str,
        method: bool,
        is_static: bool,
        is_constructor: bool,
    ) -> FnId {
        let f = Function {
            name: name.to_string(),
            class: None,
            parent: None,
            params: Vec::new(),
            is_constructor,
            is_static,
            returns: Vec::new(),
            line: line(n),
            end_line: end_line(n),
        };
        let id = self.b.begin_fn(f, method);
        let mut params = Vec::new();
        if let Some(p) = n.child_by_field_name("parameter") {
            params.push(Param {
                name: self.t(p).to_string(),
                ty: None,
                default: None,
                rest: false,
                fields: Vec::new(),
            });
        }
        if let Some(ps) = n.child_by_field_name("parameters") {
            for p in kids(ps) {
                if let Some(param) = self.param(p, is_constructor) {
                    params.push(param);
                }
            }
        }
        if let Some(f) = self.b.facts.functions.get_mut(id) {
            f.params = params;
        }
        if let Some(body) = n.child_by_field_name("body") {
            if body.kind() == "statement_block" {
                self.walk_children(body);
            } else {
                let e = self.expr(body);
                self.b.ret(e);
            }
        }
        self.b.end_fn();
        id
    }

    fn param(&mut self, p: Node, is_constructor: bool) -> Option<Param> {
        let mut param = Param {
            name: String::new(),
            ty: None,
            default: None,
            rest: false,
            fields: Vec::new(),
        };
        let mut pat = p;
        if matches!(p.kind(), "required_parameter" | "optional_parameter") {
            pat = p.child_by_field_name("pattern")?;
            if pat.kind() == "this" {
                return None;
            }
            param.ty = p
                .child_by_field_name("type")
                .and_then(|t| type_text(t, self.src));
            if let Some(v) = p.child_by_field_name("value") {
                param.default = Some(self.expr(v));
            }
        }
        if pat.kind() == "assignment_pattern" {
            if let Some(r) = pat.child_by_field_name("right") {
                param.default = Some(self.expr(r));
            }
            pat = pat.child_by_field_name("left")?;
        }
        if pat.kind() == "rest_pattern" {
            param.rest = true;
            pat = *kids(pat).first()?;
        }
        match pat.kind() {
            "identifier" => param.name = self.t(pat).to_string(),
            "object_pattern" => self.param_fields(pat, &mut param.fields),
            _ => {}
        }
        // TypeScript parameter properties: `constructor(private readonly http: HttpClient)`.
        if is_constructor
            && !param.name.is_empty()
            && p.kind() != "identifier"
            && (kids(p)
                .iter()
                .any(|c| matches!(c.kind(), "accessibility_modifier" | "override_modifier"))
                || has_token(p, "readonly"))
        {
            let scope = self.b.member_scope();
            let nm = param.name.clone();
            self.push_binding(
                scope,
                &nm,
                Expr::Name(nm.clone()),
                line(p),
                param.ty.clone(),
                false,
            );
        }
        Some(param)
    }

    /// Field names of a destructured object parameter; a renamed field `{ url: u }` also binds the
    /// local `u = Name("url")` so that the body's name resolves to the field.
    fn param_fields(&mut self, pat: Node, fields: &mut Vec<String>) {
        for f in kids(pat) {
            match f.kind() {
                "shorthand_property_identifier_pattern" => fields.push(self.t(f).to_string()),
                "object_assignment_pattern" => {
                    if let Some(l) = f.child_by_field_name("left")
                        && l.kind() == "shorthand_property_identifier_pattern"
                    {
                        fields.push(self.t(l).to_string());
                    }
                }
                "pair_pattern" => {
                    let Some(k) = f.child_by_field_name("key").and_then(|k| self.key(k)) else {
                        continue;
                    };
                    fields.push(k.clone());
                    let Some(mut v) = f.child_by_field_name("value") else {
                        continue;
                    };
                    let mut value = Expr::Name(k);
                    if v.kind() == "assignment_pattern" {
                        if let Some(r) = v.child_by_field_name("right") {
                            let d = self.expr(r);
                            value = fold_or(value, d);
                        }
                        match v.child_by_field_name("left") {
                            Some(l) => v = l,
                            None => continue,
                        }
                    }
                    let scope = self.b.local_scope();
                    self.destructure(v, value, scope, line(f), false);
                }
                _ => {}
            }
        }
    }

    /// A class declaration or expression. Returns its name.
    fn class(&mut self, n: Node, hint: Option<&str>) -> String {
        let name = n
            .child_by_field_name("name")
            .map(|x| self.t(x).to_string())
            .or_else(|| hint.map(str::to_string))
            .unwrap_or_default();
        let mut bases = Vec::new();
        for h in kids(n).into_iter().filter(|c| c.kind() == "class_heritage") {
            for c in kids(h) {
                match c.kind() {
                    "extends_clause" => {
                        if let Some(v) = c.child_by_field_name("value") {
                            bases.push(self.t(v).to_string());
                        }
                    }
                    "implements_clause" => {
                        for t in kids(c) {
                            if let Some(t) = type_text(t, self.src) {
                                bases.push(t);
                            }
                        }
                    }
                    _ => {
                        let t = self.t(c);
                        bases.push(t.trim_start_matches("extends").trim().to_string());
                    }
                }
            }
        }
        // Calls in the base expression (`class A extends mixin(B)`) and in decorators belong to the
        // enclosing scope.
        for h in kids(n)
            .into_iter()
            .filter(|c| matches!(c.kind(), "class_heritage" | "decorator"))
        {
            self.walk_children(h);
        }
        self.b.begin_class(Class {
            name: name.clone(),
            bases,
            line: line(n),
        });
        if let Some(body) = n.child_by_field_name("body") {
            for m in kids(body) {
                self.stmt(m, |s| s.class_member(m));
            }
        }
        self.b.end_class();
        name
    }

    fn class_member(&mut self, m: Node) {
        match m.kind() {
            "method_definition" => {
                let name = m
                    .child_by_field_name("name")
                    .and_then(|k| self.key(k))
                    .unwrap_or_default();
                let is_static = has_token(m, "static");
                let is_ctor = name == "constructor" && !is_static;
                let id = self.function(m, &name, true, is_static, is_ctor);
                if has_token(m, "get") && !name.is_empty() {
                    let scope = self.b.member_scope();
                    self.push_binding(scope, &name, Expr::Func(id), line(m), None, false);
                }
            }
            "field_definition" | "public_field_definition" => {
                let key = m
                    .child_by_field_name("property")
                    .or_else(|| m.child_by_field_name("name"));
                let Some(name) = key.and_then(|k| self.key(k)) else {
                    if let Some(v) = m.child_by_field_name("value") {
                        self.expr(v);
                    }
                    return;
                };
                let ty = m
                    .child_by_field_name("type")
                    .and_then(|t| type_text(t, self.src));
                let scope = self.b.member_scope();
                match m.child_by_field_name("value") {
                    Some(v) => {
                        let e = self.expr_h(v, Some(&name), true);
                        self.push_binding(scope, &name, e, line(m), ty, false);
                    }
                    None if ty.is_some() => {
                        self.push_binding(scope, &name, Expr::Unknown, line(m), ty, false);
                    }
                    None => {}
                }
            }
            "class_static_block" => {
                if let Some(b) = m.child_by_field_name("body") {
                    self.walk_children(b);
                }
            }
            "decorator" => self.walk_children(m),
            "method_signature" | "abstract_method_signature" | "index_signature" | "comment" => {}
            _ => self.visit(m),
        }
    }

    // ---------------------------------------------------------------- expressions

    /// A property key as a string (`a`, `'a'`, `1`, `#a`, `['a']`).
    fn key(&self, k: Node) -> Option<String> {
        match k.kind() {
            "string" => Some(self.string(k)),
            "computed_property_name" => {
                let inner = *kids(k).first()?;
                match inner.kind() {
                    "string" => Some(self.string(inner)),
                    "number" => Some(self.t(inner).to_string()),
                    "template_string"
                        if kids(inner)
                            .iter()
                            .all(|c| c.kind() != "template_substitution") =>
                    {
                        Some(self.literal_text(inner))
                    }
                    _ => None,
                }
            }
            _ => Some(self.t(k).to_string()),
        }
    }

    /// The decoded text of a string literal (no substitutions).
    fn string(&self, n: Node) -> String {
        self.literal_text(n)
    }

    fn literal_text(&self, n: Node) -> String {
        let (s, e) = (n.start_byte(), n.end_byte());
        if e < s + 2 {
            return String::new();
        }
        let raw = self.src.get(s + 1..e - 1).unwrap_or("");
        decode_escapes(raw)
    }

    /// A string or template literal's parts: text between children, fragments, escapes and `${…}`.
    fn literal(&mut self, n: Node) -> Expr {
        let (s, e) = (n.start_byte(), n.end_byte());
        if e < s + 2 {
            return Expr::Str(String::new());
        }
        let (start, end) = (s + 1, e - 1);
        let mut parts = Vec::new();
        let mut cursor = start;
        for c in named_children(n) {
            let (cs, ce) = (c.start_byte().max(start), c.end_byte().min(end));
            if cs > cursor {
                parts.push(Expr::Str(
                    self.src.get(cursor..cs).unwrap_or("").to_string(),
                ));
            }
            match c.kind() {
                "template_substitution" => {
                    let v = kids(c).last().map_or(Expr::Unknown, |x| self.expr(*x));
                    parts.push(v);
                }
                "escape_sequence" => parts.push(Expr::Str(decode_escapes(self.t(c)))),
                _ => parts.push(Expr::Str(self.t(c).to_string())),
            }
            cursor = cursor.max(ce);
        }
        if end > cursor {
            parts.push(Expr::Str(
                self.src.get(cursor..end).unwrap_or("").to_string(),
            ));
        }
        concat(parts)
    }

    fn expr(&mut self, n: Node) -> Expr {
        self.expr_h(n, None, false)
    }

    /// An expression's value; `hint` names a function or class expression after what it is assigned
    /// to, `method` makes such a function a method of the current class.
    fn expr_h(&mut self, n: Node, hint: Option<&str>, method: bool) -> Expr {
        if self.depth >= MAX_DEPTH {
            return Expr::Unknown;
        }
        self.depth += 1;
        let e = self.expr_inner(n, hint, method);
        self.depth -= 1;
        e
    }

    fn expr_inner(&mut self, n: Node, hint: Option<&str>, method: bool) -> Expr {
        match n.kind() {
            "identifier" | "shorthand_property_identifier" => Expr::Name(self.t(n).to_string()),
            "this" => Expr::SelfRef,
            "super" => Expr::SuperRef,
            "string" | "template_string" => self.literal(n),
            "number" | "true" | "false" => Expr::Str(self.t(n).to_string()),
            "null" | "undefined" | "regex" | "comment" => Expr::Unknown,
            "meta_property" => Expr::Name(self.t(n).to_string()),
            "parenthesized_expression"
            | "await_expression"
            | "non_null_expression"
            | "as_expression"
            | "satisfies_expression" => match kids(n).first() {
                Some(c) => self.expr_h(*c, hint, method),
                None => Expr::Unknown,
            },
            "type_assertion" => match kids(n).last() {
                Some(c) => self.expr_h(*c, hint, method),
                None => Expr::Unknown,
            },
            "instantiation_expression" => match n.child_by_field_name("function") {
                Some(f) => self.expr(f),
                None => Expr::Unknown,
            },
            "sequence_expression" => {
                let mut last = Expr::Unknown;
                for c in kids(n) {
                    last = self.expr(c);
                }
                last
            }
            "member_expression" => {
                let obj = n
                    .child_by_field_name("object")
                    .map_or(Expr::Unknown, |o| self.expr(o));
                match n.child_by_field_name("property") {
                    Some(p) => attr(obj, self.t(p)),
                    None => Expr::Unknown,
                }
            }
            "subscript_expression" => {
                let obj = n
                    .child_by_field_name("object")
                    .map_or(Expr::Unknown, |o| self.expr(o));
                let Some(idx) = n.child_by_field_name("index") else {
                    return Expr::Unknown;
                };
                match idx.kind() {
                    "string" => attr(obj, &self.string(idx)),
                    "number" => Expr::Attr(Box::new(obj), self.t(idx).to_string()),
                    _ => {
                        let i = self.expr(idx);
                        match i {
                            Expr::Str(s) => attr(obj, &s),
                            i => Expr::Index(Box::new(obj), Box::new(i)),
                        }
                    }
                }
            }
            "call_expression" => self.call_expr(n),
            "new_expression" => self.new_expr(n),
            "binary_expression" => {
                let op = n.child_by_field_name("operator").map_or("", |o| self.t(o));
                let l = n
                    .child_by_field_name("left")
                    .map_or(Expr::Unknown, |x| self.expr(x));
                let r = n
                    .child_by_field_name("right")
                    .map_or(Expr::Unknown, |x| self.expr(x));
                match op {
                    "+" => concat(vec![l, r]),
                    "||" | "??" => fold_or(l, r),
                    _ => Expr::Unknown,
                }
            }
            "ternary_expression" => {
                if let Some(c) = n.child_by_field_name("condition") {
                    self.expr(c);
                }
                let a = n
                    .child_by_field_name("consequence")
                    .map_or(Expr::Unknown, |x| self.expr(x));
                let b = n
                    .child_by_field_name("alternative")
                    .map_or(Expr::Unknown, |x| self.expr(x));
                choice(vec![a, b])
            }
            "assignment_expression" => self.assignment(n),
            "augmented_assignment_expression" => self.augmented(n),
            "object" => self.object(n),
            "array" => {
                let mut items = Vec::new();
                let mut positional = true;
                for (i, c) in kids(n).into_iter().enumerate() {
                    if c.kind() == "spread_element" {
                        positional = false;
                    }
                    let v = self.expr(c);
                    if positional {
                        items.push((i.to_string(), v));
                    }
                }
                Expr::Object(items)
            }
            "arrow_function" | "function_expression" | "function" | "generator_function" => {
                let name = n
                    .child_by_field_name("name")
                    .map(|x| self.t(x))
                    .or(hint)
                    .unwrap_or("");
                let name = name.to_string();
                Expr::Func(self.function(n, &name, method, false, false))
            }
            "class" => {
                let name = self.class(n, hint);
                if name.is_empty() {
                    Expr::Unknown
                } else {
                    Expr::Name(name)
                }
            }
            "spread_element" => {
                for c in kids(n) {
                    self.expr(c);
                }
                Expr::Unknown
            }
            _ => {
                self.walk_children(n);
                Expr::Unknown
            }
        }
    }

    fn args(&mut self, a: Node) -> Vec<Arg> {
        let mut out = Vec::new();
        for c in kids(a) {
            let spread = c.kind() == "spread_element";
            let value = if spread {
                kids(c).first().map_or(Expr::Unknown, |x| self.expr(*x))
            } else {
                self.expr(c)
            };
            out.push(Arg {
                name: None,
                value,
                spread,
            });
        }
        out
    }

    fn call_expr(&mut self, n: Node) -> Expr {
        let Some(f) = n.child_by_field_name("function") else {
            self.walk_children(n);
            return Expr::Unknown;
        };
        let a = n.child_by_field_name("arguments");
        if let Some(a) = a
            && a.kind() == "template_string"
        {
            // Tagged template (gql`…`, styled.div`…`): not a call we model; its substitutions may
            // still hold calls.
            self.expr(f);
            self.expr(a);
            return Expr::Unknown;
        }
        if let Some(m) = self.module_ref(n) {
            // A require()/import() not bound to a name.
            self.import(&m.module, "", None, line(n));
        }
        let callee = if f.kind() == "import" {
            Expr::Name("import".into())
        } else {
            self.expr(f)
        };
        let args = a.map(|a| self.args(a)).unwrap_or_default();
        let env = match (&callee, args.first()) {
            (
                Expr::Attr(base, get),
                Some(Arg {
                    value: Expr::Str(x),
                    ..
                }),
            ) if get == "get"
                && matches!(base.as_ref(), Expr::Attr(d, e)
                        if e == "env" && matches!(d.as_ref(), Expr::Name(d) if d == "Deno")) =>
            {
                Some(x.clone())
            }
            _ => None,
        };
        let call = CallExpr {
            callee,
            args,
            new_object: false,
            line: line(n),
            column: self.col(n),
            end_line: end_line(n),
        };
        self.b.call(call.clone());
        match env {
            Some(name) => Expr::Env {
                name,
                default: None,
            },
            None => Expr::Call(Box::new(call)),
        }
    }

    fn new_expr(&mut self, n: Node) -> Expr {
        let callee = n
            .child_by_field_name("constructor")
            .map_or(Expr::Unknown, |c| self.expr(c));
        let args = n
            .child_by_field_name("arguments")
            .map(|a| self.args(a))
            .unwrap_or_default();
        let call = CallExpr {
            callee,
            args,
            new_object: true,
            line: line(n),
            column: self.col(n),
            end_line: end_line(n),
        };
        self.b.call(call.clone());
        Expr::Call(Box::new(call))
    }

    fn object(&mut self, n: Node) -> Expr {
        let mut items = Vec::new();
        for c in kids(n) {
            match c.kind() {
                "pair" => {
                    let key = c.child_by_field_name("key").and_then(|k| self.key(k));
                    let Some(v) = c.child_by_field_name("value") else {
                        continue;
                    };
                    let e = self.expr_h(v, key.as_deref(), false);
                    if let Some(k) = key {
                        items.push((k, e));
                    }
                }
                "shorthand_property_identifier" => {
                    let t = self.t(c).to_string();
                    items.push((t.clone(), Expr::Name(t)));
                }
                "method_definition" => {
                    let name = c
                        .child_by_field_name("name")
                        .and_then(|k| self.key(k))
                        .unwrap_or_default();
                    let id = self.function(c, &name, false, false, false);
                    if !name.is_empty() && !has_token(c, "set") {
                        items.push((name, Expr::Func(id)));
                    }
                }
                _ => {
                    self.expr(c);
                }
            }
        }
        Expr::Object(items)
    }

    /// An assignment target as a root and a path of literal keys (`this.a.b`, `cfg['api']`,
    /// `module.exports.x`), `None` when a key is not literal.
    fn lhs_path(&mut self, n: Node) -> Option<(Root, Vec<String>)> {
        self.lhs_path_at(n, 0)
    }

    fn lhs_path_at(&mut self, n: Node, depth: usize) -> Option<(Root, Vec<String>)> {
        if depth >= MAX_DEPTH {
            return None;
        }
        let d = depth + 1;
        match n.kind() {
            "identifier" => Some((Root::Name(self.t(n).to_string()), Vec::new())),
            "this" => Some((Root::This, Vec::new())),
            "parenthesized_expression" | "non_null_expression" => {
                self.lhs_path_at(*kids(n).first()?, d)
            }
            "member_expression" => {
                let (root, mut path) = self.lhs_path_at(n.child_by_field_name("object")?, d)?;
                path.push(self.t(n.child_by_field_name("property")?).to_string());
                Some((root, path))
            }
            "subscript_expression" => {
                let idx = n.child_by_field_name("index")?;
                let k = match idx.kind() {
                    "string" => self.string(idx),
                    "number" => self.t(idx).to_string(),
                    _ => return None,
                };
                let (root, mut path) = self.lhs_path_at(n.child_by_field_name("object")?, d)?;
                path.push(k);
                Some((root, path))
            }
            _ => None,
        }
    }

    /// Binds an assignment target given as root + path.
    fn bind_path(&mut self, root: Root, path: Vec<String>, value: Expr, ln: usize) {
        match root {
            Root::This if !path.is_empty() => {
                let scope = self.b.member_scope();
                self.push_binding(scope, &path.join("."), value, ln, None, false);
            }
            Root::This => {}
            Root::Name(r) => {
                let (name, exported) = export_path(&r, &path);
                let scope = if exported {
                    Scope::Module
                } else {
                    self.b.local_scope()
                };
                self.push_binding(scope, &name, value, ln, None, exported);
            }
        }
    }

    fn assignment(&mut self, n: Node) -> Expr {
        let (Some(l), Some(r)) = (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
        ) else {
            self.walk_children(n);
            return Expr::Unknown;
        };
        let ln = line(n);
        let l = if l.kind() == "parenthesized_expression" {
            kids(l).first().copied().unwrap_or(l)
        } else {
            l
        };
        match l.kind() {
            "object_pattern" | "array_pattern" => {
                let v = self.expr(r);
                let scope = self.b.local_scope();
                self.destructure(l, v.clone(), scope, ln, false);
                return v;
            }
            _ => {}
        }
        match self.lhs_path(l) {
            Some((root, path)) => {
                let (hint, method) = match &root {
                    Root::This => (path.last().cloned(), self.b.current_class().is_some()),
                    Root::Name(rn) => {
                        let (full, _) = export_path(rn, &path);
                        if full == "module.exports" || path.is_empty() {
                            (Some(full), false)
                        } else {
                            (path.last().cloned(), false)
                        }
                    }
                };
                let v = self.expr_h(r, hint.as_deref(), method);
                self.bind_path(root, path, v.clone(), ln);
                v
            }
            None => {
                self.expr(l);
                self.expr(r)
            }
        }
    }

    /// `x += y` → `x = x + y`; `x ||= y` / `x ??= y` → `x = x || y`.
    fn augmented(&mut self, n: Node) -> Expr {
        let (Some(l), Some(r)) = (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
        ) else {
            self.walk_children(n);
            return Expr::Unknown;
        };
        let op = n.child_by_field_name("operator").map_or("", |o| self.t(o));
        let cur = self.expr(l);
        let rv = self.expr(r);
        let v = match op {
            "+=" => concat(vec![cur, rv]),
            "||=" | "??=" => fold_or(cur, rv),
            _ => return Expr::Unknown,
        };
        if let Some((root, path)) = self.lhs_path(l) {
            self.bind_path(root, path, v.clone(), line(n));
        }
        v
    }
}

/// `exports.x` / `module.exports.x` → (`module.exports.x`, exported); other paths → (dotted, false).
fn export_path(root: &str, path: &[String]) -> (String, bool) {
    let rest: &[String] = match (root, path.first()) {
        ("module", Some(e)) if e == "exports" => &path[1..],
        ("exports", _) => path,
        _ => {
            let mut s = root.to_string();
            for p in path {
                s.push('.');
                s.push_str(p);
            }
            return (s, false);
        }
    };
    let mut s = "module.exports".to_string();
    for p in rest {
        s.push('.');
        s.push_str(p);
    }
    (s, true)
}

#[cfg(test)]
mod tests {
    use crate::program::facts::*;
    use crate::scan::lang::Lang;

    fn js(src: &str) -> FileFacts {
        crate::program::parse::facts(Lang::JavaScript, "t.js", src).expect("parsed")
    }

    fn ts(src: &str) -> FileFacts {
        crate::program::parse::facts(Lang::TypeScript, "t.ts", src).expect("parsed")
    }

    fn tsx(src: &str) -> FileFacts {
        crate::program::parse::facts(Lang::TypeScript, "t.tsx", src).expect("parsed")
    }

    /// Compact rendering of an expression for exact comparisons.
    fn show(e: &Expr) -> String {
        match e {
            Expr::Str(s) => format!("'{s}'"),
            Expr::Concat(v) => v.iter().map(show).collect::<Vec<_>>().join(" + "),
            Expr::Name(n) => n.clone(),
            Expr::SelfRef => "this".into(),
            Expr::SuperRef => "super".into(),
            Expr::Attr(b, k) => format!("{}.{k}", show(b)),
            Expr::Index(b, i) => format!("{}[{}]", show(b), show(i)),
            Expr::Env { name, default } => match default {
                Some(d) => format!("env({name}, {})", show(d)),
                None => format!("env({name})"),
            },
            Expr::Object(items) => format!(
                "{{{}}}",
                items
                    .iter()
                    .map(|(k, v)| format!("{k}: {}", show(v)))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Expr::Call(c) => show_call(c),
            Expr::Func(id) => format!("fn#{id}"),
            Expr::Choice(v) => format!("({})", v.iter().map(show).collect::<Vec<_>>().join(" | ")),
            Expr::Unknown => "?".into(),
        }
    }

    fn show_call(c: &CallExpr) -> String {
        let args: Vec<String> = c
            .args
            .iter()
            .map(|a| format!("{}{}", if a.spread { "..." } else { "" }, show(&a.value)))
            .collect();
        format!(
            "{}{}({})",
            if c.new_object { "new " } else { "" },
            show(&c.callee),
            args.join(", ")
        )
    }

    fn bindings<'f>(f: &'f FileFacts, name: &str) -> Vec<&'f Binding> {
        f.bindings.iter().filter(|b| b.name == name).collect()
    }

    fn binding<'f>(f: &'f FileFacts, name: &str) -> &'f Binding {
        let v = bindings(f, name);
        assert_eq!(v.len(), 1, "bindings named {name}: {:#?}", f.bindings);
        v[0]
    }

    fn func<'f>(f: &'f FileFacts, name: &str) -> (FnId, &'f Function) {
        let v: Vec<_> = f
            .functions
            .iter()
            .enumerate()
            .filter(|(_, x)| x.name == name)
            .collect();
        assert_eq!(v.len(), 1, "functions named {name}: {:#?}", f.functions);
        v[0]
    }

    fn calls(f: &FileFacts) -> Vec<String> {
        f.calls.iter().map(|c| show_call(&c.call)).collect()
    }

    fn param(name: &str) -> Param {
        Param {
            name: name.into(),
            ty: None,
            default: None,
            rest: false,
            fields: Vec::new(),
        }
    }

    fn imp(module: &str, local: &str, name: Option<&str>, line: usize) -> Import {
        Import {
            module: module.into(),
            local: local.into(),
            name: name.map(str::to_string),
            line,
        }
    }

    #[test]
    fn request_wrapper_method_calls_client_with_params() {
        let f = js(
            "class Api {\n  request(method, path, data) {\n    return axios({ method, url: BASE + path, data });\n  }\n}\n",
        );
        let (id, m) = func(&f, "request");
        assert_eq!(m.class, Some(0));
        assert_eq!(m.parent, Some(0));
        assert_eq!(
            m.params,
            vec![param("method"), param("path"), param("data")]
        );
        assert_eq!(f.classes[0].name, "Api");
        assert_eq!(f.calls.len(), 1);
        let c = &f.calls[0];
        assert_eq!(c.func, id);
        assert_eq!(c.stmt_line, 3);
        assert_eq!((c.call.line, c.call.column, c.call.end_line), (3, 12, 3));
        assert_eq!(
            show_call(&c.call),
            "axios({method: method, url: BASE + path, data: data})"
        );
        assert_eq!(m.returns.len(), 1);
        assert_eq!(show(&m.returns[0]), show_call(&c.call));
    }

    #[test]
    fn client_built_in_constructor_and_used_in_method() {
        let f = js(
            "class Crm extends Resource {\n  constructor(config) {\n    super('/v1/users');\n    this.http = axios.create({ baseURL: config.crm.apiBase, timeout: 5000 });\n  }\n  list() { return this.http.get('/contacts/'); }\n  other() { return super.list(); }\n}\n",
        );
        assert_eq!(
            f.classes,
            vec![Class {
                name: "Crm".into(),
                bases: vec!["Resource".into()],
                line: 1
            }]
        );
        let (ctor, c) = func(&f, "constructor");
        assert!(c.is_constructor);
        let b = binding(&f, "http");
        assert_eq!(b.scope, Scope::Class(0));
        assert_eq!(
            show(&b.value),
            "axios.create({baseURL: config.crm.apiBase, timeout: '5000'})"
        );
        let (list, _) = func(&f, "list");
        assert_eq!(
            calls(&f),
            vec![
                "super('/v1/users')",
                "axios.create({baseURL: config.crm.apiBase, timeout: '5000'})",
                "this.http.get('/contacts/')",
                "super.list()"
            ]
        );
        assert_eq!(f.calls[0].func, ctor);
        assert_eq!(f.calls[0].call.callee, Expr::SuperRef);
        assert_eq!(f.calls[2].func, list);
        assert_eq!(
            f.calls[3].call.callee,
            Expr::Attr(Box::new(Expr::SuperRef), "list".into())
        );
    }

    #[test]
    fn class_fields_getters_and_statics_build_urls() {
        let f = js(
            "class Users {\n  baseURL = 'https://rest.gohighlevel.com/v1';\n  static BASE = '/users';\n  #token = process.env.GHL_KEY;\n  get baseUrl() { return this.baseURL + Users.BASE; }\n  static create() { return new Users(); }\n  async *pages() { yield 1; }\n  list() { return fetch(`${this.baseUrl}/?limit=${n}`, { headers: { Authorization: `Bearer ${this.#token}` } }); }\n}\n",
        );
        assert_eq!(
            show(&binding(&f, "baseURL").value),
            "'https://rest.gohighlevel.com/v1'"
        );
        assert_eq!(binding(&f, "BASE").scope, Scope::Class(0));
        assert_eq!(show(&binding(&f, "#token").value), "env(GHL_KEY)");
        let (g, getter) = func(&f, "baseUrl");
        assert_eq!(getter.class, Some(0));
        assert_eq!(
            getter.returns,
            vec![crate::program::lang::concat(vec![
                Expr::Attr(Box::new(Expr::SelfRef), "baseURL".into()),
                Expr::Attr(Box::new(Expr::Name("Users".into())), "BASE".into()),
            ])]
        );
        let b = binding(&f, "baseUrl");
        assert_eq!((b.scope, &b.value), (Scope::Class(0), &Expr::Func(g)));
        assert!(func(&f, "create").1.is_static);
        assert!(!func(&f, "list").1.is_static);
        assert_eq!(
            calls(&f),
            vec![
                "new Users()",
                "fetch(this.baseUrl + '/?limit=' + n, {headers: {Authorization: 'Bearer ' + this.#token}})"
            ]
        );
        assert!(f.calls[0].call.new_object);
    }

    #[test]
    fn string_forms() {
        let f = js(r#"const a = 'it\'s\n\x41\u0042\u{43}';
const b = "x" + y + 'z' + 1;
const c = `${base}/contacts/${id}?q=${encodeURIComponent(q)}\t`;
const d = cond ? 'A' : (other ? 'B' : 'C');
const e = x || y ?? 'z';
const g = gql`query ${frag}`;
"#);
        assert_eq!(binding(&f, "a").value, Expr::Str("it's\nABC".into()));
        assert_eq!(show(&binding(&f, "b").value), "'x' + y + 'z1'");
        assert_eq!(
            show(&binding(&f, "c").value),
            "base + '/contacts/' + id + '?q=' + encodeURIComponent(q) + '\t'"
        );
        assert_eq!(show(&binding(&f, "d").value), "('A' | 'B' | 'C')");
        assert_eq!(show(&binding(&f, "e").value), "(x | y | 'z')");
        assert_eq!(binding(&f, "g").value, Expr::Unknown);
        assert_eq!(calls(&f), vec!["encodeURIComponent(q)"]);
    }

    #[test]
    fn env_reads_and_defaults() {
        let f = js(
            "const a = process.env.GHL_BASE || 'https://rest.gohighlevel.com/v1';\nconst b = process.env['KEY'] ?? 'k';\nconst c = import.meta.env.VITE_API;\nconst d = Deno.env.get('X') || 'dx';\nconst e = process.env.A || process.env.B || 'd';\nconst { API_URL = 'u', TOKEN } = process.env;\nconst h = process.env.H;\n",
        );
        assert_eq!(
            show(&binding(&f, "a").value),
            "env(GHL_BASE, 'https://rest.gohighlevel.com/v1')"
        );
        assert_eq!(show(&binding(&f, "b").value), "env(KEY, 'k')");
        assert_eq!(show(&binding(&f, "c").value), "env(VITE_API)");
        assert_eq!(show(&binding(&f, "d").value), "env(X, 'dx')");
        assert_eq!(show(&binding(&f, "e").value), "env(A, env(B, 'd'))");
        assert_eq!(show(&binding(&f, "API_URL").value), "env(API_URL, 'u')");
        assert_eq!(show(&binding(&f, "TOKEN").value), "env(TOKEN)");
        assert_eq!(show(&binding(&f, "h").value), "env(H)");
        assert_eq!(calls(&f), vec!["Deno.env.get('X')"]);
    }

    #[test]
    fn imports_of_each_form() {
        let f = js(
            "import x from './a';\nimport { a, b as c } from './m';\nimport * as ns from 'lib';\nimport './side';\nconst r = require('./r');\nconst { y, z: w } = require('./m2');\nconst dflt = require('axios').default;\nconst one = require('./cfg').api;\nexport { q } from './q';\nexport * from './all';\nasync function load() { const m = await import('./dyn'); }\nrequire('./setup');\nimport('./lazy').then(m => m.go());\n",
        );
        assert_eq!(
            f.imports,
            vec![
                imp("./a", "x", None, 1),
                imp("./m", "a", Some("a"), 2),
                imp("./m", "c", Some("b"), 2),
                imp("lib", "ns", None, 3),
                imp("./side", "", None, 4),
                imp("./r", "r", None, 5),
                imp("./m2", "y", Some("y"), 6),
                imp("./m2", "w", Some("z"), 6),
                imp("axios", "dflt", None, 7),
                imp("./cfg", "one", Some("api"), 8),
                imp("./q", "q", Some("q"), 9),
                imp("./all", "", None, 10),
                imp("./dyn", "m", None, 11),
                imp("./setup", "", None, 12),
                imp("./lazy", "", None, 13),
            ]
        );
        assert!(f.bindings.iter().all(|b| b.name != "r" && b.name != "y"));
        assert_eq!(
            calls(&f),
            vec!["import('./lazy')", "import('./lazy').then(fn#2)", "m.go()"]
        );
    }

    #[test]
    fn typescript_imports() {
        let f = ts(
            "import type { Client } from './client';\nimport fs = require('fs');\nimport def, * as all from './both';\n",
        );
        assert_eq!(
            f.imports,
            vec![
                imp("./client", "Client", Some("Client"), 1),
                imp("fs", "fs", None, 2),
                imp("./both", "def", None, 3),
                imp("./both", "all", None, 3),
            ]
        );
    }

    #[test]
    fn exports() {
        let f = js(
            "export const X = 'x';\nexport default { base: X };\nmodule.exports = { getUsers, X };\nmodule.exports.y = 'y';\nexports.z = () => 1;\nexport function helper() {}\nconst k = 1;\nexport { k, X as Y };\n",
        );
        let x = binding(&f, "X");
        assert!(x.exported && x.scope == Scope::Module);
        let d = binding(&f, "default");
        assert!(d.exported);
        assert_eq!(show(&d.value), "{base: X}");
        let m = binding(&f, "module.exports");
        assert!(m.exported);
        assert_eq!(show(&m.value), "{getUsers: getUsers, X: X}");
        assert!(binding(&f, "module.exports.y").exported);
        let z = binding(&f, "module.exports.z");
        assert_eq!(z.scope, Scope::Module);
        let (zid, zf) = func(&f, "z");
        assert_eq!(z.value, Expr::Func(zid));
        assert_eq!(zf.returns, vec![Expr::Str("1".into())]);
        let (hid, _) = func(&f, "helper");
        let h = binding(&f, "helper");
        assert_eq!((h.exported, &h.value), (true, &Expr::Func(hid)));
        assert!(binding(&f, "k").exported);
        let y = binding(&f, "Y");
        assert_eq!((y.exported, &y.value), (true, &Expr::Name("X".into())));

        let f = js("export default class extends Base { get() {} }\n");
        assert_eq!(f.classes[0].name, "default");
        assert_eq!(f.classes[0].bases, vec!["Base".to_string()]);
        assert!(binding(&f, "default").exported);
        let f = js("export default function () { return fetch(u); }\n");
        let (id, _) = func(&f, "default");
        assert_eq!(binding(&f, "default").value, Expr::Func(id));
        let f = js("export default class Users {}\n");
        assert_eq!(binding(&f, "default").value, Expr::Name("Users".into()));
        let f = ts("const api = make();\nexport = api;\n");
        assert_eq!(
            binding(&f, "module.exports").value,
            Expr::Name("api".into())
        );
    }

    #[test]
    fn factory_returns_object_of_closures() {
        let f = js(
            "export const users = makeService('/v1/users');\nfunction makeService(endpoint) {\n  return {\n    getAll: () => api.get(endpoint),\n    update(id, body) { return api.put(`${endpoint}/${id}`, body) },\n  };\n}\n",
        );
        let u = binding(&f, "users");
        assert!(u.exported);
        assert_eq!(show(&u.value), "makeService('/v1/users')");
        let (ms, m) = func(&f, "makeService");
        assert_eq!(m.params, vec![param("endpoint")]);
        let (ga, getall) = func(&f, "getAll");
        let (up, update) = func(&f, "update");
        assert_eq!(getall.parent, Some(ms));
        assert_eq!(update.parent, Some(ms));
        assert_eq!(update.class, None);
        assert_eq!(update.params, vec![param("id"), param("body")]);
        assert_eq!(
            m.returns,
            vec![Expr::Object(vec![
                ("getAll".into(), Expr::Func(ga)),
                ("update".into(), Expr::Func(up)),
            ])]
        );
        assert_eq!(getall.returns.len(), 1);
        assert_eq!(show(&getall.returns[0]), "api.get(endpoint)");
        assert_eq!(
            calls(&f),
            vec![
                "makeService('/v1/users')",
                "api.get(endpoint)",
                "api.put(endpoint + '/' + id, body)"
            ]
        );
        assert_eq!(f.calls[1].func, ga);
        assert_eq!(f.calls[2].func, up);
        assert_eq!(binding(&f, "makeService").value, Expr::Func(ms));
    }

    #[test]
    fn call_chains_and_arguments() {
        let f = js(
            "axios.get(u).then(r => r.data).catch(console.error);\nfetch(url, { method: 'POST', headers, ...extra });\n$.ajax({ url, type: 'POST' });\nhttps.request(options, cb);\nthis.helpers.requestWithAuthentication.call(this, 'x', options);\na?.b(...rest);\nconst r = await (client as Http).post(u)!;\n",
        );
        assert_eq!(
            calls(&f),
            vec![
                "axios.get(u)",
                "axios.get(u).then(fn#1)",
                "axios.get(u).then(fn#1).catch(console.error)",
                "fetch(url, {method: 'POST', headers: headers})",
                "$.ajax({url: url, type: 'POST'})",
                "https.request(options, cb)",
                "this.helpers.requestWithAuthentication.call(this, 'x', options)",
                "a.b(...rest)",
                "client.post(u)",
            ]
        );
        assert!(f.calls[7].call.args[0].spread);
        assert!(
            f.calls
                .iter()
                .all(|c| c.call.column == 1 || c.call.line >= 7)
        );
        assert_eq!(f.calls[8].call.column, 17);
        assert_eq!(show(&binding(&f, "r").value), "client.post(u)");
    }

    #[test]
    fn typescript_ts_only_syntax_extracts() {
        let f = ts(
            "import axios from 'axios';\ninterface Opts { url: string }\ntype T = string;\ndeclare const g: any;\nenum Paths { Contacts = '/contacts/', Other }\nexport abstract class Client<T> extends Base<T> implements IClient, Other<X> {\n  private readonly base: string = BASE_URL;\n  protected http!: AxiosInstance;\n  abstract send(): void;\n  constructor(private readonly http2: HttpClient | null, public base2 = BASE, x?: string, ...rest: any[]) {\n    super();\n  }\n  async get<R>(path: string, opts: Opts = {}): Promise<R> {\n    return this.http2.get<R>(`${this.base}${path}` as string, opts as any)!;\n  }\n}\n",
        );
        assert_eq!(
            f.classes[0],
            Class {
                name: "Client".into(),
                bases: vec!["Base".into(), "IClient".into(), "Other".into()],
                line: 6
            }
        );
        assert_eq!(
            show(&binding(&f, "Paths").value),
            "{Contacts: '/contacts/', Other: ?}"
        );
        let base = binding(&f, "base");
        assert_eq!(
            (base.scope, base.ty.as_deref()),
            (Scope::Class(0), Some("string"))
        );
        let http = binding(&f, "http");
        assert_eq!(
            (&http.value, http.ty.as_deref()),
            (&Expr::Unknown, Some("AxiosInstance"))
        );
        let (_, ctor) = func(&f, "constructor");
        assert_eq!(
            ctor.params,
            vec![
                Param {
                    ty: Some("HttpClient".into()),
                    ..param("http2")
                },
                Param {
                    default: Some(Expr::Name("BASE".into())),
                    ..param("base2")
                },
                Param {
                    ty: Some("string".into()),
                    ..param("x")
                },
                Param {
                    ty: Some("any[]".into()),
                    rest: true,
                    ..param("rest")
                },
            ]
        );
        let h2 = binding(&f, "http2");
        assert_eq!(
            (h2.scope, &h2.value, h2.ty.as_deref()),
            (
                Scope::Class(0),
                &Expr::Name("http2".into()),
                Some("HttpClient")
            )
        );
        assert_eq!(binding(&f, "base2").value, Expr::Name("base2".into()));
        assert!(bindings(&f, "x").is_empty());
        let (_, get) = func(&f, "get");
        assert_eq!(get.params[1].ty.as_deref(), Some("Opts"));
        assert_eq!(
            calls(&f),
            vec!["super()", "this.http2.get(this.base + path, opts)"]
        );
        assert!(f.functions.iter().all(|x| x.name != "send"));
    }

    #[test]
    fn declarations_destructuring_and_reassignment() {
        let f = js(
            "let url;\nurl = base + '/a';\nconst { a, b: c, d: { e } } = cfg;\nconst [first, second = 'two'] = list;\nfunction f({ method, url: u = 'x' }, ...args) {\n  let target = cond ? A : B;\n  target += '/x';\n  cfg['api'] = target;\n  obj.a.b = 1;\n  ({ z } = other);\n}\nconst get = async () => { };\nvar api = axios, other2 = function named() {};\n",
        );
        assert_eq!(show(&binding(&f, "url").value), "base + '/a'");
        assert_eq!(show(&binding(&f, "a").value), "cfg.a");
        assert_eq!(show(&binding(&f, "c").value), "cfg.b");
        assert_eq!(show(&binding(&f, "e").value), "cfg.d.e");
        assert_eq!(show(&binding(&f, "first").value), "list.0");
        assert_eq!(show(&binding(&f, "second").value), "(list.1 | 'two')");
        let (fid, fun) = func(&f, "f");
        assert_eq!(
            fun.params,
            vec![
                Param {
                    fields: vec!["method".into(), "url".into()],
                    ..param("")
                },
                Param {
                    rest: true,
                    ..param("args")
                }
            ]
        );
        let u = binding(&f, "u");
        assert_eq!(
            (u.scope, show(&u.value)),
            (Scope::Function(fid), "(url | 'x')".into())
        );
        let t = bindings(&f, "target");
        assert_eq!(t.len(), 2);
        assert_eq!(show(&t[0].value), "(A | B)");
        assert_eq!(show(&t[1].value), "target + '/x'");
        assert_eq!(t[1].scope, Scope::Function(fid));
        assert_eq!(show(&binding(&f, "cfg.api").value), "target");
        assert_eq!(binding(&f, "obj.a.b").value, Expr::Str("1".into()));
        assert_eq!(show(&binding(&f, "z").value), "other.z");
        let (gid, _) = func(&f, "get");
        assert_eq!(binding(&f, "get").value, Expr::Func(gid));
        assert_eq!(show(&binding(&f, "api").value), "axios");
        let (nid, _) = func(&f, "named");
        assert_eq!(binding(&f, "other2").value, Expr::Func(nid));
        assert_eq!(binding(&f, "url").scope, Scope::Module);
    }

    #[test]
    fn statement_line_of_multiline_call() {
        let f = js(
            "async function go() {\n  const res = await fetch(\n    `${BASE}/contacts/`,\n    {\n      method: 'POST',\n      body: JSON.stringify(data),\n    },\n  );\n  return client\n    .withAuth(token)\n    .post(url);\n}\n",
        );
        let lines: Vec<_> = f
            .calls
            .iter()
            .map(|c| {
                (
                    show_call(&c.call),
                    c.stmt_line,
                    c.call.line,
                    c.call.end_line,
                )
            })
            .collect();
        assert_eq!(
            lines,
            vec![
                (
                    "fetch(BASE + '/contacts/', {method: 'POST', body: JSON.stringify(data)})"
                        .to_string(),
                    2,
                    2,
                    8
                ),
                ("JSON.stringify(data)".to_string(), 2, 6, 6),
                ("client.withAuth(token)".to_string(), 9, 9, 10),
                ("client.withAuth(token).post(url)".to_string(), 9, 9, 11),
            ]
        );
        assert_eq!(f.calls[0].call.column, 21);
    }

    #[test]
    fn constructor_function_and_prototype_methods() {
        let f = js(
            "function Api(key) { this.key = key; this.base = 'https://rest.gohighlevel.com/v1'; }\nApi.prototype.get = function (p) { return request(this.base + p); };\n",
        );
        assert_eq!(binding(&f, "base").scope, Scope::Module);
        let (gid, g) = func(&f, "get");
        assert_eq!(g.params, vec![param("p")]);
        assert_eq!(binding(&f, "Api.prototype.get").value, Expr::Func(gid));
        assert_eq!(calls(&f), vec!["request(this.base + p)"]);
    }

    #[test]
    fn class_field_arrow_is_a_method_and_this_assignment_in_method() {
        let f = js(
            "class S {\n  send = async (path) => this.http.post(path);\n  init() { this.cfg = { baseURL: BASE }; this.cfg.url = 'x'; }\n}\nconst K = class Named {};\n",
        );
        let (sid, s) = func(&f, "send");
        assert_eq!(s.class, Some(0));
        assert_eq!(binding(&f, "send").value, Expr::Func(sid));
        assert_eq!(show(&binding(&f, "cfg").value), "{baseURL: BASE}");
        assert_eq!(binding(&f, "cfg.url").scope, Scope::Class(0));
        assert_eq!(f.classes[1].name, "Named");
        assert_eq!(binding(&f, "K").value, Expr::Name("Named".into()));
    }

    #[test]
    fn tsx_and_jsx_calls_inside_markup() {
        let f = tsx(
            "export const App = () => <div onClick={() => fetch('/v1/x')}>{items.map(i => <b>{i}</b>)}</div>;\n",
        );
        assert_eq!(calls(&f), vec!["fetch('/v1/x')", "items.map(fn#3)"]);
        let f = crate::program::parse::facts(
            Lang::JavaScript,
            "t.jsx",
            "const B = () => <a href={url(x)} />;",
        )
        .expect("parsed");
        assert_eq!(calls(&f), vec!["url(x)"]);
    }

    #[test]
    fn calls_in_control_flow_are_recorded() {
        let f = js(
            "if (ok(a)) { for (const x of list(b)) { try { send(x) } catch (e) { log(e) } } } else while (more()) step();\nswitch (kind()) { case 1: one(); }\nthrow err(1);\n",
        );
        assert_eq!(
            calls(&f),
            vec![
                "ok(a)", "list(b)", "send(x)", "log(e)", "more()", "step()", "kind()", "one()",
                "err('1')"
            ]
        );
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        for src in [
            format!("x = {}1{};", "(".repeat(5000), ")".repeat(5000)),
            format!("x = {}1{};", "[".repeat(5000), "]".repeat(5000)),
            format!("x = {}1{};", "f(".repeat(5000), ")".repeat(5000)),
            format!("x = {}1;", "a + ".repeat(5000)),
            format!("{}{}", "function f() {".repeat(3000), "}".repeat(3000)),
            format!("{}{}", "{".repeat(5000), "}".repeat(5000)),
            format!(
                "const {} = o;",
                "{a: ".repeat(3000) + "b" + &"}".repeat(3000)
            ),
            format!("x = `{}`;", "${`".repeat(3000)),
            format!("{} = 1;", vec!["a"; 5000].join(".")),
            format!("const q = require('x').{};", vec!["a"; 5000].join(".")),
            format!("x = {}0;", "a ? b : ".repeat(5000)),
            format!("x = {}{};", "{a: ".repeat(5000), "}".repeat(5000)),
            "a.b().".repeat(3000) + "c()",
        ] {
            let f = js(&src);
            assert!(f.functions.len() <= 3001);
            let f = ts(&src);
            assert!(!f.functions.is_empty());
        }
    }

    /// `JS_CORPUS=<file with one path per line> cargo test … corpus -- --ignored`: extracts every file
    /// (no panic, no stack overflow) and prints totals.
    #[test]
    #[ignore]
    fn corpus() {
        let Ok(list) = std::env::var("JS_CORPUS") else {
            return;
        };
        let list = std::fs::read_to_string(list).unwrap_or_default();
        let (mut files, mut calls, mut binds) = (0, 0, 0);
        let start = std::time::Instant::now();
        for path in list.lines() {
            let Ok(src) = std::fs::read_to_string(path) else {
                continue;
            };
            let lang = if path.ends_with(".ts") || path.ends_with(".tsx") {
                Lang::TypeScript
            } else {
                Lang::JavaScript
            };
            let t = std::time::Instant::now();
            if let Some(f) = crate::program::parse::facts(lang, path, &src) {
                files += 1;
                calls += f.calls.len();
                binds += f.bindings.len();
            }
            if t.elapsed().as_millis() > 500 {
                let t2 = std::time::Instant::now();
                let mut p = tree_sitter::Parser::new();
                let _ = p.set_language(&tree_sitter_javascript::LANGUAGE.into());
                let _ = p.parse(&src, None);
                eprintln!(
                    "slow: {path} {:?} (parse alone {:?})",
                    t.elapsed(),
                    t2.elapsed()
                );
            }
        }
        eprintln!(
            "{files} files, {calls} calls, {binds} bindings in {:?}",
            start.elapsed()
        );
    }

    #[test]
    fn columns_count_characters() {
        let src = "const é = 'ü'; f(x);\nconst a = '日本'; g(y); h(z)\n";
        let f = js(src);
        let cols: Vec<_> = f
            .calls
            .iter()
            .map(|c| (c.call.line, c.call.column))
            .collect();
        assert_eq!(cols, vec![(1, 16), (2, 17), (2, 23)]);
        let tree = {
            let mut p = tree_sitter::Parser::new();
            p.set_language(&tree_sitter_javascript::LANGUAGE.into())
                .expect("grammar");
            p.parse(src, None).expect("tree")
        };
        let mut stack = vec![tree.root_node()];
        let mut n_calls = 0;
        while let Some(n) = stack.pop() {
            if n.kind() == "call_expression" {
                n_calls += 1;
                let want = crate::program::lang::column(n, src);
                assert!(cols.contains(&(n.start_position().row + 1, want)));
            }
            stack.extend(crate::program::lang::named_children(n));
        }
        assert_eq!(n_calls, 3);
    }

    /// `JS_DUMP=<file> cargo test … dump -- --ignored --nocapture`: prints the facts compactly.
    #[test]
    #[ignore]
    fn dump() {
        let Ok(path) = std::env::var("JS_DUMP") else {
            return;
        };
        let src = std::fs::read_to_string(&path).unwrap_or_default();
        let lang = if path.ends_with(".ts") || path.ends_with(".tsx") {
            Lang::TypeScript
        } else {
            Lang::JavaScript
        };
        let Some(f) = crate::program::parse::facts(lang, &path, &src) else {
            return;
        };
        for i in &f.imports {
            eprintln!(
                "import {} as {:?} name {:?} @{}",
                i.module, i.local, i.name, i.line
            );
        }
        for c in &f.classes {
            eprintln!("class {} {:?} @{}", c.name, c.bases, c.line);
        }
        for (id, x) in f.functions.iter().enumerate() {
            let ps: Vec<_> = x.params.iter().map(|p| format!("{p:?}")).collect();
            let rs: Vec<_> = x.returns.iter().map(show).collect();
            eprintln!(
                "fn#{id} {} class {:?} parent {:?} ctor {} static {} @{}-{} params {ps:?} returns {rs:?}",
                x.name, x.class, x.parent, x.is_constructor, x.is_static, x.line, x.end_line
            );
        }
        for b in &f.bindings {
            eprintln!(
                "bind {:?} {} = {} ty {:?} exp {} @{}",
                b.scope,
                b.name,
                show(&b.value),
                b.ty,
                b.exported,
                b.line
            );
        }
        for c in &f.calls {
            eprintln!(
                "call fn#{} stmt {} @{}:{}-{} {}",
                c.func,
                c.stmt_line,
                c.call.line,
                c.call.column,
                c.call.end_line,
                show_call(&c.call)
            );
        }
    }

    #[test]
    fn decorators_and_object_accessors() {
        let f = ts(
            "@Injectable(cfg())\nexport class A {\n  @Get(path('x')) list() {}\n}\nconst o = { get url() { return base; }, set url(v) {} };\n",
        );
        assert_eq!(
            calls(&f),
            vec!["Injectable(cfg())", "cfg()", "Get(path('x'))", "path('x')"]
        );
        let (gid, _) = f
            .functions
            .iter()
            .enumerate()
            .find(|(_, x)| x.name == "url" && x.returns.len() == 1)
            .expect("getter");
        assert_eq!(
            binding(&f, "o").value,
            Expr::Object(vec![("url".into(), Expr::Func(gid))])
        );
    }

    #[test]
    fn error_nodes_do_not_stop_extraction() {
        let f = js(
            "const a = 'x';\nfunction broken( {\nconst b = fetch(a);\nclass {\nconst c = `unterminated ${",
        );
        assert_eq!(binding(&f, "a").value, Expr::Str("x".into()));
        assert!(calls(&f).contains(&"fetch(a)".to_string()));
    }
}
