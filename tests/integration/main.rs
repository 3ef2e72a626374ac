//! Integration tests: the contract, the CLI, pack loading errors, the
//! default pack's own test cases and the labelled corpus.

mod cli;
mod contract;
mod corpus;
mod errors;
mod pack_cases;
