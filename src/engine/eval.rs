//! Evaluating compiled conditions over the extracted facts and text hits.

use crate::compile::condition::{Atom, Expr};
use crate::engine::features::{Features, Tri};
use crate::engine::scan::Scratch;

/// Evaluate `expr` in three-valued logic, short-circuiting on a decisive part.
pub(crate) fn eval(expr: &Expr, facts: &Features, scratch: &Scratch) -> Tri {
    match expr {
        Expr::Atom { atom: Atom::Text { fields, set }, .. } => Tri::from_bool(scratch.matched(*fields, *set)),
        Expr::Atom { atom, .. } => facts.atom(atom),
        Expr::Not { inner, .. } => eval(inner, facts, scratch).not(),
        Expr::And(parts) => {
            let mut result = Tri::True;
            for part in parts {
                match eval(part, facts, scratch) {
                    Tri::False => return Tri::False,
                    Tri::Unknown => result = Tri::Unknown,
                    Tri::True => {}
                }
            }
            result
        }
        Expr::Or(parts) => {
            let mut result = Tri::False;
            for part in parts {
                match eval(part, facts, scratch) {
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
