//! The route table: the one source of truth for which function serves which
//! route. The dev server routes by it, each Lambda checks it, and a test
//! holds `infra/template.yaml` and `openapi.yaml` to it.

/// A deployed Lambda function (one per flow).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Function {
    /// `functions/sms-codes`.
    SmsCodes,
    /// `functions/sign-up`.
    SignUp,
    /// `functions/set-password`.
    SetPassword,
    /// `functions/sessions`.
    Sessions,
    /// `functions/forgot-password`.
    ForgotPassword,
    /// `functions/change-password`.
    ChangePassword,
    /// `functions/verification`.
    Verification,
    /// `functions/operator`.
    Operator,
    /// `functions/deletion`.
    Deletion,
    /// `functions/sub-accounts`.
    SubAccounts,
    /// `functions/security`.
    Security,
    /// `functions/contact-details`.
    ContactDetails,
    /// `functions/appeals`.
    Appeals,
}

impl Function {
    /// Every function.
    pub const ALL: &[Function] = &[
        Self::SmsCodes,
        Self::SignUp,
        Self::SetPassword,
        Self::Sessions,
        Self::ForgotPassword,
        Self::ChangePassword,
        Self::Verification,
        Self::Operator,
        Self::Deletion,
        Self::SubAccounts,
        Self::Security,
        Self::ContactDetails,
        Self::Appeals,
    ];

    /// The crate and binary name under `functions/`.
    pub fn name(self) -> &'static str {
        match self {
            Self::SmsCodes => "sms-codes",
            Self::SignUp => "sign-up",
            Self::SetPassword => "set-password",
            Self::Sessions => "sessions",
            Self::ForgotPassword => "forgot-password",
            Self::ChangePassword => "change-password",
            Self::Verification => "verification",
            Self::Operator => "operator",
            Self::Deletion => "deletion",
            Self::SubAccounts => "sub-accounts",
            Self::Security => "security",
            Self::ContactDetails => "contact-details",
            Self::Appeals => "appeals",
        }
    }
}

/// Every public and operator route.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RouteId {
    /// `POST /v1/sms-codes`.
    CreateSmsCode,
    /// `POST /v1/accounts`.
    CreateAccount,
    /// `POST /v1/password/set`.
    SetPassword,
    /// `POST /v1/password/link`.
    InspectLink,
    /// `POST /v1/password/link/decline`.
    DeclineLink,
    /// `POST /v1/sessions`.
    CreateSession,
    /// `DELETE /v1/sessions/current`.
    DeleteCurrentSession,
    /// `GET /v1/me`.
    GetMe,
    /// `POST /v1/password/forgot`.
    ForgotPassword,
    /// `POST /v1/password/reset`.
    ResetPassword,
    /// `PUT /v1/me/password`.
    ChangePassword,
    /// `POST /v1/me/verification/materials`.
    CreateMaterial,
    /// `POST /v1/me/verification`.
    SubmitVerification,
    /// `GET /v1/me/verification`.
    GetVerification,
    /// `GET /ops/v1/accounts/{username}`.
    OpsGetAccount,
    /// `GET /ops/v1/verifications`.
    OpsListVerifications,
    /// `GET /ops/v1/verifications/{account_id}`.
    OpsGetVerification,
    /// `POST /ops/v1/verifications/{account_id}/decision`.
    OpsDecideVerification,
    /// `GET /ops/v1/audit`.
    OpsAudit,
    /// `POST /v1/me/deletion-request`.
    RequestDeletion,
    /// `GET /v1/me/deletion-request`.
    GetDeletion,
    /// `DELETE /v1/me/deletion-request`.
    CancelDeletion,
    /// `POST /v1/me/sub-accounts`.
    CreateSubAccount,
    /// `GET /v1/me/sub-accounts`.
    ListSubAccounts,
    /// `POST /v1/me/sub-accounts/{username}/password-reset`.
    ResetSubAccount,
    /// `GET /ops/v1/deletion-requests`.
    OpsListDeletions,
    /// `POST /ops/v1/deletion-requests/{request_id}/decision`.
    OpsDecideDeletion,
    /// `POST /v1/sessions/mfa`.
    CreateSessionWithSecondFactor,
    /// `POST /v1/username/forgot`.
    ForgotUsername,
    /// `GET /v1/me/sessions`.
    ListSessions,
    /// `DELETE /v1/me/sessions/{session_id}`.
    EndSession,
    /// `DELETE /v1/me/sessions`.
    EndOtherSessions,
    /// `POST /v1/me/mfa/totp`.
    EnrolTotp,
    /// `POST /v1/me/mfa/totp/confirm`.
    ConfirmTotp,
    /// `DELETE /v1/me/mfa`.
    DisableMfa,
    /// `POST /v1/me/email`.
    RequestEmailChange,
    /// `POST /v1/me/email/confirm`.
    ConfirmEmailChange,
    /// `POST /v1/me/phone/sms-code`.
    SendPhoneCode,
    /// `PUT /v1/me/phone`.
    ChangePhone,
    /// `POST /ops/v1/accounts/{username}/suspension`.
    OpsSuspend,
    /// `DELETE /ops/v1/accounts/{username}/suspension`.
    OpsLiftSuspension,
    /// `POST /v1/appeals`.
    FileAppeal,
    /// `POST /v1/appeals/confirm`.
    ConfirmAppeal,
    /// `GET /ops/v1/appeals`.
    OpsListAppeals,
    /// `POST /ops/v1/appeals/{appeal_id}/decision`.
    OpsDecideAppeal,
    /// `GET /ops/v1/appeals/{appeal_id}`.
    OpsGetAppeal,
    /// `POST /v1/appeals/cancel`.
    CancelAppeal,
    /// `POST /v1/me/mfa/recovery-codes`.
    ReplaceRecoveryCodes,
}

/// Who may call a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone; signed-in routes check the session themselves.
    Public,
    /// Operators only: API Gateway IAM auth deployed (and the function
    /// refuses a request without an IAM principal), the operator token in
    /// `accounts-dev`.
    Operator,
}

/// Whether a route reads a JSON body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyKind {
    /// No body is read.
    None,
    /// An `application/json` body of at most 64 KiB.
    Json,
}

/// One row of the route table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// Which route.
    pub id: RouteId,
    /// HTTP method.
    pub method: &'static str,
    /// Path template, API Gateway style (`/v1/x/{name}`).
    pub path: &'static str,
    /// The function that serves it.
    pub function: Function,
    /// Its body.
    pub body: BodyKind,
    /// Who may call it.
    pub access: Access,
}

impl Route {
    /// API Gateway's route key, e.g. `POST /v1/sessions`.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

const fn route(id: RouteId, method: &'static str, path: &'static str, function: Function, body: BodyKind) -> Route {
    Route { id, method, path, function, body, access: Access::Public }
}

const fn ops_route(id: RouteId, method: &'static str, path: &'static str, body: BodyKind) -> Route {
    Route { id, method, path, function: Function::Operator, body, access: Access::Operator }
}

/// The whole table.
pub const ROUTES: &[Route] = &[
    route(RouteId::CreateSmsCode, "POST", "/v1/sms-codes", Function::SmsCodes, BodyKind::Json),
    route(RouteId::CreateAccount, "POST", "/v1/accounts", Function::SignUp, BodyKind::Json),
    route(RouteId::SetPassword, "POST", "/v1/password/set", Function::SetPassword, BodyKind::Json),
    route(RouteId::InspectLink, "POST", "/v1/password/link", Function::SetPassword, BodyKind::Json),
    route(RouteId::DeclineLink, "POST", "/v1/password/link/decline", Function::SetPassword, BodyKind::Json),
    route(RouteId::CreateSession, "POST", "/v1/sessions", Function::Sessions, BodyKind::Json),
    route(RouteId::DeleteCurrentSession, "DELETE", "/v1/sessions/current", Function::Sessions, BodyKind::None),
    route(RouteId::GetMe, "GET", "/v1/me", Function::Sessions, BodyKind::None),
    route(RouteId::ForgotPassword, "POST", "/v1/password/forgot", Function::ForgotPassword, BodyKind::Json),
    route(RouteId::ResetPassword, "POST", "/v1/password/reset", Function::ForgotPassword, BodyKind::Json),
    route(RouteId::ChangePassword, "PUT", "/v1/me/password", Function::ChangePassword, BodyKind::Json),
    route(RouteId::CreateMaterial, "POST", "/v1/me/verification/materials", Function::Verification, BodyKind::Json),
    route(RouteId::SubmitVerification, "POST", "/v1/me/verification", Function::Verification, BodyKind::Json),
    route(RouteId::GetVerification, "GET", "/v1/me/verification", Function::Verification, BodyKind::None),
    ops_route(RouteId::OpsGetAccount, "GET", "/ops/v1/accounts/{username}", BodyKind::None),
    ops_route(RouteId::OpsListVerifications, "GET", "/ops/v1/verifications", BodyKind::None),
    ops_route(RouteId::OpsGetVerification, "GET", "/ops/v1/verifications/{account_id}", BodyKind::None),
    ops_route(RouteId::OpsDecideVerification, "POST", "/ops/v1/verifications/{account_id}/decision", BodyKind::Json),
    ops_route(RouteId::OpsAudit, "GET", "/ops/v1/audit", BodyKind::None),
    route(RouteId::RequestDeletion, "POST", "/v1/me/deletion-request", Function::Deletion, BodyKind::Json),
    route(RouteId::GetDeletion, "GET", "/v1/me/deletion-request", Function::Deletion, BodyKind::None),
    route(RouteId::CancelDeletion, "DELETE", "/v1/me/deletion-request", Function::Deletion, BodyKind::None),
    route(RouteId::CreateSubAccount, "POST", "/v1/me/sub-accounts", Function::SubAccounts, BodyKind::Json),
    route(RouteId::ListSubAccounts, "GET", "/v1/me/sub-accounts", Function::SubAccounts, BodyKind::None),
    route(
        RouteId::ResetSubAccount,
        "POST",
        "/v1/me/sub-accounts/{username}/password-reset",
        Function::SubAccounts,
        BodyKind::None,
    ),
    ops_route(RouteId::OpsListDeletions, "GET", "/ops/v1/deletion-requests", BodyKind::None),
    ops_route(RouteId::OpsDecideDeletion, "POST", "/ops/v1/deletion-requests/{request_id}/decision", BodyKind::Json),
    route(RouteId::CreateSessionWithSecondFactor, "POST", "/v1/sessions/mfa", Function::Sessions, BodyKind::Json),
    route(RouteId::ForgotUsername, "POST", "/v1/username/forgot", Function::ForgotPassword, BodyKind::Json),
    route(RouteId::ListSessions, "GET", "/v1/me/sessions", Function::Security, BodyKind::None),
    route(RouteId::EndSession, "DELETE", "/v1/me/sessions/{session_id}", Function::Security, BodyKind::None),
    route(RouteId::EndOtherSessions, "DELETE", "/v1/me/sessions", Function::Security, BodyKind::None),
    route(RouteId::EnrolTotp, "POST", "/v1/me/mfa/totp", Function::Security, BodyKind::Json),
    route(RouteId::ConfirmTotp, "POST", "/v1/me/mfa/totp/confirm", Function::Security, BodyKind::Json),
    route(RouteId::DisableMfa, "DELETE", "/v1/me/mfa", Function::Security, BodyKind::Json),
    route(RouteId::ReplaceRecoveryCodes, "POST", "/v1/me/mfa/recovery-codes", Function::Security, BodyKind::Json),
    route(RouteId::RequestEmailChange, "POST", "/v1/me/email", Function::ContactDetails, BodyKind::Json),
    route(RouteId::ConfirmEmailChange, "POST", "/v1/me/email/confirm", Function::ContactDetails, BodyKind::Json),
    route(RouteId::SendPhoneCode, "POST", "/v1/me/phone/sms-code", Function::ContactDetails, BodyKind::Json),
    route(RouteId::ChangePhone, "PUT", "/v1/me/phone", Function::ContactDetails, BodyKind::Json),
    ops_route(RouteId::OpsSuspend, "POST", "/ops/v1/accounts/{username}/suspension", BodyKind::Json),
    ops_route(RouteId::OpsLiftSuspension, "DELETE", "/ops/v1/accounts/{username}/suspension", BodyKind::None),
    route(RouteId::FileAppeal, "POST", "/v1/appeals", Function::Appeals, BodyKind::Json),
    route(RouteId::ConfirmAppeal, "POST", "/v1/appeals/confirm", Function::Appeals, BodyKind::Json),
    route(RouteId::CancelAppeal, "POST", "/v1/appeals/cancel", Function::Appeals, BodyKind::Json),
    ops_route(RouteId::OpsListAppeals, "GET", "/ops/v1/appeals", BodyKind::None),
    ops_route(RouteId::OpsGetAppeal, "GET", "/ops/v1/appeals/{appeal_id}", BodyKind::None),
    ops_route(RouteId::OpsDecideAppeal, "POST", "/ops/v1/appeals/{appeal_id}/decision", BodyKind::Json),
];

/// The route with API Gateway route key `key`.
pub fn by_key(key: &str) -> Option<&'static Route> {
    let (method, path) = key.split_once(' ')?;
    ROUTES.iter().find(|r| r.method == method && r.path == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_unique_and_every_function_serves_one() {
        let keys: std::collections::HashSet<String> = ROUTES.iter().map(Route::key).collect();
        assert_eq!(keys.len(), ROUTES.len());
        for f in Function::ALL {
            assert!(ROUTES.iter().any(|r| r.function == *f), "{f:?}");
        }
        assert_eq!(by_key("POST /v1/sessions").map(|r| r.id), Some(RouteId::CreateSession));
        assert_eq!(by_key("GET /v1/sessions"), None);
    }
}
