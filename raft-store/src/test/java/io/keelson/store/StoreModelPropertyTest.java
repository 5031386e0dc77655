package io.keelson.store;

import static io.keelson.store.TestStores.bs;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.ShrinkingMode;

/**
 * Random operation sequences against the real store (Raft, RocksDB and all) give the same answers as
 * a small in-memory MVCC model: revisions, versions, historical reads, no-op deletes, txns, compaction.
 */
class StoreModelPropertyTest {

    sealed interface Action permits Put, Delete, Txn, Get, Compact, Restart {
    }

    record Put(String key, String value) implements Action {
    }

    record Delete(String key, boolean prefix) implements Action {
    }

    /** if value(key) == expected then put(thenKey) else put(elseKey) */
    record Txn(String key, String expected, String thenKey, String elseKey) implements Action {
    }

    /** A prefix read at {@code back} revisions before the current one. */
    record Get(String prefix, int back) implements Action {
    }

    record Compact(int back) implements Action {
    }

    record Restart() implements Action {
    }

    /** The model: the keyspace after every revision. */
    static final class Model {
        final List<TreeMap<String, KeyValue>> states = new ArrayList<>(); // index = revision
        long compacted;

        Model() {
            states.add(new TreeMap<>());
            states.add(new TreeMap<>()); // revision 1: empty store
        }

        long revision() {
            return states.size() - 1;
        }

        TreeMap<String, KeyValue> current() {
            return states.get(states.size() - 1);
        }

        long put(String key, String value) {
            long rev = revision() + 1;
            TreeMap<String, KeyValue> next = new TreeMap<>(current());
            KeyValue prev = next.get(key);
            next.put(key, new KeyValue(bs(key), prev == null ? rev : prev.createRevision(), rev,
                    prev == null ? 1 : prev.version() + 1, bs(value), 0));
            states.add(next);
            return rev;
        }

        long delete(String key, boolean prefix) {
            TreeMap<String, KeyValue> next = new TreeMap<>(current());
            boolean removed = next.keySet().removeIf(k -> prefix ? k.startsWith(key) : k.equals(key));
            if (removed) {
                states.add(next);
            }
            return revision();
        }
    }

    @Provide
    Arbitrary<List<Action>> actions() {
        Arbitrary<String> keys = Arbitraries.of("a", "ab", "b", "b/1", "b/2", "c");
        Arbitrary<String> values = Arbitraries.of("v0", "v1", "v2");
        Arbitrary<Action> action = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(6, Combinators.combine(keys, values).as(Put::new)),
                net.jqwik.api.Tuple.of(2, Combinators.combine(keys, Arbitraries.of(true, false)).as(Delete::new)),
                net.jqwik.api.Tuple.of(2, Combinators.combine(keys, values, keys, keys).as(Txn::new)),
                net.jqwik.api.Tuple.of(4, Combinators.combine(Arbitraries.of("", "a", "b", "b/"),
                        Arbitraries.integers().between(0, 6)).as(Get::new)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(0, 5).map(Compact::new)),
                net.jqwik.api.Tuple.of(1, Arbitraries.just(new Restart())));
        return action.list().ofMinSize(10).ofMaxSize(60);
    }

    @Property(tries = 12, seed = "20261122", shrinking = ShrinkingMode.OFF)
    void storeAgreesWithModel(@ForAll("actions") List<Action> actions) throws Exception {
        Path dir = Files.createTempDirectory("keelson-model");
        StoreMember store = TestStores.openSingle(dir);
        Model model = new Model();
        try {
            for (Action a : actions) {
                store = step(store, dir, model, a);
            }
            assertThat(values(store.range(RangeRequest.all()).join().kvs())).isEqualTo(values(
                    new ArrayList<>(model.current().values())));
        } finally {
            store.close();
            io.keelson.store.mvcc.MvccStore.deleteTree(dir);
        }
    }

    private static StoreMember step(StoreMember current, Path dir, Model model, Action action) {
        final StoreMember store = current;
        if (action instanceof Put p) {
            long rev = store.put(PutRequest.of(p.key(), p.value())).join().header().revision();
            assertThat(rev).as(action.toString()).isEqualTo(model.put(p.key(), p.value()));
        } else if (action instanceof Delete d) {
            DeleteRangeRequest req = d.prefix() ? DeleteRangeRequest.prefix(d.key()) : DeleteRangeRequest.key(d.key());
            long rev = store.delete(req).join().header().revision();
            assertThat(rev).as(action.toString()).isEqualTo(model.delete(d.key(), d.prefix()));
        } else if (action instanceof Txn t) {
            KeyValue existing = model.current().get(t.key());
            boolean holds = existing != null && existing.valueUtf8().equals(t.expected());
            TxnResponse resp = store.txn(TxnRequest.of(
                    List.of(Compare.value(bs(t.key()), Compare.Result.EQUAL, bs(t.expected()))),
                    List.of(PutRequest.of(t.thenKey(), "then")), List.of(PutRequest.of(t.elseKey(), "else")))).join();
            assertThat(resp.succeeded()).as(action.toString()).isEqualTo(holds);
            long rev = holds ? model.put(t.thenKey(), "then") : model.put(t.elseKey(), "else");
            assertThat(resp.header().revision()).isEqualTo(rev);
        } else if (action instanceof Get g) {
            long at = Math.max(1, model.revision() - g.back());
            RangeRequest req = (g.prefix().isEmpty() ? RangeRequest.all() : RangeRequest.prefix(g.prefix()))
                    .atRevision(at);
            if (at < model.compacted) {
                assertThat(failure(() -> store.range(req).join()))
                        .isInstanceOf(StoreException.CompactedException.class);
            } else {
                List<KeyValue> expected = model.states.get((int) at).values().stream()
                        .filter(kv -> kv.keyUtf8().startsWith(g.prefix())).toList();
                assertThat(values(store.range(req).join().kvs())).as(action.toString()).isEqualTo(values(expected));
            }
        } else if (action instanceof Compact c) {
            long target = Math.max(1, model.revision() - c.back());
            if (target <= model.compacted) {
                assertThat(failure(() -> store.compact(target).join()))
                        .isInstanceOf(StoreException.CompactedException.class);
            } else {
                store.compact(target).join();
                model.compacted = target;
            }
        } else {
            store.close();
            return TestStores.openSingle(dir);
        }
        return store;
    }

    private static Map<String, List<Long>> values(List<KeyValue> kvs) {
        Map<String, List<Long>> out = new HashMap<>();
        for (KeyValue kv : kvs) {
            out.put(kv.keyUtf8() + "=" + kv.valueUtf8(), List.of(kv.createRevision(), kv.modRevision(),
                    kv.version()));
        }
        return out;
    }

    private static StoreException failure(Runnable r) {
        try {
            r.run();
        } catch (CompletionException e) {
            return (StoreException) e.getCause();
        }
        throw new AssertionError("expected a failure");
    }
}
