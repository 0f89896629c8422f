package io.qube.agent.runtime.cri;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegistryConfigTest {

    @TempDir
    Path dir;

    @Test
    void mirrorsBecomeHostsFilesAndCredentialsTheCriPluginsAuth() throws Exception {
        Path file = Files.writeString(dir.resolve("registries.yaml"), """
                mirrors:
                  docker.io:
                    endpoint: ["http://127.0.0.1:5000", "mirror.example:443"]
                configs:
                  "mirror.example:443":
                    auth: {username: ann, password: "p\\"w"}
                    tls: {insecure_skip_verify: true}
                  private.example: {auth: {username: bob, password: secret}}
                """);
        RegistryConfig config = RegistryConfig.read(file);
        Path hosts = dir.resolve("certs.d");
        Files.createDirectories(hosts.resolve("stale.example"));
        config.writeHosts(hosts);

        assertThat(Files.readString(hosts.resolve("docker.io/hosts.toml"))).isEqualTo("""
                server = "https://registry-1.docker.io"
                [host."http://127.0.0.1:5000"]
                  capabilities = ["pull", "resolve"]
                [host."https://mirror.example:443"]
                  capabilities = ["pull", "resolve"]
                  skip_verify = true
                """);
        assertThat(Files.readString(hosts.resolve("mirror.example:443/hosts.toml")))
                .isEqualTo("server = \"https://mirror.example:443\"\nskip_verify = true\n");
        assertThat(hosts.resolve("stale.example")).doesNotExist();
        assertThat(config.authToml()).isEqualTo("""
                [plugins."io.containerd.grpc.v1.cri".registry.configs."mirror.example:443".auth]
                  username = "ann"
                  password = "p\\"w"
                [plugins."io.containerd.grpc.v1.cri".registry.configs."private.example".auth]
                  username = "bob"
                  password = "secret"
                """);
    }

    @Test
    void aFileThatIsNoRegistriesYamlIsRefusedWithItsName() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.yaml"), "mirrors: [1, 2]\n");
        assertThatThrownBy(() -> RegistryConfig.read(file)).hasMessageContaining("--registry-config " + file
                + " is not a registries.yaml");
    }

    @Test
    void withoutAFileNothingIsConfigured() throws Exception {
        RegistryConfig.NONE.writeHosts(dir.resolve("hosts"));
        try (var entries = Files.list(dir.resolve("hosts"))) {
            assertThat(entries).isEmpty();
        }
        assertThat(RegistryConfig.NONE.authToml()).isEmpty();
    }
}
