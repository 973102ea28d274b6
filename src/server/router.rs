//! Routing: an HTTP method and path become a [`Route`]. Path segments are percent-decoded one by
//! one, so link and attribute names may contain encoded `/`.

use super::api::Method;
use super::error::{ApiError, ApiResult};
use crate::model::ObjClass;

/// Every endpoint the service node answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// `/`: the domain (or folder) itself.
    Domain,
    /// `/domains`: folder listing.
    Domains,
    /// `/about`
    About,
    /// `/info`
    Info,
    /// `/acls`
    Acls,
    /// `/acls/{user}`
    Acl(String),
    /// `/groups`, `/datasets`, `/datatypes`: create (POST) or list (GET).
    Collection(ObjClass),
    /// `/{collection}/{id}`; the id is empty for `/{collection}/?h5path=…`.
    Object(ObjClass, String),
    /// `/groups/{id}/links`
    Links(String),
    /// `/groups/{id}/links/{title}`
    Link(String, String),
    /// `/{collection}/{id}/attributes`
    Attributes(ObjClass, String),
    /// `/{collection}/{id}/attributes/{name}`
    Attribute(ObjClass, String, String),
    /// `/{collection}/{id}/attributes/{name}/value`
    AttributeValue(ObjClass, String, String),
    /// `/datasets/{id}/type`
    DatasetType(String),
    /// `/datasets/{id}/shape`
    DatasetShape(String),
    /// `/datasets/{id}/value`
    DatasetValue(String),
    /// `/datasets/{id}/query` (the coordinates of the elements matching a query)
    DatasetQuery(String),
}

/// Decodes `%XX` escapes (and nothing else; `+` stays `+` in paths).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        if byte == b'%' && i + 2 < bytes.len() {
            let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
            if let Some(value) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(value);
                i += 3;
                continue;
            }
        }
        out.push(byte);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Route {
    /// The route for `path` (raw, percent-encoded). The method is checked by the dispatcher.
    ///
    /// # Errors
    /// 404 for paths the API does not have.
    pub fn parse(_method: Method, path: &str) -> ApiResult<Route> {
        let trimmed = path.strip_prefix('/').unwrap_or(path);
        let raw: Vec<&str> =
            if trimmed.is_empty() { Vec::new() } else { trimmed.split('/').collect() };
        let segs: Vec<String> = raw.iter().map(|s| percent_decode(s)).collect();
        let seg = |i: usize| segs.get(i).map(String::as_str);
        let not_found = || ApiError::not_found(format!("no such resource: {path}"));
        let route = match (segs.len(), seg(0)) {
            (0, _) => Route::Domain,
            (1, Some("domains")) | (2, Some("domains"))
                if seg(1).unwrap_or_default().is_empty() =>
            {
                Route::Domains
            }
            (1, Some("about")) => Route::About,
            (1, Some("info")) => Route::Info,
            (1, Some("acls")) => Route::Acls,
            (2, Some("acls")) => Route::Acl(segs[1].clone()),
            (_, Some(name)) => {
                let class = ObjClass::from_collection(name).ok_or_else(not_found)?;
                Route::object_route(class, &segs[1..]).ok_or_else(not_found)?
            }
            _ => return Err(not_found()),
        };
        Ok(route)
    }

    fn object_route(class: ObjClass, rest: &[String]) -> Option<Route> {
        let id = || rest.first().cloned().unwrap_or_default();
        let is_dataset = class == ObjClass::Dataset;
        Some(match rest.len() {
            0 => Route::Collection(class),
            1 if rest[0].is_empty() => Route::Object(class, String::new()),
            1 => Route::Object(class, id()),
            2 => match rest[1].as_str() {
                "links" if class == ObjClass::Group => Route::Links(id()),
                "attributes" => Route::Attributes(class, id()),
                "type" if is_dataset => Route::DatasetType(id()),
                "shape" if is_dataset => Route::DatasetShape(id()),
                "value" if is_dataset => Route::DatasetValue(id()),
                "query" if is_dataset => Route::DatasetQuery(id()),
                "" => Route::Object(class, id()),
                _ => return None,
            },
            3 => match rest[1].as_str() {
                "links" if class == ObjClass::Group => Route::Link(id(), rest[2].clone()),
                "attributes" if rest[2].is_empty() => Route::Attributes(class, id()),
                "attributes" => Route::Attribute(class, id(), rest[2].clone()),
                _ => return None,
            },
            4 if rest[1] == "attributes" && rest[3] == "value" => {
                Route::AttributeValue(class, id(), rest[2].clone())
            }
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const G: &str = "g-b03b24ef-69f244b6-acd9-4df97b-37122a";

    fn route(path: &str) -> ApiResult<Route> {
        Route::parse(Method::Get, path)
    }

    #[test]
    fn parses_every_route() {
        assert_eq!(route("/").unwrap(), Route::Domain);
        assert_eq!(route("").unwrap(), Route::Domain);
        assert_eq!(route("/domains").unwrap(), Route::Domains);
        assert_eq!(route("/about").unwrap(), Route::About);
        assert_eq!(route("/acls/bob").unwrap(), Route::Acl("bob".into()));
        assert_eq!(route("/groups").unwrap(), Route::Collection(ObjClass::Group));
        assert_eq!(route("/groups/").unwrap(), Route::Object(ObjClass::Group, String::new()));
        assert_eq!(
            route(&format!("/groups/{G}")).unwrap(),
            Route::Object(ObjClass::Group, G.into())
        );
        assert_eq!(
            route(&format!("/groups/{G}/links/a%2Fb")).unwrap(),
            Route::Link(G.into(), "a/b".into())
        );
        assert_eq!(
            route(&format!("/datasets/{G}/attributes/x%20y/value")).unwrap(),
            Route::AttributeValue(ObjClass::Dataset, G.into(), "x y".into())
        );
        assert_eq!(route(&format!("/datasets/{G}/shape")).unwrap(), Route::DatasetShape(G.into()));
        assert_eq!(route(&format!("/datasets/{G}/value")).unwrap(), Route::DatasetValue(G.into()));
        assert_eq!(route(&format!("/datasets/{G}/query")).unwrap(), Route::DatasetQuery(G.into()));
    }

    #[test]
    fn unknown_paths_are_404() {
        for path in [
            "/nope",
            &format!("/groups/{G}/value"),
            &format!("/datatypes/{G}/links"),
            "/groups/a/b/c/d/e",
        ] {
            assert_eq!(route(path).unwrap_err().status, 404, "{path}");
        }
    }

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("a%20b%2F%zz%"), "a b/%zz%");
    }
}
