package io.keelson.kernel.informer;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.ListRequest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Test help: waiting for an informer to have seen and handed out what was written. */
public final class Informers {
    private Informers() {
    }

    /**
     * Waits until {@code informer}'s cache holds exactly the objects of its type now stored, at their stored
     * resourceVersions (so deletions count too, which the newest resourceVersion alone does not show), and its
     * handlers have processed every notification.
     */
    public static <T extends HasMetadata> void caughtUp(Kernel kernel, SharedInformer<T> informer, Class<T> type)
            throws InterruptedException {
        Map<String, String> stored = new HashMap<>();
        long newest = 0;
        for (T o : kernel.resources(type).inAnyNamespace().list(ListRequest.all()).items()) {
            stored.put(KeyFunctions.key(o),
                    o.getMetadata().getResourceVersion());
            newest = Math.max(newest, Long.parseLong(o.getMetadata().getResourceVersion()));
        }
        assertThat(informer.awaitResourceVersion(Long.toString(newest), Duration.ofSeconds(10))).isTrue();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!stored.equals(cached(informer))) {
            assertThat(System.nanoTime()).as("%s informer to reflect the store", type.getSimpleName())
                    .isLessThan(deadline);
            Thread.sleep(1);
        }
        while (informer.handlerBacklog() > 0) {
            Thread.sleep(1);
        }
    }

    private static <T extends HasMetadata> Map<String, String> cached(SharedInformer<T> informer) {
        Map<String, String> cached = new HashMap<>();
        for (T o : informer.cache().list()) {
            cached.put(KeyFunctions.key(o),
                    o.getMetadata().getResourceVersion());
        }
        return cached;
    }
}
