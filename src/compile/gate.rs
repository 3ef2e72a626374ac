//! A two-mask test that rejects most conditions before they are evaluated.
//!
//! Every operation sets bits in one word of *facts*: which yes/no fields
//! are known true and which known false, which observations were made, and
//! the values of `kind`, `channel`, `payee.kind` and (for procedure tiers)
//! `level`, whether anything was observed at all and whether the currency is
//! CNY. A condition whose flat form has a single-literal clause on one of
//! these can only be true when some bits are set and others clear, which two
//! `and`s test. The masks are necessary, not sufficient: a condition that
//! passes is then evaluated in full.
//!
//! A second word records numbers against the thresholds that single-literal
//! clauses compare them with most ([`NumberBits`]): per number field a bit
//! "known", then a bit "at least t" per threshold `t`. So `amount >= 10000`
//! or `customer.age < 60` is decided by the same two masks.

use crate::compile::cnf::Literal;
use crate::compile::condition::{Atom, EnumField, Known, NumField, FLAG_FIELDS, SCALE, UNKNOWN_NUMBER};
use crate::operation::Observation;

const FLAG_TRUE: u32 = 0;
const FLAG_FALSE: u32 = 16;
const OBSERVED: u32 = 32;
const KIND: u32 = 48;
const CHANNEL: u32 = 51;
const PAYEE_KIND: u32 = 55;
const LEVEL: u32 = 58;
/// Set when some observation was made (`observation_count >= 1`).
const ANY_OBSERVED: u32 = OBSERVED + 15;
/// Set when the currency is CNY.
const CNY: u32 = 63;

const _: () = assert!(FLAG_FIELDS <= 16 && Observation::ALL.len() < 16 && LEVEL + 5 <= CNY);

/// The bits of whether anything was observed and whether the currency is CNY.
pub(crate) fn summary_bits(observed: u16, currency: [u8; 3]) -> u64 {
    u64::from(observed != 0) << ANY_OBSERVED | u64::from(currency == *b"CNY") << CNY
}

/// The bit of "yes/no field `field` is known to be `value`".
pub(crate) fn flag_bit(field: usize, value: bool) -> u64 {
    1 << (if value { FLAG_TRUE } else { FLAG_FALSE } + field as u32)
}

/// The bits of the yes/no fields known true and known false.
pub(crate) fn flags_word(known_true: u16, known_false: u16) -> u64 {
    u64::from(known_true) << FLAG_TRUE | u64::from(known_false) << FLAG_FALSE
}

/// The bits of the observations made (bit `o` of `observed` for
/// observation number `o`).
pub(crate) fn observations_word(observed: u16) -> u64 {
    u64::from(observed) << OBSERVED
}

/// The bit of observation number `o`.
pub(crate) fn observed_bit(o: usize) -> u64 {
    1 << (OBSERVED + o as u32)
}

/// The bits of an enum field's values, given as a value mask (extra high
/// bits of the mask are ignored).
pub(crate) fn enum_bits(field: EnumField, mask: u8) -> u64 {
    let mask = mask & all_values(field);
    let shift = match field {
        EnumField::Kind => KIND,
        EnumField::Channel => CHANNEL,
        EnumField::PayeeKind => PAYEE_KIND,
        EnumField::Level => LEVEL,
    };
    u64::from(mask) << shift
}

/// All the values of an enum field, as a value mask.
fn all_values(field: EnumField) -> u8 {
    match field {
        EnumField::Kind | EnumField::PayeeKind => 0b111,
        EnumField::Channel => 0b1111,
        EnumField::Level => 0b1_1111,
    }
}

/// Bits that must be set and bits that must be clear for a condition to be
/// true, as the bits tested (`mask`) and the values they must have
/// (`value`), in the facts word and in the number word.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Gate {
    mask: u64,
    value: u64,
    numbers_mask: u64,
    numbers_value: u64,
}

/// The requirements of a gate as they are gathered.
#[derive(Default)]
struct Masks {
    set: u64,
    clear: u64,
    numbers_set: u64,
    numbers_clear: u64,
}

/// The mask and value testing that the bits of `set` are set and those of
/// `clear` clear; a bit required both ways gets a value outside the mask,
/// which no word matches.
fn mask_and_value(set: u64, clear: u64) -> (u64, u64) {
    let contradiction = set & clear;
    ((set | clear) & !contradiction, set)
}

impl Gate {
    /// The gate requiring the bits of `set` to be set and those of `clear`
    /// clear, in the facts word and in the number word.
    pub(crate) fn new(set: u64, clear: u64, numbers_set: u64, numbers_clear: u64) -> Gate {
        let (mask, value) = mask_and_value(set, clear);
        let (numbers_mask, numbers_value) = mask_and_value(numbers_set, numbers_clear);
        Gate { mask, value, numbers_mask, numbers_value }
    }

    /// Whether a condition with this gate may be true for the facts word
    /// `facts` and the number word `numbers`.
    #[inline]
    pub(crate) fn passes(self, facts: u64, numbers: u64) -> bool {
        ((facts & self.mask) ^ self.value) | ((numbers & self.numbers_mask) ^ self.numbers_value) == 0
    }

    /// Whether the gate tests the number word.
    #[cfg(test)]
    fn tests_numbers(self) -> bool {
        self.numbers_mask | self.numbers_value != 0
    }

    /// The gate of a flat condition and the clauses it does not decide. A
    /// literal the gate covers is true exactly when its bits are as the gate
    /// requires, so the condition is true exactly when the gate passes and
    /// the remaining clauses are true.
    pub(crate) fn split(literals: &[Literal], numbers: &NumberBits) -> (Gate, Box<[Literal]>) {
        let mut masks = Masks::default();
        let mut rest = Vec::new();
        let mut clause_start = true;
        for literal in literals {
            let covered = clause_start && literal.ends_clause && masks.add(&literal.atom, literal.negated, numbers);
            if !covered {
                rest.push(literal.clone());
            }
            clause_start = literal.ends_clause;
        }
        let gate = Gate::new(masks.set, masks.clear, masks.numbers_set, masks.numbers_clear);
        (gate, rest.into_boxed_slice())
    }
}

impl Masks {
    /// Require what makes `atom` (or its negation) true; false when the
    /// gate cannot express it.
    fn add(&mut self, atom: &Atom, negated: bool, numbers: &NumberBits) -> bool {
        match *atom {
            // "Anything observed" or "nothing observed" (the count is always known).
            Atom::Num { field: NumField::ObservationCount, .. }
                if matches!(Bounds::of(atom, negated), Some(Bounds { at_least: Some(SCALE), below: None, .. })) =>
            {
                self.set |= 1 << ANY_OBSERVED;
            }
            Atom::Num { field: NumField::ObservationCount, .. }
                if matches!(Bounds::of(atom, negated), Some(Bounds { at_least: None, below: Some(SCALE), .. })) =>
            {
                self.clear |= 1 << ANY_OBSERVED;
            }
            Atom::Currency { equal, code } if code == *b"CNY" => {
                if equal != negated {
                    self.set |= 1 << CNY;
                } else {
                    self.clear |= 1 << CNY;
                }
            }
            Atom::Num { .. } => match numbers.masks(atom, negated) {
                Some((set, clear)) => {
                    self.numbers_set |= set;
                    self.numbers_clear |= clear;
                }
                None => return false,
            },
            // True exactly when the flag is known to be `want` (negated: the
            // other value; unknown is never true).
            Atom::Flag { field, want } => self.set |= flag_bit(field as usize, want != negated),
            // "Not known to be v": the known-v bit is clear; negated, set.
            Atom::FlagIsNot { field, value } => {
                if negated {
                    self.set |= flag_bit(field as usize, value);
                } else {
                    self.clear |= flag_bit(field as usize, value);
                }
            }
            Atom::Observed(o) => {
                if negated {
                    self.clear |= observed_bit(o as usize);
                } else {
                    self.set |= observed_bit(o as usize);
                }
            }
            // Exactly one value bit of an enum is set: the others must be clear.
            Atom::Enum { field, mask } => {
                let excluded = if negated { mask } else { all_values(field) & !mask };
                self.clear |= enum_bits(field, excluded);
            }
            Atom::Known(Known::Flag(field)) if negated => {
                self.clear |= flag_bit(field as usize, true) | flag_bit(field as usize, false);
            }
            _ => return false,
        }
        true
    }
}

/// What a number literal says, when the gate can express it: the field is
/// known, at least `at_least` (when given) and below `below` (when given).
struct Bounds {
    field: NumField,
    at_least: Option<i64>,
    below: Option<i64>,
}

impl Bounds {
    fn of(atom: &Atom, negated: bool) -> Option<Bounds> {
        let Atom::Num { field, lo, hi, inside } = *atom else { return None };
        // The outcome is only known after the rules ran; its fields are
        // tested by evaluation.
        if matches!(field, NumField::Score | NumField::Fired | NumField::TypologyScore) {
            return None;
        }
        let lower = (lo > i64::MIN).then_some(lo);
        let upper = (hi < i64::MAX).then(|| hi.saturating_add(1));
        if inside != negated {
            // Inside `lo..=hi`.
            Some(Bounds { field, at_least: lower, below: upper })
        } else {
            // Outside it: one test only when the range is open on one side.
            match (lower, upper) {
                (None, Some(above)) => Some(Bounds { field, at_least: Some(above), below: None }),
                (Some(under), None) => Some(Bounds { field, at_least: None, below: Some(under) }),
                _ => None,
            }
        }
    }

    fn thresholds(&self) -> impl Iterator<Item = i64> {
        self.at_least.into_iter().chain(self.below)
    }
}

/// How many number fields get bits in the number word.
const MAX_NUMBER_FIELDS: usize = 4;

/// The number word of the gates: for each number field that single-literal
/// clauses compare, a "known" bit and, above it, a bit per threshold `t`
/// (ascending) set when the value is at least `t`. Only the few fields used
/// most get bits; a literal on another field stays with the evaluated
/// clauses.
#[derive(Clone, Debug, Default)]
pub(crate) struct NumberBits {
    fields: Vec<FieldBits>,
}

#[derive(Clone, Debug)]
struct FieldBits {
    field: NumField,
    /// The "known" bit; threshold `i` is bit `known_bit + 1 + i`.
    known_bit: u32,
    thresholds: Box<[i64]>,
}

impl NumberBits {
    /// Bits for the thresholds that single-literal clauses of `conditions`
    /// (flat forms) use most.
    pub(crate) fn new<'a>(conditions: impl IntoIterator<Item = &'a [Literal]>) -> NumberBits {
        let mut uses: Vec<((NumField, i64), usize)> = Vec::new();
        for literals in conditions {
            let mut clause_start = true;
            for literal in literals {
                if clause_start && literal.ends_clause {
                    for key in Bounds::of(&literal.atom, literal.negated)
                        .into_iter()
                        .flat_map(|b| b.thresholds().map(move |t| (b.field, t)))
                    {
                        match uses.iter_mut().find(|(k, _)| *k == key) {
                            Some((_, n)) => *n += 1,
                            None => uses.push((key, 1)),
                        }
                    }
                }
                clause_start = literal.ends_clause;
            }
        }
        // The most used fields, each with all its thresholds: every field
        // costs a step per operation, and past a few fields the steps cost
        // more than the evaluations they spare.
        let mut field_uses: Vec<(NumField, usize)> = Vec::new();
        for &((field, _), n) in &uses {
            match field_uses.iter_mut().find(|(f, _)| *f == field) {
                Some((_, total)) => *total += n,
                None => field_uses.push((field, n)),
            }
        }
        field_uses.sort_by(|(a, n), (b, m)| m.cmp(n).then((*a as u8).cmp(&(*b as u8))));
        let mut chosen: Vec<(NumField, Vec<i64>)> = Vec::new();
        let mut bits = 0;
        for (field, _) in field_uses.into_iter().take(MAX_NUMBER_FIELDS) {
            let mut thresholds: Vec<i64> =
                uses.iter().filter(|((f, _), _)| *f == field).map(|((_, t), _)| *t).collect();
            if bits + 1 + thresholds.len() > 64 {
                continue;
            }
            bits += 1 + thresholds.len();
            thresholds.sort_unstable();
            chosen.push((field, thresholds));
        }
        let mut next_bit = 0;
        let fields = chosen
            .into_iter()
            .map(|(field, thresholds)| {
                let bits = FieldBits { field, known_bit: next_bit, thresholds: thresholds.into_boxed_slice() };
                next_bit += 1 + bits.thresholds.len() as u32;
                bits
            })
            .collect();
        NumberBits { fields }
    }

    /// The number word of an operation whose numbers (scaled, in
    /// `NumField` order, `UNKNOWN_NUMBER` when not known) are `values`.
    #[inline]
    pub(crate) fn word(&self, values: &[i64]) -> u64 {
        let mut word = 0;
        for bits in &self.fields {
            let value = values.get(bits.field as usize).copied().unwrap_or(UNKNOWN_NUMBER);
            if value == UNKNOWN_NUMBER {
                continue;
            }
            // The thresholds are ascending: those reached form a run.
            let reached = bits.thresholds.iter().take_while(|&&t| value >= t).count() as u32;
            word |= (u64::MAX >> (63 - reached.min(63))) << bits.known_bit;
        }
        word
    }

    /// The bit of "`field` is at least `threshold`", when it has one.
    fn at_least_bit(&self, field: NumField, threshold: i64) -> Option<u64> {
        let bits = self.fields.iter().find(|b| b.field == field)?;
        let i = bits.thresholds.iter().position(|&t| t == threshold)?;
        Some(1 << (bits.known_bit + 1 + i as u32))
    }

    /// The masks (set, clear) under which a number literal is true, when
    /// its thresholds have bits.
    fn masks(&self, atom: &Atom, negated: bool) -> Option<(u64, u64)> {
        let bounds = Bounds::of(atom, negated)?;
        let known = 1 << self.fields.iter().find(|b| b.field == bounds.field)?.known_bit;
        let set = match bounds.at_least {
            Some(t) => known | self.at_least_bit(bounds.field, t)?,
            None => known,
        };
        let clear = match bounds.below {
            Some(t) => self.at_least_bit(bounds.field, t)?,
            None => 0,
        };
        Some((set, clear))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::cnf::flatten;
    use crate::compile::condition::{parse, FlagField, Phase};

    fn gate(source: &str) -> Gate {
        let sets = |name: &str| (name == "a").then_some(0);
        Gate::split(&flatten(&parse(source, Phase::Rule, &sets).unwrap()).unwrap(), &NumberBits::default()).0
    }

    #[test]
    fn single_literal_clauses_become_masks_and_disjunctions_do_not() {
        let g = gate(
            "payee.first_time and kind != cash_withdrawal and not observations.on_phone \
             and payee.own_account != true and (text ~ a or payee.flagged)",
        );
        let first_time = flag_bit(FlagField::FirstTime as usize, true);
        let own = flag_bit(FlagField::OwnAccount as usize, true);
        let on_phone = observed_bit(Observation::OnPhone as usize);
        let cash = enum_bits(EnumField::Kind, 0b100);
        assert_eq!(g, Gate::new(first_time, cash | on_phone | own, 0, 0));
        let transfer = enum_bits(EnumField::Kind, 0b001);
        assert!(g.passes(first_time | transfer, 0));
        assert!(!g.passes(first_time | cash, 0));
        assert!(!g.passes(transfer, 0));
        assert!(!g.passes(first_time | transfer | own, 0));
    }

    #[test]
    fn unknown_answers_fail_a_required_flag_either_way() {
        let g = gate("interview.knows_payee == false");
        assert!(!g.passes(0, 0));
        assert!(g.passes(flag_bit(FlagField::KnowsPayee as usize, false), 0));
        assert_eq!(gate("not interview.knows_payee"), g);
    }

    #[test]
    fn the_rest_keeps_what_the_gate_cannot_decide() {
        let sets = |name: &str| (name == "a").then_some(0);
        let flat = flatten(
            &parse("payee.first_time and amount >= 5 and (text ~ a or payee.flagged)", Phase::Rule, &sets).unwrap(),
        )
        .unwrap();
        let (g, rest) = Gate::split(&flat, &NumberBits::default());
        assert_eq!(g, Gate::new(flag_bit(FlagField::FirstTime as usize, true), 0, 0, 0));
        assert_eq!(rest.len(), 3);
        assert!(rest.iter().all(|l| !matches!(l.atom, Atom::Flag { field: FlagField::FirstTime, .. })));
    }

    fn flat(source: &str) -> Box<[Literal]> {
        flatten(&parse(source, Phase::Rule, &|_: &str| None).unwrap()).unwrap()
    }

    /// Numbers in `NumField` order, scaled, with `amount` and `customer.age`
    /// given and everything else unknown.
    fn numbers(amount: i64, age: Option<i64>) -> Vec<i64> {
        let mut values = vec![UNKNOWN_NUMBER; crate::compile::condition::NUM_FIELDS];
        values[NumField::Amount as usize] = amount * 10_000;
        values[NumField::Age as usize] = age.map_or(UNKNOWN_NUMBER, |a| a * 10_000);
        values
    }

    #[test]
    fn number_literals_are_decided_by_the_number_word() {
        let conditions = [
            flat("amount >= 10000 and customer.age < 60"),
            flat("amount >= 50000 or customer.age >= 65"),
            flat("not (amount < 20000) and amount != 7"),
        ];
        let bits = NumberBits::new(conditions.iter().map(|c| &**c));
        let (first, rest) = Gate::split(&conditions[0], &bits);
        assert!(rest.is_empty() && first.tests_numbers(), "{rest:?}");
        assert!(first.passes(0, bits.word(&numbers(10_000, Some(59)))));
        assert!(!first.passes(0, bits.word(&numbers(9_999, Some(59)))));
        assert!(!first.passes(0, bits.word(&numbers(10_000, Some(60)))));
        // An unknown age makes `customer.age < 60` unknown, never true.
        assert!(!first.passes(0, bits.word(&numbers(10_000, None))));
        // A disjunction stays with the evaluated clauses.
        let (second, rest) = Gate::split(&conditions[1], &bits);
        assert!(!second.tests_numbers() && rest.len() == 2);
        // `not (amount < 20000)` is `amount >= 20000`; `!=` is evaluated.
        let (third, rest) = Gate::split(&conditions[2], &bits);
        assert_eq!(rest.len(), 1);
        assert!(third.passes(0, bits.word(&numbers(20_000, None))));
        assert!(!third.passes(0, bits.word(&numbers(19_999, None))));
    }

    #[test]
    fn the_number_word_has_a_known_bit_and_a_run_of_reached_thresholds() {
        let conditions = [flat("amount >= 100 and amount < 300 and amount >= 200")];
        let bits = NumberBits::new(conditions.iter().map(|c| &**c));
        // Bit 0: amount known; bits 1, 2, 3: at least 100, 200, 300.
        assert_eq!(bits.word(&numbers(50, None)), 0b0001);
        assert_eq!(bits.word(&numbers(100, None)), 0b0011);
        assert_eq!(bits.word(&numbers(250, None)), 0b0111);
        assert_eq!(bits.word(&numbers(1_000_000, None)), 0b1111);
        let mut unknown = numbers(0, None);
        unknown[NumField::Amount as usize] = UNKNOWN_NUMBER;
        assert_eq!(bits.word(&unknown), 0);
    }

    #[test]
    fn anything_observed_and_the_currency_are_bits_of_the_facts_word() {
        let bits = NumberBits::default();
        let (observed, rest) = Gate::split(&flat("observation_count >= 1 and currency != 'CNY'"), &bits);
        assert!(rest.is_empty(), "{rest:?}");
        let on_phone = 1 << Observation::OnPhone as u16;
        assert!(observed.passes(summary_bits(on_phone, *b"USD"), 0));
        assert!(!observed.passes(summary_bits(0, *b"USD"), 0));
        assert!(!observed.passes(summary_bits(on_phone, *b"CNY"), 0));
        let (nothing, rest) = Gate::split(&flat("observation_count < 1 and currency == 'CNY'"), &bits);
        assert!(rest.is_empty() && nothing.passes(summary_bits(0, *b"CNY"), 0));
        assert!(!nothing.passes(summary_bits(on_phone, *b"CNY"), 0));
        // Other currencies and counts are left to evaluation.
        assert_eq!(Gate::split(&flat("currency == 'USD' and observation_count >= 2"), &bits).1.len(), 2);
    }

    #[test]
    fn contradictory_requirements_never_pass() {
        let gate = Gate::new(0b1, 0b1, 0, 0);
        assert!(!gate.passes(0b1, 0) && !gate.passes(0, 0) && !gate.passes(u64::MAX, u64::MAX));
    }
}
