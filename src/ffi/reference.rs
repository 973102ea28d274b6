//! HDF5 references in dataset and attribute values: the application's `H5R_ref_t` elements
//! (memory type `H5T_STD_REF`) ⇄ restvol's stored references ([`StoredRef`], 48 bytes each).
//!
//! HDF5 hands a connector other than the native one the application's buffer as it is (no
//! type conversion, so no blob callbacks), so the connector reads and builds `H5R_ref_t`s
//! itself, through the public `H5R` API: writes take the type, the referenced object's token
//! (the first 16 bytes of every `H5R_ref_t`, HDF5 1.12+'s layout), the region
//! (`H5Ropen_region`) and the attribute name (`H5Rget_attr_name`); reads register an id for
//! the referenced object and call `H5Rcreate_object`/`_region`/`_attr` on it with the name
//! `"."`. The references read belong to the application (`H5Treclaim`/`H5Rdestroy`).
//! References whose stored text is too long are spilled by `crate::vol::reference`.
//!
//! The same goes for references inside values: variable-length sequences of `H5R_ref_t`
//! (`hvl_t`) and compounds with `H5R_ref_t` members at the top level ([`RefCompound`]).
//!
//! The deprecated memory types `hobj_ref_t`/`hdset_reg_ref_t` are refused: HDF5 itself lets
//! only the native connector create or dereference them.

use std::collections::HashMap;
use std::ffi::c_char;
use std::sync::Arc;

use super::h5mem::{VlenBuffer, VlenLayout};
use super::hdf5::{c_string, hid_t};
use super::object::{register_object, release_id};
use super::{h5space, h5type, sys};
use crate::codec::vlen::{pack_vlen, unpack_vlen};
use crate::h5::selection;
use crate::h5::OwnedId;
use crate::model::types::Datatype;
use crate::model::ObjId;
use crate::vol::file::OpenFile;
use crate::vol::reference::{decode_all, encode_all, StoredRef, STORED_REF_SIZE};
use crate::vol::token::{id_for, TOKEN_SIZE};
use crate::vol::VolError;

/// `H5P_DEFAULT`.
const DEFAULT_PLIST: hid_t = 0;
/// Bytes of one `H5R_ref_t`.
const REF_SIZE: usize = 64;
const _: () = assert!(std::mem::size_of::<sys::H5R_ref_t>() == REF_SIZE);

/// One `H5R_ref_t`, aligned as HDF5 declares it.
#[derive(Clone, Copy)]
#[repr(C, align(8))]
struct RefBuf([u8; REF_SIZE]);

impl RefBuf {
    fn ptr(&self) -> *const sys::H5R_ref_t {
        (self as *const RefBuf).cast()
    }

    fn ptr_mut(&mut self) -> *mut sys::H5R_ref_t {
        (self as *mut RefBuf).cast()
    }

    fn is_null(&self) -> bool {
        self.0.iter().all(|b| *b == 0)
    }
}

/// Whether the stored type `file_type` is a reference type (values are [`StoredRef`]s).
///
/// # Errors
/// [`VolError::Hdf5Call`] when `H5Tget_class` fails.
pub(super) fn is_reference(file_type: hid_t) -> Result<bool, VolError> {
    Ok(h5type::class(file_type)? == h5type::H5T_REFERENCE)
}

fn check_memory_type(mem_type: hid_t) -> Result<(), VolError> {
    let std_ref = h5type::predefined(h5type::Predefined::Ref)?;
    if h5type::equal(mem_type, std_ref)? {
        return Ok(());
    }
    Err(VolError::Unsupported(
        "reading or writing references other than as H5T_STD_REF (H5R_ref_t); HDF5 lets only \
         its native connector use hobj_ref_t and hdset_reg_ref_t",
    ))
}

fn call_failed(call: &'static str) -> VolError {
    VolError::Hdf5Call { call }
}

/// Writes: `count` application `H5R_ref_t`s (`memory`, of `mem_type`) → stored references of
/// the file `file`.
///
/// # Errors
/// [`VolError::Unsupported`] for another memory type; [`VolError::InvalidArgument`] for a
/// reference to another file or one that does not fit; [`VolError::Hdf5Call`] when an `H5R`
/// call fails.
pub(super) fn from_memory(
    file: &OpenFile,
    mem_type: hid_t,
    memory: &[u8],
    count: usize,
) -> Result<Vec<u8>, VolError> {
    check_memory_type(mem_type)?;
    if memory.len() != count * REF_SIZE {
        return Err(VolError::InvalidArgument(format!(
            "{} bytes given for {count} references",
            memory.len()
        )));
    }
    let refs = memory
        .chunks_exact(REF_SIZE)
        .map(|chunk| {
            let mut buf = RefBuf([0u8; REF_SIZE]);
            buf.0.copy_from_slice(chunk);
            stored_ref(file, &mut buf)
        })
        .collect::<Result<Vec<_>, _>>()?;
    encode_all(file, &refs)
}

fn stored_ref(file: &OpenFile, buf: &mut RefBuf) -> Result<StoredRef, VolError> {
    if buf.is_null() {
        return Ok(StoredRef::Null);
    }
    // SAFETY: `buf` holds a copy of an application H5R_ref_t, aligned as HDF5 requires.
    let kind = unsafe { sys::H5Rget_type(buf.ptr()) };
    let mut token = [0u8; TOKEN_SIZE];
    token.copy_from_slice(&buf.0[..TOKEN_SIZE]);
    let id = id_for(file.root(), &token).map_err(|_| {
        VolError::InvalidArgument("a reference to an object of another file".into())
    })?;
    match kind {
        sys::H5R_OBJECT2 => Ok(StoredRef::Object(id)),
        sys::H5R_DATASET_REGION2 => {
            // SAFETY: as above; HDF5 returns a new dataspace id or a negative value.
            let space = unsafe { sys::H5Ropen_region(buf.ptr_mut(), DEFAULT_PLIST, DEFAULT_PLIST) };
            if space < 0 {
                return Err(call_failed("H5Ropen_region"));
            }
            let read = selection::read(space);
            h5space::close(space)?;
            // Stored as HDF5 stores a region in a file, so it reads back as the same blocks.
            let selection = match read? {
                selection::SpaceSelection::Regular(dims) => selection::SpaceSelection::Regular(
                    dims.into_iter().map(selection::HyperDim::merged).collect(),
                ),
                other => other,
            };
            Ok(StoredRef::Region { dataset: id, selection })
        }
        sys::H5R_ATTR => {
            // SAFETY: as above; a NULL buffer asks for the name's length.
            let len = unsafe { sys::H5Rget_attr_name(buf.ptr(), std::ptr::null_mut(), 0) };
            let len = usize::try_from(len).map_err(|_| call_failed("H5Rget_attr_name"))?;
            let mut name = vec![0u8; len + 1];
            // SAFETY: `name` is writable for `len + 1` bytes.
            let got = unsafe {
                sys::H5Rget_attr_name(buf.ptr(), name.as_mut_ptr().cast::<c_char>(), len + 1)
            };
            if got < 0 {
                return Err(call_failed("H5Rget_attr_name"));
            }
            name.truncate(len);
            let name = String::from_utf8(name).map_err(|_| VolError::NotUtf8("attribute name"))?;
            Ok(StoredRef::Attribute { object: id, name })
        }
        _ => Err(VolError::InvalidArgument(format!("reference of unknown type {kind}"))),
    }
}

/// Ids registered for the objects references are made from, released on drop.
struct Anchors<'a> {
    file: &'a Arc<OpenFile>,
    ids: HashMap<ObjId, hid_t>,
}

impl Anchors<'_> {
    fn id(&mut self, object: &ObjId) -> Result<hid_t, VolError> {
        if let Some(id) = self.ids.get(object) {
            return Ok(*id);
        }
        let id = register_object(self.file, object)?;
        self.ids.insert(object.clone(), id);
        Ok(id)
    }
}

impl Drop for Anchors<'_> {
    fn drop(&mut self) {
        for id in self.ids.values() {
            release_id(*id);
        }
    }
}

/// References made so far, destroyed on drop unless handed over.
struct Made(Vec<RefBuf>);

impl Drop for Made {
    fn drop(&mut self) {
        for buf in self.0.iter_mut().filter(|b| !b.is_null()) {
            // SAFETY: each non-null element is a reference HDF5 made and nobody else owns.
            unsafe { sys::H5Rdestroy(buf.ptr_mut()) };
        }
    }
}

/// Reads: `count` stored references (`stored`) of `file` → `H5R_ref_t`s of `mem_type`, owned
/// by the caller (the application frees them with `H5Rdestroy`/`H5Treclaim`).
///
/// # Errors
/// [`VolError::Unsupported`] for another memory type; [`VolError::InvalidArgument`] for a
/// stored value that is not a reference; [`VolError::Hdf5Call`] when an `H5R` call fails.
pub(super) fn to_memory(
    file: &Arc<OpenFile>,
    mem_type: hid_t,
    stored: &[u8],
    count: usize,
) -> Result<Vec<u8>, VolError> {
    check_memory_type(mem_type)?;
    if stored.len() != count * STORED_REF_SIZE {
        return Err(VolError::InvalidArgument(format!(
            "service returned {} bytes for {count} references",
            stored.len()
        )));
    }
    let mut anchors = Anchors { file, ids: HashMap::new() };
    let mut made = Made(Vec::with_capacity(count));
    let itself = c_string(".");
    for item in decode_all(file, stored)? {
        let mut buf = RefBuf([0u8; REF_SIZE]);
        let status = match item {
            StoredRef::Null => 0,
            StoredRef::Object(id) => {
                let loc = anchors.id(&id)?;
                // SAFETY: a live object id, a C string and an aligned H5R_ref_t out-buffer.
                unsafe { sys::H5Rcreate_object(loc, itself.as_ptr(), DEFAULT_PLIST, buf.ptr_mut()) }
            }
            StoredRef::Attribute { object, name } => {
                let loc = anchors.id(&object)?;
                let name = c_string(&name);
                // SAFETY: as above, with the attribute name as a second C string.
                unsafe {
                    sys::H5Rcreate_attr(
                        loc,
                        itself.as_ptr(),
                        name.as_ptr(),
                        DEFAULT_PLIST,
                        buf.ptr_mut(),
                    )
                }
            }
            StoredRef::Region { dataset, selection: sel } => {
                let loc = anchors.id(&dataset)?;
                // SAFETY: plain id argument; HDF5 returns a new dataspace id or a negative value.
                let space = unsafe { sys::H5Dget_space(loc) };
                if space < 0 {
                    return Err(call_failed("H5Dget_space"));
                }
                let status = match selection::apply(space, &sel) {
                    // SAFETY: a live dataset id, a C string, a dataspace id and an aligned
                    // H5R_ref_t out-buffer.
                    Ok(()) => unsafe {
                        sys::H5Rcreate_region(
                            loc,
                            itself.as_ptr(),
                            space,
                            DEFAULT_PLIST,
                            buf.ptr_mut(),
                        )
                    },
                    Err(_) => -1,
                };
                h5space::close(space)?;
                status
            }
        };
        if status < 0 {
            return Err(call_failed("H5Rcreate"));
        }
        made.0.push(buf);
    }
    let bytes = made.0.iter().flat_map(|b| b.0).collect();
    // The references now belong to the caller.
    made.0.clear();
    Ok(bytes)
}

/// Whether the stored type `datatype` is a variable-length sequence of references.
pub(super) fn is_reference_sequence(datatype: &Datatype) -> bool {
    matches!(datatype, Datatype::Vlen(base) if matches!(**base, Datatype::Reference(_)))
}

/// The base of a memory type that must be a vlen sequence of `H5R_ref_t`.
fn sequence_base(mem_type: hid_t) -> Result<OwnedId, VolError> {
    if h5type::class(mem_type)? != h5type::H5T_VLEN {
        return Err(VolError::Unsupported(
            "reading or writing sequences of references other than as sequences of H5T_STD_REF",
        ));
    }
    Ok(OwnedId::datatype(h5type::super_type(mem_type)?))
}

const SEQUENCE: VlenLayout = VlenLayout::Sequence { base_size: REF_SIZE };

/// Writes: `count` application `hvl_t`s of `H5R_ref_t` (`memory`, of the vlen memory type
/// `mem_type`) → the REST count+bytes stream of stored references.
///
/// # Safety
/// `memory` holds `count` `hvl_t`s whose `p` point to `len` readable `H5R_ref_t`s (or are
/// NULL with `len` 0), as H5Dwrite's contract guarantees for the application's buffer.
pub(super) unsafe fn sequences_from_memory(
    file: &OpenFile,
    mem_type: hid_t,
    memory: &[u8],
    count: usize,
) -> Result<Vec<u8>, VolError> {
    let base = sequence_base(mem_type)?;
    if memory.len() != count * SEQUENCE.element_size() {
        return Err(VolError::InvalidArgument("sequence buffer of the wrong size".into()));
    }
    // SAFETY: guaranteed by the caller; the buffer is only read.
    let buffer =
        unsafe { VlenBuffer::from_raw(memory.as_ptr().cast_mut().cast(), count, SEQUENCE) };
    let items = buffer
        .read_items()
        .iter()
        .map(|item| from_memory(file, base.id(), item, item.len() / REF_SIZE))
        .collect::<Result<Vec<_>, _>>()?;
    pack_vlen(&items).map_err(|err| VolError::InvalidArgument(err.to_string()))
}

/// Reads: the REST stream of `count` sequences of stored references → `count` `hvl_t`s of
/// new `H5R_ref_t`s (HDF5-allocated, owned by the caller) for the vlen memory type `mem_type`.
///
/// # Errors
/// As [`to_memory`]; [`VolError::InvalidArgument`] for a malformed stream.
pub(super) fn sequences_to_memory(
    file: &Arc<OpenFile>,
    mem_type: hid_t,
    stream: &[u8],
    count: usize,
) -> Result<Vec<u8>, VolError> {
    let base = sequence_base(mem_type)?;
    let items = unpack_vlen(stream, count)
        .map_err(|err| VolError::InvalidArgument(err.to_string()))?
        .iter()
        .map(|item| to_memory(file, base.id(), item, item.len() / STORED_REF_SIZE))
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = vec![0u8; count * SEQUENCE.element_size()];
    // SAFETY: `out` holds `count` NULL hvl_t's and lives for the call.
    let mut buffer = unsafe { VlenBuffer::from_raw(out.as_mut_ptr().cast(), count, SEQUENCE) };
    buffer.write_items(&items)?;
    Ok(out)
}

/// A compound stored type with references among its top-level members: the REST layout of its
/// other members, and where its references are.
pub(super) struct RefCompound {
    /// Packed REST size of one element.
    rest_size: usize,
    /// The REST layout with the reference members left out (their bytes are padding).
    rest_plain: OwnedId,
    /// Name and REST offset of each reference member.
    refs: Vec<(String, usize)>,
}

/// A memory compound type split the same way: its other members, and its `H5R_ref_t` members.
struct MemoryCompound {
    plain: OwnedId,
    refs: HashMap<String, usize>,
}

fn memory_compound(mem_type: hid_t) -> Result<MemoryCompound, VolError> {
    if h5type::class(mem_type)? != h5type::H5T_COMPOUND {
        return Err(VolError::Unsupported("compounds holding references read as other types"));
    }
    let std_ref = h5type::predefined(h5type::Predefined::Ref)?;
    let plain = OwnedId::datatype(h5type::create(h5type::H5T_COMPOUND, h5type::size(mem_type)?)?);
    let mut refs = HashMap::new();
    for index in 0..h5type::member_count(mem_type)? {
        let name = h5type::member_name(mem_type, index)?;
        let offset = h5type::member_offset(mem_type, index)?;
        let member = OwnedId::datatype(h5type::member_type(mem_type, index)?);
        if h5type::equal(member.id(), std_ref)? {
            refs.insert(name, offset);
        } else {
            h5type::insert(plain.id(), &name, offset, member.id())?;
        }
    }
    Ok(MemoryCompound { plain, refs })
}

impl RefCompound {
    /// The layout of the stored type `file_type` when it is a compound with reference members
    /// (at the top level only; deeper ones are refused).
    ///
    /// # Errors
    /// [`VolError::Unsupported`] for references nested deeper; [`VolError::Hdf5Call`] when a
    /// call fails.
    pub(super) fn of(file_type: hid_t) -> Result<Option<RefCompound>, VolError> {
        if h5type::class(file_type)? != h5type::H5T_COMPOUND {
            return Ok(None);
        }
        // A type REST cannot express holds no stored reference either.
        let Ok(Datatype::Compound(fields)) = crate::h5::types::to_rest(file_type) else {
            return Ok(None);
        };
        if !fields.iter().any(|f| matches!(f.datatype, Datatype::Reference(_))) {
            return Ok(None);
        }
        let mut offset = 0usize;
        let mut placed = Vec::new();
        let mut refs = Vec::new();
        for field in &fields {
            let size = field
                .datatype
                .item_size()
                .and_then(|s| usize::try_from(s).ok())
                .ok_or(VolError::Unsupported("variable-length members next to references"))?;
            if matches!(field.datatype, Datatype::Reference(_)) {
                refs.push((field.name.clone(), offset));
            } else {
                placed.push((field, offset));
            }
            offset += size;
        }
        let rest_plain = OwnedId::datatype(h5type::create(h5type::H5T_COMPOUND, offset.max(1))?);
        for (field, at) in placed {
            let member = crate::h5::types::to_hdf5(&field.datatype)?;
            if h5type::class(member.id())? == h5type::H5T_REFERENCE
                || crate::h5::types::has_variable_parts(member.id())?
            {
                return Err(VolError::Unsupported("references nested deeper than a member"));
            }
            h5type::insert(rest_plain.id(), &field.name, at, member.id())?;
        }
        Ok(Some(RefCompound { rest_size: offset, rest_plain, refs }))
    }

    /// Packed REST size of one element.
    pub(super) fn rest_size(&self) -> usize {
        self.rest_size
    }

    fn check_plain(&self) -> Result<(), VolError> {
        if h5type::member_count(self.rest_plain.id())? == 0 {
            return Err(VolError::Internal("compound of references only"));
        }
        Ok(())
    }

    /// Reads: `count` stored elements → elements of `mem_type` (a compound; its members are
    /// matched by name), starting from `background` (the application's current elements).
    pub(super) fn stored_to_memory(
        &self,
        file: &Arc<OpenFile>,
        mem_type: hid_t,
        stored: &[u8],
        count: usize,
        background: &[u8],
    ) -> Result<Vec<u8>, VolError> {
        let memory = memory_compound(mem_type)?;
        let mem_size = h5type::size(mem_type)?;
        let mut out = if self.check_plain().is_ok() && h5type::member_count(memory.plain.id())? > 0
        {
            crate::h5::convert::convert_fixed(
                self.rest_plain.id(),
                memory.plain.id(),
                count,
                stored,
                Some(background),
            )?
        } else {
            background.to_vec()
        };
        let std_ref = h5type::predefined(h5type::Predefined::Ref)?;
        for (name, rest_offset) in &self.refs {
            let Some(mem_offset) = memory.refs.get(name) else { continue };
            let column: Vec<u8> = (0..count)
                .flat_map(|i| {
                    let at = i * self.rest_size + rest_offset;
                    stored[at..at + STORED_REF_SIZE].iter().copied()
                })
                .collect();
            let refs = to_memory(file, std_ref, &column, count)?;
            for (i, item) in refs.chunks_exact(REF_SIZE).enumerate() {
                let at = i * mem_size + mem_offset;
                out[at..at + REF_SIZE].copy_from_slice(item);
            }
        }
        Ok(out)
    }

    /// Writes: `count` elements of `mem_type` → stored elements; members the memory type
    /// lacks are zero (null references).
    pub(super) fn stored_from_memory(
        &self,
        file: &OpenFile,
        mem_type: hid_t,
        memory_bytes: &[u8],
        count: usize,
    ) -> Result<Vec<u8>, VolError> {
        let memory = memory_compound(mem_type)?;
        let mem_size = h5type::size(mem_type)?;
        if memory_bytes.len() != count * mem_size {
            return Err(VolError::InvalidArgument("compound buffer of the wrong size".into()));
        }
        let mut out = if self.check_plain().is_ok() && h5type::member_count(memory.plain.id())? > 0
        {
            crate::h5::convert::convert_fixed(
                memory.plain.id(),
                self.rest_plain.id(),
                count,
                memory_bytes,
                None,
            )?
        } else {
            vec![0u8; count * self.rest_size]
        };
        let std_ref = h5type::predefined(h5type::Predefined::Ref)?;
        for (name, rest_offset) in &self.refs {
            let Some(mem_offset) = memory.refs.get(name) else { continue };
            let column: Vec<u8> = (0..count)
                .flat_map(|i| {
                    let at = i * mem_size + mem_offset;
                    memory_bytes[at..at + REF_SIZE].iter().copied()
                })
                .collect();
            let stored = from_memory(file, std_ref, &column, count)?;
            for (i, item) in stored.chunks_exact(STORED_REF_SIZE).enumerate() {
                let at = i * self.rest_size + rest_offset;
                out[at..at + STORED_REF_SIZE].copy_from_slice(item);
            }
        }
        Ok(out)
    }
}
