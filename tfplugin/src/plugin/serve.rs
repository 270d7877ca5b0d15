//! Serving the provider and the side services on an already bound listener.

use std::sync::Arc;
use std::time::Duration;

use futures::Stream;
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;
use tokio_util::sync::CancellationToken;
use tonic::transport::Server;
use tonic_health::ServingStatus;

use super::services::{Broker, Controller, Stdio};
use super::tls_conn::TlsConnection;
use crate::proto::plugin::grpc_broker_server::GrpcBrokerServer;
use crate::proto::plugin::grpc_controller_server::GrpcControllerServer;
use crate::proto::plugin::grpc_stdio_server::GrpcStdioServer;
use crate::proto::tfplugin6::provider_server::{Provider, ProviderServer};

/// Terraform's own limit for plugin messages in both directions (large
/// states and schemas exceed tonic's 4 MiB default).
pub const MAX_MESSAGE_BYTES: usize = 256 << 20;

/// How long in-flight calls may keep the server up after shutdown fires.
/// Terraform kills a plugin that has not exited two seconds after Shutdown.
pub const SHUTDOWN_GRACE: Duration = Duration::from_millis(500);

/// A TLS handshake that has not finished by then is abandoned.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Serves `provider`, GRPCController, GRPCStdio, GRPCBroker and the gRPC
/// health service (`plugin` and `""` SERVING) on `listener` until `shutdown`
/// fires (GRPCController.Shutdown fires it too), then returns within
/// [`SHUTDOWN_GRACE`].
///
/// With `tls`, every connection must complete that TLS handshake first;
/// connections that fail it are dropped without affecting the others.
pub async fn serve_on<P: Provider>(
    listener: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    provider: P,
    shutdown: CancellationToken,
) -> Result<(), tonic::transport::Error> {
    let (health, health_service) = tonic_health::server::health_reporter();
    health
        .set_service_status("plugin", ServingStatus::Serving)
        .await;

    let router = Server::builder()
        .add_service(health_service)
        .add_service(GrpcControllerServer::new(Controller {
            shutdown: shutdown.clone(),
        }))
        .add_service(GrpcStdioServer::new(Stdio {
            shutdown: shutdown.clone(),
        }))
        .add_service(GrpcBrokerServer::new(Broker {
            shutdown: shutdown.clone(),
        }))
        .add_service(
            ProviderServer::new(provider)
                .max_decoding_message_size(MAX_MESSAGE_BYTES)
                .max_encoding_message_size(MAX_MESSAGE_BYTES),
        );

    let stop = shutdown.clone().cancelled_owned();
    let serving = async move {
        match tls {
            Some(config) => {
                let incoming = tls_incoming(listener, TlsAcceptor::from(config));
                router.serve_with_incoming_shutdown(incoming, stop).await
            }
            None => {
                router
                    .serve_with_incoming_shutdown(plain_incoming(listener), stop)
                    .await
            }
        }
    };
    let grace_expired = async {
        shutdown.cancelled().await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        result = serving => result,
        () = grace_expired => {
            tracing::debug!("calls still running after the shutdown grace period; stopping anyway");
            Ok(())
        }
    }
}

/// Accepted TCP connections with Nagle off: gRPC sends small frames that
/// would otherwise wait for delayed ACKs.
fn plain_incoming(listener: TcpListener) -> impl Stream<Item = std::io::Result<TcpStream>> {
    futures::stream::unfold(listener, |listener| async move {
        let accepted = accept(&listener).await;
        Some((accepted, listener))
    })
}

/// Connections that completed the TLS handshake. Handshakes run in their own
/// tasks so that a slow or hostile client cannot stall the accept loop.
fn tls_incoming(
    listener: TcpListener,
    acceptor: TlsAcceptor,
) -> impl Stream<Item = std::io::Result<TlsConnection>> {
    let (ready_tx, ready_rx) = tokio::sync::mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let tcp = tokio::select! {
                // The server dropped the stream: it stopped accepting.
                () = ready_tx.closed() => break,
                accepted = accept(&listener) => match accepted {
                    Ok(tcp) => tcp,
                    Err(_) => continue,
                },
            };
            let acceptor = acceptor.clone();
            let ready_tx = ready_tx.clone();
            tokio::spawn(async move {
                match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await {
                    Ok(Ok(tls)) => {
                        let _ = ready_tx.send(Ok(TlsConnection(tls))).await;
                    }
                    Ok(Err(e)) => tracing::debug!(error = %e, "TLS handshake refused"),
                    Err(_) => tracing::debug!("TLS handshake timed out"),
                }
            });
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(ready_rx)
}

async fn accept(listener: &TcpListener) -> std::io::Result<TcpStream> {
    match listener.accept().await {
        Ok((tcp, _peer)) => {
            let _ = tcp.set_nodelay(true);
            Ok(tcp)
        }
        Err(e) => {
            // Typically out of file descriptors; back off instead of spinning.
            tracing::warn!(error = %e, "accepting a connection failed");
            tokio::time::sleep(Duration::from_millis(50)).await;
            Err(e)
        }
    }
}
