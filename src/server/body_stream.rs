//! [`BodyStream`]: a response body sent piece by piece as it is produced (large value reads go
//! out page by page instead of being assembled whole). The producer holds a [`BodySender`];
//! an error it sends ends the body early, and the HTTP layer then drops the connection so the
//! client sees a truncated response rather than wrong data.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use tokio::sync::mpsc;

use super::error::ApiError;

/// One piece of a streamed body, or the error that ends it.
pub type Piece = Result<Bytes, ApiError>;

/// The producing end of a [`BodyStream`].
pub type BodySender = mpsc::Sender<Piece>;

/// A body whose pieces arrive over a channel; `length` is the total when known in advance.
#[derive(Clone)]
pub struct BodyStream {
    length: Option<u64>,
    pieces: Arc<Mutex<Option<mpsc::Receiver<Piece>>>>,
}

impl std::fmt::Debug for BodyStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BodyStream").field("length", &self.length).finish_non_exhaustive()
    }
}

impl PartialEq for BodyStream {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.pieces, &other.pieces)
    }
}

impl BodyStream {
    /// A stream of `length` bytes (if known) and its sender; at most `depth` pieces wait
    /// unsent, so the producer runs at most that far ahead of the client.
    #[must_use]
    pub fn channel(length: Option<u64>, depth: usize) -> (BodySender, BodyStream) {
        let (sender, receiver) = mpsc::channel(depth.max(1));
        (sender, BodyStream { length, pieces: Arc::new(Mutex::new(Some(receiver))) })
    }

    /// The total length, when known.
    #[must_use]
    pub fn length(&self) -> Option<u64> {
        self.length
    }

    /// The receiving end; `None` once taken (a body is sent once).
    #[must_use]
    pub fn take(&self) -> Option<mpsc::Receiver<Piece>> {
        self.pieces.lock().ok().and_then(|mut slot| slot.take())
    }

    /// Every piece, concatenated.
    ///
    /// # Errors
    /// The producer's error, or 500 when the body was already taken.
    pub async fn collect(&self) -> Result<Bytes, ApiError> {
        let mut receiver =
            self.take().ok_or_else(|| ApiError::internal("response body already sent"))?;
        let mut out = Vec::new();
        while let Some(piece) = receiver.recv().await {
            out.extend_from_slice(&piece?);
        }
        Ok(Bytes::from(out))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn pieces_arrive_in_order_and_errors_end_the_body() {
        let (sender, stream) = BodyStream::channel(Some(6), 1);
        tokio::spawn(async move {
            for piece in ["ab", "cd", "ef"] {
                sender.send(Ok(Bytes::from(piece))).await.unwrap();
            }
        });
        assert_eq!(stream.length(), Some(6));
        assert_eq!(stream.collect().await.unwrap(), Bytes::from("abcdef"));
        assert!(stream.collect().await.is_err(), "a body is sent once");
        let (sender, stream) = BodyStream::channel(None, 4);
        sender.send(Ok(Bytes::from("x"))).await.unwrap();
        sender.send(Err(ApiError::internal("disk on fire"))).await.unwrap();
        drop(sender);
        assert_eq!(stream.collect().await.unwrap_err().message, "disk on fire");
    }
}
