package io.keelson.kernel.scheduler.framework;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;

/**
 * Plugin factories by name, as kube-scheduler's registry: configuration enables plugins by these names. The
 * in-tree plugins come from the {@link Provider}s on the class path; an application registers its own.
 */
public final class PluginRegistry {
    private final Map<String, PluginFactory> factories = new LinkedHashMap<>();
    private final List<SchedulerConfiguration.PluginRef> defaults = new ArrayList<>();

    /**
     * A set of plugins found through {@link ServiceLoader} ({@code META-INF/services}): the scheduler-plugins
     * module provides kube-scheduler's in-tree set this way, so the kernel never names a plugin class.
     */
    public interface Provider {
        void register(PluginRegistry registry);
    }

    /** The registry of every {@link Provider} on the class path. */
    public static PluginRegistry discovered() {
        PluginRegistry r = new PluginRegistry();
        ServiceLoader.load(Provider.class, PluginRegistry.class.getClassLoader()).forEach(p -> p.register(r));
        return r;
    }

    /**
     * Registers a factory.
     *
     * @throws IllegalArgumentException if the name is taken
     */
    public PluginRegistry register(String name, PluginFactory factory) {
        if (factories.putIfAbsent(name, factory) != null) {
            throw new IllegalArgumentException("a plugin named " + name + " already exists");
        }
        return this;
    }

    /**
     * Adds a plugin to the default profile's multi-point set (kube-scheduler's default plugins), with its score
     * weight (0: the plugin does not score).
     */
    public PluginRegistry enableByDefault(String name, int weight) {
        defaults.add(new SchedulerConfiguration.PluginRef(name, weight == 0 ? null : weight));
        return this;
    }

    /** Adds every factory and default of {@code other}. */
    public PluginRegistry merge(PluginRegistry other) {
        other.factories.forEach(this::register);
        defaults.addAll(other.defaults);
        return this;
    }

    /** The factory registered under {@code name}, or null. */
    public PluginFactory factory(String name) {
        return factories.get(name);
    }

    public List<String> names() {
        return List.copyOf(factories.keySet());
    }

    /** The plugins enabled by default, in order, with their weights. */
    public List<SchedulerConfiguration.PluginRef> defaultPlugins() {
        return Collections.unmodifiableList(defaults);
    }
}
