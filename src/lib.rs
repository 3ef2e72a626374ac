//! tellerguard checks a pending bank transfer, remittance or cash withdrawal
//! against known telecom and online scam patterns, just before a teller
//! executes it, and says what to do next: proceed, ask the counter questions,
//! get a signed risk confirmation, escalate, or stop.
//!
//! The checks are data: a rule pack (TOML files, one per scam typology) is
//! compiled once into an [`Engine`], which is `Send + Sync` and assesses an
//! [`Operation`] in well under a microsecond. Each [`Assessment`] carries a
//! score, a level, the action, which counter questions are required and
//! still missing, and warnings that say which rule fired on which field and
//! which words.
//!
//! ```
//! use tellerguard::{Action, Engine, Lang, Operation};
//!
//! let engine = Engine::embedded()?;
//! let op = Operation::from_json(r#"{
//!     "id": "T-7", "amount": "60000", "customer": {"age": 68},
//!     "payee": {"kind": "person", "first_time": true},
//!     "purpose": "装修",
//!     "observations": ["on_phone", "breaking_deposits"],
//!     "interview": {"contacted_by_official": true, "knows_payee": false}
//! }"#)?;
//! let assessment = engine.assess_in(&op, Lang::En);
//! assert!(assessment.action >= Action::Escalate);
//! assert_eq!(assessment.top_typology(), Some("safe_account"));
//! println!("{}", assessment.to_json());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Overview
//!
//! * [`PackSource`] holds the text of a pack: [`PackSource::embedded`] (the
//!   default pack in `rules/`, built into the library) or
//!   [`PackSource::from_dir`].
//! * [`Engine::new`] (or [`EngineBuilder`] for limits) compiles it; a broken
//!   pack yields an [`Error`] that names file, line and column of every problem.
//! * [`Operation`] is the contract's input, parsed strictly by
//!   [`Operation::from_json`]; [`Assessment`] serializes to the contract's output.
//! * [`PackTests`] runs the test cases carried in the pack's files.
//!
//! # Untrusted input and panics
//!
//! Neither compiling a pack nor assessing an operation panics on any input.
//! Assessment is infallible; an operation that cannot be parsed is an
//! [`InputError`] naming the JSON path, and callers must never treat it as
//! safe to proceed (the CLI answers such a line with `escalate`).
//!
//! # Performance
//!
//! Compile once and share the engine. Each text field is normalized and
//! scanned once by a single automaton for all phrases of the pack; only the
//! rules that a present signal can trigger are evaluated. Use
//! [`Engine::assess_into`] to reuse an assessment's buffers.

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(rustdoc::broken_intra_doc_links)]
#![warn(missing_debug_implementations)]

mod amount;
mod assessment;
mod assessment_json;
mod automaton;
pub mod backtest;
mod compile;
mod engine;
mod error;
mod hash;
mod operation;
mod pack;
mod pack_tests;
mod phrase_pool;
mod procedure;
mod text;
mod timestamp;
pub mod workload;

pub use assessment::{Action, Assessment, Evidence, Lang, Level, Match, Procedure, TypologyScore, Warning};
pub use engine::{Engine, EngineBuilder, PackTests, RegexInfo};
pub use error::{Diagnostic, Error, ErrorKind, Location};
pub use operation::{
    Channel, Confirmation, Customer, InputError, Interview, Kind, Observation, Operation, Payee, PayeeKind, Question,
    MAX_AMOUNT_SCALE, MAX_ID_CHARS, MAX_TEXT_CHARS,
};
pub use pack::{PackSource, PACK_FILE};
pub use pack_tests::{CaseOutcome, TestReport};

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
