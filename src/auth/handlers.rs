//! Signing in with a plain form post, for browsers whose script has not loaded (or never will):
//! the page's script sends the same fields to the `auth/sign_in` server function instead.

use super::model::{SignInNext, safe_next};
use super::request::RequestAuth;
use crate::state::AppState;
use axum::{
    Extension, Form,
    extract::{State, rejection::FormRejection},
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct SignInForm {
    email: String,
    password: String,
    #[serde(default)]
    next: Option<String>,
}

/// `POST /sign-in`: on success the cookies and a redirect to where the person was going; on
/// failure back to the sign-in page with the message and the address typed (never the password).
pub async fn sign_in_form(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    form: Result<Form<SignInForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return see_other("/sign-in?error=Enter+your+email+address+and+password.", &[]);
    };
    match super::request::sign_in_cookies(&state, &auth, &form.email, &form.password).await {
        Ok((cookies, SignInNext::SignedIn)) => see_other(&safe_next(form.next), &cookies),
        Ok((cookies, SignInNext::SecondStep)) => {
            let query = crate::ui::query_string(&[("next", safe_next(form.next))]);
            see_other(&format!("/sign-in/second-step{query}"), &cookies)
        }
        Err(err) => {
            let message = err
                .general()
                .or_else(|| err.field("email"))
                .or_else(|| err.field("password"))
                .unwrap_or_else(|| err.to_string());
            let query = crate::ui::query_string(&[
                ("error", message),
                ("email", form.email),
                ("next", form.next.unwrap_or_default()),
            ]);
            see_other(&format!("/sign-in{query}"), &[])
        }
    }
}

#[derive(Deserialize)]
pub struct SecondStepForm {
    code: String,
    #[serde(default)]
    next: Option<String>,
}

/// `POST /sign-in/second-step`: the code of a sign-in waiting for it, without the script.
pub async fn second_step_form(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    headers: HeaderMap,
    form: Result<Form<SecondStepForm>, FormRejection>,
) -> Response {
    let Ok(Form(form)) = form else {
        return see_other("/sign-in/second-step?error=Enter+the+code.", &[]);
    };
    match super::request::second_step_cookies(&state, &auth, &headers, &form.code).await {
        // Codes made by setting up the app here are not shown without the script: the account
        // page makes new ones.
        Ok((cookies, _)) => see_other(&safe_next(form.next), &cookies),
        Err(err) => {
            let message = err
                .general()
                .or_else(|| err.field("code"))
                .unwrap_or_else(|| err.to_string());
            let query = crate::ui::query_string(&[
                ("error", message),
                ("next", form.next.unwrap_or_default()),
            ]);
            see_other(&format!("/sign-in/second-step{query}"), &[])
        }
    }
}

/// A 303 to `location` (axum's `Redirect::to`) with the cookies to set.
pub fn see_other(location: &str, cookies: &[String]) -> Response {
    let mut res = Redirect::to(location).into_response();
    for cookie in cookies {
        if let Ok(v) = HeaderValue::from_str(cookie) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}
