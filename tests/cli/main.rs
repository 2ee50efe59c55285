//! Command-line tests: the binary run in a temporary folder, as a user
//! would run it. One module per topic.

mod errors;
mod everyday;
mod export;
mod harness;
mod json_contract;
mod readme;
mod rebuild;
mod search;
mod snapshots;
