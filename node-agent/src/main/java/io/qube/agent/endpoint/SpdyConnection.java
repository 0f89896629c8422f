package io.qube.agent.endpoint;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyGoAwayFrame;
import io.netty.handler.codec.spdy.DefaultSpdyRstStreamFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyHeaders;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdyRstStreamFrame;
import io.netty.handler.codec.spdy.SpdyStreamStatus;
import io.netty.handler.codec.spdy.SpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.buffer.Buffer;

import java.util.function.Consumer;

/**
 * The server's side of one SPDY/3.1 connection whose bytes arrive and leave as opaque chunks (binary WebSocket
 * messages, as client-go tunnels SPDY in a WebSocket, in whatever split the sender chose). Netty's frame codec does
 * the framing and the zlib header compression; this class keeps only what a streaming server needs: new streams,
 * their data and ends, resets, and pings answered. Flow control is not enforced in either direction, as the
 * spdystream library on the client's side does not send window updates. Not thread-safe: one Vert.x context drives
 * it.
 */
final class SpdyConnection {

    /** What the connection reports of the client's streams. */
    interface Streams {

        /** A stream the client opened; its headers are lower-case as SPDY sends them. */
        void opened(int streamId, SpdyHeaders headers, boolean clientFinished);

        /** Bytes the client sent on a stream (the caller keeps them only by copying). */
        void data(int streamId, Buffer bytes);

        /** The client will send no more on this stream (FIN). */
        void finished(int streamId);

        /** The client abandoned the stream (RST_STREAM). */
        void reset(int streamId);

        /** The connection ended: by GOAWAY or a frame that could not be read. */
        void closed();
    }

    private final EmbeddedChannel codec = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1, false));
    private final Consumer<Buffer> transport;
    private final Streams streams;
    private boolean closed;

    SpdyConnection(Consumer<Buffer> transport, Streams streams) {
        this.transport = transport;
        this.streams = streams;
    }

    /** The next bytes from the client; complete frames among them are handled now, the rest waits for more. */
    void receive(Buffer bytes) {
        if (closed) {
            return;
        }
        try {
            codec.writeInbound(Unpooled.wrappedBuffer(bytes.getBytes()));
            codec.checkException();
        } catch (Exception e) { // Netty throws its checked SpdyProtocolException unchecked
            // An unreadable frame leaves the byte stream without a boundary to resume at: end the connection.
            goAway(1);
            return;
        }
        for (Object frame = codec.readInbound(); frame != null; frame = codec.readInbound()) {
            try {
                handle((SpdyFrame) frame);
            } finally {
                ReferenceCountUtil.release(frame);
            }
        }
    }

    private void handle(SpdyFrame frame) {
        if (frame instanceof SpdySynStreamFrame syn) {
            streams.opened(syn.streamId(), syn.headers(), syn.isLast());
        } else if (frame instanceof SpdyDataFrame data) {
            if (data.content().isReadable()) {
                streams.data(data.streamId(), Buffer.buffer(ByteBufUtil.getBytes(data.content())));
            }
            if (data.isLast()) {
                streams.finished(data.streamId());
            }
        } else if (frame instanceof SpdyRstStreamFrame reset) {
            streams.reset(reset.streamId());
        } else if (frame instanceof SpdyPingFrame ping && ping.id() % 2 == 1) {
            send(ping); // a client's ping (odd id) is echoed
        } else if (frame instanceof SpdyGoAwayFrame) {
            close();
        }
        // SETTINGS, WINDOW_UPDATE and HEADERS carry nothing a port-forward server acts on.
    }

    /**
     * Accepts a stream the client opened (SYN_REPLY), which the client waits for before it sends. The reply
     * carries one header: Netty encodes an empty header set as no header block at all, which Go's SPDY framer
     * cannot read (it expects at least the compressed count of zero headers).
     */
    void reply(int streamId, String name, String value) {
        DefaultSpdySynReplyFrame reply = new DefaultSpdySynReplyFrame(streamId);
        reply.headers().set(name, value);
        send(reply);
    }

    void write(int streamId, Buffer bytes) {
        send(new DefaultSpdyDataFrame(streamId, Unpooled.wrappedBuffer(bytes.getBytes())));
    }

    /** This side sends no more on the stream (a DATA frame with FIN). */
    void finish(int streamId) {
        send(new DefaultSpdyDataFrame(streamId).setLast(true));
    }

    void reset(int streamId, SpdyStreamStatus status) {
        send(new DefaultSpdyRstStreamFrame(streamId, status));
    }

    /** Ends the connection from this side (GOAWAY with a status: 0 OK, 1 protocol error). */
    void goAway(int status) {
        send(new DefaultSpdyGoAwayFrame(0, status));
        close();
    }

    /** The connection is over: nothing more is sent or read, and the streams hear of it once. */
    void close() {
        if (!closed) {
            closed = true;
            try {
                codec.finishAndReleaseAll();
            } catch (Exception e) {
                // the rest of an unreadable frame, left in the decoder: nothing more is read
            }
            streams.closed();
        }
    }

    private void send(SpdyFrame frame) {
        if (closed) {
            ReferenceCountUtil.release(frame);
            return;
        }
        codec.writeOutbound(frame);
        for (ByteBuf bytes = codec.readOutbound(); bytes != null; bytes = codec.readOutbound()) {
            try {
                transport.accept(Buffer.buffer(ByteBufUtil.getBytes(bytes)));
            } finally {
                bytes.release();
            }
        }
    }
}
