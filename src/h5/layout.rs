//! Memory layouts of compound types: the packed/C-struct wire form [`wire_compound`] (what
//! [`super::types::to_hdf5`] builds) and the type applications get, [`application_type`].
//!
//! The REST form of a compound is packed; restvol records the layout the application created it
//! with in the type JSON ([`crate::model::CompoundLayout`]), and hands that layout back, as
//! HDF5's native format gives back the type the program created. A type with no recorded layout
//! anywhere (one written by HSDS or h5pyd, or an older restvol) gets today's answer: the C-struct
//! layout (every compound member at its natural alignment, the size rounded up to the largest)
//! for types with variable-length parts, as C programs read those into their structs; the wire
//! form otherwise (packed, compounds with reference members C-struct laid out). The C-struct
//! computation is one function, [`c_struct`], for both.

use crate::ffi::h5type;
use crate::model::types::{Compound, Datatype, StringLength};

use super::error::{invalid, H5Result};
use super::handle::OwnedId;
use super::types::to_hdf5;

/// How compounds without a recorded layout are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    /// The wire form: packed, except compounds with reference members (C struct).
    Wire,
    /// Every compound as a C struct.
    CStruct,
    /// Recorded layouts where given, every other compound packed.
    Recorded,
}

/// The type to give an application for the stored type `datatype` (see the module docs): its
/// recorded layouts when it has any, else the C-struct layout when it has variable-length parts,
/// else the wire form. A recorded layout libhdf5 refuses (e.g. offsets recorded for
/// `hobj_ref_t` members, which come back as `H5R_ref_t`) falls back to the latter.
///
/// # Errors
/// [`super::H5Error::Invalid`] for an unresolved committed reference; [`super::H5Error::Hdf5`]
/// when a libhdf5 call fails.
pub fn application_type(datatype: &Datatype) -> H5Result<OwnedId> {
    if has_recorded_layout(datatype) {
        if let Ok(built) = build(datatype, Rule::Recorded) {
            return Ok(built);
        }
    }
    if has_vlen(datatype) {
        return build(datatype, Rule::CStruct);
    }
    build(datatype, Rule::Wire)
}

/// Whether `mem_type` is exactly the type the application created `datatype` with (what
/// [`application_type`] gives back). Native HDF5 reads such elements as stored, padding
/// included, with no conversion; any other compound memory type is converted over the
/// application's buffer, whose bytes outside the converted members survive.
///
/// # Errors
/// As [`application_type`].
pub fn is_application_type(
    datatype: &Datatype,
    mem_type: crate::ffi::hdf5::hid_t,
) -> H5Result<bool> {
    let created = application_type(datatype)?;
    Ok(crate::ffi::h5type::equal(created.id(), mem_type)?)
}

/// The stored (wire) HDF5 type of a compound: packed, or the C-struct layout when a member is
/// a reference (HDF5 code reads those into structs and walks them with the type it got: the
/// H5DS library reclaims a `REFERENCE_LIST` of `{H5R_ref_t, int}` read with the native type of
/// the attribute's type). Recorded layouts are ignored.
///
/// # Errors
/// As [`application_type`].
pub fn wire_compound(compound: &Compound) -> H5Result<OwnedId> {
    build_compound(compound, Rule::Wire)
}

fn has_recorded_layout(datatype: &Datatype) -> bool {
    match datatype {
        Datatype::Compound(compound) => {
            compound.layout().is_some()
                || compound.iter().any(|field| has_recorded_layout(&field.datatype))
        }
        Datatype::Array { base, .. } | Datatype::Vlen(base) => has_recorded_layout(base),
        Datatype::CommittedCopy { datatype, .. } => has_recorded_layout(datatype),
        _ => false,
    }
}

/// Whether the type has a sequence or variable string (`hvl_t` or `char *` in memory).
fn has_vlen(datatype: &Datatype) -> bool {
    match datatype {
        Datatype::Vlen(_) => true,
        Datatype::String(string) => string.length == StringLength::Variable,
        Datatype::Compound(compound) => compound.iter().any(|field| has_vlen(&field.datatype)),
        Datatype::Array { base, .. } => has_vlen(base),
        Datatype::CommittedCopy { datatype, .. } => has_vlen(datatype),
        _ => false,
    }
}

fn build(datatype: &Datatype, rule: Rule) -> H5Result<OwnedId> {
    match datatype {
        Datatype::Compound(compound) => build_compound(compound, rule),
        Datatype::Array { base, dims } if rule != Rule::Wire => {
            let base = build(base, rule)?;
            Ok(OwnedId::datatype(h5type::array_create(base.id(), dims)?))
        }
        Datatype::Vlen(base) if rule != Rule::Wire => {
            let base = build(base, rule)?;
            Ok(OwnedId::datatype(h5type::vlen_create(base.id())?))
        }
        Datatype::CommittedCopy { datatype, .. } => build(datatype, rule),
        other => to_hdf5(other),
    }
}

fn build_compound(compound: &Compound, rule: Rule) -> H5Result<OwnedId> {
    let members = compound
        .iter()
        .map(|field| Ok((field.name.as_str(), build(&field.datatype, rule)?)))
        .collect::<H5Result<Vec<_>>>()?;
    let overflow = || invalid("compound size overflows");
    let (offsets, size) = match (rule, compound.layout()) {
        (Rule::Recorded, Some(layout)) => {
            let offsets = layout
                .offsets
                .iter()
                .map(|offset| usize::try_from(*offset).map_err(|_| overflow()))
                .collect::<H5Result<Vec<_>>>()?;
            (offsets, usize::try_from(layout.size).map_err(|_| overflow())?)
        }
        (Rule::CStruct, _) => c_struct(compound, &members)?,
        (Rule::Wire, _)
            if compound.iter().any(|field| matches!(field.datatype, Datatype::Reference(_))) =>
        {
            c_struct(compound, &members)?
        }
        _ => {
            let mut offsets = Vec::with_capacity(members.len());
            let mut end = 0usize;
            for (_, member) in &members {
                offsets.push(end);
                end = end.checked_add(h5type::size(member.id())?).ok_or_else(overflow)?;
            }
            (offsets, end)
        }
    };
    let id = OwnedId::datatype(h5type::create(h5type::H5T_COMPOUND, size.max(1))?);
    for ((name, member), offset) in members.iter().zip(offsets) {
        h5type::insert(id.id(), name, offset, member.id())?;
    }
    Ok(id)
}

/// The C-struct layout of `compound` whose members were built as `members`: each member at the
/// next multiple of its alignment, the size a multiple of the largest alignment.
fn c_struct(compound: &Compound, members: &[(&str, OwnedId)]) -> H5Result<(Vec<usize>, usize)> {
    let overflow = || invalid("compound size overflows");
    let mut offsets = Vec::with_capacity(members.len());
    let mut end = 0usize;
    let mut largest = 1usize;
    for (field, (_, member)) in compound.iter().zip(members) {
        let align = c_alignment(&field.datatype);
        largest = largest.max(align);
        let at = end.checked_next_multiple_of(align).ok_or_else(overflow)?;
        offsets.push(at);
        end = at.checked_add(h5type::size(member.id())?).ok_or_else(overflow)?;
    }
    Ok((offsets, end.checked_next_multiple_of(largest).ok_or_else(overflow)?))
}

/// The alignment of a value of `datatype` in C memory on the platforms HDF5 runs on (numbers
/// aligned to their size up to 8; pointers, `hvl_t` and `H5R_ref_t` to the pointer size; bytes
/// to 1).
fn c_alignment(datatype: &Datatype) -> usize {
    let pointer = std::mem::align_of::<usize>();
    let by_size = |size: u64| match size {
        1 | 2 | 4 | 8 => size as usize,
        s if s > 8 && s % 8 == 0 => 8,
        _ => 1,
    };
    match datatype {
        Datatype::Integer(int) => by_size(u64::from(int.size)),
        Datatype::Float(float) => by_size(u64::from(float.size)),
        Datatype::Bitfield(bits) => by_size(u64::from(bits.size)),
        Datatype::Enum { base, .. } => by_size(u64::from(base.size)),
        Datatype::String(string) => match string.length {
            StringLength::Variable => pointer,
            StringLength::Fixed(_) => 1,
        },
        Datatype::Compound(compound) => {
            compound.iter().map(|f| c_alignment(&f.datatype)).max().unwrap_or(1)
        }
        Datatype::Array { base, .. } => c_alignment(base),
        Datatype::Vlen(_) | Datatype::Reference(_) => pointer,
        Datatype::Opaque { .. } | Datatype::Committed(_) => 1,
        Datatype::CommittedCopy { datatype, .. } => c_alignment(datatype),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use serde_json::json;

    use super::*;
    use crate::model::types::Datatype;

    fn parse(value: serde_json::Value) -> Datatype {
        Datatype::from_json(&value).unwrap()
    }

    #[test]
    fn compounds_with_pointers_get_the_c_layout() {
        let _hdf5 = crate::h5::handle::hdf5_test_lock();
        // struct { int n; hvl_t v; } with v a sequence of struct { char *s; int e; }.
        let rest = parse(json!({"class": "H5T_VLEN", "base": {"class": "H5T_COMPOUND",
            "fields": [
                {"name": "n", "type": "H5T_STD_I32LE"},
                {"name": "v", "type": {"class": "H5T_VLEN", "base": {"class": "H5T_COMPOUND",
                    "fields": [
                        {"name": "s", "type": {"class": "H5T_STRING", "length": "H5T_VARIABLE"}},
                        {"name": "e", "type": "H5T_STD_I32LE"}]}}}]}}));
        let app = application_type(&rest).unwrap();
        let outer = OwnedId::datatype(h5type::super_type(app.id()).unwrap());
        assert_eq!(h5type::size(outer.id()).unwrap(), 24);
        assert_eq!(h5type::member_offset(outer.id(), 1).unwrap(), 8);
        let v = OwnedId::datatype(h5type::member_type(outer.id(), 1).unwrap());
        let inner = OwnedId::datatype(h5type::super_type(v.id()).unwrap());
        assert_eq!(h5type::size(inner.id()).unwrap(), 16);
        assert_eq!(h5type::member_offset(inner.id(), 1).unwrap(), 8);

        // Fixed-size types keep the REST form.
        let fixed = parse(json!({"class": "H5T_COMPOUND", "fields": [
            {"name": "a", "type": "H5T_STD_I8LE"}, {"name": "b", "type": "H5T_STD_I32LE"}]}));
        let same = application_type(&fixed).unwrap();
        assert!(h5type::equal(same.id(), to_hdf5(&fixed).unwrap().id()).unwrap());
    }
}
