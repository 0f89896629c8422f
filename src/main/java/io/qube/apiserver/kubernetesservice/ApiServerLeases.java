package io.qube.apiserver.kubernetesservice;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.qube.apiserver.kubernetesservice.MasterEndpoints.ApiServer;
import org.jboss.logging.Logger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Kubernetes' "lease" endpoint reconciler, on Lease objects: each apiserver keeps a Lease in kube-system labelled
 * {@code apiserver.kubernetes.io/identity=kube-apiserver} (as kube-apiserver's identity leases are), renewed every
 * reconcile interval and annotated with the address and port it advertises; the apiservers that are up are those
 * whose lease has not expired. Expired leases are deleted, as kube-apiserver's lease garbage collector does.
 */
final class ApiServerLeases {

    private static final Logger LOG = Logger.getLogger(ApiServerLeases.class);
    static final String NAMESPACE = "kube-system";
    static final String IDENTITY_LABEL = "apiserver.kubernetes.io/identity";
    static final String IDENTITY = "kube-apiserver";
    static final String HOSTNAME_LABEL = "kubernetes.io/hostname";
    static final String ADDRESS_ANNOTATION = "apiserver.qube.io/advertise-address";
    static final String PORT_ANNOTATION = "apiserver.qube.io/port";

    private final KubernetesClient client;
    private final String host;
    private final ApiServer self;
    private final Duration duration;
    private final Clock clock;
    private final String name;
    private final String holder;

    ApiServerLeases(KubernetesClient client, String host, ApiServer self, Duration duration, Clock clock) {
        this.client = client;
        this.host = host;
        this.self = self;
        this.duration = duration;
        this.clock = clock;
        this.name = leaseName(host, self);
        this.holder = name + "_" + UUID.randomUUID();
    }

    /**
     * kube-apiserver names its lease after a hash of its host name; several Qube apiservers may share a host, so
     * the address and port they serve on go into the hash too. The same apiserver restarted keeps its lease.
     */
    static String leaseName(String host, ApiServer self) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256")
                    .digest((host + "|" + self.address() + "|" + self.port()).getBytes(StandardCharsets.UTF_8));
            return "apiserver-" + base32(hash, 16).toLowerCase(Locale.ROOT);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing", e);
        }
    }

    private static String base32(byte[] bytes, int count) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        StringBuilder out = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (int i = 0; i < count; i++) {
            buffer = (buffer << 8) | (bytes[i] & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(alphabet.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(alphabet.charAt((buffer << (5 - bits)) & 31));
        }
        return out.toString();
    }

    String name() {
        return name;
    }

    /** Creates or renews this apiserver's lease. */
    void renew() {
        ZonedDateTime now = now();
        Lease current = client.leases().inNamespace(NAMESPACE).withName(name).get();
        if (current == null) {
            Lease lease = new LeaseBuilder().withNewMetadata().withName(name).withNamespace(NAMESPACE)
                    .addToLabels(IDENTITY_LABEL, IDENTITY).addToLabels(HOSTNAME_LABEL, hostLabel())
                    .addToAnnotations(ADDRESS_ANNOTATION, self.address())
                    .addToAnnotations(PORT_ANNOTATION, Integer.toString(self.port())).endMetadata()
                    .withNewSpec().withHolderIdentity(holder).withLeaseDurationSeconds(seconds())
                    .withAcquireTime(now).withRenewTime(now).endSpec().build();
            try {
                client.leases().inNamespace(NAMESPACE).resource(lease).create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                // Made meanwhile (by this apiserver before a restart, collected and remade): renewed next time.
            }
            return;
        }
        Lease renewed = new LeaseBuilder(current).editMetadata().addToLabels(IDENTITY_LABEL, IDENTITY)
                .addToLabels(HOSTNAME_LABEL, hostLabel()).addToAnnotations(ADDRESS_ANNOTATION, self.address())
                .addToAnnotations(PORT_ANNOTATION, Integer.toString(self.port())).endMetadata()
                .editSpec().withHolderIdentity(holder).withLeaseDurationSeconds(seconds()).withRenewTime(now)
                .endSpec().build();
        if (!holder.equals(current.getSpec() == null ? null : current.getSpec().getHolderIdentity())) {
            renewed.getSpec().setAcquireTime(now);
        }
        client.leases().inNamespace(NAMESPACE).resource(renewed).update();
    }

    /**
     * The apiservers whose leases have not expired, this one always among them. Leases that have expired are
     * deleted (only if unchanged since read, so that one renewed meanwhile stays).
     */
    List<ApiServer> live() {
        List<ApiServer> live = new ArrayList<>();
        live.add(self);
        Instant now = clock.instant();
        for (Lease lease : client.leases().inNamespace(NAMESPACE).withLabel(IDENTITY_LABEL, IDENTITY).list()
                .getItems()) {
            if (lease.getMetadata().getName().equals(name)) {
                continue;
            }
            if (expired(lease, now)) {
                collect(lease);
                continue;
            }
            ApiServer server = advertised(lease);
            if (server != null && !live.contains(server)) {
                live.add(server);
            }
        }
        return live;
    }

    private void collect(Lease lease) {
        try {
            client.leases().inNamespace(NAMESPACE).withName(lease.getMetadata().getName())
                    .lockResourceVersion(lease.getMetadata().getResourceVersion()).delete();
        } catch (KubernetesClientException e) {
            LOG.debugf("expired lease %s: %s", lease.getMetadata().getName(), e.getMessage());
        }
    }

    static boolean expired(Lease lease, Instant now) {
        if (lease.getSpec() == null || lease.getSpec().getRenewTime() == null
                || lease.getSpec().getLeaseDurationSeconds() == null) {
            return true;
        }
        return lease.getSpec().getRenewTime().toInstant().plusSeconds(lease.getSpec().getLeaseDurationSeconds())
                .isBefore(now);
    }

    /** What a lease's holder advertises; null for a lease without Qube's annotations (e.g. kube-apiserver's). */
    static ApiServer advertised(Lease lease) {
        Map<String, String> annotations = lease.getMetadata().getAnnotations();
        if (annotations == null || annotations.get(ADDRESS_ANNOTATION) == null) {
            return null;
        }
        try {
            return new ApiServer(annotations.get(ADDRESS_ANNOTATION), Integer.parseInt(annotations.get(PORT_ANNOTATION)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private int seconds() {
        return (int) Math.max(1, duration.toSeconds());
    }

    private ZonedDateTime now() {
        return clock.instant().truncatedTo(ChronoUnit.MICROS).atZone(ZoneOffset.UTC);
    }

    /** The host name as a label value (at most 63 characters of letters, digits, '-', '_' and '.'). */
    private String hostLabel() {
        String value = host.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]", "-");
        value = value.length() > 63 ? value.substring(0, 63) : value;
        return value.replaceAll("^[^a-z0-9]+|[^a-z0-9]+$", "");
    }
}
