//! Pages for signing in, registration, password reset, first set-up, and the account page.

use super::model::{ApiTokenInfo, SessionInfo, SignInNext};
use super::server::*;
use super::shell::use_shell;
use crate::error::AppError;
use crate::ui::forms::field_error;
use crate::ui::{Checkbox, ErrorPage, Field, FormAlert, format, hard_navigate};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::Redirect, hooks::use_query_map};

use super::model::safe_next;

#[component]
pub fn SignInPage() -> impl IntoView {
    let shell = use_shell();
    let query = use_query_map();
    let action = ServerAction::<SignIn>::new();
    // A plain post that failed comes back with its message and the address typed (handlers.rs).
    let email = RwSignal::new(query.with_untracked(|q| q.get("email")).unwrap_or_default());
    let password = RwSignal::new(String::new());
    let next = StoredValue::new(query.with_untracked(|q| q.get("next")).unwrap_or_default());
    let posted_error = StoredValue::new(query.with_untracked(|q| q.get("error")));
    let result: Signal<Option<Result<SignInNext, AppError>>> = action.value().into();
    Effect::new(move |_| match action.value().get() {
        Some(Ok(SignInNext::SignedIn)) => {
            hard_navigate(&safe_next(query.get_untracked().get("next")));
        }
        Some(Ok(SignInNext::SecondStep)) => {
            let next = safe_next(query.get_untracked().get("next"));
            let query = crate::ui::query_string(&[("next", next)]);
            hard_navigate(&format!("/sign-in/second-step{query}"));
        }
        _ => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(SignIn {
            email: email.get_untracked(),
            password: password.get_untracked(),
        });
    };
    view! {
        <Title text="Sign in" />
        <Suspense>
            {move || Suspend::new(async move {
                let info = shell.await.ok();
                let signed_in = info.as_ref().is_some_and(|i| i.actor.is_some());
                let registration = info.as_ref().is_some_and(|i| i.self_registration);
                let site = info.map(|i| i.site_name).unwrap_or_else(|| "Lyceum".into());
                if signed_in {
                    return view! { <Redirect path="/" /> }.into_any();
                }
                view! {
                    <div class="auth-page">
                        <section class="auth-card card">
                            <h1>{format!("Sign in to {site}")}</h1>
                            // Without JavaScript the form posts to /sign-in (auth::handlers).
                            <form class="form" method="post" action="/sign-in" on:submit=on_submit novalidate>
                                <input type="hidden" name="next" value=next.get_value() />
                                {move || (result.get().is_none()).then(|| posted_error.get_value()).flatten().map(|message| view! {
                                    <div class="alert alert-error" role="alert">{message}</div>
                                })}
                                <FormAlert result />
                                <Field label="Email address" name="email" kind="email" value=email autocomplete="username"
                                    required=true error=field_error(result, "email") />
                                <Field label="Password" name="password" kind="password" value=password
                                    autocomplete="current-password" required=true error=field_error(result, "password") />
                                <div class="form-actions">
                                    <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>
                                        {move || if action.pending().get() { "Signing in…" } else { "Sign in" }}
                                    </button>
                                </div>
                            </form>
                            <crate::sso::pages::SignInButtons next=next.get_value() />
                            <p class="small"><a href="/forgot-password">"Forgot your password?"</a></p>
                            {registration.then(|| view! { <p class="small">"New here? "<a href="/register">"Create an account"</a></p> })}
                        </section>
                    </div>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let shell = use_shell();
    let action = ServerAction::<Register>::new();
    let (email, name, password) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let result: Signal<Option<Result<(), AppError>>> = action.value().into();
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            hard_navigate("/");
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(Register {
            email: email.get_untracked(),
            name: name.get_untracked(),
            password: password.get_untracked(),
        });
    };
    view! {
        <Title text="Create an account" />
        <Suspense>
            {move || Suspend::new(async move {
                let open = shell.await.is_ok_and(|i| i.self_registration);
                if !open {
                    return view! {
                        <section class="error-page">
                            <h1>"Registration is closed"</h1>
                            <p>"Accounts on this site are created by an administrator."</p>
                            <p><a href="/sign-in">"Sign in"</a></p>
                        </section>
                    }.into_any();
                }
                view! {
                    <div class="auth-page">
                        <section class="auth-card card">
                            <h1>"Create an account"</h1>
                            <form class="form" on:submit=on_submit novalidate>
                                <FormAlert result />
                                <Field label="Full name" name="name" value=name autocomplete="name" required=true error=field_error(result, "name") />
                                <Field label="Email address" name="email" kind="email" value=email autocomplete="email" required=true error=field_error(result, "email") />
                                <Field label="Password" name="password" kind="password" value=password autocomplete="new-password" required=true
                                    hint="At least 10 characters; not your email address or a common password." error=field_error(result, "password") />
                                <div class="form-actions">
                                    <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>"Create account"</button>
                                </div>
                            </form>
                        </section>
                    </div>
                }.into_any()
            })}
        </Suspense>
    }
}

#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<RequestPasswordReset>::new();
    let email = RwSignal::new(String::new());
    let result: Signal<Option<Result<(), AppError>>> = action.value().into();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(RequestPasswordReset {
            email: email.get_untracked(),
        });
    };
    view! {
        <Title text="Reset your password" />
        <div class="auth-page">
            <section class="auth-card card">
                <h1>"Reset your password"</h1>
                <p>"Enter your email address. If it belongs to an account, we will send a link to set a new password."</p>
                <form class="form" on:submit=on_submit novalidate>
                    <FormAlert result success="If that address has an account, a reset link is on its way. Check your email." />
                    <Field label="Email address" name="email" kind="email" value=email autocomplete="email" required=true error=field_error(result, "email") />
                    <div class="form-actions">
                        <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>"Send reset link"</button>
                    </div>
                </form>
                <p class="small"><a href="/sign-in">"Back to sign in"</a></p>
            </section>
        </div>
    }
}

#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let query = use_query_map();
    let action = ServerAction::<ResetPassword>::new();
    let password = RwSignal::new(String::new());
    let keep_tokens = RwSignal::new(false);
    let result: Signal<Option<Result<(), AppError>>> = action.value().into();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let token = query.get_untracked().get("token").unwrap_or_default();
        action.dispatch(ResetPassword {
            token,
            password: password.get_untracked(),
            keep_api_tokens: keep_tokens.get_untracked().then(|| "on".to_string()),
        });
    };
    view! {
        <Title text="Choose a new password" />
        <div class="auth-page">
            <section class="auth-card card">
                <h1>"Choose a new password"</h1>
                {move || if let Some(Ok(())) = result.get() {
                    view! {
                        <div class="alert alert-success" role="status">"Your password is set. You can sign in now."</div>
                        <p><a class="btn btn-primary" href="/sign-in">"Sign in"</a></p>
                    }.into_any()
                } else {
                    view! {
                        <form class="form" on:submit=on_submit novalidate>
                            <FormAlert result />
                            <Field label="New password" name="password" kind="password" value=password autocomplete="new-password" required=true
                                hint="At least 10 characters; not your email address or a common password." error=field_error(result, "password") />
                            <p class="hint">"Every session of your account is signed out, and your API tokens are revoked unless you keep them."</p>
                            <Checkbox label="Keep my API tokens working" name="keep_api_tokens" checked=keep_tokens />
                            <div class="form-actions">
                                <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>"Set password"</button>
                            </div>
                        </form>
                    }.into_any()
                }}
            </section>
        </div>
    }
}

#[component]
pub fn SetupPage() -> impl IntoView {
    let query = use_query_map();
    let action = ServerAction::<CompleteSetup>::new();
    let (email, name, password) = (
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
        RwSignal::new(String::new()),
    );
    let result: Signal<Option<Result<(), AppError>>> = action.value().into();
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            hard_navigate("/");
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch(CompleteSetup {
            token: query.get_untracked().get("token").unwrap_or_default(),
            email: email.get_untracked(),
            name: name.get_untracked(),
            password: password.get_untracked(),
        });
    };
    view! {
        <Title text="Set up Lyceum" />
        <div class="auth-page">
            <section class="auth-card card">
                <h1>"Create the first administrator"</h1>
                <p>"This page works once, with the link printed in the server log."</p>
                <form class="form" on:submit=on_submit novalidate>
                    <FormAlert result />
                    {move || field_error(result, "token").get().map(|e| view! { <div class="alert alert-error" role="alert">{e}</div> })}
                    <Field label="Full name" name="name" value=name autocomplete="name" required=true error=field_error(result, "name") />
                    <Field label="Email address" name="email" kind="email" value=email autocomplete="email" required=true error=field_error(result, "email") />
                    <Field label="Password" name="password" kind="password" value=password autocomplete="new-password" required=true
                        hint="At least 10 characters; not your email address or a common password." error=field_error(result, "password") />
                    <div class="form-actions">
                        <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>"Create administrator"</button>
                    </div>
                </form>
            </section>
        </div>
    }
}

#[component]
pub fn AccountPage() -> impl IntoView {
    let shell = use_shell();
    view! {
        <Title text="Your account" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match shell.await.map(|i| i.actor) {
                    Ok(Some(actor)) => view! {
                        <div class="page-header"><h1>"Your account"</h1></div>
                        <div class="stack">
                            <NameForm initial=actor.name.clone() />
                            <TimeZoneSection />
                            <OrganisationSection />
                            <PasswordForm />
                            <super::mfa_pages::MfaSection />
                            <SessionsSection />
                            <ApiTokensSection />
                        </div>
                    }.into_any(),
                    Ok(None) => view! { <ErrorPage error=AppError::Unauthenticated /> }.into_any(),
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// What the organisation records about the person (read only; administrators change it).
#[component]
fn OrganisationSection() -> impl IntoView {
    let details = Resource::new(|| (), |_| crate::users::server::my_organisation());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                details.await.ok().filter(|d| !d.is_empty()).map(|details| view! {
                    <section class="card" aria-labelledby="organisation-heading">
                        <h2 id="organisation-heading">"Your organisation details"</h2>
                        <dl class="facts">{details.into_iter().map(|(label, value)| view! {
                            <dt>{label}</dt><dd>{value}</dd>
                        }).collect_view()}</dl>
                        <p class="small muted">"Your administrators keep these up to date; ask them if something is wrong."</p>
                    </section>
                })
            })}
        </Suspense>
    }
}

#[component]
fn NameForm(initial: String) -> impl IntoView {
    let action = ServerAction::<UpdateMyName>::new();
    let name = RwSignal::new(initial);
    let result: Signal<Option<Result<(), AppError>>> = action.value().into();
    view! {
        <section class="card" aria-labelledby="name-heading">
            <h2 id="name-heading">"Your name"</h2>
            <form class="form" on:submit=move |ev| { ev.prevent_default(); action.dispatch(UpdateMyName { name: name.get_untracked() }); } novalidate>
                <FormAlert result success="Your name is saved." />
                <Field label="Full name" name="name" value=name autocomplete="name" required=true error=field_error(result, "name") />
                <div class="form-actions"><button type="submit" class="btn btn-primary">"Save name"</button></div>
            </form>
        </section>
    }
}

/// The time zone the person reads times in (the calendar's days and times).
#[component]
fn TimeZoneSection() -> impl IntoView {
    let current = Resource::new(|| (), |_| my_time_zone());
    view! {
        <section class="card" aria-labelledby="time-zone-heading">
            <h2 id="time-zone-heading">"Your time zone"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match current.await {
                        Ok(choice) => view! { <TimeZoneForm choice /> }.into_any(),
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn TimeZoneForm(choice: super::model::TimeZoneChoice) -> impl IntoView {
    let action = ServerAction::<SetMyTimeZone>::new();
    let zone = RwSignal::new(choice.zone.clone());
    let result: Signal<Option<Result<super::model::TimeZoneChoice, AppError>>> =
        action.value().into();
    let error = field_error(result, "time_zone");
    let site = format!("The site's ({})", choice.site_zone);
    let chosen = choice.zone.clone();
    view! {
        <form class="form" on:submit=move |ev| { ev.prevent_default(); action.dispatch(SetMyTimeZone { time_zone: zone.get_untracked() }); } novalidate>
            <FormAlert result success="Your time zone is saved." />
            <div class="field">
                <label for="field-time_zone">"Time zone"</label>
                <p class="hint" id="field-time_zone-hint">"Your calendar shows days and times in it."</p>
                <select id="field-time_zone" name="time_zone" aria-describedby="field-time_zone-hint field-time_zone-error"
                    aria-invalid=move || error.get().is_some().then_some("true")
                    on:change=move |ev| zone.set(event_target_value(&ev))>
                    <option value="" selected=chosen.is_empty()>{site}</option>
                    {choice.zones.into_iter().map(|z| {
                        let selected = z == chosen;
                        view! { <option value=z.clone() selected=selected>{z.clone()}</option> }
                    }).collect_view()}
                </select>
                <p class="field-error" id="field-time_zone-error" role="alert">{move || error.get()}</p>
            </div>
            <div class="form-actions"><button type="submit" class="btn btn-primary">"Save time zone"</button></div>
        </form>
    }
}

#[component]
fn PasswordForm() -> impl IntoView {
    let action = ServerAction::<ChangeMyPassword>::new();
    let (current, new) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let keep_tokens = RwSignal::new(false);
    let result: Signal<Option<Result<(), AppError>>> = action.value().into();
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            current.set(String::new());
            new.set(String::new());
        }
    });
    view! {
        <section class="card" aria-labelledby="password-heading">
            <h2 id="password-heading">"Password"</h2>
            <form class="form" novalidate on:submit=move |ev| {
                ev.prevent_default();
                action.dispatch(ChangeMyPassword {
                    current_password: current.get_untracked(),
                    new_password: new.get_untracked(),
                    keep_api_tokens: keep_tokens.get_untracked().then(|| "on".to_string()),
                });
            }>
                <FormAlert result success="Your password is changed. Your other sessions were signed out and, unless you kept them, your API tokens revoked." />
                <Field label="Current password" name="current_password" kind="password" value=current autocomplete="current-password"
                    required=true error=field_error(result, "current_password") />
                <Field label="New password" name="new_password" kind="password" value=new autocomplete="new-password" required=true
                    hint="At least 10 characters; not your email address or a common password." error=field_error(result, "new_password") />
                <Checkbox label="Keep my API tokens working (otherwise they are revoked, in case someone else made them)" name="keep_api_tokens" checked=keep_tokens />
                <div class="form-actions"><button type="submit" class="btn btn-primary">"Change password"</button></div>
            </form>
        </section>
    }
}

#[component]
fn SessionsSection() -> impl IntoView {
    let sign_out_others = ServerAction::<SignOutOtherSessions>::new();
    let sessions = Resource::new(move || sign_out_others.version().get(), |_| my_sessions());
    view! {
        <section class="card" aria-labelledby="sessions-heading">
            <h2 id="sessions-heading">"Where you are signed in"</h2>
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Ok(list) => view! { <SessionTable list /> }.into_any(),
                        Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <button type="button" class="btn btn-secondary" on:click=move |_| { sign_out_others.dispatch(SignOutOtherSessions {}); }>
                "Sign out all other sessions"
            </button>
            {move || matches!(sign_out_others.value().get(), Some(Ok(()))).then(|| view! {
                <p class="alert alert-success" role="status">"All your other sessions are signed out."</p>
            })}
        </section>
    }
}

#[component]
fn SessionTable(list: Vec<SessionInfo>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <caption class="visually-hidden">"Your active sessions"</caption>
                <thead><tr><th scope="col">"Device"</th><th scope="col">"Address"</th><th scope="col">"Signed in"</th><th scope="col">"Last active"</th></tr></thead>
                <tbody>
                    {list.into_iter().map(|s| view! {
                        <tr>
                            <td>{s.user_agent.clone()}{s.current.then(|| view! { " " <span class="badge">"This device"</span> })}</td>
                            <td>{s.ip.clone()}</td>
                            <td>{format::datetime(s.created_at)}</td>
                            <td>{format::datetime(s.last_seen_at)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn ApiTokensSection() -> impl IntoView {
    let create = ServerAction::<CreateApiToken>::new();
    let revoke = ServerAction::<RevokeApiToken>::new();
    let tokens = Resource::new(
        move || (create.version().get(), revoke.version().get()),
        |_| my_api_tokens(),
    );
    let name = RwSignal::new(String::new());
    let created: Signal<Option<Result<super::model::NewApiToken, AppError>>> =
        create.value().into();
    view! {
        <section class="card" aria-labelledby="tokens-heading">
            <h2 id="tokens-heading">"API tokens"</h2>
            <p class="muted">"Tokens let scripts and other systems use the Lyceum API as you, with your permissions."</p>
            <form class="form" novalidate on:submit=move |ev| { ev.prevent_default(); create.dispatch(CreateApiToken { name: name.get_untracked() }); }>
                <Field label="Token name" name="token_name" value=name hint="What the token is for, such as 'HR sync'." error=field_error(created, "name") />
                <div class="form-actions"><button type="submit" class="btn btn-primary">"Create token"</button></div>
            </form>
            {move || created.get().and_then(|r| r.ok()).map(|t| view! {
                <div class="alert alert-success" role="status">
                    <p>"Copy this token now. It will not be shown again."</p>
                    <p class="token-secret" data-testid="token-secret">{t.secret}</p>
                </div>
            })}
            <Transition fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty-state">"No tokens yet."</p> }.into_any(),
                        Ok(list) => view! { <TokenTable list revoke /> }.into_any(),
                        Err(error) => view! { <p role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn TokenTable(list: Vec<ApiTokenInfo>, revoke: ServerAction<RevokeApiToken>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="data-table">
                <caption class="visually-hidden">"Your API tokens"</caption>
                <thead><tr><th scope="col">"Name"</th><th scope="col">"Created"</th><th scope="col">"Last used"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                <tbody>
                    {list.into_iter().map(|t| {
                        let id = t.id;
                        let label = format!("Revoke {}", t.name);
                        view! {
                            <tr>
                                <td>{t.name.clone()}</td>
                                <td>{format::datetime(t.created_at)}</td>
                                <td>{format::optional_datetime(t.last_used_at)}</td>
                                <td><button type="button" class="btn btn-danger btn-small" aria-label=label
                                    on:click=move |_| { revoke.dispatch(RevokeApiToken { id }); }>"Revoke"</button></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
