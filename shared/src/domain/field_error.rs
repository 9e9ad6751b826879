/// One failing field of a request: the field's name and a stable snake_case
/// code. The human message is looked up by code and language when rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The request field, as named in the JSON body.
    pub field: String,
    /// Stable machine code, e.g. `username_format`.
    pub code: &'static str,
}

impl FieldError {
    /// A failing `field` with `code`.
    pub fn new(field: impl Into<String>, code: &'static str) -> Self {
        Self { field: field.into(), code }
    }
}
