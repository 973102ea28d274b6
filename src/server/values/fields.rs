//! The `fields=a:b` parameter of value requests (HSDS `_getSelectDtype` / h5json
//! `getSubType`): a subset of a compound type's members, in the order given, packed as a new
//! compound. Reads project full elements onto the subset; writes merge subset elements into
//! the full elements they replace. Only fixed-size compounds are supported.

use crate::model::{CompoundField, Datatype};

use super::super::chunks::{DatasetLayout, ItemLayout};
use super::ValueError;

/// A validated member subset of a fixed-size compound type.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldSubset {
    /// The sub-compound type (the response or request element type).
    pub datatype: Datatype,
    /// `(offset in the full element, size)` of each chosen member, in subset order.
    pieces: Vec<(usize, usize)>,
    full_size: usize,
    sub_size: usize,
}

fn invalid(detail: impl std::fmt::Display) -> ValueError {
    ValueError::BadRequest(format!("invalid fields selection: {detail}"))
}

fn compound_fields(datatype: &Datatype) -> Option<&[CompoundField]> {
    match datatype {
        Datatype::Compound(fields) => Some(fields),
        Datatype::CommittedCopy { datatype, .. } => compound_fields(datatype),
        _ => None,
    }
}

/// Whether `datatype` is a compound (directly or as a committed copy).
#[must_use]
pub fn is_compound(datatype: &Datatype) -> bool {
    compound_fields(datatype).is_some()
}

impl FieldSubset {
    /// Parses a colon-separated member list for `datatype`; `None` for an absent or empty
    /// list (all members).
    ///
    /// # Errors
    /// [`ValueError::BadRequest`] with HSDS's reason for a non-compound type or an unknown
    /// member, and for variable-length compounds (not supported here).
    pub fn parse(
        spec: Option<&str>,
        datatype: &Datatype,
    ) -> Result<Option<FieldSubset>, ValueError> {
        let Some(spec) = spec.filter(|s| !s.is_empty()) else { return Ok(None) };
        let fields = compound_fields(datatype)
            .ok_or_else(|| invalid("getSubType - parent must be compound type"))?;
        if datatype.is_variable() {
            return Err(invalid("fields of variable-length compounds are not supported"));
        }
        let mut offsets = Vec::with_capacity(fields.len());
        let mut offset = 0_usize;
        for field in fields {
            let size = field
                .datatype
                .item_size()
                .and_then(|s| usize::try_from(s).ok())
                .ok_or_else(|| invalid("member without a fixed size"))?;
            offsets.push((field, offset, size));
            offset += size;
        }
        let mut chosen = Vec::new();
        let mut pieces = Vec::new();
        for name in spec.split(':') {
            let (field, at, size) = offsets
                .iter()
                .find(|(field, _, _)| field.name == name)
                .ok_or_else(|| invalid(format!("field: {name} is not defined in parent type")))?;
            chosen.push((*field).clone());
            pieces.push((*at, *size));
        }
        let sub_size = pieces.iter().map(|(_, size)| size).sum();
        Ok(Some(FieldSubset {
            datatype: Datatype::Compound(chosen.into()),
            pieces,
            full_size: offset,
            sub_size,
        }))
    }

    /// Bytes of one subset element.
    #[must_use]
    pub fn item_size(&self) -> usize {
        self.sub_size
    }

    /// `dataset` as seen through the subset (type and item size replaced), for value
    /// encoding.
    #[must_use]
    pub fn view(&self, dataset: &DatasetLayout) -> DatasetLayout {
        DatasetLayout {
            datatype: self.datatype.clone(),
            item: ItemLayout::Fixed(self.sub_size),
            ..dataset.clone()
        }
    }

    /// Packed full elements → packed subset elements.
    #[must_use]
    pub fn project(&self, full: &[u8]) -> Vec<u8> {
        let count = full.len() / self.full_size.max(1);
        let mut out = Vec::with_capacity(count * self.sub_size);
        for element in full.chunks_exact(self.full_size.max(1)) {
            for &(at, size) in &self.pieces {
                out.extend_from_slice(element.get(at..at + size).unwrap_or_default());
            }
        }
        out
    }

    /// Writes packed subset elements `sub` over the chosen members of packed `full`.
    ///
    /// # Errors
    /// [`ValueError::BadRequest`] when the element counts differ.
    pub fn merge(&self, full: &mut [u8], sub: &[u8]) -> Result<(), ValueError> {
        let count = full.len() / self.full_size.max(1);
        if sub.len() != count * self.sub_size {
            return Err(ValueError::BadRequest(format!(
                "expected {} bytes but got {}",
                count * self.sub_size,
                sub.len()
            )));
        }
        for (element, given) in
            full.chunks_exact_mut(self.full_size.max(1)).zip(sub.chunks_exact(self.sub_size.max(1)))
        {
            let mut from = 0;
            for &(at, size) in &self.pieces {
                if let (Some(dst), Some(src)) =
                    (element.get_mut(at..at + size), given.get(from..from + size))
                {
                    dst.copy_from_slice(src);
                }
                from += size;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn projects_and_merges() {
        let dtype = Datatype::from_json(&json!({"class":"H5T_COMPOUND","fields":[
            {"name":"a","type":"H5T_STD_I8LE"},{"name":"b","type":"H5T_STD_I16LE"},
            {"name":"c","type":"H5T_STD_I8LE"}]}))
        .unwrap();
        let subset = FieldSubset::parse(Some("c:a"), &dtype).unwrap().unwrap();
        assert_eq!(subset.item_size(), 2);
        let mut full = vec![1, 2, 0, 3, 4, 5, 0, 6];
        assert_eq!(subset.project(&full), [3, 1, 6, 4]);
        subset.merge(&mut full, &[9, 8, 7, 6]).unwrap();
        assert_eq!(full, [8, 2, 0, 9, 6, 5, 0, 7]);
        assert!(FieldSubset::parse(Some(""), &dtype).unwrap().is_none());
        let err = FieldSubset::parse(Some("a:z"), &dtype).unwrap_err().to_string();
        assert_eq!(err, "invalid fields selection: field: z is not defined in parent type");
        let int = Datatype::from_json(&json!("H5T_STD_I8LE")).unwrap();
        assert!(FieldSubset::parse(Some("a"), &int).is_err());
    }
}
