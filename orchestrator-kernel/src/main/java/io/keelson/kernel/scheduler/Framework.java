package io.keelson.kernel.scheduler;

import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.events.EventRecorder;
import io.keelson.kernel.informer.InformerFactory;
import io.keelson.kernel.scheduler.framework.BindPlugin;
import io.keelson.kernel.scheduler.framework.ClusterEvent;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.EnqueueExtensions;
import io.keelson.kernel.scheduler.framework.FilterPlugin;
import io.keelson.kernel.scheduler.framework.Handle;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.NodeLister;
import io.keelson.kernel.scheduler.framework.PermitPlugin;
import io.keelson.kernel.scheduler.framework.Plugin;
import io.keelson.kernel.scheduler.framework.PluginFactory;
import io.keelson.kernel.scheduler.framework.PluginRegistry;
import io.keelson.kernel.scheduler.framework.PodInfo;
import io.keelson.kernel.scheduler.framework.PostBindPlugin;
import io.keelson.kernel.scheduler.framework.PostFilterPlugin;
import io.keelson.kernel.scheduler.framework.PreBindPlugin;
import io.keelson.kernel.scheduler.framework.PreEnqueuePlugin;
import io.keelson.kernel.scheduler.framework.PreFilterPlugin;
import io.keelson.kernel.scheduler.framework.PreScorePlugin;
import io.keelson.kernel.scheduler.framework.QueueSortPlugin;
import io.keelson.kernel.scheduler.framework.ReservePlugin;
import io.keelson.kernel.scheduler.framework.SchedulerConfiguration;
import io.keelson.kernel.scheduler.framework.ScorePlugin;
import io.keelson.kernel.scheduler.framework.Status;
import io.keelson.kernel.scheduler.framework.WaitingPod;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One profile's plugins, per extension point, as kube-scheduler's framework builds them from a profile: the
 * registry's default multi-point set, changed by the profile's {@code multiPoint} and per-point enabled/disabled
 * lists. Each plugin is created once and shared by the points it implements.
 */
final class Framework implements Handle {
    /** The extension points, by their configuration names, with the interface a plugin implements for each. */
    static final Map<String, Class<? extends Plugin>> POINTS = Map.ofEntries(
            Map.entry("preEnqueue", PreEnqueuePlugin.class), Map.entry("queueSort", QueueSortPlugin.class),
            Map.entry("preFilter", PreFilterPlugin.class), Map.entry("filter", FilterPlugin.class),
            Map.entry("postFilter", PostFilterPlugin.class), Map.entry("preScore", PreScorePlugin.class),
            Map.entry("score", ScorePlugin.class), Map.entry("reserve", ReservePlugin.class),
            Map.entry("permit", PermitPlugin.class), Map.entry("preBind", PreBindPlugin.class),
            Map.entry("bind", BindPlugin.class), Map.entry("postBind", PostBindPlugin.class));
    private static final List<String> POINT_ORDER = List.of("preEnqueue", "queueSort", "preFilter", "filter",
            "postFilter", "preScore", "score", "reserve", "permit", "preBind", "bind", "postBind");

    /** A score plugin with its weight. */
    record WeightedScore(ScorePlugin plugin, long weight) {
    }

    final SchedulerConfiguration.Profile profile;
    private final Services services;
    private final Map<String, Plugin> instances = new LinkedHashMap<>();
    final List<PreEnqueuePlugin> preEnqueue;
    final QueueSortPlugin queueSort;
    final List<PreFilterPlugin> preFilter;
    final List<FilterPlugin> filter;
    final List<PostFilterPlugin> postFilter;
    final List<PreScorePlugin> preScore;
    final List<WeightedScore> score;
    final List<ReservePlugin> reserve;
    final List<PermitPlugin> permit;
    final List<PreBindPlugin> preBind;
    final List<BindPlugin> bind;
    final List<PostBindPlugin> postBind;
    /** Where a cycle's state keeps the plugins whose Filter its PreFilter skipped (they skip what-ifs too). */
    static final String SKIPPED_FILTERS = "keelson.io/skipped-filters";

    private static final ClusterEvent ANY_EVENT = new ClusterEvent(ClusterEvent.Kind.ANY, ClusterEvent.Action.ALL);

    /** The events each plugin that can reject a pod registered (every event for those that do not say). */
    final Map<String, List<ClusterEvent>> events = new LinkedHashMap<>();
    private volatile NodeLister snapshot;

    /** What the runtime shares with every profile's plugins. */
    record Services(Kernel kernel, InformerFactory informers, EventRecorder events, Clock clock,
                    WaitingPods waitingPods) {
    }

    Framework(SchedulerConfiguration.Profile profile, PluginRegistry registry, Services services) {
        this.profile = profile;
        this.services = services;
        Map<String, Long> weights = new LinkedHashMap<>();
        Map<String, List<Plugin>> byPoint = resolve(profile, registry, weights);
        preEnqueue = cast(byPoint.get("preEnqueue"));
        List<QueueSortPlugin> sorts = cast(byPoint.get("queueSort"));
        if (sorts.size() != 1) {
            throw new IllegalArgumentException("profile " + profile.schedulerName() + " needs exactly one queueSort"
                    + " plugin, has " + sorts.size());
        }
        queueSort = sorts.get(0);
        preFilter = cast(byPoint.get("preFilter"));
        filter = cast(byPoint.get("filter"));
        postFilter = cast(byPoint.get("postFilter"));
        preScore = cast(byPoint.get("preScore"));
        List<WeightedScore> scores = new ArrayList<>();
        for (Plugin p : byPoint.get("score")) {
            scores.add(new WeightedScore((ScorePlugin) p, weights.getOrDefault(p.name(), 1L)));
        }
        score = List.copyOf(scores);
        reserve = cast(byPoint.get("reserve"));
        permit = cast(byPoint.get("permit"));
        preBind = cast(byPoint.get("preBind"));
        bind = cast(byPoint.get("bind"));
        if (bind.isEmpty()) {
            throw new IllegalArgumentException("at least one bind plugin is needed for profile with scheduler name "
                    + "\"" + profile.schedulerName() + "\"");
        }
        postBind = cast(byPoint.get("postBind"));
        instances.values().forEach(p -> {
            if (p instanceof EnqueueExtensions e) {
                events.put(p.name(), List.copyOf(e.eventsToRegister()));
            } else if (p instanceof PreEnqueuePlugin || p instanceof PreFilterPlugin || p instanceof FilterPlugin
                    || p instanceof ReservePlugin || p instanceof PermitPlugin) {
                events.put(p.name(), List.of(ANY_EVENT)); // it may reject pods and says not what helps: anything may
            }
        });
    }

    private Map<String, List<Plugin>> resolve(SchedulerConfiguration.Profile profile, PluginRegistry registry,
                                              Map<String, Long> weights) {
        Map<String, Integer> multi = new LinkedHashMap<>();
        registry.defaultPlugins().forEach(r -> multi.put(r.name(), r.weight()));
        SchedulerConfiguration.PluginSet mp = profile.plugins().at("multiPoint");
        disable(multi, mp);
        mp.enabled().forEach(r -> multi.put(r.name(), r.weight()));
        multi.forEach((name, weight) -> {
            instance(name, registry);
            if (weight != null) {
                weights.put(name, weight.longValue());
            }
        });
        Map<String, List<Plugin>> byPoint = new LinkedHashMap<>();
        for (String point : POINT_ORDER) {
            Class<? extends Plugin> api = POINTS.get(point);
            Map<String, Integer> names = new LinkedHashMap<>();
            multi.forEach((name, w) -> {
                if (api.isInstance(instances.get(name))) {
                    names.put(name, w);
                }
            });
            SchedulerConfiguration.PluginSet set = profile.plugins().at(point);
            disable(names, set);
            for (SchedulerConfiguration.PluginRef r : set.enabled()) {
                Plugin p = instance(r.name(), registry);
                if (!api.isInstance(p)) {
                    throw new IllegalArgumentException("plugin \"" + r.name() + "\" does not extend " + point
                            + " plugin");
                }
                names.remove(r.name()); // enabled at a point: runs after the multi-point plugins there
                names.put(r.name(), r.weight());
                if (point.equals("score") && r.weight() != null) {
                    weights.put(r.name(), r.weight().longValue());
                }
            }
            List<Plugin> plugins = new ArrayList<>();
            names.keySet().forEach(n -> plugins.add(instances.get(n)));
            byPoint.put(point, plugins);
        }
        return byPoint;
    }

    private static void disable(Map<String, Integer> names, SchedulerConfiguration.PluginSet set) {
        for (SchedulerConfiguration.PluginRef r : set.disabled()) {
            if (r.name().equals("*")) {
                names.clear();
            } else {
                names.remove(r.name());
            }
        }
    }

    private Plugin instance(String name, PluginRegistry registry) {
        Plugin existing = instances.get(name);
        if (existing != null) {
            return existing;
        }
        PluginFactory factory = registry.factory(name);
        if (factory == null) {
            throw new IllegalArgumentException("plugin \"" + name + "\" does not exist (profile "
                    + profile.schedulerName() + "; registered: " + registry.names() + ")");
        }
        Plugin p = factory.create(profile.argsOf(name), this);
        instances.put(name, p);
        return p;
    }

    @SuppressWarnings("unchecked")
    private static <P> List<P> cast(List<Plugin> plugins) {
        return (List<P>) List.copyOf(plugins);
    }

    /** Every plugin of the profile by name. */
    Map<String, Plugin> plugins() {
        return instances;
    }

    void setSnapshot(NodeLister snapshot) {
        this.snapshot = snapshot;
    }

    @Override
    public Kernel kernel() {
        return services.kernel();
    }

    @Override
    public InformerFactory informers() {
        return services.informers();
    }

    @Override
    public EventRecorder events() {
        return services.events();
    }

    @Override
    public Clock clock() {
        return services.clock();
    }

    @Override
    public NodeLister snapshot() {
        return snapshot;
    }

    @Override
    public Optional<WaitingPod> waitingPod(String uid) {
        return Optional.ofNullable(services.waitingPods().get(uid));
    }

    @Override
    public String schedulerName() {
        return profile.schedulerName();
    }

    @Override
    @SuppressWarnings("unchecked")
    public Status runFilters(CycleState state, Pod pod, NodeInfo node) {
        Set<String> skipped = state.read(SKIPPED_FILTERS, Set.class);
        List<FilterPlugin> filters = skipped == null ? filter
                : filter.stream().filter(f -> !skipped.contains(f.name())).toList();
        try {
            return SchedulingAlgorithm.runFilters(filters, state, pod, node);
        } catch (SchedulingAlgorithm.SchedulingError e) {
            return Status.error(e.getMessage());
        }
    }

    @Override
    public Status addPod(CycleState state, Pod podToSchedule, PodInfo added, NodeInfo node) {
        return runExtensions(state, e -> e.addPod(state, podToSchedule, added, node), "AddPod");
    }

    @Override
    public Status removePod(CycleState state, Pod podToSchedule, PodInfo removed, NodeInfo node) {
        return runExtensions(state, e -> e.removePod(state, podToSchedule, removed, node), "RemovePod");
    }

    @SuppressWarnings("unchecked")
    private Status runExtensions(CycleState state,
                                 java.util.function.Function<PreFilterPlugin.Extensions, Status> call,
                                 String what) {
        Set<String> skipped = state.read(SKIPPED_FILTERS, Set.class);
        for (PreFilterPlugin p : preFilter) {
            PreFilterPlugin.Extensions e = p.extensions();
            if (e == null || (skipped != null && skipped.contains(p.name()))) {
                continue;
            }
            Status s;
            try {
                s = call.apply(e);
            } catch (RuntimeException ex) {
                s = Status.error(ex.getMessage());
            }
            if (!s.isSuccess()) {
                return Status.error("running " + what + " on PreFilter plugin \"" + p.name() + "\": " + s.message())
                        .withPlugin(p.name());
            }
        }
        return Status.success();
    }
}
