//! The stored form of HDF5 references: one 48-byte, null-padded ASCII item per reference, the
//! layout HSDS and h5pyd use for `H5T_STD_REF_OBJ` (`{"class":"H5T_REFERENCE","base":
//! "H5T_STD_REF_OBJ"}`).
//!
//! - An object reference is HSDS's own text: `groups/<id>`, `datasets/<id>` or
//!   `datatypes/<id>`, so h5pyd reads references restvol wrote as `h5pyd.Reference`s to the
//!   same objects, and the other way round.
//! - A null reference is all zeros (`""` as JSON).
//! - HSDS has no stored form for the two kinds HDF5 1.12 added to `H5T_STD_REF` (attribute
//!   references and new-style region references), so restvol stores them in the same 48 bytes
//!   with a marker HSDS ids never start with; the referenced object is named by the 16 hex
//!   digits that tell objects of the file apart (the file supplies the domain part):
//!   - attribute: `@` + class letter + 16 hex digits + the attribute name;
//!   - region of a dataset: `#` + 16 hex digits + the selection: `*` (all), `-` (none),
//!     `P` + points (`i,j;k,l`), `H` + one regular hyperslab (`start,stride,count,block` per
//!     dimension, `;`-separated) or `B` + blocks (corner coordinates, `;`-separated).
//!
//!   A reference whose text does not fit in 48 bytes (a long attribute name, a selection of
//!   many points or blocks) is *spilled*, as HDF5's native format keeps such references in
//!   its global heap: [`encode_all`] writes the texts that do not fit to a new anonymous
//!   (unlinked) dataset of variable-length strings and stores `~` + that dataset's 16 hex
//!   digits + `:` + the index of the text in it; [`decode_all`] reads them back. Overwritten
//!   spilled references leave their texts behind, as the native heap does.
//!
//! h5pyd sees attribute, region and spilled references as invalid object references.

use std::collections::HashMap;

use serde_json::{json, Value};

use super::error::VolError;
use super::file::OpenFile;
use super::object::create_object;
use crate::client::Request;
use crate::h5::selection::{Block, HyperDim, SpaceSelection};
use crate::model::{ObjClass, ObjId};

/// Bytes of one stored reference.
pub const STORED_REF_SIZE: usize = 48;

/// One reference as restvol stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredRef {
    /// No reference (all zeros).
    Null,
    /// A group, dataset or committed datatype.
    Object(ObjId),
    /// A selection of a dataset.
    Region {
        /// The dataset.
        dataset: ObjId,
        /// The selected elements.
        selection: SpaceSelection,
    },
    /// An attribute of an object.
    Attribute {
        /// The object the attribute belongs to.
        object: ObjId,
        /// The attribute's name.
        name: String,
    },
}

fn object_hex(id: &ObjId) -> String {
    id.hex()[16..].to_string()
}

fn join<T: ToString>(values: impl IntoIterator<Item = T>) -> String {
    values.into_iter().map(|v| v.to_string()).collect::<Vec<_>>().join(",")
}

fn selection_text(selection: &SpaceSelection) -> String {
    match selection {
        SpaceSelection::All => "*".to_string(),
        SpaceSelection::None => "-".to_string(),
        SpaceSelection::Points { rank, coords } => {
            let points: Vec<String> = coords.chunks((*rank).max(1)).map(join).collect();
            format!("P{}", points.join(";"))
        }
        SpaceSelection::Regular(dims) => {
            let dims: Vec<String> =
                dims.iter().map(|d| join([d.start, d.stride, d.count, d.block])).collect();
            format!("H{}", dims.join(";"))
        }
        SpaceSelection::Irregular(blocks) => {
            let blocks: Vec<String> =
                blocks.iter().map(|b| join(b.start.iter().chain(&b.end))).collect();
            format!("B{}", blocks.join(";"))
        }
    }
}

fn bad(text: &str) -> VolError {
    VolError::InvalidArgument(format!("'{text}' is not a reference restvol can read"))
}

fn numbers(group: &str, text: &str) -> Result<Vec<u64>, VolError> {
    group.split(',').map(|n| n.parse::<u64>().map_err(|_| bad(text))).collect()
}

fn parse_selection(sel: &str, text: &str) -> Result<SpaceSelection, VolError> {
    let (kind, body) = sel.split_at(sel.len().min(1));
    let groups = || body.split(';').map(|g| numbers(g, text)).collect::<Result<Vec<_>, _>>();
    match kind {
        "*" if body.is_empty() => Ok(SpaceSelection::All),
        "-" if body.is_empty() => Ok(SpaceSelection::None),
        "P" => {
            let points = groups()?;
            let rank = points.first().map_or(0, Vec::len);
            if rank == 0 || points.iter().any(|p| p.len() != rank) {
                return Err(bad(text));
            }
            Ok(SpaceSelection::Points { rank, coords: points.concat() })
        }
        "H" => groups()?
            .into_iter()
            .map(|d| match d.as_slice() {
                [start, stride, count, block] => {
                    Ok(HyperDim { start: *start, stride: *stride, count: *count, block: *block })
                }
                _ => Err(bad(text)),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(SpaceSelection::Regular),
        "B" => groups()?
            .into_iter()
            .map(|corners| {
                if corners.is_empty() || corners.len() % 2 != 0 {
                    return Err(bad(text));
                }
                let (start, end) = corners.split_at(corners.len() / 2);
                Ok(Block { start: start.to_vec(), end: end.to_vec() })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(SpaceSelection::Irregular),
        _ => Err(bad(text)),
    }
}

/// The id of the object of class `class` whose object part is `hex16`, in the file of `root`.
fn id_in_file(root: &ObjId, class: ObjClass, hex16: &str, text: &str) -> Result<ObjId, VolError> {
    if hex16.len() != 16 || !hex16.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad(text));
    }
    let domain = root.domain_prefix();
    let id =
        format!("{}-{domain}-{}-{}-{}", class.prefix(), &hex16[..4], &hex16[4..10], &hex16[10..16]);
    ObjId::parse(&id).map_err(|_| bad(text))
}

impl StoredRef {
    /// The reference's text (without padding).
    pub fn text(&self) -> String {
        match self {
            StoredRef::Null => String::new(),
            StoredRef::Object(id) => format!("{}/{}", id.class().collection(), id.as_str()),
            StoredRef::Attribute { object, name } => {
                format!("@{}{}{name}", object.class().prefix(), object_hex(object))
            }
            StoredRef::Region { dataset, selection } => {
                format!("#{}{}", object_hex(dataset), selection_text(selection))
            }
        }
    }

    /// The 48 stored bytes.
    ///
    /// # Errors
    /// [`VolError::InvalidArgument`] when the text does not fit, or names hold a NUL byte.
    pub fn encode(&self) -> Result<[u8; STORED_REF_SIZE], VolError> {
        let text = self.text();
        if text.len() > STORED_REF_SIZE || text.contains('\0') {
            return Err(VolError::InvalidArgument(format!(
                "the reference '{text}' does not fit the {STORED_REF_SIZE} bytes restvol stores \
                 a reference in (use a shorter attribute name or a simpler selection)"
            )));
        }
        let mut out = [0u8; STORED_REF_SIZE];
        out[..text.len()].copy_from_slice(text.as_bytes());
        Ok(out)
    }

    /// Reads one stored reference of the file whose root group is `root`.
    ///
    /// # Errors
    /// [`VolError::InvalidArgument`] for text that is none of the forms above, or an object of
    /// another file.
    pub fn decode(bytes: &[u8], root: &ObjId) -> Result<StoredRef, VolError> {
        let end = bytes.iter().position(|b| *b == 0).unwrap_or(bytes.len());
        let text = std::str::from_utf8(&bytes[..end])
            .map_err(|_| bad(&String::from_utf8_lossy(&bytes[..end])))?;
        if text.is_empty() {
            return Ok(StoredRef::Null);
        }
        if let Some(rest) = text.strip_prefix('@') {
            let class =
                rest.chars().next().and_then(ObjClass::from_prefix).ok_or_else(|| bad(text))?;
            let hex16 = rest.get(1..17).ok_or_else(|| bad(text))?;
            let name = rest.get(17..).filter(|n| !n.is_empty()).ok_or_else(|| bad(text))?;
            let object = id_in_file(root, class, hex16, text)?;
            return Ok(StoredRef::Attribute { object, name: name.to_string() });
        }
        if let Some(rest) = text.strip_prefix('#') {
            let hex16 = rest.get(..16).ok_or_else(|| bad(text))?;
            let dataset = id_in_file(root, ObjClass::Dataset, hex16, text)?;
            let selection = parse_selection(rest.get(16..).ok_or_else(|| bad(text))?, text)?;
            return Ok(StoredRef::Region { dataset, selection });
        }
        // HSDS writes `<collection>/<id>`; accept a bare id too.
        let id_text = match text.split_once('/') {
            Some((collection, id)) => {
                let class = ObjClass::from_collection(collection).ok_or_else(|| bad(text))?;
                let id = ObjId::parse(id).map_err(|_| bad(text))?;
                if id.class() != class {
                    return Err(bad(text));
                }
                id
            }
            None => ObjId::parse(text).map_err(|_| bad(text))?,
        };
        if !id_text.same_domain(root) {
            return Err(VolError::InvalidArgument(format!(
                "the reference '{text}' names an object of another file"
            )));
        }
        Ok(StoredRef::Object(id_text))
    }
}

/// The stored bytes of `refs` (48 per reference), spilling texts that do not fit (see the
/// module docs) to one new anonymous dataset of `file`.
///
/// # Errors
/// [`VolError::InvalidArgument`] for names holding a NUL byte; service errors of the spill.
pub fn encode_all(file: &OpenFile, refs: &[StoredRef]) -> Result<Vec<u8>, VolError> {
    let mut out = Vec::with_capacity(refs.len() * STORED_REF_SIZE);
    let mut spilled: Vec<(usize, String)> = Vec::new();
    for (index, r) in refs.iter().enumerate() {
        match r.encode() {
            Ok(bytes) => out.extend_from_slice(&bytes),
            Err(_) if !r.text().contains('\0') => {
                spilled.push((index, r.text()));
                out.extend_from_slice(&[0u8; STORED_REF_SIZE]);
            }
            Err(err) => return Err(err),
        }
    }
    if spilled.is_empty() {
        return Ok(out);
    }
    let texts: Vec<&str> = spilled.iter().map(|(_, text)| text.as_str()).collect();
    let body = json!({
        "type": {"class": "H5T_STRING", "charSet": "H5T_CSET_UTF8",
                 "strPad": "H5T_STR_NULLTERM", "length": "H5T_VARIABLE"},
        "shape": [texts.len()],
    });
    let blobs = create_object(file, ObjClass::Dataset, file.root(), None, false, body)?;
    file.send(
        Request::put(format!("/datasets/{}/value", blobs.as_str())).json(json!({"value": texts})),
    )?;
    for (slot, (index, _)) in spilled.iter().enumerate() {
        let text = format!("~{}:{slot}", object_hex(&blobs));
        let bytes = text.as_bytes();
        let at = index * STORED_REF_SIZE;
        out[at..at + bytes.len()].copy_from_slice(bytes);
    }
    Ok(out)
}

/// Where a spilled reference's text is: the dataset and the index in it.
fn spill_slot(bytes: &[u8], root: &ObjId) -> Result<Option<(ObjId, usize)>, VolError> {
    let Some(rest) = bytes.strip_prefix(b"~") else { return Ok(None) };
    let end = rest.iter().position(|b| *b == 0).unwrap_or(rest.len());
    let text = std::str::from_utf8(&rest[..end]).map_err(|_| bad("~"))?;
    let (hex16, index) = text.split_once(':').ok_or_else(|| bad(text))?;
    let blobs = id_in_file(root, ObjClass::Dataset, hex16, text)?;
    Ok(Some((blobs, index.parse().map_err(|_| bad(text))?)))
}

/// Reads `stored` (48 bytes per reference) of the file `file`, fetching spilled texts.
///
/// # Errors
/// As [`StoredRef::decode`]; service errors reading spilled texts.
pub fn decode_all(file: &OpenFile, stored: &[u8]) -> Result<Vec<StoredRef>, VolError> {
    let mut spills: HashMap<ObjId, Vec<String>> = HashMap::new();
    stored
        .chunks(STORED_REF_SIZE)
        .map(|item| {
            let Some((blobs, index)) = spill_slot(item, file.root())? else {
                return StoredRef::decode(item, file.root());
            };
            if !spills.contains_key(&blobs) {
                let reply =
                    file.send_json(Request::get(format!("/datasets/{}/value", blobs.as_str())))?;
                let texts = match reply.get("value") {
                    Some(Value::Array(items)) => {
                        items.iter().map(|v| v.as_str().unwrap_or_default().to_string()).collect()
                    }
                    _ => Vec::new(),
                };
                spills.insert(blobs.clone(), texts);
            }
            let text = spills
                .get(&blobs)
                .and_then(|texts| texts.get(index))
                .ok_or_else(|| bad("spilled reference"))?;
            StoredRef::decode(text.as_bytes(), file.root())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use crate::model::{new_obj_id, new_root_id};

    fn round_trip(r: StoredRef, root: &ObjId) {
        let bytes = r.encode().unwrap();
        assert_eq!(StoredRef::decode(&bytes, root).unwrap(), r, "{}", r.text());
    }

    #[test]
    fn every_kind_round_trips() {
        let root = new_root_id().unwrap();
        let dset = new_obj_id(ObjClass::Dataset, &root).unwrap();
        let group = new_obj_id(ObjClass::Group, &root).unwrap();
        round_trip(StoredRef::Null, &root);
        round_trip(StoredRef::Object(dset.clone()), &root);
        round_trip(StoredRef::Object(root.clone()), &root);
        round_trip(StoredRef::Attribute { object: group, name: "units".into() }, &root);
        let regions = [
            SpaceSelection::All,
            SpaceSelection::None,
            SpaceSelection::Points { rank: 2, coords: vec![0, 0, 3, 4, 2, 1] },
            SpaceSelection::Regular(vec![
                HyperDim { start: 1, stride: 1, count: 2, block: 1 },
                HyperDim { start: 1, stride: 2, count: 1, block: 3 },
            ]),
            SpaceSelection::Irregular(vec![
                Block { start: vec![0], end: vec![1] },
                Block { start: vec![5], end: vec![9] },
            ]),
        ];
        for selection in regions {
            round_trip(StoredRef::Region { dataset: dset.clone(), selection }, &root);
        }
    }

    #[test]
    fn object_references_use_the_hsds_text() {
        let root = new_root_id().unwrap();
        let dset = new_obj_id(ObjClass::Dataset, &root).unwrap();
        let bytes = StoredRef::Object(dset.clone()).encode().unwrap();
        let text = format!("datasets/{}", dset.as_str());
        assert_eq!(&bytes[..text.len()], text.as_bytes());
        assert!(bytes[text.len()..].iter().all(|b| *b == 0));
        // A bare id, as some writers store it, reads too.
        let mut bare = [0u8; STORED_REF_SIZE];
        bare[..38].copy_from_slice(dset.as_str().as_bytes());
        assert_eq!(StoredRef::decode(&bare, &root).unwrap(), StoredRef::Object(dset));
    }

    #[test]
    fn foreign_too_long_and_malformed_references_are_refused() {
        let root = new_root_id().unwrap();
        let other = new_root_id().unwrap();
        let foreign = StoredRef::Object(new_obj_id(ObjClass::Group, &other).unwrap());
        assert!(StoredRef::decode(&foreign.encode().unwrap(), &root).is_err());
        let long = StoredRef::Attribute {
            object: root.clone(),
            name: "an attribute name much too long to fit".into(),
        };
        assert!(long.encode().is_err());
        for text in ["groups/x", "#0123", "@g0123456789abcdef", "#0123456789abcdefP1,2;3", "?"] {
            assert!(StoredRef::decode(text.as_bytes(), &root).is_err(), "{text}");
        }
    }
}
