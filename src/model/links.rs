//! Links of a group (reference sections 1.5 and 2.5): [`Link`] with its request, stored and
//! response JSON, class inference, and link-name validation.
//!
//! Stored forms (in `.group.json` under `links`):
//! - hard `{"class":"H5L_TYPE_HARD","id":"g-…","created":ts}`
//! - soft `{"class":"H5L_TYPE_SOFT","h5path":"/a/b","created":ts}`
//! - external `{"class":"H5L_TYPE_EXTERNAL","h5path":"/a","h5domain":"/home/u/f.h5","created":ts}`
//!
//! The external domain is read from `h5domain`, `file` (HSDS 1.0.2) or `domain` (REST docs) and
//! stored as `h5domain`; responses name it `file`, like HSDS 1.0.2. Without `class`, `id` means
//! hard, `h5path` with a domain means external, and `h5path` alone means soft.

use serde_json::{json, Map, Value};

use super::error::{ModelError, ModelResult};
use super::ids::ObjId;

/// Keys an external link's domain may be given under, in order of preference.
const DOMAIN_KEYS: [&str; 3] = ["h5domain", "file", "domain"];

fn link_error(message: impl Into<String>) -> ModelError {
    ModelError::InvalidLink(message.into())
}

/// The class of a link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkClass {
    /// `H5L_TYPE_HARD`
    Hard,
    /// `H5L_TYPE_SOFT`
    Soft,
    /// `H5L_TYPE_EXTERNAL`
    External,
}

impl LinkClass {
    /// The JSON keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            LinkClass::Hard => "H5L_TYPE_HARD",
            LinkClass::Soft => "H5L_TYPE_SOFT",
            LinkClass::External => "H5L_TYPE_EXTERNAL",
        }
    }

    /// The class named by `keyword`.
    pub fn parse(keyword: &str) -> Option<LinkClass> {
        [LinkClass::Hard, LinkClass::Soft, LinkClass::External]
            .into_iter()
            .find(|class| class.as_str() == keyword)
    }
}

/// What a link points at.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LinkTarget {
    /// An object of the same domain.
    Hard(ObjId),
    /// A path resolved when the link is followed.
    Soft {
        /// Target path.
        h5path: String,
    },
    /// A path in another domain.
    External {
        /// Target path inside `domain`.
        h5path: String,
        /// Target domain, e.g. `/home/u/other.h5`.
        domain: String,
    },
}

impl LinkTarget {
    /// The class of this target.
    pub fn class(&self) -> LinkClass {
        match self {
            LinkTarget::Hard(_) => LinkClass::Hard,
            LinkTarget::Soft { .. } => LinkClass::Soft,
            LinkTarget::External { .. } => LinkClass::External,
        }
    }

    /// Reads a target from a link object, inferring the class when absent.
    ///
    /// # Errors
    /// [`ModelError::InvalidLink`] for an unknown class, missing or conflicting keys.
    pub fn from_object(map: &Map<String, Value>) -> ModelResult<LinkTarget> {
        let id = optional_string(map, "id")?;
        let h5path = optional_string(map, "h5path")?;
        let domain = external_domain(map)?;
        let class = match map.get("class") {
            None => infer_class(id.is_some(), h5path.is_some(), domain.is_some())?,
            Some(value) => value
                .as_str()
                .and_then(LinkClass::parse)
                .ok_or_else(|| link_error(format!("unknown link class {value}")))?,
        };
        build_target(class, id, h5path, domain)
    }

    /// Checks that a hard link points into the domain of `member` (any id of that domain).
    ///
    /// # Errors
    /// [`ModelError::InvalidLink`] if a hard link's target is in another domain.
    pub fn check_in_domain(&self, member: &ObjId) -> ModelResult<()> {
        match self {
            LinkTarget::Hard(id) if !id.same_domain(member) => {
                Err(link_error(format!("hard link target {id} is not in this domain")))
            }
            _ => Ok(()),
        }
    }

    fn insert_into(&self, object: &mut Map<String, Value>, domain_key: &str) {
        object.insert("class".into(), json!(self.class().as_str()));
        match self {
            LinkTarget::Hard(id) => {
                object.insert("id".into(), json!(id.as_str()));
            }
            LinkTarget::Soft { h5path } => {
                object.insert("h5path".into(), json!(h5path));
            }
            LinkTarget::External { h5path, domain } => {
                object.insert("h5path".into(), json!(h5path));
                object.insert(domain_key.into(), json!(domain));
            }
        }
    }
}

fn optional_string(map: &Map<String, Value>, key: &str) -> ModelResult<Option<String>> {
    match map.get(key) {
        None => Ok(None),
        Some(Value::String(text)) if !text.is_empty() => Ok(Some(text.clone())),
        Some(other) => {
            Err(link_error(format!("link '{key}' must be a non-empty string, got {other}")))
        }
    }
}

/// The external domain from `h5domain`, `file` or `domain`; they must agree when repeated.
fn external_domain(map: &Map<String, Value>) -> ModelResult<Option<String>> {
    let mut found: Option<(&str, String)> = None;
    for key in DOMAIN_KEYS {
        let Some(domain) = optional_string(map, key)? else { continue };
        match &found {
            Some((first_key, first)) if *first != domain => {
                return Err(link_error(format!(
                    "link '{first_key}' and '{key}' name different domains"
                )));
            }
            Some(_) => {}
            None => found = Some((key, domain)),
        }
    }
    Ok(found.map(|(_, domain)| domain))
}

fn infer_class(has_id: bool, has_path: bool, has_domain: bool) -> ModelResult<LinkClass> {
    match (has_id, has_path, has_domain) {
        (true, _, _) => Ok(LinkClass::Hard),
        (false, true, true) => Ok(LinkClass::External),
        (false, true, false) => Ok(LinkClass::Soft),
        (false, false, _) => {
            Err(link_error("link needs 'id' (hard) or 'h5path' (soft or external)"))
        }
    }
}

fn build_target(
    class: LinkClass,
    id: Option<String>,
    h5path: Option<String>,
    domain: Option<String>,
) -> ModelResult<LinkTarget> {
    let class_name = class.as_str();
    let forbid = |present: bool, key: &str| {
        if present {
            Err(link_error(format!("a {class_name} link cannot have '{key}'")))
        } else {
            Ok(())
        }
    };
    let need = |value: Option<String>, key: &str| {
        value.ok_or_else(|| link_error(format!("a {class_name} link needs '{key}'")))
    };
    match class {
        LinkClass::Hard => {
            forbid(h5path.is_some(), "h5path")?;
            forbid(domain.is_some(), "h5domain")?;
            let id = need(id, "id")?;
            let id =
                ObjId::parse(&id).map_err(|err| link_error(format!("hard link target: {err}")))?;
            Ok(LinkTarget::Hard(id))
        }
        LinkClass::Soft => {
            forbid(id.is_some(), "id")?;
            forbid(domain.is_some(), "h5domain")?;
            Ok(LinkTarget::Soft { h5path: need(h5path, "h5path")? })
        }
        LinkClass::External => {
            forbid(id.is_some(), "id")?;
            Ok(LinkTarget::External {
                h5path: need(h5path, "h5path")?,
                domain: need(domain, "h5domain")?,
            })
        }
    }
}

/// The stored and returned key of a link's creation order value.
pub const CREATION_ORDER: &str = "creationOrder";

/// A link as stored in its parent group.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// What the link points at.
    pub target: LinkTarget,
    /// Creation time, epoch seconds.
    pub created: f64,
    /// The link's creation order value in its group (HDF5's `corder`), stored as
    /// `creationOrder` by restvol's service; `None` for links written without one (HSDS).
    pub creation_order: Option<u64>,
}

impl Link {
    /// Reads a PUT link body (or one entry of a multi-link PUT); `created` stamps the new link.
    ///
    /// # Errors
    /// [`ModelError::InvalidLink`] if the body is not an object or its keys are invalid.
    pub fn from_request(body: &Value, created: f64) -> ModelResult<Link> {
        let map = body
            .as_object()
            .ok_or_else(|| link_error(format!("link body must be an object, got {body}")))?;
        Ok(Link { target: LinkTarget::from_object(map)?, created, creation_order: None })
    }

    /// Reads the stored form; a missing `created` reads as 0.
    ///
    /// # Errors
    /// As [`Link::from_request`], plus a non-numeric `created`.
    pub fn from_json(value: &Value) -> ModelResult<Link> {
        let created = match value.get("created") {
            None => 0.0,
            Some(created) => created.as_f64().ok_or_else(|| {
                link_error(format!("link 'created' must be a number, got {created}"))
            })?,
        };
        let mut link = Link::from_request(value, created)?;
        link.creation_order = value.get(CREATION_ORDER).and_then(Value::as_u64);
        Ok(link)
    }

    /// The stored form (external domain under `h5domain`).
    pub fn to_json(&self) -> Value {
        let mut object = Map::new();
        self.target.insert_into(&mut object, "h5domain");
        object.insert("created".into(), json!(self.created));
        if let Some(order) = self.creation_order {
            object.insert(CREATION_ORDER.into(), json!(order));
        }
        Value::Object(object)
    }

    /// The form returned by GET links: `title`, `class`, `created`, and `id` + `collection`,
    /// `h5path`, or `h5path` + `file` (HSDS 1.0.2's key for the external domain).
    pub fn to_response_json(&self, title: &str) -> Value {
        let mut object = Map::new();
        object.insert("title".into(), json!(title));
        self.target.insert_into(&mut object, "file");
        if let LinkTarget::Hard(id) = &self.target {
            object.insert("collection".into(), json!(id.class().collection()));
        }
        object.insert("created".into(), json!(self.created));
        if let Some(order) = self.creation_order {
            object.insert(CREATION_ORDER.into(), json!(order));
        }
        Value::Object(object)
    }

    /// The class of this link.
    pub fn class(&self) -> LinkClass {
        self.target.class()
    }
}

/// Checks a link name (title): not empty and without `/`.
///
/// # Errors
/// [`ModelError::InvalidLink`] saying which rule failed.
pub fn validate_link_name(name: &str) -> ModelResult<()> {
    if name.is_empty() {
        return Err(link_error("link name must not be empty"));
    }
    if name.contains('/') {
        return Err(link_error(format!("link name '{name}' must not contain '/'")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const GROUP: &str = "g-b03b24ef-69f244b6-acd9-4df97b-37122a";
    const DATASET: &str = "d-b03b24ef-69f244b6-acd9-4df97b-37122a";
    const OTHER_DOMAIN: &str = "d-00000000-00000000-acd9-4df97b-37122a";

    fn request(body: Value) -> ModelResult<Link> {
        Link::from_request(&body, 1.5)
    }

    fn request_err(body: Value) -> String {
        request(body).unwrap_err().to_string()
    }

    #[test]
    fn hard_links() {
        let link = request(json!({"id": DATASET})).unwrap();
        assert_eq!(link.class(), LinkClass::Hard);
        assert_eq!(
            link.to_json(),
            json!({"class": "H5L_TYPE_HARD", "id": DATASET, "created": 1.5})
        );
        assert_eq!(
            link.to_response_json("dset"),
            json!({"title": "dset", "class": "H5L_TYPE_HARD", "id": DATASET, "collection": "datasets", "created": 1.5})
        );
        let explicit = request(json!({"class": "H5L_TYPE_HARD", "id": GROUP})).unwrap();
        assert_eq!(explicit.target, LinkTarget::Hard(ObjId::parse(GROUP).unwrap()));
    }

    #[test]
    fn soft_links() {
        let link = request(json!({"h5path": "/g1/x"})).unwrap();
        assert_eq!(link.target, LinkTarget::Soft { h5path: "/g1/x".into() });
        assert_eq!(
            link.to_json(),
            json!({"class": "H5L_TYPE_SOFT", "h5path": "/g1/x", "created": 1.5})
        );
        assert_eq!(request(json!({"class": "H5L_TYPE_SOFT", "h5path": "/g1/x"})).unwrap(), link);
    }

    #[test]
    fn external_links_accept_every_domain_key() {
        let expected = LinkTarget::External { h5path: "/a".into(), domain: "/home/u/f.h5".into() };
        for key in ["h5domain", "file", "domain"] {
            let link = request(json!({"h5path": "/a", key: "/home/u/f.h5"})).unwrap();
            assert_eq!(link.target, expected, "{key}");
        }
        let both =
            request(json!({"h5path": "/a", "h5domain": "/home/u/f.h5", "file": "/home/u/f.h5"}))
                .unwrap();
        assert_eq!(both.target, expected);
        let link =
            request(json!({"class": "H5L_TYPE_EXTERNAL", "h5path": "/a", "file": "/home/u/f.h5"}))
                .unwrap();
        assert_eq!(
            link.to_json(),
            json!({"class": "H5L_TYPE_EXTERNAL", "h5path": "/a", "h5domain": "/home/u/f.h5", "created": 1.5})
        );
        assert_eq!(
            link.to_response_json("ext"),
            json!({"title": "ext", "class": "H5L_TYPE_EXTERNAL", "h5path": "/a", "file": "/home/u/f.h5", "created": 1.5})
        );
    }

    #[test]
    fn stored_round_trips() {
        for body in [
            json!({"id": DATASET}),
            json!({"h5path": "x"}),
            json!({"h5path": "/a", "domain": "/d.h5"}),
        ] {
            let link = request(body).unwrap();
            assert_eq!(Link::from_json(&link.to_json()).unwrap(), link);
        }
        let no_created =
            Link::from_json(&json!({"class": "H5L_TYPE_SOFT", "h5path": "/p"})).unwrap();
        assert_eq!(no_created.created, 0.0);
        assert_eq!(no_created.creation_order, None);
        let ordered = Link::from_json(&json!({"h5path": "/p", "creationOrder": 4})).unwrap();
        assert_eq!(ordered.creation_order, Some(4));
        assert_eq!(ordered.to_json()["creationOrder"], json!(4));
        assert_eq!(ordered.to_response_json("p")["creationOrder"], json!(4));
        let bad_created = Link::from_json(&json!({"h5path": "/p", "created": "now"})).unwrap_err();
        assert!(bad_created.to_string().contains("'created' must be a number"));
    }

    #[test]
    fn link_body_errors() {
        let cases = [
            (json!([1]), "link body must be an object"),
            (json!({}), "link needs 'id' (hard) or 'h5path'"),
            (json!({"h5domain": "/d.h5"}), "link needs 'id'"),
            (
                json!({"class": "H5L_TYPE_USER", "id": GROUP}),
                "unknown link class \"H5L_TYPE_USER\"",
            ),
            (json!({"class": 1, "id": GROUP}), "unknown link class 1"),
            (json!({"id": 5}), "'id' must be a non-empty string"),
            (json!({"h5path": ""}), "'h5path' must be a non-empty string"),
            (json!({"id": "g-nope"}), "hard link target: invalid id"),
            (json!({"id": GROUP, "h5path": "/x"}), "a H5L_TYPE_HARD link cannot have 'h5path'"),
            (json!({"id": GROUP, "file": "/d.h5"}), "a H5L_TYPE_HARD link cannot have 'h5domain'"),
            (json!({"class": "H5L_TYPE_HARD", "h5path": "/x"}), "cannot have 'h5path'"),
            (json!({"class": "H5L_TYPE_HARD"}), "a H5L_TYPE_HARD link needs 'id'"),
            (
                json!({"class": "H5L_TYPE_SOFT", "id": GROUP}),
                "a H5L_TYPE_SOFT link cannot have 'id'",
            ),
            (
                json!({"class": "H5L_TYPE_SOFT", "h5path": "/x", "h5domain": "/d"}),
                "cannot have 'h5domain'",
            ),
            (json!({"class": "H5L_TYPE_SOFT"}), "a H5L_TYPE_SOFT link needs 'h5path'"),
            (
                json!({"class": "H5L_TYPE_EXTERNAL", "h5path": "/x"}),
                "a H5L_TYPE_EXTERNAL link needs 'h5domain'",
            ),
            (json!({"class": "H5L_TYPE_EXTERNAL", "file": "/d"}), "needs 'h5path'"),
            (
                json!({"class": "H5L_TYPE_EXTERNAL", "id": GROUP, "h5path": "/x", "file": "/d"}),
                "cannot have 'id'",
            ),
            (
                json!({"h5path": "/x", "h5domain": "/a.h5", "file": "/b.h5"}),
                "'h5domain' and 'file' name different domains",
            ),
        ];
        for (body, why) in cases {
            let error = request_err(body.clone());
            assert!(error.contains(why), "{body}: {error}");
        }
        assert_eq!(request(json!({})).unwrap_err().http_status(), 400);
    }

    #[test]
    fn hard_links_must_stay_in_the_domain() {
        let member = ObjId::parse(GROUP).unwrap();
        request(json!({"id": DATASET})).unwrap().target.check_in_domain(&member).unwrap();
        request(json!({"h5path": "/x"})).unwrap().target.check_in_domain(&member).unwrap();
        let foreign = request(json!({"id": OTHER_DOMAIN})).unwrap();
        let error = foreign.target.check_in_domain(&member).unwrap_err();
        assert!(error.to_string().contains("is not in this domain"));
    }

    #[test]
    fn link_names() {
        validate_link_name("dset1").unwrap();
        validate_link_name("with space & ünïcode").unwrap();
        assert!(validate_link_name("").unwrap_err().to_string().contains("must not be empty"));
        assert!(validate_link_name("a/b")
            .unwrap_err()
            .to_string()
            .contains("must not contain '/'"));
        assert_eq!(LinkClass::parse("H5L_TYPE_SOFT"), Some(LinkClass::Soft));
        assert_eq!(LinkClass::parse("soft"), None);
    }
}
