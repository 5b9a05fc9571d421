//! The evaluator: what an expression can be, in the frame of a function (with or without a caller), and
//! which requests a call sends — directly through an HTTP sink, or through user functions it calls
//! (request wrappers, wrappers of wrappers, inherited methods), whose parameters take the caller's
//! arguments. Bounded everywhere: alternatives per value, call depth, steps per request site.
use super::index::Index;
use super::sinks::{self, SinkCall};
use super::value::{ArgVal, Client, Instance, MAX_ALTERNATIVES, Piece, Tmpl, Val};
use crate::method::Method;
use crate::program::facts::{Arg, CallExpr, ClassId, Expr, FnId};
use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

pub type FrameRef = Rc<Frame>;

/// Deepest chain of user functions followed from one request site.
pub const MAX_CALL_DEPTH: usize = 24;
/// Deepest nesting of evaluations (each level is a few stack frames; the solver runs on a thread with
/// a stack sized for it).
pub const MAX_NEST: usize = 300;
/// Evaluation steps allowed for one request site (keeps hostile or huge programs bounded).
pub const SITE_BUDGET: usize = 60_000;

/// A function being evaluated.
#[derive(Debug)]
pub struct Frame {
    pub unit: usize,
    pub func: FnId,
    /// Arguments from a caller; `None` when the function is evaluated on its own (its parameters become
    /// [`Piece::Param`]).
    pub args: Option<Rc<Vec<ArgVal>>>,
    pub this: Option<Val>,
    /// The frame a closure was created in.
    pub outer: Option<FrameRef>,
    pub depth: usize,
    /// A constructor evaluated for an instance whose construction is unknown: parameters with a
    /// default take it (the other parameters stay open).
    pub ctor_defaults: bool,
    /// Line of the call being evaluated in this frame (0: none): a name takes the assignments written
    /// before it when there are some (`url = …` reassigned later in the function does not count).
    pub at: usize,
}

impl Frame {
    /// The same frame, evaluating at line `at`.
    fn at_line(&self, at: usize) -> FrameRef {
        Rc::new(Frame {
            unit: self.unit,
            func: self.func,
            args: self.args.clone(),
            this: self.this.clone(),
            outer: self.outer.clone(),
            depth: self.depth,
            ctor_defaults: self.ctor_defaults,
            at,
        })
    }
}

/// A request found at a call: its URL, its verb(s) and how they were found.
#[derive(Debug, Clone)]
pub struct Found {
    pub url: Tmpl,
    /// `(method, how it was found)`; empty when the code does not say.
    pub methods: Vec<(Method, String)>,
    /// A verb that depends on a parameter not yet bound.
    pub method_open: bool,
    /// Steps from the request site inwards (`contacts.php:12 send()`, `api.php:8 Client::request`).
    pub chain: Vec<String>,
    pub join_note: Option<&'static str>,
}

/// A class: its unit and its id there.
type ClassRef = (usize, ClassId);

pub struct Solver<'a> {
    pub ix: &'a Index<'a>,
    steps: Cell<usize>,
    /// Current nesting of evaluations (bounded: hostile chains of names must not exhaust the stack).
    nest: Cell<usize>,
    active: RefCell<HashSet<(usize, usize)>>,
    memo: RefCell<HashMap<(usize, usize), Vec<Val>>>,
    needs_caller: RefCell<HashMap<(usize, usize), bool>>,
    /// Names a module does not reach (by name, then module): the fewest hops a search from there found
    /// nothing with. Without it, every name not found behind wildcard imports (Dart, `from x import *`)
    /// walked the import graph again, as a tree: imports³ lookups per name.
    unreachable: RefCell<HashMap<String, HashMap<usize, usize>>>,
    lineages: RefCell<HashMap<ClassRef, Vec<ClassRef>>>,
    /// User functions some call resolved to, and classes instantiated (their parameter-dependent requests
    /// are reported at those call sites instead).
    pub called: RefCell<HashSet<(usize, FnId)>>,
    /// User functions whose requests reached a caller (a wrapper chain cut by a bound does not count:
    /// its requests are then reported where they are sent, with the open parameter).
    pub delivered: RefCell<HashSet<(usize, FnId)>>,
    /// Environment values from configuration files (`.env`: `GHL_BASE=https://…`).
    pub env: HashMap<String, (String, String)>,
}

fn cap(v: &mut Vec<Val>) {
    v.truncate(MAX_ALTERNATIVES);
}

impl<'a> Solver<'a> {
    pub fn new(ix: &'a Index<'a>) -> Solver<'a> {
        Solver {
            ix,
            steps: Cell::new(0),
            nest: Cell::new(0),
            active: RefCell::new(HashSet::new()),
            memo: RefCell::new(HashMap::new()),
            needs_caller: RefCell::new(HashMap::new()),
            unreachable: RefCell::new(HashMap::new()),
            lineages: RefCell::new(HashMap::new()),
            called: RefCell::new(HashSet::new()),
            delivered: RefCell::new(HashSet::new()),
            env: HashMap::new(),
        }
    }

    pub fn reset_budget(&self) {
        self.steps.set(0);
    }

    fn tick(&self) -> bool {
        let n = self.steps.get() + 1;
        self.steps.set(n);
        n <= SITE_BUDGET
    }

    /// The frame of a function evaluated on its own.
    pub fn unbound(&self, unit: usize, func: FnId) -> FrameRef {
        let f = &self.ix.facts(unit).functions[func];
        let outer = match f.parent {
            Some(p) if p != 0 && f.class.is_none() => Some(self.unbound(unit, p)),
            _ => None,
        };
        Rc::new(Frame {
            unit,
            func,
            args: None,
            this: None,
            outer,
            depth: 0,
            ctor_defaults: false,
            at: 0,
        })
    }

    fn where_(&self, unit: usize, line: usize) -> String {
        format!("{}:{}", self.ix.units[unit].path, line)
    }

    // ---------------------------------------------------------------- values

    pub fn eval(&self, e: &Expr, fr: &FrameRef) -> Vec<Val> {
        if !self.tick() || self.nest.get() >= MAX_NEST {
            return vec![Val::Unknown];
        }
        self.nest.set(self.nest.get() + 1);
        let out = self.eval_inner(e, fr);
        self.nest.set(self.nest.get() - 1);
        out
    }

    fn eval_inner(&self, e: &Expr, fr: &FrameRef) -> Vec<Val> {
        let mut out = match e {
            Expr::Str(s) => vec![Val::Str(Tmpl::lit(s))],
            Expr::Concat(parts) => self.concat(parts, fr).into_iter().map(Val::Str).collect(),
            Expr::Name(n) => self.name(n, fr),
            Expr::SelfRef => vec![self.this(fr)],
            Expr::SuperRef => self.super_class(fr),
            Expr::Attr(obj, k) => self.attr_expr(obj, k, fr),
            Expr::Index(obj, idx) => {
                let keys = self.eval(idx, fr);
                let mut out = Vec::new();
                for k in keys {
                    match k.as_tmpl().and_then(Tmpl::literal) {
                        Some(k) => out.extend(self.attr_expr(obj, &k, fr)),
                        None => out.push(Val::Unknown),
                    }
                }
                out
            }
            Expr::Env { name, default } => self.env_val(name, default.as_deref(), fr),
            Expr::Object(fields) => vec![Val::Obj(Rc::new(fields.clone()), fr.clone())],
            Expr::Call(ce) => self.call_value(ce, fr),
            Expr::Func(id) => vec![Val::Func(fr.unit, *id, Some(fr.clone()))],
            Expr::Choice(v) => v.iter().flat_map(|x| self.eval(x, fr)).collect(),
            Expr::Unknown => vec![Val::Unknown],
        };
        if out.is_empty() {
            out.push(Val::Unknown);
        }
        cap(&mut out);
        out
    }

    /// String alternatives of an expression; non-string values become a hole named after the expression.
    pub fn strings(&self, e: &Expr, fr: &FrameRef) -> Vec<Tmpl> {
        let mut out: Vec<Tmpl> = Vec::new();
        let mut vals = self.eval(e, fr);
        // An unknown alternative next to known strings (`${X:-default}` where X is unset here) adds
        // nothing but a hole.
        if vals.iter().any(|v| matches!(v, Val::Str(_))) {
            vals.retain(|v| !matches!(v, Val::Unknown));
        }
        for v in vals {
            let t = match v {
                Val::Str(t) => t,
                Val::Lib(p) => match enum_verb(&p) {
                    // `HttpMethod.GET`, `Method.Post`, `HttpMethod.POST.value`: an enum member naming a verb.
                    Some(verb) => Tmpl::lit(verb),
                    None => Tmpl::hole(&hole_name(e)),
                },
                _ => Tmpl::hole(&hole_name(e)),
            };
            if !out.contains(&t) {
                out.push(t);
            }
        }
        out.truncate(MAX_ALTERNATIVES);
        out
    }

    fn concat(&self, parts: &[Expr], fr: &FrameRef) -> Vec<Tmpl> {
        let mut acc = vec![Tmpl::default()];
        for p in parts {
            let alts = self.strings(p, fr);
            let mut next = Vec::new();
            for a in &acc {
                for b in &alts {
                    let mut t = a.clone();
                    t.append(b);
                    if !next.contains(&t) {
                        next.push(t);
                    }
                    if next.len() >= MAX_ALTERNATIVES {
                        break;
                    }
                }
            }
            acc = next;
        }
        acc
    }

    fn env_val(&self, name: &str, default: Option<&Expr>, fr: &FrameRef) -> Vec<Val> {
        let mut out = Vec::new();
        if let Some((v, at)) = self.env.get(name) {
            let mut t = Tmpl::lit(v);
            t.push_trail(format!("{at} {name}"));
            out.push(Val::Str(t));
        }
        if let Some(d) = default {
            for v in self.eval(d, fr) {
                out.push(match v {
                    Val::Str(mut t) => {
                        t.push_trail(format!("default of env {name}"));
                        Val::Str(t)
                    }
                    v => v,
                });
            }
        }
        if out.is_empty() {
            // A shell script reading a variable set by a file it sources (`. ./env.sh`).
            for imp in &self.ix.facts(fr.unit).imports {
                if imp.local.is_empty()
                    && let Some(t) = self.ix.resolve_module(fr.unit, &imp.module)
                {
                    let b = self.ix.module_bindings(t, name);
                    if !b.is_empty() {
                        out.extend(self.bindings_in_module(t, b));
                    }
                }
            }
        }
        if out.is_empty() {
            out.push(Val::Str(Tmpl::hole(name)));
        }
        out
    }

    /// `this` in a frame: the bound instance, a closure's, or an instance of the method's class whose
    /// construction is not known.
    pub fn this(&self, fr: &FrameRef) -> Val {
        let mut f = Some(fr);
        while let Some(x) = f {
            if let Some(t) = &x.this {
                return t.clone();
            }
            let func = &self.ix.facts(x.unit).functions[x.func];
            if let Some(c) = func.class {
                return if func.is_static {
                    Val::Class(x.unit, c)
                } else {
                    Val::Instance(Rc::new(Instance {
                        unit: x.unit,
                        class: c,
                        args: None,
                    }))
                };
            }
            f = x.outer.as_ref();
        }
        Val::Unknown
    }

    fn super_class(&self, fr: &FrameRef) -> Vec<Val> {
        // `super` keeps the instance; member lookups start at the parent class.
        let Some((u, c)) = self.lexical_class(fr) else {
            return vec![Val::Unknown];
        };
        match self.bases(u, c).first() {
            Some(&(bu, bc)) => match self.this(fr) {
                Val::Instance(i) => vec![Val::Instance(Rc::new(Instance {
                    unit: bu,
                    class: bc,
                    args: self.ctor_args_for(&i, bu, bc),
                }))],
                _ => vec![Val::Class(bu, bc)],
            },
            None => vec![Val::Unknown],
        }
    }

    /// The class whose body holds the frame's function.
    fn lexical_class(&self, fr: &FrameRef) -> Option<(usize, ClassId)> {
        let mut f = Some(fr);
        while let Some(x) = f {
            if let Some(c) = self.ix.facts(x.unit).functions[x.func].class {
                return Some((x.unit, c));
            }
            f = x.outer.as_ref();
        }
        None
    }

    /// Parent classes resolved by import, package or namespace.
    pub fn bases(&self, u: usize, c: ClassId) -> Vec<(usize, ClassId)> {
        self.ix.facts(u).classes[c]
            .bases
            .iter()
            .filter_map(|b| self.ix.class_named(u, b))
            .filter(|&(bu, bc)| (bu, bc) != (u, c))
            .collect()
    }

    /// Ancestors of a class, nearest first (cycles cut).
    pub fn ancestors(&self, u: usize, c: ClassId) -> Vec<(usize, ClassId)> {
        self.lineage(u, c).into_iter().skip(1).collect()
    }

    /// A class, its peers of the same package and its bases, nearest first (structural: computed once).
    fn lineage(&self, u: usize, c: ClassId) -> Vec<(usize, ClassId)> {
        if let Some(l) = self.lineages.borrow().get(&(u, c)) {
            return l.clone();
        }
        let l = self.lineage_uncached(u, c);
        self.lineages.borrow_mut().insert((u, c), l.clone());
        l
    }

    fn lineage_uncached(&self, u: usize, c: ClassId) -> Vec<(usize, ClassId)> {
        let mut out = vec![(u, c)];
        let mut i = 0;
        while i < out.len() && out.len() < 12 {
            let (bu, bc) = out[i];
            // The same type declared across files of one package (Go methods, C# partial classes).
            let name = &self.ix.facts(bu).classes[bc].name;
            for p in self.ix.package_peers(bu) {
                if let Some(pc) = self.ix.class_in(p, name)
                    && !out.contains(&(p, pc))
                {
                    out.push((p, pc));
                }
            }
            for b in self.bases(bu, bc) {
                if !out.contains(&b) {
                    out.push(b);
                }
            }
            i += 1;
        }
        out
    }

    fn name(&self, n: &str, fr: &FrameRef) -> Vec<Val> {
        // Locals and parameters of this function and the functions it closes over.
        let mut f = Some(fr.clone());
        while let Some(x) = f {
            if let Some(v) = self.in_function(n, &x) {
                return v;
            }
            f = x.outer.clone();
        }
        let u = fr.unit;
        if matches!(n, "self" | "this" | "cls")
            && self.ix.facts(u).functions[fr.func].class.is_some()
        {
            return vec![self.this(fr)];
        }
        // A bare member name inside a method (Java, C#, Dart, Kotlin; inherited helpers called without
        // `this.`).
        let class = self.lexical_class(fr).or_else(|| match fr.this.as_ref() {
            Some(Val::Class(u, c)) => Some((*u, *c)),
            Some(Val::Instance(i)) => Some((i.unit, i.class)),
            _ => None,
        });
        if let Some((cu, cc)) = class {
            for (lu, lc) in self.lineage(cu, cc) {
                let b = self.ix.member_bindings(lu, lc, n);
                if !b.is_empty() {
                    return match self.this(fr) {
                        Val::Instance(i) => self.member(&i, n),
                        v => self.attr_of(&v, n),
                    };
                }
                if !self.ix.methods(lu, lc, n).is_empty() {
                    return self.attr_of(&self.this(fr), n);
                }
            }
        }
        if fr.func == 0 {
            let b = self.before(fr, self.ix.module_bindings(u, n));
            if !b.is_empty() {
                return self.bindings_in_module(u, &b);
            }
        }
        if let Some(v) = self.module_name(u, n, 0) {
            return v;
        }
        vec![Val::Lib(Rc::from(n))]
    }

    /// The bindings written at or before the frame's current line, or all of them when none is.
    fn before(&self, fr: &FrameRef, idx: &[usize]) -> Vec<usize> {
        let facts = self.ix.facts(fr.unit);
        if fr.at > 0 {
            let mut v: Vec<usize> = idx
                .iter()
                .copied()
                .filter(|&i| facts.bindings[i].line <= fr.at)
                .collect();
            // An update of the name by itself (`url += '/tags/'`, `url = url + x`) replaces what came
            // before it: only it and later assignments count.
            if let Some(pos) = v.iter().rposition(|&i| {
                let b = &facts.bindings[i];
                mentions(&b.value, &b.name)
            }) {
                v.drain(..pos);
            }
            if !v.is_empty() {
                return v;
            }
        }
        idx.to_vec()
    }

    /// A name at module level of `u`: bindings, classes, functions, imports, includes, package peers,
    /// and globals every file sees.
    fn module_name(&self, u: usize, n: &str, hops: usize) -> Option<Vec<Val>> {
        // Whether a name is found is structural (no budget is spent deciding it): a search that found
        // nothing finds nothing again with as many hops left or fewer.
        let known_missing = self
            .unreachable
            .borrow()
            .get(n)
            .and_then(|m| m.get(&u))
            .is_some_and(|&h| hops >= h);
        if known_missing {
            return None;
        }
        let found = self.module_name_uncached(u, n, hops);
        if found.is_none() {
            let mut missing = self.unreachable.borrow_mut();
            let at = missing
                .entry(n.to_string())
                .or_default()
                .entry(u)
                .or_insert(hops);
            *at = (*at).min(hops);
        }
        found
    }

    fn module_name_uncached(&self, u: usize, n: &str, hops: usize) -> Option<Vec<Val>> {
        let ix = self.ix;
        let b = ix.module_bindings(u, n);
        if !b.is_empty() {
            return Some(self.bindings_in_module(u, b));
        }
        if let Some(c) = ix.class_in(u, n) {
            return Some(vec![Val::Class(u, c)]);
        }
        if let Some(&f) = ix.top_fns(u, n).first() {
            return Some(vec![Val::Func(u, f, None)]);
        }
        if hops > 3 {
            return None;
        }
        for imp in &ix.facts(u).imports {
            if imp.local == n {
                return Some(self.import_val(u, imp, hops + 1));
            }
        }
        for imp in &ix.facts(u).imports {
            if imp.local.is_empty()
                && let Some(t) = ix.resolve_module(u, &imp.module)
                && let Some(v) = self.module_name(t, n, hops + 1)
            {
                return Some(v);
            }
        }
        for p in ix.package_peers(u) {
            if !ix.module_bindings(p, n).is_empty()
                || ix.class_in(p, n).is_some()
                || !ix.top_fns(p, n).is_empty()
            {
                return self.module_name(p, n, 4);
            }
        }
        if let Some((gu, gi)) = ix.unique_global(u, n) {
            return Some(self.bindings_in_module(gu, &[gi]));
        }
        if let Some((gu, gf)) = ix.unique_global_fn(u, n) {
            return Some(vec![Val::Func(gu, gf, None)]);
        }
        if let Some((cu, c)) = ix.class_named(u, n) {
            return Some(vec![Val::Class(cu, c)]);
        }
        None
    }

    fn import_val(&self, u: usize, imp: &crate::program::facts::Import, hops: usize) -> Vec<Val> {
        let Some(t) = self.ix.resolve_module(u, &imp.module) else {
            // A class imported by namespace (`use App\Crm\Tags;`, `import com.acme.Client;`).
            if !imp.local.is_empty()
                && let Some((cu, c)) = self.ix.class_named(u, &imp.local)
            {
                return vec![Val::Class(cu, c)];
            }
            // A library: its dotted name (`requests`, `axios`, `Illuminate.Support.Facades.Http`); a Go
            // package by the name it is used under (`resty` for `…/resty/v2`).
            if self.ix.lang(u) == crate::scan::lang::Lang::Go && !imp.local.is_empty() {
                return vec![Val::Lib(Rc::from(imp.local.as_str()))];
            }
            let m = imp
                .module
                .trim_start_matches('\\')
                .replace(['\\', '/'], ".");
            let name = match imp.name.as_deref().filter(|x| *x != "default") {
                Some(x) if !m.ends_with(&format!(".{x}")) && m != x => format!("{m}.{x}"),
                _ => m,
            };
            return vec![Val::Lib(Rc::from(name.as_str()))];
        };
        match &imp.name {
            Some(_) if hops > 6 => vec![Val::Unknown],
            Some(x) => self
                .module_name(t, x, hops)
                .or_else(|| self.exports_field(t, x))
                .or_else(|| self.submodule(u, &imp.module, x))
                .unwrap_or_else(|| vec![Val::Unknown]),
            None => self.module_object(t),
        }
    }

    /// `from pkg import mod` / `import { x } from 'pkg'` where `x` is a file of the package.
    fn submodule(&self, u: usize, module: &str, x: &str) -> Option<Vec<Val>> {
        let sep = if self.ix.lang(u) == crate::scan::lang::Lang::Python {
            "."
        } else {
            "/"
        };
        let sub = self.ix.resolve_module(u, &format!("{module}{sep}{x}"))?;
        Some(self.module_object(sub))
    }

    /// What `require('./m')` / `import m from './m'` gives: `module.exports`, the default export, or the
    /// module itself.
    fn module_object(&self, t: usize) -> Vec<Val> {
        for name in ["module.exports", "default", "export default"] {
            let b = self.ix.module_bindings(t, name);
            if !b.is_empty() {
                return self.bindings_in_module(t, b);
            }
        }
        vec![Val::Module(t)]
    }

    fn exports_field(&self, t: usize, x: &str) -> Option<Vec<Val>> {
        for name in [format!("module.exports.{x}"), format!("exports.{x}")] {
            let b = self.ix.module_bindings(t, &name);
            if !b.is_empty() {
                return Some(self.bindings_in_module(t, b));
            }
        }
        let b = self.ix.module_bindings(t, "module.exports");
        if !b.is_empty() {
            let objs = self.bindings_in_module(t, b);
            let v: Vec<Val> = objs.iter().flat_map(|o| self.attr_of(o, x)).collect();
            return Some(v);
        }
        None
    }

    fn bindings_in_module(&self, u: usize, idx: &[usize]) -> Vec<Val> {
        let mut out = Vec::new();
        for &i in idx.iter().rev().take(MAX_ALTERNATIVES) {
            if let Some(v) = self.memo.borrow().get(&(u, i)) {
                out.extend(v.iter().cloned());
                continue;
            }
            let fr = self.unbound(u, 0);
            let v = self.binding(u, i, &fr);
            self.memo.borrow_mut().insert((u, i), v.clone());
            out.extend(v);
        }
        cap(&mut out);
        out
    }

    /// Evaluates binding `i` of unit `u` in `fr`, with a cycle guard; string results gain a trail step.
    fn binding(&self, u: usize, i: usize, fr: &FrameRef) -> Vec<Val> {
        if !self.active.borrow_mut().insert((u, i)) {
            return vec![Val::Unknown];
        }
        let b = &self.ix.facts(u).bindings[i];
        let step = format!("{} {}", self.where_(u, b.line), b.name);
        // `url = url + '/x'`: the `url` on the right is the one assigned before this line.
        let fr = &if fr.at == 0 || fr.at >= b.line {
            fr.at_line(b.line.saturating_sub(1).max(1))
        } else {
            fr.clone()
        };
        let mut v = self.eval(&b.value, fr);
        if matches!(b.value, Expr::Unknown)
            && let Some(ty) = &b.ty
        {
            v = self.typed(u, ty);
        }
        self.active.borrow_mut().remove(&(u, i));
        for x in &mut v {
            if let Val::Str(t) = x
                && (t.head().contains("://") || {
                    let h = t.head().to_ascii_lowercase();
                    h.contains("gohighlevel.com") || h.contains("leadconnectorhq.com")
                })
            {
                t.push_trail(step.clone());
            }
        }
        v
    }

    /// A value known only by its declared type: an instance of a class of the tree, or a client of a
    /// known library.
    fn typed(&self, u: usize, ty: &str) -> Vec<Val> {
        if let Some((cu, c)) = self.ix.class_named(u, ty) {
            return vec![Val::Instance(Rc::new(Instance {
                unit: cu,
                class: c,
                args: None,
            }))];
        }
        match sinks::client_type(ty) {
            Some(c) => vec![Val::Client(Rc::new(c))],
            None => vec![Val::Unknown],
        }
    }

    /// Parameters and locals of one frame's function.
    fn in_function(&self, n: &str, fr: &FrameRef) -> Option<Vec<Val>> {
        let facts = self.ix.facts(fr.unit);
        let func = &facts.functions[fr.func];
        if fr.func != 0 {
            let locals = self.before(fr, self.ix.local_bindings(fr.unit, fr.func, n));
            if !locals.is_empty() {
                let mut out = Vec::new();
                for &i in locals.iter().rev().take(4) {
                    out.extend(self.binding(fr.unit, i, fr));
                }
                cap(&mut out);
                return Some(out);
            }
            if let Some(pos) = func.params.iter().position(|p| p.name == n) {
                return Some(self.param(fr, pos));
            }
            if let Some(pos) = func
                .params
                .iter()
                .position(|p| p.fields.iter().any(|f| f == n))
            {
                let objs = self.param(fr, pos);
                return Some(objs.iter().flat_map(|o| self.attr_of(o, n)).collect());
            }
        }
        None
    }

    /// Positional index of a parameter as callers count (a method's `self`/`cls` is not passed).
    fn positional_index(&self, fr: &FrameRef, pos: usize) -> Option<usize> {
        let func = &self.ix.facts(fr.unit).functions[fr.func];
        let skip = usize::from(
            func.class.is_some()
                && !func.is_static
                && func
                    .params
                    .first()
                    .is_some_and(|p| matches!(p.name.as_str(), "self" | "cls")),
        );
        pos.checked_sub(skip)
    }

    fn param(&self, fr: &FrameRef, pos: usize) -> Vec<Val> {
        let facts = self.ix.facts(fr.unit);
        let func = &facts.functions[fr.func];
        let p = &func.params[pos];
        if matches!(p.name.as_str(), "self" | "cls") && func.class.is_some() && pos == 0 {
            return vec![self.this(fr)];
        }
        match &fr.args {
            Some(args) => {
                if let Some(a) = args
                    .iter()
                    .find(|a| a.name.as_deref() == Some(p.name.as_str()))
                {
                    return a.vals.clone();
                }
                if p.rest {
                    return vec![Val::Unknown];
                }
                let positional: Vec<&ArgVal> = args.iter().filter(|a| a.name.is_none()).collect();
                if let Some(i) = self.positional_index(fr, pos)
                    && let Some(a) = positional.get(i)
                {
                    return a.vals.clone();
                }
                match &p.default {
                    // Defaults are evaluated where the function is defined (its parameters are not bound).
                    Some(d) => self.eval(d, fr),
                    None => vec![Val::Str(Tmpl::hole(&p.name))],
                }
            }
            None => {
                if fr.ctor_defaults
                    && let Some(d) = &p.default
                {
                    return self.eval(d, fr);
                }
                if let Some(ty) = &p.ty {
                    let v = self.typed(fr.unit, ty);
                    if !matches!(v.first(), Some(Val::Unknown)) {
                        return v;
                    }
                }
                vec![Val::Str(Tmpl {
                    pieces: vec![Piece::Param(fr.unit, fr.func, p.name.clone())],
                    trail: Vec::new(),
                })]
            }
        }
    }

    fn attr_expr(&self, obj: &Expr, k: &str, fr: &FrameRef) -> Vec<Val> {
        // A dotted binding written as such (`cfg.api = …`, `module.exports.x = …`).
        if let Some(path) = dotted(obj) {
            let full = format!("{path}.{k}");
            let mut f = Some(fr.clone());
            while let Some(x) = f {
                if x.func != 0 {
                    let b = self.ix.local_bindings(x.unit, x.func, &full);
                    if !b.is_empty() {
                        let mut out = Vec::new();
                        for &i in b.iter().rev().take(4) {
                            out.extend(self.binding(x.unit, i, &x));
                        }
                        return out;
                    }
                }
                f = x.outer.clone();
            }
            let b = self.ix.module_bindings(fr.unit, &full);
            if !b.is_empty() {
                return self.bindings_in_module(fr.unit, b);
            }
        }
        let mut out = Vec::new();
        for v in self.eval(obj, fr) {
            out.extend(self.attr_of(&v, k));
        }
        // A qualified class name (`Ghl::Contacts`, `App\Crm\Tags`, `com.acme.Client`).
        if out.iter().all(|v| matches!(v, Val::Unknown | Val::Lib(_)))
            && k.starts_with(|c: char| c.is_ascii_uppercase())
            && dotted(obj).is_some()
            && let Some((cu, c)) = self.ix.class_named(fr.unit, k)
        {
            return vec![Val::Class(cu, c)];
        }
        if out.is_empty() {
            out.push(Val::Unknown);
        }
        cap(&mut out);
        out
    }

    /// Member `k` of a value.
    pub fn attr_of(&self, v: &Val, k: &str) -> Vec<Val> {
        if !self.tick() {
            return vec![Val::Unknown];
        }
        match v {
            Val::Obj(fields, fr) => {
                let mut out = Vec::new();
                for (key, e) in fields.iter() {
                    if key == k {
                        out.extend(self.eval(e, fr));
                    }
                }
                if out.is_empty() {
                    // Spread members (`...defaults`) are keyed "..." by some extractors; unknown otherwise.
                    out.push(Val::Unknown);
                }
                out
            }
            Val::Instance(inst) => self.member(inst, k),
            Val::Class(u, c) => {
                for (lu, lc) in self.lineage(*u, *c) {
                    let b = self.ix.member_bindings(lu, lc, k);
                    if !b.is_empty() {
                        // `const CONTACTS = self::BASE . 'contacts/'`: `self` is the class.
                        let fr = self.with_this(lu, 0, Val::Class(lu, lc));
                        return b.iter().flat_map(|&i| self.binding(lu, i, &fr)).collect();
                    }
                    if let Some(&f) = self.ix.methods(lu, lc, k).first() {
                        return vec![Val::Func(lu, f, Some(self.with_this(lu, f, v.clone())))];
                    }
                }
                vec![Val::Unknown]
            }
            Val::Module(u) => self
                .module_name(*u, k, 1)
                .or_else(|| self.exports_field(*u, k))
                .unwrap_or_else(|| vec![Val::Unknown]),
            Val::Lib(name) if &**name == "django.conf.settings" => self.django_setting(k),
            Val::Lib(name) => vec![Val::Lib(Rc::from(format!("{name}.{k}").as_str()))],
            Val::Str(t) => url_part(t, k),
            Val::Client(c) => match k {
                // Fluent configuration reached as a property (`client.defaults`) keeps the client.
                "defaults" | "options" | "Request" => vec![Val::Client(c.clone())],
                _ => vec![Val::Unknown],
            },
            _ => vec![Val::Unknown],
        }
    }

    /// `settings.X` in Django: the module-level `X` of the project's settings modules.
    fn django_setting(&self, k: &str) -> Vec<Val> {
        let mut out = Vec::new();
        for (u, unit) in self.ix.units.iter().enumerate() {
            let in_settings = unit.lang == crate::scan::lang::Lang::Python
                && unit.path.split('/').any(|s| s.starts_with("settings"));
            if in_settings {
                let b = self.ix.module_bindings(u, k);
                if !b.is_empty() {
                    out.extend(self.bindings_in_module(u, b));
                }
            }
        }
        if out.is_empty() {
            out.push(Val::Lib(Rc::from(
                format!("django.conf.settings.{k}").as_str(),
            )));
        }
        cap(&mut out);
        out
    }

    fn with_this(&self, unit: usize, func: FnId, this: Val) -> FrameRef {
        Rc::new(Frame {
            unit,
            func: self.ix.facts(unit).functions[func].parent.unwrap_or(0),
            args: None,
            this: Some(this),
            outer: None,
            depth: 0,
            ctor_defaults: false,
            at: 0,
        })
    }

    /// An instance member: an attribute assigned in the class (or an ancestor), evaluated in the method
    /// that assigns it, with the constructor's arguments when the instance's construction is known; a
    /// getter is evaluated; a method is a bound function value.
    fn member(&self, inst: &Rc<Instance>, k: &str) -> Vec<Val> {
        // `&Settings{APIBase: …}` / `new Client { BaseAddress = … }`: fields set where it is built.
        if let Some(args) = &inst.args
            && let Some(a) = args.iter().find(|a| a.name.as_deref() == Some(k))
            && self.constructor(inst.unit, inst.class).is_none()
        {
            return a.vals.clone();
        }
        for (lu, lc) in self.lineage(inst.unit, inst.class) {
            let b = self.ix.member_bindings(lu, lc, k);
            if !b.is_empty() {
                let mut out = Vec::new();
                for &i in b.iter().rev().take(4) {
                    let line = self.ix.facts(lu).bindings[i].line;
                    let fr = self.member_frame(inst, lu, lc, line);
                    for v in self.binding(lu, i, &fr) {
                        match v {
                            Val::Func(fu, fid, _)
                                if self.ix.facts(fu).functions[fid].params.len()
                                    <= usize::from(self.takes_self(fu, fid)) =>
                            {
                                out.extend(self.returns(fu, fid, self.method_frame(inst, fu, fid)));
                            }
                            v => out.push(v),
                        }
                    }
                }
                cap(&mut out);
                return out;
            }
            let methods = self.ix.methods(lu, lc, k);
            if !methods.is_empty() {
                // Overloads (Java, C#, Kotlin, Dart) are told apart by arity at the call.
                return methods
                    .iter()
                    .take(4)
                    .map(|&f| {
                        Val::Func(
                            lu,
                            f,
                            Some(self.with_this(lu, f, Val::Instance(inst.clone()))),
                        )
                    })
                    .collect();
            }
        }
        vec![Val::Unknown]
    }

    fn takes_self(&self, u: usize, f: FnId) -> bool {
        self.ix.facts(u).functions[f]
            .params
            .first()
            .is_some_and(|p| matches!(p.name.as_str(), "self" | "cls"))
    }

    fn method_frame(&self, inst: &Rc<Instance>, u: usize, f: FnId) -> FrameRef {
        Rc::new(Frame {
            unit: u,
            func: f,
            args: Some(Rc::new(Vec::new())),
            this: Some(Val::Instance(inst.clone())),
            outer: None,
            depth: 0,
            ctor_defaults: false,
            at: 0,
        })
    }

    /// The frame of the method of class `(u, c)` whose body holds `line`, bound to the instance.
    fn member_frame(&self, inst: &Rc<Instance>, u: usize, c: ClassId, line: usize) -> FrameRef {
        let facts = self.ix.facts(u);
        let holder = facts
            .functions
            .iter()
            .enumerate()
            .skip(1)
            .filter(|(_, f)| f.class == Some(c) && f.line <= line && line <= f.end_line)
            .min_by_key(|(_, f)| f.end_line.saturating_sub(f.line))
            .map(|(i, _)| i);
        let (func, args, ctor_defaults) = match holder {
            Some(f) if facts.functions[f].is_constructor => {
                let args = self.ctor_args_for(inst, u, c);
                let unknown = args.is_none();
                if !unknown {
                    // Its parameters are supplied (through `super(…)` when it is an ancestor's).
                    self.called.borrow_mut().insert((u, f));
                    self.delivered.borrow_mut().insert((u, f));
                }
                (f, args, unknown)
            }
            Some(f) => (f, None, false),
            None => (0, None, false),
        };
        let this = Val::Instance(Rc::new(Instance {
            unit: inst.unit,
            class: inst.class,
            args: inst.args.clone(),
        }));
        Rc::new(Frame {
            unit: u,
            func,
            args,
            this: Some(this),
            outer: None,
            depth: 0,
            ctor_defaults,
            at: 0,
        })
    }

    /// Arguments the constructor of ancestor `(u, c)` receives for this instance: the instance's own
    /// arguments for its class; for an ancestor, what the subclass constructor passes to `super(…)`
    /// (or the same arguments when the subclass has no constructor).
    fn ctor_args_for(&self, inst: &Instance, u: usize, c: ClassId) -> Option<Rc<Vec<ArgVal>>> {
        let mut args = inst.args.clone()?;
        let mut cur = (inst.unit, inst.class);
        for _ in 0..8 {
            if cur == (u, c) {
                return Some(args);
            }
            let ctor = self.constructor(cur.0, cur.1);
            let parent = self.bases(cur.0, cur.1).first().copied()?;
            if let Some(ctor) = ctor {
                let fr = Rc::new(Frame {
                    unit: cur.0,
                    func: ctor,
                    args: Some(args.clone()),
                    this: None,
                    outer: None,
                    depth: 0,
                    ctor_defaults: false,
                    at: 0,
                });
                let facts = self.ix.facts(cur.0);
                let sup = self
                    .ix
                    .calls_in(cur.0, ctor)
                    .iter()
                    .map(|&i| &facts.calls[i].call)
                    .find(|ce| is_super_ctor(&ce.callee))?;
                args = Rc::new(self.eval_args(&sup.args, &fr));
            }
            cur = parent;
        }
        None
    }

    fn constructor(&self, u: usize, c: ClassId) -> Option<FnId> {
        self.ix
            .facts(u)
            .functions
            .iter()
            .position(|f| f.class == Some(c) && f.is_constructor)
    }

    pub fn eval_args(&self, args: &[Arg], fr: &FrameRef) -> Vec<ArgVal> {
        args.iter()
            .map(|a| ArgVal {
                name: a.name.clone(),
                vals: if a.spread {
                    vec![Val::Unknown]
                } else {
                    self.eval(&a.value, fr)
                },
            })
            .collect()
    }

    /// Values a function returns when called with `fr`'s arguments.
    fn returns(&self, u: usize, f: FnId, fr: FrameRef) -> Vec<Val> {
        if fr.depth > MAX_CALL_DEPTH {
            return vec![Val::Unknown];
        }
        let mut out = Vec::new();
        for r in &self.ix.facts(u).functions[f].returns {
            out.extend(self.eval(r, &fr));
        }
        if out.is_empty() {
            out.push(Val::Unknown);
        }
        cap(&mut out);
        out
    }

    /// The value of a call expression: library helpers (formatting, joining, client constructors),
    /// request objects, instances of the tree's classes, and what user functions return.
    fn call_value(&self, ce: &CallExpr, fr: &FrameRef) -> Vec<Val> {
        if fr.depth > MAX_CALL_DEPTH {
            return vec![Val::Unknown];
        }
        let mut out = Vec::new();
        for target in self.targets(ce, fr) {
            match target {
                Target::Lib(path, recv) => {
                    out.extend(sinks::lib_value(self, &path, recv.as_ref(), ce, fr));
                }
                Target::User(u, f, closure) => {
                    // A factory: the closures it returns see these arguments.
                    self.delivered.borrow_mut().insert((u, f));
                    let args = Rc::new(self.eval_args(&ce.args, fr));
                    let this = closure.as_ref().and_then(|c| c.this.clone());
                    let callee_fr = Rc::new(Frame {
                        unit: u,
                        func: f,
                        args: Some(args),
                        this,
                        outer: closure.filter(|c| c.func != 0 || c.this.is_none()),
                        depth: fr.depth + 1,
                        ctor_defaults: false,
                        at: 0,
                    });
                    out.extend(self.returns(u, f, callee_fr));
                }
                Target::New(u, c) => {
                    let args = Rc::new(self.eval_args(&ce.args, fr));
                    out.push(Val::Instance(Rc::new(Instance {
                        unit: u,
                        class: c,
                        args: Some(args),
                    })));
                }
                Target::OnClient(client, m) => {
                    out.extend(sinks::client_method_value(self, &client, &m, ce, fr));
                }
                Target::Unknown => out.push(Val::Unknown),
            }
        }
        if out.is_empty() {
            out.push(Val::Unknown);
        }
        cap(&mut out);
        out
    }

    /// What a call's callee can be.
    pub fn targets(&self, ce: &CallExpr, fr: &FrameRef) -> Vec<Target> {
        let mut out = Vec::new();
        let (recv, method): (Option<Vec<Val>>, Option<&str>) = match &ce.callee {
            // `Ghl::Contacts.new(…)`, `new App\Crm\Tags()`: the callee names a class.
            Expr::Attr(..) if ce.new_object => (None, None),
            Expr::Attr(obj, m) => (Some(self.eval(obj, fr)), Some(m.as_str())),
            _ => (None, None),
        };
        match (recv, method) {
            (Some(recvs), Some(m)) => {
                for r in recvs {
                    match &r {
                        Val::Client(c) => out.push(Target::OnClient(c.clone(), m.to_string())),
                        Val::Lib(p) => out.push(Target::Lib(format!("{p}.{m}"), None)),
                        Val::Str(_) => out.push(Target::Lib(format!("str.{m}"), Some(r.clone()))),
                        Val::Req(_) => out.push(Target::Lib(format!("req.{m}"), Some(r.clone()))),
                        Val::Func(u, f, cl) if matches!(m, "call" | "apply" | "bind") => {
                            self.called.borrow_mut().insert((*u, *f));
                            out.push(Target::User(*u, *f, cl.clone()));
                        }
                        _ => {
                            let vals = self.attr_of(&r, m);
                            let mut hit = false;
                            for v in vals {
                                if let Val::Func(u, f, cl) = v {
                                    self.called.borrow_mut().insert((u, f));
                                    out.push(Target::User(u, f, cl));
                                    hit = true;
                                }
                            }
                            if !hit {
                                // Unknown receivers: HTTP verbs on them may still send an absolute URL;
                                // the written names say which helper it is (`this.helpers.httpRequest`).
                                let path = callee_path(&ce.callee).unwrap_or_else(|| m.to_string());
                                out.push(Target::Lib(format!("?.{path}"), Some(r.clone())));
                            }
                        }
                    }
                }
            }
            _ => {
                for v in self.eval(&ce.callee, fr) {
                    match v {
                        Val::Func(u, f, cl) => {
                            self.called.borrow_mut().insert((u, f));
                            out.push(Target::User(u, f, cl));
                        }
                        Val::Class(u, c) => {
                            self.called.borrow_mut().insert((u, usize::MAX - c));
                            out.push(Target::New(u, c));
                        }
                        Val::Lib(p) => out.push(Target::Lib(p.to_string(), None)),
                        Val::Client(c) => out.push(Target::OnClient(c, String::new())),
                        _ => out.push(Target::Unknown),
                    }
                }
            }
        }
        out.truncate(MAX_ALTERNATIVES);
        // Overloads: keep the functions whose parameters fit the arguments, when some do.
        let given = ce
            .args
            .iter()
            .filter(|a| a.name.is_none() && !a.spread)
            .count();
        let fits = |t: &Target| match t {
            Target::User(u, f, _) => {
                let func = &self.ix.facts(*u).functions[*f];
                let params: Vec<&crate::program::facts::Param> = func
                    .params
                    .iter()
                    .filter(|p| !matches!(p.name.as_str(), "self" | "cls"))
                    .collect();
                let required = params
                    .iter()
                    .filter(|p| p.default.is_none() && !p.rest)
                    .count();
                given >= required && (given <= params.len() || params.iter().any(|p| p.rest))
            }
            _ => true,
        };
        if out.iter().filter(|t| matches!(t, Target::User(..))).count() > 1 && out.iter().any(fits)
        {
            out.retain(fits);
        }
        out
    }

    // ---------------------------------------------------------------- requests

    /// Requests the call `ci` of unit `u` sends, evaluated in `fr` (its function's frame).
    pub fn requests_at(&self, u: usize, ci: usize, fr: &FrameRef) -> Vec<Found> {
        let call = &self.ix.facts(u).calls[ci];
        let fr = fr.at_line(call.call.line);
        self.requests_of(&call.call, u, &fr)
    }

    fn requests_of(&self, ce: &CallExpr, u: usize, fr: &FrameRef) -> Vec<Found> {
        if !self.tick() || fr.depth > MAX_CALL_DEPTH || self.nest.get() >= MAX_NEST {
            return Vec::new();
        }
        self.nest.set(self.nest.get() + 1);
        let out = self.requests_of_inner(ce, u, fr);
        self.nest.set(self.nest.get() - 1);
        out
    }

    fn requests_of_inner(&self, ce: &CallExpr, u: usize, fr: &FrameRef) -> Vec<Found> {
        let mut out = Vec::new();
        for t in self.targets(ce, fr) {
            match t {
                Target::Lib(path, Some(Val::Req(r)))
                    if matches!(
                        path.rsplit('.').next(),
                        Some("execute" | "enqueue" | "send" | "Send" | "Execute" | "ExecuteAsync")
                    ) =>
                {
                    // A prepared request sent by a method of its own (`call.execute()`).
                    let mut f = Found {
                        url: r.url.clone(),
                        methods: r.method.clone().into_iter().collect(),
                        method_open: false,
                        chain: vec![r.origin.clone()],
                        join_note: None,
                    };
                    f.chain.push(format!(
                        "{} {}",
                        self.where_(u, ce.line),
                        path.trim_start_matches("req.")
                    ));
                    out.push(f);
                }
                Target::Lib(path, recv) => {
                    if let Some(sc) = sinks::lib_sink(&path, recv.as_ref(), ce.new_object) {
                        out.extend(self.sink(&sc, ce, u, fr));
                    }
                }
                Target::OnClient(client, m) => {
                    if let Some(sc) = sinks::client_sink(&client, &m) {
                        out.extend(self.sink(&sc, ce, u, fr));
                    }
                }
                Target::User(cu, cf, closure) => {
                    out.extend(self.through_wrapper(ce, u, fr, cu, cf, closure));
                }
                Target::New(..) | Target::Unknown => {}
            }
            if out.len() >= 16 {
                break;
            }
        }
        out
    }

    fn sink(&self, sc: &SinkCall, ce: &CallExpr, u: usize, fr: &FrameRef) -> Vec<Found> {
        let mut out = sinks::evaluate(self, sc, ce, fr);
        let step = format!("{} {}", self.where_(u, ce.line), sc.label);
        for f in &mut out {
            f.chain.push(step.clone());
        }
        out
    }

    /// Requests sent inside a user function, seen from a call to it: only those whose URL or verb
    /// depends on the caller (a parameter, or the instance it is called on) — the others are reported
    /// where they are written.
    fn through_wrapper(
        &self,
        ce: &CallExpr,
        u: usize,
        fr: &FrameRef,
        cu: usize,
        cf: FnId,
        closure: Option<FrameRef>,
    ) -> Vec<Found> {
        let facts = self.ix.facts(cu);
        let body: Vec<usize> = self.body_calls(cu, cf);
        if body.is_empty() {
            return Vec::new();
        }
        let open: Vec<usize> = body
            .into_iter()
            .filter(|&j| self.needs_caller(cu, j))
            .collect();
        if open.is_empty() {
            return Vec::new();
        }
        let this = closure.as_ref().and_then(|c| c.this.clone()).or_else(|| {
            // Called on an instance: `obj.m()` binds `this` to obj.
            match &ce.callee {
                Expr::Attr(obj, _) => self
                    .eval(obj, fr)
                    .into_iter()
                    .find(|v| matches!(v, Val::Instance(_) | Val::Class(..))),
                _ => None,
            }
        });
        let this = this.or_else(|| {
            // `this.helper()` inside a method keeps the caller's instance.
            (facts.functions[cf].class.is_some()).then(|| self.this(fr))
        });
        // `f.call(thisArg, a, b)` passes `a, b`; `f.apply(thisArg, [a, b])` the array's items.
        let on_function = match &ce.callee {
            Expr::Attr(obj, m) if m == "call" || m == "apply" => self
                .eval(obj, fr)
                .iter()
                .any(|v| matches!(v, Val::Func(..))),
            _ => false,
        };
        let args = match &ce.callee {
            Expr::Attr(_, m) if on_function && m == "call" => {
                self.eval_args(ce.args.get(1..).unwrap_or(&[]), fr)
            }
            Expr::Attr(_, m) if on_function && m == "apply" => {
                match ce.args.get(1).map(|a| &a.value) {
                    Some(Expr::Object(items)) => items
                        .iter()
                        .map(|(_, e)| ArgVal {
                            name: None,
                            vals: self.eval(e, fr),
                        })
                        .collect(),
                    _ => Vec::new(),
                }
            }
            _ => self.eval_args(&ce.args, fr),
        };
        let args = Rc::new(args);
        let callee_fr = Rc::new(Frame {
            unit: cu,
            func: cf,
            args: Some(args),
            this,
            outer: closure.filter(|c| c.func != 0),
            depth: fr.depth + 1,
            ctor_defaults: false,
            at: 0,
        });
        let name = &facts.functions[cf].name;
        let implied = sinks::verb_implied_by_name(name);
        let step = format!(
            "{} {}()",
            self.where_(u, ce.line),
            if name.is_empty() { "function" } else { name }
        );
        let mut out = Vec::new();
        for j in open {
            let inner_fr = self.frame_for_call(cu, j, &callee_fr);
            for mut f in self.requests_at(cu, j, &inner_fr) {
                if f.methods.is_empty()
                    && let Some(m) = implied
                {
                    f.methods
                        .push((m, format!("implied by the name of wrapper {name}()")));
                    f.method_open = false;
                }
                f.chain.insert(0, step.clone());
                out.push(f);
            }
        }
        if !out.is_empty() {
            self.delivered.borrow_mut().insert((cu, cf));
        }
        out
    }

    /// Calls in a function's body and in the closures it defines (callbacks, promise executors).
    fn body_calls(&self, u: usize, f: FnId) -> Vec<usize> {
        let facts = self.ix.facts(u);
        let mut fns = vec![f];
        let mut i = 0;
        while i < fns.len() && fns.len() < 64 {
            let cur = fns[i];
            // Closures run by the function itself: passed to a call (`.then(() => …)`, a promise
            // executor, a block). Closures it only returns (a factory's methods) run later.
            for &ci in self.ix.calls_in(u, cur) {
                for a in &facts.calls[ci].call.args {
                    if let Expr::Func(id) = a.value
                        && id < facts.functions.len()
                        && !fns.contains(&id)
                    {
                        fns.push(id);
                    }
                }
            }
            i += 1;
        }
        let mut out: Vec<usize> = fns
            .iter()
            .flat_map(|&g| self.ix.calls_in(u, g).iter().copied())
            .collect();
        out.sort_unstable();
        out
    }

    /// The frame a call in `cu` runs in, given the frame of the function `base` that (lexically) holds it.
    fn frame_for_call(&self, cu: usize, j: usize, base: &FrameRef) -> FrameRef {
        let func = self.ix.facts(cu).calls[j].func;
        if func == base.func {
            return base.clone();
        }
        Rc::new(Frame {
            unit: cu,
            func,
            args: Some(Rc::new(Vec::new())),
            this: None,
            outer: Some(base.clone()),
            depth: base.depth,
            ctor_defaults: false,
            at: 0,
        })
    }

    /// Whether call `j` of unit `u`, evaluated on its own, sends a request whose URL or verb depends on
    /// something only a caller knows.
    pub fn needs_caller(&self, u: usize, j: usize) -> bool {
        if let Some(&b) = self.needs_caller.borrow().get(&(u, j)) {
            return b;
        }
        // Provisional answer guards recursion (a wrapper reaching itself).
        self.needs_caller.borrow_mut().insert((u, j), false);
        let func = self.ix.facts(u).calls[j].func;
        let fr = self.unbound(u, func);
        let found = self.requests_at(u, j, &fr);
        let open = found.iter().any(wants_caller);
        self.needs_caller.borrow_mut().insert((u, j), open);
        open
    }
}

/// Whether a request found inside a function is the callers' to report: its endpoint depends on a
/// parameter (a request helper taking the path), or its verb does. A URL whose endpoint is written in the
/// function, with only ids or query values from parameters (`/contacts/{contactId}`), is reported where
/// it is sent.
pub fn wants_caller(f: &Found) -> bool {
    (f.url.has_params() && !endpoint_written(&f.url)) || (f.method_open && is_v1_or_open(&f.url))
}

/// The V1 host and the first path segment after `/v1` are literal text.
fn endpoint_written(t: &Tmpl) -> bool {
    let mut lit = String::new();
    for p in &t.pieces {
        match p {
            Piece::Lit(l) => lit.push_str(l),
            _ => break,
        }
    }
    let Some((_, rest)) = super::value::v1_split(&lit) else {
        return false;
    };
    let rest = rest.trim_start_matches('/');
    let rest = rest
        .strip_prefix("v1/")
        .or_else(|| rest.strip_prefix("V1/"))
        .unwrap_or(rest);
    // The literal prefix must run past the first segment (`contacts/` or `contacts?`), so the segment
    // is not cut by a hole (`contacts{suffix}`).
    rest.find(['/', '?']).is_some_and(|i| i > 0)
}

fn is_v1_or_open(t: &Tmpl) -> bool {
    let r = t.render();
    super::value::v1_split(&r).is_some() || !super::value::is_absolute(&r)
}

/// A callee, resolved.
#[derive(Debug, Clone)]
pub enum Target {
    /// A library function or method, by dotted path (`requests.post`, `axios.create`, `?.get` for an
    /// unknown receiver), with the receiver value when there is one.
    Lib(String, Option<Val>),
    /// A method of an HTTP client value.
    OnClient(Rc<Client>, String),
    /// A function of the scanned code, with the frame it closes over or is bound to.
    User(usize, FnId, Option<FrameRef>),
    /// A class of the scanned code being constructed.
    New(usize, ClassId),
    Unknown,
}

fn is_super_ctor(callee: &Expr) -> bool {
    match callee {
        Expr::SuperRef => true,
        Expr::Attr(o, m) => {
            matches!(
                m.as_str(),
                "__construct" | "__init__" | "initialize" | "constructor"
            ) && match o.as_ref() {
                Expr::SuperRef => true,
                Expr::Call(c) => matches!(&c.callee, Expr::Name(n) if n == "super"),
                _ => false,
            }
        }
        Expr::Name(n) => n == "super",
        _ => false,
    }
}

/// The verb an enum member names (`common.HttpMethod.GET.value` → `GET`).
pub fn enum_verb(path: &str) -> Option<&'static str> {
    let p = path
        .strip_suffix(".value")
        .or_else(|| path.strip_suffix(".name"))
        .unwrap_or(path);
    let last = p.rsplit(['.', ':']).next()?;
    let last = last
        .strip_prefix("Method")
        .filter(|l| !l.is_empty())
        .unwrap_or(last);
    Method::parse(&last.to_ascii_uppercase()).map(Method::as_str)
}

/// A part of a URL string (`new URL(x).hostname`, `.pathname`, `.origin`, `.href`).
fn url_part(t: &Tmpl, k: &str) -> Vec<Val> {
    let r = t.render();
    let Some(scheme_end) = r.find("://").map(|i| i + 3) else {
        return match k {
            "value" | "name" | "Value" => vec![Val::Str(t.clone())],
            _ => vec![Val::Unknown],
        };
    };
    let host_end = r[scheme_end..]
        .find(['/', '?', '#'])
        .map_or(r.len(), |i| scheme_end + i);
    let path_end = r[host_end..]
        .find(['?', '#'])
        .map_or(r.len(), |i| host_end + i);
    let lit = |s: &str| {
        let mut x = Tmpl::lit(s);
        x.trail = t.trail.clone();
        vec![Val::Str(x)]
    };
    match k {
        "hostname" | "host" | "Host" => lit(&r[scheme_end..host_end]),
        "pathname" | "path" | "AbsolutePath" | "LocalPath" => lit(&r[host_end..path_end]),
        "origin" => lit(&r[..host_end]),
        "href" | "toString" | "AbsoluteUri" => vec![Val::Str(t.clone())],
        "search" => lit(&r[path_end..]),
        // Enum members and wrappers whose value is the string itself.
        "value" | "name" | "Value" => vec![Val::Str(t.clone())],
        _ => vec![Val::Unknown],
    }
}

/// Whether an expression reads the name `n` (directly, in a concatenation or a choice).
fn mentions(e: &Expr, n: &str) -> bool {
    match e {
        Expr::Name(x) => x == n,
        Expr::Concat(v) | Expr::Choice(v) => v.iter().any(|x| mentions(x, n)),
        _ => false,
    }
}

/// The written names of a callee (`this.helpers.requestWithAuthentication.call`), at most four.
fn callee_path(e: &Expr) -> Option<String> {
    let mut parts = Vec::new();
    let mut cur = e;
    loop {
        match cur {
            Expr::Attr(o, k) => {
                parts.push(k.as_str());
                cur = o;
            }
            Expr::Name(n) => {
                parts.push(n.as_str());
                break;
            }
            Expr::SelfRef => {
                parts.push("this");
                break;
            }
            _ => break,
        }
        if parts.len() >= 4 {
            break;
        }
    }
    parts.reverse();
    (!parts.is_empty()).then(|| parts.join("."))
}

/// `a.b.c` for a chain of names (not through calls).
fn dotted(e: &Expr) -> Option<String> {
    match e {
        Expr::Name(n) => Some(n.clone()),
        Expr::Attr(o, k) => dotted(o).map(|p| format!("{p}.{k}")),
        _ => None,
    }
}

/// A name for a hole standing for an expression's unknown value.
pub fn hole_name(e: &Expr) -> String {
    match e {
        Expr::Name(n) => n.clone(),
        Expr::Attr(_, k) => k.clone(),
        Expr::Index(_, i) => hole_name(i),
        Expr::Env { name, .. } => name.clone(),
        Expr::Call(c) => match &c.callee {
            Expr::Name(n) | Expr::Attr(_, n)
                if matches!(
                    n.as_str(),
                    "encodeURIComponent"
                        | "urlencode"
                        | "rawurlencode"
                        | "quote"
                        | "String"
                        | "str"
                        | "strval"
                        | "toString"
                        | "escape"
                ) =>
            {
                c.args
                    .first()
                    .map_or("param".into(), |a| hole_name(&a.value))
            }
            _ => "param".into(),
        },
        _ => "param".into(),
    }
}
