//! Language-neutral facts about one source file: what the solver needs to follow values through a program.
//!
//! Each language's extractor (`program::lang::*`) walks a tree-sitter tree and produces one [`FileFacts`].
//! The facts are deliberately small: bindings of names to value expressions, functions with their parameters,
//! classes with their bases, imports, and every call expression with its arguments. Which calls are HTTP
//! requests, which functions are request wrappers and what a value evaluates to is decided by the solver
//! (`program::solve`) from these facts alone, so it never looks at syntax.
//!
//! Conventions every extractor follows:
//! - Lines and columns are 1-based; columns count characters.
//! - Function 0 is the file's top level (`<module>`); every other function has an id = its index.
//! - Names are written as in the source without sigils (`$url` → `url`, `@base` → `base`,
//!   `$this->client` → `Attr(SelfRef, "client")`).
//! - Anything the extractor cannot express is [`Expr::Unknown`], never a guess.

/// Index of a function in [`FileFacts::functions`] (0 = top level).
pub type FnId = usize;
/// Index of a class in [`FileFacts::classes`].
pub type ClassId = usize;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileFacts {
    pub imports: Vec<Import>,
    pub classes: Vec<Class>,
    /// `functions[0]` is the top level of the file.
    pub functions: Vec<Function>,
    pub bindings: Vec<Binding>,
    /// Every call expression in the file (nested ones too), in source order.
    pub calls: Vec<Call>,
    /// The file's package / namespace when the language declares one (`package x`, `namespace App\Api`),
    /// used to resolve package-visible names across files.
    pub package: Option<String>,
}

/// An import, require, include or `use`.
#[derive(Debug, Clone, PartialEq)]
pub struct Import {
    /// The module as written: `./config`, `../lib/api.js`, `app.settings`, `.client`, `App\Http\Api`,
    /// `config.php` (PHP include), `net/http`.
    pub module: String,
    /// The local name it is bound to in this file (`api` in `import api from './api'`,
    /// `x` in `from m import y as x`). Empty for an include/require that brings every global into scope
    /// (PHP `require 'x.php'`, Ruby `require_relative`, shell `source`).
    pub local: String,
    /// The exported name imported: `Some("y")` for `from m import y`, `import { y } from`, `use A\B\Y`;
    /// `None` for the module object itself (`import * as x`, `import x from` default export, `require()`,
    /// Python `import a.b`).
    pub name: Option<String>,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Class {
    pub name: String,
    /// Parent classes / implemented types as written (`Api`, `base.Resource`, `\App\Api`).
    pub bases: Vec<String>,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Function {
    /// Name as declared; `<module>` for function 0; for an anonymous function or arrow, the name it is
    /// assigned to when the extractor knows it (`const get = () => …`, `{ getAll: () => … }`), else "".
    pub name: String,
    /// The class it is a method of (also for constructors: `constructor`, `__init__`, `__construct`,
    /// `initialize`, a Java/C#/Dart constructor is named after its class and has `is_constructor`).
    pub class: Option<ClassId>,
    /// The lexically enclosing function (closures see its parameters and locals). `None` only for function 0;
    /// top-level functions and methods have `Some(0)`.
    pub parent: Option<FnId>,
    pub params: Vec<Param>,
    pub is_constructor: bool,
    /// Static / class method (no instance).
    pub is_static: bool,
    /// Expressions it returns (`return x`, an arrow's expression body, Ruby's last expression).
    pub returns: Vec<Expr>,
    pub line: usize,
    pub end_line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    /// Name without sigil; shell positional parameters are `1`, `2`, …; a rest/variadic parameter keeps its
    /// name and sets `rest`.
    pub name: String,
    /// Declared type as written, if any (`CrmClient`, `?Api`, `httpx.Client`), without generics/nullability
    /// markers where easy to strip.
    pub ty: Option<String>,
    pub default: Option<Expr>,
    pub rest: bool,
    /// A destructured object parameter `({ method, url })`: the field names it binds (each also usable as
    /// a name inside the function).
    pub fields: Vec<String>,
}

/// Where a binding lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// File / module level (also Go/Java package-level constants and statics outside classes).
    Module,
    /// A class member: fields, constants, static properties and attributes assigned through the instance
    /// anywhere in the class (`self.x = …`, `this.x = …`, `$this->x = …`, `@x = …`).
    Class(ClassId),
    /// A local variable or a parameter reassignment inside a function.
    Function(FnId),
}

/// `name = value` in some scope. A name assigned several times yields several bindings.
#[derive(Debug, Clone, PartialEq)]
pub struct Binding {
    pub scope: Scope,
    /// The bound name (`BASE_URL`, `client`, `tasks_url`). Destructuring `const { a, b } = obj` yields
    /// bindings `a = Attr(obj, "a")` and `b = Attr(obj, "b")`. A keyed assignment `cfg['api'] = v` or
    /// `module.exports.x = v` is written as a binding of the dotted path `cfg.api` / `module.exports.x`.
    pub name: String,
    pub value: Expr,
    pub line: usize,
    /// Declared type (`private CrmService $crm;`, `final Dio dio;`), when the value is not known.
    pub ty: Option<String>,
    /// A `define('NAME', v)`, `export`, `module.exports`, Go exported name, `public`: visible to other files.
    pub exported: bool,
}

/// A value expression, as far as the solver needs one.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// A string literal (escapes decoded, quotes removed). Numbers and booleans are `Str` of their text.
    Str(String),
    /// Concatenation in order: `a + b`, `a . b`, template literals, f-strings, interpolated strings
    /// (`"…{$x}…"`, `"#{x}"`, `"${x}"`, `"$x"`), adjacent literals.
    Concat(Vec<Expr>),
    /// A bare name: a local, parameter, module-level name, imported name, class name or function name.
    Name(String),
    /// `self` / `this` / `$this` / `static` / `@` (the current instance or class).
    SelfRef,
    /// The parent class (`super`, `parent::`).
    SuperRef,
    /// Member, attribute, key or constant access with a literal key: `a.b`, `a->b`, `a::B`, `a['b']`,
    /// `a["b"]`, `a[:b]`, `$a->b`, `self::B`.
    Attr(Box<Expr>, String),
    /// Indexing with a non-literal key (`a[i]`).
    Index(Box<Expr>, Box<Expr>),
    /// An environment variable read, with the default when the code gives one
    /// (`process.env.X || 'd'`, `os.getenv('X', 'd')`, `getenv('X') ?: 'd'`, `ENV.fetch('X', 'd')`, `${X:-d}`).
    Env {
        name: String,
        default: Option<Box<Expr>>,
    },
    /// An object / dictionary / associative array / map literal; positional list items get keys "0", "1", …
    Object(Vec<(String, Expr)>),
    /// A call used as a value (including `new X(…)`, chained calls and builder chains).
    Call(Box<CallExpr>),
    /// A function value: a lambda, arrow function or closure (its id), or a named function referenced.
    Func(FnId),
    /// One of several values: `a ? b : c`, `a || b`, `a ?? b`, `a ?: b`, `a or b`.
    Choice(Vec<Expr>),
    Unknown,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CallExpr {
    /// What is called: `Name("fetch")`, `Attr(Name("requests"), "post")`,
    /// `Attr(Attr(SelfRef, "client"), "request")`, `Attr(Call(Http::withHeaders(…)), "post")`,
    /// `Name("Client")` with `new_object` for `new Client(…)`.
    pub callee: Expr,
    pub args: Vec<Arg>,
    /// `new X(…)` / `X.new` / Dart and Kotlin constructor calls when the syntax says so.
    pub new_object: bool,
    /// Where the call expression starts (for a chain, where the whole chain starts).
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Arg {
    /// Keyword / named argument name (`url=`, `method:`, PHP 8 `uri:`), `None` for positional.
    pub name: Option<String>,
    pub value: Expr,
    /// A spread argument (`...args`, `*args`, `**kwargs`).
    pub spread: bool,
}

/// One call site.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    /// The function whose body holds the call (0 = top level).
    pub func: FnId,
    pub call: CallExpr,
    /// The line where the enclosing statement starts (`const r = await fetch(` → that line; for
    /// `$r = Http::withHeaders([…])\n->post(…)` the `$r` line).
    pub stmt_line: usize,
}
