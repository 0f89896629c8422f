package io.qube.agent.pod;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.ExecAction;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.TCPSocketAction;
import io.qube.agent.runtime.ContainerRuntime;
import io.qube.agent.runtime.ExecResult;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

/**
 * One check of a probe or a lifecycle hook handler (exec, httpGet, tcpSocket), as the kubelet's prober runs it:
 * exec in the container, exit 0 succeeds; HTTP to the pod's IP, 200-399 succeeds; a TCP connection that opens
 * succeeds. The failure message is the kubelet's wording, shown in the Unhealthy event.
 */
final class ProbeCheck {

    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(10)).build();

    /** The outcome: null message when it succeeded. */
    record Result(boolean success, String message) {
        static final Result OK = new Result(true, null);
    }

    private ProbeCheck() {
    }

    static Result run(ContainerRuntime runtime, String containerId, Container container, String podIp,
                      ExecAction exec, HTTPGetAction http, TCPSocketAction tcp, Duration timeout) {
        try {
            if (exec != null) {
                return exec(runtime, containerId, exec.getCommand(), timeout);
            }
            if (http != null) {
                return http(container, podIp, http, timeout);
            }
            if (tcp != null) {
                return tcp(container, podIp, tcp, timeout);
            }
            return new Result(false, "the probe has no handler this node runs (exec, httpGet, tcpSocket)");
        } catch (IOException | RuntimeException e) {
            return new Result(false, e.getMessage());
        }
    }

    private static Result exec(ContainerRuntime runtime, String containerId, List<String> command, Duration timeout)
            throws IOException {
        ExecResult result = runtime.execSync(containerId, command, timeout);
        if (result.timedOut()) {
            // The kubelet's words for a timed-out exec probe.
            return new Result(false, "command \"" + String.join(" ", command) + "\" timed out");
        }
        String output = result.output().strip();
        return result.exitCode() == 0 ? Result.OK
                : new Result(false, output.isEmpty() ? "command \"" + String.join(" ", command)
                        + "\" exited with " + result.exitCode() : output);
    }

    private static Result http(Container container, String podIp, HTTPGetAction action, Duration timeout)
            throws IOException {
        String host = action.getHost() == null || action.getHost().isEmpty() ? podIp : action.getHost();
        int port = port(container, action.getPort());
        String scheme = action.getScheme() == null ? "http" : action.getScheme().toLowerCase();
        String path = action.getPath() == null || action.getPath().isEmpty() ? "/" : action.getPath();
        URI uri = URI.create(scheme + "://" + host + ":" + port + (path.startsWith("/") ? path : "/" + path));
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout).GET()
                .header("User-Agent", "kube-probe/1.32");
        if (action.getHttpHeaders() != null) {
            action.getHttpHeaders().forEach(header -> request.setHeader(header.getName(), header.getValue()));
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            int code = response.statusCode();
            return code >= 200 && code < 400 ? Result.OK
                    : new Result(false, "HTTP probe failed with statuscode: " + code);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(false, "interrupted");
        } catch (IOException e) {
            return new Result(false, "Get \"" + uri + "\": " + describe(e));
        }
    }

    private static Result tcp(Container container, String podIp, TCPSocketAction action, Duration timeout) {
        String host = action.getHost() == null || action.getHost().isEmpty() ? podIp : action.getHost();
        int port = port(container, action.getPort());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            return Result.OK;
        } catch (IOException e) {
            return new Result(false, "dial tcp " + host + ":" + port + ": " + describe(e));
        }
    }

    /** A port by number, or by the name of one of the container's ports. */
    private static int port(Container container, IntOrString port) {
        if (port == null) {
            throw new IllegalArgumentException("the probe names no port");
        }
        if (port.getIntVal() != null) {
            return port.getIntVal();
        }
        for (ContainerPort candidate : container.getPorts()) {
            if (port.getStrVal().equals(candidate.getName())) {
                return candidate.getContainerPort();
            }
        }
        throw new IllegalArgumentException("couldn't find port: " + port.getStrVal() + " in container "
                + container.getName());
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : "connect: " + e.getMessage();
    }
}
