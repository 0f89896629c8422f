package io.qube.agent.runtime.cri;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --registry-config FILE}: registry mirrors and credentials for the agent's own containerd, in the form
 * k3s' {@code registries.yaml} has ({@code mirrors: {REGISTRY: {endpoint: [URL...]}}}, {@code configs: {HOST:
 * {auth: {username, password}, tls: {insecure_skip_verify}}}}). Mirrors and TLS become containerd's
 * {@code hosts.toml} files (one directory per registry under its {@code config_path}); credentials go into the
 * CRI plugin's registry configs, which containerd 1.6 still reads beside {@code config_path}.
 */
final class RegistryConfig {

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Mirror(List<String> endpoint) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Auth(String username, String password) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Tls(@JsonProperty("insecure_skip_verify") boolean insecureSkipVerify) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record Host(Auth auth, Tls tls) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    record File(Map<String, Mirror> mirrors, Map<String, Host> configs) {
    }

    static final RegistryConfig NONE = new RegistryConfig(new File(Map.of(), Map.of()));

    private final File file;

    private RegistryConfig(File file) {
        this.file = new File(file.mirrors() == null ? Map.of() : file.mirrors(),
                file.configs() == null ? Map.of() : file.configs());
    }

    static RegistryConfig read(Path path) throws IOException {
        try {
            return new RegistryConfig(new ObjectMapper(new YAMLFactory()).readValue(path.toFile(), File.class));
        } catch (IOException e) {
            throw new IOException("--registry-config " + path + " is not a registries.yaml: " + e.getMessage(), e);
        }
    }

    /** Writes one {@code <registry>/hosts.toml} per mirrored or TLS-configured registry, replacing what was there. */
    void writeHosts(Path configPath) throws IOException {
        if (Files.isDirectory(configPath)) {
            io.qube.agent.FileTrees.delete(configPath);
        }
        Files.createDirectories(configPath);
        Map<String, List<String>> hosts = new LinkedHashMap<>();
        file.mirrors().forEach((registry, mirror) -> hosts.put(registry,
                mirror.endpoint() == null ? List.of() : mirror.endpoint()));
        file.configs().forEach((host, config) -> hosts.putIfAbsent(host, List.of()));
        for (Map.Entry<String, List<String>> entry : hosts.entrySet()) {
            String registry = entry.getKey();
            List<String> lines = new ArrayList<>();
            lines.add("server = " + quoted(upstream(registry)));
            if (insecure(registry)) {
                lines.add("skip_verify = true");
            }
            for (String endpoint : entry.getValue()) {
                String url = endpoint.contains("://") ? endpoint : "https://" + endpoint;
                lines.add("[host." + quoted(url) + "]");
                lines.add("  capabilities = [\"pull\", \"resolve\"]");
                if (insecure(url.replaceFirst("^[a-z]+://", "").replaceFirst("/.*", ""))) {
                    lines.add("  skip_verify = true");
                }
            }
            Path directory = Files.createDirectories(configPath.resolve(registry));
            Files.writeString(directory.resolve("hosts.toml"), String.join("\n", lines) + "\n");
        }
    }

    /** The CRI plugin's {@code registry.configs} with every host's credentials, for containerd's config.toml. */
    String authToml() {
        StringBuilder toml = new StringBuilder();
        file.configs().forEach((host, config) -> {
            if (config.auth() != null && config.auth().username() != null) {
                toml.append("[plugins.\"io.containerd.grpc.v1.cri\".registry.configs.").append(quoted(host))
                        .append(".auth]\n")
                        .append("  username = ").append(quoted(config.auth().username())).append('\n')
                        .append("  password = ").append(quoted(config.auth().password() == null ? ""
                                : config.auth().password())).append('\n');
            }
        });
        return toml.toString();
    }

    private boolean insecure(String host) {
        Host config = file.configs().get(host);
        return config != null && config.tls() != null && config.tls().insecureSkipVerify();
    }

    /** Docker Hub's name is not its address. */
    private static String upstream(String registry) {
        return registry.equals("docker.io") ? "https://registry-1.docker.io" : "https://" + registry;
    }

    private static String quoted(String value) {
        return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
