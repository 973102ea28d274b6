//! Application memory that holds HDF5's in-memory variable-length forms: `char *` for variable
//! strings and `hvl_t` for sequences. Reading follows the pointers; writing allocates with
//! `H5allocate_memory`, so HDF5 (`H5Treclaim`, `H5free_memory`) or the application frees them.

use std::ffi::{c_void, CStr};
use std::marker::PhantomData;

use super::sys;
use crate::vol::VolError;

/// HDF5's `hvl_t`: a sequence length (in elements) and a pointer to the elements.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
struct Hvl {
    len: usize,
    p: *mut c_void,
}

/// What each element of a [`VlenBuffer`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VlenLayout {
    /// `char *`: a NUL-terminated string (NULL reads as empty).
    CString,
    /// `hvl_t` whose elements are `base_size` bytes each.
    Sequence {
        /// Bytes per sequence element in memory.
        base_size: usize,
    },
}

impl VlenLayout {
    /// Bytes per element in the buffer.
    pub fn element_size(self) -> usize {
        match self {
            VlenLayout::CString => std::mem::size_of::<*mut u8>(),
            VlenLayout::Sequence { .. } => std::mem::size_of::<Hvl>(),
        }
    }
}

/// A buffer of `count` in-memory variable-length elements, borrowed for `'a`.
#[derive(Debug)]
pub struct VlenBuffer<'a> {
    ptr: *mut u8,
    count: usize,
    layout: VlenLayout,
    _memory: PhantomData<&'a mut [u8]>,
}

/// Copies `bytes` into a new block from HDF5's allocator, plus `extra` zero bytes.
fn hdf5_copy(bytes: &[u8], extra: usize) -> Result<*mut c_void, VolError> {
    let size = bytes.len() + extra;
    // SAFETY: H5allocate_memory returns NULL or a writable block of `size` bytes (zeroed).
    let block = unsafe { sys::H5allocate_memory(size.max(1), true) };
    if block.is_null() {
        return Err(VolError::Hdf5Call { call: "H5allocate_memory" });
    }
    // SAFETY: `block` has room for `bytes.len()` bytes and does not overlap `bytes`.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), block.cast::<u8>(), bytes.len()) };
    Ok(block)
}

impl<'a> VlenBuffer<'a> {
    /// Borrows the application buffer at `ptr`.
    ///
    /// # Safety
    /// `ptr` is valid for reads and writes of `count * layout.element_size()` bytes for `'a`,
    /// and every element is NULL or, for strings, a NUL-terminated string, for sequences an
    /// `hvl_t` whose `p` points to `len * base_size` readable bytes (or is NULL with `len` 0).
    pub unsafe fn from_raw(ptr: *mut c_void, count: usize, layout: VlenLayout) -> Self {
        VlenBuffer { ptr: ptr.cast(), count, layout, _memory: PhantomData }
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.count
    }

    /// Whether the buffer has no elements.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The bytes of every element: a string's bytes without the NUL, or a sequence's
    /// `len * base_size` element bytes.
    pub fn read_items(&self) -> Vec<Vec<u8>> {
        let size = self.layout.element_size();
        (0..self.count)
            .map(|index| {
                // SAFETY: element `index` lies inside the buffer (from_raw's contract).
                let slot = unsafe { self.ptr.add(index * size) };
                match self.layout {
                    VlenLayout::CString => {
                        // SAFETY: the slot holds a (possibly unaligned) `char *`.
                        let text = unsafe { slot.cast::<*const i8>().read_unaligned() };
                        if text.is_null() {
                            return Vec::new();
                        }
                        // SAFETY: a non-NULL string is NUL-terminated (from_raw's contract).
                        unsafe { CStr::from_ptr(text.cast()) }.to_bytes().to_vec()
                    }
                    VlenLayout::Sequence { base_size } => {
                        // SAFETY: the slot holds a (possibly unaligned) `hvl_t`.
                        let hvl = unsafe { slot.cast::<Hvl>().read_unaligned() };
                        if hvl.p.is_null() || hvl.len == 0 {
                            return Vec::new();
                        }
                        let bytes = hvl.len.saturating_mul(base_size);
                        // SAFETY: `p` points to `len * base_size` bytes (from_raw's contract).
                        unsafe { std::slice::from_raw_parts(hvl.p.cast::<u8>(), bytes) }.to_vec()
                    }
                }
            })
            .collect()
    }

    /// Stores `items` (string bytes, or sequence element bytes in memory layout) as new
    /// HDF5-allocated elements. Previous pointers are overwritten, not freed (as HDF5 does).
    pub fn write_items(&mut self, items: &[Vec<u8>]) -> Result<(), VolError> {
        if items.len() != self.count {
            return Err(VolError::InvalidArgument(format!(
                "{} variable-length items for a buffer of {}",
                items.len(),
                self.count
            )));
        }
        let size = self.layout.element_size();
        for (index, item) in items.iter().enumerate() {
            // SAFETY: element `index` lies inside the buffer (from_raw's contract).
            let slot = unsafe { self.ptr.add(index * size) };
            match self.layout {
                VlenLayout::CString => {
                    let text = hdf5_copy(item, 1)?;
                    // SAFETY: the slot is writable for a (possibly unaligned) `char *`.
                    unsafe { slot.cast::<*mut c_void>().write_unaligned(text) };
                }
                VlenLayout::Sequence { base_size } => {
                    if base_size == 0 || item.len() % base_size != 0 {
                        return Err(VolError::InvalidArgument(
                            "sequence bytes are not whole elements".into(),
                        ));
                    }
                    let hvl = if item.is_empty() {
                        Hvl { len: 0, p: std::ptr::null_mut() }
                    } else {
                        Hvl { len: item.len() / base_size, p: hdf5_copy(item, 0)? }
                    };
                    // SAFETY: the slot is writable for a (possibly unaligned) `hvl_t`.
                    unsafe { slot.cast::<Hvl>().write_unaligned(hvl) };
                }
            }
        }
        Ok(())
    }
}

/// A zero-initialized (all NULL) vlen buffer restvol owns; frees the HDF5-allocated elements
/// on drop. Used to build memory-form data, e.g. in tests.
#[derive(Debug)]
pub struct OwnedVlenBuffer {
    storage: Vec<u64>,
    count: usize,
    layout: VlenLayout,
}

impl OwnedVlenBuffer {
    /// `count` NULL elements.
    pub fn new(count: usize, layout: VlenLayout) -> Self {
        let words = (count * layout.element_size()).div_ceil(8);
        OwnedVlenBuffer { storage: vec![0u64; words.max(1)], count, layout }
    }

    /// The buffer as a [`VlenBuffer`].
    pub fn buffer(&mut self) -> VlenBuffer<'_> {
        // SAFETY: `storage` holds `count` elements of the layout, each NULL or written by
        // `write_items` with HDF5-allocated memory of the right size; the borrow of `self`
        // keeps it alive and exclusive.
        unsafe { VlenBuffer::from_raw(self.storage.as_mut_ptr().cast(), self.count, self.layout) }
    }
}

impl Drop for OwnedVlenBuffer {
    fn drop(&mut self) {
        let size = self.layout.element_size();
        let base = self.storage.as_mut_ptr().cast::<u8>();
        for index in 0..self.count {
            // SAFETY: element `index` lies inside `storage`; it holds NULL or a pointer from
            // `H5allocate_memory`, freed here exactly once.
            unsafe {
                let slot = base.add(index * size);
                let pointer = match self.layout {
                    VlenLayout::CString => slot.cast::<*mut c_void>().read_unaligned(),
                    VlenLayout::Sequence { .. } => slot.cast::<Hvl>().read_unaligned().p,
                };
                if !pointer.is_null() {
                    sys::H5free_memory(pointer);
                }
            }
        }
    }
}

/// One part of an element of a type with variable-length parts, at a byte offset in HDF5's
/// memory layout of the type; in the REST stream the parts follow each other in this order.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    /// Fixed-size bytes, the same in both forms.
    Fixed { offset: usize, size: usize },
    /// `char *` in memory; count+bytes in REST.
    String { offset: usize },
    /// `hvl_t` in memory; count+bytes in REST.
    Sequence { offset: usize, base: SequenceBase },
}

/// The elements of a vlen sequence: their size in memory and, when they have variable-length
/// parts themselves (vlen of vlen, vlen of compounds with strings, …), those parts. In the
/// REST stream a sequence is `<int32 LE byte count>` followed by its elements, each encoded
/// like a top-level element (HSDS's layout for sequences of compounds with vlen members;
/// sequences of sequences follow the same rule).
#[derive(Debug, Clone, PartialEq, Eq)]
struct SequenceBase {
    size: usize,
    parts: Option<Vec<Part>>,
}

/// Where `hvl_t`'s pointer is.
const HVL_POINTER_AT: usize = std::mem::size_of::<usize>();

/// The parts of HDF5 type `id` at `offset`, appended to `parts`.
fn type_parts(id: super::sys::hid_t, offset: usize, parts: &mut Vec<Part>) -> Result<(), VolError> {
    use super::h5type as t;
    let size = t::size(id)?;
    match t::class(id)? {
        t::H5T_STRING if t::is_variable_str(id)? => parts.push(Part::String { offset }),
        t::H5T_VLEN => {
            let base = t::super_type(id)?;
            let base_info = sequence_base(base);
            t::close(base)?;
            parts.push(Part::Sequence { offset, base: base_info? });
        }
        t::H5T_COMPOUND if t::has_vlen(id)? => {
            for index in 0..t::member_count(id)? {
                let member = t::member_type(id, index)?;
                let result = t::member_offset(id, index)
                    .and_then(|at| type_parts(member, offset + at, parts));
                t::close(member)?;
                result?;
            }
        }
        t::H5T_ARRAY if t::has_vlen(id)? => {
            let base = t::super_type(id)?;
            let result = t::size(base).and_then(|base_size| {
                for index in 0..size / base_size.max(1) {
                    type_parts(base, offset + index * base_size, parts)?;
                }
                Ok(())
            });
            t::close(base)?;
            result?;
        }
        _ => match parts.last_mut() {
            Some(Part::Fixed { offset: start, size: run }) if *start + *run == offset => {
                *run += size;
            }
            _ => parts.push(Part::Fixed { offset, size }),
        },
    }
    Ok(())
}

/// How the elements of a sequence of HDF5 type `base` are laid out.
fn sequence_base(base: super::sys::hid_t) -> Result<SequenceBase, VolError> {
    let size = super::h5type::size(base)?;
    if size == 0 {
        return Err(VolError::InvalidArgument("vlen sequence of a zero-size type".into()));
    }
    let parts = if super::h5type::has_vlen(base)? {
        let mut parts = Vec::new();
        type_parts(base, 0, &mut parts)?;
        Some(parts)
    } else {
        None
    };
    Ok(SequenceBase { size, parts })
}

/// Elements of a type with variable-length parts in HDF5's memory layout, whose pointers restvol
/// or HDF5 allocated (`H5allocate_memory`); they are freed on drop, nested sequences included.
/// This is how REST streams of such types meet `H5Tconvert`.
#[derive(Debug)]
pub struct VlenImage {
    datatype: super::sys::hid_t,
    bytes: Vec<u8>,
    count: usize,
    element_size: usize,
    parts: Vec<Part>,
}

fn malformed() -> VolError {
    VolError::InvalidArgument("truncated or malformed variable-length stream".into())
}

/// Reads a little-endian i32 count+bytes item at `pos`.
fn stream_item<'s>(stream: &'s [u8], pos: &mut usize) -> Result<&'s [u8], VolError> {
    let header = stream.get(*pos..*pos + 4).ok_or_else(malformed)?;
    let len = i32::from_le_bytes([header[0], header[1], header[2], header[3]]);
    let len = usize::try_from(len).map_err(|_| malformed())?;
    let item = stream.get(*pos + 4..*pos + 4 + len).ok_or_else(malformed)?;
    *pos += 4 + len;
    Ok(item)
}

/// Appends a count+bytes item.
fn push_item(out: &mut Vec<u8>, bytes: &[u8]) -> Result<(), VolError> {
    if bytes.len() > crate::codec::MAX_VLEN_ELEMENT {
        return Err(VolError::InvalidArgument(format!(
            "a variable-length item of {} bytes exceeds the store's limit of {} bytes",
            bytes.len(),
            crate::codec::MAX_VLEN_ELEMENT
        )));
    }
    let len = i32::try_from(bytes.len())
        .map_err(|_| VolError::InvalidArgument("vlen item too large".into()))?;
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(bytes);
    Ok(())
}

fn word_at(bytes: &[u8], at: usize) -> usize {
    let mut word = [0u8; size_of::<usize>()];
    word.copy_from_slice(&bytes[at..at + size_of::<usize>()]);
    usize::from_ne_bytes(word)
}

fn set_word(bytes: &mut [u8], at: usize, value: usize) {
    bytes[at..at + size_of::<usize>()].copy_from_slice(&value.to_ne_bytes());
}

/// Decodes one element laid out as `parts` from `stream` at `pos` into `element` (zeroed,
/// the element's memory size). Pointers it stores are new HDF5 allocations; on error the ones
/// already stored stay in `element` for the caller to free.
fn decode_element(
    parts: &[Part],
    stream: &[u8],
    pos: &mut usize,
    element: &mut [u8],
) -> Result<(), VolError> {
    for part in parts {
        match part {
            Part::Fixed { offset, size } => {
                let bytes = stream.get(*pos..*pos + size).ok_or_else(malformed)?;
                element[*offset..offset + size].copy_from_slice(bytes);
                *pos += size;
            }
            Part::String { offset } => {
                let item = stream_item(stream, pos)?;
                let text = hdf5_copy(item, 1)?;
                set_word(element, *offset, text as usize);
            }
            Part::Sequence { offset, base } => {
                let item = stream_item(stream, pos)?;
                let (len, block) = decode_sequence(base, item)?;
                set_word(element, *offset, len);
                set_word(element, offset + HVL_POINTER_AT, block as usize);
            }
        }
    }
    Ok(())
}

/// Decodes a sequence's bytes into a new HDF5 block of elements: (element count, pointer).
fn decode_sequence(base: &SequenceBase, item: &[u8]) -> Result<(usize, *mut c_void), VolError> {
    if item.is_empty() {
        return Ok((0, std::ptr::null_mut()));
    }
    let Some(parts) = &base.parts else {
        if !item.len().is_multiple_of(base.size) {
            return Err(VolError::InvalidArgument(
                "vlen item is not whole elements of its base".into(),
            ));
        }
        return Ok((item.len() / base.size, hdf5_copy(item, 0)?));
    };
    let mut elements: Vec<u8> = Vec::new();
    let mut pos = 0usize;
    while pos < item.len() {
        let start = elements.len();
        elements.resize(start + base.size, 0);
        if let Err(err) = decode_element(parts, item, &mut pos, &mut elements[start..]) {
            free_elements(parts, base.size, &elements);
            return Err(err);
        }
    }
    match hdf5_copy(&elements, 0) {
        Ok(block) => Ok((elements.len() / base.size, block)),
        Err(err) => {
            free_elements(parts, base.size, &elements);
            Err(err)
        }
    }
}

/// Encodes one element laid out as `parts` (memory bytes `element`) onto `out`.
fn encode_element(parts: &[Part], element: &[u8], out: &mut Vec<u8>) -> Result<(), VolError> {
    for part in parts {
        match part {
            Part::Fixed { offset, size } => {
                out.extend_from_slice(&element[*offset..offset + size]);
            }
            Part::String { offset } => {
                let text = word_at(element, *offset) as *const u8;
                let bytes = if text.is_null() {
                    &[][..]
                } else {
                    // SAFETY: every string slot holds NULL or a NUL-terminated string allocated
                    // by restvol or HDF5 (VlenImage's invariant).
                    unsafe { CStr::from_ptr(text.cast()) }.to_bytes()
                };
                push_item(out, bytes)?;
            }
            Part::Sequence { offset, base } => {
                let len = word_at(element, *offset);
                let data = word_at(element, offset + HVL_POINTER_AT) as *const u8;
                if data.is_null() || len == 0 {
                    push_item(out, &[])?;
                    continue;
                }
                let total = len
                    .checked_mul(base.size)
                    .ok_or_else(|| VolError::InvalidArgument("vlen sequence too long".into()))?;
                // SAFETY: every sequence slot holds NULL or `len` elements of `base.size` bytes
                // allocated by restvol or HDF5 (VlenImage's invariant).
                let block = unsafe { std::slice::from_raw_parts(data, total) };
                match &base.parts {
                    None => push_item(out, block)?,
                    Some(nested) => {
                        let mut inner = Vec::new();
                        for child in block.chunks_exact(base.size) {
                            encode_element(nested, child, &mut inner)?;
                        }
                        push_item(out, &inner)?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// Frees the variable-length memory of the elements (layout `parts`, `size` bytes each) in
/// `elements`, nested sequences first.
fn free_elements(parts: &[Part], size: usize, elements: &[u8]) {
    for element in elements.chunks_exact(size) {
        for part in parts {
            let pointer = match part {
                Part::Fixed { .. } => continue,
                Part::String { offset } => word_at(element, *offset),
                Part::Sequence { offset, base } => {
                    let pointer = word_at(element, offset + HVL_POINTER_AT);
                    let len = word_at(element, *offset);
                    if let (Some(nested), false) = (&base.parts, pointer == 0) {
                        if let Some(total) = len.checked_mul(base.size) {
                            // SAFETY: a non-NULL sequence holds `len` elements of `base.size`
                            // bytes allocated by restvol or HDF5 (VlenImage's invariant).
                            let block =
                                unsafe { std::slice::from_raw_parts(pointer as *const u8, total) };
                            free_elements(nested, base.size, block);
                        }
                    }
                    pointer
                }
            };
            if pointer != 0 {
                // SAFETY: the pointer came from HDF5's allocator (ours or H5Tconvert's) and is
                // freed exactly once, here.
                unsafe { sys::H5free_memory(pointer as *mut c_void) };
            }
        }
    }
}

impl VlenImage {
    fn empty(datatype: super::sys::hid_t, count: usize) -> Result<VlenImage, VolError> {
        let mut parts = Vec::new();
        type_parts(datatype, 0, &mut parts)?;
        let element_size = super::h5type::size(datatype)?;
        let total = count
            .checked_mul(element_size)
            .ok_or_else(|| VolError::InvalidArgument("too many elements".into()))?;
        let datatype = super::h5type::copy(datatype)?;
        Ok(VlenImage { datatype, bytes: vec![0u8; total], count, element_size, parts })
    }

    /// Decodes a REST stream of `count` elements of `rest_type` (the HDF5 type of the REST
    /// layout, e.g. from `h5::types::to_hdf5`): fixed parts are raw bytes, variable parts
    /// `<int32 LE byte count><bytes>`, sequences of types with variable parts holding their
    /// elements encoded the same way.
    pub fn from_stream(
        rest_type: super::sys::hid_t,
        count: usize,
        stream: &[u8],
    ) -> Result<VlenImage, VolError> {
        let mut image = VlenImage::empty(rest_type, count)?;
        let mut pos = 0usize;
        let size = image.element_size;
        for element in 0..count {
            let slot = &mut image.bytes[element * size..(element + 1) * size];
            decode_element(&image.parts, stream, &mut pos, slot)?;
        }
        if pos != stream.len() {
            return Err(VolError::InvalidArgument("trailing bytes after the vlen stream".into()));
        }
        Ok(image)
    }

    /// Encodes the elements as a REST stream.
    pub fn to_stream(&self) -> Result<Vec<u8>, VolError> {
        let mut out: Vec<u8> = Vec::new();
        for element in self.bytes.chunks_exact(self.element_size.max(1)) {
            encode_element(&self.parts, element, &mut out)?;
        }
        Ok(out)
    }

    /// Converts the elements to `dst_type` (the application's memory type). The returned
    /// bytes hold new HDF5-allocated variable-length memory that belongs to the receiver (the
    /// application frees it with `H5Treclaim`). `background` holds `count` destination
    /// elements for compound subsets; `dxpl` is the transfer plist whose variable-length memory
    /// manager allocates (`DEFAULT` for HDF5's own allocator).
    pub fn convert_to(
        &self,
        dst_type: super::sys::hid_t,
        background: Option<&[u8]>,
        dxpl: super::sys::hid_t,
    ) -> Result<Vec<u8>, VolError> {
        let dst_size = super::h5type::size(dst_type)?;
        let mut buf = vec![0u8; self.count * self.element_size.max(dst_size)];
        buf[..self.bytes.len()].copy_from_slice(&self.bytes);
        let mut bkg = match background {
            Some(bkg) if bkg.len() == self.count * dst_size => bkg.to_vec(),
            Some(_) => return Err(VolError::InvalidArgument("background size mismatch".into())),
            None => vec![0u8; self.count * dst_size],
        };
        // SAFETY: `buf` holds `count` elements of the larger type and `bkg` `count` destination
        // elements; the source elements' pointers are valid (the type's invariant) and HDF5
        // copies what they point to into new allocations, leaving ours untouched.
        let status = unsafe {
            super::sys::H5Tconvert(
                self.datatype,
                dst_type,
                self.count,
                buf.as_mut_ptr().cast(),
                bkg.as_mut_ptr().cast(),
                dxpl,
            )
        };
        super::h5type::check_status("H5Tconvert", status)?;
        buf.truncate(self.count * dst_size);
        Ok(buf)
    }

    /// Converts `count` application elements of `src_type` into the REST layout `rest_type`.
    ///
    /// # Safety
    /// `src` holds `count` elements of `src_type` whose variable-length pointers are NULL or
    /// valid as HDF5 requires for `H5Dwrite` (strings NUL-terminated, `hvl_t` with `len`
    /// elements), alive for the call.
    pub unsafe fn from_memory(
        src: &[u8],
        src_type: super::sys::hid_t,
        rest_type: super::sys::hid_t,
        count: usize,
    ) -> Result<VlenImage, VolError> {
        let mut image = VlenImage::empty(rest_type, count)?;
        let src_size = super::h5type::size(src_type)?;
        if src.len() != count * src_size {
            return Err(VolError::InvalidArgument("source size mismatch".into()));
        }
        let mut buf = vec![0u8; count * src_size.max(image.element_size)];
        buf[..src.len()].copy_from_slice(src);
        let mut bkg = vec![0u8; image.bytes.len()];
        // SAFETY: buffers sized as H5Tconvert needs; the caller vouches for the source
        // pointers; HDF5 allocates the destination's variable-length memory.
        let status = unsafe {
            super::sys::H5Tconvert(
                src_type,
                image.datatype,
                count,
                buf.as_mut_ptr().cast(),
                bkg.as_mut_ptr().cast(),
                super::hdf5::DEFAULT,
            )
        };
        super::h5type::check_status("H5Tconvert", status)?;
        let total = image.bytes.len();
        image.bytes.copy_from_slice(&buf[..total]);
        Ok(image)
    }
}

impl Drop for VlenImage {
    fn drop(&mut self) {
        if self.element_size > 0 {
            free_elements(&self.parts, self.element_size, &self.bytes);
        }
        let _ = super::h5type::close(self.datatype);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use serde_json::json;

    use super::*;
    use crate::h5::handle::hdf5_test_lock;
    use crate::h5::types::to_hdf5;
    use crate::model::types::Datatype;

    fn hdf5_type(value: serde_json::Value) -> crate::h5::OwnedId {
        to_hdf5(&Datatype::from_json(&value).unwrap()).unwrap()
    }

    fn item(bytes: &[u8]) -> Vec<u8> {
        let mut out = i32::try_from(bytes.len()).unwrap().to_le_bytes().to_vec();
        out.extend_from_slice(bytes);
        out
    }

    #[test]
    fn compounds_with_vlen_members_round_trip_through_memory() {
        let _hdf5 = hdf5_test_lock();
        let rest = hdf5_type(json!({"class": "H5T_COMPOUND", "fields": [
            {"name": "a", "type": "H5T_STD_I32LE"},
            {"name": "s", "type": {"class": "H5T_STRING", "length": "H5T_VARIABLE"}},
            {"name": "v", "type": {"class": "H5T_VLEN", "base": "H5T_STD_I16BE"}}]}));
        // The application's layout: other order, wider integers, native byte order.
        let memory = hdf5_type(json!({"class": "H5T_COMPOUND", "fields": [
            {"name": "v", "type": {"class": "H5T_VLEN", "base": "H5T_STD_I32LE"}},
            {"name": "s", "type": {"class": "H5T_STRING", "length": "H5T_VARIABLE"}},
            {"name": "a", "type": "H5T_STD_I64LE"}]}));
        let mut stream = Vec::new();
        for (a, s, v) in [(7i32, "seven", vec![1i16, -2]), (8, "", vec![])] {
            stream.extend(a.to_le_bytes());
            stream.extend(item(s.as_bytes()));
            let seq: Vec<u8> = v.iter().flat_map(|x| x.to_be_bytes()).collect();
            stream.extend(item(&seq));
        }
        let image = VlenImage::from_stream(rest.id(), 2, &stream).unwrap();
        assert_eq!(image.to_stream().unwrap(), stream);
        let app = image.convert_to(memory.id(), None, 0).unwrap();
        // Packed memory compound: hvl_t (16) + char * (8) + int64 (8).
        assert_eq!(app.len(), 2 * 32);
        assert_eq!(&app[24..32], &7i64.to_le_bytes());
        assert_eq!(&app[56..64], &8i64.to_le_bytes());

        // SAFETY: `app` came from H5Tconvert into `memory`, so its pointers are valid.
        let back = unsafe { VlenImage::from_memory(&app, memory.id(), rest.id(), 2) }.unwrap();
        assert_eq!(back.to_stream().unwrap(), stream);

        assert!(VlenImage::from_stream(rest.id(), 2, &stream[..stream.len() - 1]).is_err());
        assert!(VlenImage::from_stream(rest.id(), 1, &stream).is_err());
    }

    #[test]
    fn arrays_of_variable_strings() {
        let _hdf5 = hdf5_test_lock();
        let rest = hdf5_type(json!({"class": "H5T_ARRAY", "dims": [2], "base":
            {"class": "H5T_STRING", "length": "H5T_VARIABLE"}}));
        let mut stream = item(b"x");
        stream.extend(item(b"yz"));
        let image = VlenImage::from_stream(rest.id(), 1, &stream).unwrap();
        assert_eq!(image.to_stream().unwrap(), stream);
    }

    fn sequence(items: &[&[u8]]) -> Vec<u8> {
        items.iter().flat_map(|bytes| item(bytes)).collect()
    }

    #[test]
    fn vlen_of_vlen_round_trips_and_converts() {
        let _hdf5 = hdf5_test_lock();
        let rest = hdf5_type(json!({"class": "H5T_VLEN", "base":
            {"class": "H5T_VLEN", "base": "H5T_STD_U16LE"}}));
        let memory = hdf5_type(json!({"class": "H5T_VLEN", "base":
            {"class": "H5T_VLEN", "base": "H5T_STD_U32LE"}}));
        let inner =
            |values: &[u16]| -> Vec<u8> { values.iter().flat_map(|v| v.to_le_bytes()).collect() };
        // Element 0: [[1, 2], [], [3]]; element 1: []; element 2: [[]].
        let mut stream = item(&sequence(&[&inner(&[1, 2]), &[], &inner(&[3])]));
        stream.extend(item(&[]));
        stream.extend(item(&sequence(&[&[]])));
        let image = VlenImage::from_stream(rest.id(), 3, &stream).unwrap();
        assert_eq!(image.to_stream().unwrap(), stream);
        let app = image.convert_to(memory.id(), None, 0).unwrap();
        assert_eq!(app.len(), 3 * 16);
        // SAFETY: `app` came from H5Tconvert into `memory`, so its pointers are valid.
        let back = unsafe { VlenImage::from_memory(&app, memory.id(), rest.id(), 3) }.unwrap();
        assert_eq!(back.to_stream().unwrap(), stream);
        assert_eq!(word_at(&app, 0), 3);
        // The converted copy is the application's: free it as H5Treclaim would.
        let mut owned = VlenImage::empty(memory.id(), 3).unwrap();
        owned.bytes = app;
        drop(owned);

        // An inner item that is not whole elements, or a truncated stream, is refused.
        let bad = item(&sequence(&[&[1, 2, 3]]));
        assert!(VlenImage::from_stream(rest.id(), 1, &bad).is_err());
        assert!(VlenImage::from_stream(rest.id(), 3, &stream[..stream.len() - 2]).is_err());
    }

    #[test]
    fn vlen_of_compounds_with_strings() {
        let _hdf5 = hdf5_test_lock();
        let rest = hdf5_type(json!({"class": "H5T_VLEN", "base": {"class": "H5T_COMPOUND",
            "fields": [{"name": "n", "type": "H5T_STD_I32LE"},
                       {"name": "s", "type": {"class": "H5T_STRING", "length": "H5T_VARIABLE"}}]}}));
        let record = |n: i32, s: &[u8]| -> Vec<u8> {
            let mut out = n.to_le_bytes().to_vec();
            out.extend(item(s));
            out
        };
        let mut body = record(1, b"one");
        body.extend(record(2, b""));
        let stream = item(&body);
        let image = VlenImage::from_stream(rest.id(), 1, &stream).unwrap();
        assert_eq!(word_at(&image.bytes, 0), 2);
        assert_eq!(image.to_stream().unwrap(), stream);
        let app = image.convert_to(rest.id(), None, 0).unwrap();
        // SAFETY: `app` came from H5Tconvert into the same type, so its pointers are valid.
        let back = unsafe { VlenImage::from_memory(&app, rest.id(), rest.id(), 1) }.unwrap();
        assert_eq!(back.to_stream().unwrap(), stream);
        let mut reclaimed = VlenImage::empty(rest.id(), 1).unwrap();
        reclaimed.bytes = app;
        drop(reclaimed);
    }
}
