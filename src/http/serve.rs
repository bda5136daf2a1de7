//! The HTTP accept loop. Every connection gets bounded time to send a request's head and
//! body, to read what we write and to sit idle between requests, and at most
//! `max_connections` are open at once; `axum::serve` bounds none of these, so a client
//! dripping bytes or never reading could hold a connection (and its memory) forever.

use std::future::{poll_fn, Future};
use std::io;
use std::pin::{pin, Pin};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::Request;
use axum::{BoxError, Router};
use http_body::{Body as HttpBody, Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tower::ServiceExt;

/// Bounds of every HTTP connection (`--http-*` flags).
#[derive(Debug, Clone, Copy)]
pub struct HttpSettings {
    /// From a request's first byte to the end of its head (slow-loris heads).
    pub header_read_timeout: Duration,
    /// From the end of a request's head to the end of its body, however it trickles in.
    pub body_read_timeout: Duration,
    /// How long one write may wait for a client that is not reading. A stall, not a total:
    /// a slow client that keeps reading is served; one that stopped is dropped.
    pub write_timeout: Duration,
    /// How long a kept-alive connection may wait for its next request.
    pub idle_timeout: Duration,
    /// Open connections, WebSockets included. Further clients wait in the kernel's listen
    /// backlog until one closes, rather than being accepted and starved.
    pub max_connections: usize,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            // Our bodies are at most 256 KiB: 30 s allows about 9 KB/s.
            body_read_timeout: Duration::from_secs(30),
            // The same bound WebSocket writes have.
            write_timeout: Duration::from_secs(10),
            // Longer than the 60 s idle timeout of common load balancers, so that they, not
            // we, close a pooled connection and never race a request into a closing one.
            idle_timeout: Duration::from_secs(75),
            max_connections: 10_000,
        }
    }
}

/// Kernel send buffer of each connection. Linux grows it, for a client that does not read,
/// up to `net.ipv4.tcp_wmem`'s maximum (4 MiB by default); with this cap a stalled
/// connection holds at most this much (the kernel doubles it for bookkeeping) before its
/// writes block and the write timeout drops it. Ample for our responses on any LAN.
const SEND_BUFFER_BYTES: usize = 256 * 1024;

/// Serves `router` on `listener` until `shutdown` resolves, then stops accepting, lets
/// in-flight requests finish, closes idle connections and returns once all are closed.
/// Upgraded connections (WebSockets) live on in their own tasks.
pub async fn run(
    listener: TcpListener,
    router: Router,
    settings: HttpSettings,
    shutdown: impl Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(settings.max_connections.max(1)));
    super::open_files::raise_limit(settings.max_connections);
    let closing = CancellationToken::new();
    let connections = TaskTracker::new();
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, slot) = tokio::select! {
            () = &mut shutdown => break,
            accepted = accept(&listener, &slots) => accepted,
        };
        let connection = Connection::new(stream, slot, settings);
        connections.spawn(connection.serve(router.clone(), closing.clone()));
    }
    drop(listener);
    closing.cancel();
    connections.close();
    connections.wait().await;
}

/// The next connection, once there is a free slot for it.
async fn accept(
    listener: &TcpListener,
    slots: &Arc<Semaphore>,
) -> (TcpStream, OwnedSemaphorePermit) {
    let Ok(slot) = slots.clone().acquire_owned().await else {
        // The semaphore is never closed.
        return std::future::pending().await;
    };
    loop {
        match listener.accept().await {
            Ok((stream, _)) => return (stream, slot),
            Err(error) => {
                // Out of file descriptors, or a connection reset before we took it: the
                // listener itself is fine. Pause so a full process table is not a busy loop.
                tracing::warn!(%error, "cannot accept a connection");
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// What a connection is doing, as its socket and its requests report it; its task turns
/// this into the one deadline that applies now.
struct Activity {
    /// Requests whose handler is running (their bodies carry their own deadline).
    requests: usize,
    /// When the first byte of the next request's head arrived.
    head_started: Option<Instant>,
    /// The last byte read or written.
    last_io: Instant,
}

#[derive(Debug, Clone, Copy)]
enum Expired {
    HeaderRead,
    Idle,
}

impl Expired {
    fn as_str(self) -> &'static str {
        match self {
            Expired::HeaderRead => "header_read_timeout",
            Expired::Idle => "idle_timeout",
        }
    }
}

impl Activity {
    fn deadline(&self, settings: &HttpSettings) -> Option<(Instant, Expired)> {
        if self.requests > 0 {
            return None;
        }
        Some(match self.head_started {
            Some(started) => (started + settings.header_read_timeout, Expired::HeaderRead),
            None => (self.last_io + settings.idle_timeout, Expired::Idle),
        })
    }
}

type SharedActivity = Arc<Mutex<Activity>>;

fn lock(activity: &SharedActivity) -> MutexGuard<'_, Activity> {
    // The critical sections cannot panic; a poisoned lock still holds sound counters.
    activity.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One request's handler at work: the connection is not idle meanwhile.
struct InFlight(SharedActivity);

impl InFlight {
    fn begin(activity: &SharedActivity) -> InFlight {
        let mut now = lock(activity);
        now.requests += 1;
        now.head_started = None;
        InFlight(activity.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut now = lock(&self.0);
        now.requests = now.requests.saturating_sub(1);
        now.last_io = Instant::now();
    }
}

struct Connection {
    io: TimedIo,
    activity: SharedActivity,
    settings: HttpSettings,
}

impl Connection {
    fn new(stream: TcpStream, slot: OwnedSemaphorePermit, settings: HttpSettings) -> Connection {
        // Small GraphQL messages go out at once.
        let _ = stream.set_nodelay(true);
        let _ = nix::sys::socket::setsockopt(
            &stream,
            nix::sys::socket::sockopt::SndBuf,
            &SEND_BUFFER_BYTES,
        );
        let activity = Arc::new(Mutex::new(Activity {
            requests: 0,
            head_started: None,
            last_io: Instant::now(),
        }));
        let io = TimedIo {
            stream,
            activity: activity.clone(),
            write_timeout: settings.write_timeout,
            write_stall: None,
            _slot: slot,
        };
        Connection {
            io,
            activity,
            settings,
        }
    }

    async fn serve(self, router: Router, closing: CancellationToken) {
        let Connection {
            io,
            activity,
            settings,
        } = self;
        let requests = activity.clone();
        let service = hyper::service::service_fn(move |request: Request<Incoming>| {
            let in_flight = InFlight::begin(&requests);
            let request = request.map(|body| BodyDeadline::new(body, settings.body_read_timeout));
            let response = router.clone().oneshot(request);
            async move {
                let response = response.await;
                drop(in_flight);
                response
            }
        });
        let connection = hyper::server::conn::http1::Builder::new()
            // Our own deadlines replace hyper's, whose header timer also runs while a
            // kept-alive connection waits, so it could not be told apart from idling.
            .header_read_timeout(None)
            .serve_connection(TokioIo::new(io), service)
            .with_upgrades();
        let mut connection = pin!(connection);
        let mut shutdown = pin!(closing.cancelled());
        let mut timer = pin!(tokio::time::sleep(settings.idle_timeout));
        let mut armed = None;
        let mut draining = false;
        // Everything that moves the deadline (socket reads and writes, handlers starting and
        // ending) happens while the connection is polled, so the deadline is re-read after
        // every poll.
        let result = poll_fn(|cx| loop {
            if let Poll::Ready(result) = connection.as_mut().poll(cx) {
                return Poll::Ready(result);
            }
            if draining {
                return Poll::Pending;
            }
            if shutdown.as_mut().poll(cx).is_ready() {
                // Closes the connection if no request is under way, or after the current one.
                connection.as_mut().graceful_shutdown();
                draining = true;
                continue;
            }
            let Some((when, why)) = lock(&activity).deadline(&settings) else {
                return Poll::Pending;
            };
            if armed != Some(when) {
                timer.as_mut().reset(when);
                armed = Some(when);
            }
            if timer.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            // No handler is running and nothing is being written: dropping the connection
            // loses nothing. (hyper's graceful shutdown would wait for a started head.)
            tracing::debug!(reason = why.as_str(), "closing an HTTP connection");
            metrics::counter!("dealgraph_http_connections_timed_out_total", "reason" => why.as_str())
                .increment(1);
            return Poll::Ready(Ok(()));
        })
        .await;
        if let Err(error) = result {
            tracing::debug!(%error, "HTTP connection ended with an error");
        }
    }
}

/// A connection's socket: reports activity, fails a write that waits longer than the write
/// timeout, and holds the connection's slot until the socket closes (after an upgrade too).
struct TimedIo {
    stream: TcpStream,
    activity: SharedActivity,
    write_timeout: Duration,
    write_stall: Option<Pin<Box<Sleep>>>,
    _slot: OwnedSemaphorePermit,
}

impl TimedIo {
    /// `poll` is a write's (or flush's) outcome; `wrote` tells whether it sent bytes. Only
    /// bytes count as activity: hyper flushes on every poll, which would keep an idle
    /// connection alive forever.
    fn watch<T>(
        &mut self,
        cx: &mut Context<'_>,
        poll: Poll<io::Result<T>>,
        wrote: impl FnOnce(&T) -> bool,
    ) -> Poll<io::Result<T>> {
        if let Poll::Ready(result) = &poll {
            self.write_stall = None;
            if result.as_ref().is_ok_and(wrote) {
                lock(&self.activity).last_io = Instant::now();
            }
            return poll;
        }
        let timeout = self.write_timeout;
        let stall = self
            .write_stall
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        if stall.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client stopped reading the response",
            )));
        }
        Poll::Pending
    }
}

impl AsyncRead for TimedIo {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let poll = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(poll, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            let now = Instant::now();
            let mut activity = lock(&self.activity);
            activity.last_io = now;
            if activity.requests == 0 && activity.head_started.is_none() {
                activity.head_started = Some(now);
            }
        }
        poll
    }
}

impl AsyncWrite for TimedIo {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.stream).poll_write(cx, data);
        self.watch(cx, poll, |n| *n > 0)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let poll = Pin::new(&mut self.stream).poll_write_vectored(cx, data);
        self.watch(cx, poll, |n| *n > 0)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let poll = Pin::new(&mut self.stream).poll_flush(cx);
        self.watch(cx, poll, |()| false)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// A request body that fails once it has not fully arrived within the body read timeout.
/// The handler answers with an error and the connection closes, as its body was not read.
struct BodyDeadline {
    body: Incoming,
    limit: Duration,
    started: Instant,
    /// Made only when the body keeps the handler waiting: most arrive with their head.
    timer: Option<Pin<Box<Sleep>>>,
}

impl BodyDeadline {
    fn new(body: Incoming, limit: Duration) -> BodyDeadline {
        BodyDeadline {
            body,
            limit,
            started: Instant::now(),
            timer: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive within {} ms", .0.as_millis())]
struct BodyTooSlow(Duration);

impl HttpBody for BodyDeadline {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = self.get_mut();
        if let Poll::Ready(frame) = Pin::new(&mut this.body).poll_frame(cx) {
            return Poll::Ready(frame.map(|frame| frame.map_err(BoxError::from)));
        }
        let deadline = this.started + this.limit;
        let timer = this
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(deadline)));
        if timer.as_mut().poll(cx).is_ready() {
            return Poll::Ready(Some(Err(BodyTooSlow(this.limit).into())));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> HttpSettings {
        HttpSettings {
            header_read_timeout: Duration::from_secs(1),
            idle_timeout: Duration::from_secs(5),
            ..HttpSettings::default()
        }
    }

    #[tokio::test]
    async fn the_deadline_follows_what_the_connection_does() {
        let start = Instant::now();
        let mut activity = Activity {
            requests: 0,
            head_started: None,
            last_io: start,
        };
        let idle = activity.deadline(&settings()).map(|(at, _)| at);
        assert_eq!(idle, Some(start + Duration::from_secs(5)));
        activity.head_started = Some(start);
        assert!(matches!(
            activity.deadline(&settings()),
            Some((_, Expired::HeaderRead))
        ));
        activity.requests = 1;
        assert!(activity.deadline(&settings()).is_none());
    }
}
