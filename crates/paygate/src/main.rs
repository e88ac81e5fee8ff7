//! `paygate`: `serve`, `migrate`, `admin create-operator`.

use anyhow::Context;
use clap::{Parser, Subcommand};
use paygate::{Config, Source};

#[derive(Parser)]
#[command(name = "paygate", version, about = "Self-hosted crypto and fiat payment gateway")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP API and the background jobs.
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Operator administration.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// The ledger.
    Ledger {
        #[command(subcommand)]
        command: LedgerCommand,
    },
}

#[derive(Subcommand)]
enum LedgerCommand {
    /// Verify that every transaction balances per coin and every balance equals its postings;
    /// exits 1 when not.
    Check,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an operator (or re-enrol an existing one) and print its authenticator secret.
    CreateOperator {
        #[arg(long)]
        email: String,
        #[arg(long)]
        password: String,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let source = Source::from_process()?;
    let log_json = source.get("PAYGATE_LOG_FORMAT").as_deref() == Some("json");
    init_logging(log_json);
    let config = Config::load(&source)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(run(cli.command, config))
}

async fn run(command: Command, config: Config) -> anyhow::Result<()> {
    match command {
        Command::Serve => {
            let services = paygate::build(&config).await?;
            let listener = tokio::net::TcpListener::bind(config.listen)
                .await
                .with_context(|| format!("binding {}", config.listen))?;
            tracing::info!(listen = %config.listen, network_mode = config.app.network_mode.as_str(), public_base_url = %config.app.public_base_url, "paygate serving");
            paygate::serve(&config, services, listener, shutdown_signal()).await
        }
        Command::Migrate => {
            let store = paygate_store::Store::connect(&config.database_url).await?;
            store.migrate().await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Ledger { command: LedgerCommand::Check } => {
            let services = paygate::build(&config).await?;
            let r = services.ledger_check().await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("ok: {}", r.ok);
            println!("transactions: {}", r.transactions);
            println!("postings: {}", r.postings);
            for (coin, sum) in &r.coins {
                println!("coin {coin}: sum {sum}");
            }
            if !r.unbalanced_transactions.is_empty() {
                println!("unbalanced transactions: {:?}", r.unbalanced_transactions);
            }
            if !r.balances_mismatched.is_empty() {
                println!("balances whose figures differ from their postings: {:?}", r.balances_mismatched);
            }
            if !r.ok {
                std::process::exit(1);
            }
            Ok(())
        }
        Command::Admin { command: AdminCommand::CreateOperator { email, password } } => {
            let services = paygate::build(&config).await?;
            let e = services.create_operator(&email, &password).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("operator: {email}");
            println!("totp_secret: {}", e.secret);
            println!("otpauth_uri: {}", e.otpauth_uri);
            Ok(())
        }
    }
}

fn init_logging(json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("PAYGATE_LOG").unwrap_or_else(|_| "info,sqlx=warn".into());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
