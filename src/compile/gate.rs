//! A two-mask test that rejects most conditions before they are evaluated.
//!
//! Every operation sets bits in one word of *facts*: which yes/no fields
//! are known true and which known false, which observations were made, and
//! the values of `kind`, `channel`, `payee.kind` and (for procedure tiers)
//! `level`. A condition whose flat form has a single-literal clause on one of
//! these can only be true when some bits are set and others clear, which two
//! `and`s test. The masks are necessary, not sufficient: a condition that
//! passes is then evaluated in full.

use crate::compile::cnf::Literal;
use crate::compile::condition::{Atom, EnumField, Known, FLAG_FIELDS};
use crate::operation::Observation;

const FLAG_TRUE: u32 = 0;
const FLAG_FALSE: u32 = 16;
const OBSERVED: u32 = 32;
const KIND: u32 = 48;
const CHANNEL: u32 = 51;
const PAYEE_KIND: u32 = 55;
const LEVEL: u32 = 58;

const _: () = assert!(FLAG_FIELDS <= 16 && Observation::ALL.len() <= 16 && LEVEL + 5 <= 64);

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
/// true.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Gate {
    pub(crate) set: u64,
    pub(crate) clear: u64,
}

impl Gate {
    /// Whether a condition with this gate may be true for `facts`.
    #[inline]
    pub(crate) fn passes(self, facts: u64) -> bool {
        facts & self.set == self.set && facts & self.clear == 0
    }

    /// The gate of a flat condition and the clauses it does not decide. A
    /// literal the gate covers is true exactly when its bits are as the gate
    /// requires, so the condition is true exactly when the gate passes and
    /// the remaining clauses are true.
    pub(crate) fn split(literals: &[Literal]) -> (Gate, Box<[Literal]>) {
        let mut gate = Gate::default();
        let mut rest = Vec::new();
        let mut clause_start = true;
        for literal in literals {
            let covered = clause_start && literal.ends_clause && gate.add(&literal.atom, literal.negated);
            if !covered {
                rest.push(literal.clone());
            }
            clause_start = literal.ends_clause;
        }
        (gate, rest.into_boxed_slice())
    }

    /// Require what makes `atom` (or its negation) true; false when the
    /// gate cannot express it.
    fn add(&mut self, atom: &Atom, negated: bool) -> bool {
        match *atom {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::cnf::flatten;
    use crate::compile::condition::{parse, FlagField, Phase};

    fn gate(source: &str) -> Gate {
        let sets = |name: &str| (name == "a").then_some(0);
        Gate::split(&flatten(&parse(source, Phase::Rule, &sets).unwrap()).unwrap()).0
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
        assert_eq!(g, Gate { set: first_time, clear: cash | on_phone | own });
        let transfer = enum_bits(EnumField::Kind, 0b001);
        assert!(g.passes(first_time | transfer));
        assert!(!g.passes(first_time | cash));
        assert!(!g.passes(transfer));
        assert!(!g.passes(first_time | transfer | own));
    }

    #[test]
    fn unknown_answers_fail_a_required_flag_either_way() {
        let g = gate("interview.knows_payee == false");
        assert!(!g.passes(0));
        assert!(g.passes(flag_bit(FlagField::KnowsPayee as usize, false)));
        assert_eq!(gate("not interview.knows_payee"), g);
    }

    #[test]
    fn the_rest_keeps_what_the_gate_cannot_decide() {
        let sets = |name: &str| (name == "a").then_some(0);
        let flat = flatten(
            &parse("payee.first_time and amount >= 5 and (text ~ a or payee.flagged)", Phase::Rule, &sets).unwrap(),
        )
        .unwrap();
        let (g, rest) = Gate::split(&flat);
        assert_eq!(g.set, flag_bit(FlagField::FirstTime as usize, true));
        assert_eq!(rest.len(), 3);
        assert!(rest.iter().all(|l| !matches!(l.atom, Atom::Flag { field: FlagField::FirstTime, .. })));
    }
}
