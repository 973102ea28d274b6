//! Element buffers between the REST binary form and an application's HDF5 memory type.
//!
//! Fixed-size types go through `H5Tconvert`: the REST form of a type is the HDF5 type
//! [`super::types::to_hdf5`] builds from its JSON (packed compounds, the stored byte order), and
//! HDF5 converts between it and any compatible memory type (other sizes and byte orders,
//! integer ⇄ float, compound field subsets matched by name, with a background buffer).

use crate::ffi::h5type;
use crate::ffi::hdf5::hid_t;

use super::error::{invalid, H5Result};

/// Converts `count` elements held in `data` (layout of `src`) to the layout of `dst`.
///
/// `background` holds `count` elements of `dst` whose values survive where `src` has no
/// matching part (the application's buffer when reading a subset of a compound's fields);
/// without it those parts are zero.
///
/// # Errors
/// [`super::H5Error::Invalid`] when `data` or `background` are not `count` elements long;
/// [`super::H5Error::Hdf5`] when HDF5 cannot convert between the types.
pub fn convert_fixed(
    src: hid_t,
    dst: hid_t,
    count: usize,
    data: &[u8],
    background: Option<&[u8]>,
) -> H5Result<Vec<u8>> {
    let src_size = h5type::size(src)?;
    let dst_size = h5type::size(dst)?;
    let expected = count.checked_mul(src_size).ok_or_else(|| invalid("buffer too large"))?;
    if data.len() != expected {
        return Err(invalid(format!(
            "{} bytes given for {count} elements of {src_size} bytes",
            data.len()
        )));
    }
    let mut buf = vec![0u8; count * src_size.max(dst_size)];
    buf[..data.len()].copy_from_slice(data);
    let mut bkg = match background {
        Some(bkg) if bkg.len() != count * dst_size => {
            return Err(invalid(format!(
                "background of {} bytes for {count} elements of {dst_size} bytes",
                bkg.len()
            )))
        }
        Some(bkg) => bkg.to_vec(),
        None => vec![0u8; count * dst_size],
    };
    h5type::convert(src, dst, count, &mut buf, Some(&mut bkg))?;
    buf.truncate(count * dst_size);
    Ok(buf)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use serde_json::json;

    use super::*;
    use crate::h5::types::to_hdf5;
    use crate::h5::OwnedId;
    use crate::model::types::Datatype;

    fn hdf5_type(value: serde_json::Value) -> OwnedId {
        to_hdf5(&Datatype::from_json(&value).unwrap()).unwrap()
    }

    #[test]
    fn integers_across_sizes_and_byte_orders() {
        let _hdf5 = crate::h5::handle::hdf5_test_lock();
        let be16 = hdf5_type(json!("H5T_STD_I16BE"));
        let le64 = hdf5_type(json!("H5T_STD_I64LE"));
        let data: Vec<u8> = [-2i16, 300].iter().flat_map(|v| v.to_be_bytes()).collect();
        let out = convert_fixed(be16.id(), le64.id(), 2, &data, None).unwrap();
        let expected: Vec<u8> = [-2i64, 300].iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(out, expected);
        let back = convert_fixed(le64.id(), be16.id(), 2, &out, None).unwrap();
        assert_eq!(back, data);
    }

    #[test]
    fn floats_to_doubles_and_back() {
        let _hdf5 = crate::h5::handle::hdf5_test_lock();
        let f32le = hdf5_type(json!("H5T_IEEE_F32LE"));
        let f64be = hdf5_type(json!("H5T_IEEE_F64BE"));
        let data: Vec<u8> = [1.5f32, -0.25].iter().flat_map(|v| v.to_le_bytes()).collect();
        let out = convert_fixed(f32le.id(), f64be.id(), 2, &data, None).unwrap();
        let expected: Vec<u8> = [1.5f64, -0.25].iter().flat_map(|v| v.to_be_bytes()).collect();
        assert_eq!(out, expected);
        assert_eq!(convert_fixed(f64be.id(), f32le.id(), 2, &out, None).unwrap(), data);
    }

    #[test]
    fn compound_field_subsets_keep_the_background() {
        let _hdf5 = crate::h5::handle::hdf5_test_lock();
        // REST form: packed {a: i32le, b: f64le}; memory: {b: f64le} only, then {a, b} padded.
        let rest = hdf5_type(json!({"class": "H5T_COMPOUND", "fields": [
            {"name": "a", "type": "H5T_STD_I32LE"}, {"name": "b", "type": "H5T_IEEE_F64LE"}]}));
        let mut packed = 7i32.to_le_bytes().to_vec();
        packed.extend(2.5f64.to_le_bytes());
        let only_b = hdf5_type(json!({"class": "H5T_COMPOUND", "fields": [
            {"name": "b", "type": "H5T_IEEE_F64LE"}]}));
        let out = convert_fixed(rest.id(), only_b.id(), 1, &packed, None).unwrap();
        assert_eq!(out, 2.5f64.to_le_bytes());

        // Writing only field b into an existing packed element keeps a from the background.
        let back = convert_fixed(only_b.id(), rest.id(), 1, &out, Some(&packed)).unwrap();
        assert_eq!(back, packed);
        let mut other = 9i32.to_le_bytes().to_vec();
        other.extend(0f64.to_le_bytes());
        let merged = convert_fixed(only_b.id(), rest.id(), 1, &out, Some(&other)).unwrap();
        assert_eq!(&merged[..4], &9i32.to_le_bytes());
        assert_eq!(&merged[4..], &2.5f64.to_le_bytes());
    }

    #[test]
    fn wrong_lengths_are_refused() {
        let _hdf5 = crate::h5::handle::hdf5_test_lock();
        let i32le = hdf5_type(json!("H5T_STD_I32LE"));
        assert!(convert_fixed(i32le.id(), i32le.id(), 2, &[0; 7], None).is_err());
    }
}
