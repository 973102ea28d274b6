//! The endpoint handlers, one module per resource, and [`dispatch`], which picks the handler for
//! a route and method.

pub mod acls;
pub mod attributes;
pub mod datasets;
pub mod domains;
pub mod info;
pub mod links;
pub mod objects;
pub mod values;

use super::api::{ApiRequest, ApiResponse, Method};
use super::ctx::Ctx;
use super::error::{ApiError, ApiResult};
use super::router::Route;
use super::service::ServiceNode;

fn method_not_allowed(req: &ApiRequest) -> ApiError {
    ApiError::new(405, format!("method not allowed on {}", req.path))
}

/// Serves `req` on `route`.
///
/// # Errors
/// Whatever the handler answers; 405 for a method the route does not have.
pub async fn dispatch(sn: &ServiceNode, req: &ApiRequest, route: Route) -> ApiResult<ApiResponse> {
    if let Route::About = route {
        return info::about(sn, req);
    }
    if let Route::Info = route {
        return info::info(sn);
    }
    let ctx =
        if route == Route::Domains { Ctx::without_domain(sn, req)? } else { Ctx::new(sn, req)? };
    let method = req.method;
    match (route, method) {
        (Route::Domain, Method::Get) => domains::get(&ctx).await,
        (Route::Domain, Method::Put) => domains::put(&ctx).await,
        (Route::Domain, Method::Post) => domains::post(&ctx).await,
        (Route::Domain, Method::Delete) => domains::delete(&ctx).await,
        (Route::Domains, Method::Get) => domains::list(&ctx).await,
        (Route::Acls, Method::Get) => acls::get_all(&ctx).await,
        (Route::Acl(user), Method::Get) => acls::get_one(&ctx, &user).await,
        (Route::Acl(user), Method::Put) => acls::put(&ctx, &user).await,
        (Route::Collection(class), Method::Post) => objects::post(&ctx, class).await,
        (Route::Collection(class), Method::Get) => objects::list(&ctx, class).await,
        (Route::Object(class, id), Method::Get) => objects::get(&ctx, class, &id).await,
        (Route::Object(class, id), Method::Delete) => objects::delete(&ctx, class, &id).await,
        (Route::Object(class, id), Method::Put) => objects::put_refcount(&ctx, class, &id).await,
        (Route::Links(id), Method::Get) => links::get_all(&ctx, &id).await,
        (Route::Links(id), Method::Put) => links::put_many(&ctx, &id).await,
        (Route::Links(id), Method::Post) => links::post_many(&ctx, &id).await,
        (Route::Links(id), Method::Delete) => links::delete_many(&ctx, &id).await,
        (Route::Link(id, title), Method::Get) => links::get_one(&ctx, &id, &title).await,
        (Route::Link(id, title), Method::Put) => links::put_one(&ctx, &id, &title).await,
        (Route::Link(id, title), Method::Delete) => links::delete_one(&ctx, &id, &title).await,
        (Route::Attributes(class, id), Method::Get) => attributes::get_all(&ctx, class, &id).await,
        (Route::Attributes(class, id), Method::Put) => attributes::put_many(&ctx, class, &id).await,
        (Route::Attributes(class, id), Method::Post) => {
            attributes::post_many(&ctx, class, &id).await
        }
        (Route::Attributes(class, id), Method::Delete) => {
            attributes::delete_many(&ctx, class, &id).await
        }
        (Route::Attribute(class, id, name), Method::Get) => {
            attributes::get_one(&ctx, class, &id, &name).await
        }
        (Route::Attribute(class, id, name), Method::Put) => {
            attributes::put_one(&ctx, class, &id, &name).await
        }
        (Route::Attribute(class, id, name), Method::Delete) => {
            attributes::delete_one(&ctx, class, &id, &name).await
        }
        (Route::AttributeValue(class, id, name), Method::Get) => {
            attributes::get_value(&ctx, class, &id, &name).await
        }
        (Route::AttributeValue(class, id, name), Method::Put) => {
            attributes::put_value(&ctx, class, &id, &name).await
        }
        (Route::DatasetType(id), Method::Get) => datasets::get_type(&ctx, &id).await,
        (Route::DatasetShape(id), Method::Get) => datasets::get_shape(&ctx, &id).await,
        (Route::DatasetShape(id), Method::Put) => datasets::put_shape(&ctx, &id).await,
        (Route::DatasetValue(id), Method::Get | Method::Put | Method::Post) => {
            values::dataset_value(&ctx, &id).await
        }
        (Route::DatasetQuery(id), Method::Get) => values::dataset_query(&ctx, &id).await,
        _ => Err(method_not_allowed(req)),
    }
}
