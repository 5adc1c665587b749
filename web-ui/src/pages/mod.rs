//! One module per screen.

pub mod account;
pub mod admin;
pub mod audit;
pub mod calendar;
pub mod documents;
pub mod inbox;
pub mod intake;
pub mod login;
pub mod new;
pub mod overview;
pub mod register;
pub mod reports;
pub mod search;
pub mod transaction;
