package io.keelson.store.mvcc;

import com.google.protobuf.ByteString;
import io.keelson.store.Event;
import io.keelson.store.KeyRanges;
import io.keelson.store.KeyValue;
import io.keelson.store.RangeRequest;
import io.keelson.store.RangeRequest.SortOrder;
import io.keelson.store.RangeRequest.SortTarget;
import io.keelson.store.RangeResponse;
import io.keelson.store.ResponseHeader;
import io.keelson.store.StoreException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.rocksdb.RocksIterator;

/** Range reads over one {@link View}, with etcd's rules for revisions, filters, sort and limit. */
final class Reader {
    private static final Comparator<ByteString> KEY_ORDER = KeyRanges.ORDER;

    private final Columns columns;
    private final View view;
    private final long currentRevision;
    private final long compactRevision;

    Reader(Columns columns, View view, long currentRevision, long compactRevision) {
        this.columns = columns;
        this.view = view;
        this.currentRevision = currentRevision;
        this.compactRevision = compactRevision;
    }

    long currentRevision() {
        return currentRevision;
    }

    long compactRevision() {
        return compactRevision;
    }

    View view() {
        return view;
    }

    /** The current version of {@code key}, or null. */
    KeyValue current(ByteString key) {
        byte[] raw = view.get(columns.kv(), key.toByteArray());
        return raw == null ? null : KeyCodec.decode(raw);
    }

    RangeResponse range(RangeRequest req, ResponseHeader header) {
        long rev = req.revision() <= 0 ? currentRevision : req.revision();
        if (rev > currentRevision) {
            throw new StoreException.FutureRevisionException(currentRevision);
        }
        if (rev < compactRevision) {
            throw new StoreException.CompactedException(compactRevision);
        }
        List<KeyValue> all = rev == currentRevision ? scanCurrent(req.key(), req.rangeEnd())
                : scanHistory(req.key(), req.rangeEnd(), rev);
        long count = all.size();
        if (req.countOnly()) {
            return new RangeResponse(header, List.of(), false, count);
        }
        List<KeyValue> kvs = filter(all, req);
        SortOrder order = req.sortOrder();
        if (order == SortOrder.NONE && req.sortTarget() != SortTarget.KEY) {
            order = SortOrder.ASCEND; // etcd: sorting by a non-key target defaults to ascending
        }
        if (order != SortOrder.NONE && !(order == SortOrder.ASCEND && req.sortTarget() == SortTarget.KEY)) {
            Comparator<KeyValue> cmp = comparator(req.sortTarget());
            kvs.sort(order == SortOrder.DESCEND ? cmp.reversed() : cmp);
        }
        boolean more = false;
        if (req.limit() > 0 && kvs.size() > req.limit()) {
            kvs = kvs.subList(0, (int) req.limit());
            more = true;
        }
        if (req.keysOnly()) {
            kvs = kvs.stream().map(KeyValue::withoutValue).toList();
        }
        return new RangeResponse(header, kvs, more, count);
    }

    private static List<KeyValue> filter(List<KeyValue> all, RangeRequest req) {
        if (req.minModRevision() == 0 && req.maxModRevision() == 0 && req.minCreateRevision() == 0
                && req.maxCreateRevision() == 0) {
            return new ArrayList<>(all);
        }
        List<KeyValue> out = new ArrayList<>(all.size());
        for (KeyValue kv : all) {
            if (req.minModRevision() != 0 && kv.modRevision() < req.minModRevision()) {
                continue;
            }
            if (req.maxModRevision() != 0 && kv.modRevision() > req.maxModRevision()) {
                continue;
            }
            if (req.minCreateRevision() != 0 && kv.createRevision() < req.minCreateRevision()) {
                continue;
            }
            if (req.maxCreateRevision() != 0 && kv.createRevision() > req.maxCreateRevision()) {
                continue;
            }
            out.add(kv);
        }
        return out;
    }

    private static Comparator<KeyValue> comparator(SortTarget target) {
        return switch (target) {
            case KEY -> Comparator.comparing(KeyValue::key, KEY_ORDER);
            case VERSION -> Comparator.comparingLong(KeyValue::version);
            case CREATE -> Comparator.comparingLong(KeyValue::createRevision);
            case MOD -> Comparator.comparingLong(KeyValue::modRevision);
            case VALUE -> Comparator.comparing(KeyValue::value, KEY_ORDER);
        };
    }

    /** Current versions of the keys in {@code [key, rangeEnd)}, in key order. */
    List<KeyValue> scanCurrent(ByteString key, ByteString rangeEnd) {
        if (rangeEnd.isEmpty()) {
            KeyValue kv = current(key);
            return kv == null ? List.of() : List.of(kv);
        }
        List<KeyValue> out = new ArrayList<>();
        byte[] end = rangeEnd.equals(KeyRanges.FROM_KEY) ? null : rangeEnd.toByteArray();
        try (RocksIterator it = view.iterator(columns.kv())) {
            for (it.seek(key.toByteArray()); it.isValid(); it.next()) {
                if (end != null && Arrays.compareUnsigned(it.key(), end) >= 0) {
                    break;
                }
                out.add(KeyCodec.decode(it.value()));
            }
        }
        return out;
    }

    /** Versions live at {@code rev} of the keys in {@code [key, rangeEnd)}, in key order. */
    List<KeyValue> scanHistory(ByteString key, ByteString rangeEnd, long rev) {
        List<KeyValue> out = new ArrayList<>();
        byte[] end = KeyCodec.historyEnd(key, rangeEnd);
        try (RocksIterator it = view.iterator(columns.history())) {
            KeyValue candidate = null;
            ByteString candidateKey = null;
            for (it.seek(KeyCodec.historyStart(key)); it.isValid(); it.next()) {
                byte[] hk = it.key();
                if (end != null && Arrays.compareUnsigned(hk, end) >= 0) {
                    break;
                }
                ByteString k = KeyCodec.historyKeyOf(hk);
                if (!k.equals(candidateKey)) {
                    if (candidate != null && !candidate.isTombstone()) {
                        out.add(candidate);
                    }
                    candidate = null;
                    candidateKey = k;
                }
                if (KeyCodec.historyRevisionOf(hk) <= rev) {
                    candidate = KeyCodec.decode(it.value());
                }
            }
            if (candidate != null && !candidate.isTombstone()) {
                out.add(candidate);
            }
        }
        return out;
    }

    /**
     * The changes of revisions {@code [from, to]} in revision order, as the apply path reported them
     * (previous versions included when still in history). The caller checks compaction first.
     */
    List<Event> events(long from, long to) {
        List<Event> out = new ArrayList<>();
        try (RocksIterator revs = view.iterator(columns.revisions());
             RocksIterator history = view.iterator(columns.history())) {
            for (revs.seek(KeyCodec.revisionKey(from, 0)); revs.isValid(); revs.next()) {
                long rev = KeyCodec.revisionOf(revs.key());
                if (rev > to) {
                    break;
                }
                ByteString key = ByteString.copyFrom(revs.value());
                byte[] hk = KeyCodec.historyKey(key, rev);
                history.seek(hk);
                if (!history.isValid() || !Arrays.equals(history.key(), hk)) {
                    continue; // removed by a compaction running concurrently; the caller re-checks
                }
                KeyValue kv = KeyCodec.decode(history.value());
                history.prev();
                KeyValue prev = null;
                if (history.isValid() && KeyCodec.historyKeyOf(history.key()).equals(key)) {
                    KeyValue candidate = KeyCodec.decode(history.value());
                    prev = candidate.isTombstone() ? null : candidate;
                }
                out.add(new Event(kv.isTombstone() ? Event.Type.DELETE : Event.Type.PUT, kv, prev));
            }
        }
        return out;
    }
}
