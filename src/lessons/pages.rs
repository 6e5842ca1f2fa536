//! A lesson in the player, and its revisions in the item editor: compare any two, restore one.

use super::model::*;
use super::server::*;
use crate::courses::model::ItemDetail;
use crate::error::AppError;
use crate::ui::{ErrorPage, FormAlert, format};
use leptos::prelude::*;

/// The lesson's page (also an assignment's instructions): Markdown rendered and sanitised on the
/// server.
#[component]
pub fn LessonPlayer(item: ItemDetail) -> impl IntoView {
    view! { <div class="prose" inner_html=item.html></div> }
}

#[component]
pub fn Revisions(
    item_id: i64,
    can_edit: bool,
    saved: Signal<usize>,
    changed: RwSignal<crate::ui::Changed>,
) -> impl IntoView {
    let restore = ServerAction::<RestoreRevision>::new();
    // Every save keeps a revision: the list follows saves and restores.
    let revisions = Resource::new(
        move || (saved.get(), changed.get().version, restore.version().get()),
        move |_| item_revisions(item_id),
    );
    // The page's item form shows the restored text.
    Effect::new(move |_| {
        if let Some(Ok(())) = restore.value().get() {
            changed.update(|c| {
                c.version += 1;
                c.notice = Some("Revision restored (as a new revision).");
            });
        }
    });
    view! {
        <Suspense fallback=|| view! { <p>"Loading revisions…"</p> }>
            {move || Suspend::new(async move {
                match revisions.await {
                    Ok(list) => view! { <RevisionList item_id list restore can_edit /> }.into_any(),
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn RevisionList(
    item_id: i64,
    list: Vec<Revision>,
    restore: ServerAction<RestoreRevision>,
    can_edit: bool,
) -> impl IntoView {
    let old = RwSignal::new(list.get(1).map(|r| r.id));
    let new = RwSignal::new(list.first().map(|r| r.id));
    let compare = ServerAction::<CompareRevisions>::new();
    let restore_result: Signal<Option<Result<(), AppError>>> = restore.value().into();
    let compare_result: Signal<Option<Result<RevisionDiff, AppError>>> = compare.value().into();
    view! {
        <section class="card" aria-labelledby="revisions-heading">
            <h2 id="revisions-heading">"Revisions"</h2>
            // Success is said by the page (the panel reloads with the item).
            <FormAlert result=restore_result />
            <div class="table-wrap">
                <table class="data-table">
                    <caption class="visually-hidden">"Saved revisions, newest first"</caption>
                    <thead><tr><th scope="col">"Saved"</th><th scope="col">"By"</th><th scope="col">"Title"</th>
                        <th scope="col">"Compare from"</th><th scope="col">"Compare to"</th><th scope="col">"Actions"</th></tr></thead>
                    <tbody>
                        {list.into_iter().map(|r| {
                            let id = r.id;
                            let when = format::datetime(r.created_at);
                            view! {
                                <tr>
                                    <td>{when.clone()}</td>
                                    <td>{r.author.clone().unwrap_or_else(|| "—".into())}</td>
                                    <td>{r.title.clone()}</td>
                                    <td><input type="radio" name="compare-old" aria-label=format!("Compare from {when}") prop:checked=move || old.get() == Some(id) on:change=move |_| old.set(Some(id)) /></td>
                                    <td><input type="radio" name="compare-new" aria-label=format!("Compare to {when}") prop:checked=move || new.get() == Some(id) on:change=move |_| new.set(Some(id)) /></td>
                                    <td>{can_edit.then(|| view! {
                                        <button type="button" class="btn btn-small btn-secondary" aria-label=format!("Restore the revision of {when}")
                                            on:click=move |_| { restore.dispatch(RestoreRevision { item_id, revision_id: id }); }>"Restore"</button>
                                    })}</td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
            <button type="button" class="btn btn-secondary" on:click=move |_| {
                if let (Some(o), Some(n)) = (old.get_untracked(), new.get_untracked()) {
                    compare.dispatch(CompareRevisions { item_id, old: o, new: n });
                }
            }>"Compare"</button>
            {move || match compare_result.get() {
                Some(Ok(diff)) => view! {
                    <div class="diff" role="region" aria-label="Differences">
                        <p class="small muted">{format!("From {} to {}", format::datetime(diff.old.created_at), format::datetime(diff.new.created_at))}</p>
                        <pre>{diff.lines.into_iter().map(|l| match l {
                            DiffLine::Same(t) => view! { <span class="diff-same">{format!("  {t}\n")}</span> }.into_any(),
                            DiffLine::Added(t) => view! { <ins class="diff-added">{format!("+ {t}\n")}</ins> }.into_any(),
                            DiffLine::Removed(t) => view! { <del class="diff-removed">{format!("- {t}\n")}</del> }.into_any(),
                        }).collect_view()}</pre>
                    </div>
                }.into_any(),
                Some(Err(e)) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }.into_any(),
                None => ().into_any(),
            }}
        </section>
    }
}
