package io.keelson.kernel;

import io.fabric8.kubernetes.api.model.DeleteOptions;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.autoscaling.v1.Scale;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Typed access to one resource type, with kube-apiserver's semantics:
 * {@code kernel.resources(Deployment.class).inNamespace("web").create(deployment)}.
 *
 * <p>Every call but {@link #createAsync} blocks until the store answered and fails with an {@link ApiException} carrying the Status
 * kube-apiserver would answer with. Objects passed in are not modified; objects returned are the caller's own
 * copies. Writes return the stored object with its new {@code metadata.resourceVersion}.
 */
public interface Resources<T extends HasMetadata> {
    /** The type these resources are. */
    ResourceType<T> type();

    /** The same resources in {@code namespace} (objects without a namespace are created there). */
    Resources<T> inNamespace(String namespace);

    /** The same resources across all namespaces: for list, watch and deleteCollection. */
    Resources<T> inAnyNamespace();

    /** Creates the object (name, or {@code generateName} plus 5 random characters). */
    T create(T object);

    /**
     * {@link #create}, without blocking on the store: the object is defaulted, admitted, validated and encoded on
     * the calling thread (invalid input fails the returned future at once), and the future completes with the stored
     * object when the store has it. The object passed in is copied before the call returns, so the caller may reuse
     * it at once. Many creates in flight from a few threads cost less than as many blocked
     * threads.
     */
    CompletableFuture<T> createAsync(T object);

    /** The object named {@code name}, read consistently: {@code NotFound} if there is none. */
    T get(String name);

    /** The object, from a state not older than {@code resourceVersion} ("0": any cached state). */
    T get(String name, String resourceVersion);

    ObjectList<T> list(ListRequest request);

    /** Every object matching {@code labelSelector}, from one consistent read (no limit: one page). */
    default List<T> list(String labelSelector) {
        return list(ListRequest.all().withLabels(labelSelector)).items();
    }

    /**
     * Replaces the object (compare-and-swap on its {@code resourceVersion}: a stale one fails with
     * {@code Conflict}; none means "whatever is stored"). With a status subresource, its status is ignored.
     * An update that changes nothing writes nothing and returns the stored object unchanged.
     */
    T update(T object);

    /** Replaces only the status (through the status subresource; everything else is ignored). */
    T updateStatus(T object);

    /** Patches the object; a {@code metadata.resourceVersion} in the patch is a precondition. */
    T patch(String name, PatchType type, String patch);

    /** Patches the status subresource. */
    T patchStatus(String name, PatchType type, String patch);

    /** Deletes with Kubernetes' defaults: background propagation, the pod's own grace period. */
    default DeleteResult<T> delete(String name) {
        return delete(name, new DeleteOptions());
    }

    /** Deletes with preconditions, grace period and propagation policy as given. */
    DeleteResult<T> delete(String name, DeleteOptions options);

    /** Deletes every matching object (each as {@link #delete(String, DeleteOptions)}); returns their last states. */
    List<T> deleteCollection(ListRequest request, DeleteOptions options);

    /**
     * Watches; events arrive one at a time and in order on a kernel thread, and the listener must be quick (a
     * listener that falls too far behind is ended with a CLOSED event).
     */
    ResourceWatch watch(WatchRequest request, Consumer<WatchEvent<T>> listener);

    /** The scale subresource (Deployment, ReplicaSet, StatefulSet): spec.replicas and the selector. */
    Scale getScale(String name);

    /** Sets spec.replicas through the scale subresource. */
    Scale updateScale(String name, Scale scale);
}
