//! Hostile and careless use: the defects found that way, one test each,
//! named after the rule it holds (issue "hostile and careless use").

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::harness::{Run, SEED, SEED_FILE, TestEnv};

/// A corpus of the seed and `copies` copies of it.
fn many_posts(env: &TestEnv, copies: usize) {
    for i in 0..copies {
        env.write_post(&format!("copies/copie-{i:04}.txt"), SEED);
    }
}

/// Waits for a spawned command, killing it (and failing) past `limit`.
fn wait_at_most(mut child: std::process::Child, limit: Duration) -> Run {
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            let output = child.wait_with_output().unwrap();
            return Run {
                code: output.status.code().unwrap_or(-1),
                stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
                stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            };
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let output = child.wait_with_output().unwrap();
            panic!(
                "still running after {limit:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The names in a folder, sorted.
fn names(folder: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(folder)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A folder that holds a file of the user's: not an index.
fn foreign_folder(env: &TestEnv) -> std::path::PathBuf {
    let folder = env.path().join("u");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("keep.doc"), "x").unwrap();
    folder
}

#[test]
fn a_command_that_cannot_do_its_job_says_so_once_and_exits_2() {
    let env = TestEnv::seed();
    foreign_folder(&env);
    let watch = env
        .command(&["watch", "--index", "u"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let run = wait_at_most(watch, Duration::from_secs(30));
    run.expect_code(2);
    assert_eq!(
        run.stderr,
        "recherche: u is not a recherche index (it holds other files); choose another --index or empty it\n"
    );
    assert_eq!(names(&env.path().join("u")), ["keep.doc"]);
}

#[test]
fn nothing_is_written_into_a_folder_recherche_does_not_own() {
    let env = TestEnv::seed();
    let folder = foreign_folder(&env);
    for args in [
        &["index", "--index", "u"][..],
        &["index", "--full", "--index", "u"],
    ] {
        let run = env.run(args);
        run.expect_code(2);
        assert!(
            run.stderr.contains("u is not a recherche index"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(names(&folder), ["keep.doc"]);
    // The root folder: refused, and no lock file left there.
    let lock = Path::new("/.lock");
    let had_lock = lock.exists();
    let run = env.run(&["index", "--index", "/"]);
    let created = !had_lock && lock.exists();
    if created {
        let _ = std::fs::remove_file(lock);
    }
    run.expect_code(2);
    assert!(!created, "/.lock was created");
}

#[test]
fn a_closed_pipe_ends_every_command_quietly_with_0() {
    let env = TestEnv::seed();
    many_posts(&env, 300);
    env.run(&["index", "--quiet"]).expect_code(0);
    for args in [
        &["export", "--ndjson"][..],
        &["search", "--json", "--limit", "100000", "médias"],
        &["search", "--limit", "100000", "médias"],
    ] {
        let mut child = env
            .command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        assert!(!first.is_empty(), "{args:?}");
        // The reader leaves, as `head -1` does.
        let run = wait_at_most(child, Duration::from_secs(60));
        assert_eq!((run.code, run.stderr.as_str()), (0, ""), "{args:?}");
    }
}

#[test]
fn everything_printed_to_a_terminal_goes_through_the_same_escaping() {
    let env = TestEnv::seed_indexed();
    env.write_bytes("\u{1b}]0;T\u{7}.txt", b"Titre\n\ncaf\xe9\n");
    let run = env.run(&["index"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("corpus/\\u{1b}]0;T\\u{7}.txt:3:"),
        "{:?}",
        run.stderr
    );
    for args in [
        &["search", "médias"][..],
        &["index", "--corpus", "\u{1b}[31mrouge"],
        &["search", "--no-refresh", "--index", "\u{7}ici", "médias"],
    ] {
        let run = env.run(args);
        assert!(!run.stderr.is_empty(), "{args:?}");
        assert!(
            !run.stderr.contains(['\u{1b}', '\u{7}']),
            "{args:?}: {:?}",
            run.stderr
        );
    }
}

#[cfg(unix)]
#[test]
fn a_post_whose_name_is_not_utf8_is_indexed_under_an_escaped_name() {
    use std::os::unix::ffi::OsStrExt;
    let env = TestEnv::empty();
    std::fs::create_dir(env.corpus()).unwrap();
    let name = std::ffi::OsStr::from_bytes(b"bad\xffname.txt");
    std::fs::write(env.corpus().join(name), "T\n\nmot\n").unwrap();
    let run = env.run(&["index", "--json"]);
    run.expect_code(0);
    assert_eq!(run.json()["passages"], 2, "{}", run.stdout);
    let found = env.search_json(&["mot"]);
    assert_eq!(found["hits"][0]["file"], "bad\\xffname.txt");
    assert_eq!(found["hits"][0]["id"], "bad-xffname/article/1");
    // An edit of it is seen, as of any post.
    std::fs::write(env.corpus().join(name), "T\n\nmots croisés\n").unwrap();
    let run = env.run(&["search", "--json", "croisés"]);
    run.expect_code(0);
}

/// Runs recherche with the index folder read-only (a read-only bind mount
/// in a mount namespace of its own); `None` where this machine cannot make
/// one, which CI must.
fn on_a_read_only_index(env: &TestEnv, args: &[&str]) -> Option<Run> {
    let index = env.index();
    let index = index.display();
    let command = format!(
        "mount --bind {index} {index} && mount -o remount,bind,ro {index} && exec \"$0\" \"$@\""
    );
    let mut unshare = std::process::Command::new("unshare");
    unshare
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", &command])
        .arg(env!("CARGO_BIN_EXE_recherche"))
        .args(args)
        .current_dir(env.path())
        .env_clear()
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .stdin(Stdio::null());
    let output = unshare.output().ok()?;
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if stderr.starts_with("unshare:") || stderr.contains("mount:") {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs read-only mounts: {stderr}"
        );
        eprintln!("skipped: no read-only mount on this machine ({stderr})");
        return None;
    }
    Some(Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr,
    })
}

#[test]
fn reading_never_needs_write_access() {
    let env = TestEnv::seed_indexed();
    let Some(run) = on_a_read_only_index(&env, &["search", "--no-refresh", "narcissiques"]) else {
        return;
    };
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert!(run.stdout.contains("[narcissiques]"), "{}", run.stdout);
    // The corpus changed: a refreshing search answers from the index as it
    // is, with one line.
    env.write_post(SEED_FILE, &SEED.replace("narcissiques", "égocentriques"));
    let run = on_a_read_only_index(&env, &["search", "narcissiques"]).unwrap();
    run.expect_code(0);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("answering from it as it is"),
        "{}",
        run.stderr
    );
    // A watch cannot do its job there: it says so once and stops.
    let run = on_a_read_only_index(&env, &["watch"]).unwrap();
    run.expect_code(2);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("Read-only file system"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_damaged_index_is_one_line_naming_the_remedy() {
    let env = TestEnv::seed_indexed();
    let generation = env.index().join("gen-000001");
    let store = std::fs::read_dir(&generation)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.extension().is_some_and(|e| e == "store"))
        .unwrap();
    let length = std::fs::metadata(&store).unwrap().len();
    std::fs::OpenOptions::new()
        .write(true)
        .open(&store)
        .unwrap()
        .set_len(length / 2)
        .unwrap();
    for args in [
        &["index"][..],
        &["search", "médias"],
        &["status"],
        &["show", "x/title"],
    ] {
        let run = env.run(args);
        run.expect_code(2);
        assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {}", run.stderr);
        for said in [
            "index/gen-000001",
            "rebuild it with `recherche index --full`",
        ] {
            assert!(
                run.stderr.contains(said),
                "{args:?}: {said} not in {}",
                run.stderr
            );
        }
    }
    env.run(&["index", "--full", "--quiet"]).expect_code(0);
    env.run(&["search", "médias"]).expect_code(0);
}

#[test]
fn long_words_are_kept_and_each_refusal_says_why() {
    let env = TestEnv::empty();
    // 30 accented letters: 60 bytes.
    let long = "é".repeat(15) + &"à".repeat(15);
    env.write_post("long.txt", &format!("Titre\n\nUn mot {long} rare.\n"));
    env.run(&["index", "--quiet"]).expect_code(0);
    assert_eq!(env.hit_ids(&[long.as_str()]), ["long/article/1"]);
    let too_long = "a".repeat(101);
    let run = env.run(&["search", &too_long]);
    run.expect_code(1);
    assert!(!run.stderr.contains("stop words"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("longer than 100 characters, which are not indexed"),
        "{}",
        run.stderr
    );
    // Stop words alone are searched as written.
    let run = env.run(&["search", "un"]);
    run.expect_code(0);
    assert_eq!(run.stderr, "");
}

#[test]
fn the_exit_code_follows_whether_a_passage_matched() {
    let env = TestEnv::seed_indexed();
    let run = env.run(&["search", "--json", "--limit", "0", "médias"]);
    run.expect_code(0);
    assert!(run.json()["total"].as_u64().unwrap() > 0);
    assert_eq!(run.json()["hits"], serde_json::json!([]));
}

#[test]
fn a_post_that_cannot_be_read_does_not_stop_searches() {
    let env = TestEnv::seed_indexed();
    env.write_post("notes.txt", "Notes\n\nUn carnet de lecture.\n");
    env.run(&["index", "--quiet"]).expect_code(0);
    // The notes become unreadable, and the seed is edited.
    env.write_bytes("notes.txt", b"Notes\n\nUn carnet de lecture, caf\xe9.\n");
    env.write_post(SEED_FILE, &SEED.replace("narcissiques", "égocentriques"));
    let before = env.index_snapshot();
    let run = env.run(&["index"]);
    run.expect_code(2);
    assert!(run.stderr.contains("notes.txt:3:"), "{}", run.stderr);
    assert_eq!(env.index_snapshot(), before, "index left as it was");
    // A search answers: the seed updated, the notes' last passages kept.
    let run = env.run(&["search", "--json", "égocentriques"]);
    run.expect_code(0);
    let notes_line = run
        .stderr
        .lines()
        .filter(|l| l.contains("notes.txt:3:"))
        .count();
    assert_eq!(notes_line, 1, "{}", run.stderr);
    assert!(run.stderr.contains("its last indexed passages are kept"));
    assert_eq!(env.hit_ids(&["carnet"]), ["notes/article/1"]);
    // Fixed, it is indexed again.
    env.write_post("notes.txt", "Notes\n\nUn autre carnet.\n");
    let run = env.run(&["search", "--json", "autre carnet"]);
    run.expect_code(0);
    assert!(!run.stderr.contains("not valid UTF-8"), "{}", run.stderr);
}

/// Kills process `pid` after `limit`, so that a test reading its output
/// fails rather than waits forever.
fn watchdog(pid: u32, limit: Duration) {
    std::thread::spawn(move || {
        std::thread::sleep(limit);
        let _ = std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status();
    });
}

#[test]
fn a_watch_reports_a_post_it_cannot_read_and_goes_on() {
    let env = TestEnv::seed_indexed();
    let mut watch = env
        .command(&["watch", "--debounce", "50"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    watchdog(watch.id(), Duration::from_secs(60));
    let mut stderr = BufReader::new(watch.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert!(line.contains("watching corpus"), "{line}");
    // A post that cannot be read, and an edit of another.
    env.write_bytes("notes.txt", b"Notes\n\ncaf\xe9\n");
    env.write_post(SEED_FILE, &SEED.replace("narcissiques", "égocentriques"));
    line.clear();
    stderr.read_line(&mut line).unwrap();
    assert!(line.contains("notes.txt:3:"), "{line}");
    // The other post is updated all the same.
    let mut stdout = BufReader::new(watch.stdout.take().unwrap());
    let mut updated = String::new();
    stdout.read_line(&mut updated).unwrap();
    assert!(
        updated.contains("index updated: 39 passages (0 added, 1 updated"),
        "{updated}"
    );
    // Fixed: indexed at the next change.
    env.write_post("notes.txt", "Notes\n\nUn café.\n");
    updated.clear();
    stdout.read_line(&mut updated).unwrap();
    assert!(
        updated.contains("index updated: 41 passages (2 added"),
        "{updated}"
    );
    let _ = std::process::Command::new("kill")
        .args(["-INT", &watch.id().to_string()])
        .status();
    let mut rest = String::new();
    let _ = stderr.read_to_string(&mut rest);
    assert_eq!(watch.wait().unwrap().code(), Some(0), "{rest}");
}
