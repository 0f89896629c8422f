package io.qube.apiserver.table;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventSource;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.qube.apiserver.registry.TableColumn;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

import static io.qube.apiserver.table.Cells.text;

/**
 * {@code kubectl get events}: LAST SEEN TYPE REASON OBJECT MESSAGE; wide adds SUBOBJECT SOURCE FIRST SEEN COUNT NAME.
 * Events come from old-style recorders (firstTimestamp, lastTimestamp, count, source) and from the events API
 * (eventTime, series, reportingController); the cells read whichever the event has.
 */
final class EventColumns {

    private EventColumns() {
    }

    static List<TableColumn<? super Event>> columns() {
        return List.of(
                TableColumn.of("Last Seen", "string", "The time since the event was last seen.",
                        (event, now) -> lastSeen(event, now)),
                TableColumn.of("Type", "string", "Normal or Warning.", (event, now) -> text(event.getType())),
                TableColumn.of("Reason", "string", "Why the event happened, in one word.",
                        (event, now) -> text(event.getReason())),
                TableColumn.of("Object", "string", "The object the event is about, as kind/name.",
                        (event, now) -> involvedObject(event)),
                TableColumn.wide("Subobject", "string", "The part of the object the event is about, e.g. a container.",
                        (event, now) -> text(involved(event).getFieldPath())),
                TableColumn.wide("Source", "string", "The component (and host) that reported the event.",
                        (event, now) -> source(event)),
                TableColumn.of("Message", "string", "A human-readable description of what happened.",
                        (event, now) -> text(event.getMessage()).trim()),
                TableColumn.wide("First Seen", "string", "The time since the event was first seen.",
                        (event, now) -> firstSeen(event, now)),
                TableColumn.wide("Count", "string", "How many times the event has occurred.",
                        (event, now) -> count(event)),
                CommonColumns.wideName());
    }

    private static String firstSeen(Event event, Instant now) {
        if (Durations.parse(event.getFirstTimestamp()) != null) {
            return Durations.since(event.getFirstTimestamp(), now);
        }
        return Durations.since(microTime(event.getEventTime()), now);
    }

    private static String lastSeen(Event event, Instant now) {
        if (event.getSeries() != null) {
            return Durations.since(microTime(event.getSeries().getLastObservedTime()), now);
        }
        if (Durations.parse(event.getLastTimestamp()) != null) {
            return Durations.since(event.getLastTimestamp(), now);
        }
        return firstSeen(event, now);
    }

    /** A singleton event from the events API carries no count: it happened once. */
    private static int count(Event event) {
        if (event.getSeries() != null) {
            return Cells.number(event.getSeries().getCount());
        }
        int count = Cells.number(event.getCount());
        return count == 0 ? 1 : count;
    }

    private static String involvedObject(Event event) {
        ObjectReference involved = involved(event);
        String kind = text(involved.getKind()).toLowerCase(Locale.ROOT);
        return text(involved.getName()).isEmpty() ? kind : kind + "/" + involved.getName();
    }

    /** "kubelet, node-1": the old source fields, or the events API's reporting controller and instance. */
    private static String source(Event event) {
        EventSource source = event.getSource() == null ? new EventSource() : event.getSource();
        String component = firstNonEmpty(source.getComponent(), event.getReportingComponent());
        String instance = firstNonEmpty(source.getHost(), event.getReportingInstance());
        return instance.isEmpty() ? component : component + ", " + instance;
    }

    private static ObjectReference involved(Event event) {
        return event.getInvolvedObject() == null ? new ObjectReference() : event.getInvolvedObject();
    }

    private static String microTime(MicroTime time) {
        return time == null ? null : time.getTime();
    }

    private static String firstNonEmpty(String first, String second) {
        return text(first).isEmpty() ? text(second) : first;
    }
}
