//! cmi5 courses: the corpus's packages are taken and broken ones refused with their reason; on
//! SQLite and PostgreSQL a learner launches an AU, its fetch URL hands out credentials once,
//! the AU reads LMS.LaunchData (and may not write it), its statements pass the cmi5 rules or are
//! refused with the rule, and moveOn satisfies the block and the course: the LMS's "satisfied"
//! statements, the item's completion and the grade follow. Staff launch in Browse mode.

use crate::support::{self, ClassSpec, get_as, send, session_of, zip_of};
use axum::body::Body;
use http::{Method, Request, StatusCode, header};
use lyceum::cmi5::package::{self, Refusal};
use lyceum::cmi5::{launch, service as cmi5};
use lyceum::courses::model::ItemForm;
use lyceum::db_test;
use lyceum::error::AppError;
use lyceum::state::AppState;
use serde_json::{Value, json};

const STRUCTURE: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd">
  <course id="https://example.com/courses/fire">
    <title><langstring lang="en-US">Fire safety</langstring></title>
    <description><langstring lang="en-US">Two parts.</langstring></description>
  </course>
  <block id="https://example.com/courses/fire/block">
    <title><langstring lang="en-US">Basics</langstring></title>
    <description><langstring lang="en-US">Read, then test.</langstring></description>
    <au id="https://example.com/courses/fire/read" moveOn="Completed">
      <title><langstring lang="en-US">Read</langstring></title>
      <description><langstring lang="en-US">The reading.</langstring></description>
      <url>read/index.html</url>
    </au>
    <au id="https://example.com/courses/fire/test" moveOn="Passed" masteryScore="0.8">
      <title><langstring lang="en-US">Test</langstring></title>
      <description><langstring lang="en-US">The test.</langstring></description>
      <url>test/index.html?lang=en</url>
    </au>
  </block>
</courseStructure>"#;

fn fire_zip() -> Vec<u8> {
    let zip = zip_of(&[
        ("cmi5.xml", STRUCTURE.as_bytes()),
        ("read/index.html", b"<p>Read</p>"),
        ("test/index.html", b"<p>Test</p>"),
    ]);
    zip.bytes()
}

#[test]
fn the_corpus_packages_are_taken_and_broken_ones_refused() {
    if let Some(dir) = support::corpus("cmi5") {
        for (name, aus) in [
            ("single_au_basic_responsive.zip", 1),
            ("masteryscore_responsive.zip", 1),
            ("multi_au_framed.zip", 8),
        ] {
            let taken = package::inspect(&dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(taken.content.aus().len(), aus, "{name}");
            assert!(
                taken.entries.iter().any(|e| e.path == "index.html"),
                "{name}"
            );
        }
    }
    let no_structure = zip_of(&[("index.html", b"<p>x</p>")]);
    assert_eq!(
        package::inspect(no_structure.path()).unwrap_err(),
        Refusal::NoStructure
    );
    let missing = zip_of(&[
        ("cmi5.xml", STRUCTURE.as_bytes()),
        ("read/index.html", b"<p>Read</p>"),
    ]);
    assert_eq!(
        package::inspect(missing.path()).unwrap_err().to_string(),
        "The AU “Test” launches test/index.html, which is not in the zip."
    );
    // Zipped as a folder: the folder is the package's root.
    let nested = zip_of(&[
        ("fire/cmi5.xml", STRUCTURE.as_bytes()),
        ("fire/read/index.html", b"<p>Read</p>"),
        ("fire/test/index.html", b"<p>Test</p>"),
    ]);
    let taken = package::inspect(nested.path()).unwrap();
    assert!(taken.entries.iter().any(|e| e.path == "test/index.html"));
    let broken = zip_of(&[("cmi5.xml", b"<courseStructure")]);
    assert!(
        package::inspect(broken.path())
            .unwrap_err()
            .to_string()
            .contains("not well-formed XML")
    );
}

async fn upload(
    state: &AppState,
    actor: &lyceum::auth::permissions::Actor,
    item_id: i64,
    bytes: Vec<u8>,
) -> Result<lyceum::cmi5::model::CourseInfo, AppError> {
    lyceum::packages::upload::upload::<cmi5::Cmi5Package, _, _>(
        state,
        actor,
        item_id,
        "fire.zip",
        futures_util::stream::iter(vec![Ok::<_, std::io::Error>(axum::body::Bytes::from(
            bytes,
        ))]),
    )
    .await
}

/// The launch URL's parameters.
fn params(url: &str) -> std::collections::HashMap<String, String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn post(path: &str) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri(path)
        .body(Body::empty())
        .unwrap()
}

fn xapi(method: Method, path: &str, auth: &str, body: Option<&Value>) -> Request<Body> {
    let mut req = Request::builder()
        .method(method)
        .uri(format!("/xapi{path}"))
        .header("X-Experience-API-Version", "1.0.3")
        .header(header::AUTHORIZATION, auth);
    if body.is_some() {
        req = req.header(header::CONTENT_TYPE, "application/json");
    }
    req.body(body.map(|b| Body::from(b.to_string())).unwrap_or_default())
        .unwrap()
}

fn q(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// A launched AU session as the AU sees it: its parameters and its LRS credentials.
struct Au {
    actor: Value,
    registration: String,
    activity_id: String,
    publisher_id: String,
    session_id: String,
    auth: String,
    /// As `LMS.LaunchData` says.
    launch_mode: String,
}

impl Au {
    /// A statement of the session with a cmi5 verb, built from the context template.
    fn statement(&self, verb: &str, result: Option<Value>, mastery: Option<f64>) -> Value {
        let moveon = result
            .as_ref()
            .is_some_and(|r| r.get("success").is_some() || r.get("completion").is_some());
        let mut categories =
            vec![json!({"id": "https://w3id.org/xapi/cmi5/context/categories/cmi5"})];
        if moveon {
            categories.push(json!({"id": "https://w3id.org/xapi/cmi5/context/categories/moveon"}));
        }
        let mut extensions =
            json!({"https://w3id.org/xapi/cmi5/context/extensions/sessionid": self.session_id});
        if let Some(m) = mastery {
            extensions["https://w3id.org/xapi/cmi5/context/extensions/masteryscore"] = json!(m);
        }
        let mut s = json!({
            "id": uuid::Uuid::new_v4().to_string(),
            "timestamp": "2026-12-06T10:00:00.000Z",
            "actor": self.actor,
            "verb": {"id": format!("http://adlnet.gov/expapi/verbs/{verb}")},
            "object": {"id": self.activity_id, "objectType": "Activity"},
            "context": {
                "registration": self.registration,
                "contextActivities": {
                    "grouping": [{"id": self.publisher_id}],
                    "category": categories,
                },
                "extensions": extensions,
            },
        });
        if let Some(r) = result {
            s["result"] = r;
        }
        s
    }
}

/// Launches the AU at `index` for `who` and fetches its credentials as the AU would.
async fn launch_au(
    state: &AppState,
    app: &axum::Router,
    who: &lyceum::auth::permissions::Actor,
    item: i64,
    index: usize,
    publisher_id: &str,
) -> Au {
    launch_au_for(state, app, who, (item, index, false), publisher_id).await
}

/// `launch_au` for (item, AU index, review).
async fn launch_au_for(
    state: &AppState,
    app: &axum::Router,
    who: &lyceum::auth::permissions::Actor,
    (item, index, review): (i64, usize, bool),
    publisher_id: &str,
) -> Au {
    let launched = launch::launch(state, who, item, index, review)
        .await
        .unwrap();
    let p = params(&launched.url);
    let fetch = url::Url::parse(&p["fetch"]).unwrap();
    let got = send(app, post(fetch.path())).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    let token: Value = serde_json::from_str(&got.body).unwrap();
    let auth = format!("Basic {}", token["auth-token"].as_str().unwrap());
    // The fetch URL works once (cmi5 §8.2.3: error code 1 afterwards).
    let again: Value = serde_json::from_str(&send(app, post(fetch.path())).await.body).unwrap();
    assert_eq!(again["error-code"], "1");
    let launch_data = send(
        app,
        xapi(
            Method::GET,
            &format!(
                "/activities/state?stateId=LMS.LaunchData&activityId={}&agent={}&registration={}",
                q(&p["activityId"]),
                q(&p["actor"]),
                p["registration"]
            ),
            &auth,
            None,
        ),
    )
    .await;
    assert_eq!(launch_data.status, StatusCode::OK, "{}", launch_data.body);
    let data: Value = serde_json::from_str(&launch_data.body).unwrap();
    let session_id = data["contextTemplate"]["extensions"]
        ["https://w3id.org/xapi/cmi5/context/extensions/sessionid"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        data["contextTemplate"]["contextActivities"]["grouping"][0]["id"],
        publisher_id
    );
    Au {
        actor: serde_json::from_str(&p["actor"]).unwrap(),
        registration: p["registration"].clone(),
        activity_id: p["activityId"].clone(),
        publisher_id: publisher_id.to_string(),
        session_id,
        auth,
        launch_mode: data["launchMode"].as_str().unwrap().to_string(),
    }
}

async fn statements(app: &axum::Router, au: &Au, sent: &[Value]) -> crate::support::Reply {
    send(
        app,
        xapi(Method::POST, "/statements", &au.auth, Some(&json!(sent))),
    )
    .await
}

db_test!(a_cmi5_course_runs_from_launch_to_satisfaction, |state| {
    let c = support::class(
        &state,
        ClassSpec {
            code: "FIRE",
            title: "Fire",
            section: "Safety",
            ..Default::default()
        },
    )
    .await;
    let form = ItemForm {
        kind: "cmi5".into(),
        title: "Fire safety".into(),
        required: true,
        completion: "view".into(),
        ..Default::default()
    };
    let item = c.add_item(&state, form).await;
    let ada = c.learners[0].clone();
    assert_eq!(
        upload(&state, &ada, item, fire_zip()).await.unwrap_err(),
        AppError::Forbidden
    );
    let course = upload(&state, &c.teacher, item, fire_zip()).await.unwrap();
    assert_eq!(course.title, "Fire safety");
    assert_eq!(course.parts.len(), 3);
    assert_eq!(course.parts[0].au, None);
    assert_eq!(course.parts[2].depth, 1);
    assert!(!course.records, "staff do not record");

    let app = lyceum::http::router(state.clone());
    // The launch URL carries the parameters of cmi5 §8.1 and keeps the AU's own query.
    // Nothing to review before the AU is finished.
    assert!(matches!(
        launch::launch(&state, &ada, item, 1, true).await,
        Err(AppError::Conflict(_))
    ));
    let launched = launch::launch(&state, &ada, item, 1, false).await.unwrap();
    assert!(
        launched.url.contains(&format!(
            "/packages/{item}/1/test/index.html?lang=en&endpoint="
        )),
        "{}",
        launched.url
    );
    let p = params(&launched.url);
    assert!(p["endpoint"].ends_with("/xapi"));
    for name in ["fetch", "actor", "registration", "activityId"] {
        assert!(p.contains_key(name), "{name}");
    }

    let read = launch_au(
        &state,
        &app,
        &ada,
        item,
        0,
        "https://example.com/courses/fire/read",
    )
    .await;
    // The AU may not write LMS.LaunchData, nor anyone else's state.
    let write_launch_data = send(
        &app,
        xapi(
            Method::PUT,
            &format!(
                "/activities/state?stateId=LMS.LaunchData&activityId={}&agent={}&registration={}",
                q(&read.activity_id),
                q(&read.actor.to_string()),
                read.registration
            ),
            &read.auth,
            Some(&json!({"launchMode": "Review"})),
        ),
    )
    .await;
    assert_eq!(write_launch_data.status, StatusCode::FORBIDDEN);
    let someone_else = json!({"objectType": "Agent", "mbox": "mailto:cy@example.com"});
    let other_state = send(
        &app,
        xapi(
            Method::GET,
            &format!(
                "/activities/state?stateId=bookmark&activityId={}&agent={}&registration={}",
                q(&read.activity_id),
                q(&someone_else.to_string()),
                read.registration
            ),
            &read.auth,
            None,
        ),
    )
    .await;
    assert_eq!(other_state.status, StatusCode::FORBIDDEN);
    // Its own suspend data it may keep.
    let bookmark = send(
        &app,
        xapi(
            Method::PUT,
            &format!(
                "/activities/state?stateId=suspendData&activityId={}&agent={}&registration={}",
                q(&read.activity_id),
                q(&read.actor.to_string()),
                read.registration
            ),
            &read.auth,
            Some(&json!({"page": 3})),
        ),
    )
    .await;
    assert_eq!(bookmark.status, StatusCode::NO_CONTENT, "{}", bookmark.body);

    // Statements are checked by the cmi5 rules, the refusal naming the rule.
    let early = statements(
        &app,
        &read,
        &[read.statement(
            "completed",
            Some(json!({"completion": true, "duration": "PT1M"})),
            None,
        )],
    )
    .await;
    assert_eq!(early.status, StatusCode::FORBIDDEN);
    assert!(
        early.body.contains("before “initialized”"),
        "{}",
        early.body
    );
    let mut forged = read.statement("initialized", None, None);
    forged["actor"] =
        json!({"objectType": "Agent", "account": {"homePage": "https://elsewhere", "name": "1"}});
    assert_eq!(
        statements(&app, &read, &[forged]).await.status,
        StatusCode::FORBIDDEN
    );
    let sent = [
        read.statement("initialized", None, None),
        read.statement(
            "completed",
            Some(json!({"completion": true, "duration": "PT5M"})),
            None,
        ),
    ];
    let ok = statements(&app, &read, &sent).await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);

    // The same request again (a retry after a dropped connection) is taken and stores nothing.
    let again = statements(&app, &read, &sent).await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
    assert_eq!(again.body, ok.body);

    let done = || async {
        lyceum::completion::store::completed_items(&state.db, c.course_id, ada.id)
            .await
            .unwrap()
    };
    // One AU of the block is not yet the course.
    assert!(done().await.is_empty());
    let info = cmi5::find(&state, &ada, item).await.unwrap().unwrap();
    let read_status = info.parts[1].au.clone().unwrap();
    assert!(read_status.completed && read_status.satisfied);
    assert!(info.records && !info.satisfied);

    // Terminated ends the session: nothing more is taken under it.
    let terminated = statements(
        &app,
        &read,
        &[read.statement("terminated", Some(json!({"duration": "PT6M"})), None)],
    )
    .await;
    assert_eq!(terminated.status, StatusCode::OK, "{}", terminated.body);
    let after = statements(
        &app,
        &read,
        &[read.statement(
            "completed",
            Some(json!({"completion": true, "duration": "PT5M"})),
            None,
        )],
    )
    .await;
    assert_eq!(after.status, StatusCode::FORBIDDEN);

    // The test: a pass below the masteryScore is refused; at or above it satisfies the block
    // and the course.
    let test = launch_au(
        &state,
        &app,
        &ada,
        item,
        1,
        "https://example.com/courses/fire/test",
    )
    .await;
    assert_eq!(
        test.registration, read.registration,
        "one registration per learner"
    );
    let low = json!({"success": true, "score": {"scaled": 0.5}, "duration": "PT2M"});
    let refused = statements(
        &app,
        &test,
        &[
            test.statement("initialized", None, None),
            test.statement("passed", Some(low), Some(0.8)),
        ],
    )
    .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body.contains("masteryScore"), "{}", refused.body);
    let high = json!({"success": true, "score": {"scaled": 0.9}, "duration": "PT2M"});
    let passed = statements(
        &app,
        &test,
        &[
            test.statement("initialized", None, None),
            test.statement("passed", Some(high), Some(0.8)),
        ],
    )
    .await;
    assert_eq!(passed.status, StatusCode::OK, "{}", passed.body);
    assert_eq!(done().await, vec![item]);
    let info = cmi5::find(&state, &ada, item).await.unwrap().unwrap();
    assert!(info.satisfied);
    assert_eq!(info.parts[2].au.as_ref().unwrap().score, Some(0.9));

    // A finished AU may be reviewed: Review mode, where a result is refused (cmi5 §9.3).
    let review = launch_au_for(
        &state,
        &app,
        &ada,
        (item, 1, true),
        "https://example.com/courses/fire/test",
    )
    .await;
    assert_eq!(review.launch_mode, "Review");
    let graded = json!({"success": true, "score": {"scaled": 1.0}, "duration": "PT1M"});
    let in_review = statements(
        &app,
        &review,
        &[
            review.statement("initialized", None, None),
            review.statement("passed", Some(graded), Some(0.8)),
        ],
    )
    .await;
    assert_eq!(
        in_review.status,
        StatusCode::FORBIDDEN,
        "{}",
        in_review.body
    );
    let looked = statements(
        &app,
        &review,
        &[
            review.statement("initialized", None, None),
            review.statement("terminated", Some(json!({"duration": "PT1M"})), None),
        ],
    )
    .await;
    assert_eq!(looked.status, StatusCode::OK, "{}", looked.body);
    let unchanged = cmi5::find(&state, &ada, item).await.unwrap().unwrap();
    assert_eq!(unchanged.parts[2].au.as_ref().unwrap().score, Some(0.9));

    // The LMS recorded launched and satisfied statements with itself as the authority.
    let admin = lyceum::testing::user_with_roles(
        &state,
        "admin@example.com",
        &[lyceum::users::model::Role::Administrator],
    )
    .await;
    let satisfied = lyceum::xapi::clients::browse(
        &state,
        &admin,
        &lyceum::xapi::model::StatementSearch {
            verb: "https://w3id.org/xapi/adl/verbs/satisfied".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(satisfied.statements.len(), 2, "the block and the course");
    let launched_list = lyceum::xapi::clients::browse(
        &state,
        &admin,
        &lyceum::xapi::model::StatementSearch {
            verb: "http://adlnet.gov/expapi/verbs/launched".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    // Launch URL check, the read AU, the test AU and its review.
    assert_eq!(launched_list.statements.len(), 4);

    // The grade: the mean of the AUs' scores, out of 100.
    let mine = lyceum::grading::service::my_grades(&state, &ada, c.course_id)
        .await
        .unwrap();
    let row = mine
        .rows
        .into_iter()
        .find(|r| r.name == "Fire safety")
        .unwrap();
    assert_eq!((row.points, row.max_points), (Some(90.0), 100.0));

    // Staff launch in Browse mode: nothing they send is a result.
    let browse = launch_au(
        &state,
        &app,
        &c.teacher,
        item,
        0,
        "https://example.com/courses/fire/read",
    )
    .await;
    let judged = statements(
        &app,
        &browse,
        &[
            browse.statement("initialized", None, None),
            browse.statement(
                "completed",
                Some(json!({"completion": true, "duration": "PT1M"})),
                None,
            ),
        ],
    )
    .await;
    assert_eq!(judged.status, StatusCode::FORBIDDEN);
    assert!(judged.body.contains("Browse"), "{}", judged.body);

    // A launch while a session of that AU is still open abandons it (cmi5 §9.3.6).
    let first = launch_au(
        &state,
        &app,
        &ada,
        item,
        0,
        "https://example.com/courses/fire/read",
    )
    .await;
    assert_eq!(
        statements(&app, &first, &[first.statement("initialized", None, None)])
            .await
            .status,
        StatusCode::OK
    );
    let second = launch_au(
        &state,
        &app,
        &ada,
        item,
        0,
        "https://example.com/courses/fire/read",
    )
    .await;
    let abandoned = statements(
        &app,
        &first,
        &[first.statement("terminated", Some(json!({"duration": "PT1M"})), None)],
    )
    .await;
    assert_eq!(abandoned.status, StatusCode::FORBIDDEN);
    assert!(abandoned.body.contains("abandoned"), "{}", abandoned.body);

    // The daily run abandons the sessions nothing was heard from in a day: the teacher's and the
    // one just launched (the test's, passed and never terminated, was abandoned by the review).
    let later = lyceum::db::now() + launch::STALE_AFTER + 60;
    assert_eq!(launch::abandon_stale(&state, later).await.unwrap(), 2);
    assert_eq!(launch::abandon_stale(&state, later).await.unwrap(), 0);
    let late = statements(
        &app,
        &second,
        &[second.statement("initialized", None, None)],
    )
    .await;
    assert_eq!(late.status, StatusCode::FORBIDDEN);
    assert!(late.body.contains("abandoned"), "{}", late.body);
    let abandoned_list = lyceum::xapi::clients::browse(
        &state,
        &admin,
        &lyceum::xapi::model::StatementSearch {
            verb: "https://w3id.org/xapi/adl/verbs/abandoned".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(abandoned_list.statements.len(), 5);

    // The returnURL page may be shown in the player's frame (every other page refuses frames).
    // It names the course only to someone who may open the item.
    let stranger = send(
        &app,
        Request::get(format!("/cmi5/{item}/returned"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(!stranger.body.contains("/courses/"), "{}", stranger.body);
    let cookie = session_of(&state, "ada@example.com").await;
    let back = send(&app, get_as(&format!("/cmi5/{item}/returned"), &cookie)).await;
    assert_eq!(back.status, StatusCode::OK);
    assert_eq!(back.headers[header::X_FRAME_OPTIONS], "SAMEORIGIN");
    assert!(
        back.headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("frame-ancestors 'self'")
    );
    assert!(
        back.body
            .contains(&format!("/courses/{}/learn/{item}", c.course_id))
    );
    // A launch form that names no AU by its position is the client's mistake, said in JSON.
    let odd = send(
        &app,
        Request::post(format!("/cmi5/{item}/launch"))
            .header(header::COOKIE, format!("lyceum_session={cookie}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from("au=first"))
            .unwrap(),
    )
    .await;
    assert_eq!(odd.status, StatusCode::BAD_REQUEST, "{}", odd.body);
    assert!(odd.body.contains("Choose a part"), "{}", odd.body);

    // A new certification cycle is a new registration.
    let mut tx = state.db.begin().await.unwrap();
    cmi5::reset_learner(&mut tx, item, ada.id, lyceum::db::now())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let fresh = cmi5::find(&state, &ada, item).await.unwrap().unwrap();
    assert!(!fresh.satisfied && !fresh.parts[1].au.as_ref().unwrap().completed);
});

db_test!(
    a_package_larger_than_a_request_body_uploads_through_the_form,
    |state| {
        let c = support::class(&state, ClassSpec::default()).await;
        let item = c
            .add_item(
                &state,
                ItemForm {
                    kind: "cmi5".into(),
                    title: "Video course".into(),
                    ..Default::default()
                },
            )
            .await;
        // 12 MB that do not compress: more than axum's default 2 MB and the 10 MB every other
        // request body may have; packages have their own limit (5 MB in the tests' config, so
        // raised here).
        let mut config = (*state.config).clone();
        config.max_upload_bytes = 64 * 1024 * 1024;
        let state = lyceum::state::AppState {
            config: std::sync::Arc::new(config),
            ..state
        };
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let video: Vec<u8> = (0..12 * 1024 * 1024)
            .map(|_| {
                // xorshift: bytes that do not compress
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect();
        let zip = zip_of(&[
            ("cmi5.xml", STRUCTURE.as_bytes()),
            ("read/index.html", b"<p>Read</p>"),
            ("test/index.html", &video),
        ]);
        let bytes = zip.bytes();
        assert!(bytes.len() > 12 * 1024 * 1024);
        let mut body = b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.zip\"\r\nContent-Type: application/zip\r\n\r\n".to_vec();
        body.extend_from_slice(&bytes);
        body.extend_from_slice(b"\r\n--XyZ--\r\n");
        let cookie = session_of(&state, "teacher@example.com").await;
        let app = lyceum::http::router(state.clone());
        let req = Request::post(format!("/items/{item}/cmi5-package"))
            .header(header::CONTENT_TYPE, "multipart/form-data; boundary=XyZ")
            .header(header::CONTENT_LENGTH, body.len())
            .header(header::COOKIE, format!("lyceum_session={cookie}"))
            .header(header::ACCEPT, "application/json")
            .body(Body::from(body))
            .unwrap();
        let reply = send(&app, req).await;
        assert_eq!(reply.status, StatusCode::CREATED, "{}", reply.body);
        let course: lyceum::cmi5::model::CourseInfo = serde_json::from_str(&reply.body).unwrap();
        assert_eq!(course.file_count, 3);
    }
);

db_test!(a_cmi5_xml_alone_plays_aus_on_other_servers, |state| {
    let c = support::class(&state, ClassSpec::default()).await;
    let form = ItemForm {
        kind: "cmi5".into(),
        title: "Remote course".into(),
        ..Default::default()
    };
    let item = c.add_item(&state, form).await;
    // Relative AU URLs need the zip that holds their files.
    let relative = upload(&state, &c.teacher, item, STRUCTURE.as_bytes().to_vec())
        .await
        .unwrap_err();
    let message = relative.field("file").unwrap();
    assert!(message.contains("relative"), "{message}");
    assert_eq!(cmi5::find(&state, &c.teacher, item).await.unwrap(), None);
    let neither = upload(&state, &c.teacher, item, b"%PDF-1.7".to_vec())
        .await
        .unwrap_err();
    assert_eq!(
        neither.field("file").unwrap(),
        Refusal::NeitherZipNorXml.to_string()
    );

    // A zip first, then the structure alone: a new revision, no files kept.
    let zipped = upload(&state, &c.teacher, item, fire_zip()).await.unwrap();
    assert_eq!(zipped.file_count, 3);
    let remote = STRUCTURE
        .replace(
            "read/index.html",
            "https://content.example.org/fire/read.html",
        )
        .replace(
            "test/index.html?lang=en",
            "https://content.example.org/fire/test.html?lang=en",
        );
    let course = upload(&state, &c.teacher, item, remote.into_bytes())
        .await
        .unwrap();
    assert_eq!((course.file_count, course.total_bytes), (0, 0));
    assert_eq!(course.parts.len(), 3);
    let ada = c.learners[0].clone();
    let launched = launch::launch(&state, &ada, item, 1, false).await.unwrap();
    assert!(
        launched
            .url
            .starts_with("https://content.example.org/fire/test.html?lang=en&endpoint="),
        "{}",
        launched.url
    );
    // The zip's files left with it: its address no longer answers.
    let app = lyceum::http::router(state.clone());
    let cookie = session_of(&state, "ada@example.com").await;
    let old = send(
        &app,
        get_as(&format!("/packages/{item}/1/read/index.html"), &cookie),
    )
    .await;
    assert_eq!(old.status, StatusCode::NOT_FOUND);
    // A zip again takes a revision past both.
    upload(&state, &c.teacher, item, fire_zip()).await.unwrap();
    let again = send(
        &app,
        get_as(&format!("/packages/{item}/3/read/index.html"), &cookie),
    )
    .await;
    assert_eq!(again.status, StatusCode::OK, "{}", again.body);
});

db_test!(
    instructors_see_each_learners_aus_waive_one_and_reset,
    |state| {
        use lyceum::cmi5::report;
        let c = support::class(
            &state,
            ClassSpec {
                learners: &["ada@example.com", "bo@example.com"],
                ..Default::default()
            },
        )
        .await;
        let form = ItemForm {
            kind: "cmi5".into(),
            title: "Fire safety".into(),
            required: true,
            completion: "view".into(),
            ..Default::default()
        };
        let item = c.add_item(&state, form).await;
        let (ada, bo) = (c.learners[0].clone(), c.learners[1].clone());
        // Before a package: nothing to waive.
        assert!(matches!(
            report::waive(&state, &c.teacher, item, ada.id, 0, "Administrative").await,
            Err(AppError::Conflict(_))
        ));
        upload(&state, &c.teacher, item, fire_zip()).await.unwrap();

        let results = report::results(&state, &c.teacher, item, 1).await.unwrap();
        assert_eq!(results.aus, vec!["Read".to_string(), "Test".to_string()]);
        assert_eq!(
            (results.learners, results.started, results.satisfied),
            (2, 0, 0)
        );
        assert!(results.may_manage);
        assert_eq!(results.page.items.len(), 2);
        assert!(
            results
                .page
                .items
                .iter()
                .all(|l| !l.started && l.aus.len() == 2)
        );
        assert_eq!(
            report::results(&state, &ada, item, 1).await.unwrap_err(),
            AppError::Forbidden
        );

        // Who may waive, whom, what and why.
        assert_eq!(
            report::waive(&state, &bo, item, ada.id, 0, "Administrative")
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        let not_a_reason = report::waive(&state, &c.teacher, item, ada.id, 0, "Because")
            .await
            .unwrap_err();
        assert!(not_a_reason.field("reason").is_some());
        let no_such_au = report::waive(&state, &c.teacher, item, ada.id, 9, "Administrative")
            .await
            .unwrap_err();
        assert!(no_such_au.field("au").is_some());
        let teacher = report::waive(&state, &c.teacher, item, c.teacher.id, 0, "Administrative")
            .await
            .unwrap_err();
        assert!(teacher.field("user_id").is_some());

        // Waiving both AUs satisfies the block and the course: the item is done.
        report::waive(&state, &c.teacher, item, ada.id, 0, "Tested Out")
            .await
            .unwrap();
        assert!(matches!(
            report::waive(&state, &c.teacher, item, ada.id, 0, "Tested Out").await,
            Err(AppError::Conflict(_))
        ));
        report::waive(&state, &c.teacher, item, ada.id, 1, "Equivalent AU")
            .await
            .unwrap();
        let done = lyceum::completion::store::completed_items(&state.db, c.course_id, ada.id)
            .await
            .unwrap();
        assert_eq!(done, vec![item]);
        let info = cmi5::find(&state, &ada, item).await.unwrap().unwrap();
        assert!(info.satisfied);
        assert!(info.parts[2].au.as_ref().unwrap().waived);

        let admin = lyceum::testing::user_with_roles(
            &state,
            "admin@example.com",
            &[lyceum::users::model::Role::Administrator],
        )
        .await;
        let by_verb = |verb: &'static str| {
            let state = state.clone();
            let admin = admin.clone();
            async move {
                lyceum::xapi::clients::browse(
                    &state,
                    &admin,
                    &lyceum::xapi::model::StatementSearch {
                        verb: verb.into(),
                        ..Default::default()
                    },
                )
                .await
                .unwrap()
                .statements
            }
        };
        let waived = by_verb("https://w3id.org/xapi/adl/verbs/waived").await;
        assert_eq!(waived.len(), 2);
        let text = serde_json::to_string(&waived).unwrap();
        assert!(
            text.contains("Tested Out") && text.contains("Equivalent AU"),
            "{text}"
        );
        assert_eq!(
            by_verb("https://w3id.org/xapi/adl/verbs/satisfied")
                .await
                .len(),
            2,
            "the block and the course"
        );

        let results = report::results(&state, &c.teacher, item, 1).await.unwrap();
        assert_eq!(
            (results.learners, results.started, results.satisfied),
            (2, 1, 1)
        );
        let line = results
            .page
            .items
            .iter()
            .find(|l| l.user_id == ada.id)
            .unwrap();
        assert!(line.started && line.satisfied);
        assert!(line.aus.iter().all(|a| a.waived && a.satisfied));
        assert_eq!(line.aus[0].label(), "Waived");
        // The same report as CSV, for whoever may see the learners, through its route.
        let app = lyceum::http::router(state.clone());
        let cookie = session_of(&state, "teacher@example.com").await;
        let csv = send(
            &app,
            get_as(&format!("/items/{item}/cmi5-results.csv"), &cookie),
        )
        .await;
        assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
        assert!(
            csv.body
                .starts_with("name,email,Read,Test,course,score_percent,last_activity"),
            "{}",
            csv.body
        );
        assert!(csv.body.contains("Waived,Waived,Satisfied"), "{}", csv.body);
        assert_eq!(
            report::export_csv(&state, &ada, item).await.unwrap_err(),
            AppError::Forbidden
        );

        // Starting afresh: a new registration at the next launch; the old one stays on record.
        assert!(matches!(
            report::reset(&state, &c.teacher, item, bo.id).await,
            Err(AppError::Conflict(_))
        ));
        assert_eq!(
            report::reset(&state, &ada, item, ada.id).await.unwrap_err(),
            AppError::Forbidden
        );
        report::reset(&state, &c.teacher, item, ada.id)
            .await
            .unwrap();
        let fresh = cmi5::find(&state, &ada, item).await.unwrap().unwrap();
        assert!(!fresh.satisfied && !fresh.parts[1].au.as_ref().unwrap().waived);
        let results = report::results(&state, &c.teacher, item, 1).await.unwrap();
        assert_eq!((results.started, results.satisfied), (0, 0));
    }
);

db_test!(
    a_waiver_and_an_aus_statements_at_once_both_count_for_the_course,
    |state| {
        use lyceum::cmi5::{report, store};
        let c = support::class(
            &state,
            ClassSpec {
                learners: &["ada@example.com"],
                ..Default::default()
            },
        )
        .await;
        let form = ItemForm {
            kind: "cmi5".into(),
            title: "Fire safety".into(),
            required: true,
            completion: "view".into(),
            ..Default::default()
        };
        let item = c.add_item(&state, form).await;
        upload(&state, &c.teacher, item, fire_zip()).await.unwrap();
        let ada = c.learners[0].clone();
        let mut tx = state.db.begin().await.unwrap();
        let fresh = uuid::Uuid::new_v4().to_string();
        let registration = store::registration_or_new(&mut tx, &fresh, item, ada.id, 1)
            .await
            .unwrap();
        tx.commit().await.unwrap();

        // The Test AU's statements are being kept (its transaction holds the registration) when
        // the instructor waives the Read AU.
        let mut au = state.db.begin().await.unwrap();
        store::lock_registration(&mut au, &registration)
            .await
            .unwrap();
        let passed = store::RecordRow {
            au_id: "https://example.com/courses/fire/test".into(),
            completed: true,
            passed: true,
            satisfied: true,
            score: Some(0.9),
            ..Default::default()
        };
        store::put_record(&mut au, &registration, &passed, 2)
            .await
            .unwrap();
        let waiver = tokio::spawn({
            let (state, teacher) = (state.clone(), c.teacher.clone());
            async move { report::waive(&state, &teacher, item, ada.id, 0, "Tested Out").await }
        });
        // Give the waiver time to run ahead if nothing holds it back.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        au.commit().await.unwrap();
        waiver.await.unwrap().unwrap();

        // The waiver saw the Test AU passed: both satisfied, so the course is, and the item done.
        let info = cmi5::find(&state, &c.learners[0], item)
            .await
            .unwrap()
            .unwrap();
        assert!(info.satisfied, "{info:?}");
        let done =
            lyceum::completion::store::completed_items(&state.db, c.course_id, c.learners[0].id)
                .await
                .unwrap();
        assert_eq!(done, vec![item]);
    }
);
