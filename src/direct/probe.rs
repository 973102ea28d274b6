//! A minimal, synchronous `GET /about` over a Unix socket: the readiness check polled while the
//! local service starts (no async runtime needed, a few hundred microseconds per try).

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use base64::Engine as _;

/// Sends `GET /about` with HTTP Basic credentials and returns the response status code.
pub fn about_status(
    socket: &Path,
    username: &str,
    password: &str,
    timeout: Duration,
) -> std::io::Result<u16> {
    let mut stream = UnixStream::connect(socket)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    let token = base64::engine::general_purpose::STANDARD.encode(format!("{username}:{password}"));
    let request = format!(
        "GET /about HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic {token}\r\n\
         Accept: application/json\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(request.as_bytes())?;
    let mut head = Vec::with_capacity(64);
    let mut byte = [0u8; 1];
    while head.len() < 256 && !head.ends_with(b"\r\n") {
        if stream.read(&mut byte)? == 0 {
            break;
        }
        head.push(byte[0]);
    }
    parse_status_line(&head).ok_or_else(|| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not an HTTP status line: {:?}", String::from_utf8_lossy(&head)),
        )
    })
}

/// The status code of `HTTP/1.x NNN reason`.
fn parse_status_line(line: &[u8]) -> Option<u16> {
    let text = std::str::from_utf8(line).ok()?;
    let mut parts = text.split_whitespace();
    if !parts.next()?.starts_with("HTTP/") {
        return None;
    }
    parts.next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines() {
        assert_eq!(parse_status_line(b"HTTP/1.1 200 OK\r\n"), Some(200));
        assert_eq!(parse_status_line(b"HTTP/1.0 401 Unauthorized\r\n"), Some(401));
        assert_eq!(parse_status_line(b"garbage\r\n"), None);
        assert_eq!(parse_status_line(b""), None);
    }

    #[test]
    fn missing_socket_is_an_error() {
        let err =
            about_status(Path::new("/nonexistent/sn_1.sock"), "u", "p", Duration::from_millis(100));
        assert!(err.is_err());
    }
}
