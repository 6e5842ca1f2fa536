//! `/xapi`: the LRS's HTTP resources (statements, state, activity and agent profiles, activities,
//! agents, about) as xAPI 1.0.3 and 2.0 define them: parameters in the query string, the version
//! in `X-Experience-API-Version`, errors as a status with a plain-text reason.

use super::format::Format;
use super::multipart::{self, Part};
use super::service::{
    self, Client, DocAnswer, DocTarget, Preconditions, Refusal, is_json, parse_timestamp,
};
use super::statement::Version;
use super::store::{DocKey, Filter};
use crate::error::AppError;
use crate::state::AppState;
use axum::{
    Router,
    body::Bytes,
    extract::{RawQuery, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::{any, get},
};
use serde_json::{Value, json};
use std::collections::BTreeMap;

const VERSION_HEADER: &str = "x-experience-api-version";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/xapi/about", get(about))
        .route("/xapi/statements", any(statements))
        .route(
            "/xapi/activities/state",
            any(|s, m, h, q, b| documents(s, m, h, q, b, "state")),
        )
        .route(
            "/xapi/activities/profile",
            any(|s, m, h, q, b| documents(s, m, h, q, b, "activity_profile")),
        )
        .route(
            "/xapi/agents/profile",
            any(|s, m, h, q, b| documents(s, m, h, q, b, "agent_profile")),
        )
        .route("/xapi/activities", get(activities))
        .route("/xapi/agents", get(agents))
        .layer(middleware::from_fn(version_header))
        .layer(middleware::from_fn(alternate_syntax))
        .layer(cors())
}

/// Content on another origin (an AU on a content server, a browser-based xAPI client) may call
/// the LRS: it authenticates with its own header, never with Lyceum's cookie, so any origin may
/// ask, and the answers name the headers xAPI clients read.
fn cors() -> tower_http::cors::CorsLayer {
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let name = header::HeaderName::from_static;
    CorsLayer::new()
        .allow_origin(AllowOrigin::any())
        .allow_methods([
            Method::GET,
            Method::HEAD,
            Method::PUT,
            Method::POST,
            Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            name(VERSION_HEADER),
        ])
        .expose_headers([
            header::ETAG,
            header::LAST_MODIFIED,
            name(VERSION_HEADER),
            name("x-experience-api-consistent-through"),
        ])
        .max_age(std::time::Duration::from_secs(3600))
}

/// Headers a request in the alternate syntax carries as form fields.
const FORM_HEADERS: &[&str] = &[
    "authorization",
    "x-experience-api-version",
    "content-type",
    "content-length",
    "if-match",
    "if-none-match",
];

/// xAPI 1.0.3's alternate request syntax, refused to 2.0 clients (for clients that can only POST a form, such as old
/// browsers across origins): `POST …?method=PUT` with the headers, the parameters and the
/// `content` as form fields, turned here into the request it stands for.
async fn alternate_syntax(req: Request, next: Next) -> Response {
    let asked: Option<String> = req
        .uri()
        .query()
        .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "method"))
        .map(|(_, v)| v.to_string());
    let Some(method) = asked else {
        return next.run(req).await;
    };
    let refuse = |message: &str| (StatusCode::BAD_REQUEST, message.to_string()).into_response();
    if req.method() != Method::POST {
        return refuse("The alternate request syntax is a POST.");
    }
    let Ok(method) = Method::from_bytes(method.to_ascii_uppercase().as_bytes()) else {
        return refuse("method: not an HTTP method");
    };
    let only_method = req
        .uri()
        .query()
        .is_some_and(|q| form_urlencoded::parse(q.as_bytes()).all(|(k, _)| k == "method"));
    if !only_method {
        return refuse("The alternate request syntax takes only `method` in the address.");
    }
    let form_sent = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !form_sent {
        return refuse("The alternate request syntax sends application/x-www-form-urlencoded.");
    }
    let (mut parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return refuse("The form cannot be read.");
    };
    let mut params: Vec<(String, String)> = Vec::new();
    let mut content = None;
    let mut content_type = None;
    parts.headers.remove(header::CONTENT_TYPE);
    parts.headers.remove(header::CONTENT_LENGTH);
    for (name, value) in form_urlencoded::parse(&bytes) {
        let lower = name.to_ascii_lowercase();
        if lower == "content" {
            content = Some(value.into_owned());
        } else if lower == "content-type" {
            content_type = Some(value.into_owned());
        } else if FORM_HEADERS.contains(&lower.as_str()) {
            if lower != "content-length"
                && let (Ok(n), Ok(v)) = (
                    header::HeaderName::from_bytes(lower.as_bytes()),
                    HeaderValue::from_str(&value),
                )
            {
                parts.headers.insert(n, v);
            }
        } else {
            params.push((name.into_owned(), value.into_owned()));
        }
    }
    // xAPI 2.0 dropped the syntax: a 2.0 client gets a refusal, not a guess.
    let speaks_2 = parts
        .headers
        .get(VERSION_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().starts_with("2."));
    if speaks_2 {
        return refuse("xAPI 2.0 has no alternate request syntax: send the request itself.");
    }
    let body = content.unwrap_or_default();
    if !body.is_empty()
        && let Ok(v) = HeaderValue::from_str(content_type.as_deref().unwrap_or("application/json"))
    {
        parts.headers.insert(header::CONTENT_TYPE, v);
    }
    // The serializer is not Send: it must be gone before the await below.
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&params)
        .finish();
    let path = parts.uri.path().to_string();
    let Ok(uri) = format!("{path}?{query}").parse() else {
        return refuse("The form's parameters do not make an address.");
    };
    parts.uri = uri;
    parts.method = method;
    next.run(Request::from_parts(parts, axum::body::Body::from(body)))
        .await
}

/// Every answer names the version it speaks: the one asked for, else the latest.
async fn version_header(req: Request, next: Next) -> Response {
    let version = req
        .headers()
        .get(VERSION_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| Version::from_header(v).ok())
        .unwrap_or(Version::V2);
    let mut response = next.run(req).await;
    response
        .headers_mut()
        .insert(VERSION_HEADER, HeaderValue::from_static(version.header()));
    response
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            Refusal::Bad(m) => (StatusCode::BAD_REQUEST, m),
            Refusal::Unauthorized => {
                let mut r = (
                    StatusCode::UNAUTHORIZED,
                    "Send the client's key and secret (HTTP Basic).",
                )
                    .into_response();
                r.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Basic realm=\"xAPI\""),
                );
                return r;
            }
            Refusal::Forbidden => (
                StatusCode::FORBIDDEN,
                "The client's scopes do not allow this.".to_string(),
            ),
            Refusal::Rejected(m) => (StatusCode::FORBIDDEN, m),
            Refusal::NotFound => (StatusCode::NOT_FOUND, "Not found.".to_string()),
            Refusal::Conflict(m) => (StatusCode::CONFLICT, m),
            Refusal::Precondition(m) => (StatusCode::PRECONDITION_FAILED, m),
            Refusal::App(err) => {
                let status = StatusCode::from_u16(err.status_code())
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                let mut r = (status, err.to_string()).into_response();
                if matches!(err, AppError::Unavailable) {
                    r.headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
                }
                return r;
            }
        };
        (status, message).into_response()
    }
}

type Answer = Result<Response, Refusal>;

fn respond(answer: Answer) -> Response {
    answer.unwrap_or_else(IntoResponse::into_response)
}

/// The request's parameters; a parameter given twice is refused.
fn params(query: Option<String>) -> Result<BTreeMap<String, String>, Refusal> {
    let mut map = BTreeMap::new();
    for (k, v) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if map.insert(k.to_string(), v.to_string()).is_some() {
            return Err(Refusal::Bad(format!("{k}: given twice")));
        }
    }
    Ok(map)
}

fn version(headers: &HeaderMap) -> Result<Version, Refusal> {
    let text = headers
        .get(VERSION_HEADER)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| Refusal::Bad("X-Experience-API-Version: missing".to_string()))?;
    Version::from_header(text)
        .map_err(|e| Refusal::Bad(format!("X-Experience-API-Version: {}", e.0)))
}

async fn client(state: &AppState, headers: &HeaderMap) -> Result<Client, Refusal> {
    let auth = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    service::client_for(state, auth).await
}

fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

fn json_response(status: StatusCode, value: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

fn http_date(micros: i64) -> String {
    let secs = u64::try_from(micros / 1_000_000).unwrap_or(0);
    httpdate::fmt_http_date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs))
}

fn languages(headers: &HeaderMap) -> Vec<String> {
    header_text(headers, header::ACCEPT_LANGUAGE)
        .map(|text| {
            text.split(',')
                .filter_map(|part| part.split(';').next())
                .map(|tag| tag.trim().to_string())
                .filter(|tag| !tag.is_empty() && tag != "*")
                .collect()
        })
        .unwrap_or_default()
}

fn registration(params: &BTreeMap<String, String>) -> Result<String, Refusal> {
    match params.get("registration") {
        None => Ok(String::new()),
        Some(text) => uuid::Uuid::parse_str(text)
            .map(|u| u.hyphenated().to_string())
            .map_err(|_| Refusal::Bad(format!("registration: not a UUID: {text}"))),
    }
}

fn boolean(params: &BTreeMap<String, String>, name: &str) -> Result<bool, Refusal> {
    match params.get(name).map(String::as_str) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(other) => Err(Refusal::Bad(format!("{name}: true or false, not {other}"))),
    }
}

// ---- about ----------------------------------------------------------------------------------

/// Open to anyone: clients ask it before they authenticate.
async fn about() -> Response {
    json_response(
        StatusCode::OK,
        &json!({"version": ["1.0.3", "2.0.0"], "extensions": {}}),
    )
}

// ---- statements -----------------------------------------------------------------------------

const STATEMENT_PARAMS: &[&str] = &[
    "statementId",
    "voidedStatementId",
    "agent",
    "verb",
    "activity",
    "registration",
    "related_activities",
    "related_agents",
    "since",
    "until",
    "limit",
    "format",
    "attachments",
    "ascending",
    "from",
];

async fn statements(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    // Every answer to a GET says up to when the LRS is consistent, refusals too.
    let consistent = service::now_micros();
    let reading = matches!(method, Method::GET | Method::HEAD);
    let mut response = statements_answer(state, method, headers, query, body).await;
    if reading && let Ok(v) = HeaderValue::from_str(&service::timestamp(consistent)) {
        response
            .headers_mut()
            .insert("x-experience-api-consistent-through", v);
    }
    response
}

async fn statements_answer(
    state: AppState,
    method: Method,
    headers: HeaderMap,
    query: Option<String>,
    body: Bytes,
) -> Response {
    respond(
        async {
            let version = version(&headers)?;
            let client = client(&state, &headers).await?;
            let params = params(query)?;
            if let Some(unknown) = params
                .keys()
                .find(|k| !STATEMENT_PARAMS.contains(&k.as_str()))
            {
                return Err(Refusal::Bad(format!(
                    "{unknown}: not a parameter of /statements"
                )));
            }
            match method {
                Method::GET | Method::HEAD => {
                    get_statements(&state, &client, &headers, &params).await
                }
                Method::PUT => {
                    let id = params
                        .get("statementId")
                        .ok_or_else(|| Refusal::Bad("statementId: missing".to_string()))?;
                    if params.len() > 1 {
                        return Err(Refusal::Bad("A PUT takes only statementId.".to_string()));
                    }
                    let (statement, parts) = statements_body(&headers, &body).await?;
                    service::put_statement(&state, &client, version, id, statement, parts).await?;
                    Ok(StatusCode::NO_CONTENT.into_response())
                }
                Method::POST => {
                    if !params.is_empty() {
                        return Err(Refusal::Bad("A POST takes no parameters.".to_string()));
                    }
                    let (sent, parts) = statements_body(&headers, &body).await?;
                    let sent = match sent {
                        Value::Array(list) => list,
                        one => vec![one],
                    };
                    let ids =
                        service::store_statements(&state, &client, version, sent, parts).await?;
                    Ok(json_response(StatusCode::OK, &json!(ids)))
                }
                _ => Ok(StatusCode::METHOD_NOT_ALLOWED.into_response()),
            }
        }
        .await,
    )
}

/// The statements sent, and their attachments' content when sent as `multipart/mixed`.
async fn statements_body(headers: &HeaderMap, body: &Bytes) -> Result<(Value, Vec<Part>), Refusal> {
    let content_type = header_text(headers, header::CONTENT_TYPE).unwrap_or_default();
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "multipart/mixed" {
        return multipart::read(&content_type, body.to_vec())
            .await
            .map_err(|e| Refusal::Bad(e.0));
    }
    if !is_json(&content_type) {
        return Err(Refusal::Bad(format!(
            "Content-Type: statements are sent as application/json or multipart/mixed, not {content_type}"
        )));
    }
    let statements = serde_json::from_slice(body)
        .map_err(|e| Refusal::Bad(format!("The body is not JSON: {e}")))?;
    Ok((statements, Vec::new()))
}

/// The answer to a GET: JSON, or with `attachments=true` the JSON and the attachments' content.
async fn with_attachments(
    state: &AppState,
    value: Value,
    statements: &[Value],
    attachments: bool,
) -> Answer {
    if !attachments {
        return Ok(json_response(StatusCode::OK, &value));
    }
    let parts = service::attachments_of(state, statements).await?;
    let (body, boundary) = multipart::write(&value, &parts);
    Ok((
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            format!("multipart/mixed; boundary={boundary}"),
        )],
        body,
    )
        .into_response())
}

async fn get_statements(
    state: &AppState,
    client: &Client,
    headers: &HeaderMap,
    params: &BTreeMap<String, String>,
) -> Answer {
    let shape = match params.get("format") {
        Some(f) => Format::parse(f).map_err(|e| Refusal::Bad(format!("format: {}", e.0)))?,
        None => Format::Exact,
    };
    let langs = languages(headers);
    let attachments = boolean(params, "attachments")?;
    let single = [("statementId", false), ("voidedStatementId", true)];
    for (name, voided) in single {
        if let Some(id) = params.get(name) {
            let others = params
                .keys()
                .any(|k| k != name && k != "format" && k != "attachments");
            if others {
                return Err(Refusal::Bad(format!(
                    "{name}: cannot be combined with other filters"
                )));
            }
            let statement = service::statement(state, client, id, voided, shape, &langs).await?;
            let mut response = with_attachments(
                state,
                statement.clone(),
                std::slice::from_ref(&statement),
                attachments,
            )
            .await?;
            if let Some(stored) = statement.get("stored").and_then(Value::as_str)
                && let Ok(micros) = parse_timestamp("stored", stored)
                && let Ok(v) = HeaderValue::from_str(&http_date(micros))
            {
                response.headers_mut().insert(header::LAST_MODIFIED, v);
            }
            return Ok(response);
        }
    }
    let limit = match params.get("limit") {
        Some(text) => text
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| Refusal::Bad(format!("limit: not a whole number: {text}")))?,
        None => 0,
    };
    let filter = Filter {
        agent: params
            .get("agent")
            .map(|a| service::agent_param(a))
            .transpose()?,
        related_agents: boolean(params, "related_agents")?,
        verb: params.get("verb").cloned(),
        activity: params.get("activity").cloned(),
        related_activities: boolean(params, "related_activities")?,
        registration: match registration(params)? {
            r if r.is_empty() => None,
            r => Some(r),
        },
        since: params
            .get("since")
            .map(|t| parse_timestamp("since", t))
            .transpose()?,
        until: params
            .get("until")
            .map(|t| parse_timestamp("until", t))
            .transpose()?,
        ascending: boolean(params, "ascending")?,
        after: match params.get("from") {
            Some(text) => Some(
                text.parse::<i64>()
                    .map_err(|_| Refusal::Bad("from: not a statement position".to_string()))?,
            ),
            None => None,
        },
        // The service narrows it for a client that reads only its own.
        stored_by: None,
    };
    let consistent = service::now_micros();
    let page = service::statements(state, client, &filter, limit, shape, &langs).await?;
    let more = match page.next {
        Some(seq) => {
            let mut query = form_urlencoded::Serializer::new(String::new());
            for (k, v) in params.iter().filter(|(k, _)| k.as_str() != "from") {
                query.append_pair(k, v);
            }
            query.append_pair("from", &seq.to_string());
            format!("/xapi/statements?{}", query.finish())
        }
        None => String::new(),
    };
    let result = json!({"statements": page.statements, "more": more});
    let mut response = with_attachments(state, result, &page.statements, attachments).await?;
    if let Ok(v) = HeaderValue::from_str(&http_date(consistent)) {
        response.headers_mut().insert(header::LAST_MODIFIED, v);
    }
    Ok(response)
}

// ---- documents ------------------------------------------------------------------------------

async fn documents(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
    kind: &'static str,
) -> Response {
    respond(
        async {
            let version = version(&headers)?;
            let client = client(&state, &headers).await?;
            let params = params(query)?;
            let (target, since) = doc_target(kind, &params, &method)?;
            let preconditions = Preconditions {
                if_match: header_text(&headers, header::IF_MATCH),
                if_none_match: header_text(&headers, header::IF_NONE_MATCH),
            };
            match method {
                Method::GET | Method::HEAD => {
                    match service::get_document(&state, &client, &target, since).await? {
                        DocAnswer::One(doc) => Ok((
                            StatusCode::OK,
                            [
                                (header::CONTENT_TYPE, doc.content_type),
                                (header::ETAG, doc.etag),
                                (header::LAST_MODIFIED, http_date(doc.updated)),
                            ],
                            doc.content,
                        )
                            .into_response()),
                        DocAnswer::Ids(ids) => Ok(json_response(StatusCode::OK, &json!(ids))),
                    }
                }
                Method::PUT | Method::POST => {
                    let content_type = header_text(&headers, header::CONTENT_TYPE)
                        .unwrap_or_else(|| "application/octet-stream".to_string());
                    let etag = service::write_document(
                        &state,
                        &client,
                        version,
                        &target,
                        method == Method::POST,
                        &preconditions,
                        &content_type,
                        &body,
                    )
                    .await?;
                    Ok((StatusCode::NO_CONTENT, [(header::ETAG, etag)]).into_response())
                }
                Method::DELETE => {
                    service::delete_document(&state, &client, &target, &preconditions).await?;
                    Ok(StatusCode::NO_CONTENT.into_response())
                }
                _ => Ok(StatusCode::METHOD_NOT_ALLOWED.into_response()),
            }
        }
        .await,
    )
}

/// Which document(s) the parameters name, and `since` for a list.
fn doc_target(
    kind: &'static str,
    params: &BTreeMap<String, String>,
    method: &Method,
) -> Result<(DocTarget, Option<i64>), Refusal> {
    let (allowed, id_name): (&[&str], &str) = match kind {
        "state" => (
            &["activityId", "agent", "registration", "stateId", "since"],
            "stateId",
        ),
        "activity_profile" => (&["activityId", "profileId", "since"], "profileId"),
        _ => (&["agent", "profileId", "since"], "profileId"),
    };
    if let Some(unknown) = params.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(Refusal::Bad(format!("{unknown}: not a parameter here")));
    }
    let needs_activity = kind != "agent_profile";
    let needs_agent = kind != "activity_profile";
    let activity = if needs_activity {
        let id = params
            .get("activityId")
            .ok_or_else(|| Refusal::Bad("activityId: missing".to_string()))?;
        if url::Url::parse(id).is_err() {
            return Err(Refusal::Bad(format!("activityId: not an IRI: {id}")));
        }
        id.clone()
    } else {
        String::new()
    };
    let agent = if needs_agent {
        let text = params
            .get("agent")
            .ok_or_else(|| Refusal::Bad("agent: missing".to_string()))?;
        service::agent_param(text)?
    } else {
        String::new()
    };
    let doc_id = params.get(id_name).cloned();
    let since = match params.get("since") {
        Some(text) => {
            if doc_id.is_some() || !matches!(*method, Method::GET | Method::HEAD) {
                return Err(Refusal::Bad(format!(
                    "since: only for a list, without {id_name}"
                )));
            }
            Some(parse_timestamp("since", text)?)
        }
        None => None,
    };
    let key = DocKey {
        kind,
        activity,
        agent,
        registration: if kind == "state" {
            registration(params)?
        } else {
            String::new()
        },
    };
    Ok((DocTarget { key, doc_id }, since))
}

// ---- activities and agents ------------------------------------------------------------------

async fn activities(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    respond(
        async {
            version(&headers)?;
            let client = client(&state, &headers).await?;
            let params = params(query)?;
            let id = params
                .get("activityId")
                .ok_or_else(|| Refusal::Bad("activityId: missing".to_string()))?;
            let activity = service::activity(&state, &client, id).await?;
            Ok(json_response(StatusCode::OK, &activity))
        }
        .await,
    )
}

async fn agents(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    respond(
        async {
            version(&headers)?;
            let client = client(&state, &headers).await?;
            let params = params(query)?;
            let text = params
                .get("agent")
                .ok_or_else(|| Refusal::Bad("agent: missing".to_string()))?;
            let agent: Value = serde_json::from_str(text)
                .map_err(|_| Refusal::Bad("agent: not a JSON object".to_string()))?;
            let person = service::person(&client, &agent)?;
            Ok(json_response(StatusCode::OK, &person))
        }
        .await,
    )
}
