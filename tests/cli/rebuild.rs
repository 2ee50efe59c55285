//! Rebuilding after edits: incremental, equal to a full rebuild, never
//! stale, never broken by a concurrent run or a kill.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::harness::{SEED, SEED_FILE, TestEnv};

/// Every hit of a query, as (id, identical passages), for comparing states.
fn hit_set(env: &TestEnv, query: &str) -> BTreeSet<(String, Vec<String>)> {
    let results = env.search_json(&["--limit", "100000", query]);
    results["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            let mut duplicates: Vec<String> = h["duplicates"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d.as_str().unwrap().to_string())
                .collect();
            duplicates.sort();
            (h["id"].as_str().unwrap().to_string(), duplicates)
        })
        .collect()
}

const QUERIES: &[&str] = &[
    "médias sociaux",
    "cadres",
    "\"sourde oreille\"",
    "kind:comment",
    "kind:title",
    "Enderlin",
    "nouveau commentaire",
    "vision",
    "Facebook",
    "rennes",
    "narcisique",
    "vison",
    "médias soc",
    "homogen*",
];

/// Asserts that `env`'s incremental index answers like a full rebuild of
/// the same corpus.
#[track_caller]
fn assert_same_as_full_rebuild(env: &TestEnv) {
    let full = TestEnv::empty();
    copy_dir(&env.corpus(), &full.corpus());
    full.run(&["index", "--full", "--quiet"]).expect_code(0);
    for query in QUERIES {
        assert_eq!(
            hit_set(env, query),
            hit_set(&full, query),
            "query {query:?}"
        );
    }
    let summary = |e: &TestEnv| {
        let s = e.run(&["index", "--json"]).json();
        (s["passages"].clone(), s["duplicates"].clone())
    };
    assert_eq!(summary(env), summary(&full));
}

/// The folder of an index's current generation.
fn generation(env: &TestEnv) -> std::path::PathBuf {
    let pointer = std::fs::read_to_string(env.index().join("recherche.json")).unwrap();
    let pointer: serde_json::Value = serde_json::from_str(&pointer).unwrap();
    env.index().join(pointer["generation"].as_str().unwrap())
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Sets a file's modification time, leaving its content alone.
fn set_modified(path: &std::path::Path, time: std::time::SystemTime) {
    let file = std::fs::File::options().append(true).open(path).unwrap();
    file.set_modified(time).unwrap();
}

/// `index --json`, parsed.
fn index_json(env: &TestEnv) -> serde_json::Value {
    let run = env.run(&["index", "--json"]);
    run.expect_code(0);
    run.json()
}

fn counts(summary: &serde_json::Value) -> [u64; 4] {
    ["added", "updated", "removed", "unchanged"].map(|k| summary[k].as_u64().unwrap())
}

#[test]
fn a_run_without_edits_changes_nothing_and_commits_nothing() {
    let env = TestEnv::seed();
    // A file saved long before indexing: its size and time are trusted.
    let an_hour_ago = std::time::SystemTime::now() - Duration::from_secs(3600);
    set_modified(&env.corpus().join(SEED_FILE), an_hour_ago);
    env.run(&["index", "--quiet"]).expect_code(0);
    let before = env.index_snapshot();
    let summary = index_json(&env);
    assert_eq!(counts(&summary), [0, 0, 0, 39]);
    assert_eq!(summary["committed"], false);
    assert_eq!(summary["files_read"], 0);
    assert_eq!(env.index_snapshot(), before);
}

#[test]
fn a_file_saved_during_indexing_is_checked_by_content() {
    // Saved just now: an edit in the same clock tick, of the same size,
    // would not change size nor time. Its content is hashed at each check.
    let env = TestEnv::seed();
    let seed = env.corpus().join(SEED_FILE);
    let just_now = std::time::SystemTime::now() + Duration::from_millis(500);
    set_modified(&seed, just_now);
    env.run(&["index", "--quiet"]).expect_code(0);
    let summary = index_json(&env);
    assert_eq!(summary["files_read"], 1);
    assert_eq!(summary["committed"], false);
    let modified = std::fs::metadata(&seed).unwrap().modified().unwrap();
    std::fs::write(&seed, SEED.replace("Facebook", "FaceBook")).unwrap();
    set_modified(&seed, modified);
    assert_eq!(counts(&index_json(&env)), [0, 1, 0, 38]);
}

/// Saves the seed post a moment from now (racy when indexed), indexes it,
/// and waits until that save lies over two seconds back (settled).
fn index_a_racy_file_and_let_it_settle(env: &TestEnv) {
    let saved = std::time::SystemTime::now() + Duration::from_millis(300);
    set_modified(&env.corpus().join(SEED_FILE), saved);
    env.run(&["index", "--quiet"]).expect_code(0);
    let settled = saved + Duration::from_millis(2100);
    if let Ok(wait) = settled.duration_since(std::time::SystemTime::now()) {
        std::thread::sleep(wait);
    }
}

/// A run with no change now trusts every file: it reads none, commits
/// nothing.
fn assert_trusted(env: &TestEnv) {
    let summary = index_json(env);
    assert_eq!(summary["files_read"], 0);
    assert_eq!(summary["committed"], false);
}

#[test]
fn a_racy_file_found_unchanged_once_settled_is_trusted_again() {
    // As `git status` refreshes its index: the update that finds the file
    // unchanged and settled commits it as trusted; later checks stat it.
    let env = TestEnv::seed();
    index_a_racy_file_and_let_it_settle(&env);
    let summary = index_json(&env);
    assert_eq!(counts(&summary), [0, 0, 0, 39]);
    assert_eq!(summary["files_read"], 1);
    assert_eq!(summary["committed"], true);
    assert_trusted(&env);
}

#[test]
fn a_search_trusts_a_settled_racy_file_again_without_a_word() {
    let env = TestEnv::seed();
    index_a_racy_file_and_let_it_settle(&env);
    let before = env.index_snapshot();
    let search = env.run(&["search", "--json", "médias"]);
    search.expect_code(0);
    assert_eq!(search.stderr, "", "nothing changed: nothing to say");
    assert_ne!(
        env.index_snapshot(),
        before,
        "the refreshed flags are committed"
    );
    assert_trusted(&env);
}

#[test]
fn edit_sequences_match_a_full_rebuild() {
    let env = TestEnv::seed_indexed();
    edits_within_the_post(&env);
    posts_added_renamed_and_deleted(&env);
}

/// Replaces the first `from` of the seed post by `to`.
fn edit_seed(env: &TestEnv, from: &str, to: &str) {
    let seed = env.corpus().join(SEED_FILE);
    let text = std::fs::read_to_string(&seed).unwrap();
    assert!(text.contains(from), "{from}");
    std::fs::write(&seed, text.replacen(from, to, 1)).unwrap();
}

/// Passages of the seed post fixed, added, deleted and replaced.
fn edits_within_the_post(env: &TestEnv) {
    let edit = |from: &str, to: &str| edit_seed(env, from, to);

    // A typo fixed: one passage updated.
    edit("un vision long terme", "une vision long terme");
    assert_eq!(counts(&index_json(env)), [0, 1, 0, 38]);
    assert_same_as_full_rebuild(env);

    // An edit that keeps the file's size, right after the last update.
    edit("Facebook", "FaceBook");
    assert_eq!(counts(&index_json(env)), [0, 1, 0, 38]);

    // A comment added at the end: its statement and the pingback after it.
    edit(
        "  • Pingback:",
        "  • Nouvelle lectrice\n\n    Un nouveau commentaire sur la vision.\n\n  • Pingback:",
    );
    let summary = index_json(env);
    assert_eq!(summary["added"], 1);
    assert_eq!(summary["passages"], 40);
    assert_same_as_full_rebuild(env);

    // A paragraph deleted: the passages after it move up one place.
    edit(
        "Sur la base de ces (édifiants) constats, les associés de Deming Hill conseillent de décrire le fonctionnement et les intérêts des médias sociaux dans un language qui parle aux dirigeants.\n\n",
        "",
    );
    let summary = index_json(env);
    assert_eq!(summary["passages"], 39);
    assert_eq!(summary["removed"], 1);
    assert_same_as_full_rebuild(env);

    // The pingback replaced by a comment: the new passage takes the place
    // of one that goes (an update deletes it by id, then adds).
    edit(
        "  • Pingback: Le coup d’oeil du Senior – n°1WebPatron()",
        "  • Lecteur pressé\n\n    Une remarque tardive sur la vision.",
    );
    let summary = index_json(env);
    assert_eq!(counts(&summary)[..3], [1, 0, 1]);
    assert_eq!(summary["passages"], 39);
    assert_same_as_full_rebuild(env);
}

/// Posts added and renamed, the seed's title changed, a post deleted.
fn posts_added_renamed_and_deleted(env: &TestEnv) {
    // A new post, with a passage identical to one of the seed.
    env.write_post(
        "notes/rennes.txt",
        "Rennes\n\nUne ville de Bretagne.\n\nEt si tout simplement ils n’aimaient pas écrire ?\n",
    );
    let summary = index_json(env);
    assert_eq!(counts(&summary)[0], 3);
    assert_eq!(summary["duplicates"], 9);
    assert_same_as_full_rebuild(env);

    // A rename: its passages go, the new ones come.
    std::fs::rename(
        env.corpus().join("notes/rennes.txt"),
        env.corpus().join("notes/bretagne.txt"),
    )
    .unwrap();
    assert_eq!(counts(&index_json(env))[..3], [3, 0, 3]);
    assert_same_as_full_rebuild(env);

    // A new title changes every passage of the post.
    edit_seed(env, "Pourquoi les cadres", "Comment les cadres");
    let summary = index_json(env);
    assert_eq!(summary["updated"], 39);
    assert_same_as_full_rebuild(env);

    // Touched, not changed: nothing to update.
    let seed = env.corpus().join(SEED_FILE);
    set_modified(&seed, std::time::SystemTime::now() + Duration::from_secs(5));
    let summary = index_json(env);
    assert_eq!(counts(&summary), [0, 0, 0, 42]);

    // A file deleted.
    std::fs::remove_file(env.corpus().join("notes/bretagne.txt")).unwrap();
    assert_eq!(counts(&index_json(env))[2], 3);
    assert_same_as_full_rebuild(env);
}

#[test]
fn show_after_an_update_sees_only_the_live_passages() {
    let env = TestEnv::seed_indexed();
    let seed = env.corpus().join(SEED_FILE);
    let text = std::fs::read_to_string(&seed).unwrap();
    // The passage's old version stays in its segment, deleted, until a merge.
    let edited = text.replacen("un vision long terme", "une vision à très long terme", 1);
    std::fs::write(&seed, edited).unwrap();
    env.run(&["index", "--quiet"]).expect_code(0);
    let hit = env.run(&[
        "search",
        "--json",
        "--no-refresh",
        "vision à très long terme",
    ]);
    let id = hit.json()["hits"][0]["id"].as_str().unwrap().to_string();
    let shown = env.run(&["show", "--json", "--no-refresh", "--context", "0", &id]);
    shown.expect_code(0);
    let passage = &shown.json()["passages"][0];
    assert!(
        passage["text"]
            .as_str()
            .unwrap()
            .contains("une vision à très long terme"),
        "{passage}"
    );

    // The last passage removed: its id is unknown, and not suggested.
    let last = "cadres-dirigeants-medias-sociaux/pingback/1";
    env.run(&["show", "--no-refresh", last]).expect_code(0);
    let pingback = "  • Pingback: Le coup d’oeil du Senior – n°1WebPatron()";
    let edited = std::fs::read_to_string(&seed)
        .unwrap()
        .replacen(pingback, "", 1);
    std::fs::write(&seed, edited).unwrap();
    env.run(&["index", "--quiet"]).expect_code(0);
    let run = env.run(&["show", "--no-refresh", last]);
    run.expect_code(2);
    assert!(run.stderr.contains("did you mean"), "{}", run.stderr);
    assert!(!run.stderr.contains(&format!("{last},")), "{}", run.stderr);
    assert!(!run.stderr.contains(&format!("{last}?")), "{}", run.stderr);
}

#[test]
fn search_refreshes_the_index_after_an_edit() {
    let env = TestEnv::seed_indexed();
    env.write_post(SEED_FILE, &SEED.replace("narcissiques", "égocentriques"));
    // Answering as it is: the old word.
    assert_eq!(env.hit_ids(&["narcissiques"]).len(), 1);
    let run = env.run(&["search", "--json", "égocentriques"]);
    run.expect_code(0);
    assert!(
        run.stderr.contains("index updated: 39 passages (0 added, 1 updated, 0 removed, 38 unchanged; 8 duplicates) (1 file changed)"),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.lines().count(), 1);
    assert!(env.hit_ids(&["narcissiques"]).is_empty());
}

#[test]
fn a_new_analyzer_version_rebuilds_by_itself() {
    let env = TestEnv::seed_indexed();
    let pointer = env.index().join("recherche.json");
    let old = std::fs::read_to_string(&pointer).unwrap();
    let current = format!("\"analyzer\": {}", recherche::analysis::ANALYZER_VERSION);
    assert!(old.contains(&current), "{old}");
    let outdated = old.replace(&current, "\"analyzer\": 0");
    std::fs::write(&pointer, &outdated).unwrap();
    let run = env.run(&["search", "narcissiques"]);
    run.expect_code(0);
    assert!(
        run.stderr.contains("built by another version; rebuilding"),
        "{}",
        run.stderr
    );
    std::fs::write(&pointer, &outdated).unwrap();
    let summary = index_json(&env);
    assert_eq!(summary["full"], true);
    assert_eq!(summary["added"], 39);
}

#[test]
fn a_damaged_generation_is_reported_with_the_remedy() {
    let env = TestEnv::seed_indexed();
    let pointer: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(env.index().join("recherche.json")).unwrap())
            .unwrap();
    let generation = env.index().join(pointer["generation"].as_str().unwrap());
    std::fs::remove_file(generation.join("meta.json")).unwrap();
    let run = env.run(&["search", "médias"]);
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("rebuild it with `recherche index --full`"),
        "{}",
        run.stderr
    );
    env.run(&["index", "--full", "--quiet"]).expect_code(0);
    env.run(&["search", "médias"]).expect_code(0);
}

#[test]
fn a_missing_manifest_is_reported_with_the_remedy() {
    let env = TestEnv::seed_indexed();
    let manifest = std::fs::read_dir(generation(&env))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|name| name.starts_with("manifest-"))
        .unwrap();
    std::fs::remove_file(generation(&env).join(&manifest)).unwrap();
    let run = env.run(&["search", "--no-refresh", "médias"]);
    run.expect_code(2);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    for said in [
        format!("its manifest {manifest} is missing"),
        "rebuild it with `recherche index --full`".to_string(),
    ] {
        assert!(run.stderr.contains(&said), "{said:?} not in {}", run.stderr);
    }
    env.run(&["index", "--full", "--quiet"]).expect_code(0);
    env.run(&["search", "vision"]).expect_code(0);
}

#[test]
fn deletions_are_merged_away() {
    let env = TestEnv::seed_indexed();
    for round in 0..12 {
        let text = SEED.replace("Milouse", &format!("Milouse{round}"));
        env.write_post(
            SEED_FILE,
            &text.replace("médias", &format!("médias{round}")),
        );
        env.run(&["index", "--quiet"]).expect_code(0);
    }
    for segment in segments(&env) {
        let max_doc = segment["max_doc"].as_f64().unwrap();
        let deleted = segment["deletes"]["num_deleted_docs"]
            .as_f64()
            .unwrap_or(0.0);
        assert!(deleted / max_doc <= 0.1, "{segment}");
    }
    assert_same_as_full_rebuild(&env);
}

/// The segments of the current generation, from tantivy's meta.json.
pub fn segments(env: &TestEnv) -> Vec<serde_json::Value> {
    let meta = std::fs::read_to_string(generation(env).join("meta.json")).unwrap();
    let meta: serde_json::Value = serde_json::from_str(&meta).unwrap();
    meta["segments"].as_array().unwrap().clone()
}

#[test]
fn a_small_update_writes_one_segment() {
    // Every query opens each segment's files: an update of a few posts
    // adds one segment, not one per indexing thread.
    let env = TestEnv::seed_indexed();
    let before = segments(&env).len();
    let paragraphs: Vec<String> = (0..300)
        .map(|i| format!("Paragraphe {i} sur la confiance des dirigeants."))
        .collect();
    env.write_post(
        "nouveau.txt",
        &format!("Un nouveau billet\n\n{}\n", paragraphs.join("\n\n")),
    );
    env.run(&["index", "--quiet"]).expect_code(0);
    assert_eq!(segments(&env).len(), before + 1);
    assert_same_as_full_rebuild(&env);
    // The new segment holds no context and no author, and nothing was
    // deleted: scores and explanations are a full build's too.
    let full = TestEnv::empty();
    copy_dir(&env.corpus(), &full.corpus());
    full.run(&["index", "--full", "--quiet"]).expect_code(0);
    for query in [
        "confiance dirigeants",
        "médias sociaux",
        "\"médias sociaux\"",
        "author:Milouse écrire",
        "dirigeants -author:Milouse",
        "kind:comment médias",
    ] {
        let explained = |e: &TestEnv| e.search_json(&["--explain", "--limit", "100000", query]);
        let updated = explained(&env);
        assert!(updated["total"].as_u64().unwrap() > 0, "query {query:?}");
        assert_eq!(updated, explained(&full), "query {query:?}");
    }
    let new_post = env.hit_ids(&["--limit", "100000", "confiance"]);
    assert_eq!(
        new_post
            .iter()
            .filter(|id| id.starts_with("nouveau/"))
            .count(),
        300,
        "{new_post:?}"
    );
}

/// A corpus of `copies` copies of the seed, each with one word of its own.
/// Runs `recherche ARGS` in a pseudo-terminal (script(1) from util-linux).
fn on_a_terminal(env: &TestEnv, args: &str) -> std::process::Output {
    let command = format!("{} {args}", env!("CARGO_BIN_EXE_recherche"));
    std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(env.path())
        .env_clear()
        .env("TERM", "xterm")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script(1) from util-linux runs")
}

fn many_copies(env: &TestEnv, copies: usize) {
    for i in 0..copies {
        env.write_post(
            &format!("copies/copie-{i:04}.txt"),
            &SEED.replacen("narcissiques", &format!("narcissiques copie{i:04}"), 1),
        );
    }
}

#[test]
fn searches_during_an_update_see_the_old_or_the_new_state() {
    let env = TestEnv::seed_indexed();
    let copies = 300;
    many_copies(&env, copies);
    let mut index = env.command(&["index", "--quiet"]).spawn().unwrap();
    let mut seen = BTreeSet::new();
    let started = Instant::now();
    loop {
        let done = index.try_wait().unwrap().is_some();
        let run = env.run(&["search", "--json", "--no-refresh", "narcissiques"]);
        assert!(run.code == 0, "search failed during index: {}", run.stderr);
        assert_eq!(run.stderr, "");
        let results = run.json();
        let duplicates = results["hits"][0]["duplicates"]
            .as_array()
            .map_or(0, Vec::len);
        seen.insert((results["total"].as_u64().unwrap(), duplicates));
        if done {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(300),
            "index takes too long"
        );
    }
    assert_eq!(index.wait().unwrap().code(), Some(0));
    // Before: one passage. After: the seed's plus one per copy (its own word).
    assert!(
        seen.iter()
            .all(|s| *s == (1, 0) || *s == (copies as u64 + 1, 0)),
        "{seen:?}"
    );
    assert!(seen.contains(&(copies as u64 + 1, 0)));
}

#[test]
fn two_index_runs_at_once_one_waits_or_says_so() {
    let env = TestEnv::seed();
    many_copies(&env, 100);
    let first = env
        .command(&["index", "--full", "--quiet"])
        .spawn()
        .unwrap();
    let second = env.run(&["index", "--full", "--quiet"]);
    let first = first.wait_with_output().unwrap();
    let codes = [first.status.code().unwrap(), second.code];
    assert!(codes.contains(&0), "{codes:?}: {}", second.stderr);
    if second.code == 2 {
        assert!(
            second
                .stderr
                .contains("another `recherche index` is updating index")
        );
    }
    assert_eq!(index_json(&env)["passages"], 39 * 101);
}

#[test]
fn a_killed_index_run_leaves_the_previous_index_usable() {
    let env = TestEnv::seed_indexed();
    many_copies(&env, 1500);
    // Kills spread over the time a full build takes here; wherever one
    // lands (before the build, in it, in its commit or after), the index
    // answers from the old state or the new one, nothing in between.
    let started = Instant::now();
    env.run(&["index", "--full", "--quiet", "--index", "timing"])
        .expect_code(0);
    let full_build = started.elapsed();
    std::fs::remove_dir_all(env.path().join("timing")).unwrap();
    for (round, fraction) in [0.05, 0.3, 0.6, 0.9].into_iter().enumerate() {
        let delay = full_build.mul_f64(fraction);
        let args: &[&str] = if round % 2 == 0 {
            &["index"]
        } else {
            &["index", "--full"]
        };
        let mut index = env.command(args).spawn().unwrap();
        std::thread::sleep(delay);
        let _ = index.kill(); // SIGKILL
        let _ = index.wait();
        let results = env.search_json(&["narcissiques"]);
        let total = results["total"].as_u64().unwrap();
        assert!(
            total == 1 || total == 1501,
            "after kill at {delay:?}: {total}"
        );
    }
    // The next run completes the work.
    let summary = index_json(&env);
    assert_eq!(summary["passages"], 39 * 1501);
    assert_eq!(env.search_json(&["narcissiques"])["total"], 1501);
    // Nothing is left behind but the current generation.
    let generations = std::fs::read_dir(env.index())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("gen-"))
        .count();
    assert_eq!(generations, 1);
}

/// Kills the child process if the test fails before it ends.
struct KillOnDrop(Option<std::process::Child>);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[test]
fn watch_updates_the_index_and_stops_on_ctrl_c() {
    let env = TestEnv::seed_indexed();
    let mut guard = KillOnDrop(Some(
        env.command(&["watch", "--debounce", "100"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    ));
    let watch = guard.0.as_mut().unwrap();
    let stderr = watch.stderr.take().unwrap();
    let mut stderr = std::io::BufReader::new(stderr);
    let mut line = String::new();
    std::io::BufRead::read_line(&mut stderr, &mut line).unwrap();
    assert!(line.contains("watching corpus"), "{line}");

    env.write_post(
        "nouveau.txt",
        "Un nouveau billet\n\nSur les ornithorynques.\n",
    );
    let started = Instant::now();
    while env.hit_ids(&["ornithorynques"]).is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "watch did not update the index"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let status = std::process::Command::new("kill")
        .args(["-INT", &watch.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let output = guard.0.take().unwrap().wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.contains("index updated: 41 passages (2 added"),
        "{stdout}"
    );
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
}

#[test]
fn no_progress_bar_on_a_pipe_nor_with_quiet() {
    // What the bar shows is tested with the command (`commands::index`).
    let env = TestEnv::seed();
    many_copies(&env, 300);
    let run = env.run(&["index", "--full"]);
    run.expect_code(0);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stderr.contains("files read in"), "{}", run.stderr);
    // On a terminal (a pseudo-terminal from `script`), --quiet says nothing.
    let output = on_a_terminal(&env, "index --full --quiet");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), "");
}

#[test]
fn the_first_comment_of_a_corpus_makes_author_names_searchable() {
    let env = TestEnv::empty();
    env.write_post("notes/rennes.txt", "Rennes\n\nUne ville de Bretagne.\n");
    env.run(&["index", "--quiet"]).expect_code(0);
    assert!(env.hit_ids(&["Gwenaëlle"]).is_empty());
    // An update adds the corpus's first comment: its author is a word to
    // search for (in no passage's text), from now on.
    env.write_post(
        "notes/brest.txt",
        "Brest\n\nUn port.\n\n  • Gwenaëlle Le Goff\n\n    Il pleut souvent.\n",
    );
    env.run(&["index", "--quiet"]).expect_code(0);
    assert_eq!(
        env.hit_ids(&["gwenaelle"]),
        ["notes/brest/comment/1/1"],
        "found through the author's name"
    );
    assert_same_as_full_rebuild(&env);
}
