//! The HTTP transport: protocol messages over reqwest with rustls.
//!
//! TLS is rustls with the Mozilla root set compiled in (no OpenSSL on Android, no native-tls
//! surprises on iOS). Redirects are never followed: a redirect could lead a bearer token to
//! another host or to plain http. Sync and login requests carry a timeout; the event stream does
//! not (it is meant to stay open); a dead connection there is noticed by the server's keep-alive
//! comments stopping.
//!
//! The event stream is read by a small hand-written server-sent-events reader: the server sends
//! only `data:` lines holding one JSON [`SeqEvent`], and the few lines it takes here are less
//! than wiring an SSE crate's stream types through this trait.

use std::time::Duration;

use reqwest::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Client, RequestBuilder, Response, StatusCode};

use crate::protocol::{
    self, limits, media, ErrorBody, LoginRequest, LoginResponse, SeqEvent, SyncRequest,
    SyncResponse,
};

use super::transport::{BoxFuture, EventStream, MediaOffset, MediaTransport, Transport};
use super::{ServerUrl, SyncError};

/// [`Transport`] over HTTPS (or loopback HTTP).
#[derive(Debug, Clone)]
pub struct HttpTransport {
    client: Client,
    timeout: Duration,
}

impl HttpTransport {
    /// A transport whose login and sync requests give up after `timeout`.
    pub fn new(timeout: Duration) -> Result<HttpTransport, SyncError> {
        let client = Client::builder()
            .connect_timeout(Duration::from_secs(10).min(timeout))
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("fieldsales-core/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| SyncError::Network(format!("cannot set up HTTP: {}", e.without_url())))?;
        Ok(HttpTransport { client, timeout })
    }

    async fn send(&self, request: RequestBuilder) -> Result<Response, SyncError> {
        let response = request.send().await.map_err(network)?;
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(failure(response).await)
        }
    }
}

impl Transport for HttpTransport {
    fn login<'a>(
        &'a self,
        server: &'a ServerUrl,
        request: &'a LoginRequest,
    ) -> BoxFuture<'a, Result<LoginResponse, SyncError>> {
        Box::pin(async move {
            let body = serde_json::to_vec(request)
                .map_err(|e| SyncError::BadAnswer(format!("cannot encode login: {e}")))?;
            let response = self
                .send(
                    self.client
                        .post(server.endpoint("v1/login"))
                        .timeout(self.timeout)
                        .header(CONTENT_TYPE, "application/json")
                        .body(body),
                )
                .await?;
            let bytes = response.bytes().await.map_err(network)?;
            serde_json::from_slice(&bytes)
                .map_err(|e| SyncError::BadAnswer(format!("login answer: {e}")))
        })
    }

    fn logout<'a>(
        &'a self,
        server: &'a ServerUrl,
        token: &'a str,
    ) -> BoxFuture<'a, Result<(), SyncError>> {
        Box::pin(async move {
            self.send(
                self.client
                    .post(server.endpoint("v1/logout"))
                    .timeout(self.timeout)
                    .header(AUTHORIZATION, bearer(token)?),
            )
            .await?;
            Ok(())
        })
    }

    fn sync<'a>(
        &'a self,
        server: &'a ServerUrl,
        token: &'a str,
        request: &'a SyncRequest,
    ) -> BoxFuture<'a, Result<SyncResponse, SyncError>> {
        Box::pin(async move {
            let response = self
                .send(
                    self.client
                        .post(server.endpoint("v1/sync"))
                        .timeout(self.timeout)
                        .header(AUTHORIZATION, bearer(token)?)
                        .header(CONTENT_TYPE, protocol::CONTENT_TYPE)
                        .header(ACCEPT, protocol::CONTENT_TYPE)
                        .body(protocol::encode(request)),
                )
                .await?;
            let bytes = response.bytes().await.map_err(network)?;
            protocol::decode(&bytes, limits::MAX_DECOMPRESSED_BYTES)
                .map_err(|e| SyncError::BadAnswer(e.to_string()))
        })
    }

    fn events<'a>(
        &'a self,
        server: &'a ServerUrl,
        token: &'a str,
    ) -> BoxFuture<'a, Result<Box<dyn EventStream>, SyncError>> {
        Box::pin(async move {
            let response = self
                .send(
                    self.client
                        .get(server.endpoint("v1/events"))
                        .header(AUTHORIZATION, bearer(token)?)
                        .header(ACCEPT, "text/event-stream"),
                )
                .await?;
            Ok(Box::new(SseStream {
                response,
                parser: SseParser::default(),
            }) as Box<dyn EventStream>)
        })
    }
}

impl MediaTransport for HttpTransport {
    fn media_offset<'a>(
        &'a self,
        server: &'a ServerUrl,
        token: &'a str,
        hash: &'a str,
    ) -> BoxFuture<'a, Result<MediaOffset, SyncError>> {
        Box::pin(async move {
            let response = self
                .send_media(
                    self.client
                        .head(media_url(server, hash)?)
                        .timeout(self.timeout)
                        .header(AUTHORIZATION, bearer(token)?),
                )
                .await?;
            upload_state(&response)
        })
    }

    fn media_chunk<'a>(
        &'a self,
        server: &'a ServerUrl,
        token: &'a str,
        hash: &'a str,
        offset: u64,
        length: u64,
        chunk: Vec<u8>,
    ) -> BoxFuture<'a, Result<MediaOffset, SyncError>> {
        Box::pin(async move {
            let request = self
                .client
                .patch(media_url(server, hash)?)
                .timeout(self.timeout)
                .header(AUTHORIZATION, bearer(token)?)
                .header(CONTENT_TYPE, media::CHUNK_CONTENT_TYPE)
                .header(media::UPLOAD_OFFSET, offset)
                .header(media::UPLOAD_LENGTH, length)
                .body(chunk);
            let response = request.send().await.map_err(network)?;
            if response.status() == StatusCode::CONFLICT {
                // The server stands elsewhere (a chunk whose answer was lost landed): go on
                // from where it says.
                if let Ok(state) = upload_state(&response) {
                    return Ok(state);
                }
            }
            if response.status().is_success() {
                upload_state(&response)
            } else {
                Err(media_failure(response).await)
            }
        })
    }

    fn media_download<'a>(
        &'a self,
        server: &'a ServerUrl,
        token: &'a str,
        hash: &'a str,
    ) -> BoxFuture<'a, Result<Vec<u8>, SyncError>> {
        Box::pin(async move {
            let response = self
                .send_media(
                    self.client
                        .get(media_url(server, hash)?)
                        .timeout(self.timeout)
                        .header(AUTHORIZATION, bearer(token)?),
                )
                .await?;
            if response
                .content_length()
                .is_some_and(|n| n > media::MAX_BLOB_BYTES)
            {
                return Err(SyncError::BadAnswer(
                    "media larger than the protocol allows".into(),
                ));
            }
            let bytes = response.bytes().await.map_err(network)?;
            Ok(bytes.to_vec())
        })
    }
}

impl HttpTransport {
    /// [`Self::send`] for media: a 404 is [`SyncError::MediaNotAvailable`].
    async fn send_media(&self, request: RequestBuilder) -> Result<Response, SyncError> {
        let response = request.send().await.map_err(network)?;
        if response.status().is_success() {
            Ok(response)
        } else {
            Err(media_failure(response).await)
        }
    }
}

async fn media_failure(response: Response) -> SyncError {
    if response.status() == StatusCode::NOT_FOUND {
        SyncError::MediaNotAvailable
    } else {
        failure(response).await
    }
}

fn media_url(server: &ServerUrl, hash: &str) -> Result<url::Url, SyncError> {
    if !media::is_content_hash(hash) {
        return Err(SyncError::Server {
            status: 400,
            code: Some(protocol::ErrorCode::InvalidField),
            message: "a media hash is 64 lowercase hexadecimal digits".into(),
        });
    }
    Ok(server.endpoint(&media::path(hash)[1..]))
}

/// `Upload-Offset` and `Upload-State` of an answer.
fn upload_state(response: &Response) -> Result<MediaOffset, SyncError> {
    let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok());
    let held = header(media::UPLOAD_OFFSET)
        .and_then(|v| v.trim().parse::<u64>().ok())
        .ok_or_else(|| SyncError::BadAnswer("media answer without Upload-Offset".into()))?;
    Ok(MediaOffset {
        held,
        complete: header(media::UPLOAD_STATE) == Some(media::STATE_COMPLETE),
    })
}

fn bearer(token: &str) -> Result<HeaderValue, SyncError> {
    let mut value =
        HeaderValue::from_str(&format!("Bearer {token}")).map_err(|_| SyncError::Unauthorized)?;
    value.set_sensitive(true);
    Ok(value)
}

/// A transport failure, without the URL (it may name a customer's server; tokens never travel
/// in URLs, but messages stay short and free of anything from the request).
fn network(e: reqwest::Error) -> SyncError {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "connection broke while reading the answer"
    } else {
        "request failed"
    };
    SyncError::Network(kind.to_string())
}

/// An error answer: the protocol's JSON error body when there is one, else the bare status.
async fn failure(response: Response) -> SyncError {
    let status = response.status();
    let retry_after = response
        .headers()
        .get(RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let body: Option<ErrorBody> = response
        .bytes()
        .await
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    match status {
        StatusCode::UNAUTHORIZED => SyncError::Unauthorized,
        StatusCode::TOO_MANY_REQUESTS => SyncError::RateLimited {
            retry_after_secs: retry_after,
        },
        _ => SyncError::Server {
            status: status.as_u16(),
            code: body.as_ref().map(|b| b.error.code),
            message: body
                .map(|b| b.error.message)
                .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_string()),
        },
    }
}

/// The server sends a keep-alive comment every 15 s; a stream silent for this long is a dead
/// connection (a phone that changed networks often gets no FIN), and is reopened.
const EVENT_IDLE_LIMIT: Duration = Duration::from_secs(60);

/// An open event stream: bytes from the response, events out of the parser.
struct SseStream {
    response: Response,
    parser: SseParser,
}

impl EventStream for SseStream {
    fn next_event(&mut self) -> BoxFuture<'_, Option<Result<SeqEvent, SyncError>>> {
        Box::pin(async move {
            loop {
                if let Some(event) = self.parser.next_event() {
                    return Some(event);
                }
                match tokio::time::timeout(EVENT_IDLE_LIMIT, self.response.chunk()).await {
                    Ok(Ok(Some(chunk))) => self.parser.feed(&chunk),
                    Ok(Ok(None)) => return None,
                    Ok(Err(e)) => return Some(Err(network(e))),
                    Err(_) => {
                        return Some(Err(SyncError::Network("event stream went silent".into())))
                    }
                }
            }
        })
    }
}

/// Reads the `data:` fields of server-sent events from bytes as they arrive, in any chunking;
/// an event ends at a blank line.
#[derive(Default)]
struct SseParser {
    buffer: Vec<u8>,
    data: String,
}

impl SseParser {
    fn feed(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// The next complete event in what was fed, if any.
    fn next_event(&mut self) -> Option<Result<SeqEvent, SyncError>> {
        while let Some(end) = self.buffer.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = self.buffer.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            let line = line.trim_end_matches(['\r', '\n']);
            if line.is_empty() {
                if self.data.is_empty() {
                    continue;
                }
                let data = std::mem::take(&mut self.data);
                return Some(
                    serde_json::from_str::<SeqEvent>(&data)
                        .map_err(|e| SyncError::BadAnswer(format!("event: {e}"))),
                );
            }
            if let Some(value) = line.strip_prefix("data:") {
                if !self.data.is_empty() {
                    self.data.push('\n');
                }
                self.data.push_str(value.strip_prefix(' ').unwrap_or(value));
            }
            // Comments (`: keep-alive`), `event:`, `id:` and `retry:` lines carry nothing this
            // client needs.
        }
        // A line this long is not one the protocol defines.
        if self.buffer.len() > 64 << 10 {
            self.buffer.clear();
            return Some(Err(SyncError::BadAnswer("event too large".into())));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_read_across_chunk_boundaries_and_comments_are_skipped() {
        let mut parser = SseParser::default();
        let stream = b": keep-alive\n\nevent: seq\r\ndata: {\"seq\":4";
        parser.feed(stream);
        assert!(
            parser.next_event().is_none(),
            "the event is not complete yet"
        );
        parser.feed(b"2}\r\n\r\ndata: {\"seq\":43}\n\n");
        assert_eq!(parser.next_event().unwrap().unwrap(), SeqEvent { seq: 42 });
        assert_eq!(parser.next_event().unwrap().unwrap(), SeqEvent { seq: 43 });
        assert!(parser.next_event().is_none());
    }

    #[test]
    fn a_malformed_event_is_an_error_and_the_stream_goes_on() {
        let mut parser = SseParser::default();
        parser.feed(b"data: not json\n\ndata: {\"seq\":7}\n\n");
        assert!(matches!(
            parser.next_event(),
            Some(Err(SyncError::BadAnswer(_)))
        ));
        assert_eq!(parser.next_event().unwrap().unwrap(), SeqEvent { seq: 7 });
    }
}
