package io.qube.agent;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The agent's CNI config and plugins where {@code ctr run --cni} looks for them, the host's default
 * /etc/cni/net.d and /opt/cni/bin (containerd 1.6's ctr takes no other), in a mount namespace of its own that a
 * sleeping process holds: the host's directories, which other work on the machine uses, stay as they are, and
 * the bind mounts end with the process. Commands run in it behind {@link #enter()}.
 */
final class HostCniView implements AutoCloseable {

    /** /opt/cni/bin need not exist on the host: a tmpfs over /opt, in this namespace only, gives it a place. */
    private static final String SCRIPT = "mount -t tmpfs tmpfs /opt && mkdir -p /opt/cni/bin"
            + " && mount --bind \"$1\" /opt/cni/bin && mount --bind \"$2\" /etc/cni/net.d"
            + " && echo ready && exec sleep infinity";

    private final Process holder;

    private HostCniView(Process holder) {
        this.holder = holder;
    }

    /** @param containerdConfig the config.toml the agent wrote for its containerd: its CNI bin_dir and conf_dir */
    static HostCniView open(Path containerdConfig) throws IOException {
        String toml = Files.readString(containerdConfig);
        if (!Files.isDirectory(Path.of("/etc/cni/net.d"))) {
            throw new IOException("no /etc/cni/net.d on this host to mount the agent's CNI config over (ctr run --cni "
                    + "reads no other directory): mkdir -p /etc/cni/net.d");
        }
        Process holder = new ProcessBuilder(List.of("unshare", "--mount", "--propagation", "private", "sh", "-c",
                SCRIPT, "sh", setting(toml, "bin_dir"), setting(toml, "conf_dir")))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                StandardCharsets.UTF_8));
        if (!"ready".equals(out.readLine())) {
            holder.destroyForcibly();
            throw new IOException("could not mount the agent's CNI directories in a namespace of their own");
        }
        return new HostCniView(holder);
    }

    private static String setting(String toml, String key) throws IOException {
        Matcher found = Pattern.compile("(?m)^\\s*" + key + " = \"([^\"]+)\"").matcher(toml);
        if (!found.find()) {
            throw new IOException("no " + key + " in the agent's containerd config");
        }
        return found.group(1);
    }

    /** The command prefix that runs a program in this view. */
    List<String> enter() {
        return List.of("nsenter", "--target", Long.toString(holder.pid()), "--mount", "--");
    }

    @Override
    public void close() throws InterruptedException {
        holder.destroy();
        holder.waitFor(10, TimeUnit.SECONDS);
    }
}
