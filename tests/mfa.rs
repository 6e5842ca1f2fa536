//! Two-step verification with an authenticator app and recovery codes, on both databases: the
//! codes are computed here from the secret the set-up shows, as an app would.

use crate::support::*;
use http::{Request, StatusCode, header};
use lyceum::auth::mfa;
use lyceum::auth::service::{self as auth, SignedIn};
use lyceum::auth::throttle::Client;
use lyceum::auth::totp;
use lyceum::db::now;
use lyceum::db_test;
use lyceum::error::AppError;
use lyceum::testing::{PASSWORD, user_with_roles};
use lyceum::users::model::Role;

/// The secret's bytes from the key the set-up shows for typing.
fn secret_bytes(typed: &str) -> Vec<u8> {
    let b32: String = typed.chars().filter(|c| !c.is_whitespace()).collect();
    totp_rs::Secret::try_from_base32(&b32)
        .unwrap()
        .as_bytes()
        .to_vec()
}

/// Turns two-step verification on for `actor`; returns the secret and the recovery codes.
async fn turn_on(
    state: &lyceum::state::AppState,
    actor: &lyceum::auth::permissions::Actor,
) -> (Vec<u8>, Vec<String>) {
    let setup = mfa::begin_totp(state, actor).await.unwrap();
    assert!(setup.otpauth_url.starts_with("otpauth://totp/"));
    assert!(setup.qr_svg.starts_with("<svg"));
    let secret = secret_bytes(&setup.typed_secret);
    let client = Client::at("127.0.0.1");
    let code = totp::code_at(&secret, now()).unwrap();
    let codes = mfa::confirm_totp(state, actor, &code, &client)
        .await
        .unwrap();
    (secret, codes)
}

fn challenge_of(signed: SignedIn) -> String {
    match signed {
        SignedIn::SecondStep(challenge) => challenge,
        SignedIn::Session(_) => panic!("signed in without the second step"),
    }
}

db_test!(
    a_password_sign_in_asks_for_the_apps_code_once_it_is_on,
    |state| {
        let ada = user_with_roles(&state, "ada@example.com", &[Role::Learner]).await;
        let client = Client::at("10.1.0.1");
        // A wrong code does not turn it on. (Every wrong code in this second counts towards the
        // account's five: the throttle counts failures from the last success's second on.)
        mfa::begin_totp(&state, &ada).await.unwrap();
        let wrong = mfa::confirm_totp(&state, &ada, "000000", &client)
            .await
            .unwrap_err();
        assert!(wrong.field("code").is_some(), "{wrong:?}");
        assert!(!mfa::status(&state, &ada).await.unwrap().enabled);
        let (secret, codes) = turn_on(&state, &ada).await;
        assert_eq!(codes.len(), 10);
        let status = mfa::status(&state, &ada).await.unwrap();
        assert!(status.enabled);
        assert_eq!(status.recovery_codes_left, 10);

        // The right password alone no longer opens a session.
        let challenge = challenge_of(
            auth::sign_in(&state, "ada@example.com", PASSWORD, &client)
                .await
                .unwrap(),
        );
        // The code the set-up used is spent; the app's next one works.
        let used = totp::code_at(&secret, now()).unwrap();
        assert!(
            mfa::second_step(&state, Some(&challenge), &used, &client)
                .await
                .is_err(),
            "a code is used once"
        );
        let next = totp::code_at(&secret, now() + 30).unwrap();
        let session = mfa::second_step(&state, Some(&challenge), &next, &client)
            .await
            .unwrap();
        assert!(session.recovery_codes.is_empty(), "no set-up: no new codes");
        let actor = auth::actor_for_session(&state, &tokens_hash(&session.session))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(actor.id, ada.id);
        // The challenge went with its use.
        let later = totp::code_at(&secret, now() + 60).unwrap();
        let again = mfa::second_step(&state, Some(&challenge), &later, &client)
            .await
            .unwrap_err();
        assert!(
            again.general().unwrap_or_default().contains("expired"),
            "{again:?}"
        );
        assert!(
            mfa::second_step(&state, None, &later, &client)
                .await
                .is_err()
        );

        // A recovery code signs in once, typed any way.
        let challenge = challenge_of(
            auth::sign_in(&state, "ada@example.com", PASSWORD, &client)
                .await
                .unwrap(),
        );
        let recovery = codes[3].to_lowercase().replace('-', " ");
        mfa::second_step(&state, Some(&challenge), &recovery, &client)
            .await
            .unwrap();
        let challenge = challenge_of(
            auth::sign_in(&state, "ada@example.com", PASSWORD, &client)
                .await
                .unwrap(),
        );
        assert!(
            mfa::second_step(&state, Some(&challenge), &codes[3], &client)
                .await
                .is_err()
        );
        assert_eq!(
            mfa::status(&state, &ada).await.unwrap().recovery_codes_left,
            9
        );

        // New recovery codes replace the old ones; turning it off needs a code too.
        let fresh = mfa::replace_recovery_codes(&state, &ada, &codes[0], &client)
            .await
            .unwrap();
        assert_eq!(
            mfa::status(&state, &ada).await.unwrap().recovery_codes_left,
            10
        );
        assert!(
            mfa::disable(&state, &ada, &codes[1], &client)
                .await
                .is_err(),
            "old codes are gone"
        );
        mfa::disable(&state, &ada, &fresh[0], &client)
            .await
            .unwrap();
        assert!(!mfa::status(&state, &ada).await.unwrap().enabled);

        // An administrator resets it for someone who lost phone and codes.
        turn_on(&state, &ada).await;
        let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        assert_eq!(
            lyceum::users::service::reset_mfa(&state, &ada, ada.id)
                .await
                .unwrap_err(),
            AppError::Forbidden
        );
        lyceum::users::service::reset_mfa(&state, &admin, ada.id)
            .await
            .unwrap();
        let signed = auth::sign_in(&state, "ada@example.com", PASSWORD, &client)
            .await
            .unwrap();
        assert!(
            signed.session().is_some(),
            "off again: the password is enough"
        );
    }
);

fn tokens_hash(secret: &str) -> String {
    lyceum::auth::tokens::hash(secret)
}

db_test!(wrong_codes_are_throttled_per_account, |state| {
    let bo = user_with_roles(&state, "bo@example.com", &[Role::Learner]).await;
    let (secret, _) = turn_on(&state, &bo).await;
    // Guesses from many addresses count against the account.
    for i in 0..5 {
        let client = Client::at(&format!("10.9.0.{i}"));
        let challenge = challenge_of(
            auth::sign_in(&state, "bo@example.com", PASSWORD, &client)
                .await
                .unwrap(),
        );
        let err = mfa::second_step(&state, Some(&challenge), "000000", &client)
            .await
            .unwrap_err();
        assert!(err.field("code").is_some(), "{err:?}");
    }
    let client = Client::at("10.9.1.1");
    let challenge = challenge_of(
        auth::sign_in(&state, "bo@example.com", PASSWORD, &client)
            .await
            .unwrap(),
    );
    let right = totp::code_at(&secret, now() + 30).unwrap();
    match mfa::second_step(&state, Some(&challenge), &right, &client).await {
        Err(AppError::TooManyRequests(message)) => {
            assert!(message.contains("recovery codes"), "{message}")
        }
        other => panic!("not throttled: {other:?}"),
    }
});

db_test!(the_second_step_works_as_plain_form_posts, |state| {
    let app = lyceum::http::router(state.clone());
    let cy = user_with_roles(&state, "cy@example.com", &[Role::Learner]).await;
    let (secret, _) = turn_on(&state, &cy).await;
    let origin = "http://127.0.0.1:3000";
    let post = |path: &str, body: String, cookie: Option<&str>| {
        let mut req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ORIGIN, origin);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        req.body(axum::body::Body::from(body)).unwrap()
    };
    let body = format!(
        "email=cy%40example.com&password={}&next=%2Fcourses",
        PASSWORD.replace(' ', "+")
    );
    let reply = send(&app, post("/sign-in", body, None)).await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(
        reply.headers[header::LOCATION],
        "/sign-in/second-step?next=%2Fcourses"
    );
    let cookies: Vec<String> = reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert!(
        !cookies.iter().any(|c| c.starts_with("lyceum_session=")),
        "{cookies:?}"
    );
    let challenge = cookies
        .iter()
        .find(|c| c.starts_with("lyceum_mfa="))
        .expect("the challenge cookie");
    assert!(challenge.contains("HttpOnly"));
    let challenge = challenge.split(';').next().unwrap().to_string();

    let wrong = send(
        &app,
        post(
            "/sign-in/second-step",
            "code=000000&next=%2Fcourses".into(),
            Some(&challenge),
        ),
    )
    .await;
    assert!(
        wrong.headers[header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with("/sign-in/second-step?error=")
    );
    let code = totp::code_at(&secret, now() + 30).unwrap();
    let right = send(
        &app,
        post(
            "/sign-in/second-step",
            format!("code={code}&next=%2Fcourses"),
            Some(&challenge),
        ),
    )
    .await;
    assert_eq!(right.status, StatusCode::SEE_OTHER);
    assert_eq!(right.headers[header::LOCATION], "/courses");
    let cookies: Vec<String> = right
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect();
    assert!(
        cookies.iter().any(|c| c.starts_with("lyceum_session=")),
        "{cookies:?}"
    );
    assert!(
        cookies
            .iter()
            .any(|c| c.starts_with("lyceum_mfa=;") && c.contains("Max-Age=0")),
        "{cookies:?}"
    );

    // The server function answers what comes next.
    let body = format!(
        "email=cy%40example.com&password={}",
        PASSWORD.replace(' ', "+")
    );
    let reply = send(&app, server_fn("auth/sign_in", &body, None)).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.body, "\"SecondStep\"");
});

db_test!(
    a_role_that_requires_it_sets_it_up_at_the_next_sign_in,
    |state| {
        let admin = user_with_roles(&state, "admin@example.com", &[Role::Administrator]).await;
        let dee = user_with_roles(&state, "dee@example.com", &[Role::Learner]).await;
        user_with_roles(&state, "ian@example.com", &[Role::Instructor]).await;
        let required = vec!["learner".to_string()];
        lyceum::sso::service::save_rules(&state, &admin, &[], &required)
            .await
            .unwrap();
        let client = Client::at("10.5.0.1");
        // Other roles are not asked.
        let ian = auth::sign_in(&state, "ian@example.com", PASSWORD, &client)
            .await
            .unwrap();
        assert!(ian.session().is_some());

        // A learner without an app: the password leads to setting one up, not to a session.
        let challenge = challenge_of(
            auth::sign_in(&state, "dee@example.com", PASSWORD, &client)
                .await
                .unwrap(),
        );
        let setup = mfa::challenge_setup(&state, Some(&challenge))
            .await
            .unwrap()
            .expect("the set-up");
        let secret = secret_bytes(&setup.typed_secret);
        // The page drawn again (a reload) shows the same secret, which the app may have scanned.
        let again = mfa::challenge_setup(&state, Some(&challenge))
            .await
            .unwrap()
            .expect("the set-up");
        assert_eq!(again.typed_secret, setup.typed_secret);
        assert!(
            mfa::second_step(&state, Some(&challenge), "000000", &client)
                .await
                .is_err()
        );
        let code = totp::code_at(&secret, now()).unwrap();
        let done = mfa::second_step(&state, Some(&challenge), &code, &client)
            .await
            .unwrap();
        assert_eq!(
            done.recovery_codes.len(),
            10,
            "shown once, as on the account page"
        );
        assert!(
            auth::actor_for_session(&state, &tokens_hash(&done.session))
                .await
                .unwrap()
                .is_some()
        );
        assert!(mfa::status(&state, &dee).await.unwrap().enabled);

        // Next time: the code from the app, no set-up; and it cannot be turned off.
        let challenge = challenge_of(
            auth::sign_in(&state, "dee@example.com", PASSWORD, &client)
                .await
                .unwrap(),
        );
        assert!(
            mfa::challenge_setup(&state, Some(&challenge))
                .await
                .unwrap()
                .is_none()
        );
        let err = mfa::disable(&state, &dee, &done.recovery_codes[0], &client)
            .await
            .unwrap_err();
        assert!(
            err.field("code")
                .unwrap()
                .contains("requires two-step verification"),
            "{err:?}"
        );
        assert!(
            mfa::challenge_setup(&state, Some("not a challenge"))
                .await
                .is_err()
        );
    }
);
