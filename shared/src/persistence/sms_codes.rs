//! One-time SMS codes: the live code per phone and purpose, stored as a
//! salted hash with its count of wrong tries.

use super::{Changes, Conflict, Expiry, Records, Stored, item, keys};
use crate::domain::records::SmsCodeRecord;
use crate::domain::sms_code::SmsPurpose;
use crate::store::{Cond, StoreError};

impl Records<'_> {
    /// The live code for `phone` and `purpose`.
    pub async fn sms_code(
        &self,
        phone: &str,
        purpose: SmsPurpose,
    ) -> Result<Option<Stored<SmsCodeRecord>>, StoreError> {
        self.read(keys::sms_code(phone, purpose)).await
    }
}

impl Changes {
    /// `code` as the live code for `phone` and `purpose` until
    /// `expires_at`, replacing any other.
    pub fn replace_sms_code(
        &mut self,
        phone: &str,
        purpose: SmsPurpose,
        code: &SmsCodeRecord,
        expires_at: i64,
    ) -> &mut Self {
        self.overwrite(item(keys::sms_code(phone, purpose), code, Some(expires_at)))
    }

    /// `stored` with its tries counted as in `code`, unless it was used or
    /// replaced meanwhile ([`Conflict::SmsCodeChanged`]).
    pub fn count_sms_try(&mut self, stored: &Stored<SmsCodeRecord>, code: &SmsCodeRecord) -> &mut Self {
        self.replace(stored, code, Expiry::Keep, Conflict::SmsCodeChanged)
    }

    /// The code `stored` used up, exactly once ([`Conflict::SmsCodeChanged`]
    /// when it was used or replaced meanwhile).
    pub fn consume_sms_code(&mut self, stored: &Stored<SmsCodeRecord>) -> &mut Self {
        self.delete(stored.key.clone(), Cond::Version(stored.version), Conflict::SmsCodeChanged)
    }

    /// Every code for `phone` gone.
    pub fn delete_sms_codes(&mut self, phone: &str) -> &mut Self {
        for purpose in SmsPurpose::ALL {
            self.remove(keys::sms_code(phone, *purpose));
        }
        self
    }
}
