//! The compiled form of a pack: what the engine reads on the hot path.
//!
//! Nothing here is looked up by name at assessment time: phrase sets, rules,
//! typologies, warnings and questions are all indexes.

use rust_decimal::Decimal;

use crate::assessment::{Action, Level};
use crate::automaton::PhraseAutomaton;
use crate::compile::cnf::Literal;
use crate::compile::condition::Expr;
use crate::compile::gate::{Gate, NumberBits};
use crate::error::Location;
use crate::text::Normalizer;

/// What one automaton pattern means.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct PatternTarget {
    /// Where this phrase's links start in [`Program::target_links`]: first
    /// the phrase sets it belongs to, then the regexes whose required
    /// literal it is.
    pub(crate) links_at: u32,
    pub(crate) set_count: u32,
    pub(crate) regex_count: u32,
    /// The phrase is a negator (`谨防`, `not a`).
    pub(crate) negator: bool,
    /// The phrase marks a teller's note: the rest of its clause is quoted.
    pub(crate) disclaimer: bool,
    /// The phrase names what precedes it as a scam (`诈骗`, "scam").
    pub(crate) post_negator: bool,
    /// The phrase answers "no" (`不是`, `无`, "no") when a question mark
    /// comes right before it: the phrase before the question is denied.
    pub(crate) answer: bool,
    /// The phrase starts / ends with an ASCII letter or digit, so it needs a
    /// word boundary there.
    pub(crate) word_start: bool,
    pub(crate) word_end: bool,
}

/// A regex phrase set.
#[derive(Clone, Debug)]
pub(crate) struct CompiledRegex {
    pub(crate) set: u32,
    pub(crate) regex: regex_automata::meta::Regex,
    /// Where its pattern is written.
    pub(crate) location: crate::error::Location,
}

/// A rule, ready to evaluate.
#[derive(Clone, Debug)]
pub(crate) struct CompiledRule {
    pub(crate) id: Box<str>,
    pub(crate) typology: Option<u16>,
    pub(crate) weight: u8,
    pub(crate) condition: Box<str>,
    /// The parsed condition, which explains a match.
    pub(crate) expr: Expr,
    /// The same condition flattened for evaluation (`None`: too large).
    pub(crate) flat: Option<Box<[Literal]>>,
    /// Bits of the operation's facts the condition needs set and clear.
    pub(crate) gate: Gate,
    /// The clauses of `flat` that `gate` does not decide.
    pub(crate) rest: Box<[Literal]>,
    /// The lazily scanned text fields the condition reads.
    pub(crate) lazy_fields: u8,
    pub(crate) floor: Action,
    /// Bit `q` set: question `Question::ALL[q]` becomes required.
    pub(crate) ask: u16,
    pub(crate) warning: Option<u16>,
    pub(crate) location: Location,
}

/// A procedure tier.
#[derive(Clone, Debug)]
pub(crate) struct CompiledTier {
    pub(crate) id: Box<str>,
    pub(crate) expr: Expr,
    pub(crate) flat: Option<Box<[Literal]>>,
    pub(crate) gate: Gate,
    pub(crate) rest: Box<[Literal]>,
    pub(crate) ask: u16,
    pub(crate) confirm: bool,
}

/// A typology's names.
#[derive(Clone, Debug)]
pub(crate) struct TypologyInfo {
    pub(crate) id: Box<str>,
    pub(crate) name_zh: Box<str>,
    pub(crate) name_en: Box<str>,
}

/// A warning text in both languages.
#[derive(Clone, Debug)]
pub(crate) struct WarningText {
    pub(crate) code: Box<str>,
    pub(crate) zh: Box<str>,
    pub(crate) en: Box<str>,
}

/// Everything the engine needs.
#[derive(Clone, Debug)]
pub(crate) struct Program {
    pub(crate) version: Box<str>,
    pub(crate) normalizer: Normalizer,
    pub(crate) automaton: Option<PhraseAutomaton>,
    pub(crate) targets: Vec<PatternTarget>,
    /// Every pattern's phrase sets and regexes, end to end (see
    /// [`PatternTarget::links_at`]).
    pub(crate) target_links: Vec<u32>,
    pub(crate) negation_window: u32,
    pub(crate) set_names: Vec<Box<str>>,
    pub(crate) regexes: Vec<CompiledRegex>,
    /// The regexes without a required literal, which run on every field.
    pub(crate) always_regexes: Vec<u32>,
    pub(crate) rules: Vec<CompiledRule>,
    pub(crate) tiers: Vec<CompiledTier>,
    pub(crate) typologies: Vec<TypologyInfo>,
    pub(crate) warnings: Vec<WarningText>,
    pub(crate) ask_message: WarningText,
    pub(crate) confirm_message: WarningText,
    pub(crate) escalate_message: WarningText,
    pub(crate) stop_message: WarningText,
    /// For each signal, the rules it may trigger (see `trigger`).
    pub(crate) signal_rules: Vec<Vec<u32>>,
    /// Rules without a cheap necessary signal: evaluated every time.
    pub(crate) always_rules: Vec<u64>,
    /// Per procedure tier, the signals of which one must be present for it
    /// to hold (`None`: evaluated every time).
    pub(crate) tier_signals: Vec<Option<Box<[u32]>>>,
    /// The text fields some condition reads (bit per `TEXT_FIELDS` entry):
    /// the others are never normalized or scanned.
    pub(crate) scan_fields: u8,
    /// The fields among those that are scanned only when a rule or tier
    /// about to be evaluated reads them (only negated atoms read them).
    pub(crate) lazy_fields: u8,
    /// The lazy fields some procedure tier reads.
    pub(crate) tier_lazy_fields: u8,
    /// Bit per rule: the rule reads a lazy field.
    pub(crate) lazy_rules: Vec<u64>,
    /// Lowest score of `low`, `medium`, `high`, `critical`.
    pub(crate) level_floors: [u8; 4],
    /// What `low`, `medium`, `high`, `critical` demand.
    pub(crate) level_actions: [Action; 4],
    /// CNY per unit of a currency.
    pub(crate) fx: Vec<([u8; 3], Decimal)>,
    /// The number thresholds that gates test.
    pub(crate) number_bits: NumberBits,
}

impl Program {
    /// The phrase sets `target` belongs to.
    #[inline]
    pub(crate) fn target_sets(&self, target: &PatternTarget) -> &[u32] {
        let at = target.links_at as usize;
        self.target_links.get(at..at + target.set_count as usize).unwrap_or(&[])
    }

    /// The regexes whose required literal `target` is.
    #[inline]
    pub(crate) fn target_regexes(&self, target: &PatternTarget) -> &[u32] {
        let at = target.links_at as usize + target.set_count as usize;
        self.target_links.get(at..at + target.regex_count as usize).unwrap_or(&[])
    }

    pub(crate) fn level_for(&self, score: u8) -> Level {
        let mut level = Level::None;
        for (floor, candidate) in
            self.level_floors.iter().zip([Level::Low, Level::Medium, Level::High, Level::Critical])
        {
            if score >= *floor {
                level = candidate;
            }
        }
        level
    }

    pub(crate) fn level_action(&self, level: Level) -> Action {
        match level {
            Level::None => Action::Proceed,
            Level::Low => self.level_actions[0],
            Level::Medium => self.level_actions[1],
            Level::High => self.level_actions[2],
            Level::Critical => self.level_actions[3],
        }
    }

    /// The number of signals: phrase sets, observations, flags true, flags false.
    pub(crate) fn signal_count(&self) -> usize {
        self.set_names.len() + crate::compile::trigger::FIXED_SIGNALS
    }
}
