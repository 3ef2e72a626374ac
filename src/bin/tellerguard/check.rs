//! `tellerguard check`: JSON Lines in, one assessment (or error object) per
//! line out, in input order.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use serde::Serialize;
use tellerguard::{Action, Assessment, Engine, Lang, Operation};

use crate::{load_engine, LangArg};

/// The longest accepted input line, in bytes.
const MAX_LINE_BYTES: usize = 64 * 1024;
/// Lines handed to the worker threads at a time.
const BATCH_LINES: usize = 4096;

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub(crate) enum Format {
    Json,
    Text,
}

#[derive(clap::Args, Debug)]
pub(crate) struct CheckArgs {
    /// JSON Lines file of operations; `-` or nothing reads standard input.
    #[arg(value_name = "FILE")]
    input: Option<PathBuf>,
    /// A rule-pack folder (default: the embedded pack).
    #[arg(long, value_name = "DIR")]
    rules: Option<PathBuf>,
    /// Language of warnings.
    #[arg(long, value_enum, default_value = "zh")]
    lang: LangArg,
    /// Output format: contract JSON Lines, or a summary for a teller's screen.
    #[arg(long, value_enum, default_value = "json")]
    format: Format,
    /// Worker threads (default: all cores); output order is kept.
    #[arg(long, value_name = "N")]
    jobs: Option<usize>,
}

/// The object written in place of a line that cannot be assessed.
#[derive(Serialize)]
struct LineError<'a> {
    line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    error: &'a str,
    action: Action,
}

/// Assess one input line (`place` says which, `line` is its text) and
/// append its output line to `out`; false when the line could not be
/// assessed (its output is then an error object).
fn process<'e>(
    engine: &'e Engine,
    lang: Lang,
    format: Format,
    place: &Line,
    line: &str,
    assessment: &mut Assessment<'e>,
    out: &mut String,
) -> bool {
    let number = place.number;
    let parsed = if let Some(at) = place.invalid_utf8 {
        // Text in another encoding (GBK, Latin-1) would hide every phrase.
        Err(format!("line is not valid UTF-8 (at byte {at}); operations must be sent as UTF-8"))
    } else if line.len() > MAX_LINE_BYTES {
        Err(format!("line is {} bytes, longer than the {MAX_LINE_BYTES}-byte limit", line.len()))
    } else {
        // Plain serde_json first; only a line that fails pays for the
        // error path of `from_json`, which names the field.
        match serde_json::from_str::<Operation>(line) {
            Ok(op) if op.validate().is_ok() => Ok(op),
            _ => Operation::from_json(line).map_err(|e| e.to_string()),
        }
    };
    match parsed {
        Ok(op) => {
            engine.assess_into(&op, lang, assessment);
            match format {
                Format::Json => assessment.write_json(out),
                Format::Text => {
                    let text = crate::text::render(engine, assessment, lang);
                    if text.is_empty() {
                        return true;
                    }
                    out.push_str(&text);
                }
            }
            out.push('\n');
            true
        }
        Err(error) => {
            let id = if line.len() <= MAX_LINE_BYTES { Operation::id_hint(line) } else { None };
            let record = LineError { line: number, id, error: &error, action: Action::Escalate };
            match format {
                Format::Json => match serde_json::to_string(&record) {
                    Ok(json) => out.push_str(&json),
                    Err(_) => out
                        .push_str(&format!("{{\"line\":{number},\"error\":\"unprintable\",\"action\":\"escalate\"}}")),
                },
                Format::Text => {
                    out.push_str(&format!("[line {number}] ESCALATE: cannot assess this operation: {error}\n"))
                }
            }
            out.push('\n');
            false
        }
    }
}

pub(crate) fn run(args: &CheckArgs) -> ExitCode {
    let engine = match load_engine(args.rules.as_ref()) {
        Ok(e) => e,
        Err(code) => return code,
    };
    let reader: Box<dyn BufRead> = match args.input.as_ref().filter(|p| p.as_os_str() != "-") {
        Some(path) => match File::open(path) {
            Ok(f) => Box::new(BufReader::with_capacity(1 << 16, f)),
            Err(e) => {
                eprintln!("cannot read `{}`: {e}", path.display());
                return ExitCode::from(2);
            }
        },
        None => Box::new(BufReader::with_capacity(1 << 16, io::stdin().lock())),
    };
    let jobs = args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).max(1);
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    match stream(&engine, args.lang.into(), args.format, jobs, reader, &mut out) {
        Ok(0) => ExitCode::SUCCESS,
        Ok(bad) => {
            eprintln!("{bad} line(s) could not be assessed");
            ExitCode::from(2)
        }
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// A batch of input lines, kept in one text.
#[derive(Default)]
struct Batch {
    text: String,
    lines: Vec<Line>,
}

/// One input line of a batch.
struct Line {
    /// Its number in the input, from 1.
    number: usize,
    /// Its span in the batch's text.
    span: std::ops::Range<usize>,
    /// Where its bytes stop being UTF-8, if they do (the text then holds
    /// replacement characters).
    invalid_utf8: Option<usize>,
}

/// What a worker made of its lines: their output, and how many failed.
struct Output {
    text: String,
    bad: usize,
}

/// Read lines, assess them in batches on `jobs` threads, write in order.
/// Returns how many lines could not be assessed.
fn stream(
    engine: &Engine,
    lang: Lang,
    format: Format,
    jobs: usize,
    mut reader: impl BufRead,
    out: &mut impl Write,
) -> io::Result<usize> {
    let mut bad = 0;
    let mut number = 0;
    let mut batch = Batch::default();
    let mut buf = Vec::new();
    let mut done = false;
    while !done {
        batch.text.clear();
        batch.lines.clear();
        while batch.lines.len() < BATCH_LINES {
            buf.clear();
            if reader.read_until(b'\n', &mut buf)? == 0 {
                done = true;
                break;
            }
            number += 1;
            // Checked a word at a time. A line that is not UTF-8 is kept,
            // read lossily, only so that its error can name its id.
            let (text, invalid_utf8) = match std::str::from_utf8(&buf) {
                Ok(text) => (std::borrow::Cow::Borrowed(text), None),
                Err(e) => (String::from_utf8_lossy(&buf), Some(e.valid_up_to())),
            };
            let line = text.trim_end_matches(['\n', '\r']);
            if line.trim().is_empty() {
                continue;
            }
            let start = batch.text.len();
            batch.text.push_str(line);
            batch.lines.push(Line { number, span: start..batch.text.len(), invalid_utf8 });
        }
        for output in assess_batch(engine, lang, format, jobs, &batch) {
            bad += output.bad;
            out.write_all(output.text.as_bytes())?;
        }
    }
    out.flush()?;
    Ok(bad)
}

fn assess_batch(engine: &Engine, lang: Lang, format: Format, jobs: usize, batch: &Batch) -> Vec<Output> {
    let run = |chunk: &[Line]| -> Output {
        let mut assessment = Assessment::default();
        let mut output = Output { text: String::with_capacity(chunk.len() * 1024), bad: 0 };
        for place in chunk {
            let line = batch.text.get(place.span.clone()).unwrap_or("");
            if !process(engine, lang, format, place, line, &mut assessment, &mut output.text) {
                output.bad += 1;
            }
        }
        output
    };
    if jobs <= 1 || batch.lines.len() < 64 {
        return vec![run(&batch.lines)];
    }
    let chunk = batch.lines.len().div_ceil(jobs);
    std::thread::scope(|scope| {
        let handles: Vec<_> = batch.lines.chunks(chunk).map(|c| scope.spawn(move || run(c))).collect();
        let mut all = Vec::with_capacity(handles.len());
        for (handle, c) in handles.into_iter().zip(batch.lines.chunks(chunk)) {
            match handle.join() {
                Ok(output) => all.push(output),
                // A worker cannot panic on input; if it did, fail safe.
                Err(_) => {
                    let mut text = String::new();
                    for Line { number: n, .. } in c {
                        text.push_str(&format!(
                            "{{\"line\":{n},\"error\":\"internal error\",\"action\":\"escalate\"}}\n"
                        ));
                    }
                    all.push(Output { text, bad: c.len() });
                }
            }
        }
        all
    })
}
