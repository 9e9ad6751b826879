// Shared by every page: calls to the API, field errors next to their
// fields, and the two languages. No framework, no third-party requests.
"use strict";

/** The two languages, and the reader's: a choice kept in this browser
 * (the header's switch; the account centre also keeps it in the account,
 * which its emails follow), else the browser's own. */
const LANGUAGES = { en: "English", "zh-CN": "中文" };
const LANG = keptLanguage() || ((navigator.language || "").toLowerCase().startsWith("zh") ? "zh-CN" : "en");

function keptLanguage() {
  try {
    const kept = localStorage.getItem("lang");
    return Object.hasOwn(LANGUAGES, kept) ? kept : null;
  } catch (_) { return null; }
}

/** Keeps `lang` in this browser and shows the page in it. A page that
 * keeps it elsewhere too (the account) sets `onLanguageChosen`. */
async function chooseLanguage(lang) {
  try { localStorage.setItem("lang", lang); } catch (_) { /* private mode: this page only */ }
  if (window.onLanguageChosen) await window.onLanguageChosen(lang);
  location.reload();
}

/** The header's language switch. */
function addLanguageSwitch() {
  const nav = document.querySelector("header nav");
  if (!nav || document.getElementById("language")) return;
  const select = document.createElement("select");
  select.id = "language";
  select.className = "language";
  select.setAttribute("aria-label", `${TEXT.en.language} / ${TEXT["zh-CN"].language}`);
  for (const [tag, name] of Object.entries(LANGUAGES)) select.append(new Option(name, tag, false, tag === LANG));
  select.lang = LANG;
  select.addEventListener("change", () => chooseLanguage(select.value));
  nav.append(select);
}

const TEXT = {
  en: {
    signIn: "Sign in", signUp: "Create account", forgot: "Forgot password", account: "Account centre", ops: "Operators",
    login: "Username, email or phone", password: "Password", username: "Username", email: "Email", phone: "Mobile phone",
    smsCode: "SMS code", sendCode: "Send code", resendIn: "Resend in {s} s", organization: "Organization (optional)",
    terms: "I accept the terms of service", newPassword: "New password", currentPassword: "Current password",
    setPassword: "Set password", signedUp: "Check your email: we sent the link to set your password to {email}. It is valid for 60 minutes. Nothing after a few minutes? Look in the spam folder, or ask for a new link under \u201cForgot password\u201d with your username.",
    passwordSet: "Your password is set. You can sign in now.", resetSent: "If the account exists, a message is on its way.",
    method: "Send by", byEmail: "Email", bySms: "SMS", resetWithCode: "Reset password", signOut: "Sign out",
    profile: "Profile", changePassword: "Change password", changed: "Password changed; other sessions were signed out.",
    verification: "Real-name verification", status: "Status", type: "Type", individual: "Individual", enterprise: "Enterprise",
    realName: "Real name", idType: "ID type", residentId: "Resident ID", passport: "Passport", idNumber: "ID number",
    companyName: "Company name", creditCode: "Unified social credit code", legalRep: "Legal representative",
    documents: "Documents (JPEG, PNG or PDF, 10 MiB at most)", submit: "Submit", deletion: "Delete account",
    reason: "Reason (optional)", requestDeletion: "Request deletion", cancelDeletion: "Cancel request",
    subAccounts: "Sub-accounts", create: "Create", sendReset: "Send reset email", opsToken: "Operator token",
    awsCredentials: "Your temporary AWS credentials",
    awsCredentialsHint: "Paste what IAM Identity Center's access portal shows under “AWS environment variables”, or what `aws configure export-credentials` prints. They stay in this tab only.",
    forgetCredentials: "Forget them", credentialsUnreadable: "No access key, secret key and session token found in what you pasted.",
    credentialsExpired: "Your AWS credentials have expired: paste new ones.", credentialsMissing: "Paste your AWS credentials first.",
    credentialsHeld: "Signing as {key}{until}.", credentialsUntil: ", valid until {at}",
    load: "Load", approve: "Approve", reject: "Reject", verifications: "Verifications waiting for review",
    deletions: "Deletion requests waiting for review", none: "Nothing waiting.", submitted: "Submitted",
    ruleLength: "{min}–{max} characters", ruleUpper: "an uppercase letter", ruleLower: "a lowercase letter",
    ruleDigit: "a digit", ruleSymbol: "a symbol", ruleNoName: "not containing the username", sent: "Sent.",
    linkActivate: "Activate the account {username}.", linkReset: "Choose a new password for {username}.",
    confirmPhone: "Confirm your mobile number", confirmPhoneHint: "The sign-up gave {phone}: type the number in full.",
    notMySignUp: "This is not my sign-up", notMyReset: "I did not ask for this",
    declinedSignUp: "The sign-up was removed: this email address is free again.",
    declinedReset: "The link no longer works; your password is unchanged.",
    security: "Security", sessions: "Where you are signed in", endOthers: "Sign out everywhere else",
    signedInAt: "Signed in", lastSeen: "Last seen", ipAddress: "IP address", browser: "Browser",
    thisSession: "This session", endSession: "Sign out", twoFactor: "Two-factor sign-in",
    mfaOn: "On ({n} recovery codes left)", mfaOff: "Off",
    mfaIntro: "Protect the account with a code from an authenticator app after the password.",
    mfaStart: "Set up an authenticator app", mfaScan: "Scan this QR code with the app, or type the key.",
    mfaSecret: "Key:", mfaCode: "Code from the app", mfaTurnOn: "Turn on", mfaQrAlt: "QR code for the authenticator app",
    mfaRecoveryHint: "Keep these recovery codes safe. Each signs in once if you lose the app. They are shown only now.",
    mfaCodeOrRecovery: "Code from the app, or a recovery code", mfaTurnOff: "Turn off two-factor sign-in",
    contactDetails: "Contact details", newEmail: "New email", changeEmail: "Change email",
    emailLinkSent: "Open the link we sent to the new address to finish.", newPhone: "New mobile phone",
    changePhone: "Change mobile phone", codeSent: "The code is on its way.", phoneChanged: "Mobile phone changed.",
    secondStep: "Two-factor sign-in", secondStepHint: "Enter the code from your authenticator app, or a recovery code.",
    verify: "Verify", forgotUsername: "Forgot username", usernameSent: "If an account matches, its username is on its way.",
    referrerPhone: "Referrer's mobile phone (optional)", emailChanged: "Your email address is changed.",
    signInFirst: "Sign in first, then open the link again.",
    open: "Open", accountLookup: "Look up an account", lookUp: "Look up", suspend: "Suspend",
    liftSuspension: "Lift suspension", suspensionReason: "Reason for the suspension", notSuspended: "Not suspended.", disabledByPrimary: "disabled by its primary account on {at}",
    suspendedBy: "Suspended by {by}: {reason}", auditTrail: "Audit trail", more: "More",
    appeal: "Recover an account", appealIntro: "Lost both the phone and the email of your account? Tell us what happened; our operators check the details against your real-name verification.",
    contactEmail: "An email address we can reach you at", whatHappened: "What happened",
    realNameOptional: "Real name (optional)", idNumberOptional: "ID number (optional)",
    companyNameOptional: "Company name (optional)", creditCodeOptional: "Unified social credit code (optional)",
    fileAppeal: "File the appeal", appealFiled: "Check that email address: confirm the appeal with the link we sent.",
    appealConfirmed: "Your appeal {id} is confirmed. Our operators will review it and write to you.",
    lostBoth: "Lost both your phone and your email? File an appeal", appeals: "Recovery appeals waiting for review",
    identity: "identity", match: "matches the verification", mismatch: "does not match the verification",
    no_verification: "no approved verification",
    protectCode: "Two-factor code (from the app, or a recovery code)", mfaShortOn: "On",
    newRecoveryCodes: "Make new recovery codes", newRecoveryCodesHint: "The old recovery codes stop working at once.",
    passkeys: "Passkeys", passkeysIntro: "Sign in with your fingerprint, face or device PIN instead of a password. A passkey cannot be phished or reused on another site.",
    passkeyName: "Name (optional)", addPasskey: "Add a passkey", removePasskey: "Remove passkey", rename: "Rename", save: "Save",
    remove: "Remove", cancel: "Cancel", passkeyAdded: "Passkey added.", passkeyRemoved: "Passkey removed.", passkeyRenamed: "Passkey renamed.",
    passkeyCancelled: "No passkey was made: the browser's dialog was closed, or the device said no.",
    added: "Added", lastUsed: "Last used", synced: "Synced", yes: "Yes", no: "No", never: "Never", noPasskeys: "No passkeys yet.",
    signInWithPasskey: "Sign in with a passkey", or: "or", passkeyUnsupported: "This browser cannot use passkeys.",
    removeWhich: "Remove “{name}”? Enter your password to confirm.", passkeyNameOf: "Name of {name}",
    subSmsCode: "SMS code sent to the sub-account's phone",
    region: "Country or region", working: "Working…", uploadProgress: "{sent} of {total} sent",
    uploadCancelled: "The upload was cancelled.", cancelUpload: "Cancel upload", menu: "Account centre sections",
    atAGlance: "At a glance", passkeyCount: "Passkeys: {n}", signedInPlaces: "Sessions: {n}",
    deleteAccount: "Delete account", kind_primary: "Primary account", kind_sub: "Sub-account",
    status_active: "Active", status_pending_activation: "Waiting for activation",
    cancelAppeal: "Cancel a recovery appeal", cancelAppealIntro: "Someone asked to recover your account. If it was not you, cancel it here.",
    cancelIt: "Cancel the appeal", appealCancelled: "The appeal is cancelled; your account stays as it is.",
    appealStatus: "Show", pending_review: "waiting for review", approved: "approved, on hold", done: "took effect",
    rejected: "rejected", cancelled: "cancelled", failed: "failed",
    contactTitle: "Contact email", story: "What happened", takesEffect: "Takes effect", accountSide: "The account",
    lastSignIn: "Last sign-in", previousAppeals: "Earlier appeals", note: "Note (optional)",
    checkBeforeApproving: "Before approving: reach the owner through the old contacts, compare the identity with the verification's documents, and read the story for what only the owner would know.",
    disable: "Disable", enable: "Enable", endSubSessions: "Sign out",
    status_disabled: "Disabled", status_suspended: "Suspended", createSubAccount: "Create a sub-account",
    subResetSent: "A reset email went to {username}.", subDisabled: "{username} is disabled and signed out everywhere.",
    subSignedOut: "{username} is signed out everywhere.", subEnabled: "{username} can sign in again.",
    subRemoved: "{username} was removed for good.", enableSubAsk: "Enable {username} again: confirm with your password.",
    removeSubAsk: "Remove {username} for good? Its sessions end and its data is erased; this cannot be undone. Confirm with your password.",
    removeSubGo: "Remove for good", subPolicy: "Policy for sub-accounts",
    subPolicyHint: "It holds for every sub-account from its next request; your own account is never held by it.",
    policyMfa: "Sub-accounts must use two-factor sign-in", policyHours: "Hours a sub-account's session lasts (1–24)",
    policyNetworks: "Networks sub-accounts may sign in from (CIDR, one per line; empty: anywhere)",
    policyYourAddress: "You are at {address} now: list its network if your team works from here.",
    policySaved: "Policy saved.", enrolmentRequired: "Your company requires two-factor sign-in. Set up an authenticator app to continue.",
    enrolmentDone: "Continue to the account centre",
    signInWithSms: "Sign in with an SMS code", signInWithPassword: "Sign in with a password",
    rememberDevice: "Remember this device for 30 days", emailCodeLabel: "Code from the email",
    newDeviceHint: "This device is new to your account: we emailed you a code. Enter it to finish signing in.",
    resetRequiredHint: "Meanwhile you can still sign in with an SMS code or a passkey.",
    devices: "Remembered devices", devicesIntro: "These browsers skip the second step for 30 days. Changing the password or two-factor settings forgets them all.",
    noDevices: "No remembered devices.", forget: "Forget", forgetAll: "Forget all devices", remembered: "Remembered",
    language: "Language", show: "Show", thisDevice: "this device", device: "Device",
    notFound: "Page not found", notFoundHint: "The address may be mistyped, or the page has moved.",
    backToSignIn: "Go to sign-in", supportContact: "Support", termsOfService: "Terms of service",
    privacyPolicy: "Privacy policy", termsAccept: "I accept the {terms}", termsAndPrivacy: "{terms} and the {privacy}",
    consentSensitive: "I agree that {product} processes my ID number and documents — sensitive personal information — only to verify my identity and keeps them as its {privacy} says.",
    consentRequired: "Agree to the processing of your ID details first.", theTerms: "terms of service", thePrivacy: "privacy policy",
    consentAppeal: "I agree that {product} processes the ID details I give here only to check this appeal, as its {privacy} says.", networkDown: "No connection to the service. Check the network and try again.",
    tooManyRequests: "Too many requests just now.", serviceDown: "The service is not available just now. Try again in a minute.",
    requestRefused: "The request was refused (HTTP {status}). Reload the page and try again.",
    tryAgainIn: "Try again in {time}.", tryAgainNow: "You can try again now.",
    ruleClasses: "at least {n} of: {classes}", class_uppercase: "uppercase letters", class_lowercase: "lowercase letters",
    class_digit: "digits", class_symbol: "symbols", listSeparator: ", ",
    ruleAscii: "only letters, digits and symbols of a standard keyboard, no spaces",
    ruleNotCommon: "not a commonly used password (checked when you submit)",
    ruleNotBreached: "not found in known data breaches (checked when you submit)",
    wrongSecondCode: "That code is not correct. Enter the current code from the app, or an unused recovery code.",
    secondStepVoid: "Too many wrong codes: this sign-in has ended. Sign in again.", sendLink: "Send link", sendUsername: "Send my username",
    copyCodes: "Copy", codesCopied: "Copied.", downloadCodes: "Download", savedCodes: "I have saved these codes somewhere safe",
    codesDone: "Done", accountId: "Account ID", emailLanguage: "Language of emails and SMS",
    verification_unverified: "Not verified", verification_pending_review: "Waiting for review",
    verification_approved: "Verified", verification_rejected: "Rejected",
    deletion_none: "No request", deletion_pending_review: "Waiting for review", deletion_approved: "Approved, being carried out",
    deletion_rejected: "Rejected", deletion_cancelled: "Cancelled", deletion_done: "Carried out",
    status_deleting: "Being deleted", loginPassword: "Login password", change: "Change", manage: "Manage", close: "Close",
    passwordRowHint: "Change it regularly; never reuse it elsewhere.", deviceCount: "Remembered: {n}",
  },
  "zh-CN": {
    signIn: "登录", signUp: "注册账号", forgot: "忘记密码", account: "账号中心", ops: "运维",
    login: "用户名、邮箱或手机号", password: "密码", username: "用户名", email: "邮箱", phone: "手机号",
    smsCode: "短信验证码", sendCode: "获取验证码", resendIn: "{s} 秒后重发", organization: "组织（选填）",
    terms: "我已阅读并同意服务条款", newPassword: "新密码", currentPassword: "当前密码",
    setPassword: "设置密码", signedUp: "请查收邮件：设置密码的链接已发送至 {email}，60 分钟内有效。几分钟后仍未收到？请查看垃圾邮件，或在“忘记密码”中输入用户名获取新链接。",
    passwordSet: "密码已设置，现在可以登录。", resetSent: "如果账号存在，消息正在发送。",
    method: "发送方式", byEmail: "邮件", bySms: "短信", resetWithCode: "重置密码", signOut: "退出登录",
    profile: "基本信息", changePassword: "修改密码", changed: "密码已修改，其他会话已退出。",
    verification: "实名认证", status: "状态", type: "类型", individual: "个人", enterprise: "企业",
    realName: "真实姓名", idType: "证件类型", residentId: "居民身份证", passport: "护照", idNumber: "证件号码",
    companyName: "企业名称", creditCode: "统一社会信用代码", legalRep: "法定代表人",
    documents: "证明材料（JPEG、PNG 或 PDF，不超过 10 MiB）", submit: "提交", deletion: "注销账号",
    reason: "原因（选填）", requestDeletion: "申请注销", cancelDeletion: "撤销申请",
    subAccounts: "子账号", create: "创建", sendReset: "发送重置邮件", opsToken: "运维令牌",
    awsCredentials: "你的临时 AWS 凭证",
    awsCredentialsHint: "粘贴 IAM Identity Center 访问门户中“AWS 环境变量”下的内容，或 `aws configure export-credentials` 的输出。凭证只保存在本标签页中。",
    forgetCredentials: "清除凭证", credentialsUnreadable: "粘贴的内容中没有找到访问密钥、私有密钥和会话令牌。",
    credentialsExpired: "你的 AWS 凭证已过期，请粘贴新的凭证。", credentialsMissing: "请先粘贴 AWS 凭证。",
    credentialsHeld: "正在以 {key} 签名{until}。", credentialsUntil: "，有效期至 {at}",
    load: "加载", approve: "通过", reject: "驳回", verifications: "待审核的实名认证",
    deletions: "待审核的注销申请", none: "暂无待办。", submitted: "提交时间",
    ruleLength: "{min}–{max} 个字符", ruleUpper: "包含大写字母", ruleLower: "包含小写字母",
    ruleDigit: "包含数字", ruleSymbol: "包含符号", ruleNoName: "不包含用户名", sent: "已发送。",
    linkActivate: "激活账号 {username}。", linkReset: "为 {username} 设置新密码。",
    confirmPhone: "确认手机号", confirmPhoneHint: "注册时填写的手机号为 {phone}，请完整输入该号码。",
    notMySignUp: "这不是我的注册", notMyReset: "我没有申请重置",
    declinedSignUp: "该注册已删除，此邮箱可重新注册。",
    declinedReset: "该链接已作废，您的密码没有改变。",
    security: "安全设置", sessions: "登录设备", endOthers: "退出其他所有设备",
    signedInAt: "登录时间", lastSeen: "最近活动", ipAddress: "IP 地址", browser: "浏览器",
    thisSession: "当前会话", endSession: "退出", twoFactor: "两步验证",
    mfaOn: "已开启（剩余 {n} 个恢复码）", mfaOff: "未开启",
    mfaIntro: "登录时在密码之后再输入身份验证器应用中的验证码，保护您的账号。",
    mfaStart: "设置身份验证器", mfaScan: "用应用扫描二维码，或手动输入密钥。",
    mfaSecret: "密钥：", mfaCode: "应用中的验证码", mfaTurnOn: "开启", mfaQrAlt: "身份验证器二维码",
    mfaRecoveryHint: "请妥善保存这些恢复码。丢失应用时，每个恢复码可登录一次。它们只显示这一次。",
    mfaCodeOrRecovery: "应用中的验证码或恢复码", mfaTurnOff: "关闭两步验证",
    contactDetails: "联系方式", newEmail: "新邮箱", changeEmail: "更换邮箱",
    emailLinkSent: "请打开发送到新邮箱的链接完成更换。", newPhone: "新手机号",
    changePhone: "更换手机号", codeSent: "验证码已发送。", phoneChanged: "手机号已更换。",
    secondStep: "两步验证", secondStepHint: "请输入身份验证器应用中的验证码或恢复码。",
    verify: "验证", forgotUsername: "忘记用户名", usernameSent: "如果有匹配的账号，用户名正在发送。",
    referrerPhone: "推荐人手机号（选填）", emailChanged: "您的邮箱已更换。",
    signInFirst: "请先登录，然后再次打开链接。",
    open: "查看", accountLookup: "查询账号", lookUp: "查询", suspend: "冻结",
    liftSuspension: "解除冻结", suspensionReason: "冻结原因", notSuspended: "未冻结。", disabledByPrimary: "已于 {at} 被主账号停用",
    suspendedBy: "已被 {by} 冻结：{reason}", auditTrail: "审计记录", more: "更多",
    appeal: "找回账号", appealIntro: "手机号和邮箱都无法使用了？请告诉我们发生了什么，运维人员会与您的实名认证信息核对。",
    contactEmail: "可以联系到您的邮箱", whatHappened: "发生了什么",
    realNameOptional: "真实姓名（选填）", idNumberOptional: "证件号码（选填）",
    companyNameOptional: "企业名称（选填）", creditCodeOptional: "统一社会信用代码（选填）",
    fileAppeal: "提交申诉", appealFiled: "请查收该邮箱，用邮件中的链接确认申诉。",
    appealConfirmed: "您的申诉 {id} 已确认，运维人员审核后会与您联系。",
    lostBoth: "手机号和邮箱都无法使用？提交申诉", appeals: "待审核的账号申诉",
    identity: "身份", match: "与实名认证一致", mismatch: "与实名认证不一致",
    no_verification: "无已通过的实名认证",
    protectCode: "两步验证码（应用中的验证码或恢复码）", mfaShortOn: "已开启",
    newRecoveryCodes: "生成新的恢复码", newRecoveryCodesHint: "旧的恢复码将立即失效。",
    passkeys: "通行密钥", passkeysIntro: "使用指纹、面容或设备 PIN 登录，无需密码。通行密钥无法被钓鱼窃取，也不能在其他网站上使用。",
    passkeyName: "名称（可选）", addPasskey: "添加通行密钥", removePasskey: "移除通行密钥", rename: "重命名", save: "保存",
    remove: "移除", cancel: "取消", passkeyAdded: "已添加通行密钥。", passkeyRemoved: "已移除通行密钥。", passkeyRenamed: "已重命名通行密钥。",
    passkeyCancelled: "未创建通行密钥：浏览器对话框已关闭，或设备拒绝了请求。",
    added: "添加时间", lastUsed: "上次使用", synced: "已同步", yes: "是", no: "否", never: "从未", noPasskeys: "还没有通行密钥。",
    signInWithPasskey: "使用通行密钥登录", or: "或", passkeyUnsupported: "此浏览器不支持通行密钥。",
    removeWhich: "确认移除“{name}”？请输入密码。", passkeyNameOf: "{name} 的名称",
    subSmsCode: "发送到子账号手机的短信验证码",
    cancelAppeal: "取消账号找回申诉", cancelAppealIntro: "有人申请找回您的账号。如非本人操作，请在此取消。",
    cancelIt: "取消申诉", appealCancelled: "申诉已取消，您的账号保持不变。",
    appealStatus: "显示", pending_review: "待审核", approved: "已批准，等待生效", done: "已生效",
    rejected: "已驳回", cancelled: "已取消", failed: "未能生效",
    contactTitle: "联系邮箱", story: "经过说明", takesEffect: "生效时间", accountSide: "账号信息",
    lastSignIn: "最近登录", previousAppeals: "此前的申诉", note: "备注（选填）",
    region: "国家或地区", working: "处理中…", uploadProgress: "已上传 {sent} / {total}",
    uploadCancelled: "上传已取消。", cancelUpload: "取消上传", menu: "账号中心栏目",
    atAGlance: "概览", passkeyCount: "通行密钥：{n}", signedInPlaces: "登录会话：{n}",
    deleteAccount: "注销账号", kind_primary: "主账号", kind_sub: "子账号",
    status_active: "正常", status_pending_activation: "待激活",
    checkBeforeApproving: "批准前：通过原有联系方式联系账号所有人，将身份信息与实名认证材料核对，并从经过说明中寻找只有本人才知道的细节。",
    disable: "停用", enable: "启用", endSubSessions: "退出登录",
    status_disabled: "已停用", status_suspended: "已冻结", createSubAccount: "创建子账号",
    subResetSent: "已向 {username} 发送重置邮件。", subDisabled: "{username} 已停用，并已在所有设备上退出登录。",
    subSignedOut: "{username} 已在所有设备上退出登录。", subEnabled: "{username} 已可重新登录。",
    subRemoved: "{username} 已被永久删除。", enableSubAsk: "重新启用 {username}：请输入您的密码确认。",
    removeSubAsk: "永久删除 {username}？其会话将结束、数据将被清除，且无法恢复。请输入您的密码确认。",
    removeSubGo: "永久删除", subPolicy: "子账号安全策略",
    subPolicyHint: "自每个子账号的下一次请求起生效；您自己的账号不受其限制。",
    policyMfa: "子账号必须开启两步验证", policyHours: "子账号会话时长（1–24 小时）",
    policyNetworks: "允许子账号登录的网段（CIDR 格式，每行一个；留空表示不限）",
    policyYourAddress: "您当前的地址是 {address}：如果团队在此办公，请填入其所在网段。",
    policySaved: "策略已保存。", enrolmentRequired: "主账号要求开启两步验证，请先设置身份验证器。",
    enrolmentDone: "进入账号中心",
    signInWithSms: "短信验证码登录", signInWithPassword: "密码登录",
    rememberDevice: "30 天内在此设备上免验证", emailCodeLabel: "邮件中的验证码",
    newDeviceHint: "这是您账号的新设备：验证码已发送到您的邮箱，请输入以完成登录。",
    resetRequiredHint: "在此期间，您仍可使用短信验证码或通行密钥登录。",
    devices: "受信任设备", devicesIntro: "这些浏览器在 30 天内登录时免两步验证。修改密码或两步验证设置后将全部失效。",
    noDevices: "没有受信任设备。", forget: "移除", forgetAll: "移除所有设备", remembered: "信任时间",
    language: "语言", show: "显示", thisDevice: "当前设备", device: "设备",
    notFound: "页面不存在", notFoundHint: "地址可能输错了，或页面已经移动。",
    backToSignIn: "前往登录", supportContact: "客服", termsOfService: "服务条款",
    privacyPolicy: "隐私政策", termsAccept: "我已阅读并同意{terms}", termsAndPrivacy: "{terms}和{privacy}",
    consentSensitive: "我同意{product}仅为核验身份处理我的证件号码和证明材料（属于敏感个人信息），并按其{privacy}保存。",
    consentRequired: "请先同意处理您的证件信息。", theTerms: "《服务条款》", thePrivacy: "《隐私政策》",
    consentAppeal: "我同意{product}仅为核实本次申诉处理我在此填写的证件信息，具体见其{privacy}。", networkDown: "无法连接到服务，请检查网络后重试。",
    tooManyRequests: "请求过于频繁。", serviceDown: "服务暂时不可用，请稍后重试。",
    requestRefused: "请求被拒绝（HTTP {status}），请刷新页面后重试。",
    tryAgainIn: "请在 {time} 后重试。", tryAgainNow: "现在可以重试了。",
    ruleClasses: "至少包含以下 {n} 类：{classes}", class_uppercase: "大写字母", class_lowercase: "小写字母",
    class_digit: "数字", class_symbol: "符号", listSeparator: "、",
    ruleAscii: "只能使用标准键盘上的字母、数字和符号，不含空格",
    ruleNotCommon: "不能是常用密码（提交时检查）",
    ruleNotBreached: "不能是已泄露的密码（提交时检查）",
    wrongSecondCode: "验证码不正确。请输入应用中的当前验证码，或一个未使用的恢复码。",
    secondStepVoid: "验证码错误次数过多，本次登录已结束，请重新登录。", sendLink: "发送链接", sendUsername: "发送用户名",
    copyCodes: "复制", codesCopied: "已复制。", downloadCodes: "下载", savedCodes: "我已将这些恢复码保存在安全的地方",
    codesDone: "完成", accountId: "账号 ID", emailLanguage: "邮件和短信语言",
    verification_unverified: "未认证", verification_pending_review: "审核中",
    verification_approved: "已认证", verification_rejected: "未通过",
    deletion_none: "无申请", deletion_pending_review: "审核中", deletion_approved: "已批准，正在注销",
    deletion_rejected: "已驳回", deletion_cancelled: "已撤销", deletion_done: "已注销",
    status_deleting: "注销中", loginPassword: "登录密码", change: "修改", manage: "管理", close: "关闭",
    passwordRowHint: "建议定期更换，不要在其他网站重复使用。", deviceCount: "已信任：{n}",
  },
};

function t(key, vars = {}) {
  const text = (TEXT[LANG] && TEXT[LANG][key]) || TEXT.en[key] || key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name]));
}

/** Fills every element with data-t="key" (text) or data-t-placeholder. */
function translatePage() {
  document.documentElement.lang = LANG;
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  for (const el of document.querySelectorAll("[data-t-label]")) el.setAttribute("aria-label", t(el.dataset.tLabel));
  addLanguageSwitch();
  for (const input of document.querySelectorAll("input[type=password]")) addRevealToggle(input);
}

/** A "Show" toggle beside a password field (a pressed button shows it as
 * text). Its label stays "Show"; `aria-pressed` says which state it is in. */
function addRevealToggle(input) {
  if (input.dataset.reveal) return;
  input.dataset.reveal = "on";
  const wrap = document.createElement("div");
  wrap.className = "reveal";
  const toggle = document.createElement("button");
  toggle.type = "button";
  toggle.className = "secondary reveal-toggle";
  toggle.textContent = t("show");
  toggle.setAttribute("aria-pressed", "false");
  toggle.setAttribute("aria-controls", input.id);
  toggle.addEventListener("click", () => {
    const shown = input.type === "password";
    input.type = shown ? "text" : "password";
    toggle.setAttribute("aria-pressed", String(shown));
  });
  // A form reset hides it again.
  if (input.form) input.form.addEventListener("reset", () => { input.type = "password"; toggle.setAttribute("aria-pressed", "false"); });
  input.before(wrap);
  wrap.append(input, toggle);
}

// The button that started what the next API call does (a form's submitter
// or a clicked button): it shows that it is working and cannot be pressed
// again until the service answers.
let pressed = null;
// A handler makes its first call at once, so the mark lasts one task only.
function press(button) {
  pressed = button;
  setTimeout(() => { if (pressed === button) pressed = null; });
}
document.addEventListener("submit", (event) => press(event.submitter || event.target.querySelector("button[type=submit]")), true);
document.addEventListener("click", (event) => {
  const button = event.target.closest && event.target.closest("button[type=button]");
  if (button) press(button);
}, true);

/** Marks `button` as working (disabled, `aria-busy`) until `promise` settles. */
async function whileWorking(button, promise) {
  if (!button || button.disabled) return promise;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  button.classList.add("busy");
  try { return await promise; } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.classList.remove("busy");
  }
}

/** Calls the API; resolves to {status, body} and never throws on 4xx/5xx.
 * The button that asked for it is busy meanwhile. */
function api(method, path, body, headers = {}) {
  const button = pressed;
  pressed = null;
  return whileWorking(button, request(method, path, body, headers));
}

async function request(method, path, body, headers) {
  const init = {
    method,
    credentials: "same-origin",
    headers: { "Accept-Language": LANG, "X-Requested-With": "XMLHttpRequest", ...headers },
  };
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    // A string is a body already serialised (and signed: web/ops.js).
    init.body = typeof body === "string" ? body : JSON.stringify(body);
  }
  let response, text;
  try {
    response = await fetch(path, init);
    text = await response.text();
  } catch (_) {
    // Offline, or the connection broke: status 0, said by problemText.
    return { status: 0, body: null, headers: new Headers() };
  }
  let parsed = null;
  try { parsed = text ? JSON.parse(text) : null; } catch (_) { parsed = null; }
  return { status: response.status, body: parsed, headers: response.headers };
}

/** What a failed answer says: the service's own text (in the page's
 * language), else what the front door's or the network's failure means. */
function problemText(result) {
  const problem = result.body || {};
  if (problem.detail) return problem.detail;
  if (result.status === 0) return t("networkDown");
  if (result.status === 429) return t("tooManyRequests");
  if (result.status >= 500) return t("serviceDown");
  return t("requestRefused", { status: result.status });
}

/** Clears the errors of `form`, then shows a problem's field errors next to
 * their fields (`errors[].field` matches an input's name) and its detail
 * in the form's notice. Returns true when there was a problem. */
function showProblem(form, result) {
  for (const el of form.querySelectorAll(".error")) el.remove();
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  for (const el of form.querySelectorAll("[data-described-by]")) {
    if (el.dataset.describedBy) el.setAttribute("aria-describedby", el.dataset.describedBy);
    else el.removeAttribute("aria-describedby");
    delete el.dataset.describedBy;
  }
  const notice = form.querySelector(".notice");
  if (notice) { notice.hidden = true; notice.className = "notice"; }
  if (result.status < 400) return false;
  const problem = result.body || {};
  let placed = false;
  for (const error of problem.errors || []) {
    const name = error.field.replace(/\[\d+\]$/, "");
    const input = form.querySelector(`[name="${CSS.escape(name)}"]`);
    if (!input) continue;
    input.setAttribute("aria-invalid", "true");
    const message = document.createElement("div");
    message.className = "error";
    message.setAttribute("role", "alert");
    message.id = `${name}-error-${Math.random().toString(36).slice(2, 7)}`;
    message.textContent = error.message;
    if (input.dataset.describedBy === undefined) input.dataset.describedBy = input.getAttribute("aria-describedby") || "";
    input.setAttribute("aria-describedby", `${input.dataset.describedBy} ${message.id}`.trim());
    (input.closest(".row") || input.closest(".phone") || input.closest(".reveal") || input.closest("label.check") || input).after(message);
    placed = true;
  }
  if (notice && (!placed || !problem.errors)) say(notice, problemText(result), false);
  // A locked sign-in (or the front door's throttle): the form waits, and
  // says for how long.
  const wait = retryAfter(result);
  if (notice && wait && problem.code !== "rate_limited") holdForm(form, notice, problemText(result), wait);
  return true;
}

/** A problem, shown as a field's, for a consent not given. */
function consentMissing() {
  const message = t("consentRequired");
  return { status: 422, body: { detail: message, errors: [{ field: "consent", code: "consent_required", message }] } };
}

/** Seconds a `429` asks to wait: its `retry_after`, else its `Retry-After`
 * header, else 0. */
function retryAfter(result) {
  if (result.status !== 429) return 0;
  const fromBody = result.body && Number(result.body.retry_after);
  if (fromBody > 0) return fromBody;
  const header = Number(result.headers && result.headers.get("retry-after"));
  return header > 0 ? header : 0;
}

/** "14:05" for 845 seconds. */
function clockText(seconds) {
  const m = Math.floor(seconds / 60);
  return `${m}:${String(seconds % 60).padStart(2, "0")}`;
}

/** Disables `form`'s submit button for `seconds`, counting down in its
 * notice beside `text`; then the form is usable again. */
function holdForm(form, notice, text, seconds) {
  const submit = form.querySelector("button[type=submit]");
  const until = Date.now() + seconds * 1000;
  clearInterval(form.holdTimer);
  const tick = () => {
    const left = Math.ceil((until - Date.now()) / 1000);
    if (left <= 0 || notice.hidden) {
      clearInterval(form.holdTimer);
      if (submit) submit.disabled = false;
      if (!notice.hidden) say(notice, t("tryAgainNow"));
      return;
    }
    if (submit) submit.disabled = true;
    notice.textContent = `${text} ${t("tryAgainIn", { time: clockText(left) })}`;
  };
  tick();
  form.holdTimer = setInterval(tick, 1000);
}

/** Wires a "send code" `button` of `form`: `send()` asks for the code;
 * the button then counts down from the answer's `retry_after` (or a
 * refusal's), so the next code is asked for when it may be sent. */
function sendCodeButton(button, form, send) {
  button.addEventListener("click", async () => {
    const result = await send();
    if (showProblem(form, result)) {
      const wait = retryAfter(result);
      if (wait) countdown(button, wait);
      return;
    }
    say(form.querySelector(".notice"), t("codeSent"));
    countdown(button, Number(result.body && result.body.retry_after) || 60);
  });
}

/** Counts `button` (a "send code" button) down from `seconds`, disabled
 * meanwhile, then gives it its label back. */
function countdown(button, seconds) {
  const label = button.dataset.t ? t(button.dataset.t) : button.textContent;
  button.disabled = true;
  const tick = () => {
    if (seconds <= 0) { button.disabled = false; button.textContent = label; return; }
    button.textContent = t("resendIn", { s: seconds-- });
    setTimeout(tick, 1000);
  };
  tick();
}

/** A time as people read it: local, with its zone ("7 Dec 2026, 09:30 GMT+8"). */
function when(rfc3339) {
  return new Date(rfc3339).toLocaleString(LANG, { year: "numeric", month: "short", day: "numeric", hour: "2-digit",
    minute: "2-digit", timeZoneName: "short" });
}

/** How long ago `rfc3339` was ("5 minutes ago", "昨天"), to the largest whole unit. */
function ago(rfc3339) {
  // A server clock a little ahead of this one's reads as now, never "in …".
  const seconds = Math.min(0, Math.round((new Date(rfc3339) - Date.now()) / 1000));
  const format = new Intl.RelativeTimeFormat(LANG, { numeric: "auto" });
  for (const [unit, size] of [["day", 86400], ["hour", 3600], ["minute", 60]]) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  }
  return format.format(0, "minute");
}

/** A time as relative and local: the relative in the text, the exact in a tooltip-free second line. */
function whenCell(rfc3339) {
  const cell = document.createElement("span");
  const relative = document.createElement("span");
  relative.textContent = ago(rfc3339);
  const exact = document.createElement("time");
  exact.dateTime = rfc3339;
  exact.className = "muted exact";
  exact.textContent = when(rfc3339);
  cell.append(relative, exact);
  return cell;
}

/** A device as a service's parsed agent names it: "Chrome 120 · Windows 10",
 * or the raw agent when the parser could not tell. */
function deviceName(item) {
  const parts = [item.browser, item.os].filter(Boolean);
  return parts.length ? parts.join(" · ") : (item.user_agent || "—");
}

/** An address as consoles show one they sent to: `a***@example.com`. */
function maskEmail(address) {
  const at = address.lastIndexOf("@");
  if (at < 1) return address;
  return `${address[0]}***${address.slice(at)}`;
}

function say(notice, text, ok = true) {
  notice.textContent = text;
  notice.className = `notice ${ok ? "ok" : "bad"}`;
  notice.hidden = false;
  notice.setAttribute("role", ok ? "status" : "alert");
}

/** A form's fields as an object, empty strings left out; phone fields in
 * E.164, composed from their region picker. */
function values(form) {
  const data = {};
  for (const [key, value] of new FormData(form).entries()) {
    if (typeof value === "string" && value !== "") data[key] = value;
  }
  for (const input of form.querySelectorAll("input[data-phone]")) {
    if (data[input.name] !== undefined) data[input.name] = phoneValue(input);
  }
  return data;
}

// Phone numbers as people type them: a region picker beside every phone
// field (the regions the service sends SMS to, `GET /v1/sms-regions`; the
// first is the default), the national number with or without spaces, and
// E.164 sent. A number typed with `+` or `00` is taken as international.
let smsRegions = null;

async function loadSmsRegions() {
  if (!smsRegions) {
    smsRegions = request("GET", "/v1/sms-regions").then((r) =>
      r.status === 200 ? r.body.regions : [{ region: "CN", calling_code: 86, national_prefix: "0" }]);
  }
  return smsRegions;
}

function regionName(code) {
  try { return new Intl.DisplayNames([LANG], { type: "region" }).of(code); } catch (_) { return code; }
}

/** Puts a region picker before each `input[data-phone]` on the page (each
 * sits in a `div.phone` of its page's HTML). */
async function addRegionPickers() {
  const inputs = document.querySelectorAll("input[data-phone]");
  if (!inputs.length) return;
  const regions = await loadSmsRegions();
  for (const input of inputs) {
    const select = document.createElement("select");
    select.className = "region";
    select.id = `${input.id}-region`;
    select.setAttribute("aria-label", t("region"));
    for (const r of regions) {
      const option = new Option(`${regionName(r.region)} +${r.calling_code}`, r.region);
      option.dataset.code = r.calling_code;
      option.dataset.prefix = r.national_prefix || "";
      select.append(option);
    }
    // Inserted beside the field, never moving it (a focused field would blur).
    input.before(select);
    input.placeholder = "138 0013 8000";
  }
}

/** E.164 of what `input` holds, with its region picker's calling code. */
function phoneValue(input) {
  const typed = input.value.trim();
  const digits = typed.replace(/[^0-9]/g, "");
  if (!typed) return "";
  if (typed.startsWith("+")) return `+${digits}`;
  if (digits.startsWith("00")) return `+${digits.slice(2)}`;
  const select = document.getElementById(`${input.id}-region`);
  const option = select && select.selectedOptions[0];
  if (!option) return typed;
  const prefix = option.dataset.prefix;
  const national = prefix && digits.startsWith(prefix) ? digits.slice(prefix.length) : digits;
  return `+${option.dataset.code}${national}`;
}

/** A number masked as Chinese consoles show it: `138****8000` for a
 * mainland number, `+852****4567` (four digits hidden) for others. */
function maskPhone(e164) {
  if (!e164) return e164;
  const digits = e164.replace(/^\+/, "");
  if (digits.startsWith("86") && digits.length === 13) return `${digits.slice(2, 5)}****${digits.slice(-4)}`;
  return `+${digits.slice(0, -8)}****${digits.slice(-4)}`;
}

/** PUTs `file` to `url` showing progress in `progress` (a <progress>) and
 * `label`; `cancel` (a button) aborts it. Resolves to the HTTP status, or 0
 * if cancelled or the network failed. */
function upload(url, file, contentType, { progress, label, cancel }) {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    const size = (n) => n < 1024 * 1024 ? `${Math.round(n / 1024)} KB` : `${(n / 1048576).toFixed(1)} MB`;
    const show = (sent) => {
      progress.max = file.size; progress.value = sent;
      label.textContent = t("uploadProgress", { sent: size(sent), total: size(file.size) });
    };
    progress.hidden = false; label.hidden = false; cancel.hidden = false;
    show(0);
    xhr.upload.addEventListener("progress", (e) => show(e.loaded));
    const done = (status) => { cancel.hidden = true; cancel.onclick = null; resolve(status); };
    xhr.addEventListener("load", () => { show(file.size); done(xhr.status); });
    xhr.addEventListener("error", () => done(0));
    xhr.addEventListener("abort", () => { label.textContent = t("uploadCancelled"); progress.hidden = true; done(0); });
    cancel.onclick = () => xhr.abort();
    xhr.open("PUT", url);
    xhr.setRequestHeader("Content-Type", contentType);
    xhr.send(file);
  });
}

// The password rules as the service enforces them (`GET /v1/password-policy`),
// re-checked as the user types; the server decides.
let passwordPolicy = null;
function loadPasswordPolicy() {
  if (!passwordPolicy) passwordPolicy = request("GET", "/v1/password-policy").then((r) => (r.status === 200 ? r.body : null));
  return passwordPolicy;
}

const CLASS_TESTS = {
  uppercase: (p) => /[A-Z]/.test(p), lowercase: (p) => /[a-z]/.test(p),
  digit: (p) => /[0-9]/.test(p), symbol: (p) => /[!-\/:-@\[-`{-~]/.test(p),
};
const CLASS_RULES = { uppercase: "ruleUpper", lowercase: "ruleLower", digit: "ruleDigit", symbol: "ruleSymbol" };

/** The checklist of `policy`: [text, test or null (said, not checked here)]. */
function passwordRules(policy, usernameOf) {
  const length = (p) => [...(policy.preset === "nist" ? p.normalize("NFC") : p)].length;
  const rules = [[t("ruleLength", { min: policy.min_length, max: policy.max_length }),
    (p) => length(p) >= policy.min_length && length(p) <= policy.max_length]];
  const classes = policy.character_classes;
  if (classes.length && policy.min_classes === classes.length) {
    for (const name of classes) rules.push([t(CLASS_RULES[name]), CLASS_TESTS[name]]);
  } else if (policy.min_classes > 0) {
    const names = classes.map((name) => t(`class_${name}`)).join(t("listSeparator"));
    rules.push([t("ruleClasses", { n: policy.min_classes, classes: names }),
      (p) => classes.filter((name) => CLASS_TESTS[name](p)).length >= policy.min_classes]);
  }
  if (policy.ascii_only) rules.push([t("ruleAscii"), (p) => p.length > 0 && /^[!-~]*$/.test(p)]);
  if (policy.refuses_username) {
    rules.push([t("ruleNoName"), (p) => { const u = usernameOf(); return Boolean(u) && p.length > 0 && !p.toLowerCase().includes(u.toLowerCase()); }]);
  }
  if (policy.refuses_common) rules.push([t("ruleNotCommon"), null]);
  if (policy.refuses_breached) rules.push([t("ruleNotBreached"), null]);
  return rules;
}

/** Renders the service's rules into `list` and ticks them as `input` is
 * typed; `usernameOf` gives the username once the page knows it (until
 * then that rule stays unticked). Returns a function that re-checks. */
async function watchPasswordRules(input, list, usernameOf = () => "") {
  const policy = await loadPasswordPolicy();
  if (!policy) return () => {};
  const rules = passwordRules(policy, usernameOf);
  list.dataset.preset = policy.preset;
  const items = rules.map(([text, test]) => {
    const li = document.createElement("li");
    li.textContent = text;
    if (!test) li.className = "said";
    list.append(li);
    return li;
  });
  list.replaceChildren(...items);
  const update = () => rules.forEach(([, test], i) => { if (test) items[i].classList.toggle("met", test(input.value)); });
  input.addEventListener("input", update);
  update();
  return update;
}

// The site's own name, logo, favicon, links and support contact
// (`/site.json`, published with the pages: scripts/publish-pages --site;
// the dev server's ACCOUNTS_SITE_DIR). The pages work without it.
let site = null;
function loadSite() {
  if (!site) site = request("GET", "/site.json").then((r) => (r.status === 200 && r.body ? r.body : {}));
  return site;
}

/** A configured text: a string, or one per language. */
function siteText(value) {
  if (!value) return "";
  return typeof value === "string" ? value : value[LANG] || value.en || "";
}

/** A link to `url` (a new tab: the form stays as filled), or `text` alone. */
function siteLink(url, text) {
  if (!url) return document.createTextNode(text);
  const link = document.createElement("a");
  link.href = url; link.textContent = text; link.target = "_blank"; link.rel = "noopener";
  return link;
}

/** Fills `element` with `t(key)`, its `{name}`s replaced by `parts[name]` (text or nodes). */
function fillWith(element, key, parts) {
  const text = (TEXT[LANG] && TEXT[LANG][key]) || TEXT.en[key];
  element.replaceChildren(...text.split(/(\{\w+\})/).filter(Boolean).map((piece) => {
    const name = piece.match(/^\{(\w+)\}$/);
    if (!name) return document.createTextNode(piece);
    const part = parts[name[1]];
    return part instanceof Node ? part : document.createTextNode(String(part));
  }));
}

async function applySite() {
  const config = await loadSite();
  const name = siteText(config.product_name);
  const brand = document.querySelector("header strong");
  if (brand && name) brand.textContent = name;
  if (brand && config.logo) {
    const logo = new Image(24, 24);
    logo.src = config.logo; logo.alt = ""; logo.className = "logo";
    brand.prepend(logo);
  }
  if (config.favicon) {
    const icon = document.querySelector("link[rel=icon]") || document.head.appendChild(document.createElement("link"));
    icon.rel = "icon"; icon.href = config.favicon;
  }
  addFooter(config, name);
  for (const el of document.querySelectorAll("[data-consent]")) {
    fillWith(el, el.dataset.consent, { product: name || "GPU Cloud", privacy: siteLink(config.privacy_url, t("thePrivacy")) });
  }
  const terms = document.querySelector("[data-terms]");
  if (terms) {
    const termsLink = siteLink(config.terms_url, t("theTerms"));
    const both = document.createElement("span");
    if (config.privacy_url) fillWith(both, "termsAndPrivacy", { terms: termsLink, privacy: siteLink(config.privacy_url, t("thePrivacy")) });
    fillWith(terms, "termsAccept", { terms: config.privacy_url ? both : termsLink });
  }
}

/** The footer: the product, its support contact and its terms and privacy policy. */
function addFooter(config, name) {
  const support = config.support || {};
  const items = [];
  if (support.email) items.push(siteLink(`mailto:${support.email}`, support.email));
  if (support.phone) items.push(siteLink(`tel:${support.phone.replace(/[^+0-9]/g, "")}`, support.phone));
  if (support.url) items.push(siteLink(support.url, t("supportContact")));
  const links = [];
  if (config.terms_url) links.push(siteLink(config.terms_url, t("termsOfService")));
  if (config.privacy_url) links.push(siteLink(config.privacy_url, t("privacyPolicy")));
  if (!items.length && !links.length && !name) return;
  const footer = document.createElement("footer");
  const line = (label, parts) => {
    const p = document.createElement("p");
    if (label) p.append(`${label}: `);
    parts.forEach((part, i) => { if (i) p.append(" · "); p.append(part); });
    return p;
  };
  if (items.length) footer.append(line(t("supportContact"), items));
  footer.append(line("", [`© ${new Date().getFullYear()} ${name || ""}`.trim(), ...links]));
  document.body.append(footer);
}

document.addEventListener("DOMContentLoaded", () => { translatePage(); addRegionPickers(); applySite(); });

// Passkeys: WebAuthn options arrive and credentials leave as JSON (binary
// fields base64url). Browsers with WebAuthn Level 3 convert themselves
// (`parse…OptionsFromJSON`, `toJSON()`); older ones are converted here.
const b64url = {
  decode(text) {
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
  },
  encode(buffer) {
    let binary = "";
    for (const byte of new Uint8Array(buffer)) binary += String.fromCharCode(byte);
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  },
};

function passkeysSupported() {
  return Boolean(window.PublicKeyCredential && navigator.credentials && navigator.credentials.create);
}

function creationOptions(json) {
  if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  return { ...json, challenge: b64url.decode(json.challenge), user: { ...json.user, id: b64url.decode(json.user.id) },
    excludeCredentials: (json.excludeCredentials || []).map((c) => ({ ...c, id: b64url.decode(c.id) })) };
}

function requestOptions(json) {
  if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  return { ...json, challenge: b64url.decode(json.challenge),
    allowCredentials: (json.allowCredentials || []).map((c) => ({ ...c, id: b64url.decode(c.id) })) };
}

function credentialJSON(credential) {
  if (credential.toJSON) return credential.toJSON();
  const r = credential.response;
  const response = { clientDataJSON: b64url.encode(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = b64url.encode(r.attestationObject);
    response.transports = r.getTransports ? r.getTransports() : [];
  } else {
    response.authenticatorData = b64url.encode(r.authenticatorData);
    response.signature = b64url.encode(r.signature);
    if (r.userHandle) response.userHandle = b64url.encode(r.userHandle);
  }
  return { id: credential.id, rawId: b64url.encode(credential.rawId), type: credential.type, response,
    authenticatorAttachment: credential.authenticatorAttachment, clientExtensionResults: credential.getClientExtensionResults() };
}
