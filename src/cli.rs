//! The command line, defined with clap's derive API (doc comments are the
//! help text), and its conversion into the plain options of
//! [`crate::commands`]: clap's types stop here.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands::export::ExportCommand;
use crate::commands::index::IndexCommand;
use crate::commands::search::SearchCommand;
use crate::commands::show::ShowCommand;
use crate::commands::status::StatusCommand;
use crate::commands::watch::WatchCommand;
use crate::commands::{Command, Output};
use crate::dates;
use crate::index::update::Mode;
use crate::passages::Kind;
use crate::search::SearchOptions;
use crate::serve::ServeCommand;

/// Version line: recherche's version and the tantivy it is built on.
pub const VERSION: &str = concat!(env!("CARGO_PKG_VERSION"), " (tantivy 0.27)");

const SEARCH_EXAMPLES: &str = "\
Query syntax:
  médias sociaux           any word may match; passages with all words come first
  \"sourde oreille\"         a phrase; \"médias sociaux\"~2 lets the words be 2 apart
  +narcissiques -twitter   a required word, an excluded word
  homogén*                 words beginning with homogén (accents optional)
  narcisique               typos are forgiven (--exact turns that off)
  author:milouse           comments by Milouse (case and accents ignored)
  kind:comment             title, article, bio, comment or pingback
  --since 2010-08          passages dated from August 2010 on (--until: up to)

Examples:
  recherche search medias
  recherche search '\"sourde oreille\"'
  recherche search --author milouse écrire
  recherche search --json 'kind:article authenticité'

Exit status: 0 if a passage matched, 1 if none did, 2 on error.";

/// Full-text search of French blog posts and their comments.
#[derive(Debug, Parser)]
#[command(name = "recherche", version = VERSION, about)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Commands,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Commands {
    /// Search the passages of the posts.
    #[command(after_long_help = SEARCH_EXAMPLES, after_help = SEARCH_EXAMPLES)]
    Search(SearchArgs),
    /// Build or update the index from the corpus.
    Index(IndexArgs),
    /// Keep the index up to date while the posts are edited, and answer
    /// searches from it meanwhile (Ctrl-C stops).
    Watch(WatchArgs),
    /// Show a passage whole, where it comes from, and the passages around it.
    Show(ShowArgs),
    /// Say what the index holds and whether the corpus changed since
    /// (exit 0 fresh, 1 stale, 2 no index).
    Status(StatusArgs),
    /// Write every passage with all its fields, one JSON object per line.
    Export(ExportArgs),
    /// Serve the search page and its JSON API, kept up to date as `watch`
    /// does (Ctrl-C stops).
    Serve(ServeArgs),
    /// Print a shell completion script.
    Completions(CompletionsArgs),
    /// Print the manual page (roff).
    Man,
}

/// Arguments of `recherche serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on; another host than 127.0.0.1 opens it to the network.
    #[arg(long, default_value = "127.0.0.1:7700", value_name = "HOST:PORT")]
    pub addr: std::net::SocketAddr,
    /// Let the pages of this origin call the API (`https://blog.example`).
    #[arg(long, value_name = "ORIGIN")]
    pub cors: Option<String>,
    /// Quiet time after the last change before updating, in milliseconds.
    #[arg(long, default_value_t = 300, value_name = "MS")]
    pub debounce: u64,
    /// Where the posts and the index are.
    #[command(flatten)]
    pub locations: Locations,
}

/// Where the posts and the index are.
#[derive(Debug, Args)]
pub struct Locations {
    /// Folder of the posts (.txt, .xml, .html, .md, searched recursively);
    /// default: the one the index was built from, else `corpus`.
    #[arg(long, env = "RECHERCHE_CORPUS", value_name = "DIR")]
    pub corpus: Option<PathBuf>,
    /// Folder of the index.
    #[arg(
        long,
        env = "RECHERCHE_INDEX",
        default_value = "index",
        value_name = "DIR"
    )]
    pub index: PathBuf,
}

/// When to colour the output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// When writing to a terminal and NO_COLOR is not set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Arguments of `recherche search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query; several words are one query. May be left out when
    /// --kind or --author is given.
    #[arg(required_unless_present_any = ["kind", "author", "since", "until"], value_name = "QUERY")]
    pub query: Vec<String>,
    /// Most hits to show.
    #[arg(long, short = 'n', default_value_t = 10, value_name = "N")]
    pub limit: usize,
    /// Only passages of this kind (repeat for several).
    #[arg(long, value_enum, value_name = "KIND")]
    pub kind: Vec<KindArg>,
    /// Only comments by this author, case and accents ignored (repeat for several).
    #[arg(long, value_name = "NAME")]
    pub author: Vec<String>,
    /// Only passages dated from DATE on (2010, 2010-08 or 2010-08-03).
    #[arg(long, value_name = "DATE", value_parser = since)]
    pub since: Option<u64>,
    /// Only passages dated up to DATE, included (2010, 2010-08 or 2010-08-03).
    #[arg(long, value_name = "DATE", value_parser = until)]
    pub until: Option<u64>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Match the words as typed: no typo tolerance, no completion of the last word.
    #[arg(long)]
    pub exact: bool,
    /// Show why each hit scored what it scored.
    #[arg(long)]
    pub explain: bool,
    /// Colour the matched words.
    #[arg(long, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
    /// Answer from the index as it is, without checking the corpus for changes.
    #[arg(long)]
    pub no_refresh: bool,
    /// Where the posts and the index are.
    #[command(flatten)]
    pub locations: Locations,
}

/// Arguments of `recherche index`.
#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Rebuild from scratch instead of updating what changed.
    #[arg(long)]
    pub full: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Where the posts and the index are.
    #[command(flatten)]
    pub locations: Locations,
}

/// Arguments of `recherche watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Quiet time after the last change before updating, in milliseconds.
    #[arg(long, default_value_t = 300, value_name = "MS")]
    pub debounce: u64,
    /// Where the posts and the index are.
    #[command(flatten)]
    pub locations: Locations,
}

/// Arguments of `recherche show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// The passage id, as printed under each search hit.
    #[arg(value_name = "ID")]
    pub id: String,
    /// Passages to show before and after it.
    #[arg(long, short = 'C', default_value_t = 1, value_name = "N")]
    pub context: u64,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Answer from the index as it is, without checking the corpus for changes.
    #[arg(long)]
    pub no_refresh: bool,
    /// Where the posts and the index are.
    #[command(flatten)]
    pub locations: Locations,
}

/// Arguments of `recherche status`.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Where the posts and the index are.
    #[command(flatten)]
    pub locations: Locations,
}

/// Arguments of `recherche export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Newline-delimited JSON (the only format).
    #[arg(long, required = true)]
    pub ndjson: bool,
    /// Export the index as it is, without checking the corpus for changes.
    #[arg(long)]
    pub no_refresh: bool,
    /// Where the posts and the index are.
    #[command(flatten)]
    pub locations: Locations,
}

/// Arguments of `recherche completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// A passage kind on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// The post title.
    Title,
    /// Article paragraphs and list items.
    Article,
    /// The author's bio.
    Bio,
    /// Readers' comments.
    Comment,
    /// Pingbacks from other blogs.
    Pingback,
}

impl Cli {
    /// The command to run, with plain options.
    pub fn into_command(self) -> Command {
        match self.command {
            Commands::Search(args) => Command::Search(args.into()),
            Commands::Index(args) => Command::Index(IndexCommand {
                corpus: args.locations.corpus,
                index: args.locations.index,
                mode: if args.full {
                    Mode::Full
                } else {
                    Mode::Incremental
                },
                json: args.json,
                quiet: args.quiet,
            }),
            Commands::Watch(args) => Command::Watch(WatchCommand {
                corpus: args.locations.corpus,
                index: args.locations.index,
                debounce: Duration::from_millis(args.debounce),
            }),
            Commands::Serve(args) => Command::Serve(ServeCommand {
                corpus: args.locations.corpus,
                index: args.locations.index,
                addr: args.addr,
                cors: args.cors,
                debounce: Duration::from_millis(args.debounce),
            }),
            Commands::Show(args) => Command::Show(ShowCommand {
                corpus: args.locations.corpus,
                index: args.locations.index,
                id: args.id,
                context: args.context,
                json: args.json,
                refresh: !args.no_refresh,
            }),
            Commands::Status(args) => Command::Status(StatusCommand {
                corpus: args.locations.corpus,
                index: args.locations.index,
                json: args.json,
            }),
            Commands::Export(args) => Command::Export(ExportCommand {
                corpus: args.locations.corpus,
                index: args.locations.index,
                refresh: !args.no_refresh,
            }),
            Commands::Completions(args) => Command::Completions(args.shell),
            Commands::Man => Command::Man,
        }
    }
}

impl From<SearchArgs> for SearchCommand {
    fn from(args: SearchArgs) -> SearchCommand {
        let color = match args.color {
            ColorWhen::Always => true,
            ColorWhen::Never => false,
            // A terminal, NO_COLOR unset, or CLICOLOR_FORCE set.
            ColorWhen::Auto => {
                anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
            }
        };
        SearchCommand {
            corpus: args.locations.corpus,
            index: args.locations.index,
            query: args.query.join(" "),
            options: SearchOptions {
                limit: args.limit,
                offset: 0,
                facets: false,
                kinds: args.kind.into_iter().map(Into::into).collect(),
                authors: args.author,
                since: args.since,
                until: args.until,
                exact: args.exact,
                explain: args.explain,
            },
            output: if args.json {
                Output::Json
            } else {
                Output::Text { color }
            },
            refresh: !args.no_refresh,
        }
    }
}

fn since(text: &str) -> Result<u64, String> {
    dates::bound(text, dates::End::Start)
}

fn until(text: &str) -> Result<u64, String> {
    dates::bound(text, dates::End::Finish)
}

impl From<KindArg> for Kind {
    fn from(kind: KindArg) -> Kind {
        match kind {
            KindArg::Title => Kind::Title,
            KindArg::Article => Kind::Article,
            KindArg::Bio => Kind::Bio,
            KindArg::Comment => Kind::Comment,
            KindArg::Pingback => Kind::Pingback,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    fn query_of(args: &[&str]) -> Vec<String> {
        let cli = Cli::try_parse_from(args).unwrap();
        let Commands::Search(search) = cli.command else {
            panic!("not a search")
        };
        search.query
    }

    #[test]
    fn exclusions_pass_quoted_or_after_a_double_dash() {
        assert_eq!(
            query_of(&["recherche", "search", "médias -linkedin", "--json"]),
            ["médias -linkedin"]
        );
        assert_eq!(
            query_of(&["recherche", "search", "--json", "--", "-linkedin", "médias"]),
            ["-linkedin", "médias"]
        );
        assert!(Cli::try_parse_from(["recherche", "search", "médias", "-linkedin"]).is_err());
    }
}
