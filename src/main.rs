use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = genk8s::cli::Cli::parse();
    match genk8s::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}
