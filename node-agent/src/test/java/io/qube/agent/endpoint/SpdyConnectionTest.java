package io.qube.agent.endpoint;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.spdy.DefaultSpdyDataFrame;
import io.netty.handler.codec.spdy.DefaultSpdyPingFrame;
import io.netty.handler.codec.spdy.DefaultSpdySynStreamFrame;
import io.netty.handler.codec.spdy.SpdyDataFrame;
import io.netty.handler.codec.spdy.SpdyFrame;
import io.netty.handler.codec.spdy.SpdyFrameCodec;
import io.netty.handler.codec.spdy.SpdyGoAwayFrame;
import io.netty.handler.codec.spdy.SpdyHeaders;
import io.netty.handler.codec.spdy.SpdyPingFrame;
import io.netty.handler.codec.spdy.SpdySynReplyFrame;
import io.netty.handler.codec.spdy.SpdyVersion;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The server side of SPDY as the port-forward session uses it, fed by a client codec in arbitrary splits. */
class SpdyConnectionTest {

    private final List<String> events = new ArrayList<>();
    private final List<Buffer> sent = new ArrayList<>();
    private final SpdyConnection connection = new SpdyConnection(sent::add, new SpdyConnection.Streams() {
        @Override
        public void opened(int streamId, SpdyHeaders headers, boolean clientFinished) {
            events.add("opened " + streamId + " " + headers.getAsString("streamtype") + " "
                    + headers.getAsString("port") + (clientFinished ? " fin" : ""));
        }

        @Override
        public void data(int streamId, Buffer bytes) {
            events.add("data " + streamId + " " + bytes.toString(StandardCharsets.UTF_8));
        }

        @Override
        public void finished(int streamId) {
            events.add("finished " + streamId);
        }

        @Override
        public void reset(int streamId) {
            events.add("reset " + streamId);
        }

        @Override
        public void closed() {
            events.add("closed");
        }
    });
    /** The client's side: encodes what it sends, decodes what the connection answers. */
    private final EmbeddedChannel client = new EmbeddedChannel(new SpdyFrameCodec(SpdyVersion.SPDY_3_1));

    @Test
    void framesSplitAnywhereAreReadWholeAndInOrder() {
        DefaultSpdySynStreamFrame error = new DefaultSpdySynStreamFrame(1, 0, (byte) 0);
        error.headers().set("streamtype", "error").set("port", "8080").set("requestid", "0");
        DefaultSpdySynStreamFrame data = new DefaultSpdySynStreamFrame(3, 0, (byte) 0);
        data.headers().set("streamtype", "data").set("port", "8080").set("requestid", "0");
        byte[] bytes = encode(error, data,
                new DefaultSpdyDataFrame(3, Unpooled.copiedBuffer("GET /", StandardCharsets.UTF_8)),
                new DefaultSpdyDataFrame(3).setLast(true));
        for (byte one : bytes) { // one byte per message: the worst split a tunnel could deliver
            connection.receive(Buffer.buffer(new byte[] {one}));
        }
        assertThat(events).containsExactly("opened 1 error 8080", "opened 3 data 8080", "data 3 GET /",
                "finished 3");
    }

    @Test
    void repliesAndDataReachTheClientDecodable() {
        connection.reply(1, "streamtype", "data");
        connection.write(1, Buffer.buffer("answer"));
        connection.finish(1);
        List<SpdyFrame> frames = decodeSent();
        assertThat(frames).hasSize(3);
        SpdySynReplyFrame reply = (SpdySynReplyFrame) frames.get(0);
        assertThat(reply.streamId()).isEqualTo(1);
        // Go's framer needs a header block in a SYN_REPLY; an empty set would be encoded as none.
        assertThat(reply.headers().getAsString("streamtype")).isEqualTo("data");
        assertThat(((SpdyDataFrame) frames.get(1)).content().toString(StandardCharsets.UTF_8)).isEqualTo("answer");
        assertThat(((SpdyDataFrame) frames.get(2)).isLast()).isTrue();
    }

    @Test
    void theClientsPingsAreEchoed() {
        connection.receive(Buffer.buffer(encode(new DefaultSpdyPingFrame(7))));
        List<SpdyFrame> frames = decodeSent();
        assertThat(frames).hasSize(1);
        assertThat(((SpdyPingFrame) frames.get(0)).id()).isEqualTo(7);
    }

    @Test
    void unreadableBytesEndTheConnectionWithAGoAway() {
        connection.receive(Buffer.buffer(new byte[] {(byte) 0x80, 0x02, 0x00, 0x01, 0x00, 0x00, 0x00, 0x0a,
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0})); // a SYN_STREAM of SPDY version 2
        assertThat(events).containsExactly("closed");
        assertThat(decodeSent()).singleElement().isInstanceOf(SpdyGoAwayFrame.class);
        connection.receive(Buffer.buffer(encode(new DefaultSpdyPingFrame(9))));
        assertThat(sent).hasSize(1); // nothing more once closed
    }

    private byte[] encode(SpdyFrame... frames) {
        for (SpdyFrame frame : frames) {
            client.writeOutbound(frame);
        }
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf part = client.readOutbound(); part != null; part = client.readOutbound()) {
            all.writeBytes(part);
            part.release();
        }
        return ByteBufUtil.getBytes(all);
    }

    private List<SpdyFrame> decodeSent() {
        for (Buffer buffer : sent) {
            client.writeInbound(Unpooled.wrappedBuffer(buffer.getBytes()));
        }
        List<SpdyFrame> frames = new ArrayList<>();
        for (Object frame = client.readInbound(); frame != null; frame = client.readInbound()) {
            frames.add((SpdyFrame) frame);
        }
        return frames;
    }
}
