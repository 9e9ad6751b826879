//! The codes the service answers with, each with its status and its texts
//! in both languages: `code` in problem JSON and `errors[].code`, `title`,
//! `detail` and `errors[].message` from the texts. Codes never change with
//! the language. A code is a variant here or it does not exist: one without
//! its texts does not compile, so none reaches a customer untranslated.

use crate::i18n::Lang;

macro_rules! codes {
    ($($variant:ident = $code:literal, $status:literal, $en:literal, $zh:literal;)*) => {
        /// A stable snake_case machine code of the contract.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code {
            $(
                #[doc = concat!("`", $code, "`: ", $en)]
                $variant,
            )*
        }

        impl Code {
            /// Every code, in the table's order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as the contract spells it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }

            /// The HTTP status a problem of this code has (a field's code:
            /// the status of the problem it appears in).
            pub fn status(self) -> u16 {
                match self {
                    $(Code::$variant => $status,)*
                }
            }

            /// The code's text in `lang`: a problem's title, or a field's message.
            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $(
                        (Code::$variant, Lang::En) => $en,
                        (Code::$variant, Lang::ZhCn) => $zh,
                    )*
                }
            }
        }
    };
}

codes! {
    MalformedRequest = "malformed_request", 400, "The request body is not valid JSON of the expected shape.", "请求体不是预期格式的 JSON。";
    UnsupportedMediaType = "unsupported_media_type", 415, "Request bodies must be application/json.", "请求体必须是 application/json。";
    PayloadTooLarge = "payload_too_large", 413, "The request body is larger than 64 KiB.", "请求体超过 64 KiB。";
    ValidationFailed = "validation_failed", 422, "Some fields are not valid.", "部分字段无效。";
    Conflict = "conflict", 409, "Some values are already taken.", "部分信息已被占用。";
    Unauthenticated = "unauthenticated", 401, "Sign in to continue.", "请先登录。";
    InvalidCredentials = "invalid_credentials", 401, "The login or password is not correct.", "账号或密码不正确。";
    Forbidden = "forbidden", 403, "You are not allowed to do this.", "您无权执行此操作。";
    CsrfHeaderMissing = "csrf_header_missing", 403, "Cookie-authenticated changes need the X-Requested-With header.", "使用 Cookie 认证的修改请求需要 X-Requested-With 请求头。";
    NotFound = "not_found", 404, "Nothing is here.", "未找到资源。";
    MethodNotAllowed = "method_not_allowed", 405, "This method is not allowed here.", "不支持此请求方法。";
    InvalidLink = "invalid_link", 404, "This link is not valid. It may have been used already or replaced by a newer one.", "链接无效，可能已被使用或已被更新的链接取代。";
    LinkExpired = "link_expired", 410, "This link has expired. Request a new one.", "链接已过期，请重新获取。";
    RateLimited = "rate_limited", 429, "Too many requests. Try again later.", "请求过于频繁，请稍后再试。";
    TooManyAttempts = "too_many_attempts", 429, "Too many failed attempts. Try again later.", "失败次数过多，请稍后再试。";
    Unavailable = "unavailable", 503, "The service is busy. Try again shortly.", "服务繁忙，请稍后再试。";
    Internal = "internal", 500, "Something went wrong on our side.", "服务器内部错误。";
    Required = "required", 422, "This field is required.", "此项为必填项。";
    WrongType = "wrong_type", 422, "This field has the wrong type.", "此项类型错误。";
    TooLong = "too_long", 422, "This value is too long.", "内容过长。";
    UsernameFormat = "username_format", 422, "Use lowercase letters and digits, starting with a letter.", "用户名只能包含小写字母和数字，且以字母开头。";
    UsernameLength = "username_length", 422, "Use 4 to 20 characters.", "用户名长度为 4–20 个字符。";
    UsernameTaken = "username_taken", 409, "This username is taken.", "该用户名已被注册。";
    EmailFormat = "email_format", 422, "Enter a valid email address.", "请输入有效的邮箱地址。";
    EmailTooLong = "email_too_long", 422, "This email address is too long.", "邮箱地址过长。";
    EmailTaken = "email_taken", 409, "This email address is already registered.", "该邮箱已被注册。";
    PhoneFormat = "phone_format", 422, "Enter the number in international format, e.g. +8613800138000.", "请输入国际格式的手机号，例如 +8613800138000。";
    PhoneInvalid = "phone_invalid", 422, "This is not a valid phone number.", "手机号无效。";
    PhoneNotMobile = "phone_not_mobile", 422, "Enter a mobile number.", "请输入手机号码。";
    PhoneTaken = "phone_taken", 409, "This phone number is already registered.", "该手机号已被注册。";
    PhoneRegionNotSupported = "phone_region_not_supported", 422, "We cannot send SMS to numbers of this region.", "暂不支持向该地区的手机号发送短信。";
    PhoneMismatch = "phone_mismatch", 422, "The phone number is not the one this account signed up with.", "手机号与注册时填写的不一致。";
    PurposeInvalid = "purpose_invalid", 422, "Unknown purpose.", "未知用途。";
    MethodInvalid = "method_invalid", 422, "Use email or sms.", "请选择 email 或 sms。";
    EmailOrPhone = "email_or_phone", 422, "Give an email or a phone, not both.", "请填写邮箱或手机号其中之一。";
    InvalidCode = "invalid_code", 422, "The code is wrong or already used.", "验证码错误或已被使用。";
    MfaEnabled = "mfa_enabled", 409, "Two-factor sign-in is already on.", "两步验证已经开启。";
    MfaNotEnabled = "mfa_not_enabled", 409, "Two-factor sign-in is not on.", "两步验证尚未开启。";
    NoMfaEnrolment = "no_mfa_enrolment", 409, "Start the authenticator set-up again.", "请重新开始设置身份验证器。";
    SessionNotFound = "session_not_found", 404, "There is no such session.", "没有这个会话。";
    AccountSuspended = "account_suspended", 403, "This account is suspended. Contact support.", "该账号已被冻结，请联系客服。";
    LimitOutOfRange = "limit_out_of_range", 422, "Between 1 and 200.", "请填写 1 到 200 之间的数。";
    AppealNotFound = "appeal_not_found", 404, "There is no such appeal.", "没有这个申诉。";
    AppealNotPending = "appeal_not_pending", 409, "The appeal is not waiting for a decision.", "该申诉不在待审核状态。";
    TermsNotAccepted = "terms_not_accepted", 422, "You must accept the terms.", "请阅读并同意服务条款。";
    SmsCodeFormat = "sms_code_format", 422, "The code has 6 digits.", "验证码为 6 位数字。";
    SmsCodeInvalid = "sms_code_invalid", 422, "The code is not correct.", "验证码不正确。";
    SmsCodeExpired = "sms_code_expired", 422, "The code has expired or was never sent. Request a new one.", "验证码已过期或未发送，请重新获取。";
    SmsCodeExhausted = "sms_code_exhausted", 422, "Too many wrong codes. Request a new one later.", "验证码错误次数过多，请稍后重新获取。";
    PasswordTooShort = "password_too_short", 422, "The password is too short.", "密码过短。";
    PasswordTooLong = "password_too_long", 422, "The password is too long.", "密码过长。";
    PasswordMissingUppercase = "password_missing_uppercase", 422, "Add an uppercase letter.", "需包含大写字母。";
    PasswordMissingLowercase = "password_missing_lowercase", 422, "Add a lowercase letter.", "需包含小写字母。";
    PasswordMissingDigit = "password_missing_digit", 422, "Add a digit.", "需包含数字。";
    PasswordMissingSymbol = "password_missing_symbol", 422, "Add a symbol.", "需包含符号。";
    PasswordInvalidCharacter = "password_invalid_character", 422, "Use printable ASCII characters without spaces.", "只能使用可打印的 ASCII 字符，且不能包含空格。";
    PasswordTooFewClasses = "password_too_few_classes", 422, "Use at least two of: uppercase, lowercase, digits, symbols.", "需包含大写字母、小写字母、数字、符号中的至少两类。";
    PasswordContainsUsername = "password_contains_username", 422, "The password must not contain the username.", "密码不能包含用户名。";
    PasswordTooCommon = "password_too_common", 422, "This password is too common.", "密码过于常见。";
    TokenFormat = "token_format", 422, "This link is not valid.", "链接无效。";
    OperatorPrincipalMissing = "operator_principal_missing", 403, "Operator routes need an IAM principal.", "运维接口需要 IAM 身份。";
    PrimaryAccountOnly = "primary_account_only", 403, "Only a primary account can do this.", "仅主账号可执行此操作。";
    SubAccountLimit = "sub_account_limit", 409, "An account can have at most 100 sub-accounts.", "每个账号最多可创建 100 个子账号。";
    VerificationPending = "verification_pending", 409, "A verification is already under review.", "实名认证正在审核中。";
    VerificationApproved = "verification_approved", 409, "The account is already verified.", "账号已完成实名认证。";
    VerificationNotPending = "verification_not_pending", 409, "This verification is not waiting for a decision.", "该实名认证不在待审核状态。";
    NoVerification = "no_verification", 404, "No verification was submitted.", "尚未提交实名认证。";
    AccountNotFound = "account_not_found", 404, "No such account.", "账号不存在。";
    ContentTypeInvalid = "content_type_invalid", 422, "Upload a JPEG, PNG or PDF.", "请上传 JPEG、PNG 或 PDF 文件。";
    SizeInvalid = "size_invalid", 422, "Files must be between 1 byte and 10 MiB.", "文件大小须在 1 字节到 10 MiB 之间。";
    TypeInvalid = "type_invalid", 422, "Choose individual or enterprise.", "请选择个人或企业认证。";
    IdTypeInvalid = "id_type_invalid", 422, "Choose a resident ID or a passport.", "请选择居民身份证或护照。";
    IdNumberFormat = "id_number_format", 422, "This ID number is not valid.", "证件号码格式不正确。";
    IdNumberChecksum = "id_number_checksum", 422, "This ID number's check digit is wrong.", "证件号码校验位不正确。";
    CreditCodeFormat = "credit_code_format", 422, "A unified social credit code has 18 characters.", "统一社会信用代码应为 18 位。";
    CreditCodeChecksum = "credit_code_checksum", 422, "This credit code's check character is wrong.", "统一社会信用代码校验位不正确。";
    MaterialsCount = "materials_count", 422, "Attach between 1 and 10 materials, each once.", "请附上 1 到 10 份材料，且不可重复。";
    MaterialNotFound = "material_not_found", 422, "No such material of yours.", "材料不存在。";
    MaterialNotUploaded = "material_not_uploaded", 422, "This material has not been uploaded (completely).", "材料尚未上传完成。";
    MaterialTypeMismatch = "material_type_mismatch", 422, "The file is not of the type it was declared as.", "文件内容与声明的类型不符。";
    DecisionInvalid = "decision_invalid", 422, "Choose approve or reject.", "请选择通过或驳回。";
    ReasonRequired = "reason_required", 422, "Give a reason to reject.", "驳回时请填写原因。";
    StatusInvalid = "status_invalid", 422, "Unknown status.", "未知状态。";
    CursorInvalid = "cursor_invalid", 422, "This page cursor is not valid.", "分页参数无效。";
    OrderInvalid = "order_invalid", 422, "Choose oldest or newest.", "请选择最早或最新优先。";
    SinceInvalid = "since_invalid", 422, "Give a date and time as RFC 3339, e.g. 2026-12-07T08:00:00Z.", "请按 RFC 3339 填写日期时间，例如 2026-12-07T08:00:00Z。";
    LanguageInvalid = "language_invalid", 422, "Choose en or zh-CN.", "请选择 en 或 zh-CN。";
    AccountActive = "account_active", 409, "This account is already active: it has no invitation to resend.", "该账号已激活，无需重发邀请。";
    DeletionPending = "deletion_pending", 409, "A deletion request is already under review.", "注销申请正在审核中。";
    DeletionNotPending = "deletion_not_pending", 409, "This deletion request is not waiting for a decision.", "该注销申请不在待审核状态。";
    NoDeletionRequest = "no_deletion_request", 404, "There is no deletion request.", "没有注销申请。";
    DeletionRequestNotFound = "deletion_request_not_found", 404, "No such deletion request.", "注销申请不存在。";
    SubAccountNotFound = "sub_account_not_found", 404, "No such sub-account of yours.", "子账号不存在。";
    MustNotBeNegative = "must_not_be_negative", 422, "The value must not be negative.", "数值不能为负。";
    AppealEnded = "appeal_ended", 409, "This appeal has ended: it was decided, carried out or cancelled.", "该申诉已结束（已处理或已取消）。";
    InvalidCredential = "invalid_credential", 422, "The passkey's answer could not be verified. Try again.", "通行密钥验证失败，请重试。";
    InvalidName = "invalid_name", 422, "Name the passkey in 1 to 64 characters.", "通行密钥名称应为 1–64 个字符。";
    InvalidRegistration = "invalid_registration", 422, "This passkey set-up has expired or was already used. Start again.", "通行密钥设置已过期或已使用，请重新开始。";
    PasskeyLimit = "passkey_limit", 409, "An account can have at most 10 passkeys. Remove one first.", "每个账号最多可添加 10 个通行密钥，请先删除一个。";
    PasskeyNotFound = "passkey_not_found", 404, "There is no such passkey.", "没有这个通行密钥。";
    PasskeyTaken = "passkey_taken", 409, "This passkey is already registered to an account.", "该通行密钥已被其他账号注册。";
    AccountDisabled = "account_disabled", 403, "This sub-account is disabled. Ask the administrator of your company's account.", "该子账号已被停用，请联系主账号管理员。";
    NetworkNotAllowed = "network_not_allowed", 403, "Your company's account does not allow sign-in from this network.", "主账号的安全策略不允许从当前网络登录。";
    MfaEnrolmentRequired = "mfa_enrolment_required", 403, "Your company requires two-factor sign-in. Set up an authenticator app first.", "主账号要求开启两步验证，请先设置身份验证器。";
    MfaRequiredByPolicy = "mfa_required_by_policy", 403, "Your company requires two-factor sign-in: it cannot be turned off.", "主账号要求开启两步验证，无法关闭。";
    SessionHoursRange = "session_hours_range", 422, "A whole number of hours from 1 to 24.", "请填写 1 到 24 之间的整数小时。";
    NetworkFormat = "network_format", 422, "Write a network in CIDR notation, e.g. 203.0.113.0/24 or 2001:db8::/32.", "请按 CIDR 格式填写网段，例如 203.0.113.0/24 或 2001:db8::/32。";
    NetworkHostBits = "network_host_bits", 422, "The address has bits set past the prefix: write the network's first address, e.g. 10.0.0.0/8 for 10.0.0.1/8.", "地址在前缀长度之后还有非零位，请填写网段的起始地址，例如 10.0.0.1/8 应写为 10.0.0.0/8。";
    NetworksCount = "networks_count", 422, "List at most 40 networks.", "最多可填写 40 个网段。";
    MustBeBoolean = "must_be_boolean", 422, "Answer true or false.", "请填写 true 或 false。";
    PasswordBreached = "password_breached", 422, "This password has appeared in a data breach, so attackers try it first. Choose another.", "该密码曾在数据泄露中出现，攻击者会优先尝试，请换一个密码。";
    PasswordResetRequired = "password_reset_required", 403, "This password has appeared in a data breach. We emailed you a link to set a new one.", "该密码曾在数据泄露中出现。我们已向您的邮箱发送重设密码的链接，请设置新密码。";
    DeviceNotFound = "device_not_found", 404, "There is no such remembered device.", "没有这个受信任设备。";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_snake_case_unique_and_has_a_text_in_each_language() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::ALL {
            let name = code.as_str();
            assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'), "{name}");
            assert!(seen.insert(name), "{name} twice");
            let (en, zh) = (code.text(Lang::En), code.text(Lang::ZhCn));
            assert!(!en.is_empty() && !zh.is_empty() && en != zh, "{name}: {en} / {zh}");
            assert!(en != name && zh != name, "{name}'s text is not the code itself");
            assert!((400..600).contains(&code.status()), "{name}");
        }
    }
}
