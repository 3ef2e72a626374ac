//! The labelled corpus in `tests/corpus/`: scams must be named (top typology)
//! with an action at least as strong as labelled, and benign operations must
//! never be escalated or stopped. Prints per-typology recall and the false
//! positive rate; fails below 95% recall or above 2% false positives.

use std::collections::BTreeMap;

use serde::Deserialize;
use tellerguard::{Action, Engine, Operation};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    typology: Option<String>,
    #[serde(default)]
    min_action: Option<Action>,
    #[serde(default)]
    max_action: Option<Action>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Labelled {
    expect: Expect,
    #[allow(dead_code)]
    note: String,
    operation: serde_json::Value,
}

struct Case {
    expect: Expect,
    operation: Operation,
}

fn load(file: &str) -> Vec<Case> {
    let path = format!("{}/tests/corpus/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            let labelled: Labelled = serde_json::from_str(line).unwrap_or_else(|e| panic!("{file}:{}: {e}", i + 1));
            let json = serde_json::to_string(&labelled.operation).unwrap();
            let operation = Operation::from_json(&json).unwrap_or_else(|e| panic!("{file}:{}: {e}", i + 1));
            Case { expect: labelled.expect, operation }
        })
        .collect()
}

/// Per-typology (passed, total) for scams, and the ids of false positives.
pub(crate) fn evaluate(engine: &Engine, verbose: bool) -> (BTreeMap<String, (usize, usize)>, usize, Vec<String>) {
    let mut per_typology: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for case in load("scams.jsonl") {
        let want = case.expect.typology.clone().unwrap();
        let a = engine.assess(&case.operation);
        let min = case.expect.min_action.unwrap_or(Action::Confirm);
        let ok = a.top_typology() == Some(want.as_str()) && a.action >= min;
        let entry = per_typology.entry(want.clone()).or_default();
        entry.1 += 1;
        if ok {
            entry.0 += 1;
        } else if verbose {
            let fired: Vec<&str> = a.matches.iter().map(|m| m.rule).collect();
            eprintln!(
                "MISS {} want {want}/{} got {}/{} fired [{}]",
                case.operation.id,
                min.as_str(),
                a.top_typology().unwrap_or("-"),
                a.action.as_str(),
                fired.join(", ")
            );
        }
    }
    let benign = load("benign.jsonl");
    let mut false_positives = Vec::new();
    for case in &benign {
        let a = engine.assess(&case.operation);
        let max = case.expect.max_action.unwrap_or(Action::Confirm);
        if a.action > max {
            if verbose {
                let fired: Vec<&str> = a.matches.iter().map(|m| m.rule).collect();
                eprintln!("FALSE POSITIVE {} got {} fired [{}]", case.operation.id, a.action.as_str(), fired.join(", "));
            }
            false_positives.push(case.operation.id.clone());
        }
    }
    (per_typology, benign.len(), false_positives)
}

#[test]
fn corpus_recall_and_false_positive_rate() {
    let engine = Engine::embedded().unwrap();
    let verbose = std::env::var_os("TELLERGUARD_CORPUS_VERBOSE").is_some();
    let (per_typology, benign, false_positives) = evaluate(&engine, verbose);
    let (mut passed, mut total) = (0, 0);
    println!("typology                   recall");
    for (typology, (p, t)) in &per_typology {
        println!("{typology:<26} {p:>3}/{t:<3} {:>5.1}%", 100.0 * *p as f64 / *t as f64);
        passed += p;
        total += t;
    }
    let recall = 100.0 * passed as f64 / total as f64;
    let fp_rate = 100.0 * false_positives.len() as f64 / benign as f64;
    println!("overall recall             {passed}/{total} {recall:.1}%");
    println!("false positives            {}/{benign} {fp_rate:.1}% {:?}", false_positives.len(), false_positives);
    assert!(total >= 180 && benign >= 120, "the corpus is too small");
    assert!(recall >= 95.0, "recall {recall:.1}% is below 95%");
    assert!(fp_rate <= 2.0, "false positive rate {fp_rate:.1}% is above 2%");
}
