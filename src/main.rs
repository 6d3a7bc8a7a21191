use clap::Parser;

// Expansion allocates many small strings and maps; mimalloc makes that markedly cheaper
// (measured with bench/run; see README "Performance").
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;
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
