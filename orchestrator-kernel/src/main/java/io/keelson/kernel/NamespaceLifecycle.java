package io.keelson.kernel;

import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import java.util.List;

/**
 * kube-apiserver's NamespaceLifecycle admission: nothing is created in a namespace that does not exist or is
 * being deleted, and the system namespaces cannot be deleted.
 */
final class NamespaceLifecycle implements AdmissionPlugin {
    /** Namespaces that may not be deleted. */
    static final List<String> IMMORTAL = List.of("default", "kube-system", "kube-public");

    @Override
    public String name() {
        return "NamespaceLifecycle";
    }

    @Override
    public void validate(AdmissionRequest request) {
        if (request.type().javaType() == Namespace.class) {
            if (request.operation() == AdmissionRequest.Operation.DELETE && IMMORTAL.contains(request.name())) {
                throw Statuses.forbidden(request.type(), request.name(), "this namespace may not be deleted");
            }
            return;
        }
        if (!request.type().namespaced() || request.operation() != AdmissionRequest.Operation.CREATE) {
            return;
        }
        Namespace ns = namespace(request);
        if (ns == null) {
            throw Statuses.notFound(BuiltinTypes.NAMESPACES, request.namespace());
        }
        if (ns.getStatus() != null && "Terminating".equals(ns.getStatus().getPhase())) {
            String name = request.name() == null || request.name().isEmpty() ? "Unknown" : request.name();
            String message = request.type().groupResource() + " " + FieldError.quote(name) + " is forbidden: unable to"
                    + " create new content in namespace " + request.namespace() + " because it is being terminated";
            throw new ApiException(new StatusBuilder().withStatus("Failure").withCode(403).withReason("Forbidden")
                    .withMessage(message).withNewDetails().withName(name)
                    .withGroup(request.type().group().isEmpty() ? null : request.type().group())
                    .withKind(request.type().plural())
                    .withCauses(new StatusCause("metadata.namespace", "namespace " + request.namespace()
                            + " is being terminated", "NamespaceTerminating")).endDetails()
                    .withNewMetadata().endMetadata().build());
        }
    }

    /** The namespace from the cache, then (if the cache has not seen it yet) from a consistent read. */
    private static Namespace namespace(AdmissionRequest request) {
        Namespace cached = request.kernel().reads(Namespace.class).shared(null, request.namespace());
        if (cached != null) {
            return cached;
        }
        try {
            return request.kernel().resources(Namespace.class).get(request.namespace());
        } catch (ApiException e) {
            if (e.isNotFound()) {
                return null;
            }
            throw e;
        }
    }
}
