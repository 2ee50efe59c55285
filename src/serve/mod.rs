//! `recherche serve`: the readers' search page and its JSON API, served
//! from the index, kept up to date as `watch` does.
//!
//! ```text
//! GET /                      the page (index.html, app.js, style.css, embedded)
//! GET /api/search?q=…        the JSON of `search --json`, with `offset` and `facets`
//! GET /api/passages/{id}     the JSON of `show --json` (`?context=N`)
//! GET /api/status            the JSON of `status --json`
//! ```
//!
//! The server holds no search logic of its own: it calls what the
//! commands call, so the API and the command line cannot drift. Requests
//! run on tokio's threads; an update of the index (a post edited) runs on
//! a thread of its own and swaps in a new reader when it commits.

mod api;
mod assets;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, StatusCode, header};
use tower_http::cors::CorsLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;

use crate::ExitStatus;
use crate::commands::corpus_folder;
use crate::commands::watch::{keep_up_to_date, update_once};
use crate::error::{Error, Result};
use crate::index::{IndexDir, OpenIndex};
use crate::render::note;
use crate::search::Snapshot;

/// Everything `recherche serve` needs.
#[derive(Debug, Clone)]
pub struct ServeCommand {
    /// Folder of the posts, when given (see [`corpus_folder`]).
    pub corpus: Option<PathBuf>,
    /// Folder of the index.
    pub index: PathBuf,
    /// Where to listen.
    pub addr: SocketAddr,
    /// An origin whose pages may call the API (CORS), if any.
    pub cors: Option<String>,
    /// Quiet time after the last change of the corpus before updating.
    pub debounce: Duration,
}

/// The index as the requests read it: replaced whole after an update.
pub struct Served {
    /// The open index.
    pub open: OpenIndex,
    /// The version of it the requests read.
    pub snapshot: Snapshot,
}

/// What every request shares.
pub struct AppState {
    /// The index folder, as given.
    pub index_dir: PathBuf,
    /// The corpus folder.
    pub corpus_dir: PathBuf,
    current: RwLock<Arc<Served>>,
}

impl AppState {
    fn open(index_dir: &Path, corpus_dir: &Path) -> Result<AppState> {
        Ok(AppState {
            index_dir: index_dir.to_path_buf(),
            corpus_dir: corpus_dir.to_path_buf(),
            current: RwLock::new(Arc::new(served(index_dir)?)),
        })
    }

    /// The index as it is now.
    pub fn current(&self) -> Arc<Served> {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        Arc::clone(&current)
    }

    /// Opens the index again after an update (a full rebuild may have
    /// switched generations).
    fn reload(&self) -> Result<()> {
        let served = Arc::new(served(&self.index_dir)?);
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = served;
        Ok(())
    }
}

fn served(index_dir: &Path) -> Result<Served> {
    let open = IndexDir::new(index_dir)
        .open()?
        .ok_or_else(|| Error::IndexMissing(index_dir.to_path_buf()))?;
    let snapshot = Snapshot::new(open.reader()?.searcher(), &open)?;
    Ok(Served { open, snapshot })
}

/// Runs `recherche serve` until Ctrl-C, then finishes the requests in
/// flight and exits 0.
pub fn run(
    command: &ServeCommand,
    interrupt: &'static AtomicBool,
    err: &mut impl std::io::Write,
) -> anyhow::Result<ExitStatus> {
    let corpus_dir = corpus_folder(&command.index, command.corpus.as_deref(), false)?;
    crate::corpus::discover(&corpus_dir)?;
    let dir = IndexDir::new(&command.index);
    let mut stderr = std::io::stderr();
    update_once(
        &corpus_dir,
        &dir,
        interrupt,
        &mut stderr,
        &mut std::io::stderr(),
    )?;
    let state = Arc::new(AppState::open(&command.index, &corpus_dir)?);
    // Searches are CPU work: as many threads for them as cores, not one per
    // waiting connection (each thread keeps its own allocator heap).
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cores)
        .max_blocking_threads(cores)
        .enable_all()
        .build()?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(command.addr))
        .map_err(|e| Error::io("cannot listen on", command.addr.to_string(), e))?;
    let addr = listener.local_addr()?;
    note(err, format_args!("serving http://{addr} (Ctrl-C to stop)"))?;
    let app = router(Arc::clone(&state), command.cors.as_deref())?;
    // The server tells the watcher to stop (Ctrl-C, or its own end); the
    // watcher tells the server it ended (a watch that cannot go on stops
    // the server: it would answer from an index no longer kept up to date).
    let stop = Arc::new(AtomicBool::new(false));
    let watcher_ended = Arc::new(AtomicBool::new(false));
    let watched = std::thread::scope(|scope| {
        let watcher = scope.spawn(|| {
            let (mut out, mut err) = (std::io::stderr(), std::io::stderr());
            let reload = &mut || {
                if let Err(e) = state.reload() {
                    let _ = note(&mut std::io::stderr(), e);
                }
            };
            let debounce = command.debounce;
            let watched = keep_up_to_date(
                &corpus_dir,
                &dir,
                debounce,
                &stop,
                &mut out,
                &mut err,
                reload,
            );
            watcher_ended.store(true, Ordering::SeqCst);
            watched
        });
        let (stop_watch, ended) = (Arc::clone(&stop), Arc::clone(&watcher_ended));
        let served = runtime.block_on(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    while !interrupt.load(Ordering::SeqCst) && !ended.load(Ordering::SeqCst) {
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                    stop_watch.store(true, Ordering::SeqCst);
                })
                .await
        });
        stop.store(true, Ordering::SeqCst);
        let watched = watcher.join().unwrap_or_else(|_| Ok(()));
        served.map_err(anyhow::Error::from).and(watched)
    });
    watched?;
    note(err, format_args!("stopped serving"))?;
    Ok(ExitStatus::Success)
}

/// The page's Content-Security-Policy: its own script and style, its own
/// API, nothing inline, no frame.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
                   connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Longest a request may take before it is answered 408.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The routes, and the headers every answer carries.
fn router(state: Arc<AppState>, cors: Option<&str>) -> Result<Router> {
    let mut app = api::routes()
        .merge(assets::routes())
        .fallback(api::not_found)
        .with_state(state)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(axum::extract::DefaultBodyLimit::max(16 << 10));
    let headers = [
        (header::CONTENT_SECURITY_POLICY, CSP),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (HeaderName::from_static("x-frame-options"), "DENY"),
    ];
    for (name, value) in headers {
        app = app.layer(SetResponseHeaderLayer::overriding(
            name,
            HeaderValue::from_static(value),
        ));
    }
    if let Some(origin) = cors {
        let origin =
            HeaderValue::from_str(origin).map_err(|_| Error::BadCors(origin.to_string()))?;
        app = app.layer(
            CorsLayer::new()
                .allow_origin(origin)
                .allow_methods([Method::GET]),
        );
    }
    Ok(app)
}
