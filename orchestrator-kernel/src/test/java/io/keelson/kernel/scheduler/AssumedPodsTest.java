package io.keelson.kernel.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AssumedPodsTest {
    /** A PodSpec with every property set to a value of its own, found by reflection as the copy finds them. */
    private static PodSpec everyPropertySet() throws Exception {
        PodSpec spec = new PodSpec();
        for (Method setter : PodSpec.class.getMethods()) {
            if (!setter.getName().startsWith("set") || setter.getParameterCount() != 1
                    || setter.getDeclaringClass() != PodSpec.class) {
                continue;
            }
            Class<?> type = setter.getParameterTypes()[0];
            Object value;
            if (type == String.class) {
                value = setter.getName();
            } else if (type == Boolean.class) {
                value = Boolean.TRUE;
            } else if (type == Long.class) {
                value = 7L;
            } else if (type == Integer.class) {
                value = 3;
            } else if (type == List.class) {
                value = new ArrayList<>(List.of(new Object()));
            } else if (type == Map.class) {
                value = new HashMap<>(Map.of(setter.getName(), new Object()));
            } else {
                value = type.getConstructor().newInstance();
            }
            setter.invoke(spec, value);
        }
        return spec;
    }

    @Test
    void theAssumedPod_hasTheHost_andSharesEverythingElse_withoutChangingTheCachedPod() throws Exception {
        PodSpec spec = everyPropertySet();
        spec.setNodeName(null);
        Pod cached = new Pod("v1", "Pod", new ObjectMeta(), spec, new PodStatus());

        Pod assumed = AssumedPods.on(cached, "node-1");

        assertThat(assumed.getSpec()).isNotSameAs(spec);
        assertThat(assumed.getSpec().getNodeName()).isEqualTo("node-1");
        assertThat(spec.getNodeName()).as("the cached pod is left as it was").isNull();
        assertThat(assumed.getMetadata()).isSameAs(cached.getMetadata());
        assertThat(assumed.getStatus()).isSameAs(cached.getStatus());
        assertThat(assumed.getApiVersion()).isEqualTo("v1");
        assertThat(assumed.getKind()).isEqualTo("Pod");
        int checked = 0;
        for (Method getter : PodSpec.class.getMethods()) {
            boolean property = (getter.getName().startsWith("get") || getter.getName().startsWith("is"))
                    && getter.getParameterCount() == 0 && getter.getDeclaringClass() == PodSpec.class;
            if (property && !getter.getName().equals("getNodeName")) {
                assertThat(getter.invoke(assumed.getSpec())).as(getter.getName())
                        .isNotNull().isSameAs(getter.invoke(spec));
                checked++;
            }
        }
        assertThat(checked).as("PodSpec's properties").isGreaterThan(40);
    }
}
