package io.qube.agent.cri;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The test images, built without internet from the machine's static busybox: an OCI image layout with two tags,
 * {@link #BUSYBOX} (busybox and its applets, {@code sh} as command) and {@link #PAUSE} (the same filesystem, a shell
 * that sleeps until SIGTERM as entrypoint: a sandbox's pause container). Both carry {@link #MARKER_PATH}, so a test
 * can tell the image's filesystem from the host's. Built with umoci once (per JVM, and kept under
 * target/test-images until a clean), then pushed to a {@link LocalRegistry} by tests that need a registry.
 */
public final class TestImages {

    /** The tags in the layout. */
    public static final String BUSYBOX = "busybox";
    public static final String PAUSE = "pause";

    /** A file only the test images have, and its content. */
    public static final String MARKER_PATH = "/etc/qube-test-image";
    public static final String MARKER = "qube test image\n";

    /**
     * The applets linked in /bin; busybox-static 1.35 has them all (it has no {@code script}). Add one here when a
     * test needs it.
     */
    public static final List<String> APPLETS = List.of("sh", "ls", "cat", "echo", "sleep", "httpd", "nc", "wget",
            "id", "hostname", "env", "head", "dd", "yes", "true", "false", "ps", "mkdir", "kill", "grep", "rm",
            "touch", "test", "tail", "wc", "date", "printf", "seq", "sed", "mount", "ip", "pwd", "stat", "tty",
            "nslookup");

    /** The pause container's command: a shell as PID 1 ignores SIGTERM unless it traps it, and sleep would too. */
    public static final List<String> PAUSE_ENTRYPOINT = List.of("/bin/sh", "-c",
            "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait; done");

    /**
     * Names the recipe: a layout is reused only if built by this recipe, so changing what is built (applets, files,
     * config) needs a new name here, not a {@code mvn clean} on every machine.
     */
    private static final String RECIPE = "v3";
    private static final Path HOME = Path.of("target", "test-images");
    private static final Path BUSYBOX_BINARY = Path.of("/bin/busybox");
    private static final Duration UMOCI = Duration.ofSeconds(60);

    private static Path layout;

    private TestImages() {
    }

    /** The OCI image layout holding both tags, built if this recipe's is not there yet. */
    public static synchronized Path layout() {
        if (layout == null) {
            Path built = HOME.resolve(RECIPE).toAbsolutePath();
            if (!Files.isRegularFile(built.resolve("index.json"))) {
                build(built);
            }
            layout = built;
        }
        return layout;
    }

    /**
     * Builds in a scratch directory and moves the finished layout in place, so an interrupted build leaves no half
     * layout behind to be taken for a built one.
     */
    private static void build(Path target) {
        Path work;
        try {
            work = Files.createTempDirectory(Files.createDirectories(HOME), "build-").toAbsolutePath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            Path oci = work.resolve("oci");
            Path bundle = work.resolve("bundle");
            String busybox = oci + ":" + BUSYBOX; // umoci: path:tag, without skopeo's oci: transport
            umoci("init", "--layout", oci.toString());
            umoci("new", "--image", busybox);
            List<String> unpack = new ArrayList<>(List.of("umoci", "unpack"));
            if (!"root".equals(System.getProperty("user.name"))) {
                unpack.add("--rootless"); // files owned by the user, recorded as root's in the layer
            }
            unpack.addAll(List.of("--image", busybox, bundle.toString()));
            Commands.run(UMOCI, unpack).ok();
            fillRootfs(bundle.resolve("rootfs"));
            umoci("repack", "--image", busybox, bundle.toString());
            umoci("config", "--image", busybox, "--config.cmd", "/bin/sh",
                    "--config.env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                    "--config.workingdir", "/");
            List<String> pause = new ArrayList<>(List.of("umoci", "config", "--image", busybox, "--tag", PAUSE,
                    "--clear", "config.cmd"));
            PAUSE_ENTRYPOINT.forEach(argument -> pause.addAll(List.of("--config.entrypoint", argument)));
            Commands.run(UMOCI, pause).ok();
            // each config step left the previous manifest and config behind as unreferenced blobs
            umoci("gc", "--layout", oci.toString());
            moveInPlace(oci, target);
        } finally {
            TestFiles.deleteTree(work);
        }
    }

    private static void fillRootfs(Path rootfs) {
        try {
            Path bin = Files.createDirectories(rootfs.resolve("bin"));
            Files.copy(BUSYBOX_BINARY, bin.resolve("busybox"), StandardCopyOption.COPY_ATTRIBUTES);
            for (String applet : APPLETS) {
                Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
            }
            Path etc = Files.createDirectories(rootfs.resolve("etc"));
            Files.writeString(etc.resolve(MARKER_PATH.substring("/etc/".length())), MARKER);
            // names for id and for runAsUser by name; the runtime mounts hosts, hostname and resolv.conf itself
            Files.writeString(etc.resolve("passwd"),
                    "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
            Files.writeString(etc.resolve("group"), "root:x:0:\nnogroup:x:65534:\n");
            Files.createDirectories(rootfs.resolve("root"));
            Path tmp = Files.createDirectories(rootfs.resolve("tmp"));
            Commands.run(UMOCI, "chmod", "1777", tmp.toString()).ok(); // Java cannot set the sticky bit
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Another JVM may have built the same recipe meanwhile: then its layout is as good as ours. */
    private static void moveInPlace(Path oci, Path target) {
        try {
            Files.move(oci, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException builtMeanwhile) {
            // keep theirs
        } catch (AtomicMoveNotSupportedException e) {
            throw new IllegalStateException("the scratch directory is under " + HOME + ", on the same file system", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void umoci(String... arguments) {
        List<String> command = new ArrayList<>(List.of("umoci"));
        command.addAll(List.of(arguments));
        Commands.run(UMOCI, command).ok();
    }
}
