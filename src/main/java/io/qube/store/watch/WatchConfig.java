package io.qube.store.watch;

import java.time.Duration;

/**
 * How the watch cache behaves.
 *
 * @param window           changes kept per resource type for watches resuming from a past revision
 * @param watcherBuffer    events a watcher may have waiting before it is closed with Expired
 * @param readBatch        log rows read per query when catching up
 * @param bookmarkInterval how often watchers that asked for bookmarks get one
 * @param pollInterval     how often the log is read even without a notification (a safety net, not the path)
 * @param catchUpTimeout   how long a consistent read waits for the cache to reach the database's revision
 */
public record WatchConfig(int window, int watcherBuffer, int readBatch, Duration bookmarkInterval,
                          Duration pollInterval, Duration catchUpTimeout) {

    public static WatchConfig defaults() {
        return new WatchConfig(10_000, 10_000, 1_000, Duration.ofSeconds(5), Duration.ofSeconds(5),
                Duration.ofSeconds(3));
    }

    public WatchConfig withWindow(int newWindow) {
        return new WatchConfig(newWindow, watcherBuffer, readBatch, bookmarkInterval, pollInterval, catchUpTimeout);
    }

    public WatchConfig withWatcherBuffer(int newBuffer) {
        return new WatchConfig(window, newBuffer, readBatch, bookmarkInterval, pollInterval, catchUpTimeout);
    }

    public WatchConfig withBookmarkInterval(Duration interval) {
        return new WatchConfig(window, watcherBuffer, readBatch, interval, pollInterval, catchUpTimeout);
    }
}
