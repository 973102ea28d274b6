//! HDF5 datatypes ⇄ HDF REST type JSON ([`Datatype`], reference section 2.9).
//!
//! [`to_rest`] reads an HDF5 datatype id of any class; [`to_hdf5`] builds a new HDF5 datatype
//! from type JSON. Mapping decisions:
//! - integers, bitfields: 1, 2, 4 or 8 bytes with full precision at bit offset 0; floats: IEEE
//!   binary16/32/64. Anything else (e.g. a 24-bit integer, VAX floats, padding bits) is
//!   [`super::H5Error::Unsupported`] naming the reason, since REST names only the standard types.
//! - fixed strings keep size, charset and padding; variable strings are `H5T_VARIABLE`.
//! - compounds become their field list; when the HDF5 type is not packed, its member offsets and
//!   size are recorded as the compound's layout ([`crate::model::CompoundLayout`]), which
//!   [`super::layout::application_type`] rebuilds. [`to_hdf5`] ignores it: the type it builds is
//!   the packed wire layout.
//! - references: the old `hobj_ref_t` (`H5T_STD_REF_OBJ`) and the new `H5R_ref_t`
//!   (`H5T_STD_REF`) both map to `H5T_STD_REF_OBJ`; the old region reference
//!   `hdset_reg_ref_t` maps to `H5T_STD_REF_DSETREG`. The reverse builds `H5T_STD_REF` for
//!   object references (the type `crate::vol::reference` reads and writes; HDF5 refuses the
//!   old `hobj_ref_t` API with connectors other than its native one), so `H5T_STD_REF_OBJ`
//!   does not round-trip by `H5Tequal`, and the old region type for `H5T_STD_REF_DSETREG`.
//! - `H5T_TIME` has no REST form and is refused.
//! - committed types: [`is_committed`] says so; the caller knows the `t-…` id and wraps the
//!   definition with [`committed_copy`].

use crate::ffi::h5type::{self, Predefined};
use crate::ffi::hdf5::hid_t;
use crate::model::types::{
    BitfieldType, ByteOrder, CharSet, Compound, CompoundField, CompoundLayout, Datatype,
    EnumMember, FloatType, IntegerType, ReferenceKind, StrPad, StringLength, StringType,
};
use crate::model::ObjId;

use super::error::{invalid, unsupported, H5Result};
use super::handle::OwnedId;

/// Reads the HDF5 datatype `id` as REST type JSON (see the module docs for the mapping).
///
/// # Errors
/// [`super::H5Error::Unsupported`] for types REST cannot express; [`super::H5Error::Hdf5`] when a libhdf5
/// call fails.
pub fn to_rest(id: hid_t) -> H5Result<Datatype> {
    let class = h5type::class(id)?;
    match class {
        h5type::H5T_INTEGER => integer(id).map(Datatype::Integer),
        h5type::H5T_FLOAT => float(id).map(Datatype::Float),
        h5type::H5T_BITFIELD => bitfield(id).map(Datatype::Bitfield),
        h5type::H5T_STRING => string(id).map(Datatype::String),
        h5type::H5T_COMPOUND => compound(id).map(Datatype::Compound),
        h5type::H5T_ENUM => enumeration(id),
        h5type::H5T_ARRAY => array(id),
        h5type::H5T_VLEN => {
            let base = OwnedId::datatype(h5type::super_type(id)?);
            Ok(Datatype::Vlen(Box::new(to_rest(base.id())?)))
        }
        h5type::H5T_OPAQUE => {
            Ok(Datatype::Opaque { size: as_u64(h5type::size(id)?), tag: h5type::tag(id)? })
        }
        h5type::H5T_REFERENCE => reference(id).map(Datatype::Reference),
        h5type::H5T_TIME => Err(unsupported("H5T_TIME datatypes have no REST form")),
        other => Err(unsupported(format!("HDF5 datatype class {other}"))),
    }
}

/// Whether the HDF5 datatype `id` is a committed (named) datatype.
///
/// # Errors
/// [`super::H5Error::Hdf5`] when `H5Tcommitted` fails.
pub fn is_committed(id: hid_t) -> H5Result<bool> {
    Ok(h5type::committed(id)?)
}

/// The stored form of a type defined by the committed datatype `committed_id`.
pub fn committed_copy(datatype: Datatype, committed_id: ObjId) -> Datatype {
    match datatype {
        Datatype::CommittedCopy { datatype, .. } => {
            Datatype::CommittedCopy { id: committed_id, datatype }
        }
        other => Datatype::CommittedCopy { id: committed_id, datatype: Box::new(other) },
    }
}

/// Builds a new HDF5 datatype for `datatype`, the stored (wire) form used to convert values:
/// compounds are packed whatever layout they record, except those with reference members, which
/// get the C layout (see [`super::layout::wire_compound`]); vlen and variable strings are HDF5's
/// memory forms (`hvl_t`, `char *`).
///
/// # Errors
/// [`super::H5Error::Invalid`] for an unresolved committed reference (`"t-…"`: resolve it first);
/// [`super::H5Error::Hdf5`] when a libhdf5 call fails.
pub fn to_hdf5(datatype: &Datatype) -> H5Result<OwnedId> {
    match datatype {
        Datatype::Integer(int) => {
            copy_predefined(Predefined::StdInt(int.size, int.signed, int.order == ByteOrder::Big))
        }
        Datatype::Float(float) if float.size == 2 => {
            Ok(OwnedId::datatype(h5type::ieee_f16(float.order == ByteOrder::Big)?))
        }
        Datatype::Float(float) => {
            copy_predefined(Predefined::Ieee(float.size, float.order == ByteOrder::Big))
        }
        Datatype::Bitfield(bits) => {
            copy_predefined(Predefined::StdBitfield(bits.size, bits.order == ByteOrder::Big))
        }
        Datatype::String(string) => string_to_hdf5(string),
        Datatype::Compound(compound) => super::layout::wire_compound(compound),
        Datatype::Enum { base, members } => enum_to_hdf5(base, members),
        Datatype::Array { base, dims } => {
            let base = to_hdf5(base)?;
            Ok(OwnedId::datatype(h5type::array_create(base.id(), dims)?))
        }
        Datatype::Vlen(base) => {
            let base = to_hdf5(base)?;
            Ok(OwnedId::datatype(h5type::vlen_create(base.id())?))
        }
        Datatype::Opaque { size, tag } => {
            let size = usize::try_from(*size).map_err(|_| invalid("opaque size too large"))?;
            let id = OwnedId::datatype(h5type::create(h5type::H5T_OPAQUE, size)?);
            if !tag.is_empty() {
                h5type::set_tag(id.id(), tag)?;
            }
            Ok(id)
        }
        // The new-style type: HDF5 lets connectors other than the native one dereference
        // only `H5R_ref_t`s, so that is what applications reading with the dataset's own
        // type must get.
        Datatype::Reference(ReferenceKind::Object) => copy_predefined(Predefined::Ref),
        Datatype::Reference(ReferenceKind::Region) => copy_predefined(Predefined::RefDsetReg),
        Datatype::Committed(id) => {
            Err(invalid(format!("committed type {id} must be resolved to its definition first")))
        }
        Datatype::CommittedCopy { datatype, .. } => to_hdf5(datatype),
    }
}

/// Size in bytes of one element of HDF5 type `id` in memory (`H5Tget_size`: compounds with
/// their padding, `char *` for variable strings, `hvl_t` for sequences).
///
/// # Errors
/// [`super::H5Error::Hdf5`] when `H5Tget_size` fails.
pub fn memory_size(id: hid_t) -> H5Result<usize> {
    Ok(h5type::size(id)?)
}

/// Size in bytes of one element in the REST binary layout (packed compounds); `None` for types
/// with a variable-length part, which travel as count+bytes streams.
///
/// # Errors
/// As [`to_rest`].
pub fn rest_size(id: hid_t) -> H5Result<Option<u64>> {
    Ok(to_rest(id)?.item_size())
}

/// A new HDF5 type with the same values as `id` in the native memory layout of this machine
/// (native byte order, aligned compound members), as `H5Tget_native_type` builds it.
///
/// # Errors
/// [`super::H5Error::Hdf5`] when `H5Tget_native_type` fails.
pub fn native_layout(id: hid_t) -> H5Result<OwnedId> {
    Ok(OwnedId::datatype(h5type::native_type(id)?))
}

/// Whether HDF5 type `id` has a variable-length part (vlen or variable string) at any depth.
///
/// # Errors
/// As [`to_rest`].
pub fn has_variable_parts(id: hid_t) -> H5Result<bool> {
    Ok(to_rest(id)?.is_variable())
}

fn copy_predefined(which: Predefined) -> H5Result<OwnedId> {
    Ok(OwnedId::datatype(h5type::copy(h5type::predefined(which)?)?))
}

fn as_u64(value: usize) -> u64 {
    u64::try_from(value).unwrap_or(u64::MAX)
}

fn byte_order(id: hid_t, what: &str) -> H5Result<ByteOrder> {
    match h5type::order(id)? {
        h5type::H5T_ORDER_LE => Ok(ByteOrder::Little),
        h5type::H5T_ORDER_BE => Ok(ByteOrder::Big),
        other => Err(unsupported(format!("{what} with byte order {other} (only LE and BE)"))),
    }
}

/// Size in bytes when the type uses all its bits from offset 0 and has a standard size.
fn standard_size(id: hid_t, what: &str) -> H5Result<u8> {
    let size = h5type::size(id)?;
    let precision = h5type::precision(id)?;
    let offset = h5type::bit_offset(id)?;
    if ![1, 2, 4, 8].contains(&size) {
        return Err(unsupported(format!("{what} of {size} bytes (only 1, 2, 4 or 8)")));
    }
    if precision != size * 8 || offset != 0 {
        return Err(unsupported(format!(
            "{what} with precision {precision} bits at offset {offset} in {size} bytes \
             (only full-width types)"
        )));
    }
    u8::try_from(size).map_err(|_| unsupported(format!("{what} of {size} bytes")))
}

fn integer(id: hid_t) -> H5Result<IntegerType> {
    let size = standard_size(id, "integer")?;
    let order = byte_order(id, "integer")?;
    let signed = h5type::sign(id)? == h5type::H5T_SGN_2;
    Ok(IntegerType { size, signed, order })
}

fn bitfield(id: hid_t) -> H5Result<BitfieldType> {
    let size = standard_size(id, "bitfield")?;
    Ok(BitfieldType { size, order: byte_order(id, "bitfield")? })
}

fn float(id: hid_t) -> H5Result<FloatType> {
    let size = h5type::size(id)?;
    let order = byte_order(id, "float")?;
    let ieee = u8::try_from(size)
        .ok()
        .filter(|size| [2, 4, 8].contains(size))
        .ok_or_else(|| unsupported(format!("float of {size} bytes (only IEEE 16, 32, 64 bit)")))?;
    let standard = to_hdf5(&Datatype::Float(FloatType { size: ieee, order }))?;
    if !h5type::equal(id, standard.id())? {
        return Err(unsupported(format!(
            "non-IEEE float of {size} bytes (custom precision, exponent or mantissa)"
        )));
    }
    Ok(FloatType { size: ieee, order })
}

fn string(id: hid_t) -> H5Result<StringType> {
    let char_set = match h5type::cset(id)? {
        h5type::H5T_CSET_UTF8 => CharSet::Utf8,
        _ => CharSet::Ascii,
    };
    let str_pad = match h5type::strpad(id)? {
        h5type::H5T_STR_NULLTERM => StrPad::NullTerm,
        h5type::H5T_STR_NULLPAD => StrPad::NullPad,
        h5type::H5T_STR_SPACEPAD => StrPad::SpacePad,
        other => return Err(unsupported(format!("string padding {other}"))),
    };
    let length = if h5type::is_variable_str(id)? {
        StringLength::Variable
    } else {
        StringLength::Fixed(as_u64(h5type::size(id)?))
    };
    Ok(StringType { char_set, str_pad, length })
}

/// The fields of the compound `id`, with its layout when that is not the packed one.
fn compound(id: hid_t) -> H5Result<Compound> {
    let count = h5type::member_count(id)?;
    if count == 0 {
        return Err(unsupported("compound type with no fields"));
    }
    let mut fields = Vec::new();
    let mut offsets = Vec::new();
    let mut packed = true;
    let mut packed_end = 0usize;
    for index in 0..count {
        let name = h5type::member_name(id, index)?;
        let member = OwnedId::datatype(h5type::member_type(id, index)?);
        let datatype = to_rest(member.id())
            .map_err(|err| unsupported(format!("compound field '{name}': {err}")))?;
        let offset = h5type::member_offset(id, index)?;
        packed &= offset == packed_end;
        packed_end = offset.saturating_add(h5type::size(member.id())?);
        offsets.push(as_u64(offset));
        fields.push(CompoundField { name, datatype });
    }
    let size = h5type::size(id)?;
    if packed && size == packed_end {
        return Ok(Compound::packed(fields));
    }
    Compound::with_layout(fields, CompoundLayout { offsets, size: as_u64(size) })
        .map_err(|err| unsupported(format!("compound layout: {err}")))
}

fn enumeration(id: hid_t) -> H5Result<Datatype> {
    let base_id = OwnedId::datatype(h5type::super_type(id)?);
    let base = integer(base_id.id())?;
    let size = usize::from(base.size);
    let mut members = (0..h5type::member_count(id)?)
        .map(|index| {
            let name = h5type::member_name(id, index)?;
            let bytes = h5type::member_value(id, index, size)?;
            Ok(EnumMember { name, value: decode_int(&bytes, base) })
        })
        .collect::<H5Result<Vec<_>>>()?;
    members.sort_by(|a, b| a.value.cmp(&b.value).then_with(|| a.name.cmp(&b.name)));
    Ok(Datatype::Enum { base, members })
}

/// Reads an integer of type `int` from its bytes.
fn decode_int(bytes: &[u8], int: IntegerType) -> i128 {
    let mut le: Vec<u8> = bytes.to_vec();
    if int.order == ByteOrder::Big {
        le.reverse();
    }
    let negative = int.signed && le.last().is_some_and(|top| top & 0x80 != 0);
    let mut wide = [if negative { 0xff } else { 0 }; 16];
    for (slot, byte) in wide.iter_mut().zip(le) {
        *slot = byte;
    }
    i128::from_le_bytes(wide)
}

/// Writes `value` as the bytes of integer type `int` (wrapping values out of range).
fn encode_int(value: i128, int: IntegerType) -> Vec<u8> {
    let mut bytes = value.to_le_bytes()[..usize::from(int.size)].to_vec();
    if int.order == ByteOrder::Big {
        bytes.reverse();
    }
    bytes
}

fn array(id: hid_t) -> H5Result<Datatype> {
    let dims = h5type::array_dims(id)?;
    let base = OwnedId::datatype(h5type::super_type(id)?);
    Ok(Datatype::Array { base: Box::new(to_rest(base.id())?), dims })
}

fn reference(id: hid_t) -> H5Result<ReferenceKind> {
    if h5type::equal(id, h5type::predefined(Predefined::RefDsetReg)?)? {
        return Ok(ReferenceKind::Region);
    }
    let object = h5type::predefined(Predefined::RefObj)?;
    let new_style = h5type::predefined(Predefined::Ref)?;
    if h5type::equal(id, object)? || h5type::equal(id, new_style)? {
        return Ok(ReferenceKind::Object);
    }
    Err(unsupported("reference type other than H5T_STD_REF_OBJ, H5T_STD_REF_DSETREG, H5T_STD_REF"))
}

fn string_to_hdf5(string: &StringType) -> H5Result<OwnedId> {
    let id = copy_predefined(Predefined::CString)?;
    let size = match string.length {
        StringLength::Fixed(n) => {
            Some(usize::try_from(n).map_err(|_| invalid("string length too large"))?)
        }
        StringLength::Variable => None,
    };
    h5type::set_size(id.id(), size)?;
    let cset = match string.char_set {
        CharSet::Ascii => h5type::H5T_CSET_ASCII,
        CharSet::Utf8 => h5type::H5T_CSET_UTF8,
    };
    h5type::set_cset(id.id(), cset)?;
    let pad = match string.str_pad {
        StrPad::NullTerm => h5type::H5T_STR_NULLTERM,
        StrPad::NullPad => h5type::H5T_STR_NULLPAD,
        StrPad::SpacePad => h5type::H5T_STR_SPACEPAD,
    };
    h5type::set_strpad(id.id(), pad)?;
    Ok(id)
}

fn enum_to_hdf5(base: &IntegerType, members: &[EnumMember]) -> H5Result<OwnedId> {
    let base_id = to_hdf5(&Datatype::Integer(*base))?;
    let id = OwnedId::datatype(h5type::enum_create(base_id.id())?);
    for member in members {
        h5type::enum_insert(id.id(), &member.name, &encode_int(member.value, *base))?;
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use serde_json::json;

    use super::*;
    use crate::ffi::h5type::Predefined;

    fn rest_json(id: hid_t) -> serde_json::Value {
        to_rest(id).unwrap().to_json()
    }

    /// JSON → HDF5 → JSON is the identity, and JSON → HDF5 equals `expected` when given.
    fn round_trip(value: serde_json::Value) {
        let datatype = Datatype::from_json(&value).unwrap();
        let id = to_hdf5(&datatype).unwrap();
        assert_eq!(to_rest(id.id()).unwrap(), datatype, "{value}");
        let again = to_hdf5(&to_rest(id.id()).unwrap()).unwrap();
        assert!(h5type::equal(id.id(), again.id()).unwrap(), "{value}");
    }

    #[test]
    fn integers_and_floats_of_all_sizes_and_orders() {
        let _hdf5 = crate::h5::handle::hdf5_test_lock();
        for sign in ["I", "U"] {
            for bits in [8, 16, 32, 64] {
                for order in ["LE", "BE"] {
                    round_trip(json!(format!("H5T_STD_{sign}{bits}{order}")));
                    round_trip(json!(format!("H5T_STD_B{bits}{order}")));
                }
            }
        }
        for bits in [16, 32, 64] {
            for order in ["LE", "BE"] {
                round_trip(json!(format!("H5T_IEEE_F{bits}{order}")));
            }
        }
    }

    #[test]
    fn native_types_read_as_standard_names() {
        let _hdf5 = crate::h5::handle::hdf5_test_lock();
        let native_int = copy_predefined(Predefined::StdInt(4, true, false)).unwrap();
        assert_eq!(
            rest_json(native_int.id()),
            json!({"class": "H5T_INTEGER", "base": "H5T_STD_I32LE"})
        );
        let half = OwnedId::datatype(h5type::ieee_f16(true).unwrap());
        assert_eq!(rest_json(half.id()), json!({"class": "H5T_FLOAT", "base": "H5T_IEEE_F16BE"}));
        // The type built for binary16 equals HDF5's own H5T_IEEE_F16LE (1.14.4 and later).
        let own = OwnedId::datatype(h5type::ieee_f16(false).unwrap());
        assert!(h5type::equal(own.id(), h5type::predefined_f16le_for_tests().unwrap()).unwrap());
    }

    #[test]
    fn non_standard_numbers_are_refused_clearly() {
        let _hdf5 = crate::h5::handle::hdf5_test_lock();
        let odd = copy_predefined(Predefined::StdInt(4, true, false)).unwrap();
        crate::ffi::h5type::set_size(odd.id(), Some(3)).unwrap();
        let message = to_rest(odd.id()).unwrap_err().to_string();
        assert!(message.contains("3 bytes"), "{message}");
    }

    #[test]
    fn strings_of_every_charset_and_padding() {
        let _hdf5 = crate::h5::handle::hdf5_test_lock();
        for cset in ["H5T_CSET_ASCII", "H5T_CSET_UTF8"] {
            for pad in ["H5T_STR_NULLTERM", "H5T_STR_NULLPAD", "H5T_STR_SPACEPAD"] {
                round_trip(
                    json!({"class": "H5T_STRING", "charSet": cset, "strPad": pad, "length": 7}),
                );
            }
            round_trip(json!({"class": "H5T_STRING", "charSet": cset,
                              "strPad": "H5T_STR_NULLTERM", "length": "H5T_VARIABLE"}));
        }
    }

    #[test]
    fn compounds_nested_enums_arrays_vlens_opaque_references() {
        let _hdf5 = crate::h5::handle::hdf5_test_lock();
        round_trip(json!({"class": "H5T_COMPOUND", "fields": [
            {"name": "a", "type": "H5T_STD_I8LE"},
            {"name": "b", "type": "H5T_IEEE_F64BE"},
            {"name": "inner", "type": {"class": "H5T_COMPOUND", "fields": [
                {"name": "x", "type": "H5T_STD_U16LE"},
                {"name": "s", "type": {"class": "H5T_STRING", "length": 3,
                    "charSet": "H5T_CSET_ASCII", "strPad": "H5T_STR_NULLPAD"}}]}},
            {"name": "v", "type": {"class": "H5T_VLEN", "base": "H5T_STD_I32LE"}}]}));
        round_trip(json!({"class": "H5T_ENUM", "base": "H5T_STD_I16BE",
                          "mapping": {"LOW": -3, "MID": 0, "HIGH": 300}}));
        round_trip(json!({"class": "H5T_ENUM", "base": "H5T_STD_U64LE",
                          "mapping": {"BIG": u64::MAX, "ZERO": 0}}));
        round_trip(json!({"class": "H5T_ARRAY", "base": "H5T_IEEE_F32LE", "dims": [2, 3]}));
        round_trip(json!({"class": "H5T_VLEN", "base": {"class": "H5T_ARRAY",
                          "base": "H5T_STD_U8LE", "dims": [4]}}));
        round_trip(json!({"class": "H5T_OPAQUE", "size": 5, "tag": "blob"}));
        round_trip(json!({"class": "H5T_OPAQUE", "size": 2, "tag": ""}));
        round_trip(json!("H5T_STD_REF_OBJ"));
        round_trip(json!("H5T_STD_REF_DSETREG"));
    }

    #[test]
    fn packed_rest_size_and_memory_size_differ_for_padded_compounds() {
        let _hdf5 = crate::h5::handle::hdf5_test_lock();
        let compound = OwnedId::datatype(h5type::create(h5type::H5T_COMPOUND, 16).unwrap());
        let i8_type = copy_predefined(Predefined::StdInt(1, true, false)).unwrap();
        let f64_type = copy_predefined(Predefined::Ieee(8, false)).unwrap();
        h5type::insert(compound.id(), "a", 0, i8_type.id()).unwrap();
        h5type::insert(compound.id(), "b", 8, f64_type.id()).unwrap();
        assert_eq!(memory_size(compound.id()).unwrap(), 16);
        assert_eq!(rest_size(compound.id()).unwrap(), Some(9));
        let packed = to_hdf5(&to_rest(compound.id()).unwrap()).unwrap();
        assert_eq!(memory_size(packed.id()).unwrap(), 9);
        let native = native_layout(packed.id()).unwrap();
        assert_eq!(memory_size(native.id()).unwrap(), 16);
        assert!(!has_variable_parts(compound.id()).unwrap());
        let vlen = to_hdf5(
            &Datatype::from_json(&json!({"class": "H5T_STRING",
            "length": "H5T_VARIABLE"}))
            .unwrap(),
        )
        .unwrap();
        assert!(has_variable_parts(vlen.id()).unwrap());
        assert_eq!(rest_size(vlen.id()).unwrap(), None);
    }

    #[test]
    fn padded_compounds_record_their_layout_and_travel_packed() {
        let _hdf5 = crate::h5::handle::hdf5_test_lock();
        // struct { char a; double b; } inside an array of 2, inside struct { int n; ...; }.
        let inner = OwnedId::datatype(h5type::create(h5type::H5T_COMPOUND, 16).unwrap());
        let i8_type = copy_predefined(Predefined::StdInt(1, true, false)).unwrap();
        let i32_type = copy_predefined(Predefined::StdInt(4, true, false)).unwrap();
        let f64_type = copy_predefined(Predefined::Ieee(8, false)).unwrap();
        h5type::insert(inner.id(), "a", 0, i8_type.id()).unwrap();
        h5type::insert(inner.id(), "b", 8, f64_type.id()).unwrap();
        let array = OwnedId::datatype(h5type::array_create(inner.id(), &[2]).unwrap());
        let outer = OwnedId::datatype(h5type::create(h5type::H5T_COMPOUND, 40).unwrap());
        h5type::insert(outer.id(), "n", 0, i32_type.id()).unwrap();
        h5type::insert(outer.id(), "pair", 8, array.id()).unwrap();
        let rest = to_rest(outer.id()).unwrap();
        let json = rest.to_json();
        assert_eq!(json["memorySize"], json!(40));
        assert_eq!(json["fields"][1]["offset"], json!(8));
        assert_eq!(json["fields"][1]["type"]["base"]["memorySize"], json!(16));
        assert_eq!(rest.item_size(), Some(4 + 2 * 9));
        // The wire type is packed; the application gets its own type back.
        assert_eq!(memory_size(to_hdf5(&rest).unwrap().id()).unwrap(), 22);
        let app = crate::h5::layout::application_type(&rest).unwrap();
        assert!(h5type::equal(app.id(), outer.id()).unwrap());
        // A packed compound records nothing.
        let packed = to_hdf5(
            &Datatype::from_json(&json!({"class": "H5T_COMPOUND",
            "fields": [{"name": "a", "type": "H5T_STD_I8LE"}]}))
            .unwrap(),
        )
        .unwrap();
        assert!(to_rest(packed.id()).unwrap().to_json().get("memorySize").is_none());
    }

    #[test]
    fn compounds_with_references_are_laid_out_as_c_structs() {
        let _hdf5 = crate::h5::handle::hdf5_test_lock();
        // H5DS's REFERENCE_LIST: struct { H5R_ref_t dataset; int dim_idx; } is 72 bytes.
        let list = Datatype::from_json(&json!({"class": "H5T_COMPOUND", "fields": [
            {"name": "dataset", "type": {"class": "H5T_REFERENCE", "base": "H5T_STD_REF_OBJ"}},
            {"name": "dim_idx", "type": "H5T_STD_I32LE"}]}))
        .unwrap();
        let id = to_hdf5(&list).unwrap();
        assert_eq!(memory_size(id.id()).unwrap(), 72);
        assert_eq!(h5type::member_offset(id.id(), 1).unwrap(), 64);
        let native = native_layout(id.id()).unwrap();
        assert_eq!(memory_size(native.id()).unwrap(), 72);
        let Datatype::Compound(back) = to_rest(id.id()).unwrap() else { panic!("not a compound") };
        assert_eq!(back.layout().map(|l| (l.offsets.clone(), l.size)), Some((vec![0, 64], 72)));
        assert_eq!(Datatype::Compound(back.without_layout()), list);
        // Other compounds stay packed (the REST layout).
        let plain = Datatype::from_json(&json!({"class": "H5T_COMPOUND", "fields": [
            {"name": "a", "type": "H5T_STD_I8LE"}, {"name": "b", "type": "H5T_IEEE_F64LE"}]}))
        .unwrap();
        assert_eq!(memory_size(to_hdf5(&plain).unwrap().id()).unwrap(), 9);
    }

    #[test]
    fn new_style_references_map_to_object_references() {
        let _hdf5 = crate::h5::handle::hdf5_test_lock();
        let new_ref = h5type::predefined(Predefined::Ref).unwrap();
        assert_eq!(to_rest(new_ref).unwrap(), Datatype::Reference(ReferenceKind::Object));
        let back = to_hdf5(&Datatype::Reference(ReferenceKind::Object)).unwrap();
        assert!(h5type::equal(back.id(), new_ref).unwrap());
    }

    #[test]
    fn committed_types_are_reported_and_need_resolving() {
        let _hdf5 = crate::h5::handle::hdf5_test_lock();
        let int = copy_predefined(Predefined::StdInt(4, true, false)).unwrap();
        assert!(!is_committed(int.id()).unwrap());
        let root = crate::model::ids::new_root_id().unwrap();
        let id = crate::model::ids::new_obj_id(crate::model::ObjClass::Datatype, &root).unwrap();
        let copy = committed_copy(to_rest(int.id()).unwrap(), id.clone());
        assert_eq!(copy.committed_id(), Some(&id));
        assert!(to_hdf5(&Datatype::Committed(id)).is_err());
        assert!(to_hdf5(&copy).is_ok());
    }
}
