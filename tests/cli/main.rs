//! Command-line tests: the binary run in a temporary folder, as a user
//! would run it. One module per topic.

mod docs;
mod errors;
mod everyday;
mod export;
mod formats;
mod harness;
mod hostile;
mod json_contract;
mod rebuild;
mod search;
mod serve;
#[path = "../shared/serving.rs"]
mod serving;
mod snapshots;
