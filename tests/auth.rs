//! Signing in, lockout, sessions, password reset, set-up, API tokens and settings, on both databases.

use lyceum::auth::service::{self as auth, PasswordChange};
use lyceum::auth::throttle::Client;
use lyceum::auth::tokens;
use lyceum::db_test;
use lyceum::error::AppError;
use lyceum::settings::SiteSettings;
use lyceum::testing::{PASSWORD, user_with_roles};
use lyceum::users::model::Role;
use lyceum::with_db_write;

db_test!(
    wrong_password_and_unknown_email_get_the_same_answer,
    |state| {
        user_with_roles(&state, "known@example.com", &[Role::Learner]).await;
        let wrong = auth::sign_in(
            &state,
            "known@example.com",
            "not the password",
            &Client::at("10.0.0.1"),
        )
        .await
        .unwrap_err();
        let unknown = auth::sign_in(
            &state,
            "nobody@example.com",
            "not the password",
            &Client::at("10.0.0.1"),
        )
        .await
        .unwrap_err();
        assert_eq!(wrong, unknown);
        assert!(wrong.to_string().contains("incorrect"));
    }
);

db_test!(
    five_failures_hold_back_that_client_but_not_the_owner_elsewhere,
    |state| {
        user_with_roles(&state, "target@example.com", &[Role::Learner]).await;
        let stranger = Client::at("10.0.0.2");
        for _ in 0..5 {
            let err = auth::sign_in(&state, "target@example.com", "guess", &stranger)
                .await
                .unwrap_err();
            assert!(matches!(err, AppError::Invalid(_)), "{err:?}");
        }
        // The stranger now waits, even with the right password…
        let err = auth::sign_in(&state, "target@example.com", PASSWORD, &stranger)
            .await
            .unwrap_err();
        assert!(
            // 30 seconds from the last failure: a loaded machine may take a second to get here.
            matches!(err, AppError::TooManyRequests(ref m) if m.contains("30 seconds") || m.contains("29 seconds")),
            "{err:?}"
        );
        // …but the owner, from another address, signs in.
        auth::sign_in(
            &state,
            "target@example.com",
            PASSWORD,
            &Client::at("10.0.0.3"),
        )
        .await
        .unwrap()
        .session()
        .unwrap();
    }
);

db_test!(known_and_unknown_accounts_are_held_back_alike, |state| {
    user_with_roles(&state, "known@example.com", &[Role::Learner]).await;
    for email in ["known@example.com", "ghost@example.com"] {
        let client = Client::at("10.0.0.5");
        for _ in 0..5 {
            auth::sign_in(&state, email, "guess", &client)
                .await
                .unwrap_err();
        }
        assert!(matches!(
            auth::sign_in(&state, email, "guess", &client)
                .await
                .unwrap_err(),
            AppError::TooManyRequests(_)
        ));
    }
});

db_test!(sessions_expire_after_inactivity, |state| {
    user_with_roles(&state, "idle@example.com", &[Role::Learner]).await;
    let token = auth::sign_in(
        &state,
        "idle@example.com",
        PASSWORD,
        &Client::at("10.0.0.7"),
    )
    .await
    .unwrap()
    .session()
    .unwrap();
    let hash = tokens::hash(&token);
    assert!(
        auth::actor_for_session(&state, &hash)
            .await
            .unwrap()
            .is_some()
    );
    let lifetime = SiteSettings::default().session_lifetime_minutes * 60;
    with_db_write!(&state.db, |p| sqlx::query(
        "UPDATE sessions SET last_seen_at = last_seen_at - $1"
    )
    .bind(lifetime + 1)
    .execute(p)
    .await
    .unwrap()
    .rows_affected());
    assert!(
        auth::actor_for_session(&state, &hash)
            .await
            .unwrap()
            .is_none()
    );
});

db_test!(signing_out_others_keeps_the_current_session, |state| {
    let actor = user_with_roles(&state, "many@example.com", &[Role::Learner]).await;
    let first = tokens::hash(
        &auth::sign_in(
            &state,
            "many@example.com",
            PASSWORD,
            &Client::at("10.0.0.8"),
        )
        .await
        .unwrap()
        .session()
        .unwrap(),
    );
    let second = tokens::hash(
        &auth::sign_in(
            &state,
            "many@example.com",
            PASSWORD,
            &Client::at("10.0.0.8"),
        )
        .await
        .unwrap()
        .session()
        .unwrap(),
    );
    assert_eq!(
        auth::list_sessions(&state, &actor, &first)
            .await
            .unwrap()
            .len(),
        2
    );
    auth::sign_out_others(&state, &actor, &first).await.unwrap();
    assert!(
        auth::actor_for_session(&state, &first)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        auth::actor_for_session(&state, &second)
            .await
            .unwrap()
            .is_none()
    );
});

fn token_from(body: &str) -> String {
    body.split("token=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

db_test!(a_password_reset_link_works_once, |state| {
    let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
    user_with_roles(&state, "forgetful@example.com", &[Role::Learner]).await;
    let client = Client::at("10.0.0.9");
    auth::request_password_reset(&state, "forgetful@example.com", &client)
        .await
        .unwrap();
    // Unknown addresses get the same answer and no email.
    auth::request_password_reset(&state, "unknown@example.com", &client)
        .await
        .unwrap();
    let outbox = lyceum::mail::list_outbox(&state.db, &admin, 1)
        .await
        .unwrap();
    let reset = outbox
        .items
        .iter()
        .find(|m| m.to_address == "forgetful@example.com" && m.subject.contains("Reset"))
        .unwrap();
    assert!(
        !outbox
            .items
            .iter()
            .any(|m| m.to_address == "unknown@example.com")
    );
    let token = token_from(&reset.body);

    let weak = auth::reset_password(&state, &token, "short", true)
        .await
        .unwrap_err();
    assert!(weak.field("password").is_some());
    auth::reset_password(&state, &token, "a brand new passphrase", true)
        .await
        .unwrap();
    assert!(
        auth::reset_password(&state, &token, "another new passphrase", true)
            .await
            .is_err()
    );
    auth::sign_in(
        &state,
        "forgetful@example.com",
        "a brand new passphrase",
        &Client::at("10.0.0.9"),
    )
    .await
    .unwrap()
    .session()
    .unwrap();
});

db_test!(
    changing_the_password_needs_the_current_one_and_signs_out_elsewhere,
    |state| {
        let actor = user_with_roles(&state, "change@example.com", &[Role::Learner]).await;
        let here = tokens::hash(
            &auth::sign_in(
                &state,
                "change@example.com",
                PASSWORD,
                &Client::at("10.0.1.1"),
            )
            .await
            .unwrap()
            .session()
            .unwrap(),
        );
        let there = tokens::hash(
            &auth::sign_in(
                &state,
                "change@example.com",
                PASSWORD,
                &Client::at("10.0.1.1"),
            )
            .await
            .unwrap()
            .session()
            .unwrap(),
        );
        let client = Client::at("10.0.1.1");
        let wrong = PasswordChange {
            current: "wrong",
            new: "a fresh passphrase",
            revoke_api_tokens: true,
        };
        let err = auth::change_password(&state, &actor, &wrong, &here, &client)
            .await
            .unwrap_err();
        assert!(err.field("current_password").is_some());
        let right = PasswordChange {
            current: PASSWORD,
            ..wrong
        };
        auth::change_password(&state, &actor, &right, &here, &client)
            .await
            .unwrap();
        assert!(
            auth::actor_for_session(&state, &here)
                .await
                .unwrap()
                .is_some()
        );
        assert!(
            auth::actor_for_session(&state, &there)
                .await
                .unwrap()
                .is_none()
        );
    }
);

db_test!(
    first_setup_needs_the_printed_token_and_works_once,
    |state| {
        let token = auth::prepare_setup(&state.db)
            .await
            .unwrap()
            .expect("a set-up token");
        let err = auth::complete_setup(
            &state,
            "wrong",
            "first@example.com",
            "First",
            "a good passphrase",
            &Client::at("ip"),
        )
        .await
        .unwrap_err();
        assert!(err.field("token").is_some());
        auth::complete_setup(
            &state,
            &token,
            "first@example.com",
            "First",
            "a good passphrase",
            &Client::at("ip"),
        )
        .await
        .unwrap();
        assert!(!auth::setup_needed(&state.db).await.unwrap());
        assert!(
            auth::complete_setup(
                &state,
                &token,
                "second@example.com",
                "Second",
                "a good passphrase",
                &Client::at("ip")
            )
            .await
            .is_err()
        );
    }
);

db_test!(self_registration_follows_the_site_setting, |state| {
    let err = auth::register(
        &state,
        "self@example.com",
        "Self",
        "a good passphrase",
        &Client::at("ip"),
    )
    .await
    .unwrap_err();
    assert_eq!(err, AppError::Forbidden);
    let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
    let open = SiteSettings {
        self_registration: true,
        ..SiteSettings::default()
    };
    lyceum::settings::service::update(&state, &admin, open)
        .await
        .unwrap();
    auth::register(
        &state,
        "self@example.com",
        "Self",
        "a good passphrase",
        &Client::at("ip"),
    )
    .await
    .unwrap();
});

db_test!(only_administrators_change_settings, |state| {
    let manager = user_with_roles(&state, "m@example.com", &[Role::Manager]).await;
    let err = lyceum::settings::service::update(&state, &manager, SiteSettings::default())
        .await
        .unwrap_err();
    assert_eq!(err, AppError::Forbidden);
});

db_test!(api_tokens_authenticate_until_revoked, |state| {
    let actor = user_with_roles(&state, "api@example.com", &[Role::Manager]).await;
    let created = auth::create_api_token(&state, &actor, "HR sync")
        .await
        .unwrap();
    assert!(created.secret.starts_with("lyc_"));
    let found = auth::actor_for_api_token(&state, &created.secret)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, actor.id);
    assert_eq!(
        auth::list_api_tokens(&state, &actor).await.unwrap().len(),
        1
    );
    auth::revoke_api_token(&state, &actor, created.info.id)
        .await
        .unwrap();
    assert!(
        auth::actor_for_api_token(&state, &created.secret)
            .await
            .unwrap()
            .is_none()
    );
    // Someone else's token cannot be revoked by id.
    let other = user_with_roles(&state, "other@example.com", &[Role::Learner]).await;
    let theirs = auth::create_api_token(&state, &other, "mine")
        .await
        .unwrap();
    assert_eq!(
        auth::revoke_api_token(&state, &actor, theirs.info.id)
            .await
            .unwrap_err(),
        AppError::NotFound
    );
});

db_test!(
    the_site_time_zone_must_exist_and_says_what_day_it_is,
    |state| {
        let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        let wrong = lyceum::settings::service::update(
            &state,
            &admin,
            SiteSettings {
                time_zone: "Mars/Olympus".into(),
                ..SiteSettings::default()
            },
        )
        .await
        .unwrap_err();
        assert!(wrong.field("time_zone").unwrap().contains("Mars/Olympus"));
        lyceum::settings::service::update(
            &state,
            &admin,
            SiteSettings {
                time_zone: "Pacific/Kiritimati".into(),
                ..SiteSettings::default()
            },
        )
        .await
        .unwrap();
        // Stored, not only cached.
        assert_eq!(
            lyceum::settings::service::get_value(&state.db, "time_zone")
                .await
                .unwrap()
                .as_deref(),
            Some("Pacific/Kiritimati")
        );
        // UTC+14: always a day ahead of (or level with) UTC.
        let today = lyceum::settings::service::today(&state).await.unwrap();
        let utc = chrono::Utc::now().date_naive();
        assert!(
            today == utc || today == utc.succ_opt().unwrap(),
            "{today} vs {utc}"
        );
    }
);
