package io.qube.apiserver.admission;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.networking.v1.IPBlock;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicySpec;
import io.qube.apiserver.registry.FieldErrors;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * Kubernetes' validation of NetworkPolicies (pkg/apis/networking/validation): selectors, each rule's ports (a
 * protocol Kubernetes knows, a port number or name, a port range only from a number) and peers (exactly one kind
 * of peer when one is an ipBlock, whose exceptions lie strictly inside its CIDR), and at most the two policy types.
 */
final class NetworkPolicyValidation {

    private static final List<String> PROTOCOLS = List.of("TCP", "UDP", "SCTP");
    private static final List<String> POLICY_TYPES = List.of("Ingress", "Egress");

    private NetworkPolicyValidation() {
    }

    static void validate(NetworkPolicy policy, NetworkPolicy old, FieldErrors errors) {
        NetworkPolicySpec spec = policy.getSpec() == null ? new NetworkPolicySpec() : policy.getSpec();
        LabelSelectors.validate(spec.getPodSelector() == null ? new LabelSelector() : spec.getPodSelector(),
                "spec.podSelector", errors);
        for (int i = 0; i < NullSafe.list(spec.getIngress()).size(); i++) {
            String path = "spec.ingress[" + i + "]";
            rule(spec.getIngress().get(i).getPorts(), spec.getIngress().get(i).getFrom(), path, ".from", errors);
        }
        for (int i = 0; i < NullSafe.list(spec.getEgress()).size(); i++) {
            String path = "spec.egress[" + i + "]";
            rule(spec.getEgress().get(i).getPorts(), spec.getEgress().get(i).getTo(), path, ".to", errors);
        }
        List<String> types = NullSafe.list(spec.getPolicyTypes());
        if (types.size() > POLICY_TYPES.size()) {
            errors.invalid("spec.policyTypes", types, "may not specify more than two policyTypes");
            return;
        }
        for (int i = 0; i < types.size(); i++) {
            if (!POLICY_TYPES.contains(types.get(i))) {
                errors.notSupported("spec.policyTypes[" + i + "]", types.get(i), POLICY_TYPES);
            }
        }
    }

    private static void rule(List<NetworkPolicyPort> ports, List<NetworkPolicyPeer> peers, String path,
                             String peersField, FieldErrors errors) {
        for (int i = 0; i < NullSafe.list(ports).size(); i++) {
            port(ports.get(i), path + ".ports[" + i + "]", errors);
        }
        for (int i = 0; i < NullSafe.list(peers).size(); i++) {
            peer(peers.get(i), path + peersField + "[" + i + "]", errors);
        }
    }

    private static void port(NetworkPolicyPort port, String path, FieldErrors errors) {
        String protocol = port.getProtocol();
        if (protocol != null && !PROTOCOLS.contains(protocol)) {
            errors.notSupported(path + ".protocol", protocol, PROTOCOLS);
        }
        IntOrString number = port.getPort();
        Integer endPort = port.getEndPort();
        if (number == null) {
            if (endPort != null) {
                errors.invalid(path + ".endPort", endPort, "may not be specified when `port` is not specified");
            }
        } else if (number.getStrVal() == null) {
            int start = number.getIntVal() == null ? 0 : number.getIntVal();
            NameSyntax.portNumber(start).forEach(problem -> errors.invalid(path + ".port", start, problem));
            if (endPort != null) {
                if (endPort < start) {
                    errors.invalid(path + ".endPort", start, "must be greater than or equal to `port`");
                }
                NameSyntax.portNumber(endPort).forEach(problem -> errors.invalid(path + ".endPort", endPort, problem));
            }
        } else {
            if (endPort != null) {
                errors.invalid(path + ".endPort", endPort, "may not be specified when `port` is non-numeric");
            }
            NameSyntax.portName(number.getStrVal()).forEach(problem ->
                    errors.invalid(path + ".port", number.getStrVal(), problem));
        }
    }

    private static void peer(NetworkPolicyPeer peer, String path, FieldErrors errors) {
        int kinds = 0;
        if (peer.getPodSelector() != null) {
            kinds++;
            LabelSelectors.validate(peer.getPodSelector(), path + ".podSelector", errors);
        }
        if (peer.getNamespaceSelector() != null) {
            kinds++;
            LabelSelectors.validate(peer.getNamespaceSelector(), path + ".namespaceSelector", errors);
        }
        if (peer.getIpBlock() != null) {
            kinds++;
            ipBlock(peer.getIpBlock(), path + ".ipBlock", errors);
        }
        if (kinds == 0) {
            errors.required(path, "must specify a peer");
        } else if (kinds > 1 && peer.getIpBlock() != null) {
            errors.forbidden(path, "may not specify both ipBlock and another peer");
        }
    }

    private static void ipBlock(IPBlock block, String path, FieldErrors errors) {
        String cidr = NullSafe.string(block.getCidr());
        if (cidr.isEmpty()) {
            errors.required(path + ".cidr", "");
            return;
        }
        Optional<Range> range = Range.of(cidr);
        if (range.isEmpty()) {
            errors.invalid(path + ".cidr", cidr, IpAddresses.INVALID_CIDR);
            return;
        }
        List<String> except = NullSafe.list(block.getExcept());
        for (int i = 0; i < except.size(); i++) {
            String exceptPath = path + ".except[" + i + "]";
            String text = NullSafe.string(except.get(i));
            Optional<Range> inner = Range.of(text);
            if (inner.isEmpty()) {
                errors.invalid(exceptPath, text, IpAddresses.INVALID_CIDR);
            } else if (!range.get().strictlyContains(inner.get())) {
                errors.invalid(exceptPath, text, "must be a strict subset of `cidr`");
            }
        }
    }

    /** A CIDR as its network address and prefix length. */
    private record Range(BigInteger network, int prefix, int bits) {

        static Optional<Range> of(String cidr) {
            int slash = cidr.indexOf('/');
            if (slash < 0 || !IpAddresses.isValidCidr(cidr)) {
                return Optional.empty();
            }
            Optional<InetAddress> address = IpAddresses.parse(cidr.substring(0, slash));
            if (address.isEmpty()) {
                return Optional.empty();
            }
            byte[] bytes = address.get().getAddress();
            int bits = bytes.length * 8;
            int prefix = Integer.parseInt(cidr.substring(slash + 1));
            return Optional.of(new Range(masked(new BigInteger(1, bytes), prefix, bits), prefix, bits));
        }

        private static BigInteger masked(BigInteger address, int prefix, int bits) {
            return address.shiftRight(bits - prefix).shiftLeft(bits - prefix);
        }

        boolean strictlyContains(Range inner) {
            return bits == inner.bits && prefix < inner.prefix
                    && masked(inner.network, prefix, bits).equals(network);
        }
    }
}
