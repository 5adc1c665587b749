//! The registrar: registrations are written in groups.
//!
//! A request checks its registration as it arrives (on the blocking pool, beside other requests) and hands it
//! here. One writer thread takes whatever has arrived meanwhile and writes it in one database transaction
//! ([`transactions::create_all`]): each registry's numbers in one step, each kind of row in one statement, one
//! commit. Numbers stay gapless (a group commits or rolls back whole) and each registration is still answered only
//! once it is committed. A lone registration is written at once, as a group of one; under load a group costs a
//! fraction of writing its registrations one by one, which is what lets registration keep up with a busy registry.
//!
//! If a group fails, its registrations are written again one by one, so that only the faulty one fails and every
//! other is answered as if it had been alone.

use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, mpsc};

use shared_types::{NewTransaction, TransactionWithReferrals};
use tokio::sync::oneshot;

use crate::db::{self, DbConn, DbPool};
use crate::domain::actor::Actor;
use crate::domain::idempotency::{self, Key, Stored};
use crate::domain::transactions::{self, Creation, PreparedCreate};
use crate::error::ApiError;

/// What a registration answers: the transaction with the referrals it opened, with HTTP 201.
pub type Answer = Stored<TransactionWithReferrals>;

/// Registrations written in one group at most, and the referrals they may open together (which bounds the bound
/// parameters of one statement well below both backends' limits).
const MAX_GROUP: usize = 64;
const MAX_GROUP_REFERRALS: usize = 512;

/// A registration checked by [`transactions::prepare_create`], waiting to be written.
pub struct Registration {
    pub actor: Actor,
    pub req: NewTransaction,
    pub prepared: PreparedCreate,
    pub key: Option<Key>,
}

struct Job {
    registration: Registration,
    reply: oneshot::Sender<Result<Answer, ApiError>>,
}

/// The queue in front of the writer thread. The thread ends when the registrar is dropped.
pub struct Registrar {
    queue: mpsc::Sender<Job>,
    counters: Arc<Counters>,
}

/// What the registrar has written so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Groups committed (a registration written alone is a group of one).
    pub groups: u64,
    /// Registrations committed.
    pub registrations: u64,
    /// The most registrations committed together.
    pub largest_group: u64,
    /// Groups that failed and were written again one by one.
    pub groups_retried: u64,
}

#[derive(Default)]
struct Counters {
    groups: AtomicU64,
    registrations: AtomicU64,
    largest_group: AtomicU64,
    groups_retried: AtomicU64,
}

impl Counters {
    fn committed(&self, registrations: usize) {
        let n = registrations as u64;
        self.groups.fetch_add(1, Ordering::Relaxed);
        self.registrations.fetch_add(n, Ordering::Relaxed);
        self.largest_group.fetch_max(n, Ordering::Relaxed);
    }
}

impl Registrar {
    pub fn start(pool: DbPool) -> std::io::Result<Registrar> {
        let (queue, jobs) = mpsc::channel();
        let counters = Arc::new(Counters::default());
        let written = counters.clone();
        std::thread::Builder::new().name("registrar".into()).spawn(move || writer(&pool, &jobs, &written))?;
        Ok(Registrar { queue, counters })
    }

    /// A registrar with no writer, for an app that serves no requests (the one the OpenAPI document is read from):
    /// it refuses every registration.
    pub fn idle() -> Registrar {
        Registrar { queue: mpsc::channel().0, counters: Arc::default() }
    }

    pub fn stats(&self) -> Stats {
        let c = &self.counters;
        Stats {
            groups: c.groups.load(Ordering::Relaxed),
            registrations: c.registrations.load(Ordering::Relaxed),
            largest_group: c.largest_group.load(Ordering::Relaxed),
            groups_retried: c.groups_retried.load(Ordering::Relaxed),
        }
    }

    /// Write a checked registration; answers once it is committed (HTTP 201 and the body to send).
    pub async fn write(&self, registration: Registration) -> Result<Answer, ApiError> {
        let (reply, answer) = oneshot::channel();
        self.queue.send(Job { registration, reply }).map_err(|_| ApiError::unavailable("the registrar has stopped"))?;
        answer.await.map_err(|_| ApiError::internal("the registrar failed while writing this registration"))?
    }
}

fn writer(pool: &DbPool, jobs: &mpsc::Receiver<Job>, counters: &Counters) {
    while let Ok(first) = jobs.recv() {
        let mut referrals = first.registration.req.referrals.len();
        let mut group = vec![first];
        while group.len() < MAX_GROUP && referrals < MAX_GROUP_REFERRALS {
            match jobs.try_recv() {
                Ok(job) => {
                    referrals += job.registration.req.referrals.len();
                    group.push(job);
                }
                Err(_) => break,
            }
        }
        // A panic must not stop the registrar: the group's requests are answered with an error (their replies are
        // dropped) and the next group is written.
        if std::panic::catch_unwind(AssertUnwindSafe(|| write_group(pool, group, counters))).is_err() {
            tracing::error!("the registrar panicked while writing a group of registrations");
        }
    }
}

fn write_group(pool: &DbPool, group: Vec<Job>, counters: &Counters) {
    let mut conn = match pool.get() {
        Ok(conn) => conn,
        Err(e) => {
            let message = e.to_string();
            for job in group {
                let _ = job.reply.send(Err(ApiError::unavailable(message.clone())));
            }
            return;
        }
    };
    if group.len() > 1 {
        let registrations: Vec<&Registration> = group.iter().map(|j| &j.registration).collect();
        match db::write_tx(&mut conn, |conn| write(conn, &registrations)) {
            Ok(answers) => {
                counters.committed(group.len());
                for (job, answer) in group.into_iter().zip(answers) {
                    // The request may have gone (its client hung up); the registration stands.
                    let _ = job.reply.send(Ok(answer));
                }
                return;
            }
            Err(e) => {
                counters.groups_retried.fetch_add(1, Ordering::Relaxed);
                tracing::info!(
                    registrations = group.len(),
                    "a group of registrations failed ({e}); writing them one by one"
                )
            }
        }
    }
    for job in group {
        let r = &job.registration;
        let answer = db::write_tx(&mut conn, |conn| write(conn, &[r]))
            .and_then(|mut answers| answers.pop().ok_or_else(|| ApiError::internal("a registration wrote nothing")))
            .inspect(|_| counters.committed(1))
            .or_else(|e| idempotency::recover(&mut conn, r.actor.id(), r.key.as_ref(), e));
        let _ = job.reply.send(answer);
    }
}

/// Write registrations and keep the answers of those sent with an `Idempotency-Key`, in the caller's transaction.
fn write(conn: &mut DbConn, group: &[&Registration]) -> Result<Vec<Answer>, ApiError> {
    let items: Vec<Creation> =
        group.iter().map(|r| Creation { actor: &r.actor, req: &r.req, prepared: &r.prepared }).collect();
    let answers = transactions::create_all(conn, &items)?
        .iter()
        .map(|created| Stored::new(201, created))
        .collect::<Result<Vec<_>, ApiError>>()?;
    let keyed: Vec<(i64, &Key, &Answer)> =
        group.iter().zip(&answers).filter_map(|(r, answer)| Some((r.actor.id(), r.key.as_ref()?, answer))).collect();
    idempotency::store(conn, &keyed)?;
    Ok(answers)
}
