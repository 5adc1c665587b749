//! The ids a request names (in its path) as they travel from the route into the domain, each its own type: a
//! referral's id cannot be handed to an operation on a transaction, nor a document's, which the compiler could not
//! tell apart when all three were `i64`. They compare with rows in SQL as the `BIGINT` they are, and read from a path
//! or a body as a plain number.

use diesel::backend::Backend;
use diesel::expression::AsExpression;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::BigInt;
use serde::{Deserialize, Serialize};

macro_rules! id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, AsExpression)]
        #[serde(transparent)]
        #[diesel(sql_type = BigInt)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl<DB> ToSql<BigInt, DB> for $name
        where
            DB: Backend,
            i64: ToSql<BigInt, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                <i64 as ToSql<BigInt, DB>>::to_sql(&self.0, out)
            }
        }
    };
}

id!(
    /// A transaction (معاملة).
    TransactionId
);
id!(
    /// A referral (إحالة), one hop of a transaction's route.
    ReferralId
);
id!(
    /// A document of a transaction (its versions are numbered within it).
    DocumentId
);
