//! Java extractor: package, imports, classes / interfaces / enums / records (with their bases), fields and
//! constants as class bindings, constructors, methods, lambdas, annotations (as `@Name` calls; Spring
//! `@Value("${k:d}")` as an env read), and every method invocation and `new`.
//!
//! Unqualified names that are fields of the enclosing class (and not locals or parameters) read as
//! `Attr(SelfRef, name)`, and unqualified calls of the class's own methods as `Attr(SelfRef, m)`, since that
//! is what Java means by them.
use super::go::{clean_type, decode_escapes};
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
    let mut x = Java {
        src,
        b: Builder::new(),
        depth: 0,
        frames: Vec::new(),
    };
    x.visit(tree.root_node());
    let mut facts = x.b.finish();
    facts.calls.sort_by_key(|c| (c.call.line, c.call.column));
    facts
}

/// What a simple name can refer to, innermost last.
enum Frame {
    Locals(HashSet<String>),
    Class {
        id: ClassId,
        name: String,
        fields: HashSet<String>,
        methods: HashSet<String>,
    },
}

struct Java<'s> {
    src: &'s str,
    b: Builder,
    depth: usize,
    frames: Vec<Frame>,
}

/// Parses a Spring property placeholder string (`${ghl.base-url:https://x}/v1`) into env reads and
/// literal parts; `None` when it holds no placeholder.
pub(crate) fn placeholder(s: &str) -> Option<Expr> {
    if !s.contains("${") {
        return None;
    }
    let mut parts = Vec::new();
    let mut rest = s;
    while let Some(i) = rest.find("${") {
        parts.push(Expr::Str(rest[..i].to_string()));
        let after = &rest[i + 2..];
        let Some(j) = after.find('}') else {
            parts.push(Expr::Str(rest[i..].to_string()));
            rest = "";
            break;
        };
        let inner = &after[..j];
        let (name, default) = match inner.split_once(':') {
            Some((n, d)) => (n, Some(Box::new(Expr::Str(d.to_string())))),
            None => (inner, None),
        };
        parts.push(Expr::Env {
            name: name.trim().to_string(),
            default,
        });
        rest = &after[j + 1..];
    }
    parts.push(Expr::Str(rest.to_string()));
    Some(concat(parts))
}

/// Strips the incidental indentation of a text block body (the part after the opening `"""` line).
fn text_block(raw: &str) -> String {
    let body = raw
        .strip_prefix("\r\n")
        .or_else(|| raw.strip_prefix('\n'))
        .unwrap_or(raw);
    let lines: Vec<&str> = body.split('\n').map(|l| l.trim_end_matches('\r')).collect();
    let indent = lines
        .iter()
        .enumerate()
        .filter(|(i, l)| !l.trim().is_empty() || *i == lines.len() - 1)
        .map(|(_, l)| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    let out: Vec<String> = lines
        .iter()
        .map(|l| l.get(indent..).unwrap_or("").trim_end().to_string())
        .collect();
    out.join("\n")
}

const STATEMENTS: &[&str] = &[
    "local_variable_declaration",
    "expression_statement",
    "return_statement",
    "if_statement",
    "while_statement",
    "do_statement",
    "for_statement",
    "enhanced_for_statement",
    "throw_statement",
    "yield_statement",
    "try_statement",
    "try_with_resources_statement",
    "switch_expression",
    "synchronized_statement",
    "assert_statement",
    "labeled_statement",
    "explicit_constructor_invocation",
    "field_declaration",
    "constant_declaration",
    "enum_constant",
];

fn has_modifier(n: Node, src: &str, m: &str) -> bool {
    named_children(n)
        .into_iter()
        .filter(|c| c.kind() == "modifiers")
        .any(|c| {
            let mut w = c.walk();
            c.children(&mut w)
                .any(|k| !k.is_named() && text(k, src) == m)
        })
}

impl<'s> Java<'s> {
    fn t(&self, n: Node) -> &'s str {
        text(n, self.src)
    }

    fn visit(&mut self, n: Node) {
        if self.depth > DEPTH_LIMIT {
            return;
        }
        self.depth += 1;
        let stmt = STATEMENTS.contains(&n.kind());
        if stmt {
            self.b.begin_stmt(line(n));
        }
        self.visit_inner(n);
        if stmt {
            self.b.end_stmt();
        }
        self.depth -= 1;
    }

    fn visit_inner(&mut self, n: Node) {
        match n.kind() {
            "line_comment" | "block_comment" | "modifiers" => {}
            "package_declaration" => {
                if let Some(p) = named_children(n)
                    .into_iter()
                    .find(|c| matches!(c.kind(), "identifier" | "scoped_identifier"))
                {
                    self.b.facts.package = Some(self.t(p).to_string());
                }
            }
            "import_declaration" => self.import(n),
            "class_declaration"
            | "interface_declaration"
            | "enum_declaration"
            | "record_declaration"
            | "annotation_type_declaration" => self.class(n, None),
            "method_declaration"
            | "constructor_declaration"
            | "compact_constructor_declaration" => self.method(n),
            "field_declaration" | "constant_declaration" => self.field(n),
            "local_variable_declaration" => self.local(n),
            "resource" => {
                if let (Some(nm), Some(v)) = (
                    n.child_by_field_name("name"),
                    n.child_by_field_name("value"),
                ) {
                    let name = self.t(nm).to_string();
                    let ty = n.child_by_field_name("type").map(|t| clean_type(self.t(t)));
                    let value = self.expr_named(v, &name);
                    self.declare_local(&name);
                    let scope = self.b.local_scope();
                    self.push_binding(scope, &name, value, nm, ty, false);
                } else {
                    self.children(n);
                }
            }
            "enhanced_for_statement" => {
                if let Some(nm) = n.child_by_field_name("name") {
                    let name = self.t(nm).to_string();
                    self.declare_local(&name);
                }
                self.children(n);
            }
            "catch_formal_parameter" => {
                if let Some(nm) = n.child_by_field_name("name") {
                    let name = self.t(nm).to_string();
                    self.declare_local(&name);
                }
            }
            "enum_constant" => self.enum_constant(n),
            "explicit_constructor_invocation" => {
                let callee = match n.child_by_field_name("constructor").map(|c| c.kind()) {
                    Some("super") => Expr::SuperRef,
                    _ => Expr::SelfRef,
                };
                if let Some(o) = n.child_by_field_name("object") {
                    self.expr(o);
                }
                let args = self.args(n.child_by_field_name("arguments"));
                self.record_call(n, callee, args, false);
            }
            "return_statement" => {
                for c in named_children(n) {
                    let v = self.expr(c);
                    self.b.ret(v);
                }
            }
            "static_initializer" | "block" | "constructor_body" => self.children(n),
            "program"
            | "class_body"
            | "interface_body"
            | "enum_body"
            | "enum_body_declarations"
            | "annotation_type_body"
            | "ERROR"
            | "expression_statement"
            | "if_statement"
            | "while_statement"
            | "do_statement"
            | "for_statement"
            | "throw_statement"
            | "yield_statement"
            | "try_statement"
            | "try_with_resources_statement"
            | "resource_specification"
            | "catch_clause"
            | "finally_clause"
            | "synchronized_statement"
            | "assert_statement"
            | "labeled_statement"
            | "switch_block"
            | "switch_block_statement_group"
            | "switch_rule"
            | "switch_label" => self.children(n),
            _ => {
                self.expr(n);
            }
        }
    }

    fn children(&mut self, n: Node) {
        for c in named_children(n) {
            self.visit(c);
        }
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

    fn import(&mut self, n: Node) {
        let kids = named_children(n);
        let Some(path) = kids
            .iter()
            .find(|c| matches!(c.kind(), "identifier" | "scoped_identifier"))
        else {
            return;
        };
        let module = self.t(*path).to_string();
        let star = kids.iter().any(|c| c.kind() == "asterisk");
        let (local, name) = if star {
            (String::new(), None)
        } else {
            let last = module.rsplit('.').next().unwrap_or(&module).to_string();
            (last.clone(), Some(last))
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

    /// A simple name in an expression: a local, a field of an enclosing class, or a free name.
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

    /// An unqualified method call: the enclosing class's own method, or a free name.
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

    /// Where an assignment to a simple name binds.
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

    // ---- declarations ----

    fn bases(&self, n: Node) -> Vec<String> {
        let mut out = Vec::new();
        for c in named_children(n) {
            match c.kind() {
                "superclass" => {
                    for t in named_children(c) {
                        out.push(clean_type(self.t(t)));
                    }
                }
                "super_interfaces" | "extends_interfaces" => {
                    for l in named_children(c) {
                        for t in named_children(l) {
                            out.push(clean_type(self.t(t)));
                        }
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// Members declared in a class body (fields, constants, enum constants, record components, methods).
    fn members(&self, body: Option<Node>, n: Node) -> (HashSet<String>, HashSet<String>) {
        let mut fields = HashSet::new();
        let mut methods = HashSet::new();
        if let Some(p) = n.child_by_field_name("parameters") {
            for fp in named_children(p) {
                if let Some(nm) = fp.child_by_field_name("name") {
                    fields.insert(self.t(nm).to_string());
                }
            }
        }
        let mut stack: Vec<Node> = body.into_iter().collect();
        while let Some(b) = stack.pop() {
            for m in named_children(b) {
                match m.kind() {
                    "field_declaration" | "constant_declaration" => {
                        let mut w = m.walk();
                        for d in m.children_by_field_name("declarator", &mut w) {
                            if let Some(nm) = d.child_by_field_name("name") {
                                fields.insert(self.t(nm).to_string());
                            }
                        }
                    }
                    "enum_constant" => {
                        if let Some(nm) = m.child_by_field_name("name") {
                            fields.insert(self.t(nm).to_string());
                        }
                    }
                    "method_declaration" => {
                        if let Some(nm) = m.child_by_field_name("name") {
                            methods.insert(self.t(nm).to_string());
                        }
                    }
                    "enum_body_declarations" => stack.push(m),
                    _ => {}
                }
            }
        }
        (fields, methods)
    }

    /// A class-like declaration, or an anonymous class body (`anon` = the instantiated type).
    fn class(&mut self, n: Node, anon: Option<String>) {
        let (name, bases, body) = match &anon {
            Some(base) => (String::new(), vec![base.clone()], Some(n)),
            None => (
                n.child_by_field_name("name")
                    .map(|x| self.t(x).to_string())
                    .unwrap_or_default(),
                self.bases(n),
                n.child_by_field_name("body"),
            ),
        };
        if anon.is_none() {
            self.annotations(n, false);
        }
        let id = self.b.begin_class(Class {
            name: name.clone(),
            bases,
            line: line(n),
        });
        let (fields, methods) = self.members(body, n);
        self.frames.push(Frame::Class {
            id,
            name,
            fields,
            methods,
        });
        if anon.is_none()
            && let Some(p) = n.child_by_field_name("parameters")
        {
            // Record components are fields.
            for fp in named_children(p) {
                if let Some(nm) = fp.child_by_field_name("name") {
                    let ty = fp
                        .child_by_field_name("type")
                        .map(|t| clean_type(self.t(t)));
                    let name = self.t(nm).to_string();
                    self.push_binding(Scope::Class(id), &name, Expr::Unknown, nm, ty, false);
                }
            }
        }
        if let Some(b) = body {
            self.visit(b);
        }
        self.frames.pop();
        self.b.end_class();
    }

    fn enum_constant(&mut self, n: Node) {
        let Some(nm) = n.child_by_field_name("name") else {
            return;
        };
        let name = self.t(nm).to_string();
        let cls = self.innermost_class();
        let cls_name = cls
            .and_then(|c| self.b.facts.classes.get(c))
            .map(|c| c.name.clone())
            .unwrap_or_default();
        let value = match n.child_by_field_name("arguments") {
            Some(a) => {
                let args = self.args(Some(a));
                self.record_call(n, Expr::Name(cls_name.clone()), args, true)
            }
            None => Expr::Unknown,
        };
        if let Some(c) = cls {
            self.push_binding(Scope::Class(c), &name, value, nm, Some(cls_name), true);
        }
        if let Some(body) = n.child_by_field_name("body") {
            self.class(body, Some(name));
        }
    }

    /// Emits the annotations of a declaration as `@Name` calls in the current function. With `skip_value`,
    /// `@Value` is left to the caller (it is the declaration's value).
    fn annotations(&mut self, n: Node, skip_value: bool) {
        for m in named_children(n) {
            if m.kind() != "modifiers" {
                continue;
            }
            for a in named_children(m) {
                if !matches!(a.kind(), "annotation" | "marker_annotation") {
                    continue;
                }
                let name = a
                    .child_by_field_name("name")
                    .map(|x| self.t(x))
                    .unwrap_or("");
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

    fn annotation_args(&mut self, a: Node) -> Vec<Arg> {
        let mut args = Vec::new();
        let Some(list) = a.child_by_field_name("arguments") else {
            return args;
        };
        for c in named_children(list) {
            match c.kind() {
                "line_comment" | "block_comment" => {}
                "element_value_pair" => {
                    let key = c.child_by_field_name("key").map(|k| self.t(k).to_string());
                    let value = match c.child_by_field_name("value") {
                        Some(v) => self.element_value(v),
                        None => Expr::Unknown,
                    };
                    args.push(Arg {
                        name: key,
                        value,
                        spread: false,
                    });
                }
                _ => {
                    let value = self.element_value(c);
                    args.push(Arg {
                        name: None,
                        value,
                        spread: false,
                    });
                }
            }
        }
        args
    }

    fn element_value(&mut self, v: Node) -> Expr {
        match v.kind() {
            "element_value_array_initializer" => {
                let items = named_children(v)
                    .into_iter()
                    .filter(|c| !c.kind().ends_with("comment"))
                    .enumerate()
                    .map(|(i, c)| (i.to_string(), self.element_value(c)))
                    .collect();
                Expr::Object(items)
            }
            "annotation" | "marker_annotation" => Expr::Unknown,
            _ => self.expr(v),
        }
    }

    /// The `@Value("${k:d}")` of a field or parameter, as an env read.
    fn value_annotation(&mut self, n: Node) -> Option<Expr> {
        for m in named_children(n) {
            if m.kind() != "modifiers" {
                continue;
            }
            for a in named_children(m) {
                if a.kind() != "annotation" {
                    continue;
                }
                let name = a.child_by_field_name("name").map(|x| self.t(x))?;
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

    fn field(&mut self, n: Node) {
        let ty = n.child_by_field_name("type").map(|t| clean_type(self.t(t)));
        let env = self.value_annotation(n);
        self.annotations(n, true);
        // Interface constants are implicitly public.
        let public = has_modifier(n, self.src, "public")
            || n.parent().is_some_and(|p| p.kind() == "interface_body");
        let scope = match self.innermost_class() {
            Some(c) => Scope::Class(c),
            None => self.b.member_scope(),
        };
        let mut w = n.walk();
        let decls: Vec<Node> = n.children_by_field_name("declarator", &mut w).collect();
        for d in decls {
            let Some(nm) = d.child_by_field_name("name") else {
                continue;
            };
            let name = self.t(nm).to_string();
            let value = match (d.child_by_field_name("value"), &env) {
                (Some(v), _) => self.expr_named(v, &name),
                (None, Some(e)) => e.clone(),
                (None, None) => Expr::Unknown,
            };
            self.push_binding(scope, &name, value, nm, ty.clone(), public);
        }
    }

    fn local(&mut self, n: Node) {
        let ty = n
            .child_by_field_name("type")
            .map(|t| clean_type(self.t(t)))
            .filter(|t| t != "var");
        self.annotations(n, false);
        let mut w = n.walk();
        let decls: Vec<Node> = n.children_by_field_name("declarator", &mut w).collect();
        for d in decls {
            let Some(nm) = d.child_by_field_name("name") else {
                continue;
            };
            let name = self.t(nm).to_string();
            let value = match d.child_by_field_name("value") {
                Some(v) => self.expr_named(v, &name),
                None => Expr::Unknown,
            };
            self.declare_local(&name);
            let scope = self.b.local_scope();
            self.push_binding(scope, &name, value, nm, ty.clone(), false);
        }
    }

    fn params<'t>(&mut self, list: Option<Node<'t>>) -> (Vec<Param>, Vec<Node<'t>>) {
        let mut out = Vec::new();
        let mut annotated = Vec::new();
        let Some(list) = list else {
            return (out, annotated);
        };
        for p in named_children(list) {
            match p.kind() {
                "formal_parameter" | "spread_parameter" => {
                    let rest = p.kind() == "spread_parameter";
                    let (name, ty) = if rest {
                        let ty = named_children(p)
                            .into_iter()
                            .find(|c| !matches!(c.kind(), "modifiers" | "variable_declarator"))
                            .map(|t| clean_type(self.t(t)));
                        let name = named_children(p)
                            .into_iter()
                            .find(|c| c.kind() == "variable_declarator")
                            .and_then(|d| d.child_by_field_name("name"))
                            .map(|x| self.t(x).to_string());
                        (name, ty)
                    } else {
                        (
                            p.child_by_field_name("name").map(|x| self.t(x).to_string()),
                            p.child_by_field_name("type").map(|t| clean_type(self.t(t))),
                        )
                    };
                    let default = self.value_annotation(p);
                    annotated.push(p);
                    out.push(Param {
                        name: name.unwrap_or_else(|| "_".into()),
                        ty,
                        default,
                        rest,
                        fields: Vec::new(),
                    });
                }
                "identifier" => out.push(Param {
                    name: self.t(p).to_string(),
                    ty: None,
                    default: None,
                    rest: false,
                    fields: Vec::new(),
                }),
                _ => {}
            }
        }
        (out, annotated)
    }

    fn method(&mut self, n: Node) {
        let ctor = n.kind() != "method_declaration";
        let class = self.innermost_class();
        let name = if ctor {
            class
                .and_then(|c| self.b.facts.classes.get(c))
                .map(|c| c.name.clone())
                .or_else(|| n.child_by_field_name("name").map(|x| self.t(x).to_string()))
                .unwrap_or_default()
        } else {
            n.child_by_field_name("name")
                .map(|x| self.t(x).to_string())
                .unwrap_or_default()
        };
        let (mut params, annotated) = self.params(n.child_by_field_name("parameters"));
        if n.kind() == "compact_constructor_declaration"
            && let Some(Frame::Class { .. }) = self.frames.last()
            && let Some(rec) = n.parent().and_then(|b| b.parent())
        {
            params = self.params(rec.child_by_field_name("parameters")).0;
        }
        let is_static = has_modifier(n, self.src, "static");
        let id = self.b.begin_fn(
            Function {
                name,
                class,
                parent: None,
                params: params.clone(),
                is_constructor: ctor,
                is_static,
                returns: Vec::new(),
                line: line(n),
                end_line: end_line(n),
            },
            false,
        );
        let _ = id;
        self.annotations(n, false);
        for p in annotated {
            self.annotations(p, true);
        }
        self.frames.push(Frame::Locals(
            params.iter().map(|p| p.name.clone()).collect(),
        ));
        if let Some(body) = n.child_by_field_name("body") {
            self.visit(body);
        }
        self.frames.pop();
        self.b.end_fn();
    }

    fn lambda(&mut self, n: Node, name: &str) -> Expr {
        let params = match n.child_by_field_name("parameters") {
            Some(p) if p.kind() == "identifier" => vec![Param {
                name: self.t(p).to_string(),
                ty: None,
                default: None,
                rest: false,
                fields: Vec::new(),
            }],
            p => self.params(p).0,
        };
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
        self.frames.push(Frame::Locals(
            params.iter().map(|p| p.name.clone()).collect(),
        ));
        if let Some(body) = n.child_by_field_name("body") {
            if body.kind() == "block" {
                self.visit(body);
            } else {
                self.b.begin_stmt(line(body));
                let v = self.expr(body);
                self.b.ret(v);
                self.b.end_stmt();
            }
        }
        self.frames.pop();
        self.b.end_fn();
        Expr::Func(id)
    }

    // ---- expressions ----

    fn expr_named(&mut self, n: Node, name: &str) -> Expr {
        if n.kind() == "lambda_expression" {
            if self.depth > DEPTH_LIMIT {
                return Expr::Unknown;
            }
            self.depth += 1;
            let e = self.lambda(n, name);
            self.depth -= 1;
            e
        } else {
            self.expr(n)
        }
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

    fn string(&mut self, n: Node) -> Expr {
        let raw = self.t(n);
        if raw.starts_with("\"\"\"") {
            let body = raw
                .strip_prefix("\"\"\"")
                .and_then(|r| r.strip_suffix("\"\"\""))
                .unwrap_or("");
            // Decode escapes after stripping indentation (an escaped newline or quote is not indentation).
            return Expr::Str(decode_escapes(&text_block(body)));
        }
        let mut parts = Vec::new();
        for c in named_children(n) {
            match c.kind() {
                "string_fragment" | "multiline_string_fragment" => {
                    parts.push(Expr::Str(self.t(c).to_string()))
                }
                "escape_sequence" => parts.push(Expr::Str(decode_escapes(self.t(c)))),
                "string_interpolation" => {
                    let v = match named_children(c).first() {
                        Some(e) => self.expr(*e),
                        None => Expr::Unknown,
                    };
                    parts.push(v);
                }
                _ => {}
            }
        }
        concat(parts)
    }

    fn expr_inner(&mut self, n: Node) -> Expr {
        match n.kind() {
            "string_literal" => self.string(n),
            "character_literal" => Expr::Str(decode_escapes(
                self.t(n).trim_start_matches('\'').trim_end_matches('\''),
            )),
            "decimal_integer_literal"
            | "hex_integer_literal"
            | "octal_integer_literal"
            | "binary_integer_literal"
            | "decimal_floating_point_literal"
            | "hex_floating_point_literal"
            | "true"
            | "false" => Expr::Str(self.t(n).to_string()),
            "null_literal" => Expr::Unknown,
            "identifier" => self.resolve(self.t(n)),
            "this" => Expr::SelfRef,
            "super" => Expr::SuperRef,
            "parenthesized_expression" => match named_children(n).first() {
                Some(c) => self.expr(*c),
                None => Expr::Unknown,
            },
            "cast_expression" => match n.child_by_field_name("value") {
                Some(v) => self.expr(v),
                None => Expr::Unknown,
            },
            "field_access" => {
                let (Some(o), Some(f)) = (
                    n.child_by_field_name("object"),
                    n.child_by_field_name("field"),
                ) else {
                    return Expr::Unknown;
                };
                let obj = self.expr(o);
                if f.kind() == "this" {
                    // `Outer.this`
                    return Expr::SelfRef;
                }
                Expr::Attr(Box::new(obj), self.t(f).to_string())
            }
            "array_access" => {
                let (Some(o), Some(i)) = (
                    n.child_by_field_name("array"),
                    n.child_by_field_name("index"),
                ) else {
                    return Expr::Unknown;
                };
                let obj = self.expr(o);
                let idx = self.expr(i);
                Expr::Index(Box::new(obj), Box::new(idx))
            }
            "binary_expression" => {
                let op = n.child_by_field_name("operator").map(|o| self.t(o));
                let l = n.child_by_field_name("left").map(|l| self.expr(l));
                let r = n.child_by_field_name("right").map(|r| self.expr(r));
                match (op, l, r) {
                    (Some("+"), Some(l), Some(r)) => concat(vec![l, r]),
                    _ => Expr::Unknown,
                }
            }
            "ternary_expression" => {
                if let Some(c) = n.child_by_field_name("condition") {
                    self.expr(c);
                }
                let a = n.child_by_field_name("consequence").map(|x| self.expr(x));
                let b = n.child_by_field_name("alternative").map(|x| self.expr(x));
                Expr::Choice(vec![a.unwrap_or(Expr::Unknown), b.unwrap_or(Expr::Unknown)])
            }
            "unary_expression" => {
                let op = n.child_by_field_name("operator").map(|o| self.t(o));
                let v = n.child_by_field_name("operand").map(|o| self.expr(o));
                match (op, v) {
                    (Some(op @ ("-" | "+")), Some(Expr::Str(s))) => Expr::Str(format!("{op}{s}")),
                    _ => Expr::Unknown,
                }
            }
            "assignment_expression" => self.assignment(n),
            "lambda_expression" => self.lambda(n, ""),
            "method_invocation" => self.invocation(n),
            "object_creation_expression" => self.creation(n),
            "array_initializer" => {
                let items = named_children(n)
                    .into_iter()
                    .filter(|c| !c.kind().ends_with("comment"))
                    .enumerate()
                    .map(|(i, c)| (i.to_string(), self.expr(c)))
                    .collect();
                Expr::Object(items)
            }
            "array_creation_expression" => {
                for d in named_children(n) {
                    if d.kind() == "dimensions_expr" {
                        self.visit(d);
                    }
                }
                match n.child_by_field_name("value") {
                    Some(v) => self.expr(v),
                    None => Expr::Unknown,
                }
            }
            "class_literal" => match named_children(n).first() {
                Some(t) => Expr::Attr(Box::new(Expr::Name(clean_type(self.t(*t)))), "class".into()),
                None => Expr::Unknown,
            },
            _ => {
                for c in named_children(n) {
                    self.visit(c);
                }
                Expr::Unknown
            }
        }
    }

    fn assignment(&mut self, n: Node) -> Expr {
        let (Some(l), Some(r)) = (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
        ) else {
            return Expr::Unknown;
        };
        let op = n
            .child_by_field_name("operator")
            .map(|o| self.t(o))
            .unwrap_or("=");
        let target = self.target(l);
        let hint = target.as_ref().map(|(_, n)| n.clone()).unwrap_or_default();
        let value = self.expr_named(r, &hint);
        let bound = match op {
            "=" => value.clone(),
            "+=" => {
                let cur = self.expr(l);
                concat(vec![cur, value.clone()])
            }
            _ => Expr::Unknown,
        };
        match target {
            Some((scope, name)) => self.push_binding(scope, &name, bound, l, None, false),
            None => {
                self.expr(l);
            }
        }
        value
    }

    fn target(&self, l: Node) -> Option<(Scope, String)> {
        match l.kind() {
            "identifier" => {
                let name = self.t(l).to_string();
                Some((self.target_scope(&name), name))
            }
            "field_access" | "array_access" => {
                let mut parts = Vec::new();
                let mut cur = l;
                loop {
                    match cur.kind() {
                        "field_access" => {
                            parts.push(self.t(cur.child_by_field_name("field")?).to_string());
                            cur = cur.child_by_field_name("object")?;
                        }
                        "array_access" => {
                            let idx = cur.child_by_field_name("index")?;
                            if idx.kind() != "string_literal" {
                                return None;
                            }
                            let raw = self.t(idx);
                            parts.push(decode_escapes(raw.trim_matches('"')));
                            cur = cur.child_by_field_name("array")?;
                        }
                        "this" => {
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

    fn args(&mut self, list: Option<Node>) -> Vec<Arg> {
        let mut out = Vec::new();
        let Some(list) = list else {
            return out;
        };
        for a in named_children(list) {
            if a.kind().ends_with("comment") {
                continue;
            }
            let value = self.expr(a);
            out.push(Arg {
                name: None,
                value,
                spread: false,
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

    fn invocation(&mut self, n: Node) -> Expr {
        let name = n
            .child_by_field_name("name")
            .map(|x| self.t(x).to_string())
            .unwrap_or_default();
        let callee = match n.child_by_field_name("object") {
            Some(o) => {
                let obj = self.expr(o);
                Expr::Attr(Box::new(obj), name.clone())
            }
            None => self.resolve_method(&name),
        };
        let args = self.args(n.child_by_field_name("arguments"));
        let env = env_read(&callee, &args);
        let call = self.record_call(n, callee, args, false);
        env.unwrap_or(call)
    }

    fn type_callee(&self, t: Node) -> Expr {
        match t.kind() {
            "scoped_type_identifier" => {
                let kids: Vec<Node> = named_children(t)
                    .into_iter()
                    .filter(|c| !c.kind().ends_with("annotation"))
                    .collect();
                match kids.as_slice() {
                    [scope, last] => Expr::Attr(
                        Box::new(self.type_callee(*scope)),
                        clean_type(self.t(*last)),
                    ),
                    _ => Expr::Name(clean_type(self.t(t))),
                }
            }
            "generic_type" => match named_children(t).first() {
                Some(c) => self.type_callee(*c),
                None => Expr::Name(clean_type(self.t(t))),
            },
            _ => Expr::Name(clean_type(self.t(t))),
        }
    }

    fn creation(&mut self, n: Node) -> Expr {
        let ty = n.child_by_field_name("type");
        let callee = ty.map(|t| self.type_callee(t)).unwrap_or(Expr::Unknown);
        // `outer.new Inner()`
        let callee = match named_children(n).into_iter().find(|c| {
            Some(*c) != ty
                && c.end_byte() <= ty.map_or(0, |t| t.start_byte())
                && !c.kind().ends_with("annotation")
        }) {
            Some(o) if o.kind() != "type_arguments" => {
                let obj = self.expr(o);
                match callee {
                    Expr::Name(nm) => Expr::Attr(Box::new(obj), nm),
                    other => other,
                }
            }
            _ => callee,
        };
        let args = self.args(n.child_by_field_name("arguments"));
        let call = self.record_call(n, callee, args, true);
        if let Some(body) = named_children(n)
            .into_iter()
            .find(|c| c.kind() == "class_body")
        {
            let base = ty.map(|t| clean_type(self.t(t))).unwrap_or_default();
            self.class(body, Some(base));
        }
        call
    }
}

/// `System.getenv("X")`, and defaults folded in: `Optional.ofNullable(System.getenv("X")).orElse("d")`,
/// `Objects.requireNonNullElse(System.getenv("X"), "d")`.
fn env_read(callee: &Expr, args: &[Arg]) -> Option<Expr> {
    let Expr::Attr(obj, m) = callee else {
        return None;
    };
    let first = args.first().map(|a| &a.value);
    match (&**obj, m.as_str(), first) {
        (Expr::Name(s), "getenv", Some(Expr::Str(name))) if s == "System" => Some(Expr::Env {
            name: name.clone(),
            default: None,
        }),
        (
            Expr::Name(s),
            "requireNonNullElse",
            Some(Expr::Env {
                name,
                default: None,
            }),
        ) if s == "Objects" => Some(Expr::Env {
            name: name.clone(),
            default: args.get(1).map(|a| Box::new(a.value.clone())),
        }),
        (Expr::Call(inner), "orElse", Some(d)) => {
            let Expr::Attr(o, m) = &inner.callee else {
                return None;
            };
            if !matches!(&**o, Expr::Name(s) if s == "Optional")
                || !matches!(m.as_str(), "ofNullable" | "of")
            {
                return None;
            }
            match inner.args.first().map(|a| &a.value) {
                Some(Expr::Env {
                    name,
                    default: None,
                }) => Some(Expr::Env {
                    name: name.clone(),
                    default: Some(Box::new(d.clone())),
                }),
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use crate::program::facts::*;
    use crate::program::lang::testkit::{attr, name as n, pos, s};
    use crate::program::parse::facts;
    use crate::scan::lang::Lang;

    fn java(src: &str) -> FileFacts {
        facts(Lang::Java, "T.java", src).expect("parsed")
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
        let f = java(
            "package com.acme.ghl;\nimport java.net.http.HttpClient;\nimport static java.util.Objects.requireNonNull;\nimport okhttp3.*;\n",
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
                (
                    "java.net.http.HttpClient",
                    "HttpClient",
                    Some("HttpClient"),
                    2
                ),
                (
                    "java.util.Objects.requireNonNull",
                    "requireNonNull",
                    Some("requireNonNull"),
                    3
                ),
                ("okhttp3", "", None, 4),
            ]
        );
    }

    #[test]
    fn class_constants_fields_constructor_and_wrapper() {
        let f = java(
            r#"package x;
public class GhlClient extends Base implements Api, Closeable {
    private static final String BASE = "https://rest.gohighlevel.com/v1";
    public static final String CONTACTS = BASE + "/contacts/";
    private final OkHttpClient client;
    private String token;

    public GhlClient(OkHttpClient client, String token) {
        super(token);
        this.client = client;
        token = token;
    }

    public Response get(String path) throws IOException {
        Request req = new Request.Builder()
            .url(BASE + path)
            .header("Authorization", "Bearer " + token)
            .build();
        return client.newCall(req).execute();
    }

    public Response contact(String id) throws IOException {
        return get(CONTACTS + id);
    }
}
"#,
        );
        assert_eq!(f.classes.len(), 1);
        assert_eq!(f.classes[0].name, "GhlClient");
        assert_eq!(f.classes[0].bases, vec!["Base", "Api", "Closeable"]);
        let base = binding(&f, "BASE");
        assert_eq!(base.scope, Scope::Class(0));
        assert_eq!(base.value, s("https://rest.gohighlevel.com/v1"));
        assert_eq!(base.ty.as_deref(), Some("String"));
        assert!(!base.exported);
        let contacts = binding(&f, "CONTACTS");
        assert!(contacts.exported);
        assert_eq!(
            contacts.value,
            Expr::Concat(vec![this("BASE"), s("/contacts/")])
        );
        let client = binding(&f, "client");
        assert_eq!(
            (client.scope, client.value.clone(), client.ty.as_deref()),
            (Scope::Class(0), Expr::Unknown, Some("OkHttpClient"))
        );
        let ctor = func(&f, "GhlClient");
        assert!(f.functions[ctor].is_constructor);
        assert_eq!(f.functions[ctor].class, Some(0));
        assert_eq!(
            f.functions[ctor]
                .params
                .iter()
                .map(|p| (p.name.as_str(), p.ty.as_deref()))
                .collect::<Vec<_>>(),
            vec![("client", Some("OkHttpClient")), ("token", Some("String"))]
        );
        let sup = f
            .calls
            .iter()
            .find(|c| c.call.callee == Expr::SuperRef)
            .expect("super");
        assert_eq!(sup.call.args, vec![pos(n("token"))]);
        assert_eq!(sup.func, ctor);
        let assigned: Vec<&Binding> = f
            .bindings
            .iter()
            .filter(|b| b.scope == Scope::Class(0) && b.value == n("client"))
            .collect();
        assert_eq!(assigned.len(), 1);
        assert_eq!(assigned[0].name, "client");
        // `token = token` inside the constructor: a parameter reassignment.
        assert!(
            f.bindings
                .iter()
                .any(|b| b.name == "token" && b.scope == Scope::Function(ctor))
        );
        let get = func(&f, "get");
        let url = call_to(&f, "url");
        assert_eq!(url.func, get);
        assert_eq!(
            url.call.args,
            vec![pos(Expr::Concat(vec![this("BASE"), n("path")]))]
        );
        assert_eq!(url.stmt_line, 15);
        let Expr::Attr(b, _) = &url.call.callee else {
            panic!()
        };
        let Expr::Call(builder) = &**b else { panic!() };
        assert!(builder.new_object);
        assert_eq!(builder.callee, attr(n("Request"), "Builder"));
        let header = call_to(&f, "header");
        assert_eq!(
            header.call.args[1].value,
            Expr::Concat(vec![s("Bearer "), this("token")])
        );
        let exec = call_to(&f, "execute");
        let Expr::Attr(nc, _) = &exec.call.callee else {
            panic!()
        };
        let Expr::Call(nc) = &**nc else { panic!() };
        assert_eq!(nc.callee, attr(this("client"), "newCall"));
        assert_eq!(nc.args, vec![pos(n("req"))]);
        assert_eq!(f.functions[get].returns.len(), 1);
        let inner = call_to(&f, "get");
        assert_eq!(inner.call.callee, this("get"));
        assert_eq!(
            inner.call.args,
            vec![pos(Expr::Concat(vec![this("CONTACTS"), n("id")]))]
        );
    }

    #[test]
    fn retrofit_and_spring_annotations() {
        let f = java(
            r#"@Service
public interface Contacts {
    @Headers({"Version: 2021-07-28"})
    @GET("contacts/{id}")
    Call<Contact> get(@Path("id") String id);

    @POST(value = "contacts/")
    Call<Contact> create(@Body Contact c);
}
class Cfg {
    @Value("${ghl.base-url:https://rest.gohighlevel.com/v1}")
    private String baseUrl;
    Cfg(@Value("${ghl.key}") String key) {}
}
"#,
        );
        let svc = call_to(&f, "@Service");
        assert_eq!(svc.func, 0);
        let get = func(&f, "get");
        assert_eq!(f.functions[get].class, Some(0));
        let g = call_to(&f, "@GET");
        assert_eq!(
            (g.func, g.call.args.clone()),
            (get, vec![pos(s("contacts/{id}"))])
        );
        let h = call_to(&f, "@Headers");
        assert_eq!(h.func, get);
        assert_eq!(
            h.call.args,
            vec![pos(Expr::Object(vec![(
                "0".into(),
                s("Version: 2021-07-28")
            )]))]
        );
        assert_eq!(call_to(&f, "@Path").func, get);
        let p = call_to(&f, "@POST");
        assert_eq!(p.func, func(&f, "create"));
        assert_eq!(p.call.args[0].name.as_deref(), Some("value"));
        assert_eq!(
            binding(&f, "baseUrl").value,
            Expr::Env {
                name: "ghl.base-url".into(),
                default: Some(Box::new(s("https://rest.gohighlevel.com/v1")))
            }
        );
        let ctor = func(&f, "Cfg");
        assert_eq!(
            f.functions[ctor].params[0].default,
            Some(Expr::Env {
                name: "ghl.key".into(),
                default: None
            })
        );
        assert!(!f.calls.iter().any(|c| c.call.callee == n("@Value")));
    }

    #[test]
    fn strings_env_lambdas_and_chains() {
        let f = java(
            r#"class A {
    static final String KEY = System.getenv("GHL_API_KEY");
    static final String URL = Optional.ofNullable(System.getenv("GHL_URL")).orElse("https://rest.gohighlevel.com/v1");
    void m(String id, RestTemplate restTemplate) {
        String block = """
            {"a": "b\tc"}
            x""";
        String esc = "a\"b\n";
        String f = String.format("%s/contacts/%s", URL, id);
        var pick = id != null ? "a" : "b";
        Supplier<String> sup = () -> URL + "/x";
        restTemplate.exchange(URL + "/contacts/" + id, HttpMethod.PUT, entity, Contact.class);
        webClient.get().uri("/contacts/{id}", id).retrieve();
        HttpRequest req = HttpRequest.newBuilder()
            .uri(URI.create(URL + "/tasks"))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
        Map<String, String> h = new HashMap<>();
        h.put("Version", "2021");
    }
}
"#,
        );
        assert_eq!(
            binding(&f, "KEY").value,
            Expr::Env {
                name: "GHL_API_KEY".into(),
                default: None
            }
        );
        assert_eq!(
            binding(&f, "URL").value,
            Expr::Env {
                name: "GHL_URL".into(),
                default: Some(Box::new(s("https://rest.gohighlevel.com/v1")))
            }
        );
        assert_eq!(binding(&f, "block").value, s("{\"a\": \"b\tc\"}\nx"));
        assert_eq!(binding(&f, "esc").value, s("a\"b\n"));
        let Expr::Call(fmt) = &binding(&f, "f").value else {
            panic!()
        };
        assert_eq!(fmt.callee, attr(n("String"), "format"));
        assert_eq!(
            fmt.args,
            vec![pos(s("%s/contacts/%s")), pos(this("URL")), pos(n("id"))]
        );
        assert_eq!(
            binding(&f, "pick").value,
            Expr::Choice(vec![s("a"), s("b")])
        );
        assert_eq!(binding(&f, "pick").ty, None);
        let sup = func(&f, "sup");
        assert_eq!(binding(&f, "sup").value, Expr::Func(sup));
        assert_eq!(
            f.functions[sup].returns,
            vec![Expr::Concat(vec![this("URL"), s("/x")])]
        );
        let ex = call_to(&f, "exchange");
        assert_eq!(ex.call.callee, attr(n("restTemplate"), "exchange"));
        assert_eq!(
            ex.call.args[0].value,
            Expr::Concat(vec![this("URL"), s("/contacts/"), n("id")])
        );
        assert_eq!(ex.call.args[1].value, attr(n("HttpMethod"), "PUT"));
        assert_eq!(call_to(&f, "uri").call.args[0].value, s("/contacts/{id}"));
        let post = call_to(&f, "POST");
        assert_eq!(post.stmt_line, 14);
        assert_eq!(post.call.line, 14);
        let create = call_to(&f, "create");
        assert_eq!(
            create.call.args,
            vec![pos(Expr::Concat(vec![this("URL"), s("/tasks")]))]
        );
    }

    #[test]
    fn enums_records_nested_and_anonymous() {
        let f = java(
            r#"enum Endpoint {
    CONTACTS("/contacts"), TASKS("/tasks");
    private final String path;
    Endpoint(String path) { this.path = path; }
}
record Conf(String base, int retries) implements Z {}
class Outer {
    static final String BASE = "b";
    static class Inner { String u() { return BASE + "/x"; } }
    Object o = new Callback() { public void onResponse(Call c) { c.cancel(); } };
}
"#,
        );
        let c = binding(&f, "CONTACTS");
        assert_eq!(c.scope, Scope::Class(0));
        let Expr::Call(ce) = &c.value else { panic!() };
        assert!(ce.new_object);
        assert_eq!(ce.callee, n("Endpoint"));
        assert_eq!(ce.args, vec![pos(s("/contacts"))]);
        let p = f
            .bindings
            .iter()
            .find(|b| b.name == "path" && b.value == n("path"))
            .expect("this.path");
        assert_eq!(p.scope, Scope::Class(0));
        let conf = f
            .classes
            .iter()
            .position(|c| c.name == "Conf")
            .expect("record");
        assert_eq!(f.classes[conf].bases, vec!["Z"]);
        assert!(
            f.bindings
                .iter()
                .any(|b| b.name == "base" && b.scope == Scope::Class(conf))
        );
        let u = func(&f, "u");
        assert_eq!(
            f.functions[u].returns,
            vec![Expr::Concat(vec![attr(n("Outer"), "BASE"), s("/x")])]
        );
        let anon = f
            .classes
            .iter()
            .position(|c| c.bases == vec!["Callback"])
            .expect("anon");
        let on = func(&f, "onResponse");
        assert_eq!(f.functions[on].class, Some(anon));
        assert_eq!(call_to(&f, "cancel").func, on);
    }

    #[test]
    fn deep_nesting_does_not_panic() {
        let src = format!(
            "class A {{ String x = {}\"a\"{}; void m() {{ f({}1{}); }} }}",
            "(".repeat(5000),
            ")".repeat(5000),
            "g(".repeat(3000),
            ")".repeat(3000)
        );
        let f = java(&src);
        assert_eq!(binding(&f, "x").value, Expr::Unknown);
        let blocks = format!(
            "class A {{ void m() {{ {}{} }} }}",
            "{".repeat(5000),
            "}".repeat(5000)
        );
        let _ = java(&blocks);
        let _ = java(&format!(
            "class A {{ Object o = a{}; }}",
            ".b()".repeat(3000)
        ));
        let _ = java(&format!(
            "class A {{ Object o = {}1; }}",
            "x -> ".repeat(3000)
        ));
        let _ = java(&format!(
            "class A {{ Object o = {}1{}; }}",
            "new B(".repeat(3000),
            ")".repeat(3000)
        ));
        let _ = java("class { void (@ { x = \"; new .( }");
    }
}
