package io.qube.agent.network;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * A TCP socket made inside another network namespace, as container runtimes make port-forward's connection to a
 * pod's localhost: a socket belongs to the namespace it was created in, wherever it is used afterwards, so only
 * its creation needs to be there. setns(2) moves the calling thread alone; the thread that calls it is a new one
 * that ends right after, so no thread of the agent is ever left in a pod's namespace.
 */
public final class NetworkNamespaceSocket {

    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;

    private interface LibC extends Library {
        int open(String path, int flags) throws LastErrorException;

        int setns(int fd, int nstype) throws LastErrorException;

        int close(int fd) throws LastErrorException;
    }

    /** Loaded at first use: nodes that never forward a pod's port never load the native library. */
    private static final class Loaded {
        static final LibC LIBC = com.sun.jna.Native.load("c", LibC.class);
    }

    private NetworkNamespaceSocket() {
    }

    /**
     * An unconnected IPv4 socket in the network namespace at {@code namespace} (a {@code /var/run/netns} file or a
     * process's {@code /proc/<pid>/ns/net}); completes on the thread that made it.
     */
    public static CompletableFuture<SocketChannel> open(Path namespace) {
        CompletableFuture<SocketChannel> socket = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                socket.complete(openHere(namespace));
            } catch (IOException | RuntimeException | LinkageError e) {
                socket.completeExceptionally(e);
            }
        }, "netns-socket");
        thread.setDaemon(true);
        thread.start();
        return socket;
    }

    /** Enters the namespace for good (the calling thread ends afterwards) and makes the socket there. */
    private static SocketChannel openHere(Path namespace) throws IOException {
        int fd;
        try {
            fd = Loaded.LIBC.open(namespace.toString(), O_RDONLY | O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new IOException("cannot open network namespace " + namespace + ": " + e.getMessage(), e);
        }
        try {
            Loaded.LIBC.setns(fd, CLONE_NEWNET);
        } catch (LastErrorException e) {
            throw new IOException("cannot enter network namespace " + namespace + ": " + e.getMessage(), e);
        } finally {
            Loaded.LIBC.close(fd);
        }
        return SocketChannel.open(StandardProtocolFamily.INET);
    }
}
