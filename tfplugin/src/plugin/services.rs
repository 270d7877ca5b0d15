//! go-plugin's side services, which Terraform's plugin client calls next to
//! the provider service.

use std::pin::Pin;

use futures::{Stream, StreamExt as _};
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status, Streaming};

use crate::proto::plugin::grpc_broker_server::GrpcBroker;
use crate::proto::plugin::grpc_controller_server::GrpcController;
use crate::proto::plugin::grpc_stdio_server::GrpcStdio;
use crate::proto::plugin::{ConnInfo, Empty, StdioData};

type OpenUntilShutdown<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

/// A response stream that sends nothing and ends when `shutdown` fires, so
/// that graceful shutdown is not held up by it.
fn open_until<T: Send + 'static>(shutdown: CancellationToken) -> OpenUntilShutdown<T> {
    futures::stream::once(shutdown.cancelled_owned())
        .filter_map(|()| async { None })
        .boxed()
}

/// `GRPCController.Shutdown`: Terraform is done with us.
pub struct Controller {
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _: Request<Empty>) -> Result<Response<Empty>, Status> {
        tracing::debug!("plugin host requested shutdown");
        // The reply still goes out: serving stops gracefully, in-flight calls finish.
        self.shutdown.cancel();
        Ok(Response::new(Empty {}))
    }
}

/// `GRPCStdio.StreamStdio`. go-plugin uses it to forward a plugin's stdout
/// and stderr when it captured them; we write logs to stderr ourselves, so
/// the stream just stays open, silent, until shutdown.
pub struct Stdio {
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    type StreamStdioStream = OpenUntilShutdown<StdioData>;

    async fn stream_stdio(
        &self,
        _: Request<()>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        Ok(Response::new(open_until(self.shutdown.clone())))
    }
}

/// `GRPCBroker.StartStream`. Providers never broker extra connections, but
/// the host opens this stream anyway; answering with an open, silent stream
/// (rather than an error) keeps its logs free of spurious broker failures.
pub struct Broker {
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcBroker for Broker {
    type StartStreamStream = OpenUntilShutdown<ConnInfo>;

    async fn start_stream(
        &self,
        request: Request<Streaming<ConnInfo>>,
    ) -> Result<Response<Self::StartStreamStream>, Status> {
        // Drain what the host sends so its side of the stream never blocks.
        let mut inbound = request.into_inner();
        let shutdown = self.shutdown.clone();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    next = inbound.next() => match next {
                        Some(Ok(info)) => tracing::trace!(service_id = info.service_id, "ignoring broker message"),
                        _ => break,
                    },
                }
            }
        });
        Ok(Response::new(open_until(self.shutdown.clone())))
    }
}
