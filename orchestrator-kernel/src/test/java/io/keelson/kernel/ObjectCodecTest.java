package io.keelson.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class ObjectCodecTest {
    private static final String POD = """
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"containers":[{"name":"app",
            "image":"nginx","resources":{"requests":{"cpu":"250m","memory":"64Mi","example.com/gpu":1,
            "ephemeral-storage":1.5},"limits":{"memory":{"amount":"128","format":"Mi"}}}}]}}""";

    @Test
    void quantities_inEveryJsonForm_readAsFabric8ReadsThem() {
        Pod ours = ObjectCodec.JSON.readValue(POD, Pod.class);
        Pod fabric8 = JsonMapper.builder().build().readValue(POD, Pod.class);

        var resources = ours.getSpec().getContainers().get(0).getResources();
        assertThat(resources).isEqualTo(fabric8.getSpec().getContainers().get(0).getResources());
        assertThat(resources.getRequests()).isEqualTo(Map.of("cpu", new Quantity("250m"),
                "memory", new Quantity("64", "Mi"), "example.com/gpu", new Quantity("1"),
                "ephemeral-storage", new Quantity("1.5")));
        assertThat(resources.getRequests().get("cpu").getFormat()).isEqualTo("m");
        assertThat(resources.getLimits().get("memory")).isEqualTo(new Quantity("128Mi"));
    }

    @Test
    void aCopy_isEqual_andShares_nothingTheCallerCanChange() {
        Pod pod = ObjectCodec.JSON.readValue(POD, Pod.class);
        Pod copy = ObjectCodec.copy(pod, Pod.class);

        assertThat(copy).isEqualTo(pod);
        copy.getSpec().getContainers().get(0).getResources().getRequests().get("cpu").setAmount("500");
        assertThat(pod.getSpec().getContainers().get(0).getResources().getRequests().get("cpu").getAmount())
                .isEqualTo("250");
    }
}
