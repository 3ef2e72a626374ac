//! The labelled corpus in `tests/corpus/`: scams must be named (top typology)
//! with an action at least as strong as labelled, and benign operations must
//! never be escalated or stopped. Prints per-typology recall and the false
//! positive rate; fails below 95% recall or above 2% false positives.
//! Every `*.jsonl` file of the folder is read. `TELLERGUARD_CORPUS_VERBOSE=1`
//! lists every miss.

use tellerguard::backtest::{backtest, LabelledCase};
use tellerguard::Engine;

fn load(file: &str) -> Vec<LabelledCase> {
    let path = format!("{}/tests/corpus/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap();
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| LabelledCase::from_json(line).unwrap_or_else(|e| panic!("{file}:{}: {e}", i + 1)))
        .collect()
}

#[test]
fn corpus_recall_and_false_positive_rate() {
    let engine = Engine::embedded().unwrap();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/corpus");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".jsonl"))
        .collect();
    files.sort();
    let cases: Vec<LabelledCase> = files.iter().flat_map(|f| load(f)).collect();
    let report = backtest(&engine, &cases);
    println!("{report}");
    if std::env::var_os("TELLERGUARD_CORPUS_VERBOSE").is_some() {
        for m in &report.misses {
            println!(
                "miss {} expected {:?} got {:?}/{} fired {:?}",
                m.id,
                m.expected,
                m.got_typology,
                m.got_action.as_str(),
                m.fired
            );
        }
    }
    let (_, scams) = report.scams();
    assert!(scams >= 300 && report.benign >= 300, "the corpus is too small");
    assert!(report.recall_percent() >= 95.0, "recall {:.1}% is below 95%", report.recall_percent());
    assert!(report.false_positive_percent() <= 2.0, "false positives {:.1}% above 2%", report.false_positive_percent());
}
