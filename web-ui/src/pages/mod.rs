//! One module per screen.

pub mod inbox;
pub mod login;
pub mod register;
pub mod transaction;
