package io.qube.apiserver.table;

import io.qube.apiserver.registry.TableColumn;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Test helpers: a fixed "now", timestamps relative to it, and a kind's cells and headers as kubectl gets them. */
final class Rows {

    static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");

    private Rows() {
    }

    /** The RFC 3339 timestamp {@code age} before {@link #NOW}. */
    static String ago(Duration age) {
        return NOW.minus(age).toString();
    }

    static <T> List<Object> cells(List<TableColumn<? super T>> columns, T object) {
        List<Object> cells = new ArrayList<>();
        for (TableColumn<? super T> column : columns) {
            cells.add(column.cell().value(object, NOW));
        }
        return cells;
    }

    /** The cells kubectl shows without {@code -o wide}. */
    static <T> List<Object> defaultCells(List<TableColumn<? super T>> columns, T object) {
        List<Object> cells = new ArrayList<>();
        for (TableColumn<? super T> column : columns) {
            if (column.priority() == 0) {
                cells.add(column.cell().value(object, NOW));
            }
        }
        return cells;
    }

    /** The headers as kubectl prints them: upper case, priority 0 only unless {@code wide}. */
    static List<String> headers(List<? extends TableColumn<?>> columns, boolean wide) {
        List<String> headers = new ArrayList<>();
        for (TableColumn<?> column : columns) {
            if (wide || column.priority() == 0) {
                headers.add(column.name().toUpperCase(Locale.ROOT));
            }
        }
        return headers;
    }
}
