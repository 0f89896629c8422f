package io.qube.apiserver.discovery;

import java.util.Locale;

/**
 * The answer to {@code GET /version}: the Kubernetes release whose API Qube serves. The installed kubectl is a
 * dispatcher that runs the kubectl build matching {@link #minor}, so this decides which client talks to us.
 */
public record ServerVersion(String major, String minor, String gitVersion, String gitCommit, String gitTreeState,
                            String buildDate, String goVersion, String compiler, String platform) {

    /**
     * Qube's build is not stamped with a commit or a date, so those fields say what an unstamped Kubernetes build
     * says; the toolchain fields name the JVM Qube actually runs on.
     */
    public static ServerVersion current() {
        return new ServerVersion("1", "32", "v1.32.0", "unknown", "clean", "1970-01-01T00:00:00Z",
                "java" + Runtime.version(), "javac", goOs() + "/" + goArch());
    }

    // Kubernetes names platforms the Go way (linux/amd64), which kubectl prints as is.
    private static String goOs() {
        String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        if (os.startsWith("mac")) {
            return "darwin";
        }
        return os.startsWith("windows") ? "windows" : os;
    }

    private static String goArch() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> arch;
        };
    }
}
