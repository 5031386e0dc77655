package io.keelson.kernel;

import io.fabric8.kubernetes.api.model.Status;

/**
 * A request the kernel refused or could not serve, carrying the Kubernetes {@link Status} kube-apiserver would
 * answer with (reason, code, message, details and causes), so that the REST API can return it unchanged.
 */
public final class ApiException extends RuntimeException {
    private final transient Status status;

    /** An error answering with {@code status} (admission plugins build theirs with fabric8's StatusBuilder). */
    public ApiException(Status status) {
        super(status.getMessage());
        this.status = status;
    }

    /** The full Status object: do not modify it. */
    public Status status() {
        return status;
    }

    /** Kubernetes' reason: {@code NotFound}, {@code AlreadyExists}, {@code Conflict}, {@code Invalid}, ... */
    public String reason() {
        return status.getReason();
    }

    /** The HTTP status code kube-apiserver would answer with. */
    public int code() {
        return status.getCode();
    }

    /** Whether this is a 409 Conflict on a stale resourceVersion (retry with the latest object). */
    public boolean isConflict() {
        return "Conflict".equals(status.getReason());
    }

    public boolean isNotFound() {
        return "NotFound".equals(status.getReason());
    }
}
