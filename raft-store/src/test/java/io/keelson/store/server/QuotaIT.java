package io.keelson.store.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.maintenance.AlarmMember;
import io.etcd.jetcd.maintenance.AlarmType;
import io.keelson.store.DeleteRangeRequest;
import io.keelson.store.ErrorCode;
import io.keelson.store.KeelsonStore;
import io.keelson.store.Lease;
import io.keelson.store.MemberAlarm;
import io.keelson.store.PutRequest;
import io.keelson.store.RangeRequest;
import io.keelson.store.StoreException;
import io.keelson.store.StoreMember;
import io.keelson.store.TestStores;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backend quota: past it the NOSPACE alarm is raised and writes that take space are refused until disarmed. */
class QuotaIT {
    private static final long QUOTA = 512 * 1024;

    @TempDir
    Path dir;

    @Test
    void writesPastTheQuota_raiseNospace_andOnlyWritesThatTakeSpaceAreRefused() throws Exception {
        try (StoreMember member = KeelsonStore.open(TestStores.singleNode(dir).withQuotaBackendBytes(QUOTA))) {
            ByteString value = ByteString.copyFrom(new byte[8 * 1024]);
            StoreException refused = null;
            for (int i = 0; i < 1_000 && refused == null; i++) {
                try {
                    member.put(PutRequest.of(ByteString.copyFromUtf8("/big/" + i), value)).join();
                } catch (CompletionException e) {
                    refused = (StoreException) e.getCause();
                }
            }
            assertThat(refused).as("a put past the quota is refused").isNotNull();
            assertThat(refused.code()).isEqualTo(ErrorCode.NO_SPACE);
            assertThat(refused).hasMessage("etcdserver: mvcc: database space exceeded");
            awaitAlarm(member, true);

            // while raised: puts and lease grants fail; reads, deletes and compaction still work
            assertThatThrownBy(() -> member.put(PutRequest.of("/small", "x")).join())
                    .hasCauseInstanceOf(StoreException.class).hasMessageContaining("database space exceeded");
            assertThatThrownBy(() -> member.leaseGrant(new Lease.GrantRequest(60, 0)).join())
                    .hasMessageContaining("database space exceeded");
            long deleted = member.delete(DeleteRangeRequest.prefix("/big/")).join().deleted();
            assertThat(deleted).isPositive();
            assertThat(member.range(RangeRequest.prefix("/big/")).join().kvs()).isEmpty();
            member.compact(member.range(RangeRequest.key("x")).join().header().revision()).join();

            // over etcd's API: the alarm is listed, a put gets etcd's error, disarming clears it
            int port = LocalEtcd.freePort();
            try (EtcdServer server = EtcdServer.start(member, List.of(new InetSocketAddress("127.0.0.1", port)),
                    List.of("http://127.0.0.1:" + port));
                 Client client = Client.builder().endpoints("http://127.0.0.1:" + port).build()) {
                List<AlarmMember> alarms = client.getMaintenanceClient().listAlarms().get(10, TimeUnit.SECONDS)
                        .getAlarms();
                assertThat(alarms).extracting(AlarmMember::getAlarmType).containsExactly(AlarmType.NOSPACE);
                assertThatThrownBy(() -> client.getKVClient().put(bytes("/k"), bytes("v")).get(10, TimeUnit.SECONDS))
                        .hasMessageContaining("etcdserver: mvcc: database space exceeded");
                client.getMaintenanceClient().alarmDisarm(alarms.get(0)).get(10, TimeUnit.SECONDS);
                assertThat(client.getMaintenanceClient().listAlarms().get(10, TimeUnit.SECONDS).getAlarms()).isEmpty();
            }
            assertThat(member.alarms()).isEmpty();
        }
    }

    @Test
    void alarmsAreReplicatedState_thatSurvivesARestart() throws Exception {
        MemberAlarm alarm;
        try (StoreMember member = KeelsonStore.open(TestStores.singleNode(dir))) {
            alarm = new MemberAlarm(member.status().memberId(), MemberAlarm.Type.NOSPACE);
            member.setAlarm(alarm, true).get(10, TimeUnit.SECONDS);
        }
        try (StoreMember member = KeelsonStore.open(TestStores.singleNode(dir))) {
            assertThat(member.alarms()).containsExactly(alarm);
            assertThatThrownBy(() -> member.put(PutRequest.of("/k", "v")).join())
                    .hasMessageContaining("database space exceeded");
            member.setAlarm(alarm, false).get(10, TimeUnit.SECONDS);
            member.put(PutRequest.of("/k", "v")).get(10, TimeUnit.SECONDS);
        }
    }

    private static void awaitAlarm(StoreMember member, boolean raised) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (member.alarms().isEmpty() == raised && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(member.alarms().isEmpty()).isEqualTo(!raised);
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
}
