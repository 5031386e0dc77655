package io.keelson.kernel.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.FakeClock;
import io.keelson.kernel.scheduler.framework.BindPlugin;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.FilterPlugin;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import io.keelson.kernel.scheduler.framework.PluginArgs;
import io.keelson.kernel.scheduler.framework.PluginRegistry;
import io.keelson.kernel.scheduler.framework.QueueSortPlugin;
import io.keelson.kernel.scheduler.framework.QueuedPodInfo;
import io.keelson.kernel.scheduler.framework.SchedulerConfiguration;
import io.keelson.kernel.scheduler.framework.ScorePlugin;
import io.keelson.kernel.scheduler.framework.Status;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Profiles as kube-scheduler builds them from a KubeSchedulerConfiguration and the registry's defaults. */
class FrameworkTest {
    /** A plugin at Filter and Score, recording its args. */
    record Both(String name, PluginArgs args) implements FilterPlugin, ScorePlugin {
        @Override
        public Status filter(CycleState state, Pod pod, NodeInfo node) {
            return Status.success();
        }

        @Override
        public long score(CycleState state, Pod pod, NodeInfo node) {
            return 0;
        }
    }

    record Sort(String name) implements QueueSortPlugin {
        @Override
        public boolean less(QueuedPodInfo a, QueuedPodInfo b) {
            return false;
        }
    }

    record Binder(String name) implements BindPlugin {
        @Override
        public Status bind(CycleState state, Pod pod, String nodeName) {
            return Status.success();
        }
    }

    record FilterOnly(String name) implements FilterPlugin {
        @Override
        public Status filter(CycleState state, Pod pod, NodeInfo node) {
            return Status.success();
        }
    }

    private final PluginRegistry registry = new PluginRegistry()
            .register("Sort", (a, h) -> new Sort("Sort"))
            .register("Binder", (a, h) -> new Binder("Binder"))
            .register("A", (a, h) -> new Both("A", a))
            .register("B", (a, h) -> new Both("B", a))
            .register("C", (a, h) -> new FilterOnly("C"))
            .enableByDefault("Sort", 0).enableByDefault("A", 3).enableByDefault("C", 0).enableByDefault("Binder", 0);

    private Framework framework(String yaml) {
        SchedulerConfiguration c = yaml == null ? SchedulerConfiguration.defaults() : SchedulerConfiguration.fromYaml(yaml);
        return new Framework(c.profiles().get(0), registry, new Framework.Services(null, null, null, new FakeClock(),
                null));
    }

    private static List<String> names(List<?> plugins) {
        return plugins.stream().map(p -> p instanceof Framework.WeightedScore w ? w.plugin().name() + "*" + w.weight()
                : ((io.keelson.kernel.scheduler.framework.Plugin) p).name()).toList();
    }

    @Test
    void theDefaultProfile_isTheRegistrysMultiPointSet_expandedToEachPoint() {
        Framework f = framework(null);
        assertThat(f.profile.schedulerName()).isEqualTo("default-scheduler");
        assertThat(f.queueSort.name()).isEqualTo("Sort");
        assertThat(names(f.filter)).containsExactly("A", "C");
        assertThat(names(f.score)).containsExactly("A*3");
        assertThat(names(f.bind)).containsExactly("Binder");
        assertThat(f.plugins().get("A")).isSameAs(f.filter.get(0)).isSameAs(f.score.get(0).plugin());
    }

    @Test
    void multiPointAndPerPointSets_enableDisableAndReweigh() {
        Framework f = framework("""
                apiVersion: kubescheduler.config.k8s.io/v1
                kind: KubeSchedulerConfiguration
                profiles:
                - schedulerName: custom
                  plugins:
                    multiPoint:
                      enabled:
                      - name: B
                        weight: 5
                    filter:
                      disabled:
                      - name: C
                    score:
                      enabled:
                      - name: A
                        weight: 7
                  pluginConfig:
                  - name: B
                    args:
                      mode: fast
                """);
        assertThat(f.profile.schedulerName()).isEqualTo("custom");
        assertThat(names(f.filter)).containsExactly("A", "B");
        assertThat(names(f.score)).containsExactly("B*5", "A*7");
        assertThat(((Both) f.plugins().get("B")).args().raw()).isEqualTo(Map.of("mode", "fast"));
    }

    @Test
    void disablingEverything_thenEnablingOnlySome() {
        Framework f = framework("""
                apiVersion: kubescheduler.config.k8s.io/v1
                kind: KubeSchedulerConfiguration
                profiles:
                - plugins:
                    multiPoint:
                      disabled:
                      - name: '*'
                      enabled:
                      - name: Sort
                      - name: Binder
                      - name: C
                """);
        assertThat(names(f.filter)).containsExactly("C");
        assertThat(f.score).isEmpty();
    }

    @Test
    void invalidProfiles_areRefusedWithTheReason() {
        String header = "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n";
        assertThatThrownBy(() -> framework(header + "profiles:\n- plugins:\n    filter:\n      enabled:\n"
                + "      - name: Missing\n")).hasMessageContaining("plugin \"Missing\" does not exist");
        assertThatThrownBy(() -> framework(header + "profiles:\n- plugins:\n    score:\n      enabled:\n"
                + "      - name: C\n")).hasMessage("plugin \"C\" does not extend score plugin");
        assertThatThrownBy(() -> framework(header + "profiles:\n- plugins:\n    bind:\n      disabled:\n"
                + "      - name: '*'\n")).hasMessage("at least one bind plugin is needed for profile with scheduler name"
                + " \"default-scheduler\"");
        assertThatThrownBy(() -> framework(header + "profiles:\n- plugins:\n    queueSort:\n      disabled:\n"
                + "      - name: '*'\n")).hasMessageContaining("needs exactly one queueSort plugin, has 0");
        assertThatThrownBy(() -> SchedulerConfiguration.fromYaml(header + "profiles:\n- schedulerName: a\n"
                + "- schedulerName: a\n")).hasMessageContaining("profiles[1].schedulerName: Duplicate value: \"a\"");
        assertThatThrownBy(() -> SchedulerConfiguration.fromYaml(header + "parallelism: 0\n"))
                .hasMessageContaining("parallelism: Invalid value: 0: should be an integer value greater than zero");
        assertThatThrownBy(() -> SchedulerConfiguration.fromYaml(header + "percentageOfNodesToScore: 101\n"))
                .hasMessageContaining("percentageOfNodesToScore: Invalid value: 101: not in valid range [0-100]");
        assertThatThrownBy(() -> SchedulerConfiguration.fromYaml(header + "podMaxBackoffSeconds: 0\n"))
                .hasMessageContaining("podMaxBackoffSeconds: Invalid value: 0");
        assertThatThrownBy(() -> SchedulerConfiguration.fromYaml(header + "parallelizm: 3\n"))
                .hasMessageContaining("strict decoding error").hasMessageContaining("parallelizm");
        assertThatThrownBy(() -> SchedulerConfiguration.fromYaml("apiVersion: kubescheduler.config.k8s.io/v1beta3\n"
                + "kind: KubeSchedulerConfiguration\n")).hasMessageContaining("no kind \"KubeSchedulerConfiguration\""
                + " is registered for version \"kubescheduler.config.k8s.io/v1beta3\"");
    }

    @Test
    void aConfigurationFileWrittenForKubeScheduler_loads() {
        SchedulerConfiguration c = SchedulerConfiguration.fromYaml("""
                apiVersion: kubescheduler.config.k8s.io/v1
                kind: KubeSchedulerConfiguration
                clientConnection:
                  kubeconfig: /etc/kubernetes/scheduler.conf
                leaderElection:
                  leaderElect: true
                enableProfiling: false
                percentageOfNodesToScore: 50
                profiles:
                - schedulerName: default-scheduler
                - schedulerName: bin-packer
                  pluginConfig:
                  - name: NodeResourcesFit
                    args:
                      scoringStrategy:
                        type: MostAllocated
                """);
        assertThat(c.percentageOfNodesToScore()).isEqualTo(50);
        assertThat(c.profiles()).extracting(SchedulerConfiguration.Profile::schedulerName)
                .containsExactly("default-scheduler", "bin-packer");
        assertThat(c.profile("bin-packer").argsOf("NodeResourcesFit").raw()).containsKey("scoringStrategy");
        assertThatThrownBy(() -> SchedulerConfiguration.fromYaml("""
                apiVersion: kubescheduler.config.k8s.io/v1
                kind: KubeSchedulerConfiguration
                extenders:
                - urlPrefix: http://127.0.0.1:8888/
                """)).hasMessageContaining("scheduler extenders are not supported");
    }

    @Test
    void configurationDefaults_areKubeSchedulers() {
        SchedulerConfiguration c = SchedulerConfiguration.defaults();
        assertThat(c.parallelism()).isEqualTo(16);
        assertThat(c.percentageOfNodesToScore()).isZero();
        assertThat(c.podInitialBackoffSeconds()).isEqualTo(1);
        assertThat(c.podMaxBackoffSeconds()).isEqualTo(10);
        assertThat(c.profiles()).extracting(SchedulerConfiguration.Profile::schedulerName)
                .containsExactly("default-scheduler");
    }
}
