//! What the library-level tests share: the seed post, indexed once.

use recherche::index::IndexDir;
use recherche::index::OpenIndex;
use recherche::index::update::build;

/// The seed post, as the blog page gave it.
pub const SEED: &str = include_str!("../fixtures/seed/cadres-dirigeants-medias-sociaux.txt");
/// Its slug.
pub const SLUG: &str = "cadres-dirigeants-medias-sociaux";

/// The seed indexed in a temporary folder (kept alive with the index).
pub fn seed_index() -> (tempfile::TempDir, OpenIndex) {
    let folder = tempfile::tempdir().unwrap();
    let corpus = folder.path().join("corpus");
    std::fs::create_dir(&corpus).unwrap();
    std::fs::write(corpus.join(format!("{SLUG}.txt")), SEED).unwrap();
    let (_, open) = build(&corpus, &IndexDir::new(folder.path().join("index"))).unwrap();
    (folder, open)
}
