//! Storage: one connection type over SQLite and PostgreSQL, the pool, embedded migrations, and the few places
//! where the two backends need different SQL.

use std::time::Duration;

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::r2d2::{self, ManageConnection, R2D2Connection};
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::ApiError;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// A connection to either backend; queries written once against the diesel DSL run on both.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Which backend a URL names, and the address to hand to it.
pub fn parse_url(url: &str) -> (Backend, String) {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        (Backend::Postgres, url.to_string())
    } else if let Some(path) = url.strip_prefix("sqlite://") {
        (Backend::Sqlite, path.to_string())
    } else if let Some(path) = url.strip_prefix("sqlite:") {
        (Backend::Sqlite, path.to_string())
    } else {
        (Backend::Sqlite, url.to_string())
    }
}

/// Opens connections of the backend named by the URL, and sets SQLite up for concurrent use.
#[derive(Debug, Clone)]
pub struct Manager {
    backend: Backend,
    address: String,
}

impl Manager {
    pub fn new(url: &str) -> Self {
        let (backend, address) = parse_url(url);
        Manager { backend, address }
    }
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        match self.backend {
            Backend::Postgres => {
                PgConnection::establish(&self.address).map(DbConn::Pg).map_err(r2d2::Error::ConnectionError)
            }
            Backend::Sqlite => {
                let mut conn = SqliteConnection::establish(&self.address).map_err(r2d2::Error::ConnectionError)?;
                // WAL (readers beside the writer) is a property of the file, set once by `connect` before the pool
                // opens; switching it here, on connections opened in parallel, could fail with "database is
                // locked". Reads go through a memory map and a 16 MB page cache per connection rather than a read
                // system call per page.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 15000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; \
                     PRAGMA cache_size = -16000; PRAGMA mmap_size = 268435456; PRAGMA temp_store = MEMORY;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.ping().map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        conn.is_broken()
    }
}

pub type DbPool = r2d2::Pool<Manager>;

#[derive(Debug, thiserror::Error)]
pub enum DbSetupError {
    #[error("cannot create the data directory {0}: {1}")]
    DataDir(String, std::io::Error),
    #[error("cannot open the database: {0}")]
    Pool(#[from] r2d2::PoolError),
    #[error("cannot open the database: {0}")]
    Open(String),
    #[error("migrations failed: {0}")]
    Migrations(String),
}

/// Open the pool and bring the schema up to date.
pub fn connect(url: &str, pool_size: Option<u32>) -> Result<DbPool, DbSetupError> {
    let manager = Manager::new(url);
    if manager.backend == Backend::Sqlite
        && let Some(parent) = std::path::Path::new(manager.address.trim_start_matches("file:")).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|e| DbSetupError::DataDir(parent.display().to_string(), e))?;
    }
    if manager.backend == Backend::Sqlite {
        // Once, on one connection, before any other opens: the file switches to WAL and stays so.
        let mut conn = SqliteConnection::establish(&manager.address).map_err(|e| DbSetupError::Open(e.to_string()))?;
        conn.batch_execute("PRAGMA busy_timeout = 15000; PRAGMA journal_mode = WAL;")
            .map_err(|e| DbSetupError::Open(format!("cannot switch to WAL: {e}")))?;
    }
    let size = pool_size.unwrap_or(match manager.backend {
        Backend::Sqlite => 8,
        Backend::Postgres => 16,
    });
    // A connection to a local SQLite file cannot break between uses; a ping on every checkout (`SELECT 1`, parsed
    // anew each time) cost more than a tenth of a registration. A network connection to PostgreSQL can.
    let test_on_check_out = manager.backend == Backend::Postgres;
    let pool = r2d2::Pool::builder()
        .max_size(size)
        .connection_timeout(Duration::from_secs(10))
        .test_on_check_out(test_on_check_out)
        .build(manager)?;
    let mut conn = pool.get()?;
    // A bulk load cut short leaves indexes set aside: rebuild them before the migrations, which expect them.
    restore_set_aside_indexes(&mut conn).map_err(|e| DbSetupError::Migrations(format!("set-aside indexes: {e}")))?;
    run_migrations(&mut conn)?;
    // Rows from before a derived column existed get it computed in Rust (the folding is not SQL).
    crate::domain::org::fill_search_names(&mut conn).map_err(|e| DbSetupError::Migrations(e.to_string()))?;
    // Transactions from before the search index, or written while it did not exist, get their entries.
    crate::domain::search::index::fill_missing(&mut conn).map_err(|e| DbSetupError::Migrations(e.to_string()))?;
    // The default working week, and the holidays of the years up to the next, where they are missing.
    crate::domain::working_calendar::ensure_defaults(&mut conn).map_err(|e| DbSetupError::Migrations(e.to_string()))?;
    if let DbConn::Sqlite(c) = &mut *conn {
        // Keep the planner's statistics current: SQLite's recommended call when a long-lived database is opened
        // (cheap; it analyses only tables whose statistics are missing or stale).
        c.batch_execute("PRAGMA optimize = 0x10002;")
            .map_err(|e| DbSetupError::Open(format!("PRAGMA optimize: {e}")))?;
    }
    Ok(pool)
}

pub fn run_migrations(conn: &mut DbConn) -> Result<(), DbSetupError> {
    let result = match conn {
        DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|_| ()),
        DbConn::Pg(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|_| ()),
    };
    result.map_err(|e| DbSetupError::Migrations(e.to_string()))
}

pub fn backend_of(conn: &DbConn) -> Backend {
    match conn {
        DbConn::Sqlite(_) => Backend::Sqlite,
        DbConn::Pg(_) => Backend::Postgres,
    }
}

/// Run `f` in a write transaction. On SQLite the transaction takes the write lock up front (`BEGIN IMMEDIATE`):
/// a deferred transaction that reads and then writes can fail at once with `SQLITE_BUSY` when another writer got
/// in between, whatever the busy timeout.
///
/// SQLite has one writer at a time anyway; writers of this process also queue on a mutex first, which hands the
/// lock over at once instead of through SQLite's sleeping busy handler (that remains for other processes).
pub fn write_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    type Tm = <DbConn as Connection>::TransactionManager;
    static SQLITE_WRITER: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _writer = match conn {
        DbConn::Sqlite(c) => {
            // A panic while holding the lock leaves no SQLite state behind (the transaction rolls back), so a
            // poisoned mutex is still safe to use.
            let guard = SQLITE_WRITER.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?;
            Some(guard)
        }
        DbConn::Pg(_) => {
            Tm::begin_transaction(conn)?;
            None
        }
    };
    let outcome = f(conn);
    finish(conn, outcome)
}

/// Run `f` in one read-only snapshot: every statement of `f` sees the database as one moment left it, so a page,
/// its total and its facets (or a report's day counts and its live figures) agree while others commit. SQLite: a
/// deferred transaction, whose snapshot (in WAL mode) is taken at the first read and held to the end; PostgreSQL:
/// `REPEATABLE READ READ ONLY`, which also refuses any write `f` would attempt.
pub fn read_tx<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN DEFERRED")?,
        DbConn::Pg(c) => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?
        }
    }
    let outcome = f(conn);
    finish(conn, outcome)
}

/// Commit after `Ok`, roll back after `Err` (keeping the first error).
fn finish<T, E>(conn: &mut DbConn, outcome: Result<T, E>) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    type Tm = <DbConn as Connection>::TransactionManager;
    match outcome {
        Ok(value) => {
            Tm::commit_transaction(conn)?;
            Ok(value)
        }
        Err(error) => match Tm::rollback_transaction(conn) {
            Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(error),
            Err(rollback_error) => Err(rollback_error.into()),
        },
    }
}

/// Record a blob unless it is already recorded (two uploads of the same content may race here).
pub fn insert_blob(
    conn: &mut DbConn,
    sha256: &str,
    size: i64,
    media_type: &str,
    at: chrono::NaiveDateTime,
) -> QueryResult<()> {
    use crate::schema::blobs::dsl as b;
    macro_rules! insert {
        ($c:expr) => {
            diesel::insert_into(b::blobs)
                .values((b::sha256.eq(sha256), b::size.eq(size), b::media_type.eq(media_type), b::created_at.eq(at)))
                .on_conflict(b::sha256)
                .do_nothing()
                .execute($c)
        };
    }
    match conn {
        DbConn::Sqlite(c) => insert!(c)?,
        DbConn::Pg(c) => insert!(c)?,
    };
    Ok(())
}

/// Take `count` consecutive registration sequences of a registry in a Hijri year; answers the last one taken.
/// Runs inside the registering transaction: the counter row stays locked until commit and rolls back with it, so
/// numbers are unique and gapless.
pub fn take_sequences(conn: &mut DbConn, registry_unit_id: i64, year: i32, count: i64) -> QueryResult<i64> {
    use crate::schema::registration_counters::dsl as rc;
    // An `UPDATE … RETURNING` is a statement diesel keeps prepared; the upsert (`ON CONFLICT`) is parsed anew each
    // time. The counter row exists after the first registration of a year, so the insert is taken once a year.
    macro_rules! bump {
        ($c:expr) => {
            diesel::update(rc::registration_counters.find((registry_unit_id, year)))
                .set(rc::last_value.eq(rc::last_value + count))
                .returning(rc::last_value)
                .get_result::<i64>($c)
                .optional()
        };
    }
    macro_rules! upsert {
        ($c:expr) => {
            diesel::insert_into(rc::registration_counters)
                .values((rc::registry_unit_id.eq(registry_unit_id), rc::hijri_year.eq(year), rc::last_value.eq(count)))
                .on_conflict((rc::registry_unit_id, rc::hijri_year))
                .do_update()
                .set(rc::last_value.eq(rc::last_value + count))
                .returning(rc::last_value)
                .get_result::<i64>($c)
        };
    }
    let bumped = match conn {
        DbConn::Sqlite(c) => bump!(c)?,
        DbConn::Pg(c) => bump!(c)?,
    };
    match (bumped, conn) {
        (Some(value), _) => Ok(value),
        // The first numbers of the year; two registrations racing here meet in the upsert.
        (None, DbConn::Sqlite(c)) => upsert!(c),
        (None, DbConn::Pg(c)) => upsert!(c),
    }
}

/// Insert several transactions in one statement; answers them in insertion (id) order.
pub fn insert_transactions(
    conn: &mut DbConn,
    rows: &[crate::models::NewTransactionRow<'_>],
) -> QueryResult<Vec<crate::models::TransactionRow>> {
    use crate::schema::transactions;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut inserted: Vec<crate::models::TransactionRow> = match conn {
        DbConn::Sqlite(c) => {
            diesel::insert_into(transactions::table).values(rows).returning(transactions::all_columns).get_results(c)?
        }
        DbConn::Pg(c) => {
            diesel::insert_into(transactions::table).values(rows).returning(transactions::all_columns).get_results(c)?
        }
    };
    // RETURNING promises no order; ids follow the order of the rows.
    inserted.sort_by_key(|t| t.id);
    Ok(inserted)
}

/// Insert several referrals in one statement; answers them in insertion (id) order. Multi-row inserts are
/// backend-specific in diesel, hence here.
pub fn insert_referrals(
    conn: &mut DbConn,
    rows: &[crate::models::NewReferralRow<'_>],
) -> QueryResult<Vec<crate::models::ReferralRow>> {
    use crate::schema::referrals;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut inserted: Vec<crate::models::ReferralRow> = match conn {
        DbConn::Sqlite(c) => {
            diesel::insert_into(referrals::table).values(rows).returning(referrals::all_columns).get_results(c)?
        }
        DbConn::Pg(c) => {
            diesel::insert_into(referrals::table).values(rows).returning(referrals::all_columns).get_results(c)?
        }
    };
    // RETURNING promises no order; ids follow the order of the rows.
    inserted.sort_by_key(|r| r.id);
    Ok(inserted)
}

/// Append several timeline events in one statement.
pub fn insert_events(conn: &mut DbConn, rows: &[crate::models::NewEventRow]) -> QueryResult<usize> {
    use crate::schema::events;
    if rows.is_empty() {
        return Ok(0);
    }
    match conn {
        DbConn::Sqlite(c) => diesel::insert_into(events::table).values(rows).execute(c),
        DbConn::Pg(c) => diesel::insert_into(events::table).values(rows).execute(c),
    }
}

/// Append several audit entries in one statement.
pub fn insert_audit(conn: &mut DbConn, rows: &[crate::models::NewAuditRow<'_>]) -> QueryResult<usize> {
    use crate::schema::audit_log;
    if rows.is_empty() {
        return Ok(0);
    }
    match conn {
        DbConn::Sqlite(c) => diesel::insert_into(audit_log::table).values(rows).execute(c),
        DbConn::Pg(c) => diesel::insert_into(audit_log::table).values(rows).execute(c),
    }
}

/// Record the answers of several requests sent with an `Idempotency-Key`, in one statement.
pub fn insert_idempotency(conn: &mut DbConn, rows: &[crate::models::NewIdempotencyRow<'_>]) -> QueryResult<usize> {
    use crate::schema::idempotency_keys;
    if rows.is_empty() {
        return Ok(0);
    }
    match conn {
        DbConn::Sqlite(c) => diesel::insert_into(idempotency_keys::table).values(rows).execute(c),
        DbConn::Pg(c) => diesel::insert_into(idempotency_keys::table).values(rows).execute(c),
    }
}

/// Insert a server setting unless one with that name exists; answer the value in force.
pub fn setting_get_or_insert(conn: &mut DbConn, name: &str, value: &str) -> QueryResult<String> {
    use crate::schema::server_settings::dsl as s;
    macro_rules! insert {
        ($c:expr) => {
            diesel::insert_into(s::server_settings)
                .values((s::name.eq(name), s::value.eq(value)))
                .on_conflict_do_nothing()
                .execute($c)
        };
    }
    match conn {
        DbConn::Sqlite(c) => insert!(c)?,
        DbConn::Pg(c) => insert!(c)?,
    };
    s::server_settings.filter(s::name.eq(name)).select(s::value).first(conn)
}

/// A server setting, if it is set.
pub fn setting_get(conn: &mut DbConn, name: &str) -> QueryResult<Option<String>> {
    use crate::schema::server_settings::dsl as s;
    s::server_settings.filter(s::name.eq(name)).select(s::value).first(conn).optional()
}

/// Set a server setting, replacing its value if it has one.
pub fn setting_set(conn: &mut DbConn, name: &str, value: &str) -> QueryResult<()> {
    use crate::schema::server_settings::dsl as s;
    macro_rules! upsert {
        ($c:expr) => {
            diesel::insert_into(s::server_settings)
                .values((s::name.eq(name), s::value.eq(value)))
                .on_conflict(s::name)
                .do_update()
                .set(s::value.eq(value))
                .execute($c)
        };
    }
    match conn {
        DbConn::Sqlite(c) => upsert!(c)?,
        DbConn::Pg(c) => upsert!(c)?,
    };
    Ok(())
}

/// Insert rows unless a row with the same unique key is there; answer how many were inserted.
#[macro_export]
macro_rules! insert_or_ignore {
    ($conn:expr, $table:expr, $values:expr) => {
        match $conn {
            $crate::db::DbConn::Sqlite(c) => {
                diesel::insert_into($table).values($values).on_conflict_do_nothing().execute(c)
            }
            $crate::db::DbConn::Pg(c) => {
                diesel::insert_into($table).values($values).on_conflict_do_nothing().execute(c)
            }
        }
    };
}

/// The SQL of an equality `column = value` that drives a list's walk down an index, joined to `transactions`.
///
/// SQLite's planner ignores `LIMIT` when it estimates a join: where its statistics say a value is common (the
/// registry sends nearly every referral), it builds a Bloom filter over `transactions` first, a full scan, for a
/// page of 50 rows. `unlikely()` tells it the walk stops early; PostgreSQL needs no hint.
pub fn driving_eq(
    backend: Backend,
    column: &'static str,
    value: i64,
) -> diesel::expression::SqlLiteral<
    diesel::sql_types::Bool,
    diesel::expression::UncheckedBind<
        diesel::expression::SqlLiteral<diesel::sql_types::Bool>,
        diesel::dsl::AsExprOf<i64, diesel::sql_types::BigInt>,
    >,
> {
    let (open, close) = match backend {
        Backend::Sqlite => (format!("unlikely({column} = "), ")"),
        Backend::Postgres => (format!("({column} = "), ")"),
    };
    diesel::dsl::sql::<diesel::sql_types::Bool>(&open).bind::<diesel::sql_types::BigInt, _>(value).sql(close)
}

/// Run blocking database work on the blocking pool, never on an actix worker thread.
pub async fn run<T, F>(pool: &DbPool, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    let pool = pool.clone();
    actix_web::web::block(move || {
        let mut conn = pool.get().map_err(ApiError::unavailable)?;
        f(&mut conn)
    })
    .await
    .map_err(ApiError::internal)?
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use diesel::sql_types::{Integer, Text};

    use super::*;

    #[derive(diesel::QueryableByName)]
    struct Pragmas {
        #[diesel(sql_type = Text)]
        journal_mode: String,
    }

    #[derive(diesel::QueryableByName)]
    struct ForeignKeys {
        #[diesel(sql_type = Integer)]
        foreign_keys: i32,
    }

    /// Every pooled SQLite connection works in WAL mode with foreign keys on, although only one switched the file.
    #[test]
    fn every_sqlite_connection_is_in_wal_mode_with_foreign_keys() {
        let dir = tempfile::tempdir().expect("dir");
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let pool = connect(&url, Some(4)).expect("pool");
        let mut held = Vec::new();
        for _ in 0..4 {
            let mut conn = pool.get().expect("connection");
            let DbConn::Sqlite(c) = &mut *conn else { panic!("SQLite") };
            let mode: Vec<Pragmas> = diesel::sql_query("PRAGMA journal_mode").load(c).expect("journal_mode");
            assert_eq!(mode[0].journal_mode, "wal");
            let fk: Vec<ForeignKeys> = diesel::sql_query("PRAGMA foreign_keys").load(c).expect("foreign_keys");
            assert_eq!(fk[0].foreign_keys, 1);
            held.push(conn);
        }
    }
}

/// The `server_settings` names under which set-aside indexes wait to be rebuilt: `set_aside_index:<name>`, whose
/// value is the statement that creates the index. `;` sorts right after `:`, bounding the names' range.
const SET_ASIDE_FROM: &str = "set_aside_index:";
const SET_ASIDE_TO: &str = "set_aside_index;";

#[derive(QueryableByName)]
struct IndexDefinition {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    definition: String,
}

/// For a bulk load: drop the secondary indexes of `tables` (never a unique one, which keeps the data right, nor one
/// named in `keep`, which triggers probe on every row), so that the rows go in without them, and note each one's
/// definition in `server_settings` in the same database transaction. [`restore_set_aside_indexes`] builds them
/// again, each from its own definition, after the load or at the next start if the load was cut short: only speed
/// depends on them. Answers how many were set aside.
pub fn set_aside_indexes(conn: &mut DbConn, tables: &[&str], keep: &[&str]) -> QueryResult<usize> {
    let listed = tables.iter().map(|t| format!("'{t}'")).collect::<Vec<_>>().join(", ");
    let query = match conn {
        DbConn::Sqlite(_) => format!(
            "SELECT m.name AS name, m.sql AS definition FROM sqlite_master m WHERE m.type = 'index' \
             AND m.sql IS NOT NULL AND m.tbl_name IN ({listed}) AND NOT EXISTS (SELECT 1 FROM \
             pragma_index_list(m.tbl_name) l WHERE l.name = m.name AND l.\"unique\") ORDER BY m.name"
        ),
        DbConn::Pg(_) => format!(
            "SELECT c.relname::TEXT AS name, pg_get_indexdef(i.indexrelid) AS definition FROM pg_index i \
             JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid \
             WHERE t.relnamespace = current_schema()::regnamespace AND t.relname IN ({listed}) \
             AND NOT i.indisunique AND NOT i.indisprimary ORDER BY c.relname"
        ),
    };
    write_tx(conn, |conn| {
        let found: Vec<IndexDefinition> = diesel::sql_query(query).load(conn)?;
        let mut set_aside = 0;
        for index in found.iter().filter(|i| !keep.contains(&i.name.as_str())) {
            // No note can stand under this name: its index, found just now, would have been dropped with it.
            setting_get_or_insert(conn, &format!("{SET_ASIDE_FROM}{}", index.name), &index.definition)?;
            // The name comes from the catalogue, quoted as an identifier.
            diesel::sql_query(format!("DROP INDEX \"{}\"", index.name.replace('"', "\"\""))).execute(conn)?;
            set_aside += 1;
        }
        Ok(set_aside)
    })
}

/// Build again every index [`set_aside_indexes`] dropped, each in its own database transaction with the removal of
/// its note. Answers how many were rebuilt; none (and no error) where `server_settings` does not exist yet.
pub fn restore_set_aside_indexes(conn: &mut DbConn) -> QueryResult<usize> {
    use crate::schema::server_settings::dsl as s;
    // Before the first migration there is no table, and nothing was set aside.
    if !table_exists(conn, "server_settings")? {
        return Ok(0);
    }
    let waiting: Vec<(String, String)> = s::server_settings
        .filter(s::name.ge(SET_ASIDE_FROM).and(s::name.lt(SET_ASIDE_TO)))
        .select((s::name, s::value))
        .order(s::name)
        .load(conn)?;
    for (name, definition) in &waiting {
        tracing::info!(index = &name[SET_ASIDE_FROM.len()..], "building a set-aside index");
        write_tx(conn, |conn| {
            diesel::sql_query(definition).execute(conn)?;
            diesel::delete(s::server_settings.filter(s::name.eq(name))).execute(conn)?;
            Ok::<(), diesel::result::Error>(())
        })?;
    }
    Ok(waiting.len())
}

fn table_exists(conn: &mut DbConn, table: &str) -> QueryResult<bool> {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let query = match conn {
        DbConn::Sqlite(_) => "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = ?",
        DbConn::Pg(_) => "SELECT COUNT(*) AS n FROM pg_tables WHERE schemaname = current_schema() AND tablename = $1",
    };
    let found: Found = diesel::sql_query(query).bind::<diesel::sql_types::Text, _>(table).get_result(conn)?;
    Ok(found.n > 0)
}
