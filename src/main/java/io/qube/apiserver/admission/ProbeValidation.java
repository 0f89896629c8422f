package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.ExecAction;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Lifecycle;
import io.fabric8.kubernetes.api.model.LifecycleHandler;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SleepAction;
import io.qube.apiserver.registry.FieldErrors;

import java.util.List;

/** Kubernetes' validation of a container's probes and lifecycle hooks. */
final class ProbeValidation {

    private static final List<String> HTTP_SCHEMES = List.of("HTTP", "HTTPS");

    private ProbeValidation() {
    }

    /** A liveness probe that needed several successes would keep restarting a container that is fine. */
    static void liveness(Probe probe, String path, FieldErrors errors) {
        if (probe != null) {
            mustSucceedOnce(probe, path, errors);
            probe(probe, path, errors);
        }
    }

    static void startup(Probe probe, String path, FieldErrors errors) {
        if (probe != null) {
            mustSucceedOnce(probe, path, errors);
            probe(probe, path, errors);
        }
    }

    /** A failing readiness probe never kills the container, so a grace period for the kill means nothing. */
    static void readiness(Probe probe, String path, FieldErrors errors) {
        if (probe != null) {
            if (probe.getTerminationGracePeriodSeconds() != null) {
                errors.invalid(path + ".terminationGracePeriodSeconds", probe.getTerminationGracePeriodSeconds(),
                        "must not be set for readinessProbes");
            }
            probe(probe, path, errors);
        }
    }

    static void lifecycle(Lifecycle lifecycle, Long gracePeriod, String path, FieldErrors errors) {
        hook(lifecycle.getPostStart(), gracePeriod, path + ".postStart", errors);
        hook(lifecycle.getPreStop(), gracePeriod, path + ".preStop", errors);
    }

    /** A port given as a number (1-65535) or as the name of a container port. */
    static void portNumberOrName(IntOrString port, String path, FieldErrors errors) {
        if (port != null && port.getStrVal() != null) {
            NameSyntax.portName(port.getStrVal()).forEach(problem -> errors.invalid(path, port.getStrVal(), problem));
        } else {
            int number = port == null || port.getIntVal() == null ? 0 : port.getIntVal();
            NameSyntax.portNumber(number).forEach(problem -> errors.invalid(path, number, problem));
        }
    }

    private static void mustSucceedOnce(Probe probe, String path, FieldErrors errors) {
        if (probe.getSuccessThreshold() != null && probe.getSuccessThreshold() != 1) {
            errors.invalid(path + ".successThreshold", probe.getSuccessThreshold(), "must be 1");
        }
    }

    private static void probe(Probe probe, String path, FieldErrors errors) {
        Handlers handlers = new Handlers(path, errors);
        if (handlers.first(probe.getExec(), "exec")) {
            exec(probe.getExec(), path + ".exec", errors);
        }
        if (handlers.first(probe.getHttpGet(), "httpGet")) {
            httpGet(probe.getHttpGet(), path + ".httpGet", errors);
        }
        if (handlers.first(probe.getTcpSocket(), "tcpSocket")) {
            portNumberOrName(probe.getTcpSocket().getPort(), path + ".tcpSocket.port", errors);
        }
        if (handlers.first(probe.getGrpc(), "grpc")) {
            int port = probe.getGrpc().getPort() == null ? 0 : probe.getGrpc().getPort();
            NameSyntax.portNumber(port).forEach(problem -> errors.invalid(path + ".grpc.port", port, problem));
        }
        handlers.requireOne();
        nonNegative(probe.getInitialDelaySeconds(), path + ".initialDelaySeconds", errors);
        nonNegative(probe.getTimeoutSeconds(), path + ".timeoutSeconds", errors);
        nonNegative(probe.getPeriodSeconds(), path + ".periodSeconds", errors);
        nonNegative(probe.getSuccessThreshold(), path + ".successThreshold", errors);
        nonNegative(probe.getFailureThreshold(), path + ".failureThreshold", errors);
        if (probe.getTerminationGracePeriodSeconds() != null && probe.getTerminationGracePeriodSeconds() <= 0) {
            errors.invalid(path + ".terminationGracePeriodSeconds", probe.getTerminationGracePeriodSeconds(),
                    "must be greater than 0");
        }
    }

    private static void hook(LifecycleHandler hook, Long gracePeriod, String path, FieldErrors errors) {
        if (hook == null) {
            return;
        }
        Handlers handlers = new Handlers(path, errors);
        if (handlers.first(hook.getExec(), "exec")) {
            exec(hook.getExec(), path + ".exec", errors);
        }
        if (handlers.first(hook.getHttpGet(), "httpGet")) {
            httpGet(hook.getHttpGet(), path + ".httpGet", errors);
        }
        if (handlers.first(hook.getTcpSocket(), "tcpSocket")) {
            portNumberOrName(hook.getTcpSocket().getPort(), path + ".tcpSocket.port", errors);
        }
        if (handlers.first(hook.getSleep(), "sleep")) {
            sleep(hook.getSleep(), gracePeriod, path + ".sleep", errors);
        }
        handlers.requireOne();
    }

    private static void exec(ExecAction exec, String path, FieldErrors errors) {
        if (NullSafe.list(exec.getCommand()).isEmpty()) {
            errors.required(path + ".command", "");
        }
    }

    private static void httpGet(HTTPGetAction http, String path, FieldErrors errors) {
        if (NullSafe.isEmpty(http.getPath())) {
            errors.required(path + ".path", "");
        }
        portNumberOrName(http.getPort(), path + ".port", errors);
        if (!HTTP_SCHEMES.contains(NullSafe.string(http.getScheme()))) {
            errors.notSupported(path + ".scheme", NullSafe.string(http.getScheme()), HTTP_SCHEMES);
        }
    }

    /** Exactly one way of probing (or hooking) may be given: the first is checked, each further one refused. */
    private static final class Handlers {

        private final String path;
        private final FieldErrors errors;
        private int found;

        Handlers(String path, FieldErrors errors) {
            this.path = path;
            this.errors = errors;
        }

        boolean first(Object handler, String name) {
            if (handler == null) {
                return false;
            }
            if (found++ > 0) {
                errors.forbidden(path + "." + name, "may not specify more than 1 handler type");
                return false;
            }
            return true;
        }

        void requireOne() {
            if (found == 0) {
                errors.required(path, "must specify a handler type");
            }
        }
    }

    /** A preStop sleep longer than the grace period would be cut short by the kill anyway. */
    private static void sleep(SleepAction sleep, Long gracePeriod, String path, FieldErrors errors) {
        long seconds = sleep.getSeconds() == null ? 0 : sleep.getSeconds();
        if (gracePeriod != null && (seconds <= 0 || seconds > gracePeriod)) {
            errors.invalid(path, seconds, "must be greater than 0 and less than terminationGracePeriodSeconds ("
                    + gracePeriod + "). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.");
        }
    }

    private static void nonNegative(Integer value, String path, FieldErrors errors) {
        if (value != null && value < 0) {
            errors.invalid(path, value, "must be greater than or equal to 0");
        }
    }
}
