//! [`ApiError`]: an HTTP status with a message, the one error type every handler returns. Its
//! JSON body is `{"message": "..."}`, as HSDS answers.

use serde_json::{json, Value};

use crate::model::ModelError;
use crate::storage::keys::KeyError;
use crate::storage::StorageError;

/// Result alias for handlers.
pub type ApiResult<T> = Result<T, ApiError>;

/// A failed request: HSDS's status code and a message for the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status}: {message}")]
pub struct ApiError {
    /// HTTP status code.
    pub status: u16,
    /// Human-readable reason.
    pub message: String,
}

impl ApiError {
    /// An error with any status.
    pub fn new(status: u16, message: impl Into<String>) -> ApiError {
        ApiError { status, message: message.into() }
    }

    /// 400 Bad Request.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(400, message)
    }

    /// 401 Unauthorized.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(401, message)
    }

    /// 403 Forbidden.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(403, message)
    }

    /// 404 Not Found.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(404, message)
    }

    /// 409 Conflict.
    pub fn conflict(message: impl Into<String>) -> ApiError {
        ApiError::new(409, message)
    }

    /// 413 Payload Too Large.
    pub fn too_large(message: impl Into<String>) -> ApiError {
        ApiError::new(413, message)
    }

    /// 500 Internal Server Error.
    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(500, message)
    }

    /// 501 Not Implemented.
    pub fn not_implemented(message: impl Into<String>) -> ApiError {
        ApiError::new(501, message)
    }

    /// The JSON error body.
    pub fn to_json_body(&self) -> Value {
        json!({ "message": self.message })
    }
}

impl From<ModelError> for ApiError {
    fn from(error: ModelError) -> ApiError {
        ApiError::new(error.http_status(), error.to_string())
    }
}

impl From<StorageError> for ApiError {
    fn from(error: StorageError) -> ApiError {
        match error {
            StorageError::InvalidBucket(_) | StorageError::InvalidKey { .. } => {
                ApiError::bad_request(error.to_string())
            }
            other => ApiError::internal(other.to_string()),
        }
    }
}

impl From<KeyError> for ApiError {
    fn from(error: KeyError) -> ApiError {
        ApiError::bad_request(error.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_errors_keep_their_status() {
        assert_eq!(ApiError::from(ModelError::Conflict("x".into())).status, 409);
        assert_eq!(ApiError::from(ModelError::InvalidId("x".into())).status, 400);
    }

    #[test]
    fn storage_errors_map() {
        assert_eq!(ApiError::from(StorageError::InvalidBucket("..".into())).status, 400);
        assert_eq!(ApiError::from(StorageError::Backend("down".into())).status, 500);
    }

    #[test]
    fn body_is_message() {
        assert_eq!(ApiError::conflict("exists").to_json_body(), json!({"message": "exists"}));
    }
}
