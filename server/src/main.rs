//! The `stepwise-server` command: `serve`, and the administration commands,
//! which print JSON.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use stepwise_server::admin::{self, NewUser};
use stepwise_server::auth::Role;
use stepwise_server::db::Db;
use stepwise_server::error::ServerError;
use stepwise_server::ServeConfig;

#[derive(Debug, Parser)]
#[command(name = "stepwise-server", version, about = "Stepwise's sync server")]
struct Cli {
    /// Folder of the SQLite database, used when --database is not given.
    #[arg(
        long,
        env = "STEPWISE_DATA_DIR",
        default_value = "stepwise-data",
        global = true
    )]
    data_dir: PathBuf,
    /// postgres://user:password@host/db for PostgreSQL (or sqlite://path).
    #[arg(long, env = "STEPWISE_DATABASE", global = true)]
    database: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the sync API until SIGTERM or ctrl-c.
    Serve {
        /// The address and port to listen on.
        #[arg(long, env = "STEPWISE_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// The largest request body, compressed or not.
        #[arg(long, env = "STEPWISE_MAX_BODY_BYTES", default_value_t = 1 << 20)]
        max_body_bytes: usize,
        /// Requests a second allowed per token (or per address without one).
        #[arg(long, env = "STEPWISE_RATE_PER_SECOND", default_value_t = 20.0)]
        rate_per_second: f64,
        /// Requests a token (or an address) may send at once before the
        /// rate limit applies.
        #[arg(long, env = "STEPWISE_RATE_BURST", default_value_t = 100.0)]
        rate_burst: f64,
        /// Login attempts a minute allowed per address and per user name.
        #[arg(long, env = "STEPWISE_LOGINS_PER_MINUTE", default_value_t = 30.0)]
        logins_per_minute: f64,
    },
    /// Apply migrations and print the schema version.
    Migrate,
    /// Schools.
    School {
        #[command(subcommand)]
        command: SchoolCommand,
    },
    /// Accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Classes and enrolments.
    Class {
        #[command(subcommand)]
        command: ClassCommand,
    },
    /// Parents.
    Parent {
        #[command(subcommand)]
        command: ParentCommand,
    },
}

#[derive(Debug, Subcommand)]
enum SchoolCommand {
    /// Create a school and print its id.
    Create {
        /// The school's name.
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Add an account to a school and print its id.
    Add {
        /// The school's id, as `school create` printed it.
        #[arg(long)]
        school: String,
        /// admin, teacher, student or parent.
        #[arg(long)]
        role: String,
        /// The name used to log in.
        #[arg(long)]
        username: String,
        /// The name others see; the user name when not given.
        #[arg(long)]
        name: Option<String>,
        /// The account's password: 8 characters or more.
        #[arg(long, env = "STEPWISE_NEW_PASSWORD", hide_env_values = true)]
        password: String,
    },
}

#[derive(Debug, Subcommand)]
enum ClassCommand {
    /// Add a class taught by one teacher and print its id.
    Add {
        /// The school's id.
        #[arg(long)]
        school: String,
        /// The class's name, such as 9X.
        #[arg(long)]
        name: String,
        /// The teacher's user id.
        #[arg(long)]
        teacher: String,
    },
    /// Enrol a student in a class.
    Enrol {
        /// The class's id, as `class add` printed it.
        #[arg(long)]
        class: String,
        /// The student's user id.
        #[arg(long)]
        student: String,
    },
}

#[derive(Debug, Subcommand)]
enum ParentCommand {
    /// Make a one-use code that links a parent's account to a student.
    LinkCode {
        /// The student's user id.
        #[arg(long)]
        student: String,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .json()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("STEPWISE_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), ServerError> {
    let db = Db::open(cli.database.as_deref(), &cli.data_dir).await?;
    let output = match cli.command {
        Command::Serve {
            listen,
            max_body_bytes,
            rate_per_second,
            rate_burst,
            logins_per_minute,
        } => {
            let config = ServeConfig {
                listen,
                max_body_bytes,
                rate_per_second,
                rate_burst,
                logins_per_minute,
            };
            return stepwise_server::serve(db, config).await;
        }
        command => {
            db.migrate().await?;
            administer(&db, command).await?
        }
    };
    println!("{output}");
    db.pool.close().await;
    Ok(())
}

async fn administer(db: &Db, command: Command) -> Result<serde_json::Value, ServerError> {
    Ok(match command {
        Command::Serve { .. } | Command::Migrate => {
            serde_json::json!({ "version": db.version().await? })
        }
        Command::School {
            command: SchoolCommand::Create { name },
        } => admin::create_school(db, &name).await?,
        Command::User {
            command:
                UserCommand::Add {
                    school,
                    role,
                    username,
                    name,
                    password,
                },
        } => {
            let name = name.unwrap_or_else(|| username.clone());
            let user = NewUser {
                school_id: &school,
                role: Role::parse(&role)?,
                username: &username,
                name: &name,
                password: &password,
            };
            admin::add_user(db, user).await?
        }
        Command::Class {
            command:
                ClassCommand::Add {
                    school,
                    name,
                    teacher,
                },
        } => admin::add_class(db, &school, &name, &teacher).await?,
        Command::Class {
            command: ClassCommand::Enrol { class, student },
        } => admin::enrol(db, &class, &student).await?,
        Command::Parent {
            command: ParentCommand::LinkCode { student },
        } => admin::link_code(db, &student).await?,
    })
}
