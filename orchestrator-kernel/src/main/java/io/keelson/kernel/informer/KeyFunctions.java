package io.keelson.kernel.informer;

import io.fabric8.kubernetes.api.model.HasMetadata;

/** client-go's {@code MetaNamespaceKeyFunc}: {@code namespace/name}, or {@code name} without a namespace. */
public final class KeyFunctions {
    private KeyFunctions() {
    }

    public static String key(String namespace, String name) {
        return namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
    }

    public static String key(HasMetadata object) {
        return key(object.getMetadata().getNamespace(), object.getMetadata().getName());
    }

    /** The namespace part of a key ("" for a cluster-scoped one). */
    public static String namespace(String key) {
        int slash = key.indexOf('/');
        return slash < 0 ? "" : key.substring(0, slash);
    }

    /** The name part of a key. */
    public static String name(String key) {
        return key.substring(key.indexOf('/') + 1);
    }
}
