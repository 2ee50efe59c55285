//! `recherche serve`, through HTTP on a free port: the API answers what
//! the command line answers, bad requests get JSON errors, every answer
//! carries its security headers, edits are searchable without a restart,
//! and Ctrl-C stops it cleanly.

use std::io::{BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::harness::{SEED_FILE, TestEnv};
use crate::rebuild::segments;
use crate::serving::serving_address;

/// A running `recherche serve`, stopped when dropped.
pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    stderr: BufReader<std::process::ChildStderr>,
}

impl Server {
    /// Starts `recherche serve` in `env` on a free port, with `args`.
    pub fn start(env: &TestEnv, args: &[&str]) -> Server {
        let mut all = vec!["serve", "--addr", "127.0.0.1:0", "--debounce", "50"];
        all.extend_from_slice(args);
        let mut child = env
            .command(&all)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let addr = serving_address(&mut stderr);
        Server {
            child,
            addr,
            stderr,
        }
    }

    /// GET `path`: the status, the headers (names lowercase) and the body.
    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        let mut request = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        request.push_str("\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let raw = String::from_utf8(raw).unwrap();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap();
        let mut lines = head.lines();
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(": "))
            .map(|(n, v)| (n.to_ascii_lowercase(), v.to_string()))
            .collect();
        Answer {
            status,
            headers,
            body: body.to_string(),
        }
    }

    /// GET `path`, expecting `status` and JSON.
    pub fn json(&self, path: &str, status: u16) -> serde_json::Value {
        let answer = self.get(path, &[]);
        assert_eq!(answer.status, status, "{path}: {}", answer.body);
        assert_eq!(
            answer.header("content-type"),
            Some("application/json"),
            "{path}"
        );
        serde_json::from_str(&answer.body).unwrap()
    }

    /// Sends Ctrl-C and waits: the exit code and the rest of stderr.
    pub fn interrupt(mut self) -> (Option<i32>, String) {
        let pid = self.child.id().to_string();
        std::process::Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap();
        let mut rest = String::new();
        self.stderr.read_to_string(&mut rest).unwrap();
        let code = self.child.wait().unwrap().code();
        (code, rest)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP answer.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `search --json` for `args`, parsed.
fn cli_search(env: &TestEnv, args: &[&str]) -> serde_json::Value {
    env.search_json(args)
}

#[test]
fn the_api_answers_what_the_command_line_answers() {
    let env = TestEnv::seed_indexed();
    let server = Server::start(&env, &[]);
    for (path, args) in [
        ("/api/search?q=m%C3%A9dias+sociaux", vec!["médias sociaux"]),
        ("/api/search?q=narcisique&exact=false", vec!["narcisique"]),
        (
            "/api/search?q=narcisique&exact",
            vec!["--exact", "narcisique"],
        ),
        (
            "/api/search?q=%C3%A9crire&kind=comment&limit=3",
            vec!["--kind", "comment", "-n", "3", "écrire"],
        ),
        ("/api/search?author=milouse", vec!["--author", "milouse"]),
        (
            "/api/search?q=cadres&limit=100",
            vec!["-n", "100", "cadres"],
        ),
    ] {
        let mut api = server.json(path, 200);
        let facets = api.as_object_mut().unwrap().remove("facets").unwrap();
        assert_eq!(
            api.as_object_mut().unwrap().remove("offset"),
            Some(0.into())
        );
        assert_eq!(api, cli_search(&env, &args), "{path}");
        // Facets count the whole result, not the page.
        let kinds: u64 = facets["kind"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(kinds, api["total"].as_u64().unwrap(), "{path}");
    }
    // The next page is the command line's hits 4 to 6.
    let page = server.json("/api/search?q=cadres&limit=3&offset=3", 200);
    let all = cli_search(&env, &["-n", "6", "cadres"]);
    assert_eq!(
        page["hits"].as_array().unwrap()[..],
        all["hits"].as_array().unwrap()[3..6]
    );
    assert_eq!(page["offset"], 3);
    let facets = server.json("/api/search?q=synth%C3%A8se", 200)["facets"].clone();
    assert_eq!(facets["author"]["Lionelmyzka"], 1, "{facets}");

    let shown = server.json(
        "/api/passages/cadres-dirigeants-medias-sociaux/comment/1/1?context=2",
        200,
    );
    let run = env.run(&[
        "show",
        "--json",
        "--no-refresh",
        "--context",
        "2",
        "cadres-dirigeants-medias-sociaux/comment/1/1",
    ]);
    assert_eq!(shown, run.json());
    let status = server.json("/api/status", 200);
    assert_eq!(status["passages"], 39);
    assert_eq!(status["corpus"], "corpus");
    assert_eq!(status["fresh"], true);
}

#[test]
fn bad_requests_get_json_errors_never_a_500() {
    let env = TestEnv::seed_indexed();
    let server = Server::start(&env, &[]);
    let error = |path: &str, status: u16| {
        server.json(path, status)["error"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(
        error("/api/search?q=x&limit=dix", 400),
        "limit must be a number, not \"dix\""
    );
    assert_eq!(
        error("/api/search?q=x&limit=101", 400),
        "limit must be at most 100, not 101"
    );
    assert_eq!(
        error("/api/search?q=x&offset=-1", 400),
        "offset must be a number, not \"-1\""
    );
    assert!(error("/api/search?kind=blog", 400).starts_with("unknown passage kind \"blog\""));
    assert!(error("/api/search?q=x&since=hier", 400).contains("\"hier\" is not a date"));
    assert_eq!(error("/api/search?q=", 400), "empty query");
    assert_eq!(
        error("/api/search?q=x&zut=1", 400),
        "unknown parameter \"zut\""
    );
    let long = format!("/api/search?q={}", "mot+".repeat(260));
    assert!(error(&long, 414).starts_with("query too long: 1040 characters"));
    let unknown = server.json(
        "/api/passages/cadres-dirigeants-medias-sociaux/coment/1/1",
        404,
    );
    assert_eq!(
        unknown["suggestions"][0],
        "cadres-dirigeants-medias-sociaux/comment/1/1"
    );
    assert_eq!(
        error("/api/passages/x?context=zéro", 400),
        "context must be a number, not \"zéro\""
    );
    for path in [
        "/nope",
        "/api",
        "/../Cargo.toml",
        "/%2e%2e/Cargo.toml",
        "/index.html/..%2f..%2fCargo.toml",
    ] {
        assert_eq!(error(path, 404), "no such page", "{path}");
    }
    // Hostile queries are only queries.
    for query in ["%22", "%28%28", "-", "*", "kind%3A", "%00", "author%3A%22"] {
        let answer = server.get(&format!("/api/search?q={query}"), &[]);
        assert!(
            answer.status == 200 || answer.status == 400,
            "{query}: {}",
            answer.body
        );
    }
}

#[test]
fn every_answer_carries_its_security_headers() {
    let env = TestEnv::seed_indexed();
    let server = Server::start(&env, &[]);
    for (path, content_type) in [
        ("/", "text/html; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/api/search?q=buzz", "application/json"),
        ("/nope", "application/json"),
    ] {
        let answer = server.get(path, &[("Origin", "https://ailleurs.example")]);
        assert_eq!(answer.header("content-type"), Some(content_type), "{path}");
        let csp = answer.header("content-security-policy").unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert_eq!(answer.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(answer.header("referrer-policy"), Some("no-referrer"));
        // No other origin may call the API unless allowed.
        assert_eq!(answer.header("access-control-allow-origin"), None);
    }
    // The page has no inline script nor event attribute.
    let page = server.get("/", &[]).body;
    assert!(page.contains("<script src=\"app.js\" defer></script>"));
    let event_attribute = page.match_indices(" on").any(|(at, _)| {
        let name: String = page[at + 3..]
            .chars()
            .take_while(char::is_ascii_lowercase)
            .collect();
        !name.is_empty() && page[at + 3 + name.len()..].starts_with('=')
    });
    assert!(!event_attribute, "an on…= attribute");
    assert_eq!(page.matches("<script").count(), 1);
}

#[test]
fn cors_lets_the_blog_call_the_api() {
    let env = TestEnv::seed_indexed();
    let server = Server::start(&env, &["--cors", "https://blog.example"]);
    let answer = server.get("/api/search?q=buzz", &[("Origin", "https://blog.example")]);
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some("https://blog.example")
    );
    let other = server.get(
        "/api/search?q=buzz",
        &[("Origin", "https://ailleurs.example")],
    );
    assert_ne!(
        other.header("access-control-allow-origin"),
        Some("https://ailleurs.example")
    );
}

#[test]
fn an_edit_is_searchable_without_a_restart_and_ctrl_c_stops_it() {
    let env = TestEnv::seed_indexed();
    let server = Server::start(&env, &[]);
    assert_eq!(server.json("/api/search?q=ornithorynque", 200)["total"], 0);
    env.write_post(
        "nouveau.txt",
        "Nouveau\n\nUn billet sur les ornithorynques.\n",
    );
    let started = Instant::now();
    loop {
        let total = server.json("/api/search?q=ornithorynque", 200)["total"].clone();
        if total == 1 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the edit never showed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // A post that cannot be read is reported; the server answers on.
    env.write_bytes(SEED_FILE, b"Titre\n\ncaf\xe9\n");
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(server.json("/api/search?q=narcissiques", 200)["total"], 1);
    let (code, stderr) = server.interrupt();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("stopped serving"), "{stderr}");
}

#[test]
fn facets_and_ranking_read_every_segment_after_an_edit() {
    let env = TestEnv::seed_indexed();
    let server = Server::start(&env, &[]);
    let before = server.json("/api/search?q=cadres", 200)["total"].clone();
    env.write_post(
        "nouveau.txt",
        "Les cadres\n\nDes cadres dirigeants lisent ce billet.\n\nEt les cadres s’en vont.\n",
    );
    let started = Instant::now();
    let mut api = loop {
        let api = server.json("/api/search?q=cadres&limit=100", 200);
        if api["total"] != before {
            break api;
        }
        assert!(started.elapsed() < Duration::from_secs(30), "no update");
        std::thread::sleep(Duration::from_millis(50));
    };
    // The update wrote a second segment; each kind's count is the total of
    // the same query filtered by that kind.
    assert!(segments(&env).len() > 1);
    let facets = api.as_object_mut().unwrap().remove("facets").unwrap();
    let kinds = facets["kind"].as_object().unwrap();
    assert!(kinds.contains_key("title") && kinds.contains_key("comment"));
    for (kind, count) in kinds {
        let filtered = server.json(&format!("/api/search?q=cadres&kind={kind}"), 200);
        assert_eq!(filtered["total"], *count, "{kind}");
    }
    api.as_object_mut().unwrap().remove("offset");
    assert_eq!(api, cli_search(&env, &["-n", "100", "cadres"]));
}

#[test]
fn facets_count_identical_comments_by_the_author_the_hit_shows() {
    let env = TestEnv::empty();
    env.write_post(
        "merci.txt",
        "Un billet de remerciements\n\nUn paragraphe sans rapport.\n\n\
         Auteur du billet :\n\nJ’écris.\n\n\
         \u{20}\u{20}• Bruno\n\n    Merci pour ce billet lumineux.\n\n\
         \u{20}\u{20}• Alice\n\n    Merci pour ce billet lumineux.\n",
    );
    let run = env.run(&["index"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let server = Server::start(&env, &[]);
    // One hit for the two comments, the first in reading order shown; the
    // facets count it under that comment's author, not the later one's.
    let api = server.json("/api/search?q=lumineux", 200);
    assert_eq!(api["total"], 1);
    assert_eq!(api["hits"][0]["author"], "Bruno");
    assert_eq!(api["hits"][0]["duplicates"][0], "merci/comment/2/1");
    assert_eq!(api["facets"]["author"], serde_json::json!({"Bruno": 1}));
}

#[test]
fn serve_listens_on_the_loopback_unless_told() {
    let env = TestEnv::seed_indexed();
    let help = env.run(&["serve", "--help"]);
    assert!(
        help.stdout.contains("[default: 127.0.0.1:7700]"),
        "{}",
        help.stdout
    );
    // A bad origin or address is refused in one line.
    let run = env.run(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--cors",
        "https://blog.example\n",
    ]);
    run.expect_code(2);
    assert!(run.stderr.contains("is not an origin"), "{}", run.stderr);
    env.run(&["serve", "--addr", "partout"]).expect_code(2);
}
