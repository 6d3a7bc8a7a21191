//! Command-line interface: argument definitions and the commands they run.

#![warn(clippy::too_many_lines)] // clippy.toml: at most 80 lines per function

pub use crate::diff::Outcome;
use crate::{Error, build, emit, envs};
use clap::{Parser, Subcommand};
use std::io::Write as _;
use std::path::{Path, PathBuf};

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
        after_help = "Examples:\n  genk8s build dev                       # stream to stdout\n  genk8s build prod -p platforms/flexdesk -o out/prod\n  genk8s build --all -o out              # writes out/dev, out/prod, ...\n\nWith -o, nothing in OUT changes until every tree is built and staged beside it; files a previous genk8s run wrote \
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
        /// Write nothing; print what would change in OUT and exit 1 if anything would
        #[arg(long, requires = "out")]
        check: bool,
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
    /// Check the generated objects against best practices (exit 1 on findings at or above --fail-on)
    #[command(
        after_help = "Rules: GK001 resources, GK002 probes, GK003 PDB for replicas > 1, GK004 spread, GK005 pull policy, \
GK006 NetworkPolicy coverage, GK007 pinned images, GK008 host namespaces, GK009 restricted profile, GK010 read-only root, \
GK011 service account token, GK012 PDB that blocks evictions, GK013 deprecated at the target Kubernetes version \
(spec warnings too), GK014 removed at the target version, GK015 `uses` paths allowed, \
GK016 DNS allowed, GK017 ingress, route and metrics ports reachable, GK018 configured endpoints allowed, \
GK019 route backends exist, GK023 ALB forward actions name Services and ports of the build.\nSuppress per workload in the spec: lint: {ignore: {GK004: \"reason\"}}\n\nExamples:\n  genk8s lint prod -p platforms/flexdesk\n  genk8s lint --all --fail-on info"
    )]
    Lint {
        /// Environment to lint
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        env: Option<String>,
        /// Lint every environment
        #[arg(long)]
        all: bool,
        /// Platform folder
        #[arg(short = 'p', long = "platform", default_value = ".", value_name = "DIR")]
        platform: PathBuf,
        /// Lowest severity that fails the run
        #[arg(long, value_enum, default_value_t = crate::lint::Severity::Warning)]
        fail_on: crate::lint::Severity,
    },
    /// Show the merged spec of an environment with the file:line each value came from
    #[command(
        after_help = "Examples:\n  genk8s explain prod                          # the whole merged spec\n  genk8s explain prod services.api             # one service\n  genk8s explain prod services.api.replicas    # one value: base, overlay or default?"
    )]
    Explain {
        /// Environment to explain
        env: String,
        /// Dot-separated path into the spec, e.g. services.api.replicas
        path: Option<String>,
        /// Platform folder
        #[arg(short = 'p', long = "platform", default_value = ".", value_name = "DIR")]
        platform: PathBuf,
    },
    /// Compare the tree `build ENV -o DIR` would write with DIR (exit 1 on drift)
    #[command(
        allow_missing_positional = true,
        after_help = "Prints the objects added, removed and changed (with each changed field: \
`Deployment/api: spec.replicas 3 → 5`), then a unified diff per file from DIR (a/) to the build (b/). \
Files in DIR that genk8s did not write are ignored; a file the previous genk8s run wrote and this build \
would delete counts as removed.\n\nExamples:\n  genk8s diff prod deploy/prod -p platforms/flexdesk\n  genk8s diff --all deploy          # deploy/<env> for every environment\n  genk8s diff prod deploy/prod --color never"
    )]
    Diff {
        /// Environment to compare
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        env: Option<String>,
        /// Folder holding the tree (with --all, DIR/<env> per environment)
        dir: PathBuf,
        /// Compare every environment
        #[arg(long)]
        all: bool,
        /// Platform folder
        #[arg(short = 'p', long = "platform", default_value = ".", value_name = "PLATFORM")]
        platform: PathBuf,
        /// Colour the unified diff
        #[arg(long, value_enum, value_name = "WHEN", default_value_t = crate::diff::ColorChoice::Auto)]
        color: crate::diff::ColorChoice,
    },
    /// Print the JSON Schema of the spec (for editors: yaml-language-server)
    #[command(
        after_help = "Examples:\n  genk8s schema > platform.schema.json\n  genk8s schema --overlay > overlay.schema.json\n\nThen start platform.yaml with\n  # yaml-language-server: $schema=platform.schema.json"
    )]
    Schema {
        /// The schema of environment overlays (nothing required)
        #[arg(long)]
        overlay: bool,
    },
    /// Print shell completions (bash, zsh, fish, elvish, powershell)
    #[command(
        after_help = "Examples:\n  genk8s completions bash > /etc/bash_completion.d/genk8s\n  genk8s completions zsh > \"${fpath[1]}/_genk8s\""
    )]
    Completions { shell: clap_complete::Shell },
    /// Print the man page (roff)
    #[command(after_help = "Example:\n  genk8s man > /usr/local/share/man/man1/genk8s.1")]
    Man,
    /// Write a genk8s platform folder from another format (Docker Compose)
    #[command(subcommand, after_help = "Example:\n  genk8s import compose docker-compose.yml -o platforms/shop")]
    Import(crate::import::ImportCommand),
    /// Draw services, databases, ingress hosts and allowed network paths (Mermaid or DOT)
    #[command(
        after_help = "Examples:\n  genk8s graph prod -p platforms/ai-workflow-engine > graph.mmd\n  genk8s graph prod --format dot | dot -Tsvg > graph.svg"
    )]
    Graph {
        /// Environment to draw
        env: String,
        #[arg(long, value_enum, default_value_t = crate::graph::Format::Mermaid)]
        format: crate::graph::Format,
        /// Platform folder
        #[arg(short = 'p', long = "platform", default_value = ".", value_name = "DIR")]
        platform: PathBuf,
    },
    /// Write a commented starter platform that builds as-is
    #[command(after_help = "Example:\n  genk8s init shop && genk8s build dev -p shop")]
    Init {
        /// Folder to create (default: the current directory)
        #[arg(default_value = ".")]
        dir: PathBuf,
    },
    /// List the database engines and image profiles, or print one engine's template or one image's profile
    #[command(
        after_help = "Examples:\n  genk8s catalog                          # every engine and image profile\n  genk8s catalog engine rabbitmq > platforms/shop/templates/engines/rabbitmq.yaml.j2\n  genk8s catalog image grafana/grafana:11.1.0\n\nThe built-in engine templates are compiled into the binary; -p adds the platform's own templates/engines/."
    )]
    Catalog {
        #[command(subcommand)]
        what: Option<CatalogWhat>,
        /// Platform folder (its templates/engines/ add to or override the built-in engines)
        #[arg(short = 'p', long = "platform", default_value = ".", value_name = "DIR", global = true)]
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

/// What `genk8s catalog` shows besides the list.
#[derive(Subcommand, Debug)]
pub enum CatalogWhat {
    /// Print an engine's template (to copy into a platform and change)
    Engine { name: String },
    /// Print the profile of an image: the defaults a service on it gets
    Image { image: String },
}

/// Runs a parsed command; the exit code is the caller's to derive.
pub fn run(cli: Cli) -> Result<Outcome, Error> {
    match cli.command {
        Command::Build { env, all, platform, out, check } => {
            build_command(&platform, only(env.as_deref(), all), all, out.as_deref(), check)
        }
        Command::Diff { env, dir, all, platform, color } => {
            diff_command(&platform, only(env.as_deref(), all), all, &dir, color)
        }
        Command::Lint { env, all, platform, fail_on } => lint_command(&platform, only(env.as_deref(), all), fail_on),
        Command::Import(cmd) => crate::import::run(cmd).map(|()| Outcome::Clean),
        Command::Envs { platform } => clean(&(envs(&platform)?.join("\n") + "\n")),
        Command::Explain { env, path, platform } => clean(&crate::explain(&platform, &env, path.as_deref())?),
        Command::Schema { overlay } => schema_command(overlay),
        Command::Completions { shell } => completions_command(shell),
        Command::Man => man_command(),
        Command::Graph { env, format, platform } => graph_command(&platform, &env, format),
        Command::Init { dir } => clean(&(crate::scaffold::init(&dir)?.join("\n") + "\n")),
        Command::Secrets { env, platform } => secrets_command(&platform, &env),
        Command::Catalog { what, platform } => catalog_command(&platform, what),
    }
}

/// The environment asked for, or `None` (every environment) with `--all`.
fn only(env: Option<&str>, all: bool) -> Option<&str> {
    if all { None } else { env }
}

/// Prints `text`; nothing to report.
fn clean(text: &str) -> Result<Outcome, Error> {
    print(text)?;
    Ok(Outcome::Clean)
}

/// `genk8s build`: a stream on stdout, or trees written (or compared, with `--check`) under `-o`.
fn build_command(
    platform: &Path,
    env: Option<&str>,
    all: bool,
    out: Option<&Path>,
    check: bool,
) -> Result<Outcome, Error> {
    if let (Some(out), false) = (out, check) {
        return write_trees(platform, env, all, out);
    }
    let builds = build(platform, env)?;
    let mut warned = Warned::default();
    for b in &builds {
        warned.print(b);
    }
    let Some(out) = out else {
        let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        let written = builds.iter().try_for_each(|b| emit::write_stream(&b.objects, &mut stdout));
        return written.and_then(|()| stdout.flush()).or_else(stdout_error).map(|()| Outcome::Clean);
    };
    let trees = crate::diff::expected_trees(builds, out, all)?;
    for (dir, files) in &trees {
        emit::check_tree(dir, files).map_err(Error::Output)?;
    }
    let verdict = crate::diff::check_trees(&trees, crate::diff::Show::Summary)?;
    print(&verdict.text)?;
    Ok(verdict.outcome())
}

/// Spec warnings already printed: a base value shared by every environment warns once.
#[derive(Default)]
struct Warned(std::collections::BTreeSet<String>);

impl Warned {
    fn print(&mut self, b: &crate::Build) {
        for w in &b.warnings {
            if self.0.insert(w.clone()) {
                eprintln!("{w}");
            }
        }
    }
}

/// `genk8s build -o OUT`: each environment's tree is staged beside its OUT (locked first)
/// as soon as it is built, and its objects dropped; once every tree is staged, each is
/// swapped in. A problem anywhere leaves every OUT as it was.
fn write_trees(platform: &Path, env: Option<&str>, all: bool, out: &Path) -> Result<Outcome, Error> {
    use crate::output::{Lock, stage};
    let stage_at = |dir: &Path, files: &crate::diff::Files| -> Result<crate::output::Staged, Error> {
        stage(Lock::acquire(dir).map_err(Error::Output)?, files).map_err(Error::Output)
    };
    let mut staged = Vec::new();
    let mut shared = crate::cluster::Shared::default();
    let mut first_platform = None;
    let mut warned = Warned::default();
    crate::build_each(platform, env, |mut b| {
        warned.print(&b);
        let dir = if all { out.join(&b.env) } else { out.to_path_buf() };
        if all {
            shared.take(&mut b)?;
        }
        first_platform.get_or_insert_with(|| b.platform.clone());
        staged.push(stage_at(&dir, &emit::tree(b.objects, &b.platform, &b.env))?);
        Ok(())
    })?;
    let shared = shared.into_sorted();
    if let (false, Some(platform)) = (shared.is_empty(), first_platform) {
        let dir = out.join(crate::cluster::TREE);
        staged.push(stage_at(&dir, &emit::cluster_tree(shared, &platform))?);
    }
    crate::output::swap_all(staged).map_err(Error::Output)?;
    Ok(Outcome::Clean)
}

/// `genk8s diff`: the build compared with the tree in DIR.
fn diff_command(
    platform: &Path,
    env: Option<&str>,
    all: bool,
    dir: &Path,
    color: crate::diff::ColorChoice,
) -> Result<Outcome, Error> {
    let builds = build(platform, env)?;
    let trees = crate::diff::expected_trees(builds, dir, all)?;
    let verdict = crate::diff::check_trees(&trees, crate::diff::Show::Full { color: color.enabled() })?;
    print(&verdict.text)?;
    Ok(verdict.outcome())
}

/// `genk8s lint`: findings and suppressions per environment, failing at `fail_on` or above.
fn lint_command(platform: &Path, env: Option<&str>, fail_on: crate::lint::Severity) -> Result<Outcome, Error> {
    let valid = crate::check_expanded(platform, env)?;
    let mut text = String::new();
    let mut failing = 0;
    for (v, objects) in &valid {
        let report = crate::lint::lint(v, objects);
        for f in &report.findings {
            text.push_str(&format!("{}: {f}\n", v.env));
        }
        for (object, rule, reason) in &report.suppressed {
            text.push_str(&format!("{}: {object} [{rule} suppressed] {reason}\n", v.env));
        }
        failing += report.findings.iter().filter(|f| f.severity >= fail_on).count();
    }
    text.push_str(&format!("{failing} finding(s) at or above {fail_on}\n"));
    // The objects are not taken apart one by one (a sixth of lint's time at N=5,000, measured):
    // the process ends after printing, and they hold nothing but memory (no file, no lock).
    std::mem::forget(valid);
    print(&text)?;
    Ok(if failing > 0 { Outcome::Findings } else { Outcome::Clean })
}

/// `genk8s schema`: the JSON Schema of platform.yaml, or of an overlay.
fn schema_command(overlay: bool) -> Result<Outcome, Error> {
    let schema = if overlay { crate::schema::overlay() } else { crate::schema::platform() };
    clean(&crate::schema::to_text(&schema))
}

/// `genk8s completions SHELL`.
fn completions_command(shell: clap_complete::Shell) -> Result<Outcome, Error> {
    let mut buf = Vec::new();
    clap_complete::generate(shell, &mut <Cli as clap::CommandFactory>::command(), "genk8s", &mut buf);
    clean(&String::from_utf8_lossy(&buf))
}

/// `genk8s man`: the man page.
fn man_command() -> Result<Outcome, Error> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(<Cli as clap::CommandFactory>::command())
        .render(&mut buf)
        .map_err(|e| Error::Output(format!("cannot render the man page: {e}")))?;
    clean(&String::from_utf8_lossy(&buf))
}

/// `genk8s graph ENV`.
fn graph_command(platform: &Path, env: &str, format: crate::graph::Format) -> Result<Outcome, Error> {
    let valid = crate::check_expanded(platform, Some(env))?;
    let text = valid.iter().map(|(v, objects)| crate::graph::render(v, objects, format)).collect::<String>();
    // As for lint: the objects are left for the process's end, not taken apart one by one.
    std::mem::forget(valid);
    clean(&text)
}

/// `genk8s secrets ENV`.
fn secrets_command(platform: &Path, env: &str) -> Result<Outcome, Error> {
    let valid = crate::check(platform, Some(env))?;
    clean(&valid.iter().map(crate::secrets::render).collect::<String>())
}

fn catalog_command(platform: &Path, what: Option<CatalogWhat>) -> Result<Outcome, Error> {
    let sources = crate::source::SourceMap::default();
    let cat = crate::catalog::Catalog::load(platform).map_err(|d| crate::spec_error(d, &sources))?;
    let text = match what {
        None => crate::catalog_cmd::list(&cat),
        Some(CatalogWhat::Engine { name }) => crate::catalog_cmd::engine(&cat, &name),
        Some(CatalogWhat::Image { image }) => crate::catalog_cmd::image(&image),
    };
    clean(&text.map_err(Error::Usage)?)
}

fn print(text: &str) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes()).and_then(|()| stdout.flush()).or_else(stdout_error)
}

fn stdout_error(e: std::io::Error) -> Result<(), Error> {
    match e.kind() {
        // A closed pipe (`genk8s build prod | head`) is not an error.
        std::io::ErrorKind::BrokenPipe => Ok(()),
        _ => Err(Error::Output(format!("cannot write to stdout: {e}"))),
    }
}
