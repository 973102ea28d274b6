//! Values against hand-written expected bytes.

use serde_json::{json, Value};

use super::*;

fn dt(v: Value) -> Datatype {
    Datatype::from_json(&v).unwrap()
}

fn round_trip(t: &Datatype, dims: &[u64], v: Value, bytes: &[u8]) {
    assert_eq!(json_to_bytes(t, dims, &v).unwrap(), bytes, "encode {v}");
    assert_eq!(bytes_to_json(t, dims, bytes).unwrap(), v, "decode {v}");
}

fn err(t: &Datatype, dims: &[u64], v: Value) -> String {
    let e = json_to_bytes(t, dims, &v).unwrap_err();
    assert_eq!(e.http_status(), 400);
    e.to_string()
}

#[test]
fn integers_nested_by_shape_in_both_orders() {
    let t = dt(json!("H5T_STD_I16BE"));
    round_trip(&t, &[2, 2], json!([[1, -2], [256, 3]]), &[0, 1, 0xff, 0xfe, 1, 0, 0, 3]);
    let t = dt(json!("H5T_STD_U32LE"));
    round_trip(&t, &[], json!(7), &[7, 0, 0, 0]);
    round_trip(
        &t,
        &[3],
        json!([1, 2, 4294967295u64]),
        &[1, 0, 0, 0, 2, 0, 0, 0, 255, 255, 255, 255],
    );
    let t = dt(json!("H5T_STD_U64LE"));
    round_trip(&t, &[1], json!([u64::MAX]), &[255; 8]);
}

#[test]
fn lenient_forms_numpy_accepts() {
    let t = dt(json!("H5T_STD_I32LE"));
    // flat list for a 2-D shape, [v] for a scalar, bare v for one element
    assert_eq!(json_to_bytes(&t, &[2, 1], &json!([1, 2])).unwrap(), [1, 0, 0, 0, 2, 0, 0, 0]);
    assert_eq!(json_to_bytes(&t, &[], &json!([5])).unwrap(), [5, 0, 0, 0]);
    assert_eq!(json_to_bytes(&t, &[1], &json!(5)).unwrap(), [5, 0, 0, 0]);
    assert_eq!(json_to_bytes(&t, &[2], &json!([1.9, true])).unwrap(), [1, 0, 0, 0, 1, 0, 0, 0]);
    assert_eq!(json_to_bytes(&t, &[2], &json!([null, null])).unwrap(), [0; 8]);
}

#[test]
fn precise_errors() {
    let t = dt(json!("H5T_STD_U8LE"));
    assert!(err(&t, &[2], json!([1, 256])).contains("out of range"));
    assert!(err(&t, &[2], json!([1, -1])).contains("out of range"));
    assert!(err(&t, &[3], json!([1, 2])).contains("dimension 0 needs 3 items, got 2"));
    assert!(err(&t, &[2, 2], json!([[1, 2], [3]])).contains("dimension 1 needs 2 items, got 1"));
    assert!(err(&t, &[2], json!(["x", 1])).contains("\"x\" is not an integer"));
    assert!(err(&t, &[2], json!([{}, 1])).contains("expected an integer"));
    let f = dt(json!("H5T_IEEE_F32LE"));
    assert!(err(&f, &[1], json!(["abc"])).contains("not a number"));
    assert!(err(&f, &[], Value::Null).contains("null"));
    let c = dt(json!({"class": "H5T_COMPOUND", "fields": [
        {"name": "a", "type": "H5T_STD_I8LE"}, {"name": "b", "type": "H5T_STD_I8LE"}]}));
    assert!(err(&c, &[1], json!([[1, 2, 3]])).contains("needs 2 values"));
    let e = bytes_to_json(&t, &[3], &[1, 2]).unwrap_err();
    assert!(e.to_string().contains("2 bytes, expected 3 elements"), "{e}");
}

#[test]
fn floats_half_single_double_and_non_finite() {
    let t = dt(json!("H5T_IEEE_F16LE"));
    round_trip(&t, &[3], json!([1.0, -2.0, 0.5]), &[0, 0x3c, 0, 0xc0, 0, 0x38]);
    let t = dt(json!("H5T_IEEE_F64BE"));
    round_trip(&t, &[], json!(1.5), &[0x3f, 0xf8, 0, 0, 0, 0, 0, 0]);
    let t = dt(json!("H5T_IEEE_F32LE"));
    let bytes = json_to_bytes(&t, &[4], &json!(["NaN", "Infinity", "-inf", null])).unwrap();
    assert_eq!(&bytes[4..8], &f32::INFINITY.to_le_bytes());
    assert_eq!(
        bytes_to_json_text(&t, &[4], &bytes, false).unwrap(),
        "[NaN, Infinity, -Infinity, NaN]"
    );
    assert_eq!(bytes_to_json_text(&t, &[4], &bytes, true).unwrap(), "[null, null, null, null]");
    let bytes = json_to_bytes(&t, &[1], &json!([0.1])).unwrap();
    assert_eq!(bytes_to_json(&t, &[1], &bytes).unwrap(), json!([0.10000000149011612]));
}

#[test]
fn strings_fixed_and_variable() {
    let fixed = dt(json!({"class": "H5T_STRING", "charSet": "H5T_CSET_ASCII",
        "strPad": "H5T_STR_NULLPAD", "length": 4}));
    round_trip(&fixed, &[2], json!(["ab", "wxyz"]), b"ab\0\0wxyz");
    assert_eq!(json_to_bytes(&fixed, &[], &json!("toolong")).unwrap(), b"tool");
    let utf8 = dt(json!({"class": "H5T_STRING", "charSet": "H5T_CSET_UTF8",
        "strPad": "H5T_STR_NULLTERM", "length": "H5T_VARIABLE"}));
    round_trip(&utf8, &[2], json!(["é", ""]), b"\x02\0\0\0\xc3\xa9\0\0\0\0");
    round_trip(&utf8, &[], json!("hi"), b"\x02\0\0\0hi");
}

#[test]
fn compound_enum_array_vlen_opaque_reference() {
    let c = dt(json!({"class": "H5T_COMPOUND", "fields": [
        {"name": "x", "type": "H5T_STD_I16LE"},
        {"name": "s", "type": {"class": "H5T_STRING", "charSet": "H5T_CSET_ASCII",
            "strPad": "H5T_STR_NULLTERM", "length": "H5T_VARIABLE"}},
        {"name": "f", "type": "H5T_IEEE_F32BE"}]}));
    round_trip(&c, &[1], json!([[3, "ab", 1.0]]), b"\x03\0\x02\0\0\0ab\x3f\x80\0\0");
    let e =
        dt(json!({"class": "H5T_ENUM", "base": {"class": "H5T_INTEGER", "base": "H5T_STD_I16BE"},
        "mapping": {"SOLID": 0, "LIQUID": 1, "GAS": 2}}));
    round_trip(&e, &[3], json!([2, 0, 1]), &[0, 2, 0, 0, 0, 1]);
    assert_eq!(json_to_bytes(&e, &[], &json!("GAS")).unwrap(), [0, 2]);
    let b =
        dt(json!({"class": "H5T_ENUM", "base": {"class": "H5T_INTEGER", "base": "H5T_STD_I8LE"},
        "mapping": {"FALSE": 0, "TRUE": 1}}));
    round_trip(&b, &[2], json!([true, false]), &[1, 0]);
    assert_eq!(json_to_bytes(&b, &[3], &json!([42, 0, 1])).unwrap(), [1, 0, 1]);
    let u =
        dt(json!({"class": "H5T_ENUM", "base": {"class": "H5T_INTEGER", "base": "H5T_STD_U8LE"},
        "mapping": {"FALSE": 0, "TRUE": 1}}));
    round_trip(&u, &[2], json!([1, 0]), &[1, 0]);
    let a = dt(json!({"class": "H5T_ARRAY", "base": "H5T_STD_U8LE", "dims": [2, 2]}));
    round_trip(&a, &[2], json!([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]), &[1, 2, 3, 4, 5, 6, 7, 8]);
    let v = dt(json!({"class": "H5T_VLEN", "base": "H5T_STD_I32LE", "size": "H5T_VARIABLE"}));
    round_trip(&v, &[2], json!([[1, 2], 0]), b"\x08\0\0\0\x01\0\0\0\x02\0\0\0\0\0\0\0");
    assert_eq!(json_to_bytes(&v, &[1], &json!([[]])).unwrap(), [0; 4]);
    let o = dt(json!({"class": "H5T_OPAQUE", "size": 3, "tag": ""}));
    round_trip(&o, &[2], json!(["AQID", ""]), &[1, 2, 3, 0, 0, 0]);
    let r = dt(json!({"class": "H5T_REFERENCE", "base": "H5T_STD_REF_OBJ"}));
    let id = "groups/g-12345678-1234-1234-1234-1234567890ab";
    let mut bytes = id.as_bytes().to_vec();
    bytes.resize(48, 0);
    bytes.extend([0u8; 48]);
    round_trip(&r, &[2], json!([id, ""]), &bytes);
    let long = format!("{id}-too-long-for-48");
    assert!(err(&r, &[1], json!([long])).contains("does not fit in 48 bytes"));
}

#[test]
fn base64_and_fill_values() {
    let t = dt(json!("H5T_STD_I32LE"));
    assert_eq!(base64_to_bytes(&t, 2, "AQAAAAIAAAA=").unwrap(), [1, 0, 0, 0, 2, 0, 0, 0]);
    assert_eq!(bytes_to_base64(&[1, 0, 0, 0, 2, 0, 0, 0]), "AQAAAAIAAAA=");
    assert!(base64_to_bytes(&t, 3, "AQAAAAIAAAA=").is_err());
    assert!(base64_to_bytes(&t, 1, "!!").is_err());
    let s = dt(json!({"class": "H5T_STRING", "charSet": "H5T_CSET_UTF8",
        "strPad": "H5T_STR_NULLTERM", "length": "H5T_VARIABLE"}));
    assert!(base64_to_bytes(&s, 1, "AA==").unwrap_err().to_string().contains("fixed-length"));
    assert_eq!(fill_value_bytes(&t, None).unwrap(), None);
    assert_eq!(
        fill_value_bytes(&t, Some(&json!({"fillValue": 42}))).unwrap(),
        Some(vec![42, 0, 0, 0])
    );
    assert_eq!(
        fill_value_bytes(
            &t,
            Some(&json!({"fillValue": "KgAAAA==", "fillValue_encoding": "base64"}))
        )
        .unwrap(),
        Some(vec![42, 0, 0, 0])
    );
    assert!(
        fill_value_bytes(&t, Some(&json!({"fillValue": 1, "fillValue_encoding": "hex"}))).is_err()
    );
    let c = dt(json!({"class": "H5T_COMPOUND", "fields": [
        {"name": "a", "type": "H5T_STD_U8LE"}, {"name": "b", "type": "H5T_IEEE_F32LE"}]}));
    assert_eq!(
        fill_value_bytes(&c, Some(&json!({"fillValue": [7, 1.0]}))).unwrap(),
        Some(vec![7, 0, 0, 0x80, 0x3f])
    );
}

#[test]
fn truncated_and_trailing_binary_are_errors() {
    let v = dt(json!({"class": "H5T_VLEN", "base": "H5T_STD_U8LE", "size": "H5T_VARIABLE"}));
    assert!(bytes_to_json(&v, &[1], b"\x05\0\0\0ab").is_err());
    assert!(bytes_to_json(&v, &[1], b"\x01\0\0\0ab").is_err());
    assert!(bytes_to_json(&v, &[1], b"\xff\xff\xff\xff").is_err());
}

#[test]
fn region_references_are_variable_length_bytes() {
    // HSDS 1.0.2: `<int32 count><bytes>` per element; unbound (null) is count 0.
    let t = dt(json!({"class": "H5T_REFERENCE", "base": "H5T_STD_REF_DSETREG"}));
    round_trip(&t, &[2], json!([null, null]), &[0; 8]);
    assert_eq!(json_to_bytes(&t, &[1], &json!([""])).unwrap(), [0; 4]);
    assert!(err(&t, &[1], json!([{"id": "x"}])).contains("binary only"));
    let bound = [&5i32.to_le_bytes()[..], b"HRRF\x01"].concat();
    let e = bytes_to_json(&t, &[1], &bound).unwrap_err();
    assert!(e.to_string().contains("binary only"), "{e}");
    assert!(bytes_to_json(&t, &[1], &bound[..6]).is_err());
}
