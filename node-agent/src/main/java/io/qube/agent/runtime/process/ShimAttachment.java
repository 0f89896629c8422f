package io.qube.agent.runtime.process;

import io.qube.agent.runtime.Attachment;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A client of a container shim's attach socket: messages framed as type (1 byte), length (4 bytes), payload, both
 * ways (the protocol is described in qube-shim.c).
 */
final class ShimAttachment implements Attachment {

    private static final byte STDIN = 0;
    private static final byte STDIN_END = 3;
    private static final byte RESIZE = 4;
    /** sun_path holds 108 bytes with its terminating zero; a longer path is reached through a short link. */
    private static final int MAX_SOCKET_PATH = 100;

    private final SocketChannel channel;

    private ShimAttachment(SocketChannel channel) {
        this.channel = channel;
    }

    static ShimAttachment connect(Path socket) throws IOException {
        Path absolute = socket.toAbsolutePath();
        if (!Files.exists(absolute)) {
            throw new IOException("the container's shim offers no attach socket (it ended, or predates attach)");
        }
        if (absolute.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length <= MAX_SOCKET_PATH) {
            return new ShimAttachment(SocketChannel.open(UnixDomainSocketAddress.of(absolute)));
        }
        Path links = Files.createTempDirectory("qube-attach");
        Path link = links.resolve("c");
        try {
            Files.createSymbolicLink(link, absolute.getParent());
            return new ShimAttachment(SocketChannel.open(UnixDomainSocketAddress.of(link.resolve("attach"))));
        } finally {
            Files.deleteIfExists(link);
            Files.deleteIfExists(links);
        }
    }

    @Override
    public void stdin(byte[] data) throws IOException {
        send(STDIN, data);
    }

    @Override
    public void closeStdin() throws IOException {
        send(STDIN_END, new byte[0]);
    }

    @Override
    public void resize(int columns, int rows) throws IOException {
        send(RESIZE, new byte[] {(byte) (columns >> 8), (byte) columns, (byte) (rows >> 8), (byte) rows});
    }

    private synchronized void send(byte type, byte[] payload) throws IOException {
        ByteBuffer message = ByteBuffer.allocate(5 + payload.length).put(type).putInt(payload.length).put(payload)
                .flip();
        while (message.hasRemaining()) {
            channel.write(message);
        }
    }

    @Override
    public void output(Sink sink) throws IOException {
        DataInputStream in = new DataInputStream(Channels.newInputStream(channel));
        while (true) {
            int type;
            try {
                type = in.readUnsignedByte();
            } catch (EOFException | java.nio.channels.ClosedChannelException ended) {
                return; // the container ended, or the attachment was closed
            }
            byte[] payload = new byte[in.readInt()];
            in.readFully(payload);
            sink.output(type, payload);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
