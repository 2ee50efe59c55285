//! Bad input: one line on stderr naming the file, folder or query, exit 2,
//! no panic, and an existing index left exactly as it was.

use crate::harness::{SEED, TestEnv};

/// Asserts a clean failure: exit 2, one line on stderr containing `message`.
#[track_caller]
fn fails_with(env: &TestEnv, args: &[&str], message: &str) {
    let run = env.run(args);
    run.expect_code(2);
    assert_eq!(run.stderr.lines().count(), 1, "one line: {}", run.stderr);
    assert!(run.stderr.starts_with("recherche: "), "{}", run.stderr);
    assert!(
        run.stderr.contains(message),
        "{:?} not in {}",
        message,
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"));
}

#[test]
fn missing_corpus_folder() {
    let env = TestEnv::empty();
    fails_with(&env, &["index"], "corpus folder corpus does not exist");
    fails_with(
        &env,
        &["search", "médias"],
        "corpus folder corpus does not exist",
    );
    assert!(!env.index().join("recherche.json").exists());
}

#[test]
fn empty_corpus() {
    let env = TestEnv::empty();
    std::fs::create_dir(env.corpus()).unwrap();
    fails_with(
        &env,
        &["index"],
        "corpus folder corpus holds no post (.txt, .xml, .html, .md)",
    );
}

#[test]
fn non_utf8_post_is_named_with_its_offset_and_the_index_is_kept() {
    let env = TestEnv::seed_indexed();
    let before = env.index_snapshot();
    env.write_bytes("zz-latin1.txt", b"Titre\n\ncaf\xe9 cr\xe8me\n");
    fails_with(
        &env,
        &["index"],
        "corpus/zz-latin1.txt:3:4: not valid UTF-8 (invalid byte at offset 10)",
    );
    fails_with(
        &env,
        &["index", "--full"],
        "zz-latin1.txt:3:4: not valid UTF-8",
    );
    assert_eq!(env.index_snapshot(), before);
    // The index still answers as it was.
    assert!(!env.hit_ids(&["narcissiques"]).is_empty());
}

#[test]
fn index_folder_that_cannot_be_created() {
    let env = TestEnv::seed();
    std::fs::write(env.path().join("a-file"), "").unwrap();
    fails_with(
        &env,
        &["index", "--index", "a-file/index"],
        "cannot create index folder a-file/index",
    );
}

#[test]
fn missing_index_with_no_refresh() {
    let env = TestEnv::seed();
    fails_with(
        &env,
        &["search", "--no-refresh", "médias"],
        "no index in index; build it with `recherche index`",
    );
}

#[test]
fn foreign_index_folder_is_never_touched() {
    let env = TestEnv::seed();
    std::fs::create_dir(env.index()).unwrap();
    std::fs::write(env.index().join("notes.txt"), "mine").unwrap();
    for args in [&["index"][..], &["index", "--full"], &["search", "médias"]] {
        fails_with(&env, args, "index is not a recherche index");
    }
    assert_eq!(
        std::fs::read_to_string(env.index().join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn corrupt_index_is_reported_and_rebuilt_with_full() {
    let env = TestEnv::seed_indexed();
    std::fs::write(env.index().join("recherche.json"), "{ not json").unwrap();
    fails_with(
        &env,
        &["search", "médias"],
        "rebuild it with `recherche index --full`",
    );
    fails_with(&env, &["index"], "rebuild it with `recherche index --full`");
    env.run(&["index", "--full", "--quiet"]).expect_code(0);
    assert!(!env.hit_ids(&["narcissiques"]).is_empty());
}

#[test]
fn empty_query() {
    let env = TestEnv::seed_indexed();
    fails_with(&env, &["search", ""], "empty query");
    fails_with(&env, &["search", "  \"\" ( ) "], "empty query");
}

#[test]
fn overlong_query() {
    let env = TestEnv::seed_indexed();
    let before = env.index_snapshot();
    let query = "médias ".repeat(1429);
    assert_eq!(query.chars().count(), 10_003);
    fails_with(
        &env,
        &["search", &query],
        "query too long: 10003 characters (at most 2000)",
    );
    assert_eq!(env.index_snapshot(), before);
}

#[test]
fn unknown_kind_in_the_query() {
    let env = TestEnv::seed_indexed();
    fails_with(
        &env,
        &["search", "kind:poème"],
        "unknown passage kind \"poème\"",
    );
}

#[test]
fn malformed_syntax_never_fails() {
    let env = TestEnv::seed_indexed();
    for query in [
        "\"sourde oreille",
        "(médias",
        "médias)",
        "+",
        "-",
        "+ -",
        "\"",
        "author:",
        "~2",
        "*",
    ] {
        let run = env.run(&["search", "--no-refresh", query]);
        assert!(
            [0, 1].contains(&run.code) || run.stderr.contains("empty query"),
            "{query:?}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{query:?}");
    }
    // An unbalanced quote runs to the end of the query.
    assert!(!env.hit_ids(&["\"sourde oreille"]).is_empty());
}

#[test]
fn second_index_run_while_one_holds_the_lock_says_so() {
    let env = TestEnv::seed_indexed();
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(env.index().join(".lock"))
        .unwrap();
    lock.lock().unwrap();
    fails_with(
        &env,
        &["index"],
        "another `recherche index` is updating index",
    );
    // A search meanwhile answers from the committed index.
    env.write_post("second.txt", &SEED.replace("narcissiques", "égocentriques"));
    let run = env.run(&["search", "--json", "égocentriques"]);
    run.expect_code(1);
    assert!(
        run.stderr
            .contains("answering from its last committed state"),
        "{}",
        run.stderr
    );
    drop(lock);
    env.run(&["search", "égocentriques"]).expect_code(0);
}
