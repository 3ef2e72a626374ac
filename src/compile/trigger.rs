//! Which rules can possibly fire for an operation, decided from a few cheap
//! signals instead of evaluating every rule.
//!
//! A *signal* is a fact computed once per operation: a phrase set matched in
//! some field, an observation was recorded, a yes/no field is true, or it is
//! false, or the kind, channel or payee kind has a given value. For each rule the compiler finds a set of signals of which at
//! least one must be present for the condition to be true (a necessary
//! condition). The engine then evaluates only the rules triggered by the
//! signals present, plus the few rules for which no such set exists.

use crate::compile::condition::{Atom, EnumField, Expr, FLAG_FIELDS};
use crate::operation::Observation;

/// Values of `kind`, `channel` and `payee.kind`, each a signal.
pub(crate) const ENUM_SIGNALS: usize = 3 + 4 + 3;

/// Signals after the phrase sets: observations, flags true, flags false,
/// then the enum values.
pub(crate) const FIXED_SIGNALS: usize = Observation::ALL.len() + 2 * FLAG_FIELDS + ENUM_SIGNALS;

/// The signal of value `bit` of an enum field (`None` for `level`).
pub(crate) fn enum_signal(sets: usize, field: EnumField, bit: u32) -> Option<usize> {
    let base = sets + Observation::ALL.len() + 2 * FLAG_FIELDS;
    match field {
        EnumField::Kind => Some(base + bit as usize),
        EnumField::Channel => Some(base + 3 + bit as usize),
        EnumField::PayeeKind => Some(base + 7 + bit as usize),
        EnumField::Level => None,
    }
}

/// The signal of observation number `o` (`Observation as usize`).
pub(crate) fn observation_signal(sets: usize, o: usize) -> usize {
    sets + o
}

pub(crate) fn flag_signal(sets: usize, field: usize, value: bool) -> usize {
    let base = sets + Observation::ALL.len();
    if value {
        base + field
    } else {
        base + FLAG_FIELDS + field
    }
}

/// The fixed signals of one operation, as bits from signal `sets` on (the
/// first fixed signal): the observations made (a bit per observation), the
/// yes/no fields known true and known false (a bit per field), and the
/// values of `kind`, `channel` and `payee.kind` (one-hot masks), in the
/// order of [`observation_signal`], [`flag_signal`] and [`enum_signal`].
pub(crate) fn fixed_signal_bits(observed: u16, known_true: u16, known_false: u16, values: [u8; 3]) -> u64 {
    const FLAGS: u32 = Observation::ALL.len() as u32;
    const ENUMS: u32 = FLAGS + 2 * FLAG_FIELDS as u32;
    let [kind, channel, payee_kind] = values.map(u64::from);
    u64::from(observed)
        | u64::from(known_true) << FLAGS
        | u64::from(known_false) << (FLAGS + FLAG_FIELDS as u32)
        | kind << ENUMS
        | channel << (ENUMS + 3)
        | payee_kind << (ENUMS + 7)
}

const _: () = assert!(FIXED_SIGNALS <= 64);

/// A necessary condition: one of `signals` must be present. `cost` ranks how
/// often the signals are present in ordinary traffic (lower is rarer).
struct Necessary {
    cost: u8,
    signals: Vec<usize>,
}

fn necessary(expr: &Expr, sets: usize, lazy: u8) -> Option<Necessary> {
    match expr {
        // A phrase in a lazily scanned field is not known when candidates
        // are chosen, so it cannot be what selects them.
        Expr::Atom { atom: Atom::Text { fields, .. }, .. } if fields & lazy != 0 => None,
        Expr::Atom { atom, .. } => atom_signal(atom, sets),
        Expr::Not { inner, .. } => match inner.as_ref() {
            Expr::Atom { atom: Atom::Flag { field, want }, .. } => {
                Some(Necessary { cost: 4, signals: vec![flag_signal(sets, *field as usize, !*want)] })
            }
            _ => None,
        },
        Expr::And(parts) => {
            parts.iter().filter_map(|p| necessary(p, sets, lazy)).min_by_key(|n| (n.cost, n.signals.len()))
        }
        Expr::Or(parts) => {
            let mut all = Necessary { cost: 0, signals: Vec::new() };
            for part in parts {
                let n = necessary(part, sets, lazy)?;
                all.cost = all.cost.max(n.cost);
                all.signals.extend(n.signals);
            }
            all.signals.sort_unstable();
            all.signals.dedup();
            Some(all)
        }
    }
}

fn atom_signal(atom: &Atom, sets: usize) -> Option<Necessary> {
    match atom {
        Atom::Text { set, .. } => Some(Necessary { cost: 1, signals: vec![*set as usize] }),
        Atom::Observed(o) => Some(Necessary { cost: 2, signals: vec![observation_signal(sets, *o as usize)] }),
        Atom::Flag { field, want } => Some(Necessary {
            cost: if *want { 3 } else { 4 },
            signals: vec![flag_signal(sets, *field as usize, *want)],
        }),
        Atom::Const(false) => Some(Necessary { cost: 0, signals: Vec::new() }),
        Atom::Enum { field, mask } => {
            let signals: Option<Vec<usize>> =
                (0..8).filter(|b| mask & (1 << b) != 0).map(|b| enum_signal(sets, *field, b)).collect();
            let signals = signals?;
            // One value is fairly selective; several are usually present.
            Some(Necessary { cost: if signals.len() == 1 { 4 } else { 6 }, signals })
        }
        _ => None,
    }
}

/// Signals of which at least one must be present for `expr` to be true, or
/// `None` when there is no such set (evaluate it every time). Phrases in the
/// `lazy` fields are never such a signal.
pub(crate) fn necessary_signals(expr: &Expr, sets: usize, lazy: u8) -> Option<Vec<usize>> {
    necessary(expr, sets, lazy).map(|n| n.signals)
}

/// The union of the text fields read by `expr` (bit per `TEXT_FIELDS` entry).
pub(crate) fn text_fields(expr: &Expr) -> u8 {
    match expr {
        Expr::Atom { atom: Atom::Text { fields, .. }, .. } => *fields,
        Expr::Atom { .. } => 0,
        Expr::Not { inner, .. } => text_fields(inner),
        Expr::And(parts) | Expr::Or(parts) => parts.iter().fold(0, |m, p| m | text_fields(p)),
    }
}

/// The text fields read, together with one of `fields`, by a phrase atom
/// of `expr`: such a field cannot be scanned lazily without making the
/// other fields' hits useless for choosing candidates.
pub(crate) fn fields_read_with(expr: &Expr, fields: u8) -> u8 {
    match expr {
        Expr::Atom { atom: Atom::Text { fields: read, .. }, .. } if read & !fields != 0 => *read,
        Expr::Atom { .. } => 0,
        Expr::Not { inner, .. } => fields_read_with(inner, fields),
        Expr::And(parts) | Expr::Or(parts) => parts.iter().fold(0, |m, p| m | fields_read_with(p, fields)),
    }
}

/// Build the signal → rules index and the bitset of always-evaluated rules.
pub(crate) fn index(exprs: &[&Expr], sets: usize, lazy: u8) -> (Vec<Vec<u32>>, Vec<u64>) {
    let mut signal_rules = vec![Vec::new(); sets + FIXED_SIGNALS];
    let mut always = vec![0u64; exprs.len().div_ceil(64)];
    for (rule, expr) in exprs.iter().enumerate() {
        match necessary(expr, sets, lazy) {
            Some(n) => {
                for s in n.signals {
                    if let Some(list) = signal_rules.get_mut(s) {
                        list.push(rule as u32);
                    }
                }
            }
            None => {
                if let Some(word) = always.get_mut(rule / 64) {
                    *word |= 1 << (rule % 64);
                }
            }
        }
    }
    (signal_rules, always)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::condition::{parse, Phase};

    /// Each fact's bit in `fixed_signal_bits` is its signal's number.
    #[test]
    fn fixed_signal_bits_follow_the_signal_numbers() {
        let sets = 5;
        let at = |bits: u64| sets + bits.trailing_zeros() as usize;
        for o in 0..Observation::ALL.len() {
            assert_eq!(at(fixed_signal_bits(1 << o, 0, 0, [0; 3])), observation_signal(sets, o));
        }
        for field in 0..FLAG_FIELDS {
            assert_eq!(at(fixed_signal_bits(0, 1 << field, 0, [0; 3])), flag_signal(sets, field, true));
            assert_eq!(at(fixed_signal_bits(0, 0, 1 << field, [0; 3])), flag_signal(sets, field, false));
        }
        for (i, (field, values)) in
            [(EnumField::Kind, 3), (EnumField::Channel, 4), (EnumField::PayeeKind, 3)].into_iter().enumerate()
        {
            for bit in 0..values {
                let mut one_hot = [0u8; 3];
                one_hot[i] = 1 << bit;
                assert_eq!(Some(at(fixed_signal_bits(0, 0, 0, one_hot))), enum_signal(sets, field, bit));
            }
        }
        assert_eq!(
            64 - fixed_signal_bits(u16::MAX >> 5, 0x1fff, 0x1fff, [7, 15, 7]).leading_zeros() as usize,
            FIXED_SIGNALS
        );
    }

    fn expr(src: &str) -> Expr {
        parse(src, Phase::Rule, &|n| ["a", "b"].iter().position(|s| *s == n).map(|i| i as u32)).unwrap()
    }

    #[test]
    fn conjunctions_pick_the_rarest_signal_and_disjunctions_need_all() {
        let sets = 2;
        let e1 = expr("amount > 5 and payee.first_time and purpose ~ b");
        let e2 = expr("purpose ~ a or observations.on_phone");
        let e3 = expr("amount > 5 or purpose ~ a");
        let e4 = expr("not interview.knows_payee and amount > 1");
        let (signals, always) = index(&[&e1, &e2, &e3, &e4], sets, 0);
        assert_eq!(signals[1], vec![0]);
        assert_eq!(signals[0], vec![1]);
        assert_eq!(signals[observation_signal(sets, Observation::OnPhone as usize)], vec![1]);
        assert_eq!(always, vec![0b0100]);
        assert_eq!(signals[flag_signal(sets, 3, false)], vec![3]);
    }
}
