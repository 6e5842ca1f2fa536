//! Courses on SQLite and PostgreSQL: settings, permissions, structure, lesson revisions, copying,
//! prerequisites, categories, the catalogue, review dates and files.

use axum::body::Bytes;
use lyceum::auth::permissions::Actor;
use lyceum::courses::model::{
    CatalogueQuery, CourseForm, CourseRole, CourseState, EnrolmentSettingsForm, FileInfo, ItemForm,
};
use lyceum::courses::outline_store;
use lyceum::courses::{access, service, store, structure};
use lyceum::db_test;
use lyceum::enrolments::model::{EnrolOption, ParticipantQuery};
use lyceum::enrolments::service::{self as enrolments, create_course};
use lyceum::error::AppError;
use lyceum::files;
use lyceum::items::copy;
use lyceum::items::kind::ItemKind;
use lyceum::items::service as items;
use lyceum::lessons::model::DiffLine;
use lyceum::lessons::service as lessons;
use lyceum::state::AppState;
use lyceum::testing::user_with_roles;
use lyceum::users::model::Role;

// ---- helpers ---------------------------------------------------------------------------------

fn course_form(code: &str, title: &str) -> CourseForm {
    CourseForm {
        code: code.into(),
        title: title.into(),
        summary: format!("About {title}"),
        ..Default::default()
    }
}

fn lesson(title: &str, body: &str) -> ItemForm {
    ItemForm {
        kind: "lesson".into(),
        title: title.into(),
        body: body.into(),
        required: true,
        completion: "view".into(),
        ..Default::default()
    }
}

fn item(kind: &str, title: &str, url: &str) -> ItemForm {
    ItemForm {
        kind: kind.into(),
        title: title.into(),
        url: url.into(),
        required: true,
        completion: "view".into(),
        ..Default::default()
    }
}

async fn admin(state: &AppState) -> Actor {
    user_with_roles(state, "root@example.com", &[Role::Administrator]).await
}

async fn instructor(state: &AppState, email: &str) -> Actor {
    user_with_roles(state, email, &[Role::Instructor]).await
}

async fn learner(state: &AppState, email: &str) -> Actor {
    user_with_roles(state, email, &[Role::Learner]).await
}

/// A draft course owned by `teacher`, with one section holding `lessons` lessons.
struct Built {
    course_id: i64,
    section_id: i64,
    items: Vec<i64>,
}

/// Shows a course file to learners as a file item (a file no item uses is for staff only).
async fn show_file(state: &AppState, teacher: &Actor, built: &Built, file_id: i64) -> i64 {
    items::add_item(
        state,
        teacher,
        built.section_id,
        &ItemForm {
            kind: "file".into(),
            title: "Notes".into(),
            file_id: file_id.to_string(),
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

async fn course_with_lessons(
    state: &AppState,
    teacher: &Actor,
    code: &str,
    lessons: usize,
) -> Built {
    let course = create_course(
        state,
        teacher,
        &course_form(code, &format!("Course {code}")),
    )
    .await
    .unwrap();
    let section_id = structure::add_section(state, teacher, course.id, "Week 1")
        .await
        .unwrap();
    let mut items = Vec::new();
    for n in 1..=lessons {
        let id = items::add_item(
            state,
            teacher,
            section_id,
            &lesson(&format!("Lesson {n}"), &format!("Body {n}\n")),
        )
        .await
        .unwrap();
        items.push(id);
    }
    Built {
        course_id: course.id,
        section_id,
        items,
    }
}

async fn publish(state: &AppState, teacher: &Actor, course_id: i64) {
    service::set_state(state, teacher, course_id, CourseState::Published)
        .await
        .unwrap();
}

async fn enrol(state: &AppState, teacher: &Actor, course_id: i64, who: &Actor, role: CourseRole) {
    lyceum::enrolments::service::enrol_user(state, teacher, course_id, who.id, role)
        .await
        .unwrap();
}

/// Streams `bytes` into the course's files the way the upload handler does (one chunk per MB).
async fn upload(
    state: &AppState,
    actor: &Actor,
    course_id: i64,
    name: &str,
    bytes: Vec<u8>,
) -> Result<FileInfo, AppError> {
    let chunks: Vec<Result<Bytes, std::io::Error>> = bytes
        .chunks(1024 * 1024)
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    files::service::receive(
        state,
        actor,
        course_id,
        name,
        futures_util::stream::iter(chunks),
    )
    .await
}

fn pdf(len: usize) -> Vec<u8> {
    let mut bytes =
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n".to_vec();
    bytes.resize(len.max(bytes.len()), b' ');
    bytes
}

/// The (item id, position) pairs of one section, in outline order.
async fn section_items(
    state: &AppState,
    teacher: &Actor,
    course_id: i64,
    section_id: i64,
) -> Vec<(i64, i32)> {
    let editor = service::editor(state, teacher, course_id).await.unwrap();
    let section = editor
        .sections
        .iter()
        .find(|s| s.id == section_id)
        .expect("the section");
    section.items.iter().map(|i| (i.id, i.position)).collect()
}

fn ids(pairs: &[(i64, i32)]) -> Vec<i64> {
    pairs.iter().map(|(id, _)| *id).collect()
}

fn assert_contiguous(pairs: &[(i64, i32)]) {
    let positions: Vec<i32> = pairs.iter().map(|(_, p)| *p).collect();
    let expected: Vec<i32> = (0..pairs.len() as i32).collect();
    assert_eq!(positions, expected, "positions are 0, 1, 2, … without gaps");
}

fn catalogue_query(search: &str) -> CatalogueQuery {
    CatalogueQuery {
        search: search.into(),
        ..Default::default()
    }
}

fn codes(page: &lyceum::paging::Page<lyceum::courses::model::CourseCard>) -> Vec<String> {
    let mut codes: Vec<String> = page.items.iter().map(|c| c.code.clone()).collect();
    codes.sort();
    codes
}

// ---- creating and editing ----------------------------------------------------------------------

db_test!(
    instructor_creates_a_course_and_is_enrolled_as_its_instructor,
    |state| {
        let teacher = instructor(&state, "teacher@example.com").await;

        let course = create_course(&state, &teacher, &course_form("BIO-101", "Cells"))
            .await
            .unwrap();

        assert_eq!(course.code, "BIO-101");
        assert_eq!(course.state, CourseState::Draft);
        assert_eq!(course.owner_id, Some(teacher.id));
        let access = access::load(&state.db, &teacher, course.id).await.unwrap();
        assert_eq!(access.role, Some(CourseRole::Instructor));
        assert!(access.may_edit());
        let editor = service::editor(&state, &teacher, course.id).await.unwrap();
        assert!(editor.can_edit);
        assert_eq!(editor.max_upload_bytes, 5 * 1024 * 1024);
    }
);

db_test!(course_codes_are_unique_whatever_their_case, |state| {
    let teacher = instructor(&state, "teacher@example.com").await;
    create_course(&state, &teacher, &course_form("BIO-101", "Cells"))
        .await
        .unwrap();

    let err = create_course(&state, &teacher, &course_form("bio-101", "Cells again"))
        .await
        .unwrap_err();

    assert!(err.field("code").unwrap().contains("already uses"));
    // Renaming another course onto the code is refused the same way.
    let other = create_course(&state, &teacher, &course_form("CHEM-1", "Atoms"))
        .await
        .unwrap();
    let err = service::update(&state, &teacher, other.id, &course_form("Bio-101", "Atoms"))
        .await
        .unwrap_err();
    assert!(err.field("code").is_some());
});

db_test!(the_course_form_reports_every_bad_field, |state| {
    let teacher = instructor(&state, "teacher@example.com").await;
    let form = CourseForm {
        code: "has space".into(),
        title: "  ".into(),
        category_id: "science".into(),
        starts_on: "2026-05-01".into(),
        ends_on: "2026-04-01".into(),
        review_by: "soon".into(),
        ..Default::default()
    };

    let err = create_course(&state, &teacher, &form).await.unwrap_err();

    for field in ["code", "title", "category_id", "ends_on", "review_by"] {
        assert!(
            err.field(field).is_some(),
            "expected an error on {field}: {err:?}"
        );
    }
    assert_eq!(
        service::teaching(&state, &teacher, &CatalogueQuery::default())
            .await
            .unwrap()
            .total,
        0
    );
});

db_test!(learner_cannot_create_a_course, |state| {
    let student = learner(&state, "learner@example.com").await;

    let err = create_course(&state, &student, &course_form("BIO-101", "Cells"))
        .await
        .unwrap_err();

    assert_eq!(err, AppError::Forbidden);
});

db_test!(
    instructor_updates_a_course_and_tags_are_normalised,
    |state| {
        let teacher = instructor(&state, "teacher@example.com").await;
        let course = create_course(&state, &teacher, &course_form("BIO-101", "Cells"))
            .await
            .unwrap();
        let form = CourseForm {
            title: "Cells and Tissues".into(),
            tags: "Biology, cells,BIOLOGY,, Lab Work ".into(),
            starts_on: "2026-09-01".into(),
            ends_on: "2026-12-20".into(),
            ..course.form()
        };

        let updated = service::update(&state, &teacher, course.id, &form)
            .await
            .unwrap();

        assert_eq!(updated.title, "Cells and Tissues");
        assert_eq!(updated.tags, vec!["biology", "cells", "lab work"]);
        let stored = store::find(&state.db, course.id).await.unwrap().unwrap();
        assert_eq!(stored.tags, vec!["biology", "cells", "lab work"]);
        assert_eq!(stored.form().starts_on, "2026-09-01");
        assert_eq!(stored.form().ends_on, "2026-12-20");
    }
);

db_test!(a_course_category_must_exist, |state| {
    let root = admin(&state).await;
    let teacher = instructor(&state, "teacher@example.com").await;
    let science = service::save_category(&state, &root, None, "Science", "")
        .await
        .unwrap();
    let course = create_course(&state, &teacher, &course_form("BIO-101", "Cells"))
        .await
        .unwrap();

    let missing = CourseForm {
        category_id: (science + 1000).to_string(),
        ..course.form()
    };
    let err = service::update(&state, &teacher, course.id, &missing)
        .await
        .unwrap_err();
    assert!(err.field("category_id").is_some());
    let err = create_course(
        &state,
        &teacher,
        &CourseForm {
            code: "BIO-102".into(),
            ..missing
        },
    )
    .await
    .unwrap_err();
    assert!(err.field("category_id").is_some());

    let good = CourseForm {
        category_id: science.to_string(),
        ..course.form()
    };
    let updated = service::update(&state, &teacher, course.id, &good)
        .await
        .unwrap();
    assert_eq!(updated.category_id, Some(science));
    assert_eq!(updated.category.as_deref(), Some("Science"));
});

db_test!(instructor_publishes_and_archives_a_course, |state| {
    let teacher = instructor(&state, "teacher@example.com").await;
    let course = create_course(&state, &teacher, &course_form("BIO-101", "Cells"))
        .await
        .unwrap();

    let published = service::set_state(&state, &teacher, course.id, CourseState::Published)
        .await
        .unwrap();
    assert_eq!(published.state, CourseState::Published);
    assert_eq!(
        store::find(&state.db, course.id)
            .await
            .unwrap()
            .unwrap()
            .state,
        CourseState::Published
    );

    service::set_state(&state, &teacher, course.id, CourseState::Archived)
        .await
        .unwrap();
    assert_eq!(
        store::find(&state.db, course.id)
            .await
            .unwrap()
            .unwrap()
            .state,
        CourseState::Archived
    );
});

db_test!(
    learner_not_enrolled_cannot_open_the_editor_or_change_the_course,
    |state| {
        let teacher = instructor(&state, "teacher@example.com").await;
        let outsider = learner(&state, "outsider@example.com").await;
        let built = course_with_lessons(&state, &teacher, "BIO-101", 1).await;
        publish(&state, &teacher, built.course_id).await;

        assert_eq!(
            service::editor(&state, &outsider, built.course_id)
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            service::update(
                &state,
                &outsider,
                built.course_id,
                &course_form("BIO-101", "Mine")
            )
            .await
            .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            service::set_state(&state, &outsider, built.course_id, CourseState::Archived)
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            structure::add_section(&state, &outsider, built.course_id, "Mine")
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        // A course that does not exist is 404, not 403.
        assert_eq!(
            service::editor(&state, &outsider, built.course_id + 1000)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
    }
);

db_test!(learner_cannot_open_an_unpublished_course, |state| {
    let teacher = instructor(&state, "teacher@example.com").await;
    let student = learner(&state, "learner@example.com").await;
    let built = course_with_lessons(&state, &teacher, "BIO-101", 1).await;
    enrol(
        &state,
        &teacher,
        built.course_id,
        &student,
        CourseRole::Learner,
    )
    .await;

    assert_eq!(
        lyceum::learning::service::course_page(&state, &student, built.course_id)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        lyceum::learning::service::open_item(&state, &student, built.items[0])
            .await
            .unwrap_err(),
        AppError::Forbidden
    );

    publish(&state, &teacher, built.course_id).await;
    let page = lyceum::learning::service::course_page(&state, &student, built.course_id)
        .await
        .unwrap();
    assert!(page.can_open);
    assert!(!page.is_staff);
});

db_test!(
    teaching_assistant_sees_the_editor_but_cannot_change_anything,
    |state| {
        let teacher = instructor(&state, "teacher@example.com").await;
        let assistant = learner(&state, "assistant@example.com").await;
        let built = course_with_lessons(&state, &teacher, "BIO-101", 2).await;
        enrol(
            &state,
            &teacher,
            built.course_id,
            &assistant,
            CourseRole::Assistant,
        )
        .await;

        let editor = service::editor(&state, &assistant, built.course_id)
            .await
            .unwrap();

        assert!(!editor.can_edit);
        assert_eq!(editor.sections[0].items.len(), 2);
        assert_eq!(
            service::update(
                &state,
                &assistant,
                built.course_id,
                &course_form("BIO-101", "Changed")
            )
            .await
            .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            structure::add_section(&state, &assistant, built.course_id, "Week 2")
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            items::add_item(&state, &assistant, built.section_id, &lesson("Extra", ""))
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            structure::place_item(&state, &assistant, built.items[0], built.section_id, 1)
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            upload(&state, &assistant, built.course_id, "notes.pdf", pdf(100))
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
    }
);

// ---- structure -------------------------------------------------------------------------------

db_test!(sections_and_items_are_added_in_order, |state| {
    let teacher = instructor(&state, "teacher@example.com").await;
    let built = course_with_lessons(&state, &teacher, "BIO-101", 3).await;

    let week2 = structure::add_section(&state, &teacher, built.course_id, "Week 2")
        .await
        .unwrap();
    let video = items::add_item(
        &state,
        &teacher,
        week2,
        &item("video", "Intro", "https://youtu.be/dQw4w9WgXcQ"),
    )
    .await
    .unwrap();

    let editor = service::editor(&state, &teacher, built.course_id)
        .await
        .unwrap();
    let titles: Vec<&str> = editor.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, vec!["Week 1", "Week 2"]);
    let first = section_items(&state, &teacher, built.course_id, built.section_id).await;
    assert_eq!(ids(&first), built.items);
    assert_contiguous(&first);
    assert_eq!(editor.sections[1].items[0].id, video);
    assert_eq!(editor.sections[1].items[0].kind, ItemKind::Video);
    // An empty section title is a field error.
    let err = structure::add_section(&state, &teacher, built.course_id, " ")
        .await
        .unwrap_err();
    assert!(err.field("title").is_some());
});

db_test!(items_move_down_and_up_within_a_section, |state| {
    let teacher = instructor(&state, "teacher@example.com").await;
    let built = course_with_lessons(&state, &teacher, "BIO-101", 4).await;
    let [a, b, c, d] = built.items[..] else {
        unreachable!()
    };

    // Move down: a goes one place later.
    structure::place_item(&state, &teacher, a, built.section_id, 1)
        .await
        .unwrap();
    let after_down = section_items(&state, &teacher, built.course_id, built.section_id).await;
    assert_eq!(ids(&after_down), vec![b, a, c, d]);
    assert_contiguous(&after_down);

    // Move up: d goes to the top.
    structure::place_item(&state, &teacher, d, built.section_id, 0)
        .await
        .unwrap();
    let after_up = section_items(&state, &teacher, built.course_id, built.section_id).await;
    assert_eq!(ids(&after_up), vec![d, b, a, c]);
    assert_contiguous(&after_up);

    // An index past the end means "last".
    structure::place_item(&state, &teacher, b, built.section_id, 99)
        .await
        .unwrap();
    let to_end = section_items(&state, &teacher, built.course_id, built.section_id).await;
    assert_eq!(ids(&to_end), vec![d, a, c, b]);
    assert_contiguous(&to_end);
});

db_test!(
    items_move_across_sections_and_both_sections_stay_contiguous,
    |state| {
        let teacher = instructor(&state, "teacher@example.com").await;
        let built = course_with_lessons(&state, &teacher, "BIO-101", 3).await;
        let [a, b, c] = built.items[..] else {
            unreachable!()
        };
        let week2 = structure::add_section(&state, &teacher, built.course_id, "Week 2")
            .await
            .unwrap();
        let x = items::add_item(&state, &teacher, week2, &lesson("X", ""))
            .await
            .unwrap();
        let y = items::add_item(&state, &teacher, week2, &lesson("Y", ""))
            .await
            .unwrap();

        structure::place_item(&state, &teacher, b, week2, 1)
            .await
            .unwrap();

        let first = section_items(&state, &teacher, built.course_id, built.section_id).await;
        let second = section_items(&state, &teacher, built.course_id, week2).await;
        assert_eq!(ids(&first), vec![a, c]);
        assert_contiguous(&first);
        assert_eq!(ids(&second), vec![x, b, y]);
        assert_contiguous(&second);
        let (_, moved, ..) = outline_store::find_item(&state.db, b)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(moved.section_id, week2);

        // And back to the start of the first section.
        structure::place_item(&state, &teacher, b, built.section_id, 0)
            .await
            .unwrap();
        let first = section_items(&state, &teacher, built.course_id, built.section_id).await;
        let second = section_items(&state, &teacher, built.course_id, week2).await;
        assert_eq!(ids(&first), vec![b, a, c]);
        assert_contiguous(&first);
        assert_eq!(ids(&second), vec![x, y]);
        assert_contiguous(&second);
    }
);

db_test!(an_item_cannot_move_into_another_courses_section, |state| {
    let teacher = instructor(&state, "teacher@example.com").await;
    let one = course_with_lessons(&state, &teacher, "BIO-101", 1).await;
    let two = course_with_lessons(&state, &teacher, "BIO-102", 1).await;

    let err = structure::place_item(&state, &teacher, one.items[0], two.section_id, 0)
        .await
        .unwrap_err();

    assert!(err.field("section_id").is_some());
    assert_eq!(
        ids(&section_items(&state, &teacher, two.course_id, two.section_id).await),
        two.items
    );
});

db_test!(sections_move_to_a_new_place, |state| {
    let teacher = instructor(&state, "teacher@example.com").await;
    let built = course_with_lessons(&state, &teacher, "BIO-101", 1).await;
    let s1 = built.section_id;
    let s2 = structure::add_section(&state, &teacher, built.course_id, "Week 2")
        .await
        .unwrap();
    let s3 = structure::add_section(&state, &teacher, built.course_id, "Week 3")
        .await
        .unwrap();

    structure::move_section(&state, &teacher, s3, 0)
        .await
        .unwrap();
    let editor = service::editor(&state, &teacher, built.course_id)
        .await
        .unwrap();
    let order: Vec<(i64, i32)> = editor.sections.iter().map(|s| (s.id, s.position)).collect();
    assert_eq!(order, vec![(s3, 0), (s1, 1), (s2, 2)]);

    structure::move_section(&state, &teacher, s3, 2)
        .await
        .unwrap();
    let editor = service::editor(&state, &teacher, built.course_id)
        .await
        .unwrap();
    let order: Vec<(i64, i32)> = editor.sections.iter().map(|s| (s.id, s.position)).collect();
    assert_eq!(order, vec![(s1, 0), (s2, 1), (s3, 2)]);
    // The items travel with their section.
    assert_eq!(editor.sections[0].items[0].id, built.items[0]);
});

db_test!(
    video_items_take_youtube_addresses_and_refuse_others,
    |state| {
        let teacher = instructor(&state, "teacher@example.com").await;
        let built = course_with_lessons(&state, &teacher, "BIO-101", 0).await;

        let id = items::add_item(
            &state,
            &teacher,
            built.section_id,
            &item(
                "video",
                "Intro",
                "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            ),
        )
        .await
        .unwrap();
        let err = items::add_item(
            &state,
            &teacher,
            built.section_id,
            &item("video", "Evil", "https://evil.example/watch?v=dQw4w9WgXcQ"),
        )
        .await
        .unwrap_err();

        assert!(err.field("url").is_some());
        let detail = items::item_for_editing(&state, &teacher, id).await.unwrap();
        assert_eq!(
            detail.embed_url.as_deref(),
            Some("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
        );
        // Saving an existing video with a bad address is refused too, and changes nothing.
        let err = items::update_item(
            &state,
            &teacher,
            id,
            &item("video", "Intro", "javascript:alert(1)"),
        )
        .await
        .unwrap_err();
        assert!(err.field("url").is_some());
        let detail = items::item_for_editing(&state, &teacher, id).await.unwrap();
        assert_eq!(
            detail.url.as_deref(),
            Some("https://www.youtube.com/watch?v=dQw4w9WgXcQ")
        );
        assert_eq!(
            service::editor(&state, &teacher, built.course_id)
                .await
                .unwrap()
                .sections[0]
                .items
                .len(),
            1
        );
    }
);

db_test!(link_items_must_be_web_addresses, |state| {
    let teacher = instructor(&state, "teacher@example.com").await;
    let built = course_with_lessons(&state, &teacher, "BIO-101", 0).await;

    for bad in [
        "javascript:alert(1)",
        "ftp://files.example.com/notes",
        "not a url",
        "",
    ] {
        let err = items::add_item(
            &state,
            &teacher,
            built.section_id,
            &item("link", "Docs", bad),
        )
        .await
        .unwrap_err();
        assert!(err.field("url").is_some(), "{bad:?} should be refused");
    }
    let id = items::add_item(
        &state,
        &teacher,
        built.section_id,
        &item("link", "Docs", "https://docs.example.com/cells"),
    )
    .await
    .unwrap();
    let detail = items::item_for_editing(&state, &teacher, id).await.unwrap();
    assert_eq!(
        detail.url.as_deref(),
        Some("https://docs.example.com/cells")
    );
    assert_eq!(detail.item.kind, ItemKind::Link);
});

db_test!(file_items_must_use_a_file_of_the_same_course, |state| {
    let teacher = instructor(&state, "teacher@example.com").await;
    let one = course_with_lessons(&state, &teacher, "BIO-101", 0).await;
    let two = course_with_lessons(&state, &teacher, "BIO-102", 0).await;
    let theirs = upload(&state, &teacher, two.course_id, "other.pdf", pdf(200))
        .await
        .unwrap();
    let ours = upload(&state, &teacher, one.course_id, "notes.pdf", pdf(200))
        .await
        .unwrap();
    let form = |file_id: i64| ItemForm {
        kind: "file".into(),
        title: "Notes".into(),
        file_id: file_id.to_string(),
        ..Default::default()
    };

    let err = items::add_item(&state, &teacher, one.section_id, &form(theirs.id))
        .await
        .unwrap_err();
    assert!(err.field("file_id").is_some());

    let id = items::add_item(&state, &teacher, one.section_id, &form(ours.id))
        .await
        .unwrap();
    let detail = items::item_for_editing(&state, &teacher, id).await.unwrap();
    assert_eq!(detail.file.as_ref().map(|f| f.id), Some(ours.id));
    // A PDF is not a video.
    let video = ItemForm {
        kind: "video".into(),
        ..form(ours.id)
    };
    assert!(
        items::add_item(&state, &teacher, one.section_id, &video)
            .await
            .unwrap_err()
            .field("file_id")
            .is_some()
    );
});

// ---- lesson revisions ------------------------------------------------------------------------

db_test!(
    every_lesson_save_keeps_a_revision_that_can_be_compared_and_restored,
    |state| {
        let teacher = instructor(&state, "teacher@example.com").await;
        let built = course_with_lessons(&state, &teacher, "BIO-101", 0).await;
        let id = items::add_item(
            &state,
            &teacher,
            built.section_id,
            &lesson("Cells", "# Cells\nline two\nthe end\n"),
        )
        .await
        .unwrap();
        items::update_item(
            &state,
            &teacher,
            id,
            &lesson("Cells", "# Cells\nline three\nthe end\n"),
        )
        .await
        .unwrap();
        let saved = items::update_item(
            &state,
            &teacher,
            id,
            &lesson("Cells, revised", "# Cells\nline three\nthe end\nextra\n"),
        )
        .await
        .unwrap();
        assert!(saved.html.contains("<h1>Cells</h1>"));

        let revisions = lessons::revisions(&state, &teacher, id).await.unwrap();
        assert_eq!(revisions.len(), 3);
        // Newest first.
        let (third, second, first) = (revisions[0].id, revisions[1].id, revisions[2].id);
        assert!(third > second && second > first);
        assert_eq!(revisions[0].title, "Cells, revised");
        assert_eq!(revisions[2].author.as_deref(), Some(teacher.name.as_str()));

        let diff = lessons::compare(&state, &teacher, id, first, second)
            .await
            .unwrap();
        assert_eq!(
            diff.lines,
            vec![
                DiffLine::Same("# Cells".into()),
                DiffLine::Removed("line two".into()),
                DiffLine::Added("line three".into()),
                DiffLine::Same("the end".into()),
            ]
        );
        let diff = lessons::compare(&state, &teacher, id, second, third)
            .await
            .unwrap();
        assert!(diff.lines.contains(&DiffLine::Added("extra".into())));
        assert!(!diff.lines.iter().any(|l| matches!(l, DiffLine::Removed(_))));

        lessons::restore(&state, &teacher, id, first).await.unwrap();
        let restored = items::item_for_editing(&state, &teacher, id).await.unwrap();

        assert_eq!(restored.body, "# Cells\nline two\nthe end\n");
        assert_eq!(restored.item.title, "Cells");
        let revisions = lessons::revisions(&state, &teacher, id).await.unwrap();
        assert_eq!(
            revisions.len(),
            4,
            "restoring adds a revision, it does not rewrite history"
        );
        let (_, latest_body) = lyceum::lessons::store::revision(&state.db, id, revisions[0].id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(latest_body, "# Cells\nline two\nthe end\n");
    }
);

db_test!(
    revisions_of_another_items_lesson_cannot_be_mixed_in,
    |state| {
        let teacher = instructor(&state, "teacher@example.com").await;
        let built = course_with_lessons(&state, &teacher, "BIO-101", 2).await;
        let other_revision = lessons::revisions(&state, &teacher, built.items[1])
            .await
            .unwrap()[0]
            .id;
        let own_revision = lessons::revisions(&state, &teacher, built.items[0])
            .await
            .unwrap()[0]
            .id;

        let err = lessons::compare(
            &state,
            &teacher,
            built.items[0],
            own_revision,
            other_revision,
        )
        .await
        .unwrap_err();
        assert_eq!(err, AppError::NotFound);
        let err = lessons::restore(&state, &teacher, built.items[0], other_revision)
            .await
            .unwrap_err();
        assert_eq!(err, AppError::NotFound);
    }
);

// ---- copying ---------------------------------------------------------------------------------

db_test!(
    copying_a_course_makes_a_draft_with_the_same_content_and_no_learners,
    |state| {
        let teacher = instructor(&state, "teacher@example.com").await;
        let student = learner(&state, "learner@example.com").await;
        let source = create_course(
            &state,
            &teacher,
            &CourseForm {
                tags: "biology".into(),
                description: "All about cells.".into(),
                ..course_form("BIO-101", "Cells")
            },
        )
        .await
        .unwrap();
        let file = upload(&state, &teacher, source.id, "notes.pdf", pdf(300))
            .await
            .unwrap();
        let week1 = structure::add_section(&state, &teacher, source.id, "Week 1")
            .await
            .unwrap();
        let week2 = structure::add_section(&state, &teacher, source.id, "Week 2")
            .await
            .unwrap();
        let body = format!(
            "Read [the notes](/files/{}/notes.pdf) first.\n\n![cell](/files/{}/notes.pdf)\n",
            file.id, file.id
        );
        let lesson_id = items::add_item(&state, &teacher, week1, &lesson("Reading", &body))
            .await
            .unwrap();
        items::add_item(
            &state,
            &teacher,
            week1,
            &ItemForm {
                kind: "file".into(),
                title: "Notes".into(),
                file_id: file.id.to_string(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        items::add_item(
            &state,
            &teacher,
            week2,
            &ItemForm {
                hidden: true,
                ..item("link", "Staff only", "https://example.com/")
            },
        )
        .await
        .unwrap();
        enrolments::set_enrolment_settings(
            &state,
            &teacher,
            source.id,
            &EnrolmentSettingsForm {
                self_enrol: true,
                capacity: "30".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        publish(&state, &teacher, source.id).await;
        enrol(&state, &teacher, source.id, &student, CourseRole::Learner).await;
        lyceum::learning::service::open_item(&state, &student, lesson_id)
            .await
            .unwrap();

        let copy = copy::copy_course(&state, &teacher, source.id, "BIO-201", "Cells, next year")
            .await
            .unwrap();

        assert_ne!(copy.id, source.id);
        assert_eq!(copy.code, "BIO-201");
        assert_eq!(copy.title, "Cells, next year");
        assert_eq!(copy.state, CourseState::Draft);
        assert_eq!(copy.tags, vec!["biology"]);
        assert_eq!(copy.description, "All about cells.");
        assert!(copy.enrolment.self_enrol);
        assert_eq!(copy.enrolment.capacity, Some(30));

        let original = service::editor(&state, &teacher, source.id).await.unwrap();
        let copied = service::editor(&state, &teacher, copy.id).await.unwrap();
        type Shape = Vec<(String, Vec<(ItemKind, String, bool)>)>;
        let shape = |e: &lyceum::courses::model::CourseEditor| -> Shape {
            e.sections
                .iter()
                .map(|s| {
                    (
                        s.title.clone(),
                        s.items
                            .iter()
                            .map(|i| (i.kind, i.title.clone(), i.hidden))
                            .collect(),
                    )
                })
                .collect()
        };
        assert_eq!(shape(&copied), shape(&original));

        // The file is copied as a new record of the new course, and the lesson points at it.
        assert_eq!(copied.files.len(), 1);
        let new_file = &copied.files[0];
        assert_ne!(new_file.id, file.id);
        assert_eq!(
            (new_file.name.as_str(), new_file.size_bytes),
            ("notes.pdf", file.size_bytes)
        );
        let new_lesson = copied.sections[0].items[0].id;
        let detail = items::item_for_editing(&state, &teacher, new_lesson)
            .await
            .unwrap();
        assert_eq!(
            detail.body,
            body.replace(
                &format!("/files/{}/", file.id),
                &format!("/files/{}/", new_file.id)
            )
        );
        assert!(!detail.body.contains(&format!("/files/{}/", file.id)));
        let file_item = items::item_for_editing(&state, &teacher, copied.sections[0].items[1].id)
            .await
            .unwrap();
        assert_eq!(file_item.file.map(|f| f.id), Some(new_file.id));
        assert_eq!(
            lessons::revisions(&state, &teacher, new_lesson)
                .await
                .unwrap()
                .len(),
            1
        );
        // The copy shares the stored bytes and the teacher can download them.
        let (_, path) = files::service::authorize_download(&state, &teacher, new_file.id)
            .await
            .unwrap();
        assert_eq!(std::fs::read(path).unwrap(), pdf(300));

        // Nobody but the copier comes along.
        let people = lyceum::enrolments::service::participants(
            &state,
            &teacher,
            copy.id,
            &ParticipantQuery::default(),
        )
        .await
        .unwrap();
        assert_eq!(people.total, 1);
        assert_eq!(
            (people.items[0].user_id, people.items[0].role),
            (teacher.id, CourseRole::Instructor)
        );
        assert_eq!(
            access::load(&state.db, &student, copy.id)
                .await
                .unwrap()
                .role,
            None
        );
        // The source is untouched.
        let source_lesson = items::item_for_editing(&state, &teacher, lesson_id)
            .await
            .unwrap();
        assert_eq!(source_lesson.body, body);
    }
);

db_test!(only_the_courses_editors_may_copy_it, |state| {
    let teacher = instructor(&state, "teacher@example.com").await;
    let other = instructor(&state, "other@example.com").await;
    let student = learner(&state, "learner@example.com").await;
    let built = course_with_lessons(&state, &teacher, "BIO-101", 1).await;
    publish(&state, &teacher, built.course_id).await;
    enrol(
        &state,
        &teacher,
        built.course_id,
        &student,
        CourseRole::Learner,
    )
    .await;

    assert_eq!(
        copy::copy_course(&state, &other, built.course_id, "BIO-9", "Mine")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        copy::copy_course(&state, &student, built.course_id, "BIO-9", "Mine")
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    let err = copy::copy_course(&state, &teacher, built.course_id, "bio-101", "Same code")
        .await
        .unwrap_err();
    assert!(err.field("code").is_some());
});

// ---- prerequisites ---------------------------------------------------------------------------

db_test!(
    prerequisites_are_set_by_code_and_unknown_codes_are_field_errors,
    |state| {
        let teacher = instructor(&state, "teacher@example.com").await;
        course_with_lessons(&state, &teacher, "BIO-101", 1).await;
        course_with_lessons(&state, &teacher, "LAB-1", 0).await;
        let advanced = course_with_lessons(&state, &teacher, "BIO-201", 1).await;

        let set =
            service::set_prerequisites(&state, &teacher, advanced.course_id, "bio-101, LAB-1")
                .await
                .unwrap();

        let mut set_codes: Vec<&str> = set.iter().map(|c| c.code.as_str()).collect();
        set_codes.sort();
        assert_eq!(set_codes, vec!["BIO-101", "LAB-1"]);
        let err =
            service::set_prerequisites(&state, &teacher, advanced.course_id, "BIO-101, NOPE-1")
                .await
                .unwrap_err();
        assert!(err.field("prerequisites").unwrap().contains("NOPE-1"));
        let err = service::set_prerequisites(&state, &teacher, advanced.course_id, "BIO-201")
            .await
            .unwrap_err();
        assert!(err.field("prerequisites").is_some());
        // A failed change keeps what was there.
        let editor = service::editor(&state, &teacher, advanced.course_id)
            .await
            .unwrap();
        assert_eq!(editor.prerequisites.len(), 2);
        // Clearing works.
        assert!(
            service::set_prerequisites(&state, &teacher, advanced.course_id, " ")
                .await
                .unwrap()
                .is_empty()
        );
    }
);

db_test!(
    enrolment_stays_closed_until_the_prerequisite_is_completed,
    |state| {
        let teacher = instructor(&state, "teacher@example.com").await;
        let student = learner(&state, "learner@example.com").await;
        let basics = course_with_lessons(&state, &teacher, "BIO-101", 1).await;
        publish(&state, &teacher, basics.course_id).await;
        let advanced = course_with_lessons(&state, &teacher, "BIO-201", 1).await;
        enrolments::set_enrolment_settings(
            &state,
            &teacher,
            advanced.course_id,
            &EnrolmentSettingsForm {
                self_enrol: true,
                ..Default::default()
            },
        )
        .await
        .unwrap();
        publish(&state, &teacher, advanced.course_id).await;
        service::set_prerequisites(&state, &teacher, advanced.course_id, "BIO-101")
            .await
            .unwrap();
        let course = store::find(&state.db, advanced.course_id)
            .await
            .unwrap()
            .unwrap();

        let option = lyceum::enrolments::service::enrol_option(&state, &student, &course)
            .await
            .unwrap();
        let EnrolOption::Closed { reason } = option else {
            panic!("expected Closed, got {option:?}")
        };
        assert!(reason.contains("BIO-101"), "{reason}");
        assert!(
            lyceum::enrolments::service::self_enrol(
                &state,
                &student,
                advanced.course_id,
                "",
                &lyceum::auth::throttle::Client::at("127.0.0.1")
            )
            .await
            .is_err()
        );

        // Enrolled but not finished: still closed.
        enrol(
            &state,
            &teacher,
            basics.course_id,
            &student,
            CourseRole::Learner,
        )
        .await;
        let still = lyceum::enrolments::service::enrol_option(&state, &student, &course)
            .await
            .unwrap();
        assert!(matches!(still, EnrolOption::Closed { .. }), "{still:?}");

        lyceum::learning::service::open_item(&state, &student, basics.items[0])
            .await
            .unwrap();

        let open = lyceum::enrolments::service::enrol_option(&state, &student, &course)
            .await
            .unwrap();
        assert!(
            matches!(
                open,
                EnrolOption::Open {
                    needs_key: false,
                    ..
                }
            ),
            "{open:?}"
        );
        lyceum::enrolments::service::self_enrol(
            &state,
            &student,
            advanced.course_id,
            "",
            &lyceum::auth::throttle::Client::at("127.0.0.1"),
        )
        .await
        .unwrap();
    }
);

// ---- categories ------------------------------------------------------------------------------

/// Science / Biology / Genetics, and Arts.
struct Tree {
    science: i64,
    biology: i64,
    genetics: i64,
    arts: i64,
}

async fn category_tree(state: &AppState, admin: &Actor) -> Tree {
    let science = service::save_category(state, admin, None, "Science", "")
        .await
        .unwrap();
    let biology = service::save_category(state, admin, None, "Biology", &science.to_string())
        .await
        .unwrap();
    let genetics = service::save_category(state, admin, None, "Genetics", &biology.to_string())
        .await
        .unwrap();
    let arts = service::save_category(state, admin, None, "Arts", "")
        .await
        .unwrap();
    Tree {
        science,
        biology,
        genetics,
        arts,
    }
}

db_test!(administrator_builds_a_category_tree, |state| {
    let root = admin(&state).await;

    let tree = category_tree(&state, &root).await;

    let all = service::categories(&state).await.unwrap();
    let paths: Vec<(&str, usize)> = all.iter().map(|c| (c.path.as_str(), c.depth)).collect();
    assert_eq!(
        paths,
        vec![
            ("Arts", 0),
            ("Science", 0),
            ("Science / Biology", 1),
            ("Science / Biology / Genetics", 2)
        ]
    );
    assert_eq!(
        all.iter()
            .find(|c| c.id == tree.genetics)
            .unwrap()
            .parent_id,
        Some(tree.biology)
    );
    // Siblings' names are unique ignoring case; the same name elsewhere is fine.
    let err = service::save_category(&state, &root, None, "science", "")
        .await
        .unwrap_err();
    assert!(err.field("name").is_some());
    service::save_category(&state, &root, None, "Science", &tree.arts.to_string())
        .await
        .unwrap();
    // Renaming and moving.
    service::save_category(
        &state,
        &root,
        Some(tree.genetics),
        "Heredity",
        &tree.science.to_string(),
    )
    .await
    .unwrap();
    let moved = service::categories(&state).await.unwrap();
    assert!(
        moved
            .iter()
            .any(|c| c.id == tree.genetics && c.path == "Science / Heredity")
    );
});

db_test!(a_category_cannot_move_inside_itself, |state| {
    let root = admin(&state).await;
    let tree = category_tree(&state, &root).await;

    let under_itself = service::save_category(
        &state,
        &root,
        Some(tree.science),
        "Science",
        &tree.science.to_string(),
    )
    .await
    .unwrap_err();
    let under_grandchild = service::save_category(
        &state,
        &root,
        Some(tree.science),
        "Science",
        &tree.genetics.to_string(),
    )
    .await
    .unwrap_err();

    assert!(under_itself.field("parent_id").is_some());
    assert!(under_grandchild.field("parent_id").is_some());
    let science = service::categories(&state)
        .await
        .unwrap()
        .into_iter()
        .find(|c| c.id == tree.science)
        .unwrap();
    assert_eq!(science.parent_id, None);
});

db_test!(a_category_with_subcategories_cannot_be_deleted, |state| {
    let root = admin(&state).await;
    let tree = category_tree(&state, &root).await;

    let err = service::delete_category(&state, &root, tree.science)
        .await
        .unwrap_err();

    assert!(matches!(err, AppError::Conflict(_)), "{err:?}");
    assert_eq!(service::categories(&state).await.unwrap().len(), 4);
    service::delete_category(&state, &root, tree.genetics)
        .await
        .unwrap();
    service::delete_category(&state, &root, tree.biology)
        .await
        .unwrap();
    service::delete_category(&state, &root, tree.science)
        .await
        .unwrap();
    assert_eq!(
        service::delete_category(&state, &root, tree.science)
            .await
            .unwrap_err(),
        AppError::NotFound
    );
});

db_test!(
    deleting_a_category_leaves_its_courses_uncategorised,
    |state| {
        let root = admin(&state).await;
        let teacher = instructor(&state, "teacher@example.com").await;
        let tree = category_tree(&state, &root).await;
        let course = create_course(
            &state,
            &teacher,
            &CourseForm {
                category_id: tree.arts.to_string(),
                ..course_form("ART-1", "Drawing")
            },
        )
        .await
        .unwrap();

        service::delete_category(&state, &root, tree.arts)
            .await
            .unwrap();

        assert_eq!(
            store::find(&state.db, course.id)
                .await
                .unwrap()
                .unwrap()
                .category_id,
            None
        );
    }
);

db_test!(only_administrators_manage_categories, |state| {
    let root = admin(&state).await;
    let tree = category_tree(&state, &root).await;
    let teacher = instructor(&state, "teacher@example.com").await;
    let manager = user_with_roles(&state, "manager@example.com", &[Role::Manager]).await;

    for actor in [&teacher, &manager] {
        assert_eq!(
            service::save_category(&state, actor, None, "Mine", "")
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            service::save_category(&state, actor, Some(tree.arts), "Renamed", "")
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            service::delete_category(&state, actor, tree.arts)
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
    }
    assert_eq!(service::categories(&state).await.unwrap().len(), 4);
});

// ---- the catalogue ---------------------------------------------------------------------------

/// A published course with a category and tags.
async fn published(
    state: &AppState,
    teacher: &Actor,
    code: &str,
    title: &str,
    category: Option<i64>,
    tags: &str,
) -> i64 {
    let form = CourseForm {
        category_id: category.map(|c| c.to_string()).unwrap_or_default(),
        tags: tags.into(),
        ..course_form(code, title)
    };
    let course = create_course(state, teacher, &form).await.unwrap();
    publish(state, teacher, course.id).await;
    course.id
}

db_test!(
    catalogue_filter_by_category_includes_subcategories,
    |state| {
        let root = admin(&state).await;
        let teacher = instructor(&state, "teacher@example.com").await;
        let student = learner(&state, "learner@example.com").await;
        let tree = category_tree(&state, &root).await;
        published(
            &state,
            &teacher,
            "SCI-1",
            "General Science",
            Some(tree.science),
            "",
        )
        .await;
        published(
            &state,
            &teacher,
            "GEN-1",
            "Inheritance",
            Some(tree.genetics),
            "",
        )
        .await;
        published(&state, &teacher, "ART-1", "Drawing", Some(tree.arts), "").await;
        published(&state, &teacher, "NONE-1", "Uncategorised", None, "").await;

        let in_category = |id: i64| CatalogueQuery {
            category_id: Some(id),
            ..Default::default()
        };
        let science = service::catalogue(&state, &student, &in_category(tree.science))
            .await
            .unwrap();
        let biology = service::catalogue(&state, &student, &in_category(tree.biology))
            .await
            .unwrap();
        let arts = service::catalogue(&state, &student, &in_category(tree.arts))
            .await
            .unwrap();

        assert_eq!(codes(&science), vec!["GEN-1", "SCI-1"]);
        assert_eq!(science.total, 2);
        assert_eq!(codes(&biology), vec!["GEN-1"]);
        assert_eq!(codes(&arts), vec!["ART-1"]);
        assert_eq!(
            service::catalogue(&state, &student, &CatalogueQuery::default())
                .await
                .unwrap()
                .total,
            4
        );
    }
);

db_test!(catalogue_finds_courses_by_title_code_and_tag, |state| {
    let teacher = instructor(&state, "teacher@example.com").await;
    let student = learner(&state, "learner@example.com").await;
    published(
        &state,
        &teacher,
        "BIO-101",
        "Cells and Tissues",
        None,
        "microscopy",
    )
    .await;
    published(
        &state,
        &teacher,
        "CHEM-200",
        "Organic Chemistry",
        None,
        "lab, safety",
    )
    .await;
    published(
        &state,
        &teacher,
        "HIST-3",
        "A History of Medicine",
        None,
        "",
    )
    .await;

    let find = |search: &str| {
        let state = state.clone();
        let student = student.clone();
        let search = search.to_string();
        async move {
            codes(
                &service::catalogue(&state, &student, &catalogue_query(&search))
                    .await
                    .unwrap(),
            )
        }
    };

    // Title substrings, whatever their case, including the middle of a word.
    assert_eq!(find("tissue").await, vec!["BIO-101"]);
    assert_eq!(find("ORGANIC").await, vec!["CHEM-200"]);
    assert_eq!(find("emist").await, vec!["CHEM-200"]);
    // Codes.
    assert_eq!(find("chem-2").await, vec!["CHEM-200"]);
    assert_eq!(find("bio-101").await, vec!["BIO-101"]);
    // Tags, and the tag filter.
    assert_eq!(find("microscopy").await, vec!["BIO-101"]);
    assert_eq!(find("safety").await, vec!["CHEM-200"]);
    let tagged = service::catalogue(
        &state,
        &student,
        &CatalogueQuery {
            tag: "Lab".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(codes(&tagged), vec!["CHEM-200"]);
    // Short searches and LIKE wildcards behave.
    assert_eq!(find("of").await, vec!["HIST-3"]);
    assert_eq!(find("%").await, Vec::<String>::new());
    assert_eq!(find("nothing like this").await, Vec::<String>::new());
});

db_test!(
    drafts_and_archived_courses_never_appear_in_the_catalogue,
    |state| {
        let teacher = instructor(&state, "teacher@example.com").await;
        let student = learner(&state, "learner@example.com").await;
        published(
            &state,
            &teacher,
            "PUB-1",
            "Published Biology",
            None,
            "biology",
        )
        .await;
        let draft = create_course(
            &state,
            &teacher,
            &CourseForm {
                tags: "biology".into(),
                ..course_form("DRAFT-1", "Draft Biology")
            },
        )
        .await
        .unwrap();
        let archived = published(
            &state,
            &teacher,
            "OLD-1",
            "Archived Biology",
            None,
            "biology",
        )
        .await;
        service::set_state(&state, &teacher, archived, CourseState::Archived)
            .await
            .unwrap();

        for query in [
            CatalogueQuery::default(),
            catalogue_query("biology"),
            catalogue_query("draft"),
            CatalogueQuery {
                tag: "biology".into(),
                ..Default::default()
            },
        ] {
            let page = service::catalogue(&state, &student, &query).await.unwrap();
            assert!(
                page.items.iter().all(|c| c.state == CourseState::Published),
                "{query:?}"
            );
            assert!(!page.items.iter().any(|c| c.id == draft.id), "{query:?}");
        }
        assert_eq!(
            service::catalogue(&state, &student, &catalogue_query("biology"))
                .await
                .unwrap()
                .total,
            1
        );
        // The teacher's own list has all three.
        assert_eq!(
            service::teaching(&state, &teacher, &CatalogueQuery::default())
                .await
                .unwrap()
                .total,
            3
        );
    }
);

db_test!(catalogue_pages_hold_twenty_courses, |state| {
    let teacher = instructor(&state, "teacher@example.com").await;
    let student = learner(&state, "learner@example.com").await;
    for n in 0..25 {
        published(
            &state,
            &teacher,
            &format!("C-{n:02}"),
            &format!("Course {n:02}"),
            None,
            "",
        )
        .await;
    }

    let first = service::catalogue(
        &state,
        &student,
        &CatalogueQuery {
            page: 1,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let second = service::catalogue(
        &state,
        &student,
        &CatalogueQuery {
            page: 2,
            ..Default::default()
        },
    )
    .await
    .unwrap();

    assert_eq!(CatalogueQuery::PER_PAGE, 20);
    assert_eq!(first.total, 25);
    assert_eq!(first.page_count(), 2);
    assert_eq!(first.items.len(), 20);
    assert_eq!(first.items[0].title, "Course 00");
    assert_eq!(second.items.len(), 5);
    let titles: Vec<&str> = second.items.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(
        titles,
        vec![
            "Course 20",
            "Course 21",
            "Course 22",
            "Course 23",
            "Course 24"
        ]
    );
});

// ---- reviews -----------------------------------------------------------------------------------

db_test!(
    overdue_reviews_are_listed_for_administrators_and_owners_only,
    |state| {
        let root = admin(&state).await;
        let owner = instructor(&state, "owner@example.com").await;
        let other = instructor(&state, "other@example.com").await;
        let overdue = create_course(
            &state,
            &owner,
            &CourseForm {
                review_by: "2020-01-01".into(),
                ..course_form("OLD-1", "Overdue")
            },
        )
        .await
        .unwrap();
        create_course(
            &state,
            &owner,
            &CourseForm {
                review_by: "2999-01-01".into(),
                ..course_form("NEW-1", "Not yet")
            },
        )
        .await
        .unwrap();
        create_course(&state, &owner, &course_form("NONE-1", "No date"))
            .await
            .unwrap();

        let for_admin = service::reviews_due(&state, &root).await.unwrap();
        let for_owner = service::reviews_due(&state, &owner).await.unwrap();
        let for_other = service::reviews_due(&state, &other).await.unwrap();

        assert_eq!(
            for_admin.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![overdue.id]
        );
        assert_eq!(
            for_owner.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![overdue.id]
        );
        assert_eq!(
            for_owner[0].owner_name.as_deref(),
            Some(owner.name.as_str())
        );
        assert!(for_other.is_empty());
        // Archived courses no longer need reviewing.
        service::set_state(&state, &owner, overdue.id, CourseState::Archived)
            .await
            .unwrap();
        assert!(
            service::reviews_due(&state, &root)
                .await
                .unwrap()
                .is_empty()
        );
    }
);

// ---- files -------------------------------------------------------------------------------------

/// Why a download is refused (panics when it is allowed).
async fn download_refusal(state: &AppState, actor: &Actor, file_id: i64) -> AppError {
    match files::service::authorize_download(state, actor, file_id).await {
        Ok(_) => panic!("{} may download file {file_id}", actor.email),
        Err(err) => err,
    }
}

fn temp_files(state: &AppState) -> Vec<std::path::PathBuf> {
    match std::fs::read_dir(state.config.files_dir().join("tmp")) {
        Ok(dir) => dir.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    }
}

db_test!(
    instructor_uploads_a_file_and_its_type_comes_from_its_bytes,
    |state| {
        let teacher = instructor(&state, "teacher@example.com").await;
        let built = course_with_lessons(&state, &teacher, "BIO-101", 0).await;

        let file = upload(
            &state,
            &teacher,
            built.course_id,
            "../../week 1/notes.txt",
            pdf(3 * 1024 * 1024),
        )
        .await
        .unwrap();

        // The path goes, and the name ends in what the bytes are.
        assert_eq!(file.name, "notes.txt.pdf");
        assert_eq!(file.content_type, "application/pdf");
        assert_eq!(file.size_bytes, 3 * 1024 * 1024);
        let row = lyceum::files::records::find_file(&state.db, file.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(row.course_id, built.course_id);
        assert_eq!(row.sha256.len(), 64);
        let (_, path) = files::service::authorize_download(&state, &teacher, file.id)
            .await
            .unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().len(), 3 * 1024 * 1024);
        assert!(path.starts_with(state.config.files_dir()));
        assert!(temp_files(&state).is_empty());
        assert_eq!(
            service::editor(&state, &teacher, built.course_id)
                .await
                .unwrap()
                .files,
            vec![file]
        );
    }
);

db_test!(
    uploads_over_the_limit_are_refused_and_leave_no_temp_file,
    |state| {
        let teacher = instructor(&state, "teacher@example.com").await;
        let built = course_with_lessons(&state, &teacher, "BIO-101", 0).await;
        assert_eq!(state.config.max_upload_bytes, 5 * 1024 * 1024);

        let err = upload(
            &state,
            &teacher,
            built.course_id,
            "big.pdf",
            pdf(5 * 1024 * 1024 + 1),
        )
        .await
        .unwrap_err();

        assert!(
            err.field("file").unwrap().contains("5 MB upload limit"),
            "{err:?}"
        );
        assert!(
            temp_files(&state).is_empty(),
            "left behind: {:?}",
            temp_files(&state)
        );
        assert!(
            lyceum::files::records::files(&state.db, built.course_id)
                .await
                .unwrap()
                .is_empty()
        );
        // Exactly the limit is fine.
        let file = upload(
            &state,
            &teacher,
            built.course_id,
            "fits.pdf",
            pdf(5 * 1024 * 1024),
        )
        .await
        .unwrap();
        assert_eq!(file.size_bytes, 5 * 1024 * 1024);
        assert!(temp_files(&state).is_empty());
    }
);

db_test!(
    html_pages_and_executables_are_refused_whatever_their_name,
    |state| {
        let teacher = instructor(&state, "teacher@example.com").await;
        let built = course_with_lessons(&state, &teacher, "BIO-101", 0).await;
        let refused: [(&str, &[u8]); 5] = [
            (
                "page.html",
                b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
            ),
            (
                "notes.txt",
                b"<html><script>alert(document.cookie)</script></html>",
            ),
            (
                "setup.pdf",
                b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00",
            ),
            (
                "notes.txt",
                b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x3e\x00",
            ),
            ("empty.pdf", b""),
        ];

        for (name, bytes) in refused {
            let err = upload(&state, &teacher, built.course_id, name, bytes.to_vec())
                .await
                .unwrap_err();
            assert!(
                err.field("file").is_some(),
                "{name} with {:?} should be refused",
                String::from_utf8_lossy(bytes)
            );
        }

        assert!(
            lyceum::files::records::files(&state.db, built.course_id)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(temp_files(&state).is_empty());
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00".to_vec();
        let image = upload(&state, &teacher, built.course_id, "cell.png", png)
            .await
            .unwrap();
        assert_eq!(image.content_type, "image/png");
    }
);

db_test!(
    enrolled_learner_of_a_published_course_may_download_its_files,
    |state| {
        let teacher = instructor(&state, "teacher@example.com").await;
        let student = learner(&state, "learner@example.com").await;
        let built = course_with_lessons(&state, &teacher, "BIO-101", 0).await;
        let file = upload(&state, &teacher, built.course_id, "notes.pdf", pdf(1000))
            .await
            .unwrap();
        publish(&state, &teacher, built.course_id).await;
        enrol(
            &state,
            &teacher,
            built.course_id,
            &student,
            CourseRole::Learner,
        )
        .await;
        // Until an item shows it, the file is the staff's working copy.
        assert_eq!(
            download_refusal(&state, &student, file.id).await,
            AppError::NotFound
        );
        show_file(&state, &teacher, &built, file.id).await;

        let (row, path) = files::service::authorize_download(&state, &student, file.id)
            .await
            .unwrap();

        assert_eq!(row.id, file.id);
        assert_eq!(std::fs::read(path).unwrap(), pdf(1000));
    }
);

db_test!(
    learner_not_in_the_course_cannot_download_its_files,
    |state| {
        let teacher = instructor(&state, "teacher@example.com").await;
        let outsider = learner(&state, "outsider@example.com").await;
        let built = course_with_lessons(&state, &teacher, "BIO-101", 0).await;
        let file = upload(&state, &teacher, built.course_id, "notes.pdf", pdf(1000))
            .await
            .unwrap();
        show_file(&state, &teacher, &built, file.id).await;
        publish(&state, &teacher, built.course_id).await;

        let err = download_refusal(&state, &outsider, file.id).await;

        // The course is in the catalogue, its content is not: the file does not exist for them.
        assert_eq!(err, AppError::NotFound);
        assert_eq!(
            download_refusal(&state, &outsider, file.id + 1000).await,
            AppError::NotFound
        );
    }
);

db_test!(
    learner_of_a_draft_course_cannot_download_its_files,
    |state| {
        let teacher = instructor(&state, "teacher@example.com").await;
        let student = learner(&state, "learner@example.com").await;
        let built = course_with_lessons(&state, &teacher, "BIO-101", 0).await;
        let file = upload(&state, &teacher, built.course_id, "notes.pdf", pdf(1000))
            .await
            .unwrap();
        enrol(
            &state,
            &teacher,
            built.course_id,
            &student,
            CourseRole::Learner,
        )
        .await;

        let err = download_refusal(&state, &student, file.id).await;

        assert_eq!(err, AppError::Forbidden);
        // The course's staff still may.
        files::service::authorize_download(&state, &teacher, file.id)
            .await
            .unwrap();
    }
);

db_test!(
    a_published_courses_cover_is_visible_to_anyone_signed_in,
    |state| {
        let teacher = instructor(&state, "teacher@example.com").await;
        let outsider = learner(&state, "outsider@example.com").await;
        let built = course_with_lessons(&state, &teacher, "BIO-101", 0).await;
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00".to_vec();
        let cover = upload(&state, &teacher, built.course_id, "cover.png", png)
            .await
            .unwrap();
        let notes = upload(&state, &teacher, built.course_id, "notes.pdf", pdf(100))
            .await
            .unwrap();
        // Only images of this course can be covers.
        assert!(
            service::set_cover(&state, &teacher, built.course_id, Some(notes.id))
                .await
                .unwrap_err()
                .field("cover_file_id")
                .is_some()
        );
        service::set_cover(&state, &teacher, built.course_id, Some(cover.id))
            .await
            .unwrap();

        // Draft: not yet.
        assert_eq!(
            download_refusal(&state, &outsider, cover.id).await,
            AppError::Forbidden
        );
        publish(&state, &teacher, built.course_id).await;

        files::service::authorize_download(&state, &outsider, cover.id)
            .await
            .unwrap();
        assert_eq!(
            download_refusal(&state, &outsider, notes.id).await,
            AppError::NotFound
        );
    }
);

db_test!(
    deleting_a_copied_file_keeps_the_bytes_the_other_course_shares,
    |state| {
        let teacher = instructor(&state, "teacher@example.com").await;
        let built = course_with_lessons(&state, &teacher, "BIO-101", 0).await;
        let file = upload(&state, &teacher, built.course_id, "notes.pdf", pdf(500))
            .await
            .unwrap();
        let copy = copy::copy_course(&state, &teacher, built.course_id, "BIO-201", "Copy")
            .await
            .unwrap();
        let copied = lyceum::files::records::files(&state.db, copy.id)
            .await
            .unwrap()
            .remove(0);

        files::service::delete(&state, &teacher, file.id)
            .await
            .unwrap();

        let (_, path) = files::service::authorize_download(&state, &teacher, copied.id)
            .await
            .unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), pdf(500));
        files::service::delete(&state, &teacher, copied.id)
            .await
            .unwrap();
        assert!(!path.exists(), "the last record's delete removes the blob");
    }
);

// ---- downloads through the router ------------------------------------------------------------

async fn file_sha256(state: &lyceum::state::AppState, id: i64) -> String {
    lyceum::files::records::find_file(&state.db, id)
        .await
        .unwrap()
        .unwrap()
        .sha256
}

async fn get(
    app: &axum::Router,
    path: &str,
    token: &str,
    range: Option<&str>,
) -> (http::StatusCode, http::HeaderMap, Vec<u8>) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let mut req = http::Request::builder()
        .uri(path)
        .header(http::header::COOKIE, format!("lyceum_session={token}"));
    if let Some(range) = range {
        req = req.header(http::header::RANGE, range);
    }
    let res = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        app.clone()
            .oneshot(req.body(axum::body::Body::empty()).unwrap()),
    )
    .await
    .expect("an answer within 60 s")
    .unwrap();
    let (parts, body) = res.into_parts();
    (
        parts.status,
        parts.headers,
        body.collect().await.unwrap().to_bytes().to_vec(),
    )
}

async fn sign_in(state: &AppState, email: &str) -> String {
    lyceum::auth::service::sign_in(
        state,
        email,
        lyceum::testing::PASSWORD,
        &lyceum::auth::throttle::Client::at("127.0.0.1"),
    )
    .await
    .unwrap()
    .session()
    .unwrap()
}

db_test!(
    files_download_whole_or_by_range_only_for_people_in_the_course,
    |state| {
        let teacher = instructor(&state, "teacher@example.com").await;
        let student = learner(&state, "learner@example.com").await;
        learner(&state, "outsider@example.com").await;
        let built = course_with_lessons(&state, &teacher, "BIO-101", 0).await;
        let file = upload(&state, &teacher, built.course_id, "notes.pdf", pdf(2000))
            .await
            .unwrap();
        show_file(&state, &teacher, &built, file.id).await;
        publish(&state, &teacher, built.course_id).await;
        enrol(
            &state,
            &teacher,
            built.course_id,
            &student,
            CourseRole::Learner,
        )
        .await;
        let app = lyceum::http::router(state.clone());
        let learner_token = sign_in(&state, "learner@example.com").await;
        let outsider_token = sign_in(&state, "outsider@example.com").await;

        let (status, headers, body) = get(&app, &file.url(), &learner_token, None).await;
        assert_eq!(status, http::StatusCode::OK);
        assert_eq!(body, pdf(2000));
        assert_eq!(headers[http::header::CONTENT_TYPE], "application/pdf");
        assert!(
            headers[http::header::CONTENT_DISPOSITION]
                .to_str()
                .unwrap()
                .starts_with("inline; filename=\"notes.pdf\"")
        );
        assert_eq!(headers[http::header::ACCEPT_RANGES], "bytes");
        // The content hash is the ETag: a browser that has the file gets 304 and no body.
        let etag = headers[http::header::ETAG].to_str().unwrap().to_string();
        assert_eq!(etag, format!("\"{}\"", file_sha256(&state, file.id).await));
        let revalidate = http::Request::builder()
            .uri(file.url())
            .header(
                http::header::COOKIE,
                format!("lyceum_session={learner_token}"),
            )
            .header(http::header::IF_NONE_MATCH, &etag)
            .body(axum::body::Body::empty())
            .unwrap();
        let res = tower::ServiceExt::oneshot(app.clone(), revalidate)
            .await
            .unwrap();
        assert_eq!(res.status(), http::StatusCode::NOT_MODIFIED);
        assert_eq!(res.headers()[http::header::ETAG], etag.as_str());

        let (status, headers, body) =
            get(&app, &file.url(), &learner_token, Some("bytes=0-7")).await;
        assert_eq!(status, http::StatusCode::PARTIAL_CONTENT);
        assert_eq!(body, b"%PDF-1.7");
        assert_eq!(headers[http::header::CONTENT_RANGE], "bytes 0-7/2000");
        // The name in the address is only for people.
        let (status, _, body) = get(
            &app,
            &format!("/files/{}/anything.bin", file.id),
            &learner_token,
            Some("bytes=1990-"),
        )
        .await;
        assert_eq!(status, http::StatusCode::PARTIAL_CONTENT);
        assert_eq!(body.len(), 10);

        let (status, _, body) = get(&app, &file.url(), &outsider_token, None).await;
        assert_eq!(status, http::StatusCode::NOT_FOUND);
        assert!(!body.starts_with(b"%PDF"));
        let (status, _, _) = get(&app, &file.url(), "not-a-session", None).await;
        assert_eq!(status, http::StatusCode::UNAUTHORIZED);
        let (status, _, _) = get(
            &app,
            &format!("/files/{}/x.pdf", file.id + 1000),
            &learner_token,
            None,
        )
        .await;
        assert_eq!(status, http::StatusCode::NOT_FOUND);
    }
);

db_test!(
    a_category_cannot_move_under_one_that_does_not_exist,
    |state| {
        let root = admin(&state).await;
        let tree = category_tree(&state, &root).await;

        let err = service::save_category(
            &state,
            &root,
            Some(tree.arts),
            "Arts",
            &(tree.genetics + 1000).to_string(),
        )
        .await
        .unwrap_err();
        let bad_new = service::save_category(
            &state,
            &root,
            None,
            "Orphan",
            &(tree.genetics + 1000).to_string(),
        )
        .await
        .unwrap_err();

        assert!(err.field("parent_id").is_some(), "{err:?}");
        assert!(bad_new.field("parent_id").is_some(), "{bad_new:?}");
        assert_eq!(service::categories(&state).await.unwrap().len(), 4);
    }
);
