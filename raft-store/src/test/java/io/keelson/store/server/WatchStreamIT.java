package io.keelson.store.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.WatchCreateRequest;
import io.etcd.jetcd.api.WatchGrpc;
import io.etcd.jetcd.api.WatchRequest;
import io.etcd.jetcd.api.WatchResponse;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.keelson.store.KeelsonStore;
import io.keelson.store.StoreMember;
import io.keelson.store.TestStores;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The etcd watch stream over the wire, with etcd's own protocol classes: client-chosen watch ids,
 * refused creates, fragments, and a client that stops reading.
 */
class WatchStreamIT {
    private static final int MAX_REQUEST_BYTES = 64 * 1024;
    private static final long OUTBOX_LIMIT_BYTES = 1024 * 1024;

    @TempDir
    Path dir;
    StoreMember member;
    Server server;
    ManagedChannel channel;

    @BeforeEach
    void start() throws Exception {
        member = KeelsonStore.open(TestStores.singleNode(dir).withMaxRequestBytes(MAX_REQUEST_BYTES));
        server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).directExecutor()
                .addService(new WatchService(member, MAX_REQUEST_BYTES, OUTBOX_LIMIT_BYTES))
                .addService(new KvService(member))
                .build().start();
        channel = NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    }

    @AfterEach
    void stop() throws Exception {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        member.close();
    }

    /** A watch stream on this test's channel. */
    private WatchStream stream() {
        return new WatchStream(WatchGrpc.newStub(channel));
    }

    private static WatchCreateRequest.Builder watchOf(String key, long watchId, boolean fragment) {
        UnknownFieldSet.Builder extra = UnknownFieldSet.newBuilder();
        if (watchId != 0) {
            extra.addField(WatchService.CREATE_WATCH_ID_FIELD, UnknownFieldSet.Field.newBuilder().addVarint(watchId).build());
        }
        if (fragment) {
            extra.addField(WatchService.CREATE_FRAGMENT_FIELD, UnknownFieldSet.Field.newBuilder().addVarint(1).build());
        }
        return WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8(key)).setUnknownFields(extra.build());
    }

    private static boolean isFragment(WatchResponse r) {
        return !r.getUnknownFields().getField(WatchService.RESPONSE_FRAGMENT_FIELD).getVarintList().isEmpty();
    }

    private long put(String key, ByteString value) {
        return KVGrpc.newBlockingStub(channel).put(PutRequest.newBuilder().setKey(ByteString.copyFromUtf8(key))
                .setValue(value).build()).getHeader().getRevision();
    }

    @Test
    void clientChosenIds_areUsed_andADuplicateIsRefusedWithIdMinusOne() throws Exception {
        WatchStream c = stream();
        c.create(watchOf("/a", 7, false));
        WatchResponse created = c.next();
        assertThat(created.getCreated()).isTrue();
        assertThat(created.getWatchId()).isEqualTo(7);

        c.create(watchOf("/b", 7, false));
        WatchResponse refused = c.next();
        assertThat(refused.getWatchId()).isEqualTo(-1);
        assertThat(refused.getCreated()).isTrue();
        assertThat(refused.getCanceled()).isTrue();
        assertThat(refused.getCancelReason()).isEqualTo("mvcc: duplicate watch ID provided on the WatchStream");

        c.create(watchOf("/c", 0, false));
        assertThat(c.next().getWatchId()).as("assigned ids start at 0").isEqualTo(0);

        put("/a", ByteString.copyFromUtf8("v"));
        WatchResponse events = c.next();
        assertThat(events.getWatchId()).isEqualTo(7);
        assertThat(events.getEvents(0).getKv().getKey().toStringUtf8()).isEqualTo("/a");
    }

    @Test
    void anEmptyRange_isRefusedWithEtcdsReason() throws Exception {
        WatchStream c = stream();
        c.create(WatchCreateRequest.newBuilder().setKey(ByteString.copyFromUtf8("/z"))
                .setRangeEnd(ByteString.copyFromUtf8("/a")));
        WatchResponse refused = c.next();
        assertThat(refused.getWatchId()).isEqualTo(-1);
        assertThat(refused.getCreated()).isTrue();
        assertThat(refused.getCanceled()).isTrue();
        assertThat(refused.getCancelReason()).isEqualTo("mvcc: watcher range is empty");
        c.create(watchOf("/ok", 0, false));
        assertThat(c.next().getWatchId()).as("the stream keeps serving").isEqualTo(0);
    }

    @Test
    void aLargeBatch_isSplitIntoFragments_forAWatchThatAsks_andWholeForOneThatDoesNot() throws Exception {
        ByteString value = ByteString.copyFrom(new byte[20 * 1024]);
        long first = 0;
        for (int i = 0; i < 10; i++) {
            long rev = put("/f/" + i, value);
            first = first == 0 ? rev : first;
        }
        WatchStream fragmented = stream();
        fragmented.create(watchOf("/f/", 0, true).setRangeEnd(ByteString.copyFromUtf8("/f0")).setStartRevision(first));
        assertThat(fragmented.next().getCreated()).isTrue();
        int events = 0;
        int fragments = 0;
        WatchResponse r;
        do {
            r = fragmented.next();
            assertThat(r.getSerializedSize()).isLessThan(MAX_REQUEST_BYTES);
            events += r.getEventsCount();
            fragments += isFragment(r) ? 1 : 0;
        } while (isFragment(r));
        assertThat(events).isEqualTo(10);
        assertThat(fragments).isGreaterThan(0);

        WatchStream whole = stream();
        whole.create(watchOf("/f/", 0, false).setRangeEnd(ByteString.copyFromUtf8("/f0")).setStartRevision(first));
        assertThat(whole.next().getCreated()).isTrue();
        WatchResponse all = whole.next();
        assertThat(all.getEventsCount()).isEqualTo(10);
        assertThat(isFragment(all)).isFalse();
    }

    @Test
    void aClientThatStopsReading_hasItsWatchesCanceledWithAReason_whileOthersKeepReceiving() throws Exception {
        AtomicReference<ClientCallStreamObserver<WatchRequest>> slowCall = new AtomicReference<>();
        BlockingQueue<WatchResponse> slowResponses = new LinkedBlockingQueue<>();
        StreamObserver<WatchRequest> slow = WatchGrpc.newStub(channel).watch(
                new ClientResponseObserver<WatchRequest, WatchResponse>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<WatchRequest> call) {
                        call.disableAutoRequestWithInitial(1); // reads only the created response
                        slowCall.set(call);
                    }

                    @Override
                    public void onNext(WatchResponse r) {
                        slowResponses.add(r);
                    }

                    @Override
                    public void onError(Throwable t) {
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        slow.onNext(WatchRequest.newBuilder().setCreateRequest(watchOf("/s/", 0, false)
                .setRangeEnd(ByteString.copyFromUtf8("/s0"))).build());
        assertThat(slowResponses.poll(10, TimeUnit.SECONDS).getCreated()).isTrue();
        WatchStream healthy = stream();
        healthy.create(watchOf("/s/", 0, false).setRangeEnd(ByteString.copyFromUtf8("/s0")));
        assertThat(healthy.next().getCreated()).isTrue();

        ByteString value = ByteString.copyFrom(new byte[32 * 1024]);
        int puts = 3 * (int) (OUTBOX_LIMIT_BYTES / value.size()); // well past what the slow stream may hold
        for (int i = 0; i < puts; i++) {
            put("/s/" + i, value);
        }
        int received = 0;
        while (received < puts) {
            received += healthy.next().getEventsCount();
        }
        assertThat(received).as("the healthy stream got every event").isEqualTo(puts);

        slowCall.get().request(Integer.MAX_VALUE); // the slow client reads again
        WatchResponse last;
        int slowEvents = 0;
        do {
            last = slowResponses.poll(10, TimeUnit.SECONDS);
            assertThat(last).as("the slow stream is told why its watch ended").isNotNull();
            slowEvents += last.getEventsCount();
        } while (!last.getCanceled());
        assertThat(last.getCancelReason()).isEqualTo(WatchService.SLOW_STREAM_REASON);
        assertThat(last.getWatchId()).isEqualTo(0);
        assertThat(slowEvents).isLessThan(puts);

        slow.onNext(WatchRequest.newBuilder().setCreateRequest(watchOf("/again", 0, false)).build());
        WatchResponse again = slowResponses.poll(10, TimeUnit.SECONDS);
        assertThat(again.getCreated()).as("the stream still takes new watches").isTrue();
        assertThat(List.of(again.getWatchId())).doesNotContain(-1L);
    }
}
