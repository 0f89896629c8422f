package io.qube.scheduler.plugins;

import io.qube.scheduler.framework.CycleState;
import io.qube.scheduler.framework.ExtensionPoints;
import io.qube.scheduler.framework.Handle;
import io.qube.scheduler.framework.PodInfo;
import io.qube.scheduler.framework.Status;

import java.util.concurrent.CompletionStage;

/** Binds through the API's pods/binding subresource, as kube-scheduler does. */
public final class DefaultBinder implements ExtensionPoints.Bind {

    private final Handle handle;

    public DefaultBinder(Handle handle) {
        this.handle = handle;
    }

    @Override
    public String name() {
        return Names.DEFAULT_BINDER;
    }

    @Override
    public CompletionStage<Status> bind(CycleState state, PodInfo pod, String nodeName) {
        return handle.actions().bind(pod, nodeName)
                .handle((done, failure) -> failure == null ? Status.SUCCESS : Status.error(failure.getMessage()));
    }
}
