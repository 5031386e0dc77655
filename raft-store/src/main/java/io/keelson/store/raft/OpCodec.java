package io.keelson.store.raft;

import io.keelson.store.Compare;
import io.keelson.store.DeleteRangeRequest;
import io.keelson.store.PutRequest;
import io.keelson.store.RangeRequest;
import io.keelson.store.StoreMember;
import io.keelson.store.TxnOp;
import io.keelson.store.TxnRequest;
import io.keelson.store.mvcc.Command;
import io.keelson.store.raft.proto.CompactOp;
import io.keelson.store.raft.proto.DeleteOp;
import io.keelson.store.raft.proto.AlarmOp;
import io.keelson.store.raft.proto.LeaseGrantOp;
import io.keelson.store.raft.proto.MemberOp;
import io.keelson.store.raft.proto.PublishMemberOp;
import io.keelson.store.raft.proto.LeaseRevokeOp;
import io.keelson.store.raft.proto.Op;
import io.keelson.store.raft.proto.PutOp;
import io.keelson.store.raft.proto.RangeOp;
import io.keelson.store.raft.proto.TxnRequestOp;
import java.util.ArrayList;
import java.util.List;

/** Converts between the public request records and the Raft log's protobuf messages. */
final class OpCodec {
    private OpCodec() {
    }

    static Op encode(Command command) {
        if (command instanceof Command.Write w) {
            TxnOp op = w.op();
            Op.Builder b = checked(Op.newBuilder(), w.authRevision());
            if (op instanceof PutRequest put) {
                return b.setPut(put(put)).build();
            } else if (op instanceof DeleteRangeRequest delete) {
                return b.setDelete(delete(delete)).build();
            }
            return b.setTxn(txn((TxnRequest) op)).build();
        } else if (command instanceof Command.Compact c) {
            return Op.newBuilder().setCompact(CompactOp.newBuilder().setRevision(c.revision())).build();
        } else if (command instanceof Command.LeaseGrant g) {
            return Op.newBuilder().setLeaseGrant(LeaseGrantOp.newBuilder().setId(g.id()).setTtl(g.ttl())).build();
        } else if (command instanceof Command.Alarm a) {
            return Op.newBuilder().setAlarm(AlarmOp.newBuilder().setActivate(a.activate())
                    .setMemberId(a.alarm().memberId()).setType(a.alarm().type().name())).build();
        } else if (command instanceof Command.PublishMember m) {
            return Op.newBuilder().setPublishMember(PublishMemberOp.newBuilder().setName(m.name())
                    .addAllClientUrls(m.clientUrls())).build();
        } else if (command instanceof Command.Auth a) {
            return Op.newBuilder().setAuth(a.op()).build();
        } else if (command instanceof Command.Member m) {
            return Op.newBuilder().setMember(MemberOp.newBuilder().setId(m.id()).addAllPeerUrls(m.peerUrls())
                    .setLearner(m.learner()).setRemove(m.remove())).build();
        }
        Command.LeaseRevoke r = (Command.LeaseRevoke) command;
        return checked(Op.newBuilder(), r.authRevision()).setLeaseRevoke(LeaseRevokeOp.newBuilder().setId(r.id()))
                .build();
    }

    private static Op.Builder checked(Op.Builder b, long authRevision) {
        return authRevision == StoreMember.ANONYMOUS ? b.setAnonymous(true) : b.setAuthRevision(authRevision);
    }

    private static long checkedAt(Op op) {
        return op.getAnonymous() ? StoreMember.ANONYMOUS : op.getAuthRevision();
    }

    static Command decode(Op op) {
        return switch (op.getOpCase()) {
            case PUT -> new Command.Write(put(op.getPut()), checkedAt(op));
            case DELETE -> new Command.Write(delete(op.getDelete()), checkedAt(op));
            case TXN -> new Command.Write(txn(op.getTxn()), checkedAt(op));
            case COMPACT -> new Command.Compact(op.getCompact().getRevision());
            case LEASE_GRANT -> new Command.LeaseGrant(op.getLeaseGrant().getId(), op.getLeaseGrant().getTtl());
            case LEASE_REVOKE -> new Command.LeaseRevoke(op.getLeaseRevoke().getId(), checkedAt(op));
            case ALARM -> new Command.Alarm(op.getAlarm().getActivate(), new io.keelson.store.MemberAlarm(
                    op.getAlarm().getMemberId(), io.keelson.store.MemberAlarm.Type.valueOf(op.getAlarm().getType())));
            case PUBLISH_MEMBER -> new Command.PublishMember(op.getPublishMember().getName(),
                    op.getPublishMember().getClientUrlsList());
            case MEMBER -> new Command.Member(op.getMember().getId(), op.getMember().getPeerUrlsList(),
                    op.getMember().getLearner(), op.getMember().getRemove());
            case AUTH -> new Command.Auth(op.getAuth());
            case OP_NOT_SET -> throw new IllegalArgumentException("empty op in log entry");
        };
    }

    private static PutOp put(PutRequest p) {
        return PutOp.newBuilder().setKey(p.key()).setValue(p.value()).setLease(p.lease()).setPrevKv(p.prevKv())
                .setIgnoreValue(p.ignoreValue()).setIgnoreLease(p.ignoreLease()).build();
    }

    private static PutRequest put(PutOp p) {
        return new PutRequest(p.getKey(), p.getValue(), p.getLease(), p.getPrevKv(), p.getIgnoreValue(),
                p.getIgnoreLease());
    }

    private static DeleteOp delete(DeleteRangeRequest d) {
        return DeleteOp.newBuilder().setKey(d.key()).setRangeEnd(d.rangeEnd()).setPrevKv(d.prevKv()).build();
    }

    private static DeleteRangeRequest delete(DeleteOp d) {
        return new DeleteRangeRequest(d.getKey(), d.getRangeEnd(), d.getPrevKv());
    }

    private static RangeOp range(RangeRequest r) {
        return RangeOp.newBuilder().setKey(r.key()).setRangeEnd(r.rangeEnd()).setLimit(r.limit())
                .setRevision(r.revision()).setSortOrder(r.sortOrder().ordinal())
                .setSortTarget(r.sortTarget().ordinal()).setSerializable(r.serializable())
                .setKeysOnly(r.keysOnly()).setCountOnly(r.countOnly()).setMinModRevision(r.minModRevision())
                .setMaxModRevision(r.maxModRevision()).setMinCreateRevision(r.minCreateRevision())
                .setMaxCreateRevision(r.maxCreateRevision()).build();
    }

    private static RangeRequest range(RangeOp r) {
        return new RangeRequest(r.getKey(), r.getRangeEnd(), r.getLimit(), r.getRevision(),
                RangeRequest.SortOrder.values()[r.getSortOrder()], RangeRequest.SortTarget.values()[r.getSortTarget()],
                r.getSerializable(), r.getKeysOnly(), r.getCountOnly(), r.getMinModRevision(),
                r.getMaxModRevision(), r.getMinCreateRevision(), r.getMaxCreateRevision());
    }

    private static TxnRequestOp txn(TxnRequest t) {
        TxnRequestOp.Builder b = TxnRequestOp.newBuilder();
        for (Compare c : t.compare()) {
            b.addCompare(io.keelson.store.raft.proto.Compare.newBuilder().setKey(c.key()).setRangeEnd(c.rangeEnd())
                    .setTarget(c.target().ordinal()).setResult(c.result().ordinal()).setNumber(c.number())
                    .setValue(c.value()));
        }
        t.success().forEach(op -> b.addSuccess(txnOp(op)));
        t.failure().forEach(op -> b.addFailure(txnOp(op)));
        return b.build();
    }

    private static TxnRequest txn(TxnRequestOp t) {
        List<Compare> compares = new ArrayList<>(t.getCompareCount());
        for (var c : t.getCompareList()) {
            compares.add(new Compare(c.getKey(), c.getRangeEnd(), Compare.Target.values()[c.getTarget()],
                    Compare.Result.values()[c.getResult()], c.getNumber(), c.getValue()));
        }
        return new TxnRequest(compares, txnOps(t.getSuccessList()), txnOps(t.getFailureList()));
    }

    private static io.keelson.store.raft.proto.TxnOp txnOp(TxnOp op) {
        var b = io.keelson.store.raft.proto.TxnOp.newBuilder();
        if (op instanceof RangeRequest r) {
            b.setRange(range(r));
        } else if (op instanceof PutRequest p) {
            b.setPut(put(p));
        } else if (op instanceof DeleteRangeRequest d) {
            b.setDelete(delete(d));
        } else {
            b.setTxn(txn((TxnRequest) op));
        }
        return b.build();
    }

    private static List<TxnOp> txnOps(List<io.keelson.store.raft.proto.TxnOp> ops) {
        List<TxnOp> out = new ArrayList<>(ops.size());
        for (var op : ops) {
            out.add(switch (op.getOpCase()) {
                case RANGE -> range(op.getRange());
                case PUT -> put(op.getPut());
                case DELETE -> delete(op.getDelete());
                case TXN -> txn(op.getTxn());
                case OP_NOT_SET -> throw new IllegalArgumentException("empty txn op in log entry");
            });
        }
        return out;
    }
}
