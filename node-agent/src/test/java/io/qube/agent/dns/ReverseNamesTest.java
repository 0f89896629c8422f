package io.qube.agent.dns;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.xbill.DNS.Name;

import static org.assertj.core.api.Assertions.assertThat;

class ReverseNamesTest {

    @ParameterizedTest
    @CsvSource(nullValues = "null", value = {
            "10.0.96.10.in-addr.arpa., 10.96.0.10",
            "5.1.244.10.IN-ADDR.ARPA., 10.244.1.5",
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa., 2001:db8:0:0:0:0:0:1",
            "96.10.in-addr.arpa., null",
            "1.2.3.4.5.in-addr.arpa., null",
            "x.0.96.10.in-addr.arpa., null",
            "300.0.96.10.in-addr.arpa., null",
            "0.8.b.d.0.1.0.0.2.ip6.arpa., null",
            "kubernetes.default.svc.cluster.local., null",
    })
    void readsTheAddressOfAWholeReverseName(String name, String address) throws Exception {
        assertThat(ReverseNames.address(Name.fromString(name))).isEqualTo(address);
    }
}
