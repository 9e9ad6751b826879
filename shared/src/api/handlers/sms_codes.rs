use lambda_http::http::StatusCode;
use serde::Deserialize;
use serde_json::json;

use crate::api::problem::ApiError;
use crate::api::request::ApiRequest;
use crate::api::response::ApiResponse;
use crate::api::validate::Fields;
use crate::app::App;
use crate::domain::Phone;
use crate::domain::sms_code::SmsPurpose;
use crate::flows::sms_codes;

#[derive(Deserialize)]
struct CreateSmsCode {
    phone: Option<String>,
    purpose: Option<String>,
}

/// `POST /v1/sms-codes`: only `sign_up` codes are sent here; reset codes go
/// out through `/v1/password/forgot`, which knows the account's phone.
pub async fn create(app: &App, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let body: CreateSmsCode = req.json()?;
    let mut fields = Fields::default();
    let phone = fields.parse("phone", body.phone.as_deref(), |raw| Phone::parse_for_sms(raw, &app.config.sms_regions));
    let purpose = fields.parse("purpose", body.purpose.as_deref(), |p| match p {
        "sign_up" => Ok(SmsPurpose::SignUp),
        _ => Err("purpose_invalid"),
    });
    let (phone, purpose) = fields.finish_with(|| Some((phone?, purpose?)))?;
    let sent = sms_codes::send_code(app, &phone, purpose, &req.client_ip, req.lang).await?;
    Ok(ApiResponse::json(
        StatusCode::ACCEPTED,
        &json!({"expires_in": sent.expires_in, "retry_after": sent.retry_after}),
    ))
}
