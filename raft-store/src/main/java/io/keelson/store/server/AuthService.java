package io.keelson.store.server;

import io.etcd.jetcd.api.AuthDisableRequest;
import io.etcd.jetcd.api.AuthDisableResponse;
import io.etcd.jetcd.api.AuthEnableRequest;
import io.etcd.jetcd.api.AuthEnableResponse;
import io.etcd.jetcd.api.AuthGrpc;
import io.etcd.jetcd.api.AuthRoleAddRequest;
import io.etcd.jetcd.api.AuthRoleAddResponse;
import io.etcd.jetcd.api.AuthRoleDeleteRequest;
import io.etcd.jetcd.api.AuthRoleDeleteResponse;
import io.etcd.jetcd.api.AuthRoleGetRequest;
import io.etcd.jetcd.api.AuthRoleGetResponse;
import io.etcd.jetcd.api.AuthRoleGrantPermissionRequest;
import io.etcd.jetcd.api.AuthRoleGrantPermissionResponse;
import io.etcd.jetcd.api.AuthRoleListRequest;
import io.etcd.jetcd.api.AuthRoleListResponse;
import io.etcd.jetcd.api.AuthRoleRevokePermissionRequest;
import io.etcd.jetcd.api.AuthRoleRevokePermissionResponse;
import io.etcd.jetcd.api.AuthUserAddRequest;
import io.etcd.jetcd.api.AuthUserAddResponse;
import io.etcd.jetcd.api.AuthUserChangePasswordRequest;
import io.etcd.jetcd.api.AuthUserChangePasswordResponse;
import io.etcd.jetcd.api.AuthUserDeleteRequest;
import io.etcd.jetcd.api.AuthUserDeleteResponse;
import io.etcd.jetcd.api.AuthUserGetRequest;
import io.etcd.jetcd.api.AuthUserGetResponse;
import io.etcd.jetcd.api.AuthUserGrantRoleRequest;
import io.etcd.jetcd.api.AuthUserGrantRoleResponse;
import io.etcd.jetcd.api.AuthUserListRequest;
import io.etcd.jetcd.api.AuthUserListResponse;
import io.etcd.jetcd.api.AuthUserRevokeRoleRequest;
import io.etcd.jetcd.api.AuthUserRevokeRoleResponse;
import io.etcd.jetcd.api.AuthenticateRequest;
import io.etcd.jetcd.api.AuthenticateResponse;
import io.etcd.jetcd.api.ResponseHeader;
import io.grpc.stub.StreamObserver;
import io.keelson.store.ErrorCode;
import io.keelson.store.MemberStatus;
import io.keelson.store.StoreException;
import io.keelson.store.StoreMember;
import io.keelson.store.auth.AuthChange;
import io.keelson.store.auth.AuthState;
import io.keelson.store.auth.Permission;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** etcd's {@code Auth} service: enable and disable, Authenticate, users, roles and their key permissions. */
final class AuthService extends AuthGrpc.AuthImplBase {
    private final StoreMember member;

    AuthService(StoreMember member) {
        this.member = member;
    }

    private ResponseHeader header() {
        MemberStatus s = member.status();
        return EtcdCodec.header(new io.keelson.store.ResponseHeader(s.clusterId(), s.memberId(), s.revision(),
                s.raftTerm()));
    }

    /** Answers once {@code work} completes: with {@code response(header)}, or with etcd's error. */
    private <T> void answer(CompletableFuture<?> work, StreamObserver<T> out, Function<ResponseHeader, T> response) {
        GrpcErrors.answer(work, out, () -> response.apply(header()));
    }

    private CompletableFuture<Void> change(AuthChange change) {
        return member.changeAuth(change);
    }

    @Override
    public void authEnable(AuthEnableRequest request, StreamObserver<AuthEnableResponse> out) {
        answer(change(AuthChange.enable()), out, h -> AuthEnableResponse.newBuilder().setHeader(h).build());
    }

    @Override
    public void authDisable(AuthDisableRequest request, StreamObserver<AuthDisableResponse> out) {
        answer(change(AuthChange.disable()), out, h -> AuthDisableResponse.newBuilder().setHeader(h).build());
    }

    @Override
    public void authenticate(AuthenticateRequest request, StreamObserver<AuthenticateResponse> out) {
        CompletableFuture<String> token = member.authenticate(request.getName(), request.getPassword());
        answer(token, out, h -> AuthenticateResponse.newBuilder().setHeader(h).setToken(token.join()).build());
    }

    @Override
    public void userAdd(AuthUserAddRequest request, StreamObserver<AuthUserAddResponse> out) {
        answer(change(AuthChange.userAdd(request.getName(), request.getPassword())), out,
                h -> AuthUserAddResponse.newBuilder().setHeader(h).build());
    }

    @Override
    public void userGet(AuthUserGetRequest request, StreamObserver<AuthUserGetResponse> out) {
        CompletableFuture<AuthState.User> user = member.readAuthState().thenApply(auth -> auth.user(request.getName())
                .orElseThrow(() -> new StoreException(ErrorCode.USER_NOT_FOUND)));
        answer(user, out, h -> AuthUserGetResponse.newBuilder().setHeader(h).addAllRoles(user.join().roles()).build());
    }

    @Override
    public void userList(AuthUserListRequest request, StreamObserver<AuthUserListResponse> out) {
        CompletableFuture<AuthState> auth = member.readAuthState();
        answer(auth, out, h -> AuthUserListResponse.newBuilder().setHeader(h)
                .addAllUsers(auth.join().users().keySet()).build());
    }

    @Override
    public void userDelete(AuthUserDeleteRequest request, StreamObserver<AuthUserDeleteResponse> out) {
        answer(change(AuthChange.userDelete(request.getName())), out,
                h -> AuthUserDeleteResponse.newBuilder().setHeader(h).build());
    }

    @Override
    public void userChangePassword(AuthUserChangePasswordRequest request,
                                   StreamObserver<AuthUserChangePasswordResponse> out) {
        answer(change(AuthChange.userChangePassword(request.getName(), request.getPassword())), out,
                h -> AuthUserChangePasswordResponse.newBuilder().setHeader(h).build());
    }

    @Override
    public void userGrantRole(AuthUserGrantRoleRequest request, StreamObserver<AuthUserGrantRoleResponse> out) {
        answer(change(AuthChange.grantRole(request.getUser(), request.getRole())), out,
                h -> AuthUserGrantRoleResponse.newBuilder().setHeader(h).build());
    }

    @Override
    public void userRevokeRole(AuthUserRevokeRoleRequest request, StreamObserver<AuthUserRevokeRoleResponse> out) {
        answer(change(AuthChange.revokeRole(request.getName(), request.getRole())), out,
                h -> AuthUserRevokeRoleResponse.newBuilder().setHeader(h).build());
    }

    @Override
    public void roleAdd(AuthRoleAddRequest request, StreamObserver<AuthRoleAddResponse> out) {
        answer(change(AuthChange.roleAdd(request.getName())), out,
                h -> AuthRoleAddResponse.newBuilder().setHeader(h).build());
    }

    @Override
    public void roleGet(AuthRoleGetRequest request, StreamObserver<AuthRoleGetResponse> out) {
        String role = request.getRole();
        CompletableFuture<List<Permission>> perms = member.readAuthState().thenApply(auth -> {
            List<Permission> found = auth.roles().get(role);
            if (found == null) {
                throw new StoreException(ErrorCode.ROLE_NOT_FOUND);
            }
            return found; // the root role may do anything, yet lists no permission, as etcd's
        });
        answer(perms, out, h -> AuthRoleGetResponse.newBuilder().setHeader(h)
                .addAllPerm(perms.join().stream().map(AuthService::proto).toList()).build());
    }

    @Override
    public void roleList(AuthRoleListRequest request, StreamObserver<AuthRoleListResponse> out) {
        CompletableFuture<AuthState> auth = member.readAuthState();
        answer(auth, out, h -> AuthRoleListResponse.newBuilder().setHeader(h)
                .addAllRoles(auth.join().roles().keySet()).build());
    }

    @Override
    public void roleDelete(AuthRoleDeleteRequest request, StreamObserver<AuthRoleDeleteResponse> out) {
        answer(change(AuthChange.roleDelete(request.getRole())), out,
                h -> AuthRoleDeleteResponse.newBuilder().setHeader(h).build());
    }

    @Override
    public void roleGrantPermission(AuthRoleGrantPermissionRequest request,
                                    StreamObserver<AuthRoleGrantPermissionResponse> out) {
        io.etcd.jetcd.api.Permission p = request.getPerm();
        if (p.getPermTypeValue() < 0 || p.getPermTypeValue() > 2) {
            out.onError(GrpcErrors.of(new StoreException(ErrorCode.INVALID_ARGUMENT)));
            return;
        }
        Permission granted = new Permission(Permission.Type.values()[p.getPermTypeValue()], p.getKey(),
                p.getRangeEnd());
        answer(change(AuthChange.grantPermission(request.getName(), granted)), out,
                h -> AuthRoleGrantPermissionResponse.newBuilder().setHeader(h).build());
    }

    @Override
    public void roleRevokePermission(AuthRoleRevokePermissionRequest request,
                                     StreamObserver<AuthRoleRevokePermissionResponse> out) {
        Permission revoked = new Permission(Permission.Type.READWRITE, request.getKey(), request.getRangeEnd());
        answer(change(AuthChange.revokePermission(request.getRole(), revoked)), out,
                h -> AuthRoleRevokePermissionResponse.newBuilder().setHeader(h).build());
    }

    private static io.etcd.jetcd.api.Permission proto(Permission p) {
        return io.etcd.jetcd.api.Permission.newBuilder().setPermTypeValue(p.type().ordinal()).setKey(p.key())
                .setRangeEnd(p.rangeEnd()).build();
    }
}
