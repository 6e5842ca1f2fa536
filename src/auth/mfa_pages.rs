//! Two-step verification: the sign-in's second step, and setting it up on the account page.

use super::model::{MfaStatus, safe_next};
use super::server::{
    BeginTotp, ConfirmTotp, NewRecoveryCodes, SecondStep, TurnOffMfa, my_mfa, second_step_setup,
};
use crate::error::AppError;
use crate::ui::forms::field_error;
use crate::ui::{ErrorPage, Field, FormAlert, hard_navigate};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// `/sign-in/second-step`: the code from the app (or a recovery code) after a right password;
/// first, when the sign-in rules ask for two-step verification and the person has none, the
/// app's set-up. Without the script the form posts to the same address
/// (`auth::handlers::second_step_form`); the set-up is drawn on the server too.
#[component]
pub fn SecondStepPage() -> impl IntoView {
    let query = use_query_map();
    let action = ServerAction::<SecondStep>::new();
    let setup = Resource::new(|| (), |_| second_step_setup());
    let code = RwSignal::new(String::new());
    let next = StoredValue::new(query.with_untracked(|q| q.get("next")).unwrap_or_default());
    let posted_error = StoredValue::new(query.with_untracked(|q| q.get("error")));
    // Signed in: on at once, unless the app was just set up and its recovery codes are to be kept.
    Effect::new(move |_| {
        if let Some(Ok(codes)) = action.value().get()
            && codes.is_empty()
        {
            hard_navigate(&safe_next(Some(next.get_value())));
        }
    });
    // Set-up codes end the page's work: they replace the form, which is drawn once (never again
    // on each answer: what it holds would be disposed under it).
    let done = Signal::derive(move || match action.value().get() {
        Some(Ok(codes)) if !codes.is_empty() => Some(codes),
        _ => None,
    });
    view! {
        <Title text="Two-step verification" />
        <div class="auth-page">
            <section class="auth-card card">
                {move || done.get().map(|codes| view! {
                    <h1>"Two-step verification is on"</h1>
                    <RecoveryCodes codes />
                    <p><a class="btn btn-primary" href=safe_next(Some(next.get_value()))>"Continue"</a></p>
                })}
                <div hidden=move || done.get().is_some()>
                    <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                        {move || Suspend::new(async move {
                            match setup.await {
                                Ok(Some(setup)) => view! {
                                    <h1>"Set up two-step verification"</h1>
                                    <p>"Your organisation asks people with your role to use two-step verification. Scan this QR code with an authenticator app on your phone (Google Authenticator, Microsoft Authenticator, 1Password, Aegis…), then enter the 6-digit code it shows."</p>
                                    <div class="qr" inner_html=setup.qr_svg.clone()></div>
                                    <p>"Or type this key into the app: "<code data-testid="totp-secret">{setup.typed_secret.clone()}</code></p>
                                    <SecondStepForm action code next posted_error />
                                }.into_any(),
                                Ok(None) => view! {
                                    <h1>"Enter your code"</h1>
                                    <p>"Open your authenticator app and enter the 6-digit code it shows for this site. Lost your phone? Enter one of your recovery codes instead."</p>
                                    <SecondStepForm action code next posted_error />
                                }.into_any(),
                                Err(error) => view! {
                                    <h1>"Sign in again"</h1>
                                    <div class="alert alert-error" role="alert">{error.general().unwrap_or_else(|| error.to_string())}</div>
                                }.into_any(),
                            }
                        })}
                    </Suspense>
                </div>
                <p class="small"><a href="/sign-in">"Sign in again"</a></p>
            </section>
        </div>
    }
}

#[component]
fn SecondStepForm(
    action: ServerAction<SecondStep>,
    code: RwSignal<String>,
    next: StoredValue<String>,
    posted_error: StoredValue<Option<String>>,
) -> impl IntoView {
    let result: Signal<Option<Result<Vec<String>, AppError>>> = action.value().into();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(SecondStep {
            code: code.get_untracked(),
        });
    };
    view! {
        <form class="form" method="post" action="/sign-in/second-step" on:submit=on_submit novalidate>
            <input type="hidden" name="next" value=next.get_value() />
            {move || (result.get().is_none()).then(|| posted_error.get_value()).flatten().map(|message| view! {
                <div class="alert alert-error" role="alert">{message}</div>
            })}
            <FormAlert result />
            <Field label="Code" name="code" value=code autocomplete="one-time-code" required=true error=field_error(result, "code") />
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>"Verify"</button>
            </div>
        </form>
    }
}

/// Recovery codes just made: shown this once.
#[component]
fn RecoveryCodes(codes: Vec<String>) -> impl IntoView {
    view! {
        <div class="alert alert-success" role="status">
            <p><strong>"Save these recovery codes now."</strong>" Each one signs you in once if you lose your phone. They are not shown again."</p>
            <ol class="recovery-codes" data-testid="recovery-codes">
                {codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}
            </ol>
        </div>
    }
}

/// The account page's "Two-step verification": set up an app, new recovery codes, turn off.
#[component]
pub fn MfaSection() -> impl IntoView {
    let begin = ServerAction::<BeginTotp>::new();
    let confirm = ServerAction::<ConfirmTotp>::new();
    let off = ServerAction::<TurnOffMfa>::new();
    let regen = ServerAction::<NewRecoveryCodes>::new();
    let status = Resource::new(
        move || {
            (
                confirm.version().get(),
                off.version().get(),
                regen.version().get(),
            )
        },
        |_| my_mfa(),
    );
    // Recovery codes are shown once, whichever action made them.
    let codes = Signal::derive(move || {
        let fresh = |v: Option<Result<Vec<String>, AppError>>| v.and_then(Result::ok);
        fresh(regen.value().get()).or_else(|| fresh(confirm.value().get()))
    });
    view! {
        <section class="card" aria-labelledby="mfa-heading">
            <h2 id="mfa-heading">"Two-step verification"</h2>
            {move || codes.get().map(|codes| view! { <RecoveryCodes codes /> })}
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                        Ok(s) if s.enabled => view! { <MfaOn status=s off regen /> }.into_any(),
                        Ok(_) => view! { <MfaSetUp begin confirm /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn MfaSetUp(begin: ServerAction<BeginTotp>, confirm: ServerAction<ConfirmTotp>) -> impl IntoView {
    let code = RwSignal::new(String::new());
    let result: Signal<Option<Result<Vec<String>, AppError>>> = confirm.value().into();
    let started: Signal<Option<Result<super::model::TotpSetup, AppError>>> = begin.value().into();
    view! {
        <p>"Off. With it on, signing in with your password also asks for a code from an authenticator app on your phone (Google Authenticator, Microsoft Authenticator, 1Password, Aegis…)."</p>
        {move || match started.get() {
            Some(Ok(setup)) => view! {
                <div class="totp-setup">
                    <p>"1. Scan this QR code with your app."</p>
                    <div class="qr" inner_html=setup.qr_svg.clone()></div>
                    <p>"Or type this key into the app: "<code data-testid="totp-secret">{setup.typed_secret.clone()}</code></p>
                    <p>"2. Enter the 6-digit code the app shows."</p>
                    <form class="form" novalidate on:submit=move |ev: leptos::ev::SubmitEvent| {
                        ev.prevent_default();
                        confirm.dispatch(ConfirmTotp { code: code.get_untracked() });
                    }>
                        <FormAlert result />
                        <Field label="Code from the app" name="code" value=code autocomplete="one-time-code" required=true error=field_error(result, "code") />
                        <div class="form-actions"><button type="submit" class="btn btn-primary">"Turn on"</button></div>
                    </form>
                </div>
            }.into_any(),
            other => view! {
                {other.and_then(Result::err).map(|e| view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> })}
                <button type="button" class="btn btn-primary" on:click=move |_| { begin.dispatch(BeginTotp {}); }>"Set up an authenticator app"</button>
            }.into_any(),
        }}
    }
}

#[component]
fn MfaOn(
    status: MfaStatus,
    off: ServerAction<TurnOffMfa>,
    regen: ServerAction<NewRecoveryCodes>,
) -> impl IntoView {
    let code = RwSignal::new(String::new());
    let off_result: Signal<Option<Result<(), AppError>>> = off.value().into();
    let regen_result: Signal<Option<Result<Vec<String>, AppError>>> = regen.value().into();
    let error = Signal::derive(move || {
        field_error(off_result, "code")
            .get()
            .or_else(|| field_error(regen_result, "code").get())
    });
    view! {
        <p>{format!("On: signing in with your password asks for a code from your app. {} recovery codes left.", status.recovery_codes_left)}</p>
        <form class="form" novalidate on:submit=|ev: leptos::ev::SubmitEvent| ev.prevent_default()>
            <FormAlert result=off_result />
            <Field label="Code from your app (or a recovery code)" name="code" value=code autocomplete="one-time-code" error />
            <div class="form-actions">
                <button type="button" class="btn btn-secondary" on:click=move |_| { regen.dispatch(NewRecoveryCodes { code: code.get_untracked() }); }>"New recovery codes"</button>
                <button type="button" class="btn btn-danger" on:click=move |_| { off.dispatch(TurnOffMfa { code: code.get_untracked() }); }>"Turn off"</button>
            </div>
        </form>
    }
}
