package io.qube.scheduler.framework;

import java.util.List;

/**
 * What a plugin answers at an extension point, with Kubernetes' codes: {@code UNSCHEDULABLE} may be fixed by
 * preempting pods, {@code UNSCHEDULABLE_AND_UNRESOLVABLE} may not; {@code SKIP} from a PreFilter or PreScore means
 * the plugin has nothing to say about this pod and its Filter or Score is not called.
 */
public record Status(Code code, List<String> reasons, String plugin) {

    public enum Code { SUCCESS, ERROR, UNSCHEDULABLE, UNSCHEDULABLE_AND_UNRESOLVABLE, WAIT, SKIP }

    public static final Status SUCCESS = new Status(Code.SUCCESS, List.of(), "");
    public static final Status SKIP = new Status(Code.SKIP, List.of(), "");

    public static Status unschedulable(String... reasons) {
        return new Status(Code.UNSCHEDULABLE, List.of(reasons), "");
    }

    public static Status unresolvable(String... reasons) {
        return new Status(Code.UNSCHEDULABLE_AND_UNRESOLVABLE, List.of(reasons), "");
    }

    public static Status error(String message) {
        return new Status(Code.ERROR, List.of(message), "");
    }

    public boolean isSuccess() {
        return code == Code.SUCCESS;
    }

    public boolean isSkip() {
        return code == Code.SKIP;
    }

    public boolean isRejected() {
        return code == Code.UNSCHEDULABLE || code == Code.UNSCHEDULABLE_AND_UNRESOLVABLE;
    }

    public Status withPlugin(String name) {
        return plugin.equals(name) ? this : new Status(code, reasons, name);
    }

    public String message() {
        return String.join(", ", reasons);
    }
}
