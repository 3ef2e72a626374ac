//! `tellerguard bench`: measure a pack on the user's own traffic (or on the
//! built-in generated workload): throughput, latency percentiles, compile
//! time and the compiled engine's memory.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use tellerguard::{workload, Assessment, Engine, EngineBuilder, Lang, Operation};

use crate::load_source;

/// One assessment in this many is timed on its own for the latency figures.
const SAMPLE_EVERY: u64 = 64;
/// Assessments between two looks at the clock for the deadline.
const CHUNK: u64 = 256;
/// Size and seed of the built-in workload.
const WORKLOAD_OPS: usize = 10_000;
const WORKLOAD_SEED: u64 = 20_260_101;

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub(crate) enum Format {
    Text,
    Json,
}

#[derive(clap::Args, Debug)]
pub(crate) struct BenchArgs {
    /// JSON Lines file of operations (default: the built-in generated workload).
    #[arg(value_name = "FILE.jsonl")]
    input: Option<PathBuf>,
    /// A rule-pack folder (default: the embedded pack).
    #[arg(long, value_name = "DIR")]
    rules: Option<PathBuf>,
    /// Threads sharing one engine.
    #[arg(long, value_name = "N", default_value_t = 1)]
    threads: usize,
    /// How long to measure, in seconds.
    #[arg(long, value_name = "S", default_value_t = 3.0)]
    seconds: f64,
    /// Output: a readable summary, or one JSON object.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// What one thread measured.
struct Run {
    assessments: u64,
    /// Latencies of the sampled assessments, in nanoseconds (timer included).
    samples: Vec<u64>,
}

/// The median cost of one `Instant::now()` pair with nothing between, in ns.
fn timer_overhead_ns() -> u64 {
    let mut costs: Vec<u64> = (0..1_001)
        .map(|_| {
            let start = Instant::now();
            let end = Instant::now();
            end.duration_since(start).as_nanos() as u64
        })
        .collect();
    costs.sort_unstable();
    costs.get(costs.len() / 2).copied().unwrap_or(0)
}

fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted.get(rank - 1).copied().unwrap_or(0)
}

/// Assess `ops` round-robin from `offset` until `deadline`, timing every
/// `SAMPLE_EVERY`th assessment alone.
fn measure(engine: &Engine, ops: &[Operation], offset: usize, deadline: Instant, progress: Option<Instant>) -> Run {
    let mut out = Assessment::default();
    let mut samples = Vec::with_capacity(1 << 16);
    let mut assessments = 0u64;
    let mut next = offset % ops.len().max(1);
    let mut last_report = Instant::now();
    loop {
        for _ in 0..CHUNK {
            let Some(op) = ops.get(next) else { break };
            next = if next + 1 == ops.len() { 0 } else { next + 1 };
            if assessments % SAMPLE_EVERY == 0 {
                let start = Instant::now();
                engine.assess_into(op, Lang::Zh, &mut out);
                samples.push(start.elapsed().as_nanos() as u64);
            } else {
                engine.assess_into(op, Lang::Zh, &mut out);
            }
            std::hint::black_box(&out);
            assessments += 1;
        }
        let now = Instant::now();
        if now >= deadline {
            break;
        }
        if let Some(started) = progress {
            if now.duration_since(last_report) >= Duration::from_millis(250) {
                last_report = now;
                let total = deadline.duration_since(started).as_secs_f64();
                eprint!("\rmeasuring… {:.1}/{total:.1} s", now.duration_since(started).as_secs_f64());
            }
        }
    }
    if progress.is_some() {
        eprint!("\r\x1b[K");
    }
    Run { assessments, samples }
}

/// Read the operations of a JSON Lines file; bad lines are counted, not fatal.
fn read_ops(path: &PathBuf) -> Result<(Vec<Operation>, usize), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))?;
    let mut ops = Vec::new();
    let mut bad = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        match Operation::from_json(line) {
            Ok(op) => ops.push(op),
            Err(_) => bad += 1,
        }
    }
    Ok((ops, bad))
}

pub(crate) fn run(args: &BenchArgs) -> ExitCode {
    match bench(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(2)
        }
    }
}

fn bench(args: &BenchArgs) -> Result<(), String> {
    if !(args.seconds.is_finite() && args.seconds > 0.0 && args.seconds <= 86_400.0) {
        return Err(format!("--seconds must be a positive number of seconds, not {}", args.seconds));
    }
    let threads = args.threads.clamp(1, 1024);
    let source = load_source(args.rules.as_ref())?;

    // Compile time: the best of up to five compiles (the first warms caches).
    let mut compile = Duration::MAX;
    let mut engine = None;
    for _ in 0..5 {
        let start = Instant::now();
        let compiled = EngineBuilder::new().build(&source).map_err(|e| e.to_string())?;
        compile = compile.min(start.elapsed());
        engine = Some(compiled);
        if compile > Duration::from_millis(200) {
            break;
        }
    }
    let engine = engine.ok_or("the pack was not compiled")?;

    let (ops, bad, workload_name) = match &args.input {
        Some(path) => {
            let (ops, bad) = read_ops(path)?;
            (ops, bad, path.display().to_string())
        }
        None => (
            workload::generate(WORKLOAD_OPS, WORKLOAD_SEED),
            0,
            format!("built-in generated workload ({WORKLOAD_OPS} operations, seed {WORKLOAD_SEED})"),
        ),
    };
    if ops.is_empty() {
        return Err(format!("no valid operation to measure ({bad} bad line(s))"));
    }
    let matching = ops.iter().filter(|op| !engine.assess(op).matches.is_empty()).count();

    // Warm up every thread's buffers on the whole set before measuring.
    let mut out = Assessment::default();
    for op in &ops {
        engine.assess_into(op, Lang::Zh, &mut out);
    }
    let overhead = timer_overhead_ns();
    let show_progress = std::io::stderr().is_terminal();
    let duration = Duration::from_secs_f64(args.seconds);
    let start = Instant::now();
    let deadline = start + duration;
    let runs: Vec<Run> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let (engine, ops) = (&engine, &ops);
                let offset = t * ops.len() / threads;
                let progress = (t == 0 && show_progress).then_some(start);
                scope.spawn(move || measure(engine, ops, offset, deadline, progress))
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let elapsed = start.elapsed().as_secs_f64();
    let assessments: u64 = runs.iter().map(|r| r.assessments).sum();
    let mut samples: Vec<u64> =
        runs.iter().flat_map(|r| r.samples.iter().map(|s| s.saturating_sub(overhead).max(1))).collect();
    samples.sort_unstable();
    let per_sec = assessments as f64 / elapsed.max(f64::MIN_POSITIVE);
    let (p50, p99, p999) = (percentile(&samples, 0.50), percentile(&samples, 0.99), percentile(&samples, 0.999));
    let compile_ms = compile.as_secs_f64() * 1e3;
    let method = format!(
        "every {SAMPLE_EVERY}th assessment timed alone with Instant; the timer's own median cost ({overhead} ns) subtracted"
    );

    match args.format {
        Format::Json => {
            let report = serde_json::json!({
                "assessments_per_sec": per_sec.round(),
                "p50_ns": p50,
                "p99_ns": p99,
                "p999_ns": p999,
                "compile_ms": compile_ms,
                "engine_bytes": engine.heap_bytes(),
                "threads": threads,
                "assessments": assessments,
                "seconds": elapsed,
                "operations": ops.len(),
                "matching_operations": matching,
                "bad_lines": bad,
                "latency_samples": samples.len(),
                "latency_method": method,
                "timer_overhead_ns": overhead,
                "workload": workload_name,
                "rules_version": engine.version(),
            });
            println!("{report}");
        }
        Format::Text => {
            println!("pack        {} ({} rules)", engine.version(), engine.rule_count());
            println!("compile     {compile_ms:.2} ms (best of up to 5)");
            println!(
                "engine      {} bytes ({:.1} KiB, estimated heap)",
                engine.heap_bytes(),
                engine.heap_bytes() as f64 / 1024.0
            );
            println!("workload    {workload_name}: {} operations, {matching} with a rule firing", ops.len());
            if bad > 0 {
                println!("            {bad} line(s) skipped: not a valid operation");
            }
            println!("threads     {threads} sharing one engine");
            println!("throughput  {per_sec:.0} assessments/s ({assessments} in {elapsed:.2} s)");
            println!("latency     p50 {p50} ns, p99 {p99} ns, p99.9 {p999} ns per assessment");
            println!("            ({method}; {} samples)", samples.len());
        }
    }
    Ok(())
}
