package io.qube.store;

import java.util.ArrayList;
import java.util.List;

/**
 * A parsed Kubernetes field selector: {@code f=v}, {@code f==v} and {@code f!=v} clauses joined by commas, over
 * {@code metadata.name}, {@code metadata.namespace} and the resource type's {@link IndexedFields}.
 */
public record FieldSelector(List<Requirement> requirements) {

    public static final FieldSelector EVERYTHING = new FieldSelector(List.of());
    public static final String NAME = "metadata.name";
    public static final String NAMESPACE = "metadata.namespace";

    /** One clause; a field the object lacks has the value "". */
    public record Requirement(String field, boolean equals, String value) {

        public boolean matches(StoredObject object) {
            return value.equals(valueOf(object, field)) == equals;
        }
    }

    public boolean matches(StoredObject object) {
        for (Requirement requirement : requirements) {
            if (!requirement.matches(object)) {
                return false;
            }
        }
        return true;
    }

    public boolean isEverything() {
        return requirements.isEmpty();
    }

    /** The value the selector compares for one field of an object. */
    public static String valueOf(StoredObject object, String field) {
        return switch (field) {
            case NAME -> object.key().name();
            case NAMESPACE -> object.key().namespace();
            default -> object.fields().getOrDefault(field, "");
        };
    }

    /**
     * Parses the string form used in {@code fieldSelector=} and checks each field is selectable for the type.
     *
     * @throws StoreException BAD_REQUEST naming the clause or field that is wrong
     */
    public static FieldSelector parse(String text, ResourceType type, IndexedFields indexedFields) {
        if (text == null || text.isBlank()) {
            return EVERYTHING;
        }
        List<Requirement> requirements = new ArrayList<>();
        for (String clause : text.split(",")) {
            requirements.add(parseClause(clause.trim(), type, indexedFields));
        }
        return new FieldSelector(List.copyOf(requirements));
    }

    private static Requirement parseClause(String clause, ResourceType type, IndexedFields indexedFields) {
        int ne = clause.indexOf("!=");
        int eq = clause.indexOf('=');
        Requirement requirement;
        if (ne > 0) {
            requirement = new Requirement(clause.substring(0, ne).trim(), false, clause.substring(ne + 2).trim());
        } else if (eq > 0) {
            int valueStart = clause.startsWith("==", eq) ? eq + 2 : eq + 1;
            requirement = new Requirement(clause.substring(0, eq).trim(), true, clause.substring(valueStart).trim());
        } else {
            throw new StoreException(StoreException.Reason.BAD_REQUEST,
                    "invalid field selector: \"" + clause + "\": expected field=value, field==value or field!=value");
        }
        String field = requirement.field();
        if (!field.equals(NAME) && !field.equals(NAMESPACE) && !indexedFields.fieldsOf(type).contains(field)) {
            throw new StoreException(StoreException.Reason.BAD_REQUEST,
                    "field label not supported: " + field + " (for " + type + ")");
        }
        return requirement;
    }
}
