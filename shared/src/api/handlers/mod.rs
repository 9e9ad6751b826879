//! One small function per route: JSON in, a flow call, JSON out.

pub mod appeals;
pub mod change_password;
pub mod contact_details;
pub mod deletion;
pub mod forgot_password;
pub mod operator;
pub mod passkeys;
pub mod security;
pub mod sessions;
pub mod set_password;
pub mod sign_up;
pub mod sms_codes;
pub mod sub_accounts;
pub mod verification;
