//! Kotlin extractor: package, imports, classes / objects / companion objects (companion members belong to
//! the enclosing class), primary constructors (a constructor function whose `val`/`var` parameters are
//! also members; property initializers and `init` blocks run inside it), properties, functions, lambdas,
//! string templates, annotations (as `@Name` calls; Spring `@Value("\${k:d}")` as an env read) and every
//! call. A call of a capitalised name (`Contact(name = "a")`, `Request.Builder()`) is a constructor call.
//!
//! Unqualified names that are members of the enclosing class (and not locals or parameters) read as
//! `Attr(SelfRef, name)`, unqualified calls of the class's own functions as `Attr(SelfRef, f)`.
use super::go::{clean_type, decode_escapes};
use super::java::placeholder;
use super::{Builder, MAX_DEPTH, column, concat, end_line, line, named_children, text};
use crate::program::facts::{
    Arg, Binding, CallExpr, Class, ClassId, Expr, FileFacts, Function, Import, Param, Scope,
};
use std::collections::HashSet;
use tree_sitter::Node;

/// Nesting guard: each level of source nesting costs this extractor several recursive frames (statement,
/// expression, call, lambda), so it stops at half the shared limit to keep debug builds within a 1 MiB
/// stack.
const DEPTH_LIMIT: usize = MAX_DEPTH / 2;

pub fn extract(src: &str, tree: &tree_sitter::Tree) -> FileFacts {
    let mut x = Kotlin {
        src,
        b: Builder::new(),
        depth: 0,
        frames: Vec::new(),
        static_ctx: false,
    };
    x.stmts(tree.root_node());
    let mut facts = x.b.finish();
    facts.calls.sort_by_key(|c| (c.call.line, c.call.column));
    facts
}

enum Frame {
    Locals(HashSet<String>),
    Class {
        id: ClassId,
        name: String,
        fields: HashSet<String>,
        methods: HashSet<String>,
    },
}

struct Kotlin<'s> {
    src: &'s str,
    b: Builder,
    depth: usize,
    frames: Vec<Frame>,
    /// Inside an `object` / `companion object` body: functions are static.
    static_ctx: bool,
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

/// `trimIndent()` of a raw string.
fn trim_indent(s: &str) -> String {
    let lines: Vec<&str> = s.split('\n').collect();
    let indent = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let mut out: Vec<String> = lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or("").trim_end().to_string())
        .collect();
    if out.first().is_some_and(|l| l.is_empty()) {
        out.remove(0);
    }
    if out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

fn modifier_words(n: Node, src: &str) -> Vec<String> {
    let mut out = Vec::new();
    for m in named_children(n) {
        if m.kind() == "modifiers" {
            for c in named_children(m) {
                if c.kind() != "annotation" {
                    out.push(text(c, src).to_string());
                }
            }
        }
    }
    out
}

/// The last name segment of a callee, to tell constructor calls (capitalised) apart.
fn last_segment(e: &Expr) -> Option<&str> {
    match e {
        Expr::Name(n) => Some(n),
        Expr::Attr(_, n) => Some(n),
        _ => None,
    }
}

impl<'s> Kotlin<'s> {
    fn t(&self, n: Node) -> &'s str {
        text(n, self.src)
    }

    fn push_binding(
        &mut self,
        scope: Scope,
        name: &str,
        value: Expr,
        at: Node,
        ty: Option<String>,
        exported: bool,
    ) {
        self.b.push_binding(Binding {
            scope,
            name: name.to_string(),
            value,
            line: line(at),
            ty,
            exported,
        });
    }

    /// Walks a list of statements (file, block, lambda body, class body), each its own statement.
    fn stmts(&mut self, n: Node) {
        for c in named_children(n) {
            self.stmt(c);
        }
    }

    fn stmt(&mut self, c: Node) {
        if self.depth > DEPTH_LIMIT {
            return;
        }
        self.depth += 1;
        self.b.begin_stmt(line(c));
        self.visit(c);
        self.b.end_stmt();
        self.depth -= 1;
    }

    fn visit(&mut self, n: Node) {
        if self.depth > DEPTH_LIMIT {
            return;
        }
        self.depth += 1;
        self.visit_inner(n);
        self.depth -= 1;
    }

    fn visit_inner(&mut self, n: Node) {
        match n.kind() {
            "line_comment" | "block_comment" | "shebang" | "modifiers" | "type_alias"
            | "file_annotation" => {}
            "package_header" => {
                if let Some(q) = named_children(n).first() {
                    self.b.facts.package = Some(self.t(*q).to_string());
                }
            }
            "import" => self.import(n),
            "class_declaration" | "object_declaration" => self.class(n),
            "companion_object" => {
                // Members of a companion belong to the enclosing class.
                let saved = self.static_ctx;
                self.static_ctx = true;
                for c in named_children(n) {
                    if c.kind() == "class_body" {
                        self.class_body(c, None);
                    }
                }
                self.static_ctx = saved;
            }
            "function_declaration" => {
                self.function(n, None);
            }
            "secondary_constructor" => {
                self.function(n, None);
            }
            "property_declaration" => self.property(n),
            "assignment" => self.assignment(n),
            "block" | "source_file" | "class_body" | "statements" => self.stmts(n),
            "for_statement" => {
                for c in named_children(n) {
                    match c.kind() {
                        "variable_declaration" | "multi_variable_declaration" => {
                            self.declare_vars(c)
                        }
                        "block" => self.stmts(c),
                        _ => self.visit(c),
                    }
                }
            }
            "while_statement" | "do_while_statement" | "ERROR" | "anonymous_initializer" => {
                for c in named_children(n) {
                    match c.kind() {
                        "block" => self.stmts(c),
                        _ => self.visit(c),
                    }
                }
            }
            _ => {
                self.expr(n);
            }
        }
    }

    fn declare_vars(&mut self, n: Node) {
        let mut stack = vec![n];
        while let Some(v) = stack.pop() {
            match v.kind() {
                "variable_declaration" => {
                    if let Some(id) = named_children(v)
                        .into_iter()
                        .find(|c| c.kind() == "identifier")
                    {
                        let name = self.t(id).to_string();
                        self.declare_local(&name);
                    }
                }
                "multi_variable_declaration" => stack.extend(named_children(v)),
                _ => {}
            }
        }
    }

    fn import(&mut self, n: Node) {
        let kids = named_children(n);
        let Some(q) = kids.iter().find(|c| c.kind() == "qualified_identifier") else {
            return;
        };
        let module = self.t(*q).to_string();
        let star = self.t(n).trim_end().ends_with('*');
        let alias = kids
            .iter()
            .find(|c| c.kind() == "identifier")
            .map(|a| self.t(*a).to_string());
        let last = module.rsplit('.').next().unwrap_or(&module).to_string();
        let (local, name) = if star {
            (String::new(), None)
        } else {
            (alias.unwrap_or_else(|| last.clone()), Some(last))
        };
        self.b.facts.imports.push(Import {
            module,
            local,
            name,
            line: line(n),
        });
    }

    // ---- names ----

    fn declare_local(&mut self, name: &str) {
        if let Some(Frame::Locals(s)) = self.frames.last_mut() {
            s.insert(name.to_string());
        }
    }

    fn resolve(&self, name: &str) -> Expr {
        let mut inner = true;
        for f in self.frames.iter().rev() {
            match f {
                Frame::Locals(s) if s.contains(name) => return Expr::Name(name.to_string()),
                Frame::Class {
                    fields, name: cls, ..
                } => {
                    if fields.contains(name) {
                        return if inner {
                            Expr::Attr(Box::new(Expr::SelfRef), name.to_string())
                        } else {
                            Expr::Attr(Box::new(Expr::Name(cls.clone())), name.to_string())
                        };
                    }
                    inner = false;
                }
                _ => {}
            }
        }
        Expr::Name(name.to_string())
    }

    fn resolve_method(&self, name: &str) -> Expr {
        let mut inner = true;
        for f in self.frames.iter().rev() {
            if let Frame::Class {
                methods, name: cls, ..
            } = f
            {
                if methods.contains(name) {
                    return if inner {
                        Expr::Attr(Box::new(Expr::SelfRef), name.to_string())
                    } else {
                        Expr::Attr(Box::new(Expr::Name(cls.clone())), name.to_string())
                    };
                }
                inner = false;
            }
        }
        Expr::Name(name.to_string())
    }

    fn target_scope(&self, name: &str) -> Scope {
        for f in self.frames.iter().rev() {
            match f {
                Frame::Locals(s) if s.contains(name) => return self.b.local_scope(),
                Frame::Class { id, fields, .. } if fields.contains(name) => {
                    return Scope::Class(*id);
                }
                _ => {}
            }
        }
        self.b.local_scope()
    }

    fn innermost_class(&self) -> Option<ClassId> {
        self.frames.iter().rev().find_map(|f| match f {
            Frame::Class { id, .. } => Some(*id),
            _ => None,
        })
    }

    fn in_locals(&self) -> bool {
        matches!(self.frames.last(), Some(Frame::Locals(_)))
    }

    // ---- classes ----

    fn members(&self, n: Node) -> (HashSet<String>, HashSet<String>) {
        let mut fields = HashSet::new();
        let mut methods = HashSet::new();
        let mut stack = vec![n];
        while let Some(b) = stack.pop() {
            for m in named_children(b) {
                match m.kind() {
                    "primary_constructor"
                    | "class_parameters"
                    | "class_body"
                    | "enum_class_body" => stack.push(m),
                    "companion_object" => stack.push(m),
                    "class_parameter" => {
                        let mut w = m.walk();
                        let is_prop = m
                            .children(&mut w)
                            .any(|c| !c.is_named() && matches!(text(c, self.src), "val" | "var"));
                        if is_prop
                            && let Some(id) = named_children(m)
                                .into_iter()
                                .find(|c| c.kind() == "identifier")
                        {
                            fields.insert(self.t(id).to_string());
                        }
                    }
                    "property_declaration" => {
                        for v in named_children(m) {
                            if v.kind() == "variable_declaration"
                                && let Some(id) = named_children(v)
                                    .into_iter()
                                    .find(|c| c.kind() == "identifier")
                            {
                                fields.insert(self.t(id).to_string());
                            }
                        }
                    }
                    "enum_entry" => {
                        if let Some(id) = named_children(m)
                            .into_iter()
                            .find(|c| c.kind() == "identifier")
                        {
                            fields.insert(self.t(id).to_string());
                        }
                    }
                    "function_declaration" => {
                        if let Some(nm) = m.child_by_field_name("name") {
                            methods.insert(self.t(nm).to_string());
                        }
                    }
                    _ => {}
                }
            }
        }
        (fields, methods)
    }

    fn bases(&mut self, n: Node) -> Vec<String> {
        let mut out = Vec::new();
        for d in named_children(n) {
            if d.kind() != "delegation_specifiers" {
                continue;
            }
            for s in named_children(d) {
                for c in named_children(s) {
                    let ty = match c.kind() {
                        "constructor_invocation" | "explicit_delegation" => named_children(c)
                            .into_iter()
                            .find(|x| x.kind().ends_with("type"))
                            .map(|x| clean_type(self.t(x))),
                        "annotation" => None,
                        _ => Some(clean_type(self.t(c))),
                    };
                    out.extend(ty);
                }
            }
        }
        out
    }

    /// `: Base(token)` in a class header: the super constructor call.
    fn super_calls(&mut self, n: Node) {
        for d in named_children(n) {
            if d.kind() != "delegation_specifiers" {
                continue;
            }
            for s in named_children(d) {
                for c in named_children(s) {
                    if c.kind() == "constructor_invocation" {
                        let args = named_children(c)
                            .into_iter()
                            .find(|x| x.kind() == "value_arguments")
                            .map(|a| self.args(a))
                            .unwrap_or_default();
                        self.b.begin_stmt(line(c));
                        self.record_call(c, Expr::SuperRef, args, false);
                        self.b.end_stmt();
                    } else if c.kind() == "explicit_delegation" {
                        for e in named_children(c) {
                            if !e.kind().ends_with("type") {
                                self.expr(e);
                            }
                        }
                    }
                }
            }
        }
    }

    fn class(&mut self, n: Node) {
        let name = n
            .child_by_field_name("name")
            .map(|x| self.t(x).to_string())
            .unwrap_or_default();
        self.annotations(n, false);
        let bases = self.bases(n);
        let id = self.b.begin_class(Class {
            name: name.clone(),
            bases,
            line: line(n),
        });
        let (fields, methods) = self.members(n);
        self.frames.push(Frame::Class {
            id,
            name: name.clone(),
            fields,
            methods,
        });
        let saved = self.static_ctx;
        self.static_ctx = n.kind() == "object_declaration";
        let body = named_children(n)
            .into_iter()
            .find(|c| matches!(c.kind(), "class_body" | "enum_class_body"));
        let ctor = named_children(n)
            .into_iter()
            .find(|c| c.kind() == "primary_constructor");
        match ctor {
            Some(pc) => {
                // The primary constructor: parameters, super call, property initializers, init blocks.
                self.annotations(pc, false);
                let params_node = named_children(pc)
                    .into_iter()
                    .find(|c| c.kind() == "class_parameters");
                let (params, props) = match params_node {
                    Some(p) => self.class_params(p),
                    None => (Vec::new(), Vec::new()),
                };
                self.b.begin_fn(
                    Function {
                        name: name.clone(),
                        class: Some(id),
                        parent: None,
                        params: params.clone(),
                        is_constructor: true,
                        is_static: false,
                        returns: Vec::new(),
                        line: line(n),
                        end_line: end_line(n),
                    },
                    false,
                );
                if let Some(p) = params_node {
                    for cp in named_children(p) {
                        self.annotations(cp, true);
                    }
                }
                for (pname, ty, public, at) in props {
                    self.push_binding(
                        Scope::Class(id),
                        &pname,
                        Expr::Name(pname.clone()),
                        at,
                        ty,
                        public,
                    );
                }
                self.frames.push(Frame::Locals(
                    params.iter().map(|p| p.name.clone()).collect(),
                ));
                self.super_calls(n);
                if let Some(b) = body {
                    self.class_body(b, Some(true));
                }
                self.frames.pop();
                self.b.end_fn();
                if let Some(b) = body {
                    self.class_body(b, Some(false));
                }
            }
            None => {
                self.super_calls(n);
                if let Some(b) = body {
                    self.class_body(b, None);
                }
            }
        }
        self.static_ctx = saved;
        self.frames.pop();
        self.b.end_class();
    }

    /// Walks a class body. `initializers`: `Some(true)` walks only property initializers and `init`
    /// blocks (inside the primary constructor), `Some(false)` everything else, `None` all members.
    fn class_body(&mut self, body: Node, initializers: Option<bool>) {
        for m in named_children(body) {
            let init = matches!(m.kind(), "property_declaration" | "anonymous_initializer");
            if initializers.is_some_and(|i| i != init) {
                continue;
            }
            match m.kind() {
                "enum_entry" => self.enum_entry(m),
                "class_member_declaration" | "class_body" => self.class_body(m, initializers),
                _ => self.stmt(m),
            }
        }
    }

    fn enum_entry(&mut self, n: Node) {
        let Some(id) = named_children(n)
            .into_iter()
            .find(|c| c.kind() == "identifier")
        else {
            return;
        };
        let name = self.t(id).to_string();
        let Some(cls) = self.innermost_class() else {
            return;
        };
        let cls_name = self
            .b
            .facts
            .classes
            .get(cls)
            .map(|c| c.name.clone())
            .unwrap_or_default();
        self.b.begin_stmt(line(n));
        let value = match named_children(n)
            .into_iter()
            .find(|c| c.kind() == "value_arguments")
        {
            Some(a) => {
                let args = self.args(a);
                self.record_call(n, Expr::Name(cls_name.clone()), args, true)
            }
            None => Expr::Unknown,
        };
        self.push_binding(Scope::Class(cls), &name, value, id, Some(cls_name), true);
        if let Some(b) = named_children(n)
            .into_iter()
            .find(|c| c.kind() == "class_body")
        {
            self.class_body(b, None);
        }
        self.b.end_stmt();
    }

    /// Primary constructor parameters, and the `val`/`var` ones as (name, type, public, node).
    #[allow(clippy::type_complexity)]
    fn class_params<'t>(
        &mut self,
        list: Node<'t>,
    ) -> (Vec<Param>, Vec<(String, Option<String>, bool, Node<'t>)>) {
        let mut params = Vec::new();
        let mut props = Vec::new();
        for cp in named_children(list) {
            if cp.kind() != "class_parameter" {
                continue;
            }
            let kids = named_children(cp);
            let Some(id) = kids.iter().find(|c| c.kind() == "identifier") else {
                continue;
            };
            let name = self.t(*id).to_string();
            let ty = kids
                .iter()
                .find(|c| {
                    matches!(
                        c.kind(),
                        "user_type" | "nullable_type" | "function_type" | "non_nullable_type"
                    )
                })
                .map(|t| clean_type(self.t(*t)));
            let default_node = kids
                .iter()
                .rev()
                .find(|c| {
                    c.start_byte() > id.end_byte()
                        && !matches!(
                            c.kind(),
                            "user_type"
                                | "nullable_type"
                                | "function_type"
                                | "non_nullable_type"
                                | "modifiers"
                                | "line_comment"
                                | "block_comment"
                        )
                })
                .copied();
            let words = modifier_words(cp, self.src);
            let rest = words.iter().any(|w| w == "vararg");
            let mut default = default_node.map(|d| self.expr(d));
            if let Some(env) = self.value_annotation(cp) {
                default = Some(env);
            }
            let mut w = cp.walk();
            let is_prop = cp
                .children(&mut w)
                .any(|c| !c.is_named() && matches!(text(c, self.src), "val" | "var"));
            if is_prop {
                let public = !words.iter().any(|w| w == "private" || w == "protected");
                props.push((name.clone(), ty.clone(), public, *id));
            }
            params.push(Param {
                name,
                ty,
                default,
                rest,
                fields: Vec::new(),
            });
        }
        (params, props)
    }

    // ---- annotations ----

    fn annotation_name(&self, a: Node) -> Option<String> {
        for c in named_children(a) {
            match c.kind() {
                "constructor_invocation" => {
                    let t = named_children(c)
                        .into_iter()
                        .find(|x| x.kind().ends_with("type"))?;
                    return Some(clean_type(self.t(t)));
                }
                "user_type" | "type" | "nullable_type" => return Some(clean_type(self.t(c))),
                _ => {}
            }
        }
        None
    }

    fn annotation_args(&mut self, a: Node) -> Vec<Arg> {
        for c in named_children(a) {
            if c.kind() == "constructor_invocation"
                && let Some(v) = named_children(c)
                    .into_iter()
                    .find(|x| x.kind() == "value_arguments")
            {
                return self.args(v);
            }
        }
        Vec::new()
    }

    /// Emits a declaration's annotations (in its `modifiers` / `parameter_modifiers`) as `@Name` calls.
    fn annotations(&mut self, n: Node, skip_value: bool) {
        for m in named_children(n) {
            if !matches!(m.kind(), "modifiers" | "parameter_modifiers") {
                continue;
            }
            for a in named_children(m) {
                if a.kind() != "annotation" {
                    continue;
                }
                let Some(name) = self.annotation_name(a) else {
                    continue;
                };
                if skip_value && name.rsplit('.').next() == Some("Value") {
                    continue;
                }
                self.b.begin_stmt(line(a));
                let args = self.annotation_args(a);
                self.record_call(a, Expr::Name(format!("@{name}")), args, false);
                self.b.end_stmt();
            }
        }
    }

    fn value_annotation(&mut self, n: Node) -> Option<Expr> {
        for m in named_children(n) {
            if !matches!(m.kind(), "modifiers" | "parameter_modifiers") {
                continue;
            }
            for a in named_children(m) {
                if a.kind() != "annotation" {
                    continue;
                }
                let name = self.annotation_name(a)?;
                if name.rsplit('.').next() != Some("Value") {
                    continue;
                }
                let args = self.annotation_args(a);
                let v = args
                    .into_iter()
                    .find(|x| x.name.is_none() || x.name.as_deref() == Some("value"))?
                    .value;
                return Some(match v {
                    Expr::Str(s) => placeholder(&s).unwrap_or(Expr::Str(s)),
                    other => other,
                });
            }
        }
        None
    }

    // ---- declarations ----

    fn property(&mut self, n: Node) {
        let kids = named_children(n);
        let words = modifier_words(n, self.src);
        let public = !words.iter().any(|w| w == "private" || w == "protected");
        let env = self.value_annotation(n);
        self.annotations(n, true);
        let mut names: Vec<(String, Option<String>, Node)> = Vec::new();
        for v in &kids {
            match v.kind() {
                "variable_declaration" => {
                    let vk = named_children(*v);
                    if let Some(id) = vk.iter().find(|c| c.kind() == "identifier") {
                        let ty = vk
                            .iter()
                            .find(|c| c.kind() != "identifier" && c.kind() != "annotation")
                            .map(|t| clean_type(self.t(*t)));
                        names.push((self.t(*id).to_string(), ty, *id));
                    }
                }
                "multi_variable_declaration" => {
                    for (i, d) in named_children(*v).into_iter().enumerate() {
                        if let Some(id) = named_children(d)
                            .into_iter()
                            .find(|c| c.kind() == "identifier")
                        {
                            // `val (a, b) = pair`: positional components.
                            names.push((format!("{}\u{0}{i}", self.t(id)), None, id));
                        }
                    }
                }
                _ => {}
            }
        }
        let first = names.first().map(|(n, _, _)| n.clone()).unwrap_or_default();
        let mut value = None;
        for v in &kids {
            match v.kind() {
                "variable_declaration"
                | "multi_variable_declaration"
                | "modifiers"
                | "type_parameters"
                | "type_constraints"
                | "setter"
                | "line_comment"
                | "block_comment" => {}
                "user_type" | "nullable_type" | "type_modifiers" | "parenthesized_type" => {}
                "property_delegate" => {
                    value = Some(self.delegate(*v, &first));
                }
                "getter" => {
                    let body = named_children(*v)
                        .into_iter()
                        .find(|c| c.kind() == "function_body");
                    if let Some(b) = body {
                        let e = self.function_body_value(b);
                        if value.is_none() {
                            value = Some(e);
                        }
                    }
                }
                _ => {
                    value = Some(self.expr_named(*v, &first));
                }
            }
        }
        // A member when declared in a class body (its initializer runs in the primary constructor, whose
        // parameters are then the innermost frame), a top-level name in the file, else a local.
        let member = n
            .parent()
            .is_some_and(|p| matches!(p.kind(), "class_body" | "enum_class_body"));
        let in_fn = !member && self.in_locals();
        let scope = match (member, self.innermost_class()) {
            (true, Some(c)) => Scope::Class(c),
            _ if in_fn => self.b.local_scope(),
            (_, Some(c)) => Scope::Class(c),
            _ => Scope::Module,
        };
        let value = value.or(env).unwrap_or(Expr::Unknown);
        let multi = names.len() > 1;
        for (name, ty, at) in names {
            let (name, v) = match name.split_once('\u{0}') {
                Some((nm, i)) => (
                    nm.to_string(),
                    if multi {
                        Expr::Index(Box::new(value.clone()), Box::new(Expr::Str(i.to_string())))
                    } else {
                        value.clone()
                    },
                ),
                None => (name, value.clone()),
            };
            if name == "_" {
                continue;
            }
            if in_fn {
                self.declare_local(&name);
            }
            self.push_binding(scope, &name, v, at, ty, public && !in_fn);
        }
    }

    /// `by lazy { expr }` → the lambda's value; other delegates → Unknown.
    fn delegate(&mut self, d: Node, name: &str) -> Expr {
        let Some(e) = named_children(d).into_iter().next() else {
            return Expr::Unknown;
        };
        let v = self.expr_named(e, name);
        if let Expr::Call(c) = &v
            && matches!(&c.callee, Expr::Name(n) if n == "lazy")
            && let Some(Arg {
                value: Expr::Func(f),
                ..
            }) = c.args.last()
        {
            return self.b.facts.functions[*f]
                .returns
                .last()
                .cloned()
                .unwrap_or(Expr::Unknown);
        }
        Expr::Unknown
    }

    /// The value of an expression body (`= expr`), or Unknown for a block body (walked either way).
    fn function_body_value(&mut self, b: Node) -> Expr {
        match named_children(b).into_iter().next() {
            Some(c) if c.kind() == "block" => {
                self.stmts(c);
                Expr::Unknown
            }
            Some(c) => self.expr(c),
            None => Expr::Unknown,
        }
    }

    fn params<'t>(&mut self, list: Node<'t>) -> (Vec<Param>, Vec<Node<'t>>) {
        let mut params: Vec<Param> = Vec::new();
        let mut mods: Vec<Node<'t>> = Vec::new();
        let mut pending: Option<Node<'t>> = None;
        for c in named_children(list) {
            match c.kind() {
                "parameter_modifiers" => pending = Some(c),
                "parameter" => {
                    let kids = named_children(c);
                    let name = kids
                        .iter()
                        .find(|x| x.kind() == "identifier")
                        .map(|x| self.t(*x).to_string())
                        .unwrap_or_else(|| "_".into());
                    let ty = kids
                        .iter()
                        .find(|x| x.kind() != "identifier")
                        .map(|x| clean_type(self.t(*x)));
                    let mut rest = false;
                    let mut default = None;
                    if let Some(m) = pending.take() {
                        let mut w = m.walk();
                        rest = m.children(&mut w).any(|x| text(x, self.src) == "vararg");
                        default = self.value_annotation_of(m);
                        mods.push(m);
                    }
                    params.push(Param {
                        name,
                        ty,
                        default,
                        rest,
                        fields: Vec::new(),
                    });
                }
                "line_comment" | "block_comment" => {}
                _ => {
                    // A default value follows its parameter.
                    let v = self.expr(c);
                    if let Some(p) = params.last_mut()
                        && p.default.is_none()
                    {
                        p.default = Some(v);
                    }
                }
            }
        }
        (params, mods)
    }

    /// `@Value` inside a `parameter_modifiers` node.
    fn value_annotation_of(&mut self, m: Node) -> Option<Expr> {
        for a in named_children(m) {
            if a.kind() != "annotation" {
                continue;
            }
            if self.annotation_name(a)?.rsplit('.').next() != Some("Value") {
                continue;
            }
            let args = self.annotation_args(a);
            let v = args
                .into_iter()
                .find(|x| x.name.is_none() || x.name.as_deref() == Some("value"))?
                .value;
            return Some(match v {
                Expr::Str(s) => placeholder(&s).unwrap_or(Expr::Str(s)),
                other => other,
            });
        }
        None
    }

    /// A named function, secondary constructor or anonymous function; returns its id.
    fn function(&mut self, n: Node, name_hint: Option<&str>) -> usize {
        let ctor = n.kind() == "secondary_constructor";
        let anon = n.kind() == "anonymous_function";
        let class = if anon { None } else { self.innermost_class() };
        let name = if ctor {
            class
                .and_then(|c| self.b.facts.classes.get(c))
                .map(|c| c.name.clone())
                .unwrap_or_default()
        } else {
            n.child_by_field_name("name")
                .map(|x| self.t(x).to_string())
                .or(name_hint.map(str::to_string))
                .unwrap_or_default()
        };
        let (params, mods) = match named_children(n)
            .into_iter()
            .find(|c| c.kind() == "function_value_parameters")
        {
            Some(p) => self.params(p),
            None => (Vec::new(), Vec::new()),
        };
        let id = self.b.begin_fn(
            Function {
                name,
                class,
                parent: None,
                params: params.clone(),
                is_constructor: ctor,
                is_static: !anon && class.is_some() && self.static_ctx,
                returns: Vec::new(),
                line: line(n),
                end_line: end_line(n),
            },
            false,
        );
        self.annotations(n, false);
        for m in mods {
            self.annotations_in(m);
        }
        self.frames.push(Frame::Locals(
            params.iter().map(|p| p.name.clone()).collect(),
        ));
        for c in named_children(n) {
            match c.kind() {
                "constructor_delegation_call" => {
                    let callee = if self.t(c).trim_start().starts_with("super") {
                        Expr::SuperRef
                    } else {
                        Expr::SelfRef
                    };
                    let args = named_children(c)
                        .into_iter()
                        .find(|x| x.kind() == "value_arguments")
                        .map(|a| self.args(a))
                        .unwrap_or_default();
                    self.b.begin_stmt(line(c));
                    self.record_call(c, callee, args, false);
                    self.b.end_stmt();
                }
                "block" => self.stmts(c),
                "function_body" => {
                    let v = self.function_body_value(c);
                    if named_children(c)
                        .first()
                        .is_some_and(|b| b.kind() != "block")
                    {
                        self.b.ret(v);
                    }
                }
                _ => {}
            }
        }
        self.frames.pop();
        self.b.end_fn();
        id
    }

    /// Annotations in a `parameter_modifiers` node other than `@Value`.
    fn annotations_in(&mut self, m: Node) {
        for a in named_children(m) {
            if a.kind() != "annotation" {
                continue;
            }
            let Some(name) = self.annotation_name(a) else {
                continue;
            };
            if name.rsplit('.').next() == Some("Value") {
                continue;
            }
            self.b.begin_stmt(line(a));
            let args = self.annotation_args(a);
            self.record_call(a, Expr::Name(format!("@{name}")), args, false);
            self.b.end_stmt();
        }
    }

    fn lambda(&mut self, n: Node, name: &str) -> Expr {
        if self.depth > DEPTH_LIMIT {
            return Expr::Unknown;
        }
        self.depth += 1;
        let e = self.lambda_inner(n, name);
        self.depth -= 1;
        e
    }

    fn lambda_inner(&mut self, n: Node, name: &str) -> Expr {
        let mut params = Vec::new();
        for c in named_children(n) {
            if c.kind() == "lambda_parameters" {
                for v in named_children(c) {
                    let kids = named_children(v);
                    let pname = kids
                        .iter()
                        .find(|x| x.kind() == "identifier")
                        .map(|x| self.t(*x).to_string())
                        .unwrap_or_else(|| "_".into());
                    let ty = kids
                        .iter()
                        .find(|x| x.kind() != "identifier")
                        .map(|x| clean_type(self.t(*x)));
                    params.push(Param {
                        name: pname,
                        ty,
                        default: None,
                        rest: false,
                        fields: Vec::new(),
                    });
                }
            }
        }
        let id = self.b.begin_fn(
            Function {
                name: name.to_string(),
                class: None,
                parent: None,
                params: params.clone(),
                is_constructor: false,
                is_static: false,
                returns: Vec::new(),
                line: line(n),
                end_line: end_line(n),
            },
            false,
        );
        let mut locals: HashSet<String> = params.iter().map(|p| p.name.clone()).collect();
        if params.is_empty() {
            locals.insert("it".into());
        }
        self.frames.push(Frame::Locals(locals));
        let body: Vec<Node> = named_children(n)
            .into_iter()
            .filter(|c| {
                !matches!(
                    c.kind(),
                    "lambda_parameters" | "line_comment" | "block_comment"
                )
            })
            .collect();
        let count = body.len();
        for (i, c) in body.into_iter().enumerate() {
            // The last expression is the lambda's value.
            if i + 1 == count && !is_declaration(c.kind()) {
                self.b.begin_stmt(line(c));
                let v = self.expr(c);
                if c.kind() != "return_expression" {
                    self.b.ret(v);
                }
                self.b.end_stmt();
            } else {
                self.stmt(c);
            }
        }
        self.frames.pop();
        self.b.end_fn();
        Expr::Func(id)
    }

    fn assignment(&mut self, n: Node) {
        let (Some(l), Some(r)) = (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
        ) else {
            for c in named_children(n) {
                self.visit(c);
            }
            return;
        };
        let op = n
            .child_by_field_name("operator")
            .map(|o| self.t(o))
            .unwrap_or("=");
        let target = self.target(l);
        let hint = target.as_ref().map(|(_, n)| n.clone()).unwrap_or_default();
        let value = self.expr_named(r, &hint);
        let bound = match op {
            "=" => value,
            "+=" => {
                let cur = self.expr(l);
                concat(vec![cur, value])
            }
            _ => Expr::Unknown,
        };
        match target {
            Some((scope, name)) => self.push_binding(scope, &name, bound, l, None, false),
            None => {
                self.expr(l);
            }
        }
    }

    fn target(&self, l: Node) -> Option<(Scope, String)> {
        match l.kind() {
            "identifier" => {
                let name = self.t(l).to_string();
                Some((self.target_scope(&name), name))
            }
            "navigation_expression" | "index_expression" => {
                let mut parts = Vec::new();
                let mut cur = l;
                loop {
                    let kids = named_children(cur);
                    match cur.kind() {
                        "navigation_expression" => {
                            let [o, f] = kids.as_slice() else {
                                return None;
                            };
                            parts.push(self.t(*f).to_string());
                            cur = *o;
                        }
                        "index_expression" => {
                            let [o, k] = kids.as_slice() else {
                                return None;
                            };
                            let key = self.plain_string(*k)?;
                            parts.push(key);
                            cur = *o;
                        }
                        "this_expression" => {
                            parts.reverse();
                            let c = self.innermost_class()?;
                            return Some((Scope::Class(c), parts.join(".")));
                        }
                        "identifier" => break,
                        _ => return None,
                    }
                }
                parts.reverse();
                let root = self.t(cur);
                if let Expr::Attr(o, f) = self.resolve(root)
                    && *o == Expr::SelfRef
                {
                    let c = self.innermost_class()?;
                    return Some((Scope::Class(c), format!("{f}.{}", parts.join("."))));
                }
                Some((self.b.local_scope(), format!("{root}.{}", parts.join("."))))
            }
            _ => None,
        }
    }

    /// A string literal without templates, decoded.
    fn plain_string(&self, n: Node) -> Option<String> {
        if n.kind() != "string_literal" {
            return None;
        }
        let mut out = String::new();
        for c in named_children(n) {
            match c.kind() {
                "string_content" => out.push_str(self.t(c)),
                "escape_sequence" => out.push_str(&decode_escapes(self.t(c))),
                _ => return None,
            }
        }
        Some(out)
    }

    // ---- expressions ----

    fn expr_named(&mut self, n: Node, name: &str) -> Expr {
        if self.depth > DEPTH_LIMIT {
            return Expr::Unknown;
        }
        self.depth += 1;
        let e = match n.kind() {
            "lambda_literal" => self.lambda(n, name),
            "anonymous_function" => Expr::Func(self.function(n, Some(name))),
            _ => self.expr_inner(n),
        };
        self.depth -= 1;
        e
    }

    fn expr(&mut self, n: Node) -> Expr {
        if self.depth > DEPTH_LIMIT {
            return Expr::Unknown;
        }
        self.depth += 1;
        let e = self.expr_inner(n);
        self.depth -= 1;
        e
    }

    /// A string literal / template. The grammar lexes `$name` as content `$` followed by content starting
    /// with the name, so short templates are split here.
    fn string(&mut self, n: Node) -> Expr {
        let multiline = n.kind() == "multiline_string_literal";
        let kids = named_children(n);
        let mut parts = Vec::new();
        let mut dollar = false;
        for c in kids {
            match c.kind() {
                "string_content" => {
                    let mut s = self.t(c);
                    if dollar {
                        dollar = false;
                        if s.starts_with(is_ident_start) {
                            let end = s
                                .find(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                                .unwrap_or(s.len());
                            parts.push(self.resolve(&s[..end]));
                            s = &s[end..];
                        } else {
                            parts.push(Expr::Str("$".into()));
                        }
                    }
                    if s == "$" && !multiline {
                        dollar = true;
                        continue;
                    }
                    // A raw string's content may hold `$` followed by a name too.
                    if multiline {
                        self.raw_with_templates(s, &mut parts);
                    } else {
                        parts.push(Expr::Str(s.to_string()));
                    }
                }
                "escape_sequence" => {
                    if std::mem::take(&mut dollar) {
                        parts.push(Expr::Str("$".into()));
                    }
                    parts.push(Expr::Str(decode_escapes(self.t(c))));
                }
                "interpolation" => {
                    if std::mem::take(&mut dollar) {
                        parts.push(Expr::Str("$".into()));
                    }
                    let v = match named_children(c).first() {
                        Some(e) if e.kind() == "identifier" => self.resolve(self.t(*e)),
                        Some(e) => self.expr(*e),
                        None => Expr::Unknown,
                    };
                    parts.push(v);
                }
                _ => {}
            }
        }
        if dollar {
            parts.push(Expr::Str("$".into()));
        }
        concat(parts)
    }

    fn raw_with_templates(&self, s: &str, parts: &mut Vec<Expr>) {
        let mut rest = s;
        while let Some(i) = rest.find('$') {
            let after = &rest[i + 1..];
            if after.starts_with(is_ident_start) {
                parts.push(Expr::Str(rest[..i].to_string()));
                let end = after
                    .find(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                    .unwrap_or(after.len());
                parts.push(self.resolve(&after[..end]));
                rest = &after[end..];
            } else {
                parts.push(Expr::Str(rest[..=i].to_string()));
                rest = after;
            }
        }
        parts.push(Expr::Str(rest.to_string()));
    }

    fn expr_inner(&mut self, n: Node) -> Expr {
        match n.kind() {
            "string_literal" | "multiline_string_literal" => self.string(n),
            "character_literal" => Expr::Str(decode_escapes(
                self.t(n).trim_start_matches('\'').trim_end_matches('\''),
            )),
            "number_literal" | "float_literal" => Expr::Str(self.t(n).to_string()),
            "identifier" => match self.t(n) {
                "true" | "false" => Expr::Str(self.t(n).to_string()),
                "null" => Expr::Unknown,
                name => self.resolve(name),
            },
            "this_expression" => Expr::SelfRef,
            "super_expression" => Expr::SuperRef,
            "parenthesized_expression" | "annotated_expression" | "labeled_expression" => {
                match named_children(n)
                    .into_iter()
                    .rfind(|c| !matches!(c.kind(), "annotation" | "label"))
                {
                    Some(c) => self.expr(c),
                    None => Expr::Unknown,
                }
            }
            "as_expression" => match n.child_by_field_name("left") {
                Some(v) => self.expr(v),
                None => Expr::Unknown,
            },
            "unary_expression" => {
                let op = n
                    .child_by_field_name("operator")
                    .map(|o| self.t(o))
                    .unwrap_or("");
                let v = n.child_by_field_name("argument").map(|a| self.expr(a));
                match (op, v) {
                    ("!!", Some(v)) => v,
                    (op @ ("-" | "+"), Some(Expr::Str(s))) => Expr::Str(format!("{op}{s}")),
                    _ => Expr::Unknown,
                }
            }
            "navigation_expression" => {
                let kids = named_children(n);
                let [o, f] = kids.as_slice() else {
                    for c in kids {
                        self.visit(c);
                    }
                    return Expr::Unknown;
                };
                let obj = self.expr(*o);
                Expr::Attr(Box::new(obj), self.t(*f).to_string())
            }
            "index_expression" => {
                let kids = named_children(n);
                let [o, k] = kids.as_slice() else {
                    for c in kids {
                        self.visit(c);
                    }
                    return Expr::Unknown;
                };
                let obj = self.expr(*o);
                match self.expr(*k) {
                    Expr::Str(key) if k.kind() == "string_literal" => {
                        Expr::Attr(Box::new(obj), key)
                    }
                    key => Expr::Index(Box::new(obj), Box::new(key)),
                }
            }
            "binary_expression" => self.binary(n),
            "if_expression" => {
                if let Some(c) = n.child_by_field_name("condition") {
                    self.expr(c);
                }
                let mut branches = Vec::new();
                for c in named_children(n) {
                    if Some(c) == n.child_by_field_name("condition") {
                        continue;
                    }
                    match c.kind() {
                        "block" => {
                            let last = named_children(c).into_iter().last();
                            for s in named_children(c) {
                                if Some(s) == last && !is_declaration(s.kind()) {
                                    self.b.begin_stmt(line(s));
                                    branches.push(self.expr(s));
                                    self.b.end_stmt();
                                } else {
                                    self.stmt(s);
                                }
                            }
                            if last.is_none() {
                                branches.push(Expr::Unknown);
                            }
                        }
                        "assignment" => {
                            self.assignment(c);
                            branches.push(Expr::Unknown);
                        }
                        "line_comment" | "block_comment" => {}
                        _ => branches.push(self.expr(c)),
                    }
                }
                if branches.len() == 1 {
                    branches.push(Expr::Unknown);
                }
                Expr::Choice(branches)
            }
            "lambda_literal" => self.lambda(n, ""),
            "anonymous_function" => Expr::Func(self.function(n, None)),
            "call_expression" => self.call(n),
            "object_literal" => {
                let bases = self.bases(n);
                let id = self.b.begin_class(Class {
                    name: String::new(),
                    bases,
                    line: line(n),
                });
                let body = named_children(n)
                    .into_iter()
                    .find(|c| c.kind() == "class_body");
                let (fields, methods) = match body {
                    Some(b) => self.members(b),
                    None => Default::default(),
                };
                self.frames.push(Frame::Class {
                    id,
                    name: String::new(),
                    fields,
                    methods,
                });
                self.super_calls(n);
                if let Some(b) = body {
                    self.class_body(b, None);
                }
                self.frames.pop();
                self.b.end_class();
                Expr::Unknown
            }
            "collection_literal" => {
                let items = named_children(n)
                    .into_iter()
                    .filter(|c| !c.kind().ends_with("comment"))
                    .enumerate()
                    .map(|(i, c)| (i.to_string(), self.expr(c)))
                    .collect();
                Expr::Object(items)
            }
            "return_expression" => {
                if let Some(c) = named_children(n)
                    .into_iter()
                    .find(|c| Some(*c) != n.child_by_field_name("label"))
                {
                    let v = self.expr(c);
                    self.b.ret(v);
                }
                Expr::Unknown
            }
            "assignment" => {
                self.assignment(n);
                Expr::Unknown
            }
            "property_declaration"
            | "class_declaration"
            | "object_declaration"
            | "function_declaration"
            | "for_statement"
            | "while_statement"
            | "do_while_statement"
            | "block" => {
                self.visit(n);
                Expr::Unknown
            }
            "when_entry" | "try_expression" | "catch_block" | "finally_block" => {
                for c in named_children(n) {
                    match c.kind() {
                        "block" => self.stmts(c),
                        "identifier" | "user_type" | "nullable_type" => {}
                        _ => {
                            self.b.begin_stmt(line(c));
                            self.visit(c);
                            self.b.end_stmt();
                        }
                    }
                }
                Expr::Unknown
            }
            _ => {
                for c in named_children(n) {
                    self.visit(c);
                }
                Expr::Unknown
            }
        }
    }

    fn binary(&mut self, n: Node) -> Expr {
        let op = n
            .child_by_field_name("operator")
            .map(|o| self.t(o))
            .unwrap_or("");
        let (Some(ln), Some(rn)) = (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
        ) else {
            return Expr::Unknown;
        };
        // `client.get<T>(url)` is parsed as `client.get < T > (url)`.
        if op == ">"
            && ln.kind() == "binary_expression"
            && rn.kind() == "parenthesized_expression"
            && ln
                .child_by_field_name("operator")
                .is_some_and(|o| self.t(o) == "<")
            && let Some(callee_node) = ln.child_by_field_name("left")
            && ln
                .child_by_field_name("right")
                .is_some_and(|t| matches!(t.kind(), "identifier" | "navigation_expression"))
            && self
                .t(callee_node)
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
        {
            let callee = self.callee(callee_node);
            let args = named_children(rn)
                .into_iter()
                .map(|a| Arg {
                    name: None,
                    value: self.expr(a),
                    spread: false,
                })
                .collect();
            return self.record_call(n, callee, args, false);
        }
        let l = self.expr(ln);
        let r = self.expr(rn);
        match op {
            "+" => concat(vec![l, r]),
            "?:" => match l {
                Expr::Env {
                    name,
                    default: None,
                } => Expr::Env {
                    name,
                    default: Some(Box::new(r)),
                },
                l => Expr::Choice(vec![l, r]),
            },
            _ => Expr::Unknown,
        }
    }

    fn callee(&mut self, f: Node) -> Expr {
        match f.kind() {
            "identifier" => {
                let name = self.t(f);
                // A local or parameter holding a function, else the class's own method, else a free name.
                let local = self
                    .frames
                    .iter()
                    .rev()
                    .take_while(|fr| matches!(fr, Frame::Locals(_)))
                    .any(|fr| matches!(fr, Frame::Locals(s) if s.contains(name)));
                if local {
                    Expr::Name(name.to_string())
                } else {
                    self.resolve_method(name)
                }
            }
            _ => self.expr(f),
        }
    }

    fn args(&mut self, list: Node) -> Vec<Arg> {
        let mut out = Vec::new();
        for a in named_children(list) {
            if a.kind() != "value_argument" {
                continue;
            }
            let kids: Vec<Node> = named_children(a)
                .into_iter()
                .filter(|c| !c.kind().ends_with("comment"))
                .collect();
            let (name, vnode) = match kids.as_slice() {
                [nm, v] if nm.kind() == "identifier" => (Some(self.t(*nm).to_string()), *v),
                [v] => (None, *v),
                _ => continue,
            };
            let (vnode, spread) = if vnode.kind() == "spread_expression" {
                match named_children(vnode).first() {
                    Some(c) => (*c, true),
                    None => continue,
                }
            } else {
                (vnode, false)
            };
            let value = self.expr_named(vnode, name.as_deref().unwrap_or(""));
            out.push(Arg {
                name,
                value,
                spread,
            });
        }
        out
    }

    fn record_call(&mut self, n: Node, callee: Expr, args: Vec<Arg>, new_object: bool) -> Expr {
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

    fn call(&mut self, n: Node) -> Expr {
        if self.depth > DEPTH_LIMIT {
            return Expr::Unknown;
        }
        self.depth += 1;
        let e = self.call_inner(n);
        self.depth -= 1;
        e
    }

    fn call_inner(&mut self, n: Node) -> Expr {
        let mut kids = named_children(n);
        // `f(x) { … }` is parsed as a call of `f(x)` with the trailing lambda: merge them.
        if kids.first().is_some_and(|k| k.kind() == "call_expression")
            && kids.iter().skip(1).all(|k| k.kind() != "value_arguments")
            && kids.iter().skip(1).any(|k| k.kind() == "annotated_lambda")
        {
            let mut inner = named_children(kids[0]);
            inner.extend(kids.into_iter().skip(1));
            kids = inner;
        }
        let Some(f) = kids.first().copied() else {
            return Expr::Unknown;
        };
        let callee = self.callee(f);
        let mut args = Vec::new();
        for c in kids.iter().skip(1) {
            match c.kind() {
                "value_arguments" => args.extend(self.args(*c)),
                "annotated_lambda" => {
                    if let Some(l) = named_children(*c)
                        .into_iter()
                        .find(|x| x.kind() == "lambda_literal")
                    {
                        let v = self.lambda(l, "");
                        args.push(Arg {
                            name: None,
                            value: v,
                            spread: false,
                        });
                    }
                }
                _ => {}
            }
        }
        let new_object = match &callee {
            Expr::Name(_) | Expr::Attr(_, _) => {
                !matches!(&callee, Expr::Attr(o, _) if **o == Expr::SelfRef)
                    && last_segment(&callee)
                        .and_then(|s| s.chars().next())
                        .is_some_and(|c| c.is_uppercase())
            }
            _ => false,
        };
        let special = self.special_value(&callee, &args);
        let call = self.record_call(n, callee, args, new_object);
        special.unwrap_or(call)
    }

    /// Values of well-known calls: env reads, `mapOf("k" to v)`, `"""…""".trimIndent()`.
    fn special_value(&self, callee: &Expr, args: &[Arg]) -> Option<Expr> {
        let first = args.first().map(|a| &a.value);
        match callee {
            Expr::Attr(o, m) if m == "getenv" && matches!(&**o, Expr::Name(s) if s == "System") => {
                match first {
                    Some(Expr::Str(name)) => Some(Expr::Env {
                        name: name.clone(),
                        default: None,
                    }),
                    _ => None,
                }
            }
            Expr::Attr(o, m) if m == "trimIndent" && args.is_empty() => match &**o {
                Expr::Str(s) => Some(Expr::Str(trim_indent(s))),
                Expr::Concat(parts) => {
                    // Trim around placeholders for the template's values.
                    let mut joined = String::new();
                    let mut values = Vec::new();
                    for p in parts {
                        match p {
                            Expr::Str(s) => joined.push_str(&s.replace('\u{1}', "")),
                            other => {
                                joined.push('\u{1}');
                                values.push(other.clone());
                            }
                        }
                    }
                    let trimmed = trim_indent(&joined);
                    let mut values = values.into_iter();
                    let mut out = Vec::new();
                    for (i, piece) in trimmed.split('\u{1}').enumerate() {
                        if i > 0 {
                            out.push(values.next().unwrap_or(Expr::Unknown));
                        }
                        out.push(Expr::Str(piece.to_string()));
                    }
                    Some(concat(out))
                }
                _ => None,
            },
            _ => None,
        }
    }
}

fn is_declaration(kind: &str) -> bool {
    matches!(
        kind,
        "property_declaration"
            | "class_declaration"
            | "object_declaration"
            | "function_declaration"
            | "assignment"
            | "for_statement"
            | "while_statement"
            | "do_while_statement"
            | "line_comment"
            | "block_comment"
    )
}

#[cfg(test)]
mod tests {
    use crate::program::facts::*;
    use crate::program::lang::testkit::{attr, kw as named, name as n, pos, s};
    use crate::program::parse::facts;
    use crate::scan::lang::Lang;

    fn kt(src: &str) -> FileFacts {
        facts(Lang::Kotlin, "T.kt", src).expect("parsed")
    }
    fn this(k: &str) -> Expr {
        attr(Expr::SelfRef, k)
    }
    fn binding<'a>(f: &'a FileFacts, name: &str) -> &'a Binding {
        f.bindings
            .iter()
            .find(|b| b.name == name)
            .unwrap_or_else(|| panic!("no binding {name}: {:#?}", f.bindings))
    }
    fn call_to<'a>(f: &'a FileFacts, method: &str) -> &'a Call {
        f.calls
            .iter()
            .find(|c| match &c.call.callee {
                Expr::Attr(_, m) => m == method,
                Expr::Name(m) => m == method,
                _ => false,
            })
            .unwrap_or_else(|| panic!("no call {method}: {:#?}", f.calls))
    }
    fn func(f: &FileFacts, name: &str) -> usize {
        f.functions
            .iter()
            .position(|x| x.name == name)
            .unwrap_or_else(|| panic!("no function {name}"))
    }

    #[test]
    fn package_imports() {
        let f = kt(
            "package com.acme.ghl\n\nimport io.ktor.client.*\nimport io.ktor.client.request.get as kget\nimport okhttp3.OkHttpClient\n",
        );
        assert_eq!(f.package.as_deref(), Some("com.acme.ghl"));
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
                ("io.ktor.client", "", None, 3),
                ("io.ktor.client.request.get", "kget", Some("get"), 4),
                (
                    "okhttp3.OkHttpClient",
                    "OkHttpClient",
                    Some("OkHttpClient"),
                    5
                ),
            ]
        );
    }

    #[test]
    fn primary_constructor_companion_and_ktor_wrapper() {
        let f = kt(r#"package x
class Api(private val client: HttpClient, val base: String = BASE, token: String) : Base(token), Closeable {
    companion object {
        const val BASE = "https://rest.gohighlevel.com/v1"
        fun create() = Api(HttpClient(CIO))
    }
    private val auth = "Bearer $token"

    suspend fun contact(id: String): HttpResponse {
        return client.get("$base/contacts/${id}") {
            header("Authorization", auth)
        }
    }

    suspend fun create(body: Contact) = client.post("$BASE/contacts") { setBody(body) }
}
"#);
        assert_eq!(f.classes.len(), 1);
        assert_eq!(f.classes[0].bases, vec!["Base", "Closeable"]);
        let ctor = func(&f, "Api");
        let c = &f.functions[ctor];
        assert!(c.is_constructor);
        assert_eq!(c.class, Some(0));
        assert_eq!(
            c.params
                .iter()
                .map(|p| (p.name.as_str(), p.ty.as_deref(), p.default.clone()))
                .collect::<Vec<_>>(),
            vec![
                ("client", Some("HttpClient"), None),
                ("base", Some("String"), Some(this("BASE"))),
                ("token", Some("String"), None),
            ]
        );
        let client = binding(&f, "client");
        assert_eq!(
            (
                client.scope,
                client.value.clone(),
                client.ty.as_deref(),
                client.exported
            ),
            (Scope::Class(0), n("client"), Some("HttpClient"), false)
        );
        assert!(binding(&f, "base").exported);
        assert!(!f.bindings.iter().any(|b| b.name == "token"));
        let base = binding(&f, "BASE");
        assert_eq!(base.scope, Scope::Class(0));
        assert_eq!(base.value, s("https://rest.gohighlevel.com/v1"));
        let sup = f
            .calls
            .iter()
            .find(|c| c.call.callee == Expr::SuperRef)
            .expect("super");
        assert_eq!(
            (sup.func, sup.call.args.clone()),
            (ctor, vec![pos(n("token"))])
        );
        assert_eq!(binding(&f, "auth").scope, Scope::Class(0));
        assert_eq!(
            binding(&f, "auth").value,
            Expr::Concat(vec![s("Bearer "), n("token")])
        );
        let create = f
            .functions
            .iter()
            .position(|x| x.name == "create")
            .expect("create");
        assert!(f.functions[create].is_static);
        let get = call_to(&f, "get");
        assert_eq!(get.func, func(&f, "contact"));
        assert_eq!(get.call.callee, attr(this("client"), "get"));
        assert_eq!(
            get.call.args[0],
            pos(Expr::Concat(vec![this("base"), s("/contacts/"), n("id")]))
        );
        let Expr::Func(lam) = get.call.args[1].value else {
            panic!()
        };
        let header = call_to(&f, "header");
        assert_eq!(header.func, lam);
        assert_eq!(
            header.call.args,
            vec![pos(s("Authorization")), pos(this("auth"))]
        );
        assert_eq!(header.stmt_line, 11);
        let post = call_to(&f, "post");
        assert_eq!(
            post.call.args[0].value,
            Expr::Concat(vec![this("BASE"), s("/contacts")])
        );
        let pf = f
            .functions
            .iter()
            .rposition(|x| x.name == "create")
            .expect("create fn");
        assert_eq!(f.functions[pf].returns.len(), 1);
        let set_body = call_to(&f, "setBody");
        assert_eq!(set_body.call.args, vec![pos(n("body"))]);
        let newc = f
            .calls
            .iter()
            .find(|c| c.call.callee == n("Api"))
            .expect("Api()");
        assert!(newc.call.new_object);
    }

    #[test]
    fn properties_env_templates_and_named_args() {
        let f = kt(r#"object Cfg {
    val key = System.getenv("GHL_KEY") ?: "none"
    val url: String = System.getenv("GHL_URL")
    private val raw = """
        {"a": "$key"}
    """.trimIndent()
    val dollars = "a \$b $ c"
    val headers = mapOf("Version" to "2021-07-28")
}
val top = "x"
private val hidden = 1
fun build(id: String) {
    val c = Contact(name = "a", email = id)
    var u = Cfg.url
    u += "/contacts"
    val pick = if (id.isEmpty()) "a" else "b"
    val r = client.get<Contact>(u)
}
"#);
        assert_eq!(
            binding(&f, "key").value,
            Expr::Env {
                name: "GHL_KEY".into(),
                default: Some(Box::new(s("none")))
            }
        );
        assert_eq!(binding(&f, "key").scope, Scope::Class(0));
        assert_eq!(binding(&f, "url").ty.as_deref(), Some("String"));
        assert_eq!(
            binding(&f, "raw").value,
            Expr::Concat(vec![s("{\"a\": \""), this("key"), s("\"}")])
        );
        assert_eq!(binding(&f, "dollars").value, s("a $b $ c"));
        let top = binding(&f, "top");
        assert_eq!((top.scope, top.exported), (Scope::Module, true));
        assert!(!binding(&f, "hidden").exported);
        let build = func(&f, "build");
        let c = call_to(&f, "Contact");
        assert!(c.call.new_object);
        assert_eq!(
            c.call.args,
            vec![named("name", s("a")), named("email", n("id"))]
        );
        let us: Vec<&Binding> = f.bindings.iter().filter(|b| b.name == "u").collect();
        assert_eq!(us.len(), 2);
        assert_eq!(us[0].value, attr(n("Cfg"), "url"));
        assert_eq!(us[1].value, Expr::Concat(vec![n("u"), s("/contacts")]));
        assert_eq!(us[1].scope, Scope::Function(build));
        assert_eq!(
            binding(&f, "pick").value,
            Expr::Choice(vec![s("a"), s("b")])
        );
        let g = call_to(&f, "get");
        assert_eq!(g.call.args, vec![pos(n("u"))]);
        assert_eq!(g.call.callee, attr(n("client"), "get"));
        let Expr::Call(m) = &binding(&f, "headers").value else {
            panic!()
        };
        assert_eq!(m.callee, n("mapOf"));
    }

    #[test]
    fn retrofit_okhttp_lambdas_and_spring() {
        let f = kt(r#"interface GhlApi {
    @Headers("Version: 2021-07-28")
    @GET("contacts/{id}")
    suspend fun contact(@Path("id") id: String): Contact
}
@Service
class Svc(@Value("\${ghl.base-url:https://rest.gohighlevel.com/v1}") private val base: String) {
    @Value("\${ghl.key}") lateinit var key: String
    private val http by lazy { OkHttpClient.Builder().build() }
    fun send(path: String): Response {
        val req = Request.Builder()
            .url(base + path)
            .post(body)
            .build()
        return http.newCall(req).execute()
    }
    val handler = { x: String -> "$base/$x" }
}
"#);
        let contact = func(&f, "contact");
        let get = call_to(&f, "@GET");
        assert_eq!(
            (get.func, get.call.args.clone()),
            (contact, vec![pos(s("contacts/{id}"))])
        );
        assert_eq!(call_to(&f, "@Headers").func, contact);
        assert_eq!(call_to(&f, "@Path").func, contact);
        assert_eq!(call_to(&f, "@Service").func, 0);
        let ctor = func(&f, "Svc");
        assert_eq!(
            f.functions[ctor].params[0].default,
            Some(Expr::Env {
                name: "ghl.base-url".into(),
                default: Some(Box::new(s("https://rest.gohighlevel.com/v1")))
            })
        );
        assert_eq!(
            binding(&f, "key").value,
            Expr::Env {
                name: "ghl.key".into(),
                default: None
            }
        );
        assert_eq!(binding(&f, "http").scope, Scope::Class(1));
        assert_eq!(binding(&f, "key").scope, Scope::Class(1));
        let Expr::Call(http) = &binding(&f, "http").value else {
            panic!("{:?}", binding(&f, "http").value)
        };
        assert!(matches!(&http.callee, Expr::Attr(_, m) if m == "build"));
        let url = call_to(&f, "url");
        assert_eq!(
            url.call.args,
            vec![pos(Expr::Concat(vec![this("base"), n("path")]))]
        );
        assert_eq!(url.stmt_line, 11);
        let Expr::Attr(b, _) = &url.call.callee else {
            panic!()
        };
        let Expr::Call(b) = &**b else { panic!() };
        assert!(b.new_object);
        assert_eq!(b.callee, attr(n("Request"), "Builder"));
        let exec = call_to(&f, "execute");
        assert_eq!(exec.func, func(&f, "send"));
        let h = func(&f, "handler");
        assert_eq!(binding(&f, "handler").value, Expr::Func(h));
        assert_eq!(f.functions[h].params[0].name, "x");
        assert_eq!(
            f.functions[h].returns,
            // A property initializer runs in the primary constructor: `base` is its parameter there.
            vec![Expr::Concat(vec![n("base"), s("/"), n("x")])]
        );
    }

    #[test]
    fn factory_returns_lambda_and_secondary_constructor() {
        let f = kt(r#"fun makeClient(base: String): (String) -> String {
    return { path -> base + path }
}
class A(val x: String) {
    constructor(c: Int) : this("d")
    init { println(x) }
    fun m() { this.x = "y"; list.forEach { g(it) } }
}
"#);
        let mk = func(&f, "makeClient");
        let Some(Expr::Func(l)) = f.functions[mk].returns.first().cloned() else {
            panic!("{:?}", f.functions[mk].returns)
        };
        assert_eq!(f.functions[l].parent, Some(mk));
        assert_eq!(
            f.functions[l].returns,
            vec![Expr::Concat(vec![n("base"), n("path")])]
        );
        let ctors: Vec<usize> = f
            .functions
            .iter()
            .enumerate()
            .filter(|(_, x)| x.is_constructor)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(ctors.len(), 2);
        let this_call = f
            .calls
            .iter()
            .find(|c| c.call.callee == Expr::SelfRef)
            .expect("this()");
        assert_eq!(this_call.call.args, vec![pos(s("d"))]);
        assert_eq!(this_call.func, ctors[1]);
        assert_eq!(call_to(&f, "println").func, ctors[0]);
        assert_eq!(call_to(&f, "println").call.args, vec![pos(n("x"))]);
        assert!(
            f.bindings
                .iter()
                .any(|b| b.name == "x" && b.value == s("y") && b.scope == Scope::Class(0))
        );
        assert_eq!(call_to(&f, "g").call.args, vec![pos(n("it"))]);
    }

    #[test]
    fn deep_nesting_does_not_panic() {
        let src = format!(
            "val x = {}\"a\"{}\nfun f() {{ g({}1{}) }}\n",
            "(".repeat(5000),
            ")".repeat(5000),
            "h(".repeat(3000),
            ")".repeat(3000)
        );
        let f = kt(&src);
        assert_eq!(binding(&f, "x").value, Expr::Unknown);
        let lambdas = format!("fun f() {{ {}{} }}", "run {".repeat(3000), "}".repeat(3000));
        let _ = kt(&lambdas);
        let _ = kt(&format!(
            "fun f() {{ {}{} }}",
            "if (a) {".repeat(3000),
            "}".repeat(3000)
        ));
        let _ = kt(&format!("fun f() = a{}", ".b()".repeat(3000)));
        let _ = kt(&format!("fun f() {{ x = {}1 }}", "a + ".repeat(3000)));
        let _ = kt("class (val : = { fun @ \"$ ${ ");
    }
}
