package io.keelson.scheduler.plugins.coscheduling;

import static io.keelson.scheduler.plugins.Fixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.ListRequest;
import io.keelson.kernel.Resources;
import io.keelson.kernel.TestKernels;
import io.keelson.kernel.scheduler.Scheduler;
import io.keelson.kernel.scheduler.framework.SchedulerConfiguration;
import io.keelson.scheduler.plugins.Objects;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Gang scheduling end to end: a PodGroup that fits is bound whole, one that does not is not bound at all. */
class CoschedulingTest {
    static final String CONFIG = """
            apiVersion: kubescheduler.config.k8s.io/v1
            kind: KubeSchedulerConfiguration
            profiles:
            - schedulerName: default-scheduler
              plugins:
                queueSort:
                  enabled:
                  - name: Coscheduling
                  disabled:
                  - name: '*'
                preFilter:
                  enabled:
                  - name: Coscheduling
                postFilter:
                  enabled:
                  - name: Coscheduling
                permit:
                  enabled:
                  - name: Coscheduling
                reserve:
                  enabled:
                  - name: Coscheduling
            """;

    @TempDir
    Path dir;
    private TestKernels.Fixture fixture;
    private Scheduler scheduler;
    private Resources<Pod> pods;
    private Resources<PodGroup> groups;

    @BeforeEach
    void start() throws Exception {
        fixture = TestKernels.open(dir, b -> b.type(PodGroup.TYPE));
        Kernel kernel = fixture.kernel();
        scheduler = Scheduler.builder(kernel).configuration(SchedulerConfiguration.fromYaml(CONFIG))
                .clock(Clock.systemUTC()).build();
        scheduler.start().get(30, TimeUnit.SECONDS);
        pods = kernel.resources(Pod.class).inNamespace("default");
        groups = kernel.resources(PodGroup.class).inNamespace("default");
        Resources<Node> nodes = kernel.resources(Node.class);
        nodes.create(Objects.node("node-1", "1", "4Gi").build());
        nodes.create(Objects.node("node-2", "1", "4Gi").build());
    }

    @AfterEach
    void stop() {
        scheduler.close();
        fixture.close();
    }

    private void createGang(String group, int minMember, int members, String cpu, Integer timeoutSeconds) {
        PodGroup g = new PodGroup(group, minMember);
        g.setSpec(new PodGroup.Spec(minMember, null, timeoutSeconds));
        groups.create(g);
        for (int i = 0; i < members; i++) {
            pods.create(Objects.pod(group + "-" + i, cpu, null).editMetadata()
                    .addToLabels(Coscheduling.POD_GROUP_LABEL, group).endMetadata().build());
        }
    }

    private List<Pod> members(String group) {
        return pods.list(ListRequest.all()).items().stream()
                .filter(p -> group.equals(p.getMetadata().getLabels().get(Coscheduling.POD_GROUP_LABEL))).toList();
    }

    @Test
    void aGangThatFits_isBoundWhole() throws Exception {
        createGang("fits", 3, 3, "400m", null);

        await(() -> members("fits").stream().allMatch(p -> p.getSpec().getNodeName() != null));
        assertThat(groups.get("fits").getApiVersion()).isEqualTo("scheduling.x-k8s.io/v1alpha1");
    }

    @Test
    void aGangThatDoesNotFit_bindsNothing_andReleasesWhatItHeld() throws Exception {
        createGang("toobig", 3, 3, "800m", 2); // two fit, the third does not: none may run

        await(() -> members("toobig").stream().allMatch(p -> p.getStatus().getConditions().stream()
                .anyMatch(c -> "Unschedulable".equals(c.getReason()))));
        Thread.sleep(2500); // longer than the group's permit timeout
        assertThat(members("toobig")).allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isNull());

        pods.create(Objects.pod("solo", "800m", null).build());
        await(() -> pods.get("solo").getSpec().getNodeName() != null); // the held places were released
    }

    @Test
    void aGangWithoutEnoughMembers_waits() throws Exception {
        createGang("short", 3, 2, "100m", null);

        await(() -> members("short").stream().allMatch(p -> p.getStatus().getConditions().stream()
                .anyMatch(c -> c.getMessage() != null && c.getMessage().contains("cannot find enough sibling pods"))));
        assertThat(members("short")).allSatisfy(p -> assertThat(p.getSpec().getNodeName()).isNull());

        pods.create(Objects.pod("short-2", "100m", null).editMetadata()
                .addToLabels(Coscheduling.POD_GROUP_LABEL, "short").endMetadata().build());
        await(() -> members("short").stream().allMatch(p -> p.getSpec().getNodeName() != null));
    }
}
