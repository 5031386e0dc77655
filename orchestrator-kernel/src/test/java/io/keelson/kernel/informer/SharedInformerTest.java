package io.keelson.kernel.informer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.keelson.kernel.ApiException;
import io.keelson.kernel.KernelTestBase;
import io.keelson.kernel.ListRequest;
import io.keelson.kernel.ObjectList;
import io.keelson.kernel.Resources;
import io.keelson.kernel.TestObjects;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SharedInformerTest extends KernelTestBase {

    private static Resources<ConfigMap> configMaps(String ns) {
        kernel.resources(Namespace.class).create(TestObjects.namespace(ns));
        return kernel.resources(ConfigMap.class).inNamespace(ns);
    }

    private static ConfigMap cm(String name, String value) {
        return new ConfigMapBuilder().withNewMetadata().withName(name).endMetadata().addToData("v", value).build();
    }

    /** Records notifications as "add:name", "update:name:value", "delete:name". */
    private static final class Recorder implements EventHandler<ConfigMap> {
        final List<String> seen = new CopyOnWriteArrayList<>();

        @Override
        public void onAdd(ConfigMap o, boolean initialList) {
            seen.add("add:" + o.getMetadata().getName() + (initialList ? ":initial" : ""));
        }

        @Override
        public void onUpdate(ConfigMap old, ConfigMap current) {
            seen.add("update:" + current.getMetadata().getName() + ":" + current.getData().get("v"));
        }

        @Override
        public void onDelete(ConfigMap o, boolean finalStateUnknown) {
            seen.add("delete:" + o.getMetadata().getName() + (finalStateUnknown ? ":unknown" : ""));
        }
    }

    @Test
    void handlers_getChangesInOrder_andALateHandlerGetsTheCachedObjectsFirst() throws Exception {
        Resources<ConfigMap> cms = configMaps("order");
        cms.create(cm("before", "1"));
        try (InformerFactory factory = InformerFactory.builder(kernel).build()) {
            SharedInformer<ConfigMap> informer = factory.forType(ConfigMap.class);
            Recorder early = new Recorder();
            informer.addEventHandler(early);
            factory.startAll().get(10, TimeUnit.SECONDS);
            ConfigMap a = cms.create(cm("a", "1"));
            a.getData().put("v", "2");
            ConfigMap updated = cms.update(a);
            cms.delete("a");
            assertThat(informer.awaitResourceVersion(updated.getMetadata().getResourceVersion(),
                    Duration.ofSeconds(5))).isTrue();
            await(() -> early.seen.contains("delete:a"));
            assertThat(early.seen.stream().filter(s -> s.endsWith(":a") || s.contains(":a:") || s.equals("add:a")))
                    .containsExactly("add:a", "update:a:2", "delete:a");
            assertThat(early.seen).contains("add:before:initial");

            Recorder late = new Recorder();
            informer.addEventHandler(late);
            await(() -> late.seen.contains("add:before:initial"));
            assertThat(informer.cache().get("order", "before")).isNotNull();
            assertThat(informer.cache().byIndex(Cache.NAMESPACE_INDEX, "order")).hasSize(1);
        }
    }

    @Test
    void cache_equalsTheStore_underConcurrentWritersAndForcedRelists() throws Exception {
        Resources<ConfigMap> cms = configMaps("churn");
        try (InformerFactory factory = InformerFactory.builder(kernel).detectMutations(true).build()) {
            SharedInformer<ConfigMap> informer = factory.forType(ConfigMap.class);
            Map<String, String> shadow = new ConcurrentHashMap<>(); // what the handler was told
            informer.addEventHandler(new EventHandler<>() {
                @Override
                public void onAdd(ConfigMap o, boolean initialList) {
                    shadow.put(KeyFunctions.key(o), o.getMetadata().getResourceVersion());
                }

                @Override
                public void onUpdate(ConfigMap old, ConfigMap current) {
                    shadow.put(KeyFunctions.key(current), current.getMetadata().getResourceVersion());
                }

                @Override
                public void onDelete(ConfigMap o, boolean finalStateUnknown) {
                    shadow.remove(KeyFunctions.key(o));
                }
            });
            factory.startAll().get(10, TimeUnit.SECONDS);
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong lastWrite = new AtomicLong();
            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                SplittableRandom random = new SplittableRandom(1000 + w);
                int writer = w;
                Thread t = new Thread(() -> {
                    for (int i = 0; i < 150 && !stop.get(); i++) {
                        String name = "w" + writer + "-" + random.nextInt(8);
                        try {
                            String rv;
                            switch (random.nextInt(3)) {
                                case 0 -> rv = cms.create(cm(name, "" + i)).getMetadata().getResourceVersion();
                                case 1 -> {
                                    ConfigMap c = cms.get(name);
                                    c.getData().put("v", "" + i);
                                    rv = cms.update(c).getMetadata().getResourceVersion();
                                }
                                default -> {
                                    cms.delete(name);
                                    rv = "0";
                                }
                            }
                            lastWrite.accumulateAndGet(Long.parseLong(rv), Math::max);
                        } catch (ApiException e) {
                            // AlreadyExists, NotFound, Conflict: the other writers' doing
                        }
                    }
                });
                writers.add(t);
                t.start();
            }
            for (int r = 0; r < 6; r++) {
                Thread.sleep(60);
                informer.restartWatch(r % 2 == 0 ? null : "1"); // a relist, or a resume that gets 410
            }
            for (Thread t : writers) {
                t.join(60_000);
            }
            ObjectList<ConfigMap> truth = cms.list(ListRequest.all());
            assertThat(informer.awaitResourceVersion(truth.resourceVersion(), Duration.ofSeconds(10))).isTrue();
            Map<String, String> expected = new TreeMap<>();
            truth.items().forEach(c -> expected.put(KeyFunctions.key(c), c.getMetadata().getResourceVersion()));
            Map<String, String> cached = new TreeMap<>();
            informer.cache().byIndex(Cache.NAMESPACE_INDEX, "churn")
                    .forEach(c -> cached.put(KeyFunctions.key(c), c.getMetadata().getResourceVersion()));
            assertThat(cached).isEqualTo(expected);
            await(() -> new TreeMap<>(shadow).entrySet().stream().filter(e -> e.getKey().startsWith("churn/"))
                    .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue))
                    .equals(expected));
            informer.checkMutations();
            assertThat(lastWrite.get()).isPositive();
        }
    }

    @Test
    void mutationDetector_failsWhenAConsumerChangesACachedObject() throws Exception {
        Resources<ConfigMap> cms = configMaps("mutate");
        cms.create(cm("c", "1"));
        try (InformerFactory factory = InformerFactory.builder(kernel).detectMutations(true).build()) {
            SharedInformer<ConfigMap> informer = factory.forType(ConfigMap.class);
            factory.startAll().get(10, TimeUnit.SECONDS);
            informer.cache().get("mutate", "c").getData().put("v", "changed");
            assertThatThrownBy(informer::checkMutations).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("mutate/c");
        }
    }

    @Test
    void customIndexer_findsPodsByNode_andStoppedCompletesOnClose() throws Exception {
        Resources<Pod> pods = kernel.resources(Pod.class).inNamespace("default");
        Pod p = TestObjects.pod("indexed");
        p.getSpec().setNodeName("node-7");
        pods.create(p);
        InformerFactory factory = InformerFactory.builder(kernel).build();
        SharedInformer<Pod> informer = factory.forType(Pod.class)
                .addIndexer("node", pod -> List.of(pod.getSpec().getNodeName() == null ? "" : pod.getSpec().getNodeName()));
        factory.startAll().get(10, TimeUnit.SECONDS);
        assertThat(informer.cache().byIndex("node", "node-7")).extracting(x -> x.getMetadata().getName())
                .containsExactly("indexed");
        assertThat(informer.isWatching()).isTrue();
        factory.close();
        assertThat(informer.stopped()).isCompleted();
        assertThat(informer.isWatching()).isFalse();
    }

    private static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met in 10 s");
            }
            Thread.sleep(10);
        }
    }
}
