//! From fired rules to the assessment: scores, level, procedure, action,
//! warnings and evidence.
//!
//! Scoring is a noisy-OR, so it is monotone (a further fired rule never
//! lowers a score) and bounded:
//!
//! * a typology's score is `100 × (1 − Π(1 − wᵢ/100))` over its fired rules;
//! * the overall score combines the top typology's score with the general
//!   rules (those without a typology) the same way;
//! * the pack's thresholds turn the overall score into a level.

use crate::assessment::{Action, Assessment, Evidence, Lang, Match, TypologyScore, Warning};
use crate::compile::condition::{Atom, Expr, TEXT_FIELDS};
use crate::compile::program::{PatternTarget, Program, WarningText};
use crate::compile::trigger::fixed_signal_bits;
use crate::engine::eval::{could_hold, holds, supporting_atoms};
use crate::engine::features::Features;
use crate::engine::scan::{field_texts, Scratch};
use crate::operation::Operation;
use crate::procedure::{self, Demands};
use crate::text::char_count;

const ONE: u64 = 1_000_000;

fn has_bit(words: &[u64], i: usize) -> bool {
    words.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
}

/// Set the bits of `bits` from bit `at` on (crossing into the next word
/// when needed).
fn or_bits(words: &mut [u64], at: usize, bits: u64) {
    let shift = at % 64;
    if let Some(w) = words.get_mut(at / 64) {
        *w |= bits << shift;
    }
    if shift != 0 {
        if let Some(w) = words.get_mut(at / 64 + 1) {
            *w |= bits >> (64 - shift);
        }
    }
}

fn set_bit(words: &mut [u64], i: usize) {
    if let Some(w) = words.get_mut(i / 64) {
        *w |= 1 << (i % 64);
    }
}

/// Decide which rules fire; their indexes go to `scratch.fired`, in pack order.
pub(crate) fn evaluate_rules(program: &Program, op: &Operation, facts: &Features, scratch: &mut Scratch) {
    let sets = program.set_names.len();
    let mut signals = std::mem::take(&mut scratch.signals);
    signals.clear();
    signals.resize(program.signal_count().div_ceil(64), 0);
    // A set matched in some field exactly when the scan recorded a hit for it.
    for hit in &scratch.hits {
        set_bit(&mut signals, hit.set as usize);
    }
    // Observations, yes/no answers and enum values: one run of bits.
    let fixed = fixed_signal_bits(facts.observations, facts.flags_true, facts.flags_false, facts.enum_values());
    or_bits(&mut signals, sets, fixed);
    let mut candidates = std::mem::take(&mut scratch.candidates);
    candidates.clear();
    candidates.extend_from_slice(&program.always_rules);
    for (word_index, word) in signals.iter().enumerate() {
        let mut bits = *word;
        while bits != 0 {
            let signal = word_index * 64 + bits.trailing_zeros() as usize;
            bits &= bits - 1;
            for &rule in program.signal_rules.get(signal).map_or(&[][..], Vec::as_slice) {
                set_bit(&mut candidates, rule as usize);
            }
        }
    }
    // The lazy fields that a candidate rule or a tier will read; a candidate
    // that cannot hold whatever those fields say is dropped unscanned.
    if program.lazy_fields != 0 {
        let mut lazy = program.tier_lazy_fields;
        for (word_index, (word, readers)) in candidates.iter_mut().zip(&program.lazy_rules).enumerate() {
            let mut bits = *word & *readers;
            while bits != 0 {
                let bit = bits.trailing_zeros();
                bits &= bits - 1;
                let Some(r) = program.rules.get(word_index * 64 + bit as usize) else { continue };
                if could_hold(r.flat.as_deref(), r.gate, &r.rest, facts, scratch, r.lazy_fields) {
                    lazy |= r.lazy_fields;
                } else {
                    *word &= !(1 << bit);
                }
            }
        }
        if lazy != 0 {
            scratch.scan_fields(program, op, lazy);
        }
    }
    scratch.fired.clear();
    for (word_index, word) in candidates.iter().enumerate() {
        let mut bits = *word;
        while bits != 0 {
            let rule = word_index * 64 + bits.trailing_zeros() as usize;
            bits &= bits - 1;
            if let Some(r) = program.rules.get(rule) {
                if holds(r.flat.as_deref(), r.gate, &r.rest, &r.expr, facts, scratch) {
                    scratch.fired.push(rule as u32);
                }
            }
        }
    }
    scratch.signals = signals;
    scratch.candidates = candidates;
}

fn combine(remaining: u64, weight: u8) -> u64 {
    remaining * u64::from(100 - weight.min(100)) / 100
}

fn score_of(remaining: u64) -> u8 {
    (((ONE - remaining.min(ONE)) + 5_000) / 10_000).min(100) as u8
}

fn text_of(w: &WarningText, lang: Lang) -> &str {
    match lang {
        Lang::Zh => &w.zh,
        Lang::En => &w.en,
    }
}

/// Build the assessment from the fired rules.
pub(crate) fn build<'e>(
    program: &'e Program,
    op: &Operation,
    lang: Lang,
    facts: &mut Features,
    scratch: &mut Scratch,
    out: &mut Assessment<'e>,
) {
    out.id.clear();
    out.id.push_str(&op.id);
    out.rules_version = &program.version;
    out.recycle();

    // Scores: the typologies' remaining mass is only needed when rules fired.
    let mut remaining = std::mem::take(&mut scratch.typology_remaining);
    remaining.clear();
    let mut general = ONE;
    let mut top_remaining = ONE;
    let mut demands = Demands::default();
    if !scratch.fired.is_empty() {
        remaining.resize(program.typologies.len(), ONE);
        for &index in &scratch.fired {
            let Some(rule) = program.rules.get(index as usize) else { continue };
            match rule.typology.and_then(|t| remaining.get_mut(t as usize)) {
                Some(slot) => {
                    *slot = combine(*slot, rule.weight);
                    top_remaining = top_remaining.min(*slot);
                }
                None => general = combine(general, rule.weight),
            }
            demands.questions |= rule.ask;
            demands.add_floor(rule.floor);
        }
    }
    let score = score_of(top_remaining * general / ONE);
    let level = program.level_for(score);
    demands.add_floor(program.level_action(level));
    facts.set_outcome(score, score_of(top_remaining), scratch.fired.len(), level);
    for (index, tier) in program.tiers.iter().enumerate() {
        // A tier whose gate fails, or that would add nothing, need not be
        // evaluated.
        if !tier.gate.passes(facts.word, facts.numbers)
            || (demands.questions & tier.ask == tier.ask && (demands.confirmation || !tier.confirm))
        {
            continue;
        }
        // A tier none of whose necessary signals is present cannot hold.
        if let Some(Some(needed)) = program.tier_signals.get(index) {
            if !needed.iter().any(|&s| has_bit(&scratch.signals, s as usize)) {
                continue;
            }
        }
        if holds(tier.flat.as_deref(), tier.gate, &tier.rest, &tier.expr, facts, scratch) {
            demands.questions |= tier.ask;
            demands.confirmation |= tier.confirm;
        }
    }
    out.score = score;
    out.level = level;
    out.action = procedure::resolve(demands, op, &mut out.procedure);

    if !scratch.fired.is_empty() {
        typology_scores(program, &remaining, scratch, out);
        matches(program, op, facts, scratch, out);
        warnings(program, lang, scratch, out);
    }
    // The procedure's own instruction: what to do now. Questions and the
    // signature cannot cure escalate or stop, so those get their own words.
    let mut instruct = |message: &'e WarningText| {
        out.warnings.push(Warning { code: &message.code, message: text_of(message, lang), rules: Vec::new() });
    };
    match out.action {
        Action::Stop => instruct(&program.stop_message),
        Action::Escalate => instruct(&program.escalate_message),
        _ => {
            if out.procedure.confirmation_missing {
                instruct(&program.confirm_message);
            }
            if !out.procedure.missing.is_empty() {
                instruct(&program.ask_message);
            }
        }
    }
    scratch.typology_remaining = remaining;
}

fn typology_scores<'e>(program: &'e Program, remaining: &[u64], scratch: &Scratch, out: &mut Assessment<'e>) {
    for (t, info) in program.typologies.iter().enumerate() {
        let rest = remaining.get(t).copied().unwrap_or(ONE);
        if rest == ONE {
            continue;
        }
        let mut rules = out.recycled.rule_list();
        for &index in &scratch.fired {
            if let Some(rule) = program.rules.get(index as usize) {
                if rule.typology == Some(t as u16) {
                    rules.push(&*rule.id);
                }
            }
        }
        out.typologies.push(TypologyScore { typology: &info.id, score: score_of(rest), rules, remaining: rest });
    }
    // Most evidence first, on the unrounded score (two typologies may both
    // show 100); ties keep pack order (a stable sort).
    out.typologies.sort_by_key(|t| t.remaining);
}

fn matches<'e>(program: &'e Program, op: &Operation, facts: &Features, scratch: &Scratch, out: &mut Assessment<'e>) {
    let texts = field_texts(op);
    for &index in &scratch.fired {
        let Some(rule) = program.rules.get(index as usize) else { continue };
        let mut evidence = out.recycled.evidence_list();
        let recycled = &mut out.recycled;
        supporting_atoms(&rule.expr, facts, scratch, &mut |atom| match atom {
            Expr::Atom { atom: Atom::Text { fields, set }, .. } => {
                for hit in scratch.hits.iter().filter(|h| h.set == *set && fields & (1 << h.field) != 0) {
                    let field = usize::from(hit.field);
                    let Some(text) = texts.get(field).copied().flatten() else { continue };
                    let (start, end) = (hit.start as usize, hit.end as usize);
                    let quoted = text.get(start..end).unwrap_or("");
                    let char_start = text.as_bytes().get(..start).map_or(0, char_count);
                    let mut owned = recycled.string();
                    owned.push_str(quoted);
                    evidence.push(Evidence::Text {
                        field: TEXT_FIELDS.get(field).copied().unwrap_or("text"),
                        phrases: program.set_names.get(*set as usize).map_or("", |s| &**s),
                        text: owned,
                        start: char_start,
                        end: char_start + char_count(quoted.as_bytes()),
                    });
                }
            }
            Expr::Atom { span, .. } | Expr::Not { span, .. } => {
                let condition = rule.condition.get(span.0..span.1).unwrap_or(&rule.condition);
                evidence.push(Evidence::Condition { condition });
            }
            Expr::And(_) | Expr::Or(_) => {}
        });
        out.matches.push(Match {
            rule: &rule.id,
            typology: rule.typology.and_then(|t| program.typologies.get(t as usize)).map(|t| &*t.id),
            weight: rule.weight,
            evidence,
        });
    }
}

fn warnings<'e>(program: &'e Program, lang: Lang, scratch: &mut Scratch, out: &mut Assessment<'e>) {
    // One warning per code, strongest rule first (a stable sort: ties keep
    // pack order).
    let mut order = std::mem::take(&mut scratch.warning_order);
    order.clear();
    for &index in &scratch.fired {
        let Some(rule) = program.rules.get(index as usize) else { continue };
        if let Some(w) = rule.warning {
            order.push((rule.weight, w, index));
        }
    }
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, w, index) in &order {
        let (Some(text), Some(rule)) = (program.warnings.get(usize::from(w)), program.rules.get(index as usize)) else {
            continue;
        };
        match out.warnings.iter_mut().find(|existing| existing.code == &*text.code) {
            Some(existing) => existing.rules.push(&rule.id),
            None => {
                let mut rules = out.recycled.rule_list();
                rules.push(&*rule.id);
                out.warnings.push(Warning { code: &text.code, message: text_of(text, lang), rules });
            }
        }
    }
    scratch.warning_order = order;
}

/// An estimate of the heap bytes of a compiled program.
pub(crate) fn heap_bytes(program: &Program) -> usize {
    let automaton = program.automaton.as_ref().map_or(0, |a| a.heap_bytes());
    let targets =
        std::mem::size_of::<PatternTarget>() * program.targets.capacity() + 4 * program.target_links.capacity();
    let rules: usize = program
        .rules
        .iter()
        .map(|r| {
            std::mem::size_of_val(r) + r.id.len() + r.condition.len() + expr_bytes(&r.expr) + r.location.file.len()
        })
        .sum();
    let tiers: usize =
        program.tiers.iter().map(|t| std::mem::size_of_val(t) + t.id.len() + expr_bytes(&t.expr)).sum::<usize>()
            + program.tier_signals.iter().map(|t| 16 + t.as_ref().map_or(0, |s| 4 * s.len())).sum::<usize>();
    let signals: usize = program.signal_rules.iter().map(|s| 24 + 4 * s.capacity()).sum();
    let names: usize = program.set_names.iter().map(|s| 16 + s.len()).sum();
    let warnings: usize = program.warnings.iter().map(|w| 48 + w.code.len() + w.zh.len() + w.en.len()).sum();
    // The regexes' automata; their per-thread search caches are not counted.
    let regexes: usize = program.regexes.iter().map(|r| r.regex.memory_usage()).sum();
    let typologies: usize = program
        .typologies
        .iter()
        .map(|t| std::mem::size_of_val(t) + t.id.len() + t.name_zh.len() + t.name_en.len())
        .sum();
    let fixed = std::mem::size_of::<Program>()
        + 8 * program.always_rules.capacity()
        + std::mem::size_of_val(program.fx.as_slice())
        + program.normalizer.heap_bytes()
        + [&program.ask_message, &program.confirm_message, &program.escalate_message, &program.stop_message]
            .iter()
            .map(|w| w.code.len() + w.zh.len() + w.en.len())
            .sum::<usize>();
    automaton
        + targets
        + rules
        + tiers
        + signals
        + names
        + warnings
        + regexes
        + typologies
        + fixed
        + program.version.len()
}

fn expr_bytes(expr: &Expr) -> usize {
    std::mem::size_of::<Expr>()
        + match expr {
            Expr::And(parts) | Expr::Or(parts) => parts.iter().map(expr_bytes).sum(),
            Expr::Not { inner, .. } => expr_bytes(inner),
            Expr::Atom { .. } => 0,
        }
}
