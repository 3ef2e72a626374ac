//! The output of the contract: an assessment, and its level and action ladders.

use serde::{Deserialize, Serialize};

use crate::operation::Question;

/// The overall risk level, from the pack's score thresholds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// No rule fired.
    #[default]
    None,
    /// Weak signals.
    Low,
    /// Signals that warrant a signed confirmation.
    Medium,
    /// Strong scam signs.
    High,
    /// A near-certain scam.
    Critical,
}

impl Level {
    /// Every level, weakest first.
    pub const ALL: [Level; 5] = [Level::None, Level::Low, Level::Medium, Level::High, Level::Critical];

    /// The contract's name of the level.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::None => "none",
            Level::Low => "low",
            Level::Medium => "medium",
            Level::High => "high",
            Level::Critical => "critical",
        }
    }
}

/// What the teller must do next, weakest first. The assessment's action is
/// the strongest that applies.
///
/// Deliberately not `#[non_exhaustive]`: an integration must fail to compile
/// when a new action appears, rather than treat it as "proceed".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Execute the operation.
    #[default]
    Proceed,
    /// Required counter questions are unanswered: ask them first.
    Ask,
    /// Read the risk warning and get the customer's signed confirmation first.
    Confirm,
    /// Strong scam signs: stop, involve a supervisor and the anti-fraud hotline or police.
    Escalate,
    /// Do not execute.
    Stop,
}

impl Action {
    /// Every action, weakest first.
    pub const ALL: [Action; 5] = [Action::Proceed, Action::Ask, Action::Confirm, Action::Escalate, Action::Stop];

    /// The contract's name of the action.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Proceed => "proceed",
            Action::Ask => "ask",
            Action::Confirm => "confirm",
            Action::Escalate => "escalate",
            Action::Stop => "stop",
        }
    }

    /// Parse the contract's name of an action.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

/// The language of warnings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    /// Chinese (the default).
    #[default]
    Zh,
    /// English.
    En,
}

/// The result of assessing one operation.
///
/// Names and texts borrow from the [`Engine`](crate::Engine) that produced
/// it; only the echoed id and the quoted evidence are owned. It serializes
/// exactly to the contract's JSON.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Assessment<'e> {
    /// The input's id.
    pub id: String,
    /// Overall risk, 0..=100.
    pub score: u8,
    /// Overall level.
    pub level: Level,
    /// What the teller must do next.
    pub action: Action,
    /// Scam patterns that matched, highest score first.
    pub typologies: Vec<TypologyScore<'e>>,
    /// Every rule that fired, in pack order.
    pub matches: Vec<Match<'e>>,
    /// The counter procedure for this operation.
    pub procedure: Procedure,
    /// What the teller reads to the customer and sees on screen.
    pub warnings: Vec<Warning<'e>>,
    /// Identifies the pack: name, version and content hash.
    pub rules_version: &'e str,
    /// Buffers of earlier assessments, reused by `Engine::assess_into`.
    #[serde(skip)]
    pub(crate) recycled: Recycled<'e>,
}

/// The lists and strings of an assessment's typologies, matches and
/// warnings, kept when they are cleared so that the next assessment into the
/// same value reuses them instead of allocating. Invisible: it compares
/// equal, clones empty and does not serialize.
#[derive(Default)]
pub(crate) struct Recycled<'e> {
    evidence: Pool<Evidence<'e>>,
    rule_lists: Pool<&'e str>,
    /// The quoted words' strings, as their bytes.
    strings: Pool<u8>,
}

impl<'e> Recycled<'e> {
    pub(crate) fn evidence_list(&mut self) -> Vec<Evidence<'e>> {
        self.evidence.take()
    }

    pub(crate) fn rule_list(&mut self) -> Vec<&'e str> {
        self.rule_lists.take()
    }

    pub(crate) fn string(&mut self) -> String {
        // The pool's buffers are empty, and so valid UTF-8.
        String::from_utf8(self.strings.take()).unwrap_or_default()
    }
}

/// Free lists of one kind, every one at least as large as the largest any
/// of them has grown to. Which list a result takes depends on the results
/// before it, so without that floor a long quote could land in a short
/// list and allocate even on inputs seen before; with it, only a longer
/// quote (or more of them) than ever before allocates.
struct Pool<T> {
    free: Vec<Vec<T>>,
    /// The largest capacity any returned list had.
    high: usize,
}

impl<T> Default for Pool<T> {
    fn default() -> Self {
        Pool { free: Vec::new(), high: 0 }
    }
}

impl<T> Pool<T> {
    fn take(&mut self) -> Vec<T> {
        self.free.pop().unwrap_or_default()
    }

    /// Empty `list` and keep it, raising it (or, when it is the largest
    /// yet, every free list) to the common floor. A list that never held
    /// anything costs nothing to make again and is not kept.
    fn put(&mut self, mut list: Vec<T>) {
        list.clear();
        let capacity = list.capacity();
        if capacity == 0 {
            return;
        }
        if capacity != self.high {
            self.level(&mut list);
        }
        self.free.push(list);
    }

    /// Raise `list` to the floor, or the floor and every free list to
    /// `list`: rare once results stop growing.
    #[cold]
    fn level(&mut self, list: &mut Vec<T>) {
        let capacity = list.capacity();
        if capacity > self.high {
            self.high = capacity;
            for free in &mut self.free {
                free.reserve_exact(capacity);
            }
        } else {
            list.reserve_exact(self.high);
        }
    }
}

impl Clone for Recycled<'_> {
    fn clone(&self) -> Self {
        Recycled::default()
    }
}

impl PartialEq for Recycled<'_> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl Eq for Recycled<'_> {}

impl std::fmt::Debug for Recycled<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Recycled")
    }
}

impl<'e> Assessment<'e> {
    /// Empty the typologies, matches and warnings, keeping their buffers.
    pub(crate) fn recycle(&mut self) {
        let recycled = &mut self.recycled;
        for typology in self.typologies.drain(..) {
            recycled.rule_lists.put(typology.rules);
        }
        for warning in self.warnings.drain(..) {
            recycled.rule_lists.put(warning.rules);
        }
        for m in self.matches.drain(..) {
            let mut evidence = m.evidence;
            for e in evidence.drain(..) {
                if let Evidence::Text { text, .. } = e {
                    recycled.strings.put(text.into_bytes());
                }
            }
            recycled.evidence.put(evidence);
        }
    }

    /// The highest-scoring typology, if any rule of a typology fired.
    pub fn top_typology(&self) -> Option<&str> {
        self.typologies.first().map(|t| t.typology)
    }

    /// Whether the rule with this id fired.
    pub fn fired(&self, rule: &str) -> bool {
        self.matches.iter().any(|m| m.rule == rule)
    }

    /// The assessment as one line of the contract's JSON (what `serde_json`
    /// makes of it, written faster).
    pub fn to_json(&self) -> String {
        let mut out = String::with_capacity(1024);
        self.write_json(&mut out);
        out
    }

    /// Append the assessment as one line of the contract's JSON, without a
    /// newline, to `out`: for writing many lines through one buffer.
    ///
    /// ```
    /// let engine = tellerguard::Engine::embedded().unwrap();
    /// let op = tellerguard::Operation::from_json(r#"{"id": "T-9", "amount": "100"}"#).unwrap();
    /// let mut line = String::new();
    /// engine.assess(&op).write_json(&mut line);
    /// assert!(line.starts_with(r#"{"id":"T-9","score":0,"#));
    /// ```
    pub fn write_json(&self, out: &mut String) {
        crate::assessment_json::write(self, out);
    }
}

/// A typology that matched, with its score and the rules that fired for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TypologyScore<'e> {
    /// The typology id, such as `safe_account`.
    pub typology: &'e str,
    /// Its score, 0..=100.
    pub score: u8,
    /// The ids of the rules that fired for it.
    pub rules: Vec<&'e str>,
    /// The unrounded complement of the score, in millionths: ranks typologies.
    #[serde(skip)]
    pub(crate) remaining: u64,
}

/// One rule that fired and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Match<'e> {
    /// The rule id.
    pub rule: &'e str,
    /// The typology the rule belongs to; `null` for general signals.
    pub typology: Option<&'e str>,
    /// The rule's weight, 1..=100.
    pub weight: u8,
    /// What made it fire.
    pub evidence: Vec<Evidence<'e>>,
}

/// One piece of evidence for a fired rule.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Evidence<'e> {
    /// A phrase found in a text field.
    Text {
        /// The field, such as `purpose` or `interview.purpose`.
        field: &'static str,
        /// The phrase set that matched.
        phrases: &'e str,
        /// The matched words as written in the original text.
        text: String,
        /// Character offset of the match in the original field.
        start: usize,
        /// Character offset just past the match.
        end: usize,
    },
    /// A condition on the operation's fields that held.
    Condition {
        /// The condition, as written in the rule.
        condition: &'e str,
    },
}

/// The counter procedure required for this operation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Procedure {
    /// The questions the procedure demands, in listing order.
    pub required: Vec<Question>,
    /// Those not yet answered.
    pub missing: Vec<Question>,
    /// Whether the signed risk confirmation is required.
    pub confirmation_required: bool,
    /// Whether it is required and not yet complete.
    pub confirmation_missing: bool,
}

/// A message for the teller and the customer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Warning<'e> {
    /// A stable code, such as `W_SAFE_ACCOUNT`.
    pub code: &'e str,
    /// The text, in the requested language.
    pub message: &'e str,
    /// The rules behind this warning (empty for procedure messages).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<&'e str>,
}
