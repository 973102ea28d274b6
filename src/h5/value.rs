//! JSON values of fixed-size types → the packed REST bytes of one element (used for JSON fill
//! values). Numbers go through HDF5's conversion to the leaf type (any size, order, int ⇄
//! float); a compound is a list in field order; an array a (nested or flat) list; an enum a
//! number or a member name; a fixed string its text (padded with NULs, or spaces for
//! SPACEPAD, cut at the length).

use serde_json::{json, Value};

use crate::model::types::{Datatype, StrPad, StringLength};

use super::convert::convert_fixed;
use super::error::{invalid, unsupported, H5Result};
use super::types;

/// The packed REST bytes of `value` as one element of `datatype`.
///
/// # Errors
/// [`super::H5Error::Invalid`] when the value does not fit the type;
/// [`super::H5Error::Unsupported`] for variable-length, opaque and reference types.
pub fn json_to_bytes(datatype: &Datatype, value: &Value) -> H5Result<Vec<u8>> {
    let mut out = Vec::new();
    encode(datatype, value, &mut out)?;
    Ok(out)
}

fn encode(datatype: &Datatype, value: &Value, out: &mut Vec<u8>) -> H5Result<()> {
    match datatype {
        Datatype::Integer(_) | Datatype::Float(_) | Datatype::Bitfield(_) => {
            out.extend(number_bytes(datatype, value)?);
        }
        Datatype::Enum { base, members } => match value {
            Value::String(name) => {
                let member = members
                    .iter()
                    .find(|member| &member.name == name)
                    .ok_or_else(|| invalid(format!("'{name}' is not a member of the enum")))?;
                let number = i64::try_from(member.value)
                    .map(|v| json!(v))
                    .or_else(|_| u64::try_from(member.value).map(|v| json!(v)))
                    .map_err(|_| invalid("enum value out of range"))?;
                out.extend(number_bytes(&Datatype::Integer(*base), &number)?);
            }
            other => out.extend(number_bytes(&Datatype::Integer(*base), other)?),
        },
        Datatype::String(string) => {
            let StringLength::Fixed(length) = string.length else {
                return Err(unsupported("JSON values of variable-length strings"));
            };
            let text = value.as_str().ok_or_else(|| invalid(format!("{value} is not a string")))?;
            let length = usize::try_from(length).map_err(|_| invalid("string too long"))?;
            let pad = if string.str_pad == StrPad::SpacePad { b' ' } else { 0 };
            let mut bytes = text.as_bytes().to_vec();
            bytes.resize(length, pad);
            out.extend(bytes);
        }
        Datatype::Compound(fields) => {
            let values =
                value.as_array().filter(|values| values.len() == fields.len()).ok_or_else(
                    || invalid(format!("compound value must be a list of {} items", fields.len())),
                )?;
            for (field, item) in fields.iter().zip(values) {
                encode(&field.datatype, item, out)?;
            }
        }
        Datatype::Array { base, dims } => {
            let mut leaves = Vec::new();
            flatten(value, &mut leaves);
            let expected: u64 = dims.iter().product();
            if u64::try_from(leaves.len()).ok() != Some(expected) {
                return Err(invalid(format!("array value must hold {expected} items")));
            }
            for leaf in leaves {
                encode(base, leaf, out)?;
            }
        }
        Datatype::CommittedCopy { datatype, .. } => encode(datatype, value, out)?,
        other => {
            return Err(unsupported(format!(
                "JSON values of {} types",
                other.class_name().unwrap_or("unresolved committed")
            )))
        }
    }
    Ok(())
}

fn flatten<'v>(value: &'v Value, leaves: &mut Vec<&'v Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| flatten(item, leaves)),
        leaf => leaves.push(leaf),
    }
}

/// One number (or boolean) converted by HDF5 to the numeric type `datatype`.
fn number_bytes(datatype: &Datatype, value: &Value) -> H5Result<Vec<u8>> {
    let (source, bytes) = match value {
        Value::Bool(flag) => ("H5T_STD_U8LE", vec![u8::from(*flag)]),
        Value::Number(number) => {
            if let Some(int) = number.as_i64() {
                ("H5T_STD_I64LE", int.to_le_bytes().to_vec())
            } else if let Some(int) = number.as_u64() {
                ("H5T_STD_U64LE", int.to_le_bytes().to_vec())
            } else {
                let float = number.as_f64().ok_or_else(|| invalid("number out of range"))?;
                ("H5T_IEEE_F64LE", float.to_le_bytes().to_vec())
            }
        }
        other => return Err(invalid(format!("{other} is not a number"))),
    };
    let source = types::to_hdf5(&Datatype::from_json(&json!(source))?)?;
    let target = types::to_hdf5(datatype)?;
    convert_fixed(source.id(), target.id(), 1, &bytes, None)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn bytes(type_json: Value, value: Value) -> H5Result<Vec<u8>> {
        json_to_bytes(&Datatype::from_json(&type_json).unwrap(), &value)
    }

    #[test]
    fn numbers_strings_compounds_arrays_enums() {
        let _hdf5 = crate::h5::handle::hdf5_test_lock();
        assert_eq!(bytes(json!("H5T_STD_I16BE"), json!(-2)).unwrap(), (-2i16).to_be_bytes());
        assert_eq!(bytes(json!("H5T_IEEE_F32LE"), json!(1.5)).unwrap(), 1.5f32.to_le_bytes());
        assert_eq!(bytes(json!("H5T_IEEE_F64LE"), json!(3)).unwrap(), 3f64.to_le_bytes());
        assert_eq!(
            bytes(
                json!({"class": "H5T_STRING", "length": 4, "strPad": "H5T_STR_SPACEPAD"}),
                json!("ab")
            )
            .unwrap(),
            b"ab  "
        );
        let compound = json!({"class": "H5T_COMPOUND", "fields": [
            {"name": "a", "type": "H5T_STD_U8LE"},
            {"name": "b", "type": {"class": "H5T_ARRAY", "base": "H5T_STD_I16LE", "dims": [2]}}]});
        assert_eq!(bytes(compound.clone(), json!([7, [1, -1]])).unwrap(), [7, 1, 0, 255, 255]);
        assert!(bytes(compound, json!([7])).is_err());
        let enumeration = json!({"class": "H5T_ENUM", "base": "H5T_STD_U8LE",
                                 "mapping": {"OFF": 0, "ON": 1}});
        assert_eq!(bytes(enumeration.clone(), json!("ON")).unwrap(), [1]);
        assert!(bytes(enumeration, json!("DIM")).is_err());
        assert!(
            bytes(json!({"class": "H5T_STRING", "length": "H5T_VARIABLE"}), json!("x")).is_err()
        );
    }
}
