package io.keelson.kernel.scheduler;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;

/**
 * The pod as the scheduler assumes it placed: the cached pod with {@code spec.nodeName} set. Cached pods are shared
 * and read-only, so the assumed pod shares their metadata, status and every spec property, and only the spec object
 * is its own: a deep copy through fabric8's builders took a twentieth of the scheduling thread.
 */
final class AssumedPods {
    /** PodSpec's properties other than nodeName, as (getter, setter) pairs, found once by reflection. */
    private static final List<MethodHandle[]> SPEC_PROPERTIES = specProperties();

    private AssumedPods() {
    }

    static Pod on(Pod pod, String host) {
        Pod assumed = new Pod();
        assumed.setApiVersion(pod.getApiVersion());
        assumed.setKind(pod.getKind());
        assumed.setMetadata(pod.getMetadata());
        assumed.setStatus(pod.getStatus());
        PodSpec spec = new PodSpec();
        PodSpec from = pod.getSpec();
        try {
            for (MethodHandle[] property : SPEC_PROPERTIES) {
                property[1].invokeExact(spec, (Object) property[0].invokeExact(from));
            }
        } catch (Throwable e) {
            throw new IllegalStateException("cannot copy a PodSpec property", e);
        }
        spec.setAdditionalProperties(from.getAdditionalProperties());
        spec.setNodeName(host);
        assumed.setSpec(spec);
        return assumed;
    }

    private static List<MethodHandle[]> specProperties() {
        MethodHandles.Lookup lookup = MethodHandles.publicLookup();
        List<MethodHandle[]> properties = new ArrayList<>();
        try {
            for (Method getter : PodSpec.class.getMethods()) {
                String name = getter.getName();
                int prefix = name.startsWith("get") ? 3 : name.startsWith("is") ? 2 : 0;
                if (prefix == 0 || getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                        || getter.getDeclaringClass() != PodSpec.class || name.equals("getNodeName")
                        || name.equals("getAdditionalProperties")) {
                    continue;
                }
                Method setter = PodSpec.class.getMethod("set" + name.substring(prefix), getter.getReturnType());
                properties.add(new MethodHandle[] {
                    lookup.unreflect(getter).asType(MethodType.methodType(Object.class, PodSpec.class)),
                    lookup.unreflect(setter).asType(MethodType.methodType(void.class, PodSpec.class, Object.class))});
            }
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
        return List.copyOf(properties);
    }
}
