use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = genk8s::cli::Cli::parse();
    match genk8s::cli::run(cli) {
        Ok(genk8s::cli::Outcome::Clean) => ExitCode::SUCCESS,
        Ok(genk8s::cli::Outcome::Findings) => ExitCode::from(1),
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}
