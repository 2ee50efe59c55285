//! Real blog formats through the command line: a WordPress export, a saved
//! page and a Markdown post beside the copied page, their dates and links,
//! `--since`/`--until`, stable ids, bad exports, and an index that knows
//! its corpus.

use crate::harness::{SEED, SEED_FILE, TestEnv};

const EXPORT: &str = include_str!("../fixtures/wxr/blog.xml");
const PAGE: &str = include_str!("../fixtures/html/cadres-dirigeants-medias-sociaux.html");
const MARKDOWN: &str = include_str!("../fixtures/markdown/2011-09-12-un-an-apres.md");

/// A corpus of the four formats, indexed.
fn blog() -> TestEnv {
    let env = TestEnv::seed();
    env.write_post("wordpress/blog.xml", EXPORT);
    env.write_post("pages/cadres.html", PAGE);
    env.write_post("2011-09-12-un-an-apres.md", MARKDOWN);
    env.run(&["index", "--quiet"]).expect_code(0);
    env
}

#[test]
fn every_format_is_searched_in_one_index() {
    let env = blog();
    let results = env.search_json(&["--limit", "20", "écriture apprend"]);
    // The reply is in the export and on the saved page: one hit.
    let hit = &results["hits"][0];
    assert_eq!(hit["id"], "pages/cadres/comment/2/1");
    assert_eq!(hit["date"], "2010-08-05T10:30:00+02:00");
    assert_eq!(
        hit["url"],
        "https://blog.exemple.fr/2010/08/03/cadres-dirigeants-medias-sociaux/#comment-18"
    );
    assert_eq!(
        hit["duplicates"],
        serde_json::json!(["wordpress/cadres-dirigeants-medias-sociaux/comment/4/1"])
    );
    let page = env.search_json(&["balise ferme"]);
    assert_eq!(page["hits"][0]["id"], "wordpress/a-propos/article/2");
    assert_eq!(page["hits"][0]["date"], "2009-01-10T12:00:00");
    assert_eq!(page["hits"][0]["url"], "https://blog.exemple.fr/a-propos/");
    let files: Vec<&str> = results["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["file"].as_str().unwrap())
        .collect();
    assert!(files.contains(&"pages/cadres.html"), "{files:?}");
    // The text header gives the date, the id line the link.
    let run = env.run(&["search", "--no-refresh", "--limit", "1", "écriture apprend"]);
    run.expect_code(0);
    assert!(
        run.stdout
            .contains("› Commentaire de Lionelmyzka · 5 août 2010\n"),
        "{}",
        run.stdout
    );
    let link = "   pages/cadres/comment/2/1 · \
                https://blog.exemple.fr/2010/08/03/cadres-dirigeants-medias-sociaux/#comment-18 \
                (même texte : wordpress/cadres-dirigeants-medias-sociaux/comment/4/1)\n";
    assert!(run.stdout.contains(link), "{}", run.stdout);
    let markdown = env.search_json(&["stagiaires former"]);
    assert_eq!(markdown["hits"][0]["id"], "un-an-apres/article/10");
    assert_eq!(markdown["hits"][0]["date"], "2011-09-12");
}

#[test]
fn since_and_until_keep_the_passages_of_their_dates() {
    let env = blog();
    let ids = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["--limit", "100"];
        all.extend_from_slice(args);
        env.hit_ids(&all)
    };
    let since = ids(&["--since", "2011", "dirigeants"]);
    assert!(!since.is_empty());
    assert!(
        since.iter().all(|id| id.starts_with("un-an-apres/")),
        "{since:?}"
    );
    // The article of 3 August 2010, not the comments of the days after.
    let day = ids(&["--since", "2010-08-03", "--until", "2010-08-03", "cadres"]);
    assert!(!day.is_empty());
    assert!(
        day.iter()
            .all(|id| !id.contains("/comment/") || id.contains("/comment/1/")),
        "{day:?}"
    );
    // The copied page (slug `cadres-dirigeants-medias-sociaux`) has no
    // date: a range leaves it out.
    assert!(
        since
            .iter()
            .chain(&day)
            .all(|id| !id.starts_with("cadres-dirigeants-medias-sociaux/"))
    );
    // A filter alone lists its passages: the export's pingback and
    // trackback (the saved page does not date its pingback).
    let august = ids(&[
        "--since", "2010-08", "--until", "2010-08", "--kind", "pingback",
    ]);
    assert_eq!(august.len(), 2, "{august:?}");
    let run = env.run(&["search", "--since", "août", "cadres"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("\"août\" is not a date"),
        "{}",
        run.stderr
    );
}

#[test]
fn posts_asking_for_the_same_slug_get_their_own_in_corpus_order() {
    let env = TestEnv::seed();
    env.write_post("blog.xml", EXPORT);
    env.run(&["index", "--quiet"]).expect_code(0);
    // `blog.xml` sorts before the copied page: its post keeps the slug.
    let show = |id: &str| env.run(&["show", "--json", "--no-refresh", id]);
    let exported = show("cadres-dirigeants-medias-sociaux/comment/4/1").json();
    assert_eq!(exported["file"], "blog.xml");
    let copied = show("cadres-dirigeants-medias-sociaux-2/comment/1/1").json();
    assert_eq!(copied["file"], SEED_FILE);
    // The same again from scratch: the same ids.
    let before = env.run(&["export", "--ndjson", "--no-refresh"]).stdout;
    env.run(&["index", "--full", "--quiet"]).expect_code(0);
    assert_eq!(
        env.run(&["export", "--ndjson", "--no-refresh"]).stdout,
        before
    );
}

#[test]
fn a_new_export_with_one_post_edited_updates_that_post_only() {
    let env = blog();
    let edited = EXPORT.replace(
        "Ce blog parle de communication",
        "Ce blog parle surtout de communication",
    );
    env.write_post("wordpress/blog.xml", &edited);
    let run = env.run(&["index", "--json"]);
    run.expect_code(0);
    let summary = run.json();
    assert_eq!(
        (&summary["updated"], &summary["added"], &summary["removed"]),
        (&1.into(), &0.into(), &0.into()),
        "{summary}"
    );
    assert_eq!(
        env.hit_ids(&["surtout communication"])[0],
        "wordpress/a-propos/article/1"
    );
    // A post added before the others leaves their ids as they were.
    let added = edited.replacen(
        "\t<item>",
        "\t<item><title>Nouveau</title><wp:post_type>post</wp:post_type>\
         <wp:status>publish</wp:status><wp:post_name>nouveau</wp:post_name>\
         <content:encoded><![CDATA[Un billet ornithorynque.]]></content:encoded></item>\n\t<item>",
        1,
    );
    env.write_post("wordpress/blog.xml", &added);
    // The posts after it are only at other lines of the file.
    let summary = env.run(&["index", "--json"]).json();
    assert_eq!(
        (&summary["updated"], &summary["added"], &summary["removed"]),
        (&0.into(), &2.into(), &0.into()),
        "{summary}"
    );
    assert!(summary["moved"].as_u64().unwrap() > 0, "{summary}");
    assert_eq!(
        env.hit_ids(&["ornithorynque"]),
        ["wordpress/nouveau/article/1"]
    );
}

#[test]
fn a_bad_export_stops_index_and_leaves_the_index_as_it_was() {
    let env = blog();
    let before = env.index_snapshot();
    let cut = &EXPORT[..EXPORT.find("<title>À propos").unwrap()];
    env.write_post("wordpress/blog.xml", cut);
    env.write_post(SEED_FILE, &SEED.replace("narcissiques", "égocentriques"));
    let run = env.run(&["index"]);
    run.expect_code(2);
    let line = run.stderr.lines().next().unwrap();
    assert!(
        line.starts_with("recherche: corpus/wordpress/blog.xml:")
            && line.contains("not well-formed XML"),
        "{line}"
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert_eq!(env.index_snapshot(), before);
    // A refreshing search names it, updates the others and answers.
    let run = env.run(&["search", "--json", "égocentriques"]);
    run.expect_code(0);
    assert!(run.stderr.contains("blog.xml:"), "{}", run.stderr);
    assert!(
        run.stderr.contains("its last indexed passages are kept"),
        "{}",
        run.stderr
    );
    assert!(!env.hit_ids(&["écriture apprend"]).is_empty());
}

#[test]
fn an_index_keeps_to_the_corpus_it_was_built_from() {
    let env = TestEnv::seed();
    let other = env.path().join("autre");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("2011-09-12-un-an-apres.md"), MARKDOWN).unwrap();
    env.run(&["index", "--quiet", "--corpus", "autre"])
        .expect_code(0);
    // Run from a folder holding another `corpus/`, with no --corpus: the
    // index's own corpus is searched, and `corpus/` is left alone.
    let run = env.run(&["search", "--json", "stagiaires"]);
    run.expect_code(0);
    assert_eq!(run.json()["hits"][0]["file"], "2011-09-12-un-an-apres.md");
    assert_eq!(run.stderr, "");
    let status = env.run(&["status", "--json"]);
    status.expect_code(0);
    assert_eq!(status.json()["corpus"], "autre");
    // Given another folder: refused, in one line.
    let run = env.run(&["show", "--corpus", "corpus", "un-an-apres/title"]);
    run.expect_code(2);
    assert_eq!(
        run.stderr,
        "recherche: index index was built from autre, not corpus; give --corpus autre or \
         rebuild it from this folder with `recherche index --full`\n"
    );
    // Unless asked to rebuild from it.
    env.run(&["index", "--full", "--quiet", "--corpus", "corpus"])
        .expect_code(0);
    assert_eq!(env.run(&["status", "--json"]).json()["corpus"], "corpus");
    assert!(env.hit_ids(&["secteur"]).is_empty());
}
