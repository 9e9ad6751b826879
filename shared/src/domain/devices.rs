//! Remembered devices: a browser that passed the second step with
//! "remember this device" skips it for 30 days. They live on the account
//! item, so a sign-in judges them in the read it makes anyway, and a
//! credential change forgets them in the very write that makes it (the
//! remembered-device tokens that outlived password and 2FA resets in
//! vaultwarden's and nodewarden's 2026 advisories could not here).

use serde::{Deserialize, Serialize};

use super::secret_token::{self, MintedToken};
use super::{Account, AccountId, DeviceId};
use crate::random::Random;

/// How long a device stays remembered, in seconds.
pub const DEVICE_SECS: i64 = 30 * 86_400;
/// Devices remembered per account; remembering one more forgets the
/// least recently used.
pub const DEVICES_MAX: usize = 10;

/// One remembered device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RememberedDevice {
    /// Its public id.
    pub device_id: DeviceId,
    /// SHA-256 of its token's secret.
    pub hash: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds of the last sign-in it stood in for the second step.
    pub last_used_at: i64,
    /// Unix seconds; after it the device is forgotten.
    pub expires_at: i64,
    /// The browser's `User-Agent` when it was remembered.
    pub user_agent: String,
    /// The account's password epoch when it was remembered: a device never
    /// outlives the password it was remembered under.
    pub password_epoch: u64,
}

impl Account {
    /// Remembers a new device for `user_agent` at `now` (forgetting the
    /// expired ones and, past [`DEVICES_MAX`], the least recently used);
    /// returns the token for the client.
    pub fn remember_device(&mut self, user_agent: &str, now: i64, random: &dyn Random) -> MintedToken {
        let minted = secret_token::mint(&self.account_id, random);
        self.devices.retain(|device| self.password_epoch == device.password_epoch && device.expires_at > now);
        self.devices.sort_by_key(|device| std::cmp::Reverse(device.last_used_at));
        self.devices.truncate(DEVICES_MAX - 1);
        self.devices.push(RememberedDevice {
            device_id: DeviceId::new(random),
            hash: minted.hash.clone(),
            created_at: now,
            last_used_at: now,
            expires_at: now + DEVICE_SECS,
            user_agent: user_agent.to_owned(),
            password_epoch: self.password_epoch,
        });
        minted
    }

    /// The live device `token` names, if it was remembered for this
    /// account: another account's token, a truncated or padded one, an
    /// expired or forgotten device all find none (and are ignored, not
    /// refused).
    pub fn remembered_device(&self, token: &str, now: i64) -> Option<&RememberedDevice> {
        let presented = secret_token::parse::<AccountId>(token)?;
        if presented.id != self.account_id {
            return None;
        }
        self.live_devices(now).find(|device| secret_token::hashes_match(&device.hash, &presented.hash))
    }

    /// The devices that still count, at `now`.
    pub fn live_devices(&self, now: i64) -> impl Iterator<Item = &RememberedDevice> {
        self.devices.iter().filter(move |d| d.expires_at > now && d.password_epoch == self.password_epoch)
    }

    /// Marks the device `device_id` used at `now`.
    pub fn use_device(&mut self, device_id: &DeviceId, now: i64) {
        if let Some(device) = self.devices.iter_mut().find(|d| &d.device_id == device_id) {
            device.last_used_at = now;
        }
    }

    /// Forgets every remembered device: a credential changed (the
    /// password, TOTP, the recovery codes), or the account was suspended
    /// or disabled, or its owner asked.
    pub fn forget_devices(&mut self) {
        self.devices.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Email, Username};
    use crate::i18n::Lang;
    use crate::random::OsRandom;
    use secrecy::ExposeSecret;

    fn account() -> Account {
        let username = Username::parse("devices1").unwrap();
        let email = Email::parse("d@example.com").unwrap();
        Account::pending(AccountId::new(&OsRandom), username, email, None, Lang::En, 0)
    }

    #[test]
    fn a_device_counts_for_its_account_until_it_expires_or_the_password_changes() {
        let mut owner = account();
        let token = owner.remember_device("Firefox", 100, &OsRandom).token;
        let token = token.expose_secret();
        assert!(owner.remembered_device(token, 101).is_some());
        assert!(owner.remembered_device(token, 100 + DEVICE_SECS).is_none());
        let other = account();
        assert!(other.remembered_device(token, 101).is_none(), "another account's token");
        for mangled in [&token[..token.len() - 1], &format!("{token}A"), &format!(" {token}"), ""] {
            assert!(owner.remembered_device(mangled, 101).is_none(), "{mangled:?}");
        }
        owner.password_epoch += 1;
        assert!(owner.remembered_device(token, 101).is_none(), "a new password forgets it");
    }

    #[test]
    fn at_most_ten_are_remembered_and_the_least_recently_used_goes() {
        let mut owner = account();
        let first = owner.remember_device("first", 1, &OsRandom).token;
        let first_id = owner.devices[0].device_id.clone();
        owner.use_device(&first_id, 50);
        let second = owner.remember_device("second", 2, &OsRandom).token;
        for at in 3..=11 {
            owner.remember_device("more", at, &OsRandom);
        }
        assert_eq!(owner.devices.len(), DEVICES_MAX);
        assert!(owner.remembered_device(first.expose_secret(), 60).is_some(), "used lately: kept");
        assert!(owner.remembered_device(second.expose_secret(), 60).is_none(), "least recently used: gone");
    }
}
