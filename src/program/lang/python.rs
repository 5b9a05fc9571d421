//! Python extractor (tree-sitter-python): functions, methods, lambdas, classes, bindings (module, class,
//! `self.x`/`cls.x` members, locals), imports and every call, with values as [`Expr`].
use super::{Builder, MAX_DEPTH, column, concat, end_line, line, text};
use crate::program::facts::{
    Arg, Binding, CallExpr, Class, Expr, FileFacts, FnId, Function, Param, Scope,
};
use tree_sitter::Node;

pub fn extract(src: &str, tree: &tree_sitter::Tree) -> FileFacts {
    let mut x = Ex {
        src,
        b: Builder::new(),
        depth: 0,
        frames: vec![Frame {
            ctx: Ctx::Module,
            self_name: None,
            globals: Vec::new(),
        }],
    };
    x.block(tree.root_node());
    x.b.finish()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Module,
    Function,
    ClassBody,
}

/// One lexical frame: the module, a function body or a class body.
struct Frame {
    ctx: Ctx,
    /// The name of the receiver (`self`, `cls`) visible here: a method's first parameter, inherited by
    /// closures nested in the method.
    self_name: Option<String>,
    /// Names declared `global` in this function.
    globals: Vec<String>,
}

struct Ex<'s> {
    src: &'s str,
    b: Builder,
    depth: usize,
    frames: Vec<Frame>,
}

/// Named children without comments.
fn kids<'t>(n: Node<'t>) -> Vec<Node<'t>> {
    let mut c = n.walk();
    n.named_children(&mut c)
        .filter(|k| k.kind() != "comment")
        .collect()
}

fn is_stmt_kind(k: &str) -> bool {
    k.ends_with("_statement")
        || k.ends_with("_clause")
        || matches!(
            k,
            "function_definition" | "class_definition" | "decorated_definition" | "block" | "ERROR"
        )
}

/// Positional items keyed "0", "1", …
fn positional(items: Vec<Expr>) -> Expr {
    Expr::Object(
        items
            .into_iter()
            .enumerate()
            .map(|(i, e)| (i.to_string(), e))
            .collect(),
    )
}

/// The items of a positional `Object` (`(a, b)`, `[a, b]`), when it is one.
fn positional_items(e: &Expr) -> Option<Vec<Expr>> {
    match e {
        Expr::Object(v) if v.iter().enumerate().all(|(i, (k, _))| *k == i.to_string()) => {
            Some(v.iter().map(|(_, e)| e.clone()).collect())
        }
        _ => None,
    }
}

/// Declared type as written, without `Optional[…]`, `| None` and string quotes.
fn clean_type(t: &str) -> String {
    let mut t = t.trim();
    t = super::unquote(t).trim();
    if let Some(inner) = t
        .strip_prefix("Optional[")
        .or_else(|| t.strip_prefix("typing.Optional["))
        .and_then(|s| s.strip_suffix(']'))
    {
        t = inner.trim();
    }
    let parts: Vec<&str> = t
        .split('|')
        .map(str::trim)
        .filter(|p| *p != "None")
        .collect();
    if parts.len() == 1 {
        t = parts[0];
    }
    super::unquote(t).to_string()
}

/// Decodes Python escapes (`\n`, `\xHH`, `\uXXXX`, octal, line continuation); in f-strings also `{{`/`}}`.
fn decode(s: &str, raw: bool, fstr: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '{' | '}' if fstr && it.peek() == Some(&c) => {
                it.next();
                out.push(c);
            }
            '\\' if !raw => {
                let Some(e) = it.next() else {
                    out.push('\\');
                    break;
                };
                match e {
                    '\n' => {}
                    '\r' => {
                        if it.peek() == Some(&'\n') {
                            it.next();
                        }
                    }
                    '\\' | '\'' | '"' => out.push(e),
                    'n' => out.push('\n'),
                    't' => out.push('\t'),
                    'r' => out.push('\r'),
                    'a' => out.push('\x07'),
                    'b' => out.push('\x08'),
                    'f' => out.push('\x0c'),
                    'v' => out.push('\x0b'),
                    'x' | 'u' | 'U' => {
                        let n = match e {
                            'x' => 2,
                            'u' => 4,
                            _ => 8,
                        };
                        let hex = super::take_hex(&mut it, n);
                        match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                            Some(ch) if hex.len() == n => out.push(ch),
                            _ => {
                                out.push('\\');
                                out.push(e);
                                out.push_str(&hex);
                            }
                        }
                    }
                    '0'..='7' => {
                        let mut oct = String::from(e);
                        while oct.len() < 3 {
                            match it.peek() {
                                Some(o @ '0'..='7') => {
                                    oct.push(*o);
                                    it.next();
                                }
                                _ => break,
                            }
                        }
                        match u32::from_str_radix(&oct, 8).ok().and_then(char::from_u32) {
                            Some(ch) => out.push(ch),
                            None => {
                                out.push('\\');
                                out.push_str(&oct);
                            }
                        }
                    }
                    other => {
                        out.push('\\');
                        out.push(other);
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

fn is_os_environ(e: &Expr) -> bool {
    match e {
        Expr::Name(n) => n == "environ",
        Expr::Attr(o, a) => a == "environ" && matches!(o.as_ref(), Expr::Name(n) if n == "os"),
        _ => false,
    }
}

/// An environment read by call: `os.getenv('X', d)`, `getenv('X')`, `os.environ.get('X', d)`,
/// `os.environ.setdefault('X', d)`, `config('X', default=d)` (python-decouple), `env('X', default=d)`
/// (django-environ), `env.str('X', d)` (environs).
fn env_call(ce: &CallExpr) -> Option<Expr> {
    let is_env = match &ce.callee {
        Expr::Name(n) => matches!(n.as_str(), "getenv" | "config" | "env"),
        Expr::Attr(o, m) => match (o.as_ref(), m.as_str()) {
            (Expr::Name(n), "getenv") => n == "os",
            (Expr::Name(n), "config") => n == "decouple",
            (Expr::Name(n), "str") => n == "env",
            (o, "get" | "setdefault") => is_os_environ(o),
            _ => false,
        },
        _ => false,
    };
    if !is_env {
        return None;
    }
    let mut pos = ce.args.iter().filter(|a| a.name.is_none() && !a.spread);
    let name = match pos.next() {
        Some(Arg {
            value: Expr::Str(s),
            ..
        }) => s.clone(),
        _ => return None,
    };
    let default = pos
        .next()
        .or_else(|| {
            ce.args
                .iter()
                .find(|a| a.name.as_deref() == Some("default"))
        })
        .map(|a| Box::new(a.value.clone()));
    Some(Expr::Env { name, default })
}

impl<'s> Ex<'s> {
    fn t(&self, n: Node) -> &'s str {
        text(n, self.src)
    }

    fn frame(&self) -> &Frame {
        // frames is never empty: the module frame is pushed first and never popped.
        &self.frames[self.frames.len() - 1]
    }

    fn ctx(&self) -> Ctx {
        self.frame().ctx
    }

    fn self_name(&self) -> Option<String> {
        self.frame().self_name.clone()
    }

    /// Scope of a plain name assigned here.
    fn name_scope(&self, name: &str) -> Scope {
        let f = self.frame();
        match f.ctx {
            Ctx::ClassBody => self.b.member_scope(),
            Ctx::Function if f.globals.iter().any(|g| g == name) => Scope::Module,
            _ => self.b.local_scope(),
        }
    }

    fn bind(&mut self, scope: Scope, name: String, value: Expr, line: usize, ty: Option<String>) {
        let exported = scope == Scope::Module && !name.starts_with('_') && !name.contains('.');
        self.b.push_binding(Binding {
            scope,
            name,
            value,
            line,
            ty,
            exported,
        });
    }

    // ---------------------------------------------------------------- statements

    fn block(&mut self, n: Node) {
        for c in kids(n) {
            self.stmt(c);
        }
    }

    fn stmt(&mut self, n: Node) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        self.depth += 1;
        self.b.begin_stmt(line(n));
        match n.kind() {
            "expression_statement" => {
                for c in kids(n) {
                    self.expr_stmt(c);
                }
            }
            "import_statement" => self.import(n),
            "import_from_statement" => self.import_from(n),
            "function_definition" => {
                self.function(n, &[]);
            }
            "class_definition" => {
                self.class(n);
            }
            "decorated_definition" => self.decorated(n),
            "return_statement" => {
                if let Some(c) = kids(n).first() {
                    let v = self.expr(*c);
                    self.b.ret(v);
                }
            }
            "with_statement" => self.with(n),
            "for_statement" => self.for_loop(n),
            "global_statement" => {
                let names: Vec<String> = kids(n).iter().map(|c| self.t(*c).to_string()).collect();
                if let Some(f) = self.frames.last_mut() {
                    f.globals.extend(names);
                }
            }
            "nonlocal_statement"
            | "pass_statement"
            | "break_statement"
            | "continue_statement"
            | "future_import_statement"
            | "comment" => {}
            k if is_stmt_kind(k) || k == "module" => self.generic(n),
            _ => self.expr_stmt(n),
        }
        self.b.end_stmt();
        self.depth -= 1;
    }

    /// Statements without special meaning (`if`, `for`, `try`, clauses, ERROR): conditions are
    /// expressions, blocks and clauses are statements.
    fn generic(&mut self, n: Node) {
        for c in kids(n) {
            match c.kind() {
                "block" | "module" => self.block(c),
                k if is_stmt_kind(k) => self.stmt(c),
                "assignment" | "augmented_assignment" => self.expr_stmt(c),
                _ => {
                    self.expr(c);
                }
            }
        }
    }

    /// `for x in [a, b]:` binds `x` to `Choice([a, b])` when the iterable is a literal list / tuple / set.
    fn for_loop(&mut self, n: Node) {
        let left = n.child_by_field_name("left");
        let right = n.child_by_field_name("right");
        let skip: Vec<usize> = [left, right].iter().flatten().map(|x| x.id()).collect();
        if let Some(r) = right {
            let v = self.expr(r);
            if let (Some(l), "list" | "tuple" | "set") = (left, r.kind())
                && let Some(items) = positional_items(&v)
                && !items.is_empty()
            {
                self.bind_target(l, choice(items), line(n), None);
            }
        }
        for c in kids(n) {
            if skip.contains(&c.id()) {
                continue;
            }
            match c.kind() {
                "block" => self.block(c),
                k if is_stmt_kind(k) => self.stmt(c),
                _ => {
                    self.expr(c);
                }
            }
        }
    }

    fn expr_stmt(&mut self, n: Node) {
        match n.kind() {
            "assignment" => {
                self.assign(n);
            }
            "augmented_assignment" => self.aug_assign(n),
            _ => {
                self.expr(n);
            }
        }
    }

    /// `a = v`, `a: T = v`, `a: T`, `a = b = v`, `a, b = x, y`; returns the assigned value.
    fn assign(&mut self, n: Node) -> Expr {
        if self.depth >= MAX_DEPTH {
            return Expr::Unknown;
        }
        self.depth += 1;
        let ln = line(n);
        let ty = n.child_by_field_name("type").map(|t| clean_type(self.t(t)));
        let left = n.child_by_field_name("left");
        let value = match n.child_by_field_name("right") {
            Some(r) if r.kind() == "assignment" => self.assign(r),
            Some(r) => {
                let hint = left
                    .filter(|l| l.kind() == "identifier")
                    .map(|l| self.t(l).to_string());
                self.expr_hint(r, hint)
            }
            None => Expr::Unknown,
        };
        if let Some(l) = left {
            self.bind_target(l, value.clone(), ln, ty);
        }
        self.depth -= 1;
        value
    }

    fn aug_assign(&mut self, n: Node) {
        let (Some(l), Some(r)) = (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
        ) else {
            self.generic(n);
            return;
        };
        let op = n.child_by_field_name("operator").map_or("", |o| self.t(o));
        let cur = self.expr(l);
        let rv = self.expr(r);
        let value = if op == "+=" {
            concat(vec![cur, rv])
        } else {
            Expr::Unknown
        };
        self.bind_target(l, value, line(n), None);
    }

    /// Binds an assignment target to a value.
    fn bind_target(&mut self, target: Node, value: Expr, ln: usize, ty: Option<String>) {
        match target.kind() {
            "identifier" => {
                let name = self.t(target).to_string();
                let scope = self.name_scope(&name);
                self.bind(scope, name, value, ln, ty);
            }
            "attribute" | "subscript" => match self.target_path(target, 0) {
                Some((true, path)) if !path.is_empty() => {
                    let scope = self.b.member_scope();
                    self.bind(scope, path, value, ln, ty);
                }
                Some((false, path)) => {
                    let first = path.split('.').next().unwrap_or("");
                    let scope = self.name_scope(first);
                    self.bind(scope, path, value, ln, ty);
                }
                _ => {}
            },
            "pattern_list" | "tuple_pattern" | "list_pattern" | "tuple" | "list"
            | "expression_list" => {
                let elems = kids(target);
                let starred = elems
                    .iter()
                    .any(|e| matches!(e.kind(), "list_splat_pattern" | "list_splat"));
                let items = positional_items(&value).filter(|v| v.len() == elems.len());
                for (i, e) in elems.iter().enumerate() {
                    let v = match &items {
                        Some(items) => items[i].clone(),
                        None if starred => Expr::Unknown,
                        None => Expr::Attr(Box::new(value.clone()), i.to_string()),
                    };
                    self.bind_target(*e, v, ln, None);
                }
            }
            "parenthesized_expression" => {
                if let Some(c) = kids(target).first() {
                    self.bind_target(*c, value, ln, ty);
                }
            }
            "list_splat_pattern" | "list_splat" => {
                if let Some(c) = kids(target).first() {
                    self.bind_target(*c, Expr::Unknown, ln, None);
                }
            }
            _ => {}
        }
    }

    /// The dotted path of an assignment target: `(through self, "a.b")` for `self.a['b']`,
    /// `(false, "cfg.api")` for `cfg['api']`. `None` when a key is not a literal.
    fn target_path(&mut self, n: Node, d: usize) -> Option<(bool, String)> {
        if d > MAX_DEPTH {
            return None;
        }
        match n.kind() {
            "identifier" => {
                let name = self.t(n);
                if self.self_name().as_deref() == Some(name) {
                    Some((true, String::new()))
                } else {
                    Some((false, name.to_string()))
                }
            }
            "attribute" => {
                let obj = n.child_by_field_name("object")?;
                let attr = self.t(n.child_by_field_name("attribute")?).to_string();
                let (s, p) = self.target_path(obj, d + 1)?;
                Some((
                    s,
                    if p.is_empty() {
                        attr
                    } else {
                        format!("{p}.{attr}")
                    },
                ))
            }
            "subscript" => {
                let obj = n.child_by_field_name("value")?;
                let subs: Vec<Node> = {
                    let mut c = n.walk();
                    n.children_by_field_name("subscript", &mut c).collect()
                };
                let key = match subs.as_slice() {
                    [k] => self.expr(*k),
                    _ => {
                        for k in subs {
                            self.expr(k);
                        }
                        return None;
                    }
                };
                let Expr::Str(key) = key else { return None };
                let (s, p) = self.target_path(obj, d + 1)?;
                Some((
                    s,
                    if p.is_empty() {
                        key
                    } else {
                        format!("{p}.{key}")
                    },
                ))
            }
            _ => None,
        }
    }

    fn with(&mut self, n: Node) {
        for c in kids(n) {
            match c.kind() {
                "with_clause" => {
                    for item in kids(c) {
                        let Some(v) = item.child_by_field_name("value") else {
                            self.expr(item);
                            continue;
                        };
                        if v.kind() == "as_pattern" {
                            let alias = v.child_by_field_name("alias");
                            let inner = kids(v)
                                .into_iter()
                                .find(|k| Some(k.id()) != alias.map(|a| a.id()));
                            let value = inner.map_or(Expr::Unknown, |i| self.expr(i));
                            let target = alias.and_then(|a| kids(a).into_iter().next());
                            if let Some(t) = target {
                                self.bind_target(t, value, line(v), None);
                            }
                        } else {
                            self.expr(v);
                        }
                    }
                }
                "block" => self.block(c),
                _ => {
                    self.expr(c);
                }
            }
        }
    }

    fn import(&mut self, n: Node) {
        let names: Vec<Node> = {
            let mut c = n.walk();
            n.children_by_field_name("name", &mut c).collect()
        };
        for nm in names {
            let (module, local) = match nm.kind() {
                "aliased_import" => {
                    let module = nm
                        .child_by_field_name("name")
                        .map_or(String::new(), |m| self.dotted(m));
                    let local = nm
                        .child_by_field_name("alias")
                        .map_or(String::new(), |a| self.t(a).to_string());
                    (module, local)
                }
                _ => {
                    let module = self.dotted(nm);
                    let local = module.split('.').next().unwrap_or("").to_string();
                    (module, local)
                }
            };
            self.b.facts.imports.push(crate::program::facts::Import {
                module,
                local,
                name: None,
                line: line(n),
            });
        }
    }

    fn dotted(&self, n: Node) -> String {
        self.t(n).chars().filter(|c| !c.is_whitespace()).collect()
    }

    fn import_from(&mut self, n: Node) {
        let module = n
            .child_by_field_name("module_name")
            .map_or(String::new(), |m| self.dotted(m));
        let ln = line(n);
        let mut c = n.walk();
        let items: Vec<Node> = n.named_children(&mut c).collect();
        let module_id = n.child_by_field_name("module_name").map(|m| m.id());
        for it in items {
            if Some(it.id()) == module_id {
                continue;
            }
            let (local, name) = match it.kind() {
                "wildcard_import" => (String::new(), None),
                "aliased_import" => {
                    let name = it
                        .child_by_field_name("name")
                        .map_or(String::new(), |m| self.dotted(m));
                    let local = it
                        .child_by_field_name("alias")
                        .map_or(String::new(), |a| self.t(a).to_string());
                    (local, Some(name))
                }
                "dotted_name" => {
                    let name = self.dotted(it);
                    (name.clone(), Some(name))
                }
                _ => continue,
            };
            self.b.facts.imports.push(crate::program::facts::Import {
                module: module.clone(),
                local,
                name,
                line: ln,
            });
        }
    }

    // ---------------------------------------------------------------- definitions

    fn decorated(&mut self, n: Node) {
        let Some(def) = n.child_by_field_name("definition") else {
            self.generic(n);
            return;
        };
        let decos: Vec<Node> = kids(n)
            .into_iter()
            .filter(|k| k.kind() == "decorator")
            .collect();
        // Decorators are evaluated before the definition; a bare decorator `@d` is the call `d(f)`, whose
        // argument is filled in once the definition has its id.
        let mut bare = Vec::new();
        let mut names = Vec::new();
        for d in &decos {
            let Some(e) = kids(*d).into_iter().next() else {
                continue;
            };
            self.b.begin_stmt(line(*d));
            let head = if e.kind() == "call" {
                e.child_by_field_name("function").unwrap_or(e)
            } else {
                e
            };
            names.push(self.t(head).to_string());
            if e.kind() == "call" {
                self.expr(e);
            } else {
                let callee = self.expr(e);
                let idx = self.b.facts.calls.len();
                self.b.call(CallExpr {
                    callee,
                    args: Vec::new(),
                    new_object: false,
                    line: line(e),
                    column: column(e, self.src),
                    end_line: end_line(e),
                });
                bare.push(idx);
            }
            self.b.end_stmt();
        }
        let arg = match def.kind() {
            "function_definition" => self.function(def, &names).map(Expr::Func),
            "class_definition" => self.class(def).map(Expr::Name),
            _ => {
                self.stmt(def);
                None
            }
        };
        if let Some(arg) = arg {
            for idx in bare {
                if let Some(c) = self.b.facts.calls.get_mut(idx) {
                    c.call.args = vec![Arg {
                        name: None,
                        value: arg.clone(),
                        spread: false,
                    }];
                }
            }
        }
    }

    /// A `def`; `decos` are the decorator names (`staticmethod`, `property`, `app.route`).
    fn function(&mut self, n: Node, decos: &[String]) -> Option<FnId> {
        if self.depth >= MAX_DEPTH {
            return None;
        }
        self.depth += 1;
        let name = n
            .child_by_field_name("name")
            .map_or(String::new(), |x| self.t(x).to_string());
        let is_method = self.ctx() == Ctx::ClassBody;
        let deco_is = |want: &str| {
            decos
                .iter()
                .any(|d| d == want || d.ends_with(&format!(".{want}")))
        };
        let is_static = is_method && deco_is("staticmethod");
        // Defaults are evaluated where the function is defined.
        let params = self.params(n.child_by_field_name("parameters"));
        let self_name = if is_method {
            if is_static {
                None
            } else {
                params.first().filter(|p| !p.rest).map(|p| p.name.clone())
            }
        } else {
            self.self_name()
        };
        let f = Function {
            name: name.clone(),
            class: None,
            parent: None,
            params,
            is_constructor: is_method && name == "__init__",
            is_static,
            returns: Vec::new(),
            line: line(n),
            end_line: end_line(n),
        };
        let nested = self.ctx() == Ctx::Function;
        let id = self.b.begin_fn(f, is_method);
        self.frames.push(Frame {
            ctx: Ctx::Function,
            self_name,
            globals: Vec::new(),
        });
        if let Some(body) = n.child_by_field_name("body") {
            self.block(body);
        }
        self.frames.pop();
        self.b.end_fn();
        if is_method && (deco_is("property") || deco_is("cached_property")) {
            let scope = self.b.member_scope();
            self.bind(scope, name, Expr::Func(id), line(n), None);
        } else if nested {
            // A nested `def` binds its name in the enclosing function (closures returned by factories).
            let scope = self.name_scope(&name);
            self.bind(scope, name, Expr::Func(id), line(n), None);
        }
        self.depth -= 1;
        Some(id)
    }

    fn params(&mut self, n: Option<Node>) -> Vec<Param> {
        let Some(n) = n else { return Vec::new() };
        let mut out = Vec::new();
        for c in kids(n) {
            let p = |name: &str| Param {
                name: name.to_string(),
                ty: None,
                default: None,
                rest: false,
                fields: Vec::new(),
            };
            match c.kind() {
                "identifier" => out.push(p(self.t(c))),
                "list_splat_pattern" | "dictionary_splat_pattern" => {
                    let name = kids(c).first().map_or("", |x| self.t(*x));
                    out.push(Param {
                        rest: true,
                        ..p(name)
                    });
                }
                "typed_parameter" => {
                    let ty = c.child_by_field_name("type");
                    let inner = kids(c)
                        .into_iter()
                        .find(|k| Some(k.id()) != ty.map(|t| t.id()));
                    let Some(inner) = inner else { continue };
                    let ty = ty.map(|t| clean_type(self.t(t)));
                    let (name, rest) = match inner.kind() {
                        "identifier" => (self.t(inner), false),
                        _ => (kids(inner).first().map_or("", |x| self.t(*x)), true),
                    };
                    out.push(Param {
                        ty,
                        rest,
                        ..p(name)
                    });
                }
                "default_parameter" | "typed_default_parameter" => {
                    let name = c.child_by_field_name("name").map_or("", |x| self.t(x));
                    let ty = c.child_by_field_name("type").map(|t| clean_type(self.t(t)));
                    let default = c.child_by_field_name("value").map(|v| self.expr(v));
                    out.push(Param {
                        ty,
                        default,
                        ..p(name)
                    });
                }
                _ => {}
            }
        }
        out
    }

    fn class(&mut self, n: Node) -> Option<String> {
        if self.depth >= MAX_DEPTH {
            return None;
        }
        self.depth += 1;
        let name = n
            .child_by_field_name("name")
            .map_or(String::new(), |x| self.t(x).to_string());
        let mut bases = Vec::new();
        if let Some(sup) = n.child_by_field_name("superclasses") {
            for b in kids(sup) {
                if b.kind() != "keyword_argument" && b.kind() != "dictionary_splat" {
                    bases.push(self.t(b).to_string());
                }
                self.expr(b);
            }
        }
        self.b.begin_class(Class {
            name: name.clone(),
            bases,
            line: line(n),
        });
        self.frames.push(Frame {
            ctx: Ctx::ClassBody,
            self_name: None,
            globals: Vec::new(),
        });
        if let Some(body) = n.child_by_field_name("body") {
            self.block(body);
        }
        self.frames.pop();
        self.b.end_class();
        self.depth -= 1;
        Some(name)
    }

    fn lambda(&mut self, n: Node, hint: Option<String>) -> Expr {
        let params = self.params(n.child_by_field_name("parameters"));
        let f = Function {
            name: hint.unwrap_or_default(),
            class: None,
            parent: None,
            params,
            is_constructor: false,
            is_static: false,
            returns: Vec::new(),
            line: line(n),
            end_line: end_line(n),
        };
        let self_name = self.self_name();
        let id = self.b.begin_fn(f, false);
        self.frames.push(Frame {
            ctx: Ctx::Function,
            self_name,
            globals: Vec::new(),
        });
        if let Some(body) = n.child_by_field_name("body") {
            let v = self.expr(body);
            self.b.ret(v);
        }
        self.frames.pop();
        self.b.end_fn();
        Expr::Func(id)
    }

    // ---------------------------------------------------------------- expressions

    fn expr(&mut self, n: Node) -> Expr {
        self.expr_hint(n, None)
    }

    /// An expression's value; `hint` names a lambda assigned to a name or keyword.
    fn expr_hint(&mut self, n: Node, hint: Option<String>) -> Expr {
        if self.depth >= MAX_DEPTH {
            return Expr::Unknown;
        }
        self.depth += 1;
        let e = self.expr_inner(n, hint);
        self.depth -= 1;
        e
    }

    fn expr_inner(&mut self, n: Node, hint: Option<String>) -> Expr {
        match n.kind() {
            "identifier" => {
                let name = self.t(n);
                if self.self_name().as_deref() == Some(name) {
                    Expr::SelfRef
                } else {
                    Expr::Name(name.to_string())
                }
            }
            "integer" | "float" => Expr::Str(self.t(n).to_string()),
            "true" => Expr::Str("True".into()),
            "false" => Expr::Str("False".into()),
            "string" => self.string(n),
            "concatenated_string" => {
                let parts = kids(n).into_iter().map(|s| self.expr(s)).collect();
                concat(parts)
            }
            "parenthesized_expression" | "await" => match kids(n).as_slice() {
                [one] => self.expr_hint(*one, hint),
                many => {
                    for c in many {
                        self.expr(*c);
                    }
                    Expr::Unknown
                }
            },
            "attribute" => {
                let obj = n
                    .child_by_field_name("object")
                    .map_or(Expr::Unknown, |o| self.expr(o));
                match n.child_by_field_name("attribute") {
                    Some(a) => Expr::Attr(Box::new(obj), self.t(a).to_string()),
                    None => Expr::Unknown,
                }
            }
            "subscript" => self.subscript(n),
            "call" => self.call(n),
            "binary_operator" => self.binary(n),
            "boolean_operator" => self.boolean(n),
            "conditional_expression" => {
                let k = kids(n);
                let vals: Vec<Expr> = k.iter().map(|c| self.expr(*c)).collect();
                match vals.as_slice() {
                    [a, _cond, b] => choice(vec![a.clone(), b.clone()]),
                    _ => Expr::Unknown,
                }
            }
            "lambda" => self.lambda(n, hint),
            "dictionary" => {
                let mut items = Vec::new();
                for c in kids(n) {
                    if c.kind() == "pair" {
                        let key = c
                            .child_by_field_name("key")
                            .map_or(Expr::Unknown, |k| self.expr(k));
                        let vn = c.child_by_field_name("value");
                        match key {
                            Expr::Str(k) => {
                                let v = vn
                                    .map_or(Expr::Unknown, |v| self.expr_hint(v, Some(k.clone())));
                                items.push((k, v));
                            }
                            _ => {
                                if let Some(v) = vn {
                                    self.expr(v);
                                }
                            }
                        }
                    } else {
                        self.expr(c);
                    }
                }
                Expr::Object(items)
            }
            "list" | "tuple" | "set" | "expression_list" | "pattern_list" => {
                let items = kids(n)
                    .into_iter()
                    .map(|c| {
                        let v = self.expr(c);
                        if matches!(c.kind(), "list_splat" | "dictionary_splat") {
                            Expr::Unknown
                        } else {
                            v
                        }
                    })
                    .collect();
                positional(items)
            }
            "named_expression" => {
                let v = n
                    .child_by_field_name("value")
                    .map_or(Expr::Unknown, |v| self.expr(v));
                if let Some(name) = n.child_by_field_name("name") {
                    self.bind_target(name, v.clone(), line(n), None);
                }
                v
            }
            "as_pattern" => {
                let alias = n.child_by_field_name("alias").map(|a| a.id());
                let mut v = Expr::Unknown;
                for c in kids(n) {
                    if Some(c.id()) != alias {
                        v = self.expr(c);
                    }
                }
                v
            }
            "assignment" => self.assign(n),
            "augmented_assignment" => {
                self.aug_assign(n);
                Expr::Unknown
            }
            _ => {
                for c in kids(n) {
                    let k = c.kind();
                    // Statements inside an expression only come from error recovery; comprehension
                    // clauses (`for_in_clause`, `if_clause`) stay expressions of the enclosing statement.
                    if k.ends_with("_statement")
                        || matches!(
                            k,
                            "block"
                                | "function_definition"
                                | "class_definition"
                                | "decorated_definition"
                        )
                    {
                        self.stmt(c);
                    } else {
                        self.expr(c);
                    }
                }
                Expr::Unknown
            }
        }
    }

    fn string(&mut self, n: Node) -> Expr {
        let mut raw = false;
        let mut fstr = false;
        let mut parts = Vec::new();
        for c in kids(n) {
            match c.kind() {
                "string_start" => {
                    let p = self.t(c).to_ascii_lowercase();
                    raw = p.contains('r');
                    fstr = p.contains('f') || p.contains('t');
                }
                "string_content" => parts.push(Expr::Str(decode(self.t(c), raw, fstr))),
                "interpolation" => {
                    let v = c
                        .child_by_field_name("expression")
                        .map_or(Expr::Unknown, |e| self.expr(e));
                    parts.push(v);
                }
                _ => {}
            }
        }
        concat(parts)
    }

    fn subscript(&mut self, n: Node) -> Expr {
        let value = n
            .child_by_field_name("value")
            .map_or(Expr::Unknown, |v| self.expr(v));
        let subs: Vec<Node> = {
            let mut c = n.walk();
            n.children_by_field_name("subscript", &mut c).collect()
        };
        let key = match subs.as_slice() {
            [k] => self.expr(*k),
            many => {
                let items = many.iter().map(|k| self.expr(*k)).collect();
                positional(items)
            }
        };
        match key {
            Expr::Str(k) if is_os_environ(&value) => Expr::Env {
                name: k,
                default: None,
            },
            Expr::Str(k) => Expr::Attr(Box::new(value), k),
            k => Expr::Index(Box::new(value), Box::new(k)),
        }
    }

    fn call(&mut self, n: Node) -> Expr {
        let fnode = n.child_by_field_name("function");
        let anode = n.child_by_field_name("arguments");
        if let Some(f) = fnode
            && f.kind() == "identifier"
            && self.t(f) == "super"
        {
            if let Some(a) = anode {
                self.args(a);
            }
            return Expr::SuperRef;
        }
        // Reserve the call's slot so calls stay in source order (outer before the calls in its arguments).
        let (ln, col, el) = (line(n), column(n, self.src), end_line(n));
        let idx = self.b.facts.calls.len();
        self.b.call(CallExpr {
            callee: Expr::Unknown,
            args: Vec::new(),
            new_object: false,
            line: ln,
            column: col,
            end_line: el,
        });
        let callee = fnode.map_or(Expr::Unknown, |f| self.expr(f));
        let args = anode.map_or(Vec::new(), |a| self.args(a));
        let ce = CallExpr {
            callee,
            args,
            new_object: false,
            line: ln,
            column: col,
            end_line: el,
        };
        if let Some(c) = self.b.facts.calls.get_mut(idx) {
            c.call = ce.clone();
        }
        if let Some(env) = env_call(&ce) {
            return env;
        }
        if matches!(&ce.callee, Expr::Name(d) if d == "dict")
            && ce.args.iter().all(|a| a.name.is_some())
        {
            return Expr::Object(
                ce.args
                    .into_iter()
                    .filter_map(|a| a.name.map(|k| (k, a.value)))
                    .collect(),
            );
        }
        Expr::Call(Box::new(ce))
    }

    fn args(&mut self, n: Node) -> Vec<Arg> {
        if n.kind() != "argument_list" {
            // `f(x for x in y)`: one generator argument.
            self.expr(n);
            return vec![Arg {
                name: None,
                value: Expr::Unknown,
                spread: false,
            }];
        }
        let mut out = Vec::new();
        for c in kids(n) {
            match c.kind() {
                "keyword_argument" => {
                    let name = c
                        .child_by_field_name("name")
                        .map_or(String::new(), |x| self.t(x).to_string());
                    let value = c
                        .child_by_field_name("value")
                        .map_or(Expr::Unknown, |v| self.expr(v));
                    out.push(Arg {
                        name: Some(name),
                        value,
                        spread: false,
                    });
                }
                "list_splat" | "dictionary_splat" => {
                    let value = kids(c).first().map_or(Expr::Unknown, |v| self.expr(*v));
                    out.push(Arg {
                        name: None,
                        value,
                        spread: true,
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

    fn binary(&mut self, n: Node) -> Expr {
        let (Some(l), Some(r)) = (
            n.child_by_field_name("left"),
            n.child_by_field_name("right"),
        ) else {
            for c in kids(n) {
                self.expr(c);
            }
            return Expr::Unknown;
        };
        let op = n.child_by_field_name("operator").map_or("", |o| self.t(o));
        let numeric = |k: &str| matches!(k, "integer" | "float");
        match op {
            "+" if !numeric(l.kind()) && !numeric(r.kind()) => {
                let a = self.expr(l);
                let b = self.expr(r);
                concat(vec![a, b])
            }
            "%" if matches!(l.kind(), "string" | "concatenated_string") => {
                let fmt = self.expr(l);
                let mut args = vec![Arg {
                    name: None,
                    value: fmt,
                    spread: false,
                }];
                let mut rn = r;
                while rn.kind() == "parenthesized_expression" {
                    match kids(rn).as_slice() {
                        [one] => rn = *one,
                        _ => break,
                    }
                }
                let vals: Vec<Expr> = if rn.kind() == "tuple" {
                    kids(rn).into_iter().map(|c| self.expr(c)).collect()
                } else {
                    vec![self.expr(r)]
                };
                args.extend(vals.into_iter().map(|value| Arg {
                    name: None,
                    value,
                    spread: false,
                }));
                Expr::Call(Box::new(CallExpr {
                    callee: Expr::Name("sprintf".into()),
                    args,
                    new_object: false,
                    line: line(n),
                    column: column(n, self.src),
                    end_line: end_line(n),
                }))
            }
            _ => {
                self.expr(l);
                self.expr(r);
                Expr::Unknown
            }
        }
    }

    fn boolean(&mut self, n: Node) -> Expr {
        let op = n.child_by_field_name("operator").map_or("", |o| self.t(o));
        let l = n
            .child_by_field_name("left")
            .map_or(Expr::Unknown, |x| self.expr(x));
        let r = n
            .child_by_field_name("right")
            .map_or(Expr::Unknown, |x| self.expr(x));
        if op != "or" {
            return Expr::Unknown;
        }
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
}

/// `Choice` of the alternatives, nested choices flattened.
fn choice(alts: Vec<Expr>) -> Expr {
    let mut out = Vec::new();
    for a in alts {
        match a {
            Expr::Choice(v) => out.extend(v),
            other => out.push(other),
        }
    }
    Expr::Choice(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::facts::Call;
    use crate::program::lang::testkit::{attr, kw, name, pos, s};
    use crate::scan::lang::Lang;

    fn facts(src: &str) -> FileFacts {
        crate::program::parse::facts(Lang::Python, "t.py", src).expect("parsed")
    }

    fn binding<'f>(f: &'f FileFacts, n: &str) -> &'f Binding {
        f.bindings
            .iter()
            .find(|b| b.name == n)
            .unwrap_or_else(|| panic!("no binding {n}: {:#?}", f.bindings))
    }
    fn func<'f>(f: &'f FileFacts, n: &str) -> (FnId, &'f Function) {
        f.functions
            .iter()
            .enumerate()
            .find(|(_, x)| x.name == n)
            .unwrap_or_else(|| panic!("no function {n}"))
    }
    fn calls_to<'f>(f: &'f FileFacts, callee: &Expr) -> Vec<&'f Call> {
        f.calls
            .iter()
            .filter(|c| &c.call.callee == callee)
            .collect()
    }

    #[test]
    fn imports_of_each_form() {
        let f = facts(
            "import requests\nimport a.b as c\nimport a.b\nfrom .client import GHLClient as C, Other\n\
             from ..config import settings\nfrom app import *\nfrom . import api\n",
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
                ("requests", "requests", None, 1),
                ("a.b", "c", None, 2),
                ("a.b", "a", None, 3),
                (".client", "C", Some("GHLClient"), 4),
                (".client", "Other", Some("Other"), 4),
                ("..config", "settings", Some("settings"), 5),
                ("app", "", None, 6),
                (".", "api", Some("api"), 7),
            ]
        );
    }

    #[test]
    fn module_assignments_and_unpacking() {
        let f = facts(
            "BASE: str = 'https://rest.gohighlevel.com/v1'\nA, B = 'x', 'y'\nC, D = pair()\n_p = 1\nx = y = 'z'\n",
        );
        let b = binding(&f, "BASE");
        assert_eq!(b.value, s("https://rest.gohighlevel.com/v1"));
        assert_eq!(b.ty.as_deref(), Some("str"));
        assert_eq!(b.scope, Scope::Module);
        assert!(b.exported);
        assert!(!binding(&f, "_p").exported);
        assert_eq!(binding(&f, "A").value, s("x"));
        assert_eq!(binding(&f, "B").value, s("y"));
        let pair = f.calls[0].call.clone();
        assert_eq!(
            binding(&f, "D").value,
            attr(Expr::Call(Box::new(pair)), "1")
        );
        assert_eq!(binding(&f, "x").value, s("z"));
        assert_eq!(binding(&f, "y").value, s("z"));
    }

    #[test]
    fn constructor_client_and_wrapper() {
        let src = r#"
import requests
ROOT_URL = "https://rest.gohighlevel.com/v1"

class Api(base.Resource):
    ROOT = ROOT_URL + "/"

    def __init__(self, api_root=ROOT_URL, *, timeout: int = 30, **kw):
        self.session_cfg = {'api_root': api_root}
        self.session = httpx.Client(base_url=api_root, timeout=timeout)
        self.headers['Version'] = '2021-07-28'

    @property
    def base_url(self):
        return self.session_cfg['api_root']

    @staticmethod
    def make(path):
        return path

    @classmethod
    def build(cls):
        cls.shared = cls()

    def _request(self, endpoint, method='GET', **kwargs):
        response = requests.request(
            method,
            self.base_url + endpoint,
            **kwargs,
        )
        return response.json()

    def contacts(self):
        return self._request(endpoint='contacts/', method='POST')
"#;
        let f = facts(src);
        assert_eq!(f.classes.len(), 1);
        assert_eq!(f.classes[0].name, "Api");
        assert_eq!(f.classes[0].bases, vec!["base.Resource".to_string()]);
        let root = binding(&f, "ROOT");
        assert_eq!(root.scope, Scope::Class(0));
        assert_eq!(root.value, Expr::Concat(vec![name("ROOT_URL"), s("/")]));

        let (init_id, init) = func(&f, "__init__");
        assert!(init.is_constructor && !init.is_static);
        assert_eq!(init.class, Some(0));
        assert_eq!(init.parent, Some(0));
        let pn: Vec<&str> = init.params.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(pn, vec!["self", "api_root", "timeout", "kw"]);
        assert_eq!(init.params[1].default, Some(name("ROOT_URL")));
        assert_eq!(init.params[2].default, Some(s("30")));
        assert_eq!(init.params[2].ty.as_deref(), Some("int"));
        assert!(init.params[3].rest);

        let cfg = binding(&f, "session_cfg");
        assert_eq!(cfg.scope, Scope::Class(0));
        assert_eq!(
            cfg.value,
            Expr::Object(vec![("api_root".into(), name("api_root"))])
        );
        let sess = binding(&f, "session");
        assert_eq!(sess.scope, Scope::Class(0));
        let Expr::Call(c) = &sess.value else {
            panic!("{:?}", sess.value)
        };
        assert_eq!(c.callee, attr(name("httpx"), "Client"));
        assert_eq!(
            c.args,
            vec![
                kw("base_url", name("api_root")),
                kw("timeout", name("timeout"))
            ]
        );
        assert!(
            f.calls
                .iter()
                .any(|c| c.func == init_id && c.call.callee == attr(name("httpx"), "Client"))
        );
        assert_eq!(binding(&f, "headers.Version").scope, Scope::Class(0));

        let (bid, bu) = func(&f, "base_url");
        assert_eq!(
            bu.returns,
            vec![attr(attr(Expr::SelfRef, "session_cfg"), "api_root")]
        );
        let bb = binding(&f, "base_url");
        assert_eq!(
            (bb.scope, bb.value.clone()),
            (Scope::Class(0), Expr::Func(bid))
        );

        assert!(func(&f, "make").1.is_static);
        let (_, build) = func(&f, "build");
        assert!(!build.is_static);
        assert_eq!(build.params[0].name, "cls");
        assert_eq!(binding(&f, "shared").scope, Scope::Class(0));

        let (rid, _) = func(&f, "_request");
        let req = calls_to(&f, &attr(name("requests"), "request"));
        assert_eq!(req.len(), 1);
        assert_eq!(req[0].func, rid);
        assert_eq!(req[0].stmt_line, 26);
        assert_eq!(req[0].call.line, 26);
        assert_eq!(
            req[0].call.args,
            vec![
                pos(name("method")),
                pos(Expr::Concat(vec![
                    attr(Expr::SelfRef, "base_url"),
                    name("endpoint")
                ])),
                Arg {
                    name: None,
                    value: name("kwargs"),
                    spread: true
                },
            ]
        );
        let json = calls_to(&f, &attr(name("response"), "json"));
        assert_eq!(json.len(), 1);

        let wrapped = calls_to(&f, &attr(Expr::SelfRef, "_request"));
        assert_eq!(
            wrapped[0].call.args,
            vec![kw("endpoint", s("contacts/")), kw("method", s("POST"))]
        );
    }

    #[test]
    fn string_forms() {
        let src = r#"
A = f"{BASE}/contacts/{cid}"
B = 'a' "b" f'{x}c'
C = "{}/tasks".format(cid)
D = "%s/x" % y
E = "%s/%s" % (a, b)
F = r'\d' + b'bytes' + '\t'
G = """tri
ple"""
H = f"{{lit}}{x!r:>10}"
"#;
        let f = facts(src);
        assert_eq!(
            binding(&f, "A").value,
            Expr::Concat(vec![name("BASE"), s("/contacts/"), name("cid")])
        );
        assert_eq!(
            binding(&f, "B").value,
            Expr::Concat(vec![s("ab"), name("x"), s("c")])
        );
        let Expr::Call(c) = &binding(&f, "C").value else {
            panic!()
        };
        assert_eq!(c.callee, attr(s("{}/tasks"), "format"));
        assert_eq!(c.args, vec![pos(name("cid"))]);
        assert_eq!(calls_to(&f, &attr(s("{}/tasks"), "format")).len(), 1);
        let Expr::Call(d) = &binding(&f, "D").value else {
            panic!()
        };
        assert_eq!(d.callee, name("sprintf"));
        assert_eq!(d.args, vec![pos(s("%s/x")), pos(name("y"))]);
        let Expr::Call(e) = &binding(&f, "E").value else {
            panic!()
        };
        assert_eq!(
            e.args,
            vec![pos(s("%s/%s")), pos(name("a")), pos(name("b"))]
        );
        assert_eq!(binding(&f, "F").value, s("\\dbytes\t"));
        assert_eq!(binding(&f, "G").value, s("tri\nple"));
        assert_eq!(
            binding(&f, "H").value,
            Expr::Concat(vec![s("{lit}"), name("x")])
        );
    }

    #[test]
    fn env_reads_and_choices() {
        let src = r#"
import os
from decouple import config
A = os.getenv('GHL_BASE', 'https://rest.gohighlevel.com/v1')
B = os.environ.get('B')
C = os.environ['C']
D = config('D', default='dd')
E = os.getenv('E') or 'ee'
F = a if c else b
G = a or b or c
"#;
        let f = facts(src);
        let env = |n: &str, d: Option<Expr>| Expr::Env {
            name: n.into(),
            default: d.map(Box::new),
        };
        assert_eq!(
            binding(&f, "A").value,
            env("GHL_BASE", Some(s("https://rest.gohighlevel.com/v1")))
        );
        assert_eq!(binding(&f, "B").value, env("B", None));
        assert_eq!(binding(&f, "C").value, env("C", None));
        assert_eq!(binding(&f, "D").value, env("D", Some(s("dd"))));
        assert_eq!(binding(&f, "E").value, env("E", Some(s("ee"))));
        assert_eq!(
            binding(&f, "F").value,
            Expr::Choice(vec![name("a"), name("b")])
        );
        assert_eq!(
            binding(&f, "G").value,
            Expr::Choice(vec![name("a"), name("b"), name("c")])
        );
    }

    #[test]
    fn chains_with_lambdas_closures() {
        let src = r#"
async def fetch_all(url):
    async with aiohttp.ClientSession() as s:
        r = await s.get(url)
    data = requests.get(BASE + '/x').json()
    urls = [urljoin(BASE, p) for p in paths]
    return data

get = lambda path: requests.get(BASE + path)

def factory(base):
    def get_contact(cid):
        return requests.get(f"{base}/contacts/{cid}")
    return get_contact

handlers = {'post': lambda u: requests.post(u)}
"#;
        let f = facts(src);
        let (fa, _) = func(&f, "fetch_all");
        let s_bind = binding(&f, "s");
        assert_eq!(s_bind.scope, Scope::Function(fa));
        let Expr::Call(cs) = &s_bind.value else {
            panic!()
        };
        assert_eq!(cs.callee, attr(name("aiohttp"), "ClientSession"));
        let sget = calls_to(&f, &attr(name("s"), "get"));
        assert_eq!(sget[0].call.args, vec![pos(name("url"))]);
        // chain: get(...).json() gives two calls, outer first
        let inner = calls_to(&f, &attr(name("requests"), "get"));
        let get_call = inner
            .iter()
            .find(|c| c.call.line == 5)
            .expect("inner get")
            .call
            .clone();
        let outer = calls_to(&f, &attr(Expr::Call(Box::new(get_call)), "json"));
        assert_eq!(outer.len(), 1);
        assert_eq!(outer[0].call.column, 12);
        // comprehension calls recorded
        assert_eq!(calls_to(&f, &name("urljoin")).len(), 1);

        let (gid, g) = func(&f, "get");
        assert_eq!(g.params[0].name, "path");
        assert_eq!(binding(&f, "get").value, Expr::Func(gid));
        assert_eq!(g.returns.len(), 1);

        let (fid, fac) = func(&f, "factory");
        let (cid, clo) = func(&f, "get_contact");
        assert_eq!(clo.parent, Some(fid));
        assert_eq!(fac.returns, vec![name("get_contact")]);
        let cb = binding(&f, "get_contact");
        assert_eq!(
            (cb.scope, cb.value.clone()),
            (Scope::Function(fid), Expr::Func(cid))
        );
        let rg = calls_to(&f, &attr(name("requests"), "get"));
        let in_clo = rg.iter().find(|c| c.func == cid).expect("closure call");
        assert_eq!(
            in_clo.call.args,
            vec![pos(Expr::Concat(vec![
                name("base"),
                s("/contacts/"),
                name("cid")
            ]))]
        );
        let (pid, _) = func(&f, "post");
        assert_eq!(
            binding(&f, "handlers").value,
            Expr::Object(vec![("post".into(), Expr::Func(pid))])
        );
    }

    #[test]
    fn keyword_args_decorators_and_stmt_lines() {
        let src = r#"
@app.route('/sync', methods=['POST'])
@retry
def sync(cid):
    response = requests.post(
        url=self_tasks.format(cid),
        json=body,
    )
    req = urllib.request.Request(BASE, data=payload, method='PUT')
"#;
        let f = facts(src);
        let (sid, sy) = func(&f, "sync");
        assert_eq!(sy.line, 4);
        let route = calls_to(&f, &attr(name("app"), "route"));
        assert_eq!(route.len(), 1);
        assert_eq!(route[0].func, 0);
        assert_eq!(route[0].stmt_line, 2);
        assert_eq!(
            route[0].call.args,
            vec![
                pos(s("/sync")),
                kw("methods", Expr::Object(vec![("0".into(), s("POST"))]))
            ]
        );
        let retry = calls_to(&f, &name("retry"));
        assert_eq!(retry[0].call.args, vec![pos(Expr::Func(sid))]);
        assert_eq!(retry[0].stmt_line, 3);
        let post = calls_to(&f, &attr(name("requests"), "post"));
        assert_eq!(post[0].stmt_line, 5);
        assert_eq!(post[0].call.line, 5);
        assert_eq!(post[0].call.end_line, 8);
        assert_eq!(post[0].call.args[1], kw("json", name("body")));
        let fmt = calls_to(&f, &attr(name("self_tasks"), "format"));
        assert_eq!(fmt[0].stmt_line, 5);
        assert_eq!(fmt[0].call.line, 6);
        let r = calls_to(
            &f,
            &attr(attr(attr(name("urllib"), "request"), "Request"), "__never"),
        );
        assert!(r.is_empty());
        let r = calls_to(&f, &attr(attr(name("urllib"), "request"), "Request"));
        assert_eq!(
            r[0].call.args,
            vec![
                pos(name("BASE")),
                kw("data", name("payload")),
                kw("method", s("PUT"))
            ]
        );
    }

    #[test]
    fn keyed_and_dotted_assignment_and_globals() {
        let src = r#"
cfg = {}
cfg['api'] = 'https://rest.gohighlevel.com/v1'
obj.a.b = 'v'
def setup():
    global API
    API = 'g'
    local = 'l'
    url = BASE
    url += '/contacts'
"#;
        let f = facts(src);
        let b = binding(&f, "cfg.api");
        assert_eq!(
            (b.scope, b.value.clone()),
            (Scope::Module, s("https://rest.gohighlevel.com/v1"))
        );
        assert_eq!(binding(&f, "obj.a.b").value, s("v"));
        let (sid, _) = func(&f, "setup");
        assert_eq!(binding(&f, "API").scope, Scope::Module);
        assert_eq!(binding(&f, "local").scope, Scope::Function(sid));
        let urls: Vec<&Expr> = f
            .bindings
            .iter()
            .filter(|b| b.name == "url")
            .map(|b| &b.value)
            .collect();
        assert_eq!(
            urls,
            vec![
                &name("BASE"),
                &Expr::Concat(vec![name("url"), s("/contacts")])
            ]
        );
    }

    #[test]
    fn deep_nesting_does_not_panic() {
        let src = format!("x = {}1{}\n", "(".repeat(5000), ")".repeat(5000));
        let f = facts(&src);
        assert_eq!(binding(&f, "x").value, Expr::Unknown);
        let src = format!("y = {}{}\n", "[".repeat(5000), "]".repeat(5000));
        facts(&src);
        let src = format!("z = f({}){}\n", "g(".repeat(3000), ")".repeat(3000));
        let f = facts(&src);
        assert!(!f.calls.is_empty());
        let mut nested = String::new();
        for i in 0..1000 {
            nested.push_str(&" ".repeat(i));
            nested.push_str("if x:\n");
        }
        nested.push_str(&" ".repeat(1000));
        nested.push_str("pass\n");
        facts(&nested);
        let chain = format!("a{} = 1\nb = a{}\n", ".b".repeat(5000), ".c".repeat(5000));
        facts(&chain);
        facts("def f(:\n  x = = requests.get(\nclass\n@\n");
    }

    #[test]
    fn loops_and_comprehension_lines() {
        let src = "for ep in ['contacts', 'tasks']:\n    requests.get(BASE + ep)\nurls = [\n  f(a)\n  for a in items\n  if g(a)\n]\n";
        let f = facts(src);
        assert_eq!(
            binding(&f, "ep").value,
            Expr::Choice(vec![s("contacts"), s("tasks")])
        );
        let g = calls_to(&f, &name("g"));
        assert_eq!((g[0].call.line, g[0].stmt_line), (6, 3));
        assert_eq!(calls_to(&f, &name("f"))[0].stmt_line, 3);
    }
}
