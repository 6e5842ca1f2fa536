//! Settings from command-line flags and environment variables, validated once at start-up.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::{net::SocketAddr, path::PathBuf};

#[derive(Parser, Debug)]
#[command(name = "lyceum", version, about = "Lyceum learning management system")]
// `lyceum --addr …` and `lyceum serve --addr …` both work: serve is the default command.
#[command(args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub common: CommonArgs,
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve Lyceum over HTTP (the default).
    Serve(ServeArgs),
    /// Apply pending database migrations, or show their status.
    Migrate {
        #[arg(long)]
        status: bool,
    },
    /// Administration from the command line.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Copy the database and the stored files into a new folder while the server keeps serving.
    Backup {
        /// The folder to write: it must not exist yet, or be empty.
        #[arg(long)]
        to: PathBuf,
        #[command(flatten)]
        storage: StorageArgs,
    },
    /// Put a backup back: the database (it must hold no one, or give --force), then the files.
    /// Stop the server first.
    Restore {
        /// A folder written by `lyceum backup`.
        #[arg(long)]
        from: PathBuf,
        /// Replace a database that already holds people.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        storage: StorageArgs,
    },
}

/// Where stored files are, for the commands that copy them (`serve` has the same setting).
#[derive(Args, Debug, Clone)]
pub struct StorageArgs {
    /// The S3-compatible bucket the server keeps files in, as in `serve --storage-url`; unset:
    /// the data dir's `files` folder.
    #[arg(long, env = "LYCEUM_STORAGE_URL")]
    pub storage_url: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create an administrator. The password comes from LYCEUM_ADMIN_PASSWORD or a prompt.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Args, Debug, Clone)]
pub struct CommonArgs {
    /// Database URL: sqlite://path or postgres://… (default: sqlite in the data dir).
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Folder for the SQLite database and uploaded files.
    #[arg(long, env = "LYCEUM_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,
    /// Log format.
    #[arg(
        long,
        env = "LYCEUM_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "LYCEUM_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: String,
    /// The public URL people use to reach Lyceum (links in emails, cookie security, origin checks).
    #[arg(long, env = "LYCEUM_BASE_URL")]
    pub base_url: Option<String>,
    /// SMTP server for outgoing mail, e.g. smtps://user:pass@mail.example.com; without it mail stays in the outbox.
    #[arg(long, env = "LYCEUM_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,
    /// Sender address for outgoing mail.
    #[arg(
        long,
        env = "LYCEUM_SMTP_FROM",
        default_value = "Lyceum <no-reply@localhost>"
    )]
    pub smtp_from: String,
    /// Trust X-Forwarded-For from a reverse proxy for the client address (rate limits, audit).
    #[arg(long, env = "LYCEUM_TRUST_PROXY", default_value_t = false)]
    pub trust_proxy: bool,
    /// Largest accepted request body, in bytes.
    #[arg(long, env = "LYCEUM_MAX_BODY_BYTES", default_value_t = 10 * 1024 * 1024)]
    pub max_body_bytes: usize,
    /// Largest accepted uploaded file, in megabytes (uploads stream to storage, so this bounds disk, not memory).
    #[arg(long, env = "LYCEUM_MAX_UPLOAD_MB", default_value_t = 512)]
    pub max_upload_mb: u64,
    /// Keep uploaded files in an S3-compatible bucket instead of the data dir:
    /// s3://bucket[?endpoint=https://host&region=us-east-1&allow_http=false]. Credentials come from
    /// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY.
    #[arg(long, env = "LYCEUM_STORAGE_URL")]
    pub storage_url: Option<String>,
    /// Database connections this instance keeps (PostgreSQL: the pool; SQLite: readers, besides
    /// its one writer). Default 20 on PostgreSQL, 8 on SQLite.
    #[arg(long, env = "LYCEUM_DB_CONNECTIONS", value_parser = clap::value_parser!(u32).range(1..=500))]
    pub db_connections: Option<u32>,
    /// For end-to-end tests only: lets administrators move this server's clock forward
    /// (POST /admin/test-clock). Never on a real site.
    #[arg(long, env = "LYCEUM_TEST_CLOCK", default_value_t = false, hide = true)]
    pub test_clock: bool,
    /// The key that seals stored secrets (identity providers' client secrets): 32 bytes in
    /// base64. Default: `secret.key` in the data dir, made on first start. Several instances
    /// on one PostgreSQL database must share it.
    #[arg(long, env = "LYCEUM_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<String>,
}

#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// Validated settings for `serve`.
#[derive(Debug, Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub base_url: url::Url,
    pub database_url: String,
    pub data_dir: PathBuf,
    pub smtp_url: Option<String>,
    pub smtp_from: String,
    pub trust_proxy: bool,
    pub max_body_bytes: usize,
    pub max_upload_bytes: u64,
    /// `None`: files live in `files_dir()`; otherwise an s3:// URL checked by `from_args`.
    pub storage_url: Option<String>,
    /// Database connections; `None`: the default for the backend.
    pub db_connections: Option<u32>,
    /// Whether administrators may move the clock (`http::test_clock`; end-to-end tests only).
    pub test_clock: bool,
    /// The sealing key as given (`seal::Sealer::load` reads it, or the data dir's key file).
    pub secret_key: Option<String>,
}

impl Config {
    /// Where uploaded files are kept (with S3 storage: only uploads in progress).
    pub fn files_dir(&self) -> PathBuf {
        files_dir(&self.data_dir)
    }

    /// Cookies get `Secure` when people reach Lyceum over https.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.scheme() == "https"
    }

    /// The origin (scheme://host:port) that state-changing browser requests must come from.
    pub fn origin(&self) -> String {
        self.base_url.origin().ascii_serialization()
    }

    pub fn from_args(common: &CommonArgs, serve: &ServeArgs) -> Result<Config, String> {
        let addr: SocketAddr = serve.addr.parse().map_err(|_| {
            format!(
                "LYCEUM_ADDR / --addr: '{}' is not an address like 127.0.0.1:3000",
                serve.addr
            )
        })?;
        let base = serve
            .base_url
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"));
        let base_url = url::Url::parse(&base)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
            .ok_or_else(|| {
                format!("LYCEUM_BASE_URL / --base-url: '{base}' is not an http(s) URL")
            })?;
        if let Some(smtp) = &serve.smtp_url {
            lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(smtp).map_err(|_| {
                "LYCEUM_SMTP_URL / --smtp-url: not a valid smtp:// or smtps:// URL".to_string()
            })?;
        }
        serve
            .smtp_from
            .parse::<lettre::message::Mailbox>()
            .map_err(|_| {
                format!(
                    "LYCEUM_SMTP_FROM / --smtp-from: '{}' is not an email address",
                    serve.smtp_from
                )
            })?;
        if serve.max_body_bytes < 1024 {
            return Err("LYCEUM_MAX_BODY_BYTES / --max-body-bytes: must be at least 1024".into());
        }
        if !(1..=1024 * 1024).contains(&serve.max_upload_mb) {
            return Err("LYCEUM_MAX_UPLOAD_MB / --max-upload-mb: must be from 1 to 1048576".into());
        }
        if let Some(url) = &serve.storage_url {
            // Builds the client without contacting the bucket: a bad URL stops start-up here.
            crate::files::storage::s3_store(url)?;
        }
        Ok(Config {
            addr,
            base_url,
            database_url: database_url(common)?,
            data_dir: common.data_dir.clone(),
            smtp_url: serve.smtp_url.clone(),
            smtp_from: serve.smtp_from.clone(),
            trust_proxy: serve.trust_proxy,
            db_connections: serve.db_connections,
            test_clock: serve.test_clock,
            secret_key: serve.secret_key.clone(),
            max_body_bytes: serve.max_body_bytes,
            max_upload_bytes: serve.max_upload_mb * 1024 * 1024,
            storage_url: serve.storage_url.clone(),
        })
    }
}

/// Where uploaded files are kept under a data dir (with S3 storage: only uploads in progress).
pub fn files_dir(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("files")
}

/// The database URL, defaulting to SQLite inside the data dir.
pub fn database_url(common: &CommonArgs) -> Result<String, String> {
    let url = match &common.database_url {
        Some(url) => url.clone(),
        None => format!("sqlite://{}", common.data_dir.join("lyceum.db").display()),
    };
    if url.starts_with("sqlite:")
        || url.starts_with("postgres://")
        || url.starts_with("postgresql://")
    {
        Ok(url)
    } else {
        Err("DATABASE_URL / --database-url: must start with sqlite:// or postgres://".into())
    }
}
