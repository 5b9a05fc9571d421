//! Which syntax family a file belongs to, by name (and a peek at the content for extension-less scripts).
use std::path::Path;

/// How a file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    JavaScript,
    TypeScript,
    Python,
    Php,
    Ruby,
    Shell,
    Go,
    Java,
    Kotlin,
    CSharp,
    Dart,
    Rust,
    Swift,
    CFamily,
    Json,
    Yaml,
    Toml,
    Env,
    Ini,
    Xml,
    Markdown,
    Text,
    Html,
}

/// The broad role of a file, which becomes a finding's `context` for what is not in a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Code,
    Config,
    Docs,
    /// JSON that may be a workflow export (n8n, Make, Postman, …) or plain config.
    Data,
}

impl Lang {
    /// Whether the line holding byte `at` of `bytes` starts with a comment in this language (`// …`,
    /// ` * …` in a block comment, `# …`). Only the line's start is looked at: a `//` further on may be
    /// inside a string. Languages without a known comment syntax say `false`.
    pub fn comment_line_at(self, bytes: &[u8], at: usize) -> bool {
        let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |i| i + 1);
        let line = bytes[start..at].trim_ascii_start();
        let c_like = line.starts_with(b"//") || line.starts_with(b"/*") || line.starts_with(b"* ");
        let hash = line.starts_with(b"#") && !line.starts_with(b"#[");
        match self {
            Lang::Python | Lang::Ruby | Lang::Shell => hash,
            Lang::Php => c_like || hash,
            Lang::JavaScript
            | Lang::TypeScript
            | Lang::Go
            | Lang::Java
            | Lang::Kotlin
            | Lang::CSharp
            | Lang::Dart => c_like,
            _ => false,
        }
    }

    pub fn detect(path: &Path, head: &[u8]) -> Option<Lang> {
        let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
        if name == ".env" || name.starts_with(".env.") || name.ends_with(".env") {
            return Some(Lang::Env);
        }
        if matches!(
            name.as_str(),
            "dockerfile" | "makefile" | "procfile" | "jenkinsfile"
        ) {
            return Some(Lang::Shell);
        }
        let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        let lang = match ext {
            "js" | "mjs" | "cjs" | "jsx" | "vue" | "svelte" | "gs" => Lang::JavaScript,
            "ts" | "tsx" | "mts" | "cts" => Lang::TypeScript,
            "py" | "pyw" | "pyi" | "ipynb_py" => Lang::Python,
            "php" | "phtml" | "inc" => Lang::Php,
            "rb" | "rake" | "gemspec" | "erb" => Lang::Ruby,
            // PowerShell and batch files are read as scripts (their strings, keys and requests).
            "sh" | "bash" | "zsh" | "ksh" | "fish" | "command" | "ps1" | "psm1" | "bat" | "cmd" => {
                Lang::Shell
            }
            "go" => Lang::Go,
            "java" | "groovy" | "gradle" | "scala" => Lang::Java,
            "kt" | "kts" => Lang::Kotlin,
            "cs" | "csx" | "fs" => Lang::CSharp,
            "dart" => Lang::Dart,
            "rs" => Lang::Rust,
            "swift" => Lang::Swift,
            "c" | "h" | "cc" | "cpp" | "cxx" | "hpp" | "m" | "mm" => Lang::CFamily,
            "json" | "jsonc" | "json5" | "har" | "postman_collection" | "postman_environment" => {
                Lang::Json
            }
            "yaml" | "yml" => Lang::Yaml,
            "toml" => Lang::Toml,
            "env" => Lang::Env,
            "ini" | "cfg" | "conf" | "properties" => Lang::Ini,
            "xml" | "config" | "csproj" | "plist" => Lang::Xml,
            "md" | "markdown" | "mdx" | "rst" | "adoc" => Lang::Markdown,
            "txt" | "text" | "log" => Lang::Text,
            "html" | "htm" => Lang::Html,
            "" => return Lang::from_shebang(head),
            _ => return None,
        };
        Some(lang)
    }

    fn from_shebang(head: &[u8]) -> Option<Lang> {
        let first = head.split(|&b| b == b'\n').next()?;
        let first = std::str::from_utf8(first).ok()?;
        if !first.starts_with("#!") {
            return None;
        }
        Some(if first.contains("python") {
            Lang::Python
        } else if first.contains("node") || first.contains("deno") || first.contains("bun") {
            Lang::JavaScript
        } else if first.contains("ruby") {
            Lang::Ruby
        } else if first.contains("php") {
            Lang::Php
        } else {
            Lang::Shell
        })
    }

    pub fn role(self) -> Role {
        match self {
            Lang::Json => Role::Data,
            Lang::Yaml | Lang::Toml | Lang::Env | Lang::Ini | Lang::Xml => Role::Config,
            Lang::Markdown | Lang::Text | Lang::Html => Role::Docs,
            _ => Role::Code,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Lang::JavaScript => "javascript",
            Lang::TypeScript => "typescript",
            Lang::Python => "python",
            Lang::Php => "php",
            Lang::Ruby => "ruby",
            Lang::Shell => "shell",
            Lang::Go => "go",
            Lang::Java => "java",
            Lang::Kotlin => "kotlin",
            Lang::CSharp => "csharp",
            Lang::Dart => "dart",
            Lang::Rust => "rust",
            Lang::Swift => "swift",
            Lang::CFamily => "c",
            Lang::Json => "json",
            Lang::Yaml => "yaml",
            Lang::Toml => "toml",
            Lang::Env => "env",
            Lang::Ini => "ini",
            Lang::Xml => "xml",
            Lang::Markdown => "markdown",
            Lang::Text => "text",
            Lang::Html => "html",
        }
    }
}
