//! `tellerguard`: check pending operations against the scam rule pack, and
//! test, lint and benchmark rule packs.
//!
//! Exit status: 0 when every input line was assessed (whatever the actions),
//! 1 when a pack test failed, 2 when an input line or the pack was bad.

mod bench;
mod check;
mod eval;
mod text;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use tellerguard::{Engine, EngineBuilder, Lang, PackSource};

#[derive(Parser, Debug)]
#[command(name = "tellerguard", version, about = "Check pending bank operations for telecom and online scam patterns")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Assess operations (JSON Lines in, one assessment per line out, in input order).
    Check(check::CheckArgs),
    /// Run the test cases carried in the pack's files.
    Test(PackArgs),
    /// Load the pack and report every problem with file:line:column.
    Lint(PackArgs),
    /// Backtest the pack over labelled operations: recall per typology, false positives.
    Eval(eval::EvalArgs),
    /// Measure the pack on your own traffic (or a generated workload): throughput, latency, compile time, memory.
    Bench(bench::BenchArgs),
}

/// Which pack to use.
#[derive(clap::Args, Debug)]
struct PackArgs {
    /// A rule-pack folder (default: the pack embedded in the tool).
    #[arg(long, value_name = "DIR")]
    rules: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum LangArg {
    Zh,
    En,
}

impl From<LangArg> for Lang {
    fn from(l: LangArg) -> Lang {
        match l {
            LangArg::Zh => Lang::Zh,
            LangArg::En => Lang::En,
        }
    }
}

fn load_source(rules: Option<&PathBuf>) -> Result<PackSource, String> {
    match rules {
        Some(dir) => PackSource::from_dir(dir).map_err(|e| e.to_string()),
        None => Ok(PackSource::embedded()),
    }
}

/// Compile the pack, or print why it cannot be and give the exit status 2.
fn load_engine(rules: Option<&PathBuf>) -> Result<Engine, ExitCode> {
    load_source(rules).and_then(|source| Engine::new(&source).map_err(|e| e.to_string())).map_err(|e| {
        eprintln!("{e}");
        ExitCode::from(2)
    })
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Test(args) => run_tests(&args),
        Command::Lint(args) => lint(&args),
        Command::Eval(args) => eval::run(&args),
        Command::Bench(args) => bench::run(&args),
    }
}

fn run_tests(args: &PackArgs) -> ExitCode {
    let compiled = load_source(args.rules.as_ref())
        .and_then(|s| EngineBuilder::new().build_with_tests(&s).map_err(|e| e.to_string()));
    match compiled {
        Ok((engine, tests)) => {
            let report = tests.run(&engine);
            println!("{report}");
            if report.failed() == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

/// A regex whose compiled automata exceed this many bytes gets a note from
/// `lint`: the default pack's costliest regexes stay under 34,000, while a
/// gap of `\p{Han}{0,12}` alone comes to 51,000.
const COSTLY_REGEX_BYTES: usize = 40_000;

fn lint(args: &PackArgs) -> ExitCode {
    let compiled = load_source(args.rules.as_ref())
        .and_then(|s| EngineBuilder::new().build_with_tests(&s).map_err(|e| e.to_string()));
    match compiled {
        Ok((engine, tests)) => {
            let typologies = engine.typologies().count();
            let costly: Vec<_> = engine.regexes().filter(|r| r.heap_bytes > COSTLY_REGEX_BYTES).collect();
            println!(
                "{}: {} typologies, {} rules, {} test cases, no problems{}",
                engine.version(),
                typologies,
                engine.rule_count(),
                tests.len(),
                match costly.len() {
                    0 => String::new(),
                    1 => ", 1 note".to_string(),
                    n => format!(", {n} notes"),
                }
            );
            for regex in costly {
                println!(
                    "note: {}: regex `{}` compiles to {} bytes (over {COSTLY_REGEX_BYTES}), which slows every compile; \
                     wide classes repeated many times cost most, see \"Regexes\" in docs/rules.md",
                    regex.location, regex.name, regex.heap_bytes
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}
