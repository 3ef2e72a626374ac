//! Assessment throughput on the generated workload (`tellerguard::workload`)
//! with the embedded default pack: one operation, a batch of 1,000 with one
//! reused `Assessment`, and two threads sharing one `Engine`.
//!
//! Before timing, every bench checks the verdicts of known operations and the
//! share of matching operations in the workload, and panics if they are
//! wrong: a broken engine must not look fast.
//!
//! Run with `cargo bench --bench assess`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tellerguard::{workload, Action, Assessment, Engine, Lang, Operation};

/// Operations per batch iteration.
const BATCH: usize = 1_000;
/// The workload's seed: fixed, so every run measures the same operations.
const SEED: u64 = 20_260_101;

/// Named fixtures with their expected verdicts.
const SAFE_ACCOUNT_DEMAND: &str = r#"{"id": "fx-safe-account", "amount": "80000", "customer": {"age": 72},
    "payee": {"kind": "person", "first_time": true}, "purpose": "转入安全账户配合公安清查资金",
    "observations": ["on_phone"]}"#;
const RELATIVE_300_YUAN: &str = r#"{"id": "fx-relative", "amount": "300", "customer": {"age": 45},
    "payee": {"name": "王芳", "kind": "person", "first_time": false}, "purpose": "给妈妈生活费",
    "interview": {"knows_payee": true, "purpose": "给妈妈生活费"}}"#;
const PENSION: &str = r#"{"id": "fx-pension", "amount": "2000", "kind": "cash_withdrawal",
    "customer": {"age": 70, "usual_amount": "2000"}, "purpose": "取养老金"}"#;

fn op(json: &str) -> Operation {
    Operation::from_json(json).unwrap_or_else(|e| panic!("fixture does not parse: {e}"))
}

/// Panics unless the engine gives the expected verdicts; returns the workload.
fn verified(engine: &Engine, n: usize) -> Vec<Operation> {
    let a = engine.assess(&op(SAFE_ACCOUNT_DEMAND));
    assert_eq!(a.action, Action::Stop, "safe-account demand: {}", a.to_json());
    assert!(a.fired("safe_account.demand"), "safe_account.demand did not fire: {}", a.to_json());
    assert_eq!(a.top_typology(), Some("safe_account"));
    let a = engine.assess(&op(RELATIVE_300_YUAN));
    assert!(a.action <= Action::Confirm, "300 yuan to a known relative: {}", a.to_json());
    let a = engine.assess(&op(PENSION));
    assert!(a.matches.is_empty() && a.action == Action::Proceed, "routine pension withdrawal: {}", a.to_json());

    let ops = workload::generate(n, SEED);
    assert_eq!(ops.len(), n, "the workload generator lost operations");
    let matching = ops.iter().filter(|o| !engine.assess(o).matches.is_empty()).count();
    let percent = matching as f64 * 100.0 / n as f64;
    assert!((3.0..=15.0).contains(&percent), "{matching} of {n} workload operations match ({percent:.1}%)");
    ops
}

fn assess(c: &mut Criterion) {
    let engine = Engine::embedded().expect("the embedded pack compiles");
    let ops = verified(&engine, BATCH * 10);
    let mut group = c.benchmark_group("assess");

    group.throughput(Throughput::Elements(1));
    let fixture = op(SAFE_ACCOUNT_DEMAND);
    let mut out = Assessment::default();
    group.bench_function("one/safe_account_demand", |b| {
        b.iter(|| {
            engine.assess_into(black_box(&fixture), Lang::Zh, &mut out);
            black_box(out.action)
        })
    });
    let fixture = op(RELATIVE_300_YUAN);
    group.bench_function("one/relative_300_yuan", |b| {
        b.iter(|| {
            engine.assess_into(black_box(&fixture), Lang::Zh, &mut out);
            black_box(out.action)
        })
    });

    group.throughput(Throughput::Elements(BATCH as u64));
    let mut chunks = ops.chunks(BATCH).cycle();
    group.bench_function("batch_1000/workload", |b| {
        b.iter(|| {
            let chunk = chunks.next().unwrap_or(&[]);
            let mut stops = 0usize;
            for o in chunk {
                engine.assess_into(o, Lang::Zh, &mut out);
                stops += usize::from(out.action == Action::Stop);
            }
            black_box(stops)
        })
    });

    // Two threads share one engine; each assesses its own half of a batch of
    // 2 × 1,000 operations per iteration.
    group.throughput(Throughput::Elements(2 * BATCH as u64));
    let (left, right) = ops.split_at(ops.len() / 2);
    group.bench_function("threads_2/workload", |b| {
        b.iter_custom(|iters| {
            let start = std::time::Instant::now();
            std::thread::scope(|scope| {
                for half in [left, right] {
                    let engine = &engine;
                    scope.spawn(move || {
                        let mut out = Assessment::default();
                        let mut chunks = half.chunks(BATCH).cycle();
                        for _ in 0..iters {
                            for o in chunks.next().unwrap_or(&[]) {
                                engine.assess_into(o, Lang::Zh, &mut out);
                            }
                            black_box(out.action);
                        }
                    });
                }
            });
            start.elapsed()
        })
    });
    group.finish();
}

criterion_group!(benches, assess);
criterion_main!(benches);
