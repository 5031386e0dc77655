package io.keelson.kernel.scheduler.framework;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The scheduler's configuration in the shape of kube-scheduler's {@code KubeSchedulerConfiguration}
 * (kubescheduler.config.k8s.io/v1), loadable from the same YAML: profiles by {@code schedulerName}, plugins enabled
 * and disabled per extension point (or at {@code multiPoint}), score weights and plugin args.
 *
 * @param parallelism how many threads filter and score nodes (16)
 * @param percentageOfNodesToScore 0 for kube-scheduler's adaptive rule, else the share of nodes to find feasible
 * @param podInitialBackoffSeconds back-off of a pod's first failed attempt (1), doubling per attempt
 * @param podMaxBackoffSeconds the longest back-off (10)
 * @param leaderElection accepted from kube-scheduler's files and not used: an embedding application elects
 * @param clientConnection accepted and not used: the scheduler talks to its kernel in-process
 * @param enableProfiling accepted and not used (no pprof in a JVM)
 * @param enableContentionProfiling accepted and not used
 * @param delayCacheUntilActive accepted and not used
 * @param extenders must be empty: scheduler extenders (HTTP webhooks) are not supported
 */
public record SchedulerConfiguration(String apiVersion, String kind, Integer parallelism,
                                     Integer percentageOfNodesToScore, Long podInitialBackoffSeconds,
                                     Long podMaxBackoffSeconds, List<Profile> profiles,
                                     Map<String, Object> leaderElection, Map<String, Object> clientConnection,
                                     Boolean enableProfiling, Boolean enableContentionProfiling,
                                     Boolean delayCacheUntilActive, List<Map<String, Object>> extenders) {
    public static final String API_VERSION = "kubescheduler.config.k8s.io/v1";
    public static final String KIND = "KubeSchedulerConfiguration";
    public static final String DEFAULT_SCHEDULER_NAME = "default-scheduler";

    private static final YAMLMapper YAML = YAMLMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    /**
     * One scheduler profile.
     *
     * @param percentageOfNodesToScore overrides the configuration's for this profile when set
     */
    public record Profile(String schedulerName, Integer percentageOfNodesToScore, Plugins plugins,
                          List<PluginConfig> pluginConfig) {
        public Profile {
            pluginConfig = pluginConfig == null ? List.of() : List.copyOf(pluginConfig);
            plugins = plugins == null ? Plugins.NONE : plugins;
        }

        /** The args configured for {@code plugin}, or none. */
        public PluginArgs argsOf(String plugin) {
            return pluginConfig.stream().filter(c -> plugin.equals(c.name())).findFirst()
                    .map(c -> PluginArgs.of(c.args())).orElse(PluginArgs.none());
        }
    }

    /** The plugin sets per extension point. */
    public record Plugins(PluginSet preEnqueue, PluginSet queueSort, PluginSet preFilter, PluginSet filter,
                          PluginSet postFilter, PluginSet preScore, PluginSet score, PluginSet reserve,
                          PluginSet permit, PluginSet preBind, PluginSet bind, PluginSet postBind,
                          PluginSet multiPoint) {
        static final Plugins NONE = new Plugins(null, null, null, null, null, null, null, null, null, null, null,
                null, null);

        /** The set configured for an extension point by its YAML name ({@code filter}); an empty set if none. */
        public PluginSet at(String point) {
            PluginSet s = switch (point) {
                case "preEnqueue" -> preEnqueue;
                case "queueSort" -> queueSort;
                case "preFilter" -> preFilter;
                case "filter" -> filter;
                case "postFilter" -> postFilter;
                case "preScore" -> preScore;
                case "score" -> score;
                case "reserve" -> reserve;
                case "permit" -> permit;
                case "preBind" -> preBind;
                case "bind" -> bind;
                case "postBind" -> postBind;
                case "multiPoint" -> multiPoint;
                default -> throw new IllegalArgumentException("no extension point " + point);
            };
            return s == null ? PluginSet.EMPTY : s;
        }
    }

    /** Plugins to enable (in order) and to disable ({@code "*"}: every default one) at one extension point. */
    public record PluginSet(List<PluginRef> enabled, List<PluginRef> disabled) {
        static final PluginSet EMPTY = new PluginSet(List.of(), List.of());

        public PluginSet {
            enabled = enabled == null ? List.of() : List.copyOf(enabled);
            disabled = disabled == null ? List.of() : List.copyOf(disabled);
        }
    }

    /** A plugin by name; {@code weight} is its score weight (null: 1 for a scoring plugin). */
    public record PluginRef(String name, Integer weight) {
    }

    /** A plugin's args. */
    public record PluginConfig(String name, Map<String, Object> args) {
    }

    /** kube-scheduler's defaults: one profile, default-scheduler, with the registry's default plugins. */
    public static SchedulerConfiguration defaults() {
        return new SchedulerConfiguration(API_VERSION, KIND, null, null, null, null, null, null, null, null, null,
                null, null).withDefaults();
    }

    /**
     * Reads a {@code KubeSchedulerConfiguration} document and applies the defaults.
     *
     * @throws IllegalArgumentException for unknown fields, a wrong apiVersion or kind, or invalid values
     */
    public static SchedulerConfiguration fromYaml(String yaml) {
        SchedulerConfiguration c;
        try {
            c = YAML.readValue(yaml, SchedulerConfiguration.class);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("strict decoding error: " + e.getMessage(), e);
        }
        if (!API_VERSION.equals(c.apiVersion()) || !KIND.equals(c.kind())) {
            throw new IllegalArgumentException("no kind \"" + c.kind() + "\" is registered for version \""
                    + c.apiVersion() + "\" (expected " + API_VERSION + ", " + KIND + ")");
        }
        return c.withDefaults();
    }

    /** This configuration with kube-scheduler's defaults for what is unset, validated as kube-scheduler does. */
    public SchedulerConfiguration withDefaults() {
        List<Profile> ps = new ArrayList<>();
        for (Profile p : profiles == null || profiles.isEmpty()
                ? List.of(new Profile(DEFAULT_SCHEDULER_NAME, null, null, null)) : profiles) {
            ps.add(p.schedulerName() == null || p.schedulerName().isEmpty()
                    ? new Profile(DEFAULT_SCHEDULER_NAME, p.percentageOfNodesToScore(), p.plugins(), p.pluginConfig())
                    : p);
        }
        SchedulerConfiguration c = new SchedulerConfiguration(API_VERSION, KIND,
                parallelism == null ? 16 : parallelism,
                percentageOfNodesToScore == null ? 0 : percentageOfNodesToScore,
                podInitialBackoffSeconds == null ? 1 : podInitialBackoffSeconds,
                podMaxBackoffSeconds == null ? 10 : podMaxBackoffSeconds, List.copyOf(ps), leaderElection,
                clientConnection, enableProfiling, enableContentionProfiling, delayCacheUntilActive,
                extenders == null ? List.of() : extenders);
        c.validate();
        return c;
    }

    private void validate() {
        List<String> errors = new ArrayList<>();
        if (parallelism <= 0) {
            errors.add("parallelism: Invalid value: " + parallelism + ": should be an integer value greater than zero");
        }
        checkPercentage(errors, "percentageOfNodesToScore", percentageOfNodesToScore);
        if (podInitialBackoffSeconds <= 0) {
            errors.add("podInitialBackoffSeconds: Invalid value: " + podInitialBackoffSeconds
                    + ": must be greater than 0");
        }
        if (podMaxBackoffSeconds < podInitialBackoffSeconds) {
            errors.add("podMaxBackoffSeconds: Invalid value: " + podMaxBackoffSeconds
                    + ": must be greater than or equal to PodInitialBackoffSeconds");
        }
        if (extenders != null && !extenders.isEmpty()) {
            errors.add("extenders: Invalid value: scheduler extenders are not supported; write the extender as a"
                    + " plugin (PluginRegistry)");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < profiles.size(); i++) {
            Profile p = profiles.get(i);
            if (!names.add(p.schedulerName())) {
                errors.add("profiles[" + i + "].schedulerName: Duplicate value: \"" + p.schedulerName() + "\"");
            }
            checkPercentage(errors, "profiles[" + i + "].percentageOfNodesToScore", p.percentageOfNodesToScore());
            if (!p.plugins().at("queueSort").equals(profiles.get(0).plugins().at("queueSort"))) {
                errors.add("profiles[" + i + "].plugins.queueSort: Invalid value: must be the same for all profiles");
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException("invalid KubeSchedulerConfiguration: " + String.join(", ", errors));
        }
    }

    private static void checkPercentage(List<String> errors, String field, Integer value) {
        if (value != null && (value < 0 || value > 100)) {
            errors.add(field + ": Invalid value: " + value + ": not in valid range [0-100]");
        }
    }

    /** The profile named {@code schedulerName}, or null. */
    public Profile profile(String schedulerName) {
        return profiles.stream().filter(p -> p.schedulerName().equals(schedulerName)).findFirst().orElse(null);
    }
}
