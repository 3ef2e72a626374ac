//! Compiling rule packs: the embedded default pack, and the default pack
//! plus a generated typology file that brings it to well over 600 phrases.
//! Each bench checks the compiled engine before timing.
//!
//! Run with `cargo bench --bench compile`.

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

use std::fmt::Write as _;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tellerguard::{Action, Engine, Operation, PackSource};

/// Phrases in the generated typology file.
const SYNTHETIC_PHRASES: usize = 800;
/// Phrase sets (and rules) it spreads them over.
const SYNTHETIC_SETS: usize = 20;

const SYLLABLES: [&str; 16] =
    ["代", "办", "刷", "单", "返", "现", "解", "冻", "押", "金", "激", "活", "快", "速", "贷", "款"];

/// A typology file of `SYNTHETIC_PHRASES` distinct phrases in Chinese and
/// English, `SYNTHETIC_SETS` sets and one rule per set, with one test case.
fn synthetic_typology() -> String {
    let mut t =
        String::from("[typology]\nid = \"synthetic\"\nname = { zh = \"合成\", en = \"Synthetic\" }\n\n[phrases]\n");
    let per_set = SYNTHETIC_PHRASES / SYNTHETIC_SETS;
    for set in 0..SYNTHETIC_SETS {
        let _ = write!(t, "syn_{set} = [");
        for i in 0..per_set {
            let n = set * per_set + i;
            if n % 2 == 0 {
                let word: String = (0..4).map(|k| SYLLABLES[(n >> (4 * k)) % 16]).collect();
                let _ = write!(t, "\"{word}{n}号\", ");
            } else {
                let _ = write!(t, "\"synthetic offer {n}\", ");
            }
        }
        t.push_str("]\n");
    }
    t.push_str("\n[warnings.W_SYNTHETIC]\nzh = \"合成警告\"\nen = \"synthetic warning\"\n");
    for set in 0..SYNTHETIC_SETS {
        let _ = write!(
            t,
            "\n[[rule]]\nid = \"synthetic.r{set}\"\nweight = 40\nwhen = \"text ~ syn_{set} and payee.own_account != true\"\naction = \"escalate\"\nwarning = \"W_SYNTHETIC\"\n"
        );
    }
    t
}

fn check(engine: &Engine) {
    let op = Operation::from_json(
        r#"{"id": "fx", "amount": "80000", "payee": {"kind": "person", "first_time": true},
            "purpose": "转入安全账户配合公安清查资金"}"#,
    )
    .unwrap();
    let a = engine.assess(&op);
    assert!(a.action == Action::Stop && a.fired("safe_account.demand"), "{}", a.to_json());
}

fn compile(c: &mut Criterion) {
    let default = PackSource::embedded();
    let mut synthetic = PackSource::embedded();
    let extra = synthetic_typology();
    synthetic.set_file("synthetic.toml", extra.as_str());

    check(&Engine::new(&default).expect("the default pack compiles"));
    let engine = Engine::new(&synthetic).unwrap_or_else(|e| panic!("the synthetic pack does not compile: {e}"));
    check(&engine);
    let op =
        Operation::from_json(r#"{"id": "fx2", "amount": "5000", "purpose": "see synthetic offer 41 here"}"#).unwrap();
    let a = engine.assess(&op);
    assert!(a.fired("synthetic.r1") && a.action == Action::Escalate, "{}", a.to_json());

    let bytes = |p: &PackSource| p.file_names().filter_map(|n| p.file(n)).map(str::len).sum::<usize>() as u64;
    let mut group = c.benchmark_group("compile");
    group.sample_size(30);
    group.throughput(Throughput::Bytes(bytes(&default)));
    // Dropping the engine is not part of compiling it.
    group.bench_function("default_pack", |b| b.iter_with_large_drop(|| Engine::new(black_box(&default))));
    group.throughput(Throughput::Bytes(bytes(&synthetic)));
    group.bench_function("default_plus_800_phrases", |b| b.iter_with_large_drop(|| Engine::new(black_box(&synthetic))));
    group.finish();
}

criterion_group!(benches, compile);
criterion_main!(benches);
