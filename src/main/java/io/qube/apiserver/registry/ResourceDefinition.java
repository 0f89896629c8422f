package io.qube.apiserver.registry;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.qube.store.ResourceType;

import java.util.List;

/**
 * Everything Qube needs to serve one kind. Built from the fabric8 model class (group, version, kind, plural and
 * singular come from its annotations) plus what the class cannot say: scope, short names, categories,
 * subresources, and the kind's defaults, validation and table columns.
 */
public final class ResourceDefinition<T extends HasMetadata> {

    private final Class<T> type;
    private final String group;
    private final String version;
    private final String kind;
    private final String plural;
    private final String singular;
    private boolean namespaced = true;
    private List<String> shortNames = List.of();
    private List<String> categories = List.of();
    private boolean status;
    private boolean scale;
    private boolean createOnly;
    private boolean statusOnCreate;
    private NameRule nameRule = NameRule.DNS_SUBDOMAIN;
    private Defaulter<? super T> defaulter = Defaulter.NONE;
    private Validator<? super T> validator = Validator.NONE;
    private List<TableColumn<? super T>> columns = List.of();
    private ResourceDefinition<?> storage;
    private VersionConversion conversion;

    private ResourceDefinition(Class<T> type) {
        this.type = type;
        this.group = HasMetadata.getGroup(type);
        this.version = HasMetadata.getVersion(type);
        this.kind = HasMetadata.getKind(type);
        this.plural = HasMetadata.getPlural(type);
        this.singular = HasMetadata.getSingular(type);
    }

    public static <T extends HasMetadata> ResourceDefinition<T> of(Class<T> type) {
        return new ResourceDefinition<>(type);
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
        scale = true;
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

    public ResourceDefinition<T> defaults(Defaulter<? super T> kindDefaults) {
        defaulter = kindDefaults;
        return this;
    }

    public ResourceDefinition<T> validation(Validator<? super T> kindValidation) {
        validator = kindValidation;
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
        return kind + "List";
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
        return scale;
    }

    public boolean statusSurvivesCreate() {
        return statusOnCreate;
    }

    public boolean isCreateOnly() {
        return createOnly;
    }

    public NameRule nameRule() {
        return nameRule;
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

    /** Where the store keeps objects of this kind. */
    public ResourceType storeType() {
        return new ResourceType(group, plural);
    }
}
