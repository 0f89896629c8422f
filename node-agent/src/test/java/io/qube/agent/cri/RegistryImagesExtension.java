package io.qube.agent.cri;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives a test (method, constructor or {@code @BeforeAll} parameter) the {@link RegistryImages} every class with
 * {@code @ExtendWith(RegistryImagesExtension.class)} shares: one registry per test run, started on first use and kept
 * in the root context's store, which closes it (stopping the process, deleting its storage) when the run ends.
 */
public final class RegistryImagesExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(RegistryImagesExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == RegistryImages.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE)
                .computeIfAbsent(Shared.class, ignored -> new Shared(RegistryImages.publish()), Shared.class)
                .images();
    }

    /** The store closes AutoCloseable values when its context ends; the root's ends with the test run. */
    private record Shared(RegistryImages images) implements AutoCloseable {

        @Override
        public void close() {
            images.registry().close();
        }
    }
}
