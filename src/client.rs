//! Async HTTP client for the HDF REST API over TCP and Unix sockets: retries, typed errors
//! mapped from status codes in one place, and concurrent paged transfers.
