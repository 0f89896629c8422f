package io.qube.agent.dns;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;

/** DNS messages over TCP: each one preceded by its length in two bytes (RFC 1035 4.2.2). */
final class DnsStreams {

    private DnsStreams() {
    }

    /** The next message, or null when the peer closed the connection between messages. */
    static byte[] read(DataInputStream in) throws IOException {
        int length;
        try {
            length = in.readUnsignedShort();
        } catch (EOFException e) {
            return null;
        }
        byte[] message = new byte[length];
        in.readFully(message);
        return message;
    }

    static void write(DataOutputStream out, byte[] message) throws IOException {
        out.writeShort(message.length);
        out.write(message);
        out.flush();
    }
}
