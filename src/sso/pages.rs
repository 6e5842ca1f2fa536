//! `/admin/sso`: the identity providers people may sign in with, and the sign-in page's buttons.

use super::model::{DEFAULT_SCOPES, ProviderForm, ProviderInfo, SignInButton};
use super::server::{
    DeleteSsoProvider, SaveSignInRules, SaveSsoProvider, sign_in_rules, sso_buttons, sso_providers,
};
use crate::auth::model::SignInRule;
use crate::error::AppError;
use crate::ui::forms::TextArea;
use crate::ui::forms::{Checkbox, field_error, with_posted};
use crate::ui::{ErrorPage, Field, FormAlert};
use crate::users::model::Role;
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use leptos_meta::Title;

#[component]
pub fn SsoPage() -> impl IntoView {
    let changed = RwSignal::new(0u32);
    let delete = ServerAction::<DeleteSsoProvider>::new();
    let providers = Resource::new(
        move || (changed.get(), delete.version().get()),
        |_| sso_providers(),
    );
    view! {
        <Title text="Single sign-on" />
        <div class="page-header">
            <div>
                <h1>"Single sign-on"</h1>
                <p class="lead">"People sign in with their organisation's account through an OpenID Connect provider (Microsoft Entra ID, Okta, Google Workspace, Keycloak, Auth0…). Each enabled provider is a button on the sign-in page."</p>
            </div>
        </div>
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match providers.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="empty">"No provider yet: people sign in with their password."</p>
                    }.into_any(),
                    Ok(list) => list.into_iter().map(|p| view! { <ProviderCard provider=p changed delete /> }).collect_view().into_any(),
                }
            })}
        </Transition>
        <RulesSection />
        <section class="card" aria-labelledby="new-provider-heading">
            <h2 id="new-provider-heading">"Add a provider"</h2>
            <p class="hint">"Register Lyceum with the provider as a web application first: it gives you a client ID and secret. Give it the redirect URI shown here once the provider is saved."</p>
            <ProviderEditor initial=ProviderForm::new_provider() changed />
        </section>
    }
}

#[component]
fn ProviderCard(
    provider: ProviderInfo,
    changed: RwSignal<u32>,
    delete: ServerAction<DeleteSsoProvider>,
) -> impl IntoView {
    let heading = format!("provider-{}-heading", provider.id);
    let id = provider.id;
    let status = if provider.enabled {
        "Shown on the sign-in page"
    } else {
        "Switched off"
    };
    view! {
        <section class="card" aria-labelledby=heading.clone()>
            <h2 id=heading.clone()>{provider.name.clone()}</h2>
            <p>{status}{match provider.linked_people {
                1 => " · 1 person signs in with it".to_string(),
                n => format!(" · {n} people sign in with it"),
            }}</p>
            <p>"Redirect URI to register with the provider: "<code data-testid="redirect-uri">{provider.redirect_uri.clone()}</code></p>
            <details>
                <summary>"Edit"</summary>
                <ProviderEditor initial=ProviderForm::of(&provider) changed />
            </details>
            <form method="post" action=DeleteSsoProvider::PATH on:submit=move |ev: leptos::ev::SubmitEvent| {
                ev.prevent_default();
                delete.dispatch(DeleteSsoProvider { id });
            }>
                <input type="hidden" name="id" value=id />
                <button type="submit" class="btn btn-danger">"Remove this provider"</button>
            </form>
        </section>
    }
}

/// The provider form, which also posts without the script; it keeps what was typed whatever a
/// save answers.
#[component]
fn ProviderEditor(initial: ProviderForm, changed: RwSignal<u32>) -> impl IntoView {
    let save = ServerAction::<SaveSsoProvider>::new();
    let result: Signal<Option<Result<ProviderInfo, AppError>>> = with_posted(save.value().into());
    let new = initial.id == 0;
    let f = initial;
    let (slug, name, issuer_url, client_id, client_secret) = (
        RwSignal::new(f.slug),
        RwSignal::new(f.name),
        RwSignal::new(f.issuer_url),
        RwSignal::new(f.client_id),
        RwSignal::new(String::new()),
    );
    let scopes = RwSignal::new(if f.scopes.is_empty() {
        DEFAULT_SCOPES.to_string()
    } else {
        f.scopes
    });
    let profile_claims = RwSignal::new(f.profile_claims);
    let (email_claim, name_claim, allowed_domains) = (
        RwSignal::new(f.email_claim),
        RwSignal::new(f.name_claim),
        RwSignal::new(f.allowed_domains),
    );
    let (create_accounts, link_by_email, trust_email, enabled) = (
        RwSignal::new(f.create_accounts),
        RwSignal::new(f.link_by_email),
        RwSignal::new(f.trust_email),
        RwSignal::new(f.enabled),
    );
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            changed.update(|n| *n += 1);
            if new {
                client_secret.set(String::new());
            }
        }
    });
    let tick = |s: RwSignal<bool>| s.get_untracked().then(|| "on".to_string());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(SaveSsoProvider {
            id: f.id,
            slug: slug.get_untracked(),
            name: name.get_untracked(),
            issuer_url: issuer_url.get_untracked(),
            client_id: client_id.get_untracked(),
            client_secret: client_secret.get_untracked(),
            scopes: scopes.get_untracked(),
            email_claim: email_claim.get_untracked(),
            name_claim: name_claim.get_untracked(),
            allowed_domains: allowed_domains.get_untracked(),
            create_accounts: tick(create_accounts),
            link_by_email: tick(link_by_email),
            trust_email: tick(trust_email),
            enabled: tick(enabled),
            profile_claims: profile_claims.get_untracked(),
        });
    };
    let secret_hint = if new {
        "The secret the provider gave Lyceum. It is kept sealed with this site's key."
    } else {
        "Leave empty to keep the secret kept."
    };
    view! {
        <form class="form" method="post" action=SaveSsoProvider::PATH on:submit=on_submit novalidate>
            <FormAlert result success="Provider saved." />
            <input type="hidden" name="id" value=f.id />
            <Field label="Button name" name="name" value=name hint="People see \"Sign in with\" and this name." error=field_error(result, "name") />
            <Field label="Short name" name="slug" value=slug hint="Lower-case letters, digits and hyphens; part of the redirect URI." error=field_error(result, "slug") />
            <Field label="Issuer URL" name="issuer_url" kind="url" value=issuer_url hint="Where the provider's /.well-known/openid-configuration is, such as https://login.example.com." error=field_error(result, "issuer_url") />
            <Field label="Client ID" name="client_id" value=client_id error=field_error(result, "client_id") />
            <Field label="Client secret" name="client_secret" kind="password" value=client_secret hint=secret_hint autocomplete="new-password" error=field_error(result, "client_secret") />
            <Field label="Scopes" name="scopes" value=scopes hint="Separated by spaces; openid is required." error=field_error(result, "scopes") />
            <Field label="Email claim" name="email_claim" value=email_claim hint="The ID token claim with the person's address (email; upn for some directories)." error=field_error(result, "email_claim") />
            <Field label="Name claim" name="name_claim" value=name_claim error=field_error(result, "name_claim") />
            <Field label="Allowed domains" name="allowed_domains" value=allowed_domains hint="Only addresses in these domains may sign in, such as example.org, nurses.example.org. Empty: any." error=field_error(result, "allowed_domains") />
            <TextArea label="Profile fields from claims" name="profile_claims" value=profile_claims rows=3
                hint="One per line, field=claim: employee_id, department, job_title or location, and the ID token claim that holds it, such as department=department. Filled at each sign-in." error=field_error(result, "profile_claims") />
            <Checkbox label="Link to an existing account with the same verified address" name="link_by_email" checked=link_by_email />
            <Checkbox label="Create a learner account for people who have none" name="create_accounts" checked=create_accounts />
            <Checkbox label="Treat every address from this provider as verified (a directory that does not say)" name="trust_email" checked=trust_email />
            <Checkbox label="Show on the sign-in page" name="enabled" checked=enabled />
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>
                    {if new { "Add provider" } else { "Save provider" }}
                </button>
            </div>
        </form>
    }
}

/// What a password sign-in asks of each role: a table of checkboxes, read once.
#[component]
fn RulesSection() -> impl IntoView {
    let current = Resource::new(|| (), |_| sign_in_rules());
    view! {
        <section class="card" aria-labelledby="rules-heading">
            <h2 id="rules-heading">"Sign-in rules"</h2>
            <p class="hint">"For each role: whether people may still sign in with a password (once a provider is on), and whether their password sign-in also asks for a code from an authenticator app (set up at their next sign-in if they have none). A person with several roles gets the strictest. Administrators always keep their password, so that someone can mend a broken provider."</p>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match current.await {
                        Ok(rules) => view! { <RulesForm rules /> }.into_any(),
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

/// A role, "may use a password", "two-step verification required".
type RuleRow = (Role, RwSignal<bool>, RwSignal<bool>);

#[component]
fn RulesForm(rules: Vec<SignInRule>) -> impl IntoView {
    let save = ServerAction::<SaveSignInRules>::new();
    let result: Signal<Option<Result<Vec<SignInRule>, AppError>>> = save.value().into();
    let rows: Vec<RuleRow> = rules
        .iter()
        .map(|r| {
            (
                r.role,
                RwSignal::new(!r.password_off),
                RwSignal::new(r.mfa_required),
            )
        })
        .collect();
    let chosen = rows.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let pick = |f: &dyn Fn(&RuleRow) -> bool| {
            chosen
                .iter()
                .filter(|r| f(r))
                .map(|r| r.0.as_str().to_string())
                .collect::<Vec<_>>()
        };
        save.dispatch(SaveSignInRules {
            password_off: pick(&|r| !r.1.get_untracked()),
            mfa_required: pick(&|r| r.2.get_untracked()),
        });
    };
    view! {
        <form class="form" on:submit=on_submit novalidate>
            <FormAlert result success="Sign-in rules saved." />
            {move || field_error(result, "password_off").get().map(|e| view! { <p class="field-error" role="alert">{e}</p> })}
            <div class="table-wrap">
                <table>
                    <caption class="visually-hidden">"Sign-in rules by role"</caption>
                    <thead><tr><th scope="col">"Role"</th><th scope="col">"Password sign-in"</th><th scope="col">"Two-step verification"</th></tr></thead>
                    <tbody>
                        {rows.into_iter().map(|(role, password, mfa)| {
                            let admin = role == Role::Administrator;
                            view! {
                                <tr>
                                    <th scope="row">{role.label()}</th>
                                    <td><label class="checkbox">
                                        <input type="checkbox" checked=password.get_untracked() bind:checked=password disabled=admin />
                                        {format!("{}s may use a password", role.label())}
                                    </label></td>
                                    <td><label class="checkbox">
                                        <input type="checkbox" checked=mfa.get_untracked() bind:checked=mfa />
                                        {format!("Required for {}s", role.label().to_lowercase())}
                                    </label></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>"Save sign-in rules"</button>
            </div>
        </form>
    }
}

/// "Sign in with …" links under the password form; nothing when no provider is on.
#[component]
pub fn SignInButtons(next: String) -> impl IntoView {
    let buttons = Resource::new(|| (), |_| sso_buttons());
    view! {
        <Suspense>
            {move || {
                let next = next.clone();
                Suspend::new(async move {
                    let list: Vec<SignInButton> = buttons.await.unwrap_or_default();
                    (!list.is_empty()).then(|| view! {
                        <div class="sso-buttons" role="group" aria-label="Sign in with your organisation">
                            <p class="divider">"or"</p>
                            {list.into_iter().map(|b| {
                                let href = b.href(&next);
                                view! { <a class="btn btn-secondary btn-block" href=href>{format!("Sign in with {}", b.name)}</a> }
                            }).collect_view()}
                        </div>
                    })
                })
            }}
        </Suspense>
    }
}
