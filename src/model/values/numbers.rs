//! Numbers in packed values: JSON → integer/float bytes in either byte order (with range checks
//! and numpy's lenient forms), bytes → numbers, and IEEE half precision conversion.

use serde_json::Value;

use super::value_error;
use crate::model::error::ModelResult;
use crate::model::types::{ByteOrder, FloatType, IntegerType};

/// Appends the low `size` bytes of `v` (two's complement) in `order`.
pub(super) fn put_int(out: &mut Vec<u8>, v: i128, size: usize, order: ByteOrder) {
    let le = v.to_le_bytes();
    let bytes = &le[..size.min(16)];
    match order {
        ByteOrder::Little => out.extend_from_slice(bytes),
        ByteOrder::Big => out.extend(bytes.iter().rev()),
    }
}

/// Reads a `size`-byte integer in `order`.
pub(super) fn get_int(bytes: &[u8], signed: bool, order: ByteOrder) -> i128 {
    let mut le: Vec<u8> = bytes.to_vec();
    if order == ByteOrder::Big {
        le.reverse();
    }
    let negative = signed && le.last().is_some_and(|b| b & 0x80 != 0);
    let mut buf = if negative { [0xffu8; 16] } else { [0u8; 16] };
    buf[..le.len().min(16)].copy_from_slice(&le[..le.len().min(16)]);
    i128::from_le_bytes(buf)
}

/// A JSON value as an integer the way numpy assigns it: integers, integral-or-not floats
/// (truncated toward zero), booleans and decimal strings.
pub(super) fn json_to_int(v: &Value) -> ModelResult<i128> {
    match v {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Ok(i128::from(i))
            } else if let Some(u) = n.as_u64() {
                Ok(i128::from(u))
            } else {
                let f = n.as_f64().unwrap_or(f64::NAN);
                if f.is_finite() && f.abs() < 1e38 {
                    Ok(f.trunc() as i128)
                } else {
                    Err(value_error(format!("{v} is not an integer")))
                }
            }
        }
        Value::Bool(b) => Ok(i128::from(*b)),
        Value::String(s) => {
            s.trim().parse::<i128>().map_err(|_| value_error(format!("\"{s}\" is not an integer")))
        }
        other => Err(value_error(format!("expected an integer, got {other}"))),
    }
}

/// Encodes an integer after checking it fits `t`.
pub(super) fn put_checked_int(out: &mut Vec<u8>, v: i128, t: &IntegerType) -> ModelResult<()> {
    let (lo, hi) = t.value_range();
    if v < lo || v > hi {
        return Err(value_error(format!(
            "integer {v} is out of range for {} ({lo}..={hi})",
            t.base_name()
        )));
    }
    put_int(out, v, usize::from(t.size), t.order);
    Ok(())
}

/// A JSON value as a float: numbers, booleans, `null` (NaN, as numpy does) and the strings
/// `NaN`, `Infinity`, `-Infinity`, `inf`, `-inf` or any decimal text.
pub(super) fn json_to_float(v: &Value) -> ModelResult<f64> {
    match v {
        Value::Number(n) => n.as_f64().ok_or_else(|| value_error(format!("{v} is not a number"))),
        Value::Bool(b) => Ok(if *b { 1.0 } else { 0.0 }),
        Value::Null => Ok(f64::NAN),
        Value::String(s) => {
            let t = s.trim();
            match t.to_ascii_lowercase().as_str() {
                "nan" | "+nan" | "-nan" => Ok(f64::NAN),
                "inf" | "+inf" | "infinity" | "+infinity" => Ok(f64::INFINITY),
                "-inf" | "-infinity" => Ok(f64::NEG_INFINITY),
                _ => t.parse::<f64>().map_err(|_| value_error(format!("\"{s}\" is not a number"))),
            }
        }
        other => Err(value_error(format!("expected a number, got {other}"))),
    }
}

/// Appends `x` as a float of type `t`.
pub(super) fn put_float(out: &mut Vec<u8>, x: f64, t: &FloatType) {
    let bits: u64 = match t.size {
        2 => u64::from(f64_to_f16(x)),
        4 => u64::from((x as f32).to_bits()),
        _ => x.to_bits(),
    };
    put_int(out, i128::from(bits), usize::from(t.size), t.order);
}

/// Reads a float of type `t`.
pub(super) fn get_float(bytes: &[u8], t: &FloatType) -> f64 {
    let bits = get_int(bytes, false, t.order) as u64;
    match t.size {
        2 => f16_to_f64(bits as u16),
        4 => f64::from(f32::from_bits(bits as u32)),
        _ => f64::from_bits(bits),
    }
}

/// Rounds `x` to the nearest IEEE binary16 (ties to even), returning its bits.
pub fn f64_to_f16(x: f64) -> u16 {
    let bits = x.to_bits();
    let sign = ((bits >> 63) as u16) << 15;
    if x.is_nan() {
        return sign | 0x7e00;
    }
    let biased = ((bits >> 52) & 0x7ff) as i64;
    if biased == 0 {
        return sign; // f64 zero or subnormal: far below half's range
    }
    let exp = biased - 1023;
    let mant = (bits & ((1u64 << 52) - 1)) | (1u64 << 52);
    if exp > 15 {
        return sign | 0x7c00;
    }
    let round = |m: u64, shift: u32| -> u64 {
        if shift >= 64 {
            return 0;
        }
        let q = m >> shift;
        let rem = m & ((1u64 << shift) - 1);
        let half = 1u64 << (shift - 1);
        if rem > half || (rem == half && q & 1 == 1) {
            q + 1
        } else {
            q
        }
    };
    if exp >= -14 {
        let mut m = round(mant, 42);
        let mut e = exp + 15;
        if m == 1 << 11 {
            m >>= 1;
            e += 1;
        }
        if e >= 31 {
            return sign | 0x7c00;
        }
        sign | ((e as u16) << 10) | (m as u16 & 0x3ff)
    } else {
        let shift = u32::try_from(28 - exp).unwrap_or(u32::MAX);
        sign | round(mant, shift) as u16
    }
}

/// The value of IEEE binary16 bits.
pub fn f16_to_f64(h: u16) -> f64 {
    let sign = if h & 0x8000 != 0 { -1.0 } else { 1.0 };
    let e = i32::from((h >> 10) & 0x1f);
    let m = f64::from(h & 0x3ff);
    sign * match e {
        0 => m * 2f64.powi(-24),
        31 if m == 0.0 => f64::INFINITY,
        31 => f64::NAN,
        _ => (1.0 + m / 1024.0) * 2f64.powi(e - 15),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_precision_matches_ieee() {
        for (x, bits) in [
            (0.0, 0x0000u16),
            (-0.0, 0x8000),
            (1.0, 0x3c00),
            (-2.0, 0xc000),
            (65504.0, 0x7bff),
            (65520.0, 0x7c00),
            (1e6, 0x7c00),
            (0.1, 0x2e66),
            (6.103515625e-05, 0x0400),
            (5.960464477539063e-08, 0x0001),
            (2.9802322387695312e-08, 0x0000),
            (f64::INFINITY, 0x7c00),
            (f64::NEG_INFINITY, 0xfc00),
            (1.0009765625, 0x3c01),
            (1.00048828125, 0x3c00), // tie rounds to even
        ] {
            assert_eq!(f64_to_f16(x), bits, "{x}");
        }
        assert!(f16_to_f64(0x7e00).is_nan());
        for bits in [0x0001u16, 0x03ff, 0x0400, 0x3c00, 0x7bff, 0xc000, 0x2e66] {
            assert_eq!(f64_to_f16(f16_to_f64(bits)), bits);
        }
    }

    #[test]
    fn integers_in_both_orders() {
        let mut out = Vec::new();
        put_int(&mut out, -2, 2, ByteOrder::Big);
        put_int(&mut out, 258, 4, ByteOrder::Little);
        assert_eq!(out, [0xff, 0xfe, 2, 1, 0, 0]);
        assert_eq!(get_int(&out[..2], true, ByteOrder::Big), -2);
        assert_eq!(get_int(&out[..2], false, ByteOrder::Big), 65534);
        assert_eq!(get_int(&out[2..], true, ByteOrder::Little), 258);
    }
}
