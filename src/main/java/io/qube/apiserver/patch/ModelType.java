package io.qube.apiserver.patch;

import com.fasterxml.jackson.databind.JavaType;
import io.qube.apiserver.codec.Json;
import io.qube.apiserver.codec.ModelProperties;

import java.util.Map;

/**
 * The fabric8 model type at one place in an object, so the patch code can ask which strategy a list field there has.
 * Fields and their generic types come from Jackson's view of the model classes, which is exactly the JSON the classes
 * read and write. A place the model does not describe (an unknown field, a free-form map) is UNKNOWN: its maps still
 * merge, its lists are atomic.
 */
final class ModelType {

    static final ModelType UNKNOWN = new ModelType(null);

    // Every write asks for its kind's type; resolving it through Jackson's type factory each time showed in profiles.
    private static final ClassValue<ModelType> BY_CLASS = new ClassValue<>() {
        @Override
        protected ModelType computeValue(Class<?> modelClass) {
            return new ModelType(Json.MAPPER.constructType(modelClass));
        }
    };

    private final JavaType type;

    private ModelType(JavaType type) {
        this.type = type;
    }

    static ModelType of(Class<?> modelClass) {
        return BY_CLASS.get(modelClass);
    }

    /** The type of a field's value; for a map, the type of its values whatever the key. */
    ModelType field(String name) {
        if (type == null) {
            return UNKNOWN;
        }
        if (type.isMapLikeType()) {
            return wrap(type.getContentType());
        }
        return wrap(properties(type).get(name));
    }

    /** The type of a list's items. */
    ModelType element() {
        return type != null && type.isCollectionLikeType() ? wrap(type.getContentType()) : UNKNOWN;
    }

    ListStrategy listStrategy(String field) {
        return type == null ? ListStrategy.ATOMIC : ListStrategies.of(type.getRawClass(), field);
    }

    boolean isList() {
        return type != null && type.isCollectionLikeType();
    }

    private static ModelType wrap(JavaType type) {
        return type == null ? UNKNOWN : new ModelType(type);
    }

    private static Map<String, JavaType> properties(JavaType type) {
        return ModelProperties.of(type.getRawClass());
    }
}
