//! Running the test cases a pack carries, as rule authors do before an
//! update reaches a counter (`tellerguard test`, and `cargo test` for the
//! default pack).

use std::fmt;

use crate::assessment::Assessment;
use crate::engine::{Engine, PackTests};
use crate::error::Location;

/// The outcome of one test case.
#[derive(Clone, Debug)]
pub struct CaseOutcome {
    /// The case's name.
    pub name: String,
    /// Where the case is defined.
    pub location: Location,
    /// What did not hold; empty when the case passed.
    pub failures: Vec<String>,
}

/// The outcome of all of a pack's test cases.
#[derive(Clone, Debug, Default)]
pub struct TestReport {
    /// One entry per case, in file order.
    pub outcomes: Vec<CaseOutcome>,
}

impl TestReport {
    /// How many cases passed.
    pub fn passed(&self) -> usize {
        self.outcomes.iter().filter(|o| o.failures.is_empty()).count()
    }

    /// How many cases failed.
    pub fn failed(&self) -> usize {
        self.outcomes.len() - self.passed()
    }
}

impl fmt::Display for TestReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for o in self.outcomes.iter().filter(|o| !o.failures.is_empty()) {
            writeln!(f, "FAIL {} ({})", o.name, o.location)?;
            for failure in &o.failures {
                writeln!(f, "     {failure}")?;
            }
        }
        write!(f, "{} passed, {} failed", self.passed(), self.failed())
    }
}

impl PackTests {
    /// How many cases the pack carries.
    pub fn len(&self) -> usize {
        self.cases.len()
    }

    /// Whether the pack carries no cases.
    pub fn is_empty(&self) -> bool {
        self.cases.is_empty()
    }

    /// Run every case against `engine` (compiled from the same pack).
    pub fn run(&self, engine: &Engine) -> TestReport {
        let outcomes = self
            .cases
            .iter()
            .map(|case| {
                let a = engine.assess(&case.operation);
                CaseOutcome { name: case.name.clone(), location: case.location.clone(), failures: check(case, &a) }
            })
            .collect();
        TestReport { outcomes }
    }
}

fn summary(a: &Assessment<'_>) -> String {
    let fired: Vec<&str> = a.matches.iter().map(|m| m.rule).collect();
    format!(
        "got action `{}`, top `{}`, score {}, fired [{}]",
        a.action.as_str(),
        a.top_typology().unwrap_or("none"),
        a.score,
        fired.join(", ")
    )
}

fn check(case: &crate::compile::TestCase, a: &Assessment<'_>) -> Vec<String> {
    let e = &case.expect;
    let mut failures = Vec::new();
    if e.trap {
        if let Some(t) = &e.typology {
            let fired: Vec<&str> =
                a.matches.iter().filter(|m| m.typology == Some(t.as_str())).map(|m| m.rule).collect();
            if !fired.is_empty() {
                failures.push(format!("trap: rules of `{t}` fired: {}", fired.join(", ")));
            }
        }
    }
    let want_top = e.top.as_deref().or(if e.trap { None } else { e.typology.as_deref() });
    if let Some(want) = want_top {
        let got = a.top_typology().unwrap_or("");
        if got != want {
            failures.push(format!("expected top typology `{}`", if want.is_empty() { "none" } else { want }));
        }
    }
    if let Some(min) = e.min_action {
        if a.action < min {
            failures.push(format!("expected action at least `{}`", min.as_str()));
        }
    }
    if let Some(max) = e.max_action {
        if a.action > max {
            failures.push(format!("expected action at most `{}`", max.as_str()));
        }
    }
    for rule in &e.fires {
        if !a.fired(rule) {
            failures.push(format!("expected rule `{rule}` to fire"));
        }
    }
    for rule in &e.silent {
        if a.fired(rule) {
            failures.push(format!("expected rule `{rule}` not to fire"));
        }
    }
    if !failures.is_empty() {
        failures.push(summary(a));
    }
    failures
}
