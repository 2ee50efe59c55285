//! Everyday use: show, status, completions, man page, environment
//! defaults, help, safe terminal output.

use crate::harness::{SEED, SEED_FILE, TestEnv};

#[test]
fn show_prints_a_passage_in_context() {
    let env = TestEnv::seed_indexed();
    let run = env.run(&["show", "cadres-dirigeants-medias-sociaux/article/3"]);
    insta::assert_snapshot!("show_text", run.transcript());
    let run = env.run(&[
        "show",
        "--json",
        "-C",
        "2",
        "cadres-dirigeants-medias-sociaux/comment/1/1",
    ]);
    insta::assert_snapshot!("show_json", run.transcript());
}

#[test]
fn the_id_of_a_search_hit_pastes_after_show() {
    let env = TestEnv::seed_indexed();
    let run = env.run(&["search", "--no-refresh", "--limit", "1", "sourde oreille"]);
    let id_line = run.stdout.lines().nth(2).unwrap();
    let id = id_line.split_whitespace().next().unwrap();
    let shown = env.run(&["show", "--no-refresh", id, "--context", "0"]);
    shown.expect_code(0);
    assert!(
        shown.stdout.contains("ne fera la sourde oreille"),
        "{}",
        shown.stdout
    );
    assert!(shown.stdout.contains(&format!("▶ {id}")));
}

#[test]
fn show_an_unknown_id_suggests_the_closest() {
    let env = TestEnv::seed_indexed();
    let run = env.run(&["show", "cadres-dirigeants-medias-sociaux/comment/1/2"]);
    run.expect_code(2);
    assert_eq!(
        run.stderr,
        "recherche: no passage has the id \"cadres-dirigeants-medias-sociaux/comment/1/2\"; did you mean cadres-dirigeants-medias-sociaux/comment/1/1, cadres-dirigeants-medias-sociaux/comment/2/2, cadres-dirigeants-medias-sociaux/comment/3/2?\n"
    );
}

/// Values that change from run to run, redacted in snapshots.
fn redacted_status(env: &TestEnv) -> (i32, serde_json::Value) {
    let run = env.run(&["status", "--json"]);
    let mut value = run.json();
    for field in ["built_at", "updated_at", "size_bytes"] {
        assert!(!value[field].is_null(), "{field}");
        value[field] = serde_json::json!(format!("[{field}]"));
    }
    (run.code, value)
}

#[test]
fn status_says_whether_the_index_is_fresh() {
    let env = TestEnv::seed();
    let run = env.run(&["status"]);
    run.expect_code(2);
    assert!(run.stderr.contains("no index in index"), "{}", run.stderr);

    env.run(&["index", "--quiet"]).expect_code(0);
    let (code, fresh) = redacted_status(&env);
    assert_eq!(code, 0);
    insta::assert_json_snapshot!("status_fresh", fresh);

    env.write_post(SEED_FILE, &SEED.replace("narcissiques", "égocentriques"));
    env.write_post("nouveau.txt", "Nouveau\n\nUn billet.\n");
    let (code, stale) = redacted_status(&env);
    assert_eq!(code, 1);
    assert_eq!(stale["fresh"], false);
    assert_eq!(
        stale["changed"],
        serde_json::json!([SEED_FILE, "nouveau.txt"])
    );
    let text = env.run(&["status"]);
    text.expect_code(1);
    assert!(
        text.stdout
            .contains("corpus:   corpus, 2 changed since the last update:"),
        "{}",
        text.stdout
    );
}

#[test]
fn completions_are_valid_scripts() {
    let env = TestEnv::empty();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let run = env.run(&["completions", shell]);
        run.expect_code(0);
        assert!(run.stdout.contains("recherche"), "{shell}");
        assert!(run.stdout.lines().count() > 20, "{shell}");
    }
    let script = env.path().join("recherche.bash");
    std::fs::write(&script, env.run(&["completions", "bash"]).stdout).unwrap();
    let check = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let unknown = env.run(&["completions", "tcsh"]);
    unknown.expect_code(2);
}

#[test]
fn man_page_is_roff() {
    let env = TestEnv::empty();
    let run = env.run(&["man"]);
    run.expect_code(0);
    assert!(run.stdout.contains(".TH recherche 1"), "{}", run.stdout);
    for subcommand in ["search", "index", "watch", "show", "status"] {
        assert!(run.stdout.contains(subcommand), "{subcommand}");
    }
}

#[test]
fn environment_variables_set_the_folders() {
    let env = TestEnv::empty();
    env.write_post("../posts/seed.txt", SEED);
    let run = env
        .command(&["search", "--color", "never", "narcissiques"])
        .env("RECHERCHE_CORPUS", "posts")
        .env("RECHERCHE_INDEX", "idx")
        .output()
        .unwrap();
    assert_eq!(
        run.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(env.path().join("idx/recherche.json").exists());
    let help = env.run(&["search", "--help"]);
    assert!(
        help.stdout.contains("[env: RECHERCHE_CORPUS="),
        "{}",
        help.stdout
    );
    assert!(help.stdout.contains("[env: RECHERCHE_INDEX="));
}

#[test]
fn help_ends_with_query_examples_and_version_names_tantivy() {
    let env = TestEnv::empty();
    let help = env.run(&["search", "--help"]);
    help.expect_code(0);
    let examples = help.stdout.split("Examples:").nth(1).expect("examples");
    assert!(examples.contains("recherche search '\"sourde oreille\"'"));
    assert!(
        help.stdout
            .trim_end()
            .ends_with("Exit status: 0 if a passage matched, 1 if none did, 2 on error.")
    );
    let version = env.run(&["--version"]);
    assert_eq!(
        version.stdout,
        format!("recherche {} (tantivy 0.27)\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn terminal_output_escapes_control_and_bidi_characters() {
    let env = TestEnv::empty();
    env.write_post(
        "piege.txt",
        "Un piège\n\n  • Mallory\n\n    Texte \u{1b}[2J effacé et \u{202e}inversé\u{202c} ici.\n",
    );
    let run = env.run(&["search", "--color", "never", "effacé"]);
    run.expect_code(0);
    assert!(!run.stdout.contains('\u{1b}') && !run.stdout.contains('\u{202e}'));
    assert!(
        run.stdout
            .contains("\\u{1b}[2J [effacé] et \\u{202e}inversé\\u{202c}"),
        "{}",
        run.stdout
    );
    let shown = env.run(&["show", "piege/comment/1/1"]);
    assert!(!shown.stdout.contains('\u{1b}') && shown.stdout.contains("\\u{202e}"));
    // JSON keeps the text as it is (escaped by JSON itself).
    let json = env.run(&["search", "--json", "effacé"]).json();
    assert!(
        json["hits"][0]["text"]
            .as_str()
            .unwrap()
            .contains('\u{202e}')
    );
}
