//! HTTP helpers shared by the test files that go through the real router.
#![allow(dead_code)]

use axum::body::Body;
use http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use lyceum::auth::service as auth;
use lyceum::auth::throttle::Client;
use lyceum::state::AppState;
use lyceum::testing::{PASSWORD, user_with_roles};
use lyceum::users::model::Role;
use tower::ServiceExt;

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

pub async fn send(app: &axum::Router, req: Request<Body>) -> Reply {
    let path = req.uri().to_string();
    // A hung render must fail the test, not stall the whole run.
    let res = tokio::time::timeout(std::time::Duration::from_secs(60), app.clone().oneshot(req))
        .await
        .unwrap_or_else(|_| panic!("no response to {path} within 60 s"))
        .unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

pub fn server_fn(path: &str, body: &str, cookie: Option<&str>) -> Request<Body> {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(format!("/api/{path}"))
        // Functions with nested inputs take JSON; the rest take forms.
        .header(
            header::CONTENT_TYPE,
            if body.starts_with('{') {
                "application/json"
            } else {
                "application/x-www-form-urlencoded"
            },
        )
        .header(header::ACCEPT, "application/json");
    if let Some(token) = cookie {
        req = req.header(header::COOKIE, format!("lyceum_session={token}"));
    }
    req.body(Body::from(body.to_string())).unwrap()
}

pub fn api(method: Method, path: &str, token: Option<&str>, body: Option<&str>) -> Request<Body> {
    let mut req = Request::builder()
        .method(method)
        .uri(format!("/api/v1{path}"));
    if let Some(token) = token {
        req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    req.body(body.map(|b| Body::from(b.to_string())).unwrap_or_default())
        .unwrap()
}

pub async fn session_for(state: &AppState, email: &str, roles: &[Role]) -> String {
    user_with_roles(state, email, roles).await;
    auth::sign_in(state, email, PASSWORD, &Client::at("127.0.0.1"))
        .await
        .unwrap()
}
