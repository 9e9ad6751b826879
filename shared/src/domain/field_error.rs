use super::Code;

/// One failing field of a request: the field's name and its code, whose
/// message in each language comes with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The request field, as named in the JSON body.
    pub field: String,
    /// Why it fails, e.g. `username_format`.
    pub code: Code,
}

impl FieldError {
    /// A failing `field` with `code`.
    pub fn new(field: impl Into<String>, code: Code) -> Self {
        Self { field: field.into(), code }
    }
}
