//! What a flow refuses, in the service's words: which input, and why. The
//! HTTP edge names the request field each input came in (`api::problem`),
//! so no flow knows a field's name.

use super::Code;

/// Something a customer gave that a flow can refuse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// The username asked for.
    Username,
    /// The email address given.
    Email,
    /// The new email address of a change.
    NewEmail,
    /// The phone number given.
    Phone,
    /// The code sent by SMS.
    SmsCode,
    /// The password being set (activation, reset).
    Password,
    /// The new password of a change (beside the current one).
    NewPassword,
    /// A TOTP or recovery code.
    SecondFactorCode,
    /// The list of a verification's materials.
    Materials,
    /// One material of that list, by its position.
    Material(usize),
    /// The passkey registration being finished.
    Registration,
    /// The browser's WebAuthn credential.
    Credential,
}

/// One refused input and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    /// What was refused.
    pub input: Input,
    /// Why, e.g. `sms_code_invalid`.
    pub code: Code,
}

impl Refusal {
    /// `input` refused with `code`.
    pub fn new(input: Input, code: Code) -> Self {
        Self { input, code }
    }
}
