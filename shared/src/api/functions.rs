//! What each Lambda function serves: its own routes' handlers and nothing
//! else. A function's `main` names its entry here, so that its binary links
//! only its handlers and the flows they call (the dev server, which serves
//! every route, goes through [`entry`]).

use std::future::Future;
use std::pin::Pin;

use super::handlers::{
    accounts, appeals, contact, deletion, operator, password, security, sessions, sms_codes, sub_accounts, verification,
};
use super::problem::ApiError;
use super::request::ApiRequest;
use super::response::ApiResponse;
use super::routes::{Function, RouteId};
use crate::app::App;

/// A handler's answer, boxed so that every function's dispatch has one type.
pub type Answer<'a> = Pin<Box<dyn Future<Output = Result<ApiResponse, ApiError>> + Send + 'a>>;

/// One Lambda function: which it is, the routes it serves and how.
pub struct Entry {
    /// The function.
    pub function: Function,
    /// The routes its dispatch answers (a test holds this to the route table).
    pub routes: &'static [RouteId],
    /// Answers a request for one of `routes`.
    pub serve: for<'a> fn(&'a App, &'a ApiRequest) -> Answer<'a>,
}

/// Declares a function's entry and its dispatch over its routes.
macro_rules! function {
    ($entry:ident, $serve:ident, $function:ident, { $($route:ident => $handler:path),+ $(,)? }) => {
        fn $serve<'a>(app: &'a App, req: &'a ApiRequest) -> Answer<'a> {
            Box::pin(async move {
                match req.route.id {
                    $(RouteId::$route => $handler(app, req).await,)+
                    _ => Err(ApiError::NotFound),
                }
            })
        }

        #[doc = concat!("`functions/", stringify!($serve), "`.")]
        pub const $entry: Entry =
            Entry { function: Function::$function, routes: &[$(RouteId::$route),+], serve: $serve };
    };
}

function!(SMS_CODES, sms_codes, SmsCodes, { CreateSmsCode => sms_codes::create });
function!(SIGN_UP, sign_up, SignUp, { CreateAccount => accounts::create });
function!(SET_PASSWORD, set_password, SetPassword, {
    SetPassword => password::set,
    InspectLink => password::inspect_link,
    DeclineLink => password::decline_link,
});
function!(SESSIONS, sessions, Sessions, {
    CreateSession => sessions::create,
    DeleteCurrentSession => sessions::delete_current,
    GetMe => sessions::me,
    CreateSessionWithSecondFactor => sessions::create_with_second_factor,
});
function!(FORGOT_PASSWORD, forgot_password, ForgotPassword, {
    ForgotPassword => password::forgot,
    ResetPassword => password::reset,
    ForgotUsername => password::forgot_username,
});
function!(CHANGE_PASSWORD, change_password, ChangePassword, { ChangePassword => password::change });
function!(VERIFICATION, verification, Verification, {
    CreateMaterial => verification::create_material,
    SubmitVerification => verification::submit,
    GetVerification => verification::get,
});
function!(OPERATOR, operator, Operator, {
    OpsGetAccount => operator::account,
    OpsListVerifications => operator::list_verifications,
    OpsGetVerification => operator::get_verification,
    OpsDecideVerification => operator::decide,
    OpsAudit => operator::audit_trail,
    OpsListDeletions => operator::list_deletions,
    OpsDecideDeletion => operator::decide_deletion,
    OpsSuspend => operator::suspend,
    OpsLiftSuspension => operator::lift_suspension,
    OpsListAppeals => operator::list_appeals,
    OpsGetAppeal => operator::get_appeal,
    OpsDecideAppeal => operator::decide_appeal,
});
function!(APPEALS, appeals, Appeals, {
    FileAppeal => appeals::file,
    ConfirmAppeal => appeals::confirm,
    CancelAppeal => appeals::cancel,
});
function!(DELETION, deletion, Deletion, {
    RequestDeletion => deletion::request,
    GetDeletion => deletion::get,
    CancelDeletion => deletion::cancel,
});
function!(SUB_ACCOUNTS, sub_accounts, SubAccounts, {
    CreateSubAccount => sub_accounts::create,
    ListSubAccounts => sub_accounts::list,
    ResetSubAccount => sub_accounts::reset,
});
function!(SECURITY, security, Security, {
    ListSessions => security::list_sessions,
    EndSession => security::end_session,
    EndOtherSessions => security::end_other_sessions,
    EnrolTotp => security::enrol_totp,
    ConfirmTotp => security::confirm_totp,
    DisableMfa => security::disable,
    ReplaceRecoveryCodes => security::replace_recovery_codes,
});
function!(CONTACT_DETAILS, contact_details, ContactDetails, {
    RequestEmailChange => contact::request_email_change,
    ConfirmEmailChange => contact::confirm_email_change,
    SendPhoneCode => contact::send_phone_code,
    ChangePhone => contact::change_phone,
});

/// The entry of `function` (this links every function's handlers: for the
/// dev server and tests, never for a Lambda function).
pub fn entry(function: Function) -> &'static Entry {
    match function {
        Function::SmsCodes => &SMS_CODES,
        Function::SignUp => &SIGN_UP,
        Function::SetPassword => &SET_PASSWORD,
        Function::Sessions => &SESSIONS,
        Function::ForgotPassword => &FORGOT_PASSWORD,
        Function::ChangePassword => &CHANGE_PASSWORD,
        Function::Verification => &VERIFICATION,
        Function::Operator => &OPERATOR,
        Function::Deletion => &DELETION,
        Function::SubAccounts => &SUB_ACCOUNTS,
        Function::Security => &SECURITY,
        Function::ContactDetails => &CONTACT_DETAILS,
        Function::Appeals => &APPEALS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::routes::ROUTES;

    #[test]
    fn each_function_dispatches_exactly_its_routes_in_the_table() {
        for function in Function::ALL {
            let entry = entry(*function);
            assert_eq!(entry.function, *function);
            let table: Vec<RouteId> = ROUTES.iter().filter(|r| r.function == *function).map(|r| r.id).collect();
            assert_eq!(entry.routes, table.as_slice(), "{function:?}");
        }
    }
}
