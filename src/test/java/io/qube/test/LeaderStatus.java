package io.qube.test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Who leads a leader-elected component, as a control-plane process reports it (metrics) and its Lease says. */
public final class LeaderStatus {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private LeaderStatus() {
    }

    /** 1 when the process on this port leads {@code lease} (its leader_election_master_status gauge), else 0. */
    public static int leading(int port, String lease) throws Exception {
        String metrics = get("http://127.0.0.1:" + port + "/q/metrics");
        return metrics.lines().anyMatch(line -> line.startsWith("leader_election_master_status{")
                && line.contains("name=\"" + lease + "\"") && line.endsWith(" 1.0")) ? 1 : 0;
    }

    /** The holderIdentity of the Lease in kube-system, read through the apiserver on this port. */
    public static String holder(int port, String lease) throws Exception {
        String body = get("http://127.0.0.1:" + port + "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/"
                + lease);
        return body.replaceAll("(?s).*\"holderIdentity\":\"([^\"]*)\".*", "$1");
    }

    private static String get(String url) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
