//! `<App/>`: the HTML shell, the app frame (header, navigation by role, user menu) and the routes.

use crate::auth::pages::{
    ForgotPasswordPage, RegisterPage, ResetPasswordPage, SetupPage, SignInPage,
};
use crate::auth::permissions::{Action, Actor, can};
use crate::auth::server::{ShellInfo, SignOut, get_shell};
use crate::error::AppError;
use crate::ui::{ErrorPage, NotFound, hard_navigate};
use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    hooks::use_location,
    path,
};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(res)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        if let Ok(value) = http::HeaderValue::from_str(&crate::http::page_csp(&nonce)) {
            res.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
        }
    }
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                // The output name carries the build id (see http::assets).
                <link rel="stylesheet" id="leptos" href=format!("/{}/{}.css", options.site_pkg_dir, options.output_name) />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The shell data every page shares (who is signed in, site name).
#[derive(Clone, Copy)]
pub struct ShellResource(pub Resource<Result<ShellInfo, AppError>>);

pub fn use_shell() -> Resource<Result<ShellInfo, AppError>> {
    expect_context::<ShellResource>().0
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let shell = Resource::new_blocking(|| (), |_| get_shell());
    provide_context(ShellResource(shell));

    view! {
        <Title formatter=|text: String| if text.is_empty() { "Lyceum".to_string() } else { format!("{text} · Lyceum") } />
        <Router>
            <a class="skip-link" href="#main">"Skip to main content"</a>
            <Header />
            <main id="main" class="app-main" tabindex="-1">
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/sign-in") view=SignInPage />
                    <Route path=path!("/register") view=RegisterPage />
                    <Route path=path!("/forgot-password") view=ForgotPasswordPage />
                    <Route path=path!("/reset-password") view=ResetPasswordPage />
                    <Route path=path!("/setup") view=SetupPage />
                    <Route path=path!("/account") view=crate::auth::pages::AccountPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/users") view=crate::users::pages::UserListPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/users/new") view=crate::users::pages::NewUserPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/users/import") view=crate::users::pages::ImportUsersPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/users/:id") view=crate::users::pages::EditUserPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/audit") view=crate::audit::pages::AuditLogPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/settings") view=crate::settings::pages::SettingsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/outbox") view=crate::mail::pages::OutboxPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/categories") view=crate::courses::pages::CategoriesPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/cohorts") view=crate::enrolments::pages::CohortsPage ssr=SsrMode::Async />
                    <Route path=path!("/courses") view=crate::courses::pages::CataloguePage ssr=SsrMode::Async />
                    <Route path=path!("/courses/new") view=crate::courses::pages::NewCoursePage ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id") view=crate::learning::pages::CoursePageView ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/edit") view=crate::courses::pages::CourseEditorPage ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/items/:item_id/edit") view=crate::courses::pages::ItemEditorPage ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/participants") view=crate::enrolments::pages::ParticipantsPage ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/learn") view=crate::learning::pages::ResumePage ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/learn/:item_id") view=crate::learning::pages::PlayerPage ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/questions") view=crate::assessments::pages::QuestionBankPage ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/questions/new") view=crate::assessments::pages::QuestionEditorPage ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/questions/:question_id") view=crate::assessments::pages::QuestionEditorPage ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/grading") view=crate::assessments::pages::GradingQueuePage ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/gradebook") view=crate::grading::pages::GradebookPage ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/grades") view=crate::grading::pages::MyGradesPage ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/dashboard") view=crate::dashboard::pages::DashboardPage ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/assignments/:item_id/submissions") view=crate::assignments::pages::SubmissionsPage ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/assignments/:item_id/submissions/:user_id") view=crate::assignments::pages::SubmissionGradingPage ssr=SsrMode::Async />
                    <Route path=path!("/attempts/:id") view=crate::assessments::pages::AttemptPage ssr=SsrMode::Async />
                    <Route path=path!("/attempts/:id/review") view=crate::assessments::pages::AttemptReviewPage ssr=SsrMode::Async />
                </Routes>
            </main>
            <footer class="app-footer">
                <p class="small muted">"Lyceum · open-source learning"</p>
            </footer>
        </Router>
    }
}

struct NavLink {
    href: &'static str,
    label: &'static str,
}

fn nav_links(actor: &Actor) -> Vec<NavLink> {
    let mut links = vec![
        NavLink {
            href: "/",
            label: "Home",
        },
        NavLink {
            href: "/courses",
            label: "Courses",
        },
    ];
    if can(actor, Action::ViewUsers) {
        links.push(NavLink {
            href: "/admin/users",
            label: "Users",
        });
    }
    if can(actor, Action::ManageCohorts) {
        links.push(NavLink {
            href: "/admin/cohorts",
            label: "Cohorts",
        });
    }
    if can(actor, Action::ManageCategories) {
        links.push(NavLink {
            href: "/admin/categories",
            label: "Categories",
        });
    }
    if can(actor, Action::ViewAuditLog) {
        links.push(NavLink {
            href: "/admin/audit",
            label: "Audit log",
        });
    }
    if can(actor, Action::ManageSettings) {
        links.push(NavLink {
            href: "/admin/settings",
            label: "Settings",
        });
    }
    if can(actor, Action::ViewOutbox) {
        links.push(NavLink {
            href: "/admin/outbox",
            label: "Outbox",
        });
    }
    links
}

#[component]
fn Header() -> impl IntoView {
    let shell = use_shell();
    let location = use_location();
    let sign_out = ServerAction::<SignOut>::new();
    Effect::new(move |_| {
        if let Some(Ok(())) = sign_out.value().get() {
            hard_navigate("/sign-in");
        }
    });
    view! {
        <header class="app-header">
            <Suspense fallback=|| view! { <a class="brand" href="/">"Lyceum"</a> }>
                {move || Suspend::new(async move {
                    let info = shell.await.ok();
                    let site_name = info.as_ref().map(|i| i.site_name.clone()).unwrap_or_else(|| "Lyceum".into());
                    let actor = info.and_then(|i| i.actor);
                    view! {
                        <a class="brand" href="/">{site_name}</a>
                        {actor.map(|actor| {
                            let links = nav_links(&actor);
                            view! {
                                <nav class="app-nav" aria-label="Main">
                                    <ul>
                                        {links.into_iter().map(|link| {
                                            let current = move || {
                                                let path = location.pathname.get();
                                                let active = if link.href == "/" { path == "/" } else { path.starts_with(link.href) };
                                                active.then_some("page")
                                            };
                                            view! { <li><a href=link.href aria-current=current>{link.label}</a></li> }
                                        }).collect_view()}
                                    </ul>
                                </nav>
                                <details class="user-menu">
                                    <summary>{actor.name.clone()}</summary>
                                    <div class="user-menu-panel">
                                        <p class="small muted">{actor.email.clone()}</p>
                                        <a href="/account">"Your account"</a>
                                        <button type="button" class="link-button" on:click=move |_| { sign_out.dispatch(SignOut {}); }>
                                            "Sign out"
                                        </button>
                                    </div>
                                </details>
                            }
                        })}
                    }
                })}
            </Suspense>
        </header>
    }
}

#[component]
fn HomePage() -> impl IntoView {
    let shell = use_shell();
    // Created here, not inside the Suspend below, so that re-running it does not start new loads.
    let learning = Resource::new(|| (), |_| crate::learning::server::load_my_learning());
    let reviews = Resource::new(|| (), |_| crate::courses::server::reviews_due());
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match shell.await {
                    Err(error) => view! { <ErrorPage error /> }.into_any(),
                    Ok(ShellInfo { actor: None, setup_needed, .. }) => view! {
                        <Title text="Welcome" />
                        <section class="error-page">
                            <h1>"Welcome to Lyceum"</h1>
                            {if setup_needed {
                                view! { <p>"Lyceum has no administrator yet. Open the set-up link printed in the server log."</p> }.into_any()
                            } else {
                                view! { <p><a class="btn btn-primary" href="/sign-in">"Sign in"</a></p> }.into_any()
                            }}
                        </section>
                    }.into_any(),
                    Ok(ShellInfo { actor: Some(actor), .. }) => view! { <Dashboard actor learning reviews /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Courses whose review date has passed (administrators see all, owners their own).
#[component]
fn ReviewsDue(
    due: Resource<Result<Vec<crate::courses::model::ReviewDue>, AppError>>,
) -> impl IntoView {
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let list = due.await.unwrap_or_default();
                (!list.is_empty()).then(|| view! {
                    <section class="card" aria-labelledby="reviews-heading">
                        <h2 id="reviews-heading">"Reviews due"</h2>
                        <ul>
                            {list.into_iter().map(|r| view! {
                                <li>
                                    <a href=format!("/courses/{}/edit", r.id)>{format!("{} ({})", r.title, r.code)}</a>
                                    <span class="small muted">{format!(" · due {} · owner {}", crate::courses::model::format_date(Some(r.review_by)), r.owner_name.clone().unwrap_or_else(|| "none".into()))}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Suspense>
    }
}

#[component]
fn Dashboard(
    actor: Actor,
    learning: Resource<Result<crate::learning::model::MyLearning, AppError>>,
    reviews: Resource<Result<Vec<crate::courses::model::ReviewDue>, AppError>>,
) -> impl IntoView {
    let first_name = actor
        .name
        .split_whitespace()
        .next()
        .unwrap_or(&actor.name)
        .to_string();
    let roles = actor
        .roles
        .iter()
        .map(|r| r.label())
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <Title text="Home" />
        <div class="page-header">
            <div>
                <h1>{format!("Welcome, {first_name}")}</h1>
                <p class="lead">{format!("Signed in as {roles}.")}</p>
            </div>
        </div>
        <div class="cards">
            <crate::learning::pages::MyLearningPanel data=learning />
            <ReviewsDue due=reviews />
            {can(&actor, Action::ViewUsers).then(|| view! {
                <section class="card" aria-labelledby="people-heading">
                    <h2 id="people-heading">"People"</h2>
                    <p>"Create accounts, assign roles, import from CSV."</p>
                    <p><a href="/admin/users">"Manage users"</a></p>
                </section>
            })}
            {can(&actor, Action::ManageSettings).then(|| view! {
                <section class="card" aria-labelledby="site-heading">
                    <h2 id="site-heading">"Site"</h2>
                    <p>"Site name, self-registration, session lifetime, audit log."</p>
                    <p><a href="/admin/settings">"Site settings"</a>" · "<a href="/admin/audit">"Audit log"</a></p>
                </section>
            })}
            <section class="card" aria-labelledby="account-heading">
                <h2 id="account-heading">"Your account"</h2>
                <p>"Change your name or password, see where you are signed in, create API tokens."</p>
                <p><a href="/account">"Account settings"</a></p>
            </section>
        </div>
    }
}
