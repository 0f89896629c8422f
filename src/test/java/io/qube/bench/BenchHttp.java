package io.qube.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;

import java.util.ArrayList;
import java.util.List;

/** The benchmarks' load clients: one keep-alive Vert.x connection per client, writes that expect 201. */
final class BenchHttp {

    static final String USER_AGENT = "api-benchmark/1.0";

    private BenchHttp() {
    }

    static List<HttpClient> clients(Vertx vertx, int port, int count) {
        List<HttpClient> clients = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            clients.add(vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
                    .setKeepAlive(true), new PoolOptions().setHttp1MaxSize(1)));
        }
        return clients;
    }

    static void closeAll(List<HttpClient> clients) {
        clients.forEach(HttpClient::close);
    }

    /** POSTs JSON; fails unless the answer is 201 Created. */
    static Future<?> post(HttpClient client, String path, String body) {
        return client.request(HttpMethod.POST, path)
                .compose(request -> request.putHeader("Content-Type", "application/json")
                        .putHeader("User-Agent", USER_AGENT).send(body))
                .compose(response -> response.body().compose(reply -> response.statusCode() == 201
                        ? Future.succeededFuture()
                        : Future.failedFuture("HTTP " + response.statusCode() + " " + reply)));
    }
}
