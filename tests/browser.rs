//! The page of `recherche serve` in a real headless Chromium, driven
//! through chromedriver: a misspelt word shows marked hits, a `?q=` link
//! shows its hits, a hostile comment stays text, the keyboard moves
//! through hits and opens one. A screenshot is saved under
//! `target/browser/` (and as `docs/serve.png` with `RECHERCHE_SCREENSHOT=docs`).
//!
//! Needs Debian's `chromium` and `chromium-driver`. Without them the test
//! says plainly that it skipped, unless `CI` is set: then it fails.

use std::io::BufReader;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, KeyAction, KeyActions};
use fantoccini::{Client, ClientBuilder, Locator};

#[path = "shared/serving.rs"]
mod serving;
use serving::serving_address;

const SEED: &str = include_str!("fixtures/seed/cadres-dirigeants-medias-sociaux.txt");

/// A comment written to attack the page: it must show as text.
const HOSTILE: &str = "Un billet piégé\n\nUn paragraphe.\n\n  • Pirate\n\n    \
                       <img src=x onerror=\"window.pwned=1\"> piratage <script>window.pwned=2</script>\n";

/// A child process killed when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn find_program(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `recherche serve` on the corpus of `root`; returns it and its
/// address.
fn serve(root: &Path) -> (Running, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_recherche"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .current_dir(root)
        .env_clear()
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let addr = format!("http://{}", serving_address(&mut stderr));
    // Keep reading stderr so that the server never blocks on it.
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    (Running(child), addr)
}

/// Starts chromedriver on a free port, once it accepts connections.
fn chromedriver(program: &Path) -> (Running, String) {
    let port = free_port();
    let child = Command::new(program)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "chromedriver did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (Running(child), format!("http://127.0.0.1:{port}"))
}

async fn connect(driver: &str, chromium: &Path) -> Client {
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".to_string(),
        serde_json::json!({
            "binary": chromium,
            // Debian's Chromium runs headless as root only without its sandbox.
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                     "--disable-dev-shm-usage", "--window-size=1100,900"],
        }),
    );
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(capabilities)
        .connect(driver)
        .await
        .expect("a Chromium session")
}

async fn texts(client: &Client, css: &str) -> Vec<String> {
    let mut texts = Vec::new();
    for element in client.find_all(Locator::Css(css)).await.unwrap() {
        texts.push(element.text().await.unwrap());
    }
    texts
}

async fn wait_for(client: &Client, css: &str) {
    client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css} never showed: {e}"));
}

async fn key(client: &Client, key: char) {
    let actions = KeyActions::new("keyboard".to_string())
        .then(KeyAction::Down { value: key })
        .then(KeyAction::Up { value: key });
    client.perform_actions(actions).await.unwrap();
}

/// The id of the hit marked selected.
async fn selected(client: &Client) -> Option<String> {
    let selected = client
        .find_all(Locator::Css(".hit[aria-selected=\"true\"]"))
        .await
        .unwrap();
    match selected.first() {
        Some(hit) => hit.attr("id").await.unwrap(),
        None => None,
    }
}

#[test]
fn the_page_in_a_real_browser() {
    let programs = (
        find_program(&["chromium", "chromium-browser", "google-chrome"]),
        find_program(&["chromedriver"]),
    );
    let (Some(chromium), Some(driver)) = programs else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but Chromium or chromedriver is missing (apt-get install chromium chromium-driver)"
        );
        eprintln!("SKIPPED the_page_in_a_real_browser: no chromium or chromedriver on PATH");
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let corpus = root.path().join("corpus");
    std::fs::create_dir_all(&corpus).unwrap();
    std::fs::write(corpus.join("cadres-dirigeants-medias-sociaux.txt"), SEED).unwrap();
    std::fs::write(corpus.join("piege.txt"), HOSTILE).unwrap();
    let (_server, base) = serve(root.path());
    let (_driver, driver_url) = chromedriver(&driver);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = connect(&driver_url, &chromium).await;
        let result = scenario(&client, &base).await;
        let _ = client.close().await;
        result
    });
}

async fn scenario(client: &Client, base: &str) {
    a_misspelt_word_typed(client, base).await;
    a_shared_link(client, base).await;
    a_hostile_comment(client, base).await;
    the_keyboard(client, base).await;
}

/// A misspelt word, typed: marked hits, the address keeps the query.
async fn a_misspelt_word_typed(client: &Client, base: &str) {
    client.goto(base).await.unwrap();
    let box_ = client
        .find(Locator::Css("input[type=search][name=q]"))
        .await
        .unwrap();
    box_.send_keys("narcisique").await.unwrap();
    wait_for(client, ".hit mark").await;
    assert_eq!(texts(client, ".hit mark").await, ["narcissiques"]);
    let url = client.current_url().await.unwrap();
    assert_eq!(url.query(), Some("q=narcisique"));
}

/// A shared link shows its hits.
async fn a_shared_link(client: &Client, base: &str) {
    client
        .goto(&format!("{base}/?q=sourde%20oreille"))
        .await
        .unwrap();
    wait_for(client, ".hit mark").await;
    let marks = texts(client, ".hit mark").await;
    assert_eq!(&marks[..2], ["sourde", "oreille"]);
    // Every hit is shown: no button for more.
    let more = client
        .execute(
            "return getComputedStyle(document.getElementById('more')).display",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(more, serde_json::Value::String("none".into()));
    save_screenshot(client).await;
}

/// A hostile comment shows as text and never runs.
async fn a_hostile_comment(client: &Client, base: &str) {
    client.goto(&format!("{base}/?q=piratage")).await.unwrap();
    wait_for(client, ".hit mark").await;
    let snippet = texts(client, ".hit .snippet").await.join("\n");
    assert!(
        snippet.contains("<img src=x onerror=\"window.pwned=1\">"),
        "{snippet}"
    );
    assert!(
        snippet.contains("<script>window.pwned=2</script>"),
        "{snippet}"
    );
    let pwned = client.execute("return window.pwned === undefined && document.querySelectorAll('.hit img, .hit script').length === 0", vec![]).await.unwrap();
    assert_eq!(pwned, serde_json::Value::Bool(true));
}

/// The keyboard: `/` focuses the box, ↓ and ↑ move, Enter opens, Esc
/// closes and then clears.
async fn the_keyboard(client: &Client, base: &str) {
    client.goto(&format!("{base}/?q=cadres")).await.unwrap();
    wait_for(client, ".hit").await;
    client
        .execute("document.activeElement.blur()", vec![])
        .await
        .unwrap();
    key(client, '/').await;
    let focused = client.active_element().await.unwrap();
    assert_eq!(focused.attr("id").await.unwrap().as_deref(), Some("q"));
    key(client, '\u{e015}').await;
    key(client, '\u{e015}').await;
    assert_eq!(selected(client).await.as_deref(), Some("hit-1"));
    key(client, '\u{e013}').await;
    assert_eq!(selected(client).await.as_deref(), Some("hit-0"));
    let combobox = client.find(Locator::Id("q")).await.unwrap();
    assert_eq!(
        combobox
            .attr("aria-activedescendant")
            .await
            .unwrap()
            .as_deref(),
        Some("hit-0")
    );
    key(client, '\u{e007}').await;
    wait_for(client, "#context:not([hidden]) .passage.asked").await;
    key(client, '\u{e00c}').await;
    let hidden = client
        .execute("return document.getElementById('context').hidden", vec![])
        .await
        .unwrap();
    assert_eq!(hidden, serde_json::Value::Bool(true));
    key(client, '\u{e00c}').await;
    let started = Instant::now();
    while !texts(client, ".hit").await.is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "Esc did not clear"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(client.current_url().await.unwrap().query(), None);
}

async fn save_screenshot(client: &Client) {
    let png = client.screenshot().await.unwrap();
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/browser");
    std::fs::create_dir_all(&target).unwrap();
    std::fs::write(target.join("serve.png"), &png).unwrap();
    if std::env::var("RECHERCHE_SCREENSHOT").as_deref() == Ok("docs") {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/serve.png");
        std::fs::write(docs, &png).unwrap();
    }
}
