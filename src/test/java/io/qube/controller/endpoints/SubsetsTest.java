package io.qube.controller.endpoints;

import io.qube.controller.endpoints.Subsets.Address;
import io.qube.controller.endpoints.Subsets.Entry;
import io.qube.controller.endpoints.Subsets.Port;
import io.qube.controller.endpoints.Subsets.Ref;
import io.qube.controller.endpoints.Subsets.Subset;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Kubernetes' RepackSubsets and Endpoints truncation. */
class SubsetsTest {

    private static final Port HTTP = new Port("http", 8080, "TCP", null);
    private static final Port METRICS = new Port("metrics", 9100, "TCP", null);

    @Test
    void addressesWithTheSamePortsShareASubsetInAFixedOrder() {
        Address b = address("10.0.0.2", "b");
        Address a = address("10.0.0.1", "a");
        List<Subset> subsets = Subsets.repack(List.of(new Entry(b, true, HTTP), new Entry(b, true, METRICS),
                new Entry(a, true, METRICS), new Entry(a, true, HTTP)));
        assertThat(subsets).containsExactly(new Subset(List.of(a, b), List.of(), List.of(HTTP, METRICS)));
    }

    @Test
    void differentPortNumbersMakeDifferentSubsets() {
        Address a = address("10.0.0.1", "a");
        Address b = address("10.0.0.2", "b");
        List<Subset> subsets = Subsets.repack(List.of(new Entry(a, true, HTTP),
                new Entry(b, false, new Port("http", 9090, "TCP", null))));
        assertThat(subsets).containsExactly(new Subset(List.of(a), List.of(), List.of(HTTP)),
                new Subset(List.of(), List.of(b), List.of(new Port("http", 9090, "TCP", null))));
    }

    @Test
    void notReadyForAPortWinsOverReady() {
        Address a = address("10.0.0.1", "a");
        List<Subset> subsets = Subsets.repack(List.of(new Entry(a, true, HTTP), new Entry(a, false, HTTP)));
        assertThat(subsets).containsExactly(new Subset(List.of(), List.of(a), List.of(HTTP)));
    }

    @Test
    void aHeadlessServiceWithoutPortsListsItsAddresses() {
        Address a = address("10.0.0.1", "a");
        assertThat(Subsets.repack(List.of(new Entry(a, true, null))))
                .containsExactly(new Subset(List.of(a), List.of(), List.of()));
    }

    @Test
    void overAThousandAddressesNotReadyOnesAreCutFirst() {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < 900; i++) {
            entries.add(new Entry(address("10.1." + i / 250 + "." + i % 250, "r" + i), true, HTTP));
        }
        for (int i = 0; i < 300; i++) {
            entries.add(new Entry(address("10.2." + i / 250 + "." + i % 250, "n" + i), false, HTTP));
        }
        List<Subset> repacked = Subsets.repack(entries);
        List<Subset> truncated = Subsets.truncate(repacked);
        assertThat(truncated).isNotSameAs(repacked);
        assertThat(truncated.get(0).ready()).hasSize(900);
        assertThat(truncated.get(0).notReady()).hasSize(100);
        assertThat(Subsets.truncate(Subsets.repack(entries.subList(0, 1000)))).hasSize(1);
    }

    private static Address address(String ip, String pod) {
        return new Address(ip, null, "node-a", new Ref("Pod", "ns", pod, "uid-" + pod));
    }
}
