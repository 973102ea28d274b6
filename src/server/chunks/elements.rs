//! Element buffers: the bytes of a run of dataset elements, either packed fixed-size items or,
//! for types with a variable-length part, one encoded byte string per element.
//!
//! A variable element is kept in its HSDS wire form (reference §1.6): a top-level vlen or
//! variable string is `<int32 LE byte count><bytes>`; a compound or array that contains vlen
//! parts is its fixed fields as raw bytes and its vlen parts in the count+bytes form. A stored
//! vlen chunk, and a binary vlen transfer, is the concatenation of its elements' encodings.

use crate::model::{Datatype, ReferenceKind, StringLength};

use super::error::ChunkError;

/// How one element of a dataset's type is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemLayout {
    /// Every element has this many bytes.
    Fixed(usize),
    /// Elements have a variable-length part.
    Variable,
}

/// The elements of a selection, a chunk or a point list, in C order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ElementBuf {
    /// Packed fixed-size items.
    Fixed(Vec<u8>),
    /// One wire-encoded element per entry (see the module docs).
    Variable(Vec<Vec<u8>>),
}

impl ElementBuf {
    /// `count` copies of `element` (an encoded element of `layout`).
    #[must_use]
    pub fn filled(layout: ItemLayout, element: &[u8], count: usize) -> ElementBuf {
        match layout {
            ItemLayout::Fixed(_) => ElementBuf::Fixed(element.repeat(count)),
            ItemLayout::Variable => ElementBuf::Variable(vec![element.to_vec(); count]),
        }
    }

    /// Number of elements, given the layout.
    #[must_use]
    pub fn len(&self, layout: ItemLayout) -> usize {
        match (self, layout) {
            (ElementBuf::Fixed(bytes), ItemLayout::Fixed(size)) => bytes.len() / size.max(1),
            (ElementBuf::Variable(items), _) => items.len(),
            (ElementBuf::Fixed(_), ItemLayout::Variable) => 0,
        }
    }

    /// Memory held, in bytes (for cache accounting).
    #[must_use]
    pub fn byte_size(&self) -> usize {
        match self {
            ElementBuf::Fixed(bytes) => bytes.len(),
            ElementBuf::Variable(items) => items.iter().map(|item| item.len() + 24).sum(),
        }
    }

    /// The wire form: the packed bytes, or the concatenated element encodings.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            ElementBuf::Fixed(bytes) => bytes.clone(),
            ElementBuf::Variable(items) => items.concat(),
        }
    }

    /// Reads `count` elements of `datatype` from their wire form.
    ///
    /// # Errors
    /// [`ChunkError::BadData`] if the bytes do not hold exactly `count` elements.
    pub fn from_bytes(
        datatype: &Datatype,
        layout: ItemLayout,
        bytes: &[u8],
        count: usize,
    ) -> Result<ElementBuf, ChunkError> {
        match layout {
            ItemLayout::Fixed(size) => {
                let expected = size.checked_mul(count).ok_or(ChunkError::TooLarge)?;
                if bytes.len() != expected {
                    return Err(ChunkError::BadData(format!(
                        "expected {expected} bytes for {count} elements, got {}",
                        bytes.len()
                    )));
                }
                Ok(ElementBuf::Fixed(bytes.to_vec()))
            }
            ItemLayout::Variable => {
                split_elements(datatype, bytes, count).map(ElementBuf::Variable)
            }
        }
    }
}

/// The element layout of `datatype`.
///
/// # Errors
/// [`ChunkError::BadDataset`] for an unresolved committed type or a zero-size type.
pub fn item_layout(datatype: &Datatype) -> Result<ItemLayout, ChunkError> {
    if datatype.is_variable() {
        return Ok(ItemLayout::Variable);
    }
    match datatype.item_size().map(usize::try_from) {
        Some(Ok(size)) if size > 0 => Ok(ItemLayout::Fixed(size)),
        _ => Err(ChunkError::BadDataset(format!(
            "type {} has no usable item size",
            datatype.to_json()
        ))),
    }
}

/// Splits the concatenated wire form of `count` elements into one byte string per element.
///
/// # Errors
/// [`ChunkError::BadData`] for truncated input or trailing bytes.
pub fn split_elements(
    datatype: &Datatype,
    bytes: &[u8],
    count: usize,
) -> Result<Vec<Vec<u8>>, ChunkError> {
    let mut items = Vec::with_capacity(count.min(bytes.len()));
    let mut offset = 0;
    for _ in 0..count {
        let len = encoded_len(datatype, bytes.get(offset..).unwrap_or_default())?;
        let item = bytes.get(offset..offset + len).ok_or_else(truncated)?;
        items.push(item.to_vec());
        offset += len;
    }
    if offset != bytes.len() {
        return Err(ChunkError::BadData(format!(
            "{} trailing bytes after {count} elements",
            bytes.len() - offset
        )));
    }
    Ok(items)
}

fn truncated() -> ChunkError {
    ChunkError::BadData("variable-length data is truncated".into())
}

/// Length of the wire form of the one element of `datatype` that starts `data`.
fn encoded_len(datatype: &Datatype, data: &[u8]) -> Result<usize, ChunkError> {
    match datatype {
        Datatype::Vlen(_)
        | Datatype::Reference(ReferenceKind::Region)
        | Datatype::String(crate::model::StringType { length: StringLength::Variable, .. }) => {
            let head: [u8; 4] =
                data.get(..4).and_then(|h| h.try_into().ok()).ok_or_else(truncated)?;
            let count = usize::try_from(i32::from_le_bytes(head))
                .map_err(|_| ChunkError::BadData("negative vlen byte count".into()))?;
            if count > crate::codec::MAX_VLEN_ELEMENT {
                return Err(ChunkError::BadData("vlen item exceeds 1000000 bytes".into()));
            }
            let len = 4 + count;
            if data.len() < len {
                return Err(truncated());
            }
            Ok(len)
        }
        Datatype::Compound(fields) => {
            let mut offset = 0;
            for field in fields {
                offset += encoded_len(&field.datatype, data.get(offset..).ok_or_else(truncated)?)?;
            }
            Ok(offset)
        }
        Datatype::Array { base, dims } if base.is_variable() => {
            let mut offset = 0;
            for _ in 0..dims.iter().product::<u64>() {
                offset += encoded_len(base, data.get(offset..).ok_or_else(truncated)?)?;
            }
            Ok(offset)
        }
        Datatype::CommittedCopy { datatype, .. } => encoded_len(datatype, data),
        other => {
            let size = other
                .item_size()
                .and_then(|size| usize::try_from(size).ok())
                .ok_or_else(|| ChunkError::BadData("type without item size".into()))?;
            if data.len() < size {
                return Err(truncated());
            }
            Ok(size)
        }
    }
}

/// The all-zero element of `datatype`: zero bytes for fixed parts, count 0 for vlen parts.
#[must_use]
pub fn zero_element(datatype: &Datatype) -> Vec<u8> {
    match datatype {
        Datatype::Vlen(_)
        | Datatype::Reference(ReferenceKind::Region)
        | Datatype::String(crate::model::StringType { length: StringLength::Variable, .. }) => {
            vec![0; 4]
        }
        Datatype::Compound(fields) => {
            fields.iter().flat_map(|field| zero_element(&field.datatype)).collect()
        }
        Datatype::Array { base, dims } if base.is_variable() => {
            let one = zero_element(base);
            one.repeat(usize::try_from(dims.iter().product::<u64>()).unwrap_or(0))
        }
        Datatype::CommittedCopy { datatype, .. } => zero_element(datatype),
        other => vec![0; other.item_size().and_then(|s| usize::try_from(s).ok()).unwrap_or(0)],
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    fn dtype(value: serde_json::Value) -> Datatype {
        Datatype::from_json(&value).unwrap()
    }

    #[test]
    fn splits_vlen_strings_and_compounds() {
        let vstr =
            dtype(json!({"class":"H5T_STRING","charSet":"H5T_CSET_UTF8","length":"H5T_VARIABLE"}));
        assert_eq!(item_layout(&vstr).unwrap(), ItemLayout::Variable);
        let wire = [&3_i32.to_le_bytes()[..], b"abc", &0_i32.to_le_bytes()].concat();
        let items = split_elements(&vstr, &wire, 2).unwrap();
        assert_eq!(items, [[&3_i32.to_le_bytes()[..], b"abc"].concat(), vec![0; 4]]);
        assert!(split_elements(&vstr, &wire, 3).is_err());
        assert!(split_elements(&vstr, &wire, 1).is_err());

        let comp = dtype(json!({"class":"H5T_COMPOUND","fields":[
            {"name":"a","type":"H5T_STD_I16LE"},
            {"name":"s","type":{"class":"H5T_VLEN","base":"H5T_STD_I32LE"}}]}));
        let one = [&[1, 0][..], &4_i32.to_le_bytes(), &7_i32.to_le_bytes()].concat();
        let buf = ElementBuf::from_bytes(&comp, ItemLayout::Variable, &one.repeat(2), 2).unwrap();
        assert_eq!(buf, ElementBuf::Variable(vec![one.clone(), one]));
        assert_eq!(zero_element(&comp), vec![0; 6]);
    }

    #[test]
    fn fixed_buffers() {
        let int = dtype(json!("H5T_STD_I32LE"));
        let layout = item_layout(&int).unwrap();
        assert_eq!(layout, ItemLayout::Fixed(4));
        let buf = ElementBuf::filled(layout, &[1, 2, 3, 4], 3);
        assert_eq!(buf.len(layout), 3);
        assert_eq!(ElementBuf::from_bytes(&int, layout, &buf.to_bytes(), 3).unwrap(), buf);
        assert!(ElementBuf::from_bytes(&int, layout, &[0; 5], 1).is_err());
    }
}
