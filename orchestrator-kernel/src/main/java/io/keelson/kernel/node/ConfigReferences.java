package io.keelson.kernel.node;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.Kernel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The ConfigMaps and Secrets a pod's containers take their environment from: the kubelet cannot create a container
 * whose required ones are missing, and reports CreateContainerConfigError with its text until they exist.
 */
final class ConfigReferences {
    private ConfigReferences() {
    }

    /** Why the containers cannot be configured yet ({@code configmap "settings" not found}), or null. */
    static String missing(Kernel kernel, Pod pod) {
        String ns = pod.getMetadata().getNamespace();
        List<Container> containers = new ArrayList<>();
        if (pod.getSpec().getInitContainers() != null) {
            containers.addAll(pod.getSpec().getInitContainers());
        }
        if (pod.getSpec().getContainers() != null) {
            containers.addAll(pod.getSpec().getContainers());
        }
        for (Container c : containers) {
            for (EnvFromSource from : c.getEnvFrom() == null ? List.<EnvFromSource>of() : c.getEnvFrom()) {
                if (from.getConfigMapRef() != null && !Boolean.TRUE.equals(from.getConfigMapRef().getOptional())
                        && read(kernel, ConfigMap.class, ns, from.getConfigMapRef().getName()) == null) {
                    return "configmap \"" + from.getConfigMapRef().getName() + "\" not found";
                }
                if (from.getSecretRef() != null && !Boolean.TRUE.equals(from.getSecretRef().getOptional())
                        && read(kernel, Secret.class, ns, from.getSecretRef().getName()) == null) {
                    return "secret \"" + from.getSecretRef().getName() + "\" not found";
                }
            }
            for (EnvVar env : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
                var source = env.getValueFrom();
                if (source == null) {
                    continue;
                }
                var cmRef = source.getConfigMapKeyRef();
                if (cmRef != null && !Boolean.TRUE.equals(cmRef.getOptional())) {
                    ConfigMap cm = read(kernel, ConfigMap.class, ns, cmRef.getName());
                    if (cm == null) {
                        return "configmap \"" + cmRef.getName() + "\" not found";
                    }
                    if (!has(cm.getData(), cmRef.getKey()) && !has(cm.getBinaryData(), cmRef.getKey())) {
                        return "couldn't find key " + cmRef.getKey() + " in ConfigMap " + ns + "/" + cmRef.getName();
                    }
                }
                var secretRef = source.getSecretKeyRef();
                if (secretRef != null && !Boolean.TRUE.equals(secretRef.getOptional())) {
                    Secret s = read(kernel, Secret.class, ns, secretRef.getName());
                    if (s == null) {
                        return "secret \"" + secretRef.getName() + "\" not found";
                    }
                    if (!has(s.getData(), secretRef.getKey()) && !has(s.getStringData(), secretRef.getKey())) {
                        return "couldn't find key " + secretRef.getKey() + " in Secret " + ns + "/" + secretRef.getName();
                    }
                }
            }
        }
        return null;
    }

    private static boolean has(Map<String, String> m, String key) {
        return m != null && m.containsKey(key);
    }

    private static <T extends HasMetadata> T read(Kernel kernel, Class<T> type, String ns, String name) {
        try {
            return kernel.resources(type).inNamespace(ns).get(name);
        } catch (ApiException e) {
            if (e.code() == 404) {
                return null;
            }
            throw e;
        }
    }
}
