package io.keelson.kernel.scheduler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.keelson.kernel.FakeClock;
import io.keelson.kernel.scheduler.framework.NodeInfo;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The scheduler cache: assume, confirm, forget, expiry, node removal, incremental snapshots. */
class SchedulerCacheTest {
    private final FakeClock clock = new FakeClock();
    private final SchedulerCache cache = new SchedulerCache(clock, Duration.ofSeconds(30));

    static Node node(String name, String zone) {
        return new NodeBuilder().withNewMetadata().withName(name)
                .addToLabels("topology.kubernetes.io/zone", zone).endMetadata()
                .withNewStatus().addToAllocatable("cpu", new Quantity("4")).addToAllocatable("memory",
                        new Quantity("8Gi")).addToAllocatable("pods", new Quantity("110")).endStatus().build();
    }

    static Pod pod(String name, String node, String cpu) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace("ns").withUid("uid-" + name)
                .endMetadata().withNewSpec().withNodeName(node).addNewContainer().withName("c").withNewResources()
                .addToRequests("cpu", new Quantity(cpu)).endResources().endContainer().endSpec().build();
    }

    @Test
    void anAssumedPod_countsOnItsNode_untilForgotten() {
        cache.addOrUpdateNode(node("n1", "a"));
        cache.assume(pod("p", "n1", "1"));
        assertThat(cache.nodeInfo("n1").requested().milliCpu()).isEqualTo(1000);
        assertThat(cache.isAssumed("uid-p")).isTrue();
        assertThatThrownBy(() -> cache.assume(pod("p", "n1", "1"))).hasMessageContaining("is in the cache");

        cache.forget(pod("p", "n1", "1"));

        assertThat(cache.nodeInfo("n1").requested().milliCpu()).isZero();
        assertThat(cache.contains("uid-p")).isFalse();
    }

    @Test
    void theBoundPodFromTheWatch_confirmsTheAssumedOne_andItNoLongerExpires() {
        cache.addOrUpdateNode(node("n1", "a"));
        cache.assume(pod("p", "n1", "1"));
        cache.finishBinding(pod("p", "n1", "1"));
        cache.addPod(pod("p", "n1", "1"));

        clock.advance(Duration.ofMinutes(5));
        assertThat(cache.expireAssumedPods()).isEmpty();
        assertThat(cache.isAssumed("uid-p")).isFalse();
        assertThat(cache.nodeInfo("n1").pods()).hasSize(1);
        assertThat(cache.nodeInfo("n1").requested().milliCpu()).isEqualTo(1000);
    }

    @Test
    void anAssumedPodWhoseBindingFinished_expiresAfterItsTtl_ifNeverConfirmed() {
        cache.addOrUpdateNode(node("n1", "a"));
        cache.assume(pod("p", "n1", "1"));
        clock.advance(Duration.ofMinutes(5));
        assertThat(cache.expireAssumedPods()).as("binding not finished: never expires").isEmpty();

        cache.finishBinding(pod("p", "n1", "1"));
        clock.advance(Duration.ofSeconds(30));
        assertThat(cache.expireAssumedPods()).isEmpty();
        clock.advance(Duration.ofSeconds(1));
        assertThat(cache.expireAssumedPods()).extracting(p -> p.getMetadata().getName()).containsExactly("p");
        assertThat(cache.nodeInfo("n1").pods()).isEmpty();
    }

    @Test
    void aRemovedNodeWithPods_leavesSnapshots_butKeepsCountingItsPodsUntilTheyGo() {
        cache.addOrUpdateNode(node("n1", "a"));
        cache.addPod(pod("p", "n1", "1"));
        Snapshot snapshot = new Snapshot();
        cache.updateSnapshot(snapshot);
        assertThat(snapshot.list()).extracting(NodeInfo::name).containsExactly("n1");

        cache.removeNode(node("n1", "a"));
        cache.updateSnapshot(snapshot);
        assertThat(snapshot.list()).isEmpty();
        assertThat(snapshot.get("n1")).isNull();
        assertThat(cache.nodeInfo("n1").pods()).hasSize(1);

        cache.removePod(pod("p", "n1", "1"));
        assertThat(cache.nodeInfo("n1")).isNull();
    }

    @Test
    void snapshots_interleaveZones_andCopyOnlyChangedNodes() {
        cache.addOrUpdateNode(node("a1", "a"));
        cache.addOrUpdateNode(node("a2", "a"));
        cache.addOrUpdateNode(node("a3", "a"));
        cache.addOrUpdateNode(node("b1", "b"));
        cache.addOrUpdateNode(node("c1", "c"));
        cache.addOrUpdateNode(node("c2", "c"));
        Snapshot snapshot = new Snapshot();
        cache.updateSnapshot(snapshot);
        assertThat(snapshot.list()).extracting(NodeInfo::name).containsExactly("a1", "b1", "c1", "a2", "c2", "a3");
        NodeInfo a1 = snapshot.get("a1");
        NodeInfo b1 = snapshot.get("b1");

        cache.assume(pod("p", "b1", "2"));
        cache.updateSnapshot(snapshot);

        assertThat(snapshot.get("a1")).isSameAs(a1);
        assertThat(snapshot.get("b1")).isNotSameAs(b1);
        assertThat(snapshot.get("b1").requested().milliCpu()).isEqualTo(2000);
        assertThat(b1.requested().milliCpu()).as("the previous snapshot's copy is unchanged").isZero();
        assertThat(snapshot.list().get(1)).isSameAs(snapshot.get("b1"));
    }

    @Test
    void snapshots_tellWhichNodesChangedSinceAnEarlierVersion_andOnlyTheirOwnVersions() {
        cache.addOrUpdateNode(node("a1", "a"));
        cache.addOrUpdateNode(node("b1", "b"));
        Snapshot snapshot = new Snapshot();
        long empty = snapshot.version();
        cache.updateSnapshot(snapshot);
        long first = snapshot.version();
        assertThat(first).isGreaterThan(empty);
        assertThat(snapshot.changedSince(first)).isEmpty();
        assertThat(snapshot.changedSince(empty)).containsExactlyInAnyOrder("a1", "b1");

        cache.assume(pod("p", "b1", "1"));
        cache.updateSnapshot(snapshot);
        long second = snapshot.version();
        cache.updateSnapshot(snapshot);
        assertThat(snapshot.version()).as("an update that changes nothing keeps the version").isEqualTo(second);
        cache.removeNode(node("a1", "a"));
        cache.addOrUpdateNode(node("c1", "c"));
        cache.updateSnapshot(snapshot);

        assertThat(snapshot.changedSince(second)).containsExactlyInAnyOrder("a1", "c1");
        assertThat(snapshot.changedSince(first)).containsExactlyInAnyOrder("a1", "b1", "c1");
        assertThat(snapshot.get("a1")).as("a removed node is reported changed and is gone").isNull();

        Snapshot other = new Snapshot();
        cache.updateSnapshot(other);
        assertThat(other.changedSince(first)).as("another snapshot's version").isNull();
        assertThat(snapshot.changedSince(-1)).isNull();
    }

    @Test
    void snapshots_forgetChangesOlderThanTheirLog() {
        cache.addOrUpdateNode(node("a1", "a"));
        Snapshot snapshot = new Snapshot();
        cache.updateSnapshot(snapshot);
        long old = snapshot.version();
        for (int i = 0; i < 100; i++) {
            cache.assume(pod("p" + i, "a1", "10m"));
            cache.updateSnapshot(snapshot);
        }
        assertThat(snapshot.changedSince(old)).as("too old: count everything").isNull();
    }

    @Test
    void snapshots_countTheNodesReportingEachImage() {
        Node withImage = new NodeBuilder(node("n1", "a")).editStatus().addNewImage().withNames("nginx:1.25",
                "docker.io/nginx:1.25").withSizeBytes(100L).endImage().endStatus().build();
        cache.addOrUpdateNode(withImage);
        cache.addOrUpdateNode(new NodeBuilder(withImage).editMetadata().withName("n2").endMetadata().build());
        cache.addOrUpdateNode(node("n3", "b"));
        Snapshot snapshot = new Snapshot();
        cache.updateSnapshot(snapshot);
        assertThat(snapshot.nodesWithImage("nginx:1.25")).isEqualTo(2);
        assertThat(snapshot.nodesWithImage("docker.io/nginx:1.25")).isEqualTo(2);

        cache.removeNode(withImage);
        cache.addOrUpdateNode(new NodeBuilder(withImage).editMetadata().withName("n2").endMetadata().editStatus()
                .withImages().endStatus().build());
        cache.updateSnapshot(snapshot);
        assertThat(snapshot.nodesWithImage("nginx:1.25")).isZero();
    }

    @Test
    void aPodBoundElsewhereThanAssumed_movesToItsRealNode() {
        cache.addOrUpdateNode(node("n1", "a"));
        cache.addOrUpdateNode(node("n2", "a"));
        cache.assume(pod("p", "n1", "1"));

        cache.addPod(pod("p", "n2", "1"));

        assertThat(cache.nodeInfo("n1").pods()).isEmpty();
        assertThat(cache.nodeInfo("n2").pods()).hasSize(1);
    }
}
