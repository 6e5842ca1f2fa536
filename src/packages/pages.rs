//! A package kind's panel in the item editor: its heading, what the kind shows of the package
//! (the children), and the upload form, a plain multipart post (`handlers::upload_route`) that
//! works before the page's script loads and shows its refusal next to the file field.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[component]
pub fn PackagePanel(
    can_edit: bool,
    /// The panel's heading ("SCORM package").
    heading: &'static str,
    /// What the package does for learners once uploaded.
    hint: &'static str,
    /// Where the form posts (the kind's upload route).
    action: String,
    /// Which file to upload.
    file_hint: &'static str,
    /// The file input's `accept` (a zip unless the kind takes more).
    #[prop(default = ".zip,application/zip")]
    accept: &'static str,
    children: Children,
) -> impl IntoView {
    let query = use_query_map();
    let q = query.get_untracked();
    let upload_error = q.get("upload_error");
    let uploaded = q.get("uploaded").is_some_and(|v| v == "package");
    let has_error = upload_error.is_some();
    view! {
        <section class="card" id="package" aria-labelledby="package-heading">
            <h2 id="package-heading">{heading}</h2>
            {(uploaded && !has_error).then(|| view! {
                <div class="alert alert-success" role="status">"The package was uploaded and checked."</div>
            })}
            {children()}
            <p class="hint">{hint}</p>
            {can_edit.then(|| view! {
                <form class="form inline-form" method="post" action=action enctype="multipart/form-data">
                    <div class="field">
                        <label for="package-file">"Upload a package"</label>
                        <p class="hint" id="package-file-hint">{file_hint}</p>
                        <input id="package-file" type="file" name="file" required accept=accept
                            aria-invalid=if has_error { "true" } else { "false" }
                            aria-describedby=if has_error { "package-file-hint package-file-error" } else { "package-file-hint" } />
                        {upload_error.clone().map(|e| view! { <p class="field-error" id="package-file-error" role="alert">{e}</p> })}
                    </div>
                    <button type="submit" class="btn btn-secondary">"Upload"</button>
                </form>
            })}
        </section>
    }
}
