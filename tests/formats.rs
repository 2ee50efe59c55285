//! The readers of real blog formats, on fixtures written for the project:
//! the seed post as a WordPress export, as a saved page, and a Markdown
//! post. Their passages are pinned in snapshots, compared with those of the
//! copied page, and any bytes give posts or a clear error.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use recherche::corpus::{self, PostFile};
use recherche::error::Error;
use recherche::formats::{self, copied_page};
use recherche::passages::{Kind, Passage, Post};
use serde::Serialize;

const SEED: &str = include_str!("fixtures/seed/cadres-dirigeants-medias-sociaux.txt");
const SLUG: &str = "cadres-dirigeants-medias-sociaux";

/// A fixture, as the corpus of its own folder lists it.
fn fixture(relative: &str) -> PostFile {
    let (folder, name) = relative.split_once('/').unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(folder);
    corpus::discover(&root)
        .unwrap()
        .into_iter()
        .find(|f| f.relative == name)
        .unwrap_or_else(|| panic!("no fixture {relative}"))
}

fn posts_of(relative: &str) -> Vec<Post> {
    formats::read_all(&fixture(relative)).unwrap()
}

/// A file written in a temporary folder, as the corpus lists it.
fn temporary(name: &str, bytes: &[u8]) -> (tempfile::TempDir, PostFile) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(name), bytes).unwrap();
    let file = corpus::discover(dir.path()).unwrap().remove(0);
    (dir, file)
}

/// What a snapshot shows of a passage: everything but its position.
#[derive(Serialize)]
struct Shown<'a> {
    id: &'a str,
    kind: Kind,
    author: Option<&'a str>,
    context: Option<&'a str>,
    line: u32,
    date: Option<&'a str>,
    url: Option<&'a str>,
    answers: Option<&'a str>,
    text: &'a str,
}

#[derive(Serialize)]
struct ShownPost<'a> {
    slug: &'a str,
    title: &'a str,
    date: Option<&'a str>,
    url: Option<&'a str>,
    tags: &'a [String],
    passages: Vec<Shown<'a>>,
}

fn shown(posts: &[Post]) -> Vec<ShownPost<'_>> {
    posts
        .iter()
        .map(|post| ShownPost {
            slug: &post.slug,
            title: &post.title,
            date: post.date.as_deref(),
            url: post.url.as_deref(),
            tags: &post.tags,
            passages: post
                .passages
                .iter()
                .map(|p| Shown {
                    id: &p.id,
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
        })
        .collect()
}

#[test]
fn wordpress_export_passages() {
    insta::assert_json_snapshot!("wxr_blog", shown(&posts_of("wxr/blog.xml")));
}

#[test]
fn saved_page_passages() {
    let posts = posts_of("html/cadres-dirigeants-medias-sociaux.html");
    insta::assert_json_snapshot!("saved_page", shown(&posts));
}

#[test]
fn markdown_passages() {
    let posts = posts_of("markdown/2011-09-12-un-an-apres.md");
    insta::assert_json_snapshot!("markdown", shown(&posts));
}

/// The text of a passage with its whitespace as one space, and without
/// the number of a numbered item (an `<ol>` shows it, its text has none).
fn comparable(passage: &Passage) -> (Kind, String, Option<String>) {
    let text = passage
        .text
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let text = match text.split_once(". ") {
        Some((number, rest)) if number.bytes().all(|b| b.is_ascii_digit()) => rest.to_string(),
        _ => text,
    };
    (passage.kind, text, passage.context.clone())
}

fn of_kinds(post: &Post, kinds: &[Kind]) -> Vec<(Kind, String, Option<String>)> {
    post.passages
        .iter()
        .filter(|p| kinds.contains(&p.kind))
        .map(comparable)
        .collect()
}

#[test]
fn the_export_and_the_saved_page_give_the_copied_page_passages() {
    let copied = copied_page::parse(SLUG, SEED);
    let exported = &posts_of("wxr/blog.xml")[0];
    let saved = &posts_of("html/cadres-dirigeants-medias-sociaux.html")[0];
    assert_eq!(exported.title, copied.title);
    assert_eq!(saved.title, copied.title);
    let article = [Kind::Title, Kind::Article];
    assert_eq!(of_kinds(exported, &article), of_kinds(&copied, &article));
    assert_eq!(of_kinds(saved, &article), of_kinds(&copied, &article));
    // The author box of the page is the copied page's bio; an export holds
    // no author box.
    assert_eq!(
        of_kinds(saved, &[Kind::Bio]),
        of_kinds(&copied, &[Kind::Bio])
    );
    // The comments, a reply aside, with the same authors.
    let comments = |post: &Post| -> Vec<(Option<String>, String)> {
        post.passages
            .iter()
            .filter(|p| p.kind == Kind::Comment && p.answers.is_none())
            .map(|p| (p.author.clone(), comparable(p).1))
            .collect()
    };
    assert_eq!(comments(exported), comments(&copied));
    let mut saved_comments = comments(saved);
    let mut copied_comments = comments(&copied);
    saved_comments.sort();
    copied_comments.sort();
    assert_eq!(saved_comments, copied_comments);
}

#[test]
fn only_published_posts_and_approved_comments_are_read() {
    let posts = posts_of("wxr/blog.xml");
    let slugs: Vec<&str> = posts.iter().map(|p| p.slug.as_str()).collect();
    assert_eq!(slugs, [SLUG, "a-propos"]);
    let all_text: String = posts
        .iter()
        .flat_map(|p| p.passages.iter().map(|p| p.text.as_str()))
        .collect();
    // Each left-out item or comment holds a word of its own.
    for word in [
        "brouillonnissime",
        "confidentialissime",
        "relecturissime",
        "motdepassissime",
        "corbeillissime",
        "piecejointissime",
        "menuissime",
        "revisionnissime",
        "enattentissime",
        "spammissime",
    ] {
        assert!(!all_text.contains(word), "{word} was read");
    }
    let seed = &posts[0];
    let kinds = |kind| seed.passages.iter().filter(|p| p.kind == kind).count();
    assert_eq!(kinds(Kind::Pingback), 2, "a pingback and a trackback");
    let reply = seed
        .passages
        .iter()
        .find(|p| p.text.starts_with("Peut-être"))
        .unwrap();
    assert_eq!(
        reply.answers.as_deref(),
        Some("cadres-dirigeants-medias-sociaux/comment/1/1")
    );
    assert_eq!(
        reply.url.as_deref(),
        Some("https://blog.exemple.fr/2010/08/03/cadres-dirigeants-medias-sociaux/#comment-18")
    );
    // `]]>` in the text is written as two CDATA sections, joined again.
    assert!(all_text.contains("Une balise qui ferme ]]> ne coupe pas le texte."));
    // Shortcodes go, their text stays; entities are decoded.
    assert!(all_text.contains("Lionel, l’auteur") && !all_text.contains("[caption"));
    assert_eq!(posts[1].title, "À propos & contact");
}

#[test]
fn an_export_may_start_with_a_byte_order_mark() {
    let text = std::fs::read_to_string(fixture("wxr/blog.xml").path).unwrap();
    let (_dir, file) = temporary("blog.xml", format!("\u{feff}{text}").as_bytes());
    let posts = formats::read_all(&file).unwrap();
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0].passages[0].line, 28);
}

#[test]
fn every_version_of_the_export_format_is_read() {
    let text = std::fs::read_to_string(fixture("wxr/blog.xml").path).unwrap();
    let expected = shown(&posts_of("wxr/blog.xml"))
        .iter()
        .map(|p| serde_json::to_string(p).unwrap())
        .collect::<Vec<_>>();
    for version in ["1.0", "1.1"] {
        let older = text.replace("export/1.2/", &format!("export/{version}/"));
        let (_dir, file) = temporary("blog.xml", older.as_bytes());
        let posts = formats::read_all(&file).unwrap();
        let got: Vec<String> = shown(&posts)
            .iter()
            .map(|p| serde_json::to_string(p).unwrap())
            .collect();
        assert_eq!(got, expected, "WXR {version}");
    }
}

fn read_error(name: &str, bytes: &[u8]) -> String {
    let (_dir, file) = temporary(name, bytes);
    let mut handed = 0;
    let error = formats::read(&file, &mut |_| {
        handed += 1;
        Ok(())
    })
    .expect_err("a bad file");
    assert_eq!(handed, 0, "no post of a bad file is handed on");
    assert!(error.is_about_a_post(), "{error}");
    let text = error.to_string();
    text.replace(&file.path.display().to_string(), name)
}

#[test]
fn a_bad_export_names_its_line_and_column() {
    let text = std::fs::read_to_string(fixture("wxr/blog.xml").path).unwrap();
    // Cut in the middle of the second item: the first was well-formed.
    let cut = text.find("<title>À propos").unwrap() + 20;
    let message = read_error("blog.xml", &text.as_bytes()[..cut]);
    assert!(
        message.starts_with("blog.xml:") && message.contains("not well-formed XML"),
        "{message}"
    );
    let mismatched = text.replacen("</wp:post_name>", "</wp:post_nom>", 1);
    let message = read_error("blog.xml", mismatched.as_bytes());
    let line = text
        .lines()
        .position(|l| l.contains("</wp:post_name>"))
        .unwrap()
        + 1;
    assert!(
        message.starts_with(&format!("blog.xml:{line}:")),
        "{message}"
    );

    let rss = "<?xml version=\"1.0\"?>\n<rss version=\"2.0\"><channel><title>Flux</title>\
               <item><title>Un</title></item></channel></rss>\n";
    assert_eq!(
        read_error("flux.xml", rss.as_bytes()),
        "flux.xml:2:1: not a WordPress export (no rss element with wp: elements of \
         http://wordpress.org/export/)"
    );
    assert_eq!(
        read_error("vide.xml", b"<?xml version=\"1.0\"?>\n"),
        "vide.xml:1:1: not a WordPress export (no element)"
    );
    assert_eq!(
        read_error("latin1.md", b"# Titre\n\ncaf\xe9\n"),
        "latin1.md:3:4: not valid UTF-8 (invalid byte at offset 12)"
    );
    let mut bytes = text.as_bytes().to_vec();
    let offset = text.find("Milouse").unwrap() + 6;
    bytes[offset] = 0xe9;
    let line = text[..offset].matches('\n').count() + 1;
    let message = read_error("blog.xml", &bytes);
    assert!(
        message.starts_with(&format!("blog.xml:{line}:"))
            && message.ends_with(&format!(
                "not valid UTF-8 (invalid byte at offset {offset})"
            )),
        "{message}"
    );
}

#[test]
fn dates_come_from_the_front_matter_or_the_file_name() {
    let toml = "+++\ntitle = \"Notes\"\ndate = 2012-03-04T10:00:00+01:00\nslug = \"mes-notes\"\ntags = \"a, b\"\n+++\n\nUn paragraphe.\n";
    let (_dir, file) = temporary("2011-01-02-notes.md", toml.as_bytes());
    let post = formats::read_all(&file).unwrap().remove(0);
    assert_eq!(post.slug, "mes-notes");
    assert_eq!(post.date.as_deref(), Some("2012-03-04T10:00:00+01:00"));
    assert_eq!(post.tags, ["a", "b"]);
    assert_eq!(post.passages[1].line, 8);

    let (_dir, file) = temporary("2011-01-02-notes.md", b"Sans front matter.\n");
    let post = formats::read_all(&file).unwrap().remove(0);
    assert_eq!(
        (post.slug.as_str(), post.title.as_str()),
        ("notes", "notes")
    );
    assert_eq!(post.date.as_deref(), Some("2011-01-02"));
    assert_eq!(post.passages[1].text, "Sans front matter.");
}

#[test]
fn a_page_in_microformats_gives_its_entry_and_comments() {
    let page = "<html><head><title>Notes | Site</title></head><body><nav>Menu</nav>\
        <article class=\"h-entry\"><h1 class=\"p-name\">Mes notes</h1>\
        <time class=\"dt-published\" datetime=\"2012-05-01T08:00:00+02:00\">1er mai</time>\
        <div class=\"e-content\"><p>Un paragraphe.</p><ul><li>un point</li></ul></div>\
        <div class=\"h-cite\" id=\"c1\"><span class=\"p-author\">Anne</span>\
        <div class=\"e-content\"><p>D’accord.</p></div></div></article>\
        <form><textarea>Votre commentaire</textarea></form></body></html>";
    let (_dir, file) = temporary("notes.html", page.as_bytes());
    let post = formats::read_all(&file).unwrap().remove(0);
    assert_eq!(post.title, "Mes notes");
    assert_eq!(post.date.as_deref(), Some("2012-05-01T08:00:00+02:00"));
    let passages: Vec<(Kind, Option<&str>, &str)> = post
        .passages
        .iter()
        .map(|p| (p.kind, p.author.as_deref(), p.text.as_str()))
        .collect();
    assert_eq!(
        passages,
        [
            (Kind::Title, None, "Mes notes"),
            (Kind::Article, None, "Un paragraphe."),
            (Kind::Article, None, "un point"),
            (Kind::Comment, Some("Anne"), "D’accord."),
        ]
    );
    assert_eq!(post.passages[3].url.as_deref(), Some("#c1"));
}

#[test]
fn a_page_without_known_markup_gives_its_body_text() {
    let page = "<html><head><title>Une page | Site</title></head><body>\
                <div>Premier texte.</div><div>Second texte.<script>x()</script></div></body></html>";
    let (_dir, file) = temporary("page.html", page.as_bytes());
    let post = formats::read_all(&file).unwrap().remove(0);
    let texts: Vec<&str> = post.passages.iter().map(|p| p.text.as_str()).collect();
    assert_eq!(texts, ["Une page", "Premier texte.", "Second texte."]);
}

/// Ids are unique in a post and start with its slug.
fn check_posts(posts: &[Post]) -> Result<(), TestCaseError> {
    for post in posts {
        let mut ids: Vec<&str> = post.passages.iter().map(|p| p.id.as_str()).collect();
        for id in &ids {
            prop_assert!(id.starts_with(&format!("{}/", post.slug)), "{id}");
        }
        ids.sort_unstable();
        let count = ids.len();
        ids.dedup();
        prop_assert_eq!(ids.len(), count, "duplicate ids");
    }
    Ok(())
}

/// Bytes that look like the format, cut and mutated.
fn mutated(base: &'static str) -> impl Strategy<Value = Vec<u8>> {
    (0..base.len(), any::<u8>(), 0..base.len()).prop_map(move |(at, byte, cut)| {
        let mut bytes = base.as_bytes().to_vec();
        bytes[at] = byte;
        bytes.truncate(cut.max(at + 1));
        bytes
    })
}

const SMALL_EXPORT: &str = "<?xml version=\"1.0\"?>\n<rss xmlns:wp=\"http://wordpress.org/export/1.2/\" \
    xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><item><title>T</title>\
    <wp:post_type>post</wp:post_type><wp:status>publish</wp:status><wp:post_name>t</wp:post_name>\
    <content:encoded><![CDATA[<p>Un <em>mot</em>.</p>\n\nDeux.]]></content:encoded><wp:comment>\
    <wp:comment_approved>1</wp:comment_approved><wp:comment_content>Oui &amp; non</wp:comment_content>\
    </wp:comment></item></channel></rss>\n";

proptest! {
    #[test]
    fn any_bytes_give_posts_or_a_clear_error(
        name in prop::sample::select(vec!["a.txt", "a.xml", "a.html", "a.md"]),
        bytes in prop_oneof![
            prop::collection::vec(any::<u8>(), 0..400),
            mutated(SMALL_EXPORT),
            mutated("---\ntitle: x\n---\n# T\n\n- a\n- b\n\n> c\n"),
            mutated("<article><h1>T</h1><p>a</p><ul><li>b</li></ul></article>"),
        ],
    ) {
        let (_dir, file) = temporary(name, &bytes);
        match formats::read_all(&file) {
            Ok(posts) => check_posts(&posts)?,
            Err(Error::NotUtf8 { line, column, .. }) => prop_assert!(line >= 1 && column >= 1),
            Err(Error::BadPost { path, line, reason, .. }) => {
                prop_assert!(name.ends_with(".xml"), "{name}: {reason}");
                prop_assert_eq!(path, PathBuf::from(&file.path));
                prop_assert!(line >= 1 && !reason.is_empty());
            }
            Err(other) => prop_assert!(false, "unexpected error: {other}"),
        }
    }
}
