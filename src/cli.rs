//! Command-line interface: argument definitions and the commands they run.

use crate::{Error, build, emit, envs};
use clap::{Parser, Subcommand};
use std::io::Write as _;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "genk8s",
    version,
    about = "Compile a compact platform spec into deterministic Kubernetes manifests",
    long_about = "genk8s reads a platform folder (platform.yaml plus environments/<env>.yaml overlays), \
merges the environment over the base, checks it, expands it into typed Kubernetes objects with secure \
defaults, and writes deterministic YAML.\n\nExit codes: 0 success, 1 findings (drift), 2 bad input or usage.",
    after_help = "Examples:\n  genk8s build prod -p platforms/flexdesk            # YAML stream on stdout\n  genk8s build prod -o out/prod                      # kustomize tree: kubectl apply -k out/prod\n  genk8s build --all -o out                          # out/<env>/ for every environment\n  genk8s envs -p platforms/ai-imutis"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Build the manifests of an environment (stdout stream, or a tree with -o)
    #[command(
        after_help = "Examples:\n  genk8s build dev                       # stream to stdout\n  genk8s build prod -p platforms/flexdesk -o out/prod\n  genk8s build --all -o out              # writes out/dev, out/prod, ...\n\nWith -o, every file is built before anything is written; files a previous genk8s run wrote \
and this one does not are removed, and files genk8s did not write are left alone."
    )]
    Build {
        /// Environment to build (a file name under environments/, without .yaml)
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        env: Option<String>,
        /// Build every environment (needs -o; writes OUT/<env>/)
        #[arg(long, requires = "out")]
        all: bool,
        /// Platform folder
        #[arg(short = 'p', long = "platform", default_value = ".", value_name = "DIR")]
        platform: PathBuf,
        /// Write a kustomize tree here instead of printing a stream
        #[arg(short = 'o', long = "out", value_name = "OUT")]
        out: Option<PathBuf>,
    },
    /// List the Secrets and keys the cluster must hold for an environment
    #[command(
        after_help = "genk8s references Secrets by name and key and never writes their values.\n\nExample:\n  genk8s secrets prod -p platforms/workflow-automation"
    )]
    Secrets {
        /// Environment to list
        env: String,
        /// Platform folder
        #[arg(short = 'p', long = "platform", default_value = ".", value_name = "DIR")]
        platform: PathBuf,
    },
    /// List the environments of a platform, one a line
    #[command(after_help = "Example:\n  genk8s envs -p platforms/ai-workflow-engine")]
    Envs {
        /// Platform folder
        #[arg(short = 'p', long = "platform", default_value = ".", value_name = "DIR")]
        platform: PathBuf,
    },
}

/// Runs a parsed command; the exit code is the caller's to derive.
pub fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Envs { platform } => {
            let names = envs(&platform)?;
            print(&(names.join("\n") + "\n"))
        }
        Command::Secrets { env, platform } => {
            let valid = crate::check(&platform, Some(&env))?;
            print(&valid.iter().map(crate::secrets::render).collect::<String>())
        }
        Command::Build { env, all, platform, out } => {
            let builds = build(&platform, if all { None } else { env.as_deref() })?;
            match out {
                None => {
                    let text: String = builds.iter().map(|b| emit::stream(&b.objects)).collect();
                    print(&text)
                }
                Some(out) => {
                    let trees: Vec<_> = builds
                        .iter()
                        .map(|b| {
                            let dir = if all { out.join(&b.env) } else { out.clone() };
                            (dir, emit::tree(&b.objects, &b.platform, &b.env))
                        })
                        .collect();
                    for (dir, files) in &trees {
                        emit::check_tree(dir, files).map_err(Error::Output)?;
                    }
                    for (dir, files) in &trees {
                        emit::write_tree(dir, files).map_err(Error::Output)?;
                    }
                    Ok(())
                }
            }
        }
    }
}

fn print(text: &str) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()) {
        Ok(()) => Ok(()),
        // A closed pipe (`genk8s build prod | head`) is not an error.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::Output(format!("cannot write to stdout: {e}"))),
    }
}
