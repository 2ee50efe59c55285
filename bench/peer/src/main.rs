//! Plain tantivy, the peer of recherche's benchmarks (`bench/run.sh`).
//!
//! `tantivy-peer index NDJSON INDEX_DIR` indexes the passages that
//! `recherche export --ndjson` writes, with tantivy's own French analysis
//! (simple tokenizer, lowercase, French stop words, French stemmer) on two
//! indexing threads. `tantivy-peer search INDEX_DIR QUERY` runs tantivy's
//! query parser over title, context and text and prints the ten best
//! passages as JSON lines.

use std::io::{BufRead, BufReader, Write};

use tantivy::collector::TopDocs;
use tantivy::query::QueryParser;
use tantivy::schema::{
    IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::tokenizer::{
    Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
};
use tantivy::{Index, IndexWriter, TantivyDocument};

const FRENCH: &str = "fr";

fn french() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(StopWordFilter::new(Language::French).expect("French stop words"))
        .filter(Stemmer::new(Language::French))
        .build()
}

fn schema() -> Schema {
    let text = |record| {
        TextOptions::default()
            .set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(FRENCH)
                    .set_index_option(record),
            )
            .set_stored()
    };
    let mut schema = Schema::builder();
    schema.add_text_field("id", STRING | STORED);
    schema.add_text_field("title", text(IndexRecordOption::WithFreqs));
    schema.add_text_field("kind", STRING | STORED);
    schema.add_text_field("author", text(IndexRecordOption::WithFreqs));
    schema.add_text_field("context", text(IndexRecordOption::WithFreqsAndPositions));
    schema.add_text_field("text", text(IndexRecordOption::WithFreqsAndPositions));
    schema.build()
}

fn index(ndjson: &str, dir: &str) -> tantivy::Result<()> {
    std::fs::create_dir_all(dir)?;
    let schema = schema();
    let index = Index::create_in_dir(dir, schema.clone())?;
    index.tokenizers().register(FRENCH, french());
    let mut writer: IndexWriter = index.writer_with_num_threads(2, 2 * (100 << 20))?;
    let lines = BufReader::new(std::fs::File::open(ndjson)?).lines();
    for line in lines {
        let passage: serde_json::Value = serde_json::from_str(&line?).expect("a JSON line");
        let mut doc = TantivyDocument::new();
        for name in ["id", "title", "kind", "author", "context", "text"] {
            if let Some(value) = passage[name].as_str() {
                doc.add_text(schema.get_field(name)?, value);
            }
        }
        writer.add_document(doc)?;
    }
    writer.commit()?;
    writer.wait_merging_threads()
}

fn search(dir: &str, query: &str) -> tantivy::Result<()> {
    let index = Index::open_in_dir(dir)?;
    index.tokenizers().register(FRENCH, french());
    let schema = index.schema();
    let fields = ["title", "context", "text"].map(|name| schema.get_field(name).unwrap());
    let searcher = index.reader()?.searcher();
    let (query, _) = QueryParser::for_index(&index, fields.to_vec()).parse_query_lenient(query);
    let mut out = std::io::stdout().lock();
    for (score, address) in searcher.search(&query, &TopDocs::with_limit(10).order_by_score())? {
        let doc: TantivyDocument = searcher.doc(address)?;
        let field = |name| {
            doc.get_first(schema.get_field(name).unwrap())
                .and_then(|v| v.as_str())
        };
        let hit = serde_json::json!({"score": score, "id": field("id"), "text": field("text")});
        writeln!(out, "{hit}")?;
    }
    Ok(())
}

fn main() -> tantivy::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>()[1..] {
        ["index", ndjson, dir] => index(ndjson, dir),
        ["search", dir, query] => search(dir, query),
        _ => {
            eprintln!("usage: tantivy-peer index NDJSON INDEX_DIR | search INDEX_DIR QUERY");
            std::process::exit(2);
        }
    }
}
