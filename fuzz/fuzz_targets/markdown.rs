//! Any bytes as a .md post file: posts with unique ids, or one error.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod shared;

fuzz_target!(|data: &[u8]| shared::check("post.md", data));
