package io.keelson.kernel.informer;

import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Shrinks the objects an informer caches, which are read-only by contract: fabric8's classes allocate an empty
 * list or map for every collection property and an {@code additionalProperties} map for every object; cached
 * objects share one immutable empty instance instead, and equal short strings (label values, image names,
 * {@code IfNotPresent}) share one instance. Serialized, a compacted object is byte for byte the same.
 */
final class CompactObjects {
    /** Strings up to this long are shared; longer ones are rarely repeated. */
    private static final int MAX_SHARED_LENGTH = 64;
    private static final int MAX_SHARED_STRINGS = 1 << 16;
    private static final ConcurrentHashMap<String, String> STRINGS = new ConcurrentHashMap<>();

    /** A property of a model class: how to read it and write it (as lambdas, which the JIT inlines). */
    private record Property(Function<Object, Object> getter, BiConsumer<Object, Object> setter) {
    }

    private static final ClassValue<List<Property>> PROPERTIES = new ClassValue<>() {
        @Override
        protected List<Property> computeValue(Class<?> type) {
            List<Property> properties = new ArrayList<>();
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            for (Method getter : type.getMethods()) {
                if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                        || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
                    continue;
                }
                Class<?> valueType = getter.getReturnType();
                if (valueType != String.class && valueType != List.class && valueType != Map.class && !isModel(valueType)) {
                    continue;
                }
                try {
                    Method setter = type.getMethod("s" + getter.getName().substring(1), valueType);
                    properties.add(new Property(function(lookup, lookup.unreflect(getter)),
                            consumer(lookup, lookup.unreflect(setter))));
                } catch (NoSuchMethodException e) {
                    // read-only property: left as it is
                } catch (Throwable e) {
                    throw new IllegalStateException("cannot access " + type.getName() + "." + getter.getName(), e);
                }
            }
            return List.copyOf(properties);
        }
    };

    private CompactObjects() {
    }

    @SuppressWarnings("unchecked")
    private static Function<Object, Object> function(MethodHandles.Lookup lookup, MethodHandle getter)
            throws Throwable {
        return (Function<Object, Object>) LambdaMetafactory.metafactory(lookup, "apply",
                MethodType.methodType(Function.class), MethodType.methodType(Object.class, Object.class), getter,
                getter.type()).getTarget().invokeExact();
    }

    @SuppressWarnings("unchecked")
    private static BiConsumer<Object, Object> consumer(MethodHandles.Lookup lookup, MethodHandle setter)
            throws Throwable {
        return (BiConsumer<Object, Object>) LambdaMetafactory.metafactory(lookup, "accept",
                MethodType.methodType(BiConsumer.class),
                MethodType.methodType(void.class, Object.class, Object.class), setter,
                MethodType.methodType(void.class, setter.type().parameterType(0), setter.type().parameterType(1)))
                .getTarget().invokeExact();
    }

    /** Compacts {@code object} and everything it holds, in place; returns it. */
    static <T> T compact(T object) {
        try {
            compactValue(object);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot compact a " + object.getClass().getName(), e);
        }
        return object;
    }

    private static void compactValue(Object object) throws Throwable {
        for (Property p : PROPERTIES.get(object.getClass())) {
            Object value = p.getter().apply(object);
            if (value == null) {
                continue;
            }
            if (value instanceof String s) {
                String shared = share(s);
                if (shared != s) {
                    p.setter().accept(object, shared);
                }
            } else if (value instanceof List<?> list) {
                if (list.isEmpty()) {
                    p.setter().accept(object, Collections.emptyList());
                } else {
                    for (Object element : list) {
                        compactElement(element);
                    }
                }
            } else if (value instanceof Map<?, ?> map) {
                if (map.isEmpty()) {
                    p.setter().accept(object, Collections.emptyMap());
                } else {
                    compactMap(map);
                }
            } else {
                compactValue(value);
            }
        }
    }

    private static void compactElement(Object element) throws Throwable {
        if (element != null && isModel(element.getClass())) {
            compactValue(element);
        }
    }

    /** Shares a map's string values and compacts its model values, keeping its order. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static void compactMap(Map<?, ?> map) throws Throwable {
        for (Map.Entry entry : ((Map<Object, Object>) map).entrySet()) {
            Object v = entry.getValue();
            if (v instanceof String s) {
                entry.setValue(share(s));
            } else if (v != null && isModel(v.getClass())) {
                compactValue(v);
            }
        }
    }

    private static String share(String s) {
        if (s.length() > MAX_SHARED_LENGTH) {
            return s;
        }
        String shared = STRINGS.get(s); // most are there already: a lookup takes no lock, putIfAbsent may
        if (shared != null) {
            return shared;
        }
        shared = STRINGS.putIfAbsent(s, s);
        if (shared == null) {
            if (STRINGS.size() > MAX_SHARED_STRINGS) {
                STRINGS.clear(); // many distinct values: start over rather than grow without bound
            }
            return s;
        }
        return shared;
    }

    private static boolean isModel(Class<?> type) {
        return type.getName().startsWith("io.fabric8.kubernetes.api.model.");
    }
}
