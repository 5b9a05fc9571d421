//! `ghl-migrate completions` and `ghl-migrate man`: generated from the parser, complete, and written
//! unchanged through the redacting standard output.
use clap::CommandFactory;

mod support;
use support::{bin, run_ok};

/// Every subcommand a user can type.
const SUBCOMMANDS: [&str; 8] = [
    "scan",
    "plan",
    "diff",
    "rules",
    "config",
    "verify",
    "completions",
    "man",
];

fn completions(shell: &str) -> String {
    run_ok(bin().args(["completions", shell])).0
}

#[test]
fn completions_for_bash_zsh_fish_name_every_subcommand() {
    for shell in ["bash", "zsh", "fish"] {
        let script = completions(shell);
        for sub in SUBCOMMANDS {
            assert!(script.contains(sub), "{shell} completions lack `{sub}`");
        }
        // Flags of a subcommand are completed too.
        assert!(script.contains("max-filesize"), "{shell}: no scan flags");
    }
}

#[test]
fn completions_pass_the_redacting_stdout_unchanged() {
    // stdout is wrapped by the redaction writer: a script naming `--token-env` must not be mangled.
    for shell in [
        clap_complete::Shell::Bash,
        clap_complete::Shell::Zsh,
        clap_complete::Shell::Fish,
        clap_complete::Shell::PowerShell,
        clap_complete::Shell::Elvish,
    ] {
        let mut expected = Vec::new();
        clap_complete::generate(
            shell,
            &mut ghl_migrate::cli::Cli::command(),
            "ghl-migrate",
            &mut expected,
        );
        let got = completions(&shell.to_string());
        assert_eq!(got, String::from_utf8(expected).unwrap(), "{shell}");
    }
}

#[test]
fn completions_refuse_an_unknown_shell_with_exit_2() {
    bin()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stdout("");
}

#[test]
fn man_page_has_a_title_and_every_subcommand() {
    let page = run_ok(bin().arg("man")).0;
    assert!(page.contains("\n.TH ghl-migrate 1 "), "no .TH line");
    for sub in SUBCOMMANDS {
        assert!(
            page.contains(&format!("ghl\\-migrate\\-{sub}")),
            "man page lacks `{sub}`"
        );
    }
    let mut expected = Vec::new();
    clap_mangen::Man::new(ghl_migrate::cli::Cli::command())
        .render(&mut expected)
        .unwrap();
    assert_eq!(
        page,
        String::from_utf8(expected).unwrap(),
        "redaction changed the page"
    );
}
