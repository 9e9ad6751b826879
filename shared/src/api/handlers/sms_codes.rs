use serde::Deserialize;

use crate::api::auth::require_session;
use crate::api::problem::ApiError;
use crate::api::request::ApiRequest;
use crate::api::response::Reply;
use crate::api::validate::Fields;
use crate::api::views::{CodeSent, SmsRegion, SmsRegionList};
use crate::app::App;
use crate::domain::sms_code::SmsPurpose;
use crate::domain::{Code, Phone};
use crate::flows::{sms_codes, sms_sign_in, sub_accounts};

#[derive(Deserialize)]
struct CreateSmsCode {
    phone: Option<String>,
    purpose: Option<String>,
}

/// `POST /v1/sms-codes`: `sign_up` codes, `sign_in` codes (sent only to an
/// activated account's phone, answered alike), and `sub_account` codes for
/// a signed-in primary account (bound to it); reset codes go out through
/// `/v1/password/forgot`, which knows the account's phone.
pub async fn create(app: &App, req: &ApiRequest) -> Result<Reply<CodeSent>, ApiError> {
    let body: CreateSmsCode = req.json()?;
    let mut fields = Fields::default();
    let phone = fields.parse("phone", body.phone.as_deref(), |raw| Phone::parse_for_sms(raw, &app.config.sms_regions));
    let purpose = fields.parse("purpose", body.purpose.as_deref(), |p| match p {
        "sign_up" => Ok(SmsPurpose::SignUp),
        "sub_account" => Ok(SmsPurpose::SubAccount),
        "sign_in" => Ok(SmsPurpose::SignIn),
        _ => Err(Code::PurposeInvalid),
    });
    let (phone, purpose) = fields.finish_with(|| Some((phone?, purpose?)))?;
    if purpose == SmsPurpose::SignIn {
        let sent = sms_sign_in::send_code(app, &phone, &req.client_ip, req.lang).await?;
        return Ok(Reply::new(CodeSent { expires_in: sent.expires_in, retry_after: sent.retry_after }));
    }
    let requester = match purpose {
        SmsPurpose::SubAccount => Some(sub_accounts::requester(&require_session(app, req).await?)?),
        _ => None,
    };
    let sent = sms_codes::send_code(app, &phone, purpose, requester.as_ref(), &req.client_ip, req.lang).await?;
    Ok(Reply::new(CodeSent { expires_in: sent.expires_in, retry_after: sent.retry_after }))
}

/// `GET /v1/sms-regions`: the regions the service sends SMS to, for the
/// pages' region picker. The same for everyone and changed only by a
/// redeploy, so browsers may keep it for an hour.
pub async fn regions(app: &App, _req: &ApiRequest) -> Result<Reply<SmsRegionList>, ApiError> {
    let regions = app
        .config
        .sms_regions
        .dialling()
        .map(|(region, calling_code, prefix)| SmsRegion {
            region: region.to_owned(),
            calling_code,
            national_prefix: (!prefix.is_empty()).then(|| prefix.to_owned()),
        })
        .collect();
    Ok(Reply::new(SmsRegionList { regions }).header("cache-control", "public, max-age=3600"))
}
