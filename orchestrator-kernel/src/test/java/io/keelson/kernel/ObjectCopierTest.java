package io.keelson.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.runtime.RawExtension;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class ObjectCopierTest {
    static Stream<Class<?>> servedTypes() {
        return BuiltinTypes.ALL.stream().map(ResourceType::javaType);
    }

    /** Every property of every served type, filled to a depth, is copied as a JSON round trip copies it. */
    @ParameterizedTest
    @MethodSource("servedTypes")
    void everyServedType_copiesAsJsonDoes_andSharesNothingMutable(Class<?> type) throws Exception {
        Object filled = fill(type, 0);

        Object copy = ObjectCopier.copy(filled);

        assertThat(copy).isEqualTo(ObjectCodec.JSON.convertValue(filled, type)).isEqualTo(filled);
        Set<Object> mutable = Collections.newSetFromMap(new IdentityHashMap<>());
        collectMutable(filled, mutable);
        Set<Object> copied = Collections.newSetFromMap(new IdentityHashMap<>());
        collectMutable(copy, copied);
        copied.retainAll(mutable);
        assertThat(copied).as("objects shared between the original and its copy").isEmpty();
    }

    @Test
    void nullsAndEmptyCollections_comeOutAsFromJson() {
        Pod pod = TestObjects.pod("p");
        pod.getMetadata().setLabels(null);
        pod.getMetadata().setAnnotations(new LinkedHashMap<>());
        pod.getMetadata().setFinalizers(null);
        pod.getSpec().setContainers(new ArrayList<>(List.of(new ContainerBuilder().withName("c").withImage("i")
                .withEnv(new ArrayList<>()).withArgs((List<String>) null).build())));
        pod.setApiVersion(null);

        Pod copy = ObjectCopier.copy(pod);

        Pod fromJson = ObjectCodec.JSON.convertValue(pod, Pod.class);
        assertThat(copy).isEqualTo(fromJson);
        assertThat(copy.getMetadata().getLabels()).isEmpty(); // the new object's default, as JSON gives
        assertThat(copy.getApiVersion()).isEqualTo("v1");
    }

    @Test
    void nestedAdditionalProperties_areCopiedDeeply() {
        Pod pod = TestObjects.pod("p");
        Map<String, Object> nested = new LinkedHashMap<>(Map.of("a", new ArrayList<>(List.of("x"))));
        pod.getSpec().setAdditionalProperty("extension", nested);

        Pod copy = ObjectCopier.copy(pod);

        assertThat(copy).isEqualTo(ObjectCodec.JSON.convertValue(pod, Pod.class));
        @SuppressWarnings("unchecked")
        List<Object> copiedList = (List<Object>) ((Map<String, Object>) copy.getSpec().getAdditionalProperties()
                .get("extension")).get("a");
        copiedList.add("y");
        assertThat(nested.get("a")).isEqualTo(List.of("x"));
    }

    @Test
    void aClassOutsideTheBeanPattern_isStillCopiedDeeply() {
        Quantity quantity = new Quantity("250m");
        OddBean odd = new OddBean();
        odd.setQuantity(quantity);

        OddBean copy = ObjectCopier.copy(odd);

        assertThat(copy.getQuantity()).isEqualTo(quantity).isNotSameAs(quantity);
    }

    /** A field without accessors: copying through setters would lose it, so the class goes through JSON. */
    public static final class OddBean {
        private Quantity quantity;
        @SuppressWarnings("unused")
        private final int internal = 1;

        public Quantity getQuantity() {
            return quantity;
        }

        public void setQuantity(Quantity quantity) {
            this.quantity = quantity;
        }
    }

    // --- filling every property with a sample value and walking what is mutable

    private static Object fill(Class<?> type, int depth) throws Exception {
        Object bean = type.getConstructor().newInstance();
        for (Field f : fields(type)) {
            Object value = sample(f.getGenericType(), f.getName(), depth + 1);
            if (value != null) {
                f.setAccessible(true);
                f.set(bean, value);
            }
        }
        return bean;
    }

    private static Object sample(Type type, String name, int depth) throws Exception {
        if (type instanceof ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            Object element = sample(p.getActualTypeArguments()[raw == Map.class ? 1 : 0], name, depth);
            if (element == null) {
                return null;
            }
            if (raw == List.class) {
                return new ArrayList<>(List.of(element));
            }
            return new LinkedHashMap<>(Map.of(name + "-key", element));
        }
        Class<?> c = (Class<?>) type;
        if (c == String.class) {
            return name + "-value";
        } else if (c == Integer.class || c == int.class) {
            return 3;
        } else if (c == Long.class || c == long.class) {
            return 7L;
        } else if (c == Boolean.class || c == boolean.class) {
            return true;
        } else if (c == Double.class || c == double.class) {
            return 1.5;
        } else if (c == Object.class) {
            // what JSON gives for a property declared Object: a map (ControllerRevision's data becomes a RawExtension)
            return name.equals("data") ? new RawExtension(Map.of("k", "v")) : new LinkedHashMap<>(Map.of("k", "v"));
        } else if (c == MicroTime.class) {
            return new MicroTime("2026-12-01T10:15:30.123456Z"); // written as its time alone
        } else if (c == ZonedDateTime.class) {
            return ZonedDateTime.of(2026, 12, 1, 10, 15, 30, 0, ZoneOffset.UTC);
        } else if (c == Quantity.class) {
            return new Quantity("250m");
        } else if (c == IntOrString.class) {
            return new IntOrString(8080);
        } else if (c == BigDecimal.class) {
            return new BigDecimal("2.5");
        } else if (depth > 6 || c.isInterface() || Modifier.isAbstract(c.getModifiers())) {
            return null;
        }
        return fill(c, depth);
    }

    private static List<Field> fields(Class<?> type) {
        List<Field> fields = new ArrayList<>();
        for (Class<?> c = type; c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (!Modifier.isStatic(f.getModifiers())) {
                    fields.add(f);
                }
            }
        }
        return fields;
    }

    private static void collectMutable(Object value, Set<Object> into) throws IllegalAccessException {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean
                || value instanceof Enum<?> || value instanceof ZonedDateTime || !into.add(value)) {
            return;
        }
        if (value instanceof List<?> list) {
            for (Object e : list) {
                collectMutable(e, into);
            }
        } else if (value instanceof Map<?, ?> map) {
            for (Object e : map.values()) {
                collectMutable(e, into);
            }
        } else {
            for (Field f : fields(value.getClass())) {
                f.setAccessible(true);
                collectMutable(f.get(value), into);
            }
        }
    }
}
