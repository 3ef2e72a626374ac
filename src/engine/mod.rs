//! The [`Engine`]: a compiled pack that assesses operations.

mod eval;
mod features;
mod report;
mod scan;

use std::cell::RefCell;
use std::sync::Arc;

use once_cell::sync::Lazy;

use crate::assessment::{Assessment, Lang};
use crate::compile::program::Program;
use crate::compile::{self, Compiled, Limits, TestCase};
use crate::error::{Error, Location};
use crate::operation::{InputError, Operation};
use crate::pack::PackSource;

pub(crate) use scan::Scratch;

/// A compiled rule pack, ready to assess operations.
///
/// Compiling takes milliseconds; assessing takes well under a microsecond
/// and never fails. An `Engine` is immutable and cheap to clone (an `Arc`
/// inside): share one between threads, and swap in a newly compiled pack
/// atomically when the rules change. A pack that fails to compile returns an
/// error and leaves whatever engine you had in place.
///
/// ```
/// use tellerguard::{Action, Engine, Operation};
///
/// let engine = Engine::embedded().unwrap();
/// let op = Operation::from_json(r#"{
///     "id": "T-1", "amount": "80000", "customer": {"age": 72},
///     "payee": {"kind": "person", "first_time": true},
///     "purpose": "转入安全账户配合公安清查资金", "observations": ["on_phone"]
/// }"#).unwrap();
/// let assessment = engine.assess(&op);
/// assert_eq!(assessment.action, Action::Stop);
/// assert_eq!(assessment.top_typology(), Some("safe_account"));
/// ```
#[derive(Clone, Debug)]
pub struct Engine {
    program: Arc<Program>,
}

/// One compiled regex phrase set, as [`Engine::regexes`] lists it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RegexInfo<'e> {
    /// The phrase set's name, such as `refund_code`.
    pub name: &'e str,
    /// Where its pattern starts in the pack.
    pub location: &'e Location,
    /// The heap bytes of its compiled automata (their search caches, one
    /// per thread, come on top).
    pub heap_bytes: usize,
}

/// Options for compiling a pack.
///
/// ```
/// let engine = tellerguard::EngineBuilder::new()
///     .max_rules(5_000)
///     .build(&tellerguard::PackSource::embedded())
///     .unwrap();
/// assert!(engine.rule_count() > 0);
/// ```
#[derive(Clone, Debug, Default)]
pub struct EngineBuilder {
    limits: Limits,
}

impl EngineBuilder {
    /// Default limits.
    pub fn new() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// The most rules a pack may have (default 10,000).
    pub fn max_rules(mut self, n: usize) -> EngineBuilder {
        self.limits.max_rules = n;
        self
    }

    /// The most phrases a pack may have (default 200,000).
    pub fn max_phrases(mut self, n: usize) -> EngineBuilder {
        self.limits.max_phrases = n;
        self
    }

    /// The compiled size limit of each regex, in bytes (default 1 MiB).
    pub fn regex_size_limit(mut self, bytes: usize) -> EngineBuilder {
        self.limits.regex_size = bytes;
        self
    }

    /// Compile `source` into an engine. The pack's `[[case]]` tables are
    /// skipped, not checked: they do not change what the engine decides, and
    /// reading them is about a third of the compile time. Use
    /// [`EngineBuilder::build_with_tests`] (what `tellerguard test` and
    /// `tellerguard lint` do) to check and run them.
    pub fn build(&self, source: &PackSource) -> Result<Engine, Error> {
        compile::compile(source, &self.limits, false).map(|c| Engine::from_program(c.program))
    }

    /// Compile `source` and also return the pack's own test cases; a case
    /// that names an unknown rule or carries an invalid operation is a
    /// compile error here.
    pub fn build_with_tests(&self, source: &PackSource) -> Result<(Engine, PackTests), Error> {
        let Compiled { program, cases } = compile::compile(source, &self.limits, true)?;
        Ok((Engine::from_program(program), PackTests { cases }))
    }
}

/// The test cases a pack carries; run them with [`PackTests::run`].
#[derive(Clone, Debug)]
pub struct PackTests {
    pub(crate) cases: Vec<TestCase>,
}

static EMBEDDED: Lazy<Result<Engine, Error>> = Lazy::new(|| Engine::new(&PackSource::embedded()));

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

impl Engine {
    fn from_program(program: Program) -> Engine {
        Engine { program: Arc::new(program) }
    }

    /// Compile a pack with default limits.
    pub fn new(source: &PackSource) -> Result<Engine, Error> {
        EngineBuilder::new().build(source)
    }

    /// A builder for non-default limits.
    pub fn builder() -> EngineBuilder {
        EngineBuilder::new()
    }

    /// The engine of the default pack embedded in the library, compiled once
    /// per process. It only fails if the library was built with a broken
    /// pack, which the library's own tests rule out.
    pub fn embedded() -> Result<Engine, Error> {
        EMBEDDED.clone()
    }

    /// The pack's name, version and content hash, as in `rules_version`.
    pub fn version(&self) -> &str {
        &self.program.version
    }

    /// How many rules the pack has.
    pub fn rule_count(&self) -> usize {
        self.program.rules.len()
    }

    /// The typology ids of the pack, in file order.
    pub fn typologies(&self) -> impl Iterator<Item = &str> {
        self.program.typologies.iter().map(|t| &*t.id)
    }

    /// A typology's display name in the given language.
    pub fn typology_name(&self, id: &str, lang: Lang) -> Option<&str> {
        self.program.typologies.iter().find(|t| &*t.id == id).map(|t| match lang {
            Lang::Zh => &*t.name_zh,
            Lang::En => &*t.name_en,
        })
    }

    /// The rule ids of the pack, in pack order.
    pub fn rules(&self) -> impl Iterator<Item = &str> {
        self.program.rules.iter().map(|r| &*r.id)
    }

    /// Where a rule is defined (`file:line:column`).
    pub fn rule_location(&self, id: &str) -> Option<&crate::error::Location> {
        self.program.rules.iter().find(|r| &*r.id == id).map(|r| &r.location)
    }

    /// The pack's regex phrase sets, in the order they were compiled, with
    /// where each is written and what its compiled automata hold. Building
    /// a regex costs compile time in proportion to that size, so a rule
    /// author can find the costly ones (`tellerguard lint` names them).
    ///
    /// ```
    /// let engine = tellerguard::Engine::embedded().unwrap();
    /// let regex = engine.regexes().next().unwrap();
    /// assert!(regex.location.file.ends_with(".toml"));
    /// assert!(regex.heap_bytes > 0);
    /// ```
    pub fn regexes(&self) -> impl Iterator<Item = RegexInfo<'_>> {
        self.program.regexes.iter().map(|r| RegexInfo {
            name: self.program.set_names.get(r.set as usize).map_or("", |n| &**n),
            location: &r.location,
            heap_bytes: r.regex.memory_usage(),
        })
    }

    /// Assess an operation, with warnings in Chinese.
    pub fn assess(&self, op: &Operation) -> Assessment<'_> {
        self.assess_in(op, Lang::Zh)
    }

    /// Assess an operation, with warnings in `lang`.
    pub fn assess_in(&self, op: &Operation, lang: Lang) -> Assessment<'_> {
        let mut out = Assessment::default();
        self.assess_into(op, lang, &mut out);
        out
    }

    /// Assess into an existing assessment, reusing its buffers. After a few
    /// calls have grown them, this allocates nothing, whether rules fire or
    /// not: the lists and quoted words of earlier results are recycled.
    pub fn assess_into<'e>(&'e self, op: &Operation, lang: Lang, out: &mut Assessment<'e>) {
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => self.assess_with(&mut scratch, op, lang, out),
            Err(_) => self.assess_with(&mut Scratch::default(), op, lang, out),
        });
    }

    /// Parse one operation from the contract's JSON and assess it.
    pub fn assess_json(&self, json: &str, lang: Lang) -> Result<Assessment<'_>, InputError> {
        Operation::from_json(json).map(|op| self.assess_in(&op, lang))
    }

    fn assess_with<'e>(&'e self, scratch: &mut Scratch, op: &Operation, lang: Lang, out: &mut Assessment<'e>) {
        let program: &'e Program = &self.program;
        scratch.scan(program, op);
        let mut facts = features::Features::extract(program, op);
        report::evaluate_rules(program, op, &facts, scratch);
        report::build(program, op, lang, &mut facts, scratch, out);
    }

    /// An estimate of the heap memory held by the compiled pack, in bytes.
    ///
    /// It counts the phrase automaton, the rules, phrase sets, texts,
    /// indexes and the regexes' automata exactly or nearly so; not the
    /// regexes' search caches, which each thread grows as it searches.
    pub fn heap_bytes(&self) -> usize {
        report::heap_bytes(&self.program)
    }
}

const _: () = {
    const fn assert_traits<T: Send + Sync + std::panic::UnwindSafe + std::panic::RefUnwindSafe + 'static>() {}
    assert_traits::<Engine>();
    assert_traits::<Error>();
    assert_traits::<Operation>();
    assert_traits::<PackSource>();
};
