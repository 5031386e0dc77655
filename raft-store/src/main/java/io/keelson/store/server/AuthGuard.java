package io.keelson.store.server;

import com.google.protobuf.ByteString;
import io.etcd.jetcd.api.AuthDisableRequest;
import io.etcd.jetcd.api.AuthEnableRequest;
import io.etcd.jetcd.api.AuthRoleAddRequest;
import io.etcd.jetcd.api.AuthRoleDeleteRequest;
import io.etcd.jetcd.api.AuthRoleGetRequest;
import io.etcd.jetcd.api.AuthRoleGrantPermissionRequest;
import io.etcd.jetcd.api.AuthRoleListRequest;
import io.etcd.jetcd.api.AuthRoleRevokePermissionRequest;
import io.etcd.jetcd.api.AuthUserAddRequest;
import io.etcd.jetcd.api.AuthUserChangePasswordRequest;
import io.etcd.jetcd.api.AuthUserDeleteRequest;
import io.etcd.jetcd.api.AuthUserGetRequest;
import io.etcd.jetcd.api.AuthUserGrantRoleRequest;
import io.etcd.jetcd.api.AuthUserListRequest;
import io.etcd.jetcd.api.AuthUserRevokeRoleRequest;
import io.etcd.jetcd.api.CampaignRequest;
import io.etcd.jetcd.api.Compare;
import io.etcd.jetcd.api.DefragmentRequest;
import io.etcd.jetcd.api.DeleteRangeRequest;
import io.etcd.jetcd.api.HashKVRequest;
import io.etcd.jetcd.api.HashRequest;
import io.etcd.jetcd.api.LeaderRequest;
import io.etcd.jetcd.api.LeaseRevokeRequest;
import io.etcd.jetcd.api.MemberAddRequest;
import io.etcd.jetcd.api.MemberPromoteRequest;
import io.etcd.jetcd.api.MemberRemoveRequest;
import io.etcd.jetcd.api.MemberUpdateRequest;
import io.etcd.jetcd.api.ProclaimRequest;
import io.etcd.jetcd.api.PutRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.RequestOp;
import io.etcd.jetcd.api.ResignRequest;
import io.etcd.jetcd.api.SnapshotRequest;
import io.etcd.jetcd.api.TxnRequest;
import io.etcd.jetcd.api.lock.LockRequest;
import io.etcd.jetcd.api.lock.UnlockRequest;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.keelson.store.KeyRanges;
import io.keelson.store.StoreException;
import io.keelson.store.StoreMember;
import io.keelson.store.auth.AuthInfo;
import io.keelson.store.auth.AuthState;
import io.keelson.store.auth.Permission;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * etcd's auth on the client port: while auth is enabled, a call's {@code token} metadata names its user (an unknown
 * or expired token is refused with {@code etcdserver: invalid auth token}), and each request is checked as etcd
 * checks it: key reads and writes against the user's permissions, cluster and auth management for the root role.
 * Watches are checked by the watch service, per watch, with the user this puts in the call's context.
 */
final class AuthGuard implements ServerInterceptor {
    static final Metadata.Key<String> TOKEN = Metadata.Key.of("token", Metadata.ASCII_STRING_MARSHALLER);
    /** The user of the call, empty without a token. */
    static final Context.Key<String> USER = Context.key("keelson-user");
    /** The auth revision the call's last message was checked at (absent while auth is off). */
    private static final Context.Key<AtomicLong> CHECKED_AT = Context.key("keelson-auth-revision");
    /** The auth revision the call's JSON Web Token was issued at (absent for other callers). */
    private static final Context.Key<Long> ISSUED_AT = Context.key("keelson-token-revision");

    private final StoreMember member;
    private final boolean clientCertAuth;

    /**
     * @param clientCertAuth whether clients must present a certificate of the trusted CA: then, as etcd, a call
     *                       without a token is made by the user its certificate names (its common name)
     */
    AuthGuard(StoreMember member, boolean clientCertAuth) {
        this.member = member;
        this.clientCertAuth = clientCertAuth;
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                                                      ServerCallHandler<Q, R> next) {
        if (!member.authState().enabled()) {
            return next.startCall(call, headers);
        }
        String token = headers.get(TOKEN);
        if (token == null) {
            String user = clientCertAuth ? commonName(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION)) : "";
            return checked(call, headers, next, new AuthInfo(user, 0));
        }
        Optional<AuthInfo> known = member.tokenInfo(token);
        if (known.isPresent()) {
            return checked(call, headers, next, known.get());
        }
        if (member.config().jwtTokens() != null) {
            // a JSON Web Token is checked by its signature: catching up with the log would not make it valid
            refuseToken(call);
            return new ServerCall.Listener<>() { };
        }
        // a simple token issued through another member is known here once its entry applies: this member may lag,
        // so the call starts after it has caught up with the leader's commit (no message is read before)
        DeferredStart<Q> deferred = new DeferredStart<>();
        Context context = Context.current();
        member.readAuthState().orTimeout(member.config().requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((auth, error) -> {
                    Optional<AuthInfo> info = member.tokenInfo(token);
                    if (info.isEmpty()) {
                        refuseToken(call);
                    } else {
                        try {
                            context.run(() -> deferred.start(checked(call, headers, next, info.get())));
                        } catch (RuntimeException e) {
                            call.close(io.grpc.Status.fromThrowable(e), new Metadata());
                        }
                    }
                });
        return deferred;
    }

    private static void refuseToken(ServerCall<?, ?> call) {
        call.close(GrpcErrors.of(new StoreException(io.keelson.store.ErrorCode.INVALID_AUTH_TOKEN)).getStatus(),
                new Metadata());
    }

    /** Starts the call as {@code caller}: each message is checked against the auth state before it is handled. */
    private <Q, R> ServerCall.Listener<Q> checked(ServerCall<Q, R> call, Metadata headers,
                                                 ServerCallHandler<Q, R> next, AuthInfo caller) {
        // a JWT carries the auth revision it was issued at; a simple token stands for the current auth state
        long issuedAt = caller.revision();
        AtomicLong checkedAt = new AtomicLong();
        ServerCall.Listener<Q> delegate = Contexts.interceptCall(Context.current().withValue(USER, caller.user())
                .withValue(CHECKED_AT, checkedAt).withValue(ISSUED_AT, issuedAt), call, headers, next);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(delegate) {
            private boolean refused;

            @Override
            public void onMessage(Q message) {
                if (refused) {
                    return;
                }
                AuthState auth = member.authState();
                long at = issuedAt != 0 ? issuedAt : auth.revision();
                try {
                    if (at < auth.revision() && keyChecked(message)) {
                        // etcd checks key requests at the token's revision: a JWT older than the auth state is stale
                        throw new StoreException(io.keelson.store.ErrorCode.AUTH_OLD_REVISION);
                    }
                    check(auth, caller.user(), message);
                    checkedAt.set(at); // its writes apply only if the auth state is still this one
                } catch (StoreException e) {
                    refused = true;
                    // etcd's maintenance server returns its auth store's error as it is: code Unknown, "auth: ..."
                    io.grpc.Status status = maintenance(message)
                            ? io.grpc.Status.UNKNOWN.withDescription(e.getMessage().replace("etcdserver: ", "auth: "))
                            : GrpcErrors.of(e).getStatus();
                    call.close(status, new Metadata());
                    return;
                }
                super.onMessage(message);
            }

            @Override
            public void onHalfClose() {
                if (!refused) {
                    super.onHalfClose();
                }
            }
        };
    }

    /**
     * The auth revision the current call's request was checked at, for {@link StoreMember#checkedAt};
     * {@link StoreMember#ANONYMOUS} when auth was off as it arrived (it names no user).
     */
    static long checkedRevision() {
        AtomicLong at = CHECKED_AT.get();
        return at == null ? StoreMember.ANONYMOUS : at.get();
    }

    /** Whether the current call's token was issued before the auth state {@code auth} (a JWT's revision claim). */
    static boolean staleToken(AuthState auth) {
        Long issued = ISSUED_AT.get();
        return issued != null && issued != 0 && issued < auth.revision();
    }

    /** The common name of the client's certificate, or empty. */
    private static String commonName(SSLSession session) {
        try {
            if (session != null && session.getPeerCertificates().length > 0
                    && session.getPeerCertificates()[0] instanceof X509Certificate cert) {
                for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
                    if (rdn.getType().equalsIgnoreCase("CN")) {
                        return rdn.getValue().toString();
                    }
                }
            }
        } catch (SSLPeerUnverifiedException | InvalidNameException e) {
            // no verified certificate: no user
        }
        return "";
    }

    /** Refuses {@code message} from {@code user} with etcd's error, as etcd's auth applier and servers do. */
    private void check(AuthState auth, String user, Object message) {
        if (message instanceof LeaseRevokeRequest r) {
            // etcd: revoking a lease deletes its keys, so the user must be allowed to write each of them
            for (ByteString key : member.leaseKeys(r.getID())) {
                auth.checkKeys(user, key, ByteString.EMPTY, Permission.Type.WRITE);
            }
            return;
        }
        if (message instanceof com.google.protobuf.Message m) {
            check(auth, user, m);
        }
    }

    /** The checks that depend on the request alone. */
    static void check(AuthState auth, String user, com.google.protobuf.Message message) {
        if (message instanceof RangeRequest r) {
            auth.checkKeys(user, r.getKey(), r.getRangeEnd(), Permission.Type.READ);
        } else if (message instanceof PutRequest p) {
            auth.checkKeys(user, p.getKey(), ByteString.EMPTY, Permission.Type.WRITE);
            if (p.getPrevKv()) {
                auth.checkKeys(user, p.getKey(), ByteString.EMPTY, Permission.Type.READ);
            }
        } else if (message instanceof DeleteRangeRequest d) {
            auth.checkKeys(user, d.getKey(), d.getRangeEnd(), Permission.Type.WRITE);
            if (d.getPrevKv()) {
                auth.checkKeys(user, d.getKey(), d.getRangeEnd(), Permission.Type.READ);
            }
        } else if (message instanceof TxnRequest t) {
            checkTxn(auth, user, t);
        } else if (message instanceof LockRequest l) {
            checkPrefix(auth, user, l.getName(), true);
        } else if (message instanceof CampaignRequest c) {
            checkPrefix(auth, user, c.getName(), true);
        } else if (message instanceof LeaderRequest l) {
            checkPrefix(auth, user, l.getName(), false);
        } else if (message instanceof UnlockRequest u) {
            auth.checkKeys(user, u.getKey(), ByteString.EMPTY, Permission.Type.WRITE);
        } else if (message instanceof ProclaimRequest p) {
            auth.checkKeys(user, p.getLeader().getKey(), ByteString.EMPTY, Permission.Type.WRITE);
        } else if (message instanceof ResignRequest r) {
            auth.checkKeys(user, r.getLeader().getKey(), ByteString.EMPTY, Permission.Type.WRITE);
        } else if (message instanceof AuthUserGetRequest g) {
            if (!g.getName().equals(user)) { // a user may read its own entry
                auth.checkAdmin(user);
            }
        } else if (message instanceof AuthRoleGetRequest g) {
            boolean own = auth.user(user).map(u -> u.roles().contains(g.getRole())).orElse(false);
            if (!own) { // and the roles it has
                auth.checkAdmin(user);
            }
        } else if (adminOnly(message)) {
            auth.checkAdmin(user);
        }
    }

    /** The requests etcd checks against the user's key permissions (and so against the token's revision). */
    private static boolean keyChecked(Object m) {
        return m instanceof RangeRequest || m instanceof PutRequest || m instanceof DeleteRangeRequest
                || m instanceof TxnRequest || m instanceof LeaseRevokeRequest || m instanceof LockRequest
                || m instanceof UnlockRequest || m instanceof CampaignRequest || m instanceof LeaderRequest
                || m instanceof ProclaimRequest || m instanceof ResignRequest;
    }

    /** The maintenance calls etcd 3.4 keeps to the root role (compaction, alarms, status, move-leader are open). */
    private static boolean maintenance(Object m) {
        return m instanceof DefragmentRequest || m instanceof HashRequest || m instanceof HashKVRequest
                || m instanceof SnapshotRequest;
    }

    private static boolean adminOnly(Object m) {
        return maintenance(m) || m instanceof MemberAddRequest || m instanceof MemberRemoveRequest
                || m instanceof MemberUpdateRequest || m instanceof MemberPromoteRequest
                || m instanceof AuthEnableRequest || m instanceof AuthDisableRequest || m instanceof AuthUserAddRequest
                || m instanceof AuthUserDeleteRequest || m instanceof AuthUserChangePasswordRequest
                || m instanceof AuthUserGrantRoleRequest || m instanceof AuthUserRevokeRoleRequest
                || m instanceof AuthUserListRequest || m instanceof AuthRoleAddRequest
                || m instanceof AuthRoleDeleteRequest || m instanceof AuthRoleListRequest
                || m instanceof AuthRoleGrantPermissionRequest || m instanceof AuthRoleRevokePermissionRequest;
    }

    /** A txn reads what it compares and does what either branch does (etcd checks both branches). */
    private static void checkTxn(AuthState auth, String user, TxnRequest t) {
        for (Compare c : t.getCompareList()) {
            auth.checkKeys(user, c.getKey(), c.getRangeEnd(), Permission.Type.READ);
        }
        for (java.util.List<RequestOp> branch : java.util.List.of(t.getSuccessList(), t.getFailureList())) {
            for (RequestOp op : branch) {
                switch (op.getRequestCase()) {
                    case REQUEST_RANGE -> check(auth, user, op.getRequestRange());
                    case REQUEST_PUT -> check(auth, user, op.getRequestPut());
                    case REQUEST_DELETE_RANGE -> check(auth, user, op.getRequestDeleteRange());
                    case REQUEST_TXN -> checkTxn(auth, user, op.getRequestTxn());
                    default -> {
                    }
                }
            }
        }
    }

    /** A lock or an election under {@code name}: its keys are {@code name/<lease>}, read and (to take part) written. */
    private static void checkPrefix(AuthState auth, String user, ByteString name, boolean write) {
        ByteString end = KeyRanges.prefixEnd(name);
        auth.checkKeys(user, name, end, Permission.Type.READ);
        if (write) {
            auth.checkKeys(user, name, end, Permission.Type.WRITE);
        }
    }
}
