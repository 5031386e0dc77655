package io.keelson.scheduler.plugins.nodename;

import static org.assertj.core.api.Assertions.assertThat;

import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.Status;
import io.keelson.scheduler.plugins.Fixtures;
import org.junit.jupiter.api.Test;

/** kube-scheduler's TestNodeName cases. */
class NodeNameTest {
    private final NodeName plugin = new NodeName();

    private Status filter(String wanted, String node) {
        return plugin.filter(new CycleState(), Fixtures.pod("p").editSpec().withNodeName(wanted).endSpec().build(),
                Fixtures.nodeInfo(Fixtures.node(node)));
    }

    @Test
    void onlyTheNamedNodeFits() {
        assertThat(filter(null, "foo").isSuccess()).as("no host specified").isTrue();
        assertThat(filter("foo", "foo").isSuccess()).as("host matches").isTrue();
        assertThat(filter("bar", "foo")).as("host doesn't match")
                .isEqualTo(Status.unresolvable("node(s) didn't match the requested node name"));
    }
}
