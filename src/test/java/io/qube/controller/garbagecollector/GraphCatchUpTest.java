package io.qube.controller.garbagecollector;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** The collector's start waits for exactly the objects its graph has not taken in yet, and no longer. */
class GraphCatchUpTest {

    private final GraphCatchUp catchUp = new GraphCatchUp();

    @Test
    void completesWhenTheLastAwaitedObjectArrives() {
        CompletableFuture<Void> caughtUp = catchUp.await(List.of("a", "b", "c"), Set.of("a")::contains);

        assertThat(caughtUp).isNotDone();
        assertThat(catchUp.missing()).isEqualTo(2);
        catchUp.seen("b");
        catchUp.seen("unrelated");
        assertThat(caughtUp).isNotDone();
        catchUp.seen("c");
        assertThat(caughtUp).isCompleted();
    }

    @Test
    void anObjectThatArrivedBeforeTheWaitIsNotWaitedFor() {
        // Its notification came and went before the wait began: only the graph can tell it arrived.
        catchUp.seen("a");

        assertThat(catchUp.await(List.of("a"), Set.of("a")::contains)).isCompleted();
    }

    @Test
    void nothingToAwaitIsCaughtUpAtOnce() {
        assertThat(catchUp.await(List.of(), uid -> false)).isCompleted();
    }
}
