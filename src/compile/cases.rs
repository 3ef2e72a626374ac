//! The test cases a pack carries beside its rules, checked for
//! well-formedness when the tests are built (the operation must be valid,
//! every named rule, typology and action must exist) and run by
//! `tellerguard test` and `cargo test`. Compiling the engine alone skips them.

use crate::assessment::Action;
use crate::compile::Ctx;
use crate::error::{ErrorKind, Location};
use crate::operation::Operation;
use crate::pack::syntax::CaseDef;

/// What a case expects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CaseExpect {
    /// `true` for a trap: the file's typology must not fire at all.
    pub(crate) trap: bool,
    /// The typology that must come first (`Some("")` would mean none).
    pub(crate) top: Option<String>,
    /// The typology of the file the case lives in.
    pub(crate) typology: Option<String>,
    pub(crate) min_action: Option<Action>,
    pub(crate) max_action: Option<Action>,
    pub(crate) fires: Vec<String>,
    pub(crate) silent: Vec<String>,
}

/// One test case of a pack.
#[derive(Clone, Debug)]
pub(crate) struct TestCase {
    pub(crate) name: String,
    pub(crate) location: Location,
    pub(crate) operation: Operation,
    pub(crate) expect: CaseExpect,
}

/// The operation of a case, parsed as the contract's JSON; the error says
/// what is wrong with it.
pub(crate) fn case_operation(def: &CaseDef) -> Result<Operation, String> {
    let json = serde_json::to_string(def.operation.get_ref()).map_err(|e| e.to_string())?;
    Operation::from_json(&json).map_err(|e| format!("operation {e}"))
}

/// Check a case against the compiled rules; `operation` is what
/// [`case_operation`] made of it.
pub(crate) fn compile_case(
    ctx: &mut Ctx<'_>,
    def: &CaseDef,
    operation: Result<Operation, String>,
    typology: Option<&str>,
    rule_ids: &[&str],
    typology_ids: &[&str],
) -> Option<TestCase> {
    let name = def.name.get_ref().clone();
    let at = def.name.span().start;
    let trap = match def.expect.get_ref().as_str() {
        "hit" => false,
        "trap" => true,
        other => {
            ctx.error(
                ErrorKind::Value,
                def.expect.span().start,
                format!("`expect` must be `hit` or `trap`, got `{other}`"),
            );
            return None;
        }
    };
    let mut ok = true;
    let mut action = |value: &Option<toml::Spanned<String>>| -> Option<Action> {
        let v = value.as_ref()?;
        let parsed = crate::compile::parse_action(ctx, v);
        ok &= parsed.is_some();
        parsed
    };
    let exact = action(&def.action);
    let min_action = action(&def.min_action).or(exact);
    let max_action = action(&def.max_action).or(exact).or(if trap { Some(Action::Confirm) } else { None });
    for rule in def.fires.iter().chain(&def.silent) {
        if !rule_ids.contains(&rule.get_ref().as_str()) {
            ctx.error(
                ErrorKind::Unknown,
                rule.span().start,
                format!("case `{name}` names unknown rule `{}`", rule.get_ref()),
            );
            ok = false;
        }
    }
    if let Some(top) = &def.top {
        if !top.get_ref().is_empty() && !typology_ids.contains(&top.get_ref().as_str()) {
            ctx.error(
                ErrorKind::Unknown,
                top.span().start,
                format!("case `{name}` names unknown typology id `{}`", top.get_ref()),
            );
            ok = false;
        }
    }
    if !trap && def.top.is_none() && typology.is_none() {
        ctx.error(ErrorKind::Value, at, format!("case `{name}` is a hit in a file without `[typology]`: give `top`"));
        ok = false;
    }
    let operation = match operation {
        Ok(op) => op,
        Err(message) => {
            ctx.error(ErrorKind::Value, def.operation.span().start, format!("case `{name}`: {message}"));
            return None;
        }
    };
    if !ok {
        return None;
    }
    Some(TestCase {
        name,
        location: ctx.location(at),
        operation,
        expect: CaseExpect {
            trap,
            top: def.top.as_ref().map(|t| t.get_ref().clone()),
            typology: typology.map(str::to_string),
            min_action,
            max_action,
            fires: def.fires.iter().map(|r| r.get_ref().clone()).collect(),
            silent: def.silent.iter().map(|r| r.get_ref().clone()).collect(),
        },
    })
}
