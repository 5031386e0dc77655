package io.keelson.kernel.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Upstream's TestResolveFenceposts and TestMaxUnavailable tables. */
class FencepostsTest {
    @Test
    void resolve_roundsSurgeUp_andUnavailableDown_andNeverBothZero() {
        assertThat(Fenceposts.resolve(DeploymentFixtures.intOrString("0%"), DeploymentFixtures.intOrString("0%"), 0))
                .isEqualTo(new Fenceposts(0, 1));
        assertThat(Fenceposts.resolve(DeploymentFixtures.intOrString("39%"), DeploymentFixtures.intOrString("39%"),
                10)).isEqualTo(new Fenceposts(4, 3));
        assertThat(Fenceposts.resolve(null, DeploymentFixtures.intOrString("39%"), 10)).isEqualTo(new Fenceposts(0, 3));
        assertThat(Fenceposts.resolve(DeploymentFixtures.intOrString("39%"), null, 10)).isEqualTo(new Fenceposts(4, 0));
        assertThat(Fenceposts.resolve(null, null, 10)).isEqualTo(new Fenceposts(0, 1));
        assertThat(Fenceposts.resolve(DeploymentFixtures.intOrString("25%"), DeploymentFixtures.intOrString("25%"), 3))
                .as("the defaults on 3 replicas").isEqualTo(new Fenceposts(1, 0));
    }

    @Test
    void resolve_refusesAStringThatIsNotAPercentage() {
        assertThatThrownBy(() -> Fenceposts.resolve(DeploymentFixtures.intOrString("oops"),
                DeploymentFixtures.intOrString("39%"), 10)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Fenceposts.resolve(DeploymentFixtures.intOrString("55%"),
                DeploymentFixtures.intOrString("urg"), 10)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void maxUnavailable_isCappedAtReplicas_andZeroForRecreateOrNoReplicas() {
        assertThat(Fenceposts.maxUnavailable(DeploymentFixtures.rolling(10, 1, 5))).isEqualTo(5);
        assertThat(Fenceposts.maxUnavailable(DeploymentFixtures.rolling(10, 1, 10))).isEqualTo(10);
        assertThat(Fenceposts.maxUnavailable(DeploymentFixtures.rolling(5, 1, 10))).isEqualTo(5);
        assertThat(Fenceposts.maxUnavailable(DeploymentFixtures.rolling(0, 1, 10))).isZero();
        assertThat(Fenceposts.maxUnavailable(DeploymentFixtures.recreate(10))).isZero();
        assertThat(Fenceposts.maxUnavailable(DeploymentFixtures.rolling(10, 1, "50%"))).isEqualTo(5);
        assertThat(Fenceposts.maxUnavailable(DeploymentFixtures.rolling(10, 1, "100%"))).isEqualTo(10);
        assertThat(Fenceposts.maxUnavailable(DeploymentFixtures.rolling(5, 1, "100%"))).isEqualTo(5);
        assertThat(Fenceposts.maxSurge(DeploymentFixtures.recreate(10))).isZero();
    }
}
