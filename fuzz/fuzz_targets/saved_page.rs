//! Any bytes as a .html post file: posts with unique ids, or one error.
#![no_main]

use libfuzzer_sys::fuzz_target;

mod shared;

fuzz_target!(|data: &[u8]| shared::check("post.html", data));
