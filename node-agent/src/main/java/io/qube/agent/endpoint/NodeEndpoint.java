package io.qube.agent.endpoint;

import io.qube.agent.metrics.MetricsPaths;
import io.qube.agent.runtime.CommandStartFailure;
import io.qube.agent.runtime.ContainerRuntime;
import io.qube.agent.stats.StatsEndpoint;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.net.NetClient;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The node's endpoint (the kubelet's port), which the apiserver proxies {@code pods/log}, {@code pods/exec},
 * {@code pods/attach} and
 * {@code pods/portforward} to: {@code GET /containerLogs/<namespace>/<pod>/<container>} with the kubelet's query
 * options, {@code /exec/<namespace>/<pod>/<container>} ({@link StreamSession}),
 * {@code /attach/<namespace>/<pod>/<container>} ({@link StreamSession}) and
 * {@code /portForward/<namespace>/<pod>} ({@link SpdyPortForwardSession}, {@link PortForwardSession}) as
 * WebSockets; {@code /metrics} and {@code /healthz} by {@link MetricsPaths}, the resource metrics
 * ({@code /stats/summary}, {@code /metrics/resource}) by {@link StatsEndpoint}. Each log stream is read on a thread
 * of its own (follow may last long) and written through the connection's Vert.x context.
 */
public final class NodeEndpoint implements AutoCloseable {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(NodeEndpoint.class);

    private static final long FOLLOW_POLL_MILLIS = 100;

    private final HttpServer server;

    private NodeEndpoint(HttpServer server) {
        this.server = server;
    }

    /** @param stats the resource paths ({@code /stats/summary}, {@code /metrics/resource}) */
    public static NodeEndpoint start(Vertx vertx, ContainerRuntime runtime, ContainerLocator locator,
                                     StatsEndpoint stats, int port, MetricsPaths metrics) throws IOException {
        List<String> protocols = new ArrayList<>(ChannelSocket.PROTOCOLS);
        protocols.add(SpdyPortForwardSession.PROTOCOL);
        NetClient pods = vertx.createNetClient();
        HttpServer server = vertx.createHttpServer(new HttpServerOptions().setWebSocketSubProtocols(protocols))
                .requestHandler(request -> route(request, runtime, locator, pods, stats, metrics));
        return new NodeEndpoint(Listening.listen(server, port, "the node endpoint"));
    }

    public int port() {
        return server.actualPort();
    }

    private static void route(HttpServerRequest request, ContainerRuntime runtime, ContainerLocator locator,
                              NetClient pods, StatsEndpoint stats, MetricsPaths metrics) {
        if (stats.handle(request) || metrics.serve(request)) {
            return;
        }
        String[] parts = request.path().split("/");
        if (request.method().name().equals("GET") && parts.length == 5 && parts[1].equals("containerLogs")) {
            LogOptions options;
            try {
                options = LogOptions.of(request);
            } catch (RuntimeException e) {
                text(request.response(), 400, "invalid log options: " + e.getMessage());
                return;
            }
            String namespace = decode(parts[2]);
            String pod = decode(parts[3]);
            String container = decode(parts[4]);
            Context context = Vertx.currentContext();
            Thread stream = new Thread(() -> streamLogs(request.response(), context, runtime, locator, namespace, pod,
                    container, options), "logs-" + pod);
            stream.setDaemon(true);
            stream.start();
            return;
        }
        if (parts.length == 4 && parts[1].equals("portForward")) {
            portForward(request, runtime, locator, pods, decode(parts[2]), decode(parts[3]));
            return;
        }
        if (parts.length == 5 && parts[1].equals("exec")) {
            exec(request, runtime, locator, decode(parts[2]), decode(parts[3]), decode(parts[4]));
            return;
        }
        if (parts.length == 5 && parts[1].equals("attach")) {
            attach(request, runtime, locator, decode(parts[2]), decode(parts[3]), decode(parts[4]));
            return;
        }
        text(request.response(), 404, "404 page not found");
    }

    /** {@code /exec/<namespace>/<pod>/<container>?command=...&stdin=&stdout=&stderr=&tty=}, as a WebSocket. */
    private static void exec(HttpServerRequest request, ContainerRuntime runtime, ContainerLocator locator,
                             String namespace, String pod, String container) {
        List<String> command = request.params().getAll("command");
        if (command.isEmpty()) {
            text(request.response(), 400, "you must specify at least 1 command");
            return;
        }
        boolean tty = "true".equals(request.getParam("tty"));
        boolean stdin = "true".equals(request.getParam("stdin"));
        upgrade(request, container, () -> runtime.exec(locator.containerId(namespace, pod, container, false),
                command, tty, stdin), (socket, execution) -> StreamSession.exec(socket, execution, command, stdin));
    }

    /**
     * {@code /attach/<namespace>/<pod>/<container>?stdin=&stdout=&stderr=&tty=}, as a WebSocket: the running
     * container's own stdin and output ({@link StreamSession}).
     */
    private static void attach(HttpServerRequest request, ContainerRuntime runtime, ContainerLocator locator,
                               String namespace, String pod, String container) {
        boolean stdin = "true".equals(request.getParam("stdin"));
        boolean stdout = !"false".equals(request.getParam("stdout"));
        boolean stderr = !"false".equals(request.getParam("stderr"));
        upgrade(request, container, () -> runtime.attach(locator.containerId(namespace, pod, container, false)),
                (socket, attachment) -> StreamSession.attach(socket, attachment, stdin, stdout, stderr));
    }

    /** What a streaming session needs from the runtime before the upgrade, found off the event loop. */
    private interface Preparation<T> {
        T prepare() throws Exception;
    }

    /**
     * Prepares the session (finding the container asks the runtime, a CRI call: off the event loop, the request
     * paused meanwhile), answers a failure as the kubelet does (a command that could not start in the upgraded
     * stream's outcome, anything else before the upgrade), or upgrades the request and starts the session.
     */
    private static <T> void upgrade(HttpServerRequest request, String container, Preparation<T> preparation,
                                    java.util.function.BiConsumer<ChannelSocket, T> session) {
        if (!"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            text(request.response(), 400, "Upgrade request required");
            return;
        }
        Context context = Vertx.currentContext();
        request.pause();
        context.owner().executeBlocking(preparation::prepare, false).onComplete(found -> {
            if (found.cause() instanceof CommandStartFailure failed) {
                request.toWebSocket().onSuccess(socket -> new ChannelSocket(socket, context)
                        .finish(ChannelSocket.failure(failed.getMessage(), null)));
                return;
            }
            if (found.failed()) {
                request.resume();
                if (found.cause() instanceof ContainerLocator.NotFound e) {
                    text(request.response(), e.status(), e.getMessage());
                } else {
                    text(request.response(), 400, "container " + container + " is not running: "
                            + found.cause().getMessage());
                }
                return;
            }
            request.toWebSocket().onSuccess(socket -> session.accept(new ChannelSocket(socket, context),
                            found.result()))
                    .onFailure(e -> {
                        LOG.debugf("upgrade failed: %s", e.getMessage());
                        if (found.result() instanceof AutoCloseable prepared) {
                            try {
                                prepared.close();
                            } catch (Exception ignored) {
                                // nothing was sent through it
                            }
                        }
                    });
        });
    }

    /**
     * {@code /portForward/<namespace>/<pod>} as a WebSocket: SPDY tunnelled in it (kubectl,
     * {@link SpdyPortForwardSession}), or the channel protocol with {@code ?ports=N[&ports=M]} (fabric8,
     * {@link PortForwardSession}).
     */
    private static void portForward(HttpServerRequest request, ContainerRuntime runtime, ContainerLocator locator,
                                    NetClient pods, String namespace, String pod) {
        if (!"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            text(request.response(), 400, "Upgrade request required");
            return;
        }
        String offered = request.getHeader("Sec-WebSocket-Protocol");
        boolean spdy = offered != null
                && List.of(offered.split(",\\s*")).contains(SpdyPortForwardSession.PROTOCOL);
        List<Integer> ports = new ArrayList<>();
        try {
            for (String port : request.params().getAll("ports")) {
                for (String one : port.split(",")) {
                    int number = Integer.parseInt(one.trim());
                    if (number < 1 || number > 65535) {
                        throw new NumberFormatException("port " + number + " is out of range");
                    }
                    ports.add(number);
                }
            }
        } catch (NumberFormatException e) {
            text(request.response(), 400, "invalid port: " + e.getMessage());
            return;
        }
        if (ports.isEmpty() && !spdy) {
            text(request.response(), 400, "at least one port is required");
            return;
        }
        ContainerLocator.PodAddress address;
        try {
            address = locator.podAddress(namespace, pod);
        } catch (ContainerLocator.NotFound e) {
            text(request.response(), e.status(), e.getMessage());
            return;
        }
        Vertx vertx = Vertx.currentContext().owner();
        PodPorts podPorts = new PodPorts(vertx, pods, address.ip(),
                address.hostNetwork() ? null : () -> runtime.network(address.uid()));
        request.toWebSocket().onSuccess(socket -> {
            if (spdy) {
                SpdyPortForwardSession.start(vertx, podPorts, socket, pod + "_" + namespace);
            } else {
                PortForwardSession.start(podPorts, socket, ports);
            }
        }).onFailure(e -> LOG.debugf("port-forward upgrade failed: %s", e.getMessage()));
    }

    private static void streamLogs(HttpServerResponse response, Context context, ContainerRuntime runtime,
                                   ContainerLocator locator, String namespace, String pod, String container,
                                   LogOptions options) {
        String id;
        try {
            id = locator.containerId(namespace, pod, container, options.previous());
        } catch (ContainerLocator.NotFound e) {
            context.runOnContext(v -> text(response, e.status(), e.getMessage()));
            return;
        }
        AtomicBoolean closed = new AtomicBoolean();
        context.runOnContext(v -> {
            response.closeHandler(c -> closed.set(true));
            response.setChunked(true).putHeader("Content-Type", "text/plain").setStatusCode(200);
        });
        CriLog log = new CriLog(runtime.logPath(id));
        long[] budget = {options.limitBytes() == null ? Long.MAX_VALUE : options.limitBytes()};
        try {
            boolean open = write(response, context, log.existing(options), options, budget);
            while (open && options.follow() && !closed.get()) {
                List<CriLog.Line> more = log.more();
                if (more.isEmpty()) {
                    if (!running(runtime, id)) {
                        open = write(response, context, log.more(), options, budget);
                        break;
                    }
                    Thread.sleep(FOLLOW_POLL_MILLIS);
                    continue;
                }
                open = write(response, context, more, options, budget);
            }
        } catch (IOException e) {
            // the log went away with its container: end the stream with what was sent
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        context.runOnContext(v -> {
            if (!response.ended() && !response.closed()) {
                response.end();
            }
        });
    }

    /** @return false once limitBytes is used up */
    private static boolean write(HttpServerResponse response, Context context, List<CriLog.Line> lines,
                                 LogOptions options, long[] budget) {
        if (lines.isEmpty()) {
            return budget[0] > 0;
        }
        StringBuilder text = new StringBuilder();
        for (CriLog.Line line : lines) {
            text.append(line.render(options.timestamps()));
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        int length = (int) Math.min(bytes.length, budget[0]);
        budget[0] -= length;
        Buffer chunk = Buffer.buffer().appendBytes(bytes, 0, length);
        context.runOnContext(v -> {
            if (!response.ended() && !response.closed()) {
                response.write(chunk);
            }
        });
        return budget[0] > 0;
    }

    private static boolean running(ContainerRuntime runtime, String id) throws IOException {
        var container = runtime.container(id);
        return container != null && container.running();
    }

    private static void text(HttpServerResponse response, int status, String message) {
        response.setStatusCode(status).putHeader("Content-Type", "text/plain").end(message);
    }

    private static String decode(String part) {
        return URLDecoder.decode(part, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.close();
    }
}
