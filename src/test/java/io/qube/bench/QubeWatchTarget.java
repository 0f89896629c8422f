package io.qube.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.IntFunction;

/**
 * Qube for {@link WatchLatency}: chunked HTTP watches of the label-selected ConfigMaps ({@code bench=watch}) of
 * one namespace on one apiserver, one connection each, and creates (POST) through another apiserver, from
 * their own Vert.x instance ({@code writer}) so that the watch traffic arriving does not delay them.
 */
final class QubeWatchTarget implements WatchLatency.Target {

    private static final byte[] NAME_MARK = "\"name\":\"w-".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] VERSION_MARK = "\"resourceVersion\":\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ADDED = "{\"type\":\"ADDED\"".getBytes(StandardCharsets.US_ASCII);

    private final HttpClient watchClient;
    private final HttpClient writeClient;
    private final String collection;
    private final String watchPath;
    private final IntFunction<String> bodies;

    /**
     * @param resourceVersion where the watches start: a list's resourceVersion from before the first create
     * @param bodies          the request body of create number {@code i}
     */
    QubeWatchTarget(Vertx vertx, Vertx writer, int watchPort, int writePort, String namespace, String resourceVersion,
                    int watchers, IntFunction<String> bodies) {
        this.watchClient = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
                .setDefaultPort(watchPort).setKeepAlive(true).setConnectTimeout(30_000),
                new PoolOptions().setHttp1MaxSize(watchers));
        this.writeClient = writer.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1")
                .setDefaultPort(writePort).setKeepAlive(true), new PoolOptions().setHttp1MaxSize(16));
        this.collection = "/api/v1/namespaces/" + namespace + "/configmaps";
        this.watchPath = collection + "?watch=1&labelSelector=bench%3Dwatch&resourceVersion=" + resourceVersion;
        this.bodies = bodies;
    }

    @Override
    public Future<?> open(WatchLatency.Watch watch) {
        return watchClient.request(HttpMethod.GET, watchPath)
                .compose(request -> request.send())
                .compose(response -> {
                    if (response.statusCode() != 200) {
                        return Future.failedFuture("watch answered " + response.statusCode());
                    }
                    response.handler(new Lines(watch)::onChunk);
                    return Future.succeededFuture();
                });
    }

    @Override
    public Future<?> create(int index) {
        String body = bodies.apply(index);
        return writeClient.request(HttpMethod.POST, collection)
                .compose(request -> request.putHeader("Content-Type", "application/json")
                        .putHeader("User-Agent", BenchHttp.USER_AGENT).send(body))
                .compose(response -> response.body().compose(reply -> response.statusCode() == 201
                        ? Future.succeededFuture()
                        : Future.failedFuture("HTTP " + response.statusCode() + " " + reply)));
    }

    @Override
    public void close() {
        watchClient.close();
        writeClient.close();
    }

    /** Splits one watch stream into its newline-delimited events and reports each. */
    private static final class Lines {
        private final WatchLatency.Watch watch;
        private byte[] line = new byte[4096];
        private int length;

        Lines(WatchLatency.Watch watch) {
            this.watch = watch;
        }

        void onChunk(Buffer chunk) {
            long arrival = System.nanoTime();
            byte[] bytes = chunk.getBytes();
            int from = 0;
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] == '\n') {
                    append(bytes, from, i);
                    onLine(arrival);
                    length = 0;
                    from = i + 1;
                }
            }
            append(bytes, from, bytes.length);
        }

        private void append(byte[] bytes, int from, int to) {
            int n = to - from;
            if (length + n > line.length) {
                line = Arrays.copyOf(line, Math.max(line.length * 2, length + n));
            }
            System.arraycopy(bytes, from, line, length, n);
            length += n;
        }

        private void onLine(long arrival) {
            if (length == 0) {
                return;
            }
            int name = WatchLatency.find(line, length, NAME_MARK);
            int version = WatchLatency.find(line, length, VERSION_MARK);
            if (WatchLatency.find(line, Math.min(length, ADDED.length), ADDED) != 0 || name < 0 || version < 0) {
                watch.error(new String(line, 0, Math.min(length, 300), StandardCharsets.UTF_8));
                return;
            }
            int index = WatchLatency.indexOf(line, name + NAME_MARK.length, length);
            long revision = 0;
            for (int i = version + VERSION_MARK.length; i < length && line[i] >= '0' && line[i] <= '9'; i++) {
                revision = revision * 10 + (line[i] - '0');
            }
            watch.onEvent(index, revision, arrival);
        }
    }
}
