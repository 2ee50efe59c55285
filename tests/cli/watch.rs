//! A running `watch` answers searches over its socket: the same bytes, exit
//! codes and messages as a search that answers by itself, edits seen as
//! soon as they are reported, and a search that still answers when no
//! watch is there to ask.

#![cfg(unix)]

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Stdio};
use std::time::Duration;

use crate::harness::{Run, TestEnv};

/// A `recherche watch` running in the test's folder; killed if the test
/// fails before stopping it.
struct Watch {
    child: Option<Child>,
    stderr: Option<BufReader<std::process::ChildStderr>>,
    /// What it wrote to standard error before it said it was watching.
    before: String,
    /// The line that said so.
    watching: String,
}

impl Watch {
    /// Starts a watch and waits until it says it is watching.
    fn start(env: &TestEnv, debounce_ms: u64) -> Watch {
        Watch::start_with(env.command(&[]), debounce_ms)
    }

    /// The same, with `command` as the binary to run.
    fn start_with(mut command: std::process::Command, debounce_ms: u64) -> Watch {
        let mut child = command
            .args(["watch", "--debounce", &debounce_ms.to_string()])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut before = String::new();
        let watching = loop {
            let mut line = String::new();
            assert_ne!(stderr.read_line(&mut line).unwrap(), 0, "{before}");
            if line.contains("watching corpus") {
                break line;
            }
            before.push_str(&line);
        };
        Watch {
            child: Some(child),
            stderr: Some(stderr),
            before,
            watching,
        }
    }

    /// Stops it with Ctrl-C: its standard output and the rest of its
    /// standard error.
    fn stop(mut self) -> (String, String) {
        let child = self.child.take().unwrap();
        let status = std::process::Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        let mut stderr = std::mem::take(&mut self.before);
        self.stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{stderr}");
        (String::from_utf8(output.stdout).unwrap(), stderr)
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// How many searches the watch says it answered.
fn answered(stderr: &str) -> u64 {
    if stderr.contains("recherche: stopped watching\n") {
        return 0;
    }
    let start = stderr
        .find("stopped watching (")
        .unwrap_or_else(|| panic!("{stderr}"))
        + "stopped watching (".len();
    stderr[start..].split(' ').next().unwrap().parse().unwrap()
}

fn outcome(run: &Run) -> (i32, String, String) {
    (run.code, run.stdout.clone(), run.stderr.clone())
}

/// Searches of every kind: text and JSON, colours, explanations, filters,
/// no match, stop words only, a query in error.
const SEARCHES: &[&[&str]] = &[
    &["search", "médias"],
    &["search", "--json", "médias sociaux"],
    &["search", "--json", "--explain", "narcisique"],
    &["search", "--color", "always", "\"sourde oreille\""],
    &["search", "--author", "milouse", "écrire"],
    &["search", "--json", "-n", "3", "kind:comment authenticité"],
    &["search", "--json", "--exact", "--", "-linkedin médias"],
    &["search", "--no-refresh", "ornithorynques"],
    &["search", "le la"],
    &["search", "kind:poème"],
];

/// A search of another corpus than the watch's: it declines.
const ELSEWHERE: &[&str] = &[
    "search",
    "--json",
    "--no-refresh",
    "--corpus",
    "ailleurs",
    "médias",
];

#[test]
fn a_running_watch_answers_searches_as_search_would() {
    let env = TestEnv::seed_indexed();
    let socket = env.index().join("watch.sock");
    let alone: Vec<_> = SEARCHES
        .iter()
        .map(|args| outcome(&env.run(args)))
        .collect();
    // Every exit code is there: hits, none, an error.
    let codes: Vec<i32> = alone.iter().map(|o| o.0).collect();
    assert!(
        codes.contains(&0) && codes.contains(&1) && codes.contains(&2),
        "{codes:?}"
    );
    let elsewhere = outcome(&env.run(ELSEWHERE));
    assert!(!socket.exists());

    assert_eq!(env.run(&["status", "--json"]).json()["watch"], false);
    let watch = Watch::start(&env, 100);
    assert!(socket.exists());
    // `status` says so (and is not a search: it is not counted).
    let status = env.run(&["status"]);
    status.expect_code(0);
    assert!(
        status
            .stdout
            .ends_with("\nwatch:    running, answers searches\n"),
        "{}",
        status.stdout
    );
    assert_eq!(env.run(&["status", "--json"]).json()["watch"], true);
    for (args, alone) in SEARCHES.iter().zip(&alone) {
        assert_eq!(&outcome(&env.run(args)), alone, "{args:?}");
    }
    // The watch declines; the search answers by itself, the same.
    assert_eq!(outcome(&env.run(ELSEWHERE)), elsewhere);
    let (stdout, stderr) = watch.stop();
    assert_eq!(answered(&stderr), SEARCHES.len() as u64, "{stderr}");
    // Nothing changed: nothing updated.
    assert_eq!(stdout, "");
    // The socket goes with the watch.
    assert!(!socket.exists());
    assert!(!env.run(&["status"]).stdout.contains("watch:"));
}

/// Waits long enough for the operating system to tell the watch of a
/// change (it is told within microseconds; the margin is for a busy
/// machine).
fn let_the_watch_be_told() {
    std::thread::sleep(Duration::from_millis(300));
}

#[test]
fn a_search_answered_by_the_watch_sees_edits_made_before_it() {
    let env = TestEnv::seed_indexed();
    // The watch would wait ten minutes before updating by itself: only the
    // searches update the index here.
    let watch = Watch::start(&env, 600_000);
    env.write_post(
        "nouveau.txt",
        "Un nouveau billet\n\nSur les ornithorynques.\n",
    );
    let_the_watch_be_told();
    // Without a refresh, the index as it is, as without a watch.
    env.run(&["search", "--no-refresh", "ornithorynques"])
        .expect_code(1);
    // With one, the change first, and the same note as without a watch.
    let run = env.run(&["search", "--json", "ornithorynques"]);
    run.expect_code(0);
    assert_eq!(run.json()["hits"][0]["id"], "nouveau/article/1");
    assert!(
        run.stderr
            .contains("recherche: index updated: 41 passages (2 added")
            && run.stderr.contains("(1 file changed)"),
        "{}",
        run.stderr
    );
    // Nothing changed since: no note.
    let run = env.run(&["search", "ornithorynques"]);
    run.expect_code(0);
    assert_eq!(run.stderr, "");

    // A post that is not UTF-8: the search fails naming it, as without a
    // watch, and again until it is mended.
    env.write_bytes("cassé.txt", b"Titre\n\nfa\xE7ade\n");
    let_the_watch_be_told();
    let broken = env.run(&["search", "médias"]);
    broken.expect_code(2);
    assert!(broken.stderr.contains("cassé.txt"), "{}", broken.stderr);
    assert_eq!(broken.stderr.lines().count(), 1, "{}", broken.stderr);
    assert_eq!(outcome(&env.run(&["search", "médias"])), outcome(&broken));
    let (stdout, stderr) = watch.stop();
    assert_eq!(answered(&stderr), 5, "{stderr}");
    // The watch reports the update a search made.
    assert!(
        stdout.contains("index updated: 41 passages (2 added"),
        "{stdout}"
    );
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    // Without the watch: the same failure.
    assert_eq!(outcome(&env.run(&["search", "médias"])), outcome(&broken));
}

#[test]
fn a_socket_left_by_a_killed_watch_is_passed_over_then_replaced() {
    let env = TestEnv::seed_indexed();
    let socket = env.index().join("watch.sock");
    let alone = outcome(&env.run(&["search", "--json", "médias"]));
    // What a killed watch leaves: the socket file, nobody listening.
    drop(std::os::unix::net::UnixListener::bind(&socket).unwrap());
    assert!(socket.exists());
    assert_eq!(outcome(&env.run(&["search", "--json", "médias"])), alone);
    env.run(&["status"]).expect_code(0);
    env.run(&["index"]).expect_code(0);
    // A new watch takes its place.
    let watch = Watch::start(&env, 100);
    assert_eq!(
        watch.watching,
        "recherche: watching corpus and answering searches (Ctrl-C to stop)\n"
    );
    assert_eq!(outcome(&env.run(&["search", "--json", "médias"])), alone);
    // A second watch of the same index leaves the searches to the first.
    let second = Watch::start(&env, 100);
    assert_eq!(
        second.watching,
        "recherche: watching corpus (Ctrl-C to stop)\n"
    );
    let (_, second_stderr) = second.stop();
    assert!(
        second_stderr.contains("another watch answers searches"),
        "{second_stderr}"
    );
    assert_eq!(outcome(&env.run(&["search", "--json", "médias"])), alone);
    let (_, stderr) = watch.stop();
    assert_eq!(answered(&stderr), 2, "{stderr}");
}

#[test]
fn an_index_written_by_another_process_is_seen() {
    let env = TestEnv::seed_indexed();
    let watch = Watch::start(&env, 600_000);
    env.run(&["search", "médias"]).expect_code(0);
    // Another process builds the index from another corpus.
    let other = env.path().join("autre");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(
        other.join("billet.txt"),
        "Un autre billet\n\nSur les ornithorynques.\n",
    )
    .unwrap();
    env.run(&["index", "--full", "--quiet", "--corpus", "autre"])
        .expect_code(0);
    // The index as it is now, not as the watch had it open.
    assert_eq!(
        env.run(&["search", "--no-refresh", "--json", "ornithorynques"])
            .json()["hits"][0]["id"],
        "billet/article/1"
    );
    // A search that refreshes checks the watch's corpus against it, as it
    // would without a watch: the seed's passages are back.
    let run = env.run(&["search", "--json", "ornithorynques"]);
    run.expect_code(1);
    assert!(run.stderr.contains("index updated"), "{}", run.stderr);
    env.run(&["search", "médias"]).expect_code(0);
    let (_, stderr) = watch.stop();
    assert_eq!(answered(&stderr), 4, "{stderr}");
}

#[test]
fn searches_at_the_same_time_are_all_answered_alike() {
    let env = TestEnv::seed_indexed();
    let queries = [
        "médias",
        "sourde oreille",
        "narcisique",
        "twitter",
        "écrire",
    ];
    let alone: Vec<_> = queries
        .iter()
        .map(|q| outcome(&env.run(&["search", "--json", q])))
        .collect();
    let watch = Watch::start(&env, 100);
    std::thread::scope(|scope| {
        let runs: Vec<_> = (0..4)
            .flat_map(|_| queries.iter().zip(&alone))
            .map(|(q, alone)| {
                let env = &env;
                scope.spawn(move || (outcome(&env.run(&["search", "--json", q])), alone))
            })
            .collect();
        for run in runs {
            let (outcome, alone) = run.join().unwrap();
            assert_eq!(&outcome, alone);
        }
    });
    let (_, stderr) = watch.stop();
    assert_eq!(answered(&stderr), 4 * queries.len() as u64, "{stderr}");
}

#[test]
fn a_watch_started_from_another_build_leaves_searches_alone() {
    let env = TestEnv::seed_indexed();
    let alone = outcome(&env.run(&["search", "--json", "médias"]));
    // The same version, another executable file: as after `cargo build`
    // or an upgrade replaced the binary under a running watch.
    let other = env.path().join("recherche-before");
    std::fs::copy(env!("CARGO_BIN_EXE_recherche"), &other).unwrap();
    let mut from_copy = std::process::Command::new(&other);
    from_copy
        .current_dir(env.path())
        .env_clear()
        .stdin(Stdio::null());
    let watch = Watch::start_with(from_copy, 100);
    assert!(watch.watching.contains("and answering searches"));
    assert_eq!(outcome(&env.run(&["search", "--json", "médias"])), alone);
    let (_, stderr) = watch.stop();
    assert_eq!(answered(&stderr), 0, "{stderr}");
}
