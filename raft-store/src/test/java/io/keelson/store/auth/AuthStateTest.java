package io.keelson.store.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.google.protobuf.ByteString;
import io.keelson.store.ErrorCode;
import io.keelson.store.StoreException;
import io.keelson.store.raft.proto.AuthOp;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** etcd's auth rules: the changes and their refusals, and which key requests a user's permissions allow. */
class AuthStateTest {
    private static ByteString bs(String s) {
        return s.equals("\\0") ? ByteString.copyFrom(new byte[] {0}) : ByteString.copyFromUtf8(s);
    }

    private static AuthOp op(AuthChange change) {
        AuthOp.Builder b = AuthOp.newBuilder().setKind(change.kind().ordinal()).setName(change.name())
                .setRole(change.role()).setPasswordHash(change.password().isEmpty() ? "" : "hash:" + change.password());
        if (change.permission() != null) {
            b.setPermission(AuthState.proto(change.permission()));
        }
        return b.build();
    }

    private static AuthState apply(AuthState state, AuthChange... changes) {
        for (AuthChange c : changes) {
            state = state.apply(op(c));
        }
        return state;
    }

    private static ErrorCode refusal(AuthState state, AuthChange change) {
        return catchThrowableOfType(StoreException.class, () -> state.apply(op(change))).code();
    }

    private static Permission perm(Permission.Type type, String key, String end) {
        return new Permission(type, bs(key), bs(end));
    }

    /** Root, and alice with a role of several permissions, auth enabled. */
    private static AuthState enabledWithAlice() {
        return apply(AuthState.empty(), AuthChange.userAdd("root", "r"), AuthChange.grantRole("root", "root"),
                AuthChange.userAdd("alice", "a"), AuthChange.roleAdd("app"),
                AuthChange.grantPermission("app", perm(Permission.Type.READ, "/a/", "/a0")),
                AuthChange.grantPermission("app", perm(Permission.Type.READWRITE, "/a/x", "")),
                AuthChange.grantPermission("app", perm(Permission.Type.WRITE, "/w/", "/w0")),
                AuthChange.roleAdd("more"),
                AuthChange.grantPermission("more", perm(Permission.Type.READ, "/a0", "/b")),
                AuthChange.grantPermission("more", perm(Permission.Type.READ, "/z", "\\0")),
                AuthChange.grantRole("alice", "app"), AuthChange.grantRole("alice", "more"), AuthChange.enable());
    }

    @ParameterizedTest(name = "{0} [{1}, {2}) {3} -> {4}")
    @CsvSource({
            // key, range end, access, allowed
            "/a/k, '', READ, true",
            "/a/k, '', WRITE, false",
            "/a/x, '', WRITE, true",
            "/a/, /a0, READ, true",
            "/a/b, /a/c, READ, true",
            "/a/, /b, READ, true",    // two roles' ranges together: [/a/, /a0) and [/a0, /b)
            "/a/, /b0, READ, false",  // reaches past them
            "/, /a0, READ, false",
            "/w/k, '', WRITE, true",
            "/w/k, '', READ, false",
            "/z, '', READ, true",
            "/zzz, \\0, READ, true",  // from /zzz on: inside [/z, everything)
            "/y, \\0, READ, false",
            "/b, '', READ, false",
    })
    void keyRequests_areAllowedWhenTheUnionOfTheUsersPermissionsCoversThem(String key, String end,
                                                                          Permission.Type access, boolean allowed) {
        AuthState auth = enabledWithAlice();
        if (allowed) {
            assertThatCode(() -> auth.checkKeys("alice", bs(key), bs(end), access)).doesNotThrowAnyException();
        } else {
            assertThat(catchThrowableOfType(StoreException.class, () -> auth.checkKeys("alice", bs(key), bs(end),
                    access)).code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        }
    }

    @Test
    void root_mayDoAnything_othersNeedARole_andAUserIsRequired() {
        AuthState auth = enabledWithAlice();
        assertThatCode(() -> auth.checkKeys("root", bs("/"), bs("\\0"), Permission.Type.WRITE))
                .doesNotThrowAnyException();
        assertThatCode(() -> auth.checkAdmin("root")).doesNotThrowAnyException();
        assertThat(catchThrowableOfType(StoreException.class, () -> auth.checkAdmin("alice")).code())
                .isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(catchThrowableOfType(StoreException.class,
                () -> auth.checkKeys("", bs("/a/k"), bs(""), Permission.Type.READ)).code())
                .isEqualTo(ErrorCode.USER_EMPTY);
        assertThat(catchThrowableOfType(StoreException.class,
                () -> auth.checkKeys("ghost", bs("/a/k"), bs(""), Permission.Type.READ)).code())
                .isEqualTo(ErrorCode.PERMISSION_DENIED);
        AuthState off = auth.apply(op(AuthChange.disable()));
        assertThatCode(() -> off.checkKeys("", bs("/"), bs("\\0"), Permission.Type.WRITE)).doesNotThrowAnyException();
    }

    @Test
    void changes_areRefusedWithEtcdsErrors() {
        AuthState empty = AuthState.empty();
        assertThat(refusal(empty, AuthChange.enable())).isEqualTo(ErrorCode.ROOT_USER_NOT_EXIST);
        AuthState root = apply(empty, AuthChange.userAdd("root", "r"));
        assertThat(refusal(root, AuthChange.enable())).isEqualTo(ErrorCode.ROOT_ROLE_NOT_EXIST);
        assertThat(refusal(root, AuthChange.userAdd("root", "x"))).isEqualTo(ErrorCode.USER_ALREADY_EXIST);
        assertThat(refusal(root, AuthChange.userAdd("", "x"))).isEqualTo(ErrorCode.USER_EMPTY);
        assertThat(refusal(root, AuthChange.roleAdd(""))).isEqualTo(ErrorCode.ROLE_EMPTY);
        assertThat(refusal(root, AuthChange.grantRole("nobody", "root"))).isEqualTo(ErrorCode.USER_NOT_FOUND);
        assertThat(refusal(root, AuthChange.grantRole("root", "nothing"))).isEqualTo(ErrorCode.ROLE_NOT_FOUND);
        assertThat(refusal(root, AuthChange.revokeRole("root", "root"))).isEqualTo(ErrorCode.ROLE_NOT_GRANTED);
        assertThat(refusal(root, AuthChange.userDelete("nobody"))).isEqualTo(ErrorCode.USER_NOT_FOUND);
        assertThat(refusal(root, AuthChange.roleDelete("nothing"))).isEqualTo(ErrorCode.ROLE_NOT_FOUND);
        AuthState role = apply(root, AuthChange.roleAdd("r1"));
        assertThat(refusal(role, AuthChange.roleAdd("r1"))).isEqualTo(ErrorCode.ROLE_ALREADY_EXIST);
        assertThat(refusal(role, AuthChange.revokePermission("r1", perm(Permission.Type.READ, "k", ""))))
                .isEqualTo(ErrorCode.PERMISSION_NOT_GRANTED);

        AuthState on = enabledWithAlice();
        assertThat(on.enabled()).isTrue();
        assertThat(refusal(on, AuthChange.userDelete("root"))).isEqualTo(ErrorCode.INVALID_AUTH_MGMT);
        assertThat(refusal(on, AuthChange.revokeRole("root", "root"))).isEqualTo(ErrorCode.INVALID_AUTH_MGMT);
        assertThat(refusal(on, AuthChange.roleDelete("root"))).isEqualTo(ErrorCode.INVALID_AUTH_MGMT);
    }

    @Test
    void aGrantReplacesThePermissionOnTheSameKeys_andDeletingARoleRevokesIt() {
        AuthState s = apply(enabledWithAlice(),
                AuthChange.grantPermission("app", perm(Permission.Type.WRITE, "/a/", "/a0")));
        assertThat(s.roles().get("app")).containsExactly(perm(Permission.Type.WRITE, "/a/", "/a0"),
                perm(Permission.Type.READWRITE, "/a/x", ""), perm(Permission.Type.WRITE, "/w/", "/w0"));
        AuthState deleted = apply(s, AuthChange.roleDelete("app"));
        assertThat(deleted.user("alice").orElseThrow().roles()).containsExactly("more");
        assertThat(deleted.revision()).isEqualTo(s.revision() + 1);
        // a change that changes nothing keeps the state (and its revision)
        assertThat(apply(deleted, AuthChange.grantRole("alice", "more"))).isSameAs(deleted);
    }

    @Test
    void theStateSurvivesItsStoredForm() {
        AuthState s = enabledWithAlice();
        AuthState back = AuthState.fromProto(s.toProto());
        assertThat(back.enabled()).isTrue();
        assertThat(back.revision()).isEqualTo(s.revision());
        assertThat(back.users()).isEqualTo(s.users());
        assertThat(back.roles()).isEqualTo(s.roles());
        assertThat(back.user("alice").orElseThrow().roles()).isEqualTo(List.of("app", "more"));
    }
}
