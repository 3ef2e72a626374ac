//! Scanning the text fields: each field is normalized once and run once
//! through the pack's single phrase automaton; a regex runs only on a field
//! where one of its required literals was seen.

use crate::compile::condition::TEXT_FIELDS;
use crate::compile::program::Program;
use crate::operation::Operation;
use crate::text::Dense;

/// The first match of a phrase set in a field.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Hit {
    pub(crate) field: u8,
    pub(crate) set: u32,
    /// Byte span in the original field text.
    pub(crate) start: u32,
    pub(crate) end: u32,
}

/// How many characters may separate a phrase from a post-negator after it.
const POST_NEGATION_WINDOW: usize = 1;

/// How many characters may separate a phrase from the question mark that a
/// "no" answers (`安全账户了吗？没有`).
const ANSWER_WINDOW: usize = 2;

/// Reusable buffers for one assessment at a time.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    dense: Dense,
    /// Per phrase set, bit `f` set when it matched in text field `f`.
    set_fields: Vec<u8>,
    /// Bit `f` set once text field `f` of this operation has been scanned.
    scanned: u8,
    pub(crate) hits: Vec<Hit>,
    pending_regexes: Vec<u32>,
    /// Phrase hits of the field being scanned, kept until the scan shows
    /// whether a denial (a post-negator such as "诈骗", or a "no" answer)
    /// follows them:
    /// (pattern, end character, original byte span).
    pending_hits: Vec<(u32, usize, u32, u32)>,
    /// In the field being scanned, where each post-negator or "no" answer
    /// after a question mark starts (characters), and how many characters
    /// before it the phrase it cancels may end.
    denials: Vec<(usize, usize)>,
    pub(crate) signals: Vec<u64>,
    pub(crate) candidates: Vec<u64>,
    pub(crate) fired: Vec<u32>,
    pub(crate) typology_remaining: Vec<u64>,
    /// Fired rules with a warning: (weight, warning, rule).
    pub(crate) warning_order: Vec<(u8, u16, u32)>,
}

/// Record that phrase set `set` matched in `field` (its first match there).
fn mark(set_fields: &mut [u8], hits: &mut Vec<Hit>, field: usize, set: u32, start: u32, end: u32) {
    let bit = 1u8 << field;
    if let Some(fields) = set_fields.get_mut(set as usize) {
        if *fields & bit == 0 {
            *fields |= bit;
            hits.push(Hit { field: field as u8, set, start, end });
        }
    }
}

/// The texts of an operation, in `TEXT_FIELDS` order.
pub(crate) fn field_texts(op: &Operation) -> [Option<&str>; TEXT_FIELDS.len()] {
    std::array::from_fn(|field| field_text(op, field as u32))
}

/// The text of field `field` (an index into `TEXT_FIELDS`), if present.
#[inline]
fn field_text(op: &Operation, field: u32) -> Option<&str> {
    match field {
        0 => op.purpose.as_deref(),
        1 => op.remark.as_deref(),
        2 => op.interview.purpose.as_deref(),
        3 => op.payee.name.as_deref(),
        4 => op.payee.bank.as_deref(),
        _ => None,
    }
}

/// What the phrase matches of one field mean in their context: negators,
/// disclaimers, word boundaries and clauses decide which matches count.
struct MatchContext<'a> {
    program: &'a Program,
    dense: &'a Dense,
    window: usize,
    /// The negated scope: phrases starting in [from, to + window] are
    /// negated; `from` is where the negator ended, `to` grows as a quoted
    /// list of phrases continues.
    negated_scope: Option<(usize, usize)>,
    disclaimer_clause: Option<u16>,
    denials: &'a mut Vec<(usize, usize)>,
    pending_hits: &'a mut Vec<(u32, usize, u32, u32)>,
    pending_regexes: &'a mut Vec<u32>,
}

impl MatchContext<'_> {
    /// Take in a match of phrase `pattern` on dense characters
    /// `start_char..end_char`. Matches are rare beside the characters
    /// scanned, so this stays out of the automaton's loop.
    #[inline(never)]
    fn found(&mut self, pattern: u32, start_char: usize, end_char: usize) {
        let (program, dense, window) = (self.program, self.dense, self.window);
        let Some(target) = program.targets.get(pattern as usize) else { return };
        if (target.word_start && !dense.starts_word(start_char)) || (target.word_end && !dense.ends_word(end_char)) {
            return;
        }
        let clause = dense.clause(start_char);
        // A Chinese phrase never spans two clauses: "派来的人, 事后退还" holds
        // no 人事. (English phrases may: "in a meeting, can't talk".)
        if !target.word_start && end_char > start_char && clause != dense.clause(end_char - 1) {
            return;
        }
        if target.negator {
            self.negated_scope = match self.negated_scope {
                // A negator inside an open scope extends it.
                Some((from, to)) if start_char <= to + window => Some((from, to.max(end_char))),
                _ => Some((end_char, end_char)),
            };
        }
        if target.disclaimer {
            self.disclaimer_clause = Some(clause);
        }
        if target.post_negator {
            self.denials.push((start_char, POST_NEGATION_WINDOW));
        }
        if target.answer && dense.follows_question(start_char) {
            self.denials.push((start_char, ANSWER_WINDOW));
        }
        let negated = self.disclaimer_clause == Some(clause)
            || self.negated_scope.is_some_and(|(from, to)| start_char >= from && start_char <= to + window);
        if negated {
            // A list of quoted phrases ("谨防安全账户、资金清查") stays negated,
            // and so does a longer phrase overlapping a negated shorter one.
            if let (Some((from, to)), false) = (self.negated_scope, target.negator || target.disclaimer) {
                self.negated_scope = Some((from, to.max(end_char)));
            }
            return;
        }
        if target.set_count == 0 && target.regex_count == 0 {
            return;
        }
        let Some((start, end)) = dense.original_span(start_char, end_char) else { return };
        if target.set_count != 0 {
            self.pending_hits.push((pattern, end_char, start as u32, end as u32));
        }
        if target.regex_count != 0 {
            for &r in program.target_regexes(target) {
                if !self.pending_regexes.contains(&r) {
                    self.pending_regexes.push(r);
                }
            }
        }
    }
}

impl Scratch {
    /// Reset for a program with `sets` phrase sets.
    pub(crate) fn reset(&mut self, sets: usize) {
        if self.set_fields.len() == sets {
            // Only the sets the last operation hit are marked.
            for hit in &self.hits {
                if let Some(fields) = self.set_fields.get_mut(hit.set as usize) {
                    *fields = 0;
                }
            }
        } else {
            self.set_fields.clear();
            self.set_fields.resize(sets, 0);
        }
        self.hits.clear();
        self.scanned = 0;
    }

    /// Whether phrase set `set` matched in any of the fields of `mask`.
    #[inline]
    pub(crate) fn matched(&self, mask: u8, set: u32) -> bool {
        self.set_fields.get(set as usize).is_some_and(|fields| fields & mask != 0)
    }

    /// Start an assessment: forget the previous operation's hits and scan
    /// the fields of `op` that are not lazy.
    pub(crate) fn scan(&mut self, program: &Program, op: &Operation) {
        self.reset(program.set_names.len());
        self.scan_fields(program, op, program.scan_fields & !program.lazy_fields);
    }

    /// Normalize and scan every present text field of `op` in `fields` (a
    /// bit per `TEXT_FIELDS` entry). A field no condition reads is skipped:
    /// its hits could only add candidate rules whose text atoms then read
    /// other fields, and evidence only quotes the fields an atom reads.
    pub(crate) fn scan_fields(&mut self, program: &Program, op: &Operation, fields: u8) {
        let mut fields = fields;
        while fields != 0 {
            let field = fields.trailing_zeros();
            fields &= fields - 1;
            if let Some(text) = field_text(op, field).filter(|t| !t.is_empty()) {
                // A text already scanned in another field (the interview's
                // purpose often repeats the slip's) has the same matches.
                match self.scanned_with_text(op, text) {
                    Some(earlier) => self.copy_hits(earlier, field as usize),
                    None => self.scan_field(program, field as usize, text),
                }
                self.scanned |= 1 << field;
            }
        }
    }

    /// A field of `op` already scanned whose text is `text`.
    fn scanned_with_text(&self, op: &Operation, text: &str) -> Option<u8> {
        let mut scanned = self.scanned;
        while scanned != 0 {
            let field = scanned.trailing_zeros();
            scanned &= scanned - 1;
            if field_text(op, field) == Some(text) {
                return Some(field as u8);
            }
        }
        None
    }

    /// Record for `field` the hits already found in field `earlier`, which
    /// holds the same text.
    fn copy_hits(&mut self, earlier: u8, field: usize) {
        let Scratch { set_fields, hits, .. } = self;
        for index in 0..hits.len() {
            if let Some(&Hit { field: f, set, start, end }) = hits.get(index) {
                if f == earlier {
                    mark(set_fields, hits, field, set, start, end);
                }
            }
        }
    }

    fn scan_field(&mut self, program: &Program, field: usize, text: &str) {
        // Disjoint borrows of the buffers: nothing is moved in or out.
        let Scratch { dense, set_fields, hits, pending_regexes, pending_hits, denials, .. } = self;
        program.normalizer.normalize_into(text, dense);
        pending_regexes.clear();
        pending_hits.clear();
        denials.clear();
        if let (Some(automaton), false) = (&program.automaton, dense.is_empty()) {
            let dense: &Dense = dense;
            let mut context = MatchContext {
                program,
                dense,
                window: program.negation_window as usize,
                negated_scope: None,
                disclaimer_clause: None,
                denials,
                pending_hits,
                pending_regexes,
            };
            automaton.for_each_match(dense.chars().iter().map(|d| d.c), |pattern, start_char, end_char| {
                context.found(pattern, start_char, end_char)
            });
        }
        // A phrase named as a scam right after it ("安全账户诈骗", "safe account
        // scam warning") is quoted, not requested; so is one asked about and
        // answered "no" ("安全账户？无").
        for &(pattern, end_char, start, end) in pending_hits.iter() {
            if denials.iter().any(|&(at, window)| at >= end_char && at - end_char <= window) {
                continue;
            }
            if let Some(target) = program.targets.get(pattern as usize) {
                for &set in program.target_sets(target) {
                    mark(set_fields, hits, field, set, start, end);
                }
            }
        }
        // The regexes whose required literal was seen, then those that run
        // on every field.
        for compiled in
            pending_regexes.iter().chain(&program.always_regexes).filter_map(|&i| program.regexes.get(i as usize))
        {
            if let Some(m) = compiled.regex.find(dense.text()) {
                let (start, end) = (m.start(), m.end());
                let (first, last) = (dense.char_index(start), dense.char_index(end));
                if let Some((start, end)) = dense.original_span(first, last) {
                    mark(set_fields, hits, field, compiled.set, start as u32, end as u32);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Engine;

    /// The hits of every field of `op`, as (field, set, start, end), sorted.
    fn hits_of(scratch: &mut Scratch, program: &Program, op: &Operation) -> Vec<(u8, u32, u32, u32)> {
        scratch.scan(program, op);
        scratch.scan_fields(program, op, program.lazy_fields);
        let mut hits: Vec<_> = scratch.hits.iter().map(|h| (h.field, h.set, h.start, h.end)).collect();
        hits.sort_unstable();
        hits
    }

    /// A field whose text another field already holds takes that field's
    /// hits: exactly the hits a scan of its own finds.
    #[test]
    fn a_repeated_text_has_the_hits_of_its_own_scan() {
        let engine = Engine::embedded().unwrap();
        let program = &engine.program;
        let mut scratch = Scratch::default();
        let texts = ["转入安全账户配合公安清查资金", "装修", "对方说不要告诉银行, 马上转", "刷单返利, 先垫付", "家用"];
        let mut with_hits = 0;
        for text in texts {
            let json = format!(
                r#"{{"id":"r","amount":"5000","payee":{{"name":"{text}"}},"purpose":"{text}","remark":"{text}","interview":{{"purpose":"{text}"}}}}"#
            );
            let op = Operation::from_json(&json).unwrap();
            let all = hits_of(&mut scratch, program, &op);
            for field in [1u8, 2, 3] {
                // The same text alone in the interview's purpose: scanned afresh.
                let alone = Operation::from_json(&format!(
                    r#"{{"id":"a","amount":"5000","interview":{{"purpose":"{text}"}}}}"#
                ))
                .unwrap();
                let fresh: Vec<_> = hits_of(&mut scratch, program, &alone)
                    .into_iter()
                    .map(|(_, set, start, end)| (field, set, start, end))
                    .collect();
                let copied: Vec<_> = all.iter().copied().filter(|h| h.0 == field).collect();
                assert_eq!(copied, fresh, "{text}, field {field}");
                with_hits += usize::from(!fresh.is_empty());
            }
        }
        // The comparison above means something: most repeated fields have hits.
        assert!(with_hits >= 9, "{with_hits} of 15 repeated fields had hits");
    }
}
