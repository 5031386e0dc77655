package io.keelson.kernel.gc;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.DeleteOptionsBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.keelson.kernel.KernelTestBase;
import io.keelson.kernel.Resources;
import io.keelson.kernel.TestObjects;
import io.keelson.kernel.informer.InformerFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GarbageCollectorTest extends KernelTestBase {
    static InformerFactory informers;
    static GarbageCollector gc;

    @BeforeAll
    static void open() throws Exception {
        informers = InformerFactory.builder(kernel).build();
        gc = GarbageCollector.create(kernel, informers);
        gc.start();
        informers.startAll().get(30, TimeUnit.SECONDS);
    }

    @AfterAll
    static void close() {
        gc.close();
        informers.close();
    }

    private static String namespace(String name) {
        kernel.resources(Namespace.class).create(TestObjects.namespace(name));
        return name;
    }

    private static OwnerReference ref(HasMetadata owner, boolean block) {
        return new OwnerReferenceBuilder().withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
                .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
                .withBlockOwnerDeletion(block).build();
    }

    private static ConfigMap configMap(String name, List<OwnerReference> owners) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).withOwnerReferences(owners).endMetadata().build();
    }

    @Test
    void background_deletesDependents_andTheirDependents() throws Exception {
        Resources<ConfigMap> cms = kernel.resources(ConfigMap.class).inNamespace(namespace("bg"));
        ConfigMap owner = cms.create(configMap("owner", List.of()));
        ConfigMap child = cms.create(configMap("child", List.of(ref(owner, false))));
        cms.create(configMap("grandchild", List.of(ref(child, false))));
        cms.delete("owner");
        awaitNames(cms, Set.of());
    }

    @Test
    void foreground_keepsTheOwnerUntilBlockingDependentsAreGone() throws Exception {
        Resources<ConfigMap> cms = kernel.resources(ConfigMap.class).inNamespace(namespace("fg"));
        ConfigMap owner = cms.create(configMap("owner", List.of()));
        cms.create(new ConfigMapBuilder(configMap("child", List.of(ref(owner, true))))
                .editMetadata().withFinalizers("example.com/hold").endMetadata().build());
        var result = cms.delete("owner", new DeleteOptionsBuilder().withPropagationPolicy("Foreground").build());
        assertThat(result.finished()).isFalse();
        assertThat(result.object().getMetadata().getFinalizers()).contains("foregroundDeletion");
        awaitCondition(() -> cms.get("child").getMetadata().getDeletionTimestamp() != null);
        Thread.sleep(200);
        assertThat(cms.get("owner").getMetadata().getDeletionTimestamp()).isNotNull(); // blocked by the child

        ConfigMap child = cms.get("child");
        child.getMetadata().setFinalizers(List.of());
        cms.update(child);
        awaitNames(cms, Set.of());
    }

    @Test
    void orphan_releasesDependents_thenDeletesTheOwner() throws Exception {
        Resources<ConfigMap> cms = kernel.resources(ConfigMap.class).inNamespace(namespace("orphan"));
        ConfigMap owner = cms.create(configMap("owner", List.of()));
        cms.create(configMap("child", List.of(ref(owner, true))));
        cms.delete("owner", new DeleteOptionsBuilder().withPropagationPolicy("Orphan").build());
        awaitNames(cms, Set.of("child"));
        assertThat(cms.get("child").getMetadata().getOwnerReferences()).isEmpty();
    }

    @Test
    void danglingOwner_andCrossNamespaceOwner_areAbsent() throws Exception {
        Resources<ConfigMap> a = kernel.resources(ConfigMap.class).inNamespace(namespace("ns-a"));
        Resources<ConfigMap> b = kernel.resources(ConfigMap.class).inNamespace(namespace("ns-b"));
        ConfigMap ownerInA = a.create(configMap("owner", List.of()));
        ConfigMap ghost = configMap("ghost", List.of());
        ghost.getMetadata().setUid(UUID.randomUUID().toString());
        ghost.setApiVersion("v1");
        ghost.setKind("ConfigMap");
        b.create(configMap("dangling", List.of(ref(ghost, false))));
        b.create(configMap("cross", List.of(ref(ownerInA, false))));
        b.create(configMap("kept", List.of(ref(ghost, false), ref(b.create(configMap("live", List.of())), false))));
        awaitNames(b, Set.of("kept", "live"));
        awaitCondition(() -> b.get("kept").getMetadata().getOwnerReferences().size() == 1);
        assertThat(b.get("kept").getMetadata().getOwnerReferences()).extracting(OwnerReference::getName)
                .containsExactly("live");
        assertThat(a.get("owner")).isNotNull();
    }

    /**
     * Random forests of owners and dependents (two types), random deletes with the three policies, dangling
     * references; after quiescence exactly the objects the rules keep are left.
     */
    @ParameterizedTest
    @ValueSource(longs = {7, 19, 31, 2, 5, 13, 20, 28})
    void randomForests_leaveExactlyWhatThePoliciesKeep(long seed) throws Exception {
        SplittableRandom random = new SplittableRandom(seed);
        String ns = namespace("forest-" + seed);
        Resources<ConfigMap> cms = kernel.resources(ConfigMap.class).inNamespace(ns);
        Resources<Secret> secrets = kernel.resources(Secret.class).inNamespace(ns);
        Map<String, String> ownerOf = new HashMap<>(); // object -> its one real owner (null: a root)
        Map<String, HasMetadata> objects = new HashMap<>();
        Set<String> danglingOnly = new HashSet<>();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            String name = "o" + i;
            List<OwnerReference> refs = new ArrayList<>();
            String owner = i > 0 && random.nextInt(4) != 0 ? names.get(random.nextInt(names.size())) : null;
            if (owner != null) {
                refs.add(ref(objects.get(owner), random.nextBoolean()));
            }
            if (random.nextInt(5) == 0) {
                ConfigMap ghost = configMap("ghost-" + i, List.of());
                ghost.setApiVersion("v1");
                ghost.setKind("ConfigMap");
                ghost.getMetadata().setUid(UUID.randomUUID().toString());
                refs.add(ref(ghost, false));
                if (owner == null) {
                    danglingOnly.add(name);
                }
            }
            HasMetadata created = random.nextBoolean()
                    ? cms.create(configMap(name, refs))
                    : secrets.create(new SecretBuilder().withNewMetadata().withName(name).withOwnerReferences(refs)
                            .endMetadata().build());
            objects.put(name, created);
            ownerOf.put(name, owner);
            names.add(name);
        }
        // first the collector settles what creation left: roots with only dangling references go with their
        // dependents, and dangling references beside a live owner are dropped (an owner orphaning a dependent
        // before that would leave it with only the dangling one, and the outcome would depend on timing)
        Map<String, String> deletedWith = new HashMap<>();
        Set<String> created = survivors(names, ownerOf, deletedWith, danglingOnly);
        awaitCondition(() -> {
            Map<String, List<String>> stored = stored(cms, secrets);
            return stored.keySet().equals(created)
                    && stored.values().stream().flatMap(List::stream).noneMatch(o -> o.startsWith("ghost-"));
        });
        for (int i = 0; i < 8; i++) {
            String victim = names.get(random.nextInt(names.size()));
            // a victim with a victim among its owners or dependents would race the collector's own cascade:
            // the explicit deletes stay independent, so the outcome is determined
            if (!created.contains(victim) || lineage(victim, ownerOf).stream().anyMatch(deletedWith::containsKey)
                    || deletedWith.keySet().stream().anyMatch(v -> lineage(v, ownerOf).contains(victim))) {
                continue;
            }
            String policy = List.of("Background", "Foreground", "Orphan").get(random.nextInt(3));
            deletedWith.put(victim, policy);
        }
        for (Map.Entry<String, String> d : deletedWith.entrySet()) {
            HasMetadata o = objects.get(d.getKey());
            var options = new DeleteOptionsBuilder().withPropagationPolicy(d.getValue()).build();
            if (o instanceof ConfigMap) {
                cms.delete(d.getKey(), options);
            } else {
                secrets.delete(d.getKey(), options);
            }
        }
        Set<String> expected = survivors(names, ownerOf, deletedWith, danglingOnly);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Set<String> actual;
        do {
            Thread.sleep(50);
            actual = stored(cms, secrets).keySet();
        } while (!actual.equals(expected) && System.nanoTime() < deadline);
        assertThat(actual).as("deleted %s; owners %s; types %s", deletedWith, ownerOf, kinds(objects))
                .isEqualTo(expected);
        Thread.sleep(300); // quiescent: nothing more goes
        assertThat(stored(cms, secrets).keySet()).isEqualTo(expected);
    }

    /** The stored objects of the namespace by name, with the names of their owners. */
    private static Map<String, List<String>> stored(Resources<ConfigMap> cms, Resources<Secret> secrets) {
        Map<String, List<String>> stored = new java.util.TreeMap<>();
        List<HasMetadata> all = new ArrayList<>(cms.list(""));
        all.addAll(secrets.list(""));
        for (HasMetadata o : all) {
            stored.put(o.getMetadata().getName(),
                    o.getMetadata().getOwnerReferences().stream().map(OwnerReference::getName).toList());
        }
        return stored;
    }

    private static Map<String, String> kinds(Map<String, HasMetadata> objects) {
        Map<String, String> kinds = new java.util.TreeMap<>();
        objects.forEach((name, o) -> kinds.put(name, o.getKind()));
        return kinds;
    }

    /** The object and its owners up to the root. */
    private static List<String> lineage(String name, Map<String, String> ownerOf) {
        List<String> line = new ArrayList<>();
        for (String n = name; n != null; n = ownerOf.get(n)) {
            line.add(n);
        }
        return line;
    }

    private static Set<String> survivors(List<String> names, Map<String, String> ownerOf,
                                         Map<String, String> deletedWith, Set<String> danglingOnly) {
        Set<String> survivors = new TreeSet<>();
        for (String name : names) {
            if (survives(name, ownerOf, deletedWith, danglingOnly)) {
                survivors.add(name);
            }
        }
        return survivors;
    }

    /** The model: deleted objects go; an object goes when its real owner went without orphaning it. */
    private static boolean survives(String name, Map<String, String> ownerOf, Map<String, String> deletedWith,
                                    Set<String> danglingOnly) {
        if (deletedWith.containsKey(name) || danglingOnly.contains(name)) {
            return false;
        }
        String owner = ownerOf.get(name);
        if (owner == null) {
            return true;
        }
        if ("Orphan".equals(deletedWith.get(owner))) {
            return true;
        }
        return survives(owner, ownerOf, deletedWith, danglingOnly);
    }

    private static void awaitNames(Resources<ConfigMap> cms, Set<String> expected) throws Exception {
        awaitCondition(() -> {
            Set<String> names = new TreeSet<>();
            cms.list("").forEach(c -> names.add(c.getMetadata().getName()));
            return names.equals(expected);
        });
    }

    private static void awaitCondition(java.util.concurrent.Callable<Boolean> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.call()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met in 20 s");
            }
            Thread.sleep(Duration.ofMillis(20).toMillis());
        }
    }
}
