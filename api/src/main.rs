//! `muamalat`: the server and its administrative commands.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use muamalat::app::{Application, openapi_json};
use muamalat::config::Settings;
use muamalat::{db, seed, telemetry};
use secrecy::ExposeSecret;

#[derive(Parser)]
#[command(name = "muamalat", version, about = "Muamalat (معاملات): correspondence and transaction tracking")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve {
        /// Seed the demo organisation first if the database is empty.
        #[arg(long)]
        demo: bool,
    },
    /// Seed the demo organisation into an empty database and print how to sign in.
    SeedDemo,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the OpenAPI document (as committed in openapi/openapi.json).
    Openapi,
    /// Seal pending audit log entries, then verify the whole hash chain; exits 1 at the first broken entry.
    AuditVerify,
    /// Fill the database with a realistic history over the demo organisation (seeded first if the database is
    /// empty): for benchmarks and for trying the system at the production volume.
    Generate {
        /// How many transactions.
        #[arg(long, default_value_t = 2_000_000)]
        transactions: usize,
        /// The same seed makes the same history.
        #[arg(long, default_value_t = 1448)]
        seed: u64,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(Command::Openapi) = cli.command {
        print!("{}", openapi_json());
        return ExitCode::SUCCESS;
    }
    let settings = match Settings::load() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("muamalat: invalid settings: {e}");
            return ExitCode::from(2);
        }
    };
    telemetry::init(&settings.log_format);
    let result = match cli.command.unwrap_or(Command::Serve { demo: false }) {
        Command::Serve { demo } => serve(settings, demo),
        Command::SeedDemo => seed_demo(&settings, true),
        Command::Migrate => db::connect(&settings.database_url(), Some(1)).map(|_| ()).map_err(|e| e.to_string()),
        Command::Openapi => Ok(()),
        Command::AuditVerify => audit_verify(&settings),
        Command::Generate { transactions, seed } => generate(&settings, transactions, seed),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("muamalat: {e}");
            ExitCode::FAILURE
        }
    }
}

fn serve(settings: Settings, demo: bool) -> Result<(), String> {
    if demo {
        seed_demo(&settings, false)?;
    }
    let system = actix_web::rt::System::new();
    system.block_on(async move {
        let app = Application::build(settings.clone()).map_err(|e| e.to_string())?;
        let host = settings.bind.rsplit_once(':').map(|(h, _)| h).unwrap_or("127.0.0.1");
        tracing::info!("Muamalat is listening on http://{host}:{}  (API docs: /api/docs/)", app.port());
        if !settings.spa_dir.join("index.html").is_file() {
            tracing::warn!(
                "No web UI in {}: `/` answers 404. Build it with scripts/build-ui.sh or set MUAMALAT_SPA_DIR.",
                settings.spa_dir.display()
            );
        }
        app.run_until_stopped().await.map_err(|e| e.to_string())
    })
}

fn audit_verify(settings: &Settings) -> Result<(), String> {
    let pool = db::connect(&settings.database_url(), Some(1)).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let report = muamalat::domain::audit::verify(&mut conn).map_err(|e| e.to_string())?;
    println!("Verified {} sealed audit log entries.", report.verified);
    if let Some(head) = &report.head_hash {
        println!("Head hash: {head}  (keep it elsewhere to show later that the log was not cut short)");
    }
    match report.first_broken {
        None => {
            println!("The chain is intact.");
            Ok(())
        }
        Some(b) => Err(format!(
            "the audit chain is broken at entry seq {} (id {}): {}",
            b.seq,
            b.id.map_or("missing".to_string(), |id| id.to_string()),
            b.reason
        )),
    }
}

/// Generate a history (`muamalat generate`), after seeding the demo organisation into an empty database.
fn generate(settings: &Settings, transactions: usize, seed: u64) -> Result<(), String> {
    seed_demo(settings, false)?;
    let pool = db::connect(&settings.database_url(), Some(2)).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    let options = muamalat::generate::Options { transactions, seed };
    let done = muamalat::generate::generate(&mut conn, options).map_err(|e| e.to_string())?;
    println!(
        "Generated {} transactions, {} referrals, {} events and {} documents, with their search entries, in {:.1} s.",
        done.transactions, done.referrals, done.events, done.documents, done.seconds
    );
    Ok(())
}

/// Seed the demo organisation. With `strict`, a non-empty database is an error; otherwise it is left alone.
fn seed_demo(settings: &Settings, strict: bool) -> Result<(), String> {
    let pool = db::connect(&settings.database_url(), Some(2)).map_err(|e| e.to_string())?;
    let mut conn = pool.get().map_err(|e| e.to_string())?;
    if !seed::is_empty(&mut conn).map_err(|e| e.to_string())? {
        if strict {
            return Err("the database already holds an organisation; seed-demo only fills an empty one".into());
        }
        tracing::info!("the database already holds an organisation; not seeding the demo");
        return Ok(());
    }
    let (password, generated) =
        match settings.demo_password.as_ref().map(|p| p.expose_secret()).filter(|p| !p.is_empty()) {
            Some(p) if p.chars().count() < muamalat::domain::org::MIN_PASSWORD => {
                return Err(format!(
                    "MUAMALAT_DEMO_PASSWORD must be at least {} characters",
                    muamalat::domain::org::MIN_PASSWORD
                ));
            }
            Some(p) => (p.to_string(), false),
            None => (muamalat::auth::random_token()[..16].to_string(), true),
        };
    let logins = seed::seed_demo(&mut conn, &password).map_err(|e| e.to_string())?;
    println!("Seeded the demo organisation (أمانة المنطقة الشرقية): {} accounts.", logins.len());
    println!("Web UI: http://{0}/ (open it in a browser)", settings.bind);
    println!("API: http://{0}/api/v1 (interactive reference: http://{0}/api/docs/)", settings.bind);
    println!("Sign in with any of these, for example:");
    for wanted in ["admin", "registry.clerk1", "khb.head", "khb.employee1", "khb-eng.head", "cr.head", "auditor1"] {
        if let Some(l) = logins.iter().find(|l| l.username == wanted) {
            println!("  {:<18} {:<15} {}", l.username, l.role, l.unit_en);
        }
    }
    let agency = seed::demo_agency(&mut conn).map_err(|e| e.to_string())?;
    println!(
        "Demo agency API client ({}): client_id {}  client_secret {}  (token: POST /api/v1/oauth/token)",
        agency.client.external_entity.name_en, agency.client.client_id, agency.client_secret
    );
    if generated {
        println!("Password of every demo account: {password}");
        println!("(generated; set MUAMALAT_DEMO_PASSWORD before seeding to choose it)");
    } else {
        println!("Password of every demo account: the value of MUAMALAT_DEMO_PASSWORD.");
    }
    Ok(())
}
