package io.qube.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcStatus;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/** A single-member etcd (Debian's etcd-server) on 127.0.0.1 with a fresh data directory, and clients putting to it. */
final class Etcd implements AutoCloseable {

    final Process process;
    final int clientPort;
    final Path log;

    private Etcd(Process process, int clientPort, Path log) {
        this.process = process;
        this.clientPort = clientPort;
        this.log = log;
    }

    static Etcd start(Path directory) throws IOException, InterruptedException {
        Files.createDirectories(directory);
        int clientPort = QubeServer.freePort();
        int peerPort = QubeServer.freePort();
        String client = "http://127.0.0.1:" + clientPort;
        String peer = "http://127.0.0.1:" + peerPort;
        Path log = directory.resolve("etcd.log");
        Process process = new ProcessBuilder("etcd", "--name", "bench", "--data-dir",
                directory.resolve("data").toString(), "--listen-client-urls", client, "--advertise-client-urls", client,
                "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "bench=" + peer, "--log-level", "warn")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        Children.started(process);
        Etcd etcd = new Etcd(process, clientPort, log);
        etcd.awaitHealthy();
        return etcd;
    }

    /** {@code etcd --version}'s first line, e.g. "etcd Version: 3.4.23". */
    static String version() {
        try {
            Process p = new ProcessBuilder("etcd", "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            return out.lines().findFirst().orElse("etcd ?").replace("etcd Version: ", "");
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }

    long pid() {
        return process.pid();
    }

    private void awaitHealthy() throws InterruptedException, IOException {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + clientPort + "/health"))
                .timeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("etcd exited:\n" + Files.readString(log));
            }
            try {
                HttpResponse<String> answer = http.send(health, HttpResponse.BodyHandlers.ofString());
                if (answer.statusCode() == 200 && answer.body().contains("true")) {
                    return;
                }
            } catch (ConnectException notYet) {
                // starting
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("etcd not healthy after 60 s; log: " + log);
    }

    /** Puts over etcd's native gRPC API (etcdserverpb.KV/Put), one HTTP/2 connection per client. */
    ClosedLoop.Call grpcPuts(Vertx vertx, int clients, KeyValues keyValues) {
        SocketAddress server = SocketAddress.inetSocketAddress(clientPort, "127.0.0.1");
        List<GrpcClient> grpc = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            grpc.add(GrpcClient.client(vertx, new HttpClientOptions().setHttp2ClearTextUpgrade(false)));
        }
        return (client, index) -> grpc.get(client).request(server)
                .compose(request -> request.fullMethodName("etcdserverpb.KV/Put")
                        .send(putRequest(keyValues.key(index), keyValues.value(index))))
                .compose(response -> response.last().compose(reply -> response.status() == GrpcStatus.OK
                        ? Future.succeededFuture()
                        : Future.failedFuture("gRPC " + response.status() + " " + response.statusMessage())));
    }

    /** Puts through etcd's HTTP/JSON gateway ({@code POST /v3/kv/put}), one keep-alive connection per client. */
    ClosedLoop.Call gatewayPuts(Vertx vertx, int clients, KeyValues keyValues) {
        List<HttpClient> http = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            http.add(vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
                    .setDefaultPort(clientPort).setKeepAlive(true), new PoolOptions().setHttp1MaxSize(1)));
        }
        Base64.Encoder base64 = Base64.getEncoder();
        return (client, index) -> {
            String body = "{\"key\":\"" + base64.encodeToString(keyValues.key(index)) + "\",\"value\":\""
                    + base64.encodeToString(keyValues.value(index)) + "\"}";
            return http.get(client).request(HttpMethod.POST, "/v3/kv/put")
                    .compose(request -> request.putHeader("Content-Type", "application/json").send(body))
                    .compose(response -> response.body().compose(reply -> response.statusCode() == 200
                            ? Future.succeededFuture()
                            : Future.failedFuture("HTTP " + response.statusCode() + " " + reply)));
        };
    }

    /** The prefix {@link #watchTarget} watches and puts under. */
    static final String WATCHED_PREFIX = "/registry/configmaps/watch/";
    private static final int NAME_DIGITS = WATCHED_PREFIX.length() + 2;

    /**
     * etcd for {@link WatchLatency}: gRPC watches (etcdserverpb.Watch/Watch, one stream each) of a key prefix, a
     * hundred streams per HTTP/2 connection, and puts ({@code values(i)} at the prefix + the object's name) over
     * one more connection, on {@code writerVertx}.
     */
    WatchLatency.Target watchTarget(Vertx vertx, Vertx writerVertx, int watchers, IntFunction<byte[]> values) {
        SocketAddress server = SocketAddress.inetSocketAddress(clientPort, "127.0.0.1");
        byte[] prefix = WATCHED_PREFIX.getBytes(StandardCharsets.UTF_8);
        byte[] rangeEnd = prefix.clone();
        rangeEnd[rangeEnd.length - 1]++;
        List<GrpcClient> watchClients = new ArrayList<>();
        for (int i = 0; i < Math.max(1, watchers / 100); i++) {
            watchClients.add(GrpcClient.client(vertx, new HttpClientOptions().setHttp2ClearTextUpgrade(false)));
        }
        GrpcClient writer = GrpcClient.client(writerVertx, new HttpClientOptions().setHttp2ClearTextUpgrade(false));
        AtomicInteger opened = new AtomicInteger();
        return new WatchLatency.Target() {
            @Override
            public Future<?> open(WatchLatency.Watch watch) {
                GrpcClient client = watchClients.get(opened.getAndIncrement() % watchClients.size());
                Promise<Void> created = Promise.promise();
                client.request(server).onSuccess(request -> {
                    request.fullMethodName("etcdserverpb.Watch/Watch");
                    request.response().onSuccess(response -> {
                        response.handler(message -> onWatchResponse(message, watch, created));
                        response.exceptionHandler(failure -> watch.error("watch stream: " + failure.getMessage()));
                    }).onFailure(created::tryFail);
                    request.write(watchCreateRequest(prefix, rangeEnd));
                }).onFailure(created::tryFail);
                return created.future();
            }

            @Override
            public Future<?> create(int index) {
                byte[] key = (WATCHED_PREFIX + WatchLatency.objectName(index)).getBytes(StandardCharsets.UTF_8);
                return writer.request(server)
                        .compose(request -> request.fullMethodName("etcdserverpb.KV/Put")
                                .send(putRequest(key, values.apply(index))))
                        .compose(response -> response.last().compose(reply -> response.status() == GrpcStatus.OK
                                ? Future.succeededFuture()
                                : Future.failedFuture("gRPC " + response.status())));
            }

            @Override
            public void close() {
                watchClients.forEach(GrpcClient::close);
                writer.close();
            }
        };
    }

    /** A WatchRequest whose create_request (field 1) watches [key, rangeEnd). */
    private static Buffer watchCreateRequest(byte[] key, byte[] rangeEnd) {
        Buffer create = Buffer.buffer();
        bytesField(create, 0x0a, key);
        bytesField(create, 0x12, rangeEnd);
        Buffer request = Buffer.buffer();
        request.appendByte((byte) 0x0a);
        varint(request, create.length());
        request.appendBuffer(create);
        return request;
    }

    /** A WatchResponse: created (field 3) establishes the watch; each event (field 11) is reported. */
    private static void onWatchResponse(Buffer message, WatchLatency.Watch watch, Promise<Void> created) {
        long arrival = System.nanoTime();
        byte[] bytes = message.getBytes();
        Protobuf response = new Protobuf(bytes, 0, bytes.length);
        while (response.more()) {
            int tag = (int) response.varint();
            if ((tag & 7) == 2) {
                int length = (int) response.varint();
                if (tag >>> 3 == 11) {
                    onEvent(bytes, response.position, response.position + length, watch, arrival);
                }
                response.position += length;
            } else {
                long value = response.skip(tag & 7);
                if (tag >>> 3 == 3 && value != 0) {
                    created.tryComplete();
                }
            }
        }
    }

    /** An mvccpb.Event: its kv (field 2) holds key (1) and mod_revision (3). */
    private static void onEvent(byte[] bytes, int from, int to, WatchLatency.Watch watch, long arrival) {
        Protobuf event = new Protobuf(bytes, from, to);
        while (event.more()) {
            int tag = (int) event.varint();
            if ((tag & 7) != 2) {
                event.skip(tag & 7);
                continue;
            }
            int length = (int) event.varint();
            if (tag >>> 3 == 2) {
                Protobuf kv = new Protobuf(bytes, event.position, event.position + length);
                int index = -1;
                long revision = 0;
                while (kv.more()) {
                    int field = (int) kv.varint();
                    if ((field & 7) == 2) {
                        int size = (int) kv.varint();
                        if (field >>> 3 == 1 && size > NAME_DIGITS) {
                            // The key is WATCHED_PREFIX + "w-" + digits.
                            index = WatchLatency.indexOf(bytes, kv.position + NAME_DIGITS, kv.position + size);
                        }
                        kv.position += size;
                    } else {
                        long value = kv.skip(field & 7);
                        if (field >>> 3 == 3) {
                            revision = value;
                        }
                    }
                }
                watch.onEvent(index, revision, arrival);
            }
            event.position += length;
        }
    }

    /** Just enough of the protobuf wire format to walk etcd's watch responses. */
    private static final class Protobuf {
        private final byte[] bytes;
        private final int end;
        int position;

        Protobuf(byte[] bytes, int from, int to) {
            this.bytes = bytes;
            this.position = from;
            this.end = to;
        }

        boolean more() {
            return position < end;
        }

        long varint() {
            long value = 0;
            for (int shift = 0; ; shift += 7) {
                byte b = bytes[position++];
                value |= (long) (b & 0x7f) << shift;
                if (b >= 0) {
                    return value;
                }
            }
        }

        /** Skips a field of wire type {@code type} other than length-delimited; returns a varint's value. */
        long skip(int type) {
            switch (type) {
                case 0:
                    return varint();
                case 1:
                    position += 8;
                    return 0;
                case 5:
                    position += 4;
                    return 0;
                default:
                    throw new IllegalStateException("unexpected protobuf wire type " + type);
            }
        }
    }

    /** The keys and values to put: request {@code index} puts {@code value(index)} at {@code key(index)}. */
    interface KeyValues {
        byte[] key(long index);

        byte[] value(long index);
    }

    /** A PutRequest message: field 1 key (bytes), field 2 value (bytes). */
    static Buffer putRequest(byte[] key, byte[] value) {
        Buffer message = Buffer.buffer(key.length + value.length + 12);
        bytesField(message, 0x0a, key);
        bytesField(message, 0x12, value);
        return message;
    }

    /** A length-delimited field: its tag byte (field number and wire type 2), the length as a varint, the bytes. */
    private static void bytesField(Buffer message, int tag, byte[] bytes) {
        message.appendByte((byte) tag);
        varint(message, bytes.length);
        message.appendBytes(bytes);
    }

    private static void varint(Buffer buffer, int value) {
        while ((value & ~0x7f) != 0) {
            buffer.appendByte((byte) ((value & 0x7f) | 0x80));
            value >>>= 7;
        }
        buffer.appendByte((byte) value);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
