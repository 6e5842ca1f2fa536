//! User administration on SQLite and PostgreSQL.

use lyceum::audit::model::AuditQuery;
use lyceum::auth::permissions::Actor;
use lyceum::db_test;
use lyceum::error::AppError;
use lyceum::state::AppState;
use lyceum::testing::{PASSWORD, user_with_roles};
use lyceum::users::model::{Role, UserForm, UserQuery, UserSort, UserStatus};
use lyceum::users::{import, service};

fn form(email: &str, name: &str, roles: &[&str]) -> UserForm {
    UserForm {
        email: email.into(),
        name: name.into(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
        password: String::new(),
    }
}

async fn admin(state: &AppState) -> Actor {
    user_with_roles(state, "root@example.com", &[Role::Administrator]).await
}

db_test!(admin_creates_a_user_and_the_audit_log_records_it, |state| {
    let admin = admin(&state).await;
    let user = service::create(
        &state,
        &admin,
        &form("Ada@Example.com", "Ada Lovelace", &["instructor"]),
    )
    .await
    .unwrap();
    assert_eq!(user.email, "ada@example.com");
    assert_eq!(user.roles, vec![Role::Instructor]);
    let log = lyceum::audit::list(
        &state.db,
        &admin,
        &AuditQuery {
            action: "user.create".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    let entry = log
        .items
        .iter()
        .find(|e| e.target_id == Some(user.id))
        .expect("an audit entry");
    assert_eq!(entry.actor_id, Some(admin.id));
    assert!(
        entry
            .after_state
            .as_deref()
            .unwrap()
            .contains("ada@example.com")
    );
});

db_test!(
    a_user_created_without_password_gets_a_welcome_email,
    |state| {
        let admin = admin(&state).await;
        service::create(&state, &admin, &form("new@example.com", "New Person", &[]))
            .await
            .unwrap();
        let outbox = lyceum::mail::list_outbox(&state.db, &admin, 1)
            .await
            .unwrap();
        assert_eq!(outbox.items[0].to_address, "new@example.com");
        assert!(outbox.items[0].body.contains("/reset-password?token="));
    }
);

db_test!(
    duplicate_email_is_a_field_error_whatever_its_case,
    |state| {
        let admin = admin(&state).await;
        service::create(&state, &admin, &form("dup@example.com", "One", &[]))
            .await
            .unwrap();
        let err = service::create(&state, &admin, &form("DUP@example.com", "Two", &[]))
            .await
            .unwrap_err();
        assert!(err.field("email").unwrap().contains("already exists"));
    }
);

db_test!(bad_input_reports_every_field, |state| {
    let admin = admin(&state).await;
    let err = service::create(&state, &admin, &form("nope", " ", &["wizard"]))
        .await
        .unwrap_err();
    assert!(err.field("email").is_some());
    assert!(err.field("name").is_some());
    assert!(err.field("roles").is_some());
});

db_test!(learner_cannot_list_create_or_change_users, |state| {
    let learner = user_with_roles(&state, "learner@example.com", &[Role::Learner]).await;
    assert_eq!(
        service::list(&state, &learner, &UserQuery::default())
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        service::create(&state, &learner, &form("x@example.com", "X", &[]))
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        service::get(&state, &learner, learner.id)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        service::delete(&state, &learner, learner.id + 1)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        import::export_csv(&state, &learner).await.unwrap_err(),
        AppError::Forbidden
    );
});

db_test!(manager_manages_learners_but_not_administrators, |state| {
    let admin = admin(&state).await;
    let manager = user_with_roles(&state, "manager@example.com", &[Role::Manager]).await;
    let learner = service::create(&state, &manager, &form("l@example.com", "L", &["learner"]))
        .await
        .unwrap();
    assert_eq!(
        service::create(
            &state,
            &manager,
            &form("a@example.com", "A", &["administrator"])
        )
        .await
        .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        service::update(
            &state,
            &manager,
            learner.id,
            &form("l@example.com", "L", &["manager"])
        )
        .await
        .unwrap_err(),
        AppError::Forbidden
    );
    assert_eq!(
        service::set_status(&state, &manager, admin.id, UserStatus::Suspended)
            .await
            .unwrap_err(),
        AppError::Forbidden
    );
    service::set_status(&state, &manager, learner.id, UserStatus::Suspended)
        .await
        .unwrap();
});

db_test!(the_user_table_searches_sorts_filters_and_pages, |state| {
    let admin = admin(&state).await;
    for i in 0..30 {
        let roles: &[&str] = if i % 3 == 0 {
            &["instructor"]
        } else {
            &["learner"]
        };
        service::create(
            &state,
            &admin,
            &form(
                &format!("person{i:02}@school.test"),
                &format!("Person {i:02}"),
                roles,
            ),
        )
        .await
        .unwrap();
    }
    let q = |search: &str| UserQuery {
        search: search.into(),
        ..Default::default()
    };
    assert_eq!(
        service::list(&state, &admin, &q("school.test"))
            .await
            .unwrap()
            .total,
        30
    );
    assert_eq!(
        service::list(&state, &admin, &q("PERSON 1"))
            .await
            .unwrap()
            .total,
        10
    );
    // LIKE wildcards in the search are matched literally.
    assert_eq!(
        service::list(&state, &admin, &q("%")).await.unwrap().total,
        0
    );

    let instructors = service::list(
        &state,
        &admin,
        &UserQuery {
            role: Some(Role::Instructor),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(instructors.total, 10);

    let page2 = service::list(
        &state,
        &admin,
        &UserQuery {
            search: "school".into(),
            sort: UserSort::Email,
            descending: true,
            page: 2,
            per_page: 10,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(page2.page_count(), 3);
    assert_eq!(page2.items.len(), 10);
    assert_eq!(page2.items[0].email, "person19@school.test");
});

db_test!(suspending_ends_sessions_and_blocks_sign_in, |state| {
    let admin = admin(&state).await;
    let learner = user_with_roles(&state, "s@example.com", &[Role::Learner]).await;
    let token = lyceum::auth::service::sign_in(
        &state,
        "s@example.com",
        PASSWORD,
        &lyceum::auth::throttle::Client::at("1.1.1.1"),
    )
    .await
    .unwrap()
    .session()
    .unwrap();
    let hash = lyceum::auth::tokens::hash(&token);
    assert!(
        lyceum::auth::service::actor_for_session(&state, &hash)
            .await
            .unwrap()
            .is_some()
    );

    service::set_status(&state, &admin, learner.id, UserStatus::Suspended)
        .await
        .unwrap();
    assert!(
        lyceum::auth::service::actor_for_session(&state, &hash)
            .await
            .unwrap()
            .is_none()
    );
    let err = lyceum::auth::service::sign_in(
        &state,
        "s@example.com",
        PASSWORD,
        &lyceum::auth::throttle::Client::at("1.1.1.1"),
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("suspended"));

    service::set_status(&state, &admin, learner.id, UserStatus::Active)
        .await
        .unwrap();
    lyceum::auth::service::sign_in(
        &state,
        "s@example.com",
        PASSWORD,
        &lyceum::auth::throttle::Client::at("1.1.1.1"),
    )
    .await
    .unwrap()
    .session()
    .unwrap();
});

db_test!(
    deleting_anonymises_personal_data_and_keeps_the_row,
    |state| {
        let admin = admin(&state).await;
        let learner = user_with_roles(&state, "gone@example.com", &[Role::Learner]).await;
        service::delete(&state, &admin, learner.id).await.unwrap();
        let row = service::get(&state, &admin, learner.id).await.unwrap();
        assert_eq!(row.status, UserStatus::Deleted);
        assert_eq!(row.name, "Deleted user");
        assert!(!row.email.contains("gone"));
        // The address is free again.
        service::create(&state, &admin, &form("gone@example.com", "Back Again", &[]))
            .await
            .unwrap();
        // Deleted people are not in the default list.
        let list = service::list(
            &state,
            &admin,
            &UserQuery {
                search: "deleted".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(list.total, 0);
    }
);

/// How many rows of the tables that keep people's traces (users, audit log, outbox, sign-in
/// attempts) contain `text`, whatever its case.
async fn rows_mentioning(state: &AppState, text: &str) -> i64 {
    let pattern = format!("%{}%", text.to_lowercase());
    lyceum::with_db!(&state.db, |p| {
        sqlx::query_scalar::<_, i64>(
        "SELECT (SELECT COUNT(*) FROM users WHERE LOWER(email) LIKE $1 OR LOWER(name) LIKE $1) \
         + (SELECT COUNT(*) FROM audit_log WHERE LOWER(actor_label) LIKE $1 OR LOWER(target_label) LIKE $1 \
            OR LOWER(COALESCE(before_state, '')) LIKE $1 OR LOWER(COALESCE(after_state, '')) LIKE $1) \
         + (SELECT COUNT(*) FROM outbox WHERE LOWER(to_address) LIKE $1 OR LOWER(subject) LIKE $1 \
            OR LOWER(body) LIKE $1 OR LOWER(COALESCE(last_error, '')) LIKE $1) \
         + (SELECT COUNT(*) FROM auth_attempts WHERE LOWER(account) LIKE $1)"
    )
    .bind(pattern)
    .fetch_one(p)
    .await
    .unwrap()
    })
}

/// Each audit entry as (id, action, actor id, target type, target id), in order.
async fn audit_events(state: &AppState) -> Vec<(i64, String, Option<i64>, String, Option<i64>)> {
    lyceum::with_db!(&state.db, |p| sqlx::query_as(
        "SELECT id, action, actor_id, target_type, target_id FROM audit_log ORDER BY id"
    )
    .fetch_all(p)
    .await
    .unwrap())
}

db_test!(
    deleting_a_user_scrubs_their_name_and_email_everywhere_and_keeps_the_events,
    |state| {
        let admin = admin(&state).await;
        let client = lyceum::auth::throttle::Client::at("10.0.0.7");
        // Ada had another address and name first: the log remembers both.
        let ada = service::create(
            &state,
            &admin,
            &form("ada@old.example", "Ada Byron", &["administrator"]),
        )
        .await
        .unwrap();
        lyceum::auth::service::request_password_reset(&state, "ada@old.example", &client)
            .await
            .unwrap();
        service::update(
            &state,
            &admin,
            ada.id,
            &form("ada@example.com", "Ada Lovelace", &["administrator"]),
        )
        .await
        .unwrap();
        // Mail to her, and a failed sign-in with each address.
        service::send_reset(&state, &admin, ada.id).await.unwrap();
        for email in ["ada@example.com", "Ada@Old.Example"] {
            lyceum::auth::service::sign_in(&state, email, "not her password", &client)
                .await
                .unwrap_err();
        }
        // What she did as an administrator names her as the actor, and Grace as the target.
        let ada_actor = Actor {
            id: ada.id,
            name: "Ada Lovelace".into(),
            email: "ada@example.com".into(),
            roles: vec![Role::Administrator],
        };
        let grace = service::create(
            &state,
            &ada_actor,
            &form("grace@example.com", "Grace Hopper", &[]),
        )
        .await
        .unwrap();
        for trace in [
            "ada@example.com",
            "ada@old.example",
            "Ada Lovelace",
            "Ada Byron",
        ] {
            assert!(
                rows_mentioning(&state, trace).await > 0,
                "{trace} is not there to begin with"
            );
        }
        let events = audit_events(&state).await;
        let outbox = lyceum::mail::list_outbox(&state.db, &admin, 1)
            .await
            .unwrap();

        service::delete(&state, &admin, ada.id).await.unwrap();

        for trace in [
            "ada@example.com",
            "ada@old.example",
            "Ada Lovelace",
            "Ada Byron",
        ] {
            assert_eq!(
                rows_mentioning(&state, trace).await,
                0,
                "{trace} is still stored"
            );
        }
        // Every event stays as it was (who by id, what, about what), and the deletion is added.
        let after = audit_events(&state).await;
        assert_eq!(after.len(), events.len() + 1);
        assert_eq!(after[..events.len()], events[..]);
        assert_eq!(after.last().unwrap().1, "user.delete");
        // Her mail stays in the outbox, addressed to no one.
        let outbox_after = lyceum::mail::list_outbox(&state.db, &admin, 1)
            .await
            .unwrap();
        assert_eq!(outbox_after.total, outbox.total);
        let deleted = format!("deleted-{}@deleted.invalid", ada.id);
        assert_eq!(
            outbox_after
                .items
                .iter()
                .filter(|m| m.to_address == deleted)
                .count(),
            3,
            "{:?}",
            outbox_after.items
        );
        // Other people's data is left alone: Grace is still in the entry Ada made.
        let log = lyceum::audit::list(
            &state.db,
            &admin,
            &AuditQuery {
                action: "user.create".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let created_grace = log
            .items
            .iter()
            .find(|e| e.target_id == Some(grace.id))
            .unwrap();
        assert_eq!(created_grace.actor_id, Some(ada.id));
        assert_eq!(
            created_grace.actor_label,
            format!("Deleted user <{deleted}>")
        );
        assert_eq!(created_grace.target_label, "grace@example.com");
        assert!(
            created_grace
                .after_state
                .as_deref()
                .unwrap()
                .contains("Grace Hopper")
        );
        assert!(rows_mentioning(&state, "grace@example.com").await > 0);
    }
);

db_test!(the_last_administrator_cannot_be_removed, |state| {
    let admin = admin(&state).await;
    let other = user_with_roles(&state, "helper@example.com", &[Role::Administrator]).await;
    // Two admins: demoting one is fine.
    service::update(
        &state,
        &admin,
        other.id,
        &form("helper@example.com", "Helper", &["learner"]),
    )
    .await
    .unwrap();
    // Now `admin` is the last: nobody may suspend, demote or delete them (they cannot act on themselves either).
    let err = service::update(
        &state,
        &admin,
        admin.id,
        &form(&admin.email, "Root", &["learner"]),
    )
    .await
    .unwrap_err();
    assert!(matches!(err, AppError::Conflict(_)));
    assert!(matches!(
        service::delete(&state, &admin, admin.id).await.unwrap_err(),
        AppError::Conflict(_)
    ));
});

db_test!(import_with_one_bad_row_imports_nothing, |state| {
    let admin = admin(&state).await;
    let csv = "email,name,roles\ngood@example.com,Good,learner\nbroken,Bad,learner\nthird@example.com,Third,teacher\n";
    let preview = import::preview(&state, &admin, csv).await.unwrap();
    assert_eq!(preview.error_rows, 2);
    assert_eq!(preview.rows[1].line, 3);
    assert!(preview.rows[1].errors[0].contains("email"));
    assert!(preview.rows[2].errors[0].contains("teacher"));
    assert!(import::apply(&state, &admin, csv).await.is_err());
    let list = service::list(
        &state,
        &admin,
        &UserQuery {
            search: "good@".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(list.total, 0);
});

db_test!(import_creates_updates_and_leaves_unchanged, |state| {
    let admin = admin(&state).await;
    service::create(
        &state,
        &admin,
        &form("same@example.com", "Same", &["learner"]),
    )
    .await
    .unwrap();
    service::create(
        &state,
        &admin,
        &form("change@example.com", "Old Name", &["learner"]),
    )
    .await
    .unwrap();
    let csv = "Email,Name,Roles\nsame@example.com,Same,learner\nchange@example.com,New Name,learner;instructor\nfresh@example.com,Fresh,\n";
    let outcome = import::apply(&state, &admin, csv).await.unwrap();
    assert_eq!(
        (outcome.created, outcome.updated, outcome.unchanged),
        (1, 1, 1)
    );
    let changed = service::list(
        &state,
        &admin,
        &UserQuery {
            search: "change@".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(changed.items[0].name, "New Name");
    assert_eq!(
        changed.items[0].roles,
        vec![Role::Instructor, Role::Learner]
    );
});

db_test!(import_refuses_duplicate_rows_and_missing_columns, |state| {
    let admin = admin(&state).await;
    let preview = import::preview(
        &state,
        &admin,
        "email,name\na@example.com,A\nA@example.com,A again\n",
    )
    .await
    .unwrap();
    assert!(preview.rows[1].errors[0].contains("line 2"));
    let err = import::preview(&state, &admin, "mail,fullname\nx,y\n")
        .await
        .unwrap_err();
    assert!(err.field("file").is_some());
});

db_test!(export_writes_every_user_as_csv, |state| {
    let admin = admin(&state).await;
    service::create(
        &state,
        &admin,
        &form("c1@example.com", "Comma, Person", &["learner"]),
    )
    .await
    .unwrap();
    let csv = import::export_csv(&state, &admin).await.unwrap();
    assert!(csv.starts_with("id,email,name,roles,status"));
    assert!(csv.contains("\"Comma, Person\""));
    assert_eq!(csv.lines().count(), 3);
});

db_test!(
    search_follows_renames_and_finds_short_and_partial_text,
    |state| {
        let admin = admin(&state).await;
        let user = service::create(
            &state,
            &admin,
            &form("grace@navy.test", "Grace Hopper", &[]),
        )
        .await
        .unwrap();
        let q = |search: &str| UserQuery {
            search: search.into(),
            ..Default::default()
        };
        assert_eq!(
            service::list(&state, &admin, &q("hopp"))
                .await
                .unwrap()
                .total,
            1
        );
        assert_eq!(
            service::list(&state, &admin, &q("NAVY.T"))
                .await
                .unwrap()
                .total,
            1
        );
        // Two characters: too short for the trigram index, still found.
        assert_eq!(
            service::list(&state, &admin, &q("gr")).await.unwrap().total,
            1
        );
        // Quotes cannot break the full-text query.
        assert_eq!(
            service::list(&state, &admin, &q("\"hopper"))
                .await
                .unwrap()
                .total,
            0
        );

        service::update(
            &state,
            &admin,
            user.id,
            &form("grace@navy.test", "Grace Brewster", &[]),
        )
        .await
        .unwrap();
        assert_eq!(
            service::list(&state, &admin, &q("hopper"))
                .await
                .unwrap()
                .total,
            0
        );
        assert_eq!(
            service::list(&state, &admin, &q("brewster"))
                .await
                .unwrap()
                .total,
            1
        );
        service::delete(&state, &admin, user.id).await.unwrap();
        assert_eq!(
            service::list(&state, &admin, &q("brewster"))
                .await
                .unwrap()
                .total,
            0
        );
    }
);

db_test!(counting_stops_at_the_cap_for_broad_filters, |state| {
    let admin = admin(&state).await;
    let n = lyceum::users::store::COUNT_CAP + 5;
    lyceum::with_db_write!(&state.db, |p| sqlx::query(
        "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < $1) \
         INSERT INTO users (email, name, status, created_at, updated_at) \
         SELECT 'bulk' || i || '@bulk.test', 'Bulk ' || i, 'active', 0, 0 FROM seq"
    )
    .bind(n)
    .execute(p)
    .await
    .unwrap()
    .rows_affected());
    let page = service::list(&state, &admin, &UserQuery::default())
        .await
        .unwrap();
    assert_eq!(page.total, lyceum::users::store::COUNT_CAP);
    assert!(page.total_capped);
    assert_eq!(page.items.len(), 25);
    // "Bulk 100", "Bulk 1000".."Bulk 1009" and "Bulk 10000".."Bulk 10005".
    let narrow = service::list(
        &state,
        &admin,
        &UserQuery {
            search: "bulk 100".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert!(!narrow.total_capped);
    assert_eq!(narrow.total, 1 + 10 + 6);
});

db_test!(
    a_profile_records_the_organisation_and_the_reporting_line_has_no_loops,
    |state| {
        use lyceum::users::profile::ProfileForm;
        use lyceum::users::profile_service as profiles;
        let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        let nurse = user_with_roles(&state, "nina@example.com", &[Role::Learner]).await;
        let lead = user_with_roles(&state, "lea@example.com", &[Role::Learner]).await;
        let head = user_with_roles(&state, "hugo@example.com", &[Role::Learner]).await;
        let form = |employee_id: &str, manager: &str| ProfileForm {
            employee_id: employee_id.into(),
            department: "Nursing".into(),
            job_title: "Staff nurse".into(),
            manager_email: manager.into(),
            location: "North".into(),
            hire_date: "2024-02-29".into(),
            custom: Default::default(),
        };
        // Nobody recorded anything yet.
        let empty = profiles::profile(&state, &admin, nurse.id).await.unwrap();
        assert_eq!(empty.employee_id, None);
        let saved = profiles::save(&state, &admin, nurse.id, &form("E-1", " LEA@example.com "))
            .await
            .unwrap();
        assert_eq!(saved.employee_id.as_deref(), Some("E-1"));
        assert_eq!(saved.department, "Nursing");
        assert_eq!(saved.hire_date.as_deref(), Some("2024-02-29"));
        assert_eq!(saved.manager.as_ref().map(|m| m.id), Some(lead.id));
        assert_eq!(
            profiles::profile(&state, &admin, nurse.id).await.unwrap(),
            saved
        );
        profiles::save(&state, &admin, lead.id, &form("E-2", "hugo@example.com"))
            .await
            .unwrap();

        // Each rule has its field's message.
        let field =
            |err: AppError, name: &str| err.field(name).unwrap_or_else(|| panic!("{err:?}"));
        let taken = profiles::save(&state, &admin, head.id, &form("E-1", ""))
            .await
            .unwrap_err();
        assert!(field(taken, "employee_id").contains("Another person"));
        let own = profiles::save(&state, &admin, head.id, &form("E-3", "hugo@example.com"))
            .await
            .unwrap_err();
        assert!(field(own, "manager_email").contains("own manager"));
        // Hugo manages Lea, who manages Nina: Nina cannot become Hugo's manager.
        let looped = profiles::save(&state, &admin, head.id, &form("E-3", "nina@example.com"))
            .await
            .unwrap_err();
        assert!(field(looped, "manager_email").contains("reports to"));
        let unknown = profiles::save(&state, &admin, head.id, &form("E-3", "nobody@example.com"))
            .await
            .unwrap_err();
        assert!(field(unknown, "manager_email").contains("No account"));
        let date = profiles::save(
            &state,
            &admin,
            head.id,
            &ProfileForm {
                hire_date: "2023-02-29".into(),
                ..form("E-3", "")
            },
        )
        .await
        .unwrap_err();
        assert!(field(date, "hire_date").contains("YYYY-MM-DD"));
        // None of the refused saves left anything.
        assert_eq!(
            profiles::profile(&state, &admin, head.id)
                .await
                .unwrap()
                .employee_id,
            None
        );

        // Who may: people who manage users; not learners.
        assert_eq!(
            profiles::profile(&state, &nurse, lead.id)
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        assert_eq!(
            profiles::save(&state, &nurse, nurse.id, &form("E-9", ""))
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        let manager = user_with_roles(&state, "mo@example.com", &[Role::Manager]).await;
        profiles::save(&state, &manager, head.id, &form("E-3", ""))
            .await
            .unwrap();
        // A manager may not change an administrator's record.
        assert_eq!(
            profiles::save(&state, &manager, admin.id, &form("E-4", ""))
                .await
                .unwrap_err(),
            AppError::Forbidden
        );

        // Deleting Lea's account drops her profile, and Nina reports to nobody now.
        lyceum::users::service::delete(&state, &admin, lead.id)
            .await
            .unwrap();
        assert_eq!(
            profiles::profile(&state, &admin, nurse.id)
                .await
                .unwrap()
                .manager,
            None
        );
        assert_eq!(
            profiles::profile(&state, &admin, lead.id)
                .await
                .unwrap_err(),
            AppError::NotFound
        );
    }
);

db_test!(the_rest_api_reads_and_replaces_a_profile, |state| {
    use crate::support::{api, send};
    use http::{Method, StatusCode};
    let app = lyceum::http::router(state.clone());
    let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
    let nurse = user_with_roles(&state, "nina@example.com", &[Role::Learner]).await;
    user_with_roles(&state, "lea@example.com", &[Role::Learner]).await;
    let token = lyceum::auth::service::create_api_token(&state, &admin, "HR")
        .await
        .unwrap()
        .secret;
    let path = format!("/users/{}/profile", nurse.id);
    let body = r#"{"employee_id":"E-7","department":"Nursing","manager_email":"lea@example.com","hire_date":"2020-01-31"}"#;
    let put = send(&app, api(Method::PUT, &path, Some(&token), Some(body))).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let got = send(&app, api(Method::GET, &path, Some(&token), None)).await;
    assert_eq!(got.status, StatusCode::OK);
    let json: serde_json::Value = serde_json::from_str(&got.body).unwrap();
    assert_eq!(json["employee_id"], "E-7");
    assert_eq!(json["manager_email"], "lea@example.com");
    assert_eq!(json["hire_date"], "2020-01-31");
    // PUT replaces the whole profile: what is left out is recorded as empty.
    let put = send(
        &app,
        api(
            Method::PUT,
            &path,
            Some(&token),
            Some(r#"{"job_title":"Nurse"}"#),
        ),
    )
    .await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    let json: serde_json::Value = serde_json::from_str(&put.body).unwrap();
    assert_eq!(
        (json["job_title"].as_str(), json["department"].as_str()),
        (Some("Nurse"), Some(""))
    );
    assert!(json["manager_id"].is_null());
    // A rule's message names its field; an unknown field and a learner's token are refused.
    let bad = send(
        &app,
        api(
            Method::PUT,
            &path,
            Some(&token),
            Some(r#"{"manager_email":"nobody@example.com"}"#),
        ),
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body.contains(r#""field":"manager_email""#),
        "{}",
        bad.body
    );
    let unknown = send(
        &app,
        api(
            Method::PUT,
            &path,
            Some(&token),
            Some(r#"{"shoe_size":44}"#),
        ),
    )
    .await;
    assert!(unknown.status.is_client_error(), "{}", unknown.body);
    let learner_token = lyceum::auth::service::create_api_token(&state, &nurse, "mine")
        .await
        .unwrap()
        .secret;
    let mine = send(&app, api(Method::GET, &path, Some(&learner_token), None)).await;
    assert_eq!(mine.status, StatusCode::FORBIDDEN);
});

db_test!(
    an_import_sets_profiles_names_managers_in_the_file_and_refuses_loops,
    |state| {
        use lyceum::users::profile_service as profiles;
        let admin = admin(&state).await;
        let head = service::create(&state, &admin, &form("head@example.com", "Hugo Head", &[]))
            .await
            .unwrap();
        // Lea is created by the file and manages Nina, also created by it; Hugo manages Lea.
        let csv = "email,name,roles,employee_id,department,manager_email,hire_date\n\
            nina@example.com,Nina Nurse,learner,E-1,Nursing,lea@example.com,2024-02-29\n\
            lea@example.com,Lea Lead,learner,E-2,Nursing,HEAD@example.com,\n\
            head@example.com,Hugo Head,,E-3,Board,,\n";
        let preview = import::preview(&state, &admin, csv).await.unwrap();
        assert_eq!(preview.error_rows, 0, "{:?}", preview.rows);
        assert_eq!(
            preview.rows[0].profile,
            "Employee id: E-1; Department: Nursing; Manager: lea@example.com; Hire date: 2024-02-29"
        );
        assert_eq!((preview.creates, preview.updates), (2, 1));
        let outcome = import::apply(&state, &admin, csv).await.unwrap();
        assert_eq!((outcome.created, outcome.updated), (2, 1));
        let nina = service::list(
            &state,
            &admin,
            &UserQuery {
                search: "nina@".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .items[0]
            .clone();
        let profile = profiles::profile(&state, &admin, nina.id).await.unwrap();
        assert_eq!(profile.department, "Nursing");
        assert_eq!(profile.hire_date.as_deref(), Some("2024-02-29"));
        assert_eq!(profile.manager.unwrap().email, "lea@example.com");
        let hugo = profiles::profile(&state, &admin, head.id).await.unwrap();
        assert_eq!(
            (hugo.employee_id.as_deref(), hugo.department.as_str()),
            (Some("E-3"), "Board")
        );

        // The same file again changes nothing; a file without profile columns keeps them.
        let again = import::apply(&state, &admin, csv).await.unwrap();
        assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 3));
        import::apply(&state, &admin, "email,name\nnina@example.com,Nina Nurse\n")
            .await
            .unwrap();
        let kept = profiles::profile(&state, &admin, nina.id).await.unwrap();
        assert_eq!(kept.employee_id.as_deref(), Some("E-1"));

        // Hugo reporting to Nina would close a loop; an employee id held by another person, a
        // repeated one, a manager nobody has and a bad date are refused, naming the column.
        let bad = "email,name,employee_id,manager_email,hire_date\n\
            head@example.com,Hugo Head,E-1,nina@example.com,\n\
            new@example.com,New,E-9,ghost@example.com,\n\
            two@example.com,Two,E-8,,2023-02-29\n\
            three@example.com,Three,E-9,,\n";
        let preview = import::preview(&state, &admin, bad).await.unwrap();
        let errors = |line: usize| preview.rows[line].errors.join(" | ");
        assert!(
            errors(0).contains("another person has E-1"),
            "{}",
            errors(0)
        );
        assert!(
            errors(0).contains("would report to this person"),
            "{}",
            errors(0)
        );
        assert!(errors(1).contains("ghost@example.com"), "{}", errors(1));
        assert!(errors(2).contains("Hire date:"), "{}", errors(2));
        assert!(errors(3).contains("E-9 is also on line 3"), "{}", errors(3));
        assert!(import::apply(&state, &admin, bad).await.is_err());
        assert_eq!(
            profiles::profile(&state, &admin, head.id)
                .await
                .unwrap()
                .employee_id
                .as_deref(),
            Some("E-3")
        );

        // The export carries the profile columns, and reads back as "unchanged".
        let export = import::export_csv(&state, &admin).await.unwrap();
        assert!(
            export
                .lines()
                .next()
                .unwrap()
                .ends_with("employee_id,department,job_title,manager_email,location,hire_date")
        );
        assert!(
            export.contains("E-1,Nursing,,lea@example.com,,2024-02-29"),
            "{export}"
        );
        let round = import::preview(&state, &admin, &export).await.unwrap();
        assert_eq!(round.error_rows, 0, "{:?}", round.rows);
        assert_eq!(round.updates, 0);
    }
);
