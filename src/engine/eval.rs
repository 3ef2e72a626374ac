//! Evaluating compiled conditions over the extracted facts and text hits.

use crate::compile::condition::{Atom, Expr};
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

/// The atoms that made a true `expr` true, in source order: for `and`, all
/// parts; for `or`, the parts that held; under `not`, the negated atom.
pub(crate) fn supporting_atoms<'x>(expr: &'x Expr, facts: &Features, scratch: &Scratch, out: &mut Vec<&'x Expr>) {
    match expr {
        Expr::Atom { .. } => out.push(expr),
        Expr::Not { .. } => out.push(expr),
        Expr::And(parts) => {
            for part in parts {
                supporting_atoms(part, facts, scratch, out);
            }
        }
        Expr::Or(parts) => {
            for part in parts {
                if eval(part, facts, scratch) == Tri::True {
                    supporting_atoms(part, facts, scratch, out);
                }
            }
        }
    }
}
