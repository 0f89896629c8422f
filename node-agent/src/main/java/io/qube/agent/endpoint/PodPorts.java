package io.qube.agent.endpoint;

import io.netty.channel.socket.nio.NioSocketChannel;
import io.qube.agent.network.NetworkNamespaceSocket;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.impl.ContextInternal;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.impl.NetSocketImpl;
import io.vertx.core.net.impl.VertxHandler;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * Connections to one pod's ports for a port-forward session, made as the kubelet's runtime makes them: to
 * 127.0.0.1 inside the pod's network namespace, so that a port the pod binds to its localhost only is reached too.
 * A pod in the node's network, or on a runtime that gives it no namespace of its own, is dialled at its address.
 * A connection fails with the words kubectl prints after "error forwarding port N to pod P: ".
 */
final class PodPorts {

    private static final InetAddress LOCALHOST = localhost();

    private final ContextInternal context;
    private final NetClient client;
    private final String podIp;
    /** The pod's namespace (null: none of its own), asked of the runtime once per session, off the event loop. */
    private final Future<Path> network;

    /**
     * @param network the runtime's answer for the pod's namespace (blocking; null when the pod is in the node's
     *                network)
     */
    PodPorts(Vertx vertx, NetClient client, String podIp, Callable<Path> network) {
        this.context = (ContextInternal) vertx.getOrCreateContext();
        this.client = client;
        this.podIp = podIp;
        this.network = network == null ? Future.succeededFuture() : context.executeBlocking(network, false);
    }

    /** A connection to the pod's {@code port}, completed on the session's event loop. */
    Future<NetSocket> connect(int port) {
        return network.compose(path -> path == null ? client.connect(port, podIp) : connectInside(path, port))
                .recover(e -> Future.failedFuture(new IOException("dial tcp " + address() + ":" + port + ": "
                        + (e instanceof ConnectException ? "connect: connection refused" : e.getMessage()), e)));
    }

    private String address() {
        return network.succeeded() && network.result() != null ? LOCALHOST.getHostAddress() : podIp;
    }

    private Future<NetSocket> connectInside(Path path, int port) {
        Promise<NetSocket> connected = context.promise();
        NetworkNamespaceSocket.open(path).whenComplete((socket, failure) -> context.runOnContext(v -> {
            if (failure != null) {
                connected.fail(failure);
            } else {
                attach(socket, port, connected);
            }
        }));
        return connected.future();
    }

    /**
     * Connects the namespace's socket from the session's event loop and gives it Vert.x's socket, as Vert.x's own
     * client does with the channels it makes (its internal classes: the client cannot adopt a channel made
     * elsewhere).
     */
    private void attach(SocketChannel socket, int port, Promise<NetSocket> connected) {
        NioSocketChannel channel;
        try {
            channel = new NioSocketChannel(socket);
        } catch (RuntimeException e) {
            closeQuietly(socket);
            connected.fail(e);
            return;
        }
        context.nettyEventLoop().register(channel).addListener(registered -> {
            if (!registered.isSuccess()) {
                channel.close();
                connected.fail(registered.cause());
                return;
            }
            channel.connect(new InetSocketAddress(LOCALHOST, port)).addListener(connect -> {
                if (!connect.isSuccess()) {
                    channel.close();
                    connected.fail(connect.cause());
                    return;
                }
                VertxHandler<NetSocketImpl> handler = VertxHandler.create(chctx -> new NetSocketImpl(context, chctx,
                        null, null, false));
                channel.pipeline().addLast("handler", handler);
                connected.complete(handler.getConnection());
            });
        });
    }

    private static void closeQuietly(SocketChannel socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // nothing was connected on it
        }
    }

    private static InetAddress localhost() {
        try {
            return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
