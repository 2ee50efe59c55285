//! What every format target checks: any bytes, written as a post file of
//! the format, give posts with unique ids under their slugs, or one error
//! about that file, and no post of a file that fails.

use recherche::corpus;
use recherche::formats;

/// Reads `data` as the post file `name` and checks what comes out.
pub fn check(name: &str, data: &[u8]) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(dir.path().join(name), data).expect("the file is written");
    let file = corpus::discover(dir.path()).expect("the folder lists").remove(0);
    let mut posts = Vec::new();
    let result = formats::read(&file, &mut |post| {
        posts.push(post);
        Ok(())
    });
    match result {
        Ok(_) => {
            for post in &posts {
                let mut ids: Vec<&str> = post.passages.iter().map(|p| p.id.as_str()).collect();
                assert!(ids.iter().all(|id| id.starts_with(&format!("{}/", post.slug))));
                ids.sort_unstable();
                let count = ids.len();
                ids.dedup();
                assert_eq!(ids.len(), count, "duplicate passage ids");
            }
        }
        Err(e) => {
            assert!(posts.is_empty(), "posts handed on before an error");
            assert!(e.is_about_a_post(), "{e}");
            assert!(!e.to_string().contains('\n'), "one line: {e}");
        }
    }
}
