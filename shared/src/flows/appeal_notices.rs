//! How an appeal reaches the account's owner: the cancel links, and the
//! email and SMS that carry them.

use super::FlowError;
use super::accounts::{LinkPage, load, page_link, send_email_to};
use super::sms_codes;
use crate::app::App;
use crate::domain::records::{Appeal, CancelLink};
use crate::domain::secret_token;
use crate::domain::sms_code::SmsPurpose;
use crate::domain::{Account, AccountKind, AccountStatus};
use crate::notify::templates::{Template, Var};
use crate::persistence::Stored;

/// How long each of the owner's cancel links is valid.
pub const CANCEL_LINK_SECS: i64 = 7 * 86_400;

/// Whether an appeal may recover `account`: an existing primary account.
pub fn is_recoverable(account: &Account) -> bool {
    account.kind == AccountKind::Primary && account.status != AccountStatus::Deleting
}

/// A new cancel link for the owner, kept (as its hash) on `appeal`.
pub fn mint_cancel_link(app: &App, appeal: &mut Appeal) -> String {
    let minted = secret_token::mint(&appeal.appeal_id, app.random.as_ref());
    appeal.cancel_links.push(CancelLink { hash: minted.hash, expires_at: app.clock.now() + CANCEL_LINK_SECS });
    page_link(app, LinkPage::CancelAppeal, &minted.token)
}

/// Tells the account's owner of an appeal naming it, by email and SMS
/// (purpose `notice`, never refused: past a limit it is skipped), with
/// `cancel_link`; neither names the contact email.
pub async fn tell_owner(app: &App, account: &Account, template: Template, cancel_link: &str, vars: &[(Var, &str)]) {
    let mut all = vec![(Var::Link, cancel_link)];
    all.extend_from_slice(vars);
    send_email_to(app, &account.email, account, template, account.language, &all).await;
    let approved = template == Template::AppealHold;
    let sms = sms_codes::SmsContent::AppealNotice { approved, cancel_link: cancel_link.to_owned() };
    text_phone(app, account, sms).await;
}

/// Texts the account's phone, within the SMS limits; a refusal there is
/// logged, not returned (a notice never holds back what it tells of).
pub async fn text_phone(app: &App, account: &Account, content: sms_codes::SmsContent) {
    let Some(phone) = &account.phone else { return };
    let about = Some(&account.account_id);
    if let Err(e) =
        sms_codes::send_within_limits(app, phone, SmsPurpose::Notice, content, about, account.language).await
    {
        tracing::warn!(error = %e, "appeal notice SMS not sent");
    }
}

/// The existing primary account an appeal names, if any, as read.
pub async fn reviewable_account(app: &App, appeal: &Appeal) -> Result<Option<Stored<Account>>, FlowError> {
    let Some(account_id) = &appeal.account_id else { return Ok(None) };
    let stored = load(app, account_id).await?;
    Ok(stored.filter(|s| is_recoverable(&s.record)))
}
