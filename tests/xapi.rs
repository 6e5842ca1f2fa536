//! The built-in xAPI LRS through the real router, on both databases: clients and scopes,
//! statements (storing, conflicts, filters, paging, voiding), documents with their concurrency
//! rules, and the administrators' page of clients and statements.

use crate::support::send;
use axum::body::Body;
use http::{Method, Request, StatusCode, header};
use lyceum::auth::permissions::Actor;
use lyceum::db_test;
use lyceum::error::AppError;
use lyceum::testing::user_with_roles;
use lyceum::users::model::Role;
use lyceum::xapi::clients;
use lyceum::xapi::model::StatementSearch;
use serde_json::{Value, json};

/// Credentials of a new client with these scopes, as an `Authorization` header.
async fn client(state: &lyceum::state::AppState, admin: &Actor, scopes: &str) -> String {
    use base64::Engine;
    let made = clients::create_client(state, admin, "Tests", scopes)
        .await
        .unwrap();
    let pair = format!("{}:{}", made.info.key, made.secret);
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

fn xapi(method: Method, path: &str, auth: Option<&str>, body: Option<&str>) -> Request<Body> {
    xapi_with(method, path, auth, body, &[])
}

fn xapi_with(
    method: Method,
    path: &str,
    auth: Option<&str>,
    body: Option<&str>,
    extra: &[(&str, &str)],
) -> Request<Body> {
    let mut req = Request::builder()
        .method(method)
        .uri(format!("/xapi{path}"))
        .header("X-Experience-API-Version", "1.0.3");
    if let Some(auth) = auth {
        req = req.header(header::AUTHORIZATION, auth);
    }
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    req.body(body.map(|b| Body::from(b.to_string())).unwrap_or_default())
        .unwrap()
}

fn statement(email: &str, verb: &str, activity: &str) -> Value {
    json!({
        "actor": {"mbox": format!("mailto:{email}"), "name": email},
        "verb": {"id": format!("http://adlnet.gov/expapi/verbs/{verb}"), "display": {"en-US": verb}},
        "object": {"id": activity, "definition": {"name": {"en-US": "Fire safety"}}},
    })
}

fn q(value: &Value) -> String {
    form_urlencoded::byte_serialize(value.to_string().as_bytes()).collect()
}

db_test!(clients_authenticate_with_their_key_and_scopes, |state| {
    let app = lyceum::http::router(state.clone());
    let learner = user_with_roles(&state, "ada@example.com", &[Role::Learner]).await;
    assert_eq!(
        clients::create_client(&state, &learner, "Mine", "all")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
    let refused = clients::create_client(&state, &admin, "Bad", "all everything")
        .await
        .unwrap_err();
    assert!(refused.field("scopes").unwrap().contains("everything"));

    let all = client(&state, &admin, "all").await;
    let writer = client(&state, &admin, "statements/write").await;

    // About answers anyone; the rest needs credentials and the version header.
    let about = send(&app, xapi(Method::GET, "/about", None, None)).await;
    assert_eq!(about.status, StatusCode::OK);
    let versions: Value = serde_json::from_str(&about.body).unwrap();
    assert_eq!(versions["version"], json!(["1.0.3", "2.0.0"]));
    assert_eq!(about.headers["x-experience-api-version"], "1.0.3");
    let none = send(&app, xapi(Method::GET, "/statements", None, None)).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    let wrong = send(
        &app,
        xapi(
            Method::GET,
            "/statements",
            Some("Basic d3Jvbmc6d3Jvbmc="),
            None,
        ),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let no_version = Request::builder()
        .uri("/xapi/statements")
        .header(header::AUTHORIZATION, &all)
        .body(Body::empty())
        .unwrap();
    assert_eq!(send(&app, no_version).await.status, StatusCode::BAD_REQUEST);
    let ok = send(&app, xapi(Method::GET, "/statements", Some(&all), None)).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
    assert!(
        ok.headers
            .contains_key("x-experience-api-consistent-through")
    );

    // Content on another origin may call the LRS (its own credentials, never our cookie).
    let preflight = Request::builder()
        .method(Method::OPTIONS)
        .uri("/xapi/statements")
        .header(header::ORIGIN, "https://content.example.com")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(
            header::ACCESS_CONTROL_REQUEST_HEADERS,
            "authorization, content-type, x-experience-api-version",
        )
        .body(Body::empty())
        .unwrap();
    let allowed = send(&app, preflight).await;
    assert!(allowed.status.is_success(), "{}", allowed.status);
    assert_eq!(allowed.headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let headers = allowed.headers[header::ACCESS_CONTROL_ALLOW_HEADERS]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(headers.contains("x-experience-api-version"), "{headers}");

    // A client that may only write cannot read.
    let body = statement("ada@example.com", "completed", "http://example.com/fire").to_string();
    let sent = send(
        &app,
        xapi(Method::POST, "/statements", Some(&writer), Some(&body)),
    )
    .await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let read = send(&app, xapi(Method::GET, "/statements", Some(&writer), None)).await;
    assert_eq!(read.status, StatusCode::FORBIDDEN);

    // A revoked client is a stranger at once.
    let page = clients::clients(&state, &admin, 1).await.unwrap();
    assert_eq!(page.total, 2);
    let writer_id = page
        .items
        .iter()
        .find(|c| c.scopes == ["statements/write"])
        .unwrap()
        .id;
    clients::revoke_client(&state, &admin, writer_id)
        .await
        .unwrap();
    let after = send(
        &app,
        xapi(Method::POST, "/statements", Some(&writer), Some(&body)),
    )
    .await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
});

db_test!(statements_are_stored_filtered_paged_and_voided, |state| {
    let app = lyceum::http::router(state.clone());
    let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
    let auth = client(&state, &admin, "all").await;
    let post = |body: String| {
        let app = app.clone();
        let auth = auth.clone();
        async move {
            send(
                &app,
                xapi(Method::POST, "/statements", Some(&auth), Some(&body)),
            )
            .await
        }
    };
    let get = |path: String| {
        let app = app.clone();
        let auth = auth.clone();
        async move { send(&app, xapi(Method::GET, &path, Some(&auth), None)).await }
    };

    // A batch is stored whole or not at all.
    let mut bad = statement("cy@example.com", "failed", "http://example.com/fire");
    bad["actor"]["mbox"] = json!("cy@example.com");
    let batch = json!([
        statement("ada@example.com", "attempted", "http://example.com/fire"),
        bad
    ]);
    let refused = post(batch.to_string()).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("mbox"), "{}", refused.body);
    let empty: Value = serde_json::from_str(&get("/statements".into()).await.body).unwrap();
    assert_eq!(empty["statements"].as_array().unwrap().len(), 0);

    let registration = "16fd2706-8baf-433b-82eb-8c7fada847da";
    let mut with_registration =
        statement("ada@example.com", "completed", "http://example.com/fire");
    with_registration["context"] = json!({
        "registration": registration,
        "contextActivities": {"parent": {"id": "http://example.com/safety"}},
    });
    let batch = json!([
        statement("ada@example.com", "attempted", "http://example.com/fire"),
        with_registration,
        statement(
            "bo@example.com",
            "attempted",
            "http://example.com/first-aid"
        ),
    ]);
    let stored = post(batch.to_string()).await;
    assert_eq!(stored.status, StatusCode::OK, "{}", stored.body);
    let ids: Vec<String> = serde_json::from_str(&stored.body).unwrap();
    assert_eq!(ids.len(), 3);

    // One by id, as stored: the LRS adds stored, authority, timestamp and version.
    let one = get(format!("/statements?statementId={}", ids[1])).await;
    assert_eq!(one.status, StatusCode::OK);
    let one: Value = serde_json::from_str(&one.body).unwrap();
    assert_eq!(one["id"], json!(ids[1]));
    assert!(one["stored"].is_string() && one["timestamp"].is_string());
    assert!(one["authority"]["account"]["name"].is_string());

    // PUT: the same statement again changes nothing; another one with that id is a conflict.
    let id = "c2d5f6a8-7e1b-4c3d-9a0b-1f2e3d4c5b6a";
    let put = |body: String| {
        let app = app.clone();
        let auth = auth.clone();
        async move {
            send(
                &app,
                xapi(
                    Method::PUT,
                    &format!("/statements?statementId={id}"),
                    Some(&auth),
                    Some(&body),
                ),
            )
            .await
        }
    };
    let first = statement("cy@example.com", "experienced", "http://example.com/fire").to_string();
    assert_eq!(put(first.clone()).await.status, StatusCode::NO_CONTENT);
    assert_eq!(put(first).await.status, StatusCode::NO_CONTENT);
    let other = statement("cy@example.com", "passed", "http://example.com/fire").to_string();
    assert_eq!(put(other).await.status, StatusCode::CONFLICT);

    // Filters.
    let list = |path: String| async move {
        let reply = get(path).await;
        assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
        let v: Value = serde_json::from_str(&reply.body).unwrap();
        v
    };
    let ada = json!({"mbox": "mailto:ada@example.com"});
    let by_ada = list(format!("/statements?agent={}", q(&ada))).await;
    assert_eq!(by_ada["statements"].as_array().unwrap().len(), 2);
    let completed =
        list("/statements?verb=http%3A%2F%2Fadlnet.gov%2Fexpapi%2Fverbs%2Fcompleted".to_string())
            .await;
    assert_eq!(completed["statements"].as_array().unwrap().len(), 1);
    let fire = list("/statements?activity=http%3A%2F%2Fexample.com%2Ffire".to_string()).await;
    assert_eq!(fire["statements"].as_array().unwrap().len(), 3);
    let parent = list("/statements?activity=http%3A%2F%2Fexample.com%2Fsafety".to_string()).await;
    assert_eq!(parent["statements"].as_array().unwrap().len(), 0);
    let related = list(
        "/statements?activity=http%3A%2F%2Fexample.com%2Fsafety&related_activities=true"
            .to_string(),
    )
    .await;
    assert_eq!(related["statements"].as_array().unwrap().len(), 1);
    let registered = list(format!("/statements?registration={registration}")).await;
    assert_eq!(registered["statements"][0]["id"], json!(ids[1]));
    let unknown = get("/statements?colour=red".to_string()).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);

    // Newest first, two at a time, following `more`; ascending reverses.
    let page1 = list("/statements?limit=2".to_string()).await;
    let more = page1["more"].as_str().unwrap().to_string();
    assert!(more.starts_with("/xapi/statements?"), "{more}");
    let page2 = list(more.trim_start_matches("/xapi").to_string()).await;
    let mut seen: Vec<String> = page1["statements"]
        .as_array()
        .unwrap()
        .iter()
        .chain(page2["statements"].as_array().unwrap())
        .map(|s| s["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(seen.len(), 4);
    assert_eq!(page2["more"], json!(""));
    assert_eq!(seen[0], id);
    let ascending = list("/statements?ascending=true&limit=1".to_string()).await;
    assert_eq!(ascending["statements"][0]["id"], json!(ids[0]));
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 4);

    // Voiding: the voided statement leaves the lists and is found only as voided.
    let voiding = json!({
        "actor": {"mbox": "mailto:admin@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/voided", "display": {"en-US": "voided"}},
        "object": {"objectType": "StatementRef", "id": ids[0]},
    });
    let voided = post(voiding.to_string()).await;
    assert_eq!(voided.status, StatusCode::OK, "{}", voided.body);
    let voiding_id: Vec<String> = serde_json::from_str(&voided.body).unwrap();
    assert_eq!(
        get(format!("/statements?statementId={}", ids[0]))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        get(format!("/statements?voidedStatementId={}", ids[0]))
            .await
            .status,
        StatusCode::OK
    );
    // Ada's voided statement is gone; the statement that voids it targets a statement of hers,
    // so the agent filter selects it (xAPI's rule for StatementRefs).
    let by_ada = list(format!("/statements?agent={}", q(&ada))).await;
    let found: Vec<&str> = by_ada["statements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(found, [voiding_id[0].as_str(), ids[1].as_str()]);
    // A voiding statement cannot itself be voided.
    let again = json!({
        "actor": {"mbox": "mailto:admin@example.com"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/voided"},
        "object": {"objectType": "StatementRef", "id": voiding_id[0]},
    });
    assert_eq!(
        post(again.to_string()).await.status,
        StatusCode::BAD_REQUEST
    );

    // The activity's definition is known from the statements.
    let activity = list("/activities?activityId=http%3A%2F%2Fexample.com%2Ffire".to_string()).await;
    assert_eq!(
        activity["definition"]["name"]["en-US"],
        json!("Fire safety")
    );

    // Administrators browse what is stored, filtered.
    let found = clients::browse(
        &state,
        &admin,
        &StatementSearch {
            actor: "bo@example.com".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(found.statements.len(), 1);
    assert_eq!(found.statements[0].verb, "attempted");
    assert_eq!(found.statements[0].object, "Fire safety");
    let learner = user_with_roles(&state, "ada@example.com", &[Role::Learner]).await;
    assert_eq!(
        clients::browse(&state, &learner, &StatementSearch::default())
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
});

db_test!(documents_keep_their_concurrency_rules, |state| {
    let app = lyceum::http::router(state.clone());
    let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
    let auth = client(&state, &admin, "all").await;
    let agent = q(&json!({"mbox": "mailto:ada@example.com"}));
    let state_path = format!(
        "/activities/state?activityId=http%3A%2F%2Fexample.com%2Ffire&agent={agent}&stateId=bookmark"
    );
    let put = send(
        &app,
        xapi(
            Method::PUT,
            &state_path,
            Some(&auth),
            Some(r#"{"page": 3}"#),
        ),
    )
    .await;
    assert_eq!(put.status, StatusCode::NO_CONTENT, "{}", put.body);
    let got = send(&app, xapi(Method::GET, &state_path, Some(&auth), None)).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body, r#"{"page": 3}"#);
    let etag = got.headers[header::ETAG].to_str().unwrap().to_string();
    // POST merges JSON objects.
    let merged = send(
        &app,
        xapi(
            Method::POST,
            &state_path,
            Some(&auth),
            Some(r#"{"score": 80}"#),
        ),
    )
    .await;
    assert_eq!(merged.status, StatusCode::NO_CONTENT);
    let got: Value = serde_json::from_str(
        &send(&app, xapi(Method::GET, &state_path, Some(&auth), None))
            .await
            .body,
    )
    .unwrap();
    assert_eq!(got, json!({"page": 3, "score": 80}));
    let ids = send(
        &app,
        xapi(
            Method::GET,
            &format!("/activities/state?activityId=http%3A%2F%2Fexample.com%2Ffire&agent={agent}"),
            Some(&auth),
            None,
        ),
    )
    .await;
    assert_eq!(ids.body, r#"["bookmark"]"#);

    // Profiles: replacing an existing one needs a precondition, and it must hold.
    let profile = "/activities/profile?activityId=http%3A%2F%2Fexample.com%2Ffire&profileId=p1";
    // xAPI 1.0.3 wants a precondition even on a new profile: If-None-Match: * says "new".
    let unsure = send(
        &app,
        xapi(Method::PUT, profile, Some(&auth), Some(r#"{"v": 1}"#)),
    )
    .await;
    assert_eq!(unsure.status, StatusCode::BAD_REQUEST);
    let made = send(
        &app,
        xapi_with(
            Method::PUT,
            profile,
            Some(&auth),
            Some(r#"{"v": 1}"#),
            &[("If-None-Match", "*")],
        ),
    )
    .await;
    assert_eq!(made.status, StatusCode::NO_CONTENT);
    let etag1 = made.headers[header::ETAG].to_str().unwrap().to_string();
    let blind = send(
        &app,
        xapi(Method::PUT, profile, Some(&auth), Some(r#"{"v": 2}"#)),
    )
    .await;
    assert_eq!(blind.status, StatusCode::CONFLICT);
    let stale = send(
        &app,
        xapi_with(
            Method::PUT,
            profile,
            Some(&auth),
            Some(r#"{"v": 2}"#),
            &[("If-Match", "\"not-the-etag\"")],
        ),
    )
    .await;
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    let exists = send(
        &app,
        xapi_with(
            Method::PUT,
            profile,
            Some(&auth),
            Some(r#"{"v": 2}"#),
            &[("If-None-Match", "*")],
        ),
    )
    .await;
    assert_eq!(exists.status, StatusCode::PRECONDITION_FAILED);
    let fresh = send(
        &app,
        xapi_with(
            Method::PUT,
            profile,
            Some(&auth),
            Some(r#"{"v": 2}"#),
            &[("If-Match", &etag1)],
        ),
    )
    .await;
    assert_eq!(fresh.status, StatusCode::NO_CONTENT);
    let got = send(&app, xapi(Method::GET, profile, Some(&auth), None)).await;
    assert_eq!(got.body, r#"{"v": 2}"#);
    assert_ne!(got.headers[header::ETAG].to_str().unwrap(), etag1);

    // Delete one state document, then all of them under the activity and agent.
    let del = send(
        &app,
        xapi_with(
            Method::DELETE,
            &state_path,
            Some(&auth),
            None,
            &[("If-Match", &etag)],
        ),
    )
    .await;
    // The state changed since `etag` was read (the merge): the delete is refused.
    assert_eq!(del.status, StatusCode::PRECONDITION_FAILED);
    let all = format!("/activities/state?activityId=http%3A%2F%2Fexample.com%2Ffire&agent={agent}");
    assert_eq!(
        send(&app, xapi(Method::DELETE, &all, Some(&auth), None))
            .await
            .status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        send(&app, xapi(Method::GET, &state_path, Some(&auth), None))
            .await
            .status,
        StatusCode::NOT_FOUND
    );

    // Bad parameters are named.
    let no_agent = send(
        &app,
        xapi(
            Method::GET,
            "/activities/state?activityId=http%3A%2F%2Fexample.com%2Ffire&stateId=x",
            Some(&auth),
            None,
        ),
    )
    .await;
    assert_eq!(no_agent.status, StatusCode::BAD_REQUEST);
    assert!(no_agent.body.contains("agent"), "{}", no_agent.body);
});

fn multipart(statements: &Value, parts: &[(&str, &[u8], Option<&str>)]) -> Vec<u8> {
    let mut body = format!("--b0undary\r\nContent-Type: application/json\r\n\r\n{statements}\r\n")
        .into_bytes();
    for (content_type, content, hash) in parts {
        body.extend_from_slice(
            format!("--b0undary\r\nContent-Type: {content_type}\r\nContent-Transfer-Encoding: binary\r\n")
                .as_bytes(),
        );
        if let Some(hash) = hash {
            body.extend_from_slice(format!("X-Experience-API-Hash: {hash}\r\n").as_bytes());
        }
        body.extend_from_slice(b"\r\n");
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"--b0undary--\r\n");
    body
}

fn sha2(content: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(content)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn post_multipart(auth: &str, body: Vec<u8>) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri("/xapi/statements")
        .header("X-Experience-API-Version", "2.0.0")
        .header(header::AUTHORIZATION, auth)
        .header(header::CONTENT_TYPE, "multipart/mixed; boundary=b0undary")
        .body(Body::from(body))
        .unwrap()
}

db_test!(attachments_and_signatures_travel_as_multipart, |state| {
    use base64::Engine;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let app = lyceum::http::router(state.clone());
    let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
    let auth = client(&state, &admin, "all").await;

    let certificate = b"%PDF-1.7 a certificate";
    let mut with_file = statement("ada@example.com", "completed", "http://example.com/fire");
    with_file["id"] = json!("6b1e6c3e-1d2f-4f6a-8a3b-2c1d0e9f8a7b");
    with_file["attachments"] = json!([{
        "usageType": "http://id.tincanapi.com/attachment/certificate-of-completion",
        "display": {"en-US": "Certificate"},
        "contentType": "application/pdf",
        "length": certificate.len(),
        "sha2": sha2(certificate),
    }]);

    // The content must come with the statement, named by its hash, in binary.
    let missing = send(&app, post_multipart(&auth, multipart(&with_file, &[]))).await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert!(missing.body.contains("was not sent"), "{}", missing.body);
    let unnamed = send(
        &app,
        post_multipart(
            &auth,
            multipart(&with_file, &[("application/pdf", certificate, None)]),
        ),
    )
    .await;
    assert_eq!(unnamed.status, StatusCode::BAD_REQUEST);
    let hash = sha2(certificate);
    let wrong = send(
        &app,
        post_multipart(
            &auth,
            multipart(
                &with_file,
                &[("application/pdf", b"other bytes", Some(&hash))],
            ),
        ),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST);
    assert!(wrong.body.contains("other content"), "{}", wrong.body);
    let stored = send(
        &app,
        post_multipart(
            &auth,
            multipart(&with_file, &[("application/pdf", certificate, Some(&hash))]),
        ),
    )
    .await;
    assert_eq!(stored.status, StatusCode::OK, "{}", stored.body);

    // Read back: JSON alone, or with attachments=true the content after it.
    let path = "/statements?statementId=6b1e6c3e-1d2f-4f6a-8a3b-2c1d0e9f8a7b";
    let plain = send(&app, xapi(Method::GET, path, Some(&auth), None)).await;
    assert_eq!(plain.headers[header::CONTENT_TYPE], "application/json");
    let full = send(
        &app,
        xapi(
            Method::GET,
            &format!("{path}&attachments=true"),
            Some(&auth),
            None,
        ),
    )
    .await;
    assert_eq!(full.status, StatusCode::OK);
    let content_type = full.headers[header::CONTENT_TYPE].to_str().unwrap();
    assert!(
        content_type.starts_with("multipart/mixed; boundary="),
        "{content_type}"
    );
    assert!(full.body.contains("%PDF-1.7 a certificate"));
    assert!(
        full.body
            .contains(&format!("X-Experience-API-Hash: {hash}"))
    );

    // A signed statement: its JWS (RS256) signs the statement itself.
    let mut signed = statement("bo@example.com", "passed", "http://example.com/fire");
    let jws = |payload: &Value| {
        format!(
            "{}.{}.{}",
            b64(br#"{"alg":"RS256"}"#),
            b64(payload.to_string().as_bytes()),
            b64(b"signature bytes")
        )
    };
    let good = jws(&signed);
    let attach = |signed: &mut Value, jws: &str| {
        signed["attachments"] = json!([{
            "usageType": "http://adlnet.gov/expapi/attachments/signature",
            "display": {"en-US": "Signature"},
            "contentType": "application/octet-stream",
            "length": jws.len(),
            "sha2": sha2(jws.as_bytes()),
        }]);
    };
    let mut forged = signed.clone();
    let other = statement("bo@example.com", "failed", "http://example.com/fire");
    let bad = jws(&other);
    attach(&mut forged, &bad);
    let refused = send(
        &app,
        post_multipart(
            &auth,
            multipart(
                &forged,
                &[(
                    "application/octet-stream",
                    bad.as_bytes(),
                    Some(&sha2(bad.as_bytes())),
                )],
            ),
        ),
    )
    .await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.body.contains("not this statement"),
        "{}",
        refused.body
    );
    attach(&mut signed, &good);
    let accepted = send(
        &app,
        post_multipart(
            &auth,
            multipart(
                &signed,
                &[(
                    "application/octet-stream",
                    good.as_bytes(),
                    Some(&sha2(good.as_bytes())),
                )],
            ),
        ),
    )
    .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
});

db_test!(
    the_alternate_request_syntax_stands_for_the_request,
    |state| {
        let app = lyceum::http::router(state.clone());
        let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        let auth = client(&state, &admin, "all").await;
        let form = |method: &str, fields: &[(&str, &str)]| {
            let body: String = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(fields)
                .finish();
            Request::builder()
                .method(Method::POST)
                .uri(format!("/xapi/statements?method={method}"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap()
        };
        // Headers, parameters and content as form fields: a PUT, then a GET of what it stored.
        let id = "0e3f5d1c-9b7a-4c2e-8f6d-1a2b3c4d5e6f";
        let content =
            statement("ada@example.com", "completed", "http://example.com/fire").to_string();
        let put = send(
            &app,
            form(
                "PUT",
                &[
                    ("Authorization", &auth),
                    ("X-Experience-API-Version", "1.0.3"),
                    ("statementId", id),
                    ("content", &content),
                ],
            ),
        )
        .await;
        assert_eq!(put.status, StatusCode::NO_CONTENT, "{}", put.body);
        let got = send(
            &app,
            form(
                "GET",
                &[
                    ("Authorization", &auth),
                    ("X-Experience-API-Version", "1.0.3"),
                    ("statementId", id),
                ],
            ),
        )
        .await;
        assert_eq!(got.status, StatusCode::OK, "{}", got.body);
        assert!(got.body.contains("completed"));
        // Not for xAPI 2.0 clients, and only as a POST of a form.
        let v2 = send(
            &app,
            form(
                "GET",
                &[
                    ("Authorization", &auth),
                    ("X-Experience-API-Version", "2.0.0"),
                    ("statementId", id),
                ],
            ),
        )
        .await;
        assert_eq!(v2.status, StatusCode::BAD_REQUEST);
        let mut not_post = form("GET", &[("Authorization", &auth)]);
        *not_post.method_mut() = Method::PUT;
        assert_eq!(send(&app, not_post).await.status, StatusCode::BAD_REQUEST);
    }
);

/// The other LRS the tests forward to: Ralph (a third-party LRS, `scripts/lrs-test-server.sh`
/// starts it for `make test` and sets these), or `None` to skip.
fn other_lrs() -> Option<(String, String, String)> {
    Some((
        std::env::var("LYCEUM_TEST_LRS_URL").ok()?,
        std::env::var("LYCEUM_TEST_LRS_USER").ok()?,
        std::env::var("LYCEUM_TEST_LRS_PASSWORD").ok()?,
    ))
}

/// A statement as the other LRS holds it, if it does.
async fn held_by_other(endpoint: &str, user: &str, password: &str, id: &str) -> Option<Value> {
    let response = reqwest::Client::new()
        .get(format!("{endpoint}/statements?statementId={id}"))
        .basic_auth(user, Some(password))
        .header("X-Experience-API-Version", "1.0.3")
        .send()
        .await
        .unwrap();
    if !response.status().is_success() {
        return None;
    }
    let body: Value = serde_json::from_str(&response.text().await.ok()?).ok()?;
    // Ralph answers a list; the standard answers the statement itself.
    body.get("statements")
        .and_then(|s| s.get(0).cloned())
        .or(Some(body))
        .filter(|s| s.get("id").and_then(Value::as_str) == Some(id))
}

db_test!(statements_are_forwarded_to_another_lrs_in_order, |state| {
    let Some((endpoint, user, password)) = other_lrs() else {
        eprintln!("skipped forwarding: LYCEUM_TEST_LRS_URL is not set (make test sets it)");
        return;
    };
    use lyceum::xapi::forward;
    let app = lyceum::http::router(state.clone());
    let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
    let learner = user_with_roles(&state, "ada@example.com", &[Role::Learner]).await;
    let auth = client(&state, &admin, "all").await;
    let post = |s: &Value| {
        xapi(
            Method::POST,
            "/statements",
            Some(&auth),
            Some(&s.to_string()),
        )
    };
    let fresh_id = || uuid::Uuid::new_v4().to_string();

    // Only administrators set it, and the form says what is wrong next to the field.
    assert_eq!(
        forward::save(&state, &learner, &endpoint, &user, &password, true)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    let bad = forward::save(&state, &admin, "lrs.example.com", &user, "", true)
        .await
        .unwrap_err();
    assert!(
        matches!(&bad, AppError::Invalid(p) if p.iter().any(|e| e.field == "endpoint")),
        "{bad:?}"
    );

    // Off: stored statements are not queued.
    let mut before = statement("ada@example.com", "experienced", "http://example.com/fire");
    before["id"] = json!(fresh_id());
    assert_eq!(send(&app, post(&before)).await.status, StatusCode::OK);

    // On, with a wrong secret: the job fails, says why, and keeps the statements in order.
    forward::save(
        &state,
        &admin,
        &format!("{endpoint}/"),
        &user,
        "wrong",
        true,
    )
    .await
    .unwrap();
    let ids: Vec<String> = (0..3).map(|_| fresh_id()).collect();
    let batch: Vec<Value> = ids
        .iter()
        .map(|id| {
            let mut s = statement("ada@example.com", "completed", "http://example.com/fire");
            s["id"] = json!(id);
            s
        })
        .collect();
    let reply = send(&app, post(&Value::Array(batch))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert!(forward::run(&state).await.is_err());
    let status = forward::settings(&state, &admin).await.unwrap();
    assert_eq!(status.queued, 3);
    assert!(status.last_error.is_some(), "{status:?}");
    assert!(status.has_password);

    // The right secret (typed again), then the job sends them all.
    forward::save(&state, &admin, &endpoint, &user, &password, true)
        .await
        .unwrap();
    // The job was queued with the statements; the worker runs it once.
    let ran = lyceum::jobs::worker::run_due(&state, lyceum::db::now() + 3600)
        .await
        .unwrap();
    assert!(ran >= 1);
    let status = forward::settings(&state, &admin).await.unwrap();
    assert_eq!(
        (status.queued, status.last_error.clone()),
        (0, None),
        "{status:?}"
    );
    assert!(status.last_sent_at.is_some());
    // The secret is kept sealed with the site's key, never as typed.
    let kept: String = match &state.db {
        lyceum::db::Db::Sqlite(p) => {
            sqlx::query_scalar("SELECT password FROM xapi_forwarding")
                .fetch_one(&p.read)
                .await
        }
        lyceum::db::Db::Postgres(p) => {
            sqlx::query_scalar("SELECT password FROM xapi_forwarding")
                .fetch_one(p)
                .await
        }
    }
    .unwrap();
    assert!(
        kept.starts_with("v1:") && !kept.contains(&password),
        "sealed"
    );
    for id in &ids {
        let held = held_by_other(&endpoint, &user, &password, id).await;
        let held = held.unwrap_or_else(|| panic!("{id} was not forwarded"));
        assert_eq!(
            held["verb"]["id"],
            "http://adlnet.gov/expapi/verbs/completed"
        );
        assert_eq!(held["actor"]["mbox"], "mailto:ada@example.com");
    }
    let id = before["id"].as_str().unwrap();
    assert!(
        held_by_other(&endpoint, &user, &password, id)
            .await
            .is_none()
    );

    // Off again: nothing more is queued.
    forward::save(&state, &admin, &endpoint, &user, "", false)
        .await
        .unwrap();
    let mut after = statement("ada@example.com", "experienced", "http://example.com/fire");
    after["id"] = json!(fresh_id());
    assert_eq!(send(&app, post(&after)).await.status, StatusCode::OK);
    assert_eq!(forward::settings(&state, &admin).await.unwrap().queued, 0);
});

db_test!(a_client_with_read_mine_reads_only_what_it_sent, |state| {
    let app = lyceum::http::router(state.clone());
    let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
    let mine = client(&state, &admin, "statements/write statements/read/mine").await;
    let other = client(&state, &admin, "statements/write").await;
    let post = |auth: &str, id: &str| {
        let mut s = statement("ada@example.com", "completed", "http://example.com/mine");
        s["id"] = json!(id);
        xapi(
            Method::POST,
            "/statements",
            Some(auth),
            Some(&s.to_string()),
        )
    };
    let own = "1c0e7b1e-8f43-4c8e-9b57-0d6f2d1b3a01";
    let theirs = "1c0e7b1e-8f43-4c8e-9b57-0d6f2d1b3a02";
    assert_eq!(send(&app, post(&mine, own)).await.status, StatusCode::OK);
    assert_eq!(
        send(&app, post(&other, theirs)).await.status,
        StatusCode::OK
    );

    let list = send(&app, xapi(Method::GET, "/statements", Some(&mine), None)).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    let body: Value = serde_json::from_str(&list.body).unwrap();
    let ids: Vec<&str> = body["statements"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["id"].as_str())
        .collect();
    assert_eq!(ids, [own]);
    let one = |id: &str| {
        xapi(
            Method::GET,
            &format!("/statements?statementId={id}"),
            Some(&mine),
            None,
        )
    };
    assert_eq!(send(&app, one(own)).await.status, StatusCode::OK);
    assert_eq!(send(&app, one(theirs)).await.status, StatusCode::NOT_FOUND);
    // Writing alone reads nothing.
    let refused = send(&app, xapi(Method::GET, "/statements", Some(&other), None)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
});
