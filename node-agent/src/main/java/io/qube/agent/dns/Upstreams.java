package io.qube.agent.dns;

import org.jboss.logging.Logger;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The nameservers of the node's resolv.conf, which get the queries for names outside the cluster, tried in order
 * as a resolver tries them: over UDP, again over TCP when the answer came truncated.
 */
public final class Upstreams {

    private static final Logger LOG = Logger.getLogger(Upstreams.class);

    private final List<InetSocketAddress> servers;
    private final int timeoutMillis;

    /** @param timeout how long each nameserver has to answer */
    public Upstreams(List<InetSocketAddress> servers, Duration timeout) {
        this.servers = List.copyOf(servers);
        this.timeoutMillis = (int) timeout.toMillis();
    }

    /** The first answer to the query any nameserver gives, as it came; null if none answered in time. */
    byte[] forward(Message query) {
        byte[] wire = query.toWire();
        for (InetSocketAddress server : servers) {
            try {
                byte[] answer = overUdp(server, wire, query.getHeader().getID());
                if (answer != null && new Message(answer).getHeader().getFlag(Flags.TC)) {
                    answer = overTcp(server, wire);
                }
                if (answer != null) {
                    return answer;
                }
            } catch (IOException e) {
                LOG.debugf("nameserver %s: %s", server, e.getMessage());
            }
        }
        return null;
    }

    /** The answer with the query's ID, ignoring strays on the socket, or null after the timeout. */
    private byte[] overUdp(InetSocketAddress server, byte[] wire, int id) throws IOException {
        try (DatagramSocket socket = new DatagramSocket()) {
            socket.connect(server);
            socket.send(new DatagramPacket(wire, wire.length));
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            byte[] buffer = new byte[65535];
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) {
                    return null;
                }
                socket.setSoTimeout((int) left);
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    return null;
                }
                if (packet.getLength() >= 2 && ((buffer[0] & 0xff) << 8 | buffer[1] & 0xff) == id) {
                    return Arrays.copyOf(buffer, packet.getLength());
                }
            }
        }
    }

    private byte[] overTcp(InetSocketAddress server, byte[] wire) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(server, timeoutMillis);
            socket.setSoTimeout(timeoutMillis);
            DnsStreams.write(new DataOutputStream(socket.getOutputStream()), wire);
            return DnsStreams.read(new DataInputStream(socket.getInputStream()));
        } catch (SocketTimeoutException e) {
            return null;
        }
    }
}
