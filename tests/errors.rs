//! Errors on SQLite and PostgreSQL: a write that breaks a unique or foreign-key constraint is
//! answered with a message on the field at fault (`error::constraint_error`), whichever database
//! words the violation.

use lyceum::auth::permissions::Actor;
use lyceum::courses::model::CourseForm;
use lyceum::db_test;
use lyceum::error::AppError;
use lyceum::state::AppState;
use lyceum::testing::user_with_roles;
use lyceum::users::model::Role;

async fn admin(state: &AppState) -> Actor {
    user_with_roles(state, "admin@example.com", &[Role::Administrator]).await
}

fn course(code: &str) -> CourseForm {
    CourseForm {
        code: code.into(),
        title: "A course".into(),
        ..Default::default()
    }
}

/// The field message, or a failure naming what came instead.
fn field_message(result: Result<impl std::fmt::Debug, AppError>, field: &str) -> String {
    match result {
        Err(err) => err
            .field(field)
            .unwrap_or_else(|| panic!("expected a message on {field:?}, got {err:?}")),
        Ok(v) => panic!("expected a message on {field:?}, got {v:?}"),
    }
}

db_test!(a_course_code_in_use_is_a_field_message, |state| {
    let admin = admin(&state).await;
    lyceum::enrolments::service::create_course(&state, &admin, &course("BIO-1"))
        .await
        .unwrap();
    let again = lyceum::enrolments::service::create_course(&state, &admin, &course("bio-1")).await;
    assert!(field_message(again, "code").contains("already uses this code"));
});

db_test!(
    a_category_name_in_use_or_a_missing_parent_is_a_field_message,
    |state| {
        use lyceum::courses::service::save_category;
        let admin = admin(&state).await;
        save_category(&state, &admin, None, "Science", "")
            .await
            .unwrap();
        let again = save_category(&state, &admin, None, "SCIENCE", "").await;
        assert!(field_message(again, "name").contains("already exists"));
        let orphan = save_category(&state, &admin, None, "Physics", "999999").await;
        assert!(field_message(orphan, "parent_id").contains("Choose a parent category"));
    }
);

db_test!(
    a_cohort_name_in_use_or_a_missing_cohort_is_a_field_message,
    |state| {
        use lyceum::enrolments::cohorts;
        let admin = admin(&state).await;
        cohorts::create(&state, &admin, "Year 9", "").await.unwrap();
        let again = cohorts::create(&state, &admin, "year 9", "").await;
        assert!(field_message(again, "name").contains("already exists"));
        let course = lyceum::enrolments::service::create_course(&state, &admin, &course("C-1"))
            .await
            .unwrap();
        let missing = cohorts::link(&state, &admin, course.id, 999_999).await;
        assert!(field_message(missing, "cohort_id").contains("Choose a cohort"));
    }
);

db_test!(a_grade_category_name_in_use_is_a_field_message, |state| {
    use lyceum::grading::service::add_category;
    let admin = admin(&state).await;
    let course = lyceum::enrolments::service::create_course(&state, &admin, &course("C-2"))
        .await
        .unwrap();
    add_category(&state, &admin, course.id, "Homework", 0.0, 0)
        .await
        .unwrap();
    let again = add_category(&state, &admin, course.id, "homework", 0.0, 0).await;
    assert!(field_message(again, "name").contains("already a category"));
});
