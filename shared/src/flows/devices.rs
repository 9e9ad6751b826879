//! The account's remembered devices, as its owner sees and forgets them
//! in the account centre (`domain::devices` keeps them on the account).

use super::audit::{self, Actor, AuditEvent, Detail};
use super::authentication::Authenticated;
use super::lockout::Reauthenticated;
use super::{Committed, FlowError, Race};
use crate::app::App;
use crate::domain::devices::RememberedDevice;
use crate::domain::{Code, DeviceId};
use crate::persistence::{Changes, Conflict};

/// The live remembered devices, most recently used first (of two used in
/// the same second, the one remembered later: the account keeps them in
/// the order remembered, and the sort is stable).
pub fn list(app: &App, current: &Authenticated) -> Vec<RememberedDevice> {
    let mut devices: Vec<RememberedDevice> = current.account.live_devices(app.clock.now()).cloned().collect();
    devices.reverse();
    devices.sort_by_key(|device| std::cmp::Reverse(device.last_used_at));
    devices
}

/// Forgets the device `device_id` (`404 device_not_found` if there is no
/// such live device), or every device when `None`.
pub async fn forget(app: &App, current: &Authenticated, device_id: Option<&DeviceId>) -> Result<(), FlowError> {
    for _ in 0..3 {
        let checked = Reauthenticated::session_only(app, current).await?;
        let mut account = checked.account();
        let now = app.clock.now();
        let before = account.live_devices(now).count();
        match device_id {
            Some(id) if account.live_devices(now).any(|d| &d.device_id == id) => {
                account.devices.retain(|d| &d.device_id != id);
            }
            Some(_) => return Err(FlowError::NotFound(Code::DeviceNotFound)),
            None => account.forget_devices(),
        }
        if account == checked.account() {
            return Ok(());
        }
        let forgotten = before - account.live_devices(now).count();
        let mut changes = Changes::new();
        checked.write(&mut changes, &account);
        if forgotten > 0 {
            let detail = Some(Detail::Devices(forgotten));
            audit::add(app, &mut changes, &account.account_id, AuditEvent::DevicesForgotten, Actor::Customer, detail);
        }
        // A sign-in used a device meanwhile: read again.
        if app.records().commit(changes).await.unless_lost(Race::On(Conflict::AccountChanged))? {
            return Ok(());
        }
    }
    Err(FlowError::Unavailable("account contention".into()))
}
