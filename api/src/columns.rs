//! How the contract's enums sit in database columns, so rows carry them typed: a state is read into its enum when
//! the row is loaded (an unknown value is a load error, never a silent string) and written from it.
//!
//! Text enums are stored in their wire form ([`WireEnum::as_str`]); confidentiality and clearance as their rank on
//! the scale (0 = normal), so that SQL can compare them. Rows name the enum itself and load it through
//! `#[diesel(deserialize_as = AsText<…>)]`; inserts and filters wrap a value in [`AsText`] or [`AsLevel`].

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::{Integer, Nullable, Text};
use shared_types::{Confidentiality, WireEnum};

/// An enum of the contract in a text column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub struct AsText<T>(pub T);

impl<T, DB> FromSql<Text, DB> for AsText<T>
where
    T: WireEnum,
    DB: Backend,
    String: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        let text = String::from_sql(bytes)?;
        T::from_wire(&text)
            .map(AsText)
            .ok_or_else(|| format!("the database holds `{text}`, which is not a {}", std::any::type_name::<T>()).into())
    }
}

impl<T, DB> ToSql<Text, DB> for AsText<T>
where
    T: WireEnum,
    DB: Backend,
    str: ToSql<Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        <str as ToSql<Text, DB>>::to_sql(self.0.as_str(), out)
    }
}

/// An optional enum of the contract in a nullable text column (`NULL` is `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromSqlRow)]
pub struct AsOptionalText<T>(pub Option<T>);

impl<T, DB> FromSql<Nullable<Text>, DB> for AsOptionalText<T>
where
    T: WireEnum,
    DB: Backend,
    AsText<T>: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        let AsText(value) = <AsText<T> as FromSql<Text, DB>>::from_sql(bytes)?;
        Ok(AsOptionalText(Some(value)))
    }

    fn from_nullable_sql(bytes: Option<DB::RawValue<'_>>) -> deserialize::Result<Self> {
        match bytes {
            None => Ok(AsOptionalText(None)),
            Some(bytes) => Self::from_sql(bytes),
        }
    }
}

impl<T> From<AsOptionalText<T>> for Option<T> {
    fn from(stored: AsOptionalText<T>) -> Self {
        stored.0
    }
}

/// A confidentiality level (or a clearance) in an integer column, as its rank.
#[derive(Debug, Clone, Copy, PartialEq, Eq, AsExpression, FromSqlRow)]
#[diesel(sql_type = Integer)]
pub struct AsLevel(i32);

impl From<Confidentiality> for AsLevel {
    fn from(level: Confidentiality) -> Self {
        AsLevel(level.level())
    }
}

impl TryFrom<AsLevel> for Confidentiality {
    type Error = String;
    fn try_from(stored: AsLevel) -> Result<Self, String> {
        Confidentiality::from_level(stored.0)
            .ok_or_else(|| format!("the database holds confidentiality level {}, which does not exist", stored.0))
    }
}

impl<DB> FromSql<Integer, DB> for AsLevel
where
    DB: Backend,
    i32: FromSql<Integer, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
        let stored = AsLevel(i32::from_sql(bytes)?);
        Confidentiality::try_from(stored)?;
        Ok(stored)
    }
}

impl<DB> ToSql<Integer, DB> for AsLevel
where
    DB: Backend,
    i32: ToSql<Integer, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        <i32 as ToSql<Integer, DB>>::to_sql(&self.0, out)
    }
}

/// `From<AsText<E>> for E`, which `deserialize_as` needs, for each enum stored as text (a blanket impl over every
/// `T` is not allowed by the orphan rule).
macro_rules! stored_as_text {
    ($($enum:ty),+ $(,)?) => {
        $(impl From<AsText<$enum>> for $enum {
            fn from(stored: AsText<$enum>) -> Self {
                stored.0
            }
        })+
    };
}

stored_as_text!(
    shared_types::TransactionKind,
    shared_types::TransactionStatus,
    shared_types::Priority,
    shared_types::Purpose,
    shared_types::ReferralStatus,
    shared_types::ReferralOutcome,
    shared_types::LinkKind,
    shared_types::UnitKind,
    shared_types::EntityKind,
    shared_types::EventKind,
    shared_types::SubmissionStatus,
    shared_types::DocumentKind,
    shared_types::TextStatus,
);

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use diesel::prelude::*;
    use diesel::sql_types::{Integer, Text};
    use diesel::sqlite::SqliteConnection;
    use shared_types::{
        Confidentiality, DocumentKind, EventKind, LinkKind, Priority, Purpose, ReferralOutcome, ReferralStatus,
        SubmissionStatus, TextStatus, TransactionKind, TransactionStatus, WireEnum,
    };

    use super::{AsLevel, AsText};

    #[derive(QueryableByName)]
    struct Stored {
        #[diesel(sql_type = Text)]
        status: AsText<TransactionStatus>,
        #[diesel(sql_type = Integer)]
        level: AsLevel,
    }

    fn load(conn: &mut SqliteConnection, status: &str, level: i32) -> QueryResult<Vec<Stored>> {
        diesel::sql_query("SELECT ? AS status, ? AS level").bind::<Text, _>(status).bind::<Integer, _>(level).load(conn)
    }

    /// Every value reads back as itself, written as its wire form; a value the code does not know is a load error.
    #[test]
    fn states_round_trip_through_a_column_and_unknown_ones_are_refused() {
        let mut conn = SqliteConnection::establish(":memory:").unwrap();
        for &status in TransactionStatus::ALL {
            for &level in Confidentiality::ALL {
                let written: String = diesel::select(AsText(status).into_sql::<Text>()).get_result(&mut conn).unwrap();
                assert_eq!(written, status.as_str());
                let rows = load(&mut conn, &written, level.level()).unwrap();
                assert_eq!(rows[0].status, AsText(status));
                assert_eq!(Confidentiality::try_from(rows[0].level), Ok(level));
            }
        }
        assert!(load(&mut conn, "Open", 0).is_err(), "wire forms are exact");
        assert!(load(&mut conn, "open", 3).is_err(), "no fourth confidentiality level");
        assert!(load(&mut conn, "open", -1).is_err());
    }

    /// The wire forms of the states the server decides on, so that the check below knows what to look for.
    fn state_words() -> Vec<&'static str> {
        fn all<T: WireEnum>() -> impl Iterator<Item = &'static str> {
            T::ALL.iter().map(|v| v.as_str())
        }
        all::<TransactionKind>()
            .chain(all::<TransactionStatus>())
            .chain(all::<Priority>())
            .chain(all::<Confidentiality>())
            .chain(all::<Purpose>())
            .chain(all::<ReferralStatus>())
            .chain(all::<SubmissionStatus>())
            .chain(all::<ReferralOutcome>())
            .chain(all::<LinkKind>())
            .chain(all::<DocumentKind>())
            .chain(all::<TextStatus>())
            .chain(all::<EventKind>())
            .collect()
    }

    /// No state is written as a string literal in the server's code (tests and migrations aside): states are the
    /// contract's enums down to the columns, so a misspelt state cannot compile. SQL that must name a state as a
    /// literal (for a partial index) formats it from the enum.
    #[test]
    fn no_state_is_a_string_literal_in_the_server() {
        // A directory, not a state.
        let allowed = [("blobs.rs", "\"incoming\"")];
        let words = state_words();
        let mut found = Vec::new();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut dirs = vec![root];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                if path.extension().and_then(|e| e.to_str()) != Some("rs") {
                    continue;
                }
                let source = std::fs::read_to_string(&path).unwrap();
                // The unit tests at the end of a file may build rows from literals.
                let code = source.split("#[cfg(test)]").next().unwrap_or_default();
                let file = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
                for (n, line) in code.lines().enumerate() {
                    if line.trim_start().starts_with("//") {
                        continue;
                    }
                    for word in &words {
                        for quoted in [format!("\"{word}\""), format!("'{word}'")] {
                            if line.contains(&quoted) && !allowed.contains(&(file.as_str(), quoted.as_str())) {
                                found.push(format!("{file}:{}: {}", n + 1, line.trim()));
                            }
                        }
                    }
                }
            }
        }
        assert!(found.is_empty(), "states written as literals:\n{}", found.join("\n"));
    }
}
