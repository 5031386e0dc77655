package io.keelson.kernel.informer;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.keelson.kernel.Kernel;
import io.keelson.kernel.ListRequest;
import java.time.Duration;

/** Test help: waiting for an informer to have seen and handed out what was written. */
public final class Informers {
    private Informers() {
    }

    /**
     * Waits until {@code informer} reflects the newest object of its type now stored (its latest create or update)
     * and its handlers have processed every notification.
     */
    public static <T extends HasMetadata> void caughtUp(Kernel kernel, SharedInformer<T> informer, Class<T> type)
            throws InterruptedException {
        long newest = 0;
        for (T o : kernel.resources(type).inAnyNamespace().list(ListRequest.all()).items()) {
            newest = Math.max(newest, Long.parseLong(o.getMetadata().getResourceVersion()));
        }
        assertThat(informer.awaitResourceVersion(Long.toString(newest), Duration.ofSeconds(10))).isTrue();
        while (informer.handlerBacklog() > 0) {
            Thread.sleep(1);
        }
    }
}
