//! Evaluating compiled conditions over the extracted facts and text hits.

use crate::compile::cnf::Literal;
use crate::compile::condition::{Atom, Expr};
use crate::compile::gate::Gate;
use crate::engine::features::{Features, Tri};
use crate::engine::scan::Scratch;

/// The value of one atom.
#[inline(always)]
fn atom(atom: &Atom, facts: &Features, scratch: &Scratch) -> Tri {
    match atom {
        Atom::Text { fields, set } => Tri::from_bool(scratch.matched(*fields, *set)),
        atom => facts.atom(atom),
    }
}

/// The value of a part of a conjunction or disjunction: atoms, by far the
/// most common parts, are evaluated here without a recursive call.
#[inline(always)]
fn part(expr: &Expr, facts: &Features, scratch: &Scratch) -> Tri {
    match expr {
        Expr::Atom { atom: a, .. } => atom(a, facts, scratch),
        expr => eval(expr, facts, scratch),
    }
}

/// Evaluate `expr` in three-valued logic, short-circuiting on a decisive part.
pub(crate) fn eval(expr: &Expr, facts: &Features, scratch: &Scratch) -> Tri {
    match expr {
        Expr::Atom { atom: a, .. } => atom(a, facts, scratch),
        Expr::Not { inner, .. } => part(inner, facts, scratch).not(),
        Expr::And(parts) => {
            let mut result = Tri::True;
            for p in parts {
                match part(p, facts, scratch) {
                    Tri::False => return Tri::False,
                    Tri::Unknown => result = Tri::Unknown,
                    Tri::True => {}
                }
            }
            result
        }
        Expr::Or(parts) => {
            let mut result = Tri::False;
            for p in parts {
                match part(p, facts, scratch) {
                    Tri::True => return Tri::True,
                    Tri::Unknown => result = Tri::Unknown,
                    Tri::False => {}
                }
            }
            result
        }
    }
}

/// Whether a condition holds: its gate passes and the clauses the gate does
/// not decide hold, when it has a flat form; else its tree is true.
#[inline(always)]
pub(crate) fn holds(
    flat: Option<&[Literal]>,
    gate: Gate,
    rest: &[Literal],
    expr: &Expr,
    facts: &Features,
    scratch: &Scratch,
) -> bool {
    match flat {
        Some(_) => gate.passes(facts.word, facts.numbers) && eval_flat(rest, facts, scratch) == Tri::True,
        None => eval(expr, facts, scratch) == Tri::True,
    }
}

/// Whether a condition could still hold once the fields in `unscanned` are
/// scanned: a phrase atom reading one of them satisfies its clause, since
/// its value is not known yet. Never false for a condition that then holds.
#[inline(always)]
pub(crate) fn could_hold(
    flat: Option<&[Literal]>,
    gate: Gate,
    rest: &[Literal],
    facts: &Features,
    scratch: &Scratch,
    unscanned: u8,
) -> bool {
    match flat {
        Some(_) => {
            gate.passes(facts.word, facts.numbers) && eval_flat_open(rest, facts, scratch, unscanned) != Tri::False
        }
        None => true,
    }
}

/// [`eval_flat`] with the phrase atoms of the `unscanned` fields open.
fn eval_flat_open(literals: &[Literal], facts: &Features, scratch: &Scratch, unscanned: u8) -> Tri {
    eval_clauses(literals, |literal| match &literal.atom {
        Atom::Text { fields, .. } if fields & unscanned != 0 => Tri::True,
        _ => literal_value(literal, facts, scratch),
    })
}

/// Evaluate a conjunction of clauses, stopping at the first false clause.
#[inline(always)]
fn eval_flat(literals: &[Literal], facts: &Features, scratch: &Scratch) -> Tri {
    eval_clauses(literals, |literal| literal_value(literal, facts, scratch))
}

/// The value of one literal: its atom's, negated when the literal is.
#[inline(always)]
fn literal_value(literal: &Literal, facts: &Features, scratch: &Scratch) -> Tri {
    let value = atom(&literal.atom, facts, scratch);
    if literal.negated {
        value.not()
    } else {
        value
    }
}

/// A conjunction of clauses (disjunctions of literals, each clause ending at
/// a literal marked `ends_clause`), in three-valued logic, with `value`
/// giving each literal's value; stops at the first false clause.
#[inline(always)]
fn eval_clauses(literals: &[Literal], value: impl Fn(&Literal) -> Tri) -> Tri {
    let mut result = Tri::True;
    let mut clause = Tri::False;
    for literal in literals {
        if clause != Tri::True {
            clause = clause.max(value(literal));
        }
        if literal.ends_clause {
            match clause {
                Tri::False => return Tri::False,
                Tri::Unknown => result = Tri::Unknown,
                Tri::True => {}
            }
            clause = Tri::False;
        }
    }
    result
}

/// Call `found` with each atom that made a true `expr` true, in source
/// order: for `and`, all parts; for `or`, the parts that held; under `not`,
/// the negated atom.
pub(crate) fn supporting_atoms<'x>(
    expr: &'x Expr,
    facts: &Features,
    scratch: &Scratch,
    found: &mut impl FnMut(&'x Expr),
) {
    match expr {
        Expr::Atom { .. } | Expr::Not { .. } => found(expr),
        Expr::And(parts) => {
            for p in parts {
                supporting_atoms(p, facts, scratch, found);
            }
        }
        Expr::Or(parts) => {
            for p in parts {
                if part(p, facts, scratch) == Tri::True {
                    supporting_atoms(p, facts, scratch, found);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{features::Features, scan::Scratch, Engine};

    /// The flat form of every rule and tier gives the tree's value, unknown
    /// included, on generated operations (ordinary and scam-like); its gate
    /// never rejects a condition that holds, and the gate with the clauses
    /// it leaves decides exactly what the tree does.
    #[test]
    fn flat_conditions_agree_with_their_trees() {
        let engine = Engine::embedded().unwrap();
        let program = &engine.program;
        let mut scratch = Scratch::default();
        let (mut flat_forms, mut passed_true, mut rejected) = (0, 0, 0);
        for op in crate::workload::generate(3_000, 7) {
            scratch.scan(program, &op);
            scratch.scan_fields(program, &op, program.lazy_fields);
            let facts = Features::extract(program, &op);
            let conditions = program
                .rules
                .iter()
                .map(|r| (&r.expr, r.flat.as_deref(), r.gate, &*r.rest))
                .chain(program.tiers.iter().map(|t| (&t.expr, t.flat.as_deref(), t.gate, &*t.rest)));
            for (expr, flat, gate, rest) in conditions {
                let value = eval(expr, &facts, &scratch);
                if let Some(literals) = flat {
                    flat_forms += 1;
                    assert_eq!(eval_flat(literals, &facts, &scratch), value, "{expr:?}");
                }
                // The gate and the clauses it leaves decide exactly.
                assert_eq!(holds(flat, gate, rest, expr, &facts, &scratch), value == Tri::True, "{expr:?}");
                // The gate is necessary: a true condition always passes it.
                if value == Tri::True {
                    passed_true += 1;
                    assert!(gate.passes(facts.word, facts.numbers), "{expr:?}");
                } else if !gate.passes(facts.word, facts.numbers) {
                    rejected += 1;
                }
            }
        }
        assert!(flat_forms > 3_000 * program.rules.len() / 2, "{flat_forms}");
        // Both outcomes occur, so the check above means something, and the
        // gates do reject.
        assert!(passed_true > 1_000 && rejected > 10_000, "{passed_true} true, {rejected} rejected");
    }

    /// Before the lazy fields are scanned, `could_hold` never rules out a
    /// rule that holds once they are, and it does rule some out.
    #[test]
    fn could_hold_never_rules_out_a_rule_that_holds() {
        let engine = Engine::embedded().unwrap();
        let program = &engine.program;
        assert_ne!(program.lazy_fields, 0, "the default pack scans payee.name lazily");
        let mut scratch = Scratch::default();
        // Operations on which rules reading `payee.name` hold, the
        // positive reads and the negated ones, beside ordinary traffic.
        let readers = [
            r#"{"id":"a","amount":"38000","customer":{"age":80,"usual_amount":"1000"},"payee":{"name":"福寿养生馆","kind":"company","first_time":true}}"#,
            r#"{"id":"b","amount":"300000","customer":{"age":52,"transfers_last_24h":2},"payee":{"name":"某某资本管理有限公司","kind":"company","first_time":true}}"#,
            r#"{"id":"c","amount":"3000","payee":{"name":"张三","kind":"person","first_time":true},"purpose":"中奖了先交手续费才能领奖"}"#,
        ];
        let readers = readers.iter().map(|json| crate::Operation::from_json(json).unwrap());
        let (mut ruled_out, mut held, mut held_reading_lazy) = (0, 0, 0);
        for op in crate::workload::generate(3_000, 11).into_iter().chain(readers) {
            scratch.scan(program, &op);
            let facts = Features::extract(program, &op);
            let open: Vec<bool> = program
                .rules
                .iter()
                .map(|r| could_hold(r.flat.as_deref(), r.gate, &r.rest, &facts, &scratch, program.lazy_fields))
                .collect();
            scratch.scan_fields(program, &op, program.lazy_fields);
            for (rule, could) in program.rules.iter().zip(open) {
                if holds(rule.flat.as_deref(), rule.gate, &rule.rest, &rule.expr, &facts, &scratch) {
                    held += 1;
                    held_reading_lazy += usize::from(rule.lazy_fields != 0);
                    assert!(could, "{:?}", rule.expr);
                } else if !could && rule.lazy_fields != 0 {
                    ruled_out += 1;
                }
            }
        }
        assert!(held > 100 && ruled_out > 1_000, "{held} held, {ruled_out} ruled out");
        assert!(held_reading_lazy >= 2, "{held_reading_lazy} rules reading payee.name held");
    }
}
