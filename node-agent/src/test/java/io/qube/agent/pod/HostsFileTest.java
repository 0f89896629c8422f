package io.qube.agent.pod;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The hosts file each pod's containers get, as the kubelet writes it. */
class HostsFileTest {

    private static final String MANAGED = """
            # Kubernetes-managed hosts file.
            127.0.0.1\tlocalhost
            ::1\tlocalhost ip6-localhost ip6-loopback
            fe00::0\tip6-localnet
            fe00::0\tip6-mcastprefix
            fe00::1\tip6-allnodes
            fe00::2\tip6-allrouters
            """;

    @TempDir
    Path sandbox;

    private static PodBuilder pod() {
        return new PodBuilder().withNewMetadata().withName("web-0").withNamespace("shop").endMetadata()
                .withNewSpec().endSpec();
    }

    @Test
    void aPodGetsLocalhostItsOwnIpAndNameThenItsAliases() throws Exception {
        Pod pod = pod().editSpec().addNewHostAlias().withIp("10.1.2.3").withHostnames("foo.local", "bar.local")
                .endHostAlias().endSpec().build();

        HostsFile.write(pod, sandbox, "10.244.0.7", "cluster.local", sandbox.resolve("none"));

        assertThat(Files.readString(HostsFile.path(sandbox))).isEqualTo(MANAGED + "10.244.0.7\tweb-0\n"
                + "\n# Entries added by HostAliases.\n10.1.2.3\tfoo.local\tbar.local\n");
    }

    @Test
    void aHostnameAndSubdomainGiveTheFullyQualifiedNameFirst() throws Exception {
        Pod pod = pod().editSpec().withHostname("db").withSubdomain("backends").endSpec().build();

        HostsFile.write(pod, sandbox, "10.244.0.8", "cluster.local", sandbox.resolve("none"));

        assertThat(Files.readString(HostsFile.path(sandbox)))
                .isEqualTo(MANAGED + "10.244.0.8\tdb.backends.shop.svc.cluster.local\tdb\n");
    }

    @Test
    void aHostNetworkPodGetsTheNodesHostsWithItsAliases() throws Exception {
        Path node = Files.writeString(sandbox.resolve("node-hosts"), "127.0.0.1 localhost\n192.168.1.5 node-a");
        Pod pod = pod().editSpec().withHostNetwork(true).addNewHostAlias().withIp("10.9.9.9").withHostnames("x")
                .endHostAlias().endSpec().build();

        HostsFile.write(pod, sandbox, "192.168.1.5", "cluster.local", node);

        assertThat(Files.readString(HostsFile.path(sandbox))).isEqualTo("127.0.0.1 localhost\n192.168.1.5 node-a\n"
                + "\n# Entries added by HostAliases.\n10.9.9.9\tx\n");
    }

    @Test
    void theFileIsWrittenOncePerPod() throws Exception {
        HostsFile.write(pod().build(), sandbox, "10.244.0.7", null, sandbox.resolve("none"));
        HostsFile.write(pod().build(), sandbox, "10.244.0.99", null, sandbox.resolve("none"));

        assertThat(Files.readString(HostsFile.path(sandbox))).isEqualTo(MANAGED + "10.244.0.7\tweb-0\n");
    }
}
