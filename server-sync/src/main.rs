//! The `fieldsales-server` binary: `serve`, and the admin subcommands an IT person runs.
//!
//! Settings come from defaults, then `--config FILE` (TOML), then `FIELDSALES_SERVER_*`
//! environment variables, then the flags given here. Admin subcommands open the same data
//! directory directly (SQLite in WAL mode lets them run beside a serving process). Passwords
//! come from `--password`, the `FIELDSALES_SERVER_PASSWORD` variable, or one line of standard
//! input — never echoed, never logged. `serve` reloads the TLS certificate on SIGHUP
//! ([`fieldsales_server::RunningServer::reload_tls`]).

use std::io::BufRead;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use fieldsales_protocol::TenantSettings;
use fieldsales_server::storage::sqlite::SqliteStorage;
use fieldsales_server::{Admin, Error, Server, ServerConfig, UserSpec};

#[derive(Parser)]
#[command(
    name = "fieldsales-server",
    version,
    about = "The fieldsales sync server"
)]
struct Cli {
    /// TOML configuration file.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    /// Data directory (overrides the file and FIELDSALES_SERVER_DATA).
    #[arg(long, global = true)]
    data: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the sync API until Ctrl-C or SIGTERM (SIGHUP reloads the TLS certificate).
    Serve {
        /// Address to listen on (overrides the file and FIELDSALES_SERVER_ADDR).
        #[arg(long)]
        addr: Option<SocketAddr>,
    },
    /// Tenants (companies).
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
    /// Teams inside a tenant.
    Team {
        #[command(subcommand)]
        command: TeamCommand,
    },
    /// Users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Registered devices.
    Devices {
        #[command(subcommand)]
        command: DevicesCommand,
    },
    /// Trim every tenant's change log to its latest KEEP entries.
    Compact {
        #[arg(long)]
        keep: u64,
    },
    /// The manager console's read model.
    ReadModel {
        #[command(subcommand)]
        command: ReadModelCommand,
    },
}

#[derive(Subcommand)]
enum ReadModelCommand {
    /// Rewrite it from the stored documents (safe while serving).
    Rebuild,
}

#[derive(Subcommand)]
enum TenantCommand {
    Create {
        name: String,
    },
    /// Show the tenant's device settings, changing those given first; devices take them at
    /// their next sync.
    Settings {
        name: String,
        /// Burn the time and the check-in position into the corner of visit photos.
        #[arg(long, value_parser = on_off)]
        photo_watermark: Option<bool>,
        /// The tenant's local time for photo watermarks, as an offset from UTC (`+08:00`,
        /// China Standard Time, is the default).
        #[arg(long, allow_hyphen_values = true)]
        utc_offset: Option<String>,
    },
}

fn on_off(text: &str) -> Result<bool, String> {
    match text {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err("on or off".into()),
    }
}

#[derive(Subcommand)]
enum TeamCommand {
    Create {
        #[arg(long)]
        tenant: String,
        name: String,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    Create {
        #[arg(long)]
        tenant: String,
        /// rep, manager or admin.
        #[arg(long)]
        role: String,
        #[arg(long)]
        team: Option<String>,
        #[arg(long, env = "FIELDSALES_SERVER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        username: String,
    },
    ResetPassword {
        #[arg(long)]
        tenant: String,
        #[arg(long, env = "FIELDSALES_SERVER_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        username: String,
    },
}

#[derive(Subcommand)]
enum DevicesCommand {
    List {
        #[arg(long)]
        tenant: String,
    },
    /// Register a device to a user beyond their device cap (login.max_devices_per_user).
    Allow {
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        user: String,
        /// The device's id (a UUID), as the refused login or the phone shows it.
        device: String,
    },
}

fn password(given: Option<String>) -> Result<String, Error> {
    if let Some(p) = given {
        return Ok(p);
    }
    eprintln!("password (one line on standard input):");
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

async fn run(cli: Cli) -> Result<(), Error> {
    let mut config = ServerConfig::load(cli.config.as_deref())?;
    if let Some(data) = cli.data {
        config.data_dir = data;
    }
    if let Command::Serve { addr } = cli.command {
        if let Some(addr) = addr {
            config.addr = addr;
        }
        let server = Server::start(config).await?;
        println!("fieldsales-server listening on {}", server.url());
        return server.run_until_signal().await;
    }
    let data_dir = config.data_dir.clone();
    let storage = tokio::task::spawn_blocking(move || SqliteStorage::open(&data_dir)).await??;
    let admin = Admin::new(Arc::new(storage));
    match cli.command {
        Command::Serve { .. } => unreachable!("handled above"),
        Command::Tenant {
            command: TenantCommand::Create { name },
        } => {
            let tenant = admin.create_tenant(&name).await?;
            println!("tenant {} created: id {}", tenant.name, tenant.id);
        }
        Command::Tenant {
            command:
                TenantCommand::Settings {
                    name,
                    photo_watermark,
                    utc_offset,
                },
        } => {
            let offset = match utc_offset {
                Some(text) => Some(TenantSettings::parse_utc_offset(&text).ok_or(
                    Error::Invalid {
                        field: "utc_offset",
                        reason: "an offset from UTC is written +08:00 or -03:30",
                    },
                )?),
                None => None,
            };
            let settings = if photo_watermark.is_none() && offset.is_none() {
                admin.tenant_settings(&name).await?
            } else {
                admin
                    .change_tenant_settings(&name, |s| {
                        if let Some(on) = photo_watermark {
                            s.photo_watermark = on;
                        }
                        if let Some(minutes) = offset {
                            s.utc_offset_minutes = minutes;
                        }
                    })
                    .await?
            };
            let on_off = if settings.photo_watermark {
                "on"
            } else {
                "off"
            };
            println!("photo_watermark {on_off}");
            println!("utc_offset {}", settings.utc_offset_text());
        }
        Command::Team {
            command: TeamCommand::Create { tenant, name },
        } => {
            let team = admin.create_team(&tenant, &name).await?;
            println!("team {} created: id {}", team.name, team.id);
        }
        Command::User {
            command:
                UserCommand::Create {
                    tenant,
                    role,
                    team,
                    password: given,
                    username,
                },
        } => {
            let role = fieldsales_protocol::Role::parse(&role).ok_or(Error::Invalid {
                field: "role",
                reason: "must be rep, manager or admin",
            })?;
            let password = password(given)?;
            let user = admin
                .create_user(UserSpec {
                    tenant: &tenant,
                    username: &username,
                    password: &password,
                    role,
                    team: team.as_deref(),
                })
                .await?;
            println!("user {} created: id {}", user.username, user.id);
        }
        Command::User {
            command:
                UserCommand::ResetPassword {
                    tenant,
                    password: given,
                    username,
                },
        } => {
            let password = password(given)?;
            admin.reset_password(&tenant, &username, &password).await?;
            println!("password of {username} reset; their sessions are ended");
        }
        Command::Devices {
            command: DevicesCommand::List { tenant },
        } => {
            let devices = admin.list_devices(&tenant).await?;
            println!(
                "{:<38} {:<20} {:<20} {:<27} last seen",
                "device", "user", "name", "registered"
            );
            for d in devices {
                println!(
                    "{:<38} {:<20} {:<20} {:<27} {}",
                    d.id,
                    d.username,
                    d.name.as_deref().unwrap_or("-"),
                    d.registered_at,
                    d.last_seen_at.as_deref().unwrap_or("never")
                );
            }
        }
        Command::Devices {
            command:
                DevicesCommand::Allow {
                    tenant,
                    user,
                    device,
                },
        } => {
            admin.allow_device(&tenant, &user, &device).await?;
            println!("device {device} allowed for {user}; it can log in now");
        }
        Command::Compact { keep } => {
            let removed = admin.compact(keep).await?;
            println!("{removed} log entries removed");
        }
        Command::ReadModel {
            command: ReadModelCommand::Rebuild,
        } => {
            let (records, unreadable) = admin.rebuild_read_model().await?;
            println!("read model rebuilt: {records} records, {unreadable} unreadable documents");
        }
    }
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
