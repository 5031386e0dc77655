package io.keelson.store.server;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * A candidate in its own process, for tests that kill it: campaigns in election {@code args[1]} with value
 * {@code args[2]} through a lease of {@code args[3]} seconds that it keeps alive, prints "leading" once it leads,
 * then waits to be killed.
 */
public final class ElectionCandidate {
    private ElectionCandidate() {
    }

    public static void main(String[] args) throws Exception {
        Client client = Client.builder().endpoints(args[0].split(",")).build();
        long lease = client.getLeaseClient().grant(Long.parseLong(args[3])).get(10, TimeUnit.SECONDS).getID();
        client.getLeaseClient().keepAlive(lease, new io.grpc.stub.StreamObserver<>() {
            @Override
            public void onNext(io.etcd.jetcd.lease.LeaseKeepAliveResponse value) {
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        });
        client.getElectionClient().campaign(ByteSequence.from(args[1], StandardCharsets.UTF_8), lease,
                ByteSequence.from(args[2], StandardCharsets.UTF_8)).get(60, TimeUnit.SECONDS);
        System.out.println("leading");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
