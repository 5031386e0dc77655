package io.keelson.scheduler.plugins.defaultbinder;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.scheduler.framework.BindPlugin;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.Status;

/**
 * kube-scheduler's DefaultBinder: binds through the {@code pods/binding} subresource, with the pod's uid as a
 * precondition, so a pod deleted and re-created under the same name is never bound by mistake.
 */
public final class DefaultBinder implements BindPlugin {
    public static final String NAME = "DefaultBinder";

    private final Kernel kernel;

    public DefaultBinder(Kernel kernel) {
        this.kernel = kernel;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status bind(CycleState state, Pod pod, String nodeName) {
        Binding binding = new BindingBuilder().withNewMetadata().withName(pod.getMetadata().getName())
                .withNamespace(pod.getMetadata().getNamespace()).withUid(pod.getMetadata().getUid()).endMetadata()
                .withNewTarget().withKind("Node").withName(nodeName).endTarget().build();
        try {
            kernel.bind(pod.getMetadata().getNamespace(), binding);
            return Status.success();
        } catch (ApiException e) {
            return Status.error(e);
        }
    }
}
