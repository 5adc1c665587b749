//! The HTTP contract of Muamalat: every request and response body exchanged between the API server, the web UI
//! and external clients. Serde only — no diesel, no actix — so it compiles to wasm for the SPA. OpenAPI schema
//! derives sit behind the `openapi` feature, which only the server turns on.

pub mod audit;
pub mod auth;
pub mod calendar;
pub mod clients;
pub mod documents;
pub mod error;
pub mod limits;
pub mod org;
pub mod paging;
pub mod reports;
pub mod search;
pub mod text;
pub mod tracking;
pub mod transactions;
pub mod wire;

pub use audit::*;
pub use auth::*;
pub use calendar::*;
pub use clients::*;
pub use documents::*;
pub use error::*;
pub use org::*;
pub use paging::*;
pub use reports::*;
pub use search::*;
pub use tracking::*;
pub use transactions::*;
pub use wire::WireEnum;
