//! Integration tests: the contract, the CLI, pack loading errors, the
//! default pack's own test cases and the labelled corpus.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, reason = "test code")]

mod bench_cli;
mod cli;
mod contract;
mod corpus;
mod errors;
mod pack_cases;
mod properties;
