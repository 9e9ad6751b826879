//! Email templates are files under `shared/templates/` (`NAME.LANG.txt` whose
//! first line is `Subject: …`, and `NAME.LANG.html`), compiled into the
//! binary. Placeholders are `{{name}}`; values are HTML-escaped in the HTML
//! part.

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
}

macro_rules! template_files {
    ($name:literal) => {
        [
            (
                include_str!(concat!("../../templates/", $name, ".en.txt")),
                include_str!(concat!("../../templates/", $name, ".en.html")),
            ),
            (
                include_str!(concat!("../../templates/", $name, ".zh-CN.txt")),
                include_str!(concat!("../../templates/", $name, ".zh-CN.html")),
            ),
        ]
    };
}

/// Each template's name: the stem of its files under `shared/templates/`
/// and the purpose its messages carry (a tag on the email, the detail of
/// `email_sent` on the account's trail).
macro_rules! templates {
    ($($variant:ident => $name:literal),* $(,)?) => {
        impl Template {
            /// The template's name (`invitation`, `reset_password`, …).
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }

            fn files(self, lang: Lang) -> (&'static str, &'static str) {
                let [en, zh] = match self {
                    $(Self::$variant => template_files!($name),)*
                };
                if lang == Lang::ZhCn { zh } else { en }
            }
        }
    };
}

templates!(
    Invitation => "invitation",
    ResetPassword => "reset_password",
    PasswordChanged => "password_changed",
    VerificationApproved => "verification_approved",
    VerificationRejected => "verification_rejected",
    DeletionRequested => "deletion_requested",
    DeletionRejected => "deletion_rejected",
    AccountDeleted => "account_deleted",
    SignUpDeclined => "sign_up_declined",
    ResetDeclined => "reset_declined",
    LoginLocked => "login_locked",
    SignInSuspended => "sign_in_suspended",
    SignInNotice => "sign_in_notice",
    MfaEnabled => "mfa_enabled",
    MfaDisabled => "mfa_disabled",
    EmailChangeConfirm => "email_change_confirm",
    EmailChangeRequested => "email_change_requested",
    EmailChanged => "email_changed",
    PhoneChanged => "phone_changed",
    UsernameReminder => "username_reminder",
    AccountSuspended => "account_suspended",
    AppealConfirm => "appeal_confirm",
    AppealNotice => "appeal_notice",
    AppealHold => "appeal_hold",
    AppealApproved => "appeal_approved",
    AppealRejected => "appeal_rejected",
    RecoveryCodesReplaced => "recovery_codes_replaced",
    PasskeyAdded => "passkey_added",
    PasskeyRemoved => "passkey_removed",
    PasskeyCloned => "passkey_cloned",
);

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn fill(template: &str, vars: &[(&str, &str)], escape: bool) -> String {
    vars.iter().fold(template.to_owned(), |out, (name, value)| {
        let value = if escape { escape_html(value) } else { (*value).to_owned() };
        out.replace(&format!("{{{{{name}}}}}"), &value)
    })
}

/// Renders `template` in `lang` for `to` with `vars`.
pub fn render(template: Template, lang: Lang, to: &str, vars: &[(&str, &str)]) -> EmailMessage {
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
        let all = [
            Template::Invitation,
            Template::ResetPassword,
            Template::PasswordChanged,
            Template::VerificationApproved,
            Template::VerificationRejected,
            Template::DeletionRequested,
            Template::DeletionRejected,
            Template::AccountDeleted,
            Template::SignUpDeclined,
            Template::ResetDeclined,
            Template::LoginLocked,
            Template::SignInSuspended,
            Template::SignInNotice,
            Template::MfaEnabled,
            Template::MfaDisabled,
            Template::EmailChangeConfirm,
            Template::EmailChangeRequested,
            Template::EmailChanged,
            Template::PhoneChanged,
            Template::UsernameReminder,
            Template::AccountSuspended,
            Template::AppealConfirm,
            Template::AppealNotice,
            Template::AppealHold,
            Template::AppealApproved,
            Template::AppealRejected,
            Template::RecoveryCodesReplaced,
            Template::PasskeyAdded,
            Template::PasskeyRemoved,
            Template::PasskeyCloned,
        ];
        for template in all {
            for lang in [Lang::En, Lang::ZhCn] {
                let vars = [
                    ("username", "alice"),
                    ("link", "https://x.test/?token=t"),
                    ("reason", "blurry"),
                    ("phone", "+86 138****8000"),
                    ("time", "2026-11-27T17:00:00Z"),
                    ("network", "203.0.113.0/24"),
                    ("user_agent", "Firefox"),
                    ("new_email", "new@example.com"),
                    ("old_email", "old@example.com"),
                    ("effective_at", "2026-11-30T17:00:00Z"),
                    ("security_url", "https://x.test/account#security"),
                    ("name", "Laptop"),
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
            let vars = [("username", "alice"), ("link", link), ("phone", "+86 138****8000")];
            let mail = render(Template::Invitation, lang, "a@example.com", &vars);
            assert!(!mail.subject.is_empty() && !mail.subject.contains("{{"));
            assert!(mail.text.contains(link), "{}", mail.text);
            assert!(mail.html.contains("token=a.b&amp;c=&lt;d&gt;"), "{}", mail.html);
            assert!(!mail.text.contains("{{") && !mail.html.contains("{{"));
        }
    }
}
