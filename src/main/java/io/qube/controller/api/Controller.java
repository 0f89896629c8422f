package io.qube.controller.api;

/**
 * One controller as the controller manager runs it: started when this process becomes the leader, closed when it
 * stops leading or shuts down. Its event handlers only enqueue keys; a work queue calls its reconcile.
 */
public interface Controller extends AutoCloseable {

    /**
     * Adds its handlers to the shared informers, waits for them to sync, and starts its workers. Called off the
     * informers' and the leader elector's threads; it may block.
     */
    void start(Informers informers);

    /** Stops its workers (the shared informers are the manager's to close); it is not started again. */
    @Override
    void close();
}
