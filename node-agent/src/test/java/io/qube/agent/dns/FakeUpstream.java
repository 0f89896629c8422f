package io.qube.agent.dns;

import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.Type;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A nameserver outside the cluster for tests: A records of fixed names (NXDOMAIN for other names), over UDP
 * (truncated beyond 512 bytes, as a server without EDNS truncates) and TCP, counting the TCP queries.
 */
public final class FakeUpstream implements AutoCloseable {

    private final Map<String, List<String>> names;
    private final DatagramSocket udp;
    private final ServerSocket tcp;
    private final AtomicInteger tcpQueries = new AtomicInteger();

    private FakeUpstream(Map<String, List<String>> names, DatagramSocket udp, ServerSocket tcp) {
        this.names = names;
        this.udp = udp;
        this.tcp = tcp;
    }

    /** @param names absolute names (e.g. {@code example.org.}) and their IPv4 addresses */
    public static FakeUpstream start(InetAddress address, int port, Map<String, List<String>> names)
            throws IOException {
        DatagramSocket udp = new DatagramSocket(new InetSocketAddress(address, port));
        ServerSocket tcp = new ServerSocket();
        tcp.setReuseAddress(true);
        tcp.bind(new InetSocketAddress(address, udp.getLocalPort()));
        FakeUpstream upstream = new FakeUpstream(names, udp, tcp);
        for (Runnable loop : List.<Runnable>of(upstream::serveUdp, upstream::serveTcp)) {
            Thread thread = new Thread(loop, "fake-upstream");
            thread.setDaemon(true);
            thread.start();
        }
        return upstream;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) udp.getLocalSocketAddress();
    }

    public int tcpQueries() {
        return tcpQueries.get();
    }

    private void serveUdp() {
        byte[] buffer = new byte[65535];
        while (!udp.isClosed()) {
            try {
                DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                udp.receive(packet);
                byte[] answer = answer(java.util.Arrays.copyOf(buffer, packet.getLength())).toWire(512);
                udp.send(new DatagramPacket(answer, answer.length, packet.getSocketAddress()));
            } catch (IOException e) {
                // closed, or a query that does not parse: a test's upstream has nothing to say to it
            }
        }
    }

    private void serveTcp() {
        while (!tcp.isClosed()) {
            try (Socket socket = tcp.accept()) {
                tcpQueries.incrementAndGet();
                byte[] query = DnsStreams.read(new DataInputStream(socket.getInputStream()));
                DnsStreams.write(new DataOutputStream(socket.getOutputStream()), answer(query).toWire());
            } catch (IOException e) {
                // closed, or the client went away
            }
        }
    }

    private Message answer(byte[] wire) throws IOException {
        Message query = new Message(wire);
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.RA);
        Record question = query.getQuestion();
        response.addRecord(question, Section.QUESTION);
        List<String> ips = names.get(question.getName().toString().toLowerCase());
        if (ips == null) {
            response.getHeader().setRcode(Rcode.NXDOMAIN);
            return response;
        }
        for (String ip : question.getType() == Type.A ? ips : List.<String>of()) {
            response.addRecord(new ARecord(question.getName(), DClass.IN, 60, InetAddress.getByName(ip)),
                    Section.ANSWER);
        }
        return response;
    }

    @Override
    public void close() throws IOException {
        udp.close();
        tcp.close();
    }
}
