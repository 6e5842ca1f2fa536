//! The course editor: structure (sections and items, reorder by drag or by keyboard), files,
//! settings, enrolment options, prerequisites, copy.

use super::super::model::*;
use super::super::server::*;
use super::catalogue::CourseSettingsForm;
use crate::enrolments::server::SetEnrolmentSettings;
use crate::error::AppError;
use crate::files::server::DeleteFile;
use crate::input::format_date;
use crate::items::kind::ItemKind;
use crate::items::server::{AddItem, CopyCourse, DeleteItem, DeleteSection, RestoreItem};
use crate::ui::format::human_size;
use crate::ui::forms::field_error;
use crate::ui::route_id;
use crate::ui::{ErrorPage, Field, FormAlert};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_navigate, use_query_map};

/// Moves keyboard focus to an element once the page has re-rendered (after a reorder).
fn focus_later(id: String) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        request_animation_frame(move || {
            if let Some(el) = document().get_element_by_id(&id)
                && let Ok(el) = el.dyn_into::<web_sys::HtmlElement>()
            {
                let _ = el.focus();
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// Every action on the page, so the editor reloads after any of them.
#[derive(Clone, Copy)]
struct EditorActions {
    add_section: ServerAction<AddSection>,
    rename_section: ServerAction<RenameSection>,
    delete_section: ServerAction<DeleteSection>,
    move_section: ServerAction<MoveSection>,
    add_item: ServerAction<AddItem>,
    delete_item: ServerAction<DeleteItem>,
    restore_item: ServerAction<RestoreItem>,
    place_item: ServerAction<PlaceItem>,
    set_state: ServerAction<SetCourseState>,
    delete_file: ServerAction<DeleteFile>,
    set_cover: ServerAction<SetCover>,
    /// Where keyboard focus goes after the next reload, and what to announce.
    focus_after: RwSignal<Option<String>>,
    announcement: RwSignal<String>,
    /// The item last deleted (id), for its "Undo".
    deleted: RwSignal<Option<i64>>,
}

impl EditorActions {
    fn new() -> Self {
        EditorActions {
            add_section: ServerAction::new(),
            rename_section: ServerAction::new(),
            delete_section: ServerAction::new(),
            move_section: ServerAction::new(),
            add_item: ServerAction::new(),
            delete_item: ServerAction::new(),
            restore_item: ServerAction::new(),
            place_item: ServerAction::new(),
            set_state: ServerAction::new(),
            delete_file: ServerAction::new(),
            set_cover: ServerAction::new(),
            focus_after: RwSignal::new(None),
            announcement: RwSignal::new(String::new()),
            deleted: RwSignal::new(None),
        }
    }
    fn version(&self) -> usize {
        self.add_section.version().get()
            + self.rename_section.version().get()
            + self.delete_section.version().get()
            + self.move_section.version().get()
            + self.add_item.version().get()
            + self.delete_item.version().get()
            + self.restore_item.version().get()
            + self.place_item.version().get()
            + self.set_state.version().get()
            + self.delete_file.version().get()
            + self.set_cover.version().get()
    }
}

#[component]
pub fn CourseEditorPage() -> impl IntoView {
    let id = route_id("id");
    let actions = EditorActions::new();
    let editor = Resource::new(
        move || (id.get(), actions.version()),
        |(id, _)| load_course_editor(id),
    );
    Effect::new(move |_| {
        if let Some(Ok(_)) = editor.get()
            && let Some(target) = actions.focus_after.get_untracked()
        {
            actions.focus_after.set(None);
            focus_later(target);
        }
    });
    let query = use_query_map();
    view! {
        <Title text="Edit course" />
        <p class="visually-hidden" aria-live="polite" role="status">{move || actions.announcement.get()}</p>
        <DeleteNotice actions />
        <Transition fallback=|| view! { <p>"Loading the course…"</p> }>
            {move || Suspend::new(async move {
                match editor.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(data) => {
                        let q = query.get_untracked();
                        view! { <Editor data actions created=q.get("created").is_some() /> }.into_any()
                    }
                }
            })}
        </Transition>
    }
}

/// The editor's sections, one shown at a time. Each is a real link (`?tab=files`) read on the
/// server, so a section renders whole without the script and a link to it can be shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tab {
    Content,
    Files,
    Settings,
    Enrolment,
}

impl Tab {
    const ALL: [Tab; 4] = [Tab::Content, Tab::Files, Tab::Settings, Tab::Enrolment];

    fn slug(self) -> &'static str {
        match self {
            Tab::Content => "content",
            Tab::Files => "files",
            Tab::Settings => "settings",
            Tab::Enrolment => "enrolment",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Tab::Content => "Content",
            Tab::Files => "Files",
            Tab::Settings => "Settings",
            Tab::Enrolment => "Enrolment",
        }
    }

    /// Teaching assistants see the content and the files; the rest is for those who edit.
    fn shown_to(self, can_edit: bool) -> bool {
        can_edit || matches!(self, Tab::Content | Tab::Files)
    }

    /// The section a query asks for: `tab`, or Files after a plain-form upload came back
    /// (`uploaded`, `upload_error`), else Content.
    fn from_query(query: &leptos_router::params::ParamsMap, can_edit: bool) -> Tab {
        let asked = query
            .get("tab")
            .and_then(|slug| Tab::ALL.into_iter().find(|t| t.slug() == slug));
        let uploaded = query.get("uploaded").is_some() || query.get("upload_error").is_some();
        match asked {
            Some(tab) if tab.shown_to(can_edit) => tab,
            None if uploaded => Tab::Files,
            _ => Tab::Content,
        }
    }
}

#[component]
fn Editor(data: CourseEditor, actions: EditorActions, created: bool) -> impl IntoView {
    let course = data.course.clone();
    let course_id = course.id;
    let can_edit = data.can_edit;
    let state = course.state;
    let state_result: Signal<Option<Result<Course, AppError>>> = actions.set_state.value().into();
    let query = use_query_map();
    let tab = Memo::new(move |_| query.with(|q| Tab::from_query(q, can_edit)));
    let data = StoredValue::new(data);
    view! {
        <div class="page-header">
            <div>
                <p class="small muted">{course.code.clone()}</p>
                <h1>{course.title.clone()}</h1>
                <p>
                    <span class=format!("badge badge-{}", state.as_str())>{state.label()}</span>
                    <span class="small muted">{format!(" · Owner: {}", course.owner_name.clone().unwrap_or_else(|| "none".into()))}</span>
                    {course.review_by.map(|r| view! { <span class="small muted">{format!(" · Review by {}", format_date(Some(r)))}</span> })}
                </p>
            </div>
            // One primary action: publishing a course that is not open yet.
            <div class="actions">
                <a class="btn btn-secondary" href=format!("/courses/{course_id}")>"Course page"</a>
                {(can_edit && state != CourseState::Published).then(|| view! {
                    <button type="button" class="btn btn-primary" on:click=move |_| {
                        actions.set_state.dispatch(SetCourseState { id: course_id, state: "published".into() });
                    }>"Publish"</button>
                })}
            </div>
        </div>
        <nav class="course-links" aria-label="This course">
            <a href=format!("/courses/{course_id}/participants")>"Participants"</a>
            <a href=format!("/courses/{course_id}/dashboard")>"Dashboard"</a>
            <a href=format!("/courses/{course_id}/grading")>"Needs grading"</a>
            <a href=format!("/courses/{course_id}/gradebook")>"Gradebook"</a>
            {can_edit.then(|| view! { <a href=format!("/courses/{course_id}/questions")>"Question bank"</a> })}
            {can_edit.then(|| view! { <a href=format!("/courses/{course_id}/import")>"Import and export"</a> })}
        </nav>
        {created.then(|| view! { <div class="alert alert-success" role="status">"Course created. Add sections and items, then publish it."</div> })}
        <FormAlert result=state_result success="Course state changed." />
        {(!can_edit).then(|| view! { <p class="alert alert-info">"You can see this course's structure; only its instructors change it."</p> })}
        <nav class="tabs" aria-label="Course editor">
            {Tab::ALL.into_iter().filter(|t| t.shown_to(can_edit)).map(|t| view! {
                <a class="tab" class:active=move || tab.get() == t href=format!("/courses/{course_id}/edit?tab={}", t.slug())
                    aria-current=move || (tab.get() == t).then_some("page")>{t.label()}</a>
            }).collect_view()}
        </nav>
        <div class="stack">
            {move || {
                let data = data.get_value();
                let course = data.course.clone();
                match tab.get() {
                    Tab::Content => view! {
                        <Structure sections=data.sections.clone() files=data.files.clone() course_id can_edit actions />
                        {can_edit.then(|| view! { <RecycleBin deleted=data.deleted.clone() actions /> })}
                    }.into_any(),
                    Tab::Files => view! {
                        <FilesPanel course_id files=data.files.clone() max_upload=data.max_upload_bytes can_edit cover=course.cover_file_id actions />
                    }.into_any(),
                    Tab::Settings => view! {
                        <section class="card" aria-labelledby="settings-heading">
                            <h2 id="settings-heading">"Settings"</h2>
                            <CourseSettingsForm course=Some(course.clone()) categories=data.categories.clone() />
                        </section>
                        <crate::certificates::pages::CourseCertificatePanel course_id />
                        <StatePanel course_id state actions />
                        <CopyPanel course_id code=course.code.clone() title=course.title.clone() />
                    }.into_any(),
                    Tab::Enrolment => view! {
                        <EnrolmentSettingsPanel course_id settings=course.enrolment.clone() />
                        <PrerequisitesPanel course_id prerequisites=data.prerequisites.clone() />
                    }.into_any(),
                }
            }}
        </div>
    }
}

/// Who may see the course: back to a draft, archived (Publish is the page's primary action).
#[component]
fn StatePanel(course_id: i64, state: CourseState, actions: EditorActions) -> impl IntoView {
    let set = move |to: &'static str| {
        actions.set_state.dispatch(SetCourseState {
            id: course_id,
            state: to.into(),
        });
    };
    view! {
        <section class="card" aria-labelledby="state-heading">
            <h2 id="state-heading">"Publishing"</h2>
            <p>{match state {
                CourseState::Draft => "Draft: only the course's staff see it. Publish it (at the top of the page) to open it to learners.",
                CourseState::Published => "Published: it is in the catalogue and its learners can open it.",
                CourseState::Archived => "Archived: its learners can still open it; nobody new can enrol. Publish it again to reopen enrolment.",
            }}</p>
            <div class="form-actions">
                {(state == CourseState::Published).then(|| view! {
                    <button type="button" class="btn btn-secondary" on:click=move |_| set("draft")>"Unpublish"</button>
                })}
                {(state != CourseState::Archived).then(|| view! {
                    <button type="button" class="btn btn-secondary" on:click=move |_| set("archived")>"Archive"</button>
                })}
            </div>
        </section>
    }
}

#[component]
fn Structure(
    sections: Vec<Section>,
    files: Vec<FileInfo>,
    course_id: i64,
    can_edit: bool,
    actions: EditorActions,
) -> impl IntoView {
    let new_section = RwSignal::new(String::new());
    let add_result: Signal<Option<Result<i64, AppError>>> = actions.add_section.value().into();
    let place_result: Signal<Option<Result<(), AppError>>> = actions.place_item.value().into();
    let dragging = RwSignal::new(None::<i64>);
    let section_count = sections.len();
    let section_ids: Vec<i64> = sections.iter().map(|s| s.id).collect();
    let section_sizes: Vec<usize> = sections.iter().map(|s| s.items.len()).collect();
    view! {
        <section class="card" aria-labelledby="structure-heading">
            <h2 id="structure-heading">"Content"</h2>
            {can_edit.then(|| view! { <p class="hint">"Drag items to reorder them, or use the move buttons."</p> })}
            <FormAlert result=place_result />
            {(sections.is_empty()).then(|| view! { <p class="empty-state">"No sections yet. Add the first one below."</p> })}
            {sections.into_iter().enumerate().map(|(si, section)| {
                let section_id = section.id;
                let title = section.title.clone();
                let prev_section = si.checked_sub(1).and_then(|p| section_ids.get(p).copied().zip(section_sizes.get(p).copied()));
                let next_section = section_ids.get(si + 1).copied();
                let item_count = section.items.len();
                view! {
                    <div class="outline-section">
                        <div class="outline-section-header">
                            <h3>{title.clone()}</h3>
                            {can_edit.then(|| view! { <SectionTools section_id title=title.clone() index=si count=section_count actions /> })}
                        </div>
                        <ol class="outline-items" aria-label=format!("Items in {title}")
                            on:dragover=move |ev: leptos::ev::DragEvent| ev.prevent_default()
                            on:drop=move |ev: leptos::ev::DragEvent| {
                                ev.prevent_default();
                                if let Some(item_id) = dragging.get_untracked() {
                                    dragging.set(None);
                                    actions.place_item.dispatch(PlaceItem { item_id, section_id, index: item_count as u32 });
                                }
                            }>
                            {section.items.into_iter().enumerate().map(|(ii, item)| {
                                let item_id = item.id;
                                let item_title = item.title.clone();
                                let up_target = if ii > 0 { Some((section_id, ii - 1)) } else { prev_section };
                                let down_target = if ii + 1 < item_count { Some((section_id, ii + 1)) } else { next_section.map(|s| (s, 0)) };
                                let move_to = move |target: (i64, usize), button: &'static str, title: String| {
                                    actions.focus_after.set(Some(format!("{button}-{item_id}")));
                                    actions.announcement.set(format!("Moved {title} to position {} ", target.1 + 1));
                                    actions.place_item.dispatch(PlaceItem { item_id, section_id: target.0, index: target.1 as u32 });
                                };
                                let t_up = item_title.clone();
                                let t_down = item_title.clone();
                                view! {
                                    <li class="outline-item" draggable=if can_edit { "true" } else { "false" }
                                        class:dragging=move || dragging.get() == Some(item_id)
                                        on:dragstart=move |_ev: leptos::ev::DragEvent| {
                                            #[cfg(feature = "hydrate")]
                                            if let Some(dt) = _ev.data_transfer() { let _ = dt.set_data("text/plain", &item_id.to_string()); }
                                            dragging.set(Some(item_id));
                                        }
                                        on:dragend=move |_| dragging.set(None)
                                        on:drop=move |ev: leptos::ev::DragEvent| {
                                            ev.prevent_default();
                                            ev.stop_propagation();
                                            if let Some(dragged) = dragging.get_untracked() {
                                                dragging.set(None);
                                                if dragged != item_id {
                                                    actions.place_item.dispatch(PlaceItem { item_id: dragged, section_id, index: ii as u32 });
                                                }
                                            }
                                        }>
                                        <span class="drag-handle" aria-hidden="true">"⠿"</span>
                                        <span class=format!("badge badge-kind badge-{}", item.kind.as_str())>{item.kind.label()}</span>
                                        <a href=format!("/courses/{course_id}/items/{item_id}/edit")>{item.title.clone()}</a>
                                        {(!item.required).then(|| view! { <span class="badge">"Optional"</span> })}
                                        {item.hidden.then(|| view! { <span class="badge badge-draft">"Hidden"</span> })}
                                        {can_edit.then(|| view! {
                                            <span class="item-tools">
                                                <button type="button" class="btn btn-small btn-secondary" id=format!("up-{item_id}")
                                                    aria-label=format!("Move {} up", item.title) disabled={up_target.is_none()}
                                                    on:click=move |_| if let Some(t) = up_target { move_to(t, "up", t_up.clone()) }>"↑"</button>
                                                <button type="button" class="btn btn-small btn-secondary" id=format!("down-{item_id}")
                                                    aria-label=format!("Move {} down", item.title) disabled={down_target.is_none()}
                                                    on:click=move |_| if let Some(t) = down_target { move_to(t, "down", t_down.clone()) }>"↓"</button>
                                                <button type="button" class="btn btn-small btn-danger" aria-label=format!("Delete {}", item.title)
                                                    on:click=move |_| {
                                                        actions.deleted.set(Some(item_id));
                                                        actions.delete_item.dispatch(DeleteItem { item_id });
                                                    }>"Delete"</button>
                                            </span>
                                        })}
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                        {can_edit.then(|| view! { <AddItemForm section_id section_title=title.clone() files=files.clone() actions /> })}
                    </div>
                }
            }).collect_view()}
            {can_edit.then(|| view! {
                <form class="form inline-form" on:submit=move |ev| {
                    ev.prevent_default();
                    actions.add_section.dispatch(AddSection { course_id, title: new_section.get_untracked() });
                    new_section.set(String::new());
                }>
                    <Field label="New section" name="section_title" value=new_section error=field_error(add_result, "title") />
                    <button type="submit" class="btn btn-secondary">"Add section"</button>
                </form>
            })}
        </section>
    }
}

/// What the last delete or restore did, kept above the editor while it reloads: "Deleted “X”.
/// Undo" (the undo restores at once), then "Restored “X”.", or why it failed. A polite live
/// region, so screen readers hear it without losing their place; the Undo button takes focus
/// since the Delete button that had it is gone.
#[component]
fn DeleteNotice(actions: EditorActions) -> impl IntoView {
    let deleted: Signal<Option<Result<String, AppError>>> = actions.delete_item.value().into();
    let restored: Signal<Option<Result<String, AppError>>> = actions.restore_item.value().into();
    // Which of the two spoke last.
    let last_restore = RwSignal::new(false);
    Effect::new(move |_| {
        if deleted.get().is_some() {
            last_restore.set(false);
            if matches!(deleted.get_untracked(), Some(Ok(_))) {
                focus_later("undo-delete".into());
            }
        }
    });
    Effect::new(move |_| {
        if restored.get().is_some() {
            last_restore.set(true);
        }
    });
    let undo = move |_| {
        if let Some(item_id) = actions.deleted.get_untracked() {
            actions.restore_item.dispatch(RestoreItem { item_id });
        }
    };
    let dismiss = move |_| {
        actions.delete_item.value().set(None);
        actions.restore_item.value().set(None);
    };
    view! {
        <div class="toast-region" role="status" aria-live="polite">
            {move || {
                let notice = if last_restore.get() { restored.get() } else { deleted.get() };
                notice.map(|result| match result {
                    Ok(title) if last_restore.get() => view! {
                        <div class="toast">
                            <span>{format!("Restored “{title}”.")}</span>
                            <button type="button" class="btn btn-small btn-secondary" aria-label="Dismiss" on:click=dismiss>"×"</button>
                        </div>
                    }.into_any(),
                    Ok(title) => view! {
                        <div class="toast">
                            <span>{format!("Deleted “{title}”. ")}<span class="small">"It is in Recently deleted for 30 days."</span></span>
                            <button type="button" id="undo-delete" class="btn btn-small btn-primary"
                                disabled=move || actions.restore_item.pending().get() on:click=undo>"Undo"</button>
                            <button type="button" class="btn btn-small btn-secondary" aria-label="Dismiss" on:click=dismiss>"×"</button>
                        </div>
                    }.into_any(),
                    Err(error) => view! {
                        <div class="toast toast-error">
                            <span>{error.general().unwrap_or_else(|| error.to_string())}</span>
                            <button type="button" class="btn btn-small btn-secondary" aria-label="Dismiss" on:click=dismiss>"×"</button>
                        </div>
                    }.into_any(),
                })
            }}
        </div>
    }
}

/// The recycle bin: items deleted in the last 30 days, each with Restore.
#[component]
fn RecycleBin(deleted: Vec<DeletedItem>, actions: EditorActions) -> impl IntoView {
    view! {
        <section class="card" id="recently-deleted" aria-labelledby="deleted-heading">
            <h2 id="deleted-heading">"Recently deleted"</h2>
            <p class="hint">"Deleted items are hidden from everyone. Restore one to bring it back where it was, with learners' progress, work and grades; after 30 days it is deleted for good."</p>
            {if deleted.is_empty() {
                view! { <p class="empty-state">"Nothing deleted recently."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="data-table">
                            <caption class="visually-hidden">"Recently deleted items"</caption>
                            <thead><tr><th scope="col">"Item"</th><th scope="col">"Section"</th><th scope="col">"Deleted"</th><th scope="col">"Deleted for good"</th><th scope="col"><span class="visually-hidden">"Actions"</span></th></tr></thead>
                            <tbody>
                                {deleted.into_iter().map(|d| {
                                    let item_id = d.id;
                                    let purged = crate::ui::format::datetime(d.purged_at());
                                    view! {
                                        <tr>
                                            <td><span class=format!("badge badge-kind badge-{}", d.kind.as_str())>{d.kind.label()}</span>" "{d.title.clone()}</td>
                                            <td>{d.section_title.clone()}</td>
                                            <td>{crate::ui::format::datetime(d.deleted_at)}{d.deleted_by.clone().map(|by| format!(" by {by}"))}</td>
                                            <td>{purged}</td>
                                            <td><button type="button" class="btn btn-small btn-secondary" aria-label=format!("Restore {}", d.title)
                                                disabled=move || actions.restore_item.pending().get()
                                                on:click=move |_| {
                                                    actions.deleted.set(Some(item_id));
                                                    actions.restore_item.dispatch(RestoreItem { item_id });
                                                }>"Restore"</button></td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn SectionTools(
    section_id: i64,
    title: String,
    index: usize,
    count: usize,
    actions: EditorActions,
) -> impl IntoView {
    let renaming = RwSignal::new(false);
    let name = RwSignal::new(title.clone());
    let confirming = RwSignal::new(false);
    let rename_result: Signal<Option<Result<(), AppError>>> = actions.rename_section.value().into();
    view! {
        <span class="item-tools">
            <button type="button" class="btn btn-small btn-secondary" aria-label=format!("Move section {title} up") disabled={index == 0}
                on:click=move |_| { actions.move_section.dispatch(MoveSection { section_id, index: index.saturating_sub(1) as u32 }); }>"↑"</button>
            <button type="button" class="btn btn-small btn-secondary" aria-label=format!("Move section {title} down") disabled={index + 1 >= count}
                on:click=move |_| { actions.move_section.dispatch(MoveSection { section_id, index: (index + 1) as u32 }); }>"↓"</button>
            <button type="button" class="btn btn-small btn-secondary" on:click=move |_| renaming.set(true)>"Rename"</button>
            <button type="button" class="btn btn-small btn-danger" on:click=move |_| confirming.set(true)>"Delete section"</button>
        </span>
        {move || renaming.get().then(|| view! {
            <form class="form inline-form" on:submit=move |ev| {
                ev.prevent_default();
                actions.rename_section.dispatch(RenameSection { section_id, title: name.get_untracked() });
                renaming.set(false);
            }>
                <Field label="Section title" name="rename_section" value=name error=field_error(rename_result, "title") />
                <button type="submit" class="btn btn-small btn-primary">"Save"</button>
            </form>
        })}
        {move || confirming.get().then(|| view! {
            <div class="alert alert-warning" role="alertdialog" aria-label="Confirm deleting the section">
                <p>"Delete this section? Its items go to “Recently deleted” below for 30 days, with learners' work and grades; restoring any of them brings the section back."</p>
                <button type="button" class="btn btn-danger btn-small" on:click=move |_| { actions.delete_section.dispatch(DeleteSection { section_id }); }>"Yes, delete"</button>
                <button type="button" class="btn btn-secondary btn-small" on:click=move |_| confirming.set(false)>"Keep it"</button>
            </div>
        })}
    }
}

#[component]
fn AddItemForm(
    section_id: i64,
    section_title: String,
    files: Vec<FileInfo>,
    actions: EditorActions,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let kind = RwSignal::new("lesson".to_string());
    let title = RwSignal::new(String::new());
    let body = RwSignal::new(String::new());
    let url = RwSignal::new(String::new());
    let file_id = RwSignal::new(String::new());
    let required = RwSignal::new(true);
    let completion = RwSignal::new("view".to_string());
    let result: Signal<Option<Result<i64, AppError>>> = actions.add_item.value().into();
    let files = StoredValue::new(files);
    let field_prefix = format!("s{section_id}");
    let kind_id = format!("{field_prefix}-kind");
    let file_select_id = format!("{field_prefix}-file");
    let completion_id = format!("{field_prefix}-completion");
    // What the chosen kind keeps (text, a file, an address) and how it completes.
    let shape = move || {
        ItemKind::parse(&kind.get())
            .unwrap_or(ItemKind::Lesson)
            .shape()
    };
    Effect::new(move |_| {
        if let Some(Ok(_)) = actions.add_item.value().get() {
            title.set(String::new());
            body.set(String::new());
            url.set(String::new());
            open.set(false);
        }
    });
    let file_error = field_error(result, "file_id");
    view! {
        <button type="button" class="btn btn-small btn-secondary" aria-expanded=move || open.get().to_string()
            on:click=move |_| open.update(|o| *o = !*o)>{format!("Add item to {section_title}")}</button>
        {move || open.get().then(|| {
            let kind_id = kind_id.clone();
            let file_select_id = file_select_id.clone();
            let completion_id = completion_id.clone();
            view! {
            <form class="form add-item" on:submit=move |ev| {
                ev.prevent_default();
                let form = ItemForm {
                    kind: kind.get_untracked(),
                    title: title.get_untracked(),
                    body: body.get_untracked(),
                    url: url.get_untracked(),
                    file_id: file_id.get_untracked(),
                    required: required.get_untracked(),
                    hidden: false,
                    completion: completion.get_untracked(),
                };
                actions.add_item.dispatch(AddItem { section_id, form });
            }>
                <FormAlert result />
                <div class="field">
                    <label for=kind_id.clone()>"Kind"</label>
                    <select id=kind_id on:change=move |ev| kind.set(event_target_value(&ev))>
                        {ItemKind::ALL.iter().map(|k| view! { <option value=k.as_str() selected=move || kind.get() == k.as_str()>{k.label()}</option> }).collect_view()}
                    </select>
                </div>
                <Field label="Title" name="item_title" value=title required=true error=field_error(result, "title") />
                {move || shape().text.map(|text| view! {
                    <crate::ui::TextArea label=text.label name="item_body" value=body rows=8 error=field_error(result, "body") hint=text.hint />
                })}
                {move || shape().file.map(|field| {
                    let choices: Vec<FileInfo> = files.get_value().into_iter()
                        .filter(|f| field.accepts(&f.content_type)).collect();
                    let file_select_id = file_select_id.clone();
                    view! {
                        <div class="field">
                            <label for=file_select_id.clone()>{field.label}</label>
                            <select id=file_select_id on:change=move |ev| file_id.set(event_target_value(&ev))
                                aria-invalid=move || if file_error.get().is_some() { "true" } else { "false" }>
                                <option value="">{field.optional.unwrap_or("Choose a file")}</option>
                                {choices.into_iter().map(|f| view! { <option value=f.id.to_string()>{f.name.clone()}</option> }).collect_view()}
                            </select>
                            {move || file_error.get().map(|e| view! { <p class="field-error">{e}</p> })}
                        </div>
                    }
                })}
                {move || shape().url.map(|label| view! {
                    <Field label name="item_url" kind="url" value=url error=field_error(result, "url") />
                })}
                {move || match shape().completes {
                    Some(rule) => view! { <p class="hint">{rule}</p> }.into_any(),
                    None => {
                        let completion_id = completion_id.clone();
                        view! {
                            <div class="field">
                                <label for=completion_id.clone()>"Completes"</label>
                                <select id=completion_id on:change=move |ev| completion.set(event_target_value(&ev))>
                                    {Completion::ALL.iter().map(|c| view! { <option value=c.as_str()>{c.label()}</option> }).collect_view()}
                                </select>
                            </div>
                        }.into_any()
                    }
                }}
                <label class="checkbox"><input type="checkbox" bind:checked=required />"Required for course completion"</label>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary" disabled=move || actions.add_item.pending().get()>"Add item"</button>
                </div>
            </form>
        }})}
    }
}

#[component]
fn FilesPanel(
    course_id: i64,
    files: Vec<FileInfo>,
    max_upload: u64,
    can_edit: bool,
    cover: Option<i64>,
    actions: EditorActions,
) -> impl IntoView {
    let query = use_query_map();
    let q = query.get_untracked();
    let upload_error = q.get("upload_error");
    let uploaded = q.get("uploaded").and_then(|id| id.parse::<i64>().ok());
    let uploaded_name =
        uploaded.and_then(|id| files.iter().find(|f| f.id == id).map(|f| f.name.clone()));
    let client_error = RwSignal::new(None::<String>);
    let max_mb = max_upload / (1024 * 1024);
    let on_change = move |_ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let size = _ev
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                .and_then(|input| input.files())
                .and_then(|list| list.get(0))
                .map(|file| file.size() as u64);
            client_error.set(size.filter(|s| *s > max_upload).map(|_| {
                format!("This file is larger than the {max_mb} MB upload limit. Choose a smaller file or ask an administrator to raise the limit.")
            }));
        }
    };
    let error = Signal::derive(move || client_error.get().or_else(|| upload_error.clone()));
    let delete_result: Signal<Option<Result<(), AppError>>> = actions.delete_file.value().into();
    view! {
        <section class="card" id="files" aria-labelledby="files-heading">
            <h2 id="files-heading">"Files"</h2>
            {uploaded_name.map(|name| view! { <div class="alert alert-success" role="status">{format!("Uploaded {name}.")}</div> })}
            <FormAlert result=delete_result />
            {can_edit.then(|| view! {
                <form class="form inline-form" method="post" action=format!("/courses/{course_id}/files") enctype="multipart/form-data"
                    on:submit=move |ev| if client_error.get_untracked().is_some() { ev.prevent_default(); }>
                    <div class="field">
                        <label for="upload-file">"Upload a file"</label>
                        <p class="hint" id="upload-file-hint">{format!("PDF, images, video, audio, documents; up to {max_mb} MB.")}</p>
                        <input id="upload-file" type="file" name="file" required on:change=on_change
                            aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
                            aria-describedby=move || if error.get().is_some() { "upload-file-hint upload-file-error" } else { "upload-file-hint" } />
                        {move || error.get().map(|e| view! { <p class="field-error" id="upload-file-error" role="alert">{e}</p> })}
                    </div>
                    <button type="submit" class="btn btn-secondary">"Upload"</button>
                </form>
            })}
            {if files.is_empty() {
                view! { <p class="empty-state">"No files yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="data-table">
                            <caption class="visually-hidden">"Files of this course"</caption>
                            <thead><tr><th scope="col">"Name"</th><th scope="col">"Type"</th><th scope="col">"Size"</th><th scope="col">"Markdown"</th><th scope="col">"Actions"</th></tr></thead>
                            <tbody>
                                {files.into_iter().map(|f| {
                                    let file_id = f.id;
                                    let snippet = if f.is_image() { format!("![{}]({})", f.name, f.url()) } else { format!("[{}]({})", f.name, f.url()) };
                                    let is_cover = cover == Some(f.id);
                                    let image = f.is_image();
                                    view! {
                                        <tr>
                                            <td><a href=f.url()>{f.name.clone()}</a>{is_cover.then(|| view! { " " <span class="badge">"Cover"</span> })}</td>
                                            <td>{f.content_type.clone()}</td>
                                            <td>{human_size(f.size_bytes)}</td>
                                            <td><code class="snippet">{snippet}</code></td>
                                            <td>
                                                {(can_edit && image && !is_cover).then(|| view! {
                                                    <button type="button" class="btn btn-small btn-secondary" on:click=move |_| { actions.set_cover.dispatch(SetCover { id: course_id, file_id: Some(file_id) }); }>"Use as cover"</button>
                                                })}
                                                {can_edit.then(|| view! {
                                                    <button type="button" class="btn btn-small btn-danger" aria-label=format!("Delete {}", f.name)
                                                        on:click=move |_| { actions.delete_file.dispatch(DeleteFile { file_id }); }>"Delete"</button>
                                                })}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn EnrolmentSettingsPanel(course_id: i64, settings: EnrolmentSettings) -> impl IntoView {
    let self_enrol = RwSignal::new(settings.self_enrol);
    let key = RwSignal::new(settings.enrol_key.clone().unwrap_or_default());
    let approval = RwSignal::new(settings.needs_approval);
    let capacity = RwSignal::new(settings.capacity.map(|c| c.to_string()).unwrap_or_default());
    let action = ServerAction::<SetEnrolmentSettings>::new();
    let result: Signal<Option<Result<EnrolmentSettings, AppError>>> = action.value().into();
    view! {
        <section class="card" aria-labelledby="enrolment-heading">
            <h2 id="enrolment-heading">"Enrolment"</h2>
            <form class="form" on:submit=move |ev| {
                ev.prevent_default();
                action.dispatch(SetEnrolmentSettings { id: course_id, form: EnrolmentSettingsForm {
                    self_enrol: self_enrol.get_untracked(),
                    enrol_key: key.get_untracked(),
                    needs_approval: approval.get_untracked(),
                    capacity: capacity.get_untracked(),
                }});
            }>
                <FormAlert result success="Enrolment settings saved." />
                <label class="checkbox"><input type="checkbox" name="self_enrol" bind:checked=self_enrol />"Learners may enrol themselves"</label>
                <Field label="Enrolment key" name="enrol_key" value=key error=field_error(result, "enrol_key")
                    hint="Optional: learners must type this to enrol." />
                <label class="checkbox"><input type="checkbox" name="needs_approval" bind:checked=approval />"Requests need an instructor's approval"</label>
                <Field label="Places" name="capacity" kind="number" value=capacity error=field_error(result, "capacity")
                    hint="Optional: when full, new requests join a waiting list that moves up automatically." />
                <div class="form-actions"><button type="submit" class="btn btn-primary">"Save enrolment settings"</button></div>
            </form>
        </section>
    }
}

#[component]
fn PrerequisitesPanel(course_id: i64, prerequisites: Vec<CourseCard>) -> impl IntoView {
    let codes = RwSignal::new(
        prerequisites
            .iter()
            .map(|c| c.code.clone())
            .collect::<Vec<_>>()
            .join(", "),
    );
    let action = ServerAction::<SetPrerequisites>::new();
    let result: Signal<Option<Result<Vec<CourseCard>, AppError>>> = action.value().into();
    view! {
        <section class="card" aria-labelledby="prerequisites-heading">
            <h2 id="prerequisites-heading">"Prerequisites"</h2>
            <form class="form" on:submit=move |ev| {
                ev.prevent_default();
                action.dispatch(SetPrerequisites { id: course_id, codes: codes.get_untracked() });
            }>
                <FormAlert result success="Prerequisites saved." />
                <Field label="Courses to complete first" name="prerequisites" value=codes error=field_error(result, "prerequisites")
                    hint="Course codes separated by commas; leave empty for none." />
                <div class="form-actions"><button type="submit" class="btn btn-primary">"Save prerequisites"</button></div>
            </form>
        </section>
    }
}

#[component]
fn CopyPanel(course_id: i64, code: String, title: String) -> impl IntoView {
    let new_code = RwSignal::new(format!("{code}-COPY"));
    let new_title = RwSignal::new(format!("{title} (copy)"));
    let action = ServerAction::<CopyCourse>::new();
    let result: Signal<Option<Result<Course, AppError>>> = action.value().into();
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(course)) = action.value().get() {
            navigate(
                &format!("/courses/{}/edit?created=1", course.id),
                Default::default(),
            );
        }
    });
    view! {
        <section class="card" aria-labelledby="copy-heading">
            <h2 id="copy-heading">"Copy this course"</h2>
            <p class="hint">"Makes a new draft with the same settings, structure, content and files, without any people."</p>
            <form class="form" on:submit=move |ev| {
                ev.prevent_default();
                action.dispatch(CopyCourse { id: course_id, code: new_code.get_untracked(), title: new_title.get_untracked() });
            }>
                <FormAlert result />
                <Field label="New title" name="copy_title" value=new_title error=field_error(result, "title") />
                <Field label="New code" name="copy_code" value=new_code error=field_error(result, "code") />
                <div class="form-actions"><button type="submit" class="btn btn-secondary">"Copy course"</button></div>
            </form>
        </section>
    }
}
