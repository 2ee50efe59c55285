//! Each post its own slug: the one it asks for, or, when an earlier post
//! of the corpus (in sorted file order, then the file's order) has it, the
//! same with `-2`, `-3` … Ids never depend on a post's place in an export,
//! only on which posts ask for the same slug.

use rustc_hash::FxHashSet;

/// The slugs given so far.
#[derive(Debug, Default)]
pub struct Slugs {
    taken: FxHashSet<String>,
}

impl Slugs {
    /// The slug for a post asking for `wanted`, now taken.
    pub fn assign(&mut self, wanted: &str) -> String {
        let mut slug = wanted.to_string();
        let mut n = 2;
        while !self.taken.insert(slug.clone()) {
            slug = format!("{wanted}-{n}");
            n += 1;
        }
        slug
    }

    /// The slugs for posts asking for `wanted`, in order, now taken.
    pub fn assign_all<'a>(&mut self, wanted: impl Iterator<Item = &'a str>) -> Vec<String> {
        wanted.map(|w| self.assign(w)).collect()
    }

    /// Gives back slugs taken by [`Slugs::assign_all`].
    pub fn release(&mut self, slugs: &[String]) {
        for slug in slugs {
            self.taken.remove(slug);
        }
    }

    /// Takes slugs given before, as they are.
    pub fn keep<'a>(&mut self, slugs: impl Iterator<Item = &'a str>) {
        self.taken.extend(slugs.map(str::to_string));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slug_taken_gets_a_suffix() {
        let mut slugs = Slugs::default();
        let given = slugs.assign_all(["a-b", "a-b", "a-b-2", "c"].into_iter());
        assert_eq!(given, ["a-b", "a-b-2", "a-b-2-2", "c"]);
        slugs.release(&given[3..]);
        assert_eq!(slugs.assign("c"), "c");
    }
}
