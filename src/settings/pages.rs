use super::model::SiteSettings;
use super::server::{UpdateSiteSettings, get_site_settings};
use crate::error::AppError;
use crate::ui::forms::field_error;
use crate::ui::{Checkbox, ErrorPage, Field, FormAlert};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let settings = Resource::new(|| (), |_| get_site_settings());
    view! {
        <Title text="Site settings" />
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    Ok(current) => view! {
                        <div class="page-header"><h1>"Site settings"</h1></div>
                        <section class="card"><SettingsForm current /></section>
                    }.into_any(),
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SettingsForm(current: SiteSettings) -> impl IntoView {
    let action = ServerAction::<UpdateSiteSettings>::new();
    let site_name = RwSignal::new(current.site_name);
    let self_registration = RwSignal::new(current.self_registration);
    let lifetime = RwSignal::new(current.session_lifetime_minutes.to_string());
    let time_zone = RwSignal::new(current.time_zone);
    let result: Signal<Option<Result<SiteSettings, AppError>>> = action.value().into();
    view! {
        <form class="form" novalidate on:submit=move |ev| {
            ev.prevent_default();
            action.dispatch(UpdateSiteSettings {
                site_name: site_name.get_untracked(),
                self_registration: self_registration.get_untracked(),
                session_lifetime_minutes: lifetime.get_untracked(),
                time_zone: Some(time_zone.get_untracked()),
            });
        }>
            <FormAlert result success="Settings saved." />
            <Field label="Site name" name="site_name" value=site_name required=true error=field_error(result, "site_name")
                hint="Shown in the header and in emails." />
            <Checkbox label="Let people create their own learner accounts" name="self_registration" checked=self_registration />
            <Field label="Session lifetime (minutes of inactivity)" name="session_lifetime_minutes" kind="number" value=lifetime
                required=true error=field_error(result, "session_lifetime_minutes")
                hint="People are signed out after this long without activity." />
            <Field label="Time zone" name="time_zone" value=time_zone required=true error=field_error(result, "time_zone")
                hint="Where your organisation is, as an IANA name such as Europe/London: due dates end at midnight there." />
            <div class="form-actions">
                <button type="submit" class="btn btn-primary" disabled=move || action.pending().get()>"Save settings"</button>
            </div>
        </form>
    }
}
