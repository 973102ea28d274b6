//! `ModelError`: every way input can fail to match the HDF REST data model, with the HTTP status
//! HSDS answers for it and the JSON error body sent to clients.
//!
//! HSDS (reference section 2.1) answers malformed input, invalid ids, selections and types with
//! 400, and extending a dataset past its `maxdims` with 409. The body is `{"message": "..."}`.

use serde_json::{json, Value};

/// Result alias for the model layer.
pub type ModelResult<T> = Result<T, ModelError>;

/// An input that does not fit the data model, or a failure while building a model value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ModelError {
    /// An object or chunk id that is malformed or of the wrong class.
    #[error("invalid id: {0}")]
    InvalidId(String),
    /// A type JSON that is malformed or uses an unknown class or base.
    #[error("invalid type: {0}")]
    InvalidType(String),
    /// A shape or maxdims that is malformed or inconsistent.
    #[error("invalid shape: {0}")]
    InvalidShape(String),
    /// A `select`, `start`/`stop`/`step` or `points` value that is malformed or out of range.
    #[error("invalid selection: {0}")]
    InvalidSelection(String),
    /// A link body or link name that is malformed.
    #[error("invalid link: {0}")]
    InvalidLink(String),
    /// An attribute body, name or value that is malformed.
    #[error("invalid attribute: {0}")]
    InvalidAttribute(String),
    /// A dataset or attribute value (JSON, binary or base64) that does not fit its type or shape.
    #[error("invalid value: {0}")]
    InvalidValue(String),
    /// A request that is well formed but conflicts with the object's state (e.g. past maxdims).
    #[error("conflict: {0}")]
    Conflict(String),
    /// The operating system's random source failed while making an id.
    #[error("random source unavailable: {0}")]
    Random(String),
}

impl ModelError {
    /// The HTTP status HSDS answers this error with.
    pub fn http_status(&self) -> u16 {
        match self {
            ModelError::Conflict(_) => 409,
            ModelError::Random(_) => 500,
            ModelError::InvalidId(_)
            | ModelError::InvalidType(_)
            | ModelError::InvalidShape(_)
            | ModelError::InvalidSelection(_)
            | ModelError::InvalidLink(_)
            | ModelError::InvalidAttribute(_)
            | ModelError::InvalidValue(_) => 400,
        }
    }

    /// Whether the client caused this error (a 4xx status).
    pub fn is_client_error(&self) -> bool {
        (400..500).contains(&self.http_status())
    }

    /// The JSON error body: `{"message": "<display text>"}`.
    pub fn to_json_body(&self) -> Value {
        json!({ "message": self.to_string() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_errors_are_400() {
        let errors = [
            ModelError::InvalidId("x".into()),
            ModelError::InvalidType("x".into()),
            ModelError::InvalidShape("x".into()),
            ModelError::InvalidSelection("x".into()),
            ModelError::InvalidLink("x".into()),
            ModelError::InvalidAttribute("x".into()),
        ];
        for error in errors {
            assert_eq!(error.http_status(), 400, "{error}");
            assert!(error.is_client_error());
        }
    }

    #[test]
    fn conflict_is_409_and_random_is_500() {
        assert_eq!(ModelError::Conflict("past maxdims".into()).http_status(), 409);
        let random = ModelError::Random("no entropy".into());
        assert_eq!(random.http_status(), 500);
        assert!(!random.is_client_error());
    }

    #[test]
    fn json_body_carries_the_message() {
        let error = ModelError::InvalidSelection("dimension 1: step must be >= 1".into());
        assert_eq!(
            error.to_json_body(),
            json!({"message": "invalid selection: dimension 1: step must be >= 1"})
        );
    }
}
