//! The dataset fill value as one encoded element (see [`super::elements`]): read from
//! `creationProperties.fillValue`, either base64 bytes (`fillValue_encoding: "base64"`) or JSON.
//!
//! The JSON converter here covers what fill values are in practice (numbers for integer, float,
//! bitfield and enum types; strings; lists for compounds and arrays; lists of numbers for vlen).
//! Like HSDS (`getFillValue`: `if fill_value:`), a fill value that is zero reads as no fill.
//! When `model::values` lands, [`fill_element`] is the one place to switch over to it.

use base64::Engine;
use serde_json::Value;

use crate::model::{ByteOrder, Datatype, StringLength};

use super::elements::zero_element;
use super::error::ChunkError;

/// The fill element of a dataset of `datatype` with creation properties `cprops`; all zeros
/// (count 0 for vlen parts) when no fill value is set.
///
/// # Errors
/// [`ChunkError::BadDataset`] for a fill value that does not fit the type.
pub fn fill_element(datatype: &Datatype, cprops: Option<&Value>) -> Result<Vec<u8>, ChunkError> {
    let Some(fill) = cprops.and_then(|props| props.get("fillValue")).filter(|v| !v.is_null())
    else {
        return Ok(zero_element(datatype));
    };
    let encoding = cprops.and_then(|props| props.get("fillValue_encoding")).and_then(Value::as_str);
    if encoding == Some("base64") {
        let text =
            fill.as_str().ok_or_else(|| bad("a base64 fill value must be a string".into()))?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|err| bad(format!("fill value is not base64: {err}")))?;
        if let Some(size) = datatype.item_size().filter(|_| !datatype.is_variable()) {
            if u64::try_from(bytes.len()).ok() != Some(size) {
                return Err(bad(format!(
                    "base64 fill value has {} bytes, the type has {size}",
                    bytes.len()
                )));
            }
        }
        return Ok(bytes);
    }
    let mut out = Vec::new();
    encode_json(datatype, fill, &mut out)?;
    Ok(out)
}

fn bad(message: String) -> ChunkError {
    ChunkError::BadDataset(message)
}

fn mismatch(datatype: &Datatype, value: &Value) -> ChunkError {
    bad(format!("fill value {value} does not fit type {}", datatype.to_json()))
}

fn put_uint(out: &mut Vec<u8>, value: u128, size: usize, order: ByteOrder) {
    let le = value.to_le_bytes();
    let bytes = le.get(..size).unwrap_or(&le);
    match order {
        ByteOrder::Little => out.extend_from_slice(bytes),
        ByteOrder::Big => out.extend(bytes.iter().rev()),
    }
}

fn encode_int(value: &Value, size: u8, order: ByteOrder, out: &mut Vec<u8>) -> Option<()> {
    let number: i128 = match value {
        Value::Number(n) => n
            .as_i64()
            .map(i128::from)
            .or_else(|| n.as_u64().map(i128::from))
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i128))?,
        Value::Bool(b) => i128::from(*b),
        _ => return None,
    };
    put_uint(out, number as u128, usize::from(size), order);
    Some(())
}

fn encode_float(value: &Value, size: u8, order: ByteOrder, out: &mut Vec<u8>) -> Option<()> {
    let number = match value {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => match s.as_str() {
            "nan" | "NaN" => f64::NAN,
            "inf" | "Infinity" => f64::INFINITY,
            "-inf" | "-Infinity" => f64::NEG_INFINITY,
            _ => return None,
        },
        _ => return None,
    };
    match size {
        4 => put_uint(out, u128::from((number as f32).to_bits()), 4, order),
        8 => put_uint(out, u128::from(number.to_bits()), 8, order),
        _ => return None,
    }
    Some(())
}

fn encode_json(datatype: &Datatype, value: &Value, out: &mut Vec<u8>) -> Result<(), ChunkError> {
    let fail = || mismatch(datatype, value);
    match datatype {
        Datatype::Integer(int) => encode_int(value, int.size, int.order, out).ok_or_else(fail),
        Datatype::Bitfield(bits) => encode_int(value, bits.size, bits.order, out).ok_or_else(fail),
        Datatype::Enum { base, .. } => {
            encode_int(value, base.size, base.order, out).ok_or_else(fail)
        }
        Datatype::Float(float) => {
            encode_float(value, float.size, float.order, out).ok_or_else(fail)
        }
        Datatype::String(string) => {
            let text = value.as_str().ok_or_else(fail)?;
            match string.length {
                StringLength::Fixed(n) => {
                    let n = usize::try_from(n).map_err(|_| fail())?;
                    let mut bytes = text.as_bytes().to_vec();
                    bytes.resize(n, 0);
                    out.extend_from_slice(&bytes);
                }
                StringLength::Variable => push_vlen(out, text.as_bytes())?,
            }
            Ok(())
        }
        Datatype::Compound(fields) => {
            let items: Vec<&Value> = match value {
                Value::Array(items) => items.iter().collect(),
                Value::Object(map) => {
                    fields.iter().filter_map(|field| map.get(&field.name)).collect()
                }
                _ => return Err(fail()),
            };
            if items.len() != fields.len() {
                return Err(fail());
            }
            for (field, item) in fields.iter().zip(items) {
                encode_json(&field.datatype, item, out)?;
            }
            Ok(())
        }
        Datatype::Array { base, dims } => {
            let count = usize::try_from(dims.iter().product::<u64>()).map_err(|_| fail())?;
            let flat = flatten(value);
            match flat.as_slice() {
                [single] if count > 1 => {
                    for _ in 0..count {
                        encode_json(base, single, out)?;
                    }
                }
                items if items.len() == count => {
                    for item in items {
                        encode_json(base, item, out)?;
                    }
                }
                _ => return Err(fail()),
            }
            Ok(())
        }
        Datatype::Vlen(base) => {
            let mut body = Vec::new();
            for item in flatten(value) {
                encode_json(base, item, &mut body)?;
            }
            push_vlen(out, &body)
        }
        Datatype::Opaque { .. } | Datatype::Reference(_) | Datatype::Committed(_) => {
            Err(bad(format!(
                "JSON fill values for type {} need fillValue_encoding base64",
                datatype.to_json()
            )))
        }
        Datatype::CommittedCopy { datatype, .. } => encode_json(datatype, value, out),
    }
}

fn push_vlen(out: &mut Vec<u8>, body: &[u8]) -> Result<(), ChunkError> {
    let count = i32::try_from(body.len()).map_err(|_| ChunkError::TooLarge)?;
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(body);
    Ok(())
}

fn flatten(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(items) => items.iter().flat_map(flatten).collect(),
        other => vec![other],
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    fn dtype(value: Value) -> Datatype {
        Datatype::from_json(&value).unwrap()
    }

    #[test]
    fn json_and_base64_fill_values() {
        let i32be = dtype(json!("H5T_STD_I32BE"));
        assert_eq!(fill_element(&i32be, None).unwrap(), [0; 4]);
        let props = json!({"fillValue": -2});
        assert_eq!(fill_element(&i32be, Some(&props)).unwrap(), [255, 255, 255, 254]);
        let f64le = dtype(json!("H5T_IEEE_F64LE"));
        let props = json!({"fillValue": 1.5});
        assert_eq!(fill_element(&f64le, Some(&props)).unwrap(), 1.5_f64.to_le_bytes());
        let props = json!({"fillValue": "nan"});
        assert!(f64::from_le_bytes(
            fill_element(&f64le, Some(&props)).unwrap().try_into().unwrap()
        )
        .is_nan());
        let b64 = base64::engine::general_purpose::STANDARD.encode(7.25_f64.to_le_bytes());
        let props = json!({"fillValue": b64, "fillValue_encoding": "base64"});
        assert_eq!(fill_element(&f64le, Some(&props)).unwrap(), 7.25_f64.to_le_bytes());
        let short = json!({"fillValue": "AAA=", "fillValue_encoding": "base64"});
        assert!(fill_element(&f64le, Some(&short)).is_err());
    }

    #[test]
    fn compound_string_and_vlen_fill_values() {
        let comp = dtype(json!({"class":"H5T_COMPOUND","fields":[
            {"name":"a","type":"H5T_STD_U8LE"},
            {"name":"s","type":{"class":"H5T_STRING","length":3,"charSet":"H5T_CSET_ASCII","strPad":"H5T_STR_NULLPAD"}}]}));
        let props = json!({"fillValue": [9, "ab"]});
        assert_eq!(fill_element(&comp, Some(&props)).unwrap(), [9, b'a', b'b', 0]);
        let vstr =
            dtype(json!({"class":"H5T_STRING","charSet":"H5T_CSET_UTF8","length":"H5T_VARIABLE"}));
        let props = json!({"fillValue": "hi"});
        assert_eq!(fill_element(&vstr, Some(&props)).unwrap(), [2, 0, 0, 0, b'h', b'i']);
        assert_eq!(fill_element(&vstr, None).unwrap(), [0; 4]);
        let bad_props = json!({"fillValue": "x"});
        assert!(fill_element(&dtype(json!("H5T_STD_I8LE")), Some(&bad_props)).is_err());
    }
}
