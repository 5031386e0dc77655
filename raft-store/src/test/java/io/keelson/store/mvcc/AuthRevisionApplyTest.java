package io.keelson.store.mvcc;

import static org.assertj.core.api.Assertions.assertThat;

import io.keelson.store.ErrorCode;
import io.keelson.store.PutRequest;
import io.keelson.store.PutResponse;
import io.keelson.store.RangeRequest;
import io.keelson.store.ResponseHeader;
import io.keelson.store.StoreException;
import io.keelson.store.StoreMember;
import io.keelson.store.auth.AuthChange;
import io.keelson.store.raft.proto.AuthOp;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * etcd's auth applier: a write or lease revoke whose permissions were checked at an auth revision the applied
 * state has moved past is refused at apply with "revision of auth store is old", on every member alike; one a
 * client sent while auth was off, with "user name is empty" once auth is on.
 */
class AuthRevisionApplyTest {
    private static final MvccStore.HeaderFactory HEADERS = rev -> new ResponseHeader(1, 1, rev, 1);

    @TempDir
    Path dir;
    private MvccStore store;
    private long index;

    @BeforeEach
    void open() throws Exception {
        store = MvccStore.open(dir);
    }

    @AfterEach
    void close() {
        store.close();
    }

    private List<Object> apply(Command... commands) {
        return store.apply(List.of(commands), ++index, 1, HEADERS).results();
    }

    private static Command auth(AuthChange change) {
        return new Command.Auth(AuthOp.newBuilder().setKind(change.kind().ordinal()).setName(change.name())
                .setRole(change.role()).setPasswordHash(change.password().isEmpty() ? "" : "hash").build());
    }

    private boolean stored(String key) {
        return !store.range(RangeRequest.key(key), HEADERS).kvs().isEmpty();
    }

    @Test
    void aWriteCheckedBeforeAnAuthChange_isRefused_oneCheckedAtTheCurrentRevisionOrUncheckedIsApplied() {
        apply(auth(AuthChange.userAdd("root", "r")), auth(AuthChange.grantRole("root", "root")),
                auth(AuthChange.enable()));
        long checked = store.authState().revision();
        apply(auth(AuthChange.userAdd("alice", "a"))); // the auth state moves on

        List<Object> results = apply(new Command.Write(PutRequest.of("/stale", "v"), checked),
                new Command.Write(PutRequest.of("/current", "v"), store.authState().revision()),
                new Command.Write(PutRequest.of("/embedded", "v")),
                new Command.LeaseRevoke(42, checked));
        assertThat(results.get(0)).isInstanceOfSatisfying(StoreException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.AUTH_OLD_REVISION);
            assertThat(e.getMessage()).isEqualTo("etcdserver: revision of auth store is old");
        });
        assertThat(results.get(1)).isInstanceOf(PutResponse.class);
        assertThat(results.get(2)).isInstanceOf(PutResponse.class);
        assertThat(results.get(3)).isInstanceOfSatisfying(StoreException.class, e ->
                assertThat(e.code()).isEqualTo(ErrorCode.AUTH_OLD_REVISION));
        assertThat(stored("/stale")).isFalse();
        assertThat(stored("/current")).isTrue();
        assertThat(stored("/embedded")).isTrue();
    }

    @Test
    void anAuthChangeEarlierInTheSameEntry_countsForTheWritesAfterIt() {
        apply(auth(AuthChange.userAdd("root", "r")), auth(AuthChange.grantRole("root", "root")),
                auth(AuthChange.enable()));
        long checked = store.authState().revision();
        List<Object> results = apply(new Command.Write(PutRequest.of("/before", "v"), checked),
                auth(AuthChange.userAdd("alice", "a")), new Command.Write(PutRequest.of("/after", "v"), checked));
        assertThat(results.get(0)).isInstanceOf(PutResponse.class);
        assertThat(results.get(2)).isInstanceOf(StoreException.class);
    }

    @Test
    void aClientWriteReceivedWhileAuthWasOff_isApplied_unlessAuthIsOnWhenItApplies() {
        var anonymous = new Command.Write(PutRequest.of("/before", "v"), StoreMember.ANONYMOUS);
        assertThat(apply(anonymous).get(0)).isInstanceOf(PutResponse.class);
        apply(auth(AuthChange.userAdd("root", "r")), auth(AuthChange.grantRole("root", "root")),
                auth(AuthChange.enable()));
        List<Object> results = apply(new Command.Write(PutRequest.of("/after", "v"), StoreMember.ANONYMOUS),
                new Command.LeaseRevoke(42, StoreMember.ANONYMOUS));
        for (Object result : results) {
            assertThat(result).isInstanceOfSatisfying(StoreException.class, e ->
                    assertThat(e.getMessage()).isEqualTo("etcdserver: user name is empty"));
        }
        assertThat(stored("/before")).isTrue();
        assertThat(stored("/after")).isFalse();
    }

    @Test
    void withAuthDisabledSinceTheCheck_theWriteIsApplied() {
        apply(auth(AuthChange.userAdd("root", "r")), auth(AuthChange.grantRole("root", "root")),
                auth(AuthChange.enable()));
        long checked = store.authState().revision();
        apply(auth(AuthChange.disable()));
        assertThat(apply(new Command.Write(PutRequest.of("/k", "v"), checked)).get(0)).isInstanceOf(PutResponse.class);
    }
}
