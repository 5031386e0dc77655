package io.keelson.kernel.scheduler.framework;

/** Creates a plugin for one profile, from its configured arguments. */
@FunctionalInterface
public interface PluginFactory {
    Plugin create(PluginArgs args, Handle handle);
}
