//! `export --ndjson`: every passage, every field, valid NDJSON, and a
//! mapping for OpenSearch/Elasticsearch that covers every field.

use std::collections::BTreeMap;

use recherche::formats::copied_page;
use recherche::passages::Kind;
use serde::Deserialize;

use crate::harness::{SEED, SEED_FILE, TestEnv};

/// One exported line, as `docs/json.md` documents it.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Exported {
    id: String,
    post: String,
    title: String,
    file: String,
    kind: String,
    author: Option<String>,
    context: Option<String>,
    position: u64,
    line: u64,
    date: Option<String>,
    url: Option<String>,
    answers: Option<String>,
    tags: Vec<String>,
    text: String,
}

const SECOND: &str = "Notes de lecture 1\n\nUn chapitre :\n\n  • premier point\n  • second point\n\n  • Anne\n\n    D’accord avec vous.\n";

#[test]
fn export_round_trips_every_passage_and_field() {
    let env = TestEnv::seed();
    env.write_post("notes/lecture.txt", SECOND);
    env.run(&["index", "--quiet"]).expect_code(0);
    let run = env.run(&["export", "--ndjson"]);
    run.expect_code(0);
    assert!(run.stdout.ends_with('\n'));
    let exported: Vec<Exported> = run
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect();

    // What the corpus holds, parsed again here.
    let mut expected = Vec::new();
    for (file, slug, text) in [
        ("notes/lecture.txt", "notes/lecture", SECOND),
        (SEED_FILE, "cadres-dirigeants-medias-sociaux", SEED),
    ] {
        let post = copied_page::parse(slug, text);
        for p in post.passages {
            expected.push(Exported {
                id: p.id,
                post: slug.to_string(),
                title: post.title.clone(),
                file: file.to_string(),
                kind: p.kind.as_str().to_string(),
                author: p.author,
                context: p.context,
                position: p.position.into(),
                line: p.line.into(),
                date: p.date,
                url: p.url,
                answers: p.answers,
                tags: post.tags.clone(),
                text: p.text,
            });
        }
    }
    expected.sort_by(|a, b| (&a.file, a.position).cmp(&(&b.file, b.position)));
    assert_eq!(exported.len(), 39 + 5);
    assert_eq!(exported, expected);
    let kinds: BTreeMap<&str, usize> = exported.iter().fold(BTreeMap::new(), |mut m, e| {
        *m.entry(e.kind.as_str()).or_default() += 1;
        m
    });
    assert_eq!(kinds[Kind::Comment.as_str()], 18);
}

#[test]
fn the_opensearch_mapping_covers_every_exported_field() {
    let mapping: serde_json::Value =
        serde_json::from_str(include_str!("../../docs/opensearch-index.json")).unwrap();
    let properties = mapping["mappings"]["properties"].as_object().unwrap();
    let env = TestEnv::seed_indexed();
    let line = env
        .run(&["export", "--ndjson"])
        .stdout
        .lines()
        .next()
        .unwrap()
        .to_string();
    let exported: serde_json::Value = serde_json::from_str(&line).unwrap();
    for field in exported.as_object().unwrap().keys() {
        assert!(properties.contains_key(field), "{field} has no mapping");
    }
    let analysis = &mapping["settings"]["analysis"];
    let filters = analysis["analyzer"]["recherche_french"]["filter"]
        .as_array()
        .unwrap();
    let chain: Vec<&str> = filters.iter().map(|f| f.as_str().unwrap()).collect();
    assert_eq!(
        chain,
        [
            "french_elision",
            "lowercase",
            "french_stop",
            "french_stemmer",
            "asciifolding"
        ]
    );
    assert_eq!(analysis["filter"]["french_stop"]["stopwords"], "_french_");
    assert_eq!(
        analysis["filter"]["french_stemmer"]["language"],
        "light_french"
    );
}
