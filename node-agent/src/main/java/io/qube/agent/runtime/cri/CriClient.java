package io.qube.agent.runtime.cri;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.qube.agent.runtime.cri.v1.Cri;
import io.qube.agent.runtime.cri.v1.ImageServiceGrpc;
import io.qube.agent.runtime.cri.v1.RuntimeServiceGrpc;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A CRI v1 connection over the runtime's unix socket. Every call has a deadline (a runtime that hangs must not
 * hang a pod worker for ever) and turns gRPC's unchecked failures into {@link CriException}s carrying the
 * runtime's own message, which the agent shows users as the kubelet does.
 */
final class CriClient implements AutoCloseable {

    /** Most calls are quick; sandbox creation (network setup) and pulls are not. */
    static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(2);

    private final ManagedChannel channel;
    private final RuntimeServiceGrpc.RuntimeServiceBlockingStub runtime;
    private final ImageServiceGrpc.ImageServiceBlockingStub images;

    CriClient(Path socket) {
        this.channel = Grpc.newChannelBuilder("unix://" + socket.toAbsolutePath(), InsecureChannelCredentials.create())
                .maxInboundMessageSize(16 * 1024 * 1024).build();
        this.runtime = RuntimeServiceGrpc.newBlockingStub(channel);
        this.images = ImageServiceGrpc.newBlockingStub(channel);
    }

    <T> T runtime(Function<RuntimeServiceGrpc.RuntimeServiceBlockingStub, T> call) throws CriException {
        return runtime(DEFAULT_DEADLINE, call);
    }

    <T> T runtime(Duration deadline, Function<RuntimeServiceGrpc.RuntimeServiceBlockingStub, T> call)
            throws CriException {
        try {
            return call.apply(runtime.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS));
        } catch (StatusRuntimeException e) {
            throw new CriException(e);
        }
    }

    <T> T images(Duration deadline, Function<ImageServiceGrpc.ImageServiceBlockingStub, T> call)
            throws CriException {
        try {
            return call.apply(images.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS));
        } catch (StatusRuntimeException e) {
            throw new CriException(e);
        }
    }

    /** The runtime's name and version, e.g. containerd 1.6.20; fails when nothing answers on the socket. */
    Cri.VersionResponse version(Duration deadline) throws CriException {
        return runtime(deadline, stub -> stub.version(Cri.VersionRequest.newBuilder().setVersion("v1").build()));
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** A failed CRI call: its gRPC code and the runtime's description. */
    static final class CriException extends IOException {
        private final io.grpc.Status.Code code;

        CriException(StatusRuntimeException cause) {
            super(cause.getStatus().getDescription() != null ? cause.getStatus().getDescription()
                    : cause.getStatus().getCode().toString(), cause);
            this.code = cause.getStatus().getCode();
        }

        io.grpc.Status.Code code() {
            return code;
        }

        boolean notFound() {
            return code == io.grpc.Status.Code.NOT_FOUND;
        }
    }
}
