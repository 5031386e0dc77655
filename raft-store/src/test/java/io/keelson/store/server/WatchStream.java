package io.keelson.store.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Test help: a raw etcd Watch stream whose responses land in a queue. */
final class WatchStream implements AutoCloseable {
    private final BlockingQueue<WatchResponse> responses = new LinkedBlockingQueue<>();
    private final StreamObserver<WatchRequest> requests;

    /** Opens a stream on {@code stub} (with the interceptors the test needs, a token's for instance). */
    WatchStream(WatchGrpc.WatchStub stub) {
        requests = stub.watch(new StreamObserver<>() {
            @Override
            public void onNext(WatchResponse r) {
                responses.add(r);
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        });
    }

    /** The next response, which must come within 10 s. */
    WatchResponse next() throws InterruptedException {
        WatchResponse r = responses.poll(10, TimeUnit.SECONDS);
        assertThat(r).as("a watch response within 10 s").isNotNull();
        return r;
    }

    void create(WatchCreateRequest.Builder create) {
        requests.onNext(WatchRequest.newBuilder().setCreateRequest(create).build());
    }

    @Override
    public void close() {
        requests.onCompleted();
    }
}
