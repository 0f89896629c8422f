package io.qube.agent.dns;

import org.jboss.logging.Logger;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DNS server on one address and port, over UDP and TCP, each query answered on a worker thread (a forwarded
 * one waits for its upstream there, never on the socket's reader). Queries beyond what the workers can take are
 * dropped, as a loaded DNS server drops them: the client asks again.
 */
public final class DnsServer implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(DnsServer.class);
    private static final int WORKERS = 16;
    private static final int TCP_CONNECTIONS = 16;
    /** How long an open TCP connection may idle between queries (RFC 7766 suggests seconds). */
    private static final int TCP_IDLE_MILLIS = 10_000;

    private final QueryHandler handler;
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final ExecutorService queries = pool("dns-query", WORKERS, new ArrayBlockingQueue<>(256));
    private final ExecutorService connections = pool("dns-tcp", TCP_CONNECTIONS, new SynchronousQueue<>());
    private volatile boolean closed;

    private DnsServer(QueryHandler handler, DatagramSocket udp, ServerSocket tcp) {
        this.handler = handler;
        this.udp = udp;
        this.tcp = tcp;
    }

    /** Listens on the address and port (0: a free one, the same for UDP and TCP) and serves until closed. */
    public static DnsServer start(InetAddress address, int port, ClusterZone zone, Upstreams upstreams)
            throws IOException {
        DatagramSocket udp = new DatagramSocket(new InetSocketAddress(address, port));
        ServerSocket tcp;
        try {
            tcp = new ServerSocket();
            tcp.setReuseAddress(true);
            tcp.bind(new InetSocketAddress(address, udp.getLocalPort()));
        } catch (IOException e) {
            udp.close();
            throw e;
        }
        DnsServer server = new DnsServer(new QueryHandler(zone, upstreams), udp, tcp);
        daemon("dns-udp-" + udp.getLocalPort(), server::receiveUdp).start();
        daemon("dns-tcp-" + udp.getLocalPort(), server::acceptTcp).start();
        return server;
    }

    public int port() {
        return udp.getLocalPort();
    }

    public InetAddress address() {
        return udp.getLocalAddress();
    }

    private void receiveUdp() {
        byte[] buffer = new byte[65535];
        while (!closed) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                udp.receive(packet);
            } catch (IOException e) {
                if (!closed) {
                    LOG.warnf("DNS over UDP: %s", e.getMessage());
                }
                continue;
            }
            byte[] query = Arrays.copyOf(packet.getData(), packet.getLength());
            var client = packet.getSocketAddress();
            try {
                queries.execute(() -> {
                    byte[] answer = handler.respond(query, true);
                    if (answer != null) {
                        try {
                            udp.send(new DatagramPacket(answer, answer.length, client));
                        } catch (IOException e) {
                            LOG.debugf("DNS answer to %s: %s", client, e.getMessage());
                        }
                    }
                });
            } catch (RejectedExecutionException e) {
                LOG.debugf("DNS query from %s dropped: all workers busy", client);
            }
        }
    }

    private void acceptTcp() {
        while (!closed) {
            Socket socket;
            try {
                socket = tcp.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.warnf("DNS over TCP: %s", e.getMessage());
                }
                continue;
            }
            try {
                connections.execute(() -> serve(socket));
            } catch (RejectedExecutionException e) {
                close(socket);
            }
        }
    }

    /** Answers the connection's queries in turn until the client closes it or idles too long. */
    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(TCP_IDLE_MILLIS);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            byte[] query;
            while ((query = DnsStreams.read(in)) != null) {
                byte[] answer = handler.respond(query, false);
                if (answer == null) {
                    return;
                }
                DnsStreams.write(out, answer);
            }
        } catch (IOException e) {
            LOG.debugf("DNS over TCP from %s: %s", socket.getRemoteSocketAddress(), e.getMessage());
        }
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            LOG.debugf("closing a DNS connection: %s", e.getMessage());
        }
    }

    private static ExecutorService pool(String name, int threads, BlockingQueue<Runnable> queue) {
        AtomicInteger count = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, queue,
                r -> daemon(name + "-" + count.incrementAndGet(), r));
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    private static Thread daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        return thread;
    }

    @Override
    public void close() {
        closed = true;
        udp.close();
        try {
            tcp.close();
        } catch (IOException e) {
            LOG.debugf("closing DNS over TCP: %s", e.getMessage());
        }
        queries.shutdownNow();
        connections.shutdownNow();
    }
}
