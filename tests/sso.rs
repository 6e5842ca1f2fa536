//! Single sign-on against a real OpenID Connect provider (npm `oidc-provider`, started by
//! scripts/oidc-test-server.sh, which `make test` wraps around the tests): the sign-in through
//! its pages, new and linked accounts, and each way a sign-in must be refused.

use crate::support::*;
use http::{Request, StatusCode, header};
use lyceum::auth::permissions::Actor;
use lyceum::db::Db;
use lyceum::db_test;
use lyceum::sso::model::ProviderForm;
use lyceum::sso::service as sso;
use lyceum::state::AppState;
use lyceum::testing::user_with_roles;
use lyceum::users::model::Role;

/// The provider the test script started, or `None` (said so) to skip.
fn provider_env() -> Option<(String, String, String)> {
    let found = (|| {
        Some((
            std::env::var("LYCEUM_TEST_OIDC_ISSUER").ok()?,
            std::env::var("LYCEUM_TEST_OIDC_CLIENT_ID").ok()?,
            std::env::var("LYCEUM_TEST_OIDC_CLIENT_SECRET").ok()?,
        ))
    })();
    if found.is_none() {
        eprintln!(
            "skipped: LYCEUM_TEST_OIDC_ISSUER is not set (scripts/oidc-test-server.sh sets it)"
        );
    }
    found
}

async fn admin(state: &AppState) -> Actor {
    match lyceum::users::store::find_by_email(&state.db, "admin@example.com")
        .await
        .unwrap()
    {
        Some(u) => Actor {
            id: u.id,
            name: u.name,
            email: u.email,
            roles: u.roles,
        },
        None => user_with_roles(state, "admin@example.com", &[Role::Administrator]).await,
    }
}

/// Adds the test provider as `idp`, with `change` applied to the form.
async fn add_provider(state: &AppState, change: impl FnOnce(&mut ProviderForm)) -> Option<i64> {
    let (issuer, client_id, secret) = provider_env()?;
    let mut form = ProviderForm::new_provider();
    form.slug = "idp".into();
    form.name = "Staff login".into();
    form.issuer_url = issuer;
    form.client_id = client_id;
    form.client_secret = secret;
    change(&mut form);
    let saved = sso::save_provider(state, &admin(state).await, &form)
        .await
        .unwrap();
    Some(saved.id)
}

fn cookie_of(reply: &Reply, name: &str) -> Option<String> {
    reply
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next()?.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn location(reply: &Reply) -> String {
    reply.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string()
}

/// A sign-in started at Lyceum: the provider's URL and the browser cookie's secret.
async fn start(app: &axum::Router, next: &str) -> (String, String) {
    let reply = send(
        app,
        Request::get(format!("/sso/idp/start?next={next}"))
            .body(Default::default())
            .unwrap(),
    )
    .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let browser = cookie_of(&reply, "lyceum_sso").expect("the browser cookie");
    (location(&reply), browser)
}

/// Goes through the provider's pages as `email` (its sign-in form, then consent) and returns
/// where it sends the browser back to on Lyceum (path and query).
async fn at_provider(auth_url: &str, email: &str) -> String {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut jar: Vec<(String, String)> = Vec::new();
    let absorb = |jar: &mut Vec<(String, String)>, headers: &reqwest::header::HeaderMap| {
        for v in headers
            .get_all(reqwest::header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
        {
            if let Some((k, val)) = v.split(';').next().and_then(|p| p.split_once('=')) {
                jar.retain(|(name, _)| name != k);
                jar.push((k.to_string(), val.to_string()));
            }
        }
    };
    let cookies = |jar: &Vec<(String, String)>| {
        jar.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut url = reqwest::Url::parse(auth_url).unwrap();
    for _ in 0..12 {
        if url.port() == Some(3000) {
            return format!("{}?{}", url.path(), url.query().unwrap_or(""));
        }
        let res = http
            .get(url.clone())
            .header("cookie", cookies(&jar))
            .send()
            .await
            .unwrap();
        absorb(&mut jar, res.headers());
        let res = if res.status().is_redirection() {
            res
        } else {
            // The provider's sign-in page: give the address.
            assert!(
                url.path().starts_with("/interaction/"),
                "{url}: {}",
                res.status()
            );
            let body = form_urlencoded::Serializer::new(String::new())
                .append_pair("email", email)
                .finish();
            let res = http
                .post(format!("{url}/login"))
                .header("cookie", cookies(&jar))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .unwrap();
            absorb(&mut jar, res.headers());
            res
        };
        let next = res.headers()["location"].to_str().unwrap().to_string();
        url = url.join(&next).unwrap();
    }
    panic!("the provider never sent the browser back");
}

/// The callback as the browser with `browser` (the cookie's secret, if any) makes it.
async fn callback(app: &axum::Router, back: &str, browser: Option<&str>) -> Reply {
    let mut req = Request::get(back);
    if let Some(b) = browser {
        req = req.header(header::COOKIE, format!("lyceum_sso={b}"));
    }
    send(app, req.body(Default::default()).unwrap()).await
}

/// The message a refused sign-in shows on the sign-in page.
fn refusal(reply: &Reply) -> String {
    assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    let to = location(reply);
    assert!(to.starts_with("/sign-in?error="), "{to}");
    assert!(cookie_of(reply, "lyceum_session").is_none(), "no session");
    let query = to.trim_start_matches("/sign-in?");
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == "error")
        .map(|(_, v)| v.into_owned())
        .unwrap()
}

/// A whole sign-in as `email`; the reply to the callback.
async fn sign_in_as(app: &axum::Router, email: &str) -> Reply {
    let (auth_url, browser) = start(app, "%2Fcourses").await;
    let back = at_provider(&auth_url, email).await;
    callback(app, &back, Some(&browser)).await
}

/// Who a session cookie signs in (via the shell every page reads).
async fn who(app: &axum::Router, session: &str) -> String {
    let reply = send(app, server_fn("auth/shell", "", Some(session))).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let shell: serde_json::Value = serde_json::from_str(&reply.body).unwrap();
    shell["actor"]["email"]
        .as_str()
        .unwrap_or("nobody")
        .to_string()
}

async fn audit_actions(state: &AppState) -> Vec<String> {
    let rows: Vec<String> = match &state.db {
        Db::Sqlite(p) => {
            sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id")
                .fetch_all(&p.read)
                .await
        }
        Db::Postgres(p) => {
            sqlx::query_scalar("SELECT action FROM audit_log ORDER BY id")
                .fetch_all(p)
                .await
        }
    }
    .unwrap();
    rows
}

db_test!(
    a_new_person_signs_in_through_the_provider_and_gets_an_account,
    |state| {
        let app = lyceum::http::router(state.clone());
        let added = add_provider(&state, |f| {
            f.create_accounts = true;
            f.scopes = "openid email profile department".into();
            f.profile_claims = "department=department\nlocation=not_sent".into();
        })
        .await;
        if added.is_none() {
            return;
        }
        // The sign-in page offers the provider as a plain link.
        let page = send(
            &app,
            Request::get("/sign-in").body(Default::default()).unwrap(),
        )
        .await;
        assert!(
            page.body.contains("Sign in with Staff login"),
            "{}",
            page.body
        );
        assert!(
            page.body.contains("href=\"/sso/idp/start\""),
            "{}",
            page.body
        );

        let reply = sign_in_as(&app, "ada.lovelace@example.test").await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
        assert_eq!(location(&reply), "/courses");
        let session = cookie_of(&reply, "lyceum_session").expect("a session");
        assert_eq!(who(&app, &session).await, "ada.lovelace@example.test");
        let set = reply
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect::<Vec<_>>();
        assert!(set.iter().any(|c| c.starts_with("lyceum_session=")
            && c.contains("HttpOnly")
            && c.contains("SameSite=Lax")));
        assert!(
            set.iter()
                .any(|c| c.starts_with("lyceum_sso=;") && c.contains("Max-Age=0")),
            "{set:?}"
        );

        let user = lyceum::users::store::find_by_email(&state.db, "ada.lovelace@example.test")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(user.name, "Ada Lovelace");
        assert_eq!(user.roles, vec![Role::Learner]);
        assert!(
            audit_actions(&state)
                .await
                .contains(&"sso.account_created".to_string())
        );
        // The mapped claim filled the profile; a claim the token lacks leaves its field alone.
        let profile = lyceum::users::profile_store::find(&state.db, user.id)
            .await
            .unwrap();
        assert_eq!(profile.department, "Nursing");
        assert_eq!(profile.location, "");
        assert!(
            audit_actions(&state)
                .await
                .contains(&"user.profile".to_string())
        );

        // Next time the linked identity finds the same account.
        let again = sign_in_as(&app, "ada.lovelace@example.test").await;
        let session = cookie_of(&again, "lyceum_session").expect("a session");
        assert_eq!(who(&app, &session).await, "ada.lovelace@example.test");
        let providers = sso::providers(&state, &admin(&state).await).await.unwrap();
        assert_eq!(providers[0].linked_people, 1);
    }
);

db_test!(
    an_existing_account_is_linked_only_by_a_verified_address,
    |state| {
        let app = lyceum::http::router(state.clone());
        if add_provider(&state, |_| {}).await.is_none() {
            return;
        }
        user_with_roles(&state, "unverified.bob@example.test", &[Role::Instructor]).await;
        let refused = refusal(&sign_in_as(&app, "unverified.bob@example.test").await);
        assert!(
            refused.contains("has not verified your email address"),
            "{refused}"
        );

        let bob = user_with_roles(&state, "bob@example.test", &[Role::Instructor]).await;
        let reply = sign_in_as(&app, "bob@example.test").await;
        let session = cookie_of(&reply, "lyceum_session").expect("a session");
        assert_eq!(who(&app, &session).await, "bob@example.test");
        assert!(
            audit_actions(&state)
                .await
                .contains(&"sso.linked".to_string())
        );
        let user = lyceum::users::store::find_by_email(&state.db, "bob@example.test")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(user.id, bob.id, "the same account, not a new one");

        // Without account creation, a stranger is told to ask for an account.
        let refused = refusal(&sign_in_as(&app, "carol@example.test").await);
        assert!(
            refused.contains("no account for carol@example.test"),
            "{refused}"
        );
        assert!(
            lyceum::users::store::find_by_email(&state.db, "carol@example.test")
                .await
                .unwrap()
                .is_none()
        );

        // A suspended account stays out, however it signs in.
        let mut tx = state.db.begin().await.unwrap();
        lyceum::users::store::set_status(
            &mut tx,
            bob.id,
            lyceum::users::model::UserStatus::Suspended,
            0,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let refused = refusal(&sign_in_as(&app, "bob@example.test").await);
        assert!(refused.contains("suspended"), "{refused}");
    }
);

db_test!(addresses_outside_the_allowed_domains_are_refused, |state| {
    let app = lyceum::http::router(state.clone());
    let added = add_provider(&state, |f| {
        f.create_accounts = true;
        f.allowed_domains = "example.test".into();
    })
    .await;
    if added.is_none() {
        return;
    }
    let refused = refusal(&sign_in_as(&app, "eve@elsewhere.test").await);
    assert!(
        refused.contains("eve@elsewhere.test, which may not use this site"),
        "{refused}"
    );
    assert!(
        lyceum::users::store::find_by_email(&state.db, "eve@elsewhere.test")
            .await
            .unwrap()
            .is_none()
    );
    let reply = sign_in_as(&app, "dan@example.test").await;
    assert!(
        cookie_of(&reply, "lyceum_session").is_some(),
        "{}",
        location(&reply)
    );
});

db_test!(
    a_callback_must_come_back_to_the_browser_with_its_state_and_nonce,
    |state| {
        let app = lyceum::http::router(state.clone());
        if add_provider(&state, |f| f.create_accounts = true)
            .await
            .is_none()
        {
            return;
        }
        // Another browser (no cookie, or another one) cannot finish someone's sign-in.
        let (auth_url, browser) = start(&app, "%2F").await;
        let back = at_provider(&auth_url, "frank@example.test").await;
        assert!(refusal(&callback(&app, &back, None).await).contains("expired"));
        // The state is used once: it is gone even for the right browser now.
        assert!(refusal(&callback(&app, &back, Some(&browser)).await).contains("expired"));

        // A state Lyceum never issued.
        let (auth_url, browser) = start(&app, "%2F").await;
        let back = at_provider(&auth_url, "frank@example.test").await;
        let forged = back.replace("state=", "state=x");
        assert!(refusal(&callback(&app, &forged, Some(&browser)).await).contains("expired"));

        // The right state but an ID token for another nonce (as if replayed into this sign-in).
        let (auth_url, browser) = start(&app, "%2F").await;
        let back = at_provider(&auth_url, "frank@example.test").await;
        let changed = match &state.db {
            Db::Sqlite(p) => sqlx::query("UPDATE sso_logins SET nonce = 'another'")
                .execute(&p.write)
                .await
                .unwrap()
                .rows_affected(),
            Db::Postgres(p) => sqlx::query("UPDATE sso_logins SET nonce = 'another'")
                .execute(p)
                .await
                .unwrap()
                .rows_affected(),
        };
        assert!(
            changed >= 1,
            "the sign-in on its way (and the forged one's, never finished)"
        );
        let refused = refusal(&callback(&app, &back, Some(&browser)).await);
        assert!(refused.contains("did not pass the checks"), "{refused}");

        // The provider's own refusal is passed on.
        let (auth_url, browser) = start(&app, "%2F").await;
        let url = reqwest::Url::parse(&auth_url).unwrap();
        let issued = url
            .query_pairs()
            .find(|(k, _)| k == "state")
            .unwrap()
            .1
            .into_owned();
        let back = format!(
            "/sso/idp/callback?error=access_denied&error_description=You+said+no&state={issued}"
        );
        let refused = refusal(&callback(&app, &back, Some(&browser)).await);
        assert!(
            refused.contains("Staff login did not sign you in: You said no"),
            "{refused}"
        );
        assert!(
            lyceum::users::store::find_by_email(&state.db, "frank@example.test")
                .await
                .unwrap()
                .is_none()
        );
    }
);

db_test!(providers_are_checked_and_their_secrets_sealed, |state| {
    let Some((issuer, client_id, secret)) = provider_env() else {
        return;
    };
    let admin = admin(&state).await;
    let mut form = ProviderForm::new_provider();
    form.slug = "Bad Slug".into();
    form.name = "Staff".into();
    form.issuer_url = "http://127.0.0.1:9/nothing".into();
    form.client_id = client_id.clone();
    let err = sso::save_provider(&state, &admin, &form).await.unwrap_err();
    assert!(err.field("slug").is_some(), "{err:?}");
    assert!(err.field("client_secret").is_some(), "{err:?}");
    form.slug = "idp".into();
    form.client_secret = secret.clone();
    let err = sso::save_provider(&state, &admin, &form).await.unwrap_err();
    let message = err.field("issuer_url").expect("the issuer is checked");
    assert!(
        message.contains("could not read the provider's discovery document"),
        "{message}"
    );

    form.profile_claims = "salary=pay".into();
    let err = sso::save_provider(&state, &admin, &form).await.unwrap_err();
    assert!(
        err.field("profile_claims")
            .unwrap()
            .contains("not a profile field"),
        "{err:?}"
    );
    form.profile_claims = String::new();
    form.issuer_url = format!("{issuer}/.well-known/openid-configuration");
    let saved = sso::save_provider(&state, &admin, &form).await.unwrap();
    assert_eq!(saved.issuer_url, issuer);
    assert_eq!(saved.redirect_uri, "http://127.0.0.1:3000/sso/idp/callback");
    let kept: String = match &state.db {
        Db::Sqlite(p) => {
            sqlx::query_scalar("SELECT client_secret_sealed FROM sso_providers")
                .fetch_one(&p.read)
                .await
        }
        Db::Postgres(p) => {
            sqlx::query_scalar("SELECT client_secret_sealed FROM sso_providers")
                .fetch_one(p)
                .await
        }
    }
    .unwrap();
    assert!(
        kept.starts_with("v1:") && !kept.contains(&secret),
        "sealed, not plain"
    );

    // Saved again without a secret: the sealed one is kept, and sign-in still works.
    let mut again = ProviderForm::of(&saved);
    again.create_accounts = true;
    sso::save_provider(&state, &admin, &again).await.unwrap();
    let app = lyceum::http::router(state.clone());
    let reply = sign_in_as(&app, "grace@example.test").await;
    assert!(
        cookie_of(&reply, "lyceum_session").is_some(),
        "{}",
        location(&reply)
    );

    // Switched off: no button, and its links stop working.
    again.enabled = false;
    sso::save_provider(&state, &admin, &again).await.unwrap();
    assert!(sso::buttons(&state).await.unwrap().is_empty());
    let reply = send(
        &app,
        Request::get("/sso/idp/start")
            .body(Default::default())
            .unwrap(),
    )
    .await;
    assert!(refusal(&reply).contains("not available"));
    // Only administrators manage providers.
    let learner = user_with_roles(&state, "learner@example.com", &[Role::Learner]).await;
    assert!(sso::providers(&state, &learner).await.is_err());
});

db_test!(
    password_sign_in_can_be_switched_off_for_roles_with_a_provider,
    |state| {
        let admin = admin(&state).await;
        let none: Vec<String> = Vec::new();
        let off = vec!["instructor".to_string()];
        // Not before a provider is on: those people would have no way in.
        let err = sso::save_rules(&state, &admin, &off, &none)
            .await
            .unwrap_err();
        assert!(err.field("password_off").is_some(), "{err:?}");
        if add_provider(&state, |_| {}).await.is_none() {
            return;
        }
        let err = sso::save_rules(&state, &admin, &["administrator".to_string()], &none)
            .await
            .unwrap_err();
        assert!(
            err.field("password_off")
                .unwrap()
                .contains("Administrators always keep"),
            "{err:?}"
        );
        let rules = sso::save_rules(&state, &admin, &off, &none).await.unwrap();
        assert!(
            rules
                .iter()
                .any(|r| r.role == Role::Instructor && r.password_off)
        );
        let learner = user_with_roles(&state, "learner@example.test", &[Role::Learner]).await;
        assert!(
            sso::rules(&state, &learner).await.is_err(),
            "administrators only"
        );

        user_with_roles(&state, "ines@example.test", &[Role::Instructor]).await;
        user_with_roles(
            &state,
            "ida@example.test",
            &[Role::Instructor, Role::Administrator],
        )
        .await;
        let client = lyceum::auth::throttle::Client::at("10.3.0.1");
        let err = lyceum::auth::service::sign_in(
            &state,
            "ines@example.test",
            lyceum::testing::PASSWORD,
            &client,
        )
        .await
        .unwrap_err();
        assert!(
            err.general().unwrap().contains("organisation's account"),
            "{err:?}"
        );
        for email in ["learner@example.test", "ida@example.test"] {
            let signed =
                lyceum::auth::service::sign_in(&state, email, lyceum::testing::PASSWORD, &client)
                    .await
                    .unwrap();
            assert!(signed.session().is_some(), "{email} keeps the password");
        }
        // The instructor still gets in through the provider (linked by the verified address).
        let app = lyceum::http::router(state.clone());
        let reply = sign_in_as(&app, "ines@example.test").await;
        assert!(
            cookie_of(&reply, "lyceum_session").is_some(),
            "{}",
            location(&reply)
        );
    }
);

db_test!(starting_sign_ins_is_throttled_per_client_address, |state| {
    if add_provider(&state, |_| {}).await.is_none() {
        return;
    }
    let app = lyceum::http::router(state.clone());
    // A person trying again, or an office behind one address: plenty go through…
    for _ in 0..60 {
        start(&app, "/").await;
    }
    // …a flood does not, before any login is kept or the provider is asked.
    let reply = send(
        &app,
        Request::get("/sso/idp/start")
            .body(Default::default())
            .unwrap(),
    )
    .await;
    assert!(
        refusal(&reply).contains("Too many sign-ins were started"),
        "{}",
        location(&reply)
    );
});
