//! The counter procedure: which questions and whether the signed
//! confirmation are required for an operation, and what the teller must do.
//!
//! The pack decides. Its procedure tiers (conditions over the operation and
//! over the outcome: `score`, `level`, `fired`) add questions and the
//! confirmation; every fired rule adds the questions it names and may set a
//! floor on the action; each level demands an action of its own. Then:
//!
//! * a floor of `escalate` or `stop` (from a rule or the level) stands, and
//!   no answer or signature can lower it;
//! * a floor of `confirm` makes the signed confirmation required, and a
//!   floor of `ask` makes the four core questions required;
//! * the action is `confirm` while a required confirmation is incomplete,
//!   else `ask` while a required question is unanswered, else `proceed`.
//!
//! Answers never lower the score; they satisfy the procedure.

use crate::assessment::{Action, Procedure};
use crate::operation::{Interview, Operation, Question};

/// The four questions shared by every variant of the counter procedure.
pub(crate) const CORE_QUESTIONS: u16 = (1 << Question::KnowsPayee as u16)
    | (1 << Question::Purpose as u16)
    | (1 << Question::ContactedByStranger as u16)
    | (1 << Question::ContactedByOfficial as u16);

/// What the tiers, rules and level demand, before answers are considered.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Demands {
    pub(crate) questions: u16,
    pub(crate) confirmation: bool,
    /// The strongest floor from rules and the level.
    pub(crate) floor: Action,
}

impl Demands {
    pub(crate) fn add_floor(&mut self, floor: Action) {
        match floor {
            Action::Proceed => {}
            Action::Ask => self.questions |= CORE_QUESTIONS,
            Action::Confirm => self.confirmation = true,
            Action::Escalate | Action::Stop => {}
        }
        self.floor = self.floor.max(floor);
    }
}

/// Fill `out` with the procedure and return the action.
pub(crate) fn resolve(demands: Demands, op: &Operation, out: &mut Procedure) -> Action {
    out.required.clear();
    out.missing.clear();
    let interview: &Interview = &op.interview;
    // The demanded questions in listing order: the set bits, lowest first.
    let mut demanded = demands.questions;
    while demanded != 0 {
        let bit = demanded.trailing_zeros() as usize;
        demanded &= demanded - 1;
        let Some(&q) = Question::ALL.get(bit) else { break };
        out.required.push(q);
        if !interview.is_answered(q) {
            out.missing.push(q);
        }
    }
    out.confirmation_required = demands.confirmation;
    out.confirmation_missing = demands.confirmation && !op.confirmation.is_complete();
    let procedural = if out.confirmation_missing {
        Action::Confirm
    } else if !out.missing.is_empty() {
        Action::Ask
    } else {
        Action::Proceed
    };
    match demands.floor {
        Action::Escalate | Action::Stop => demands.floor,
        _ => procedural,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn op() -> Operation {
        Operation::new("p", Decimal::from(100))
    }

    #[test]
    fn confirmation_outranks_questions_and_a_signature_satisfies_it() {
        let mut d = Demands::default();
        d.add_floor(Action::Ask);
        d.add_floor(Action::Confirm);
        let mut proc = Procedure::default();
        let mut o = op();
        assert_eq!(resolve(d, &o, &mut proc), Action::Confirm);
        assert_eq!(proc.missing.len(), 4);
        o.confirmation.warning_read = Some(true);
        o.confirmation.signed = Some(true);
        assert_eq!(resolve(d, &o, &mut proc), Action::Ask);
        o.interview.knows_payee = Some(true);
        o.interview.purpose = Some("生活费".into());
        o.interview.contacted_by_stranger = Some(false);
        o.interview.contacted_by_official = Some(false);
        assert_eq!(resolve(d, &o, &mut proc), Action::Proceed);
        assert!(proc.missing.is_empty() && !proc.confirmation_missing);
    }

    #[test]
    fn a_signature_never_cures_escalation() {
        let mut d = Demands::default();
        d.add_floor(Action::Escalate);
        let mut o = op();
        o.confirmation.warning_read = Some(true);
        o.confirmation.signed = Some(true);
        assert_eq!(resolve(d, &o, &mut Procedure::default()), Action::Escalate);
    }
}
