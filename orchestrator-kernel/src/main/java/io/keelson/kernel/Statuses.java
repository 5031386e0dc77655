package io.keelson.kernel;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusCause;
import java.util.List;
import java.util.stream.Collectors;

/**
 * kube-apiserver's failure Statuses ({@code k8s.io/apimachinery/pkg/api/errors}): same reason, code, message text
 * and details, so that a client cannot tell the kernel's refusal from the apiserver's.
 */
final class Statuses {
    private Statuses() {
    }

    static ApiException notFound(ResourceType<?> type, String name) {
        return failure(404, "NotFound", type.groupResource() + " " + FieldError.quote(name) + " not found",
                type, name, List.of());
    }

    static ApiException alreadyExists(ResourceType<?> type, String name) {
        return failure(409, "AlreadyExists", type.groupResource() + " " + FieldError.quote(name) + " already exists",
                type, name, List.of());
    }

    static ApiException generateNameConflict(ResourceType<?> type, String name) {
        return new ApiException(new StatusBuilder().withStatus("Failure").withCode(409).withReason("AlreadyExists")
                .withMessage(type.groupResource() + " " + FieldError.quote(name) + " already exists, the server was"
                        + " not able to generate a unique name for the object")
                .withNewDetails().withName(name).withGroup(type.group().isEmpty() ? null : type.group())
                .withKind(type.plural()).withRetryAfterSeconds(1).endDetails().withNewMetadata().endMetadata()
                .build());
    }

    /** A delete precondition that failed: a Conflict whose message names the kind. */
    static ApiException preconditionFailed(ResourceType<?> type, String name, String message) {
        return new ApiException(new StatusBuilder().withStatus("Failure").withCode(409).withReason("Conflict")
                .withMessage(message).withNewDetails().withName(name)
                .withGroup(type.group().isEmpty() ? null : type.group()).withKind(type.kind()).endDetails()
                .withNewMetadata().endMetadata().build());
    }

    static ApiException deleteOptionsInvalid(FieldError error) {
        return new ApiException(new StatusBuilder().withStatus("Failure").withCode(422).withReason("Invalid")
                .withMessage("DeleteOptions.meta.k8s.io \"\" is invalid: " + error)
                .withNewDetails().withGroup("meta.k8s.io").withKind("DeleteOptions")
                .withCauses(new StatusCause(error.field(), error.body(), error.type().causeType)).endDetails()
                .withNewMetadata().endMetadata().build());
    }

    static ApiException conflict(ResourceType<?> type, String name, String why) {
        return failure(409, "Conflict", "Operation cannot be fulfilled on " + type.groupResource() + " "
                + FieldError.quote(name) + ": " + why, type, name, List.of());
    }

    /** A Conflict on a subresource, e.g. {@code pods/binding}, as kube-apiserver words it. */
    static ApiException conflictOn(String resource, String name, String why) {
        return new ApiException(new StatusBuilder().withStatus("Failure").withCode(409).withReason("Conflict")
                .withMessage("Operation cannot be fulfilled on " + resource + " " + FieldError.quote(name) + ": " + why)
                .withNewDetails().withName(name).withKind(resource).endDetails().withNewMetadata().endMetadata()
                .build());
    }

    static ApiException staleResourceVersion(ResourceType<?> type, String name) {
        return conflict(type, name,
                "the object has been modified; please apply your changes to the latest version and try again");
    }

    static ApiException invalid(ResourceType<?> type, String name, List<FieldError> errors) {
        return invalid(type.group(), type.kind(), name, errors);
    }

    /** An Invalid Status for any kind: {@code Scale.autoscaling "web" is invalid: ...}. */
    static ApiException invalid(String group, String kind, String name, List<FieldError> errors) {
        String aggregate = errors.size() == 1 ? errors.get(0).toString()
                : "[" + errors.stream().map(FieldError::toString).collect(Collectors.joining(", ")) + "]";
        List<StatusCause> causes = errors.stream()
                .map(e -> new StatusCause(e.field(), e.body(), e.type().causeType)).toList();
        String groupKind = group.isEmpty() ? kind : kind + "." + group;
        Status status = new StatusBuilder().withStatus("Failure").withCode(422).withReason("Invalid")
                .withMessage(groupKind + " " + FieldError.quote(name) + " is invalid: " + aggregate)
                .withNewDetails().withName(name.isEmpty() ? null : name).withGroup(group.isEmpty() ? null : group)
                .withKind(kind).withCauses(causes).endDetails()
                .withNewMetadata().endMetadata().build();
        return new ApiException(status);
    }

    static ApiException forbidden(ResourceType<?> type, String name, String why) {
        String target = name.isEmpty() ? type.groupResource() : type.groupResource() + " " + FieldError.quote(name);
        return failure(403, "Forbidden", target + " is forbidden: " + why, type, name, List.of());
    }

    static ApiException badRequest(String message) {
        return plain(400, "BadRequest", message);
    }

    static ApiException unprocessablePatch(String why) {
        return plain(422, "Invalid", "the server rejected our request due to an error in our request: " + why);
    }

    static ApiException gone(String message) {
        return plain(410, "Expired", message);
    }

    static ApiException timeout(String message) {
        return plain(504, "Timeout", "Timeout: " + message);
    }

    static ApiException tooLargeResourceVersion(long requested, long current) {
        return new ApiException(new StatusBuilder().withStatus("Failure").withCode(504).withReason("Timeout")
                .withMessage("Timeout: Too large resource version: " + requested + ", current: " + current)
                .withNewDetails().withRetryAfterSeconds(1)
                .withCauses(new StatusCause(null, "Too large resource version", "ResourceVersionTooLarge"))
                .endDetails().withNewMetadata().endMetadata().build());
    }

    static ApiException internal(String message) {
        return plain(500, "InternalError", "Internal error occurred: " + message);
    }

    /** A Failure with no details, as apimachinery's constructors without a resource make them. */
    private static ApiException plain(int code, String reason, String message) {
        return new ApiException(new StatusBuilder().withStatus("Failure").withCode(code).withReason(reason)
                .withMessage(message).withNewMetadata().endMetadata().build());
    }

    private static ApiException failure(int code, String reason, String message, ResourceType<?> type, String name,
                                        List<StatusCause> causes) {
        return new ApiException(new StatusBuilder().withStatus("Failure").withCode(code).withReason(reason)
                .withMessage(message).withNewDetails().withName(name.isEmpty() ? null : name)
                .withGroup(type.group().isEmpty() ? null : type.group()).withKind(type.plural())
                .withCauses(causes).endDetails().withNewMetadata().endMetadata().build());
    }
}
