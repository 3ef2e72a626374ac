//! Backtesting a pack over labelled operations: does it name each scam and
//! act strongly enough, and does it leave ordinary operations alone?
//!
//! A labelled line is `{"expect": {...}, "note": "...", "operation": {...}}`
//! where `expect` is `{"typology": "<id>", "min_action": "<action>"}` for a
//! scam or `{"typology": null, "max_action": "<action>"}` for a benign one.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;

use crate::assessment::Action;
use crate::engine::Engine;
use crate::operation::{InputError, Operation};

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExpectDef {
    typology: Option<String>,
    #[serde(default)]
    min_action: Option<Action>,
    #[serde(default)]
    max_action: Option<Action>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LineDef {
    expect: ExpectDef,
    #[serde(default)]
    note: String,
    operation: serde_json::Value,
}

/// One labelled operation.
#[derive(Clone, Debug)]
pub struct LabelledCase {
    /// The expected typology; `None` for a benign operation.
    pub typology: Option<String>,
    /// The weakest acceptable action for a scam (default `confirm`).
    pub min_action: Action,
    /// The strongest acceptable action for a benign operation (default `confirm`).
    pub max_action: Action,
    /// A human description.
    pub note: String,
    /// The operation.
    pub operation: Operation,
}

impl LabelledCase {
    /// Parse one labelled JSON line.
    pub fn from_json(line: &str) -> Result<LabelledCase, InputError> {
        let def: LineDef =
            serde_json::from_str(line).map_err(|e| InputError::new(None, format!("labelled case: {e}")))?;
        let json = serde_json::to_string(&def.operation).map_err(|e| InputError::new(None, e.to_string()))?;
        let operation = Operation::from_json(&json)?;
        Ok(LabelledCase {
            typology: def.expect.typology,
            min_action: def.expect.min_action.unwrap_or(Action::Confirm),
            max_action: def.expect.max_action.unwrap_or(Action::Confirm),
            note: def.note,
            operation,
        })
    }
}

/// A case the pack got wrong.
#[derive(Clone, Debug)]
pub struct Miss {
    /// The operation id.
    pub id: String,
    /// The expected typology (`None`: benign).
    pub expected: Option<String>,
    /// What the pack said: top typology and action.
    pub got_typology: Option<String>,
    /// The action the pack chose.
    pub got_action: Action,
    /// The rules that fired.
    pub fired: Vec<String>,
}

/// Recall per typology and the false-positive rate.
#[derive(Clone, Debug, Default)]
pub struct BacktestReport {
    /// Per typology: (named correctly with a strong enough action, total).
    pub recall: BTreeMap<String, (usize, usize)>,
    /// Benign operations seen.
    pub benign: usize,
    /// Scams missed and benign operations over-actioned.
    pub misses: Vec<Miss>,
}

impl BacktestReport {
    /// Scams caught and scams seen.
    pub fn scams(&self) -> (usize, usize) {
        self.recall.values().fold((0, 0), |(p, t), (p2, t2)| (p + p2, t + t2))
    }

    /// Overall recall in percent.
    pub fn recall_percent(&self) -> f64 {
        let (p, t) = self.scams();
        if t == 0 {
            100.0
        } else {
            100.0 * p as f64 / t as f64
        }
    }

    /// Benign operations over their `max_action`.
    pub fn false_positives(&self) -> usize {
        self.misses.iter().filter(|m| m.expected.is_none()).count()
    }

    /// False positives in percent of benign operations.
    pub fn false_positive_percent(&self) -> f64 {
        if self.benign == 0 {
            0.0
        } else {
            100.0 * self.false_positives() as f64 / self.benign as f64
        }
    }
}

impl fmt::Display for BacktestReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{:<26} {:>9} {:>7}", "typology", "caught", "recall")?;
        for (typology, (p, t)) in &self.recall {
            writeln!(f, "{typology:<26} {:>9} {:>6.1}%", format!("{p}/{t}"), 100.0 * *p as f64 / (*t).max(1) as f64)?;
        }
        let (p, t) = self.scams();
        writeln!(f, "{:<26} {:>9} {:>6.1}%", "all scams", format!("{p}/{t}"), self.recall_percent())?;
        write!(
            f,
            "{:<26} {:>9} {:>6.1}%",
            "false positives",
            format!("{}/{}", self.false_positives(), self.benign),
            self.false_positive_percent()
        )
    }
}

/// Assess every case and tally the results.
pub fn backtest<'c>(engine: &Engine, cases: impl IntoIterator<Item = &'c LabelledCase>) -> BacktestReport {
    let mut report = BacktestReport::default();
    for case in cases {
        let a = engine.assess(&case.operation);
        let top = a.top_typology();
        let ok = match &case.typology {
            Some(want) => {
                let entry = report.recall.entry(want.clone()).or_default();
                entry.1 += 1;
                let ok = top == Some(want.as_str()) && a.action >= case.min_action;
                entry.0 += usize::from(ok);
                ok
            }
            None => {
                report.benign += 1;
                a.action <= case.max_action
            }
        };
        if !ok {
            report.misses.push(Miss {
                id: case.operation.id.clone(),
                expected: case.typology.clone(),
                got_typology: top.map(str::to_string),
                got_action: a.action,
                fired: a.matches.iter().map(|m| m.rule.to_string()).collect(),
            });
        }
    }
    report
}
