package io.keelson.kernel;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Objects;

/**
 * The {@code spec} and {@code status} of fabric8's model classes, reached through their accessors (found once per
 * class), so that the status subresource and generation rules move and compare parts of objects without a round
 * trip through JSON.
 */
final class ObjectParts {
    /** One class's accessors; null handles when the class has no such part. */
    private record Accessors(MethodHandle getSpec, MethodHandle getStatus, MethodHandle setStatus,
                             Class<?> statusType) {
    }

    private static final ClassValue<Accessors> ACCESSORS = new ClassValue<>() {
        @Override
        protected Accessors computeValue(Class<?> type) {
            MethodHandle getStatus = getter(type, "getStatus");
            return new Accessors(getter(type, "getSpec"), getStatus, setter(type, "setStatus"),
                    getStatus == null ? null : getStatus.type().returnType());
        }
    };

    private ObjectParts() {
    }

    static boolean hasSpec(Object object) {
        return ACCESSORS.get(object.getClass()).getSpec() != null;
    }

    /** Whether both objects' specs are equal (fabric8's model classes have value equality). */
    static boolean sameSpec(Object a, Object b) {
        MethodHandle get = ACCESSORS.get(a.getClass()).getSpec();
        return Objects.equals(invoke(get, a), invoke(get, b));
    }

    static boolean hasStatus(Object object) {
        return ACCESSORS.get(object.getClass()).setStatus() != null;
    }

    /** Gives {@code target} the status of {@code source} (shared: callers pass objects they own). */
    static void copyStatus(Object source, Object target) {
        Accessors a = ACCESSORS.get(target.getClass());
        try {
            a.setStatus().invoke(target, a.getStatus().invoke(source));
        } catch (Throwable e) {
            throw new IllegalStateException("cannot move the status of " + target.getClass().getName(), e);
        }
    }

    /** Gives {@code target} a deep copy of the status of {@code source} (which stays the caller's). */
    static void copyStatusDeep(Object source, Object target) {
        Accessors a = ACCESSORS.get(target.getClass());
        try {
            Object status = a.getStatus().invoke(source);
            a.setStatus().invoke(target, status == null ? null : ObjectCodec.copy(status, a.statusType()));
        } catch (Throwable e) {
            throw new IllegalStateException("cannot copy the status of " + target.getClass().getName(), e);
        }
    }

    private static Object invoke(MethodHandle getter, Object target) {
        try {
            return getter.invoke(target);
        } catch (Throwable e) {
            throw new IllegalStateException("cannot read " + target.getClass().getName(), e);
        }
    }

    private static MethodHandle getter(Class<?> type, String name) {
        try {
            return MethodHandles.publicLookup().unreflect(type.getMethod(name));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }

    private static MethodHandle setter(Class<?> type, String name) {
        try {
            Class<?> statusType = type.getMethod("getStatus").getReturnType();
            return MethodHandles.publicLookup().findVirtual(type, name, MethodType.methodType(void.class, statusType));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }
}
