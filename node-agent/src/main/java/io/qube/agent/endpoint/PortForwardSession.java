package io.qube.agent.endpoint;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.NetSocket;

import java.util.ArrayList;
import java.util.List;

/**
 * One {@code portforward} over Kubernetes' WebSocket channel protocol ({@code v4.channel.k8s.io}, as fabric8 and
 * client-go's WebSocket port forwarder use it): for the i-th port of {@code ?ports=}, channel 2i carries data and
 * 2i+1 errors; each channel's first message from here is the port (two bytes, little-endian). Each port is one
 * TCP connection to the pod ({@link PodPorts}), opened when the socket is.
 */
final class PortForwardSession {

    private final ServerWebSocket socket;
    private final List<NetSocket> connections = new ArrayList<>();
    /** The client's socket closed: connections opening now are closed as they come, none is left open. */
    private volatile boolean closed;

    private PortForwardSession(ServerWebSocket socket) {
        this.socket = socket;
    }

    static void start(PodPorts pods, ServerWebSocket socket, List<Integer> ports) {
        PortForwardSession session = new PortForwardSession(socket);
        for (int i = 0; i < ports.size(); i++) {
            int port = ports.get(i);
            socket.writeBinaryMessage(header(2 * i, port));
            socket.writeBinaryMessage(header(2 * i + 1, port));
            session.connections.add(null);
        }
        socket.pause();
        // Set before the connections open: a client gone while they do must not leave one open.
        socket.closeHandler(v -> session.closeConnections());
        List<io.vertx.core.Future<NetSocket>> opening = new ArrayList<>();
        for (int i = 0; i < ports.size(); i++) {
            int index = i;
            int port = ports.get(i);
            opening.add(pods.connect(port).onSuccess(connection -> {
                if (!session.opened(index, connection)) {
                    return;
                }
                connection.handler(data -> socket.writeBinaryMessage(Buffer.buffer(data.length() + 1)
                        .appendByte((byte) (2 * index)).appendBuffer(data)));
                connection.closeHandler(v -> socket.close());
            }).onFailure(e -> {
                if (session.closed) {
                    return;
                }
                // The session ends with this port's error: closed now, not when the close completes.
                session.closeConnections();
                socket.writeBinaryMessage(Buffer.buffer().appendByte((byte) (2 * index + 1)).appendString(
                        "an error occurred forwarding " + port + " -> " + port + ": error forwarding port " + port
                                + " to pod, uid : " + e.getMessage()));
                socket.close();
            }));
        }
        io.vertx.core.Future.join(opening).onComplete(done -> {
            if (session.closed || socket.isClosed()) {
                return; // a port failed (its error sent), or the client left
            }
            socket.binaryMessageHandler(message -> session.fromClient(message));
            socket.resume();
        });
    }

    private synchronized void closeConnections() {
        closed = true;
        connections.forEach(connection -> {
            if (connection != null) {
                connection.close();
            }
        });
    }

    /** Keeps an opened connection, or closes it when the client has gone meanwhile. */
    private synchronized boolean opened(int index, NetSocket connection) {
        if (closed) {
            connection.close();
            return false;
        }
        connections.set(index, connection);
        return true;
    }

    private void fromClient(Buffer message) {
        if (message.length() < 1) {
            return;
        }
        int channel = message.getUnsignedByte(0);
        int index = channel / 2;
        if (channel % 2 == 0 && index < connections.size() && connections.get(index) != null) {
            connections.get(index).write(message.getBuffer(1, message.length()));
        }
    }

    private static Buffer header(int channel, int port) {
        return Buffer.buffer(3).appendByte((byte) channel).appendByte((byte) (port & 0xff))
                .appendByte((byte) (port >> 8));
    }
}
