//! Parsing with tree-sitter: the grammar per language, a bounded parse, and the dispatch to the
//! language's extractor.
use super::facts::FileFacts;
use super::lang;
use crate::scan::lang::Lang;

/// Largest file the program model parses; larger files keep the line extractor's findings only.
pub const MAX_PARSE_BYTES: usize = 4 << 20;
/// Parse budget per file (tree-sitter checks it while parsing): parsing is linear in the size, capped
/// by `MAX_PARSE_BYTES`; the budget guards against a grammar going pathological, with room for a loaded
/// machine and a debug build.
const PARSE_TIMEOUT_MICROS: u64 = 10_000_000;

/// Whether the program model reads this language (or scripts embedded in it).
pub fn supported(lang: Lang, path: &str) -> bool {
    grammar(lang, path).is_some() || embeds_scripts(lang, path)
}

/// HTML, PHP templates and single-file components carry JavaScript in `<script>` elements.
fn embeds_scripts(lang: Lang, path: &str) -> bool {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    matches!(lang, Lang::Html | Lang::Php) || matches!(ext.as_str(), "vue" | "svelte")
}

/// The file with everything outside `<script>` elements blanked (newlines kept, so lines and columns
/// stay those of the file), and whether any script was found. `None` when there is none.
fn script_view(src: &str) -> Option<String> {
    let lower = src.to_ascii_lowercase();
    let mut out: Vec<u8> = src
        .bytes()
        .map(|b| if b == b'\n' { b'\n' } else { b' ' })
        .collect();
    let mut found = false;
    let mut at = 0;
    while let Some(open) = lower[at..].find("<script").map(|i| at + i) {
        let Some(body) = lower[open..].find('>').map(|i| open + i + 1) else {
            break;
        };
        let tag = &lower[open..body];
        let end = lower[body..]
            .find("</script")
            .map_or(src.len(), |i| body + i);
        // Only JavaScript: no `src=` loader, no template or JSON script types.
        let js = !tag.contains("type=") || tag.contains("javascript") || tag.contains("module");
        if js && !tag.contains(" src=") {
            out[body..end].copy_from_slice(&src.as_bytes()[body..end]);
            found = true;
        }
        at = end;
    }
    // Blanking whole bytes keeps multi-byte characters outside scripts as spaces; inside they are kept.
    found.then(|| String::from_utf8(out).ok()).flatten()
}

fn grammar(lang: Lang, path: &str) -> Option<tree_sitter::Language> {
    let ext = path.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    Some(match lang {
        Lang::JavaScript if matches!(ext.as_str(), "js" | "mjs" | "cjs" | "jsx") => {
            tree_sitter_javascript::LANGUAGE.into()
        }
        Lang::TypeScript if ext == "tsx" => tree_sitter_typescript::LANGUAGE_TSX.into(),
        Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
        Lang::Python if matches!(ext.as_str(), "py" | "pyw") => tree_sitter_python::LANGUAGE.into(),
        Lang::Php if matches!(ext.as_str(), "php" | "inc" | "phtml") => {
            tree_sitter_php::LANGUAGE_PHP.into()
        }
        Lang::Ruby if matches!(ext.as_str(), "rb" | "rake") => tree_sitter_ruby::LANGUAGE.into(),
        Lang::Shell if matches!(ext.as_str(), "ps1" | "psm1") => {
            tree_sitter_powershell::LANGUAGE.into()
        }
        Lang::Shell if !matches!(ext.as_str(), "fish" | "bat" | "cmd") => {
            tree_sitter_bash::LANGUAGE.into()
        }
        Lang::Go => tree_sitter_go::LANGUAGE.into(),
        Lang::Java if ext == "java" => tree_sitter_java::LANGUAGE.into(),
        Lang::Kotlin => tree_sitter_kotlin_ng::LANGUAGE.into(),
        Lang::CSharp if ext == "cs" => tree_sitter_c_sharp::LANGUAGE.into(),
        Lang::Dart => tree_sitter_dart::LANGUAGE.into(),
        _ => return None,
    })
}

/// Whether `src` parses without a syntax error in its language's grammar; `None` when the language is
/// not modelled, the file is too big, or the parse does not finish in its budget. `diff` refuses a
/// rewrite that turns a clean parse into one with errors.
pub fn parses_cleanly(lang: Lang, path: &str, src: &str) -> Option<bool> {
    Some(!tree(lang, path, src)?.root_node().has_error())
}

/// A named function or method: its name and its 1-based first and last lines (decorators and
/// annotations included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionSpan {
    pub name: String,
    pub start: usize,
    pub end: usize,
}

/// The innermost named function or method whose body holds 1-based `line` (where `diff` copies a
/// request helper for its V2 twin). `None` for languages without a grammar here or anonymous functions.
pub fn enclosing_function(lang: Lang, path: &str, src: &str, line: usize) -> Option<FunctionSpan> {
    let tree = tree(lang, path, src)?;
    let row = line.checked_sub(1)?;
    let text = src.lines().nth(row)?;
    let col = text.len() - text.trim_start().len();
    let point = tree_sitter::Point::new(row, col);
    let mut node = tree
        .root_node()
        .named_descendant_for_point_range(point, point)?;
    loop {
        if matches!(
            node.kind(),
            "function_declaration"
                | "function_definition"
                | "method_definition"
                | "method_declaration"
                | "method"
                | "singleton_method"
                | "constructor_declaration"
        ) && let Some(name) = node.child_by_field_name("name")
        {
            // Decorators (Python) and annotations are part of what a copy must carry.
            let outer = node
                .parent()
                .filter(|p| p.kind() == "decorated_definition")
                .unwrap_or(node);
            return Some(FunctionSpan {
                name: src.get(name.byte_range())?.to_string(),
                start: outer.start_position().row + 1,
                end: node.end_position().row + 1,
            });
        }
        node = node.parent()?;
    }
}

/// A bounded parse: `None` when the language is not modelled, the file is too big, or the parse does
/// not finish within its budget.
fn tree(lang: Lang, path: &str, src: &str) -> Option<tree_sitter::Tree> {
    if src.len() > MAX_PARSE_BYTES {
        return None;
    }
    let language = grammar(lang, path)?;
    let mut parser = tree_sitter::Parser::new();
    parser.set_language(&language).ok()?;
    #[allow(deprecated)]
    parser.set_timeout_micros(PARSE_TIMEOUT_MICROS);
    parser.parse(src, None)
}

/// Every fact set of one file: its own language's, and the JavaScript of its `<script>` elements
/// (HTML, PHP templates, Vue/Svelte components), each with the file's own lines and columns.
pub fn facts_all(lang: Lang, path: &str, src: &str) -> Vec<(Lang, FileFacts)> {
    let mut out: Vec<(Lang, FileFacts)> = facts(lang, path, src)
        .map(|f| (lang, f))
        .into_iter()
        .collect();
    if embeds_scripts(lang, path)
        && src.len() <= MAX_PARSE_BYTES
        && let Some(view) = script_view(src)
        && let Some(f) = facts(Lang::JavaScript, "script.js", &view)
    {
        out.push((Lang::JavaScript, f));
    }
    out
}

/// Parses `src` and extracts its facts, or `None` when the language is not modelled, the file is too
/// big, or the parse does not finish within its budget.
pub fn facts(lang: Lang, path: &str, src: &str) -> Option<FileFacts> {
    let tree = tree(lang, path, src)?;
    Some(match lang {
        Lang::JavaScript | Lang::TypeScript => lang::javascript::extract(src, &tree),
        Lang::Python => lang::python::extract(src, &tree),
        Lang::Php => lang::php::extract(src, &tree),
        Lang::Ruby => lang::ruby::extract(src, &tree),
        Lang::Shell
            if path.to_ascii_lowercase().ends_with(".ps1")
                || path.to_ascii_lowercase().ends_with(".psm1") =>
        {
            lang::powershell::extract(src, &tree)
        }
        Lang::Shell => lang::bash::extract(src, &tree),
        Lang::Go => lang::go::extract(src, &tree),
        Lang::Java => lang::java::extract(src, &tree),
        Lang::Kotlin => lang::kotlin::extract(src, &tree),
        Lang::CSharp => lang::csharp::extract(src, &tree),
        Lang::Dart => lang::dart::extract(src, &tree),
        _ => return None,
    })
}
