//! The route table: the one source of truth for which function serves which
//! route. Every route is declared once, in [`route_declarations!`] (method,
//! path, body, access, the function that serves it and its handler); this
//! module builds the table from it, `api::functions` builds each function's
//! dispatch from it, the dev server routes by it, and tests hold
//! `infra/template.yaml`, `openapi.yaml`, `events/` and `functions/` to it.

/// Every route, once, grouped by the Lambda function that serves it:
///
/// `Function "crate-name" ENTRY_CONST { RouteId METHOD "/path" Body Access => handler [status Answer, …], … }`
///
/// Invokes `$then!` with the whole list. The handlers are paths under
/// `api::handlers`, resolved only where the dispatch is built; the answers
/// are the success statuses and their `api::views` types, which a surface
/// test holds to `openapi.yaml`.
macro_rules! route_declarations {
    ($then:ident) => {
        $then! {
            SmsCodes "sms-codes" SMS_CODES {
                CreateSmsCode POST "/v1/sms-codes" Json Public => sms_codes::create [202 CodeSent],
                ListSmsRegions GET "/v1/sms-regions" None Public => sms_codes::regions [200 SmsRegionList],
            }
            SignUp "sign-up" SIGN_UP {
                CreateAccount POST "/v1/accounts" Json Public => sign_up::create [201 AccountCreated],
            }
            SetPassword "set-password" SET_PASSWORD {
                SetPassword POST "/v1/password/set" Json Public => set_password::set [204 NoContent],
                InspectLink POST "/v1/password/link" Json Public => set_password::inspect_link [200 LinkInfo],
                DeclineLink POST "/v1/password/link/decline" Json Public => set_password::decline_link [204 NoContent],
                GetPasswordPolicy GET "/v1/password-policy" None Public => set_password::policy
                    [200 PasswordPolicyView],
            }
            Sessions "sessions" SESSIONS {
                CreateSession POST "/v1/sessions" Json Public => sessions::create [201 SessionCreated, 200 MfaRequired],
                DeleteCurrentSession DELETE "/v1/sessions/current" None Public => sessions::delete_current
                    [204 NoContent],
                GetMe GET "/v1/me" None Public => sessions::me [200 AccountView],
                CreateSessionWithSecondFactor POST "/v1/sessions/mfa" Json Public => sessions::create_with_second_factor
                    [201 SessionCreated],
                CreateSessionWithSmsCode POST "/v1/sessions/sms" Json Public => sessions::create_with_sms_code
                    [201 SessionCreated, 200 MfaRequired],
            }
            ForgotPassword "forgot-password" FORGOT_PASSWORD {
                ForgotPassword POST "/v1/password/forgot" Json Public => forgot_password::forgot [202 Empty],
                ResetPassword POST "/v1/password/reset" Json Public => forgot_password::reset [204 NoContent],
                ForgotUsername POST "/v1/username/forgot" Json Public => forgot_password::forgot_username [202 Empty],
            }
            ChangePassword "change-password" CHANGE_PASSWORD {
                ChangePassword PUT "/v1/me/password" Json Public => change_password::change [204 NoContent],
            }
            Verification "verification" VERIFICATION {
                CreateMaterial POST "/v1/me/verification/materials" Json Public => verification::create_material
                    [201 MaterialCreated],
                SubmitVerification POST "/v1/me/verification" Json Public => verification::submit [202 Status],
                GetVerification GET "/v1/me/verification" None Public => verification::get [200 VerificationStatusView],
            }
            Operator "operator" OPERATOR {
                OpsGetAccount GET "/ops/v1/accounts/{username}" None Operator => operator::account
                    [200 OperatorAccountView],
                OpsFindAccounts GET "/ops/v1/accounts" None Operator => operator::find_accounts
                    [200 Items<OperatorAccountView>],
                OpsListSessions GET "/ops/v1/accounts/{username}/sessions" None Operator => operator::sessions
                    [200 Items<OperatorSessionItem>],
                OpsSignOut DELETE "/ops/v1/accounts/{username}/sessions" Json Operator => operator::sign_out
                    [200 SignedOut],
                OpsResendInvitation POST "/ops/v1/accounts/{username}/invitation" None Operator
                    => operator::resend_invitation [202 Empty],
                OpsListVerifications GET "/ops/v1/verifications" None Operator => operator::list_verifications
                    [200 PageOf<VerificationRow>],
                OpsGetVerification GET "/ops/v1/verifications/{account_id}" None Operator => operator::get_verification
                    [200 SubmissionView],
                OpsDecideVerification POST "/ops/v1/verifications/{account_id}/decision" Json Operator
                    => operator::decide [200 SubmissionView],
                OpsAudit GET "/ops/v1/audit" None Operator => operator::audit_trail [200 PageOf<AuditItem>],
                OpsListDeletions GET "/ops/v1/deletion-requests" None Operator => operator::list_deletions
                    [200 PageOf<DeletionRow>],
                OpsDecideDeletion POST "/ops/v1/deletion-requests/{request_id}/decision" Json Operator
                    => operator::decide_deletion [200 DeletionView],
                OpsSuspend POST "/ops/v1/accounts/{username}/suspension" Json Operator => operator::suspend
                    [200 OperatorAccountView],
                OpsLiftSuspension DELETE "/ops/v1/accounts/{username}/suspension" None Operator
                    => operator::lift_suspension [200 OperatorAccountView],
                OpsListAppeals GET "/ops/v1/appeals" None Operator => operator::list_appeals [200 PageOf<AppealRow>],
                OpsGetAppeal GET "/ops/v1/appeals/{appeal_id}" None Operator => operator::get_appeal [200 AppealDetail],
                OpsDecideAppeal POST "/ops/v1/appeals/{appeal_id}/decision" Json Operator => operator::decide_appeal
                    [200 AppealDecided],
            }
            Deletion "deletion" DELETION {
                RequestDeletion POST "/v1/me/deletion-request" Json Public => deletion::request [202 DeletionCreated],
                GetDeletion GET "/v1/me/deletion-request" None Public => deletion::get [200 DeletionView],
                CancelDeletion DELETE "/v1/me/deletion-request" None Public => deletion::cancel [204 NoContent],
            }
            SubAccounts "sub-accounts" SUB_ACCOUNTS {
                CreateSubAccount POST "/v1/me/sub-accounts" Json Public => sub_accounts::create [201 AccountCreated],
                ListSubAccounts GET "/v1/me/sub-accounts" None Public => sub_accounts::list [200 Items<SubAccountItem>],
                ResetSubAccount POST "/v1/me/sub-accounts/{username}/password-reset" None Public => sub_accounts::reset
                    [202 Empty],
                DisableSubAccount POST "/v1/me/sub-accounts/{username}/disable" None Public => sub_accounts::disable
                    [204 NoContent],
                EnableSubAccount POST "/v1/me/sub-accounts/{username}/enable" Json Public => sub_accounts::enable
                    [204 NoContent],
                EndSubAccountSessions DELETE "/v1/me/sub-accounts/{username}/sessions" None Public
                    => sub_accounts::end_sessions [204 NoContent],
                RemoveSubAccount DELETE "/v1/me/sub-accounts/{username}" Json Public => sub_accounts::remove
                    [204 NoContent],
                GetSubAccountPolicy GET "/v1/me/sub-account-policy" None Public => sub_accounts::policy
                    [200 PolicyView],
                SetSubAccountPolicy PUT "/v1/me/sub-account-policy" Json Public => sub_accounts::set_policy
                    [200 PolicyView],
            }
            Security "security" SECURITY {
                ListSessions GET "/v1/me/sessions" None Public => security::list_sessions [200 Items<SessionItem>],
                EndSession DELETE "/v1/me/sessions/{session_id}" None Public => security::end_session [204 NoContent],
                EndOtherSessions DELETE "/v1/me/sessions" None Public => security::end_other_sessions [204 NoContent],
                EnrolTotp POST "/v1/me/mfa/totp" Json Public => security::enrol_totp [201 Enrolment],
                ConfirmTotp POST "/v1/me/mfa/totp/confirm" Json Public => security::confirm_totp [200 RecoveryCodes],
                DisableMfa DELETE "/v1/me/mfa" Json Public => security::disable [204 NoContent],
                ReplaceRecoveryCodes POST "/v1/me/mfa/recovery-codes" Json Public => security::replace_recovery_codes
                    [200 RecoveryCodes],
                ListDevices GET "/v1/me/devices" None Public => security::list_devices [200 Items<DeviceItem>],
                ForgetDevice DELETE "/v1/me/devices/{device_id}" None Public => security::forget_device [204 NoContent],
                ForgetDevices DELETE "/v1/me/devices" None Public => security::forget_devices [204 NoContent],
                SetLanguage PUT "/v1/me/language" Json Public => security::set_language [204 NoContent],
            }
            ContactDetails "contact-details" CONTACT_DETAILS {
                RequestEmailChange POST "/v1/me/email" Json Public => contact_details::request_email_change [202 Empty],
                ConfirmEmailChange POST "/v1/me/email/confirm" Json Public => contact_details::confirm_email_change
                    [204 NoContent],
                SendPhoneCode POST "/v1/me/phone/sms-code" Json Public => contact_details::send_phone_code [202 CodeSent],
                ChangePhone PUT "/v1/me/phone" Json Public => contact_details::change_phone [204 NoContent],
            }
            Passkeys "passkeys" PASSKEYS {
                BeginPasskeyRegistration POST "/v1/me/passkeys/options" Json Public => passkeys::registration_options
                    [200 PasskeyRegistration],
                AddPasskey POST "/v1/me/passkeys" Json Public => passkeys::add [201 PasskeyCreated],
                ListPasskeys GET "/v1/me/passkeys" None Public => passkeys::list [200 Items<PasskeyItem>],
                RenamePasskey PATCH "/v1/me/passkeys/{passkey_id}" Json Public => passkeys::rename [200 PasskeyItem],
                RemovePasskey DELETE "/v1/me/passkeys/{passkey_id}" Json Public => passkeys::remove [204 NoContent],
                BeginPasskeySignIn POST "/v1/sessions/passkey/options" Json Public => passkeys::sign_in_options
                    [200 PasskeyChallenge],
                SignInWithPasskey POST "/v1/sessions/passkey" Json Public => passkeys::sign_in [201 SessionCreated],
            }
            Appeals "appeals" APPEALS {
                FileAppeal POST "/v1/appeals" Json Public => appeals::file [202 Empty],
                ConfirmAppeal POST "/v1/appeals/confirm" Json Public => appeals::confirm [202 AppealConfirmed],
                CancelAppeal POST "/v1/appeals/cancel" Json Public => appeals::cancel [204 NoContent],
            }
        }
    };
}
pub(crate) use route_declarations;

/// Builds [`Function`], [`RouteId`] and [`ROUTES`] from the declarations.
macro_rules! route_table {
    ($( $function:ident $name:literal $entry:ident {
        $( $route:ident $method:ident $path:literal $body:ident $access:ident => $handler:path
            [$($status:literal $answer:ty),+], )+
    } )+) => {
        /// A deployed Lambda function that serves routes (one per flow).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Function {
            $( #[doc = concat!("`functions/", $name, "`.")] $function, )+
        }

        impl Function {
            /// Every function that serves routes.
            pub const ALL: &[Function] = &[$(Self::$function),+];

            /// The crate and binary name under `functions/`.
            pub fn name(self) -> &'static str {
                match self {
                    $(Self::$function => $name,)+
                }
            }
        }

        /// Every public and operator route.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum RouteId {
            $($( #[doc = concat!("`", stringify!($method), " ", $path, "`.")] $route, )+)+
        }

        /// The whole table.
        pub const ROUTES: &[Route] = &[
            $($(
                Route {
                    id: RouteId::$route,
                    method: stringify!($method),
                    path: $path,
                    function: Function::$function,
                    body: BodyKind::$body,
                    access: Access::$access,
                },
            )+)+
        ];

        /// Each route's success statuses with the JSON schema of the answer
        /// (a `NoContent` answer has no body).
        #[cfg(feature = "schema")]
        pub fn answers() -> Vec<(RouteId, u16, schemars::Schema)> {
            use super::views::*;
            // As serialised: an `Option` skipped when `None` may be absent,
            // any other is always there, `null` when `None`.
            let mut generator = schemars::generate::SchemaSettings::draft2020_12().for_serialize().into_generator();
            vec![$($($( (RouteId::$route, $status, generator.root_schema_for::<$answer>()), )+)+)+]
        }
    };
}

route_declarations!(route_table);

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
