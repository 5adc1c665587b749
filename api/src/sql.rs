//! SQL text with bound values, for the few queries the diesel DSL cannot say: full-text search (FTS5's `MATCH`,
//! PostgreSQL's `@@`) and its index. Values are never written into the text: each is a numbered placeholder
//! (`?1` on SQLite, `$1` on PostgreSQL) bound separately, so nothing a user types becomes SQL.

use chrono::NaiveDateTime;
use diesel::QueryableByName;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{BigInt, Text, Timestamp};
use diesel::sqlite::Sqlite;

use crate::db::{Backend, DbConn};

/// A value bound to a placeholder.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(i64),
    Text(String),
    Time(NaiveDateTime),
}

/// A statement being written: its text and the values of its placeholders, in order.
#[derive(Debug, Clone)]
pub struct Sql {
    backend: Backend,
    text: String,
    values: Vec<Value>,
}

impl Sql {
    pub fn new(backend: Backend) -> Self {
        Sql { backend, text: String::new(), values: Vec::new() }
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Append SQL text: fixed text of the program, never a value.
    pub fn push(&mut self, text: &str) -> &mut Self {
        self.text.push_str(text);
        self
    }

    /// Append a placeholder for a new value; answers its placeholder, to use the value again.
    pub fn bind(&mut self, value: Value) -> String {
        let placeholder = self.bind_only(value);
        self.text.push_str(&placeholder);
        placeholder
    }

    /// Bind a new value without writing its placeholder; answers the placeholder, to write where it belongs (values
    /// are numbered, so their order in the text need not be the order they were bound in).
    pub fn bind_only(&mut self, value: Value) -> String {
        self.values.push(value);
        self.placeholder(self.values.len())
    }

    /// Append `(?, ?, …)` for the values, or `(NULL)` for none (which matches nothing in `IN`).
    pub fn bind_list(&mut self, values: impl IntoIterator<Item = i64>) -> &mut Self {
        self.text.push('(');
        let mut any = false;
        for (i, value) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(Value::Int(value));
            any = true;
        }
        if !any {
            self.text.push_str("NULL");
        }
        self.text.push(')');
        self
    }

    fn placeholder(&self, n: usize) -> String {
        match self.backend {
            Backend::Sqlite => format!("?{n}"),
            Backend::Postgres => format!("${n}"),
        }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    fn boxed<DB>(&self) -> BoxedSqlQuery<'static, DB, diesel::query_builder::SqlQuery>
    where
        DB: diesel::backend::Backend + diesel::sql_types::HasSqlType<BigInt>,
        DB: diesel::sql_types::HasSqlType<Text> + diesel::sql_types::HasSqlType<Timestamp>,
        i64: diesel::serialize::ToSql<BigInt, DB>,
        String: diesel::serialize::ToSql<Text, DB>,
        NaiveDateTime: diesel::serialize::ToSql<Timestamp, DB>,
    {
        let mut query = diesel::sql_query(self.text.clone()).into_boxed::<DB>();
        for value in &self.values {
            query = match value.clone() {
                Value::Int(v) => query.bind::<BigInt, _>(v),
                Value::Text(v) => query.bind::<Text, _>(v),
                Value::Time(v) => query.bind::<Timestamp, _>(v),
            };
        }
        query
    }

    /// Run the statement and read its rows.
    pub fn load<T>(&self, conn: &mut DbConn) -> QueryResult<Vec<T>>
    where
        T: QueryableByName<Sqlite> + QueryableByName<Pg> + 'static,
    {
        match conn {
            DbConn::Sqlite(c) => self.boxed::<Sqlite>().load(c),
            DbConn::Pg(c) => self.boxed::<Pg>().load(c),
        }
    }

    /// Run the statement; answers the number of rows it changed.
    pub fn execute(&self, conn: &mut DbConn) -> QueryResult<usize> {
        match conn {
            DbConn::Sqlite(c) => self.boxed::<Sqlite>().execute(c),
            DbConn::Pg(c) => self.boxed::<Pg>().execute(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_become_numbered_placeholders_of_the_backend() {
        for (backend, expected) in [
            (Backend::Sqlite, "SELECT ?1 WHERE x IN (?2, ?3) AND y IN (NULL) AND z = ?1"),
            (Backend::Postgres, "SELECT $1 WHERE x IN ($2, $3) AND y IN (NULL) AND z = $1"),
        ] {
            let mut sql = Sql::new(backend);
            sql.push("SELECT ");
            let first = sql.bind(Value::Text("'; DROP TABLE users; --".into()));
            sql.push(" WHERE x IN ").bind_list([1, 2]).push(" AND y IN ").bind_list([]);
            sql.push(" AND z = ").push(&first);
            assert_eq!(sql.text(), expected);
            assert_eq!(sql.values.len(), 3);
        }
    }
}
