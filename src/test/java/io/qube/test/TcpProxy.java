package io.qube.test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A TCP proxy on loopback between a client and a server, for tests that must see what a client really sends (the
 * request lines and headers of its HTTP requests, the status lines it gets back) and that must cut the client off
 * from the server for a while, as a network failure would.
 */
public final class TcpProxy implements AutoCloseable {

    /** An HTTP request line and its headers as the client sent them, or a status line and headers as it got them. */
    public record Head(String startLine, String headers) {

        /** The value of a header, case-insensitively by name, or null. */
        public String header(String name) {
            for (String line : headers.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    /** One proxied connection: what went each way, kept as ISO-8859-1 text so HTTP heads can be found in it. */
    private static final class Connection {
        final Socket client;
        final Socket server;
        final StringBuffer sent = new StringBuffer();
        final StringBuffer received = new StringBuffer();
        /** Where each read from the client starts in {@link #sent}, and when it came among all connections' reads. */
        final List<long[]> sentReads = new CopyOnWriteArrayList<>();

        Connection(Socket client, Socket server) {
            this.client = client;
            this.server = server;
        }

        void close() {
            closeQuietly(client);
            closeQuietly(server);
        }
    }

    private static final Pattern REQUEST_HEAD = Pattern.compile(
            "(GET|POST|PUT|PATCH|DELETE) (\\S+) HTTP/1\\.1\r\n((?:[^\r\n]+\r\n)*)\r\n");
    private static final Pattern RESPONSE_HEAD = Pattern.compile("(HTTP/1\\.1 \\d{3}[^\r\n]*)\r\n((?:[^\r\n]+\r\n)*)\r\n");
    /** Heads are found in the first bytes of each direction; bodies and frames beyond this are not kept. */
    private static final int KEPT_PER_DIRECTION = 4 << 20;

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final List<Connection> connections = new CopyOnWriteArrayList<>();
    private final AtomicLong arrivals = new AtomicLong();
    private volatile boolean cut;
    private volatile boolean closed;

    private TcpProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "tcp-proxy-accept-" + listener.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Starts a proxy on a free loopback port forwarding to {@code host:port}. */
    public static TcpProxy to(String host, int port) throws IOException {
        return new TcpProxy(new InetSocketAddress(host, port));
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Breaks every open connection and refuses service (accepts, then closes at once) until {@link #restore()}. */
    public void cut() {
        cut = true;
        for (Connection connection : connections) {
            connection.close();
        }
    }

    public void restore() {
        cut = false;
    }

    /**
     * The HTTP requests clients sent through this proxy so far, in the order they came in (a client with a pool of
     * connections may send its next request on an older connection than its last one).
     */
    public List<Head> requests() {
        record Arrived(long order, Head head) {
        }
        List<Arrived> heads = new ArrayList<>();
        for (Connection connection : connections) {
            Matcher matcher = REQUEST_HEAD.matcher(connection.sent);
            while (matcher.find()) {
                long order = 0;
                for (long[] read : connection.sentReads) {
                    if (read[0] <= matcher.start()) {
                        order = read[1];
                    }
                }
                heads.add(new Arrived(order, new Head(matcher.group(1) + " " + matcher.group(2), matcher.group(3))));
            }
        }
        // A stable sort: requests that came in one read keep their order.
        heads.sort(Comparator.comparingLong(Arrived::order));
        return heads.stream().map(Arrived::head).toList();
    }

    /** The HTTP responses servers sent back through this proxy so far (status line and headers). */
    public List<Head> responses() {
        List<Head> heads = new ArrayList<>();
        for (Connection connection : connections) {
            Matcher matcher = RESPONSE_HEAD.matcher(connection.received);
            while (matcher.find()) {
                heads.add(new Head(matcher.group(1), matcher.group(2)));
            }
        }
        return heads;
    }

    /** For a request found by {@link #requests()}: the response head on the same connection right after it. */
    public Head responseTo(String requestStartLinePrefix) {
        for (Connection connection : connections) {
            Matcher request = REQUEST_HEAD.matcher(connection.sent);
            int index = 0;
            while (request.find()) {
                if ((request.group(1) + " " + request.group(2)).startsWith(requestStartLinePrefix)) {
                    Matcher response = RESPONSE_HEAD.matcher(connection.received);
                    for (int i = 0; i <= index; i++) {
                        if (!response.find()) {
                            return null;
                        }
                    }
                    return new Head(response.group(1), response.group(2));
                }
                index++;
            }
        }
        return null;
    }

    /** Everything servers sent back so far, as ISO-8859-1 text (WebSocket frames from a server are unmasked). */
    public String received() {
        StringBuilder all = new StringBuilder();
        for (Connection connection : connections) {
            all.append(connection.received);
        }
        return all.toString();
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(listener);
        for (Connection connection : connections) {
            connection.close();
        }
    }

    private void accept() {
        while (!closed) {
            Socket client;
            try {
                client = listener.accept();
            } catch (IOException e) {
                return;
            }
            if (cut) {
                closeQuietly(client);
                continue;
            }
            Socket server = new Socket();
            try {
                server.connect(target, 5_000);
            } catch (IOException e) {
                closeQuietly(client);
                closeQuietly(server);
                continue;
            }
            Connection connection = new Connection(client, server);
            connections.add(connection);
            pump(connection, client, server, connection.sent, connection.sentReads, "up");
            pump(connection, server, client, connection.received, null, "down");
        }
    }

    /** @param reads where to note each read's start and arrival, or null */
    private void pump(Connection connection, Socket from, Socket to, StringBuffer record, List<long[]> reads,
                      String direction) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    if (record.length() < KEPT_PER_DIRECTION) {
                        if (reads != null) {
                            reads.add(new long[] {record.length(), arrivals.incrementAndGet()});
                        }
                        record.append(new String(buffer, 0, read, StandardCharsets.ISO_8859_1));
                    }
                    out.write(buffer, 0, read);
                    out.flush();
                }
            } catch (IOException e) {
                // One side went away (or the test cut the connection): the other side goes too.
            } finally {
                connection.close();
            }
        }, "tcp-proxy-" + direction + "-" + from.getPort());
        thread.setDaemon(true);
        thread.start();
    }

    private static void closeQuietly(java.io.Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException ignored) {
            // closing what is already broken
        }
    }
}
