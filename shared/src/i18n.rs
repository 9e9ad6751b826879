//! English and Simplified Chinese texts, chosen by `Accept-Language`.
//! Codes never change with the language; only titles and messages do.

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

/// `(code, English, Chinese)` for problem titles and field messages.
const TEXTS: &[(&str, &str, &str)] = &[
    // Problem titles.
    ("malformed_request", "The request body is not valid JSON of the expected shape.", "请求体不是预期格式的 JSON。"),
    ("unsupported_media_type", "Request bodies must be application/json.", "请求体必须是 application/json。"),
    ("payload_too_large", "The request body is larger than 64 KiB.", "请求体超过 64 KiB。"),
    ("validation_failed", "Some fields are not valid.", "部分字段无效。"),
    ("conflict", "Some values are already taken.", "部分信息已被占用。"),
    ("unauthenticated", "Sign in to continue.", "请先登录。"),
    ("invalid_credentials", "The login or password is not correct.", "账号或密码不正确。"),
    ("forbidden", "You are not allowed to do this.", "您无权执行此操作。"),
    (
        "csrf_header_missing",
        "Cookie-authenticated changes need the X-Requested-With header.",
        "使用 Cookie 认证的修改请求需要 X-Requested-With 请求头。",
    ),
    ("not_found", "Nothing is here.", "未找到资源。"),
    ("method_not_allowed", "This method is not allowed here.", "不支持此请求方法。"),
    (
        "invalid_link",
        "This link is not valid. It may have been used already or replaced by a newer one.",
        "链接无效，可能已被使用或已被更新的链接取代。",
    ),
    ("link_expired", "This link has expired. Request a new one.", "链接已过期，请重新获取。"),
    ("rate_limited", "Too many requests. Try again later.", "请求过于频繁，请稍后再试。"),
    ("too_many_attempts", "Too many failed attempts. Try again later.", "失败次数过多，请稍后再试。"),
    ("unavailable", "The service is busy. Try again shortly.", "服务繁忙，请稍后再试。"),
    ("internal", "Something went wrong on our side.", "服务器内部错误。"),
    // Field messages.
    ("required", "This field is required.", "此项为必填项。"),
    ("wrong_type", "This field has the wrong type.", "此项类型错误。"),
    ("too_long", "This value is too long.", "内容过长。"),
    (
        "username_format",
        "Use lowercase letters and digits, starting with a letter.",
        "用户名只能包含小写字母和数字，且以字母开头。",
    ),
    ("username_length", "Use 4 to 20 characters.", "用户名长度为 4–20 个字符。"),
    ("username_taken", "This username is taken.", "该用户名已被注册。"),
    ("email_format", "Enter a valid email address.", "请输入有效的邮箱地址。"),
    ("email_too_long", "This email address is too long.", "邮箱地址过长。"),
    ("email_taken", "This email address is already registered.", "该邮箱已被注册。"),
    (
        "phone_format",
        "Enter the number in international format, e.g. +8613800138000.",
        "请输入国际格式的手机号，例如 +8613800138000。",
    ),
    ("phone_invalid", "This is not a valid phone number.", "手机号无效。"),
    ("phone_not_mobile", "Enter a mobile number.", "请输入手机号码。"),
    ("phone_taken", "This phone number is already registered.", "该手机号已被注册。"),
    (
        "phone_region_not_supported",
        "We cannot send SMS to numbers of this region.",
        "暂不支持向该地区的手机号发送短信。",
    ),
    ("phone_mismatch", "The phone number is not the one this account signed up with.", "手机号与注册时填写的不一致。"),
    ("purpose_invalid", "Unknown purpose.", "未知用途。"),
    ("method_invalid", "Use email or sms.", "请选择 email 或 sms。"),
    ("email_or_phone", "Give an email or a phone, not both.", "请填写邮箱或手机号其中之一。"),
    ("invalid_code", "The code is wrong or already used.", "验证码错误或已被使用。"),
    ("mfa_enabled", "Two-factor sign-in is already on.", "两步验证已经开启。"),
    ("mfa_not_enabled", "Two-factor sign-in is not on.", "两步验证尚未开启。"),
    ("no_mfa_enrolment", "Start the authenticator set-up again.", "请重新开始设置身份验证器。"),
    ("session_not_found", "There is no such session.", "没有这个会话。"),
    ("account_suspended", "This account is suspended. Contact support.", "该账号已被冻结，请联系客服。"),
    ("limit_out_of_range", "Between 1 and 200.", "请填写 1 到 200 之间的数。"),
    ("appeal_not_found", "There is no such appeal.", "没有这个申诉。"),
    ("appeal_not_pending", "The appeal is not waiting for a decision.", "该申诉不在待审核状态。"),
    ("terms_not_accepted", "You must accept the terms.", "请阅读并同意服务条款。"),
    ("sms_code_format", "The code has 6 digits.", "验证码为 6 位数字。"),
    ("sms_code_invalid", "The code is not correct.", "验证码不正确。"),
    (
        "sms_code_expired",
        "The code has expired or was never sent. Request a new one.",
        "验证码已过期或未发送，请重新获取。",
    ),
    ("sms_code_exhausted", "Too many wrong codes. Request a new one later.", "验证码错误次数过多，请稍后重新获取。"),
    ("password_too_short", "The password is too short.", "密码过短。"),
    ("password_too_long", "The password is too long.", "密码过长。"),
    ("password_missing_uppercase", "Add an uppercase letter.", "需包含大写字母。"),
    ("password_missing_lowercase", "Add a lowercase letter.", "需包含小写字母。"),
    ("password_missing_digit", "Add a digit.", "需包含数字。"),
    ("password_missing_symbol", "Add a symbol.", "需包含符号。"),
    (
        "password_invalid_character",
        "Use printable ASCII characters without spaces.",
        "只能使用可打印的 ASCII 字符，且不能包含空格。",
    ),
    (
        "password_too_few_classes",
        "Use at least two of: uppercase, lowercase, digits, symbols.",
        "需包含大写字母、小写字母、数字、符号中的至少两类。",
    ),
    ("password_contains_username", "The password must not contain the username.", "密码不能包含用户名。"),
    ("password_too_common", "This password is too common.", "密码过于常见。"),
    ("token_format", "This link is not valid.", "链接无效。"),
    ("operator_principal_missing", "Operator routes need an IAM principal.", "运维接口需要 IAM 身份。"),
    ("primary_account_only", "Only a primary account can do this.", "仅主账号可执行此操作。"),
    ("sub_account_limit", "An account can have at most 100 sub-accounts.", "每个账号最多可创建 100 个子账号。"),
    ("verification_pending", "A verification is already under review.", "实名认证正在审核中。"),
    ("verification_approved", "The account is already verified.", "账号已完成实名认证。"),
    ("verification_not_pending", "This verification is not waiting for a decision.", "该实名认证不在待审核状态。"),
    ("no_verification", "No verification was submitted.", "尚未提交实名认证。"),
    ("account_not_found", "No such account.", "账号不存在。"),
    ("content_type_invalid", "Upload a JPEG, PNG or PDF.", "请上传 JPEG、PNG 或 PDF 文件。"),
    ("size_invalid", "Files must be between 1 byte and 10 MiB.", "文件大小须在 1 字节到 10 MiB 之间。"),
    ("type_invalid", "Choose individual or enterprise.", "请选择个人或企业认证。"),
    ("id_type_invalid", "Choose a resident ID or a passport.", "请选择居民身份证或护照。"),
    ("id_number_format", "This ID number is not valid.", "证件号码格式不正确。"),
    ("id_number_checksum", "This ID number's check digit is wrong.", "证件号码校验位不正确。"),
    ("credit_code_format", "A unified social credit code has 18 characters.", "统一社会信用代码应为 18 位。"),
    ("credit_code_checksum", "This credit code's check character is wrong.", "统一社会信用代码校验位不正确。"),
    ("materials_count", "Attach between 1 and 10 materials, each once.", "请附上 1 到 10 份材料，且不可重复。"),
    ("material_not_found", "No such material of yours.", "材料不存在。"),
    ("material_not_uploaded", "This material has not been uploaded (completely).", "材料尚未上传完成。"),
    ("material_type_mismatch", "The file is not of the type it was declared as.", "文件内容与声明的类型不符。"),
    ("decision_invalid", "Choose approve or reject.", "请选择通过或驳回。"),
    ("reason_required", "Give a reason to reject.", "驳回时请填写原因。"),
    ("status_invalid", "Unknown status.", "未知状态。"),
    ("cursor_invalid", "This page cursor is not valid.", "分页参数无效。"),
    ("deletion_pending", "A deletion request is already under review.", "注销申请正在审核中。"),
    ("deletion_not_pending", "This deletion request is not waiting for a decision.", "该注销申请不在待审核状态。"),
    ("no_deletion_request", "There is no deletion request.", "没有注销申请。"),
    ("deletion_request_not_found", "No such deletion request.", "注销申请不存在。"),
    ("sub_account_not_found", "No such sub-account of yours.", "子账号不存在。"),
];

/// The text for `code` in `lang`; the code itself if none is defined.
pub fn text(code: &str, lang: Lang) -> &str {
    TEXTS
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, en, zh)| if lang == Lang::ZhCn { *zh } else { *en })
        .unwrap_or(code)
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

    #[test]
    fn every_code_has_both_texts() {
        for (code, en, zh) in TEXTS {
            assert!(!en.is_empty() && !zh.is_empty(), "{code}");
            assert_ne!(en, zh, "{code}");
        }
        assert_eq!(text("username_taken", Lang::ZhCn), "该用户名已被注册。");
        assert_eq!(text("no_such_code", Lang::En), "no_such_code");
    }
}
