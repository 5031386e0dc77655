package io.keelson.scheduler.plugins.nodeunschedulable;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.Status;
import io.keelson.scheduler.plugins.Fixtures;
import org.junit.jupiter.api.Test;

/** kube-scheduler's TestNodeUnschedulable cases. */
class NodeUnschedulableTest {
    private final NodeUnschedulable plugin = new NodeUnschedulable();

    private Status filter(boolean unschedulable, boolean tolerates) {
        var pod = Fixtures.pod("p");
        if (tolerates) {
            pod.editSpec().addNewToleration().withKey("node.kubernetes.io/unschedulable").withEffect("NoSchedule")
                    .endToleration().endSpec();
        }
        var node = new NodeBuilder(Fixtures.node("n")).editSpec().withUnschedulable(unschedulable).endSpec().build();
        return plugin.filter(new CycleState(), pod.build(), Fixtures.nodeInfo(node));
    }

    @Test
    void anUnschedulableNode_isRefused_unlessThePodToleratesIt() {
        assertThat(filter(true, false)).isEqualTo(Status.unresolvable("node(s) were unschedulable"));
        assertThat(filter(false, false).isSuccess()).isTrue();
        assertThat(filter(true, true).isSuccess()).isTrue();
    }
}
