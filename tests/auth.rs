//! Signing in, lockout, sessions, password reset, set-up, API tokens and settings, on both databases.

use lyceum::auth::model::MAX_FAILURES_PER_ACCOUNT;
use lyceum::auth::service as auth;
use lyceum::auth::tokens;
use lyceum::db_test;
use lyceum::error::AppError;
use lyceum::settings::SiteSettings;
use lyceum::testing::{PASSWORD, user_with_roles};
use lyceum::users::model::Role;
use lyceum::with_db;

db_test!(
    wrong_password_and_unknown_email_get_the_same_answer,
    |state| {
        user_with_roles(&state, "known@example.com", &[Role::Learner]).await;
        let wrong = auth::sign_in(
            &state,
            "known@example.com",
            "not the password",
            "10.0.0.1",
            "t",
        )
        .await
        .unwrap_err();
        let unknown = auth::sign_in(
            &state,
            "nobody@example.com",
            "not the password",
            "10.0.0.1",
            "t",
        )
        .await
        .unwrap_err();
        assert_eq!(wrong, unknown);
        assert!(wrong.to_string().contains("incorrect"));
    }
);

db_test!(
    repeated_failures_lock_the_account_even_for_the_right_password,
    |state| {
        user_with_roles(&state, "target@example.com", &[Role::Learner]).await;
        for _ in 0..MAX_FAILURES_PER_ACCOUNT {
            auth::sign_in(&state, "target@example.com", "guess", "10.0.0.2", "t")
                .await
                .unwrap_err();
        }
        let err = auth::sign_in(&state, "target@example.com", PASSWORD, "10.0.0.3", "t")
            .await
            .unwrap_err();
        assert!(matches!(err, AppError::TooManyRequests(_)));
        // Another account is not affected.
        user_with_roles(&state, "other@example.com", &[Role::Learner]).await;
        auth::sign_in(&state, "other@example.com", PASSWORD, "10.0.0.4", "t")
            .await
            .unwrap();
    }
);

db_test!(an_unknown_account_is_locked_the_same_way, |state| {
    for _ in 0..MAX_FAILURES_PER_ACCOUNT {
        auth::sign_in(&state, "ghost@example.com", "guess", "10.0.0.5", "t")
            .await
            .unwrap_err();
    }
    assert!(matches!(
        auth::sign_in(&state, "ghost@example.com", "guess", "10.0.0.6", "t")
            .await
            .unwrap_err(),
        AppError::TooManyRequests(_)
    ));
});

db_test!(sessions_expire_after_inactivity, |state| {
    user_with_roles(&state, "idle@example.com", &[Role::Learner]).await;
    let token = auth::sign_in(&state, "idle@example.com", PASSWORD, "10.0.0.7", "t")
        .await
        .unwrap();
    let hash = tokens::hash(&token);
    assert!(
        auth::actor_for_session(&state, &hash)
            .await
            .unwrap()
            .is_some()
    );
    let lifetime = SiteSettings::default().session_lifetime_minutes * 60;
    with_db!(&state.db, |p| sqlx::query(
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
        &auth::sign_in(&state, "many@example.com", PASSWORD, "10.0.0.8", "a")
            .await
            .unwrap(),
    );
    let second = tokens::hash(
        &auth::sign_in(&state, "many@example.com", PASSWORD, "10.0.0.8", "b")
            .await
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
    auth::request_password_reset(&state, "forgetful@example.com")
        .await
        .unwrap();
    // Unknown addresses get the same answer and no email.
    auth::request_password_reset(&state, "unknown@example.com")
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

    let weak = auth::reset_password(&state, &token, "short")
        .await
        .unwrap_err();
    assert!(weak.field("password").is_some());
    auth::reset_password(&state, &token, "a brand new passphrase")
        .await
        .unwrap();
    assert!(
        auth::reset_password(&state, &token, "another new passphrase")
            .await
            .is_err()
    );
    auth::sign_in(
        &state,
        "forgetful@example.com",
        "a brand new passphrase",
        "10.0.0.9",
        "t",
    )
    .await
    .unwrap();
});

db_test!(
    changing_the_password_needs_the_current_one_and_signs_out_elsewhere,
    |state| {
        let actor = user_with_roles(&state, "change@example.com", &[Role::Learner]).await;
        let here = tokens::hash(
            &auth::sign_in(&state, "change@example.com", PASSWORD, "10.0.1.1", "a")
                .await
                .unwrap(),
        );
        let there = tokens::hash(
            &auth::sign_in(&state, "change@example.com", PASSWORD, "10.0.1.1", "b")
                .await
                .unwrap(),
        );
        let err = auth::change_password(&state, &actor, "wrong", "a fresh passphrase", &here)
            .await
            .unwrap_err();
        assert!(err.field("current_password").is_some());
        auth::change_password(&state, &actor, PASSWORD, "a fresh passphrase", &here)
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
            "ip",
            "ua",
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
            "ip",
            "ua",
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
                "ip",
                "ua"
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
        "ip",
        "ua",
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
        "ip",
        "ua",
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
