//! Go extractor: packages, imports, `const`/`var`/`:=` bindings, functions and methods (a method's
//! receiver type is its class, the receiver name is `SelfRef` in its body), struct and interface types as
//! classes (fields as class bindings, embedded types as bases), composite literals as constructor calls
//! with named arguments, closures, and every call.
use super::{Builder, MAX_DEPTH, column, concat, end_line, line, named_children, text, unquote};
use crate::program::facts::{
    Arg, Binding, CallExpr, Class, ClassId, Expr, FileFacts, Function, Param, Scope,
};
use std::collections::HashMap;
use tree_sitter::Node;

pub fn extract(src: &str, tree: &tree_sitter::Tree) -> FileFacts {
    let mut x = Go {
        src,
        b: Builder::new(),
        depth: 0,
        classes: HashMap::new(),
        recv: None,
    };
    let root = tree.root_node();
    x.declare_types(root);
    x.visit(root);
    let mut facts = x.b.finish();
    facts.calls.sort_by_key(|c| (c.call.line, c.call.column));
    facts
}

/// The receiver of the method being walked: its name reads as `SelfRef`.
#[derive(Clone)]
struct Recv {
    name: String,
    class: ClassId,
}

struct Go<'s> {
    src: &'s str,
    b: Builder,
    depth: usize,
    /// Struct / interface types by name.
    classes: HashMap<String, ClassId>,
    recv: Option<Recv>,
}

/// Decodes Go / C-style escapes in the body of an interpreted string.
pub(crate) fn decode_escapes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some('u') => {
                let mut hex = String::new();
                if it.peek() == Some(&'{') {
                    it.next();
                    while let Some(&h) = it.peek() {
                        it.next();
                        if h == '}' {
                            break;
                        }
                        hex.push(h);
                    }
                } else {
                    while hex.len() < 4 && it.peek().is_some_and(|h| h.is_ascii_hexdigit()) {
                        hex.extend(it.next());
                    }
                }
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => {
                        out.push_str("\\u");
                        out.push_str(&hex);
                    }
                }
            }
            Some('x') => {
                let mut hex = String::new();
                while hex.len() < 2 && it.peek().is_some_and(|h| h.is_ascii_hexdigit()) {
                    hex.extend(it.next());
                }
                match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                    Some(ch) => out.push(ch),
                    None => {
                        out.push_str("\\x");
                        out.push_str(&hex);
                    }
                }
            }
            Some(o) => out.push(o),
            None => out.push('\\'),
        }
    }
    out
}

/// A declared type as written, without pointer / slice markers and generic arguments.
pub(crate) fn clean_type(t: &str) -> String {
    let mut t = t.trim();
    loop {
        let s = t
            .trim_start_matches('*')
            .trim_start_matches("[]")
            .trim_start_matches("...")
            .trim();
        if s.len() == t.len() {
            break;
        }
        t = s;
    }
    let t = match t.find(['[', '<']) {
        Some(i) if i > 0 => &t[..i],
        _ => t,
    };
    t.trim_end_matches(['?', '!']).trim().to_string()
}

fn exported(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_uppercase())
}

/// The name an import binds when it has no alias: the last path segment, skipping a major-version
/// suffix (`github.com/go-resty/resty/v2` → `resty`, `gopkg.in/yaml.v3` → `yaml`).
fn import_local(path: &str) -> String {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let is_version =
        |s: &str| s.len() > 1 && s.starts_with('v') && s[1..].chars().all(|c| c.is_ascii_digit());
    let mut last = segs.last().copied().unwrap_or("");
    if is_version(last) && segs.len() > 1 {
        last = segs[segs.len() - 2];
    }
    if let Some(i) = last.rfind(".v")
        && last[i + 2..].chars().all(|c| c.is_ascii_digit())
        && i + 2 < last.len()
    {
        last = &last[..i];
    }
    last.trim_start_matches("go-").to_string()
}

const STATEMENTS: &[&str] = &[
    "expression_statement",
    "if_statement",
    "for_statement",
    "expression_switch_statement",
    "type_switch_statement",
    "select_statement",
    "defer_statement",
    "go_statement",
    "return_statement",
    "short_var_declaration",
    "assignment_statement",
    "inc_statement",
    "dec_statement",
    "send_statement",
    "labeled_statement",
    "var_spec",
    "const_spec",
    "type_declaration",
];

impl<'s> Go<'s> {
    fn t(&self, n: Node) -> &'s str {
        text(n, self.src)
    }

    /// Creates a class for every top-level `type X struct` / `type X interface` before walking, so methods
    /// declared earlier in the file find their class.
    fn declare_types(&mut self, root: Node) {
        for d in named_children(root) {
            if d.kind() != "type_declaration" {
                continue;
            }
            for spec in named_children(d) {
                self.declare_type(spec);
            }
        }
    }

    fn declare_type(&mut self, spec: Node) -> Option<ClassId> {
        if spec.kind() != "type_spec" {
            return None;
        }
        let name = self.t(spec.child_by_field_name("name")?).to_string();
        let ty = spec.child_by_field_name("type")?;
        if !matches!(ty.kind(), "struct_type" | "interface_type") {
            return None;
        }
        if let Some(&id) = self.classes.get(&name) {
            return Some(id);
        }
        let mut bases = Vec::new();
        if ty.kind() == "struct_type" {
            for list in named_children(ty) {
                for f in named_children(list) {
                    if f.kind() == "field_declaration"
                        && f.child_by_field_name("name").is_none()
                        && let Some(t) = f.child_by_field_name("type")
                    {
                        bases.push(clean_type(self.t(t)));
                    }
                }
            }
        } else {
            for e in named_children(ty) {
                if e.kind() == "type_elem" {
                    bases.push(clean_type(self.t(e)));
                }
            }
        }
        let id = self.b.begin_class(Class {
            name: name.clone(),
            bases,
            line: line(spec),
        });
        self.b.end_class();
        self.classes.insert(name, id);
        Some(id)
    }

    fn class_named(&mut self, name: &str, at: Node) -> ClassId {
        if let Some(&id) = self.classes.get(name) {
            return id;
        }
        let id = self.b.begin_class(Class {
            name: name.to_string(),
            bases: Vec::new(),
            line: line(at),
        });
        self.b.end_class();
        self.classes.insert(name.to_string(), id);
        id
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

    // ---- statements ----

    fn visit(&mut self, n: Node) {
        if self.depth > MAX_DEPTH {
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
            "comment" => {}
            "package_clause" => {
                if let Some(p) = named_children(n).first() {
                    self.b.facts.package = Some(self.t(*p).to_string());
                }
            }
            "import_declaration" | "import_spec_list" => {
                for c in named_children(n) {
                    self.visit(c);
                }
            }
            "import_spec" => self.import(n),
            "function_declaration" | "method_declaration" => self.function(n),
            "type_declaration" => {
                for spec in named_children(n) {
                    self.type_spec(spec);
                }
            }
            "const_declaration" | "var_declaration" | "var_spec_list" => {
                for c in named_children(n) {
                    self.visit(c);
                }
            }
            "const_spec" | "var_spec" => self.var_spec(n),
            "short_var_declaration" | "assignment_statement" => self.assignment(n),
            "return_statement" => {
                for list in named_children(n) {
                    let items = if list.kind() == "expression_list" {
                        named_children(list)
                    } else {
                        vec![list]
                    };
                    for e in items {
                        if e.kind() == "nil" {
                            continue;
                        }
                        let v = self.expr(e);
                        self.b.ret(v);
                    }
                }
            }
            "source_file"
            | "block"
            | "statement_list"
            | "ERROR"
            | "expression_statement"
            | "if_statement"
            | "for_statement"
            | "for_clause"
            | "range_clause"
            | "expression_switch_statement"
            | "type_switch_statement"
            | "expression_case"
            | "default_case"
            | "type_case"
            | "select_statement"
            | "communication_case"
            | "defer_statement"
            | "go_statement"
            | "labeled_statement"
            | "inc_statement"
            | "dec_statement"
            | "send_statement"
            | "receive_statement"
            | "expression_list" => {
                for c in named_children(n) {
                    self.visit(c);
                }
            }
            _ => {
                self.expr(n);
            }
        }
    }

    fn import(&mut self, n: Node) {
        let Some(p) = n.child_by_field_name("path") else {
            return;
        };
        let module = self.string_value(p);
        let local = match n.child_by_field_name("name") {
            Some(a) if a.kind() == "dot" => String::new(),
            Some(a) => self.t(a).to_string(),
            None => import_local(&module),
        };
        self.b.facts.imports.push(crate::program::facts::Import {
            module,
            local,
            name: None,
            line: line(n),
        });
    }

    fn type_spec(&mut self, spec: Node) {
        let Some(id) = self.declare_type(spec) else {
            return;
        };
        let Some(ty) = spec.child_by_field_name("type") else {
            return;
        };
        if ty.kind() != "struct_type" {
            return;
        }
        for list in named_children(ty) {
            for f in named_children(list) {
                if f.kind() != "field_declaration" {
                    continue;
                }
                let fty = f.child_by_field_name("type").map(|t| clean_type(self.t(t)));
                let mut c = f.walk();
                let names: Vec<Node> = f.children_by_field_name("name", &mut c).collect();
                for nm in names {
                    let name = self.t(nm).to_string();
                    let exp = exported(&name);
                    self.push_binding(Scope::Class(id), &name, Expr::Unknown, nm, fty.clone(), exp);
                }
            }
        }
    }

    fn params(&mut self, list: Node) -> Vec<Param> {
        let mut out = Vec::new();
        for p in named_children(list) {
            let rest = p.kind() == "variadic_parameter_declaration";
            if !rest && p.kind() != "parameter_declaration" {
                continue;
            }
            let ty = p.child_by_field_name("type").map(|t| clean_type(self.t(t)));
            let mut c = p.walk();
            let names: Vec<String> = p
                .children_by_field_name("name", &mut c)
                .map(|n| self.t(n).to_string())
                .collect();
            if names.is_empty() {
                out.push(Param {
                    name: "_".into(),
                    ty: ty.clone(),
                    default: None,
                    rest,
                    fields: Vec::new(),
                });
            }
            for name in names {
                out.push(Param {
                    name,
                    ty: ty.clone(),
                    default: None,
                    rest,
                    fields: Vec::new(),
                });
            }
        }
        out
    }

    fn function(&mut self, n: Node) {
        let name = n
            .child_by_field_name("name")
            .map(|x| self.t(x).to_string())
            .unwrap_or_default();
        let params = n
            .child_by_field_name("parameters")
            .map(|p| self.params(p))
            .unwrap_or_default();
        let mut class = None;
        let saved = self.recv.clone();
        if let Some(r) = n.child_by_field_name("receiver") {
            let decl = named_children(r)
                .into_iter()
                .find(|c| c.kind() == "parameter_declaration");
            if let Some(d) = decl {
                let ty = d.child_by_field_name("type").map(|t| clean_type(self.t(t)));
                if let Some(ty) = ty.filter(|t| !t.is_empty()) {
                    let id = self.class_named(&ty, n);
                    class = Some(id);
                    self.recv = d.child_by_field_name("name").map(|nm| Recv {
                        name: self.t(nm).to_string(),
                        class: id,
                    });
                    if self.recv.is_none() {
                        // An anonymous receiver still makes the method belong to the class.
                        self.recv = Some(Recv {
                            name: String::new(),
                            class: id,
                        });
                    }
                }
            }
        } else {
            self.recv = None;
        }
        self.b.begin_fn(
            Function {
                name,
                class,
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
        if let Some(body) = n.child_by_field_name("body") {
            self.visit(body);
        }
        self.b.end_fn();
        self.recv = saved;
    }

    fn func_literal(&mut self, n: Node, name: &str) -> Expr {
        let params = n
            .child_by_field_name("parameters")
            .map(|p| self.params(p))
            .unwrap_or_default();
        let id = self.b.begin_fn(
            Function {
                name: name.to_string(),
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
        if let Some(body) = n.child_by_field_name("body") {
            self.visit(body);
        }
        self.b.end_fn();
        Expr::Func(id)
    }

    /// `const`/`var` spec: names paired with values by position.
    fn var_spec(&mut self, n: Node) {
        let ty = n.child_by_field_name("type").map(|t| clean_type(self.t(t)));
        let mut c = n.walk();
        let names: Vec<Node> = n
            .children_by_field_name("name", &mut c)
            .filter(|x| x.kind() == "identifier")
            .collect();
        let values: Vec<Node> = n
            .child_by_field_name("value")
            .map(named_children)
            .unwrap_or_default();
        let top = self.b.current_fn() == 0;
        let scope = self.b.local_scope();
        for (i, nm) in names.iter().enumerate() {
            let name = self.t(*nm).to_string();
            let value = match values.get(i) {
                Some(v) => self.expr_named(*v, &name),
                None => Expr::Unknown,
            };
            if name == "_" {
                continue;
            }
            self.push_binding(scope, &name, value, *nm, ty.clone(), top && exported(&name));
        }
        // Extra values (never valid Go, but keep their calls).
        for v in values.iter().skip(names.len()) {
            self.expr(*v);
        }
    }

    /// `a := v`, `a, err := f()`, `c.BaseURL = v`, `url += "/x"`.
    fn assignment(&mut self, n: Node) {
        let lefts: Vec<Node> = n
            .child_by_field_name("left")
            .map(named_children)
            .unwrap_or_default();
        let rights: Vec<Node> = n
            .child_by_field_name("right")
            .map(named_children)
            .unwrap_or_default();
        let op = n
            .child_by_field_name("operator")
            .map(|o| self.t(o))
            .unwrap_or(if n.kind() == "short_var_declaration" {
                ":="
            } else {
                "="
            });
        let mut values = Vec::new();
        for (i, r) in rights.iter().enumerate() {
            let hint = lefts
                .get(i)
                .and_then(|l| self.target(*l))
                .map(|(_, nm)| nm)
                .unwrap_or_default();
            values.push(self.expr_named(*r, &hint));
        }
        for (i, l) in lefts.iter().enumerate() {
            // `v, err := f()`: the first name gets the call's value (Go's value-then-error idiom).
            let value = if rights.len() == lefts.len() {
                values.get(i).cloned().unwrap_or(Expr::Unknown)
            } else if i == 0 {
                values.first().cloned().unwrap_or(Expr::Unknown)
            } else {
                Expr::Unknown
            };
            let Some((scope, name)) = self.target(*l) else {
                if l.kind() != "identifier" {
                    self.expr(*l);
                }
                continue;
            };
            let value = match op {
                "+=" => concat(vec![self.lhs_value(*l), value]),
                "=" | ":=" => value,
                _ => Expr::Unknown,
            };
            self.push_binding(scope, &name, value, *l, None, false);
        }
    }

    /// The current value of an assignment target, for `+=`.
    fn lhs_value(&mut self, l: Node) -> Expr {
        self.expr(l)
    }

    /// Where an assignment target binds: a local name, a receiver member, or a dotted path.
    fn target(&self, l: Node) -> Option<(Scope, String)> {
        match l.kind() {
            "identifier" => {
                let name = self.t(l);
                if name == "_" {
                    return None;
                }
                Some((self.b.local_scope(), name.to_string()))
            }
            "selector_expression" | "index_expression" => {
                let mut parts = Vec::new();
                let mut cur = l;
                loop {
                    match cur.kind() {
                        "selector_expression" => {
                            parts.push(self.t(cur.child_by_field_name("field")?).to_string());
                            cur = cur.child_by_field_name("operand")?;
                        }
                        "index_expression" => {
                            let idx = cur.child_by_field_name("index")?;
                            if !matches!(
                                idx.kind(),
                                "interpreted_string_literal" | "raw_string_literal"
                            ) {
                                return None;
                            }
                            parts.push(self.string_value(idx));
                            cur = cur.child_by_field_name("operand")?;
                        }
                        "identifier" => break,
                        "parenthesized_expression" => {
                            cur = *named_children(cur).first()?;
                        }
                        _ => return None,
                    }
                }
                parts.reverse();
                let root = self.t(cur);
                match &self.recv {
                    Some(r) if !r.name.is_empty() && r.name == root => {
                        Some((Scope::Class(r.class), parts.join(".")))
                    }
                    _ => Some((self.b.local_scope(), format!("{root}.{}", parts.join(".")))),
                }
            }
            _ => None,
        }
    }

    // ---- expressions ----

    fn expr_named(&mut self, n: Node, name: &str) -> Expr {
        if n.kind() == "func_literal" {
            if self.depth > MAX_DEPTH {
                return Expr::Unknown;
            }
            self.depth += 1;
            let e = self.func_literal(n, name);
            self.depth -= 1;
            e
        } else {
            self.expr(n)
        }
    }

    fn expr(&mut self, n: Node) -> Expr {
        if self.depth > MAX_DEPTH {
            return Expr::Unknown;
        }
        self.depth += 1;
        let e = self.expr_inner(n);
        self.depth -= 1;
        e
    }

    fn string_value(&self, n: Node) -> String {
        match n.kind() {
            "raw_string_literal" => unquote(self.t(n)).replace('\r', ""),
            _ => decode_escapes(unquote(self.t(n))),
        }
    }

    fn expr_inner(&mut self, n: Node) -> Expr {
        match n.kind() {
            "interpreted_string_literal" | "raw_string_literal" => Expr::Str(self.string_value(n)),
            "int_literal" | "float_literal" | "imaginary_literal" | "true" | "false" => {
                Expr::Str(self.t(n).to_string())
            }
            "rune_literal" => Expr::Str(decode_escapes(
                self.t(n).trim_start_matches('\'').trim_end_matches('\''),
            )),
            "nil" | "iota" => Expr::Unknown,
            "identifier" => {
                let name = self.t(n);
                match &self.recv {
                    Some(r) if !r.name.is_empty() && r.name == name => Expr::SelfRef,
                    _ => Expr::Name(name.to_string()),
                }
            }
            "parenthesized_expression" => match named_children(n).first() {
                Some(c) => self.expr(*c),
                None => Expr::Unknown,
            },
            "selector_expression" => {
                let (Some(o), Some(f)) = (
                    n.child_by_field_name("operand"),
                    n.child_by_field_name("field"),
                ) else {
                    return Expr::Unknown;
                };
                let obj = self.expr(o);
                Expr::Attr(Box::new(obj), self.t(f).to_string())
            }
            "index_expression" => {
                let (Some(o), Some(i)) = (
                    n.child_by_field_name("operand"),
                    n.child_by_field_name("index"),
                ) else {
                    return Expr::Unknown;
                };
                let obj = self.expr(o);
                match self.expr(i) {
                    Expr::Str(k) => Expr::Attr(Box::new(obj), k),
                    k => Expr::Index(Box::new(obj), Box::new(k)),
                }
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
            "unary_expression" => {
                let op = n.child_by_field_name("operator").map(|o| self.t(o));
                let v = n.child_by_field_name("operand").map(|o| self.expr(o));
                match (op, v) {
                    (Some("&" | "*"), Some(v)) => v,
                    (Some("-" | "+"), Some(Expr::Str(s))) => {
                        Expr::Str(format!("{}{s}", op.unwrap_or("")))
                    }
                    _ => Expr::Unknown,
                }
            }
            "type_assertion_expression" | "type_conversion_expression" => {
                match n.child_by_field_name("operand") {
                    Some(o) => self.expr(o),
                    None => Expr::Unknown,
                }
            }
            "func_literal" => self.func_literal(n, ""),
            "call_expression" => self.call(n),
            "composite_literal" => self.composite(n),
            "literal_value" => self.literal_object(n),
            "literal_element" => match named_children(n).first() {
                Some(c) => self.expr(*c),
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

    fn call(&mut self, n: Node) -> Expr {
        let Some(f) = n.child_by_field_name("function") else {
            return Expr::Unknown;
        };
        let arg_nodes: Vec<Node> = n
            .child_by_field_name("arguments")
            .map(named_children)
            .unwrap_or_default();
        // Conversions to a type (`[]byte(s)`, `string(b)`) are the value itself.
        let conversion = matches!(
            f.kind(),
            "slice_type" | "array_type" | "map_type" | "pointer_type" | "parenthesized_type"
        ) || (f.kind() == "identifier"
            && matches!(self.t(f), "string" | "any")
            && arg_nodes.len() == 1);
        if conversion {
            return match arg_nodes.first() {
                Some(a) => self.expr(*a),
                None => Expr::Unknown,
            };
        }
        let callee = self.expr(f);
        let mut args = Vec::new();
        for a in arg_nodes {
            if a.kind() == "comment" {
                continue;
            }
            let (node, spread) = if a.kind() == "variadic_argument" {
                match named_children(a).first() {
                    Some(c) => (*c, true),
                    None => continue,
                }
            } else {
                (a, false)
            };
            let value = self.expr(node);
            args.push(Arg {
                name: None,
                value,
                spread,
            });
        }
        let env = match (&callee, args.first()) {
            (
                Expr::Attr(o, m),
                Some(Arg {
                    value: Expr::Str(name),
                    ..
                }),
            ) if matches!(&**o, Expr::Name(p) if p == "os")
                && matches!(m.as_str(), "Getenv" | "LookupEnv") =>
            {
                Some(Expr::Env {
                    name: name.clone(),
                    default: None,
                })
            }
            _ => None,
        };
        let ce = CallExpr {
            callee,
            args,
            new_object: false,
            line: line(n),
            column: column(n, self.src),
            end_line: end_line(n),
        };
        self.b.call(ce.clone());
        env.unwrap_or(Expr::Call(Box::new(ce)))
    }

    fn type_callee(&mut self, t: Node) -> Option<Expr> {
        match t.kind() {
            "type_identifier" => Some(Expr::Name(self.t(t).to_string())),
            "qualified_type" => {
                let p = t.child_by_field_name("package")?;
                let nm = t.child_by_field_name("name")?;
                Some(Expr::Attr(
                    Box::new(Expr::Name(self.t(p).to_string())),
                    self.t(nm).to_string(),
                ))
            }
            "generic_type" => self.type_callee(t.child_by_field_name("type")?),
            _ => None,
        }
    }

    /// `Client{BaseURL: "…"}` → a constructor call with named args; map / slice literals → `Object`.
    fn composite(&mut self, n: Node) -> Expr {
        let Some(body) = n.child_by_field_name("body") else {
            return Expr::Unknown;
        };
        let callee = n
            .child_by_field_name("type")
            .and_then(|t| self.type_callee(t));
        let Some(callee) = callee else {
            return self.literal_object(body);
        };
        let mut args = Vec::new();
        for el in named_children(body) {
            match el.kind() {
                "keyed_element" => {
                    let key = el.child_by_field_name("key").map(|k| self.key_text(k));
                    let value = match el.child_by_field_name("value") {
                        Some(v) => self.element_value(v, key.as_deref().unwrap_or("")),
                        None => Expr::Unknown,
                    };
                    args.push(Arg {
                        name: key,
                        value,
                        spread: false,
                    });
                }
                "literal_element" => {
                    let value = self.element_value(el, "");
                    args.push(Arg {
                        name: None,
                        value,
                        spread: false,
                    });
                }
                _ => {}
            }
        }
        let ce = CallExpr {
            callee,
            args,
            new_object: true,
            line: line(n),
            column: column(n, self.src),
            end_line: end_line(n),
        };
        self.b.call(ce.clone());
        Expr::Call(Box::new(ce))
    }

    fn element_value(&mut self, el: Node, name: &str) -> Expr {
        let inner = if el.kind() == "literal_element" {
            named_children(el).first().copied()
        } else {
            Some(el)
        };
        match inner {
            Some(i) => self.expr_named(i, name),
            None => Expr::Unknown,
        }
    }

    fn key_text(&mut self, k: Node) -> String {
        let inner = if k.kind() == "literal_element" {
            named_children(k).first().copied()
        } else {
            Some(k)
        };
        match inner {
            Some(i)
                if matches!(
                    i.kind(),
                    "interpreted_string_literal" | "raw_string_literal"
                ) =>
            {
                self.string_value(i)
            }
            Some(i) => self.t(i).to_string(),
            None => String::new(),
        }
    }

    fn literal_object(&mut self, body: Node) -> Expr {
        let mut items = Vec::new();
        let mut pos = 0usize;
        for el in named_children(body) {
            match el.kind() {
                "keyed_element" => {
                    let key = el
                        .child_by_field_name("key")
                        .map(|k| self.key_text(k))
                        .unwrap_or_default();
                    let value = match el.child_by_field_name("value") {
                        Some(v) => self.element_value(v, &key),
                        None => Expr::Unknown,
                    };
                    items.push((key, value));
                }
                "literal_element" => {
                    let value = self.element_value(el, "");
                    items.push((pos.to_string(), value));
                    pos += 1;
                }
                _ => {}
            }
        }
        Expr::Object(items)
    }
}

#[cfg(test)]
mod tests {
    use crate::program::facts::*;
    use crate::program::lang::testkit::{attr, name as n, s};
    use crate::program::parse::facts;
    use crate::scan::lang::Lang;

    fn go(src: &str) -> FileFacts {
        facts(Lang::Go, "t.go", src).expect("parsed")
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

    #[test]
    #[ignore]
    fn dump() {
        let lang = std::env::var("SEXP_LANG").unwrap_or_default();
        let path = std::env::var("SEXP_FILE").unwrap_or_default();
        let src = std::fs::read_to_string(&path).unwrap_or_default();
        let language: tree_sitter::Language = match lang.as_str() {
            "java" => tree_sitter_java::LANGUAGE.into(),
            "kotlin" => tree_sitter_kotlin_ng::LANGUAGE.into(),
            _ => tree_sitter_go::LANGUAGE.into(),
        };
        let mut p = tree_sitter::Parser::new();
        p.set_language(&language).unwrap();
        let t = p.parse(&src, None).unwrap();
        fn pr(n: tree_sitter::Node, src: &str, d: usize, field: Option<&str>) {
            let txt = if n.named_child_count() == 0 {
                format!(" {:?}", &src[n.byte_range()])
            } else {
                String::new()
            };
            if n.is_named() {
                println!(
                    "{}{}{}{}",
                    "  ".repeat(d),
                    field.map(|f| format!("{f}: ")).unwrap_or_default(),
                    n.kind(),
                    txt
                );
            }
            let mut c = n.walk();
            for (i, ch) in n.children(&mut c).enumerate() {
                pr(ch, src, d + 1, n.field_name_for_child(i as u32));
            }
        }
        pr(t.root_node(), &src, 0, None);
        let f = match lang.as_str() {
            "java" => facts(Lang::Java, "t.java", &src),
            "kotlin" => facts(Lang::Kotlin, "t.kt", &src),
            _ => facts(Lang::Go, "t.go", &src),
        };
        println!("{f:#?}");
    }

    #[test]
    fn package_and_imports() {
        let f = go(r#"package ghl

import "net/http"
import (
	"fmt"
	r "github.com/go-resty/resty/v2"
	"gopkg.in/yaml.v3"
	. "strings"
	_ "embed"
)
"#);
        assert_eq!(f.package.as_deref(), Some("ghl"));
        let got: Vec<(&str, &str, usize)> = f
            .imports
            .iter()
            .map(|i| (i.module.as_str(), i.local.as_str(), i.line))
            .collect();
        assert_eq!(
            got,
            vec![
                ("net/http", "http", 3),
                ("fmt", "fmt", 5),
                ("github.com/go-resty/resty/v2", "r", 6),
                ("gopkg.in/yaml.v3", "yaml", 7),
                ("strings", "", 8),
                ("embed", "_", 9),
            ]
        );
        assert!(f.imports.iter().all(|i| i.name.is_none()));
    }

    #[test]
    fn struct_literal_method_receiver_and_wrapper() {
        let f = go(r#"package ghl

func (c *Client) Get(path string) (*http.Response, error) {
	req, err := http.NewRequest("GET", c.BaseURL+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.Token)
	return c.HTTP.Do(req)
}

type Client struct {
	BaseURL string
	Token, other string
	HTTP    *http.Client
	Base
}

func NewClient(token string) *Client {
	return &Client{BaseURL: "https://rest.gohighlevel.com/v1", Token: token, HTTP: http.DefaultClient}
}
"#);
        assert_eq!(f.classes.len(), 1);
        assert_eq!(f.classes[0].name, "Client");
        assert_eq!(f.classes[0].bases, vec!["Base".to_string()]);
        let get = &f.functions[1];
        assert_eq!(get.name, "Get");
        assert_eq!(get.class, Some(0));
        assert_eq!(get.params.len(), 1);
        assert_eq!(get.params[0].name, "path");
        assert_eq!(get.params[0].ty.as_deref(), Some("string"));
        let nr = call_to(&f, "NewRequest");
        assert_eq!(nr.func, 1);
        assert_eq!(
            nr.call
                .args
                .iter()
                .map(|a| a.value.clone())
                .collect::<Vec<_>>(),
            vec![
                s("GET"),
                Expr::Concat(vec![attr(Expr::SelfRef, "BaseURL"), n("path")]),
                Expr::Unknown
            ]
        );
        let req = binding(&f, "req");
        assert_eq!(req.scope, Scope::Function(1));
        assert!(matches!(&req.value, Expr::Call(c) if c.args[0].value == s("GET")));
        assert_eq!(binding(&f, "err").value, Expr::Unknown);
        let doc = call_to(&f, "Do");
        assert_eq!(doc.call.callee, attr(attr(Expr::SelfRef, "HTTP"), "Do"));
        assert_eq!(doc.call.args[0].value, n("req"));
        assert_eq!(
            f.functions[1].returns.len(),
            2,
            "{:?}",
            f.functions[1].returns
        );
        // Fields.
        let base = binding(&f, "BaseURL");
        assert_eq!(base.scope, Scope::Class(0));
        assert_eq!(base.ty.as_deref(), Some("string"));
        assert!(base.exported);
        assert_eq!(binding(&f, "HTTP").ty.as_deref(), Some("http.Client"));
        assert!(!binding(&f, "other").exported);
        // Struct literal.
        let lit = f.calls.iter().find(|c| c.call.new_object).expect("literal");
        assert_eq!(lit.func, 2);
        assert_eq!(lit.call.callee, n("Client"));
        assert_eq!(
            lit.call.args,
            vec![
                Arg {
                    name: Some("BaseURL".into()),
                    value: s("https://rest.gohighlevel.com/v1"),
                    spread: false
                },
                Arg {
                    name: Some("Token".into()),
                    value: n("token"),
                    spread: false
                },
                Arg {
                    name: Some("HTTP".into()),
                    value: attr(n("http"), "DefaultClient"),
                    spread: false
                },
            ]
        );
        assert_eq!(
            f.functions[2].returns,
            vec![Expr::Call(Box::new(lit.call.clone()))]
        );
    }

    #[test]
    fn receiver_member_assignment_and_constructor_client() {
        let f = go(r#"package ghl
type Api struct{ client *resty.Client }
func (a *Api) Init() {
	a.client = resty.New().SetBaseURL(BASE)
}
func (a *Api) Contacts(id string) {
	a.client.R().SetHeader("Version", "2021").SetBody(payload).Post("/contacts/" + id)
}
"#);
        let b = f
            .bindings
            .iter()
            .find(|b| b.name == "client" && b.value != Expr::Unknown)
            .expect("member binding");
        assert_eq!(b.scope, Scope::Class(0));
        let Expr::Call(c) = &b.value else {
            panic!("{:?}", b.value)
        };
        assert_eq!(
            c.args,
            vec![Arg {
                name: None,
                value: n("BASE"),
                spread: false
            }]
        );
        let post = call_to(&f, "Post");
        assert_eq!(post.func, 2);
        assert_eq!(post.stmt_line, 7);
        assert_eq!(
            post.call.args[0].value,
            Expr::Concat(vec![s("/contacts/"), n("id")])
        );
        let Expr::Attr(inner, m) = &post.call.callee else {
            panic!()
        };
        assert_eq!(m, "Post");
        let Expr::Call(set_body) = &**inner else {
            panic!()
        };
        assert!(matches!(&set_body.callee, Expr::Attr(_, m) if m == "SetBody"));
        // R, SetHeader, SetBody, Post + New, SetBaseURL.
        assert_eq!(f.calls.len(), 6);
    }

    #[test]
    fn consts_vars_env_strings() {
        let f = go(r#"package main
const BaseURL = "https://rest.gohighlevel.com/v1"
const (
	contacts = BaseURL + `/contacts/`
	tab = "a\tb\u00e9"
)
var (
	apiKey = os.Getenv("GHL_API_KEY")
	client *http.Client
)
var u, v = "x", fmt.Sprintf("%s/contacts/%s", BaseURL, id)
func main() {
	url := BaseURL
	url += "/tasks"
	cfg.api.url = "x"
	m["key"] = 1
}
"#);
        let b = binding(&f, "BaseURL");
        assert_eq!((b.scope, b.exported), (Scope::Module, true));
        assert_eq!(b.value, s("https://rest.gohighlevel.com/v1"));
        assert_eq!(
            binding(&f, "contacts").value,
            Expr::Concat(vec![n("BaseURL"), s("/contacts/")])
        );
        assert!(!binding(&f, "contacts").exported);
        assert_eq!(binding(&f, "tab").value, s("a\tbé"));
        assert_eq!(
            binding(&f, "apiKey").value,
            Expr::Env {
                name: "GHL_API_KEY".into(),
                default: None
            }
        );
        let c = binding(&f, "client");
        assert_eq!(
            (c.value.clone(), c.ty.as_deref()),
            (Expr::Unknown, Some("http.Client"))
        );
        assert_eq!(binding(&f, "u").value, s("x"));
        let Expr::Call(sp) = &binding(&f, "v").value else {
            panic!()
        };
        assert_eq!(sp.callee, attr(n("fmt"), "Sprintf"));
        assert_eq!(sp.args.len(), 3);
        let urls: Vec<&Binding> = f.bindings.iter().filter(|b| b.name == "url").collect();
        assert_eq!(urls.len(), 2);
        assert_eq!(urls[1].value, Expr::Concat(vec![n("url"), s("/tasks")]));
        assert_eq!(urls[1].scope, Scope::Function(1));
        assert_eq!(binding(&f, "cfg.api.url").value, s("x"));
        assert_eq!(binding(&f, "m.key").value, s("1"));
    }

    #[test]
    fn closures_factories_and_multiline_statements() {
        let f = go(r#"package main
func makeGetter(base string) func(string) (*http.Response, error) {
	get := func(p string) (*http.Response, error) {
		return http.Get(base + p)
	}
	return get
}
func run(ctx context.Context) {
	resp, err :=
		http.DefaultClient.Do(
			mustReq(http.NewRequestWithContext(ctx, "POST", url, bytes.NewBuffer(body))),
		)
	defer resp.Body.Close()
	go func() { send(items...) }()
}
"#);
        let get = f
            .functions
            .iter()
            .position(|x| x.name == "get")
            .expect("get");
        assert_eq!(f.functions[get].parent, Some(1));
        assert_eq!(binding(&f, "get").value, Expr::Func(get));
        assert_eq!(f.functions[1].returns, vec![n("get")]);
        let hg = call_to(&f, "Get");
        assert_eq!(hg.func, get);
        assert_eq!(f.functions[get].returns.len(), 1);
        let nr = call_to(&f, "NewRequestWithContext");
        assert_eq!((nr.call.line, nr.stmt_line), (11, 9));
        assert_eq!(call_to(&f, "Do").stmt_line, 9);
        assert_eq!(call_to(&f, "NewBuffer").call.args[0].value, n("body"));
        let send = call_to(&f, "send");
        assert!(send.call.args[0].spread);
        assert!(
            f.calls
                .iter()
                .any(|c| matches!(c.call.callee, Expr::Func(_)))
        );
    }

    #[test]
    fn map_and_slice_literals() {
        let f = go(r#"package main
var headers = map[string]string{"Version": "2021-07-28", "Accept": "application/json"}
var paths = []string{"/a", "/b"}
"#);
        assert_eq!(
            binding(&f, "headers").value,
            Expr::Object(vec![
                ("Version".into(), s("2021-07-28")),
                ("Accept".into(), s("application/json"))
            ])
        );
        assert_eq!(
            binding(&f, "paths").value,
            Expr::Object(vec![("0".into(), s("/a")), ("1".into(), s("/b"))])
        );
        assert!(f.calls.is_empty());
    }

    #[test]
    fn deep_nesting_does_not_panic() {
        let src = format!(
            "package main\nvar x = {}1{}\nfunc f() {{ g({}h(){}) }}\n",
            "(".repeat(5000),
            ")".repeat(5000),
            "[]int{".repeat(3000),
            "}".repeat(3000)
        );
        let f = go(&src);
        assert_eq!(binding(&f, "x").value, Expr::Unknown);
        let src2 = format!(
            "package main\nfunc f() {{ {} }}",
            "if a {".repeat(3000) + &"}".repeat(3000)
        );
        let _ = go(&src2);
        let _ = go("package main\nfunc (c *) {{{ x := \"\nvar = ,");
    }
}
