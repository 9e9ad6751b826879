//! Recovery appeals: filing one, confirming it by the emailed link, and the
//! owner's cancel link.

use serde::Deserialize;

use crate::api::problem::ApiError;
use crate::api::request::ApiRequest;
use crate::api::response::Reply;
use crate::api::validate::{Fields, bounded_text, link_token};
use crate::api::views::{AppealConfirmed, Empty, NoContent};
use crate::app::App;
use crate::domain::Email;
use crate::domain::records::Subject;
use crate::flows::appeals::{self, AppealRequest};

#[derive(Deserialize)]
struct FileAppeal {
    login: Option<String>,
    contact_email: Option<String>,
    description: Option<String>,
    real_name: Option<String>,
    id_number: Option<String>,
    company_name: Option<String>,
    credit_code: Option<String>,
}

/// Longest description kept.
const DESCRIPTION_MAX: usize = 2000;

/// `POST /v1/appeals`: `202 {}` whether or not the login exists.
pub async fn file(app: &App, req: &ApiRequest) -> Result<Reply<Empty>, ApiError> {
    let body: FileAppeal = req.json()?;
    let mut fields = Fields::default();
    let login = fields.parse("login", body.login.as_deref(), bounded_text(254));
    let contact_email = fields.parse("contact_email", body.contact_email.as_deref(), Email::parse);
    let description = fields.parse("description", body.description.as_deref(), bounded_text(DESCRIPTION_MAX));
    let text = |field: &str, value: Option<&str>, fields: &mut Fields| fields.optional(field, value, bounded_text(100));
    let real_name = text("real_name", body.real_name.as_deref(), &mut fields);
    let id_number = text("id_number", body.id_number.as_deref(), &mut fields);
    let company_name = text("company_name", body.company_name.as_deref(), &mut fields);
    let credit_code = text("credit_code", body.credit_code.as_deref(), &mut fields);
    let (login, contact_email, description) = fields.finish_with(|| Some((login?, contact_email?, description?)))?;
    let identity = match (real_name, id_number, company_name, credit_code) {
        (Some(real_name), Some(id_number), _, _) => {
            Some(Subject::Individual { real_name, id_type: "given".into(), id_number })
        }
        (_, _, Some(company_name), Some(credit_code)) => {
            Some(Subject::Enterprise { company_name, credit_code, legal_representative: String::new() })
        }
        _ => None,
    };
    let request = AppealRequest { login, contact_email, description, identity };
    appeals::file(app, request, &req.client_ip, req.lang).await?;
    Ok(Reply::new(Empty {}))
}

/// `POST /v1/appeals/confirm`: `202 {"appeal_id"}` for every login.
pub async fn confirm(app: &App, req: &ApiRequest) -> Result<Reply<AppealConfirmed>, ApiError> {
    let appeal_id = appeals::confirm(app, &link_token(req)?).await?;
    Ok(Reply::new(AppealConfirmed { appeal_id }))
}

/// `POST /v1/appeals/cancel`: the owner's cancel link; `204`.
pub async fn cancel(app: &App, req: &ApiRequest) -> Result<Reply<NoContent>, ApiError> {
    appeals::cancel(app, &link_token(req)?).await?;
    Ok(Reply::new(NoContent))
}
