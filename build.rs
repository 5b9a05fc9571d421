//! Embeds every rule file under `rules/` into the binary so the tool works from any directory, each with
//! a JSON copy converted here: the runtime reads the JSON (serde_json is ~10× faster than the YAML parser,
//! which was most of a small scan's start-up) and keeps the YAML for line numbers and `rules check`.
use std::{env, fs, path::Path};

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    println!("cargo:rerun-if-changed=rules");
    let out_dir = env::var("OUT_DIR").unwrap();
    let mut files: Vec<String> = Vec::new();
    collect(&root, &root, &mut files);
    files.sort();
    let mut out = String::from(
        "/// (path relative to rules/, YAML contents, the same as JSON when it parses) of every embedded \
         rule file.\n",
    );
    out.push_str("pub static EMBEDDED_RULE_FILES: &[(&str, &str, Option<&str>)] = &[\n");
    for (i, rel) in files.iter().enumerate() {
        let abs = root.join(rel);
        let json = fs::read_to_string(&abs)
            .ok()
            .and_then(|text| serde_norway::from_str::<serde_norway::Value>(&text).ok())
            .and_then(|value| serde_json::to_string(&value).ok());
        // A file that does not parse has no JSON: the runtime parses its YAML and reports where it breaks.
        let json = match json {
            Some(j) => {
                let dest = Path::new(&out_dir).join(format!("rules-{i}.json"));
                fs::write(&dest, j).unwrap();
                format!("Some(include_str!({:?}))", dest.display().to_string())
            }
            None => "None".to_string(),
        };
        out.push_str(&format!(
            "    ({rel:?}, include_str!({:?}), {json}),\n",
            abs.display().to_string()
        ));
    }
    out.push_str("];\n");
    fs::write(Path::new(&out_dir).join("embedded_rules.rs"), out).unwrap();
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let mut entries: Vec<_> = fs::read_dir(dir).unwrap().flatten().collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        println!("cargo:rerun-if-changed={}", p.display());
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n == "reference") {
                continue; // reference data is embedded by the modules that use it
            }
            collect(root, &p, out);
        } else if matches!(p.extension().and_then(|x| x.to_str()), Some("yaml" | "yml")) {
            let rel = p
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.push(rel);
        }
    }
}
