//! The panic boundary every `extern "C"` entry point runs inside.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::h5::errors;
use crate::vol::VolError;

/// Runs `body` for the C entry point `operation`. On success returns its value; on an error
/// pushes `operation: <error>` on the HDF5 error stack and returns `failure`; on a panic does the
/// same with the panic message, so unwinding never reaches C.
pub(crate) fn guard<T>(
    operation: &'static str,
    failure: T,
    body: impl FnOnce() -> Result<T, VolError>,
) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => value,
        Ok(Err(error)) => {
            errors::report(operation, &error);
            failure
        }
        Err(payload) => {
            let message = format!("internal error (please report): {}", panic_text(&payload));
            // Reporting calls into libhdf5; a second panic there must not escape either.
            let _ = catch_unwind(AssertUnwindSafe(|| errors::report_text(operation, &message)));
            failure
        }
    }
}

fn panic_text(payload: &Box<dyn Any + Send>) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-text payload".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_values_through() {
        assert_eq!(guard("op", -1, || Ok(7)), 7);
    }

    #[test]
    fn errors_become_the_failure_value() {
        assert_eq!(guard("op", -1, || Err(VolError::NullArgument("x"))), -1);
    }

    #[test]
    fn panics_do_not_escape() {
        let v = guard("op", -1, || -> Result<i32, VolError> { panic!("boom") });
        assert_eq!(v, -1);
    }
}
