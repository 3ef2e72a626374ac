//! The operation's structured facts, extracted once per assessment into
//! fixed arrays so that conditions never look a field up by name.

use rust_decimal::Decimal;

use crate::assessment::Level;
use crate::compile::condition::{scaled, Atom, EnumField, FlagField, NumField, FLAG_FIELDS, NUM_FIELDS};
use crate::compile::program::Program;
use crate::operation::{Channel, Kind, Operation, PayeeKind};

/// Three-valued truth: a missing field makes a comparison unknown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// Facts about one operation.
#[derive(Clone, Debug)]
pub(crate) struct Features {
    pub(crate) num: [Option<i128>; NUM_FIELDS],
    pub(crate) flags: [Option<bool>; FLAG_FIELDS],
    kind: u8,
    channel: u8,
    payee_kind: u8,
    level: u8,
    currency: [u8; 3],
    pub(crate) observations: u16,
}

const SCALE: i128 = 10_000;

fn ratio(numerator: Decimal, denominator: Option<Decimal>) -> Option<i128> {
    let d = denominator.filter(|d| *d > Decimal::ZERO)?;
    numerator.checked_div(d).map(scaled)
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
        let units = |v: u32| i128::from(v) * SCALE;
        // In `NumField` order; the outcome fields are set after the rules ran.
        let num: [Option<i128>; NUM_FIELDS] = [
            Some(scaled(amount)),
            Some(scaled(op.amount)),
            c.age.map(|v| units(u32::from(v))),
            c.account_age_days.map(units),
            c.usual_amount.map(scaled),
            c.transfers_last_24h.map(units),
            c.amount_last_24h.map(scaled),
            ratio(amount, c.usual_amount),
            c.amount_last_24h.and_then(|a| ratio(a, c.usual_amount)),
            op.requested_at.as_deref().and_then(crate::timestamp::local_hour).map(|h| units(u32::from(h))),
            Some(units(observations.count_ones())),
            None,
            None,
            None,
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
        Features {
            num,
            flags,
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
        }
    }

    /// Record the outcome, which procedure tiers may read.
    pub(crate) fn set_outcome(&mut self, score: u8, typology_score: u8, fired: usize, level: Level) {
        if let Some(slot) = self.num.get_mut(NumField::TypologyScore as usize) {
            *slot = Some(i128::from(typology_score) * SCALE);
        }
        if let Some(slot) = self.num.get_mut(NumField::Score as usize) {
            *slot = Some(i128::from(score) * SCALE);
        }
        if let Some(slot) = self.num.get_mut(NumField::Fired as usize) {
            *slot = Some(fired as i128 * SCALE);
        }
        self.level = 1 << (level as u8);
    }

    pub(crate) fn flag(&self, field: FlagField) -> Option<bool> {
        self.flags.get(field as usize).copied().flatten()
    }

    /// Evaluate one non-text atom.
    #[inline]
    pub(crate) fn atom(&self, atom: &Atom) -> Tri {
        match atom {
            Atom::Num { field, op, value } => match self.num.get(*field as usize).copied().flatten() {
                Some(v) => Tri::from_bool(op.holds(v, *value)),
                None => Tri::Unknown,
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
                Tri::from_bool(self.num.get(*f as usize).copied().flatten().is_some())
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
    fn not_keeps_unknown() {
        assert_eq!(Tri::Unknown.not(), Tri::Unknown);
        assert_eq!(Tri::True.not(), Tri::False);
    }
}
