package io.keelson.kernel.deployment;

import static io.keelson.kernel.deployment.DeploymentFixtures.annotated;
import static io.keelson.kernel.deployment.DeploymentFixtures.revision;
import static io.keelson.kernel.deployment.DeploymentFixtures.rs;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** Upstream's TestScale, reconcileNewReplicaSet, reconcileOldReplicaSets, NewRSNewReplicas and cleanup tables. */
class ScalePlansTest {

    /**
     * TestScale: a Deployment resized from {@code from} to {@code to} replicas; its ReplicaSets were last scaled for
     * {@code from} (their annotations); {@code newRs} is the new one's size (null: none), {@code old} the old ones',
     * newest first. The expected sizes are new first, then old in the same order.
     */
    static Stream<Arguments> scaleRows() {
        return Stream.of(
                Arguments.of("normal scaling event: 10 -> 12", 10, 12, 0, 10, List.of(), List.of(12)),
                Arguments.of("normal scaling event: 10 -> 5", 10, 5, 0, 10, List.of(), List.of(5)),
                Arguments.of("proportional scaling: 5 -> 10", 5, 10, 0, 2, List.of(3), List.of(4, 6)),
                Arguments.of("proportional scaling: 5 -> 3", 5, 3, 0, 2, List.of(3), List.of(1, 2)),
                Arguments.of("proportional scaling: 9 -> 4", 9, 4, 0, 8, List.of(1), List.of(4, 0)),
                Arguments.of("proportional scaling: 7 -> 10", 7, 10, 0, 2, List.of(3, 2), List.of(3, 4, 3)),
                Arguments.of("proportional scaling: 13 -> 8", 13, 8, 0, 2, List.of(8, 3), List.of(1, 5, 2)),
                Arguments.of("leftover distribution: 3 -> 4", 3, 4, 0, 1, List.of(1, 1), List.of(2, 1, 1)),
                Arguments.of("leftover distribution: 3 -> 2", 3, 2, 0, 1, List.of(1, 1), List.of(1, 1, 0)),
                Arguments.of("proportional scaling (no new rs): 4 -> 5", 4, 5, 0, null, List.of(2, 2),
                        List.of(3, 2)),
                Arguments.of("proportional scaling: 6 -> 0", 6, 0, 0, 3, List.of(2, 1), List.of(0, 0, 0)),
                Arguments.of("proportional scaling: 0 -> 6", 6, 6, 0, 0, List.of(0, 0), List.of(6, 0, 0)),
                Arguments.of("deployment with surge pods", 10, 20, 2, 6, List.of(6), List.of(11, 11)),
                Arguments.of("change both size and template", 10, 14, 0, null, List.of(7, 3), List.of(10, 4)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("scaleRows")
    void proportionalScale(String name, int from, int to, int surge, Integer newSize, List<Integer> oldSizes,
                           List<Integer> expected) {
        Deployment d = DeploymentFixtures.rolling(to, surge, 0);
        int max = from + Fenceposts.maxSurge(DeploymentFixtures.rolling(from, surge, 0));
        List<ReplicaSet> old = new ArrayList<>();
        for (int i = 0; i < oldSizes.size(); i++) {
            old.add(annotated(rs("v" + (oldSizes.size() - i), oldSizes.get(i), 10 - i), from, max));
        }
        ReplicaSet newRs = newSize == null ? null : annotated(rs("v" + (oldSizes.size() + 1), newSize, 20), from, max);

        Map<String, Integer> sizes = apply(ScalePlans.proportionalScale(d, newRs, old).steps(),
                ReplicaSetLists.plus(newRs == null ? List.of() : List.of(newRs), null), old);
        List<Integer> actual = new ArrayList<>(sizes.values());
        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void proportionalScale_bothSurgeAndSizeChanged() {
        Deployment d = DeploymentFixtures.rolling(50, 6, 0);
        ReplicaSet newRs = annotated(rs("v2", 5, 20), 10, 13);
        ReplicaSet old = annotated(rs("v1", 8, 10), 10, 13);
        assertThat(apply(ScalePlans.proportionalScale(d, newRs, List.of(old)).steps(), List.of(newRs), List.of(old)))
                .containsExactly(Map.entry("v2", 22), Map.entry("v1", 34));
    }

    @Test
    void proportionalScale_leavesOldPodsAlone_whenTheNewReplicaSetIsFullyScaledButUnavailable() {
        Deployment d = DeploymentFixtures.rolling(2, 1, 1);
        ReplicaSet newRs = annotated(rs("v2", 2, 2, 0, 20), 2, 3);
        ReplicaSet old = annotated(rs("v1", 1, 10), 2, 3);
        ScalePlans.Scaling plan = ScalePlans.proportionalScale(d, newRs, List.of(old));
        assertThat(apply(plan.steps(), List.of(newRs), List.of(old)))
                .containsExactly(Map.entry("v2", 2), Map.entry("v1", 1));
    }

    @Test
    void proportionalScale_scalesOldReplicaSetsToZero_onceTheNewOneIsSaturated() {
        Deployment d = DeploymentFixtures.rolling(3, 1, 0);
        ReplicaSet newRs = annotated(rs("v2", 3, 20), 3, 4);
        ReplicaSet old = annotated(rs("v1", 1, 10), 3, 4);
        assertThat(ScalePlans.proportionalScale(d, newRs, List.of(old)).steps())
                .containsExactly(new ScalePlans.Step("v1", 0));
    }

    private static Map<String, Integer> apply(List<ScalePlans.Step> steps, List<ReplicaSet> first,
                                              List<ReplicaSet> then) {
        Map<String, Integer> sizes = new LinkedHashMap<>();
        Stream.concat(first.stream(), then.stream()).forEach(r -> sizes.put(r.getMetadata().getName(),
                r.getSpec().getReplicas()));
        steps.forEach(s -> sizes.put(s.name(), s.size()));
        return sizes;
    }

    @Test
    void newReplicaSetReplicas_growsWithinMaxSurge_andRecreateTakesTheWholeCount() {
        List<ReplicaSet> all = List.of(rs("rs5", 5, 1));
        assertThat(ScalePlans.newReplicaSetReplicas(DeploymentFixtures.rolling(1, 1, 1), all, rs("new", 5, 2)))
                .as("can not scale up").isEqualTo(5);
        assertThat(ScalePlans.newReplicaSetReplicas(DeploymentFixtures.rolling(6, 10, 1), all, rs("new", 2, 2)))
                .isEqualTo(6);
        assertThat(ScalePlans.newReplicaSetReplicas(DeploymentFixtures.recreate(3), all, rs("new", 1, 2)))
                .isEqualTo(3);
        ReplicaSet growing = rs("new", 2, 2);
        assertThat(ScalePlans.newReplicaSetReplicas(DeploymentFixtures.rolling(6, 1, 1),
                List.of(rs("old", 4, 5, 5, 1), growing), growing)).as("the old one still has 5 pods: no room")
                .isEqualTo(2);
        // reconcileNewReplicaSet's rows (maxUnavailable 0): all = [new, old]
        assertThat(newFor(10, 0, 10, 0)).isZero();
        assertThat(newFor(10, 2, 10, 0)).isEqualTo(2);
        assertThat(newFor(10, 2, 5, 0)).isEqualTo(7);
        assertThat(newFor(10, 2, 10, 2)).isEqualTo(2);
    }

    private static int newFor(int replicas, int surge, int oldSize, int newSize) {
        ReplicaSet newRs = rs("new", newSize, 2);
        return ScalePlans.newReplicaSetReplicas(DeploymentFixtures.rolling(replicas, surge, 0),
                List.of(newRs, rs("old", oldSize, 1)), newRs);
    }

    @Test
    void scaleDownOld_removesUnhealthyPodsFirst_thenKeepsReplicasMinusMaxUnavailableAvailable() {
        assertThat(oldAfter(10, 0, 10, 10, 0, 0)).isEqualTo(9);
        assertThat(oldAfter(10, 2, 10, 10, 0, 0)).isEqualTo(8);
        assertThat(oldAfter(10, 2, 10, 8, 0, 0)).as("two unhealthy cleaned up").isEqualTo(8);
        assertThat(oldAfter(10, 2, 10, 9, 0, 0)).as("one unhealthy, then one ready").isEqualTo(8);
        assertThat(oldAfter(10, 2, 8, 8, 2, 0)).as("the new pods' unavailability blocks").isEqualTo(8);
        assertThat(oldAfter(10, 2, 9, 10, 1, 1)).as("a pod being deleted is not counted available").isEqualTo(7);
    }

    private static int oldAfter(int replicas, int maxUnavailable, int oldSize, int oldAvailable, int newSize,
                                int newAvailable) {
        Deployment d = DeploymentFixtures.rolling(replicas, 0, maxUnavailable);
        ReplicaSet old = rs("old", oldSize, oldSize, oldAvailable, 1);
        ReplicaSet newRs = rs("new", newSize, newSize, newAvailable, 2);
        int size = oldSize;
        for (ScalePlans.Step s : ScalePlans.scaleDownOld(d, List.of(newRs, old), List.of(old), newRs)) {
            size = s.size();
        }
        return size;
    }

    @Test
    void beyondHistoryLimit_deletesOnlyOldReplicaSetsWithoutPods() {
        assertThat(cleanup(1, rs("foo-1", 0, 1), rs("foo-2", 0, 2), rs("foo-3", 0, 3))).hasSize(2);
        assertThat(cleanup(0, rs("foo-1", 0, 0, 0, 1), rs("foo-2", 0, 1, 0, 2), rs("foo-3", 1, 0, 0, 3),
                rs("foo-4", 1, 1, 1, 4))).containsExactly("foo-1");
        assertThat(cleanup(0, rs("foo-1", 0, 1), rs("foo-2", 0, 2))).hasSize(2);
        assertThat(cleanup(0, rs("foo-1", 1, 1), rs("foo-2", 1, 2))).isEmpty();
        ReplicaSet deleting = rs("foo-1", 0, 1);
        deleting.getMetadata().setDeletionTimestamp("2026-01-01T00:00:00Z");
        assertThat(cleanup(0, deleting)).isEmpty();
        assertThat(cleanup(Integer.MAX_VALUE, rs("foo-1", 0, 1), rs("foo-2", 0, 2), rs("foo-3", 0, 3))).isEmpty();
        ReplicaSet behind = rs("foo-1", 0, 1);
        behind.getMetadata().setGeneration(2L);
        assertThat(cleanup(0, behind)).as("its status has not seen its last change").isEmpty();
    }

    @Test
    void beyondHistoryLimit_goesByRevision_thenByAge() {
        assertThat(cleanup(1, revision(rs("foo-1", 0, 1), "1"), revision(rs("foo-2", 0, 2), "2")))
                .containsExactly("foo-1");
        assertThat(cleanup(1, revision(rs("foo-1", 0, 1), "2"), revision(rs("foo-2", 0, 2), "1")))
                .containsExactly("foo-2");
        assertThat(cleanup(1, revision(rs("foo-1", 0, 1), "1"), revision(rs("foo-2", 0, 2), "")))
                .as("no revision counts as 0").containsExactly("foo-2");
        assertThat(cleanup(1, revision(rs("foo-1", 0, 1), ""), revision(rs("foo-2", 0, 2), "2")))
                .containsExactly("foo-1");
        assertThat(cleanup(1, revision(rs("foo-1", 1, 1), "1"), revision(rs("foo-2", 0, 2), "2"),
                revision(rs("foo-3", 0, 3), "3"))).containsExactly("foo-2");
        assertThat(cleanup(1, revision(rs("foo-1", 1, 1), "1"), revision(rs("foo-2", 1, 2), "2"),
                revision(rs("foo-3", 0, 3), "3"))).isEmpty();
        assertThat(cleanup(2, revision(rs("foo-1", 0, 1), "3"), revision(rs("foo-2", 0, 2), "1"),
                revision(rs("foo-3", 0, 3), "4"), revision(rs("foo-4", 0, 4), "2")))
                .containsExactlyInAnyOrder("foo-2", "foo-4");
    }

    private static List<String> cleanup(int limit, ReplicaSet... old) {
        Deployment d = DeploymentFixtures.rolling(1, 1, 0);
        d.getSpec().setRevisionHistoryLimit(limit);
        return ScalePlans.beyondHistoryLimit(d, List.of(old)).stream().map(r -> r.getMetadata().getName()).toList();
    }
}
