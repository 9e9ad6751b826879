use serde::Deserialize;

use crate::api::auth::require_session;
use crate::api::problem::ApiError;
use crate::api::request::ApiRequest;
use crate::api::response::Reply;
use crate::api::validate::{Fields, bounded_text, optional_secret};
use crate::api::views::{MaterialCreated, Status, UploadHeaders, VerificationStatusView};
use crate::app::App;
use crate::documents::{ACCEPTED_TYPES, MAX_SIZE};
use crate::domain::Code;
use crate::domain::identity;
use crate::domain::records::Guarded;
use crate::flows::lockout::Proof;
use crate::flows::verification::{self, Subject, UPLOAD_URL_SECS};
use secrecy::SecretString;

#[derive(Deserialize)]
struct CreateMaterial {
    file_name: Option<String>,
    content_type: Option<String>,
    size: Option<u64>,
}

/// `POST /v1/me/verification/materials`.
pub async fn create_material(app: &App, req: &ApiRequest) -> Result<Reply<MaterialCreated>, ApiError> {
    let current = require_session(app, req).await?;
    let body: CreateMaterial = req.json()?;
    let mut fields = Fields::default();
    let file_name = fields.parse("file_name", body.file_name.as_deref(), |name| {
        // A display name only; the object key is ours.
        let name = name.trim();
        if name.chars().count() > 255 || name.chars().any(char::is_control) {
            Err(Code::TooLong)
        } else {
            Ok(name.to_owned())
        }
    });
    let content_type = fields.parse("content_type", body.content_type.as_deref(), |ct| {
        ACCEPTED_TYPES
            .iter()
            .find(|(known, _)| *known == ct)
            .map(|(known, _)| known.to_string())
            .ok_or(Code::ContentTypeInvalid)
    });
    let size = match body.size {
        Some(size) if (1..=MAX_SIZE).contains(&size) => Some(size),
        Some(_) => {
            fields.fail("size", Code::SizeInvalid);
            None
        }
        None => {
            fields.fail("size", Code::Required);
            None
        }
    };
    let (file_name, content_type, size) = fields.finish_with(|| Some((file_name?, content_type?, size?)))?;
    let (material, upload_url) =
        verification::create_material(app, &current.account, file_name, content_type, size).await?;
    Ok(Reply::new(MaterialCreated {
        material_id: material.material_id,
        upload_url,
        upload_method: "PUT",
        upload_headers: UploadHeaders { content_type: material.content_type },
        expires_in: UPLOAD_URL_SECS,
    }))
}

#[derive(Deserialize)]
struct Submit {
    #[serde(rename = "type")]
    kind: Option<String>,
    real_name: Option<String>,
    id_type: Option<String>,
    id_number: Option<String>,
    company_name: Option<String>,
    credit_code: Option<String>,
    legal_representative: Option<String>,
    material_ids: Option<Vec<String>>,
    /// The re-check of the person (optional; only a re-checked submission
    /// counts for recovery appeals).
    password: Option<SecretString>,
    code: Option<SecretString>,
}

fn subject(body: &Submit, fields: &mut Fields) -> Option<Subject> {
    let name = bounded_text(50);
    match fields.required("type", body.kind.as_deref())? {
        "individual" => {
            let real_name = fields.parse("real_name", body.real_name.as_deref(), &name);
            let id_type = fields.parse("id_type", body.id_type.as_deref(), |t| match t {
                "cn_resident_id" | "passport" => Ok(t.to_owned()),
                _ => Err(Code::IdTypeInvalid),
            });
            let id_number = fields.required("id_number", body.id_number.as_deref()).map(str::trim);
            let id_number = match (id_type.as_deref(), id_number) {
                (Some("cn_resident_id"), Some(n)) => {
                    fields.check("id_number", identity::check_resident_id(n).map(|()| n))
                }
                (Some("passport"), Some(n)) => fields.check("id_number", identity::check_passport(n).map(|()| n)),
                _ => None,
            };
            Some(Subject::Individual { real_name: real_name?, id_type: id_type?, id_number: id_number?.to_owned() })
        }
        "enterprise" => {
            let company_name = fields.parse("company_name", body.company_name.as_deref(), bounded_text(100));
            let credit_code = fields.parse("credit_code", body.credit_code.as_deref(), |c| {
                identity::check_credit_code(c.trim()).map(|()| c.trim().to_owned())
            });
            let legal_representative =
                fields.parse("legal_representative", body.legal_representative.as_deref(), &name);
            Some(Subject::Enterprise {
                company_name: company_name?,
                credit_code: credit_code?,
                legal_representative: legal_representative?,
            })
        }
        _ => {
            fields.fail("type", Code::TypeInvalid);
            None
        }
    }
}

/// `POST /v1/me/verification`.
pub async fn submit(app: &App, req: &ApiRequest) -> Result<Reply<Status>, ApiError> {
    let current = require_session(app, req).await?;
    let body: Submit = req.json()?;
    let mut fields = Fields::default();
    let subject = subject(&body, &mut fields);
    let material_ids = body.material_ids.clone();
    if material_ids.is_none() {
        fields.fail("material_ids", Code::Required);
    }
    let (subject, material_ids) = fields.finish_with(|| Some((subject?, material_ids?)))?;
    let password = optional_secret(body.password);
    let code = optional_secret(body.code);
    let proof = password.as_ref().map(|password| Proof {
        password: Some(password),
        code: code.as_ref(),
        action: Guarded::SubmitVerification,
    });
    let status = verification::submit(app, &current, subject, material_ids, proof).await?;
    Ok(Reply::new(Status { status: status.as_str() }))
}

/// `GET /v1/me/verification`.
pub async fn get(app: &App, req: &ApiRequest) -> Result<Reply<VerificationStatusView>, ApiError> {
    let current = require_session(app, req).await?;
    let submission = verification::current(app, &current.account.account_id).await?;
    Ok(Reply::new(VerificationStatusView::from(submission.as_ref())))
}
