//! `<App/>`: the HTML shell, the app frame (header, navigation by role, user menu) and the routes.

use crate::auth::pages::{
    ForgotPasswordPage, RegisterPage, ResetPasswordPage, SetupPage, SignInPage,
};
use crate::auth::permissions::{Action, Actor, can};
use crate::auth::server::{ShellInfo, SignOut};
use crate::auth::shell::{provide_shell, use_shell};
use crate::error::AppError;
use crate::notifications::pages::{NotificationsLink, provide_unread_count, use_unread_count};
use crate::ui::{ErrorPage, NotFound, hard_navigate};
use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::{
    Lazy, LazyRoute, SsrMode,
    components::{Route, Router, Routes},
    hooks::use_location,
    lazy_route, path,
};

/// The page policy: scripts only from us or inline with this response's nonce (Leptos hydration).
/// It lives with the shell that sets it; other responses get `http::DEFAULT_CSP`.
#[cfg(feature = "ssr")]
fn page_csp(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
         media-src 'self'; frame-src 'self' https://www.youtube-nocookie.com https://player.vimeo.com; \
         connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
    )
}

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let (Some(nonce), Some(res)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) && let Ok(value) = http::HeaderValue::from_str(&page_csp(&nonce))
    {
        res.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
    // Static files are addressed under the build id (see http::assets).
    #[cfg(feature = "ssr")]
    let root = use_context::<crate::state::AppState>()
        .map(|state| state.assets.root())
        .unwrap_or_default();
    #[cfg(not(feature = "ssr"))]
    let root = String::new();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="description" content="Lyceum: courses, quizzes, assignments, grades and certificates in one place." />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="stylesheet" id="leptos" href=format!("{root}/{}/{}.css", options.site_pkg_dir, options.output_name) />
                <AutoReload options=options.clone() />
                <HydrationScripts options root />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Each page is a lazy route: its code is split into its own WASM chunk (cargo leptos build
/// --split), loaded with the route, so the first page downloads only the app frame and itself.
/// What was typed while the chunk loaded is kept (ui::typed), and the page marks the body
/// hydrated once it is (the end-to-end tests wait for that).
macro_rules! lazy_pages {
    ($($route:ident => $page:path,)*) => {
        $(
            struct $route;

            #[lazy_route]
            impl LazyRoute for $route {
                fn data() -> Self {
                    $route
                }

                fn view(_this: Self) -> AnyView {
                    crate::ui::typed::remember();
                    Effect::new(|_| mark_hydrated());
                    $page().into_any()
                }
            }
        )*
    };
}

lazy_pages! {
    HomePageRoute => HomePage,
    SignInPageRoute => SignInPage,
    RegisterPageRoute => RegisterPage,
    ForgotPasswordPageRoute => ForgotPasswordPage,
    ResetPasswordPageRoute => ResetPasswordPage,
    SetupPageRoute => SetupPage,
    AccountPageRoute => crate::auth::pages::AccountPage,
    SecondStepPageRoute => crate::auth::mfa_pages::SecondStepPage,
    UserListPageRoute => crate::users::pages::UserListPage,
    NewUserPageRoute => crate::users::pages::NewUserPage,
    ImportUsersPageRoute => crate::users::pages::ImportUsersPage,
    ProfileFieldsPageRoute => crate::users::pages::ProfileFieldsPage,
    EditUserPageRoute => crate::users::pages::EditUserPage,
    AuditLogPageRoute => crate::audit::pages::AuditLogPage,
    SettingsPageRoute => crate::settings::pages::SettingsPage,
    OutboxPageRoute => crate::mail::pages::OutboxPage,
    JobsPageRoute => crate::jobs::pages::JobsPage,
    LrsPageRoute => crate::xapi::pages::LrsPage,
    SsoPageRoute => crate::sso::pages::SsoPage,
    WebhooksPageRoute => crate::webhooks::pages::WebhooksPage,
    CalendarPageRoute => crate::calendar::pages::CalendarPage,
    CategoriesPageRoute => crate::courses::pages::CategoriesPage,
    CohortsPageRoute => crate::enrolments::pages::CohortsPage,
    AudiencesPageRoute => crate::audiences::pages::AudiencesPage,
    TeamPageRoute => crate::team::pages::TeamPage,
    CompliancePageRoute => crate::compliance::pages::CompliancePage,
    MyCertificatesPageRoute => crate::certificates::pages::MyCertificatesPage,
    ProgrammesPageRoute => crate::programmes::pages::ProgrammesPage,
    VerifyPageRoute => crate::certificates::pages::VerifyPage,
    CertificatesAdminPageRoute => crate::certificates::pages::CertificatesAdminPage,
    CertificateTemplatesPageRoute => crate::certificates::pages::CertificateTemplatesPage,
    TemplateEditorPageRoute => crate::certificates::pages::TemplateEditorPage,
    NotificationsPageRoute => crate::notifications::pages::NotificationsPage,
    NotificationSettingsPageRoute => crate::notifications::pages::NotificationSettingsPage,
    RequirementsPageRoute => crate::compliance::pages::RequirementsPage,
    RequirementPageRoute => crate::compliance::pages::RequirementPage,
    TeamMemberPageRoute => crate::team::pages::TeamMemberPage,
    AudienceEditorPageRoute => crate::audiences::pages::AudienceEditorPage,
    CataloguePageRoute => crate::courses::pages::CataloguePage,
    NewCoursePageRoute => crate::courses::pages::NewCoursePage,
    CartridgeImportPageRoute => crate::cartridge::pages::CartridgeImportPage,
    CoursePageViewRoute => crate::learning::pages::CoursePageView,
    CourseEditorPageRoute => crate::courses::pages::CourseEditorPage,
    ItemEditorPageRoute => crate::items::pages::ItemEditorPage,
    ParticipantsPageRoute => crate::enrolments::pages::ParticipantsPage,
    ResumePageRoute => crate::learning::pages::ResumePage,
    PlayerPageRoute => crate::learning::pages::PlayerPage,
    QuestionBankPageRoute => crate::assessments::pages::QuestionBankPage,
    QuestionEditorPageRoute => crate::assessments::pages::QuestionEditorPage,
    GradingQueuePageRoute => crate::assessments::pages::GradingQueuePage,
    GradebookPageRoute => crate::grading::pages::GradebookPage,
    MyGradesPageRoute => crate::grading::pages::MyGradesPage,
    DashboardPageRoute => crate::dashboard::pages::DashboardPage,
    SubmissionsPageRoute => crate::assignments::pages::SubmissionsPage,
    SubmissionGradingPageRoute => crate::assignments::pages::SubmissionGradingPage,
    AttemptPageRoute => crate::assessments::pages::AttemptPage,
    AttemptReviewPageRoute => crate::assessments::pages::AttemptReviewPage,
}

/// Puts back what was typed before the page hydrated, then tells the end-to-end tests (and anyone
/// curious) that the page is interactive.
fn mark_hydrated() {
    crate::ui::typed::restore();
    #[cfg(feature = "hydrate")]
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_shell();
    provide_unread_count();

    view! {
        <Title formatter=|text: String| if text.is_empty() { "Lyceum".to_string() } else { format!("{text} · Lyceum") } />
        <Router>
            <a class="skip-link" href="#main">"Skip to main content"</a>
            <Header />
            <main id="main" class="app-main" tabindex="-1">
                // Every page renders whole on the server (Async): out-of-order streaming would leave
                // a page without JavaScript showing only its loading placeholders.
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/") view={Lazy::<HomePageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/sign-in") view={Lazy::<SignInPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/sign-in/second-step") view={Lazy::<SecondStepPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/register") view={Lazy::<RegisterPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/forgot-password") view={Lazy::<ForgotPasswordPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/reset-password") view={Lazy::<ResetPasswordPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/setup") view={Lazy::<SetupPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/account") view={Lazy::<AccountPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/users") view={Lazy::<UserListPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/users/new") view={Lazy::<NewUserPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/users/import") view={Lazy::<ImportUsersPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/profile-fields") view={Lazy::<ProfileFieldsPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/users/:id") view={Lazy::<EditUserPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/audit") view={Lazy::<AuditLogPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/settings") view={Lazy::<SettingsPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/outbox") view={Lazy::<OutboxPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/jobs") view={Lazy::<JobsPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/lrs") view={Lazy::<LrsPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/sso") view={Lazy::<SsoPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/webhooks") view={Lazy::<WebhooksPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/categories") view={Lazy::<CategoriesPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/cohorts") view={Lazy::<CohortsPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/requirements") view={Lazy::<RequirementsPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/requirements/:id") view={Lazy::<RequirementPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/compliance") view={Lazy::<CompliancePageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/programmes") view={Lazy::<ProgrammesPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/certificates") view={Lazy::<MyCertificatesPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/calendar") view={Lazy::<CalendarPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/verify") view={Lazy::<VerifyPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/verify/:number") view={Lazy::<VerifyPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/certificates") view={Lazy::<CertificatesAdminPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/certificates/templates") view={Lazy::<CertificateTemplatesPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/certificates/templates/new") view={Lazy::<TemplateEditorPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/certificates/templates/:id") view={Lazy::<TemplateEditorPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/notifications") view={Lazy::<NotificationsPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/notifications/settings") view={Lazy::<NotificationSettingsPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/team") view={Lazy::<TeamPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/team/:id") view={Lazy::<TeamMemberPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/audiences") view={Lazy::<AudiencesPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/audiences/new") view={Lazy::<AudienceEditorPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/audiences/:id") view={Lazy::<AudienceEditorPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/courses") view={Lazy::<CataloguePageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/courses/new") view={Lazy::<NewCoursePageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id") view={Lazy::<CoursePageViewRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/edit") view={Lazy::<CourseEditorPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/items/:item_id/edit") view={Lazy::<ItemEditorPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/participants") view={Lazy::<ParticipantsPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/learn") view={Lazy::<ResumePageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/learn/:item_id") view={Lazy::<PlayerPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/questions") view={Lazy::<QuestionBankPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/import") view={Lazy::<CartridgeImportPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/questions/new") view={Lazy::<QuestionEditorPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/questions/:question_id") view={Lazy::<QuestionEditorPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/grading") view={Lazy::<GradingQueuePageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/gradebook") view={Lazy::<GradebookPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/grades") view={Lazy::<MyGradesPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/dashboard") view={Lazy::<DashboardPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/assignments/:item_id/submissions") view={Lazy::<SubmissionsPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/courses/:id/assignments/:item_id/submissions/:user_id") view={Lazy::<SubmissionGradingPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/attempts/:id") view={Lazy::<AttemptPageRoute>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/attempts/:id/review") view={Lazy::<AttemptReviewPageRoute>::new()} ssr=SsrMode::Async />
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

fn nav_links(actor: &Actor, has_team: bool) -> Vec<NavLink> {
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
    links.push(NavLink {
        href: "/calendar",
        label: "Calendar",
    });
    links.push(NavLink {
        href: "/certificates",
        label: "Certificates",
    });
    if has_team {
        links.push(NavLink {
            href: "/team",
            label: "My team",
        });
    }
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
    if can(actor, Action::ManageAudiences) {
        links.push(NavLink {
            href: "/admin/audiences",
            label: "Audiences",
        });
    }
    if can(actor, Action::ManageCompliance) {
        links.push(NavLink {
            href: "/admin/requirements",
            label: "Requirements",
        });
        links.push(NavLink {
            href: "/admin/programmes",
            label: "Programmes",
        });
        links.push(NavLink {
            href: "/admin/compliance",
            label: "Compliance",
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
        links.push(NavLink {
            href: "/admin/lrs",
            label: "Learning records",
        });
        links.push(NavLink {
            href: "/admin/sso",
            label: "Single sign-on",
        });
        links.push(NavLink {
            href: "/admin/webhooks",
            label: "Webhooks",
        });
    }
    if can(actor, Action::ViewOutbox) {
        links.push(NavLink {
            href: "/admin/outbox",
            label: "Outbox",
        });
    }
    if can(actor, Action::ManageJobs) {
        links.push(NavLink {
            href: "/admin/jobs",
            label: "Jobs",
        });
    }
    links
}

#[component]
fn Header() -> impl IntoView {
    let shell = use_shell();
    let unread = use_unread_count();
    let location = use_location();
    let sign_out = ServerAction::<SignOut>::new();
    let sign_out_url = <SignOut as leptos::server_fn::ServerFn>::PATH;
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
                    let unread = unread.await.unwrap_or(0);
                    let site_name = info.as_ref().map(|i| i.site_name.clone()).unwrap_or_else(|| "Lyceum".into());
                    let has_team = info.as_ref().is_some_and(|i| i.has_team);
                    let actor = info.and_then(|i| i.actor);
                    view! {
                        <a class="brand" href="/">{site_name}</a>
                        {actor.map(|actor| {
                            let links = nav_links(&actor, has_team);
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
                                <NotificationsLink unread />
                                <details class="user-menu">
                                    <summary>{actor.name.clone()}</summary>
                                    <div class="user-menu-panel">
                                        <p class="small muted">{actor.email.clone()}</p>
                                        <a href="/account">"Your account"</a>
                                        // A form, so that signing out works before (or without) the script.
                                        <form method="post" action=sign_out_url on:submit=move |ev: leptos::ev::SubmitEvent| {
                                            ev.prevent_default();
                                            sign_out.dispatch(SignOut {});
                                        }>
                                            <button type="submit" class="link-button">"Sign out"</button>
                                        </form>
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
    // Loaded only for someone signed in: a visitor's home page is a 200 with a sign-in link, not
    // the 401 these functions would set.
    let signed_in =
        move || async move { matches!(shell.await, Ok(ShellInfo { actor: Some(_), .. })) };
    let learning = Resource::new(
        || (),
        move |_| async move {
            if signed_in().await {
                crate::learning::server::load_my_learning().await
            } else {
                Err(AppError::Unauthenticated)
            }
        },
    );
    let reviews = Resource::new(
        || (),
        move |_| async move {
            if signed_in().await {
                crate::courses::server::reviews_due().await
            } else {
                Err(AppError::Unauthenticated)
            }
        },
    );
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
                                    <span class="small muted">{format!(" · due {} · owner {}", crate::input::format_date(Some(r.review_by)), r.owner_name.clone().unwrap_or_else(|| "none".into()))}</span>
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
        <crate::compliance::pages::RequiredTraining />
        <crate::programmes::pages::MyProgrammes />
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
