//! Per-language extractors: a tree-sitter tree in, [`FileFacts`] out. One module per language family;
//! each exposes `pub fn extract(src: &str, tree: &tree_sitter::Tree) -> FileFacts` plus its grammar.
//! Shared plumbing (node text, positions, the facts builder) lives here so the extractors only hold
//! what is specific to their syntax.
use super::facts::{
    Binding, Call, CallExpr, Class, ClassId, Expr, FileFacts, FnId, Function, Scope,
};
use tree_sitter::Node;

pub mod bash;
pub mod csharp;
pub mod dart;
pub mod go;
pub mod java;
pub mod javascript;
pub mod kotlin;
pub mod php;
pub mod powershell;
pub mod python;
pub mod ruby;

/// Text of a node (empty when the range is not on char boundaries, which tree-sitter never produces for
/// valid UTF-8 input).
pub fn text<'s>(n: Node, src: &'s str) -> &'s str {
    src.get(n.byte_range()).unwrap_or("")
}

/// 1-based line of a node's start.
pub fn line(n: Node) -> usize {
    n.start_position().row + 1
}

/// 1-based line of a node's end.
pub fn end_line(n: Node) -> usize {
    n.end_position().row + 1
}

/// 1-based column, in characters, of a node's start. Calls come in source order, so the count
/// continues from the previous node on the same line (a minified one-line file stays linear).
pub fn column(n: Node, src: &str) -> usize {
    use std::cell::Cell;
    thread_local! {
        // (text address, line start, last offset, characters from line start to last offset)
        static LAST: Cell<(usize, usize, usize, usize)> = const { Cell::new((0, 0, 0, 0)) };
    }
    let start = n.start_byte().min(src.len());
    let line_start = start - n.start_position().column.min(start);
    let key = src.as_ptr() as usize;
    LAST.with(|last| {
        let (k, ls, off, chars) = last.get();
        let count = if k == key && ls == line_start && off <= start {
            chars + src.get(off..start).map_or(0, |s| s.chars().count())
        } else {
            src.get(line_start..start).map_or(0, |s| s.chars().count())
        };
        last.set((key, line_start, start, count));
        count + 1
    })
}

/// Named children of a node.
pub fn named_children<'t>(n: Node<'t>) -> Vec<Node<'t>> {
    let mut c = n.walk();
    n.named_children(&mut c).collect()
}

/// Strips one pair of matching quotes.
pub fn unquote(s: &str) -> &str {
    let b = s.as_bytes();
    if b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'' || b[0] == b'`') && b[b.len() - 1] == b[0] {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

/// Takes up to `max` hex digits from a string-escape's characters (`\x41`, `\u00e9`).
pub fn take_hex(it: &mut std::iter::Peekable<std::str::Chars>, max: usize) -> String {
    let mut hex = String::new();
    while hex.len() < max {
        match it.peek() {
            Some(h) if h.is_ascii_hexdigit() => {
                hex.push(*h);
                it.next();
            }
            _ => break,
        }
    }
    hex
}

/// Flattens nested concatenations and merges adjacent literals (`Concat([Str a, Str b])` → `Str ab`).
pub fn concat(parts: Vec<Expr>) -> Expr {
    let mut out: Vec<Expr> = Vec::new();
    for p in parts {
        let items = match p {
            Expr::Concat(v) => v,
            other => vec![other],
        };
        for it in items {
            match (out.last_mut(), it) {
                (Some(Expr::Str(a)), Expr::Str(b)) => a.push_str(&b),
                (_, Expr::Str(b)) if b.is_empty() => {}
                (_, it) => out.push(it),
            }
        }
    }
    match out.len() {
        0 => Expr::Str(String::new()),
        1 => out.pop().unwrap(),
        _ => Expr::Concat(out),
    }
}

/// Builds a [`FileFacts`] while walking: keeps the current function and class so extractors only say what
/// they see.
pub struct Builder {
    pub facts: FileFacts,
    /// Stack of enclosing functions (top = current).
    fn_stack: Vec<FnId>,
    class_stack: Vec<ClassId>,
    /// Stack of statement start lines (top = current statement).
    stmt_stack: Vec<usize>,
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl Builder {
    pub fn new() -> Builder {
        let mut facts = FileFacts::default();
        facts.functions.push(Function {
            name: "<module>".into(),
            class: None,
            parent: None,
            params: Vec::new(),
            is_constructor: false,
            is_static: false,
            returns: Vec::new(),
            line: 1,
            end_line: usize::MAX,
        });
        Builder {
            facts,
            fn_stack: vec![0],
            class_stack: Vec::new(),
            stmt_stack: Vec::new(),
        }
    }

    pub fn current_fn(&self) -> FnId {
        *self.fn_stack.last().unwrap_or(&0)
    }

    pub fn current_class(&self) -> Option<ClassId> {
        self.class_stack.last().copied()
    }

    /// Opens a function (its `parent` is the current function, its `class` the current class when
    /// `method` is true). Pair with [`Builder::end_fn`].
    pub fn begin_fn(&mut self, mut f: Function, method: bool) -> FnId {
        f.parent = Some(self.current_fn());
        if method {
            f.class = self.current_class();
        }
        let id = self.facts.functions.len();
        self.facts.functions.push(f);
        self.fn_stack.push(id);
        id
    }

    pub fn end_fn(&mut self) {
        if self.fn_stack.len() > 1 {
            self.fn_stack.pop();
        }
    }

    pub fn begin_class(&mut self, c: Class) -> ClassId {
        let id = self.facts.classes.len();
        self.facts.classes.push(c);
        self.class_stack.push(id);
        id
    }

    pub fn end_class(&mut self) {
        self.class_stack.pop();
    }

    pub fn begin_stmt(&mut self, line: usize) {
        self.stmt_stack.push(line);
    }

    pub fn end_stmt(&mut self) {
        self.stmt_stack.pop();
    }

    /// The scope a plain local assignment goes to: the current function, or the module at top level.
    pub fn local_scope(&self) -> Scope {
        match self.current_fn() {
            0 => Scope::Module,
            f => Scope::Function(f),
        }
    }

    /// Scope of an instance/class member assignment (`self.x = …`); the module when outside a class.
    pub fn member_scope(&self) -> Scope {
        self.current_class().map_or(Scope::Module, Scope::Class)
    }

    pub fn bind(&mut self, scope: Scope, name: impl Into<String>, value: Expr, line: usize) {
        self.facts.bindings.push(Binding {
            scope,
            name: name.into(),
            value,
            line,
            ty: None,
            exported: false,
        });
    }

    pub fn push_binding(&mut self, b: Binding) {
        self.facts.bindings.push(b);
    }

    /// Records a call site in the current function, attributed to the current statement.
    pub fn call(&mut self, call: CallExpr) {
        let stmt_line = self
            .stmt_stack
            .last()
            .copied()
            .unwrap_or(call.line)
            .min(call.line);
        self.facts.calls.push(Call {
            func: self.current_fn(),
            call,
            stmt_line,
        });
    }

    /// Adds a return expression to the current function.
    pub fn ret(&mut self, e: Expr) {
        let f = self.current_fn();
        self.facts.functions[f].returns.push(e);
    }

    pub fn finish(self) -> FileFacts {
        self.facts
    }
}

/// Guards recursion over hostile input (deeply nested expressions): extractors stop descending and yield
/// `Expr::Unknown` past this depth.
pub const MAX_DEPTH: usize = 200;

/// Constructors for the extractors' unit tests (one set for every language).
#[cfg(test)]
pub mod testkit {
    use crate::program::facts::{Arg, Expr};

    pub fn s(x: &str) -> Expr {
        Expr::Str(x.into())
    }

    pub fn name(x: &str) -> Expr {
        Expr::Name(x.into())
    }

    pub fn attr(o: Expr, a: &str) -> Expr {
        Expr::Attr(Box::new(o), a.into())
    }

    pub fn pos(v: Expr) -> Arg {
        Arg {
            name: None,
            value: v,
            spread: false,
        }
    }

    pub fn kw(n: &str, v: Expr) -> Arg {
        Arg {
            name: Some(n.into()),
            value: v,
            spread: false,
        }
    }
}
