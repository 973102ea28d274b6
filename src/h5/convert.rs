//! Element buffers between the REST binary form and an application's HDF5 memory type.
//!
//! Fixed-size types go through `H5Tconvert`: the REST form of a type is the HDF5 type
//! [`super::types::to_hdf5`] builds from its JSON (packed compounds, the stored byte order), and
//! HDF5 converts between it and any compatible memory type (other sizes and byte orders,
//! integer ⇄ float, compound field subsets matched by name, with a background buffer).
//!
//! Variable-length types at the top level (variable strings, sequences of a fixed-size base)
//! go between the REST count+bytes stream (`codec::vlen`) and HDF5's memory forms (`char *`,
//! `hvl_t`) in a [`VlenBuffer`]; reads allocate with `H5allocate_memory`, so the application
//! frees them as it would after a native `H5Dread` (`H5Treclaim`). Types with variable-length
//! parts nested in compounds or arrays go through a [`VlenImage`] (the REST stream decoded into
//! HDF5's memory layout of the REST type) and `H5Tconvert`: [`variable_to_memory`] for reads;
//! for writes the connector builds the image from the application's buffer with the unsafe
//! `VlenImage::from_memory` and calls `VlenImage::to_stream`.

use crate::codec::vlen::{pack_vlen, unpack_vlen};
use crate::ffi::h5mem::{VlenBuffer, VlenImage, VlenLayout};
use crate::ffi::h5type;
use crate::ffi::hdf5::hid_t;
use crate::model::types::{Datatype, StringLength};

use super::error::{invalid, unsupported, H5Result};
use super::handle::OwnedId;
use super::types;

/// Whether elements of the REST type `rest` must be converted to be used as `mem_type`
/// (`false` when the application's memory type has exactly the REST layout, so bytes can be
/// copied as they are).
///
/// # Errors
/// [`super::H5Error::Hdf5`] when a libhdf5 call fails; [`super::H5Error::Invalid`] for an
/// unresolved committed type.
pub fn needs_conversion(rest: &Datatype, mem_type: hid_t) -> H5Result<bool> {
    let rest_type = types::to_hdf5(rest)?;
    Ok(!h5type::equal(rest_type.id(), mem_type)?)
}

/// Whether converting compound elements of `src` to `dst` sets every member of `dst`: each of
/// `dst`'s members has a member of the same name in `src`, recursively through nested
/// compounds. Then the conversion needs no background (nothing of the destination survives),
/// and a read leaves zeros, not the buffer's old bytes, in the destination's padding, as
/// native HDF5 does. `false` for non-compound types.
///
/// # Errors
/// [`super::H5Error::Hdf5`] when a libhdf5 call fails.
pub fn sets_every_member(src: hid_t, dst: hid_t) -> H5Result<bool> {
    if h5type::class(src)? != h5type::H5T_COMPOUND || h5type::class(dst)? != h5type::H5T_COMPOUND {
        return Ok(false);
    }
    let src_count = h5type::member_count(src)?;
    let src_names = (0..src_count)
        .map(|j| h5type::member_name(src, j).map(|name| (j, name)))
        .collect::<Result<Vec<_>, _>>()?;
    for i in 0..h5type::member_count(dst)? {
        let name = h5type::member_name(dst, i)?;
        let Some(&(j, _)) = src_names.iter().find(|(_, n)| *n == name) else {
            return Ok(false);
        };
        let dst_member = OwnedId::datatype(h5type::member_type(dst, i)?);
        if h5type::class(dst_member.id())? == h5type::H5T_COMPOUND {
            let src_member = OwnedId::datatype(h5type::member_type(src, j)?);
            if !sets_every_member(src_member.id(), dst_member.id())? {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

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

/// How elements of memory type `mem_type` are laid out when it is a top-level variable-length
/// type: `char *` for variable strings, `hvl_t` for sequences.
///
/// # Errors
/// [`super::H5Error::Unsupported`] for other types; [`super::H5Error::Hdf5`] when a call fails.
pub fn vlen_layout(mem_type: hid_t) -> H5Result<VlenLayout> {
    if h5type::is_variable_str(mem_type)? {
        return Ok(VlenLayout::CString);
    }
    if h5type::class(mem_type)? == h5type::H5T_VLEN {
        let base = OwnedId::datatype(h5type::super_type(mem_type)?);
        return Ok(VlenLayout::Sequence { base_size: h5type::size(base.id())? });
    }
    Err(unsupported("memory type is not a variable string or a vlen sequence"))
}

/// The REST type with any committed-type wrapper removed.
fn definition(datatype: &Datatype) -> &Datatype {
    match datatype {
        Datatype::CommittedCopy { datatype, .. } => definition(datatype),
        other => other,
    }
}

/// Fixed-size base types of a vlen sequence: (REST form, memory form).
fn sequence_bases(base: &Datatype, mem_type: hid_t) -> H5Result<(OwnedId, OwnedId)> {
    if base.item_size().is_none() {
        return Err(unsupported("vlen sequences of variable-length or unresolved types"));
    }
    let rest_base = types::to_hdf5(base)?;
    let mem_base = OwnedId::datatype(h5type::super_type(mem_type)?);
    Ok((rest_base, mem_base))
}

/// Reads: turns the REST stream of `out.len()` elements of `rest` (a variable string or a
/// sequence of a fixed-size base) into HDF5's memory form of `mem_type` in `out`.
///
/// # Errors
/// [`super::H5Error::Codec`] for a malformed stream; [`super::H5Error::Unsupported`] for other
/// types; [`super::H5Error::Hdf5`] when a conversion fails.
pub fn vlen_to_memory(
    rest: &Datatype,
    mem_type: hid_t,
    stream: &[u8],
    out: &mut VlenBuffer<'_>,
) -> H5Result<()> {
    let items = unpack_vlen(stream, out.len())?;
    let items = match definition(rest) {
        Datatype::String(string) if string.length == StringLength::Variable => items,
        Datatype::Vlen(base) => {
            let (rest_base, mem_base) = sequence_bases(base, mem_type)?;
            let rest_size = h5type::size(rest_base.id())?;
            items
                .iter()
                .map(|item| {
                    if item.len() % rest_size != 0 {
                        return Err(invalid("vlen item is not whole elements of its base"));
                    }
                    let count = item.len() / rest_size;
                    convert_fixed(rest_base.id(), mem_base.id(), count, item, None)
                })
                .collect::<H5Result<Vec<_>>>()?
        }
        _ => return Err(unsupported("not a top-level variable-length type")),
    };
    Ok(out.write_items(&items)?)
}

/// Writes: turns the application's memory-form elements (`input`, of `mem_type`) into the REST
/// count+bytes stream for type `rest`.
///
/// # Errors
/// As [`vlen_to_memory`].
pub fn vlen_from_memory(
    rest: &Datatype,
    mem_type: hid_t,
    input: &VlenBuffer<'_>,
) -> H5Result<Vec<u8>> {
    let items = input.read_items();
    let items = match definition(rest) {
        Datatype::String(string) if string.length == StringLength::Variable => items,
        Datatype::Vlen(base) => {
            let (rest_base, mem_base) = sequence_bases(base, mem_type)?;
            let mem_size = h5type::size(mem_base.id())?;
            items
                .iter()
                .map(|item| {
                    convert_fixed(mem_base.id(), rest_base.id(), item.len() / mem_size, item, None)
                })
                .collect::<H5Result<Vec<_>>>()?
        }
        _ => return Err(unsupported("not a top-level variable-length type")),
    };
    Ok(pack_vlen(&items)?)
}

/// Reads: turns the REST stream of `count` elements of `rest` (any type with variable-length
/// parts, including compounds and arrays holding them) into `count` elements of the
/// application's memory type `mem_type`. The variable-length memory in the result is new,
/// HDF5-allocated, and belongs to the application. `background` holds `count` elements of
/// `mem_type` for compound field subsets. The memory comes from the allocator the transfer
/// plist `dxpl` names (`H5Pset_vlen_mem_manager`; `H5Dvlen_get_buf_size` counts through it).
///
/// # Errors
/// [`super::H5Error::Hdf5`] for a malformed stream, an unsupported nesting (vlen of vlen) or a
/// failed conversion.
pub fn variable_to_memory(
    rest: &Datatype,
    mem_type: hid_t,
    count: usize,
    stream: &[u8],
    background: Option<&[u8]>,
    dxpl: hid_t,
) -> H5Result<Vec<u8>> {
    let rest_type = types::to_hdf5(rest)?;
    let image = VlenImage::from_stream(rest_type.id(), count, stream)?;
    Ok(image.convert_to(mem_type, background, dxpl)?)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use serde_json::json;

    use super::*;
    use crate::ffi::h5mem::OwnedVlenBuffer;
    use crate::h5::types::to_hdf5;

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
    fn identical_layouts_need_no_conversion() {
        let _hdf5 = crate::h5::handle::hdf5_test_lock();
        let rest = Datatype::from_json(&json!("H5T_STD_I32LE")).unwrap();
        let same = hdf5_type(json!("H5T_STD_I32LE"));
        let other = hdf5_type(json!("H5T_STD_I32BE"));
        assert!(!needs_conversion(&rest, same.id()).unwrap());
        assert!(needs_conversion(&rest, other.id()).unwrap());
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
    fn variable_strings_both_directions() {
        let _hdf5 = crate::h5::handle::hdf5_test_lock();
        let rest = Datatype::from_json(&json!({"class": "H5T_STRING", "charSet": "H5T_CSET_UTF8",
            "length": "H5T_VARIABLE"}))
        .unwrap();
        let mem = to_hdf5(&rest).unwrap();
        assert_eq!(vlen_layout(mem.id()).unwrap(), VlenLayout::CString);
        let words: [&[u8]; 3] = [b"alpha", b"", "ümlaut".as_bytes()];
        let stream = pack_vlen(&words).unwrap();
        let mut buffer = OwnedVlenBuffer::new(3, VlenLayout::CString);
        vlen_to_memory(&rest, mem.id(), &stream, &mut buffer.buffer()).unwrap();
        assert_eq!(buffer.buffer().read_items(), words.map(<[u8]>::to_vec));
        assert_eq!(vlen_from_memory(&rest, mem.id(), &buffer.buffer()).unwrap(), stream);
        assert!(vlen_to_memory(&rest, mem.id(), &stream[..5], &mut buffer.buffer()).is_err());
    }

    #[test]
    fn vlen_sequences_convert_their_base() {
        let _hdf5 = crate::h5::handle::hdf5_test_lock();
        // Stored as big-endian int16 sequences; the application uses int64 sequences.
        let rest =
            Datatype::from_json(&json!({"class": "H5T_VLEN", "base": "H5T_STD_I16BE"})).unwrap();
        let mem = to_hdf5(
            &Datatype::from_json(&json!({"class": "H5T_VLEN", "base": "H5T_STD_I64LE"})).unwrap(),
        )
        .unwrap();
        assert_eq!(vlen_layout(mem.id()).unwrap(), VlenLayout::Sequence { base_size: 8 });
        let seqs: Vec<Vec<u8>> = vec![
            [1i16, -2, 3].iter().flat_map(|v| v.to_be_bytes()).collect(),
            Vec::new(),
            300i16.to_be_bytes().to_vec(),
        ];
        let stream = pack_vlen(&seqs).unwrap();
        let mut buffer = OwnedVlenBuffer::new(3, VlenLayout::Sequence { base_size: 8 });
        vlen_to_memory(&rest, mem.id(), &stream, &mut buffer.buffer()).unwrap();
        let items = buffer.buffer().read_items();
        let first: Vec<u8> = [1i64, -2, 3].iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(items[0], first);
        assert!(items[1].is_empty());
        assert_eq!(items[2], 300i64.to_le_bytes());
        assert_eq!(vlen_from_memory(&rest, mem.id(), &buffer.buffer()).unwrap(), stream);
    }

    #[test]
    fn nested_variable_parts_to_memory() {
        let _hdf5 = crate::h5::handle::hdf5_test_lock();
        let rest = Datatype::from_json(&json!({"class": "H5T_COMPOUND", "fields": [
            {"name": "n", "type": "H5T_STD_U8LE"},
            {"name": "s", "type": {"class": "H5T_STRING", "length": "H5T_VARIABLE"}}]}))
        .unwrap();
        let only_n = hdf5_type(json!({"class": "H5T_COMPOUND", "fields": [
            {"name": "n", "type": "H5T_STD_U16LE"}]}));
        let mut stream = vec![5u8];
        stream.extend(pack_vlen(&[b"five"]).unwrap());
        let out = variable_to_memory(&rest, only_n.id(), 1, &stream, None, 0).unwrap();
        assert_eq!(out, 5u16.to_le_bytes());
        assert!(variable_to_memory(&rest, only_n.id(), 2, &stream, None, 0).is_err());
    }

    #[test]
    fn wrong_lengths_are_refused() {
        let _hdf5 = crate::h5::handle::hdf5_test_lock();
        let i32le = hdf5_type(json!("H5T_STD_I32LE"));
        assert!(convert_fixed(i32le.id(), i32le.id(), 2, &[0; 7], None).is_err());
        // Bytes cannot vouch for the pointers of variable-length types.
        let vstr = hdf5_type(json!({"class": "H5T_STRING", "length": "H5T_VARIABLE"}));
        assert!(convert_fixed(vstr.id(), vstr.id(), 1, &[0; 8], None).is_err());
        let nested = hdf5_type(json!({"class": "H5T_COMPOUND", "fields": [
            {"name": "v", "type": {"class": "H5T_VLEN", "base": "H5T_STD_I8LE"}}]}));
        assert!(convert_fixed(nested.id(), nested.id(), 1, &[0; 16], None).is_err());
    }
}
