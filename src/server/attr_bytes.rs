//! Packed bytes ↔ JSON for attribute values of simple fixed types (integers, floats, fixed
//! strings, in either byte order; references as their 48-byte text): what `encoding=base64` and binary
//! `…/attributes/{name}/value` need. Other types answer `None` (the caller reports 400).

use serde_json::{json, Value};

use crate::model::{ByteOrder, Datatype, StringLength};

fn flatten<'a>(value: &'a Value, out: &mut Vec<&'a Value>) {
    match value {
        Value::Array(items) => items.iter().for_each(|item| flatten(item, out)),
        other => out.push(other),
    }
}

fn ordered(mut bytes: Vec<u8>, order: ByteOrder) -> Vec<u8> {
    if order == ByteOrder::Big {
        bytes.reverse();
    }
    bytes
}

/// Packs a JSON value (nested lists or a scalar) of `datatype` into bytes.
pub fn json_to_bytes(datatype: &Datatype, value: &Value) -> Option<Vec<u8>> {
    let mut items = Vec::new();
    flatten(value, &mut items);
    let mut out = Vec::new();
    for item in items {
        match datatype {
            Datatype::Integer(int) => {
                let size = usize::from(int.size);
                let le = if let Some(v) = item.as_i64() {
                    v.to_le_bytes().to_vec()
                } else if let Some(v) = item.as_u64() {
                    v.to_le_bytes().to_vec()
                } else if let Some(v) = item.as_bool() {
                    i64::from(v).to_le_bytes().to_vec()
                } else {
                    return None;
                };
                out.extend(ordered(le.get(..size)?.to_vec(), int.order));
            }
            Datatype::Float(float) => {
                let v = match item {
                    Value::String(s) if s.eq_ignore_ascii_case("nan") => f64::NAN,
                    Value::String(s) if s.eq_ignore_ascii_case("inf") => f64::INFINITY,
                    Value::String(s) if s.eq_ignore_ascii_case("-inf") => f64::NEG_INFINITY,
                    other => other.as_f64()?,
                };
                let le = match float.size {
                    4 => (v as f32).to_le_bytes().to_vec(),
                    8 => v.to_le_bytes().to_vec(),
                    _ => return None,
                };
                out.extend(ordered(le, float.order));
            }
            Datatype::String(string) => {
                let StringLength::Fixed(length) = string.length else { return None };
                let mut bytes = item.as_str()?.as_bytes().to_vec();
                bytes.resize(usize::try_from(length).ok()?, 0);
                out.extend(bytes);
            }
            Datatype::Reference(_) => {
                // A null-padded `<collection>/<id>` text (`""` for a null reference).
                let mut bytes = item.as_str()?.as_bytes().to_vec();
                let size = usize::try_from(crate::model::types::REFERENCE_ITEM_SIZE).ok()?;
                if bytes.len() > size {
                    return None;
                }
                bytes.resize(size, 0);
                out.extend(bytes);
            }
            _ => return None,
        }
    }
    Some(out)
}

fn reshape(flat: Vec<Value>, dims: &[u64]) -> Value {
    match dims.split_first() {
        None => flat.into_iter().next().unwrap_or(Value::Null),
        Some((_, [])) => Value::Array(flat),
        Some((_, rest)) => {
            let inner: u64 = rest.iter().product();
            let inner = usize::try_from(inner.max(1)).unwrap_or(1);
            let chunks: Vec<Value> =
                flat.chunks(inner).map(|c| reshape(c.to_vec(), rest)).collect();
            Value::Array(chunks)
        }
    }
}

/// Unpacks bytes of `datatype` into JSON shaped by `dims` (empty = scalar).
pub fn bytes_to_json(datatype: &Datatype, bytes: &[u8], dims: &[u64]) -> Option<Value> {
    let size = usize::try_from(datatype.item_size()?).ok()?;
    if size == 0 || !bytes.len().is_multiple_of(size) {
        return None;
    }
    let mut flat = Vec::new();
    for raw in bytes.chunks(size) {
        let item = match datatype {
            Datatype::Integer(int) => {
                let mut le = ordered(raw.to_vec(), int.order);
                let negative = int.signed && le.last().is_some_and(|b| b & 0x80 != 0);
                le.resize(8, if negative { 0xff } else { 0 });
                let word: [u8; 8] = le.try_into().ok()?;
                if int.signed {
                    json!(i64::from_le_bytes(word))
                } else {
                    json!(u64::from_le_bytes(word))
                }
            }
            Datatype::Float(float) => {
                let le = ordered(raw.to_vec(), float.order);
                let v = match float.size {
                    4 => f64::from(f32::from_le_bytes(le.try_into().ok()?)),
                    8 => f64::from_le_bytes(le.try_into().ok()?),
                    _ => return None,
                };
                if v.is_finite() {
                    json!(v)
                } else if v.is_nan() {
                    json!("NaN")
                } else if v > 0.0 {
                    json!("Infinity")
                } else {
                    json!("-Infinity")
                }
            }
            Datatype::String(_) | Datatype::Reference(_) => {
                let end = raw.iter().position(|b| *b == 0).unwrap_or(raw.len());
                json!(String::from_utf8_lossy(&raw[..end]))
            }
            _ => return None,
        };
        flat.push(item);
    }
    Some(reshape(flat, dims))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trips() {
        let i16be = Datatype::from_json(&json!("H5T_STD_I16BE")).unwrap();
        let bytes = json_to_bytes(&i16be, &json!([[1, -2], [3, 4]])).unwrap();
        assert_eq!(bytes, vec![0, 1, 0xff, 0xfe, 0, 3, 0, 4]);
        assert_eq!(bytes_to_json(&i16be, &bytes, &[2, 2]).unwrap(), json!([[1, -2], [3, 4]]));
        let f32le = Datatype::from_json(&json!("H5T_IEEE_F32LE")).unwrap();
        let bytes = json_to_bytes(&f32le, &json!(1.5)).unwrap();
        assert_eq!(bytes_to_json(&f32le, &bytes, &[]).unwrap(), json!(1.5));
        let s = Datatype::from_json(&json!({"class": "H5T_STRING", "charSet": "H5T_CSET_ASCII", "strPad": "H5T_STR_NULLPAD", "length": 4})).unwrap();
        let bytes = json_to_bytes(&s, &json!(["ab", "cdef"])).unwrap();
        assert_eq!(bytes, b"ab\0\0cdef");
        assert_eq!(bytes_to_json(&s, &bytes, &[2]).unwrap(), json!(["ab", "cdef"]));
    }

    #[test]
    fn references_are_48_byte_texts() {
        let r = Datatype::from_json(&json!({"class": "H5T_REFERENCE", "base": "H5T_STD_REF_OBJ"}))
            .unwrap();
        let refs = json!(["groups/g-12345678-12345678-1234-123456-123456", ""]);
        let bytes = json_to_bytes(&r, &refs).unwrap();
        assert_eq!(bytes.len(), 96);
        assert_eq!(&bytes[..7], b"groups/");
        assert!(bytes[48..].iter().all(|b| *b == 0));
        assert_eq!(bytes_to_json(&r, &bytes, &[2]).unwrap(), refs);
        assert!(json_to_bytes(&r, &json!("x".repeat(49))).is_none());
    }
}
