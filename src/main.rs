//! The `lyceum` binary: `serve` (default), `migrate`, `admin create`, `backup`, `restore`.

use clap::Parser;
use lyceum::config::{AdminCommand, Cli, Command, CommonArgs, Config, LogFormat, StorageArgs};
use lyceum::db::Db;
use lyceum::state::AppState;
use std::process::ExitCode;

/// See Cargo.toml: less CPU and a smaller resident size than the system allocator under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    // Held until exit: dropping it flushes the log lines still queued.
    let _log_writer = init_logging(cli.common.log_format);
    let result = match cli.command {
        None => serve(&cli.common, &cli.serve).await,
        Some(Command::Serve(args)) => serve(&cli.common, &args).await,
        Some(Command::Migrate { status }) => migrate(&cli.common, status).await,
        Some(Command::Admin {
            command: AdminCommand::Create { email, name },
        }) => create_admin(&cli.common, &email, &name).await,
        Some(Command::Backup { to, storage }) => backup(&cli.common, &to, &storage).await,
        Some(Command::Restore {
            from,
            force,
            storage,
        }) => restore(&cli.common, &from, force, &storage).await,
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("lyceum: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Log lines go through a queue to a writer thread, so that requests never wait on stdout (the
/// access log otherwise cost a quarter of a cheap page's throughput). Lines are dropped, and
/// counted, only if the queue of 128,000 is full.
fn init_logging(format: LogFormat) -> tracing_appender::non_blocking::WorkerGuard {
    use tracing_subscriber::{EnvFilter, fmt};
    let (writer, guard) = tracing_appender::non_blocking(std::io::stdout());
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    match format {
        LogFormat::Json => fmt()
            .json()
            .with_current_span(true)
            .with_env_filter(filter)
            .with_writer(writer)
            .init(),
        LogFormat::Text => fmt().with_env_filter(filter).with_writer(writer).init(),
    }
    guard
}

async fn connect(common: &CommonArgs) -> Result<Db, String> {
    let url = lyceum::config::database_url(common)?;
    Db::connect(&url)
        .await
        .map_err(|e| format!("cannot open the database: {e}"))
}

async fn migrate(common: &CommonArgs, status: bool) -> Result<(), String> {
    let db = connect(common).await?;
    if status {
        for m in db.migration_status().await.map_err(|e| e.to_string())? {
            println!(
                "{:>14}  {:<8}  {}",
                m.version,
                if m.applied { "applied" } else { "pending" },
                m.description
            );
        }
    } else {
        db.migrate()
            .await
            .map_err(|e| format!("migration failed: {e}"))?;
        println!("Migrations applied ({}).", db.backend());
    }
    Ok(())
}

async fn create_admin(common: &CommonArgs, email: &str, name: &str) -> Result<(), String> {
    let db = connect(common).await?;
    db.migrate()
        .await
        .map_err(|e| format!("migration failed: {e}"))?;
    let password = match std::env::var("LYCEUM_ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => p,
        _ => rpassword::prompt_password("Password for the new administrator: ")
            .map_err(|e| e.to_string())?,
    };
    let id = lyceum::auth::service::create_admin(&db, email, name, &password)
        .await
        .map_err(|e| cli_message(&e))?;
    println!("Administrator {email} created (id {id}).");
    Ok(())
}

/// The file storage the server uses, for backup and restore.
fn storage(
    common: &CommonArgs,
    args: &StorageArgs,
) -> Result<lyceum::files::storage::Storage, String> {
    lyceum::files::storage::Storage::new(
        lyceum::config::files_dir(&common.data_dir),
        args.storage_url.as_deref(),
    )
}

/// Progress goes to stderr, the summary to stdout.
fn progress(line: &str) {
    eprintln!("lyceum: {line}");
}

async fn backup(
    common: &CommonArgs,
    to: &std::path::Path,
    args: &StorageArgs,
) -> Result<(), String> {
    let url = lyceum::config::database_url(common)?;
    let storage = storage(common, args)?;
    let db = lyceum::backup::open_existing(&url)
        .await
        .map_err(|e| e.to_string())?;
    let result = lyceum::backup::backup(&db, &url, &storage, to, &progress).await;
    db.close().await;
    let manifest = result.map_err(|e| e.to_string())?;
    println!(
        "Backed up the {} database (migration {}) and {} files into {}.",
        manifest.backend,
        manifest.migration_version,
        manifest.file_count,
        to.display()
    );
    if !manifest.missing_files.is_empty() {
        println!(
            "{} stored files were missing and are listed in backup.json.",
            manifest.missing_files.len()
        );
    }
    Ok(())
}

async fn restore(
    common: &CommonArgs,
    from: &std::path::Path,
    force: bool,
    args: &StorageArgs,
) -> Result<(), String> {
    let url = lyceum::config::database_url(common)?;
    let storage = storage(common, args)?;
    let restored = lyceum::backup::restore(&url, &storage, from, force, &progress)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "Restored the backup of {} (Lyceum {}, migration {}) and copied {} files.",
        from.display(),
        restored.manifest.lyceum_version,
        restored.restored_version,
        restored.files_copied
    );
    if restored.migrated_to != restored.restored_version {
        println!("Migrated the database forward to {}.", restored.migrated_to);
    }
    Ok(())
}

/// An error for the terminal, naming each bad field.
fn cli_message(err: &lyceum::error::AppError) -> String {
    match err {
        lyceum::error::AppError::Invalid(errors) => errors
            .iter()
            .map(|e| {
                if e.field.is_empty() {
                    e.message.clone()
                } else {
                    format!("{}: {}", e.field, e.message)
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
        other => other.to_string(),
    }
}

async fn serve(common: &CommonArgs, args: &lyceum::config::ServeArgs) -> Result<(), String> {
    let config = Config::from_args(common, args)?;
    std::fs::create_dir_all(&config.data_dir).map_err(|e| {
        format!(
            "LYCEUM_DATA_DIR / --data-dir: cannot create {}: {e}",
            config.data_dir.display()
        )
    })?;
    let mut limits = lyceum::db::PoolLimits::shipped(config.database_url.starts_with("sqlite:"));
    if let Some(n) = config.db_connections {
        limits.max_connections = n;
    }
    let db = Db::connect_with(&config.database_url, limits)
        .await
        .map_err(|e| format!("DATABASE_URL: cannot open the database: {e}"))?;
    db.migrate()
        .await
        .map_err(|e| format!("migration failed: {e}"))?;
    bootstrap_admin(&db, &config).await?;

    let mut leptos_options = leptos::prelude::get_configuration(None)
        .map_err(|e| e.to_string())?
        .leptos_options;
    leptos_options.site_addr = config.addr;
    let addr = config.addr;
    let state = AppState::new(leptos_options, db.clone(), config)?;
    tokio::spawn(lyceum::assessments::attempts::run_clock(state.clone()));
    tokio::spawn(lyceum::auth::throttle::run_pruning(db.clone()));
    tokio::spawn(lyceum::items::service::run_purge(state.clone()));
    tokio::spawn(lyceum::grading::service::recompute_stale(state.clone()));
    tokio::spawn(lyceum::jobs::worker::run(state.clone()));
    let app = lyceum::http::router(state);

    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| format!("LYCEUM_ADDR: cannot listen on {addr}: {e}"))?;
    tracing::info!(%addr, backend = db.backend(), "Lyceum is serving");
    use axum::serve::ListenerExt;
    // Without TCP_NODELAY, streamed pages wait on Nagle's algorithm.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|e| e.to_string())?;
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

/// Creates the first administrator from the environment, or prints a one-time set-up link.
async fn bootstrap_admin(db: &Db, config: &Config) -> Result<(), String> {
    if !lyceum::auth::service::setup_needed(db)
        .await
        .map_err(|e| e.to_string())?
    {
        return Ok(());
    }
    let email = std::env::var("LYCEUM_ADMIN_EMAIL").unwrap_or_default();
    let password = std::env::var("LYCEUM_ADMIN_PASSWORD").unwrap_or_default();
    if !email.is_empty() && !password.is_empty() {
        let name = std::env::var("LYCEUM_ADMIN_NAME").unwrap_or_else(|_| "Administrator".into());
        lyceum::auth::service::create_admin(db, &email, &name, &password)
            .await
            .map_err(|e| {
                format!(
                    "LYCEUM_ADMIN_EMAIL / LYCEUM_ADMIN_PASSWORD: {}",
                    cli_message(&e)
                )
            })?;
        tracing::info!(email = %email, "created the first administrator from the environment");
        println!(
            "\n  Sign in at {}sign-in as {email} with the password in LYCEUM_ADMIN_PASSWORD.\n",
            config.base_url
        );
        return Ok(());
    }
    if let Some(token) = lyceum::auth::service::prepare_setup(db)
        .await
        .map_err(|e| e.to_string())?
    {
        // Printed, not logged: the link is a secret for whoever runs the server.
        println!(
            "\n  No administrator yet. Create the first one at:\n  {}setup?token={token}\n",
            config.base_url
        );
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! { _ = ctrl_c => {}, _ = terminate => {} }
    tracing::info!("shutting down: finishing in-flight requests");
}
