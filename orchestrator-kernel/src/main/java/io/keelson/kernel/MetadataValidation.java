package io.keelson.kernel;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.OwnerReference;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** ObjectMeta's rules ({@code apimachinery/pkg/api/validation/objectmeta.go}), on create and on update. */
final class MetadataValidation {
    static final int TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
    /** Finalizer names that need no domain prefix. */
    static final List<String> STANDARD_FINALIZERS = List.of("kubernetes", "orphan", "foregroundDeletion");

    private MetadataValidation() {
    }

    /** The checks of a new object's metadata. */
    static List<FieldError> create(ResourceType<?> type, ObjectMeta meta) {
        List<FieldError> errors = new ArrayList<>();
        String name = meta.getName();
        if (meta.getGenerateName() != null && !meta.getGenerateName().isEmpty()) {
            for (String e : name(type, maskTrailingDash(meta.getGenerateName()))) {
                errors.add(FieldError.invalid("metadata.generateName", meta.getGenerateName(), e));
            }
        }
        if (name == null || name.isEmpty()) {
            errors.add(FieldError.required("metadata.name", "name or generateName is required"));
        } else {
            for (String e : name(type, name)) {
                errors.add(FieldError.invalid("metadata.name", name, e));
            }
        }
        errors.addAll(common(type, meta));
        return errors;
    }

    /** The checks of an update's metadata against the stored object's. */
    static List<FieldError> update(ResourceType<?> type, ObjectMeta meta, ObjectMeta old) {
        List<FieldError> errors = new ArrayList<>(common(type, meta));
        if (meta.getGeneration() != null && old.getGeneration() != null && meta.getGeneration() < old.getGeneration()) {
            errors.add(FieldError.invalid("metadata.generation", meta.getGeneration(), "must not be decremented"));
        }
        if (old.getDeletionTimestamp() != null) {
            List<String> added = new ArrayList<>(meta.getFinalizers());
            added.removeAll(old.getFinalizers());
            if (!added.isEmpty()) {
                java.util.Collections.sort(added);
                errors.add(FieldError.forbidden("metadata.finalizers",
                        "no new finalizers can be added if the object is being deleted, found new finalizers "
                                + "[]string{" + String.join(", ", added.stream().map(FieldError::quote).toList()) + "}"));
            }
        }
        return errors;
    }

    private static List<FieldError> common(ResourceType<?> type, ObjectMeta meta) {
        List<FieldError> errors = new ArrayList<>();
        if (type.namespaced()) {
            String ns = meta.getNamespace();
            if (ns == null || ns.isEmpty()) {
                errors.add(FieldError.required("metadata.namespace", ""));
            } else {
                for (String e : Names.dns1123Label(ns)) {
                    errors.add(FieldError.invalid("metadata.namespace", ns, e));
                }
            }
        }
        if (meta.getGeneration() != null && meta.getGeneration() < 0) {
            errors.add(FieldError.invalid("metadata.generation", meta.getGeneration(),
                    "must be greater than or equal to 0"));
        }
        errors.addAll(labels(meta.getLabels(), "metadata.labels"));
        errors.addAll(annotations(meta.getAnnotations()));
        errors.addAll(ownerReferences(type, meta.getOwnerReferences()));
        errors.addAll(finalizers(meta.getFinalizers()));
        return errors;
    }

    /** Label keys and values, as {@code ValidateLabels}: every error on the map's path, not per key. */
    static List<FieldError> labels(Map<String, String> labels, String path) {
        List<FieldError> errors = new ArrayList<>();
        if (labels == null) {
            return errors;
        }
        labels.forEach((k, v) -> {
            for (String e : Names.labelKey(k)) {
                errors.add(FieldError.invalid(path, k, e));
            }
            for (String e : Names.labelValue(v == null ? "" : v)) {
                errors.add(FieldError.invalid(path, v, e));
            }
        });
        return errors;
    }

    private static List<FieldError> annotations(Map<String, String> annotations) {
        List<FieldError> errors = new ArrayList<>();
        if (annotations == null) {
            return errors;
        }
        long size = 0;
        for (Map.Entry<String, String> a : annotations.entrySet()) {
            for (String e : Names.qualifiedName(a.getKey().toLowerCase(java.util.Locale.ROOT))) {
                errors.add(FieldError.invalid("metadata.annotations", a.getKey(), e));
            }
            size += a.getKey().getBytes(StandardCharsets.UTF_8).length;
            size += a.getValue() == null ? 0 : a.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        if (size > TOTAL_ANNOTATION_SIZE_LIMIT) {
            errors.add(FieldError.tooLong("metadata.annotations", TOTAL_ANNOTATION_SIZE_LIMIT));
        }
        return errors;
    }

    private static List<FieldError> ownerReferences(ResourceType<?> type, List<OwnerReference> refs) {
        List<FieldError> errors = new ArrayList<>();
        List<OwnerReference> controllers = new ArrayList<>();
        for (OwnerReference r : refs) {
            if (empty(r.getApiVersion())) {
                errors.add(FieldError.invalid("metadata.ownerReferences.apiVersion", "", "version must not be empty"));
            }
            if (empty(r.getKind())) {
                errors.add(FieldError.invalid("metadata.ownerReferences.kind", "", "must not be empty"));
            }
            if (empty(r.getName())) {
                errors.add(FieldError.invalid("metadata.ownerReferences.name", "", "must not be empty"));
            }
            if (empty(r.getUid())) {
                errors.add(FieldError.invalid("metadata.ownerReferences.uid", "", "must not be empty"));
            }
            if ("v1".equals(r.getApiVersion()) && "Event".equals(r.getKind())) {
                errors.add(FieldError.invalid("metadata.ownerReferences", r, "/v1, Kind=Event is disallowed from being"
                        + " an owner"));
            }
            if (Boolean.TRUE.equals(r.getController())) {
                controllers.add(r);
            }
        }
        for (int i = 1; i < controllers.size(); i++) {
            OwnerReference first = controllers.get(0);
            OwnerReference other = controllers.get(i);
            errors.add(FieldError.invalid("metadata.ownerReferences", refs,
                    "Only one reference can have Controller set to true. Found \"true\" in references for "
                            + first.getKind() + "/" + first.getName() + " and " + other.getKind() + "/"
                            + other.getName()));
        }
        return errors;
    }

    private static List<FieldError> finalizers(List<String> finalizers) {
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < finalizers.size(); i++) {
            String f = finalizers.get(i);
            List<String> problems = Names.qualifiedName(f);
            for (String e : problems) {
                errors.add(FieldError.invalid("metadata.finalizers", f, e));
            }
            if (problems.isEmpty() && !f.contains("/") && !STANDARD_FINALIZERS.contains(f)) {
                errors.add(FieldError.invalid("metadata.finalizers[" + i + "]", f,
                        "name is neither a standard finalizer name nor is it fully qualified"));
            }
        }
        if (finalizers.contains("orphan") && finalizers.contains("foregroundDeletion")) {
            errors.add(FieldError.invalid("metadata.finalizers", finalizers,
                    "finalizer orphan and foregroundDeletion cannot be both set"));
        }
        return errors;
    }

    /** The type's name rule's messages for {@code name} (empty when valid). */
    static List<String> name(ResourceType<?> type, String name) {
        return switch (type.names()) {
            case DNS1123_SUBDOMAIN -> Names.dns1123Subdomain(name);
            case DNS1123_LABEL -> Names.dns1123Label(name);
            case DNS1035_LABEL -> Names.dns1035Label(name);
            case PATH_SEGMENT -> Names.pathSegment(name);
        };
    }

    /** generateName prefixes may end in '-': validate them as if that were a letter ({@code maskTrailingDash}). */
    private static String maskTrailingDash(String prefix) {
        return prefix.length() > 1 && prefix.endsWith("-") ? prefix.substring(0, prefix.length() - 2) + "a" : prefix;
    }

    /** {@code field is immutable} when the values differ (compared as JSON, as the apiserver compares deeply). */
    static void immutable(List<FieldError> errors, String path, Object value, Object old) {
        if (!Objects.equals(ObjectCodec.JSON.valueToTree(value), ObjectCodec.JSON.valueToTree(old))) {
            errors.add(FieldError.invalid(path, value, "field is immutable"));
        }
    }

    static boolean empty(String s) {
        return s == null || s.isEmpty();
    }

    static HasMetadata requireMeta(HasMetadata o) {
        if (o.getMetadata() == null) {
            o.setMetadata(new ObjectMeta());
        }
        return o;
    }
}
