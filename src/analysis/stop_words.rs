//! The Snowball French stop-word list (snowballstem.org, BSD licence).
//!
//! The list is accented (`à`, `même`, `été`): it is applied to lowercase
//! words before any folding, so `sûr` (folded `sur`) is not mistaken for the
//! stop word `sur`. To Snowball's list recherche adds `a`, the form of
//! `avoir` it lacks beside `ai`, `as` and `ont`. A query made only of stop
//! words still finds them, through the folded words that keep them.

/// Snowball's French stop words, including its later additions.
pub const FRENCH_STOP_WORDS: &[&str] = &[
    "au", "aux", "avec", "ce", "ces", "dans", "de", "des", "du", "elle", "en", "et", "eux", "il",
    "ils", "je", "la", "le", "les", "leur", "lui", "ma", "mais", "me", "même", "mes", "moi", "mon",
    "ne", "nos", "notre", "nous", "on", "ou", "par", "pas", "pour", "qu", "que", "qui", "sa", "se",
    "ses", "son", "sur", "ta", "te", "tes", "toi", "ton", "tu", "un", "une", "vos", "votre",
    "vous", // single letters left by elision
    "c", "d", "j", "l", "à", "m", "n", "s", "t", "y", // être
    "été", "étée", "étées", "étés", "étant", "étante", "étants", "étantes", "suis", "es", "est",
    "sommes", "êtes", "sont", "serai", "seras", "sera", "serons", "serez", "seront", "serais",
    "serait", "serions", "seriez", "seraient", "étais", "était", "étions", "étiez", "étaient",
    "fus", "fut", "fûmes", "fûtes", "furent", "sois", "soit", "soyons", "soyez", "soient", "fusse",
    "fusses", "fût", "fussions", "fussiez", "fussent", // avoir
    "a", "ayant", "ayante", "ayantes", "ayants", "eu", "eue", "eues", "eus", "ai", "as", "avons",
    "avez", "ont", "aurai", "auras", "aura", "aurons", "aurez", "auront", "aurais", "aurait",
    "aurions", "auriez", "auraient", "avais", "avait", "avions", "aviez", "avaient", "eut",
    "eûmes", "eûtes", "eurent", "aie", "aies", "ait", "ayons", "ayez", "aient", "eusse", "eusses",
    "eût", "eussions", "eussiez", "eussent", // later additions
    "ceci", "cela", "celà", "cet", "cette", "ici", "leurs", "quel", "quels", "quelle", "quelles",
    "sans", "soi",
];
