//! Email templates are files under `shared/templates/`, one a template
//! (`NAME.email`) holding its four parts, each after a line `--- PART`:
//! `en.txt` (whose first line is `Subject: …`), `en.html`, `zh-CN.txt` and
//! `zh-CN.html`. They are compiled into the binary. Placeholders are
//! `{{name}}`; values are HTML-escaped in the HTML part.

use super::EmailMessage;
use crate::i18n::Lang;

/// The emails the service sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// Invitation with the initial-password link.
    Invitation,
    /// A password-reset link.
    ResetPassword,
    /// Notice that the password changed and other sessions ended.
    PasswordChanged,
    /// Real-name verification approved.
    VerificationApproved,
    /// Real-name verification rejected, with `{{reason}}`.
    VerificationRejected,
    /// A deletion request was received.
    DeletionRequested,
    /// A deletion request was rejected.
    DeletionRejected,
    /// The account was deleted.
    AccountDeleted,
    /// A pending account was erased through "this is not my sign-up".
    SignUpDeclined,
    /// A reset link was voided through "I did not ask for this".
    ResetDeclined,
    /// A login name of the account was locked (first lock in 24 hours).
    LoginLocked,
    /// 100 consecutive failures suspended password sign-in until a reset.
    SignInSuspended,
    /// A sign-in from a client not seen in 30 days: `{{time}}`,
    /// `{{network}}`, `{{user_agent}}`, and the account centre's
    /// `{{security_url}}` (as every passkey notice).
    SignInNotice,
    /// Two-factor sign-in was turned on.
    MfaEnabled,
    /// Two-factor sign-in was turned off.
    MfaDisabled,
    /// To the new address: the confirmation `{{link}}`.
    EmailChangeConfirm,
    /// To the current address: a change to `{{new_email}}` was asked for.
    EmailChangeRequested,
    /// To both addresses: `{{old_email}}` became `{{new_email}}`.
    EmailChanged,
    /// The phone changed to `{{phone}}` (masked).
    PhoneChanged,
    /// A forgotten `{{username}}`.
    UsernameReminder,
    /// An operator suspended the account.
    AccountSuspended,
    /// To an appeal's contact email: the confirmation `{{link}}`.
    AppealConfirm,
    /// To the account's email: an appeal naming it was confirmed; the
    /// owner's cancel `{{link}}`.
    AppealNotice,
    /// To the account's email: an appeal was approved and takes effect at
    /// `{{effective_at}}`; the owner's cancel `{{link}}`.
    AppealHold,
    /// To the account's old email: an appeal took effect and set
    /// `{{new_email}}`.
    AppealApproved,
    /// To an appeal's contact email: it was rejected.
    AppealRejected,
    /// The recovery codes were replaced.
    RecoveryCodesReplaced,
    /// A passkey `{{name}}` was added.
    PasskeyAdded,
    /// The passkey `{{name}}` was removed.
    PasskeyRemoved,
    /// A sign-in with the passkey `{{name}}` was refused: its signature
    /// counter went backwards (a cloned authenticator?).
    PasskeyCloned,
    /// To a sub-account: its primary account disabled it.
    SubAccountDisabled,
    /// To a sub-account: its primary account enabled it again.
    SubAccountEnabled,
    /// To a primary account: its sub-account `{{sub_account}}` was removed.
    SubAccountRemoved,
    /// To a primary account: its sub-accounts' policy changed at `{{time}}`.
    SubAccountPolicyChanged,
    /// A new device's sign-in code `{{code}}`, with the device's
    /// `{{network}}` and `{{user_agent}}`.
    NewDeviceCode,
    /// The password signed in with is breached: the reset `{{link}}`.
    PasswordBreached,
}

/// A value an email template takes: `{{name}}` in its files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Var {
    /// The account's username.
    Username,
    /// The link the email carries (set a password, confirm, cancel).
    Link,
    /// A phone number, masked.
    Phone,
    /// An operator's reason.
    Reason,
    /// When something happened (RFC 3339).
    Time,
    /// A client's network.
    Network,
    /// A client's user agent.
    UserAgent,
    /// The new email address.
    NewEmail,
    /// The old email address.
    OldEmail,
    /// When an approved appeal takes effect.
    EffectiveAt,
    /// The account centre's security section.
    SecurityUrl,
    /// A passkey's name.
    Name,
    /// A sub-account's username (in its primary account's email).
    SubAccount,
    /// A one-time code.
    Code,
}

impl Var {
    /// Its placeholder's name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Username => "username",
            Self::Link => "link",
            Self::Phone => "phone",
            Self::Reason => "reason",
            Self::Time => "time",
            Self::Network => "network",
            Self::UserAgent => "user_agent",
            Self::NewEmail => "new_email",
            Self::OldEmail => "old_email",
            Self::EffectiveAt => "effective_at",
            Self::SecurityUrl => "security_url",
            Self::Name => "name",
            Self::SubAccount => "sub_account",
            Self::Code => "code",
        }
    }
}

macro_rules! template_file {
    ($name:literal) => {
        include_str!(concat!("../../templates/", $name, ".email"))
    };
}

/// The part `name` (`en.txt`, …) of a template file: the lines after its
/// `--- name` line, up to the next part's. Empty if it has none (a test
/// holds every file to all four).
fn part(file: &'static str, name: &str) -> &'static str {
    let marker = format!("--- {name}\n");
    let start = if file.starts_with(&marker) { Some(0) } else { file.find(&format!("\n{marker}")).map(|i| i + 1) };
    let Some(start) = start.map(|i| i + marker.len()) else { return "" };
    let rest = &file[start..];
    let end = rest.find("\n--- ").map_or(rest.len(), |i| i + 1);
    &rest[..end]
}

/// Each template's name (the stem of its files under `shared/templates/`
/// and the purpose its messages carry: a tag on the email, the detail of
/// `email_sent` on the account's trail) and the values it takes.
macro_rules! templates {
    ($($variant:ident => $name:literal [$($var:ident),*]),* $(,)?) => {
        impl Template {
            /// Every template.
            pub const ALL: &[Template] = &[$(Self::$variant),*];

            /// The template's name (`invitation`, `reset_password`, …).
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }

            /// The values it takes: the placeholders of its files.
            pub fn vars(self) -> &'static [Var] {
                match self {
                    $(Self::$variant => &[$(Var::$var),*],)*
                }
            }

            fn files(self, lang: Lang) -> (&'static str, &'static str) {
                let file = match self {
                    $(Self::$variant => template_file!($name),)*
                };
                let tag = if lang == Lang::ZhCn { "zh-CN" } else { "en" };
                (part(file, &format!("{tag}.txt")), part(file, &format!("{tag}.html")))
            }
        }
    };
}

templates!(
    Invitation => "invitation" [Username, Link, Phone],
    ResetPassword => "reset_password" [Username, Link],
    PasswordChanged => "password_changed" [Username],
    VerificationApproved => "verification_approved" [Username],
    VerificationRejected => "verification_rejected" [Username, Reason],
    DeletionRequested => "deletion_requested" [Username],
    DeletionRejected => "deletion_rejected" [Username],
    AccountDeleted => "account_deleted" [Username],
    SignUpDeclined => "sign_up_declined" [Username],
    ResetDeclined => "reset_declined" [Username],
    LoginLocked => "login_locked" [Username],
    SignInSuspended => "sign_in_suspended" [Username],
    SignInNotice => "sign_in_notice" [Username, Time, Network, UserAgent, SecurityUrl],
    MfaEnabled => "mfa_enabled" [Username],
    MfaDisabled => "mfa_disabled" [Username],
    EmailChangeConfirm => "email_change_confirm" [Username, Link],
    EmailChangeRequested => "email_change_requested" [Username, NewEmail],
    EmailChanged => "email_changed" [Username, OldEmail, NewEmail],
    PhoneChanged => "phone_changed" [Username, Phone],
    UsernameReminder => "username_reminder" [Username],
    AccountSuspended => "account_suspended" [Username],
    AppealConfirm => "appeal_confirm" [Link],
    AppealNotice => "appeal_notice" [Username, Link],
    AppealHold => "appeal_hold" [Username, Link, EffectiveAt],
    AppealApproved => "appeal_approved" [Username, NewEmail],
    AppealRejected => "appeal_rejected" [],
    RecoveryCodesReplaced => "recovery_codes_replaced" [Username],
    PasskeyAdded => "passkey_added" [Username, Name, SecurityUrl],
    PasskeyRemoved => "passkey_removed" [Username, Name, SecurityUrl],
    PasskeyCloned => "passkey_cloned" [Username, Name, SecurityUrl],
    SubAccountDisabled => "sub_account_disabled" [Username],
    SubAccountEnabled => "sub_account_enabled" [Username],
    SubAccountRemoved => "sub_account_removed" [Username, SubAccount, SecurityUrl],
    SubAccountPolicyChanged => "sub_account_policy_changed" [Username, Time, SecurityUrl],
    NewDeviceCode => "new_device_code" [Username, Code, Network, UserAgent],
    PasswordBreached => "password_breached" [Username, Link],
);

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn fill(template: &str, vars: &[(Var, &str)], escape: bool) -> String {
    vars.iter().fold(template.to_owned(), |out, (var, value)| {
        let value = if escape { escape_html(value) } else { (*value).to_owned() };
        out.replace(&format!("{{{{{}}}}}", var.name()), &value)
    })
}

/// Renders `template` in `lang` for `to` with `vars` (every one it takes:
/// a missing value is a bug, caught by the tests' debug builds).
pub fn render(template: Template, lang: Lang, to: &str, vars: &[(Var, &str)]) -> EmailMessage {
    debug_assert!(
        template.vars().iter().all(|needed| vars.iter().any(|(given, _)| given == needed)),
        "{template:?} takes {:?}",
        template.vars()
    );
    let (text, html) = template.files(lang);
    let (subject_line, body) = text.split_once('\n').unwrap_or((text, ""));
    let subject = subject_line.trim_start_matches("Subject:").trim();
    EmailMessage {
        to: to.to_owned(),
        subject: fill(subject, vars, false),
        text: fill(body.trim_start(), vars, false),
        html: fill(html, vars, true),
        tags: super::MessageTags { account_id: None, purpose: template.name().to_owned() },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_renders_without_placeholders_left() {
        for &template in Template::ALL {
            for lang in [Lang::En, Lang::ZhCn] {
                let vars = [
                    (Var::Username, "alice"),
                    (Var::Link, "https://x.test/?token=t"),
                    (Var::Reason, "blurry"),
                    (Var::Phone, "+86 138****8000"),
                    (Var::Time, "2026-11-27T17:00:00Z"),
                    (Var::Network, "203.0.113.0/24"),
                    (Var::UserAgent, "Firefox"),
                    (Var::NewEmail, "new@example.com"),
                    (Var::OldEmail, "old@example.com"),
                    (Var::EffectiveAt, "2026-11-30T17:00:00Z"),
                    (Var::SecurityUrl, "https://x.test/account#security"),
                    (Var::Name, "Laptop"),
                    (Var::SubAccount, "bobdev"),
                    (Var::Code, "123456"),
                ];
                let mail = render(template, lang, "a@example.com", &vars);
                assert!(!mail.subject.is_empty(), "{template:?} {lang:?}");
                // Mail to an appeal's contact address names no account.
                let addressed = !matches!(template, Template::AppealConfirm | Template::AppealRejected);
                assert!(!addressed || (mail.text.contains("alice") && mail.html.contains("alice")));
                for part in [&mail.subject, &mail.text, &mail.html] {
                    assert!(!part.contains("{{"), "{template:?} {lang:?}: {part}");
                }
            }
        }
    }

    #[test]
    fn renders_both_parts_in_both_languages() {
        for lang in [Lang::En, Lang::ZhCn] {
            let link = "https://x.test/set-password?token=a.b&c=<d>";
            let vars = [(Var::Username, "alice"), (Var::Link, link), (Var::Phone, "+86 138****8000")];
            let mail = render(Template::Invitation, lang, "a@example.com", &vars);
            assert!(!mail.subject.is_empty() && !mail.subject.contains("{{"));
            assert!(mail.text.contains(link), "{}", mail.text);
            assert!(mail.html.contains("token=a.b&amp;c=&lt;d&gt;"), "{}", mail.html);
            assert!(!mail.text.contains("{{") && !mail.html.contains("{{"));
        }
    }

    #[test]
    fn every_template_takes_exactly_the_values_its_files_use() {
        for &template in Template::ALL {
            let declared: std::collections::BTreeSet<&str> = template.vars().iter().map(|v| v.name()).collect();
            for lang in [Lang::En, Lang::ZhCn] {
                let (text, html) = template.files(lang);
                for part in [text, html] {
                    let used: std::collections::BTreeSet<&str> = part
                        .split("{{")
                        .skip(1)
                        .filter_map(|rest| rest.split_once("}}").map(|(name, _)| name))
                        .collect();
                    assert_eq!(used, declared, "{template:?} {lang:?}");
                }
            }
        }
    }

    #[test]
    fn every_template_file_has_its_four_parts() {
        for &template in Template::ALL {
            for lang in [Lang::En, Lang::ZhCn] {
                let (text, html) = template.files(lang);
                assert!(text.starts_with("Subject: "), "{template:?} {lang:?}");
                assert!(html.contains("<html") && !html.contains("\n--- "), "{template:?} {lang:?}");
            }
        }
    }
}
