//! The in-memory layout applications get for types with variable-length parts.
//!
//! The REST form of a compound is packed (HSDS stores no member offsets), but a C program that
//! created a compound holding `char *` or `hvl_t` members reads it back into its own struct
//! with `H5Dget_type`'s answer, as HDF5's native format gives back that struct layout. For
//! such types restvol hands out the C-struct layout: every compound reachable through the
//! type (also inside sequences and arrays) has its members at their natural alignment and its
//! size rounded up to its own alignment. Types without variable-length parts keep the REST
//! form.

use crate::ffi::h5type;
use crate::ffi::hdf5::hid_t;

use super::error::H5Result;
use super::handle::OwnedId;

/// The type to give an application for the REST-form type `rest` (see the module docs): a new
/// type, laid out as a C struct when `rest` has variable-length parts, else a copy.
///
/// # Errors
/// [`super::H5Error::Hdf5`] when a libhdf5 call fails.
pub fn application_type(rest: hid_t) -> H5Result<OwnedId> {
    if !h5type::has_vlen(rest)? {
        return Ok(OwnedId::datatype(h5type::copy(rest)?));
    }
    Ok(c_layout(rest)?.0)
}

/// Natural alignment of a scalar of `size` bytes.
fn scalar_alignment(size: usize) -> usize {
    if size.is_power_of_two() && size <= 16 {
        size
    } else {
        1
    }
}

fn round_up(value: usize, alignment: usize) -> usize {
    value.div_ceil(alignment.max(1)) * alignment.max(1)
}

/// The C layout of `id` and its alignment.
fn c_layout(id: hid_t) -> H5Result<(OwnedId, usize)> {
    let pointer = std::mem::align_of::<usize>();
    match h5type::class(id)? {
        h5type::H5T_COMPOUND => {
            let mut members = Vec::new();
            let mut offset = 0usize;
            let mut alignment = 1usize;
            for index in 0..h5type::member_count(id)? {
                let name = h5type::member_name(id, index)?;
                let member = OwnedId::datatype(h5type::member_type(id, index)?);
                let (laid_out, member_alignment) = c_layout(member.id())?;
                offset = round_up(offset, member_alignment);
                alignment = alignment.max(member_alignment);
                let size = h5type::size(laid_out.id())?;
                members.push((name, offset, laid_out));
                offset += size;
            }
            let compound = OwnedId::datatype(h5type::create(
                h5type::H5T_COMPOUND,
                round_up(offset, alignment).max(1),
            )?);
            for (name, at, member) in &members {
                h5type::insert(compound.id(), name, *at, member.id())?;
            }
            Ok((compound, alignment))
        }
        h5type::H5T_VLEN => {
            let base = OwnedId::datatype(h5type::super_type(id)?);
            let (laid_out, _) = c_layout(base.id())?;
            Ok((OwnedId::datatype(h5type::vlen_create(laid_out.id())?), pointer))
        }
        h5type::H5T_ARRAY => {
            let base = OwnedId::datatype(h5type::super_type(id)?);
            let (laid_out, alignment) = c_layout(base.id())?;
            let dims = h5type::array_dims(id)?;
            Ok((OwnedId::datatype(h5type::array_create(laid_out.id(), &dims)?), alignment))
        }
        h5type::H5T_STRING if h5type::is_variable_str(id)? => {
            Ok((OwnedId::datatype(h5type::copy(id)?), pointer))
        }
        h5type::H5T_STRING | h5type::H5T_OPAQUE => Ok((OwnedId::datatype(h5type::copy(id)?), 1)),
        h5type::H5T_REFERENCE => Ok((OwnedId::datatype(h5type::copy(id)?), pointer)),
        _ => {
            let size = h5type::size(id)?;
            Ok((OwnedId::datatype(h5type::copy(id)?), scalar_alignment(size)))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use serde_json::json;

    use super::*;
    use crate::h5::types::to_hdf5;
    use crate::model::types::Datatype;

    fn hdf5_type(value: serde_json::Value) -> OwnedId {
        to_hdf5(&Datatype::from_json(&value).unwrap()).unwrap()
    }

    #[test]
    fn compounds_with_pointers_get_the_c_layout() {
        let _hdf5 = crate::h5::handle::hdf5_test_lock();
        // struct { int n; hvl_t v; } with v a sequence of struct { char *s; int e; }.
        let rest = hdf5_type(json!({"class": "H5T_VLEN", "base": {"class": "H5T_COMPOUND",
            "fields": [
                {"name": "n", "type": "H5T_STD_I32LE"},
                {"name": "v", "type": {"class": "H5T_VLEN", "base": {"class": "H5T_COMPOUND",
                    "fields": [
                        {"name": "s", "type": {"class": "H5T_STRING", "length": "H5T_VARIABLE"}},
                        {"name": "e", "type": "H5T_STD_I32LE"}]}}}]}}));
        let app = application_type(rest.id()).unwrap();
        let outer = OwnedId::datatype(h5type::super_type(app.id()).unwrap());
        assert_eq!(h5type::size(outer.id()).unwrap(), 24);
        assert_eq!(h5type::member_offset(outer.id(), 1).unwrap(), 8);
        let v = OwnedId::datatype(h5type::member_type(outer.id(), 1).unwrap());
        let inner = OwnedId::datatype(h5type::super_type(v.id()).unwrap());
        assert_eq!(h5type::size(inner.id()).unwrap(), 16);
        assert_eq!(h5type::member_offset(inner.id(), 1).unwrap(), 8);

        // Fixed-size types keep the REST form.
        let fixed = hdf5_type(json!({"class": "H5T_COMPOUND", "fields": [
            {"name": "a", "type": "H5T_STD_I8LE"}, {"name": "b", "type": "H5T_STD_I32LE"}]}));
        let same = application_type(fixed.id()).unwrap();
        assert!(h5type::equal(same.id(), fixed.id()).unwrap());
    }
}
