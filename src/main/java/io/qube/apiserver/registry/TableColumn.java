package io.qube.apiserver.registry;

import java.time.Instant;

/**
 * One column of {@code kubectl get} output (a meta.k8s.io/v1 Table column definition) and how to compute its cell.
 *
 * @param type     the OpenAPI type: string, integer, number, boolean or date
 * @param format   e.g. "name" for the NAME column, else ""
 * @param priority 0 shows always; 1 only with {@code -o wide}
 * @param cell     the cell's value for one object (a String, Number or Boolean)
 */
public record TableColumn<T>(String name, String type, String format, String description, int priority,
                             Cell<T> cell) {

    /**
     * Computes one object's cell. It gets the request's time because cells such as AGE ("5m") or RESTARTS
     * ("3 (2m ago)") are durations until now, rendered when the table is asked for, as Kubernetes does.
     */
    @FunctionalInterface
    public interface Cell<T> {
        Object value(T object, Instant now);
    }

    public static <T> TableColumn<T> of(String name, String type, String description, Cell<T> cell) {
        return new TableColumn<>(name, type, "", description, 0, cell);
    }

    public static <T> TableColumn<T> wide(String name, String type, String description, Cell<T> cell) {
        return new TableColumn<>(name, type, "", description, 1, cell);
    }
}
