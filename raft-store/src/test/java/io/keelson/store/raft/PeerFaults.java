package io.keelson.store.raft;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.ratis.grpc.server.GrpcServicesImpl;
import org.apache.ratis.util.CodeInjectionForTesting;

/**
 * Faults on one member's Raft traffic among members running in this JVM, through Ratis' test injection
 * points: {@link #cut} makes every AppendEntries and vote between that member and its peers fail (a
 * network partition that leaves clients reaching it), {@link #freeze} holds them, and the member's own
 * sends, until {@link #heal} (a process stopped and resumed: what it sent and what was sent to it
 * arrives late, all at once). The injection points are global: one instance at a time, closed after.
 */
final class PeerFaults implements AutoCloseable {
    // Ratis' names of its request handlers' injection points (RaftServerImpl's package-private constants)
    private static final String APPEND_ENTRIES = "RaftServerImpl.appendEntries";
    private static final String REQUEST_VOTE = "RaftServerImpl.requestVote";
    private static final String SEND = GrpcServicesImpl.GRPC_SEND_SERVER_REQUEST;

    private enum Fault { CUT, FROZEN }

    private volatile String member;
    private volatile Fault fault;

    PeerFaults() {
        CodeInjectionForTesting.put(APPEND_ENTRIES, this::received);
        CodeInjectionForTesting.put(REQUEST_VOTE, this::received);
        CodeInjectionForTesting.put(SEND, this::sending);
    }

    void cut(String name) {
        fault = Fault.CUT;
        member = name;
    }

    void freeze(String name) {
        fault = Fault.FROZEN;
        member = name;
    }

    void heal() {
        member = null;
    }

    /** A request from {@code remote} reaches {@code local}'s handler. */
    private boolean received(Object local, Object remote, Object... args) {
        String m = member;
        if (m == null || !m.equals(String.valueOf(local)) && !m.equals(String.valueOf(remote))) {
            return false;
        }
        if (fault == Fault.CUT) {
            throw new IllegalStateException("cut off from " + m + " by the test");
        }
        awaitThaw(m);
        return true;
    }

    /** {@code local} sends a request to a peer. */
    private boolean sending(Object local, Object remote, Object... args) {
        String m = member;
        if (m != null && fault == Fault.FROZEN && m.equals(String.valueOf(local))) {
            awaitThaw(m);
            return true;
        }
        return false;
    }

    private void awaitThaw(String frozen) {
        while (frozen.equals(member)) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    @Override
    public void close() {
        heal();
        CodeInjectionForTesting.remove(APPEND_ENTRIES);
        CodeInjectionForTesting.remove(REQUEST_VOTE);
        CodeInjectionForTesting.remove(SEND);
    }
}
