use leptos::prelude::*;

/// A labelled progress bar (the native element, so screen readers announce it) with the percentage.
#[component]
pub fn ProgressBar(
    percent: i64,
    #[prop(default = "Progress")] label: &'static str,
) -> impl IntoView {
    let percent = percent.clamp(0, 100);
    view! {
        <div class="progress">
            <progress max="100" value=percent.to_string() aria-label=label>{format!("{percent}%")}</progress>
            <span class="progress-value">{format!("{percent}%")}</span>
        </div>
    }
}
