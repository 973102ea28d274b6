//! Parts of a stored object read on its data node without moving the whole object: one member
//! (an attribute or a link by name), or its outline (everything but the attribute and link
//! tables, with their sizes). For a member,
//! The DN answers a link lookup in a small group with the whole group (which the SN caches for
//! following links) and anything else with the member alone, so a lookup in a group of thousands of
//! links, or an object with thousands of attributes, does not move and parse the whole object.

use serde_json::{json, Value};

use crate::server::error::{ApiError, ApiResult};

/// Groups up to this many stored bytes are answered whole.
pub const WHOLE_OBJECT_BYTES: usize = 64 * 1024;

/// Which table of an object a member lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Section {
    /// `attributes` (groups, datasets, committed datatypes).
    Attributes,
    /// `links` (groups).
    Links,
}

impl Section {
    /// The key of the table in the stored JSON.
    pub fn key(self) -> &'static str {
        match self {
            Section::Attributes => "attributes",
            Section::Links => "links",
        }
    }
}

/// What a member lookup found on the DN.
#[derive(Debug, Clone, PartialEq)]
pub enum MemberAnswer {
    /// The whole object (it is small).
    Whole(Value),
    /// Only the member: `None` when the object has no such member.
    Member(Option<Value>),
}

impl MemberAnswer {
    /// The answer for `name` in `section` of `object`: a small group whole (the SN keeps
    /// groups for following links), else the member alone.
    pub fn of(object: &Value, stored_bytes: usize, section: Section, name: &str) -> MemberAnswer {
        if section == Section::Links && stored_bytes <= WHOLE_OBJECT_BYTES {
            MemberAnswer::Whole(object.clone())
        } else {
            MemberAnswer::Member(member_of(object, section, name).cloned())
        }
    }

    /// The member itself, whichever way it came.
    pub fn into_member(self, section: Section, name: &str) -> Option<Value> {
        match self {
            MemberAnswer::Whole(object) => member_of(&object, section, name).cloned(),
            MemberAnswer::Member(member) => member,
        }
    }

    /// The form sent between SN and DN processes.
    pub fn to_wire(&self) -> Value {
        match self {
            MemberAnswer::Whole(object) => json!({ "whole": object }),
            MemberAnswer::Member(member) => json!({ "member": member }),
        }
    }

    /// Reads [`MemberAnswer::to_wire`]'s form.
    ///
    /// # Errors
    /// 500 for anything else.
    pub fn from_wire(value: Value) -> ApiResult<MemberAnswer> {
        let Value::Object(mut map) = value else {
            return Err(ApiError::internal("malformed member answer from a data node"));
        };
        if let Some(object) = map.remove("whole") {
            return Ok(MemberAnswer::Whole(object));
        }
        match map.remove("member") {
            Some(Value::Null) => Ok(MemberAnswer::Member(None)),
            Some(member) => Ok(MemberAnswer::Member(Some(member))),
            None => Err(ApiError::internal("malformed member answer from a data node")),
        }
    }
}

/// The key under which an outline gives the size of `section`'s table.
fn count_key(section: Section) -> &'static str {
    match section {
        Section::Attributes => "attributeCount",
        Section::Links => "linkCount",
    }
}

/// `object` without its `attributes` and `links` tables, with their sizes as
/// `attributeCount`/`linkCount` (what an object's GET answers from).
pub fn outline(object: &Value) -> Value {
    let Value::Object(map) = object else { return object.clone() };
    let mut out = serde_json::Map::new();
    for (key, value) in map {
        if key == "attributes" || key == "links" {
            continue;
        }
        out.insert(key.clone(), value.clone());
    }
    for section in [Section::Attributes, Section::Links] {
        if let Some(table) = map.get(section.key()).and_then(Value::as_object) {
            out.insert(count_key(section).into(), json!(table.len()));
        }
    }
    Value::Object(out)
}

/// The size of `section`'s table of a stored object or of its [`outline`].
pub fn table_size(object: &Value, section: Section) -> usize {
    match object.get(section.key()).and_then(Value::as_object) {
        Some(table) => table.len(),
        None => object
            .get(count_key(section))
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(0),
    }
}

/// `name` in `section` of `object`.
pub fn member_of<'a>(object: &'a Value, section: Section, name: &str) -> Option<&'a Value> {
    object.get(section.key()).and_then(|table| table.get(name))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn small_objects_are_answered_whole_large_ones_by_member() {
        let group =
            json!({"id": "g-1", "links": {"a": {"class": "H5L_TYPE_SOFT", "h5path": "/x"}}});
        let small = MemberAnswer::of(&group, 100, Section::Links, "a");
        assert_eq!(small, MemberAnswer::Whole(group.clone()));
        let large = MemberAnswer::of(&group, WHOLE_OBJECT_BYTES + 1, Section::Links, "a");
        assert_eq!(large, MemberAnswer::Member(Some(group["links"]["a"].clone())));
        let missing = MemberAnswer::of(&group, 100, Section::Attributes, "a");
        assert_eq!(missing, MemberAnswer::Member(None), "attributes never come whole");
        for answer in [small, large, missing] {
            let back = MemberAnswer::from_wire(answer.to_wire()).unwrap();
            assert_eq!(back, answer);
            assert_eq!(
                back.into_member(Section::Links, "a"),
                answer.clone().into_member(Section::Links, "a")
            );
        }
        assert!(MemberAnswer::from_wire(json!({"other": 1})).is_err());
        let outlined = outline(&group);
        assert_eq!(outlined, json!({"id": "g-1", "linkCount": 1}));
        assert_eq!(table_size(&outlined, Section::Links), 1);
        assert_eq!(table_size(&group, Section::Links), 1);
        assert_eq!(table_size(&outlined, Section::Attributes), 0);
        assert!(MemberAnswer::from_wire(json!([])).is_err());
    }
}
