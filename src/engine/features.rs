//! The operation's structured facts, extracted once per assessment into
//! fixed arrays so that conditions never look a field up by name.

use rust_decimal::Decimal;

use crate::assessment::Level;
use crate::compile::condition::{
    clamp_scaled, scaled, Atom, EnumField, FlagField, NumField, FLAG_FIELDS, MAX_SCALED, NUM_FIELDS, SCALE,
    UNKNOWN_NUMBER,
};
use crate::compile::gate;
use crate::compile::program::Program;
use crate::operation::{Channel, Kind, Operation, PayeeKind};

/// Three-valued truth: a missing field makes a comparison unknown. Ordered
/// so that `or` is the maximum and `and` the minimum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Tri {
    False,
    Unknown,
    True,
}

impl Tri {
    #[inline]
    pub(crate) fn from_bool(b: bool) -> Tri {
        if b {
            Tri::True
        } else {
            Tri::False
        }
    }

    #[inline]
    pub(crate) fn not(self) -> Tri {
        match self {
            Tri::True => Tri::False,
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
        }
    }
}

/// The value of a number that is not known.
const UNKNOWN: i64 = UNKNOWN_NUMBER;

/// Facts about one operation.
#[derive(Clone, Debug)]
pub(crate) struct Features {
    /// Numbers scaled by 10^4 and clamped (see `clamp_scaled`), `UNKNOWN`
    /// when not known.
    num: [i64; NUM_FIELDS],
    pub(crate) flags: [Option<bool>; FLAG_FIELDS],
    kind: u8,
    channel: u8,
    payee_kind: u8,
    level: u8,
    currency: [u8; 3],
    pub(crate) observations: u16,
    /// Bit `f` set: yes/no field `f` is known to be true (resp. false).
    pub(crate) flags_true: u16,
    pub(crate) flags_false: u16,
    /// The facts word that condition gates test (see `compile::gate`).
    pub(crate) word: u64,
    /// The number word that condition gates test (see `NumberBits`).
    pub(crate) numbers: u64,
}

/// A decimal with its value scaled by 10^4 (see `scaled`), computed once,
/// and that value as a fact (see `clamp_scaled`).
#[derive(Clone, Copy)]
struct Scaled {
    value: Decimal,
    scaled: i128,
    fact: i64,
}

impl Scaled {
    fn new(value: Decimal) -> Scaled {
        // Most amounts have at most 4 decimals and fit 64 bits scaled.
        let scale = value.scale();
        let fast = i64::try_from(value.mantissa())
            .ok()
            .zip(POW10.get(scale as usize))
            .and_then(|(mantissa, &factor)| mantissa.checked_mul(factor))
            .filter(|v| v.unsigned_abs() <= MAX_SCALED.unsigned_abs());
        match fast {
            Some(fact) => Scaled { value, scaled: i128::from(fact), fact },
            None => {
                let scaled = scaled(value);
                Scaled { value, scaled, fact: clamp_scaled(scaled) }
            }
        }
    }
}

/// 10^(4 - scale), indexed by the scales 0 to 4.
const POW10: [i64; 5] = [10_000, 1_000, 100, 10, 1];

/// `numerator / denominator` scaled by 10^4 and truncated, exactly as
/// `scaled(numerator / denominator)` with `Decimal` division.
fn ratio(numerator: Scaled, denominator: Option<Scaled>) -> Option<i128> {
    let d = denominator.filter(|d| d.value > Decimal::ZERO)?;
    integer_ratio(numerator, d).or_else(|| numerator.value.checked_div(d.value).map(scaled))
}

/// The common case in integers: both values carry at most 4 decimals (so
/// `scaled` is exact), the denominator is below 10^11 and the quotient below
/// 10^8. `Decimal` division then keeps at least 20 decimals, an error under
/// 10^-20, while a quotient that is not a multiple of 10^-4 lies at least
/// 10^-4 / (denominator × 10^4) > 10^-19 from the next one: truncating
/// either gives the same result.
fn integer_ratio(numerator: Scaled, denominator: Scaled) -> Option<i128> {
    if numerator.value.scale() > 4 || denominator.value.scale() > 4 {
        return None;
    }
    let (n, d) = (numerator.scaled, denominator.scaled);
    const MAX_DENOMINATOR: i128 = 100_000_000_000 * SCALE as i128;
    const MAX_QUOTIENT: i128 = 100_000_000;
    if n < 0 || d <= 0 || d >= MAX_DENOMINATOR || n >= d.saturating_mul(MAX_QUOTIENT) {
        return None;
    }
    let numerator = n.checked_mul(i128::from(SCALE))?;
    // The same integer division in 64 bits when both fit, which is cheaper.
    match (u64::try_from(numerator), u64::try_from(d)) {
        (Ok(n), Ok(d)) => n.checked_div(d).map(i128::from),
        _ => numerator.checked_div(d),
    }
}

impl Features {
    pub(crate) fn extract(program: &Program, op: &Operation) -> Features {
        let currency: [u8; 3] = op.currency.as_bytes().try_into().unwrap_or(*b"???");
        let amount = if &currency == b"CNY" {
            op.amount
        } else {
            program
                .fx
                .iter()
                .find(|(code, _)| *code == currency)
                .and_then(|(_, rate)| op.amount.checked_mul(*rate))
                .unwrap_or(op.amount)
        };
        let c = &op.customer;
        let mut observations = 0u16;
        for o in &op.observations {
            observations |= 1 << (*o as u16);
        }
        let units = |v: u32| i64::from(v) * SCALE;
        let known = |v: Option<i64>| v.unwrap_or(UNKNOWN);
        let amount = Scaled::new(amount);
        let raw = if &currency == b"CNY" { amount } else { Scaled::new(op.amount) };
        let usual = c.usual_amount.map(Scaled::new);
        let last_24h = c.amount_last_24h.map(Scaled::new);
        // In `NumField` order; the outcome fields are set after the rules ran.
        let num = [
            amount.fact,
            raw.fact,
            known(c.age.map(|v| units(u32::from(v)))),
            known(c.account_age_days.map(units)),
            known(usual.map(|u| u.fact)),
            known(c.transfers_last_24h.map(units)),
            known(last_24h.map(|a| a.fact)),
            known(ratio(amount, usual).map(clamp_scaled)),
            known(last_24h.and_then(|a| ratio(a, usual)).map(clamp_scaled)),
            known(op.requested_at.as_deref().and_then(crate::timestamp::hour_of_valid).map(|h| units(u32::from(h)))),
            units(observations.count_ones()),
            UNKNOWN,
            UNKNOWN,
            UNKNOWN,
        ];
        let i = &op.interview;
        let flags = [
            op.payee.first_time,
            op.payee.own_account,
            op.payee.flagged,
            i.knows_payee,
            i.contacted_by_stranger,
            i.contacted_by_official,
            i.told_to_keep_secret,
            i.promised_return,
            i.met_in_person,
            i.has_documents,
            i.family_aware,
            op.confirmation.warning_read,
            op.confirmation.signed,
        ];
        let (mut flags_true, mut flags_false) = (0u16, 0u16);
        for (field, value) in flags.iter().enumerate() {
            match value {
                Some(true) => flags_true |= 1 << field,
                Some(false) => flags_false |= 1 << field,
                None => {}
            }
        }
        let mut facts = Features {
            num,
            flags,
            flags_true,
            flags_false,
            word: 0,
            numbers: program.number_bits.word(&num),
            kind: 1
                << match op.kind {
                    Kind::Transfer => 0,
                    Kind::Remittance => 1,
                    Kind::CashWithdrawal => 2,
                },
            channel: 1
                << match op.channel {
                    Channel::Counter => 0,
                    Channel::SelfService => 1,
                    Channel::Mobile => 2,
                    Channel::Online => 3,
                },
            payee_kind: 1
                << match op.payee.kind {
                    PayeeKind::Person => 0,
                    PayeeKind::Company => 1,
                    PayeeKind::Unknown => 2,
                },
            level: 1,
            currency,
            observations,
        };
        facts.word = gate::flags_word(flags_true, flags_false)
            | gate::observations_word(observations)
            | gate::summary_bits(observations, currency)
            | gate::enum_bits(EnumField::Kind, facts.kind)
            | gate::enum_bits(EnumField::Channel, facts.channel)
            | gate::enum_bits(EnumField::PayeeKind, facts.payee_kind)
            | gate::enum_bits(EnumField::Level, facts.level);
        facts
    }

    /// The value bits (one-hot) of `kind`, `channel` and `payee.kind`.
    pub(crate) fn enum_values(&self) -> [u8; 3] {
        [self.kind, self.channel, self.payee_kind]
    }

    /// Record the outcome, which procedure tiers may read.
    pub(crate) fn set_outcome(&mut self, score: u8, typology_score: u8, fired: usize, level: Level) {
        if let Some(slot) = self.num.get_mut(NumField::TypologyScore as usize) {
            *slot = i64::from(typology_score) * SCALE;
        }
        if let Some(slot) = self.num.get_mut(NumField::Score as usize) {
            *slot = i64::from(score) * SCALE;
        }
        if let Some(slot) = self.num.get_mut(NumField::Fired as usize) {
            *slot = fired as i64 * SCALE;
        }
        self.level = 1 << (level as u8);
        let levels = gate::enum_bits(EnumField::Level, u8::MAX);
        self.word = self.word & !levels | gate::enum_bits(EnumField::Level, self.level);
    }

    pub(crate) fn flag(&self, field: FlagField) -> Option<bool> {
        self.flags.get(field as usize).copied().flatten()
    }

    /// Evaluate one non-text atom.
    #[inline]
    pub(crate) fn atom(&self, atom: &Atom) -> Tri {
        match atom {
            Atom::Num { field, lo, hi, inside } => match self.num.get(*field as usize).copied().unwrap_or(UNKNOWN) {
                UNKNOWN => Tri::Unknown,
                v => Tri::from_bool((*lo <= v && v <= *hi) == *inside),
            },
            Atom::Enum { field, mask } => {
                let bit = match field {
                    EnumField::Kind => self.kind,
                    EnumField::Channel => self.channel,
                    EnumField::PayeeKind => self.payee_kind,
                    EnumField::Level => self.level,
                };
                Tri::from_bool(bit & mask != 0)
            }
            Atom::Currency { equal, code } => Tri::from_bool((self.currency == *code) == *equal),
            Atom::Flag { field, want } => match self.flag(*field) {
                Some(v) => Tri::from_bool(v == *want),
                None => Tri::Unknown,
            },
            Atom::FlagIsNot { field, value } => Tri::from_bool(self.flag(*field) != Some(*value)),
            Atom::Known(crate::compile::condition::Known::Num(f)) => {
                Tri::from_bool(self.num.get(*f as usize).is_some_and(|&v| v != UNKNOWN))
            }
            Atom::Known(crate::compile::condition::Known::Flag(f)) => Tri::from_bool(self.flag(*f).is_some()),
            Atom::Observed(o) => Tri::from_bool(self.observations & (1 << (*o as u16)) != 0),
            Atom::Const(b) => Tri::from_bool(*b),
            Atom::Text { .. } => Tri::Unknown,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Tri;

    #[test]
    fn integer_ratios_equal_decimal_division() {
        use rust_decimal::Decimal;
        let decimal = |n: Decimal, d: Decimal| n.checked_div(d).map(crate::compile::condition::scaled);
        let mut checked = 0;
        let denominators = [1i64, 3, 7, 9, 11, 13, 97, 3_333, 7_777, 99_999, 123_457, 999_999_937, 99_999_999_977];
        for &dm in &denominators {
            for ds in 0..=4u32 {
                let d = Decimal::new(dm, ds);
                for k in [0i64, 1, 2, 3, 9, 10, 17, 99_999, 1_000_000, 99_999_999] {
                    for delta in [-2i64, -1, 0, 1, 2] {
                        for ns in 0..=4u32 {
                            // Around k × d, where truncation is most fragile.
                            let Some(nm) =
                                (dm as i128 * k as i128 * 10i128.pow(ns) / 10i128.pow(ds)).checked_add(delta as i128)
                            else {
                                continue;
                            };
                            let Ok(nm) = i64::try_from(nm) else { continue };
                            if nm < 0 {
                                continue;
                            }
                            let n = Decimal::new(nm, ns);
                            if let Some(fast) = super::integer_ratio(super::Scaled::new(n), super::Scaled::new(d)) {
                                assert_eq!(Some(fast), decimal(n, d), "{n} / {d}");
                                checked += 1;
                            }
                        }
                    }
                }
            }
        }
        assert!(checked > 5_000, "{checked}");
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let n = Decimal::new((x % 10_000_000_000_000) as i64, (x >> 60) as u32 % 5);
            let d = Decimal::new(((x >> 20) % 1_000_000_000) as i64 + 1, (x >> 56) as u32 % 5);
            if let Some(fast) = super::integer_ratio(super::Scaled::new(n), super::Scaled::new(d)) {
                assert_eq!(Some(fast), decimal(n, d), "{n} / {d}");
            }
        }
        assert_eq!(
            super::integer_ratio(super::Scaled::new(Decimal::new(1, 5)), super::Scaled::new(Decimal::ONE)),
            None
        );
    }

    /// The 64-bit path of `Scaled` gives what scaling in 128 bits and
    /// clamping give, and falls back on more decimals or huge values.
    #[test]
    fn scaled_facts_agree_with_the_wide_computation() {
        use crate::compile::condition::{clamp_scaled, scaled};
        use rust_decimal::Decimal;
        let mut values =
            vec![Decimal::MAX, Decimal::MIN, Decimal::ZERO, Decimal::new(i64::MAX, 0), Decimal::new(1, 28)];
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..50_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let mantissa = (x >> (x % 40)) as i64 * if x & 1 == 0 { 1 } else { -1 };
            values.push(Decimal::new(mantissa, (x >> 59) as u32 % 9));
        }
        for value in values {
            let fact = super::Scaled::new(value);
            assert_eq!(fact.fact, clamp_scaled(scaled(value)), "{value}");
            assert_eq!(fact.scaled, scaled(value), "{value}");
        }
    }

    #[test]
    fn not_keeps_unknown() {
        assert_eq!(Tri::Unknown.not(), Tri::Unknown);
        assert_eq!(Tri::True.not(), Tri::False);
    }
}
