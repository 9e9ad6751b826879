//! Pure domain types and rules: each value is parsed once, at the edge, into a
//! type that is valid everywhere after ("parse, don't validate").

pub mod account;
pub mod code;
pub mod devices;
pub mod email;
pub mod identity;
pub mod ids;
pub mod login;
pub mod network;
pub mod password_hash;
pub mod password_policy;
pub mod phone;
pub mod phone_book;
pub mod records;
pub mod refusal;
pub mod secret_token;
pub mod sms_code;
pub mod sub_account_policy;
pub mod totp;
pub mod username;

#[cfg(test)]
mod properties;

pub use account::{Account, AccountKind, AccountStatus};
pub use code::Code;
pub use email::Email;
pub use ids::{
    AccountId, AppealId, ChallengeId, DeviceId, MaterialId, PasskeyId, RegistrationId, RequestId, SessionId,
};
pub use login::LoginName;
pub use phone::Phone;
pub use refusal::{Input, Refusal};
pub use username::Username;
