//! The table of words as written, the first thing the analyzer looks every
//! word up in.
//!
//! A hash table with its keys in place (open addressing, linear probing),
//! so that a lookup reads one place in memory, and that place can be
//! fetched ahead: the analyzer asks for the places of the next two words
//! while it handles the current one ([`WrittenTable::prefetch`]). In a full build
//! the table outgrows the processor's nearest caches, and a general hash
//! map's two dependent reads (its control bytes, then the entry) were half
//! of the analysis loop's time.

/// A word of at most 23 bytes, held in place with its length: comparing it
/// is comparing three integers (see [`super::Analyzer`]).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ShortWord([u64; 3]);

impl ShortWord {
    /// The word held in place, or `None` when it is too long (or empty).
    pub fn new(word: &str) -> Option<ShortWord> {
        let bytes = word.as_bytes();
        if bytes.is_empty() || bytes.len() > 23 {
            return None;
        }
        let mut held = [0u8; 24];
        held[..bytes.len()].copy_from_slice(bytes);
        held[23] = bytes.len() as u8;
        let part = |i: usize| u64::from_ne_bytes(held[i * 8..i * 8 + 8].try_into().unwrap());
        Some(ShortWord([part(0), part(1), part(2)]))
    }

    /// The slot of an empty table place: no word has length 0.
    const EMPTY: ShortWord = ShortWord([0; 3]);

    fn hash(&self) -> u64 {
        let [a, b, c] = self.0;
        let mixed = (a ^ b.rotate_left(21) ^ c.rotate_left(42)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        mixed ^ (mixed >> 29)
    }
}

impl std::hash::Hash for ShortWord {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for part in self.0 {
            state.write_u64(part);
        }
    }
}

/// Words as written and what the analyzer knows of each (`V`).
pub struct WrittenTable<V> {
    /// A power of two of places, at most 5/8 of them taken.
    slots: Vec<(ShortWord, V)>,
    len: usize,
}

impl<V: Copy + Default> Default for WrittenTable<V> {
    fn default() -> Self {
        WrittenTable {
            slots: vec![(ShortWord::EMPTY, V::default()); 64],
            len: 0,
        }
    }
}

impl<V: Copy + Default> WrittenTable<V> {
    /// Words in the table.
    pub fn len(&self) -> usize {
        self.len
    }

    fn place(&self, word: &ShortWord) -> usize {
        // The high bits of the hash are the best mixed.
        let bits = self.slots.len().trailing_zeros();
        (word.hash() >> (64 - bits)) as usize
    }

    /// Asks the processor to fetch `word`'s place now, so that looking it
    /// up a little later does not wait for memory.
    pub fn prefetch(&self, word: &ShortWord) {
        #[cfg(target_arch = "x86_64")]
        {
            let slot = &self.slots[self.place(word)];
            // SAFETY: prefetching reads nothing and cannot fault; the
            // pointer is to a live slot.
            unsafe {
                use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
                _mm_prefetch::<_MM_HINT_T0>((slot as *const (ShortWord, V)).cast());
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = word;
    }

    /// What the table holds for `word`.
    pub fn get(&self, word: &ShortWord) -> Option<&V> {
        let mask = self.slots.len() - 1;
        let mut at = self.place(word);
        loop {
            let (key, value) = &self.slots[at];
            if key == word {
                return Some(value);
            }
            if *key == ShortWord::EMPTY {
                return None;
            }
            at = (at + 1) & mask;
        }
    }

    /// Adds `word`, or replaces what the table holds for it.
    pub fn insert(&mut self, word: ShortWord, value: V) {
        if 8 * (self.len + 1) > 5 * self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut at = self.place(&word);
        loop {
            let slot = &mut self.slots[at];
            if slot.0 == word {
                slot.1 = value;
                return;
            }
            if slot.0 == ShortWord::EMPTY {
                *slot = (word, value);
                self.len += 1;
                return;
            }
            at = (at + 1) & mask;
        }
    }

    fn grow(&mut self) {
        let room = 2 * self.slots.len();
        let old = std::mem::replace(
            &mut self.slots,
            vec![(ShortWord::EMPTY, V::default()); room],
        );
        self.len = 0;
        for (word, value) in old {
            if word != ShortWord::EMPTY {
                self.insert(word, value);
            }
        }
    }

    /// Empties the table, keeping its room.
    pub fn clear(&mut self) {
        self.slots.fill((ShortWord::EMPTY, V::default()));
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_what_was_inserted_through_growth_and_clearing() {
        let mut table = WrittenTable::<u32>::default();
        let words: Vec<String> = (0..5_000).map(|n| format!("mot{n}")).collect();
        for (n, word) in words.iter().enumerate() {
            table.insert(ShortWord::new(word).unwrap(), n as u32);
        }
        assert_eq!(table.len(), 5_000);
        assert!(table.slots.len() * 5 >= 5_000 * 8);
        for (n, word) in words.iter().enumerate() {
            assert_eq!(table.get(&ShortWord::new(word).unwrap()), Some(&(n as u32)));
        }
        assert_eq!(table.get(&ShortWord::new("absent").unwrap()), None);
        table.insert(ShortWord::new("mot7").unwrap(), 70);
        assert_eq!(table.len(), 5_000);
        assert_eq!(table.get(&ShortWord::new("mot7").unwrap()), Some(&70));
        let room = table.slots.len();
        table.clear();
        assert_eq!((table.len(), table.slots.len()), (0, room));
        assert_eq!(table.get(&ShortWord::new("mot7").unwrap()), None);
    }

    #[test]
    fn short_words_are_told_apart() {
        assert!(ShortWord::new("abcdefghijklmnopqrstuvw").is_some());
        assert!(ShortWord::new("abcdefghijklmnopqrstuvwx").is_none());
        assert!(ShortWord::new("").is_none());
        assert!(ShortWord::new("ab") != ShortWord::new("ab\0"));
        assert!(ShortWord::new("\0").unwrap() != ShortWord::EMPTY);
    }
}
