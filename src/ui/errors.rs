use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found" />
        <section class="error-page">
            <p class="error-code" aria-hidden="true">"404"</p>
            <h1>"Page not found"</h1>
            <p>"The page you asked for does not exist, or it has moved."</p>
            <p><a href="/">"Go to your home page"</a></p>
        </section>
    }
}

#[component]
pub fn Forbidden() -> impl IntoView {
    view! {
        <Title text="Access denied" />
        <section class="error-page">
            <p class="error-code" aria-hidden="true">"403"</p>
            <h1>"You do not have access to this page"</h1>
            <p>"Your account does not have the permission this page needs. If you think it should, ask your administrator."</p>
            <p><a href="/">"Go to your home page"</a></p>
        </section>
    }
}

/// Shows an error from a page's data load in the most helpful form.
#[component]
pub fn ErrorPage(error: AppError) -> impl IntoView {
    match error {
        AppError::Forbidden => view! { <Forbidden /> }.into_any(),
        AppError::NotFound => view! { <NotFound /> }.into_any(),
        AppError::Unauthenticated => view! {
            <section class="error-page">
                <h1>"Please sign in"</h1>
                <p>"Your session has ended or you are not signed in."</p>
                <p><a class="btn btn-primary" href="/sign-in">"Sign in"</a></p>
            </section>
        }
        .into_any(),
        other => view! {
            <section class="error-page">
                <h1>"Something went wrong"</h1>
                <p role="alert">{other.to_string()}</p>
                <p><a href="/">"Go to your home page"</a></p>
            </section>
        }
        .into_any(),
    }
}
