//! The JSON-RPC connection: subxt's jsonrpsee WebSocket client over a TCP
//! stream that acknowledges what it reads at once.
//!
//! Why: the node's RPC server (substrate-contracts-node 0.42.0) does not set
//! `TCP_NODELAY`. It writes a WebSocket frame's header and its payload
//! separately, so Nagle's algorithm holds back any payload shorter than a
//! segment until the header is acknowledged, and Linux delays that
//! acknowledgement by up to 40 ms. Measured on a dev node over loopback: a
//! `state_queryStorageAt` answer of 8 or 21 kB took 44 ms at the median
//! (0.2 ms with immediate acknowledgements); small answers and answers of
//! several segments were not held. Setting `TCP_QUICKACK` after every read
//! removes the wait (the option is not sticky: the kernel may leave quick-ack
//! mode again, hence after every read). Only the client's side changes: no
//! node flag or version is involved.

use jsonrpsee::client_transport::ws::{Url, WsTransportClientBuilder};
use jsonrpsee::core::client::ClientBuilder;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;
use subxt::backend::rpc::RpcClient;
use subxt::ext::subxt_rpcs::Error as RpcError;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// How long the TCP connection and the WebSocket handshake may take (as
/// jsonrpsee's default).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Notifications buffered per subscription before the client drops it (as
/// subxt's default client).
const SUBSCRIPTION_BUFFER: usize = 4096;

/// An RPC client for `url`: `ws://` URLs get the quick-acknowledging
/// transport (module docs); other schemes (`wss://`, `http://`) subxt's
/// default client.
///
/// # Errors
/// Unreachable node, failed handshake, invalid URL.
pub async fn rpc_client(url: &str) -> Result<RpcClient, RpcError> {
    let parsed = Url::parse(url).map_err(client_err)?;
    if parsed.scheme() != "ws" {
        return RpcClient::from_insecure_url(url).await;
    }
    let host = parsed
        .host_str()
        .ok_or_else(|| client_err(format!("no host in {url}")))?
        .trim_matches(['[', ']'])
        .to_owned();
    let port = parsed.port_or_known_default().unwrap_or(80);
    let connect = async {
        let tcp = TcpStream::connect((host.as_str(), port)).await?;
        tcp.set_nodelay(true)?;
        Ok::<_, io::Error>(tcp)
    };
    let tcp = tokio::time::timeout(CONNECT_TIMEOUT, connect)
        .await
        .map_err(|_| client_err(format!("connecting to {url} timed out")))?
        .map_err(client_err)?;
    let (sender, receiver) = tokio::time::timeout(
        CONNECT_TIMEOUT,
        WsTransportClientBuilder::default().build_with_stream(parsed, QuickAck(tcp)),
    )
    .await
    .map_err(|_| client_err(format!("WebSocket handshake with {url} timed out")))?
    .map_err(client_err)?;
    let client = ClientBuilder::default()
        .max_buffer_capacity_per_subscription(SUBSCRIPTION_BUFFER)
        .build_with_tokio(sender, receiver);
    Ok(RpcClient::new(client))
}

fn client_err(e: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> RpcError {
    RpcError::Client(e.into())
}

/// A TCP stream that turns on `TCP_QUICKACK` after every read that returned
/// data.
struct QuickAck(TcpStream);

impl QuickAck {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    fn ack_now(&self) {
        // Best effort: failing leaves the delayed acknowledgement, which costs
        // latency, never correctness.
        let _ = socket2::SockRef::from(&self.0).set_tcp_quickack(true);
    }

    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    fn ack_now(&self) {}
}

impl AsyncRead for QuickAck {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.0).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.ack_now();
        }
        polled
    }
}

impl AsyncWrite for QuickAck {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.0.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.0).poll_shutdown(cx)
    }
}
