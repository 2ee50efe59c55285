//! From a post file to its post: the file read, checked, and parsed by the
//! reader of its format.

pub mod copied_page;

use crate::corpus::{self, PostFile};
use crate::error::Result;
use crate::index::manifest::hash;
use crate::passages::Post;

/// A post file read: the hash of its bytes, and its post.
pub struct ReadPost {
    /// xxh3 of the file's bytes.
    pub hash: u64,
    /// The post it holds.
    pub post: Post,
}

/// Reads a post file of the corpus.
pub fn read(file: &PostFile) -> Result<ReadPost> {
    let bytes = corpus::read_bytes(file)?;
    let hash = hash(&bytes);
    let text = corpus::decode(&file.path, bytes)?;
    Ok(ReadPost {
        hash,
        post: copied_page::parse(&file.slug, &text),
    })
}
