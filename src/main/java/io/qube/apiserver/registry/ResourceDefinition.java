package io.qube.apiserver.registry;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.qube.store.ResourceType;

import java.util.List;

/**
 * Everything Qube needs to serve one kind. Built from the fabric8 model class (group, version, kind, plural and
 * singular come from its annotations) plus what the class cannot say: scope, short names, categories,
 * subresources, and the kind's defaults, validation and table columns. A custom resource (a CustomResourceDefinition's
 * version) has no class of its own: its definition is built at runtime over {@link GenericKubernetesResource}, with
 * the names the CRD gives.
 */
public final class ResourceDefinition<T extends HasMetadata> {

    private final Class<T> type;
    private final String group;
    private final String version;
    private final String kind;
    private final String plural;
    private final String singular;
    private final String listKind;
    private final boolean custom;
    private boolean namespaced = true;
    private List<String> shortNames = List.of();
    private List<String> categories = List.of();
    private boolean status;
    private ScalePaths scale;
    private boolean createOnly;
    private boolean computed;
    private boolean statusOnCreate;
    private NameRule nameRule = NameRule.DNS_SUBDOMAIN;
    private Pruner pruner = Pruner.NONE;
    private Defaulter<? super T> defaulter = Defaulter.NONE;
    private Validator<? super T> validator = Validator.NONE;
    private List<TableColumn<? super T>> columns = List.of();
    private ResourceDefinition<?> storage;
    private VersionConversion conversion;
    private ObjectNode openApiSchema;

    private ResourceDefinition(Class<T> type, String group, String version, String kind, String plural,
                               String singular, String listKind, boolean custom) {
        this.type = type;
        this.group = group;
        this.version = version;
        this.kind = kind;
        this.plural = plural;
        this.singular = singular;
        this.listKind = listKind;
        this.custom = custom;
    }

    public static <T extends HasMetadata> ResourceDefinition<T> of(Class<T> type) {
        String kind = HasMetadata.getKind(type);
        return new ResourceDefinition<>(type, HasMetadata.getGroup(type), HasMetadata.getVersion(type), kind,
                HasMetadata.getPlural(type), HasMetadata.getSingular(type), kind + "List", false);
    }

    /**
     * A kind computed on request and never stored (metrics.k8s.io's NodeMetrics and PodMetrics): served read-only
     * by a handler of its own, under a plural the model class does not say.
     */
    public static <T extends HasMetadata> ResourceDefinition<T> computed(Class<T> type, String plural) {
        String kind = HasMetadata.getKind(type);
        ResourceDefinition<T> definition = new ResourceDefinition<>(type, HasMetadata.getGroup(type),
                HasMetadata.getVersion(type), kind, plural, kind.toLowerCase(java.util.Locale.ROOT), kind + "List",
                false);
        definition.computed = true;
        return definition;
    }

    /** A custom resource's version, served untyped: its schema checks what a model class would. */
    public static ResourceDefinition<GenericKubernetesResource> custom(String group, String version, String kind,
                                                                        String plural, String singular,
                                                                        String listKind) {
        return new ResourceDefinition<>(GenericKubernetesResource.class, group, version, kind, plural, singular,
                listKind, true);
    }

    public ResourceDefinition<T> clusterScoped() {
        namespaced = false;
        return this;
    }

    public ResourceDefinition<T> shortNames(String... names) {
        shortNames = List.of(names);
        return this;
    }

    /** E.g. "all", which makes {@code kubectl get all} include the kind. */
    public ResourceDefinition<T> categories(String... names) {
        categories = List.of(names);
        return this;
    }

    /** The kind has a status subresource: writes to the object leave status alone, writes to /status only it. */
    public ResourceDefinition<T> withStatus() {
        status = true;
        return this;
    }

    /** The kind has a scale subresource (an autoscaling/v1 Scale over spec.replicas). */
    public ResourceDefinition<T> withScale() {
        scale = ScalePaths.WORKLOAD;
        return this;
    }

    /** A scale subresource over the given fields (a custom resource's {@code subresources.scale}). */
    public ResourceDefinition<T> withScale(ScalePaths paths) {
        scale = paths;
        return this;
    }

    /** A create keeps the status it is given (nodes register with theirs); other kinds start with none. */
    public ResourceDefinition<T> keepsStatusOnCreate() {
        statusOnCreate = true;
        return this;
    }

    /** The kind can only be created, never read back (e.g. a pod's Binding). */
    public ResourceDefinition<T> createOnly() {
        createOnly = true;
        return this;
    }

    public ResourceDefinition<T> names(NameRule rule) {
        nameRule = rule;
        return this;
    }

    public ResourceDefinition<T> pruning(Pruner kindPruner) {
        pruner = kindPruner;
        return this;
    }

    public ResourceDefinition<T> defaults(Defaulter<? super T> kindDefaults) {
        defaulter = kindDefaults;
        return this;
    }

    public ResourceDefinition<T> validation(Validator<? super T> kindValidation) {
        validator = kindValidation;
        return this;
    }

    /** A kind without a model class: the OpenAPI schema of its objects (a CRD version's openAPIV3Schema). */
    public ResourceDefinition<T> openApiSchema(ObjectNode schema) {
        openApiSchema = schema;
        return this;
    }

    /** The table's columns; an empty list gives Kubernetes' default NAME and AGE. */
    public ResourceDefinition<T> table(List<TableColumn<? super T>> kindColumns) {
        columns = List.copyOf(kindColumns);
        return this;
    }

    /**
     * The kind is a second served version of {@code storedVersion}'s objects: they are stored in that version, and
     * read and written through this one by {@code versions}. Defaults, validation and table columns are the stored
     * version's.
     */
    public ResourceDefinition<T> storedAs(ResourceDefinition<?> storedVersion, VersionConversion versions) {
        storage = storedVersion;
        conversion = versions;
        return this;
    }

    /** The definition objects of this kind are written and stored through: this one, or the storage version's. */
    public ResourceDefinition<?> storage() {
        return storage == null ? this : storage;
    }

    /** How objects convert between this served version and the stored one; null when stored as served. */
    public VersionConversion conversion() {
        return conversion;
    }

    public Class<T> type() {
        return type;
    }

    public String group() {
        return group;
    }

    public String version() {
        return version;
    }

    /** "v1" for the core group, else "group/version". */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    public String kind() {
        return kind;
    }

    public String listKind() {
        return listKind;
    }

    public String plural() {
        return plural;
    }

    public String singular() {
        return singular;
    }

    public boolean namespaced() {
        return namespaced;
    }

    public List<String> shortNames() {
        return shortNames;
    }

    public List<String> categories() {
        return categories;
    }

    public boolean hasStatus() {
        return status;
    }

    public boolean hasScale() {
        return scale != null;
    }

    /** Where the scale subresource reads and writes replicas, or null without one. */
    public ScalePaths scalePaths() {
        return scale;
    }

    /** Served from a CustomResourceDefinition: untyped, no strategic merge patch. */
    public boolean isCustom() {
        return custom;
    }

    public boolean statusSurvivesCreate() {
        return statusOnCreate;
    }

    /** Computed on request, never stored: only get and list. */
    public boolean isComputed() {
        return computed;
    }

    public boolean isCreateOnly() {
        return createOnly;
    }

    public NameRule nameRule() {
        return nameRule;
    }

    public Pruner pruner() {
        return pruner;
    }

    public Defaulter<? super T> defaulter() {
        return defaulter;
    }

    public Validator<? super T> validator() {
        return validator;
    }

    public List<TableColumn<? super T>> columns() {
        return columns;
    }

    /** The schema given by {@link #openApiSchema(ObjectNode)}, or null: built-in kinds' come from their class. */
    public ObjectNode openApiSchema() {
        return openApiSchema;
    }

    /** Where the store keeps objects of this kind. */
    public ResourceType storeType() {
        return new ResourceType(group, plural);
    }
}
