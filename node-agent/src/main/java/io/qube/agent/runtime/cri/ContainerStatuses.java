package io.qube.agent.runtime.cri;

import io.qube.agent.runtime.ContainerStatus;
import io.qube.agent.runtime.cri.v1.Cri;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The containers' statuses as ContainerStatus last answered, each with the CRI state it was read in. What the pod
 * workers read of a status only changes with its state (a running container's start time, an exited one's exit
 * code and finish time are fixed), so a sync whose ListContainers finds a container in the state it was read in
 * takes the status from here: every pod is synced each second, and one ContainerStatus call per container and
 * sync was most of the runtime's load once a few dozen pods ran.
 */
final class ContainerStatuses {

    private record Read(String podUid, Cri.ContainerState state, ContainerStatus status) {
    }

    private final Map<String, Read> byId = new ConcurrentHashMap<>();

    /** The status read when the container was in the state it is listed in now, or null: ask the runtime. */
    ContainerStatus current(Cri.Container listed) {
        Read read = byId.get(listed.getId());
        return read != null && read.state() == listed.getState() ? read.status() : null;
    }

    /** Keeps what ContainerStatus answered; an UNKNOWN state is a passing one, read again next time. */
    ContainerStatus keep(Cri.ContainerStatus answer) {
        ContainerStatus status = CriRuntime.statusOf(answer);
        if (answer.getState() != Cri.ContainerState.CONTAINER_UNKNOWN) {
            byId.put(answer.getId(), new Read(answer.getLabelsMap().get(CriRuntime.POD_UID), answer.getState(),
                    status));
        }
        return status;
    }

    /** Forgets the pod's containers the runtime no longer lists. */
    void retain(String podUid, Set<String> listed) {
        byId.entrySet().removeIf(entry -> podUid.equals(entry.getValue().podUid())
                && !listed.contains(entry.getKey()));
    }

    void forget(String containerId) {
        byId.remove(containerId);
    }

    void forgetPod(String podUid) {
        byId.values().removeIf(read -> podUid.equals(read.podUid()));
    }
}
