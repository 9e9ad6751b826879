//! The records the table holds, as the flows read and write them. Their
//! keys and item shapes are the persistence layer's (`persistence`); the
//! account itself is in `domain::account`.

mod accounts;
mod appeals;
mod audit;
mod deletion;
mod sign_in;
mod verification;

pub use accounts::*;
pub use appeals::*;
pub use audit::*;
pub use deletion::*;
pub use sign_in::*;
pub use verification::*;
