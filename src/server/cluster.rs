//! Data nodes in their own processes, as HSDS runs them: the internal SN ⇄ DN protocol
//! ([`wire`]), the DN side that serves it ([`dn_service`], `restvol dn`), the SN side that calls
//! it ([`remote`]), the per-node link the SN fans out over ([`link`]), and the launcher that
//! starts DN processes for `restvol serve --count N` ([`spawn`]).

pub mod dn_service;
pub mod link;
pub mod remote;
pub mod spawn;
pub mod wire;

pub use link::{LocalNode, NodeLink};
pub use remote::RemoteNode;
