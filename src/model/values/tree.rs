//! [`ValueTree`]: a decoded value before it becomes JSON. It keeps NaN and ±Infinity, which
//! `serde_json::Value` cannot hold, so responses can be written the way HSDS writes them
//! (Python's `NaN`, `Infinity`, `-Infinity` literals) or with `ignore_nan` (as `null`).

use serde_json::{Number, Value};

/// A decoded JSON value whose floats may be non-finite.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueTree {
    /// `null`.
    Null,
    /// `true`/`false` (boolean enums).
    Bool(bool),
    /// Any integer up to 64 bits, signed or not.
    Int(i128),
    /// A float, possibly NaN or infinite.
    Float(f64),
    /// A string.
    Str(String),
    /// A list (dimension, compound element, array, vlen sequence).
    List(Vec<ValueTree>),
}

impl ValueTree {
    /// The JSON value; non-finite floats become `null` (JSON has no NaN). Use
    /// [`ValueTree::to_json_text`] to keep them as HSDS does.
    pub fn to_value(&self) -> Value {
        match self {
            ValueTree::Null => Value::Null,
            ValueTree::Bool(b) => Value::Bool(*b),
            ValueTree::Int(i) => {
                if let Ok(v) = i64::try_from(*i) {
                    Value::Number(v.into())
                } else if let Ok(v) = u64::try_from(*i) {
                    Value::Number(v.into())
                } else {
                    Value::Null
                }
            }
            ValueTree::Float(f) => Number::from_f64(*f).map(Value::Number).unwrap_or(Value::Null),
            ValueTree::Str(s) => Value::String(s.clone()),
            ValueTree::List(items) => Value::Array(items.iter().map(ValueTree::to_value).collect()),
        }
    }

    /// JSON text as HSDS writes it (`simplejson.dumps(allow_nan=True)`): NaN, Infinity and
    /// -Infinity as bare literals, or `null` when `ignore_nan` is set.
    pub fn to_json_text(&self, ignore_nan: bool) -> String {
        let mut out = String::new();
        self.write_text(&mut out, ignore_nan);
        out
    }

    fn write_text(&self, out: &mut String, ignore_nan: bool) {
        match self {
            ValueTree::Float(f) if !f.is_finite() => out.push_str(if ignore_nan {
                "null"
            } else if f.is_nan() {
                "NaN"
            } else if *f > 0.0 {
                "Infinity"
            } else {
                "-Infinity"
            }),
            ValueTree::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write_text(out, ignore_nan);
                }
                out.push(']');
            }
            ValueTree::Int(i) => out.push_str(&i.to_string()),
            other => out.push_str(&other.to_value().to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_floats_as_hsds_writes_them() {
        let t = ValueTree::List(vec![
            ValueTree::Float(f64::NAN),
            ValueTree::Float(f64::INFINITY),
            ValueTree::Float(f64::NEG_INFINITY),
            ValueTree::Float(1.5),
            ValueTree::Int(u64::MAX.into()),
            ValueTree::Str("a\"b".into()),
            ValueTree::Bool(true),
            ValueTree::Null,
        ]);
        assert_eq!(
            t.to_json_text(false),
            r#"[NaN, Infinity, -Infinity, 1.5, 18446744073709551615, "a\"b", true, null]"#
        );
        assert_eq!(
            t.to_json_text(true),
            r#"[null, null, null, 1.5, 18446744073709551615, "a\"b", true, null]"#
        );
        assert_eq!(
            t.to_value(),
            serde_json::json!([null, null, null, 1.5, 18446744073709551615u64, "a\"b", true, null])
        );
    }
}
