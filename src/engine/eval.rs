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
        Some(_) => gate.passes(facts.word) && eval_flat(rest, facts, scratch) == Tri::True,
        None => eval(expr, facts, scratch) == Tri::True,
    }
}

/// Evaluate a conjunction of clauses, stopping at the first false clause.
#[inline(always)]
fn eval_flat(literals: &[Literal], facts: &Features, scratch: &Scratch) -> Tri {
    let mut result = Tri::True;
    let mut clause = Tri::False;
    for literal in literals {
        if clause != Tri::True {
            let value = atom(&literal.atom, facts, scratch);
            let value = if literal.negated { value.not() } else { value };
            clause = clause.max(value);
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
            for part in parts {
                supporting_atoms(part, facts, scratch, found);
            }
        }
        Expr::Or(parts) => {
            for part in parts {
                if eval(part, facts, scratch) == Tri::True {
                    supporting_atoms(part, facts, scratch, found);
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
                    assert!(gate.passes(facts.word), "{expr:?}");
                } else if !gate.passes(facts.word) {
                    rejected += 1;
                }
            }
        }
        assert!(flat_forms > 3_000 * program.rules.len() / 2, "{flat_forms}");
        // Both outcomes occur, so the check above means something, and the
        // gates do reject.
        assert!(passed_true > 1_000 && rejected > 10_000, "{passed_true} true, {rejected} rejected");
    }
}
