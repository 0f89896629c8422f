package io.qube.agent.runtime.process;

import io.qube.agent.runtime.CgroupStats;
import io.qube.agent.runtime.ContainerUsage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One cgroup per container under {@code qube/<pod uid>/}, with the container's memory and cpu limits, on cgroup
 * v2 or on v1's memory, cpu and cpuacct hierarchies (as on hosts in hybrid mode). The shim joins them before it
 * starts the command, so the command never runs outside its limits, and all its cpu time and memory are accounted
 * to the container (read back by {@link #usage}).
 */
final class Cgroups {

    private static final Path ROOT = Path.of("/sys/fs/cgroup");
    private static final long CPU_PERIOD_MICROS = 100_000;
    private static final Pattern OOM_KILLS = Pattern.compile("(?m)^oom_kill (\\d+)$");

    private final boolean v2;
    private final String parent;
    /** v1's cpuacct hierarchy: mounted apart from cpu on some hosts, together with it ({@code cpu,cpuacct}) on others. */
    private final Path cpuacct;

    private Cgroups(boolean v2, String parent) {
        this.v2 = v2;
        this.parent = parent;
        this.cpuacct = v2 ? null : ROOT.resolve("cpuacct");
    }

    /** Null where cgroups cannot be written (not root, or no memory controller). */
    static Cgroups detect(String parent) {
        boolean v2 = Files.exists(ROOT.resolve("cgroup.controllers"));
        Path probe = v2 ? ROOT : ROOT.resolve("memory");
        return Files.isWritable(probe) && Files.isDirectory(probe) ? new Cgroups(v2, parent) : null;
    }

    /** Creates the container's cgroups with its limits (0: none); returns the cgroup.procs files to join. */
    List<Path> create(String podUid, String container, long memoryBytes, long cpuMillis) throws IOException {
        List<Path> procs = new ArrayList<>();
        for (Path directory : directories(podUid, container)) {
            Files.createDirectories(directory);
            procs.add(directory.resolve("cgroup.procs"));
        }
        if (v2) {
            // v2 gives a child a controller only where every ancestor delegates it.
            delegate(ROOT.resolve(parent));
            delegate(ROOT.resolve(parent).resolve(podUid));
            Path directory = directories(podUid, container).get(0);
            if (memoryBytes > 0) {
                Files.writeString(directory.resolve("memory.max"), Long.toString(memoryBytes));
            }
            if (cpuMillis > 0) {
                Files.writeString(directory.resolve("cpu.max"), cpuMillis * CPU_PERIOD_MICROS / 1000 + " "
                        + CPU_PERIOD_MICROS);
            }
        } else {
            if (memoryBytes > 0) {
                Files.writeString(v1("memory", podUid, container).resolve("memory.limit_in_bytes"),
                        Long.toString(memoryBytes));
            }
            if (cpuMillis > 0) {
                Path cpu = v1("cpu", podUid, container);
                Files.writeString(cpu.resolve("cpu.cfs_period_us"), Long.toString(CPU_PERIOD_MICROS));
                Files.writeString(cpu.resolve("cpu.cfs_quota_us"), Long.toString(cpuMillis * CPU_PERIOD_MICROS / 1000));
            }
        }
        return procs;
    }

    private static void delegate(Path directory) throws IOException {
        Files.writeString(directory.resolve("cgroup.subtree_control"), "+memory +cpu +pids");
    }

    /** Whether the kernel's OOM killer ended a process of this container. */
    boolean oomKilled(String podUid, String container) {
        Path events = v2 ? directories(podUid, container).get(0).resolve("memory.events")
                : v1("memory", podUid, container).resolve("memory.oom_control");
        try {
            Matcher matcher = OOM_KILLS.matcher(Files.readString(events));
            return matcher.find() && Long.parseLong(matcher.group(1)) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** The container's cpu and memory as its cgroups account them; null when they are gone. */
    ContainerUsage usage(String podUid, String container) {
        try {
            return v2 ? CgroupStats.v2(directories(podUid, container).get(0))
                    : CgroupStats.v1(cpuacct.resolve(parent).resolve(podUid).resolve(container),
                    v1("memory", podUid, container));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Removes the pod's cgroups; every process in them must have ended. */
    void remove(String podUid) throws IOException {
        for (Path hierarchy : hierarchies()) {
            Path pod = hierarchy.resolve(parent).resolve(podUid);
            if (Files.isDirectory(pod)) {
                try (var children = Files.list(pod)) {
                    for (Path child : children.filter(Files::isDirectory).toList()) {
                        Files.deleteIfExists(child);
                    }
                }
                Files.deleteIfExists(pod);
            }
        }
    }

    private List<Path> directories(String podUid, String container) {
        return hierarchies().stream().map(hierarchy -> hierarchy.resolve(parent).resolve(podUid).resolve(container))
                .toList();
    }

    private Path v1(String controller, String podUid, String container) {
        return ROOT.resolve(controller).resolve(parent).resolve(podUid).resolve(container);
    }

    private List<Path> hierarchies() {
        if (v2) {
            return List.of(ROOT);
        }
        List<Path> hierarchies = new ArrayList<>(List.of(ROOT.resolve("memory"), ROOT.resolve("cpu"),
                ROOT.resolve("pids")));
        if (Files.isDirectory(cpuacct) && !sameDirectory(cpuacct, ROOT.resolve("cpu"))) {
            hierarchies.add(cpuacct);
        }
        return hierarchies;
    }

    private static boolean sameDirectory(Path one, Path other) {
        try {
            return Files.isSameFile(one, other);
        } catch (IOException e) {
            return false;
        }
    }
}
