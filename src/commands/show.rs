//! `recherche show ID`: a passage whole, where it comes from, and the
//! passages around it.

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use serde::Serialize;
use tantivy::Searcher;

use crate::ExitStatus;
use crate::commands::open_index;
use crate::error::Error;
use crate::index::read;
use crate::index::{OpenIndex, StoredPassage};
use crate::passages::Kind;
use crate::render::{json, text};

/// Everything `recherche show` needs.
#[derive(Debug, Clone)]
pub struct ShowCommand {
    /// Folder of the posts, when given (see [`super::corpus_folder`]).
    pub corpus: Option<PathBuf>,
    /// Folder of the index.
    pub index: PathBuf,
    /// The passage id.
    pub id: String,
    /// Passages to show before and after it.
    pub context: u64,
    /// Print JSON.
    pub json: bool,
    /// Check the corpus and update the index first.
    pub refresh: bool,
}

/// The JSON output of `show`.
#[derive(Serialize)]
pub struct Shown<'a> {
    id: &'a str,
    post: &'a str,
    title: &'a str,
    file: &'a str,
    tags: &'a [String],
    passages: Vec<ShownPassage<'a>>,
}

/// One passage of [`Shown`].
#[derive(Serialize)]
pub struct ShownPassage<'a> {
    id: &'a str,
    asked: bool,
    kind: Kind,
    author: Option<&'a str>,
    context: Option<&'a str>,
    line: u64,
    date: Option<&'a str>,
    url: Option<&'a str>,
    answers: Option<&'a str>,
    text: &'a str,
}

/// Runs `recherche show`; an unknown id is an error that names the closest
/// ids.
pub fn run(
    command: &ShowCommand,
    interrupt: &AtomicBool,
    out: &mut impl Write,
    err: &mut impl Write,
) -> anyhow::Result<ExitStatus> {
    let open = open_index(
        command.corpus.as_deref(),
        &command.index,
        command.refresh,
        interrupt,
        err,
    )?;
    let reader = open.reader()?;
    let searcher = reader.searcher();
    let id = command.id.trim();
    let (asked, passages) =
        around(&searcher, &open, id, command.context).map_err(|e| open.damaged(e))?;
    if command.json {
        json::write_value(out, &shown(&asked, &passages))?;
    } else {
        write_text(out, &asked, &passages)?;
    }
    Ok(ExitStatus::Success)
}

/// The JSON of `show`: the passage asked for and those around it.
pub fn shown<'a>(asked: &'a StoredPassage, passages: &'a [StoredPassage]) -> Shown<'a> {
    Shown {
        id: &asked.id,
        post: &asked.post,
        title: &asked.title,
        file: &asked.file,
        tags: &asked.tags,
        passages: passages
            .iter()
            .map(|p| ShownPassage {
                id: &p.id,
                asked: p.id == asked.id,
                kind: p.kind,
                author: p.author.as_deref(),
                context: p.context.as_deref(),
                line: p.line,
                date: p.date.as_deref(),
                url: p.url.as_deref(),
                answers: p.answers.as_deref(),
                text: &p.text,
            })
            .collect(),
    }
}

/// The passage `id` and the passages within `context` of it, in reading
/// order; an unknown id is an error naming the closest ones.
pub fn around(
    searcher: &Searcher,
    open: &OpenIndex,
    id: &str,
    context: u64,
) -> crate::Result<(StoredPassage, Vec<StoredPassage>)> {
    let Some(asked) = read::passage(searcher, &open.fields, id)? else {
        return Err(Error::UnknownId {
            id: id.to_string(),
            suggestions: read::closest_ids(searcher, id, 3)?,
        });
    };
    let passages = read::neighbours(searcher, &open.fields, &asked.post, asked.position, context)?;
    Ok((asked, passages))
}

fn write_text(
    out: &mut impl Write,
    asked: &StoredPassage,
    passages: &[StoredPassage],
) -> std::io::Result<()> {
    writeln!(
        out,
        "{} ({})",
        text::sanitize(&asked.title),
        text::sanitize(&asked.file)
    )?;
    for passage in passages {
        let mark = if passage.id == asked.id { "▶" } else { " " };
        let place = crate::render::place(passage, str::to_string);
        writeln!(out)?;
        writeln!(
            out,
            "{mark} {} · {} · line {}",
            passage.id,
            text::sanitize(&place),
            passage.line
        )?;
        for line in passage.text.lines() {
            writeln!(out, "  {}", text::sanitize(line))?;
        }
    }
    Ok(())
}
