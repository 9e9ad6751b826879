//! One small function per route: JSON in, a flow call, JSON out.

pub mod accounts;
pub mod appeals;
pub mod contact;
pub mod deletion;
pub mod operator;
pub mod passkeys;
pub mod password;
pub mod security;
pub mod sessions;
pub mod sms_codes;
pub mod sub_accounts;
pub mod verification;
