//! The examples of the documentation are real: each `$ recherche …` block
//! of `README.md` and `docs/*.md` is run on the seed post (or, given
//! `--corpus blog`, on the seed post in every format) and prints
//! exactly what the page shows (`status` with its dates and the index's
//! size masked: they change with every build).

use std::path::{Path, PathBuf};

use crate::harness::TestEnv;

/// `README.md` and every page of `docs/`, with their text.
fn pages() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages = vec![root.join("README.md")];
    for entry in std::fs::read_dir(root.join("docs")).unwrap().flatten() {
        if entry.path().extension().is_some_and(|e| e == "md") {
            pages.push(entry.path());
        }
    }
    pages.sort();
    pages
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            (path, text)
        })
        .collect()
}

/// Each example of a page: its command line after `recherche`, and the
/// output shown under it.
fn examples(page: &str) -> Vec<(&str, String)> {
    let mut examples = Vec::new();
    let mut lines = page.lines();
    while let Some(line) = lines.next() {
        if line != "```text" {
            continue;
        }
        let Some(command) = lines.next().and_then(|l| l.strip_prefix("$ recherche ")) else {
            continue;
        };
        let mut output = String::new();
        for line in lines.by_ref().take_while(|l| *l != "```") {
            output.push_str(line);
            output.push('\n');
        }
        examples.push((command, output));
    }
    examples
}

/// `status` output with what changes from build to build masked: times
/// (`2026-11-27T17:05:26Z`) and the index's size (`28.3 kB`).
fn masked(status: &str) -> String {
    let is_time = |w: &str| {
        let w = w.trim_end_matches(',');
        w.len() == 20
            && w.chars().enumerate().all(|(i, c)| match i {
                4 | 7 => c == '-',
                10 => c == 'T',
                13 | 16 => c == ':',
                19 => c == 'Z',
                _ => c.is_ascii_digit(),
            })
    };
    status
        .lines()
        .map(|line| {
            let words: Vec<&str> = line.split(' ').collect();
            let masked: Vec<&str> = words
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    if is_time(w) {
                        if w.ends_with(',') { "TIME," } else { "TIME" }
                    } else if words.get(i + 1).is_some_and(|next| next.starts_with("kB")) {
                        "SIZE"
                    } else {
                        w
                    }
                })
                .collect();
            masked.join(" ") + "\n"
        })
        .collect()
}

/// A command line split as a shell splits it (words, "double quotes").
fn words(command: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    for c in command.chars() {
        match c {
            '"' => quoted = !quoted,
            ' ' if !quoted => words.push(std::mem::take(&mut word)),
            c => word.push(c),
        }
    }
    words.push(word);
    words.retain(|w| !w.is_empty());
    words
}

#[test]
fn the_examples_of_the_documentation_print_what_they_show() {
    let pages = pages();
    let readme: Vec<&str> = examples(
        &pages
            .iter()
            .find(|(p, _)| p.ends_with("README.md"))
            .unwrap()
            .1,
    )
    .into_iter()
    .map(|(command, _)| command)
    .collect();
    assert!(
        readme.iter().filter(|c| c.starts_with("search")).count() >= 2
            && ["show", "status", "index"]
                .iter()
                .all(|name| readme.iter().any(|c| c.starts_with(name))),
        "{readme:?}"
    );
    let env = TestEnv::seed_indexed();
    // The blog of docs/formats.md: the seed post in every format.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let blog = env.path().join("blog");
    for (from, to) in [
        (
            "seed/cadres-dirigeants-medias-sociaux.txt",
            "cadres-dirigeants-medias-sociaux.txt",
        ),
        ("wxr/blog.xml", "export/blog.xml"),
        (
            "html/cadres-dirigeants-medias-sociaux.html",
            "pages/cadres.html",
        ),
        (
            "markdown/2011-09-12-un-an-apres.md",
            "2011-09-12-un-an-apres.md",
        ),
    ] {
        std::fs::create_dir_all(blog.join(to).parent().unwrap()).unwrap();
        std::fs::copy(fixtures.join(from), blog.join(to)).unwrap();
    }
    let mut run_examples = 0;
    for (path, page) in &pages {
        for (command, shown) in examples(page) {
            let args = words(command);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let run = env.run(&args);
            let (got, expected) = if command.starts_with("status") {
                (masked(&run.stdout), masked(&shown))
            } else {
                (run.stdout, shown)
            };
            assert_eq!(got, expected, "{}: recherche {command}", path.display());
            run_examples += 1;
        }
    }
    assert!(run_examples >= 8, "{run_examples} examples");
}
