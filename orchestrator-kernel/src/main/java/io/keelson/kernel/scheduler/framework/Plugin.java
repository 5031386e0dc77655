package io.keelson.kernel.scheduler.framework;

/**
 * A scheduler plugin: implements one or more of the extension-point interfaces ({@link FilterPlugin},
 * {@link ScorePlugin}, ...), as kube-scheduler's plugins do. Plugins are created per profile by a
 * {@link PluginFactory} registered under their {@link #name()} in a {@link PluginRegistry}.
 */
public interface Plugin {
    /** The plugin's name, as configuration refers to it ({@code NodeResourcesFit}). */
    String name();
}
