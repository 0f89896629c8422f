package io.qube.apiserver.codec;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import io.fabric8.kubernetes.api.model.KubernetesResource;

import java.util.Map;
import java.util.stream.Collectors;

/**
 * The JSON properties of a fabric8 model class and their generic types, from the same Jackson introspection that
 * reads and writes the class: what the patch code and the type check ask of "the field {@code x} here".
 */
public final class ModelProperties {

    private static final ClassValue<Map<String, JavaType>> BY_CLASS = new ClassValue<>() {
        @Override
        protected Map<String, JavaType> computeValue(Class<?> type) {
            return Json.MAPPER.getSerializationConfig().introspect(Json.MAPPER.constructType(type)).findProperties()
                    .stream().collect(Collectors.toUnmodifiableMap(BeanPropertyDefinition::getName,
                            BeanPropertyDefinition::getPrimaryType, (first, second) -> first));
        }
    };

    private ModelProperties() {
    }

    /**
     * The properties of {@code type}; none for anything but a fabric8 model class (a String or an Integer has
     * "properties" no JSON object carries).
     */
    public static Map<String, JavaType> of(Class<?> type) {
        return KubernetesResource.class.isAssignableFrom(type) ? BY_CLASS.get(type) : Map.of();
    }
}
