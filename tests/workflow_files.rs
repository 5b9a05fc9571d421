//! The pre-commit hook, the GitHub Action and the README's CI snippets call `ghl-migrate` with
//! subcommands and flags: each invocation is run through the real parser, so renaming a flag breaks this
//! test instead of every user's pipeline.
use clap::CommandFactory;
use ghl_migrate::cli::Cli;
use serde_norway::Value;

fn yaml(path: &str) -> Value {
    let text = std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Shell words of one command line: whitespace-separated, quotes removed (enough for these files).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote = None;
    let mut in_word = false;
    for c in line.chars() {
        match (quote, c) {
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                }
                in_word = false;
            }
            (_, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

/// Parses `argv` (starting with `ghl-migrate`) with the binary's parser; a shell variable stands for
/// a value, as it does at run time.
fn assert_parses(argv: &[String], origin: &str) -> Cli {
    use clap::Parser;
    assert_eq!(
        argv.first().map(String::as_str),
        Some("ghl-migrate"),
        "{origin}"
    );
    let argv: Vec<String> = argv
        .iter()
        .map(|w| {
            if w.starts_with('$') {
                "x".into()
            } else {
                w.clone()
            }
        })
        .collect();
    Cli::try_parse_from(&argv)
        .unwrap_or_else(|e| panic!("{origin}: `{}` does not parse:\n{e}", argv.join(" ")))
}

fn str_at<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("no string `{key}` in {v:?}"))
}

#[test]
fn pre_commit_hook_runs_a_scan_the_parser_accepts_on_staged_files() {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let hooks = hooks.as_sequence().expect("a list of hooks");
    assert_eq!(hooks.len(), 1);
    let hook = &hooks[0];
    assert_eq!(str_at(hook, "id"), "ghl-migrate");
    assert_eq!(str_at(hook, "language"), "rust");
    assert_eq!(hook["pass_filenames"].as_bool(), Some(true));
    let mut argv = words(str_at(hook, "entry"));
    // What pre-commit appends: the hook's args, then the staged files.
    if let Some(args) = hook["args"].as_sequence() {
        argv.extend(args.iter().map(|a| a.as_str().unwrap().to_string()));
    }
    argv.extend(["src/a.js".to_string(), "src/b.py".to_string()]);
    let cli = assert_parses(&argv, ".pre-commit-hooks.yaml");
    let ghl_migrate::cli::args::Command::Scan(scan) = cli.command else {
        panic!("the hook runs scan");
    };
    assert_eq!(scan.walk.paths.len(), 2, "several PATHs");
    assert!(scan.quiet);
    // The README's example config adds a baseline: still a valid command line.
    argv.splice(
        2..2,
        ["--baseline".into(), ".ghl-migrate-baseline.json".into()],
    );
    assert_parses(&argv, "README pre-commit example");
}

#[test]
fn action_scans_uploads_sarif_and_fails_by_the_scan_exit_code() {
    let action = yaml("action.yml");
    let inputs = action["inputs"].as_mapping().expect("inputs");
    let names: Vec<&str> = inputs.keys().map(|k| k.as_str().unwrap()).collect();
    assert_eq!(names, ["path", "fail-on", "baseline", "sarif-file"]);
    assert_eq!(str_at(&action["runs"], "using"), "composite");
    let steps = action["runs"]["steps"].as_sequence().expect("steps");
    let text = serde_norway::to_string(&action).unwrap();
    // Every `${{ inputs.X }}` the steps use is declared.
    for used in text.split("inputs.").skip(1) {
        let name: String = used
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        assert!(names.contains(&name.as_str()), "undeclared input {name}");
    }
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert_eq!(
        runs[0],
        "cargo install --locked --path \"$GITHUB_ACTION_PATH\""
    );
    // The scan line, with every optional flag the script may add in place of "${args[@]}".
    let script = runs
        .iter()
        .find(|r| r.contains("ghl-migrate scan"))
        .expect("a scan step");
    let optional: Vec<String> = script
        .lines()
        .filter_map(|l| l.split_once("args+=(").map(|(_, rest)| rest))
        .flat_map(|rest| words(rest.trim_end_matches(|c| c != ')').trim_end_matches(')')))
        .collect();
    assert_eq!(optional[0], "--fail-on");
    assert_eq!(optional[2], "--baseline");
    let line = script
        .lines()
        .find(|l| l.trim_start().starts_with("ghl-migrate "))
        .expect("the ghl-migrate command line");
    let mut argv = Vec::new();
    for w in words(line.split(" || ").next().unwrap()) {
        if w == "${args[@]}" {
            argv.extend(optional.iter().cloned());
        } else {
            argv.push(w);
        }
    }
    let cli = assert_parses(&argv, "action.yml");
    let ghl_migrate::cli::args::Command::Scan(scan) = cli.command else {
        panic!("the action runs scan");
    };
    assert_eq!(scan.format, ghl_migrate::report::Format::Sarif);
    assert!(scan.output.is_some() && scan.baseline.is_some());
    // The upload runs whatever the scan found, and the last step fails the job by its exit code.
    let upload = steps
        .iter()
        .find(|s| s["uses"].as_str() == Some("github/codeql-action/upload-sarif@v3"))
        .expect("an upload-sarif step");
    assert_eq!(str_at(upload, "if"), "always()");
    assert_eq!(
        str_at(&upload["with"], "sarif_file"),
        "${{ inputs.sarif-file }}"
    );
    let last = steps.last().unwrap();
    assert_eq!(
        str_at(&last["env"], "CODE"),
        "${{ steps.scan.outputs.exit-code }}"
    );
    assert_eq!(str_at(last, "run"), "exit \"${CODE:-2}\"");
}

#[test]
fn readme_gitlab_snippet_runs_commands_the_parser_accepts() {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let start = readme
        .find("```yaml\n# .gitlab-ci.yml\n")
        .expect("the GitLab snippet")
        + "```yaml\n".len();
    let block = &readme[start..start + readme[start..].find("```").unwrap()];
    let doc: Value = serde_norway::from_str(block).unwrap();
    let script = doc["ghl-migrate"]["script"].as_sequence().unwrap();
    let mut scans = 0;
    for line in script.iter().map(|l| l.as_str().unwrap()) {
        let argv = words(line.split(" #").next().unwrap());
        if argv[0] == "ghl-migrate" {
            assert_parses(&argv, "README GitLab snippet");
            scans += 1;
        } else if argv[0] == "cargo" {
            assert_eq!(argv[..3], ["cargo", "install", "--locked"]);
        }
    }
    assert_eq!(scans, 1);
}

#[test]
fn readme_github_matrix_snippet_scans_each_repository_and_plans_from_all_reports() {
    use ghl_migrate::cli::args::Command;
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let start = readme
        .find("```yaml\n# .github/workflows/ghl-migrate-plan.yml")
        .expect("the GitHub Actions matrix snippet")
        + "```yaml\n".len();
    let block = &readme[start..start + readme[start..].find("```").unwrap()];
    let doc: Value = serde_norway::from_str(block).unwrap();
    let jobs = &doc["jobs"];
    let steps = |job: &str| jobs[job]["steps"].as_sequence().unwrap().clone();
    let commands = |job: &str| -> Vec<Cli> {
        steps(job)
            .iter()
            .filter_map(|s| s["run"].as_str())
            .map(|line| words(line.split(" #").next().unwrap()))
            .filter(|argv| argv[0] == "ghl-migrate")
            .map(|argv| assert_parses(&argv, "README GitHub matrix snippet"))
            .collect()
    };
    let uses = |job: &str, action: &str| -> Value {
        steps(job)
            .into_iter()
            .find(|s| s["uses"].as_str() == Some(action))
            .unwrap_or_else(|| panic!("{job} uses {action}"))
    };
    // One scan job per repository, each uploading its JSON report tagged with the repository.
    assert!(
        jobs["scan"]["strategy"]["matrix"]["repo"]
            .as_sequence()
            .unwrap()
            .len()
            > 1
    );
    let scans = commands("scan");
    assert_eq!(scans.len(), 1);
    let Command::Scan(scan) = &scans[0].command else {
        panic!("the matrix job runs scan");
    };
    assert_eq!(scan.format, ghl_migrate::report::Format::Json);
    assert!(scan.exit_zero && scan.repo.is_some());
    let report = scan.output.as_ref().unwrap().display().to_string();
    let upload = uses("scan", "actions/upload-artifact@v4");
    assert_eq!(str_at(&upload["with"], "path"), report);
    // One plan job downloading every report into one folder and planning from all of them.
    assert_eq!(str_at(&jobs["plan"], "needs"), "scan");
    let download = uses("plan", "actions/download-artifact@v4");
    assert_eq!(str_at(&download["with"], "path"), "reports");
    assert_eq!(download["with"]["merge-multiple"].as_bool(), Some(true));
    let plans = commands("plan");
    assert_eq!(plans.len(), 2);
    for p in &plans {
        let Command::Plan(plan) = &p.command else {
            panic!("the plan job runs plan");
        };
        assert_eq!(plan.from, [std::path::PathBuf::from("reports/*.json")]);
    }
    // The shell lines shown before the snippet parse as well.
    let sh_start = readme
        .find("```sh\nghl-migrate scan --format json --exit-zero --repo")
        .expect("the many-repositories commands")
        + "```sh\n".len();
    for line in readme[sh_start..sh_start + readme[sh_start..].find("```").unwrap()].lines() {
        assert_parses(
            &words(line.split(" #").next().unwrap()),
            "README many repositories",
        );
    }
}

/// What pre-commit does: from the repository top, `entry` + the staged files as PATHs.
fn hook_run(dir: &std::path::Path, extra: &[&str], files: &[&str]) -> (i32, String) {
    let hooks = yaml(".pre-commit-hooks.yaml");
    let entry = words(str_at(&hooks[0], "entry"));
    let out = assert_cmd::Command::cargo_bin("ghl-migrate")
        .unwrap()
        .current_dir(dir)
        .args(&entry[1..])
        .args(extra)
        .args(files)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    (
        out.status.code().unwrap(),
        stdout + &String::from_utf8_lossy(&out.stderr),
    )
}

#[test]
fn pre_commit_run_fails_on_new_v1_usage_and_honours_baseline_suppressions_and_ignore_file() {
    let call = "fetch('https://rest.gohighlevel.com/v1/contacts/' + id)\n";
    let d = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let p = d.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    write("src/old.js", call);
    write("src/clean.js", "export const x = 1;\n");
    write(
        "src/proxied.js",
        &format!("// ghl-migrate: ignore[contacts.get] proxied by our gateway\n{call}"),
    );
    write("legacy/v1.js", call);
    write(".ghl-migrateignore", "legacy/\n");
    // A staged file with a new V1 call fails the commit; the other staged files do not.
    let (code, out) = hook_run(d.path(), &[], &["src/old.js", "src/clean.js"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("src/old.js"), "{out}");
    for green in [
        &["src/clean.js"][..],
        &["src/proxied.js"],
        &["legacy/v1.js"],
        &["legacy/v1.js", "src/clean.js"],
    ] {
        let (code, out) = hook_run(d.path(), &[], green);
        assert_eq!(code, 0, "{green:?}: {out}");
    }
    // Once in the baseline (written by a full scan of the top), the old call no longer fails.
    let (code, out) = hook_run(
        d.path(),
        &["--write-baseline", ".ghl-migrate-baseline.json"],
        &["."],
    );
    assert_eq!(code, 0, "{out}");
    let base = ["--baseline", ".ghl-migrate-baseline.json"];
    let (code, out) = hook_run(d.path(), &base, &["src/old.js"]);
    assert_eq!(code, 0, "{out}");
    // A new call in the same file still does.
    write(
        "src/old.js",
        &format!("{call}fetch('https://rest.gohighlevel.com/v1/users/')\n"),
    );
    let (code, out) = hook_run(d.path(), &base, &["src/old.js"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("/v1/users/"), "{out}");
}

#[test]
fn every_subcommand_the_docs_name_exists() {
    // Completions and the man page are derived from this same command; a subcommand missing here is
    // missing everywhere.
    let cmd = Cli::command();
    for sub in [
        "scan",
        "plan",
        "diff",
        "verify",
        "rules",
        "config",
        "completions",
        "man",
    ] {
        assert!(cmd.find_subcommand(sub).is_some(), "no subcommand {sub}");
    }
}
