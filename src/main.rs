use clap::Parser;

fn main() {
    let cli = ghl_migrate::cli::Cli::parse();
    std::process::exit(ghl_migrate::cli::run(cli));
}
