//! The two languages (English and Simplified Chinese), chosen by
//! `Accept-Language`, and the texts of SMS. The texts of codes live with
//! the codes (`domain::code`).

use serde::{Deserialize, Serialize};

/// A supported language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Lang {
    /// English, the default.
    #[default]
    #[serde(rename = "en")]
    En,
    /// Simplified Chinese.
    #[serde(rename = "zh-CN")]
    ZhCn,
}

impl Lang {
    /// Picks the language from an `Accept-Language` header: Chinese when the
    /// most preferred range is `zh-CN` (or `zh`, `zh-Hans`), else English.
    pub fn from_accept_language(header: Option<&str>) -> Self {
        let Some(header) = header else {
            return Self::En;
        };
        let mut best: Option<(f32, &str)> = None;
        for range in header.split(',') {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or("").trim();
            let q = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if !tag.is_empty() && q > 0.0 && best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, tag));
            }
        }
        match best.map(|(_, tag)| tag.to_ascii_lowercase()) {
            Some(tag) if matches!(tag.as_str(), "zh-cn" | "zh" | "zh-hans" | "zh-hans-cn") => Self::ZhCn,
            _ => Self::En,
        }
    }

    /// The tag used for template files and `Content-Language`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::ZhCn => "zh-CN",
        }
    }

    /// Parses a stored tag; unknown tags fall back to English.
    pub fn from_tag(tag: &str) -> Self {
        if tag == "zh-CN" { Self::ZhCn } else { Self::En }
    }
}

/// The SMS carrying a one-time code.
pub fn sms_code_text(code: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Your verification code is {code}. It expires in 5 minutes. Never share it with anyone."),
        Lang::ZhCn => format!("您的验证码为 {code}，5 分钟内有效。请勿泄露给他人。"),
    }
}

/// The SMS text carrying a forgotten username.
pub fn sms_username_text(username: &str, lang: Lang) -> String {
    match lang {
        Lang::En => format!("Your username is {username}. If you did not ask for it, ignore this message."),
        Lang::ZhCn => format!("您的用户名为 {username}。如果您没有查询，请忽略本短信。"),
    }
}

/// The SMS telling an account's phone of a recovery appeal naming it
/// (confirmed, or approved and waiting out its hold), with the owner's
/// `cancel_link`. It never says who appealed.
pub fn sms_appeal_notice_text(approved: bool, cancel_link: &str, lang: Lang) -> String {
    match (lang, approved) {
        (Lang::En, false) => format!(
            "Someone asked to recover your account without its phone and email. Not you? Sign in, or cancel: {cancel_link}"
        ),
        (Lang::En, true) => format!(
            "A recovery of your account was approved and takes effect in a few days. Not you? Sign in, or cancel: {cancel_link}"
        ),
        (Lang::ZhCn, false) => {
            format!("有人申请在无手机、无邮箱的情况下找回您的账号。如非本人，请登录或取消：{cancel_link}")
        }
        (Lang::ZhCn, true) => {
            format!("您账号的找回申诉已获批准，将在数日后生效。如非本人，请登录或取消：{cancel_link}")
        }
    }
}

/// The SMS telling an account's phone that an appeal changed its email.
pub fn sms_appeal_text(lang: Lang) -> String {
    match lang {
        Lang::En => {
            "Your account's email was changed after a recovery appeal. If this was not you, contact us at once.".into()
        }
        Lang::ZhCn => "根据账号找回申诉，您账号的邮箱已被更换。如非本人操作，请立即联系我们。".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_chinese_only_for_simplified_chinese_first() {
        assert_eq!(Lang::from_accept_language(Some("zh-CN")), Lang::ZhCn);
        assert_eq!(Lang::from_accept_language(Some("zh-CN,zh;q=0.9,en;q=0.8")), Lang::ZhCn);
        assert_eq!(Lang::from_accept_language(Some("en-US,zh-CN;q=0.5")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("en;q=0.4, zh-cn")), Lang::ZhCn);
        assert_eq!(Lang::from_accept_language(Some("zh-TW")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("fr")), Lang::En);
        assert_eq!(Lang::from_accept_language(None), Lang::En);
    }
}
