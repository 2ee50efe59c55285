//! What a new user tries first, as the first-version issue lists it.

use crate::harness::{TestEnv, ids, short};

#[test]
fn first_search_builds_the_index_and_says_so() {
    let env = TestEnv::seed();
    let run = env.run(&["search", "médias sociaux", "--color", "never"]);
    run.expect_code(0);
    assert!(
        run.stderr
            .contains("building the index in index from corpus"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.starts_with("1. Pourquoi les cadres dirigeants"));
    assert!(run.stdout.contains("[médias] [sociaux]"));
    assert!(env.index().join("recherche.json").exists());
    // The second search finds the index built and fresh: nothing on stderr.
    let again = env.run(&["search", "médias sociaux", "--color", "never"]);
    again.expect_code(0);
    assert_eq!(again.stderr, "");
    assert_eq!(again.stdout, run.stdout);
}

#[test]
fn accent_free_query_finds_accented_words() {
    let env = TestEnv::seed_indexed();
    let results = env.search_json(&["medias"]);
    let first = &results["hits"][0];
    let snippet = first["snippet"].as_str().unwrap();
    let [start, end] = [0, 1].map(|i| first["highlights"][0][i].as_u64().unwrap() as usize);
    assert_eq!(&snippet[start..end], "médias");
    assert!(results["total"].as_u64().unwrap() > 20);
}

#[test]
fn narcissiques_finds_the_first_bullet() {
    let env = TestEnv::seed_indexed();
    assert_eq!(short(&env.hit_ids(&["narcissiques"])), ["article/3"]);
}

#[test]
fn a_phrase_matches_words_in_sequence_only() {
    let env = TestEnv::seed_indexed();
    let results = env.search_json(&["\"sourde oreille\""]);
    assert_eq!(results["total"], 1);
    assert_eq!(short(&ids(&results)), ["comment/2/5"]);
    // The same words in the wrong order are not the phrase.
    assert_eq!(env.search_json(&["\"oreille sourde\""])["total"], 0);
}

#[test]
fn author_filter_ignores_case_and_accents() {
    let env = TestEnv::seed_indexed();
    assert_eq!(
        short(&env.hit_ids(&["--author", "milouse"])),
        ["comment/1/1"]
    );
    assert_eq!(
        short(&env.hit_ids(&["--author", "MILOUSÉ"])),
        ["comment/1/1"]
    );
    assert_eq!(
        short(&env.hit_ids(&["author:Milouse écrire"])),
        ["comment/1/1"]
    );
    assert!(env.hit_ids(&["--author", "milouse", "linkedin"]).is_empty());
}

#[test]
fn a_comment_posted_twice_is_one_hit_listing_the_other() {
    let env = TestEnv::seed_indexed();
    let results = env.search_json(&["LinkedIn"]);
    assert_eq!(results["total"], 1);
    let hit = &results["hits"][0];
    assert_eq!(hit["id"], "cadres-dirigeants-medias-sociaux/comment/2/1");
    assert_eq!(
        hit["duplicates"],
        serde_json::json!(["cadres-dirigeants-medias-sociaux/comment/3/1"])
    );
}

#[test]
fn french_analysis_meets_the_issue_examples() {
    let env = TestEnv::seed_indexed();
    // authenticité finds "authentique" (argument 2) as well as "authenticité".
    let found = env.hit_ids(&["authenticité"]);
    assert_eq!(short(&found), ["article/6", "article/14"]);
    // insecurite finds "insécurité".
    assert_eq!(short(&env.hit_ids(&["insecurite"])), ["article/8"]);
    // dirigeant finds "dirigeants".
    assert!(env.hit_ids(&["dirigeant"]).len() >= 5);
    // l'information finds "L’information".
    assert_eq!(short(&env.hit_ids(&["l'information"]))[0], "article/13");
}

#[test]
fn required_and_excluded_words() {
    let env = TestEnv::seed_indexed();
    let with = env.hit_ids(&["+cadres dirigeants"]);
    let without = env.hit_ids(&["+cadres -dirigeants"]);
    assert!(!with.is_empty() && !without.is_empty());
    // A query may also start with an exclusion after `--`.
    assert_eq!(env.hit_ids(&["--", "-dirigeants", "+cadres"]), without);
    let texts = env.search_json(&["+cadres -dirigeants"]);
    for hit in texts["hits"].as_array().unwrap() {
        let text = hit["text"].as_str().unwrap().to_lowercase();
        assert!(
            text.contains("cadre") && !text.contains("dirigeant"),
            "{text}"
        );
    }
}

#[test]
fn passages_with_every_word_rank_first() {
    let env = TestEnv::seed_indexed();
    let results = env.search_json(&["--exact", "sourde", "twitter"]);
    // Neither passage has both words: both show, each matching one.
    assert_eq!(results["total"], 2);
    let results = env.search_json(&["cadres", "supérieurs", "faits"]);
    assert_eq!(short(&ids(&results))[0], "article/9");
}

#[test]
fn kind_filter_and_limit() {
    let env = TestEnv::seed_indexed();
    let results = env.search_json(&["--kind", "comment", "--limit", "1", "cadres"]);
    assert_eq!(results["hits"].as_array().unwrap().len(), 1);
    assert_eq!(results["total"], 2);
    for hit in results["hits"].as_array().unwrap() {
        assert_eq!(hit["kind"], "comment");
    }
    assert_eq!(short(&env.hit_ids(&["kind:pingback"])), ["pingback/1"]);
    assert_eq!(short(&env.hit_ids(&["--kind", "bio"])), ["bio/1"]);
}

#[test]
fn no_hit_exits_1_with_nothing_on_stdout() {
    let env = TestEnv::seed_indexed();
    let run = env.run(&["search", "--no-refresh", "ornithorynque"]);
    run.expect_code(1);
    assert_eq!(run.stdout, "");
}

#[test]
fn a_query_of_stop_words_only_finds_the_passages_that_hold_them() {
    let env = TestEnv::seed_indexed();
    // `été` is in Snowball's stop list: the noun, or the participle.
    let run = env.run(&["search", "--no-refresh", "--json", "été"]);
    run.expect_code(0);
    let hit = &run.json()["hits"][0];
    assert_eq!(hit["id"], "cadres-dirigeants-medias-sociaux/article/9");
    let (start, end) = (
        hit["highlights"][0][0].as_u64().unwrap(),
        hit["highlights"][0][1].as_u64().unwrap(),
    );
    assert_eq!(
        &hit["snippet"].as_str().unwrap()[start as usize..end as usize],
        "été"
    );
    // Passages holding every word come first, each word marked.
    let run = env.run(&["search", "--no-refresh", "-n", "1", "il y a"]);
    run.expect_code(0);
    assert!(
        run.stdout.contains("(…) [il] [y] [a] quelques années"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stderr, "");
    // Beside other words, stop words are left out as before.
    assert_eq!(env.hit_ids(&["les", "buzz"]), env.hit_ids(&["buzz"]));
    // Stop words no passage holds: nothing, exit 1.
    env.run(&["search", "--no-refresh", "fussions"])
        .expect_code(1);
}

#[test]
fn colour_marks_words_in_bold_red_only_when_asked() {
    let env = TestEnv::seed_indexed();
    let run = env.run(&[
        "search",
        "--no-refresh",
        "--color",
        "always",
        "narcissiques",
    ]);
    assert!(
        run.stdout
            .contains("\u{1b}[1m\u{1b}[31mnarcissiques\u{1b}[0m"),
        "{}",
        run.stdout
    );
    // auto: stdout is a pipe here, so no colour.
    let run = env.run(&["search", "--no-refresh", "narcissiques"]);
    assert!(!run.stdout.contains('\u{1b}') && run.stdout.contains("[narcissiques]"));
    // JSON never carries colour.
    let run = env.run(&[
        "search",
        "--no-refresh",
        "--json",
        "--color",
        "always",
        "narcissiques",
    ]);
    assert!(!run.stdout.contains('\u{1b}'));
}

#[test]
fn long_passages_are_cut_around_the_matches() {
    let env = TestEnv::seed_indexed();
    let results = env.search_json(&["nucléaire"]);
    let hit = &results["hits"][0];
    let snippet = hit["snippet"].as_str().unwrap();
    assert!(hit["text"].as_str().unwrap().chars().count() > 200);
    assert!(
        snippet.starts_with('…') && snippet.ends_with('…'),
        "{snippet}"
    );
    let inner = snippet.trim_matches('…');
    assert!(hit["text"].as_str().unwrap().contains(inner));
    assert!(inner.chars().count() <= 200);
}

#[test]
fn broken_pipe_ends_quietly() {
    let env = TestEnv::seed_indexed();
    let mut child = env
        .command(&["search", "--no-refresh", "--limit", "100", "médias"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The reader leaves before reading anything.
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn several_posts_in_nested_folders() {
    let env = TestEnv::seed();
    env.write_post(
        "2024/Été à Rennes.txt",
        "Un été à Rennes 1\n\nLes médias locaux parlent de la Bretagne.\n\n  • Anne\n\n    Rennes est belle en été.\n",
    );
    env.run(&["index", "--quiet"]).expect_code(0);
    let results = env.search_json(&["Rennes"]);
    let found = ids(&results);
    assert_eq!(
        found,
        [
            "2024/ete-a-rennes/title",
            "2024/ete-a-rennes/comment/1/1",
            "cadres-dirigeants-medias-sociaux/bio/1",
        ]
    );
    assert_eq!(results["hits"][0]["title"], "Un été à Rennes");
    assert_eq!(results["hits"][1]["file"], "2024/Été à Rennes.txt");
    assert_eq!(results["hits"][1]["author"], "Anne");
    // Passages with both words first, whichever post they are in.
    assert_eq!(
        ids(&env.search_json(&["médias Rennes"]))[0],
        "cadres-dirigeants-medias-sociaux/bio/1"
    );
}

#[test]
fn typos_are_forgiven_below_exact_matches() {
    let env = TestEnv::seed_indexed();
    assert_eq!(short(&env.hit_ids(&["narcisique"])), ["article/3"]);
    let found = env.search_json(&["dirigents"]);
    let snippet = found["hits"][0]["snippet"].as_str().unwrap();
    let [start, end] =
        [0, 1].map(|i| found["hits"][0]["highlights"][0][i].as_u64().unwrap() as usize);
    assert_eq!(&snippet[start..end], "dirigeants");
    // `source` (one passage) is also one letter from `sourde` (two): the
    // passage with the word as typed comes first, then the commoner word.
    let ranked = short(&env.hit_ids(&["source"])).join(" ");
    assert_eq!(ranked, "article/13 comment/2/5");
    // The commoner word is taken as typed: no typo of it is searched.
    assert_eq!(short(&env.hit_ids(&["sourde"])), ["comment/2/5"]);
    // --exact turns tolerance off.
    assert!(env.hit_ids(&["--exact", "narcisique"]).is_empty());
}

#[test]
fn short_words_and_numbers_match_exactly() {
    let env = TestEnv::seed_indexed();
    // Four letters: no typo allowed (and no word begins with it).
    assert!(env.hit_ids(&["bzzu"]).is_empty());
    assert!(env.hit_ids(&["2011"]).is_empty());
    assert_eq!(short(&env.hit_ids(&["2010"])), ["comment/2/8"]);
}

#[test]
fn prefixes_with_or_without_accents() {
    let env = TestEnv::seed_indexed();
    for query in ["homogén*", "homogen*", "HOMOG*"] {
        let results = env.search_json(&[query]);
        assert_eq!(short(&ids(&results)), ["article/5"], "{query}");
        let hit = &results["hits"][0];
        let [start, end] = [0, 1].map(|i| hit["highlights"][0][i].as_u64().unwrap() as usize);
        assert_eq!(&hit["snippet"].as_str().unwrap()[start..end], "homogénéisé");
    }
}

#[test]
fn the_last_word_completes_as_typed() {
    let env = TestEnv::seed_indexed();
    // `introve` is the beginning of `introvertis`.
    assert_eq!(short(&env.hit_ids(&["introve"])), ["article/6"]);
    assert_eq!(short(&env.hit_ids(&["réseaux", "introve"]))[0], "article/6");
    assert!(env.hit_ids(&["--exact", "introve"]).is_empty());
    // Only the last word completes.
    assert!(!short(&env.hit_ids(&["introve", "couches"])).contains(&"article/6"));
}

#[test]
fn phrases_with_slop() {
    let env = TestEnv::seed_indexed();
    // The bio says « médias et réseaux sociaux »: 2 words between.
    assert!(
        !env.hit_ids(&["\"médias sociaux\""])
            .contains(&"cadres-dirigeants-medias-sociaux/bio/1".to_string())
    );
    let results = env.search_json(&["--kind", "bio", "\"médias sociaux\"~2"]);
    assert_eq!(short(&ids(&results)), ["bio/1"]);
    let hit = &results["hits"][0];
    let snippet = hit["snippet"].as_str().unwrap();
    let marked: Vec<&str> = hit["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &snippet[r[0].as_u64().unwrap() as usize..r[1].as_u64().unwrap() as usize])
        .collect();
    assert_eq!(marked, ["médias", "sociaux"]);
}

#[test]
fn explain_shows_the_bm25_parts() {
    let env = TestEnv::seed_indexed();
    let run = env.run(&[
        "search",
        "--no-refresh",
        "--explain",
        "--color",
        "never",
        "narcisique",
        "--limit",
        "1",
    ]);
    run.expect_code(0);
    assert!(
        run.stdout.contains("narcisique (typo or completion)"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("text:narciss ×0.5"), "{}", run.stdout);
    assert!(run.stdout.contains("= BM25(freq 1, idf"), "{}", run.stdout);
    let results = env.search_json(&["--explain", "médias"]);
    let why = &results["hits"][0]["explanation"];
    assert_eq!(why["clauses"][0]["matched"], "exact");
    let text = &why["clauses"][0]["terms"][0];
    assert_eq!(text["field"], "text");
    assert_eq!(text["term"], "medi");
    let score = results["hits"][0]["score"].as_f64().unwrap();
    let parts: f64 = why["clauses"][0]["score"].as_f64().unwrap() + why["title"].as_f64().unwrap();
    assert!((score - parts).abs() < 1e-3, "{score} vs {parts}");
}

#[test]
fn a_query_of_many_words_marks_what_each_matched() {
    // More clauses than a candidate records how they matched: the words
    // marked are found again from the index, as for a short query.
    let env = TestEnv::seed_indexed();
    let filler: Vec<String> = (0..70).map(|i| format!("zz{i:02}")).collect();
    let long_query = format!("{} narcissiques", filler.join(" "));
    let marked = |query: &str| {
        let results = env.search_json(&["--exact", query]);
        let hit = &results["hits"][0];
        let snippet = hit["snippet"].as_str().unwrap().to_string();
        let words: Vec<String> = hit["highlights"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                let [s, e] = [0, 1].map(|i| h[i].as_u64().unwrap() as usize);
                snippet[s..e].to_string()
            })
            .collect();
        (hit["id"].as_str().unwrap().to_string(), words)
    };
    let (id, words) = marked(&long_query);
    assert_eq!(words, ["narcissiques"]);
    assert_eq!((id, words), marked("narcissiques"));
}
