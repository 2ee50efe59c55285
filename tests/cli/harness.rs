//! A fresh folder per test, with a corpus and an index, and the binary run
//! in it with a clean environment.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use tempfile::TempDir;

/// The seed post, as the blog page gave it.
pub const SEED: &str = include_str!("../fixtures/seed/cadres-dirigeants-medias-sociaux.txt");
/// The seed's file name in the corpus.
pub const SEED_FILE: &str = "cadres-dirigeants-medias-sociaux.txt";

/// A temporary folder holding `corpus/` and `index/`.
pub struct TestEnv {
    dir: TempDir,
}

/// What a run gave.
pub struct Run {
    /// Exit code.
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }

    /// Parses stdout as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// The run as snapshots record it: exit code, stdout, and stderr when
    /// anything was said there.
    pub fn transcript(&self) -> String {
        let mut transcript = format!("exit code: {}\n--- stdout\n{}", self.code, self.stdout);
        if !self.stderr.is_empty() {
            transcript.push_str("--- stderr\n");
            transcript.push_str(&self.stderr);
        }
        transcript
    }

    /// Asserts the exit code, showing the run on failure.
    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Run {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

impl TestEnv {
    /// An empty folder.
    pub fn empty() -> TestEnv {
        TestEnv {
            dir: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    /// A folder whose corpus holds the seed post.
    pub fn seed() -> TestEnv {
        let env = TestEnv::empty();
        env.write_post(SEED_FILE, SEED);
        env
    }

    /// The seed corpus with its index built.
    pub fn seed_indexed() -> TestEnv {
        let env = TestEnv::seed();
        env.run(&["index", "--quiet"]).expect_code(0);
        env
    }

    /// The temporary folder.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The corpus folder.
    pub fn corpus(&self) -> PathBuf {
        self.path().join("corpus")
    }

    /// The index folder.
    pub fn index(&self) -> PathBuf {
        self.path().join("index")
    }

    /// Writes a post under the corpus folder (creating folders).
    pub fn write_post(&self, relative: &str, text: &str) {
        self.write_bytes(relative, text.as_bytes());
    }

    /// Writes raw bytes under the corpus folder.
    pub fn write_bytes(&self, relative: &str, bytes: &[u8]) {
        let path = self.corpus().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    /// The binary, in the folder, with an empty environment.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_recherche"));
        command
            .args(args)
            .current_dir(self.path())
            .env_clear()
            .stdin(Stdio::null());
        command
    }

    /// Runs the binary and waits for it.
    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.command(args).output().expect("the binary runs"))
    }

    /// `search --json --no-refresh …`, parsed.
    pub fn search_json(&self, args: &[&str]) -> serde_json::Value {
        let mut all = vec!["search", "--json", "--no-refresh"];
        all.extend_from_slice(args);
        let run = self.run(&all);
        assert!(
            run.code == 0 || run.code == 1,
            "search failed: {}",
            run.stderr
        );
        run.json()
    }

    /// The ids of the hits of a JSON search.
    pub fn hit_ids(&self, args: &[&str]) -> Vec<String> {
        ids(&self.search_json(args))
    }

    /// Every file under the index folder with its content, to show that a
    /// failed command left the index as it was.
    pub fn index_snapshot(&self) -> Vec<(PathBuf, Vec<u8>)> {
        let mut files = Vec::new();
        collect_files(&self.index(), &mut files);
        files.retain(|(p, _)| !p.ends_with(".lock"));
        files.sort();
        files
    }
}

fn collect_files(dir: &Path, files: &mut Vec<(PathBuf, Vec<u8>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect_files(&path, files);
        } else {
            let bytes = std::fs::read(&path).unwrap();
            files.push((path, bytes));
        }
    }
}

/// The ids of the hits of a parsed JSON result.
pub fn ids(results: &serde_json::Value) -> Vec<String> {
    results["hits"]
        .as_array()
        .expect("hits is an array")
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_string())
        .collect()
}

/// Drops the post slug from ids, for shorter assertions.
pub fn short(ids: &[String]) -> Vec<&str> {
    ids.iter()
        .map(|id| {
            id.strip_prefix("cadres-dirigeants-medias-sociaux/")
                .unwrap_or(id)
        })
        .collect()
}
