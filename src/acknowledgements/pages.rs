//! The acknowledgement in the player (policy text, statement, Confirm) and its panel in the item
//! editor (the statement, who confirmed, the CSV export).

use super::model::*;
use super::server::*;
use crate::courses::model::ItemDetail;
use crate::error::AppError;
use crate::ui::forms::field_error;
use crate::ui::pagination::Pagination;
use crate::ui::{ErrorPage, Field, FormAlert, format};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;

#[component]
pub fn AcknowledgementPlayer(item: ItemDetail) -> impl IntoView {
    let item_id = item.item.id;
    let confirm = ServerAction::<ConfirmAcknowledgement>::new();
    let view_data = Resource::new(
        move || confirm.version().get(),
        move |_| load_acknowledgement(item_id),
    );
    let result: Signal<Option<Result<LearnerView, AppError>>> = confirm.value().into();
    // Confirming completes the item: the player's outline and progress follow.
    let progress = crate::completion::model::ProgressChanged::in_context();
    Effect::new(move |_| {
        if let (Some(Ok(_)), Some(progress)) = (confirm.value().get(), progress) {
            progress.notify();
        }
    });
    view! {
        <div class="prose" inner_html=item.html></div>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let data = match view_data.await {
                    Ok(d) => d,
                    Err(error) => return view! { <ErrorPage error /> }.into_any(),
                };
                let statement = data.statement.clone();
                match (data.confirmed_at, data.may_confirm) {
                    (Some(at), _) => view! {
                        <div class="alert alert-success" role="status">
                            <p><strong>{format!("“{statement}”")}</strong></p>
                            <p>{format!("You confirmed this on {}.", format::datetime(at))}</p>
                        </div>
                    }.into_any(),
                    (None, true) => view! {
                        // A plain form too, so that confirming works before (or without) the script.
                        <form class="form acknowledgement" method="post" action=ConfirmAcknowledgement::PATH
                            on:submit=move |ev| {
                                ev.prevent_default();
                                confirm.dispatch(ConfirmAcknowledgement { item_id });
                            }>
                            <FormAlert result />
                            <input type="hidden" name="item_id" value=item_id.to_string() />
                            <p class="statement"><strong>{statement}</strong></p>
                            <div class="form-actions">
                                <button type="submit" class="btn btn-primary" disabled=move || confirm.pending().get()>"I confirm"</button>
                            </div>
                        </form>
                    }.into_any(),
                    (None, false) => view! {
                        <p class="hint">{format!("Learners confirm: “{statement}”")}</p>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn AcknowledgementSetup(item_id: i64, can_edit: bool) -> impl IntoView {
    let page = crate::ui::pagination::page_param("page");
    let save = ServerAction::<SaveAcknowledgementStatement>::new();
    let overview = Resource::new(
        move || (page.get(), save.version().get()),
        move |(page, _)| acknowledgement_overview(item_id, page),
    );
    view! {
        <section class="card" aria-labelledby="ack-heading">
            <h2 id="ack-heading">"Acknowledgement"</h2>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(o) => view! { <Overview item_id overview=o save can_edit /> }.into_any(),
                        Err(error) => view! { <ErrorPage error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Overview(
    item_id: i64,
    overview: Overview,
    save: ServerAction<SaveAcknowledgementStatement>,
    can_edit: bool,
) -> impl IntoView {
    let statement = RwSignal::new(overview.statement.clone());
    let result: Signal<Option<Result<(), AppError>>> = save.value().into();
    let page = overview.page;
    view! {
        <form class="form" on:submit=move |ev| {
            ev.prevent_default();
            save.dispatch(SaveAcknowledgementStatement { item_id, statement: statement.get_untracked() });
        }>
            <FormAlert result success="Saved." />
            <Field label="Statement learners confirm" name="statement" value=statement required=true
                error=field_error(result, "statement")
                hint="One sentence, e.g. “I have read and understood the fire safety policy.” Confirmations already given keep the wording they confirmed." />
            {can_edit.then(|| view! {
                <div class="form-actions"><button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>"Save statement"</button></div>
            })}
        </form>
        <h3>"Who confirmed"</h3>
        <p>{format!("{} of {} confirmed.", overview.confirmed, format::plural(overview.learners, "learner", "learners"))}</p>
        <p><a class="btn btn-secondary btn-small" href=format!("/acknowledgements/{item_id}/confirmations.csv") download="">"Export CSV"</a></p>
        <div class="table-wrap">
            <table class="data-table">
                <caption class="visually-hidden">"Learners and their confirmation"</caption>
                <thead><tr><th scope="col">"Learner"</th><th scope="col">"Email"</th><th scope="col">"Confirmed"</th></tr></thead>
                <tbody>
                    {page.items.iter().map(|c| view! {
                        <tr>
                            <td>{c.name.clone()}</td>
                            <td>{c.email.clone()}</td>
                            <td>{c.confirmed_at.map(format::datetime).unwrap_or_else(|| "Not yet".into())}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <Pagination page=page.page page_count=page.page_count() total=page.total href=move |p| format!("?page={p}") />
    }
}
