//! `lyceum backup` and `lyceum restore` on SQLite and PostgreSQL, through the library functions
//! the commands call: a round trip (people, a course with an item and an uploaded file, taken
//! while the site keeps writing, restored into a fresh database and a fresh files folder), the
//! refusals (a non-empty backup folder, a database that holds people, a SQLite database a server
//! has open, a backup from a newer Lyceum or of the other database), a stored file lost before the
//! backup, and a failed backup that cleans up after itself.
// A test stops loudly on what it did not expect.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use axum::body::Bytes;
use lyceum::auth::permissions::Actor;
use lyceum::auth::service as auth;
use lyceum::auth::throttle::Client;
use lyceum::backup::{self, BackupError, Manifest};
use lyceum::courses::model::{CourseForm, ItemForm};
use lyceum::courses::structure;
use lyceum::db::Db;
use lyceum::db_test;
use lyceum::files::storage::Storage;
use lyceum::state::AppState;
use lyceum::testing::{PASSWORD, user_with_roles};
use lyceum::users::model::Role;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The uploaded file's bytes: a small PDF whose last bytes are not text.
fn handout() -> Vec<u8> {
    let mut bytes =
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n".to_vec();
    bytes.extend((0..=255u8).cycle().take(70_000));
    bytes
}

fn quiet(_: &str) {}

/// A folder of its own under the temp dir (not created).
fn temp_dir(what: &str) -> PathBuf {
    std::env::temp_dir().join(format!(
        "lyceum_backup_test_{what}_{}_{:08x}",
        std::process::id(),
        rand::random::<u32>()
    ))
}

/// The URL of a test database: `pg_dump` and a restore connect by URL, as the commands do.
async fn url_of(db: &Db) -> String {
    match db {
        Db::Sqlite(pools) => format!(
            "sqlite://{}",
            pools.write.connect_options().get_filename().display()
        ),
        Db::Postgres(pool) => {
            let name: String = sqlx::query_scalar("SELECT current_database()")
                .fetch_one(pool)
                .await
                .unwrap();
            let admin = std::env::var("LYCEUM_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| lyceum::testing::DEFAULT_POSTGRES_URL.into());
            let mut url = url::Url::parse(&admin).unwrap();
            url.set_path(&format!("/{name}"));
            url.to_string()
        }
    }
}

/// A new, migrated, empty database of the same kind, closed (a restore opens it by URL), and
/// its URL: what a new server's first start leaves.
async fn fresh_database(like: &Db) -> String {
    let db = match like {
        Db::Sqlite(_) => lyceum::testing::sqlite().await,
        Db::Postgres(_) => lyceum::testing::postgres().await.unwrap(),
    };
    let url = url_of(&db).await;
    db.close().await;
    url
}

/// The app state of a restored site: its database and its files folder.
fn site(db: Db, data_dir: &Path) -> AppState {
    let mut state = lyceum::testing::state(db);
    state.files = Storage::local(lyceum::config::files_dir(data_dir));
    state
}

async fn user_count(db: &Db) -> i64 {
    let sql = "SELECT COUNT(*) FROM users";
    match db {
        Db::Sqlite(pools) => sqlx::query_scalar(sql).fetch_one(&pools.read).await,
        Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_one(pool).await,
    }
    .unwrap()
}

struct Course {
    teacher: Actor,
    course_id: i64,
    item_id: i64,
    file_id: i64,
}

/// A teacher, a learner, and a course with one section holding a file item.
async fn course(state: &AppState) -> Course {
    let teacher = user_with_roles(state, "teacher@example.com", &[Role::Instructor]).await;
    let learner = user_with_roles(state, "learner@example.com", &[Role::Learner]).await;
    let course = lyceum::enrolments::service::create_course(
        state,
        &teacher,
        &CourseForm {
            code: "BK-1".into(),
            title: "Backups".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    lyceum::enrolments::service::enrol_user(
        state,
        &teacher,
        course.id,
        learner.id,
        lyceum::courses::model::CourseRole::Learner,
    )
    .await
    .unwrap();
    let section = structure::add_section(state, &teacher, course.id, "Week 1")
        .await
        .unwrap();
    let chunks: Vec<Result<Bytes, std::io::Error>> = handout()
        .chunks(16 * 1024)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    let file = lyceum::files::service::receive(
        state,
        &teacher,
        course.id,
        "handout.pdf",
        futures_util::stream::iter(chunks),
    )
    .await
    .unwrap();
    let item_id = lyceum::items::service::add_item(
        state,
        &teacher,
        section,
        &ItemForm {
            kind: "file".into(),
            title: "The handout".into(),
            file_id: file.id.to_string(),
            completion: "view".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    Course {
        teacher,
        course_id: course.id,
        item_id,
        file_id: file.id,
    }
}

async fn rewrite_manifest(dir: &Path, change: impl FnOnce(&mut Manifest)) {
    let path = dir.join(backup::MANIFEST);
    let mut manifest: Manifest =
        serde_json::from_str(&tokio::fs::read_to_string(&path).await.unwrap()).unwrap();
    change(&mut manifest);
    tokio::fs::write(&path, serde_json::to_string(&manifest).unwrap())
        .await
        .unwrap();
}

db_test!(
    a_backup_taken_while_the_site_writes_restores_people_courses_and_files,
    |state| {
        let c = course(&state).await;
        let url = url_of(&state.db).await;
        let dir = temp_dir("round_trip");

        // The site keeps writing while the backup runs.
        let stop = Arc::new(AtomicBool::new(false));
        let writer = {
            let (state, stop) = (state.clone(), stop.clone());
            tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    user_with_roles(&state, &format!("busy{n}@example.com"), &[Role::Learner])
                        .await;
                    n += 1;
                }
                n
            })
        };
        let manifest = backup::backup(&state.db, &url, &state.files, &dir, &quiet)
            .await
            .unwrap();
        stop.store(true, Ordering::Relaxed);
        let written_meanwhile = writer.await.unwrap();
        // Signed up after the snapshot: not in the backup.
        user_with_roles(&state, "late@example.com", &[Role::Learner]).await;
        let live_users = user_count(&state.db).await;

        assert_eq!(manifest.backend, state.db.backend());
        assert_eq!(manifest.file_count, 1);
        assert!(manifest.missing_files.is_empty());
        let latest = state
            .db
            .migration_status()
            .await
            .unwrap()
            .iter()
            .map(|m| m.version)
            .max()
            .unwrap();
        assert_eq!(manifest.migration_version, latest);
        assert_eq!(manifest.lyceum_version, env!("CARGO_PKG_VERSION"));
        assert_eq!(backup::read_manifest(&dir).unwrap(), manifest);
        let database_file = match state.db {
            Db::Sqlite(_) => backup::SQLITE_FILE,
            Db::Postgres(_) => backup::POSTGRES_FILE,
        };
        assert!(
            dir.join(database_file).is_file(),
            "{database_file} is written"
        );

        // Restored into a fresh database (a new server's first start) and a fresh files folder.
        let target_url = fresh_database(&state.db).await;
        let data_dir = temp_dir("restored_site");
        let storage = Storage::local(lyceum::config::files_dir(&data_dir));
        let restored = backup::restore(&target_url, &storage, &dir, false, &quiet)
            .await
            .unwrap();
        assert_eq!(restored.files_copied, 1);
        assert_eq!(restored.restored_version, latest);
        assert_eq!(restored.migrated_to, latest);

        let restored_site = site(Db::connect(&target_url).await.unwrap(), &data_dir);
        // People, with their passwords.
        auth::sign_in(
            &restored_site,
            "learner@example.com",
            PASSWORD,
            &Client::at("127.0.0.1"),
        )
        .await
        .unwrap()
        .session()
        .unwrap();
        let users = user_count(&restored_site.db).await;
        assert!(
            users >= 2 && users <= 2 + written_meanwhile as i64,
            "{users} people restored; {written_meanwhile} signed up during the backup"
        );
        assert!(
            users < live_users,
            "who signed up after the backup is not in it"
        );
        // The course, its item and the uploaded file's bytes.
        let editor = lyceum::courses::service::editor(&restored_site, &c.teacher, c.course_id)
            .await
            .unwrap();
        assert_eq!(editor.course.title, "Backups");
        let items: Vec<_> = editor.sections.iter().flat_map(|s| &s.items).collect();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].id, c.item_id);
        assert_eq!(items[0].title, "The handout");
        let (file, path) =
            lyceum::files::service::authorize_download(&restored_site, &c.teacher, c.file_id)
                .await
                .unwrap();
        assert_eq!(file.name, "handout.pdf");
        assert!(path.starts_with(&data_dir), "the file is in the new folder");
        assert_eq!(tokio::fs::read(&path).await.unwrap(), handout());

        // A second backup into the same folder is refused, and leaves it as it was.
        let again = backup::backup(&state.db, &url, &state.files, &dir, &quiet).await;
        assert!(
            matches!(again, Err(BackupError::FolderNotEmpty(_))),
            "{again:?}"
        );
        assert_eq!(backup::read_manifest(&dir).unwrap(), manifest);

        // A restore over a database that holds people is refused without --force.
        let refused = backup::restore(&target_url, &storage, &dir, false, &quiet).await;
        assert!(
            matches!(refused, Err(BackupError::DatabaseNotEmpty)),
            "{refused:?}"
        );
        if let Db::Sqlite(_) = state.db {
            // With --force, still not under a running server: its file would be replaced under it.
            let in_use = backup::restore(&target_url, &storage, &dir, true, &quiet).await;
            assert!(
                matches!(in_use, Err(BackupError::DatabaseInUse(_))),
                "{in_use:?}"
            );
        }
        // Stopped, and forced: the database is the backup again (the late sign-up is gone).
        restored_site.db.close().await;
        let live_url = url.clone();
        state.db.close().await;
        let forced = backup::restore(&live_url, &state.files, &dir, true, &quiet)
            .await
            .unwrap();
        assert_eq!(forced.files_copied, 0, "the files are already there");
        let db = Db::connect(&live_url).await.unwrap();
        assert_eq!(user_count(&db).await, users);
        db.close().await;

        // A backup made by a newer Lyceum is refused, before anything is touched.
        rewrite_manifest(&dir, |m| m.migration_version = latest + 1).await;
        let newer = backup::restore(
            &fresh_database(&state.db).await,
            &storage,
            &dir,
            false,
            &quiet,
        )
        .await;
        assert!(
            matches!(&newer, Err(BackupError::Unusable(m)) if m.contains("newer")),
            "{newer:?}"
        );
        // And one of the other kind of database.
        rewrite_manifest(&dir, |m| {
            m.migration_version = latest;
            m.backend = if m.backend == "sqlite" {
                "postgres"
            } else {
                "sqlite"
            }
            .into();
        })
        .await;
        let other = backup::restore(
            &fresh_database(&state.db).await,
            &storage,
            &dir,
            false,
            &quiet,
        )
        .await;
        assert!(
            matches!(&other, Err(BackupError::Unusable(m)) if m.contains("same kind")),
            "{other:?}"
        );

        let _ = tokio::fs::remove_dir_all(&dir).await;
        let _ = tokio::fs::remove_dir_all(&data_dir).await;
    }
);

db_test!(
    a_stored_file_lost_before_the_backup_is_listed_and_the_rest_restores,
    |state| {
        let c = course(&state).await;
        let url = url_of(&state.db).await;
        let lost = lyceum::files::service::authorize_download(&state, &c.teacher, c.file_id)
            .await
            .unwrap()
            .1;
        tokio::fs::remove_file(&lost).await.unwrap();
        let dir = temp_dir("lost_file");

        let manifest = backup::backup(&state.db, &url, &state.files, &dir, &quiet)
            .await
            .unwrap();
        assert_eq!(manifest.file_count, 0);
        assert_eq!(manifest.missing_files.len(), 1);

        let target_url = fresh_database(&state.db).await;
        let data_dir = temp_dir("lost_file_site");
        let storage = Storage::local(lyceum::config::files_dir(&data_dir));
        let restored = backup::restore(&target_url, &storage, &dir, false, &quiet)
            .await
            .unwrap();
        assert_eq!(restored.files_copied, 0);
        let db = Db::connect(&target_url).await.unwrap();
        assert_eq!(user_count(&db).await, 2);
        db.close().await;

        let _ = tokio::fs::remove_dir_all(&dir).await;
        let _ = tokio::fs::remove_dir_all(&data_dir).await;
    }
);

db_test!(a_backup_that_fails_leaves_the_folder_as_it_was, |state| {
    let c = course(&state).await;
    let url = url_of(&state.db).await;
    // A stored file that cannot be read: the copy fails after the database is written.
    let blob = lyceum::files::service::authorize_download(&state, &c.teacher, c.file_id)
        .await
        .unwrap()
        .1;
    tokio::fs::remove_file(&blob).await.unwrap();
    tokio::fs::create_dir(&blob).await.unwrap();
    let new_folder = temp_dir("failed_new");
    let failed = backup::backup(&state.db, &url, &state.files, &new_folder, &quiet).await;
    assert!(matches!(failed, Err(BackupError::Failed(_))), "{failed:?}");
    assert!(!new_folder.exists(), "the folder it made is gone");

    let empty_folder = temp_dir("failed_empty");
    tokio::fs::create_dir(&empty_folder).await.unwrap();
    let failed = backup::backup(&state.db, &url, &state.files, &empty_folder, &quiet).await;
    assert!(matches!(failed, Err(BackupError::Failed(_))), "{failed:?}");
    let left = std::fs::read_dir(&empty_folder).unwrap().count();
    assert_eq!(left, 0, "the empty folder is empty again");

    // So the next try goes ahead.
    tokio::fs::remove_dir(&blob).await.unwrap();
    tokio::fs::write(&blob, handout()).await.unwrap();
    let manifest = backup::backup(&state.db, &url, &state.files, &empty_folder, &quiet)
        .await
        .unwrap();
    assert_eq!(manifest.file_count, 1);
    let _ = tokio::fs::remove_dir_all(&empty_folder).await;
});

/// Files kept in a bucket are read through the storage into the backup, and written back into
/// the bucket by a restore. Runs only when `LYCEUM_TEST_S3_URL` names a bucket (`make test` starts
/// a local S3 server, see scripts/s3-test-server.sh); SQLite only: this tests storage.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_kept_in_s3_are_backed_up_and_restored_through_the_bucket() {
    let Ok(s3_url) = std::env::var("LYCEUM_TEST_S3_URL") else {
        eprintln!("skipped the S3 backup test: LYCEUM_TEST_S3_URL is not set (make test sets it)");
        return;
    };
    let mut state = lyceum::testing::state(lyceum::testing::sqlite().await);
    let data_dir = state.config.data_dir.clone();
    state.files = Storage::new(state.config.files_dir(), Some(&s3_url)).unwrap();
    let c = course(&state).await;
    let url = url_of(&state.db).await;
    let Db::Sqlite(pools) = &state.db else {
        unreachable!()
    };
    let key: String = sqlx::query_scalar("SELECT storage_key FROM files WHERE id = $1")
        .bind(c.file_id)
        .fetch_one(&pools.read)
        .await
        .unwrap();
    let dir = temp_dir("s3");

    let manifest = backup::backup(&state.db, &url, &state.files, &dir, &quiet)
        .await
        .unwrap();
    assert_eq!(manifest.file_count, 1);
    assert_eq!(
        tokio::fs::read(dir.join(backup::FILES_DIR).join(&key))
            .await
            .unwrap(),
        handout()
    );

    // The bucket loses the object; a restore into a fresh database puts it back.
    state.files.delete(&key).await.unwrap();
    assert_eq!(state.files.size(&key).await.unwrap(), None);
    let target_url = fresh_database(&state.db).await;
    let restored = backup::restore(&target_url, &state.files, &dir, false, &quiet)
        .await
        .unwrap();
    assert_eq!(restored.files_copied, 1);
    let mut bytes = Vec::new();
    let mut chunks = state.files.read_object(&key, None).await.unwrap();
    while let Some(chunk) = futures_util::StreamExt::next(&mut chunks).await {
        bytes.extend_from_slice(&chunk.unwrap());
    }
    assert_eq!(bytes, handout());

    state.files.delete(&key).await.unwrap();
    let _ = tokio::fs::remove_dir_all(&dir).await;
    let _ = tokio::fs::remove_dir_all(&data_dir).await;
}

#[tokio::test]
async fn a_folder_that_is_not_a_finished_backup_is_refused() {
    let dir = temp_dir("unfinished");
    tokio::fs::create_dir_all(&dir).await.unwrap();
    let storage = Storage::local(dir.join("files"));
    let url = format!("sqlite://{}", dir.join("target.db").display());
    let result = backup::restore(&url, &storage, &dir, false, &quiet).await;
    assert!(
        matches!(&result, Err(BackupError::Unusable(m)) if m.contains(backup::MANIFEST)),
        "{result:?}"
    );
    let _ = tokio::fs::remove_dir_all(&dir).await;
}
