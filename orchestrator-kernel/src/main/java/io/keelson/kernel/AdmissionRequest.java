package io.keelson.kernel;

import io.fabric8.kubernetes.api.model.HasMetadata;

/**
 * One request passing admission.
 *
 * @param operation   CREATE, UPDATE or DELETE
 * @param type        the resource type
 * @param namespace   the request's namespace ("" for cluster-scoped types)
 * @param name        the object's name (for a create with generateName, the generated one)
 * @param subresource "" or "status"
 * @param object      the object being written (DELETE: the stored object)
 * @param oldObject   UPDATE and DELETE: the stored object; null on CREATE
 * @param kernel      for reading other objects
 */
public record AdmissionRequest(Operation operation, ResourceType<?> type, String namespace, String name,
                               String subresource, HasMetadata object, HasMetadata oldObject, Kernel kernel) {
    /** The operation being admitted. */
    public enum Operation { CREATE, UPDATE, DELETE }
}
