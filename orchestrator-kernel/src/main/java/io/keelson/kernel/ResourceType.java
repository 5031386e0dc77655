package io.keelson.kernel;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * One served resource type, as kube-apiserver's discovery and storage know it: adding a type to the kernel is
 * one of these.
 *
 * @param javaType           fabric8's model class
 * @param group              API group ("" for core)
 * @param version            API version within the group
 * @param kind               the object's kind
 * @param plural             the resource name in URLs and error messages ({@code deployments})
 * @param namespaced         whether objects live in a namespace
 * @param shortNames         kubectl's short names ({@code deploy})
 * @param statusSubresource  whether {@code status} is written only through the status subresource
 * @param scaleSubresource   whether the type serves {@code scale} (autoscaling/v1 Scale over spec.replicas)
 * @param storagePrefix      the key prefix under which kube-apiserver stores it ({@code /registry/deployments/})
 * @param names              how names are validated
 * @param fieldSelectors     the field labels the type supports beyond {@code metadata.name} and
 *                           {@code metadata.namespace}, each with the function that reads it from an object
 * @param ttl                how long an object lives after its last write (zero: until deleted); events have one
 */
public record ResourceType<T extends HasMetadata>(Class<T> javaType, String group, String version, String kind,
                                                  String plural, boolean namespaced, List<String> shortNames,
                                                  boolean statusSubresource, boolean scaleSubresource,
                                                  String storagePrefix, NameRule names,
                                                  Map<String, Function<T, String>> fieldSelectors,
                                                  java.time.Duration ttl) {
    /** The name rules of kube-apiserver's validation. */
    public enum NameRule {
        /** RFC 1123 subdomain: most kinds. */
        DNS1123_SUBDOMAIN,
        /** RFC 1123 label: namespaces. */
        DNS1123_LABEL,
        /** RFC 1035 label: services. */
        DNS1035_LABEL,
        /** Any name that is a valid path segment (not "." or "..", no "/" or "%"): events, leases. */
        PATH_SEGMENT
    }

    public ResourceType {
        Objects.requireNonNull(javaType, "javaType");
        Objects.requireNonNull(group, "group");
        Objects.requireNonNull(names, "names");
        if (version.isEmpty() || kind.isEmpty() || plural.isEmpty()) {
            throw new IllegalArgumentException("version, kind and plural must not be empty");
        }
        if (!storagePrefix.startsWith("/") || !storagePrefix.endsWith("/")) {
            throw new IllegalArgumentException("storagePrefix must start and end with '/': " + storagePrefix);
        }
        shortNames = List.copyOf(shortNames);
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("ttl must not be negative: " + ttl);
        }
        Map<String, Function<T, String>> fields = new LinkedHashMap<>();
        fields.put("metadata.name", o -> o.getMetadata().getName());
        if (namespaced) {
            fields.put("metadata.namespace", o -> o.getMetadata().getNamespace());
        }
        fields.putAll(fieldSelectors);
        fieldSelectors = java.util.Collections.unmodifiableMap(fields);
    }

    /** A type stored under {@code /registry/<plural>/}, with no subresources or extra field labels. */
    public static <T extends HasMetadata> ResourceType<T> of(Class<T> javaType, String group, String version,
                                                             String kind, String plural, boolean namespaced) {
        return new ResourceType<>(javaType, group, version, kind, plural, namespaced, List.of(), false, false,
                "/registry/" + plural + "/", NameRule.DNS1123_SUBDOMAIN, Map.of(), java.time.Duration.ZERO);
    }

    public ResourceType<T> withShortNames(String... shortNames) {
        return new ResourceType<>(javaType, group, version, kind, plural, namespaced, List.of(shortNames),
                statusSubresource, scaleSubresource, storagePrefix, names, fieldSelectors, ttl);
    }

    /** With the status subresource, and the scale subresource too when {@code scale}. */
    public ResourceType<T> withSubresources(boolean status, boolean scale) {
        return new ResourceType<>(javaType, group, version, kind, plural, namespaced, shortNames, status, scale,
                storagePrefix, names, fieldSelectors, ttl);
    }

    public ResourceType<T> storedUnder(String storagePrefix) {
        return new ResourceType<>(javaType, group, version, kind, plural, namespaced, shortNames, statusSubresource,
                scaleSubresource, storagePrefix, names, fieldSelectors, ttl);
    }

    public ResourceType<T> withNames(NameRule names) {
        return new ResourceType<>(javaType, group, version, kind, plural, namespaced, shortNames, statusSubresource,
                scaleSubresource, storagePrefix, names, fieldSelectors, ttl);
    }

    /** With one more supported field label. */
    public ResourceType<T> withField(String label, Function<T, String> value) {
        Map<String, Function<T, String>> fields = new LinkedHashMap<>(fieldSelectors);
        fields.put(label, value);
        return new ResourceType<>(javaType, group, version, kind, plural, namespaced, shortNames, statusSubresource,
                scaleSubresource, storagePrefix, names, fields, ttl);
    }

    /** Objects live {@code ttl} after their last write (kube-apiserver's {@code --event-ttl} for events). */
    public ResourceType<T> withTtl(java.time.Duration ttl) {
        return new ResourceType<>(javaType, group, version, kind, plural, namespaced, shortNames, statusSubresource,
                scaleSubresource, storagePrefix, names, fieldSelectors, ttl);
    }

    /** {@code apps/v1}, or {@code v1} for the core group. */
    public String apiVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** {@code deployments.apps}, or {@code pods} for the core group: how errors name the resource. */
    public String groupResource() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    /** {@code Deployment.apps}, or {@code Pod} for the core group: how validation errors name the kind. */
    public String groupKind() {
        return group.isEmpty() ? kind : kind + "." + group;
    }

    /** The key of one object: {@code /registry/pods/<namespace>/<name>} or {@code /registry/nodes/<name>}. */
    public String key(String namespace, String name) {
        return namespaced ? storagePrefix + namespace + "/" + name : storagePrefix + name;
    }
}
