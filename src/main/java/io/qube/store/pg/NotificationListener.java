package io.qube.store.pg;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import org.jboss.logging.Logger;

import java.util.function.LongConsumer;

/**
 * The process's one LISTEN connection. A notification only says "the log grew"; each one, and each
 * (re)subscription after a lost connection, wakes the log follower, which reads whatever it has not seen.
 */
final class NotificationListener implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(NotificationListener.class);
    private static final long RECONNECT_DELAY_MILLIS = 200;

    private final PgSubscriber subscriber;
    private volatile boolean connected;

    /**
     * @param notified told the revision a notification announces
     * @param subscribed told when (re)subscribed: whatever was committed while not listening is to be read
     */
    NotificationListener(Vertx vertx, PgConnectOptions options, LongConsumer notified, Runnable subscribed) {
        subscriber = PgSubscriber.subscriber(vertx, options);
        subscriber.reconnectPolicy(retries -> {
            if (connected) {
                LOG.warn("lost the LISTEN connection; reconnecting");
            }
            connected = false;
            return RECONNECT_DELAY_MILLIS;
        });
        subscriber.channel(Sql.NOTIFY_CHANNEL)
                .handler(payload -> {
                    try {
                        notified.accept(Long.parseLong(payload));
                    } catch (NumberFormatException notOurs) {
                        subscribed.run();
                    }
                })
                .subscribeHandler(done -> {
                    connected = true;
                    subscribed.run();
                });
    }

    io.vertx.core.Future<Void> connect() {
        return subscriber.connect();
    }

    boolean isConnected() {
        return connected && !subscriber.closed();
    }

    @Override
    public void close() {
        subscriber.close();
    }
}
