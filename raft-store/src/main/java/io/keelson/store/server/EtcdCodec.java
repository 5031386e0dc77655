package io.keelson.store.server;

import com.google.protobuf.UnknownFieldSet;
import io.keelson.store.Compare;
import io.keelson.store.DeleteRangeRequest;
import io.keelson.store.DeleteRangeResponse;
import io.keelson.store.Event;
import io.keelson.store.KeyValue;
import io.keelson.store.PutRequest;
import io.keelson.store.PutResponse;
import io.keelson.store.RangeRequest;
import io.keelson.store.RangeResponse;
import io.keelson.store.ResponseHeader;
import io.keelson.store.TxnOp;
import io.keelson.store.TxnOpResponse;
import io.keelson.store.TxnRequest;
import io.keelson.store.TxnResponse;
import java.util.ArrayList;
import java.util.List;

/** Converts between etcd's protocol messages (from jetcd-grpc) and the store's records. */
final class EtcdCodec {
    /** etcd's {@code Compare.lease} (field 64) and target LEASE (4): absent from jetcd's trimmed proto. */
    private static final int COMPARE_LEASE_FIELD = 64;
    private static final int TARGET_LEASE = 4;

    private EtcdCodec() {
    }

    static io.etcd.jetcd.api.ResponseHeader header(ResponseHeader h) {
        return io.etcd.jetcd.api.ResponseHeader.newBuilder().setClusterId(h.clusterId()).setMemberId(h.memberId())
                .setRevision(h.revision()).setRaftTerm(h.raftTerm()).build();
    }

    static io.etcd.jetcd.api.KeyValue kv(KeyValue kv) {
        return io.etcd.jetcd.api.KeyValue.newBuilder().setKey(kv.key()).setCreateRevision(kv.createRevision())
                .setModRevision(kv.modRevision()).setVersion(kv.version()).setValue(kv.value()).setLease(kv.lease())
                .build();
    }

    static io.etcd.jetcd.api.Event event(Event e) {
        io.etcd.jetcd.api.Event.Builder b = io.etcd.jetcd.api.Event.newBuilder()
                .setType(e.type() == Event.Type.PUT ? io.etcd.jetcd.api.Event.EventType.PUT
                        : io.etcd.jetcd.api.Event.EventType.DELETE)
                .setKv(kv(e.kv()));
        if (e.prevKv() != null) {
            b.setPrevKv(kv(e.prevKv()));
        }
        return b.build();
    }

    static RangeRequest range(io.etcd.jetcd.api.RangeRequest r) {
        return new RangeRequest(r.getKey(), r.getRangeEnd(), Math.max(0, r.getLimit()), Math.max(0, r.getRevision()),
                RangeRequest.SortOrder.values()[Math.min(2, Math.max(0, r.getSortOrderValue()))],
                RangeRequest.SortTarget.values()[Math.min(4, Math.max(0, r.getSortTargetValue()))],
                r.getSerializable(), r.getKeysOnly(), r.getCountOnly(), r.getMinModRevision(), r.getMaxModRevision(),
                r.getMinCreateRevision(), r.getMaxCreateRevision());
    }

    static io.etcd.jetcd.api.RangeResponse range(RangeResponse r) {
        io.etcd.jetcd.api.RangeResponse.Builder b = io.etcd.jetcd.api.RangeResponse.newBuilder()
                .setHeader(header(r.header())).setMore(r.more()).setCount(r.count());
        r.kvs().forEach(kv -> b.addKvs(kv(kv)));
        return b.build();
    }

    static PutRequest put(io.etcd.jetcd.api.PutRequest p) {
        return new PutRequest(p.getKey(), p.getValue(), p.getLease(), p.getPrevKv(), p.getIgnoreValue(),
                p.getIgnoreLease());
    }

    static io.etcd.jetcd.api.PutResponse put(PutResponse r) {
        io.etcd.jetcd.api.PutResponse.Builder b = io.etcd.jetcd.api.PutResponse.newBuilder().setHeader(header(r.header()));
        r.prevKv().ifPresent(kv -> b.setPrevKv(kv(kv)));
        return b.build();
    }

    static DeleteRangeRequest delete(io.etcd.jetcd.api.DeleteRangeRequest d) {
        return new DeleteRangeRequest(d.getKey(), d.getRangeEnd(), d.getPrevKv());
    }

    static io.etcd.jetcd.api.DeleteRangeResponse delete(DeleteRangeResponse r) {
        io.etcd.jetcd.api.DeleteRangeResponse.Builder b = io.etcd.jetcd.api.DeleteRangeResponse.newBuilder()
                .setHeader(header(r.header())).setDeleted(r.deleted());
        r.prevKvs().forEach(kv -> b.addPrevKvs(kv(kv)));
        return b.build();
    }

    static TxnRequest txn(io.etcd.jetcd.api.TxnRequest t) {
        List<Compare> compares = new ArrayList<>(t.getCompareCount());
        for (io.etcd.jetcd.api.Compare c : t.getCompareList()) {
            compares.add(compare(c));
        }
        return new TxnRequest(compares, ops(t.getSuccessList()), ops(t.getFailureList()));
    }

    private static Compare compare(io.etcd.jetcd.api.Compare c) {
        Compare.Result result = switch (c.getResultValue()) {
            case 0 -> Compare.Result.EQUAL;
            case 1 -> Compare.Result.GREATER;
            case 2 -> Compare.Result.LESS;
            case 3 -> Compare.Result.NOT_EQUAL;
            default -> throw io.grpc.Status.INVALID_ARGUMENT.withDescription("unknown compare result "
                    + c.getResultValue()).asRuntimeException();
        };
        return switch (c.getTargetValue()) {
            case 0 -> new Compare(c.getKey(), c.getRangeEnd(), Compare.Target.VERSION, result, c.getVersion(),
                    com.google.protobuf.ByteString.EMPTY);
            case 1 -> new Compare(c.getKey(), c.getRangeEnd(), Compare.Target.CREATE, result, c.getCreateRevision(),
                    com.google.protobuf.ByteString.EMPTY);
            case 2 -> new Compare(c.getKey(), c.getRangeEnd(), Compare.Target.MOD, result, c.getModRevision(),
                    com.google.protobuf.ByteString.EMPTY);
            case 3 -> new Compare(c.getKey(), c.getRangeEnd(), Compare.Target.VALUE, result, 0, c.getValue());
            case TARGET_LEASE -> new Compare(c.getKey(), c.getRangeEnd(), Compare.Target.LEASE, result, lease(c),
                    com.google.protobuf.ByteString.EMPTY);
            default -> throw io.grpc.Status.INVALID_ARGUMENT.withDescription("unknown compare target "
                    + c.getTargetValue()).asRuntimeException();
        };
    }

    private static long lease(io.etcd.jetcd.api.Compare c) {
        UnknownFieldSet.Field f = c.getUnknownFields().getField(COMPARE_LEASE_FIELD);
        return f == null || f.getVarintList().isEmpty() ? 0 : f.getVarintList().get(f.getVarintList().size() - 1);
    }

    private static List<TxnOp> ops(List<io.etcd.jetcd.api.RequestOp> ops) {
        List<TxnOp> out = new ArrayList<>(ops.size());
        for (io.etcd.jetcd.api.RequestOp op : ops) {
            out.add(switch (op.getRequestCase()) {
                case REQUEST_RANGE -> range(op.getRequestRange());
                case REQUEST_PUT -> put(op.getRequestPut());
                case REQUEST_DELETE_RANGE -> delete(op.getRequestDeleteRange());
                case REQUEST_TXN -> txn(op.getRequestTxn());
                case REQUEST_NOT_SET -> throw io.grpc.Status.INVALID_ARGUMENT
                        .withDescription("etcdserver: empty request op").asRuntimeException();
            });
        }
        return out;
    }

    static io.etcd.jetcd.api.TxnResponse txn(TxnResponse r) {
        return txn(r, header(r.header()));
    }

    /** etcd fills only the revision in the headers of the responses inside a txn. */
    private static io.etcd.jetcd.api.TxnResponse txn(TxnResponse r, io.etcd.jetcd.api.ResponseHeader header) {
        io.etcd.jetcd.api.ResponseHeader inner = io.etcd.jetcd.api.ResponseHeader.newBuilder()
                .setRevision(header.getRevision()).build();
        io.etcd.jetcd.api.TxnResponse.Builder b = io.etcd.jetcd.api.TxnResponse.newBuilder()
                .setHeader(header).setSucceeded(r.succeeded());
        for (TxnOpResponse op : r.responses()) {
            io.etcd.jetcd.api.ResponseOp.Builder o = io.etcd.jetcd.api.ResponseOp.newBuilder();
            if (op instanceof RangeResponse range) {
                o.setResponseRange(range(range).toBuilder().setHeader(inner));
            } else if (op instanceof PutResponse put) {
                o.setResponsePut(put(put).toBuilder().setHeader(inner));
            } else if (op instanceof DeleteRangeResponse delete) {
                o.setResponseDeleteRange(delete(delete).toBuilder().setHeader(inner));
            } else {
                o.setResponseTxn(txn((TxnResponse) op, inner));
            }
            b.addResponses(o);
        }
        return b.build();
    }
}
