//! The README's example runs are real: each `$ recherche …` block of the
//! README is run on the seed post and prints exactly what the README shows
//! (`status` with its dates and the index's size masked: they change with
//! every build).

use crate::harness::TestEnv;

const README: &str = include_str!("../../README.md");

/// Each example of the README: its command line after `recherche`, and the
/// output shown under it.
fn examples() -> Vec<(&'static str, String)> {
    let mut examples = Vec::new();
    let mut lines = README.lines();
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
fn the_readme_examples_print_what_the_readme_shows() {
    let examples = examples();
    let commands: Vec<&str> = examples.iter().map(|(c, _)| *c).collect();
    assert!(
        commands.iter().filter(|c| c.starts_with("search")).count() >= 3
            && commands.iter().any(|c| c.starts_with("show")),
        "{commands:?}"
    );
    let env = TestEnv::seed_indexed();
    for (command, shown) in examples {
        let args = words(command);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = env.run(&args);
        if command.starts_with("status") {
            assert_eq!(masked(&run.stdout), masked(&shown), "recherche {command}");
        } else {
            assert_eq!(run.stdout, shown, "recherche {command}");
        }
    }
}
