//! Reporting failures on the HDF5 error stack, so users see *why* a call failed in
//! `H5Eprint` output (and in tools such as h5dump), as messages of restvol's own error class.

use once_cell::sync::OnceCell;

use crate::ffi::hdf5::{self, ErrorMessage};
use crate::vol::VolError;

static ERROR_CLASS: OnceCell<hdf5::hid_t> = OnceCell::new();

fn error_class() -> Option<hdf5::hid_t> {
    ERROR_CLASS
        .get_or_try_init(|| {
            hdf5::open_library()?;
            hdf5::register_error_class("restvol", "restvol", env!("CARGO_PKG_VERSION"))
        })
        .ok()
        .copied()
}

fn minor_for(error: &VolError) -> ErrorMessage {
    match error {
        VolError::Config(_) => ErrorMessage::CantInit,
        VolError::NullArgument(_) | VolError::NotUtf8(_) | VolError::InvalidArgument(_) => {
            ErrorMessage::BadValue
        }
        VolError::Unsupported(_) => ErrorMessage::Unsupported,
        VolError::Hdf5Call { .. }
        | VolError::Client(_)
        | VolError::Model(_)
        | VolError::Direct(_)
        | VolError::Internal(_) => ErrorMessage::CantOperate,
    }
}

/// Pushes "`operation`: `error`" on the HDF5 error stack.
pub fn report(operation: &str, error: &VolError) {
    push(operation, &error.to_string(), minor_for(error));
}

/// Pushes a free-form message (used for panics, which carry no typed error).
pub fn report_text(operation: &str, message: &str) {
    push(operation, message, ErrorMessage::CantOperate);
}

/// The operation goes in the entry's function field, which HDF5 prints as `in <operation>()`,
/// so the message text itself is only the cause.
fn push(operation: &str, message: &str, minor: ErrorMessage) {
    let pushed = error_class().is_some_and(|class| {
        let major = hdf5::error_message_id(ErrorMessage::MajorVol);
        let minor = hdf5::error_message_id(minor);
        hdf5::push_error(class, major, minor, operation, message).is_ok()
    });
    if !pushed {
        // The error stack itself is unusable (library shutting down): stderr is all that is left.
        eprintln!("restvol: {operation}: {message}");
    }
}
