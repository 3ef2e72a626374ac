//! Conditions flattened for evaluation: a conjunction of clauses, each a
//! disjunction of possibly negated atoms, in one array.
//!
//! Kleene's three-valued logic keeps De Morgan's laws, double negation and
//! distributivity, so every condition has an equivalent conjunctive normal
//! form, and `and` and `or` commute, so clauses and literals may be put in
//! any order. The engine evaluates the flat form with two plain loops and no
//! recursion; the parsed tree is kept for explaining a match.
//!
//! Distributing `or` over `and` can multiply the size of a condition; past
//! [`MAX_LITERALS`] the tree is evaluated instead.

use crate::compile::condition::{Atom, Expr};

/// The largest flat form built, in literals.
pub(crate) const MAX_LITERALS: usize = 48;

/// A possibly negated atom; `ends_clause` marks the last literal of a clause.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Literal {
    pub(crate) atom: Atom,
    pub(crate) negated: bool,
    pub(crate) ends_clause: bool,
}

type Clauses = Vec<Vec<(Atom, bool)>>;

/// The flat form of `expr`, or `None` when it would exceed [`MAX_LITERALS`].
pub(crate) fn flatten(expr: &Expr) -> Option<Box<[Literal]>> {
    let mut clauses = clauses(expr, false)?;
    for clause in &mut clauses {
        clause.sort_by_key(|&(ref atom, negated)| rank(atom, negated));
    }
    // Single-literal clauses first, the likeliest to be false first: a
    // conjunction stops at its first false clause.
    clauses.sort_by_key(|clause| (clause.len() > 1, clause.iter().map(|(a, n)| rank(a, *n)).max().unwrap_or(0)));
    let mut literals = Vec::new();
    for clause in clauses {
        let last = clause.len().saturating_sub(1);
        for (i, (atom, negated)) in clause.into_iter().enumerate() {
            literals.push(Literal { atom, negated, ends_clause: i == last });
        }
    }
    Some(literals.into_boxed_slice())
}

/// An order of literals, cheapest and least often true first: phrases and
/// observations are rare in ordinary traffic, "not known to be" and
/// "known" tests nearly always hold. Only speed depends on it.
fn rank(atom: &Atom, negated: bool) -> u8 {
    let rare = match atom {
        Atom::Const(_) => 0,
        Atom::Text { .. } | Atom::Observed(_) => 1,
        Atom::Flag { .. } | Atom::Enum { .. } | Atom::Currency { .. } => 2,
        Atom::Num { .. } => 3,
        Atom::FlagIsNot { .. } | Atom::Known(_) => 4,
    };
    // A negated rare test is a common one.
    if negated && rare == 1 {
        4
    } else {
        rare
    }
}

fn size(clauses: &Clauses) -> usize {
    clauses.iter().map(Vec::len).sum()
}

/// The clauses of `expr`, or of `not expr` when `negate`.
fn clauses(expr: &Expr, negate: bool) -> Option<Clauses> {
    let result = match expr {
        Expr::Atom { atom, .. } => vec![vec![(atom.clone(), negate)]],
        Expr::Not { inner, .. } => clauses(inner, !negate)?,
        // A conjunction (or a negated disjunction): all the parts' clauses.
        Expr::And(parts) | Expr::Or(parts) if matches!(expr, Expr::And(_)) != negate => {
            let mut all = Vec::new();
            for part in parts {
                all.extend(clauses(part, negate)?);
            }
            all
        }
        // A disjunction: one clause per choice of a clause from each part.
        Expr::And(parts) | Expr::Or(parts) => {
            let mut product: Clauses = vec![Vec::new()];
            for part in parts {
                let part = clauses(part, negate)?;
                let mut next = Vec::with_capacity(product.len() * part.len());
                for left in &product {
                    for right in &part {
                        next.push(left.iter().chain(right).cloned().collect());
                    }
                }
                if size(&next) > MAX_LITERALS {
                    return None;
                }
                product = next;
            }
            product
        }
    };
    (size(&result) <= MAX_LITERALS).then_some(result)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::condition::{parse, Phase};

    fn flat(source: &str) -> Option<Box<[Literal]>> {
        let names = |name: &str| match name {
            "a" => Some(0),
            "b" => Some(1),
            _ => None,
        };
        flatten(&parse(source, Phase::Rule, &names).unwrap())
    }

    #[test]
    fn distributes_or_over_and_and_pushes_negation_to_atoms() {
        let f = flat("observations.on_phone and not (payee.first_time or (amount >= 10 and text ~ a))").unwrap();
        // on_phone ∧ ¬first_time ∧ (¬(amount ≥ 10) ∨ ¬text~a)
        assert_eq!(f.len(), 4);
        assert_eq!(f.iter().filter(|l| l.ends_clause).count(), 3);
        assert!(f.iter().filter(|l| l.negated).count() == 3);
        let last_clause: Vec<&Literal> = f.iter().skip(2).collect();
        // A negated phrase test nearly always holds: it goes last.
        assert!(matches!(last_clause[0].atom, Atom::Num { .. }) && !last_clause[0].ends_clause);
        assert!(matches!(last_clause[1].atom, Atom::Text { .. }) && last_clause[1].ends_clause);
    }

    #[test]
    fn gives_up_past_the_size_limit() {
        let wide: Vec<String> = (0..7).map(|i| format!("(amount >= {i} and customer.age >= {i})")).collect();
        assert!(flat(&wide.join(" or ")).is_none());
        assert!(flat("(amount >= 1 and customer.age >= 2) or text ~ a | b").is_some());
    }
}
