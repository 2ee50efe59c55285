//! Any bytes as a .xml post file: posts with unique ids, or one error.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod shared;

fuzz_target!(|data: &[u8]| shared::check("post.xml", data));
