package io.qube.agent.dns;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Address;
import org.xbill.DNS.CNAMERecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.NSRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.PTRRecord;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ReverseMap;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.SRVRecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The cluster's names as CoreDNS' kubernetes plugin answers them: Services and their ports under
 * {@code svc.<domain>}, headless endpoints by hostname or dashed IP, pods by dashed IP under {@code pod.<domain>},
 * PTR records of cluster IPs and headless endpoints. Each answer is computed from the Services and slices as they
 * are now (no cache of its own, so a new Service resolves as soon as the agent has seen it).
 */
public final class ClusterZone {

    /** CoreDNS' default TTL for the kubernetes plugin's records. */
    static final long TTL = 5;
    /** The schema version of Kubernetes' DNS specification, which CoreDNS gives at dns-version.<domain>. */
    private static final String SCHEMA_VERSION = "1.1.0";

    private final Name domain;
    private final ClusterServices services;
    private final SOARecord soa;
    private final Name nameserver;

    public ClusterZone(String domain, ClusterServices services) {
        this.domain = absolute(domain);
        this.services = services;
        this.nameserver = child("ns.dns", this.domain);
        this.soa = new SOARecord(this.domain, DClass.IN, TTL, nameserver, child("hostmaster", this.domain),
                Instant.now().getEpochSecond(), 7200, 1800, 86400, TTL);
    }

    /**
     * The answer to a query with one question, or null when the name is not this zone's: outside the cluster
     * domain, or a reverse name of no cluster IP or headless endpoint (which goes upstream, as CoreDNS falls
     * through for the reverse zones).
     */
    public Message answer(Message query) {
        Record question = query.getQuestion();
        Name name = question.getName();
        if (name.subdomain(domain)) {
            Message response = response(query);
            answerInDomain(question, response);
            return response;
        }
        if (question.getType() == Type.PTR) {
            List<Name> targets = reverse(name);
            if (!targets.isEmpty()) {
                Message response = response(query);
                targets.forEach(target -> add(response, new PTRRecord(name, DClass.IN, TTL, target)));
                return response;
            }
        }
        return null;
    }

    private void answerInDomain(Record question, Message response) {
        Name name = question.getName();
        int type = question.getType();
        List<String> labels = labels(name);
        if (labels.isEmpty()) {
            apex(type, response);
        } else if (labels.size() == 1 && labels.get(0).equals("dns-version")) {
            answerOrNoData(type == Type.TXT ? List.of(new TXTRecord(name, DClass.IN, TTL, SCHEMA_VERSION))
                    : List.of(), response);
        } else if (labels.size() == 2 && labels.equals(List.of("ns", "dns"))) {
            Service dns = services.service("kube-system", "kube-dns");
            answerOrNoData(dns == null ? List.of() : addresses(name, type, clusterIps(dns)), response);
        } else if (labels.get(labels.size() - 1).equals("svc")) {
            service(name, type, labels.subList(0, labels.size() - 1), response);
        } else if (labels.get(labels.size() - 1).equals("pod")) {
            pod(name, type, labels.subList(0, labels.size() - 1), response);
        } else {
            nxdomain(response);
        }
    }

    private void apex(int type, Message response) {
        if (type == Type.SOA) {
            add(response, soa);
        } else if (type == Type.NS) {
            add(response, new NSRecord(domain, DClass.IN, TTL, nameserver));
        } else {
            noData(response);
        }
    }

    /** Names under svc.<domain>, given from the left: [[_port, _proto,] [endpoint,] service,] namespace. */
    private void service(Name name, int type, List<String> labels, Message response) {
        if (labels.isEmpty()) {
            noData(response);
            return;
        }
        String namespace = labels.get(labels.size() - 1);
        if (labels.size() == 1) {
            if (services.hasServices(namespace)) {
                noData(response);
            } else {
                nxdomain(response);
            }
            return;
        }
        Service service = services.service(namespace, labels.get(labels.size() - 2));
        if (service == null || service.getSpec() == null || labels.size() > 4) {
            nxdomain(response);
            return;
        }
        Name serviceName = child(labels.get(labels.size() - 2) + "." + namespace + ".svc", domain);
        if ("ExternalName".equals(service.getSpec().getType())) {
            if (labels.size() > 2 || service.getSpec().getExternalName() == null) {
                nxdomain(response);
            } else {
                add(response, new CNAMERecord(name, DClass.IN, TTL, absolute(service.getSpec().getExternalName())));
            }
            return;
        }
        boolean headless = clusterIps(service).isEmpty();
        List<DnsEndpoint> endpoints = headless ? DnsEndpoint.of(service,
                services.slices(namespace, service.getMetadata().getName())) : List.of();
        if (labels.size() == 2) {
            if (headless && endpoints.isEmpty()) {
                nxdomain(response);
            } else if (type == Type.SRV) {
                srv(name, service, serviceName, headless, endpoints, null, null, response);
            } else {
                answerOrNoData(headless ? endpointAddresses(name, type, endpoints)
                        : addresses(name, type, clusterIps(service)), response);
            }
        } else if (labels.size() == 3) {
            List<DnsEndpoint> named = endpoints.stream().filter(e -> e.name().equals(labels.get(0))).toList();
            if (named.isEmpty()) {
                nxdomain(response);
            } else {
                answerOrNoData(endpointAddresses(name, type, named), response);
            }
        } else if (!labels.get(0).startsWith("_") || !labels.get(1).startsWith("_")) {
            nxdomain(response);
        } else {
            String port = labels.get(0).substring(1);
            String protocol = labels.get(1).substring(1);
            if (type == Type.SRV) {
                srv(name, service, serviceName, headless, endpoints, port, protocol, response);
            } else if (hasPort(service, endpoints, port, protocol)) {
                answerOrNoData(headless ? endpointAddresses(name, type, endpoints)
                        : addresses(name, type, clusterIps(service)), response);
            } else {
                nxdomain(response);
            }
        }
    }

    /**
     * SRV records of the Service's ports (those named {@code port} with {@code protocol}, or all when null): one per
     * port leading to the Service's name, or for a headless Service one per endpoint and port leading to the
     * endpoint's name; the targets' addresses go in the additional section.
     */
    private void srv(Name name, Service service, Name serviceName, boolean headless, List<DnsEndpoint> endpoints,
                     String port, String protocol, Message response) {
        List<SrvTarget> targets = new ArrayList<>();
        List<Record> extra = new ArrayList<>();
        if (!headless) {
            for (ServicePort servicePort : service.getSpec().getPorts()) {
                if (matches(servicePort.getName(), servicePort.getProtocol(), port, protocol)) {
                    targets.add(new SrvTarget(servicePort.getPort(), serviceName));
                }
            }
            if (!targets.isEmpty()) {
                extra.addAll(addresses(serviceName, Type.A, clusterIps(service)));
                extra.addAll(addresses(serviceName, Type.AAAA, clusterIps(service)));
            }
        } else {
            for (DnsEndpoint endpoint : endpoints) {
                Name target = child(endpoint.name(), serviceName);
                int before = targets.size();
                for (EndpointPort endpointPort : endpoint.ports()) {
                    if (endpointPort.getPort() != null
                            && matches(endpointPort.getName(), endpointPort.getProtocol(), port, protocol)) {
                        targets.add(new SrvTarget(endpointPort.getPort(), target));
                    }
                }
                if (targets.size() > before) {
                    extra.add(address(target, endpoint.ip()));
                }
            }
        }
        if (targets.isEmpty()) {
            if (port == null) {
                noData(response);
            } else {
                nxdomain(response);
            }
            return;
        }
        // One priority, the weight shared evenly, as CoreDNS does.
        int weight = Math.max(1, 100 / targets.size());
        targets.forEach(t -> add(response, new SRVRecord(name, DClass.IN, TTL, 0, weight, t.port(), t.target())));
        extra.forEach(record -> response.addRecord(record, Section.ADDITIONAL));
    }

    private record SrvTarget(int port, Name target) {
    }

    private static boolean hasPort(Service service, List<DnsEndpoint> endpoints, String port, String protocol) {
        return service.getSpec().getPorts().stream().anyMatch(p -> matches(p.getName(), p.getProtocol(), port,
                protocol)) || endpoints.stream().flatMap(e -> e.ports().stream())
                .anyMatch(p -> matches(p.getName(), p.getProtocol(), port, protocol));
    }

    /** A port matches a query for its name and protocol; a null query matches every port. */
    private static boolean matches(String name, String protocol, String askedName, String askedProtocol) {
        if (askedName == null) {
            return true;
        }
        return name != null && name.equalsIgnoreCase(askedName)
                && (protocol == null ? "TCP" : protocol).equalsIgnoreCase(askedProtocol);
    }

    /** {@code <dashed-ip>.<namespace>.pod.<domain>}: the address the name spells, as CoreDNS' "pods insecure". */
    private void pod(Name name, int type, List<String> labels, Message response) {
        if (labels.size() != 2) {
            if (labels.size() < 2) {
                noData(response);
            } else {
                nxdomain(response);
            }
            return;
        }
        String dashed = labels.get(0);
        String ip = Address.isDottedQuad(dashed.replace('-', '.')) ? dashed.replace('-', '.')
                : dashed.replace('-', ':');
        InetAddress address = literal(ip);
        if (address == null) {
            nxdomain(response);
            return;
        }
        answerOrNoData(addresses(name, type, List.of(address.getHostAddress())), response);
    }

    /** The cluster names of this reverse name: the Services with the address, the headless endpoints with it. */
    private List<Name> reverse(Name name) {
        List<Name> targets = new ArrayList<>();
        String address = ReverseNames.address(name);
        if (address == null) {
            return targets;
        }
        for (Service service : services.servicesAt(address)) {
            if (service.getSpec() == null || "ExternalName".equals(service.getSpec().getType())) {
                continue;
            }
            String namespace = service.getMetadata().getNamespace();
            String serviceName = service.getMetadata().getName();
            Name fqdn = child(serviceName + "." + namespace + ".svc", domain);
            List<String> ips = clusterIps(service);
            if (!ips.isEmpty()) {
                if (ips.stream().anyMatch(ip -> name.equals(reverseName(ip)))) {
                    targets.add(fqdn);
                }
                continue;
            }
            for (DnsEndpoint endpoint : DnsEndpoint.of(service, services.slices(namespace, serviceName))) {
                if (name.equals(reverseName(endpoint.ip()))) {
                    targets.add(child(endpoint.name(), fqdn));
                }
            }
        }
        return targets;
    }

    private static Name reverseName(String ip) {
        InetAddress address = literal(ip);
        return address == null ? null : ReverseMap.fromAddress(address);
    }

    /** The Service's cluster IPs; none for a headless Service (or one without a spec). */
    private static List<String> clusterIps(Service service) {
        List<String> ips = service.getSpec().getClusterIPs() != null && !service.getSpec().getClusterIPs().isEmpty()
                ? service.getSpec().getClusterIPs()
                : service.getSpec().getClusterIP() == null ? List.of() : List.of(service.getSpec().getClusterIP());
        return ips.stream().filter(ip -> !ip.isEmpty() && !ip.equalsIgnoreCase("None")).toList();
    }

    /** A or AAAA records of those addresses that are of the asked type; none for another type. */
    private static List<Record> addresses(Name name, int type, List<String> ips) {
        List<Record> records = new ArrayList<>();
        for (String ip : ips) {
            InetAddress address = literal(ip);
            if (address != null && (type == Type.A) == (address instanceof Inet4Address)
                    && (type == Type.A || type == Type.AAAA)) {
                records.add(address(name, ip));
            }
        }
        return records;
    }

    private static List<Record> endpointAddresses(Name name, int type, List<DnsEndpoint> endpoints) {
        return addresses(name, type, endpoints.stream().map(DnsEndpoint::ip).toList());
    }

    private static Record address(Name name, String ip) {
        InetAddress address = literal(ip);
        return address instanceof Inet4Address ? new ARecord(name, DClass.IN, TTL, address)
                : new AAAARecord(name, DClass.IN, TTL, address);
    }

    /** An IP literal, parsed without any name lookup; null for anything else. */
    static InetAddress literal(String ip) {
        try {
            return Address.getByAddress(ip);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** The name's labels below the cluster domain, lower case, leftmost first. */
    private List<String> labels(Name name) {
        Name relative = name.relativize(domain);
        List<String> labels = new ArrayList<>();
        for (int i = 0; i < relative.labels(); i++) {
            labels.add(relative.getLabelString(i).toLowerCase(Locale.ROOT));
        }
        return labels;
    }

    private static Message response(Message query) {
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.AA);
        response.getHeader().setFlag(Flags.RA);
        if (query.getHeader().getFlag(Flags.RD)) {
            response.getHeader().setFlag(Flags.RD);
        }
        response.addRecord(query.getQuestion(), Section.QUESTION);
        return response;
    }

    private static void add(Message response, Record record) {
        response.addRecord(record, Section.ANSWER);
    }

    private void answerOrNoData(List<Record> answers, Message response) {
        if (answers.isEmpty()) {
            noData(response);
        } else {
            answers.forEach(record -> add(response, record));
        }
    }

    /** A name that exists without records of the asked type: NOERROR, no answer, the zone's SOA. */
    private void noData(Message response) {
        response.addRecord(soa, Section.AUTHORITY);
    }

    private void nxdomain(Message response) {
        response.getHeader().setRcode(Rcode.NXDOMAIN);
        response.addRecord(soa, Section.AUTHORITY);
    }

    private static Name absolute(String name) {
        try {
            return Name.fromString(name.endsWith(".") ? name : name + ".");
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a domain name: " + name, e);
        }
    }

    private static Name child(String labels, Name parent) {
        try {
            return Name.fromString(labels, parent);
        } catch (TextParseException e) {
            throw new IllegalArgumentException("not a domain name: " + labels, e);
        }
    }
}
