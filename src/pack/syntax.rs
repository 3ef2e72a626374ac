//! The rule-pack files as written: serde structures that mirror the TOML.
//!
//! Every table rejects unknown keys, and every value that is checked later
//! keeps its position (`Spanned`) so that errors can name file, line and
//! column.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::error::LineStarts;
use crate::phrase_pool::PhrasePool;

/// A text in both languages.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Bilingual {
    pub(crate) zh: String,
    pub(crate) en: String,
}

/// `pack.toml`: metadata, thresholds, the procedure policy and normalization.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PackFile {
    pub(crate) pack: PackMeta,
    pub(crate) levels: Levels,
    pub(crate) level_actions: LevelActions,
    #[serde(default)]
    pub(crate) fx: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub(crate) normalize: Normalize,
    pub(crate) procedure: ProcedureDef,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PackMeta {
    pub(crate) name: Spanned<String>,
    pub(crate) version: Spanned<String>,
    #[serde(default)]
    #[allow(dead_code, reason = "documentation for rule authors, read by people, not by the engine")]
    pub(crate) description: Option<String>,
}

/// The lowest overall score of each level.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Levels {
    pub(crate) low: Spanned<i64>,
    pub(crate) medium: Spanned<i64>,
    pub(crate) high: Spanned<i64>,
    pub(crate) critical: Spanned<i64>,
}

/// What each level demands.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LevelActions {
    pub(crate) low: Spanned<String>,
    pub(crate) medium: Spanned<String>,
    pub(crate) high: Spanned<String>,
    pub(crate) critical: Spanned<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Normalize {
    /// Character folds: `"帐" = "账"`; an empty target drops the character.
    #[serde(default)]
    pub(crate) fold: BTreeMap<String, Spanned<String>>,
    /// Words that, just before a phrase, negate it (`谨防安全账户诈骗`).
    #[serde(default)]
    pub(crate) negators: Vec<Spanned<String>>,
    /// Teller-note markers (`已提示`, `已告知客户`): a phrase later in the
    /// same clause quotes a warning, it is not a request.
    #[serde(default)]
    pub(crate) disclaimers: Vec<Spanned<String>>,
    /// Words that, right after a phrase, show it is named as a scam, not
    /// requested (`安全账户诈骗`, "safe account scam warning").
    #[serde(default)]
    pub(crate) post_negators: Vec<Spanned<String>>,
    /// Answers that deny a checklist question: right after a question mark
    /// (`安全账户？无`, "safe account? no"), they cancel the phrase just
    /// before the question.
    #[serde(default)]
    pub(crate) answers: Vec<Spanned<String>>,
    /// How many characters may separate a negator from the phrase.
    #[serde(default)]
    pub(crate) negation_window: Option<Spanned<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProcedureDef {
    #[serde(default)]
    pub(crate) tier: Vec<TierDef>,
    pub(crate) messages: ProcedureMessages,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ProcedureMessages {
    pub(crate) ask: Bilingual,
    pub(crate) confirm: Bilingual,
    pub(crate) escalate: Bilingual,
    pub(crate) stop: Bilingual,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TierDef {
    pub(crate) id: Spanned<String>,
    pub(crate) when: Spanned<String>,
    #[serde(default)]
    pub(crate) ask: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) confirm: bool,
    #[serde(default)]
    #[allow(dead_code, reason = "documentation for rule authors, read by people, not by the engine")]
    pub(crate) note: Option<String>,
}

/// A typology file (or the shared `common.toml`, which has no `[typology]`).
/// `C` is how its `[[case]]` tables are read: as test cases, or skipped
/// (`IgnoredAny`) when only the rules are compiled.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, bound(deserialize = "C: Deserialize<'de> + Default"))]
pub(crate) struct RuleFile<C = Vec<CaseDef>> {
    #[serde(default)]
    pub(crate) typology: Option<TypologyDef>,
    #[serde(default)]
    /// Phrase sets; a phrase's own position is looked up in the text only
    /// when it has to be reported (thousands of spans cost parse time).
    pub(crate) phrases: BTreeMap<String, Spanned<PhrasePool>>,
    #[serde(default)]
    pub(crate) patterns: BTreeMap<String, Spanned<PatternDef>>,
    #[serde(default)]
    pub(crate) warnings: BTreeMap<String, Spanned<Bilingual>>,
    #[serde(default)]
    pub(crate) rule: Vec<RuleDef>,
    #[serde(default)]
    pub(crate) case: C,
}

/// The text of a rule file without its trailing test cases: everything
/// before the first `[[case]]` header, when every table header from there on
/// belongs to a case (`[[case]]`, `[case.operation]` ...). `None` when the
/// cases are not all at the end, so the whole file must be read.
///
/// The cut is exact for everything but the cases: after a table header, keys
/// belong to that table until the next header, so no rule, phrase or warning
/// can sit after the first case unless under a header of its own, which
/// sends the caller back to the whole text. A cut that lands inside a
/// multi-line string leaves a prefix that does not parse; callers then read
/// the whole text as well.
pub(crate) fn without_trailing_cases<'t>(text: &'t str, lines: &LineStarts) -> Option<&'t str> {
    let mut cut = None;
    for (offset, line) in lines.lines(text) {
        let trimmed = line.trim_start();
        if trimmed.starts_with('[') {
            if starts_with_header(trimmed, "[[case]]") {
                cut.get_or_insert(offset);
            } else if cut.is_some() && !starts_with_header(trimmed, "[case.") {
                return None;
            }
        }
    }
    text.get(..cut?)
}

/// Whether `line` starts with `header`, blanks aside (`[ [ case ] ]`).
fn starts_with_header(line: &str, header: &str) -> bool {
    let mut chars = line.chars().filter(|c| !c.is_whitespace());
    header.chars().all(|h| chars.next() == Some(h))
}

impl RuleFile<serde::de::IgnoredAny> {
    /// The same file with no test cases.
    pub(crate) fn without_cases(self) -> RuleFile {
        RuleFile {
            typology: self.typology,
            phrases: self.phrases,
            patterns: self.patterns,
            warnings: self.warnings,
            rule: self.rule,
            case: Vec::new(),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TypologyDef {
    pub(crate) id: Spanned<String>,
    pub(crate) name: Bilingual,
    #[serde(default)]
    #[allow(dead_code, reason = "documentation for rule authors, read by people, not by the engine")]
    pub(crate) references: Vec<String>,
    #[serde(default)]
    #[allow(dead_code, reason = "documentation for rule authors, read by people, not by the engine")]
    pub(crate) description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PatternDef {
    pub(crate) regex: Spanned<String>,
    /// Literals of which one must be present before the regex runs.
    #[serde(default)]
    pub(crate) requires: Vec<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleDef {
    pub(crate) id: Spanned<String>,
    pub(crate) weight: Spanned<i64>,
    pub(crate) when: Spanned<String>,
    #[serde(default)]
    pub(crate) action: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) ask: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) warning: Option<Spanned<String>>,
    /// Only in files without `[typology]`: attribute the rule to a typology.
    #[serde(default)]
    pub(crate) typology: Option<Spanned<String>>,
    #[serde(default)]
    #[allow(dead_code, reason = "documentation for rule authors, read by people, not by the engine")]
    pub(crate) note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct CaseDef {
    pub(crate) name: Spanned<String>,
    /// `hit` (the typology must come first) or `trap` (it must stay quiet).
    pub(crate) expect: Spanned<String>,
    #[serde(default)]
    pub(crate) top: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) action: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) min_action: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) max_action: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) fires: Vec<Spanned<String>>,
    #[serde(default)]
    pub(crate) silent: Vec<Spanned<String>>,
    pub(crate) operation: Spanned<toml::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::PackSource;

    const RULES: &str = "[phrases]\nx = [\"a\"]\n\n[[rule]]\nid = \"r\"\nweight = 1\nwhen = \"text ~ x\"\n";

    #[test]
    fn trailing_cases_are_cut_at_their_first_header() {
        let text = format!(
            "{RULES}\n[[case]]\nname = \"c\"\n[case.operation]\nid = \"1\"\n\n[[ case ]] # spaced\nname = \"d\"\n"
        );
        assert_eq!(without_trailing_cases(&text, &LineStarts::new(&text)), Some(format!("{RULES}\n").as_str()));
    }

    #[test]
    fn anything_but_a_case_after_the_first_case_keeps_the_whole_file() {
        let text = format!("[[case]]\nname = \"c\"\n{RULES}");
        assert_eq!(without_trailing_cases(&text, &LineStarts::new(&text)), None);
        let text = format!("{RULES}[[case]]\nname = \"c\"\n[warnings.W]\nzh = \"x\"\n");
        assert_eq!(without_trailing_cases(&text, &LineStarts::new(&text)), None);
        assert_eq!(without_trailing_cases(RULES, &LineStarts::new(RULES)), None);
    }

    /// For every file of the default pack, the cut text reads to exactly
    /// what the whole text reads to without its cases, spans included.
    #[test]
    fn the_cut_changes_nothing_but_the_cases_in_the_default_pack() {
        let source = PackSource::embedded();
        let mut cut = 0;
        for name in source.file_names().filter(|n| *n != crate::pack::PACK_FILE) {
            let text = source.file(name).unwrap();
            let Some(prefix) = without_trailing_cases(text, &LineStarts::new(text)) else { continue };
            cut += 1;
            let whole = toml::from_str::<RuleFile<serde::de::IgnoredAny>>(text).unwrap().without_cases();
            let part = toml::from_str::<RuleFile<serde::de::IgnoredAny>>(prefix).unwrap().without_cases();
            assert_eq!(format!("{whole:?}"), format!("{part:?}"), "{name}");
        }
        assert!(cut >= 18, "only {cut} files had trailing cases");
    }
}
