//! From pack files to a [`Program`]: parse, validate every reference, and
//! build the phrase automaton, the regexes, the conditions and the rule index.
//!
//! Every configuration error is raised here, with file, line and column; all
//! problems found are reported together.

pub(crate) mod cnf;
pub(crate) mod condition;
pub(crate) mod gate;
mod parallel;
pub(crate) mod program;
pub(crate) mod trigger;

mod cases;

use std::collections::{BTreeMap, HashMap};

use regex_automata::meta::{self, Regex};
use rust_decimal::Decimal;
use toml::Spanned;

use crate::assessment::Action;
use crate::automaton::{PhraseAutomaton, TooManySymbols};
use crate::error::{Diagnostic, Error, ErrorKind, LineStarts, Location};
use crate::operation::{Operation, Question};
use crate::pack::syntax::{self, Bilingual, PackFile, RuleFile};
use crate::pack::{PackSource, PACK_FILE};
use crate::phrase_pool::PhrasePool;
use crate::text::Normalizer;

pub(crate) use cases::TestCase;
use condition::{Expr, Phase, PAYEE_TEXT_MASK};
use program::{CompiledRegex, CompiledRule, CompiledTier, PatternTarget, Program, TypologyInfo, WarningText};

/// Limits that keep an untrusted pack from exhausting memory or time.
#[derive(Clone, Debug)]
pub(crate) struct Limits {
    pub(crate) max_rules: usize,
    pub(crate) max_phrases: usize,
    pub(crate) max_phrase_chars: usize,
    pub(crate) regex_size: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_rules: 10_000, max_phrases: 200_000, max_phrase_chars: 100, regex_size: 1 << 20 }
    }
}

/// The result of compiling a pack: the program and the pack's own test cases.
pub(crate) struct Compiled {
    pub(crate) program: Program,
    pub(crate) cases: Vec<TestCase>,
}

/// Collects diagnostics for one file.
struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
    diags: &'a mut Vec<Diagnostic>,
    /// Where each line of `text` starts, built once per file.
    lines: &'a LineStarts,
}

impl<'a> Ctx<'a> {
    fn new(file: &'a str, text: &'a str, lines: &'a LineStarts, diags: &'a mut Vec<Diagnostic>) -> Ctx<'a> {
        Ctx { file, text, diags, lines }
    }

    fn lines(&self) -> &LineStarts {
        self.lines
    }

    fn error(&mut self, kind: ErrorKind, offset: usize, message: impl Into<String>) {
        let (line, column, source) = self.lines().line_col(self.text, offset);
        let diagnostic = Diagnostic::new(kind, message).at_line(self.file, line, column, source);
        self.diags.push(diagnostic);
    }

    fn location(&self, offset: usize) -> Location {
        let (line, column, _) = self.lines().line_col(self.text, offset);
        Location { file: self.file.to_string(), line, column }
    }

    /// The byte offset of the first character inside a spanned TOML string.
    fn string_start<T>(&self, spanned: &Spanned<T>) -> usize {
        let start = spanned.span().start;
        let rest = self.text.get(start..).unwrap_or("");
        if rest.starts_with("\"\"\"") || rest.starts_with("'''") {
            let after = start + 3;
            match self.text.get(after..) {
                Some(r) if r.starts_with("\r\n") => after + 2,
                Some(r) if r.starts_with('\n') => after + 1,
                _ => after,
            }
        } else {
            start + 1
        }
    }
}

fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> Diagnostic {
    let message = e.message().trim_end().to_string();
    let kind = if message.starts_with("unknown field") { ErrorKind::Unknown } else { ErrorKind::Syntax };
    match e.span() {
        Some(span) => Diagnostic::new(kind, message).at(file, text, span.start),
        None => Diagnostic::new(kind, message).in_file(file),
    }
}

fn parse_action(ctx: &mut Ctx<'_>, value: &Spanned<String>) -> Option<Action> {
    let action = Action::from_name(value.get_ref());
    if action.is_none() {
        ctx.error(
            ErrorKind::Value,
            value.span().start,
            format!("`{}` is not an action (proceed, ask, confirm, escalate, stop)", value.get_ref()),
        );
    }
    action
}

fn parse_questions(ctx: &mut Ctx<'_>, ids: &[Spanned<String>]) -> u16 {
    let mut mask = 0u16;
    for id in ids {
        match Question::from_id(id.get_ref()) {
            Some(q) => mask |= 1 << (q as u16),
            None => {
                let known: Vec<&str> = Question::ALL.iter().map(|q| q.as_str()).collect();
                ctx.error(
                    ErrorKind::Unknown,
                    id.span().start,
                    format!("unknown question `{}` (one of: {})", id.get_ref(), known.join(", ")),
                );
            }
        }
    }
    mask
}

fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
        && name.len() <= 64
}

/// Phrases and their meanings, deduplicated by dense form.
#[derive(Default)]
struct PatternTable {
    /// The hash of a dense form → the first phrase with that hash.
    index: HashMap<u64, usize, std::hash::BuildHasherDefault<Identity>>,
    /// Phrases whose hash another dense form took first (almost never).
    collided: Vec<usize>,
    dense: PhrasePool,
    targets: Vec<PatternTarget>,
    /// (pattern, phrase set) and (pattern, regex), in the order met.
    set_links: Vec<(u32, u32)>,
    regex_links: Vec<(u32, u32)>,
}

/// The hasher for keys that already are hashes.
#[derive(Default)]
struct Identity(u64);

impl std::hash::Hasher for Identity {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl PatternTable {
    /// A table with room for `phrases` patterns.
    fn with_capacity(phrases: usize) -> PatternTable {
        PatternTable {
            index: HashMap::with_capacity_and_hasher(phrases, Default::default()),
            dense: PhrasePool::with_capacity(phrases, 16 * phrases),
            targets: Vec::with_capacity(phrases),
            set_links: Vec::with_capacity(phrases),
            ..PatternTable::default()
        }
    }

    /// The index of the pattern of `dense`, added if new.
    fn slot(&mut self, dense: &str) -> usize {
        let next = self.dense.len();
        match self.index.entry(crate::hash::of(dense.as_bytes())) {
            std::collections::hash_map::Entry::Occupied(owner) => {
                let same = |i: &usize| self.dense.get(*i) == Some(dense);
                if same(owner.get()) {
                    return *owner.get();
                }
                // The hash keeps its first owner; others are found by scan.
                if let Some(i) = self.collided.iter().copied().find(same) {
                    return i;
                }
                self.collided.push(next);
            }
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(next);
            }
        }
        let first = dense.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        let last = dense.chars().last().is_some_and(|c| c.is_ascii_alphanumeric());
        self.dense.push(dense);
        self.targets.push(PatternTarget { word_start: first, word_end: last, ..PatternTarget::default() });
        next
    }

    /// The targets, with every pattern's sets (each once, in the order met)
    /// and then its regexes laid end to end in one array.
    fn finish_links(&mut self) -> Vec<u32> {
        let patterns = self.targets.len();
        let (sets, set_starts) = group_by_pattern(&self.set_links, patterns);
        let (regexes, regex_starts) = group_by_pattern(&self.regex_links, patterns);
        let mut links = Vec::with_capacity(sets.len() + regexes.len());
        for (p, target) in self.targets.iter_mut().enumerate() {
            let at = links.len();
            for &set in slice_of(&sets, &set_starts, p) {
                if !links.get(at..).is_some_and(|own: &[u32]| own.contains(&set)) {
                    links.push(set);
                }
            }
            let sets_end = links.len();
            links.extend(slice_of(&regexes, &regex_starts, p).iter().copied());
            target.links_at = at as u32;
            target.set_count = (sets_end - at) as u32;
            target.regex_count = (links.len() - sets_end) as u32;
        }
        links
    }
}

/// `(pattern, value)` pairs grouped by pattern, each group in the order met
/// (a counting sort): the values, and where each pattern's group starts
/// (with one more entry, the end).
fn group_by_pattern(links: &[(u32, u32)], patterns: usize) -> (Vec<u32>, Vec<usize>) {
    let mut starts = vec![0usize; patterns + 1];
    for &(pattern, _) in links {
        if let Some(n) = starts.get_mut(pattern as usize + 1) {
            *n += 1;
        }
    }
    let mut total = 0;
    for n in &mut starts {
        total += *n;
        *n = total;
    }
    let mut next = starts.clone();
    let mut values = vec![0u32; links.len()];
    for &(pattern, value) in links {
        if let Some(at) = next.get_mut(pattern as usize) {
            if let Some(slot) = values.get_mut(*at) {
                *slot = value;
            }
            *at += 1;
        }
    }
    (values, starts)
}

/// Group `p` of a `group_by_pattern` result.
fn slice_of<'v>(values: &'v [u32], starts: &[usize], p: usize) -> &'v [u32] {
    let range = starts.get(p).copied().unwrap_or(0)..starts.get(p + 1).copied().unwrap_or(0);
    values.get(range).unwrap_or(&[])
}

/// Compile a pack.
pub(crate) fn compile(source: &PackSource, limits: &Limits, with_cases: bool) -> Result<Compiled, Error> {
    let mut diags = Vec::new();
    let Some(pack_text) = source.file(PACK_FILE) else {
        return Err(Error::single(Diagnostic::new(ErrorKind::Io, format!("the pack has no `{PACK_FILE}`"))));
    };

    // Every file, `pack.toml` first and the rest in name order; a large pack
    // is parsed on all cores. A file's cases' operations are parsed with it.
    let names: Vec<&str> = std::iter::once(PACK_FILE).chain(source.file_names().filter(|n| *n != PACK_FILE)).collect();
    let parse = |name: &&str| {
        let text = source.file(name).unwrap_or("");
        if *name == PACK_FILE {
            return Parsed::Pack(toml::from_str::<PackFile>(text));
        }
        let lines = LineStarts::new(text);
        // Without the test cases, their tables are skipped, not built.
        let file = if with_cases {
            toml::from_str::<RuleFile>(text)
        } else {
            // Cases at the end of the file are not even parsed; if the cut
            // text does not parse, the whole text decides (and reports).
            let skip_cases =
                |text| toml::from_str::<RuleFile<serde::de::IgnoredAny>>(text).map(RuleFile::without_cases);
            match syntax::without_trailing_cases(text, &lines).map(skip_cases) {
                Some(Ok(file)) => Ok(file),
                _ => skip_cases(text),
            }
        };
        let operations: Vec<Result<Operation, String>> =
            file.as_ref().map_or(Vec::new(), |f| f.case.iter().map(cases::case_operation).collect());
        Parsed::Rules(file, lines, operations)
    };
    let bytes: usize = names.iter().map(|n| source.file(n).map_or(0, str::len)).sum();
    let mut parsed = if bytes >= parallel::PARALLEL_BYTES {
        parallel::map(&names, |name| source.file(name).map_or(0, str::len), parse)
    } else {
        names.iter().map(parse).collect()
    }
    .into_iter();
    let pack: PackFile = match parsed.next() {
        Some(Parsed::Pack(result)) => match result {
            Ok(p) => p,
            Err(e) => return Err(Error::single(toml_error(PACK_FILE, pack_text, &e))),
        },
        _ => return Err(Error::single(Diagnostic::new(ErrorKind::Io, format!("`{PACK_FILE}` was not parsed")))),
    };
    let mut files: Vec<(&str, &str, RuleFile, LineStarts)> = Vec::new();
    let mut case_operations: Vec<Result<Operation, String>> = Vec::new();
    for (name, parsed) in names.iter().skip(1).zip(parsed) {
        let Parsed::Rules(result, lines, operations) = parsed else { continue };
        let text = source.file(name).unwrap_or("");
        match result {
            Ok(f) => {
                files.push((name, text, f, lines));
                case_operations.extend(operations);
            }
            Err(e) => diags.push(toml_error(name, text, &e)),
        }
    }

    // The pack's content is hashed beside the phrases; the regexes compile
    // on whichever chain has nothing else to do.
    let regex_sources: Vec<&str> = files
        .iter()
        .flat_map(|(_, _, file, _)| file.patterns.values().map(|def| def.get_ref().regex.get_ref().as_str()))
        .collect();
    let regex_jobs = parallel::Shared::new(&regex_sources);
    let hash = move || source.content_hash();
    let pack_lines = LineStarts::new(pack_text);
    let inputs =
        Inputs { limits, pack_text, pack_lines: &pack_lines, pack: &pack, files: &files, regex_jobs: &regex_jobs };
    if bytes < parallel::PARALLEL_BYTES {
        return compile_parsed(inputs, case_operations, diags, None, hash);
    }
    std::thread::scope(|scope| compile_parsed(inputs, case_operations, diags, Some(scope), hash))
}

/// The regexes of the pack's `[patterns]` (in file and name order), built
/// by whichever compile chain is free.
type RegexJobs<'a> = parallel::Shared<'a, &'a str, Result<Regex, Box<meta::BuildError>>>;

/// Build one of the pack's regexes: leftmost-first, Unicode, matching the
/// dense text of one field; only the span of the whole match is kept.
///
/// The lazy DFA stays on: pack regexes are built of bounded gaps over large
/// classes (`[\x{3400}-\x{9FFF}]{0,3}`, `[^。;!?]{0,8}`), which bounded backtracking
/// walks state by state, while the lazy DFA steps once per byte once its
/// few states are cached (a sixteen-character field: about 2,400
/// instructions backtracking, 700 with the DFA), at the price of building
/// a reverse automaton too at compile time (`Engine::regexes` shows each
/// regex's size; `tellerguard lint` notes the costly ones). The
/// fully built DFA and the one-pass DFA stay off: they would be built for
/// every regex at compile time. So does the literal prefilter: a regex only
/// runs on a field where its required literal was seen, a few dozen bytes
/// the lazy DFA crosses as fast, and building the prefilters took about
/// 4 M instructions per compile.
fn build_regex(pattern: &str, size_limit: usize) -> Result<Regex, Box<meta::BuildError>> {
    let config = meta::Config::new()
        .hybrid(true)
        .dfa(false)
        .onepass(false)
        .auto_prefilter(false)
        .which_captures(regex_automata::nfa::thompson::WhichCaptures::Implicit)
        .nfa_size_limit(Some(size_limit));
    meta::Builder::new().configure(config).build(pattern).map_err(Box::new)
}

/// One parsed file: the pack file, or a rule file with its line table and
/// its cases' operations. A few dozen live at a time, so the variants' sizes
/// do not matter.
#[allow(clippy::large_enum_variant)]
enum Parsed {
    Pack(Result<PackFile, toml::de::Error>),
    Rules(Result<RuleFile, toml::de::Error>, LineStarts, Vec<Result<Operation, String>>),
}

/// What every part of the compile reads.
#[derive(Clone, Copy)]
struct Inputs<'a> {
    limits: &'a Limits,
    pack_text: &'a str,
    pack_lines: &'a LineStarts,
    pack: &'a PackFile,
    files: &'a [(&'a str, &'a str, RuleFile, LineStarts)],
    regex_jobs: &'a RegexJobs<'a>,
}

/// Compile the parsed files (with their cases' operations, in file order).
///
/// The work falls into two chains, one per core: the phrases and then
/// their automaton on the calling thread, and beside them (on a thread of
/// the `scope`, when there is one) the content `hash` and then the
/// warnings, rules, tiers and cases, which need only the phrase sets' names
/// from the first chain. The regexes are shared out between the chains:
/// the second builds them while it waits for the names, and both take the
/// rest once their own work is done, so that they end together.
fn compile_parsed<'scope, 'env: 'scope>(
    inputs: Inputs<'env>,
    case_operations: Vec<Result<Operation, String>>,
    mut diags: Vec<Diagnostic>,
    scope: Option<&'scope std::thread::Scope<'scope, 'env>>,
    hash: impl FnOnce() -> u64 + Send + 'scope,
) -> Result<Compiled, Error> {
    let Inputs { limits, pack_text, pack_lines, pack, files, regex_jobs } = inputs;
    let build = |src: &&str| build_regex(src, limits.regex_size);
    let mut pctx = Ctx::new(PACK_FILE, pack_text, pack_lines, &mut diags);
    let normalizer = build_normalizer(&mut pctx, pack);
    let level_floors = levels(&mut pctx, pack);
    let level_actions =
        [&pack.level_actions.low, &pack.level_actions.medium, &pack.level_actions.high, &pack.level_actions.critical]
            .map(|a| parse_action(&mut pctx, a).unwrap_or(Action::Escalate));
    let fx = fx_table(&mut pctx, pack);
    let negation_window = match &pack.normalize.negation_window {
        Some(w) if (0..=20).contains(w.get_ref()) => *w.get_ref() as u32,
        Some(w) => {
            pctx.error(
                ErrorKind::Value,
                w.span().start,
                format!("negation_window must be 0 to 20, got {}", w.get_ref()),
            );
            0
        }
        None => 4,
    };

    // Typologies.
    let mut typologies: Vec<TypologyInfo> = Vec::new();
    let mut typology_at: HashMap<String, Location> = HashMap::new();
    for (name, text, file, lines) in files {
        let Some(t) = &file.typology else { continue };
        let mut ctx = Ctx::new(name, text, lines, &mut diags);
        let id = t.id.get_ref();
        if !valid_name(id) || id.contains('.') {
            ctx.error(
                ErrorKind::Value,
                t.id.span().start,
                format!("typology id `{id}` must be lowercase letters, digits and `_`"),
            );
            continue;
        }
        if let Some(first) = typology_at.get(id) {
            ctx.error(
                ErrorKind::Duplicate,
                t.id.span().start,
                format!("typology `{id}` is already defined at {first}"),
            );
            continue;
        }
        typology_at.insert(id.clone(), ctx.location(t.id.span().start));
        typologies.push(TypologyInfo {
            id: id.as_str().into(),
            name_zh: t.name.zh.as_str().into(),
            name_en: t.name.en.as_str().into(),
        });
    }

    // The second chain starts now; it builds regexes until the phrase
    // sets' names arrive, and waits for them only when none is left.
    let (names_sender, names) = std::sync::mpsc::channel::<Vec<Box<str>>>();
    let typology_ids: Vec<Box<str>> = typologies.iter().map(|t| t.id.clone()).collect();
    let beside = move || {
        let content_hash = hash();
        let set_names = loop {
            match names.try_recv() {
                Ok(set_names) => break Some(set_names),
                Err(std::sync::mpsc::TryRecvError::Disconnected) => break None,
                Err(std::sync::mpsc::TryRecvError::Empty) => {
                    if !regex_jobs.run_one(build) {
                        break names.recv().ok();
                    }
                }
            }
        };
        let rules = set_names.map(|set_names| compile_rules(inputs, &typology_ids, &set_names, case_operations));
        regex_jobs.run_all(build);
        (content_hash, rules)
    };
    let beside = match scope {
        Some(scope) => parallel::Background::start(scope, beside),
        None => parallel::Background::deferred(beside),
    };

    // Phrase sets and regex sets share one namespace of set ids.
    let mut set_names: Vec<Box<str>> = Vec::new();
    let mut set_at: HashMap<String, Location> = HashMap::new();
    let phrases_listed: usize =
        files.iter().flat_map(|(_, _, file, _)| file.phrases.values()).map(|set| set.get_ref().len()).sum();
    let mut patterns = PatternTable::with_capacity(phrases_listed);
    // Regex sets: (set, index among the built regexes, file, name, source).
    let mut regex_sets: Vec<(u32, usize, usize, &str, &Spanned<String>)> = Vec::new();
    let mut regex_defs = 0usize;
    let mut always_regexes: Vec<u32> = Vec::new();
    let mut phrase_count = 0usize;
    let mut scratch = String::new();
    for (file_index, (name, text, file, lines)) in files.iter().enumerate() {
        let mut ctx = Ctx::new(name, text, lines, &mut diags);
        for (set_name, phrases) in &file.phrases {
            let Some(set) = declare_set(&mut ctx, set_name, phrases.span().start, &mut set_names, &mut set_at) else {
                continue;
            };
            if phrases.get_ref().is_empty() {
                ctx.error(ErrorKind::Value, phrases.span().start, format!("phrase set `{set_name}` is empty"));
            }
            let set_span = phrases.span();
            for phrase in phrases.get_ref().iter() {
                phrase_count += 1;
                if let Some(dense) = dense_phrase(&mut ctx, &normalizer, phrase, set_span.clone(), limits, &mut scratch)
                {
                    let pattern = patterns.slot(dense) as u32;
                    patterns.set_links.push((pattern, set));
                }
            }
        }
        for (set_name, def) in &file.patterns {
            // The position of this definition among the built regexes.
            let built = regex_defs;
            regex_defs += 1;
            let Some(set) = declare_set(&mut ctx, set_name, def.span().start, &mut set_names, &mut set_at) else {
                continue;
            };
            let index = regex_sets.len() as u32;
            for literal in &def.get_ref().requires {
                if let Some(dense) =
                    dense_phrase(&mut ctx, &normalizer, literal.get_ref(), literal.span(), limits, &mut scratch)
                {
                    let pattern = patterns.slot(dense) as u32;
                    patterns.regex_links.push((pattern, index));
                }
            }
            if def.get_ref().requires.is_empty() {
                always_regexes.push(index);
            }
            regex_sets.push((set, built, file_index, set_name.as_str(), &def.get_ref().regex));
        }
    }
    // The pack's negators, post-negators, answers and disclaimers mark their
    // phrases.
    type Mark = fn(&mut PatternTarget);
    let markers: [(&[Spanned<String>], Mark); 4] = [
        (&pack.normalize.negators, |t| t.negator = true),
        (&pack.normalize.post_negators, |t| t.post_negator = true),
        (&pack.normalize.answers, |t| t.answer = true),
        (&pack.normalize.disclaimers, |t| t.disclaimer = true),
    ];
    for (phrases, mark) in markers {
        let mut ctx = Ctx::new(PACK_FILE, pack_text, pack_lines, &mut diags);
        for phrase in phrases {
            if let Some(dense) =
                dense_phrase(&mut ctx, &normalizer, phrase.get_ref(), phrase.span(), limits, &mut scratch)
            {
                let pattern = patterns.slot(dense);
                if let Some(target) = patterns.targets.get_mut(pattern) {
                    mark(target);
                }
            }
        }
    }
    if phrase_count > limits.max_phrases {
        diags.push(Diagnostic::new(
            ErrorKind::Limit,
            format!("the pack has {phrase_count} phrases, more than the limit of {}", limits.max_phrases),
        ));
    }
    // The phrases are final: their sets' names go to the rules, and the
    // automaton is built here.
    let _ = names_sender.send(set_names.clone());
    let automaton = if patterns.dense.is_empty() {
        None
    } else {
        match PhraseAutomaton::new(&patterns.dense.all()) {
            Ok(automaton) => Some(automaton),
            Err(TooManySymbols) => {
                let message = "the phrases use more than 65,535 distinct characters";
                return Err(Error::single(Diagnostic::new(ErrorKind::Limit, message)));
            }
        }
    };

    regex_jobs.run_all(build);
    let Some((content_hash, Some(part))) = beside.join() else {
        return Err(Error::single(Diagnostic::new(ErrorKind::Limit, "compiling the rules and regexes failed")));
    };
    let RulesPart { warnings, mut rules, mut tiers, cases: test_cases, diags: rule_diags } = part;
    diags.extend(rule_diags);

    // The regexes.
    let mut regexes: Vec<CompiledRegex> = Vec::with_capacity(regex_sets.len());
    for &(set, at, file_index, set_name, src) in &regex_sets {
        let Some((name, text, _, lines)) = files.get(file_index) else { continue };
        let mut ctx = Ctx::new(name, text, lines, &mut diags);
        match regex_jobs.take(at, build) {
            Some(Ok(regex)) => {
                let location = ctx.location(ctx.string_start(src));
                regexes.push(CompiledRegex { set, regex, location });
            }
            Some(Err(e)) => {
                let (kind, detail) = match (e.size_limit(), e.syntax_error()) {
                    (Some(limit), _) => (ErrorKind::Limit, format!("compiled size exceeds the limit of {limit} bytes")),
                    (None, Some(syntax)) => {
                        (ErrorKind::Syntax, syntax.to_string().lines().last().unwrap_or("").trim().to_string())
                    }
                    (None, None) => (ErrorKind::Syntax, e.to_string()),
                };
                ctx.error(kind, ctx.string_start(src), format!("bad regex in `{set_name}`: {detail}"));
            }
            None => {}
        }
    }

    if !diags.is_empty() {
        return Err(Error::from_diagnostics(diags));
    }

    // `payee.name` and `payee.bank` are scanned only when a rule about to be
    // evaluated reads them (and could still hold), unless some phrase atom
    // reads them together with a free-text field.
    let all_conditions = || rules.iter().map(|r| &r.expr).chain(tiers.iter().map(|t| &t.expr));
    let scan_fields = all_conditions().fold(0, |m, e| m | trigger::text_fields(e));
    let lazy_fields = scan_fields
        & PAYEE_TEXT_MASK
        & !all_conditions().fold(0, |m, e| m | trigger::fields_read_with(e, PAYEE_TEXT_MASK));
    let exprs: Vec<&Expr> = rules.iter().map(|r| &r.expr).collect();
    let (signal_rules, always_rules) = trigger::index(&exprs, set_names.len(), lazy_fields);
    // Tiers only add questions and the signature, so their order does not
    // matter: the most demanding first, so that the engine can skip a tier
    // whose demands are already covered.
    tiers.sort_by_key(|t: &CompiledTier| (std::cmp::Reverse(t.confirm), std::cmp::Reverse(t.ask.count_ones())));
    let tier_signals = tiers
        .iter()
        .map(|t| {
            trigger::necessary_signals(&t.expr, set_names.len(), lazy_fields)
                .map(|signals| signals.into_iter().map(|s| s as u32).collect())
        })
        .collect();
    let number_bits = gate::NumberBits::new(
        rules.iter().filter_map(|r| r.flat.as_deref()).chain(tiers.iter().filter_map(|t| t.flat.as_deref())),
    );
    for rule in &mut rules {
        rule.lazy_fields = trigger::text_fields(&rule.expr) & lazy_fields;
        if let Some(flat) = rule.flat.as_deref() {
            (rule.gate, rule.rest) = gate::Gate::split(flat, &number_bits);
        }
    }
    for tier in &mut tiers {
        if let Some(flat) = tier.flat.as_deref() {
            (tier.gate, tier.rest) = gate::Gate::split(flat, &number_bits);
        }
    }
    let tier_lazy_fields = tiers.iter().fold(0, |m, t| m | trigger::text_fields(&t.expr)) & lazy_fields;
    let mut lazy_rules = vec![0u64; rules.len().div_ceil(64)];
    for (index, rule) in rules.iter().enumerate() {
        if let (Some(word), true) = (lazy_rules.get_mut(index / 64), rule.lazy_fields != 0) {
            *word |= 1 << (index % 64);
        }
    }
    let messages = &pack.procedure.messages;
    let version = format!("{}@{}+{:016x}", pack.pack.name.get_ref(), pack.pack.version.get_ref(), content_hash);
    Ok(Compiled {
        program: Program {
            version: version.into(),
            normalizer,
            automaton,
            target_links: patterns.finish_links(),
            targets: patterns.targets,
            negation_window,
            set_names,
            regexes,
            always_regexes,
            rules,
            tiers,
            typologies,
            warnings,
            ask_message: warning_text("P_ASK", &messages.ask),
            confirm_message: warning_text("P_CONFIRM", &messages.confirm),
            escalate_message: warning_text("P_ESCALATE", &messages.escalate),
            stop_message: warning_text("P_STOP", &messages.stop),
            signal_rules,
            always_rules,
            tier_signals,
            scan_fields,
            lazy_fields,
            tier_lazy_fields,
            lazy_rules,
            level_floors,
            level_actions,
            fx,
            number_bits,
        },
        cases: test_cases,
    })
}

/// The warnings, rules, tiers and the pack's own test cases.
struct RulesPart {
    warnings: Vec<WarningText>,
    rules: Vec<CompiledRule>,
    tiers: Vec<CompiledTier>,
    cases: Vec<TestCase>,
    diags: Vec<Diagnostic>,
}

/// Compile the warnings, rules, procedure tiers and test cases; rules name
/// typologies and phrase sets by these ids.
fn compile_rules(
    inputs: Inputs<'_>,
    typology_ids: &[Box<str>],
    set_names: &[Box<str>],
    case_operations: Vec<Result<Operation, String>>,
) -> RulesPart {
    let Inputs { limits, pack_text, pack_lines, pack, files, .. } = inputs;
    let mut diags = Vec::new();
    let typology_index = |id: &str| typology_ids.iter().position(|t| &**t == id);
    let resolve_set = |name: &str| set_names.iter().position(|s| &**s == name).map(|i| i as u32);

    // Warnings.
    let mut warnings: Vec<WarningText> = Vec::new();
    let mut warning_at: HashMap<String, Location> = HashMap::new();
    for (name, text, file, lines) in files {
        let mut ctx = Ctx::new(name, text, lines, &mut diags);
        for (code, def) in &file.warnings {
            if let Some(first) = warning_at.get(code) {
                ctx.error(
                    ErrorKind::Duplicate,
                    def.span().start,
                    format!("warning `{code}` is already defined at {first}"),
                );
                continue;
            }
            warning_at.insert(code.clone(), ctx.location(def.span().start));
            let text = def.get_ref();
            let cjk = |c: char| ('\u{4E00}'..='\u{9FFF}').contains(&c);
            if text.zh.trim().is_empty() || text.en.trim().is_empty() {
                ctx.error(
                    ErrorKind::Value,
                    def.span().start,
                    format!("warning `{code}` needs both a `zh` and an `en` text"),
                );
            } else if !text.zh.chars().any(cjk) || text.en.chars().any(cjk) {
                ctx.error(
                    ErrorKind::Value,
                    def.span().start,
                    format!("warning `{code}`: `zh` must be Chinese and `en` must not contain Chinese characters"),
                );
            }
            warnings.push(warning_text(code, text));
        }
    }

    // Rules.
    let mut rules: Vec<CompiledRule> = Vec::new();
    let mut rule_at: HashMap<String, Location> = HashMap::new();
    for (name, text, file, lines) in files {
        let mut ctx = Ctx::new(name, text, lines, &mut diags);
        let file_typology = file.typology.as_ref().and_then(|t| typology_index(t.id.get_ref()));
        for def in &file.rule {
            let id = def.id.get_ref();
            let id_at = def.id.span().start;
            if !valid_name(id) {
                ctx.error(
                    ErrorKind::Value,
                    id_at,
                    format!("rule id `{id}` must be lowercase letters, digits, `_` and `.`"),
                );
                continue;
            }
            if let Some(first) = rule_at.get(id) {
                ctx.error(ErrorKind::Duplicate, id_at, format!("duplicate rule id `{id}`, first defined at {first}"));
                continue;
            }
            rule_at.insert(id.clone(), ctx.location(id_at));
            let weight = *def.weight.get_ref();
            if !(1..=100).contains(&weight) {
                ctx.error(
                    ErrorKind::Value,
                    def.weight.span().start,
                    format!("weight of `{id}` must be 1 to 100, got {weight}"),
                );
            }
            let typology = match &def.typology {
                Some(t) if file.typology.is_some() => {
                    ctx.error(
                        ErrorKind::Value,
                        t.span().start,
                        "`typology` may only be set on rules of files without `[typology]`",
                    );
                    None
                }
                Some(t) => match typology_index(t.get_ref()) {
                    Some(i) => Some(i as u16),
                    None => {
                        ctx.error(ErrorKind::Unknown, t.span().start, format!("unknown typology id `{}`", t.get_ref()));
                        None
                    }
                },
                None => file_typology.map(|i| i as u16),
            };
            let floor = def.action.as_ref().and_then(|a| parse_action(&mut ctx, a)).unwrap_or(Action::Proceed);
            let ask = parse_questions(&mut ctx, &def.ask);
            let warning = match &def.warning {
                Some(code) => match warnings.iter().position(|w| &*w.code == code.get_ref().as_str()) {
                    Some(i) => Some(i as u16),
                    None => {
                        ctx.error(
                            ErrorKind::Unknown,
                            code.span().start,
                            format!("unknown warning code `{}`", code.get_ref()),
                        );
                        None
                    }
                },
                None => {
                    ctx.error(
                        ErrorKind::Value,
                        id_at,
                        format!("rule `{id}` has no `warning`: every rule must give the teller words to read"),
                    );
                    None
                }
            };
            let Some(expr) = parse_condition(&mut ctx, &def.when, Phase::Rule, &resolve_set) else { continue };
            rules.push(CompiledRule {
                id: id.as_str().into(),
                typology,
                weight: weight.clamp(1, 100) as u8,
                condition: def.when.get_ref().as_str().into(),
                flat: cnf::flatten(&expr),
                expr,
                gate: gate::Gate::default(),
                rest: Box::default(),
                lazy_fields: 0,
                floor,
                ask,
                warning,
                location: ctx.location(id_at),
            });
        }
    }
    if rules.len() > limits.max_rules {
        diags.push(Diagnostic::new(
            ErrorKind::Limit,
            format!("the pack has {} rules, more than the limit of {}", rules.len(), limits.max_rules),
        ));
    }

    // Procedure tiers.
    let mut tiers = Vec::new();
    {
        let mut ctx = Ctx::new(PACK_FILE, pack_text, pack_lines, &mut diags);
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for def in &pack.procedure.tier {
            if seen.insert(def.id.get_ref(), def.id.span().start).is_some() {
                ctx.error(
                    ErrorKind::Duplicate,
                    def.id.span().start,
                    format!("duplicate tier id `{}`", def.id.get_ref()),
                );
            }
            let ask = parse_questions(&mut ctx, &def.ask);
            if let Some(expr) = parse_condition(&mut ctx, &def.when, Phase::Procedure, &resolve_set) {
                tiers.push(CompiledTier {
                    id: def.id.get_ref().as_str().into(),
                    flat: cnf::flatten(&expr),
                    expr,
                    gate: gate::Gate::default(),
                    rest: Box::default(),
                    ask,
                    confirm: def.confirm,
                });
            }
        }
    }

    // The pack's own test cases.
    let rule_ids: Vec<&str> = rules.iter().map(|r| &*r.id).collect();
    let typology_ids: Vec<&str> = typology_ids.iter().map(|id| &**id).collect();
    let mut test_cases = Vec::new();
    let mut operations = case_operations.into_iter();
    for (name, text, file, lines) in files {
        let mut ctx = Ctx::new(name, text, lines, &mut diags);
        let typology = file.typology.as_ref().map(|t| t.id.get_ref().as_str());
        for def in &file.case {
            let operation = operations.next().unwrap_or_else(|| Err("no operation".to_string()));
            if let Some(case) = cases::compile_case(&mut ctx, def, operation, typology, &rule_ids, &typology_ids) {
                test_cases.push(case);
            }
        }
    }
    RulesPart { warnings, rules, tiers, cases: test_cases, diags }
}

fn warning_text(code: &str, text: &Bilingual) -> WarningText {
    WarningText { code: code.into(), zh: text.zh.as_str().into(), en: text.en.as_str().into() }
}

fn declare_set(
    ctx: &mut Ctx<'_>,
    name: &str,
    at: usize,
    set_names: &mut Vec<Box<str>>,
    set_at: &mut HashMap<String, Location>,
) -> Option<u32> {
    if !valid_name(name) || name.contains('.') {
        ctx.error(ErrorKind::Value, at, format!("phrase set name `{name}` must be lowercase letters, digits and `_`"));
        return None;
    }
    if let Some(first) = set_at.get(name) {
        ctx.error(ErrorKind::Duplicate, at, format!("phrase set `{name}` is already defined at {first}"));
        return None;
    }
    set_at.insert(name.to_string(), ctx.location(at));
    set_names.push(name.into());
    Some((set_names.len() - 1) as u32)
}

/// The dense form of a phrase written somewhere in `within` (the phrase's
/// own span, or its set's: the phrase is then found in the text only when
/// an error must point at it), written into `scratch`; `None`, with the
/// error reported, when it is too long or has no letters or digits.
fn dense_phrase<'s>(
    ctx: &mut Ctx<'_>,
    normalizer: &Normalizer,
    phrase: &str,
    within: std::ops::Range<usize>,
    limits: &Limits,
    scratch: &'s mut String,
) -> Option<&'s str> {
    let at = |ctx: &Ctx<'_>| {
        let found = ctx.text.get(within.clone()).and_then(|t| t.find(phrase));
        within.start + found.unwrap_or(0)
    };
    // A phrase has at most as many characters as bytes: most need no count.
    if phrase.len() > limits.max_phrase_chars && phrase.chars().count() > limits.max_phrase_chars {
        let at = at(ctx);
        ctx.error(ErrorKind::Limit, at, format!("phrase is longer than {} characters", limits.max_phrase_chars));
        return None;
    }
    scratch.clear();
    normalizer.normalize_onto(phrase, scratch);
    if scratch.is_empty() {
        let at = at(ctx);
        ctx.error(ErrorKind::Value, at, format!("phrase `{phrase}` has no letters or digits"));
        return None;
    }
    Some(scratch)
}

fn parse_condition(
    ctx: &mut Ctx<'_>,
    when: &Spanned<String>,
    phase: Phase,
    resolve_set: &dyn Fn(&str) -> Option<u32>,
) -> Option<Expr> {
    match condition::parse(when.get_ref(), phase, resolve_set) {
        Ok(expr) => Some(expr),
        Err(e) => {
            let kind = if e.unknown { ErrorKind::Unknown } else { ErrorKind::Syntax };
            let at = ctx.string_start(when) + e.offset;
            ctx.error(kind, at, e.message);
            None
        }
    }
}

fn build_normalizer(ctx: &mut Ctx<'_>, pack: &PackFile) -> Normalizer {
    let mut pairs = Vec::new();
    for (from, to) in &pack.normalize.fold {
        let mut chars = from.chars();
        let (Some(f), None) = (chars.next(), chars.next()) else {
            ctx.error(ErrorKind::Value, to.span().start, format!("fold key `{from}` must be exactly one character"));
            continue;
        };
        if f.is_ascii() {
            ctx.error(ErrorKind::Value, to.span().start, format!("fold key `{from}` must not be ASCII"));
            continue;
        }
        let mut target = to.get_ref().chars();
        match (target.next(), target.next()) {
            (None, _) => pairs.push((f, None)),
            (Some(t), None) => pairs.push((f, Some(t))),
            _ => ctx.error(
                ErrorKind::Value,
                to.span().start,
                format!("fold target for `{from}` must be at most one character"),
            ),
        }
    }
    Normalizer::new(pairs)
}

fn levels(ctx: &mut Ctx<'_>, pack: &PackFile) -> [u8; 4] {
    let l = &pack.levels;
    let values = [&l.low, &l.medium, &l.high, &l.critical];
    let mut out = [1u8, 30, 60, 85];
    let mut previous = 0i64;
    for (slot, v) in out.iter_mut().zip(values) {
        let n = *v.get_ref();
        if !(1..=100).contains(&n) || n < previous {
            ctx.error(ErrorKind::Value, v.span().start, format!("level thresholds must rise from 1 to 100, got {n}"));
        } else {
            *slot = n as u8;
            previous = n;
        }
    }
    out
}

fn fx_table(ctx: &mut Ctx<'_>, pack: &PackFile) -> Vec<([u8; 3], Decimal)> {
    let mut out = Vec::new();
    let sorted: BTreeMap<&String, &Spanned<String>> = pack.fx.iter().collect();
    for (code, rate) in sorted {
        let bytes: Option<[u8; 3]> =
            code.as_bytes().try_into().ok().filter(|b: &[u8; 3]| b.iter().all(u8::is_ascii_uppercase));
        let parsed = rate.get_ref().parse::<Decimal>().ok().filter(|r| *r > Decimal::ZERO);
        match (bytes, parsed) {
            (Some(b), Some(r)) => out.push((b, r)),
            (None, _) => {
                ctx.error(ErrorKind::Value, rate.span().start, format!("`{code}` is not a three-letter currency code"))
            }
            (_, None) => ctx.error(
                ErrorKind::Value,
                rate.span().start,
                format!("rate for `{code}` must be a positive decimal string"),
            ),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_phrase_table_keeps_one_slot_per_dense_form_even_when_hashes_collide() {
        let mut table = PatternTable::default();
        let slots: Vec<usize> = ["安全账户", "safeaccount", "安全账户"].iter().map(|d| table.slot(d)).collect();
        assert_eq!(slots, [0, 1, 0]);
        assert_eq!(table.dense.all(), ["安全账户", "safeaccount"]);
        assert!(table.targets.get(1).is_some_and(|t| t.word_start && t.word_end));
        // Pretend "骗局" hashes like "安全账户": it gets a slot of its own,
        // found again by scan, and the first owner keeps the hash.
        table.index.insert(crate::hash::of("骗局".as_bytes()), 0);
        assert_eq!([table.slot("骗局"), table.slot("骗局")], [2, 2]);
        assert_eq!(table.dense.all(), ["安全账户", "safeaccount", "骗局"]);
        assert_eq!(table.collided, [2]);
        assert_eq!(table.slot("安全账户"), 0);
        assert_eq!(table.dense.len(), 3);
    }

    #[test]
    fn each_pattern_links_its_sets_once_in_order_then_its_regexes() {
        let mut table = PatternTable::default();
        for dense in ["a", "b", "c"] {
            table.slot(dense);
        }
        table.set_links = vec![(2, 7), (0, 3), (2, 1), (2, 7), (0, 3), (2, 4)];
        table.regex_links = vec![(2, 9), (1, 5), (2, 9)];
        let links = table.finish_links();
        let program_view = |p: usize| {
            let t = table.targets[p];
            let at = t.links_at as usize;
            let sets = &links[at..at + t.set_count as usize];
            let regexes = &links[at + t.set_count as usize..at + (t.set_count + t.regex_count) as usize];
            (sets.to_vec(), regexes.to_vec())
        };
        assert_eq!(program_view(0), (vec![3], vec![]));
        assert_eq!(program_view(1), (vec![], vec![5]));
        assert_eq!(program_view(2), (vec![7, 1, 4], vec![9, 9]));
        assert_eq!(links.len(), 7);
    }
}
