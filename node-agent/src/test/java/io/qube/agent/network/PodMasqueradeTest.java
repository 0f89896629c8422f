package io.qube.agent.network;

import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** The nat chain that masquerades a node's pod traffic leaving the cluster's pod network. */
class PodMasqueradeTest {

    @Test
    void podCidrsOfEveryNodeAndMulticastReturnTheRestIsMasqueraded() {
        assertThat(PodMasquerade.rules("QUBE-MASQ-qube0", "10.91.1.0/24", Set.of("10.91.2.0/24", "10.91.1.0/24")))
                .isEqualTo("""
                        *nat
                        :QUBE-MASQ-qube0 - [0:0]
                        -A QUBE-MASQ-qube0 -d 10.91.1.0/24 -j RETURN
                        -A QUBE-MASQ-qube0 -d 10.91.2.0/24 -j RETURN
                        -A QUBE-MASQ-qube0 -d 224.0.0.0/4 -j RETURN
                        -A QUBE-MASQ-qube0 -j MASQUERADE
                        COMMIT
                        """);
    }

    @Test
    void beforeAnyNodeHasAPodCidrThisNodesOwnPodsStillTalkUnmasqueraded() {
        assertThat(PodMasquerade.rules("QUBE-MASQ-qube0", "10.88.0.0/24", Set.of()))
                .contains("-A QUBE-MASQ-qube0 -d 10.88.0.0/24 -j RETURN\n")
                .endsWith("-A QUBE-MASQ-qube0 -j MASQUERADE\nCOMMIT\n");
    }
}
