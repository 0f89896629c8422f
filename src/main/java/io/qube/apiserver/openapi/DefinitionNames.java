package io.qube.apiserver.openapi;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.qube.apiserver.node.NodeProxyOptions;
import io.qube.apiserver.node.PodPortForwardOptions;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * The names Kubernetes gives its OpenAPI definitions ({@code io.k8s.api.core.v1.Pod},
 * {@code io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta}), derived from fabric8's packages, so that
 * {@code kubectl explain} and generated clients see the names a real cluster uses.
 */
final class DefinitionNames {

    /** The body of a PATCH, whose shape depends on its Content-Type; no model class stands for it. */
    static final String PATCH = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";

    private static final String FABRIC8_MODEL = "io.fabric8.kubernetes.api.model";
    private static final String META = "io.k8s.apimachinery.pkg.apis.meta.v1.";
    // fabric8 keeps apimachinery's meta/v1 types in the same package as core/v1; these are the meta ones.
    private static final Set<String> META_TYPES = Set.of("APIGroup", "APIGroupList", "APIResource",
            "APIResourceList", "APIVersions", "Condition", "DeleteOptions", "FieldsV1", "GroupVersionForDiscovery",
            "LabelSelector", "LabelSelectorRequirement", "ListMeta", "ManagedFieldsEntry", "MicroTime", "ObjectMeta",
            "OwnerReference", "Patch", "Preconditions", "ServerAddressByClientCIDR", "Status", "StatusCause",
            "StatusDetails", "Time", "WatchEvent");
    private static final Pattern VERSION = Pattern.compile("v\\d+((alpha|beta)\\d+)?");

    private DefinitionNames() {
    }

    static String of(Class<?> type) {
        if (type == Quantity.class) {
            return "io.k8s.apimachinery.pkg.api.resource.Quantity";
        }
        if (type == IntOrString.class) {
            return "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
        }
        String name = type.getSimpleName();
        String packageName = type.getPackageName();
        if (packageName.equals(FABRIC8_MODEL)) {
            return (META_TYPES.contains(name) ? META : "io.k8s.api.core.v1.") + name;
        }
        if (packageName.startsWith(FABRIC8_MODEL + ".")) {
            // e.g. ...model.coordination.v1 -> io.k8s.api.coordination.v1; ...model.apps (v1 only) -> io.k8s.api.apps.v1
            String group = packageName.substring(FABRIC8_MODEL.length() + 1);
            int lastDot = group.lastIndexOf('.');
            String last = group.substring(lastDot + 1);
            if (VERSION.matcher(last).matches()) {
                return "io.k8s.api." + group + "." + name;
            }
            return "io.k8s.api." + group + ".v1." + name;
        }
        if (type == PodPortForwardOptions.class || type == NodeProxyOptions.class) {
            return "io.k8s.api.core.v1." + name; // core/v1 types fabric8 lacks, modelled by Qube
        }
        return type.getName();
    }
}
