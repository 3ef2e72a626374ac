//! `tellerguard eval`: backtest a pack over labelled operations.

use std::path::PathBuf;
use std::process::ExitCode;

use tellerguard::backtest::{backtest, LabelledCase};

use crate::load_engine;

#[derive(clap::Args, Debug)]
pub(crate) struct EvalArgs {
    /// Labelled JSON Lines files ({"expect": ..., "note": ..., "operation": ...}).
    #[arg(value_name = "FILE", required = true)]
    files: Vec<PathBuf>,
    /// A rule-pack folder (default: the embedded pack).
    #[arg(long, value_name = "DIR")]
    rules: Option<PathBuf>,
    /// List every miss and false positive with the rules that fired.
    #[arg(long)]
    verbose: bool,
}

pub(crate) fn run(args: &EvalArgs) -> ExitCode {
    let engine = match load_engine(args.rules.as_ref()) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let mut cases = Vec::new();
    for path in &args.files {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("cannot read `{}`: {e}", path.display());
                return ExitCode::from(2);
            }
        };
        for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            match LabelledCase::from_json(line) {
                Ok(c) => cases.push(c),
                Err(e) => {
                    eprintln!("{}:{}: {e}", path.display(), i + 1);
                    return ExitCode::from(2);
                }
            }
        }
    }
    let report = backtest(&engine, &cases);
    if args.verbose {
        for m in &report.misses {
            let expected = m.expected.as_deref().unwrap_or("benign");
            let got = m.got_typology.as_deref().unwrap_or("-");
            println!(
                "miss {:<10} expected {expected:<24} got {got}/{} fired [{}]",
                m.id,
                m.got_action.as_str(),
                m.fired.join(", ")
            );
        }
    }
    println!("{report}");
    ExitCode::SUCCESS
}
