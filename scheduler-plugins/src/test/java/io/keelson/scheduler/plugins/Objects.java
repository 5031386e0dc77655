package io.keelson.scheduler.plugins;

import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;

/** Nodes and pods for scheduler tests, in the spirit of kube-scheduler's st.MakeNode() / st.MakePod(). */
public final class Objects {
    private Objects() {
    }

    /** A node with allocatable cpu (cores or millicores as Kubernetes writes them), memory and 110 pods. */
    public static NodeBuilder node(String name, String cpu, String memory) {
        return new NodeBuilder().withNewMetadata().withName(name).addToLabels("kubernetes.io/hostname", name)
                .endMetadata().withNewSpec().endSpec().withNewStatus()
                .addToAllocatable("cpu", new Quantity(cpu)).addToAllocatable("memory", new Quantity(memory))
                .addToAllocatable("pods", new Quantity("110")).addToCapacity("cpu", new Quantity(cpu))
                .addToCapacity("memory", new Quantity(memory)).addToCapacity("pods", new Quantity("110")).endStatus();
    }

    /** A pod with one container requesting {@code cpu} and {@code memory} (null: no request). */
    public static PodBuilder pod(String name, String cpu, String memory) {
        PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace("default").withUid("uid-" + name)
                .endMetadata();
        var container = b.withNewSpec().addNewContainer().withName("app").withImage("registry.k8s.io/pause:3.9")
                .withNewResources();
        if (cpu != null) {
            container.addToRequests("cpu", new Quantity(cpu));
        }
        if (memory != null) {
            container.addToRequests("memory", new Quantity(memory));
        }
        return container.endResources().endContainer().endSpec();
    }
}
