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
        .session()
        .unwrap()
}

/// A published course with one section, made by teacher@example.com, with people enrolled:
/// the set-up most area tests start from.
pub struct Class {
    pub teacher: lyceum::auth::permissions::Actor,
    /// ta@example.com, enrolled as the course's assistant, when asked for.
    pub assistant: Option<lyceum::auth::permissions::Actor>,
    /// Enrolled as learners, in the order asked for.
    pub learners: Vec<lyceum::auth::permissions::Actor>,
    pub course_id: i64,
    pub section_id: i64,
}

/// What `class` builds: the course's code and title, its section, who learns in it.
pub struct ClassSpec<'a> {
    pub code: &'a str,
    pub title: &'a str,
    pub section: &'a str,
    pub learners: &'a [&'a str],
    pub assistant: bool,
}

impl Default for ClassSpec<'_> {
    fn default() -> Self {
        ClassSpec {
            code: "CL-1",
            title: "Class",
            section: "Week 1",
            learners: &["ada@example.com"],
            assistant: true,
        }
    }
}

pub async fn class(state: &AppState, spec: ClassSpec<'_>) -> Class {
    use lyceum::courses::model::{CourseForm, CourseRole, CourseState};
    // People are made in the order the tests have always made them (ids follow it).
    let teacher = user_with_roles(state, "teacher@example.com", &[Role::Instructor]).await;
    let assistant = match spec.assistant {
        true => Some(user_with_roles(state, "ta@example.com", &[Role::Learner]).await),
        false => None,
    };
    let mut learners = Vec::new();
    for email in spec.learners {
        learners.push(user_with_roles(state, email, &[Role::Learner]).await);
    }
    let course = lyceum::enrolments::service::create_course(
        state,
        &teacher,
        &CourseForm {
            code: spec.code.into(),
            title: spec.title.into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let section_id =
        lyceum::courses::structure::add_section(state, &teacher, course.id, spec.section)
            .await
            .unwrap();
    lyceum::courses::service::set_state(state, &teacher, course.id, CourseState::Published)
        .await
        .unwrap();
    for (who, role) in learners
        .iter()
        .map(|l| (l, CourseRole::Learner))
        .chain(assistant.iter().map(|a| (a, CourseRole::Assistant)))
    {
        lyceum::enrolments::service::enrol_user(state, &teacher, course.id, who.id, role)
            .await
            .unwrap();
    }
    Class {
        teacher,
        assistant,
        learners,
        course_id: course.id,
        section_id,
    }
}

impl Class {
    /// Adds an item to the section, as the teacher.
    pub async fn add_item(&self, state: &AppState, form: lyceum::courses::model::ItemForm) -> i64 {
        lyceum::items::service::add_item(state, &self.teacher, self.section_id, &form)
            .await
            .unwrap()
    }

    pub fn assistant(&self) -> lyceum::auth::permissions::Actor {
        self.assistant.clone().expect("a class with an assistant")
    }
}

/// A session cookie's value for an existing account (signed in with the tests' password).
pub async fn session_of(state: &AppState, email: &str) -> String {
    auth::sign_in(state, email, PASSWORD, &Client::at("127.0.0.1"))
        .await
        .unwrap()
        .session()
        .unwrap()
}

/// `GET path` with a session cookie.
pub fn get_as(path: &str, cookie: &str) -> Request<Body> {
    Request::get(path)
        .header(header::COOKIE, format!("lyceum_session={cookie}"))
        .body(Body::empty())
        .unwrap()
}

/// The shared corpus's folder `name` (`scorm`, `cmi5`, `qti`, `common-cartridge`), or None (said
/// so) when this machine lacks it: `$LYCEUM_CORPUS/name`, else `shared/corpus/name` beside the
/// repository or under /work.
pub fn corpus(name: &str) -> Option<std::path::PathBuf> {
    use std::path::PathBuf;
    let in_shared = PathBuf::from("shared/corpus").join(name);
    let dir = std::env::var_os("LYCEUM_CORPUS")
        .map(|d| PathBuf::from(d).join(name))
        .unwrap_or_else(|| {
            let beside = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join(&in_shared);
            if beside.is_dir() {
                beside
            } else {
                PathBuf::from("/work").join(&in_shared)
            }
        });
    if dir.is_dir() {
        Some(dir)
    } else {
        println!(
            "No {name} corpus at {}; skipping (set LYCEUM_CORPUS).",
            dir.display()
        );
        None
    }
}

/// A temporary file, removed when dropped.
pub struct Temp(std::path::PathBuf);

impl Temp {
    pub fn new() -> Temp {
        let name: u64 = rand::random();
        Temp(std::env::temp_dir().join(format!("lyceum-test-{name:016x}")))
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0
    }

    /// What the file holds.
    pub fn bytes(&self) -> Vec<u8> {
        std::fs::read(&self.0).unwrap()
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// A zip of `files` (path, bytes) in a temporary file.
pub fn zip_of(files: &[(&str, &[u8])]) -> Temp {
    use std::io::Write;
    let file = Temp::new();
    let mut zip = zip::ZipWriter::new(std::fs::File::create(file.path()).unwrap());
    for (path, bytes) in files {
        zip.start_file(*path, zip::write::SimpleFileOptions::default())
            .unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
    file
}

/// A folder (of the corpus) zipped as an authoring tool or an LMS would.
pub fn zip_dir(dir: &std::path::Path) -> Temp {
    fn walk(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<(String, Vec<u8>)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let name = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.push((name, std::fs::read(&path).unwrap()));
            }
        }
    }
    let mut files = Vec::new();
    walk(dir, dir, &mut files);
    let borrowed: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    zip_of(&borrowed)
}
