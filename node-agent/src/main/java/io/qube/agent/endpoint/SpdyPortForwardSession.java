package io.qube.agent.endpoint;

import io.netty.channel.Channel;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.spdy.SpdyHeaders;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketInternal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One {@code portforward.k8s.io} session over SPDY, as kubectl speaks it (its SPDY tunnelled in a WebSocket with
 * subprotocol {@code SPDY/3.1+portforward.k8s.io}; the apiserver turns a plain SPDY upgrade into the same). For
 * each local connection kubectl opens two streams with headers {@code streamType} (error, data), {@code port} and
 * one {@code requestID}; once both are there the pod's port is dialled and the data stream carries the bytes both
 * ways. A dial failure is written on the error stream, which kubectl prints. The client's FIN on the data stream
 * shuts the pod connection's output; the pod closing its side finishes both streams.
 */
final class SpdyPortForwardSession implements SpdyConnection.Streams {

    static final String PROTOCOL = "SPDY/3.1+portforward.k8s.io";
    /** How long the second stream of a pair may lag behind the first, as the kubelet's stream creation timeout. */
    static final long PAIR_TIMEOUT_MILLIS = 30_000;

    private final Vertx vertx;
    private final PodPorts pods;
    private final ServerWebSocket socket;
    private final String podName;
    private final SpdyConnection connection;
    private final Map<String, Forward> byRequest = new HashMap<>();
    private final Map<Integer, Forward> byStream = new HashMap<>();

    private SpdyPortForwardSession(Vertx vertx, ServerWebSocket socket, String podName, PodPorts pods) {
        this.vertx = vertx;
        this.pods = pods;
        this.socket = socket;
        this.podName = podName;
        this.connection = new SpdyConnection(socket::writeBinaryMessage, this);
    }

    static void start(Vertx vertx, PodPorts pods, ServerWebSocket socket, String podName) {
        SpdyPortForwardSession session = new SpdyPortForwardSession(vertx, socket, podName, pods);
        socket.binaryMessageHandler(session.connection::receive);
        socket.closeHandler(v -> session.connection.close());
    }

    /** One forwarded local connection: its two streams and the connection to the pod. */
    private final class Forward {
        final String requestId;
        final int port;
        int dataStream;
        int errorStream;
        NetSocket pod;
        final List<Buffer> early = new ArrayList<>();
        boolean clientFinished;
        long timer;

        Forward(String requestId, int port) {
            this.requestId = requestId;
            this.port = port;
        }

        boolean complete() {
            return dataStream != 0 && errorStream != 0;
        }
    }

    @Override
    public void opened(int streamId, SpdyHeaders headers, boolean clientFinished) {
        String type = headers.getAsString("streamtype");
        String portText = headers.getAsString("port");
        String requestId = headers.getAsString("requestid");
        int port;
        try {
            port = Integer.parseInt(portText == null ? "" : portText);
        } catch (NumberFormatException e) {
            port = 0;
        }
        if (port < 1 || port > 65535 || !("data".equals(type) || "error".equals(type))) {
            connection.reset(streamId, SpdyStreamStatus.REFUSED_STREAM);
            return;
        }
        // Clients before requestID existed paired a data stream with the error stream opened just before it.
        String key = requestId != null ? requestId : Integer.toString("error".equals(type) ? streamId : streamId - 2);
        Forward forward = byRequest.get(key);
        if (forward == null) {
            forward = new Forward(key, port);
            byRequest.put(key, forward);
            Forward created = forward;
            forward.timer = vertx.setTimer(PAIR_TIMEOUT_MILLIS, t -> abandon(created,
                    "timed out waiting for the second stream of request " + created.requestId));
        }
        if ("data".equals(type) ? forward.dataStream != 0 : forward.errorStream != 0) {
            connection.reset(streamId, SpdyStreamStatus.PROTOCOL_ERROR); // a second stream of the same type
            return;
        }
        if ("data".equals(type)) {
            forward.dataStream = streamId;
            forward.clientFinished = clientFinished;
        } else {
            forward.errorStream = streamId;
        }
        byStream.put(streamId, forward);
        connection.reply(streamId, "streamtype", type); // what the stream was accepted as
        if (forward.complete()) {
            vertx.cancelTimer(forward.timer);
            dial(forward);
        }
    }

    private void dial(Forward forward) {
        pods.connect(forward.port).onSuccess(pod -> {
            if (!byRequest.containsKey(forward.requestId)) {
                pod.close(); // the client gave up while the dial was under way
                return;
            }
            forward.pod = pod;
            pod.handler(bytes -> {
                connection.write(forward.dataStream, bytes);
                if (socket.writeQueueFull()) {
                    pod.pause();
                    socket.drainHandler(v -> resumeAll());
                }
            });
            pod.closeHandler(v -> end(forward));
            forward.early.forEach(pod::write);
            forward.early.clear();
            if (forward.clientFinished) {
                shutdownOutput(pod);
            }
        }).onFailure(e -> abandon(forward, "error forwarding port " + forward.port + " to pod " + podName + ": "
                + e.getMessage()));
    }

    private void resumeAll() {
        byRequest.values().forEach(forward -> {
            if (forward.pod != null) {
                forward.pod.resume();
            }
        });
    }

    @Override
    public void data(int streamId, Buffer bytes) {
        Forward forward = byStream.get(streamId);
        if (forward == null || streamId != forward.dataStream) {
            return; // the error stream carries nothing from the client
        }
        if (forward.pod == null) {
            forward.early.add(bytes);
            return;
        }
        forward.pod.write(bytes);
        if (forward.pod.writeQueueFull()) {
            socket.pause();
            forward.pod.drainHandler(v -> socket.resume());
        }
    }

    @Override
    public void finished(int streamId) {
        Forward forward = byStream.get(streamId);
        if (forward == null || streamId != forward.dataStream) {
            return;
        }
        forward.clientFinished = true;
        if (forward.pod != null) {
            shutdownOutput(forward.pod);
        }
    }

    @Override
    public void reset(int streamId) {
        Forward forward = byStream.get(streamId);
        if (forward != null) {
            forget(forward);
            if (forward.pod != null) {
                forward.pod.close();
            }
        }
    }

    @Override
    public void closed() {
        new ArrayList<>(byRequest.values()).forEach(forward -> {
            forget(forward);
            if (forward.pod != null) {
                forward.pod.close();
            }
        });
        socket.close();
    }

    /** The pod closed the connection: both streams end from this side, as the kubelet closes them. */
    private void end(Forward forward) {
        if (byRequest.containsKey(forward.requestId)) {
            forget(forward);
            connection.finish(forward.dataStream);
            connection.finish(forward.errorStream);
        }
    }

    /** A pair that cannot be forwarded: the reason on its error stream (kubectl prints it), then both streams end. */
    private void abandon(Forward forward, String reason) {
        if (!byRequest.containsKey(forward.requestId)) {
            return;
        }
        forget(forward);
        if (forward.errorStream != 0) {
            connection.write(forward.errorStream, Buffer.buffer(reason));
            connection.finish(forward.errorStream);
        }
        if (forward.dataStream != 0) {
            connection.finish(forward.dataStream);
        }
    }

    private void forget(Forward forward) {
        vertx.cancelTimer(forward.timer);
        byRequest.remove(forward.requestId);
        byStream.remove(forward.dataStream);
        byStream.remove(forward.errorStream);
    }

    /**
     * Half-closes the pod connection once what the client sent is written, so a server that answers after its
     * input ends still answers; Vert.x's socket has no half-close, Netty's channel under it does.
     */
    private static void shutdownOutput(NetSocket pod) {
        pod.write(Buffer.buffer()).onComplete(written -> {
            Channel channel = pod instanceof NetSocketInternal internal
                    ? internal.channelHandlerContext().channel() : null;
            if (channel instanceof DuplexChannel duplex) {
                duplex.shutdownOutput();
            } else {
                pod.end();
            }
        });
    }
}
