package io.keelson.scheduler.plugins.defaultbinder;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.BindingBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.scheduler.framework.BindPlugin;
import io.keelson.kernel.scheduler.framework.CycleState;
import io.keelson.kernel.scheduler.framework.Status;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

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
        try {
            kernel.bind(pod.getMetadata().getNamespace(), binding(pod, nodeName));
            return Status.success();
        } catch (ApiException e) {
            return Status.error(e);
        }
    }

    @Override
    public CompletableFuture<Status> bindAsync(CycleState state, Pod pod, String nodeName) {
        return kernel.bindAsync(pod.getMetadata().getNamespace(), binding(pod, nodeName)).handle((bound, error) -> {
            if (error == null) {
                return Status.success();
            }
            Throwable cause = error instanceof CompletionException ? error.getCause() : error;
            if (cause instanceof ApiException e) {
                return Status.error(e);
            }
            throw new CompletionException(cause);
        });
    }

    private static Binding binding(Pod pod, String nodeName) {
        return new BindingBuilder().withNewMetadata().withName(pod.getMetadata().getName())
                .withNamespace(pod.getMetadata().getNamespace()).withUid(pod.getMetadata().getUid()).endMetadata()
                .withNewTarget().withKind("Node").withName(nodeName).endTarget().build();
    }
}
