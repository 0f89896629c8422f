package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.TypedLocalObjectReference;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressRuleValue;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassParametersReference;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassSpec;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressServiceBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressSpec;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import io.qube.apiserver.registry.FieldErrors;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Kubernetes' validation of Ingresses and IngressClasses (pkg/apis/networking/validation): rules need a path type
 * and absolute, normalised paths, every backend is a service (by name and one port) or a typed resource, hosts are
 * DNS names or wildcards, and a class names its controller as a domain-prefixed path.
 */
final class IngressValidation {

    static final String CLASS_ANNOTATION = "kubernetes.io/ingress.class";
    private static final List<String> PATH_TYPES = List.of("Exact", "ImplementationSpecific", "Prefix");
    private static final List<String> INVALID_PATH_SEQUENCES = List.of("//", "/./", "/../", "%2f", "%2F");
    private static final List<String> INVALID_PATH_SUFFIXES = List.of("/..", "/.");
    private static final List<String> PARAMETER_SCOPES = List.of("Cluster", "Namespace");
    private static final int MAX_CONTROLLER_LENGTH = 250;
    private static final Pattern PATH_SEGMENT = Pattern.compile("[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+");

    private IngressValidation() {
    }

    static void ingress(Ingress ingress, Ingress old, FieldErrors errors) {
        IngressSpec spec = ingress.getSpec() == null ? new IngressSpec() : ingress.getSpec();
        List<IngressRule> rules = NullSafe.list(spec.getRules());
        if (rules.isEmpty() && spec.getDefaultBackend() == null) {
            errors.invalid("spec", "null", "either `defaultBackend` or `rules` must be specified");
        }
        if (spec.getDefaultBackend() != null) {
            backend(spec.getDefaultBackend(), "spec.defaultBackend", errors);
        }
        for (int i = 0; i < rules.size(); i++) {
            rule(rules.get(i), "spec.rules[" + i + "]", errors);
        }
        tls(NullSafe.list(spec.getTls()), errors);
        String className = spec.getIngressClassName();
        if (className != null) {
            NameSyntax.dns1123Subdomain(className).forEach(problem ->
                    errors.invalid("spec.ingressClassName", className, problem));
        }
        String annotated = NullSafe.map(ingress.getMetadata().getAnnotations()).get(CLASS_ANNOTATION);
        if (old == null && annotated != null && className != null && !annotated.equals(className)) {
            errors.invalid("annotations." + CLASS_ANNOTATION, annotated,
                    "must match `ingressClassName` when both are specified");
        }
        if (ingress.getStatus() != null && ingress.getStatus().getLoadBalancer() != null) {
            loadBalancer(NullSafe.list(ingress.getStatus().getLoadBalancer().getIngress()), errors);
        }
    }

    static void ingressClass(IngressClass ingressClass, IngressClass old, FieldErrors errors) {
        IngressClassSpec spec = ingressClass.getSpec() == null ? new IngressClassSpec() : ingressClass.getSpec();
        String controller = NullSafe.string(spec.getController());
        if (controller.length() > MAX_CONTROLLER_LENGTH) {
            errors.tooLong("spec.controller", MAX_CONTROLLER_LENGTH);
        }
        domainPrefixedPath(controller, "spec.controller", errors);
        if (spec.getParameters() != null) {
            parameters(spec.getParameters(), "spec.parameters", errors);
        }
        if (old != null && old.getSpec() != null && !Objects.equals(spec.getController(), old.getSpec().getController())) {
            errors.immutable("spec.controller");
        }
    }

    private static void rule(IngressRule rule, String path, FieldErrors errors) {
        String host = NullSafe.string(rule.getHost());
        if (!host.isEmpty()) {
            if (IpAddresses.parse(host).isPresent()) {
                errors.invalid(path + ".host", host, "must be a DNS name, not an IP address");
            }
            (host.contains("*") ? NameSyntax.wildcardDns1123Subdomain(host) : NameSyntax.dns1123Subdomain(host))
                    .forEach(problem -> errors.invalid(path + ".host", host, problem));
        }
        HTTPIngressRuleValue http = rule.getHttp();
        if (http == null) {
            return;
        }
        List<HTTPIngressPath> paths = NullSafe.list(http.getPaths());
        if (paths.isEmpty()) {
            errors.required(path + ".http.paths", "");
        }
        for (int i = 0; i < paths.size(); i++) {
            httpPath(paths.get(i), path + ".http.paths[" + i + "]", errors);
        }
    }

    private static void httpPath(HTTPIngressPath httpPath, String path, FieldErrors errors) {
        String pathType = httpPath.getPathType();
        if (pathType == null) {
            errors.required(path + ".pathType", "pathType must be specified");
            return;
        }
        String value = NullSafe.string(httpPath.getPath());
        switch (pathType) {
            case "Exact", "Prefix" -> {
                if (!value.startsWith("/")) {
                    errors.invalid(path + ".path", value, "must be an absolute path");
                }
                for (String sequence : INVALID_PATH_SEQUENCES) {
                    if (value.contains(sequence)) {
                        errors.invalid(path + ".path", value, "must not contain '" + sequence + "'");
                    }
                }
                for (String suffix : INVALID_PATH_SUFFIXES) {
                    if (value.endsWith(suffix)) {
                        errors.invalid(path + ".path", value, "cannot end with '" + suffix + "'");
                    }
                }
            }
            case "ImplementationSpecific" -> {
                if (!value.isEmpty() && !value.startsWith("/")) {
                    errors.invalid(path + ".path", value, "must be an absolute path");
                }
            }
            default -> errors.notSupported(path + ".pathType", pathType, PATH_TYPES);
        }
        backend(httpPath.getBackend() == null ? new IngressBackend() : httpPath.getBackend(), path + ".backend",
                errors);
    }

    private static void backend(IngressBackend backend, String path, FieldErrors errors) {
        IngressServiceBackend service = backend.getService();
        if (backend.getResource() != null && service != null) {
            errors.invalid(path, "", "cannot set both resource and service backends");
        } else if (backend.getResource() != null) {
            TypedLocalObjectReference resource = backend.getResource();
            typedReference(resource.getApiGroup(), resource.getKind(), resource.getName(), path + ".resource", errors);
        } else if (service != null) {
            String name = NullSafe.string(service.getName());
            if (name.isEmpty()) {
                errors.required(path + ".service.name", "");
            } else {
                NameSyntax.dns1035Label(name).forEach(problem -> errors.invalid(path + ".service.name", name, problem));
            }
            String portName = service.getPort() == null ? "" : NullSafe.string(service.getPort().getName());
            int portNumber = service.getPort() == null || service.getPort().getNumber() == null ? 0
                    : service.getPort().getNumber();
            if (!portName.isEmpty() && portNumber != 0) {
                errors.invalid(path, "", "cannot set both port name & port number");
            } else if (!portName.isEmpty()) {
                NameSyntax.portName(portName).forEach(problem ->
                        errors.invalid(path + ".service.port.name", portName, problem));
            } else if (portNumber != 0) {
                NameSyntax.portNumber(portNumber).forEach(problem ->
                        errors.invalid(path + ".service.port.number", portNumber, problem));
            } else {
                errors.required(path, "port name or number is required");
            }
        } else {
            errors.invalid(path, "", "resource or service backend is required");
        }
    }

    /** Kubernetes reports the wildcard hosts' problems after all the others, hence two passes. */
    private static void tls(List<IngressTLS> tls, FieldErrors errors) {
        for (int i = 0; i < tls.size(); i++) {
            tlsHosts(NullSafe.list(tls.get(i).getHosts()), i, false, errors);
            String secret = NullSafe.string(tls.get(i).getSecretName());
            if (!secret.isEmpty()) {
                String path = "spec.tls[" + i + "].secretName";
                NameSyntax.dns1123Subdomain(secret).forEach(problem -> errors.invalid(path, secret, problem));
            }
        }
        for (int i = 0; i < tls.size(); i++) {
            tlsHosts(NullSafe.list(tls.get(i).getHosts()), i, true, errors);
        }
    }

    private static void tlsHosts(List<String> hosts, int index, boolean wildcards, FieldErrors errors) {
        for (int j = 0; j < hosts.size(); j++) {
            String host = NullSafe.string(hosts.get(j));
            String path = "spec.tls[" + index + "].hosts[" + j + "]";
            if (host.contains("*") == wildcards) {
                (wildcards ? NameSyntax.wildcardDns1123Subdomain(host) : NameSyntax.dns1123Subdomain(host))
                        .forEach(problem -> errors.invalid(path, host, problem));
            }
        }
    }

    private static void loadBalancer(List<IngressLoadBalancerIngress> ingresses, FieldErrors errors) {
        for (int i = 0; i < ingresses.size(); i++) {
            String path = "status.loadBalancer.ingress[" + i + "]";
            String ip = NullSafe.string(ingresses.get(i).getIp());
            if (!ip.isEmpty() && IpAddresses.parse(ip).isEmpty()) {
                errors.invalid(path + ".ip", ip, IpAddresses.INVALID_IP);
            }
            String hostname = NullSafe.string(ingresses.get(i).getHostname());
            if (!hostname.isEmpty()) {
                NameSyntax.dns1123Subdomain(hostname).forEach(problem -> errors.invalid(path + ".hostname", hostname,
                        problem));
                if (IpAddresses.parse(hostname).isPresent()) {
                    errors.invalid(path + ".hostname", hostname, "must be a DNS name, not an IP address");
                }
            }
        }
    }

    private static void parameters(IngressClassParametersReference parameters, String path, FieldErrors errors) {
        typedReference(parameters.getApiGroup(), parameters.getKind(), parameters.getName(), path, errors);
        String scope = parameters.getScope();
        if (scope == null) {
            errors.required(path + ".scope", "");
        } else if (!PARAMETER_SCOPES.contains(scope)) {
            errors.notSupported(path + ".scope", scope, PARAMETER_SCOPES);
        } else if (scope.equals("Namespace")) {
            String namespace = parameters.getNamespace();
            if (namespace == null) {
                errors.required(path + ".namespace", "`parameters.scope` is set to 'Namespace'");
            } else {
                NameSyntax.dns1123Label(namespace).forEach(problem ->
                        errors.invalid(path + ".namespace", namespace, problem));
            }
        } else if (parameters.getNamespace() != null) {
            errors.forbidden(path + ".namespace", "`parameters.scope` is set to 'Cluster'");
        }
    }

    /** A backend resource or class parameters: an optional API group, a kind and a name. */
    private static void typedReference(String apiGroup, String kind, String name, String path, FieldErrors errors) {
        if (apiGroup != null) {
            NameSyntax.dns1123Subdomain(apiGroup).forEach(problem -> errors.invalid(path + ".apiGroup", apiGroup,
                    problem));
        }
        if (NullSafe.isEmpty(kind)) {
            errors.required(path + ".kind", "kind is required");
        } else {
            pathSegment(kind, path + ".kind", errors);
        }
        if (NullSafe.isEmpty(name)) {
            errors.required(path + ".name", "name is required");
        } else {
            pathSegment(name, path + ".name", errors);
        }
    }

    /** Kubernetes' IsValidPathSegmentName: the value goes into a URL path. */
    private static void pathSegment(String value, String path, FieldErrors errors) {
        if (value.equals(".") || value.equals("..")) {
            errors.invalid(path, value, "may not be '" + value + "'");
        }
        for (String illegal : List.of("/", "%")) {
            if (value.contains(illegal)) {
                errors.invalid(path, value, "may not contain '" + illegal + "'");
            }
        }
    }

    /** Kubernetes' IsDomainPrefixedPath, as for an IngressClass's controller. */
    private static void domainPrefixedPath(String value, String path, FieldErrors errors) {
        if (value.isEmpty()) {
            errors.required(path, "");
            return;
        }
        int slash = value.indexOf('/');
        if (slash < 0) {
            errors.invalid(path, value, "must be a domain-prefixed path (such as \"acme.io/foo\")");
            return;
        }
        String host = value.substring(0, slash);
        NameSyntax.dns1123Subdomain(host).forEach(problem -> errors.invalid(path, host, problem));
        String rest = value.substring(slash + 1);
        if (!PATH_SEGMENT.matcher(rest).matches()) {
            errors.invalid(path, rest, "must be a valid path");
        }
    }
}
