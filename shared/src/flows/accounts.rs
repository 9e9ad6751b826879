//! Account pieces several flows share: loading, inserting a new account
//! with its uniqueness guards, the password link and emails.

use std::time::{Duration, Instant};

use super::FlowError;
use super::audit::{self, AuditEvent};
use crate::app::App;
use crate::breach::Verdict;
use crate::domain::account::{LinkPurpose, PasswordLink};
use crate::domain::password_policy::NewPassword;
use crate::domain::phone::mask_phone;
use crate::domain::records::Detail;
use crate::domain::{Account, AccountId, Code, Email, Input, LoginName, Refusal, secret_token};
use crate::i18n::Lang;
use crate::metrics::Metric;
use crate::notify::EmailMessage;
use crate::notify::templates::{self, Template, Var};
use crate::persistence::{Changes, Conflict, Limit, NotCommitted, Stored};
use secrecy::{ExposeSecret, SecretString};

/// How long a password link is valid, in seconds.
pub const LINK_TTL_SECS: i64 = 3600;

/// Loads an account by id.
pub async fn load(app: &App, account_id: &AccountId) -> Result<Option<Stored<Account>>, FlowError> {
    Ok(app.records().account(account_id).await?)
}

/// The password `password` for the account `username` as the configured
/// policy takes it; each failing rule is a refusal of `input`.
pub fn accept_password(
    app: &App,
    password: &SecretString,
    username: &str,
    input: Input,
) -> Result<NewPassword, FlowError> {
    app.config
        .password_policy
        .check(password, username)
        .map_err(|codes| FlowError::Validation(codes.into_iter().map(|c| Refusal::new(input, c)).collect()))
}

/// Refuses a new password the breached-password list knows
/// (`password_breached` on `input`). A list that cannot be asked refuses
/// nothing: the check is skipped and counted.
pub async fn refuse_breached(app: &App, password: &SecretString, input: Input) -> Result<(), FlowError> {
    match app.breach.verdict(password).await {
        Verdict::Breached => Err(FlowError::refused(input, Code::PasswordBreached)),
        Verdict::NotFound => Ok(()),
        Verdict::Unknown => {
            app.count(Metric::BreachCheckSkipped);
            Ok(())
        }
    }
}

/// `work`'s result, no sooner than `duration` after it started.
pub async fn at_least<T>(duration: Duration, work: impl Future<Output = T>) -> T {
    let started = Instant::now();
    let result = work.await;
    // A timer, even for a deadline already past, waits for the next tick.
    if let Some(remaining) = duration.checked_sub(started.elapsed()) {
        tokio::time::sleep(remaining).await;
    }
    result
}

/// Finds the account, reading as much when there is none.
pub async fn find_equalised(app: &App, login: &LoginName) -> Result<Option<Stored<Account>>, FlowError> {
    let found = app.records().account_by_login(login).await?;
    if found.is_none() {
        // A known login costs two reads (guard, profile); so does an unknown.
        let nobody = AccountId::parse(&"0".repeat(32)).expect("32 hex digits");
        let _ = load(app, &nobody).await?;
    }
    Ok(found)
}

/// Forgot-password requests per login name (as typed) per hour.
const NAME_HOURLY_LIMIT: u64 = 5;

/// Counts a request that sends a message to a login's email or phone
/// (forgot-password and forgot-username share them) against the client
/// IP's and the login name's hourly limits.
pub async fn count_login_messages(app: &App, login: &LoginName, client_ip: &str) -> Result<(), FlowError> {
    let now = app.clock.now();
    let ip_limit = app.config.limits.forgot_per_ip_hour;
    for (limit, allowed) in
        [(Limit::ForgotPerIp(client_ip), ip_limit), (Limit::ForgotPerName(login.canonical()), NAME_HOURLY_LIMIT)]
    {
        let counter = app.counters().count(limit, now + 3600).await?;
        if counter.count > allowed {
            return Err(FlowError::RateLimited {
                code: Code::RateLimited,
                retry_after: (counter.expires_at - now).max(1),
            });
        }
    }
    Ok(())
}

/// Why a new account was not written.
#[derive(Debug)]
pub enum NotInserted {
    /// Some of its username, email and phone are taken: a `409` naming each.
    Taken(Vec<Refusal>),
    /// A condition of the caller's own changes failed.
    Other(Vec<Conflict>),
    /// The store failed.
    Store(FlowError),
}

/// Writes a new, pending account with its uniqueness guards and the
/// caller's `extra` changes in one transaction.
pub async fn insert_account(app: &App, account: &Account, extra: Changes) -> Result<(), NotInserted> {
    let mut changes = Changes::new();
    changes.insert_account(account).extend(extra);
    let conflicts = match app.records().commit(changes).await {
        Ok(()) => return Ok(()),
        Err(NotCommitted::Conflict(conflicts)) => conflicts,
        Err(NotCommitted::Store(e)) => return Err(NotInserted::Store(e.into())),
    };
    let taken: Vec<Refusal> = conflicts
        .iter()
        .filter_map(|c| match c {
            Conflict::Taken(field) => Some(Refusal::new(field.input(), field.taken_code())),
            _ => None,
        })
        .collect();
    if taken.is_empty() { Err(NotInserted::Other(conflicts)) } else { Err(NotInserted::Taken(taken)) }
}

/// Mints a new password link on `account` (replacing any older one) and
/// returns the token to put in the email.
pub fn mint_link(app: &App, account: &mut Account, purpose: LinkPurpose) -> SecretString {
    let minted = secret_token::mint(&account.account_id, app.random.as_ref());
    account.link = Some(PasswordLink {
        hash: minted.hash,
        purpose,
        expires_at: app.clock.now() + LINK_TTL_SECS,
        phone_mismatches: 0,
    });
    minted.token
}

/// The pages an emailed link opens (`web/`), each with the link's token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPage {
    /// Activation and reset: `/set-password`.
    SetPassword,
    /// A new email's confirmation: `/confirm-email`.
    ConfirmEmail,
    /// An appeal's confirmation by its contact email: `/confirm-appeal`.
    ConfirmAppeal,
    /// The owner's cancelling of an appeal: `/cancel-appeal`.
    CancelAppeal,
}

/// The link to `page` carrying `token`.
pub fn page_link(app: &App, page: LinkPage, token: &SecretString) -> String {
    let path = match page {
        LinkPage::SetPassword => "set-password",
        LinkPage::ConfirmEmail => "confirm-email",
        LinkPage::ConfirmAppeal => "confirm-appeal",
        LinkPage::CancelAppeal => "cancel-appeal",
    };
    format!("{}/{path}?token={}", app.config.public_url.trim_end_matches('/'), token.expose_secret())
}

/// Emails `template` to the account in `lang`, with `link` if any. A
/// failure is logged, not returned: the state is already saved, and every
/// email here can be asked for again (docs/decisions/0024-lost-invitations-recovered.md).
pub async fn send_email(
    app: &App,
    account: &Account,
    template: Template,
    lang: Lang,
    link: Option<&SecretString>,
    extra: &[(Var, &str)],
) {
    let url = link.map(|token| page_link(app, LinkPage::SetPassword, token)).unwrap_or_default();
    let mut vars = vec![(Var::Link, url.as_str())];
    vars.extend_from_slice(extra);
    send_email_to(app, &account.email, account, template, lang, &vars).await;
}

/// Emails `template` about `account` to `to` (an address the account is
/// moving from or to), with `vars` and the username; the message, tagged
/// with the account, goes on its trail (`email_sent` or `email_failed`).
pub async fn send_email_to(
    app: &App,
    to: &Email,
    account: &Account,
    template: Template,
    lang: Lang,
    vars: &[(Var, &str)],
) {
    // Notices about the account's security link to its section.
    let security_url = format!("{}/account#security", app.config.public_url.trim_end_matches('/'));
    let mut all = vec![(Var::Username, account.username.as_str()), (Var::SecurityUrl, security_url.as_str())];
    all.extend_from_slice(vars);
    let mut message = templates::render(template, lang, to.as_str(), &all);
    message.tags.account_id = Some(account.account_id.to_string());
    let sent = deliver(app, message).await;
    if !sent {
        tracing::warn!(account_id = %account.account_id, ?template, "email not sent");
    }
    let event = if sent { AuditEvent::EmailSent } else { AuditEvent::EmailFailed };
    let message = Detail::Message { purpose: template.name().to_owned(), outcome: None };
    audit::note_message(app, &account.account_id, event, message).await;
}

/// Emails `template` to `to` with `vars`, naming no account (an appeal's
/// contact address). Whether it left; a failure is logged.
pub async fn send_email_about_nobody(
    app: &App,
    to: &Email,
    template: Template,
    lang: Lang,
    vars: &[(Var, &str)],
) -> bool {
    deliver(app, templates::render(template, lang, to.as_str(), vars)).await
}

/// Hands `message` to the mailer; whether it took it. Counted either way.
async fn deliver(app: &App, message: EmailMessage) -> bool {
    let purpose = message.tags.purpose.clone();
    match app.mailer.send_email(message).await {
        Ok(()) => {
            app.count(Metric::EmailSent);
            true
        }
        Err(e) => {
            app.count(Metric::EmailFailed);
            tracing::warn!(error = %e, purpose, "email not sent");
            false
        }
    }
}

/// Emails the initial-password invitation in the account's language, with
/// the masked phone the activation will ask for.
pub async fn send_invitation(app: &App, account: &Account, token: &SecretString) {
    let phone = account.phone.as_ref().map_or_else(|| "—".to_owned(), |p| mask_phone(p.as_str()));
    send_email(app, account, Template::Invitation, account.language, Some(token), &[(Var::Phone, &phone)]).await;
}
