//! Writing an [`Assessment`] as the contract's JSON, directly into a string.
//!
//! The output is byte for byte what `serde_json` makes of the derived
//! `Serialize` implementation (a test checks it on thousands of
//! assessments), but most strings in an assessment are the pack's own texts,
//! long Chinese warnings among them, that need no escaping: they are checked
//! a word at a time and copied whole. A string that does need escaping goes
//! through `serde_json`.

use std::fmt::Write as _;

use crate::assessment::{Assessment, Evidence, Match, TypologyScore, Warning};
use crate::operation::Question;

/// Whether `s` holds a byte JSON must escape: `"`, `\` or a control byte.
fn needs_escape(s: &str) -> bool {
    // Written without early exit so that it vectorizes.
    s.bytes().fold(false, |found, b| found | (b < 0x20) | (b == b'"') | (b == b'\\'))
}

fn string(out: &mut String, s: &str) {
    if needs_escape(s) {
        match serde_json::to_string(s) {
            Ok(escaped) => out.push_str(&escaped),
            Err(_) => out.push_str("\"\""),
        }
    } else {
        out.push('"');
        out.push_str(s);
        out.push('"');
    }
}

fn key(out: &mut String, name: &str) {
    out.push('"');
    out.push_str(name);
    out.push_str("\":");
}

fn number(out: &mut String, n: impl std::fmt::Display) {
    let _ = write!(out, "{n}");
}

fn list<T>(out: &mut String, items: &[T], mut item: impl FnMut(&mut String, &T)) {
    out.push('[');
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        item(out, x);
    }
    out.push(']');
}

fn strings(out: &mut String, items: &[&str]) {
    list(out, items, |out, s| string(out, s));
}

fn questions(out: &mut String, items: &[Question]) {
    list(out, items, |out, q| string(out, q.as_str()));
}

fn typology(out: &mut String, t: &TypologyScore<'_>) {
    out.push('{');
    key(out, "typology");
    string(out, t.typology);
    out.push(',');
    key(out, "score");
    number(out, t.score);
    out.push(',');
    key(out, "rules");
    strings(out, &t.rules);
    out.push('}');
}

fn evidence(out: &mut String, e: &Evidence<'_>) {
    match e {
        Evidence::Text { field, phrases, text, start, end } => {
            out.push('{');
            key(out, "field");
            string(out, field);
            out.push(',');
            key(out, "phrases");
            string(out, phrases);
            out.push(',');
            key(out, "text");
            string(out, text);
            out.push(',');
            key(out, "start");
            number(out, start);
            out.push(',');
            key(out, "end");
            number(out, end);
        }
        Evidence::Condition { condition } => {
            out.push('{');
            key(out, "condition");
            string(out, condition);
        }
    }
    out.push('}');
}

fn matched(out: &mut String, m: &Match<'_>) {
    out.push('{');
    key(out, "rule");
    string(out, m.rule);
    out.push(',');
    key(out, "typology");
    match m.typology {
        Some(t) => string(out, t),
        None => out.push_str("null"),
    }
    out.push(',');
    key(out, "weight");
    number(out, m.weight);
    out.push(',');
    key(out, "evidence");
    list(out, &m.evidence, evidence);
    out.push('}');
}

fn warning(out: &mut String, w: &Warning<'_>) {
    out.push('{');
    key(out, "code");
    string(out, w.code);
    out.push(',');
    key(out, "message");
    string(out, w.message);
    if !w.rules.is_empty() {
        out.push(',');
        key(out, "rules");
        strings(out, &w.rules);
    }
    out.push('}');
}

/// Append `a` as one line of the contract's JSON (no newline) to `out`.
pub(crate) fn write(a: &Assessment<'_>, out: &mut String) {
    out.push('{');
    key(out, "id");
    string(out, &a.id);
    out.push(',');
    key(out, "score");
    number(out, a.score);
    out.push(',');
    key(out, "level");
    string(out, a.level.as_str());
    out.push(',');
    key(out, "action");
    string(out, a.action.as_str());
    out.push(',');
    key(out, "typologies");
    list(out, &a.typologies, typology);
    out.push(',');
    key(out, "matches");
    list(out, &a.matches, matched);
    out.push(',');
    key(out, "procedure");
    out.push('{');
    key(out, "required");
    questions(out, &a.procedure.required);
    out.push(',');
    key(out, "missing");
    questions(out, &a.procedure.missing);
    out.push(',');
    key(out, "confirmation_required");
    out.push_str(if a.procedure.confirmation_required { "true" } else { "false" });
    out.push(',');
    key(out, "confirmation_missing");
    out.push_str(if a.procedure.confirmation_missing { "true" } else { "false" });
    out.push_str("},");
    key(out, "warnings");
    list(out, &a.warnings, warning);
    out.push(',');
    key(out, "rules_version");
    string(out, a.rules_version);
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Engine, Lang};

    /// The hand-written JSON is exactly serde's, on ordinary and scam-like
    /// operations in both languages, and on texts that need escaping.
    #[test]
    fn matches_serde_byte_for_byte() {
        let engine = Engine::embedded().unwrap();
        let mut ops = crate::workload::generate(2_000, 3);
        let mut odd = ops[0].clone();
        odd.id = "id with \"quotes\", a \\ and a\ttab".to_string();
        odd.purpose = Some("转入\"安全账户\"\n配合调查\u{1}".to_string());
        ops.push(odd);
        let mut firing = 0;
        for op in &ops {
            for lang in [Lang::Zh, Lang::En] {
                let a = engine.assess_in(op, lang);
                firing += usize::from(!a.matches.is_empty());
                let mut mine = String::new();
                write(&a, &mut mine);
                assert_eq!(mine, serde_json::to_string(&a).unwrap());
            }
        }
        assert!(firing > 100, "{firing}");
    }

    #[test]
    fn only_quotes_backslashes_and_control_bytes_need_escaping() {
        assert!(!needs_escape("请宣读风险提示 / don't"));
        for s in ["a\"b", "a\\b", "a\nb", "\u{1f}"] {
            assert!(needs_escape(s), "{s:?}");
        }
    }
}
