//! The indexed words within a few edits of a typed word, found in one walk
//! of a term dictionary (an FST) per segment.
//!
//! The automaton keeps, while the walk reads a dictionary word, the band of
//! the edit-distance table that can still be within reach: with at most
//! `d` edits only the cells `|i - j| <= d` matter, so a step costs `2d + 1`
//! cells whatever the word's length. Distances are those of the optimal
//! string alignment: an insertion, a deletion, a substitution or the
//! transposition of two neighbours counts one edit. Nothing is built before
//! the walk: a Levenshtein DFA for two edits first builds parametric tables,
//! which costs more than the walk itself in a process that answers one
//! query.

use tantivy_fst::Automaton;

/// The most edits a typed word may tolerate.
pub const MAX_EDITS: u8 = 2;
/// Cells of a band: the diagonal and `MAX_EDITS` on each side, and one
/// always out of reach past the last (so a step reads `k + 1` unchecked).
const BAND: usize = 2 * MAX_EDITS as usize + 2;

/// The dictionary words within reach of a typed word, Meilisearch's way: a
/// typo on the first character counts as two. Words that begin with the
/// typed word's first character may be `edits` edits away, the others
/// `edits - 1`.
pub struct Typos {
    typed: Vec<char>,
    edits: u8,
}

impl Typos {
    /// `edits` is capped at [`MAX_EDITS`].
    pub fn new(typed: &str, edits: u8) -> Typos {
        Typos {
            typed: typed.chars().collect(),
            edits: edits.min(MAX_EDITS),
        }
    }

    /// "Out of reach": every distance above the budget is the same.
    fn far(&self) -> u8 {
        self.edits + 1
    }

    fn width(&self) -> usize {
        2 * usize::from(self.edits) + 1
    }

    /// The budget of a word that starts as `start`.
    fn budget(&self, start: Start) -> u8 {
        match start {
            Start::Same => self.edits,
            // Unread: the empty word, or a first character half read (row 0
            // holds a 0, so the walk goes on whatever the budget).
            Start::Other | Start::Unread => self.edits.saturating_sub(1),
        }
    }

    /// Row `i` of the table from row `i - 1` (`state.row`) and row `i - 2`
    /// (`state.above`), `c` being the `i`-th character read.
    fn step(&self, state: &State, c: char) -> State {
        match self.edits {
            0 => self.step_within::<0>(state, c),
            1 => self.step_within::<1>(state, c),
            _ => self.step_within::<2>(state, c),
        }
    }

    /// [`Typos::step`] with the band's width known at compile time.
    fn step_within<const EDITS: usize>(&self, state: &State, c: char) -> State {
        let far = EDITS as u8 + 1;
        let typed = &self.typed;
        let i = state.read as usize + 1;
        let mut row = [far; BAND];
        // Cell k of row i is column j = i - EDITS + k, when 0 <= j <= typed;
        // cell k of row i - 1 is column j - 1, cell k + 1 column j; cell k
        // of row i - 2 is column j - 2.
        for k in 0..=2 * EDITS {
            let Some(j) = (i + k).checked_sub(EDITS) else {
                continue;
            };
            if j > typed.len() {
                break;
            }
            if j == 0 {
                row[k] = u8::try_from(i).unwrap_or(u8::MAX).min(far);
                continue;
            }
            let wanted = typed[j - 1];
            let substitute = state.row[k] + u8::from(c != wanted);
            let delete = state.row[k + 1] + 1;
            let insert = if k > 0 { row[k - 1] + 1 } else { far };
            let mut best = substitute.min(delete).min(insert);
            if j >= 2 && state.last == wanted && typed[j - 2] == c {
                best = best.min(state.above[k] + 1);
            }
            row[k] = best.min(far);
        }
        State {
            read: state.read.saturating_add(1),
            row,
            above: state.row,
            last: c,
            partial: 0,
            pending: 0,
            start: match state.start {
                Start::Unread if self.typed.first() == Some(&c) => Start::Same,
                Start::Unread => Start::Other,
                start => start,
            },
        }
    }
}

/// Where the walk stands: row `read` of the table (and the one before, for
/// transpositions), a character possibly half read, how the word began.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct State {
    /// Characters of the dictionary word read so far.
    read: u32,
    /// Row `read`: cell `k` is the distance to the typed word's first
    /// `read - edits + k` characters, capped at `edits + 1`.
    row: [u8; BAND],
    /// Row `read - 1`.
    above: [u8; BAND],
    /// The last character read.
    last: char,
    /// The bits of a character whose UTF-8 bytes are still arriving.
    partial: u32,
    /// How many of its bytes are still to come.
    pending: u8,
    start: Start,
}

/// The dictionary word's first character: not read yet, the typed word's,
/// or another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Start {
    Unread,
    Same,
    Other,
}

impl Automaton for Typos {
    type State = State;

    fn start(&self) -> State {
        let far = self.far();
        let mut row = [far; BAND];
        for (k, cell) in row.iter_mut().enumerate().take(self.width()) {
            // Row 0: column j = k - edits is j insertions away.
            if let Some(j) = k.checked_sub(usize::from(self.edits))
                && j <= self.typed.len()
            {
                *cell = u8::try_from(j).unwrap_or(u8::MAX).min(far);
            }
        }
        State {
            read: 0,
            row,
            above: [far; BAND],
            last: '\0',
            partial: 0,
            pending: 0,
            start: Start::Unread,
        }
    }

    fn is_match(&self, state: &State) -> bool {
        if state.pending > 0 {
            return false;
        }
        let budget = self.budget(state.start);
        // The whole typed word, column `typed`, is cell typed - read + edits.
        let k = self.typed.len() as i64 - i64::from(state.read) + i64::from(self.edits);
        usize::try_from(k)
            .ok()
            .filter(|&k| k < self.width())
            .is_some_and(|k| state.row[k] <= budget)
    }

    fn can_match(&self, state: &State) -> bool {
        // No cell of a later row is below the smallest of this one.
        let budget = self.budget(state.start);
        state.row[..self.width()].iter().any(|&d| d <= budget)
    }

    fn accept(&self, state: &State, byte: u8) -> State {
        if state.pending > 0 {
            let partial = (state.partial << 6) | u32::from(byte & 0x3F);
            if state.pending > 1 {
                return State {
                    partial,
                    pending: state.pending - 1,
                    ..*state
                };
            }
            let c = char::from_u32(partial).unwrap_or(char::REPLACEMENT_CHARACTER);
            return self.step(state, c);
        }
        let (partial, pending) = match byte {
            0x00..=0x7F => return self.step(state, char::from(byte)),
            0xC0..=0xDF => (byte & 0x1F, 1),
            0xE0..=0xEF => (byte & 0x0F, 2),
            0xF0..=0xF7 => (byte & 0x07, 3),
            // Not UTF-8 (the dictionary holds `str`s): a character that
            // matches nothing.
            _ => return self.step(state, char::REPLACEMENT_CHARACTER),
        };
        State {
            partial: u32::from(partial),
            pending,
            ..*state
        }
    }
}

#[cfg(test)]
mod tests {
    use levenshtein_automata::{DFA, Distance, LevenshteinAutomatonBuilder};
    use proptest::prelude::*;

    use super::*;

    /// Runs `automaton` over `word` as the FST walk does: pruned as soon as
    /// it cannot match.
    fn accepts<A: Automaton>(automaton: &A, word: &str) -> bool {
        accepts_bytes(automaton, word.as_bytes())
    }

    fn accepts_bytes<A: Automaton>(automaton: &A, word: &[u8]) -> bool {
        let mut state = automaton.start();
        for &byte in word {
            if !automaton.can_match(&state) {
                return false;
            }
            state = automaton.accept(&state, byte);
        }
        automaton.can_match(&state) && automaton.is_match(&state)
    }

    /// The reference: levenshtein_automata's DFAs (with transpositions),
    /// within `edits` for words that start like the typed one, within
    /// `edits - 1` for the others.
    fn reference(typed: &str, word: &str, edits: u8) -> bool {
        let dfa = |d: u8| -> DFA { LevenshteinAutomatonBuilder::new(d, true).build_dfa(typed) };
        let same_start = typed.chars().next() == word.chars().next();
        let budget = if same_start { edits } else { edits - 1 };
        if !same_start && budget == 0 {
            return false;
        }
        matches!(dfa(budget).eval(word), Distance::Exact(d) if d <= budget)
    }

    #[test]
    fn edits_are_counted_as_the_optimal_string_alignment() {
        let typos = Typos::new("dirigeants", 2);
        for (word, expected) in [
            ("dirigeants", true),
            ("dirigents", true),  // a deletion
            ("driigeants", true), // a transposition
            ("diriegants", true), // a transposition
            ("dirgents", true),   // two deletions
            ("dirgients", true),  // a transposition and a deletion
            ("drgents", false),   // three deletions
            ("tirigeants", true), // the first letter: counts two
            ("tirigeant", false), // the first letter and one more
            ("irigeants", true),  // the first letter deleted
        ] {
            assert_eq!(
                accepts(&typos, word),
                reference("dirigeants", word, 2),
                "{word}"
            );
            assert_eq!(accepts(&typos, word), expected, "{word}");
        }
    }

    #[test]
    fn accented_and_wide_characters_count_as_one() {
        let typos = Typos::new("eglise", 1);
        assert_eq!(accepts(&typos, "église"), reference("eglise", "église", 1));
        assert!(!accepts(&typos, "église"), "first letter replaced: two");
        assert!(accepts(&typos, "eglïse"), "a two-byte letter for one");
        assert!(accepts(&typos, "eglis€"), "a three-byte sign for one");
        assert!(accepts(&typos, "egl😀se"), "a four-byte sign for one");
        assert!(accepts(&typos, "eglis"));
        assert!(
            !accepts_bytes(&typos, &"eglisé".as_bytes()[..6]),
            "a word cut inside a character"
        );
        assert!(!accepts(&typos, "egl😀s€"));
    }

    /// Short words over a small alphabet, so that edits are frequent.
    fn word(max: usize) -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just('a'),
                Just('b'),
                Just('c'),
                Just('e'),
                Just('é'),
                Just('œ')
            ],
            0..max,
        )
        .prop_map(|chars| chars.into_iter().collect())
    }

    /// An edit of a word: what, where, with which letter.
    #[derive(Clone, Debug)]
    enum Edit {
        Insert(usize, char),
        Delete(usize),
        Substitute(usize, char),
        Transpose(usize),
    }

    fn edit() -> impl Strategy<Value = Edit> {
        let letter = || prop_oneof![Just('a'), Just('e'), Just('é'), Just('z')];
        prop_oneof![
            (any::<usize>(), letter()).prop_map(|(at, c)| Edit::Insert(at, c)),
            any::<usize>().prop_map(Edit::Delete),
            (any::<usize>(), letter()).prop_map(|(at, c)| Edit::Substitute(at, c)),
            any::<usize>().prop_map(Edit::Transpose),
        ]
    }

    /// `word` after `edits`, each at a position taken modulo the length.
    fn edited(word: &str, edits: &[Edit]) -> String {
        let mut chars: Vec<char> = word.chars().collect();
        for edit in edits {
            let n = chars.len();
            match *edit {
                Edit::Insert(at, c) => chars.insert(at % (n + 1), c),
                Edit::Delete(at) if n > 0 => {
                    chars.remove(at % n);
                }
                Edit::Substitute(at, c) if n > 0 => chars[at % n] = c,
                Edit::Transpose(at) if n > 1 => chars.swap(at % (n - 1), at % (n - 1) + 1),
                _ => {}
            }
        }
        chars.into_iter().collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn the_band_finds_what_the_levenshtein_dfas_find(
            typed in word(10),
            edits in proptest::collection::vec(edit(), 0..4),
            budget in 1u8..=2,
        ) {
            // Words a few edits away (so near the budget's edge), and the
            // dictionary word and the typed one either way round.
            let word = edited(&typed, &edits);
            for (typed, word) in [(&typed, &word), (&word, &typed)] {
                prop_assert_eq!(
                    accepts(&Typos::new(typed, budget), word),
                    reference(typed, word, budget),
                    "typed {:?}, word {:?}, {} edits", typed, word, budget
                );
            }
        }

        #[test]
        fn unrelated_words_are_judged_alike(
            typed in word(10),
            word in word(12),
            budget in 1u8..=2,
        ) {
            prop_assert_eq!(
                accepts(&Typos::new(&typed, budget), &word),
                reference(&typed, &word, budget)
            );
        }
    }
}
