//! The corpus path: any bytes are decoded (or refused with an offset) and
//! parsed into passages with unique ids.
#![no_main]

use libfuzzer_sys::fuzz_target;
use recherche::corpus;
use recherche::formats::copied_page;

fuzz_target!(|data: &[u8]| {
    match corpus::decode("fuzz.txt".as_ref(), data.to_vec()) {
        Ok(text) => {
            let post = copied_page::parse("fuzz", &text);
            let mut ids: Vec<&str> = post.passages.iter().map(|p| p.id.as_str()).collect();
            ids.sort_unstable();
            let count = ids.len();
            ids.dedup();
            assert_eq!(ids.len(), count, "duplicate passage ids");
        }
        Err(e) => assert!(e.to_string().contains("invalid byte at offset")),
    }
});
