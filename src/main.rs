use clap::Parser;

fn main() {
    // A credential typed as an argument (by mistake, or in the wrong place) is never echoed back: not
    // by a usage error, not by any later output of this run.
    // Location, company and integration ids are opaque too, but not secrets: shown as given (a token
    // pasted there is still hidden).
    const ID_FLAGS: &[&str] = &["--location", "--company", "--integration"];
    let mut after_id_flag = false;
    for arg in std::env::args_os().skip(1) {
        let arg = arg.to_string_lossy();
        let (flag, value) = arg.split_once('=').unwrap_or(("", &arg));
        let is_id = after_id_flag || ID_FLAGS.contains(&flag);
        after_id_flag = ID_FLAGS.contains(&&*arg);
        if is_id && !ghl_migrate::credential::looks_like_token(value) {
            continue;
        }
        if ghl_migrate::redact::looks_like_credential_argument(value) {
            ghl_migrate::redact::remember(value);
            ghl_migrate::redact::remember(arg.trim());
        }
    }
    let cli = match ghl_migrate::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let text = e.render().to_string();
            let text = ghl_migrate::redact::clean(&text);
            if e.use_stderr() {
                eprint!("{text}");
            } else {
                print!("{text}");
            }
            std::process::exit(e.exit_code());
        }
    };
    std::process::exit(ghl_migrate::cli::run(cli));
}
