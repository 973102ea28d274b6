//! The native format's limit on one attribute in the earliest file format: with HDF5's default
//! low bound (`H5F_LIBVER_EARLIEST`) an attribute lives in a version-1 object header, whose
//! messages must stay under 64 KiB (`H5O_MESG_MAX_SIZE`), so native HDF5 refuses a larger
//! attribute; from `H5F_LIBVER_V18` on it goes to dense storage and any size works. restvol
//! follows the same rule, so a program behaves as it does natively and its files can be
//! exported to the native format it asked for.

use super::error::VolError;
use crate::model::shapes::Shape;

/// HDF5's bound on one object header message (exclusive).
const MESSAGE_LIMIT: u64 = 65_536;

/// Rounds up to the 8-byte alignment of version-1 object header messages.
fn align8(bytes: u64) -> u64 {
    bytes.div_ceil(8) * 8
}

/// Bytes of a version-1 dataspace message for `shape`.
fn dataspace_message(shape: &Shape) -> u64 {
    match shape {
        Shape::Null | Shape::Scalar => 8,
        Shape::Simple { dims, maxdims } => {
            let per_dim = if maxdims.is_some() { 16 } else { 8 };
            8 + per_dim * dims.len() as u64
        }
    }
}

/// The size of a version-1 attribute message: its header, then the name (with its NUL), the
/// datatype message (`encoded_type_bytes`, as `H5Tencode` gives it, two bytes more than the
/// message) and the dataspace message, each 8-byte aligned, then the elements
/// (`element_bytes` each, as stored).
pub fn message_size(
    name: &str,
    encoded_type_bytes: usize,
    shape: &Shape,
    element_bytes: u64,
) -> u64 {
    let type_bytes = (encoded_type_bytes as u64).saturating_sub(2);
    8 + align8(name.len() as u64 + 1)
        + align8(type_bytes)
        + align8(dataspace_message(shape))
        + shape.num_elements().saturating_mul(element_bytes)
}

/// Fails, as native HDF5 does, when an attribute of `message_bytes` (see [`message_size`])
/// cannot be stored in the earliest file format.
///
/// # Errors
/// [`VolError::InvalidArgument`] naming the attribute and the way out (a later low bound).
pub fn check(name: &str, message_bytes: u64) -> Result<(), VolError> {
    if message_bytes < MESSAGE_LIMIT {
        return Ok(());
    }
    Err(VolError::InvalidArgument(format!(
        "attribute '{name}' needs a {message_bytes}-byte object header message, more than \
         the 64 KiB the earliest file format allows (as in native HDF5); open the file with a \
         low bound of H5F_LIBVER_V18 or later (H5Pset_libver_bounds) for larger attributes"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::shapes::Extent;

    #[test]
    fn sizes_follow_the_version_1_attribute_message() {
        // "attr 02" (8 bytes with NUL), a 4-byte integer (8-byte message + 2 = 10 encoded),
        // one dimension without maximum (16), 1024 elements.
        let shape = Shape::Simple { dims: vec![1024], maxdims: None };
        assert_eq!(message_size("attr 02", 10, &shape, 4), 8 + 8 + 8 + 16 + 4096);
        assert_eq!(message_size("a", 10, &Shape::Scalar, 8), 8 + 8 + 8 + 8 + 8);
        assert_eq!(message_size("a", 10, &Shape::Null, 8), 8 + 8 + 8 + 8);
        let maxdims = Some(vec![Extent::Fixed(2), Extent::Unlimited]);
        let with_max = Shape::Simple { dims: vec![2, 3], maxdims };
        assert_eq!(message_size("abcdefgh", 10, &with_max, 1), 8 + 16 + 8 + 40 + 6);
    }

    #[test]
    fn the_limit_is_exclusive_and_the_error_names_the_way_out() {
        assert!(check("x", MESSAGE_LIMIT - 1).is_ok());
        let err = check("big", MESSAGE_LIMIT).unwrap_err().to_string();
        assert!(err.contains("'big'") && err.contains("H5F_LIBVER_V18"), "{err}");
    }
}
