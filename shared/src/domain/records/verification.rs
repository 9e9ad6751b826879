//! Real-name verification: materials, the submission and its queue row.

use serde::{Deserialize, Serialize};

use crate::domain::account::VerificationStatus;
use crate::domain::{AccountId, MaterialId, Username, identity};

/// An uploaded (or announced) document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Material {
    /// Opaque id.
    pub material_id: MaterialId,
    /// The name the customer's file had (display only; never a path).
    pub file_name: String,
    /// Declared content type.
    pub content_type: String,
    /// Declared size in bytes.
    pub size: u64,
    /// Where the bytes are, chosen by the server: the upload key until the
    /// material is submitted, then the submitted copy's.
    pub object_key: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// What a customer verifies as.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Subject {
    /// A person.
    Individual {
        /// Legal name.
        real_name: String,
        /// `cn_resident_id` or `passport`.
        id_type: String,
        /// The document's number.
        id_number: String,
    },
    /// A company.
    Enterprise {
        /// Registered name.
        company_name: String,
        /// Unified social credit code.
        credit_code: String,
        /// Legal representative's name.
        legal_representative: String,
    },
}

impl Subject {
    /// `individual` or `enterprise`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Individual { .. } => "individual",
            Self::Enterprise { .. } => "enterprise",
        }
    }

    /// The subject with its identifying numbers and names masked, for lists.
    pub fn masked(&self) -> Self {
        match self {
            Self::Individual { real_name, id_type, id_number } => Self::Individual {
                real_name: identity::mask_name(real_name),
                id_type: id_type.clone(),
                id_number: identity::mask(id_number, 3, 4),
            },
            Self::Enterprise { company_name, credit_code, legal_representative } => Self::Enterprise {
                company_name: company_name.clone(),
                credit_code: identity::mask(credit_code, 2, 4),
                legal_representative: identity::mask_name(legal_representative),
            },
        }
    }
}

/// The stored submission of an account (the latest one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verification {
    /// The account.
    pub account_id: AccountId,
    /// Pending, approved or rejected.
    pub status: VerificationStatus,
    /// Who is verified.
    pub subject: Subject,
    /// Attached materials.
    pub material_ids: Vec<MaterialId>,
    /// Unix seconds.
    pub submitted_at: i64,
    /// Unix seconds of the decision.
    pub decided_at: Option<i64>,
    /// Why it was rejected (or an approval's note).
    pub reason: Option<String>,
    /// The operator who decided.
    pub decided_by: Option<String>,
    /// Whether the person re-entered the password (and, while MFA was on, a
    /// code) to submit it. Recovery appeals trust only such a submission:
    /// one made with a session alone may be a stolen session's (0043).
    #[serde(default)]
    pub rechecked: bool,
}

/// A row of a review queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueEntry {
    /// The account.
    pub account_id: AccountId,
    /// Its username.
    pub username: Username,
    /// `individual` or `enterprise`.
    pub kind: String,
    /// Unix seconds.
    pub submitted_at: i64,
}
