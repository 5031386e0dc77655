package io.keelson.kernel.replicaset;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The order a shrinking ReplicaSet deletes in: each criterion of ActivePodsWithRanks, in its precedence. */
class DeletionOrderTest {
    private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");

    private static PodBuilder pod(String name) {
        return new PodBuilder().withNewMetadata().withName(name).withUid("uid-" + name)
                .withCreationTimestamp(NOW.minus(Duration.ofHours(1)).toString()).endMetadata()
                .withNewSpec().withNodeName("node-1").endSpec().withNewStatus().withPhase("Running").endStatus();
    }

    private static PodBuilder ready(PodBuilder b, Duration since) {
        return b.editStatus().addNewCondition().withType("Ready").withStatus("True")
                .withLastTransitionTime(NOW.minus(since).toString()).endCondition().endStatus();
    }

    /** The names in deletion order, whatever order the pods come in. */
    private static List<String> order(Pod... pods) {
        List<Pod> list = new ArrayList<>(List.of(pods));
        Collections.shuffle(list, new Random(7));
        return DeletionOrder.victims(list, list, list.size(), NOW).stream().map(p -> p.getMetadata().getName())
                .toList();
    }

    @Test
    void unscheduled_beforeScheduled() {
        assertThat(order(ready(pod("scheduled"), Duration.ofHours(1)).build(),
                pod("unscheduled").editSpec().withNodeName(null).endSpec().editStatus().withPhase("Pending")
                        .endStatus().build())).containsExactly("unscheduled", "scheduled");
    }

    @Test
    void pending_beforeUnknown_beforeRunning() {
        assertThat(order(pod("running").build(), pod("unknown").editStatus().withPhase("Unknown").endStatus().build(),
                pod("pending").editStatus().withPhase("Pending").endStatus().build()))
                .containsExactly("pending", "unknown", "running");
    }

    @Test
    void notReady_beforeReady() {
        assertThat(order(ready(pod("ready"), Duration.ofHours(1)).build(), pod("not-ready").build()))
                .containsExactly("not-ready", "ready");
    }

    @Test
    void lowerDeletionCost_first_evenIfReadyForLess() {
        assertThat(order(ready(pod("cheap").editMetadata().addToAnnotations(DeletionOrder.DELETION_COST, "-5")
                        .endMetadata(), Duration.ofHours(5)).build(),
                ready(pod("dear").editMetadata().addToAnnotations(DeletionOrder.DELETION_COST, "100").endMetadata(),
                        Duration.ofMinutes(1)).build(),
                ready(pod("default"), Duration.ofMinutes(1)).build()))
                .containsExactly("cheap", "default", "dear");
    }

    @Test
    void doubledUp_beforeAlone() {
        Pod alone = ready(pod("alone").editSpec().withNodeName("node-2").endSpec(), Duration.ofHours(1)).build();
        Pod shared1 = ready(pod("shared-1"), Duration.ofHours(1)).build();
        Pod shared2 = ready(pod("shared-2"), Duration.ofHours(1)).build();
        List<Pod> all = List.of(alone, shared1, shared2);
        assertThat(DeletionOrder.victims(List.of(alone, shared1), all, 1, NOW)).extracting(p -> p.getMetadata()
                .getName()).containsExactly("shared-1");
    }

    @Test
    void readyForLess_first_onALogarithmicScale() {
        assertThat(order(ready(pod("old"), Duration.ofHours(10)).build(),
                ready(pod("young"), Duration.ofSeconds(30)).build())).containsExactly("young", "old");
        // 40 and 50 minutes fall in the same power-of-two bucket of nanoseconds: the UID decides
        assertThat(order(ready(pod("b"), Duration.ofMinutes(40)).build(),
                ready(pod("a"), Duration.ofMinutes(50)).build())).containsExactly("a", "b");
    }

    @Test
    void moreRestarts_first_thenNewer() {
        assertThat(order(pod("calm").build(), pod("crashy").editStatus().addNewContainerStatus().withName("c")
                .withRestartCount(4).endContainerStatus().endStatus().build())).containsExactly("crashy", "calm");
        assertThat(order(pod("older").editMetadata().withCreationTimestamp(NOW.minus(Duration.ofDays(3)).toString())
                        .endMetadata().build(),
                pod("newer").editMetadata().withCreationTimestamp(NOW.minus(Duration.ofSeconds(10)).toString())
                        .endMetadata().build())).containsExactly("newer", "older");
    }

    @Test
    void deletionCostsWithAPlusSignOrLeadingZeros_areInvalid_andCountAsZero() {
        for (String invalid : List.of("+10", "008", "", "1.5", "abc", "99999999999")) {
            assertThat(DeletionOrder.deletionCost(pod("p").editMetadata().addToAnnotations(DeletionOrder.DELETION_COST,
                    invalid).endMetadata().build())).as(invalid).isZero();
        }
        assertThat(DeletionOrder.deletionCost(pod("p").editMetadata().addToAnnotations(DeletionOrder.DELETION_COST,
                "-08").endMetadata().build())).isEqualTo(-8);
        assertThat(DeletionOrder.deletionCost(pod("p").editMetadata().addToAnnotations(DeletionOrder.DELETION_COST,
                "0").endMetadata().build())).isZero();
        assertThat(DeletionOrder.deletionCost(pod("p").editMetadata().addToAnnotations(DeletionOrder.DELETION_COST,
                "2147483647").endMetadata().build())).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void onEqualContainerRestarts_moreSidecarRestarts_first() {
        PodBuilder sidecar = pod("x").editSpec().addNewInitContainer().withName("proxy").withRestartPolicy("Always")
                .endInitContainer().endSpec();
        Pod calm = new PodBuilder(sidecar.build()).editMetadata().withName("calm").withUid("uid-calm").endMetadata()
                .editStatus().addNewInitContainerStatus().withName("proxy").withRestartCount(0)
                .endInitContainerStatus().endStatus().build();
        Pod flappy = new PodBuilder(sidecar.build()).editMetadata().withName("flappy").withUid("uid-flappy")
                .endMetadata().editStatus().addNewInitContainerStatus().withName("proxy").withRestartCount(3)
                .endInitContainerStatus().endStatus().build();
        assertThat(order(calm, flappy)).containsExactly("flappy", "calm");
    }

    @Test
    void agesExactlyAPowerOfTwoApart_fallInDifferentBuckets() {
        // 2^40 ns and 2^40 - 1 ns old: buckets 40 and 39, however the floating-point logarithm rounds (in one
        // bucket the UID would put a-exact first)
        Instant exact = NOW.minusNanos(1L << 40);
        Instant justUnder = NOW.minusNanos((1L << 40) - 1);
        assertThat(order(pod("a-exact").editMetadata().withCreationTimestamp(exact.toString()).endMetadata().build(),
                pod("z-under").editMetadata().withCreationTimestamp(justUnder.toString()).endMetadata().build()))
                .containsExactly("z-under", "a-exact");
    }

    @Test
    void thousandsOfPods_sortWithoutBreakingTheComparatorsContract_inOneTotalOrder() {
        Random random = new Random(11);
        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            // ready times a few seconds apart: many share a log2 bucket without being equal
            pods.add(ready(pod(Integer.toHexString(random.nextInt())), Duration.ofSeconds(60 + random.nextInt(30)))
                    .build());
        }
        List<Pod> first = DeletionOrder.victims(pods, pods, pods.size(), NOW);
        Collections.shuffle(pods, new Random(3));
        assertThat(DeletionOrder.victims(pods, pods, pods.size(), NOW)).as("the same order from any start")
                .isEqualTo(first);
    }

}
