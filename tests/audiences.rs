//! Audiences on SQLite and PostgreSQL: rules over profiles, roles, cohorts and reporting lines,
//! membership that follows profile changes, the editor's checks and who may use them.

use lyceum::audiences::model::{AudienceForm, RuleForm, value_field};
use lyceum::audiences::service as audiences;
use lyceum::auth::permissions::Actor;
use lyceum::db_test;
use lyceum::error::AppError;
use lyceum::state::AppState;
use lyceum::testing::user_with_roles;
use lyceum::users::model::Role;
use lyceum::users::profile::ProfileForm;
use lyceum::users::profile_service as profiles;

fn rule(field: &str, op: &str, value: &str) -> RuleForm {
    RuleForm {
        field: field.into(),
        op: op.into(),
        value: value.into(),
    }
}

fn audience(name: &str, match_all: bool, rules: Vec<RuleForm>) -> AudienceForm {
    AudienceForm {
        name: name.into(),
        description: String::new(),
        match_all,
        rules,
    }
}

struct Person<'a> {
    email: &'a str,
    department: &'a str,
    job_title: &'a str,
    location: &'a str,
    manager: &'a str,
    hire_date: String,
}

async fn person(state: &AppState, admin: &Actor, p: Person<'_>) -> Actor {
    let actor = user_with_roles(state, p.email, &[Role::Learner]).await;
    profiles::save(
        state,
        admin,
        actor.id,
        &ProfileForm {
            department: p.department.into(),
            job_title: p.job_title.into(),
            location: p.location.into(),
            manager_email: p.manager.into(),
            hire_date: p.hire_date,
            ..Default::default()
        },
    )
    .await
    .unwrap();
    actor
}

/// The email addresses an audience holds now, in name order.
async fn emails(state: &AppState, admin: &Actor, id: i64) -> Vec<String> {
    let page = audiences::members(state, admin, id, 1).await.unwrap();
    assert_eq!(page.total as usize, page.items.len());
    let mut list: Vec<String> = page.items.into_iter().map(|m| m.email).collect();
    list.sort();
    list
}

fn days_ago(days: i64) -> String {
    (chrono::Utc::now().date_naive() - chrono::Duration::days(days))
        .format("%Y-%m-%d")
        .to_string()
}

db_test!(audiences_hold_whoever_matches_their_rules_now, |state| {
    let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
    let hugo = person(
        &state,
        &admin,
        Person {
            email: "hugo@example.com",
            department: "Board",
            job_title: "Head of Nursing",
            location: "North",
            manager: "",
            hire_date: days_ago(4000),
        },
    )
    .await;
    let lea = person(
        &state,
        &admin,
        Person {
            email: "lea@example.com",
            department: "Nursing",
            job_title: "Ward Manager",
            location: "North",
            manager: "hugo@example.com",
            hire_date: days_ago(400),
        },
    )
    .await;
    let nina = person(
        &state,
        &admin,
        Person {
            email: "nina@example.com",
            department: "nursing",
            job_title: "Staff nurse",
            location: "North",
            manager: "lea@example.com",
            hire_date: days_ago(10),
        },
    )
    .await;
    let _sam = person(
        &state,
        &admin,
        Person {
            email: "sam@example.com",
            department: "Nursing",
            job_title: "Staff nurse",
            location: "South",
            manager: "",
            hire_date: days_ago(91),
        },
    )
    .await;

    // "Department is Nursing and location is North": case does not matter.
    let north = audiences::save(
        &state,
        &admin,
        None,
        &audience(
            "North nurses",
            true,
            vec![
                rule("department", "is", "NURSING"),
                rule("location", "is", "North"),
            ],
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        emails(&state, &admin, north).await,
        ["lea@example.com", "nina@example.com"]
    );

    // "Job title contains Manager", "hired in the last 90 days" (91 days ago is out).
    let managers = audiences::save(
        &state,
        &admin,
        None,
        &audience(
            "Managers",
            true,
            vec![rule("job_title", "contains", "manager")],
        ),
    )
    .await
    .unwrap();
    assert_eq!(emails(&state, &admin, managers).await, ["lea@example.com"]);
    let new_starters = audiences::save(
        &state,
        &admin,
        None,
        &audience(
            "New starters",
            true,
            vec![rule("hire_date", "within_days", "90")],
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        emails(&state, &admin, new_starters).await,
        ["nina@example.com"]
    );

    // Reporting lines: Hugo's direct report is Lea; with indirect ones, Nina too.
    let direct = audiences::save(
        &state,
        &admin,
        None,
        &audience(
            "Hugo's team",
            true,
            vec![rule("manager", "directly", "HUGO@example.com")],
        ),
    )
    .await
    .unwrap();
    assert_eq!(emails(&state, &admin, direct).await, ["lea@example.com"]);
    let whole = audiences::save(
        &state,
        &admin,
        None,
        &audience(
            "Under Hugo",
            true,
            vec![rule("manager", "indirectly", "hugo@example.com")],
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        emails(&state, &admin, whole).await,
        ["lea@example.com", "nina@example.com"]
    );

    // Roles and cohorts, matched with "any".
    let cohort = lyceum::enrolments::cohorts::create(&state, &admin, "Fire wardens", "")
        .await
        .unwrap();
    lyceum::enrolments::cohorts::add_members(&state, &admin, cohort, "sam@example.com")
        .await
        .unwrap();
    let either = audiences::save(
        &state,
        &admin,
        None,
        &audience(
            "Wardens or admins",
            false,
            vec![
                rule("cohort", "in", &cohort.to_string()),
                rule("role", "has", "administrator"),
            ],
        ),
    )
    .await
    .unwrap();
    assert_eq!(
        emails(&state, &admin, either).await,
        ["admin@example.com", "sam@example.com"]
    );

    // Membership follows a profile change at once: Nina moves South.
    profiles::save(
        &state,
        &admin,
        nina.id,
        &ProfileForm {
            department: "Nursing".into(),
            location: "South".into(),
            manager_email: "lea@example.com".into(),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(emails(&state, &admin, north).await, ["lea@example.com"]);

    // The list shows the rules in words and each audience's count now.
    let list = audiences::list(&state, &admin, 1).await.unwrap();
    assert_eq!(list.total, 6);
    let shown = list.items.iter().find(|a| a.id == either).unwrap();
    assert_eq!(shown.members, 2);
    assert_eq!(
        shown.rules_text,
        "Cohort includes the person “Fire wardens” or Site role includes “Administrator”"
    );
    let under = list.items.iter().find(|a| a.id == whole).unwrap();
    assert!(
        under.rules_text.contains("hugo@example.com"),
        "{}",
        under.rules_text
    );

    // The editor gets the rules back as typed (the manager by email, the cohort by id).
    let detail = audiences::detail(&state, &admin, whole).await.unwrap();
    assert_eq!(
        detail.form.rules[0],
        rule("manager", "indirectly", "hugo@example.com")
    );

    // A value that looks like SQL is only a value.
    let odd = audiences::preview(
        &state,
        &admin,
        &audience("", true, vec![rule("department", "is", "x' OR '1'='1")]),
        1,
    )
    .await
    .unwrap();
    assert_eq!(odd.total, 0);
    let _ = (hugo, lea);
});

db_test!(
    the_audience_editor_checks_what_it_is_given_and_who_asks,
    |state| {
        let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        let manager = user_with_roles(&state, "mo@example.com", &[Role::Manager]).await;
        let learner = user_with_roles(&state, "lu@example.com", &[Role::Learner]).await;
        let form = audience("Everyone", true, vec![rule("role", "has", "learner")]);
        let id = audiences::save(&state, &manager, None, &form)
            .await
            .unwrap();
        assert_eq!(
            audiences::members(&state, &admin, id, 1)
                .await
                .unwrap()
                .total,
            1
        );
        let taken = audiences::save(
            &state,
            &admin,
            None,
            &audience("EVERYONE", true, vec![rule("role", "has", "learner")]),
        )
        .await
        .unwrap_err();
        assert!(taken.field("name").is_some(), "{taken:?}");
        let unknown = audiences::save(
            &state,
            &admin,
            None,
            &audience(
                "Ghost's team",
                true,
                vec![
                    rule("location", "is_empty", ""),
                    rule("manager", "directly", "ghost@example.com"),
                ],
            ),
        )
        .await
        .unwrap_err();
        assert!(unknown.field(&value_field(1)).is_some(), "{unknown:?}");
        for denied in [
            audiences::save(&state, &learner, None, &form)
                .await
                .map(|_| ()),
            audiences::members(&state, &learner, id, 1)
                .await
                .map(|_| ()),
            audiences::preview(&state, &learner, &form, 1)
                .await
                .map(|_| ()),
            audiences::list(&state, &learner, 1).await.map(|_| ()),
            audiences::delete(&state, &learner, id).await,
        ] {
            assert!(matches!(denied, Err(AppError::Forbidden)), "{denied:?}");
        }
        audiences::delete(&state, &admin, id).await.unwrap();
        assert!(matches!(
            audiences::detail(&state, &admin, id).await,
            Err(AppError::NotFound)
        ));
    }
);

db_test!(
    defined_profile_fields_are_checked_imported_exported_and_matched_by_rules,
    |state| {
        use lyceum::users::custom_field_service as fields;
        use lyceum::users::custom_fields::CustomFieldForm;
        use lyceum::users::import;
        let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        let manager = user_with_roles(&state, "mo@example.com", &[Role::Manager]).await;
        let define = |name: &str, kind: &str, choices: &str| CustomFieldForm {
            name: name.into(),
            label: name.replace('_', " "),
            kind: kind.into(),
            choices: choices.into(),
            ..Default::default()
        };
        // Only administrators define fields; whoever edits people reads them.
        assert!(matches!(
            fields::save(
                &state,
                &manager,
                None,
                &define("shift", "choice", "Day\nNight")
            )
            .await,
            Err(AppError::Forbidden)
        ));
        let shift = fields::save(
            &state,
            &admin,
            None,
            &define("shift", "choice", "Day\nNight"),
        )
        .await
        .unwrap();
        let licence = fields::save(
            &state,
            &admin,
            None,
            &CustomFieldForm {
                visible_to_user: false,
                ..define("licence_expiry", "date", "")
            },
        )
        .await
        .unwrap();
        fields::save(&state, &admin, None, &define("first_aider", "yes_no", ""))
            .await
            .unwrap();
        assert!(
            fields::save(&state, &admin, None, &define("shift", "text", ""))
                .await
                .unwrap_err()
                .field("name")
                .is_some()
        );
        assert_eq!(fields::list(&state, &manager).await.unwrap().len(), 3);

        // A profile takes the values in their one written form, and refuses what does not fit.
        let nina = user_with_roles(&state, "nina@example.com", &[Role::Learner]).await;
        let custom = |pairs: &[(&str, &str)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<std::collections::BTreeMap<_, _>>()
        };
        let saved = profiles::save(
            &state,
            &admin,
            nina.id,
            &ProfileForm {
                custom: custom(&[
                    ("shift", "night"),
                    ("first_aider", "Y"),
                    ("licence_expiry", "2025-01-31"),
                ]),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(saved.custom["shift"], "Night");
        assert_eq!(saved.custom["first_aider"], "yes");
        let bad = profiles::save(
            &state,
            &admin,
            nina.id,
            &ProfileForm {
                custom: custom(&[("shift", "dusk"), ("shoe_size", "9")]),
                ..Default::default()
            },
        )
        .await
        .unwrap_err();
        assert!(bad.field("custom.shift").unwrap().contains("Day, Night"));
        assert!(bad.field("custom.shoe_size").is_some());

        // The import reads the fields' columns; the export writes them.
        let csv = "email,name,shift,licence_expiry\nsam@example.com,Sam,day,2026-06-30\nnina@example.com,Test nina,Night,2025-01-31\n";
        let preview = import::preview(&state, &admin, csv).await.unwrap();
        assert_eq!(preview.error_rows, 0, "{:?}", preview.rows);
        assert_eq!(
            preview.rows[0].profile,
            "shift: day; licence expiry: 2026-06-30"
        );
        import::apply(&state, &admin, csv).await.unwrap();
        let dusk = import::preview(
            &state,
            &admin,
            "email,name,shift\nsam@example.com,Sam,dusk\n",
        )
        .await
        .unwrap();
        assert!(
            dusk.rows[0].errors[0].contains("shift must be one of"),
            "{:?}",
            dusk.rows
        );
        let export = import::export_csv(&state, &admin).await.unwrap();
        assert!(
            export
                .lines()
                .next()
                .unwrap()
                .ends_with("hire_date,shift,licence_expiry,first_aider")
        );
        assert!(export.contains(",Day,2026-06-30,"), "{export}");

        // Rules over defined fields: a choice, a date.
        let nights = audiences::save(
            &state,
            &admin,
            None,
            &audience(
                "Night shift",
                true,
                vec![rule("custom.shift", "is", "Night")],
            ),
        )
        .await
        .unwrap();
        assert_eq!(emails(&state, &admin, nights).await, ["nina@example.com"]);
        let lapsing = audiences::save(
            &state,
            &admin,
            None,
            &audience(
                "Licence lapses before 2026",
                true,
                vec![rule("custom.licence_expiry", "before", "2026-01-01")],
            ),
        )
        .await
        .unwrap();
        assert_eq!(emails(&state, &admin, lapsing).await, ["nina@example.com"]);
        let unknown = audiences::preview(
            &state,
            &admin,
            &audience("", true, vec![rule("custom.shoe_size", "is", "9")]),
            1,
        )
        .await
        .unwrap_err();
        assert!(unknown.field("rules.0.field").is_some());
        let list = audiences::list(&state, &admin, 1).await.unwrap();
        assert!(
            list.items
                .iter()
                .any(|a| a.rules_text == "shift is “Night”"),
            "{:?}",
            list.items
        );

        // The person sees the fields shown to them, not the others.
        let own = profiles::own(&state, &nina).await.unwrap();
        assert!(own.contains(&("shift".into(), "Night".into())), "{own:?}");
        assert!(
            !own.iter().any(|(label, _)| label == "licence expiry"),
            "{own:?}"
        );

        // Deleting a field deletes its values; a rule on it then holds nobody.
        fields::delete(&state, &admin, shift.id).await.unwrap();
        assert!(
            !profiles::profile(&state, &admin, nina.id)
                .await
                .unwrap()
                .custom
                .contains_key("shift")
        );
        assert!(emails(&state, &admin, nights).await.is_empty());
        let _ = licence;
    }
);
