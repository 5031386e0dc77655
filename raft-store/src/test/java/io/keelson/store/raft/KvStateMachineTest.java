package io.keelson.store.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.keelson.store.raft.proto.Batch;
import io.keelson.store.raft.proto.Entry;
import io.keelson.store.raft.proto.Op;
import io.keelson.store.raft.proto.PutOp;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How log entries are read back: merged entries, and bare batches written before entries existed. */
class KvStateMachineTest {
    private static Batch batch(String origin, long sequence, String... keys) {
        Batch.Builder b = Batch.newBuilder().setOrigin(origin).setSequence(sequence);
        for (String key : keys) {
            b.addOps(Op.newBuilder().setPut(PutOp.newBuilder().setKey(ByteString.copyFromUtf8(key))
                    .setValue(ByteString.copyFromUtf8("v"))));
        }
        return b.build();
    }

    @Test
    void anEntryYieldsItsBatchesInOrder() throws InvalidProtocolBufferException {
        Batch leader = batch("m1/a", 7, "a", "b");
        Batch forwarded = batch("m2/b", 3, "c");
        byte[] entry = Entry.newBuilder().addGroups(leader.toByteString()).addGroups(forwarded.toByteString())
                .build().toByteArray();

        assertThat(KvStateMachine.batches(ByteBuffer.wrap(entry))).containsExactly(leader, forwarded);
    }

    @Test
    void aBareBatchFromAnOlderLogIsReadAsOneBatch() throws InvalidProtocolBufferException {
        Batch old = batch("m1/a", 1, "a", "b", "c");

        List<Batch> read = KvStateMachine.batches(ByteBuffer.wrap(old.toByteArray()));

        assertThat(read).containsExactly(old);
    }

    @Test
    void anUndecodableEntryIsRefused() {
        byte[] garbage = {(byte) 0x22, (byte) 0x05, 1, 2}; // field 4, length 5, only 2 bytes follow

        assertThatThrownBy(() -> KvStateMachine.batches(ByteBuffer.wrap(garbage)))
                .isInstanceOf(InvalidProtocolBufferException.class);
    }
}
