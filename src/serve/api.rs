//! The JSON API: the answers of `search --json`, `show --json` and
//! `status --json`, and JSON errors (`{"error": "…"}`): 400 for a bad
//! parameter, 414 for a query too long, 404 for an unknown id or path.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;

use super::AppState;
use crate::commands::{show, status};
use crate::dates::{self, End};
use crate::error::Error;
use crate::passages::Kind;
use crate::render::json;
use crate::search::SearchOptions;

/// Most hits a page may ask for: more is refused (400), not capped, so
/// that a client learns its mistake.
pub const MAX_LIMIT: usize = 100;
/// Most characters of a query (414 beyond).
pub const MAX_QUERY_CHARS: usize = 1000;
/// Most hits a client may skip.
const MAX_OFFSET: usize = 10_000;
/// Most passages `context` may ask around a passage.
const MAX_CONTEXT: u64 = 50;

pub(super) fn routes() -> axum::Router<Arc<AppState>> {
    axum::Router::new()
        .route("/api/search", get(search))
        .route("/api/passages/{*id}", get(passage))
        .route("/api/status", get(status))
}

/// An error answer: its status and a JSON body.
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
}

#[derive(Serialize)]
struct ErrorBody {
    error: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suggestions: Vec<String>,
}

impl ApiError {
    fn new(status: StatusCode, error: impl std::fmt::Display) -> ApiError {
        ApiError {
            status,
            body: ErrorBody {
                error: error.to_string(),
                suggestions: Vec::new(),
            },
        }
    }

    fn bad(error: impl std::fmt::Display) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, error)
    }
}

impl From<Error> for ApiError {
    fn from(error: Error) -> ApiError {
        let status = match &error {
            Error::UnknownId { .. } => StatusCode::NOT_FOUND,
            Error::QueryTooLong { .. } => StatusCode::URI_TOO_LONG,
            Error::EmptyQuery | Error::UnknownKind(_) => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let mut api = ApiError::new(status, &error);
        if let Error::UnknownId { suggestions, .. } = error {
            api.body.suggestions = suggestions;
        }
        api
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}

/// Any other path.
pub(super) async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no such page")
}

/// The parameters of a query string, `+` and `%XX` decoded, in order
/// (`kind=comment&kind=pingback` gives both).
fn parameters(query: Option<&str>) -> Vec<(String, String)> {
    let decode = |text: &str| {
        let text = text.replace('+', " ");
        percent_encoding::percent_decode_str(&text)
            .decode_utf8_lossy()
            .into_owned()
    };
    query
        .unwrap_or("")
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect()
}

fn number<T>(name: &str, value: &str, max: T) -> Result<T, ApiError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    let n: T = value
        .trim()
        .parse()
        .map_err(|_| ApiError::bad(format!("{name} must be a number, not {value:?}")))?;
    if n > max {
        return Err(ApiError::bad(format!(
            "{name} must be at most {max}, not {n}"
        )));
    }
    Ok(n)
}

/// The query and options of `/api/search`.
fn search_request(query: Option<&str>) -> Result<(String, SearchOptions), ApiError> {
    let mut q = String::new();
    let mut options = SearchOptions {
        facets: true,
        ..SearchOptions::default()
    };
    for (name, value) in parameters(query) {
        match name.as_str() {
            "q" => q = value,
            "limit" => options.limit = number("limit", &value, MAX_LIMIT)?,
            "offset" => options.offset = number("offset", &value, MAX_OFFSET)?,
            "kind" => {
                for kind in value.split(',').filter(|k| !k.is_empty()) {
                    let kind: Kind = kind.parse().map_err(Error::UnknownKind)?;
                    options.kinds.push(kind);
                }
            }
            "author" if !value.trim().is_empty() => options.authors.push(value),
            "author" => {}
            "exact" => {
                options.exact = match value.as_str() {
                    "" | "1" | "true" | "yes" => true,
                    "0" | "false" | "no" => false,
                    _ => {
                        return Err(ApiError::bad(format!(
                            "exact must be true or false, not {value:?}"
                        )));
                    }
                }
            }
            "since" => {
                options.since = Some(dates::bound(&value, End::Start).map_err(ApiError::bad)?)
            }
            "until" => {
                options.until = Some(dates::bound(&value, End::Finish).map_err(ApiError::bad)?)
            }
            _ => return Err(ApiError::bad(format!("unknown parameter {name:?}"))),
        }
    }
    let chars = q.chars().count();
    if chars > MAX_QUERY_CHARS {
        return Err(Error::QueryTooLong {
            chars,
            max: MAX_QUERY_CHARS,
        }
        .into());
    }
    Ok((q, options))
}

async fn search(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> Response {
    let (q, options) = match search_request(query.as_deref()) {
        Ok(request) => request,
        Err(e) => return e.into_response(),
    };
    let served = state.current();
    let answer = tokio::task::spawn_blocking(move || {
        let results = (served.snapshot)
            .search(&served.open, &q, &options)
            .map_err(|e| served.open.damaged(e))?;
        to_json(&json::results(&results, Some(options.offset)))
    })
    .await;
    answer_of(answer)
}

async fn passage(
    State(state): State<Arc<AppState>>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let mut context = 1;
    for (name, value) in parameters(query.as_deref()) {
        match name.as_str() {
            "context" => match number("context", &value, MAX_CONTEXT) {
                Ok(n) => context = n,
                Err(e) => return e.into_response(),
            },
            _ => return ApiError::bad(format!("unknown parameter {name:?}")).into_response(),
        }
    }
    let served = state.current();
    let answer = tokio::task::spawn_blocking(move || {
        let searcher = &served.snapshot.searcher;
        let (asked, passages) =
            show::around(searcher, &served.open, id.trim(), context).map_err(|e| match e {
                e @ Error::UnknownId { .. } => e,
                e => served.open.damaged(e),
            })?;
        to_json(&show::shown(&asked, &passages))
    })
    .await;
    answer_of(answer)
}

async fn status(State(state): State<Arc<AppState>>) -> Response {
    let answer = tokio::task::spawn_blocking(move || {
        let status = status::status(Some(&state.corpus_dir), &state.index_dir)?;
        to_json(&status)
    })
    .await;
    answer_of(answer)
}

/// `value` as JSON, written once (not built as a value, then written).
fn to_json(value: &impl Serialize) -> Result<Vec<u8>, Error> {
    serde_json::to_vec(value).map_err(|e| Error::io("cannot write", "the answer", e.into()))
}

/// The answer of a task that ran a command's work.
fn answer_of(answer: Result<Result<Vec<u8>, Error>, tokio::task::JoinError>) -> Response {
    match answer {
        Ok(Ok(body)) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
        Ok(Err(e)) => ApiError::from(e).into_response(),
        Err(e) => ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_decoded_in_order() {
        assert_eq!(
            parameters(Some(
                "q=m%C3%A9dias+sociaux&kind=comment&kind=pingback&exact"
            )),
            [
                ("q".to_string(), "médias sociaux".to_string()),
                ("kind".to_string(), "comment".to_string()),
                ("kind".to_string(), "pingback".to_string()),
                ("exact".to_string(), String::new()),
            ]
        );
        assert!(parameters(None).is_empty());
    }

    #[test]
    fn bad_parameters_say_which() {
        let error = |query| search_request(Some(query)).err().unwrap().body.error;
        assert_eq!(error("limit=dix"), "limit must be a number, not \"dix\"");
        assert_eq!(error("limit=101"), "limit must be at most 100, not 101");
        assert_eq!(error("zut=1"), "unknown parameter \"zut\"");
        assert!(error("kind=blog").starts_with("unknown passage kind \"blog\""));
        assert!(error("since=hier").contains("\"hier\" is not a date"));
        let long = format!("q={}", "a".repeat(1001));
        let too_long = search_request(Some(&long)).err().unwrap();
        assert_eq!(too_long.status, StatusCode::URI_TOO_LONG);
    }
}
