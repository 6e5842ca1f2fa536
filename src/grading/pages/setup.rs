//! The gradebook's set-up, for those who may edit the course: grade items and categories (add,
//! change, delete) and the course grade (pass grade, letter scheme).

use super::super::model::*;
use super::super::server::*;
use crate::error::AppError;
use crate::ui::forms::field_error;
use crate::ui::{Checkbox, Field, FormAlert, TextArea};
use leptos::prelude::*;

/// Every set-up action, so the table reloads after any of them.
#[derive(Clone, Copy)]
pub struct SetupActions {
    add_item: ServerAction<AddGradeItem>,
    add_category: ServerAction<AddGradeCategory>,
    settings: ServerAction<SaveGradebookSettings>,
    update_item: ServerAction<UpdateGradeItem>,
    delete_item: ServerAction<DeleteGradeItem>,
    update_category: ServerAction<UpdateGradeCategory>,
    delete_category: ServerAction<DeleteGradeCategory>,
}

impl SetupActions {
    pub fn new() -> Self {
        SetupActions {
            add_item: ServerAction::new(),
            add_category: ServerAction::new(),
            settings: ServerAction::new(),
            update_item: ServerAction::new(),
            delete_item: ServerAction::new(),
            update_category: ServerAction::new(),
            delete_category: ServerAction::new(),
        }
    }

    /// Grows whenever any of them finishes (tracked).
    pub fn version(&self) -> usize {
        self.add_item.version().get()
            + self.add_category.version().get()
            + self.settings.version().get()
            + self.update_item.version().get()
            + self.delete_item.version().get()
            + self.update_category.version().get()
            + self.delete_category.version().get()
    }
}

#[component]
pub fn Setup(table: GraderTable, actions: SetupActions) -> impl IntoView {
    let cid = table.course_id;
    view! {
        <div class="bank-layout">
            <section class="card" aria-labelledby="grade-items-heading"><h2 id="grade-items-heading">"Grade items"</h2>
                <ItemList items=table.all_items.clone() categories=table.categories.clone() actions />
                <h3>"Add a grade item"</h3>
                <AddItemForm course_id=cid categories=table.categories.clone() action=actions.add_item /></section>
            <section class="card" aria-labelledby="add-grade-category"><h2 id="add-grade-category">"Categories"</h2>
                <CategoryList categories=table.categories.clone() actions />
                <AddCategoryForm course_id=cid action=actions.add_category /></section>
            <section class="card" aria-labelledby="grade-settings"><h2 id="grade-settings">"Course grade"</h2>
                <SettingsForm course_id=cid pass_percent=table.pass_percent.clone() letters=table.letters.clone() action=actions.settings /></section>
        </div>
    }
}

/// Each item with a form to change it (behind a disclosure) and, for manual items, delete.
#[component]
fn ItemList(
    items: Vec<GradeItemView>,
    categories: Vec<GradeCategoryView>,
    actions: SetupActions,
) -> impl IntoView {
    let update_result: Signal<Option<Result<(), AppError>>> = actions.update_item.value().into();
    let delete_result: Signal<Option<Result<(), AppError>>> = actions.delete_item.value().into();
    view! {
        <FormAlert result=update_result success="Grade item saved; totals updated." />
        <FormAlert result=delete_result success="Grade item deleted; totals updated." />
        <ul class="plain-list setup-list">
            {items.into_iter().map(|i| {
                let id = i.id;
                let name = RwSignal::new(i.name.clone());
                let max = RwSignal::new(format_points(i.max_points));
                let category = RwSignal::new(i.category_id.map(|c| c.to_string()).unwrap_or_default());
                let extra = RwSignal::new(i.extra_credit);
                let from_source = i.from_source;
                let title = i.name.clone();
                let name_id = format!("item-{id}-name");
                let max_id = format!("item-{id}-max");
                let category_id = format!("item-{id}-category");
                view! {
                    <li>
                        <details>
                            <summary>{format!("{} ({}{})", i.name, crate::ui::format::plural(i.max_points, "point", "points"), i.category.as_ref().map(|c| format!(", {c}")).unwrap_or_default())}</summary>
                            <form class="form" on:submit=move |ev| {
                                ev.prevent_default();
                                actions.update_item.dispatch(UpdateGradeItem {
                                    grade_item_id: id,
                                    category_id: category.get_untracked().parse().ok(),
                                    name: name.get_untracked(),
                                    max_points: max.get_untracked(),
                                    extra_credit: extra.get_untracked(),
                                });
                            }>
                                {from_source.then(|| view! { <p class="hint">"Its name and points come from its quiz or assignment."</p> })}
                                <div class="field">
                                    <label for=name_id.clone()>{format!("Name of “{title}”")}</label>
                                    <input id=name_id type="text" bind:value=name disabled=from_source />
                                </div>
                                <div class="field">
                                    <label for=max_id.clone()>{format!("Points possible for “{title}”")}</label>
                                    <input id=max_id type="text" inputmode="decimal" class="narrow" bind:value=max disabled=from_source />
                                </div>
                                <div class="field">
                                    <label for=category_id.clone()>{format!("Category of “{title}”")}</label>
                                    <select id=category_id prop:value=move || category.get() on:change=move |ev| category.set(event_target_value(&ev))>
                                        <option value="">"None"</option>
                                        {categories.iter().map(|c| view! { <option value=c.id.to_string()>{c.name.clone()}</option> }).collect_view()}
                                    </select>
                                </div>
                                <Checkbox label="Extra credit" name="extra_credit" checked=extra />
                                <button type="submit" class="btn btn-secondary">{format!("Save “{title}”")}</button>
                                {(!from_source).then(|| view! {
                                    " "
                                    <button type="button" class="btn btn-danger" on:click=move |_| { actions.delete_item.dispatch(DeleteGradeItem { grade_item_id: id }); }>
                                        {format!("Delete “{}” and its grades", i.name)}</button>
                                })}
                            </form>
                        </details>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
fn CategoryList(categories: Vec<GradeCategoryView>, actions: SetupActions) -> impl IntoView {
    let update_result: Signal<Option<Result<(), AppError>>> =
        actions.update_category.value().into();
    let delete_result: Signal<Option<Result<(), AppError>>> =
        actions.delete_category.value().into();
    view! {
        <FormAlert result=update_result success="Category saved; totals updated." />
        <FormAlert result=delete_result success="Category deleted; its items are uncategorised." />
        <ul class="plain-list setup-list">
            {categories.into_iter().map(|c| {
                let id = c.id;
                let name = RwSignal::new(c.name.clone());
                let weight = RwSignal::new(format_points(c.weight));
                let drop = RwSignal::new(c.drop_lowest.to_string());
                let title = c.name.clone();
                let (name_id, weight_id, drop_id) = (format!("category-{id}-name"), format!("category-{id}-weight"), format!("category-{id}-drop"));
                view! {
                    <li>
                        <details>
                            <summary>{format!("{}: weight {} %, drop lowest {}", c.name, format_points(c.weight), c.drop_lowest)}</summary>
                            <form class="form" on:submit=move |ev| {
                                ev.prevent_default();
                                actions.update_category.dispatch(UpdateGradeCategory {
                                    category_id: id,
                                    name: name.get_untracked(),
                                    weight: weight.get_untracked(),
                                    drop_lowest: drop.get_untracked(),
                                });
                            }>
                                <div class="field"><label for=name_id.clone()>{format!("Name of “{title}”")}</label><input id=name_id type="text" bind:value=name /></div>
                                <div class="field"><label for=weight_id.clone()>{format!("Weight of “{title}” (%)")}</label><input id=weight_id type="text" inputmode="decimal" class="narrow" bind:value=weight /></div>
                                <div class="field"><label for=drop_id.clone()>{format!("Drop the lowest in “{title}”")}</label><input id=drop_id type="text" inputmode="numeric" class="narrow" bind:value=drop /></div>
                                <button type="submit" class="btn btn-secondary">{format!("Save “{title}”")}</button>" "
                                <button type="button" class="btn btn-danger" on:click=move |_| { actions.delete_category.dispatch(DeleteGradeCategory { category_id: id }); }>
                                    {format!("Delete “{}”", c.name)}</button>
                            </form>
                        </details>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

#[component]
fn AddItemForm(
    course_id: i64,
    categories: Vec<GradeCategoryView>,
    action: ServerAction<AddGradeItem>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let max = RwSignal::new("100".to_string());
    let category = RwSignal::new(String::new());
    let extra = RwSignal::new(false);
    let result: Signal<Option<Result<i64, AppError>>> = action.value().into();
    view! {
        <form class="form" on:submit=move |ev| {
            ev.prevent_default();
            action.dispatch(AddGradeItem { course_id, category_id: category.get_untracked(), name: name.get_untracked(), max_points: max.get_untracked(), extra_credit: extra.get_untracked() });
        }>
            <FormAlert result success="Grade item added." />
            <Field label="Name" name="name" value=name error=field_error(result, "name") />
            <Field label="Points possible" name="max_points" value=max error=field_error(result, "max_points") />
            <div class="field">
                <label for="grade-item-category">"Category"</label>
                <select id="grade-item-category" on:change=move |ev| category.set(event_target_value(&ev))>
                    <option value="">"None"</option>
                    {categories.iter().map(|c| view! { <option value=c.id.to_string()>{c.name.clone()}</option> }).collect_view()}
                </select>
            </div>
            <Checkbox label="Extra credit" name="extra_credit" checked=extra />
            <button type="submit" class="btn btn-primary">"Add item"</button>
        </form>
    }
}

#[component]
fn AddCategoryForm(course_id: i64, action: ServerAction<AddGradeCategory>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let weight = RwSignal::new("0".to_string());
    let drop = RwSignal::new("0".to_string());
    let result: Signal<Option<Result<i64, AppError>>> = action.value().into();
    view! {
        <form class="form" on:submit=move |ev| {
            ev.prevent_default();
            action.dispatch(AddGradeCategory { course_id, name: name.get_untracked(), weight: weight.get_untracked(), drop_lowest: drop.get_untracked() });
        }>
            <FormAlert result success="Category added." />
            <Field label="Category name" name="category_name" value=name error=field_error(result, "name") />
            <Field label="Weight (%)" name="weight" value=weight error=field_error(result, "weight") hint="0 everywhere: the total is points-based." />
            <Field label="Drop the lowest" name="drop_lowest" value=drop error=field_error(result, "drop_lowest") />
            <button type="submit" class="btn btn-secondary">"Add category"</button>
        </form>
    }
}

#[component]
fn SettingsForm(
    course_id: i64,
    pass_percent: String,
    letters: String,
    action: ServerAction<SaveGradebookSettings>,
) -> impl IntoView {
    let pass = RwSignal::new(pass_percent);
    let letters = RwSignal::new(letters);
    let result: Signal<Option<Result<(), AppError>>> = action.value().into();
    view! {
        <form class="form" on:submit=move |ev| {
            ev.prevent_default();
            action.dispatch(SaveGradebookSettings { course_id, pass_percent: pass.get_untracked(), letters: letters.get_untracked() });
        }>
            <FormAlert result success="Course grade settings saved." />
            <Field label="Pass grade (%)" name="pass_percent" value=pass error=field_error(result, "pass_percent")
                hint="Empty for none. With a pass grade, completing the course also needs a total of at least this." />
            <TextArea label="Letter scheme" name="letters" value=letters error=field_error(result, "letters") rows=8
                hint="One band per line: the letter, a colon, the lowest percentage (A: 93)." />
            <button type="submit" class="btn btn-secondary">"Save course grade settings"</button>
        </form>
    }
}
