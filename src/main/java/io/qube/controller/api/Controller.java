package io.qube.controller.api;

/**
 * One controller as the controller manager runs it: started when this process becomes the leader, closed when it
 * stops leading or shuts down. Its event handlers only enqueue keys; a work queue calls its reconcile.
 */
public interface Controller extends AutoCloseable {

    /** Starts its informers and workers. */
    void start();

    /** Stops its informers and workers; it is not started again. */
    @Override
    void close();
}
