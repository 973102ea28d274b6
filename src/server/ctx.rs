//! [`Ctx`]: one request's resolved context — user, bucket, domain path — and the checks every
//! handler shares: domain lookup, `verifyRoot`, ACLs, object ids belonging to the domain.

use serde_json::{Map, Value};

use super::acl;
use super::api::ApiRequest;
use super::auth::DEFAULT_USER;
use super::dn::{Mutation, ObjRef, Outcome, Section};
use super::error::{ApiError, ApiResult};
use super::service::ServiceNode;
use crate::model::{ObjClass, ObjId};
use crate::storage::is_valid_bucket_name;
use crate::storage::keys::split_domain;

/// A request with its service, user, bucket and domain resolved.
#[derive(Debug)]
pub struct Ctx<'a> {
    /// The service.
    pub sn: &'a ServiceNode,
    /// The request.
    pub req: &'a ApiRequest,
    /// The authenticated user (`default` when anonymous).
    pub user: String,
    /// The bucket.
    pub bucket: String,
    /// The domain path (`/home/u/f.h5`), if the request names one.
    pub domain: Option<String>,
}

/// A domain's JSON plus its root group id (only for real domains, not folders).
#[derive(Debug, Clone)]
pub struct OpenDomain {
    /// The `.domain.json` content.
    pub json: Value,
    /// The root group.
    pub root: ObjId,
}

impl<'a> Ctx<'a> {
    /// Resolves the domain (`?domain=` or `X-Hdf-domain`) and bucket of `req`.
    ///
    /// # Errors
    /// 400 for `host`, malformed domains (including `..` segments) and bad bucket names; 403 for
    /// a bucket the configuration does not allow.
    pub fn new(sn: &'a ServiceNode, req: &'a ApiRequest) -> ApiResult<Ctx<'a>> {
        Ctx::build(sn, req, true)
    }

    /// As [`Ctx::new`] but leaves the domain unparsed (`GET /domains` takes a folder path with
    /// a trailing `/`).
    ///
    /// # Errors
    /// As [`Ctx::new`], without the domain checks.
    pub fn without_domain(sn: &'a ServiceNode, req: &'a ApiRequest) -> ApiResult<Ctx<'a>> {
        Ctx::build(sn, req, false)
    }

    fn build(sn: &'a ServiceNode, req: &'a ApiRequest, with_domain: bool) -> ApiResult<Ctx<'a>> {
        if req.param("host").is_some() {
            return Err(ApiError::bad_request(
                "the 'host' parameter is no longer supported; use 'domain'",
            ));
        }
        let user = req.user.clone().unwrap_or_else(|| DEFAULT_USER.to_string());
        let mut bucket = req
            .param("bucket")
            .filter(|b| !b.is_empty())
            .or_else(|| req.header("x-hdf-bucket"))
            .map(str::to_string)
            .unwrap_or_else(|| sn.settings.bucket_name.clone());
        let raw =
            req.param("domain").or_else(|| req.header("x-hdf-domain")).filter(|_| with_domain);
        let domain = match raw {
            None => None,
            Some(raw) => {
                let raw = raw.strip_prefix("hdf5:/").unwrap_or(raw);
                let (embedded, path) = parse_domain(raw)?;
                if let Some(embedded) = embedded {
                    bucket = embedded;
                }
                Some(path)
            }
        };
        if !is_valid_bucket_name(&bucket) {
            return Err(ApiError::bad_request(format!("invalid bucket name '{bucket}'")));
        }
        Ok(Ctx { sn, req, user, bucket, domain })
    }

    /// Whether the user is the admin.
    pub fn is_admin(&self) -> bool {
        self.sn.users.is_admin(&self.user)
    }

    /// The domain path.
    ///
    /// # Errors
    /// 400 when the request names no domain.
    pub fn domain_path(&self) -> ApiResult<&str> {
        self.domain.as_deref().ok_or_else(|| ApiError::bad_request("no domain given"))
    }

    /// The JSON of the domain or folder at `path`, if it exists.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn lookup_domain(&self, path: &str) -> ApiResult<Option<Value>> {
        self.sn.dn.get(&self.bucket, &ObjRef::Domain(path.to_string())).await
    }

    /// The request's domain JSON.
    ///
    /// # Errors
    /// 400 without a domain, 404 when it does not exist.
    pub async fn domain_json(&self) -> ApiResult<Value> {
        let path = self.domain_path()?;
        self.lookup_domain(path)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("domain {path} not found")))
    }

    /// Checks `action` on a domain's ACLs; anonymous users may only read.
    ///
    /// # Errors
    /// 401 for anonymous writes, 403 when denied.
    pub fn check_acl(&self, domain_json: &Value, action: &str) -> ApiResult<()> {
        if self.user == DEFAULT_USER && action != "read" {
            return Err(ApiError::unauthorized("this action needs credentials"));
        }
        if action != "read"
            && self.bucket != self.sn.settings.bucket_name
            && !self.sn.settings.allow_any_bucket_write
        {
            return Err(ApiError::forbidden("writes to this bucket are not allowed"));
        }
        if self.bucket != self.sn.settings.bucket_name && !self.sn.settings.allow_any_bucket_read {
            return Err(ApiError::forbidden("this bucket is not allowed"));
        }
        let acls = domain_json.get("acls").and_then(Value::as_object);
        let acls = owner_acls(domain_json, acls);
        acl::check(Some(&acls), &self.user, self.is_admin(), &[], action)
    }

    /// Loads the request's domain, checks `action`, and requires it to be a domain (not a
    /// folder).
    ///
    /// # Errors
    /// As [`Ctx::domain_json`] and [`Ctx::check_acl`]; 400 for a folder.
    pub async fn open_domain(&self, action: &str) -> ApiResult<OpenDomain> {
        let json = self.domain_json().await?;
        self.check_acl(&json, action)?;
        let root = json
            .get("root")
            .and_then(Value::as_str)
            .ok_or_else(|| ApiError::bad_request("expected a domain but this is a folder"))?;
        let root =
            ObjId::parse(root).map_err(|e| ApiError::internal(format!("stored root id: {e}")))?;
        Ok(OpenDomain { json, root })
    }

    /// Parses an id of `class` that must belong to the domain of `root`.
    ///
    /// # Errors
    /// 400 for malformed ids, ids of another class or another domain.
    pub fn parse_id(&self, id: &str, class: Option<ObjClass>, root: &ObjId) -> ApiResult<ObjId> {
        let parsed = match class {
            Some(class) => ObjId::parse_class(id, class)?,
            None => ObjId::parse(id)?,
        };
        if !parsed.same_domain(root) {
            return Err(ApiError::bad_request(format!("id {id} is not in this domain")));
        }
        Ok(parsed)
    }

    /// An object's stored JSON.
    ///
    /// # Errors
    /// 404 when it does not exist.
    pub async fn object(&self, id: &ObjId) -> ApiResult<Value> {
        self.sn
            .dn
            .get(&self.bucket, &ObjRef::Id(id.as_str().to_string()))
            .await?
            .ok_or_else(|| ApiError::not_found(format!("object {id} not found")))
    }

    /// A dataset's JSON without `attributes` and `links`, as value requests need it; reused
    /// while the SN's dataset cache holds it (see [`super::meta_cache`]).
    ///
    /// # Errors
    /// 404 if it does not exist.
    pub async fn dataset_meta(&self, id: &ObjId) -> ApiResult<Value> {
        self.sn
            .dn
            .dataset_meta(&self.bucket, id.as_str())
            .await?
            .ok_or_else(|| ApiError::not_found(format!("object {id} not found")))
    }

    /// An object's JSON without its attribute and link tables, with their sizes
    /// (`attributeCount`, `linkCount`).
    ///
    /// # Errors
    /// 404 when it does not exist.
    pub async fn outline(&self, id: &ObjId) -> ApiResult<Value> {
        self.sn
            .dn
            .outline(&self.bucket, id.as_str())
            .await?
            .ok_or_else(|| ApiError::not_found(format!("object {id} not found")))
    }

    /// Member `name` of `section` of object `id` (an attribute or a link) without fetching the
    /// whole object when it is large (see [`super::transport::DnTransport::member`]);
    /// `Ok(None)` when the object has no such member.
    ///
    /// # Errors
    /// 404 if the object does not exist.
    pub async fn member(
        &self,
        id: &ObjId,
        section: Section,
        name: &str,
    ) -> ApiResult<Option<Value>> {
        self.sn.dn.member(&self.bucket, id.as_str(), section, name).await
    }

    /// A group's JSON for following its links, shared; reused while the SN's group cache holds
    /// it (see [`super::transport::DnTransport::group_for_links`]).
    ///
    /// # Errors
    /// 404 if it does not exist.
    pub async fn group_for_links(&self, id: &ObjId) -> ApiResult<std::sync::Arc<Value>> {
        self.sn
            .dn
            .group_for_links(&self.bucket, id.as_str())
            .await?
            .ok_or_else(|| ApiError::not_found(format!("object {id} not found")))
    }

    /// Applies a mutation to an object on its DN.
    ///
    /// # Errors
    /// As [`super::dn::DataNode::mutate`].
    pub async fn mutate(&self, id: &ObjId, mutation: &Mutation) -> ApiResult<(Outcome, Value)> {
        self.sn.dn.mutate(&self.bucket, &ObjRef::Id(id.as_str().to_string()), mutation).await
    }

    /// Creates an object on its DN.
    ///
    /// # Errors
    /// 409 when it exists.
    pub async fn create_object(&self, id: &ObjId, json: Value) -> ApiResult<()> {
        self.sn.dn.create(&self.bucket, &ObjRef::Id(id.as_str().to_string()), json).await
    }
}

/// The owner always has full rights, even if the stored ACLs forgot them.
fn owner_acls(domain_json: &Value, acls: Option<&Map<String, Value>>) -> Map<String, Value> {
    let mut table = acls.cloned().unwrap_or_default();
    if let Some(owner) = domain_json.get("owner").and_then(Value::as_str) {
        table.entry(owner.to_string()).or_insert_with(acl::full_acl);
    }
    table
}

/// Splits a domain string into (embedded bucket, path) and validates it as HSDS does: at least
/// one `/`, no trailing `/`, no `.`/`..` segments.
///
/// # Errors
/// 400 with the reason.
pub fn parse_domain(raw: &str) -> ApiResult<(Option<String>, String)> {
    if raw.len() < 2 || !raw.contains('/') {
        return Err(ApiError::bad_request(format!("invalid domain '{raw}'")));
    }
    if raw.ends_with('/') {
        return Err(ApiError::bad_request(format!(
            "invalid domain '{raw}': slash at end not allowed"
        )));
    }
    let parts = split_domain(raw)?;
    let bucket = parts.bucket.map(|b| b.rsplit("://").next().unwrap_or(b).to_string());
    Ok((bucket, parts.path.to_string()))
}

/// The parent folder of a domain path (`/a/b/c` → `/a/b`), or `None` for a top-level domain.
pub fn parent_path(path: &str) -> Option<String> {
    let cut = path.rfind('/')?;
    if cut == 0 {
        None
    } else {
        Some(path[..cut].to_string())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn domains_parse_and_validate() {
        assert_eq!(parse_domain("/home/u/f.h5").unwrap(), (None, "/home/u/f.h5".to_string()));
        assert_eq!(
            parse_domain("bkt/home/u/f.h5").unwrap(),
            (Some("bkt".into()), "/home/u/f.h5".into())
        );
        for bad in ["/home/../etc", "/home/u/", "nodomain", "/a//b", "/"] {
            assert_eq!(parse_domain(bad).unwrap_err().status, 400, "{bad}");
        }
    }

    #[test]
    fn parents() {
        assert_eq!(parent_path("/home/u/f.h5").unwrap(), "/home/u");
        assert_eq!(parent_path("/home"), None);
    }
}
