//! What the test crates that start `recherche serve` share.

use std::io::BufRead;

/// Reads `recherche serve`'s stderr up to the line that says its address;
/// returns the address (`127.0.0.1:PORT`).
pub fn serving_address(stderr: &mut impl BufRead) -> String {
    loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).unwrap() > 0,
            "serve ended early"
        );
        if let Some(rest) = line.strip_prefix("recherche: serving http://") {
            return rest.split_whitespace().next().unwrap().to_string();
        }
    }
}
